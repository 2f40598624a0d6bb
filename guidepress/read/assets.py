"""Images a manuscript references: found, checked and made safe before any writer sees them.

A manuscript is untrusted input. Its images must be files inside its own folder (no
absolute paths, no `..`, no symlinks leading out), of a known type, of a sane size; SVG is
parsed without DTDs or entities and cut down to an allow-list: the static drawing elements
and attributes of SVG, links only to `#id`s inside the file, and CSS whose every `url()`
points inside the file. Anything else (scripts, animation, event handlers, foreign content,
outside references) is removed and reported. Writers only ever see the checked bytes.
"""

from __future__ import annotations

import base64
import io
import re
import unicodedata
import warnings
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import defusedxml.ElementTree as SafeET
import tinycss2
from defusedxml import DefusedXmlException
from PIL import Image
from tinycss2.ast import FunctionBlock, Node

from ..errors import Diagnostic, PublishError
from ..model import Asset
from .markdown import ACTIVE_SCHEMES, classify_url, printable

if TYPE_CHECKING:
    from .glyphs import FontSet

MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".svgz": "image/svg+xml",  # gzip-compressed SVG: unpacked, and stored as .svg
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
IMAGE_SUFFIXES = tuple(MEDIA_TYPES)
# A name every writer can use as it is: in an EPUB href and ZIP entry, a PDF, a web page.
# Spaces, "%", "?", "#", "\\" and the rest are escaped differently by each (or refused by
# EPUBCheck), so they are refused here, with the name to rename the file to.
SAFE_NAME = re.compile(r"[A-Za-z0-9._/-]*")
BESIDE = "put the image in the manuscript's folder (e.g. images/) and use a relative path"
PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF",
               "image/webp": "WEBP"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # e.g. 8000 × 6000; a decompression bomb is far larger

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
# Only for naming removed things in warnings the way drawing programs write them.
PREFIXES = {XLINK: "xlink", XML: "xml",
            "http://www.inkscape.org/namespaces/inkscape": "inkscape",
            "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd": "sodipodi"}

# The static drawing subset of SVG. Left out on purpose: script, animation (set, animate*,
# mpath, discard), handler, foreignObject and every other namespace, feImage and image-like
# elements that fetch (only <image> stays, for embedded rasters), fonts, cursor, view,
# color-profile, and metadata (its content is RDF in another namespace, never drawn).
FILTER_PRIMITIVES = frozenset({
    "feBlend", "feColorMatrix", "feComponentTransfer", "feFuncR", "feFuncG", "feFuncB",
    "feFuncA", "feComposite", "feConvolveMatrix", "feDiffuseLighting", "feSpecularLighting",
    "feDistantLight", "fePointLight", "feSpotLight", "feDisplacementMap", "feDropShadow",
    "feFlood", "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset",
    "feTile", "feTurbulence"})
ELEMENTS = FILTER_PRIMITIVES | {
    "svg", "g", "defs", "symbol", "use", "switch", "a", "image",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath", "title", "desc", "style",
    "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern", "marker",
    "filter"}
HREFS = frozenset({"href", f"{{{XLINK}}}href"})
# Attributes whose value is plain text or a name, never read as CSS.
TEXT_ATTRIBUTES = frozenset({"id", "class", "role", "lang", f"{{{XML}}}lang",
                             f"{{{XML}}}space", "systemLanguage"})
TEXT_PREFIXES = ("aria-", "data-")  # inert without scripts; drawing programs write data-name
PRESENTATION = frozenset({
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
    "stroke-opacity", "opacity", "color", "display", "visibility", "overflow", "clip",
    "clip-path", "clip-rule", "mask", "filter", "marker", "marker-start", "marker-mid",
    "marker-end", "paint-order", "vector-effect", "shape-rendering", "image-rendering",
    "color-rendering", "color-interpolation", "color-interpolation-filters", "stop-color",
    "stop-opacity", "flood-color", "flood-opacity", "lighting-color", "mix-blend-mode",
    "isolation", "transform-origin", "transform-box", "enable-background", "font-family",
    "font-size", "font-size-adjust", "font-stretch", "font-style", "font-variant",
    "font-weight", "letter-spacing", "word-spacing", "text-anchor", "text-decoration",
    "text-rendering", "dominant-baseline", "alignment-baseline", "baseline-shift",
    "writing-mode", "direction", "unicode-bidi", "glyph-orientation-horizontal",
    "glyph-orientation-vertical", "kerning", "white-space", "style"})
