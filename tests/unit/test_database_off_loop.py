"""Reflex states reach the database only off the event loop (issue 14), read from the source.

The rule: no module of `portal_app/state/` opens a database session. A database opener is
`session_scope`, `get_engine` or `create_engine` (named or used as an attribute) or a call of
`Session(...)`; `Session` as a type annotation is not one. States hand their work to
`portal_app.services.off_loop.in_session` (directly, or through
`CustomerSessionState._off_loop` and `CustomerAction._act`), which runs it in a worker
thread in one session.

Services take the caller's session (the house style): only `off_loop` opens one for them, and
the email delivery worker, which the app runs in its own thread.

The slow-SQL tests (`tests/loop_watch.py`) check the same at run time for the paths they drive.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "portal_app"
OPENERS = {"session_scope", "get_engine", "create_engine"}
# Services that open sessions themselves, each from a worker thread.
SERVICE_OPENERS = {"off_loop.py", "email_delivery.py"}


def _opens(node: ast.AST) -> bool:
    if isinstance(node, ast.Name) and node.id in OPENERS:
        return True
    if isinstance(node, ast.Attribute) and node.attr in OPENERS:
        return True
    if isinstance(node, ast.Call):
        func = node.func
        return (isinstance(func, ast.Name) and func.id == "Session") or (
            isinstance(func, ast.Attribute) and func.attr == "Session"
        )
    return False


def openers(source: str) -> list[int]:
    """The lines where `source` opens the database (imports of an opener included)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if any(alias.name in OPENERS for alias in node.names):
                found.append(node.lineno)
        elif _opens(node):
            found.append(node.lineno)
    return sorted(found)


def _modules(folder: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((PACKAGE / folder).glob("*.py"))}


def test_states_never_open_the_database() -> None:
    found = {name: openers(source) for name, source in _modules("state").items()}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_services_use_the_callers_session() -> None:
    opening = {name for name, source in _modules("services").items() if openers(source)}
    assert opening == SERVICE_OPENERS


def test_the_rule_catches_each_way_of_opening_the_database() -> None:
    """The checker itself can fail: each opener is reported, an annotation is not."""
    cases = {
        "session_scope": "def h():\n    with session_scope():\n        pass\n",
        "an engine": "async def _read():\n    return get_engine()\n",
        "an attribute": "async def h():\n    await run(lambda: db.session_scope())\n",
        "a Session": "def _read():\n    return Session(engine)\n",
        "an import": "from portal_app.db import session_scope\n",
    }
    for case, source in cases.items():
        assert openers(source), case
    annotation = "from sqlmodel import Session\ndef f(db: Session) -> None:\n    pass\n"
    assert openers(annotation) == []
