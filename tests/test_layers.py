"""The one direction of flow: every import in src/nianbao runs down the layers, never back up.

template → model/document → read → parse → check → store/render → API → cli/serve. Imports
inside functions count: a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "nianbao"

# Low to high. A module may import its own layer and the ones below it. A name is a module or
# a package (everything under it); the longest matching name decides.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base",
        (
            "nianbao.errors",
            "nianbao.limits",
            "nianbao.normalize",
            "nianbao.mdtext",
            "nianbao.csvsafe",
            "nianbao.outfile",
            "nianbao.agency",
            "nianbao.regions",
            "nianbao.version",
        ),
    ),
    ("template", ("nianbao.template",)),
    ("model", ("nianbao.model", "nianbao.document", "nianbao.schema", "nianbao.reportdata")),
    ("read", ("nianbao.read",)),
    ("parse", ("nianbao.parse", "nianbao.register")),
    ("check", ("nianbao.check",)),
    ("output", ("nianbao.store", "nianbao.render", "nianbao.export", "nianbao.stats", "nianbao.generate")),
    ("api", ("nianbao", "nianbao.api")),
    ("app", ("nianbao.cli", "nianbao.serve", "nianbao.__main__")),
)
RANK = {name: rank for rank, (_, names) in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    """The rank of the longest layer name that is the module or a package holding it."""
    if module == "nianbao":  # the package root is the public API, not a prefix of everything
        return RANK[module]
    parts = module.split(".")
    for n in range(len(parts), 1, -1):
        name = ".".join(parts[:n])
        if name in RANK:
            return RANK[name]
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in {__file__}")


def imports(module: str, path: Path) -> set[tuple[str, int]]:
    """(imported nianbao module, line) for every import in the file, at any depth."""
    known = modules()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update((a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "nianbao")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "nianbao":
                continue
            for alias in node.names:  # `from .. import limits` imports the module nianbao.limits
                sub = f"{target}.{alias.name}"
                found.add((sub if sub in known else target, node.lineno))
    return found


def edges() -> list[tuple[str, str, int]]:
    return [(m, target, line) for m, p in modules().items() for target, line in imports(m, p)]


def test_every_module_has_a_layer():
    for module in modules():
        layer(module)


def test_imports_run_down_the_layers():
    upward = [
        f"{m} (layer {LAYERS[layer(m)][0]}) imports {t} (layer {LAYERS[layer(t)][0]}) at line {line}"
        for m, t, line in edges()
        if layer(t) > layer(m)
    ]
    assert upward == []


def test_nothing_below_the_api_imports_the_package_root():
    root = [f"{m} imports the package root at line {line}" for m, t, line in edges() if t == "nianbao"]
    assert [r for r in root if layer(r.split()[0]) < RANK["nianbao"]] == []


def unit(module: str) -> str:
    """The package or top-level module a module belongs to (nianbao.read.pdf → nianbao.read)."""
    return ".".join(module.split(".")[:2])


def test_no_cycle_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for m, t, _ in edges():
        if unit(m) != unit(t) and t != "nianbao":
            graph[unit(m)].add(unit(t))
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


@pytest.mark.parametrize(
    ("module", "expected"),
    [("nianbao.read.pdf", 3), ("nianbao.template.gov", 1), ("nianbao", 7), ("nianbao.cli.check", 8)],
)
def test_layer_of(module, expected):
    assert layer(module) == expected


def test_an_upward_edge_is_caught(tmp_path):
    """The walker sees a relative import inside a function (the way cycles hide)."""
    path = tmp_path / "x.py"
    path.write_text("def f():\n    from ..check import runner\n", encoding="utf-8")
    assert imports("nianbao.read.x", path) == {("nianbao.check.runner", 2)}
    assert layer("nianbao.check.runner") > layer("nianbao.read.x")
