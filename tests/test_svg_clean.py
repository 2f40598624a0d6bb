"""SVG images keep their drawing and lose everything that could act or fetch (clean_svg)."""

from __future__ import annotations

import base64
import io
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from PIL import Image

from guidepress.errors import PublishError
from guidepress.read.assets import MAX_DEPTH, clean_svg, load_asset

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_SVGS = sorted([*ROOT.glob("manuscript/images/*.svg"),
                       *ROOT.glob("tests/fixtures/*/images/*.svg")])
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
XLINK_NS = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
OPEN = f'<svg {SVG_NS} {XLINK_NS} viewBox="0 0 10 10">'
RECT = '<rect id="r" width="5" height="5"/>'
EVIL = "http://evil.example"
SODIPODI = "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
INKSCAPE = "http://www.inkscape.org/namespaces/inkscape"
BANNED = ("javascript:", "http:", "https:", "file:", "data:", "<set", "<animate", "<handler",
          "@import", "foreignObject", "<script", "<iframe", "<feImage", "expression(")
EVENT_ATTRIBUTE = re.compile(r"\son\w*\s*=", re.I)


def svg(body: str) -> str:
    return f"{OPEN}{body}</svg>"


def clean(text: str) -> tuple[str, list[str]]:
    data, removed = clean_svg(text.encode(), "images/x.svg", 12, Path("guide.md"))
    return data.decode(), removed


def without_namespaces(text: str) -> str:
    """The cleaned text minus the two namespace declarations every SVG may carry."""
    return text.replace(SVG_NS, "").replace(XLINK_NS, "")


def tree(text: str | bytes) -> list[tuple]:
    """Every element's tag, attributes, text and tail: what a renderer sees."""
    return [(e.tag, dict(e.attrib), e.text, e.tail) for e in ET.fromstring(text).iter()]


