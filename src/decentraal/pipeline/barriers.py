"""Chapter 02: barrier indicators, composite index, rank stability and hot spots.

:func:`barriers` computes the whole chapter once for a :class:`~decentraal.pipeline.session.Session`
and writes its tables and layer through the session's output writer (disclosure-checked):

* ``02_indicatoren_definities``: the indicator definitions;
* ``02_indicatoren_<level>``: the indicators per area after disclosure control;
* ``02_vergelijking_gemiddelde_<level>``: every area and indicator against the municipal value;
* ``02_index_<level>``: index, rank and rank stability, for every ranked level;
* layer ``02_index_<level>``: the index of the shown level, for QGIS;
* ``02_moran`` and ``02_lisa_buurt``: global and local spatial clustering of the buurt indicators.

The figures are drawn by :mod:`decentraal.report.barriers` and saved by the notebook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from decentraal.methods import barriers as barrier_methods
from decentraal.methods import hotspots as hotspot_methods
from decentraal.methods import indicators

if TYPE_CHECKING:
    from decentraal.pipeline.session import Session

#: Areas are flagged in the comparison when they differ more than this many SDs from the municipality.
COMPARE_K = 1.0
#: Spatial weights of the hot-spot analysis: neighbours share a boundary or a corner.
WEIGHTS_KIND = "queen"
#: A buurt indicator enters the hot-spot analysis when at least this many buurten have a value.
MIN_HOTSPOT_VALUES = 8
#: The levels ranked besides the shown level (when the municipality has them).
RANKED_LEVELS = ("wijk", "stadsdeel")


@dataclass(frozen=True)
class Ranking:
    """The composite barrier index of one level.

    Attributes
    ----------
    level
        ``buurt``, ``wijk`` or ``stadsdeel``.
    table
        One row per area, highest index first (areas without index last): ``code``,
        ``index``, ``weight_share_available``, ``missing_indicators`` (Dutch), ``rank``, the
        stability columns of :func:`decentraal.methods.barriers.rank_stability` (``p_top_n``,
        ``p_top_quartile``, ``rank_median``, ``rank_p05``, ``rank_p95``, ``loo_rank_min``,
        ``loo_rank_max``), ``naam`` and ``inwoners``.
    weights
        The indicator weights that entered the index at this level.
    left_out
        The indicators left out at this level, with the reason (columns ``indicator``, ``reden``).
    """

    level: str
    table: pd.DataFrame
    weights: dict[str, float]
    left_out: pd.DataFrame


@dataclass(frozen=True)
class Hotspots:
    """Moran's I and LISA clusters of the buurt indicators.

    Attributes
    ----------
    keys
        The indicator keys analysed (buurt indicators with enough values).
    moran
        One row per indicator: ``indicator`` (Dutch), ``I``, ``EI``, ``p_sim``, ``n``, ``zonder waarde``.
    lisa
        One row per indicator and buurt: ``indicator`` (Dutch), ``code``, ``Is``, ``quadrant``,
        ``p_sim``, ``significant``.
    buurten
        The buurt polygons (index ``code``) in the order of the analysis, for the LISA map.
    """

    keys: tuple[str, ...]
    moran: pd.DataFrame
    lisa: pd.DataFrame
    buurten: gpd.GeoDataFrame


@dataclass(frozen=True)
class BarrierResult:
    """Chapter 02: everything the committee page shows, computed once.

    Attributes
    ----------
    level
        The level shown and ranked first (``wijk`` when ``niveau`` is ``gemeente``: one area
        cannot be ranked).
    levels
        Every ranked level, ``level`` first.
    definitions
        The indicator definitions (:func:`decentraal.methods.indicators.indicator_metadata`).
    indicators
        The indicators per area at ``level`` after disclosure control.
    indicator_layer
        ``indicators`` with the area polygons, for the indicator maps.
    map_keys
        The indicators with a value for at least one area at ``level`` (one map each).
    comparison
        Every area and indicator against the municipal value (:func:`decentraal.methods.barriers.compare_to_mean`),
        indicator names in Dutch, with the area name in ``naam``.
    rankings
        The composite index per ranked level.
    index_layer
        The index of ``level`` with the area polygons.
    hotspots
        Moran's I and LISA at buurt level.
    """

    level: str
    levels: tuple[str, ...]
    definitions: pd.DataFrame
    indicators: pd.DataFrame
    indicator_layer: gpd.GeoDataFrame
    map_keys: tuple[str, ...]
    comparison: pd.DataFrame
    rankings: Mapping[str, Ranking]
    index_layer: gpd.GeoDataFrame
    hotspots: Hotspots

    @property
    def ranking(self) -> Ranking:
        """The ranking of the shown level."""
        return self.rankings[self.level]


def shown_level(niveau: str) -> str:
    """The level ranked and shown for parameter ``niveau``: one gemeente cannot be ranked, so wijken."""
    return "wijk" if niveau == "gemeente" else niveau


def ranked_levels(level: str, available: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``level`` first, then wijk and stadsdeel, each only if the municipality has it (never gemeente)."""
    return tuple(lv for lv in dict.fromkeys([level, *RANKED_LEVELS]) if lv in available and lv != "gemeente")


def _names() -> dict[str, str]:
    return {i.key: i.label_nl for i in indicators.INDICATORS}


