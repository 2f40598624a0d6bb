"""Translations through gettext catalogs, the way Sphinx's gettext builder does them.

A guide's translatable messages are its blocks as written: every paragraph, list item,
table cell, heading (with its ``{#id}``), caption and footnote, with inline markup, links
and footnote calls inside, plus the front matter's title, subtitle, description,
keywords and handout titles. ``template`` makes the POT catalog of them, ``update``
merges it into a language's PO file (Babel: msgmerge's fuzzy matching and flags), and
``read_translation`` puts each translated message back where its English stood and reads
the result with the same reader, so every writer and check works for it unchanged.

A translation is *reviewed* (publishable) only when every message is translated, none is
fuzzy, and the PO header records a review (``X-Reviewed-By``, ``X-Reviewed-Date``) no
older than its last revision (``PO-Revision-Date``). Anything else is a draft.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import Diagnostic, PublishError
from ..model import Guide, Meta, Section, Translation
from . import frontmatter, glyphs, svgtext
from .guide import clean_characters, read_guide, read_text, slug_for
from .markdown import _PARSER

LOCALE = "locale"  # manuscript/locale/<slug>.pot, manuscript/locale/<language>/<slug>.po
REVIEWED_BY, REVIEWED_DATE = "X-Reviewed-By", "X-Reviewed-Date"
ATTRS = re.compile(r"\s*\{[^{}]*\}\s*$")
CAPTION = re.compile(r"^(Table:|:)\s+")  # pandoc's table caption prefix stays English
# What a translation must keep exactly: link and image targets, footnote calls, ids.
KEPT = {
    "link or image target": re.compile(r"\]\(\s*<?([^()\s<>]+)"),
    "web address": re.compile(r"<((?:https?|mailto|tel):[^>\s]+)>"),
    "footnote call": re.compile(r"\[\^([^\]\s]+)\]"),
    "id": re.compile(r"\{[^{}]*#([^\s{}]+)[^{}]*\}"),
}
FRONT = ("title", "subtitle", "description")
WIDTH = 79  # msgmerge's line width
HEADER = """\
# Messages of {name}, for translators.
# One message per paragraph, list item, table cell, heading and caption,
# as written in Markdown: keep every link target (in round brackets),
# [^note] call and {{#id}} exactly as they are.
# Made by `publish i18n extract`; `publish i18n update --lang LL` merges
# it into manuscript/locale/LL/. A translation is published once its
# header records the review: X-Reviewed-By and X-Reviewed-Date (YYYY-MM-DD).
#"""


@dataclass(frozen=True)
class Piece:
    """One message as it stands in the manuscript: its text and where each of its lines
    is (file line, first and last column), so a translation can take its place."""

    text: str
    line: int
    spans: tuple[tuple[int, int, int], ...] = ()
    key: tuple = ()  # front matter: the key path in Meta.lines, e.g. ("title",)


@dataclass
class Source:
    """A manuscript cut into messages."""

    path: Path
    meta: Meta  # its front matter, as the reader reads it
    lines: list[str]
    pieces: list[Piece]
    # Blocks that could not be cut into messages: they stay in the manuscript's language.
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def body(self) -> list[Piece]:
        return [p for p in self.pieces if not p.key]


def catalog_folder(source: Path) -> Path:
    return source.parent / LOCALE


def template_path(source: Path) -> Path:
    return catalog_folder(source) / f"{slug_for(source)}.pot"


def catalog_path(source: Path, language: str) -> Path:
    return catalog_folder(source) / language / f"{slug_for(source)}.po"


def translations_of(source: Path) -> list[Path]:
    """The PO files of a manuscript, one per language, in language order."""
    folder = catalog_folder(source)
    return sorted(folder.glob(f"*/{slug_for(source)}.po")) if folder.is_dir() else []


# -- cutting a manuscript into messages ------------------------------------------------------


