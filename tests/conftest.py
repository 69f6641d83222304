"""Shared fixtures: real Piper speech, tiny real videos, a loopback HTTP server, finished batches.

Media is tiny (160x90, a few seconds) so the suite stays fast; nothing here is mocked except where
a remote cloud service cannot be reached (gTTS), and even then the real code runs up to the socket.
The helpers themselves (runner, media makers, servers) live in the ``dramabatch_testkit`` package,
which the benchmarks import too; the names below are re-exported for ``from conftest import``.

A Snakemake batch costs tens of seconds, a copy of a finished one a fraction of a second: so
``shared_batch`` finishes the common two-drama batch once per session (once for all pytest-xdist
workers), and each test module that changes a batch works on its own copy (``copy_batch``).
Batches of many dramas whose words do not matter use ``brief_videos`` (one sentence each).
Tests that start Snakemake are marked ``workflow`` and ``slow`` here automatically, so
``make test-fast`` (``-m "not slow"``) leaves them out without anyone having to remember a marker.
"""

from __future__ import annotations

import inspect
import json
import os
import resource
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dramabatch.base.audio import write_wav_mono
from dramabatch_testkit import runner
from dramabatch_testkit.loopback import LoopbackServer
from dramabatch_testkit.media import (  # noqa: F401 - re-exported for the tests
    BRIEF_A,
    BRIEF_B,
    SENTENCE_A,
    SENTENCE_B,
    check_video,
    encode_gray,
    make_video,
)
from dramabatch_testkit.runner import (  # noqa: F401 - re-exported for the tests
    REPO,
    SNAKEMAKE,
    TINY_CONFIG,
    copy_batch,
    prepare_batch,
    run_batch,
    snakemake,
    write_manifest,
)

#: What starts the workflow: a test, fixture or module helper that reaches one of these (through
#: the module's own functions, at any depth) is a workflow test.
_WORKFLOW_STARTERS = (runner.snakemake, runner.snakemake_cmd, runner.timed_snakemake,
                      runner.run_batch, runner.prepare_batch, runner.run_cli, runner.SNAKEMAKE)
_STARTER_NAMES = {"snakemake", "snakemake_cmd", "timed_snakemake", "run_batch", "prepare_batch",
                  "run_cli", "SNAKEMAKE"}


def _codes(code) -> Iterator:
    yield code
    for const in code.co_consts:
        if inspect.iscode(const):
            yield from _codes(const)


def _starts_workflow(func, seen: set) -> bool:
    """Whether ``func`` or a function of its module it calls names one of the starters."""
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    names = func.__globals__
    for each in _codes(code):
        # ``from dramabatch_testkit.runner import snakemake`` inside the function
        if {"dramabatch_testkit.runner", "conftest"} & set(each.co_names) and (
                _STARTER_NAMES & set(each.co_names)):
            return True
        for name in each.co_names:
            obj = names.get(name)
            if any(obj is starter for starter in _WORKFLOW_STARTERS):
                return True
            if inspect.isfunction(obj) and _starts_workflow(obj, seen):
                return True
    return False


def pytest_addoption(parser):
    parser.addoption("--cpu-durations", type=int, default=0, metavar="N",
                     help="list the N tests that used the most CPU seconds (theirs and their "
                          "subprocesses', setup included): wall times mislead on a shared machine")
    parser.addoption("--record-file-seconds", action="store_true",
                     help=f"write each test file's seconds (setup, call, teardown) to "
                          f"{FILE_SECONDS.name}, the order `make test` starts files in")


#: Each test file's recorded seconds (``--record-file-seconds``). make test runs whole files in
#: two pytest-xdist workers (--dist loadfile --no-loadscope-reorder), in collection order: the
#: slowest files first, so that no long file starts last and leaves the other worker idle.
FILE_SECONDS = Path(__file__).with_name("file_seconds.json")
_FILE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    name = report.nodeid.split("::")[0]
    _FILE_SECONDS[name] = _FILE_SECONDS.get(name, 0.0) + report.duration


