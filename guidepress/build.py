"""The build: read every guide, run the writers, put the files in place, write the manifest.

Writers hand back bytes and nothing is written until every manuscript has been read and
every output made, so a failed build never leaves a half-written file in the output
folder. Files are moved into place with an atomic rename; ``manifest.json`` is written
last. With several jobs, the worker processes load WeasyPrint while the guides are read
and checked here.

What the output folder holds is always what the manuscripts make now. A build makes what
it was asked for; every other file already in the folder (another edition, another
guide) stays only if the cache proves it is what its manuscript makes today, and is
otherwise removed, with a warning saying how to make it again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .brand import Brand, load_brand
from .cache import Cache
from .errors import Diagnostic, PublishError
from .files import atomic_write, stage
from .glyphs import brand_font_set
from .jobs import Digests, Progress, Runner, Task, plan, plan_site
from .model import Guide
from .project import (
    SOURCES,
    Project,
    build_cache,
    forget_removed_outputs,
    recorded_sources,
    shipped_styles,
)
from .reader import read_guide, slug_for
from .site import build_site
from .writers import (
    DEFAULT_OUTPUTS,
    KIND_ORDER,
    REGISTRY,
    BuildContext,
    OutputFile,
)

DEFAULT_STYLES = shipped_styles()
MANIFEST = "manifest.json"
EPOCH_FLOOR = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest date a zip can hold
HOW_TO_MAKE = {"epub": "--only epub", "pdf": "--only pdf", "handouts": "--only handouts",
               "press": "--press"}


@dataclass
class GuideBuild:
    guide: Guide
    outputs: list[str]  # the writers this build runs for the guide (REGISTRY names)
    files: list[OutputFile] = field(default_factory=list)


@dataclass
class BuildResult:
    out: Path
    guides: list[GuideBuild]
    warnings: list[Diagnostic]
    manifest: dict
    cached: set[str] = field(default_factory=set)  # paths reused from an earlier build


@dataclass
class GuidePlan:
    """One guide's tasks: those that make its files, and every task a later build of the
    guide as it is now could use (the cache keeps those)."""

    tasks: list[Task]
    live: list[Task]
    removed: list[Diagnostic]


def build_timestamp(guide: Guide) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible-builds.org), else the guide's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return max(dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC), EPOCH_FLOOR)
    if guide.meta.date:
        return dt.datetime.combine(guide.meta.date, dt.time(), tzinfo=dt.UTC)
    return EPOCH_FLOOR


def read_guides(sources: Iterable[tuple[Path, bool]], brand: Brand
                ) -> Iterator[tuple[Guide, list[Diagnostic], bool]]:
    """Each guide with the reader's warnings, one at a time, so its tasks can start
    while the next one is read. Nothing is written before every guide has been read.
    Every character is checked against the fonts of this build's brand."""
    slugs: dict[str, Path] = {}
    fonts = brand_font_set(brand)
    for source, asked in sources:
        guide, found = read_guide(source, fonts)
        if guide.slug in slugs:
            first = slugs[guide.slug]
            raise PublishError(source, 0, f"two guides would both be written to '{guide.slug}/'",
                               f"rename one of {first} and {source}")
        slugs[guide.slug] = source
        yield guide, found, asked


def quality_warnings(read: list[tuple[Guide, list[Diagnostic]]], brand, project: Project
                     ) -> list[Diagnostic]:
    """Run `publish check`'s rules on the guides just read. In a build their findings are
    warnings: structural errors have already stopped it in the reader."""
    from .checks import brand_findings, make_context, project_limits, run_rules

    context = make_context(brand, dt.date.today(), limits=project_limits(project))
    found = brand_findings(brand)
    for guide, warnings in read:
        found += run_rules(guide, warnings, context)
    return [replace(f, severity="warning") for f in found]


