"""The import graph: layers only look down, and no module imports itself back.

The core (`smp/`) depends on nothing above it; each area (actions, channels,
console, web) depends only on the core and itself; the launcher (and the
benchmark) may import everything. Imports inside functions count too, and no
project module is loaded by name through importlib, where no graph could see it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from smp.settings import PROJECT_ROOT

PACKAGES = ("smp", "actions", "channels", "console", "web", "launcher", "bench")
ALLOWED = {
    "smp": {"smp"},
    "actions": {"smp", "actions"},
    "channels": {"smp", "channels"},
    "console": {"smp", "console"},
    "web": {"smp", "web"},
    "launcher": set(PACKAGES) - {"bench"},
    "bench": set(PACKAGES),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            if "node_modules" not in path.parts:
                modules[module_name(path)] = path
    return modules


MODULES = project_modules()


def imported_modules(name: str, path: Path) -> set[str]:
    """Project modules that `name` imports, anywhere in its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            # The longest project module the dotted name starts with.
            parts = target.split(".")
            for end in range(len(parts), 0, -1):
                candidate = ".".join(parts[:end])
                if candidate in MODULES:
                    found.add(candidate)
                    break
    found.discard(name)
    return found


GRAPH = {name: imported_modules(name, path) for name, path in MODULES.items()}


def test_the_graph_sees_the_project():
    assert len(MODULES) > 40
    assert "smp.repository" in GRAPH["actions.faq"]
    assert "smp.settings" in GRAPH["smp.db"]


@pytest.mark.parametrize("package", PACKAGES)
def test_each_layer_imports_only_itself_and_the_layers_below(package):
    wrong = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        if name.split(".")[0] == package
        for target in targets
        if target.split(".")[0] not in ALLOWED[package]
    )
    assert wrong == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles():
    cycles = [group for group in strongly_connected(GRAPH) if len(group) > 1]
    assert cycles == []


def test_cycle_detection_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [sorted(g) for g in strongly_connected(graph) if len(g) > 1] == [
        ["a", "b", "c"]
    ]


def test_no_project_module_is_loaded_by_name():
    offenders = [
        name
        for name, path in MODULES.items()
        if "import_module(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_only_the_settings_module_reads_the_environment():
    readers = sorted(
        name
        for name, path in MODULES.items()
        if "os.environ" in path.read_text(encoding="utf-8")
        or "getenv(" in path.read_text(encoding="utf-8")
    )
    # The launcher passes the environment on to the processes it starts.
    assert readers == ["launcher.services", "launcher.testing", "smp.settings"]
