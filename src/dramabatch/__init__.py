"""dramabatch: turn a batch of source drama videos into narrated long videos and vertical shorts.

The Snakemake workflow at the repository root wires this package together; every function here is
importable and unit-tested on its own, so the rule scripts stay a few lines long. One subpackage
per pipeline stage, named like ``rules/*.smk`` where they match, in pipeline order:

    base      errors, media probing, atomic files, audio helpers, the cache folder
    sources   fetch_source: a file, a URL or a video page
    speech    transcribe: Whisper, audio tracks, the transcript's trust checks
    script    the narration script (guion), and its rewrite by an endpoint
    voice     narrate: TTS engines, loudness, word times
    footage   background: Pexels, local clips, the drama's own scenes, reframing
    render    render_long / render_short: one ffmpeg graph, captions, thumbnails
    shorts    plan_shorts: which sentences become shorts
    qc        the checks of every finished video (picture, sound, duration, captions): qc.json
    archive   finish / package: report pages and zips
    workflow  the machinery used by rules/ and scripts/ only: Snakemake glue and workarounds,
              rerun tracking, the manifest, disk planning, the run summary
    demo      the offline demo batch's sources

Imports only go down this list (``LAYERS``); workflow and demo stand on top, side by side, and
no stage imports them. tests/test_layers.py holds the code to it.
"""

__version__ = "0.1.0"

#: Subpackages from the ground floor up; a module may import its own floor or lower ones. A tuple
#: is one floor of packages that must not import each other.
LAYERS: tuple[str | tuple[str, ...], ...] = (
    "base", "sources", "speech", "script", "voice", "footage", "render", "shorts", "qc", "archive",
    ("workflow", "demo"),
)
