"""Scheduling: runs tasks in this process (``--jobs 1``) or in forked worker processes.

With more than one job, worker processes are forked from a server process that imports
WeasyPrint (about 0.5 s) once, while this process reads and checks the manuscripts; every
worker starts with it already imported (see ``workers``). An ebook task waits for its
guide's page starts and cover; everything else starts as soon as a worker is free.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

from ..render.pages import PageStart
from . import workers
from .cache import Cache
from .tasks import Task, TaskResult, loads_pages, timed

Progress = Callable[[Task, TaskResult], None]


class Runner:
    """Runs tasks in this process (jobs=1) or in forked worker processes.

    Tasks can be added while earlier ones run (the parent reads the next guide while
    workers lay out the last one); ``results()`` waits for all of them.
    """

    def __init__(self, jobs: int, cache: Cache | None = None,
                 progress: Progress | None = None, scratch: Path | None = None) -> None:
        self.jobs = max(1, jobs)
        self.cache = cache or Cache(None)
        self.progress = progress or (lambda task, result: None)
        self.done: dict[str, TaskResult] = {}
        self.pages: dict[str, list[PageStart]] = {}
        self.covers: dict[str, tuple[bytes, bytes]] = {}
        self.ready: list[Task] = []
        self.blocked: list[Task] = []
        self.books: dict[str, Task] = {}
        self.running: dict[Future, Task] = {}
        self.pool: ProcessPoolExecutor | None = None
        if self.jobs > 1:
            workers.start_workers()
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=workers.worker_context(),
                                            initializer=workers.start_worker,
                                            initargs=(str(scratch) if scratch else None,
                                                      os.getpid()))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def add(self, tasks: list[Task]) -> None:
        for task in tasks:
            if task.kind == "book":
                self.books[task.slug] = task
            cached = self.cache.load(task)
            if cached is not None:
                self.record(task, cached)
            elif task.needs:
                self.blocked.append(task)
            else:
                self.ready.append(task)
        # Forking the first worker waits until the server has imported WeasyPrint, so
        # until then the tasks wait in the queue and this process can do its own work.
        if workers.ready():
            self.pump()

    def results(self) -> dict[str, TaskResult]:
        if self.pool is None:
            for task in [*self.ready, *self.blocked]:  # in order: the book before the ebook
                result = timed(task.kind, self.inputs(task))
                self.cache.save(task, result)
                self.record(task, result)
            self.ready, self.blocked = [], []
        while self.ready or self.blocked or self.running:
            self.pump()
            if not self.running:
                if self.blocked and not self.ready:
                    missing = [t.slug for t in self.blocked if t.slug not in self.books]
                    if missing:
                        raise RuntimeError(f"no print layout planned for {missing}")
                time.sleep(0.01)
                continue
            finished, _ = wait(list(self.running), timeout=0.02, return_when=FIRST_COMPLETED)
            for future in finished:
                task = self.running.pop(future)
                result = future.result()
                self.cache.save(task, result)
                self.record(task, result)
        return self.done

    def pump(self) -> None:
        """Unblock ebooks whose page starts and cover exist; keep every worker busy."""
        if self.pool is None:
            return
        for task in list(self.blocked):
            found = self.pages.get(task.slug) or pages_written(self.books.get(task.slug))
            if found is not None:
                self.pages[task.slug] = found
            if self.satisfied(task):
                self.blocked.remove(task)
                self.ready.insert(0, task)
        while self.ready and len(self.running) < self.jobs:
            task = self.ready.pop(0)
            future = self.pool.submit(timed, task.kind, self.inputs(task))
            self.running[future] = task
            workers.mark_ready()

    def record(self, task: Task, result: TaskResult) -> None:
        self.done[task.name] = result
        if result.pages is not None:
            self.pages[task.slug] = result.pages
        if result.cover is not None:
            self.covers[task.slug] = result.cover
        self.progress(task, result)

    def provided(self, need: str) -> dict:
        """What tasks have made for others, by guide: "pages" or "cover" (named as the
        BuildContext fields they fill)."""
        return {"pages": self.pages, "cover": self.covers}[need]

    def satisfied(self, task: Task) -> bool:
        return all(task.slug in self.provided(need) for need in task.needs)

    def inputs(self, task: Task) -> tuple:
        """The task's arguments, with what it needs from other tasks filled in."""
        if not task.needs:
            return task.args
        guide, context = task.args
        filled = {need: self.provided(need)[task.slug] for need in task.needs}
        return (guide, replace(context, **filled))


def pages_written(book: Task | None) -> list[PageStart] | None:
    """Page starts a running book task has already written, if any."""
    if book is None:
        return None
    path = Path(book.args[3])
    return loads_pages(path.read_bytes()) if path.is_file() else None
