"""Check the system libraries WeasyPrint needs, and install them on Debian when we can.

Runs *before* the virtual environment exists (``python3 -m guidepress.sysdeps``), so it
uses the standard library only.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys

# (shared library name for ctypes, Debian package, why we need it)
LIBRARIES: list[tuple[str, str, str]] = [
    ("pango-1.0", "libpango-1.0-0", "text layout for the PDFs"),
    ("pangoft2-1.0", "libpangoft2-1.0-0", "font loading for the PDFs"),
    ("fontconfig", "libfontconfig1", "font lookup"),
    ("harfbuzz-subset", "libharfbuzz-subset0", "fast font subsetting (smaller PDFs)"),
]

# Extra Debian packages that only the test suite needs, with the command that proves them.
TEST_PACKAGES: list[tuple[str, str]] = [
    ("pdftotext", "poppler-utils"),
    ("java", "default-jre-headless"),
    ("zbarimg", "zbar-tools"),
    ("chromium", "chromium"),
    ("npm", "npm"),
]


def missing_libraries() -> list[tuple[str, str, str]]:
    return [lib for lib in LIBRARIES if ctypes.util.find_library(lib[0]) is None]


def missing_commands(pairs: list[tuple[str, str]]) -> list[str]:
    return [package for command, package in pairs if shutil.which(command) is None]


def apt_install(packages: list[str]) -> bool:
    """Install Debian packages when we are root on a Debian-like system."""
    if not packages:
        return True
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"installing Debian packages: {' '.join(packages)}", flush=True)
    quiet = ["-q", "-o", "Dpkg::Use-Pty=0"]
    update = subprocess.run(["apt-get", "update", *quiet], env=env, stdout=subprocess.DEVNULL)
    if update.returncode != 0:
        return False
    install = ["apt-get", "install", "-y", "--no-install-recommends", *quiet, *packages]
    return subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode == 0


def main(argv: list[str]) -> int:
    with_tests = "--tests" in argv
    packages = [package for _, package, _ in missing_libraries()]
    if with_tests:
        packages += missing_commands(TEST_PACKAGES)
    if not packages:
        return 0
    if apt_install(packages) and not missing_libraries():
        return 0
    print("error: missing system packages the publishing pipeline needs:", file=sys.stderr)
    for lib, package, why in missing_libraries():
        print(f"  - {package} (lib{lib}: {why})", file=sys.stderr)
    for package in missing_commands(TEST_PACKAGES) if with_tests else []:
        print(f"  - {package} (needed by the tests)", file=sys.stderr)
    print(
        "install them with: sudo apt-get install " + " ".join(packages)
        + "\n(on other systems, see WeasyPrint's installation notes for Pango 1.44 or newer)",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
