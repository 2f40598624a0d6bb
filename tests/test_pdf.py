"""The print PDF: structure, page numbers that agree with the contents, fonts, bookmarks."""

from __future__ import annotations

import re
import subprocess

import pytest

from .pdftools import outline_titles, page_sizes, page_texts, printed_folio

LEADER_LINE = re.compile(r"^\s*(\S.*?)\s*(?:\.\s*){3,}(\d+)\s*$")


def pdf_path(built, slug):
    return built.out / slug / f"{slug}.pdf"


def guide_of(built, slug):
    return next(job.guide for job in built.guides if job.guide.slug == slug)


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def folios(texts: list[str]) -> list[str | None]:
    """The folio of every page: printed at its foot, or (pages that print none, like
    chapter openings) counted from the nearest arabic folio."""
    printed = [printed_folio(t) for t in texts]
    numbered = [i for i, f in enumerate(printed) if f and f.isdigit()]
    result = []
    for index, folio in enumerate(printed):
        if folio is None and numbered and index > numbered[0] - 2:
            near = min(numbered, key=lambda j: abs(j - index))
            folio = str(int(printed[near]) + index - near)
        result.append(folio)
    return result


def starts_with_title(text: str, title: str) -> bool:
    head = " ".join(lines(text)[:3])
    return head.startswith(title)


@pytest.fixture
def pdf(built, slug):
    path = pdf_path(built, slug)
    return path, page_texts(path), page_texts(path, layout=True), guide_of(built, slug)


def toc_numbers(layout_texts: list[str]) -> dict[str, int]:
    found = {}
    for text in layout_texts[:6]:
        for line in text.splitlines():
            if match := LEADER_LINE.match(line):
                found[" ".join(match.group(1).split())] = int(match.group(2))
    return found


def test_toc_numbers_match_printed_folios(pdf):
    _, texts, layout, guide = pdf
    toc = toc_numbers(layout)
    page_folios = folios(texts)
    assert guide.chapters, "a guide has chapters"
    for chapter in guide.chapters:
        starts = [i for i, t in enumerate(texts)
                  if starts_with_title(t, chapter.title) and printed_folio(t) is None]
        assert len(starts) == 1, f"no single page opens chapter {chapter.title!r}"
        assert toc[chapter.title] == int(page_folios[starts[0]]), chapter.title
    for section in (s for s in guide.sections if s.level == 2):
        chapter_page = toc[next(c.title for c in guide.chapters
                                if c.start < section.start < c.end)]
        pages = [i for i, t in enumerate(texts)
                 if section.title in lines(t) and page_folios[i]
                 and page_folios[i].isdigit() and int(page_folios[i]) >= chapter_page]
        assert pages, section.title
        assert toc[section.title] == int(page_folios[pages[0]]), section.title


def test_front_matter_in_roman_and_title_page_bare(pdf):
    _, texts, _, guide = pdf
    assert guide.meta.title in lines(texts[0])
    assert printed_folio(texts[0]) is None
    contents = next(i for i, t in enumerate(texts) if lines(t)[:1] == ["Contents"])
    assert printed_folio(texts[contents]) == "iii"
    first_chapter = next(i for i, t in enumerate(texts)
                         if starts_with_title(t, guide.chapters[0].title))
    assert printed_folio(texts[first_chapter]) is None  # chapter openings carry no folio
    assert printed_folio(texts[first_chapter + 1]) == "2"


def test_running_heads(pdf, slug):
    """Book title on left (even) pages, chapter title on right (odd) pages."""
    _, texts, _, guide = pdf
    chapter_titles = [c.title for c in guide.chapters]
    sides = {"left": 0, "right": 0}
    for text in texts:
        folio = printed_folio(text)
        if not (folio and folio.isdigit()):
            continue
        head = lines(text)[0]
        if int(folio) % 2 == 0:
            assert head == guide.meta.title, (folio, head)
            sides["left"] += 1
        else:
            assert head in chapter_titles, (folio, head)
            sides["right"] += 1
    assert sum(sides.values()) >= 1
    if slug == "muscle-spasms":
        assert min(sides.values()) >= 3, sides


def test_letter_pages_and_embedded_fonts(pdf):
    path, *_ = pdf
    assert set(page_sizes(path)) == {(612.0, 792.0)}
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    for row in fonts:
        embedded, subset = row.split()[-5:-3]
        assert (embedded, subset) == ("yes", "yes"), row
    families = " ".join(fonts)
    assert "Literata" in families and "Atkinson-Hyperlegible" in families


def test_bookmarks_follow_headings(pdf):
    path, _, _, guide = pdf
    outline = outline_titles(path)
    chapters = [title for level, title in outline if level == 0]
    assert [c.title for c in guide.chapters] == [t for t in chapters if t in
                                                [c.title for c in guide.chapters]]
    sections = {title for level, title in outline if level == 1}
    assert {s.title for s in guide.sections if s.level == 2} <= sections


def test_footnote_on_the_page_of_its_call(built):
    texts = [" ".join(t.split()) for t in page_texts(pdf_path(built, "ankle-sprain"))]
    note_pages = [i for i, t in enumerate(texts) if "also called a" in t]
    call_pages = [i for i, t in enumerate(texts) if "torn a little" in t]
    assert note_pages and note_pages == call_pages


def test_only_blocks_in_print(built):
    text = "".join(page_texts(pdf_path(built, "ankle-sprain")))
    assert "PRINTONLYMARKER" in text and "BOOKONLYMARKER" in text
    assert "EBOOKONLYMARKER" not in text and "HANDOUTONLYMARKER" not in text


def test_weasyprint_logged_nothing(built):
    assert [r.getMessage() for r in built.log_records] == []
