"""Wide content (long words and tokens, code, tab-indented lines, many-column tables) stays
inside the page in the print book and inside its column on a handout; `publish check
--render` reports whatever still prints past an edge, at the manuscript line it came
from, and refuses a handout table that fits its column only by splitting words."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner

import publish
from guidepress.build import build
from guidepress.checks import check_files
from guidepress.layout.book import office_edition
from guidepress.project import DEFAULT_STYLES
from guidepress.read.brand import load_brand

from .conftest import FIXTURES
from .pdftools import page_count

TODAY = dt.date(2026, 11, 25)
POINTS = 72  # to the inch
SLACK = 1.0  # pt: a glyph's ink may reach a hair past its advance (an italic, a kern)

WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2  # 90 letters, no break in it
TOKEN = "https://www.example.org/track?id=" + "A1b2C3d4" * 12  # a URL-like token
DAYS = "| Day | Monday | Tuesday | Wednesday | Thursday | Friday | Saturday | Sunday | Notes |"
CARE = "Compression | Elevation | Stretching | Compression | Elevation | Stretching | Rest"

# Each case: the Markdown of one block, and the offset (from the block's first line) of
# the line that runs long.
CASES = {
    "long-word": (f"Rest the foot. Say {WORD} slowly and rest again.", 0),
    "url-token": (f"Read more at {TOKEN} when you can.", 0),
    "inline-code": (f"Type `{'x1y2z3' * 16}` into the box.", 0),
    "fenced-code": ("```\nshort line\n" + "step-" * 24 + "done\n```", 2),
    "tab-indented": ("\tRaise the foot on two pillows, keep it above your heart, and keep "
                     "it there for twenty minutes, three times a day, for a week.", 0),
    # Too many whole words for one line at any size: the columns must split some.
    "many-columns": (DAYS + "\n|---|---|---|---|---|---|---|---|---|\n"
                     f"| Morning | {CARE} | Raise the foot above the heart |\n"
                     f"| Evening | {CARE} | Walk a little |", 0),
}

FRONT = """\
---
title: Wide Content
reviewed: 2026-10-01
handouts:
  - id: wide
    title: A sheet with wide content
    sections: [wide]
---
"""
HEADING = "# Very wide things {#wide}"


def manuscript(tmp_path: Path, *blocks: str) -> tuple[Path, list[int]]:
    """A guide whose one section (also its one handout) holds ``blocks``; returns the
    path and the first line of each block."""
    lines = [*FRONT.splitlines(), "", HEADING, ""]
    starts = []
    for block in blocks:
        starts.append(len(lines) + 1)
        lines += [*block.splitlines(), ""]
    lines += ["Rest and ice help most sprains heal.", ""]
    path = tmp_path / "wide.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, starts


def glyphs(pdf: Path, page: int):
    """(character, left, bottom, right, top) in points for every visible character."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        text = document[page].get_textpage()
        for index in range(text.count_chars()):
            char = text.get_text_range(index, 1)
            if char.strip():
                yield (char, *text.get_charbox(index))
    finally:
        document.close()


def book_text_block() -> tuple[float, float]:
    """Left and right edges of the office edition's text block, in points."""
    brand = load_brand(DEFAULT_STYLES)
    edition = office_edition(brand)
    width = float(edition.page_size.split()[0].removesuffix("in")) * POINTS
    inner = float(edition.inner.removesuffix("in")) * POINTS
    outer = float(edition.outer.removesuffix("in")) * POINTS
    return inner, width - outer  # the office edition's margins are the same on both sides


# The handout's geometry, from styles/css/handout.css: 0.55in side margins, two columns
# 0.32in apart, the footer in the 1.65in bottom margin, on a Letter page.
HANDOUT_LEFT = 0.55 * POINTS
HANDOUT_GAP = 0.32 * POINTS
HANDOUT_COLUMN = (8.5 * POINTS - 2 * HANDOUT_LEFT - HANDOUT_GAP) / 2
FOOTER_TOP = 1.65 * POINTS


def past_book_edges(pdf: Path) -> list[tuple[int, str, float]]:
    left, right = book_text_block()
    return [(page, char, round(max(x1 - right, left - x0), 1))
            for page in range(page_count(pdf))
            for char, x0, _, x1, _ in glyphs(pdf, page)
            if x1 > right + SLACK or x0 < left - SLACK]


def past_handout_columns(pdf: Path) -> list[tuple[str, float]]:
    """Body characters (below the section's heading, above the footer) that reach past
    the edge of the column they start in."""
    chars = list(glyphs(pdf, 0))
    heading = "".join(c[0] for c in chars).index("Verywidethings")  # spaces are not glyphs
    top = chars[heading][4]
    edges = [(HANDOUT_LEFT, HANDOUT_LEFT + HANDOUT_COLUMN),
             (HANDOUT_LEFT + HANDOUT_COLUMN + HANDOUT_GAP, HANDOUT_LEFT + 2 * HANDOUT_COLUMN
              + HANDOUT_GAP)]
    found = []
    for char, x0, bottom, x1, t in chars:
        if t > top + SLACK or bottom < FOOTER_TOP:
            continue  # the sheet's header, title and footer span both columns
        start, end = edges[0] if x0 < edges[0][1] + HANDOUT_GAP / 2 else edges[1]
        if x1 > end + SLACK or x0 < start - SLACK:
            found.append((char, round(max(x1 - end, start - x0), 1)))
    return found


