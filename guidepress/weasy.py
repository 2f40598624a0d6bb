"""WeasyPrint glue shared by the PDF writers: a locked-down URL fetcher and PDF output.

WeasyPrint is imported inside functions only: it costs ~0.6 s, and only processes that
lay out pages should pay for it.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import mimetypes
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .brand import Brand
from .errors import PublishError
from .fonts import FontFamily, font_face_css
from .model import Guide

if TYPE_CHECKING:
    from weasyprint import Document


def make_fetcher(roots: list[Path], files: dict[Path, bytes]):
    """A URL fetcher that serves data: URIs and files under ``roots``, and nothing else.

    ``files`` gives the bytes to serve for some paths: the manuscript's images are
    served as the reader checked (and for SVG, cleaned) them, never read again."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    allowed = [r.resolve() for r in roots]

    class SafeFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise FatalURLFetchingError(f"not a local file: {url}")
            path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
            if path in files:
                return URLFetcherResponse(url, files[path], {"Content-Type": media_type(path)})
            if not any(path.is_relative_to(root) for root in allowed) or not path.is_file():
                raise FatalURLFetchingError(f"outside allowed folders: {url}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type(path)})

    return SafeFetcher()


def allowed_roots(guide: Guide, brand: Brand) -> list[Path]:
    fonts = [file.path.parent for f in (brand.text_font, brand.book_font) for file in f.files]
    return [guide.source.parent, brand.styles, *fonts]


def font_css(*families: FontFamily) -> str:
    return "\n".join(font_face_css(f, lambda font: font.path.as_uri()) for f in families)


def render(html: str, guide: Guide, brand: Brand, stylesheet: str | None = None) -> Document:
    """Lay out an HTML document whose relative URLs resolve beside the manuscript.

    ``stylesheet`` is CSS to apply besides the document's own; it is parsed once per
    process and reused, which saves about a quarter of the time of laying out a one-page
    handout again at another size.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    base_url = guide.source.parent.as_uri() + "/"
    assets = {asset.path: asset.data for asset in guide.assets.values()}
    roots = allowed_roots(guide, brand)
    fetcher = make_fetcher(roots, assets)
    extra = {}
    if stylesheet is not None:
        css, fonts = parsed(stylesheet, tuple(roots))
        extra = {"stylesheets": [css], "font_config": fonts}
    try:
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**extra)
    except FatalURLFetchingError as exc:
        raise PublishError(guide.source, 0, f"a resource was refused ({exc.__cause__ or exc})",
                           "images must be files inside the manuscript's folder") from None


@functools.lru_cache(maxsize=8)
def parsed(stylesheet: str, roots: tuple[Path, ...]):
    """A parsed stylesheet and the font configuration that holds its @font-face fonts."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = CSS(string=stylesheet, url_fetcher=make_fetcher(list(roots), {}), font_config=fonts)
    return css, fonts


# Let the font configurations go while WeasyPrint is still loaded: freed during the
# interpreter's shutdown, they complain on stderr.
atexit.register(parsed.cache_clear)


def pdf_bytes(document: Document, timestamp: dt.datetime) -> bytes:
    """Write a tagged PDF whose bytes depend only on the input.

    WeasyPrint turns variable fonts (Literata) into static ones with fontTools, which
    stamps the font's 'head' table with the current time unless SOURCE_DATE_EPOCH is set;
    we set it to the build timestamp for the duration of the write.
    """
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(timestamp.timestamp()))
    try:
        # PDF/UA-1: tagged structure, /Lang, title shown in the window; its metadata has
        # no random ids (unlike the pdf/x variants). pdf_identifier=True: the file ID is
        # a hash of the content, not of the clock.
        return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=True)
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def media_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"
