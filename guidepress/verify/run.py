"""publish verify: run every available checker on a built output folder and write, per
guide, <slug>/accessibility.json and the report page that guide's download page links.

The files checked are the ones the manifest lists, and only if their bytes are still the
ones it lists (a file changed since the build is a failure, not checked). The build writes
the same two files with every checker "not run yet" (writers/site.py), so a report never
speaks for files it did not see; the next build that changes anything writes them again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..build.manifest import MANIFEST
from ..build.output import install, output_lock
from ..errors import PublishError
from ..evidence import Finding, ToolResult, file_checks, judged
from ..files import atomic_write
from ..project import Project, build_cache
from ..read.brand import Brand, load_brand
from ..writers import OutputFile, folder_of
from ..writers.site import (
    SITE_PAGES,
    accessibility_summary,
    public_url,
    report_files,
    site_assets,
)
from . import measure, pdfstructure, tools

Say = Callable[[str], None]


@dataclass
class GuideReport:
    slug: str
    report: dict
    results: list[ToolResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ToolResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def not_run(self) -> list[ToolResult]:
        return [r for r in self.results if r.status == "not run"]


def read_manifest(out: Path) -> dict:
    path = out / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest.get("guides"), list):  # not one of ours
            raise ValueError(path)
    except (OSError, ValueError, AttributeError):
        raise PublishError(path, 0, "there is no readable manifest.json in this folder",
                           "build the guides into it first: publish build --out "
                           f"{out}") from None
    return manifest


def verify(out: Path, project: Project, say: Say = lambda line: None,
           now: dt.datetime | None = None) -> list[GuideReport]:
    """Check every file of every guide in ``out``; write each guide's report there."""
    out = out.resolve()
    manifest = read_manifest(out)
    brand = load_brand(project.styles)
    cache = build_cache(out)
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    cache.mkdir(parents=True, exist_ok=True)
    listed = (out / MANIFEST).read_bytes()
    with output_lock(cache, out), tempfile.TemporaryDirectory(dir=cache) as work:
        reports = [check_guide(out, entry, brand, Path(work), now, say)
                   for entry in manifest["guides"]]
        stylesheet = site_assets(brand)[1]
        files = [OutputFile("site", path, path, data)
                 for entry, report in zip(manifest["guides"], reports, strict=True)
                 for path, data in report_files(brand, report.report, stylesheet,
                                                entry.get("language") or "en",
                                                public_url(entry)).items()]
        install(out, files)
        # install() takes the manifest away while it swaps files (the reports are site
        # files: the manifest lists their paths, which do not change); put it back.
        atomic_write(out / MANIFEST, listed)
    return reports


def intact(out: Path, entry: dict) -> Finding | None:
    """A finding if the file is missing or its bytes are not the ones the build listed."""
    path = out / entry["path"]
    try:
        data = path.read_bytes()
    except OSError:
        return Finding("error", "missing", f"{entry['path']} is listed but not there")
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return Finding("error", "changed", f"{entry['path']} changed since it was built; "
                       "build again, then verify")
    return None


def check_file(out: Path, file: dict, work: Path) -> list[ToolResult]:
    path, name = out / file["path"], file["path"]
    if (problem := intact(out, file)) is not None:
        return [judged("manifest", "", name, [problem], 1, 1)]
    if file["kind"] == "epub":
        return [tools.epubcheck(path, name), tools.ace(path, name, work)]
    if path.suffix == ".pdf":
        return [tools.pdfua(path, name), pdfstructure.check(path, name)]
    return []


def check_guide(out: Path, entry: dict, brand: Brand, work: Path, now: dt.datetime,
                say: Say) -> GuideReport:
    slug = folder_of(entry)  # a translation's is <slug>/<language>
    files, results = [], []
    for file in entry["files"]:
        say(f"checking {file['path']}")
        checks = check_file(out, file, work)
        results += checks
        files.append(file_checks(file["path"], file["title"], file["sha256"], checks))
    pages = [out / slug / page for page in SITE_PAGES]
    say(f"checking the web pages of {slug}")
    for page, result in zip(pages, tools.axe(pages, out), strict=True):
        results.append(result)
        digest = hashlib.sha256(page.read_bytes()).hexdigest() if page.is_file() else ""
        files.append(file_checks(result.file, f"Web page: {page.name}", digest, [result]))
    failed = any(r.status == "failed" for r in results)
    missing = any(r.status == "not run" for r in results)
    report = {
        "guide": slug, "title": entry["title"],
        "result": "failed" if failed else "not verified" if missing else "passed",
        "checked": now.isoformat().replace("+00:00", "Z"),
        "summary": accessibility_summary(brand, entry.get("language") or "en-US"),
        "measured": measure.measured(out, entry, brand),
        "files": files,
        "tools": {r.tool: r.version for r in results if r.version},
    }
    return GuideReport(slug, report, results)
