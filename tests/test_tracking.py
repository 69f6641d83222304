"""Rebuild exactly what changed: tracked params per rule and drama, stage code versions, and the
whole config matrix dry-run on a finished batch through the real CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dramabatch.workflow.rerun.tracks import (
    CHECKS,
    OPERATIONAL,
    STAGE_VERSIONS,
    STRUCTURAL,
    TRACKS,
    Subject,
    tracked,
)
from dramabatch_testkit.runner import REPO, SNAKEMAKE, TINY_CONFIG, run_cli, write_manifest

sys.path.insert(0, str(REPO / "tools"))
from stage_code import RECORD, code_hash, current  # noqa: E402


def default_config() -> dict:
    from snakemake.utils import validate

    cfg = {"manifest": "m.tsv"}
    validate(cfg, str(REPO / "config" / "schema.yaml"))
    return cfg


def schema_keys() -> set[str]:
    sys.path.insert(0, str(REPO / "tools"))
    from config_reference import rows

    schema = yaml.safe_load((REPO / "config" / "schema.yaml").read_text(encoding="utf-8"))
    # audio.ducking is one setting (a compressor) to the workflow, four keys to the schema
    return {re.sub(r"^audio\.ducking\..*", "audio.ducking", name) for name, *_ in rows(schema)}


# ------------------------------------------------------------------ the tracking table itself
def test_every_config_key_is_classified_once():
    tracked_keys = {t.key for t in TRACKS}
    groups = [tracked_keys, set(OPERATIONAL), set(CHECKS), set(STRUCTURAL)]
    assert set().union(*groups) == schema_keys()
    assert sum(len(g) for g in groups) == len(schema_keys()), "a key is in two groups"


def test_operational_settings_reach_no_rules_params():
    cfg = default_config()
    cfg["rewrite"]["enabled"] = True
    cfg["audio"]["music"] = "music.mp3"
    flat = json.dumps([tracked(rule, cfg, Subject(language=""), o)
                       for rule in STAGE_VERSIONS for o in ("landscape", "portrait")])
    for key in OPERATIONAL + CHECKS:
        assert f'"{key.split(".")[-1]}"' not in flat, key


def test_a_dramas_voice_params_hold_only_its_own_language():
    cfg = default_config()
    es = tracked("narrate", cfg, Subject(language="es-MX"))
    cfg["tts"]["voices"]["fr"] = "espeak-ng"
    assert tracked("narrate", cfg, Subject(language="es-MX")) == es  # French added: no change
    assert es["tts"]["voices"] == {"es": ["kokoro", "edge-tts", "gtts", "espeak-ng"]}
    assert "engine" not in es["tts"] and "espeak_rate" in es["tts"]  # espeak-ng may speak it
    assert "kokoro_voice" in es["tts"] and "revoice_wer" in es["tts"]
    en = tracked("narrate", cfg, Subject(language="en"))
    assert en["tts"]["voices"] == {} and en["tts"]["engine"] == "piper"
    assert "espeak_rate" not in en["tts"] and "voice" in en["tts"]  # Piper alone speaks English
    assert "kokoro_voice" not in en["tts"]
    auto = tracked("narrate", cfg, Subject(language=""))  # known only after transcription
    assert set(auto["tts"]["voices"]) == {"es", "fr"}


def test_conditional_keys_are_tracked_only_when_they_apply():
    cfg = default_config()
    # no music, no original audio: neither the volume nor the ducking matters
    assert tracked("render_long", cfg, Subject())["audio"] == {"original_audio": False}
    cfg["audio"]["music"] = "m.mp3"
    assert set(tracked("render_long", cfg, Subject())["audio"]) == {
        "music_volume", "original_audio", "ducking"}
    assert set(tracked("narrate", cfg, Subject())["rewrite"]) == {"enabled"}
    assert "rewrite" not in tracked("rewrite", cfg, Subject())
    cfg["rewrite"]["enabled"] = True
    assert "temperature" in tracked("rewrite", cfg, Subject())["rewrite"]
    assert "temperature" not in tracked("narrate", cfg, Subject())["rewrite"]
    assert "rewrite" not in tracked("narrate", cfg, Subject(has_override=True))
    # the long video's footage plan is tracked by render_long, the shorts' by background
    landscape = tracked("render_long", cfg, Subject())["footage"]
    assert "long" in landscape["render"] and "short" not in landscape["render"]
    assert landscape["version"] == STAGE_VERSIONS["background"]
    portrait = tracked("background", cfg, Subject(), "landscape")  # the rule fixes portrait
    assert "short" in portrait["render"] and "long" not in portrait["render"]


# ------------------------------------------------------------------ code versions
def test_stage_code_matches_its_recorded_version():
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    stale = {s: (recorded.get(s), e) for s, e in current().items() if recorded.get(s) != e}
    assert not stale, (
        f"the code of {sorted(stale)} changed: if what the stage writes changes, bump its "
        f"STAGE_VERSIONS entry in src/dramabatch/workflow/rerun/tracks.py (finished batches redo "
        f"it); if it "
        f"is a refactor, leave the version. Then run tools/stage_code.py --write. {stale}")


def test_code_hash_ignores_comments_and_docstrings_but_not_code(tmp_path):
    a, b, c = tmp_path / "a.py", tmp_path / "b.py", tmp_path / "c.py"
    a.write_text('def f(x):\n    """Doc."""\n    return x + 1\n')
    b.write_text('# a comment\ndef f(x):  # why\n\n    return x + 1  # more\n')
    c.write_text('def f(x):\n    """Doc."""\n    return x + 2\n')
    assert code_hash(a) == code_hash(b) != code_hash(c)


# ------------------------------------------------------------------ the matrix, for real
#: One schema-valid edit per key (differing from the batch config below).
EDITS: dict[str, object] = {
    "transcribe.backend": "openai-whisper", "transcribe.model": "bundled-base",
    "transcribe.device": "cpu", "transcribe.compute_type": "int8", "transcribe.language": "es",
    "transcribe.beam_size": 2, "transcribe.vad_filter": True, "transcribe.word_timestamps": False,
    "transcribe.no_speech_threshold": 0.5, "transcribe.min_speech_s": 0.5,
    "transcribe.language_mismatch_probability": 0.9, "transcribe.max_suspect_share": 0.6,
    "transcribe.level_audio": False, "transcribe.coverage_gap_s": 3.0,
    "transcribe.max_uncovered_share": 0.3,
    "script.sentence_pause_ms": 500, "script.comma_pause_ms": 200,
    "rewrite.enabled": True, "rewrite.base_url": "http://127.0.0.1:9/v1", "rewrite.model": "m",
    "rewrite.api_key_env": "OTHER_KEY", "rewrite.system_prompt": "Be brief.",
    "rewrite.temperature": 0.2, "rewrite.timeout_s": 30, "rewrite.max_tokens": 100,
    "rewrite.mode": "recap", "rewrite.target_share": 0.5, "rewrite.target_minutes": 2,
    "rewrite.language": "es", "rewrite.chars_per_second": 15, "scenes.snap_s": 0.5,
    "tts.engine": "gtts", "tts.fallback": ["espeak-ng"], "tts.voice": "/voices/x.onnx",
    "tts.voices": {"fr": "espeak-ng"}, "tts.espeak_voice": "es-419", "tts.espeak_rate": 150,
    "tts.edge_voice": "es-MX-DaliaNeural", "tts.gtts_tld": "es", "tts.length_scale": 1.1,
    "tts.loudness_lufs": -16, "tts.true_peak_db": -2, "tts.sample_rate": 48000,
    "tts.timeout_s": 10, "tts.kokoro_voice": "male", "tts.kokoro_speed": 1.1,
    "tts.revoice_wer": 0.5,
    "subtitles.max_chars_per_line": 30, "subtitles.max_lines": 1,
    "subtitles.min_cue_s": 1.0, "subtitles.max_cps": {"es": 15},
    "subtitles.short_words_per_cue": 2, "subtitles.align_model": "bundled-base",
    "background.order": ["generated"], "background.local_dir": "/tmp",
    "scenes.min_speed": 0.9, "scenes.max_speed": 1.1, "scenes.subtitle_band": "none",
    "scenes.band": [0.7, 0.9], "scenes.band_cover": "box", "scenes.reframe": False,
    "scenes.max_pan": 0.3,
    "pexels.api_url": "http://127.0.0.1:9", "pexels.default_query": "sea waves",
    "pexels.per_page": 10, "pexels.seconds_per_clip": 4, "pexels.max_clip_mb": 50,
    "pexels.connect_timeout_s": 3, "pexels.read_timeout_s": 10, "pexels.max_retries": 1,
    "pexels.backoff_s": 2, "pexels.max_wait_s": 10, "pexels.min_remaining": 5,
    "render.engine": "moviepy", "render.encoder": "h264_nvenc", "render.preset": "fast",
    "render.crf": 20, "render.fps": 12, "render.long": {"width": 192, "height": 108},
    "render.short": {"width": 108, "height": 192}, "render.style_long": {"size": 0.06},
    "render.style_short": {"size": 0.05}, "render.seconds_per_clip": 3,
    "render.crossfade": 0.5, "render.fit": "bars", "render.max_upscale": 3,
    "audio.music_volume": 0.3, "audio.original_audio": True, "audio.original_volume": 0.3,
    "audio.ducking": {"ratio": 4},
    "shorts.max_count": 1, "shorts.min_seconds": 2, "shorts.max_seconds": 7,
    "shorts.title_seconds": 0.5, "shorts.whole_if_short": False,
    "download.connect_timeout_s": 3, "download.read_timeout_s": 90, "download.max_gb": 1,
    "download.retries": 1, "download.backoff_s": 2, "download.max_backoff_s": 10,
    "download.min_rate_kb_s": 5, "download.min_rate_window_s": 30, "download.deadline_s": 3600,
    "archive_name": "other.zip", "scripts_dir": "other_scripts", "allowed_schemes": ["https"],
    "timelines_dir": "other_timelines", "render.timeline_xml": True, "render.piece_minutes": 2,
    "archive.keep_outputs": False, "archive.keep_sources": False,
    "archive.batch_max_dramas": 0, "disk.check": "refuse", "disk.output_ratio": 1.0,
    "disk.url_source_mb": 50, "pexels.library_max_gb": 1,
    "qc.fade_s": 1.0, "qc.dip_s": 0.5,
    **{f"qc.{k}": {"warn": 0.5, "fail": 0.9} for k in (
        "black_share", "black_longest_s", "frozen_share", "loudness_off_lu", "true_peak_over_db",
        "silent_narration_share", "duration_short_s", "caption_offset_median_s",
        "caption_offset_worst_s", "caption_words_offset_median_s", "reading_speed_share_over")},
}
#: Keys the matrix leaves out: they name the batch itself, or need a file that is not there.
NOT_EDITED = {"manifest", "outdir", "skip", "audio.music"}
#: Structural keys and the jobs they bring in through changed paths (not params).
STRUCTURAL_DIRECT = {"archive_name": {"package"},
                     # qc reads the source only while it is kept (rules/qc.smk: qc_source)
                     "archive.keep_sources": {"qc"}}

#: Which rules consume each rule's outputs (one drama's DAG); "everything after" a job.
DOWNSTREAM = {
    "fetch_source": {"transcribe", "background", "render_long"},
    "transcribe": {"rewrite", "narrate"},
    "rewrite": {"narrate"},
    "narrate": {"plan_shorts", "pexels_pick", "background", "render_long", "render_short",
                "qc", "finish"},
    "pexels_search": {"pexels_pick"},
    "pexels_pick": {"background", "pexels_clip", "render_long"},
    "pexels_clip": {"background", "render_long"},
    "background": {"render_short", "qc", "finish"},
    "plan_shorts": {"render_short", "qc", "finish"},
    "render_long": {"qc", "finish"},
    "render_short": {"qc", "finish"},
    "qc": {"finish"},
    "finish": {"deliver"},
    "deliver": {"package"},
    "package": set(),
}
#: Jobs an edit brings in besides what follows its direct rules: a new query needs its search.
NEW_INPUTS = {"pexels.default_query": {"pexels_search"}, "rewrite.enabled": {"rewrite"}}


def closure(rules: set[str]) -> set[str]:
    seen, todo = set(), list(rules)
    while todo:
        rule = todo.pop()
        if rule not in seen:
            seen.add(rule)
            todo += DOWNSTREAM[rule]
    return seen


def nested(key: str, value: object) -> dict:
    out: dict = {}
    node = out
    *parents, leaf = key.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return out


def planned_jobs(wd: Path, *configfiles: Path) -> set[str]:
    """The rules `snakemake -n` would run (its job-stats table), minus the `all` target."""
    cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(wd), "-n", "--cores", "1",
           "--configfiles", str(wd / "config.yaml"), *map(str, configfiles)]
    proc = run_cli(cmd, timeout=300,
                   env={k: v for k, v in os.environ.items() if k != "PEXELS_API_KEY"})
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-2000:]
    table = re.search(r"^job\s+count\s*\n-+\s+-+\n(.*?)^total", proc.stdout, re.M | re.S)
    if table is None:
        assert "Nothing to be done" in proc.stdout + proc.stderr, proc.stdout[-2000:]
        return set()
    return {line.split()[0] for line in table.group(1).splitlines() if line.strip()} - {"all"}


MATRIX_CONFIG = TINY_CONFIG.replace("  order: [generated]", "  order: [pexels, generated]")


@pytest.fixture(scope="module")
def finished(tmp_path_factory, speech_video) -> Path:
    """One English drama, finished at tiny settings, with Pexels in the order and no key."""
    wd = tmp_path_factory.mktemp("matrix")
    manifest = write_manifest(wd / "manifest.tsv", [("alpha", str(speech_video))])
    (wd / "config.yaml").write_text(MATRIX_CONFIG.format(manifest=manifest))
    cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(wd), "--cores", "2",
           "--configfile", str(wd / "config.yaml")]
    env = {k: v for k, v in os.environ.items() if k != "PEXELS_API_KEY"}
    proc = run_cli(cmd, timeout=900, env=env)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert planned_jobs(wd) == set(), "a finished batch must plan nothing"
    return wd


def expected_direct(key: str, value: object, batch_cfg: dict) -> set[str]:
    """The rules whose tracked params the edit changes (for drama 'alpha', language en)."""
    if key in STRUCTURAL_DIRECT:
        return STRUCTURAL_DIRECT[key]
    cfg = json.loads(json.dumps(batch_cfg))
    edited = json.loads(json.dumps(batch_cfg))
    node = edited
    *parents, leaf = key.split(".")
    for part in parents:
        node = node[part]
    # Snakemake merges a dict from a second config file into the first, key by key.
    node[leaf] = {**node[leaf], **value} if isinstance(value, dict) else value
    subject = Subject(language="en")
    rules = set()
    for rule in STAGE_VERSIONS:
        if rule.startswith("pexels") and "pexels" not in edited["background"]["order"]:
            continue  # no such jobs any more: nothing of them can rerun
        for orientation in ("landscape", "portrait"):
            if tracked(rule, cfg, subject, orientation) != tracked(rule, edited, subject,
                                                                   orientation):
                rules.add(rule)
    return rules


def merged(*edits: dict) -> dict:
    """The edits as one config file: nested dicts merged key by key, as Snakemake merges them."""
    out: dict = {}
    for edit in edits:
        todo = [(out, edit)]
        while todo:
            into, part = todo.pop()
            for k, v in part.items():
                if isinstance(v, dict) and isinstance(into.get(k), dict):
                    todo.append((into[k], v))
                else:
                    into[k] = v
    return out


def plan_all(wd: Path, edits: dict[str, dict]) -> dict[str, set[str] | None]:
    """``planned_jobs`` for each named edit file, as many dry runs at once as there are CPUs
    (each is one CPU-bound Snakemake process); None where Snakemake refused the config."""
    from concurrent.futures import ThreadPoolExecutor

    def one(item: tuple[int, tuple[str, dict]]) -> tuple[str, set[str] | None]:
        index, (name, edit) = item
        path = wd / f"edit_{index}.yaml"
        path.write_text(yaml.safe_dump(edit))
        try:
            return name, planned_jobs(wd, path)
        except AssertionError:
            return name, None

    with ThreadPoolExecutor(max(1, len(os.sched_getaffinity(0)))) as pool:
        return dict(pool.map(one, enumerate(edits.items())))


@pytest.mark.slow
def test_every_config_edit_reruns_exactly_what_it_changes(finished):
    """Each key's edit on its own plans its direct rules and only what follows them. The keys
    that must plan nothing are dry-run together first: nothing planned there means nothing for
    each of them (an edit only adds changed params); else each is dry-run alone, as the rest."""
    assert set(EDITS) | NOT_EDITED == schema_keys()
    from snakemake.utils import validate

    batch_cfg = yaml.safe_load((finished / "config.yaml").read_text())
    validate(batch_cfg, str(REPO / "config" / "schema.yaml"))
    direct = {key: expected_direct(key, value, batch_cfg) for key, value in EDITS.items()}
    quiet = [k for k in EDITS if not direct[k] and not NEW_INPUTS.get(k)]
    assert len(quiet) > 10, "the grouped dry run must hold the operational keys"
    together = plan_all(finished, {"quiet": merged(*(nested(k, EDITS[k]) for k in quiet))})
    alone = [k for k in EDITS if k not in quiet or together["quiet"] != set()]
    ran = {k: set() for k in quiet} | plan_all(finished, {k: nested(k, EDITS[k]) for k in alone})
    problems = []
    for key, value in EDITS.items():
        if ran[key] is None:
            problems.append(f"{key}={value!r}: the dry run failed")
        elif not direct[key] <= ran[key] or not ran[key] <= closure(direct[key]) | NEW_INPUTS.get(
                key, set()):
            problems.append(f"{key}={value!r}: expected {sorted(direct[key])} and what follows, "
                            f"planned {sorted(ran[key])}")
    assert not problems, "\n".join(problems)


#: The issue's table: edit -> rules that must rerun, rules that must not.
ISSUE_ROWS = [
    ("download.read_timeout_s", 90, set(), "everything"),
    ("rewrite.temperature", 0.2, set(), "everything"),
    ("tts.voices", {"fr": "espeak-ng"}, set(), "everything"),
    ("render.style_short", {"size": 0.05}, {"render_short"}, {"render_long"}),
    ("subtitles.short_words_per_cue", 2, {"render_short"}, {"render_long"}),
    ("render.long", {"width": 192, "height": 108}, {"render_long"}, {"render_short"}),
    ("audio.music_volume", 0.3, set(), "everything"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("key", "value", "must", "must_not"), ISSUE_ROWS,
                         ids=[row[0] for row in ISSUE_ROWS])
def test_the_edits_users_make_most(finished, key, value, must, must_not):
    edit = finished / f"edit_{key}.yaml"
    edit.write_text(yaml.safe_dump(nested(key, value)))
    ran = planned_jobs(finished, edit)
    assert must <= ran
    assert (ran == set()) if must_not == "everything" else not (ran & must_not), ran


def test_the_job_graph_does_not_depend_on_the_pexels_key(tmp_path, speech_video):
    """A cluster job re-reads the workflow on a node that may lack the key: same jobs either way."""
    manifest = write_manifest(tmp_path / "manifest.tsv", [("alpha", str(speech_video))])
    (tmp_path / "config.yaml").write_text(MATRIX_CONFIG.format(manifest=manifest))
    cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(tmp_path), "-n", "--cores", "1",
           "--configfile", str(tmp_path / "config.yaml")]
    base = {k: v for k, v in os.environ.items() if k != "PEXELS_API_KEY"}
    plans = []
    for env in (base, {**base, "PEXELS_API_KEY": "some-key-value"}):
        proc = run_cli(cmd, timeout=120, env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        plans.append(re.search(r"^job\s+count.*?^total\s+\d+", proc.stdout, re.M | re.S)[0])
    assert plans[0] == plans[1] and "pexels_search" in plans[0]


def test_stage_code_follows_the_scripts_imports(tmp_path):
    """A module a stage starts to import is covered by its hash with no list to edit."""
    from dramabatch.workflow.rerun.stagecode import package_closure

    pkg = tmp_path / "src" / "dramabatch"
    for rel, text in {"__init__.py": "", "voice/__init__.py": "", "base/__init__.py": "",
                      "voice/narrate.py": "from ..base import audio\n",
                      "base/audio.py": "def f():\n    from .errors import E\n",
                      "base/errors.py": "E = 1\n", "base/unused.py": "",
                      }.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    script = tmp_path / "scripts" / "narrate.py"
    script.parent.mkdir()
    script.write_text("from dramabatch.voice.narrate import narrate\nimport json\n")

    def covered() -> set[str]:
        return {str(p.relative_to(pkg)) for p in package_closure(script, tmp_path / "src")}

    assert covered() == {"__init__.py", "voice/__init__.py", "voice/narrate.py",
                         "base/__init__.py", "base/audio.py", "base/errors.py"}
    (pkg / "voice" / "kokoro.py").write_text("X = 1\n")
    assert "voice/kokoro.py" not in covered()
    (pkg / "voice" / "narrate.py").write_text("from ..base import audio\nfrom . import kokoro\n")
    assert "voice/kokoro.py" in covered()


def test_real_stages_cover_what_they_run():
    """The real narrate stage's hash covers its engines; render_long's the landscape plan."""
    from stage_code import stage_files

    narrate = {str(p) for p in stage_files("narrate")}
    assert any(p.endswith("voice/tts/espeak_engine.py") for p in narrate)
    assert any(p.endswith("speech/transcribe.py") for p in narrate)  # align's Whisper pass
    render_long = {str(p) for p in stage_files("render_long")}
    assert any(p.endswith("footage/scene_plan.py") for p in render_long)
    assert not any("/archive/" in p for p in render_long)


# ------------------------------------------------------------------ music by mood (audio.music)
def dry_run(wd: Path, edit: Path) -> subprocess.CompletedProcess:
    cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(wd), "-n", "--cores", "1",
           "--configfiles", str(wd / "config.yaml"), str(edit)]
    return run_cli(cmd, timeout=300,
                   env={k: v for k, v in os.environ.items() if k != "PEXELS_API_KEY"})


@pytest.mark.slow
def test_a_music_mood_is_a_declared_input_that_reruns_the_renders_only(finished):
    """The mood's resolved track is the renders' input: another mood is another file there, so
    Snakemake reruns the renders (and their checks and the archive after them), nothing before
    them."""
    from dramabatch.render.music import resolve_music

    edit = finished / "edit.yaml"
    for mood in ("calm", "tender"):
        edit.write_text(yaml.safe_dump(nested("audio.music", f"mood:{mood}")))
        assert planned_jobs(finished, edit) == {"render_long", "render_short", "qc", "finish",
                                                "deliver", "package"}, mood
        proc = dry_run(finished, edit)
        assert resolve_music(f"mood:{mood}", "alpha") in proc.stdout, mood
    edit.write_text(yaml.safe_dump(nested("audio.music", "mood:spooky")))
    proc = dry_run(finished, edit)
    assert proc.returncode != 0 and "no such mood" in proc.stdout + proc.stderr
