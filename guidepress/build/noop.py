"""The no-op rebuild: when nothing a build reads has changed, say so and stop.

This runs before anything heavy is imported (standard library only), so an unchanged
rebuild costs little more than starting Python. A stamp of every input (the manuscripts,
the images in their folders by size and date, styles/, the project's [tool.publish]
settings, this code and the libraries it runs on, the options and the date) is kept in the
output folder's private cache folder with the list of files the build left; if both still
match, the output folder is up to date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import sys
from pathlib import Path

from ..files import atomic_write
from ..project import Project, build_cache, recorded_sources, user_cache

STAMP = "last-build.json"
PACKAGE = Path(__file__).resolve().parents[1]  # guidepress/: all of this program's code


# The files besides the manuscripts that a build reads from a manuscript's folder: its
# images (the suffixes guidepress.read.assets accepts; this module must not import it).
IMAGE_SUFFIXES = frozenset({".svg", ".svgz", ".png", ".jpg", ".jpeg", ".gif", ".webp"})


def files_under(folder: Path, skip: Path, suffixes: frozenset[str] | None = None
                ) -> list[Path]:
    """Regular files under ``folder`` (with one of ``suffixes``, if given), in a stable
    order, leaving out hidden files and folders and the output folder."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__"))
                         and (Path(root) / d).resolve() != skip)
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and (suffixes is None or path.suffix.lower()
                                              in suffixes) and path.is_file():
                found.append(path)
    return found


def stamp(sources: list[Path], out: Path, project: Project, options: object) -> str | None:
    """A hash of everything a build of ``sources`` into ``out`` depends on (the other
    guides the folder holds included); None when some input cannot be read (the build
    then runs, and says what is wrong)."""
    hasher = hashlib.sha256()
    skip = out.resolve()
    styles = project.styles
    sources = [*sources, *other_guides(sources, out)]
    try:
        for path in sorted(s.resolve() for s in sources):
            hasher.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        # Images by size and date, like make: a manuscript's folder may be large.
        for folder in sorted({s.resolve().parent for s in sources}):
            for path in files_under(folder, skip, IMAGE_SUFFIXES):
                info = path.stat()
                hasher.update(f"{path}:{info.st_size}:{info.st_mtime_ns}\0".encode())
            # Translations (manuscript/locale/<language>/*.po) by content, like manuscripts.
            for path in files_under(folder / "locale", skip, frozenset({".po"})):
                hasher.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        for path in files_under(styles.resolve(), skip):
            hasher.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    hasher.update(program_fingerprint().encode())
    hasher.update(project.fingerprint().encode())  # [tool.publish]: the check limits
    hasher.update(repr((sorted(str(s.resolve()) for s in sources), options,
                        os.environ.get("SOURCE_DATE_EPOCH"), dt.date.today())).encode())
    return hasher.hexdigest()


@functools.cache
def program_fingerprint() -> str:
    """This program's code and the versions of the libraries it runs on (WeasyPrint, the
    fonts…): a new version of either may make different files from the same input.
    Other installed packages do not count: installing one must not rebuild everything."""
    hasher = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        info = path.stat()
        hasher.update(f"{path}:{info.st_size}:{info.st_mtime_ns}".encode())
    hasher.update(json.dumps(sorted(libraries().items())).encode())
    return hasher.hexdigest()


def installed() -> dict[str, str]:
    """Every installed distribution's metadata folder, by its path: cheap to list."""
    found = {}
    for entry in sys.path:
        with contextlib.suppress(OSError):
            for name in os.listdir(entry or "."):
                if name.endswith((".dist-info", ".egg-info")):
                    found[os.path.join(entry, name)] = name
    return found


def libraries() -> dict[str, str]:
    """The versions of guidepress's runtime requirements and theirs, by name.

    Reading every package's metadata takes about 0.1 s, as long as the whole no-op
    check, so the answer is kept in the user's cache and worked out again only when the
    set of installed packages changes."""
    listing = hashlib.sha256(json.dumps(sorted(installed())).encode()).hexdigest()
    memo = user_cache() / "libraries.json"
    with contextlib.suppress(OSError, ValueError, AttributeError):
        saved = json.loads(memo.read_text(encoding="utf-8"))
        if saved.get("listing") == listing and isinstance(saved.get("versions"), dict):
            return saved["versions"]
    versions = requirement_closure("guidepress")
    with contextlib.suppress(OSError):
        atomic_write(memo, json.dumps({"listing": listing, "versions": versions}).encode())
    return versions


def requirement_closure(name: str) -> dict[str, str]:
    """``name`` and every distribution it needs at run time, with their versions."""
    import importlib.metadata as metadata
    import re

    versions: dict[str, str] = {}
    todo = [name]
    while todo:
        wanted = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if wanted in versions:
            continue
        try:
            dist = metadata.distribution(wanted)
        except metadata.PackageNotFoundError:
            continue  # an optional requirement for another platform
        versions[wanted] = dist.version or ""
        for requirement in dist.requires or []:
            if "extra ==" not in requirement:  # test tools do not shape the output
                todo.append(re.match(r"[A-Za-z0-9_.-]+", requirement).group())
    return versions


def listed_files(out: Path) -> dict[str, int] | None:
    """Every file the manifest lists, with its size, or None without a manifest."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sizes = {f["path"]: f["bytes"] for g in manifest.get("guides", []) for f in g["files"]}
    for path in manifest.get("site", []):
        sizes[path] = -1  # site files: existence is enough
    sizes["manifest.json"] = (out / "manifest.json").stat().st_size
    return sizes


def other_guides(sources: list[Path], out: Path) -> list[Path]:
    """The manuscripts of the other guides an earlier build put in ``out``: a build
    refreshes them too (see guidepress.build)."""
    known = set(recorded_sources(build_cache(out)).values())
    given = {source.resolve() for source in sources}
    return sorted(path for path in known - given if path.is_file())


def up_to_date(out: Path, key: str, drafts: Path | None = None) -> list[str] | None:
    """The warnings of the last build when nothing changed since; None otherwise. The
    drafts folder, when there is one, must hold what the last build left there too."""
    try:
        last = json.loads((build_cache(out) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if last.get("key") != key or last.get("files") != listed_files(out):
        return None
    folders = [(out, last["files"])]
    if drafts is not None:
        if last.get("drafts") != listed_files(drafts):
            return None
        folders.append((drafts, last.get("drafts") or {}))
    for folder, files in folders:
        for path, size in files.items():
            target = folder / path
            if not target.is_file() or (size >= 0 and target.stat().st_size != size):
                return None
    return list(last.get("warnings", []))


def record(out: Path, key: str, warnings: list[str], drafts: Path | None = None) -> None:
    data = {"key": key, "files": listed_files(out), "warnings": warnings,
            "drafts": listed_files(drafts) if drafts is not None else None}
    atomic_write(build_cache(out) / STAMP, json.dumps(data).encode("utf-8"))
