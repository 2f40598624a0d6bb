"""The read-online page (dist/<slug>/read.html) on a phone, in dark mode and on paper: the
text starts on the first screens, the contents fold away, back-to-top links are big enough
to tap, each note follows the paragraph that calls it, every text colour keeps 4.5:1 on
its background in light and dark mode, and printing it takes few pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from guidepress.read.guide import read_guide
from guidepress.render import HtmlRenderer, RenderOptions
from guidepress.verify import programs

PHONE = {"width": 390, "height": 844}
SLUGS = ("muscle-spasms", "ankle-sprain")
# Letter pages Chromium prints read.html on (page.pdf): measured 9 and 2 with the print
# style sheet (13 and 4 before it); one page of margin for small changes to the text.
PRINT_PAGES = {"muscle-spasms": 10, "ankle-sprain": 3}
MIN_TAP = 44  # px, WCAG 2.5.5 (AAA) and Apple's guideline; the brief's floor
MIN_CONTRAST = 4.5

HEAD = "---\ntitle: Notes everywhere\n---\n# Start {#start}\n\n"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    found = programs.chromium()
    if found.path is None:
        pytest.skip(f"no chromium to test the page in: {found.reason}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(found.path),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def open_page(browser, path: Path, scheme: str = "light", viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or PHONE, color_scheme=scheme)
    page = context.new_page()
    page.goto(path.as_uri())
    return context, page


def read_page(built, slug: str) -> Path:
    return built.out / slug / "read.html"


# -- on a phone ------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_the_text_starts_within_two_phone_screens(built, browser, slug):
    context, page = open_page(browser, read_page(built, slug))
    try:
        top = page.evaluate("document.querySelector('.chapter p').getBoundingClientRect()"
                            ".top + window.scrollY")
        assert top < 2 * PHONE["height"], top
        # Nothing from the contents is on screen before it: the list is folded away.
        shown = page.evaluate("""[...document.querySelectorAll('.toc nav a')]
            .filter(a => a.checkVisibility()).length""")
        assert shown == 0
    finally:
        context.close()


@pytest.mark.parametrize("slug", SLUGS)
def test_the_contents_is_a_closed_details_that_opens(built, browser, slug):
    tree = lxml_html.parse(str(read_page(built, slug)))
    [toc] = tree.xpath("//details[@id='toc']")
    assert toc.get("open") is None
    summary = toc.find("summary")
    chapters = len(tree.xpath("//section[@class='chapter']"))
    assert re.search(rf"\b{chapters} sections?\b", summary.text_content()), \
        summary.text_content()
    assert summary.xpath(".//h2[@id='toc-title']")  # the heading keeps its place and level
    context, page = open_page(browser, read_page(built, slug))
    try:
        box = page.locator("details.toc > summary").bounding_box()
        assert box["height"] >= MIN_TAP
        page.click("details.toc > summary")
        first = page.locator(".toc nav a").first
        assert first.is_visible()
        first.click()  # a contents link still goes to its chapter
        assert page.evaluate("location.hash") == first.get_attribute("href")
    finally:
        context.close()


@pytest.mark.parametrize("slug", SLUGS)
def test_back_to_top_links_are_big_enough_to_tap(built, browser, slug):
    context, page = open_page(browser, read_page(built, slug))
    try:
        links = page.locator(".to-top a")
        chapters = page.locator("section.chapter").count()
        assert links.count() == chapters > 0
        for index in range(links.count()):
            box = links.nth(index).bounding_box()
            assert box["height"] >= MIN_TAP and box["width"] >= MIN_TAP, box
        target = links.first.get_attribute("href")
        assert target.startswith("#") and page.locator(target).count() == 1
        for index in range(page.locator(".formats a").count()):  # the other formats
            box = page.locator(".formats a").nth(index).bounding_box()
            assert box["height"] >= MIN_TAP, box
    finally:
        context.close()


def test_the_other_formats_are_linked_near_the_top(built):
    """When the site passes the guide's downloads (`formats`), they are listed before the
    contents, each link to a file that exists, with its format and size."""
    path = read_page(built, "muscle-spasms")
    tree = lxml_html.parse(str(path))
    links = tree.xpath("//p[@class='formats']//a")
    if not links:
        pytest.skip("the site does not pass `formats` to read.html yet")
    assert tree.xpath("//p[@class='formats']/following::details[@id='toc']")
    for link in links:
        assert (path.parent / link.get("href")).is_file(), link.get("href")
        facts = link.getparent().xpath("./span[@class='formats-facts']")[0].text_content()
        assert re.fullmatch(r"\(\w[\w -]*, [\d.,]+ \w+\)", facts), facts


# -- notes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_each_note_follows_the_paragraph_that_calls_it(built, slug):
    tree = lxml_html.parse(str(read_page(built, slug)))
    refs = tree.xpath("//a[@role='doc-noteref']")
    assert refs
    for ref in refs:
        [note] = tree.xpath(f"//*[@id='{ref.get('href')[1:]}']")
        assert note.tag == "aside" and note.get("role") == "doc-footnote"
        before = note.getprevious()
        if ref.get("id").count("-") == 1:  # the first call: the note comes right after
            assert ref in before.iter("a"), (ref.get("id"), before.tag)
        back = note.xpath(".//a[@class='note-back']")[0]
        assert tree.xpath(f"//*[@id='{back.get('href')[1:]}']")  # back to the first call
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids))
    assert not tree.xpath("//section[@class='notes']")  # no list left at the end


def render_notes(tmp_path, body: str, target: str = "web") -> tuple[str, list]:
    path = tmp_path / "guide.md"
    path.write_text(HEAD + body + "\n", encoding="utf-8")
    guide, _ = read_guide(path)
    renderer = HtmlRenderer(guide, RenderOptions(target=target, notes="popup",
                                                 notes_by_call=target == "web"))
    return str(renderer.blocks(guide.blocks)), renderer.take_notes()


def test_notes_stand_where_an_aside_may(tmp_path):
    """A note called in a list item follows the item's paragraph; in a table cell, the
    table; called twice, it is placed once; every id once."""
    body = ("A first call[^a] and a second[^b].\n\n- An item with a note[^c].\n- Another.\n\n"
            "| Word | Meaning |\n|---|---|\n| Sprain | A hurt ligament[^d] |\n\n"
            "The first note again[^a].\n\n"
            "[^a]: Note A.\n[^b]: Note B.\n\n    With a second paragraph.\n\n"
            "[^c]: Note C.\n[^d]: Note D.")
    html, left = render_notes(tmp_path, body)
    assert left == []
    tree = lxml_html.fromstring(f"<div>{html}</div>")
    notes = tree.xpath("//aside[@role='doc-footnote']")
    assert [n.get("id") for n in notes] == ["fn-1", "fn-2", "fn-3", "fn-4"]
    first, second, item, cell = notes
    assert first.getprevious().tag == "p" and second.getprevious() is first
    assert item.getparent().tag == "li" and item.getprevious().tag == "p"
    assert cell.getprevious().get("class") == "table-wrap"
    # A longer note keeps its paragraphs; the link back comes after the last.
    assert [p.text_content().strip() for p in second.xpath("./p")] == [
        "2 Note B.", "With a second paragraph.", "↩"]
    assert second.xpath("./p[last()]/a[@href='#fnref-2']")
    assert tree.xpath("//a[@id='fnref-1-2'][@href='#fn-1']")
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids))


def test_the_ebook_still_collects_its_notes(tmp_path):
    html, left = render_notes(tmp_path, "A call[^a].\n\n[^a]: The note.", target="epub")
    assert "doc-footnote" not in html and [n.number for n in left] == [1]


# -- colours -------------------------------------------------------------------------------------

# What each page's text stands on: (selector, what it is). Selectors a page lacks are passed.
TEXTS = [
    ("article .chapter p", "body text"), ("h1", "title"), ("article h2", "chapter heading"),
    ("article h3", "section heading"), ("article h4", "sub-heading"),
    ("main a", "link"), (".facts", "muted facts"), ("figcaption", "caption"),
    (".callout.key-points li", "key points text"), (".callout-title", "key points title"),
    (".callout.warning p", "warning text"), (".callout.warning .callout-title", "warning title"),
    (".callout.warning a", "link in a warning"), (".footnote-note p", "note"),
    (".note-number", "note number"), (".toc-count", "contents count"),
    (".formats-facts", "format size"), ("dt", "glossary term"), (".button", "button"),
    (".brand-name", "site name"), (".brand-tagline", "tagline"),
    (".site-footer p", "footer"), (".checksum", "checksum"), (".draft-mark", "draft mark"),
]
# Every colour as sRGB bytes, whatever syntax Chrome serializes it in (color-mix gives
# color(srgb …)): painted on a canvas and read back.
COLOURS = """(pairs) => {
  const canvas = document.createElement('canvas'); canvas.width = canvas.height = 1;
  const paint = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (colour) => { paint.clearRect(0, 0, 1, 1); paint.fillStyle = colour;
    paint.fillRect(0, 0, 1, 1); return [...paint.getImageData(0, 0, 1, 1).data]; };
  const backdrop = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour[3] > 0) return colour; }
    return rgba(getComputedStyle(document.documentElement).backgroundColor || 'white');
  };
  const draft = document.createElement('p'); draft.className = 'draft-mark';
  draft.textContent = 'DRAFT'; document.querySelector('main').prepend(draft);
  const found = [];
  for (const [selector, what] of pairs) {
    for (const e of [...document.querySelectorAll(selector)].slice(0, 12)) {
      if (!e.checkVisibility()) continue;
      found.push([what, selector, rgba(getComputedStyle(e).color), backdrop(e)]); }
  }
  return found;
}"""


def luminance(rgb) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(v) for v in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one, other) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def site_pages(built) -> list[Path]:
    return [built.out / "index.html", *(built.out / slug / name for slug in SLUGS
                                        for name in ("index.html", "read.html"))]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_keeps_its_contrast(built, browser, scheme):
    for viewport in (PHONE, {"width": 1280, "height": 800}):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        low, kinds = [], set()
        for path in site_pages(built):
            page.goto(path.as_uri())
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
            assert dark == (scheme == "dark"), background
            for what, selector, colour, backdrop in page.evaluate(COLOURS, TEXTS):
                assert colour[3] == 255, (path.name, selector, colour)  # no see-through text
                kinds.add(what)
                ratio = contrast(colour, backdrop)
                if ratio < MIN_CONTRAST:
                    low.append((path.parent.name, path.name, what, colour, backdrop,
                                round(ratio, 2)))
            if scheme == "dark":
                body = page.evaluate(COLOURS, [["body", "page"]])[-1][3]
                assert luminance(body) < 0.05, (path, body)  # the page itself is dark
        context.close()
        assert low == []
        assert {"body text", "chapter heading", "section heading", "link", "warning text",
                "warning title", "key points text", "note", "button", "draft mark"} <= kinds


def test_figures_stand_on_a_light_panel_in_dark_mode(built, browser):
    context, page = open_page(browser, read_page(built, "muscle-spasms"), "dark")
    try:
        panel = page.evaluate("""[...document.querySelectorAll('figure img')].map(
            i => getComputedStyle(i).backgroundColor)""")
        assert panel and set(panel) == {"rgb(255, 255, 255)"}
    finally:
        context.close()


# -- on paper ------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_printing_the_page_takes_few_sheets(built, browser, slug):
    pypdfium2 = pytest.importorskip("pypdfium2")
    context, page = open_page(browser, read_page(built, slug), "dark")  # paper stays white
    try:
        pdf = page.pdf(format="Letter")
    finally:
        context.close()
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        pages = len(document)
        text = "".join(document[i].get_textpage().get_text_range() for i in range(pages))
    finally:
        document.close()
    assert pages <= PRINT_PAGES[slug], pages
    assert "Contents" not in text and "Back to top" not in text and "Skip to" not in text


def test_print_styles_hide_the_screen_only_parts(built):
    css = (built.out / "assets" / "site.css").read_text(encoding="utf-8")
    printed = css[css.index("@media print"):]
    for part in (".site-header", ".toc", ".to-top", ".formats", ".skip"):
        assert part in printed.split("display: none")[0], part
    assert "break-before: page" not in printed  # chapters run on
    assert re.search(r"figure \{[^}]*max-width: 60%", printed)
    assert "@media screen and (prefers-color-scheme: dark)" in css
    assert "color-scheme: light dark" in css


# -- axe-core ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing(built, browser, scheme):
    sync = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = sync.Axe()
    for viewport in (PHONE, {"width": 1280, "height": 800}):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        for path in site_pages(built):
            page.goto(path.as_uri())
            if path.name == "read.html":
                page.click("details.toc > summary")  # the contents too, opened
            results = axe.run(page)
            assert results.violations_count == 0, (path, results.generate_report())
        context.close()
