"""ARCHITECTURE.md's promise, run as written: a new output needs only its writer module
and one REGISTRY entry, and the build plans, caches, installs, lists and prunes it."""

from __future__ import annotations

import json
import re
import types

import pytest

from guidepress import writers
from guidepress.build import build

from .conftest import ROOT, TEST_GUIDE

DOC = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def doc_blocks() -> list[str]:
    section = DOC[DOC.index("### Adding a writer"):]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.fixture
def text_writer(monkeypatch):
    """The example writer module and REGISTRY line from ARCHITECTURE.md, installed."""
    module_code, registry_line = doc_blocks()[:2]
    module = types.ModuleType("guidepress.writers.text")
    module.__package__ = "guidepress.writers"
    exec(compile(module_code, "ARCHITECTURE.md", "exec"), module.__dict__)
    monkeypatch.setitem(__import__("sys").modules, "guidepress.writers.text", module)
    entry = eval("{" + registry_line.strip().rstrip(",") + "}",
                 {"WriterSpec": writers.WriterSpec})
    for name, spec in entry.items():
        monkeypatch.setitem(writers.REGISTRY, name, spec)
    return module


def test_the_documented_writer_builds_with_nothing_else_changed(text_writer, tmp_path):
    out = tmp_path / "out"
    first = build([TEST_GUIDE], out, only=["text"], jobs=1)
    text = (out / "ankle-sprain" / "ankle-sprain.txt").read_text(encoding="utf-8")
    assert "Stand on the hurt foot" in text
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = manifest["guides"][0]["files"]
    assert [(f["kind"], f["path"]) for f in files] == [("text", "ankle-sprain/ankle-sprain.txt")]
    page = (out / "ankle-sprain" / "index.html").read_text(encoding="utf-8")
    assert "Other formats" in page and 'href="ankle-sprain.txt"' in page
    assert not first.cached
    again = build([TEST_GUIDE], out, only=["text"], jobs=1)
    assert again.cached == {"ankle-sprain/ankle-sprain.txt"}


def test_the_new_output_is_kept_only_while_current(text_writer, guide_copy, tmp_path):
    guide = guide_copy
    out = tmp_path / "out"
    build([guide], out, only=["text", "handouts"], jobs=1)
    build([guide], out, only=["handouts"], jobs=1)
    assert (out / "ankle-sprain" / "ankle-sprain.txt").is_file()  # unchanged: kept
    guide.write_text(guide.read_text(encoding="utf-8").replace(
        "Stand on the hurt foot", "Stand on the sore foot"), encoding="utf-8")
    result = build([guide], out, only=["handouts"], jobs=1)
    assert not (out / "ankle-sprain" / "ankle-sprain.txt").exists()  # stale: removed
    assert any("build with --only text to make it again" in w.message
               for w in result.warnings)
