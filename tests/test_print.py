"""Book-quality print: typography measured in the PDF and the layout, PDF/UA, press mode."""

from __future__ import annotations

import collections
import ctypes
import itertools
import statistics
import subprocess

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image
from pypdf import PdfReader

from guidepress.build import build
from guidepress.layout.book import layout_book, office_edition, press_edition
from guidepress.project import DEFAULT_STYLES
from guidepress.read.brand import load_brand
from guidepress.read.guide import read_guide
from guidepress.writers import BuildContext, build_timestamp

from .conftest import GUIDES
from .pdftools import page_texts, printed_folio
from .test_handouts import structure_alts

EDITIONS = ("office", "press")


@pytest.fixture(scope="session")
def pressed(tmp_path_factory):
    out = tmp_path_factory.mktemp("press")
    return build(list(GUIDES.values()), out, only=["press"])


@pytest.fixture(scope="session")
def layouts():
    """WeasyPrint's layout of every guide in both editions, to inspect page breaks."""
    brand = load_brand(DEFAULT_STYLES)
    found = {}
    for slug, source in GUIDES.items():
        guide, _ = read_guide(source)
        context = BuildContext(brand, "test", build_timestamp(guide))
        for edition in (office_edition(brand), press_edition(brand)):
            found[slug, edition.name] = layout_book(guide, context, edition)
    return found


def pdf_of(built, pressed, slug, edition):
    if edition == "office":
        return built.out / slug / f"{slug}.pdf"
    return pressed.out / slug / f"{slug}-press.pdf"


def body_pages(path) -> list[int]:
    """Pages with an arabic folio: chapter text (not title, contents or openings)."""
    return [i for i, text in enumerate(page_texts(path))
            if (folio := printed_folio(text)) and folio.isdigit()]


# -- typography, measured in the PDF -----------------------------------------------------


def baselines(path, page: int, size: float) -> list[float]:
    """Baseline heights of the characters set in the body size on one page."""
    document = pypdfium2.PdfDocument(path)
    matrix = pdfium_c.FS_MATRIX()
    found = set()
    try:
        textpage = document[page].get_textpage()
        for index in range(textpage.count_chars()):
            pdfium_c.FPDFText_GetMatrix(textpage, index, ctypes.byref(matrix))
            points = pdfium_c.FPDFText_GetFontSize(textpage, index) * abs(matrix.a)
            if abs(points - size) < 0.05 and not textpage.get_text_range(index, 1).isspace():
                found.add(round(matrix.f, 1))
    finally:
        document.close()
    return sorted(found, reverse=True)


def sizes_by_font(path, pages) -> collections.Counter:
    """(font name, size in points) → number of visible characters, over some pages."""
    document = pypdfium2.PdfDocument(path)
    matrix = pdfium_c.FS_MATRIX()
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    found: collections.Counter = collections.Counter()
    try:
        for page in pages:
            textpage = document[page].get_textpage()
            for index in range(textpage.count_chars()):
                if textpage.get_text_range(index, 1).isspace():
                    continue
                pdfium_c.FPDFText_GetMatrix(textpage, index, ctypes.byref(matrix))
                size = pdfium_c.FPDFText_GetFontSize(textpage, index) * abs(matrix.a)
                pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, 256, ctypes.byref(flags))
                found[buffer.value.decode(), round(size, 1)] += 1
    finally:
        document.close()
    return found


@pytest.mark.parametrize("edition", EDITIONS)
def test_body_size_and_leading(built, pressed, slug, edition):
    path = pdf_of(built, pressed, slug, edition)
    pages = body_pages(path)
    fonts = sizes_by_font(path, pages)
    body = [size for (font, size), count in fonts.items() if "Literata" in font
            for _ in range(count)]
    assert min(body) >= 12.0  # every character of the body text, not just the CSS
    size = statistics.mode(body)
    assert size == {"office": 13.0, "press": 12.0}[edition]
    gaps = []
    for page in range(len(page_texts(path))):
        lines = baselines(path, page, size)
        gaps += [round(a - b, 1) for a, b in itertools.pairwise(lines)]
    # Line to line within a paragraph: the commonest gap (paragraph gaps are larger).
    within = [gap for gap in gaps if size < gap < 2 * size]
    leading = collections.Counter(within).most_common(1)[0][0] / size
    assert 1.35 <= leading <= 1.55, leading


@pytest.mark.parametrize("edition", EDITIONS)
def test_measure_is_55_to_70_characters(built, pressed, edition):
    path = pdf_of(built, pressed, "muscle-spasms", edition)
    texts = page_texts(path, raw=True)
    lengths = [len(line) for page in body_pages(path) for line in texts[page].splitlines()
               if len(line) >= 40]
    assert 55 <= statistics.median(lengths) <= 70, statistics.median(lengths)
    # (longer lines are table rows and notes, whose cells pdftotext joins into one line)
    assert statistics.quantiles(lengths, n=10)[-1] <= 70


