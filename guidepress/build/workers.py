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
# otherwise each worker would import it again as it starts. `server` first: it keeps a
# worker that cannot start because its build was just stopped from printing a traceback.
PRELOAD = ["guidepress.build.server", "__main__", "guidepress.build.tasks",
           "guidepress.writers.epub", "guidepress.writers.handout", "guidepress.writers.pdf",
           "guidepress.writers.press", "weasyprint", "pypdfium2"]


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


def start_worker(scratch: str | None, owner: int) -> None:
    """Run in each worker as it starts: keep its temporary files in the build's scratch
    folder, which the build removes however it ends; let WeasyPrint remove its own when
    the worker exits normally (a worker exits without running atexit handlers); and end
    the worker if the build that owns it (process ``owner``) is killed."""
    import tempfile
    import threading
    from multiprocessing.util import Finalize

    if scratch is not None:
        tempfile.tempdir = scratch

    def forget_fonts() -> None:
        from guidepress.layout.weasy import parsed

        parsed.cache_clear()

    Finalize(None, forget_fonts, exitpriority=10)
    threading.Thread(target=watch_owner, args=(owner,), daemon=True).start()


def watch_owner(owner: int) -> None:
    """Exit as soon as the build process is gone. A worker cannot count on noticing by
    itself: it holds both ends of its task queue and the worker server's lifeline, so a
    killed build would leave the workers (and the server) running for ever, with the
    caller's terminal open."""
    import os
    import time

    while owner_alive(owner):
        time.sleep(0.2)
    os._exit(1)


def owner_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a killed process its parent has not yet
    collected, a zombie, counts as gone)."""
    import os

    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (not Linux): ask the kernel whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