GEOMETRY = frozenset({
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr",
    "width", "height", "d", "points", "pathLength", "transform", "viewBox",
    "preserveAspectRatio", "version", "baseProfile",
    "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing",
    "side", "path", "type", "media",
    "gradientUnits", "gradientTransform", "spreadMethod", "offset", "patternUnits",
    "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits",
    "maskContentUnits", "markerWidth", "markerHeight", "markerUnits", "orient", "refX", "refY",
    "filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation", "edgeMode",
    "operator", "k1", "k2", "k3", "k4", "mode", "tableValues", "slope", "intercept",
    "amplitude", "exponent", "order", "kernelMatrix", "divisor", "bias", "targetX", "targetY",
    "preserveAlpha", "kernelUnitLength", "surfaceScale", "diffuseConstant",
    "specularConstant", "specularExponent", "azimuth", "elevation", "z", "pointsAtX",
    "pointsAtY", "pointsAtZ", "limitingConeAngle", "scale", "xChannelSelector",
    "yChannelSelector", "radius", "baseFrequency", "numOctaves", "seed", "stitchTiles"})
ATTRIBUTES = GEOMETRY | PRESENTATION | TEXT_ATTRIBUTES | HREFS
# `values` is an animation attribute everywhere except here, where it is a colour matrix.
ELEMENT_ATTRIBUTES = {"feColorMatrix": frozenset({"values"})}

# CSS functions that compute a value and never name a resource; url() is judged on its own,
# and image-set(), image(), element(), cross-fade(), src(), attr(), expression() are out.
CSS_FUNCTIONS = frozenset({
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color",
    "color-mix", "light-dark", "device-cmyk", "var", "calc", "min", "max", "clamp", "round",
    "mod", "rem", "abs", "sign", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "pow",
    "sqrt", "hypot", "log", "exp", "matrix", "matrix3d", "translate", "translatex",
    "translatey", "translatez", "translate3d", "scale", "scalex", "scaley", "scalez",
    "scale3d", "rotate", "rotatex", "rotatey", "rotatez", "rotate3d", "skew", "skewx",
    "skewy", "perspective", "blur", "brightness", "contrast", "drop-shadow", "grayscale",
    "hue-rotate", "invert", "opacity", "saturate", "sepia", "inset", "circle", "ellipse",
    "polygon", "path", "rect", "xywh", "linear-gradient", "radial-gradient",
    "conic-gradient", "repeating-linear-gradient", "repeating-radial-gradient",
    "repeating-conic-gradient", "cubic-bezier", "steps", "counter", "counters",
    # selectors
    "not", "is", "where", "has", "nth-child", "nth-last-child", "nth-of-type",
    "nth-last-of-type", "lang", "dir"})
LOCAL_FRAGMENT = re.compile(r"#[\w.-]+")
CSS_ACTIVE = re.compile(r"[(@\\]")
RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]*)", re.I)
MAX_DEPTH = 100  # drawings nest a few dozen levels; far deeper only exhausts the stack


