"""The dependency direction of docs/architecture.md, checked on the source (an AST walk, no import needed).

- core is a leaf: no module of core imports an app, at any depth (inside functions too).
- No two apps import each other, directly or round a longer loop. Every import counts, the ones inside
  functions too: a deferred import hides a cycle from Python, not from the reader.

Apps are the project's folders with an apps.py. Tests and migrations are left out: a test may build records
of any app, and a migration names its dependencies by string.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))

# Imports still waiting for their app's reshaping (issue 9); each line says who removes it. Empty when done.
PENDING = {}


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


def _source_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def _edges() -> dict[tuple[str, str], list[str]]:
    """(importer, imported) → where, for every import of one app (or the project package) by another."""
    targets = set(APPS) | {"aftersales"}
    edges = defaultdict(list)
    for app in APPS:
        for path in _source_files(app):
            for module, line in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
                top = module.split(".")[0]
                if top in targets and top != app:
                    edges[(app, top)].append(f"{path.relative_to(ROOT)}:{line}")
    return edges


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one app (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_apps_are_found():
    assert {"core", "org", "promises", "home"} <= set(APPS)


def test_core_imports_no_app():
    edges = _edges()
    found = {f"core → {target}: {', '.join(where)}" for (app, target), where in edges.items() if app == "core"}
    allowed = {f"core → {target}: {', '.join(edges[(a, target)])}" for a, target in PENDING if a == "core"}
    assert found - allowed == set()


def test_no_two_apps_import_each_other():
    edges = _edges()
    graph = defaultdict(set)
    for importer, imported in edges:
        if (importer, imported) not in PENDING:
            graph[importer].add(imported)
    cycles = _cycles(graph)
    detail = {
        " ↔ ".join(group): [f"{a} → {b}: {edges[(a, b)]}" for a in group for b in group if (a, b) in edges]
        for group in cycles
    }
    assert detail == {}


def test_a_cycle_is_seen():
    """The check itself: a loop of three is found, a chain is not."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}}) == []
