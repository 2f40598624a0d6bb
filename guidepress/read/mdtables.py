"""Block rules for pandoc's grid, simple and multiline tables, for markdown-it-py.

``tables_plugin`` adds three rules. Each emits the token stream markdown-it's own GFM
``table`` rule emits, so whatever reads pipe tables reads these too::

    table_open (map; meta below)
      thead_open (map) tr_open (map)
        th_open (map, attrs style="text-align:left|right|center" when aligned)
          inline (content, map, children=[])
        th_close …
      tr_close thead_close              (absent when the table has no header)
      tbody_open (map) tr_open td_open … (absent when it has no body rows)
    table_close

Cell text is the cell's lines, stripped, joined by newlines (softbreaks inline).

Grid tables (pandoc's ``grid_tables``): ``+---+`` borders, ``|`` between cells, an
optional ``+===+`` line under the header rows, alignment from colons on that line (or on
the top border when there is no header), a table foot enclosed in ``+===+`` lines at the
bottom. A cell holding block content (a blank line inside it, or a first line that is a
list item, heading, quote, code fence or indented code) is kept as one line of inline text
and its open token gets ``meta["blocks"] = True`` so the caller can warn. Cells spanning
rows or columns are not supported: the table still comes out, best effort, with
``meta["error"]`` on ``table_open`` saying why. Foot rows go last in the body, and
``meta["foot_rows"]`` counts them (GFM's token stream has no ``tfoot``).

Simple and multiline tables (``simple_tables``, ``multiline_tables``) follow the pandoc
MANUAL and its reader: columns are the runs of dashes in the dashed line, each column
reaching to where the next one starts; alignment comes from where the header text (or,
headerless, the first row) sits against the dashes; text left of the first column is
dropped, as pandoc drops it. As in pandoc, none of these tables interrupts a paragraph or
a block quote's lazy lines; they do end a link reference definition.

Limits that keep hostile input linear: a table of more than ``MAX_CELLS`` cells is not
read as one, and every forward scan for the end of a table is remembered, so a document
of ten thousand dashed lines is scanned once, not once per line.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

# As markdown-it's own table rule (MAX_AUTOCOMPLETED_CELLS): beyond this many cells the
# token stream, not the input, would be what grows.
MAX_CELLS = 0x10000
TAB_STOP = 4

# A run of dashes, then more runs each after at least one space: one way to match any
# line, so a failing match cannot backtrack its way into quadratic time.
DASH_LINE = re.compile(r"-+(?: +-+)* *")
DASH_RUN = re.compile(r"-+ *")
GRID_TOP = re.compile(r"\+(?::?-+:?\+)+")
GRID_RULE = re.compile(r"\+(?::?(?:-+|=+):?\+)+")
PARTIAL_RULE = re.compile(r"\+[-=:]{3,}\+|[-=]{3,}\+$")
# What makes a grid cell hold blocks in pandoc when it starts its first line.
BLOCK_START = re.compile(r"(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]|$)|#{1,6}(?:[ \t]|$)|>|```|~~~")
# Lines that pandoc reads as something else before it tries a table there.
NOT_A_HEADER = re.compile(r"[-*+](?:[ \t]|$)|#{1,6}(?:[ \t]|$)|```|~~~|:::")


@dataclass
class Cell:
    text: str
    first: int  # source lines [first, end), markdown-it's 0-based numbering
    end: int
    blocks: bool = False
    source: str = ""  # for a cell of blocks: its lines as written, for a block parse


@dataclass
class Table:
    head: list[list[Cell]]
    body: list[list[Cell]]
    aligns: list[str]  # "left", "right", "center" or "" (default) per column
    start: int
    end: int
    meta: dict[str, object] = field(default_factory=dict)

    def cells(self) -> int:
        return (len(self.head) + len(self.body)) * max(1, len(self.aligns))


# ------------------------------------------------------------------ source lines


def text_of(state: StateBlock, line: int) -> str:
    """The line as columns from the container's left margin, tabs expanded."""
    start = state.bMarks[line] + state.tShift[line]
    indent = max(0, state.sCount[line] - state.blkIndent)
    return (" " * indent + state.src[start:state.eMarks[line]]).expandtabs(TAB_STOP).rstrip()


def blank(state: StateBlock, line: int) -> bool:
    return line >= state.lineMax or state.isEmpty(line)


