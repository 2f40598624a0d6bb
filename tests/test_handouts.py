"""Handouts: exactly one Letter page each, the right content, auto-fit above the 12 pt floor."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import subprocess

import pypdfium2
import pytest
from pypdf import PdfReader

from guidepress.build import build
from guidepress.colors import contrast
from guidepress.colors import ratio as contrast_ratio
from guidepress.errors import PublishError
from guidepress.project import DEFAULT_STYLES
from guidepress.read.brand import load_brand

from .conftest import TEST_GUIDE
from .folders import snapshot
from .pdftools import body_size, font_sizes, page_sizes, page_texts


def handout_paths(built):
    return [built.out / f["path"] for g in built.manifest["guides"] for f in g["files"]
            if f["kind"] == "handout"]


def text_of(path) -> str:
    return " ".join("".join(page_texts(path)).split())


def test_every_handout_is_one_letter_page(built):
    paths = handout_paths(built)
    assert len(paths) == 5  # three in the shipped guide, two in the test guide
    for path in paths:
        assert page_sizes(path) == [(612.0, 792.0)], path


def test_handout_content_and_branding(built):
    guide = next(j.guide for j in built.guides if j.guide.slug == "ankle-sprain")
    first, second = (built.out / "ankle-sprain" / "handouts" / f"{h.id}.pdf"
                     for h in guide.meta.handouts)
    text = text_of(first)
    assert "The First Days After a Sprain" in text
    assert "Kayal Orthopaedic Center" in text and "Exceptional Care From Head to Toe" in text
    assert "HANDOUTONLYMARKER" in text and "Call us the same day if" in text
    assert "BOOKONLYMARKER" not in text and "PRINTONLYMARKER" not in text
    assert "Balance practice" not in text  # a section the handout does not list
    assert "ENDOFEXERCISES" in text_of(second)  # the last words made it onto the page


def test_shipped_handouts_end_with_their_last_section(built):
    guide = next(j.guide for j in built.guides if j.guide.slug == "muscle-spasms")
    for spec in guide.meta.handouts:
        last = guide.section(spec.sections[-1])
        words = guide.section_blocks(last)[-1].plain_text().split()
        text = text_of(built.out / "muscle-spasms" / "handouts" / f"{spec.id}.pdf")
        assert " ".join(words[-4:]) in text, spec.id
        assert body_size(built.out / "muscle-spasms" / "handouts" / f"{spec.id}.pdf") >= 12


def grow_section(guide_path, section_heading: str, paragraphs: int) -> None:
    text = guide_path.read_text(encoding="utf-8")
    filler = ("Walk a little each day and rest the foot when it aches. " * 5).strip()
    extra = "".join(f"\n{filler}\n" for _ in range(paragraphs))
    marker = f"## {section_heading}"
    head, tail = text.split(marker, 1)
    first_line, rest = tail.split("\n", 1)
    guide_path.write_text(head + marker + first_line + "\n" + extra + rest, encoding="utf-8")


def test_auto_fit_shrinks_type_but_not_below_floor(guide_copy, tmp_path):
    grow_section(guide_copy, "Exercises", 7)  # the brand's help box takes room too
    out = tmp_path / "out"
    build([guide_copy], out, only=["handouts"])
    path = out / "ankle-sprain" / "handouts" / "getting-back.pdf"
    assert page_sizes(path) == [(612.0, 792.0)]
    size = body_size(path)
    assert 12.0 <= size < 13.5
    assert "ENDOFEXERCISES" in text_of(path)


def test_handout_that_cannot_fit_fails_and_writes_nothing(guide_copy, tmp_path):
    out = tmp_path / "out"
    build([guide_copy], out, only=["handouts"])
    before = snapshot(out)
    grow_section(guide_copy, "Exercises", 30)
    with pytest.raises(PublishError) as info:
        build([guide_copy], out, only=["handouts"])
    message = info.value.diagnostic.message
    assert message.startswith("handout 'getting-back' needs about ")
    assert "pages at 12 pt; shorten sections exercises by about " in message
    assert info.value.diagnostic.line == 16  # the handout's id line in the front matter
    assert snapshot(out) == before


def test_the_size_chosen_is_the_largest_that_fits(built):
    """The guessing search must find what stepping 0.25 pt at a time would: the size one
    step larger runs onto a second page."""
    from guidepress.layout import weasy
    from guidepress.writers import BuildContext
    from guidepress.writers.handout import FIT, handout_css, handout_html, section_html

    guide, paths = shipped_handouts(built)
    context = BuildContext(load_brand(DEFAULT_STYLES), "test", dt.datetime(2026, 1, 1))
    for spec, path in zip(guide.meta.handouts, paths, strict=True):
        size = body_size(path)
        assert size in FIT.sizes(), spec.id
        if size == FIT.design_pt:
            continue
        body, notes = section_html(guide, spec)
        html = handout_html(guide, spec, context, body, notes, size + FIT.step_pt, FIT)
        larger = weasy.render(html, guide, context.brand, handout_css(context, FIT))
        assert len(larger.pages) == 2, spec.id


@pytest.mark.parametrize(("size", "needed", "expected"), [
    (13.5, 1.1, 12.75),  # a tenth more room: about 5 % smaller type
    (13.5, 1.03, 13.25),
    (13.0, 1.3, 12.0),
    (13.5, 3.0, 12.0),  # far too long: straight to the floor, to fail fast
])
def test_the_next_size_is_guessed_from_the_overflow(size, needed, expected):
    from guidepress.writers.handout import FIT, next_guess

    assert FIT.sizes()[next_guess(FIT.sizes(), size, needed)] == expected


def test_a_footer_too_tall_for_its_space_is_an_error(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES, styles)
    brand_file = styles / "brand.yaml"
    text = brand_file.read_text(encoding="utf-8")
    extra = "".join(f"    - Office {n} is at 1200 Long Street, Suite 400, Springfield\n"
                    for n in range(4))
    brand_file.write_text(text.replace("  address:\n", "  address:\n" + extra),
                          encoding="utf-8")
    with pytest.raises(PublishError) as info:
        build([TEST_GUIDE], tmp_path / "out", styles=styles, only=["handouts"])
    contact = next(n for n, line in enumerate(text.splitlines(), 1)
                   if line.startswith("contact:"))
    assert (info.value.diagnostic.path, info.value.diagnostic.line) == (brand_file, contact)
    assert "footer is" in info.value.diagnostic.message
    assert "taller than the space kept for it" in info.value.diagnostic.message
    assert not (tmp_path / "out").exists()


# -- Issue: QR code, grayscale safety, legibility, paper, tagging ----------------------


def shipped_handouts(built):
    guide = next(j.guide for j in built.guides if j.guide.slug == "muscle-spasms")
    return guide, [built.out / "muscle-spasms" / "handouts" / f"{h.id}.pdf"
                   for h in guide.meta.handouts]


def render_png(pdf, dpi: int, tmp_path, gray: bool = False):
    from PIL import Image

    stem = tmp_path / f"{pdf.stem}-{dpi}{'-gray' if gray else ''}"
    args = ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", *(["-gray"] if gray else [])]
    subprocess.run([*args, str(pdf), str(stem)], check=True)
    return Image.open(f"{stem}.png")


def decode_qr(image_path) -> list[str]:
    result = subprocess.run(["zbarimg", "--raw", "-q", str(image_path)],
                            capture_output=True, text=True, check=False)
    return result.stdout.split()


def test_qr_code_opens_the_guide_page(built, tmp_path):
    guide, paths = shipped_handouts(built)
    for path in paths:
        image = render_png(path, 150, tmp_path)
        image.save(tmp_path / "qr.png")
        assert decode_qr(tmp_path / "qr.png") == [guide.meta.url], path.name
        # The code is at least 2 cm wide: measure the dark modules in the footer corner.
        corner = image.convert("L").crop((image.width * 3 // 4, image.height * 3 // 4,
                                          image.width, image.height))
        dark = corner.point(lambda v: 255 if v < 100 else 0).getbbox()
        assert (dark[2] - dark[0]) / 150 * 2.54 >= 2.0
        assert (dark[3] - dark[1]) / 150 * 2.54 >= 2.0


def test_qr_falls_back_to_the_clinic_site(guide_copy, tmp_path):
    text = guide_copy.read_text(encoding="utf-8")
    guide_copy.write_text(text.replace("url: https://www.example.org/guides/ankle-sprains/\n",
                                       ""), encoding="utf-8")
    build([guide_copy], tmp_path / "out", only=["handouts"])
    image = render_png(tmp_path / "out" / "ankle-sprain" / "handouts" / "first-days.pdf",
                       150, tmp_path)
    image.save(tmp_path / "qr.png")
    assert decode_qr(tmp_path / "qr.png") == [load_brand(DEFAULT_STYLES).data.site_url]


def test_brand_colour_pairs_keep_contrast_in_colour_and_gray():
    brand = load_brand(DEFAULT_STYLES)
    assert len(brand.data.contrast_pairs) >= 8
    for foreground, background in brand.data.contrast_pairs:
        in_colour, in_gray = contrast(brand.color(foreground), brand.color(background))
        assert in_colour >= 4.5, (foreground, background, in_colour)
        assert in_gray >= 4.5, (foreground, background, in_gray)


def text_box(pdf, phrase: str):
    """The bounding box (left, top, right, bottom, in points from the top) of a phrase."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        textpage = page.get_textpage()
        searcher = textpage.search(phrase)
        index, count = searcher.get_next()
        boxes = [textpage.get_charbox(i) for i in range(index, index + count)]
        height = page.get_height()
    finally:
        document.close()
    left = min(b[0] for b in boxes)
    right = max(b[2] for b in boxes)
    return left, height - max(b[3] for b in boxes), right, height - min(b[1] for b in boxes)


