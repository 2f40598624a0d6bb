"""Handout writer: one single-page PDF per handout listed in the front matter.

A handout is the listed sections, in the listed order, under the clinic's header and a
footer with contact details, review date and a QR code to the guide's web page. Other
editions (large print: writers/large_print.py) lay the same handout out with their own
``Fit`` (sizes, how many pages) and a profile stylesheet on top of css/handout.css.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..errors import PublishError
from ..layout import weasy
from ..layout.thumbs import first_page
from ..model import Guide, HandoutSpec
from ..read.brand import Brand
from ..render import HtmlRenderer, RenderOptions, templates
from ..render.pages import leaf_keys
from . import BuildContext, OutputFile


@dataclass(frozen=True)
class Fit:
    """Type sizes for auto-fit: the design size, the legibility floor, and the step; and
    how many pages the handout may take (2: both sides of the sheet)."""

    design_pt: float = 13.5
    floor_pt: float = 12.0
    step_pt: float = 0.25
    figure_in: float = 1.8  # figure height at the design size; scales with the type
    pages: int = 1
    # A short sheet may be set larger than the design size, up to the brand's
    # handout.max_size, so it fills its page rather than leaving half of it empty.
    grows: bool = False

    def sizes(self, ceiling_pt: float | None = None) -> list[float]:
        """Largest first: from ``ceiling_pt`` (the design size when not given) down to the
        floor, one step apart, each step landing on the design size's grid."""
        top = self.design_pt if ceiling_pt is None else max(ceiling_pt, self.floor_pt)
        count = int((top - self.floor_pt) / self.step_pt + 1e-9)  # never above the top
        return [self.floor_pt + n * self.step_pt for n in range(count, -1, -1)]

    def ceiling(self, brand: Brand) -> float:
        """The largest size tried: the brand's ceiling for a sheet that grows."""
        return brand.data.handout.max_pt if self.grows else self.design_pt


FIT = Fit(grows=True)


def write(guide: Guide, context: BuildContext) -> list[OutputFile]:
    return [write_one(guide, spec, context) for spec in guide.meta.handouts]


def write_one(guide: Guide, spec: HandoutSpec, context: BuildContext,
              fit: Fit = FIT, profile: str = "", edition: str | None = None) -> OutputFile:
    """One handout; an ``edition`` (e.g. "large-print") is laid out with its own ``fit``
    and ``profile`` (a stylesheet in styles/ on top of css/handout.css) and its file name
    ends with the edition's name."""
    document = fit_to_page(guide, spec, context, fit, profile, edition or "")
    check_footer(document, context)
    name = f"{guide.folder}/handouts/{spec.id}{f'-{edition}' if edition else ''}.pdf"
    data = weasy.pdf_bytes(document, context.timestamp)
    return OutputFile("handout", name, spec.title, data, id=spec.id, pages=len(document.pages),
                      edition=edition, thumb=first_page(data))


def fit_to_page(guide: Guide, spec: HandoutSpec, context: BuildContext, fit: Fit,
                profile: str = "", edition: str = ""):
    """Lay the handout out at the largest of ``fit.sizes()`` at which it fits its pages
    (``fit.pages``: one, or both sides of the sheet; see ``fits``).

    Each layout costs about 0.07 s, so the search guesses instead of stepping: a layout
    that runs over tells how much room its text needs, and that room grows with the
    square of the type size, so the next try is the size that should just fit. A size
    that fits is the answer once the size a step larger is known not to.

    The brand's "when to call" box counts in the search: a sheet that fits only without
    it is too long, and the build stops like for any sheet that runs over. Leaving the
    box out would send a patient home without knowing when to call.
    """
    body, notes = section_html(guide, spec, context.brand.styles)
    css = handout_css(context, fit, profile, guide.meta.language, guide.draft)
    help_box = wants_help_box(guide, spec, context.brand)
    return fit_search(guide, spec, context, fit, (body, notes, css, edition), help_box)


def fit_search(guide: Guide, spec: HandoutSpec, context: BuildContext, fit: Fit,
               sheet: tuple[Markup, list, str, str], help_box: bool):
    """``fit_to_page``'s search; ``sheet`` is the sections' HTML, their notes, the
    stylesheet and the edition's name."""
    body, notes, css, edition = sheet
    sizes = fit.sizes(fit.ceiling(context.brand))  # largest first
    too_big = -1  # index of the smallest size known not to fit
    fitting: dict[int, Any] = {}  # index → a layout that fits its pages
    # A sheet of two pages says "Please turn over" at the foot of the first (in the page
    # margin: it moves nothing), so the tries carry the note and a one-page result is
    # laid out again without it.
    turn_over = fit.pages > 1

    def layout(index: int, turn_over: bool):
        html = handout_html(guide, spec, context, body, notes, sizes[index], fit, turn_over,
                            edition, help_box)
        return weasy.render(html, guide, context.brand, css)

    def answer(index: int):
        document = fitting[index]
        if turn_over and len(document.pages) == 1:
            return layout(index, False)
        return document

    index = 0
    while True:
        document = layout(index, turn_over)
        if fits(document, fit) or (index == len(sizes) - 1
                                   and len(document.pages) <= fit.pages):
            fitting[index] = document
            if index - 1 == too_big:
                return answer(index)
            index -= 1
            continue
        too_big = index
        if index + 1 in fitting:
            return answer(index + 1)
        if index == len(sizes) - 1:
            raise overflow_error(guide, spec, document, fit, edition, help_box)
        guess = next_guess(sizes, sizes[index], room_needed(document, fit))
        index = min(max(guess, index + 1), min(fitting, default=len(sizes)) - 1)


