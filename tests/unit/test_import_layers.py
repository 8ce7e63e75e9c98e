"""The import graph of `portal_app`: no circle, and layers imported only downwards.

Layers, top to bottom: pages → components/state → services → billing → models. grimp
reads every import, including those inside functions (a circle dodged that way still counts).
"""

from collections.abc import Callable

import grimp
import pytest

LAYERS = (
    "pages",
    grimp.Layer("components", "state", independent=False),
    "services",
    "billing",
    "models",
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("portal_app", exclude_type_checking_imports=True)


def circles(graph: grimp.ImportGraph, node: Callable[[str], str] = str) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan), nodes mapped by `node`."""
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = node(module), node(imported)
            edges.setdefault(a, set())
            if a != b:
                edges[a].add(b)
            edges.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = [stack.pop()]
            while group[-1] != v:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_module_imports_itself_round_a_circle(graph: grimp.ImportGraph) -> None:
    assert circles(graph) == []


def test_no_top_level_packages_import_each_other(graph: grimp.ImportGraph) -> None:
    assert circles(graph, package) == []


def test_the_circle_check_sees_a_circle() -> None:
    """The check itself: an import hidden in a function is a circle all the same."""
    made = grimp.ImportGraph()
    for a, b in [("p.flow", "p.cancel"), ("p.cancel", "p.portal"), ("p.portal", "p.flow")]:
        made.add_import(importer=a, imported=b)
    made.add_import(importer="p.portal", imported="p.models")
    assert circles(made) == [["p.cancel", "p.flow", "p.portal"]]


def test_layers_are_imported_only_downwards(graph: grimp.ImportGraph) -> None:
    illegal = graph.find_illegal_dependencies_for_layers(layers=LAYERS, containers={"portal_app"})
    assert sorted((d.importer, d.imported) for d in illegal) == []
