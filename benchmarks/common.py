"""Shared helpers for the benchmark scripts: results table, machine facts, running the workflow."""

from __future__ import annotations

import csv
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
RESULTS = REPO / "benchmarks" / "RESULTS.md"


def machine() -> str:
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


def snakemake(workdir: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    """Run the workflow CLI in ``workdir``; return (wall seconds, process)."""
    cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir),
           "--configfile", str(workdir / "config.yaml"), *args]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - started, proc


def benchmark_record(tsv: Path) -> dict[str, str]:
    """The one row of a Snakemake ``benchmark:`` file (columns s, max_rss, cpu_time, ...)."""
    with open(tsv) as fh:
        return next(csv.DictReader(fh, delimiter="\t"))


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def append_results(title: str, body: str) -> None:
    """Print ``body`` and append it to benchmarks/RESULTS.md with a dated heading."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = f"\n## {title} ({stamp}; {machine()})\n\n{body}\n"
    print(text)
    with open(RESULTS, "a", encoding="utf-8") as fh:
        fh.write(text)
