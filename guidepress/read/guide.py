"""The reader: one manuscript file → one checked ``Guide``.

Everything that can be wrong with a manuscript is found here, before any writer runs, and
reported as ``file:line``.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import Diagnostic, ErrorList, PublishError
from ..model import ONLY, Asset, Footnote, Guide, HandoutSpec, Node, Section, visible, visible_nodes
from . import frontmatter, glyphs
from .assets import IMAGE_SUFFIXES, load_asset, name_hint
from .markdown import ACTIVE_SCHEMES, classify_url, parse_body, printable

UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
# An image or link markdown-it could not read (a space in the address, say) is left as
# text, and would be published as "![x](my photo.png)". Bounded, so that a line of a
# million "[" is searched in linear time.
UNREAD_TARGET = re.compile(r"(!?)\[[^\]]{0,500}\]\(\s*<?([^()<>]{0,2000}?)>?\s*\)")

# -- characters ---------------------------------------------------------------------------
# Never text: C0 controls but tab and newline (XML 1.0 cannot hold them; EPUBCheck stops at
# the first), DEL and C1 controls (invisible; often a file saved in another encoding), lone
# surrogates and the non-characters U+FDD0–U+FDEF and U+xFFFE/U+xFFFF (XML has no
# U+FFFE/U+FFFF). U+000B and U+000C are apart: see WORD_BREAKS.
NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
INVISIBLE = re.compile(f"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff{NONCHARACTERS}]")
# Word processors write U+000B for Shift+Enter and U+000C for a page break. Either becomes a
# space: a line break would end a heading or a table row and shift every later line
# number, and the books make their own pages. The author is told where it happened.
WORD_BREAKS = {"\x0b": "a line break (U+000B)", "\x0c": "a page break (U+000C)"}
# In the parsed text, where numeric character references have been decoded: all of the
# above, and U+FFFD, which markdown-it puts in place of a reference it will not decode.
DECODED_BAD = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
                         f"{NONCHARACTERS}\ufffd]")
CHAR_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")
CODE_SPAN = re.compile(r"(`+).+?\1")
RETYPE = ("delete it and retype the text around it; invisible characters often come along "
          "when text is copied and pasted")


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


def read_guide(path: Path | str, fonts: glyphs.FontSet | None = None, *, text: str | None = None
               ) -> tuple[Guide, list[Diagnostic]]:
    """Read and check a manuscript. Raises PublishError for problems that stop the build.

    ``fonts`` are the fonts the outputs will draw the text in; by default, the shipped
    brand's (the reader never guesses a project from the current folder). ``text``, when
    given, is read in place of the file's (a translation, read/catalog.py); images are
    still found beside ``path``.
    """
    path = Path(path)
    text = read_text(path) if text is None else text
    slug = slug_for(path)
    yaml_text, body_line = frontmatter.split(text, path)
    meta, warnings = frontmatter.read_meta(yaml_text, path, slug)
    lines = text.split("\n")
    body, found = clean_characters("\n".join(lines[body_line - 1 :]), body_line, path)
    warnings.extend(found)
    lines[body_line - 1 :] = body.split("\n")  # the same length: one character for one
    blocks, raw_notes, problems = parse_body(body, body_line)
    check_decoded_characters(
        [*blocks, *(b for _, note_blocks, _ in raw_notes.values() for b in note_blocks)],
        lines, path)
    errors = ErrorList()
    for line, message, hint, severity in problems:
        if severity == "error":
            errors.add(PublishError(path, line, message, hint))
        else:
            warnings.append(Diagnostic(path, line, message, hint, severity))
    blocks = assign_heading_ids(blocks, path)
    footnotes = {
        label: Footnote(label, number, note_blocks, line)
        for label, (number, note_blocks, line) in raw_notes.items()
    }
    blocks, footnotes = link_header_references(blocks, footnotes)
    assets = collect_assets(blocks, footnotes, path, warnings, fonts)
    blocks, footnotes = with_asset_sources(blocks, footnotes, assets)
    guide = Guide(
        source=path.resolve(),
        slug=slug,
        meta=meta,
        blocks=blocks,
        sections=build_sections(blocks),
        footnotes=footnotes,
        assets={asset.src: asset for asset in assets.values()},
        body_line=body_line,
        source_lines=tuple(lines),
    )
    check_structure(guide, warnings, errors)
    check_glyphs(guide, fonts or glyphs.shipped_fonts())
    return guide, warnings


def clean_characters(body: str, first_line: int, path: Path) -> tuple[str, list[Diagnostic]]:
    """Refuse characters that are never text; turn word-processor breaks into spaces."""
    if found := INVISIBLE.search(body):
        line, column = position(body, found.start(), first_line)
        raise PublishError(path, line,
                           f"the text contains {char_name(ord(found.group()))} in column {column}",
                           RETYPE)
    if "\x0b" not in body and "\x0c" not in body:
        return body, []
    warnings = []
    for line, text in enumerate(body.split("\n"), start=first_line):
        for char, what in WORD_BREAKS.items():
            if (index := text.find(char)) >= 0:
                warnings.append(Diagnostic(
                    path, line, f"{what} in column {index + 1} was replaced by a space",
                    "for a new paragraph leave a blank line; otherwise delete the invisible "
                    "character and type a space", "warning"))
    return body.replace("\x0b", " ").replace("\x0c", " "), warnings


def position(text: str, index: int, first_line: int) -> tuple[int, int]:
    """The file line and 1-based column of ``text[index]``."""
    start = text.rfind("\n", 0, index) + 1
    return first_line + text.count("\n", 0, index), index - start + 1


def char_name(code: int) -> str:
    label = f"U+{code:04X}"
    if 0xD800 <= code <= 0xDFFF:
        return f"a broken character ({label}, half of a symbol or emoji)"
    if code > 0x10FFFF:
        return f"a number beyond the last character ({code})"
    if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        return f"a non-character ({label}), which is never text"
    return f"an invisible control character ({label})"


def check_decoded_characters(blocks: Iterable[Node], lines: list[str], path: Path) -> None:
    """The raw file is clean by now, but a character reference such as &#x1b; or &#12; is
    decoded by the parser (or, if markdown-it will not decode it, silently made U+FFFD), so
    the parsed text and attributes are checked too, and the reference is named."""
    for node in (n for b in blocks for n in b.walk()):
        if node.type in ("code", "code_block"):
            continue  # code shows references as written; the file itself is clean
        for value in (node.text, *node.attrs.values()):
            if not (found := DECODED_BAD.search(value)):
                continue
            where = bad_reference(lines, node.line)
            if where is None and found.group() == "\ufffd":
                continue  # typed as it is: the replacement character is valid text
            if where is None:
                raise PublishError(path, node.line,
                                   f"the text contains {char_name(ord(found.group()))}", RETYPE)
            line, column, reference, code = where
            raise PublishError(path, line, f"'{reference}' in column {column} stands for "
                               f"{char_name(code)}",
                               "delete it: it is not a character an ebook or PDF can show")


def bad_reference(lines: list[str], first: int) -> tuple[int, int, str, int] | None:
    """(line, column, text, code) of the first numeric character reference to a character
    that is never text, from line ``first`` to the end of its paragraph."""
    for number in range(max(first, 1), len(lines) + 1):
        text = lines[number - 1]
        # A reference in a code span is shown as written, never decoded.
        text = CODE_SPAN.sub(lambda m: " " * len(m[0]), text)
        for match in CHAR_REFERENCE.finditer(text):
            code = int(match[1], 16) if match[1] else int(match[2])
            if code > 0x10FFFF or (code != 0xFFFD and DECODED_BAD.match(chr(code))):
                return number, match.start() + 1, match[0], code
        if not text.strip() and number > first:
            return None
    return None


def slugify_heading(text: str) -> str:
    """pandoc's auto_identifiers: lower case; only letters, digits, '_', '-' and '.' kept;
    words joined by hyphens; everything before the first letter dropped; "section" when
    nothing is left. (Letters are Unicode letters, as in pandoc without ascii_identifiers.)"""
    kept = "".join(c for c in text.lower() if c.isalnum() or c in "_-." or c.isspace())
    joined = "-".join(kept.split())
    first = next((i for i, c in enumerate(joined) if c.isalpha()), len(joined))
    return joined[first:] or "section"


# Ids the program writes itself into the pages that hold the guide's text (render/,
# render/pages.py, styles/templates/): a heading with one of them would take its links, and
# an ebook page with an id twice is invalid.
GENERATED_IDS = {
    "toc": "the table of contents", "toc-title": "the contents heading",
    "page-list": "the list of printed pages", "landmarks": "the ebook's landmarks",
    "notes-title": "the notes heading", "main": "the page's main text",
    "contact-us": "the contact page", "book-title": "the title page",
    "licence-title": "the font licence page", "which-title": "the downloads help heading",
}
GENERATED_PATTERNS = (
    (re.compile(r"fn-(\d+)"), "footnote {}"),
    (re.compile(r"fnref-(\d+)(?:-\d+)?"), "a reference to footnote {}"),
    (re.compile(r"page-(\d+|[ivxlcdm]+)"), "the marker where printed page {} begins"),
)
# The nodes whose id the writers print (a figure has its image's id).
ID_NODES = {"heading": "heading id", "div": "block id", "figure": "image id",
            "span": "span id", "table": "table id"}


def generated_id_use(name: str) -> str | None:
    """What the program uses id ``name`` for, or None if it does not use it."""
    if name in GENERATED_IDS:
        return GENERATED_IDS[name]
    for pattern, use in GENERATED_PATTERNS:
        if match := pattern.fullmatch(name):
            return use.format(match[1])
    return None


def explicit_ids(blocks: tuple[Node, ...], path: Path) -> dict[str, int]:
    """The ids written in the manuscript → their lines; each unique and not the program's."""
    explicit: dict[str, int] = {}
    for inner in (n for b in blocks for n in b.walk()):
        if inner.type not in ID_NODES or not inner.id:
            continue
        what = ID_NODES[inner.type]
        if use := generated_id_use(inner.id):
            text = slugify_heading(inner.plain_text()) if inner.type == "heading" else ""
            other = text if text and text not in explicit and not generated_id_use(text) \
                else f"{inner.id}-{'section' if inner.type == 'heading' else inner.type}"
            raise PublishError(path, inner.line, f"{what} '#{inner.id}' is reserved for {use}",
                               f"choose another id, e.g. {{#{other}}}")
        if inner.id in explicit:
            raise PublishError(
                path, inner.line, f"{what} '#{inner.id}' is used twice",
                f"it is already used on line {explicit[inner.id]}; ids must be unique",
            )
        explicit[inner.id] = inner.line
    return explicit


