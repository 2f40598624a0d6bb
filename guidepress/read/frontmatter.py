"""YAML front matter: split it off, parse it keeping line numbers, validate it against a schema.

The YAML is read once, by ruamel.yaml's round-trip loader, whose maps and lists remember
the line of every key and item (``.lc``). The schema is declared once (``FrontMatter``);
errors name the YAML line of the bad value and unknown keys come back as warnings with a
"did you mean" suggestion.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import langcodes
import msgspec
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.scalarbool import ScalarBoolean

from ..errors import Diagnostic, PublishError
from ..model import HandoutSpec, Meta

FENCE = "---"
OFFSET = 2  # the YAML starts on line 2, after the opening '---'
SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

# Real front matter is 10 to 40 lines and under 2 KB (the shipped guide's: 22 lines, 881
# bytes). The round-trip parser is pure Python, about 0.1 ms a token, so size is time: at
# these caps the worst case (a flow list of one-letter items) takes about a second, where
# 64 KiB would take four, and a real guide still has room for dozens of handouts.
MAX_BYTES = 16 * 1024
MAX_LINES = 500
# Counting the top-level map, the deepest real value (an entry of a handout's sections) is 5
# levels down; ruamel builds values recursively, so this also keeps Python's stack safe.
MAX_DEPTH = 8

# C0 controls other than tab and newline, DEL, C1 controls, lone surrogates (a "\ud800"
# escape) and the two non-characters: invisible, and invalid in XML, PDF text or both.
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
RETYPE = "retype the text; invisible characters often come along when text is copied and pasted"

ANCHORS = "the front matter may not use YAML anchors (&) or aliases (*)"
ANCHORS_HINT = "write the value out in full where it is needed"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"

# ZIP files, and so EPUBs, cannot hold a timestamp before 1980 (the build stamps the guide's
# date on every entry). ZIP ends in 2107; 2099 leaves room for review due dates, which add
# up to 120 months.
DATE_FLOOR = dt.date(1980, 1, 1)
DATE_CEILING = dt.date(2099, 12, 31)

# `check:` limits: (lowest, highest, what a value means). Grade limits go up to 100 so a
# guide can in effect switch the rule off.
LIMIT_RANGES: dict[str, tuple[int, int, str]] = {
    "reading_grade_book": (1, 100, "a school grade, e.g. 9"),
    "reading_grade_handout": (1, 100, "a school grade, e.g. 8"),
    "smog_grade_book": (1, 100, "a school grade, e.g. 11"),
    "smog_grade_handout": (1, 100, "a school grade, e.g. 10"),
    "long_sentence_words": (5, 500, "a number of words, e.g. 25"),
    "review_months": (1, 120, "months between medical reviews, e.g. 24"),
    "inflesz_book": (0, 100, "an INFLESZ score, e.g. 55"),
    "inflesz_handout": (0, 100, "an INFLESZ score, e.g. 60"),
}

MAX_URL = 500  # a QR code holds about 2,900 bytes; one a phone reads easily, far fewer
URL_BAD_CHARS = re.compile(r"[\s\"'`<>\\{}|^]")
HOST_NAME = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+"
                       r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")

# The longest titles the shipped designs hold, in characters. Measured by laying out title
# pages (office and press editions of the print book, and the cover) for titles of growing
# length made of the words of real clinic titles, 30 different titles at each length:
# - A title alone: the title page has room for three lines of it at 44 pt (the press
#   edition's 6 in x 9 in page is the tightest); 36 characters fitted every time, 40
#   characters spilled the publisher onto a second page 3 times in 30.
# - With a subtitle, only two lines of title fit beside up to three lines of subtitle:
#   a 24-character title with a 100-character subtitle fitted every time; 26 and 28
#   characters spilled 2 and 7 times in 30.
# Lines break between words, so a title under the limit can still, rarely, need one line
# more than its length suggests (a short word before a long one); only laying out the page
# would tell. The limits are where titles of ordinary words stop fitting.
MAX_TITLE = 36
MAX_TITLE_WITH_SUBTITLE = 24
MAX_SUBTITLE = 100
# A handout's title is 23.6 pt across the sheet: about 45 characters a line; up to 80 it
# took two lines, every time; beyond, three, taking the room of the text below.
MAX_HANDOUT_TITLE = 80
# A summary is one line under the handout's name on the downloads page: two lines at most
# on a phone (about 45 characters a line at 390 px).
MAX_HANDOUT_SUMMARY = 120
# A reorder code is read out over the phone and printed small: letters, digits, hyphens.
REORDER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,15}$")

MAX_TAG = 35  # RFC 5646 asks every program to take tags this long; real ones are shorter
# Codes that say "no particular language" or are private: no use to a reader or a screen reader.
NOT_A_LANGUAGE = {"und", "mul", "mis", "zxx"}
PRIVATE_LANGUAGE = re.compile(r"^q[a-t][a-z]$")
PRIVATE_SCRIPT = re.compile(r"^(qa[a-z][a-z]|qab[a-x]|zzzz)$", re.I)
PRIVATE_REGION = re.compile(r"^(aa|q[m-z]|x[a-jl-z]|zz)$", re.I)
# Country codes people write where a language code belongs (only ones that are not
# themselves languages, so this never changes a correct tag).
COUNTRY_FOR_LANGUAGE = {"jp": "ja", "cn": "zh", "dk": "da", "gr": "el", "cz": "cs", "ua": "uk",
                        "us": "en", "gb": "en", "sp": "es", "vn": "vi", "il": "he", "kp": "ko"}
# Languages a clinic is likely to publish in, for "did you mean" on a mistyped code.
COMMON_LANGUAGES = (
    "en", "es", "fr", "de", "it", "pt", "nl", "pl", "ru", "uk", "ar", "fa", "ur", "hi", "bn",
    "pa", "gu", "ta", "te", "ml", "ne", "zh", "ja", "ko", "vi", "tl", "th", "km", "lo", "my",
    "id", "ms", "ht", "so", "am", "ti", "sw", "yo", "ig", "ha", "ro", "hu", "cs", "sk", "el",
    "tr", "he", "hy", "ka", "sq", "sr", "hr", "bs", "sl", "bg", "mk", "ps", "ku",
)


class HandoutFields(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    title: str
    sections: list[str]
    summary: str = ""
    code: str = ""


class CheckFields(msgspec.Struct, forbid_unknown_fields=True):
    """`check:` in the front matter: this guide's limits for `publish check`."""

    reading_grade_book: float | None = None
    reading_grade_handout: float | None = None
    smog_grade_book: float | None = None
    smog_grade_handout: float | None = None
    long_sentence_words: int | None = None
    review_months: int | None = None
    inflesz_book: float | None = None  # Spanish guides: the INFLESZ score to stay above
    inflesz_handout: float | None = None


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


