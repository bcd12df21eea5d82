"""The ledger as CSV and XLSX for a center's accountants: one row per entry, amounts as
exact numbers (not formatted text), times at the center's local time."""

import csv
import io

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from kakehashi.core.money import minor_units
from kakehashi.network.models import Center
from kakehashi.payments.ledger import LedgerLine, center_ledger

COLUMNS: list[Promise] = [
    gettext_lazy("recorded at"),
    gettext_lazy("document number"),
    gettext_lazy("kind"),
    gettext_lazy("payer"),
    gettext_lazy("email"),
    gettext_lazy("description"),
    gettext_lazy("payment reference"),
    gettext_lazy("method"),
    gettext_lazy("amount"),
    gettext_lazy("change to the amount owed"),
    gettext_lazy("currency"),
    gettext_lazy("account balance after"),
    gettext_lazy("reason"),
    gettext_lazy("external reference"),
    gettext_lazy("refund of"),
]


def _cell(value: object) -> str:
    """Text never read as a formula (a payer's name typed as =HYPERLINK(...))."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _row(line: LedgerLine) -> list[object]:
    entry = line.entry
    account = entry.account
    return [
        line.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
        entry.document_number,
        entry.get_kind_display(),
        _cell(account.payer_name),
        _cell(account.payer_email),
        _cell(account.description),
        account.reference,
        entry.get_method_display() if entry.method else "",
        entry.amount,
        line.signed_amount,
        entry.currency,
        line.account_balance,
        _cell(entry.reason),
        _cell(entry.external_reference),
        entry.refund_of.document_number if entry.refund_of_id and entry.refund_of else "",
    ]


def _filename(center: Center, extension: str) -> str:
    return f"{center.slug}-ledger.{extension}"


def ledger_csv(center: Center) -> HttpResponse:
    """UTF-8 with a byte-order mark, which spreadsheets need to read Cyrillic and Japanese."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(center, "csv")}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(column) for column in COLUMNS])
    for line in center_ledger(center)["lines"]:
        writer.writerow(_row(line))
    return response


def ledger_xlsx(center: Center) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = center.slug[:31]
    sheet.append([str(column) for column in COLUMNS])
    for line in center_ledger(center)["lines"]:
        row = _row(line)
        sheet.append(row)
        # Exact amounts, shown with the currency's decimals (0 for JPY).
        places = minor_units(line.entry.currency)
        for column in (9, 10, 12):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.number_format = "0." + "0" * places if places else "0"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(center, "xlsx")}"'
    return response
