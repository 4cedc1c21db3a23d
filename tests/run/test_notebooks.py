"""nbval: every notebook runs standalone with its defaults, and its key numbers do not change.

Notebooks are committed without outputs. A cell whose first line is ``# NBVAL_CHECK_OUTPUT``
prints a key number; its expected stdout is kept in ``tests/data/nbval_expected.json``
(``{notebook file name: {cell id: stdout}}``). :func:`prepare_notebooks` copies the notebooks
to a temporary folder and puts the expected text into those cells as ``stream`` output, then
``pytest --nbval-lax`` executes each copy in a fresh kernel and compares only the marked cells.

After an intended change of a key number, regenerate the expectations (this executes the
notebooks with papermill) and review the diff it prints::

    .venv/bin/python tests/run/test_notebooks.py --regenerate            # every notebook
    .venv/bin/python tests/run/test_notebooks.py --regenerate 02 03      # only these prefixes

Notebooks opened by nbval run with their defaults, so they write their tables and figures to
``outputs/_interactief/`` (the folder for interactive use, never taken for a run).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

TESTS_DIR = Path(__file__).resolve().parents[1]
EXPECTED_FILE = TESTS_DIR / "data" / "nbval_expected.json"
MARKER = "# NBVAL_CHECK_OUTPUT"
REGENERATE = ".venv/bin/python tests/run/test_notebooks.py --regenerate"

#: Independent published figures (CBS Kerncijfers wijken en buurten 2024, Haarlem GM0392).
CBS_HAARLEM = "inwoners GM0392: 167636; buurten: 111; wijken: 21"


class MissingExpectation(AssertionError):
    """A marked cell has no stored output (or a stored output belongs to no marked cell)."""


def _notebook_dir() -> Path:
    from decentraal.config import NOTEBOOKS_DIR

    return NOTEBOOKS_DIR


def _notebooks(folder: Path | None = None) -> list[Path]:
    from decentraal.run.runner import notebooks

    return notebooks(folder or _notebook_dir())


def marked_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Code cells whose first line is ``# NBVAL_CHECK_OUTPUT``."""
    return [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().splitlines()[:1] == [MARKER]]


def load_expected(path: Path = EXPECTED_FILE) -> dict[str, dict[str, str]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def prepare_notebooks(
    dest: Path, *, source: Path | None = None, expected: dict[str, dict[str, str]] | None = None, strict: bool = True,
) -> tuple[list[Path], list[str]]:
    """Copy every ``NN_*.ipynb`` to ``dest`` with the stored output in each marked cell.

    Returns the copies and a list of problems (marked cells without a stored expectation,
    stored expectations without a marked cell). With ``strict=False`` a marked cell without an
    expectation loses its marker in the copy, so nbval still runs the notebook but does not
    compare that cell.

    Raises
    ------
    MissingExpectation
        With ``strict=True`` and any problem: names every notebook and cell id concerned, and
        the command that regenerates the expectations.
    """
    expected = load_expected() if expected is None else expected
    dest.mkdir(parents=True, exist_ok=True)
    problems, copies = [], []
    books = _notebooks(source)
    for book in books:
        nb = nbformat.read(book, as_version=4)
        stored = expected.get(book.name, {})
        ids = []
        for cell in marked_cells(nb):
            ids.append(cell.get("id"))
            if cell.get("id") not in stored:
                problems.append(f"{book.name}: marked cell id={cell.get('id')!r} has no stored expectation")
                cell.source = cell.source.replace(MARKER, "# (nbval: no stored expectation)", 1)
                continue
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored[cell["id"]])]
            cell.execution_count = 1
        for stale in sorted(set(stored) - set(ids)):
            problems.append(f"{book.name}: stored expectation for cell id={stale!r}, but no such marked cell")
        target = dest / book.name
        nbformat.write(nb, target)
        copies.append(target)
    for name in sorted(set(expected) - {b.name for b in books}):
        problems.append(f"{name}: stored expectations for a notebook that does not exist")
    if problems and strict:
        raise MissingExpectation(expectation_message(problems))
    return copies, problems


def expectation_message(problems: list[str]) -> str:
    return (
        f"{EXPECTED_FILE.relative_to(TESTS_DIR.parent)} does not match the marked cells:\n  "
        + "\n  ".join(problems)
        + f"\nRegenerate (executes the notebooks; review the diff) with:\n  {REGENERATE}"
    )


