"""The ebook's accessibility: DAISY Ace, metadata claims, print page numbers, semantics."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

from . import browsers
from .conftest import ROOT
from .pdftools import page_count, page_texts, printed_folio
from .test_epub import NS, epub_path


def run_ace(epub: Path, out: Path) -> dict:
    result = subprocess.run([*browsers.ace(), "--silent", "--force", "--outdir", str(out),
                             str(epub)], env=browsers.ace_env(), capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_daisy_ace_finds_no_violations(built, slug, tmp_path):
    report = run_ace(epub_path(built, slug), tmp_path / "ace")
    violations = [
        f"{a['earl:testSubject']['url']}: {t['earl:test']['earl:impact']} "
        f"{t['earl:test']['dct:title']}"
        for a in report["assertions"] for t in a.get("assertions", [])
    ]
    assert violations == []
    assert report["earl:result"]["earl:outcome"] == "pass"


def opf_meta(built, slug) -> dict[str, list[str]]:
    with zipfile.ZipFile(epub_path(built, slug)) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    found: dict[str, list[str]] = {}
    for meta in opf.iterfind("opf:metadata/opf:meta[@property]", NS):
        found.setdefault(meta.get("property"), []).append(meta.text)
    return found


def guide_title(built, slug) -> str:
    return next(job.guide.meta.title for job in built.guides if job.guide.slug == slug)


def test_accessibility_metadata(built, slug):
    meta = opf_meta(built, slug)
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert "textual" in meta["schema:accessModeSufficient"]
    assert {"tableOfContents", "readingOrder", "structuralNavigation", "alternativeText",
            "pageNavigation", "pageBreakMarkers", "displayTransformability"} \
        <= set(meta["schema:accessibilityFeature"])
    assert meta["schema:accessibilityHazard"] == ["none"]
    summary = meta["schema:accessibilitySummary"][0]
    assert "Page numbers match the printed book" in summary
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    title = guide_title(built, slug)
    assert meta["pageBreakSource"][0].startswith(f"{title}, print edition (US Letter, {slug}.pdf)")


def xhtml_files(built, slug) -> dict[str, etree._Element]:
    with zipfile.ZipFile(epub_path(built, slug)) as archive:
        return {Path(name).name: etree.fromstring(archive.read(name))
                for name in archive.namelist() if name.endswith(".xhtml")}


def page_list(built, slug) -> list[tuple[str, str]]:
    nav = xhtml_files(built, slug)["nav.xhtml"]
    pages = nav.find(".//x:nav[@epub:type='page-list']", NS)
    return [(a.text, a.get("href")) for a in pages.iter(f"{{{NS['x']}}}a")]


def words_after(root: etree._Element, marker_id: str, count: int = 4) -> str:
    marker = root.find(f".//*[@id='{marker_id}']")
    words: list[str] = []
    for text in marker.xpath("following::text()"):
        words += text.split()
        if len(words) >= count:
            break
    return " ".join(words[:count])


def normalise(text: str) -> str:
    """Words only: the PDF's text also holds list bullets, which are not in the text."""
    return " ".join(w for w in text.replace("\u2019", "'").split() if w != "\u2022")


def test_every_printed_page_has_a_marker_at_its_first_words(built, slug):
    """The page-list has one entry per page of the print PDF, in order, and the words
    right after each marker are printed on that page (pdftotext)."""
    pdf = built.out / slug / f"{slug}.pdf"
    texts = page_texts(pdf)
    entries = page_list(built, slug)
    assert len(entries) == page_count(pdf)
    files = xhtml_files(built, slug)
    checked = 0
    for index, (label, href) in enumerate(entries):
        folio = printed_folio(texts[index])
        if folio is not None:
            assert label == folio, (index, label, folio)
        file_name, marker_id = href.split("#")
        root = files[file_name]
        marker = root.find(f".//*[@id='{marker_id}']")
        assert marker.get("role") == "doc-pagebreak"
        assert marker.get(f"{{{NS['epub']}}}type") == "pagebreak"
        assert marker.get("aria-label") == label
        if not texts[index].strip():
            continue  # a blank verso: its marker shares the next page's place
        phrase = words_after(root, marker_id)
        assert normalise(phrase) in normalise(texts[index]), (label, phrase)
        checked += 1
    assert checked >= len(entries) - 2