def fm_error(path: Path, line: int, message: str, hint: str = "") -> PublishError:
    return PublishError(path, line, message, hint, rule="front-matter")


# -- reading the YAML -----------------------------------------------------------------------


class Refused(Exception):
    """Something the front matter may not contain, found while loading. ``line`` is 0-based
    within the YAML text; ``parse`` turns this into a PublishError."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


class FrontMatterComposer(Composer):
    """Refuses anchors, aliases, tags and deep nesting as the parser reports them, before
    anything is built: a "billion laughs" of aliases then costs one line's work."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader=loader)
        self.nesting = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        line = event.start_mark.line
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise Refused(line, ANCHORS, ANCHORS_HINT)
        if getattr(event, "tag", None) is not None:
            raise Refused(line, "the front matter may not use YAML tags (!)",
                          "remove the '!…' word; put quotes around a value that must stay text")
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise Refused(line, "the front matter is nested too deeply",
                          "only 'handouts' and 'check' hold indented lines; compare with the "
                          "README's example")
        try:
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1


class FrontMatterConstructor(RoundTripConstructor):
    """The round-trip constructor, with dates left as text and a second copy of a key refused
    with both lines (ruamel's own error names only the second)."""

    def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any,
                          value: Any) -> bool:
        if key in mapping:
            first = mapping.lc.data.get(key, [node.start_mark.line])[0] + OFFSET
            second = key_node.start_mark.line + OFFSET
            name = key_node.value if isinstance(key_node.value, str) else str(key)
            raise Refused(key_node.start_mark.line,
                          f"'{name}' appears twice, on lines {first} and {second}; keep one",
                          "delete the line you do not want")
        return True

    def flatten_mapping(self, node: Any) -> Any:
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:  # '<<' only makes sense with aliases
                raise Refused(key_node.start_mark.line,
                              "the front matter may not use YAML merge keys (<<)", ANCHORS_HINT)
        return super().flatten_mapping(node)


