"""pandoc's fancy/startnum/example lists and line blocks as markdown-it-py block rules
(guidepress.read.mdblocks). Expected results were checked against pandoc 3.9's own output."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from guidepress.read.markdown import make_parser, parse_body
from guidepress.read.mdblocks import fancy_lists_plugin, line_blocks_plugin, roman_value

NBSP = "\u00a0"
MD = MarkdownIt("commonmark").enable("table").use(fancy_lists_plugin).use(line_blocks_plugin)
PLAIN = MarkdownIt("commonmark").enable("table")


def tree(text: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(MD.parse(text))


def kinds(text: str) -> list[str]:
    return [child.type for child in tree(text).children]


def lists(text: str) -> list[SyntaxTreeNode]:
    """The ordered lists of a document, outermost first, in document order."""
    return [node for node in tree(text).walk() if node.type == "ordered_list"]


def items(node: SyntaxTreeNode) -> list[str]:
    """The text of each item's first paragraph."""
    return [item.children[0].children[0].content if item.children else ""
            for item in node.children]


def attrs(node: SyntaxTreeNode) -> dict[str, str | int | float]:
    return dict(node.attrs)


# --------------------------------------------------------------------------- markers


@pytest.mark.parametrize(("text", "expected"), [
    ("a. x\nb. y", {"type": "a"}),
    ("c. x\nd. y", {"start": 3, "type": "a"}),
    ("A)  x\nB)  y", {"type": "A", "class": "delim-paren"}),
    ("(iv) x\n(v) y", {"start": 4, "type": "i", "class": "delim-parens"}),
    ("I.  x\nII. y", {"type": "I"}),
    ("3) x\n4) y", {"start": 3, "class": "delim-paren"}),
    ("(1) x\n(2) y", {"class": "delim-parens"}),
    ("1. x\n2. y", {}),
    ("0. x\n1. y", {"start": 0}),
    ("#. x\n#. y", {}),
    ("#) x\n#) y", {"class": "delim-paren"}),
    ("v. x\nw. y", {"start": 22, "type": "a"}),  # one letter other than i: alpha
    ("mmmm. x\nmmmmi. y", {"start": 4000, "type": "i"}),
])
def test_list_attributes_follow_the_first_marker(text: str, expected: dict) -> None:
    [found] = lists(text)
    assert attrs(found) == expected
    assert items(found) == ["x", "y"]


@pytest.mark.parametrize(("word", "value"), [
    ("i", 1), ("iv", 4), ("ix", 9), ("xiv", 14), ("xl", 40), ("xc", 90), ("cd", 400),
    ("cm", 900), ("mcmxcix", 1999), ("iiii", 4), ("MMXXVI", 2026),
    ("vv", None), ("ic", None), ("iI", None), ("abc", None),
])
def test_roman_numerals_are_read_as_pandoc_reads_them(word: str, value: int | None) -> None:
    assert roman_value(word) == value


def test_items_keep_their_marker_and_lines() -> None:
    tokens = MD.parse("x\n\n(c) one\n(d) two\n    more\n\ny\n")
    opener = next(t for t in tokens if t.type == "ordered_list_open")
    assert opener.map == [2, 6]  # with the blank line after it, as markdown-it does
    assert opener.meta == {"style": "lower-alpha", "delim": "parens"}
    assert [(t.info, t.map) for t in tokens if t.type == "list_item_open"] == [
        ("c", [2, 3]), ("d", [3, 6])]


# --------------------------------------------------------------------------- splitting


def test_a_new_list_starts_when_the_marker_style_changes() -> None:
    # pandoc's MANUAL: "the following will create three lists" (and a bullet list).
    assert kinds("(2) Two\n(5) Three\n1.  Four\n*   Five\n") == [
        "ordered_list", "ordered_list", "bullet_list"]
    first, second = lists("(2) Two\n(5) Three\n1.  Four\n*   Five\n")
    assert (attrs(first), items(first)) == ({"start": 2, "class": "delim-parens"},
                                            ["Two", "Three"])
    assert (attrs(second), items(second)) == ({}, ["Four"])


def test_a_new_list_starts_when_only_the_delimiter_changes() -> None:
    found = lists("(a) x\n(b) y\na) z\nb. w\n")
    assert [attrs(node).get("class") for node in found] == ["delim-parens", "delim-paren", None]
    assert [items(node) for node in found] == [["x", "y"], ["z"], ["w"]]


