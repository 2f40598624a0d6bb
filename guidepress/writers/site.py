"""The downloads site: an index of every guide, a page per guide, and a read-online edition.

Everything is static and relative: the output folder can be uploaded to any folder of any
web server, or opened from disk, and no page asks another host for anything. Pages are
made from the manifest the build is about to write and, for the read-online edition, from
the guide's document model.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from markupsafe import Markup

from ..evidence import file_checks, not_run
from ..layout.thumbs import first_page_images, png, thumbnail_of
from ..model import Guide
from ..read.brand import Brand
from ..read.fonts import font_face_css
from ..render import HtmlRenderer, RenderOptions, plan_chapters, templates
from ..units import human_size
from . import OutputFile

FAVICON = "assets/favicon.png"  # made by a worker process: see build.plan.plan_site
LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German",
             "pt": "Portuguese", "zh": "Chinese", "vi": "Vietnamese", "ko": "Korean",
             "ar": "Arabic", "ru": "Russian", "tl": "Tagalog", "ht": "Haitian Creole"}
GROUPS = {"epub": "The whole guide", "pdf": "The whole guide", "large-print": "The whole guide",
          "handout": "Handouts", "large-print handout": "Handouts", "press": "For print shops"}
OTHER = "Other formats"
EXPLAIN = {
    "epub": ("Ebook", "EPUB", "For phones, tablets and e-readers. You can make the text "
             "bigger, and screen readers can read it aloud."),
    "pdf": ("Print edition", "PDF", "To read on a computer or print at home. The page "
            "numbers match the ebook's."),
    "press": ("Print-shop edition", "PDF", "For print shops: a 6 × 9 in book with bleed and "
              "crop marks."),
    "large-print": ("Large print", "PDF", "The same guide in big, clear letters (18 pt), "
                    "for people who find small print hard to read."),
    "handout": ("Handout", "PDF", "One page to print and keep."),
    "large-print handout": ("Large-print handout", "PDF", "The same handout in big, clear "
                            "letters (18 pt), on one sheet of paper."),
}


@dataclass
class Site:
    """The site's files, and a way to read any output this build made or reused."""

    brand: Brand
    read_bytes: Callable[[str], bytes]
    files: dict[str, bytes]
    thumbs: dict[str, bytes]  # thumbnails the writers already made, by site path

    def add(self, path: str, data: bytes | str) -> None:
        self.files[path] = data.encode("utf-8") if isinstance(data, str) else data


def build_site(brand: Brand, manifest: dict, guides: list[Guide],
               built: list[OutputFile], favicon: bytes) -> list[OutputFile]:
    """All site files; fills in each manifest guide's "page", "cover" and the "site" list.

    ``built`` holds the bytes of every file the manifest lists (made now or reused from
    the cache): nothing is read back from the output folder, whose contents an earlier
    build, or anyone, may have left.
    """
    data = {file.path: file.data for file in built}
    read_bytes = data.__getitem__

    thumbs = {f"{file.path.split('/')[0]}/thumbs/{file.sha256[:16]}.png": file.thumb
              for file in built if file.thumb}
    site = Site(brand, read_bytes, {}, thumbs)
    add_assets(site)
    site.add(FAVICON, favicon)
    models = {guide.slug: guide for guide in guides}
    for entry in manifest["guides"]:  # made from these guides: each has its model
        add_guide_page(site, entry)
        add_read_page(site, models[entry["slug"]])
        add_report(site, entry, pending_report(brand, entry))
    site.add("index.html", templates.render(
        brand, "templates/site/index.html", lang=site_language(manifest),
        guides=[card(entry) for entry in manifest["guides"]], root="",
        description=f"Patient guides from {brand.data.name}.", og_url="", og_image=""))
    manifest["site"] = sorted(site.files)
    return [OutputFile("site", path, path, data) for path, data in sorted(site.files.items())]


def site_language(manifest: dict) -> str:
    languages = {g.get("language") or "en-US" for g in manifest["guides"]}
    return languages.pop() if len(languages) == 1 else "en"


def language_name(tag: str) -> str:
    return LANGUAGES.get(tag.split("-")[0].lower(), tag)


def long_date(text: str | None) -> str:
    import datetime as dt

    return templates.long_date(dt.date.fromisoformat(text)) if text else ""


