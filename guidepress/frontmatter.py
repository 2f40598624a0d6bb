"""YAML front matter: split it off, parse it keeping line numbers, validate it against a schema.

The schema is declared once (``FrontMatter``); errors name the YAML line of the bad value
and unknown keys come back as warnings with a "did you mean" suggestion.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import uuid
from pathlib import Path

import msgspec
import yaml

from .errors import Diagnostic, PublishError
from .model import HandoutSpec, Meta

FENCE = "---"
BCP47 = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
)
SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class HandoutFields(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    title: str
    sections: list[str]


class CheckFields(msgspec.Struct, forbid_unknown_fields=True):
    """`check:` in the front matter: this guide's limits for `publish check`."""

    reading_grade_book: float | None = None
    reading_grade_handout: float | None = None
    smog_grade_book: float | None = None
    smog_grade_handout: float | None = None
    long_sentence_words: int | None = None
    review_months: int | None = None


class FrontMatter(msgspec.Struct):
    """The keys a guide's front matter may hold. Only ``title`` is required."""

    title: str
    subtitle: str = ""
    author: str = ""
    publisher: str = ""
    language: str = "en-US"
    identifier: str = ""
    date: dt.date | None = None
    reviewed: dt.date | None = None
    url: str = ""
    description: str = ""
    keywords: list[str] = []
    handouts: list[HandoutFields] = []
    check: CheckFields | None = None


KNOWN_KEYS = tuple(FrontMatter.__struct_fields__)
TYPE_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "yes/no",
    "array": "a list",
    "object": "a set of key: value lines",
    "null": "empty",
}


class Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so the schema (not PyYAML) validates them and
    a bad date like 2026-13-45 gets a proper message instead of a crash."""


Loader.add_constructor("tag:yaml.org,2002:timestamp",
                       lambda loader, node: loader.construct_scalar(node))


def fm_error(path: Path, line: int, message: str, hint: str = "") -> PublishError:
    return PublishError(path, line, message, hint, rule="front-matter")


def split(text: str, path: Path) -> tuple[str, int]:
    """Return the YAML text and the 1-based line where the Markdown body starts."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        raise fm_error(
            path, 1, "the file does not start with front matter",
            "put a line '---', then 'title: Your title', then another '---' at the very top",
        )
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in (FENCE, "..."):
            return "\n".join(lines[1 : number - 1]), number + 1
    raise fm_error(
        path, 1, "the front matter is not closed",
        "add a line with just '---' after the last front-matter line",
    )


def key_lines(node: yaml.Node, offset: int, prefix: tuple = ()) -> dict[tuple, int]:
    """Map each key path (e.g. ('handouts', 0, 'id')) to its 1-based line in the file."""
    lines = {prefix: node.start_mark.line + offset}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, key.value)
            lines.update(key_lines(value, offset, path))
            lines[path] = key.start_mark.line + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(key_lines(item, offset, (*prefix, index)))
    return lines


def parse(yaml_text: str, path: Path) -> tuple[dict, dict[tuple, int]]:
    offset = 2  # the YAML starts on line 2, after the opening '---'
    try:
        node = yaml.compose(yaml_text, Loader=Loader)
        data = yaml.load(yaml_text, Loader=Loader)  # Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + offset if mark else 1
        problem = getattr(exc, "problem", None) or "it could not be read"
        raise fm_error(
            path, line, f"the front matter is not valid YAML: {problem}",
            "check the indentation, and put quotes around text that contains ': ' or '#'",
        ) from None
    if not isinstance(data, dict) or node is None:
        raise fm_error(path, offset, "the front matter must be 'key: value' lines")
    return data, key_lines(node, offset)


def unknown_key_warnings(data: dict, lines: dict[tuple, int], path: Path) -> list[Diagnostic]:
    found = []
    for key in data:
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(KNOWN_KEYS)
        found.append(Diagnostic(path, lines.get((key,), 1), f"unknown front-matter key '{key}'",
                                hint, "warning", rule="front-matter"))
    return found


def validation_error(exc: msgspec.ValidationError, lines: dict[tuple, int], path: Path
                     ) -> PublishError:
    """Turn msgspec's '... - at `$.handouts[0].id`' into a PublishError at the right line."""
    message, keys, line = error_location(exc, lines)
    name = describe(keys)
    if expected := re.match(r"Expected `(\w+)[^`]*`, got `(\w+)`", message):
        want, got = (TYPE_WORDS.get(w, w) for w in expected.groups())
        return fm_error(path, line, f"{name} must be {want}, not {got}",
                            "put quotes around text values")
    if missing := re.match(r"Object missing required field `(\w+)`", message):
        field_name = missing.group(1)
        return fm_error(path, line, f"{name} is missing '{field_name}'",
                            f"add a line '{field_name}: ...'")
    if unknown := re.match(r"Object contains unknown field `(\w+)`", message):
        return fm_error(path, lines.get((*keys, unknown.group(1)), line),
                            f"unknown key '{unknown.group(1)}' in {name}",
                            "a handout has only: id, title, sections")
    if "date" in message:
        return fm_error(path, line, f"{name} is not a valid date",
                            "write dates as YYYY-MM-DD, e.g. 2026-11-25")
    return fm_error(path, line, f"{name}: {message}")


