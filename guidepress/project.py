"""Where a project's files are: its root, manuscripts, styles, settings, output and cache.

A project is a folder holding ``manuscript/`` (the guides) and, optionally, ``styles/``
(the clinic's brand, templates and CSS) and a ``pyproject.toml`` with ``[tool.publish]``
settings. It is found once, from the current folder upward or from ``--project``, and the
resulting ``Project`` is passed down: nothing below the command line guesses paths.
Without a ``styles/`` folder, the styles shipped with the program are used.

Standard library only: the no-op check reads this before anything heavy is imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PublishError

PACKAGE = Path(__file__).resolve().parent
MANUSCRIPTS = "manuscript"
SETTINGS = "pyproject.toml"
BUILDS = "builds"  # in the user's cache: one folder per output folder
TARGET = "output-folder.txt"  # in each: the output folder it is for
SOURCES = "sources.json"  # in each: the manuscripts of the guides the output folder holds


def shipped_styles() -> Path:
    """The styles that come with the program: inside the package when installed from a
    wheel (package data), else the checkout's top-level styles/ folder."""
    inside = PACKAGE / "styles"
    return inside if (inside / "brand.yaml").is_file() else PACKAGE.parent / "styles"


DEFAULT_STYLES = shipped_styles()  # for callers of the library that want the shipped brand


def user_cache() -> Path:
    """The user's own cache folder (``$XDG_CACHE_HOME/guidepress`` or ~/.cache/guidepress),
    made readable and writable by this user only."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "guidepress"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder
    except OSError:  # no writable home (some CI machines): a private temporary folder
        folder = Path(tempfile.gettempdir()) / f"guidepress-{os.getuid()}"
        folder.mkdir(exist_ok=True, mode=0o700)
        if folder.stat().st_uid != os.getuid() or folder.is_symlink():
            raise PublishError(folder, 0, "the cache folder belongs to another user",
                               "set XDG_CACHE_HOME to a folder of your own") from None
        return folder


def build_cache(out: Path) -> Path:
    """The private folder that holds one output folder's task cache, no-op stamp and
    lock. It is never inside the output folder or beside it, so nothing in it is
    uploaded and no other user of the machine can plant entries in it."""
    name = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:20]
    folder = user_cache() / BUILDS / name
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    target = folder / TARGET
    if not target.is_file():
        target.write_text(str(out.resolve()), encoding="utf-8")
    return folder


def recorded_sources(folder: Path) -> dict[str, Path]:
    """Each guide's manuscript, by slug, as the last build into an output folder found
    them (``folder`` is that output folder's ``build_cache``)."""
    try:
        data = json.loads((folder / SOURCES).read_text(encoding="utf-8"))
        return {str(slug): Path(path) for slug, path in data.items() if isinstance(path, str)}
    except (OSError, ValueError, AttributeError):
        return {}


def forget_removed_outputs() -> None:
    """Delete the cache folders of output folders that no longer exist (a temporary
    folder, a renamed site), so the user's cache does not grow without end. A folder
    used in the last hour is left alone: its first build may not have made its output
    folder yet."""
    import shutil
    import time

    for folder in (user_cache() / BUILDS).glob("*"):
        try:
            out = Path((folder / TARGET).read_text(encoding="utf-8"))
            idle = time.time() - folder.stat().st_mtime > 3600
        except (OSError, ValueError):
            continue
        if idle and not out.exists():
            shutil.rmtree(folder, ignore_errors=True)


def is_project(folder: Path) -> bool:
    return (folder / MANUSCRIPTS).is_dir() or "publish" in settings_file(folder).get(
        "tool", {})


def settings_file(folder: Path) -> dict:
    path = folder / SETTINGS
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PublishError(path, 0, f"cannot read the project settings ({exc})",
                           "fix the file, or remove its [tool.publish] section") from None


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that is a project; ``start`` if none."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if is_project(folder):
            return folder
    return start


@dataclass(frozen=True)
class Project:
    root: Path
    styles: Path
    # `[tool.publish]` from the project's pyproject.toml: `check` holds the check limits.
    settings: dict = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def find(cls, project: Path | None = None, styles: Path | None = None,
             start: Path | None = None) -> Project:
        """The project at ``project`` (``--project``), else the one the current folder
        is in; ``styles`` (``--styles``) overrides the project's styles folder."""
        if project is not None and not Path(project).is_dir():
            raise PublishError(Path(project), 0, "project folder not found",
                               "give --project the folder that holds manuscript/")
        root = Path(project).resolve() if project else find_root(start or Path.cwd())
        own = root / "styles"
        chosen = Path(styles) if styles else own if (own / "brand.yaml").is_file() \
            else shipped_styles()
        settings = settings_file(root).get("tool", {}).get("publish", {})
        return cls(root, chosen.resolve(), settings if isinstance(settings, dict) else {})

    def manuscripts(self) -> list[Path]:
        return sorted((self.root / MANUSCRIPTS).glob("*.md"))

    def default_out(self) -> Path:
        return self.root / "dist"

    def default_drafts(self) -> Path:
        """Where translations not yet reviewed are built: in the project, never in or
        beside the output folder, which is uploaded as it is."""
        return self.root / "drafts"

    def check_settings(self) -> dict:
        """`[tool.publish.check]`: the project's limits for `publish check` and builds."""
        values = self.settings.get("check", {})
        return values if isinstance(values, dict) else {}

    def fingerprint(self) -> str:
        """The settings that change what a build makes or reports, for the no-op check."""
        return json.dumps(self.settings, sort_keys=True, default=str)