def cut(path: Path) -> Source:
    """The manuscript's messages, in document order (front matter first)."""
    text = read_text(path)
    yaml_text, body_line = frontmatter.split(text, path)
    meta, _ = frontmatter.read_meta(yaml_text, path, slug_for(path))
    lines = text.split("\n")
    body, _ = clean_characters("\n".join(lines[body_line - 1:]), body_line, path)
    lines[body_line - 1:] = body.split("\n")
    source = Source(path, meta, lines, front_pieces(meta))
    headings = set()
    cursor: dict[int, int] = {}  # where the last message on a line ended (table cells)
    aligned = range(0)  # the body lines of a grid or simple table
    for token in _PARSER.parse(body, {}):
        if token.type == "heading_open" and token.map:
            headings.add(token.map[0])
        if token.type == "table_open" and token.map and not is_pipe_table(
                lines, token.map[0] + body_line):
            aligned = range(*token.map)
            source.warnings.append(untranslatable(
                path, token.map[0] + body_line, "this table's cells", "its columns line "
                "up by position, which a translation would break",
                "write it as a pipe table (| a | b |) to have it translated"))
        if token.type == "inline" and token.map and token.map[0] in aligned:
            continue
        if token.type == "inline" and token.map and token.content.strip():
            piece = locate(token.content, token.map[0] + body_line, lines, cursor,
                           heading=token.map[0] in headings)
            if piece is None:
                source.warnings.append(untranslatable(
                    path, token.map[0] + body_line, "this block",
                    "its text is not written line by line",
                    "write it as plain paragraphs, list items or a pipe table"))
            else:
                source.pieces.append(piece)
    return source


def untranslatable(path: Path, line: int, what: str, why: str, hint: str) -> Diagnostic:
    """A block the cutter cannot offer for translation: it stays as the manuscript has
    it in every translation, and the warning says why and what to write instead."""
    return Diagnostic(path, line, f"{what} cannot be offered for translation ({why}); it "
                      "stays in the manuscript's language in every translation", hint,
                      severity="warning")


PIPE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def is_pipe_table(lines: list[str], header: int) -> bool:
    """A pipe table (its header on file line ``header``, then a |---| rule) takes cells
    of any width; grid, simple and multiline tables do not."""
    rule = lines[header] if header < len(lines) else ""  # file line header + 1
    return "|" in rule and bool(PIPE_RULE.match(rule))


def front_pieces(meta) -> list[Piece]:
    found = [Piece(getattr(meta, key), meta.lines.get((key,), 1), key=(key,))
             for key in FRONT if getattr(meta, key)]
    found += [Piece(word, meta.lines.get(("keywords", i), 1), key=("keywords", i))
              for i, word in enumerate(meta.keywords)]
    found += [Piece(h.title, meta.lines.get(("handouts", i, "title"), h.line),
                    key=("handouts", i, "title")) for i, h in enumerate(meta.handouts)]
    found += [Piece(h.summary, meta.lines.get(("handouts", i, "summary"), h.line),
                    key=("handouts", i, "summary"))
              for i, h in enumerate(meta.handouts) if h.summary]
    return found


def locate(content: str, line: int, lines: list[str], cursor: dict[int, int], heading: bool
           ) -> Piece | None:
    """Find each line of a block's inline source in the file, left to right."""
    spans = []
    for offset, part in enumerate(content.split("\n")):
        number = line + offset
        if number > len(lines):
            return None
        raw = lines[number - 1]
        start = raw.find(part, cursor.get(number, 0))  # table cells share lines
        if not part or start < 0:
            return None
        end = start + len(part)
        if offset == 0 and (caption := CAPTION.match(part)):
            start += caption.end()
        spans.append((number, start, end))
        cursor[number] = end
    if heading:  # the heading's {#id .class} belongs to its message
        number, start, end = spans[-1]
        if ATTRS.fullmatch(lines[number - 1][end:]):
            spans[-1] = (number, start, len(lines[number - 1].rstrip()))
    text = "\n".join(lines[n - 1][s:e] for n, s, e in spans)
    return Piece(text, line, tuple(spans))