def png_data_url(width: int = 2, height: int = 2) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#1d4f91").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def bomb_data_url() -> str:
    """A PNG header claiming 40 000 × 40 000 pixels: all a decompression bomb needs."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 40_000, 40_000, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()


# case → (body inside <svg>, a fragment of what must be reported as removed)
HOSTILE = {
    # animation that rewrites a link at run time
    "set href": (f'<a href="#r"><set attributeName="href" to="javascript:alert(1)"/>{RECT}</a>',
                 "<set>"),
    "set xlink:href": ('<a xlink:href="#r"><set attributeName="xlink:href" '
                       f'to="javascript:alert(1)"/>{RECT}</a>', "<set>"),
    "animate values": ('<a href="#r"><animate attributeName="href" dur="1s" '
                       f'values="#r;javascript:alert(1)"/>{RECT}</a>', "<animate>"),
    "animateTransform": ('<a href="#r"><animateTransform attributeName="href" from="#r" '
                         f'to="javascript:alert(1)"/>{RECT}</a>', "<animateTransform>"),
    "animateMotion": ('<a href="#r"><animateMotion attributeName="href" path="M0 0 L1 1" '
                      f'values="javascript:alert(1)"/>{RECT}</a>', "<animateMotion>"),
    "animation attributes on a shape": ('<rect attributeName="href" to="javascript:alert(1)" '
                                        'values="javascript:alert(2)" from="#r" by="1"/>',
                                        "the attributeName attribute"),
    # SVG Tiny event handlers
    "handler": ('<handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load" '
                'type="application/ecmascript">alert(1)</handler>', "<handler>"),
    # stylesheets
    "style @import url": (f"<style>@import url({EVIL}/x.css);</style>", "<style>"),
    "style @import string": (f'<style>@import "{EVIL}/x.css"; rect {{ fill: red }}</style>',
                             "<style>"),
    "style escaped url": (rf"<style>rect {{ fill: u\72l({EVIL}/p.svg#g) }}</style>",
                          "<style>"),
    "style escaped url, hex with space": (rf"<style>rect {{ fill: \75 rl({EVIL}/p) }}</style>",
                                          "<style>"),
    "style escaped @import": (rf"<style>\40 import url({EVIL}/x.css); rect {{}}</style>",
                              "<style>"),
    "style escaped @import string": (r'<style>\40 import "x.css"; rect {}</style>',
                                     "<style>"),
    "style file url": ("<style>rect { fill: url(file:///etc/passwd) }</style>", "<style>"),
    "style data url": ('<style>rect { fill: url("data:image/svg+xml,&lt;svg/&gt;") }</style>',
                       "<style>"),
    "style nested at-rule": ("<style>rect { @import url(x.css); fill: red }</style>",
                             "<style>"),
    "style @font-face": (f"<style>@font-face {{ font-family: x; src: url({EVIL}/f.woff) }}"
                         "</style>", "<style>"),
    "style image-set": (f'<style>rect {{ fill: image-set("{EVIL}/a.png" 1x) }}</style>',
                        "<style>"),
    "style in CDATA": (rf"<style><![CDATA[rect {{ fill: u\rl({EVIL}/x) }}]]></style>",
                       "<style>"),
    "style hiding CSS in markup": (f"<style><g>rect {{ fill: url({EVIL}/x) }}</g></style>",
                                   "<g>"),
    # presentation attributes and style="…"
    "fill": (f'<rect width="5" height="5" fill="url({EVIL}/p.svg#g)"/>',
             "the fill attribute, which has a reference to"),
    "fill escaped by XML": ('<rect fill="&#117;rl(http://evil.example/p)"/>',
                            "the fill attribute"),
    "stroke": ('<rect stroke="url(file:///etc/passwd#g) red"/>', "the stroke attribute"),
    "filter": (f'<rect filter="url({EVIL}/f.svg#f)"/>', "the filter attribute"),
    "mask": ('<rect mask="url(data:image/svg+xml;base64,PHN2Zy8+)"/>', "the mask attribute"),
    "clip-path": (f'<rect clip-path="url(&quot;{EVIL}/c.svg#c&quot;)"/>',
                  "the clip-path attribute"),
    "marker-start": (f'<path d="M0 0 L5 5" marker-start="url({EVIL}/m#m)"/>',
                     "the marker-start attribute"),
    "marker-end": ('<path d="M0 0 L5 5" marker-end="url(file:///m.svg#m)"/>',
                   "the marker-end attribute"),
    "style attribute": (f'<rect style="fill: url({EVIL}/p#g); stroke: red"/>',
                        "the style attribute, which has"),
    "style attribute escaped": (rf'<rect style="fill: u\72l({EVIL}/p)"/>',
                                "the style attribute"),
    "style attribute data": ('<rect style="fill: url(\'data:image/png;base64,AAAA\')"/>',
                             "the style attribute"),
    "style attribute expression": ('<rect style="width: expression(alert(1))"/>',
                                   "expression()"),
    "style attribute @import": ('<rect style="@import url(x.css)"/>', "@import"),
    "cursor": (f'<rect cursor="url({EVIL}/c.cur), auto"/>', "the cursor attribute"),
    # links other than #id
    "use outside": (f'<use href="{EVIL}/sprite.svg#x"/>', f"a link to {EVIL}"),
    "use xlink outside": ('<use xlink:href="file:///etc/passwd#x"/>', "a link to file:"),
    "use data svg": ('<use href="data:image/svg+xml;base64,PHN2Zy8+#x"/>', "a link to data:"),
    "a javascript": (f'<a href="javascript:alert(1)">{RECT}</a>', "a link to javascript:"),
    "a xlink javascript": (f'<a xlink:href="javascript:alert(1)">{RECT}</a>',
                           "a link to javascript:"),
    "a javascript after a space": (f'<a href=" javascript:alert(1)">{RECT}</a>',
                                   "a link to  javascript:"),
    "a entity-encoded javascript": (f'<a href="&#106;avascript:alert(1)">{RECT}</a>',
                                    "a link to javascript:"),
    "gradient outside": (f'<linearGradient id="g" href="{EVIL}/g.svg#g"/>', "a link to http"),
    "image file": ('<image href="file:///etc/passwd" width="5" height="5"/>', "a link to file:"),
    "image svg data": ('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="5"/>',
                       "a link to data:image/svg+xml"),
    "image not really png": ('<image href="data:image/png;base64,aGVsbG8=" width="5"/>',
                             "a link to data:image/png"),
    "image png bomb": (f'<image href="{bomb_data_url()}" width="5"/>', "a link to data:"),
    "image sibling file": ('<image href="chart.png" width="5"/>', "a link to chart.png"),
    "xml:base": (f'<g xml:base="{EVIL}/"><use href="#r"/></g>', "the xml:base attribute"),
    "feImage": (f'<filter id="f"><feImage href="{EVIL}/a.png"/></filter>', "<feImage>"),
    # event attributes
    "onclick": ('<rect onclick="alert(1)" width="5" height="5"/>', "the onclick attribute"),
    "onMouseOver": ('<rect onMouseOver="alert(1)"/>', "the onMouseOver attribute"),
    "onload nested svg": ('<svg onload="alert(1)"><rect/></svg>', "the onload attribute"),
    "onbegin": ('<g onbegin="alert(1)"/>', "the onbegin attribute"),
    "event in another namespace": ('<rect xmlns:ev="http://www.w3.org/2001/xml-events" '
                                   'ev:onclick="alert(1)"/>', "the onclick attribute"),
    # elements from other namespaces, and scripts
    "foreignObject": ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
                      '<a href="javascript:alert(1)">hi</a></div></foreignObject>',
                      "<foreignObject>"),
    "xhtml script": ('<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>',
                     "<script>"),
    "svg script": ('<script href="http://evil.example/x.js">alert(1)</script>', "<script>"),
    "iframe": (f'<iframe xmlns="http://www.w3.org/1999/xhtml" src="{EVIL}"/>', "<iframe>"),
    "script inside text": ("<text>Hi<script>alert(1)</script></text>", "<script>"),
    "sodipodi": (f'<sodipodi:namedview xmlns:sodipodi="{SODIPODI}" pagecolor="#fff"/>',
                 "<sodipodi:namedview>"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_svg_is_defused_and_the_removal_reported(case):
    body, reported = HOSTILE[case]
    cleaned, removed = clean(svg(body))
    visible = without_namespaces(cleaned)
    for banned in BANNED:
        assert banned not in visible, (banned, cleaned)
    assert not EVENT_ATTRIBUTE.search(visible), cleaned
    assert any(reported in what for what in removed), removed
    assert ET.fromstring(cleaned).tag == "{http://www.w3.org/2000/svg}svg"


BENIGN = f"""<svg {SVG_NS} {XLINK_NS} viewBox="0 0 100 60" role="img" aria-labelledby="t"
     xml:lang="en" data-name="Layer 1">
  <title id="t">A benign drawing</title>
  <desc>Every kind of static content a drawing program writes.</desc>
  <style type="text/css">
    .band {{ fill: url(#g); stroke: rgb(29 79 145); }}
    rect:not(.band) {{ fill: url("#p"); filter: url( #f ) }}
  </style>
  <defs>
    <linearGradient id="g" x1="0" x2="1" gradientTransform="rotate(10)">
      <stop offset="0" stop-color="#1d4f91"/><stop offset="1" stop-color="#0f7b6c"/>
    </linearGradient>
    <radialGradient id="h" xlink:href="#g" cx="0.5" cy="0.5" r="0.5"/>
    <pattern id="p" width="4" height="4" patternUnits="userSpaceOnUse">
      <circle cx="2" cy="2" r="1" fill="#b8472f"/>
    </pattern>
    <clipPath id="c"><rect width="90" height="50"/></clipPath>
    <mask id="m"><rect width="100" height="60" fill="#fff"/></mask>
    <marker id="arrow" markerWidth="4" markerHeight="4" refX="2" refY="2" orient="auto">
      <polygon points="0,0 4,2 0,4"/>
    </marker>
    <filter id="f" x="-10%" y="-10%" width="120%" height="120%">
      <feGaussianBlur in="SourceAlpha" stdDeviation="1" result="blur"/>
      <feColorMatrix in="blur" type="matrix" values="1 0 0 0 0 0 1 0 0 0 0 0 1 0 0 0 0 0 .5 0"/>
      <feOffset dx="1" dy="1"/>
      <feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge>
    </filter>
    <symbol id="dot" viewBox="0 0 2 2"><circle cx="1" cy="1" r="1"/></symbol>
    <path id="curve" d="M10 50 Q50 10 90 50"/>
  </defs>
  <g clip-path="url(#c)" mask="url(#m)" transform="translate(1, 2) scale(1)">
    <rect class="band" width="100" height="20" style="fill: url(#g); stroke: #000"/>
    <rect y="20" width="100" height="20" fill="url(#h) #fff"/>
    <path d="M5 55 L95 55" stroke="#1b2733" stroke-width="2" marker-end="url(#arrow)"/>
    <ellipse cx="50" cy="30" rx="10" ry="5" fill="none" stroke="#b8472f"/>
    <line x1="0" y1="0" x2="10" y2="10" stroke="#1b2733"/>
    <polyline points="0,0 5,5 10,0" fill="none" stroke="#1b2733"/>
    <use href="#dot" x="40" y="40" width="4" height="4"/>
    <a href="#t"><rect x="80" width="5" height="5" aria-label="Back to the title"/></a>
  </g>
  <text x="10" y="30" font-family="Atkinson Hyperlegible, Arial" font-size="6"
        fill="#1b2733">Stretched <tspan font-weight="bold">ligament</tspan> here</text>
  <text><textPath href="#curve" startOffset="10%">along the curve</textPath></text>
  <switch><g systemLanguage="en"><text y="58">English</text></g><text y="58">Other</text></switch>
  <image x="90" y="50" width="2" height="2" href="{png_data_url()}"/>
</svg>
"""


def test_a_benign_drawing_keeps_every_element_and_attribute():
    cleaned, removed = clean(BENIGN)
    assert removed == []
    assert tree(cleaned) == tree(BENIGN)
    for kept in ('fill="url(#h) #fff"', "fill: url(#g)", 'href="#dot"', 'xlink:href="#g"',
                 "<title", "<tspan", "<textPath", "<feGaussianBlur", "data:image/png;base64,",
                 "Stretched ", " here</text>"):
        assert kept in cleaned, kept


@pytest.mark.parametrize("path", SHIPPED_SVGS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shipped_drawings_lose_nothing(path):
    data = path.read_bytes()
    cleaned, removed = clean_svg(data, path.name, 1, Path("guide.md"))
    assert removed == []
    assert tree(cleaned) == tree(data)


def test_shipped_drawings_are_found():
    assert len(SHIPPED_SVGS) >= 3


def test_text_around_a_removed_element_is_kept():
    cleaned, removed = clean(svg('<text>Press <set attributeName="x" to="1"/>gently '
                                 '<tspan>here<handler>x</handler> now</tspan>.</text>'))
    assert removed == ["<set>", "<handler>"]
    assert "".join(ET.fromstring(cleaned).itertext()) == "Press gently here now."


def test_editor_clutter_is_removed_and_reported_once():
    drawing = f"""<svg {SVG_NS} xmlns:inkscape="{INKSCAPE}" xmlns:sodipodi="{SODIPODI}"
        inkscape:version="1.3" sodipodi:docname="x.svg" viewBox="0 0 10 10">
      <sodipodi:namedview pagecolor="#ffffff"/>
      <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
      <g inkscape:label="Layer 1" inkscape:groupmode="layer">
        <rect width="5" height="5" inkscape:label="a"/><rect width="5" inkscape:label="b"/>
      </g>
    </svg>"""
    cleaned, removed = clean(drawing)
    assert removed == ["the inkscape:version attribute", "the sodipodi:docname attribute",
                       "<sodipodi:namedview>", "<metadata>", "the inkscape:label attribute",
                       "the inkscape:groupmode attribute"]
    assert "inkscape" not in cleaned and "sodipodi" not in cleaned
    assert cleaned.count("<rect") == 2


def test_removals_are_warnings_at_the_manuscript_line(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "x.svg").write_text(
        svg('<rect onclick="a()"/><rect onclick="b()"/><set attributeName="href" to="x"/>'),
        encoding="utf-8")
    manuscript = tmp_path / "guide.md"
    manuscript.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    asset, found = load_asset("images/x.svg", 7, manuscript)
    assert [(d.line, d.severity, d.message) for d in found] == [
        (7, "warning", "image 'images/x.svg': removed the onclick attribute"),
        (7, "warning", "image 'images/x.svg': removed <set>")]
    assert b"onclick" not in asset.data and b"<set" not in asset.data


def test_deep_nesting_is_a_clear_error_not_a_crash():
    fine = "<g>" * (MAX_DEPTH - 1) + "</g>" * (MAX_DEPTH - 1)
    assert clean(svg(fine))[1] == []
    deep = "<g>" * 5000 + "</g>" * 5000
    with pytest.raises(PublishError, match="levels deep"):
        clean(svg(deep))
