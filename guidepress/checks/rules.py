"""The rules of `publish check`. Each reads the model and yields findings."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .. import colors as wcag
from ..errors import Diagnostic, PublishError
from ..model import Guide, HandoutSpec, Node
from .context import CheckContext, Rule, primary_language
from .text import Sentence, scores, sentences, spanish_scores

FILE_NAME = re.compile(r"\.(png|jpe?g|gif|webp|svg)$|^(img|image|dsc|photo)[_-]?\d+", re.I)
VAGUE_ALT = re.compile(r"^(an? )?(image|picture|photo|graphic|drawing) of\b", re.I)
# After the word: "(plain words)", ", meaning …", " means …", " is a …", " are the …".
EXPLAINED = re.compile(r"^[’'s]*\s*(\(|,?\s*(meaning|which means|that is)\b|means\b"
                       r"|(is|are)\s+(an?|the)\b)", re.I)
# Before the word: "called …", "called a …".
CALLED = re.compile(r"\bcalled\s+(an?\s+)?$", re.I)
# The same in Spanish. After: "(palabras)", a dash appositive ("— dolor que baja…"), a
# comma appositive that starts with an article (", un dolor que…": a bare comma is too
# often just the sentence going on; ", que es un …" too), "es decir", "o sea", "(que)
# quiere decir", "significa", and "es un …"/"son los …" as the English "is a …".
ARTICLE = r"(un|una|unos|unas|el|la|los|las)"
EXPLICADO = re.compile(r"^\s*(\(|[\u2014\u2013]|-\s"
                       r"|,?\s*(es\s+decir|o\s+sea|(que\s+)?quieren?\s+decir|significan?)\b"
                       rf"|,\s*(que\s+(es|son)\s+)?{ARTICLE}\s|(es|son)\s+{ARTICLE}\b)", re.I)
# Before: "llamado …", "las llamadas …", "se llama …", "se llaman los …".
LLAMADO = re.compile(rf"\b(llamad[oa]s?|se\s+llaman?)\s+({ARTICLE}\s+)?$", re.I)
# The accent of a word's last syllable goes in the plural (lesión → lesiones, tendón →
# tendones), and people type without accents: an accented vowel in a term matches both.
ACCENT_FREE = {"á": "[aá]", "é": "[eé]", "í": "[ií]", "ó": "[oó]", "ú": "[uú]"}
FIGURE_SHARE = 0.88  # figures print at 88 % of the text width (styles/css/print.css)


def column(guide: Guide, line: int, needle: str) -> int:
    """1-based column of ``needle`` on a source line (1 when it cannot be found)."""
    if not needle or not 0 < line <= len(guide.source_lines):
        return 1
    found = guide.source_lines[line - 1].lower().find(needle.lower()[:40])
    return found + 1 if found >= 0 else 1


def finding(guide: Guide, line: int, message: str, hint: str = "", severity: str = "warning",
            needle: str = "") -> Diagnostic:
    return Diagnostic(guide.source, line, message, hint, severity,
                      col=column(guide, line, needle))


# -- reading level ------------------------------------------------------------------------


def longest(items: list[Sentence], count: int = 3) -> str:
    ranked = sorted(items, key=lambda s: -len(s.words))[:count]
    return "; ".join(f"line {s.line}: “{shorten(s.text)}” ({len(s.words)} words)"
                     for s in ranked)


def shorten(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def grade_problem(items: list[Sentence], fk_limit: float, smog_limit: float) -> str:
    result = scores(items)
    if result is None:
        return ""
    too_hard = result.flesch_kincaid > fk_limit or (
        result.sentences >= 10 and result.smog > smog_limit)
    if not too_hard:
        return ""
    return (f"reads at grade {result.flesch_kincaid:g} (Flesch–Kincaid; SMOG {result.smog:g}); "
            f"aim for grade {fk_limit:g} or lower")


def inflesz_problem(items: list[Sentence], limit: float) -> str:
    """For Spanish: INFLESZ below the limit (higher is easier), with Fernández-Huerta."""
    result = spanish_scores(items)
    if result is None or result.inflesz >= limit:
        return ""
    return (f"scores {result.inflesz:.1f} on INFLESZ ({result.band}; Fernández-Huerta "
            f"{result.fernandez_huerta:.1f}); aim for {limit:g} or higher")


def level_problem(guide: Guide, items: list[Sentence], context: CheckContext,
                  handout: bool) -> str:
    """The formula made for the guide's language: Flesch–Kincaid and SMOG were fitted to
    English (CMU syllables), INFLESZ to Spanish."""
    limits = context.limits
    if primary_language(guide.meta.language) == "es":
        return inflesz_problem(items, limits.inflesz_handout if handout else limits.inflesz_book)
    if handout:
        return grade_problem(items, limits.reading_grade_handout, limits.smog_grade_handout)
    return grade_problem(items, limits.reading_grade_book, limits.smog_grade_book)


def reading_level(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    for section in guide.sections:
        items = sentences(guide.section_blocks(section))
        problem = level_problem(guide, items, context, handout=False)
        if problem:
            yield finding(guide, section.line, f"section '{section.title}' {problem}",
                          "shorter sentences and shorter words help; longest: " + longest(items),
                          needle=section.title)
    for handout in guide.meta.handouts:
        items = sentences(tuple(b for s in handout.sections
                                for b in guide.section_blocks(guide.section(s))))
        problem = level_problem(guide, items, context, handout=True)
        if problem:
            yield finding(guide, handout.line, f"handout '{handout.id}' {problem}",
                          "longest: " + longest(items), needle=handout.id)


def long_sentence(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    limit = context.limits.long_sentence_words
    for sentence in sentences(guide.blocks):
        if len(sentence.words) > limit:
            yield finding(guide, sentence.line,
                          f"sentence of {len(sentence.words)} words: “{shorten(sentence.text)}”",
                          f"split it; {limit} words or fewer are easier to follow",
                          needle=" ".join(sentence.text.split()[:3]))


def term_pattern(term: str) -> re.Pattern:
    """A jargon word, its plural (an "s" or "es" on the end), any capitals, and for an
    accented vowel the same vowel without its accent."""
    body = "".join(ACCENT_FREE.get(ch, re.escape(ch)) for ch in term.lower())
    return re.compile(rf"\b{body}(s|es)?\b", re.I)


def jargon(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    """Medical words from the list for the guide's language (styles/jargon.yaml for
    English, styles/jargon-es.yaml for Spanish…), unless explained where they first appear."""
    prose = sentences(guide.blocks)
    spanish = primary_language(guide.meta.language) == "es"
    explained, called = (EXPLICADO, LLAMADO) if spanish else (EXPLAINED, CALLED)
    for term, plain in context.jargon_for(guide.meta.language).items():
        pattern = term_pattern(term)
        first = next(((s, m) for s in prose if (m := pattern.search(s.text))), None)
        if first is None:
            continue
        sentence, match = first
        after = sentence.text[match.end():]
        before = sentence.text[:match.start()]
        if explained.match(after) or called.search(before):
            continue
        yield finding(guide, sentence.line,
                      f"“{match.group(0)}” may be unfamiliar to patients",
                      f"say “{plain}”, or explain it in brackets the first time it appears",
                      needle=match.group(0))


# -- images ------------------------------------------------------------------------------


def images(guide: Guide) -> Iterator[Node]:
    for node in guide.walk():
        if node.type == "image":
            yield node


def image_alt(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    for image in images(guide):
        alt, src = image.attrs.get("alt", "").strip(), image.attrs.get("src", "")
        hint = "describe what the picture shows, in the [brackets], for people who cannot see it"
        if not alt:
            yield finding(guide, image.line, f"image '{src}' has no alt text", hint, "error",
                          needle="![")
        elif FILE_NAME.search(alt) or alt == src.rsplit("/", 1)[-1]:
            yield finding(guide, image.line, f"the alt text of '{src}' is a file name", hint,
                          needle=alt)
        elif VAGUE_ALT.match(alt):
            yield finding(guide, image.line,
                          f"the alt text of '{src}' starts with “{VAGUE_ALT.match(alt).group(0)}”",
                          "say what it shows straight away; screen readers already say 'image'",
                          needle=alt)


def text_width_inches(context: CheckContext) -> float:
    from ..layout.book import office_edition

    edition = office_edition(context.brand)
    width = float(edition.page_size.split()[0].removesuffix("in").removesuffix("mm"))
    if edition.page_size.endswith("mm"):
        width /= 25.4
    return width - float(edition.inner.removesuffix("in")) - float(edition.outer.removesuffix("in"))


def image_resolution(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    from ..layout.book import PRINT_DPI

    inches = FIGURE_SHARE * text_width_inches(context)
    needed = round(inches * PRINT_DPI)
    for asset in guide.assets.values():
        if asset.media_type == "image/svg+xml":
            continue  # drawn as vectors: sharp at any size
        width = asset.pixels_wide
        if width < needed:
            yield finding(guide, asset.line,
                          f"image '{asset.src}' is {width} pixels wide; printed "
                          f"{inches:.1f} in wide it needs {needed} for {PRINT_DPI} dpi",
                          "use a larger version, or an SVG drawing", needle=asset.src)


def svg_label(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    """Words drawn in an SVG that run past the left or right edge of its viewBox, measured
    in the brand's text font (every output draws them in it: read/svgtext.py), at the
    image's first line in the manuscript. Outside the viewBox they are cut off."""
    from ..read.svgtext import overruns

    family = context.brand.text_font
    for asset in guide.assets.values():
        if asset.media_type != "image/svg+xml":
            continue
        for over in overruns(asset.data, family):
            towards = "left" if over.side == "right" else "right"
            yield finding(guide, asset.line,
                          f"{asset.src}: the label '{shorten(over.text)}' runs "
                          f"{over.by:.0f} px past the {over.side} edge of the drawing's "
                          f"viewBox; move it {towards} or shorten it",
                          f"measured in {family.family}, the font every output draws the "
                          "drawing's words in; past the edge they are cut off",
                          needle=asset.src)


