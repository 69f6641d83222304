"""The workflow on a real single-node Slurm cluster through `--profile profiles/slurm`.

tests/slurm/start_cluster.sh starts munged, slurmctld and slurmd on 127.0.0.1 (installing Debian's
slurm-wlm and munge first where they are missing); every job goes through real sbatch. The run's
outputs are then compared with a local `--cores 2` run of the same batch. The cluster tests are
marked `slurm` (left out of `make test`, run by `make test-slurm`, which installs the `slurm`
extra); the profile-key check at the top is cheap and runs everywhere.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import yaml

from dramabatch.base.media import decode_check, probe
from dramabatch.workflow.smk.sizing import UNKNOWN_MINUTES, media_minutes
from dramabatch.workflow.smk.sizing import mem_mb as sized_mem_mb
from dramabatch_testkit.runner import REPO, TINY_CONFIG, snakemake, write_manifest

SLURM_DIR = REPO / "tests" / "slurm"
DEFAULT_PROFILE = REPO / "profiles" / "default" / "config.yaml"
SLURM_PROFILE = REPO / "profiles" / "slurm" / "config.yaml"
RUN_TIMEOUT = 900  # seconds for the whole Slurm run: it fails instead of hanging
CPUS, MEM_MB = 2, 6000  # the test node; jobs asking for more would stay PENDING for ever

#: Rules that must run on the submitting node (they need the internet), never as Slurm jobs.
MUST_BE_LOCAL = {"fetch_source"}
#: Ten dramas (issue 14), alternating the two spoken sources.
DRAMAS = [f"d{i:02d}" for i in range(10)]


# --------------------------------------------------------------------------- profiles (cheap)
def test_workflow_profile_shadows_nothing_in_the_slurm_profile():
    """profiles/default is loaded under every --profile and wins key by key: no key in both."""
    local = yaml.safe_load(DEFAULT_PROFILE.read_text())
    slurm = yaml.safe_load(SLURM_PROFILE.read_text())
    assert "executor" not in local, "the default profile must keep `snakemake --cores 1` local"
    assert slurm["executor"] == "slurm"
    assert not set(local) & set(slurm), f"shadowed keys: {sorted(set(local) & set(slurm))}"
    assert slurm["slurm-status-command"] == "squeue"


@pytest.mark.slurm  # needs the executor plugin (the `slurm` extra), not the cluster
def test_slurm_profile_resources_reach_the_jobs(tmp_path, speech_video):
    """The profile's set-threads/set-resources apply on top of the rules' own resources."""
    wd = _batch(tmp_path, [("alpha", speech_video)])
    proc = snakemake(wd, "-n", "--profile", str(SLURM_PROFILE.parent), "--max-threads", "2",
                     timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert "Using profiles" in out and "profiles/slurm" in out
    block = out.split("rule transcribe:")[1].split("\n\n")[0]
    assert "threads: 2" in block  # profile asks 4, --max-threads caps it for this node
    # from the rule, sized by the drama (workflow.smk.sizing): a dry run has fetched nothing, so
    # the source's length is unknown and the long-drama figure is asked
    assert re.search(rf"\bmem_mb={sized_mem_mb('transcribe', UNKNOWN_MINUTES)}\b", block), block
    assert re.search(r"\bruntime=60\b", block)  # from the profile (60 * attempt)


# --------------------------------------------------------------------------- the cluster
def _batch(wd: Path, rows: list[tuple[str, Path]]) -> Path:
    wd.mkdir(parents=True, exist_ok=True)
    manifest = write_manifest(wd / "manifest.tsv", [(i, str(p)) for i, p in rows])
    (wd / "config.yaml").write_text(TINY_CONFIG.format(manifest=manifest))
    return wd


def _daemon_pids(cluster_dir: Path) -> dict[str, int]:
    pids = {}
    path = cluster_dir / "pids"
    if path.exists():
        for line in path.read_text().splitlines():
            name, pid = line.split()
            pids[name] = int(pid)
    return pids


def _alive(pid: int) -> bool:
    """Running (a zombie left for an init that does not reap counts as ended)."""
    try:
        os.kill(pid, 0)
        status = Path(f"/proc/{pid}/status").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return "\nState:\tZ" not in status


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory, request):
    """A running private cluster: {'dir': Path, 'env': {SLURM_CONF: ...}}. Stopped by PID after."""
    cluster_dir = tmp_path_factory.mktemp("slurm")
    started: dict[str, int] = {}

    def stop():
        started.update(_daemon_pids(cluster_dir))
        subprocess.run([str(SLURM_DIR / "stop_cluster.sh"), str(cluster_dir)], timeout=120)
        for pid in started.values():  # the script's fallback, in case it failed itself
            if _alive(pid):
                os.kill(pid, 9)
        left = [name for name, pid in started.items() if _alive(pid)]
        assert not left, f"daemons still running: {left}"

    request.addfinalizer(stop)  # before starting, so a half-started cluster is stopped too
    try:
        proc = subprocess.run([str(SLURM_DIR / "start_cluster.sh"), str(cluster_dir),
                               str(CPUS), str(MEM_MB)],
                              capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        pytest.fail("start_cluster.sh took over 900 s")
    started.update(_daemon_pids(cluster_dir))
    if proc.returncode == 77:
        pytest.skip(proc.stderr.strip().splitlines()[-1])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert set(started) == {"munged", "slurmctld", "slurmd"}
    return {"dir": cluster_dir, "env": {"SLURM_CONF": str(cluster_dir / "slurm.conf")}}


def _squeue_jobs(env: dict) -> list[dict]:
    """Every job the cluster still remembers (MinJobAge keeps finished ones), with its rule."""
    out = subprocess.run(["squeue", "--states=all", "--noheader", "--format=%i|%T|%k|%C|%m"],
                         capture_output=True, text=True, check=True, timeout=30,
                         env={**os.environ, **env}).stdout
    jobs = []
    for line in out.splitlines():
        jobid, state, comment, cpus, mem = line.split("|")
        # rule_<rule>_wildcards_<values joined by _> (first value: the drama id, which has no
        # _ in this test), or rule_<group> for a group job (the plugin names no wildcards then)
        rule = re.match(r"rule_(\w+?)(?:_wildcards_([^_]+)|$)", comment)
        jobs.append({"id": int(jobid), "state": state, "rule": rule and rule.group(1),
                     "drama": rule and rule.group(2), "cpus": int(cpus), "mem": mem})
    return sorted(jobs, key=lambda j: j["id"])


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, tmp_path_factory, speech_video, speech_video_b):
    """The ten-drama batch through --profile profiles/slurm; returns (workdir, proc, jobs)."""
    wd = _batch(tmp_path_factory.mktemp("on-slurm"), _rows(speech_video, speech_video_b))
    env = slurm_cluster["env"]
    proc = snakemake(
        wd, "--profile", str(SLURM_PROFILE.parent),
        "--max-threads", str(CPUS),                       # this node has 2 CPUs
        "--slurm-init-seconds-before-status-checks", "3",  # poll often: a test, not a real queue
        timeout=RUN_TIMEOUT, env=env)
    jobs = _squeue_jobs(env)
    (wd / "slurm_jobs.json").write_text(json.dumps(jobs, indent=1))
    print(f"\nSlurm jobs submitted: {len(jobs)}; states: "
          f"{ {s: sum(j['state'] == s for j in jobs) for s in {j['state'] for j in jobs}} }")
    for j in jobs:
        print(f"  {j['id']:>4} {j['state']:<10} {j['rule']:<14} cpus={j['cpus']} mem={j['mem']}")
    return wd, proc, jobs


def _rows(a: Path, b: Path) -> list[tuple[str, Path]]:
    return [(d, a if i % 2 == 0 else b) for i, d in enumerate(DRAMAS)]


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, speech_video, speech_video_b):
    wd = _batch(tmp_path_factory.mktemp("local"), _rows(speech_video, speech_video_b))
    proc = snakemake(wd, "--cores", "2", timeout=RUN_TIMEOUT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return wd


def _job_counts(log: str) -> tuple[Counter, Counter]:
    """Snakemake's job headers: ``rule X:`` / ``checkpoint X:`` (submitted jobs) and the same
    prefixed with ``local`` (run locally)."""
    remote, local = Counter(), Counter()
    for kind, rule in re.findall(r"^(local)?(?:rule|checkpoint) (\w+):$", log, re.M):
        (local if kind else remote)[rule] += 1
    local.pop("all", None)
    return remote, local


@pytest.mark.slurm
def test_every_job_ran_as_a_completed_slurm_job(slurm_run, local_run, speech_video,
                                                 speech_video_b):
    wd, proc, jobs = slurm_run
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    submitted = set(map(int, re.findall(r"submitted with SLURM jobid (\d+)", log)))
    assert submitted, "snakemake submitted nothing to Slurm"
    assert submitted == {j["id"] for j in jobs}, "squeue and snakemake disagree on the jobs"
    assert all(j["state"] == "COMPLETED" for j in jobs), [j for j in jobs if
                                                         j["state"] != "COMPLETED"]
    _, ran_locally = _job_counts(log)
    assert MUST_BE_LOCAL <= set(ran_locally), "downloads must run on the submitting node"
    # Submissions per drama: one group job for its speech stages, one for its long video (which
    # makes its footage plan), one for its shorts' footage plan, one per short, one for the
    # checks of its finished videos (qc); everything else
    # of the drama runs on the submitting node. Counted from the cluster's own records, against
    # each drama's own plan. The plugin names a group job <group>_<its rules> and gives it no
    # wildcards, so group jobs are counted for the batch: one per drama.
    for drama in DRAMAS:
        mine = Counter(j["rule"] for j in jobs if j["drama"] == drama)
        shorts = len(json.loads((wd / f"results/{drama}/shorts/plan.json").read_text())["shorts"])
        assert mine == Counter({"render_long": 1, "background": 1, "render_short": shorts,
                                "qc": 1}), (
            drama, mine)
    batch_wide = Counter(j["rule"] for j in jobs if j["drama"] is None)
    assert batch_wide == Counter({"speech_narrate_transcribe": len(DRAMAS), "package": 1}), (
        batch_wide)
    print(f"Slurm submissions: {len(jobs)} for {len(DRAMAS)} dramas "
          f"({(len(jobs) - 1) / len(DRAMAS):.1f} per drama, the package job aside)")
    # The same workflow run locally does every job; here, each of the speech group's stages ran
    # inside its group's Slurm job, on the node: none of them ran on the submitting node.
    local_log = "\n".join(p.read_text() for p in (local_run / ".snakemake/log").glob("*.log"))
    everything = sum(_job_counts(local_log), Counter())
    for rule in ("transcribe", "narrate"):
        assert everything[rule] == len(DRAMAS) and rule not in ran_locally, rule
    # The rules' resources became the allocation: 2 threads capped to the node, memory by rule
    # sized by each drama's fetched source (the speech group takes the most any of its stages
    # asks for: narrate, sized before its transcript exists by the source's length)
    speech_mem = {f"{max(sized_mem_mb(rule, media_minutes(video)) for rule in stages)}M"
                  for video in (speech_video, speech_video_b)
                  for stages in [("transcribe", "narrate")]}
    for j in jobs:
        if j["rule"] in ("speech_narrate_transcribe", "render_long", "render_short"):
            assert j["cpus"] == CPUS, j
        if j["rule"].startswith("speech_"):
            assert j["mem"] in speech_mem, (j, speech_mem)


def _files(root: Path) -> set[str]:
    skip = ("logs/", "benchmarks/")
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and not str(p.relative_to(root)).startswith(skip)
            and not p.name.startswith(".")}


def _srt_text(path: Path) -> list[str]:
    blocks = path.read_text(encoding="utf-8").strip().split("\n\n")
    return [" ".join(b.splitlines()[2:]) for b in blocks]


@pytest.mark.slurm
def test_slurm_outputs_match_a_local_run(slurm_run, local_run):
    wd, proc, _ = slurm_run
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    on_slurm, local = wd / "results", local_run / "results"
    assert _files(on_slurm) == _files(local)
    for rel in sorted(_files(on_slurm)):
        a, b = on_slurm / rel, local / rel
        assert a.stat().st_size > 0, rel
        if rel.endswith(".mp4") and "/background/" not in rel:
            pa, pb = probe(a), probe(b)
            assert (pa.width, pa.height) == (pb.width, pb.height), rel
            # TTS is not bit-reproducible between runs, so lengths agree loosely with the local
            # run and exactly with this run's own narration (below).
            assert abs(pa.duration - pb.duration) < 0.1 * pb.duration, rel
        elif rel.endswith(".json") and rel != "run_summary.json":
            ja, jb = json.loads(a.read_text()), json.loads(b.read_text())
            assert type(ja) is type(jb), rel
            if isinstance(ja, dict):
                assert set(ja) == set(jb), rel
    for drama in DRAMAS:
        # Same input, same models: the transcript and the narration script come out the same.
        for name in ("transcript.json", "script.json"):
            ta = json.loads((on_slurm / drama / name).read_text())
            tb = json.loads((local / drama / name).read_text())
            assert ta.get("segments") == tb.get("segments"), f"{drama}/{name}"
        timeline = json.loads((on_slurm / drama / "narration.json").read_text())
        assert abs(probe(on_slurm / drama / "long.mp4").duration - timeline["duration"]) < 0.1
        decoded = decode_check(on_slurm / drama / "long.mp4")
        assert abs(decoded["video"] - decoded["audio"]) < 0.12
        # Same cues with the same words; timings may move by a few hundredths (TTS runs apart).
        assert _srt_text(on_slurm / drama / f"{drama}.srt") == \
            _srt_text(local / drama / f"{drama}.srt")
    with zipfile.ZipFile(on_slurm / "dramas_completos.zip") as za, \
            zipfile.ZipFile(local / "dramas_completos.zip") as zb:
        assert za.testzip() is None
        assert set(za.namelist()) == set(zb.namelist())


@pytest.mark.slurm
def test_second_slurm_run_submits_nothing(slurm_run, slurm_cluster):
    wd, first, jobs = slurm_run
    assert first.returncode == 0
    proc = snakemake(wd, "--profile", str(SLURM_PROFILE.parent), "--max-threads", str(CPUS),
                     timeout=300, env=slurm_cluster["env"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Nothing to be done" in proc.stdout + proc.stderr
    # no job beyond the first run's (slurmctld forgets finished jobs after MinJobAge, so on a
    # slow machine the first ones may be gone: compare ids, not counts)
    now = {j["id"] for j in _squeue_jobs(slurm_cluster["env"])}
    assert now <= {j["id"] for j in jobs}, sorted(now - {j["id"] for j in jobs})