# -- catalogs ----------------------------------------------------------------------------------


def template(source: Source, root: Path):
    """The POT catalog of a manuscript: one message per distinct text, every place it
    appears as a reference (``manuscript/<file>.md:line``)."""
    from babel.messages.catalog import Catalog

    name = display(source.path, root)
    meta_date = first_date(source)
    catalog = Catalog(project=source.path.stem, version=meta_date.date().isoformat(),
                      creation_date=meta_date, revision_date=meta_date, fuzzy=False,
                      charset="utf-8", header_comment=HEADER.format(name=name))
    for piece in source.pieces:
        comment = ["front matter: " + " ".join(str(k) for k in piece.key)] if piece.key else []
        catalog.add(piece.text, "", [(name, piece.line)], auto_comments=comment)
    return catalog


def first_date(source: Source) -> dt.datetime:
    """The POT's creation date, from the manuscript (not the clock), so extracting an
    unchanged manuscript writes the same bytes."""
    day = source.meta.date or dt.date(1970, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def po_bytes(catalog, headers: dict[str, str] | None = None) -> bytes:
    """The catalog as PO text; ``headers`` (X-Reviewed-By…) are written back into the
    header, which Babel itself does not keep."""
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, sort_output=False)
    text = with_previous(out.getvalue().decode("utf-8"), catalog)
    if headers:
        extra = "".join(f'"{k}: {v}\\n"\n' for k, v in headers.items())
        text = text.replace('"Generated-By:', extra + '"Generated-By:', 1)
    return text.encode("utf-8")


def with_previous(text: str, catalog) -> str:
    """Each fuzzy message's previous English as ``#| msgid`` lines, the way msgmerge
    writes them, so a PO editor shows the translator what changed. (Babel's own
    ``include_previous`` re-wraps a long one into broken lines.)"""
    from babel.messages.pofile import normalize

    for message in catalog:
        if not (message.fuzzy and message.previous_id and isinstance(message.id, str)):
            continue
        previous = message.previous_id[0]
        block = f"\nmsgid {normalize(message.id, width=WIDTH)}\n"
        lines = f"msgid {normalize(previous, width=WIDTH)}".split("\n")
        before = "".join(f"#| {line}\n" for line in lines)
        text = text.replace(block, "\n" + before + block[1:], 1)
    return text


def read_catalog(path: Path):
    """A PO file as a Babel catalog; a malformed file is an error naming its line."""
    from babel.messages.pofile import PoFileError, read_po

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PublishError(path, 0, f"cannot read the catalog: {exc.strerror or exc}") from None
    try:
        return read_po(io.BytesIO(data), abort_invalid=True, charset="utf-8")
    except PoFileError as exc:
        raise PublishError(path, getattr(exc, "lineno", 0) or 0, f"not a valid PO file: {exc}",
                           "open it in a PO editor (Poedit) and save it again") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise PublishError(path, 0, f"not a valid PO file: {exc}",
                           "save it as UTF-8 from a PO editor (Poedit)") from None


