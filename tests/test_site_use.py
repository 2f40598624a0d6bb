"""The downloads site as patients and the web admin use it: which file to pick, links that
open (PDFs in the browser, tel: and mailto:), what search engines and link previews read
(canonical, OpenGraph, JSON-LD, sitemap.xml, 404.html), cache-proof asset links, WOFF2
fonts, the home-screen icon, tap targets on a phone."""

from __future__ import annotations

import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from guidepress.build import build
from guidepress.read.brand import load_brand
from guidepress.read.fonts import to_woff2, woff2_file
from guidepress.writers import site as site_writer

from . import browsers
from .conftest import ROOT, TEST_GUIDE

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class Page(HTMLParser):
    """Every element's tag and attributes, in order, and each script's text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "script":
            self._script = attributes
            self.scripts.append((attributes, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)

    def all(self, tag: str, **match: str) -> list[dict]:
        return [a for t, a in self.elements if t == tag
                and all(a.get(k.replace("_", ":")) == v for k, v in match.items())]

    def meta(self, key: str) -> str | None:
        found = [a.get("content") for t, a in self.elements if t == "meta"
                 and (a.get("property") == key or a.get("name") == key)]
        return found[0] if found else None


def page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def entry_of(built, slug: str) -> dict:
    return next(g for g in built.manifest["guides"] if g["slug"] == slug and not g.get("folder"))


def guide_page(built, slug: str = "muscle-spasms") -> tuple[Path, Page]:
    path = built.out / entry_of(built, slug)["page"]
    return path, page(path)


def ld_json(parsed: Page) -> dict:
    scripts = [text for a, text in parsed.scripts if a.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    return json.loads(scripts[0])


# -- patients -------------------------------------------------------------------------


def test_guide_page_says_which_file_to_pick(built):
    path, parsed = guide_page(built)
    text = path.read_text(encoding="utf-8")
    for words in ("Apple Books", "Google Play Books", "Send to Kindle", "EPUB"):
        assert words in text
    # "Not sure? Read it online" before the first download
    assert text.index("Not sure which file to pick?") < text.index('class="downloads"')
    assert parsed.all("a", href="read.html")


def test_each_handout_has_its_own_summary(built):
    entry = entry_of(built, "muscle-spasms")
    handouts = [f for f in entry["files"] if f["kind"] == "handout"]
    assert handouts and all(f.get("summary") for f in handouts)
    text = (built.out / entry["page"]).read_text(encoding="utf-8")
    for handout in handouts:
        assert handout["summary"] in text
    # a handout without a summary falls back to the generic words
    test_entry = entry_of(built, "ankle-sprain")
    assert not any(f.get("summary") for f in test_entry["files"])
    assert "One page to print and keep." in (built.out / test_entry["page"]).read_text(
        encoding="utf-8")


def test_checksums_only_in_the_web_teams_details(built):
    path, _ = guide_page(built)
    text = path.read_text(encoding="utf-8")
    details = text[text.index("<details"):text.index("</details>")]
    assert "File details for the web team" in details
    for file in entry_of(built, "muscle-spasms")["files"]:
        assert text.count(file["sha256"]) == 1  # once, in the details
        assert file["sha256"] in details
    cards = text[text.index('class="downloads"'):text.index("<details")]
    assert "SHA-256" not in cards


def test_pdfs_open_in_the_browser_the_ebook_is_saved(built):
    path, guide = guide_page(built)
    # the guide page's downloads, and the read-online page's download line
    for parsed in (guide, page(path.with_name("read.html"))):
        links = [a for a in parsed.all("a") if a.get("href", "").endswith((".pdf", ".epub"))]
        assert any(a["href"].endswith(".epub") for a in links)
        assert any(a["href"].endswith(".pdf") for a in links)
        for link in links:
            assert ("download" in link) == link["href"].endswith(".epub"), link


def test_a_translations_report_page_links_up_and_dates_in_its_language():
    """A translation's pages are one folder deeper (<slug>/<language>/): its report's
    "All guides" goes to the top, and its checked date is in the page's language."""
    brand = load_brand(ROOT / "styles")
    report = {"guide": "muscle-spasms/es", "title": "Espasmos musculares",
              "result": "passed", "checked": "2026-12-02T10:00:00Z", "summary": "",
              "measured": {}, "files": [], "tools": {}}
    files = site_writer.report_files(brand, report, "../../assets/site.css", "es")
    html = files["muscle-spasms/es/accessibility.html"].decode("utf-8")
    crumbs = re.search(r'<nav class="crumbs"[^>]*><a href="([^"]+)"', html)
    assert crumbs and crumbs[1] == "../../index.html", crumbs
    assert '<time datetime="2026-12-02">2 de diciembre de 2026</time>' in html


