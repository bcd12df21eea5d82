"""The credential documents: a certificate of completion and a transcript, as PDF bytes.

Pure functions of their facts: no database, no request. The caller gathers the facts
(already translated where they come from the catalog) and stores or sends the bytes.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf.fonts import FontFace

from kakehashi.core import pdf
from kakehashi.core.pdf import ACCENT, FONT_FAMILY, INK, MUTED, Document, FittedText


@dataclass(frozen=True)
class CertificateFacts:
    """Everything printed on a certificate, in the language of the document."""

    language: str  # "en", "ru" or "ja": the language the whole document is in
    number: str  # e.g. "MOW-2026-7K3D9QXH"
    holder_name: str  # as the participant wrote it (any script)
    program_name: str  # already in `language`
    center_name: str  # already in `language`
    network_name: str  # already in `language`
    starts_on: datetime.date
    ends_on: datetime.date
    hours: decimal.Decimal  # hours of instruction
    issued_on: datetime.date
    verify_url: str  # absolute URL, printed and encoded in the QR code


@dataclass(frozen=True)
class TranscriptLine:
    """One session on a transcript."""

    day: datetime.date
    title: str  # session title (or the program name when a session has none)
    hours: decimal.Decimal
    attendance: str  # already translated label: "Present", "Late", "Excused", ...


@dataclass(frozen=True)
class TranscriptFacts:
    """Everything printed on a transcript, in the language of the document."""

    language: str
    holder_name: str
    program_name: str
    center_name: str
    network_name: str
    starts_on: datetime.date
    ends_on: datetime.date
    outcome: str  # already translated, e.g. "Withdrawn on 1 October 2026"
    lines: tuple[TranscriptLine, ...]
    hours_attended: decimal.Decimal
    hours_scheduled: decimal.Decimal
    result: str  # already translated assessment result, or "" when none
    issued_on: datetime.date


# --- the certificate: A4 landscape, 297 x 210 mm ---------------------------------------------

# Where the QR code sits (its quiet zone included), in millimetres from the top-left corner.
QR_X, QR_Y, QR_SIZE = 249.0, 146.0, 32.0
_CONTENT_X, _CONTENT_W = 30.0, 237.0
# The statement (from "This certifies that" to the dates) is centred in this band.
_BODY_TOP, _BODY_BOTTOM = 58.0, 146.0


def render_certificate_pdf(facts: CertificateFacts) -> bytes:
    """Return the certificate as PDF bytes: A4 landscape, one page, in ``facts.language``.

    Long names and titles are set smaller and wrapped, never cut. The QR code encodes
    ``facts.verify_url``, which is also printed beside it.
    """
    with translation.override(facts.language):
        document = Document(
            language=facts.language,
            title=_("Certificate %(number)s: %(holder)s")
            % {"number": facts.number, "holder": facts.holder_name},
            author=facts.network_name,
            subject=facts.program_name,
            created_on=facts.issued_on,
            landscape=True,
        )
        document.set_auto_page_break(False)
        document.add_page()
        _draw_certificate(document, facts)
        return document.to_bytes()


def _draw_certificate(document: Document, facts: CertificateFacts) -> None:
    pdf.frame(document, 8, width=0.8)
    pdf.frame(document, 10.5, width=0.25)

    # In capitals, as on a seal (Japanese has no capitals and is left as it is).
    network = pdf.fit_text(
        document, facts.network_name.upper(), width=_CONTENT_W, size=12, min_size=7
    )
    pdf.draw_text(
        document, network, x=_CONTENT_X, y=21, width=_CONTENT_W, color=ACCENT, char_spacing=0.8
    )
    # Translators: the heading of the certificate of completion, in large letters.
    heading = pgettext("certificate heading", "Certificate")
    title = pdf.fit_text(document, heading, width=_CONTENT_W, style="B", size=36, min_size=20)
    below_title = pdf.draw_text(document, title, x=_CONTENT_X, y=29, width=_CONTENT_W, color=ACCENT)
    middle = document.w / 2
    pdf.hairline(document, middle - 18, below_title + 2, middle + 18, below_title + 2, width=0.4)

    _draw_statement(document, facts)
    _draw_particulars(document, facts)

    pdf.draw_qr(document, facts.verify_url, x=QR_X, y=QR_Y, size=QR_SIZE)
    verify = pdf.fit_text(
        document,
        # Translators: printed under the QR code of a certificate, followed by the web address.
        _("Verify at %(url)s") % {"url": facts.verify_url},
        width=160,
        size=7.5,
        min_size=6,
        max_lines=2,
    )
    pdf.draw_text(
        document,
        verify,
        x=QR_X + QR_SIZE - 160,
        y=QR_Y + QR_SIZE + 1,
        width=160,
        align="R",
        color=MUTED,
    )


def _draw_statement(document: Document, facts: CertificateFacts) -> None:
    """The statement, from "This certifies that" down to the dates, centred between the
    heading and the particulars, and set smaller as a whole when it is too tall for them."""
    if facts.starts_on == facts.ends_on:
        dates = _("on %(date)s") % {"date": pdf.long_date(facts.starts_on, facts.language)}
    else:
        dates = _("from %(start)s to %(end)s") % {
            "start": pdf.long_date(facts.starts_on, facts.language),
            "end": pdf.long_date(facts.ends_on, facts.language),
        }
    # (text, style, size, smallest size, lines, colour, space after in mm)
    parts: list[tuple[str, pdf.Style, float, float, int, pdf.DeviceRGB, float]] = [
        # Translators: on a certificate, the line above the holder's name.
        (_("This certifies that"), "", 14, 9, 1, MUTED, 3),
        (facts.holder_name, "B", 34, 14, 2, INK, 3),
        # Translators: on a certificate, the line between the holder's name and the program.
        (_("has completed the program"), "", 14, 9, 1, MUTED, 3),
        (facts.program_name, "B", 22, 10, 3, INK, 2.5),
        (facts.center_name, "", 14, 9, 2, INK, 2),
        (dates, "", 13, 8, 2, INK, 0),
    ]
    room = _BODY_BOTTOM - _BODY_TOP
    scale = 1.0
    while True:
        fitted: list[tuple[FittedText, pdf.DeviceRGB, float]] = [
            (
                pdf.fit_text(
                    document,
                    text,
                    width=_CONTENT_W,
                    style=style,
                    size=size * scale,
                    min_size=max(smallest * scale, pdf.SMALLEST_SIZE),
                    max_lines=lines,
                ),
                color,
                space * scale,
            )
            for text, style, size, smallest, lines, color, space in parts
        ]
        height = sum(text.height + space for text, _color, space in fitted)
        if height <= room or scale < 0.3:
            break
        scale *= 0.9
    y = _BODY_TOP + (room - height) / 2
    for text, color, space in fitted:
        y = pdf.draw_text(document, text, x=_CONTENT_X, y=y, width=_CONTENT_W, color=color)
        y += space


def _draw_particulars(document: Document, facts: CertificateFacts) -> None:
    """Hours, number and issue date, each over a rule with its label beneath, as signatures
    sit on a paper certificate."""
    particulars = [
        (_("Hours of instruction"), pdf.format_number(facts.hours, facts.language)),
        (_("Certificate number"), facts.number),
        (_("Issued on"), pdf.long_date(facts.issued_on, facts.language)),
    ]
    width, gap, rule_y = 56.0, 8.0, 171.0
    for index, (label, value) in enumerate(particulars):
        x = _CONTENT_X + index * (width + gap)
        fitted_value = pdf.fit_text(document, value, width=width, size=11, min_size=7)
        pdf.draw_text(document, fitted_value, x=x, y=rule_y - 1 - fitted_value.height, width=width)
        pdf.hairline(document, x, rule_y, x + width, rule_y, width=0.3, color=MUTED)
        fitted_label = pdf.fit_text(document, label, width=width, size=8, min_size=6)
        pdf.draw_text(document, fitted_label, x=x, y=rule_y + 1, width=width, color=MUTED)


# --- the transcript: A4 portrait, 210 x 297 mm ----------------------------------------------

_MARGIN = 20.0


def render_transcript_pdf(facts: TranscriptFacts) -> bytes:
    """Return the transcript as PDF bytes: A4 portrait, as many pages as the sessions need,
    the table's heading repeated on each page, in ``facts.language``."""
    with translation.override(facts.language):
        document = Document(
            language=facts.language,
            title=_("Transcript: %(holder)s") % {"holder": facts.holder_name},
            author=facts.network_name,
            subject=facts.program_name,
            created_on=facts.issued_on,
            footer_text=facts.holder_name,
        )
        document.set_margins(_MARGIN, _MARGIN, _MARGIN)
        document.set_auto_page_break(True, margin=22)
        document.add_page()
        _draw_transcript(document, facts)
        return document.to_bytes()


