"""The ledger's documents: an invoice, a receipt and a refund note, as PDF bytes.

Pure functions of their facts: no database, no request. ``kakehashi.payments.issuing``
gathers the facts of one numbered entry (the account's figures as they stood right after
it), renders the document once and stores it; every later download and every retried mail
gets those stored bytes.

Why stored, not rendered again on demand: the facts are immutable, but what turns them
into a page is not. A translation pass rewords a label, a new version of the fonts or of
fpdf2 moves a glyph, a center is renamed: a document rendered again would no longer be
the one the payer received, and an invoice or a receipt is a record that must not change
once issued. Rendering also takes about a second (the fonts are parsed and subset for
every document; see ``kakehashi.core.pdf``), too long to do on every download.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_currency_symbol
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf.fonts import FontFace

from kakehashi.core import pdf
from kakehashi.core.money import format_money
from kakehashi.core.pdf import ACCENT, FONT_FAMILY, INK, MUTED, Document
from kakehashi.payments.models import Method

INVOICE, RECEIPT, REFUND = "invoice", "receipt", "refund"
KINDS = (INVOICE, RECEIPT, REFUND)


@dataclass(frozen=True)
class Figures:
    """An account's figures as they stood right after the document's entry."""

    charged: Decimal
    cancelled: Decimal
    discounted: Decimal
    paid: Decimal
    refunded: Decimal

    @property
    def due(self) -> Decimal:
        return self.charged - self.cancelled - self.discounted - self.paid + self.refunded


@dataclass(frozen=True)
class DocumentFacts:
    """Everything one document prints, in the language of the document."""

    language: str  # "en", "ru" or "ja": the language the whole document is in
    kind: str  # INVOICE, RECEIPT or REFUND
    number: str  # e.g. "MOSCOW-REC-000001"
    issued_on: datetime.date  # the day the entry was recorded, at the center
    network_name: str  # already in `language`
    center_name: str  # already in `language`
    center_address: str  # already in `language`; "" when the center gave none
    payer_name: str  # as the payer wrote it (any script)
    payer_email: str
    description: str  # what is paid for, as the account names it
    reference: str  # what the payer quotes on a bank transfer
    currency: str
    amount: Decimal  # of this document's entry
    figures: Figures
    method: str = ""  # a Method value: how the money moved (receipts and refund notes)
    external_reference: str = ""  # a bank slip, a card provider's payment or refund id
    reason: str = ""  # why a refund was made
    refund_of: str = ""  # the number of the receipt a refund note returns money from
    pay_before: datetime.date | None = None  # when what is paid for begins (invoices)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.kind!r} is not a kind of document")


def heading(kind: str) -> str:
    """The document's name, in the active language."""
    if kind == INVOICE:
        # Translators: the heading of an invoice (a request for payment).
        return pgettext("document heading", "Invoice")
    if kind == RECEIPT:
        # Translators: the heading of a receipt (proof that a payment was received).
        return pgettext("document heading", "Receipt")
    # Translators: the heading of a refund note (proof that money was paid back).
    return pgettext("document heading", "Refund note")


def filename(number: str) -> str:
    """The file name a document is downloaded and mailed as."""
    return f"{number}.pdf"


# --- drawing --------------------------------------------------------------------------------

_MARGIN = 20.0
_LABEL_WIDTH = 48.0


def render_document_pdf(facts: DocumentFacts) -> bytes:
    """Return the document as PDF bytes: A4 portrait, in ``facts.language``; the same facts
    always give the same bytes. Long names and descriptions wrap, never cut."""
    with translation.override(facts.language):
        document = Document(
            language=facts.language,
            title=_("%(document)s %(number)s")
            % {"document": heading(facts.kind), "number": facts.number},
            author=facts.center_name,
            subject=facts.description,
            created_on=facts.issued_on,
            footer_text=f"{facts.number} · {facts.center_name}",
        )
        document.set_margins(_MARGIN, _MARGIN, _MARGIN)
        document.set_auto_page_break(True, margin=22)
        document.add_page()
        _draw(document, facts)
        return document.to_bytes()


