"""Voicing in child processes replaced every ``BATCH`` texts, so narrate's memory stays flat.

The hour-long narration's job grew from 902 MB at 5 % of its segments to 1,753 MB at 75 %,
while the speech it held was 328 MB (RSS, one process voicing 847 texts with Kokoro). The rest
is what onnxruntime and the phonemizer leave behind under glibc's allocator, which a process
does not give back. So the neural engines (``IN_CHILD``) voice in a child process that exits
after at most ``BATCH`` new texts; the next child starts clean. Each child writes every piece
into the resume store (``pieces.PieceStore``) as it finishes, and the parent reads the speech
back from there: nothing is voiced twice, and a kill loses at most the text being voiced.

The parent never loads the model for the narration itself (only for a retake of a garbled
segment, by ``hearing``). Online engines (edge-tts, gTTS) hold nothing, and espeak-ng is a
small C library: they voice in the job's own process, as before.

Protocol: the child reads ``{"engine", "options", "texts", "folder", "batch"}`` as JSON on
stdin and writes JSON lines on stdout: ``{"identity": ...}`` once, ``{"done": i, "voiced":
bool}`` per text handled (in order), and at the end ``{"next": i}`` (where the next child
starts; ``len(texts)`` when all are done) or ``{"error": cause}`` (exit status 3).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ..base.errors import DramaError
from .pieces import PieceStore, identity
from .tts import make_engine

log = logging.getLogger(__name__)

#: Engines voiced in child processes: their memory grows with what they voice.
IN_CHILD = frozenset({"kokoro", "piper"})

#: Most texts one child voices before it exits (Kokoro: about 8-10 minutes of work).
BATCH = 150

#: Up to this many segments the job voices in its own process: a child costs 2-3 s to start
#: (Python, then the model), and Kokoro's memory stayed flat over 40 texts in one process
#: (872 MB after 10, 20, 30 and 40 of the hour's texts); it grows over hundreds.
IN_PROCESS_MAX = 40


def in_child(name: str, segments: int, folder: object) -> bool:
    """Whether a narration of ``segments`` segments by engine ``name`` is voiced in children
    (its retakes too): a neural engine, a store to hand the speech back through, and more
    segments than ``IN_PROCESS_MAX``."""
    return name in IN_CHILD and folder is not None and segments > IN_PROCESS_MAX


def voice_texts(name: str, options: dict, texts: list[str], folder: str | os.PathLike[str],
                progress: Callable[[int, bool], None] | None = None,
                batch: int = BATCH) -> dict:
    """Voice every text of ``texts`` into the store at ``folder`` by engine ``name`` in
    successive child processes; return the engine's identity (the store's key for its pieces).

    ``progress(done, voiced)`` is called after each text (``voiced``: False when the store
    already had it). A child that fails raises DramaError with its cause (an engine that
    cannot start, a text it cannot say); one killed or crashed raises naming how it ended.
    """
    who: dict = {}
    start = 0
    while True:
        spec = {"engine": name, "options": options, "texts": texts[start:], "folder": str(folder),
                "batch": batch}
        offset = start
        replies = _run_child(spec)
        finished = None
        for reply in replies:
            if "identity" in reply:
                who = reply["identity"]
            elif "done" in reply:
                if progress is not None:
                    progress(offset + reply["done"] + 1, bool(reply["voiced"]))
            elif "next" in reply:
                finished = offset + int(reply["next"])
            elif "error" in reply:
                raise DramaError(reply["error"])
        if finished is None:
            raise DramaError(f"TTS engine '{name}': the voicing process gave no result")
        if finished >= len(texts):
            return who
        start = finished


class StoredSpeech:
    """Speech the children voiced, read back from the store under the engine's ``who``:
    what the job asks of an engine it never loaded (``synthesize``)."""

    def __init__(self, store: PieceStore, who: dict, name: str) -> None:
        self.store, self.who, self.name = store, who, name

    def synthesize(self, text: str) -> tuple:
        found = self.store.get(self.store.key(text, self.who))
        if found is None:
            raise DramaError(f"TTS engine '{self.name}': the speech voiced for {text!r} is "
                             f"missing from {self.store.folder}")
        return found


def _run_child(spec: dict):
    """Start one child on ``spec``; yield its replies; raise DramaError if it dies."""
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])  # the dramabatch import root
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dramabatch.voice.voicer"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    tail: list[str] = []
    reader = threading.Thread(target=_relay, args=(proc.stderr, tail), daemon=True)
    reader.start()
    try:
        proc.stdin.write(json.dumps(spec, ensure_ascii=False))
        proc.stdin.close()
        for line in proc.stdout:
            if line.startswith("{"):
                yield json.loads(line)
        status = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    if status not in (0, 3):
        how = f"signal {-status}" if status < 0 else f"status {status}"
        raise DramaError(f"TTS engine '{spec['engine']}': the voicing process ended with {how}: "
                         + (" | ".join(tail[-3:]) or "no message"))


def _relay(stream, tail: list[str]) -> None:
    """The child's log lines, into this job's log (and the last few kept for an error)."""
    for line in stream:
        line = line.rstrip()
        if line:
            tail[:] = (tail + [line])[-10:]
            log.info("voicer: %s", line)


def _die_with_parent() -> None:
    """A child must not voice on after its job is killed (-9 leaves no time to stop it)."""
    import ctypes

    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child(spec: dict, say: Callable[[dict], None]) -> None:
    """One child's work: voice up to ``batch`` of the texts not yet in the store, in order."""
    try:
        engine = make_engine(spec["engine"], spec["options"])
    except DramaError as exc:
        say({"error": exc.cause})
        return
    who = identity(engine)
    say({"identity": who})
    store = PieceStore(spec["folder"])
    voiced = 0
    for idx, text in enumerate(spec["texts"]):
        if voiced >= spec["batch"]:
            say({"next": idx})
            return
        key = store.key(text, who)
        if store.has(key):
            say({"done": idx, "voiced": False})
            continue
        try:
            samples, rate = engine.synthesize(text)
        except DramaError as exc:
            say({"error": exc.cause})
            return
        store.put(key, samples, rate)
        voiced += 1
        say({"done": idx, "voiced": True})
    say({"next": len(spec["texts"])})


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    failed = False

    def say(reply: dict) -> None:
        nonlocal failed
        failed = failed or "error" in reply
        sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    _child(json.loads(sys.stdin.read()), say)
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
