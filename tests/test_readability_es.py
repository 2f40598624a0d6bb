"""`publish check` on Spanish guides: syllables by rule, INFLESZ and Fernández-Huerta,
the Spanish jargon list, and English left as it was."""

from __future__ import annotations

import dataclasses

import pytest

from guidepress.checks import make_context, run_rules
from guidepress.checks.context import primary_language
from guidepress.checks.text import (
    WORD,
    Sentence,
    fernandez_huerta,
    inflesz,
    inflesz_band,
    sentences,
    spanish_scores,
    spanish_syllables,
)
from guidepress.project import DEFAULT_STYLES
from guidepress.read.brand import load_brand
from guidepress.read.guide import read_guide

from .test_check import TODAY, findings, run, write

SPANISH = "title: Prueba\nlanguage: es\nreviewed: 2026-10-01\n"
# 20 syllables, 8 words, 2 sentences: La co-lum-na tie-ne vér-te-bras (9) and
# El fi-sio-te-ra-peu-ta le a-yu-da (11). Worked by hand:
# INFLESZ 206.835 − 62.3 × 20/8 − 8/2 = 47.085; Fernández-Huerta 206.84 − 60 × 20/8 −
# 1.02 × 8/2 = 52.76.
MEDIUM = "La columna tiene vértebras. El fisioterapeuta le ayuda."
HARD = ("La rehabilitación multidisciplinaria individualizada necesita prescripciones "
        "terapéuticas específicas y coordinadas.")
EASY = "¿Le duele la espalda? Camine un poco cada día. ¡No se quede en la cama!"


def of_rule(found, rule: str) -> list:
    return [f for f in found if f.rule == rule]


# -- syllables --------------------------------------------------------------------------

KNOWN = {
    # plain words
    "espalda": 3, "músculo": 3, "columna": 3, "vértebra": 3, "ligamento": 4, "espasmo": 3,
    "intervertebral": 5, "árbol": 2,
    # hiatus: a stressed í or ú next to a strong vowel, or two strong vowels
    "día": 2, "país": 2, "caída": 3, "reír": 2, "oído": 3, "baúl": 2, "leer": 2,
    "poeta": 3, "aéreo": 4, "radiculopatía": 7, "musculoesquelético": 8,
    # diphthongs and triphthongs
    "ciudad": 2, "cuidado": 3, "aire": 2, "fisioterapeuta": 6, "inflamación": 4,
    "cuídate": 3, "averiguáis": 4, "buey": 1, "Europa": 3, "tiene": 2,
    # silent u in que/qui/gue/gui; ü said
    "guerra": 2, "quién": 1, "guía": 2, "aguinaldo": 4, "agua": 2, "antiguo": 3,
    "pingüino": 3, "vergüenza": 3, "lingüística": 4,
    # y: a vowel at the end, a consonant before a vowel
    "muy": 1, "hoy": 1, "hay": 1, "y": 1, "estoy": 2, "Uruguay": 3, "ayuda": 3, "reyes": 2,
    # silent h does not part vowels
    "ahora": 3, "ahí": 2, "búho": 2, "zanahoria": 4, "alcohol": 3, "huevo": 2,
    # doubled weak vowel, capitals
    "chiita": 3, "ÁRBOL": 2, "Ñandú": 2,
}


@pytest.mark.parametrize(("word", "count"), KNOWN.items())
def test_spanish_syllables(word, count):
    assert spanish_syllables(word) == count


def test_syllables_of_odd_words():
    assert len(KNOWN) >= 30
    assert spanish_syllables("sacro-ilíaca") == 2 + 4  # each part of a compound
    assert spanish_syllables("km") == 1  # no vowel: still a word said aloud
    assert spanish_syllables("cafe\u0301") == 2  # typed as e + combining accent


# -- words and sentences ------------------------------------------------------------------


def test_words_and_sentences_in_spanish():
    assert WORD.findall("¿Qué pasa, señor Núñez? ¡Ánimo!") == ["Qué", "pasa", "señor",
                                                                "Núñez", "Ánimo"]
    assert WORD.findall("el 2.º día") == ["el", "día"]  # an ordinal is not a word
    assert WORD.findall("don't low-impact") == ["don't", "low-impact"]  # English as before


def test_sentences_split_before_spanish_openers(tmp_path):
    path = write(tmp_path, "# A {#a}\n\n" + EASY + " Él descansa. «Ánimo», dice. Ñu.\n",
                 SPANISH)
    guide, _ = read_guide(path)
    assert [s.text for s in sentences(guide.blocks)] == [
        "¿Le duele la espalda?", "Camine un poco cada día.", "¡No se quede en la cama!",
        "Él descansa.", "«Ánimo», dice.", "Ñu."]


