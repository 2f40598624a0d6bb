"""Reading PDFs back in tests: text per page (pdftotext) and the printed folios."""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
from pathlib import Path

import pypdfium2

from guidepress.verify.measure import glyph_sizes

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
    """How many visible characters are set at each size, in points, on one page (the
    measure `publish verify` reports, to two decimals)."""
    return glyph_sizes(pdf, digits=2, pages=[page])


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


# pdfua 0.1.3's heading rule crashes on any heading whose /K is an array (its own
# `getattr(array, "is_integer")` raises), so it reports the rule as skipped on every
# WeasyPrint PDF; guidepress/verify/pdfstructure.py's 14-007 checks the same condition.
CHECKER_BUGS = {"UA-14-001"}


def pdfua_report(path: Path) -> dict:
    """The independent PDF/UA-1 checker's JSON report on one file, from its own command
    line (not through guidepress.verify, so the tests do not trust our runner)."""
    run = subprocess.run([sys.executable, "-m", "pdfua", "check", "-f", "json", str(path)],
                         capture_output=True, text=True, timeout=120)
    return json.loads(run.stdout)
