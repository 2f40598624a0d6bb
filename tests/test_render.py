"""The shared HTML renderer: one model, different targets."""

from __future__ import annotations

import pytest
from lxml import etree

from guidepress.read.guide import read_guide
from guidepress.render import HtmlRenderer, RenderOptions

from .conftest import TEST_GUIDE

MARKERS = {
    "BOOKONLYMARKER": {"epub", "pdf", "web"},
    "EBOOKONLYMARKER": {"epub", "web"},
    "PRINTONLYMARKER": {"pdf"},
    "HANDOUTONLYMARKER": {"handout"},
}


@pytest.fixture(scope="module")
def guide():
    return read_guide(TEST_GUIDE)[0]


def render(guide, target: str, notes: str = "popup") -> str:
    return str(HtmlRenderer(guide, RenderOptions(target=target, notes=notes)).blocks(guide.blocks))


@pytest.mark.parametrize("target", ["epub", "pdf", "handout", "web"])
def test_only_classes_pick_outputs(guide, target):
    html = render(guide, target)
    for marker, targets in MARKERS.items():
        assert (marker in html) == (target in targets), (marker, target)


def test_output_is_well_formed_xhtml(guide):
    html = render(guide, "epub")
    etree.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{html}</div>')


def test_semantics(guide):
    html = render(guide, "epub")
    assert '<aside class="callout key-points" aria-label="Key points">' in html
    assert '<p class="callout-title">Key points</p>' in html
    assert '<aside class="callout warning" aria-label="Call us the same day if">' in html
    assert '<th scope="col">Grade</th>' in html
    assert "<caption>How doctors grade a sprain</caption>" in html
    assert '<figure><img src="images/ankle.svg" alt="An ankle seen from the side' in html
    assert "<figcaption>The outer ligament is the one that most often gets hurt</figcaption>" \
        in html
    assert '<a href="#warning-signs">when to call us</a>' in html


def test_footnote_modes(guide):
    popup = HtmlRenderer(guide, RenderOptions(target="epub", notes="popup", epub_types=True))
    html = str(popup.blocks(guide.blocks))
    assert ('<a class="noteref" id="fnref-1" href="#fn-1" role="doc-noteref" '
            'epub:type="noteref">1</a>') in html
    [(number, note, body, more)] = popup.take_notes()
    assert number == 1 and note.label == "grades" and "rupture" in str(body)
    assert str(more) == ""  # a note of one paragraph has nothing after it
    printed = render(guide, "pdf", notes="float")
    assert '<span class="footnote" id="fn-1">A torn ligament' in printed
