"""What each rule's output depends on: the single source of truth for rerun decisions.

Snakemake reruns a job when its ``params`` change. So each rule's params hold exactly what
changes its output, resolved for one drama: the config keys it really uses (its language's voice
only, the music volume only when there is music, the rewrite settings only when the rewrite is on
and no hand-written script replaces it), plus a per-stage code version. Everything else a job
needs (timeouts, retries, rate limits, pass/fail thresholds) is read from ``snakemake.config`` in
the job and never tracked, so raising a timeout redoes nothing.

Code: ``STAGE_VERSIONS`` is part of every job's params. ``tests/test_tracking.py`` hashes the
code each stage runs (its script and the package modules it imports, found by ``stagecode``;
comments and docstrings left out) against ``tests/stage_code.json``; a change fails that test
until the developer either bumps the stage's version (its output changes: finished batches redo
that stage and what follows) or re-records the hash (a refactor: nothing reruns). The workflow
profile drops Snakemake's own ``code`` trigger, which would rerun on any edit of a script,
comments included.

config/README.md's "what each config key reruns" table is generated from ``TRACKS`` by
``rerun.table`` (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .recaps import recaps as _recaps
from .recaps import voice_language

#: Bump a stage's number when its code changes what it writes (see the module docstring).
STAGE_VERSIONS: dict[str, int] = {
    "fetch_source": 1, "transcribe": 5, "rewrite": 2, "narrate": 7, "pexels_search": 1,
    "pexels_clip": 1, "pexels_pick": 1, "background": 4, "render_long": 8, "plan_shorts": 2,
    "render_short": 8, "finish": 2, "package": 3, "qc": 6,
}

#: A stage whose work runs inside another rule's job, for one orientation: the long video's
#: footage plan (the ``background`` stage, landscape) is made in the ``render_long`` job, so
#: what changes it is tracked there (under ``footage``). The ``background`` job itself makes only
#: the portrait plan.
EMBEDDED: dict[str, tuple[str, str]] = {"render_long": ("background", "landscape")}
#: The orientation a rule's job works for, where it is fixed by the rule.
FIXED_ORIENTATION: dict[str, str] = {"background": "portrait"}

Condition = Callable[[dict, Any], bool]


@dataclass(frozen=True)
class Subject:
    """What a condition may know of one drama: its manifest language, and whether a
    hand-written script replaces its transcript (then the rewrite settings do not apply)."""

    language: str = ""
    has_override: bool = False
    background_query: str = ""


@dataclass(frozen=True)
class Track:
    """A config key, the rules whose output it changes, and when (for one drama)."""

    key: str
    rules: tuple[str, ...]
    when: Condition | None = None
    note: str = ""


def _voice_plan(config: dict, drama: Any) -> set[str]:
    """Engines that may speak this drama (every engine when its language is known only later)."""
    from ...voice.tts import ENGINES, engine_plan, primary_language

    language = primary_language(voice_language(config, drama))
    if not language:
        return set(ENGINES)
    return {name for name, _ in engine_plan(config["tts"], language)}


def _speaks(engine: str) -> Condition:
    return lambda config, drama: engine in _voice_plan(config, drama)


def _pexels(config: dict, drama: Any) -> bool:
    return "pexels" in config["background"]["order"]


def _scenes(config: dict, drama: Any) -> bool:
    return "scenes" in config["background"]["order"]


def _rewrites(config: dict, drama: Any) -> bool:
    return bool(config["rewrite"]["enabled"]) and not getattr(drama, "has_override", False)


def _music(config: dict, drama: Any) -> bool:
    return bool(config["audio"]["music"])


def _bed(config: dict, drama: Any) -> bool:
    return bool(config["audio"]["music"]) or bool(config["audio"]["original_audio"])


def drama_language(config: dict, drama: Any) -> str:
    """The drama's language as configured: its manifest column, else transcribe.language."""
    return getattr(drama, "language", "") or config["transcribe"]["language"]


