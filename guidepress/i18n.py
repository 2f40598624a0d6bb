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

from .errors import Diagnostic, PublishError
from .files import atomic_write
from .project import Project
from .read import catalog


@dataclass
class Updated:
    path: Path
    created: bool
    state: catalog.Status
    obsolete: int
    warnings: list[Diagnostic]  # blocks that could not be offered for translation


def extract(sources: list[Path], project: Project
            ) -> list[tuple[Path, int, list[Diagnostic]]]:
    """Write every guide's POT; returns each file with its number of messages and the
    blocks that could not be offered for translation."""
    written = []
    for source in sources:
        pieces = catalog.cut(source)
        template = catalog.template(pieces, project.root)
        path = catalog.template_path(source)
        atomic_write(path, catalog.po_bytes(template))
        written.append((path, len(template), pieces.warnings))
    return written


def update(sources: list[Path], project: Project, language: str) -> list[Updated]:
    """Merge each guide's messages into its ``language`` catalog (the POT is written
    too, so the two never disagree)."""
    tag = checked_language(language)
    done = []
    for source in sources:
        pieces = catalog.cut(source)
        own = pieces.meta.language
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
                            len(merged.obsolete), pieces.warnings))
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