# The schema, not the YAML library, validates dates, so that 2026-02-30 gets a message
# instead of a crash inside the loader.
FrontMatterConstructor.add_constructor(TIMESTAMP_TAG,
                                       lambda self, node: self.construct_scalar(node))


def loader() -> YAML:
    """A fresh loader each time: a YAML object keeps state between documents."""
    # Round-trip keeps each key's line; like the safe loader it builds only maps, lists and
    # scalars, never arbitrary Python objects.
    yaml = YAML(typ="rt", pure=True)
    yaml.Composer = FrontMatterComposer
    yaml.Constructor = FrontMatterConstructor
    return yaml


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


def check_size(yaml_text: str, path: Path) -> None:
    """Refuse front matter far larger than any real one, before parsing it."""
    hint = "the front matter holds a few short lines; did the closing '---' go missing?"
    if yaml_text.count("\n") >= MAX_LINES:
        raise fm_error(path, OFFSET + MAX_LINES, f"the front matter is longer than "
                       f"{MAX_LINES:,} lines", hint)
    data = yaml_text.encode("utf-8")
    if len(data) > MAX_BYTES:
        line = data[:MAX_BYTES].count(b"\n") + OFFSET
        raise fm_error(path, line, f"the front matter is larger than {MAX_BYTES // 1024} KB",
                       hint)


def check_raw_text(yaml_text: str, path: Path) -> None:
    """Invisible characters typed into the file itself (escapes are checked per value)."""
    if found := INVISIBLE.search(yaml_text):
        line = yaml_text.count("\n", 0, found.start()) + OFFSET
        raise fm_error(path, line, f"the front matter contains {char_name(found.group())}",
                       RETYPE)


