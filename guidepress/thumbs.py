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
    import pypdfium2

    pdf = pypdfium2.PdfDocument(pdf_data)
    try:
        page = pdf[0]
        trim = page.get_trimbox()  # the print-shop edition: leave out bleed and marks
        crop = (trim[0] - page.get_mediabox()[0], trim[1] - page.get_mediabox()[1],
                page.get_mediabox()[2] - trim[2], page.get_mediabox()[3] - trim[3])
        scale = THUMB_WIDTH / (trim[2] - trim[0])
        image = page.render(scale=scale, crop=crop).to_pil()
    finally:
        pdf.close()
    return png(image.convert("RGB"))


def cover_image(epub_data: bytes) -> bytes:
    from PIL import Image

    with zipfile.ZipFile(io.BytesIO(epub_data)) as archive:
        cover = Image.open(io.BytesIO(archive.read("EPUB/images/cover.png")))
        cover.load()
    height = round(THUMB_WIDTH * cover.height / cover.width)
    return png(cover.convert("RGB").resize((THUMB_WIDTH, height), Image.LANCZOS))
