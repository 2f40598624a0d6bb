"""Hostile and broken manuscripts: clear errors, nothing half-written, no escape."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import publish
from guidepress.build import build
from guidepress.errors import PublishError
from guidepress.project import build_cache, user_cache
from guidepress.read.fonts import cache_folder as font_cache_folder
from guidepress.read.guide import read_guide

from .conftest import ROOT, TEST_GUIDE
from .folders import snapshot

CORPUS = Path(__file__).resolve().parent / "corpus"

# file → (line, what the error says). Every file in tests/corpus/ is listed.
CASES = {
    # The second round of hostile input (issue 21), one file per class.
    "yaml-billion-laughs.md": (3, "may not use YAML anchors (&) or aliases (*)"),
    "duplicate-key.md": (3, "'title' appears twice, on lines 2 and 3"),
    "language-not-registered.md": (3, "'UK' is not a country or region code"),
    "reviewed-in-future.md": (3, "'reviewed' 2099-12-01 is in the future"),
    "control-character.md": (6, "invisible control character (U+001B) in column 17"),
    "reference-link-javascript.md": (6, "link to '%6Aavascript:alert(1)' is not allowed"),
    "image-name-space.md": (6, "has a space in its file name"),
    "heading-id-footnote.md": (4, "heading id '#fn-1' is reserved for footnote 1"),
    "emoji.md": (6, "(FLEXED BICEPS, U+1F4AA) in column 13 is not in the guide's fonts"),
    "title-too-long.md": (2, "'title' is 412 characters long"),
    "handout-blank.md": (4, "handout 'sheet' would be empty"),
    "empty.md": (1, "the file is empty"),
    "blank-lines.md": (1, "the file is empty"),
    "no-front-matter.md": (1, "the file does not start with front matter"),
    "unclosed-front-matter.md": (1, "the front matter is not closed"),
    "bad-yaml.md": (2, "the front matter is not valid YAML"),
    "yaml-tab.md": (3, "the front matter is not valid YAML"),
    "front-matter-list.md": (2, "the front matter must be 'key: value' lines"),
    "missing-title.md": (2, "the front matter is missing 'title'"),
    "empty-title.md": (2, "'title' is empty"),
    "title-number.md": (2, "'title' must be text, not a whole number"),
    "bad-date.md": (3, "'date' is not a valid date"),
    "reviewed-words.md": (3, "'reviewed' is not a valid date"),
    "bad-language.md": (3, "'language' is not a language tag"),
    "javascript-url.md": (3, "'url' is not a web address"),
    "non-utf8.md": (2, "the file is not UTF-8 text (byte 14)"),
    "handout-traversal-id.md": (4, "handout id '../../etc/passwd' is not a safe name"),
    "handout-slash-id.md": (4, "handout id 'a/b' is not a safe name"),
    "handout-space-id.md": (4, "handout id 'my sheet' is not a safe name"),
    "duplicate-handout-id.md": (7, "handout id 'sheet' is used twice"),
    "unknown-section.md": (6, "lists section 'alfa', which does not exist"),
    "overlapping-sections.md": (6, "which overlap"),
    "handout-no-sections.md": (6, "handout 'sheet' lists no sections"),
    "handout-unknown-key.md": (7, "unknown key 'colour' in handout 1"),
    "handouts-not-a-list.md": (3, "'handouts' must be a list, not text"),
    "handout-too-long.md": (4, "handout 'sheet' needs about"),
    "duplicate-heading-id.md": (10, "heading id '#alpha' is used twice"),
    "text-before-heading.md": (8, "the text must start with a chapter heading"),
    "no-body.md": (8, "the guide has no text after the front matter"),
    "heading-in-div.md": (14, "headings cannot be inside a ::: block or list"),
    "broken-link.md": (12, "link to '#the-end', which does not exist"),
    "undefined-footnote.md": (12, "footnote '[^source]' is never defined"),
    "image-missing.md": (12, "image 'images/chart.png' was not found"),
    "image-traversal.md": (12, "is outside the manuscript's folder"),
    "image-absolute.md": (12, "image '/etc/passwd' is not a file beside the manuscript"),
    "image-http.md": (12, "is not a file beside the manuscript"),
    "image-file-url.md": (12, "'file:///etc/passwd' is not allowed here"),
    "image-symlink.md": (12, "image 'images/link.png' is outside the manuscript's folder"),
    "image-directory.md": (12, "image 'images' is a folder, not a file"),
    "image-wrong-type.md": (12, "is not a supported type"),
    "image-fake-png.md": (12, "could not be read as an image"),
    "image-bomb.md": (12, "image 'images/bomb.png' is far too large to open safely"),
    "svg-xxe.md": (12, "declares a DOCTYPE or entities, which are not allowed"),
    "svg-billion-laughs.md": (12, "declares a DOCTYPE or entities, which are not allowed"),
    "svg-not-svg.md": (12, "image 'images/page.svg' is not an SVG image"),
    "script-raw-html.md": (12, "raw HTML is not allowed: <script>"),
    "style-import.md": (12, "raw HTML is not allowed: <style>@import"),
    "iframe.md": (12, "raw HTML is not allowed: <iframe"),
    "event-handler.md": (12, "raw HTML is not allowed: <img src=x onerror="),
    "link-element.md": (12, "raw HTML is not allowed: <link"),
    "huge.md": (0, "the file is larger than 10 MB"),
}


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims to be width × height: all a decompression bomb needs."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The corpus, plus the cases that cannot live in git: a symlink out of the folder,
    a 40 000 × 40 000 pixel PNG and a 12 MB manuscript."""
    folder = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(CORPUS, folder)
    (folder / "images" / "link.png").symlink_to("/etc/hostname")
    (folder / "images" / "bomb.png").write_bytes(png_header(40_000, 40_000))
    (folder / "huge.md").write_text("---\ntitle: x\n---\n# A\n\n" + "word " * 2_500_000)
    return folder


