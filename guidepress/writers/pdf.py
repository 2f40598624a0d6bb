"""Print-edition writer: the whole guide as a book PDF, laid out by WeasyPrint.

Title page, imprint, contents with page numbers, chapters, contact page. Page furniture
(running heads, folios, footnotes) comes from styles/css/print.css.
"""

from __future__ import annotations

from markupsafe import Markup

from .. import templates, weasy
from ..brand import Brand
from ..model import Guide
from ..render import HtmlRenderer, RenderOptions, plan_chapters
from . import BuildContext, OutputFile


def write(guide: Guide, context: BuildContext) -> list[OutputFile]:
    html = book_html(guide, context)
    document = weasy.render(html, guide, context.brand)
    data = weasy.pdf_bytes(document, context.timestamp)
    name = f"{guide.slug}/{guide.slug}.pdf"
    return [OutputFile("pdf", name, guide.meta.title, data, pages=len(document.pages))]


def book_html(guide: Guide, context: BuildContext) -> str:
    brand = context.brand
    renderer = HtmlRenderer(guide, RenderOptions(target="pdf", notes="float"))
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
