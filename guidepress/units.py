"""Numbers as people read them."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """'1 file', '3 files'."""
    return f"{count} {noun}{'s' * (count != 1)}"


def human_size(size: int) -> str:
    """'287 KB', '1.2 MB' (1 KB = 1,000 bytes, as file managers and browsers now show)."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"
