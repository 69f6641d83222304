"""A corpus of renders a viewer calls good, and of deliberately broken ones, for the gate.

The checks were first tuned on generated footage and on the demo, and failed good dramas: a
film's fade from black, a poster under a voice. This corpus measures them on what real dramas
look like: real footage (the demo's clips: a city at night, the Earth from space, Big Buck Bunny,
a face) changed with ffmpeg's own filters into the pictures real sources have (fades at either
end, a night grade, letterbox bars, a title card, a dip through black, fast cuts, one still
picture), rendered by the real renderer under a real narration, and judged by the real checks.

Each item renders over its footage either as the drama's own source (background steps
``source``/``scenes``: what the source shows is excused, qc.source) or as footage the pipeline
picked (``local``: nothing excused). A good item must not fail; a broken one must fail, on the
check named. ``benchmarks/qc_corpus.py`` runs it all and reports each check's worst value;
tests/test_qc_corpus.py runs a few items at 160x90.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..base.media import probe, run_ffmpeg
from ..footage.background import Clip, FootagePlan
from ..render.options import SubtitleStyle, VideoOptions
from ..render.subtitles import read_srt, write_srt
from ..render.videos import render_long
from ..script.sentences import build_script
from ..voice.narrate import narrate
from .drama import Video, check_drama
from .source import from_timeline

TEXT = ("The old lighthouse keeper climbed the stairs every night. He cleaned the glass, and "
        "he watched the boats come home. Nobody knew his name. One winter, the light went out.")

#: How each good picture is made from a real clip (``{d}``: the clip's seconds), as a real
#: source would have it.
GOOD: dict[str, str] = {
    "plain": "null",
    # a film's opening: a second of black, then a fade in; and the end faded out
    "fade_in": "fade=t=in:st=1.0:d=1.0",
    "fade_out": "fade=t=out:st={end_fade}:d=1.2",
    # a night grade: darker, flatter, colder (the city at night is darker still)
    "night": "eq=brightness=-0.18:gamma=0.6:saturation=0.6",
    # a scope picture in a 16:9 frame
    "letterbox": "scale=iw:trunc(ih*0.7/2)*2,pad=iw:trunc(ih/0.7/2)*2:0:(oh-ih)/2:black",
    # a title card: white text on black for the first 1.5 s
    "title": ("drawbox=c=black:t=fill:enable='lt(t,1.5)',drawtext=text='CHAPTER ONE':"
              "fontcolor=white:fontsize=h/8:x=(w-tw)/2:y=(h-th)/3:enable='lt(t,1.5)'"),
    # a scene change through black in the middle (0.6 s of black)
    "dip": "drawbox=c=black:t=fill:enable='between(t,{mid},{mid_in})'",
}
#: Broken pictures: the check each must fail.
BROKEN: dict[str, tuple[str, str]] = {
    "black_middle": ("drawbox=c=black:t=fill:enable='between(t,{mid},{mid_3})'", "black_share"),
    "stops_and_holds": ("freeze", "frozen_share"),
}


@dataclass
class Item:
    """One corpus render: its name, whether it should pass, and its verdict."""

    name: str
    footage: str
    own_source: bool
    good: bool
    expect: str = ""
    qc: dict | None = None

    @property
    def passed(self) -> bool:
        return self.qc is not None and self.qc["verdict"] != "fail"

    @property
    def right(self) -> bool:
        """A good item passed; a broken one failed on the check it breaks."""
        if self.good:
            return self.passed
        return not self.passed and any(f": {self.expect} " in line for line in self.qc["failed"])


def even_words(timeline: dict) -> dict:
    """words.json as align_words writes it when no word is recognised: spread evenly."""
    segments = []
    for seg in timeline["segments"]:
        tokens = seg["text"].split()
        step = (seg["end"] - seg["start"]) / len(tokens)
        segments.append({**{k: seg[k] for k in ("text", "start", "end")},
                         "words": [{"word": w, "start": seg["start"] + k * step,
                                    "end": seg["start"] + (k + 1) * step}
                                   for k, w in enumerate(tokens)]})
    return {"segments": segments}


def narration(folder: Path, text: str = TEXT) -> dict:
    """A real narration (Piper's bundled voice), its SRT and its words, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    script = {"language": "en", "segments": [s.to_dict() for s in build_script(text)]}
    timeline = narrate(script, folder / "n.mp3", folder / "n.json",
                       {"engine": "piper", "voice": "bundled"})
    write_srt(timeline, folder / "n.srt", max_cps={"default": 17, "en": 20})
    (folder / "words.json").write_text(json.dumps(even_words(timeline)), encoding="utf-8")
    return timeline


def picture(clip: Path, out: Path, chain: str, seconds: float, size: tuple[int, int]) -> Path:
    """``clip`` looped to ``seconds``, scaled to ``size`` and changed by ``chain`` (or, for
    ``freeze``, stopped after a second and its frame held; for ``still``, one frame held)."""
    w, h = size
    mid = round(seconds / 2, 2)
    chain = chain.format(end_fade=round(seconds - 1.2, 2), mid=mid, mid_in=round(mid + 0.6, 2),
                         mid_3=round(mid + 3, 2))
    base = f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1,fps=15"
    if chain == "freeze":
        chain = "trim=end=1,tpad=stop_mode=clone:stop_duration=600"
    elif chain == "still":
        chain = "trim=end_frame=1,tpad=stop_mode=clone:stop_duration=600"
    run_ffmpeg(["-stream_loop", "-1", "-i", str(clip), "-t", f"{seconds:.2f}", "-an",
                "-vf", f"{base},{chain}", "-t", f"{seconds:.2f}", "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)], what="corpus picture")
    return out


def _rewrite(path: Path, chain: str, what: str) -> None:
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    run_ffmpeg(["-i", str(path), "-vf", chain, "-c:v", "libx264", "-preset", "ultrafast",
                "-c:a", "copy", "-shortest", str(tmp)], what=what)
    tmp.replace(path)


def gone_black(path: Path) -> None:
    """Break a render after the fact: its picture black throughout (its sound kept)."""
    _rewrite(path, "drawbox=c=black:t=fill", "black render")


def stopped(path: Path) -> None:
    """Break a render after the fact: its picture stops after a second, that frame held."""
    _rewrite(path, "trim=end=1,tpad=stop_mode=clone:stop_duration=600", "stopped render")


def judge_render(folder: Path, timeline: dict, item: Item, video: VideoOptions,
                 style: SubtitleStyle, config: dict, after=None) -> dict:
    """Render ``item`` over its footage under the narration in ``folder``, (for a broken
    render, pass it through ``after``) and judge it as the qc job does."""
    out = folder / f"{item.name}.mp4"
    otio = folder / f"{item.name}.otio"
    step = "source" if item.own_source else "local"
    plan = FootagePlan(step, clips=[Clip(item.footage, probe(item.footage).duration)])
    render_long(background=plan, narration=str(folder / "n.mp3"), srt=str(folder / "n.srt"),
                out=str(out), duration=timeline["duration"], video=video, style=style,
                timeline=str(otio))
    if after is not None:
        after(out)
    words = json.loads((folder / "words.json").read_text(encoding="utf-8"))
    target = Video(str(out), 0.0, timeline["duration"], read_srt(folder / "n.srt"), style, 2,
                   False, words)
    if item.own_source:
        target.excused = from_timeline(str(otio), timeline["duration"], video.fps, item.footage)
    return check_drama([target], timeline, config)


def worst_values(items: list[Item]) -> dict[str, tuple[float, str]]:
    """Each check's worst (highest) value over ``items``, with the item that had it."""
    out: dict[str, tuple[float, str]] = {}
    for item in items:
        for record in (item.qc or {}).get("videos", {}).values():
            for name, check in record["checks"].items():
                if name not in out or check["value"] > out[name][0]:
                    out[name] = (check["value"], item.name)
    return out
