"""The code keeps ARCHITECTURE.md's stage order: no module imports a later stage, no two
modules import each other, the early modules need the standard library alone, and each
package loads on its own without pulling in a later stage."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from . import import_layers as layers
from .conftest import ROOT

REPORT = layers.check()


def test_no_module_imports_a_later_stage():
    assert [f"{e.module}:{e.line} → {e.target}" for e in REPORT.later] == []


def test_no_import_cycle():
    assert REPORT.cycles == []


def test_the_early_modules_need_the_standard_library_alone():
    assert [f"{e.module}:{e.line} → {e.target}" for e in REPORT.third_party] == []


def test_every_module_has_a_stage():
    assert [m for m in REPORT.modules if layers.stage_of(m) is None] == []
    assert len(REPORT.modules) > 40 and len(REPORT.edges) > 150  # the parse found them


HEAVY = ("weasyprint", "jinja2", "markdown_it", "yaml", "ebooklib", "pypdfium2", "PIL")
ALONE = ["guidepress", "guidepress.errors", "guidepress.project", "guidepress.model",
         "guidepress.read", "guidepress.render", "guidepress.layout", "guidepress.writers",
         "guidepress.checks", "guidepress.build", "guidepress.build.noop",
         "guidepress.build.workers", "guidepress.serve"]


@pytest.mark.parametrize("module", ALONE)
def test_a_package_imported_alone_loads_no_later_stage(module):
    script = textwrap.dedent(f"""
        import importlib, json, sys
        importlib.import_module({module!r})
        print(json.dumps(sorted(sys.modules)))
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    loaded = json.loads(run.stdout)
    mine = layers.stage_of(module)
    later = [m for m in loaded if m.startswith("guidepress")
             and (layers.stage_of(m) or 0) > mine]
    assert later == []
    if module in layers.STDLIB_ONLY:
        assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_a_planted_violation_and_cycle_are_found(tmp_path):
    """The checks above cannot pass for want of looking: a tree with one of each fails."""
    package = tmp_path / "guidepress"
    (package / "read").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "model.py").write_text("def f():\n    from .build import x\n")
    (package / "read" / "__init__.py").write_text("from . import a\n")
    (package / "read" / "a.py").write_text("from .b import y\n")
    (package / "read" / "b.py").write_text("import yaml\nfrom . import a\n")
    (package / "build.py").write_text("from typing import TYPE_CHECKING\n"
                                      "if TYPE_CHECKING:\n    import jinja2\n")
    report = layers.check(tmp_path, stdlib_only={"guidepress.read.b", "guidepress.build"})
    assert [(e.module, e.target) for e in report.later] == [("guidepress.model",
                                                             "guidepress.build")]
    assert report.cycles == [["guidepress.read.a", "guidepress.read.b"]]
    # yaml, and a module of ours that is not on the list either (it may load anything)
    assert [(e.module, e.target) for e in report.third_party] == [
        ("guidepress.read.b", "yaml"), ("guidepress.read.b", "guidepress.read.a")]
