"""Jinja2 templates and stylesheets from styles/.

Stylesheets are templates too (``styles/css/*.css``), rendered with the brand data, so a
designer changes colours in brand.yaml and layout in CSS without touching Python. They
are rendered to plain CSS values (not CSS variables) because older e-readers ignore
``var()``.

The words the program itself puts in the outputs (headings such as "Contents", labels,
alt texts, the brand's tagline and disclaimers) come from a message catalog per
language, ``styles/locale/<language>.po`` (gettext). A template marks a message with
``{{ _("Contents") }}`` (variables as ``_("Cover of %(title)s", title=meta.title)``), or
a ``{% trans %}`` block for a paragraph; Python code gets the function for its guide
with ``translator(brand.styles, guide.meta.language)``, and marks a message it only
names (a table of labels) with ``N_``. English is the source language: its messages are
the msgids, so an English guide never reads a catalog.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as gettext_module
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from ..errors import PublishError
from ..project import shipped_styles
from ..read.brand import Brand, BrandData

if TYPE_CHECKING:
    from babel import Locale
    from babel.messages.catalog import Catalog

LOCALE = "locale"  # styles/locale/<language>.po, and messages.pot to start a new one
SOURCE_LANGUAGE = "en"  # the language of the msgids: the templates are written in it
TEMPLATE_FILE = "messages.pot"

# How Babel finds the messages: every template and stylesheet is a Jinja template (the
# jinja2 extractor, with the environment's own whitespace rules so the msgids of
# {% trans %} blocks are the text they render), and Python code calls _() or N_().
TEMPLATE_METHODS = [("**.html", "jinja2"), ("**.xhtml", "jinja2"), ("**.ncx", "jinja2"),
                    ("**.txt", "jinja2"), ("**.css", "jinja2")]
PYTHON_METHODS = [("**.py", "python")]
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                 "lstrip_blocks": "true", "keep_trailing_newline": "true",
                 "newstyle_gettext": "true", "silent": "false"}


def N_(message: str) -> str:
    """Marks a message for the catalog where it is only named (a table of labels read at
    import time); it is translated where it is used, with the guide's ``_``."""
    return message


DRAFT_MARK = N_("DRAFT — translation not yet reviewed")


# -- dates -----------------------------------------------------------------------------


@cache
def babel_locale(language: str) -> Locale:
    """Babel's locale for a language tag ("en-US" → en_US, "es-419" → es_419); a tag it
    does not know falls back to its language alone, then to English."""
    from babel import Locale, UnknownLocaleError

    tag = language.replace("-", "_")
    for candidate in (tag, tag.split("_")[0]):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale.parse("en_US")


def long_date(value: dt.date | None, language: str = "en-US") -> str:
    """'November 25, 2026', '25 de noviembre de 2026': the way patients read dates in
    their language (no zero-padding, month spelled out: CLDR's long format)."""
    if not value:
        return ""
    from babel.dates import format_date

    return format_date(value, format="long", locale=babel_locale(language))


@jinja2.pass_context
def long_date_filter(context: jinja2.runtime.Context, value: dt.date | None) -> str:
    """{{ meta.date | long_date }}, in the language the template is rendered in."""
    return long_date(value, context.get("language") or "en-US")


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


