"""Fonts come from fontpkg-* packages, so every machine embeds the same files."""

from __future__ import annotations

import importlib
import io
import json
import sys
import time
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ..files import atomic_write


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    style: str  # normal | italic
    weight: int
    variable: bool


@dataclass(frozen=True, slots=True)
class FontFamily:
    slug: str
    family: str
    version: str
    license: str
    copyright: str
    license_file: Path
    files: tuple[FontFile, ...]


@cache
def load_family(slug: str) -> FontFamily:
    """Find an installed fontpkg family by its slug, e.g. 'atkinson-hyperlegible'."""
    module_name = "fontpkg_" + slug.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise LookupError(
            f"font '{slug}' is not installed (pip install fontpkg-{slug})"
        ) from None
    root = Path(module.ROOT)
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    files = [
        FontFile(root / entry["path"], entry["style"], entry.get("weight") or 400,
                 bool(entry.get("variable")))
        for entry in meta["files"]
    ]
    return FontFamily(slug, meta["family"], meta["version"], meta["license"], meta["copyright"],
                      root / "LICENSE", tuple(files))


def font_face_css(family: FontFamily, url_for, web: bool = False) -> str:
    """@font-face rules for a family; ``url_for(FontFile)`` gives each file's URL.

    A variable font gets one rule per weight we use (regular and bold), all pointing at the
    same file: WeasyPrint does not accept weight ranges in @font-face. ``web``: the rules
    of a web page, whose fonts are WOFF2 files (see ``woff2_file``) shown with
    ``font-display: swap`` (the text is readable in a fallback font while they load).
    """
    rules = []
    for font in family.files:
        for weight in (400, 700) if font.variable else (font.weight,):
            src = f'url("{url_for(font)}")' + (' format("woff2")' if web else "")
            rules.append(
                "@font-face {\n"
                f'  font-family: "{family.family}";\n'
                f"  font-style: {font.style};\n"
                f"  font-weight: {weight};\n"
                + ("  font-display: swap;\n" if web else "")
                + f"  src: {src};\n"
                "}"
            )
    return "\n".join(rules)


def woff2_file(font: FontFile) -> Path:
    """The font as WOFF2 (Brotli-compressed, about 40 % of the TrueType file), made once
    per machine in the user's cache folder, named by the source's checksum.

    The conversion keeps the font's own date (recalcTimestamp=False) and its table order,
    so every conversion of the same file with the same fontTools and Brotli makes the same
    bytes, and the site stays reproducible."""
    import hashlib

    import fontTools

    data = font.path.read_bytes()
    key = hashlib.sha256(data).hexdigest()[:16]
    target = (cache_folder() / f"woff2-fonttools{fontTools.version}"
              / f"{font.path.stem}-{key}.woff2")
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, to_woff2(data))
    return target


def to_woff2(data: bytes) -> bytes:
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def cache_folder() -> Path:
    """``fonts/`` in the user's cache folder (project.user_cache: ~/.cache/guidepress, or a
    private temporary folder when the home folder cannot be written)."""
    from ..project import user_cache

    folder = user_cache() / "fonts"
    folder.mkdir(exist_ok=True)
    return folder


def static_family(family: FontFamily) -> FontFamily:
    """The family with its variable fonts replaced by static regular and bold instances.

    WeasyPrint can embed a variable font, but it then turns it into a static one with
    fontTools on every PDF it writes (about 0.3 s for Literata). We make those instances
    once per machine, in the user's cache folder, and every build embeds them directly.
    Making them takes 20-50 s of one processor; `make ebook` does it at install time.
    """
    if not any(font.variable for font in family.files):
        return family
    import fontTools

    folder = cache_folder() / f"{family.slug}-{family.version}-fonttools{fontTools.version}"
    files, todo = [], []
    for font in family.files:
        for weight in (400, 700) if font.variable else (font.weight,):
            if font.variable:
                target = folder / f"{font.path.stem.split('[')[0]}-{weight}.ttf"
                if not target.is_file():
                    todo.append((font.path, weight, target))
                files.append(FontFile(target, font.style, weight, False))
            else:
                files.append(font)
    if todo:
        # The first build on a machine would otherwise sit silent for 20-50 s. stderr, so
        # that nothing a command prints on stdout (or writes to a file) changes.
        started = time.perf_counter()
        say(f"making the {family.family} font for this computer, once (under a minute)…")
        for source, weight, target in todo:
            make_instance(source, weight, target)
        say(f"{family.family} font made in {time.perf_counter() - started:.0f} s "
            f"(kept in {folder})")
    return replace(family, files=tuple(files))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_instance(source: Path, weight: int, target: Path) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    # recalcTimestamp=False keeps the font's own date, so every machine makes the same
    # bytes and PDFs stay reproducible.
    font = TTFont(source, recalcTimestamp=False)
    axes = {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes}
    axes["wght"] = weight
    static = instantiateVariableFont(font, axes, static=True)
    data = io.BytesIO()
    static.save(data)
    atomic_write(target, data.getvalue())


def prepare(slugs: list[str]) -> None:
    """Make the static instances ahead of time (`python -m guidepress.read.fonts SLUG …`)."""
    for slug in slugs:
        family = static_family(load_family(slug))
        print(f"{family.family}: {len(family.files)} font files ready")


if __name__ == "__main__":
    prepare(sys.argv[1:] or ["literata"])