def own_headers(path: Path) -> dict[str, str]:
    """The PO header's fields, as written (Babel drops the X- ones)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    match = re.search(r'^msgid ""\s*\nmsgstr ((?:"(?:[^"\\]|\\.)*"\s*\n?)+)', text, re.M)
    if not match:
        return {}
    try:
        header = "".join(ast.literal_eval(part) for part in
                         re.findall(r'"(?:[^"\\]|\\.)*"', match.group(1)))
    except (ValueError, SyntaxError):
        return {}
    fields = (line.partition(":") for line in header.split("\n") if ":" in line)
    return {name.strip(): value.strip() for name, _, value in fields}


def update(template_catalog, path: Path, language: str) -> bytes:
    """msgmerge: the template merged into a language's catalog (new when there is none).
    Changed messages become fuzzy with their previous text; removed ones obsolete."""
    from babel.messages.catalog import Catalog

    if path.is_file():
        catalog = read_catalog(path)
        headers = {k: v for k, v in own_headers(path).items() if k.startswith("X-")}
    else:
        catalog = Catalog(locale=language.replace("-", "_"), project=template_catalog.project,
                          version=template_catalog.version,
                          header_comment=template_catalog.header_comment,
                          creation_date=template_catalog.creation_date,
                          revision_date=template_catalog.creation_date, fuzzy=False)
        headers = {}
    catalog.update(template_catalog, update_header_comment=False)
    catalog.creation_date = template_catalog.creation_date
    return po_bytes(catalog, headers)


# -- reading a translation -----------------------------------------------------------------------


@dataclass
class Status:
    """How far a language's catalog is, measured against the manuscript as it is now."""

    path: Path
    language: str
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    reviewed_by: str = ""
    reviewed_on: dt.date | None = None
    revised: dt.datetime | None = None
    changed: list[Piece] = field(default_factory=list)  # fuzzy or missing since the review
    problems: list[str] = field(default_factory=list)  # why the review does not count

    @property
    def reviewed(self) -> bool:
        return not (self.fuzzy or self.untranslated or self.problems)

    @property
    def why_draft(self) -> str:
        """"1 fuzzy; no review recorded yet": what keeps it from being published."""
        counts = [f"{n} {what}" for n, what in ((self.untranslated, "untranslated"),
                                                 (self.fuzzy, "fuzzy")) if n]
        return "; ".join([*counts, *self.problems])


def status(source: Source, path: Path, catalog=None) -> Status:
    catalog = catalog or read_catalog(path)
    headers = own_headers(path)
    result = Status(path, language_of(catalog, path))
    seen = set()
    for piece in source.pieces:
        if piece.text in seen:
            continue
        seen.add(piece.text)
        message = catalog.get(piece.text)
        if message is None or not message.string:
            result.untranslated += 1
            result.changed.append(piece)
        elif message.fuzzy:
            result.fuzzy += 1
            result.changed.append(piece)
        else:
            result.translated += 1
    result.reviewed_by = headers.get(REVIEWED_BY, "")
    result.revised = catalog.revision_date if isinstance(catalog.revision_date, dt.datetime) \
        else None
    try:
        result.reviewed_on = dt.date.fromisoformat(headers.get(REVIEWED_DATE, "")[:10])
    except ValueError:
        result.reviewed_on = None
    result.problems = review_problems(result)
    return result


def review_problems(result: Status) -> list[str]:
    if not result.reviewed_by or result.reviewed_on is None:
        return ["no review recorded yet"]
    if result.revised and result.revised.date() > result.reviewed_on:
        return [f"revised on {result.revised.date()}, after the review of {result.reviewed_on}"]
    return []


def language_of(catalog, path: Path) -> str:
    """The catalog's language as a BCP 47 tag (es, es-MX), from its header or folder."""
    code = str(catalog.locale) if catalog.locale else path.parent.name
    return code.replace("_", "-")


def check_kept(english: str, translated: str) -> str:
    """What the translation lost or added of what it must keep, or ''."""
    for what, pattern in KEPT.items():
        want, got = Counter(pattern.findall(english)), Counter(pattern.findall(translated))
        if want != got:
            lost = ", ".join(sorted((want - got).elements()))
            added = ", ".join(sorted((got - want).elements()))
            parts = [f"lost {lost}" if lost else "", f"added {added}" if added else ""]
            return f"the translation's {what}s differ from the English: " + "; ".join(
                p for p in parts if p)
    return ""


@dataclass
class Placed:
    """The translated manuscript's text and where each of its lines came from."""

    lines: list[str]
    origin: list[tuple[bool, int]]  # per line: (from the PO file?, line there)


