"""``kerncijfers.json``: the run's one machine-readable summary, merged from the chapters.

Each chapter writes its part to ``kerncijfers/<chapter>.json`` in the run folder (see
:meth:`decentraal.io.outputs.RunOutputs.summary`); the runner merges the parts, adds the run id,
validates the result against ``schemas_json/kerncijfers.schema.json`` (JSON Schema, with
:mod:`jsonschema`) plus the rules JSON Schema cannot say (p10 <= p50 <= p90), and writes
``kerncijfers.json`` at the top of the run folder. The committee front page is built from it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from decentraal.config import PACKAGE_DIR
from decentraal.errors import DataError
from decentraal.io import files

SCHEMA_FILE = PACKAGE_DIR / "io" / "schemas_json" / "kerncijfers.schema.json"
SCHEMA_VERSION = 1
PARTS_DIR = "kerncijfers"


def schema() -> dict[str, Any]:
    """The JSON Schema of ``kerncijfers.json``."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _intervals(obj: Any, path: str = "") -> list[str]:
    """Every interval object that is not ordered p10 <= p50 <= p90 (or holds a NaN)."""
    problems = []
    if isinstance(obj, dict):
        if set(obj) == {"p10", "p50", "p90"}:
            values = [obj["p10"], obj["p50"], obj["p90"]]
            if any(isinstance(v, float) and math.isnan(v) for v in values) or not values[0] <= values[1] <= values[2]:
                problems.append(f"{path or '/'}: {values} is not ordered p10 <= p50 <= p90")
        for key, value in obj.items():
            problems += _intervals(value, f"{path}/{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            problems += _intervals(value, f"{path}/{i}")
    return problems


def validate(summary: dict[str, Any]) -> dict[str, Any]:
    """Raise :class:`DataError` listing every way ``summary`` breaks the schema; return it unchanged."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '/'}: {e.message}" for e in validator.iter_errors(summary)]
    problems += _intervals(summary)
    if problems:
        raise DataError("kerncijfers.json does not match its schema (src/decentraal/io/schemas_json/): "
                        + "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else ""))
    return summary


def merge(run_dir: Path, run_id: str) -> dict[str, Any] | None:
    """Merge the chapters' parts into one summary (None when no chapter wrote one, e.g. ``--only 01``)."""
    parts = sorted((Path(run_dir) / PARTS_DIR).glob("*.json"))
    if not parts:
        return None
    summary: dict[str, Any] = {"schema_versie": SCHEMA_VERSION, "run_id": run_id}
    for part in parts:
        for key, value in json.loads(part.read_text(encoding="utf-8")).items():
            if key in summary and summary[key] != value:
                raise DataError(f"kerncijfers: {part.name} sets {key!r} to {value!r}, another chapter to {summary[key]!r}")
            summary[key] = value
    return summary


def write(run_dir: Path, run_id: str, *, required: bool) -> dict[str, Any] | None:
    """Merge, validate and write ``kerncijfers.json``; a partial run (``required=False``) may have none."""
    summary = merge(run_dir, run_id)
    if summary is None:
        if required:
            raise DataError(f"no chapter wrote its part of kerncijfers.json in {Path(run_dir) / PARTS_DIR}")
        return None
    missing = [k for k in schema()["required"] if k not in summary]
    if missing and not required:
        return None  # a subset of notebooks: the summary would be incomplete, so none is written
    validate(summary)
    files.write_json(summary, Path(run_dir) / "kerncijfers.json")
    return summary
