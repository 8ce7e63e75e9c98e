"""A subset of Stripe's product tax codes (https://docs.stripe.com/tax/tax-codes).

Shipped with the portal rather than fetched, so the product form works offline and in the
sandbox. The ids are Stripe's; the most common categories for subscription businesses first.
"""

TAX_CODES: dict[str, str] = {
    "txcd_10000000": "General - Electronically Supplied Services",
    "txcd_10103001": "Software as a service (SaaS) - business use",
    "txcd_10103000": "Software as a service (SaaS) - personal use",
    "txcd_10701100": "Website hosting",
    "txcd_10302000": "Digital books - downloaded",
    "txcd_20030000": "General - Services",
    "txcd_20060055": "Marketing services",
    "txcd_99999999": "General - Tangible Goods",
    "txcd_35010000": "Books - physical",
    "txcd_92010001": "Shipping",
    "txcd_00000000": "Nontaxable",
}


def tax_code_label(code: str | None) -> str:
    """How the dashboard names a tax code: its label, the bare id for one set elsewhere."""
    if not code:
        return "Default (account setting)"
    return TAX_CODES.get(code, code)