def load_asset(src: str, line: int, manuscript: Path, fonts: FontSet | None = None
               ) -> tuple[Asset, list[Diagnostic]]:
    """An image, checked; an SVG cleaned, and its labels set in the text font of ``fonts``
    (the brand's; the shipped brand's when not given), embedded (read/svgtext.py)."""
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
    relative = path.relative_to(manuscript.parent.resolve()).as_posix()
    if path.suffix.lower() == ".svgz":
        # Ebook readers and browsers expect plain SVG inside an EPUB and on a web page.
        data = gunzip(data, src, line, manuscript)
        relative = relative[: -len(".svgz")] + ".svg"
    if media_type == "image/svg+xml":
        data, removed = clean_svg(data, src, line, manuscript)
        data = with_brand_font(data, fonts)
        found = [Diagnostic(manuscript, line, f"image '{src}': removed {what}",
                            "SVG images may not contain scripts or outside references",
                            "warning") for what in removed]
    else:
        pixels_wide = check_raster(data, media_type, src, line, manuscript)
    return Asset(relative, path, media_type, line, data, pixels_wide), found


def with_brand_font(data: bytes, fonts: FontSet | None) -> bytes:
    """A cleaned SVG whose labels are drawn in the brand's text font in every output."""
    from . import glyphs, svgtext
    from .fonts import load_family

    slugs = (fonts or glyphs.shipped_fonts()).slugs
    return svgtext.embed_font(data, load_family(slugs[0])) if slugs else data


def gunzip(data: bytes, src: str, line: int, manuscript: Path) -> bytes:
    """The SVG inside an .svgz file, read no further than MAX_BYTES (a small file can
    unpack to gigabytes)."""
    unpack = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
    try:
        plain = unpack.decompress(data, MAX_BYTES + 1)
    except zlib.error:
        raise PublishError(manuscript, line, f"image '{src}' is not a compressed SVG file",
                           "save it again from your drawing program as plain SVG") from None
    if len(plain) > MAX_BYTES or unpack.unconsumed_tail:
        raise PublishError(manuscript, line, f"image '{src}' unpacks to more than "
                           f"{MAX_BYTES // 2**20} MB", "save a simpler drawing as plain SVG")
    return plain


def locate(src: str, line: int, manuscript: Path) -> Path:
    """The file an image reference names, which must lie inside the manuscript's folder."""
    check_name(src, line, manuscript)
    folder = manuscript.parent.resolve()
    target = (folder / unquote(urlsplit(src).path)).resolve()  # resolves symlinks too
    if not target.is_relative_to(folder):
        raise PublishError(manuscript, line, f"image '{src}' is outside the manuscript's folder",
                           BESIDE)
    if target.is_dir():
        raise PublishError(manuscript, line, f"image '{src}' is a folder, not a file")
    if not target.is_file():
        raise PublishError(manuscript, line, f"image '{src}' was not found",
                           f"check the file name; looked for {target}")
    return target


def check_name(src: str, line: int, manuscript: Path) -> None:
    """Refuse an address that is not a plain relative file name every writer can use."""
    # markdown-it wrote "my photo" as my%20photo; the file system sees one decoding of it.
    kind, name = classify_url(src), unquote(src)
    shown = printable(name if name.isprintable() else src)
    if not src:
        raise PublishError(manuscript, line, "the image has no file name",
                           "write it as ![what it shows](images/name.png)")
    if kind in ACTIVE_SCHEMES:
        raise PublishError(manuscript, line, f"image '{shown}' is not allowed here",
                           "images must be files beside the manuscript; links must "
                           "start with https:// or #")
    if kind != "relative" or name.startswith(("/", "\\")):
        raise PublishError(manuscript, line, f"image '{src}' is not a file beside the manuscript",
                           BESIDE)
    if (cut := min((src.find(c) for c in "?#" if c in src), default=-1)) >= 0:
        raise PublishError(manuscript, line,
                           f"image '{shown}' has '{printable(src[cut:])}' after its file name",
                           f"write only the file name: {printable(unquote(src[:cut]))}")
    path = unquote(urlsplit(src).path)
    if (bad := SAFE_NAME.match(path).end()) < len(path):
        raise PublishError(manuscript, line,
                           f"image '{shown}' has {name_problem(path[bad])} in its file name",
                           name_hint(path))


def name_problem(char: str) -> str:
    if char == " ":
        return "a space"
    if char == "\\":
        return "a backslash (\\)"
    if not char.isprintable():
        return f"an invisible character (U+{ord(char):04X})"
    return f"the character '{char}'"


