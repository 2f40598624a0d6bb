"""The build: read every guide, run the writers, put the files in place, write the manifest.

Writers hand back bytes and nothing is written until every manuscript has been read and
every output made, so a failed build never leaves a half-written file in the output
folder. Files are moved into place with an atomic rename; ``manifest.json`` is written
last. With several jobs, the worker processes load WeasyPrint while the guides are read
and checked here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .brand import load_brand
from .errors import Diagnostic, PublishError
from .fastpath import cache_folder
from .files import atomic_write, stage
from .jobs import Cache, Progress, Runner, plan, plan_site
from .model import Guide
from .reader import read_guide
from .site import build_site
from .writers import (
    DEFAULT_OUTPUTS,
    KIND_ORDER,
    REGISTRY,
    BuildContext,
    OutputFile,
)

DEFAULT_STYLES = Path(__file__).resolve().parent.parent / "styles"
MANIFEST = "manifest.json"
EPOCH_FLOOR = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest date a zip can hold


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


def build_timestamp(guide: Guide) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible-builds.org), else the guide's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return max(dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC), EPOCH_FLOOR)
    if guide.meta.date:
        return dt.datetime.combine(guide.meta.date, dt.time(), tzinfo=dt.UTC)
    return EPOCH_FLOOR


def read_guides(sources: Iterable[Path]) -> Iterator[tuple[Guide, list[Diagnostic]]]:
    """Each guide with the reader's warnings, one at a time, so its tasks can start
    while the next one is read. Nothing is written before every guide has been read."""
    slugs: dict[str, Path] = {}
    for source in sources:
        guide, found = read_guide(source)
        if guide.slug in slugs:
            raise PublishError(source, 0, f"two guides would both be written to '{guide.slug}/'",
                               f"rename one of {slugs[guide.slug].name} and {source.name}")
        slugs[guide.slug] = source
        yield guide, found


def quality_warnings(read: list[tuple[Guide, list[Diagnostic]]], brand) -> list[Diagnostic]:
    """Run `publish check`'s rules on the guides just read. In a build their findings are
    warnings: structural errors have already stopped it in the reader."""
    from .checks import brand_findings, make_context, project_limits, run_rules

    context = make_context(brand, dt.date.today(), limits=project_limits(Path.cwd()))
    found = brand_findings(brand)
    for guide, warnings in read:
        found += run_rules(guide, warnings, context)
    return [replace(f, severity="warning") for f in found]


def build(
    sources: Iterable[Path | str],
    out: Path | str = "dist",
    *,
    styles: Path | str = DEFAULT_STYLES,
    only: Iterable[str] | None = None,
    jobs: int = 1,
    cache: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    """Build every output of every guide into ``out``. Raises PublishError on bad input.

    ``jobs`` > 1 runs the writers in that many worker processes; ``cache`` reuses results
    of earlier builds into the same folder whose inputs have not changed.
    """
    out = Path(out)
    writers = list(only) if only else list(DEFAULT_OUTPUTS)
    unknown = [name for name in writers if name not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown output {unknown[0]!r}; choose from {', '.join(REGISTRY)}")
    store = Cache(cache_folder(out) if cache else None)
    runner = Runner(jobs, store, progress)  # the worker server starts importing WeasyPrint
    try:
        brand = load_brand(Path(styles).resolve())
        with tempfile.TemporaryDirectory(prefix="publish-") as scratch:
            read, tasks = [], plan_site(brand)
            for guide, found in read_guides(Path(s) for s in sources):
                context = BuildContext(brand, __version__, build_timestamp(guide))
                tasks += plan(guide, context, writers, Path(scratch))
                read.append((guide, found))
            guides = [guide for guide, _ in read]
            runner.add(tasks)  # they start now if the workers are ready, else in results()
            warnings = quality_warnings(read, brand)  # meanwhile, this process's own work
            results = runner.results()
    finally:
        runner.close()
    builds = []
    for guide in guides:
        job = GuideBuild(guide, outputs=writers)
        for task in tasks:
            if task.slug == guide.slug:
                job.files += results[task.name].files
                warnings += results[task.name].warnings
        job.files.sort(key=lambda f: (KIND_ORDER.index(f.kind), f.edition or ""))
        builds.append(job)
    with output_lock(out):
        previous = previous_manifest(out)
        manifest = merge(out, previous, builds)
        outputs = [file for job in builds for file in job.files]
        favicon = results["site: favicon"].files[0].data
        site = build_site(out, brand, manifest, guides, outputs, favicon)
        install(out, outputs + site)
        prune(out, previous, manifest)
        write_manifest(out, manifest)  # last: the manifest only lists files in place
    store.prune({guide.slug for guide in guides})
    cached = {f.path for r in results.values() if r.cached for f in r.files if f.kind != "site"}
    return BuildResult(out, builds, warnings, manifest, cached)


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
    for temp, target in staged:
        os.replace(temp, target)


def unchanged(target: Path, data: bytes) -> bool:
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """One build at a time per output folder. The lock file sits beside the folder, so
    the folder itself holds only what gets uploaded."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f".{out.name}.publish-lock"
    with open(lock_path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(out, 0, "another build is writing to this folder right now",
                               "wait for it to finish, then build again") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


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
    """What an earlier build wrote: guides by slug, and the site's files."""
    try:
        old = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        guides = {g["slug"]: g for g in old["guides"] if isinstance(g.get("files"), list)}
        site = [p for p in old.get("site", []) if isinstance(p, str)]
        return {"guides": guides, "site": site}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {"guides": {}, "site": []}


def still_there(out: Path, entry: dict) -> bool:
    path = out / entry.get("path", "")
    return path.is_file() and path.stat().st_size == entry.get("bytes")


def merge(out: Path, previous: dict, builds: list[GuideBuild]) -> dict:
    """The new manifest: this build's guides plus earlier guides whose files are intact.

    A partial build (``only``) keeps the guide's other files from the earlier entry.
    """
    guides = {slug: g for slug, g in previous["guides"].items()
              if all(still_there(out, f) for f in g["files"])}
    for job in builds:
        entry = guide_entry(job)
        old = guides.get(job.guide.slug, {"files": []})
        entry["files"] += [f for f in old["files"] if output_of(f) not in job.outputs]
        # A stable sort: handouts keep the order of the front matter.
        entry["files"].sort(key=lambda f: (KIND_ORDER.index(f["kind"]), f.get("edition", "")))
        guides[job.guide.slug] = entry
    return {
        "generator": f"publish {__version__}",
        "guides": [guides[slug] for slug in sorted(guides)],
        "site": previous["site"],  # replaced by build_site with this build's pages
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
    listed = [f.get("path", "") for g in previous["guides"].values() for f in g["files"]]
    for path in [*listed, *previous["site"]]:
        target = (out / path).resolve()
        if path not in kept and target.is_relative_to(out.resolve()) and target.is_file():
            target.unlink()


def write_manifest(out: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    atomic_write(out / MANIFEST, text.encode("utf-8"))
