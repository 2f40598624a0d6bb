"""The no-op rebuild: when nothing a build reads has changed, say so and stop.

This runs before anything heavy is imported (standard library only), so an unchanged
rebuild costs little more than starting Python. A stamp of every input (the manuscripts'
folders, styles/, the installed packages, this code, the options and the date) is kept
beside the output folder with the list of files the build left; if both still match, the
output folder is up to date.
"""

from __future__ import annotations

import datetime as dt
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


def files_under(folder: Path, skip: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__"))
                         and (Path(root) / d).resolve() != skip)
        found += [Path(root) / f for f in sorted(files) if not f.startswith(".")]
    return found


def stamp(sources: list[Path], out: Path, styles: Path, options: object) -> str:
    """A hash of everything a build of ``sources`` depends on."""
    hasher = hashlib.sha256()
    skip = out.resolve()
    folders = sorted({s.resolve().parent for s in sources} | {styles.resolve()})
    for folder in folders:
        for path in files_under(folder, skip):
            hasher.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    for path in sorted(PACKAGE.rglob("*.py")):  # this program
        info = path.stat()
        hasher.update(f"{path}:{info.st_size}:{info.st_mtime_ns}".encode())
    for entry in sys.path:  # the installed packages (WeasyPrint, fonts…), by version
        if entry.endswith("site-packages") and os.path.isdir(entry):
            hasher.update("\n".join(sorted(os.listdir(entry))).encode())
    hasher.update(repr((sorted(str(s.resolve()) for s in sources), options,
                        os.environ.get("SOURCE_DATE_EPOCH"), dt.date.today())).encode())
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