def char_name(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"a broken character ({code}, half of a symbol or emoji)"
    return f"an invisible control character ({code})"


def parse(yaml_text: str, path: Path) -> tuple[dict, dict[tuple, int]]:
    """The front matter as plain data, and the file line of every key path."""
    check_size(yaml_text, path)
    check_raw_text(yaml_text, path)
    try:
        loaded = loader().load(yaml_text)
    except Refused as refused:
        raise fm_error(path, refused.line + OFFSET, refused.message, refused.hint) from None
    except YAMLError as exc:
        raise yaml_error(exc, yaml_text, path) from None
    if not isinstance(loaded, CommentedMap):
        raise fm_error(path, OFFSET, "the front matter must be 'key: value' lines")
    lines: dict[tuple, int] = {}
    data = to_plain(loaded, (), loaded.lc.line + OFFSET, lines, path)
    return data, lines


def yaml_error(exc: YAMLError, yaml_text: str, path: Path) -> PublishError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line = mark.line + OFFSET
    elif isinstance(position := getattr(exc, "position", None), int):
        line = yaml_text.count("\n", 0, position) + OFFSET
    else:
        line = 1
    problem = (getattr(exc, "problem", None) or "it could not be read").strip().splitlines()
    return fm_error(
        path, line, f"the front matter is not valid YAML: {problem[0]}",
        "check the indentation, and put quotes around text that contains ': ' or '#'",
    )


def to_plain(value: Any, keys: tuple, line: int, lines: dict[tuple, int], path: Path) -> Any:
    """ruamel's value as plain dicts, lists and scalars (msgspec wants exact types), noting
    each key path's line in ``lines`` and refusing text with invisible characters."""
    lines[keys] = line
    if isinstance(value, CommentedMap):
        plain = {}
        for key, item in value.items():
            key_line = value.lc.data[key][0] + OFFSET
            name = plain_key(key, keys, key_line, path)
            plain[name] = to_plain(item, (*keys, name), key_line, lines, path)
        return plain
    if isinstance(value, CommentedSeq):
        return [to_plain(item, (*keys, index), value.lc.data[index][0] + OFFSET, lines, path)
                for index, item in enumerate(value)]
    return plain_scalar(value, keys, line, path)


def plain_key(key: Any, parent: tuple, line: int, path: Path) -> Any:
    where = f"a key in {describe(list(parent))}" if parent else "a front-matter key"
    if isinstance(key, str):
        check_text(key, where, line, path)
        return str(key)
    if key is None or isinstance(key, bool | int | float):
        return plain_scalar(key, parent, line, path)
    raise fm_error(path, line, f"{where} is a list or a set of values, not a name",
                   "write each key as a plain word followed by ':'")


def plain_scalar(value: Any, keys: tuple, line: int, path: Path) -> Any:
    if value is None or type(value) is bool:
        return value
    if isinstance(value, ScalarBoolean):  # ruamel's bool stand-in is an int subclass
        return bool(value)
    if isinstance(value, str):
        check_text(value, describe(list(keys)), line, path)
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    raise fm_error(path, line, f"{describe(list(keys))} could not be read",
                   "write it as plain text, a number, or a list")


def check_text(text: str, name: str, line: int, path: Path) -> None:
    if found := INVISIBLE.search(text):
        raise fm_error(path, line, f"{name} contains {char_name(found.group())}", RETYPE)


def key_lines(node: Any, offset: int, prefix: tuple = ()) -> dict[tuple, int]:
    """Map each key path (e.g. ('handouts', 0, 'id')) to its 1-based line, from a composed
    node tree (PyYAML's; ruamel's nodes have the same shape). brand.py uses this for
    brand.yaml; front matter takes its lines from ruamel's ``.lc`` instead."""
    lines = {prefix: node.start_mark.line + offset}
    if node.id == "mapping":
        for key, value in node.value:
            path = (*prefix, key.value)
            lines.update(key_lines(value, offset, path))
            lines[path] = key.start_mark.line + offset
    elif node.id == "sequence":
        for index, item in enumerate(node.value):
            lines.update(key_lines(item, offset, (*prefix, index)))
    return lines


# -- the schema -----------------------------------------------------------------------------


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


def validation_error(exc: msgspec.ValidationError, lines: dict[tuple, int], path: Path,
                     data: dict | None = None) -> PublishError:
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
                        f"unknown key '{unknown.group(1)}' in {name}", allowed_keys(keys))
    if "date" in message:
        written = value_at(data or {}, keys)
        if reason := impossible_date(written):
            return fm_error(path, line, f"{name} is not a valid date: {reason}",
                            "check the day and the month")
        return fm_error(path, line, f"{name} is not a valid date",
                        "write dates as YYYY-MM-DD, e.g. 2026-11-25")
    return fm_error(path, line, f"{name}: {message}")


def allowed_keys(keys: list) -> str:
    if keys and keys[0] == "check":
        return "'check' has only: " + ", ".join(CheckFields.__struct_fields__)
    return "a handout has only: " + ", ".join(HandoutFields.__struct_fields__)


