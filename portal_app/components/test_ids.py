"""The `data-testid`s QA tests target: a documented contract (see the README's QA section).

Every id written as a literal in the components and pages is listed here once, and every id
listed here is in the code: `tests/unit/test_test_ids.py` fails when one disappears, repeats
or is added without being listed.
"""

TEST_IDS: dict[str, str] = {
    # components/billing_form.py
    "billing-save": "See components/billing_form.py.",
    "billing-form": "See components/billing_form.py.",
    "tax-add": "See components/billing_form.py.",
    # components/cancel_panel.py
    "retention-accept": "See components/cancel_panel.py.",
    "retention-decline": "See components/cancel_panel.py.",
    "retention-offer": "See components/cancel_panel.py.",
    "cancel-confirm": "See components/cancel_panel.py.",
    "cancel-panel": "See components/cancel_panel.py.",
    # components/dashboard.py
    "notice": "See components/dashboard.py.",
    "sign-out": "See components/dashboard.py.",
    # components/dashboard_catalogue.py
    "product-row": "See components/dashboard_catalogue.py.",
    "price-row": "See components/dashboard_catalogue.py.",
    "image": "See components/dashboard_catalogue.py.",
    # components/dashboard_preview.py
    "preview-headline": "See components/dashboard_preview.py.",
    "brand-preview": "See components/dashboard_preview.py.",
    # components/outbox_table.py
    "outbox-row": "See components/outbox_table.py.",
    # components/plan_change_panel.py
    "review-item": "One review line item; `data-amount` is its amount in minor units.",
    "review-items": "The review's line items (credit for unused time, remaining time, discount).",
    "review-due-today": (
        "Amount charged when confirming: `data-amount` (integer minor units), "
        "`data-currency` (lower-case ISO code)."
    ),
    "review-next-invoice": (
        "The next invoice after the change: `data-amount`, `data-currency`, "
        "`data-date` (YYYY-MM-DD, UTC)."
    ),
    "review-payment-method": "The card the change is charged to (brand and last 4).",
    "plan-review": "The review's sentences (what is charged today, the next invoice).",
    "review-confirm": (
        "Confirms the reviewed plan change (the panel and the subscription_update_confirm flow)."
    ),
    "plan-panel": "The plan change panel (choose and review steps).",
    "plan-option": "One plan the customer may switch to (one per price).",
    "plan-quantity": "The quantity input of the plan step.",
    "plan-promo": "The promotion code input of the plan step.",
    "plan-continue": "Continue from the plan step to the review.",
    # components/portal_sections.py
    "renew-subscription": "See components/portal_sections.py.",
    "subscription": "See components/portal_sections.py.",
    "pm-make-default": "See components/portal_sections.py.",
    "pm-remove": "See components/portal_sections.py.",
    "payment-method": "See components/portal_sections.py.",
    "card-number": "See components/portal_sections.py.",
    "card-exp": "See components/portal_sections.py.",
    "card-cvc": "See components/portal_sections.py.",
    "payment-element": "See components/portal_sections.py.",
    "card-save": "See components/portal_sections.py.",
    "card-form": "See components/portal_sections.py.",
    "pm-error": "See components/portal_sections.py.",
    "pm-add": "See components/portal_sections.py.",
    "billing-details": "See components/portal_sections.py.",
    "billing-edit": "See components/portal_sections.py.",
    "tax-id": "See components/portal_sections.py.",
    "invoice-pay": "See components/portal_sections.py.",
    "invoice": "See components/portal_sections.py.",
    "invoice-pay-confirm": "See components/portal_sections.py.",
    "pay-panel": "See components/portal_sections.py.",
    "invoices-more": "See components/portal_sections.py.",
    "next-invoice": "See components/portal_sections.py.",
    "cancel-scheduled-change": "See components/portal_sections.py.",
    "scheduled-change": "See components/portal_sections.py.",
    "update-subscription": "See components/portal_sections.py.",
    "cancel-subscription": "See components/portal_sections.py.",
    # components/shell.py
    "locale-select": "See components/shell.py.",
    "return-link": "See components/shell.py.",
    # pages/dashboard_api_keys.py
    "new-secret": "See pages/dashboard_api_keys.py.",
    # pages/dashboard_branding.py
    "save-branding": "See pages/dashboard_branding.py.",
    "contrast-warning": "See pages/dashboard_branding.py.",
    # pages/dashboard_catalogue.py
    "save-product": "See pages/dashboard_catalogue.py.",
    "add-price": "See pages/dashboard_catalogue.py.",
    # pages/dashboard_configurations.py
    "save-configuration": "See pages/dashboard_configurations.py.",
    # pages/dashboard_customers.py
    "create-link": "See pages/dashboard_customers.py.",
    "session-url": "See pages/dashboard_customers.py.",
    "customer-preview": "See pages/dashboard_customers.py.",
    # pages/dashboard_email.py
    "save-email-settings": "See pages/dashboard_email.py.",
    "outbox-mode": "See pages/dashboard_email.py.",
    # pages/dashboard_embed.py
    "embed-origins": "See pages/dashboard_embed.py.",
    "embed-save": "See pages/dashboard_embed.py.",
    # pages/dashboard_login.py
    "login-error": "See pages/dashboard_login.py.",
    # pages/dashboard_login_link.py
    "login-link-url": "See pages/dashboard_login_link.py.",
    # pages/dev_outbox.py
    "dev-outbox-unavailable": "See pages/dev_outbox.py.",
    # pages/home.py
    "home-card": "See pages/home.py.",
    # pages/login.py
    "login-card": "See pages/login.py.",
    "login-email": "See pages/login.py.",
    "login-send": "See pages/login.py.",
    "login-code": "See pages/login.py.",
    "login-verify": "See pages/login.py.",
    "login-resend": "See pages/login.py.",
    # pages/not_found.py
    "not-found": "See pages/not_found.py.",
    # pages/portal.py
    "signed-out": "See pages/portal.py.",
    "flow-done": "See pages/portal.py.",
    "logout": "See pages/portal.py.",
    # pages/session_link.py
    "session-link": "See pages/session_link.py.",
    # Lifecycle hooks (components/cancel_panel.py, components/portal_sections.py).
    "cancel-terms": "Cancel step's terms: data-ends-now, data-date (YYYY-MM-DD) access ends.",
    "cancel-access-ends": "Cancel step: the sentence naming when access ends.",
    "cancel-unused": "Cancel step: what happens to the unused time.",
    "past-due-banner": "Past-due banner: data-amount and data-invoice-id of the oldest open "
    "invoice (what Pay settles first), data-total-amount and data-open-invoices for all that is "
    "overdue, data-currency.",
    "past-due-pay": "Past-due banner's Pay button.",
    "pay-summary": "Pay panel under its invoice row: data-amount, data-currency.",
    "pm-remove-confirmation": "The question shown before a card is removed.",
    "pm-remove-confirm": "Confirms removing the card.",
    "pm-remove-cancel": "Keeps the card.",
    # Billing details (components/billing_form.py).
    "billing-state-select": "State or province select, shown where the country has a list.",
    "tax-error": "The tax ID field's message (e.g. a duplicate tax ID).",
}
