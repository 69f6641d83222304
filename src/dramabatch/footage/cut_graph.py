"""The footage part of a render for an edited timeline's cuts (a ``timeline`` plan), as ffmpeg
filters.

Each cut is its own input, opened with ``-ss`` at its source start and read only as far as it
plays (a held frame: one frame). In its chain ``setpts`` applies its speed, the burned-in
subtitle band it carries is blurred or covered (band_chain), it is fitted to the frame
(fit_chain), and ``fps`` + ``tpad`` + ``trim`` make it exactly its number of frames, so the cuts
land on the timeline's frames. Cuts are concatenated.

With ``audio.original_audio``, the original sound follows the cuts (cut_audio): each cut's own
sound at its speed (atempo), silence for a held frame or a file without sound.
"""

from __future__ import annotations

import math

from ..base.errors import DramaError
from ..base.media import probe
from .background import FootagePlan
from .cuts import Cut
from .graph import fit_chain
from .scene_graph import band_chain, exact_frames, join_pieces


def _num(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".") or "0"


def _read_seconds(cut: Cut, fps: int) -> float:
    return 1.0 if cut.freeze else cut.frames / fps * cut.speed + 0.5


def cut_footage(plan: FootagePlan, w: int, h: int, fps: int,
                max_upscale: float = 2.0) -> tuple[list[str], str, int]:
    """(input args, graph ending in ``[bg]``, number of inputs) for a plan's cuts."""
    cuts = [Cut.from_dict(c) for c in plan.cuts]
    if not cuts:
        raise DramaError("timeline plan has no cuts")
    args: list[str] = []
    parts: list[str] = []
    for k, cut in enumerate(cuts):
        if not cut.path:
            raise DramaError(f"cut {k + 1} has no media file")
        args += ["-ss", f"{cut.src_start:.4f}", "-t", f"{_read_seconds(cut, fps):.4f}",
                 "-i", cut.path]
        timing = ("trim=end_frame=1,setpts=PTS-STARTPTS" if cut.freeze
                  else f"setpts=(PTS-STARTPTS)/{cut.speed:.6f}")
        chain = [timing]
        if cut.band:
            chain.append(band_chain(cut.band, f"c{k}b"))
        chain.append(fit_chain(cut.fit, w, h, max_upscale).replace("fb_", f"fb{k}_"))
        chain.append(exact_frames(fps, _num(cut.frames / fps + 1), cut.frames))
        parts.append(f"[{k}:v]" + ",".join(chain) + f"[c{k}]")
    return (args, *join_pieces(parts, "c"))


def tempo_chain(speed: float) -> str:
    """atempo filters for ``speed`` (one atempo takes 0.5..2: chained beyond). A speed that
    is not finite and positive raises: halving infinity would never end the chain."""
    if not (math.isfinite(speed) and speed > 0):
        raise ValueError(f"no atempo chain reaches speed {speed}")
    factors = []
    while speed > 2.0:
        factors.append(2.0)
        speed /= 2.0
    while speed < 0.5:
        factors.append(0.5)
        speed /= 0.5
    factors.append(speed)
    return ",".join(f"atempo={f:.5f}" for f in factors)


def cut_audio(plan: FootagePlan, rate: int, fps: int) -> str:
    """Graph from the inputs of cut_footage (same order, their audio) to ``[scene_a]``."""
    labels, parts = [], []
    for k, c in enumerate(Cut.from_dict(d) for d in plan.cuts):
        samples = round(c.end * rate / fps) - round(c.start * rate / fps)
        if c.freeze or not probe(c.path).has_audio:
            parts.append(f"anullsrc=r={rate}:cl=stereo,atrim=end_sample={samples}[ca{k}]")
        else:
            parts.append(f"[{k}:a]asetpts=PTS-STARTPTS,aresample={rate},"
                         f"aformat=sample_fmts=fltp:channel_layouts=stereo,{tempo_chain(c.speed)},"
                         f"apad,atrim=end_sample={samples},asetpts=N/SR/TB[ca{k}]")
        labels.append(f"[ca{k}]")
    return ";".join(parts) + f";{''.join(labels)}concat=n={len(labels)}:v=0:a=1[scene_a]"