def test_contact_details_are_links(built):
    brand = load_brand(ROOT / "styles")
    contact = brand.data.contact
    for path in (built.out / "index.html", guide_page(built)[0],
                 built.out / "muscle-spasms" / "read.html", built.out / "404.html"):
        parsed = page(path)
        assert parsed.all("a", href=contact.tel), path
        assert contact.tel.startswith("tel:+")
        assert parsed.all("a", href=contact.mailto)
        assert parsed.all("a", href=contact.web_url)


def test_dates_are_machine_readable(built):
    entry = entry_of(built, "muscle-spasms")
    for path in (built.out / "index.html", built.out / entry["page"]):
        assert page(path).all("time", datetime=entry["reviewed"]), path


# -- the web admin ----------------------------------------------------------------------


def test_canonical_and_link_previews(built):
    entry = entry_of(built, "muscle-spasms")
    url = entry["url"]
    _, parsed = guide_page(built)
    assert parsed.all("link", rel="canonical") == [{"rel": "canonical", "href": url}]
    assert parsed.meta("og:url") == url
    image = parsed.meta("og:image")
    assert image and image.startswith(url)
    assert (built.out / entry["slug"] / image.removeprefix(url)).is_file()
    assert int(parsed.meta("og:image:width")) == 240 and int(parsed.meta("og:image:height")) > 0
    assert parsed.meta("og:image:alt") == "Cover of Muscle Spasms"
    assert parsed.meta("twitter:card") == "summary"  # a 240 px image is too small for large
    assert parsed.meta("twitter:image") == image
    read = page(built.out / entry["slug"] / "read.html")
    assert read.all("link", rel="canonical")[0]["href"] == url + "read.html"
    assert read.meta("og:url") == url + "read.html"
    # two guides on different hosts: the index's own address is not known
    index = page(built.out / "index.html")
    assert not index.all("link", rel="canonical") and index.meta("og:url") is None
    assert index.meta("twitter:card") == "summary"


def test_twitter_card_and_top_url_rules():
    head = site_writer.page_head("assets/site.css", "https://x.org/a/",
                                 {"url": "https://x.org/a/c.png", "width": 1200, "height": 630})
    assert head["twitter_card"] == "summary_large_image"
    assert site_writer.page_head("s.css")["canonical"] == ""
    brand = load_brand(ROOT / "styles")
    one = {"guides": [{"slug": "a", "url": "https://www.kayalortho.com/guides/a/"},
                      {"slug": "a", "folder": "a/es",
                       "url": "https://www.kayalortho.com/guides/a/es/"}]}
    assert site_writer.top_url(brand, one) == "https://www.kayalortho.com/guides/"
    elsewhere = {"guides": [{"slug": "a", "url": "https://other.example/a/"}]}
    assert site_writer.top_url(brand, elsewhere) == ""
    none = {"guides": [{"slug": "a", "url": None}]}
    assert site_writer.top_url(brand, none) == "" and site_writer.sitemap_xml(none, "") == b""
    assert site_writer.page_url("https://x.org/a", "read.html") == "https://x.org/a/read.html"


def test_json_ld_of_the_guide_page(built):
    entry = entry_of(built, "muscle-spasms")
    data = ld_json(guide_page(built)[1])
    assert data["@context"] == "https://schema.org" and data["@type"] == "MedicalWebPage"
    assert data["name"] == entry["title"] and data["description"] == entry["description"]
    assert data["inLanguage"] == "en-US"
    assert data["datePublished"] == entry["date"] and data["lastReviewed"] == entry["reviewed"]
    assert "reviewedBy" not in data  # the front matter names no reviewer
    assert data["publisher"]["name"] == "Kayal Orthopaedic Center"
    book = data["mainEntity"]
    assert book["@type"] == "Book"
    formats = {e["encodingFormat"] for e in book["encoding"]}
    assert formats == {"application/epub+zip", "application/pdf"}
    for encoding in book["encoding"]:
        assert encoding["contentUrl"].startswith(entry["url"])
        local = encoding["contentUrl"].removeprefix(entry["url"])
        assert (built.out / entry["slug"] / local).is_file()
        assert encoding["contentSize"] == f"{(built.out / entry['slug'] / local).stat().st_size} B"