RENDERS = ("render_long", "render_short")
TRACKS: tuple[Track, ...] = (
    *(Track(f"transcribe.{k}", ("transcribe",)) for k in (
        "backend", "model", "device", "compute_type", "beam_size", "vad_filter",
        "word_timestamps", "no_speech_threshold", "level_audio", "coverage_gap_s")),
    Track("transcribe.language", ("transcribe",),
          lambda c, d: not getattr(d, "language", ""), "for dramas without a manifest language"),
    Track("script.sentence_pause_ms", ("narrate",)),
    Track("script.comma_pause_ms", ("narrate",)),
    Track("rewrite.enabled", ("narrate",),
          lambda c, d: not getattr(d, "has_override", False), "unless a script override exists"),
    *(Track(f"rewrite.{k}", ("rewrite",), _rewrites,
            "when rewrite.enabled, for dramas without a script override")
      for k in ("base_url", "model", "system_prompt", "temperature", "max_tokens")),
    *(Track(f"rewrite.{k}", ("rewrite",), _recaps, "when rewrite.enabled and rewrite.mode is "
            "recap, for dramas without a script override") for k in (
        "mode", "target_share", "target_minutes", "language", "chars_per_second")),
    Track("scenes.snap_s", ("background",), lambda c, d: _scenes(c, d) and _recaps(c, d),
          "for recaps, when 'scenes' is in background.order"),
    Track("tts.engine", ("narrate",),
          lambda c, d: not _language_voices(c, d), "for languages without a tts.voices entry"),
    Track("tts.fallback", ("narrate",)),
    Track("tts.voices", ("narrate",), note="only the drama's language's entry"),
    Track("tts.voice", ("narrate",), _speaks("piper"), "when Piper may speak the drama"),
    Track("tts.length_scale", ("narrate",), _speaks("piper"), "when Piper may speak the drama"),
    Track("tts.espeak_voice", ("narrate",), _speaks("espeak-ng"),
          "when espeak-ng may speak the drama"),
    Track("tts.espeak_rate", ("narrate",), _speaks("espeak-ng"),
          "when espeak-ng may speak the drama"),
    Track("tts.edge_voice", ("narrate",), _speaks("edge-tts"),
          "when edge-tts may speak the drama"),
    Track("tts.gtts_tld", ("narrate",), _speaks("gtts"), "when gTTS may speak the drama"),
    Track("tts.kokoro_voice", ("narrate",), _speaks("kokoro"), "when Kokoro may speak the drama"),
    Track("tts.kokoro_speed", ("narrate",), _speaks("kokoro"), "when Kokoro may speak the drama"),
    Track("tts.revoice_wer", ("narrate",), note="(which segments are voiced again)"),
    *(Track(f"tts.{k}", ("narrate",)) for k in ("loudness_lufs", "true_peak_db", "sample_rate")),
    Track("subtitles.max_chars_per_line", ("render_long",), note="(the SRT and the long video)"),
    Track("subtitles.max_lines", ("render_long",), note="(the SRT and the long video)"),
    Track("subtitles.min_cue_s", ("render_long",), note="(the SRT and the long video)"),
    Track("subtitles.max_cps", ("render_long",), note="(the SRT and the long video)"),
    Track("subtitles.short_words_per_cue", ("render_short",)),
    Track("subtitles.align_model", ("narrate",), note="(narration and its word times)"),
    Track("background.order", ("background",)),
    Track("background.local_dir", ("background",),
          lambda c, d: "local" in c["background"]["order"], "when 'local' is in background.order"),
    *(Track(f"scenes.{k}", ("background",), _scenes, "when 'scenes' is in background.order")
      for k in ("min_speed", "max_speed", "subtitle_band", "band_cover", "reframe", "max_pan")),
    Track("render.engine", ("background",), _scenes,
          "when 'scenes' is in background.order (ffmpeg renders it, moviepy falls back)"),
    Track("scenes.band", ("background",),
          lambda c, d: _scenes(c, d) and c["scenes"]["subtitle_band"] == "fixed",
          "when 'scenes' is in background.order and scenes.subtitle_band is fixed"),
    Track("pexels.api_url", ("pexels_search",), _pexels, "when 'pexels' is in background.order"),
    Track("pexels.per_page", ("pexels_search",), _pexels, "when 'pexels' is in background.order"),
    Track("pexels.seconds_per_clip", ("pexels_pick", "background"), _pexels,
          "when 'pexels' is in background.order"),
    Track("pexels.default_query", ("pexels_pick",),
          lambda c, d: _pexels(c, d) and not getattr(d, "background_query", ""),
          "(a new search) for dramas without a background_query, when 'pexels' is in "
          "background.order"),
    *(Track(f"render.{k}", RENDERS) for k in (
        "engine", "encoder", "preset", "crf", "seconds_per_clip", "crossfade")),
    Track("render.fps", ("background", *RENDERS)),
    Track("render.fit", ("background",), note="the plan records each clip's fit"),
    Track("render.max_upscale", ("background", *RENDERS)),
    Track("render.long", ("background", "render_long"), note="(its footage plan too)"),
    Track("render.short", ("background", "render_short"), note="(the portrait footage plan too)"),
    Track("render.long", ("pexels_search",), _pexels,
          "the landscape searches (stock files are picked at the output size)"),
    Track("render.short", ("pexels_search",), _pexels,
          "the portrait searches (stock files are picked at the output size)"),
    Track("render.timeline_xml", RENDERS, note="(the .xml beside each video's .otio)"),
    Track("render.piece_minutes", ("render_long",),
          note="(where the pieces join: keyframes, same frames)"),
    Track("render.style_long", ("render_long",)),
    Track("render.style_short", ("render_short",)),
    Track("audio.music_volume", RENDERS, _music, "when audio.music is set"),
    Track("audio.original_audio", RENDERS),
    Track("audio.original_volume", RENDERS, lambda c, d: bool(c["audio"]["original_audio"]),
          "when audio.original_audio is on"),
    Track("audio.ducking", RENDERS, _bed, "when there is music or original audio"),
    Track("shorts.max_count", ("plan_shorts",)),
    Track("shorts.min_seconds", ("plan_shorts",)),
    Track("shorts.max_seconds", ("plan_shorts",)),
    Track("shorts.whole_if_short", ("plan_shorts",)),
    Track("shorts.max_seconds", ("pexels_pick",), _pexels, "when 'pexels' is in background.order"),
    Track("shorts.title_seconds", ("render_short",)),
    # Unlike CHECKS (read untracked: a passed job keeps its output), the qc thresholds are the
    # qc job's output itself (its verdict): tracked on that job alone, a changed one re-judges
    # every drama (one decode per video) and re-archives, never re-renders.
    *(Track(f"qc.{k}", ("qc",), note="(re-judged: one decode per video, no render)")
      for k in ("black_share", "black_longest_s", "fade_s", "dip_s", "frozen_share",
                "loudness_off_lu", "true_peak_over_db", "silent_narration_share",
                "duration_short_s", "caption_offset_median_s", "caption_offset_worst_s",
                "caption_words_offset_median_s",
                "reading_speed_share_over")),
)

