"""The downloads site: an index of every guide, a page per guide, and a read-online edition.

Everything is static and relative: the output folder can be uploaded to any folder of any
web server, or opened from disk, and no page asks another host for anything. Pages are
made from the manifest the build is about to write and, for the read-online edition, from
the guide's document model.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from markupsafe import Markup

from ..evidence import file_checks, not_run
from ..layout.thumbs import first_page_images, png, thumbnail_of
from ..model import Guide
from ..read.brand import Brand
from ..read.fonts import font_face_css, woff2_file
from ..render import HtmlRenderer, RenderOptions, plan_chapters, templates
from ..render.templates import N_, translator
from ..units import human_size
from . import OutputFile, folder_of

FAVICON = "assets/favicon.png"  # made by a worker process: see build.plan.plan_site
FAVICON_SIZE = 64
TOUCH_ICON = "assets/apple-touch-icon.png"  # the home-screen icon iPhones and iPads take
TOUCH_SIZE = 180
STYLESHEET = "assets/site.css"
SITEMAP = "sitemap.xml"
NOT_FOUND = "404.html"
WHOLE_GUIDE = ("epub", "pdf", "large-print")  # the rows read.html's `formats` lists
MEDIA_TYPES = {"EPUB": "application/epub+zip", "PDF": "application/pdf"}
# The words below are msgids (N_): each page translates them into its own language.
LANGUAGES = {"en": N_("English"), "es": N_("Spanish"), "fr": N_("French"),
             "de": N_("German"), "pt": N_("Portuguese"), "zh": N_("Chinese"),
             "vi": N_("Vietnamese"), "ko": N_("Korean"), "ar": N_("Arabic"),
             "ru": N_("Russian"), "tl": N_("Tagalog"), "ht": N_("Haitian Creole")}
GROUPS = {"epub": N_("The whole guide"), "pdf": N_("The whole guide"),
          "large-print": N_("The whole guide"), "handout": N_("Handouts"),
          "large-print handout": N_("Handouts"), "press": N_("For print shops")}
OTHER = N_("Other formats")
EXPLAIN = {
    "epub": (N_("Ebook"), "EPUB", N_("For phones, tablets and e-readers. You can make the "
             "text bigger, and screen readers can read it aloud.")),
    "pdf": (N_("Print edition"), "PDF", N_("To read on a computer or print at home. The "
            "page numbers match the ebook's.")),
    "press": (N_("Print-shop edition"), "PDF", N_("For print shops: a 6 × 9 in book with "
              "bleed and crop marks.")),
    "large-print": (N_("Large print"), "PDF", N_("The same guide in big, clear letters "
                    "(18 pt), for people who find small print hard to read.")),
    "handout": (N_("Handout"), "PDF", N_("One page to print and keep.")),
    "large-print handout": (N_("Large-print handout"), "PDF", N_("The same handout in "
                            "big, clear letters (18 pt), on one sheet of paper.")),
}
# What a thumbnail shows, for its alt text.
THUMB_ALT = {"epub": N_("Cover of the ebook"), "pdf": N_("First page of the print edition"),
             "press": N_("First page of the print-shop edition"),
             "large-print": N_("First page of the large print"),
             "handout": N_("First page of the handout"),
             "large-print handout": N_("First page of the large-print handout")}


@dataclass
class Site:
    """The site's files, and a way to read any output this build made or reused."""

    brand: Brand
    read_bytes: Callable[[str], bytes]
    files: dict[str, bytes]
    thumbs: dict[str, bytes]  # thumbnails the writers already made, by site path
    stylesheet: str = STYLESHEET  # its link from the top, with ?v=<its checksum>

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

    thumbs = {file.sha256[:16]: file.thumb for file in built if file.thumb}
    site = Site(brand, read_bytes, {}, thumbs)
    add_assets(site)
    add_icons(site, favicon)
    models = {guide.folder: guide for guide in guides}
    for entry in manifest["guides"]:  # made from these guides: each has its model
        others = editions(manifest, entry)
        downloads = add_guide_page(site, entry, on_page(others, "index.html"))
        add_read_page(site, models[folder_of(entry)], on_page(others, "read.html"),
                      formats=whole_guide(downloads), image=share_image(site, entry))
        add_report(site, entry, pending_report(brand, entry))
    language = site_language(manifest)
    _ = translator(brand.styles, language)
    top = top_url(brand, manifest)
    site.add("index.html", templates.render(
        brand, "templates/site/index.html", lang=language,
        guides=[card(entry, brand, language) for entry in manifest["guides"]],
        root="",
        description=_("Patient guides from %(clinic)s.") % {"clinic": brand.data.name},
        draft=any(g.get("draft") for g in manifest["guides"]),
        **page_head(site.stylesheet, top)))
    site.add(NOT_FOUND, not_found_page(brand, language, top, site.stylesheet))
    sitemap = sitemap_xml(manifest, top)
    if sitemap:  # no page's absolute address is known: no sitemap (it needs them)
        site.add(SITEMAP, sitemap)
    manifest["site"] = sorted(site.files)
    return [OutputFile("site", path, path, data) for path, data in sorted(site.files.items())]


