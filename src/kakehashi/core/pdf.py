"""The shared toolkit for Kakehashi's PDF documents (certificates, transcripts, receipts).

A document is set in Noto Sans JP, which covers Latin, Cyrillic and Japanese, embedded as a
subset of the glyphs it uses. Its bytes depend only on what is drawn: the creation date is
fixed by the caller (usually the issue date), so the same facts give the same file.

Each face is read once per process (`_face`) and every document gets its own light copy of
it. fpdf2 keeps per-document state in its font objects (the glyphs used, their order in the
subset, the object number) and, when it writes the file, subsets the fontTools font *in
place* and closes it; so what a document may share is only what nothing writes: the widths,
the glyph ids, the character map and the metrics. For the subsetting each document opens
its own fontTools font on bytes kept in memory, cut down once to the tables a PDF embeds
(the CFF outlines with `head` and `maxp`): the character map, the metrics and the layout
tables of a 4.5 MB face are what made every document parse the whole font. The subset
itself, and so the file, is the same. `bench/documents.py` measures it.

Drawing helpers take positions in millimetres from the top-left corner of the page.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import functools
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import segno
from babel.dates import format_date
from babel.numbers import format_decimal
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from fontTools import ttLib
from fpdf import FPDF
from fpdf.drawing import PaintedPath
from fpdf.drawing_primitives import DeviceRGB
from fpdf.enums import PathPaintRule, WrapMode
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.prefs import ViewerPreferences

FONT_FAMILY = "NotoSansJP"
# fpdf2 style letter -> file in settings.KAKEHASHI_FONT_DIR.
FONT_FILES: dict[str, str] = {"": "NotoSansJP-Regular.otf", "B": "NotoSansJP-Bold.otf"}
# The first bytes of an OpenType file with CFF outlines, as Noto Sans JP's .otf files have,
# and of one with TrueType outlines, which the documents cannot embed.
_CFF_TAG = b"OTTO"
_TRUETYPE_TAGS = (b"\x00\x01\x00\x00", b"true")

Style = Literal["", "B"]
Align = Literal["L", "C", "R"]

INK = DeviceRGB(33 / 255, 37 / 255, 41 / 255)
MUTED = DeviceRGB(96 / 255, 104 / 255, 112 / 255)
ACCENT = DeviceRGB(24 / 255, 48 / 255, 92 / 255)
WHITE = DeviceRGB(1, 1, 1)
BLACK = DeviceRGB(0, 0, 0)


# --- fonts ---------------------------------------------------------------------------------


def font_dir() -> Path:
    return Path(settings.KAKEHASHI_FONT_DIR)


# These messages are for whoever installs Kakehashi, like Django's own configuration errors,
# and are not translated.


def font_problems() -> list[str]:
    """What keeps the configured fonts from being used, in words; empty when they are fine."""
    problems = []
    for name in FONT_FILES.values():
        path = font_dir() / name
        try:
            with path.open("rb") as font_file:
                tag = font_file.read(4)
        except FileNotFoundError:
            problems.append(f"{path} is missing.")
            continue
        except OSError as error:
            problems.append(f"{path} cannot be read: {error}.")
            continue
        if tag in _TRUETYPE_TAGS:
            problems.append(f"{path} has TrueType outlines, not the CFF outlines of an .otf face.")
        elif tag != _CFF_TAG:
            problems.append(f"{path} is not an OpenType font.")
    return problems


def font_hint() -> str:
    return (
        "Run `npm ci` in the project folder to install the fonts, or set KAKEHASHI_FONT_DIR "
        f"to a folder that holds {' and '.join(FONT_FILES.values())}."
    )


def font_paths() -> dict[str, Path]:
    """The font files by fpdf2 style, or ImproperlyConfigured saying how to install them."""
    problems = font_problems()
    if problems:
        raise ImproperlyConfigured(
            f"The PDF fonts in {font_dir()} cannot be used: {' '.join(problems)} {font_hint()}"
        )
    return {style: font_dir() / name for style, name in FONT_FILES.items()}


@dataclass(frozen=True)
class _Face:
    """A face as read once per process: fpdf2's font object, which documents copy and never
    write to, and the font file cut down to what the subsetter reads and a PDF embeds."""

    font: TTFFont
    embedded: bytes


# What fpdf2 takes from a CID-keyed CFF face when it writes a file: the outlines, and the
# two tables fontTools needs to open and subset them. Everything a document measures text
# with (character map, widths, metrics) comes from the shared font object instead.
_EMBEDDED_TABLES = frozenset({"head", "maxp", "CFF "})


@functools.cache
def _face(path: Path, style: str) -> _Face:
    font = TTFFont(FPDF(), path, f"{FONT_FAMILY.lower()}{style}", style)
    if not (font.is_cff and font.is_cid_keyed):
        raise ImproperlyConfigured(f"{path} has no CID-keyed CFF outlines. {font_hint()}")
    cut = ttLib.TTFont(path, lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    for tag in list(cut.keys()):
        if tag not in _EMBEDDED_TABLES and tag != "GlyphOrder":
            del cut[tag]
    embedded = io.BytesIO()
    cut.save(embedded)  # the kept tables are copied as they are, not parsed
    cut.close()
    font.ttfont.close()
    return _Face(font, embedded.getvalue())


def _document_font(document: FPDF, face: _Face) -> TTFFont:
    """A copy of ``face`` for one document: the read-only tables shared, the state fpdf2
    writes (subset, missing glyphs, descriptor, fontTools font) its own."""
    font = copy.copy(face.font)
    font.i = len(document.fonts) + 1
    font.cw = face.font.cw.copy()  # a defaultdict: reading a missing character writes it
    font.desc = copy.copy(face.font.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.ttfont = ttLib.TTFont(io.BytesIO(face.embedded), lazy=True, recalcTimestamp=False)
    font.subset = SubsetMap(font)
    return font


# Spaces that babel and keyboards produce but Noto Sans JP lacks, and the nearest it has:
# babel puts a narrow no-break space in "2026 г." and in Russian thousands ("14 000").
_SPACE_SUBSTITUTES = str.maketrans(
    {
        "\u202f": "\u00a0",  # narrow no-break space
        "\u2007": "\u00a0",  # figure space (does not break)
        "\u2008": " ",  # punctuation space
        "\u2009": " ",  # thin space
        "\u200a": " ",  # hair space
    }
)


# --- documents -----------------------------------------------------------------------------


class Document(FPDF):
    """An A4 document set in Noto Sans JP, with its metadata and a fixed creation date.

    ``footer_text``, when given, is printed at the foot of every page with the page number
    ("Page 2 of 3"). Create it inside ``translation.override(language)``: the footer's
    words are translated once, here.
    """

    def __init__(
        self,
        *,
        language: str,
        title: str,
        author: str,
        created_on: datetime.date,
        landscape: bool = False,
        subject: str = "",
        footer_text: str = "",
    ) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.add_fonts()
        self.language = language
        self.set_lang(language)
        self.set_title(title)
        self.set_author(author)
        if subject:
            self.set_subject(subject)
        self.set_creator("Kakehashi")
        # Viewers show the title ("Certificate MOW-2026-…: Anna Smith"), not the file name.
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        # The issue date at midnight UTC: the same facts give the same bytes (the file ID
        # is a hash of the content and this date).
        self.set_creation_date(datetime.datetime.combine(created_on, datetime.time(), datetime.UTC))
        self.footer_text = footer_text
        self._page_label = _("Page %(page)s of %(pages)s")
        self.set_text_color(INK)
        self.set_font(FONT_FAMILY, "", 10)

    def add_fonts(self) -> None:
        """Both faces, as fpdf2's ``add_font`` would add them, from fonts read once."""
        for style, path in font_paths().items():
            font = _document_font(self, _face(path, style))
            self.fonts[font.fontkey] = font
        self._set_min_pdf_version("1.6")  # what add_font sets for CID-keyed CFF fonts

    def normalize_text(self, text: str) -> str:
        # Composed characters (a name typed on a Mac arrives decomposed, and the font has no
        # combining accents) and spaces the font has.
        text = unicodedata.normalize("NFC", text).translate(_SPACE_SUBSTITUTES)
        return super().normalize_text(text)

    def footer(self) -> None:
        if not self.footer_text:
            return
        # The footer is drawn when a page breaks, in the middle of the caller's text: keep
        # the caller's font and colours.
        with self.local_context():
            self.set_y(-15)
            self.set_font(FONT_FAMILY, "", 8)
            self.set_text_color(MUTED)
            width = self.w - self.l_margin - self.r_margin
            self.set_x(self.l_margin)
            self.cell(width / 2, 5, self.footer_text, align="L")
            page = self._page_label % {"page": self.page_no(), "pages": "{nb}"}
            self.cell(width / 2, 5, page, align="R")

    def to_bytes(self) -> bytes:
        return bytes(self.output())


