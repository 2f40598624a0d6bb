"""Translations through gettext catalogs: extract, update, read, and the review gate.

The shipped Spanish catalog is a draft. A copy marked reviewed is published beside the
English guide (dist/<slug>/es/, in the manifest and on the site); an English edit then
makes its message fuzzy and sends the language back to the drafts folder.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader

from guidepress.build import build
from guidepress.errors import PublishError
from guidepress.project import Project
from guidepress.read import catalog
from guidepress.read.guide import read_guide
from guidepress.verify.measure import glyph_sizes
from publish import cli
from tests.conftest import ROOT, SHIPPED
from tests.test_accessibility import run_ace
from tests.test_epub import NS, XML_LANG, run_epubcheck

SHIPPED_PO = ROOT / "manuscript" / "locale" / "es" / "muscle-spasms.po"
PARAGRAPH = "Spasm pain often comes in waves, or cycles."


def po_line(po: Path, msgid_start: str) -> int:
    """The line of the ``msgid`` whose text starts with ``msgid_start``."""
    lines = po.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, 1):
        if line.startswith("msgid") and msgid_start in (line + lines[number]):
            return number
    raise AssertionError(msgid_start)


def mark_reviewed(po: Path, on: str = "2026-12-02") -> None:
    text = po.read_text(encoding="utf-8")
    record = f'"X-Reviewed-By: Dra. Ana Ruiz\\n"\n"X-Reviewed-Date: {on}\\n"\n'
    po.write_text(text.replace('"Generated-By:', record + '"Generated-By:', 1),
                  encoding="utf-8")


def copy_project(root: Path) -> Path:
    shutil.copytree(ROOT / "manuscript", root / "manuscript")
    return root / "manuscript" / "muscle-spasms.md"


def edit_english(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    assert PARAGRAPH in text
    source.write_text(text.replace(PARAGRAPH, "Spasm pain often comes and goes in waves."),
                      encoding="utf-8")


# -- the catalog ------------------------------------------------------------------------


SMALL = """\
---
title: Knee care
subtitle: For your first week
description: How to look after your knee.
language: en-US
handouts:
  - id: rest
    title: Resting your knee
    sections: [rest]
---

# Rest {#rest}

