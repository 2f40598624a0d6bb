"""Text the outputs cannot show as written: titles too long for the title page, handouts
with nothing to print, characters the guide's fonts do not have, and the writing direction
of right-to-left languages. Each is refused at its line, or set, before anything is built."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import langcodes
import pytest
from click.testing import CliRunner

import publish
from guidepress.build import build
from guidepress.errors import Diagnostic, PublishError
from guidepress.read import frontmatter
from guidepress.read.guide import read_guide

from .conftest import ROOT

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">'
       "<title>An arm</title><rect width=\"10\" height=\"10\"/></svg>")


def front(title: str = "Scripts", subtitle: str = "", handout: str = "Sheet",
          language: str = "en-US", sections: str = "[start]") -> str:
    """Front matter: the title on line 2, the subtitle (if any) on 3; without a subtitle the
    handout's id is on line 5, its title on 6 and its sections on 7, and '---' on 8."""
    lines = [f'title: "{title}"'] + ([f'subtitle: "{subtitle}"'] if subtitle else []) + [
        f"language: {language}", "handouts:", "  - id: sheet", f'    title: "{handout}"',
        f"    sections: {sections}"]
    return "---\n" + "\n".join(lines) + "\n---\n"


BODY = "# Start {#start}\n\nPlain words for patients.\n"
HEAD = front() + "# Start {#start}\n\n"  # a case starts on line 11


def write(folder: Path, text: str) -> Path:
    (folder / "images").mkdir(exist_ok=True)
    (folder / "images" / "x.svg").write_text(SVG, encoding="utf-8")
    path = folder / "guide.md"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> Diagnostic:
    with pytest.raises(PublishError) as caught:
        read_guide(path)
    return caught.value.diagnostic


def words(length: int) -> str:
    """Title-like text of exactly ``length`` characters."""
    text = ("Caring for Your Back and Neck at Home " * 20)[:length]
    return text[:-1] + "s" if text.endswith(" ") else text


# -- titles ------------------------------------------------------------------------------

LENGTHS = [
    # (front matter at the limit, one character over it, line, message)
    (front(words(36)), front(words(37)), 2,
     "'title' is 37 characters long; the title page holds at most 36"),
    (front(words(24), words(100)), front(words(25), words(100)), 2,
     "'title' is 25 characters long; with a subtitle the title page holds a title of at "
     "most 24 characters (36 without one)"),
    (front(subtitle=words(100)), front(subtitle=words(101)), 3,
     "'subtitle' is 101 characters long; the title page holds at most 100"),
    (front(handout=words(80)), front(handout=words(81)), 6,
     "handout 'sheet' has a title of 81 characters; a handout's title may be at most 80 "
     "(two lines)"),
]


@pytest.mark.parametrize(("fits", "over", "line", "message"), LENGTHS)
def test_titles_longer_than_their_page_holds_are_refused(tmp_path, fits, over, line,
                                                         message):
    read_guide(write(tmp_path, fits + BODY))
    error = error_of(write(tmp_path, over + BODY))
    assert (error.line, error.message) == (line, message)
    assert error.hint.startswith("shorten it")


# -- handouts ----------------------------------------------------------------------------

BOOK_ONLY = "::: {.book-only}\nFor the book.\n:::\n"


def test_a_handout_of_book_only_sections_is_refused_at_its_line(tmp_path):
    body = f"# Start {{#start}}\n\n{BOOK_ONLY}\n# More {{#more}}\n\n" \
           "::: {.print-only}\nFor the printed book.\n:::\n"
    error = error_of(write(tmp_path, front(sections="[start, more]") + body))
    assert error.line == 5  # "  - id: sheet"
    assert error.message == ("handout 'sheet' would be empty: its sections hold only "
                             "book-only and print-only material")


def test_a_handout_section_with_only_book_only_text_is_a_warning(tmp_path):
    body = f"# Start {{#start}}\n\n{BOOK_ONLY}\n# More {{#more}}\n\nFor the handout.\n"
    _, warnings = read_guide(write(tmp_path, front(sections="[start, more]") + body))
    assert [(w.line, w.severity, w.message) for w in warnings] == [
        (7, "warning", "handout 'sheet' would print only the heading of section 'start': "
                       "its text is all book-only")]


# -- characters the fonts cannot draw ---------------------------------------------------

TYPOGRAPHY = "It’s “fine” – 2 × 3 °C, ½ … ≥ 1 — "  # all in the fonts
GLYPHS = [
    # (the case, line, the message from "the character" on)
    (f"{TYPOGRAPHY}strong 💪 today.", 11,
     f"'💪' (FLEXED BICEPS, U+1F4AA) in column {len(TYPOGRAPHY) + 8}"),
    ("See ![A 💪 arm](images/x.svg).\n\nAlt text is read out, not drawn. 💪", 13,
     "'💪' (FLEXED BICEPS, U+1F4AA) in column 34"),
    ('![A 💪 arm](images/x.svg){alt="An arm"}', 11,  # a figure's caption is drawn
     "'💪' (FLEXED BICEPS, U+1F4AA) in column 5"),
    ("Text.\n\n## नमस्ते", 13, "'न' (DEVANAGARI LETTER NA, U+0928) in column 4"),
    ("- one\n- สวัสดี", 12, "'ส' (THAI CHARACTER SO SUA, U+0E2A) in column 3"),
    ("| A | B |\n|---|---|\n| 1 | 안녕 |", 13, "'안' (HANGUL SYLLABLE AN, U+C548) in column 7"),
    ("Text[^n].\n\n[^n]: A note 💪.", 13, "'💪' (FLEXED BICEPS, U+1F4AA) in column 14"),
    ("```\necho 💪\n```", 12, "'💪' (FLEXED BICEPS, U+1F4AA) in column 6"),
    ("Strong &#x1F4AA; here.", 11,
     "'💪' (FLEXED BICEPS, U+1F4AA), written '&#x1F4AA;' in column 8,"),
    ("I &hearts; it.", 11, "'♥' (BLACK HEART SUIT, U+2665), written '&hearts;' in column 3,"),
    ("Rest → ice.", 11, "'→' (RIGHTWARDS ARROW, U+2192) in column 6"),
]


