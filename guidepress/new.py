"""publish new: start a guide from the template in styles/ (templates/new-guide.md).

The template is plain Markdown with ``$title``-style blanks (string.Template: Jinja's
``{#`` would swallow the heading ids), so a designer or editor can change it without
knowing a template language. The new file never replaces one that exists.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from string import Template
from urllib.parse import urljoin

from .errors import PublishError
from .files import atomic_write
from .project import Project
from .read.brand import load_brand

TEMPLATE = "templates/new-guide.md"


def slug_of(title: str) -> str:
    """The guide's file and folder name: "Knee Pain" → "knee-pain" (as read.slug_for
    makes it from a file name)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def quotable(text: str) -> str:
    """Text that can sit inside "double quotes" in YAML and in Markdown as it is."""
    return text.replace("\\", "/").replace('"', "'")


def new_guide(project: Project, title: str, today: dt.date) -> Path:
    """Write manuscript/<slug>.md from the template, and the images/ folder beside it."""
    title = " ".join(title.split())
    slug = slug_of(title)
    folder = project.root / "manuscript"
    if not slug:
        raise PublishError(folder, 0, f"'{title}' has no letters or numbers to name the file",
                           'give the guide a title in words, e.g. publish new "Knee Pain"')
    target = folder / f"{slug}.md"
    if target.exists():
        raise PublishError(target, 0, "this guide already exists; nothing was changed",
                           "edit that file, or choose another title")
    template = project.styles / TEMPLATE
    try:
        text = template.read_text(encoding="utf-8")
    except OSError as error:
        raise PublishError(template, 0, f"the template for new guides cannot be read "
                           f"({error.strerror})", "copy it back from the shipped styles/") from None
    brand = load_brand(project.styles)
    values = {"title": quotable(title), "lower": quotable(title.lower()),
              "slug": slug, "today": today.isoformat(), "clinic": brand.data.name,
              "url": urljoin(brand.data.site_url, f"patient-guides/{slug}/")}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    with open(target, "x", encoding="utf-8"):  # claim the name: never two writers
        pass
    atomic_write(target, Template(text).safe_substitute(values).encode("utf-8"))
    return target
