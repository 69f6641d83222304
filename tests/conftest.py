"""Shared fixtures: real Piper speech, tiny real videos, a loopback HTTP server, a workflow runner.

Media is tiny (160x90, a few seconds) so the suite stays fast; nothing here is mocked except where
a remote cloud service cannot be reached (gTTS), and even then the real code runs up to the socket.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dramabatch.base.audio import write_wav_mono
from dramabatch.base.media import run_ffmpeg

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

SENTENCE_A = ("The old lighthouse keeper climbed the stairs every night. "
              "He cleaned the glass, and he watched the boats come home.")
SENTENCE_B = ("Clara found a letter inside an old book. "
              "It was written by a soldier, and it was never sent.")


@pytest.fixture(scope="session")
def piper():
    from dramabatch.voice.tts.piper_engine import PiperEngine

    return PiperEngine()


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


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def speech_wav(piper, media_dir) -> Path:
    """Real synthetic speech of SENTENCE_A (Piper, bundled voice), 16-bit WAV."""
    samples, rate = piper.synthesize(SENTENCE_A)
    path = media_dir / "speech_a.wav"
    write_wav_mono(path, samples, rate)
    return path


@pytest.fixture(scope="session")
def speech_video(speech_wav, media_dir) -> Path:
    from dramabatch.base.audio import read_wav_mono

    samples, rate = read_wav_mono(speech_wav)
    return make_video(media_dir / "speech_a.mp4", wav=speech_wav,
                      seconds=len(samples) / rate + 0.3)


@pytest.fixture(scope="session")
def speech_video_b(piper, media_dir) -> Path:
    samples, rate = piper.synthesize(SENTENCE_B)
    wav = media_dir / "speech_b.wav"
    write_wav_mono(wav, samples, rate)
    return make_video(media_dir / "speech_b.mp4", wav=wav, seconds=len(samples) / rate + 0.3)


@pytest.fixture(scope="session")
def silent_video(media_dir) -> Path:
    """A video with no audio stream at all."""
    return make_video(media_dir / "silent.mp4", wav=None, seconds=2)


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


# --------------------------------------------------------------------------- loopback HTTP server
class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):  # noqa: N802 - http.server API
        self.server.hits.append(self.path)
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404, "not found")
            return
        route(self)


class LoopbackServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict = {}
        self.hits: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def serve_file(self, route: str, path: Path, content_type: str = "video/mp4") -> None:
        data = path.read_bytes()

        def handler(h):
            h.send_response(200)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)

        self.routes[route] = handler


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------- workflow runner
TINY_CONFIG = """\
manifest: {manifest}
outdir: results
scripts_dir: scripts
background:
  order: [generated]
render:
  preset: ultrafast
  fps: 15
  long: {{width: 160, height: 90}}
  short: {{width: 90, height: 160}}
shorts:
  min_seconds: 3
  max_seconds: 8
  title_seconds: 1
"""


def write_manifest(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["id\tsource\tlanguage\ttitle"] + [f"{i}\t{s}\ten\tTitle {i}" for i, s in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snakemake(workdir: Path, *args: str, timeout: int = 900,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real workflow CLI in ``workdir`` with its config.yaml."""
    cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir),
           "--configfile", str(workdir / "config.yaml"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def prepare_batch(wd: Path, rows: list[tuple[str, str]]) -> Path:
    """Write a manifest of ``rows`` and the tiny config into ``wd``; return ``wd``."""
    manifest = write_manifest(wd / "manifest.tsv", rows)
    (wd / "config.yaml").write_text(TINY_CONFIG.format(manifest=manifest))
    return wd


def run_batch(wd: Path, rows: list[tuple[str, str]]) -> Path:
    """Prepare and run a tiny batch to completion; fail with Snakemake's output if it does not."""
    proc = snakemake(prepare_batch(wd, rows), "--cores", "2")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return wd


@pytest.fixture
def tiny_disk(tmp_path):
    """A 512 KB tmpfs, where the machine lets us mount one (root with CAP_SYS_ADMIN)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({proc.stderr.strip() or 'not root'})")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.fixture
def tiny_batch(tmp_path, speech_video, speech_video_b) -> Path:
    """A two-drama batch at 160x90 in a fresh working directory (not yet run)."""
    return prepare_batch(tmp_path, [("alpha", str(speech_video)), ("beta", str(speech_video_b))])
