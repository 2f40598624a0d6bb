"""EPUB 3 writer (ebooklib builds the package; we write every XHTML file from templates).

Read ``write`` top to bottom for the structure of the book: cover, title page, contents,
one file per chapter, contact page, stylesheet, fonts, images, navigation with the
print edition's page-list (in the nav and the NCX), accessibility metadata, then a
byte-stable zip whose dcterms:modified names the edition (``edition_modified``).
"""

from __future__ import annotations

import colorsys
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ebooklib import epub
from markupsafe import Markup

from ..colors import luminance, parse_hex
from ..layout.book import layout_book
from ..layout.cover import cover_png
from ..model import Guide
from ..read.fonts import FontFile, font_face_css
from ..render import (
    Chapter,
    HtmlRenderer,
    RenderOptions,
    page_marker,
    plan_chapters,
    templates,
    visible_leaves,
)
from ..render.pages import PageStart, leaf_keys
from ..render.templates import DRAFT_MARK, N_, translator
from . import EPOCH_FLOOR, BuildContext, OutputFile

XHTML = "application/xhtml+xml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Template parts of the print book (pagination anchors) → the ebook file that holds them.
PART_FILES = {"title-page": "title.xhtml", "imprint": "title.xhtml", "toc": "nav.xhtml",
              "contact": "contact.xhtml"}

ACCESSIBILITY_FEATURES = (
    "tableOfContents", "readingOrder", "structuralNavigation", "alternativeText",
    "pageNavigation", "pageBreakMarkers", "displayTransformability",
)


@dataclass
class PageList:
    """The print edition's pages, placed in the ebook."""

    in_leaves: dict[str, list[PageStart]]  # leaf block key → pages that begin in it
    in_parts: dict[str, list[PageStart]]  # template part → pages that begin there
    files: dict[str, str] = field(default_factory=dict)  # marker id → file that holds it
    order: list[PageStart] = field(default_factory=list)
    placed: set[str] = field(default_factory=set)  # marker ids written into some page


def write(guide: Guide, context: BuildContext) -> list[OutputFile]:
    book = new_book(guide, context)
    pages = plan_page_list(guide, context)
    chapters = plan_chapters(guide)
    render_chapters(guide, chapters, pages, context.brand.styles)
    add_stylesheet(book, context, guide)
    add_fonts(book, context)
    add_assets(book, guide)
    thumb = add_cover(book, guide, context)
    spine = [
        "cover",
        add_page(book, context, guide, "title", "title.xhtml", "templates/epub/title.xhtml",
                 pages),
        add_nav(book, context, guide, chapters, pages),
        *(add_chapter(book, context, guide, chapter, pages) for chapter in chapters),
        add_page(book, context, guide, "contact", "contact.xhtml",
                 "templates/epub/contact.xhtml", pages),
        (add_page(book, context, guide, "font-licence", "font-licence.xhtml",
                  "templates/epub/font-licence.xhtml", pages), "no"),
    ]
    check_page_list(pages)
    book.spine = spine
    add_ncx(book, context, guide, chapters, pages)
    add_accessibility_metadata(book, guide, context)
    data = package(book, context, edition_modified(book, guide, context))
    name = f"{guide.folder}/{guide.slug}.epub"
    return [OutputFile("epub", name, guide.meta.title, data, thumb=thumb)]


# -- metadata ----------------------------------------------------------------------------


def new_book(guide: Guide, context: BuildContext) -> epub.EpubBook:
    meta = guide.meta
    book = epub.EpubBook()
    book.set_identifier(meta.identifier)
    book.set_title(book_title(guide, context))
    book.set_language(meta.language)
    # ebooklib writes its own generator meta; ours names the pipeline instead.
    book.set_unique_metadata("OPF", "generator", "", {"name": "generator",
                                                      "content": f"guidepress {context.version}"})
    if meta.subtitle:
        book.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle",
                          {"refines": "#subtitle", "property": "title-type"})
    if meta.author:
        book.add_author(meta.author)
    for name, value in (("publisher", meta.publisher), ("description", meta.description)):
        if value:
            book.add_metadata("DC", name, value)
    if meta.date:
        book.add_metadata("DC", "date", meta.date.isoformat())
    for keyword in meta.keywords:
        book.add_metadata("DC", "subject", keyword)
    return book


def book_title(guide: Guide, context: BuildContext) -> str:
    """dc:title, which reading apps list the book by: a translation not yet reviewed
    says so before its title, where a reader sees it on the shelf."""
    if not guide.draft:
        return guide.meta.title
    _ = translator(context.brand.styles, guide.meta.language)
    return _("%(mark)s: %(title)s") % {"mark": _(DRAFT_MARK), "title": guide.meta.title}