def name_hint(path: str) -> str:
    """How to fix a file name SAFE_NAME refuses, with the name to use."""
    if "\\" in path and SAFE_NAME.fullmatch(path.replace("\\", "/")):
        return f"use / between folders: {path.replace(chr(92), '/')}"
    if SAFE_NAME.fullmatch(path.replace(" ", "")):
        return f"rename the file without spaces, e.g. {safe_name(path)}, and write that name here"
    return (f"rename the file to use only letters, digits, '-', '_' and '.', e.g. "
            f"{safe_name(path)}, and write that name here")


def safe_name(path: str) -> str:
    """A name like ``path`` that passes SAFE_NAME: "images/my photo.png" → images/my-photo.png."""
    ascii_only = unicodedata.normalize("NFKD", path).encode("ascii", "ignore").decode()
    parts = []
    for part in ascii_only.replace("\\", "/").split("/"):
        part = re.sub(r"[^A-Za-z0-9._-]+", "-", part)
        parts.append(re.sub(r"-+(?=\.)|(?<=\.)-+", "", part).strip("-") or "image")
    return "/".join(parts)


def check_raster(data: bytes, media_type: str, src: str, line: int, manuscript: Path) -> int:
    """Refuse files that are not the image they claim to be, or that would decompress to
    an enormous bitmap (Pillow's decompression-bomb guard, made an error). Returns the
    image's width in pixels."""
    try:
        width, height, kind = open_raster(data)
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


def open_raster(data: bytes) -> tuple[int, int, str | None]:
    """Width, height and format, with Pillow's decompression-bomb warning made an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            return image.width, image.height, image.format


class TooDeep(Exception):
    """An SVG nested beyond MAX_DEPTH: cleaning or writing it would exhaust the stack."""


def clean_svg(data: bytes, src: str, line: int, manuscript: Path) -> tuple[bytes, list[str]]:
    """Parse an SVG safely and keep only the allow-listed drawing subset; say what was
    removed, each different thing once, in document order."""
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
    try:
        clean_element(root, removed, 0)
    except TooDeep:
        raise PublishError(manuscript, line,
                           f"image '{src}' nests elements more than {MAX_DEPTH} levels deep",
                           "flatten its groups in your drawing program and save it again"
                           ) from None
    # ElementTree's prefix registry is global and other libraries change it, so name the
    # namespaces here, at the moment of writing: SVG as the default, xlink as "xlink".
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    text = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text, list(dict.fromkeys(removed))  # a drawing repeats the same clutter often


def split_tag(tag: str) -> tuple[str, str]:
    """'{namespace}name' → (namespace, name)."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def qualified(tag: str) -> str:
    """A tag or attribute key as a drawing program writes it, e.g. 'inkscape:label'."""
    namespace, name = split_tag(tag)
    prefix = PREFIXES.get(namespace)
    return f"{prefix}:{name}" if prefix else name


def clean_element(element: ET.Element, removed: list[str], depth: int) -> None:
    """Strip an allowed element's attributes and children in place, recording each removal."""
    if depth > MAX_DEPTH:
        raise TooDeep
    name = split_tag(element.tag)[1]
    for key, value in list(element.attrib.items()):
        problem = attribute_problem(name, key, value)
        if problem:
            del element.attrib[key]
            removed.append(problem)
    kept: list[ET.Element] = []
    for child in list(element):
        problem = element_problem(child, name)
        if problem is None:
            clean_element(child, removed, depth + 1)
            problem = stylesheet_problem(child)
        if problem is None:
            kept.append(child)
            continue
        removed.append(problem)
        # The text after a removed element is its parent's, e.g. the rest of a <text> line.
        if child.tail and kept:
            kept[-1].tail = (kept[-1].tail or "") + child.tail
        elif child.tail:
            element.text = (element.text or "") + child.tail
    element[:] = kept


