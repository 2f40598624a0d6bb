"""pandoc's Markdown, construct by construct: what the reader makes of it, what each
output's HTML holds, and the line of whatever the reader cannot take."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from guidepress.errors import PublishError
from guidepress.read.guide import read_guide, slugify_heading
from guidepress.render import HtmlRenderer, RenderOptions

HEAD = "---\ntitle: Syntax\n---\n# Start\n\n"  # the case starts on line 6
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">'
       "<title>A square</title><rect width=\"10\" height=\"10\"/></svg>")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "x.svg").write_text(SVG, encoding="utf-8")
    return tmp_path


def read(folder: Path, body: str):
    path = folder / "guide.md"
    path.write_text(HEAD + body + "\n", encoding="utf-8")
    return read_guide(path)


def html(folder: Path, body: str, target: str = "epub", notes: str = "popup") -> str:
    guide, _ = read(folder, body)
    renderer = HtmlRenderer(guide, RenderOptions(target=target, notes=notes))
    out = str(renderer.blocks(guide.blocks))
    for note in renderer.take_notes():
        out += f"\n<note {note.number}>{note.html}|{note.more}</note>"
    return out


def errors(folder: Path, body: str) -> list[str]:
    with pytest.raises(PublishError) as info:
        read(folder, body)
    return [f"{d.line}: {d.message}" for d in info.value.diagnostics]


# -- footnotes -------------------------------------------------------------------------

NOTE = """Text.[^n]

[^n]: First paragraph.

    Second paragraph.

    - one
    - two

    ```
    code line
    ```
