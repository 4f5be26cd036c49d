"""Invoices and receipts as PDF documents (fpdf2, no fonts or files from elsewhere)."""

from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from weconomics.bookings.models import Invoice


def amount(cents: int) -> str:
    """Euros in the active language, written EUR (the PDF's core font has no euro sign)."""
    value = Decimal(int(cents)) / 100
    return f"EUR {formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)}"


def _text(value: str) -> str:
    # The core fonts cover Latin-1; anything else becomes a question mark, never an error.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def render_pdf(invoice: Invoice) -> bytes:
    receipt = invoice.paid_at is not None
    pdf = FPDF(format="A4")
    pdf.set_title(f"{invoice.number}")
    pdf.set_author(_text(invoice.seller_name))
    pdf.set_creator(settings.SITE_NAME)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, _text(_("Receipt") if receipt else _("Invoice")),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    rows = [
        (_("Number"), invoice.number),
        (_("Date"), formats.date_format(timezone.localtime(invoice.issued_at), "DATE_FORMAT")),
        (_("From"), invoice.seller_name),
        (_("To"), invoice.buyer_name),
    ]
    if receipt:
        rows.append((_("Paid on"), formats.date_format(timezone.localtime(invoice.paid_at),
                                                       "DATE_FORMAT")))
    for label, value in rows:
        pdf.cell(40, 7, _text(label))
        pdf.cell(0, 7, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(100, 8, _text(_("Description")), border="B")
    pdf.cell(20, 8, _text(_("Qty")), border="B", align="R")
    pdf.cell(0, 8, _text(_("Amount")), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    gross = invoice.unit_price_cents * invoice.quantity
    pdf.cell(100, 8, _text(invoice.description[:60]))
    pdf.cell(20, 8, str(invoice.quantity), align="R")
    pdf.cell(0, 8, _text(amount(gross)), align="R", new_x="LMARGIN", new_y="NEXT")
    lines = []
    if invoice.discount_cents:
        lines.append((_("Discount"), f"- {amount(invoice.discount_cents)}"))
    lines += [(_("Total excluding VAT"), amount(invoice.total_cents - invoice.vat_cents)),
              (_("VAT %(rate)s%%") % {"rate": formats.number_format(invoice.vat_rate)},
               amount(invoice.vat_cents)),
              (_("Total"), amount(invoice.total_cents))]
    for label, value in lines:
        pdf.cell(120, 8, _text(label), align="R")
        pdf.cell(0, 8, _text(value), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