def assign_heading_ids(blocks: tuple[Node, ...], path: Path) -> tuple[Node, ...]:
    """Give every heading an id: the one written in the manuscript, or one from its text."""
    used = set(explicit_ids(blocks, path))

    def fix(node: Node) -> Node:
        children = tuple(fix(c) for c in node.children)
        attrs = node.attrs
        if node.type == "heading" and not node.id:
            base = slugify_heading(node.plain_text())
            if generated_id_use(base):  # "# Contact us", "# Page 3": step aside, quietly
                base = f"{base}-section"
            new_id, n = base, 1
            while new_id in used:
                new_id, n = f"{base}-{n}", n + 1
            used.add(new_id)
            attrs = {**attrs, "id": new_id, "auto_id": "yes"}  # writers copy only id/class
        return Node(node.type, children, attrs, node.text, node.line)

    return tuple(fix(b) for b in blocks)


# "[Treatment]" or "[Treatment][]", not followed by "(" or "[label]", not "[^1]" or "[x]".
HEADER_REFERENCE = re.compile(r"\[([^\[\]^][^\[\]]{0,200})\](?:\[\])?(?![(\[{])")


def link_header_references(blocks: tuple[Node, ...], footnotes: dict[str, Footnote]
                           ) -> tuple[tuple[Node, ...], dict[str, Footnote]]:
    """pandoc's implicit_header_references: "[Heading text]" links to that heading, as if
    a reference link had been defined for every heading (matched as reference labels are,
    ignoring case and runs of spaces)."""
    targets: dict[str, str] = {}
    for heading in (n for b in blocks for n in b.walk() if n.type == "heading"):
        targets.setdefault(label_key(heading.plain_text()), heading.id)
    if not targets:
        return blocks, footnotes

    def fix(node: Node) -> Node:
        if node.type in ("link", "code", "code_block", "heading"):
            return node
        children: list[Node] = []
        for child in node.children:
            if child.type == "text" and "[" in child.text:
                children.extend(split_references(child, targets))
            else:
                children.append(fix(child))
        return Node(node.type, tuple(children), node.attrs, node.text, node.line)

    notes = {label: Footnote(n.label, n.number, tuple(fix(b) for b in n.blocks), n.line)
             for label, n in footnotes.items()}
    return tuple(fix(b) for b in blocks), notes


