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

    def format(self) -> str:
        where = f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text}\n  {self.hint}" if self.hint else text


class PublishError(Exception):
    """A problem in the input that the user must fix; the build stops."""

    def __init__(self, path: Path, line: int, message: str, hint: str = "") -> None:
        self.diagnostic = Diagnostic(Path(path), line, message, hint)
        super().__init__(self.diagnostic.format())


def display_path(path: Path) -> str:
    """Show paths relative to the working directory when they are below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
