"""EPUB 3 writer (ebooklib builds the package; we write every XHTML file from templates).

Read ``write`` top to bottom for the structure of the book: cover, title page, contents,
one file per chapter, stylesheet, fonts, images, navigation, then a byte-stable zip.
"""

from __future__ import annotations

import io
import zipfile

from ebooklib import epub
from markupsafe import Markup

from .. import templates
from ..cover import cover_png
from ..fonts import FontFile, font_face_css
from ..model import Guide
from ..render import Chapter, HtmlRenderer, RenderOptions, plan_chapters
from . import BuildContext, OutputFile

XHTML = "application/xhtml+xml"


def write(guide: Guide, context: BuildContext) -> list[OutputFile]:
    book = new_book(guide, context)
    chapters = plan_chapters(guide)
    render_chapters(guide, chapters)
    add_stylesheet(book, context)
    add_fonts(book, context)
    add_assets(book, guide)
    pages = [
        add_cover(book, guide, context),
        add_page(book, context, guide, "title", "title.xhtml", "templates/epub/title.xhtml",
                 guide_font=context.brand.text_font),
        add_nav(book, context, guide, chapters),
        *(add_chapter(book, context, guide, chapter) for chapter in chapters),
    ]
    add_ncx(book, context, guide, chapters)
    book.spine = pages
    data = package(book, context)
    name = f"{guide.slug}/{guide.slug}.epub"
    return [OutputFile("epub", name, guide.meta.title, data)]


# -- metadata ----------------------------------------------------------------------------


def new_book(guide: Guide, context: BuildContext) -> epub.EpubBook:
    meta = guide.meta
    book = epub.EpubBook()
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
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
    if meta.url:
        book.add_metadata("DC", "source", meta.url)
    return book


# -- content -----------------------------------------------------------------------------


def render_chapters(guide: Guide, chapters: list[Chapter]) -> None:
    """Render every chapter with one renderer, so footnotes number through the book."""
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
                            src_for=lambda src: f"media/{src}", epub_types=True)
    renderer = HtmlRenderer(guide, options)
    for chapter in chapters:
        current["file"] = chapter.file_name
        chapter.html = renderer.blocks(guide.section_blocks(chapter.section))
        chapter.notes = renderer.take_notes()
        for number, _note, _html in chapter.notes:
            file_of_id[f"fn-{number}"] = chapter.file_name


def xhtml_item(uid: str, file_name: str, content: str, properties=()) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type=XHTML,
                         content=content.encode("utf-8"))
    item.properties = list(properties)
    return item


def add_page(book, context, guide, uid, file_name, template, properties=(), **extra) -> str:
    content = templates.render(context.brand, template, meta=guide.meta, guide=guide,
                               version=context.version, **extra)
    book.add_item(xhtml_item(uid, file_name, content, properties))
    return uid


def add_chapter(book, context, guide, chapter: Chapter) -> str:
    uid = chapter.file_name.removesuffix(".xhtml")
    return add_page(book, context, guide, uid, chapter.file_name,
                    "templates/epub/chapter.xhtml", chapter=chapter)


def add_cover(book, guide: Guide, context: BuildContext) -> str:
    image = epub.EpubItem(uid="cover-image", file_name="images/cover.png",
                          media_type="image/png", content=cover_png(guide, context.brand))
    image.properties = ["cover-image"]
    book.add_item(image)
    logo = context.brand.logo_path
    book.add_item(epub.EpubItem(uid="logo", file_name="images/logo.svg",
                                media_type="image/svg+xml", content=logo.read_bytes()))
    return add_page(book, context, guide, "cover", "cover.xhtml", "templates/epub/cover.xhtml")


def add_nav(book, context, guide, chapters: list[Chapter]) -> str:
    return add_page(book, context, guide, "nav", "nav.xhtml", "templates/epub/nav.xhtml",
                    properties=["nav"], chapters=chapters)


def add_ncx(book, context, guide, chapters: list[Chapter]) -> None:
    content = templates.render(context.brand, "templates/epub/toc.ncx", meta=guide.meta,
                               chapters=chapters)
    # The id "ncx" is what ebooklib names in <spine toc="…"> when no EpubNcx is used.
    book.add_item(epub.EpubItem(uid="ncx", file_name="toc.ncx",
                                media_type="application/x-dtbncx+xml",
                                content=content.encode("utf-8")))


def add_stylesheet(book, context: BuildContext) -> None:
    def url_for(font: FontFile) -> str:
        return f"../fonts/{font.path.name}"

    css = templates.render(context.brand, "css/epub.css",
                           font_faces=Markup(font_face_css(context.brand.text_font, url_for)))
    book.add_item(epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css",
                                content=css.encode("utf-8")))


def add_fonts(book, context: BuildContext) -> None:
    family = context.brand.text_font
    for index, font in enumerate(family.files):
        book.add_item(epub.EpubItem(uid=f"font-{index}", file_name=f"fonts/{font.path.name}",
                                    media_type="font/ttf", content=font.path.read_bytes()))
    # The SIL Open Font License travels with the font files it covers.
    book.add_item(epub.EpubItem(uid="font-license", file_name="fonts/OFL.txt",
                                media_type="text/plain",
                                content=family.license_file.read_bytes()))


def add_assets(book, guide: Guide) -> None:
    for index, asset in enumerate(sorted(guide.assets.values(), key=lambda a: a.src)):
        book.add_item(epub.EpubItem(uid=f"media-{index}", file_name=f"media/{asset.src}",
                                    media_type=asset.media_type,
                                    content=asset.path.read_bytes()))


# -- packaging ---------------------------------------------------------------------------


def package(book: epub.EpubBook, context: BuildContext) -> bytes:
    raw = io.BytesIO()
    options = {"mtime": context.timestamp, "epub2_guide": False, "raise_exceptions": True}
    epub.write_epub(raw, book, options)
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
