"""The hosted invoice page and its PDF, as browsers open them from `hosted_invoice_url`."""

import hmac
import re
from datetime import UTC, datetime
from html import escape
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from portal_app.sandbox.account import account_settings
from portal_app.sandbox.billing.periods import money_label
from portal_app.sandbox.database import get_sandbox_engine
from portal_app.sandbox.pdf import invoice_pdf, invoice_totals
from portal_app.sandbox.store import Store

STATUS = {
    "draft": ("Draft", "#545969", "#eef1f5"),
    "open": ("Due", "#8a4b00", "#fff4e0"),
    "paid": ("Paid", "#067647", "#e3f6ec"),
    "void": ("Void", "#545969", "#eef1f5"),
    "uncollectible": ("Uncollectible", "#b42318", "#fdecea"),
}


def _invoice(invoice_id: str, token: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The invoice the link names (its token checked) and the account's branding."""
    with Session(get_sandbox_engine()) as session:
        store = Store(session)
        row = store.find(invoice_id)
        if row is None or row.object != "invoice":
            return None
        expected = str(row.hidden.get("hosted_token", ""))
        if not expected or not hmac.compare_digest(expected, token):
            return None
        return dict(row.data), account_settings(store)


def _day(ts: int | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%B %-d, %Y") if ts else ""


def _ink_on(color: str) -> str:
    """Black or white text, whichever reads better on the brand colour."""
    red, green, blue = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


async def invoice_page(request: Request) -> Response:
    """Stripe's hosted invoice page: the merchant's name, logo and colour, the invoice's
    status, lines and totals, and its PDF."""
    found = await run_in_threadpool(
        _invoice, request.path_params["id"], request.path_params["token"]
    )
    if found is None:
        return HTMLResponse("<h1>Invoice not found</h1>", status_code=404)
    invoice, account = found
    currency = invoice["currency"]

    def amount(value: int) -> str:
        return escape(money_label(value, currency))

    rows = "".join(
        f"<tr><td>{escape(line['description'] or '')}</td><td class='num'>{line['quantity']}</td>"
        f"<td class='num'>{amount(line['amount'])}</td></tr>"
        for line in invoice["lines"]["data"]
    )
    totals = invoice_totals(invoice)
    total_rows = "".join(
        f"<tr data-testid='hosted-{label.lower().replace(' ', '-')}'><th colspan='2'>{label}</th>"
        f"<td class='num'>{amount(value)}</td></tr>"
        for label, value in totals
    )
    label, ink, background = STATUS.get(
        invoice["status"], (invoice["status"].title(), "#545969", "#eef1f5")
    )
    merchant = escape(account["business_name"])
    brand = account["primary_color"]
    logo = (
        f"<img src='{escape(account['logo_url'])}' alt='{merchant}' class='logo'>"
        if account["logo_url"]
        else ""
    )
    number = escape(invoice["number"] or "Draft invoice")
    issued = _day(invoice["status_transitions"]["finalized_at"] or invoice["created"])
    due = _day(invoice.get("due_date"))
    paid = _day(invoice["status_transitions"].get("paid_at"))
    facts = [("Invoice number", number), ("Date of issue", escape(issued))]
    if due:
        facts.append(("Date due", escape(due)))
    if paid:
        facts.append(("Paid on", escape(paid)))
    billed = invoice["customer_name"] or invoice["customer_email"] or ""
    facts.append(("Billed to", escape(billed)))
    fact_rows = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    pdf = escape(str(invoice["invoice_pdf"] or ""))
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice {number} from {merchant}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{margin:0;font-family:system-ui,sans-serif;color:#1a1f36;background:#f6f8fa}}
header{{background:{brand};color:{_ink_on(brand)};padding:24px 16px}}
header .inner,main{{max-width:40rem;margin:0 auto}}
.logo{{max-height:40px;max-width:160px;display:block;margin-bottom:8px}}
.merchant{{font-size:1.25rem;font-weight:600;margin:0}}
main{{background:#fff;border:1px solid #e3e8ee;border-radius:8px;padding:24px;margin-top:-8px}}
h1{{font-size:1.5rem;margin:0 0 4px}}
.badge{{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:600;
font-size:.85rem;color:{ink};background:{background}}}
.due{{font-size:2rem;font-weight:600;margin:12px 0}}
dl{{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 16px;
overflow-wrap:anywhere}}
dt{{color:#545969}}dd{{margin:0}}
table{{width:100%;border-collapse:collapse;margin-top:16px}}
td,th{{padding:.5rem .25rem;border-bottom:1px solid #e3e8ee;text-align:left}}
.num{{text-align:right;white-space:nowrap}}
tfoot th{{text-align:right;font-weight:500}}
a.button{{display:inline-block;margin-top:16px;padding:10px 16px;border-radius:8px;
background:{brand};color:{_ink_on(brand)};text-decoration:none}}
</style>
</head><body>
<header><div class="inner" data-testid="hosted-merchant">{logo}
<p class="merchant">{merchant}</p></div></header>
<main>
<h1>Invoice {number}</h1>
<span class="badge" data-testid="invoice-status" data-status="{escape(invoice["status"])}">\
{label}</span>
<p class="due" data-testid="hosted-amount-due" data-amount="{invoice["amount_remaining"]}">\
{amount(invoice["amount_remaining"])}{" due" if invoice["status"] == "open" else ""}</p>
<dl>{fact_rows}</dl>
<table><thead><tr><th>Description</th><th class="num">Qty</th><th class="num">Amount</th></tr>
</thead><tbody>{rows}</tbody><tfoot>{total_rows}</tfoot></table>
<a class="button" href="{pdf}" data-testid="hosted-pdf">Download invoice</a>
</main>
</body></html>"""
    return HTMLResponse(html)


async def invoice_pdf_file(request: Request) -> Response:
    """The invoice as a PDF download (saved, not opened in the tab)."""
    found = await run_in_threadpool(
        _invoice, request.path_params["id"], request.path_params["token"]
    )
    if found is None:
        return Response("Invoice not found", status_code=404, media_type="text/plain")
    invoice, account = found
    body = await run_in_threadpool(invoice_pdf, invoice, account)
    filename = re.sub(r"[^A-Za-z0-9._-]", "-", f"Invoice-{invoice['number'] or invoice['id']}")
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}.pdf"'},
    )


ROUTES = [
    Route("/hosted/invoices/{id}/{token}", invoice_page, methods=["GET"]),
    Route("/hosted/invoices/{id}/{token}/pdf", invoice_pdf_file, methods=["GET"]),
]
