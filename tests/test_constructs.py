"""A guide that uses every construct of the manuscript syntax (tests/fixtures/constructs),
built for real: the ebook passes EPUBCheck and DAISY Ace, and the print book shows each
construct as the reader expects it."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidepress.build import build

from .conftest import ROOT
from .pdftools import page_texts
from .test_accessibility import run_ace
from .test_epub import run_epubcheck

GUIDE = ROOT / "tests" / "fixtures" / "constructs" / "constructs.md"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("constructs")
    build([GUIDE], folder, only=["epub", "pdf"], jobs=2)
    return folder / "constructs"


def test_epubcheck_finds_nothing(out, tmp_path):
    report = run_epubcheck(out / "constructs.epub", tmp_path)
    assert [m["message"] for m in report["messages"]
            if m["severity"] in ("FATAL", "ERROR", "WARNING")] == []


def test_ace_finds_no_violations(out, tmp_path):
    report = run_ace(out / "constructs.epub", tmp_path / "ace")
    assert report["earl:result"]["earl:outcome"] == "pass"


def test_the_print_book_shows_each_construct(out):
    text = "\n".join(page_texts(out / "constructs.pdf"))
    for shown in ("3. Third step", "a) first choice", "c. third item", "(iv) roman",
                  "(v) five", "260 Old Hook Rd\n", "Westwood, NJ", "– and a pause — then… more",
                  "Rest, ice, short walks", "The first days."):
        assert shown in text, shown
    for leaked in ("[ ]", "[x]", "~~", "+---", "| 260", ": A muscle", "{width"):
        assert leaked not in text, leaked
