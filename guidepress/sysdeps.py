"""The Debian packages the project needs (the only list of them), and how they get installed.

``python3 -m guidepress.sysdeps``          what `make ebook` needs: make, python3-venv and
                                         WeasyPrint's libraries
``python3 -m guidepress.sysdeps --tests``  also the tools the test suite runs (.ci/run and
                                         `make test` call this)

Missing packages are installed with ``apt-get update`` then ``apt-get install`` when we are
root; with ``--tests`` also through sudo when we are not (CI images that run as a user).
Otherwise it prints the exact ``apt-get`` line to run and exits with status 1.

It runs *before* the virtual environment exists, on a fresh Debian that has nothing but
python3 (no make, no venv module), so it uses the standard library only.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Package:
    name: str  # the Debian package
    why: str
    present: Callable[[], bool]


def command(*names: str) -> Callable[[], bool]:
    return lambda: any(shutil.which(name) for name in names)


def library(name: str) -> Callable[[], bool]:
    """A shared library, found the way ctypes (and so WeasyPrint's cffi) looks for it."""
    return lambda: ctypes.util.find_library(name) is not None


def module(name: str) -> Callable[[], bool]:
    return lambda: importlib.util.find_spec(name) is not None


# What the README's two commands need before anything else. Debian's python3 comes without
# ensurepip, which lives in python3-venv: without it `python3 -m venv` fails half-way.
BOOTSTRAP: list[Package] = [
    Package("make", "runs `make ebook` and `make test`", command("make")),
    Package("python3-venv", "`python3 -m venv` needs its ensurepip module", module("ensurepip")),
]

# What WeasyPrint loads at run time (Pango 1.44 or newer).
LIBRARIES: list[Package] = [
    Package("libpango-1.0-0", "text layout for the PDFs", library("pango-1.0")),
    Package("libpangoft2-1.0-0", "font loading for the PDFs", library("pangoft2-1.0")),
    Package("libfontconfig1", "font lookup", library("fontconfig")),
    Package("libharfbuzz-subset0", "fast font subsetting (smaller PDFs)",
            library("harfbuzz-subset")),
]

# What only the test suite runs. Node is not here: Debian 12's is too old for DAISY Ace, so
# it comes from a Python wheel in the test extras (see the Makefile).
TEST_TOOLS: list[Package] = [
    Package("poppler-utils", "pdftotext and pdffonts read the PDFs back", command("pdftotext")),
    Package("default-jre-headless", "Java for EPUBCheck", command("java")),
    Package("zbar-tools", "zbarimg decodes the handouts' QR codes", command("zbarimg")),
    Package("chromium", "the browser for DAISY Ace and the site tests",
            command("chromium", "chromium-browser")),
    # A bare Debian has no libatomic (on a developer's machine gcc brings it along).
    Package("libatomic1", "Playwright's own Node driver (the site tests' browser) links it",
            library("atomic")),
]


def needed(with_tests: bool = False) -> list[Package]:
    return BOOTSTRAP + LIBRARIES + (TEST_TOOLS if with_tests else [])


def missing(with_tests: bool = False) -> list[Package]:
    return [package for package in needed(with_tests) if not package.present()]


def apt_install(packages: list[str], *, sudo: bool = False) -> bool:
    """``apt-get update`` (a fresh image has no package lists, and old lists name files
    the mirror no longer has), then ``apt-get install``. As root; through sudo when
    ``sudo`` is true and we are not root. False when we cannot, or it failed."""
    if not packages:
        return True
    if shutil.which("apt-get") is None:
        return False
    if os.geteuid() == 0:
        prefix = []
    elif sudo and shutil.which("sudo"):
        # With no terminal (CI) sudo must not wait for a password nobody can type.
        prefix = ["sudo"] if sys.stdin and sys.stdin.isatty() else ["sudo", "-n"]
    else:
        return False
    # sudo drops the environment, so the variable goes on its command line.
    prefix += ["env", "DEBIAN_FRONTEND=noninteractive"]
    print(f"installing Debian packages: {' '.join(packages)}", file=sys.stderr, flush=True)
    quiet = ["-q", "-o", "Dpkg::Use-Pty=0"]
    # Their progress would flood the log; errors still go to stderr.
    if subprocess.run([*prefix, "apt-get", "update", *quiet],
                      stdout=subprocess.DEVNULL).returncode != 0:
        return False
    install = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", *quiet, *packages]
    return subprocess.run(install, stdout=subprocess.DEVNULL).returncode == 0


def install_line(packages: list[str]) -> str:
    sudo = "" if os.geteuid() == 0 else "sudo "
    return (f"{sudo}apt-get update && {sudo}apt-get install -y --no-install-recommends "
            + " ".join(packages))


def main(argv: list[str]) -> int:
    with_tests = "--tests" in argv
    todo = [package.name for package in missing(with_tests)]
    if not todo:
        return 0
    if apt_install(todo, sudo=with_tests) and not missing(with_tests):
        return 0
    left = missing(with_tests)
    print("error: missing system packages the publishing pipeline needs:", file=sys.stderr)
    for package in left:
        print(f"  - {package.name} ({package.why})", file=sys.stderr)
    print("install them with:\n  " + install_line([package.name for package in left]),
          file=sys.stderr)
    if shutil.which("apt-get") is None:
        print("(not Debian? install the same things with your system's packages; WeasyPrint's"
              " installation notes list them for Pango 1.44 or newer)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