def add_meta(book: epub.EpubBook, prop: str, value: str) -> None:
    book.add_metadata(None, "meta", value, {"property": prop})


def add_accessibility_metadata(book, guide: Guide, context: BuildContext) -> None:
    """Schema.org accessibility metadata (EPUB Accessibility 1.1). Every claim here is
    checked by the tests: EPUBCheck and DAISY Ace report nothing, every image has alt
    text, and the page-list covers every page of the print edition."""
    for mode in ("textual", "visual"):
        add_meta(book, "schema:accessMode", mode)
    for sufficient in ("textual", "textual,visual"):
        add_meta(book, "schema:accessModeSufficient", sufficient)
    for feature in ACCESSIBILITY_FEATURES:
        add_meta(book, "schema:accessibilityFeature", feature)
    add_meta(book, "schema:accessibilityHazard", "none")
    add_meta(book, "schema:accessibilitySummary", templates.render(
        context.brand, "templates/epub/accessibility-summary.txt",
        language=guide.meta.language).strip())
    add_meta(book, "dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA")
    add_meta(book, "a11y:certifiedBy", guide.meta.publisher or context.brand.data.name)
    # EPUBCheck 5.3 knows this property unprefixed (a "pageBreakSource" meta), not as
    # a11y:pageBreakSource, which it rejects (OPF-027).
    add_meta(book, "pageBreakSource", print_edition(guide, context))


PAPER_NAMES = {"letter": N_("US Letter"), "a4": N_("A4")}


def print_edition(guide: Guide, context: BuildContext) -> str:
    _ = translator(context.brand.styles, guide.meta.language)
    values = {"title": guide.meta.title, "paper": _(PAPER_NAMES[context.brand.data.paper]),
              "file": f"{guide.slug}.pdf",
              "publisher": guide.meta.publisher or context.brand.data.name}
    if guide.meta.date:
        return _("%(title)s, print edition (%(paper)s, %(file)s), %(publisher)s, %(year)s"
                 ) % {**values, "year": guide.meta.date.year}
    return _("%(title)s, print edition (%(paper)s, %(file)s), %(publisher)s") % values


# -- the print edition's pages -----------------------------------------------------------


def plan_page_list(guide: Guide, context: BuildContext) -> PageList:
    """Sort the print edition's page starts by where they go in the ebook.

    A page that begins in a block the ebook leaves out (a .print-only block) is moved to
    the start of the next block the ebook has.
    """
    if context.pages is not None:
        starts = context.pages
    else:
        starts = (context.book or layout_book(guide, context)).pages
    keys = leaf_keys(guide)
    shown = visible_leaves(guide, "epub", keys)
    in_leaves: dict[str, list[PageStart]] = defaultdict(list)
    in_parts: dict[str, list[PageStart]] = defaultdict(list)
    for start in starts:
        if not start.anchor.isdigit():
            in_parts[start.anchor].append(start)
        elif start.anchor in shown:
            in_leaves[start.anchor].append(start)
        else:
            later = sorted(int(k) for k in shown if int(k) > int(start.anchor))
            if later:
                moved = PageStart(start.index, start.label, str(later[0]), 0, start.blank)
                in_leaves[moved.anchor].append(moved)
            else:
                in_parts["contact"].append(start)
    pages = PageList(dict(in_leaves), dict(in_parts), order=list(starts))
    for part, starts in in_parts.items():
        pages.files.update((start.marker_id, PART_FILES[part]) for start in starts)
    return pages


def part_markers(pages: PageList, part: str) -> Markup:
    """Markers for the pages that begin in a template part (title page, contents…)."""
    starts = pages.in_parts.get(part, [])
    pages.placed.update(start.marker_id for start in starts)
    return Markup("").join(page_marker(start) for start in starts)


def check_page_list(pages: PageList) -> None:
    missing = [s.label for s in pages.order if s.marker_id not in pages.placed]
    if missing:  # a bug, not a manuscript problem: every page must have its marker
        raise RuntimeError(f"page-break markers missing for pages {', '.join(missing)}")


# -- content -----------------------------------------------------------------------------


