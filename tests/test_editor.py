"""Building just what you touch: one handout (`--only handouts:ID`), a folder of guides,
and `publish clean`."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

import publish
from guidepress.project import SOURCES, build_cache

from .pdftools import page_texts


def run(*args: str):
    return CliRunner().invoke(publish.cli, list(args), catch_exceptions=False)


def handout_texts(out):
    folder = out / "ankle-sprain" / "handouts"
    return {p.name: " ".join(" ".join(page_texts(p)).split()) for p in folder.glob("*.pdf")}


def listed(out) -> list[str]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return sorted(f["path"] for g in manifest["guides"] for f in g["files"])


def test_one_handout_is_rebuilt_and_the_rest_kept_while_current(guide_copy, tmp_path):
    out = tmp_path / "out"
    assert run("build", str(guide_copy), "--out", str(out), "-q").exit_code == 0
    before = listed(out)
    text = guide_copy.read_text(encoding="utf-8")
    # An edit in the first-days handout's section only.
    guide_copy.write_text(text.replace("A cold pack wrapped in a towel",
                                       "An ice pack wrapped in a towel"), encoding="utf-8")
    result = run("build", str(guide_copy), "--out", str(out), "--only", "handouts:first-days")
    assert result.exit_code == 0, result.output
    texts = handout_texts(out)
    assert "An ice pack wrapped" in texts["first-days.pdf"]
    assert "getting-back.pdf" in texts  # its sections did not change: kept, from cache
    assert "handouts/getting-back.pdf" in result.output and "from cache" in result.output
    # The book and the ebook show the old sentence: out of date, so they are gone.
    after = listed(out)
    assert "ankle-sprain/ankle-sprain.pdf" not in after
    assert "removed ankle-sprain/ankle-sprain.pdf" in result.output
    assert set(after) < set(before)


def test_an_unknown_handout_is_a_one_line_error(guide_copy, tmp_path):
    result = run("build", str(guide_copy), "--out", str(tmp_path / "o"), "--only",
                 "handouts:nope")
    assert result.exit_code == 1
    assert "no guide given has a handout 'nope'" in result.output
    assert "first-days, getting-back" in result.output
    assert not (tmp_path / "o" / "ankle-sprain").exists()


def test_a_folder_builds_the_guides_in_it(guide_copy, tmp_path):
    other = guide_copy.parent / "knee-pain.md"
    shutil.copy(guide_copy, other)
    out = tmp_path / "out"
    result = run("build", str(guide_copy.parent), "--out", str(out), "--only", "handouts")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(g["slug"] for g in manifest["guides"]) == ["ankle-sprain", "knee-pain"]
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = run("build", str(empty), "--out", str(out))
    assert refused.exit_code == 2 and "holds no .md manuscripts" in refused.output


def test_clean_removes_the_cache_and_leftovers_and_keeps_the_files(guide_copy, tmp_path):
    out = tmp_path / "out"
    assert run("build", str(guide_copy), "--out", str(out), "-q").exit_code == 0
    folder = build_cache(out)
    leftover = out / "ankle-sprain" / ".index.html.1234.part"
    leftover.write_bytes(b"half a file")
    files = listed(out)
    cached = [p.name for p in folder.iterdir()]
    assert len(cached) > 3
    result = run("clean", str(out))
    assert result.exit_code == 0 and result.output.startswith("removed ")
    assert not leftover.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        {SOURCES, "output-folder.txt"} & set(cached))
    assert listed(out) == files and all((out / f).is_file() for f in files)
    assert run("clean", str(out)).output.startswith("nothing to remove")
    again = run("build", str(guide_copy), "--out", str(out))
    assert again.exit_code == 0 and "from cache" not in again.output
