"""A subset of Stripe's product tax codes (https://docs.stripe.com/tax/tax-codes).

Shipped with the portal rather than fetched, so the product form works offline and in the
sandbox. The ids are Stripe's; the most common categories for subscription businesses first.
"""

from portal_app.i18n.catalog import N_, gettext

# Stripe's names for the codes, translated where they are shown.
TAX_CODES: dict[str, str] = {
    "txcd_10000000": N_("General - Electronically Supplied Services"),
    "txcd_10103001": N_("Software as a service (SaaS) - business use"),
    "txcd_10103000": N_("Software as a service (SaaS) - personal use"),
    "txcd_10701100": N_("Website hosting"),
    "txcd_10302000": N_("Digital books - downloaded"),
    "txcd_20030000": N_("General - Services"),
    "txcd_20060055": N_("Marketing services"),
    "txcd_99999999": N_("General - Tangible Goods"),
    "txcd_35010000": N_("Books - physical"),
    "txcd_92010001": N_("Shipping"),
    "txcd_00000000": N_("Nontaxable"),
}


def tax_code_label(code: str | None, locale: str) -> str:
    """How the dashboard names a tax code: its label, the bare id for one set elsewhere."""
    if not code:
        return gettext("Default (account setting)", locale=locale)
    return gettext(TAX_CODES[code], locale=locale) if code in TAX_CODES else code


def tax_code_options(locale: str) -> list[tuple[str, str]]:
    """The account's default, then every shipped code, for the product form's select."""
    return [(code, tax_code_label(code, locale)) for code in ("", *TAX_CODES)]
