"""Loaded first by the worker server (``workers.PRELOAD``), in that process only.

A build stopped while its workers are still being forked (Ctrl-C a moment after it
starts) removes its task queues' semaphores as it exits; a worker forked just then cannot
open them and fails to start. The worker server would print that failure's traceback
under the user's "Aborted!". It is the stop, not a fault: such a start fails quietly.
Every other error is reported as before.

Standard library only.
"""

from __future__ import annotations

import sys
from types import TracebackType

# The worker's start-up code that unpickles the build's queues and locks.
START_UP = ("multiprocessing/spawn.py", "multiprocessing/synchronize.py",
            "multiprocessing/reduction.py")


def build_gone(kind: type[BaseException], tb: TracebackType | None) -> bool:
    """Whether the error is a worker failing to open the queues of a build that is gone."""
    if not issubclass(kind, (FileNotFoundError, EOFError, ConnectionError)):
        return False
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(START_UP):
            return True
        tb = tb.tb_next
    return False


def quiet_failed_starts(kind: type[BaseException], value: BaseException,
                        tb: TracebackType | None, report=sys.excepthook) -> None:
    if not build_gone(kind, tb):
        report(kind, value, tb)


sys.excepthook = quiet_failed_starts
