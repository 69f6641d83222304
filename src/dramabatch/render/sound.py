"""The sound of a render: the narration window, the music bed and the original sound, ducked.

Shared by the single pass (videos.render) and the join of a render in pieces (pieces.py), where
the picture is joined without re-encoding and the sound is made in one pass over the whole
length, so the pieces' joins can never be heard.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import DramaError
from ..base.media import probe
from ..footage.background import FootagePlan
from ..footage.cut_graph import cut_audio
from ..footage.scene_graph import scene_audio
from .options import SAMPLE_RATE, AudioMix

log = logging.getLogger(__name__)


def audio_graph(voice_idx: int, samples: int, mix: AudioMix, music_idx: int | None,
                original_idx: int | str | None) -> str:
    """The narration (exactly ``samples`` long at 48 kHz), with the ducked bed mixed under it.

    ``original_idx``: the input holding the original sound, or the label of a graph output that
    already made it (the scenes' time-mapped sound)."""
    fmt = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    exact = f"apad,atrim=end_sample={samples},asetpts=N/SR/TB"
    voice = f"[{voice_idx}:a]asetpts=PTS-STARTPTS,{fmt},{exact}"
    beds = []
    if music_idx is not None:
        beds.append(f"[{music_idx}:a]asetpts=PTS-STARTPTS,{fmt},volume={mix.music_volume},"
                    f"{exact}[music]")
    if original_idx is not None:
        source = original_idx if isinstance(original_idx, str) else f"[{original_idx}:a]"
        beds.append(f"{source}asetpts=PTS-STARTPTS,{fmt},"
                    f"volume={mix.original_volume},{exact}[orig]")
    if not beds:
        return voice + "[a]"
    parts = [voice + ",asplit=2[voice][key]", *beds]
    labels = [b[b.rindex("["):] for b in beds]
    if len(labels) == 2:
        parts.append(f"{''.join(labels)}amix=inputs=2:normalize=0:duration=first[bed]")
        bed = "[bed]"
    else:
        bed = labels[0]
    parts.append(f"{bed}[key]sidechaincompress=threshold={mix.duck_threshold}"
                 f":ratio={mix.duck_ratio}:attack={mix.duck_attack_ms}"
                 f":release={mix.duck_release_ms}[ducked]")
    parts.append(f"[voice][ducked]amix=inputs=2:normalize=0:duration=first,{exact}[a]")
    return ";".join(parts)


@dataclass(frozen=True)
class Sound:
    """The audio inputs of a render (appended after its footage inputs) and where they are."""

    args: list[str]
    voice_idx: int
    music_idx: int | None
    #: the original sound's input, or "[scene_a]" when ``scene_sound`` makes it
    original_idx: int | str | None
    #: graph from the footage inputs' own sound to ``[scene_a]`` ("" when unused)
    scene_sound: str
    n_inputs: int


def sound_inputs(footage: FootagePlan, audio: str, mix: AudioMix, audio_start: float,
                 length: float, fps: int, n_inputs: int, what: str) -> Sound:
    """The narration window, the music and the original sound, as inputs numbered from
    ``n_inputs`` (the footage's inputs come first: the scenes' and cuts' sound is theirs).
    Shared by the single pass and the join of a render in pieces (render.pieces)."""
    in_args = ["-ss", f"{audio_start:.3f}", "-t", f"{length + 0.5:.3f}", "-i", audio]
    voice_idx, n_inputs = n_inputs, n_inputs + 1
    music_idx: int | None = None
    original_idx: int | str | None = None
    if mix.music:
        if not Path(mix.music).is_file():
            raise DramaError(f"background music file not found: {mix.music}")
        in_args += ["-stream_loop", "-1", "-i", mix.music]
        music_idx, n_inputs = n_inputs, n_inputs + 1
    scene_sound = ""
    if mix.original:
        if footage.cuts:  # the sound of each cut, following the edited picture
            scene_sound = cut_audio(footage, SAMPLE_RATE, fps)
            original_idx = "[scene_a]"
        elif footage.spans and probe(footage.clips[0].path).has_audio:
            # the scenes' own sound, following the picture (the runs' inputs carry it)
            scene_sound = scene_audio(footage, audio_start, length, SAMPLE_RATE)
            original_idx = "[scene_a]"
        elif probe(mix.original).has_audio:
            in_args += ["-stream_loop", "-1", "-ss", f"{audio_start:.3f}", "-i", mix.original]
            original_idx, n_inputs = n_inputs, n_inputs + 1
        else:
            log.warning("%s: the source has no audio track; no original audio under the voice",
                        what)
    return Sound(in_args, voice_idx, music_idx, original_idx, scene_sound, n_inputs)
