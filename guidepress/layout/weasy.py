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
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

from ..errors import PublishError
from ..model import Guide
from ..read.brand import Brand
from ..read.fonts import FontFamily, font_face_css
from . import tagging

if TYPE_CHECKING:
    from weasyprint import Document


# The base URL of every laid-out document. It names no real folder: a relative URL (an
# image as the manuscript wrote it) can only be one of the guide's images, served from the
# bytes the reader checked (and for SVG, cleaned). Nothing beside the manuscript is ever
# read from disk here, so a symlink, a `..` or a manuscript that is itself a link cannot
# make the PDFs draw a file the reader did not check (or one the ebook does not show).
ASSETS = "file:///guide-assets/"


def asset_key(url: str) -> str:
    """A URL's path with escapes and dot segments resolved, as WeasyPrint resolves it."""
    return posixpath.normpath(unquote(urlsplit(url).path))


def make_fetcher(roots: list[Path], files: dict[str, bytes]):
    """A URL fetcher that serves data: URIs, the guide's checked images (``files``, by
    ``asset_key``) and files under ``roots`` (styles, fonts), and nothing else."""
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
            key = asset_key(url)
            if key in files:
                return URLFetcherResponse(url, files[key], {"Content-Type": media_type(Path(key))})
            if key.startswith(asset_key(ASSETS) + "/"):
                raise FatalURLFetchingError(f"not one of the guide's checked images: {url}")
            path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
            if not any(path.is_relative_to(root) for root in allowed) or not path.is_file():
                raise FatalURLFetchingError(f"outside allowed folders: {url}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type(path)})

    return SafeFetcher()


def allowed_roots(brand: Brand) -> list[Path]:
    """The folders whose files a layout may read from disk: the styles and the fonts."""
    fonts = [file.path.parent for f in (brand.text_font, brand.book_font) for file in f.files]
    return [brand.styles, *fonts]


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

    assets = {asset_key(urljoin(ASSETS, asset.src)): asset.data
              for asset in guide.assets.values()}
    roots = allowed_roots(brand)
    fetcher = make_fetcher(roots, assets)
    extra = {}
    if stylesheet is not None:
        css, fonts = parsed(stylesheet, tuple(roots))
        extra = {"stylesheets": [css], "font_config": fonts}
    try:
        return HTML(string=html, base_url=ASSETS, url_fetcher=fetcher).render(**extra)
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


def pdf_bytes(document: Document, timestamp: dt.datetime,
              labels: list[str] | None = None) -> bytes:
    """Write a tagged PDF whose bytes depend only on the input; ``labels`` are the
    printed folios of its pages (a book's "i", "ii", "1"…), for viewers' page numbers.

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
        # layout/tagging.py adds what the structure tree lacks (header scope, span
        # languages, link descriptions, artifacts, page labels).
        tagging.install()
        return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=True,
                                  finisher=tagging.finisher(labels))
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def media_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"
