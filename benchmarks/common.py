"""Shared helpers for the benchmark scripts: results table and machine facts. Running the
workflow comes from the test kit (``dramabatch_testkit.runner``), the same runner the tests use."""

from __future__ import annotations

import csv
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from dramabatch_testkit.runner import REPO, SNAKEMAKE  # noqa: F401 - the benchmarks' names
from dramabatch_testkit.runner import timed_snakemake as snakemake  # noqa: F401

RESULTS = REPO / "benchmarks" / "RESULTS.md"


def machine() -> str:
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


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
