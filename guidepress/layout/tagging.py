"""What WeasyPrint's PDF/UA-1 tagging leaves out, added as it writes the PDF.

WeasyPrint 70 builds the structure tree from the boxes (layout/weasy.py asks for
pdf/ua-1), but an independent checker and the Matterhorn Protocol still find:

- header cells (/TH) without /Scope, so no tool can tell which cells they head;
- spans in another language ([palabra]{lang=es}) without /Lang, so a screen reader reads
  Spanish with English rules;
- link annotations whose /Contents is the link's target ("fn-1"), not what it says;
- decorative images (alt="") tagged as figures without alternative text, where PDF/UA
  wants them to be artifacts;
- running heads and folios marked as tagged content that no structure element holds,
  where PDF/UA wants them marked as artifacts;
- list items (/LI) holding a paragraph where PDF/UA wants a label and a body (/LBody);
- no /PageLabels, so a viewer's "page 5" is the paper's "1".

The first three are added while the tree is built, by wrapping the one WeasyPrint function
that makes a structure element per box (it alone still knows the box); the rest by a
``finisher``, WeasyPrint's hook for editing the PDF before it is written. The wrapper is
installed once per process; constraints.txt pins the WeasyPrint it was written for, and
tests/test_pdfua.py fails if a new one changes what it wraps.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

import pydyf

NOT_OWN_ELEMENT = ("html", "body")  # boxes whose children's elements pass through
DECORATIVE = "GuidepressDecorative"  # a mark the finisher reads and removes


@functools.cache
def install() -> bool:
    """Wrap weasyprint.pdf.tags._build_box_tree (once); False if it is not there."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags

    original = getattr(tags, "_build_box_tree", None)
    if original is None:
        return False

    def build_box_tree(box, parent, *args) -> Iterator[pydyf.Dictionary]:
        own = box._box if isinstance(box, AbsolutePlaceholder) else box
        passes_through = isinstance(own, boxes.PageBox) or own.element is None or (
            own.element_tag in NOT_OWN_ELEMENT)
        for element in original(box, parent, *args):
            if not passes_through:
                describe(own, element)
            yield element

    tags._build_box_tree = build_box_tree  # the recursion looks the name up: it sees ours
    return True


def describe(box, element: pydyf.Dictionary) -> None:
    """Add to ``element`` (made for ``box``) what WeasyPrint leaves out."""
    html = box.element
    lang = html.get("lang")
    if lang and box.element_tag != "html":
        element["Lang"] = pydyf.String(lang)
    if element.get("S") == "/TH" and "A" in element:
        element["A"]["Scope"] = "/Row" if html.get("scope") == "row" else "/Column"
    if element.get("S") == "/Figure" and html.get("alt") == "" and html.tag == "img":
        element[DECORATIVE] = "true"
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None and element.get("S") == "/Link":
        annotation["Contents"] = pydyf.String(link_description(html))


def link_description(html) -> str:
    """What a link says, for its annotation: its accessible name, else its text."""
    label = html.get("aria-label") or html.get("title")
    text = " ".join("".join(html.itertext()).split())
    return label or text or html.get("href", "")


# -- the finisher ----------------------------------------------------------------------

Finisher = Callable[[object, pydyf.PDF], None]


def finisher(labels: list[str] | None) -> Finisher:
    """Edits WeasyPrint's PDF before it is written: running heads and folios become
    artifacts, and ``labels`` (the printed folio of each page) become /PageLabels."""

    def finish(document, pdf: pydyf.PDF) -> None:
        if "StructTreeRoot" in pdf.catalog:
            detach_decorative_figures(pdf)
            mark_unowned_as_artifacts(pdf)
            wrap_list_bodies(pdf)
        if labels:
            pdf.catalog["PageLabels"] = page_labels(labels)

    return finish


def obj(pdf: pydyf.PDF, reference) -> object:
    """The object a reference (b"12 0 R") points to; anything else as it is."""
    if isinstance(reference, (bytes, str)):
        text = reference.decode() if isinstance(reference, bytes) else reference
        if m := re.fullmatch(r"(\d+) 0 R", text.strip()):
            return pdf.objects[int(m.group(1))]
    return reference


def reachable(pdf: pydyf.PDF) -> set[int]:
    """Numbers of the structure elements under the structure tree root."""
    seen: set[int] = set()
    todo = [obj(pdf, pdf.catalog["StructTreeRoot"])]
    while todo:
        node = todo.pop()
        if not isinstance(node, pydyf.Dictionary) or node.number in seen:
            continue
        seen.add(node.number)
        kids = node.get("K", ())
        for kid in kids if isinstance(kids, (list, pydyf.Array)) else [kids]:
            todo.append(obj(pdf, kid))
    return seen


