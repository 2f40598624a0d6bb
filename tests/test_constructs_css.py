"""The Markdown constructs the renderer emits (ordered lists with start, type and
delimiters, task lists, definition lists, line blocks, sub/superscripts, sized images,
aligned cells, footnotes of several blocks, long code and URLs) laid out by WeasyPrint with
the shipped print and handout stylesheets, and measured in the PDF."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from guidepress.layout import weasy
from guidepress.layout.book import office_edition, stylesheet
from guidepress.project import DEFAULT_STYLES
from guidepress.read.brand import load_brand
from guidepress.writers import BuildContext
from guidepress.writers.handout import FIT, handout_css

POINTS = 72
PX = 0.75  # WeasyPrint's CSS pixel, in points
SLACK = 1.0  # pt

CODE = "--metadata-file=" + "averyveryverylongpathname/" * 5 + "end.yaml"
URL = ("https://www.example.org/patients/guides/muscle-spasms/stretching-for-the-lower-back"
       "?utm_source=handout&amp;ref=" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" * 2)
TOKEN = "x1y2z3" * 30


def lists() -> str:
    # The markup of the renderer for the print targets: WeasyPrint ignores `start`, so the
    # <ol> also carries counter-reset: list-item (start − 1).
    return """
<ol start="3" style="counter-reset: list-item 2"><li>Third step</li><li>Fourth step</li></ol>
<ol start="3" type="a" class="delim-paren" style="counter-reset: list-item 2">
  <li>Alpha paren</li></ol>
<ol start="4" type="i" class="delim-parens" style="counter-reset: list-item 3">
  <li>Roman parens</li><li><p>Loose roman item.</p><p>Its second paragraph.</p></li></ol>
<ol start="3" type="A" style="counter-reset: list-item 2"><li>Upper alpha</li></ol>
<ol type="I" class="delim-paren"><li>Upper roman</li><li>Upper roman two</li></ol>
<ol start="9" class="delim-parens" style="counter-reset: list-item 8">
  <li>Decimal nine</li><li>Decimal ten</li></ol>
<ul class="task-list">
  <li class="task-item"><span class="task-box" role="img" aria-label="not done"></span>
    Open task</li>
  <li class="task-item"><span class="task-box done" role="img" aria-label="done"></span>
    Done task</li>
</ul>
<dl><dt>Spasm</dt><dd>A muscle that tightens by itself.</dd>
<dt>Cramp</dt><dd><p>A painful spasm.</p><p>It can wake you at night.</p></dd></dl>
<div class="line-block">260 Old Hook Rd<br/>\u00a0\u00a0\u00a0\u00a0Suite 200<br/>Westwood, NJ</div>
<p class="with-scripts">Take x<sup>2</sup> tablets with H<sub>2</sub>O and more words to
fill the line so that it wraps, <del>old dose</del> new dose, on the 10<sup>th</sup> day,
breathe out CO<sub>2</sub> and more words so that the paragraph runs on to a few lines.</p>
<p class="without-scripts">Take x2 tablets with H2O and more words to fill the line so that
it wraps, old dose new dose, on the 10th day, breathe out CO2 and more words so that the
paragraph runs on to a few lines.</p>
"""


WIDE = f"""
<p>Read <a class="external" href="{URL}">{URL}</a> now.</p>
<p>Read <a class="external" href="{URL}">the stretching page</a> now.</p>
<pre><code>short line
{CODE} {CODE}
        indented-{TOKEN}</code></pre>
<ul><li><p>A list with code:</p><pre><code>{TOKEN}</code></pre>
  <ul><li><pre><code>{TOKEN}</code></pre></li></ul></li></ul>
<p>Inline <code>{TOKEN}</code> code.</p>
<div class="table-wrap"><table>
<thead><tr><th class="align-left">Item</th><th class="align-center">How</th>
  <th class="align-right">Dose</th></tr></thead>