@pytest.mark.parametrize(("body", "line", "fragment"), GLYPHS)
def test_characters_the_fonts_lack_are_refused_at_line_and_column(tmp_path, body, line,
                                                                   fragment):
    error = error_of(write(tmp_path, HEAD + body + "\n"))
    assert error.line == line, error.format()
    assert error.message == (f"the character {fragment} is not in the guide's fonts and "
                             "would print as an empty box"), error.format()


@pytest.mark.parametrize(("head", "line", "fragment", "hint"), [
    (front(title="Strong 💪"), 2, "'💪' (FLEXED BICEPS, U+1F4AA) in column 16",
     "remove it, or say in words what it means; Atkinson Hyperlegible and Literata cannot "
     "draw it"),
    (front(handout="건강"), 6, "'건' (HANGUL SYLLABLE GEON, U+AC74) in column 13",
     "Atkinson Hyperlegible and Literata cannot draw Hangul text: a guide in that script "
     "needs a brand font that has it"),
])
def test_front_matter_text_is_checked_too(tmp_path, head, line, fragment, hint):
    error = error_of(write(tmp_path, head + BODY))
    assert (error.line, error.message) == (line, f"the character {fragment} is not in the "
                                                 "guide's fonts and would print as an empty box")
    assert error.hint.startswith(hint)


# -- writing direction -------------------------------------------------------------------

ROOT_TEMPLATES = ["templates/epub/base.xhtml", "templates/site/base.html",
                  "templates/print/book.html", "templates/handout/handout.html",
                  "templates/cover.html"]
RTL_SCRIPTS = {"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Samr", "Mand"}
TAGS = [*frontmatter.COMMON_LANGUAGES, "en-US", "ar-EG", "he-IL", "fa-AF", "ur-IN", "ps-PK",
        "pa-PK", "pa-IN", "az-IR", "az", "uz-AF", "ku", "ckb", "prs", "yi", "dv", "syr",
        "ha-SD", "kk-CN", "sd-IN", "ks-IN", "az-Arab", "pa-Arab", "ar-Latn", "sr-Latn",
        "zh-Hant-TW", "ms-Arab"]


def test_every_root_template_sets_dir_from_the_language():
    from guidepress.render.templates import direction

    styles = ROOT / "styles"
    for name in ROOT_TEMPLATES:
        assert re.search(r'<html[^>]* dir="\{\{ \w+(\.language)? \| direction \}\}"',
                         (styles / name).read_text(encoding="utf-8")), name
    expected = {"ar-EG": "rtl", "he-IL": "rtl", "pa-PK": "rtl", "pa-IN": "ltr", "az-IR": "rtl",
                "ar-Latn": "ltr", "en-US": "ltr", "es": "ltr", "ur-IN": "rtl"}
    for tag, want in expected.items():
        assert direction(tag) == want, tag
    for tag in TAGS:
        script = langcodes.Language.get(tag).maximize().script
        assert direction(tag) == ("rtl" if script in RTL_SCRIPTS else "ltr"), tag


def test_an_arabic_guide_is_right_to_left_in_the_ebook_and_on_the_site(tmp_path):
    # Arabic letters are refused while the fonts have none, so the text is in Latin ones.
    source = write(tmp_path, front(language="ar") + BODY)
    out = tmp_path / "out"
    build([source], out, only=["epub"])
    with zipfile.ZipFile(out / "guide" / "guide.epub") as book:
        pages = {n: book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")}
    roots = {name: re.search(r"<html[^>]*>", page)[0] for name, page in pages.items()}
    assert len(roots) >= 5 and all('lang="ar" xml:lang="ar" dir="rtl"' in root
                                   for root in roots.values()), roots
    for page in (out / "guide" / "read.html", out / "guide" / "index.html"):
        assert '<html lang="ar" dir="rtl">' in page.read_text(encoding="utf-8")


# -- the command line --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "fragment"), [
    (front(title=words(404)) + BODY, 2, "'title' is 404 characters long"),
    (front() + "# Start {#start}\n\n" + BOOK_ONLY, 5, "handout 'sheet' would be empty"),
    (front() + "# Start {#start}\n\nStay strong 💪\n", 11, "'💪' (FLEXED BICEPS, U+1F4AA)"),
])
def test_the_build_stops_with_exit_1_and_writes_nothing(tmp_path, text, line, fragment):
    source = write(tmp_path, text)
    out = tmp_path / "out"
    result = CliRunner().invoke(publish.cli, ["build", str(source), "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert f"guide.md:{line}: error: " in result.output and fragment in result.output
    assert not out.exists() or not any(out.iterdir())
