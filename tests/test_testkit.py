"""The test kit's own promises: which tests count as workflow tests (so ``make test-fast``
leaves them out), and a copied batch that keeps what makes Snakemake call it finished."""

from __future__ import annotations

import os

from conftest import _starts_workflow

from dramabatch_testkit.runner import copy_batch, run_batch, snakemake


def _helper(wd):
    return snakemake(wd, "-n")


def _through_a_helper(tmp_path):
    return _helper(tmp_path)


def _imports_it_inside(tmp_path):
    from dramabatch_testkit.runner import run_batch as go

    return go(tmp_path, [])


def _nested(tmp_path):
    def inner():
        return run_batch(tmp_path, [])

    return inner


def _plain(tmp_path):
    """Only named like the runner: a local called ``snakemake`` starts nothing."""
    snakemake = {"cores": 2}
    return sorted(snakemake) + [os.sep]


#: Reached through a dict, so that the test below is not itself a workflow test by reference.
SAMPLES = {"helper": _helper, "through": _through_a_helper, "inside": _imports_it_inside,
           "nested": _nested, "plain": _plain}


def test_workflow_starters_are_found_through_helpers_imports_and_closures():
    found = {name: _starts_workflow(func, set()) for name, func in SAMPLES.items()}
    assert found == {"helper": True, "through": True, "inside": True, "nested": True,
                     "plain": False}


def test_a_copied_batch_keeps_times_and_snakemakes_records(tmp_path):
    src = tmp_path / "src"
    (src / "results" / "alpha").mkdir(parents=True)
    (src / ".snakemake" / "metadata").mkdir(parents=True)
    out = src / "results" / "alpha" / "long.mp4"
    out.write_bytes(b"video")
    (src / ".snakemake" / "metadata" / "record").write_text("{}")
    os.utime(out, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    dst = copy_batch(src, tmp_path / "dst")
    copied = dst / "results" / "alpha" / "long.mp4"
    assert copied.read_bytes() == b"video"
    assert copied.stat().st_mtime_ns == out.stat().st_mtime_ns
    assert (dst / ".snakemake" / "metadata" / "record").exists()
    copied.write_bytes(b"changed")
    assert out.read_bytes() == b"video", "the copy is not a link to the original"