def build(
    sources: Iterable[Path | str],
    out: Path | str | None = None,
    *,
    styles: Path | str | None = None,
    project: Project | None = None,
    only: Iterable[str] | None = None,
    jobs: int = 1,
    cache: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    """Build every output of every guide into ``out``. Raises PublishError on bad input.

    ``project`` says where settings and styles are (default: the project the current
    folder is in; ``styles`` overrides its styles folder). ``jobs`` > 1 runs the writers
    in that many worker processes; ``cache`` reuses results of earlier builds whose
    inputs have not changed. ``out`` defaults to the project's dist/ folder.
    """
    project = project or Project.find(styles=Path(styles) if styles else None)
    out = Path(out) if out is not None else project.default_out()
    writers = list(only) if only else list(DEFAULT_OUTPUTS)
    unknown = [name for name in writers if name not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown output {unknown[0]!r}; choose from {', '.join(REGISTRY)}")
    folder = build_cache(out)
    with output_lock(folder, out), scratch_folder(folder) as scratch:
        clear_interrupted(out)
        return run_build([Path(s) for s in sources], out, project, writers,
                         Cache(folder, reuse=cache), jobs, progress, scratch)


@contextlib.contextmanager
def scratch_folder(folder: Path) -> Iterator[Path]:
    """A private folder for this build's temporary files (the workers' too), removed
    however the build ends. It sits in the output folder's cache folder, so one left by
    a build that was killed is removed by the next build, which holds the lock."""
    for stale in folder.glob("scratch-*"):
        shutil.rmtree(stale, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=folder))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def clear_interrupted(out: Path) -> None:
    """Remove the staged files (``.<name>.*.part``) a killed build left in the output
    folder; only this program makes such names, and the lock says no build is running."""
    if out.is_dir():
        for part in out.rglob(".*.part"):
            if part.is_file() and not part.is_symlink():
                part.unlink(missing_ok=True)


def run_build(sources: list[Path], out: Path, project: Project, writers: list[str],
              store: Cache, jobs: int, progress: Progress | None, scratch: Path
              ) -> BuildResult:
    previous = previous_manifest(out)
    runner = Runner(jobs, store, progress, scratch)  # the worker server starts importing
    try:
        brand = load_brand(project.styles)
        wanted, removed = guide_sources(sources, store.folder, previous)
        read, tasks, live = [], plan_site(brand), plan_site(brand)
        for guide, found, asked in read_guides(wanted, brand):
            context = BuildContext(brand, __version__, build_timestamp(guide))
            mine = plan_guide(guide, context, writers if asked else [], previous, store,
                              scratch)
            tasks += mine.tasks
            live += mine.live
            removed += mine.removed
            read.append((guide, found, asked))
        guides = [guide for guide, _, _ in read]
        runner.add(tasks)  # they start now if the workers are ready, else in results()
        # Meanwhile, this process's own work: `publish check`'s rules on the guides asked for.
        warnings = quality_warnings([(g, f) for g, f, asked in read if asked], brand, project)
        results = runner.results()
    finally:
        runner.close()
    builds = []
    for guide, _, asked in read:
        job = GuideBuild(guide, outputs=writers if asked else [])
        for task in tasks:
            if task.slug == guide.slug:
                job.files += results[task.name].files
                warnings += results[task.name].warnings
        job.files.sort(key=lambda f: (KIND_ORDER.index(f.kind), f.edition or ""))
        if job.files or asked:  # a guide not asked for whose files were all stale is gone
            builds.append(job)
    guides = [job.guide for job in builds]
    manifest = new_manifest(builds)
    outputs = [file for job in builds for file in job.files]
    favicon = results["site: favicon"].files[0].data
    site = build_site(brand, manifest, guides, outputs, favicon)
    install(out, outputs + site)
    prune(out, previous, manifest)
    write_manifest(out, manifest)  # last: the manifest only lists files in place
    record_sources(store.folder, guides)
    store.prune(live)
    forget_removed_outputs()
    cached = {f.path for r in results.values() if r.cached for f in r.files if f.kind != "site"}
    return BuildResult(out, builds, warnings + removed, manifest, cached)


def guide_sources(sources: list[Path], folder: Path, previous: dict
                  ) -> tuple[list[tuple[Path, bool]], list[Diagnostic]]:
    """The manuscripts to read: those asked for, then the other guides the output folder
    holds whose manuscripts are still where an earlier build found them (their files
    stay only if still current). A guide whose manuscript is gone is removed."""
    asked = {slug_for(source) for source in sources}
    known = recorded_sources(folder)
    wanted = [(source, True) for source in sources]
    removed = []
    for slug in sorted(set(previous["guides"]) - asked):
        source = known.get(slug)
        if source is not None and source.is_file():
            wanted.append((source, False))
        else:
            where = source or Path(MANIFEST)
            removed.append(Diagnostic(where, 0, f"removed the guide '{slug}' from the output "
                                      "folder: its manuscript is not where it was; build it "
                                      "again by naming its manuscript", severity="warning"))
    return wanted, removed


def record_sources(folder: Path, guides: list[Guide]) -> None:
    data = {guide.slug: str(guide.source) for guide in guides}
    atomic_write(folder / SOURCES, json.dumps(data, indent=1, sort_keys=True).encode())


def plan_guide(guide: Guide, context: BuildContext, asked: list[str], previous: dict,
               store: Cache, scratch: Path) -> GuidePlan:
    """The guide's tasks: the outputs asked for, and the outputs the folder already holds
    that the cache proves current. Those that are not are left out and reported."""
    entry = previous["guides"].get(guide.slug, {"files": []})
    had = {output_of(f) for f in entry["files"]}
    kept = [name for name in REGISTRY if name in had and name not in asked]
    digests = Digests(guide, context)  # three plans below, one set of hashes
    tasks = plan(guide, context, [*asked, *kept], scratch, digests)
    for task in tasks:
        task.kept = task.output in kept
    stale = [t for t in tasks if t.kept and store.load(t) is None]
    tasks = [t for t in tasks if t not in stale]
    epub = next((t for t in tasks if t.kind == "epub"), None)
    if epub is None or store.load(epub) is not None:
        # The ebook's cover and page starts are needed only to make the ebook.
        tasks = [t for t in tasks if t.kind != "cover" and (t.kind != "book" or t.output)]
    everything = plan(guide, context, list(REGISTRY), scratch, digests) + plan(
        guide, context, ["epub"], scratch, digests)  # the layout an ebook-only build makes
    removed = [stale_warning(guide, task, entry) for task in stale]
    return GuidePlan(tasks, everything + tasks, [w for w in removed if w])


def stale_warning(guide: Guide, task: Task, entry: dict) -> Diagnostic | None:
    """Say which file an out-of-date output was, now that it is removed."""
    paths = [f["path"] for f in entry["files"] if output_of(f) == task.output
             and (task.kind != "handout" or f.get("id") == task.args[1].id)]
    if not paths:
        return None
    return Diagnostic(guide.source, 0, f"removed {', '.join(paths)}, made from an earlier "
                      f"version of this guide; build with {HOW_TO_MAKE[task.output]} to make "
                      "it again", severity="warning")


def install(out: Path, files: list[OutputFile]) -> None:
    """Stage every file first; only when all are written, rename them into place.

    A full disk or a permission problem while staging leaves the old files untouched."""
    staged: list[tuple[Path, Path]] = []
    try:
        for file in files:
            target = out / file.path
            if unchanged(target, file.data):
                continue  # same bytes: leave the file (and its date) alone
            staged.append((stage(target, file.data), target))
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    if staged:
        # While files are being swapped the old manifest would describe some of them
        # wrongly: take it away first. A folder without manifest.json is incomplete (an
        # interrupted build); the next build puts it right.
        (out / MANIFEST).unlink(missing_ok=True)
    for temp, target in staged:
        os.replace(temp, target)


def unchanged(target: Path, data: bytes) -> bool:
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


@contextlib.contextmanager
def output_lock(folder: Path, out: Path) -> Iterator[None]:
    """One build at a time per output folder, for the whole build. The lock file is in
    the folder's private cache folder, so the output folder holds only what is uploaded."""
    from filelock import FileLock, Timeout

    lock = FileLock(folder / "lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise PublishError(out, 0, "another build is writing to this folder right now",
                           "wait for it to finish, then build again") from None
    try:
        yield
    finally:
        lock.release()


def file_entry(file: OutputFile) -> dict:
    entry: dict = {"kind": file.kind}
    if file.id is not None:
        entry["id"] = file.id
    if file.edition is not None:
        entry["edition"] = file.edition
    entry |= {
        "title": file.title,
        "path": file.path,
        "bytes": len(file.data),
        "sha256": file.sha256,
    }
    if file.pages is not None:
        entry["pages"] = file.pages
    return entry


def guide_entry(job: GuideBuild) -> dict:
    meta = job.guide.meta
    return {
        "slug": job.guide.slug,
        "title": meta.title,
        "language": meta.language,
        "subtitle": meta.subtitle or None,
        "description": meta.description or None,
        "date": meta.date.isoformat() if meta.date else None,
        "reviewed": meta.reviewed.isoformat() if meta.reviewed else None,
        "url": meta.url or None,
        "files": [file_entry(f) for f in job.files],
    }


def previous_manifest(out: Path) -> dict:
    """What an earlier build listed: the files of each guide, by slug, and the site's.

    The output folder is uploaded and may have been edited by anyone, so its manifest is
    untrusted: only well-formed entries whose paths stay inside the folder are kept, and
    it is only used to know which files to remove and which outputs a guide had."""
    try:
        old = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        guides = {g["slug"]: [f for f in g["files"] if inside(out, f.get("path"))]
                  for g in old["guides"] if isinstance(g.get("files"), list)
                  and isinstance(g.get("slug"), str)}
        site = [p for p in old.get("site", []) if inside(out, p)]
        return {"guides": {slug: {"files": files} for slug, files in guides.items()},
                "site": site}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {"guides": {}, "site": []}


def inside(out: Path, path: object) -> bool:
    """Whether ``path`` is a relative path naming a file inside ``out``."""
    if not isinstance(path, str) or not path or "\0" in path or Path(path).is_absolute():
        return False
    return (out / path).resolve().is_relative_to(out.resolve())


def new_manifest(builds: list[GuideBuild]) -> dict:
    """The manifest of this build's guides (every guide the folder now holds)."""
    return {
        "generator": f"publish {__version__}",
        "guides": [guide_entry(job) for job in sorted(builds, key=lambda j: j.guide.slug)],
        "site": [],  # filled in by build_site with this build's pages
    }


def output_of(entry: dict) -> str:
    """Which writer made a manifest file entry (the name --only uses)."""
    if entry.get("kind") == "pdf" and entry.get("edition") == "press":
        return "press"
    return {"handout": "handouts"}.get(entry.get("kind", ""), entry.get("kind", ""))


def prune(out: Path, previous: dict, manifest: dict) -> None:
    """Delete files an earlier build listed that this build no longer makes (a removed
    handout, an old thumbnail), so the folder can be uploaded as it is. Only files the
    manifest listed are touched."""
    kept = {f["path"] for g in manifest["guides"] for f in g["files"]} | set(manifest["site"])
    listed = [f["path"] for g in previous["guides"].values() for f in g["files"]]
    for path in [*listed, *previous["site"]]:
        target = out / path
        if path not in kept and inside(out, path) and target.is_file() \
                and not target.is_symlink():
            target.unlink()


def write_manifest(out: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    atomic_write(out / MANIFEST, text.encode("utf-8"))
