"""Block rules for pandoc's ordered-list extensions and line blocks, for markdown-it-py.

``fancy_lists_plugin`` — pandoc's ``fancy_lists``, ``startnum`` and ``example_lists``.
It takes over every ordered list (markdown-it's own "list" rule keeps bullet lists), so a
``1.`` list and a ``c)`` list follow one algorithm, and ``#.`` can continue either. The
item loop behaves like markdown-it's: nesting, lazy lines, tight/loose, blank lines.

Tokens, as markdown-it's own ordered lists::

    ordered_list_open  (tag "ol", map, attrs below, meta {"style", "delim"})
      list_item_open   (tag "li", map, info = the marker as written: "iv", "#", "@good")
        paragraph_open (hidden when the list is tight) / inline / paragraph_close …
      list_item_close
    ordered_list_close

``ordered_list_open`` attrs: ``start`` (int, only when not 1), ``type`` ("a", "A", "i",
"I"; absent for decimal, ``#`` and example lists), ``class`` ("delim-paren" for ``1)``,
"delim-parens" for ``(1)``, absent for ``1.``; example lists add "example"). meta
"style" is one of decimal, default (``#``), example, lower-alpha, upper-alpha,
lower-roman, upper-roman; "delim" is period, paren or parens. An example item's meta
holds its document-wide "example" number and its "label" ("" when unlabelled); labels and
the next number live in ``env["example_lists"]``.

Which lists may interrupt a paragraph: at top level only ``1.``/``1)``, as CommonMark
says (and guidepress.markdown.blank_line_before then stops even those outside list
items, as pandoc does, with a warning). Inside a list item a sublist whose first marker
means 1 (``a.``, ``(i)``, ``#.``) may too, as pandoc's manual says ("ordered sublists
must start with 1 or the equivalent"), so its "11) Eleventh / i. subone" example nests.

``line_blocks_plugin`` — pandoc's ``line_blocks``. Tokens::

    line_block_open        (tag "div", attrs class="line-block", map)
      line_block_line_open (tag "span", map: the source lines of this line)
        inline             (content: one line; continuation lines joined with a space)
      line_block_line_close
      …                    one line_block_line per line, an empty one for a lone "|"
    line_block_close

One inline token per line, so, as in pandoc, emphasis cannot run across a line break and
each line keeps its own line number. In a SyntaxTreeNode tree that is ``line_block`` →
``line_block_line`` nodes → each one ``inline`` child, like a paragraph. Spaces after
``| `` are kept as no-break spaces (U+00A0), which HTML does not collapse. The plugin
also adds render rules so ``md.render`` writes pandoc's HTML (lines joined by ``<br />``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

# A marker is at most "(" + number + delimiter. Reading a bounded slice of the line keeps a
# line of 100 000 "(" or letters linear. Roman numerals past 20 letters and example
# labels past 60 characters are not list markers (pandoc has no limit; no book needs one).
MARKER_SLICE = 72
MARKER = re.compile(
    r"(?P<open>\()?"
    r"(?P<number>[0-9]{1,9}(?![0-9])|#|@(?P<label>(?:[^\W_]|[-_](?=[^\W_])){0,60})"
    r"|[A-Za-z]{1,20}(?![A-Za-z]))"
    r"(?P<delim>[.)])"
)
# pandoc reads a roman numeral as these parts in this order, each (letters, value, may
# repeat): any number of "m", an optional "cm", an optional "d", … — a greedy grammar,
# not a validity check, so "iiii" is 4 and "mmmm" 4000.
ROMAN_PARTS = (("m", 1000, True), ("cm", 900, False), ("d", 500, False), ("cd", 400, False),
               ("c", 100, True), ("xc", 90, False), ("l", 50, False), ("xl", 40, False),
               ("x", 10, True), ("ix", 9, False), ("v", 5, False), ("iv", 4, False),
               ("i", 1, True))
# An upper-case letter with a period could be an initial ("B. Russell"): pandoc wants two
# spaces after it. For upper roman it checks the values a single letter can have.
SINGLE_ROMAN_VALUES = frozenset({1, 5, 10, 50, 100, 500, 1000})
TYPE_ATTR = {"lower-alpha": "a", "upper-alpha": "A", "lower-roman": "i", "upper-roman": "I"}
DELIM_CLASS = {"paren": "delim-paren", "parens": "delim-parens"}
DELIM_MARKUP = {"period": ".", "paren": ")", "parens": "()"}
NBSP = "\u00a0"


@dataclass(frozen=True, slots=True)
class Marker:
    style: str  # decimal, default, example, lower-alpha, upper-alpha, lower-roman, …
    delim: str  # period, paren, parens
    value: int  # 1 for "#" and for example markers (numbered when emitted)
    text: str  # the number part as written: "12", "iv", "#", "@good"
    end: int  # position in state.src just after the marker
    label: str = ""  # example label, without "@"


# --------------------------------------------------------------------------- markers


def roman_value(word: str) -> int | None:
    """The value of a roman numeral in one case, read as pandoc reads it; None if it is
    not one (letters left over, or mixed case)."""
    if not (word.islower() or word.isupper()):
        return None
    word, pos, total = word.lower(), 0, 0
    for part, value, repeats in ROMAN_PARTS:
        while word.startswith(part, pos):
            total += value
            pos += len(part)
            if not repeats:
                break
    return total if pos == len(word) and total else None


def letter_styles(word: str, expect: str | None) -> tuple[str, int] | None:
    """(style, value) of a letter marker. A new list tries pandoc's order — "i"/"I" is
    roman one, another single letter alpha, longer words roman — a continued list reads
    the word only in its own style, so "i." goes on an alpha list as 9."""
    case = "upper" if word.isupper() else "lower"
    alpha, roman = f"{case}-alpha", f"{case}-roman"
    if expect == alpha or (expect is None and len(word) == 1 and word not in "iI"):
        return (alpha, ord(word.lower()) - ord("a") + 1) if len(word) == 1 else None
    if expect not in (None, roman):
        return None
    value = roman_value(word)
    return (roman, value) if value else None


def number_style(match: re.Match[str], expect: str | None) -> tuple[str, int] | None:
    """(style, value) of the marker's number part, or None if it does not fit ``expect``
    (the style of the list being continued; "#" continues any list)."""
    number = match["number"]
    if number == "#":
        return expect or "default", 1
    if number.startswith("@"):
        return ("example", 1) if expect in (None, "example") else None
    if number.isdigit():
        return ("decimal", int(number)) if expect in (None, "decimal", "default") else None
    return letter_styles(number, expect)


def gap_after(src: str, pos: int, end: int) -> int:
    """Columns of blank after a marker, up to 2: enough for the initials rule."""
    if pos >= end or src[pos] == "\t":
        return 2
    if src[pos] != " ":
        return 0
    return 2 if pos + 1 >= end or src[pos + 1] in " \t" else 1


def read_marker(state: StateBlock, line: int,
                expect: tuple[str, str] | None = None) -> Marker | None:
    """The ordered-list marker that starts ``line``, or None. ``expect`` is the (style,
    delim) of the list it would continue; None to start a new list."""
    begin, end = state.bMarks[line] + state.tShift[line], state.eMarks[line]
    match = MARKER.match(state.src, begin, min(end, begin + MARKER_SLICE))
    if match is None or (match["open"] and match["delim"] != ")"):
        return None  # "(a." — an opening paren needs a closing one
    delim = "parens" if match["open"] else ("paren" if match["delim"] == ")" else "period")
    if expect is not None and delim != expect[1]:
        return None
    found = number_style(match, expect[0] if expect else None)
    if found is None:
        return None
    style, value = found
    after = match.end()
    gap = gap_after(state.src, after, end)
    if gap == 0:
        return None  # "a.b" — a marker is followed by a blank or the end of the line
    if delim == "period" and gap < 2 and could_be_initial(style, value):
        return None
    if match[0] == "p." and state.src[after + 1:after + 2].isdigit():
        return None  # "p. 5", a page reference (pandoc's exception)
    return Marker(style, delim, value, match["number"], after, match["label"] or "")


def could_be_initial(style: str, value: int) -> bool:
    return style == "upper-alpha" or (style == "upper-roman" and value in SINGLE_ROMAN_VALUES)


# --------------------------------------------------------------------------- lists


def may_interrupt(state: StateBlock, line: int, marker: Marker) -> bool:
    """Whether a list starting with ``marker`` may end the paragraph above it."""
    if state.skipSpaces(marker.end) >= state.eMarks[line]:
        return False  # an empty item never interrupts (CommonMark)
    if marker.style == "decimal" and marker.delim != "parens":
        return marker.value == 1  # CommonMark's own rule for "1." and "1)"
    nested = state.listIndent >= 0  # inside a list item
    return nested and marker.value == 1 and marker.style != "example"


def fancy_list(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: an ordered list of any pandoc marker style."""
    if state.is_code_block(start_line):
        return False
    # A line four or more columns right of an enclosing list's marker but left of its
    # content is that item's lazy text, not a new list (markdown-it does the same).
    if (state.listIndent >= 0 and state.sCount[start_line] - state.listIndent >= 4
            and state.sCount[start_line] < state.blkIndent):
        return False
    marker = read_marker(state, start_line)
    if marker is None:
        return False
    if silent:  # asked whether this line ends the block above it
        interrupting = (state.parentType == "paragraph"
                        and state.sCount[start_line] >= state.blkIndent)
        return not interrupting or may_interrupt(state, start_line, marker)
    emit_list(state, start_line, end_line, marker)
    return True


