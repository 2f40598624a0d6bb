"""The tasks a build runs, as functions worker processes can call, and their results.

A guide becomes a handful of tasks: the print book (its layout tells the ebook where
printed pages begin), the ebook's cover, the ebook, one task per handout, and the
print-shop edition. The book task writes its page starts to a small file as soon as its
layout is done, so the ebook can start while the book's PDF is still being written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import msgspec

from ..errors import Diagnostic
from ..files import atomic_write
from ..model import Guide, HandoutSpec
from ..render.pages import PageStart
from ..writers import BuildContext, OutputFile


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
    from ..layout.book import layout_book
    from ..writers.pdf import write as write_pdf

    book = layout_book(guide, context)
    atomic_write(Path(pages_file), dumps_pages(book.pages))  # the ebook can start
    files = write_pdf(guide, replace(context, book=book)) if want_pdf else []
    return TaskResult(files, pages=book.pages)


def run_cover(guide: Guide, brand) -> TaskResult:
    from ..layout.cover import cover_png

    return TaskResult(cover=cover_png(guide, brand))


def run_epub(guide: Guide, context: BuildContext) -> TaskResult:
    from ..writers.epub import write

    return TaskResult(write(guide, context))


def run_handout(guide: Guide, spec: HandoutSpec, context: BuildContext) -> TaskResult:
    from ..writers.handout import write_one

    return TaskResult([write_one(guide, spec, context)])


def run_writer(name: str, guide: Guide, context: BuildContext) -> TaskResult:
    """Any writer that needs nothing from another task (the print-shop edition, a new
    output): its files, and the warnings it added to the context."""
    from ..writers import get_writer

    files = get_writer(name)(guide, context)
    return TaskResult(files, warnings=list(context.warnings))


def run_favicon(brand) -> TaskResult:
    from ..writers.site import FAVICON, logo_png

    return TaskResult([OutputFile("site", FAVICON, "favicon", logo_png(brand, 64))])


RUNNERS: dict[str, Callable[..., TaskResult]] = {
    "book": run_book, "cover": run_cover, "epub": run_epub, "handout": run_handout,
    "write": run_writer, "favicon": run_favicon}


def timed(kind: str, args: tuple) -> TaskResult:
    started = time.perf_counter()
    result = RUNNERS[kind](*args)
    result.seconds = time.perf_counter() - started
    return result


# -- the page starts a book task hands the ebook task --------------------------------

def dumps_pages(pages: list[PageStart]) -> bytes:
    return msgspec.msgpack.encode(pages)


def loads_pages(data: bytes) -> list[PageStart]:
    return msgspec.msgpack.decode(data, type=list[PageStart])
