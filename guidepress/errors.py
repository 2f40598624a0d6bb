"""Errors and warnings that point at a place in a file.

Every problem a person can fix is reported as ``path:line: severity: message`` with an
optional hint on the next line, the way compilers and linters speak.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about a source file; ``line`` is 1-based, 0 when unknown."""

    path: Path
    line: int
    message: str
    hint: str = ""
    severity: str = "error"
    rule: str = ""  # the `publish check` rule id, e.g. "reading-level"
    col: int = 0  # 1-based column, 0 when unknown

    def format(self) -> str:
        """`path:line: severity: message`, the build's style."""
        where = f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)
        text = f"{where}: {self.severity}: {self.message}"
        if self.severity == "warning" and self.rule not in ("", "structure"):
            text += f" [{self.rule}]"  # the id to silence it with, see `publish check`
        return f"{text}\n  {self.hint}" if self.hint else text

    def format_check(self) -> str:
        """`path:line:col: severity rule-id message`, the style of linters."""
        where = f"{display_path(self.path)}:{max(self.line, 1)}:{max(self.col, 1)}"
        text = f"{where}: {self.severity} {self.rule or 'structure'} {self.message}"
        return f"{text}\n  {self.hint}" if self.hint else text

    def as_json(self) -> dict:
        return {"file": display_path(self.path), "line": max(self.line, 1), "col": max(self.col, 1),
                "rule": self.rule or "structure", "severity": self.severity,
                "message": self.message, "hint": self.hint}


class PublishError(Exception):
    """A problem in the input that the user must fix; the build stops.

    ``diagnostics`` holds every error found in the file before the reader gave up (the
    first is ``diagnostic``), so the author can fix them all in one go, as a compiler
    lists them."""

    def __init__(self, path: Path, line: int, message: str, hint: str = "",
                 rule: str = "structure", more: tuple[Diagnostic, ...] = ()) -> None:
        self.diagnostic = Diagnostic(Path(path), line, message, hint, rule=rule)
        self.diagnostics = (self.diagnostic, *more)
        super().__init__(self.format())

    @classmethod
    def of(cls, found: list[Diagnostic]) -> PublishError:
        """One error that reports all of ``found`` (not empty), in file order."""
        first, *rest = sorted(found, key=lambda d: d.line)
        return cls(first.path, first.line, first.message, first.hint, first.rule or "structure",
                   tuple(rest))

    def format(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)

    def __reduce__(self):  # errors cross from worker processes to the parent
        d = self.diagnostic
        return (PublishError, (d.path, d.line, d.message, d.hint, d.rule, self.diagnostics[1:]))


class ErrorList:
    """Errors collected while reading a file, up to ``limit``; ``add`` raises when the
    limit is reached, ``raise_any`` at the end if there were any."""

    def __init__(self, limit: int = 20) -> None:
        self.found: list[Diagnostic] = []
        self.limit = limit

    def add(self, error: PublishError) -> None:
        self.found.extend(error.diagnostics)
        if len(self.found) >= self.limit:
            self.raise_any()

    def raise_any(self) -> None:
        if self.found:
            raise PublishError.of(self.found)


def environment_error(exc: OSError, where: Path) -> PublishError:
    """A folder or file the build cannot use (read-only, full, a file where a folder
    should be), as the one-line error a person can act on; ``where`` when the system
    names no file."""
    return PublishError(Path(exc.filename or where), 0, f"cannot use it: {exc.strerror or exc}",
                        "check that the folder exists, is yours to write, and the disk has room")


def display_path(path: Path) -> str:
    """Show paths relative to the working directory when they are below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
