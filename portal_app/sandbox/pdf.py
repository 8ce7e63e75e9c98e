"""Invoice PDFs made with fpdf2 (core fonts, so text is kept to Latin-1)."""

from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF

from portal_app.sandbox.billing.periods import money_label


def _text(value: Any) -> str:
    return str(value or "").replace("\u00d7", "x").encode("latin-1", "replace").decode("latin-1")


def _date(ts: int | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%d %b %Y") if ts else "-"


def invoice_totals(invoice: dict[str, Any]) -> list[tuple[str, int]]:
    """The totals an invoice document lists, in order (the discount only when there is one)."""
    discount = sum(d["amount"] for d in invoice.get("total_discount_amounts") or [])
    totals = [("Subtotal", int(invoice["subtotal"]))]
    if discount:
        totals.append(("Discount", -discount))
    return [
        *totals,
        ("Total", int(invoice["total"])),
        ("Amount paid", int(invoice["amount_paid"])),
        ("Amount due", int(invoice["amount_remaining"])),
    ]


def invoice_pdf(invoice: dict[str, Any], account: dict[str, str] | None = None) -> bytes:
    """A one-page (or longer) PDF of an invoice: the merchant, customer, lines and totals."""
    currency = invoice["currency"]
    merchant = (account or {}).get("business_name") or invoice.get("account_name") or ""
    color = (account or {}).get("primary_color") or "#0f62fe"
    pdf = FPDF(format="A4")
    pdf.set_title(_text(f"Invoice {invoice['number'] or invoice['id']} from {merchant}"))
    pdf.set_author(_text(merchant))
    pdf.add_page()
    pdf.set_fill_color(*(int(color[i : i + 2], 16) for i in (1, 3, 5)))
    pdf.rect(0, 0, 210, 6, style="F")
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, _text(merchant), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, "Invoice", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    rows = [
        ("Invoice number", invoice["number"] or "(draft)"),
        (
            "Date of issue",
            _date(invoice["status_transitions"]["finalized_at"] or invoice["created"]),
        ),
        ("Status", invoice["status"]),
        ("Billed to", invoice["customer_name"] or invoice["customer_email"] or invoice["customer"]),
        ("Email", invoice["customer_email"] or "-"),
    ]
    for label, value in rows:
        pdf.cell(45, 6, _text(label))
        pdf.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(120, 7, "Description", border="B")
    pdf.cell(20, 7, "Qty", border="B", align="R")
    pdf.cell(0, 7, "Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for line in invoice["lines"]["data"]:
        period = line["period"]
        description = _text(line["description"])
        if period["start"] != period["end"]:
            description += f" ({_date(period['start'])} - {_date(period['end'])})"
        pdf.cell(120, 6, description[:80])
        pdf.cell(20, 6, str(line["quantity"]), align="R")
        pdf.cell(
            0,
            6,
            _text(money_label(line["amount"], currency)),
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)
    totals = invoice_totals(invoice)
    pdf.set_font("Helvetica", "B", 10)
    for label, amount in totals:
        pdf.cell(140, 6, label, align="R")
        pdf.cell(
            0, 6, _text(money_label(amount, currency)), align="R", new_x="LMARGIN", new_y="NEXT"
        )
    return bytes(pdf.output())
