"""Project hygiene: environment files agree, notebooks are committed clean, data are registered."""

from __future__ import annotations

import json
import re
import tomllib

import yaml

from decentraal import io
from decentraal.config import NOTEBOOKS_DIR, RAW_DIR, ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req, maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_deps = project["dependencies"] + project["optional-dependencies"]["test"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))]
    assert sorted(pip_deps) == sorted(conda), "environment.yml and pyproject.toml list different dependencies"


def test_notebooks_are_committed_without_outputs():
    books = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    assert books
    for book in books:
        nb = json.loads(book.read_text(encoding="utf-8"))
        dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
        assert not dirty, f"{book.name} has outputs in cells {dirty}; clear them (results belong in outputs/)"


def test_each_notebook_has_exactly_one_parameters_cell_with_annotated_literals():
    for book in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(book.read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(cells) == 1, book.name
        for line in "".join(cells[0]["source"]).splitlines():
            # papermill skips a line with a second "=" (e.g. in the comment): the parameter would silently not be set
            assert re.match(r"^\w+: (str|int|float|bool) = [^#=]+  # [^=]+$", line), f"{book.name}: {line!r}"


def test_every_raw_file_is_registered_and_documented():
    registry = io.load_registry()
    files = {str(p.relative_to(RAW_DIR)) for p in RAW_DIR.rglob("*") if p.is_file() and p.name not in ("README.md", "registry.json")}
    assert files == set(registry)
    for key, entry in registry.items():
        readme = (RAW_DIR / key).parent / "README.md"
        assert readme.exists(), key
        assert entry["sha256"] in readme.read_text(encoding="utf-8"), f"{readme} does not state the sha256 of {key}"
        assert io.sha256_file(RAW_DIR / key) == entry["sha256"]


def test_ci_calls_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make report" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