def css_string(text: str) -> str:
    """Text as a quoted CSS string, for generated content: a translation may hold a
    quotation mark or a backslash, which would end the string early."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


# -- catalogs --------------------------------------------------------------------------


def catalog_path(styles: Path, language: str) -> Path | None:
    """The catalog of a language in ``styles/locale``: one for the whole tag if there is
    one (pt-BR.po), else one for its language (es-US and es-419 read es.po). English,
    the language the messages are written in, has none."""
    tag = language.replace("_", "-").strip()
    primary = tag.split("-")[0].lower()
    if not primary or primary == SOURCE_LANGUAGE:
        return None
    for name in dict.fromkeys((tag, primary)):
        path = styles / LOCALE / f"{name}.po"
        if path.is_file():
            return path
    return None


NULL = gettext_module.NullTranslations()  # English, or a language with no catalog


def translations(styles: Path, language: str) -> gettext_module.NullTranslations:
    """The translations of a language, read once per catalog file (and again when the
    file changes: `publish serve` keeps running while a translator edits it)."""
    path = catalog_path(styles, language)
    if path is None:
        return NULL
    stat = path.stat()
    return load_catalog(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def load_catalog(path: Path, mtime_ns: int, size: int) -> gettext_module.GNUTranslations:
    """A PO file read with Babel, as the standard library's gettext translations: it is
    compiled to MO in memory, which leaves fuzzy and untranslated entries out, so their
    msgid (the English) is printed instead of a guess."""
    from babel.messages.mofile import write_mo

    data = io.BytesIO()
    write_mo(data, read_catalog(path), use_fuzzy=False)
    data.seek(0)
    return gettext_module.GNUTranslations(data)


def read_catalog(path: Path) -> Catalog:
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as file:
            return read_po(file, ignore_obsolete=True, abort_invalid=True)
    except PoFileError as exc:
        raise PublishError(path, getattr(exc, "lineno", 0) or 0,
                           f"message catalog is not a valid PO file: {exc}",
                           "compare it with styles/locale/messages.pot") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise PublishError(path, 0, f"message catalog cannot be read: {exc}",
                           "save it as UTF-8, with a Content-Type header") from None


def translator(styles: Path, language: str) -> Callable[[str], str]:
    """gettext for Python code: ``_ = translator(brand.styles, guide.meta.language)``,
    then ``_("Cover of the ebook")``. An untranslated message comes back as it is."""
    return translations(styles, language).gettext


@cache
def template_callables(found: gettext_module.NullTranslations) -> dict[str, Callable]:
    """gettext, ngettext and _ for templates, in Jinja's "newstyle": they fill in their
    own %(name)s variables (escaping them in HTML) and mark the translation safe, as the
    literal text of a template is. Passed in each render's context, so one shared
    environment renders every language."""

    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, message: str, **variables: object) -> str:
        text = found.gettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables  # always a format string: "%%" is a percent sign

    @jinja2.pass_context
    def ngettext(context: jinja2.runtime.Context, singular: str, plural: str, num: int,
                 **variables: object) -> str:
        variables.setdefault("num", num)
        text = found.ngettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {"gettext": gettext, "ngettext": ngettext, "_": gettext}


# The brand's texts that patients read are translated like the templates' words, with
# the English in brand.yaml as the msgid: brand.yaml stays one file, in English.
BRAND_TEXTS = ("tagline", "printed_by", "disclaimer", "short_disclaimer")
CONTACT_TEXTS = ("hours",)


def brand_messages(data: BrandData) -> list[str]:
    """The brand's translatable texts, in the order brand.yaml has them."""
    texts = [getattr(data.contact, name) for name in CONTACT_TEXTS]
    texts += [*data.contact.address, *(getattr(data, name) for name in BRAND_TEXTS)]
    if data.when_to_call:
        texts += [data.when_to_call.title, data.when_to_call.text]
    return [text for text in texts if text.strip()]


def translated_brand(data: BrandData, gettext: Callable[[str], str]) -> BrandData:
    """A copy of the brand data with its patients' texts in the catalog's language."""
    import msgspec

    def tr(text: str) -> str:
        return gettext(text) if text.strip() else text  # gettext("") is the PO header

    contact = msgspec.structs.replace(
        data.contact, address=[tr(line) for line in data.contact.address],
        **{name: tr(getattr(data.contact, name)) for name in CONTACT_TEXTS})
    help_box = data.when_to_call and msgspec.structs.replace(
        data.when_to_call, title=tr(data.when_to_call.title), text=tr(data.when_to_call.text))
    return msgspec.structs.replace(
        data, contact=contact, when_to_call=help_box,
        **{name: tr(getattr(data, name)) for name in BRAND_TEXTS})


# -- templates -------------------------------------------------------------------------


@cache
def environment(styles: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(styles)),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml", "ncx", "svg"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    # English as the fallback (and newstyle gettext for {% trans %} blocks); each render
    # passes its own language's functions in its context, which win over these globals.
    env.install_null_translations(newstyle=True)
    env.filters["long_date"] = long_date_filter
    env.filters["direction"] = direction  # {{ meta.language | direction }} → dir="…"
    env.filters["rule_id"] = lambda text: text.split(":")[0]  # "UA-14-001: why" → the id
    env.filters["css_string"] = css_string  # content: {{ _("(continued)") | css_string }}
    return env