def root_of(folder: str) -> str:
    """The site's top folder, seen from a guide's folder ("../" or "../../")."""
    return "../" * (folder.count("/") + 1)


def editions(manifest: dict, entry: dict) -> list[dict]:
    """The guide in every language this site has it in (itself too), for the language
    switch and the pages' hreflang links: its language, its name in that language, and
    the path of that edition's folder from this one's ("", "es/", "../")."""
    here = folder_of(entry)
    found = [g for g in manifest["guides"] if g["slug"] == entry["slug"]]
    if len(found) < 2:
        return []
    return [{"language": g.get("language") or "en", "name": own_name(g.get("language") or "en"),
             "folder": "" if g is entry else posixpath.relpath(folder_of(g), here) + "/",
             "url": g.get("url") or "", "current": g is entry} for g in found]


def on_page(others: list[dict], page: str) -> list[dict]:
    """The editions as links from one page to the same page in each language: ``href``
    relative (the language switch), ``alternate`` absolute where the guide's URL is
    known, as search engines want hreflang links."""
    found = []
    for edition in others:
        href = edition["folder"] + page
        absolute = urljoin(edition["url"], "" if page == "index.html" else page) \
            if edition["url"] else href
        found.append({**edition, "href": href, "alternate": absolute})
    return found


def own_name(tag: str) -> str:
    """A language's name in that language, as a language switch shows it."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(tag.replace("-", "_")).get_language_name()
    except (UnknownLocaleError, ValueError, TypeError):
        return language_name(tag)
    return name[:1].upper() + name[1:] if name else language_name(tag)


def site_language(manifest: dict) -> str:
    languages = {g.get("language") or "en-US" for g in manifest["guides"]}
    return languages.pop() if len(languages) == 1 else "en"


def language_name(tag: str, gettext: Callable[[str], str] = str) -> str:
    """The English name of a tag's language, or its name in the words of ``gettext``."""
    name = LANGUAGES.get(tag.split("-")[0].lower())
    return gettext(name) if name else tag


def long_date(text: str | None, language: str = "en-US") -> str:
    import datetime as dt

    return templates.long_date(dt.date.fromisoformat(text), language) if text else ""


def card(entry: dict, brand: Brand | None = None, language: str = "en-US") -> dict:
    """A guide's facts as a page in ``language`` shows them (its language's name, its
    review date), in the words of the catalogs in ``brand``'s styles."""
    gettext = translator(brand.styles, language) if brand else str
    return {**entry, "language_name": language_name(entry.get("language") or "en", gettext),
            "reviewed_text": long_date(entry.get("reviewed"), language)}


# -- shared assets -----------------------------------------------------------------------


def versioned(path: str, data: bytes) -> str:
    """A link to a site file that changes when the file does (``?v=`` and the first 10
    hex digits of its SHA-256), so no browser or CDN cache serves an old copy. The
    file keeps its name: the manifest lists it as it is, and links work from disk."""
    return f"{path}?v={hashlib.sha256(data).hexdigest()[:10]}"


