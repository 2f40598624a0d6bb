"""Example contact details in brand.yaml (`placeholder-contact`) and handouts that never
say when to call (`handout-help`): each rule fires where it should and stays quiet where
it should not, in `publish check` and in `publish build`."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import publish
from guidepress.checks import check_files
from guidepress.checks.rules import placeholder_domain, placeholder_phone
from guidepress.project import DEFAULT_STYLES

from .conftest import SHIPPED, TEST_GUIDE

TODAY = dt.date(2026, 11, 25)
REAL = {"phone: (555) 010-0142": "phone: (614) 555-2368",
        "email: info@example.org": "email: info@kayalortho.com"}


def styles_copy(tmp_path: Path, replace: dict[str, str] | None = None,
                when_to_call: bool = True) -> Path:
    styles = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES, styles)
    brand = styles / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    if not when_to_call:
        text, count = re.subn(r"\nwhen_to_call:\n(  .*\n|    .*\n)+", "\n", text)
        assert count == 1
    brand.write_text(text, encoding="utf-8")
    return styles


def line_of(styles: Path, start: str) -> int:
    lines = (styles / "brand.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(start))


# -- placeholder-contact --------------------------------------------------------------


@pytest.mark.parametrize("phone", ["(555) 010-0142", "555-0123", "(614) 555-0199",
                                   "1-614-555-0100", "+1 614 555 0150", "(123) 456-7890",
                                   "(614) 055-1234", "000-000-0000", "(XXX) XXX-XXXX",
                                   "Your clinic's number", "12345"])
def test_example_phone_numbers_are_found(phone):
    assert placeholder_phone(phone), phone


@pytest.mark.parametrize("phone", ["(614) 555-2368", "(614) 293-8000", "+1 212 639 2000",
                                   "614.555.0200", "+44 20 7946 0958", "0800 123 4567"])
def test_real_looking_phone_numbers_are_not(phone):
    assert placeholder_phone(phone) == "", phone


@pytest.mark.parametrize(("address", "bad"), [
    ("info@example.org", True), ("info@EXAMPLE.com", True), ("a@mail.example.net", True),
    ("www.example.com", True), ("https://example.org/clinic", True), ("x@clinic.test", True),
    ("info@kayalortho.com", False), ("www.kayalortho.com", False),
    ("https://www.kayalortho.com/", False), ("office@myexample.org", False),
])
def test_reserved_domains(address, bad):
    assert bool(placeholder_domain(address)) is bad, address


def test_shipped_brand_gives_one_loud_finding_per_placeholder():
    found = [f for f in check_files([SHIPPED], DEFAULT_STYLES, TODAY)
             if f.rule == "placeholder-contact"]
    assert [(f.path, f.line, f.severity) for f in found] == [
        (DEFAULT_STYLES / "brand.yaml", line_of(DEFAULT_STYLES, "phone:"), "warning"),
        (DEFAULT_STYLES / "brand.yaml", line_of(DEFAULT_STYLES, "email:"), "warning")]
    phone, email = (f.message for f in found)
    assert phone.startswith("PLACEHOLDER phone number '(555) 010-0142' is printed on every "
                            "handout and in the ebook")
    assert phone.endswith("replace it with the clinic's real phone number before printing "
                          "for patients")
    assert email.startswith("PLACEHOLDER e-mail address 'info@example.org'")
    assert "example.org is reserved" in email
    assert all("\n" not in f.message for f in found)


def test_check_strict_fails_on_placeholders_and_passes_with_real_details(tmp_path):
    def check(styles):
        return CliRunner().invoke(publish.cli, ["check", "--strict", "--today", "2026-11-25",
                                                "--styles", str(styles), str(TEST_GUIDE)])

    shipped = check(DEFAULT_STYLES)
    assert shipped.exit_code == 1
    assert shipped.output.count(" warning placeholder-contact PLACEHOLDER ") == 2
    real = check(styles_copy(tmp_path, REAL))
    assert real.exit_code == 0, real.output
    assert "placeholder" not in real.output.lower()


def test_only_the_example_detail_is_named(tmp_path):
    styles = styles_copy(tmp_path / "a", {"phone: (555) 010-0142": "phone: (614) 555-2368"})
    found = [f for f in check_files([TEST_GUIDE], styles, TODAY)
             if f.rule == "placeholder-contact"]
    assert [f.line for f in found] == [line_of(styles, "email:")]
    web = styles_copy(tmp_path / "b", {**REAL, "web: www.kayalortho.com": "web: www.example.com"})
    [finding] = [f for f in check_files([TEST_GUIDE], web, TODAY)
                 if f.rule == "placeholder-contact"]
    assert finding.line == line_of(web, "web:") and "web address 'www.example.com'" \
        in finding.message


def test_build_warns_about_placeholders(tmp_path):
    result = CliRunner().invoke(publish.cli, ["build", str(TEST_GUIDE), "--out",
                                              str(tmp_path / "out"), "--only", "epub"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "[placeholder-contact]" in line]
    assert len(lines) == 2
    assert lines[0].startswith("styles/brand.yaml:")
    assert ": warning: PLACEHOLDER phone number '(555) 010-0142'" in lines[0]


# -- handout-help ---------------------------------------------------------------------


def guide(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "guide.md"
    path.write_text("---\ntitle: Test\nreviewed: 2026-10-01\nhandouts:\n"
                    "  - id: rest\n    title: Rest\n    sections: [rest]\n"
                    "  - id: help\n    title: Help\n    sections: [rest, help]\n---\n"
                    + textwrap.dedent(body), encoding="utf-8")
    return path


BODY = """\
# Rest {#rest}

