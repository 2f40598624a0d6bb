"""Writers turn one ``Guide`` into output files. One module per format, one registry entry.

A writer is a function ``write(guide, context) -> list[OutputFile]``: it returns bytes and
never touches the output folder itself, so the build can stage, cache, run writers in
parallel and move finished files into place atomically.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import Diagnostic

if TYPE_CHECKING:  # not at run time: the command line reads REGISTRY before anything heavy
    from ..layout.book import BookLayout
    from ..model import Guide
    from ..read.brand import Brand
    from ..render.pages import PageStart


@dataclass(frozen=True, slots=True)
class OutputFile:
    kind: str  # "epub" | "pdf" | "handout"
    path: str  # relative to the output folder, e.g. "muscle-spasms/muscle-spasms.pdf"
    title: str
    data: bytes
    id: str | None = None  # handouts: the handout id
    pages: int | None = None  # PDFs: page count
    edition: str | None = None  # "press", "large-print": not the office edition
    thumb: bytes | None = None  # a PNG of the first page or cover, for the downloads page

    @property
    def sha256(self) -> str:
        import hashlib

        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class BuildContext:
    brand: Brand
    version: str
    # Timestamp written into every output (EPUB modified date, PDF dates, zip entries):
    # the manuscript's date, or SOURCE_DATE_EPOCH, so rebuilds are byte-identical.
    timestamp: dt.datetime
    book: BookLayout | None = None  # the print layout, when a writer needs it
    pages: list[PageStart] | None = None  # where printed pages begin (the EPUB page-list)
    cover: tuple[bytes, bytes] | None = None  # the ebook's cover PNG and its thumbnail
    # Writers add findings that should not stop the build (e.g. a low-resolution image).
    warnings: list[Diagnostic] = field(default_factory=list)


EPOCH_FLOOR = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest date a zip can hold


def build_timestamp(guide: Guide) -> dt.datetime:
    """The ``BuildContext.timestamp`` of a guide: SOURCE_DATE_EPOCH when set
    (reproducible-builds.org), else the guide's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return max(dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC), EPOCH_FLOOR)
    if guide.meta.date:
        return dt.datetime.combine(guide.meta.date, dt.time(), tzinfo=dt.UTC)
    return EPOCH_FLOOR


Writer = Callable[["Guide", BuildContext], list[OutputFile]]


@dataclass(frozen=True, slots=True)
class WriterSpec:
    module: str  # module in this package with a `write` function
    kind: str  # the `kind` of the files it makes (manifest.json)
    needs_book: bool = False  # reads the print layout (BuildContext.book)
    label: str = ""  # what progress lines call its task, if not its name


# Output name (as in `--only`) → writer. Modules load lazily: WeasyPrint alone takes
# about 0.6 s to import, and a build that skips PDFs should not pay for it.
REGISTRY: dict[str, WriterSpec] = {
    "epub": WriterSpec("epub", "epub", needs_book=True),  # its page-list
    "pdf": WriterSpec("pdf", "pdf", needs_book=True),
    "handouts": WriterSpec("handout", "handout"),
    # The book and every handout in large print (18 pt), for readers with low vision.
    "large-print": WriterSpec("large_print", "pdf", label="large-print edition"),
    "press": WriterSpec("press", "pdf", label="print-shop edition"),  # built on request
}
# Not yet "large-print": the shipped guide's handouts need more than two pages at 18 pt.
DEFAULT_OUTPUTS = ("epub", "pdf", "handouts")
KIND_ORDER = ("epub", "pdf", "handout")  # in the manifest; other kinds after these


def folder_of(entry: dict):
    """Where a manifest guide entry's files and pages are: its "folder" (a translation's
    <slug>/<language>), else its slug. The manifest read back is untrusted: the caller
    checks the type."""
    return entry.get("folder") or entry.get("slug")


def kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def get_writer(name: str) -> Writer:
    module = importlib.import_module(f"{__name__}.{REGISTRY[name].module}")
    return module.write