def label_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def split_references(node: Node, targets: dict[str, str]) -> list[Node]:
    """A text node, with every "[Heading text]" in it made a link to the heading."""
    out: list[Node] = []
    rest = 0
    for match in HEADER_REFERENCE.finditer(node.text):
        target = targets.get(label_key(match[1]))
        if target is None:
            continue
        if match.start() > rest:
            out.append(Node("text", text=node.text[rest : match.start()], line=node.line))
        label = Node("text", text=match[1], line=node.line)
        out.append(Node("link", (label,), {"href": f"#{target}"}, line=node.line))
        rest = match.end()
    if rest < len(node.text):
        out.append(Node("text", text=node.text[rest:], line=node.line))
    return out if out else [node]


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


def collect_assets(blocks, footnotes, path: Path, warnings: list[Diagnostic],
                   fonts: glyphs.FontSet | None = None) -> dict[str, Asset]:
    """Every image the guide uses, keyed by its src as written, checked and made safe."""
    assets: dict[str, Asset] = {}
    by_name: dict[str, Asset] = {}  # case-folded file name → the first asset with it
    nodes = [n for b in blocks for n in b.walk()]
    nodes += [n for f in footnotes.values() for b in f.blocks for n in b.walk()]
    for node in nodes:
        src = node.attrs.get("src", "")
        if node.type == "image" and src not in assets:
            assets[src], found = load_asset(src, node.line, path, fonts)
            warnings.extend(found)
            first = by_name.setdefault(assets[src].src.casefold(), assets[src])
            if first.path != assets[src].path and first.src == assets[src].src:
                raise PublishError(
                    path, node.line, f"images '{src}' and '{first.path.name}' (line "
                    f"{first.line}) would both be published as '{first.src}'",
                    "keep one of them: a .svgz file is published unpacked, as .svg")
            if first.src != assets[src].src:  # one file in an ebook; two on this computer
                raise PublishError(
                    path, node.line, f"image '{assets[src].src}' and '{first.src}' (line "
                    f"{first.line}) differ only in capital letters",
                    "rename one of the files: ebooks and many computers see one file")
    return assets


