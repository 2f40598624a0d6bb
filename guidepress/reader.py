"""The reader: one manuscript file → one checked ``Guide``.

Everything that can be wrong with a manuscript is found here, before any writer runs, and
reported as ``file:line``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

from . import frontmatter
from .assets import load_asset
from .errors import Diagnostic, PublishError
from .markdown import parse_body
from .model import Asset, Footnote, Guide, Node, Section

UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
# Markdown that markdown-it refuses to turn into an image or link (file:, javascript:…
# addresses) would otherwise reach the reader as plain text.
REFUSED_TARGET = re.compile(r"!?\[[^\]]*\]\(\s*<?((?:javascript|vbscript|file|data):[^)\s>]*)",
                            re.I)


def slug_for(path: Path) -> str:
    """The output name of a guide: its file name, lowercased, safe for URLs and file names."""
    text = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "guide"


MAX_MANUSCRIPT_BYTES = 10 * 1024 * 1024  # a long guide is well under 1 MB


def read_text(path: Path) -> str:
    try:
        if path.is_file() and path.stat().st_size > MAX_MANUSCRIPT_BYTES:
            raise PublishError(path, 0, "the file is larger than 10 MB",
                               "a guide is text; move images to files beside it")
        data = path.read_bytes()
    except FileNotFoundError:
        raise PublishError(path, 0, "file not found") from None
    except IsADirectoryError:
        raise PublishError(path, 0, "this is a folder, not a manuscript file") from None
    if not data.strip():
        raise PublishError(path, 1, "the file is empty",
                           "start with front matter: '---', 'title: Your title', '---'")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PublishError(
            path, line, f"the file is not UTF-8 text (byte {exc.start})",
            "save the file as UTF-8 (in most editors: Save As → Encoding: UTF-8)",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_guide(path: Path | str) -> tuple[Guide, list[Diagnostic]]:
    """Read and check a manuscript. Raises PublishError for problems that stop the build."""
    path = Path(path)
    text = read_text(path)
    slug = slug_for(path)
    yaml_text, body_line = frontmatter.split(text, path)
    meta, warnings = frontmatter.read_meta(yaml_text, path, slug)
    body = "\n".join(text.split("\n")[body_line - 1 :])
    blocks, raw_notes = parse_body(body, body_line)
    blocks = assign_heading_ids(blocks, path)
    footnotes = {
        label: Footnote(label, number, note_blocks, line)
        for label, (number, note_blocks, line) in raw_notes.items()
    }
    guide = Guide(
        source=path.resolve(),
        slug=slug,
        meta=meta,
        blocks=blocks,
        sections=build_sections(blocks),
        footnotes=footnotes,
        assets=collect_assets(blocks, footnotes, path, warnings),
        body_line=body_line,
        source_lines=tuple(text.split("\n")),
    )
    check_structure(guide)
    return guide, warnings


def slugify_heading(text: str) -> str:
    """pandoc's auto_identifiers, simplified: lowercase words joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9\s-]", "", text).split()
    return "-".join(words) or "section"


def assign_heading_ids(blocks: tuple[Node, ...], path: Path) -> tuple[Node, ...]:
    """Give every heading an id: the one written in the manuscript, or one from its text."""
    explicit: dict[str, int] = {}
    for node in blocks:
        for inner in node.walk():
            if inner.type == "heading" and inner.id:
                if inner.id in explicit:
                    raise PublishError(
                        path, inner.line, f"heading id '#{inner.id}' is used twice",
                        f"it is already used on line {explicit[inner.id]}; ids must be unique",
                    )
                explicit[inner.id] = inner.line
    used = set(explicit)

    def fix(node: Node) -> Node:
        children = tuple(fix(c) for c in node.children)
        attrs = node.attrs
        if node.type == "heading" and not node.id:
            base = slugify_heading(node.plain_text())
            new_id, n = base, 1
            while new_id in used:
                new_id, n = f"{base}-{n}", n + 1
            used.add(new_id)
            attrs = {**attrs, "id": new_id, "auto_id": "yes"}  # writers copy only id/class
        return Node(node.type, children, attrs, node.text, node.line)

    return tuple(fix(b) for b in blocks)