def measured_contrast(gray_image, box, dpi: int) -> float:
    """Contrast between the darkest (ink) and lightest (background) pixels around a phrase,
    as printed in gray: the real outcome of the colour pair on paper."""
    scale = dpi / 72
    left, top, right, bottom = (round(v * scale) for v in box)
    region = gray_image.crop((left - 2, top - 2, right + 2, bottom + 2))
    ink, paper = region.getextrema()

    return contrast_ratio((ink,) * 3, (paper,) * 3)


def test_printed_in_gray_text_keeps_contrast(built, tmp_path):
    _, paths = shipped_handouts(built)
    samples = {  # phrase → what it checks
        "When to call": "warning title on the warning tint",
        "Call your doctor if your pain": "body text on the warning tint",
        "Laser therapy uses": "body text on paper",
        "Trigger point injections": "heading colour on paper",
        "Medically reviewed": "muted footer text on paper",
    }
    treatment = next(p for p in paths if p.stem == "treatment")
    image = render_png(treatment, 150, tmp_path, gray=True).convert("L")
    for phrase, what in samples.items():
        ratio = measured_contrast(image, text_box(treatment, phrase), 150)
        assert ratio >= 4.5, (what, ratio)


def body_lines(pdf, brand_name: str) -> list[str]:
    lines = [line.strip() for line in page_texts(pdf, raw=True)[0].splitlines()
             if line.strip()]
    footer = next(i for i, line in enumerate(lines) if line.startswith(f"{brand_name} ·"))
    return lines[3:footer]  # after the header (clinic, tagline, label) and before the footer


