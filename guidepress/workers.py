"""The server that forks worker processes, started as early as a build can start it.

A worker needs WeasyPrint, which takes about 0.5 s to import. The server (the standard
library's forkserver) imports it once, and every worker is forked from it with WeasyPrint
already loaded: two workers cost one import, not two. Starting the server returns at once,
so the import runs while the calling process reads and checks the manuscripts.

Standard library only: the command line imports this before anything heavy.
"""

from __future__ import annotations

from multiprocessing import get_context
from multiprocessing.context import BaseContext

# What every worker needs, loaded once in the server. "__main__" (the `publish` script) too:
# otherwise each worker would import it again as it starts.
PRELOAD = ["__main__", "guidepress.jobs", "guidepress.writers.epub", "guidepress.writers.handout",
           "guidepress.writers.pdf", "guidepress.writers.press", "weasyprint", "pypdfium2"]


_ready = False  # a worker has been forked: the server has finished importing


def ready() -> bool:
    """Whether forking a worker now is quick (under --watch, every build after the first)."""
    return _ready


def mark_ready() -> None:
    global _ready
    _ready = True


def worker_context() -> BaseContext:
    context = get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_workers() -> None:
    """Start the server if it is not running yet; it imports in the background."""
    from multiprocessing import forkserver

    worker_context()
    forkserver.ensure_running()


def start_worker(scratch: str | None) -> None:
    """Run in each worker as it starts: keep its temporary files in the build's scratch
    folder, which the build removes however it ends, and let WeasyPrint remove its own
    when the worker exits normally (a worker exits without running atexit handlers)."""
    import tempfile
    from multiprocessing.util import Finalize

    if scratch is not None:
        tempfile.tempdir = scratch

    def forget_fonts() -> None:
        from guidepress.weasy import parsed

        parsed.cache_clear()

    Finalize(None, forget_fonts, exitpriority=10)
