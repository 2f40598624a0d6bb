"""Model nodes → HTML fragments, shared by every writer.

One renderer serves all outputs; they differ only in a few options (which target, how
footnotes appear, how links and image sources resolve). The HTML is also well-formed XHTML,
so the EPUB writer can use it as it is. The renderer is put together from one class per
node kind (``blocks``, ``inlines``, ``tables``, ``figures``, ``notes``) over ``base``;
``pages`` places the EPUB's page-break markers, ``chapters`` divides the book and
``templates`` fills the Jinja templates in styles/.

May import: ``read`` (the brand, for templates) and everything below it.
"""

from __future__ import annotations

from .base import TARGETS, RendererBase, RenderOptions
from .blocks import BlockRenderer
from .chapters import Chapter, plan_chapters
from .figures import FigureRenderer
from .inlines import InlineRenderer
from .notes import NoteHtml, NoteRenderer
from .pages import page_marker, visible_leaves
from .tables import TableRenderer

__all__ = ["TARGETS", "Chapter", "HtmlRenderer", "NoteHtml", "RenderOptions", "page_marker",
           "plan_chapters", "visible_leaves"]


class HtmlRenderer(BlockRenderer, TableRenderer, FigureRenderer, NoteRenderer, InlineRenderer,
                   RendererBase):
    """Renders blocks to HTML; one instance per output document, so notes number 1, 2, …

    A block's ``b_<type>`` method and an inline node's case come from the class of its
    kind; they reach each other through ``self`` (a note renders its blocks, a cell its
    inline text)."""
