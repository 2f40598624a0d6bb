"""Nothing the author writes is lost: word coverage, leaked Markdown, pandoc's test suite.

The evidence is outside text (tests/outside/, see SOURCES.md) as well as the shipped
guides. The stored documents are never edited: each test writes a wrapper copy that adds
the front matter a guide needs and makes the few changes listed in TRANSFORMS, each with
the reason it cannot be avoided today. The lead shrinks that list as the reader learns more.

Word source of truth: ``pandoc -t plain`` of the same wrapper (pandoc from the test
dependency pypandoc-binary), or the model's own plain text when pandoc is absent.
"""

from __future__ import annotations

import collections
import difflib
import functools
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from guidepress.build import build
from guidepress.errors import PublishError
from guidepress.layout.book import office_edition
from guidepress.model import ONLY, Guide, visible
from guidepress.project import DEFAULT_STYLES
from guidepress.read.brand import load_brand
from guidepress.read.guide import read_guide
from guidepress.render import HtmlRenderer, RenderOptions

from .conftest import GUIDES, ROOT
from .pdftools import page_texts, words_outside

OUTSIDE = Path(__file__).resolve().parent / "outside"
SHIPPED = sorted((ROOT / "manuscript").glob("*.md"))

# -- what fails today, in ONE place ---------------------------------------------------------
# pandoc test-suite sections that differ from pandoc's HTML today, by reason. Each entry is
# strict: when the feature lands the test passes, fails as XPASS, and the entry must go.
SECTION_XFAIL: dict[str, str] = {
    # By design (README, "What differs from pandoc"): refused, each with its line.
    "Special Characters": "'∈' (U+2208) is not in the guide's fonts",
    "Links": "the empty link [Empty]()",
}
# Whole-document checks that fail today, by (check, document); checks: epub-words,
# pdf-words, epub-leaks, pdf-leaks, page-edge.
CHECKS = ("epub-words", "pdf-words", "epub-leaks", "pdf-leaks", "page-edge")
DOCUMENT_XFAIL: dict[tuple[str, str], str] = {
    **{(check, "commonmark-spec"): "does not build, by design: 12 characters of its "
       "examples (Greek, arrows…) are not in the fonts" for check in CHECKS},
    # Not lost, but broken: a word wider than its table column breaks inside the cell
    # ("Templatin" / "g"), and pdftotext reads a row's cells line by line, so the pieces
    # are not side by side. `publish check --render` warns of such tables.
    ("pdf-words", "manual"): "'hard_line_breaks' broken inside a grid-table cell",
    ("pdf-words", "meta-review"): "'templating', 'bibliography' broken inside the cells of "
                                  "a seven-column table",
}

# -- the outside documents and the changes their wrappers make --------------------------------


@dataclass(frozen=True)
class Transform:
    pattern: str  # a regular expression (re.MULTILINE) over the document's body
    replacement: str
    why: str
    count: int = 0  # how many matches to expect; 0: at least one


@dataclass(frozen=True)
class Outside:
    file: str
    title: str
    transforms: tuple[Transform, ...] = ()


# Site-relative links (pandoc's test suite links to "/url", "/script?…"): the reader refuses
# a link to a path, since nothing beside the manuscript is published. Resolved against a
# host; the expected HTML gets the same host (see expected_sections), so hrefs compare.
RELATIVE_HOST = "https://example.org"
RELATIVE_URL = Transform(r"(?<=[(<\s\"'])/(?=url|script)", RELATIVE_HOST + "/",
                         "links to site paths are refused; resolved against a host")