def render_chapters(guide: Guide, chapters: list[Chapter], pages: PageList,
                    styles: Path) -> None:
    """Render every chapter with one renderer, so footnotes number through the book;
    the words it adds (callout labels) come from the catalogs in ``styles``."""
    file_of_id: dict[str, str] = {}
    for chapter in chapters:
        for block in guide.section_blocks(chapter.section):
            for node in block.walk():
                if node.id:
                    file_of_id[node.id] = chapter.file_name
    current = {"file": ""}

    def href_for(target: str) -> str:
        where = file_of_id.get(target, current["file"])
        return f"#{target}" if where == current["file"] else f"{where}#{target}"

    options = RenderOptions(target="epub", notes="popup", href_for=href_for,
                            src_for=lambda src: f"media/{src}", epub_types=True,
                            leaf_keys=leaf_keys(guide), page_breaks=pages.in_leaves,
                            gettext=translator(styles, guide.meta.language))
    renderer = HtmlRenderer(guide, options)
    for chapter in chapters:
        current["file"] = chapter.file_name
        chapter.html = renderer.blocks(guide.section_blocks(chapter.section))
        chapter.notes = renderer.take_notes()
        for number, *_ in chapter.notes:
            file_of_id[f"fn-{number}"] = chapter.file_name
        for start in renderer.take_markers():
            pages.files[start.marker_id] = chapter.file_name
            pages.placed.add(start.marker_id)


def xhtml_item(uid: str, file_name: str, content: str, properties=()) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type=XHTML,
                         content=content.encode("utf-8"))
    properties = list(properties)
    if "<svg" in content:  # EPUB requires the 'svg' property on pages with inline SVG
        properties.append("svg")
    item.properties = properties
    return item


def add_page(book, context, guide, uid, file_name, template, pages: PageList,
             properties=(), **extra) -> str:
    content = templates.render(
        context.brand, template, meta=guide.meta, guide=guide, version=context.version,
        draft=guide.draft,
        guide_font=context.brand.text_font, markers=lambda part: part_markers(pages, part),
        **extra)
    book.add_item(xhtml_item(uid, file_name, content, properties))
    return uid


def add_chapter(book, context, guide, chapter: Chapter, pages: PageList) -> str:
    uid = chapter.file_name.removesuffix(".xhtml")
    return add_page(book, context, guide, uid, chapter.file_name,
                    "templates/epub/chapter.xhtml", pages, chapter=chapter)


def add_cover(book, guide: Guide, context: BuildContext) -> bytes:
    """The cover image and page; returns a thumbnail of the cover for the site."""
    cover, thumb = context.cover or cover_png(guide, context.brand)
    image = epub.EpubItem(uid="cover-image", file_name="images/cover.png",
                          media_type="image/png", content=cover)
    image.properties = ["cover-image"]
    book.add_item(image)
    logo = context.brand.logo_path
    book.add_item(epub.EpubItem(uid="logo", file_name="images/logo.svg",
                                media_type="image/svg+xml", content=logo.read_bytes()))
    content = templates.render(context.brand, "templates/epub/cover.xhtml", meta=guide.meta,
                               draft=guide.draft)
    book.add_item(xhtml_item("cover", "cover.xhtml", content))
    # The EPUB 2 ways of naming the cover, which calibre (and so Kindle's pipeline) and
    # older reading systems read instead of the 'cover-image' property: without them
    # calibre makes a cover page of its own and keeps ours after it, two covers. EPUBCheck
    # accepts both in EPUB 3 (the <guide> as a legacy element, the meta as OPF 2 metadata).
    book.add_metadata(None, "meta", None, {"name": "cover", "content": image.id})
    _ = translator(context.brand.styles, guide.meta.language)
    book.guide = [{"type": "cover", "title": _("Cover"), "href": "cover.xhtml"}]
    return thumb


def add_nav(book, context, guide, chapters: list[Chapter], pages: PageList) -> str:
    return add_page(book, context, guide, "nav", "nav.xhtml", "templates/epub/nav.xhtml",
                    pages, properties=["nav"], chapters=chapters,
                    page_list=page_list_entries(pages))


def page_list_entries(pages: PageList) -> list[tuple[str, str]]:
    """(label, href) for every printed page, in page order (chapters are rendered first)."""
    return [(s.label, f"{pages.files[s.marker_id]}#{s.marker_id}") for s in pages.order]


@dataclass(frozen=True, slots=True)
class PageTarget:
    """One printed page in the NCX's pageList (the EPUB 2 page-list)."""

    label: str
    src: str
    kind: str  # "normal" (arabic folios), "front" (roman), "special"
    value: str  # the page number of a "normal" page, else ""


ROMAN_LETTERS = frozenset("ivxlcdm")


def page_targets(pages: PageList) -> list[PageTarget]:
    """The nav page-list's pages, in the same order and to the same places."""
    targets = []
    for label, src in page_list_entries(pages):
        if label.isdigit():
            targets.append(PageTarget(label, src, "normal", label))
        else:
            kind = "front" if set(label.lower()) <= ROMAN_LETTERS else "special"
            targets.append(PageTarget(label, src, kind, ""))
    return targets


