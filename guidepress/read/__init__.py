"""Reading: manuscripts (Markdown with YAML front matter) and the brand (styles/brand.yaml,
its fonts) become the values every later stage works from, checked on the way in.

``guide`` is the reader proper (``read_guide``); ``frontmatter`` checks the YAML against
its schema; ``markdown`` (with the ``mdblocks`` and ``mdtables`` plugins) turns the body
into model nodes; ``assets`` loads and cleans images; ``brand``, ``fonts`` and ``glyphs``
read the clinic's brand and say which characters its fonts can draw.

May import: ``errors``, ``files``, ``units``, ``project``, ``model``; nothing later.
"""

from .guide import read_guide, slug_for

__all__ = ["read_guide", "slug_for"]
