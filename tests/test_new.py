"""publish new: a guide from the template builds and passes `publish check` as it is."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

import publish
from guidepress.build import build
from guidepress.new import slug_of

from .conftest import ROOT


def project(tmp_path):
    root = tmp_path / "clinic"
    root.mkdir()
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def run(*args: str):
    return CliRunner().invoke(publish.cli, list(args), catch_exceptions=False)


def test_a_new_guide_builds_and_passes_check(tmp_path):
    root = project(tmp_path)
    made = run("new", "Knee Pain: What to Do", "--project", str(root))
    assert made.exit_code == 0, made.output
    path = root / "manuscript" / "knee-pain-what-to-do.md"
    assert path.is_file() and (root / "manuscript" / "images").is_dir()
    assert "publish serve " in made.output and "knee-pain-what-to-do.md" in made.output
    checked = run("check", str(path), "--project", str(root), "--format", "json")
    findings = json.loads(checked.output)
    # The one finding a new guide has on purpose: nobody has reviewed it yet; and the
    # shipped brand's placeholder phone number and e-mail, at their lines in brand.yaml.
    assert checked.exit_code == 0
    assert [f["rule"] for f in findings] == ["placeholder-contact"] * 2 + ["review-date"]
    result = build([path], tmp_path / "out", project=None, only=("epub", "pdf", "handouts"))
    files = {f.path for job in result.guides for f in job.files}
    assert {"knee-pain-what-to-do/knee-pain-what-to-do.epub",
            "knee-pain-what-to-do/handouts/about.pdf",
            "knee-pain-what-to-do/handouts/care.pdf"} <= files
    text = path.read_text(encoding="utf-8")
    assert 'title: "Knee Pain: What to Do"' in text
    assert "::: {.key-points}" in text and "::: {.warning}" in text and "$" not in text


def test_an_existing_guide_is_never_replaced(tmp_path):
    root = project(tmp_path)
    assert run("new", "Knee Pain", "--project", str(root)).exit_code == 0
    path = root / "manuscript" / "knee-pain.md"
    path.write_text("my edits", encoding="utf-8")
    again = run("new", "knee  pain", "--project", str(root))
    assert again.exit_code == 1
    assert "already exists" in again.output and "Traceback" not in again.output
    assert path.read_text(encoding="utf-8") == "my edits"


def test_a_title_without_words_is_refused(tmp_path):
    root = project(tmp_path)
    result = run("new", "???", "--project", str(root))
    assert result.exit_code == 1 and "no letters or numbers" in result.output
    assert not (root / "manuscript").exists() or not list((root / "manuscript").glob("*.md"))


def test_file_names_follow_the_titles():
    assert slug_of("Knee Pain") == "knee-pain"
    assert slug_of("Dolor de rodilla: qué hacer") == "dolor-de-rodilla-que-hacer"
    assert slug_of("  Back  Pain (Lower) ") == "back-pain-lower"
