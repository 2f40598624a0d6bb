"""Matterhorn Protocol conditions a machine can check, read from a PDF's structure tree.

The Matterhorn Protocol 1.1 lists the ways a PDF fails PDF/UA-1; 87 of its failure
conditions can be checked by a program. These are the ones WeasyPrint's output can fail
(the rest concern things it never writes: forms, XObjects of other kinds, optional
content, JavaScript, security handlers). Each condition reads the file as written, with
pypdf, so it tests the PDF and not our intentions. README.md ("Accessibility: what is
checked") lists them and the conditions only a person can judge.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..evidence import Finding, ToolResult, judged, not_run

TOOL = "PDF structure"
BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
SHOWS_TEXT = {b"Tj", b"TJ", b"'", b'"'}


@dataclass(frozen=True)
class Condition:
    matterhorn: str  # checkpoint and condition number, e.g. "13-004"
    title: str
    check: Callable[[Tree], Iterator[str]]  # yields one message per failure


class Tree:
    """A PDF opened with pypdf, with its structure elements listed once."""

    def __init__(self, path: Path) -> None:
        from pypdf import PdfReader

        self.reader = PdfReader(path)
        self.root = self.reader.trailer["/Root"]
        self.pages = {page.indirect_reference.idnum: n + 1
                      for n, page in enumerate(self.reader.pages)}
        self.elements: list = []
        tree = self.root.get("/StructTreeRoot")
        if tree is not None:
            self.walk(tree.get_object(), None)

    def walk(self, node, parent) -> None:
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and kid.get("/Type", "/StructElem") == "/StructElem" \
                    and "/S" in kid:
                self.elements.append((kid, node if parent is not None else None))
                self.walk(kid, kid)

    def role(self, element) -> str:
        """The standard structure type of ``element``, through the role map."""
        role = str(element["/S"])
        roles = self.root["/StructTreeRoot"].get("/RoleMap") or {}
        seen = set()
        while role in roles and role not in seen:
            seen.add(role)
            role = str(roles[role])
        return role.lstrip("/")

    def where(self, element) -> str:
        page = element.get("/Pg")
        number = self.pages.get(page.idnum) if page is not None else None
        return f"page {number}" if number else "no page"

    def of_role(self, *roles: str) -> Iterator:
        for element, parent in self.elements:
            if self.role(element) in roles:
                yield element, parent

    def children(self, element) -> list:
        kids = element.get("/K")
        kids = kids if isinstance(kids, list) else [] if kids is None else [kids]
        out = []
        for kid in kids:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and "/S" in kid:
                out.append(kid)
        return out


# -- the conditions --------------------------------------------------------------------


def marked_and_tree(tree: Tree) -> Iterator[str]:
    if not tree.root.get("/MarkInfo", {}).get("/Marked"):
        yield "the catalog's MarkInfo does not say Marked true"
    if "/StructTreeRoot" not in tree.root:
        yield "the document has no structure tree"


def language(tree: Tree) -> Iterator[str]:
    lang = str(tree.root.get("/Lang", ""))
    if not BCP47.match(lang):
        yield f"the document language is {lang!r}, not a language tag"
    for element, _ in tree.elements:
        if "/Lang" in element and not BCP47.match(str(element["/Lang"])):
            yield f"{tree.where(element)}: language {str(element['/Lang'])!r} is not a tag"


def title_shown(tree: Tree) -> Iterator[str]:
    prefs = tree.root.get("/ViewerPreferences") or {}
    if not prefs.get("/DisplayDocTitle"):
        yield "viewers are not asked to show the title (DisplayDocTitle)"
    metadata = tree.reader.xmp_metadata
    titles = metadata.dc_title if metadata else None
    if not titles or not any(str(t).strip() for t in titles.values()):
        yield "the XMP metadata has no dc:title"


def ua_identifier(tree: Tree) -> Iterator[str]:
    raw = tree.root.get("/Metadata")
    data = raw.get_object().get_data() if raw is not None else b""
    if not re.search(rb"pdfuaid:part(>|=\"|=')\s*1", data):
        yield "the XMP metadata does not identify the file as PDF/UA-1 (pdfuaid:part)"


def content_tagged(tree: Tree) -> Iterator[str]:
    """Text drawn outside any marked-content sequence is neither tagged nor an artifact."""
    from pypdf.generic import ContentStream

    for number, page in enumerate(tree.reader.pages, 1):
        contents = page.get_contents()
        if contents is None:
            continue
        depth = 0
        loose = 0
        for _operands, operator in ContentStream(contents, tree.reader).operations:
            if operator in (b"BDC", b"BMC"):
                depth += 1
            elif operator == b"EMC":
                depth = max(0, depth - 1)
            elif operator in SHOWS_TEXT and depth == 0:
                loose += 1
        if loose:
            yield f"page {number}: {loose} text operations are neither tagged nor artifacts"


def tagged_content_in_tree(tree: Tree) -> Iterator[str]:
    """Every marked-content id the parent tree maps must belong to an element in the tree
    (WeasyPrint tags running heads under no parent: layout/tagging.py fixes that)."""
    tree_root = tree.root.get("/StructTreeRoot")
    if tree_root is None:
        return
    known = {id(element) for element, _ in tree.elements}
    by_ref = {}
    for element, _ in tree.elements:
        ref = getattr(element, "indirect_reference", None)
        if ref is not None:
            by_ref[ref.idnum] = element
    nums = tree_root.get_object()["/ParentTree"].get_object().get("/Nums", [])
    for i in range(0, len(nums), 2):
        refs = nums[i + 1].get_object() if hasattr(nums[i + 1], "get_object") else nums[i + 1]
        if not isinstance(refs, list):
            continue
        for mcid, ref in enumerate(refs):
            if ref is None or getattr(ref, "idnum", None) is None:
                continue
            if ref.idnum not in by_ref and id(ref.get_object()) not in known:
                yield f"page {nums[i] + 1}: marked content {mcid} belongs to no element in the tree"


def figures_have_alt(tree: Tree) -> Iterator[str]:
    for element, _ in tree.of_role("Figure", "Formula"):
        if not str(element.get("/Alt", "") or element.get("/ActualText", "")).strip():
            yield f"{tree.where(element)}: a {tree.role(element)} has no alternative text"


def headings_nest(tree: Tree) -> Iterator[str]:
    previous = 0
    for element, _ in tree.elements:
        role = tree.role(element)
        if re.fullmatch(r"H[1-6]", role):
            level = int(role[1])
            if previous == 0 and level != 1:
                yield f"{tree.where(element)}: the first heading is {role}, not H1"
            elif level > previous + 1 and previous:
                yield f"{tree.where(element)}: {role} follows H{previous} (a level skipped)"
            previous = level


def headings_not_empty(tree: Tree) -> Iterator[str]:
    for element, _ in tree.elements:
        if re.fullmatch(r"H[1-6]", tree.role(element)) and not marks_content(element):
            yield f"{tree.where(element)}: an empty {tree.role(element)}"


def marks_content(node) -> bool:
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, int) or (isinstance(kid, dict) and (
                kid.get("/Type") == "/MCR" or marks_content(kid))):
            return True
    return False


def tables_structured(tree: Tree) -> Iterator[str]:
    allowed = {"Table": {"TR", "THead", "TBody", "TFoot", "Caption"},
               "THead": {"TR"}, "TBody": {"TR"}, "TFoot": {"TR"}, "TR": {"TH", "TD"}}
    for element, _ in tree.of_role(*allowed):
        role = tree.role(element)
        for child in tree.children(element):
            if tree.role(child) not in allowed[role]:
                yield f"{tree.where(element)}: a {role} holds a {tree.role(child)}"
    for element, _ in tree.of_role("Table"):
        cells = [c for c in walk_roles(tree, element) if tree.role(c) in ("TH", "TD")]
        if not any(tree.role(c) == "TH" for c in cells):
            yield (f"{tree.where(element)}: a table with no header cell (a layout table "
                   "must not be tagged as a table)")


def headers_scoped(tree: Tree) -> Iterator[str]:
    for element, _ in tree.of_role("TH"):
        attributes = element.get("/A") or {}
        attributes = attributes if isinstance(attributes, list) else [attributes]
        if not any(a.get_object().get("/Scope") in ("/Row", "/Column", "/Both")
                   for a in attributes if hasattr(a, "get_object") or isinstance(a, dict)):
            yield f"{tree.where(element)}: a header cell without /Scope"


def walk_roles(tree: Tree, element) -> Iterator:
    for child in tree.children(element):
        yield child
        yield from walk_roles(tree, child)


def lists_structured(tree: Tree) -> Iterator[str]:
    for element, _ in tree.of_role("L"):
        for child in tree.children(element):
            if tree.role(child) not in ("LI", "Caption", "L"):
                yield f"{tree.where(element)}: a list (L) holds a {tree.role(child)}"
    for element, _ in tree.of_role("LI"):
        for child in tree.children(element):
            if tree.role(child) not in ("Lbl", "LBody"):
                yield f"{tree.where(element)}: a list item (LI) holds a {tree.role(child)}"


def links_described(tree: Tree) -> Iterator[str]:
    """Every link annotation has /Contents and sits in the structure tree (StructParent),
    and pages with annotations use structure order for tabbing."""
    for number, page in enumerate(tree.reader.pages, 1):
        annotations = [a.get_object() for a in page.get("/Annots") or []]
        links = [a for a in annotations if a.get("/Subtype") == "/Link"]
        for link in links:
            if not str(link.get("/Contents", "")).strip():
                yield f"page {number}: a link has no description (/Contents)"
            if "/StructParent" not in link:
                yield f"page {number}: a link is not in the structure tree"
        if annotations and page.get("/Tabs") != "/S":
            yield f"page {number}: the tab order does not follow the structure (/Tabs /S)"


def fonts_embedded(tree: Tree) -> Iterator[str]:
    seen = set()
    for number, page in enumerate(tree.reader.pages, 1):
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for name, ref in fonts.items():
            font = ref.get_object()
            key = getattr(ref, "idnum", name)
            if key in seen:
                continue
            seen.add(key)
            descriptor = font_descriptor(font)
            base = str(font.get("/BaseFont", name))
            if descriptor is None or not any(k in descriptor for k in
                                             ("/FontFile", "/FontFile2", "/FontFile3")):
                yield f"page {number}: font {base} is not embedded"
            if "/ToUnicode" not in font:
                yield f"page {number}: font {base} has no ToUnicode map (text cannot be read out)"


def font_descriptor(font):
    if "/FontDescriptor" in font:
        return font["/FontDescriptor"].get_object()
    for descendant in font.get("/DescendantFonts") or []:
        descendant = descendant.get_object()
        if "/FontDescriptor" in descendant:
            return descendant["/FontDescriptor"].get_object()
    return None


CONDITIONS = [
    Condition("01-005, 06-001", "Tagged, with a structure tree", marked_and_tree),
    Condition("01-003", "All text is tagged content or an artifact", content_tagged),
    Condition("01-004", "Tagged content belongs to the structure tree",
              tagged_content_in_tree),
    Condition("11-001, 11-006", "Document and span languages are language tags", language),
    Condition("07-001, 07-002", "The title is in the metadata and shown", title_shown),
    Condition("06-002", "PDF/UA-1 identifier in the metadata", ua_identifier),
    Condition("13-004", "Every figure has alternative text", figures_have_alt),
    Condition("14-002, 14-003", "Headings start at H1 and skip no level", headings_nest),
    Condition("14-007", "No heading is empty", headings_not_empty),
    Condition("15-001, 15-002", "Tables are made of rows and cells; no layout tables",
              tables_structured),
    Condition("15-003", "Every header cell has a scope", headers_scoped),
    Condition("16-001, 16-002", "Lists are made of items, labels and bodies",
              lists_structured),
    Condition("28-008, 28-011, 28-010", "Links are described, in the tree, in tab order",
              links_described),
    Condition("31-001, 31-027", "Fonts are embedded, with ToUnicode", fonts_embedded),
]


def check(path: Path, name: str) -> ToolResult:
    """Every condition on one PDF; a file pypdf cannot read is a failure, not a pass."""
    try:
        import pypdf
    except ImportError:
        return not_run(TOOL, name, "pypdf is not installed")
    try:
        tree = Tree(path)
    except Exception as error:  # any file pypdf cannot read is a finding
        return judged(TOOL, pypdf.__version__, name,
                      [Finding("error", "read", f"not a readable PDF ({error})")], 1, 1)
    findings = [Finding("error", condition.matterhorn, message)
                for condition in CONDITIONS for message in condition.check(tree)]
    failed = len({f.rule for f in findings})
    return judged(TOOL, f"Matterhorn 1.1 via pypdf {pypdf.__version__}", name, findings,
                  len(CONDITIONS), failed)
