"""The layer moves of issue 14 stay put: i18n and auth import no layer above them, and the
stored features have one typed reader."""

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from portal_app.models.configuration import PortalConfiguration

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
    ],
)
def test_a_lower_layer_imports_nothing_above_it(folder: str, above: tuple[str, ...]) -> None:
    # text_rules is a leaf of pure text checks (it imports only i18n.text) that auth shares.
    leaves = {"portal_app.services.text_rules"}
    wrong = {
        (name, module)
        for name, module in _imports(folder)
        if module.startswith(above) and module not in leaves
    }
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