def outside(state: StateBlock, line: int) -> bool:
    """A line less indented than the container (a list item) is not part of the table."""
    return not blank(state, line) and state.sCount[line] < state.blkIndent


def indented_code(state: StateBlock, line: int) -> bool:
    return state.sCount[line] - state.blkIndent >= 4


def dash_runs(state: StateBlock, line: int) -> list[tuple[int, int]] | None:
    """(start column, number of dashes) of each run on a dashed line; None otherwise.
    Up to three spaces may come first, as before any block."""
    if line >= state.lineMax or blank(state, line) or outside(state, line):
        return None
    if indented_code(state, line):
        return None
    text = text_of(state, line)
    indent = len(text) - len(text.lstrip(" "))
    if not DASH_LINE.fullmatch(text, indent):
        return None
    return [(m.start(), len(m.group().rstrip())) for m in DASH_RUN.finditer(text, indent)]


def is_footer(state: StateBlock, line: int) -> bool:
    """A dashed line followed by a blank line or the end: where these tables end."""
    return dash_runs(state, line) is not None and blank(state, line + 1)


# Forward scans, remembered per parser state: (kind, lineMax, blkIndent, last line's
# start) → (scanned from, first line found or None). The key changes when a block quote
# or list item parses its own lines, whose text differs from the outer view.
_SCANS: weakref.WeakKeyDictionary[StateBlock, dict[tuple, tuple[int, int | None]]]
_SCANS = weakref.WeakKeyDictionary()


def scan(state: StateBlock, start: int, kind: str,
         found: Callable[[StateBlock, int], bool]) -> int | None:
    """The first line at or after ``start`` for which ``found`` holds; None if none."""
    last = state.bMarks[state.lineMax - 1] if state.lineMax else 0
    key = (kind, state.lineMax, state.blkIndent, last)
    memo = _SCANS.setdefault(state, {})
    if key in memo:
        since, hit = memo[key]
        if since <= start and (hit is None or hit >= start):
            return hit
    hit = next((n for n in range(start, state.lineMax) if found(state, n)), None)
    memo[key] = (start, hit)
    return hit


def simple_stop(state: StateBlock, line: int) -> bool:
    return blank(state, line) or outside(state, line) or is_footer(state, line)


def multiline_stop(state: StateBlock, line: int) -> bool:
    return outside(state, line) or is_footer(state, line)


def dashed_or_out(state: StateBlock, line: int) -> bool:
    return outside(state, line) or dash_runs(state, line) is not None


# ------------------------------------------------------------------ simple / multiline


def split(text: str, starts: list[int]) -> list[str]:
    """The text under each column: from its start to the next column's start."""
    ends = [*starts[1:], max(len(text), starts[-1])]
    return [text[a:b] for a, b in zip(starts, ends, strict=True)]


def alignment(chunks: list[str], dashes: int) -> str:
    """pandoc's rule, on the shortest non-empty header line of a column: text flush with
    the dashes' left end and short of their right end is left-aligned, and so on."""
    lines = [c.rstrip() for c in chunks if c.strip()]
    if not lines:
        return ""
    shortest = min(lines, key=len)
    left_space, right_space = shortest[0] == " ", len(shortest) < dashes
    return {(True, False): "right", (False, True): "left", (True, True): "center"}.get(
        (left_space, right_space), "")


def one_line_row(state: StateBlock, line: int, starts: list[int]) -> list[Cell]:
    return [Cell(chunk.strip(), line, line + 1) for chunk in split(text_of(state, line), starts)]


def multiline_row(state: StateBlock, first: int, end: int, starts: list[int]) -> list[Cell]:
    """One row of a multiline table: the column's chunk of each line, newline-joined."""
    columns = zip(*(split(text_of(state, n), starts) for n in range(first, end)), strict=True)
    return [multiline_cell([c.strip() for c in chunks], first) for chunks in columns]


def multiline_cell(lines: list[str], first: int) -> Cell:
    nonblank = [n for n, text in enumerate(lines) if text]
    if not nonblank:
        return Cell("", first, first + len(lines))
    top, bottom = nonblank[0], nonblank[-1] + 1
    kept = lines[top:bottom]
    # pandoc reads each cell as plain paragraphs: a blank line makes two of them
    blocks = "" in kept
    text = " ".join(t for t in kept if t) if blocks else "\n".join(kept)
    return Cell(text, first + top, first + bottom, blocks, "\n".join(kept) if blocks else "")


