"""Figure and image nodes → HTML, sized as pandoc sizes them."""

from __future__ import annotations

from markupsafe import Markup

from ..model import Node
from .base import RendererBase, attributes


class FigureRenderer(RendererBase):
    """Figures with their captions, and images (inline or in a figure)."""

    def b_figure(self, node: Node) -> Markup:
        image, *caption = node.children
        inner = self.i_image(image)
        if caption:
            # When the caption is also the alt text, screen readers should hear it once
            # (pandoc marks it the same way).
            hidden = "true" if image.attrs.get("caption_is_alt") else ""
            inner += self.element("figcaption", None, self.inline(caption[0].children),
                                  aria_hidden=hidden)
        return self.element("figure", node, inner)

    def i_image(self, node: Node) -> Markup:
        attrs = {"src": self.options.src_for(node.attrs.get("src", "")),
                 "alt": node.attrs.get("alt", "")}
        if title := node.attrs.get("title"):
            attrs["title"] = title
        if style := image_size(node.attrs):
            attrs["style"] = style
        return Markup("<img{}/>").format(attributes(attrs))


def image_size(attrs: dict[str, str]) -> str:
    """The CSS for an image's width/height attributes, pandoc's way: a bare number is
    pixels, "inch" is "in"."""
    rules = []
    for key in ("width", "height"):
        value = attrs.get(key, "").strip().replace("inch", "in")
        if value and not (value[-1].isalpha() or value.endswith("%")):
            value += "px"
        if value:
            rules.append(f"{key}: {value}")
    return "; ".join(rules)