TRANSFORMS: dict[str, Outside] = {
    "testsuite": Outside("testsuite.txt", "Pandoc Test Suite", (
        RELATIVE_URL,
        # The "HTML Blocks" section is raw HTML by design: the reader refuses raw HTML
        # (README: write Markdown), so the wrapper leaves the section out, as the
        # section comparison does (see EXCLUDED).
        Transform(r"^# HTML Blocks\n.*?(?=^# )", "", "raw HTML is refused by design", 1),
        # So is the LaTeX section (raw TeX and math).
        Transform(r"^# LaTeX\n.*?(?=^# )", "", "raw LaTeX is not patient material", 1),
        # What the reader refuses by design (README, "What differs from pandoc"), each
        # changed as its error says, so that the rest of the document is checked too:
        # a link with no address becomes its text,
        Transform(r"\[Empty\]\(\)", "Empty", "a link to nowhere is refused", 1),
        # and a character the fonts lack is said in words.
        Transform(r"∈", "(element of)", "'∈' is not in the fonts", 1),
    )),
    "manual": Outside("MANUAL.txt", "Pandoc User's Guide"),
    "commonmark-spec": Outside("spec.txt", "CommonMark Spec", (
        # The spec's own tool turns [term](@) into a defined term; pandoc reads it as a
        # link to the file "@", which the reader refuses. The brackets go, the words stay.
        Transform(r"\[([^\]]+)\]\(@\)", r"\1", "the spec's [term](@) links to a file"),
        # ... and the three links to such terms' anchors then lead nowhere: same treatment.
        Transform(r"\[(\w+)\]\(#\w+-reference-link\)", r"\1", "links to those terms", 3),
    )),
    # The paper's title, "Open collaborative writing with Manubot", is 3 characters over
    # the title page's 36.
    "meta-review": Outside("manubot-meta-review.md", "Open collaborative writing", (
        # Manubot turns these "citekey aliases" into citations before pandoc runs; read as
        # Markdown they are link definitions to "url:…"/"doi:…", which the reader refuses.
        Transform(r"^\[@tag:[^\]]+\]: .*\n", "", "manubot citekey aliases are not links", 9),
        # A <video> player (raw HTML, refused) inside a <p id=…> holding its caption: the
        # player goes (media are left out, like images), the <p> becomes a fenced div
        # with the same id so that the two links to it still resolve.
        Transform(r'^<p id="vid:usage">\n<video.*?</video>\n', "::: {#vid:usage}\n",
                  "raw HTML <video> is refused", 1),
        Transform(r"^</p>\n", ":::\n", "the end of that <p>", 1),
    )),
}

# Images are not stored (see SOURCES.md): the wrapper folder gets a small placeholder at
# every relative path the document names, so that the reader finds a file there.
IMAGE_PATH = re.compile(r"(?<![\w/:.])([\w./-]+\.(?:png|jpe?g|gif|svg|webp))\b", re.I)
PLACEHOLDER_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" '
                   'viewBox="0 0 400 300"><rect width="400" height="300" fill="#ccc"/></svg>')
YAML_BLOCK = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.S)
PANDOC_TITLE = re.compile(r"\A(?:%.*\n)+")  # pandoc's "% title" block (testsuite.txt)
FIRST_HEADING = re.compile(r"\A\s*(?:# |.+\n=+\n)")


def body_of(text: str) -> str:
    """The document without its own metadata block: the wrapper brings the guide's."""
    return PANDOC_TITLE.sub("", YAML_BLOCK.sub("", text, count=1), count=1)


def apply(transform: Transform, text: str, name: str) -> str:
    flags = re.MULTILINE | re.DOTALL if ".*?" in transform.pattern else re.MULTILINE
    text, done = re.subn(transform.pattern, transform.replacement, text, flags=flags)
    # A transform that no longer matches is stale: say so rather than silently do nothing.
    assert done >= 1, f"{name}: transform {transform.pattern!r} matched nothing"
    assert not transform.count or done == transform.count, \
        f"{name}: transform {transform.pattern!r} matched {done} times"
    return text


def guide_text(title: str, body: str) -> str:
    # A guide starts with a level-1 heading (README); a document that does not gets its
    # title as one. Its front matter: the two keys a guide needs, nothing else.
    if not FIRST_HEADING.match(body):
        body = f"# {title}\n\n{body}"
    quoted = title.replace('"', '\\"')
    return f'---\ntitle: "{quoted}"\nlanguage: en-US\n---\n\n{body}'


