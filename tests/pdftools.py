"""Reading PDFs back in tests: text per page (pdftotext) and the printed folios."""

from __future__ import annotations

import collections
import ctypes
import math
import re
import subprocess
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c

ROMAN = re.compile(r"^[ivxlc]+$")


def page_texts(pdf: Path, layout: bool = False, raw: bool = False) -> list[str]:
    """Text per page. `raw` keeps lines as printed (no joining of hyphenated words)."""
    mode = ["-layout"] if layout else ["-raw"] if raw else []
    args = ["pdftotext", "-enc", "UTF-8", *mode, str(pdf), "-"]
    text = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_count(pdf: Path) -> int:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [(round(p.get_width(), 1), round(p.get_height(), 1)) for p in document]
    finally:
        document.close()


def printed_folio(text: str) -> str | None:
    """The page number printed at the foot of a page: its last non-empty line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and (lines[-1].isdigit() or ROMAN.match(lines[-1])):
        return lines[-1]
    return None


def outline_titles(pdf: Path) -> list[tuple[int, str]]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [(item.level, item.get_title()) for item in document.get_toc()]
    finally:
        document.close()


def font_sizes(pdf: Path, page: int = 0) -> collections.Counter:
    """How many visible characters are set at each size, in points, on one page.

    pdfium reports the size in text space; the character's matrix carries the page's
    scaling (WeasyPrint draws in CSS pixels, scaled by 0.75), so the printed size is the
    product of the two.
    """
    document = pypdfium2.PdfDocument(pdf)
    matrix = pdfium_c.FS_MATRIX()
    sizes: collections.Counter = collections.Counter()
    try:
        textpage = document[page].get_textpage()
        for index in range(textpage.count_chars()):
            if textpage.get_text_range(index, 1).isspace():
                continue
            pdfium_c.FPDFText_GetMatrix(textpage, index, ctypes.byref(matrix))
            scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
            sizes[round(pdfium_c.FPDFText_GetFontSize(textpage, index) * scale, 2)] += 1
    finally:
        document.close()
    return sizes


def body_size(pdf: Path, page: int = 0) -> float:
    """The body text size of a page: the size most of its characters are set in."""
    return font_sizes(pdf, page).most_common(1)[0][0]
