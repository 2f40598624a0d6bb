"""The guide's cover, drawn from brand data and title (styles/templates/cover.html).

It is laid out by WeasyPrint like any page, then rasterised with pypdfium2, so designers
style the cover in HTML/CSS and e-readers get the PNG they expect for a cover image.
"""

from __future__ import annotations

from markupsafe import Markup

from ..model import Guide
from ..read.brand import Brand
from ..render import templates
from . import weasy

COVER_WIDTH_PX = 1600  # 2:3 portrait, the size most ebook stores ask for (1600 by 2400)


def cover_html(guide: Guide, brand: Brand) -> str:
    return templates.render(
        brand, "templates/cover.html",
        meta=guide.meta,
        draft=guide.draft,
        logo=brand.logo_path.as_uri(),
        font_css=Markup(weasy.font_css(brand.text_font)),
    )


def cover_pdf(guide: Guide, brand: Brand) -> bytes:
    return weasy.render(cover_html(guide, brand), guide, brand).write_pdf()


def cover_png(guide: Guide, brand: Brand, width: int = COVER_WIDTH_PX) -> tuple[bytes, bytes]:
    """The cover as a PNG for the ebook, and a small PNG of it for the downloads page."""
    from .thumbs import THUMB_WIDTH, first_page_images, png

    large, small = first_page_images(cover_pdf(guide, brand), width, THUMB_WIDTH)
    return png(large), png(small)
