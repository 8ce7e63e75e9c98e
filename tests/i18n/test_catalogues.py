"""The catalogues are complete: every msgid the code uses is in the templates, and every
shipped locale translates every msgid with the same placeholders."""

import re

import pytest

from portal_app.billing import errors
from portal_app.i18n.catalog import MESSAGES_DOMAIN, UI_DOMAIN, read_catalog
from portal_app.i18n.locales import DEFAULT, SHIPPED
from portal_app.i18n.tooling import extract

DOMAINS = (UI_DOMAIN, MESSAGES_DOMAIN)
TRANSLATED = [locale for locale in SHIPPED if locale != DEFAULT]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def msgids(catalog) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}


@pytest.mark.parametrize("domain", DOMAINS)
def test_templates_match_the_code(domain: str) -> None:
    """Run `python -m portal_app.i18n.tooling update` after changing customer-facing text."""
    assert msgids(extract(domain)) == msgids(read_catalog(DEFAULT, domain))


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_msgid_is_translated(locale: str, domain: str) -> None:
    catalog = read_catalog(locale, domain)
    assert msgids(catalog) == msgids(read_catalog(DEFAULT, domain)), "run tooling update"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(forms):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        expected = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for form in forms:
            if set(PLACEHOLDER.findall(form)) - expected or (
                len(ids) == 1 and set(PLACEHOLDER.findall(form)) != expected
            ):
                problems.append(f"placeholders differ: {ids[0]!r} → {form!r}")
    assert problems == []


def test_billing_errors_shown_to_customers_are_catalogued() -> None:
    known = msgids(read_catalog(DEFAULT, MESSAGES_DOMAIN))
    shown = {
        cls.user_message
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, errors.BillingError)
        and cls is not errors.WebhookSignatureInvalid  # never reaches a customer
    }
    assert shown - known == set()