#: Keys that are read by jobs but never tracked: how a job runs, not what it writes.
OPERATIONAL = (
    "download.connect_timeout_s", "download.read_timeout_s", "download.max_gb",
    "download.retries", "download.backoff_s", "download.max_backoff_s",
    "download.min_rate_kb_s", "download.min_rate_window_s", "download.deadline_s",
    "rewrite.api_key_env", "rewrite.timeout_s", "tts.timeout_s",
    "pexels.max_clip_mb", "pexels.connect_timeout_s", "pexels.read_timeout_s",
    "pexels.max_retries", "pexels.backoff_s", "pexels.max_wait_s", "pexels.min_remaining",
    "disk.check", "disk.output_ratio", "disk.url_source_mb", "pexels.library_max_gb",
)
#: Pass/fail checks: a job that passed keeps its output when a threshold moves.
CHECKS = ("transcribe.min_speech_s", "transcribe.language_mismatch_probability",
          "transcribe.max_suspect_share", "transcribe.max_uncovered_share")
#: Keys that shape which jobs and files exist (paths, membership), not their content; a changed
#: input path (audio.music) reruns through the inputs instead.
STRUCTURAL = ("manifest", "outdir", "archive_name", "scripts_dir", "timelines_dir",
              "allowed_schemes", "skip",
              "audio.music", "archive.keep_outputs", "archive.keep_sources",
              "archive.batch_max_dramas")


def _language_voices(config: dict, drama: Any) -> bool:
    from ...voice.tts import primary_language

    language = primary_language(voice_language(config, drama))
    voices = {primary_language(k) for k in (config["tts"].get("voices") or {})}
    return bool(language) and language in voices


def _get(config: dict, key: str) -> Any:
    value: Any = config
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _set(tree: dict, key: str, value: Any) -> None:
    *parents, leaf = key.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def applies(track: Track, rule: str, orientation: str) -> bool:
    """render.long reaches the landscape footage and searches only, render.short the portrait."""
    if rule in ("background", "pexels_search") and track.key in ("render.long", "render.short"):
        return track.key == ("render.long" if orientation == "landscape" else "render.short")
    return True


def _stage_params(rule: str, config: dict, drama: Any, orientation: str) -> dict:
    out: dict = {"version": STAGE_VERSIONS[rule]}
    for track in TRACKS:
        if rule not in track.rules or (track.when and not track.when(config, drama)):
            continue
        if not applies(track, rule, orientation):
            continue
        value = _get(config, track.key)
        if track.key == "tts.voices":
            value = _voices_entry(config, drama)
        _set(out, track.key, value)
    return out


def tracked(rule: str, config: dict, drama: Any = None, orientation: str = "") -> dict:
    """The params that decide whether ``rule``'s job for ``drama`` reruns (with a stage it
    embeds, see EMBEDDED, under ``footage``)."""
    out = _stage_params(rule, config, drama, FIXED_ORIENTATION.get(rule, orientation))
    if rule in EMBEDDED:
        stage, stage_orientation = EMBEDDED[rule]
        out["footage"] = _stage_params(stage, config, drama, stage_orientation)
    return out


def _voices_entry(config: dict, drama: Any) -> dict:
    from ...voice.tts import primary_language

    language = primary_language(voice_language(config, drama))
    voices = {primary_language(k): v for k, v in (config["tts"].get("voices") or {}).items()}
    if not language:
        return voices
    return {language: voices[language]} if language in voices else {}