<tbody><tr><td class="align-left">Code</td><td class="align-center"><code>{CODE}</code></td>
  <td class="align-right">1,000 mg</td></tr>
<tr><td>Token</td><td>{TOKEN}</td><td class="align-right">{TOKEN}</td></tr></tbody></table></div>
<div class="table-wrap"><table>
<thead><tr>{"".join(f"<th>Heading{n}</th>" for n in range(9))}</tr></thead>
<tbody><tr>{"".join(f"<td>Wednesday{n} <code>{CODE}</code></td>" for n in range(9))}</tr></tbody>
</table></div>
"""

FOOTNOTE = f"""<p>A sentence with a note.<span class="footnote" id="fn-1"><span
class="note-block note-p">First paragraph of the note.</span><span class="note-block
note-p">Second paragraph.</span><span class="note-block note-li"><span
class="note-marker">1.</span> an item</span><span class="note-block note-pre">code line
  {CODE}</span><span class="note-block note-quote"><span class="note-block note-p">Quoted words.\
</span></span></span> Then more text.</p>"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    brand = load_brand(DEFAULT_STYLES)
    context = BuildContext(brand, "test", dt.datetime(2026, 1, 1))
    folder = tmp_path_factory.mktemp("constructs")
    Image.new("RGB", (400, 200), "black").save(folder / "wide.png")
    Image.new("RGB", (200, 400), "black").save(folder / "tall.png")
    return brand, context, folder


def figures(folder: Path) -> str:
    wide, tall = (folder / "wide.png").as_uri(), (folder / "tall.png").as_uri()
    return "".join(f'<figure><img src="{src}" alt="{alt}" style="{style}"/></figure>'
                   for src, alt, style in [(wide, "half", "width: 50%"),
                                           (tall, "tall", "height: 3in"),
                                           (wide, "px", "width: 300px"),
                                           (wide, "cm", "width: 4cm"),
                                           (wide, "too-wide", "width: 150%")])


def book(setup, body: str, name: str):
    """``body`` as a chapter of the office edition, its stylesheet in the document as the
    print writer puts it (printbook.book_html)."""
    brand, _, folder = setup
    css = stylesheet(brand, office_edition(brand))
    html = (f'<!DOCTYPE html><html lang="en"><head><style>{css}</style></head><body>'
            f'<section class="chapter first-chapter">{body}</section></body></html>')
    return write(html, folder / f"{name}.pdf", None, setup)


def handout(setup, body: str, name: str):
    """``body`` in the handout's two columns at the floor size, the stylesheet parsed
    apart from the document as the handout writer does (weasy.render)."""
    _, context, folder = setup
    css = handout_css(context, FIT)
    html = (f'<!DOCTYPE html><html lang="en"><head><style>:root {{ --body-size: '
            f'{FIT.floor_pt}pt; --figure-height: 1.8in; }}</style></head><body><main>'
            f'<h1>Handout</h1><div class="columns">{body}</div></main></body></html>')
    return write(html, folder / f"{name}.pdf", css, setup)


def write(html: str, path: Path, css: str | None, setup):
    from weasyprint import HTML

    brand, _, folder = setup
    extra = {}
    if css is not None:
        sheet, fonts = weasy.parsed(css, tuple(weasy.allowed_roots(brand)))
        extra = {"stylesheets": [sheet], "font_config": fonts}
    document = HTML(string=html, base_url=folder.as_uri() + "/").render(**extra)
    document.write_pdf(path)
    return document, path


