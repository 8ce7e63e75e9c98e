"""No customer-facing text bypasses the catalogue.

Components: every string literal passed as a child, or as a label-like property, must be
inside `t(...)`. Services and states: messages raised to the customer or the merchant, put in a
field-error dict, or assigned to what the page shows must be a `Text`/`gettext` call, not a
bare literal. Machine tokens (ids, test ids, CSS classes, field names, routes) and a few
non-words are allowed.
"""

import ast
from pathlib import Path

import pytest

from portal_app.i18n.tooling import MESSAGE_SOURCES, UI_SOURCES

PACKAGE = Path(__file__).resolve().parents[2] / "portal_app"
TEXT_PROPS = {"aria_label", "placeholder", "alt", "title", "label", "aria_description"}
TRANSLATING_CALLS = {"t", "t_around", "gettext", "ngettext", "N_", "Text", "Plural"}
# Calls whose string arguments are not shown as text.
NON_TEXT_CALLS = {"rx.page", "rx.redirect", "rx.call_script", "section"}
ALLOWED = {"—", "1234 1234 1234 1234", "•••• ", " •••• "}
SHOWN_ERRORS = {
    # The customer's.
    "ActionRefused",
    "LoginError",
    "SessionError",
    # The merchant's (the dashboard's forms and the API's refusals).
    "CatalogueInputError",
    "CatalogueNotFound",
    "ConfigurationError",
    "EmailSettingsError",
    "FormInputError",
    "ImageRejected",
    "MerchantAuthError",
}
# Built-in errors that some services raise with a message to show (catalogue amounts, new
# merchant accounts). One in lower case is a programming error, by Python's convention: not shown.
SHOWN_BUILTIN_ERRORS = {"ValueError"}


def is_machine_token(text: str) -> bool:
    """`billing-name`, `plan_option`, `/portal`, `review`, ``: not prose."""
    return " " not in text and not any(ch.isupper() for ch in text[:1])


def literals(node: ast.AST) -> list[ast.Constant]:
    """String constants in an expression, not looking inside translating calls."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call) and ast.unparse(current.func) in TRANSLATING_CALLS:
            continue
        if isinstance(current, ast.Constant) and isinstance(current.value, str):
            found.append(current)
        elif not isinstance(current, ast.Call):  # nested calls are checked on their own
            stack.extend(ast.iter_child_nodes(current))
    return found


def untranslated_in_component(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name in TRANSLATING_CALLS or name in NON_TEXT_CALLS:
            continue
        values = [*node.args, *(k.value for k in node.keywords if k.arg in TEXT_PROPS)]
        for value in values:
            for constant in literals(value):
                text = constant.value
                if text not in ALLOWED and not is_machine_token(text):
                    problems.append(f"{path.name}:{constant.lineno} {text!r}")
    return problems


def is_developer_message(node: ast.expr) -> bool:
    """`"unknown email kind"`, `f"unknown kind {kind!r}"`: starts with a lower-case letter."""
    first = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else node
    return (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and first.value[:1].islower()
    )


def shown_arguments(raised: ast.Call) -> list[ast.expr]:
    """The arguments of a raised error that reach a person (none for a programming error)."""
    name = ast.unparse(raised.func).rsplit(".", 1)[-1]
    if name in SHOWN_ERRORS:
        return [*raised.args, *(k.value for k in raised.keywords)]
    if name in SHOWN_BUILTIN_ERRORS:
        return [arg for arg in raised.args if not is_developer_message(arg)]
    return []


def shows(target: ast.expr) -> bool:
    """`self.notice`, `self.a, self.b`, `errors["name"]`: what the page or a form shows."""
    if isinstance(target, ast.Tuple):
        return any(shows(element) for element in target.elts)
    if isinstance(target, ast.Subscript):
        return ast.unparse(target.value).endswith("errors")
    return isinstance(target, ast.Attribute) and ast.unparse(target).startswith("self.")


def untranslated_in_server_code(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    problems = []
    for node in ast.walk(tree):
        shown: list[ast.expr] = []
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            shown = shown_arguments(node.exc)
        elif isinstance(node, ast.Assign) and any(shows(target) for target in node.targets):
            shown = [node.value]
        problems += [
            f"{path.name}:{c.lineno} {c.value!r}"
            for value in shown
            for c in literals(value)
            if not is_machine_token(c.value)
        ]
    return problems


@pytest.mark.parametrize("source", UI_SOURCES)
def test_components_translate_every_text(source: str) -> None:
    assert untranslated_in_component(PACKAGE / source) == []


@pytest.mark.parametrize(
    "source", [s for s in MESSAGE_SOURCES if s.startswith(("state/", "auth/", "services/"))]
)
def test_server_messages_go_through_the_catalogue(source: str) -> None:
    assert untranslated_in_server_code(PACKAGE / source) == []


def test_the_scanner_catches_bare_server_messages(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "raise CatalogueNotFound('That product was not found.')\n"
        "raise catalogue.CatalogueInputError({'name': 'Enter a name.'})\n"
        "raise ConfigurationError(Text('Enter a colour.'), 'branding[button_color]')\n"
        "raise ValueError(f'Enter at most {limit}.')\n"
        "raise ValueError(f'unknown email kind {kind!r}')\n"
        "errors['amount'] = 'Enter an amount.'\n"
        "self.errors = {**errors, 'image': 'Choose one image.'}\n"
        "self.notice, self.busy = 'Saved.', False\n"
        "self.errors = {'form': gettext('Saved.', locale=locale)}\n"
        "headers['Accept'] = 'text/html'\n"
    )
    assert untranslated_in_server_code(module) == [
        "sample.py:1 'That product was not found.'",
        "sample.py:2 'Enter a name.'",
        "sample.py:4 'Enter at most '",
        "sample.py:6 'Enter an amount.'",
        "sample.py:7 'Choose one image.'",
        "sample.py:8 'Saved.'",
    ]


def test_the_scanner_catches_a_bare_label(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "rx.el.button('Pay now', aria_label=t('Pay'), class_name='button')\n"
        "rx.el.span(t('Fine'), 'Not fine', data_testid='x')\n"
        "rx.el.input(placeholder='Type here')\n"
    )
    assert untranslated_in_component(module) == [
        "sample.py:1 'Pay now'",
        "sample.py:2 'Not fine'",
        "sample.py:3 'Type here'",
    ]
