"""The sound of a recap's original moments (script/beats.py): the drama's own line, in the
narration track itself.

Putting the moment's source audio into ``narration.mp3`` (rather than a silence there and the
source mixed in by each render) keeps one track that everything downstream already follows: the
long video and every short play it at 1x, the music is ducked under it as under the voice, its
words are aligned for the shorts' captions, and its loudness is brought to the narration's.
The piece is exactly ``round(length * rate)`` samples, so every later time stays sample-exact.
"""

from __future__ import annotations

import os
import subprocess

import numpy as np

from ..base.errors import DramaError
from ..base.media import ffmpeg_exe


def moment_audio(source: str | os.PathLike[str], start: float, end: float,
                 rate: int) -> np.ndarray:
    """The source's sound from ``start`` to ``end`` (seconds), mono float32 at ``rate``, padded
    with silence or cut to exactly ``round((end - start) * rate)`` samples."""
    want = round((end - start) * rate)
    if want <= 0:
        raise DramaError(f"original moment {start:.2f}-{end:.2f} s has no length")
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-nostdin", "-ss", f"{start:.4f}", "-t",
         f"{end - start:.4f}", "-i", str(source), "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
         "-f", "f32le", "-"], capture_output=True, timeout=300)
    if proc.returncode != 0:
        raise DramaError(f"could not read the source's sound at {start:.2f}-{end:.2f} s for an "
                         f"original moment: {proc.stderr.decode(errors='replace')[-200:].strip()}")
    samples = np.frombuffer(proc.stdout, np.float32)[:want]
    return np.pad(samples, (0, want - len(samples))).astype(np.float32)