"""


def test_a_note_keeps_every_block_in_the_ebook(folder):
    out = html(folder, NOTE)
    assert ("<note 1>First paragraph.|<p>Second paragraph.</p>\n<ul><li><p>one</p></li>\n"
            "<li><p>two</p></li></ul>\n<pre><code>code line</code></pre></note>") in out


def test_a_note_keeps_every_block_in_print_as_spans(folder):
    out = html(folder, NOTE, target="pdf", notes="float")
    assert ('<span class="footnote" id="fn-1"><span class="note-block note-p">First paragraph.'
            '</span><span class="note-block note-p">Second paragraph.</span>'
            '<span class="note-block note-li"><span class="note-marker">•</span> one</span>'
            '<span class="note-block note-li"><span class="note-marker">•</span> two</span>'
            '<span class="note-block note-pre">code line</span></span>') in out
    body = out.split("<note", 1)[0]
    assert body.count("<p>") == 1  # no block inside the paragraph


def test_inline_notes_are_notes(folder):
    out = html(folder, "One^[An *inline* note.] and two.[^b]\n\n[^b]: The second.")
    assert "<note 1>An <em>inline</em> note.|</note>" in out
    assert "<note 2>The second.|</note>" in out


# -- lists -------------------------------------------------------------------------------

def test_ordered_list_start_is_printed_by_counter(folder):
    body = "3. three\n4. four"
    assert '<ol start="3">' in html(folder, body)
    assert '<ol start="3" style="counter-reset: list-item 2">' in html(folder, body, "pdf",
                                                                          "float")


def test_task_list(folder):
    out = html(folder, "- [ ] Call the clinic\n- [x] Rest")
    assert '<ul class="task-list">' in out
    assert ('<li class="task-item"><p><span class="task-box" role="img" aria-label="not done">'
            '</span> Call the clinic</p></li>') in out
    assert 'class="task-box done" role="img" aria-label="done"></span> Rest' in out
    assert "[ ]" not in out and "[x]" not in out


def test_definition_list(folder):
    out = html(folder, "Spasm\n: A muscle that tightens by itself.\n\nCramp\n: A strong spasm.")
    assert "<dl><dt>Spasm</dt>\n<dd><p>A muscle that tightens by itself.</p></dd>" in out
    assert "<dt>Cramp</dt>" in out and ": A" not in out


# -- inline ---------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("H~2~O", "H<sub>2</sub>O"),
    ("2^10^", "2<sup>10</sup>"),
    ("~~old~~ new", "<del>old</del> new"),
    ("pages 3--5, a pause --- then... more", "pages 3–5, a pause — then… more"),
    ("`a -- b...`", "<code>a -- b...</code>"),
    ("[the word]{#word .term}", '<span id="word" class="term">the word</span>'),
    ('[site](https://example.org "The site")',
     '<a class="external" href="https://example.org" title="The site">site</a>'),
])
def test_inline_markup(folder, body, expected):
    assert expected in html(folder, body)


def test_spans_are_link_targets(folder):
    out = html(folder, "[Spasm]{#spasm} is a word. See [the word](#spasm).")
    assert '<a href="#spasm">the word</a>' in out


def test_implicit_header_references(folder):
    out = html(folder, "See [Treatment], [treatment][] and [not a heading].\n\n# Treatment")
    assert out.count('<a href="#treatment">') == 2
    assert "[not a heading]" in out


# -- headings ---------------------------------------------------------------------------

@pytest.mark.parametrize("title, expected", [  # pandoc's own examples (MANUAL.txt)
    ("Heading identifiers in HTML", "heading-identifiers-in-html"),
    ("Maître d'hôtel", "maître-dhôtel"),
    ("*Dogs*?--in *my* house?", "dogs--in-my-house"),
    ("[HTML], [S5], or [RTF]?", "html-s5-or-rtf"),
    ("3. Applications", "applications"),
    ("33", "section"),
    ("snake_case and v1.2", "snake_case-and-v1.2"),
])
def test_heading_ids_follow_pandoc(title, expected):
    assert slugify_heading(title) == expected


# -- images ---------------------------------------------------------------------------

def test_figure_caption_and_alt_as_pandoc_makes_them(folder):
    out = html(folder, '![A square](images/x.svg)\n\n![The caption](images/x.svg){alt="A red '
               'square"}')
    assert ('<figure><img src="images/x.svg" alt="A square"/>'
            '<figcaption aria-hidden="true">A square</figcaption></figure>') in out
    assert ('<img src="images/x.svg" alt="A red square"/><figcaption>The caption</figcaption>'
            in out)


def test_figure_title_is_a_warning_not_a_silent_drop(folder):
    _, warnings = read(folder, '![A square](images/x.svg "Seen from above")')
    [warning] = [w for w in warnings if "title" in w.message]
    assert warning.line == 6 and "“Seen from above” is not printed" in warning.message


@pytest.mark.parametrize("attrs, style", [
    ("{width=50%}", "width: 50%"),
    ('{width="50%"}', "width: 50%"),
    ("{width=3in height=2cm}", "width: 3in; height: 2cm"),
    ("{width=300}", "width: 300px"),
    ("{height=2inch}", "height: 2in"),
])
def test_image_sizes_are_honoured(folder, attrs, style):
    out = html(folder, f"![A square](images/x.svg){attrs}")
    assert f'style="{style}"' in out and "{" not in out


def test_a_size_that_is_not_one_names_its_line(folder):
    assert errors(folder, "Text.\n\n![A square](images/x.svg){width=wide}") == [
        "8: image width 'wide' is not a size"]


def test_svgz_is_unpacked_and_published_as_svg(folder):
    (folder / "images" / "z.svgz").write_bytes(gzip.compress(SVG.encode()))
    guide, _ = read(folder, "![A square](images/z.svgz)")
    [asset] = guide.assets.values()
    assert asset.src == "images/z.svg" and b"<svg" in asset.data
    assert 'src="images/z.svg"' in html(folder, "![A square](images/z.svgz)")


def test_svgz_bomb_is_refused(folder):
    (folder / "images" / "bomb.svgz").write_bytes(gzip.compress(b" " * (30 * 2**20)))
    assert errors(folder, "![A square](images/bomb.svgz)") == [
        "6: image 'images/bomb.svgz' unpacks to more than 20 MB"]


# -- tables ---------------------------------------------------------------------------

def test_a_table_with_a_short_separator_row_is_an_error(folder):  # without outer pipes
    assert errors(folder, "Day | Do\n:---\n1 | Rest") == [
        "7: this looks like a table, but its separator row has 1 column and its header 2"]


# -- all errors at once -----------------------------------------------------------------

def test_every_structural_error_is_listed(folder):
    body = ("See [a](#nowhere).\n\nSee [b](javascript:alert(1)).\n\n<b>bold</b>\n\n"
            "Note[^missing].")
    found = errors(folder, body)
    assert [f.split(":")[0] for f in found] == ["6", "8", "10", "12"], found


def test_the_list_stops_at_twenty(folder):
    body = "\n\n".join(f"[x](#gone-{n})" for n in range(40))
    assert len(errors(folder, body)) == 20


def test_markup_inside_superscript_and_strong_emphasis_order(folder):
    out = html(folder, "^*hello*^ and ***both***")
    assert "<sup><em>hello</em></sup>" in out and "<strong><em>both</em></strong>" in out


def test_a_title_may_hold_quotes_in_quotes_as_in_pandoc(folder):
    out = html(folder, '[a](https://example.org "say "hi" now") and [b](https://example.org '
               '"x")')
    assert ('<a class="external" href="https://example.org" title="say &#34;hi&#34; now">a</a>'
            ' and <a class="external" href="https://example.org" title="x">b</a>') in out


def test_references_in_code_are_not_decoded_so_not_refused(folder):
    guide, _ = read(folder, "```\n&#0; stands for nothing\n```")
    assert "&#0;" in guide.blocks[1].text


def test_a_print_note_has_no_line_breaks_from_the_source(folder):
    out = html(folder, "Text[^n] here.\n\n[^n]: A note that runs\n    onto a second line.",
               "pdf", "float")
    assert '<span class="footnote" id="fn-1">A note that runs onto a second line.</span>' in out


@pytest.mark.parametrize("body, tag", [
    ("c) third\nd) fourth", '<ol class="delim-paren" start="3" type="a">'),
    ("(iv) four\n(v) five", '<ol class="delim-parens" start="4" type="i">'),
    ("#. one\n#. two", "<ol>"),
    ("- [ ] a\n- [x] b", '<ul class="task-list">'),
    ("1) [ ] a\n2) [x] b", '<ol class="task-list delim-paren">'),
])
def test_list_markers(folder, body, tag):
    assert tag in html(folder, body)


def test_web_lists_say_the_letter_case_for_browsers(folder):
    assert 'type="A" data-type="A"' in html(folder, "A) one\nB) two", "web")


def test_line_block(folder):
    out = html(folder, "| 260 Old Hook Rd\n|    Suite 2\n| Westwood, NJ")
    assert ('<div class="line-block">260 Old Hook Rd<br/>\u00a0\u00a0\u00a0Suite 2<br/>'
            "Westwood, NJ</div>") in out


def test_a_line_block_over_a_bad_separator_row_is_an_error(folder):
    assert errors(folder, "| Day | Do |\n|---|\n| 1 | Rest |") == [
        "7: this looks like a table, but its separator row has 1 column and its header 2"]


GRID = """+---------+---------------+
| Day     | What to do    |
+=========+===============+
| 1--2    | Rest, ice     |
+---------+---------------+
| 3       | Walk a little |
+---------+---------------+"""


def test_grid_table(folder):
    out = html(folder, GRID)
    assert '<th scope="col">Day</th>' in out and "<td>1–2</td>" in out
    assert "<td>Walk a little</td>" in out and "+---" not in out


def test_simple_table_alignment(folder):
    out = html(folder, "  Right     Left\n-------     ------\n     12     a\n    123     b\n")
    assert '<td class="align-right">123</td>' in out and '<td class="align-left">b</td>' in out


def test_a_grid_table_span_is_an_error(folder):
    body = "+---+---+\n| a     |\n+---+---+\n| b | c |\n+---+---+"
    [found] = errors(folder, body)
    assert found.startswith("6: a cell of this grid table spans two or more columns")


def test_a_grid_cell_may_hold_a_list_and_code(folder):
    body = ("+-----------+--------------+\n| Steps     | Command      |\n"
            "+===========+==============+\n| - rest    | ```          |\n"
            "| - ice     | rest --day   |\n|           | ```          |\n"
            "+-----------+--------------+")
    out = html(folder, body)
    assert "<td><ul><li><p>rest</p></li>\n<li><p>ice</p></li></ul></td>" in out
    assert "<td><pre><code>rest --day</code></pre></td>" in out


def test_a_grid_cell_of_blocks_with_a_note_is_a_warning(folder):
    body = ("+-----------+\n| Steps     |\n+===========+\n| - rest[^n]|\n| - ice     |\n"
            "+-----------+\n\n[^n]: A note.")
    _, warnings = read(folder, body)
    assert [(w.line, w.message.split(",")[0]) for w in warnings if "grid table" in w.message
            ] == [(9, "1 cell of this grid table holds paragraphs")]


def test_table_caption_attributes_name_the_table(folder):
    out = html(folder, "| a | b |\n|---|---|\n| 1 | 2 |\n\nTable: Two columns. {#tbl:two}\n\n"
               "See [the table](#tbl:two).")
    assert '<table id="tbl:two"><caption>Two columns.</caption>' in out
    assert '<a href="#tbl:two">the table</a>' in out


@pytest.mark.parametrize("body, what", [
    ("Do this:\n- rest\n- ice", "a list"),
    ("Steps:\n1. rest\n2. ice", "a list"),
    ("He said:\n> stop", "a block quote"),
])
def test_no_list_or_quote_without_a_blank_line_as_in_pandoc(folder, body, what):
    guide, warnings = read(folder, body)
    assert [b.type for b in guide.blocks[1:]] == ["paragraph"]
    assert [(w.line, w.message) for w in warnings] == [
        (7, f"this line starts like {what} but follows a line of text, so it is read as part "
            "of that paragraph")]


def test_a_sublist_may_follow_an_items_text(folder):
    guide, warnings = read(folder, "- item\n  - sub")
    assert [n.type for n in guide.blocks[1].walk()].count("bullet_list") == 2 and not warnings


def test_every_character_the_fonts_lack_is_named_once(folder):
    found = errors(folder, "Strong 💪 here.\n\nAgain 💪, and नमस्ते.")
    assert [f.split(" (")[0] for f in found] == ["6: the character '💪'",
                                                 "8: the character 'न'"]


def test_a_link_title_is_a_warning(folder):
    _, warnings = read(folder, '[site](https://example.org "The site")')
    assert [w.message for w in warnings] == [
        "the link's title “The site” is shown only as a tooltip in the ebook and on the web "
        "page, not in print"]


@pytest.mark.parametrize("block, kind", [
    ("| a | b |\n    |---|---|\n    | 1 | 2 |", "table"),
    ("![A square](images/x.svg)", "figure"),
])
def test_a_note_cannot_hold_a_table_or_figure(folder, block, kind):
    found = errors(folder, f"Text.[^n]\n\n[^n]: See this:\n\n    {block}")
    assert found == [f"10: a footnote cannot hold a {kind}: the print book sets notes at the "
                     "foot of the page, in the flow of a line"]


def test_a_note_with_a_definition_list_keeps_it_in_print(folder):
    out = html(folder, "Text.[^n]\n\n[^n]: Words:\n\n    Spasm\n    : A tight muscle.",
               "pdf", "float")
    assert ('<span class="note-block note-p">Spasm</span>'
            '<span class="note-block note-p">A tight muscle.</span>') in out


def test_a_failing_build_lists_every_error(folder):
    from click.testing import CliRunner

    import publish
    path = folder / "guide.md"
    path.write_text(HEAD + "[a](#x)\n\n[b](#y)\n\n[c](#z)\n", encoding="utf-8")
    for command in (["build", str(path), "--out", str(folder / "dist")], ["check", str(path)]):
        result = CliRunner().invoke(publish.cli, command)
        assert result.exit_code == 1
        assert re.findall(r"guide\.md:(\d+).*link to '#", result.output) == ["6", "8", "10"]


@pytest.mark.parametrize("body, expected", [
    ("`x = 1`{.python}", "<code>x = 1</code>"),
    ("# Not numbered {-}", '<h1 class="unnumbered" id="not-numbered">'),
    ("[músculo]{lang=es}", '<span lang="es">músculo</span>'),
    ('[x](https://example.org){href="javascript:alert(1)" onclick="x()"}',
     '<a class="external" href="https://example.org">x</a>'),
])
def test_pandoc_attributes(folder, body, expected):
    out = html(folder, body)
    assert expected in out and "{" not in out


def test_a_span_language_must_be_one(folder):
    [found] = errors(folder, "[x]{lang=klingonish}")
    assert found.startswith("6: span language: ")


def test_example_list_references_are_numbers(folder):
    out = html(folder, "(@rest) Rest a day.\n(@) Walk.\n\nAs (@rest) says, and not (@other).")
    assert "<p>As (1) says, and not (@other).</p>" in out


def test_braces_with_percent_are_text_not_attributes(folder):
    out = html(folder, "As {% raw %}`{{count}}`{% endraw %} and [word]{% note %}.")
    assert "{% raw %}<code>{{count}}</code>{% endraw %}" in out
    assert "[word]{% note %}" in out
