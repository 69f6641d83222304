import pytest

from dramabatch.base.errors import DramaError
from dramabatch.base.media import filter_escape, probe, run_ffmpeg


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_ffmpeg_watchdog_stops_a_stalled_run(tmp_path):
    with pytest.raises(DramaError, match="timed out after 1 s"):
        run_ffmpeg(["-re", "-f", "lavfi", "-i", "anullsrc", "-t", "30", "-f", "null", "-"],
                   what="stall", timeout=1)


def test_ffmpeg_failure_quotes_stderr():
    with pytest.raises(DramaError, match=r"probe failed \(ffmpeg exit \d+\): .*nope"):
        run_ffmpeg(["-i", "/nonexistent/nope.mp4", "-f", "null", "-"], what="probe")


@pytest.mark.parametrize("name", ["it's a: test, [x]; y.ass", "canción ñ.ass"])
def test_filter_escape_survives_odd_paths(tmp_path, name):
    sub = tmp_path / name
    sub.write_text("[Script Info]\nScriptType: v4.00+\n", encoding="utf-8")
    out = tmp_path / "o.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=s=64x36:d=0.5", "-vf",
                f"ass=filename={filter_escape(str(sub))}", "-f", "mp4", str(out)], what="esc")
    assert probe(out).has_video


def test_probe_explains_non_media(tmp_path):
    fake = tmp_path / "fake.mp4"
    fake.write_text("just text")
    with pytest.raises(DramaError, match="not a readable media file"):
        probe(fake)
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(DramaError, match="file is empty"):
        probe(tmp_path / "empty.mp4")


def test_atomic_output_clears_parts_left_by_killed_writers(tmp_path):
    from dramabatch.base.fsutil import atomic_output

    final = tmp_path / "long.mp4"
    stale = tmp_path / ".long.part-999999.mp4"
    stale.write_bytes(b"half a video")
    other = tmp_path / ".short_01.part-999999.mp4"
    other.write_bytes(b"not ours")
    with atomic_output(final) as tmp:
        tmp.write_bytes(b"whole")
    assert final.read_bytes() == b"whole"
    assert not stale.exists() and other.exists()


def test_atomic_output_leaves_a_live_writers_part_alone(tmp_path):
    """Concurrent jobs share a few side files (the Pexels rate-limit state): a part file whose
    writer is still running must survive another writer's cleanup."""
    import subprocess
    import sys

    from dramabatch.base.fsutil import write_text_atomic

    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = tmp_path / f".ratelimit.part-{writer.pid}.json"
        live.write_text("{}")
        write_text_atomic(tmp_path / "ratelimit.json", '{"remaining": 5}')
        assert live.exists()
    finally:
        writer.kill()
        writer.wait()
    write_text_atomic(tmp_path / "ratelimit.json", '{"remaining": 4}')
    assert not live.exists()  # its writer is gone now


def test_atomic_output_clears_a_killed_writers_part_while_it_is_a_zombie(tmp_path):
    """A writer killed with its parent stays a zombie until init reaps it (some container inits
    take seconds): its PID still answers signals, yet it writes nothing any more."""
    import signal
    import subprocess
    import sys
    import time

    from dramabatch.base.fsutil import write_text_atomic

    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        part = tmp_path / f".long.part-{writer.pid}.mp4"
        part.write_bytes(b"half a video")
        writer.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # not reaped (no wait()): a zombie
            with open(f"/proc/{writer.pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
            time.sleep(0.01)
        else:
            raise AssertionError("the killed writer never became a zombie")
        write_text_atomic(tmp_path / "long.mp4", "whole")
        assert not part.exists()
    finally:
        writer.wait()