# --- words ---------------------------------------------------------------------------------

# Day, month, year in words, in every language: the American "October 1, 2026" reads
# ambiguously next to Russian and Japanese documents of the same network.
_DATE_LOCALES = {"en": "en_GB"}


def long_date(day: datetime.date, language: str) -> str:
    """A date as the language writes it in full: "1 October 2026", "1 октября 2026 г.",
    "2026年10月1日"."""
    return format_date(day, format="long", locale=_DATE_LOCALES.get(language, language))


def medium_date(day: datetime.date, language: str) -> str:
    """A date for tables and other tight places: "1 Oct 2026", "1 окт. 2026 г.", "2026/10/01"."""
    return format_date(day, format="medium", locale=_DATE_LOCALES.get(language, language))


def format_number(value: decimal.Decimal, language: str) -> str:
    """A number as the language writes it, without needless zeros: "36", "1.5", "1,5"."""
    return format_decimal(value, format="#,##0.##", locale=language)


# --- text that fits ------------------------------------------------------------------------


def wrapmode_for(text: str) -> WrapMode:
    """How ``text`` may be broken into lines: Japanese (and Chinese) writing has no spaces
    between words, so a line may end between any two of its characters; a name in Latin or
    Cyrillic letters breaks only at spaces, whatever the language of the document."""
    if any(unicodedata.east_asian_width(char) in ("W", "F") for char in text):
        return WrapMode.CHAR
    return WrapMode.WORD


