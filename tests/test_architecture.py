"""The package's layers, the notebooks' limits and the config base, checked statically.

Layers (see README, "Layout"): ``config``/``errors`` (core) <- ``settings`` <- ``methods`` (pure
steps) and ``io`` (disk and network) <- ``pipeline`` (chapters) <- ``report`` (Dutch
presentation, no disk) <- ``run`` (CLI, runner, bench). An import against the arrows, or any
import cycle, fails here.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from decentraal.config import CONFIGS_DIR, NOTEBOOKS_DIR, PACKAGE_DIR

#: layer -> layers it may import (besides itself).
ALLOWED = {
    "core": set(),
    "settings": {"core"},
    "methods": {"core"},
    "io": {"core", "settings"},
    "pipeline": {"core", "settings", "methods", "io"},
    "report": {"core", "settings", "methods", "pipeline", "io.assets"},
    "run": {"core", "settings", "methods", "io", "pipeline", "report", "io.assets"},
    "package": {"core", "settings", "methods", "io", "pipeline", "report", "run", "io.assets"},
    "io.assets": {"core"},
}
#: Calls that touch disk; none may appear in methods/ or report/.
DISK_CALLS = {"open", "read_text", "write_text", "read_bytes", "write_bytes", "to_csv", "to_file", "to_parquet",
              "to_excel", "savefig", "mkdir", "unlink", "read_csv", "read_file", "read_parquet"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "package"
    if parts[1] in ("config", "errors"):
        return "core"
    if parts[1] == "io" and len(parts) > 2 and parts[2] == "assets":
        return "io.assets"
    return parts[1] if parts[1] in ALLOWED else "package"


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Package modules imported by ``path`` (``if TYPE_CHECKING:`` blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("decentraal"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("decentraal"))
    return found


def test_layers_import_only_downwards():
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        layer = _layer(name)
        for target in _imports(path, modules):
            other = _layer(target)
            if other != layer and other not in ALLOWED[layer] and not (other == "io.assets" and "io" in ALLOWED[layer]):
                wrong.append(f"{name} ({layer}) imports {target} ({other})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycles():
    modules = _modules()
    graph = {name: {t for t in _imports(path, modules) if t in modules and t != name} for name, path in modules.items()}
    # a package __init__ that re-exports its submodules is not a cycle with them
    graph = {n: {t for t in ts if not n.startswith(t + ".")} for n, ts in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("layer", ["methods", "report"])
def test_methods_and_report_never_touch_disk(layer):
    calls = []
    for path in sorted((PACKAGE_DIR / layer).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in DISK_CALLS:
                    calls.append(f"{path.relative_to(PACKAGE_DIR)}:{node.lineno} {name}()")
    assert not calls, f"{layer}/ touches disk (use decentraal.io):\n" + "\n".join(calls)


# --------------------------------------------------------------------------- notebooks
MAX_LINES = 8
MAX_SETUP_LINES = 10
MAX_WIDTH = 100
FORBIDDEN = {
    "globals() or locals()": re.compile(r"\b(globals|locals|vars)\("),
    "pandas call (pd.)": re.compile(r"\bpd\."),
    "pyplot call (plt.)": re.compile(r"\b(plt|sns)\."),
    "loop": re.compile(r"\bfor\b|\bwhile\b"),
    "label or rename literal": re.compile(r"\{\s*['\"]|\.rename\(|\.map\(\{"),
    "import outside the setup cell": re.compile(r"^\s*(import|from)\s", re.M),
}


def _cells(book: Path) -> list[dict]:
    return json.loads(book.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("book", sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_notebook_cells_stay_within_the_limits(book):
    cells = _cells(book)
    assert cells[0]["cell_type"] == "markdown", "a notebook opens with its Dutch title"
    assert "parameters" in cells[1]["metadata"].get("tags", []), "the second cell is the parameters cell"
    setup = "".join(cells[2]["source"])
    assert len(setup.splitlines()) <= MAX_SETUP_LINES, f"setup cell has more than {MAX_SETUP_LINES} lines"
    problems = []
    previous = "code"
    for number, cell in enumerate(cells[3:], 4):
        source = "".join(cell["source"])
        tags = cell["metadata"].get("tags", [])
        if cell["cell_type"] == "markdown":
            previous = "markdown"
            continue
        if "remove-cell" in tags:
            if len(source.splitlines()) > 2:
                problems.append(f"cell {number}: a hidden check cell has at most 2 lines")
            continue
        if previous != "markdown":
            problems.append(f"cell {number}: every code cell follows its own Dutch markdown cell")
        previous = "code"
        lines = source.splitlines()
        if len(lines) > MAX_LINES:
            problems.append(f"cell {number}: {len(lines)} lines (at most {MAX_LINES})")
        wide = [i for i, line in enumerate(lines, 1) if len(line) > MAX_WIDTH]
        if wide:
            problems.append(f"cell {number}: line(s) {wide} longer than {MAX_WIDTH} characters")
        for what, pattern in FORBIDDEN.items():
            if pattern.search(source):
                problems.append(f"cell {number}: {what}")
    assert not problems, f"{book.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("book", sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_parameters_cell_is_generated_from_base_yaml(book):
    from decentraal.run.notebooks import parameters_cell

    cell = next(c for c in _cells(book) if "parameters" in c["metadata"].get("tags", []))
    assert "".join(cell["source"]) == parameters_cell(book.name[:2]), (
        f"{book.name}: the parameters cell differs from configs/base.yaml; run `.venv/bin/python -m decentraal.run.notebooks`"
    )


# --------------------------------------------------------------------------- config base
def test_base_yaml_and_the_parameter_model_name_the_same_parameters():
    from decentraal.io.configs import base_entries
    from decentraal.settings import RunParameters

    assert list(base_entries()) == list(RunParameters.model_fields)


def test_every_assumption_has_a_range_around_its_value():
    from decentraal.io.configs import assumptions

    missing, outside = [], []
    for key, entry in assumptions().items():
        if isinstance(entry["waarde"], bool) or not isinstance(entry["waarde"], (int, float)):
            continue
        if "bereik" not in entry:
            missing.append(key)
        elif not entry["bereik"][0] <= entry["waarde"] <= entry["bereik"][1]:
            outside.append(key)
    assert not missing, f"aanname without bereik: {missing}"
    assert not outside, f"default outside its bereik: {outside}"


def test_municipality_configs_are_short_overrides():
    from decentraal.io.configs import base_entries, defaults, read_yaml_file

    for path in sorted(CONFIGS_DIR.glob("*.yaml")):
        if path.name == "base.yaml":
            continue
        values = read_yaml_file(path)
        assert set(values) <= set(base_entries()), path.name
        assert len(values) <= 6, f"{path.name} repeats base.yaml; keep only what differs"
        assert all(values[k] != v for k, v in defaults().items() if k in values and k not in ("naam", "gemeente")), (
            f"{path.name} repeats a default")