def with_asset_sources(blocks: tuple[Node, ...], footnotes: dict[str, Footnote],
                       assets: dict[str, Asset]) -> tuple[tuple[Node, ...], dict[str, Footnote]]:
    """Every image node names its file the way the writers store it ("images//a.svg" and
    "./images/a.svg" become "images/a.svg"), so each writer's href finds its file."""
    def fix(node: Node) -> Node:
        attrs = node.attrs
        if "src" in attrs and attrs["src"] in assets:
            attrs = {**attrs, "src": assets[attrs["src"]].src}
        return Node(node.type, tuple(fix(c) for c in node.children), attrs, node.text,
                    node.line)

    notes = {label: Footnote(n.label, n.number, tuple(fix(b) for b in n.blocks), n.line)
             for label, n in footnotes.items()}
    return tuple(fix(b) for b in blocks), notes


def suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else "known ids: " + ", ".join(choices[:12])


def check_structure(guide: Guide, warnings: list[Diagnostic],
                    errors: ErrorList | None = None) -> None:
    """Every structural error of the guide, reported together (up to the list's limit)."""
    errors = errors or ErrorList()
    path = guide.source
    first = guide.blocks[0] if guide.blocks else None
    if first is None:
        errors.add(PublishError(path, guide.body_line,
                                "the guide has no text after the front matter",
                                "add chapters, each starting with a line like '# Chapter title'"))
        errors.raise_any()
    if first.type != "heading" or first.attrs.get("level") != "1":
        errors.add(PublishError(path, first.line, "the text must start with a chapter heading",
                                "add a line like '# Chapter title' before this text"))
    ids = [n.id for n in guide.walk() if n.id]
    html_found = False
    for node in guide.walk():
        if node.type == "html" and node.text.lstrip().startswith("</") and html_found:
            continue  # the end tag of HTML already reported
        html_found = html_found or node.type == "html"
        try:
            warnings.extend(node_problems(node, guide, ids))
        except PublishError as error:
            errors.add(error)
    for note in guide.footnotes.values():
        for node in (n for b in note.blocks for n in b.walk()):
            if node.type in ("table", "figure"):
                errors.add(PublishError(
                    path, node.line, f"a footnote cannot hold a {node.type}: the print book "
                    "sets notes at the foot of the page, in the flow of a line",
                    f"move the {node.type} into the text and refer to it from the note"))
    errors.raise_any()
    check_handouts(guide, warnings)