# -- the formulas -------------------------------------------------------------------------


def test_formulas_on_a_hand_counted_text():
    assert inflesz(20, 8, 2) == pytest.approx(47.085)
    assert fernandez_huerta(20, 8, 2) == pytest.approx(52.76)
    result = spanish_scores([Sentence("La columna tiene vértebras.", 1),
                             Sentence("El fisioterapeuta le ayuda.", 1)])
    assert (result.sentences, result.words, result.syllables) == (2, 8, 20)
    assert (result.inflesz, result.fernandez_huerta, result.band) == (47.1, 52.8,
                                                                      "algo difícil")
    assert spanish_scores([]) is None


def test_shorter_sentences_score_easier():
    # The same words in more sentences must score higher on both scales.
    assert inflesz(20, 8, 4) > inflesz(20, 8, 2)
    assert fernandez_huerta(20, 8, 4) > fernandez_huerta(20, 8, 2)


@pytest.mark.parametrize(("score", "band"), [
    (39.9, "muy difícil"), (40, "algo difícil"), (54.9, "algo difícil"), (55, "normal"),
    (64.9, "normal"), (65, "bastante fácil"), (80, "bastante fácil"), (80.1, "muy fácil"),
])
def test_inflesz_bands(score, band):
    assert inflesz_band(score) == band


def test_primary_language():
    assert [primary_language(t) for t in ("es", "es-US", "es-419", "ES", "en-GB", "")] \
        == ["es", "es", "es", "es", "en", "en"]


# -- reading-level on a Spanish guide ---------------------------------------------------------


def test_inflesz_finding_for_a_hard_section_only(tmp_path):
    path = write(tmp_path, f"# Difícil {{#dificil}}\n\n{HARD}\n\n# Fácil {{#facil}}\n\n{EASY}\n",
                 SPANISH)
    [finding] = of_rule(findings(path), "reading-level")
    assert finding.line == 6  # the heading of the hard section
    assert finding.message == ("section 'Difícil' scores -83.5 on INFLESZ (muy difícil; "
                               "Fernández-Huerta -73.4); aim for 55 or higher")
    assert "La rehabilitación multidisciplinaria" in finding.hint
    assert "grade" not in finding.message  # not Flesch–Kincaid


def test_inflesz_message_and_limits(tmp_path, monkeypatch):
    front = SPANISH + "handouts:\n  - id: resumen\n    title: Resumen\n    sections: [a]\n"
    path = write(tmp_path, f"# A {{#a}}\n\n{MEDIUM}\n", front)
    found = of_rule(findings(path), "reading-level")
    assert [(f.line, f.message) for f in found] == [
        (6, "handout 'resumen' scores 47.1 on INFLESZ (algo difícil; Fernández-Huerta "
            "52.8); aim for 60 or higher"),
        (10, "section 'A' scores 47.1 on INFLESZ (algo difícil; Fernández-Huerta 52.8); "
             "aim for 55 or higher"),
    ]
    # From pyproject.toml: the book limit under 47.1, the handout's above it.
    (tmp_path / "pyproject.toml").write_text(
        "[tool.publish.check]\ninflesz_book = 45\ninflesz_handout = 50\n")
    monkeypatch.chdir(tmp_path)
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert " warning reading-level handout 'resumen' scores 47.1" in result.output
    assert "section 'A'" not in result.output
    (tmp_path / "pyproject.toml").write_text("[tool.publish.check]\ninflesz_book = 120\n")
    refused = run(str(path))
    assert refused.exit_code == 1
    assert "pyproject.toml:2: error: 'inflesz_book' under 'check' must be between 0 and " \
           "100, not 120" in refused.output


def test_inflesz_limits_from_a_guides_check(tmp_path):
    """The limits a guide's `check:` carries (Meta.check) reach the rule."""
    path = write(tmp_path, f"# A {{#a}}\n\n{MEDIUM}\n", SPANISH)
    guide, _ = read_guide(path)
    context = make_context(load_brand(DEFAULT_STYLES), TODAY)
    assert of_rule(run_rules(guide, [], context), "reading-level") != []
    relaxed = dataclasses.replace(guide, meta=dataclasses.replace(
        guide.meta, check={"inflesz_book": 40}))
    assert of_rule(run_rules(relaxed, [], context), "reading-level") == []
    # Written in the front matter, as an editor would.
    front = SPANISH + "check:\n  inflesz_book: 40\n"
    written, _ = read_guide(write(tmp_path, f"# A {{#a}}\n\n{MEDIUM}\n", front))
    assert written.meta.check == {"inflesz_book": 40}
    assert of_rule(run_rules(written, [], context), "reading-level") == []


