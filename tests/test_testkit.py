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


def test_run_cli_answers_as_the_snakemake_script_does(tmp_path, monkeypatch):
    """run_cli forks Snakemake's own main from a server that imported it once: the same exit
    status, output and files as the script, in the caller's directory and environment, and a
    run past its timeout is killed and raises as subprocess.run does."""
    import subprocess

    import pytest

    from dramabatch_testkit.runner import SNAKEMAKE, run_cli

    snakefile = tmp_path / "Snakefile"
    snakefile.write_text(
        'import os\nprint("probe", os.environ.get("RUN_CLI_PROBE"), os.getcwd())\n'
        'rule all:\n    output: "made.txt"\n    shell: "echo $RUN_CLI_PROBE > {output}"\n'
        'rule slow:\n    shell: "sleep 30"\n')
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "RUN_CLI_PROBE": "from-the-caller"}
    cmd = [SNAKEMAKE, "-s", str(snakefile), "--cores", "1"]
    forked = run_cli(cmd, env=env)
    assert forked.returncode == 0, forked.stderr[-2000:]
    assert f"probe from-the-caller {tmp_path}" in forked.stdout
    assert (tmp_path / "made.txt").read_text() == "from-the-caller\n"
    (tmp_path / "made.txt").unlink()
    script = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert script.returncode == 0 and script.stdout == forked.stdout
    assert (tmp_path / "made.txt").read_text() == "from-the-caller\n"

    bad = [SNAKEMAKE, "-s", str(snakefile), "--no-such-option"]
    forked, script = run_cli(bad), subprocess.run(bad, capture_output=True, text=True)
    assert forked.returncode == script.returncode != 0
    # the usage text lists sets, whose order differs between processes: the error line does not
    last = forked.stderr.strip().splitlines()[-1]
    assert last == script.stderr.strip().splitlines()[-1] and "--no-such-option" in last

    with pytest.raises(subprocess.TimeoutExpired):
        run_cli([SNAKEMAKE, "-s", str(snakefile), "--cores", "1", "slow"], timeout=3)