def write_placeholders(body: str, folder: Path) -> None:
    from PIL import Image

    for name in set(IMAGE_PATH.findall(body)):
        target = folder / name
        if ".." in Path(name).parts or target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix.lower() == ".svg":
            target.write_text(PLACEHOLDER_SVG, encoding="utf-8")
        else:
            Image.new("RGB", (400, 300), "#cccccc").save(target)


def write_wrapper(name: str, body: str, folder: Path, title: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_placeholders(body, folder)
    path = folder / f"{name}.md"
    path.write_text(guide_text(title, body), encoding="utf-8")
    return path


def outside_wrapper(name: str, folder: Path) -> Path:
    spec = TRANSFORMS[name]
    body = body_of((OUTSIDE / spec.file).read_text(encoding="utf-8"))
    for transform in spec.transforms:
        body = apply(transform, body, name)
    return write_wrapper(name, body, folder, spec.title)


# -- building each document once --------------------------------------------------------------


@dataclass
class Built:
    name: str
    manuscript: Path
    guide: Guide | None
    epub: Path | None
    pdf: Path | None
    error: str = ""


class Builds:
    """Each document read and built once per module, on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.shipped_out: Path | None = None  # set from the session's `built` when needed
        self.done: dict[str, Built] = {}

    def get(self, name: str, request: pytest.FixtureRequest) -> Built:
        if name in GUIDES and self.shipped_out is None:
            # Asked for only here, so that a broken shipped build fails only its own tests.
            self.shipped_out = request.getfixturevalue("built").out
        if name not in self.done:
            self.done[name] = self.make(name)
        return self.done[name]

    def make(self, name: str) -> Built:
        if name in TRANSFORMS:
            manuscript = outside_wrapper(name, self.folder / "src" / name)
        elif name in FIXTURE_GUIDES:
            manuscript = FIXTURE_GUIDES[name]
        else:
            manuscript = ROOT / "manuscript" / f"{name}.md"
        out = self.folder / "out" / name
        try:
            guide, _ = read_guide(manuscript)
            if self.shipped_out and name in GUIDES:
                out = self.shipped_out  # the session's build of the shipped guides
            else:
                build([manuscript], out, only=["epub", "pdf"], jobs=2)
        except PublishError as exc:
            return Built(name, manuscript, None, None, None, str(exc))
        slug = guide.slug
        return Built(name, manuscript, guide, out / slug / f"{slug}.epub",
                     out / slug / f"{slug}.pdf")


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Builds:
    return Builds(tmp_path_factory.mktemp("fidelity"))


def built_ok(builds: Builds, name: str, request: pytest.FixtureRequest) -> Built:
    result = builds.get(name, request)
    assert not result.error, f"{name} does not build:\n{result.error}"
    return result


# The test guide (tables, notes, a figure, handouts) beside the shipped ones.
FIXTURE_GUIDES = {
    "ankle-sprain": ROOT / "tests" / "fixtures" / "ankle-sprain" / "ankle-sprain.md",
    "constructs": ROOT / "tests" / "fixtures" / "constructs" / "constructs.md",
}
DOCUMENTS = [p.stem for p in SHIPPED] + list(FIXTURE_GUIDES) + list(TRANSFORMS)


def document_params(check: str) -> list:
    """Every document, with the xfail mark DOCUMENT_XFAIL gives it for this check."""
    params = []
    for name in DOCUMENTS:
        reason = DOCUMENT_XFAIL.get((check, name))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


# -- words ------------------------------------------------------------------------------------

# Curly quotes, low quotes and primes become straight ones.
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"'})
DASHES = re.compile(r"[\u2010-\u2015\u2212\-]")  # hyphens, dashes, minus: word breaks
WORD = re.compile(r"[\w']+")
LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)")


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold().translate(QUOTES)
    text = DASHES.sub(" ", text)
    # A note's number follows its word with no space in the outputs ("little¹" reads as
    # "little1"), where pandoc's plain text writes "little[1]": split letters from digits.
    text = LETTER_DIGIT.sub(" ", text)
    found = (w.strip("'_") for w in WORD.findall(text))
    return [w for w in found if w]


def pandoc() -> str | None:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return shutil.which("pandoc")


VISIBLE = Path(__file__).resolve().parent / "visible.lua"


def source_text(result: Built, target: str) -> str:
    """What the author wrote for ``target`` (epub, pdf), as pandoc reads it, without the
    fenced divs that output leaves out (.handout-only…); the model's text without pandoc."""
    if pandoc() is None:
        blocks = [b for b in result.guide.blocks if visible(b, target)]
        return "\n".join(n.plain_text() for n in blocks) + "\n".join(
            b.plain_text() for note in result.guide.footnotes.values() for b in note.blocks)
    return pandoc_plain(result.manuscript, target)


@functools.cache
def pandoc_plain(manuscript: Path, target: str) -> str:
    """``pandoc -t plain`` of a manuscript for one output, once per session: the word and
    the leak checks of an output both need it. The classes that output leaves out are
    passed from render.ONLY, so the Lua filter knows no list of its own.

    No --standalone: the front matter (title, subtitle, author, date, description,
    keywords, handout titles) is not printed, so front-matter-only words are excluded."""
    hidden = [f"hide={name}" for name, shown in ONLY.items() if target not in shown]
    args = [pandoc(), "-f", "markdown", "-t", "plain", "--wrap=none", "-L", str(VISIBLE),
            *(arg for h in hidden for arg in ("-M", h)), str(manuscript)]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


BLOCK_TAGS = {"p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "td",
              "th", "caption", "figcaption", "blockquote", "div", "aside", "section", "br",
              "hr", "table", "ul", "ol", "dl", "figure", "nav", "header", "footer", "title"}


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def xhtml_text(data: bytes) -> str:
    """A content document's text, one line per block; image alt text counts as text."""
    root = lxml.etree.fromstring(data, lxml.etree.XMLParser(resolve_entities=False,
                                                           no_network=True))
    for element in root.iter():
        tag = local(element.tag)
        if tag == "img" and element.get("alt"):
            element.tail = f" {element.get('alt')} {element.tail or ''}"
        if tag in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
    return "".join(root.itertext())


def epub_text(epub: Path) -> str:
    with zipfile.ZipFile(epub) as archive:
        return "\n".join(xhtml_text(archive.read(n)) for n in archive.namelist()
                         if n.endswith((".xhtml", ".html", ".htm")))


def pdf_text(pdf: Path) -> str:
    return "\n".join(page_texts(pdf))


def alt_texts(guide: Guide) -> str:
    """Image descriptions: in the PDF they are tagged (/Alt), not printed, so pdftotext
    cannot see them; the EPUB check holds them to the text."""
    return " ".join(n.attrs.get("alt", "") for n in guide.walk() if n.type == "image")


# What pandoc's plain text holds that is not the author's text: list markers at a line's
# start (ebooks number lists themselves) and attribute blocks pandoc leaves as text where
# this reader reads them ("{#tbl:platforms}" after a caption that runs over several lines).
NOT_TEXT = re.compile(r"^[ \t]*(?:\(?(?:\d+|[A-Za-z]{1,6})[.)]|[-*+])(?=[ \t])"
                      r"|\{#[^{}\s]+[^{}]*\}", re.M)


# pandoc's plain text writes a superscript or subscript it has no character for as
# "a^(bc)" or "h_(many)"; the outputs set the letters beside their word: "abc".
PLAIN_SCRIPTS = re.compile(r"[\^_]\(([^()]*)\)")


def missing_words(source: str, output: str, broken: bool = False) -> str:
    """'' when every word of the source is in the output as often; else a report.
    ``broken``: the output is a printed page, where a long word (in code, a narrow table
    cell) may be broken across two lines without a hyphen; such a word is found in the
    output's letters with the line breaks taken out."""
    source = PLAIN_SCRIPTS.sub(r"\1", NOT_TEXT.sub(" ", source))
    printed = words(output)
    found = collections.Counter(printed)
    missing = collections.Counter(words(source)) - found
    if missing and broken:
        joined = "".join(printed)
        missing = collections.Counter({w: n for w, n in missing.items()
                                       if joined.count(w) < n + found[w]})
    if not missing:
        return ""
    lines = [f"{sum(missing.values())} words missing ({len(missing)} distinct):"]
    for word, count in missing.most_common(25):
        lines.append(f"  {word!r} ×{count}: …{context(source, word)}…")
    return "\n".join(lines)


def context(text: str, word: str, width: int = 40) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().translate(QUOTES)
    match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", DASHES.sub(" ", folded))
    if not match:
        return "?"
    start = max(0, match.start() - width)
    return " ".join(folded[start : match.end() + width].split())


@pytest.mark.parametrize("name", document_params("epub-words"))
def test_every_word_reaches_the_epub(builds, name, request):
    result = built_ok(builds, name, request)
    report = missing_words(source_text(result, "epub"), epub_text(result.epub))
    assert not report, f"{name}.epub: {report}"


@pytest.mark.parametrize("name", document_params("pdf-words"))
def test_every_word_reaches_the_pdf(builds, name, request):
    result = built_ok(builds, name, request)
    printed = pdf_text(result.pdf) + "\n" + alt_texts(result.guide)
    report = missing_words(source_text(result, "pdf"), printed, broken=True)
    assert not report, f"{name}.pdf: {report}"


# -- leaked Markdown ----------------------------------------------------------------------------

LEAKS = ["**", "__", "](", "{#", "{.", ":::", "[^", "^[", "~~", "+---", "|---", "---|",
         "{width="]
LINE_LEAKS = {"': ' at a line start": re.compile(r"^: ", re.M)}
PDF_LINE_LEAKS = {"'| ' at a line start": re.compile(r"^\| ", re.M)}


def code_texts(guide: Guide) -> str:
    """Text the author put in code spans and blocks: Markdown shown on purpose."""
    return "\n".join(n.text for n in guide.walk() if n.type in ("code", "code_block"))


def leak_counts(text: str, patterns: dict[str, re.Pattern]) -> collections.Counter:
    counts = collections.Counter({s: text.count(s) for s in LEAKS})
    counts.update({label: len(p.findall(text)) for label, p in patterns.items()})
    return counts


def leak_report(output: str, code: str, patterns: dict[str, re.Pattern],
                plain: str = "") -> str:
    # As many of a sequence as the code holds are allowed (MANUAL.txt shows Markdown in
    # code), or as pandoc's plain text of the source holds (text that only looks like
    # syntax, such as code "[dd]]" before "(e.g."); every one beyond is syntax not read.
    allowed = leak_counts(code, patterns) | leak_counts(plain, patterns)
    excess = leak_counts(output, patterns) - allowed
    lines = []
    for label, count in excess.most_common():
        pattern = patterns.get(label)
        match = pattern.search(output) if pattern else None
        at = match.start() if match else output.find(label)
        # The first occurrence may be a code one; still the best context to show.
        lines.append(f"  {label} ×{count}: {output[max(0, at - 40):at + 40]!r}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", document_params("epub-leaks"))
def test_no_markdown_leaks_into_the_epub(builds, name, request):
    result = built_ok(builds, name, request)
    report = leak_report(epub_text(result.epub), code_texts(result.guide), LINE_LEAKS,
                         source_text(result, "epub"))
    assert not report, f"{name}.epub shows Markdown as text:\n{report}"


@pytest.mark.parametrize("name", document_params("pdf-leaks"))
def test_no_markdown_leaks_into_the_pdf(builds, name, request):
    result = built_ok(builds, name, request)
    patterns = LINE_LEAKS | PDF_LINE_LEAKS
    report = leak_report(pdf_text(result.pdf), code_texts(result.guide), patterns,
                         source_text(result, "pdf"))
    assert not report, f"{name}.pdf shows Markdown as text:\n{report}"


# -- MANUAL.txt: nothing printed past the page -------------------------------------------------


def office_margins() -> tuple[float, float]:
    """The print book's left and right margins in points (the office edition's: the same
    on left and right pages)."""
    edition = office_edition(load_brand(DEFAULT_STYLES))
    inches = [float(v.removesuffix("in")) for v in (edition.inner, edition.outer)]
    assert inches[0] == inches[1], "mirrored margins: words_outside needs them per page"
    return inches[0] * 72, inches[1] * 72


@pytest.mark.parametrize("name", document_params("page-edge"))
def test_nothing_printed_past_the_page_edge(builds, name, request):
    result = built_ok(builds, name, request)
    past_edge, past_column = words_outside(result.pdf, office_margins())
    sample = ", ".join(f"p{p} {w!r} to x={x1:.0f}"
                       for p, _, x1, w in (past_edge + past_column)[:10])
    assert not past_edge and not past_column, (
        f"{name}.pdf: {len(past_edge)} words past the page edge, {len(past_column)} more "
        f"past the text column: {sample}")


# -- pandoc's test suite, section by section --------------------------------------------------

# Sections of testsuite.txt that patient material does not use, and why.
EXCLUDED = {
    "HTML Blocks": "raw HTML: refused by the reader by design (README)",
    "LaTeX": "raw TeX and math: not patient material",
}
HEADING = re.compile(r"^# (.+)$|^(.+)\n=+$", re.M)


def markdown_sections() -> dict[str, str]:
    """testsuite.txt split at its level-1 headings (the title block and intro dropped)."""
    text = (OUTSIDE / "testsuite.txt").read_text(encoding="utf-8")
    marks = list(HEADING.finditer(text))
    return {(m.group(1) or m.group(2)).strip(): text[m.start(): nxt]
            for m, nxt in zip(marks, [*(n.start() for n in marks[1:]), len(text)],
                              strict=True)}


def expected_sections() -> tuple[dict[str, list], list]:
    """writer.html5's body split at its <h1>s, and its footnotes."""
    html = (OUTSIDE / "writer.html5").read_text(encoding="utf-8")
    html = re.sub(r'href="/(?=url|script)', f'href="{RELATIVE_HOST}/', html)  # as RELATIVE_URL
    body = lxml.html.document_fromstring(html).body
    for header in body.findall("header"):
        body.remove(header)  # the title block: front matter
    notes = body.find(".//section[@class]")
    note_items: list = []
    if notes is not None and "footnotes" in notes.get("class"):
        note_items = notes.findall(".//li")
        notes.getparent().remove(notes)
    sections: dict[str, list] = {}
    current: list | None = None
    for element in body:
        if element.tag == "h1":
            current = sections.setdefault(element.text_content().strip(), [])
        if current is not None:
            current.append(element)
    return sections, note_items


SECTIONS = [s for s in markdown_sections() if s not in EXCLUDED]


def section_params() -> list:
    return [pytest.param(s, id=s, marks=[pytest.mark.xfail(strict=True, reason=r)]
                         if (r := SECTION_XFAIL.get(s)) else []) for s in SECTIONS]


KEEP_ATTRIBUTES = ("href", "src", "alt", "title", "start", "type", "colspan", "rowspan")
UNWRAP = {"section", "span", "aside", "colgroup", "col", "tbody", "thead"}
DROP = {"colgroup", "col"}
DEFAULTS = {("type", "1")}  # pandoc writes <ol type="1"> for decimal lists: the default


def canonical(elements: list) -> list[str]:
    """Tokens of an HTML fragment, one per line: '<tag attr=v>', text, '</tag>'."""
    tokens: list[str] = []
    for element in elements:
        tokens.extend(tokens_of(element))
    return tidy(tokens)


def tokens_of(element) -> Iterator[str]:
    tag = element.tag if isinstance(element.tag, str) else ""
    classes = (element.get("class") or "").split()
    if not tag or tag in DROP or "footnote-back" in classes:
        if element.tail:
            yield element.tail
        return
    if {"footnote-ref", "noteref"} & set(classes):
        # pandoc: <a class="footnote-ref"><sup>1</sup></a>; ours: <a class="noteref">1</a>
        yield f"[note {element.text_content().strip()}]"
        if element.tail:
            yield element.tail
        return
    if "line-block" in classes:
        tag = "line-block"
    # Tight and loose lists differ only in a <p> around an item's first paragraph: a
    # matter of spacing, so that <p> is unwrapped on both sides.
    parent = element.getparent()
    first_p = tag == "p" and parent is not None and parent.tag in ("li", "dd") \
        and parent.index(element) == 0 and not (parent.text or "").strip()
    wrapped = tag in UNWRAP or tag == "div" or first_p
    if not wrapped:
        attrs = " ".join(f'{k}="{element.get(k)}"' for k in KEEP_ATTRIBUTES
                         if element.get(k) not in (None, "") and (k, element.get(k)) not in
                         DEFAULTS)
        yield f"<{tag}{' ' + attrs if attrs else ''}>"
    if element.text:
        yield ("\x00" if tag == "pre" else "") + element.text
    for child in element:
        yield from tokens_of(child)
    if not wrapped:
        yield f"</{tag}>"
    if element.tail:
        yield element.tail


def tidy(tokens: list[str]) -> list[str]:
    """Whitespace collapsed (kept in code blocks), text runs merged, blanks dropped."""
    merged: list[str] = []
    for token in tokens:
        if token.startswith("<") or token.startswith("[note"):
            merged.append(token)
        elif merged and not merged[-1].startswith(("<", "[note")):
            merged[-1] += token
        else:
            merged.append(token)
    out = []
    for token in merged:
        if token.startswith("\x00"):
            token = token[1:].rstrip("\n")
        elif not token.startswith("<"):
            token = " ".join(token.split())
        if token:
            out.append(token)
    return out


def our_section(name: str, folder: Path) -> list:
    body = markdown_sections()[name]
    # Reference definitions hold for the whole document, as when pandoc reads it whole.
    definitions = re.findall(r"^ {0,3}\[[^\]^][^\]]*\]:[ \t].*$", body_of(
        (OUTSIDE / "testsuite.txt").read_text(encoding="utf-8")), re.M)
    used = [d for d in definitions if d not in body and d[: d.index("]:") + 1] in body]
    body += "\n\n" + "\n".join(used) if used else ""
    for transform in (RELATIVE_URL,):
        if re.search(transform.pattern, body, re.M):
            body = apply(transform, body, name)
    path = write_wrapper("section", body, folder, name)
    guide, _ = read_guide(path)
    renderer = HtmlRenderer(guide, RenderOptions(target="web", notes="popup"))
    html = str(renderer.blocks(guide.blocks))
    notes = renderer.take_notes()
    fragment = lxml.html.fragment_fromstring(f"<div>{html}</div>")
    elements = list(fragment)
    if notes:
        items = "".join(f"<li>{f'<p>{n.html}</p>' if n.html else ''}{n.more}</li>"
                        for n in notes)
        elements.append(lxml.html.fragment_fromstring(f"<ol>{items}</ol>"))
    return elements


@pytest.mark.parametrize("section", section_params())
def test_testsuite_section_matches_pandoc(section, tmp_path):
    expected, notes = expected_sections()
    theirs = list(expected[section])
    if section == "Footnotes" and notes:
        ol = lxml.html.fragment_fromstring("<ol></ol>")
        ol.extend(notes)
        theirs.append(ol)
    try:
        ours = canonical(our_section(section, tmp_path))
    except PublishError as exc:
        pytest.fail(f"the reader refuses the section:\n{exc}")
    wanted = canonical(theirs)
    diff = "\n".join(difflib.unified_diff(wanted, ours, "pandoc", "ours", lineterm="", n=1))
    assert ours == wanted, f"{section}: differs from pandoc's HTML5\n{diff[:6000]}"
