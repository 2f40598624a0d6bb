"""The build as a whole: manifest, reproducibility, atomic output, partial builds."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from guidepress.build import build
from guidepress.errors import PublishError
from guidepress.project import DEFAULT_STYLES

from .conftest import TEST_GUIDE
from .folders import snapshot
from .pdftools import page_count


def test_manifest_matches_the_files(built):
    manifest = json.loads((built.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == built.manifest
    assert manifest["generator"].startswith("publish ")
    slugs = [g["slug"] for g in manifest["guides"]]
    assert slugs == ["ankle-sprain", "muscle-spasms"]
    listed = set()
    for guide in manifest["guides"]:
        assert {"slug", "title", "language", "date", "reviewed", "url", "files"} <= set(guide)
        kinds = [f["kind"] for f in guide["files"]]
        assert kinds[:2] == ["epub", "pdf"] and set(kinds[2:]) == {"handout"}
        for file in guide["files"]:
            path = built.out / file["path"]
            data = path.read_bytes()
            assert file["bytes"] == len(data)
            assert file["sha256"] == hashlib.sha256(data).hexdigest()
            if file["kind"] != "epub":
                assert file["pages"] == page_count(path)
            if file["kind"] == "handout":
                assert file["path"] == f"{guide['slug']}/handouts/{file['id']}.pdf"
            listed.add(file["path"])
    on_disk = {p for p in snapshot(built.out) if p != "manifest.json"}
    assert on_disk == listed | set(manifest["site"])
    assert not listed & set(manifest["site"])


def test_shipped_handout_order_follows_front_matter(built):
    guide = next(g for g in built.manifest["guides"] if g["slug"] == "muscle-spasms")
    assert [f["id"] for f in guide["files"] if f["kind"] == "handout"] == \
        ["spasms", "prevention", "treatment"]


def test_two_builds_are_byte_identical(built, tmp_path):
    build([TEST_GUIDE], tmp_path)
    ours = snapshot(tmp_path)
    theirs = snapshot(built.out)
    for name, digest in ours.items():
        if name not in ("manifest.json", "index.html", "sitemap.xml"):  # list both guides
            assert theirs[name] == digest, name


def test_source_date_epoch_sets_the_timestamps(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    build([TEST_GUIDE], tmp_path, only=["epub"])
    with zipfile.ZipFile(tmp_path / "ankle-sprain" / "ankle-sprain.epub") as archive:
        assert archive.infolist()[1].date_time == (2026, 1, 1, 0, 0, 0)
        assert b"2026-01-01T00:00:00Z" in archive.read("EPUB/content.opf")


def test_failed_build_leaves_output_untouched(guide_copy, tmp_path):
    out = tmp_path / "out"
    build([guide_copy], out)
    before = snapshot(out)
    text = guide_copy.read_text(encoding="utf-8")
    guide_copy.write_text(text.replace("sections: [exercises]", "sections: [exercise]"),
                          encoding="utf-8")
    with pytest.raises(PublishError, match="did you mean 'exercises'"):
        build([guide_copy], out)
    assert snapshot(out) == before


def test_removed_handout_is_pruned(guide_copy, tmp_path):
    out = tmp_path / "out"
    build([guide_copy], out)
    assert (out / "ankle-sprain" / "handouts" / "getting-back.pdf").exists()
    text = guide_copy.read_text(encoding="utf-8")
    start = text.index("  - id: getting-back")
    end = text.index("---", start)
    guide_copy.write_text(text[:start] + text[end:], encoding="utf-8")
    result = build([guide_copy], out)
    assert not (out / "ankle-sprain" / "handouts" / "getting-back.pdf").exists()
    ids = [f.get("id") for f in result.manifest["guides"][0]["files"]]
    assert ids == [None, None, "first-days"]


def test_partial_build_keeps_the_other_files(guide_copy, tmp_path):
    """Files a partial build was not asked for stay, because the cache proves they are
    what the manuscript makes now: they are reused, not made again."""
    out = tmp_path / "out"
    full = build([guide_copy], out)
    partial = build([guide_copy], out, only=["handouts"])
    assert partial.manifest == full.manifest
    assert [f.kind for f in partial.guides[0].files] == ["epub", "pdf", "handout", "handout"]
    assert partial.cached == {f["path"] for f in full.manifest["guides"][0]["files"]}


def test_guides_with_the_same_slug_are_refused(guide_copy, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "Ankle Sprain.md").write_text(guide_copy.read_text(encoding="utf-8"),
                                          encoding="utf-8")
    shutil.copytree(guide_copy.parent / "images", other / "images")
    with pytest.raises(PublishError, match="would both be written to 'ankle-sprain/'"):
        build([guide_copy, other / "Ankle Sprain.md"], tmp_path / "out")


def test_an_edit_remakes_only_what_shows_it(guide_copy, tmp_path):
    out = tmp_path / "out"
    build([guide_copy], out)
    handouts = out / "ankle-sprain" / "handouts"
    kept = handouts / "first-days.pdf"
    before = (kept.stat().st_mtime_ns, kept.read_bytes())
    old = (handouts / "getting-back.pdf").read_bytes()
    text = guide_copy.read_text(encoding="utf-8")
    guide_copy.write_text(text.replace("Balance practice lowers", "Balance work lowers"),
                          encoding="utf-8")
    result = build([guide_copy], out)
    assert (kept.stat().st_mtime_ns, kept.read_bytes()) == before  # untouched
    assert (handouts / "getting-back.pdf").read_bytes() != old
    assert result.cached == {"ankle-sprain/handouts/first-days.pdf"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    sizes = {f["path"]: f["bytes"] for f in manifest["guides"][0]["files"]}
    assert all((out / path).stat().st_size == size for path, size in sizes.items())


def test_a_text_edit_keeps_the_cover(guide_copy, tmp_path):
    """The ebook's cover shows the title and the brand only: an edit to the text makes the
    ebook again but takes the cover from the cache."""
    out = tmp_path / "out"
    build([guide_copy], out)
    text = guide_copy.read_text(encoding="utf-8")
    guide_copy.write_text(text.replace("Balance practice lowers", "Balance work lowers"),
                          encoding="utf-8")
    made: dict[str, bool] = {}
    build([guide_copy], out, progress=lambda task, result: made.update({task.kind: result.cached}))
    assert made["cover"] is True and made["epub"] is False


def test_parallel_and_serial_builds_give_the_same_bytes(tmp_path):
    build([TEST_GUIDE], tmp_path / "serial", jobs=1, cache=False)
    build([TEST_GUIDE], tmp_path / "parallel", jobs=2, cache=False)
    assert snapshot(tmp_path / "serial") == snapshot(tmp_path / "parallel")


def test_a_mistake_in_a_worker_still_names_file_and_line(tmp_path):
    guide = Path(__file__).parent / "corpus" / "handout-too-long.md"
    with pytest.raises(PublishError) as info:
        build([guide], tmp_path / "out", jobs=2)
    assert info.value.diagnostic.line == 4
    assert "needs about" in info.value.diagnostic.message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("change", "line", "words"), [
    (("paper: letter", "paper: legal"), "paper:", "paper 'legal' is not known"),
    (("  - [muted, tint]", "  - [muted, papyrus]"), "- [muted, papyrus]",
     "unknown colour 'papyrus'"),
    (("  address:\n    - ", "  address:\n    - Office one: "), "Office one:",
     "contact.address.0: Expected `str`, got `object`"),
])
def test_a_mistake_in_the_brand_file_names_its_line(tmp_path, change, line, words):
    styles = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES, styles)
    brand_file = styles / "brand.yaml"
    text = brand_file.read_text(encoding="utf-8")
    assert change[0] in text
    text = text.replace(change[0], change[1], 1)
    brand_file.write_text(text, encoding="utf-8")
    expected = next(n for n, t in enumerate(text.splitlines(), 1) if line in t)
    with pytest.raises(PublishError) as info:
        build([TEST_GUIDE], tmp_path / "out", styles=styles)
    assert (info.value.diagnostic.path, info.value.diagnostic.line) == (brand_file, expected)
    assert words in info.value.diagnostic.message


def test_the_worker_server_preloads_modules_that_exist():
    """The forkserver skips a preload it cannot import without a word, which would quietly
    bring back one WeasyPrint import per worker."""
    import importlib

    from guidepress.build.workers import PRELOAD

    for name in PRELOAD:
        if name != "__main__":
            importlib.import_module(name)


def test_a_new_version_of_the_program_makes_every_file_again(tmp_path, monkeypatch):
    """Cached results are keyed by this program's code and libraries too, so files made
    by older code are never reused after an upgrade."""
    from guidepress.build import keys
    from guidepress.build.plan import plan
    from guidepress.read.brand import load_brand
    from guidepress.read.guide import read_guide
    from guidepress.writers import BuildContext

    guide, _ = read_guide(TEST_GUIDE)
    context = BuildContext(load_brand(DEFAULT_STYLES), "test", dt.datetime(2026, 1, 1))
    outputs = ["epub", "pdf", "handouts", "press"]
    before = {t.name: t.key for t in plan(guide, context, outputs, tmp_path)}
    monkeypatch.setattr(keys, "program_fingerprint", lambda: "a newer program")
    after = {t.name: t.key for t in plan(guide, context, outputs, tmp_path)}
    assert before.keys() == after.keys()
    assert all(before[name] != after[name] for name in before)
