"""The footage part of a render for a ``scenes`` plan, as ffmpeg filters (no frame touches Python).

Each *run* of spans (source stretches moving forward, see scenes.runs) is one input, opened with
``-ss`` at its first stretch and decoded once. In its chain:

- ``select`` keeps the frames of the run's stretches;
- ``setpts`` moves each kept frame to its narration time (``window start + (t - stretch start) /
  speed``): the bounded speed change;
- the burned-in subtitle band is blurred (downscaled then upscaled) or covered with a box;
- a reframed short crops its 9:16 window with an ``x`` expression of time (piecewise linear, from
  the plan's crop path), then the clip is scaled to the frame like any other (fit_chain);
- ``fps`` makes a constant rate: between stretches, and after a stretch shorter than its window,
  it repeats the last frame (the hold).

Runs are concatenated, each exactly its whole number of frames. A short takes the spans of its
own stretch of narration (``offset``), so it shows the scenes of its sentences.

With ``audio.original_audio``, the source's own sound follows the same spans (scene_audio): each
sentence's stretch, at the same speed (atempo), then silence to the end of its window, so what
is heard in the pauses between sentences (the bed is ducked under the voice) is the sound of the
picture on screen.
"""

from __future__ import annotations

from ..base.errors import DramaError
from .background import FootagePlan
from .graph import fit_chain
from .scenes import Span, runs


def window(spans: list[Span], offset: float, length: float) -> list[Span]:
    """The spans under narration ``offset .. offset + length``, in that output's time."""
    out = []
    for s in spans:
        if s.end <= offset or s.start >= offset + length:
            continue
        start, src, played = s.start, s.src_start, s.played
        if offset > start:  # the short starts inside this sentence: skip what it has shown
            skip = min(played, (offset - start) * s.speed)
            keep = max(played - skip, min(played, 0.1))  # a few frames to hold (any source fps)
            src, played, start = s.src_start + played - keep, keep, offset
        out.append(Span(s.sentence, start - offset, min(s.end, offset + length) - offset, src,
                        played, s.speed, s.origin, s.beat, s.cites))
    return out


