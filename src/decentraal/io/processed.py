"""The ``data/processed/`` cache: write it atomically, tell whether it is current, read it.

What is in it is computed by :func:`decentraal.pipeline.data.build_tables`; this module only
stores and reads it:

* ``gebieden.gpkg`` -- layers ``buurt``, ``wijk``, ``stadsdeel``, ``gemeente`` (areas with counts
  and indicators) and ``loketten`` (existing counters);
* ``indicatoren_<niveau>.parquet`` -- the same tables without geometry;
* ``koppelrapport.csv`` -- every code found on one side of a join only (the join report);
* a ``.json`` sidecar next to each file with input checksums and code version.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from decentraal.config import LEVELS, PROCESSED_DIR, RAW_DIR
from decentraal.errors import DataError
from decentraal.io import files
from decentraal.io.registry import verified_checksums

LAYER_FILE = "gebieden.gpkg"
REPORT_FILE = "koppelrapport.csv"


def write_processed(layers: dict[str, gpd.GeoDataFrame], counters: gpd.GeoDataFrame, report: pd.DataFrame, *,
                    inputs: dict[str, str], out_dir: Path = PROCESSED_DIR) -> dict[str, Path]:
    """Write every processed output atomically; return ``{name: path}``."""
    written = {}
    written["gebieden"] = files.write_layers({**layers, "loketten": counters}, out_dir / LAYER_FILE, inputs=inputs)
    for level, layer in layers.items():
        table = pd.DataFrame(layer.drop(columns="geometry"))
        written[f"indicatoren_{level}"] = files.write_table(table, out_dir / f"indicatoren_{level}.parquet", inputs=inputs)
    written["koppelrapport"] = files.write_table(report, out_dir / REPORT_FILE, inputs=inputs)
    return written


def is_current(out_dir: Path = PROCESSED_DIR, raw_dir: Path = RAW_DIR) -> bool:
    """True when the processed files exist and were built from the raw bytes on disk and these sources.

    The real sha256 of every raw file must equal the registry (else :class:`DataError`, from
    :func:`~decentraal.io.registry.verified_checksums`) and what the cache was built from, as
    recorded in its sidecar, together with a hash of the package's Python files (``git describe
    --dirty`` would not notice a second edit to an already dirty tree). A missing or unreadable
    sidecar means "not current".
    """
    actual = verified_checksums(raw_dir)
    side = out_dir / (LAYER_FILE + ".json")
    if not all(p.exists() for p in (side, out_dir / LAYER_FILE, out_dir / REPORT_FILE)):
        return False
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("inputs") == actual and meta.get("source_sha256") == files.source_fingerprint()


def read_processed(out_dir: Path = PROCESSED_DIR) -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame, pd.DataFrame]:
    """The processed layers, the counters and the join report (call only when :func:`is_current`).

    Raises
    ------
    DataError
        If a processed file cannot be read (e.g. a damaged GeoPackage), naming it and the fix.
    """
    path = out_dir / LAYER_FILE
    try:
        layers = {level: files.read_processed_layer(path, level) for level in LEVELS}
        counters = files.read_processed_layer(path, "loketten")
        report = files.read_table(out_dir / REPORT_FILE)
    except Exception as exc:  # GDAL/SQLite/pandas raise many kinds for a damaged file
        raise DataError(
            f"processed data in {out_dir} cannot be read ({type(exc).__name__}: {exc}); "
            f"delete the folder's files (`make clean`) and rebuild them with `make data`"
        ) from exc
    return layers, counters, report
