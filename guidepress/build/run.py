"""The build's life cycle: read every guide, plan and run its tasks, install the files,
write the manifest.

What the output folder holds is always what the manuscripts make now (see ``plan``), and
a failed build leaves it as it was (see ``output``). With several jobs, the worker
processes load WeasyPrint while the guides are read and checked here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import __version__
from ..errors import Diagnostic, PublishError
from ..files import atomic_write
from ..model import Guide
from ..project import SOURCES, Project, build_cache, forget_removed_outputs, recorded_sources
from ..read.brand import Brand, load_brand
from ..read.catalog import REVIEWED_BY, REVIEWED_DATE, read_translation, relocated, translations_of
from ..read.glyphs import brand_font_set
from ..read.guide import read_guide, slug_for
from ..writers import DEFAULT_OUTPUTS, REGISTRY, BuildContext, build_timestamp, kind_rank
from ..writers.site import build_site
from .cache import Cache
from .manifest import MANIFEST, GuideBuild, new_manifest, previous_manifest, write_manifest
from .output import clear_interrupted, install, output_lock, prune, scratch_folder
from .plan import plan_guide, plan_site
from .runner import Progress, Runner


@dataclass
class BuildResult:
    out: Path
    guides: list[GuideBuild]
    warnings: list[Diagnostic]
    manifest: dict
    cached: set[str] = field(default_factory=set)  # paths reused from an earlier build
    drafts: BuildResult | None = None  # the draft translations' build, in its own folder


def read_guides(sources: Iterable[tuple[Path, bool]], brand: Brand, drafts: bool = False,
                previous: Iterable[str] = ()
                ) -> Iterator[tuple[Guide, list[Diagnostic], bool]]:
    """Each guide with the reader's warnings, one at a time, so its tasks can start
    while the next one is read. Nothing is written before every guide has been read.
    Every character is checked against the fonts of this build's brand.

    Each manuscript comes with its translations (manuscript/locale/*/<slug>.po): the
    reviewed ones, or with ``drafts`` the draft ones alone (and not the manuscript)."""
    slugs: dict[str, Path] = {}
    fonts = brand_font_set(brand)
    for source, asked in sources:
        guide, found = read_guide(source, fonts)
        if guide.slug in slugs:
            first = slugs[guide.slug]
            raise PublishError(source, 0, f"two guides would both be written to '{guide.slug}/'",
                               f"rename one of {first} and {source}")
        slugs[guide.slug] = source
        translated = [read_translation(guide, po, fonts) for po in translations_of(source)]
        if not drafts:
            # A draft's own warning comes from `publish check`'s translation rule.
            found += [draft_notice(t) for t, _ in translated if t.draft and t.folder in previous]
            yield guide, found, asked
        for other, more in translated:
            if other.draft == drafts:
                yield other, more, asked


def draft_notice(guide: Guide) -> Diagnostic:
    """A translation that was published and is a draft again: its files are removed."""
    from ..read.catalog import cut, status

    state = guide.translation
    why = status(cut(guide.source), state.catalog).why_draft
    return Diagnostic(state.catalog, 0, f"removed {guide.folder}/ from the output folder: the "
                      f"'{state.language}' translation is a draft again ({why})",
                      "`publish check` lists the English sections that changed; translate "
                      f"them and record a new review ({REVIEWED_BY}, {REVIEWED_DATE})",
                      severity="warning", rule="translation")


def quality_warnings(read: list[tuple[Guide, list[Diagnostic]]], brand, project: Project
                     ) -> list[Diagnostic]:
    """Run `publish check`'s rules on the guides just read. In a build their findings are
    warnings: structural errors have already stopped it in the reader."""
    from ..checks import brand_findings, make_context, project_limits, run_rules

    context = make_context(brand, dt.date.today(), limits=project_limits(project))
    found = brand_findings(brand)
    for guide, warnings in read:
        found += relocated(guide, run_rules(guide, warnings, context))
    # A translation shares the manuscript's front matter: its findings there are the
    # manuscript's own, said once.
    return list(dict.fromkeys(replace(f, severity="warning") for f in found))


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
    drafts: Path | str | None = None,
) -> BuildResult:
    """Build every output of every guide into ``out``. Raises PublishError on bad input.

    ``project`` says where settings and styles are (default: the project the current
    folder is in; ``styles`` overrides its styles folder). ``jobs`` > 1 runs the writers
    in that many worker processes; ``cache`` reuses results of earlier builds whose
    inputs have not changed. ``out`` defaults to the project's dist/ folder.

    Reviewed translations go into ``out`` beside their guide (<slug>/<language>/). Draft
    ones never do: ``out`` is uploaded as it is, and unreviewed medical text must not
    reach patients. With ``drafts``, they are built, marked DRAFT on every page, into
    that folder, with a site and manifest of their own (``BuildResult.drafts``).
    """
    project = project or Project.find(styles=Path(styles) if styles else None)
    out = Path(out) if out is not None else project.default_out()
    writers = list(only) if only else list(DEFAULT_OUTPUTS)
    # "handouts:ID" asks for one handout (build/plan.py, chosen_handouts).
    unknown = [name for name in writers if name not in REGISTRY
               and not (name.startswith("handouts:") and name[len("handouts:"):])]
    if unknown:
        raise ValueError(f"unknown output {unknown[0]!r}; choose from {', '.join(REGISTRY)}")
    sources = [Path(s) for s in sources]
    result = build_into(sources, out, project, writers, cache, jobs, progress, False)
    if drafts is not None and wants_drafts(sources, Path(drafts), out):
        result.drafts = build_into(sources, Path(drafts), project, writers, cache, jobs,
                                   progress, True)
    return result


def build_into(sources: list[Path], out: Path, project: Project, writers: list[str],
               cache: bool, jobs: int, progress: Progress | None, drafts: bool
               ) -> BuildResult:
    folder = build_cache(out)
    with output_lock(folder, out), scratch_folder(folder) as scratch:
        clear_interrupted(out)
        return run_build(sources, out, project, writers, Cache(folder, reuse=cache), jobs,
                         progress, scratch, drafts)


def wants_drafts(sources: list[Path], drafts: Path, out: Path) -> bool:
    """Whether the drafts folder has work: a guide given has translations, or the folder
    holds drafts of a guide given that may now be gone (reviewed, or its catalog
    deleted). A build of other guides leaves the folder alone: it is the project's, not
    this output folder's."""
    if drafts.resolve() == out.resolve():
        raise PublishError(drafts, 0, "the drafts folder is the output folder",
                           "give --drafts another folder: drafts must never be uploaded")
    if any(translations_of(s) for s in sources):
        return True
    held = {key.split("/")[0] for key in previous_manifest(drafts)["guides"]}
    return bool(held & {slug_for(s) for s in sources})


def missing_handouts(writers: list[str], guides: list[Guide]) -> None:
    """`--only handouts:ID` naming a handout none of the guides asked for has."""
    ids = {h.id for guide in guides for h in guide.meta.handouts}
    for name in writers:
        wanted = name.removeprefix("handouts:")
        if name.startswith("handouts:") and wanted not in ids and guides:
            raise PublishError(guides[0].source, guides[0].meta.handouts[0].line
                               if guides[0].meta.handouts else 0,
                               f"--only {name}: no guide given has a handout '{wanted}'",
                               "its handouts: " + (", ".join(sorted(ids)) or "none"))


def run_build(sources: list[Path], out: Path, project: Project, writers: list[str],
              store: Cache, jobs: int, progress: Progress | None, scratch: Path,
              drafts: bool = False) -> BuildResult:
    previous = previous_manifest(out)
    runner = Runner(jobs, store, progress, scratch)  # the worker server starts importing
    try:
        brand = load_brand(project.styles)
        wanted, removed = guide_sources(sources, store.folder, previous)
        read, tasks, live = [], plan_site(brand), plan_site(brand)
        for guide, found, asked in read_guides(wanted, brand, drafts, previous["guides"]):
            context = BuildContext(brand, __version__, build_timestamp(guide))
            mine = plan_guide(guide, context, writers if asked else [], previous, store,
                              scratch)
            tasks += mine.tasks
            live += mine.live
            removed += mine.removed
            read.append((guide, found, asked))
        guides = [guide for guide, _, _ in read]
        missing_handouts(writers, [guide for guide, _, asked in read if asked])
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
            if task.slug == guide.folder:
                job.files += results[task.name].files
                warnings += relocated(guide, results[task.name].warnings)
        job.files.sort(key=lambda f: (kind_rank(f.kind), f.edition or ""))
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
    stay only if still current). A guide whose manuscript is gone is removed. The
    folder's entries are by folder: a translation's, <slug>/<language>, is its guide's."""
    seen = {slug_for(source) for source in sources}
    known = recorded_sources(folder)
    wanted = [(source, True) for source in sources]
    removed = []
    for key in sorted(previous["guides"]):
        slug = key.split("/")[0]
        if slug in seen:
            continue
        source = known.get(key) or known.get(slug)
        if source is not None and source.is_file():
            wanted.append((source, False))
            seen.add(slug)
        else:
            where = source or Path(MANIFEST)
            removed.append(Diagnostic(where, 0, f"removed the guide '{key}' from the output "
                                      "folder: its manuscript is not where it was; build it "
                                      "again by naming its manuscript", severity="warning"))
    return wanted, removed


def record_sources(folder: Path, guides: list[Guide]) -> None:
    data = {guide.folder: str(guide.source) for guide in guides}
    atomic_write(folder / SOURCES, json.dumps(data, indent=1, sort_keys=True).encode())
