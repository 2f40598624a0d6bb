"""Model nodes → HTML fragments, shared by every writer.

One renderer serves all outputs; they differ only in a few options (which target, how
footnotes appear, how links and image sources resolve). The HTML is also well-formed XHTML,
so the EPUB writer can use it as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from markupsafe import Markup, escape

from ..model import Footnote, Guide, Node, Section, visible, visible_nodes
from .pages import PageStart

TARGETS = ("epub", "pdf", "handout", "web")

# Node types that are one element around their children: (tag, whether the children are
# blocks rather than inline text). Others have a b_<type> method of their own.
ELEMENTS = {
    "paragraph": ("p", False), "bullet_list": ("ul", True), "blockquote": ("blockquote", True),
    "caption": ("caption", False), "thead": ("thead", True), "tbody": ("tbody", True),
    "tr": ("tr", True), "definition_list": ("dl", True), "term": ("dt", False),
    "definition": ("dd", True),
}

# Fenced-div classes rendered as labelled callouts (<aside>); the value is the default label.
CALLOUTS = {
    "key-points": "Key points",
    "warning": "Get help right away",
    "disclaimer": "Please note",
    "note": "Note",
    "tip": "Tip",
}


@dataclass(frozen=True)
class RenderOptions:
    target: str
    # "popup": EPUB/web note references with notes collected per document part;
    # "float": notes inline at the call, for CSS `float: footnote` in the print book;
    # "list": small numbers, notes listed at the foot (handouts).
    notes: str
    href_for: Callable[[str], str | None] = lambda target_id: f"#{target_id}"
    src_for: Callable[[str], str] = lambda src: src
    heading_shift: int = 0
    epub_types: bool = False
    # Page-list support (see pagination.py): the print book marks leaf blocks with
    # data-b="<n>"; the ebook gets a page-break marker where each printed page begins.
    leaf_keys: dict[int, str] | None = None
    mark_leaves: bool = False
    page_breaks: dict[str, list[PageStart]] | None = None


class NoteHtml(NamedTuple):
    number: int
    note: Footnote
    html: Markup  # the first paragraph's content, to follow the note's number
    more: Markup  # the blocks after it: paragraphs, lists, code…


@dataclass
class Chapter:
    """A level-1 section with its level-2 sections, and its HTML once rendered."""

    section: Section
    file_name: str
    subsections: list[Section]
    html: Markup = field(default_factory=Markup)
    notes: list[tuple[int, Footnote, Markup]] = field(default_factory=list)


def plan_chapters(guide: Guide) -> list[Chapter]:
    chapters = []
    for number, chapter in enumerate(guide.chapters, start=1):
        subsections = [s for s in guide.sections
                       if s.level == 2 and chapter.start < s.start < chapter.end]
        chapters.append(Chapter(chapter, f"chapter-{number:02d}.xhtml", subsections))
    return chapters


class HtmlRenderer:
    """Renders blocks to HTML; one instance per output document, so notes number 1, 2, …"""

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

    # -- entry points -------------------------------------------------------------------

    def blocks(self, nodes: tuple[Node, ...]) -> Markup:
        return Markup("\n").join(self.block(n) for n in nodes if visible(n, self.options.target))

    def take_markers(self) -> list[PageStart]:
        """Page-break markers placed since the last call, in order."""
        taken, self.emitted = self.emitted, []
        return taken

    def marker(self, start: PageStart) -> Markup:
        self.emitted.append(start)
        return page_marker(start, self.options.epub_types)

    def take_notes(self) -> list[NoteHtml]:
        """Notes referenced since the last call, in order."""
        taken, self.pending = self.pending, []
        return [self.note_html(n) for n in taken]

    def note_html(self, note: Footnote) -> NoteHtml:
        """A note as its first paragraph's inline HTML (which the templates put beside the
        note's number) and the HTML of every block after it."""
        blocks = note.blocks
        first = Markup("")
        if blocks and blocks[0].type == "paragraph":
            first, blocks = self.inline(blocks[0].children), blocks[1:]
        return NoteHtml(self.note_numbers[note.label], note, first, self.blocks(blocks))

    # -- blocks -------------------------------------------------------------------------

    def block(self, node: Node) -> Markup:
        method = getattr(self, "b_" + node.type, None)
        if method is None and node.type in ELEMENTS:
            method = self.b_element
        if method is None:
            return self.element("div", node, self.blocks(node.children))
        return self.leaf(node, lambda: method(node))

    def b_element(self, node: Node) -> Markup:
        """A node that is one element around its children (see ELEMENTS)."""
        tag, holds_blocks = ELEMENTS[node.type]
        inner = self.blocks(node.children) if holds_blocks else self.inline(node.children)
        return self.element(tag, node, inner)

    def leaf(self, node: Node, render: Callable[[], Markup]) -> Markup:
        """``render()``, with the page-break markers due inside ``node`` placed in it
        when it is a leaf block (see pagination.py)."""
        key = self.leaf_key(node)
        if key is None:
            return render()
        self.begin_leaf(key)
        return self.end_leaf(render())

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

    def b_heading(self, node: Node) -> Markup:
        level = min(6, int(node.attrs["level"]) + self.heading_shift)
        return self.element(f"h{level}", node, self.inline(node.children))

    def b_figure(self, node: Node) -> Markup:
        image, *caption = node.children
        inner = self.i_image(image)
        if caption:
            # When the caption is also the alt text, screen readers should hear it once
            # (pandoc marks it the same way).
            hidden = "true" if image.attrs.get("caption_is_alt") else ""
            inner += self.element("figcaption", None, self.inline(caption[0].children),
                                  aria_hidden=hidden)
        return self.element("figure", node, inner)

    def b_ordered_list(self, node: Node) -> Markup:
        start = node.attrs.get("start", "")
        start = start if start not in ("", "1") else ""
        # WeasyPrint numbers items with the list-item counter and ignores `start`, so the
        # printed outputs get the counter's first value as well (ebooks use `start`).
        style = ""
        if start and self.options.target in ("pdf", "handout"):
            style = f"counter-reset: list-item {int(start) - 1}"
        kind = node.attrs.get("type", "")
        # Browsers match [type="a"] and [type="A"] alike in HTML pages (not in XHTML), so
        # the web page's style sheet reads the case from data-type.
        data_type = kind if self.options.target == "web" else ""
        return self.element("ol", node, self.blocks(node.children), start=start, type=kind,
                            data_type=data_type, style=style)

    def b_list_item(self, node: Node) -> Markup:
        task = node.attrs.get("task")
        if task is None:
            return self.element("li", node, self.blocks(node.children))
        # The fonts have no ☐ or ☑: the box is drawn by the style sheets; its state is
        # spoken (aria-label) and shown (the tick).
        done = task == "done"
        box = Markup('<span class="task-box{}" role="img" aria-label="{}"></span> ').format(
            " done" if done else "", "done" if done else "not done")
        first, *rest = node.children
        inner = self.element("p", first, box + self.inline(first.children)) \
            if first.type == "paragraph" else box + self.block(first)
        rest_html = self.blocks(tuple(rest))
        return self.element("li", node, inner + rest_html, class_="task-item")

    def b_line_block(self, node: Node) -> Markup:
        return self.element("div", node, self.inline(node.children), class_="line-block")

    def b_code_block(self, node: Node) -> Markup:
        return Markup("<pre><code>{}</code></pre>").format(node.text.rstrip("\n"))

    def b_comment(self, node: Node) -> Markup:
        return Markup("")

    def b_hr(self, node: Node) -> Markup:
        return Markup('<hr class="break"/>')

    def b_table(self, node: Node) -> Markup:
        return Markup('<div class="table-wrap">{}</div>').format(
            self.element("table", node, self.blocks(node.children)))

    def b_th(self, node: Node) -> Markup:
        return self.cell("th", node, scope="col")

    def b_td(self, node: Node) -> Markup:
        return self.cell("td", node)

    def cell(self, tag: str, node: Node, **extra: str) -> Markup:
        align = node.attrs.get("align", "")
        # A grid-table cell may hold paragraphs, lists or code (see markdown.cell_blocks).
        inner = self.blocks(node.children) if node.attrs.get("content") == "blocks" \
            else self.inline(node.children)
        return self.element(tag, node, inner, **extra,
                            class_=f"align-{align}" if align else "")

    def b_div(self, node: Node) -> Markup:
        callout = next((c for c in node.classes if c in CALLOUTS), None)
        children = node.children
        if callout is None:
            return self.element("div", node, self.blocks(children))
        label = CALLOUTS[callout]
        title = Markup("")
        if children and is_title_paragraph(children[0]):
            label = children[0].plain_text().strip()
            title = self.callout_title(children[0])
            children = children[1:]
        classes = " ".join(["callout", *node.classes])
        return Markup('<aside class="{}" aria-label="{}">{}{}</aside>').format(
            classes, label, title, self.blocks(children))

    def callout_title(self, paragraph: Node) -> Markup:
        return self.leaf(paragraph, lambda: self.element(
            "p", paragraph, self.inline(paragraph.children[0].children), class_="callout-title"))

    # -- inline -------------------------------------------------------------------------

    def inline(self, nodes: tuple[Node, ...]) -> Markup:
        return Markup("").join(self.inline_node(n) for n in nodes)

    def inline_node(self, node: Node) -> Markup:
        match node.type:
            case "text":
                return self.text(node.text)
            case "softbreak":
                # In a float: footnote WeasyPrint breaks the line at a newline, even in
                # normal white-space, so a note's soft breaks are spaces.
                return Markup(" " if self.in_float_note else "\n")
            case "hardbreak":
                return Markup("<br/>")
            case "em" | "strong" | "sub" | "sup":
                return Markup(f"<{node.type}>{{}}</{node.type}>").format(
                    self.inline(node.children))
            case "strike":
                return Markup("<del>{}</del>").format(self.inline(node.children))
            case "span":  # [palabra]{lang=es}: read out in its language
                return self.element("span", node, self.inline(node.children),
                                    lang=node.attrs.get("lang", ""))
            case "code":
                return Markup("<code>{}</code>").format(self.text(node.text))
            case "link":
                return self.i_link(node)
            case "image":
                return self.i_image(node)
            case "footnote_ref":
                return self.i_footnote_ref(node)
            case "comment":
                return Markup("")
        return self.inline(node.children)

    def i_link(self, node: Node) -> Markup:
        href = node.attrs.get("href", "")
        inner = self.inline(node.children)
        title = attributes({"title": node.attrs["title"]}) if node.attrs.get("title") else ""
        if href.startswith("#"):
            resolved = self.options.href_for(href[1:])
            if resolved is None:
                return inner
            return Markup('<a href="{}"{}>{}</a>').format(resolved, title, inner)
        return Markup('<a class="external" href="{}"{}>{}</a>').format(href, title, inner)

    def i_image(self, node: Node) -> Markup:
        attrs = {"src": self.options.src_for(node.attrs.get("src", "")),
                 "alt": node.attrs.get("alt", "")}
        if title := node.attrs.get("title"):
            attrs["title"] = title
        if style := image_size(node.attrs):
            attrs["style"] = style
        return Markup("<img{}/>").format(attributes(attrs))

    def i_footnote_ref(self, node: Node) -> Markup:
        note = self.guide.footnotes[node.attrs["label"]]
        first = note.label not in self.note_numbers
        if first:
            self.note_numbers[note.label] = len(self.note_numbers) + 1
            self.pending.append(note)
        number = self.note_numbers[note.label]
        count = self.ref_counts[note.label] = self.ref_counts.get(note.label, 0) + 1
        ref_id = f"fnref-{number}" + (f"-{count}" if count > 1 else "")
        mode = self.options.notes
        if mode == "float" and first:
            return Markup('<span class="footnote" id="fn-{}">{}</span>').format(
                number, self.note_body(note))
        if mode in ("float", "list"):
            return Markup('<sup class="noteref">{}</sup>').format(number)
        epub = Markup(' epub:type="noteref"') if self.options.epub_types else Markup("")
        return Markup(
            '<a class="noteref" id="{0}" href="#fn-{1}" role="doc-noteref"{2}>{1}</a>'
        ).format(ref_id, number, epub)

    def note_body(self, note: Footnote) -> Markup:
        """A note as HTML that may stand inside a paragraph, for the print book's
        ``float: footnote``: a note of one paragraph is its text; the blocks of a longer
        one become spans that the style sheet sets as blocks (a <p> cannot hold a <ul>)."""
        self.in_float_note = True
        try:
            blocks = note.blocks
            if len(blocks) == 1 and blocks[0].type == "paragraph":
                return self.inline(blocks[0].children)
            return Markup("").join(self.note_span(b) for b in blocks)
        finally:
            self.in_float_note = False

    def note_span(self, node: Node) -> Markup:
        """One block of a note as a span of class note-p, note-li, note-pre or note-quote."""
        kind = node.type
        if kind in ("paragraph", "term", "line_block"):
            return Markup('<span class="note-block note-p">{}</span>').format(
                self.inline(node.children))
        if kind == "code_block":
            return Markup('<span class="note-block note-pre">{}</span>').format(
                node.text.rstrip("\n"))
        if kind in ("bullet_list", "ordered_list"):
            return Markup("").join(self.note_item(item, kind, node, n)
                                   for n, item in enumerate(node.children))
        if kind == "blockquote":
            return Markup('<span class="note-block note-quote">{}</span>').format(
                Markup("").join(self.note_span(c) for c in node.children))
        return Markup("").join(self.note_span(c) for c in node.children)

    def note_item(self, item: Node, kind: str, parent: Node, index: int) -> Markup:
        start = int(parent.attrs.get("start", "1") or 1)
        marker = f"{start + index}." if kind == "ordered_list" else "•"
        children = item.children
        inner = Markup('<span class="note-marker">{}</span> ').format(marker)
        if children and children[0].type == "paragraph":
            inner += self.inline(children[0].children)
            children = children[1:]
        inner += Markup("").join(self.note_span(c) for c in children)
        return Markup('<span class="note-block note-li">{}</span>').format(inner)


