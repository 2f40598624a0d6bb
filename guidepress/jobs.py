"""Running the writers: split into tasks, served from a content cache, run in parallel.

A guide becomes a handful of tasks: the print book (its layout tells the ebook where
printed pages begin), the ebook's cover, the ebook, one task per handout, and the
print-shop edition. Each task has a key, a hash of everything its output depends on; a
task whose key is in the cache is not run at all.

With more than one job, worker processes are forked from a server process that imports
WeasyPrint (about 0.5 s) once, while this process reads and checks the manuscripts; every
worker starts with it already imported. The book task writes its page starts to a small
file as soon as its layout is done, so the ebook can start while the book's PDF is still
being written.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import workers
from .cache import Cache, dumps_pages, loads_pages
from .errors import Diagnostic
from .fastpath import program_fingerprint
from .files import atomic_write
from .model import Guide, HandoutSpec
from .pagination import PageStart
from .writers import BuildContext, OutputFile


@dataclass
class TaskResult:
    files: list[OutputFile] = field(default_factory=list)
    pages: list[PageStart] | None = None
    cover: tuple[bytes, bytes] | None = None  # for the ebook: its cover PNG and thumbnail
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False


@dataclass
class Task:
    name: str  # e.g. "muscle-spasms: handout treatment", for progress lines
    slug: str
    kind: str  # book | cover | epub | handout | press | favicon
    key: str  # hash of the task's inputs
    args: tuple
    needs: tuple[str, ...] = ()  # what it waits for from other tasks: "pages", "cover"
    output: str | None = None  # the output (REGISTRY name) whose files it makes, if any
    kept: bool = False  # not asked for: the folder holds its files, reused if current


# -- task functions (module level, so worker processes can run them) ---------------------


def run_book(guide: Guide, context: BuildContext, want_pdf: bool, pages_file: str
             ) -> TaskResult:
    from .printbook import layout_book
    from .writers.pdf import write as write_pdf

    book = layout_book(guide, context)
    atomic_write(Path(pages_file), dumps_pages(book.pages))  # the ebook can start
    files = write_pdf(guide, replace(context, book=book)) if want_pdf else []
    return TaskResult(files, pages=book.pages)


def run_cover(guide: Guide, brand) -> TaskResult:
    from .cover import cover_png

    return TaskResult(cover=cover_png(guide, brand))


def run_epub(guide: Guide, context: BuildContext) -> TaskResult:
    from .writers.epub import write

    return TaskResult(write(guide, context))


def run_handout(guide: Guide, spec: HandoutSpec, context: BuildContext) -> TaskResult:
    from .writers.handout import write_one

    return TaskResult([write_one(guide, spec, context)])


def run_press(guide: Guide, context: BuildContext) -> TaskResult:
    from .writers.press import write

    files = write(guide, context)
    return TaskResult(files, warnings=list(context.warnings))


def run_favicon(brand) -> TaskResult:
    from .site import FAVICON, logo_png

    return TaskResult([OutputFile("site", FAVICON, "favicon", logo_png(brand, 64))])


RUNNERS: dict[str, Callable[..., TaskResult]] = {
    "book": run_book, "cover": run_cover, "epub": run_epub, "handout": run_handout,
    "press": run_press, "favicon": run_favicon}


def timed(kind: str, args: tuple) -> TaskResult:
    started = time.perf_counter()
    result = RUNNERS[kind](*args)
    result.seconds = time.perf_counter() - started
    return result


# -- keys and cache ----------------------------------------------------------------------


def digest(*parts: object) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def folder_digest(folder: Path) -> str:
    """Every file under a folder (the styles: brand, templates, CSS), names and bytes."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return digest(*[(p.relative_to(folder).as_posix(), p.read_bytes()) for p in files])


def context_digest(context: BuildContext) -> str:
    """What every output of a guide depends on besides the manuscript: this program and
    its libraries (so an upgrade never reuses what older code made), styles, fonts."""
    brand = context.brand
    fonts = [(f.slug, f.version, [x.path.name for x in f.files])
             for f in (brand.text_font, brand.book_font)]
    return digest(program_fingerprint(), context.version, folder_digest(brand.styles), fonts,
                  context.timestamp.isoformat())


def guide_digest(guide: Guide) -> str:
    """The manuscript as the reader read it (not the file now: it may have been edited
    since) and its images."""
    return digest("\n".join(guide.source_lines),
                  *[(a.src, a.data) for a in sorted(guide.assets.values(), key=lambda a: a.src)])


def handout_digest(guide: Guide, spec: HandoutSpec) -> str:
    """Only what the handout shows: its sections (as rendered), its images, a few facts."""
    from .writers.handout import section_html

    body, notes = section_html(guide, spec)
    images = sorted((src, a.data) for src, a in guide.assets.items() if f'"{src}"' in body)
    meta = guide.meta
    return digest(spec, str(body), [str(n.html + n.more) for n in notes], images, meta.title,
                  meta.url, meta.reviewed, meta.date, meta.language, meta.author)


# -- planning and running ----------------------------------------------------------------


class Digests:
    """A guide's digests, each worked out once however many plans of it are made (a
    build plans what it makes and, for the cache, everything it could make)."""

    def __init__(self, guide: Guide, context: BuildContext) -> None:
        self.guide, self.context = guide, context
        self.handouts: dict[HandoutSpec, str] = {}

    @functools.cached_property
    def base(self) -> str:
        return context_digest(self.context)

    @functools.cached_property
    def whole(self) -> str:
        return guide_digest(self.guide)

    @functools.cached_property
    def cover(self) -> str:
        from .cover import cover_html

        return digest("cover", self.base, cover_html(self.guide, self.context.brand))

    def handout(self, spec: HandoutSpec) -> str:
        if spec not in self.handouts:
            self.handouts[spec] = digest("handout", self.base, handout_digest(self.guide, spec))
        return self.handouts[spec]


def plan(guide: Guide, context: BuildContext, outputs: list[str], scratch: Path,
         digests: Digests | None = None) -> list[Task]:
    """The tasks for one guide, longest first (the book is the critical path)."""
    digests = digests or Digests(guide, context)
    base, whole = digests.base, digests.whole
    slug = guide.slug
    tasks = []
    if "pdf" in outputs or "epub" in outputs:
        want_pdf = "pdf" in outputs
        key = digest("book", base, whole, want_pdf)
        pages_file = str(scratch / f"{slug}-{key}.pages")
        tasks.append(Task(f"{slug}: print book", slug, "book", key,
                          (guide, context, want_pdf, pages_file),
                          output="pdf" if want_pdf else None))
    if "epub" in outputs:
        # The cover shows only the title and the brand, so most edits leave it cached.
        tasks.append(Task(f"{slug}: cover", slug, "cover", digests.cover,
                          (guide, context.brand)))
        tasks.append(Task(f"{slug}: ebook", slug, "epub", digest("epub", base, whole),
                          (guide, context), needs=("pages", "cover"), output="epub"))
    if "handouts" in outputs:
        for spec in guide.meta.handouts:
            tasks.append(Task(f"{slug}: handout {spec.id}", slug, "handout",
                              digests.handout(spec),
                              (guide, spec, context), output="handouts"))
    if "press" in outputs:
        tasks.append(Task(f"{slug}: print-shop edition", slug, "press",
                          digest("press", base, whole), (guide, context), output="press"))
    return tasks


def plan_site(brand) -> list[Task]:
    """Site assets that need WeasyPrint, made by a worker so the parent never imports it."""
    key = digest("favicon", program_fingerprint(), brand.logo_path.read_bytes())
    return [Task("site: favicon", "_site", "favicon", key, (brand,))]


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