Rest your knee[^ice] and read [the guide](#rest).

- Sit down often.
- Keep the leg up.

| Word | Meaning |
|------|---------|
| Knee | The joint in the middle of your leg |

Table: Two words

![A knee](knee.svg){alt="A bent knee."}

# No id here

    code is never translated

<!-- nor are comments -->

[^ice]: Ice helps too.
"""


def test_extract_writes_one_message_per_block_with_its_line(tmp_path):
    (tmp_path / "manuscript").mkdir()
    source = tmp_path / "manuscript" / "knee.md"
    source.write_text(SMALL, encoding="utf-8")
    (tmp_path / "manuscript" / "knee.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>', encoding="utf-8")
    result = CliRunner().invoke(cli, ["i18n", "extract", str(source),
                                      "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("manuscript/locale/knee.pot: 16 messages\n")
    with (tmp_path / "manuscript" / "locale" / "knee.pot").open("rb") as handle:
        pot = read_po(handle)
    found = {m.id: m.locations[0][1] for m in pot if m.id}
    assert found == {
        "Knee care": 2, "For your first week": 3, "How to look after your knee.": 4,
        "Resting your knee": 8,
        "Rest {#rest}": 12, "Rest your knee[^ice] and read [the guide](#rest).": 14,
        "Sit down often.": 16, "Keep the leg up.": 17,
        "Word": 19, "Meaning": 19, "Knee": 21, "The joint in the middle of your leg": 21,
        "Two words": 23,  # the caption without pandoc's "Table: "
        '![A knee](knee.svg){alt="A bent knee."}': 25,
        "No id here": 27,
        # not the code block, not the comment; the footnote's text:
    } | {"Ice helps too.": 33}
    assert {loc[0] for m in pot if m.id for loc in m.locations} == {"manuscript/knee.md"}


def test_update_of_an_unchanged_manuscript_changes_no_byte(tmp_path):
    source = copy_project(tmp_path)
    po = tmp_path / "manuscript" / "locale" / "es" / "muscle-spasms.po"
    before = po.read_bytes()
    result = CliRunner().invoke(cli, ["i18n", "update", "--lang", "es", str(source),
                                      "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "169 translated, 0 fuzzy, 0 untranslated" in result.output
    assert po.read_bytes() == before
    # A new language starts empty; the guide's own language is refused.
    result = CliRunner().invoke(cli, ["i18n", "update", "--lang", "vi", str(source),
                                      "--project", str(tmp_path)])
    assert "created; 0 translated, 0 fuzzy, 169 untranslated" in result.output
    result = CliRunner().invoke(cli, ["i18n", "update", "--lang", "en", str(source),
                                      "--project", str(tmp_path)])
    assert result.exit_code == 1 and "written in 'en-US' already" in result.output


def test_an_english_edit_makes_its_message_fuzzy_and_that_block_english(tmp_path):
    source = copy_project(tmp_path)
    po = tmp_path / "manuscript" / "locale" / "es" / "muscle-spasms.po"
    mark_reviewed(po)
    edit_english(source)
    result = CliRunner().invoke(cli, ["i18n", "update", "--lang", "es", str(source),
                                      "--project", str(tmp_path)])
    assert "168 translated, 1 fuzzy, 0 untranslated" in result.output
    text = po.read_text(encoding="utf-8")
    assert "X-Reviewed-By: Dra. Ana Ruiz" in text  # the review record survives the merge
    # The previous English is kept for the translator, as msgmerge does.
    assert re.search(r'#, fuzzy\n#\| msgid ""\n#\| "Spasm pain often comes in waves, or '
                     r'cycles\.', text)
    english, _ = read_guide(source)
    spanish, _ = catalog.read_translation(english, po)
    assert spanish.draft
    words = [n.plain_text() for n in spanish.blocks if n.type == "paragraph"]
    assert any(w.startswith("Spasm pain often comes and goes in waves.") for w in words)
    assert any(w.startswith("Este dolor y esta tensión") for w in words)


def test_a_translation_that_changes_a_link_is_an_error_at_its_po_line(tmp_path):
    copy_project(tmp_path)
    po = tmp_path / "manuscript" / "locale" / "es" / "muscle-spasms.po"
    text = po.read_text(encoding="utf-8")
    assert text.count("(#get-help)") == 2  # the msgid and its msgstr
    msgstr = text.index("(#get-help)", text.index("msgstr", text.index("A few warning signs")))
    po.write_text(text[:msgstr] + "(#ayuda)" + text[msgstr + len("(#get-help)"):],
                  encoding="utf-8")
    english, _ = read_guide(tmp_path / "manuscript" / "muscle-spasms.md")
    with pytest.raises(PublishError) as raised:
        catalog.read_translation(english, po)
    found = raised.value.diagnostic
    assert found.path == po and found.line == po_line(po, "A few warning signs")
    assert found.message == ("the translation's link or image targets differ from the "
                             "English: lost #get-help; added #ayuda")


def test_a_markdown_mistake_in_a_translation_is_reported_at_its_po_line(tmp_path):
    copy_project(tmp_path)
    po = tmp_path / "manuscript" / "locale" / "es" / "muscle-spasms.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Tratamiento {#treatment}"',
                               'msgstr "Tratamiento <b>ya</b> {#treatment}"'), encoding="utf-8")
    english, _ = read_guide(tmp_path / "manuscript" / "muscle-spasms.md")
    with pytest.raises(PublishError) as raised:
        catalog.read_translation(english, po)
    assert raised.value.diagnostic.path == po
    assert raised.value.diagnostic.line == po_line(po, '"Treatment {#treatment}"')


def test_the_shipped_catalog_translates_every_message_and_is_a_draft():
    english, _ = read_guide(SHIPPED)
    state = catalog.status(catalog.cut(SHIPPED), SHIPPED_PO)
    assert (state.translated, state.fuzzy, state.untranslated) == (169, 0, 0)
    assert not state.reviewed and state.problems == ["no review recorded yet"]
    spanish, _ = catalog.read_translation(english, SHIPPED_PO)
    assert spanish.meta.language == "es" and spanish.folder == "muscle-spasms/es"
    assert spanish.meta.title == "Espasmos musculares"
    assert [s.id for s in spanish.sections] == [s.id for s in english.sections]
    # No English sentence is left in the body: every block was translated.
    english_text = {n.plain_text() for n in english.blocks if n.type == "paragraph"}
    assert not english_text & {n.plain_text() for n in spanish.blocks if n.type == "paragraph"}


# -- the gate, in builds -------------------------------------------------------------------


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    """Three builds of one project: the shipped draft, a reviewed copy, an English edit."""
    root = tmp_path_factory.mktemp("clinic")
    source = copy_project(root)
    project = Project.find(root)
    po = root / "manuscript" / "locale" / "es" / "muscle-spasms.po"
    out, drafts = root / "dist", root / "drafts"
    steps = {}

    def run(name: str) -> None:
        result = build([source], out, project=project, jobs=2, drafts=drafts)
        steps[name] = {
            "warnings": [w.format() for w in result.warnings],
            "manifest": json.loads((out / "manifest.json").read_text(encoding="utf-8")),
            "drafts": json.loads((drafts / "manifest.json").read_text(encoding="utf-8")),
            "files": sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                            if p.is_file()),
            "draft files": sorted(p.relative_to(drafts).as_posix() for p in drafts.rglob("*")
                                  if p.is_file()),
        }

    run("draft")
    mark_reviewed(po)
    run("reviewed")
    shutil.copytree(out, root / "reviewed")  # kept to look at: the next step prunes it
    edit_english(source)
    CliRunner().invoke(cli, ["i18n", "update", "--lang", "es", str(source),
                             "--project", str(root)])
    run("edited")
    return steps, root


def test_a_draft_is_built_only_into_the_drafts_folder(gate):
    steps, _ = gate
    draft = steps["draft"]
    assert [g["slug"] for g in draft["manifest"]["guides"]] == ["muscle-spasms"]
    assert not any(path.startswith("muscle-spasms/es/") for path in draft["files"])
    assert not any("/es/" in path for path in draft["manifest"]["site"])
    [entry] = draft["drafts"]["guides"]
    assert (entry["folder"], entry["language"], entry["draft"]) == ("muscle-spasms/es", "es",
                                                                    True)
    assert {"muscle-spasms/es/muscle-spasms.epub", "muscle-spasms/es/muscle-spasms.pdf",
            "muscle-spasms/es/handouts/spasms.pdf"} <= set(draft["draft files"])
    # A translation never reviewed is work in progress: `publish check` gives its state.
    assert not any("translation" in w for w in draft["warnings"])


def test_a_reviewed_translation_is_published_beside_its_guide(gate):
    steps, root = gate
    reviewed = steps["reviewed"]
    entries = {g.get("folder", g["slug"]): g for g in reviewed["manifest"]["guides"]}
    assert list(entries) == ["muscle-spasms", "muscle-spasms/es"]
    spanish = entries["muscle-spasms/es"]
    assert (spanish["language"], spanish["draft"], spanish["title"]) == (
        "es", False, "Espasmos musculares")
    assert spanish["url"] == "https://www.kayalortho.com/patient-guides/muscle-spasms/es/"
    assert [f["path"] for f in spanish["files"]] == [
        "muscle-spasms/es/muscle-spasms.epub", "muscle-spasms/es/muscle-spasms.pdf",
        "muscle-spasms/es/handouts/spasms.pdf", "muscle-spasms/es/handouts/prevention.pdf",
        "muscle-spasms/es/handouts/treatment.pdf"]
    assert {"muscle-spasms/es/index.html", "muscle-spasms/es/read.html"} <= set(
        reviewed["files"])
    assert reviewed["drafts"]["guides"] == []  # no longer a draft: gone from there
    assert not any(w for w in reviewed["warnings"] if "translation" in w)
    # The site: Spanish pages, a language switch and hreflang links both ways.
    page = (root / "reviewed" / "muscle-spasms" / "es" / "index.html").read_text("utf-8")
    assert '<html lang="es"' in page
    site = "https://www.kayalortho.com/patient-guides/muscle-spasms/"
    assert f'<link rel="alternate" hreflang="en-US" href="{site}">' in page
    assert f'<link rel="alternate" hreflang="es" href="{site}es/">' in page
    assert '<a href="../index.html" hreflang="en-US" lang="en-US">English</a>' in page
    assert '<span aria-current="page" lang="es">Español</span>' in page
    english = (root / "reviewed" / "muscle-spasms" / "index.html").read_text("utf-8")
    assert f'<link rel="alternate" hreflang="es" href="{site}es/">' in english
    assert '<a href="es/index.html" hreflang="es" lang="es">Español</a>' in english
    reading = (root / "reviewed" / "muscle-spasms" / "es" / "read.html").read_text("utf-8")
    assert f'<link rel="alternate" hreflang="en-US" href="{site}read.html">' in reading
    assert '<a href="../read.html" hreflang="en-US" lang="en-US">English</a>' in reading
    assert '<h2 id="toc-title">Contenido</h2>' in reading


def test_an_english_edit_sends_the_language_back_to_draft(gate):
    steps, _ = gate
    edited = steps["edited"]
    assert [g["slug"] for g in edited["manifest"]["guides"]] == ["muscle-spasms"]
    assert not any(path.startswith("muscle-spasms/es/") for path in edited["files"])
    [entry] = edited["drafts"]["guides"]
    assert entry["draft"] is True
    removed = [w for w in edited["warnings"] if "removed muscle-spasms/es/" in w]
    assert [w.split(": ", 1)[1].split("\n")[0] for w in removed] == [
        "warning: removed muscle-spasms/es/ from the output folder: the 'es' translation "
        "is a draft again (1 fuzzy) [translation]"]


def test_publish_check_gives_each_language_and_the_changed_section(gate, monkeypatch):
    _, root = gate
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["check", "--project", str(root)])
    lines = result.output.splitlines()
    assert "manuscript/locale/es/muscle-spasms.po: es: 168 translated, 1 fuzzy, " \
           "0 untranslated; draft: messages to translate" in lines
    section = [line for line in lines if "changed or new since it was translated" in line]
    heading = SHIPPED.read_text(encoding="utf-8").split("\n").index(
        "## Pain that comes in waves {#pain-cycles}") + 1
    assert section == [f"manuscript/muscle-spasms.md:{heading}:1: warning translation 'es' "
                       "translation: Pain that comes in waves (#pain-cycles, line "
                       f"{heading}) has 1 message(s) changed or new since it was translated "
                       f"(lines {heading + 2})"]


# -- the Spanish files ---------------------------------------------------------------------


def test_the_spanish_ebook_passes_epubcheck_and_ace(gate, tmp_path):
    _, root = gate
    epub = root / "reviewed" / "muscle-spasms" / "es" / "muscle-spasms.epub"
    report = run_epubcheck(epub, tmp_path)
    assert [m["ID"] for m in report["messages"] if m["severity"] != "USAGE"] == []
    ace = run_ace(epub, tmp_path / "ace")
    violations = [t["earl:test"]["dct:title"] for a in ace["assertions"]
                  for t in a.get("assertions", [])]
    assert violations == [] and ace["earl:result"]["earl:outcome"] == "pass"
    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        chapter = etree.fromstring(archive.read("EPUB/chapter-01.xhtml"))
    assert opf.findtext(".//dc:language", namespaces=NS) == "es"
    assert opf.findtext(".//dc:title", namespaces=NS) == "Espasmos musculares"
    assert chapter.get(XML_LANG) == "es" and chapter.get("lang") == "es"
    # The draft (after the English edit) is a valid ebook too, its title marked.
    draft = root / "drafts" / "muscle-spasms" / "es" / "muscle-spasms.epub"
    report = run_epubcheck(draft, tmp_path)
    assert [m["ID"] for m in report["messages"] if m["severity"] != "USAGE"] == []
    with zipfile.ZipFile(draft) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    assert opf.findtext(".//dc:title", namespaces=NS).startswith(
        "BORRADOR — traducción aún no revisada")


def test_the_spanish_pdfs_say_their_language_and_handouts_keep_to_one_page(gate):
    _, root = gate
    folder = root / "reviewed" / "muscle-spasms" / "es"
    assert PdfReader(folder / "muscle-spasms.pdf").trailer["/Root"]["/Lang"] == "es"
    for handout in ("spasms", "prevention", "treatment"):
        path = folder / "handouts" / f"{handout}.pdf"
        assert len(PdfReader(path).pages) == 1
        body = glyph_sizes(path).most_common(1)[0][0]
        assert body >= 12, (handout, body)


def test_an_edit_to_a_translation_is_seen_by_the_no_op_check_and_serve(tmp_path):
    from guidepress.build import noop
    from guidepress.serve import BuildInputs

    source = copy_project(tmp_path)
    project = Project.find(tmp_path)
    out = tmp_path / "dist"
    po = tmp_path / "manuscript" / "locale" / "es" / "muscle-spasms.po"
    before = noop.stamp([source], out, project, ())
    assert noop.stamp([source], out, project, ()) == before
    mark_reviewed(po)
    assert noop.stamp([source], out, project, ()) != before
    watching = BuildInputs([source], out, project.styles)
    assert watching(None, str(po))
    assert not watching(None, str(tmp_path / "manuscript" / "locale" / "notes.txt"))


def test_figures_with_words_are_drawn_in_the_translations_language(tmp_path):
    english, _ = read_guide(SHIPPED)
    spanish, warnings = catalog.read_translation(english, SHIPPED_PO)
    assert sorted(spanish.assets) == ["images/core-corset.es.svg", "images/spine-spasm.es.svg"]
    assert b">Columna</text>" in spanish.assets["images/core-corset.es.svg"].data
    assert warnings == []
    # Without a Spanish drawing, the English one is used, and the translator is told.
    source = copy_project(tmp_path)
    (tmp_path / "manuscript" / "images" / "spine-spasm.es.svg").unlink()
    english, _ = read_guide(source)
    po = tmp_path / "manuscript" / "locale" / "es" / "muscle-spasms.po"
    spanish, warnings = catalog.read_translation(english, po)
    assert "images/spine-spasm.svg" in spanish.assets
    [found] = catalog.relocated(spanish, warnings)
    assert found.path == po and found.line == po_line(po, "![A back muscle")
    assert found.message.startswith("images/spine-spasm.svg has words drawn in it (Vertebra, "
                                    "Disc, Ligament, Tight …) that this translation does not")
    assert found.hint.startswith("draw images/spine-spasm.es.svg beside it")


def test_a_reviewed_copy_of_the_shipped_guide_passes_check_strict(tmp_path, monkeypatch):
    from tests.test_check import real_styles

    source = copy_project(tmp_path)
    mark_reviewed(tmp_path / "manuscript" / "locale" / "es" / "muscle-spasms.po")
    monkeypatch.chdir(tmp_path)
    # with the clinic's real contact details: the shipped ones are placeholders, a warning
    result = CliRunner().invoke(cli, ["check", "--strict", "--styles", str(real_styles()),
                                      str(source.relative_to(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.output == ("manuscript/locale/es/muscle-spasms.po: es: 169 translated, "
                             "0 fuzzy, 0 untranslated; reviewed by Dra. Ana Ruiz on "
                             "2026-12-02\nno problems found in 1 file\n")


def test_a_build_of_another_guide_leaves_the_drafts_folder_alone(gate, tmp_path):
    from tests.conftest import TEST_GUIDE

    _, root = gate
    drafts = root / "drafts"
    before = {p: p.stat().st_mtime_ns for p in drafts.rglob("*") if p.is_file()}
    result = build([TEST_GUIDE], tmp_path / "out", project=Project.find(root),
                   only=["handouts"], drafts=drafts)
    assert result.drafts is None
    assert {p: p.stat().st_mtime_ns for p in drafts.rglob("*") if p.is_file()} == before


GRID = """\
---
title: Grid
language: en-US
reviewed: 2026-11-02
---

# Words {#words}

Two words.

+------+-----------------+
| Word | Meaning         |
+======+=================+
| Knee | The leg's joint |
+------+-----------------+
"""


def test_a_table_whose_columns_line_up_is_named_not_translated(tmp_path, monkeypatch):
    (tmp_path / "manuscript").mkdir()
    source = tmp_path / "manuscript" / "grid.md"
    source.write_text(GRID, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    said = ("manuscript/grid.md:11: warning: this table's cells cannot be offered for "
            "translation (its columns line up by position, which a translation would break); "
            "it stays in the manuscript's language in every translation")
    extracted = CliRunner().invoke(cli, ["i18n", "extract"])
    assert extracted.exit_code == 0
    assert said in extracted.stderr.splitlines()
    assert extracted.stdout == "manuscript/locale/grid.pot: 3 messages\n"  # title, heading, text
    CliRunner().invoke(cli, ["i18n", "update", "--lang", "es"])
    checked = CliRunner().invoke(cli, ["check"])
    assert ("manuscript/grid.md:11:1: warning translation this table's cells cannot be "
            "offered for translation") in checked.output


def test_words_set_in_tspans_count_as_drawn_words(tmp_path):
    """A label split over lines with <tspan>s (as drawing programs write them) is named
    like one in a plain <text>: the drawing's words are read by read/svgtext.py."""
    source = copy_project(tmp_path)
    images = tmp_path / "manuscript" / "images"
    (images / "spine-spasm.es.svg").unlink()
    (images / "spine-spasm.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100"><title>Spine</title>'
        '<text x="10" y="20" font-size="12"><tspan x="10" y="20">Tight</tspan>'
        '<tspan x="10" y="40">muscle</tspan></text></svg>', encoding="utf-8")
    english, _ = read_guide(source)
    po = tmp_path / "manuscript" / "locale" / "es" / "muscle-spasms.po"
    _, warnings = catalog.read_translation(english, po)
    [found] = [w for w in warnings if "has words drawn in it" in w.message]
    assert found.message.startswith("images/spine-spasm.svg has words drawn in it (Tight, "
                                    "muscle) that this translation does not change")
