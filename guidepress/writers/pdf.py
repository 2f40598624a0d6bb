"""Print-edition writer: the whole guide as a book PDF, laid out by WeasyPrint.

The layout itself (title page, imprint, contents, chapters, contact page; running heads,
folios and footnotes from styles/css/print.css) is made in layout/book.py, shared with the
EPUB writer's page-list.
"""

from __future__ import annotations

from ..layout import weasy
from ..layout.book import layout_book
from ..layout.thumbs import first_page
from ..model import Guide
from . import BuildContext, OutputFile


def write(guide: Guide, context: BuildContext) -> list[OutputFile]:
    book = context.book or layout_book(guide, context)
    document = book.document
    data = weasy.pdf_bytes(document, context.timestamp,
                           [start.label for start in book.pages])
    name = f"{guide.folder}/{guide.slug}.pdf"
    return [OutputFile("pdf", name, guide.meta.title, data, pages=len(document.pages),
                       thumb=first_page(data))]
