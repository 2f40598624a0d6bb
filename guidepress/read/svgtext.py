"""The words drawn in an SVG: set in the brand's text font in every output, and measured.

A browser or e-reader shows an SVG figure through <img>, which fetches nothing, so a label
asked for in "Atkinson Hyperlegible, Arial" is drawn in Arial (or whatever the device has)
and comes out wider or narrower than the artist drew it. ``embed_font`` puts the brand's
text font first in every font-family of the drawing and embeds, in the drawing's own
<style>, a WOFF2 subset of that font holding only the characters its labels use, as a
data: URI. The subset's family name is its own ("Atkinson Hyperlegible 3f2a9c1e"), so it
never stands in for the whole font in WeasyPrint, which adds an SVG's @font-face rules to
the document's fonts; the brand's name comes next, then the drawing's own choices.

``labels`` finds each run of text with the font, size, anchor and position it is drawn
with, and ``advance`` measures it with the font's own metrics (hmtx and cmap), so a check
can say which label runs outside the drawing's viewBox and by how much.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .fonts import FontFamily, FontFile

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
TEXT_TAGS = frozenset({f"{{{SVG}}}text", f"{{{SVG}}}tspan", f"{{{SVG}}}textPath"})
FONT_PROPERTIES = ("font-family", "font-size", "font-weight", "font-style", "text-anchor")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
TRANSLATE = re.compile(r"\s*translate\(\s*([^,\s)]+)(?:[\s,]+([^,\s)]+))?\s*\)\s*")
UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54,
         "mm": 96 / 25.4}
DEFAULT_SIZE = 16.0  # CSS's medium
WEIGHTS = {"normal": 400, "bold": 700, "bolder": 700, "lighter": 300}


# -- the style each piece of text is drawn with ------------------------------------------


def declarations(element: ET.Element) -> dict[str, str]:
    """The font properties an element sets, as presentation attributes or in style=""
    (which wins, as in CSS)."""
    found = {name: element.get(name, "").strip() for name in FONT_PROPERTIES
             if element.get(name, "").strip()}
    for part in element.get("style", "").split(";"):
        name, _, value = part.partition(":")
        if name.strip().lower() in FONT_PROPERTIES and value.strip():
            found[name.strip().lower()] = value.strip()
    return found


def font_size(value: str, inherited: float) -> float:
    match = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*([a-z%]*)\s*", value.lower())
    if match is None:
        return inherited
    number, unit = float(match[1]), match[2]
    if unit == "em":
        return number * inherited
    if unit == "%":
        return number * inherited / 100
    return number * UNITS[unit] if unit in UNITS else inherited


def weight_of(value: str) -> int:
    value = value.strip().lower()
    if value.isdigit():
        return int(value)
    return WEIGHTS.get(value, 400)


@dataclass(frozen=True)
class Style:
    size: float = DEFAULT_SIZE
    weight: int = 400
    italic: bool = False
    anchor: str = "start"

    def under(self, element: ET.Element) -> Style:
        found = declarations(element)
        return Style(
            font_size(found["font-size"], self.size) if "font-size" in found else self.size,
            weight_of(found["font-weight"]) if "font-weight" in found else self.weight,
            found["font-style"].lower() in ("italic", "oblique") if "font-style" in found
            else self.italic,
            found.get("text-anchor", self.anchor).lower())


# -- the labels ------------------------------------------------------------------------


@dataclass
class Piece:
    text: str
    style: Style


@dataclass
class Label:
    """One run of text that starts at its own x: a <text>, or a <tspan x="…"> in it."""

    x: float  # where the anchor is, in the drawing's coordinates (translations applied)
    y: float
    anchor: str
    pieces: list[Piece]
    measurable: bool = True  # False under a rotation, scale or skew, or on a path

    @property
    def text(self) -> str:
        return " ".join("".join(p.text for p in self.pieces).split())


def first_number(value: str | None) -> float | None:
    match = NUMBER.match((value or "").strip())
    return float(match[0]) if match else None


def translation(value: str) -> tuple[float, float] | None:
    """(dx, dy) of a transform made only of translate()s; None for any other transform."""
    dx = dy = 0.0
    rest = value.strip()
    while rest:
        match = TRANSLATE.match(rest)
        if match is None:
            return None
        dx += float(match[1])
        dy += float(match[2] or 0)
        rest = rest[match.end():]
    return dx, dy


def labels(root: ET.Element) -> list[Label]:
    """Every label in the drawing, in document order."""
    found: list[Label] = []

    def visit(element: ET.Element, style: Style, offset: tuple[float, float] | None) -> None:
        style = style.under(element)
        if element.get("transform") and offset is not None:
            moved = translation(element.get("transform", ""))
            offset = None if moved is None else (offset[0] + moved[0], offset[1] + moved[1])
        if element.tag == f"{{{SVG}}}text":
            text_labels(element, style, offset, found)
            return
        for child in element:
            if isinstance(child.tag, str):
                visit(child, style, offset)

    visit(root, Style(), (0.0, 0.0))
    return found


def text_labels(text: ET.Element, style: Style, offset: tuple[float, float] | None,
                found: list[Label]) -> None:
    dx, dy = offset or (0.0, 0.0)
    start = Label((first_number(text.get("x")) or 0.0) + dx,
                  (first_number(text.get("y")) or 0.0) + dy, style.anchor, [],
                  offset is not None)
    found.append(start)
    current = [start]

    def add(value: str | None, piece_style: Style) -> None:
        if value:
            current[0].pieces.append(Piece(value, piece_style))

    def walk(element: ET.Element, element_style: Style) -> None:
        add(element.text, element_style)
        for child in element:
            if not isinstance(child.tag, str):
                continue
            child_style = element_style.under(child)
            if child.tag == f"{{{SVG}}}tspan" and child.get("x") is not None:
                y = first_number(child.get("y"))
                label = Label((first_number(child.get("x")) or 0.0) + dx,
                              current[0].y if y is None else y + dy, child_style.anchor, [],
                              start.measurable)
                found.append(label)
                current[0] = label
            elif child.tag == f"{{{SVG}}}textPath":
                current[0].measurable = False
            walk(child, child_style)
            add(child.tail, element_style)

    walk(text, style)


def text_characters(root: ET.Element) -> str:
    """Every character drawn as text in the drawing, each once, sorted."""
    chars: set[str] = set()
    for element in root.iter():
        if element.tag in TEXT_TAGS:
            chars.update(element.text or "")
            for child in element:
                chars.update(child.tail or "")
    return "".join(sorted(c for c in chars if not c.isspace()))


# -- the font -----------------------------------------------------------------------------


def face(family: FontFamily, weight: int, italic: bool) -> FontFile:
    """The family's file closest to a weight and style (a variable font covers them all)."""
    style = "italic" if italic else "normal"
    files = [f for f in family.files if f.style == style] or list(family.files)
    return min(files, key=lambda f: (0 if f.variable else abs(f.weight - weight), f.weight))