def site_assets(brand: Brand) -> tuple[dict[str, bytes], str]:
    """The style sheet and its WOFF2 fonts, by path, and the style sheet's versioned
    link from the top folder. The same for every page, and for `publish verify`'s
    report pages, which make them again from the brand."""
    font = brand.text_font
    files = {f"assets/fonts/{file.path.stem}.woff2": woff2_file(file).read_bytes()
             for file in font.files}
    faces = font_face_css(font, lambda f: versioned(
        f"fonts/{f.path.stem}.woff2", files[f"assets/fonts/{f.path.stem}.woff2"]), web=True)
    css = templates.render(brand, "css/site.css", font_faces=Markup(faces),
                           text_font=font).encode("utf-8")
    files[STYLESHEET] = css
    return files, versioned(STYLESHEET, css)


def add_assets(site: Site) -> None:
    brand = site.brand
    files, site.stylesheet = site_assets(brand)
    for path, data in files.items():
        site.add(path, data)
    logo = brand.logo_path.read_bytes()
    site.add("assets/logo.svg", logo)
    site.add("assets/favicon.svg", logo)


def logo_png(brand: Brand, size: int) -> bytes:
    """The logo as a PNG on the brand's background, for browsers that do not take SVG
    icons. Drawn at TOUCH_SIZE at least (the worker task asks for the favicon's size):
    the site makes its favicon and its apple-touch-icon from this one drawing (icons)."""
    from weasyprint import HTML

    size = max(size, TOUCH_SIZE)
    background = brand.data.colors.background
    html = (f'<style>@page {{ size: {size}px {size}px; margin: 0; background: {background} }}'
            ' body { margin: 0 }'
            f'img {{ width: {size}px; height: {size}px; display: block }}</style>'
            f'<img src="{brand.logo_path.as_uri()}" alt="">')
    return png(first_page_images(HTML(string=html).write_pdf(), size)[0])


def icons(brand: Brand, drawing: bytes) -> dict[str, bytes]:
    """The favicon PNG and the apple-touch-icon (the logo at 80 % on the brand's
    background, the margin iOS wants), by path, from logo_png's drawing."""
    from PIL import Image

    with Image.open(io.BytesIO(drawing)) as image:
        logo = image.convert("RGB")
    favicon = logo if logo.width == FAVICON_SIZE else logo.resize(
        (FAVICON_SIZE, FAVICON_SIZE), Image.LANCZOS)
    inner = round(TOUCH_SIZE * 0.8)
    touch = Image.new("RGB", (TOUCH_SIZE, TOUCH_SIZE), brand.data.colors.background)
    offset = (TOUCH_SIZE - inner) // 2
    touch.paste(logo.resize((inner, inner), Image.LANCZOS), (offset, offset))
    return {FAVICON: png(favicon), TOUCH_ICON: png(touch)}


def add_icons(site: Site, drawing: bytes) -> None:
    for path, data in icons(site.brand, drawing).items():
        site.add(path, data)


# -- one guide -----------------------------------------------------------------------------


def thumbnail(site: Site, entry: dict, file: dict) -> tuple[str, int]:
    """A PNG of the file's first page (or the ebook's cover), named by the file's
    checksum so an unchanged file keeps its thumbnail. Returns (path, height)."""
    from PIL import Image

    key = file["sha256"][:16]
    path = f"{folder_of(entry)}/thumbs/{key}.png"
    if key in site.thumbs:  # made by the writer, in its own process
        data = site.thumbs[key]
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
    """One file as the guide's page lists it, in the guide's language; "group" stays
    the msgid (the page translates it as it lists the groups)."""
    _ = translator(site.brand.styles, entry.get("language") or "en-US")
    kind = row_of(file)
    # A kind without a row above (a new writer's) is listed with its title and format.
    label, file_format, explain = EXPLAIN.get(kind, (file["title"], kind.upper(), ""))
    if kind in EXPLAIN:
        label, explain = _(label), _(explain)
    if file.get("summary"):  # a handout's own line, already in the guide's language
        explain = file["summary"]
    thumb, height = thumbnail(site, entry, file) if kind in EXPLAIN else (None, 0)
    handout = file["kind"] == "handout"
    title = file["title"] if handout else _("%(label)s: %(title)s") % {
        "label": label, "title": entry["title"]}
    what = _(THUMB_ALT[kind]) if kind in THUMB_ALT else label
    return {
        "group": GROUPS.get(kind, OTHER), "label": title, "format": file_format,
        "explain": explain, "kind": kind, "short": label, "bytes": file["bytes"],
        "name": posixpath.basename(file["path"]),
        "href": relative(folder_of(entry), file["path"]), "size": human_size(file["bytes"]),
        "pages": file.get("pages"), "sha256": file["sha256"],
        "thumb": thumb and relative(folder_of(entry), thumb), "thumb_height": height,
        "thumb_alt": _("%(what)s, %(title)s") % {"what": what, "title": title} if handout
        else what,
    }


