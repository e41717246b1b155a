"""The layers of docs/guides/layout.md hold in the code: imports only run downwards."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "navdecode"

# bottom up; a module may import its own folder and any folder below it
LAYERS = ["_validation", "_io", "_version", "_exports", "stats", "task", "agents", "recording",
          "analysis", "training", "pretrained", "plotting", "report", "cli", "__main__"]
SHARED = {"_validation", "_io", "_version", "_exports"}


def _room(module: str) -> str:
    """The layer of a dotted module name inside navdecode ("analysis", "cli", ...)."""
    return module.split(".")[1] if module.count(".") else ""


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "navdecode"):
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("navdecode"):
                    yield node.lineno, alias.name, []


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")


def _dotted(path: Path) -> str:
    return ".".join(("navdecode", *path.relative_to(PACKAGE).with_suffix("").parts))


def test_every_module_sits_in_a_known_layer():
    rooms = {_room(_dotted(p)) for p in MODULES}
    assert rooms <= set(LAYERS), rooms - set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_only_downwards_and_take_no_private_names(path):
    own = _room(_dotted(path))
    for line, module, names in _imports(path):
        target = _room(module)
        assert target, f"{path.name}:{line} imports the package root ({module})"
        if target not in SHARED:
            assert LAYERS.index(target) <= LAYERS.index(own), (
                f"{path.name}:{line} ({own}) imports {module}, a layer above it")
        private = [n for n in names if n.startswith("_") and target not in SHARED]
        assert not private, f"{path.name}:{line} imports private names {private} of {module}"


def test_a_module_that_imports_upwards_is_caught(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from navdecode.report.tables import ANALYSES\nfrom navdecode.task import _x\n")
    found = list(_imports(bad))
    assert [m for _, m, _ in found] == ["navdecode.report.tables", "navdecode.task"]
    assert LAYERS.index(_room(found[0][1])) > LAYERS.index("task")


def _graph() -> dict[str, set[str]]:
    modules = {_dotted(p): p for p in MODULES}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for _, module, names in _imports(path):
            targets |= {f"{module}.{n}" for n in names if f"{module}.{n}" in modules}
            if module in modules:
                targets.add(module)
        graph[name] = targets - {name}
    return graph


def test_no_modules_import_each_other_in_a_circle():
    graph, state, path = _graph(), {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle = [*path[path.index(nxt):], nxt]
                raise AssertionError(" -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
