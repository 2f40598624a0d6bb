"""What the accessibility report measures in the files themselves: the body text size and
the smallest text in every PDF, the reading level of each handout as printed, and the
contrast of the brand's text colours (in colour and printed in gray)."""

from __future__ import annotations

import collections
import ctypes
import math
from pathlib import Path

from ..checks.text import SENTENCE_END, Sentence, scores, spanish_scores
from ..colors import contrast
from ..read.brand import Brand


def printed_size(text, index: int) -> float:
    """The printed size, in points, of character ``index`` of a pypdfium2 text page.

    pdfium gives the size in text space; the character's matrix carries the page's scale
    (WeasyPrint draws in CSS pixels, scaled by 0.75), so the printed size is the product.
    """
    import pypdfium2.raw as pdfium_c

    matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFText_GetMatrix(text, index, ctypes.byref(matrix))
    scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
    return pdfium_c.FPDFText_GetFontSize(text, index) * scale


def glyph_sizes(pdf: Path, digits: int = 1, pages: list[int] | None = None
                ) -> collections.Counter:
    """How many visible characters are set at each size (in points, to ``digits``
    decimals) on ``pages`` (0-based; default: every page) of a PDF."""
    import pypdfium2

    sizes: collections.Counter = collections.Counter()
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number in range(len(document)) if pages is None else pages:
            text = document[number].get_textpage()
            for index in range(text.count_chars()):
                if not text.get_text_range(index, 1).isspace():
                    sizes[round(printed_size(text, index), digits)] += 1
    finally:
        document.close()
    return sizes


def printed_text(pdf: Path) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def reading_grade(pdf: Path) -> tuple[float, float] | None:
    """(Flesch–Kincaid grade, SMOG grade) of everything printed on the sheet."""
    text = " ".join(printed_text(pdf).split())
    found = scores([Sentence(part, 0) for part in SENTENCE_END.split(text) if part.strip()])
    return (found.flesch_kincaid, found.smog) if found else None


def spanish_reading(pdf: Path) -> tuple[float, float] | None:
    """(INFLESZ, Fernández-Huerta) of everything printed on a Spanish sheet."""
    text = " ".join(printed_text(pdf).split())
    found = spanish_scores([Sentence(part, 0) for part in SENTENCE_END.split(text)
                            if part.strip()])
    return (found.inflesz, found.fernandez_huerta) if found else None


def handout_reading(pdf: Path, language: str) -> dict:
    """A handout's reading level by the formula made for its language."""
    if language.lower().startswith("es"):
        score = spanish_reading(pdf)
        return {"inflesz": score[0], "fernandez_huerta": score[1]} if score else {}
    grade = reading_grade(pdf)
    return {"flesch_kincaid": grade[0], "smog": grade[1]} if grade else {}


def measured(out: Path, entry: dict, brand: Brand) -> dict:
    """The report's "What we measured": text sizes and reading level per PDF, contrast."""
    text = []
    for file in entry["files"]:
        path = out / file["path"]
        if path.suffix != ".pdf" or not path.is_file():
            continue
        sizes = glyph_sizes(path)
        if not sizes:
            continue
        row = {"file": file["path"], "title": file["title"],
               "body_pt": sizes.most_common(1)[0][0], "smallest_pt": min(sizes)}
        if file["kind"] == "handout":
            row |= handout_reading(path, entry.get("language") or "en")
        text.append(row)
    contrasts = []
    for pair in brand.data.contrast_pairs:
        colour, grey = contrast(brand.color(pair[0]), brand.color(pair[1]))
        contrasts.append({"text": pair[0], "background": pair[1], "colour": round(colour, 1),
                          "gray": round(grey, 1),
                          "needed": 3.0 if pair[2:] == ["large"] else 4.5})
    return {"text": text, "contrast": contrasts}