def build_sections(blocks: tuple[Node, ...]) -> tuple[Section, ...]:
    heads = [(i, b) for i, b in enumerate(blocks) if b.type == "heading"]
    sections = []
    for n, (index, heading) in enumerate(heads):
        level = int(heading.attrs["level"])
        end = next((j for j, h in heads[n + 1 :] if int(h.attrs["level"]) <= level), len(blocks))
        sections.append(
            Section(heading.id, heading.plain_text().strip(), level, heading.line, index, end,
                    heading)
        )
    return tuple(sections)


def collect_assets(blocks, footnotes, path: Path, warnings: list[Diagnostic]
                   ) -> dict[str, Asset]:
    """Every image the guide uses, keyed by its src as written, checked and made safe."""
    assets: dict[str, Asset] = {}
    nodes = [n for b in blocks for n in b.walk()]
    nodes += [n for f in footnotes.values() for b in f.blocks for n in b.walk()]
    for node in nodes:
        src = node.attrs.get("src", "")
        if node.type == "image" and src not in assets:
            assets[src], found = load_asset(src, node.line, path)
            warnings.extend(found)
    return assets


def suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else "known ids: " + ", ".join(choices[:12])


def check_structure(guide: Guide) -> None:
    path = guide.source
    first = guide.blocks[0] if guide.blocks else None
    if first is None:
        raise PublishError(path, guide.body_line, "the guide has no text after the front matter",
                           "add chapters, each starting with a line like '# Chapter title'")
    if first.type != "heading" or first.attrs.get("level") != "1":
        raise PublishError(path, first.line, "the text must start with a chapter heading",
                           "add a line like '# Chapter title' before this text")
    ids = [n.id for n in guide.walk() if n.id]
    for node in guide.walk():
        if node.type == "link" and node.attrs.get("href", "").startswith("#"):
            target = node.attrs["href"][1:]
            if target not in ids:
                raise PublishError(path, node.line, f"link to '#{target}', which does not exist",
                                   suggest(target, ids))
        if node.type == "text" and (m := REFUSED_TARGET.search(node.text)):
            raise PublishError(path, node.line, f"'{m.group(1)[:60]}' is not allowed here",
                               "images must be files beside the manuscript; links must "
                               "start with https:// or #")
        if node.type == "text" and (m := UNDEFINED_NOTE.search(node.text)):
            raise PublishError(path, node.line, f"footnote '[^{m.group(1)}]' is never defined",
                               f"add a line '[^{m.group(1)}]: The note text.' at the end")
        if node.type == "html":
            tag = node.text.strip().split("\n")[0][:40]
            raise PublishError(path, node.line, f"raw HTML is not allowed: {tag}",
                               "write it in Markdown; HTML comments (<!-- ... -->) are fine")
        if node.type == "heading" and node not in guide.blocks:
            raise PublishError(path, node.line, "headings cannot be inside a ::: block or list",
                               "move the heading out of the block")
    check_handouts(guide)


def check_handouts(guide: Guide) -> None:
    ids = [s.id for s in guide.sections]
    for handout in guide.meta.handouts:
        spans: list[tuple[int, int, str]] = []
        for section_id, line in zip(handout.sections, handout.section_lines, strict=True):
            section = guide.section(section_id)
            if section is None:
                raise PublishError(
                    guide.source, line,
                    f"handout '{handout.id}' lists section '{section_id}', which does not exist",
                    suggest(section_id, ids),
                )
            for start, end, other in spans:
                if start < section.end and section.start < end:
                    raise PublishError(
                        guide.source, line,
                        f"handout '{handout.id}' lists '{section_id}' and '{other}', which overlap",
                        "list either the larger section or the smaller ones, not both",
                    )
            spans.append((section.start, section.end, section_id))
