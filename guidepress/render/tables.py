"""Table nodes → HTML. Cells hold inline text, or blocks in a grid table's cell."""

from __future__ import annotations

from markupsafe import Markup

from ..model import Node
from .base import RendererBase


class TableRenderer(RendererBase):
    """Tables: a scrolling wrapper, header cells with their scope, aligned cells."""

    def b_table(self, node: Node) -> Markup:
        return Markup('<div class="table-wrap">{}</div>').format(
            self.element("table", node, self.blocks(node.children)))

    def b_th(self, node: Node) -> Markup:
        return self.cell("th", node, scope="col")

    def b_td(self, node: Node) -> Markup:
        return self.cell("td", node)

    def cell(self, tag: str, node: Node, **extra: str) -> Markup:
        align = node.attrs.get("align", "")
        # A grid-table cell may hold paragraphs, lists or code (see markdown.cell_blocks).
        inner = self.blocks(node.children) if node.attrs.get("content") == "blocks" \
            else self.inline(node.children)
        return self.element(tag, node, inner, **extra,
                            class_=f"align-{align}" if align else "")
