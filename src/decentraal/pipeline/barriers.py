"""Chapter 02: barrier indicators, composite index, rank stability and hot spots.

:func:`barriers` computes the whole chapter once for a :class:`~decentraal.pipeline.session.Session`
and writes its tables and layer through the session's output writer (disclosure-checked):

* ``02_indicatoren_definities``: the indicator definitions;
* ``02_indicatoren_<level>``: the indicators per area after disclosure control;
* ``02_vergelijking_gemiddelde_<level>``: every area and indicator against the municipal value;
* ``02_index_<level>``: index, rank and rank stability, for every ranked level;
* ``02_robuustheid_<level>``: agreement of the ranking under other weights, data, normalisation
  and aggregation with the ranking shown, for every ranked level;
* ``02_correlatie_<level>`` and ``02_pca_<level>``: how far the indicators overlap (shown level);
* layer ``02_index_<level>``: the index of the shown level, for QGIS;
* ``02_moran`` and ``02_lisa_buurt``: global and local spatial clustering of the buurt indicators.

The figures are drawn by :mod:`decentraal.report.barriers` and saved by the notebook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from decentraal.methods import barriers as barrier_methods
from decentraal.methods import diagnostics as diagnostic_methods
from decentraal.methods import hotspots as hotspot_methods
from decentraal.methods import indicators
from decentraal.settings import SPARSE_AREA_RESIDENTS

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
#: Buurt indicators never tested for clustering: the distance to one or two counters is a smooth
#: function of location by construction, so Moran's I is high whatever the data (see the report).
NOT_CLUSTER_TESTED = ("afstand_loket_km",)
#: Shares tested as empirical-Bayes standardised rates: indicator -> (event count, base count).
#: The health share is a model estimate without counts and is tested as published.
RATE_COUNTS = {"aandeel_65plus": ("inwoners_65plus", "inwoners")}
#: Dimensions of the index when ``index_dimensies`` is true (each the mean of its members' z-scores,
#: weighted by the mean of its members' weights, so each dimension counts once with equal weights).
DIMENSIONS = {
    "sociaal-economisch": ("inkomen_per_inwoner", "aandeel_herkomst_buiten_europa", "aandeel_goede_gezondheid"),
    "leeftijd en huishouden": ("aandeel_65plus", "aandeel_eenpersoonshuishoudens"),
    "mobiliteit": ("autos_per_huishouden", "afstand_loket_km"),
}
#: Principal components are computed when at least this many areas, and more areas than indicators, have
#: every indicator (with fewer the components only reflect the few areas).
MIN_PCA_AREAS = 3
#: The indicator redrawn with ``gezondheid_onzekerheid_pp`` in the stability analysis.
HEALTH_KEY = "aandeel_goede_gezondheid"
#: Half-width of a normal 95% interval in standard deviations.
Z_95 = 1.959963984540054
#: Rows of the robustness table (check key -> Dutch label).
CHECKS = {
    "gewichten": "gewichten (Dirichlet-trekkingen)",
    "gegevens": "gegevens (gezondheid opnieuw getrokken)",
    "normalisatie": "normalisatie (percentielrang i.p.v. z-score)",
    "aggregatie": "aggregatie (de andere keuze voor index_dimensies)",
    "dimensies_gelijk": "elke dimensie telt één keer (gemiddeld gewicht per dimensie)",
}


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
        ``loo_rank_max``; over the weights of the dimensions when ``dimensions`` is true), the
        robustness columns ``p_top_n_data``, ``data_rank_p05``, ``data_rank_p95`` (health
        estimates redrawn; NaN when not applicable), ``rank_percentile`` (index from percentile
        ranks), ``rank_alternative`` (the other aggregation) and ``rank_dimensions_equal`` (every
        dimension weighted once: mean instead of sum of its members' weights), ``naam`` and ``inwoners``.
    weights
        The indicator weights that entered the index at this level.
    left_out
        The indicators left out at this level, with the reason (columns ``indicator``, ``reden``).
    dimensions
        Whether the index is the weighted mean of dimensions (``index_dimensies``).
    dimension_weights
        Dimension -> weight (sum of its members' normalised weights), whichever index is shown.
    robustness
        One row per check of :data:`CHECKS` that applies: ``check`` (key), ``toets`` (Dutch),
        and :func:`decentraal.methods.diagnostics.rank_agreement` (``n_variants``,
        ``spearman_median``, ``spearman_p05``, ``top_n_overlap``, ``same_first``).
    """

    level: str
    table: pd.DataFrame
    weights: dict[str, float]
    left_out: pd.DataFrame
    dimensions: bool = False
    dimension_weights: dict[str, float] = field(default_factory=dict)
    robustness: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class Hotspots:
    """Moran's I and LISA clusters of the buurt indicators.

    Attributes
    ----------
    keys
        The indicator keys analysed (buurt indicators with enough values, except
        :data:`NOT_CLUSTER_TESTED`).
    moran
        One row per indicator: ``indicator`` (Dutch), ``toets`` (``EB-aandeel`` for a share
        tested as empirical-Bayes standardised rate, ``waarde`` for a value tested as
        published), ``I``, ``EI``, ``p_sim``, ``n``, ``zonder waarde``, and the LISA counts
        ``lisa_zonder_correctie`` (buurten with ``p_sim < alpha``), ``lisa_fdr`` (buurten below
        the Benjamini-Hochberg cut-off) and ``p_grens_fdr`` (that cut-off).
    lisa
        One row per indicator and buurt: ``indicator`` (Dutch), ``code``, ``Is``, ``quadrant``,
        ``p_sim``, ``significant`` (after FDR control when ``fdr``), ``significant_zonder_correctie``.
    buurten
        The buurt polygons (index ``code``) in the order of the analysis, for the LISA map.
    not_tested
        Buurt indicators with enough values that are deliberately not tested (:data:`NOT_CLUSTER_TESTED`).
    alpha
        Significance level (the false discovery rate when ``fdr``).
    fdr
        Whether the LISA map shows the buurten significant after FDR control (``lisa_fdr``).
    """

    keys: tuple[str, ...]
    moran: pd.DataFrame
    lisa: pd.DataFrame
    buurten: gpd.GeoDataFrame
    not_tested: tuple[str, ...] = ()
    alpha: float = 0.05
    fdr: bool = True


