"""Which characters the brand's fonts can draw.

Every output embeds the brand's fonts (fontpkg-* packages) and nothing else, so a character
none of them has is drawn from whatever font the reader's device or the build machine
happens to have, or, in the PDFs, as an empty box. The reader refuses such characters; this
module knows which ones they are. Each font's character map is read once per process with
fontTools (a few milliseconds), after which a check is one set lookup per character.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .fonts import load_family

# Characters that are never drawn with a glyph, so no font needs them: spaces and line
# breaks (a missing space glyph is made from the font's own space), and Unicode's "default
# ignorable" characters, which text engines leave invisible: the soft hyphen, zero-width
# spaces and joiners, direction marks, variation selectors (the U+FE0F after many emoji),
# the byte order mark and tag characters.
SPACES = frozenset(c for c in map(chr, range(0x3001)) if c.isspace())
IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
NEVER_DRAWN = SPACES | frozenset(
    chr(code) for low, high in IGNORABLE_RANGES for code in range(low, high + 1))


@dataclass(frozen=True)
class FontSet:
    """The fonts a guide is drawn in, and the characters all of them have."""

    names: tuple[str, ...]  # family names, e.g. ("Atkinson Hyperlegible", "Literata")
    chars: frozenset[str]  # characters every font has, plus those never drawn
    each: tuple[frozenset[str], ...]  # each family's own characters, in ``names`` order
    slugs: tuple[str, ...] = ()  # their fontpkg slugs, in ``names`` order (text font first)

    def lacking(self, char: str) -> tuple[str, ...]:
        """The families that have no glyph for ``char``."""
        return tuple(name for name, chars in zip(self.names, self.each, strict=True)
                     if char not in chars)


@cache
def font_chars(path: Path) -> frozenset[str]:
    """The characters one font file maps to a glyph (its best cmap: Unicode, full range)."""
    from fontTools.ttLib import TTFont  # only when a guide is read, not for `--version`

    with TTFont(path, lazy=True) as font:
        return frozenset(map(chr, font.getBestCmap()))


@cache
def family_chars(slug: str) -> frozenset[str]:
    """Characters every style of a fontpkg family has: any text may be bold or italic."""
    files = load_family(slug).files
    return frozenset.intersection(*(font_chars(f.path) for f in files))


@cache
def font_set(slugs: tuple[str, ...]) -> FontSet:
    """The fonts named by fontpkg slugs, e.g. ("atkinson-hyperlegible", "literata")."""
    each = tuple(family_chars(slug) for slug in slugs)
    names = tuple(load_family(slug).family for slug in slugs)
    return FontSet(names, frozenset.intersection(*each) | NEVER_DRAWN, each, slugs)


@cache
def brand_fonts(styles: Path) -> tuple[str, ...]:
    """The fontpkg slugs a styles folder's brand.yaml names (text font first), or the
    shipped brand's when that file cannot be read: the build then stops on it anyway."""
    import yaml

    from ..project import shipped_styles

    for folder in (styles, shipped_styles()):
        try:
            fonts = yaml.safe_load((folder / "brand.yaml").read_text(encoding="utf-8"))["fonts"]
            return tuple(str(fonts[role]) for role in ("text", "book"))
        except (OSError, yaml.YAMLError, KeyError, TypeError):
            continue
    raise LookupError("the shipped styles/brand.yaml names no fonts")


def brand_font_set(brand) -> FontSet:
    """The fonts a loaded brand draws every output in (text font first)."""
    return font_set((brand.data.fonts.text, brand.data.fonts.book))


def shipped_fonts() -> FontSet:
    """The fonts of the shipped brand: what a caller of the reader who names no brand's
    fonts gets (the build and `publish check` always pass their project's)."""
    from ..project import shipped_styles

    return font_set(brand_fonts(shipped_styles()))


def first_missing(text: str, fonts: FontSet) -> int:
    """The index of the first character of ``text`` no font can draw, or -1."""
    if fonts.chars.issuperset(text):  # the usual case, in one pass in C
        return -1
    return next(i for i, char in enumerate(text) if char not in fonts.chars)


def describe(char: str) -> str:
    """"'💪' (FLEXED BICEPS, U+1F4AA)": the character as people see it and as Unicode
    names it, for a message."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    category = unicodedata.category(char)
    if not name:
        name = {"Co": "a private-use character", "Cn": "an unassigned character"}.get(
            category, "a character without a name")
    # A combining mark is shown on a dotted circle, as character charts do.
    shown = f"\u25cc{char}" if category in ("Mn", "Me") else char
    return f"'{shown}' ({name}, {code})"


def advice(char: str, fonts: FontSet) -> str:
    """A hint for a clinic editor: what to do about a character the fonts cannot draw."""
    lacking = " and ".join(fonts.lacking(char))
    if char == "\ufffd":  # what a program writes for a character it could not read
        return ("it stands for a character lost when the text was copied or converted: "
                "retype the word as it should read")
    if unicodedata.category(char)[0] not in "LMN":  # an emoji, a symbol, an arrow…
        return (f"remove it, or say in words what it means; {lacking} cannot draw it, and "
                "the outputs use no other fonts")
    script = unicodedata.name(char, "").split(" ")[0]
    what = "this letter" if script in ("", "LATIN") else \
        f"{'CJK' if script == 'CJK' else script.title()} text"
    return (f"{lacking} cannot draw {what}: a guide in that script needs a brand font that "
            "has it (styles/brand.yaml, under 'fonts'); until then, remove it")
