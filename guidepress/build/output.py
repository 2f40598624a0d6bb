"""Putting files in place: staged beside their targets, renamed into place atomically.

Writers hand back bytes and nothing is written until every manuscript has been read and
every output made, so a failed build never leaves a half-written file in the output
folder. One build at a time holds the output folder's lock; a killed build's staged
files and scratch folder are removed by the next.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import PublishError
from ..files import stage
from ..writers import OutputFile
from .manifest import MANIFEST, inside


def install(out: Path, files: list[OutputFile]) -> None:
    """Stage every file first; only when all are written, rename them into place.

    A full disk or a permission problem while staging leaves the old files untouched."""
    staged: list[tuple[Path, Path]] = []
    try:
        for file in files:
            target = out / file.path
            if unchanged(target, file.data):
                continue  # same bytes: leave the file (and its date) alone
            staged.append((stage(target, file.data), target))
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    if staged:
        # While files are being swapped the old manifest would describe some of them
        # wrongly: take it away first. A folder without manifest.json is incomplete (an
        # interrupted build); the next build puts it right.
        (out / MANIFEST).unlink(missing_ok=True)
    for temp, target in staged:
        os.replace(temp, target)


def unchanged(target: Path, data: bytes) -> bool:
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


@contextlib.contextmanager
def output_lock(folder: Path, out: Path) -> Iterator[None]:
    """One build at a time per output folder, for the whole build. The lock file is in
    the folder's private cache folder, so the output folder holds only what is uploaded."""
    from filelock import FileLock, Timeout

    lock = FileLock(folder / "lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise PublishError(out, 0, "another build is writing to this folder right now",
                           "wait for it to finish, then build again") from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def scratch_folder(folder: Path) -> Iterator[Path]:
    """A private folder for this build's temporary files (the workers' too), removed
    however the build ends. It sits in the output folder's cache folder, so one left by
    a build that was killed is removed by the next build, which holds the lock."""
    for stale in folder.glob("scratch-*"):
        shutil.rmtree(stale, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=folder))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def clear_interrupted(out: Path) -> None:
    """Remove the staged files (``.<name>.*.part``) a killed build left in the output
    folder; only this program makes such names, and the lock says no build is running."""
    if out.is_dir():
        for part in out.rglob(".*.part"):
            if part.is_file() and not part.is_symlink():
                part.unlink(missing_ok=True)


def prune(out: Path, previous: dict, manifest: dict) -> None:
    """Delete files an earlier build listed that this build no longer makes (a removed
    handout, an old thumbnail), so the folder can be uploaded as it is. Only files the
    manifest listed are touched."""
    kept = {f["path"] for g in manifest["guides"] for f in g["files"]} | set(manifest["site"])
    listed = [f["path"] for g in previous["guides"].values() for f in g["files"]]
    for path in [*listed, *previous["site"]]:
        target = out / path
        if path not in kept and inside(out, path) and target.is_file() \
                and not target.is_symlink():
            target.unlink()
