"""The book's chapters: each level-1 section with its level-2 sections, as the EPUB,
the print book and the web page divide it."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from ..model import Footnote, Guide, Section


@dataclass
class Chapter:
    """A level-1 section with its level-2 sections, and its HTML once rendered."""

    section: Section
    file_name: str
    subsections: list[Section]
    html: Markup = field(default_factory=Markup)
    notes: list[tuple[int, Footnote, Markup]] = field(default_factory=list)


def plan_chapters(guide: Guide) -> list[Chapter]:
    chapters = []
    for number, chapter in enumerate(guide.chapters, start=1):
        subsections = [s for s in guide.sections
                       if s.level == 2 and chapter.start < s.start < chapter.end]
        chapters.append(Chapter(chapter, f"chapter-{number:02d}.xhtml", subsections))
    return chapters
