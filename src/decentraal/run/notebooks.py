"""The notebooks' parameters cells, generated from ``configs/base.yaml``.

Each chapter declares the parameters of its groups (:data:`decentraal.pipeline.CHAPTER_GROUPS`)
as annotated literals with the ``uitleg`` as comment, so ``papermill --help-notebook``
documents them. A test checks every notebook's cell equals :func:`parameters_cell`; after
changing ``base.yaml`` run ``python -m decentraal.run.notebooks`` to rewrite the cells.
"""

from __future__ import annotations

import sys
from pathlib import Path

from decentraal.config import NOTEBOOKS_DIR
from decentraal.io import configs, files
from decentraal.pipeline import CHAPTER_GROUPS
from decentraal.pipeline.session import OUTPUT_PARAMETER

TYPES = {str: "str", bool: "bool", int: "int", float: "float"}


def parameters_cell(chapter: str) -> str:
    """The source of chapter ``chapter``'s parameters cell."""
    lines = []
    for key, entry in configs.base_entries().items():
        if entry["groep"] not in CHAPTER_GROUPS[chapter]:
            continue
        value = entry["waarde"]
        comment = str(entry["uitleg"]).replace("=", "is")  # papermill skips a line with a second "="
        unit = f" [{entry['eenheid']}]" if entry["eenheid"] not in ("-", "") else ""
        lines.append(f"{key}: {TYPES[type(value)]} = {value!r}  # {comment}{unit}")
    lines.append(f'{OUTPUT_PARAMETER}: str = ""  # run folder set by the runner (empty: outputs/_interactief)')
    return "\n".join(lines)


def sync(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Rewrite the parameters cell of every chapter notebook from ``base.yaml``; return those changed."""
    changed = []
    for book in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        nb = files.read_notebook(book)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        new = parameters_cell(book.name[:2])
        if cell.source != new:
            cell.source = new
            files.write_notebook(nb, book)
            changed.append(book)
    return changed


if __name__ == "__main__":
    for path in sync():
        print(f"rewrote the parameters cell of {path}")
    sys.exit(0)