def test_no_automatic_hyphenation(built):
    source = " ".join(read_guide(GUIDES["muscle-spasms"])[0].source.read_text().split())
    path = built.out / "muscle-spasms" / "muscle-spasms.pdf"
    for text in page_texts(path, raw=True):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for line, following in itertools.pairwise(lines):
            if line.endswith("-") and following[:1].islower():
                assert line.split()[-1] + following.split()[0] in source


# -- page breaks, read from the layout ---------------------------------------------------


def page_boxes(layout):
    """For every page: the boxes on it, in order, as (element, tag, box)."""
    pages = []
    for page in layout.document.pages:
        found = []

        def visit(box, found=found):
            element = getattr(box, "element", None)
            tag = getattr(box, "element_tag", "") or ""
            if element is not None and "::" not in tag:
                found.append((element, tag, box))
            for child in getattr(box, "children", ()):
                visit(child)

        visit(page._page_box.children[0])
        pages.append(found)
    return pages


def pages_of(pages, predicate) -> dict[int, list[int]]:
    """id(element) → the pages where boxes of matching elements appear."""
    found: dict[int, list[int]] = collections.defaultdict(list)
    for index, boxes in enumerate(pages):
        for element, tag, _ in boxes:
            if predicate(element, tag) and index not in found[id(element)]:
                found[id(element)].append(index)
    return found


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_widows_or_orphans(layouts, slug, edition):
    from weasyprint.formatting_structure.boxes import LineBox

    lines: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for index, boxes in enumerate(page_boxes(layouts[slug, edition])):
        for element, tag, box in boxes:
            if tag == "p" and isinstance(box, LineBox):
                lines[id(element)][index] += 1
    split = [counts for counts in lines.values() if len(counts) > 1]
    for counts in split:
        assert min(counts.values()) >= 2, counts


@pytest.mark.parametrize("edition", EDITIONS)
def test_headings_stay_with_their_text(layouts, slug, edition):
    for index, boxes in enumerate(page_boxes(layouts[slug, edition])):
        blocks = [(tag, box) for element, tag, box in boxes
                  if tag in ("h1", "h2", "h3", "p", "li", "figure", "table", "aside")]
        if blocks:
            assert blocks[-1][0] not in ("h1", "h2", "h3"), (index, blocks[-1])


@pytest.mark.parametrize("edition", EDITIONS)
def test_figures_and_callouts_are_never_split(layouts, slug, edition):
    pages = page_boxes(layouts[slug, edition])
    whole = pages_of(pages, lambda element, tag: tag == "figure" or (
        tag == "aside" and "callout" in (element.get("class") or "")))
    assert whole
    for spread in whole.values():
        assert len(spread) == 1, spread


@pytest.mark.parametrize("edition", EDITIONS)
def test_tables_keep_caption_and_repeat_header(layouts, slug, edition):
    pages = page_boxes(layouts[slug, edition])
    captions = pages_of(pages, lambda element, tag: tag == "caption")
    rows = pages_of(pages, lambda element, tag: tag == "tr")
    heads = pages_of(pages, lambda element, tag: tag == "thead")
    tables = pages_of(pages, lambda element, tag: tag == "table")
    assert tables
    for spread in tables.values():
        for page in spread:  # a table broken across pages repeats its header row
            assert any(page in on for on in heads.values()), page
    for caption_pages in captions.values():
        first_rows = [on[0] for on in rows.values()]
        assert caption_pages[0] in first_rows


def test_footnotes_land_with_their_call_in_both_editions(layouts):
    for edition in EDITIONS:
        layout = layouts["ankle-sprain", edition]
        for page in layout.document.pages:
            anchors = set(page.anchors)
            if "fn-1" in anchors:
                area = [c for c in page._page_box.children
                        if type(c).__name__ == "FootnoteAreaBox"]
                assert area, edition


# -- press mode ------------------------------------------------------------------------


def boxes(path, name: str) -> set[tuple[float, ...]]:
    reader = PdfReader(path)
    return {tuple(round(float(v), 1) for v in page[name]) for page in reader.pages}


def test_press_trim_and_bleed_boxes(pressed, slug):
    path = pressed.out / slug / f"{slug}-press.pdf"
    assert boxes(path, "/TrimBox") == {(0.0, 0.0, 432.0, 648.0)}  # 6 by 9 in
    assert boxes(path, "/BleedBox") == {(-9.0, -9.0, 441.0, 657.0)}  # 0.125 in bleed
    assert boxes(path, "/MediaBox") == {(-9.0, -9.0, 441.0, 657.0)}


