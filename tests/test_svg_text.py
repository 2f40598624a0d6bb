"""Words drawn in SVG figures: set in the brand's text font in every output (a subset of it
embedded in the drawing), and measured against the drawing's viewBox (`svg-label`)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from guidepress.checks import check_files
from guidepress.read.assets import load_asset
from guidepress.read.brand import load_brand
from guidepress.read.fonts import load_family
from guidepress.read.svgtext import advance, face, labels, overruns

from .conftest import ROOT, SHIPPED, TEST_GUIDE

SVG = "http://www.w3.org/2000/svg"
STYLES = ROOT / "styles"
FAMILY = load_family("atkinson-hyperlegible")
FONT_FACE = re.compile(r"@font-face\{font-family:'([^']+)';font-style:(\w+);font-weight:(\d+);"
                       r"unicode-range:([^;]+);src:url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)")
TODAY = dt.date(2026, 11, 25)


def drawing(body: str, view_box: str = "0 0 400 260") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" role="img" '
            f'aria-label="A test drawing">\n<title>A test drawing</title>\n{body}\n</svg>\n')


def load(tmp_path: Path, body: str, view_box: str = "0 0 400 260"):
    (tmp_path / "images").mkdir(exist_ok=True)
    (tmp_path / "images" / "d.svg").write_text(drawing(body, view_box), encoding="utf-8")
    asset, warnings = load_asset("images/d.svg", 7, tmp_path / "guide.md")
    assert warnings == []
    return asset.data


def font_faces(data: bytes) -> list[tuple[str, str, int, str, bytes]]:
    text = data.decode("utf-8")
    return [(m[1], m[2], int(m[3]), m[4], base64.b64decode(m[5]))
            for m in FONT_FACE.finditer(text)]


def width(text: str, size: float, weight: int = 400) -> float:
    return advance(text, face(FAMILY, weight, False).path, size)


# -- the brand font, embedded -----------------------------------------------------------


def test_labels_get_the_brand_font_first_and_a_subset_with_every_character(tmp_path):
    data = load(tmp_path, '<g font-family="Arial, sans-serif" font-weight="700">'
                          '<text x="10" y="30" font-size="20">Músculo <tspan>tenso</tspan></text>'
                          '</g><text x="10" y="80" style="font-family: Verdana">Disc 2</text>')
    root = ET.fromstring(data)
    [(name, style, _, ranges, woff2)] = [f for f in font_faces(data) if f[2] == 700]
    assert name.startswith("Atkinson Hyperlegible ") and style == "normal"
    font = TTFont(io.BytesIO(woff2))
    assert font.flavor == "woff2"
    cmap = font.getBestCmap()
    used = set("Músculo tenso" + "Disc 2") - {" "}
    assert {chr(c) for c in cmap} >= used
    assert len(cmap) < 30  # a subset: the whole font maps hundreds of characters
    assert ranges == ", ".join(f"U+{ord(c):X}" for c in sorted(used))
    assert [f[2] for f in font_faces(data)] == [400, 700]  # Disc 2 is regular
    families = [e.get("font-family") for e in root.iter() if e.get("font-family")]
    assert families == [f"'{name}', 'Atkinson Hyperlegible', sans-serif",
                        f"'{name}', 'Atkinson Hyperlegible', Arial, sans-serif"]
    [text] = [e for e in root.iter(f"{{{SVG}}}text") if e.get("style")]
    assert text.get("style") == f"font-family:'{name}', 'Atkinson Hyperlegible', Verdana"
    # The <style> comes after the title, so the drawing still starts with its name.
    assert [child.tag.split("}")[1] for child in root][:2] == ["title", "style"]


def test_drawings_without_text_are_left_as_they_were(tmp_path):
    data = load(tmp_path, '<rect width="10" height="10" fill="#1b2733"/>')
    assert b"@font-face" not in data and b"font-family" not in data


def test_the_same_drawing_gives_the_same_bytes(tmp_path):
    body = '<text x="10" y="30" font-size="20">Stretched ligament</text>'
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    first, second = load(tmp_path / "a", body), load(tmp_path / "b", body)
    assert first == second and b"@font-face" in first


@pytest.mark.parametrize("path", sorted((ROOT / "manuscript" / "images").glob("*.svg")),
                         ids=lambda p: p.name)
def test_shipped_drawings_embed_a_small_bold_subset(path, tmp_path):
    shutil.copy(path, tmp_path / "d.svg")
    asset, _ = load_asset("d.svg", 1, tmp_path / "guide.md")
    faces = font_faces(asset.data)
    assert [f[2] for f in faces] == [700]  # their labels are bold
    assert len(asset.data) - path.stat().st_size < 4000  # a few KB per drawing


# -- measuring labels ------------------------------------------------------------------


def test_a_label_too_wide_is_flagged_with_how_far_it_runs(tmp_path):
    data = load(tmp_path, '<text x="250" y="120" font-family="Arial" font-size="20">'
                          'Stretched ligament</text>')
    [over] = overruns(data, FAMILY)
    expected = 250 + width("Stretched ligament", 20) - 400
    assert (over.text, over.side) == ("Stretched ligament", "right")
    assert over.by == pytest.approx(expected) and round(over.by) == 18


def test_a_label_inside_is_not(tmp_path):
    data = load(tmp_path, '<text x="220" y="120" font-size="20">Stretched ligament</text>')
    assert overruns(data, FAMILY) == []


@pytest.mark.parametrize(("body", "side", "by"), [
    # text-anchor: middle puts half on each side of x, end all of it before x.
    ('<text x="60" y="20" text-anchor="middle" font-size="20">Stretched ligament</text>',
     "left", lambda w: w / 2 - 60),
    ('<text x="100" y="20" text-anchor="end" font-size="20">Stretched ligament</text>',
     "left", lambda w: w - 100),
    # A translate() on a group moves its text; em sizes follow the group's size.
    ('<g transform="translate(300 0)" font-size="10"><text y="20" font-size="2em">'
     'Stretched ligament</text></g>', "right", lambda w: 300 + w - 400),
    # style="" wins over the attribute.
    ('<text x="300" y="20" font-size="8" style="font-size:20px">Stretched ligament</text>',
     "right", lambda w: 300 + w - 400),
])
def test_anchors_translations_and_sizes(tmp_path, body, side, by):
    [over] = overruns(load(tmp_path, body), FAMILY)
    assert over.side == side
    assert over.by == pytest.approx(by(width("Stretched ligament", 20)))


def test_tspans_start_new_labels_or_continue_the_line(tmp_path):
    data = load(tmp_path, '<text x="10" y="20" font-size="20">Tight <tspan font-weight="bold">'
                          'muscle</tspan><tspan x="330" dy="20">here and there</tspan></text>')
    found = labels(ET.fromstring(data))
    assert [(label.text, label.x) for label in found] == [("Tight muscle", 10.0),
                                                          ("here and there", 330.0)]
    [over] = overruns(data, FAMILY)
    assert over.text == "here and there"
    assert over.by == pytest.approx(330 + width("here and there", 20) - 400)


def test_rotated_text_and_text_on_a_path_are_not_measured(tmp_path):
    data = load(tmp_path, '<defs><path id="p" d="M0 0 L400 0"/></defs>'
                          '<text x="300" y="20" transform="rotate(90)" font-size="20">'
                          'Stretched ligament</text>'
                          '<text font-size="20"><textPath href="#p">Stretched ligament '
                          'Stretched ligament Stretched ligament</textPath></text>')
    assert overruns(data, FAMILY) == []


def test_the_check_names_the_image_line_and_the_numbers(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "ankle.svg").write_text(drawing(
        '<text x="250" y="120" font-size="20">Stretched ligament</text>'), encoding="utf-8")
    guide = tmp_path / "guide.md"
    guide.write_text("---\ntitle: T\nreviewed: 2026-10-01\n---\n# A {#a}\n\n"
                     "![An ankle seen from the side.](images/ankle.svg)\n", encoding="utf-8")
    [found] = [f for f in check_files([guide], STYLES, TODAY) if f.rule == "svg-label"]
    assert (found.path, found.line, found.col, found.severity) == (guide, 7, 33, "warning")
    assert found.message == ("images/ankle.svg: the label 'Stretched ligament' runs 18 px past "
                             "the right edge of the drawing's viewBox; move it left or "
                             "shorten it")


def test_the_shipped_and_test_guides_draw_every_label_inside():
    brand = load_brand(STYLES)
    for path in (SHIPPED, TEST_GUIDE):
        assert [f for f in check_files([path], STYLES, TODAY) if f.rule == "svg-label"] == []
    for path in sorted((ROOT / "manuscript" / "images").glob("*.svg")):
        assert overruns(path.read_bytes(), brand.text_font) == [], path.name


def test_a_damaged_cached_subset_is_made_again(tmp_path, monkeypatch):
    from guidepress.read import svgtext

    monkeypatch.setattr("guidepress.read.fonts.cache_folder", lambda: tmp_path)
    path = face(FAMILY, 400, False).path
    made = svgtext.subset_woff2.__wrapped__(path, "Hi")
    [entry] = (tmp_path / "svg-subsets").iterdir()
    assert entry.read_bytes()[:-32] == made
    entry.write_bytes(b"planted" + entry.read_bytes()[7:])
    assert svgtext.subset_woff2.__wrapped__(path, "Hi") == made
    assert TTFont(io.BytesIO(made)).getBestCmap().keys() >= {ord("H"), ord("i")}