def _draw_transcript(document: Document, facts: TranscriptFacts) -> None:
    width = document.epw
    y = pdf.draw_text(
        document,
        pdf.fit_text(document, facts.network_name.upper(), width=width, size=10, max_lines=2),
        x=_MARGIN,
        y=_MARGIN,
        width=width,
        align="L",
        color=ACCENT,
        char_spacing=0.6,
    )
    # Translators: the heading of a transcript (the record of sessions attended).
    heading = pgettext("transcript heading", "Transcript")
    y = pdf.draw_text(
        document,
        pdf.fit_text(document, heading, width=width, style="B", size=22, min_size=14),
        x=_MARGIN,
        y=y + 1,
        width=width,
        align="L",
        color=ACCENT,
    )
    pdf.hairline(document, _MARGIN, y + 2, _MARGIN + width, y + 2, width=0.4)
    document.set_y(y + 6)

    if facts.starts_on == facts.ends_on:
        dates = pdf.long_date(facts.starts_on, facts.language)
    else:
        dates = _("from %(start)s to %(end)s") % {
            "start": pdf.long_date(facts.starts_on, facts.language),
            "end": pdf.long_date(facts.ends_on, facts.language),
        }
    _draw_fields(
        document,
        [
            (_("Participant"), facts.holder_name),
            (_("Program"), facts.program_name),
            (_("Center"), facts.center_name),
            (_("Dates"), dates),
            (_("Outcome"), facts.outcome),
        ],
    )
    document.ln(4)
    _draw_sessions(document, facts)
    document.ln(4)

    fields = [
        (
            _("Hours attended"),
            _("%(attended)s of %(scheduled)s")
            % {
                "attended": pdf.format_number(facts.hours_attended, facts.language),
                "scheduled": pdf.format_number(facts.hours_scheduled, facts.language),
            },
        ),
    ]
    if facts.result:
        fields.append((_("Result"), facts.result))
    fields.append((_("Issued on"), pdf.long_date(facts.issued_on, facts.language)))
    _draw_fields(document, fields)

    document.ln(4)
    document.set_font(FONT_FAMILY, "", 8.5)
    document.set_text_color(MUTED)
    note = _(
        "A transcript lists the sessions a participant attended. It is not a certificate "
        "of completion."
    )
    document.multi_cell(
        width,
        4.2,
        note,
        align="L",
        wrapmode=pdf.wrapmode_for(note),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    document.set_text_color(INK)


def _draw_fields(document: Document, fields: list[tuple[str, str]]) -> None:
    """Label and value pairs, the label in a narrow grey column, the value wrapped beside it;
    a pair is never split across pages."""
    document.set_font(FONT_FAMILY, "", 10)
    label_style = FontFace(color=MUTED)
    with document.table(
        col_widths=(42, document.epw - 42),
        text_align="LEFT",
        borders_layout="NONE",
        first_row_as_headings=False,
        line_height=5.2,
        padding=(0.6, 0),
        v_align="TOP",
        wrapmode=pdf.wrapmode_for("".join(label + value for label, value in fields)),
        width=document.epw,
    ) as table:
        for label, value in fields:
            row = table.row()
            row.cell(label, style=label_style)
            row.cell(value)


def _draw_sessions(document: Document, facts: TranscriptFacts) -> None:
    if not facts.lines:
        document.set_font(FONT_FAMILY, "", 10)
        document.set_text_color(MUTED)
        document.cell(document.epw, 6, _("No sessions were held."), new_x="LMARGIN", new_y="NEXT")
        document.set_text_color(INK)
        return
    document.set_font(FONT_FAMILY, "", 9.5)
    document.set_draw_color(MUTED)
    document.set_line_width(0.15)
    with document.table(
        col_widths=(30, 86, 18, 36),
        text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", color=ACCENT, size_pt=9),
        line_height=5,
        padding=(1.0, 1.5),
        wrapmode=pdf.wrapmode_for("".join(line.title + line.attendance for line in facts.lines)),
        width=document.epw,
    ) as table:
        table.row((_("Date"), _("Session"), _("Hours"), _("Attendance")))
        for line in facts.lines:
            table.row(
                (
                    pdf.medium_date(line.day, facts.language),
                    line.title,
                    pdf.format_number(line.hours, facts.language),
                    line.attendance,
                )
            )
