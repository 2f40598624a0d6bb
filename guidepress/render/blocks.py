"""Block nodes → HTML: headings, paragraphs, lists, quotes, code, rules, callouts."""

from __future__ import annotations

from markupsafe import Markup

from ..model import Node, visible
from .base import RendererBase
from .templates import N_

# Node types that are one element around their children: (tag, whether the children are
# blocks rather than inline text). Others have a b_<type> method of their own.
ELEMENTS = {
    "paragraph": ("p", False), "bullet_list": ("ul", True), "blockquote": ("blockquote", True),
    "caption": ("caption", False), "thead": ("thead", True), "tbody": ("tbody", True),
    "tr": ("tr", True), "definition_list": ("dl", True), "term": ("dt", False),
    "definition": ("dd", True),
}


# Fenced-div classes rendered as labelled callouts (<aside>); the value is the default label.
# They are translated where a callout is rendered.
CALLOUTS = {
    "key-points": N_("Key points"),
    "warning": N_("Get help right away"),
    "disclaimer": N_("Please note"),
    "note": N_("Note"),
    "tip": N_("Tip"),
}


class BlockRenderer(RendererBase):
    """Headings, paragraphs, lists, quotes, code, rules and fenced divs (callouts)."""

    def blocks(self, nodes: tuple[Node, ...]) -> Markup:
        return Markup("\n").join(self.block(n) for n in nodes if visible(n, self.options.target))

    def block(self, node: Node) -> Markup:
        method = getattr(self, "b_" + node.type, None)
        if method is None and node.type in ELEMENTS:
            method = self.b_element
        if method is None:
            return self.element("div", node, self.blocks(node.children))
        return self.leaf(node, lambda: method(node))

    def b_element(self, node: Node) -> Markup:
        """A node that is one element around its children (see ELEMENTS)."""
        tag, holds_blocks = ELEMENTS[node.type]
        inner = self.blocks(node.children) if holds_blocks else self.inline(node.children)
        return self.element(tag, node, inner)

    def b_heading(self, node: Node) -> Markup:
        level = min(6, int(node.attrs["level"]) + self.heading_shift)
        return self.element(f"h{level}", node, self.inline(node.children))

    def b_ordered_list(self, node: Node) -> Markup:
        start = node.attrs.get("start", "")
        start = start if start not in ("", "1") else ""
        # WeasyPrint numbers items with the list-item counter and ignores `start`, so the
        # printed outputs get the counter's first value as well (ebooks use `start`).
        style = ""
        if start and self.options.target in ("pdf", "handout"):
            style = f"counter-reset: list-item {int(start) - 1}"
        kind = node.attrs.get("type", "")
        # Browsers match [type="a"] and [type="A"] alike in HTML pages (not in XHTML), so
        # the web page's style sheet reads the case from data-type.
        data_type = kind if self.options.target == "web" else ""
        return self.element("ol", node, self.blocks(node.children), start=start, type=kind,
                            data_type=data_type, style=style)

    def b_list_item(self, node: Node) -> Markup:
        task = node.attrs.get("task")
        if task is None:
            return self.element("li", node, self.blocks(node.children))
        # The fonts have no ☐ or ☑: the box is drawn by the style sheets; its state is
        # spoken (aria-label) and shown (the tick).
        done = task == "done"
        _ = self.options.gettext
        # Translators: what a screen reader says for a ticked and an empty task box.
        state = _("done") if done else _("not done")
        box = Markup('<span class="task-box{}" role="img" aria-label="{}"></span> ').format(
            " done" if done else "", state)
        first, *rest = node.children
        inner = self.element("p", first, box + self.inline(first.children)) \
            if first.type == "paragraph" else box + self.block(first)
        rest_html = self.blocks(tuple(rest))
        return self.element("li", node, inner + rest_html, class_="task-item")

    def b_line_block(self, node: Node) -> Markup:
        return self.element("div", node, self.inline(node.children), class_="line-block")

    def b_code_block(self, node: Node) -> Markup:
        return Markup("<pre><code>{}</code></pre>").format(node.text.rstrip("\n"))

    def b_comment(self, node: Node) -> Markup:
        return Markup("")

    def b_hr(self, node: Node) -> Markup:
        return Markup('<hr class="break"/>')

    def b_div(self, node: Node) -> Markup:
        callout = next((c for c in node.classes if c in CALLOUTS), None)
        children = node.children
        if callout is None:
            return self.element("div", node, self.blocks(children))
        label = self.options.gettext(CALLOUTS[callout])
        title = Markup("")
        if children and is_title_paragraph(children[0]):
            label = children[0].plain_text().strip()
            title = self.callout_title(children[0])
            children = children[1:]
        classes = " ".join(["callout", *node.classes])
        return Markup('<aside class="{}" aria-label="{}">{}{}</aside>').format(
            classes, label, title, self.blocks(children))

    def callout_title(self, paragraph: Node) -> Markup:
        return self.leaf(paragraph, lambda: self.element(
            "p", paragraph, self.inline(paragraph.children[0].children), class_="callout-title"))


def is_title_paragraph(node: Node) -> bool:
    """A paragraph that is only bold text, like **Key points**, titles its callout."""
    return (node.type == "paragraph" and len(node.children) == 1
            and node.children[0].type == "strong")