@dataclass(frozen=True)
class FittedText:
    """A text broken into lines at the largest font size at which it fits its box."""

    style: Style
    size: float  # points
    lines: tuple[str, ...]
    line_height: float  # millimetres

    @property
    def height(self) -> float:
        return self.line_height * len(self.lines)


# Below this size print stops being comfortable to read; a text that does not fit its lines
# even here is given more lines rather than cut, so nothing the document states goes missing.
SMALLEST_SIZE = 6.0


def fit_text(
    pdf: Document,
    text: str,
    *,
    width: float,
    style: Style = "",
    size: float,
    min_size: float = SMALLEST_SIZE,
    max_lines: int = 1,
    leading: float = 1.25,
) -> FittedText:
    """Break ``text`` into at most ``max_lines`` lines of ``width`` mm at the largest font
    size from ``size`` down to ``min_size`` at which it fits; at ``min_size`` it takes as
    many lines as it needs."""
    current = size
    while True:
        pdf.set_font(FONT_FAMILY, style, current)
        lines = pdf.multi_cell(
            width, text=text, dry_run=True, output="LINES", wrapmode=wrapmode_for(text), padding=0
        )
        assert isinstance(lines, list)  # what output="LINES" returns
        if len(lines) <= max_lines or current <= min_size:
            line_height = current * leading * 25.4 / 72
            return FittedText(style, current, tuple(line.strip() for line in lines), line_height)
        current = max(current - 0.5, min_size)