def error_location(exc: msgspec.ValidationError, lines: dict[tuple, int]
                   ) -> tuple[str, list, int]:
    """msgspec's message, the key path it names ('... - at `$.handouts[0].id`') as far as
    the file has it, and that key's line."""
    message, _, where = str(exc).partition(" - at ")
    keys: list = []
    for part in re.findall(r"\.(\w+)|\[(\d+)\]", where.strip("`")):
        keys.append(part[0] if part[0] else int(part[1]))
    while keys and tuple(keys) not in lines:
        keys.pop()
    return message, keys, lines.get(tuple(keys), 1)


def describe(keys: list) -> str:
    """A key path as people say it: 'title', 'handout 2', "handout 2's 'sections'"."""
    if not keys:
        return "the front matter"
    if keys[0] == "handouts" and len(keys) >= 2 and isinstance(keys[1], int):
        handout = f"handout {keys[1] + 1}"
        return handout if len(keys) == 2 else f"{handout}'s '{keys[2]}'"
    return f"'{keys[0]}'"


def stable_identifier(meta_url: str, slug: str, title: str) -> str:
    """A urn:uuid that stays the same as long as the URL (or slug and title) do."""
    seed = meta_url or f"guidepress:{slug}:{title}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"


def check_values(fm: FrontMatter, lines: dict[tuple, int], path: Path) -> None:
    if not fm.title.strip():
        raise fm_error(path, lines.get(("title",), 1), "'title' is empty",
                           "write the guide's title after 'title:'")
    if not BCP47.match(fm.language):
        raise fm_error(path, lines.get(("language",), 1),
                           f"'language' is not a language tag: '{fm.language}'",
                           "use a tag like en-US, en-GB, es or es-MX")
    if fm.url and not re.match(r"^https?://[^\s/]+", fm.url):
        raise fm_error(path, lines.get(("url",), 1), f"'url' is not a web address: {fm.url}",
                           "write the full address, starting with https://")
    seen: set[str] = set()
    for index, handout in enumerate(fm.handouts):
        line = lines.get(("handouts", index, "id"), 1)
        if not SAFE_ID.match(handout.id):
            raise fm_error(path, line, f"handout id '{handout.id}' is not a safe name",
                               "use lowercase letters, digits and hyphens, e.g. 'prevention'")
        if handout.id in seen:
            raise fm_error(path, line, f"handout id '{handout.id}' is used twice",
                               "give every handout its own id")
        seen.add(handout.id)
        if not handout.sections:
            raise fm_error(path, lines.get(("handouts", index, "sections"), line),
                               f"handout '{handout.id}' lists no sections",
                               "list heading ids, e.g. sections: [prevention]")


def read_meta(yaml_text: str, path: Path, slug: str) -> tuple[Meta, list[Diagnostic]]:
    data, lines = parse(yaml_text, path)
    warnings = unknown_key_warnings(data, lines, path)
    known = {k: v for k, v in data.items() if k in KNOWN_KEYS}
    try:
        fm = msgspec.convert(known, FrontMatter, str_keys=True)
    except msgspec.ValidationError as exc:
        raise validation_error(exc, lines, path) from None
    check_values(fm, lines, path)
    handouts = tuple(handout_spec(h, i, lines) for i, h in enumerate(fm.handouts))
    meta = Meta(
        title=fm.title.strip(),
        subtitle=fm.subtitle,
        author=fm.author,
        publisher=fm.publisher,
        language=fm.language,
        identifier=fm.identifier or stable_identifier(fm.url, slug, fm.title),
        date=fm.date,
        reviewed=fm.reviewed,
        url=fm.url,
        description=fm.description,
        keywords=tuple(fm.keywords),
        handouts=handouts,
        check=check_settings(fm.check),
        lines=dict(lines),
    )
    return meta, warnings


def check_settings(fields: CheckFields | None) -> dict[str, float]:
    if fields is None:
        return {}
    return {name: getattr(fields, name) for name in fields.__struct_fields__
            if getattr(fields, name) is not None}


def handout_spec(fields: HandoutFields, index: int, lines: dict[tuple, int]) -> HandoutSpec:
    line = lines.get(("handouts", index, "id"), 1)
    section_lines = tuple(
        lines.get(("handouts", index, "sections", n), line) for n in range(len(fields.sections))
    )
    return HandoutSpec(fields.id, fields.title, tuple(fields.sections), line, section_lines)
