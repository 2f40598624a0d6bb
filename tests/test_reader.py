"""The reader: manuscript → model, and every input mistake reported at its file:line."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from guidepress.errors import PublishError
from guidepress.read.guide import read_guide

from .conftest import SHIPPED, TEST_GUIDE

HEAD = """---
title: Test
handouts:
  - id: one
    title: One
    sections: [alpha]
---
"""


def write(tmp_path, text: str, name: str = "guide.md"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path) -> PublishError:
    with pytest.raises(PublishError) as info:
        read_guide(path)
    return info.value


def test_test_guide_model():
    guide, warnings = read_guide(TEST_GUIDE)
    assert warnings == []
    assert guide.slug == "ankle-sprain"
    assert guide.meta.title == "Ankle Sprains"
    assert guide.meta.date == dt.date(2026, 3, 14)
    assert guide.meta.identifier.startswith("urn:uuid:")
    assert [c.id for c in guide.chapters] == ["what-happens", "care"]
    assert [h.id for h in guide.meta.handouts] == ["first-days", "getting-back"]
    kinds = [b.type for b in guide.section_blocks(guide.chapters[0])]
    assert kinds[:4] == ["heading", "paragraph", "figure", "div"]
    table = next(n for b in guide.blocks for n in b.walk() if n.type == "table")
    assert table.children[0].type == "caption"
    assert table.children[0].plain_text() == "How doctors grade a sprain"
    note = guide.footnotes["grades"]
    assert note.number == 1 and "rupture" in note.blocks[0].plain_text()
    assert set(guide.assets) == {"images/ankle.svg"}


def test_lines_point_at_the_source():
    guide, _ = read_guide(TEST_GUIDE)
    lines = TEST_GUIDE.read_text(encoding="utf-8").split("\n")
    for section in guide.sections:
        assert lines[section.line - 1].startswith("#"), section
        assert f"{{#{section.id}}}" in lines[section.line - 1]
    figure = next(b for b in guide.blocks if b.type == "figure")
    assert lines[figure.line - 1].startswith("![The outer ligament")
    ref = next(n for b in guide.blocks for n in b.walk() if n.type == "footnote_ref")
    assert "[^grades]" in lines[ref.line - 1]  # second line of its paragraph


def test_shipped_guide_contract():
    guide, warnings = read_guide(SHIPPED)
    assert warnings == []
    words = sum(len(b.plain_text().split()) for b in guide.blocks)
    assert 2500 <= words <= 4000
    kinds = {n.type for n in guide.walk()}
    assert {"table", "figure", "footnote_ref"} <= kinds
    figures = [n for n in guide.walk() if n.type == "figure"]
    assert len(figures) >= 2
    for figure in figures:
        image = figure.children[0]
        assert image.attrs["src"].endswith(".svg")
        assert len(image.attrs["alt"].split()) >= 8  # real alt text, not a label
    classes = {c for n in guide.walk() for c in n.classes}
    assert {"key-points", "disclaimer"} <= classes
    assert guide.meta.reviewed is not None
    assert [h.id for h in guide.meta.handouts] == ["spasms", "prevention", "treatment"]


def test_heading_ids_generated_when_missing(tmp_path):
    path = write(tmp_path, HEAD + "# Alpha {#alpha}\n\n# Second chapter!\n\n# Second chapter\n")
    guide, _ = read_guide(path)
    assert [s.id for s in guide.sections] == ["alpha", "second-chapter", "second-chapter-1"]


def test_fenced_div_classes_and_nesting(tmp_path):
    path = write(tmp_path, HEAD + textwrap.dedent("""
        # Alpha {#alpha}

        :::: {.outer #box}
        ::: warning
        inner
        :::
        ::::
        """))
    guide, _ = read_guide(path)
    outer = guide.blocks[1]
    assert outer.type == "div" and outer.classes == ("outer",) and outer.id == "box"
    assert outer.children[0].classes == ("warning",)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("no front matter\n", 1, "does not start with front matter"),
        ("---\ntitle: x\n", 1, "front matter is not closed"),
        ("---\ntitle: [unclosed\n---\n# A\n", 2, "not valid YAML"),
        ("---\nsubtitle: x\n---\n# A\n", 2, "missing 'title'"),
        ("---\ntitle: 42\n---\n# A\n", 2, "'title' must be text"),
        ("---\ntitle: x\ndate: 2026-13-45\n---\n# A\n", 3, "not a valid date"),
        ("---\ntitle: x\nlanguage: english please\n---\n# A\n", 3, "not a language tag"),
        ("---\ntitle: x\n---\n", 4, "no text after the front matter"),
        ("---\ntitle: x\n---\n\nIntro first.\n\n# A\n", 5, "must start with a chapter heading"),
        (HEAD + "# Beta {#beta}\n", 6, "lists section 'alpha', which does not exist"),
        (HEAD + "# Alpha {#alpha}\n\n## Alpha {#alpha}\n", 10, "'#alpha' is used twice"),
        (HEAD + "# Alpha {#alpha}\n\nSee [there](#nowhere).\n", 10, "link to '#nowhere'"),
        (HEAD + "# Alpha {#alpha}\n\nText[^missing].\n", 10, "'[^missing]' is never defined"),
        (HEAD + "# Alpha {#alpha}\n\n![A chart](images/none.png)\n", 10, "was not found"),
        (HEAD + "# Alpha {#alpha}\n\n![A file](../secret.png)\n", 10, "outside the manuscript"),
        (HEAD + "# Alpha {#alpha}\n\n![Remote](https://x.org/a.png)\n", 10, "not a file beside"),
        (HEAD.replace("id: one", "id: ../one"), 4, "not a safe name"),
    ],
)
def test_errors_name_file_and_line(tmp_path, text, line, fragment):
    path = write(tmp_path, text)
    error = error_of(path)
    assert error.diagnostic.line == line, error
    assert fragment in error.diagnostic.message
    first = str(error).splitlines()[0]
    assert first.startswith(f"{path}:{line}: error: ") or first.startswith("guide.md")


def test_unknown_section_suggests_the_near_one(tmp_path):
    path = write(tmp_path, HEAD.replace("[alpha]", "[alpah]") + "# Alpha {#alpha}\n")
    error = error_of(path)
    assert error.diagnostic.hint == "did you mean 'alpha'?"


def test_unknown_key_is_a_warning_with_suggestion(tmp_path):
    path = write(tmp_path, "---\ntitle: x\nreveiwed: 2026-01-01\n---\n# A\n")
    _, warnings = read_guide(path)
    assert len(warnings) == 1
    assert warnings[0].line == 3 and warnings[0].severity == "warning"
    assert "unknown front-matter key 'reveiwed'" in warnings[0].message
    assert warnings[0].hint == "did you mean 'reviewed'?"


def test_non_utf8_names_line(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    error = error_of(path)
    assert error.diagnostic.line == 2 and "not UTF-8" in error.diagnostic.message


def test_raw_html_is_refused_but_comments_are_fine(tmp_path):
    path = write(tmp_path, "---\ntitle: x\n---\n# A\n\nSafe <!-- a note -->.\n\n"
                           "<!--\nblock comment\n-->\n\nThen <b>bold</b>.\n")
    error = error_of(path)
    assert error.diagnostic.line == 12
    assert error.diagnostic.message == "raw HTML is not allowed: <b>"


def test_quotes_are_curly_but_labels_stay(tmp_path):
    path = write(tmp_path, '---\ntitle: x\n---\n# A\n\nYour body\'s "natural corset": '
                           'options (a), (b), (c).\n')
    guide, _ = read_guide(path)
    assert guide.blocks[1].plain_text() == ("Your body’s “natural corset”: "
                                            "options (a), (b), (c).")
