"""The hosted invoice page and its PDF, as browsers open them from `hosted_invoice_url`."""

import hmac
from html import escape
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from portal_app.sandbox.billing.periods import money_label
from portal_app.sandbox.database import get_sandbox_engine
from portal_app.sandbox.pdf import invoice_pdf
from portal_app.sandbox.store import Store


def _invoice(invoice_id: str, token: str) -> dict[str, Any] | None:
    with Session(get_sandbox_engine()) as session:
        row = Store(session).find(invoice_id)
        if row is None or row.object != "invoice":
            return None
        expected = str(row.hidden.get("hosted_token", ""))
        if not expected or not hmac.compare_digest(expected, token):
            return None
        return dict(row.data)


async def invoice_page(request: Request) -> Response:
    """A plain, readable page for one invoice, with its PDF link."""
    invoice = await run_in_threadpool(
        _invoice, request.path_params["id"], request.path_params["token"]
    )
    if invoice is None:
        return HTMLResponse("<h1>Invoice not found</h1>", status_code=404)
    currency = invoice["currency"]
    rows = "".join(
        f"<tr><td>{escape(line['description'] or '')}</td><td>{line['quantity']}</td>"
        f"<td style='text-align:right'>{escape(money_label(line['amount'], currency))}</td></tr>"
        for line in invoice["lines"]["data"]
    )
    number = escape(invoice["number"] or "Draft invoice")
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice {number}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;
padding:0 1rem}}
table{{width:100%;border-collapse:collapse}}
td,th{{padding:.4rem;border-bottom:1px solid #ddd}}</style>
</head><body>
<h1>Invoice {number}</h1>
<p data-testid="invoice-status">Status: {escape(invoice["status"])}</p>
<p>Billed to {escape(invoice["customer_name"] or invoice["customer_email"] or "")}</p>
<table><thead><tr><th>Description</th><th>Qty</th><th>Amount</th></tr></thead>
<tbody>{rows}</tbody></table>
<p><strong>Total: {escape(money_label(invoice["total"], currency))}</strong></p>
<p>Amount due: {escape(money_label(invoice["amount_remaining"], currency))}</p>
<p><a href="{escape(str(invoice["invoice_pdf"] or ""))}">Download PDF</a></p>
</body></html>"""
    return HTMLResponse(html)


async def invoice_pdf_file(request: Request) -> Response:
    """The invoice as a PDF download."""
    invoice = await run_in_threadpool(
        _invoice, request.path_params["id"], request.path_params["token"]
    )
    if invoice is None:
        return Response("Invoice not found", status_code=404, media_type="text/plain")
    body = await run_in_threadpool(invoice_pdf, invoice)
    filename = f"Invoice-{invoice['number'] or invoice['id']}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


ROUTES = [
    Route("/hosted/invoices/{id}/{token}", invoice_page, methods=["GET"]),
    Route("/hosted/invoices/{id}/{token}/pdf", invoice_pdf_file, methods=["GET"]),
]
