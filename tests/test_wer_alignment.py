"""The check by ear's alignment at real length: the same per-segment figures as the full-table
walk it replaced (kept here as the reference), in memory that grows with the words only."""

import random
import subprocess
import sys
from pathlib import Path

import pytest

from dramabatch.voice import editpath
from dramabatch.voice.wer import by_segment, words


def reference_by_segment(references, heard, language=""):
    """The full-table alignment that ``by_segment`` used before (quadratic memory)."""
    ref = [(w, s) for s, text in enumerate(references) for w in words(text, language)]
    hyp = [(w, h) for h, text in enumerate(heard) for w in words(text, language)]
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        row, up, r = cost[i], cost[i - 1], ref[i - 1][0]
        for j in range(1, m + 1):
            row[j] = min(up[j - 1] + (r != hyp[j - 1][0]), up[j] + 1, row[j - 1] + 1)
    errors = [0] * len(references)
    counts = [0] * len(references)
    for _, s in ref:
        counts[s] += 1
    owner = [-1] * len(heard)
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1][0] != hyp[j - 1][0]):
            seg = ref[i - 1][1]
            errors[seg] += ref[i - 1][0] != hyp[j - 1][0]
            owner[hyp[j - 1][1]] = seg
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            errors[ref[i - 1][1]] += 1
            i -= 1
        else:
            seg = ref[i - 1][1] if i else (ref[0][1] if ref else 0)
            errors[seg] += 1
            owner[hyp[j - 1][1]] = seg
            j -= 1
    for h in range(len(heard)):
        if owner[h] < 0:
            owner[h] = owner[h - 1] if h else 0
    return errors, counts, owner


VOCAB = "el la que de y a en un se no ella carta casa madre".split()


def _story(rng: random.Random, n_words: int, vocab=VOCAB) -> list[str]:
    """Segments of 1-12 words from a small vocabulary (many equal-cost alignments to choose
    between, so the tie-breaking is exercised)."""
    segs, left = [], n_words
    while left > 0:
        k = min(left, rng.randint(1, 12))
        segs.append(" ".join(rng.choice(vocab) for _ in range(k)))
        left -= k
    return segs


def _mishear(rng: random.Random, segs: list[str], rate: float) -> list[str]:
    """Whisper-like words: some dropped, changed or added, and a lone "%" now and then."""
    out = []
    for w in " ".join(segs).split():
        roll = rng.random()
        if roll < rate / 3:
            continue
        if roll < 2 * rate / 3:
            w = rng.choice(VOCAB)
        out.append(w)
        if rng.random() < rate / 3:
            out.append(rng.choice(VOCAB + ["%"]))
    return out


TODAY = [
    (["Su familia vivía en el pueblo,", "y María les entregó la carta."],
     "Su familia vivía en el pueblo y María les entregó la cata.".split(), "es"),
    (["El 3 de mayo.", "Llegó tarde."], "el trece de mayo llego tarde tarde".split(), "es"),
    (["Hola.", "Adiós."], [], "es"),
    (["Hola.", "Adiós."], ["%", "hola", "que", "tal"], "es"),
    (["", "Nada."], ["nada"], "es"),
]


@pytest.mark.parametrize(("segs", "heard", "language"), TODAY)
def test_todays_cases_keep_their_figures(segs, heard, language):
    assert by_segment(segs, heard, language) == reference_by_segment(segs, heard, language)


@pytest.mark.parametrize("table_cells", [4, 64, editpath._TABLE_CELLS])
def test_random_word_lists_match_the_full_table(monkeypatch, table_cells):
    """Small tables force the divide-and-conquer path on small inputs: every split, the
    crossing on the left column, long insertions, empty sides."""
    monkeypatch.setattr(editpath, "_TABLE_CELLS", table_cells)
    rng = random.Random(table_cells)
    for trial in range(60):
        segs = _story(rng, rng.randint(1, 80)) + ([""] if trial % 5 == 0 else [])
        rate = rng.choice([0.0, 0.1, 0.3, 0.8])
        heard = _mishear(rng, segs, rate)
        if trial % 7 == 0:
            heard = [rng.choice(VOCAB) for _ in range(rng.randint(0, 90))]  # unrelated
        assert by_segment(segs, heard) == reference_by_segment(segs, heard), (trial, segs, heard)


PEAK = """
import random, re, sys, time
sys.path.insert(0, sys.argv[2])
from test_wer_alignment import _story
from dramabatch.voice.wer import by_segment
n = int(sys.argv[1])
rng = random.Random(n)
vocab = ["".join(random.Random(k).choices("abcdefghijklmnopqrstuvwxyz", k=6))
         for k in range(3000)]
segs = _story(rng, n, vocab)
heard = " ".join(segs).split()
for k in range(0, len(heard), 10):  # one word in ten misheard
    heard[k] = rng.choice(vocab)
by_segment(segs[:3], heard[:3])  # everything imported and warmed up
def kb(field):
    status = open("/proc/self/status").read()
    return int(re.search(field + r":\\s+(\\d+) kB", status).group(1))
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # the peak (VmHWM) starts again from the current size
before = kb("VmRSS")
began = time.perf_counter()
by_segment(segs, heard)
print(kb("VmHWM") - before, time.perf_counter() - began)
"""


def _growth(n_words: int) -> tuple[float, float]:
    """(peak memory growth in MB, seconds) of aligning ``n_words`` in a fresh process."""
    done = subprocess.run([sys.executable, "-c", PEAK, str(n_words), str(Path(__file__).parent)],
                          capture_output=True, text=True, check=True, timeout=600)
    kb, seconds = done.stdout.split()
    return int(kb) / 1024, float(seconds)


@pytest.mark.slow
def test_memory_grows_with_the_words_not_their_square():
    """Ten times the words: the full table took a hundred times the memory (8,000 words:
    2.5 GB); the linear alignment's peak stays within its bounded table and the word lists."""
    small, _ = _growth(1_000)
    large, seconds = _growth(10_000)
    print(f"alignment peak growth: 1,000 words {small:.1f} MB, 10,000 words {large:.1f} MB "
          f"({seconds:.1f} s)")
    assert large < 40  # the full table: about 3.9 GB
    assert large < 10 * max(small, 2.0)
