"""The EPUB on other reading systems: calibre (and Kindle's pipeline), EPUB 2 readers that
read the NCX, apps that tell editions apart, night mode, a phone's contact page."""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from guidepress.build import build
from guidepress.colors import parse_hex, ratio
from guidepress.writers.epub import LINE_LUMINANCE, TEXT_LUMINANCE, within_luminance

from .conftest import TEST_GUIDE

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
EPUB_TYPE = f"{{{NS['epub']}}}type"
WHITE, BLACK = (255, 255, 255), (0, 0, 0)


def build_epub(source: Path, out: Path) -> Path:
    build([source], out, only=["epub"], cache=False)
    return out / source.stem / f"{source.stem}.epub"


@pytest.fixture(scope="module")
def ebook(tmp_path_factory) -> Path:
    return build_epub(TEST_GUIDE, tmp_path_factory.mktemp("readers"))


def read_xml(path: Path, name: str):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def opf_of(path: Path):
    return read_xml(path, "EPUB/content.opf")


def modified(path: Path) -> str:
    return opf_of(path).findtext("opf:metadata/opf:meta[@property='dcterms:modified']",
                                 namespaces=NS)


# -- one cover: the EPUB 2 cover references calibre reads ----------------------------------


def test_opf_names_the_cover_the_epub_2_ways(ebook):
    opf = opf_of(ebook)
    image = opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    metas = opf.findall("opf:metadata/opf:meta[@name='cover']", NS)
    assert [m.get("content") for m in metas] == [image.get("id")]
    references = opf.findall("opf:guide/opf:reference[@type='cover']", NS)
    assert [r.get("href") for r in references] == ["cover.xhtml"]
    first = opf.find("opf:spine/opf:itemref", NS).get("idref")
    page = opf.find(f"opf:manifest/opf:item[@id='{first}']", NS)
    assert page.get("href") == "cover.xhtml"  # calibre takes it for the cover page so


# -- the NCX's pageList ------------------------------------------------------------------


def test_ncx_page_list_matches_the_nav_page_list(ebook):
    nav = read_xml(ebook, "EPUB/nav.xhtml")
    page_list = next(n for n in nav.iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == "page-list")
    expected = [(a.text, a.get("href")) for a in page_list.iter(f"{{{NS['x']}}}a")]
    assert len(expected) > 5
    ncx = read_xml(ebook, "EPUB/toc.ncx")
    targets = ncx.findall("ncx:pageList/ncx:pageTarget", NS)
    assert [(t.findtext("ncx:navLabel/ncx:text", namespaces=NS),
             t.find("ncx:content", NS).get("src")) for t in targets] == expected
    for target in targets:
        label = target.findtext("ncx:navLabel/ncx:text", namespaces=NS)
        if label.isdigit():
            assert (target.get("type"), target.get("value")) == ("normal", label)
        else:
            assert target.get("type") == "front" and target.get("value") is None
    head = {m.get("name"): m.get("content") for m in ncx.findall("ncx:head/ncx:meta", NS)}
    assert head["dtb:totalPageCount"] == str(len(expected))


def test_ncx_play_order_is_one_reading_order(ebook):
    """navPoints and pageTargets share one playOrder sequence from 1 without gaps, the
    same number exactly for the same target (what EPUBCheck's NCX rules ask), rising in
    the order of the book."""
    ncx = read_xml(ebook, "EPUB/toc.ncx")
    points = ncx.findall(".//ncx:navPoint", NS)
    targets = ncx.findall("ncx:pageList/ncx:pageTarget", NS)
    by_src: dict[str, set[int]] = {}
    for element in (*points, *targets):
        src = element.find("ncx:content", NS).get("src")
        by_src.setdefault(src, set()).add(int(element.get("playOrder")))
    assert all(len(orders) == 1 for orders in by_src.values())
    orders = sorted(next(iter(o)) for o in by_src.values())
    assert orders == list(range(1, len(by_src) + 1))
    for group in (points, targets):  # document order, page order
        numbers = [int(e.get("playOrder")) for e in group]
        assert numbers == sorted(numbers)
    # Page 1 begins in the first chapter, after that chapter's start.
    first_chapter = int(points[0].get("playOrder"))
    page_one = next(t for t in targets if t.get("value") == "1")
    assert int(page_one.get("playOrder")) > first_chapter


