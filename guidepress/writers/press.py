"""Print-shop writer: the paperback edition with trim, bleed and crop marks.

Same book as the office edition, laid out for a trimmed page (6 by 9 in by default, from
styles/brand.yaml): inner margins wider than outer for the binding, folios on the outside
corners, chapters opening on right-hand pages (a blank left page is inserted when
needed), and PDF TrimBox/BleedBox on every page for the printer.
"""

from __future__ import annotations

from ..errors import Diagnostic
from ..layout import weasy
from ..layout.book import PRINT_DPI, BookLayout, layout_book, press_edition
from ..layout.thumbs import first_page
from ..model import Guide
from ..render.templates import translator
from . import BuildContext, OutputFile


def write(guide: Guide, context: BuildContext) -> list[OutputFile]:
    book = layout_book(guide, context, press_edition(context.brand))
    context.warnings.extend(low_resolution_images(guide, book))
    data = weasy.pdf_bytes(book.document, context.timestamp,
                           [start.label for start in book.pages])
    name = f"{guide.folder}/{guide.slug}-press.pdf"
    _ = translator(context.brand.styles, guide.meta.language)
    title = _("%(title)s (print-shop edition)") % {"title": guide.meta.title}
    return [OutputFile("pdf", name, title, data, pages=len(book.document.pages),
                       edition="press", thumb=first_page(data))]


def printed_widths(book: BookLayout) -> dict[str, float]:
    """The widest each image is printed, in inches, keyed by its src as written."""
    from weasyprint.formatting_structure.boxes import ReplacedBox

    widths: dict[str, float] = {}

    def visit(box) -> None:
        if isinstance(box, ReplacedBox) and box.element is not None:
            src = box.element.get("src", "")
            widths[src] = max(widths.get(src, 0.0), box.width / 96)
        for child in getattr(box, "children", ()):
            visit(child)

    for page in book.document.pages:
        visit(page._page_box)
    return widths


def low_resolution_images(guide: Guide, book: BookLayout) -> list[Diagnostic]:
    """Raster images that would print below 300 dpi (vector SVG prints at any size)."""
    widths = printed_widths(book)
    found = []
    for asset in guide.assets.values():
        inches = widths.get(asset.src, 0.0)
        if asset.media_type == "image/svg+xml" or inches == 0:
            continue
        dpi = asset.pixels_wide / inches
        if dpi < PRINT_DPI:
            found.append(Diagnostic(
                guide.source, asset.line,
                f"image '{asset.src}' prints at {dpi:.0f} dpi in the print-shop edition; "
                f"print shops need {PRINT_DPI}",
                f"use a version at least {round(inches * PRINT_DPI)} pixels wide, or SVG",
                severity="warning",
            ))
    return found