def execute_marked_outputs(book: Path, workdir: Path) -> dict[str, str]:
    """Execute one notebook with papermill (defaults, output folder in ``workdir``) and return
    ``{cell id: stdout}`` of its marked cells."""
    import papermill as pm

    out = workdir / book.name
    params = {"uitvoer_map": str(workdir / "uitvoer")} if "uitvoer_map" in pm.inspect_notebook(str(book)) else {}
    pm.execute_notebook(str(book), str(out), parameters=params, progress_bar=False, cwd=str(book.parent))
    nb = nbformat.read(out, as_version=4)
    result = {}
    for cell in marked_cells(nb):
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.get("name") == "stdout")
        if not text:
            raise RuntimeError(f"{book.name}: marked cell id={cell.get('id')!r} printed nothing to stdout")
        result[cell["id"]] = text
    return result


def regenerate_expected(prefixes: list[str] | None = None, path: Path = EXPECTED_FILE) -> dict[str, dict[str, str]]:
    """Execute the notebooks (all, or those with the given ``NN`` prefixes) and store the
    stdout of their marked cells in ``path``; print what changed."""
    from decentraal import io
    from runs import kernels_offline

    old = load_expected(path)
    new = {k: v for k, v in old.items() if (_notebook_dir() / k).exists()}
    with tempfile.TemporaryDirectory() as tmp:
        with kernels_offline(Path(tmp) / "offline"):
            for book in _notebooks():
                if prefixes and book.name[:2] not in prefixes:
                    continue
                print(f"executing {book.name} ...", flush=True)
                outputs = execute_marked_outputs(book, Path(tmp))
                if outputs:
                    new[book.name] = outputs
                else:
                    new.pop(book.name, None)
    new = dict(sorted(new.items()))
    for name in sorted(set(old) | set(new)):
        for cell_id in sorted(set(old.get(name, {})) | set(new.get(name, {}))):
            before, after = old.get(name, {}).get(cell_id), new.get(name, {}).get(cell_id)
            if before != after:
                print(f"{name} [{cell_id}]: {before!r} -> {after!r}")
    io.write_json(new, path)
    print(f"wrote {path}")
    return new


# ----------------------------------------------------------------------------- tests
pytestmark = pytest.mark.slow


def test_stored_expectation_matches_cbs_figures():
    """The stored key line of notebook 01 equals the independent CBS figures for Haarlem 2024:
    167,636 inhabitants, 111 buurten, 21 wijken."""
    stored = load_expected()["01_gegevens_verkennen.ipynb"]
    assert list(stored.values()) == [CBS_HAARLEM + "\n"]


def test_every_marked_cell_has_an_expectation(tmp_path):
    _copies, problems = prepare_notebooks(tmp_path, strict=False)
    if problems:
        pytest.fail(expectation_message(problems), pytrace=False)


def test_helper_names_cells_without_expectation(tmp_path):
    with pytest.raises(MissingExpectation) as info:
        prepare_notebooks(tmp_path / "copies", expected={})
    message = str(info.value)
    book = nbformat.read(_notebook_dir() / "01_gegevens_verkennen.ipynb", as_version=4)
    cell_id = marked_cells(book)[0]["id"]
    assert f"01_gegevens_verkennen.ipynb: marked cell id={cell_id!r} has no stored expectation" in message
    assert REGENERATE in message


def test_helper_injects_stored_output(tmp_path):
    expected = {"01_gegevens_verkennen.ipynb": {"x": "tekst\n"}}
    source = tmp_path / "src"
    source.mkdir()
    book = nbformat.read(_notebook_dir() / "01_gegevens_verkennen.ipynb", as_version=4)
    cell = marked_cells(book)[0]
    cell["id"] = "x"
    nbformat.write(book, source / "01_gegevens_verkennen.ipynb")
    (copy,), problems = prepare_notebooks(tmp_path / "copies", source=source, expected=expected)
    assert problems == []
    cell = marked_cells(nbformat.read(copy, as_version=4))[0]
    assert cell.outputs == [nbformat.v4.new_output("stream", name="stdout", text="tekst\n")]
    with pytest.raises(MissingExpectation, match=r"stored expectation for cell id='weg'"):
        prepare_notebooks(tmp_path / "copies2", source=source, expected={"01_gegevens_verkennen.ipynb": {"x": "t", "weg": "t"}})


