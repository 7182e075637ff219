"""The sync engine is a library: it imports a named few of DebtX's core modules and no
domain, and no module of the project imports its way back to itself."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What sync may use of DebtX's core: transactions (db), the error classes the API renders
# as problem details (errors, and pagination's invalid cursor), two JSON field types
# (schemas), the clock, the id parser and the base of documents keyed by their own ids.
ALLOWED = frozenset(
    {
        "backend.core.db",
        "backend.core.errors",
        "backend.core.pagination",
        "backend.core.schemas",
        "backend.core.clock",
        "backend.core.ids",
        "backend.core.models",
    }
)


def modules() -> dict[str, Path]:
    found = {}
    for package in ("backend", "sync"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imported(path: Path) -> Iterator[str]:
    """Every absolute name `path` imports, at any depth (functions included); a name from
    a module stands for that module, a submodule for itself."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def graph() -> dict[str, set[str]]:
    """Module -> the project's modules it imports."""
    known = modules()

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = {resolve(target) for target in imported(path)}
        edges[name] = {t for t in targets if t is not None and t != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            if group:
                found.append(sorted([node, *group]))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_its_way_back_to_itself():
    assert cycles(graph()) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_sync_imports_only_the_allowed_core_modules():
    edges = graph()
    used = {
        (module, target)
        for module, targets in edges.items()
        if module.startswith("sync")
        for target in targets
        if target.startswith("backend")
    }
    assert {target for _, target in used} <= ALLOWED, sorted(used)


def test_core_imports_no_domain_and_not_sync():
    edges = graph()
    outward = {
        (module, target)
        for module, targets in edges.items()
        if module.startswith("backend.core")
        for target in targets
        if not target.startswith("backend.core")
    }
    assert outward == set()


def test_the_engine_and_the_made_up_application_load_no_domain():
    """Importing every sync module and the notes application loads DebtX's core alone."""
    script = (
        "import json, sys; "
        "import sync.changelog, sync.engine, sync.inbox, sync.mirror, sync.outbox, "
        "sync.protobufs, sync.pull, sync.registry, tests.sync.toy; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('backend'))))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(ran.stdout))
    assert {m for m in loaded if m.partition(".core")[0] != "backend"} == set()
