"""Reflex states reach the database only off the event loop (issue 14), read from the source.

The rule, per module of `portal_app/state/`:
- A database opener is `session_scope`, `get_engine` or `create_engine` (named or used as an
  attribute) or a call of `Session(...)`; `Session` as a type annotation is not one.
- An opener may appear only in a *worker*: a private (`_name`), synchronous function at the
  module's top level; never in a class (so in no handler or helper method), an `async def`
  or a lambda.
- A worker is only ever named as the first argument of `asyncio.to_thread(...)`, so it
  always runs in a worker thread; no other module imports it.
Everything else goes through `portal_app.services.off_loop.in_session` or
`CustomerSessionState._off_loop`, which run the work in a worker thread.

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


def _is_to_thread(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "to_thread") or (
        isinstance(func, ast.Name) and func.id == "to_thread"
    )


def _parents(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _chain(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[ast.AST]:
    """The node's enclosing nodes, innermost first."""
    found = []
    while node in parents:
        node = parents[node]
        found.append(node)
    return found


def loop_blocking_uses(source: str) -> tuple[list[str], set[str]]:
    """Where `source` (a state module) could reach the database on the event loop, and the
    names of its workers."""
    tree = ast.parse(source)
    parents = _parents(tree)
    problems: list[str] = []
    workers: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import) or not _opens(node):
            continue
        scopes = [
            n
            for n in _chain(node, parents)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef)
        ]
        outer = scopes[-1] if scopes else None
        if (
            isinstance(outer, ast.FunctionDef)
            and outer.name.startswith("_")
            and all(isinstance(n, ast.FunctionDef) for n in scopes)
        ):
            workers.add(outer.name)
        else:
            where = getattr(outer, "name", "the module")
            problems.append(f"line {node.lineno}: opens the database in {where}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in workers:
            call = parents.get(node)
            if not (isinstance(call, ast.Call) and _is_to_thread(call) and call.args[:1] == [node]):
                problems.append(f"line {node.lineno}: {node.id} used other than by to_thread")
    return problems, workers


def _modules(folder: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((PACKAGE / folder).glob("*.py"))}


def test_states_open_the_database_only_in_worker_threads() -> None:
    problems, workers = {}, {}
    for name, source in _modules("state").items():
        problems[name], workers[name] = loop_blocking_uses(source)
    assert {name: found for name, found in problems.items() if found} == {}
    # A worker is private to its module: nothing imports it to call it another way.
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("portal_app."):
                module = node.module.rsplit(".", 1)[-1] + ".py"
                imported = {alias.name for alias in node.names} & workers.get(module, set())
                assert not imported, f"{path.name} imports worker(s) {imported} of {module}"


def test_services_use_the_callers_session() -> None:
    opening = {
        name
        for name, source in _modules("services").items()
        if any(_opens(node) for node in ast.walk(ast.parse(source)))
    }
    assert opening == SERVICE_OPENERS


def test_the_rule_catches_a_session_on_the_loop() -> None:
    """The checker itself can fail: each way into the database on the loop is reported."""
    cases = {
        "in a handler": "class S:\n    def load(self):\n        with session_scope():\n"
        "            pass\n",
        "in an async helper": "async def _read():\n    return get_engine()\n",
        "in a lambda": "async def h():\n    await run(lambda: db.session_scope())\n",
        "a worker called directly": "def _read():\n    return Session(engine)\n"
        "async def h():\n    return _read()\n",
        "a worker handed on": "def _read():\n    return session_scope()\n"
        "async def h():\n    return await in_session(_read)\n",
        "a public worker": "def read():\n    return session_scope()\n",
    }
    for case, source in cases.items():
        assert loop_blocking_uses(source)[0], case
    worker = "def _read(x):\n    return session_scope()\nasync def h():\n"
    worker += "    return await asyncio.to_thread(_read, 1)\n"
    assert loop_blocking_uses(worker) == ([], {"_read"})
    annotation = "from sqlmodel import Session\ndef f(db: Session) -> None:\n    pass\n"
    assert loop_blocking_uses(annotation) == ([], set())