Rest your back for a day.

# Help {#help}

Call us if it hurts more.

::: {.warning}
Call 911 if your legs go numb.
:::
"""


def help_findings(path: Path, styles: Path):
    return [f for f in check_files([path], styles, TODAY) if f.rule == "handout-help"]


def test_handout_without_warning_box_is_flagged_when_the_brand_has_no_default(tmp_path):
    styles = styles_copy(tmp_path, REAL, when_to_call=False)
    path = guide(tmp_path, BODY)
    [finding] = help_findings(path, styles)
    assert finding.line == 5 and finding.severity == "warning"  # its "- id:" line
    assert finding.message == ("handout 'rest' does not tell the patient when to call: none "
                               "of its sections has a warning box")
    assert "::: {.warning}" in finding.hint and "when_to_call" in finding.hint


def test_the_brand_default_box_answers_for_the_handout(tmp_path):
    styles = styles_copy(tmp_path, REAL)
    assert help_findings(guide(tmp_path, BODY), styles) == []


def test_a_warning_box_hidden_from_handouts_does_not_count(tmp_path):
    styles = styles_copy(tmp_path, REAL, when_to_call=False)
    hidden = BODY.replace("::: {.warning}", "::: {.warning .book-only}")
    assert [f.message.split("'")[1] for f in help_findings(guide(tmp_path, hidden), styles)] \
        == ["rest", "help"]
    only = BODY.replace("::: {.warning}", "::: {.warning .handout-only}")
    assert [f.message.split("'")[1] for f in help_findings(guide(tmp_path, only), styles)] \
        == ["rest"]


def test_which_shipped_handouts_rely_on_the_default_box(tmp_path):
    styles = styles_copy(tmp_path, REAL, when_to_call=False)
    assert [f.message.split("'")[1] for f in help_findings(SHIPPED, styles)] \
        == ["prevention"]  # once: not again for its Spanish translation
    # The test guide's 'getting-back' handout (exercises only) relies on it too.
    assert [f.message.split("'")[1] for f in help_findings(TEST_GUIDE, styles)] \
        == ["getting-back"]


def test_a_default_box_without_text_is_no_box(tmp_path):
    """A when_to_call with a title alone tells a patient nothing: the writer prints no
    box from it, and the check names the handouts that then say nowhere when to call."""
    from guidepress.read.brand import load_brand
    from guidepress.read.guide import read_guide
    from guidepress.writers.handout import wants_help_box

    styles = styles_copy(tmp_path, REAL)
    brand_file = styles / "brand.yaml"
    text = brand_file.read_text(encoding="utf-8")
    text, count = re.subn(r"(\nwhen_to_call:\n  title: .*\n)(    .*\n|  text: .*\n)+", r"\1",
                          text)
    assert count == 1
    brand_file.write_text(text, encoding="utf-8")
    brand = load_brand(styles)
    assert brand.data.when_to_call is not None and brand.data.help_box is None
    path = guide(tmp_path, BODY)
    parsed, _ = read_guide(path)
    assert [wants_help_box(parsed, spec, brand) for spec in parsed.meta.handouts] \
        == [False, False]
    assert [f.message.split("'")[1] for f in help_findings(path, styles)] == ["rest"]