def place(source: Source, catalog, path: Path, heading_ids: dict[int, str]) -> Placed:
    """Every translated message in its English message's place. Untranslated and fuzzy
    messages stay English (gettext's rule); a translation that changes a link, footnote
    call or id is an error naming its PO line."""
    replacements: dict[int, tuple[Piece, str, int]] = {}
    errors = []
    for piece in source.body:
        message = catalog.get(piece.text)
        if message is None or not message.string or message.fuzzy:
            continue
        text = message.string
        if problem := check_kept(piece.text, text):
            errors.append(Diagnostic(path, message.lineno or 0, problem,
                                     "keep every (target), [^note] call and {#id} exactly as "
                                     "in the msgid"))
            continue
        if piece.line in heading_ids and not KEPT["id"].search(text):
            text = f"{text} {{#{heading_ids[piece.line]}}}"  # its English id, for links
        replacements[piece.spans[0][0]] = (piece, text, message.lineno or 0)
    if errors:
        raise PublishError.of(errors)
    placed = splice(source.lines, replacements)
    language = language_of(catalog, path)
    placed.lines = [localized_images(line, source.path.parent, language)
                    for line in placed.lines]
    return placed


IMAGE_TARGET = re.compile(r"(!\[[^\]]*\]\(\s*<?)([^()\s<>]+\.(?:svg|png|jpe?g|gif|webp))",
                          re.I)


def localized_image(src: str, folder: Path, language: str) -> str:
    """``images/x.es.svg`` for ``images/x.svg`` when it exists beside it (Sphinx's
    figure_language_filename): a figure whose labels are drawn in the language."""
    stem, dot, suffix = src.rpartition(".")
    for tag in dict.fromkeys([language, language.split("-")[0]]):
        candidate = f"{stem}.{tag}{dot}{suffix}"
        if "://" not in src and (folder / candidate).is_file():
            return candidate
    return src


def localized_images(line: str, folder: Path, language: str) -> str:
    return IMAGE_TARGET.sub(lambda m: m.group(1) + localized_image(m.group(2), folder,
                                                                   language), line)


def splice(lines: list[str], replacements: dict[int, tuple[Piece, str, int]]) -> Placed:
    """Rebuild the text line by line; a message may come back with more or fewer lines."""
    out, origin = [], []
    by_line: dict[int, list[tuple[Piece, str, int]]] = {}
    for piece, text, po_line in replacements.values():
        by_line.setdefault(piece.spans[0][0], []).append((piece, text, po_line))
    skip = set()
    for number, raw in enumerate(lines, start=1):
        if number in skip:
            continue
        pieces = sorted(by_line.get(number, []), key=lambda r: -r[0].spans[0][1])
        multi = [r for r in pieces if len(r[0].spans) > 1 or "\n" in r[1]]
        if not multi:
            for piece, text, _ in pieces:  # right to left, so columns stay true
                _, start, end = piece.spans[0]
                raw = raw[:start] + text.replace("\n", " ") + raw[end:]
            out.append(raw)
            origin.append((True, pieces[0][2]) if pieces else (False, number))
            continue
        piece, text, po_line = multi[0]  # a paragraph is alone on its lines
        new = spread(lines, piece, text.split("\n"))
        out += new
        origin += [(True, po_line)] * len(new)
        skip.update(n for n, _, _ in piece.spans)
    return Placed(out, origin)


def spread(lines: list[str], piece: Piece, parts: list[str]) -> list[str]:
    """A paragraph's translated lines, each with the indentation its English had."""
    _, start, _ = piece.spans[0]
    last, _, end = piece.spans[-1]
    indents = [lines[n - 1][:s] for n, s, _ in piece.spans]
    indent = indents[1] if len(indents) > 1 else " " * start
    result = []
    for i, part in enumerate(parts):
        lead = indents[0] if i == 0 else indents[i] if i < len(indents) else indent
        result.append(lead + part)
    result[-1] += lines[last - 1][end:]
    return result