@cache
def metrics(path: Path) -> tuple[dict[int, str], dict[str, int], int]:
    """(cmap, advance widths, units per em) of a font file."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return (dict(font.getBestCmap()), {name: advance for name, (advance, _lsb)
                                            in font["hmtx"].metrics.items()},
                font["head"].unitsPerEm)


def advance(text: str, path: Path, size: float) -> float:
    """How wide ``text`` is at ``size`` in a font, by its advance widths (no kerning: a
    label's pairs change its width by a fraction of one letter)."""
    cmap, widths, units = metrics(path)
    notdef = widths.get(".notdef", units // 2)
    return sum(widths.get(cmap.get(ord(ch), ".notdef"), notdef) for ch in text) * size / units


def label_width(label: Label, family: FontFamily) -> float:
    """A label's width in the brand font; whitespace collapsed as SVG draws it."""
    total, pieces = 0.0, [p for p in label.pieces if p.text]
    text = "".join(p.text for p in pieces)
    lead = len(text) - len(text.lstrip())
    keep_until = len(text.rstrip())
    position = 0
    previous_space = True
    for piece in pieces:
        drawn = []
        for ch in piece.text:
            inside = lead <= position < keep_until
            position += 1
            if not inside:
                continue
            if ch.isspace():
                if previous_space:
                    continue
                ch, previous_space = " ", True
            else:
                previous_space = False
            drawn.append(ch)
        path = face(family, piece.style.weight, piece.style.italic).path
        total += advance("".join(drawn), path, piece.style.size)
    return total


def extent(label: Label, family: FontFamily) -> tuple[float, float]:
    """(left, right) of a label, with its text-anchor."""
    width = label_width(label, family)
    left = label.x - {"middle": width / 2, "end": width}.get(label.anchor, 0.0)
    return left, left + width


def view_box(root: ET.Element) -> tuple[float, float, float, float] | None:
    numbers = [float(n) for n in NUMBER.findall(root.get("viewBox", ""))]
    if len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0:
        return numbers[0], numbers[1], numbers[2], numbers[3]
    width, height = first_number(root.get("width")), first_number(root.get("height"))
    if width and height and not root.get("width", "").strip().endswith("%"):
        return 0.0, 0.0, width, height
    return None


@dataclass(frozen=True)
class Overrun:
    text: str
    side: str  # "right" or "left"
    by: float  # in the drawing's units (px at its own size)


def overruns(data: bytes, family: FontFamily) -> list[Overrun]:
    """Labels that run past the left or right edge of the drawing's viewBox."""
    root = ET.fromstring(data)  # the reader's own cleaned bytes: no DTD, no entities
    box = view_box(root)
    if box is None:
        return []
    found = []
    for label in labels(root):
        if not label.measurable or not label.text:
            continue
        left, right = extent(label, family)
        if right > box[0] + box[2] + 0.5:
            found.append(Overrun(label.text, "right", right - box[0] - box[2]))
        elif left < box[0] - 0.5:
            found.append(Overrun(label.text, "left", box[0] - left))
    return found


# -- embedding -------------------------------------------------------------------------


@cache
def subset_woff2(path: Path, chars: str) -> bytes:
    """A WOFF2 of ``path`` with only the glyphs for ``chars`` (and what they need: kerning,
    ligatures, accents), without hinting. The same input gives the same bytes, so each is
    kept in the user's font cache: making one costs 30 ms and importing fontTools' subsetter
    100 ms more, on every `publish check`."""
    import fontTools

    from ..files import atomic_write
    from .fonts import cache_folder

    key = hashlib.sha256("\0".join([fontTools.version, str(path), str(path.stat().st_size),
                                     str(path.stat().st_mtime_ns), chars]).encode("utf-8"))
    kept = cache_folder() / "svg-subsets" / f"{key.hexdigest()[:32]}.woff2"
    try:  # the font, then its own SHA-256: a damaged or planted entry is made again
        entry = kept.read_bytes()
        if hashlib.sha256(entry[:-32]).digest() == entry[-32:]:
            return entry[:-32]
    except OSError:
        pass
    data = make_subset(path, chars)
    try:
        kept.parent.mkdir(exist_ok=True)
        atomic_write(kept, data + hashlib.sha256(data).digest())
    except OSError:
        pass  # a read-only cache: made again next time
    return data


def make_subset(path: Path, chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]  # keep the copyright and licence (SIL OFL asks for them)
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(path, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out, reorderTables=False)
    return out.getvalue()


def unicode_range(chars: str) -> str:
    return ", ".join(f"U+{ord(ch):X}" for ch in chars)


def quoted(name: str) -> str:
    return "'" + name.replace("\\", "").replace("'", "") + "'"


def families_with(value: str, first: list[str]) -> str:
    """A font-family list with ``first`` in front and the original names after them."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    plain = {n.strip("'\"").lower() for n in first}
    rest = [n for n in names if n.strip("'\"").lower() not in plain]
    return ", ".join([*(quoted(n) for n in first), *rest])


def set_family(element: ET.Element, first: list[str]) -> None:
    """Put ``first`` in front of the element's font-family, wherever it is set."""
    if element.get("font-family") is not None:
        element.set("font-family", families_with(element.get("font-family", ""), first))
    style = element.get("style")
    if style and "font-family" in style.lower():
        parts = []
        for part in style.split(";"):
            name, colon, value = part.partition(":")
            if colon and name.strip().lower() == "font-family":
                part = f"{name}:{families_with(value, first)}"
            parts.append(part)
        element.set("style", ";".join(parts))


def face_and_weight(family: FontFamily, style: Style) -> tuple[FontFile, int]:
    file = face(family, style.weight, style.italic)
    return file, (700 if style.weight >= 600 else 400) if file.variable else file.weight


def embed_font(data: bytes, family: FontFamily) -> bytes:
    """The drawing with its text set in ``family``: a subset of each face its labels use,
    embedded as a data: URI in a <style>, named first in every font-family. A drawing
    without text comes back as it was."""
    root = ET.fromstring(data)
    chars = text_characters(root)
    if not chars:
        return data
    # (file, weight): a variable font gets one rule per weight used, regular or bold, as
    # fonts.font_face_css does (WeasyPrint accepts no weight ranges in @font-face).
    faces = {face_and_weight(family, piece.style)
             for label in labels(root) for piece in label.pieces if piece.text.strip()}
    faces = faces or {face_and_weight(family, Style())}  # no label found: the regular face
    name = f"{family.family} {hashlib.sha256(chars.encode('utf-8')).hexdigest()[:8]}"
    rules = []
    for file, weight in sorted(faces, key=lambda f: (f[0].style, f[1])):
        # Every character of the drawing, in each face: a piece's style is a guess when
        # CSS classes set it, and a missing glyph would fall back to another font.
        font = subset_woff2(file.path, chars)
        rules.append(
            f"@font-face{{font-family:{quoted(name)};font-style:{file.style};"
            f"font-weight:{weight};unicode-range:{unicode_range(chars)};"
            f"src:url(data:font/woff2;base64,{base64.b64encode(font).decode('ascii')}) "
            "format(\"woff2\")}")
    first = [name, family.family]
    for element in root.iter():
        set_family(element, first)
    if not declarations(root).get("font-family"):
        root.set("font-family", families_with("sans-serif", first))
    style = ET.Element(f"{{{SVG}}}style")
    style.text = "\n".join(rules)
    style.tail = "\n"
    at = sum(1 for child in root if child.tag in (f"{{{SVG}}}title", f"{{{SVG}}}desc"))
    root.insert(at, style)
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
