"""The renderer's common ground: its options, the element and text helpers every node
kind uses, and the page-break markers (see ``pages``) that land inside leaf blocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..model import Footnote, Guide, Node
from .pages import PageStart, page_marker

TARGETS = ("epub", "pdf", "handout", "web")


@dataclass(frozen=True)
class RenderOptions:
    target: str
    # "popup": EPUB/web note references with notes collected per document part;
    # "float": notes inline at the call, for CSS `float: footnote` in the print book;
    # "list": small numbers, notes listed at the foot (handouts).
    notes: str
    # The read-online page: each "popup" note right after the block that first calls it
    # (NoteRenderer.after_block), so a phone reader need not scroll to the end and back.
    notes_by_call: bool = False
    href_for: Callable[[str], str | None] = lambda target_id: f"#{target_id}"
    src_for: Callable[[str], str] = lambda src: src
    heading_shift: int = 0
    epub_types: bool = False
    # Page-list support (see pages.py): the print book marks leaf blocks with
    # data-b="<n>"; the ebook gets a page-break marker where each printed page begins.
    leaf_keys: dict[int, str] | None = None
    mark_leaves: bool = False
    page_breaks: dict[str, list[PageStart]] | None = None
    # The words the renderer adds itself (a callout's default label, a task box's state)
    # in the guide's language: render.templates.translator(styles, language).
    gettext: Callable[[str], str] = lambda message: message


class RendererBase:
    """What every node kind's renderer shares: the options, the element and text
    helpers, and the page-break markers the EPUB places inside leaf blocks."""

    def __init__(self, guide: Guide, options: RenderOptions) -> None:
        self.guide = guide
        self.options = options
        self.note_numbers: dict[str, int] = {}
        self.pending: list[Footnote] = []
        self.ref_counts: dict[str, int] = {}
        # Writers that stitch sections together (handouts) change this between calls.
        self.heading_shift = options.heading_shift
        self.breaks: list[PageStart] = []  # markers still to place in the current leaf
        self.seen = 0  # non-space characters of the current leaf rendered so far
        self.emitted: list[PageStart] = []  # markers placed since the last take_markers()
        self.in_float_note = False  # rendering a print footnote (see inline_node)
        self.in_web_note = False  # rendering the web page's notes (see NoteRenderer)

    # Each node kind renders its children through these, whichever class it is in: a
    # note's blocks, a cell's text (BlockRenderer and InlineRenderer implement them).
    def blocks(self, nodes: tuple[Node, ...]) -> Markup:
        raise NotImplementedError

    def inline(self, nodes: tuple[Node, ...]) -> Markup:
        raise NotImplementedError

    def element(self, tag: str, node: Node | None, inner: Markup, **extra: str) -> Markup:
        attrs = {}
        if node is not None:
            attrs = {k: v for k, v in node.attrs.items() if k in ("id", "class")}
            if self.options.mark_leaves and (key := self.leaf_key(node)) is not None:
                attrs["data-b"] = key
        for key, value in extra.items():
            if value:
                key = key.rstrip("_").replace("_", "-")
                attrs[key] = f"{attrs[key]} {value}" if key == "class" and key in attrs else value
        return Markup("<{0}{1}>{2}</{0}>").format(Markup(tag), attributes(attrs), inner)

    def text(self, text: str) -> Markup:
        """Escaped text, with any page-break markers due inside it."""
        if not self.breaks:
            self.seen += sum(1 for char in text if not char.isspace())
            return escape(text)
        out = []
        for char in text:
            if not char.isspace():
                while self.breaks and self.breaks[0].offset <= self.seen:
                    out.append(self.marker(self.breaks.pop(0)))
                self.seen += 1
            out.append(escape(char))
        return Markup("").join(out)

    def leaf(self, node: Node, render: Callable[[], Markup]) -> Markup:
        """``render()``, with the page-break markers due inside ``node`` placed in it
        when it is a leaf block (see pages.py)."""
        key = self.leaf_key(node)
        if key is None:
            return self.after_block(node, render())
        self.begin_leaf(key)
        return self.after_block(node, self.end_leaf(render()))

    def after_block(self, node: Node, html: Markup) -> Markup:
        """A rendered block, with what follows it: the web page's notes (NoteRenderer)."""
        return html

    def leaf_key(self, node: Node) -> str | None:
        keys = self.options.leaf_keys
        return keys.get(id(node)) if keys else None

    def begin_leaf(self, key: str) -> None:
        breaks = self.options.page_breaks or {}
        self.breaks = sorted(breaks.get(key, ()), key=lambda s: (s.offset, s.index))
        self.seen = 0

    def end_leaf(self, html: Markup) -> Markup:
        """Markers the text did not reach (a figure has no text) go first in the element."""
        if not self.breaks:
            return html
        rest = Markup("").join(self.marker(s) for s in self.breaks)
        self.breaks = []
        cut = html.index(">") + 1
        return Markup(html[:cut]) + rest + Markup(html[cut:])

    def take_markers(self) -> list[PageStart]:
        """Page-break markers placed since the last call, in order."""
        taken, self.emitted = self.emitted, []
        return taken

    def marker(self, start: PageStart) -> Markup:
        self.emitted.append(start)
        return page_marker(start, self.options.epub_types)


def attributes(attrs: dict[str, str]) -> Markup:
    return Markup("").join(Markup(' {}="{}"').format(Markup(k), v) for k, v in attrs.items())