def test_hash_continues_any_list_and_decimal_continues_a_hash_list() -> None:
    assert [items(n) for n in lists("1. one\n#. two\n3. three\n")] == [["one", "two", "three"]]
    assert [items(n) for n in lists("a. one\n#. two\nc. three\n")] == [["one", "two", "three"]]
    assert [items(n) for n in lists("#. one\n2. two\n")] == [["one", "two"]]
    assert len(lists("(1) one\n#) two\n")) == 2  # "#" takes the list's delimiter


# --------------------------------------------------------------------------- initials


@pytest.mark.parametrize("text", [
    "B. Smith won.", "I. Smith won.", "M. x", "C. D. Broad", "M.A. 2007", "p. 5 of the book",
    "a.b", "(a. x", "aa. x", "vv. x", "(1999 was a year",
])
def test_text_that_only_looks_like_a_marker_is_a_paragraph(text: str) -> None:
    assert kinds(text) == ["paragraph"]


@pytest.mark.parametrize(("text", "expected"), [
    ("B.  Smith\nC.  Jones", {"start": 2, "type": "A"}),  # two spaces: a list
    ("B.\tSmith", {"start": 2, "type": "A"}),
    ("A) Smith", {"type": "A", "class": "delim-paren"}),  # not a period: one space will do
    ("II. Smith", {"start": 2, "type": "I"}),  # not a single letter
    ("(C) 2007 Joe Smith", {"start": 3, "type": "A", "class": "delim-parens"}),  # pandoc too
])
def test_upper_case_markers_with_enough_space_are_lists(text: str, expected: dict) -> None:
    [found] = lists(text)
    assert attrs(found) == expected


def test_an_initial_after_an_upper_case_item_is_its_text() -> None:
    [found] = lists("A.  x\nB. y\n")
    assert items(found) == ["x\nB. y"]


# --------------------------------------------------------------------------- i: roman or alpha


def test_i_starts_a_roman_list() -> None:
    [found] = lists("i. x\nii. y\niii. z\n")
    assert (attrs(found), items(found)) == ({"type": "i"}, ["x", "y", "z"])


def test_i_continues_an_alpha_list_that_reached_h() -> None:
    [found] = lists("h. x\ni. y\nj. z\n")
    assert (attrs(found), items(found)) == ({"start": 8, "type": "a"}, ["x", "y", "z"])


def test_a_roman_list_does_not_take_a_letter_and_vice_versa() -> None:
    assert [(attrs(n), items(n)) for n in lists("i. x\nj. y\n")] == [
        ({"type": "i"}, ["x"]), ({"start": 10, "type": "a"}, ["y"])]
    assert [(attrs(n), items(n)) for n in lists("a. x\nii. y\n")] == [
        ({"type": "a"}, ["x"]), ({"start": 2, "type": "i"}, ["y"])]
    # On a roman list "v." and "x." are numerals, whatever they would be alone.
    [found] = lists("iv. x\nv. y\nx. z\n")
    assert items(found) == ["x", "y", "z"]


# --------------------------------------------------------------------------- paragraphs


