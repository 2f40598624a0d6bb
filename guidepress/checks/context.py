"""What every rule is handed and how a rule is declared: the limits (defaults, then the
project's `[tool.publish.check]`, then a guide's `check:`), the check's context, ``Rule``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from ..errors import Diagnostic
from ..model import Guide
from ..read.brand import Brand


@dataclass(frozen=True)
class Limits:
    """Defaults for the rules; `[tool.publish.check]` in pyproject.toml and `check:` in a
    guide's front matter override them, in that order."""

    reading_grade_book: float = 9  # NIH advises below 8th grade; the AMA, 6th
    reading_grade_handout: float = 8
    # SMOG scores plain health text about two grades above Flesch–Kincaid, and needs ten
    # sentences or more to mean anything.
    smog_grade_book: float = 11
    smog_grade_handout: float = 10
    # Spanish guides: INFLESZ, 0–100, higher is easier; a finding when a score is below.
    # 55 is where the scale's "normal" starts, the least its authors advise for health
    # information for the public; handouts, read in a hurry, a band step easier.
    inflesz_book: float = 55
    inflesz_handout: float = 60
    long_sentence_words: int = 25
    review_months: int = 24

    def update(self, values: dict) -> Limits:
        known = {k: v for k, v in values.items() if k in self.__dataclass_fields__}
        return replace(self, **known)


def primary_language(tag: str) -> str:
    """The language subtag of a BCP 47 tag, lowercase: "es" for es, es-US, es-419.
    A guide with no language is read as English, the front matter's default."""
    return (tag or "en").replace("_", "-").split("-")[0].lower()


@dataclass
class CheckContext:
    brand: Brand
    limits: Limits
    today: dt.date
    render: bool = False  # run the slow rules that lay pages out
    jargon: dict[str, str] = field(default_factory=dict)  # English: styles/jargon.yaml
    # Other languages' lists, by primary subtag: styles/jargon-es.yaml is "es".
    jargon_lists: dict[str, dict[str, str]] = field(default_factory=dict)

    def jargon_for(self, language: str) -> dict[str, str]:
        """The jargon list for a guide's language. A language with no list of its own gets
        none: English words would not be found in its text, or would be wrongly found."""
        primary = primary_language(language)
        if primary in self.jargon_lists:
            return self.jargon_lists[primary]
        return self.jargon if primary == "en" else {}


@dataclass(frozen=True)
class Rule:
    check: Callable[[Guide, CheckContext], Iterable[Diagnostic]]
    severity: str  # the usual severity; a rule may report some findings as errors
    about: str
    render: bool = False  # only with --render