def test_every_corpus_file_has_a_case():
    listed = {p.name for p in CORPUS.glob("*.md")} | {"huge.md"}
    assert listed == set(CASES)
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_manuscript_gets_one_clear_line(corpus, name, tmp_path):
    line, fragment = CASES[name]
    out = tmp_path / "dist"
    out.mkdir()
    (out / "manifest.json").write_text('{"generator": "an earlier build", "guides": []}\n')
    before = snapshot(out)
    source = corpus / name
    result = CliRunner().invoke(publish.cli, ["build", str(source), "--out", str(out)])
    assert result.exit_code == 1, result.output
    first, *hint = result.stderr.splitlines()
    where = f"{source}:{line}" if line else f"{source}"
    assert first.startswith(f"{where}: error: "), first
    assert fragment in first
    assert len(hint) <= 1
    assert "Traceback" not in result.output
    assert snapshot(out) == before  # nothing half-written, nothing removed


def test_debug_shows_the_traceback(corpus, tmp_path):
    result = CliRunner().invoke(
        publish.cli, ["build", str(corpus / "broken-link.md"), "--out", str(tmp_path), "--debug"])
    assert result.exit_code == 1
    assert "Traceback" in result.output and "PublishError" in result.output


def test_svg_is_cleaned_before_any_output(guide_copy, tmp_path):
    hostile = textwrap.dedent("""\
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
             viewBox="0 0 10 10" role="img" onload="alert(1)">
          <title>A square</title>
          <script>alert(2)</script>
          <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
          <image href="file:///etc/passwd" width="5" height="5"/>
          <image xlink:href="https://example.org/t.png" width="5" height="5"/>
          <style>@import url(https://example.org/x.css);</style>
          <use href="#sq"/>
          <rect id="sq" width="10" height="10" fill="#1d4f91" style="fill: url(#sq)"/>
        </svg>
        """)
    (guide_copy.parent / "images" / "ankle.svg").write_text(hostile, encoding="utf-8")
    result = build([guide_copy], tmp_path, only=["epub", "handouts"])
    removed = sorted(w.message.split(": removed ")[1] for w in result.warnings
                     if ": removed " in w.message)
    assert removed == ["<foreignObject>", "<script>", "<style>", "a link to file:///etc/passwd",
                       "a link to https://example.org/t.png", "the onload attribute"]
    with zipfile.ZipFile(tmp_path / "ankle-sprain" / "ankle-sprain.epub") as archive:
        svg = archive.read("EPUB/media/images/ankle.svg").decode()
    for banned in ("script", "onload", "foreignObject", "file:", "https:", "@import"):
        assert banned not in svg
    assert 'href="#sq"' in svg and "<title>A square</title>" in svg


AUDIT = """
import json, socket, sys
events = {"open": [], "socket": []}
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        events["open"].append(str(args[0]))
    elif event.startswith("socket."):
        events["socket"].append(event)
def no_network(*args, **kwargs):
    raise OSError("network is off in this test")
socket.socket.connect = socket.socket.connect_ex = no_network
socket.create_connection = socket.getaddrinfo = no_network
# Libraries read their own files when imported; load them before listening.
import weasyprint, pypdfium2, ebooklib.epub, PIL.Image, segno, fontTools.ttLib
# The first look-up of the temporary folder writes and deletes a test file in it; on a
# machine with gcc an import above has already done it, on a bare one WeasyPrint does it
# mid-build: do it here, before listening.
import tempfile; tempfile.gettempdir()
from guidepress.build import build
sys.addaudithook(hook)
try:
    build([sys.argv[1]], sys.argv[2], only=sys.argv[3].split(","))
    events["result"] = "built"
except Exception as exc:
    events["result"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(events))
"""


