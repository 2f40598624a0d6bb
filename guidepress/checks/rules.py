"""The rules of `publish check`. Each reads the model and yields findings."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from .. import contrast as wcag
from ..errors import Diagnostic, PublishError
from ..model import Guide, Node
from . import CheckContext, Rule
from .text import Sentence, scores, sentences

FILE_NAME = re.compile(r"\.(png|jpe?g|gif|webp|svg)$|^(img|image|dsc|photo)[_-]?\d+", re.I)
VAGUE_ALT = re.compile(r"^(an? )?(image|picture|photo|graphic|drawing) of\b", re.I)
# After the word: "(plain words)", ", meaning …", " means …", " is a …", " are the …".
EXPLAINED = re.compile(r"^[’'s]*\s*(\(|,?\s*(meaning|which means|that is)\b|means\b"
                       r"|(is|are)\s+(an?|the)\b)", re.I)
FIGURE_SHARE = 0.88  # figures print at 88 % of the text width (styles/css/print.css)


def column(guide: Guide, line: int, needle: str) -> int:
    """1-based column of ``needle`` on a source line (1 when it cannot be found)."""
    if not needle or not 0 < line <= len(guide.source_lines):
        return 1
    found = guide.source_lines[line - 1].lower().find(needle.lower()[:40])
    return found + 1 if found >= 0 else 1


def finding(guide: Guide, line: int, message: str, hint: str = "", severity: str = "warning",
            needle: str = "") -> Diagnostic:
    return Diagnostic(guide.source, line, message, hint, severity,
                      col=column(guide, line, needle))


# -- reading level ------------------------------------------------------------------------


def longest(items: list[Sentence], count: int = 3) -> str:
    ranked = sorted(items, key=lambda s: -len(s.words))[:count]
    return "; ".join(f"line {s.line}: “{shorten(s.text)}” ({len(s.words)} words)"
                     for s in ranked)


def shorten(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def grade_problem(items: list[Sentence], fk_limit: float, smog_limit: float) -> str:
    result = scores(items)
    if result is None:
        return ""
    too_hard = result.flesch_kincaid > fk_limit or (
        result.sentences >= 10 and result.smog > smog_limit)
    if not too_hard:
        return ""
    return (f"reads at grade {result.flesch_kincaid:g} (Flesch–Kincaid; SMOG {result.smog:g}); "
            f"aim for grade {fk_limit:g} or lower")


def reading_level(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    limits = context.limits
    for section in guide.sections:
        items = sentences(guide.section_blocks(section))
        problem = grade_problem(items, limits.reading_grade_book, limits.smog_grade_book)
        if problem:
            yield finding(guide, section.line, f"section '{section.title}' {problem}",
                          "shorter sentences and shorter words help; longest: " + longest(items),
                          needle=section.title)
    for handout in guide.meta.handouts:
        items = sentences(tuple(b for s in handout.sections
                                for b in guide.section_blocks(guide.section(s))))
        problem = grade_problem(items, limits.reading_grade_handout,
                                limits.smog_grade_handout)
        if problem:
            yield finding(guide, handout.line, f"handout '{handout.id}' {problem}",
                          "longest: " + longest(items), needle=handout.id)


def long_sentence(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    limit = context.limits.long_sentence_words
    for sentence in sentences(guide.blocks):
        if len(sentence.words) > limit:
            yield finding(guide, sentence.line,
                          f"sentence of {len(sentence.words)} words: “{shorten(sentence.text)}”",
                          f"split it; {limit} words or fewer are easier to follow",
                          needle=" ".join(sentence.text.split()[:3]))


def jargon(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    """Medical words from styles/jargon.yaml, unless explained where they first appear."""
    prose = sentences(guide.blocks)
    for term, plain in context.jargon.items():
        pattern = re.compile(rf"\b{re.escape(term)}(s|es)?\b", re.I)
        first = next(((s, m) for s in prose if (m := pattern.search(s.text))), None)
        if first is None:
            continue
        sentence, match = first
        after = sentence.text[match.end():]
        before = sentence.text[:match.start()]
        if EXPLAINED.match(after) or re.search(r"\bcalled\s+(an?\s+)?$", before, re.I):
            continue
        yield finding(guide, sentence.line,
                      f"“{match.group(0)}” may be unfamiliar to patients",
                      f"say “{plain}”, or explain it in brackets the first time it appears",
                      needle=match.group(0))


# -- images ------------------------------------------------------------------------------


def images(guide: Guide) -> Iterator[Node]:
    for node in guide.walk():
        if node.type == "image":
            yield node


def image_alt(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    for image in images(guide):
        alt, src = image.attrs.get("alt", "").strip(), image.attrs.get("src", "")
        hint = "describe what the picture shows, in the [brackets], for people who cannot see it"
        if not alt:
            yield finding(guide, image.line, f"image '{src}' has no alt text", hint, "error",
                          needle="![")
        elif FILE_NAME.search(alt) or alt == src.rsplit("/", 1)[-1]:
            yield finding(guide, image.line, f"the alt text of '{src}' is a file name", hint,
                          needle=alt)
        elif VAGUE_ALT.match(alt):
            yield finding(guide, image.line,
                          f"the alt text of '{src}' starts with “{VAGUE_ALT.match(alt).group(0)}”",
                          "say what it shows straight away; screen readers already say 'image'",
                          needle=alt)


def text_width_inches(context: CheckContext) -> float:
    from ..printbook import office_edition

    edition = office_edition(context.brand)
    width = float(edition.page_size.split()[0].removesuffix("in").removesuffix("mm"))
    if edition.page_size.endswith("mm"):
        width /= 25.4
    return width - float(edition.inner.removesuffix("in")) - float(edition.outer.removesuffix("in"))


def image_resolution(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    from ..printbook import PRINT_DPI

    inches = FIGURE_SHARE * text_width_inches(context)
    needed = round(inches * PRINT_DPI)
    for asset in guide.assets.values():
        if asset.media_type == "image/svg+xml":
            continue  # drawn as vectors: sharp at any size
        width = asset.pixels_wide
        if width < needed:
            yield finding(guide, asset.line,
                          f"image '{asset.src}' is {width} pixels wide; printed "
                          f"{inches:.1f} in wide it needs {needed} for {PRINT_DPI} dpi",
                          "use a larger version, or an SVG drawing", needle=asset.src)


# -- structure -----------------------------------------------------------------------------


def heading_order(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    previous = 0
    for node in guide.walk():
        if node.type != "heading":
            continue
        level = int(node.attrs["level"])
        if level > previous + 1:
            yield finding(guide, node.line,
                          f"heading level jumps from {previous} to {level}",
                          f"use {'#' * (previous + 1)} here; screen-reader users move by "
                          "heading levels", "error", needle="#")
        previous = level


def heading_id(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    for section in guide.sections:
        if section.heading.attrs.get("auto_id"):
            yield finding(guide, section.line, f"heading '{section.title}' has no id",
                          f"add {{#{section.id}}} at the end of the line, so handouts and "
                          "links keep working when the title changes", needle=section.title)


def handout_fit(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    from ..build import build_timestamp
    from ..writers import BuildContext
    from ..writers.handout import FIT, fit_to_page

    build = BuildContext(context.brand, "check", build_timestamp(guide))
    for spec in guide.meta.handouts:
        try:
            fit_to_page(guide, spec, build, FIT)
        except PublishError as error:
            yield Diagnostic(guide.source, error.diagnostic.line, error.diagnostic.message,
                             error.diagnostic.hint, "error", col=1)


# -- freshness ----------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review(guide: Guide, context: CheckContext) -> Iterator[Diagnostic]:
    reviewed = guide.meta.reviewed
    if reviewed is None:
        yield Diagnostic(guide.source, guide.meta.lines.get(("title",), 1),
                         "the guide has no medical review date",
                         "add 'reviewed: YYYY-MM-DD' with the date a clinician last checked it",
                         "warning", rule="review-date", col=1)
        return
    due = add_months(reviewed, context.limits.review_months)
    if due < context.today:
        yield Diagnostic(guide.source, guide.meta.lines.get(("reviewed",), 1),
                         f"medical review overdue since {due.isoformat()}",
                         f"last reviewed {reviewed.isoformat()}; ask a clinician to check the "
                         "guide, then update 'reviewed'", "error", rule="review-overdue", col=1)


RULES: dict[str, Rule] = {
    "reading-level": Rule(reading_level, "warning",
                          "Flesch–Kincaid grade (and SMOG for 10+ sentences) of every section "
                          "and handout"),
    "long-sentence": Rule(long_sentence, "warning", "sentences longer than 25 words"),
    "jargon": Rule(jargon, "warning",
                   "medical words from styles/jargon.yaml not explained where first used"),
    "image-alt": Rule(image_alt, "error",
                      "alt text missing (error), a file name, or 'image of …' (warnings)"),
    "image-resolution": Rule(image_resolution, "warning",
                             "raster images under 300 dpi at their printed size"),
    "heading-order": Rule(heading_order, "error", "heading levels that skip a level"),
    "heading-id": Rule(heading_id, "warning", "headings without an explicit {#id}"),
    "handout-fit": Rule(handout_fit, "error",
                        "handouts that do not fit one page at the 12 pt floor", render=True),
    "review-date": Rule(review, "error",
                        "medical review date missing (review-date) or overdue (review-overdue)"),
}


def contrast_findings(brand_file, brand) -> list[Diagnostic]:
    """Brand colour pairs under WCAG AA (4.5:1, or 3:1 for pairs marked large) in colour
    or in gray. Reported once per run, against styles/brand.yaml."""
    found = []
    for index, pair in enumerate(brand.data.contrast_pairs):
        foreground, background = pair[0], pair[1]
        need = 3.0 if len(pair) > 2 and pair[2] == "large" else 4.5
        colour, gray = wcag.contrast(brand.color(foreground), brand.color(background))
        for ratio, how in ((colour, "in colour"), (gray, "printed in gray")):
            if ratio < need:
                found.append(Diagnostic(
                    brand_file, brand.line("contrast_pairs", index) or 1,
                    f"{foreground} on {background} has contrast {ratio:.2f}:1 {how}; "
                    f"WCAG AA needs {need:g}:1",
                    "darken the text colour or lighten the background in styles/brand.yaml",
                    "error", rule="contrast", col=1))
    return found
