"""Captions over faces in a finished demo batch: every short and every long video, before
(shorts' captions at the centre, the long video's at the bottom) and now (``position: faces``).

    make demo   # or a copy of the repository with its results/ (see the issue's closing note)
    .venv/bin/python benchmarks/caption_faces.py --results results [--before DIR]
        [--frames DIR] [--record]

Faces: BlazeFace (footage/faces.py) on the rendered frames, 5 a second, read 640 px wide; for a
long video whose earlier render is kept (``--before DIR/<id>_long.mp4``), on both renders (a
caption over a face may hide it from the detector: the union is the truth). Kept as
face_track keeps them: scoring at least 0.6, and 0.75 when under a tenth of the height. On the
demo, every detection below that was looked at and is no face: the night Earth (0.52-0.56) and
lit windows of the towers (15-20 px, 0.51-0.64); the real faces score 0.7-0.96.

Caption boxes: from the ASS placement and the measured text size, not from the pixels: each
cue's lower edge (the render's record in the video's .otio, ``dramabatch.captions``; before:
the centre of a short, ``margin`` above the long video's bottom), its lines as libass wraps
them in the style's box (Pillow measures the packaged font: placement.caption_height), its
width the widest line, centred in its box. A frame overlaps when a cue shown at that time has a
box meeting a face box.

Cost (long videos): the seconds render_long spent looking for faces (its log) over its wall
time (its benchmark file).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import append_results, benchmark_record, table  # noqa: E402

from dramabatch.base.media import ffmpeg_exe, probe  # noqa: E402
from dramabatch.footage.face_track import MIN_SCORE, SMALL, SMALL_SCORE  # noqa: E402
from dramabatch.footage.faces import detector  # noqa: E402
from dramabatch.footage.frames import stream_frames  # noqa: E402
from dramabatch.render.caption_images import caption_font  # noqa: E402
from dramabatch.render.placement import LINE, MARGIN_L, MARGIN_R  # noqa: E402
from dramabatch.render.subtitles import read_srt  # noqa: E402

FPS = 5
READ_W = 640


def lines_of(text: str, font, box_w: float, outline: float) -> list[str]:
    """The lines of ``text`` wrapped greedily into ``box_w`` (as placement.caption_height)."""
    out = []
    for paragraph in text.replace("\\N", "\n").split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and font.getlength(candidate) + 2 * outline > box_w:
                out.append(line)
                line = word
            else:
                line = candidate
        out.append(line)
    return out


def box(text: str, size: int, outline: float, left: float, right: float, width: int,
        bottom: float | None = None, middle: float | None = None) -> tuple[float, ...]:
    """(x0, y0, x1, y1) in pixels of a caption drawn in [left, right], its lower edge at
    ``bottom`` or its centre at ``middle``."""
    font = caption_font(size, True)
    lines = lines_of(text, font, right - left, outline)
    w = max(font.getlength(line) for line in lines) + 2 * outline
    h = len(lines) * size * LINE + 2 * outline
    cx = (left + right) / 2
    y1 = bottom if bottom is not None else middle + h / 2
    return cx - w / 2, y1 - h, cx + w / 2, y1


def faces_at(paths: list[str], times: list[float]) -> list[list[tuple[float, ...]]]:
    """Face boxes (pixels of the video) at each time, the union over ``paths``."""
    find = detector()
    width, _ = probe(paths[0]).width, None
    found: list[list[tuple[float, ...]]] = [[] for _ in times]
    for path in paths:
        for k, frame, _ in stream_frames(path, times, READ_W, colour=True):
            k_scale = width / frame.shape[1]
            found[k] += [(f.x * k_scale, f.y * k_scale, (f.x + f.w) * k_scale,
                          (f.y + f.h) * k_scale) for f in find(frame)
                         if f.score >= MIN_SCORE and (f.h >= SMALL * frame.shape[0]
                                                      or f.score >= SMALL_SCORE)]
    return found


def meets(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def share(cues: list[tuple[float, float, tuple]], faces, times) -> tuple[int, int]:
    """(frames with a face and a caption whose box meets a face, frames with both)."""
    over = both = 0
    for k, t in enumerate(times):
        shown = [b for s, e, b in cues if s <= t < e]
        if not shown or not faces[k]:
            continue
        both += 1
        over += any(meets(b, f) for b in shown for f in faces[k])
    return over, both


def meta(otio: Path) -> dict:
    return json.loads(otio.read_text(encoding="utf-8"))["metadata"]["dramabatch"]


def frame_png(video: str, t: float, out: Path) -> None:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{t:.2f}", "-i", video,
                    "-frames:v", "1", "-vf", "scale=640:-2", str(out)], check=True)


def short_rows(drama: Path, config: dict, frames: Path | None,
               before_dir: Path | None = None) -> list[list]:
    style = config["render"]["style_short"]
    rows = []
    for mp4 in sorted((drama / "shorts").glob("short_*.mp4")):
        info = probe(mp4)
        w, h = info.width, info.height
        size, outline = max(8, round(style["size"] * h)), max(1.0, 0.004 * h)
        record = meta(mp4.with_suffix(".otio")).get("captions", [])
        now = [(r["start"], r["end"], box(r["text"], size, outline, MARGIN_L * w,
                                          (1 - MARGIN_R) * w, w, bottom=r["bottom"] * h))
               for r in record]
        before = [(r["start"], r["end"], box(r["text"], size, outline, 0.05 * w, 0.95 * w, w,
                                             middle=h / 2)) for r in record]
        times = list(np.arange(0.1, info.duration - 0.1, 1 / FPS))
        faces = faces_at([str(mp4)], times)
        rows.append(row(f"{drama.name}/{mp4.name}", info.duration, times, faces, before, now,
                        record))
        prior = before_dir / f"{drama.name}_{mp4.stem}.otio" if before_dir else None
        if prior is not None and prior.exists():  # an earlier faces placement, same footage
            earlier = [(r["start"], r["end"], box(r["text"], size, outline, MARGIN_L * w,
                                                  (1 - MARGIN_R) * w, w, bottom=r["bottom"] * h))
                       for r in meta(prior).get("captions", [])]
            over, both = share(earlier, faces, times)
            rows[-1].append(f"{over}/{both} ({over / max(1, both):.0%})")
        if frames is not None:
            picked = pick(record, faces, times, now)
            if picked is not None:
                frame_png(str(mp4), picked, frames / f"{drama.name}_{mp4.stem}_{picked:.1f}s.png")
    return rows


def long_row(drama: Path, config: dict, before_dir: Path | None, frames: Path | None) -> list:
    mp4 = drama / "long.mp4"
    info = probe(mp4)
    w, h = info.width, info.height
    style = config["render"]["style_long"]
    size, outline = max(8, round(style["size"] * h)), max(1.0, 0.004 * h)
    record = meta(drama / "long.otio").get("captions", [])
    now = [(r["start"], r["end"], box(r["text"], size, outline, r["x"][0] * w, r["x"][1] * w,
                                      w, bottom=r["bottom"] * h)) for r in record]
    cues = read_srt(drama / f"{drama.name}.srt")
    before = [(s, e, box(text, size, outline, 0.05 * w, 0.95 * w, w,
                         bottom=(1 - style["margin"]) * h)) for text, s, e in cues]
    old = before_dir / f"{drama.name}_long.mp4" if before_dir else None
    paths = [str(mp4)] + ([str(old)] if old and old.exists() else [])
    times = list(np.arange(0.1, info.duration - 0.1, 1 / FPS))
    faces = faces_at(paths, times)
    out = row(f"{drama.name}/long.mp4", info.duration, times, faces, before, now, record)
    log = (drama.parent / "logs" / drama.name / "render_long.log").read_text(errors="replace")
    looked = re.findall(r"picture: on (\d+) of (\d+) samples, \d+ shot\(s\), ([\d.]+) s looking",
                        log)
    wall = float(benchmark_record(drama.parent / "benchmarks" / drama.name /
                                  "render_long.tsv")["s"])
    if looked:
        hits, samples, seconds = looked[-1]
        out += [f"{samples} ({hits} with faces)", f"{float(seconds):.2f}", f"{wall:.1f}",
                f"{float(seconds) / wall:.3f}"]
    if frames is not None:
        picked = pick(record, faces, times, now)
        if picked is not None:
            frame_png(str(mp4), picked, frames / f"{drama.name}_long_{picked:.1f}s.png")
            if old and old.exists():
                frame_png(str(old), picked, frames / f"{drama.name}_long_before_{picked:.1f}s.png")
    return out


def pick(record, faces, times, now) -> float | None:
    """A time showing a face and a caption clear of it, moved off its usual place if any."""
    best = None
    for k, t in enumerate(times):
        shown = [(b, r) for (s, e, b), r in zip(now, record, strict=True) if s <= t < e]
        if not shown or not faces[k] or any(meets(b, f) for b, _ in shown for f in faces[k]):
            continue
        moved = any(r["place"] not in ("bottom", "low") for _, r in shown)
        if best is None or (moved and not best[1]):
            best = (t, moved)
    return None if best is None else best[0]


def row(name, duration, times, faces, before, now, record) -> list:
    b_over, both = share(before, faces, times)
    n_over, n_both = share(now, faces, times)
    places: dict[str, int] = {}
    for r in record:
        places[r["place"]] = places.get(r["place"], 0) + 1
    return [name, f"{duration:.1f}", len(times), sum(bool(f) for f in faces),
            f"{b_over}/{both} ({b_over / max(1, both):.0%})",
            f"{n_over}/{n_both} ({n_over / max(1, n_both):.0%})",
            ", ".join(f"{n} {p}" for p, n in sorted(places.items()))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", default="results")
    ap.add_argument("--config", default="", help="the run's config.yaml (default: the results' "
                                                 "repository's config/config.yaml)")
    ap.add_argument("--before", default="", help="folder of <id>_long.mp4 rendered before")
    ap.add_argument("--frames", default="", help="folder to write pictures into")
    ap.add_argument("--record", action="store_true", help="append to benchmarks/RESULTS.md")
    a = ap.parse_args()
    import yaml

    results = Path(a.results)
    config = yaml.safe_load(Path(a.config or results.parent / "config" / "config.yaml")
                            .read_text())
    frames = Path(a.frames) if a.frames else None
    if frames is not None:
        frames.mkdir(parents=True, exist_ok=True)
    before = Path(a.before) if a.before else None
    dramas = sorted(p for p in results.iterdir() if (p / "long.otio").exists())
    shorts = [r for d in dramas for r in short_rows(d, config, frames, before)]
    longs = [long_row(d, config, before, frames) for d in dramas]
    head = ["video", "s", "frames", "with a face", "caption on a face: before",
            "caption on a face: now", "places now"]
    extra = ["caption on a face: earlier placement"] if shorts and len(shorts[0]) > len(head) \
        else []
    body = (table(head + extra, shorts) + "\n\n"
            + table(head + ["frames looked at (render_long)", "look s", "render_long s",
                            "look/render"], longs))
    title = ("Captions over faces, demo batch: every short (before: centred) and every long "
             "video (before: bottom), caption boxes from the ASS placement and measured text")
    if a.record:
        append_results(title, body)
    else:
        print(body)


if __name__ == "__main__":
    main()
