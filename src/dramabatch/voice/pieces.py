"""Voiced segments kept as they finish, so a killed narrate job resumes where it stopped.

An hour of narration is 30-60 minutes of TTS; Snakemake removes a failed job's outputs and a
rerun started from zero. Each segment's speech is written here the moment the engine returns
it, under a key made of everything that changes that audio: the text as spoken, the engine,
its version, its voice and settings (``identity``), and this module's ``FORMAT``. A rerun
takes the kept speech and voices only what is missing; a changed text, voice, speed or engine
version gives another key, so a stale piece is never reused.

The store is a folder the workflow does not declare as an output (the drama's results folder,
``.narrate-pieces``), so Snakemake leaves it alone. Each piece is one ``.npz`` file (float32
samples and their rate: exactly what the engine gave, no re-encoding), written atomically, so
a kill mid-write leaves no half piece. After a finished narration, ``prune`` drops the pieces
it did not use: the store holds one narration's speech (float32: about 350 MB an hour at
24 kHz), which a rerun after a script or loudness change partly reuses.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: Bumped when what a piece holds changes (trimming, resampling before saving...).
FORMAT = 1

#: The Python package whose version is part of each engine's identity.
_PACKAGES = {"piper": "piper-tts", "kokoro": "kokoro-onnx", "espeak-ng": "espeakng-loader",
             "edge-tts": "edge-tts", "gtts": "gTTS"}
#: Engine attributes that do not change the audio (operational settings).
_OPERATIONAL = {"timeout", "threads"}


def identity(engine: Any) -> dict:
    """What makes an engine's audio what it is: its name, class, package version and its
    public plain settings (voice, speed, language, rate...)."""
    name = getattr(engine, "name", type(engine).__name__)
    try:
        version = metadata.version(_PACKAGES[name]) if name in _PACKAGES else ""
    except metadata.PackageNotFoundError:
        version = ""
    settings = {k: v for k, v in sorted(vars(engine).items())
                if not k.startswith("_") and k not in _OPERATIONAL
                and isinstance(v, (str, int, float, bool, type(None)))}
    return {"engine": name, "class": type(engine).__qualname__, "version": version,
            "settings": settings}


class PieceStore:
    """Speech by (text, engine identity), in a folder; ``None`` folder keeps nothing."""

    def __init__(self, folder: str | os.PathLike[str] | None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.used: set[str] = set()
        self.voiced = 0
        self.reused = 0

    @staticmethod
    def key(text: str, who: dict) -> str:
        blob = json.dumps({"format": FORMAT, "text": text, "who": who}, sort_keys=True,
                          ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def has(self, key: str) -> bool:
        """Whether a piece is kept under ``key`` (without reading it)."""
        return self.folder is not None and (self.folder / f"{key}.npz").is_file()

    def get(self, key: str) -> tuple[np.ndarray, int] | None:
        """The kept speech under ``key``, or None (a piece that cannot be read is redone)."""
        if self.folder is None:
            return None
        path = self.folder / f"{key}.npz"
        try:
            with np.load(path) as data:
                found = data["samples"].astype(np.float32, copy=False), int(data["rate"])
        except (OSError, KeyError, ValueError):
            return None
        self.used.add(key)
        self.reused += 1
        return found

    def put(self, key: str, samples: np.ndarray, rate: int) -> None:
        """Keep the speech under ``key`` (atomically: a killed job leaves no half piece)."""
        self.voiced += 1
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, samples=np.asarray(samples, np.float32), rate=np.int64(rate))
            os.replace(tmp, self.folder / f"{key}.npz")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.used.add(key)

    def voice(self, engine: Any, text: str) -> tuple[np.ndarray, int]:
        """The engine's speech for ``text``: kept from an earlier run, or voiced and kept."""
        key = self.key(text, identity(engine))
        found = self.get(key)
        if found is not None:
            return found
        samples, rate = engine.synthesize(text)
        self.put(key, samples, rate)
        return samples, rate

    def prune(self) -> int:
        """Remove the pieces this run did not use (and stray temporary files); how many."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        gone = 0
        for path in self.folder.iterdir():
            if path.suffix == ".tmp" or (path.suffix == ".npz" and path.stem not in self.used):
                path.unlink(missing_ok=True)
                gone += 1
        return gone