def card(entry: dict) -> dict:
    return {**entry, "language_name": language_name(entry.get("language") or "en"),
            "reviewed_text": long_date(entry.get("reviewed"))}


# -- shared assets -----------------------------------------------------------------------


def add_assets(site: Site) -> None:
    brand = site.brand
    font = brand.text_font
    faces = font_face_css(font, lambda f: f"fonts/{f.path.name}")
    site.add("assets/site.css", templates.render(
        brand, "css/site.css", font_faces=Markup(faces), text_font=font))
    for file in font.files:
        site.add(f"assets/fonts/{file.path.name}", file.path.read_bytes())
    logo = brand.logo_path.read_bytes()
    site.add("assets/logo.svg", logo)
    site.add("assets/favicon.svg", logo)


def logo_png(brand: Brand, size: int) -> bytes:
    """The logo as a small PNG, for browsers that do not take SVG icons."""
    from weasyprint import HTML

    html = (f'<style>@page {{ size: {size}px {size}px; margin: 0 }} body {{ margin: 0 }}'
            f'img {{ width: {size}px; height: {size}px; display: block }}</style>'
            f'<img src="{brand.logo_path.as_uri()}" alt="">')
    return png(first_page_images(HTML(string=html).write_pdf(), size)[0])


# -- one guide -----------------------------------------------------------------------------


def thumbnail(site: Site, entry: dict, file: dict) -> tuple[str, int]:
    """A PNG of the file's first page (or the ebook's cover), named by the file's
    checksum so an unchanged file keeps its thumbnail. Returns (path, height)."""
    from PIL import Image

    slug = entry["slug"]
    path = f"{slug}/thumbs/{file['sha256'][:16]}.png"
    if path in site.thumbs:  # made by the writer, in its own process
        data = site.thumbs[path]
    else:
        data = thumbnail_of(file["kind"], site.read_bytes(file["path"]))
    site.add(path, data)
    with Image.open(io.BytesIO(data)) as image:
        height = round(120 * image.height / image.width)
    return path, height


def row_of(file: dict) -> str:
    """The EXPLAIN and GROUPS row of a manifest file: its kind, or its edition's."""
    edition = file.get("edition")
    if edition == "press":
        return "press"
    if edition == "large-print":
        return "large-print handout" if file["kind"] == "handout" else "large-print"
    return file["kind"]


def side_by_side(files: list[dict]) -> list[dict]:
    """The manifest's files with each handout's other editions right after it (the
    manifest lists every office handout first)."""
    first = {}
    for index, file in enumerate(files):
        first.setdefault((file["kind"], file.get("id")), index)
    return sorted(files, key=lambda file: first[file["kind"], file.get("id")])


def download(site: Site, entry: dict, file: dict) -> dict:
    kind = row_of(file)
    # A kind without a row above (a new writer's) is listed with its title and format.
    label, file_format, explain = EXPLAIN.get(kind, (file["title"], kind.upper(), ""))
    thumb, height = thumbnail(site, entry, file) if kind in EXPLAIN else (None, 0)
    handout = file["kind"] == "handout"
    title = file["title"] if handout else f"{label}: {entry['title']}"
    what = "Cover of the ebook" if kind == "epub" else f"First page of the {label.lower()}"
    return {
        "group": GROUPS.get(kind, OTHER), "label": title, "format": file_format,
        "explain": explain,
        "href": relative(entry["slug"], file["path"]), "size": human_size(file["bytes"]),
        "pages": file.get("pages"), "sha256": file["sha256"],
        "thumb": thumb and relative(entry["slug"], thumb), "thumb_height": height,
        "thumb_alt": f"{what}, {title}" if handout else what,
    }


def relative(slug: str, path: str) -> str:
    """A path relative to the guide's own folder (where its pages live)."""
    return path.removeprefix(f"{slug}/")


