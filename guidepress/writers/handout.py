"""Handout writer: one single-page PDF per handout listed in the front matter.

A handout is the listed sections, in the listed order, under the clinic's header and a
footer with contact details, review date and a QR code to the guide's web page.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from .. import templates, weasy
from ..errors import PublishError
from ..model import Guide, HandoutSpec
from ..render import HtmlRenderer, RenderOptions
from ..thumbs import first_page
from . import BuildContext, OutputFile


@dataclass(frozen=True)
class Fit:
    """Type sizes for auto-fit: the design size, the legibility floor, and the step."""

    design_pt: float = 13.5
    floor_pt: float = 12.0
    step_pt: float = 0.25
    figure_in: float = 1.8  # figure height at the design size; scales with the type

    def sizes(self) -> list[float]:
        count = round((self.design_pt - self.floor_pt) / self.step_pt)
        return [self.design_pt - n * self.step_pt for n in range(count + 1)]


FIT = Fit()


def write(guide: Guide, context: BuildContext) -> list[OutputFile]:
    return [write_one(guide, spec, context) for spec in guide.meta.handouts]


def write_one(guide: Guide, spec: HandoutSpec, context: BuildContext,
              fit: Fit = FIT) -> OutputFile:
    document = fit_to_page(guide, spec, context, fit)
    name = f"{guide.slug}/handouts/{spec.id}.pdf"
    data = weasy.pdf_bytes(document, context.timestamp)
    return OutputFile("handout", name, spec.title, data, id=spec.id, pages=len(document.pages),
                      thumb=first_page(data))


def fit_to_page(guide: Guide, spec: HandoutSpec, context: BuildContext, fit: Fit):
    """Lay the handout out at the largest size that fits one page, then put the footer at
    the foot of the page.

    Sizes are tried from the design size down, a step at a time, so the first that fits
    is the largest (most handouts fit at once, the rest within two or three steps). A
    handout far too long for one page is tried at the floor first, to fail fast.
    """
    body, notes = section_html(guide, spec)
    sizes = fit.sizes()

    def layout(size: float):
        html = handout_html(guide, spec, context, body, notes, size, fit)
        return weasy.render(html, guide, context.brand)

    document = layout(sizes[0])
    if len(document.pages) > 1 and pages_needed(document) > 1.5:
        floor = layout(sizes[-1])
        if len(floor.pages) > 1:
            raise overflow_error(guide, spec, floor, fit)
    for size in sizes[1:]:
        if len(document.pages) == 1:
            break
        document = layout(size)
    if len(document.pages) > 1:
        raise overflow_error(guide, spec, document, fit)
    move_footer_down(document)
    return document


def move_footer_down(document) -> None:
    """Move the footer into the space left at the foot of the page.

    The footer is laid out in the flow, right after the text (so it is tagged content and
    can never overlap it); shifting its boxes afterwards is cheaper than a second layout.
    """
    page = document.pages[0]._page_box
    html = page.children[0]
    free = page.content_box_y() + page.height - (html.position_y + html.margin_height())
    footer = find_box(html, "sheet-footer")
    if footer is not None and free > 0:
        footer.translate(dy=free)


def find_box(box, css_class: str):
    element = getattr(box, "element", None)
    if element is not None and css_class in (element.get("class") or "").split() \
            and "::" not in (getattr(box, "element_tag", "") or ""):
        return box
    for child in getattr(box, "children", ()):
        if (found := find_box(child, css_class)) is not None:
            return found
    return None


def pages_needed(document) -> float:
    """Pages the content fills, e.g. 1.3 when a third of a second page is used."""
    last = document.pages[-1]._page_box
    html = last.children[0]
    top = last.content_box_y()
    used = (html.position_y + html.margin_height() - top) / last.height
    return len(document.pages) - 1 + max(0.0, min(1.0, used))


def overflow_error(guide: Guide, spec: HandoutSpec, document, fit: Fit) -> PublishError:
    needed = pages_needed(document)
    words = {s: section_words(guide, s) for s in spec.sections}
    cut = max(10, round(sum(words.values()) * (needed - 1) / needed / 10) * 10)
    longest = sorted(spec.sections, key=lambda s: -words[s])[:2]
    return PublishError(
        guide.source, spec.line,
        f"handout '{spec.id}' needs about {needed:.1f} pages at {fit.floor_pt:g} pt; "
        f"shorten sections {', '.join(longest)} by about {cut} words",
        "a handout must fit on one page; or list fewer sections under 'handouts'",
    )


def section_words(guide: Guide, section_id: str) -> int:
    section = guide.section(section_id)
    text = " ".join(b.plain_text() for b in guide.section_blocks(section))
    return len(text.split())


def section_html(guide: Guide, spec: HandoutSpec) -> tuple[Markup, list]:
    """The listed sections, each heading shifted so the handout's outline starts at h2."""
    links = {n.id for s in spec.sections for b in guide.section_blocks(guide.section(s))
             for n in b.walk() if n.id}
    renderer = HtmlRenderer(guide, RenderOptions(
        target="handout", notes="list",
        href_for=lambda target: f"#{target}" if target in links else None,
    ))
    parts = []
    for section_id in spec.sections:
        section = guide.section(section_id)
        renderer.heading_shift = 2 - section.level
        parts.append(renderer.blocks(guide.section_blocks(section)))
    return Markup("\n").join(parts), renderer.take_notes()


def qr_data_uri(url: str) -> str:
    import segno

    # Error correction M survives a smudge or a fold; vector output stays sharp at any size.
    return segno.make(url, error="m").svg_data_uri(scale=1, border=0, dark="#000000")


def handout_html(guide: Guide, spec: HandoutSpec, context: BuildContext, body: Markup,
                 notes: list, body_pt: float, fit: Fit) -> str:
    brand = context.brand
    url = guide.meta.url or brand.data.site_url
    css = templates.render(brand, "css/handout.css",
                           font_css=weasy.font_css(brand.text_font),
                           page_size=brand.page_size, text_font=brand.text_font,
                           body_pt=body_pt, fit=fit,
                           figure_in=round(fit.figure_in * body_pt / fit.design_pt, 2))
    return templates.render(
        brand, "templates/handout/handout.html",
        meta=guide.meta, spec=spec, body=body, notes=notes, css=Markup(css),
        logo=brand.logo_path.as_uri(), url=url, qr=qr_data_uri(url),
        short_url=url.split("://", 1)[-1].rstrip("/"),
        version=context.version,
        timestamp=context.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