@pytest.mark.parametrize("case", list(CASES))
def test_wide_content_stays_inside_page_and_column(tmp_path, case):
    block, _ = CASES[case]
    path, _ = manuscript(tmp_path, block)
    out = tmp_path / "out"
    build([path], out, only=["pdf", "handouts"])
    book = out / "wide" / "wide.pdf"
    handout = out / "wide" / "handouts" / "wide.pdf"
    assert past_book_edges(book) == []
    assert page_count(handout) == 1
    assert past_handout_columns(handout) == []
    # The geometry past_handout_columns() measures against is the stylesheet's.
    css = (DEFAULT_STYLES / "css" / "handout.css").read_text(encoding="utf-8")
    assert "margin: 0.45in 0.55in calc(0.35in + {{ footer_in }}in) 0.55in;" in css
    assert "column-gap: 0.32in" in css and "{% set footer_in = 1.3 %}" in css


def unwrapped_styles(tmp_path: Path) -> Path:
    """The shipped styles with the wrapping undone, as they were before wide content was
    laid out to fit, and pictures set in a line of text allowed to be 9 in wide."""
    styles = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES, styles)
    undo = textwrap.dedent("""
        html, th, td, pre, code { overflow-wrap: normal; }
        pre { white-space: pre; }
        table { table-layout: auto; }
        p img { width: 9in; max-width: none; }
    """)
    for name in ("print.css", "handout.css"):
        sheet = styles / "css" / name
        sheet.write_text(sheet.read_text(encoding="utf-8") + undo, encoding="utf-8")
    # No "When to call" box: the sheet of wide things must fit one page to be measured.
    brand = styles / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    start = text.index("when_to_call:")
    brand.write_text(text[:start] + text[text.index("\nprinted_by:", start) + 1:],
                     encoding="utf-8")
    return styles


def overflow_findings(path: Path, styles: Path = DEFAULT_STYLES):
    return [f for f in check_files([path], styles, TODAY, render=True) if f.rule == "overflow"]


def test_check_render_reports_what_prints_past_an_edge(tmp_path):
    (tmp_path / "images").mkdir()
    shutil.copy(FIXTURES / "ankle-sprain" / "images" / "ankle.svg", tmp_path / "images")
    picture = "A picture in the text: ![A side view of an ankle](images/ankle.svg) here."
    names = ["long-word", "inline-code", "fenced-code", "tab-indented", "many-columns"]
    path, starts = manuscript(tmp_path, *(CASES[n][0] for n in names), picture)
    lines = {name: start + CASES[name][1] for name, start in zip(names, starts[:-1], strict=True)}
    lines["picture"] = starts[-1]

    found = overflow_findings(path, unwrapped_styles(tmp_path))
    assert all(f.severity == "error" for f in found)
    book: dict[int, list] = {}
    handout: dict[int, list] = {}
    for f in found:
        where = book if "in the book" in f.message else handout
        where.setdefault(f.line, []).append(f)
    assert set(book) == set(handout) == set(lines.values()), [f.message for f in found]

    def message(where: dict, case: str, start: str):
        return next(f for f in where[lines[case]] if f.message.startswith(start))

    message(book, "long-word", "text runs past the right edge of the page by ")
    message(handout, "long-word", "text runs past the right edge of the column by ")
    assert "a line indented with a tab" in message(book, "tab-indented", "code runs").hint
    message(book, "many-columns", "a table with 9 columns runs past the right edge of the page")
    message(handout, "picture", "an image runs past the right edge of the column")
    fenced = message(book, "fenced-code", "code runs past the right edge of the page by ")
    assert int(fenced.message.split(" by ")[1].split()[0]) > 100  # 124 characters of code

    # The command line prints them as file:line: error overflow …
    result = CliRunner().invoke(publish.cli, [
        "check", "--render", "--today", "2026-11-25", "--styles",
        str(tmp_path / "styles"), str(path)])
    assert result.exit_code == 1
    assert (f"{path}:{lines['long-word']}:1: error overflow text runs past the right edge "
            "of the column by ") in result.output


def test_check_render_is_quiet_when_everything_fits(tmp_path):
    # Everything the previous test reports, laid out by the shipped styles: it all wraps.
    names = ["long-word", "url-token", "inline-code", "fenced-code", "tab-indented"]
    path, _ = manuscript(tmp_path, *(CASES[n][0] for n in names),
                         "| Grade | Healing time |\n|---|---|\n"
                         f"| Mild | One to three weeks; see {WORD} |")
    assert overflow_findings(path) == []
    # and the unwrapped styles really did print past the edges (the rule sees them)
    assert overflow_findings(path, unwrapped_styles(tmp_path))


def test_many_columns_refuse_the_handout_and_warn_in_the_book(tmp_path):
    path, [table] = manuscript(tmp_path, CASES["many-columns"][0])
    found = overflow_findings(path)
    assert [(f.line, f.severity) for f in found] == [(table, "warning"), (table, "error")]
    book, handout = found if "the book" in found[0].message else found[::-1]
    assert handout.severity == "error"
    assert handout.message.startswith(
        "a table with 9 columns is too wide for the column in handout 'wide', page 1")
    assert "words such as" in handout.message and "“Wednesday”" in handout.message
    assert "{.book-only}" in handout.hint
    assert book.severity == "warning" and "too wide for the page in the book" in book.message


def test_a_table_of_few_columns_is_not_refused(tmp_path):
    path, _ = manuscript(tmp_path, "| Grade | What it means | Usual healing time |\n"
                         "|---|---|---|\n| Moderate | The ligament was partly torn | Three "
                         "to six weeks |\n| Severe | Torn through | Several months |",
                         "| Word | Meaning |\n|---|---|\n"
                         f"| Long | {WORD} is a very long word |")
    assert overflow_findings(path) == []
    # ... while the unwrapped styles printed the second one past the edges
    assert {f.message.split(" runs ")[0] for f in overflow_findings(
        path, unwrapped_styles(tmp_path))} == {"a table with 2 columns"}