def read_translation(english: Guide, path: Path, fonts: glyphs.FontSet | None = None
                     ) -> tuple[Guide, list[Diagnostic]]:
    """The guide in the catalog's language: read by the reader from the manuscript with
    every translated message in place. Errors are reported at their PO line."""
    source = cut(english.source)
    catalog = read_catalog(path)
    heading_ids = {s.line: s.id for s in english.sections}
    placed = place(source, catalog, path, heading_ids)
    try:
        guide, warnings = read_guide(english.source, fonts, text="\n".join(placed.lines))
    except PublishError as exc:
        raise PublishError.of([relocate(d, english.source, path, placed.origin)
                               for d in exc.diagnostics]) from None
    state = status(source, path, catalog)
    language = state.language
    translation = Translation(language, path, english.meta.language, state.reviewed,
                              tuple(placed.origin))
    meta = translated_meta(english.meta, catalog, language)
    warnings += english_labels(guide, language)
    # Its warnings stay at the translated text's lines, like its nodes': the build and
    # `publish check` move every finding to the line a person edits (``relocated``).
    return replace(guide, meta=meta, translation=translation), warnings


def english_labels(guide: Guide, language: str) -> list[Diagnostic]:
    """Drawings whose words are still the manuscript's: each SVG with text in it (as
    svgtext finds it, <tspan>s too) and no version for this language beside it."""
    found = []
    for asset in guide.assets.values():
        if asset.media_type != "image/svg+xml":
            continue
        # the reader's own cleaned bytes: no DTD, no entities
        labels = [label.text for label in svgtext.labels(ET.fromstring(asset.data))
                  if label.text]
        if labels and f".{language.split('-')[0]}." not in asset.src:
            stem, _, suffix = asset.src.rpartition(".")
            found.append(Diagnostic(
                guide.source, asset.line, f"{asset.src} has words drawn in it "
                f"({', '.join(labels[:4])}{' …' if len(labels) > 4 else ''}) that this "
                "translation does not change", f"draw {stem}.{language}.{suffix} beside it "
                "with the words translated: the translation uses it in its place",
                severity="warning", rule="translation"))
    return found


def translated_meta(meta: Meta, catalog, language: str) -> Meta:
    """The front matter in the catalog's language: its messages (see ``front_pieces``),
    the language, the guide's URL with <language>/ added, an identifier of its own."""
    def tr(value: str) -> str:
        message = catalog.get(value)
        return message.string if message and message.string and not message.fuzzy else value

    # A translated sheet has a reorder code of its own: the desk stocks each language.
    suffix = "-" + language.split("-")[0].upper()
    handouts = tuple(replace(h, title=tr(h.title), summary=tr(h.summary),
                             code=h.code + suffix) for h in meta.handouts)
    url = meta.url if not meta.url else meta.url.rstrip("/") + f"/{language.lower()}/"
    return replace(
        meta, title=tr(meta.title), subtitle=tr(meta.subtitle),
        description=tr(meta.description), keywords=tuple(tr(k) for k in meta.keywords),
        handouts=handouts, language=language, url=url,
        identifier=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, meta.identifier + '#' + language)}")


def relocate(found: Diagnostic, manuscript: Path, po: Path,
             origin: list[tuple[bool, int]] | tuple) -> Diagnostic:
    """A finding about the translated text, pointed at the line it came from: the PO
    file's message, or the manuscript's own line (front matter, fences, code)."""
    if Path(found.path).resolve() != Path(manuscript).resolve() or not found.line:
        return found
    if found.line > len(origin):
        return found
    from_po, line = origin[found.line - 1]
    return replace(found, path=po if from_po else manuscript, line=line,
                   col=0 if from_po else found.col)


def section_at(guide: Guide, line: int) -> Section | None:
    """The (innermost) section a manuscript line is in; None in the front matter."""
    return next((s for s in reversed(guide.sections) if s.line <= line), None)


def relocated(guide: Guide, found: list[Diagnostic]) -> list[Diagnostic]:
    """Findings about a guide, at the lines a person edits: for a translation, the PO
    message a line came from."""
    state = guide.translation
    if state is None:
        return found
    return [relocate(d, guide.source, state.catalog, state.origin) for d in found]