def element_problem(child: ET.Element, parent: str) -> str | None:
    """What to report if a child may not stay, or None. A <style> holds text only, since
    a browser would not read the CSS we checked if markup were mixed into it."""
    if not isinstance(child.tag, str):
        return "a comment"  # this parser drops them; never keep anything unexamined
    namespace, name = split_tag(child.tag)
    if namespace == SVG and name in ELEMENTS and parent != "style":
        return None
    return f"<{qualified(child.tag)}>"


def stylesheet_problem(element: ET.Element) -> str | None:
    """A <style> stays whole or goes whole: rewriting CSS would change benign sheets."""
    if element.tag != f"{{{SVG}}}style":
        return None
    rules = tinycss2.parse_stylesheet(element.text or "", skip_comments=True,
                                      skip_whitespace=True)
    return "<style>" if css_problem(rules) else None


def attribute_problem(element: str, key: str, value: str) -> str | None:
    """What to report if an attribute may not stay, or None."""
    if key in HREFS:
        if LOCAL_FRAGMENT.fullmatch(value) or (element == "image" and inert_raster(value)):
            return None
        return f"a link to {value[:60]}"
    if key in TEXT_ATTRIBUTES or key.startswith(TEXT_PREFIXES):
        return None
    if key not in ATTRIBUTES and key not in ELEMENT_ATTRIBUTES.get(element, ()):
        return f"the {qualified(key)} attribute"
    # Any other value may be read as CSS (fill="url(…)", style="…"), so judge it as CSS.
    # Without "(", "@" or "\" no url, function or at-rule can form, and tokenising
    # megabytes of path data would dominate the build.
    if not CSS_ACTIVE.search(value):
        return None
    problem = css_problem(tinycss2.parse_component_value_list(value, skip_comments=True))
    return f"the {qualified(key)} attribute, which has {problem}" if problem else None


def inert_raster(href: str) -> bool:
    """Whether an <image> link embeds a PNG, JPEG, GIF or WebP that really is one and of a
    sane size: such pixels cannot act, but a decompression bomb could still stall a writer."""
    match = RASTER_DATA.fullmatch(href)
    if match is None:
        return False
    try:
        width, height, kind = open_raster(base64.b64decode("".join(match[2].split()),
                                                           validate=True))
    except Exception:  # not base64, not an image, or a bomb: all the same answer
        return False
    return kind == PIL_FORMATS[f"image/{match[1].lower()}"] and width * height <= MAX_PIXELS


def css_problem(nodes: Iterable[Node]) -> str | None:
    """The first thing in parsed CSS that could act or fetch, or None. tinycss2 has resolved
    escapes already: u\\72l( arrives as a url, \\40 import as the identifier '@import'."""
    for node in nodes:
        problem = node_problem(node)
        if problem:
            return problem
    return None


def node_problem(node: Node) -> str | None:
    match node.type:
        case "at-rule":
            return f"an @{node.lower_at_keyword} rule"
        case "at-keyword":  # an at-rule nested inside a rule's block
            return f"an @{node.lower_value} rule"
        case "ident" if node.value.startswith("@"):
            return f"an escaped @ rule ({node.value[:40]})"
        case "error":  # e.g. a bad url(); a browser's recovery might differ from ours
            return f"CSS that does not parse ({node.kind})"
        case "url":
            return url_problem(node.value)
        case "function":
            return function_problem(node)
        case "qualified-rule":
            return css_problem([*node.prelude, *node.content])
        case "() block" | "[] block" | "{} block":
            return css_problem(node.content)
    return None


def function_problem(node: FunctionBlock) -> str | None:
    if node.lower_name == "url":  # url("…") is a function holding one string
        arguments = [a for a in node.arguments if a.type not in ("whitespace", "comment")]
        if len(arguments) == 1 and arguments[0].type == "string":
            return url_problem(arguments[0].value)
        return "a url() that is not a plain address"
    if node.lower_name not in CSS_FUNCTIONS:
        return f"the CSS function {node.lower_name}()"
    return css_problem(node.arguments)


def url_problem(target: str) -> str | None:
    return None if LOCAL_FRAGMENT.fullmatch(target) else f"a reference to {target[:60]!r}"