def emit_list(state: StateBlock, line: int, end_line: int, marker: Marker) -> None:
    list_index = len(state.tokens)
    opener = state.push("ordered_list_open", "ol", 1)
    opener.map = [line, line]
    opener.markup = DELIM_MARKUP[marker.delim]
    opener.meta = {"style": marker.style, "delim": marker.delim}
    terminators = state.md.block.ruler.getRules("list")
    old_parent, state.parentType = state.parentType, "list"
    expect = (marker.style, marker.delim)
    loose = previous_ended_blank = False
    first_number: int | None = None
    while True:
        line, item_loose, ended_blank, number = emit_item(state, line, end_line, marker)
        if first_number is None:
            first_number = number
        # A blank line between items makes the list loose; one after the last does not.
        loose = loose or item_loose or previous_ended_blank
        previous_ended_blank = ended_blank
        if not list_goes_on(state, line, end_line, terminators):
            break
        next_marker = read_marker(state, line, expect)
        if next_marker is None:
            break
        marker = next_marker
    closer = state.push("ordered_list_close", "ol", -1)
    closer.markup = opener.markup
    opener.map[1] = line
    state.line = line
    state.parentType = old_parent
    set_list_attrs(opener, expect, first_number if first_number is not None else 1)
    if not loose:
        hide_paragraphs(state.tokens, list_index)


