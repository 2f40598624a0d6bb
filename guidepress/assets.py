"""Images a manuscript references: found, checked and made safe before any writer sees them.

A manuscript is untrusted input. Its images must be files inside its own folder (no
absolute paths, no `..`, no symlinks leading out), of a known type, of a sane size; SVG is
parsed without DTDs or entities and stripped of scripts, event handlers, foreign content
and references to anything outside the file. Writers only ever see the checked bytes.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image

from .errors import Diagnostic, PublishError
from .model import Asset

MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF",
               "image/webp": "WEBP"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # e.g. 8000 × 6000; a decompression bomb is far larger

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
DROP_ELEMENTS = {"script", "foreignObject", "iframe", "object", "embed", "audio", "video"}
SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);", re.I)
EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.I)


def load_asset(src: str, line: int, manuscript: Path) -> tuple[Asset, list[Diagnostic]]:
    path = locate(src, line, manuscript)
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise PublishError(manuscript, line, f"image '{src}' is not a supported type",
                           "use SVG, PNG, JPEG, GIF or WebP")
    if path.stat().st_size > MAX_BYTES:
        raise PublishError(manuscript, line,
                           f"image '{src}' is {path.stat().st_size // 2**20} MB; "
                           f"the limit is {MAX_BYTES // 2**20} MB",
                           "save a smaller version (a few MB is plenty for print)")
    data = path.read_bytes()
    found: list[Diagnostic] = []
    pixels_wide = 0
    if media_type == "image/svg+xml":
        data, removed = clean_svg(data, src, line, manuscript)
        found = [Diagnostic(manuscript, line, f"image '{src}': removed {what}",
                            "SVG images may not contain scripts or outside references",
                            "warning") for what in removed]
    else:
        pixels_wide = check_raster(data, media_type, src, line, manuscript)
    relative = path.relative_to(manuscript.parent.resolve()).as_posix()
    return Asset(relative, path, media_type, line, data, pixels_wide), found


def locate(src: str, line: int, manuscript: Path) -> Path:
    """The file an image reference names, which must lie inside the manuscript's folder."""
    parts = urlsplit(src)
    hint = "put the image in the manuscript's folder (e.g. images/) and use a relative path"
    if parts.scheme or parts.netloc or src.startswith(("/", "\\")) or "\\" in src:
        raise PublishError(manuscript, line, f"image '{src}' is not a file beside the manuscript",
                           hint)
    folder = manuscript.parent.resolve()
    target = (folder / unquote(parts.path)).resolve()  # resolves symlinks too
    if not target.is_relative_to(folder):
        raise PublishError(manuscript, line, f"image '{src}' is outside the manuscript's folder",
                           hint)
    if target.is_dir():
        raise PublishError(manuscript, line, f"image '{src}' is a folder, not a file")
    if not target.is_file():
        raise PublishError(manuscript, line, f"image '{src}' was not found",
                           f"check the file name; looked for {target}")
    return target


def check_raster(data: bytes, media_type: str, src: str, line: int, manuscript: Path) -> int:
    """Refuse files that are not the image they claim to be, or that would decompress to
    an enormous bitmap (Pillow's decompression-bomb guard, made an error). Returns the
    image's width in pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height, kind = image.width, image.height, image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PublishError(manuscript, line, f"image '{src}' is far too large to open safely",
                           "save it at a normal size (a few thousand pixels wide)") from None
    except Exception:
        raise PublishError(manuscript, line, f"image '{src}' could not be read as an image",
                           "open it in an image editor and save it again") from None
    if kind != PIL_FORMATS[media_type]:
        raise PublishError(manuscript, line,
                           f"image '{src}' is a {kind} file with the wrong extension",
                           f"rename it to end in .{(kind or 'png').lower()}")
    if width * height > MAX_PIXELS:
        raise PublishError(manuscript, line,
                           f"image '{src}' is {width} × {height} pixels, too large",
                           "save it at a normal size (a few thousand pixels wide)")
    return width


def clean_svg(data: bytes, src: str, line: int, manuscript: Path) -> tuple[bytes, list[str]]:
    """Parse an SVG safely and strip anything active or external; say what was removed."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException:
        raise PublishError(manuscript, line,
                           f"image '{src}' declares a DOCTYPE or entities, which are not allowed",
                           "save it again from your drawing program as plain SVG") from None
    except ET.ParseError as exc:
        raise PublishError(manuscript, line, f"image '{src}' is not valid SVG ({exc})",
                           "save it again from your drawing program as plain SVG") from None
    if root.tag != f"{{{SVG}}}svg":
        raise PublishError(manuscript, line, f"image '{src}' is not an SVG image")
    removed: list[str] = []
    strip(root, removed)
    # ElementTree's prefix registry is global and other libraries change it, so name the
    # namespaces here, at the moment of writing: SVG as the default, xlink as "xlink".
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    text = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text, removed


def split_tag(tag: str) -> tuple[str, str]:
    """'{namespace}name' → (namespace, name)."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def strip(element: ET.Element, removed: list[str]) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        namespace, name = split_tag(child.tag)
        style_text = child.text or ""
        if namespace != SVG or name in DROP_ELEMENTS or (
                name == "style" and ("@import" in style_text or EXTERNAL_URL.search(style_text))):
            element.remove(child)
            removed.append(f"<{name}>")
            continue
        strip(child, removed)
    for attribute, value in list(element.attrib.items()):
        local = attribute.rpartition("}")[2]
        if local.lower().startswith("on"):
            del element.attrib[attribute]
            removed.append(f"the {local} attribute")
        elif local == "href" and not (value.startswith("#") or SAFE_DATA_IMAGE.match(value)):
            del element.attrib[attribute]
            removed.append(f"a link to {value[:60]}")
        elif local == "style" and ("@import" in value or EXTERNAL_URL.search(value)):
            del element.attrib[attribute]
            removed.append("a style with an outside reference")
