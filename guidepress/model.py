"""The document model: what a reader produces and every writer and check consumes.

It is plain data with source line numbers and no I/O, so writers never see Markdown and a
problem found anywhere can be reported as ``file:line``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Block node types: heading, paragraph, figure, bullet_list, ordered_list, list_item,
# blockquote, code_block, hr, table, thead, tbody, tr, th, td, div.
# Inline node types: text, softbreak, hardbreak, em, strong, code, link, image,
# footnote_ref.

# Which outputs a block belongs to: a fenced div with one of these classes appears only in
# the listed outputs ("epub", "pdf", "handout", "web"). The reader checks handouts with it,
# the renderer leaves hidden blocks out, the tests read it too.
ONLY = {
    "book-only": {"epub", "pdf", "web"},
    "ebook-only": {"epub", "web"},
    "print-only": {"pdf"},
    "handout-only": {"handout"},
}


@dataclass(frozen=True, slots=True)
class Node:
    """A block or inline element. ``attrs`` holds id/classes/href/src/alt/… as strings."""

    type: str
    children: tuple[Node, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)
    text: str = ""
    line: int = 0

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.attrs.get("class", "").split())

    @property
    def id(self) -> str:
        return self.attrs.get("id", "")

    def walk(self) -> Iterator[Node]:
        """This node and all its descendants, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def plain_text(self) -> str:
        """The readable text of the node, as a screen reader would say it."""
        if self.type == "text" or self.type == "code":
            return self.text
        if self.type in ("softbreak", "hardbreak"):
            return " "
        if self.type == "image":
            return self.attrs.get("alt", "")
        if self.type == "footnote_ref":
            return ""
        return "".join(child.plain_text() for child in self.children)


@dataclass(frozen=True, slots=True)
class Footnote:
    label: str
    number: int  # 1-based, in order of first reference in the manuscript
    blocks: tuple[Node, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and everything up to the next heading of the same or a higher level."""

    id: str
    title: str
    level: int
    line: int
    start: int  # index of the heading in Guide.blocks
    end: int  # index one past the section's last block
    heading: Node


@dataclass(frozen=True, slots=True)
class HandoutSpec:
    id: str
    title: str
    sections: tuple[str, ...]
    line: int
    section_lines: tuple[int, ...] = ()  # line of each entry of `sections`
    summary: str = ""  # one plain sentence: what the handout is for (the downloads page)
    code: str = ""  # the reorder code staff quote, e.g. "MS-01" (front matter or made up)


@dataclass(frozen=True, slots=True)
class Asset:
    """A file the manuscript references (an image), already checked to exist."""

    src: str  # as written in the manuscript, normalised (e.g. "images/spine.svg")
    path: Path  # absolute path on disk
    media_type: str
    line: int
    data: bytes = b""  # the checked content (SVG cleaned); writers use this, not the file
    pixels_wide: int = 0  # a raster image's width in pixels, as the reader found it; 0 for SVG


@dataclass(frozen=True, slots=True)
class Meta:
    title: str
    language: str
    identifier: str
    subtitle: str = ""
    author: str = ""
    publisher: str = ""
    date: dt.date | None = None
    reviewed: dt.date | None = None
    url: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    handouts: tuple[HandoutSpec, ...] = ()
    check: dict[str, float] = field(default_factory=dict)  # `publish check` limits
    lines: dict[tuple, int] = field(default_factory=dict)  # front-matter key → file line


@dataclass(frozen=True, slots=True)
class Translation:
    """What makes a guide a translation: the catalog it was read through and whether
    that catalog passed the review gate (guidepress/read/catalog.py)."""

    language: str  # the catalog's language, e.g. "es"
    catalog: Path  # manuscript/locale/<language>/<slug>.po
    source_language: str  # the manuscript's own language, e.g. "en-US"
    reviewed: bool  # every message translated, none fuzzy, a review recorded after them
    # Per line of the translated text: (from the PO file?, line there), so a problem
    # found in it is reported where the translator or the author can fix it.
    origin: tuple[tuple[bool, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Guide:
    """One patient guide, read and checked, ready for the writers."""

    source: Path
    slug: str
    meta: Meta
    blocks: tuple[Node, ...]
    sections: tuple[Section, ...]
    footnotes: dict[str, Footnote]
    assets: dict[str, Asset]
    body_line: int  # line of the first Markdown line after the front matter
    source_lines: tuple[str, ...] = ()  # the manuscript as written, for column numbers
    translation: Translation | None = None  # set when read through a translation catalog

    @property
    def folder(self) -> str:
        """Where its files go in the output folder: ``<slug>`` for the manuscript's own
        language, ``<slug>/<language>`` for a translation. Also its key in a build."""
        return f"{self.slug}/{self.translation.language}" if self.translation else self.slug

    @property
    def draft(self) -> bool:
        """A translation that has not passed review: every output carries a draft mark."""
        return self.translation is not None and not self.translation.reviewed

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    @property
    def chapters(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.level == 1)

    def section_blocks(self, section: Section) -> tuple[Node, ...]:
        return self.blocks[section.start : section.end]

    def handout_warns(self, spec: HandoutSpec) -> bool:
        """Whether a handout prints a ``.warning`` box of its own: a fenced div of that
        class in one of its sections, shown in handouts (``.handout-only`` ones too). The
        handout writer adds the brand's "when to call" box to a sheet without one; the
        ``handout-help`` check names a sheet that would have neither."""
        blocks = tuple(b for s in spec.sections if (section := self.section(s))
                       for b in self.section_blocks(section))
        return any(node.type == "div" and "warning" in node.classes
                   for node in visible_nodes(blocks, "handout"))

    def walk(self) -> Iterator[Node]:
        for block in self.blocks:
            yield from block.walk()
        for note in self.footnotes.values():
            for block in note.blocks:
                yield from block.walk()


def visible(node: Node, target: str) -> bool:
    return all(target in ONLY[c] for c in node.classes if c in ONLY)


def visible_nodes(nodes: tuple[Node, ...], target: str) -> Iterator[Node]:
    """Every node that appears in ``target``: a hidden block hides all that is in it."""
    for node in nodes:
        if visible(node, target):
            yield node
            yield from visible_nodes(node.children, target)
