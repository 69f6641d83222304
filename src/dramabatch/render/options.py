"""What a render is asked for: frame, encoder, audio bed and caption style.

Shared by both render engines (the ffmpeg graph in ``render`` and the moviepy composition in
``moviepy_engine``), so neither imports the other for its types.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VideoOptions:
    width: int
    height: int
    fps: int = 30
    crf: int = 23
    preset: str = "veryfast"
    encoder: str = "libx264"
    audio_bitrate: str = "192k"
    threads: int = 0
    #: Longest stretch of one stock clip before cutting to the next (0: use each clip whole).
    seconds_per_clip: float = 0.0
    #: Seconds of crossfade (xfade) between consecutive clips; 0 cuts.
    crossfade: float = 0.0
    #: Most a clip shown whole (fit blur/bars) is upscaled.
    max_upscale: float = 2.0


#: Output audio sample rate.
SAMPLE_RATE = 48000


@dataclass(frozen=True)
class AudioMix:
    """What plays under the narration. Empty paths leave the narration alone."""

    #: A music file, looped to the length, at ``music_volume`` (linear gain).
    music: str = ""
    music_volume: float = 0.15
    #: A media file whose own audio track (the drama's original sound) plays under the voice.
    original: str = ""
    original_volume: float = 0.5
    #: sidechaincompress settings: the narration pushes the bed down while it speaks.
    duck_threshold: float = 0.02
    duck_ratio: float = 8.0
    duck_attack_ms: float = 20.0
    duck_release_ms: float = 400.0

    @property
    def has_bed(self) -> bool:
        return bool(self.music or self.original)

    @classmethod
    def from_config(cls, cfg: dict, original: str = "", music: str | None = None) -> AudioMix:
        """From the ``audio:`` config section; ``original`` is the source (used if enabled).

        ``music``: the file the rule resolved ``audio.music`` to (a mood names a packaged track,
        see ``render.music``); None reads the config's value as a path.
        """
        duck = cfg.get("ducking", {})
        return cls(music=(cfg.get("music", "") or "") if music is None else music,
                   music_volume=cfg.get("music_volume", 0.15),
                   original=original if cfg.get("original_audio", False) else "",
                   original_volume=cfg.get("original_volume", 0.5),
                   duck_threshold=duck.get("threshold", 0.02),
                   duck_ratio=duck.get("ratio", 8.0),
                   duck_attack_ms=duck.get("attack_ms", 20.0),
                   duck_release_ms=duck.get("release_ms", 400.0))


@dataclass(frozen=True)
class SubtitleStyle:
    font: str = "Montserrat"
    #: Font size as a fraction of the frame height, so one style fits every resolution.
    size: float = 0.05
    colour: str = "FFFFFF"
    outline_colour: str = "000000"
    outline: float = 0.004
    bold: bool = True
    #: "bottom", "center" or "faces" (in the safe zone, clear of the faces: render.placement).
    position: str = "bottom"
    margin: float = 0.06


def video_options(render_cfg: dict, kind: str, threads: int = 0) -> VideoOptions:
    """VideoOptions from the ``render:`` config section; ``kind`` is 'long' or 'short'."""
    return VideoOptions(width=render_cfg[kind]["width"], height=render_cfg[kind]["height"],
                        fps=render_cfg["fps"], crf=render_cfg["crf"],
                        preset=render_cfg["preset"], encoder=render_cfg["encoder"],
                        threads=threads,
                        seconds_per_clip=render_cfg.get("seconds_per_clip", 0.0),
                        crossfade=render_cfg.get("crossfade", 0.0),
                        max_upscale=render_cfg.get("max_upscale", 2.0))
