"""guidepress.read.mdtables: pandoc's grid, simple and multiline tables as GFM table tokens.

Expected cell texts and alignments are pandoc 3's (``pandoc -f markdown -t html``), from
the MANUAL's examples and pandoc's test/tables.txt; ``test_matches_pandoc`` re-checks them
against the pandoc binary when pypandoc-binary is installed.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, field

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from guidepress.read.markdown import parse_body
from guidepress.read.mdtables import tables_plugin


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(tables_plugin)


@dataclass
class Seen:
    """One table as the tokens give it: rows of (text, alignment), split head/body."""

    head: list[list[tuple[str, str]]] = field(default_factory=list)
    body: list[list[tuple[str, str]]] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    map: list[int] | None = None
    cells: list[Token] = field(default_factory=list)  # the th/td open tokens


def tables(src: str) -> list[Seen]:
    found: list[Seen] = []
    part: list[list[tuple[str, str]]] = []
    tokens = parser().parse(src)
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append(Seen(meta=dict(token.meta), map=token.map))
        elif token.type in ("thead_open", "tbody_open"):
            part = found[-1].head if token.type == "thead_open" else found[-1].body
        elif token.type == "tr_open":
            part.append([])
        elif token.type in ("th_open", "td_open"):
            inline = tokens[index + 1]
            assert inline.type == "inline" and inline.children is not None
            align = str(token.attrs.get("style", "")).removeprefix("text-align:")
            part[-1].append((inline.content, align))
            found[-1].cells.append(token)
    return found


def texts(rows: list[list[tuple[str, str]]]) -> list[list[str]]:
    return [[text for text, _ in row] for row in rows]


def aligns(rows: list[list[tuple[str, str]]]) -> list[str]:
    return [align for _, align in rows[0]]


GRID_HEADER = """\
+---------------+---------------+--------------------+
| Fruit         | Price         | Advantages         |
+===============+===============+====================+
| Bananas       | $1.34         | - built-in wrapper |
|               |               | - bright color     |
+---------------+---------------+--------------------+
| Oranges       | $2.10         | - cures scurvy     |
|               |               | - tasty            |
+---------------+---------------+--------------------+
"""

GRID_ALIGNED = """\
+---------------+---------------+--------------------+
| Right         | Left          | Centered           |
+==============:+:==============+:==================:+
| Bananas       | $1.34         | built-in wrapper   |
+---------------+---------------+--------------------+
"""

GRID_HEADERLESS = """\
+--------------:+:--------------+:------------------:+
| Right         | Left          | Centered           |
+---------------+---------------+--------------------+
"""

GRID_LINES = """\
+----------+----------+
| A long   | *two*    |
| cell     | `x`      |
+----------+----------+
| para one | plain    |
|          |          |
| para two |          |
+----------+----------+
"""

GRID_FOOT = """\
+---------------+---------------+
| Fruit         | Price         |
+===============+===============+
| Bananas       | $1.34         |
+---------------+---------------+
| Oranges       | $2.10         |
+===============+===============+
| Sum           | $3.44         |
+===============+===============+
"""

GRID_ROW_SPAN = """\
+---------------------+-----------------------+
| Location            | Temperature 1961-1990 |
|                     | in degree Celsius     |
|                     +-------+-------+-------+
|                     | min   | mean  | max   |
+=====================+=======+=======+=======+
| Antarctica          | -89.2 | N/A   | 19.8  |
+---------------------+-------+-------+-------+
"""

GRID_COLUMN_SPAN = """\
+---------------------+----------+
| Property            | Earth    |
+=============+=======+==========+
| Temperature | min   | -89.2 °C |
+-------------+-------+----------+
"""

SIMPLE = """\
  Right     Left     Center     Default
-------     ------ ----------   -------
     12     12        12            12
    123     123       123          123
      1     1          1             1

Table:  Demonstration of simple table syntax.
"""

SIMPLE_HEADERLESS = """\
-------     ------ ----------   -------
     12     12        12             12
    123     123       123           123
      1     1          1              1
-------     ------ ----------   -------
"""

SIMPLE_OVERFLOW = """\
Name   Value
----   -----
a b    *em* and more text than fits
longer-than-column x
"""

MULTILINE = """\
-------------------------------------------------------------
 Centered   Default           Right Left
  Header    Aligned         Aligned Aligned
