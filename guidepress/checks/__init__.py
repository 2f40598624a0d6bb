"""`publish check`: a linter for patient material that reads the same model as the writers.

Each rule is a function ``rule(guide, context) -> Iterable[Diagnostic]`` registered in
``RULES`` with its id, severity and what it checks (the README's table comes from the same
facts). Findings speak in the staff's terms and point at file:line:col.

A finding is silenced for one place by an HTML comment naming the rule, on the same line
or on the line before the block (or heading) it is about:

    <!-- publish: ignore reading-level, jargon -->
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

from ..errors import Diagnostic, PublishError
from ..model import Guide
from ..project import Project
from ..read.brand import Brand
from ..read.catalog import read_translation, relocated, translations_of
from ..read.glyphs import brand_font_set
from ..read.guide import read_guide
from ..units import plural
from .context import CheckContext, Limits

IGNORE = re.compile(r"publish:\s*ignore\s+([\w\s,-]+?)\s*-->", re.S)


def project_limits(project: Project) -> Limits:
    """The limits in the project's `[tool.publish.check]`, checked like a guide's `check:`
    (the same fields and ranges), each mistake reported at its pyproject.toml line."""
    import msgspec

    from ..read.frontmatter import CheckFields, check_limits

    settings = project.check_settings()
    path = project.root / "pyproject.toml"
    lines = setting_lines(path, settings)
    try:
        fields = msgspec.convert(settings, CheckFields)
    except msgspec.ValidationError as exc:
        raise PublishError(path, next(iter(lines.values()), 0),
                           f"[tool.publish.check]: {exc}",
                           "the limits are: " + ", ".join(CheckFields.__struct_fields__)
                           ) from None
    check_limits(fields, lines, path)
    return Limits().update(settings)


def setting_lines(path: Path, settings: dict) -> dict[tuple, int]:
    """The line of each `name =` in pyproject.toml's [tool.publish.check] (tomllib keeps
    no line numbers)."""
    lines: dict[tuple, int] = {}
    try:
        text = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return lines
    inside = False
    for number, line in enumerate(text, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") == "[tool.publish.check]"
        elif inside and "=" in stripped:
            name = stripped.split("=")[0].strip().strip('"')
            if name in settings:
                lines[("check", name)] = number
    return lines


def check_guide(path: Path, context: CheckContext) -> list[Diagnostic]:
    """All findings for one manuscript and its translations, ignores applied, in line
    order (a translation's after the manuscript's)."""
    try:
        guide, warnings = read_guide(path, brand_font_set(context.brand))
    except PublishError as error:
        return list(error.diagnostics)
    findings = run_rules(guide, warnings, context)
    for catalog in translations_of(path):
        findings += [f for f in check_translation(guide, catalog, context)
                     if f not in findings]
    return findings


def check_translation(guide: Guide, catalog: Path, context: CheckContext
                      ) -> list[Diagnostic]:
    """The rules on a translation, each finding at the PO message it is about; one at a
    manuscript line (front matter, a handout's fit) says which language it is about."""
    try:
        translated, warnings = read_translation(guide, catalog, brand_font_set(context.brand))
    except PublishError as error:
        return list(error.diagnostics)
    language = translated.meta.language
    return [f if f.path == catalog else replace(f, message=f"[{language}] {f.message}")
            for f in relocated(translated, run_rules(translated, warnings, context))]


def run_rules(guide: Guide, warnings: list[Diagnostic], context: CheckContext
              ) -> list[Diagnostic]:
    """The rules' findings for a guide already read (the reader's warnings included)."""
    from .rules import RULES

    local = replace(context, limits=context.limits.update(guide.meta.check))
    findings = list(warnings)
    for rule_id, rule in RULES.items():
        if rule.render and not context.render:
            continue
        findings += [replace(f, rule=f.rule or rule_id) for f in rule.check(guide, local)]
    spans = ignore_spans(guide)
    findings = [f for f in findings if not ignored(spans, f)]
    return sorted(findings, key=lambda f: (f.line, f.col, f.rule))


def ignore_spans(guide: Guide) -> list[tuple[int, int, set[str]]]:
    """(first line, last line, rule ids) silenced by `publish: ignore` comments."""
    spans = []
    starts = [b.line for b in guide.blocks] + [len(guide.source_lines) + 1]
    for index, block in enumerate(guide.blocks):
        for node in block.walk():
            if node.type != "comment" or not (match := IGNORE.search(node.text)):
                continue
            rules = {r.strip() for r in re.split(r"[,\s]+", match.group(1)) if r.strip()}
            spans.append((node.line, node.line, rules))
            if node is block and index + 1 < len(guide.blocks):  # a comment on its own
                spans.append((starts[index + 1], starts[index + 2] - 1, rules))
    return spans


def ignored(spans: list[tuple[int, int, set[str]]], finding: Diagnostic) -> bool:
    return any(first <= finding.line <= last and finding.rule in rules
               for first, last, rules in spans)


def make_context(brand: Brand, today: dt.date, render: bool = False,
                 limits: Limits | None = None) -> CheckContext:
    # Every list is read once per run; each guide then takes the one for its language.
    lists = {path.stem.removeprefix("jargon-").lower(): load_jargon(path)
             for path in sorted(brand.styles.glob("jargon-*.yaml"))}
    return CheckContext(brand, limits or Limits(), today, render,
                        load_jargon(brand.styles / "jargon.yaml"), lists)


def load_jargon(path: Path) -> dict[str, str]:
    """word → plain words, from a jargon list (none when the file is missing)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {str(k): str(v) for k, v in (data or {}).items()}


def brand_findings(brand: Brand) -> list[Diagnostic]:
    from .rules import contrast_findings, placeholder_findings

    brand_file = brand.styles / "brand.yaml"
    return contrast_findings(brand_file, brand) + placeholder_findings(brand_file, brand)


def check_files(paths: list[Path], styles: Path, today: dt.date, render: bool = False,
                limits: Limits | None = None) -> list[Diagnostic]:
    """Findings for the brand's colours and for every manuscript, in that order."""
    from ..read.brand import load_brand

    brand = load_brand(styles)
    context = make_context(brand, today, render, limits)
    findings = brand_findings(brand)
    for path in paths:
        findings += check_guide(path, context)
    return findings


def translation_lines(paths: list[Path]) -> list[str]:
    """One line per translation of the manuscripts: its counts, and reviewed or draft."""
    from ..errors import display_path
    from ..read.catalog import cut, status

    lines = []
    for path in paths:
        catalogs = translations_of(path)
        try:
            pieces = cut(path) if catalogs else None
            states = [status(pieces, catalog) for catalog in catalogs]
        except PublishError:
            continue  # reported with the findings
        for state in states:
            verdict = (f"reviewed by {state.reviewed_by} on {state.reviewed_on}"
                       if state.reviewed else
                       "draft: " + "; ".join(state.problems or ["messages to translate"]))
            lines.append(f"{display_path(state.path)}: {state.language}: {state.translated} "
                         f"translated, {state.fuzzy} fuzzy, {state.untranslated} "
                         f"untranslated; {verdict}")
    return lines


def summary(findings: list[Diagnostic], files: int) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if not findings:
        return f"no problems found in {plural(files, 'file')}"
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(files, 'file')}"