def test_json_ld_cannot_break_out_of_its_script():
    hostile = 'Sprains </script><script>alert(1)</script> <!-- & "quotes"'
    text = str(site_writer.json_ld({"name": hostile}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == hostile
    html = f'<script type="application/ld+json">{text}</script>'
    parsed = Page(html)
    assert len(parsed.scripts) == 1 and json.loads(parsed.scripts[0][1])["name"] == hostile


def test_sitemap_lists_every_page_with_a_known_address(built):
    tree = ElementTree.fromstring((built.out / "sitemap.xml").read_bytes())
    assert tree.tag == f"{SITEMAP_NS}urlset"
    locs = [u.find(f"{SITEMAP_NS}loc").text for u in tree]
    assert all(urlsplit(loc).scheme == "https" for loc in locs)
    for entry in built.manifest["guides"]:
        if entry.get("url"):
            for page_name in ("", "read.html", "accessibility.html"):
                assert entry["url"] + page_name in locs
    assert len(locs) == len(set(locs))
    assert "sitemap.xml" in built.manifest["site"] and "404.html" in built.manifest["site"]


def test_sitemap_of_one_site_lists_its_index():
    manifest = {"guides": [{"slug": "a", "url": "https://www.kayalortho.com/guides/a/",
                            "date": "2026-01-02", "reviewed": "2026-03-04"}]}
    top = site_writer.top_url(load_brand(ROOT / "styles"), manifest)
    tree = ElementTree.fromstring(site_writer.sitemap_xml(manifest, top))
    locs = [u.find(f"{SITEMAP_NS}loc").text for u in tree]
    assert locs[0] == "https://www.kayalortho.com/guides/"
    assert tree[1].find(f"{SITEMAP_NS}lastmod").text == "2026-03-04"


def test_404_page_links_resolve(built):
    path = built.out / "404.html"
    parsed = page(path)
    hrefs = [a["href"] for a in parsed.all("a") + parsed.all("link")
             if not a["href"].startswith(("tel:", "mailto:", "https:", "#"))]
    assert "index.html" in hrefs  # two hosts: no site address, so relative to the top
    for href in hrefs:
        assert (built.out / href.split("?")[0]).is_file(), href
    assert not parsed.all("link", rel="canonical")


def test_assets_are_versioned_by_checksum(built):
    import hashlib

    css = (built.out / "assets" / "site.css").read_bytes()
    version = hashlib.sha256(css).hexdigest()[:10]
    for path in (built.out / "index.html", guide_page(built)[0], built.out / "404.html",
                 built.out / "muscle-spasms" / "read.html",
                 built.out / "muscle-spasms" / "accessibility.html"):
        sheets = page(path).all("link", rel="stylesheet")
        assert [s["href"].split("/")[-1] for s in sheets] == [f"site.css?v={version}"], path
    fonts = re.findall(r'url\("fonts/([^"?]+)\?v=([0-9a-f]{10})"\) format\("woff2"\)',
                       css.decode())
    assert len(fonts) == 4
    for name, version in fonts:
        data = (built.out / "assets" / "fonts" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest()[:10] == version
        assert f"assets/fonts/{name}" in built.manifest["site"]
    for listed in built.manifest["site"]:
        assert (built.out / listed).is_file() and "?" not in listed


def test_woff2_fonts_smaller_swapped_and_reproducible(built):
    css = (built.out / "assets" / "site.css").read_text(encoding="utf-8")
    faces = css.count("@font-face")
    assert faces and css.count("font-display: swap;") == faces
    assert ".ttf" not in css
    brand = load_brand(ROOT / "styles")
    ttf = sum(f.path.stat().st_size for f in brand.text_font.files)
    woff2 = sum(p.stat().st_size for p in (built.out / "assets" / "fonts").glob("*.woff2"))
    assert not list((built.out / "assets" / "fonts").glob("*.ttf"))
    assert woff2 < 0.6 * ttf, (woff2, ttf)
    source = brand.text_font.files[0]
    data = source.path.read_bytes()
    assert to_woff2(data) == to_woff2(data) == woff2_file(source).read_bytes()
    assert to_woff2(data)[:4] == b"wOF2"


def test_apple_touch_icon(built):
    from PIL import Image

    icon = built.out / "assets" / "apple-touch-icon.png"
    with Image.open(icon) as image:
        assert image.size == (180, 180) and image.mode == "RGB"
        assert image.getpixel((2, 2)) == (255, 255, 255)  # the brand's background
    with Image.open(built.out / "assets" / "favicon.png") as image:
        assert image.size == (64, 64)
    for path in (built.out / "index.html", guide_page(built)[0]):
        links = page(path).all("link", rel="apple-touch-icon")
        assert len(links) == 1
        assert (path.parent / links[0]["href"]).resolve() == icon.resolve()
    assert "assets/apple-touch-icon.png" in built.manifest["site"]


def test_read_page_gets_the_whole_guide_formats(built):
    from guidepress.read import read_guide

    brand = load_brand(ROOT / "styles")
    guide = read_guide(ROOT / "manuscript" / "muscle-spasms.md")[0]
    site = site_writer.Site(brand, lambda path: b"", {}, {})
    captured = {}
    original = site_writer.templates.render

    def render(brand, name, **context):
        captured[name] = context
        return original(brand, name, **context)

    site_writer.templates.render = render
    try:
        site_writer.add_read_page(site, guide, [], formats=[
            {"label": "Ebook", "href": "muscle-spasms.epub", "format": "EPUB", "size": "1 MB"}])
        assert captured["templates/site/read.html"]["formats"][0]["format"] == "EPUB"
        captured.clear()
        site_writer.read_page_files(brand, guide)
        assert captured["templates/site/read.html"]["formats"] == []
    finally:
        site_writer.templates.render = original
    entry = entry_of(built, "muscle-spasms")
    downloads = [{"kind": "epub", "short": "Ebook", "href": "x.epub", "format": "EPUB",
                  "size": "1 MB"}, {"kind": "handout", "short": "Handout", "href": "h.pdf",
                                    "format": "PDF", "size": "2 KB"}]
    assert site_writer.whole_guide(downloads) == [
        {"label": "Ebook", "href": "x.epub", "format": "EPUB", "size": "1 MB"}]
    assert entry["files"]


def test_the_build_leaves_nothing_but_the_site_in_the_output_folder(tmp_path):
    parent = tmp_path / "parent"
    parent.mkdir()
    (parent / "other.txt").write_text("someone's file")
    out = parent / "site"
    result = build([TEST_GUIDE], out, only=["handouts"])
    assert sorted(p.name for p in parent.iterdir()) == ["other.txt", "site"]
    listed = {f["path"] for g in result.manifest["guides"] for f in g["files"]}
    listed |= set(result.manifest["site"]) | {"manifest.json"}
    found = {posixpath.join(*p.relative_to(out).parts) for p in out.rglob("*") if p.is_file()}
    assert found == listed
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


# -- on a phone, in a real browser ------------------------------------------------------


@pytest.fixture(scope="module")
def phone(built):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browsers.chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
            "file://") else route.continue_())
        yield context.new_page()
        browser.close()


def test_footer_phone_link_is_as_big_as_body_text(built, phone):
    phone.goto(guide_page(built)[0].as_uri())
    sizes = phone.evaluate("""() => {
        const tel = document.querySelector('footer a[href^="tel:"]');
        return tel && [parseFloat(getComputedStyle(tel).fontSize),
                       parseFloat(getComputedStyle(document.body).fontSize)];
    }""")
    assert sizes, "no tel: link in the footer"
    assert sizes[0] >= sizes[1], sizes


def test_fonts_are_woff2_in_the_browser(built, phone):
    requests: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    phone.goto(guide_page(built)[0].as_uri())
    phone.evaluate("document.fonts.ready.then(() => true)")
    fonts = [url for url in requests if "/fonts/" in url]
    assert fonts and all(".woff2?v=" in url for url in fonts), fonts


def test_tap_targets_on_a_phone(built, phone):
    """Every link and button on the guide page is at least 44 × 44 CSS px (WCAG 2.5.5)."""
    phone.goto(guide_page(built)[0].as_uri())
    small = phone.evaluate("""() => [...document.querySelectorAll('a[href], button, summary')]
        .filter(e => e.getClientRects().length)
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
        .filter(([_, r]) => r.height < 43.5 || r.width < 43.5)
        .map(([html, r]) => `${html} ${Math.round(r.width)}x${Math.round(r.height)}`)""")
    assert small == []


def test_axe_finds_nothing_on_the_guide_page(built, phone):
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        pytest.skip("axe-playwright-python is not installed in this venv")
    phone.goto(guide_page(built)[0].as_uri())
    phone.click("summary")  # the file details open, so axe sees their table too
    results = Axe().run(phone)
    assert results.violations_count == 0, results.generate_report()


def test_404_links_are_absolute_when_the_site_address_is_known():
    brand = load_brand(ROOT / "styles")
    text = site_writer.not_found_page(brand, "en", "https://www.kayalortho.com/guides/",
                                      "assets/site.css?v=0123456789").decode()
    parsed = Page(text)
    assert parsed.all("a", href="https://www.kayalortho.com/guides/index.html")
    assert [s["href"] for s in parsed.all("link", rel="stylesheet")] == [
        "https://www.kayalortho.com/guides/assets/site.css?v=0123456789"]
    assert not parsed.all("link", rel="canonical")