def play_order(book: epub.EpubBook, sources: list[str]) -> dict[str, int]:
    """src → playOrder: one sequence from 1 over the NCX's navPoints and pageTargets, in
    reading order (spine order, then where the fragment's id stands in its file), the
    same number for the same src (as NCX and EPUBCheck ask)."""
    spine = [book.get_item_with_id(entry[0] if isinstance(entry, tuple) else entry).file_name
             for entry in book.spine]

    def position(src: str) -> tuple[int, int]:
        name, _, fragment = src.partition("#")
        if not fragment:
            return spine.index(name), -1
        offset = book.get_item_with_href(name).content.find(f'id="{fragment}"'.encode())
        if offset < 0:  # a bug, not a manuscript problem
            raise RuntimeError(f"the NCX points at {src}, which is not there")
        return spine.index(name), offset

    ordered = sorted(set(sources), key=position)
    return {src: number for number, src in enumerate(ordered, start=1)}


def add_ncx(book, context, guide, chapters: list[Chapter], pages: PageList) -> None:
    arabic = [int(s.label) for s in pages.order if s.label.isdigit()]
    targets = page_targets(pages)
    nav_sources = [src for chapter in chapters for src in (
        chapter.file_name, *(f"{chapter.file_name}#{sub.id}" for sub in chapter.subsections))]
    play = play_order(book, [*nav_sources, "contact.xhtml", *(t.src for t in targets)])
    content = templates.render(context.brand, "templates/epub/toc.ncx", meta=guide.meta,
                               draft=guide.draft,
                               chapters=chapters, page_count=len(pages.order),
                               max_page=max(arabic, default=0), page_targets=targets,
                               play=play)
    # The id "ncx" is what ebooklib names in <spine toc="…"> when no EpubNcx is used.
    book.add_item(epub.EpubItem(uid="ncx", file_name="toc.ncx",
                                media_type="application/x-dtbncx+xml",
                                content=content.encode("utf-8")))


def add_stylesheet(book, context: BuildContext, guide: Guide) -> None:
    def url_for(font: FontFile) -> str:
        return f"../fonts/{font.path.name}"

    css = templates.render(context.brand, "css/epub.css", draft=guide.draft,
                           language=guide.meta.language,
                           font_faces=Markup(font_face_css(context.brand.text_font, url_for)),
                           colors=ebook_colors(context))
    book.add_item(epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css",
                                content=css.encode("utf-8")))


# -- colours that read on a white page and on a black one --------------------------------

# Relative luminance (WCAG 2) of a colour with at least 4.5:1 against both white and black:
# (L + 0.05) / 0.05 >= 4.5 and 1.05 / (L + 0.05) >= 4.5, that is 0.175 <= L <= 0.1833.
TEXT_LUMINANCE = (0.175, 0.183)
# At least 3:1 against both (WCAG's non-text contrast, for lines): 0.10 <= L <= 0.30.
LINE_LUMINANCE = (0.10, 0.30)
LUMINANCE_MARGIN = 0.002  # how far inside its band a moved colour is aimed
# Brand colour → what the ebook uses it for (epub.css): text first, as text asks more.
EBOOK_COLORS = {"primary": TEXT_LUMINANCE, "warning": LINE_LUMINANCE,
                "rule": LINE_LUMINANCE}


def ebook_colors(context: BuildContext) -> dict[str, str]:
    """The brand colours the ebook's style sheet uses, each made light or dark enough to
    read on white and on black.

    A reading app's night mode turns the page black and keeps the author's colours, so a
    heading in the brand's dark blue (2.6:1 on black) all but disappears. A media query
    (prefers-color-scheme: dark) is not enough: many reading apps do not set it for their
    night mode, or follow the device's setting instead of the page's. Instead each colour
    keeps its hue and saturation and moves its lightness the least that brings its
    luminance into the band its use needs (``EBOOK_COLORS``): 4.5:1 on both grounds for
    text, 3:1 for lines. tests/test_epub_readers.py measures
    every colour of the built style sheet against both.
    """
    return {name: within_luminance(context.brand.color(name), *band)
            for name, band in EBOOK_COLORS.items()}


