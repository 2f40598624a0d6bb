"""Footnotes → HTML: numbered calls, and notes as pop-ups (EPUB), as asides after the
block that calls them (web), as ``float: footnote`` spans (print book) or as a list at
the foot (handouts)."""

from __future__ import annotations

from typing import NamedTuple

from markupsafe import Markup

from ..model import Footnote, Node
from .base import RendererBase


class NoteHtml(NamedTuple):
    number: int
    note: Footnote
    html: Markup  # the first paragraph's content, to follow the note's number
    more: Markup  # the blocks after it: paragraphs, lists, code…


# Blocks a web note may follow as a sibling: their parent holds flow content. A note called
# in a list item, a term, a caption or a table row follows the list, list or table.
NOTE_HOSTS = frozenset({
    "paragraph", "heading", "bullet_list", "ordered_list", "blockquote", "code_block",
    "line_block", "div", "table", "figure", "definition_list", "hr"})


class NoteRenderer(RendererBase):
    """Footnote calls and bodies, in the ways the outputs show them."""

    def after_block(self, node: Node, html: Markup) -> Markup:
        """On the web page, the notes a block called (first calls only) right after it,
        each an <aside role="doc-footnote" id="fn-N"> with a link back to its call; what
        no block placed is left for take_notes() (the list at the end)."""
        if (not self.options.notes_by_call or self.options.notes != "popup"
                or self.in_web_note or not self.pending or node.type not in NOTE_HOSTS):
            return html
        placed = []
        self.in_web_note = True  # a note's own notes follow it, not its paragraphs
        try:
            while self.pending:
                placed.append(self.web_note(self.note_html(self.pending.pop(0))))
        finally:
            self.in_web_note = False
        return html + Markup("\n") + Markup("\n").join(placed)

    def web_note(self, note: NoteHtml) -> Markup:
        _ = self.options.gettext
        back = Markup(' <a class="note-back" href="#fnref-{0}" aria-label="{1}">↩</a>').format(
            note.number, _("Back to the text of note %(number)s") % {"number": note.number})
        first = Markup('<p><span class="note-number">{}</span> {}{}</p>').format(
            note.number, note.html, "" if note.more else back)
        rest = Markup("{}<p>{}</p>").format(note.more, back.lstrip()) if note.more else ""
        return Markup('<aside class="footnote-note" id="fn-{}" role="doc-footnote">{}{}</aside>'
                      ).format(note.number, first, rest)

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