@dataclass(frozen=True)
class Diagnostics:
    """How far the indicators of the shown level overlap.

    Attributes
    ----------
    correlation
        Pearson correlations of the direction-corrected z-scores (keys in rows and columns), so a
        positive value means two indicators point to barriers in the same areas.
    pca
        Principal components of the same z-scores (:func:`decentraal.methods.diagnostics.principal_components`),
        or ``None`` when too few areas have every indicator (:data:`MIN_PCA_AREAS`; e.g. the wijken of
        Zandvoort, or the five stadsdelen of Haarlem against seven indicators).
    n_complete
        Areas with every indicator.
    """

    correlation: pd.DataFrame
    pca: diagnostic_methods.PCA | None
    n_complete: int


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
    diagnostics
        Correlation and principal components of the indicators at ``level``.
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
    diagnostics: Diagnostics

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


def _directions(keys: Mapping[str, float] | list[str]) -> dict[str, str]:
    return {k: indicators.INDICATOR_BY_KEY[k].direction for k in keys}


def _index_rank(scores: pd.DataFrame, weights: Mapping[str, float], *, dimensions: bool, min_share: float,
                weighting: str = "mean") -> pd.Series:
    """Rank of the composite index of ``scores`` (z-scores or percentile ranks), optionally via dimensions."""
    if dimensions:
        scores, weights = barrier_methods.dimension_scores(scores, weights, DIMENSIONS, weighting=weighting)
    return barrier_methods.composite_index(scores, weights, min_share=min_share)["rank"]