def node_problems(node: Node, guide: Guide, ids: list[str]) -> list[Diagnostic]:
    """Warnings about one node; raises PublishError for one the guide cannot publish."""
    path = guide.source
    if node.type == "link":
        return check_link(node, ids, path) + title_warning(node, path)
    if node.type == "figure":
        return title_warning(node, path)
    if node.type == "text" and (m := UNREAD_TARGET.search(node.text)):
        raise PublishError(path, node.line, *unread_target(m[0], m[1] == "!", m[2]))
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
    if node.type == "image":
        check_image_size(node, path)
    if node.type == "span" and "lang" in node.attrs and \
            (problem := frontmatter.language_problem(node.attrs["lang"])):
        raise PublishError(path, node.line, f"span language: {problem[0]}", problem[1])
    return []


# pandoc's units for image sizes; a bare number is pixels.
SIZE = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(px|cm|mm|in|inch|%)?")


def check_image_size(image: Node, path: Path) -> None:
    for key in ("width", "height"):
        value = image.attrs.get(key)
        if value is not None and not SIZE.fullmatch(value.strip()):
            raise PublishError(path, image.line, f"image {key} '{printable(value)}' is not a size",
                               f"write a number with %, px, cm, mm or in, e.g. {{{key}=50%}}")


# A title ("…" after a link's address or an image's file name) is a tooltip, as in
# pandoc: no printed book or handout can show it, so the author is told, not left to find
# it missing. (message, hint) by the node that carries it.
TITLE_WARNINGS = {
    "link": ("the link's title “{}” is shown only as a tooltip in the ebook and on the web "
             "page, not in print", "if readers need it, write it in the text beside the link"),
    "figure": ("the image's title “{}” is not printed",
               "a figure's caption is the text in the brackets; to give a different "
               "description for screen readers write {alt=\"…\"} after the image"),
}


def title_warning(node: Node, path: Path) -> list[Diagnostic]:
    """The warning for a link's or a figure's title, if it has one."""
    titled = node.children[0] if node.type == "figure" else node
    title = titled.attrs.get("title", "")
    if not title.strip():
        return []
    message, hint = TITLE_WARNINGS[node.type]
    return [Diagnostic(path, node.line, message.format(printable(title)), hint, "warning")]


LINK_RULE = "links must start with https://, mailto:, tel: or # and a heading's id"


def check_link(node: Node, ids: list[str], path: Path) -> list[Diagnostic]:
    """Refuse a link no reader can follow safely; warn of one that works but should not."""
    href = node.attrs.get("href", "")
    kind, shown = classify_url(href), printable(href)
    if kind == "fragment":
        if href[1:] not in ids:
            raise PublishError(path, node.line, f"link to '#{href[1:]}', which does not exist",
                               suggest(href[1:], ids))
        return []
    if (problem := link_problem(kind, href, shown)) is not None:
        raise PublishError(path, node.line, *problem)
    if kind == "http":  # it works, and many clinics' partners still have no https
        return [Diagnostic(path, node.line, f"link to '{shown}' is not secure (http:)",
                           "use https:// if the site has it; some ebook readers refuse http",
                           "warning")]
    return []