def test_legibility_measured(built):
    guide, paths = shipped_handouts(built)
    source = " ".join(guide.source.read_text(encoding="utf-8").split())
    for path in paths:
        assert body_size(path) >= 12.0, path.name
        assert min(font_sizes(path)) >= 8.5, path.name  # even note numbers, figure labels
        lines = body_lines(path, "Kayal Orthopaedic Center")
        assert max(len(line) for line in lines) <= 70, path.name
        for line, following in itertools.pairwise(lines):
            if line.endswith("-") and following[:1].islower():
                # only words that carry a hyphen in the manuscript may break there
                word = line.split()[-1] + following.split()[0]
                assert word in source, (path.name, word)


def test_notes_at_the_foot_of_the_sheet(built):
    text = text_of(built.out / "muscle-spasms" / "handouts" / "prevention.pdf")
    assert "natural corset" in text
    assert "1. A corset is a snug garment" in text
    assert text.index("1. A corset") > text.index("Stop right away")


def test_a4_paper_is_one_setting(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES, styles)
    brand_file = styles / "brand.yaml"
    brand_file.write_text(brand_file.read_text(encoding="utf-8").replace(
        "paper: letter", "paper: a4"), encoding="utf-8")
    build([TEST_GUIDE], tmp_path / "out", styles=styles, only=["handouts"])
    for path in (tmp_path / "out" / "ankle-sprain" / "handouts").glob("*.pdf"):
        assert page_sizes(path) == [(595.3, 841.9)]


def structure_alts(pdf) -> list[str]:
    reader = PdfReader(pdf)
    alts: list[str] = []

    def walk(node):
        node = node.get_object()
        if node.get("/S") == "/Figure":
            alts.append(str(node.get("/Alt")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return alts


def test_tagged_pdf_ua(built):
    guide, paths = shipped_handouts(built)
    for path in paths:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                              check=True).stdout
        assert "Tagged:          yes" in info
        spec = next(h for h in guide.meta.handouts if h.id == path.stem)
        assert f"Title:           {spec.title} (Kayal Orthopaedic Center)" in info
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "en-US"
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        xmp = root["/Metadata"].get_object().get_data()
        assert b'pdfuaid:part="1"' in xmp
        alts = structure_alts(path)
        assert f"QR code that opens {guide.meta.url}" in alts
        assert "Kayal Orthopaedic Center logo" in alts


def test_sections_come_in_the_listed_order(guide_copy, tmp_path):
    text = guide_copy.read_text(encoding="utf-8")
    guide_copy.write_text(text.replace("sections: [first-days, warning-signs]",
                                       "sections: [warning-signs, first-days]"),
                          encoding="utf-8")
    build([guide_copy], tmp_path, only=["handouts"])
    printed = text_of(tmp_path / "ankle-sprain" / "handouts" / "first-days.pdf")
    assert printed.index("Call us the same day if") < printed.index("For the first two days")