# -- structure -----------------------------------------------------------------------------


def heading_order(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    previous = 0
    for node in guide.walk():
        if node.type != "heading":
            continue
        level = int(node.attrs["level"])
        if level > previous + 1:
            yield finding(guide, node.line,
                          f"heading level jumps from {previous} to {level}",
                          f"use {'#' * (previous + 1)} here; screen-reader users move by "
                          "heading levels", "error", needle="#")
        previous = level


def heading_id(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    for section in guide.sections:
        if section.heading.attrs.get("auto_id"):
            yield finding(guide, section.line, f"heading '{section.title}' has no id",
                          f"add {{#{section.id}}} at the end of the line, so handouts and "
                          "links keep working when the title changes", needle=section.title)


def handout_fit(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    for _spec, layout in handout_layouts(guide, context):
        if isinstance(layout, PublishError):
            yield Diagnostic(guide.source, layout.diagnostic.line, layout.diagnostic.message,
                             layout.diagnostic.hint, "error", col=1)


# -- the laid-out pages (--render) ---------------------------------------------------------

# The handouts laid out for the last guide checked: handout-fit and overflow both read
# them, and each layout costs a fit search (up to a second a handout).
_handout_cache: dict[str, Any] = {}

PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels, 96 to the inch
TOLERANCE_PT = 0.75  # rounding in the layout; less than a hairline
LONGEST_WORD = 20  # letters; a longer run (a URL, a compound name) may break in a cell
HYPHEN = "\u2010"  # what WeasyPrint prints where it breaks at a soft hyphen


def build_context(guide: Guide, context: CheckContext):
    from ..writers import BuildContext, build_timestamp

    return BuildContext(context.brand, "check", build_timestamp(guide))


def handout_layouts(guide: Guide, context: CheckContext) -> list[tuple[HandoutSpec, Any]]:
    """Each handout as the writer lays it out (a WeasyPrint document), or the error that
    keeps it off one page."""
    from ..writers.handout import FIT, fit_to_page

    if _handout_cache.get("guide") is guide and _handout_cache.get("brand") is context.brand:
        return _handout_cache["layouts"]
    build = build_context(guide, context)
    layouts: list[tuple[HandoutSpec, Any]] = []
    for spec in guide.meta.handouts:
        try:
            layouts.append((spec, fit_to_page(guide, spec, build, FIT)))
        except PublishError as error:
            layouts.append((spec, error))
    _handout_cache.update(guide=guide, brand=context.brand, layouts=layouts)
    return layouts


@dataclass
class Overrun:
    """The part of one block that prints outside the column or page it belongs to."""

    line: int
    kind: str  # "text", "code", "table", "image"
    edge: str  # "page" or "column"
    side: str  # "right" or "left"
    points: float  # how far past the edge, the worst of the block's pieces
    page: int  # 1-based physical page
    table: Node | None = None


@dataclass
class Blocks:
    """Finds the manuscript line of a laid-out box: the renderer marks every leaf block
    with data-b="<n>" (render/pages.py); code blocks, which it does not mark, are matched
    by their text."""

    guide: Guide
    leaves: dict[str, tuple[Node, Node | None]]  # key → (leaf, the table it is in)
    code: list[Node]  # code blocks not yet matched to a <pre>, in manuscript order
    pres: dict[int, tuple[Node, list[int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, guide: Guide) -> Blocks:
        from ..render.pages import leaf_keys

        keys = leaf_keys(guide)
        leaves: dict[str, tuple[Node, Node | None]] = {}
        code: list[Node] = []

        def visit(node: Node, table: Node | None) -> None:
            if id(node) in keys:
                leaves[keys[id(node)]] = (node, table)
                if node.type == "code_block":
                    code.append(node)
                return
            for child in node.children:
                visit(child, node if node.type == "table" else table)

        for block in guide.blocks:
            visit(block, None)
        return cls(guide, leaves, code)

    def code_line(self, pre, text: str) -> int | None:
        """The source line of a piece of text printed in the <pre> element ``pre``."""
        if id(pre) not in self.pres:
            printed = "".join(pre.itertext())
            node = next((n for n in self.code if n.text.rstrip("\n") == printed), None)
            if node is None:
                return None
            self.code.remove(node)
            self.pres[id(pre)] = (node, [0])
        node, cursor = self.pres[id(pre)]
        found = node.text.find(text.strip(), cursor[0]) if text.strip() else -1
        if found < 0:
            return node.line
        cursor[0] = found
        opening = self.guide.source_lines[node.line - 1].lstrip()[:3]
        fenced = 1 if opening in ("```", "~~~") else 0
        return node.line + fenced + node.text.count("\n", 0, found)


def overruns(document, blocks: Blocks, fallback: int) -> list[Overrun]:
    """Every glyph run or picture that prints outside the content box of its column (in
    a multi-column layout) or of its page, one per block and edge; ``fallback`` is the
    line to name for what no block of the manuscript made (the page furniture)."""
    from weasyprint.formatting_structure.boxes import MarginBox, ReplacedBox, TextBox

    found: dict[tuple, Overrun] = {}

    def note(box, frame, where: dict, page: int) -> None:
        if isinstance(box, TextBox):
            if not box.text.strip():
                return
            left, right = box.position_x, box.position_x + box.width
            if hanging := len(box.text) - len(box.text.rstrip()):
                # Spaces kept at the end of a code line hang past the edge, unprinted.
                # Code is monospaced, so their share of the width is their share of the
                # characters.
                right -= box.width * hanging / len(box.text)
        else:
            left, right = box.border_box_x(), box.border_box_x() + box.border_width()
        start = frame.content_box_x()
        for side, past in (("right", right - (start + frame.width)), ("left", start - left)):
            points = past * PX_TO_PT
            if points <= TOLERANCE_PT:
                continue
            line = where["line"] or fallback
            kind = "image" if isinstance(box, ReplacedBox) else where["kind"]
            edge = "column" if frame.is_column else "page"
            key = (line, kind, edge, side)
            if key not in found or found[key].points < points:
                found[key] = Overrun(line, kind, edge, side, points, page, where["table"])

    def walk(box, frame, where: dict, page: int) -> None:
        if getattr(box, "is_column", False):
            frame = box
        element = getattr(box, "element", None)
        tag = getattr(box, "element_tag", "") or ""
        if element is not None and tag == "pre":
            where = {**where, "kind": "code", "pre": element}
        elif element is not None and tag == "code" and where["kind"] == "text":
            where = {**where, "kind": "code"}
        elif element is not None and (key := element.get("data-b")) is not None:
            node, table = blocks.leaves.get(key, (None, None))
            if table is not None:  # one finding for the table, at its first line
                where = {**where, "line": table.line, "kind": "table", "table": table}
            elif node is not None:
                where = {**where, "line": node.line}
        if isinstance(box, TextBox) and where.get("pre") is not None:
            where = {**where, "line": blocks.code_line(where["pre"], box.text) or where["line"]}
        if isinstance(box, (TextBox, ReplacedBox)):
            note(box, frame, where, page)
            return
        for child in getattr(box, "children", ()):
            walk(child, frame, where, page)

    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        start = {"line": None, "kind": "text", "table": None, "pre": None}
        for child in page_box.children:
            if not isinstance(child, MarginBox):  # running heads and folios sit outside
                walk(child, page_box, start, number)
    return sorted(found.values(), key=lambda o: (o.line, o.page))


def split_words(cell) -> list[str]:
    """Ordinary words (letters only, up to LONGEST_WORD) that a table cell breaks across
    lines: its column is narrower than they are."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    def texts(box) -> Iterator[str]:
        if "::" in (getattr(box, "element_tag", "") or ""):
            return  # generated content: not in the cell's source text
        if isinstance(box, TextBox):
            yield box.text
        for child in getattr(box, "children", ()):
            yield from texts(child)

    def lines(box) -> Iterator[str]:
        if isinstance(box, LineBox):
            yield "".join(texts(box))
            return
        for child in getattr(box, "children", ()):
            yield from lines(child)

    def count(piece: str) -> int:
        return sum(1 for char in piece if not char.isspace())

    source = "".join(cell.element.itertext()) if cell.element is not None else ""
    letters: list[str] = []
    starts: set[int] = set()  # where a line may break: an index into letters
    for char in source:
        if char.isspace() or char == "\xad":  # a soft hyphen is a place to break, too
            starts.add(len(letters))
            continue
        letters.append(char)
    printed = [line.replace("\xad", "") for line in lines(cell)]
    if sum(map(count, printed)) != len(letters):
        # A break at a soft hyphen prints a hyphen that the source does not have.
        printed = [p.rstrip().removesuffix(HYPHEN) for p in printed]
    if sum(map(count, printed)) != len(letters):
        return []  # the printed text is not the cell's text (a footnote moved out)
    broken, seen = [], 0
    for piece in printed[:-1]:
        seen += count(piece)
        if seen in starts or not 0 < seen < len(letters):
            continue
        first = max((s for s in starts if s <= seen), default=0)
        last = min((s for s in starts if s > seen), default=len(letters))
        word = "".join(letters[first:last])
        if word.isalpha() and len(word) <= LONGEST_WORD:
            broken.append(word)
    return broken


def squeezed_tables(document, blocks: Blocks) -> list[tuple[Node, int, list[str], float]]:
    """Tables that fit their column only by splitting ordinary words: (table, page,
    the words split, the narrowest column's width in points)."""
    from weasyprint.formatting_structure.boxes import TableCellBox

    found: dict[int, tuple[Node, int, list[str], float]] = {}

    def walk(box, page: int) -> None:
        if isinstance(box, TableCellBox):
            element = box.element
            key = element.get("data-b") if element is not None else None
            _node, table = blocks.leaves.get(key, (None, None)) if key else (None, None)
            words = split_words(box) if table is not None else []
            if words:
                width = box.width * PX_TO_PT
                _, first, split, narrowest = found.get(id(table), (table, page, [], width))
                found[id(table)] = (table, first, split + words, min(narrowest, width))
            return
        for child in getattr(box, "children", ()):
            walk(child, page)

    for number, page in enumerate(document.pages, 1):
        walk(page._page_box, number)
    return list(found.values())


def columns_of(table: Node) -> int:
    rows = [n for n in table.walk() if n.type == "tr"]
    return max((len(r.children) for r in rows), default=0)


OVERRUN_HINTS = {
    "text": "a word or web address too long for the line; shorten it or put a space in it "
            "(the stylesheet can break such words: overflow-wrap in css/print.css and "
            "css/handout.css)",
    "code": "code (in `backticks`, a fenced block, or a line indented with a tab or four "
            "spaces) that does not wrap; break the line, or remove the indent if it is not "
            "meant as code",
    "table": "the table is wider than the space for it; give it fewer columns, or turn it "
             "into a list",
    "image": "the picture is wider than the space for it; use a smaller one (the "
             "stylesheet can shrink pictures to fit: max-width: 100%)",
}


def overrun_finding(guide: Guide, over: Overrun, where: str) -> Diagnostic:
    what = {"text": "text", "code": "code", "image": "an image"}.get(over.kind, "")
    if over.kind == "table" and over.table is not None:
        what = f"a table with {columns_of(over.table)} columns"
    elif over.kind == "table":
        what = "a table"
    message = (f"{what} runs past the {over.side} edge of the {over.edge} by "
               f"{over.points:.0f} pt in {where}, page {over.page}")
    return finding(guide, over.line, message, OVERRUN_HINTS[over.kind], "error")


def squeezed_finding(guide: Guide, table: Node, page: int, words: list[str], width: float,
                     where: str, handout: bool) -> Diagnostic:
    quoted = ", ".join(f"“{w}”" for w in list(dict.fromkeys(words))[:4])
    message = (f"a table with {columns_of(table)} columns is too wide for the "
               f"{'column' if handout else 'page'} in {where}, page {page}: its narrowest "
               f"column is {width:.0f} pt, and words such as {quoted} break in two")
    hint = ("a handout column holds a table of three or four short columns; split the "
            "table, turn it into a list, or keep it in the book only (::: {.book-only})"
            if handout else "split the table, or turn it into a list")
    return finding(guide, table.line, message, hint, "error" if handout else "warning")


def overflow(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    """Ink outside the text block of the print book and the handouts, read from the
    real layouts; and tables that fit a handout column only by splitting words (which
    the handout writer's fixed table layout would otherwise print)."""
    from ..layout.book import layout_book

    title_line = guide.meta.lines.get(("title",), 1)
    book = layout_book(guide, build_context(guide, context)).document
    for over in overruns(book, Blocks.of(guide), title_line):
        yield overrun_finding(guide, over, "the book")
    for table, page, words, width in squeezed_tables(book, Blocks.of(guide)):
        yield squeezed_finding(guide, table, page, words, width, "the book", handout=False)
    for spec, layout in handout_layouts(guide, context):
        if isinstance(layout, PublishError):
            continue  # handout-fit reports it
        where = f"handout '{spec.id}'"
        for over in overruns(layout, Blocks.of(guide), spec.line):
            yield overrun_finding(guide, over, where)
        for table, page, words, width in squeezed_tables(layout, Blocks.of(guide)):
            yield squeezed_finding(guide, table, page, words, width, where, handout=True)


# -- freshness ----------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    reviewed = guide.meta.reviewed
    if reviewed is None:
        yield Diagnostic(guide.source, guide.meta.lines.get(("title",), 1),
                         "the guide has no medical review date",
                         "add 'reviewed: YYYY-MM-DD' with the date a clinician last checked it",
                         "warning", rule="review-date", col=1)
        return
    due = add_months(reviewed, context.limits.review_months)
    if due < context.today:
        yield Diagnostic(guide.source, guide.meta.lines.get(("reviewed",), 1),
                         f"medical review overdue since {due.isoformat()}",
                         f"last reviewed {reviewed.isoformat()}; ask a clinician to check the "
                         "guide, then update 'reviewed'", "error", rule="review-overdue", col=1)


# -- translations ----------------------------------------------------------------------


def translation(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    """A translation that was reviewed and is a draft again (the English changed, or it
    was edited after the review): it is off the site until reviewed again. Each English
    section whose messages changed is named at its heading. A translation never reviewed
    is work in progress, not a finding: `publish check` prints its state on a line of
    its own. Blocks that cannot be offered for translation are named too."""
    from ..read.catalog import cut, status, translations_of

    if guide.translation is not None or not translations_of(guide.source):
        return
    pieces = cut(guide.source)
    yield from (replace(w, rule="translation") for w in pieces.warnings)
    for path in translations_of(guide.source):
        state = status(pieces, path)
        if state.reviewed or not (state.reviewed_by and state.reviewed_on):
            continue
        yield Diagnostic(path, 1, f"the '{state.language}' translation reviewed on "
                         f"{state.reviewed_on} is a draft again ({state.why_draft}): it is "
                         "built only into the drafts folder until it is reviewed again",
                         f"translate what changed, then record the new review ({REVIEWED})",
                         severity="warning", rule="translation")
        yield from changed_sections(guide, state)


REVIEWED = '"X-Reviewed-By: Name\\n" and "X-Reviewed-Date: YYYY-MM-DD\\n"'


def changed_sections(guide: Guide, state) -> Iterator[Diagnostic]:
    """One finding per English section with fuzzy or new messages, at its heading."""
    from ..read.catalog import section_at

    by_section: dict[int, tuple] = {}  # by heading line (0: the front matter)
    for piece in state.changed:
        section = section_at(guide, piece.line)
        by_section.setdefault(section.line if section else 0, (section, []))[1].append(piece)
    for section, pieces in by_section.values():
        lines = ", ".join(str(p.line) for p in pieces[:6]) + (" …" if len(pieces) > 6 else "")
        where = (f"{section.title} (#{section.id}, line {section.line})" if section
                 else "front matter")
        yield Diagnostic(guide.source, section.line if section else pieces[0].line,
                         f"'{state.language}' translation: {where} has "
                         f"{len(pieces)} message(s) changed or new since it was translated "
                         f"(lines {lines})",
                         f"run `publish i18n update --lang {state.language}`, translate the "
                         "fuzzy and empty messages, and record a new review",
                         severity="warning", rule="translation")


# -- handouts ---------------------------------------------------------------------------


def handout_help(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    """Every handout tells the patient when to call. With a ``when_to_call`` box in
    brand.yaml the handout writer prints it on a handout without a ``.warning`` box of its
    own; without one, such a handout says nowhere when to get help."""
    if context.brand.data.help_box is not None or guide.translation is not None:
        return  # a translation has the manuscript's blocks: the finding would repeat
    for spec in guide.meta.handouts:
        if not guide.handout_warns(spec):
            yield finding(guide, spec.line,
                          f"handout '{spec.id}' does not tell the patient when to call: none "
                          "of its sections has a warning box",
                          "add a ::: {.warning} box (when to call, and the number) to one of "
                          "its sections, or a when_to_call box to styles/brand.yaml",
                          needle=spec.id)


RULES: dict[str, Rule] = {
    "reading-level": Rule(reading_level, "warning",
                          "Flesch–Kincaid grade (and SMOG for 10+ sentences) of every section "
                          "and handout; for Spanish guides, the INFLESZ score (reported with "
                          "Fernández-Huerta)"),
    "long-sentence": Rule(long_sentence, "warning", "sentences longer than 25 words"),
    "jargon": Rule(jargon, "warning",
                   "medical words from styles/jargon.yaml (styles/jargon-es.yaml for Spanish "
                   "guides) not explained where first used"),
    "image-alt": Rule(image_alt, "error",
                      "alt text missing (error), a file name, or 'image of …' (warnings)"),
    "image-resolution": Rule(image_resolution, "warning",
                             "raster images under 300 dpi at their printed size"),
    "svg-label": Rule(svg_label, "warning",
                      "words drawn in an SVG that run past the edge of its viewBox, measured "
                      "in the brand's text font"),
    "heading-order": Rule(heading_order, "error", "heading levels that skip a level"),
    "heading-id": Rule(heading_id, "warning", "headings without an explicit {#id}"),
    "handout-fit": Rule(handout_fit, "error",
                        "handouts that do not fit one page at the 12 pt floor", render=True),
    "overflow": Rule(overflow, "error",
                     "text, code, tables or images printed past the edge of the page or "
                     "column in the book and handouts, and tables that fit a handout column "
                     "only by splitting words", render=True),
    "handout-help": Rule(handout_help, "warning",
                         "handouts with no warning box (when to call) when brand.yaml has no "
                         "when_to_call box for the writer to add"),
    "review-date": Rule(review, "error",
                        "medical review date missing (review-date) or overdue (review-overdue)"),
    "translation": Rule(translation, "warning",
                        "a reviewed translation (manuscript/locale/LANG/<slug>.po) that is a "
                        "draft again, with the English sections changed since; and drawings "
                        "whose words a translation does not change"),
}


def contrast_findings(brand_file, brand) -> list[Diagnostic]:
    """Brand colour pairs under WCAG AA (4.5:1, or 3:1 for pairs marked large) in colour
    or in gray. Reported once per run, against styles/brand.yaml."""
    found = []
    for index, pair in enumerate(brand.data.contrast_pairs):
        foreground, background = pair[0], pair[1]
        need = 3.0 if len(pair) > 2 and pair[2] == "large" else 4.5
        colour, gray = wcag.contrast(brand.color(foreground), brand.color(background))
        for ratio, how in ((colour, "in colour"), (gray, "printed in gray")):
            if ratio < need:
                found.append(Diagnostic(
                    brand_file, brand.line("contrast_pairs", index) or 1,
                    f"{foreground} on {background} has contrast {ratio:.2f}:1 {how}; "
                    f"WCAG AA needs {need:g}:1",
                    "darken the text colour or lighten the background in styles/brand.yaml",
                    "error", rule="contrast", col=1))
    return found


# -- placeholder contact details -------------------------------------------------------

# Domains reserved for examples (RFC 2606, RFC 6761): mail sent there reaches no one.
RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost")
PLACEHOLDER_WORDS = re.compile(r"\b(your|clinic|placeholder|example|name|todo|tbd|xxx+)\b"
                               r"|x{3,}|#{3,}|_{3,}", re.I)


def placeholder_phone(phone: str) -> str:
    """Why a phone number reaches no one (a reason for the message), or "" when it may be
    real: the 555-0100 to 555-0199 numbers North America keeps for fiction, the 555 area
    code, area codes and exchanges that start with 0 or 1, all one digit, letters."""
    if PLACEHOLDER_WORDS.search(phone):
        return "it is not a phone number yet"
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) < 7:
        return "it has too few digits to be a phone number"
    if len(set(digits)) == 1 or digits in ("1234567890", "0123456789"):
        return "its digits are a pattern, not a number"
    if len(digits) == 7:  # a local number without its area code
        digits = "200" + digits
    if len(digits) != 10:
        return ""  # not a North American number: nothing more is known
    area, exchange, number = digits[:3], digits[3:6], digits[6:]
    if exchange == "555" and "0100" <= number <= "0199":
        return "555-01xx numbers are reserved for examples and fiction and reach no one"
    if area == "555":
        return "the 555 area code is not in use: it reaches no one"
    if area[0] in "01" or exchange[0] in "01":
        return "no North American number starts a part with 0 or 1: it reaches no one"
    return ""


def placeholder_domain(address: str) -> str:
    """Why an e-mail or web address is an example (a reason), or "" when it may be real."""
    host = address.rsplit("@", 1)[-1].split("://")[-1].split("/")[0].strip().lower().rstrip(".")
    if not host:
        return ""
    if host in RESERVED_DOMAINS or host.endswith(tuple("." + d for d in RESERVED_DOMAINS)):
        return f"{host} is reserved for examples and reaches no one"
    if host.endswith(RESERVED_TLDS):
        return f".{host.rsplit('.', 1)[-1]} addresses are reserved and reach no one"
    return ""


PLACEHOLDER_DETAILS = (  # (field, what it is, why it is a placeholder)
    ("phone", "phone number", placeholder_phone),
    ("email", "e-mail address", placeholder_domain),
    ("web", "web address", placeholder_domain),
)


def placeholder_findings(brand_file, brand) -> list[Diagnostic]:
    """Contact details in brand.yaml that are examples, not the clinic's: they are printed
    on every handout, in the ebook and on the site. One finding per detail, at its line."""
    found = []
    contact = brand.data.contact
    for name, what, why in PLACEHOLDER_DETAILS:
        value = getattr(contact, name)
        reason = why(value) if value.strip() else ""
        if not reason:
            continue
        found.append(Diagnostic(
            brand_file, brand.line("contact", name) or brand.line("contact") or 1,
            f"PLACEHOLDER {what} '{value}' is printed on every handout and in the ebook "
            f"({reason}); replace it with the clinic's real {what} before printing for "
            "patients",
            f"edit contact: {name}: in styles/brand.yaml", "warning",
            rule="placeholder-contact", col=1))
    return found