def lines(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def words(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, left, top, right, bottom, word) in points, from pdftotext -bbox-layout,
    each word with the first word of its line: (…, word, line_start)."""
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    found = []
    for page, chunk in enumerate(html.split("<page ")[1:]):
        for line in re.findall(r"<line [^>]*>(.*?)</line>", chunk, re.S):
            boxes = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                               r'yMax="([\d.]+)">(.*?)</word>', line)
            for x0, y0, x1, y1, word in boxes:
                found.append((page, float(x0), float(y0), float(x1), float(y1), word,
                              boxes[0][4]))
    return found


MARKERS = [("3.", "Third step"), ("4.", "Fourth step"), ("c)", "Alpha paren"),
           ("(iv)", "Roman parens"), ("(v)", "Loose roman item."), ("C.", "Upper alpha"),
           ("I)", "Upper roman"), ("II)", "Upper roman two"), ("(9)", "Decimal nine"),
           ("(10)", "Decimal ten")]


@pytest.mark.parametrize("target", ["book", "handout"])
def test_list_markers_follow_start_type_and_delimiter(setup, target):
    _, pdf = (book if target == "book" else handout)(setup, lists(), f"lists-{target}")
    printed = lines(pdf)
    for marker, text in MARKERS:
        assert f"{marker} {text}" in printed, (marker, printed)
    # the second paragraph of a loose item is not numbered again
    assert "Its second paragraph." in printed


def test_footnote_of_several_blocks(setup):
    _, pdf = book(setup, FOOTNOTE, "footnote")
    printed = lines(pdf)
    # The note's number stays on the line of its first paragraph; the others are blocks.
    assert "1. First paragraph of the note." in printed, printed
    assert "Second paragraph." in printed
    assert "1. an item" in printed and "code line" in printed and "Quoted words." in printed


def column_edges(target: str) -> list[tuple[float, float]]:
    brand = load_brand(DEFAULT_STYLES)
    if target == "book":
        edition = office_edition(brand)
        width = float(edition.page_size.split()[0].removesuffix("in")) * POINTS
        return [(1.45 * POINTS, width - 1.45 * POINTS)]
    # styles/css/handout.css: 0.55in side margins, two columns 0.32in apart, Letter paper
    left, gap = 0.55 * POINTS, 0.32 * POINTS
    column = (8.5 * POINTS - 2 * left - gap) / 2
    return [(left, left + column), (left + column + gap, left + 2 * column + gap)]


@pytest.mark.parametrize("target", ["book", "handout"])
def test_long_code_urls_and_tables_stay_in_the_column(setup, target):
    _, pdf = (book if target == "book" else handout)(setup, WIDE, f"wide-{target}")
    edges = column_edges(target)
    past = []
    found = words(pdf)
    assert any("averyvery" in w[5] for w in found)  # the code was laid out
    for page, x0, _, x1, y1, word, _ in found:
        if target == "book" and (y1 < 1 * POINTS or y1 > 11 * POINTS - 1.05 * POINTS):
            continue  # running head, folio
        if re.fullmatch(r"[•◦▪]", word):
            continue  # a bullet hangs in the list's indent
        start, end = next((e for e in edges if x0 < e[1] + 9), edges[-1])  # its column
        if x1 > end + SLACK or x0 < start - SLACK:
            past.append((page, word, round(x0, 1), round(x1, 1)))
    assert past == []


def test_sub_and_superscripts_keep_the_line_spacing(setup):
    _, pdf = book(setup, lists(), "scripts")
    found = words(pdf)

    # The bottom of each line's first word (body text, never a script), for the lines of
    # the paragraph with scripts: from its first line to the next paragraph's.
    starts = [w for w in found if w[5] == w[6]]
    first = next(i for i, w in enumerate(starts) if w[5] == "Take")
    end = next(i for i, w in enumerate(starts) if i > first and w[5] == "Take")
    bottoms = [w[4] for w in starts[first:end]]
    with_scripts = [round(b - a, 2) for a, b in itertools.pairwise(bottoms)]
    assert len(with_scripts) >= 2
    plain = 13 * 1.45  # the book's body size on its 1.45 leading
    assert all(abs(p - plain) < 0.3 for p in with_scripts), with_scripts
    # and the scripts are printed, readable: 0.8 of the body size
    assert any(w[5].startswith("x2") or w[5] == "x" for w in found)


def dark_fraction(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    region = image.crop(tuple(round(v) for v in box)).convert("L")
    pixels = region.tobytes()  # one byte a pixel
    return sum(p < 128 for p in pixels) / max(1, len(pixels))


@pytest.mark.parametrize("target", ["book", "handout"])
def test_task_boxes_are_drawn(setup, target):
    document, pdf = (book if target == "book" else handout)(setup, lists(), f"tasks-{target}")
    page_box = document.pages[0]._page_box
    boxes = []

    def collect(box):
        element = getattr(box, "element", None)
        if (element is not None and "task-box" in (element.get("class") or "").split()
                and box.element_tag == "span"):  # not the tick's ::after
            boxes.append(box)
        for child in getattr(box, "children", ()):
            collect(child)

    collect(page_box)
    assert len(boxes) == 2
    scale = 4  # pixels per CSS pixel
    pdf_doc = pypdfium2.PdfDocument(pdf)
    try:
        image = pdf_doc[0].render(scale=scale / PX).to_pil()  # pixels per point
    finally:
        pdf_doc.close()
    for box in boxes:
        x, y = box.border_box_x(), box.border_box_y()
        w, h = box.border_width(), box.border_height()
        assert 8 < w < 16 and abs(w - h) < 0.5  # a square about 0.8em
        outline = dark_fraction(image, (x * scale, y * scale, (x + w) * scale, (y + h) * scale))
        inside = dark_fraction(image, ((x + w * 0.3) * scale, (y + h * 0.3) * scale,
                                       (x + w * 0.7) * scale, (y + h * 0.7) * scale))
        assert outline > 0.06  # the border prints dark (a ring a tenth as wide)
        done = "done" in box.element.get("class").split()
        assert (inside > 0.1) if done else (inside < 0.02), (done, inside)


@pytest.mark.parametrize("target", ["book", "handout"])
def test_sized_images_fit_the_column(setup, target):
    _, _, folder = setup
    document, _ = (book if target == "book" else handout)(setup, figures(folder),
                                                         f"figures-{target}")
    edges = column_edges(target)
    column = (edges[0][1] - edges[0][0]) / PX
    images = {}
    for page in document.pages:
        def collect(box):
            element = getattr(box, "element", None)
            if element is not None and element.tag == "img":
                images[element.get("alt")] = box
            for child in getattr(box, "children", ()):
                collect(child)
        collect(page._page_box)
    assert set(images) == {"half", "tall", "px", "cm", "too-wide"}
    for alt, box in images.items():
        assert box.border_width() <= column + 0.5, alt
    assert abs(images["half"].width - column / 2) < 1
    assert abs(images["too-wide"].width - column) < 1
    assert abs(images["cm"].width - 4 / 2.54 * 96) < 1
    assert abs(images["px"].width - 300) < 1
    limit = 3.6 if target == "book" else 1.8  # the sheets' max-height, in inches
    assert images["tall"].height <= min(3, limit) * 96 + 0.5


def test_a_term_is_never_last_on_a_page(setup):
    entries = "".join(f"<dt>Term{n}</dt><dd>The meaning of term {n}, in a sentence long "
                      f"enough to take two lines of the text column of the book.</dd>"
                      for n in range(14))
    # The same list after spacers that grow by a quarter of an entry, so that in one of
    # them or another a term falls at the foot of a page.
    body = "".join(f'<div style="break-before: page; height: {3 + step * 0.22}in"></div>'
                   f"<dl>{entries}</dl>" for step in range(8))
    _, pdf = book(setup, body, "terms")
    found = words(pdf)
    last_lines: dict[int, tuple[float, str]] = {}
    for page, _, _, _, y1, _, first in found:
        if y1 > 11 * POINTS - 1.05 * POINTS:
            continue  # the folio
        if page not in last_lines or y1 > last_lines[page][0]:
            last_lines[page] = (y1, first)
    ends = [first for _, first in last_lines.values()]
    assert not [e for e in ends if e.startswith("Term")], ends
