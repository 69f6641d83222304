"""Background footage plans: which clips cover a drama's narration, per orientation.

The background rule writes ``background/{orientation}.json``, a *footage plan*: an ordered list
of clip files (stock clips from the shared library, a local clip, or the source's own picture) or
a lavfi source (the generated gradient). The renderer turns the plan into the first stage of its
single filter graph (scale to cover, crop, trim, concat), so no intermediate video is encoded.

Steps are tried in the configured order; each one skipped is logged with its reason, and the
reasons are kept in the plan so a user can see why a video looks as it does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..base.errors import DramaError
from ..base.fsutil import write_text_atomic
from ..base.media import display_size, probe

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".m4v"}
ORIENTATIONS = ("landscape", "portrait")


#: How a clip fills a frame of another shape: scaled to cover it (cropping), or shown whole,
#: centred, over a blurred, zoomed copy of itself ("blur") or over black ("bars").
FITS = ("cover", "blur", "bars")


@dataclass
class Clip:
    path: str
    duration: float
    fit: str = "cover"


@dataclass
class FootagePlan:
    step: str
    clips: list[Clip] = field(default_factory=list)
    lavfi: str = ""
    reasons: list[str] = field(default_factory=list)
    #: ``scenes`` only: per sentence, the narration window and the stretch of source under it
    #: (scenes.Span.to_dict), the burned-in subtitle band covered ({top, bottom, cover}, as
    #: fractions of the height) and the 9:16 crop path of a reframed short (reframe.py).
    spans: list[dict] = field(default_factory=list)
    band: dict = field(default_factory=dict)
    crop: dict = field(default_factory=dict)
    #: ``timeline`` only: the cuts of an edited timeline (cuts.Cut.to_dict), shown as they are.
    cuts: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FootagePlan:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(step=data["step"], clips=[Clip(**c) for c in data["clips"]],
                   lavfi=data.get("lavfi", ""), reasons=data.get("reasons", []),
                   spans=data.get("spans", []), band=data.get("band", {}),
                   crop=data.get("crop", {}), cuts=data.get("cuts", []))


def frame_size(orientation: str, long_wh: tuple[int, int], short_wh: tuple[int, int]):
    if orientation not in ORIENTATIONS:
        raise DramaError(f"unknown orientation '{orientation}'")
    return long_wh if orientation == "landscape" else short_wh


def _palette(drama_id: str) -> tuple[str, str]:
    digest = hashlib.sha256(drama_id.encode()).digest()
    # Dark, saturated colours keep white subtitles readable.
    c0 = f"0x{digest[0] // 3:02x}{digest[1] // 3:02x}{40 + digest[2] // 3:02x}"
    c1 = f"0x{40 + digest[3] // 3:02x}{digest[4] // 4:02x}{digest[5] // 3:02x}"
    return c0, c1


def generated(drama_id: str, width: int, height: int, fps: int = 30) -> FootagePlan:
    """A slowly moving two-colour gradient, computed small inside the render graph."""
    w, h = max(16, width // 4) // 2 * 2, max(16, height // 4) // 2 * 2
    c0, c1 = _palette(drama_id)
    return FootagePlan("generated", lavfi=f"gradients=s={w}x{h}:c0={c0}:c1={c1}:speed=0.02:"
                                          f"rate={fps}")


def local(drama_id: str, folder: str) -> FootagePlan:
    """Pick a clip from ``folder`` deterministically by drama id (reruns choose the same one)."""
    if not folder:
        raise DramaError("no background.local_dir configured")
    clips = sorted(p for p in Path(folder).expanduser().glob("*")
                   if p.suffix.lower() in VIDEO_SUFFIXES)
    if not clips:
        raise DramaError(f"no video files in background folder {folder}")
    pick = clips[int(hashlib.sha256(drama_id.encode()).hexdigest(), 16) % len(clips)]
    info = probe(pick)
    if not info.has_video:
        raise DramaError(f"background clip {pick.name} has no video stream")
    log.info("background: local clip %s", pick.name)
    return FootagePlan("local", clips=[Clip(str(pick.resolve()), info.duration)])


def from_source(source: str) -> FootagePlan:
    """The source's own picture (the renderer never maps its audio).

    The path is kept as given (relative to the working directory), so a results tree stays valid
    when it is moved or mounted elsewhere, as on a cluster.
    """
    info = probe(source)
    if not info.has_video:
        raise DramaError("source has no video stream")
    return FootagePlan("source", clips=[Clip(str(source), info.duration)])


def stock(search: str | os.PathLike[str], clips: list[str],
          seconds_per_clip: float = 0.0) -> FootagePlan:
    """Pexels clips from the shared library, picked from one cached search (see pexels.py).

    Each clip's ``duration`` is the stretch of it the plan uses: its length, capped at
    ``seconds_per_clip``, so the renderer cuts to the next clip on time.
    """
    record = json.loads(Path(search).read_text(encoding="utf-8"))
    what = f"Pexels search '{record.get('query')}' ({record.get('orientation')})"
    if record.get("error"):
        raise DramaError(f"{what} failed: {record['error']}")
    if not record.get("videos"):
        raise DramaError(f"{what} found no usable videos")
    if not clips:
        raise DramaError(f"{what}: no clips were picked")
    plan = FootagePlan("pexels")
    for path in clips:
        try:
            info = probe(path)
        except DramaError as exc:
            log.warning("background: skipping stock clip %s: %s", Path(path).name, exc.cause)
            continue
        if not info.has_video or info.duration <= 0:
            log.warning("background: skipping stock clip %s: no picture", Path(path).name)
            continue
        length = min(info.duration, seconds_per_clip) if seconds_per_clip > 0 else info.duration
        plan.clips.append(Clip(str(path), round(length, 3)))
    if not plan.clips:
        raise DramaError(f"{what}: none of the downloaded clips is a usable video")
    log.info("background: %d distinct Pexels clips from %s", len(plan.clips), what)
    return plan


def fit_rule(path: str, width: int, height: int, rule: str = "blur",
             max_upscale: float = 2.0) -> tuple[str, str]:
    """How one clip fills a ``width`` x ``height`` frame, and why.

    Cover (crop to fill) while the clip's shape is close to the frame's (aspects within 1.5x of
    each other) and filling needs no more than ``max_upscale``; otherwise ``rule`` (blur or bars,
    the whole picture shown, itself upscaled at most ``max_upscale``). ``rule: cover`` always
    covers.
    """
    w, h = display_size(path)
    frame, shape = width / height, w / h
    upscale = max(width / w, height / h)  # what covering needs
    if rule == "cover":
        return "cover", "configured"
    if max(frame / shape, shape / frame) > 1.5:
        return rule, f"{w}x{h} is far from the {width}x{height} frame's shape"
    if upscale > max_upscale:
        return rule, f"covering {w}x{h} would upscale it {upscale:.1f}x (> {max_upscale:g}x)"
    return "cover", f"{w}x{h} covers {width}x{height} scaled {upscale:.2f}x"


def make_background(drama_id: str, orientation: str, out: str | os.PathLike[str] | None, *,
                    order: list[str], source: str, options: dict,
                    long_wh: tuple[int, int], short_wh: tuple[int, int],
                    pexels: Callable[[], FootagePlan] | None = None,
                    pexels_reason: str = "not available in this configuration",
                    scenes: Callable[[], FootagePlan] | None = None) -> FootagePlan:
    """Try each step of ``order``; return the first plan that works (written to ``out`` if given).

    ``pexels`` and ``scenes`` build those steps' plans (given by the rule, which has their
    inputs). A plan with a crop path (a reframed short) keeps its own fit.
    """
    width, height = frame_size(orientation, long_wh, short_wh)
    steps: dict[str, Callable[[], FootagePlan]] = {
        "local": lambda: local(drama_id, options.get("local_dir", "")),
        "source": lambda: from_source(source),
        "generated": lambda: generated(drama_id, width, height, fps=options.get("fps", 30)),
    }
    if pexels is not None:
        steps["pexels"] = pexels
    if scenes is not None:
        steps["scenes"] = scenes
    reasons: list[str] = []
    for step in order:
        if step not in steps:
            reason = {"pexels": pexels_reason,
                      "scenes": "no narration timeline given"}.get(step, "unknown step")
            log.info("background: skipping '%s': %s", step, reason)
            reasons.append(f"{step}: {reason}")
            continue
        try:
            plan = steps[step]()
        except DramaError as exc:
            log.warning("background: '%s' failed: %s", step, exc.cause)
            reasons.append(f"{step}: {exc.cause}")
            continue
        plan.reasons = reasons + plan.reasons  # skipped steps first, then the plan's own notes
        for clip in [] if plan.crop else plan.clips:
            clip.fit, why = fit_rule(clip.path, width, height, options.get("fit", "blur"),
                                     options.get("max_upscale", 2.0))
            plan.reasons.append(f"fit {Path(clip.path).name}: {clip.fit} ({why})")
        if out is not None:
            write_text_atomic(out, plan.to_json())
        log.info("background (%s): using '%s'", orientation, step)
        return plan
    raise DramaError("no background could be made: " + "; ".join(reasons))
