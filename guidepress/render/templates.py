"""Jinja2 templates and stylesheets from styles/.

Stylesheets are templates too (``styles/css/*.css``), rendered with the brand data, so a
designer changes colours in brand.yaml and layout in CSS without touching Python. They
are rendered to plain CSS values (not CSS variables) because older e-readers ignore
``var()``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import jinja2

from ..errors import PublishError
from ..project import shipped_styles
from ..read.brand import Brand


def long_date(value: dt.date | None) -> str:
    """'November 25, 2026': the way patients read dates (no zero-padding, month spelled out)."""
    return f"{value:%B} {value.day}, {value.year}" if value else ""


# Scripts written right to left (ISO 15924 codes), for `dir="rtl"`.
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Samr", "Mand"})


@cache
def direction(language: str) -> str:
    """'rtl' or 'ltr' for a language tag: its script subtag, or the script the language
    registry says the language is usually written in (ar → Arab, pa-PK → Arab)."""
    import langcodes

    try:
        script = langcodes.Language.get(language).maximize().script
    except (langcodes.LanguageTagError, ValueError):
        return "ltr"
    return "rtl" if script in RTL_SCRIPTS else "ltr"


@cache
def environment(styles: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(styles)),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml", "ncx", "svg"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["direction"] = direction  # {{ meta.language | direction }} → dir="…"
    env.filters["rule_id"] = lambda text: text.split(":")[0]  # "UA-14-001: why" → the id
    return env


def render(brand: Brand, name: str, **context: object) -> str:
    """Render ``styles/<name>`` with the brand and the given context."""
    path = brand.styles / name
    try:
        template = environment(brand.styles).get_template(name)
    except jinja2.TemplateNotFound as exc:
        missing = exc.name if exc.name != name else name  # an {% include %} may be missing
        raise PublishError(brand.styles / missing, 0, f"{missing} is missing from the styles "
                           "folder", f"copy it from the shipped styles ({shipped_styles()})"
                           ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise PublishError(Path(exc.filename or path), exc.lineno or 0,
                           f"template mistake: {exc.message}",
                           "compare with the same file in the shipped styles") from None
    return template.render(brand=brand.data, **context)
