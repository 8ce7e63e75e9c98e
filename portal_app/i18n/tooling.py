"""Keep the catalogues in step with the code: `python -m portal_app.i18n.tooling update`.

Extraction is Babel's: `t("...")` in the customer-facing components and pages goes to
`ui.pot`; `gettext`, `ngettext`, `N_`, `Text` and `Plural` in the rest of the customer-facing
code go to `messages.pot`. `update` merges both templates into every shipped locale's .po
files (new msgids arrive untranslated, a new locale in `locales.SHIPPED` gets its files).
"""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from portal_app.i18n.catalog import LOCALES_DIR, MESSAGES_DOMAIN, UI_DOMAIN
from portal_app.i18n.locales import DEFAULT, SHIPPED

PACKAGE = Path(__file__).resolve().parent.parent
UI_SOURCES = (
    "components/shell.py",
    "components/portal_sections.py",
    "components/cancel_panel.py",
    "components/plan_change_panel.py",
    "components/billing_form.py",
    "pages/home.py",
    "pages/login.py",
    "pages/portal.py",
    "pages/session_link.py",
    "pages/not_found.py",
    # The merchant's dashboard.
    "components/dashboard.py",
    "components/dashboard_catalogue.py",
    "components/dashboard_preview.py",
    "components/outbox_table.py",
    "pages/dashboard.py",
    "pages/dashboard_api_keys.py",
    "pages/dashboard_branding.py",
    "pages/dashboard_catalogue.py",
    "pages/dashboard_configurations.py",
    "pages/dashboard_customers.py",
    "pages/dashboard_email.py",
    "pages/dashboard_embed.py",
    "pages/dashboard_layout.py",
    "pages/dashboard_login.py",
    "pages/dashboard_login_link.py",
    "pages/dev_outbox.py",
)
MESSAGE_SOURCES = (
    "i18n/format.py",
    "services/portal_view.py",
    "services/customer_actions.py",
    "services/plan_change.py",
    "services/payment_methods.py",
    "services/billing_details.py",
    "services/invoices.py",
    "services/flows.py",
    "services/subscription_rules.py",
    "services/email_templates.py",
    "services/login_codes.py",
    "auth/portal_sessions.py",
    "state/portal.py",
    "state/cancel.py",
    "state/plan_change.py",
    "state/payment_methods.py",
    "state/billing_details.py",
    "state/invoices.py",
    "state/login.py",
    "state/customer_session.py",
    "state/i18n.py",
    "i18n/billing_errors.py",
    # The merchant's dashboard.
    "services/configurations.py",
    "services/configuration_document.py",
    "services/stripe_params.py",
    "services/catalogue.py",
    "services/email.py",
    "services/branding.py",
    "services/images.py",
    "services/customer_directory.py",
    "services/portal_links.py",
    "services/tax_codes.py",
    "rules/text.py",
    "rules/email_address.py",
    "auth/merchants.py",
    "auth/api_keys.py",
    "state/dashboard_api_keys.py",
    "state/dashboard_auth.py",
    "state/dashboard_branding.py",
    "state/dashboard_catalogue.py",
    "state/dashboard_configuration_form.py",
    "state/dashboard_configurations.py",
    "state/dashboard_customers.py",
    "state/dashboard_email.py",
    "state/dashboard_embed.py",
    "state/dashboard_login_link.py",
    "state/dev_outbox.py",
)
KEYWORDS: dict[str, dict[str, tuple[int, ...] | None]] = {
    UI_DOMAIN: {"t": None, "t_around": None},
    MESSAGES_DOMAIN: {
        "gettext": None,
        "ngettext": (1, 2),
        "N_": None,
        "Text": None,
        "Plural": (1, 2),
    },
}
SOURCES = {UI_DOMAIN: UI_SOURCES, MESSAGES_DOMAIN: MESSAGE_SOURCES}


def extract(domain: str) -> Catalog:
    """A fresh template of every msgid the code uses in `domain`."""
    template = Catalog(domain=domain, project="portal-app", fuzzy=False)
    for source in SOURCES[domain]:
        for lineno, message, comments, context in extract_from_file(
            "python", PACKAGE / source, keywords=KEYWORDS[domain], comment_tags=("Translators:",)
        ):
            template.add(
                message,
                locations=[(f"portal_app/{source}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def po_path(locale: str, domain: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, omit_header=False)


def update() -> None:
    """Re-extract both templates and merge them into every shipped locale."""
    for domain in (UI_DOMAIN, MESSAGES_DOMAIN):
        template = extract(domain)
        _write(LOCALES_DIR / f"{domain}.pot", template)
        for locale in SHIPPED:
            if locale == DEFAULT:
                continue
            path = po_path(locale, domain)
            if path.exists():
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=locale, domain=domain)
            else:
                catalog = Catalog(locale=locale, domain=domain, project="portal-app")
            catalog.update(template, no_fuzzy_matching=True)
            _write(path, catalog)


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
    else:
        sys.exit("usage: python -m portal_app.i18n.tooling update")