# -- editions ----------------------------------------------------------------------------


def test_same_input_same_bytes_and_an_edit_is_a_new_edition(ebook, tmp_path, guide_copy):
    again = build_epub(TEST_GUIDE, tmp_path / "again")
    assert again.read_bytes() == ebook.read_bytes()
    stamp = modified(ebook)
    # The edition day is the front matter's date; the time of day comes from the content.
    assert re.fullmatch(r"2026-03-14T\d\d:\d\d:\d\dZ", stamp)

    text = guide_copy.read_text(encoding="utf-8")
    sentence = "Doctors sort sprains by how much the ligament was hurt."
    assert sentence in text
    guide_copy.write_text(text.replace(sentence, "Doctors grade sprains by how much the "
                                                 "ligament was hurt."), encoding="utf-8")
    edited = build_epub(guide_copy, tmp_path / "edited")
    assert modified(edited) != stamp
    assert modified(edited).startswith("2026-03-14T")  # the same edition day
    # Same book, so the same identifier: a reading app sees a new edition of it.
    identifier = "opf:metadata/{http://purl.org/dc/elements/1.1/}identifier"
    assert opf_of(edited).findtext(identifier, namespaces=NS) == \
        opf_of(ebook).findtext(identifier, namespaces=NS)


# -- night mode: every colour reads on white and on black --------------------------------

# Words a border shorthand holds besides its colour; anything else would be a colour name.
NOT_COLORS = {"solid", "dashed", "dotted", "double", "groove", "ridge", "inset", "outset",
              "none", "hidden", "thin", "medium", "thick", "inherit", "initial", "unset",
              "currentcolor", "transparent", "px", "em"}
# The properties that set a text or a line colour (border-width, border-collapse… do not).
DECLARATION = re.compile(
    r"(?<![-\w])(color|border(?:-(?:top|right|bottom|left))?(?:-color)?)\s*:\s*([^;}]+)")


def declared_colors(css: str) -> list[tuple[str, str]]:
    """(property, #rrggbb) for every colour a color or border property sets."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for prop, value in DECLARATION.findall(css):
        for token in re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)|[a-zA-Z]+", value):
            if token.startswith("#"):
                if len(token) == 4:
                    token = "#" + "".join(ch * 2 for ch in token[1:])
                found.append((prop, token[:7]))
            elif token.lower() not in NOT_COLORS:
                pytest.fail(f"{prop}: {value.strip()}: colour {token!r} cannot be measured")
    return found


def test_every_colour_reads_on_white_and_on_black(ebook):
    with zipfile.ZipFile(ebook) as archive:
        css = archive.read("EPUB/css/book.css").decode("utf-8")
    colors = declared_colors(css)
    assert {p for p, _ in colors} >= {"color", "border", "border-color"}
    for prop, color in colors:
        need = 4.5 if prop == "color" else 3.0  # text; lines (WCAG non-text contrast)
        on_white, on_black = (ratio(parse_hex(color), ground) for ground in (WHITE, BLACK))
        assert min(on_white, on_black) >= need, \
            f"{prop}: {color} is {on_white:.2f}:1 on white, {on_black:.2f}:1 on black"


@pytest.mark.parametrize("color", ["#1d4f91", "#9b2c12", "#9fb6d3", "#0f7b6c", "#ffff00",
                                   "#000000", "#ffffff", "#1b2733", "#e9f1fa"])
def test_any_brand_colour_is_made_to_read_on_both(color):
    for band, need in ((TEXT_LUMINANCE, 4.5), (LINE_LUMINANCE, 3.0)):
        made = parse_hex(within_luminance(color, *band))
        assert ratio(made, WHITE) >= need and ratio(made, BLACK) >= need, (color, band)
    assert within_luminance("#2a74d4", *TEXT_LUMINANCE) == "#2a74d4"  # already fine: kept


# -- the contact page --------------------------------------------------------------------


def test_contact_page_links_phone_mail_and_web(ebook):
    page = read_xml(ebook, "EPUB/contact.xhtml")
    links = {a.text: a.get("href") for a in page.iterfind(".//x:dl//x:a", NS)}
    assert links == {"(555) 010-0142": "tel:+15550100142",
                     "info@example.org": "mailto:info@example.org",
                     "www.kayalortho.com": "https://www.kayalortho.com/"}


# -- calibre round trip ------------------------------------------------------------------


def package_of(path: Path) -> tuple[zipfile.ZipFile, etree._Element, str]:
    archive = zipfile.ZipFile(path)
    container = etree.fromstring(archive.read("META-INF/container.xml"))
    opf_name = container.find(".//c:rootfile", NS).get("full-path")
    return archive, etree.fromstring(archive.read(opf_name)), posixpath.dirname(opf_name)


def spine_pages(path: Path) -> list[tuple[str, etree._Element]]:
    archive, opf, base = package_of(path)
    items = {i.get("id"): i for i in opf.iter(f"{{{NS['opf']}}}item")}
    pages = []
    for ref in opf.iter(f"{{{NS['opf']}}}itemref"):
        name = posixpath.normpath(posixpath.join(base, items[ref.get("idref")].get("href")))
        pages.append((name, etree.fromstring(archive.read(name))))
    return pages


def picture_pages(path: Path) -> dict[str, str]:
    """Spine documents that are one picture and (almost) no text → the picture's path."""
    found = {}
    for name, root in spine_pages(path):
        body = root.find("x:body", NS)
        text = "".join(body.itertext()).strip()
        sources = [e.get("src") or e.get("{http://www.w3.org/1999/xlink}href")
                   for e in body.iter() if isinstance(e.tag, str)
                   and etree.QName(e).localname in ("img", "image")]
        if len(sources) == 1 and len(text) < 40:
            found[name] = posixpath.normpath(posixpath.join(posixpath.dirname(name),
                                                            sources[0]))
    return found


