"""publish verify: every checker on a built folder, the report it writes, and --strict.

CI runs these with every checker installed, so `publish verify --strict` passing here is
the claim the report pages make about the shipped guide and the test guides."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

import publish
from guidepress.build import build
from guidepress.verify import programs, tools

from .conftest import FIXTURES, GUIDES

CONSTRUCTS = FIXTURES / "constructs" / "constructs.md"


def cli(*args: str):
    return CliRunner().invoke(publish.cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def verified(built, tmp_path_factory) -> tuple[Path, object]:
    """A copy of the session's build of both guides, plus the constructs guide, verified
    with --strict."""
    out = tmp_path_factory.mktemp("verified") / "dist"
    shutil.copytree(built.out, out)
    build([*GUIDES.values(), CONSTRUCTS], out)
    return out, cli("verify", str(out), "--strict")


def report(out: Path, slug: str) -> dict:
    return json.loads((out / slug / "accessibility.json").read_text(encoding="utf-8"))


def test_strict_verify_passes_on_the_shipped_and_the_test_guides(verified):
    out, result = verified
    assert result.exit_code == 0, result.output
    for slug in ("muscle-spasms", "ankle-sprain", "constructs"):
        data = report(out, slug)
        assert data["result"] == "passed", slug
        checks = [c for f in data["files"] for c in f["checks"]]
        tools_run = {c["tool"] for c in checks}
        assert {"EPUBCheck", "DAISY Ace", "pdfua", "PDF structure", "axe-core"} <= tools_run
        assert all(c["status"] == "passed" for c in checks), slug
        assert f"{slug}: " in result.output and "0 failed, 0 not run" in result.output


def test_every_listed_file_is_checked_with_its_version(verified):
    out, _ = verified
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["guides"]:
        data = report(out, entry["slug"])
        checked = {f["path"]: f for f in data["files"]}
        for file in entry["files"]:
            assert checked[file["path"]]["sha256"] == file["sha256"]
            assert checked[file["path"]]["checks"], file["path"]
        assert data["tools"]["EPUBCheck"].startswith("5.")
        assert data["tools"]["pdfua"] == "0.1.3"
        pdfs = [f for f in data["files"] if f["path"].endswith(".pdf")]
        for f in pdfs:
            ua = next(c for c in f["checks"] if c["tool"] == "pdfua")
            assert (ua["rules_checked"], ua["errors"], ua["warnings"]) == (16, 0, 0)


def test_the_report_page_says_what_the_json_says_and_what_the_ebook_says(verified):
    out, _ = verified
    data = report(out, "muscle-spasms")
    page = lxml_html.fromstring((out / "muscle-spasms" / "accessibility.html").read_bytes())
    text = " ".join(page.text_content().split())
    assert "Every check passed" in text
    assert data["summary"] in text
    with zipfile.ZipFile(out / "muscle-spasms" / "muscle-spasms.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    assert data["summary"] in opf  # schema:accessibilitySummary, word for word
    rows = page.xpath("//table[@class='checks']//tbody/tr")
    assert len(rows) == len(data["measured"]["text"]) + len(data["measured"]["contrast"]) + sum(
        len(f["checks"]) for f in data["files"])
    body = {row["file"]: row["body_pt"] for row in data["measured"]["text"]}
    assert body["muscle-spasms/muscle-spasms.pdf"] == 13.0
    assert all(row["colour"] >= row["needed"] and row["gray"] >= row["needed"]
               for row in data["measured"]["contrast"])


def test_the_guide_page_links_the_report_and_the_report_passes_axe(verified):
    out, _ = verified
    guide_page = (out / "muscle-spasms" / "index.html").read_text(encoding="utf-8")
    assert 'href="accessibility.html"' in guide_page
    [result] = tools.axe([out / "muscle-spasms" / "accessibility.html"], out)
    assert (result.status, result.findings) == ("passed", [])


def test_a_build_resets_the_report_to_not_checked(verified, tmp_path):
    out, _ = verified
    copy = tmp_path / "dist"
    shutil.copytree(out, copy)
    build([GUIDES["ankle-sprain"]], copy, cache=False)
    data = report(copy, "ankle-sprain")
    assert data["result"] == "not verified" and data["checked"] is None
    assert {c["status"] for f in data["files"] for c in f["checks"]} == {"not run"}
    text = (copy / "ankle-sprain" / "accessibility.html").read_text(encoding="utf-8")
    assert "Not checked yet" in text


def quick_copy(verified, tmp_path, monkeypatch, no_java: str) -> Path:
    """A copy of the verified folder, checked with no chromium (so Ace and axe-core are
    not run, and take no time) and no java (EPUBCheck is not run: ``no_java`` says why)."""
    copy = tmp_path / "dist"
    shutil.copytree(verified[0], copy)
    monkeypatch.setattr(programs, "chromium", lambda: programs.Found(None, "no chromium"))
    monkeypatch.setattr(programs, "java", lambda: programs.Found(None, no_java))
    return copy


def test_a_file_changed_after_the_build_fails(verified, tmp_path, monkeypatch):
    copy = quick_copy(verified, tmp_path, monkeypatch, "no java")
    handout = next((copy / "ankle-sprain" / "handouts").glob("*.pdf"))
    handout.write_bytes(handout.read_bytes() + b"\n% edited\n")
    result = cli("verify", str(copy))
    assert result.exit_code == 1
    assert f"{handout.name} changed since it was built" in result.output
    assert report(copy, "ankle-sprain")["result"] == "failed"
    # the other guides' files are intact; their checkers without java or chromium: not run
    assert report(copy, "muscle-spasms")["result"] == "not verified"


def test_a_missing_checker_is_not_run_never_passed(verified, tmp_path, monkeypatch):
    copy = quick_copy(verified, tmp_path, monkeypatch, "no java on the PATH")
    loose = cli("verify", str(copy))
    assert loose.exit_code == 0, loose.output  # nothing failed
    assert "not run: EPUBCheck" in loose.output
    data = report(copy, "ankle-sprain")
    epubcheck = next(c for f in data["files"] for c in f["checks"] if c["tool"] == "EPUBCheck")
    assert epubcheck["status"] == "not run" and "java" in epubcheck["reason"]
    assert data["result"] == "not verified"
    page = (copy / "ankle-sprain" / "accessibility.html").read_text(encoding="utf-8")
    assert "Every check passed" not in page
    strict = cli("verify", str(copy), "--strict")
    assert strict.exit_code == 1


def test_a_folder_without_a_build_is_a_one_line_error(tmp_path):
    result = cli("verify", str(tmp_path))
    assert result.exit_code == 1
    assert result.output.count("\n") <= 2 and "manifest.json" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_folder_it_cannot_use_is_a_one_line_error(verified, monkeypatch):
    from guidepress.verify import run as verify_run

    out, _ = verified

    def refused(folder):
        raise PermissionError(13, "Permission denied", str(folder / "brand.yaml"))

    monkeypatch.setattr(verify_run, "load_brand", refused)
    result = cli("verify", str(out))
    assert result.exit_code == 1, result.output
    assert "brand.yaml: error: cannot use it: Permission denied" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
