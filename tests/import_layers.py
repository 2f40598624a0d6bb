"""Every import in guidepress/ and publish.py, held against the stage order of
ARCHITECTURE.md: a module may import its own stage and earlier ones, never a later one.

    python -m tests.import_layers      # the table, then one line per problem; exit 1 if any

Imports inside functions and under ``if TYPE_CHECKING:`` count too: a lazy import of a
later stage is still a dependency on it. Reports imports of a later stage, import cycles
between modules, and third-party imports in the modules that must load with the standard
library alone. Standard library only, so it runs anywhere.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Stages, earliest first: a module's stage is the longest prefix listed here.
STAGES: list[tuple[str, ...]] = [
    ("guidepress", "guidepress.errors", "guidepress.units", "guidepress.files",
     "guidepress.sysdeps", "guidepress.evidence", "guidepress.colors"),
    ("guidepress.project",),
    ("guidepress.model",),
    ("guidepress.read",),
    ("guidepress.render",),
    ("guidepress.layout",),
    ("guidepress.writers",),
    ("guidepress.checks",),
    ("guidepress.build",),
    ("guidepress.serve", "guidepress.verify", "guidepress.new", "guidepress.i18n"),
    ("publish",),
]

# Loaded before anything heavy: the no-op rebuild check and `python -m guidepress.sysdeps`
# (which runs before any third-party package is installed).
STDLIB_ONLY = {"guidepress", "guidepress.errors", "guidepress.units", "guidepress.files",
               "guidepress.evidence",
               "guidepress.sysdeps", "guidepress.project", "guidepress.build",
               "guidepress.build.noop", "guidepress.build.workers", "guidepress.build.server"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module it imports
    line: int
    top_level: bool  # runs when the module is imported (not in a function or TYPE_CHECKING)


def modules(root: Path, package: str = "guidepress", script: str = "publish"
            ) -> dict[str, Path]:
    """Module name → file, for the package and the command-line script."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    if (root / f"{script}.py").is_file():
        found[script] = root / f"{script}.py"
    return found


def imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    """The imports in one module, each resolved to the module it loads: ``from . import x``
    loads the submodule ``x`` when there is one, else the package itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top = {id(node) for node in loaded_at_import(tree.body)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            found.append(Import(name, target, node.lineno, id(node) in top))
    return found


def loaded_at_import(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements that run when the module is imported: its body, and the branches of
    its ifs and trys, except ``if TYPE_CHECKING:`` (read by type checkers only)."""
    run = []
    for node in body:
        run.append(node)
        if isinstance(node, ast.If):
            guarded = isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
            run += loaded_at_import(node.orelse if guarded else node.body + node.orelse)
        elif isinstance(node, ast.Try):
            run += loaded_at_import(node.body + node.orelse + node.finalbody
                                    + [s for h in node.handlers for s in h.body])
    return run


def stage_of(module: str, stages: list[tuple[str, ...]] = STAGES) -> int | None:
    best, index = "", None
    for number, names in enumerate(stages):
        for prefix in names:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, index = prefix, number
    return index


def later_stage(edges: list[Import], stages: list[tuple[str, ...]] = STAGES) -> list[Import]:
    """Imports of a module in a later stage than the importer's."""
    wrong = []
    for edge in edges:
        here, there = stage_of(edge.module, stages), stage_of(edge.target, stages)
        if here is not None and there is not None and there > here:
            wrong.append(edge)
    return wrong


def cycles(edges: list[Import], known: set[str]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan's
    strongly connected components; a module importing itself counts)."""
    graph: dict[str, set[str]] = {name: set() for name in known}
    for edge in edges:
        if edge.target in known:
            graph[edge.module].add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def third_party(edges: list[Import], known: set[str], stdlib_only: set[str] = STDLIB_ONLY
                ) -> list[Import]:
    """Module-level imports of anything but the standard library (and other modules of
    the same list) in the modules that must load without them."""
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    return [e for e in edges if e.module in stdlib_only and e.top_level
            and e.target not in stdlib_only and e.target.split(".")[0] not in stdlib]


@dataclass
class Report:
    modules: dict[str, Path]
    edges: list[Import]
    later: list[Import]
    cycles: list[list[str]]
    third_party: list[Import]

    @property
    def problems(self) -> list[str]:
        return ([f"{e.module}:{e.line} imports {e.target}, a later stage" for e in self.later]
                + ["import cycle: " + " ↔ ".join(c) for c in self.cycles]
                + [f"{e.module}:{e.line} imports {e.target}, not the standard library"
                   for e in self.third_party])


def check(root: Path = ROOT, stages: list[tuple[str, ...]] = STAGES,
          stdlib_only: set[str] = STDLIB_ONLY) -> Report:
    found = modules(root)
    known = set(found)
    edges = [edge for name, path in found.items() for edge in imports_of(name, path, known)]
    inside = [e for e in edges if e.target in known]
    return Report(found, edges, later_stage(inside, stages), cycles(inside, known),
                  third_party(edges, known, stdlib_only))


def table(report: Report) -> str:
    rows = []
    for name in sorted(report.modules, key=lambda m: (stage_of(m) or 0, m)):
        targets = sorted({e.target for e in report.edges
                          if e.module == name and e.target in report.modules})
        rows.append(f"{stage_of(name)!s:>2}  {name:<30} {', '.join(targets) or '-'}")
    return "\n".join(rows)


def main() -> int:
    report = check()
    print(table(report))
    inside = [e for e in report.edges if e.target in report.modules]
    print(f"\n{len(report.modules)} modules, {len(inside)} imports between them")
    for problem in report.problems:
        print(problem)
    print("no problems" if not report.problems else f"{len(report.problems)} problems")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
