"""`publish i18n`: the translator's side of the gettext workflow, as Sphinx runs it.

``extract`` writes each guide's POT catalog (manuscript/locale/<slug>.pot); ``update``
merges it into a language's PO file (manuscript/locale/<language>/<slug>.po), creating
it the first time: changed messages become fuzzy, removed ones obsolete, so Poedit,
Weblate or a vendor's CAT tool take the file as it is. Reading a translation and the
review gate are in read/catalog.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import PublishError
from .files import atomic_write
from .project import Project
from .read import catalog


@dataclass
class Updated:
    path: Path
    created: bool
    state: catalog.Status
    obsolete: int


def extract(sources: list[Path], project: Project) -> list[tuple[Path, int]]:
    """Write every guide's POT; returns each file with its number of messages."""
    written = []
    for source in sources:
        pieces = catalog.cut(source)
        template = catalog.template(pieces, project.root)
        path = catalog.template_path(source)
        atomic_write(path, catalog.po_bytes(template))
        written.append((path, len(template)))
    return written


def update(sources: list[Path], project: Project, language: str) -> list[Updated]:
    """Merge each guide's messages into its ``language`` catalog (the POT is written
    too, so the two never disagree)."""
    tag = checked_language(language)
    done = []
    for source in sources:
        pieces = catalog.cut(source)
        own = own_language(source)
        if own.split("-")[0].lower() == tag.split("-")[0].lower():
            raise PublishError(source, 0, f"the guide is written in '{own}' already",
                               "give --lang the language to translate it into, e.g. es")
        template = catalog.template(pieces, project.root)
        atomic_write(catalog.template_path(source), catalog.po_bytes(template))
        path = catalog.catalog_path(source, tag)
        created = not path.is_file()
        atomic_write(path, catalog.update(template, path, tag))
        merged = catalog.read_catalog(path)
        done.append(Updated(path, created, catalog.status(pieces, path, merged),
                            len(merged.obsolete)))
    return done


def checked_language(language: str) -> str:
    """A BCP 47 tag in its usual form (es, es-MX, pt-BR), or a one-line error."""
    import langcodes

    try:
        tag = langcodes.standardize_tag(language.replace("_", "-"))
    except (langcodes.LanguageTagError, ValueError):
        tag = ""
    if not tag or not langcodes.Language.get(tag).is_valid():
        raise PublishError(Path("--lang"), 0, f"'{language}' is not a language tag",
                           "write a tag like es (Spanish), es-MX, vi (Vietnamese) or zh-Hant")
    return tag


def own_language(source: Path) -> str:
    from .read import frontmatter
    from .read.guide import read_text, slug_for

    yaml_text, _ = frontmatter.split(read_text(source), source)
    meta, _ = frontmatter.read_meta(yaml_text, source, slug_for(source))
    return meta.language

