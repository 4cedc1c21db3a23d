"""Build and read ``data/processed/``: area layers with indicators, join and vintage reports.

``build_processed`` loads every raw file (checksums verified), builds the area layers, joins
the statistics by code, computes the indicators per level and writes:

* ``gebieden.gpkg`` -- layers ``buurt``, ``wijk``, ``stadsdeel``, ``gemeente`` (areas with counts
  and indicators) and ``loketten`` (existing counters);
* ``indicatoren_<niveau>.parquet`` -- the same tables without geometry;
* ``koppelrapport.csv`` -- every code found on one side of a join only (the join report);
* a ``.json`` sidecar next to each file with input checksums and code version.

All files are written atomically; a failure leaves earlier outputs untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import geography, indicators, io, loaders
from .config import LEVELS, PROCESSED_DIR, RAW_DIR
from .joins import join_by_code, join_report

LAYER_FILE = "gebieden.gpkg"
REPORT_FILE = "koppelrapport.csv"


@dataclass(frozen=True)
class RawData:
    """Every raw input, loaded and validated."""

    kwb: pd.DataFrame
    gezondheid: pd.DataFrame
    buurten: gpd.GeoDataFrame
    wijken_2024: gpd.GeoDataFrame
    wijken_2022: pd.DataFrame
    stadsdelen: pd.DataFrame
    loketten: pd.DataFrame


def load_raw(raw_dir: Path = RAW_DIR) -> RawData:
    """Load and validate all shipped raw files (see :mod:`decentraal.loaders`)."""
    return RawData(
        kwb=loaders.load_kwb(raw_dir),
        gezondheid=loaders.load_gezondheid(raw_dir),
        buurten=loaders.load_buurt_boundaries(raw_dir),
        wijken_2024=loaders.load_wijken_2024(raw_dir),
        wijken_2022=loaders.load_wijken_2022(raw_dir),
        stadsdelen=loaders.load_stadsdelen(raw_dir),
        loketten=loaders.load_loketten(raw_dir),
    )


def build_tables(raw: RawData) -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame, pd.DataFrame]:
    """Area layers with indicators per level, the counter points, and the join report.

    Returns
    -------
    (layers, counters, report)
        ``layers[level]`` holds area columns, counts and indicators; ``report`` lists every
        code that is present in one input only (file, code, name), including the vintage
        comparison of KWB 2024 codes with the 2019 buurt and 2024 wijk polygons.
    """
    areas = geography.build_area_layers(raw.buurten, raw.wijken_2024, raw.stadsdelen)
    counters = geography.locate_counters(raw.loketten, areas)
    distance = geography.nearest_counter_km(areas["buurt"], counters)
    buurt = indicators.buurt_base(raw.kwb, raw.gezondheid, areas["buurt"], distance)
    wijk = indicators.wijk_base(raw.kwb, raw.wijken_2024, raw.wijken_2022)

    kwb_name = Path(loaders.KWB_KEY).name
    reports = [geography.vintage_report(raw.kwb, areas, statistics_name=kwb_name)]
    health_buurt = raw.gezondheid.loc[raw.gezondheid["niveau"] == "buurt"]
    reports.append(
        join_report(areas["buurt"], health_buurt, left_name="buurt polygons", right_name=Path(loaders.GEZONDHEID_KEY).name).assign(niveau="buurt")
    )
    reports.append(
        join_report(areas["wijk"], raw.wijken_2022, left_name="wijk polygons", right_name=Path(loaders.WIJKEN_2022_KEY).name).assign(niveau="wijk")
    )
    layers = {}
    for level in LEVELS:
        table = indicators.indicator_table(level, buurt, wijk, raw.stadsdelen)
        joined, rep = join_by_code(areas[level], table, areas_name=f"{level} polygons", table_name=f"indicators ({level})")
        reports.append(rep.assign(niveau=level))
        layers[level] = joined
    report = pd.concat(reports, ignore_index=True)
    return layers, counters, report


def build_processed(raw_dir: Path = RAW_DIR, out_dir: Path = PROCESSED_DIR) -> dict[str, Path]:
    """Build every processed output from the raw data and write it atomically.

    Returns ``{name: path}`` of the files written.
    """
    raw = load_raw(raw_dir)
    layers, counters, report = build_tables(raw)
    inputs = io.raw_checksums(raw_dir=raw_dir)
    written = {}
    written["gebieden"] = io.write_layers({**layers, "loketten": counters}, out_dir / LAYER_FILE, inputs=inputs)
    for level, layer in layers.items():
        table = pd.DataFrame(layer.drop(columns="geometry"))
        written[f"indicatoren_{level}"] = io.write_table(table, out_dir / f"indicatoren_{level}.parquet", inputs=inputs)
    written["koppelrapport"] = io.write_table(report, out_dir / REPORT_FILE, inputs=inputs)
    return written


def is_current(out_dir: Path = PROCESSED_DIR, raw_dir: Path = RAW_DIR) -> bool:
    """True when the processed layers exist and were built from the current raw data and sources.

    Compares the raw checksums and a hash of the package's Python files recorded in the sidecar
    (``git describe --dirty`` would not notice a second edit to an already dirty tree).
    """
    side = out_dir / (LAYER_FILE + ".json")
    if not side.exists() or not (out_dir / LAYER_FILE).exists() or not (out_dir / REPORT_FILE).exists():
        return False
    import json

    meta = json.loads(side.read_text(encoding="utf-8"))
    return meta.get("inputs") == io.raw_checksums(raw_dir=raw_dir) and meta.get("source_sha256") == io.source_fingerprint()


def ensure_processed(out_dir: Path = PROCESSED_DIR, raw_dir: Path = RAW_DIR) -> Path:
    """Build ``data/processed`` if it is missing or stale; return the folder."""
    if not is_current(out_dir, raw_dir):
        build_processed(raw_dir, out_dir)
    return out_dir


def read_layers(out_dir: Path = PROCESSED_DIR) -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame, pd.DataFrame]:
    """Read the processed layers, the counters and the join report (build them first if needed)."""
    ensure_processed(out_dir)
    path = out_dir / LAYER_FILE
    layers = {level: io.read_processed_layer(path, level) for level in LEVELS}
    counters = io.read_processed_layer(path, "loketten")
    report = io.read_table(out_dir / REPORT_FILE)
    return layers, counters, report