def value_at(data: Any, keys: list) -> Any:
    for key in keys:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def impossible_date(text: Any) -> str:
    """Why a well-formed YYYY-MM-DD names no day ('February 2026 has no day 30'), or ''."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) if isinstance(text, str) else None
    if match is None:
        return ""
    year, month, day = (int(part) for part in match.groups())
    if year == 0:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"{calendar.month_name[month]} {year} has no day {day}"
    return ""


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
    if keys[0] == "check" and len(keys) >= 2:
        return f"'{keys[1]}' under 'check'"
    return f"'{keys[0]}'"


def stable_identifier(meta_url: str, slug: str, title: str) -> str:
    """A urn:uuid that stays the same as long as the URL (or slug and title) do."""
    seed = meta_url or f"guidepress:{slug}:{title}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"


# -- values the schema cannot judge ---------------------------------------------------------


def check_values(fm: FrontMatter, lines: dict[tuple, int], path: Path) -> None:
    if not fm.title.strip():
        raise fm_error(path, lines.get(("title",), 1), "'title' is empty",
                       "write the guide's title after 'title:'")
    if problem := language_problem(fm.language):
        reason, hint = problem
        raise fm_error(path, lines.get(("language",), 1),
                       f"'language' is not a language tag: {reason}", hint)
    if fm.url and (reason := url_problem(fm.url)):
        raise fm_error(path, lines.get(("url",), 1), f"'url' is not a web address: {reason}",
                       "write the page's full address, starting with https://, "
                       "e.g. https://www.example.org/guides/back-pain/")
    check_title_lengths(fm, lines, path)
    check_dates(fm, lines, path, dt.date.today())
    check_limits(fm.check, lines, path)
    check_handout_fields(fm, lines, path)


def check_title_lengths(fm: FrontMatter, lines: dict[tuple, int], path: Path) -> None:
    """Refuse a title or subtitle longer than the title page holds: the page would break
    over two or more pages, or the cover would cut the text off."""
    title, subtitle = fm.title.strip(), fm.subtitle.strip()
    if len(subtitle) > MAX_SUBTITLE:
        raise fm_error(path, lines.get(("subtitle",), 1),
                       f"'subtitle' is {len(subtitle)} characters long; the title page holds "
                       f"at most {MAX_SUBTITLE}",
                       "shorten it; the description ('description:') can say more")
    limit = MAX_TITLE_WITH_SUBTITLE if subtitle else MAX_TITLE
    if len(title) > limit:
        room = (f"with a subtitle the title page holds a title of at most {limit} "
                f"characters ({MAX_TITLE} without one)") if subtitle else \
            f"the title page holds at most {limit}"
        raise fm_error(path, lines.get(("title",), 1),
                       f"'title' is {len(title)} characters long; {room}",
                       "shorten it, and put the details in the subtitle ('subtitle:', up to "
                       f"{MAX_SUBTITLE} characters)")


def check_dates(fm: FrontMatter, lines: dict[tuple, int], path: Path, today: dt.date) -> None:
    for name in ("date", "reviewed"):
        day: dt.date | None = getattr(fm, name)
        line = lines.get((name,), 1)
        if day is not None and day < DATE_FLOOR:
            raise fm_error(path, line, f"'{name}' {day.isoformat()} is before "
                           f"{DATE_FLOOR.isoformat()}",
                           "check the year; e-books cannot hold dates before 1980")
        if day is not None and day > DATE_CEILING:
            raise fm_error(path, line, f"'{name}' {day.isoformat()} is after "
                           f"{DATE_CEILING.isoformat()}", "check the year")
    if fm.reviewed is not None and fm.reviewed > today:
        raise fm_error(path, lines.get(("reviewed",), 1),
                       f"'reviewed' {fm.reviewed.isoformat()} is in the future "
                       f"(today is {today.isoformat()})",
                       "write the date a clinician last checked the guide")


def check_limits(fields: CheckFields | None, lines: dict[tuple, int], path: Path) -> None:
    if fields is None:
        return
    for name, (low, high, meaning) in LIMIT_RANGES.items():
        value = getattr(fields, name)
        if value is not None and not low <= value <= high:  # also refuses .nan
            raise fm_error(path, lines.get(("check", name), lines.get(("check",), 1)),
                           f"'{name}' under 'check' must be between {low} and {high}, "
                           f"not {value:g}", f"write {meaning}")


def check_handout_fields(fm: FrontMatter, lines: dict[tuple, int], path: Path) -> None:
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
        if len(title := handout.title.strip()) > MAX_HANDOUT_TITLE:
            raise fm_error(path, lines.get(("handouts", index, "title"), line),
                           f"handout '{handout.id}' has a title of {len(title)} characters; "
                           f"a handout's title may be at most {MAX_HANDOUT_TITLE} (two lines)",
                           "shorten it: the title takes the room of the handout's text")
        if len(summary := handout.summary.strip()) > MAX_HANDOUT_SUMMARY:
            raise fm_error(path, lines.get(("handouts", index, "summary"), line),
                           f"handout '{handout.id}' has a summary of {len(summary)} "
                           f"characters; the most is {MAX_HANDOUT_SUMMARY}",
                           "say in one short sentence who the handout is for")
        if handout.code and not REORDER_CODE.match(handout.code):
            raise fm_error(path, lines.get(("handouts", index, "code"), line),
                           f"handout '{handout.id}' has the reorder code '{handout.code}'",
                           "use up to 16 capital letters, digits and hyphens, e.g. MS-01")
        if not handout.sections:
            raise fm_error(path, lines.get(("handouts", index, "sections"), line),
                           f"handout '{handout.id}' lists no sections",
                           "list heading ids, e.g. sections: [prevention]")


def url_problem(url: str) -> str:
    """What keeps ``url`` from being a public https address a QR code can hold, or ''."""
    if len(url) > MAX_URL:
        return f"it is {len(url):,} characters long; the most is {MAX_URL}"
    if bad := URL_BAD_CHARS.search(url):
        what = "a space" if bad.group().isspace() else f"the character {bad.group()}"
        return f"it contains {what}"
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed '[' of an IPv6 address
        return "it could not be read as an address"
    try:
        port = parts.port
    except ValueError:
        return "the port after ':' is not a number from 1 to 65535"
    if parts.scheme.lower() != "https":
        return "it must start with https://"
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None:
        return "it contains a user name or password (the part before '@')"
    if not host:
        return "it has no site name after https://"
    if not HOST_NAME.match(ascii_host(host)) or port == 0:
        return f"'{host}' is not a site name like www.example.org"
    return ""


def ascii_host(host: str) -> str:
    """The host as DNS spells it (international names in their xn-- form), or '' if none."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


