"""From transcript to narration script (the "guion"): which text is narrated, and its record.

The orchestration only: the override, the endpoint's rewrite or recap, or the transcript itself,
cut into segments by ``sentences`` (the text primitives) or, for a recap, by ``beats``. Kept
apart from the primitives so that ``beats`` (which needs ``build_script``) and this module do
not import each other.
"""

from __future__ import annotations

from ..base.errors import DramaError
from .beats import beat_segments
from .sentences import build_script, script_from_transcript, source_times
from .unloop import said_once


def rewrite_transcript(transcript: dict, rewrite: dict) -> dict:
    """The endpoint's rewrite of the transcript's text (``rewrite.enabled``): the rewrite job's
    record (``rewrite.json``), kept apart from the script so that re-voicing a drama never asks
    the endpoint again (a new answer would be a new story). ``rewrite.mode: recap``: the
    checked beats of a recap instead (script/recap.py)."""
    from .rewrite import RewriteOptions, rewrite_text

    opts = RewriteOptions(**rewrite)
    if opts.mode == "recap":
        from .recap import recap_transcript

        return recap_transcript(transcript, opts)
    text = rewrite_text(script_from_transcript(transcript), transcript.get("language", ""), opts)
    return {"model": opts.model, "text": text}


def make_script(transcript: dict, override: str | None, options: dict,
                rewrite: dict | None = None, rewritten: dict | None = None) -> dict:
    """The script.json content: from the override text, else the rewritten transcript (a
    ``rewrite_transcript`` record, or made here when ``rewrite`` is enabled), else the transcript.

    A hand-written override is used verbatim; the rewrite step (``rewrite.enabled``) only applies
    to transcript-derived text. A recap record gives beats that keep their source times
    (script/beats.py); a recap that fell back gives the transcript, and the script says why.
    """
    extra: dict = {}
    if override is not None:
        text, origin = override, "override"
    else:
        if rewritten is None and rewrite and rewrite.get("enabled"):
            rewritten = rewrite_transcript(transcript, rewrite)
        if rewritten is not None and rewritten.get("mode") == "recap":
            if "fallback" not in rewritten:
                return _recap_script(transcript, rewritten, options)
            extra = {"recap_fallback": rewritten["fallback"]}
            rewritten = None
        if rewritten is not None:
            text, origin = rewritten["text"], f"rewrite:{rewritten['model']}"
        else:
            text, origin = script_from_transcript(transcript), "transcript"
            extra.update(said_once(transcript.get("segments", []))[1])
    segments = build_script(text, options.get("sentence_pause_ms", 600),
                            options.get("comma_pause_ms", 300))
    if not segments:
        raise DramaError(f"the narration script is empty (from {origin})")
    # Transcript-derived text keeps where each clause was said (scenes background); an override
    # or a rewrite has no such link, and says so by leaving the times out.
    spans = (source_times(transcript, text, segments) if origin == "transcript"
             else [{} for _ in segments])
    return {"language": transcript.get("language", ""), "origin": origin, **extra,
            "segments": [{**s.to_dict(), **span} for s, span in zip(segments, spans, strict=True)]}


def _recap_script(transcript: dict, record: dict, options: dict) -> dict:
    segments = beat_segments(record["beats"], options.get("sentence_pause_ms", 600),
                             options.get("comma_pause_ms", 300))
    return {"language": record.get("language") or transcript.get("language", ""),
            "origin": f"recap:{record['model']}", "segments": segments}
