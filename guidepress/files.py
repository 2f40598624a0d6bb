"""Writing files so that a reader never sees half of one (standard library only)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a hidden temporary file beside ``path``; return its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o644)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``."""
    os.replace(stage(path, data), path)
