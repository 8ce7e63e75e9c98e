"""Branding cannot break the page: every colour drawn on a merchant colour reaches WCAG AA,
and the pill shape rounds controls, never cards."""

import random

import pytest

from portal_app.models import PortalConfiguration
from portal_app.services.branding import (
    AA_CONTRAST,
    PAGE_SURFACES,
    BrandView,
    brand_for,
    contrast_ratio,
    css_variables,
)


def test_wcag_ratios_match_the_published_examples() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    # WebAIM's examples: #767676 is the lightest grey that passes AA on white.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") < AA_CONTRAST


def pairs(variables: dict[str, str]) -> list[tuple[str, str, str]]:
    bg, button = variables["--brand-bg"], variables["--brand-button"]
    return [
        ("business name", variables["--brand-text"], bg),
        ("headline", variables["--brand-muted"], bg),
        ("return link", variables["--brand-link-on-bg"], bg),
        ("button label", variables["--brand-button-text"], button),
        *(("link", variables["--brand-link"], surface) for surface in PAGE_SURFACES),
    ]


def test_any_merchant_colours_give_aa_text_links_and_labels() -> None:
    chooser = random.Random(12)
    colours = ["#ffffff", "#000000", "#ffd500", "#777777", "#ff0000", "#0b1020", "#00ff00"]
    colours += [f"#{chooser.randrange(1 << 24):06x}" for _ in range(120)]
    for background in colours[:30]:
        for button in colours:
            variables = css_variables(BrandView(background_color=background, button_color=button))
            for name, fore, back in pairs(variables):
                assert contrast_ratio(fore, back) >= AA_CONTRAST, (name, background, button)


def test_a_yellow_button_does_not_make_yellow_links() -> None:
    variables = css_variables(BrandView(button_color="#ffd500"))
    assert variables["--brand-button"] == "#ffd500"
    assert variables["--brand-button-text"] != "#ffffff"
    assert variables["--brand-link"] != "#ffd500"
    assert contrast_ratio(variables["--brand-link"], "#ffffff") >= AA_CONTRAST


def test_a_dark_background_keeps_the_business_name_readable() -> None:
    variables = css_variables(BrandView(background_color="#0b1020"))
    assert variables["--brand-text"] == "#ffffff"
    assert contrast_ratio(variables["--brand-muted"], "#0b1020") >= AA_CONTRAST


def test_a_bad_stored_colour_falls_back_instead_of_breaking_the_page() -> None:
    variables = css_variables(BrandView(background_color="red; x", button_color=""))
    assert variables["--brand-bg"] == "#ffffff" and variables["--brand-button"] == "#0f62fe"


@pytest.mark.parametrize(
    ("shape", "control", "surface"),
    [("pill", "999px", "16px"), ("rounded", "8px", "8px"), ("square", "0px", "0px")],
)
def test_the_pill_shape_rounds_controls_not_cards(shape: str, control: str, surface: str) -> None:
    brand = brand_for(PortalConfiguration(business_name="Acme", shape=shape))
    variables = css_variables(brand)
    assert variables["--brand-control-radius"] == control
    assert variables["--brand-radius"] == surface
