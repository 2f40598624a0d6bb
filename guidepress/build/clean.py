"""publish clean: remove what builds keep for an output folder besides its files.

That is the task cache, the no-op stamp, scratch folders and the lock (all in the folder's
private cache folder, see project.build_cache), and the staged files a killed build left
in the output folder. Kept: the files to upload, and the record of which manuscripts the
folder was built from (project.SOURCES), without which the next build could not keep the
other guides in the folder current.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..project import SOURCES, TARGET, build_cache
from .output import output_lock

KEEP = {SOURCES, TARGET, "lock"}


def size_of(path: Path) -> tuple[int, int]:
    """(files, bytes) under ``path``, or of the file itself."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def clean(out: Path) -> tuple[int, int]:
    """Remove the cache, stamps and leftovers of ``out``; (files, bytes) removed.
    Refused while a build holds the folder's lock (the lock's own error)."""
    folder = build_cache(out)
    count = size = 0
    with output_lock(folder, out):
        leftovers = [p for p in out.rglob(".*.part") if p.is_file() and not p.is_symlink()] \
            if out.is_dir() else []
        for path in [*leftovers, *(p for p in folder.iterdir() if p.name not in KEEP)]:
            files, used = size_of(path)
            count, size = count + files, size + used
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    (folder / "lock").unlink(missing_ok=True)
    return count, size