def page_list_size(path: Path) -> int:
    """Pages in the book's page lists: the NCX's pageTargets, or the entries of the page-list
    in its navigation document (an EPUB 3 item with the 'nav' property; an EPUB 2 copy
    may keep the nav file as an ordinary page, where it navigates nothing), the larger."""
    archive, opf, base = package_of(path)
    ncx = sum(len(etree.fromstring(archive.read(n)).findall(".//ncx:pageTarget", NS))
              for n in archive.namelist() if n.endswith(".ncx"))
    nav = 0
    for item in opf.iter(f"{{{NS['opf']}}}item"):
        if "nav" in (item.get("properties") or "").split():
            root = etree.fromstring(archive.read(posixpath.join(base, item.get("href"))))
            for element in root.iter(f"{{{NS['x']}}}nav"):
                if element.get(EPUB_TYPE) == "page-list":
                    nav += len(element.findall(".//x:a", NS))
    return max(ncx, nav)


@pytest.fixture(scope="module", params=["2", "3"], ids=["to-epub2", "to-epub3"])
def converted(request, ebook, tmp_path_factory) -> Path:
    """The ebook through calibre, EPUB to EPUB: as EPUB 2 (calibre's default, what its
    Kindle conversions start from) and as EPUB 3."""
    if not shutil.which("ebook-convert"):
        pytest.skip("calibre is not installed (no ebook-convert): "
                    "apt-get install --no-install-recommends calibre")
    out = tmp_path_factory.mktemp("calibre") / f"converted-{request.param}.epub"
    subprocess.run(["ebook-convert", str(ebook), str(out), "--epub-version", request.param],
                   check=True, capture_output=True, timeout=300)
    return out


def test_calibre_keeps_one_cover(converted):
    covers = picture_pages(converted)
    assert len(covers) == 1, covers  # one cover page
    assert len(set(covers.values())) == 1  # of one cover image


def test_calibre_keeps_the_page_list(request, ebook, converted):
    if converted.stem.endswith("-2"):
        request.applymarker(pytest.mark.xfail(
            reason="calibre 6, making EPUB 2 of an EPUB 3, writes a new NCX from the nav's "
                   "toc alone (epub_input.convert_epub3_nav): the NCX pageList and the nav "
                   "page-list are both dropped; only an Adobe page-map.xml would carry the "
                   "pages (and EPUBCheck reports it, OPF-097)", strict=False))
    assert page_list_size(ebook) > 5
    assert page_list_size(converted) == page_list_size(ebook)