def fits(document, fit: Fit) -> bool:
    """Whether a layout fits its pages. A second page must carry some of the text: one
    that holds only the footer is a sheet turned over for nothing, so a smaller size that
    fits one page is better (at the floor size, it is accepted)."""
    pages = document.pages
    if len(pages) > fit.pages:
        return False
    return len(pages) == 1 or find_box(pages[-1]._page_box, "columns") is not None


def check_footer(document, context: BuildContext) -> None:
    """The footer sits in the space kept for it below the text (styles/css/handout.css);
    longer contact details would make it reach up into the text. (A footer that follows
    the text, as in the large-print edition, needs no space kept.)"""
    page = document.pages[0]._page_box
    footer = find_box(page, "sheet-footer")
    text_bottom = page.content_box_y() + page.height
    if footer is not None and footer.style["position"] == "absolute" \
            and footer.position_y < text_bottom - 0.5:
        over = (text_bottom - footer.position_y) / 96
        brand = context.brand
        raise PublishError(
            brand.styles / "brand.yaml", brand.line("contact") or brand.line("short_disclaimer"),
            f"the handout footer is {over:.2f} in taller than the space kept for it",
            "shorten the contact details or the short disclaimer, or raise footer_in in "
            "css/handout.css")


def find_box(box, css_class: str):
    """The first box made for an element with ``css_class``, depth first."""
    element = getattr(box, "element", None)
    if element is not None and css_class in (element.get("class") or "").split():
        return box
    for child in getattr(box, "children", ()):
        if (found := find_box(child, css_class)) is not None:
            return found
    return None


def next_guess(sizes: list[float], size: float, needed: float) -> int:
    """The index of the largest size whose text should fit, from a layout at ``size``
    whose text needs ``needed`` times the room it has (1.1: a tenth more)."""
    estimate = size / needed ** 0.5  # the room text needs grows with the square of its size
    return next((i for i, s in enumerate(sizes) if s <= estimate + 1e-9), len(sizes) - 1)


def room_needed(document, fit: Fit = FIT) -> float:
    """How many times the room of its columns on the first page the text needs, counting
    only the height the lines and blocks take (not the gaps left where a box that may
    not be split moved on). Text in one column, on up to ``fit.pages`` pages: how many
    times those pages it fills."""
    first = document.pages[0]._page_box
    columns = find_box(first, "columns")
    if columns is None or fit.pages > 1:
        # More pages than allowed: the room of them all; only the footer over: one page.
        room = fit.pages if len(document.pages) > fit.pages else 1
        return max(pages_needed(document) / room, 1.0)
    count = columns.style["column_count"]  # as styles/css/handout.css sets it
    room = (first.content_box_y() + first.height - columns.position_y) * (
        count if isinstance(count, int) else 1)
    used = 0.0
    for page in document.pages:
        for column in getattr(find_box(page._page_box, "columns"), "children", ()):
            if column.children:
                last = column.children[-1]
                used += last.position_y + last.margin_height() - column.position_y
    return max(used / room, 1.0)


def pages_needed(document) -> float:
    """Pages the content fills, e.g. 1.3 when a third of a second page is used."""
    last = document.pages[-1]._page_box
    html = last.children[0]
    top = last.content_box_y()
    used = (html.position_y + html.margin_height() - top) / last.height
    return len(document.pages) - 1 + max(0.0, min(1.0, used))