def audited_build(source: Path, out: Path, outputs: str) -> dict:
    result = subprocess.run([sys.executable, "-c", AUDIT, str(source), str(out), outputs],
                            capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def allowed_roots(source: Path, out: Path) -> list[Path]:
    import tempfile

    return [source.parent.resolve(), ROOT / "styles", ROOT / "guidepress", out.resolve(),
            ROOT / "pyproject.toml",  # [tool.publish.check] limits
            # Private to the user: each output folder's task cache, stamp and lock (the
            # build also sweeps the folders of output folders that are gone), and the
            # memo of the libraries' versions.
            (user_cache() / "builds").resolve(),
            (user_cache() / "libraries.json").resolve(),
            (user_cache() / ".libraries.json").resolve(),
            Path(tempfile.gettempdir()).resolve() / "publish-",  # scratch for one build
            font_cache_folder().resolve(),  # static instances of variable fonts
            Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
            Path(tempfile.gettempdir()).resolve() / "weasyprint-",
            # Babel (dates in each language) reads the local time zone when it loads.
            Path("/usr/share/zoneinfo"), Path("/etc/localtime").resolve()]


def outside(paths: list[str], roots: list[Path]) -> list[str]:
    found = []
    for path in paths:
        if path.startswith("__editable__.") and path.endswith(".__path_hook__"):
            continue  # not a file: the import hook of the editable install, by name
        resolved = Path(path).resolve()
        if not any(resolved.is_relative_to(root) or str(resolved).startswith(str(root))
                   for root in roots):
            found.append(path)
    return found


def test_a_build_reads_only_allowed_files_and_never_the_network(guide_copy, tmp_path):
    out = tmp_path / "out"
    events = audited_build(guide_copy, out, "epub,pdf,handouts,press")
    assert events["result"] == "built"
    assert events["socket"] == []
    assert outside(events["open"], allowed_roots(guide_copy, out)) == []
    assert any(path.endswith("ankle-sprain.md") for path in events["open"])  # it did listen


def test_a_hostile_manuscript_opens_nothing_outside(corpus, tmp_path):
    for name in ("image-traversal.md", "image-symlink.md", "image-absolute.md"):
        out = tmp_path / name
        events = audited_build(corpus / name, out, "epub,pdf")
        assert events["result"].startswith("PublishError"), events["result"]
        assert outside(events["open"], allowed_roots(corpus / name, out)) == []
        assert not any("/etc/" in path for path in events["open"])


def test_a_second_build_into_a_busy_folder_fails_clearly(tmp_path):
    from filelock import FileLock

    out = tmp_path / "dist"
    with FileLock(build_cache(out) / "lock"), pytest.raises(
            PublishError, match="another build is writing to this folder"):
        build([TEST_GUIDE], out, only=["epub"])
    build([TEST_GUIDE], out, only=["epub"])  # and works once the first is done


def test_every_output_is_byte_identical_across_builds(tmp_path):
    first = build([TEST_GUIDE], tmp_path / "one", only=["epub", "pdf", "handouts", "press"])
    build([TEST_GUIDE], tmp_path / "two", only=["epub", "pdf", "handouts", "press"])
    ours, theirs = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert ours == theirs
    assert "manifest.json" in ours and len(first.guides[0].files) == 5


# -- property tests: whatever staff paste in, never a traceback --------------------------

MARKDOWN = st.text(alphabet=st.sampled_from([*list("ab #*_-:>!|[]()^{}.\n\t`<"), "é", "💪"]),
                   max_size=300)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
                    st.lists(st.text(max_size=5), max_size=3))
FRONT = st.dictionaries(
    st.sampled_from(["title", "subtitle", "language", "date", "reviewed", "url",
                     "handouts", "keywords", "identifier", "tilte"]),
    SCALARS, max_size=6)


def manuscript(front: dict, body: str) -> str:
    import yaml

    return "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(front=FRONT, body=MARKDOWN)
def test_reader_never_crashes(tmp_path, front, body):
    path = tmp_path / "random.md"
    path.write_text(manuscript(front, body), encoding="utf-8")
    try:
        read_guide(path)
    except PublishError as error:
        assert error.diagnostic.message  # a message for a person, never a traceback


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(body=MARKDOWN)
def test_build_never_crashes_or_half_writes(tmp_path_factory, body):
    folder = tmp_path_factory.mktemp("random")
    path = folder / "random.md"
    path.write_text(manuscript({"title": "Random"}, "# Start\n\n" + body), encoding="utf-8")
    out = folder / "dist"
    result = CliRunner().invoke(publish.cli, ["build", str(path), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert not out.exists()
    else:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        listed = {f["path"] for g in manifest["guides"] for f in g["files"]}
        assert listed | set(manifest["site"]) == set(snapshot(out)) - {"manifest.json"}
