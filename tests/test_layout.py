"""The code's shape: imports run one way, no circles, no hidden import failures, no index internals.

Read from the source (``ast``), so a new module that breaks the layout fails here first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

QA = ROOT / "qa"
# The parts of qa, lowest first: each may import only itself and the parts before it.
LAYERS = [
    "errors",
    "question",
    "engine",
    "context",
    "sources",
    "evidence",
    "wording",
    "drafting",
    "export",
    "retrieve",
    "answers",
    "build",
    "evaluate",
    "ui",
    "cli",
]
INDEX_INTERNALS = {"vectors", "vocab_dict", "bm25"}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports (at the top or inside functions), resolved to a full name."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if node.module:  # "from . import x" imports the submodule x, not the package
                found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("qa", "index")}


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in _files(QA)}
    return {
        name: {i for i in _imports(path) if i in modules and i != name}
        for name, path in modules.items()
    }


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


@pytest.mark.parametrize("path", _files(QA), ids=lambda p: str(p.relative_to(ROOT)))
def test_layout_imports_run_one_way(path):
    module = _module(path)
    if module == "qa":  # the package's lazy re-exports
        return
    mine = LAYERS.index(_part(module))
    for imported in _imports(path):
        if imported.startswith("qa.") and _part(imported) in LAYERS:
            assert LAYERS.index(_part(imported)) <= mine, f"{module} imports {imported}"


def test_layout_no_import_circle_in_qa():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import circle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_layout_retrieval_does_not_depend_on_answering():
    assert not any(i.startswith("qa.answers") for i in _imports(QA / "retrieve.py"))


@pytest.mark.parametrize("path", _files(ROOT / "index"), ids=lambda p: p.name)
def test_layout_index_never_imports_qa(path):
    assert not any(i.startswith("qa") for i in _imports(path))


@pytest.mark.parametrize("path", [*_files(QA), ROOT / "app.py"], ids=lambda p: p.name)
def test_layout_no_hidden_import_failures_or_index_internals(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
            assert not names & {"ImportError", "ModuleNotFoundError"}, f"line {node.lineno}"
        if isinstance(node, ast.Attribute):
            assert node.attr not in INDEX_INTERNALS, f"{path.name}:{node.lineno} .{node.attr}"


@pytest.mark.parametrize(
    "name",
    ["MAX_QUESTION_CHARS", "GENERIC_WORDS", "STOP_WORDS", "QUESTION_WORDS", "LEVEL_WORDS"],
)
def test_layout_each_constant_has_one_home(name):
    homes = [
        p
        for p in _files(QA)
        for node in ast.parse(p.read_text(encoding="utf-8")).body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]
    assert len(homes) <= 1, homes


@pytest.mark.parametrize("name", ["wan", "render"])
def test_layout_no_two_helpers_of_one_name(name):
    defined = [
        p
        for p in _files(QA)
        for node in ast.parse(p.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name == name
    ]
    modules = [p for p in _files(QA) if p.stem == name]
    assert len(defined) <= 1 and not modules, defined + modules


@pytest.mark.parametrize("folder", sorted(p.parent for p in QA.glob("*/__init__.py")))
def test_layout_every_package_reexports_its_api(folder):
    init = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    assert ast.get_docstring(init), folder
    assert any(
        isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
        for n in init.body
    ), folder
