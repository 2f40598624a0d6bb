"""Brand data (styles/brand.yaml): the clinic's name, colours, logo, contact details, paper.

Templates and CSS read these values, so restyling never means editing Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import yaml

from ..errors import PublishError
from .fonts import FontFamily, load_family, static_family
from .frontmatter import error_location, key_lines

PAPER_SIZES = {"letter": "8.5in 11in", "a4": "210mm 297mm"}


class Colors(msgspec.Struct, forbid_unknown_fields=True):
    primary: str
    accent: str
    ink: str
    muted: str
    background: str
    tint: str
    rule: str
    warning: str
    warning_tint: str


class Contact(msgspec.Struct, forbid_unknown_fields=True):
    phone: str = ""
    email: str = ""
    address: list[str] = []
    web: str = ""
    hours: str = ""

    # Links every output makes of the contact details, so a patient can tap to call.
    @property
    def tel(self) -> str:
        """The phone number as a tel: URI (RFC 3966): digits and a leading +, with a
        country code of 1 for a 10-digit North American number as written locally."""
        return tel_uri(self.phone)

    @property
    def mailto(self) -> str:
        return f"mailto:{self.email}" if self.email else ""

    @property
    def web_url(self) -> str:
        """The web address as a link: "www.x.com" as written, "https://www.x.com/" linked."""
        if not self.web:
            return ""
        return self.web if "://" in self.web else f"https://{self.web.strip('/')}/"


def tel_uri(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return ""
    if phone.strip().startswith("+"):
        return f"tel:+{digits}"
    if len(digits) == 10:  # a North American number written without its country code
        return f"tel:+1{digits}"
    return f"tel:{digits}"


class WhenToCall(msgspec.Struct, forbid_unknown_fields=True):
    """The box a handout prints when none of its sections has a ``.warning`` block of its
    own, so every sheet tells the patient when to call and where. ``%(phone)s`` in the
    text is the contact phone number."""

    title: str = "When to call"
    text: str = ""


class Handout(msgspec.Struct, forbid_unknown_fields=True):
    """The handouts' type: the fit search sets a sheet in the largest size that fits its
    page, up to ``max_size``, so a short sheet fills its page instead of leaving half of it
    empty (the floor, 12 pt, is the writer's)."""

    max_size: str = "16pt"

    @property
    def max_pt(self) -> float:
        return points(self.max_size)


def points(size: str) -> float:
    """ "16pt", "16 pt" or "16" as 16.0; ValueError for another unit or no number."""
    return float(size.strip().removesuffix("pt").strip())


class Press(msgspec.Struct, forbid_unknown_fields=True):
    trim: str = "6in 9in"  # CSS page size of the trimmed book
    bleed: str = "0.125in"


class Fonts(msgspec.Struct, forbid_unknown_fields=True):
    text: str  # fontpkg slug for the ebook, handouts and headings
    book: str  # fontpkg slug for the print edition's body text


class BrandData(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    tagline: str
    site_url: str
    logo: str
    colors: Colors
    fonts: Fonts
    contact: Contact = msgspec.field(default_factory=Contact)
    # [foreground, background] colour names; a third item "large" marks a pair used only
    # for large text (WCAG asks 3:1 there instead of 4.5:1).
    contrast_pairs: list[list[str]] = []
    paper: str = "letter"
    press: Press = msgspec.field(default_factory=Press)
    printed_by: str = ""
    disclaimer: str = ""  # imprint page and ebook title page
    short_disclaimer: str = ""  # one line at the foot of every handout
    when_to_call: WhenToCall | None = None  # a handout's help box, unless it has its own
    handout: Handout = msgspec.field(default_factory=Handout)

    @property
    def help_box(self) -> WhenToCall | None:
        """The "when to call" box a handout without its own prints: none when brand.yaml
        has none, or one with no text (a title alone tells a patient nothing)."""
        box = self.when_to_call
        return box if box is not None and box.text.strip() else None


@dataclass(frozen=True)
class Brand:
    data: BrandData
    styles: Path  # the styles/ folder the brand was loaded from
    logo_path: Path
    text_font: FontFamily
    book_font: FontFamily
    # Line of each key in brand.yaml, e.g. ("contact",) → 52, for errors found later.
    lines: dict[tuple, int] = field(default_factory=dict, compare=False, hash=False)

    def line(self, *keys: str | int) -> int:
        return self.lines.get(keys, 0)

    @property
    def page_size(self) -> str:
        return PAPER_SIZES[self.data.paper]

    def color(self, name: str) -> str:
        return getattr(self.data.colors, name)


HANDOUT_PT = (12.0, 24.0)  # the writer's floor; above this a sheet holds too few words


def check_help_text(text: str, path: Path, line: int) -> None:
    """The help box's text is filled in with ``%`` formatting on every handout: a stray
    ``%`` (write ``%%``) or a name other than %(phone)s would stop each handout's build
    with a traceback, so it is refused here, at its line."""
    try:
        text % {"phone": ""}
    except (KeyError, ValueError, TypeError) as exc:
        raise PublishError(path, line, f"when_to_call text cannot be filled in ({exc!r})",
                           "write the phone number as %(phone)s and a percent sign as %%"
                           ) from None


def check_handout(handout: Handout, path: Path, line: int) -> None:
    try:
        size = handout.max_pt
    except ValueError:
        size = None
    if size is None or not HANDOUT_PT[0] <= size <= HANDOUT_PT[1]:
        raise PublishError(path, line, f"handout max_size '{handout.max_size}' is not a size "
                           f"from {HANDOUT_PT[0]:g}pt to {HANDOUT_PT[1]:g}pt",
                           "write it in points, e.g. 16pt")


def missing_style_file(styles: Path) -> str | None:
    """The first template or stylesheet the shipped styles have that ``styles`` lacks:
    every writer needs its own, and a designer's copy may have lost one."""
    from ..project import shipped_styles

    shipped = shipped_styles()
    for path in sorted(shipped.rglob("*")):
        name = path.relative_to(shipped).as_posix()
        if path.is_file() and name.startswith(("css/", "templates/")) \
                and not (styles / name).is_file():
            return name
    return None


def load_brand(styles: Path) -> Brand:
    path = styles / "brand.yaml"
    if not styles.is_dir():
        raise PublishError(styles, 0, "styles folder not found",
                           "give --styles a folder that holds brand.yaml, css/ and templates/")
    missing = missing_style_file(styles)
    if missing:
        raise PublishError(styles / missing, 0, f"{missing} is missing from the styles folder",
                           "copy it from the shipped styles, or give --styles another folder")
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        lines = key_lines(node, offset=1) if node is not None else {}
        data = msgspec.convert(yaml.safe_load(text), BrandData)
    except FileNotFoundError:
        raise PublishError(path, 0, "brand file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PublishError(path, mark.line + 1 if mark else 0,
                           "brand file is not valid YAML") from None
    except msgspec.ValidationError as exc:
        message, keys, line = error_location(exc, lines)
        where = ".".join(str(k) for k in keys)
        raise PublishError(path, line, f"brand file: {where + ': ' if where else ''}{message}",
                           "compare with the project's styles/brand.yaml; put quotes around "
                           "text that contains ': '") from None
    if data.paper not in PAPER_SIZES:
        raise PublishError(path, lines.get(("paper",), 0), f"paper '{data.paper}' is not known",
                           "use one of: " + ", ".join(PAPER_SIZES))
    for index, pair in enumerate(data.contrast_pairs):
        line = lines.get(("contrast_pairs", index), 0)
        if len(pair) not in (2, 3) or (len(pair) == 3 and pair[2] != "large"):
            raise PublishError(path, line, f"contrast pair {pair} should be [text, background]",
                               "optionally with a third item 'large'")
        unknown = [name for name in pair[:2] if name not in Colors.__struct_fields__]
        if unknown:
            raise PublishError(path, line, f"contrast pair names unknown colour '{unknown[0]}'",
                               "use the names listed under 'colors'")
    check_handout(data.handout, path, lines.get(("handout", "max_size"), 0))
    if data.when_to_call:
        check_help_text(data.when_to_call.text, path, lines.get(("when_to_call", "text"), 0))
    logo = (styles / data.logo).resolve()
    if not logo.is_file():
        raise PublishError(path, lines.get(("logo",), 0),
                           f"logo '{data.logo}' not found in {styles}")
    try:
        text_font = static_family(load_family(data.fonts.text))
        book_font = static_family(load_family(data.fonts.book))
    except LookupError as exc:
        raise PublishError(path, lines.get(("fonts",), 0), str(exc)) from None
    return Brand(data, styles, logo, text_font, book_font, lines)
