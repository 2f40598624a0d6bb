"""Small pictures of outputs for the downloads pages: a PDF's first page, an ebook's cover.

Writers make them right after their file, in the same worker process; the site reuses
them (or the ones an earlier build left) instead of opening every file again.
"""

from __future__ import annotations

import io
import zipfile

THUMB_WIDTH = 240  # pixels; shown at about 120 CSS px, sharp on high-density screens


def thumbnail_of(kind: str, data: bytes) -> bytes:
    return cover_image(data) if kind == "epub" else first_page(data)


def png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)  # optimize=True costs 3x the time for 1%
    return out.getvalue()


def first_page(pdf_data: bytes) -> bytes:
    return png(first_page_images(pdf_data, THUMB_WIDTH)[0])


def first_page_images(pdf_data: bytes, *widths: int) -> list:
    """The first page of a PDF as RGB images (PIL) of the given pixel widths, each drawn
    from the page itself: sharper than shrinking one large image, and faster."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(pdf_data)
    try:
        page = pdf[0]
        trim = page.get_trimbox()  # the print-shop edition: leave out bleed and marks
        media = page.get_mediabox()
        crop = (trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3])
        return [page.render(scale=width / (trim[2] - trim[0]), crop=crop).to_pil().convert("RGB")
                for width in widths]
    finally:
        pdf.close()


def cover_image(epub_data: bytes) -> bytes:
    from PIL import Image

    with zipfile.ZipFile(io.BytesIO(epub_data)) as archive:
        cover = Image.open(io.BytesIO(archive.read("EPUB/images/cover.png")))
        cover.load()
    height = round(THUMB_WIDTH * cover.height / cover.width)
    return png(cover.convert("RGB").resize((THUMB_WIDTH, height), Image.LANCZOS))
