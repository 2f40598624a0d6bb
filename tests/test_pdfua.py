"""PDF/UA-1 as independent checkers see it: `pdfua` (a pikepdf-based checker of the
machine-checkable subset) and the Matterhorn conditions of guidepress/verify/pdfstructure,
on every PDF of both guides and of the print-shop edition, plus page labels that match the
printed folios, and planted faults that each check must catch."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest

from guidepress.build import build
from guidepress.layout import tagging
from guidepress.verify import pdfstructure

from .conftest import FIXTURES, GUIDES
from .pdftools import CHECKER_BUGS, page_texts, pdfua_report, printed_folio


@pytest.fixture(scope="module")
def press(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("press")
    build([GUIDES["muscle-spasms"]], out, only=("press",))
    return out / "muscle-spasms" / "muscle-spasms-press.pdf"


def all_pdfs(built, press) -> list[Path]:
    pdfs = sorted(built.out.glob("*/*.pdf")) + sorted(built.out.glob("*/handouts/*.pdf"))
    assert len(pdfs) >= 6
    return [*pdfs, press]


def test_pdfua_finds_no_error_and_no_warning(built, press):
    for path in all_pdfs(built, press):
        report = pdfua_report(path)
        found = [(f["rule_id"], f["location"]) for f in report["findings"]]
        assert (report["summary"]["errors"], report["summary"]["warnings"], found) == \
            (0, 0, []), path.name
        assert report["coverage"]["covered_rules"] == 16
        assert {s["rule_id"] for s in report["skipped"]} <= CHECKER_BUGS


def test_matterhorn_conditions_all_pass(built, press):
    for path in all_pdfs(built, press):
        result = pdfstructure.check(path, path.name)
        assert [(f.rule, f.message) for f in result.findings] == [], path.name
        assert (result.status, result.rules_checked) == ("passed", len(pdfstructure.CONDITIONS))


def test_page_labels_match_the_printed_folios(built, press):
    for path in [built.out / "muscle-spasms" / "muscle-spasms.pdf",
                 built.out / "ankle-sprain" / "ankle-sprain.pdf", press]:
        labels = pypdf.PdfReader(path).page_labels
        folios = [printed_folio(text) for text in page_texts(path)]
        assert len(labels) == len(folios)
        printed = [(i, f) for i, f in enumerate(folios) if f]
        assert len(printed) >= 2, path.name  # chapter openings and the contact page: none
        assert all(labels[i] == folio for i, folio in printed), path.name
        assert labels[0] == "i" and "1" in labels  # roman front matter, arabic from 1
        body = labels.index("1")
        assert labels[body:] == [str(n) for n in range(1, len(labels) - body + 1)]


def roles(path: Path) -> list[str]:
    tree = pdfstructure.Tree(path)
    return [tree.role(element) for element, _ in tree.elements]


def test_handouts_have_no_layout_table(built):
    for path in built.out.glob("*/handouts/*.pdf"):
        assert "Table" not in roles(path), path.name


def test_header_cells_carry_their_scope(built):
    path = built.out / "muscle-spasms" / "muscle-spasms.pdf"
    tree = pdfstructure.Tree(path)
    headers = list(tree.of_role("TH"))
    assert len(headers) >= 4
    assert {str(th["/A"].get_object()["/Scope"]) for th, _ in headers} == {"/Column"}


def test_links_are_described_by_their_text(built):
    path = built.out / "muscle-spasms" / "muscle-spasms.pdf"
    reader = pypdf.PdfReader(path)
    contents = [str(a.get_object().get("/Contents", "")) for page in reader.pages
                for a in page.get("/Annots") or []]
    assert "When to get help right away" in contents
    assert not any(c.startswith(("fn-", "toc", "#")) for c in contents), contents


def test_running_heads_and_folios_are_artifacts(built):
    """Before layout/tagging.py, 23 marked-content ids in the book belonged to no
    element of the tree (WeasyPrint's margin boxes)."""
    path = built.out / "muscle-spasms" / "muscle-spasms.pdf"
    assert list(pdfstructure.tagged_content_in_tree(pdfstructure.Tree(path))) == []
    stream = pypdf.PdfReader(path).pages[8].get_contents().get_data()
    assert re.search(rb"/Artifact\s+BMC", stream)


def test_spans_in_another_language_and_decorative_images(guide_copy, tmp_path):
    text = guide_copy.read_text(encoding="utf-8")
    guide_copy.write_text(text + "\n\nSay [hola]{lang=es} to the nurse.\n\n"
                          "![](images/" + next((guide_copy.parent / "images").iterdir()).name
                          + ")\n", encoding="utf-8")
    out = tmp_path / "out"
    build([guide_copy], out, only=("pdf",))
    path = out / "ankle-sprain" / "ankle-sprain.pdf"
    tree = pdfstructure.Tree(path)
    langs = {str(e["/Lang"]) for e, _ in tree.elements if "/Lang" in e}
    assert langs == {"es"}
    figures = list(tree.of_role("Figure"))
    assert figures and all(str(f.get("/Alt", "")).strip() for f, _ in figures)
    assert pdfstructure.check(path, "x").status == "passed"


def test_the_hard_guide_fails_on_the_level_it_skips(tmp_path):
    source = FIXTURES / "hard-guide"
    shutil.copytree(source, tmp_path / "hard-guide")
    out = tmp_path / "out"
    build([tmp_path / "hard-guide" / "hard-guide.md"], out, only=("pdf",))
    result = pdfstructure.check(out / "hard-guide" / "hard-guide.pdf", "hard-guide.pdf")
    assert result.status == "failed"
    assert [f.message for f in result.findings] == ["page 5: H3 follows H1 (a level skipped)"]


# -- planted faults: each check must fail on what it looks for ----------------------------


def weasy_pdf(html: str, tmp_path: Path, name: str = "planted.pdf") -> Path:
    from weasyprint import HTML

    path = tmp_path / name
    HTML(string=html).write_pdf(path, pdf_variant="pdf/ua-1")
    return path


def failed_conditions(path: Path) -> set[str]:
    return {f.rule for f in pdfstructure.check(path, path.name).findings}


def test_planted_faults_are_found(tmp_path):
    layout_table = weasy_pdf('<html lang="en"><title>t</title><h1>T</h1><table><tr>'
                             '<td>a</td><td>b</td></tr></table></html>', tmp_path, "table.pdf")
    assert "15-001, 15-002" in failed_conditions(layout_table)
    assert pdfua_report(layout_table)["summary"]["errors"] >= 1
    skipped = weasy_pdf('<html lang="en"><title>t</title><h1>T</h1><h3>U</h3><p>x</p>'
                        '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB'
                        'CAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
                        '"></html>', tmp_path, "skipped.pdf")
    assert {"14-002, 14-003", "13-004"} <= failed_conditions(skipped)
    # WeasyPrint without the finisher: margin-box content belongs to no element
    running = weasy_pdf('<html lang="en"><title>t</title><style>@page { @top-center { '
                        'content: "Head" } }</style><h1>T</h1><p>x</p></html>', tmp_path,
                        "running.pdf")
    assert "01-004" in failed_conditions(running)


def test_page_labels_follow_the_numbering():
    nums = tagging.page_labels(["i", "ii", "iii", "1", "2", "3", "5"])["Nums"]
    assert [n if isinstance(n, int) else dict(n) for n in nums] == [
        0, {"S": "/r"}, 3, {"S": "/D"}, 6, {"S": "/D", "St": 5}]
    assert tagging.label_style("xiv") == ("r", 14)