def comparison(tables: Mapping[str, pd.DataFrame], level: str, *, k: float = COMPARE_K) -> pd.DataFrame:
    """Per area and indicator at ``level``: the value against the municipal value (counts-based).

    Indicators without any value at ``level`` are left out; the municipal value is the
    indicator of the ``gemeente`` level where it exists.
    """
    keys = [i.key for i in indicators.INDICATORS]
    reference = tables["gemeente"].set_index("code").iloc[0][keys]
    values = tables[level].set_index("code")[keys].dropna(axis=1, how="all")
    result = barrier_methods.compare_to_mean(values, reference=reference.reindex(values.columns).dropna(), k=k)
    result["naam"] = result["area"].map(tables[level].set_index("code")["naam"])
    result["indicator"] = result["indicator"].map(_names())
    return result


def ranking(table: pd.DataFrame, level: str, weights: Mapping[str, float], *, n_draws: int, concentration: float,
            seed: int, top_n: int, min_share: float) -> Ranking:
    """The composite index of one level with its rank stability (``table`` after disclosure control)."""
    z, index, used, left_out = indicators.barrier_index(table, dict(weights), min_share=min_share)
    stability = barrier_methods.rank_stability(z, used, n_draws=n_draws, concentration=concentration, seed=seed,
                                               top_n=top_n, min_share=min_share)
    joined = index.join(stability.drop(columns=["rank"])).join(table.set_index("code")[["naam", "inwoners"]])
    ordered = joined.reset_index(names="code").sort_values(["rank", "naam"], na_position="last")
    return Ranking(level, ordered, used, left_out)


def index_layer(areas: gpd.GeoDataFrame, r: Ranking) -> gpd.GeoDataFrame:
    """The index table of one level with the area polygons (``missing_indicators`` kept)."""
    return areas[["code", "geometry"]].merge(r.table, on="code")


def layer_for_export(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The index layer as written for QGIS: ``missing_indicators`` becomes ``ontbrekend`` (last column)."""
    return layer.drop(columns=["missing_indicators"]).assign(ontbrekend=layer["missing_indicators"])


def hotspots(areas: gpd.GeoDataFrame, table: pd.DataFrame, *, permutations: int, seed: int, alpha: float) -> Hotspots:
    """Moran's I and LISA (queen contiguity) of every buurt indicator with enough values.

    ``areas`` are the buurt polygons, ``table`` the buurt indicators after disclosure control.
    """
    names = _names()
    buurten = areas[["code", "geometry"]].merge(table, on="code").set_index("code")
    keys = tuple(i.key for i in indicators.INDICATORS
                 if i.finest_level == "buurt" and buurten[i.key].notna().sum() >= MIN_HOTSPOT_VALUES)
    w = hotspot_methods.spatial_weights(buurten, kind=WEIGHTS_KIND)
    rows, local = [], {}
    for key in keys:
        m = hotspot_methods.morans_i(buurten[key], w, permutations=permutations, seed=seed)
        rows.append({"indicator": names[key], "I": m["I"], "EI": m["EI"], "p_sim": m["p_sim"], "n": m["n"],
                     "zonder waarde": m["n_dropped"]})
        local[names[key]] = hotspot_methods.lisa(buurten[key], w, permutations=permutations, seed=seed, alpha=alpha)
    moran = pd.DataFrame(rows, columns=["indicator", "I", "EI", "p_sim", "n", "zonder waarde"])
    if local:
        lisa = pd.concat(local, names=["indicator", "code"]).reset_index()
    else:
        lisa = pd.DataFrame(columns=["indicator", "code", "Is", "quadrant", "p_sim", "significant"])
    return Hotspots(keys, moran, lisa, buurten[["geometry"]])


def barriers(s: Session) -> BarrierResult:
    """Chapter 02 for the session's municipality; writes its tables and layer (disclosure-checked).

    Parameters
    ----------
    s
        The session (:func:`decentraal.pipeline.start`); uses ``niveau``, the ``gewicht_*``
        weights, ``stabiliteit_trekkingen``, ``stabiliteit_concentratie``, ``seed``, ``top_n``,
        ``min_gewicht_aandeel``, ``lisa_permutaties`` and ``lisa_alpha``.

    Returns
    -------
    BarrierResult
    """
    p = s.params
    level = shown_level(p.niveau)
    levels = ranked_levels(level, list(s.layers))
    definitions = indicators.indicator_metadata()
    table = s.tables[level]
    layer = s.layers[level][["code", "geometry"]].merge(table, on="code")
    map_keys = tuple(k for k in (i.key for i in indicators.INDICATORS) if table[k].notna().any())
    compared = comparison(s.tables, level)
    rankings = {
        lv: ranking(s.tables[lv], lv, p.weights(), n_draws=p.stabiliteit_trekkingen,
                    concentration=p.stabiliteit_concentratie, seed=p.seed, top_n=p.top_n,
                    min_share=p.min_gewicht_aandeel)
        for lv in levels
    }
    shown = index_layer(s.layers[level], rankings[level])
    spots = hotspots(s.layers["buurt"], s.tables["buurt"], permutations=p.lisa_permutaties, seed=p.seed,
                     alpha=p.lisa_alpha)

    s.out.table(definitions, "02_indicatoren_definities")
    s.out.table(table.drop(columns=["onderdrukt_kolommen"]), f"02_indicatoren_{level}")
    s.out.table(compared, f"02_vergelijking_gemiddelde_{level}")
    for lv, r in rankings.items():
        s.out.table(r.table, f"02_index_{lv}")
    s.out.layer(layer_for_export(shown), f"02_index_{level}")
    s.out.table(spots.moran, "02_moran")
    s.out.table(spots.lisa, "02_lisa_buurt")
    return BarrierResult(level, levels, definitions, table, layer, map_keys, compared, rankings, shown, spots)