def relative(folder: str, path: str) -> str:
    """A path relative to the guide's own folder (where its pages live)."""
    return path.removeprefix(f"{folder}/")


def add_guide_page(site: Site, entry: dict, others: list[dict]) -> list[dict]:
    """The guide's downloads page; returns its files as the page lists them."""
    slug = folder_of(entry)
    _ = translator(site.brand.styles, entry.get("language") or "en-US")
    downloads = [download(site, entry, file) for file in side_by_side(entry["files"])]
    epub = next((d for d in downloads if d["format"] == "EPUB"), None)
    entry["page"] = f"{slug}/index.html"
    entry["cover"] = f"{slug}/{epub['thumb']}" if epub else ""
    url = public_url(entry)
    description = entry.get("description") or entry["title"]
    site.add(entry["page"], templates.render(
        site.brand, "templates/site/guide.html", lang=entry.get("language") or "en-US",
        guide={**card(entry, site.brand, entry.get("language") or "en-US"),
               "cover_local": epub["thumb"] if epub else ""},
        groups=[(_(name), [d for d in downloads if d["group"] == name])
                for name in dict.fromkeys([*GROUPS.values(), OTHER])
                if any(d["group"] == name for d in downloads)],
        downloads=downloads, ebook=epub,
        root=root_of(slug), editions=others, draft=bool(entry.get("draft")),
        description=description,
        json_ld=json_ld(guide_page_data(site.brand, entry, downloads, url, description)),
        **page_head(site.stylesheet, url, share_image(site, entry))))
    return downloads


def whole_guide(downloads: list[dict]) -> list[dict]:
    """The guide's whole-guide files (ebook, print edition, large print) for read.html's
    ``formats``: label, href from the guide's folder, format, size."""
    return [{"label": d["short"], "href": d["href"], "format": d["format"], "size": d["size"]}
            for d in downloads if d["kind"] in WHOLE_GUIDE]


def public_url(entry: dict, page: str = "index.html") -> str:
    """The absolute address a guide's page is published at, "" when unknown. A draft
    translation is never published (it is built into the drafts folder): none."""
    return "" if entry.get("draft") else page_url(entry.get("url") or "", page)


def page_url(url: str, page: str) -> str:
    """The absolute address of one of a guide's pages from the guide's ``url`` ("" when
    unknown). The url names the guide's folder: "…/muscle-spasms/" or "…/muscle-spasms"
    (a last part without a dot is a folder) or its index.html."""
    if not url:
        return ""
    if not url.endswith("/") and "." not in url.rsplit("/", 1)[-1]:
        url += "/"
    return url if page == "index.html" else urljoin(url, page)


def top_url(brand: Brand, manifest: dict) -> str:
    """The site's top folder as an absolute address, or "": every guide's url, less its
    folder, must give the same address, under the brand's site_url (guides on other
    hosts, or none with a url, leave it unknown)."""
    tops = {urljoin(public_url(g), root_of(folder_of(g))) if public_url(g) else ""
            for g in manifest["guides"]}
    if len(tops) != 1:
        return ""
    top = tops.pop()
    return top if top and top.startswith(brand.data.site_url) else ""


def share_image(site: Site, entry: dict) -> dict:
    """The guide's cover thumbnail for link previews (og:image), with its size and alt
    text; {} unless the guide's absolute address is known (previews need one)."""
    url = public_url(entry)
    cover = entry.get("cover")
    if not url or not cover or cover not in site.files:
        return {}
    from PIL import Image

    _ = translator(site.brand.styles, entry.get("language") or "en-US")
    with Image.open(io.BytesIO(site.files[cover])) as image:
        width, height = image.size
    return {"url": urljoin(url, relative(folder_of(entry), cover)), "width": width,
            "height": height, "alt": _("Cover of %(title)s") % {"title": entry["title"]}}


