"""Chapter 01 and the data every chapter reads: raw files -> area layers with indicators.

``build_tables`` ties the method steps together (geography, joins, indicators); the
``data/processed`` cache is written and read through :mod:`decentraal.io.processed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from decentraal.config import LEVELS, PROCESSED_DIR, RAW_DIR
from decentraal.errors import DataError
from decentraal.io import loaders
from decentraal.io import processed as store
from decentraal.io.registry import verified_checksums
from decentraal.methods import geography, indicators
from decentraal.methods import overview as overview_methods
from decentraal.methods.disclosure import FLAG_COLUMN, FLAG_COLUMNS_COLUMN, REASON_COLUMN, select_flags
from decentraal.methods.joins import join_by_code, join_report

if TYPE_CHECKING:
    from decentraal.pipeline.session import Session


def build_tables(raw: loaders.RawData) -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame, pd.DataFrame]:
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
    vintage = geography.vintage_report(raw.kwb, areas, statistics_name=kwb_name)
    _require_complete(vintage, kwb_name)
    _require_totals(raw.kwb, kwb_name)
    reports = [vintage]
    health_buurt = raw.gezondheid.loc[raw.gezondheid["niveau"] == "buurt"]
    reports.append(
        join_report(areas["buurt"], health_buurt, left_name="buurt polygons",
                    right_name=Path(loaders.GEZONDHEID_KEY).name).assign(niveau="buurt")
    )
    reports.append(
        join_report(areas["wijk"], raw.wijken_2022, left_name="wijk polygons",
                    right_name=Path(loaders.WIJKEN_2022_KEY).name).assign(niveau="wijk")
    )
    layers = {}
    for level in LEVELS:
        table = indicators.indicator_table(level, buurt, wijk, raw.stadsdelen)
        joined, rep = join_by_code(areas[level], table, areas_name=f"{level} polygons", table_name=f"indicators ({level})")
        reports.append(rep.assign(niveau=level))
        layers[level] = joined
    report = pd.concat(reports, ignore_index=True)
    return layers, counters, report


def _require_complete(vintage: pd.DataFrame, name: str) -> None:
    """Every buurt and wijk of the boundaries must be in the statistics, and the other way round."""
    if vintage.empty:
        return
    parts = [f"{lv}: {', '.join(g['code'].head(12))}{' ...' if len(g) > 12 else ''} only in {g['aanwezig_in'].iloc[0]}"
             for lv, g in vintage.groupby(["niveau", "aanwezig_in"])]
    raise DataError(
        f"{name} and the boundaries do not hold the same areas ({len(vintage)} code(s)): " + "; ".join(parts)
        + ". A missing area would silently lose its inhabitants and visits; restore the rows (git checkout -- data/raw)"
        " or fetch a complete year (decentraal data fetch)."
    )


def _require_totals(kwb: pd.DataFrame, name: str) -> None:
    """The buurt and wijk sums must reproduce the published municipal total within CBS rounding."""
    problems = []
    for gemeente in sorted(kwb.loc[kwb["niveau"] == "gemeente", "code"]):
        check = overview_methods.total_check(kwb, gemeente)
        for level in ("buurt", "wijk"):
            if abs(check[f"verschil_{level}"]) > check[f"tolerantie_{level}"]:
                problems.append(
                    f"{gemeente}: the {level}en sum to {check[f'som_{level}']:,.0f} inhabitants, the published total is "
                    f"{check['gepubliceerd']:,.0f} (difference {check[f'verschil_{level}']:+,.0f}, CBS rounding allows "
                    f"±{check[f'tolerantie_{level}']:,.0f})"
                )
    if problems:
        raise DataError(f"{name}: " + "; ".join(problems) + ". Rows are missing or changed; use the file as shipped "
                        "(git checkout -- data/raw) or fetched (decentraal data fetch).")


def build_processed(raw_dir: Path = RAW_DIR, out_dir: Path = PROCESSED_DIR) -> dict[str, Path]:
    """Build every processed output from the raw data and write it atomically.

    Returns ``{name: path}`` of the files written.
    """
    inputs = verified_checksums(raw_dir)
    raw = loaders.load_raw(raw_dir)
    layers, counters, report = build_tables(raw)
    return store.write_processed(layers, counters, report, inputs=inputs, out_dir=out_dir)


def ensure_processed(out_dir: Path = PROCESSED_DIR, raw_dir: Path = RAW_DIR) -> Path:
    """Build ``data/processed`` if it is missing or stale; return the folder."""
    if not store.is_current(out_dir, raw_dir):
        build_processed(raw_dir, out_dir)
    return out_dir


def read_layers(out_dir: Path = PROCESSED_DIR, raw_dir: Path = RAW_DIR
                ) -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame, pd.DataFrame]:
    """Read the processed layers, the counters and the join report (build them first if needed).

    A cache that is current by its checksums but cannot be read is rebuilt once; if it still
    cannot be read, the :class:`DataError` names the file and the fix.
    """
    ensure_processed(out_dir, raw_dir)
    try:
        return store.read_processed(out_dir)
    except DataError:
        build_processed(raw_dir, out_dir)
        return store.read_processed(out_dir)


# --------------------------------------------------------------------------- chapter 01
@dataclass(frozen=True)
class OverviewResult:
    """Chapter 01: coverage, join report, the check against the CBS total, inhabitants per area."""

    level: str
    coverage: pd.DataFrame
    join_report: pd.DataFrame
    n_codes: int
    total_check: dict[str, float]
    n_areas: dict[str, int]
    population: pd.DataFrame
    population_layer: gpd.GeoDataFrame


def overview(s: Session) -> OverviewResult:
    """Chapter 01 for the session's municipality; writes its tables and layer (disclosure-checked).

    The population table and layer take inhabitants, households and the share 65+ from
    ``s.published`` (primary and secondary suppression over all levels at once), so no hidden
    count follows from a wijk total minus its buurten, from the share 65+ times the
    inhabitants, nor from combining runs at different levels; rows are sorted on the
    published values, so a hidden row's place does not reveal its size either.
    """
    p = s.params
    coverage = overview_methods.coverage(s.layers).reset_index()
    codes = set().union(*(set(layer["code"]) for layer in s.layers.values()))
    own = s.join_report.loc[s.join_report["code"].isin(codes) | s.join_report["code"].str[2:6].eq(p.gemeente[2:])]
    check = overview_methods.total_check(loaders.load_kwb(), p.gemeente)
    published = select_flags(s.published[p.niveau], ["inwoners", "huishoudens", "aandeel_65plus"])
    flags = published[["code", FLAG_COLUMN, FLAG_COLUMNS_COLUMN, REASON_COLUMN]]
    safe = overview_methods.population_table(published).merge(flags, on="code", how="left")
    layer = s.layers[p.niveau][["code", "naam", "geometry"]].merge(safe[["code", "inwoners"]], on="code")
    s.out.table(coverage, "01_dekking")
    s.out.table(own, "01_koppelrapport")
    s.out.table(safe, f"01_inwoners_{p.niveau}")
    s.out.layer(layer, f"01_inwoners_{p.niveau}")
    n_areas = {lv: len(layer) for lv, layer in s.layers.items()}
    return OverviewResult(p.niveau, coverage, own, len(codes), check, n_areas, safe, layer)
