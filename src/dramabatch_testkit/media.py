"""Tiny real media for tests and benchmarks: ffmpeg-made videos and a rendered video's check.

Sizes stay at 160x90 and a few seconds so that a test costs seconds; the pictures are ffmpeg's
own test sources, the speech is real Piper speech of the sentences below.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from dramabatch.base.media import run_ffmpeg

SENTENCE_A = ("The old lighthouse keeper climbed the stairs every night. "
              "He cleaned the glass, and he watched the boats come home.")
SENTENCE_B = ("Clara found a letter inside an old book. "
              "It was written by a soldier, and it was never sent.")
#: One short sentence each (about 2.5 s of speech): for batches of many dramas where what is said
#: does not matter (shared downloads, one archive per drama), every drama's jobs then cost less.
BRIEF_A = "Rain fell on the quiet city all night long."
BRIEF_B = "The waves rolled in under a grey morning sky."


def make_video(path: Path, *, wav: Path | None, seconds: float, size: str = "160x90") -> Path:
    """A real H.264/AAC mp4 with a generated picture and (optionally) the given audio."""
    args = ["-f", "lavfi", "-i", f"testsrc2=s={size}:r=15:d={seconds:.2f}"]
    if wav is not None:
        args += ["-i", str(wav), "-af", "apad", "-c:a", "aac"]
    args += ["-t", f"{seconds:.2f}", "-c:v", "libx264", "-preset", "ultrafast",
             "-pix_fmt", "yuv420p", "-f", "mp4", str(path)]
    run_ffmpeg(args, what="test video")
    return path


def encode_gray(frames: list, path: Path, fps: float) -> Path:
    """Encode same-size 8-bit grey numpy frames as an H.264 mp4 (synthetic test sources)."""
    import numpy as np

    from dramabatch.base.media import ffmpeg_exe

    height, width = frames[0].shape
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "gray",
                    "-s", f"{width}x{height}", "-r", str(fps), "-i", "-", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
                   input=np.stack(frames).tobytes(), check=True)
    return path


def check_video(path: Path, width: int, height: int, duration: float) -> dict[str, float]:
    """Assert a rendered mp4 has the frame size, decodes fully, and its streams end together.

    Video and audio must agree within 50 ms (by decoding and by stream headers) and the file must
    last ``duration`` within 0.1 s. Returns the decoded end time of each stream.
    """
    from dramabatch.base.media import decode_check, probe

    info = probe(path)
    assert (info.width, info.height) == (width, height)
    decoded = decode_check(path)
    assert abs(decoded["video"] - decoded["audio"]) <= 0.05, decoded
    assert abs(info.video_duration - info.audio_duration) <= 0.05, info
    assert abs(info.duration - duration) <= 0.1, (info.duration, duration)
    return decoded


def draw_face(size: int):
    """A grey cartoon face (uint8, ``size`` square) that OpenCV's frontal-face cascade finds:
    skin oval, brows, dark eyes, a light nose, a mouth. Needs the 'reframe' extra (OpenCV)."""
    import cv2
    import numpy as np

    s, c = size, size // 2
    img = np.full((s, s), 60, np.uint8)
    cv2.ellipse(img, (c, int(c * 1.05)), (int(s * 0.30), int(s * 0.40)), 0, 0, 360, 190, -1)
    for dx in (-1, 1):
        x = c + dx * int(s * 0.13)
        cv2.ellipse(img, (x, int(s * 0.36)), (int(s * 0.08), int(s * 0.03)), 0, 0, 360, 70, -1)
        cv2.ellipse(img, (x, int(s * 0.44)), (int(s * 0.07), int(s * 0.035)), 0, 0, 360, 40, -1)
    cv2.ellipse(img, (c, int(s * 0.58)), (int(s * 0.04), int(s * 0.09)), 0, 0, 360, 215, -1)
    cv2.ellipse(img, (c, int(s * 0.74)), (int(s * 0.12), int(s * 0.035)), 0, 0, 360, 70, -1)
    return cv2.GaussianBlur(img, (0, 0), s * 0.02)
