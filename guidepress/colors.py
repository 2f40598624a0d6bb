"""Colour contrast, as WCAG 2 defines it, in colour and as an office printer prints in gray.

Black-and-white printers (and their drivers) turn a colour into one gray level from its
luma, 0.299 R + 0.587 G + 0.114 B on the sRGB values; we compare the two grays the same
way WCAG compares colours.
"""

from __future__ import annotations

import re

HEX = re.compile(r"^#([0-9a-fA-F]{6})$")


def parse_hex(color: str) -> tuple[int, int, int]:
    match = HEX.match(color.strip())
    if not match:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    value = match.group(1)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def gray(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    level = round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2])
    return level, level, level


def ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast(foreground: str, background: str) -> tuple[float, float]:
    """(ratio in colour, ratio when both are printed in gray) for two #rrggbb colours."""
    fg, bg = parse_hex(foreground), parse_hex(background)
    return ratio(fg, bg), ratio(gray(fg), gray(bg))
