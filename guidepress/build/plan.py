"""Planning: which tasks make a guide's outputs, and which files the folder may keep.

A build makes what it was asked for; every other file already in the output folder
(another edition, another guide) stays only if the cache proves it is what its
manuscript makes today, and is otherwise removed, with a warning saying how to make it
again. Tasks are listed longest first: the print book is the critical path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic
from ..model import Guide
from ..writers import REGISTRY, BuildContext
from .cache import Cache
from .keys import Digests, digest, site_digest
from .manifest import output_of
from .tasks import Task

# The option that makes an output, if not --only NAME.
HOW_TO_MAKE = {"press": "--press", "large-print": "--large-print"}
PLANNED = ("epub", "pdf", "handouts")  # the outputs plan() makes tasks of its own for


@dataclass
class GuidePlan:
    """One guide's tasks: those that make its files, and every task a later build of the
    guide as it is now could use (the cache keeps those)."""

    tasks: list[Task]
    live: list[Task]
    removed: list[Diagnostic]


def plan(guide: Guide, context: BuildContext, outputs: list[str], scratch: Path,
         digests: Digests | None = None) -> list[Task]:
    """The tasks for one guide, longest first (the book is the critical path)."""
    digests = digests or Digests(guide, context)
    base, whole = digests.base, digests.whole
    slug = guide.folder  # "muscle-spasms", or "muscle-spasms/es" for a translation
    tasks = []
    if "pdf" in outputs or "epub" in outputs:
        want_pdf = "pdf" in outputs
        key = digest("book", base, whole, want_pdf)
        pages_file = str(scratch / f"{slug.replace('/', '-')}-{key}.pages")
        tasks.append(Task(f"{slug}: print book", slug, "book", key,
                          (guide, context, want_pdf, pages_file),
                          output="pdf" if want_pdf else None))
    if "epub" in outputs:
        # The cover shows only the title and the brand, so most edits leave it cached.
        tasks.append(Task(f"{slug}: cover", slug, "cover", digests.cover,
                          (guide, context.brand)))
        tasks.append(Task(f"{slug}: ebook", slug, "epub", digest("epub", base, whole),
                          (guide, context), needs=("pages", "cover"), output="epub"))
    if "handouts" in outputs:
        for spec in guide.meta.handouts:
            tasks.append(Task(f"{slug}: handout {spec.id}", slug, "handout",
                              digests.handout(spec),
                              (guide, spec, context), output="handouts"))
    for name in outputs:  # every other writer: one task, keyed by the whole guide
        if name not in PLANNED:
            label = REGISTRY[name].label or name
            tasks.append(Task(f"{slug}: {label}", slug, "write", digest(name, base, whole),
                              (name, guide, context), output=name))
    return tasks


def plan_site(brand) -> list[Task]:
    """Site assets that need WeasyPrint, made by a worker so the parent never imports it:
    the logo drawn on the brand's background, which the favicon and the apple-touch-icon
    are made of (writers.site.icons), so the background is part of its key."""
    key = digest("icons", site_digest(brand), brand.data.colors.background)
    return [Task("site: favicon", "_site", "favicon", key, (brand,))]


def plan_guide(guide: Guide, context: BuildContext, asked: list[str], previous: dict,
               store: Cache, scratch: Path) -> GuidePlan:
    """The guide's tasks: the outputs asked for, and the outputs the folder already holds
    that the cache proves current. Those that are not are left out and reported."""
    asked, picked = chosen_handouts(asked)
    entry = previous["guides"].get(guide.folder, {"files": []})
    had = {output_of(f) for f in entry["files"]}
    kept = [name for name in REGISTRY if name in had and name not in asked]
    digests = Digests(guide, context)  # three plans below, one set of hashes
    tasks = plan(guide, context, [*asked, *kept], scratch, digests)
    for task in tasks:
        # `--only handouts:ID`: the other handouts are kept while current, like outputs
        # not asked for (and simply not made when the folder never had them).
        task.kept = task.output in kept or (
            picked is not None and task.kind == "handout" and task.args[1].id not in picked)
    # The book layout may be kept for the PDF and needed by an ebook asked for: made
    # again, not dropped as stale (the ebook would wait for a layout nobody makes).
    needed = {"book"} if any(t.kind == "epub" and not t.kept for t in tasks) else set()
    stale = [t for t in tasks if t.kept and t.kind not in needed and store.load(t) is None]
    tasks = [t for t in tasks if t not in stale]
    epub = next((t for t in tasks if t.kind == "epub"), None)
    if epub is None or store.load(epub) is not None:
        # The ebook's cover and page starts are needed only to make the ebook.
        tasks = [t for t in tasks if t.kind != "cover" and (t.kind != "book" or t.output)]
    everything = plan(guide, context, list(REGISTRY), scratch, digests) + plan(
        guide, context, ["epub"], scratch, digests)  # the layout an ebook-only build makes
    removed = [stale_warning(guide, task, entry) for task in stale]
    return GuidePlan(tasks, everything + tasks, [w for w in removed if w])


def chosen_handouts(asked: list[str]) -> tuple[list[str], set[str] | None]:
    """``["epub", "handouts:treatment"]`` → (["epub", "handouts"], {"treatment"}); the
    set is None when every handout is asked for (plain ``handouts``, or none at all)."""
    picked = {name.split(":", 1)[1] for name in asked if name.startswith("handouts:")}
    plain = [name for name in asked if not name.startswith("handouts:")]
    if not picked or "handouts" in plain:
        return plain, None
    return [*plain, "handouts"], picked


def stale_warning(guide: Guide, task: Task, entry: dict) -> Diagnostic | None:
    """Say which file an out-of-date output was, now that it is removed."""
    paths = [f["path"] for f in entry["files"] if output_of(f) == task.output
             and (task.kind != "handout" or f.get("id") == task.args[1].id)]
    if not paths:
        return None
    return Diagnostic(guide.source, 0, f"removed {', '.join(paths)}, made from an earlier "
                      f"version of this guide; build with {how_to_make(task.output)} to make "
                      "it again", severity="warning")


def how_to_make(output: str | None) -> str:
    return HOW_TO_MAKE.get(output or "", f"--only {output}")
