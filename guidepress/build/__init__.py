"""The build: plans the writers' work for every guide, serves what it can from the cache,
runs the rest (in forked workers with ``--jobs``), and puts the files in place.

``run`` is the life cycle (``build``); ``plan`` splits a guide into tasks, ``keys``
hashes their inputs, ``tasks`` are the task functions, ``runner`` schedules them,
``cache`` stores their results, ``workers`` forks the worker processes, ``output``
stages files and moves them into place atomically, ``manifest`` writes manifest.json,
and ``noop`` stops a rebuild whose inputs have not changed before anything heavy loads.

May import every earlier stage (``read``, ``render``, ``layout``, ``writers``,
``checks``); only ``serve`` and the command line import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["MANIFEST", "BuildResult", "build"]

if TYPE_CHECKING:
    from .manifest import MANIFEST
    from .run import BuildResult, build


def __getattr__(name: str) -> Any:
    # Loaded on first use: the no-op check (`noop`) runs before anything heavy is imported.
    if name in ("build", "BuildResult"):
        from . import run

        return getattr(run, name)
    if name == "MANIFEST":
        from .manifest import MANIFEST

        return MANIFEST
    raise AttributeError(name)
