"""What one checker found in one file: the shape every checker's result takes, and what
each guide's accessibility.json holds. Plain data, so the site writer (which writes the
report as "not run yet" at build time) and `publish verify` (which fills it in) share it.

A checker that is not installed (or that could not start) is ``status="not run"`` with a
reason; it is never counted as passed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["passed", "failed", "not run"]
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    rule: str  # the checker's own id: "RSC-005", "UA-15-003", "color-contrast"
    message: str
    location: str = ""  # "page 3", "chapter-2.xhtml:14", a CSS selector


@dataclass(frozen=True)
class ToolResult:
    tool: str  # "EPUBCheck", "DAISY Ace", "pdfua", "PDF structure", "axe-core"
    version: str  # "" when not run
    file: str  # the checked file, relative to the output folder
    status: Status
    reason: str = ""  # why it did not run, in a sentence
    rules_checked: int = 0  # rules (or conditions) the tool evaluated
    rules_failed: int = 0
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rules the tool could not evaluate

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def as_json(self) -> dict:
        data = asdict(self)
        data.update(errors=self.errors, warnings=self.warnings)
        return data


def not_run(tool: str, file: str, reason: str) -> ToolResult:
    return ToolResult(tool, "", file, "not run", reason=reason)


def judged(tool: str, version: str, file: str, findings: list[Finding], checked: int,
           failed: int | None = None, skipped: list[str] | None = None,
           fail_on: tuple[Severity, ...] = ("error", "warning")) -> ToolResult:
    """A result whose status is "failed" when any finding has a severity in ``fail_on``."""
    bad = [f for f in findings if f.severity in fail_on]
    rules_failed = failed if failed is not None else len({f.rule for f in bad})
    return ToolResult(tool, version, file, "failed" if bad else "passed",
                      rules_checked=checked, rules_failed=rules_failed,
                      findings=findings, skipped=skipped or [])


def file_checks(path: str, title: str, sha256: str, checks: list[ToolResult]) -> dict:
    """One file's entry in accessibility.json: what it is, and every check made of it."""
    return {"path": path, "title": title, "sha256": sha256,
            "checks": [check.as_json() for check in checks]}