def overflow_error(guide: Guide, spec: HandoutSpec, document, fit: Fit,
                   edition: str = "", help_box: bool = False) -> PublishError:
    needed = pages_needed(document)
    words = {s: section_words(guide, s) for s in spec.sections}
    cut = max(10, round(sum(words.values()) * (needed - fit.pages) / needed / 10) * 10)
    longest = sorted(spec.sections, key=lambda s: -words[s])[:2]
    room = "one page" if fit.pages == 1 else f"{fit.pages} pages (both sides of one sheet)"
    what = f"{edition} handout" if edition else "handout"
    # A translation's handout: the translator shortens its messages, in the PO file.
    where = (f"the '{guide.translation.language}' translation's " if guide.translation
             else "")
    return PublishError(
        guide.source, spec.line,
        f"{where}{what} '{spec.id}' needs about {needed:.1f} pages at {fit.floor_pt:g} pt; "
        f"shorten sections {', '.join(longest)} by about {cut} words",
        f"a {what} must fit on {room}" + (
            ", with the 'When to call' box from styles/brand.yaml, which a handout prints "
            "unless its sections have a .warning box of their own (a shorter one fits too)"
            if help_box else "") + "; or list fewer sections under 'handouts'",
    )


def section_words(guide: Guide, section_id: str) -> int:
    section = guide.section(section_id)
    text = " ".join(b.plain_text() for b in guide.section_blocks(section))
    return len(text.split())


def section_html(guide: Guide, spec: HandoutSpec, styles: Path | None = None
                 ) -> tuple[Markup, list]:
    """The listed sections, each heading shifted so the handout's outline starts at h2;
    the words the renderer adds are in the guide's language when ``styles`` (the
    brand's folder, which holds the catalogs) is given."""
    links = {n.id for s in spec.sections for b in guide.section_blocks(guide.section(s))
             for n in b.walk() if n.id}
    # Blocks carry data-b="<n>" as in the print book (render/pages.py), so `publish check
    # --render` can name the manuscript line of what it finds on the laid-out page; the
    # attribute changes neither the layout nor the PDF.
    renderer = HtmlRenderer(guide, RenderOptions(
        target="handout", notes="list",
        href_for=lambda target: f"#{target}" if target in links else None,
        leaf_keys=leaf_keys(guide), mark_leaves=True,
        **({"gettext": templates.translator(styles, guide.meta.language)} if styles else {}),
    ))
    parts = []
    for section_id in spec.sections:
        section = guide.section(section_id)
        renderer.heading_shift = 2 - section.level
        parts.append(renderer.blocks(guide.section_blocks(section)))
    return Markup("\n").join(parts), renderer.take_notes()


@functools.cache  # the same code on every size the fit tries
def qr_data_uri(url: str) -> str:
    import segno

    # Error correction M survives a smudge or a fold; vector output stays sharp at any size.
    return segno.make(url, error="m").svg_data_uri(scale=1, border=0, dark="#000000")


def handout_css(context: BuildContext, fit: Fit, profile: str = "", language: str = "en-US",
                draft: bool = False) -> str:
    """css/handout.css, and the edition's ``profile`` (a stylesheet in styles/) on top,
    in the guide's language (generated content) and with the draft band when ``draft``."""
    brand = context.brand
    values = {"page_size": brand.page_size, "text_font": brand.text_font, "fit": fit,
              "language": language, "draft": draft}
    css = templates.render(brand, "css/handout.css", font_css=weasy.font_css(brand.text_font),
                           **values)
    if profile:
        css += "\n" + templates.render(brand, profile, target="handout", **values)
    return css


# What an edition adds to the reorder code, so the front desk reorders the right sheet.
CODE_SUFFIX = {"large-print": "-LP"}


def reorder_code(spec: HandoutSpec, edition: str = "") -> str:
    return f"{spec.code}{CODE_SUFFIX.get(edition, '')}" if spec.code else ""


def wants_help_box(guide: Guide, spec: HandoutSpec, brand: Brand) -> bool:
    """Whether the sheet gets the brand's "when to call" box: it has none of its own."""
    return brand.data.help_box is not None and not guide.handout_warns(spec)


def handout_html(guide: Guide, spec: HandoutSpec, context: BuildContext, body: Markup,
                 notes: list, body_pt: float, fit: Fit, turn_over: bool = False,
                 edition: str = "", help_box: bool | None = None) -> str:
    """The sheet at ``body_pt``; ``help_box`` (by default: whether it wants one) adds the
    brand's "when to call" box after the sections."""
    brand = context.brand
    url = guide.meta.url or brand.data.site_url
    # The sizes go in the document; the rest of the design is one stylesheet for every
    # size (handout_css), parsed once.
    sizes = (f":root {{ --body-size: {body_pt:g}pt; "
             f"--figure-height: {round(fit.figure_in * body_pt / fit.design_pt, 2):g}in; }}")
    return templates.render(
        brand, "templates/handout/handout.html",
        meta=guide.meta, spec=spec, body=body, notes=notes, css=Markup(sizes),
        turn_over=turn_over, draft=guide.draft,
        help_box=wants_help_box(guide, spec, brand) if help_box is None else help_box,
        code=reorder_code(spec, edition),
        logo=brand.logo_path.as_uri(), url=url, qr=qr_data_uri(url),
        short_url=url.split("://", 1)[-1].rstrip("/"),
        version=context.version,
        timestamp=context.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