def drop_empty_header(head: list[list[Cell]]) -> list[list[Cell]]:
    """pandoc leaves out a header row whose cells are all empty."""
    return [] if len(head) == 1 and not any(c.text for c in head[0]) else head


def columns_at(runs: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    return [start for start, _ in runs], [dashes for _, dashes in runs]


def simple_table(state: StateBlock, start: int, headless: bool) -> Table | None:
    """Header line (unless headless), dashed line, one line per row, then a blank line
    (or the end) or a dashed line and a blank line; headless tables need the latter."""
    rule = start if headless else start + 1
    # The header line may be indented any amount: pandoc tries tables before code.
    if not headless and (blank(state, start) or outside(state, start)
                         or NOT_A_HEADER.match(text_of(state, start).lstrip())):
        return None
    runs = dash_runs(state, rule)
    # A header over a single run of dashes is a setext heading, for pandoc too.
    if runs is None or (not headless and len(runs) == 1):
        return None
    stop = scan(state, rule + 1, "simple", simple_stop)
    stop = state.lineMax if stop is None else stop
    footer = stop < state.lineMax and is_footer(state, stop)
    if stop == rule + 1 or (headless and not footer):
        return None  # no rows
    if (stop - rule) * len(runs) > MAX_CELLS:
        return None
    starts, dashes = columns_at(runs)
    first_row = text_of(state, rule + 1 if headless else start)
    aligns = [alignment([c], d) for c, d in zip(split(first_row, starts), dashes, strict=True)]
    head = [] if headless else drop_empty_header([one_line_row(state, start, starts)])
    body = [one_line_row(state, n, starts) for n in range(rule + 1, stop)]
    return Table(head, body, aligns, start, stop + 1 if footer else stop)


def multiline_table(state: StateBlock, start: int, headless: bool) -> Table | None:
    """Dashed line, header lines, dashed line of columns (just the latter when headless),
    rows separated by blank lines, then a dashed line and a blank line."""
    if dash_runs(state, start) is None or blank(state, start + 1):
        return None
    rule = start
    if not headless:
        found = scan(state, start + 1, "dashed", dashed_or_out)
        if found is None or outside(state, found) or found == start + 1:
            return None
        rule = found
    runs = dash_runs(state, rule)
    if runs is None or blank(state, rule + 1) or is_footer(state, rule + 1):
        return None
    footer = scan(state, rule + 1, "multiline", multiline_stop)
    if footer is None or outside(state, footer) or (footer - start) * len(runs) > MAX_CELLS:
        return None
    starts, dashes = columns_at(runs)
    header = [text_of(state, n) for n in range(start + 1, rule)] or [text_of(state, rule + 1)]
    chunks = list(zip(*(split(text, starts) for text in header), strict=True))
    aligns = [alignment(list(c), d) for c, d in zip(chunks, dashes, strict=True)]
    head = [] if headless else drop_empty_header([multiline_row(state, start + 1, rule, starts)])
    body = [multiline_row(state, a, b, starts) for a, b in paragraphs(state, rule + 1, footer)]
    return Table(head, body, aligns, start, footer + 1)


def paragraphs(state: StateBlock, first: int, end: int) -> list[tuple[int, int]]:
    """The runs of non-blank lines in [first, end)."""
    runs: list[tuple[int, int]] = []
    line = first
    while line < end:
        if blank(state, line):
            line += 1
            continue
        top = line
        while line < end and not blank(state, line):
            line += 1
        runs.append((top, line))
    return runs


def dashed_table(state: StateBlock, start: int) -> Table | None:
    """pandoc's order: multiline with header, simple headless, simple with header,
    multiline headless."""
    if dash_runs(state, start) is None:
        return simple_table(state, start, headless=False)
    return (multiline_table(state, start, headless=False)
            or simple_table(state, start, headless=True)
            or simple_table(state, start, headless=False)
            or multiline_table(state, start, headless=True))


# ------------------------------------------------------------------ grid tables


@dataclass
class Grid:
    """A grid table's lines (after the common indent), its column edges and findings."""

    lines: list[str]
    first: int  # source line of lines[0]
    edges: list[int]  # columns of the top border's "+"
    errors: list[str] = field(default_factory=list)

    def error(self, index: int, what: str) -> None:
        if not self.errors:
            self.errors.append(f"{what} (line {index + 1} of the table)")


SPAN_COLUMNS = ("a cell of this grid table spans two or more columns, which is not supported:"
                " give every row a | under each + of the top border")
SPAN_ROWS = ("a cell of this grid table spans two or more rows, which is not supported:"
             " close every cell with a full +---+ line")
BAD_RULE = ("a line of this grid table starts like a border but is not one: a border is +"
            " and runs of - or = between them, with colons only at their ends")
RAGGED = ("this grid table's lines do not line up with its top border: each line must end"
          " under its last +")


def grid_lines(state: StateBlock, start: int) -> Grid | None:
    """The lines of a grid table at ``start``: a top border, then lines at the same
    indent that start with | or +, the last of them a border."""
    if indented_code(state, start):
        return None
    top = text_of(state, start).lstrip(" ")
    if not GRID_TOP.fullmatch(top):
        return None
    lines, line = [top], start + 1
    while (line < state.lineMax and not blank(state, line)
           and state.sCount[line] == state.sCount[start]):
        text = text_of(state, line).lstrip(" ")
        if not text.startswith(("+", "|")):
            break
        lines.append(text)
        line += 1
    while len(lines) > 1 and not lines[-1].startswith("+"):
        lines.pop()  # pandoc ends the table at its last border
    if len(lines) < 3:
        return None
    edges = [n for n, char in enumerate(top) if char == "+"]
    return Grid(lines, start, edges)


def rule_kind(grid: Grid, index: int) -> str:
    """For a line starting with "+": "-" or "=" for a full border, "" for a partial one
    (a cell running on below it), and records what does not match the top border."""
    text = grid.lines[index]
    if not GRID_RULE.fullmatch(text):
        grid.error(index, SPAN_ROWS if "|" in text else BAD_RULE)
        return ""
    if [n for n, char in enumerate(text) if char == "+"] != grid.edges:
        grid.error(index, SPAN_COLUMNS if len(text) == len(grid.lines[0]) else RAGGED)
    return "=" if "=" in text else "-"


def check_content(grid: Grid, index: int) -> None:
    text = grid.lines[index]
    if PARTIAL_RULE.search(text):  # a border beside a cell that runs on past it
        grid.error(index, SPAN_ROWS)
        return
    if len(text) != len(grid.lines[0]) or not text.endswith("|"):
        grid.error(index, RAGGED)
        return
    for edge in grid.edges[1:-1]:
        if text[edge] == "+":
            grid.error(index, SPAN_ROWS)
        elif text[edge] != "|":
            grid.error(index, SPAN_COLUMNS)


def grid_aligns(text: str, edges: list[int]) -> list[str]:
    """Colons at the ends of each column's run on a border line."""
    aligns = []
    for a, b in pairwise(edges):
        part = text[a + 1:b] if b <= len(text) else ""
        left, right = part.startswith(":"), part.endswith(":") and len(part) > 1
        aligns.append({(True, False): "left", (False, True): "right",
                       (True, True): "center"}.get((left, right), ""))
    return aligns


def grid_cell(lines: list[str], first: int) -> Cell:
    """A grid cell from its lines: pandoc removes one leading space when every line has
    one, then reads blocks; a paragraph alone becomes inline text."""
    lines = [t.rstrip() for t in lines]
    if all(t.startswith(" ") or not t for t in lines):
        lines = [t[1:] for t in lines]
    nonblank = [n for n, t in enumerate(lines) if t]
    if not nonblank:
        return Cell("", first, first + len(lines))
    top, bottom = nonblank[0], nonblank[-1] + 1
    kept = lines[top:bottom]
    opening = kept[0]
    blocks = ("" in kept or len(opening) - len(opening.lstrip(" ")) >= 4
              or bool(BLOCK_START.match(opening.lstrip(" "))))
    stripped = [t.strip() for t in kept]
    text = " ".join(t for t in stripped if t) if blocks else "\n".join(stripped)
    return Cell(text, first + top, first + bottom, blocks, dedent(kept) if blocks else "")


def dedent(lines: list[str]) -> str:
    """A cell's lines without the indent they share, so that a list or a fence in the cell
    reads as it would at the start of a line."""
    indent = min((len(t) - len(t.lstrip(" ")) for t in lines if t.strip()), default=0)
    return "\n".join(t[indent:] for t in lines)


def grid_row(grid: Grid, first: int, end: int) -> list[Cell]:
    edges = grid.edges
    cells = []
    for a, b in pairwise(edges):
        parts = [grid.lines[n][a + 1:b] for n in range(first, end)]
        cells.append(grid_cell(parts, grid.first + first))
    return cells


def grid_table(state: StateBlock, start: int) -> Table | None:
    grid = grid_lines(state, start)
    if grid is None:
        return None
    rows: list[tuple[int, int]] = []  # [first, end) line indexes into grid.lines
    rules: list[tuple[int, str]] = [(0, "-")]  # index of each full border, its kind
    top = 1
    for index in range(1, len(grid.lines)):
        if grid.lines[index].startswith("+"):
            kind = rule_kind(grid, index)
            if not kind:
                continue  # best effort: the spanning cell's rows run together
            if index > top:
                rows.append((top, index))
            rules.append((index, kind))
            top = index + 1
        else:
            check_content(grid, index)
    if not rows or len(rows) * len(grid.edges) > MAX_CELLS:
        return None
    return split_grid(grid, rows, rules, start)


def split_grid(grid: Grid, rows: list[tuple[int, int]], rules: list[tuple[int, str]],
               start: int) -> Table:
    """Head: the rows above the first "=" border. Foot: the rows between the last two "="
    borders when the bottom border is one."""
    cells = [grid_row(grid, a, b) for a, b in rows]
    equals = [index for index, kind in rules if kind == "="]
    head_end = equals[0] if equals else 0
    head_rows = sum(1 for a, _ in rows if a < head_end)
    foot_rows = 0
    if len(equals) >= 2 and equals[-1] == len(grid.lines) - 1:
        foot_rows = sum(1 for a, _ in rows if a > equals[-2])
    align_line = grid.lines[head_end] if head_rows else grid.lines[0]
    table = Table(drop_empty_header(cells[:head_rows]), cells[head_rows:],
                  grid_aligns(align_line, grid.edges), start, start + len(grid.lines))
    if foot_rows:
        table.meta["foot_rows"] = foot_rows
    if grid.errors:
        table.meta["error"] = grid.errors[0]
    return table


# ------------------------------------------------------------------ tokens and rules


def emit(state: StateBlock, table: Table) -> None:
    token = state.push("table_open", "table", 1)
    token.map = [table.start, table.end]
    token.meta.update(table.meta)
    for part, rows, kind in (("thead", table.head, "th"), ("tbody", table.body, "td")):
        if not rows:
            continue
        token = state.push(f"{part}_open", part, 1)
        token.map = [rows[0][0].first, rows[-1][-1].end]
        for row in rows:
            emit_row(state, row, kind, table.aligns)
        state.push(f"{part}_close", part, -1)
    state.push("table_close", "table", -1)
    state.line = table.end


def emit_row(state: StateBlock, row: list[Cell], kind: str, aligns: list[str]) -> None:
    token = state.push("tr_open", "tr", 1)
    token.map = [min(c.first for c in row), max(c.end for c in row)]
    for cell, align in zip(row, aligns, strict=True):
        token = state.push(f"{kind}_open", kind, 1)
        token.map = [cell.first, cell.end]
        if align:
            token.attrs = {"style": f"text-align:{align}"}
        if cell.blocks:
            token.meta["blocks"] = True
            token.meta["source"] = cell.source
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = cell.text, [cell.first, cell.end], []
        state.push(f"{kind}_close", kind, -1)
    state.push("tr_close", "tr", -1)


def make_rule(find: Callable[[StateBlock, int], Table | None]) -> Callable[..., bool]:
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if start >= end or start >= state.lineMax:
            return False
        table = find(state, start)
        if table is None or table.end > end or table.cells() > MAX_CELLS:
            return False
        if not silent:
            emit(state, table)
        return True
    return rule


def tables_plugin(md: MarkdownIt) -> None:
    """Grid tables before markdown-it's pipe tables, simple and multiline ones after them
    (pandoc tries pipe tables first). "reference" only: in pandoc a table interrupts
    neither a paragraph nor a block quote's lazy lines."""
    md.block.ruler.before("table", "grid_table", make_rule(grid_table),
                          {"alt": ["reference"]})
    md.block.ruler.after("table", "dashed_table", make_rule(dashed_table),
                         {"alt": ["reference"]})
