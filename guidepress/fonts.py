"""Fonts come from fontpkg-* packages, so every machine embeds the same files."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path


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


def font_face_css(family: FontFamily, url_for) -> str:
    """@font-face rules for a family; ``url_for(FontFile)`` gives each file's URL.

    A variable font gets one rule per weight we use (regular and bold), all pointing at the
    same file: WeasyPrint does not accept weight ranges in @font-face.
    """
    rules = []
    for font in family.files:
        for weight in (400, 700) if font.variable else (font.weight,):
            rules.append(
                "@font-face {\n"
                f'  font-family: "{family.family}";\n'
                f"  font-style: {font.style};\n"
                f"  font-weight: {weight};\n"
                f'  src: url("{url_for(font)}");\n'
                "}"
            )
    return "\n".join(rules)
