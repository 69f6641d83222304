"""Recap mode of the rewrite (``rewrite.mode: recap``): cut first, narrate second.

The endpoint gets the transcript as numbered segments with their times and answers with beats in
story order: a narration with the segment numbers it tells about, or an original moment (segment
numbers whose own sound and picture play). Because every beat cites the source, the narration
can be shown over exactly what it talks about (the scenes background) instead of over the share
of the source at the same share of the narration, the drift users complain about in free-text
recaps.

Every answer is checked (recap_verify.py) before use; an invalid one gets one repair round with
the errors sent back; if that fails too, the record says ``fallback`` with the reason and the
script is written from the transcript (the run summary names the drama and the reason). Network
errors and timeouts are not answers: they fail the job, so a rerun asks again instead of keeping
a fallback made of a passing outage.
"""

from __future__ import annotations

import logging

from ..base.errors import DramaError
from ..base.language import name as language_name
from .recap_verify import check_beats, parse_answer
from .rewrite import RewriteOptions, chat

log = logging.getLogger(__name__)

RECAP_PROMPT = """You write the narration of a recap video of a drama, cutting first and \
narrating second. You get the drama's transcript as numbered segments with their times in \
seconds. Answer with JSON only, an object {{"beats": [...]}}: the beats of the recap in story \
order, each one either
  {{"type": "narration", "segments": [numbers], "text": "what the narrator says"}}: the text \
tells what happens in those segments, which play as the picture under it;
  {{"type": "original", "segments": [numbers]}}: those segments play with their own sound (a \
key line of a scene, a few seconds).
Rules: segment numbers exist, ascend within a beat and every beat comes after the previous one; \
a narration fits its footage: about {cps:g} characters per second of the segments it cites, \
never more; the whole recap lasts about {target:.0f} seconds; the narration is written in \
{language}, in clear spoken sentences, no headings, lists or emoji."""

def numbered(segments: list[dict]) -> str:
    """The transcript as the model sees it: one line per segment, ``[n] start-end text``."""
    return "\n".join(f"[{n}] {float(s['start']):.1f}-{float(s['end']):.1f} "
                     f"{str(s['text']).strip()}" for n, s in enumerate(segments))


def target_seconds(transcript: dict, opts: RewriteOptions) -> float:
    """The recap's target length: ``target_minutes`` when set, else ``target_share`` of the
    source's speech (its last segment's end when the transcript has no duration)."""
    if opts.target_minutes > 0:
        return opts.target_minutes * 60
    segs = transcript.get("segments") or []
    length = float(transcript.get("duration") or (segs[-1]["end"] if segs else 0))
    return max(1.0, opts.target_share * length)


def recap_transcript(transcript: dict, opts: RewriteOptions, pause_s: float = 0.6) -> dict:
    """The rewrite job's record (``rewrite.json``) in recap mode: the checked beats, or
    ``fallback`` and its reason, with what each attempt got wrong."""
    segments = transcript.get("segments") or []
    if not segments:
        raise DramaError("recap: the transcript has no segments to cite")
    language = (opts.language or transcript.get("language") or "").split("-")[0].lower()
    target = target_seconds(transcript, opts)
    system = RECAP_PROMPT.format(cps=opts.chars_per_second, target=target,
                                 language=language_name(language) or "the transcript's "
                                                                     "language")
    messages = [{"role": "system", "content": system},
                {"role": "user", "content": numbered(segments)}]
    record = {"model": opts.model, "mode": "recap", "language": language,
              "target_s": round(target, 1), "chars_per_second": opts.chars_per_second,
              "attempts": []}
    for attempt in range(2):
        answer = chat(messages, opts, json_answer=True)
        beats, why = parse_answer(answer)
        errors = [why] if beats is None else check_beats(
            beats, segments, language, target, opts.chars_per_second, pause_s)[1]
        record["attempts"].append({"errors": errors})
        if not errors:
            record["beats"] = check_beats(beats, segments, language, target,
                                          opts.chars_per_second, pause_s)[0]
            record["repaired"] = attempt > 0
            log.info("recap: %d beats%s", len(record["beats"]),
                     " after one repair round" if attempt else "")
            return record
        log.warning("recap: answer %d is invalid: %s", attempt + 1, "; ".join(errors))
        messages += [{"role": "assistant", "content": answer},
                     {"role": "user", "content": "Your answer has these problems:\n- "
                      + "\n- ".join(errors) + "\nAnswer again with the corrected JSON only."}]
    record["fallback"] = "; ".join(record["attempts"][-1]["errors"])[:500]
    log.warning("recap: still invalid after the repair round; the script falls back to the "
                "transcript: %s", record["fallback"])
    return record
