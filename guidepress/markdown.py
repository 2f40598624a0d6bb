"""Markdown → document-model nodes, with markdown-it-py and its plugins.

The syntax is the pandoc-compatible subset the manuscript contract names: CommonMark, GFM
tables, footnotes, heading attributes ``{#id .class}``, fenced divs ``::: {.class}`` and
image attributes. Raw HTML is parsed only to be refused (the reader reports it with its
line); HTML comments are kept as "comment" nodes, which no writer prints.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .model import Node

TRAILING_ATTRS = re.compile(r"\s*(\{[^{}]*\})\s*$")


def attributes(text: str) -> dict[str, str]:
    """Parse pandoc attributes like ``{#id .a .b key=value}``; {} when not valid."""
    text = text.strip()
    if not text.startswith("{"):
        return {"class": text} if text else {}
    try:
        _, found = parse_attrs(text)
    except ParseError:
        return {}
    return {key: str(value) for key, value in found.items()}


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


def make_parser() -> MarkdownIt:
    # Curly quotes and apostrophes, as pandoc's `smart` extension makes them. (Not
    # markdown-it's "replacements", which would turn a list label "(c)" into "©".)
    md = MarkdownIt("commonmark", {"html": True, "typographer": True})
    md.enable(["table", "smartquotes"])
    md.use(footnote_plugin)
    md.use(attrs_plugin, after=("image",))
    md.use(container_plugin, name="div", validate=lambda params, markup: True)
    md.core.ruler.before("inline", "heading_attributes", heading_attributes)
    # markdown-it's own link check turns a link it dislikes (javascript:, file:…) back into
    # plain text, where it would be published as "[x](javascript:…)" without a word. Keep
    # every link and image instead: the reader judges each with classify_url and names the
    # line of any it refuses.
    md.validateLink = lambda url: True
    return md


_PARSER = make_parser()


class Converter:
    """Walks markdown-it's syntax tree and builds model nodes with 1-based file lines."""

    def __init__(self, first_line: int) -> None:
        self.offset = first_line  # file line of the body's first line
        self.footnotes: dict[str, tuple[int, tuple[Node, ...], int]] = {}

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
                image = next(c for c in children if c.type == "image")
                return Node("figure", (image,), dict(image.attrs), line=line)
            return Node("paragraph", children, line=line)
        if kind in ("th", "td"):
            style = attrs.pop("style", "")
            if align := re.search(r"text-align:(\w+)", style):
                attrs["align"] = align.group(1)
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
        if kind == "ordered_list" and "start" in attrs:
            attrs = {"start": attrs["start"]}
        return Node(kind, self.blocks(tree.children, line), attrs, line=line)

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
        if kind in ("text", "code_inline"):
            return Node("code" if kind == "code_inline" else "text", text=tree.content, line=line)
        if kind == "html_inline":
            return raw_html(tree.content, line)
        if kind in ("softbreak", "hardbreak"):
            return Node(kind, line=line)
        if kind == "image":
            attrs["alt"] = "".join(n.plain_text() for n in self.inline(tree, line))
            return Node("image", attrs=attrs, line=line)
        if kind == "footnote_ref":
            meta = tree.meta
            attrs = {"label": str(meta["label"]), "number": str(meta["id"] + 1),
                     "ref": str(meta.get("subId", 0))}
            return Node("footnote_ref", attrs=attrs, line=line)
        kind = {"em": "em", "strong": "strong", "link": "link"}.get(kind, kind)
        return Node(kind, self.inline(tree, line), attrs, line=line)

    def collect_footnotes(self, block: SyntaxTreeNode) -> None:
        for note in block.children:
            if note.type != "footnote":
                continue
            blocks = tuple(
                strip_anchor(b) for b in self.blocks(note.children, self.offset)
            )
            line = blocks[0].line if blocks else self.offset
            self.footnotes[str(note.meta["label"])] = (note.meta["id"] + 1, blocks, line)


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
    first, *rest = paragraph.children
    text = first.text.split(": ", 1)[1]
    caption = Node("caption", (Node("text", text=text, line=first.line), *rest),
                   line=paragraph.line)
    return Node("table", (caption, *table.children), table.attrs, line=table.line)


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


def parse_body(text: str, first_line: int) -> tuple[tuple[Node, ...], dict]:
    """Parse the Markdown body. Returns the blocks and {label: (number, blocks, line)}."""
    tree = SyntaxTreeNode(_PARSER.parse(text))
    converter = Converter(first_line)
    blocks = converter.blocks(tree.children, first_line)
    return blocks, converter.footnotes
