"""The run summary and the batch report put the dramas that need a look first (qc.json)."""

import json

from dramabatch.workflow.batch.summary import format_summary, report_category, summarise


def write_qc(out, drama, verdict, failed=(), warnings=()):
    (out / drama).mkdir(parents=True)
    (out / drama / "qc.json").write_text(json.dumps(
        {"verdict": verdict, "failed": list(failed), "warnings": list(warnings), "seconds": 1.0,
         "videos": {}}))


def finish(archives, drama):
    archives.mkdir(exist_ok=True)
    (archives / f"{drama}.zip").write_bytes(b"PK")


def test_review_order_and_report_categories_put_the_worst_first(tmp_path):
    out, archives = tmp_path / "results", tmp_path / "results/_archives"
    write_qc(out, "calm", "ok")
    write_qc(out, "noisy", "warn", warnings=["long.mp4: loudness_off_lu 3 > 2 (warn)",
                                             "short_01.mp4: black_share 0.05 > 0.02 (warn)"])
    write_qc(out, "mild", "warn", warnings=["long.mp4: true_peak_over_db 1.5 > 1 (warn)"])
    write_qc(out, "broken", "fail", failed=["long.mp4: black_share 0.4 > 0.1 (fail)"])
    for drama in ("calm", "noisy", "mild"):
        finish(archives, drama)
    (out / "logs/broken").mkdir(parents=True)
    (out / "logs/broken/finish.log").write_text(
        "ERROR FAILED drama 'broken', stage qc: finished video failed its checks: "
        "long.mp4: black_share 0.4 > 0.1 (fail)\n")
    ids = ["calm", "noisy", "mild", "broken"]
    summary = summarise(out, ids, out / "batch.zip", archives)
    assert summary["review"] == ["broken", "noisy", "mild", "calm"]
    saved = json.loads((out / "run_summary.json").read_text())
    assert saved["review"] == summary["review"]
    assert next(d for d in saved["dramas"] if d["id"] == "noisy")["qc"]["verdict"] == "warn"
    text = format_summary(summary)
    assert "FAILED  broken  at qc: finished video failed its checks: long.mp4: black_share" in text
    lines = [line for line in text.splitlines() if "QC WARN" in line]
    assert lines == ["  QC WARN  noisy: long.mp4: loudness_off_lu 3 > 2 (warn) (+1 more in "
                     "qc.json)", "  QC WARN  mild: long.mp4: true_peak_over_db 1.5 > 1 (warn)"]
    categories = [report_category(out, d) for d in ids + ["unchecked"]]
    assert sorted(categories) == [report_category(out, d) for d in
                                  ["broken", "noisy", "mild", "calm", "unchecked"]]
    assert report_category(out, "noisy") == "17 noisy (warn, 2 check(s))"