def page_marker(start: PageStart, epub_types: bool = True) -> Markup:
    """An invisible page-break marker that reading systems and screen readers announce."""
    epub = Markup(' epub:type="pagebreak"') if epub_types else Markup("")
    return Markup('<span{} role="doc-pagebreak" id="{}" aria-label="{}"></span>').format(
        epub, start.marker_id, start.label)


def visible_leaves(guide: Guide, target: str, keys: dict[int, str]) -> set[str]:
    """Keys of the leaf blocks that appear in ``target`` (e.g. not print-only ones)."""
    return {keys[id(node)] for node in visible_nodes(guide.blocks, target) if id(node) in keys}


def is_title_paragraph(node: Node) -> bool:
    """A paragraph that is only bold text, like **Key points**, titles its callout."""
    return (node.type == "paragraph" and len(node.children) == 1
            and node.children[0].type == "strong")


def image_size(attrs: dict[str, str]) -> str:
    """The CSS for an image's width/height attributes, pandoc's way: a bare number is
    pixels, "inch" is "in"."""
    rules = []
    for key in ("width", "height"):
        value = attrs.get(key, "").strip().replace("inch", "in")
        if value and not (value[-1].isalpha() or value.endswith("%")):
            value += "px"
        if value:
            rules.append(f"{key}: {value}")
    return "; ".join(rules)


def attributes(attrs: dict[str, str]) -> Markup:
    return Markup("").join(Markup(' {}="{}"').format(Markup(k), v) for k, v in attrs.items())
