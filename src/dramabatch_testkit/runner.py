"""The real workflow CLI on a working directory, written once for tests and benchmarks.

Every batch a test or a benchmark runs goes through ``snakemake_cmd``, so the Snakefile, the
working directory and the config file are always passed the same way.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

#: The tiny batch: 160x90 renders, generated backgrounds, and the small English Whisper model
#: (tiny.en) for transcription and caption alignment, since these batches are English and the
#: language is not what they test (tests of the language set ``transcribe.model`` themselves).
TINY_CONFIG = """\
manifest: {manifest}
outdir: results
scripts_dir: scripts
transcribe:
  model: bundled-tiny.en
subtitles:
  align_model: bundled-tiny.en
background:
  order: [generated]
render:
  preset: ultrafast
  fps: 15
  long: {{width: 160, height: 90}}
  short: {{width: 90, height: 160}}
shorts:
  min_seconds: 3
  max_seconds: 8
  title_seconds: 1
"""


def write_manifest(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A manifest of (id, source) rows, all English, titled after their id."""
    lines = ["id\tsource\tlanguage\ttitle"] + [f"{i}\t{s}\ten\tTitle {i}" for i, s in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snakemake_cmd(workdir: Path, *args: str) -> list[str]:
    """The command line of the workflow CLI in ``workdir`` with its config.yaml."""
    return [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir),
            "--configfile", str(workdir / "config.yaml"), *args]


def snakemake(workdir: Path, *args: str, timeout: int = 900,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real workflow CLI in ``workdir`` with its config.yaml (``env`` adds variables)."""
    return run_cli(snakemake_cmd(workdir, *args), timeout=timeout,
                   env={**os.environ, **(env or {})})


def _cli_child(argv: list[str], env: dict, cwd: str, out: str, err: str) -> None:
    """In a child forked from the fork server: Snakemake's own ``main``, as its script runs it,
    with the caller's environment and directory, its output in ``out`` and ``err``."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for path, fd in ((out, 1), (err, 2)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.argv = list(argv)
    from snakemake.cli import main

    try:
        main(argv[1:])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        with open(f"{out}.cpu", "w", encoding="utf-8") as fh:
            fh.write(str(_cpu_seconds()))


def _cpu_seconds() -> float:
    """This process's CPU seconds and its waited-for children's (a batch's jobs)."""
    import resource

    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


#: CPU seconds of the CLI runs ``run_cli`` made in this process: its children are the fork
#: server's, not this process's, so resource.RUSAGE_CHILDREN does not count them.
CLI_CPU_SECONDS = 0.0


_SERVER = None


def _fork_server():
    """A multiprocessing fork server that imported Snakemake's CLI once: importing it (pandas,
    sqlmodel, the plugins) is about 2 CPU seconds, most of a dry run's cost, and tests start the
    CLI about a hundred and fifty times."""
    global _SERVER
    if _SERVER is None:
        import multiprocessing

        _SERVER = multiprocessing.get_context("forkserver")
        _SERVER.set_forkserver_preload(["snakemake.cli", "dramabatch_testkit.runner"])
        atexit.register(_stop_fork_server)
    return _SERVER


def _stop_fork_server() -> None:
    """Stop and reap the server at exit, so that its runs' CPU time reaches this process's
    RUSAGE_CHILDREN (``time make test`` then counts them); multiprocessing leaves it unreaped."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # private, Python 3.8 and later
    if stop is not None:
        stop()


def run_cli(cmd: list[str], timeout: float = 900,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """``subprocess.run(cmd, capture_output=True, text=True, timeout, env)`` for a Snakemake
    command line, in a process forked from a server that has Snakemake imported: the same
    ``snakemake.cli.main`` the ``snakemake`` script calls, with the same arguments, exit status
    and output, without paying its imports each time."""
    import tempfile

    assert cmd[0] == SNAKEMAKE, cmd
    with tempfile.TemporaryDirectory(prefix="smk-cli-") as tmp:
        out, err = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        child = _fork_server().Process(
            target=_cli_child, args=(cmd, dict(os.environ if env is None else env), os.getcwd(),
                                     out, err))
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired(cmd, timeout)
        global CLI_CPU_SECONDS
        if os.path.exists(f"{out}.cpu"):
            with open(f"{out}.cpu", encoding="utf-8") as fh:
                CLI_CPU_SECONDS += float(fh.read())
        with open(out, encoding="utf-8", errors="replace") as fo, \
                open(err, encoding="utf-8", errors="replace") as fe:
            return subprocess.CompletedProcess(cmd, child.exitcode, fo.read(), fe.read())


def timed_snakemake(workdir: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    """Run the workflow CLI in ``workdir``; return (wall seconds, process), for benchmarks."""
    started = time.perf_counter()
    proc = subprocess.run(snakemake_cmd(workdir, *args), capture_output=True, text=True)
    return time.perf_counter() - started, proc


def prepare_batch(wd: Path, rows: list[tuple[str, str]], config: str = TINY_CONFIG) -> Path:
    """Write a manifest of ``rows`` and the (tiny) config into ``wd``; return ``wd``."""
    manifest = write_manifest(wd / "manifest.tsv", rows)
    (wd / "config.yaml").write_text(config.format(manifest=manifest))
    return wd


def run_batch(wd: Path, rows: list[tuple[str, str]], config: str = TINY_CONFIG) -> Path:
    """Prepare and run a tiny batch to completion; fail with Snakemake's output if it does not."""
    proc = snakemake(prepare_batch(wd, rows, config), "--cores", "2")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return wd


def copy_batch(src: Path, dst: Path) -> Path:
    """A copy of a finished batch's working directory that is just as finished.

    ``copytree`` keeps modification times (``copy2``) and ``.snakemake``'s records, and the
    config still names the same manifest and sources, so Snakemake finds nothing to do in the
    copy: a test can change it without touching the original or paying for a run.
    """
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
    return dst