def mark_unowned_as_artifacts(pdf: pydyf.PDF) -> None:
    """WeasyPrint tags margin-box content (running heads, folios) but hangs its elements
    under no parent (PDF 1.7 cannot hold an Artifact element). Marked content that no
    reachable element owns is turned into an /Artifact sequence, and the parent tree
    forgets it."""
    owned = reachable(pdf)
    nums = obj(pdf, obj(pdf, pdf.catalog["StructTreeRoot"])["ParentTree"])["Nums"]
    pages = pdf.page_references
    for i in range(0, len(nums), 2):
        page_number, refs = nums[i], nums[i + 1]
        if not isinstance(refs, (list, pydyf.Array)) or page_number >= len(pages):
            continue  # an annotation's entry, not a page's
        orphans = {mcid for mcid, ref in enumerate(refs)
                   if getattr(obj(pdf, ref), "number", None) not in owned}
        if not orphans:
            continue
        for mcid in orphans:
            refs[mcid] = "null"
        contents = obj(pdf, obj(pdf, pages[page_number])["Contents"])
        contents.stream[:] = list(artifacts(contents.stream, orphans))


def detach_decorative_figures(pdf: pydyf.PDF) -> None:
    """Take decorative images out of the structure tree; the next step then marks their
    content as artifacts, as it does for anything no element in the tree owns."""
    for figure in list(pdf.objects):
        if not (isinstance(figure, pydyf.Dictionary) and figure.pop(DECORATIVE, None)):
            continue
        parent = obj(pdf, figure["P"])
        parent["K"] = pydyf.Array([k for k in parent["K"] if obj(pdf, k) is not figure])


def wrap_list_bodies(pdf: pydyf.PDF) -> None:
    """A list item whose content is a paragraph (the print book's ``<li><p>``) gets an
    /LBody around everything but its label, as PDF/UA's list structure asks."""
    for item in list(pdf.objects):
        if not (isinstance(item, pydyf.Dictionary) and item.get("S") == "/LI"):
            continue
        kids = list(item.get("K", ()))
        elements = [obj(pdf, kid) for kid in kids]
        if any(not isinstance(e, pydyf.Dictionary) for e in elements):
            continue  # content marked on the item itself: the parent tree points at it
        body = [kid for kid, e in zip(kids, elements, strict=True) if e.get("S") != "/Lbl"]
        if not body or (len(body) == 1 and obj(pdf, body[0]).get("S") == "/LBody"):
            continue
        wrapper = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody",
                                    "K": pydyf.Array(body), "P": item.reference})
        if "Pg" in item:
            wrapper["Pg"] = item["Pg"]
        pdf.add_object(wrapper)
        for kid in body:
            obj(pdf, kid)["P"] = wrapper.reference
        labels = [kid for kid in kids if kid not in body]
        item["K"] = pydyf.Array([*labels, wrapper.reference])


def artifacts(stream: list, orphans: set[int]) -> Iterator:
    """The content stream with each ``/Tag <</MCID n>> BDC`` of an orphan made
    ``/Artifact BMC`` (its EMC stays as it is)."""
    i = 0
    while i < len(stream):
        item = stream[i]
        following = stream[i + 1: i + 3]
        if (isinstance(item, str) and item.startswith("/") and len(following) == 2
                and isinstance(following[0], pydyf.Dictionary)
                and following[0].get("MCID") in orphans and following[1] == b"BDC"):
            yield "/Artifact"
            yield b"BMC"
            i += 3
            continue
        yield item
        i += 1


def page_labels(labels: list[str]) -> pydyf.Dictionary:
    """A /PageLabels number tree: a range starts wherever the numbering style changes
    or the numbers do not follow on (lower roman "i", "ii"…; decimal "1", "2"…)."""
    nums = pydyf.Array()
    previous: tuple[str, int] | None = None
    for index, label in enumerate(labels):
        style, value = label_style(label)
        if previous is None or previous[0] != style or previous[1] + 1 != value:
            entry = pydyf.Dictionary({"S": f"/{style}"} if style else {})
            if style and value != 1:
                entry["St"] = value
            if not style:
                entry["P"] = pydyf.String(label)
            nums.extend([index, entry])
        previous = (style, value)
    return pydyf.Dictionary({"Nums": nums})


ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def label_style(label: str) -> tuple[str, int]:
    """("D", 12) for "12", ("r", 4) for "iv"; ("", -1) for anything else."""
    if label.isdigit():
        return "D", int(label)
    if label and all(ch in ROMAN for ch in label):
        values = [ROMAN[ch] for ch in label]
        total = sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))
        return "r", total
    return "", -1
