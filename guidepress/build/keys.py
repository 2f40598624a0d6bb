"""Task keys: a hash of everything a task's output depends on.

A task whose key is in the cache is not run at all, so a key must change whenever the
output could: the manuscript as read, its images, the styles, the fonts, this program
and its libraries, the timestamp. A handout's key covers only the sections it shows, so
an edit elsewhere in the guide leaves it cached.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from ..model import Guide, HandoutSpec
from ..read.brand import Brand
from ..writers import BuildContext
from .noop import program_fingerprint


def digest(*parts: object) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def folder_digest(folder: Path) -> str:
    """Every file under a folder (the styles: brand, templates, CSS), names and bytes."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return digest(*[(p.relative_to(folder).as_posix(), p.read_bytes()) for p in files])


def context_digest(context: BuildContext) -> str:
    """What every output of a guide depends on besides the manuscript: this program and
    its libraries (so an upgrade never reuses what older code made), styles, fonts."""
    brand = context.brand
    fonts = [(f.slug, f.version, [x.path.name for x in f.files])
             for f in (brand.text_font, brand.book_font)]
    return digest(program_fingerprint(), context.version, folder_digest(brand.styles), fonts,
                  context.timestamp.isoformat())


def guide_digest(guide: Guide) -> str:
    """The manuscript as the reader read it (not the file now: it may have been edited
    since) and its images; for a translation, its front matter as translated and
    whether it is a draft (neither is in its text)."""
    translated = (guide.meta, guide.draft) if guide.translation else ()
    return digest("\n".join(guide.source_lines), *translated,
                  *[(a.src, a.data) for a in sorted(guide.assets.values(), key=lambda a: a.src)])


def handout_digest(guide: Guide, spec: HandoutSpec) -> str:
    """Only what the handout shows: its sections (as rendered), its images, a few facts."""
    from ..writers.handout import section_html

    body, notes = section_html(guide, spec)
    images = sorted((src, a.data) for src, a in guide.assets.items() if f'"{src}"' in body)
    meta = guide.meta
    return digest(spec, str(body), [str(n.html + n.more) for n in notes], images, meta.title,
                  meta.url, meta.reviewed, meta.date, meta.language, meta.author,
                  *((guide.draft,) if guide.translation else ()))


def site_digest(brand: Brand) -> str:
    """The favicon's key: made from the logo alone (and this program)."""
    return digest("favicon", program_fingerprint(), brand.logo_path.read_bytes())


class Digests:
    """A guide's digests, each worked out once however many plans of it are made (a
    build plans what it makes and, for the cache, everything it could make)."""

    def __init__(self, guide: Guide, context: BuildContext) -> None:
        self.guide, self.context = guide, context
        self.handouts: dict[HandoutSpec, str] = {}

    @functools.cached_property
    def base(self) -> str:
        return context_digest(self.context)

    @functools.cached_property
    def whole(self) -> str:
        return guide_digest(self.guide)

    @functools.cached_property
    def cover(self) -> str:
        from ..layout.cover import cover_html

        return digest("cover", self.base, cover_html(self.guide, self.context.brand))

    def handout(self, spec: HandoutSpec) -> str:
        if spec not in self.handouts:
            self.handouts[spec] = digest("handout", self.base, handout_digest(self.guide, spec))
        return self.handouts[spec]
