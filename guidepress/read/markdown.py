"""Markdown → document-model nodes, with markdown-it-py and its plugins.

The syntax is pandoc's Markdown, as far as patient material uses it (README, "What you can
write"): CommonMark plus pipe tables, footnotes (inline ones too), definition lists, task
lists, strikeout, super- and subscript, smart punctuation, heading, image and span
attributes ``{#id .class key=value}`` and fenced divs ``::: {.class}``. Raw HTML is parsed
only to be refused (the reader reports it with its line); HTML comments are kept as
"comment" nodes, which no writer prints.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination, parseLinkLabel
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from ..model import Node
from .mdblocks import fancy_lists_plugin, line_blocks_plugin
from .mdtables import tables_plugin

TRAILING_ATTRS = re.compile(r"\s*(\{[^{}]*\})\s*$")


# pandoc takes any run of non-space characters as an unquoted value (width=50%); the attrs
# plugin's parser takes only letters, digits and a few marks, so such values are quoted first.
BARE_VALUE = re.compile(r"""(?<=[\s{])([A-Za-z_][\w.:-]*)=([^\s"'{}]+)""")


UNNUMBERED = re.compile(r"(?<=[\s{])-(?=[\s}])")


def attributes(text: str) -> dict[str, str]:
    """Parse pandoc attributes like ``{#id .a .b key=value}``; {} when not valid."""
    text = text.strip()
    if not text.startswith("{"):
        return {"class": text} if text else {}
    found = attribute_block(text)
    return found[1] if found else {}


def attribute_block(text: str) -> tuple[int, dict[str, str]] | None:
    """(length, attributes) of the ``{…}`` that ``text`` starts with; None if there is none."""
    end = text.find("}")
    if not text.startswith("{") or end < 0:
        return None
    quoted = BARE_VALUE.sub(lambda m: f'{m[1]}="{m[2]}"', text[: end + 1])
    quoted = UNNUMBERED.sub(" .unnumbered", quoted)  # pandoc's shorthand: {-}
    try:
        _, found = parse_attrs(quoted)
    except ParseError:
        return None
    return end + 1, {key: str(value) for key, value in found.items()}


def image_attributes(state: StateCore) -> None:
    """Core rule: read ``{width=50%}`` after an image, which the attrs plugin leaves as text
    because of the bare '%', and set the attributes on the image as pandoc does."""
    for token in state.tokens:
        children = token.children or []
        for index, child in enumerate(children[:-1]):
            after = children[index + 1]
            if child.type != "image" or after.type != "text" or not after.content.startswith("{"):
                continue
            if (found := attribute_block(after.content)) is not None:
                length, attrs = found
                for key, value in attrs.items():
                    child.attrSet(key, value)
                after.content = after.content[length:]


# pandoc's `smart` extension: "---" an em dash, "--" an en dash, "..." an ellipsis (not
# markdown-it's "replacements", which would also turn a list label "(c)" into "©").
DASHES = ((re.compile(r"(?<!-)---(?!-)"), "\u2014"), (re.compile(r"(?<!-)--(?!-)"), "\u2013"),
          (re.compile(r"\.\.\."), "\u2026"))


def smart_dashes(state: StateCore) -> None:
    """Core rule: dashes and ellipses in text, never in code."""
    for token in state.tokens:
        for child in token.children or []:
            if child.type == "text" and ("--" in child.content or "..." in child.content):
                for pattern, char in DASHES:
                    child.content = pattern.sub(char, child.content)


def heading_attributes(state: StateCore) -> None:
    """Core rule: move a trailing ``{#id .class}`` from a heading's text onto the heading."""
    tokens = state.tokens
    for index, token in enumerate(tokens[:-1]):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        match = TRAILING_ATTRS.search(inline.content)
        if match and (found := attributes(match.group(1))):
            inline.content = inline.content[: match.start()]
            for key, value in found.items():
                token.attrSet(key, value)


# After a link's address: a title in double quotes that itself holds double quotes, up to
# the last quote before ")"; pandoc reads "a "b" c" as one title, CommonMark as no link.
QUOTED_TITLE = re.compile(r'[ \t]+"([^\n]*?"[^\n]*?)"[ \t]*\)')


def quoted_title_link(state: StateInline, silent: bool) -> bool:
    """Inline rule before markdown-it's "link": ``[text](url "a "b" c")`` as pandoc reads
    it. Every other link is left to the usual rule."""
    src, start = state.src, state.pos
    if src[start] != "[" or '"' not in src[start : start + 4000]:
        return False
    label_end = parseLinkLabel(state, start, True)
    if label_end < 0 or src[label_end + 1 : label_end + 2] != "(":
        return False
    found = parseLinkDestination(src, label_end + 2, state.posMax)
    title = QUOTED_TITLE.match(src, found.pos) if found.ok else None
    if title is None or title.end() > state.posMax:
        return False
    if not silent:
        old_max = state.posMax
        state.pos, state.posMax = start + 1, label_end
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": state.md.normalizeLink(found.str), "title": title[1]}
        state.linkLevel += 1
        state.md.inline.tokenize(state)
        state.linkLevel -= 1
        state.push("link_close", "a", -1)
        state.posMax = old_max
    state.pos = title.end()
    return True


def wrap_rule(ruler, name: str, wrap) -> None:
    """Replace rule ``name`` of a markdown-it ruler by ``wrap(original)``, keeping where it
    runs and which rules it may end."""
    rule = next(r for r in ruler.__rules__ if r.name == name)
    ruler.at(name, wrap(rule.fn), {"alt": rule.alt})


def no_comment_attributes(md: MarkdownIt) -> None:
    """The attrs plugin reads ``{% … %}`` as a comment (djot's syntax), and so would drop
    text such as a template's "{% endraw %}"; pandoc has no such comments and shows it."""
    def guarded(brace_at):
        def wrap(rule):
            def wrapped(state: StateInline, silent: bool) -> bool:
                at = brace_at(state)
                if at >= 0 and state.src.startswith("{%", at):
                    return False
                return rule(state, silent)
            return wrapped
        return wrap

    def after_label(state: StateInline) -> int:
        if state.src[state.pos] != "[":
            return -1
        end = parseLinkLabel(state, state.pos, True)
        return end + 1 if end >= 0 else -1

    wrap_rule(md.inline.ruler, "attr", guarded(lambda state: state.pos))
    wrap_rule(md.inline.ruler, "span", guarded(after_label))


def blank_line_before(md: MarkdownIt, name: str) -> None:
    """pandoc's rule for block rule ``name`` (a list, a block quote): it cannot interrupt a
    paragraph outside a list item, so "Do this:\\n- rest" is one paragraph, as pandoc reads
    it. CommonMark would start a list; the line is noted (env["run_on"]) so that the reader
    can say why no list came out."""
    def wrap(original):
        def wrapped(state, start: int, end: int, silent: bool) -> bool:
            # parentType is "paragraph" only while a paragraph asks whether this line ends
            # it; blkIndent > 0 inside list items, where pandoc lets a sublist follow text.
            if silent and state.parentType == "paragraph" and state.blkIndent == 0:
                if original(state, start, end, True):
                    state.env.setdefault("run_on", []).append((start, name))
                return False
            return original(state, start, end, silent)
        return wrapped

    wrap_rule(md.block.ruler, name, wrap)


def make_parser() -> MarkdownIt:
    # Curly quotes and apostrophes, as pandoc's `smart` extension makes them. (Not
    # markdown-it's "replacements", which would turn a list label "(c)" into "©".)
    md = MarkdownIt("commonmark", {"html": True, "typographer": True})
    md.enable(["table", "smartquotes", "strikethrough"])
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(tasklists_plugin)
    md.use(fancy_lists_plugin)
    md.use(line_blocks_plugin)
    md.use(tables_plugin)
    md.use(sub_plugin)
    md.use(superscript_plugin)
    # Attributes after images, code, links and [spans]{…}; only the keys a writer uses, so
    # that {href=…} or {onclick=…} can never reach an output.
    md.use(attrs_plugin, after=("image", "code_inline", "link_close", "span_close"),
           spans=True, allowed=("id", "class", "width", "height", "alt", "lang"))
    no_comment_attributes(md)
    md.use(container_plugin, name="div", validate=lambda params, markup: True)
    md.inline.ruler.before("link", "quoted_title_link", quoted_title_link)
    for name in ("list", "fancy_list", "blockquote"):
        blank_line_before(md, name)
    md.core.ruler.before("inline", "heading_attributes", heading_attributes)
    md.core.ruler.after("inline", "image_attributes", image_attributes)
    md.core.ruler.after("smartquotes", "smart_dashes", smart_dashes)
    # markdown-it's own link check turns a link it dislikes (javascript:, file:…) back into
    # plain text, where it would be published as "[x](javascript:…)" without a word. Keep
    # every link and image instead: the reader judges each with classify_url and names the
    # line of any it refuses.
    md.validateLink = lambda url: True
    return md


_PARSER = make_parser()


class Converter:
    """Walks markdown-it's syntax tree and builds model nodes with 1-based file lines."""

    def __init__(self, first_line: int, lines: list[str],
                 examples: dict[str, int] | None = None, references: dict | None = None
                 ) -> None:
        self.references = references or {}  # [label]: url definitions, for table cells
        self.offset = first_line  # file line of the body's first line
        self.lines = lines  # the body's lines, for what the parser does not keep
        self.examples = examples or {}  # "(@label)" of an example list → its number
        self.footnotes: dict[str, tuple[int, tuple[Node, ...], int]] = {}
        # (line, message, hint, severity) of what the reader must report: Markdown that
        # was read, but not as the author probably meant it.
        self.problems: list[tuple[int, str, str, str]] = []

    def line_of(self, tree: SyntaxTreeNode, default: int) -> int:
        return tree.map[0] + self.offset if tree.map else default

    def blocks(self, trees: Iterable[SyntaxTreeNode], line: int = 0) -> tuple[Node, ...]:
        nodes: list[Node] = []
        for tree in trees:
            node = self.block(tree, self.line_of(tree, line))
            if node is None:
                continue
            if is_caption(node) and nodes and nodes[-1].type == "table":
                nodes[-1] = with_caption(nodes[-1], node)
                continue
            nodes.append(node)
        return tuple(nodes)

    def block(self, tree: SyntaxTreeNode, line: int) -> Node | None:
        kind = tree.type
        attrs = {k: str(v) for k, v in tree.attrs.items()}
        if kind == "footnote_block":
            self.collect_footnotes(tree)
            return None
        if kind == "heading":
            attrs["level"] = tree.tag[1]
            return Node("heading", self.inline(tree.children[0], line), attrs, line=line)
        if kind == "paragraph":
            children = self.inline(tree.children[0], line)
            if is_figure(children):
                return self.figure(next(c for c in tree.children[0].children
                                        if c.type == "image"), line)
            self.check_table_like(tree, line)
            return Node("paragraph", children, line=line)
        if kind == "dl":
            return Node("definition_list", self.blocks(tree.children, line), line=line)
        if kind == "dt":
            return Node("term", self.inline(tree.children[0], line), line=line)
        if kind == "line_block":  # guidepress.mdblocks: one inline per line; join with breaks
            parts: list[Node] = []
            for index, row in enumerate(tree.children):
                row_line = self.line_of(row, line)
                if index:
                    parts.append(Node("hardbreak", line=row_line))
                parts.extend(self.inline(row.children[0], row_line))
            self.check_table_like(tree, line)  # "| a | b |" over a bad separator row
            return Node("line_block", tuple(parts), line=line)
        if kind == "dd":
            return Node("definition", self.blocks(tree.children, line), line=line)
        if kind == "table" and tree.meta.get("error"):
            self.problems.append((line, tree.meta["error"], "", "error"))
        if kind == "table":
            self.check_block_cells(tree)
        if kind in ("th", "td"):
            style = attrs.pop("style", "")
            if align := re.search(r"text-align:(\w+)", style):
                attrs["align"] = align.group(1)
            if (blocks := self.cell_blocks(tree, line)) is not None:
                return Node(kind, blocks, {**attrs, "content": "blocks"}, line=line)
            return Node(kind, self.inline(tree.children[0], line), attrs, line=line)
        if kind == "html_block":
            return raw_html(tree.content, line)
        if kind in ("code_block", "fence"):
            return Node("code_block", attrs={"lang": tree.info.strip()}, text=tree.content,
                        line=line)
        if kind == "hr":
            return Node("hr", line=line)
        if kind == "container_div":
            return Node("div", self.blocks(tree.children, line), attributes(tree.info), line=line)
        if kind == "ordered_list":
            attrs = {k: v for k, v in attrs.items() if k in ("start", "type", "class")}
        if kind in ("bullet_list", "ordered_list"):
            classes = attrs.get("class", "").replace("contains-task-list", "task-list").split()
            attrs = {k: v for k, v in attrs.items() if k != "class"}
            attrs |= {"class": " ".join(classes)} if classes else {}
        if kind == "list_item":
            return self.list_item(tree, attrs, line)
        return Node(kind, self.blocks(tree.children, line), attrs, line=line)

    def list_item(self, tree: SyntaxTreeNode, attrs: dict[str, str], line: int) -> Node:
        """A list item; a task-list item ("- [x] …") keeps whether it is done, not the
        checkbox HTML the tasklists plugin writes."""
        children = self.blocks(tree.children, line)
        if "task-list-item" not in attrs.get("class", ""):
            return Node("list_item", children, attrs, line=line)
        first = children[0]
        box, *rest = first.children
        done = "checked" in box.text
        if rest and rest[0].type == "text":  # the space after "[ ]"
            rest[0] = Node("text", text=rest[0].text.lstrip(), line=rest[0].line)
        first = Node(first.type, tuple(rest), first.attrs, line=first.line)
        return Node("list_item", (first, *children[1:]), {"task": "done" if done else "open"},
                    line=line)

    def figure(self, image: SyntaxTreeNode, line: int) -> Node:
        """An image alone in its paragraph, as pandoc's implicit_figures makes it: the text
        in brackets is the caption, and the alt text unless an ``{alt="…"}`` gives one."""
        caption = self.inline(image, line)
        node = self.image(image, caption, line)
        attrs = dict(node.attrs)
        if not image.attrs.get("alt"):  # the description doubles as the caption
            attrs["caption_is_alt"] = "yes"
        children = [Node("image", attrs=attrs, line=line)]
        if any(n.plain_text().strip() for n in caption):
            children.append(Node("figcaption", caption, line=line))
        return Node("figure", tuple(children), dict(node.attrs), line=line)

    def image(self, tree: SyntaxTreeNode, description: tuple[Node, ...], line: int) -> Node:
        """An image node; its alt text is the description in brackets, as in pandoc,
        unless {alt="…"} says otherwise (markdown-it sets alt="" on every image; the attrs
        plugin replaces it)."""
        attrs = {k: str(v) for k, v in tree.attrs.items()}
        if not attrs.get("alt"):
            attrs["alt"] = "".join(n.plain_text() for n in description)
        return Node("image", attrs=attrs, line=line)

    def cell_blocks(self, cell: SyntaxTreeNode, line: int) -> tuple[Node, ...] | None:
        """The blocks of a grid or multiline table cell that holds paragraphs, a list or
        code (mdtables flags it and keeps its lines), read as pandoc reads them; None for
        a cell of text, or one with notes (a second parse would not see the guide's notes:
        such a cell is printed as one paragraph, with a warning)."""
        source = block_source(cell)
        if not source:
            return None
        tree = SyntaxTreeNode(_PARSER.parse(source, {"references": self.references}))
        inner = Converter(line, source.split("\n"), self.examples, self.references)
        blocks = inner.blocks(tree.children, line)
        self.problems.extend(inner.problems)
        return blocks

    def check_block_cells(self, table: SyntaxTreeNode) -> None:
        """One warning per grid table with cells of blocks that could not be read as
        blocks (see cell_blocks): each is printed as one paragraph."""
        flagged = [self.line_of(cell, 0) for cell in table.walk()
                   if cell.type in ("th", "td") and cell.meta.get("blocks")
                   and not block_source(cell)]
        if flagged:
            many = len(flagged) > 1
            self.problems.append((
                flagged[0], f"{len(flagged)} cell{'s' * many} of this grid table hold"
                f"{'' if many else 's'} paragraphs, a list or code, which a table cell here "
                "cannot show: the text of each is printed as one paragraph",
                "keep each cell to a few words, or put the list under the table", "warning"))

    def check_table_like(self, tree: SyntaxTreeNode, line: int) -> None:
        """A pipe table whose separator row has the wrong number of columns is read as a
        paragraph of pipes and dashes: say so instead of printing it."""
        if not tree.map:
            return
        first = tree.map[0]
        rows = self.lines[first : first + 2]
        if len(rows) < 2 or "|" not in rows[0] or not TABLE_RULE.match(rows[1]):
            return
        header, rule = cells(rows[0]), cells(rows[1])
        self.problems.append((
            line + 1, f"this looks like a table, but its separator row has {len(rule)} "
            f"column{'s' * (len(rule) != 1)} and its header {len(header)}",
            "give the row under the header one |---| per column", "error"))

    def inline(self, tree: SyntaxTreeNode, line: int) -> tuple[Node, ...]:
        nodes: list[Node] = []
        for child in tree.children:
            node = self.inline_node(child, line)
            if node.type == "text" and not node.text:
                continue  # markdown-it leaves empty text tokens around emphasis
            nodes.append(node)
            # Inline tokens carry no line map: count line breaks to keep lines exact.
            line += sum(1 for n in node.walk() if n.type in ("softbreak", "hardbreak"))
        return tuple(nodes)

    def inline_node(self, tree: SyntaxTreeNode, line: int) -> Node:
        kind = tree.type
        attrs = {k: str(v) for k, v in tree.attrs.items()}
        if kind == "text" and "(@" in tree.content and self.examples:
            # pandoc's example lists: "(@good)" in the text is that example's number.
            text = EXAMPLE_REF.sub(lambda m: f"({self.examples[m[1]]})"
                                   if m[1] in self.examples else m[0], tree.content)
            return Node("text", text=text, line=line)
        if kind in ("text", "code_inline"):
            return Node("code" if kind == "code_inline" else "text", text=tree.content, line=line)
        if kind == "html_inline":
            return raw_html(tree.content, line)
        if kind in ("softbreak", "hardbreak"):
            return Node(kind, line=line)
        if kind == "image":
            return self.image(tree, self.inline(tree, line), line)
        if kind == "footnote_ref":
            meta = tree.meta
            attrs = {"label": note_label(meta), "number": str(meta["id"] + 1),
                     "ref": str(meta.get("subId", 0))}
            return Node("footnote_ref", attrs=attrs, line=line)
        kind = INLINE_KINDS.get(kind, kind)
        children = self.inline(tree, line)
        if kind in ("sub", "sup") and len(children) == 1 and children[0].type == "text":
            # The sub/superscript plugins take their content as plain text; pandoc reads
            # markup in it (^*hello*^).
            children = self.reparse(children[0], line)
        if kind == "em" and len(children) == 1 and children[0].type == "strong":
            # ***x***: CommonMark nests <em><strong>, pandoc <strong><em>; the same on the
            # page, but the same HTML as pandoc's is easier to check.
            inner = children[0]
            return Node("strong", (Node("em", inner.children, line=line),), line=line)
        return Node(kind, children, attrs, line=line)

    def reparse(self, text: Node, line: int) -> tuple[Node, ...]:
        if not any(mark in text.text for mark in "*_`["):
            return (text,)
        [inline] = _PARSER.parseInline(text.text)
        return self.inline(SyntaxTreeNode(inline.children or []), line)

    def collect_footnotes(self, block: SyntaxTreeNode) -> None:
        for note in block.children:
            if note.type != "footnote":
                continue
            # The plugin's back-reference token sits in the last paragraph, or after the
            # last block when that is a list or code; writers add their own.
            blocks = tuple(strip_anchor(b) for b in self.blocks(note.children, self.offset)
                           if b.type != "footnote_anchor")
            line = blocks[0].line if blocks else self.offset
            self.footnotes[note_label(note.meta)] = (note.meta["id"] + 1, blocks, line)


EXAMPLE_REF = re.compile(r"\(@([\w-]+)\)")
# markdown-it's names for inline markup → the model's.
INLINE_KINDS = {"s": "strike", "sub": "sub", "sup": "sup", "span": "span"}
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def cells(row: str) -> list[str]:
    """The cells of a pipe-table row (outer pipes optional; escaped pipes kept)."""
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return re.split(r"(?<!\\)\|", row)


def block_source(cell: SyntaxTreeNode) -> str:
    """The lines of a table cell of blocks that can be read as blocks; "" for a cell of
    text, or one that refers to notes (a second parse would not see the guide's notes)."""
    source = cell.meta.get("source", "")
    return "" if "[^" in source or "^[" in source else source


def note_label(meta: dict) -> str:
    """A note's key: its label, or for an inline note ^[…], which has none, its number."""
    label = meta.get("label")
    return str(label) if label is not None else f"^{meta['id'] + 1}"


COMMENT = re.compile(r"^\s*<!--.*?-->\s*$", re.S)


def raw_html(text: str, line: int) -> Node:
    """An HTML comment (kept, never printed) or other raw HTML (the reader refuses it)."""
    kind = "comment" if COMMENT.match(text) else "html"
    return Node(kind, text=text, line=line)


def strip_anchor(node: Node) -> Node:
    """Drop the back-reference token the footnote plugin appends; writers add their own."""
    kept = tuple(strip_anchor(c) for c in node.children if c.type != "footnote_anchor")
    return Node(node.type, kept, node.attrs, node.text, node.line)


def is_figure(children: tuple[Node, ...]) -> bool:
    """An image alone in its paragraph is a figure (pandoc's implicit_figures)."""
    meaningful = [c for c in children if not (c.type == "text" and not c.text.strip())]
    return len(meaningful) == 1 and meaningful[0].type == "image"


def is_caption(node: Node) -> bool:
    return node.type == "paragraph" and bool(node.children) and \
        node.children[0].type == "text" and node.children[0].text.startswith(("Table: ", ": "))


def with_caption(table: Node, paragraph: Node) -> Node:
    """The table with its caption; attributes at the caption's end (``{#tbl:id}``) are
    the table's, as in pandoc."""
    first, *rest = paragraph.children
    children = [Node("text", text=first.text.split(": ", 1)[1], line=first.line), *rest]
    attrs = dict(table.attrs)
    last = children[-1]
    match = TRAILING_ATTRS.search(last.text) if last.type == "text" else None
    if match and (found := attributes(match.group(1))):
        attrs |= {k: v for k, v in found.items() if k in ("id", "class")}
        children[-1] = Node("text", text=last.text[: match.start()], line=last.line)
    caption = Node("caption", tuple(children), line=paragraph.line)
    return Node("table", (caption, *table.children), attrs, line=table.line)


# URL schemes that run code or open files on the reader's device: never published.
ACTIVE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
# What a browser ignores in a URL: C0 controls and spaces at either end, tabs and line
# breaks anywhere (WHATWG URL parsing), so "java\tscript:" is still javascript:.
URL_EDGES = "".join(map(chr, range(0x21)))
URL_INVISIBLE = re.compile(r"[\t\n\r]")


def classify_url(url: str) -> str:
    """What a link or image address is: "empty", "fragment" (#id), "relative" (a path),
    "network" (//host…), "invalid", or its scheme in lower case ("https", "mailto"…).

    The address is judged as written and as decoded (entities, then percent-escapes, until
    nothing changes), because either form may be what some reader acts on; an active
    scheme in either form wins, so "%6Aavascript:" is javascript."""
    kinds = [url_kind(url), url_kind(decoded_url(url))]
    return next((k for k in kinds if k in ACTIVE_SCHEMES), kinds[0])


def decoded_url(url: str) -> str:
    for _ in range(4):  # each round undoes one layer of escaping; real links have one
        plain = unquote(html.unescape(url), errors="replace")
        if plain == url:
            break
        url = plain
    return url


def url_kind(url: str) -> str:
    url = URL_INVISIBLE.sub("", url).strip(URL_EDGES)
    if not url:
        return "empty"
    if url.startswith("#"):
        return "fragment"
    if url[:2].replace("\\", "/") == "//":  # browsers read \\ as // in web addresses
        return "network"
    try:
        scheme = urlsplit(url).scheme
    except ValueError:  # e.g. an unclosed "[" in the host
        return "invalid"
    return scheme.lower() if scheme else "relative"


def printable(text: str, limit: int = 60) -> str:
    """``text`` for one line of a message: invisible characters written as escapes (\\x1b),
    long text cut short."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_body(text: str, first_line: int) -> tuple[tuple[Node, ...], dict, list]:
    """Parse the Markdown body. Returns the blocks, {label: (number, blocks, line)} and the
    problems found on the way as (line, message, hint, severity)."""
    env: dict = {}
    tree = SyntaxTreeNode(_PARSER.parse(text, env))
    converter = Converter(first_line, text.split("\n"),
                          env.get("example_lists", {}).get("labels", {}),
                          env.get("references", {}))
    blocks = converter.blocks(tree.children, first_line)
    return blocks, converter.footnotes, converter.problems + run_on_lines(env, first_line)


def run_on_lines(env: dict, first_line: int) -> list[tuple[int, str, str, str]]:
    """Warnings for the lines that would start a list or quote but follow text."""
    found = []
    lines = {start: name for start, name in env.get("run_on", ())}
    for start, name in sorted(lines.items()):
        if start - 1 in lines:
            continue  # the next item of the same run-on list: said once
        what = "a block quote" if name == "blockquote" else "a list"
        found.append((start + first_line, f"this line starts like {what} but follows a line "
                      "of text, so it is read as part of that paragraph",
                      f"leave a blank line before it to make {what}", "warning"))
    return found