def page_head(stylesheet: str, url: str = "", image: dict | None = None) -> dict:
    """What every page's <head> says about itself: its versioned style sheet, its
    canonical address and og:url (only when absolute), its preview picture, and which
    Twitter card: the large one only for a picture at least 300 px wide (Twitter's
    minimum for it; the cover thumbnails are 240 px), else the summary card."""
    image = image or {}
    large = image and image.get("width", 0) >= 300
    return {"stylesheet": stylesheet, "canonical": url, "og_url": url, "og_image": image,
            "twitter_card": "summary_large_image" if large else "summary"}


def json_ld(data: dict) -> Markup:
    """JSON-LD for a <script type="application/ld+json">: no "<", ">" or "&" is left as
    itself (each is a \\u escape, which JSON reads back as the same character), so no
    text from a manuscript can close the script element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    for char in "<>&":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)


def guide_page_data(brand: Brand, entry: dict, downloads: list[dict], url: str,
                    description: str) -> dict:
    """The guide page as schema.org sees it: a MedicalWebPage about a Book, every file
    of the book (and its handouts) an encoding of it. Dates are the front matter's;
    links are absolute where the guide's address is known, else relative."""
    clinic = {"@type": "MedicalOrganization", "name": brand.data.name,
              "url": brand.data.site_url}
    if brand.data.contact.phone:
        clinic["telephone"] = brand.data.contact.phone
    book = {"@type": "Book", "name": entry["title"], "inLanguage": entry.get("language"),
            "publisher": clinic,
            "encoding": [{"@type": "MediaObject", "name": d["label"],
                          "encodingFormat": MEDIA_TYPES.get(d["format"], d["format"]),
                          "contentUrl": urljoin(url, d["href"]) if url else d["href"],
                          "contentSize": f"{d['bytes']} B"} for d in downloads]}
    page = {"@context": "https://schema.org", "@type": "MedicalWebPage",
            "name": entry["title"], "description": description,
            "inLanguage": entry.get("language"), "publisher": clinic,
            "mainEntity": book, "about": {"@type": "Book", "name": entry["title"]}}
    for key, field in (("alternativeHeadline", "subtitle"), ("datePublished", "date"),
                       ("lastReviewed", "reviewed")):
        if entry.get(field):
            page[key] = entry[field]
    if entry.get("date"):
        book["datePublished"] = entry["date"]
    if url:
        page["url"] = book["url"] = url
    return page


def read_page_files(brand: Brand, guide: Guide) -> dict[str, bytes]:
    """The read-online page and its pictures alone, by path: `publish serve` shows them
    while the rest of a rebuild is still running (they need no page layout)."""
    site = Site(brand, lambda path: b"", {}, {}, site_assets(brand)[1])
    add_read_page(site, guide, [])
    return site.files


def add_read_page(site: Site, guide: Guide, others: list[dict],
                  formats: list[dict] | None = None, image: dict | None = None) -> None:
    """The whole guide as one accessible web page, from the same model as the books."""
    options = RenderOptions(target="web", notes="popup", notes_by_call=True, heading_shift=1,
                            src_for=lambda src: f"media/{src}",
                            gettext=translator(site.brand.styles, guide.meta.language))
    renderer = HtmlRenderer(guide, options)
    chapters = plan_chapters(guide)
    for chapter in chapters:
        chapter.html = renderer.blocks(guide.section_blocks(chapter.section))
    for asset in guide.assets.values():
        site.add(f"{guide.folder}/media/{asset.src}", asset.data)
    site.add(f"{guide.folder}/read.html", templates.render(
        site.brand, "templates/site/read.html", lang=guide.meta.language, meta=guide.meta,
        chapters=chapters, notes=renderer.take_notes(), root=root_of(guide.folder),
        editions=others, draft=guide.draft, formats=formats or [],
        description=guide.meta.description or guide.meta.title,
        **page_head(site.stylesheet,
                    "" if guide.draft else page_url(guide.meta.url, "read.html"), image)))


# -- the site's own pages: 404 and the sitemap --------------------------------------------


def not_found_page(brand: Brand, language: str, top: str, stylesheet: str) -> bytes:
    """404.html, at the top. A server shows it for a missing page at any depth, so its
    links cannot be relative: they are absolute when the site's address is known (top),
    else relative to the top folder (right when it is shown there, or opened from disk)."""
    _ = translator(brand.styles, language)
    return templates.render(
        brand, "templates/site/404.html", lang=language, root=top,
        description=_("This page is not here. All our patient guides are listed on the "
                      "guides page."), draft=False,
        **{**page_head(stylesheet), "canonical": "", "og_url": ""}).encode("utf-8")


