"""guidepress: the clinic's publishing pipeline as a library.

    from guidepress import build, read_guide
    result = build(["manuscript/muscle-spasms.md"], out="dist")

Reader (Markdown + YAML → model) → writers (EPUB, print PDF, handouts) → manifest.
The ``publish`` command (publish.py) is a thin Click layer over this API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "build", "read_guide"]

if TYPE_CHECKING:
    from .build import build
    from .reader import read_guide


def __getattr__(name: str) -> Any:
    # Imported on first use, so `python -m guidepress.sysdeps` runs before any
    # third-party package is installed, and `publish --version` stays instant.
    if name == "build":
        from .build import build

        return build
    if name == "read_guide":
        from .reader import read_guide

        return read_guide
    raise AttributeError(name)
