"""The no-op rebuild: when nothing a build reads has changed, say so and stop.

This runs before anything heavy is imported (standard library only), so an unchanged
rebuild costs little more than starting Python. A stamp of every input (the manuscripts,
the images in their folders by size and date, styles/, this code and the installed
packages, the options and the date) is kept
beside the output folder with the list of files the build left; if both still match, the
output folder is up to date.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import sys
from pathlib import Path

from .files import atomic_write

STAMP = "last-build.json"
PACKAGE = Path(__file__).resolve().parent


def cache_folder(out: Path) -> Path:
    """Where the task cache and the no-op stamp live: beside the output folder, so the
    folder itself holds only what gets uploaded."""
    return out.resolve().parent / f".{out.resolve().name}.publish-cache"


# The files besides the manuscripts that a build reads from a manuscript's folder: its
# images (the suffixes guidepress.assets accepts; this module must not import it).
IMAGE_SUFFIXES = frozenset({".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"})


def files_under(folder: Path, skip: Path, suffixes: frozenset[str] | None = None
                ) -> list[Path]:
    """Regular files under ``folder`` (with one of ``suffixes``, if given), in a stable
    order, leaving out hidden files and folders and the output folder."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__"))
                         and (Path(root) / d).resolve() != skip)
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and (suffixes is None or path.suffix.lower()
                                              in suffixes) and path.is_file():
                found.append(path)
    return found


def stamp(sources: list[Path], out: Path, styles: Path, options: object) -> str | None:
    """A hash of everything a build of ``sources`` depends on; None when some input
    cannot be read (the build then runs, and says what is wrong)."""
    hasher = hashlib.sha256()
    skip = out.resolve()
    try:
        for path in sorted(s.resolve() for s in sources):
            hasher.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        # Images by size and date, like make: a manuscript's folder may be large.
        for folder in sorted({s.resolve().parent for s in sources}):
            for path in files_under(folder, skip, IMAGE_SUFFIXES):
                info = path.stat()
                hasher.update(f"{path}:{info.st_size}:{info.st_mtime_ns}\0".encode())
        for path in files_under(styles.resolve(), skip):
            hasher.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    hasher.update(program_fingerprint().encode())
    hasher.update(repr((sorted(str(s.resolve()) for s in sources), options,
                        os.environ.get("SOURCE_DATE_EPOCH"), dt.date.today())).encode())
    return hasher.hexdigest()


@functools.cache
def program_fingerprint() -> str:
    """This program's code and the installed packages (WeasyPrint, fonts…, by version):
    a new version of either may make different files from the same input."""
    hasher = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        info = path.stat()
        hasher.update(f"{path}:{info.st_size}:{info.st_mtime_ns}".encode())
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            hasher.update("\n".join(sorted(os.listdir(entry))).encode())
    return hasher.hexdigest()


def listed_files(out: Path) -> dict[str, int] | None:
    """Every file the manifest lists, with its size, or None without a manifest."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sizes = {f["path"]: f["bytes"] for g in manifest.get("guides", []) for f in g["files"]}
    for path in manifest.get("site", []):
        sizes[path] = -1  # site files: existence is enough
    sizes["manifest.json"] = (out / "manifest.json").stat().st_size
    return sizes


def up_to_date(out: Path, key: str) -> list[str] | None:
    """The warnings of the last build when nothing changed since; None otherwise."""
    try:
        last = json.loads((cache_folder(out) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if last.get("key") != key or last.get("files") != listed_files(out):
        return None
    for path, size in last["files"].items():
        target = out / path
        if not target.is_file() or (size >= 0 and target.stat().st_size != size):
            return None
    return list(last.get("warnings", []))


def record(out: Path, key: str, warnings: list[str]) -> None:
    data = {"key": key, "files": listed_files(out), "warnings": warnings}
    atomic_write(cache_folder(out) / STAMP, json.dumps(data).encode("utf-8"))