def link_problem(kind: str, href: str, shown: str) -> tuple[str, str] | None:
    """(message, hint) for a link that may not be published, None for a good one."""
    if kind in ("https", "http"):
        if "@" in urlsplit(href).netloc:
            return (f"link to '{shown}' has a name before '@' in the address",
                    "write the address without it; such links are used to disguise a site")
        return None if web_host(href) else (f"link to '{shown}' is not a complete web "
                                            "address", "write it as https://site/page")
    if kind in ("mailto", "tel"):
        return None if href.split(":", 1)[1].strip() else (
            f"link to '{shown}' has no {'address' if kind == 'mailto' else 'number'}",
            f"write it as {kind}:" + ("name@example.org" if kind == "mailto" else "+15551234"))
    if kind == "empty":
        return "the link has no address", "write it between the brackets: [text](https://…)"
    if kind in ACTIVE_SCHEMES:
        return (f"link to '{shown}' is not allowed here",
                f"{kind}: addresses can run code or open files on a reader's device; "
                f"{LINK_RULE}")
    if kind == "network":
        return (f"link to '{shown}' does not say https:",
                f"write the whole address, e.g. https:{href}")
    if kind == "relative":
        if href.lower().endswith(IMAGE_SUFFIXES):
            return (f"link to '{shown}' points to a file, not a web page or a heading",
                    f"to show the image write ![what it shows]({href}); {LINK_RULE}")
        return (f"link to '{shown}' points to a file, not a web page or a heading",
                f"files beside the manuscript are not published; {LINK_RULE}")
    if kind == "invalid":
        return f"link to '{shown}' is not a valid address", LINK_RULE
    return f"link to '{shown}' is not a kind of link a guide may use", LINK_RULE


def unread_target(written: str, image: bool, target: str) -> tuple[str, str]:
    """(message, hint) for Markdown that looks like an image or link but is not one."""
    spaced = len(target.split()) > 1
    if image and spaced:
        return f"image '{printable(target)}' has a space in its file name", name_hint(target)
    if spaced:
        return (f"link to '{printable(target)}' has a space in its address",
                "write each space in a web address as %20")
    what = "an image" if image else "a link"
    example = "![what it shows](images/name.png)" if image else "[text](https://…)"
    return f"'{printable(written)}' looks like {what} but could not be read", \
        f"write it as {example}"


def web_host(href: str) -> str:
    try:
        return urlsplit(href).hostname or ""
    except ValueError:
        return ""


def check_handouts(guide: Guide, warnings: list[Diagnostic]) -> None:
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
        check_handout_content(guide, handout, warnings)


def check_handout_content(guide: Guide, handout: HandoutSpec,
                          warnings: list[Diagnostic]) -> None:
    """A handout prints only what its sections show on a handout. Sections whose text is
    all in blocks kept off handouts (book-only, print-only…) would print a sheet that is
    blank under its headings."""
    hidden = []  # (entry line, section id, the classes that keep its text off)
    for section_id, line in zip(handout.sections, handout.section_lines, strict=True):
        blocks = guide.section_blocks(guide.section(section_id))
        if not shows_text(blocks) and (kinds := hidden_kinds(blocks)):
            hidden.append((line, section_id, kinds))
    if hidden and len(hidden) == len(handout.sections):
        kinds = sorted({kind for _, _, found in hidden for kind in found})
        raise PublishError(guide.source, handout.line,
                           f"handout '{handout.id}' would be empty: its sections hold only "
                           f"{' and '.join(kinds)} material",
                           "list sections that have text for the handout, or take the text "
                           "out of the ::: block that keeps it off handouts")
    for line, section_id, kinds in hidden:
        warnings.append(Diagnostic(
            guide.source, line, f"handout '{handout.id}' would print only the heading of "
            f"section '{section_id}': its text is all {' and '.join(sorted(kinds))}",
            "remove the section from the handout's list, or give it text the handout shows",
            "warning"))


def shows_text(blocks: tuple[Node, ...]) -> bool:
    """Whether a handout would print anything from ``blocks`` besides their headings."""
    for node in visible_nodes(tuple(b for b in blocks if b.type != "heading"), "handout"):
        if node.type in ("image", "code_block"):
            return True
        if node.type in ("text", "code") and node.text.strip():
            return True
    return False