def set_list_attrs(opener: Token, expect: tuple[str, str], start: int) -> None:
    style, delim = expect
    if start != 1:
        opener.attrSet("start", start)
    if style in TYPE_ATTR:
        opener.attrSet("type", TYPE_ATTR[style])
    if classes := list_classes(style, delim):
        opener.attrSet("class", " ".join(classes))


def list_classes(style: str, delim: str) -> list[str]:
    return (["example"] if style == "example" else []) + (
        [DELIM_CLASS[delim]] if delim in DELIM_CLASS else [])


def keep_list_classes(state: StateCore) -> None:
    """Core rule: put back a list's classes if a later rule replaced them (the tasklists
    plugin sets class="contains-task-list" with attrSet)."""
    for token in state.tokens:
        if token.type != "ordered_list_open" or "delim" not in token.meta:
            continue
        have = str(token.attrGet("class") or "").split()
        missing = [c for c in list_classes(token.meta["style"], token.meta["delim"])
                   if c not in have]
        if missing:
            token.attrSet("class", " ".join(have + missing))


def emit_item(state: StateBlock, line: int, end_line: int,
              marker: Marker) -> tuple[int, bool, bool, int]:
    """Parse one item; returns (next line, item loose?, ended with a blank line?, its
    number). State changed for the sub-parse is put back before returning."""
    content_start, column, indent = item_geometry(state, line, marker.end)
    number = example_number(state, marker) if marker.style == "example" else marker.value
    opener = state.push("list_item_open", "li", 1)
    opener.markup, opener.map, opener.info = DELIM_MARKUP[marker.delim], [line, line], marker.text
    if marker.style == "example":
        opener.meta = {"example": number, "label": marker.label}
    saved = (state.tight, state.tShift[line], state.sCount[line], state.listIndent,
             state.blkIndent)
    state.listIndent, state.blkIndent, state.tight = state.blkIndent, indent, True
    state.tShift[line] = content_start - state.bMarks[line]
    state.sCount[line] = column
    if content_start >= state.eMarks[line] and state.isEmpty(line + 1):
        # An item with nothing on its marker line and a blank line after it is empty:
        # what follows, even indented, is not its content.
        state.line = min(line + 2, end_line)
    else:
        state.md.block.tokenize(state, line, end_line)
    loose = not state.tight
    ended_blank = state.line - line > 1 and state.isEmpty(state.line - 1)
    (state.tight, state.tShift[line], state.sCount[line], state.listIndent,
     state.blkIndent) = saved
    state.push("list_item_close", "li", -1).markup = opener.markup
    opener.map[1] = state.line
    return state.line, loose, ended_blank, number