def test_long_sentence_counts_spanish_words(tmp_path):
    long = " ".join(["señal"] * 13 + ["acción"] * 13) + "."
    path = write(tmp_path, f"# A {{#a}}\n\n{long}\n", SPANISH)
    [finding] = of_rule(findings(path), "long-sentence")
    assert finding.message.startswith("sentence of 26 words: “señal señal")


# -- jargon -------------------------------------------------------------------------------


def test_spanish_jargon_unless_explained(tmp_path):
    bad = write(tmp_path, "# A {#a}\n\nTiene dolor lumbar desde ayer.\n", SPANISH)
    [finding] = of_rule(findings(bad), "jargon")
    assert (finding.line, finding.col) == (8, 13)
    assert finding.message == "“lumbar” may be unfamiliar to patients"
    assert "“de la parte baja de la espalda”" in finding.hint
    for explained in ("Tiene dolor lumbar (en la parte baja de la espalda).",
                      "Tiene ciática \u2014 dolor que baja por la pierna.",
                      "Tiene ciática - dolor que baja por la pierna.",
                      "Tiene ciática, un dolor que baja por la pierna.",
                      "Tiene un edema, es decir, hinchazón.",
                      "Tiene un edema, o sea, hinchazón.",
                      "Tiene un edema, que quiere decir hinchazón.",
                      "Edema significa hinchazón.",
                      "Un tendón es un cordón que une el músculo al hueso.",
                      "Los huesos llamados vértebras forman la columna.",
                      "Es la llamada ciática.",
                      "Este dolor se llama ciática.",
                      "Estos huesos se llaman vértebras."):
        path = write(tmp_path, f"# A {{#a}}\n\n{explained}\n", SPANISH)
        assert of_rule(findings(path), "jargon") == [], explained


def test_spanish_jargon_plurals_accents_and_a_bare_comma(tmp_path):
    path = write(tmp_path, "# A {#a}\n\nLas inflamaciones sanan. Tiene ciática, y le duele.\n"
                           "Las VÉRTEBRAS y los tendones.\n", SPANISH)
    found = of_rule(findings(path), "jargon")
    assert [f.message for f in found] == [
        "“inflamaciones” may be unfamiliar to patients",  # inflamación + es, no accent
        "“ciática” may be unfamiliar to patients",  # a comma alone explains nothing
        "“VÉRTEBRAS” may be unfamiliar to patients",
        "“tendones” may be unfamiliar to patients",
    ]
    assert "“hinchazón, enrojecimiento y dolor”" in found[0].hint


@pytest.mark.parametrize("language", ["es-US", "es-419"])
def test_regional_spanish_uses_the_spanish_list(tmp_path, language):
    front = SPANISH.replace("language: es", f"language: {language}")
    path = write(tmp_path, "# A {#a}\n\nEl fisioterapeuta revisa el tendón. "
                           "The myofascial tissue.\n", front)
    assert [f.message for f in of_rule(findings(path), "jargon")] == [
        "“fisioterapeuta” may be unfamiliar to patients",
        "“tendón” may be unfamiliar to patients",  # not the English “tendon” list
    ]


def test_a_language_with_no_list_gets_no_jargon(tmp_path):
    front = SPANISH.replace("language: es", "language: fr")
    path = write(tmp_path, "# A {#a}\n\nLe tissu myofascial, lumbar, ciática.\n", front)
    assert of_rule(findings(path), "jargon") == []


def test_english_guides_keep_the_english_rules(tmp_path):
    path = write(tmp_path, "# A {#a}\n\nYour lumbar spine hurts. Ciática is Spanish.\n")
    [finding] = of_rule(findings(path), "jargon")
    assert finding.message == "“lumbar” may be unfamiliar to patients"
    assert "“in the lower back”" in finding.hint
    hard = write(tmp_path, "# A {#a}\n\nComprehensive multidisciplinary rehabilitation "
                           "necessitates individualized therapeutic prescriptions.\n")
    [finding] = of_rule(findings(hard), "reading-level")
    assert finding.message.startswith("section 'A' reads at grade ")
    assert "(Flesch–Kincaid; SMOG " in finding.message and "INFLESZ" not in finding.message