def hidden_kinds(blocks: tuple[Node, ...]) -> set[str]:
    """The classes (book-only, print-only…) of the blocks a handout leaves out."""
    return {c for b in blocks for n in b.walk() if not visible(n, "handout")
            for c in n.classes if c in ONLY}


# -- characters the fonts can draw ------------------------------------------------------
# A character written as a reference (&#x1F4AA;, &hearts;) is found in the file by this.
REFERENCE = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")


def check_glyphs(guide: Guide, fonts: glyphs.FontSet) -> None:
    """Refuse a character none of the guide's fonts has: it would print as an empty box,
    or in whatever font the reader's device has. Each such character is named once, at
    its first place (a script once for all its letters), up to 20 in one report."""
    errors, seen = ErrorList(), set()
    for text, line, span in drawn_text(guide):
        start = 0
        while (found := glyphs.first_missing(text[start:], fonts)) >= 0:
            index, start = start + found, start + found + 1
            if (key := glyph_key(text[index])) in seen:
                continue  # once each: the fix is the same everywhere
            seen.add(key)
            # The words just before it tell this one from the same character elsewhere on
            # the line (in an image's alt text, say).
            anchor = text[max(0, index - 20) : index + 1].split("\n")[-1]
            errors.add(glyph_error(guide, fonts, anchor, line, span))
    errors.raise_any()


def glyph_key(char: str) -> str:
    """What one glyph error stands for: a letter's script (all of Devanagari needs the
    same font), or the character itself (an emoji, a symbol)."""
    if unicodedata.category(char)[0] in "LM":
        return unicodedata.name(char, char).split()[0]
    return char


def drawn_text(guide: Guide) -> Iterator[tuple[str, int, int]]:
    """(text, first line, lines it may span) of everything an output draws, in file order.
    Image descriptions (alt text) are read out, never drawn, so they may hold anything."""
    meta, lines = guide.meta, guide.meta.lines
    for key, value in (("title", meta.title), ("subtitle", meta.subtitle),
                       ("publisher", meta.publisher), ("description", meta.description)):
        yield value, lines.get((key,), 1), value.count("\n") + 1
    for index, handout in enumerate(meta.handouts):
        yield handout.title, lines.get(("handouts", index, "title"), handout.line), 1
    for node in guide.walk():
        if node.type in ("text", "code", "code_block"):
            # A code block's first line is its fence, or its first indented line.
            yield node.text, node.line, node.text.count("\n") + 2
        elif node.type == "link" and not node.attrs.get("href", "").startswith("#"):
            yield node.attrs.get("href", ""), node.line, 1  # the print book prints it


def glyph_error(guide: Guide, fonts: glyphs.FontSet, anchor: str, line: int, span: int
                ) -> PublishError:
    """The error for the last character of ``anchor``, which ends with the one refused."""
    char, where = anchor[-1], ""
    if (found := locate(guide.source_lines, anchor, line, span)) is not None:
        line, column, reference = found
        where = f", written '{reference}' in column {column}," if reference else \
            f" in column {column}"
    return PublishError(
        guide.source, line,
        f"the character {glyphs.describe(char)}{where} is not in the guide's fonts and would "
        "print as an empty box", glyphs.advice(char, fonts))


def locate(lines: tuple[str, ...], anchor: str, first: int, span: int
           ) -> tuple[int, int, str] | None:
    """(line, column, the reference it was written as or '') of the character that ends
    ``anchor``, from line ``first`` on for ``span`` lines: after the text before it where
    that is written as it reads, else the first time it is typed or referenced on a line.
    None if it is not in the file as written (an escape in the front matter, say)."""
    char = anchor[-1]
    for number in range(max(first, 1), min(first + span, len(lines) + 1)):
        text = lines[number - 1]
        if len(anchor) > 1 and (index := text.find(anchor)) >= 0:
            return number, index + len(anchor), ""
        found = [(m.start(), m[0]) for m in REFERENCE.finditer(text)
                 if html.unescape(m[0]) == char]
        if (index := text.find(char)) >= 0:
            found.append((index, ""))
        if found:
            index, reference = min(found)
            return number, index + 1, reference
    return None