def add_guide_page(site: Site, entry: dict) -> None:
    slug = entry["slug"]
    downloads = [download(site, entry, file) for file in side_by_side(entry["files"])]
    epub = next((d for d in downloads if d["format"] == "EPUB"), None)
    entry["page"] = f"{slug}/index.html"
    entry["cover"] = f"{slug}/{epub['thumb']}" if epub else ""
    url = entry.get("url") or ""
    site.add(entry["page"], templates.render(
        site.brand, "templates/site/guide.html", lang=entry.get("language") or "en-US",
        guide={**card(entry), "cover_local": epub["thumb"] if epub else ""},
        groups=[(name, [d for d in downloads if d["group"] == name])
                for name in dict.fromkeys([*GROUPS.values(), OTHER])
                if any(d["group"] == name for d in downloads)],
        root="../",
        description=entry.get("description") or entry["title"],
        og_url=url, og_image=urljoin(url, epub["thumb"]) if url and epub else ""))


def read_page_files(brand: Brand, guide: Guide) -> dict[str, bytes]:
    """The read-online page and its pictures alone, by path: `publish serve` shows them
    while the rest of a rebuild is still running (they need no page layout)."""
    site = Site(brand, lambda path: b"", {}, {})
    add_read_page(site, guide)
    return site.files


def add_read_page(site: Site, guide: Guide) -> None:
    """The whole guide as one accessible web page, from the same model as the books."""
    options = RenderOptions(target="web", notes="popup", heading_shift=1,
                            src_for=lambda src: f"media/{src}")
    renderer = HtmlRenderer(guide, options)
    chapters = plan_chapters(guide)
    for chapter in chapters:
        chapter.html = renderer.blocks(guide.section_blocks(chapter.section))
    for asset in guide.assets.values():
        site.add(f"{guide.slug}/media/{asset.src}", asset.data)
    url = guide.meta.url
    site.add(f"{guide.slug}/read.html", templates.render(
        site.brand, "templates/site/read.html", lang=guide.meta.language, meta=guide.meta,
        chapters=chapters, notes=renderer.take_notes(), root="../",
        description=guide.meta.description or guide.meta.title,
        og_url=urljoin(url, "read.html") if url else "", og_image=""))



# -- the accessibility report --------------------------------------------------------------

REPORT = "accessibility.html"
EVIDENCE = "accessibility.json"
# What `publish verify` runs on each kind of file (guidepress/verify); the build lists
# them as not run yet, so the report never claims a check that did not happen.
CHECKERS = {"epub": ("EPUBCheck", "DAISY Ace"), "pdf": ("pdfua", "PDF structure"),
            "handout": ("pdfua", "PDF structure"), "site": ("axe-core",)}
SITE_PAGES = ("index.html", "read.html")  # each guide's pages that axe-core checks


def accessibility_summary(brand: Brand) -> str:
    """The EPUB's schema:accessibilitySummary: the report quotes the same words."""
    return templates.render(brand, "templates/epub/accessibility-summary.txt").strip()


def pending_report(brand: Brand, entry: dict) -> dict:
    """The report a build writes: every file listed, every checker "not run" yet."""
    reason = "not run yet: run `publish verify` on the output folder"
    files = [file_checks(f["path"], f["title"], f["sha256"],
                         [not_run(tool, f["path"], reason) for tool in CHECKERS.get(f["kind"], ())])
             for f in entry["files"]]
    pages = [file_checks(f"{entry['slug']}/{page}", f"Web page: {page}", "",
                         [not_run("axe-core", f"{entry['slug']}/{page}", reason)])
             for page in SITE_PAGES]
    return {"guide": entry["slug"], "title": entry["title"], "result": "not verified",
            "checked": None, "summary": accessibility_summary(brand), "measured": {},
            "files": files + pages, "tools": {}}


def report_files(brand: Brand, report: dict) -> dict[str, bytes]:
    """accessibility.html and accessibility.json of one guide, by path."""
    import json

    slug = report["guide"]
    checked = report.get("checked")
    page = templates.render(
        brand, "templates/site/accessibility.html", lang="en", root="../",
        report={**report, "checked_text": long_date(checked[:10]) if checked else ""},
        description=f"How {report['title']} is checked for accessibility.", og_url="",
        og_image="")
    data = json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return {f"{slug}/{REPORT}": page.encode("utf-8"), f"{slug}/{EVIDENCE}": data.encode()}


def add_report(site: Site, entry: dict, report: dict) -> None:
    for path, data in report_files(site.brand, report).items():
        site.add(path, data)
