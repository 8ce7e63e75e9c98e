"""No customer-facing text bypasses the catalogue.

Components: every string literal passed as a child, or as a label-like property, must be
inside `t(...)`. Services and states: messages raised to the customer or assigned to what the
page shows must be a `Text`/`gettext` call, not a bare literal. Machine tokens (ids, test ids,
CSS classes, field names, routes) and a few non-words are allowed.
"""

import ast
from pathlib import Path

import pytest

from portal_app.i18n.tooling import MESSAGE_SOURCES, UI_SOURCES

PACKAGE = Path(__file__).resolve().parents[2] / "portal_app"
TEXT_PROPS = {"aria_label", "placeholder", "alt", "title", "label", "aria_description"}
TRANSLATING_CALLS = {"t", "t_around", "gettext", "ngettext", "N_", "Text", "Plural"}
# Calls whose string arguments are not shown as text.
NON_TEXT_CALLS = {"rx.page", "portal_page", "rx.redirect", "rx.call_script", "section"}
ALLOWED = {"—", "1234 1234 1234 1234", "•••• ", " •••• "}
SHOWN_ERRORS = {"ActionRefused", "LoginError", "SessionError"}


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


def untranslated_in_server_code(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    problems = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)
            and ast.unparse(node.exc.func) in SHOWN_ERRORS
        ):
            problems += [
                f"{path.name}:{c.lineno} {c.value!r}"
                for arg in node.exc.args
                for c in literals(arg)
            ]
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Attribute) and ast.unparse(target).startswith("self.")
            for target in node.targets
        ):
            problems += [
                f"{path.name}:{c.lineno} {c.value!r}"
                for c in literals(node.value)
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