def ranking(table: pd.DataFrame, level: str, weights: Mapping[str, float], *, n_draws: int, concentration: float,
            seed: int, top_n: int, min_share: float, dimensions: bool = False,
            health_halfwidth: float = 0.0) -> Ranking:
    """The composite index of one level with its rank stability and robustness (``table`` after disclosure control).

    The index is the weighted mean of the indicators' z-scores, or with ``dimensions`` the
    weighted mean of the :data:`DIMENSIONS`. The weight draws of the stability analysis vary
    the weights of whatever is averaged (indicators or dimensions). The robustness checks
    redraw the health estimates (normal errors with a 95% half-width of ``health_halfwidth``
    percentage points, independent per area), replace z-scores by percentile ranks, switch the
    aggregation, and weight every dimension once; each is compared with the ranking shown.

    With equal indicator weights and every indicator known the dimension index equals the
    indicator index (a dimension's weight is the sum of its members' weights, see
    :func:`decentraal.methods.barriers.dimension_scores`); ``rank_dimensions_equal`` is the
    ranking in which correlated indicators no longer count one dimension several times.
    """
    bi = indicators.barrier_index(table, dict(weights), min_share=min_share)
    z, index, used, left_out = bi.z, bi.index, bi.weights, bi.left_out
    scores, score_weights = z, used
    dim_scores, dim_weights = barrier_methods.dimension_scores(z, used, DIMENSIONS, weighting="mean")
    if dimensions:
        scores, score_weights = dim_scores, dim_weights
        by_dimension = barrier_methods.composite_index(scores, score_weights, min_share=min_share)
        index = index.assign(**{c: by_dimension[c] for c in ("index", "rank", "weight_share_available")})
    stability = barrier_methods.rank_stability(scores, score_weights, n_draws=n_draws, concentration=concentration,
                                               seed=seed, top_n=top_n, min_share=min_share)
    baseline = index["rank"].to_numpy()
    values = indicators.index_input(table, dict(weights)).values
    checks: dict[str, np.ndarray] = {
        "gewichten": barrier_methods.weight_draw_ranks(scores, score_weights, n_draws=n_draws,
                                                       concentration=concentration, seed=seed, min_share=min_share),
    }
    data = pd.DataFrame(np.nan, index=z.index, columns=["p_top_n_data", "data_rank_p05", "data_rank_p95"])
    if HEALTH_KEY in used and health_halfwidth > 0:
        checks["gegevens"] = barrier_methods.perturbed_ranks(
            values, _directions(used), used, {HEALTH_KEY: health_halfwidth / Z_95}, n_draws=n_draws, seed=seed,
            dimensions=DIMENSIONS if dimensions else None, min_share=min_share)
        summary = diagnostic_methods.rank_summary(checks["gegevens"], top_n=top_n)
        data[:] = summary[["p_top_n", "rank_p05", "rank_p95"]].to_numpy()
    percentiles = barrier_methods.percentile_normalise(values, _directions(used))
    extra = data.assign(
        rank_percentile=_index_rank(percentiles, used, dimensions=dimensions, min_share=min_share),
        rank_alternative=_index_rank(z, used, dimensions=not dimensions, min_share=min_share),
        rank_dimensions_equal=_index_rank(z, used, dimensions=True, min_share=min_share, weighting="mean"),
    )
    checks["normalisatie"] = extra["rank_percentile"].to_numpy()
    checks["aggregatie"] = extra["rank_alternative"].to_numpy()
    checks["dimensies_gelijk"] = extra["rank_dimensions_equal"].to_numpy()
    robustness = pd.DataFrame([
        {"check": key, "toets": CHECKS[key], **diagnostic_methods.rank_agreement(baseline, ranks, top_n=top_n)}
        for key, ranks in checks.items()
    ])
    joined = (index.join(stability.drop(columns=["rank"])).join(extra)
              .join(table.set_index("code")[["naam", "inwoners"]]))
    ordered = joined.reset_index(names="code").sort_values(["rank", "naam"], na_position="last")
    return Ranking(level, ordered, used, left_out, dimensions, dim_weights, robustness)


def diagnostics(table: pd.DataFrame, weights: Mapping[str, float], *, min_share: float) -> Diagnostics:
    """Correlation matrix and principal components of the indicators that enter the index at one level."""
    z = indicators.barrier_index(table, dict(weights), min_share=min_share).z
    complete = int(z.notna().all(axis=1).sum())
    pca = diagnostic_methods.principal_components(z) if complete >= max(MIN_PCA_AREAS, z.shape[1] + 1) else None
    return Diagnostics(diagnostic_methods.indicator_correlation(z), pca, complete)


def index_layer(areas: gpd.GeoDataFrame, r: Ranking) -> gpd.GeoDataFrame:
    """The index table of one level with the area polygons (``missing_indicators`` kept)."""
    return areas[["code", "geometry"]].merge(r.table, on="code")