def item_geometry(state: StateBlock, line: int, after: int) -> tuple[int, int, int]:
    """(where the item's text starts in src, its column, the indent its content needs)."""
    initial = state.sCount[line] + after - (state.bMarks[line] + state.tShift[line])
    column, pos, end = initial, after, state.eMarks[line]
    while pos < end and state.src[pos] in " \t":
        if state.src[pos] == "\t":
            column += 4 - (column + state.bsCount[line]) % 4
        else:
            column += 1
        pos += 1
    gap = column - initial
    # Nothing after the marker, or five columns or more (the text is then an indented
    # code block): the content is indented one column past the marker.
    if pos >= end or gap > 4:
        gap = 1
    return pos, column, initial + gap


def example_number(state: StateBlock, marker: Marker) -> int:
    """Example items are numbered through the whole document; a label used again
    repeats its number."""
    examples = state.env.setdefault("example_lists", {"next": 1, "labels": {}})
    if marker.label in examples["labels"]:
        return int(examples["labels"][marker.label])
    number = int(examples["next"])
    examples["next"] = number + 1
    if marker.label:
        examples["labels"][marker.label] = number
    return number


def list_goes_on(state: StateBlock, line: int, end_line: int,
                 terminators: Sequence[Callable[..., bool]]) -> bool:
    """Whether ``line`` may hold the list's next item (its marker is checked after)."""
    if line >= end_line or state.sCount[line] < state.blkIndent:
        return False
    if state.is_code_block(line):
        return False
    return not any(rule(state, line, end_line, True) for rule in terminators)


def hide_paragraphs(tokens: list[Token], list_index: int) -> None:
    """A tight list's item paragraphs print without <p> (markdown-it's ``hidden``)."""
    level = tokens[list_index].level + 2  # list → item → paragraph
    for index in range(list_index + 1, len(tokens)):
        token = tokens[index]
        if token.level == level and token.type in ("paragraph_open", "paragraph_close"):
            token.hidden = True