def sitemap_xml(manifest: dict, top: str) -> bytes:
    """sitemap.xml: every page whose absolute address is known (a guide with a url, the
    index when the site's top address is known; never a draft's), in the sitemaps.org
    format; b"" when
    there is none. A guide's lastmod is the later of its date and its review date."""
    from xml.sax.saxutils import escape

    entries = [(top, None)] if top else []
    for entry in manifest["guides"]:
        url = public_url(entry)
        if url:
            changed = max(filter(None, (entry.get("reviewed"), entry.get("date"))),
                          default=None)
            entries += [(page_url(url, page), changed)
                        for page in ("index.html", "read.html", REPORT)]
    if not entries:
        return b""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, changed in entries:
        when = f"<lastmod>{changed}</lastmod>" if changed else ""
        lines.append(f"  <url><loc>{escape(loc)}</loc>{when}</url>")
    return ("\n".join([*lines, "</urlset>"]) + "\n").encode("utf-8")



# -- the accessibility report --------------------------------------------------------------

REPORT = "accessibility.html"
EVIDENCE = "accessibility.json"
# What `publish verify` runs on each kind of file (guidepress/verify); the build lists
# them as not run yet, so the report never claims a check that did not happen.
CHECKERS = {"epub": ("EPUBCheck", "DAISY Ace"), "pdf": ("pdfua", "PDF structure"),
            "handout": ("pdfua", "PDF structure"), "site": ("axe-core",)}
SITE_PAGES = ("index.html", "read.html")  # each guide's pages that axe-core checks


def accessibility_summary(brand: Brand, language: str = "en-US") -> str:
    """The EPUB's schema:accessibilitySummary: the report quotes the same words."""
    return templates.render(brand, "templates/epub/accessibility-summary.txt",
                            language=language).strip()


def pending_report(brand: Brand, entry: dict) -> dict:
    """The report a build writes: every file listed, every checker "not run" yet."""
    reason = "not run yet: run `publish verify` on the output folder"
    files = [file_checks(f["path"], f["title"], f["sha256"],
                         [not_run(tool, f["path"], reason) for tool in CHECKERS.get(f["kind"], ())])
             for f in entry["files"]]
    here = folder_of(entry)
    pages = [file_checks(f"{here}/{page}", f"Web page: {page}", "",
                         [not_run("axe-core", f"{here}/{page}", reason)])
             for page in SITE_PAGES]
    return {"guide": here, "title": entry["title"], "result": "not verified",
            "checked": None, "measured": {},
            "summary": accessibility_summary(brand, entry.get("language") or "en-US"),
            "files": files + pages, "tools": {}}


def report_files(brand: Brand, report: dict, stylesheet: str, language: str = "en",
                 url: str = "") -> dict[str, bytes]:
    """accessibility.html and accessibility.json of one guide, by path; the page in the
    guide's ``language`` (the checkers' own messages stay as they wrote them), its
    canonical address from the guide's ``url`` when known. ``stylesheet`` is the site's
    versioned style sheet link (``site_assets``), made once for every page."""
    import json

    slug = report["guide"]
    checked = report.get("checked")
    language = "en" if language.startswith("en") else language  # English pages say "en"
    _ = translator(brand.styles, language)
    page = templates.render(
        brand, "templates/site/accessibility.html", lang=language, root=root_of(slug),
        report={**report,
                "checked_text": long_date(checked[:10], language) if checked else "",
                "checked_date": checked[:10] if checked else ""},
        description=_("How %(title)s is checked for accessibility.") % {
            "title": report["title"]},
        **page_head(stylesheet, page_url(url, REPORT)))
    data = json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return {f"{slug}/{REPORT}": page.encode("utf-8"), f"{slug}/{EVIDENCE}": data.encode()}


def add_report(site: Site, entry: dict, report: dict) -> None:
    for path, data in report_files(site.brand, report, site.stylesheet,
                                   entry.get("language") or "en", public_url(entry)).items():
        site.add(path, data)
