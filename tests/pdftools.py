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


BBOX_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="[-\d.]+" xMax="([-\d.]+)" yMax="[-\d.]+">([^<]*)</word>')
BBOX_PAGE = re.compile(r'<page width="([\d.]+)" height="[\d.]+">')


def word_boxes(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """(page index, page width, xMin, xMax, word) for every word pdftotext finds, in points."""
    args = ["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(pdf), "-"]
    xhtml = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    boxes = []
    # Each page's words follow its <page> tag: split on the tags to know which page a word is on.
    pieces = BBOX_PAGE.split(xhtml)
    for index, (width, body) in enumerate(zip(pieces[1::2], pieces[2::2], strict=True)):
        for x_min, x_max, word in BBOX_WORD.findall(body):
            boxes.append((index, float(width), float(x_min), float(x_max), word))
    return boxes


def words_outside(pdf: Path, margins: tuple[float, float] | None = None, slack: float = 0.5
                  ) -> tuple[list, list]:
    """Words printed past the page edge, and words past the text column.

    ``margins`` are the (left, right) page margins in points, the same on every page (the
    office edition's are); without them only the first list is computed. ``slack`` absorbs
    rounding in pdftotext's boxes. Each entry is (page number from 1, xMin, xMax, word).
    """
    past_edge, past_column = [], []
    for page, width, x_min, x_max, word in word_boxes(pdf):
        entry = (page + 1, x_min, x_max, word)
        if x_min < -slack or x_max > width + slack:
            past_edge.append(entry)
        elif margins and (x_min < margins[0] - slack or x_max > width - margins[1] + slack):
            past_column.append(entry)
    return past_edge, past_column