def fancy_lists_plugin(md: MarkdownIt) -> None:
    """Ordered lists with pandoc's markers. Registered before markdown-it's "list" rule,
    which then sees only bullet lists; listed where "list" is so it ends paragraphs,
    references and block quotes the way "list" does. A last core rule keeps the list's
    classes when another plugin overwrites "class"."""
    md.block.ruler.before("list", "fancy_list", fancy_list,
                          {"alt": ["paragraph", "reference", "blockquote"]})
    md.core.ruler.push("fancy_list_classes", keep_list_classes)


# --------------------------------------------------------------------------- line blocks


def pipe_line_text(state: StateBlock, line: int) -> str | None:
    """The text of a line block line ("| text", or "|" alone for an empty line), or None.
    pandoc wants the bar at the block's own indentation, not indented."""
    begin, end = state.bMarks[line] + state.tShift[line], state.eMarks[line]
    if state.sCount[line] != state.blkIndent or state.src[begin:begin + 1] != "|":
        return None
    rest = state.src[begin + 1:end]
    if not rest.strip(" \t"):
        return ""
    if rest[0] not in " \t":
        return None  # "|text", or a table row like "|---|"
    body = rest.lstrip(" \t")
    return NBSP * (blank_columns(rest[:len(rest) - len(body)], state.sCount[line] + 1) - 1) \
        + body.rstrip(" \t")


def blank_columns(blank: str, column: int) -> int:
    """How many columns a run of spaces and tabs starting at ``column`` covers."""
    start = column
    for char in blank:
        column += 4 - column % 4 if char == "\t" else 1
    return column - start


def is_continuation(state: StateBlock, line: int) -> bool:
    """A line indented past the bar continues the line above (pandoc: "the continuation
    line must begin with a space")."""
    return not state.isEmpty(line) and state.sCount[line] > state.blkIndent


def line_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: pandoc's line block."""
    if pipe_line_text(state, start_line) is None:
        return False
    if silent:
        return True
    opener = state.push("line_block_open", "div", 1)
    opener.attrs, opener.markup = {"class": "line-block"}, "|"
    line = start_line
    while line < end_line and (text := pipe_line_text(state, line)) is not None:
        last = line + 1
        parts = [text]
        while last < end_line and is_continuation(state, last):
            begin = state.bMarks[last] + state.tShift[last]
            parts.append(state.src[begin:state.eMarks[last]].strip(" \t"))
            last += 1
        emit_line(state, " ".join(parts), [line, last])
        line = last
    state.push("line_block_close", "div", -1).markup = "|"
    opener.map = [start_line, line]
    state.line = line
    return True


def emit_line(state: StateBlock, text: str, lines: list[int]) -> None:
    opener = state.push("line_block_line_open", "span", 1)
    opener.map = lines
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = text, list(lines), []
    state.push("line_block_line_close", "span", -1)


def render_block_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                      options: OptionsDict, env: EnvType) -> str:
    # pandoc writes the first line right after the <div>, not on a line of its own.
    return self.renderToken(tokens, idx, options, env).rstrip("\n")


def render_line_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                     options: OptionsDict, env: EnvType) -> str:
    return ""


def render_line_close(self: RendererHTML, tokens: Sequence[Token], idx: int,
                      options: OptionsDict, env: EnvType) -> str:
    following = tokens[idx + 1] if idx + 1 < len(tokens) else None
    return "<br />\n" if following is not None and following.type == "line_block_line_open" \
        else ""


def line_blocks_plugin(md: MarkdownIt) -> None:
    """pandoc line blocks. After "table", so "| a | b |" over "|---|" stays a table; not
    listed as ending paragraphs, since in pandoc a "| " line does not end one."""
    md.block.ruler.after("table", "line_block", line_block)
    md.add_render_rule("line_block_open", render_block_open)
    md.add_render_rule("line_block_line_open", render_line_open)
    md.add_render_rule("line_block_line_close", render_line_close)
