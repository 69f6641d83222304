"""The real workflow CLI on a working directory, written once for tests and benchmarks.

Every batch a test or a benchmark runs goes through ``snakemake_cmd``, so the Snakefile, the
working directory and the config file are always passed the same way.
"""

from __future__ import annotations

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
    return subprocess.run(snakemake_cmd(workdir, *args), capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


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
