"""The print book, laid out once per build.

The print PDF writer writes this layout; the EPUB writer reads where each printed page
begins from it (its page-list). Laying out the book is the slowest step of a build, so it
happens here, once, and both use the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from markupsafe import Markup

from ..model import Guide
from ..read.brand import Brand
from ..render import HtmlRenderer, RenderOptions, plan_chapters, templates
from ..render.pages import PageStart, leaf_keys, page_starts
from . import weasy

PRINT_DPI = 300  # what print shops ask of raster images at their printed size



class Imprint(Protocol):
    """What laying out a book needs from the build (``writers.BuildContext`` has it): the
    layout stage names the fields it reads instead of importing the writers' context."""

    @property
    def brand(self) -> Brand: ...
    @property
    def version(self) -> str: ...
    @property
    def timestamp(self) -> dt.datetime: ...


@dataclass(frozen=True)
class Edition:
    """Page geometry and type size of one print edition (read by styles/css/print.css)."""

    name: str  # "office", "press" or "large-print"
    page_size: str  # CSS `size`, e.g. "8.5in 11in"
    margin_top: str
    margin_bottom: str
    inner: str  # the binding side
    outer: str
    body_pt: float
    chapter_sink: str  # space above a chapter title
    title_gap: str  # space between the title block and the publisher on the title page
    imprint_drop: str  # the imprint sits at the foot of its page
    bleed: str = ""  # press: ink past the trim, with crop marks
    folios_outside: bool = False
    chapters_on_right: bool = False
    # A stylesheet in styles/ applied on top of print.css (rendered with the same
    # values), e.g. "css/large-print.css": what the edition changes besides the page.
    profile: str = ""
    one_typeface: bool = False  # the whole book in the text font (the imprint says so)
    # The top margin of a draft (a translation not yet reviewed): room for the band that
    # says so above the running heads (styles/css/print.css); empty: margin_top.
    draft_margin_top: str = ""


def office_edition(brand: Brand) -> Edition:
    """The default edition, printed at the clinic on Letter (or A4) paper."""
    return Edition("office", brand.page_size, "1in", "1.05in", "1.45in", "1.45in", 13,
                   chapter_sink="1.05in", title_gap="2.6in", imprint_drop="4.9in",
                   draft_margin_top="1.1in")


def press_edition(brand: Brand) -> Edition:
    """The print-shop paperback: trimmed size, bleed, crop marks, a gutter for binding."""
    press = brand.data.press
    return Edition("press", press.trim, "0.7in", "0.8in", "0.72in", "0.45in", 12,
                   chapter_sink="0.75in", title_gap="1.5in", imprint_drop="3.4in",
                   bleed=press.bleed, folios_outside=True, chapters_on_right=True,
                   draft_margin_top="1.05in")


def large_print_edition(brand: Brand) -> Edition:
    """The large-print edition for readers with low vision: the office paper, margins of
    1 in or more, 18 pt body text (APH guidelines); the rest of the design (one typeface,
    1.5 line spacing, no italics, sizes of headings, folios and notes) is in the profile."""
    return Edition("large-print", brand.page_size, "1in", "1.15in", "1in", "1in", 18,
                   chapter_sink="0.35in", title_gap="1.2in", imprint_drop="0in",
                   profile="css/large-print.css", one_typeface=True,
                   draft_margin_top="1.25in")


@dataclass(frozen=True)
class BookLayout:
    document: Any  # weasyprint.Document
    pages: list[PageStart]


def layout_book(guide: Guide, context: Imprint, edition: Edition | None = None
                ) -> BookLayout:
    edition = edition or office_edition(context.brand)
    document = weasy.render(book_html(guide, context, edition), guide, context.brand)
    return BookLayout(document, page_starts(document))


def book_html(guide: Guide, context: Imprint, edition: Edition) -> str:
    brand = context.brand
    options = RenderOptions(target="pdf", notes="float", leaf_keys=leaf_keys(guide),
                            mark_leaves=True,
                            gettext=templates.translator(brand.styles, guide.meta.language))
    renderer = HtmlRenderer(guide, options)
    chapters = plan_chapters(guide)
    for chapter in chapters:
        chapter.html = renderer.blocks(guide.section_blocks(chapter.section))
    return templates.render(
        brand, "templates/print/book.html",
        meta=guide.meta,
        chapters=chapters,
        css=Markup(stylesheet(brand, edition, guide.meta.language, guide.draft)),
        draft=guide.draft,
        logo=brand.logo_path.as_uri(),
        book_font=brand.text_font if edition.one_typeface else brand.book_font,
        text_font=brand.text_font,
        version=context.version,
        timestamp=context.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def stylesheet(brand: Brand, edition: Edition, language: str = "en-US",
               draft: bool = False) -> str:
    """css/print.css and the edition's profile, in the guide's language (generated
    content, the draft band) and with the draft band when ``draft``."""
    values = {"edition": edition, "book_font": brand.book_font, "text_font": brand.text_font,
              "language": language, "draft": draft}
    css = templates.render(
        brand, "css/print.css",
        font_css=weasy.font_css(brand.text_font, brand.book_font), **values)
    if edition.profile:
        css += "\n" + templates.render(brand, edition.profile, target="book", **values)
    return css
