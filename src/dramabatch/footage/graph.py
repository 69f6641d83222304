"""The footage part of a render: which clip inputs cover the length, and the ffmpeg graph
that scales, cuts and joins them. Used by both render engines."""

from __future__ import annotations

from ..base.errors import DramaError
from .background import FootagePlan


def footage_inputs(plan: FootagePlan, duration: float, fps: int,
                   seconds_per_clip: float = 0.0,
                   crossfade: float = 0.0) -> tuple[list[str], list[tuple[int, float]]]:
    """ffmpeg input args for a footage plan and the (input index, seconds) pieces to join.

    Clips are used in order, each for at most ``seconds_per_clip`` (0: its whole length) and
    cycled when they are too few to cover ``duration``. Each distinct clip is one looped input,
    decoded once: a clip's later pieces continue where its previous piece stopped, so a 10-minute
    video cut every 5 s still opens one decoder per clip (memory stays flat with the length).
    The pieces' lengths add up to ``duration``; with a ``crossfade``, a piece too short to fade
    in and out is merged into the one before it.
    """
    if plan.lavfi:
        return ["-f", "lavfi", "-i", f"{plan.lavfi}:duration={duration + 1:.3f}"], [(0, duration)]
    if not plan.clips:
        raise DramaError("footage plan has no clips")
    pieces: list[tuple[int, float]] = []
    remaining, k = duration, 0
    while remaining > 1e-3:
        idx = k % len(plan.clips)
        clip = plan.clips[idx]
        length = clip.duration if clip.duration > 0.5 else duration
        if seconds_per_clip > 0:
            length = min(length, seconds_per_clip)
        if len(plan.clips) == 1:
            length = remaining  # one clip: loop it for the whole length
        length = min(length, remaining)
        if crossfade > 0 and remaining - length < 2 * crossfade:
            length = remaining  # no sliver of a clip at the end: this one runs to the end
        pieces.append((idx, length))
        remaining -= length
        k += 1
    used = sorted({idx for idx, _ in pieces})
    args: list[str] = []
    for idx in used:
        args += ["-stream_loop", "-1", "-i", plan.clips[idx].path]
    # Renumber to input positions (clips beyond the ones needed are never opened).
    position = {idx: n for n, idx in enumerate(used)}
    return args, [(position[idx], length) for idx, length in pieces]


def fit_chain(fit: str, w: int, h: int, max_upscale: float = 2.0) -> str:
    """Filters that make one input fill a w x h frame: ``cover`` scales and crops; ``blur`` and
    ``bars`` show the whole picture (upscaled at most ``max_upscale``), centred over a blurred,
    zoomed copy of itself (made at 1/8 size: cheap) or over black."""
    if fit == "cover":
        return f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h}"
    scale = (f"scale=w='2*trunc(iw*min(min({w}/iw,{h}/ih),{max_upscale})/2)'"
             f":h='2*trunc(ih*min(min({w}/iw,{h}/ih),{max_upscale})/2)'")
    if fit == "bars":
        return f"{scale},pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:black"
    if fit == "blur":
        sw, sh = max(2, w // 8 // 2 * 2), max(2, h // 8 // 2 * 2)
        return (f"split=2[fb_a][fb_b];[fb_a]scale={sw}:{sh}:force_original_aspect_ratio=increase,"
                f"crop={sw}:{sh},boxblur=luma_radius='min(4,min(w,h)/2-1)':luma_power=2:"
                f"chroma_radius='min(4,min(cw,ch)/2-1)':chroma_power=2,"
                f"scale={w}:{h}[fb_bg];[fb_b]{scale}[fb_fg];"
                f"[fb_bg][fb_fg]overlay=(W-w)/2:(H-h)/2")
    raise DramaError(f"unknown fit '{fit}' (cover, blur or bars)")


def background_graph(pieces: list[tuple[int, float]], w: int, h: int, fps: int,
                     crossfade: float = 0.0, fits: list[str] | None = None,
                     max_upscale: float = 2.0) -> str:
    """Make each input fill the frame (``fits``, by input; cover by default), cut it into its
    pieces, and join them.

    Piece boundaries are whole frames. Each input is scaled once and split into consecutive
    pieces by the ``segment`` filter (one decoder per clip, however many pieces). Without
    ``crossfade`` the pieces are concatenated. With it, each piece but the last runs
    ``crossfade`` seconds longer and overlaps the next one by that much (xfade), so the joined
    length is still the sum of the pieces' lengths.
    """
    fade = crossfade if len(pieces) > 1 else 0.0
    if fade > 0:
        # A fade never takes more than half of the shortest piece.
        fade = min(fade, 0.5 * min(length for _, length in pieces))
    fade_frames = round(fade * fps)
    # Frame boundaries of the joined result, and each piece's own length in frames.
    bounds, acc = [0], 0.0
    for _, length in pieces:
        acc += length
        bounds.append(round(acc * fps))
    frames = [bounds[k + 1] - bounds[k] + (fade_frames if k < len(pieces) - 1 else 0)
              for k in range(len(pieces))]
    parts = []
    for idx in sorted({idx for idx, _ in pieces}):
        fit = fits[idx] if fits and idx < len(fits) else "cover"
        cover = (fit_chain(fit, w, h, max_upscale).replace("fb_", f"fb{idx}_")
                 + f",setsar=1,fps={fps},format=yuv420p,setpts=PTS-STARTPTS")
        mine = [k for k, (i, _) in enumerate(pieces) if i == idx]
        if len(mine) == 1:
            parts.append(f"[{idx}:v]{cover},trim=end_frame={frames[mine[0]]}[p{mine[0]}]")
            continue
        cuts, at = [], 0
        for k in mine[:-1]:
            at += frames[k]
            cuts.append(str(at))
        outs = "".join(f"[s{k}]" for k in mine)
        parts.append(f"[{idx}:v]{cover},segment=frames={'|'.join(cuts)}{outs}")
        parts += [f"[s{k}]setpts=PTS-STARTPTS,trim=end_frame={frames[k]}[p{k}]" for k in mine]
    if len(pieces) == 1:
        return ";".join(parts).replace("[p0]", "[bg]")
    if fade_frames <= 0:
        labels = "".join(f"[p{k}]" for k in range(len(pieces)))
        return ";".join(parts) + f";{labels}concat=n={len(pieces)}:v=1:a=0[bg]"
    chain, prev = [], "p0"
    for k in range(1, len(pieces)):
        label = "bg" if k == len(pieces) - 1 else f"x{k}"
        chain.append(f"[{prev}][p{k}]xfade=transition=fade:duration={fade_frames / fps:.6f}"
                     f":offset={bounds[k] / fps:.6f}[{label}]")
        prev = label
    return ";".join(parts + chain)
