"""API keys as a Windows ``.env`` gives them (a trailing ``\\r`` or ``\\n``, a leading space)
never reach a file the run writes nor its console, and a malformed key stops the run at once.

Sent unstripped, ``requests`` refused the header with an error quoting the value's ``repr``
(``\\r`` as two characters), which the old scrubber (raw value only) let through: the chat key
landed in run_summary.json, logs/<id>/rewrite.log and the console, the Pexels key in both
pexels_search logs, under a failure line reading ``FAILED drama 'None'``.
"""

from __future__ import annotations

import json
import logging
import types
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import TINY_CONFIG, snakemake, write_manifest
from test_pexels_workflow import PEXELS_CONFIG

from dramabatch.base.errors import ConfigError
from dramabatch.base.secrets import check_keys, scrub
from dramabatch.workflow.smk.job import run_step
from dramabatch_testkit.pexels_server import FakePexels
from dramabatch_testkit.recap_server import KEY as CHAT_KEY
from dramabatch_testkit.recap_server import RecapServer

PEXELS_KEY = "sk-LIVE-9c4d2e7f1a"
NARRATION = "A keeper climbs the stairs each night and watches the boats come home."


def _files_holding(root: Path, secrets: list[str]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 20_000_000:
            data = path.read_bytes()
            found += [f"{path}: {s!r}" for s in secrets if s.encode() in data]
    return found


def test_keys_with_stray_whitespace_never_reach_a_file_or_the_console(tmp_path, speech_video,
                                                                      monkeypatch):
    monkeypatch.delenv("PEXELS_API_KEY", raising=False)
    clips = [Path(speech_video)]
    chat = RecapServer(lambda body, before: NARRATION).start()
    try:
        with FakePexels(key=PEXELS_KEY, clips=clips) as pexels:
            pexels.add_query("city night", 2, first_id=100)
            manifest = write_manifest(tmp_path / "manifest.tsv", [("solo", str(speech_video))])
            config = TINY_CONFIG.format(manifest=manifest).replace(
                "order: [generated]", "order: [pexels, generated]")
            config += PEXELS_CONFIG.format(url=pexels.url)
            config += (f"rewrite:\n  enabled: true\n  base_url: {chat.url}\n  model: fake\n"
                       "  api_key_env: CHAT_KEY\n  timeout_s: 5\n")
            (tmp_path / "config.yaml").write_text(config)
            env = {"PEXELS_API_KEY": f" {PEXELS_KEY}\r\n", "CHAT_KEY": f"  {CHAT_KEY}\r"}
            proc = snakemake(tmp_path, "--cores", "2", "results/solo/long.mp4", env=env)
            searches = pexels.searches()
    finally:
        chat.stop()
    console = proc.stdout + proc.stderr
    # the stripped keys work: the endpoints accepted them, so the rewrite and the search ran
    assert proc.returncode == 0, console[-4000:]
    assert chat.seen and all(s["auth"] == f"Bearer {CHAT_KEY}" for s in chat.seen)
    assert searches, "the Pexels search was never sent"
    script = json.loads((tmp_path / "results/solo/script.json").read_text(encoding="utf-8"))
    assert script["origin"] == "rewrite:fake"
    # every spelling holds the bare key (its characters need no escaping, URL-encoded either)
    secrets = [PEXELS_KEY, CHAT_KEY]
    assert not _files_holding(tmp_path / "results", secrets)
    assert not _files_holding(tmp_path / ".snakemake", secrets)
    assert not [s for s in secrets if s in console]
    assert "None" not in " ".join(line for line in console.splitlines() if "FAILED" in line)


def test_a_malformed_key_stops_the_run_before_any_job_naming_the_variable(tmp_path,
                                                                          speech_video):
    manifest = write_manifest(tmp_path / "manifest.tsv", [("solo", str(speech_video))])
    config = TINY_CONFIG.format(manifest=manifest).replace(
        "order: [generated]", "order: [pexels, generated]")
    (tmp_path / "config.yaml").write_text(config)
    bad = "sk-LIVE 9c4d2e7f1a"
    proc = snakemake(tmp_path, "-n", "--cores", "1", env={"PEXELS_API_KEY": f"{bad}\r\n"})
    console = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "environment variable PEXELS_API_KEY holds a malformed API key" in console, console
    assert "U+0020" in console and "9c4d2e7f1a" not in console
    assert not (tmp_path / "results").exists()


def test_check_keys_strips_each_key_in_place(monkeypatch):
    monkeypatch.setenv("A_KEY", " abc-123\r\n")
    monkeypatch.setenv("B_KEY", "abc\t123")
    check_keys(["A_KEY", "UNSET_KEY_XYZ"])
    import os
    assert os.environ["A_KEY"] == "abc-123"
    with pytest.raises(ConfigError) as err:
        check_keys(["B_KEY"])
    assert "B_KEY" in str(err.value) and "abc" not in str(err.value)


@pytest.mark.parametrize("show", [str, repr, lambda k: quote(k, safe=""), json.dumps,
                                  lambda k: f"Bearer {k!r}"])
def test_scrub_masks_every_spelling(show):
    raw = " sk/LIVE+9c=4d\r\n"
    for key in (raw, raw.strip()):
        text = f"header value {show(key)} refused"
        out = scrub(text, raw)
        assert "9c" not in out and "LIVE" not in out and "***" in out, out


def test_a_batch_wide_job_failure_names_the_job_not_a_drama(tmp_path, caplog):
    """pexels_search has no drama wildcard: its failure line once read FAILED drama 'None'."""
    log = tmp_path / "search.log"
    job = types.SimpleNamespace(wildcards={"query": "city-night", "orientation": "landscape"},
                                log=[str(log)])

    def broken():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        run_step(job, "pexels_search ('city-night', landscape)", broken)
    logging.shutdown()
    text = log.read_text(encoding="utf-8")
    assert "FAILED batch-wide job pexels_search ('city-night', landscape): unexpected " \
           "ValueError: boom" in text
    assert "None" not in text.splitlines()[0]


def test_the_run_summary_names_a_failed_batch_wide_job(tmp_path):
    from dramabatch.workflow.batch.summary import format_summary, summarise

    lib = tmp_path / "logs" / "_library"
    lib.mkdir(parents=True)
    (lib / "pexels_search_city-night_landscape.log").write_text(
        "2026 ERROR dramabatch: FAILED batch-wide job pexels_search ('city-night', landscape): "
        "Pexels search could not be sent (InvalidHeader: ***)\n", encoding="utf-8")
    (lib / "pexels_clip_ok.log").write_text("2026 INFO all good\n", encoding="utf-8")
    summary = summarise(tmp_path, ["solo"], tmp_path / "all.zip", tmp_path / "_archives")
    assert summary["batch_jobs_failed"] == [{
        "job": "pexels_search ('city-night', landscape)",
        "cause": "Pexels search could not be sent (InvalidHeader: ***)",
        "log": str(lib / "pexels_search_city-night_landscape.log")}]
    text = format_summary(summary)
    assert "FAILED  batch-wide job pexels_search ('city-night', landscape): Pexels" in text
    assert "None" not in text
