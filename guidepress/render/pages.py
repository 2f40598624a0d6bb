"""Where each printed page begins, read from the real print layout.

The print HTML marks every leaf block (paragraph, heading, figure, table cell…) with
``data-b="<n>"``, numbered in model order, and the template parts (title page, imprint,
contents, contact page) with their names. After WeasyPrint lays the book out, we walk each
page's boxes and note the first piece of content on it: which block, and how many
non-space characters of that block came before it on earlier pages. The EPUB writer puts
a page-break marker at exactly that point, so "page 12" means the same text in the ebook
and in the printed book.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from ..model import Guide, Node, visible_nodes

LEAF_TYPES = frozenset({"paragraph", "heading", "figure", "th", "td", "caption", "code_block",
                        "term", "line_block"})
ROMAN = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90),
         ("l", 50), ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))


@dataclass(frozen=True, slots=True)
class PageStart:
    """Page ``label`` begins in block ``anchor`` after ``offset`` non-space characters."""

    index: int  # 0-based physical page
    label: str  # the folio as printed: "iii", "12"
    anchor: str  # a leaf block number ("17") or a template part ("toc", "contact")
    offset: int
    blank: bool = False  # nothing printed on the page; it shares the next page's point

    @property
    def marker_id(self) -> str:
        return f"page-{self.label}"


def roman(number: int) -> str:
    out = []
    for letters, value in ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def leaf_keys(guide: Guide) -> dict[int, str]:
    """Number every leaf block of the guide in document order: id(node) → "n"."""
    keys: dict[int, str] = {}

    def visit(node: Node) -> None:
        if node.type in LEAF_TYPES:
            keys[id(node)] = str(len(keys))
            return
        for child in node.children:
            visit(child)

    for block in guide.blocks:
        visit(block)
    return keys


def content_boxes(box, anchor: str | None = None) -> Iterator[tuple[str, str]]:
    """(anchor, text) for each piece of printed content under ``box``, in order.

    Generated content (list markers, footnote calls, ::after text) is skipped: it is not
    part of the manuscript's text. Images count, with empty text.
    """
    from weasyprint.formatting_structure.boxes import ReplacedBox, TextBox

    if "::" in (getattr(box, "element_tag", "") or ""):
        return
    element = getattr(box, "element", None)
    if element is not None and element.get("data-b") is not None:
        anchor = element.get("data-b")
    if isinstance(box, TextBox):
        if anchor is not None and box.text.strip():
            yield anchor, box.text
        return
    if isinstance(box, ReplacedBox):
        if anchor is not None:
            yield anchor, ""
        return
    for child in getattr(box, "children", ()):
        yield from content_boxes(child, anchor)


def page_starts(document) -> list[PageStart]:
    """Where every page of a laid-out book begins, with its printed folio."""
    seen: dict[str, int] = defaultdict(int)
    firsts: list[tuple[str, int] | None] = []
    for page in document.pages:
        root = page._page_box.children[0]  # the <html> box; margin boxes come after it
        first = None
        for anchor, text in content_boxes(root):
            if first is None:
                first = (anchor, seen[anchor])
            seen[anchor] += sum(1 for char in text if not char.isspace())
        firsts.append(first)
    body = next((i for i, f in enumerate(firsts) if f and f[0].isdigit()), len(firsts))
    starts = []
    for index, first in enumerate(firsts):
        label = roman(index + 1) if index < body else str(index - body + 1)
        if first is None:  # a blank page begins where the next printed page begins
            following = next((f for f in firsts[index + 1 :] if f), ("contact", 0))
            starts.append(PageStart(index, label, following[0], following[1], blank=True))
        else:
            starts.append(PageStart(index, label, first[0], first[1]))
    return starts


def page_marker(start: PageStart, epub_types: bool = True) -> Markup:
    """An invisible page-break marker that reading systems and screen readers announce."""
    epub = Markup(' epub:type="pagebreak"') if epub_types else Markup("")
    return Markup('<span{} role="doc-pagebreak" id="{}" aria-label="{}"></span>').format(
        epub, start.marker_id, start.label)


def visible_leaves(guide: Guide, target: str, keys: dict[int, str]) -> set[str]:
    """Keys of the leaf blocks that appear in ``target`` (e.g. not print-only ones)."""
    return {keys[id(node)] for node in visible_nodes(guide.blocks, target) if id(node) in keys}
