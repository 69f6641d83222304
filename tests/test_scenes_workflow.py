"""The default background order through the real CLI: without a Pexels key (and no local
folder) a drama's videos show its own scenes, mapped from the transcript through the script."""

from __future__ import annotations

import json

import pytest

from dramabatch.footage.background import FootagePlan
from dramabatch_testkit.media import check_video
from dramabatch_testkit.runner import TINY_CONFIG, snakemake, write_manifest


@pytest.mark.slow
def test_default_order_puts_the_dramas_own_scenes_under_its_narration(tmp_path, speech_video):
    manifest = write_manifest(tmp_path / "manifest.tsv", [("alpha", str(speech_video))])
    config = TINY_CONFIG.format(manifest=manifest).replace("background:\n  order: [generated]\n",
                                                           "")
    assert "background" not in config  # the schema's default order applies
    (tmp_path / "config.yaml").write_text(config)
    proc = snakemake(tmp_path, "--cores", "2", env={"PEXELS_API_KEY": ""})
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    res = tmp_path / "results" / "alpha"
    script = json.loads((res / "script.json").read_text(encoding="utf-8"))
    assert all("source_start" in s for s in script["segments"])
    timeline = json.loads((res / "narration.json").read_text(encoding="utf-8"))
    for orientation in ("landscape", "portrait"):
        plan = FootagePlan.load(res / "background" / f"{orientation}.json")
        assert plan.step == "scenes", plan.reasons
        assert plan.reasons[0].startswith("pexels:") and plan.reasons[1].startswith("local:")
        assert {s["origin"] for s in plan.spans} == {"transcript"}
        assert len(plan.spans) == len({s["sentence"] for s in timeline["segments"]})
        assert any(r.startswith("subtitle band") or "subtitles detected" in r
                   for r in plan.reasons), plan.reasons
    assert plan.crop["mode"] in ("faces", "centre")  # a 16:9 source under a 9:16 short
    check_video(res / "long.mp4", 160, 90, timeline["duration"])
    shorts = json.loads((res / "shorts" / "plan.json").read_text())["shorts"]
    check_video(res / "shorts" / "short_01.mp4", 90, 160, shorts[0]["duration"])