def money(document: Document, amount: Decimal, currency: str) -> str:
    """``amount`` as the document's language writes it, with the currency's code instead
    of a symbol the font does not have (Noto Sans JP has no ₽: "14 000,00 RUB")."""
    text = format_money(amount, currency)
    # fpdf2 keys a font by its family in lower case (and style): the regular face.
    cmap = getattr(document.fonts.get(FONT_FAMILY.lower()), "cmap", None) or {}
    if all(char.isspace() or ord(char) in cmap for char in text):
        return text
    language = translation.get_language() or "en"
    symbol = get_currency_symbol(currency, locale=translation.to_locale(language))
    return text.replace(symbol, currency) if symbol else text


def _draw(document: Document, facts: DocumentFacts) -> None:
    width = document.epw
    y = pdf.draw_text(
        document,
        pdf.fit_text(document, facts.network_name.upper(), width=width, size=9, max_lines=2),
        x=_MARGIN,
        y=_MARGIN,
        width=width,
        align="L",
        color=MUTED,
        char_spacing=0.5,
    )
    y = pdf.draw_text(
        document,
        pdf.fit_text(document, facts.center_name, width=width, style="B", size=13, max_lines=2),
        x=_MARGIN,
        y=y + 0.5,
        width=width,
        align="L",
        color=ACCENT,
    )
    if facts.center_address:
        y = pdf.draw_text(
            document,
            pdf.fit_text(document, facts.center_address, width=width, size=9, max_lines=3),
            x=_MARGIN,
            y=y,
            width=width,
            align="L",
            color=MUTED,
        )
    y = pdf.draw_text(
        document,
        pdf.fit_text(document, heading(facts.kind), width=width, style="B", size=24, min_size=14),
        x=_MARGIN,
        y=y + 6,
        width=width,
        align="L",
        color=ACCENT,
    )
    pdf.hairline(document, _MARGIN, y + 2, _MARGIN + width, y + 2, width=0.4)
    document.set_y(y + 6)

    _draw_fields(document, _particulars(facts))
    document.ln(5)
    _draw_lines(document, facts)
    document.ln(3)
    _draw_figures(document, facts)
    document.ln(6)
    if facts.kind == INVOICE:
        _draw_how_to_pay(document, facts)
    else:
        _draw_note(document, _closing_note(facts))


def _particulars(facts: DocumentFacts) -> list[tuple[str, str]]:
    fields = [
        (_("Number"), facts.number),
        (_("Date"), pdf.long_date(facts.issued_on, facts.language)),
        (_("Payer"), facts.payer_name),
        (_("Email"), facts.payer_email),
        # Translators: on an invoice or receipt, the label before what is paid for.
        (pgettext("payment document", "For"), facts.description),
    ]
    if facts.kind == INVOICE:
        fields.append((_("Payment reference"), facts.reference))
        if facts.pay_before is not None and facts.figures.due > 0:
            fields.append((_("Please pay before"), pdf.long_date(facts.pay_before, facts.language)))
    else:
        method = Method(facts.method).label if facts.method in Method.values else ""
        if method:
            label = _("Paid by") if facts.kind == RECEIPT else _("Refunded by")
            fields.append((label, str(method)))
        if facts.external_reference:
            fields.append((_("Transaction"), facts.external_reference))
        if facts.refund_of:
            fields.append((_("Refund of receipt"), facts.refund_of))
        if facts.reason:
            fields.append((_("Reason"), facts.reason))
    return fields


def _draw_fields(document: Document, fields: list[tuple[str, str]]) -> None:
    """Label and value pairs, the label in a narrow grey column, the value wrapped beside it.

    One table per pair, so that each value wraps as its own script does: a Russian name in
    a Japanese document breaks between words, a Japanese title between any two characters.
    """
    document.set_font(FONT_FAMILY, "", 10)
    for label, value in fields:
        with document.table(
            col_widths=(_LABEL_WIDTH, document.epw - _LABEL_WIDTH),
            text_align="LEFT",
            borders_layout="NONE",
            first_row_as_headings=False,
            line_height=5.2,
            padding=(0.6, 0),
            v_align="TOP",
            wrapmode=pdf.wrapmode_for(value),
            width=document.epw,
        ) as table:
            row = table.row()
            row.cell(label, style=FontFace(color=MUTED))
            row.cell(value)


def _line_text(facts: DocumentFacts) -> str:
    if facts.kind == INVOICE:
        return facts.description
    if facts.kind == RECEIPT:
        return _("Payment for %(what)s") % {"what": facts.description}
    return _("Refund for %(what)s") % {"what": facts.description}