def expr_sum(terms: list[str], fan: int = 16) -> str:
    """``terms`` added up as an ffmpeg expression nested in groups of ``fan``: ffmpeg's parser
    refuses a flat chain of about a hundred ``+`` (its depth limit), a long plan has hundreds."""
    if not terms:
        return "0"
    while len(terms) > fan:
        terms = ["(" + "+".join(terms[k:k + fan]) + ")" for k in range(0, len(terms), fan)]
    return "+".join(terms)


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def band_chain(band: dict, label: str) -> str:
    """Filters (inside a chain) that blur or cover the band of the source picture where its
    burned-in subtitles sit (``y``, ``height``, ``width`` in source pixels). The blur is a
    downscale to a few pixels and back: no letter survives it, and it costs almost nothing."""
    y, hh, ww = int(band["y"]), int(band["height"]), int(band["width"])
    if band.get("cover") == "box":
        return f"drawbox=x=0:y={y}:w=iw:h={hh}:color=black:t=fill"
    small_w, small_h = max(2, ww // 32 // 2 * 2), max(2, hh // 6 // 2 * 2)
    return (f"split=2[{label}a][{label}b];[{label}b]crop={ww}:{hh}:0:{y},"
            f"scale={small_w}:{small_h},scale={ww}:{hh}[{label}s];"
            f"[{label}a][{label}s]overlay=0:{y}")


def crop_expr(path: list[list[float]], base: float) -> str:
    """The crop's left edge at output time ``t``: piecewise linear over the plan's segments
    ``[t0, t1, x0, x1]`` (narration time; ``base`` shifts output time to it). A sum of terms,
    one per segment (no if-chains nested as deep as the path is long)."""
    terms = []
    for k, (t0, t1, x0, x1) in enumerate(path):
        end = "1e9" if k == len(path) - 1 else _num(t1)
        slope = (x1 - x0) / (t1 - t0) if t1 > t0 else 0.0
        value = _num(x0) if abs(slope) < 1e-9 else f"({_num(x0)}+(T-{_num(t0)})*{slope:.5f})"
        lower = "1" if k == 0 else f"gte(T,{_num(t0)})"
        terms.append(f"{lower}*lt(T,{end})*{value}")
    return expr_sum(terms).replace("T", f"(t+{_num(base)})")


def scene_footage(plan: FootagePlan, offset: float, length: float, w: int, h: int, fps: int,
                  max_upscale: float = 2.0) -> tuple[list[str], str, int]:
    """(input args, graph ending in ``[bg]``, number of inputs) for ``length`` seconds of a
    scenes plan from narration time ``offset``."""
    if not plan.clips or not plan.spans:
        raise DramaError("scenes plan has no source or no spans")
    spans = window([Span(**s) for s in plan.spans], offset, length)
    if not spans:
        raise DramaError(f"scenes plan has no span at {offset:.2f}-{offset + length:.2f} s")
    source, fit = plan.clips[0].path, plan.clips[0].fit
    args: list[str] = []
    parts: list[str] = []
    groups = runs(spans)
    for r, group in enumerate(groups):
        a, o = group[0].src_start, group[0].start
        end = min(length, group[-1].end) if r == len(groups) - 1 else groups[r + 1][0].start
        frames = max(1, round(end * fps) - round(o * fps))
        # decoded from the run's first stretch to its last one's end, never to the source's end
        read = max(x.src_end for x in group) - a + 0.5
        args += ["-ss", f"{a:.4f}", "-t", f"{read:.4f}", "-i", source]
        # Half-open stretches that never overlap: a frame goes to one narration time only, so a
        # stretch ends where the next begins (runs() lets them overlap by a few hundredths).
        ends = [min(x.src_end, y.src_start) for x, y in zip(group, group[1:], strict=False)]
        ends.append(group[-1].src_end)
        inside = [f"gte(T,{_num(x.src_start - a)})*lt(T,{_num(max(x.src_start, e) - a)})"
                  for x, e in zip(group, ends, strict=True)]
        keep = expr_sum(inside).replace("T", "t")
        moved = expr_sum([f"{cond}*({_num(s.start - o)}+(T-{_num(s.src_start - a)})/"
                          f"{s.speed:.5f})" for cond, s in zip(inside, group, strict=True)])
        chain = [f"select='{keep}'", f"setpts='({moved})/TB'"]
        if plan.band:
            chain.append(band_chain(plan.band, f"b{r}"))
        if plan.crop.get("path"):
            x = crop_expr(plan.crop["path"], offset + o)
            chain.append(f"crop=w={plan.crop['width']}:h=ih:x='{x}':y=0")
        chain.append(fit_chain(fit, w, h, max_upscale).replace("fb_", f"fb{r}_"))
        chain.append(exact_frames(fps, _num(end - o + 1), frames))
        parts.append(f"[{r}:v]" + ",".join(chain) + f"[r{r}]")
    return (args, *join_pieces(parts, "r"))


def exact_frames(fps: int, hold_s: str, frames: int) -> str:
    """The tail of every footage piece: square pixels at the output rate, its last frame held
    (``hold_s``) and cut to exactly ``frames`` frames, so the concat lands on whole frames."""
    return (f"setsar=1,fps={fps}:start_time=0,format=yuv420p,"
            f"tpad=stop_mode=clone:stop_duration={hold_s},"
            f"trim=end_frame={frames},setpts=PTS-STARTPTS")


def join_pieces(parts: list[str], prefix: str) -> tuple[str, int]:
    """(graph ending in ``[bg]``, number of pieces): one piece is the background itself, more
    are concatenated in order (each part ends in ``[<prefix><k>]``)."""
    if len(parts) == 1:
        return parts[0].replace(f"[{prefix}0]", "[bg]"), 1
    labels = "".join(f"[{prefix}{k}]" for k in range(len(parts)))
    return ";".join(parts) + f";{labels}concat=n={len(parts)}:v=1:a=0[bg]", len(parts)


def scene_audio(plan: FootagePlan, offset: float, length: float, rate: int) -> str:
    """Graph from the run inputs of scene_footage (same order, their audio) to ``[scene_a]``:
    per span, its stretch's sound at its speed, padded with silence to exactly its window."""
    spans = window([Span(**s) for s in plan.spans], offset, length)
    parts, labels, bound = [], [], 0
    for r, group in enumerate(runs(spans)):
        a = group[0].src_start
        parts.append(f"[{r}:a]asplit={len(group)}" + "".join(f"[as{r}_{k}]"
                                                             for k in range(len(group))))
        for k, s in enumerate(group):
            start, bound = bound, round(min(s.end, length) * rate)
            parts.append(f"[as{r}_{k}]atrim=start={_num(s.src_start - a)}:"
                         f"end={_num(s.src_end - a)},asetpts=PTS-STARTPTS,aresample={rate},"
                         f"atempo={s.speed:.5f},apad,atrim=end_sample={bound - start},"
                         f"asetpts=N/SR/TB[a{r}_{k}]")
            labels.append(f"[a{r}_{k}]")
    return ";".join(parts) + f";{''.join(labels)}concat=n={len(labels)}:v=0:a=1[scene_a]"
