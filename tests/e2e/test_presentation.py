"""What a person sees, in Chromium: field errors worded by the portal (never the API's text),
billing details per country on a phone, and merchant brands that cannot break the page.

The brand screenshots are saved under `$PORTAL_SCREENSHOTS` (a temporary directory by
default) for a person to look at; the tests assert what can be measured: the contrast of the
computed colours, the corner radii, and that nothing is wider than the screen.
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import app_data
from tests.e2e.test_dashboard import sign_in, wait_for_form
from tests.e2e.test_portal_flows import add_card, open_portal

pytestmark = pytest.mark.e2e

RAW_API_TEXT = re.compile(r"\w\[\w+\]|Missing required param|No such|param", re.IGNORECASE)
SCREENSHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS") or tempfile.mkdtemp(prefix="brand-shots-"))

# The WCAG contrast of an element's text on the first opaque background behind it.
CONTRAST_JS = """(element) => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92
                                                   : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let node = element, back = null;
  while (node && node.nodeType === 1) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || (colour.length === 4 && colour[3] > 0.99)) { back = colour; break; }
    node = node.parentElement;
  }
  back = back || [255, 255, 255];
  const fore = rgb(getComputedStyle(element).color);
  const [a, b] = [lum(fore), lum(back)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_no_raw_text(text: str) -> None:
    assert not RAW_API_TEXT.search(text), text


def test_card_form_errors_sit_under_their_field_in_plain_words(app_server, page: Page) -> None:
    open_portal(page, app_server, "canceling@example.com")
    page.get_by_test_id("payment-methods").get_by_test_id("pm-add").click()
    form = page.get_by_test_id("card-form")
    save = form.get_by_test_id("card-save")
    save.click()  # everything empty: Stripe would answer "Missing required param: card[number]."
    expect(form.get_by_test_id("card-number-error")).to_have_text("Enter the card number.")
    expect(form.get_by_label("Card number")).to_have_attribute("aria-invalid", "true")
    cases = [
        ("4242 4242 4242 4241", "12 / 34", "123", "card-number-error", "card number is incorrect"),
        ("4242 4242 4242 4242", "", "123", "card-exp-error", "MM/YY"),
        ("4242 4242 4242 4242", "13 / 34", "123", "card-exp-error", "expiration month"),
        ("4242 4242 4242 4242", "01 / 20", "123", "card-exp-error", "expired"),
        ("4242 4242 4242 4242", "12 / 34", "", "card-cvc-error", "security code"),
        ("4242 4242 4242 4242", "12 / 34", "1a", "card-cvc-error", "security code is invalid"),
    ]
    for number, expiry, cvc, where, words in cases:
        form.get_by_label("Card number").fill(number)
        form.get_by_label("Expiry (MM/YY)").fill(expiry)
        form.get_by_label("CVC").fill(cvc)
        save.click()
        expect(form.get_by_test_id(where)).to_contain_text(words)
        assert_no_raw_text(form.inner_text())
    page.get_by_role("button", name="Cancel", exact=True).click()
    add_card(page, "4000 0000 0000 0002")  # declined by the sandbox (Stripe's test card)
    expect(page.get_by_test_id("card-form-error")).to_have_text("Your card was declined.")
    assert_no_raw_text(page.get_by_test_id("card-form").inner_text())


def test_billing_details_on_a_phone_follow_the_country(app_server, page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_portal(page, app_server, "jenny.rosen@example.com")
    section = page.get_by_role("region", name="Billing information")
    section.get_by_test_id("billing-edit").click()
    form = section.get_by_test_id("billing-form")
    options = form.get_by_label("Country").locator("option").all_inner_texts()
    for grouping in ("Pseudo-Accents", "Pseudo-Bidi", "European Union", "United Nations"):
        assert grouping not in options
    assert "Unknown Region" not in options
    form.get_by_label("Country").select_option("US")
    state = form.get_by_test_id("billing-state-select")
    expect(state).to_be_visible()
    assert "Oregon" in state.locator("option").all_inner_texts()
    state.select_option("")
    form.get_by_label("Address line 1").fill("1 Main St")
    form.get_by_label("City").fill("Brothers")
    form.get_by_label("Postal code").fill("977")
    form.get_by_label("Phone (optional)").fill("12")
    form.get_by_test_id("billing-save").click()
    expect(form).to_contain_text("Choose the state, province or region.")
    expect(form).to_contain_text("for example 95014")
    expect(form).to_contain_text("for example +1 ")
    assert "+33" not in form.inner_text()
    assert page_width(page) <= 390, page_width(page)

    state.select_option("OR")
    form.get_by_label("Postal code").fill("97712")
    form.get_by_label("Phone (optional)").fill("541 754 3010")
    form.get_by_test_id("billing-save").click()
    details = section.get_by_test_id("billing-details")
    expect(details).to_contain_text("Brothers, OR 97712")
    expect(details).to_contain_text("(541) 754-3010")
    assert page_width(page) <= 390, page_width(page)


BRANDS = {
    # A dark background with a yellow button: white business name, dark labels on yellow.
    "dark": {"background_color": "#0b1020", "button_color": "#ffd500", "shape": "rounded"},
    # A pill brand with a light yellow button: pill controls, cards stay cards.
    "pill": {"background_color": "#ffffff", "button_color": "#ffd500", "shape": "pill"},
}


def set_branding(app_server, branding: dict[str, str]) -> None:
    app_data.configure(app_server, {"branding": branding})


@pytest.fixture
def restore_branding(app_server):
    yield
    set_branding(
        app_server, {"background_color": "#ffffff", "button_color": "#0f62fe", "shape": "rounded"}
    )


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", list(BRANDS))
def test_brands_stay_readable_and_in_shape(
    app_server, page: Page, restore_branding: None, name: str, width: int
) -> None:
    set_branding(app_server, BRANDS[name])
    page.set_viewport_size({"width": width, "height": 900})
    open_portal(page, app_server, "jenny.rosen@example.com")
    page.get_by_role("region", name="Billing information").get_by_test_id("billing-edit").click()
    page.get_by_test_id("billing-form").wait_for()
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)

    checked = {
        "business name": page.locator(".brand-name"),
        "headline": page.locator(".brand-headline"),
        "link": page.locator(".portal-main .button-link").first,
        "button label": page.locator(".portal-main .button").first,
        "secondary button": page.get_by_test_id("billing-save"),
    }
    for label, element in checked.items():
        ratio = element.evaluate(CONTRAST_JS)
        assert ratio >= 4.5, (name, width, label, ratio)
    link_colour = checked["link"].evaluate("(e) => getComputedStyle(e).color")
    assert link_colour != "rgb(255, 213, 0)"  # never the yellow button colour on white

    card_radius = page.locator(".card").first.evaluate("(e) => getComputedStyle(e).borderRadius")
    panel_radius = page.get_by_test_id("billing-form").evaluate(
        "(e) => getComputedStyle(e).borderRadius"
    )
    input_radius = page.get_by_label("Name").evaluate("(e) => getComputedStyle(e).borderRadius")
    assert card_radius != "999px" and panel_radius != "999px"
    assert (input_radius == "999px") == (BRANDS[name]["shape"] == "pill")
    assert page_width(page) <= width, (name, width, page_width(page))


def test_the_dashboard_words_a_refused_headline_for_its_field(app_server, page: Page) -> None:
    sign_in(page, app_server.url)
    wait_for_form(page)
    page.get_by_label("Headline").fill(
        "A headline far longer than the sixty characters it may hold!!!"
    )
    page.get_by_test_id("save-configuration").click()
    error = page.get_by_test_id("error-headline")
    expect(error).to_have_text("Use at most 60 characters.")
    assert_no_raw_text(page.locator("form").first.inner_text())
    assert "business_profile" not in page.content()
