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
from decentraal.io import files
from decentraal.io.registry import raw_checksums

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
    """True when the processed layers exist and were built from the current raw data and sources.

    Compares the raw checksums and a hash of the package's Python files recorded in the sidecar
    (``git describe --dirty`` would not notice a second edit to an already dirty tree).
    """
    side = out_dir / (LAYER_FILE + ".json")
    if not side.exists() or not (out_dir / LAYER_FILE).exists() or not (out_dir / REPORT_FILE).exists():
        return False
    meta = json.loads(side.read_text(encoding="utf-8"))
    return meta.get("inputs") == raw_checksums(raw_dir=raw_dir) and meta.get("source_sha256") == files.source_fingerprint()


def read_processed(out_dir: Path = PROCESSED_DIR) -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame, pd.DataFrame]:
    """The processed layers, the counters and the join report (call only when :func:`is_current`)."""
    path = out_dir / LAYER_FILE
    layers = {level: files.read_processed_layer(path, level) for level in LEVELS}
    counters = files.read_processed_layer(path, "loketten")
    report = files.read_table(out_dir / REPORT_FILE)
    return layers, counters, report
