"""The print book, laid out once per build.

The print PDF writer writes this layout; the EPUB writer reads where each printed page
begins from it (its page-list). Laying out the book is the slowest step of a build, so it
happens here, once, and both use the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import templates, weasy
from .brand import Brand
from .model import Guide
from .pagination import PageStart, leaf_keys, page_starts
from .render import HtmlRenderer, RenderOptions, plan_chapters

if TYPE_CHECKING:
    from .writers import BuildContext


@dataclass(frozen=True)
class BookLayout:
    document: Any  # weasyprint.Document
    pages: list[PageStart]


def layout_book(guide: Guide, context: BuildContext) -> BookLayout:
    document = weasy.render(book_html(guide, context), guide, context.brand)
    return BookLayout(document, page_starts(document))


def book_html(guide: Guide, context: BuildContext) -> str:
    brand = context.brand
    options = RenderOptions(target="pdf", notes="float", leaf_keys=leaf_keys(guide),
                            mark_leaves=True)
    renderer = HtmlRenderer(guide, options)
    chapters = plan_chapters(guide)
    for chapter in chapters:
        chapter.html = renderer.blocks(guide.section_blocks(chapter.section))
    return templates.render(
        brand, "templates/print/book.html",
        meta=guide.meta,
        chapters=chapters,
        css=Markup(stylesheet(brand)),
        logo=brand.logo_path.as_uri(),
        book_font=brand.book_font,
        text_font=brand.text_font,
        version=context.version,
        timestamp=context.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def stylesheet(brand: Brand) -> str:
    return templates.render(
        brand, "css/print.css",
        font_css=weasy.font_css(brand.text_font, brand.book_font),
        page_size=brand.page_size,
        book_font=brand.book_font,
        text_font=brand.text_font,
    )