def _draw_lines(document: Document, facts: DocumentFacts) -> None:
    text = _line_text(facts)
    amount = money(document, facts.amount, facts.currency)
    document.set_font(FONT_FAMILY, "", 10)
    document.set_draw_color(MUTED)
    document.set_line_width(0.15)
    with document.table(
        col_widths=(document.epw - 45, 45),
        text_align=("LEFT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", color=ACCENT, size_pt=9),
        line_height=5.2,
        padding=(1.2, 1.5),
        wrapmode=pdf.wrapmode_for(text),
        width=document.epw,
    ) as table:
        table.row((_("Description"), _("Amount")))
        table.row((text, amount))


def _figure_rows(facts: DocumentFacts) -> list[tuple[str, Decimal]]:
    figures = facts.figures
    rows = [(_("Amount due"), figures.charged)]
    if figures.cancelled:
        rows.append((pgettext("amount", "Cancelled"), -figures.cancelled))
    if figures.discounted:
        rows.append((_("Scholarships and discounts"), -figures.discounted))
    if figures.paid or facts.kind != INVOICE:
        rows.append((_("Paid"), -figures.paid))
    if figures.refunded:
        rows.append((_("Refunded"), figures.refunded))
    return rows


def _balance_label(due: Decimal) -> str:
    if due > 0:
        return _("Still to pay")
    if due < 0:
        return _("Paid in excess, to be refunded")
    return _("Nothing more is due")


def _draw_figures(document: Document, facts: DocumentFacts) -> None:
    """The account's figures after this document, right-aligned under the amount column,
    the balance in bold."""
    due = facts.figures.due
    rows = [(label, money(document, value, facts.currency)) for label, value in _figure_rows(facts)]
    rows.append((_balance_label(due), money(document, abs(due), facts.currency)))
    value_width, label_width = 45.0, 80.0
    x = _MARGIN + document.epw - value_width - label_width
    for index, (label, value) in enumerate(rows):
        last = index == len(rows) - 1
        if last:
            y = document.get_y() + 1
            pdf.hairline(document, x, y, _MARGIN + document.epw, y, width=0.3, color=MUTED)
            document.set_y(y + 1)
        style: pdf.Style = "B" if last else ""
        fitted_label = pdf.fit_text(
            document, label, width=label_width, style=style, size=10, min_size=7, max_lines=2
        )
        fitted_value = pdf.fit_text(document, value, width=value_width, style=style, size=10)
        top = document.get_y()
        below = pdf.draw_text(
            document,
            fitted_label,
            x=x,
            y=top,
            width=label_width,
            align="R",
            color=MUTED if not last else INK,
        )
        below = max(
            below,
            pdf.draw_text(
                document, fitted_value, x=x + label_width, y=top, width=value_width - 1.5, align="R"
            ),
        )
        document.set_y(below + 0.8)


def _draw_how_to_pay(document: Document, facts: DocumentFacts) -> None:
    width = document.epw
    document.set_x(_MARGIN)
    document.set_font(FONT_FAMILY, "B", 11)
    document.set_text_color(ACCENT)
    document.cell(width, 6, _("How to pay"), new_x="LMARGIN", new_y="NEXT")
    document.set_text_color(INK)
    text = _(
        "By bank transfer to %(center)s, or in cash at the center. Quote this reference so "
        "that we can match your payment:"
    ) % {"center": facts.center_name}
    _paragraph(document, text, size=10)
    document.set_font(FONT_FAMILY, "B", 14)
    document.cell(width, 8, facts.reference, new_x="LMARGIN", new_y="NEXT")


def _closing_note(facts: DocumentFacts) -> str:
    if facts.kind == RECEIPT:
        return _("Thank you: this receipt confirms that we received your payment.")
    return _("This note confirms that the amount above was paid back to you.")


def _draw_note(document: Document, text: str) -> None:
    document.set_text_color(MUTED)
    _paragraph(document, text, size=9.5)
    document.set_text_color(INK)


def _paragraph(document: Document, text: str, *, size: float) -> None:
    document.set_font(FONT_FAMILY, "", size)
    document.set_x(_MARGIN)
    document.multi_cell(
        document.epw,
        size * 0.45,
        text,
        align="L",
        wrapmode=pdf.wrapmode_for(text),
        new_x="LMARGIN",
        new_y="NEXT",
    )