def render(brand: Brand, name: str, **context: object) -> str:
    """Render ``styles/<name>`` with the brand and the given context, in the language of
    ``language=`` if given, else of ``meta`` (the guide's front matter), else of ``lang``
    (the site's pages name theirs so), else English.

    The template gets ``_``, ``gettext`` and ``ngettext`` for that language, ``brand``
    with its patients' texts translated, ``language``, and ``draft`` (False unless
    given: a translation not yet reviewed, which every output marks as a draft)."""
    meta = context.get("meta")
    language = str(context.pop("language", None) or getattr(meta, "language", "")
                   or context.get("lang") or "en-US")
    found = translations(brand.styles, language)
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
    data = brand.data if found is NULL else translated_brand(brand.data, found.gettext)
    context.setdefault("draft", False)
    return template.render(brand=data, language=language, **template_callables(found),
                           **context)


# -- the catalog of program messages ---------------------------------------------------

POT_HEADER = """\
# The words guidepress prints in every output (headings, labels, alt texts) and the
# brand's texts from brand.yaml, for translators. To add a language, copy this file to
# <language>.po in this folder (e.g. fr.po), set its Language and Plural-Forms, and
# fill in every msgstr; keep each %(name)s as it is. Made by
# `python -m guidepress.render.templates`; tests/test_i18n_outputs.py checks it is
# current and that every shipped language translates every message.
#"""


def program_catalog(styles: Path) -> Catalog:
    """Every message the program prints: those the templates and stylesheets in
    ``styles`` mark, those guidepress's Python code marks with _() or N_(), and the
    brand's texts (brand.yaml). What styles/locale/messages.pot holds."""
    import msgspec
    import yaml
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    from .. import __version__

    # A fixed date: the template changes only when a message does.
    catalog = Catalog(project="guidepress", version=__version__, domain="messages",
                      fuzzy=False, creation_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                      header_comment=POT_HEADER)
    sources = [
        (styles, "", TEMPLATE_METHODS,
         {pattern: JINJA_OPTIONS for pattern, _ in TEMPLATE_METHODS}),
        (Path(__file__).resolve().parents[1], "guidepress/", PYTHON_METHODS, {}),
    ]
    for folder, prefix, methods, options in sources:
        found = extract_from_dir(str(folder), methods, options, keywords=DEFAULT_KEYWORDS,
                                 comment_tags=("Translators:",), strip_comment_tags=True)
        for file, line, message, comments, context in found:
            catalog.add(message, locations=[(prefix + file, line)], auto_comments=comments,
                        context=context)
    data = msgspec.convert(yaml.safe_load((styles / "brand.yaml").read_text(encoding="utf-8")),
                           BrandData)
    for text in brand_messages(data):
        catalog.add(text, locations=[("brand.yaml", 0)],
                    auto_comments=["From brand.yaml: the clinic's own words."])
    return catalog


def program_messages(styles: Path) -> list[str]:
    """The msgids of ``program_catalog`` (a plural message by its singular)."""
    return [m.id if isinstance(m.id, str) else m.id[0] for m in program_catalog(styles)
            if m.id]


def missing_messages(styles: Path, language: str) -> list[str]:
    """Program messages that ``language``'s catalog does not translate (absent, empty or
    fuzzy), which would print in English: none for English, all for a language without
    a catalog."""
    if language.replace("_", "-").split("-")[0].lower() == SOURCE_LANGUAGE:
        return []
    wanted = program_messages(styles)
    path = catalog_path(styles, language)
    if path is None:
        return wanted
    catalog = read_catalog(path)
    missing = []
    for message_id in wanted:
        message = catalog.get(message_id)
        if message is None or message.fuzzy:
            missing.append(message_id)
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) \
            else (message.string,)
        if not strings or not all(strings):
            missing.append(message_id)
    return missing


def write_message_template(styles: Path) -> Path:
    """styles/locale/messages.pot from the sources, for a translator to start another
    language (`pybabel init -i messages.pot -l fr`, or a copy saved as fr.po)."""
    from babel.messages.pofile import write_po

    target = styles / LOCALE / TEMPLATE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    write_po(out, program_catalog(styles), width=88, include_lineno=True)
    target.write_bytes(out.getvalue())
    return target


if __name__ == "__main__":  # python -m guidepress.render.templates [STYLES]: the POT
    import sys

    print(write_message_template(Path(sys.argv[1]) if sys.argv[1:] else shipped_styles()))