def chapter_openings(path, titles: list[str]) -> list[int]:
    texts = page_texts(path)
    openings = []
    for title in titles:
        openings += [i for i, text in enumerate(texts)
                     if " ".join(text.split()).startswith(title) and printed_folio(text) is None]
    return openings


def test_press_chapters_open_on_right_hand_pages(pressed, slug):
    guide = next(j.guide for j in pressed.guides if j.guide.slug == slug)
    path = pressed.out / slug / f"{slug}-press.pdf"
    openings = chapter_openings(path, [c.title for c in guide.chapters])
    assert len(openings) == len(guide.chapters)
    assert all(index % 2 == 0 for index in openings), openings  # page 1 is a right page


def leftmost(path, page: int) -> float:
    document = pypdfium2.PdfDocument(path)
    try:
        textpage = document[page].get_textpage()
        return min(textpage.get_charbox(i)[0] for i in range(textpage.count_chars())
                   if not textpage.get_text_range(i, 1).isspace())
    finally:
        document.close()


def test_press_gutter_and_outside_folios(pressed):
    path = pressed.out / "muscle-spasms" / "muscle-spasms-press.pdf"
    texts = page_texts(path, layout=True)
    left = [i for i in body_pages(path) if i % 2 == 1]
    right = [i for i in body_pages(path) if i % 2 == 0]
    assert left and right
    # Text starts 0.6 in from the trim on left pages (outer) and 0.85 in on right pages.
    assert min(leftmost(path, i) for i in right) - max(leftmost(path, i) for i in left) > 10
    for index in left:  # the folio sits at the outside corner
        assert texts[index].rstrip().splitlines()[-1].startswith(printed_folio(texts[index]))
    for index in right:
        assert texts[index].rstrip().splitlines()[-1].strip() == printed_folio(texts[index])
        assert texts[index].rstrip().splitlines()[-1].startswith(" " * 40)


def test_low_resolution_image_is_a_warning(guide_copy, tmp_path):
    Image.new("RGB", (200, 120), "white").save(guide_copy.parent / "images" / "small.png")
    text = guide_copy.read_text(encoding="utf-8")
    guide_copy.write_text(text.replace(
        "## How bad is it? {#how-bad}",
        "## How bad is it? {#how-bad}\n\n![A small test picture](images/small.png)"),
        encoding="utf-8")
    result = build([guide_copy], tmp_path / "out", only=["press"])
    [warning] = [w for w in result.warnings if "print-shop edition" in w.message]
    assert warning.severity == "warning"
    assert warning.line == text.split("\n").index("## How bad is it? {#how-bad}") + 3
    assert warning.message.startswith("image 'images/small.png' prints at ")
    assert "dpi in the print-shop edition; print shops need 300" in warning.message
    assert (tmp_path / "out" / "ankle-sprain" / "ankle-sprain-press.pdf").exists()


# -- the file: accessible, described, small, reproducible --------------------------------


@pytest.mark.parametrize("edition", EDITIONS)
def test_tagged_pdf_with_metadata(built, pressed, slug, edition):
    path = pdf_of(built, pressed, slug, edition)
    guide = next(j.guide for j in built.guides if j.guide.slug == slug)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert "Tagged:          yes" in info
    assert f"Author:          {guide.meta.author}" in info
    assert f"Subject:         {guide.meta.description}" in info
    assert f"Keywords:        {', '.join(guide.meta.keywords)}" in info
    date = guide.meta.date
    assert f"CreationDate:    {date:%a %b} {date.day:2d} 00:00:00 {date.year} UTC" in info
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == guide.meta.language
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title.startswith(guide.meta.title)
    levels = {len(item) for item in outline_paths(reader.outline)}
    assert levels >= {1, 2}  # chapters with their sections nested below
    figures = [n for n in guide.walk() if n.type == "figure"]
    alts = structure_alts(path)
    for figure in figures:
        assert figure.children[0].attrs["alt"] in alts


def outline_paths(outline, depth=1):
    for item in outline:
        if isinstance(item, list):
            yield from outline_paths(item, depth + 1)
        else:
            yield (item.title,) * depth


def test_shipped_print_pdf_is_small(built):
    assert (built.out / "muscle-spasms" / "muscle-spasms.pdf").stat().st_size <= 1_000_000


def test_press_edition_is_reproducible(pressed, tmp_path):
    again = build([GUIDES["ankle-sprain"]], tmp_path, only=["press"])
    name = "ankle-sprain/ankle-sprain-press.pdf"
    assert (tmp_path / name).read_bytes() == (pressed.out / name).read_bytes()
    assert again.manifest["guides"][0]["files"][0]["edition"] == "press"
