"""Jobs ask for memory and time by the drama's length, read from what they are given."""

import json
import re

from conftest import prepare_batch, snakemake

from dramabatch.base.media import probe
from dramabatch.workflow.smk import sizing


def test_the_ask_grows_with_the_length_and_attempt():
    for rule, size in sizing.SIZING.items():
        assert size.mem_mb(60) >= size.mem_mb(2), rule
        assert size.runtime(60) > size.runtime(2), rule
        assert size.mem_mb(10, attempt=2) == 2 * size.mem_mb(10), rule
    # the measured peaks the figures come from fit under what is asked: transcribe 571 MB at
    # 16.6 min on one drama; benchmarks/length.py's drama peaked at 991 MB at 15 min in one
    # pass (10 min is the most one window holds now: ~770 MB on that line), 994 MB at 60 min
    assert sizing.mem_mb("transcribe", 16.6) > 571
    assert sizing.mem_mb("transcribe", 10) > 991 - 5 * 45 and sizing.mem_mb("transcribe", 60) > 994
    # windows keep the ask under 2 GB for the hour the one pass would have needed 3 GB for
    assert sizing.mem_mb("transcribe", 60) < 2000
    # narrate voicing every segment: 866 MB at 2 min (in the job), 1,033 MB at 15 (children),
    # 1,051 MB at 60; flat, so the hour no longer asks 1,800 + 12 MB a minute (2.5 GB)
    assert sizing.mem_mb("narrate", 2) > 1.3 * 866 and sizing.mem_mb("narrate", 15) > 1.3 * 1033
    assert 1.3 * 1051 < sizing.mem_mb("narrate", 60) < 1.5 * 1051
    # render_long since the captions have a graph of their own (render/loopback.py): 437 MB at
    # 1.8 min of narration, 492 MB at 63.4 min, 485 MB over a 1080p source; it asked 4,154 MB
    # for the hour when a held frame could take it to 5.4 GB
    assert 1.3 * 492 < sizing.mem_mb("render_long", 63.4) < 2 * 492
    assert sizing.mem_mb("render_long", 1.8) > 1.3 * 485
    # background 431 MB at the hour (its batches of seeks); qc decoded the hour in 6.4 minutes
    assert sizing.mem_mb("background", 63.4) > 1.3 * 431
    assert sizing.runtime("qc", 63.4) > 1.3 * 6.4 and sizing.mem_mb("qc", 63.4) > 1.3 * 165


def test_minutes_come_from_the_file_and_unknown_is_taken_as_long(tmp_path, speech_video):
    plan = tmp_path / "narration.json"
    plan.write_text(json.dumps({"duration": 150.0, "segments": []}))
    assert sizing.json_minutes(plan) == 2.5
    transcript = tmp_path / "transcript.json"
    transcript.write_text(json.dumps({"segments": [{"end": 30.0}, {"end": 90.0}]}))
    assert sizing.json_minutes(transcript) == 1.5
    assert sizing.media_minutes(speech_video) == probe(speech_video).duration / 60
    assert sizing.json_minutes(tmp_path / "missing.json") == sizing.UNKNOWN_MINUTES
    assert sizing.media_minutes(tmp_path / "missing.mp4") == sizing.UNKNOWN_MINUTES


def test_transcribe_asks_by_the_sources_probed_length(tmp_path, speech_video):
    wd = prepare_batch(tmp_path, [("alpha", str(speech_video))])
    fetched = snakemake(wd, "--cores", "1", "results/alpha/source.media")
    assert fetched.returncode == 0, fetched.stderr[-2000:]
    proc = snakemake(wd, "-n", "--cores", "1", "results/alpha/transcript.json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    minutes = probe(wd / "results" / "alpha" / "source.media").duration / 60
    asked = re.findall(r"mem_mb=(\d+)", proc.stdout + proc.stderr)
    assert asked == [str(sizing.mem_mb("transcribe", minutes))], proc.stdout[-2000:]
    runtime = re.findall(r"runtime=(\d+)", proc.stdout + proc.stderr)
    assert runtime == [str(sizing.runtime("transcribe", minutes))]
