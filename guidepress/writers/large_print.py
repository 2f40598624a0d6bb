"""Large-print writer: the whole guide, and every handout, for readers with low vision.

The book is laid out again for the large-print edition (layout/book.py,
``large_print_edition``: the office paper, margins of 1 in or more, 18 pt body text) with
styles/css/large-print.css on top of print.css. Each handout is laid out by the handout
writer with a large-print ``Fit`` (18 pt at the least, on up to both sides of one sheet)
and the same profile on top of handout.css.

Files: ``<slug>/<slug>-large-print.pdf`` and ``<slug>/handouts/<id>-large-print.pdf``,
each with ``edition="large-print"`` in the manifest.
"""

from __future__ import annotations

import dataclasses

from ..layout import weasy
from ..layout.book import large_print_edition, layout_book
from ..layout.thumbs import first_page
from ..model import Guide
from ..render.templates import translator
from . import BuildContext, OutputFile
from .handout import Fit, write_one

EDITION = "large-print"
# The handouts' sizes: 20 pt by design, down to 18 pt (APH) in half points; a sheet may
# take both its sides. Figures stay tall enough that the words in them print at 14 pt or
# more (the shipped drawings' labels are 26/600 of their width).
FIT = Fit(design_pt=20.0, floor_pt=18.0, step_pt=0.5, figure_in=3.1, pages=2)


def write(guide: Guide, context: BuildContext) -> list[OutputFile]:
    return [book(guide, context), *handouts(guide, context)]


def book(guide: Guide, context: BuildContext) -> OutputFile:
    """The whole guide, laid out again for the large-print edition."""
    layout = layout_book(guide, context, large_print_edition(context.brand))
    data = weasy.pdf_bytes(layout.document, context.timestamp,
                           [start.label for start in layout.pages])
    _ = translator(context.brand.styles, guide.meta.language)
    return OutputFile("pdf", f"{guide.folder}/{guide.slug}-{EDITION}.pdf",
                      _("%(title)s (large print)") % {"title": guide.meta.title}, data,
                      pages=len(layout.document.pages), edition=EDITION,
                      thumb=first_page(data))


def handouts(guide: Guide, context: BuildContext) -> list[OutputFile]:
    """Every handout in large print; one that cannot fit both sides of a sheet at 18 pt
    stops the build, naming its line in the front matter and the sections to shorten."""
    profile = large_print_edition(context.brand).profile
    _ = translator(context.brand.styles, guide.meta.language)
    return [dataclasses.replace(write_one(guide, spec, context, FIT, profile, EDITION),
                                title=_("%(title)s (large print)") % {"title": spec.title})
            for spec in guide.meta.handouts]