@pytest.mark.parametrize(("text", "expected"), [
    ("foo\na. bar", ["paragraph"]),
    ("foo\n(1) bar", ["paragraph"]),
    ("foo\n#. bar", ["paragraph"]),
    ("foo\n2. bar", ["paragraph"]),  # CommonMark: only a list starting at 1 interrupts
    ("foo\n1. bar", ["paragraph", "ordered_list"]),
    ("foo\n1) bar", ["paragraph", "ordered_list"]),
    ("foo\n1.", ["paragraph"]),  # nor may an empty item
    ("foo\n\na. bar", ["paragraph", "ordered_list"]),
    ("> foo\n> (a) bar", ["blockquote"]),
])
def test_only_commonmark_lists_interrupt_a_paragraph_at_top_level(
        text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


def test_a_sublist_starting_at_one_may_interrupt_an_items_paragraph() -> None:
    # pandoc's MANUAL (startnum): the roman sublist follows "Eleventh" with no blank line.
    text = ("9)  Ninth\n10)  Tenth\n11)  Eleventh\n       i. subone\n"
            "      ii. subtwo\n     iii. subthree\n")
    outer, inner = lists(text)
    assert attrs(outer) == {"start": 9, "class": "delim-paren"}
    assert items(outer) == ["Ninth", "Tenth", "Eleventh"]
    assert (attrs(inner), items(inner)) == ({"type": "i"}, ["subone", "subtwo", "subthree"])
    assert [n.type for n in tree("- foo\n  (a) bar\n").walk()][1:4] == [
        "bullet_list", "list_item", "paragraph"]
    assert len(lists("- foo\n  (a) bar\n")) == 1
    assert lists("- foo\n  (c) bar\n") == []  # not at 1: the item's text goes on


def test_a_marker_line_less_indented_than_the_item_ends_it() -> None:
    assert kinds("- foo\n(a) bar\n") == ["bullet_list", "ordered_list"]
    assert kinds("1. foo\n(a) bar\n") == ["ordered_list", "ordered_list"]


# --------------------------------------------------------------------------- nesting


def test_pandoc_testsuite_nesting() -> None:
    text = ("D.  Upper Alpha\n    I.  Upper Roman.\n        (1) Decimal start with 1\n"
            "            a)  Lower alpha with paren\n")
    assert [attrs(n) for n in lists(text)] == [
        {"start": 4, "type": "A"}, {"type": "I"}, {"class": "delim-parens"},
        {"type": "a", "class": "delim-paren"}]
    assert [items(n)[0].split("\n")[0] for n in lists(text)] == [
        "Upper Alpha", "Upper Roman.", "Decimal start with 1", "Lower alpha with paren"]


def test_parenthesised_items_nest_in_a_bullet_list_and_bullets_in_them() -> None:
    root = tree("- x\n\n  (1) a\n  (2) b\n- y\n")
    bullet = root.children[0]
    assert bullet.type == "bullet_list" and len(bullet.children) == 2
    [inner] = lists("- x\n\n  (1) a\n  (2) b\n- y\n")
    assert items(inner) == ["a", "b"]
    root = tree("(a) one\n    - bullet\n(b) two\n")
    [found] = lists("(a) one\n    - bullet\n(b) two\n")
    assert len(root.children) == 1 and len(found.children) == 2
    assert found.children[0].children[1].type == "bullet_list"


def test_tight_items_hide_their_paragraphs_and_loose_ones_do_not() -> None:
    def hidden(text: str) -> list[bool]:
        return [t.hidden for t in MD.parse(text) if t.type == "paragraph_open"]

    assert hidden("a) one\nb) two\n") == [True, True]
    assert hidden("a) one\n\nb) two\n") == [False, False]
    assert hidden("a) one\nb) two\n\n   more\n") == [False, False, False]
    assert hidden("a) one\nb) two\n\nafter\n") == [True, True, False]  # blank after the last
    # A tight sublist in a loose list: only the outer items' paragraphs show.
    assert hidden("a. x\n\n   i. y\n   ii. z\nb. w\n") == [False, True, True, False]


def test_lazy_continuation_and_blank_lines_as_markdown_it_does() -> None:
    [found] = lists("a. foo\nbar\nb. baz\n")
    assert items(found) == ["foo\nbar", "baz"]
    [found] = lists("a.\n\n   foo\n")
    assert items(found) == [""]  # an empty first line and a blank: the item is empty
    assert kinds("a.\n\n   foo\n") == ["ordered_list", "paragraph"]


COMMONMARK_LISTS = [
    "1. one\n2. two\n", "1) one\n2) two\n", "3. a\n\n4. b\n", "1. a\n\n   b\n\n       code\n",
    "- a\n  1. b\n     - c\n", "1. a\n2) b\n", "1.\n   foo\n", "1. foo\n\n\n   bar\n",
    "  1.  A paragraph\n      with two lines.\n\n          indented code\n\n      > quote\n",
    "1. a\n\n  2. b\n\n    3. c\n", "10) foo\n    - bar\n", "1. - 2. foo\n", "- a\n- b\n\n- c\n",
    "1. a\n   > b\n   > c\n2. d\n", "1.\tfoo\n\n\tbar\n", "12345678901. not a list\n",
]


@pytest.mark.parametrize("text", COMMONMARK_LISTS)
def test_commonmark_lists_come_out_as_markdown_it_makes_them(text: str) -> None:
    # The rule takes over decimal lists too; they must not change (the whole CommonMark
    # spec, 655 examples, renders the same; these are a sample of its list cases).
    assert MD.render(text).replace(' class="delim-paren"', "") == PLAIN.render(text)
    mine = [(t.type, t.map, t.hidden, t.level) for t in MD.parse(text)]
    assert mine == [(t.type, t.map, t.hidden, t.level) for t in PLAIN.parse(text)]


def test_a_paren_decimal_list_has_the_paren_class() -> None:
    [found] = lists("1) one\n2) two\n")
    assert attrs(found) == {"class": "delim-paren"}


# --------------------------------------------------------------------------- examples


def test_example_lists_number_through_the_document() -> None:
    env: dict = {}
    text = "(@) one\n(@) two\n\ntext\n\n(@good) three\n\n(@) four\n\ntext\n\n(@good) again\n"
    tokens = MD.parse(text, env)
    openers = [t for t in tokens if t.type == "ordered_list_open"]
    assert [t.attrs for t in openers] == [
        {"class": "example delim-parens"}, {"start": 3, "class": "example delim-parens"},
        {"start": 3, "class": "example delim-parens"}]
    assert [t.meta for t in tokens if t.type == "list_item_open"] == [
        {"example": 1, "label": ""}, {"example": 2, "label": ""},
        {"example": 3, "label": "good"}, {"example": 4, "label": ""},
        {"example": 3, "label": "good"}]
    assert env["example_lists"] == {"next": 5, "labels": {"good": 3}}


# --------------------------------------------------------------------------- line blocks


def line_texts(text: str) -> list[str]:
    [block] = [n for n in tree(text).walk() if n.type == "line_block"]
    assert all(line.type == "line_block_line" for line in block.children)
    return [line.children[0].content for line in block.children]


def test_a_line_block_keeps_its_lines_and_their_leading_spaces() -> None:
    text = ("| The limerick packs laughs anatomical\n| In space that is quite economical.\n"
            "|    But the good ones I've seen\n|    So seldom are clean\n")
    assert line_texts(text) == [
        "The limerick packs laughs anatomical", "In space that is quite economical.",
        NBSP * 3 + "But the good ones I've seen", NBSP * 3 + "So seldom are clean"]
    block = tree(text).children[0]
    assert (block.type, attrs(block), block.map) == ("line_block", {"class": "line-block"},
                                                     (0, 4))
    assert line_texts("|\tx\n") == [NBSP * 2 + "x"]  # a tab after the bar: to column 4


def test_an_indented_line_continues_the_line_above() -> None:
    text = ("| The Right Honorable Most Venerable and Righteous Samuel L.\n"
            "  Constable, Jr.\n| 200 Main St.\n| Berkeley, CA 94718\n")
    assert line_texts(text) == [
        "The Right Honorable Most Venerable and Righteous Samuel L. Constable, Jr.",
        "200 Main St.", "Berkeley, CA 94718"]
    [block] = tree(text).children
    assert [line.map for line in block.children] == [(0, 2), (2, 3), (3, 4)]


def test_a_bar_alone_is_an_empty_line() -> None:
    assert line_texts("|\n| a\n|   \n| b\n|\n") == ["", "a", "", "b", ""]
    assert line_texts("|\n") == [""]


@pytest.mark.parametrize(("text", "expected"), [
    ("|a\n", ["paragraph"]),  # a bar needs a space after it
    ("  | a\n  | b\n", ["paragraph"]),  # and no indentation (pandoc: a paragraph)
    ("foo\n| bar\n", ["paragraph"]),  # a line block does not interrupt a paragraph
    ("| line\npara\n", ["line_block", "paragraph"]),
    ("| a\n\n| b\n", ["line_block", "line_block"]),
    ("| a | b |\n", ["line_block"]),  # a lone row is no table (pandoc agrees)
    ("| a | b |\n|---|---|\n| 1 | 2 |\n", ["table"]),
    ("| x\n| a | b |\n|---|---|\n", ["line_block", "paragraph"]),  # as pandoc parses it
    ("> | a\n> | b\n", ["blockquote"]),
    ("- | a\n  | b\n", ["bullet_list"]),
])
def test_what_is_and_is_not_a_line_block(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


def test_line_blocks_nest_in_quotes_and_items() -> None:
    for text in ("> | a\n> |  b\n", "- | a\n  |  b\n"):
        assert line_texts(text) == ["a", NBSP + "b"]


def test_inline_markup_stays_within_its_line() -> None:
    [block] = tree("| *a\n| b* and **c**\n").children
    first, second = (line.children[0] for line in block.children)
    assert [c.type for c in first.children] == ["text"]
    assert [c.type for c in second.children if c.content or c.children] == ["text", "strong"]


def test_line_blocks_render_as_pandoc_writes_them() -> None:
    assert MD.render("| a\n|  *b*\n|\n") == (
        f'<div class="line-block">a<br />\n{NBSP}<em>b</em><br />\n</div>\n')


# --------------------------------------------------------------------------- the reader


def test_the_guidepress_parser_uses_both_rules() -> None:
    tokens = make_parser().parse("(c) x\n\n| y\n")
    assert [t.type for t in tokens if t.nesting == 1] == [
        "ordered_list_open", "list_item_open", "paragraph_open", "line_block_open",
        "line_block_line_open"]


def test_a_task_list_keeps_its_delimiter_class() -> None:
    # The tasklists plugin replaces the list's class; a last core rule puts ours back.
    [opener] = [t for t in make_parser().parse("a) [ ] task\n") if t.type == "ordered_list_open"]
    assert opener.attrs == {"type": "a", "class": "contains-task-list delim-paren"}


def test_parse_body_gives_model_nodes_with_file_lines() -> None:
    blocks, _, _ = parse_body("(c) three\n(d) four\n\n| one\n|   two\n  more\n|\n", 10)
    listing, block = blocks
    assert (listing.type, listing.attrs, listing.line) == (
        "ordered_list", {"start": "3", "type": "a", "class": "delim-parens"}, 10)
    assert [(item.line, item.plain_text()) for item in listing.children] == [
        (10, "three"), (11, "four")]
    assert (block.type, block.line) == ("line_block", 13)
    assert [(n.type, n.line, n.text) for n in block.children] == [
        ("text", 13, "one"), ("hardbreak", 14, ""), ("text", 14, NBSP * 2 + "two more"),
        ("hardbreak", 16, "")]


# --------------------------------------------------------------------------- hostile input


def seconds(parse: Callable[[str], list[Token]], text: str) -> float:
    start = time.perf_counter()
    parse(text)
    return time.perf_counter() - start


@pytest.mark.parametrize("text", [
    "(" * 100_000, "|" * 100_000, "i" * 100_000 + ". x", "1" * 100_000 + ". x",
    "(@" + "x" * 100_000 + ") x", "a. " * 30_000, "(a) " * 30_000, "| " * 50_000,
])
def test_one_hostile_line_parses_at_once(text: str) -> None:
    assert seconds(MD.parse, text + "\n") < 1.0


@pytest.mark.parametrize(("text", "baseline"), [
    ("a.\n", "1.\n"),  # 100 000 empty items; markdown-it's own rule on its own markers
    ("|\n", "x\n"),  # 100 000 empty lines of one line block; one paragraph's lines
])
def test_many_hostile_lines_parse_as_fast_as_commonmark(
        text: str, baseline: str) -> None:
    # markdown-it-py itself needs seconds for 100 000 lines on a busy machine, so the bound
    # is relative: no slower than markdown-it on CommonMark of the same shape, with room.
    ours = min(seconds(MD.parse, text * 20_000) for _ in range(2))
    theirs = min(seconds(PLAIN.parse, baseline * 20_000) for _ in range(2))
    assert ours < 3 * theirs + 0.5


@pytest.mark.parametrize("text", ["a.\n", "a. x\n", "(i) x\n", "|\n", "| x\n", "| x\n y\n",
                                  "a. x\n(a) y\n"])
def test_hostile_lines_take_linear_time(text: str) -> None:
    # Four times the lines must not take sixteen times as long (a quadratic loop would);
    # best of three, with room for a busy machine.
    small = min(seconds(MD.parse, text * 2_000) for _ in range(3))
    large = min(seconds(MD.parse, text * 8_000) for _ in range(3))
    assert large < 8 * small + 0.25
