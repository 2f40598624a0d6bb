"""The words the program prints come from a message catalog (styles/locale/<lang>.po),
and a translation not yet reviewed carries a draft mark in every output.

The Spanish guide here is the shipped manuscript read as it is, with its language set to
Spanish and a translation that is not yet reviewed: what changes is only what the program
adds (headings, labels, dates, the brand's texts, the draft mark), which is what these
tests look at. The manuscript's own words are the catalog reader's business.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from lxml import etree
from pypdf import PdfReader

from guidepress.model import Translation
from guidepress.project import DEFAULT_STYLES
from guidepress.read.brand import load_brand
from guidepress.read.guide import read_guide
from guidepress.render import templates
from guidepress.render.templates import (
    long_date,
    missing_messages,
    program_messages,
    translator,
)
from guidepress.writers import BuildContext, build_timestamp, epub, handout, pdf

from .conftest import SHIPPED
from .pdftools import page_texts
from .test_epub import NS

MARK = "BORRADOR — traducción aún no revisada"
ENGLISH_MARK = "DRAFT — translation not yet reviewed"
TITLE = "Muscle Spasms"


def spanish(reviewed: bool):
    guide, _ = read_guide(SHIPPED)
    return dataclasses.replace(
        guide, meta=dataclasses.replace(guide.meta, language="es"),
        translation=Translation("es", Path("x.po"), "en-US", reviewed=reviewed))


class Outputs:
    """One Spanish guide's EPUB, print PDF and handouts, written to a folder."""

    def __init__(self, guide, folder: Path) -> None:
        self.guide = guide
        context = BuildContext(load_brand(DEFAULT_STYLES), "test", build_timestamp(guide))
        self.epub = epub.write(guide, context)[0].data
        self.pdf = folder / "book.pdf"
        self.pdf.write_bytes(pdf.write(guide, context)[0].data)
        self.handouts = []
        for file in handout.write(guide, context):
            path = folder / Path(file.path).name
            path.write_bytes(file.data)
            self.handouts.append((path, file.pages))

    def xhtml(self, name: str):
        with zipfile.ZipFile(io.BytesIO(self.epub)) as archive:
            return etree.fromstring(archive.read(f"EPUB/{name}"))

    def documents(self) -> dict[str, object]:
        """Every content document in the spine, parsed."""
        opf = self.xhtml("content.opf")
        items = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:item", NS)}
        spine = [items[ref.get("idref")] for ref in opf.iterfind(".//opf:itemref", NS)]
        return {name: self.xhtml(name) for name in spine}

    def title(self) -> str:
        return self.xhtml("content.opf").findtext(".//dc:title", namespaces=NS)


@pytest.fixture(scope="module")
def draft(tmp_path_factory) -> Outputs:
    return Outputs(spanish(reviewed=False), tmp_path_factory.mktemp("draft"))


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> Outputs:
    return Outputs(spanish(reviewed=True), tmp_path_factory.mktemp("reviewed"))


def words(text: str) -> str:
    return " ".join(text.split())


def text(element) -> str:
    return words("".join(element.itertext()))


# -- the program's words in Spanish ------------------------------------------------------