def language_problem(tag: str) -> tuple[str, str] | None:
    """(what is wrong, a hint) when ``tag`` is not a real language tag, else None.

    langcodes checks against its own copy of the IANA subtag registry, offline. Its
    tag_is_valid() first normalises (en-UK becomes en-GB), so the tag as written is checked
    too, subtag by subtag.
    """
    general = "use a tag like en-US, en-GB, es or es-MX"
    if len(tag) > MAX_TAG:
        return f"it is {len(tag)} characters long", general
    try:
        parsed = langcodes.Language.get(tag, normalize=False)
    except langcodes.LanguageTagError:
        return f"'{tag}'", language_hint(tag) or general
    reason = subtag_problem(parsed)
    if reason is None and parsed.is_valid() and langcodes.tag_is_valid(tag):
        return None
    return f"'{tag}' ({reason or 'a part of it is not registered'})", \
        language_hint(tag) or general


def subtag_problem(parsed: langcodes.Language) -> str | None:
    """Which subtag of a parsed tag names nothing real, or None."""
    language, script, region = parsed.language, parsed.script, parsed.territory
    if language is None or language in NOT_A_LANGUAGE:
        return f"'{language or 'und'}' does not name a language"
    if PRIVATE_LANGUAGE.match(language) or not registered(language=language):
        return f"'{language}' is not a language code"
    if script and (PRIVATE_SCRIPT.match(script) or not registered(script=script)):
        return f"'{script}' is not a script code"
    if region and (PRIVATE_REGION.match(region) or not registered(territory=region)):
        return f"'{region}' is not a country or region code"
    return None