def draw_text(
    pdf: Document,
    fitted: FittedText,
    *,
    x: float,
    y: float,
    width: float,
    align: Align = "C",
    color: DeviceRGB = INK,
    char_spacing: float = 0,
) -> float:
    """Draw fitted lines from ``y`` down; return the ``y`` below the last line."""
    pdf.set_font(FONT_FAMILY, fitted.style, fitted.size)
    pdf.set_text_color(color)
    pdf.set_char_spacing(char_spacing)
    for line in fitted.lines:
        pdf.set_xy(x, y)
        pdf.cell(width, fitted.line_height, line, align=align)
        y += fitted.line_height
    pdf.set_char_spacing(0)
    pdf.set_text_color(INK)
    return y


# --- QR codes ------------------------------------------------------------------------------

# ISO/IEC 18004 asks for four light modules around the symbol; scanners need them to find it.
QUIET_ZONE = 4


def make_qr(data: str) -> segno.QRCode:
    """A QR code with at least 15 % error correction ("M"), raised for free when the data
    leaves room in the same symbol version: a printed certificate gets folded and scuffed."""
    return segno.make_qr(data, error="m", boost_error=True)


@dataclass(frozen=True)
class Rectangle:
    x: float
    y: float
    w: float
    h: float


def qr_rectangles(
    qr: segno.QRCode, *, x: float, y: float, size: float
) -> tuple[float, list[Rectangle]]:
    """The dark modules of ``qr`` as rectangles (one per horizontal run of dark modules) in a
    ``size`` mm square at (x, y) that includes the quiet zone; also the module size."""
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=QUIET_ZONE)]
    module = size / len(rows)
    rectangles = []
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            rectangles.append(
                Rectangle(x + start * module, y + r * module, (c - start) * module, module)
            )
    return module, rectangles


def draw_qr(pdf: Document, data: str, *, x: float, y: float, size: float) -> float:
    """Draw ``data`` as a QR code of vector rectangles (crisp at any print resolution) in a
    ``size`` mm square at (x, y), quiet zone included and painted white. Returns the module
    size in mm, which should stay above about 0.5 mm for phone cameras."""
    module, rectangles = qr_rectangles(make_qr(data), x=x, y=y, size=size)
    background = PaintedPath()
    background.style.paint_rule = PathPaintRule.FILL_NONZERO
    background.style.fill_color = WHITE
    background.rectangle(x, y, size, size)
    # One path for the whole symbol: its modules are filled as one shape, so viewers do not
    # show hairline seams between neighbouring rectangles.
    symbol = PaintedPath()
    symbol.style.paint_rule = PathPaintRule.FILL_NONZERO
    symbol.style.fill_color = BLACK
    for rectangle in rectangles:
        symbol.rectangle(rectangle.x, rectangle.y, rectangle.w, rectangle.h)
    # The paths are made here and never touched again: handed over without the deep copy
    # fpdf2 makes by default, which would cost more than the rest of the page.
    with pdf.drawing_context() as context:
        context.add_item(background, clone=False)
        context.add_item(symbol, clone=False)
    return module


def hairline(
    pdf: Document,
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    width: float = 0.2,
    color: DeviceRGB = ACCENT,
) -> None:
    pdf.set_draw_color(color)
    pdf.set_line_width(width)
    pdf.line(x1, y1, x2, y2)


def frame(
    pdf: Document,
    inset: float,
    *,
    width: float,
    color: DeviceRGB = ACCENT,
) -> None:
    """A rectangle ``inset`` mm inside the page edges."""
    pdf.set_draw_color(color)
    pdf.set_line_width(width)
    pdf.rect(inset, inset, pdf.w - 2 * inset, pdf.h - 2 * inset)
