"""The layer moves of issue 14 stay put: i18n and auth import no layer above them, and the
stored features have one typed reader."""

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from portal_app.models.configuration import PortalConfiguration
from portal_app.rules.email_address import EmailAddressInvalid, email_address

PACKAGE = Path(__file__).resolve().parents[2] / "portal_app"


def _imports(folder: str) -> set[tuple[str, str]]:
    found = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                found.update((path.name, alias.name) for alias in node.names)
    return found


@pytest.mark.parametrize(
    ("folder", "above"),
    [
        ("i18n", ("portal_app.state", "portal_app.components", "portal_app.pages")),
        ("auth", ("portal_app.state", "portal_app.services")),
        ("rules", ("portal_app.state", "portal_app.services", "portal_app.auth")),
    ],
)
def test_a_lower_layer_imports_nothing_above_it(folder: str, above: tuple[str, ...]) -> None:
    wrong = {(name, module) for name, module in _imports(folder) if module.startswith(above)}
    assert wrong == set()


def test_the_stored_features_are_read_through_one_typed_accessor() -> None:
    config = PortalConfiguration(
        business_name="Acme", features={"invoice_history": {"enabled": False}}
    )
    settings = config.feature_settings
    assert settings.invoice_history.enabled is False
    assert settings.payment_method_update.enabled is True  # Stripe's default fills the rest
    readers = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "ConfigurationFeatures.model_validate(" in path.read_text()
        and "sandbox" not in path.parts
    ]
    # The model reads the stored JSON; the document module checks a merchant's new parameters.
    assert sorted(readers) == ["models/configuration.py", "services/configuration_document.py"]
    with pytest.raises(ValidationError):
        _ = PortalConfiguration(business_name="Acme", features={"nope": {}}).feature_settings


@pytest.mark.parametrize(
    ("typed", "english"),
    [
        ("", "it is empty"),
        ("ada.example.com", "it has no @"),
        ("@example.com", "nothing comes before the @"),
        ("ada@", "nothing comes after the @"),
        ("ada lovelace@example.com", "spaces or invisible characters"),
        ("ada@localhost", "not a domain name"),
        ("ada@exa_mple.com", "characters an email address cannot have"),
    ],
)
def test_a_refused_email_address_says_why_in_the_readers_language(typed: str, english: str) -> None:
    with pytest.raises(EmailAddressInvalid) as refused:
        email_address(typed)
    assert english in refused.value.reason.render("en")
    # email-validator's own reasons are English only; none reaches a French reader.
    assert english not in refused.value.reason.render("fr")


def test_a_valid_email_address_is_normalised() -> None:
    assert email_address("  Ada@Example.COM ") == "Ada@example.com"