def registered(**subtag: str) -> bool:
    return langcodes.Language.make(**subtag).is_valid()


def language_hint(tag: str) -> str:
    """'did you mean …?' for a tag that is almost right, or ''."""
    if guess := guess_language(tag):
        return f"did you mean '{guess}'?"
    return ""


def guess_language(tag: str) -> str:
    """The registry's own fix (en-UK → en-GB, eng → en), else the tag with a bad region or
    script dropped, else a common code close to the language part."""
    try:
        standard = langcodes.standardize_tag(tag)
        parsed = langcodes.Language.get(tag, normalize=False)
    except (langcodes.LanguageTagError, ValueError):
        return close_language(tag.split("-")[0].lower())
    if standard != tag and is_good(standard):
        return standard
    base = (parsed.language or "").lower()
    if "-" not in base and registered_language(base):
        keep = [part for part in (parsed.script, parsed.territory) if part]
        while keep and not is_good("-".join([base, *keep])):
            keep.pop()
        return "-".join([base, *keep])
    return close_language(base)


def close_language(code: str) -> str:
    if code in COUNTRY_FOR_LANGUAGE:
        return COUNTRY_FOR_LANGUAGE[code]
    close = difflib.get_close_matches(code, COMMON_LANGUAGES, n=1, cutoff=0.5)
    return close[0] if close else ""


def registered_language(code: str) -> bool:
    return bool(code) and code not in NOT_A_LANGUAGE and not PRIVATE_LANGUAGE.match(code) \
        and registered(language=code)


def is_good(tag: str) -> bool:
    try:
        parsed = langcodes.Language.get(tag, normalize=False)
    except langcodes.LanguageTagError:
        return False
    return subtag_problem(parsed) is None and parsed.is_valid()


# -- the result -----------------------------------------------------------------------------


def read_meta(yaml_text: str, path: Path, slug: str) -> tuple[Meta, list[Diagnostic]]:
    data, lines = parse(yaml_text, path)
    warnings = unknown_key_warnings(data, lines, path)
    known = {k: v for k, v in data.items() if k in KNOWN_KEYS}
    try:
        fm = msgspec.convert(known, FrontMatter, str_keys=True)
    except msgspec.ValidationError as exc:
        raise validation_error(exc, lines, path, known) from None
    check_values(fm, lines, path)
    handouts = tuple(handout_spec(h, i, lines, slug) for i, h in enumerate(fm.handouts))
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


def handout_spec(fields: HandoutFields, index: int, lines: dict[tuple, int],
                 slug: str = "") -> HandoutSpec:
    line = lines.get(("handouts", index, "id"), 1)
    section_lines = tuple(
        lines.get(("handouts", index, "sections", n), line) for n in range(len(fields.sections))
    )
    return HandoutSpec(fields.id, fields.title, tuple(fields.sections), line, section_lines,
                       summary=" ".join(fields.summary.split()),
                       code=fields.code or reorder_code(slug, index))


def reorder_code(slug: str, index: int) -> str:
    """A code for the front desk to quote when a handout runs out: the guide's initials
    and the handout's place in the front matter ("muscle-spasms", 0 → "MS-01")."""
    initials = "".join(word[0] for word in slug.split("-") if word).upper()[:6] or "H"
    return f"{initials}-{index + 1:02d}"