def layer_for_export(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The index layer as written for QGIS: ``missing_indicators`` becomes ``ontbrekend`` (last column)."""
    return layer.drop(columns=["missing_indicators"]).assign(ontbrekend=layer["missing_indicators"])


MORAN_COLUMNS = ["indicator", "toets", "I", "EI", "p_sim", "n", "zonder waarde", "lisa_zonder_correctie", "lisa_fdr",
                 "p_grens_fdr"]
LISA_COLUMNS = ["indicator", "code", "Is", "quadrant", "p_sim", "significant", "significant_zonder_correctie"]


def _cluster_tests(buurten: pd.DataFrame, key: str, w: object, *, permutations: int, seed: int, alpha: float,
                   fdr: bool) -> tuple[dict[str, object], pd.DataFrame]:
    """Moran's I and LISA of one buurt indicator: a rate with EB standardisation, or the value as given."""
    if key in RATE_COUNTS:
        events, base = (buurten[c].where(buurten[key].notna()) for c in RATE_COUNTS[key])
        m = hotspot_methods.morans_i_rate(events, base, w, permutations=permutations, seed=seed)
        local = hotspot_methods.lisa_rate(events, base, w, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr)
        test = "EB-aandeel"
    else:
        m = hotspot_methods.morans_i(buurten[key], w, permutations=permutations, seed=seed)
        local = hotspot_methods.lisa(buurten[key], w, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr)
        test = "waarde"
    p = local["p_sim"].dropna()
    cutoff = hotspot_methods.fdr_cutoff(p, alpha)
    row = {"toets": test, "I": m["I"], "EI": m["EI"], "p_sim": m["p_sim"], "n": m["n"], "zonder waarde": m["n_dropped"],
           "lisa_zonder_correctie": int((p < alpha).sum()), "lisa_fdr": int((p < cutoff).sum()), "p_grens_fdr": cutoff}
    return row, local.assign(significant_zonder_correctie=local["p_sim"] < alpha)


def hotspots(areas: gpd.GeoDataFrame, table: pd.DataFrame, *, permutations: int, seed: int, alpha: float,
             fdr: bool = True) -> Hotspots:
    """Moran's I and LISA (queen contiguity) of every buurt indicator with enough values.

    ``areas`` are the buurt polygons, ``table`` the buurt indicators after disclosure control.
    Shares with counts (:data:`RATE_COUNTS`) are tested as empirical-Bayes standardised rates;
    the distance to the counter (:data:`NOT_CLUSTER_TESTED`) is not tested. Per indicator the
    LISA counts are given without correction and after false-discovery-rate control at ``alpha``;
    ``fdr`` decides which of the two marks a buurt as significant on the map.
    """
    names = _names()
    buurten = areas[["code", "geometry"]].merge(table, on="code").set_index("code")
    candidates = tuple(i.key for i in indicators.INDICATORS
                       if i.finest_level == "buurt" and buurten[i.key].notna().sum() >= MIN_HOTSPOT_VALUES)
    keys = tuple(k for k in candidates if k not in NOT_CLUSTER_TESTED)
    w = hotspot_methods.spatial_weights(buurten, kind=WEIGHTS_KIND)
    rows, local = [], {}
    for key in keys:
        row, local[names[key]] = _cluster_tests(buurten, key, w, permutations=permutations, seed=seed, alpha=alpha,
                                                fdr=fdr)
        rows.append({"indicator": names[key], **row})
    moran = pd.DataFrame(rows, columns=MORAN_COLUMNS)
    if local:
        lisa = pd.concat(local, names=["indicator", "code"]).reset_index()[LISA_COLUMNS]
    else:
        lisa = pd.DataFrame(columns=LISA_COLUMNS)
    not_tested = tuple(k for k in candidates if k in NOT_CLUSTER_TESTED)
    return Hotspots(keys, moran, lisa, buurten[["geometry"]], not_tested, float(alpha), bool(fdr))


def _published_inwoners(r: Ranking, published: pd.DataFrame) -> Ranking:
    """``r`` with its ``inwoners`` column as published (the index itself is unchanged)."""
    return replace(r, table=r.table.assign(inwoners=r.table["code"].map(published.set_index("code")["inwoners"])))


def _hide_unpublished(compared: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """The comparison without the values, z-scores and flags of indicators hidden in ``published``."""
    key = {name: k for k, name in _names().items()}
    shown = published.set_index("code")
    hidden = np.array([pd.isna(shown.at[area, key[name]]) for area, name in zip(compared["area"], compared["indicator"])],
                      dtype=bool)
    out = compared.copy()
    out.loc[hidden, ["value", "z"]] = np.nan
    out.loc[hidden, "flag"] = ""
    return out


def highest_barriers(rankings: Mapping[str, Ranking], level: str, n: int = 3) -> list[dict[str, Any]]:
    """The ``n`` highest-ranked areas of the shown level (then of the stadsdelen, if ranked) for kerncijfers.json.

    ``kans_top3`` is the share of weight draws in which the area ranks in the top ``top_n``
    (3 by default) of its level. Areas with fewer than
    :data:`~decentraal.settings.SPARSE_AREA_RESIDENTS` (published) inhabitants are skipped: their
    shares rest on a handful of people (they stay in the ranking table, muted on the maps).
    """
    out = []
    for lv in dict.fromkeys([level, "stadsdeel"]):
        if lv not in rankings:
            continue
        table = rankings[lv].table.dropna(subset=["rank"])
        # an area with very few (or unpublished) inhabitants is not a place to name as the answer
        table = table.loc[table["inwoners"].fillna(0) >= SPARSE_AREA_RESIDENTS]
        ranked = table.sort_values("rank").head(n)
        out += [{"code": str(row.code), "naam": str(row.naam), "niveau": lv, "kans_top3": float(row.p_top_n)}
                for row in ranked.itertuples()]
    return out


def barriers(s: Session) -> BarrierResult:
    """Chapter 02 for the session's municipality; writes its tables and layer (disclosure-checked).

    Parameters
    ----------
    s
        The session (:func:`decentraal.pipeline.start`); uses ``niveau``, the ``gewicht_*``
        weights, ``stabiliteit_trekkingen``, ``stabiliteit_concentratie``, ``seed``, ``top_n``,
        ``min_gewicht_aandeel``, ``index_dimensies``, ``gezondheid_onzekerheid_pp``,
        ``lisa_permutaties``, ``lisa_alpha`` and ``lisa_fdr``.

    Returns
    -------
    BarrierResult
    """
    p = s.params
    level = shown_level(p.niveau)
    levels = ranked_levels(level, list(s.layers))
    definitions = indicators.indicator_metadata()
    table = s.tables[level]
    published = s.published[level]  # what is written and shown: secondary suppression over all levels
    layer = s.layers[level][["code", "geometry"]].merge(published, on="code")
    map_keys = tuple(k for k in (i.key for i in indicators.INDICATORS) if published[k].notna().any())
    compared = _hide_unpublished(comparison(s.tables, level), published)
    rankings = {
        lv: ranking(s.tables[lv], lv, p.weights(), n_draws=p.stabiliteit_trekkingen,
                    concentration=p.stabiliteit_concentratie, seed=p.seed, top_n=p.top_n,
                    min_share=p.min_gewicht_aandeel, dimensions=p.index_dimensies,
                    health_halfwidth=p.gezondheid_onzekerheid_pp)
        for lv in levels
    }
    rankings = {lv: _published_inwoners(r, s.published[lv]) for lv, r in rankings.items()}
    shown = index_layer(s.layers[level], rankings[level])
    spots = hotspots(s.layers["buurt"], s.tables["buurt"], permutations=p.lisa_permutaties, seed=p.seed,
                     alpha=p.lisa_alpha, fdr=p.lisa_fdr)
    diag = diagnostics(table, p.weights(), min_share=p.min_gewicht_aandeel)

    s.out.table(definitions, "02_indicatoren_definities")
    s.out.table(published.drop(columns=["onderdrukt_kolommen"]), f"02_indicatoren_{level}")
    s.out.table(compared, f"02_vergelijking_gemiddelde_{level}")
    for lv, r in rankings.items():
        s.out.table(r.table, f"02_index_{lv}")
        s.out.table(r.robustness, f"02_robuustheid_{lv}")
    s.out.table(diag.correlation.reset_index(names="indicator"), f"02_correlatie_{level}")
    if diag.pca is not None:
        s.out.table(diag.pca.variance.join(diag.pca.loadings.T).reset_index(), f"02_pca_{level}")
    s.out.layer(layer_for_export(shown), f"02_index_{level}")
    s.out.table(spots.moran, "02_moran")
    s.out.table(spots.lisa, "02_lisa_buurt")
    s.out.summary({"hoogste_belemmering": highest_barriers(rankings, level)}, "02")
    return BarrierResult(level, levels, definitions, published, layer, map_keys, compared, rankings, shown, spots, diag)
