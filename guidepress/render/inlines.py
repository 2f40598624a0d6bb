"""Inline nodes → HTML: text, emphasis, code, spans, breaks and links."""

from __future__ import annotations

from markupsafe import Markup

from ..model import Node
from .base import RendererBase, attributes


class InlineRenderer(RendererBase):
    """Text, emphasis, code, spans, breaks and links."""

    def inline(self, nodes: tuple[Node, ...]) -> Markup:
        return Markup("").join(self.inline_node(n) for n in nodes)

    def inline_node(self, node: Node) -> Markup:
        match node.type:
            case "text":
                return self.text(node.text)
            case "softbreak":
                # In a float: footnote WeasyPrint breaks the line at a newline, even in
                # normal white-space, so a note's soft breaks are spaces.
                return Markup(" " if self.in_float_note else "\n")
            case "hardbreak":
                return Markup("<br/>")
            case "em" | "strong" | "sub" | "sup":
                return Markup(f"<{node.type}>{{}}</{node.type}>").format(
                    self.inline(node.children))
            case "strike":
                return Markup("<del>{}</del>").format(self.inline(node.children))
            case "span":  # [palabra]{lang=es}: read out in its language
                return self.element("span", node, self.inline(node.children),
                                    lang=node.attrs.get("lang", ""))
            case "code":
                return Markup("<code>{}</code>").format(self.text(node.text))
            case "link":
                return self.i_link(node)
            case "image":
                return self.i_image(node)
            case "footnote_ref":
                return self.i_footnote_ref(node)
            case "comment":
                return Markup("")
        return self.inline(node.children)

    def i_link(self, node: Node) -> Markup:
        href = node.attrs.get("href", "")
        inner = self.inline(node.children)
        title = attributes({"title": node.attrs["title"]}) if node.attrs.get("title") else ""
        if href.startswith("#"):
            resolved = self.options.href_for(href[1:])
            if resolved is None:
                return inner
            return Markup('<a href="{}"{}>{}</a>').format(resolved, title, inner)
        return Markup('<a class="external" href="{}"{}>{}</a>').format(href, title, inner)