def within_luminance(color: str, low: float, high: float) -> str:
    """``color`` (#rrggbb) as it is if its luminance is in [low, high], else the colour of
    the same hue and saturation (HLS) with the luminance of the nearer end of the band,
    ``LUMINANCE_MARGIN`` inside it: the least change that reads on both grounds."""
    rgb = parse_hex(color)
    now = luminance(rgb)
    if low <= now <= high:
        return color.lower()
    hue, _, saturation = colorsys.rgb_to_hls(*(v / 255 for v in rgb))
    target = low + LUMINANCE_MARGIN if now < low else high - LUMINANCE_MARGIN

    def at(lightness: float) -> tuple[int, int, int]:
        return tuple(round(v * 255) for v in colorsys.hls_to_rgb(hue, lightness, saturation))

    darker, lighter = 0.0, 1.0  # luminance grows with HLS lightness
    for _ in range(40):
        middle = (darker + lighter) / 2
        if luminance(at(middle)) < target:
            darker = middle
        else:
            lighter = middle
    inside = [c for c in (at(darker), at(lighter)) if low <= luminance(c) <= high]
    if not inside:  # the margin is wider than a step of #rrggbb: cannot happen
        raise ValueError(f"no colour like {color} has a luminance in [{low}, {high}]")
    best = min(inside, key=lambda c: abs(luminance(c) - target))
    return "#{:02x}{:02x}{:02x}".format(*best)


def add_fonts(book, context: BuildContext) -> None:
    family = context.brand.text_font
    for index, font in enumerate(family.files):
        book.add_item(epub.EpubItem(uid=f"font-{index}", file_name=f"fonts/{font.path.name}",
                                    media_type="font/ttf", content=font.path.read_bytes()))


def add_assets(book, guide: Guide) -> None:
    for index, asset in enumerate(sorted(guide.assets.values(), key=lambda a: a.src)):
        book.add_item(epub.EpubItem(uid=f"media-{index}", file_name=f"media/{asset.src}",
                                    media_type=asset.media_type, content=asset.data))


# -- packaging ---------------------------------------------------------------------------


class Writer(epub.EpubWriter):
    """ebooklib's writer, plus the xml:lang on <package> that accessibility checkers want."""

    def _write_opf_file(self, root):
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)


def edition_modified(book: epub.EpubBook, guide: Guide, context: BuildContext) -> dt.datetime:
    """The ebook's ``dcterms:modified``: which edition of the guide this is.

    EPUB 3 names a release of a publication by its identifier (which a guide keeps from
    edition to edition) and this date, so it is what tells a reading app that a file is
    a new edition of a book it already has. It must change when the book does, and stay
    the same when the same manuscript is built again (the build is byte-stable).

    When the build timestamp is the guide's edition day (its front matter ``date``, the day
    the editor sets, at midnight UTC; or 1980-01-01 without one), the time of day is
    derived from the book's content: SHA-256 over every file of the ebook (name and bytes;
    the NCX, navigation, pages, style sheet, fonts, images) and its metadata, but for the
    generator meta, which names the guidepress version, taken as seconds modulo one day. So
    two editions of the same day differ (they share a time by a 1-in-86,400 chance only),
    an edition dated a later day sorts after, and a rebuild gives the same time. A build
    timestamp given by SOURCE_DATE_EPOCH is a release time already: it is used as it is.
    The zip entries keep the build timestamp (``stable_zip``).
    """
    day = dt.datetime.combine(guide.meta.date, dt.time(), tzinfo=dt.UTC) if guide.meta.date \
        else EPOCH_FLOOR
    if context.timestamp != day:
        return context.timestamp
    digest = hashlib.sha256()
    for item in sorted(book.get_items(), key=lambda item: item.file_name):
        digest.update(item.file_name.encode() + b"\0" + item.get_content() + b"\0")
    metadata = {str(ns): {name: values for name, values in names.items()
                          if name != "generator"} for ns, names in book.metadata.items()}
    digest.update(json.dumps([metadata, book.spine, book.guide], sort_keys=True,
                             default=str).encode())
    seconds = int.from_bytes(digest.digest()[:8], "big") % 86400
    return day + dt.timedelta(seconds=seconds)


def package(book: epub.EpubBook, context: BuildContext, modified: dt.datetime) -> bytes:
    """The EPUB's bytes: ``modified`` is its dcterms:modified (``edition_modified``)."""
    raw = io.BytesIO()
    options = {"mtime": modified, "epub2_guide": True, "raise_exceptions": True}
    writer = Writer(raw, book, options)
    writer.process()
    writer.write()
    return stable_zip(raw.getvalue(), context)


def stable_zip(data: bytes, context: BuildContext) -> bytes:
    """Rewrite the zip so equal input gives equal bytes.

    ``mimetype`` first and stored (the EPUB rule), then the other entries sorted by name,
    each with the build timestamp instead of the wall clock.
    """
    when = max(context.timestamp.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda n: (n != "mimetype", n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=when)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name), compresslevel=None if stored else 9)
    return out.getvalue()
