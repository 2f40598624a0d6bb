"""manifest.json: what the output folder holds, for the web admin and the next build.

Written last, so it only ever lists files that are in place. The previous one is read
back as untrusted input (anyone may have edited the uploaded folder).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..files import atomic_write
from ..model import Guide
from ..writers import REGISTRY, OutputFile, folder_of

MANIFEST = "manifest.json"


@dataclass
class GuideBuild:
    guide: Guide
    outputs: list[str]  # the writers this build runs for the guide (REGISTRY names)
    files: list[OutputFile] = field(default_factory=list)


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
    # A translation lives in its own folder, <slug>/<language>/: "folder" says where.
    folder = {"folder": job.guide.folder, "draft": job.guide.draft} \
        if job.guide.translation else {}
    return {
        "slug": job.guide.slug,
        **folder,
        "title": meta.title,
        "language": meta.language,
        "subtitle": meta.subtitle or None,
        "description": meta.description or None,
        "date": meta.date.isoformat() if meta.date else None,
        "reviewed": meta.reviewed.isoformat() if meta.reviewed else None,
        "url": meta.url or None,
        "files": [with_summary(file_entry(f), meta) for f in job.files],
    }


def with_summary(entry: dict, meta) -> dict:
    """A handout's entry with its front matter's one-line ``summary`` (the downloads
    page shows it; translated in a translation's manifest), when it has one."""
    if entry["kind"] == "handout":
        summary = next((spec.summary for spec in meta.handouts
                        if spec.id == entry.get("id")), "")
        if summary:
            entry["summary"] = summary
    return entry


def previous_manifest(out: Path) -> dict:
    """What an earlier build listed: the files of each guide, by folder (its slug, or
    <slug>/<language> for a translation), and the site's.

    The output folder is uploaded and may have been edited by anyone, so its manifest is
    untrusted: only well-formed entries whose paths stay inside the folder are kept, and
    it is only used to know which files to remove and which outputs a guide had."""
    try:
        old = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        guides = {folder_of(g): [f for f in g["files"] if inside(out, f.get("path"))]
                  for g in old["guides"] if isinstance(g.get("files"), list)
                  and isinstance(folder_of(g), str)}
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
        "guides": [guide_entry(job) for job in sorted(builds, key=lambda j: j.guide.folder)],
        "site": [],  # filled in by build_site with this build's pages
    }


def output_of(entry: dict) -> str:
    """Which writer made a manifest file entry (the name --only uses)."""
    if entry.get("edition") in REGISTRY:  # an edition is made by its own writer
        return entry["edition"]
    kind = entry.get("kind", "")
    return next((name for name, spec in REGISTRY.items() if spec.kind == kind), kind)


def write_manifest(out: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    atomic_write(out / MANIFEST, text.encode("utf-8"))