def test_the_ebook_navigation_is_in_spanish(draft):
    nav = draft.xhtml("nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    assert toc.findtext("x:h1", namespaces=NS) == "Contenido"
    assert toc.findall("x:ol/x:li/x:a", NS)[-1].text == "Cómo comunicarse con nosotros"
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    assert landmarks.get("aria-label") == "Puntos de referencia"
    assert "Empezar a leer" in text(landmarks)
    assert "Contents" not in text(nav) and "Landmarks" not in text(nav)


def test_dates_are_spanish(draft):
    imprint = text(draft.xhtml("title.xhtml"))
    assert "Publicado por Kayal Orthopaedic Center el 25 de noviembre de 2026." in imprint
    assert "Revisión médica: 2 de noviembre de 2026." in imprint
    for path, _ in draft.handouts:
        assert "Revisión médica: 2 de noviembre de 2026" in words(" ".join(page_texts(path)))


@pytest.mark.parametrize(("language", "expected"), [
    ("en-US", "November 25, 2026"), ("es", "25 de noviembre de 2026"),
    ("es-US", "25 de noviembre de 2026"), ("es-419", "25 de noviembre de 2026"),
    ("qaa-x-unknown", "November 25, 2026"),  # a tag Babel does not know: English
])
def test_long_date_in_each_language(language, expected):
    assert long_date(dt.date(2026, 11, 25), language) == expected


def test_the_brand_texts_are_translated(draft):
    page = words(" ".join(page_texts(draft.handouts[0][0])))
    assert "Atención excepcional de pies a cabeza" in page
    assert "No reemplaza los consejos de su propio médico." in page
    contact = text(draft.xhtml("contact.xhtml"))
    assert "De lunes a viernes, de 8 a. m. a 5 p. m." in contact
    assert "Teléfono" in contact and "Horario" in contact


def test_the_words_the_renderer_adds_are_translated(draft):
    """A callout without a title of its own is labelled by the renderer; a task box's
    state is spoken: both in the guide's language."""
    from guidepress.model import Node
    from guidepress.render import HtmlRenderer, RenderOptions

    words_ = Node("paragraph", (Node("text", text="Descanse."),))
    callout = Node("div", (words_,), {"class": "warning"})
    task = Node("list_item", (words_,), {"task": "open"})
    options = RenderOptions(target="epub", notes="popup",
                            gettext=translator(DEFAULT_STYLES, draft.guide.meta.language))
    renderer = HtmlRenderer(draft.guide, options)
    assert 'aria-label="Busque ayuda de inmediato"' in renderer.block(callout)
    assert 'aria-label="pendiente"' in renderer.block(task)
    english = HtmlRenderer(draft.guide, RenderOptions(target="epub", notes="popup"))
    assert 'aria-label="Get help right away"' in english.block(callout)


# -- the draft mark ----------------------------------------------------------------------


def test_every_page_of_the_print_book_is_marked(draft):
    pages = page_texts(draft.pdf)
    assert len(pages) > 10
    unmarked = [n for n, page in enumerate(pages, 1) if MARK not in words(page)]
    assert unmarked == []


def test_every_handout_is_marked_and_still_one_page(draft):
    assert len(draft.handouts) == 3
    for path, pages in draft.handouts:
        texts = page_texts(path)
        assert pages == 1 and len(texts) == 1, path.name
        assert MARK in words(texts[0]), path.name


def test_the_draft_handouts_keep_the_type_size_of_the_reviewed_ones(draft, reviewed):
    """The mark stands beside the brand in the header: it takes no room from the text,
    so the fit search picks the same size with it as without it."""
    from .pdftools import body_size

    for (marked, _), (plain, _) in zip(draft.handouts, reviewed.handouts, strict=True):
        assert body_size(marked) == body_size(plain), marked.name


def test_the_spanish_handouts_are_as_legible_as_the_english(reviewed):
    """The same floor as tests/test_handouts.py::test_legibility_measured: 12 pt text, and
    nothing under 8.5 pt (note numbers, figure labels)."""
    from .pdftools import body_size, font_sizes

    for path, _ in reviewed.handouts:
        assert body_size(path) >= 12.0, path.name
        assert min(font_sizes(path)) >= 8.5, path.name
    prevention = next(path for path, _ in reviewed.handouts if path.stem == "prevention")
    assert "Cuándo llamar Llámenos al" in words(" ".join(page_texts(prevention)))


def test_the_ebook_title_and_every_document_carry_the_mark(draft):
    assert draft.title() == f"{MARK}: {TITLE}"
    documents = draft.documents()
    assert len(documents) >= 8
    for name, root in documents.items():
        body = root.find("x:body", NS)
        first = next(iter(body.iterfind("*")))
        assert first.get("class") == "draft-mark" and text(first) == MARK, name


def test_the_pdf_titles_carry_the_mark(draft):
    assert PdfReader(draft.pdf).metadata.title.startswith(f"{MARK}: {TITLE}")
    for path, _ in draft.handouts:
        assert PdfReader(path).metadata.title.startswith(f"{MARK}: "), path.name


def test_a_reviewed_translation_has_no_mark_anywhere(reviewed):
    assert reviewed.title() == TITLE
    for name, root in reviewed.documents().items():
        assert MARK not in text(root) and ENGLISH_MARK not in text(root), name
        assert root.find(".//*[@class='draft-mark']") is None, name
    with zipfile.ZipFile(io.BytesIO(reviewed.epub)) as archive:
        assert b"draft-mark" not in archive.read("EPUB/css/book.css")
        assert MARK.encode() not in archive.read("EPUB/toc.ncx")
    for path in [reviewed.pdf, *(p for p, _ in reviewed.handouts)]:
        assert MARK not in words(" ".join(page_texts(path))), path.name
        assert MARK not in (PdfReader(path).metadata.title or ""), path.name
    # still Spanish: the mark, not the language, is what review removes
    assert reviewed.xhtml("nav.xhtml").findtext(".//x:h1", namespaces=NS) == "Contenido"


# -- the catalogs ------------------------------------------------------------------------


def test_the_spanish_catalog_translates_every_message():
    """A new English word in a template or in the writers fails here until es.po has it."""
    assert missing_messages(DEFAULT_STYLES, "es") == []


def test_the_shipped_catalog_is_a_valid_spanish_po_file():
    with (DEFAULT_STYLES / "locale" / "es.po").open("rb") as file:
        catalog = read_po(file, abort_invalid=True)
    assert str(catalog.locale) == "es"
    assert catalog.num_plurals == 2
    assert dict(catalog.mime_headers)["Content-Type"] == "text/plain; charset=utf-8"
    assert not [m.id for m in catalog if m.id and m.fuzzy]


def test_the_message_template_is_current():
    """styles/locale/messages.pot is what `python -m guidepress.render.templates` makes."""
    with (DEFAULT_STYLES / "locale" / "messages.pot").open("rb") as file:
        shipped = [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id]
    assert shipped == program_messages(DEFAULT_STYLES)


def test_a_new_message_is_reported_missing(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES, styles)
    nav = styles / "templates" / "epub" / "nav.xhtml"
    nav.write_text(nav.read_text(encoding="utf-8").replace(
        "{% block body %}", '{% block body %}<p>{{ _("A brand new sentence.") }}</p>'),
        encoding="utf-8")
    assert missing_messages(styles, "es") == ["A brand new sentence."]
    assert missing_messages(styles, "en-US") == []
    assert "A brand new sentence." in missing_messages(styles, "fr")  # no catalog at all


def test_languages_match_their_catalog_by_primary_subtag():
    for tag in ("es", "es-US", "es-419", "es_MX"):
        assert translator(DEFAULT_STYLES, tag)("Contents") == "Contenido", tag
    for tag in ("en-US", "en", "fr", "zz"):  # English, or no catalog: the msgid
        assert translator(DEFAULT_STYLES, tag)("Contents") == "Contents", tag


def test_untranslated_and_fuzzy_messages_print_the_english(tmp_path):
    styles = tmp_path / "styles"
    (styles / "locale").mkdir(parents=True)
    (styles / "locale" / "es.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Contents"\nmsgstr "Contenido"\n\n'
        '#, fuzzy\nmsgid "Notes"\nmsgstr "Notitas"\n\n'
        'msgid "Pages"\nmsgstr ""\n', encoding="utf-8")
    _ = translator(styles, "es")
    assert (_("Contents"), _("Notes"), _("Pages"), _("Cover")) == (
        "Contenido", "Notes", "Pages", "Cover")


def test_english_renders_with_the_brand_as_it_is():
    brand = load_brand(DEFAULT_STYLES)
    summary = templates.render(brand, "templates/epub/accessibility-summary.txt")
    assert summary.startswith("This ebook has a table of contents")
    spanish_summary = templates.render(brand, "templates/epub/accessibility-summary.txt",
                                       language="es-US")
    assert spanish_summary.startswith("Este libro electrónico tiene un índice")