----------- ------- --------------- -------------------------
   First    row                12.0 Example of a row that
                                    spans multiple lines.

  Second    row                 5.0 Here's another one. Note
                                    the blank line between
                                    rows.
-------------------------------------------------------------

Table: Here's the caption. It, too, may span
multiple lines.
"""

MULTILINE_HEADERLESS = """\
----------- ------- --------------- -------------------------
   First    row                12.0 Example of a row that
                                    spans multiple lines.

  Second    row                 5.0 Here's another one. Note
                                    the blank line between
                                    rows.
----------- ------- --------------- -------------------------

: Here's a multiline table without a header.
"""


def test_grid_table_with_header() -> None:
    [table] = tables(GRID_HEADER)
    assert texts(table.head) == [["Fruit", "Price", "Advantages"]]
    assert texts(table.body) == [
        ["Bananas", "$1.34", "- built-in wrapper - bright color"],
        ["Oranges", "$2.10", "- cures scurvy - tasty"],
    ]
    assert aligns(table.head) == ["", "", ""]
    assert table.map == [0, 9] and "error" not in table.meta
    # the lists are block content: flagged for the caller, the other cells are not
    flagged = [t.map for t in table.cells if t.meta.get("blocks")]
    assert flagged == [[3, 5], [6, 8]]


def test_grid_table_alignment_from_the_header_line() -> None:
    [table] = tables(GRID_ALIGNED)
    assert texts(table.head) == [["Right", "Left", "Centered"]]
    assert texts(table.body) == [["Bananas", "$1.34", "built-in wrapper"]]
    assert aligns(table.head) == aligns(table.body) == ["right", "left", "center"]


def test_headerless_grid_table_takes_alignment_from_its_top_line() -> None:
    [table] = tables(GRID_HEADERLESS)
    assert table.head == []
    assert table.body == [[("Right", "right"), ("Left", "left"), ("Centered", "center")]]


def test_grid_table_header_line_wins_over_top_line_colons() -> None:
    [table] = tables("+:--+--:+\n| h | i |\n+===+===+\n| b | c |\n+---+---+\n")
    assert aligns(table.head) == aligns(table.body) == ["", ""]


def test_grid_cell_lines_become_softbreaks_and_blank_lines_are_blocks() -> None:
    [table] = tables(GRID_LINES)
    assert texts(table.body) == [["A long\ncell", "*two*\n`x`"], ["para one para two", "plain"]]
    first = parser().parse(GRID_LINES)
    inline = next(t for t in first if t.type == "inline")
    assert [c.type for c in inline.children or []] == ["text", "softbreak", "text"]
    assert inline.map == [1, 3]
    assert [bool(t.meta.get("blocks")) for t in table.cells] == [False, False, True, False]


def test_grid_table_foot_rows_end_the_body() -> None:
    [table] = tables(GRID_FOOT)
    assert texts(table.head) == [["Fruit", "Price"]]
    assert texts(table.body) == [["Bananas", "$1.34"], ["Oranges", "$2.10"], ["Sum", "$3.44"]]
    assert table.meta == {"foot_rows": 1}


def test_grid_table_header_only_and_empty_header() -> None:
    [only] = tables("+---+\n| a |\n+===+\n")
    assert texts(only.head) == [["a"]] and only.body == []
    [empty] = tables("+---+---+\n|   |   |\n+===+===+\n| 1 | 2 |\n+---+---+\n")
    assert empty.head == [] and texts(empty.body) == [["1", "2"]]


def test_indented_grid_table_and_code_block() -> None:
    [table] = tables("   +---+---+\n   | a | b |\n   +===+===+\n   | 1 | 2 |\n   +---+---+\n")
    assert texts(table.head) == [["a", "b"]] and texts(table.body) == [["1", "2"]]
    tokens = parser().parse("    +---+---+\n    | a | b |\n    +---+---+\n")
    assert [t.type for t in tokens] == ["code_block"]


def test_grid_cell_spanning_rows_is_refused_with_a_best_effort_table() -> None:
    [table] = tables(GRID_ROW_SPAN)
    assert table.meta["error"] == (
        "a cell of this grid table spans two or more rows, which is not supported: close "
        "every cell with a full +---+ line (line 4 of the table)")
    assert texts(table.head)[0][0] == "Location"
    assert len(table.body) == 1


def test_grid_cell_spanning_columns_is_refused() -> None:
    [table] = tables(GRID_COLUMN_SPAN)
    assert table.meta["error"] == (
        "a cell of this grid table spans two or more columns, which is not supported: give "
        "every row a | under each + of the top border (line 3 of the table)")
    assert texts(table.head) == [["Property", "Earth"]]


def test_ragged_grid_table_is_refused() -> None:
    [table] = tables("+---+---+\n| a | b  |\n+---+---+\n")
    assert "do not line up with its top border" in table.meta["error"]


def test_simple_table_with_header_and_alignment() -> None:
    [table] = tables(SIMPLE)
    assert texts(table.head) == [["Right", "Left", "Center", "Default"]]
    assert texts(table.body) == [["12"] * 4, ["123"] * 4, ["1"] * 4]
    assert aligns(table.head) == aligns(table.body) == ["right", "left", "center", ""]
    assert table.map == [0, 5]  # the blank line and caption are the caller's


def test_headerless_simple_table_aligns_by_its_first_row() -> None:
    [table] = tables(SIMPLE_HEADERLESS)
    assert table.head == []
    assert texts(table.body) == [["12"] * 4, ["123"] * 4, ["1"] * 4]
    assert aligns(table.body) == ["right", "left", "center", "right"]
    assert table.map == [0, 5]


def test_simple_table_cells_are_cut_at_column_starts() -> None:
    [table] = tables(SIMPLE_OVERFLOW)
    assert texts(table.head) == [["Name", "Value"]]
    assert texts(table.body) == [["a b", "*em* and more text than fits"],
                                 ["longer-", "than-column x"]]
    assert aligns(table.head) == ["", ""]


def test_simple_table_indented_header_and_in_containers() -> None:
    [table] = tables("    Right     Left\n  -------     ------\n       12     12\n")
    assert table.body == [[("12", "right"), ("12", "left")]]
    [quoted] = tables("> Head  Other\n> ----  -----\n> x     y\n")
    assert texts(quoted.head) == [["Head", "Other"]] and texts(quoted.body) == [["x", "y"]]
    [listed] = tables("- item\n\n  Head  Other\n  ----  -----\n  x     y\n")
    assert texts(listed.body) == [["x", "y"]]


def test_one_column_header_is_a_setext_heading_but_headerless_is_a_table() -> None:
    tokens = parser().parse("Header\n------\nrow\n\n")
    assert [t.type for t in tokens][:3] == ["heading_open", "inline", "heading_close"]
    [table] = tables("-----\n 12\n-----\n\npara\n\n---\ntext\n---\n")[:1]
    assert table.body == [[("12", "center")]]


def test_tables_do_not_interrupt_a_paragraph() -> None:
    assert tables("intro\n+---+---+\n| a | b |\n+---+---+\n") == []
    assert tables("intro\n  Right     Left\n-------     ------\n     12     12\n") == []


def test_multiline_table() -> None:
    [table] = tables(MULTILINE)
    assert texts(table.head) == [["Centered\nHeader", "Default\nAligned", "Right\nAligned",
                                  "Left\nAligned"]]
    assert texts(table.body) == [
        ["First", "row", "12.0", "Example of a row that\nspans multiple lines."],
        ["Second", "row", "5.0", "Here's another one. Note\nthe blank line between\nrows."],
    ]
    assert aligns(table.head) == ["center", "", "right", "left"]
    assert table.map == [0, 11]


def test_headerless_multiline_table() -> None:
    [table] = tables(MULTILINE_HEADERLESS)
    assert table.head == []
    assert aligns(table.body) == ["center", "left", "right", "left"]
    assert [row[3][0] for row in table.body] == [
        "Example of a row that\nspans multiple lines.",
        "Here's another one. Note\nthe blank line between\nrows."]


NOT_TABLES = [
    "+---+\nnot a table\n+---+\n",
    "+---+---+\n| a | b |\n",
    "+-+-x\n| a |\n+---+\n",
    "+ item\n",
    "----\n\ntext\n",
    "a  b\n----  ----\n\n",  # no rows
    "-------     ------\n     12     12\n\n",  # headerless needs a closing dashed line
    "- a    b\n----- ---\n1  2\n",  # pandoc: a bullet list first
]


@pytest.mark.parametrize("src", NOT_TABLES)
def test_what_only_looks_like_a_table_falls_through(src: str) -> None:
    assert tables(src) == []
    assert MarkdownIt("commonmark").enable("table").render(src) == parser().render(src)


HOSTILE = {
    "plus": "+" * 100_000,
    "pipe": "|" * 100_000,
    "plus-dash": "+-" * 50_000 + "x",
    "colons": "+" + ":" * 100_000 + "+\n| a |\n+---+\n",
    "spaced-dashes": "- " * 50_000 + "\n",
    "wide-header": "a b\n" + "- " * 50_000 + "\nx y\n\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_lines_parse_fast(name: str) -> None:
    src = HOSTILE[name]
    started = time.perf_counter()
    parser().parse(src)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("src", ["---\nx\n" * 20_000, "-----\nhead\n" * 20_000,
                                 "--- ---\n" * 20_000 + "x\n"])
def test_many_dashed_lines_are_not_rescanned(src: str) -> None:
    # A rescan from every dashed line would take minutes here; markdown-it alone takes
    # about a second on these.
    started = time.perf_counter()
    parser().parse(src)
    assert time.perf_counter() - started < 8.0


def test_too_many_cells_is_not_a_table() -> None:
    wide = "+-" * 40_000 + "+\n" + "| " * 40_000 + "|\n" + "+-" * 40_000 + "+\n"
    assert len(tables(wide)) == 1
    assert tables(wide + "| " * 40_000 + "|\n" + "+-" * 40_000 + "+\n") == []


def test_parse_body_reads_grid_and_simple_tables_with_file_lines() -> None:
    blocks, _, problems = parse_body(GRID_ALIGNED + "\n: Fruit\n\n" + SIMPLE, 10)
    assert problems == []
    grid, simple = (b for b in blocks if b.type == "table")
    caption, head, body = grid.children
    assert caption.type == "caption" and caption.plain_text() == "Fruit"
    assert [c.attrs.get("align") for c in head.children[0].children] == [
        "right", "left", "center"]
    assert body.children[0].children[2].plain_text() == "built-in wrapper"
    assert (grid.line, head.line, body.line) == (10, 11, 13)
    assert simple.line == 18 and simple.children[0].type == "caption"
    assert simple.children[2].children[0].children[0].plain_text() == "12"


# ------------------------------------------------------------------ live pandoc


def pandoc_path() -> str | None:
    try:
        import pypandoc
        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return None


def html_tables(html: str) -> list[list[list[tuple[str, str]]]]:
    """Every table's rows as (text, alignment), tfoot rows last, as our tokens put them."""
    import lxml.html

    found = []
    for table in lxml.html.fromstring(f"<div>{html}</div>").iter("table"):
        rows = []
        for part in ("thead", "tbody", "tfoot"):
            for tr in table.iterfind(f"{part}/tr"):
                rows.append([(" ".join(c.text_content().split()),
                              m[1] if (m := re.search(r"text-align:\s*(\w+)",
                                                      c.get("style", ""))) else "")
                             for c in tr])
        found.append(rows)
    return found


@pytest.mark.parametrize("src", [GRID_ALIGNED, GRID_HEADERLESS, GRID_FOOT, GRID_LINES, SIMPLE,
                                 SIMPLE_HEADERLESS, SIMPLE_OVERFLOW, MULTILINE,
                                 MULTILINE_HEADERLESS, *NOT_TABLES[:4]])
def test_matches_pandoc(src: str) -> None:
    pandoc = pandoc_path()
    if pandoc is None:
        pytest.skip("no pandoc binary (pypandoc-binary)")
    run = subprocess.run([pandoc, "-f", "markdown-smart", "-t", "html"], input=src,
                         capture_output=True, text=True, check=True, timeout=60)
    assert html_tables(parser().render(src)) == html_tables(run.stdout)
