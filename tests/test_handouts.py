"""Handouts: exactly one Letter page each, the right content, auto-fit above the 12 pt floor."""

from __future__ import annotations

import hashlib

import pytest

from guidepress.build import build
from guidepress.errors import PublishError

from .pdftools import body_size, page_sizes, page_texts


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
    grow_section(guide_copy, "Exercises", 8)
    out = tmp_path / "out"
    build([guide_copy], out, only=["handouts"])
    path = out / "ankle-sprain" / "handouts" / "getting-back.pdf"
    assert page_sizes(path) == [(612.0, 792.0)]
    size = body_size(path)
    assert 12.0 <= size < 13.5
    assert "ENDOFEXERCISES" in text_of(path)


def snapshot(folder):
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


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