def _cpu_seconds() -> float:
    """This process's CPU, its subprocesses', and the Snakemake runs forked for it (run_cli)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
            + runner.CLI_CPU_SECONDS)


_CPU: dict[str, float] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = _cpu_seconds()
    yield
    _CPU[item.nodeid] = _cpu_seconds() - started


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # under pytest-xdist the controller sees every file's reports; a worker only its own
    if (config.getoption("--record-file-seconds") and _FILE_SECONDS
            and not os.environ.get("PYTEST_XDIST_WORKER")):
        known = json.loads(FILE_SECONDS.read_text()) if FILE_SECONDS.exists() else {}
        known.update({name: round(s, 1) for name, s in _FILE_SECONDS.items()})
        FILE_SECONDS.write_text(json.dumps(dict(sorted(known.items(), key=lambda kv: -kv[1])),
                                           indent=0) + "\n")
        terminalreporter.write_line(f"wrote {len(_FILE_SECONDS)} files' seconds to {FILE_SECONDS}")
    count = config.getoption("--cpu-durations")
    if not count or not _CPU:
        return
    terminalreporter.section(f"{count} most CPU-costly tests (CPU s, with subprocesses)")
    for nodeid, seconds in sorted(_CPU.items(), key=lambda kv: -kv[1])[:count]:
        terminalreporter.write_line(f"{seconds:8.1f}  {nodeid}")
    per_file: dict[str, float] = {}
    for nodeid, seconds in _CPU.items():
        per_file[nodeid.split("::")[0]] = per_file.get(nodeid.split("::")[0], 0.0) + seconds
    terminalreporter.write_line(f"total {sum(_CPU.values()):.1f} CPU s; by file:")
    for name, seconds in sorted(per_file.items(), key=lambda kv: -kv[1])[:count]:
        terminalreporter.write_line(f"{seconds:8.1f}  {name}")


def pytest_collection_modifyitems(config, items):
    """Mark every test that starts Snakemake (itself or through a fixture) workflow and slow;
    order the files slowest first (FILE_SECONDS; unrecorded files last), tests within a file as
    they are written."""
    seconds = json.loads(FILE_SECONDS.read_text()) if FILE_SECONDS.exists() else {}
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::")[0], 0.0))
    verdicts: dict = {}
    for item in items:
        funcs = [getattr(item, "function", None)]
        for name in item.fixturenames:
            funcs += [d.func for d in item._fixtureinfo.name2fixturedefs.get(name, ())]
        for func in funcs:
            if func is None:
                continue
            if func not in verdicts:
                verdicts[func] = _starts_workflow(func, set())
            if verdicts[func]:
                item.add_marker(pytest.mark.workflow)
                item.add_marker(pytest.mark.slow)
                break


@pytest.fixture(scope="session")
def piper():
    from dramabatch.voice.tts.piper_engine import PiperEngine

    return PiperEngine()


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def speech_wav(piper, media_dir) -> Path:
    """Real synthetic speech of SENTENCE_A (Piper, bundled voice), 16-bit WAV."""
    samples, rate = piper.synthesize(SENTENCE_A)
    path = media_dir / "speech_a.wav"
    write_wav_mono(path, samples, rate)
    return path


@pytest.fixture(scope="session")
def speech_video(speech_wav, media_dir) -> Path:
    from dramabatch.base.audio import read_wav_mono

    samples, rate = read_wav_mono(speech_wav)
    return make_video(media_dir / "speech_a.mp4", wav=speech_wav,
                      seconds=len(samples) / rate + 0.3)


@pytest.fixture(scope="session")
def speech_video_b(piper, media_dir) -> Path:
    samples, rate = piper.synthesize(SENTENCE_B)
    wav = media_dir / "speech_b.wav"
    write_wav_mono(wav, samples, rate)
    return make_video(media_dir / "speech_b.mp4", wav=wav, seconds=len(samples) / rate + 0.3)


@pytest.fixture(scope="session")
def brief_videos(piper, media_dir) -> tuple[Path, Path]:
    """Two one-sentence speech videos (BRIEF_A, BRIEF_B; about 3 s each), for batches of many
    dramas where what is said is not what is tested: each drama's jobs cost less than with the
    two-sentence ``speech_video``."""
    videos = []
    for name, sentence in (("brief_a", BRIEF_A), ("brief_b", BRIEF_B)):
        samples, rate = piper.synthesize(sentence)
        wav = media_dir / f"{name}.wav"
        write_wav_mono(wav, samples, rate)
        videos.append(make_video(media_dir / f"{name}.mp4", wav=wav,
                                 seconds=len(samples) / rate + 0.3))
    return videos[0], videos[1]


@pytest.fixture(scope="session")
def silent_video(media_dir) -> Path:
    """A video with no audio stream at all."""
    return make_video(media_dir / "silent.mp4", wav=None, seconds=2)


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 512 KB tmpfs, where the machine lets us mount one (root with CAP_SYS_ADMIN)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({proc.stderr.strip() or 'not root'})")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.fixture(scope="session")
def shared_batch(tmp_path_factory, speech_video, speech_video_b) -> Path:
    """The two English dramas (alpha: SENTENCE_A, beta: SENTENCE_B) finished once per session.

    Read only: a test that changes a batch (deletes, edits, reruns, adds a report) works on a
    ``copy_batch`` of it, which keeps the files' times and Snakemake's records, so the copy is as
    finished as the original.
    """
    rows = [("alpha", str(speech_video)), ("beta", str(speech_video_b))]
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return run_batch(tmp_path_factory.mktemp("shared"), rows)
    # Under pytest-xdist (make test: -n 2) each worker is its own session: the first to get here
    # runs the batch in the workers' common folder, the other waits for it and reads the same one.
    from filelock import FileLock

    common = tmp_path_factory.getbasetemp().parent
    wd, done = common / "shared", common / "shared.finished"
    with FileLock(str(common / "shared.lock")):
        if not done.exists():
            wd.mkdir(exist_ok=True)
            run_batch(wd, rows)
            done.touch()
    return wd


@pytest.fixture
def tiny_batch(tmp_path, speech_video, speech_video_b) -> Path:
    """A two-drama batch at 160x90 in a fresh working directory (not yet run)."""
    return prepare_batch(tmp_path, [("alpha", str(speech_video)), ("beta", str(speech_video_b))])