def test_front_matter_pages_are_roman(built):
    labels = [label for label, _ in page_list(built, "muscle-spasms")]
    assert labels[:4] == ["i", "ii", "iii", "iv"]
    assert labels[4:7] == ["1", "2", "3"]


def test_page_breaks_from_a_print_only_block_move_to_the_next_block(built):
    files = xhtml_files(built, "ankle-sprain")
    all_text = " ".join(" ".join(root.itertext()) for root in files.values())
    assert "PRINTONLYMARKER" not in all_text
    assert len(page_list(built, "ankle-sprain")) == \
        page_count(built.out / "ankle-sprain" / "ankle-sprain.pdf")


def test_headings_never_skip_a_level(built, slug):
    for name, root in xhtml_files(built, slug).items():
        levels = [int(h.tag[-1]) for h in root.iter()
                  if isinstance(h.tag, str) and re.fullmatch(r"\{.*\}h[1-6]", h.tag)]
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (name, levels)


def test_images_have_alt_text_and_figures_captions(built, slug):
    for name, root in xhtml_files(built, slug).items():
        for image in root.iter(f"{{{NS['x']}}}img"):
            assert (image.get("alt") or "").strip(), (name, image.get("src"))
        for figure in root.iter(f"{{{NS['x']}}}figure"):
            assert figure.find("x:figcaption", NS) is not None, name


def test_shipped_illustrations_are_labelled_svg():
    for svg in (ROOT / "manuscript" / "images").glob("*.svg"):
        root = etree.parse(str(svg)).getroot()
        assert root.get("role") == "img", svg.name
        assert root.find("{http://www.w3.org/2000/svg}title") is not None, svg.name


def test_ebooklib_traps(built, slug):
    with zipfile.ZipFile(epub_path(built, slug)) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        pages = {name: archive.read(name).decode() for name in archive.namelist()
                 if name.endswith(".xhtml")}
    ids = [e.get("id") for e in opf.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids in the OPF (e.g. dc:creator)"
    assert len(opf.findall(".//dc:creator", NS)) == 1
    items = {i.get("id"): i for i in opf.iterfind("opf:manifest/opf:item", NS)}
    assert [i for i in items.values() if "nav" in (i.get("properties") or "").split()] \
        == [items["nav"]]
    for item in items.values():
        name = "EPUB/" + item.get("href")
        if name in pages:
            has_svg = "<svg" in pages[name]
            assert has_svg == ("svg" in (item.get("properties") or "").split()), name
    spine = opf.find("opf:spine", NS)
    assert spine.get("toc") == "ncx" and items["ncx"].get("href") == "toc.ncx"
    refs = list(spine)
    assert refs[0].get("idref") == "cover" and refs[0].get("linear") is None
    non_linear = [r.get("idref") for r in refs if r.get("linear") == "no"]
    assert non_linear == ["font-licence"]
    assert 'href="font-licence.xhtml"' in pages["EPUB/title.xhtml"]  # reachable (OPF-096)


def test_stylesheet_lets_readers_take_over(built):
    with zipfile.ZipFile(epub_path(built, "muscle-spasms")) as archive:
        css = archive.read("EPUB/css/book.css").decode()
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = re.sub(r"@font-face\s*\{[^}]*\}", "", rules)
    assert not re.search(r"\d(pt|cm|mm|in)\b", rules), "absolute units"
    for declaration in re.findall(r"[\w-]+\s*:[^;{}]*\dpx", rules):
        assert declaration.strip().startswith("border"), declaration
    assert not re.search(r"(?<![-\w])(width|font-size)\s*:\s*\d+px", rules)
    assert not re.search(r"background(-color)?\s*:", rules)  # night mode keeps working