def parameters_cell_defaults(book: Path) -> dict[str, object]:
    """``{name: default}`` of every assignment in the notebook's ``parameters`` cell (via ast)."""
    import ast

    nb = nbformat.read(book, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{book.name}: expected one cell tagged 'parameters', found {len(cells)}"
    out = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out[node.target.id] = ast.literal_eval(node.value)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = ast.literal_eval(node.value)
    return out


@pytest.mark.parametrize("book", [b.name for b in _notebooks()])
def test_papermill_sees_every_parameter(book):
    """papermill silently skips a parameter line it cannot parse (for instance a comment with
    an ``=`` in it); the runner then never passes that parameter to the notebook."""
    import papermill as pm

    path = _notebook_dir() / book
    declared = set(pm.inspect_notebook(str(path)))
    in_cell = parameters_cell_defaults(path)
    invisible = sorted(set(in_cell) - declared)
    assert not invisible, (
        f"{book}: papermill does not see parameter(s) {invisible} of the parameters cell, so "
        "`decentraal run` never sets them. papermill skips lines with more than one '='; remove "
        "'=' from their comments."
    )


@pytest.mark.parametrize("book", [b.name for b in _notebooks()])
def test_notebook_defaults_match_base_yaml(book):
    from decentraal.io.configs import defaults as base_defaults

    base = base_defaults()
    defaults = parameters_cell_defaults(_notebook_dir() / book)
    differ = {
        name: (value, base[name]) for name, value in defaults.items()
        if name in base and value != pytest.approx(base[name]) and value != base[name]
    }
    assert not differ, f"{book}: defaults differ from configs/base.yaml (notebook, base.yaml): {differ}"


def test_every_run_parameter_reaches_a_notebook():
    import papermill as pm

    from decentraal.settings import RunParameters

    declared = set().union(*(pm.inspect_notebook(str(b)) for b in _notebooks()))
    unused = sorted(set(RunParameters.model_fields) - declared)
    assert not unused, f"config parameter(s) {unused} are declared by no notebook, so setting them has no effect"


@pytest.fixture(scope="module")
def nbval_result(tmp_path_factory):
    """Run ``pytest --nbval-lax`` once over copies of every notebook; return (proc, junit xml)."""
    from runs import offline_env

    folder = tmp_path_factory.mktemp("nbval")
    prepare_notebooks(folder, strict=False)  # completeness is test_every_marked_cell_has_an_expectation
    junit = folder / "nbval.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", "-rA", f"--junitxml={junit}", str(folder)],
        cwd=folder, capture_output=True, text=True, timeout=1800,
        env=offline_env(tmp_path_factory.mktemp("offline")),
    )
    return proc, (ET.parse(junit) if junit.exists() else None)


def test_nbval_all_notebooks(nbval_result):
    proc, _ = nbval_result
    assert proc.returncode == 0, f"nbval failed (exit {proc.returncode}):\n{proc.stdout[-20000:]}\n{proc.stderr[-5000:]}"


@pytest.mark.parametrize("book", [b.name for b in _notebooks()])
def test_notebook_runs_standalone_with_defaults(nbval_result, book):
    proc, junit = nbval_result
    assert junit is not None, f"nbval wrote no report:\n{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}"
    cases = [c for c in junit.iter("testcase") if Path(c.get("file") or c.get("classname", "")).name == book
             or book.removesuffix(".ipynb") in (c.get("classname") or "")]
    assert cases, f"nbval did not run {book}:\n{proc.stdout[-5000:]}"
    failed = [c.get("name") for c in cases if c.find("failure") is not None or c.find("error") is not None]
    assert not failed, f"{book}: cells failed under nbval: {failed}\n{proc.stdout[-20000:]}"
    book_nb = nbformat.read(_notebook_dir() / book, as_version=4)
    n_code = sum(1 for c in book_nb.cells if c.cell_type == "code")
    assert len(cases) == n_code, f"{book}: nbval ran {len(cases)} of {n_code} code cells"


if __name__ == "__main__":
    sys.path.insert(0, str(TESTS_DIR))
    if sys.argv[1:2] != ["--regenerate"]:
        sys.exit(f"usage: {REGENERATE} [NN ...]")
    regenerate_expected(sys.argv[2:] or None)
