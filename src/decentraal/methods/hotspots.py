"""Spatial autocorrelation of area values: global Moran's I and local Moran (LISA).

Built on :mod:`libpysal` (spatial weights as :class:`libpysal.graph.Graph`) and
:mod:`esda` (Moran statistics). The weights object used throughout is a row-standardised
``libpysal.graph.Graph`` whose ids are the area codes (the GeoDataFrame's index); esda
accepts it directly, and unlike the older ``libpysal.weights.W`` it is immutable, so
esda cannot change it in place.

Islands (areas without any neighbour, e.g. a detached polder) are handled explicitly:
:func:`spatial_weights` connects them to their nearest area(s) and warns with
:class:`IslandWarning`; areas that become isolated only because their neighbours have
no value are reported by :func:`morans_i` and :func:`lisa` and get no local statistic.

Multiple testing: a LISA map tests every area separately, so at ``alpha=0.05`` about one in
twenty areas is "significant" by chance alone. :func:`lisa` can control the false discovery rate
instead (``fdr=True``, Benjamini-Hochberg via :func:`esda.fdr`, see :func:`fdr_cutoff`).

Rates on small counts: a share computed on few inhabitants varies more by chance than one on
many, which inflates the spread and can create or hide clusters. :func:`morans_i_rate` and
:func:`lisa_rate` test the empirical-Bayes standardised rate of Assunção and Reis (1999)
instead (``esda.Moran_Rate`` / ``esda.Moran_Local_Rate`` with ``adjusted=True``).

Randomness: esda's global ``Moran`` permutes with numpy's *global* random state and has
no ``seed`` argument, and ``Moran_Local`` seeds that global state itself. Both are
therefore run inside :func:`_numpy_global_seed`, which seeds the global state and
restores the caller's state afterwards (so results are reproducible and other code is
not affected; this is not thread-safe).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any, Literal

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from libpysal.graph import Graph
from libpysal.weights import W

from decentraal.errors import DataError, ParameterError

__all__ = [
    "IslandWarning",
    "QUADRANT_LABELS",
    "LABEL_NOT_SIGNIFICANT",
    "LABEL_NO_VALUE",
    "LABEL_NO_NEIGHBOURS",
    "SpatialWeightsError",
    "eb_rate",
    "fdr_cutoff",
    "lisa",
    "lisa_rate",
    "morans_i",
    "morans_i_rate",
    "spatial_weights",
]

#: esda quadrant code -> Dutch label (esda's default, non-GeoDa numbering).
QUADRANT_LABELS: dict[int, str] = {1: "Hoog-Hoog", 2: "Laag-Hoog", 3: "Laag-Laag", 4: "Hoog-Laag"}
#: Label for an area with a value and neighbours whose local statistic is not significant.
LABEL_NOT_SIGNIFICANT = "Niet significant"
#: Label for an area whose value is missing (no local statistic computed).
LABEL_NO_VALUE = "Geen gegevens"
#: Label for an area with a value but no neighbour with a value (no local statistic).
LABEL_NO_NEIGHBOURS = "Geen buren"

#: Distances within this many CRS units (metres in RD New) count as ties.
_TIE_TOLERANCE = 1e-6
#: Permutation distributions with a spread below this are treated as degenerate.
_DEGENERATE_TOLERANCE = 1e-12


class SpatialWeightsError(DataError):
    """Geometries, weights or values cannot be used for a spatial statistic."""


class IslandWarning(UserWarning):
    """Some areas have no neighbours; the message lists their codes and what was done."""


# --------------------------------------------------------------------------- helpers
def _quote(names: Any) -> str:
    return ", ".join(f"'{n}'" for n in names)


@contextlib.contextmanager
def _numpy_global_seed(seed: int) -> Iterator[None]:
    """Seed numpy's global random state, and restore the previous state on exit."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _check_crs_projected(gdf: gpd.GeoDataFrame, purpose: str) -> None:
    if gdf.crs is None or not gdf.crs.is_projected:
        raise SpatialWeightsError(
            f"{purpose} needs distances, but the GeoDataFrame's CRS is "
            f"{'not set' if gdf.crs is None else gdf.crs.to_string()}; reproject it to a projected "
            "CRS in metres first, e.g. gdf.to_crs('EPSG:28992')"
        )


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{name} is {value!r} but must be a positive integer")


def _prepare(values: pd.Series, w: Graph | W) -> tuple[np.ndarray, Graph, list[Any], list[Any], list[Any]]:
    """Align values to the graph, drop missing values and subset the graph.

    Returns the values (graph order, non-missing), the graph on those areas, the ids
    used, the dropped ids (missing value) and the ids isolated in the subset graph.
    """
    if isinstance(w, W):
        w = Graph.from_W(w)
    if not isinstance(w, Graph):
        raise ParameterError(
            f"w must be a libpysal Graph (from spatial_weights) or W, got {type(w).__name__}"
        )
    if not isinstance(values, pd.Series):
        raise ParameterError(f"values must be a pandas Series indexed by area code, got {type(values).__name__}")
    if not values.index.is_unique:
        dupes = values.index[values.index.duplicated()].unique().tolist()
        raise SpatialWeightsError(f"values has duplicate area codes: {_quote(dupes[:10])}")
    ids = pd.Index(w.unique_ids)
    not_in_w = values.index.difference(ids)
    not_in_values = ids.difference(values.index)
    if len(not_in_w) or len(not_in_values):
        raise SpatialWeightsError(
            "the area codes of values and of the weights differ: "
            f"{len(not_in_w)} only in values ({_quote(not_in_w[:10].tolist())}), "
            f"{len(not_in_values)} only in the weights ({_quote(not_in_values[:10].tolist())}); "
            "build the weights from the same areas (gdf index = area code) and give a value "
            "(NaN if unknown) for every area"
        )
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise SpatialWeightsError(f"values has dtype {values.dtype} but must be numeric")
    aligned = values.reindex(ids).to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(aligned).any():
        raise SpatialWeightsError(
            f"values is infinite for area(s) {_quote(ids[np.isinf(aligned)][:10].tolist())}; use NaN or a finite value"
        )
    missing = np.isnan(aligned)
    dropped = ids[missing].tolist()
    kept = ids[~missing]
    if len(kept) < 3:
        raise SpatialWeightsError(
            f"only {len(kept)} area(s) have a value; Moran statistics need at least 3"
        )
    y = aligned[~missing]
    if np.ptp(y) == 0:
        raise SpatialWeightsError(
            f"values are constant (every non-missing value is {y[0]:g}); spatial autocorrelation is undefined"
        )
    graph = w.subgraph(kept) if dropped else w
    isolates = list(graph.isolates)
    if len(isolates) == len(kept):
        raise SpatialWeightsError(
            "no area with a value has a neighbour with a value, so spatial autocorrelation is "
            f"undefined ({len(dropped)} area(s) without a value: {_quote(dropped[:10])})"
        )
    if isolates:
        warnings.warn(
            f"{len(isolates)} area(s) have no neighbour with a value: {_quote(isolates)}; they "
            "enter Moran's I with a spatial lag of 0 and get no local statistic",
            IslandWarning,
            stacklevel=3,
        )
    return y, graph, kept.tolist(), dropped, isolates


def _moran_summary(mi: Any, n: int, dropped: list[Any], isolates: list[Any], permutations: int, seed: int) -> dict[str, Any]:
    """The result dict of :func:`morans_i` and :func:`morans_i_rate` from an esda Moran object."""
    return {
        "I": float(mi.I),
        "EI": float(mi.EI),
        "z": float(mi.z_sim),
        "p_sim": float(mi.p_sim),
        "n": int(n),
        "n_dropped": len(dropped),
        "dropped": dropped,
        "isolates": isolates,
        "permutations": int(permutations),
        "seed": seed,
    }


# --------------------------------------------------------------------------- public API
def spatial_weights(
    gdf: gpd.GeoDataFrame,
    *,
    kind: Literal["queen", "rook", "knn"] = "queen",
    k: int = 4,
) -> Graph:
    """Row-standardised spatial weights between areas.

    Parameters
    ----------
    gdf : GeoDataFrame
        One (multi)polygon per area; the index must hold the unique area codes, which
        become the ids of the graph. Distances (``kind="knn"`` or islands) require a
        projected CRS (e.g. EPSG:28992).
    kind : {"queen", "rook", "knn"}
        ``"queen"``: areas sharing at least one boundary point are neighbours;
        ``"rook"``: areas sharing a boundary segment; ``"knn"``: the ``k`` nearest
        areas by centroid distance (not symmetric: A may be among B's nearest but not
        vice versa). Contiguity uses libpysal's vertex-based test (``strict=False``), so
        polygons must share vertices, as CBS wijk/buurt boundaries do.
    k : int
        Number of neighbours for ``kind="knn"`` (1 <= k < number of areas).

    Returns
    -------
    libpysal.graph.Graph
        Row-standardised (``transformation == "R"``) graph, ids in ``gdf.index`` order.
        Pass it to :func:`morans_i` and :func:`lisa` (or directly to esda).

    Warns
    -----
    IslandWarning
        For queen/rook, if some areas touch no other area. Each such island is connected
        to the area(s) nearest to it (shortest distance between the geometries; ties
        within 1e-6 CRS units all count), in both directions so the graph stays
        symmetric, before row-standardisation. The warning lists the islands and the
        areas they were attached to.

    Raises
    ------
    SpatialWeightsError
        Not a GeoDataFrame, duplicate codes, missing/empty geometries, fewer than 2
        areas, or no projected CRS when distances are needed.
    ParameterError
        Unknown ``kind`` or invalid ``k``.
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SpatialWeightsError(f"gdf must be a GeoDataFrame, got {type(gdf).__name__}")
    if kind not in ("queen", "rook", "knn"):
        raise ParameterError(f"kind is {kind!r} but must be 'queen', 'rook' or 'knn'")
    if not gdf.index.is_unique:
        dupes = gdf.index[gdf.index.duplicated()].unique().tolist()
        raise SpatialWeightsError(
            f"gdf has duplicate area codes in its index ({_quote(dupes[:10])}); use "
            "gdf.set_index(<code column>) with one row per area"
        )
    if len(gdf) < 2:
        raise SpatialWeightsError(f"gdf has {len(gdf)} area(s); spatial weights need at least 2")
    geometry = gdf.geometry
    bad = geometry.isna() | geometry.is_empty
    if bad.any():
        raise SpatialWeightsError(
            f"area(s) {_quote(gdf.index[bad.to_numpy()][:10].tolist())} have a missing or empty geometry; "
            "fix or remove them before building weights"
        )

    if kind == "knn":
        _check_positive_int("k", k)
        if k >= len(gdf):
            raise ParameterError(f"k is {k} but must be smaller than the number of areas ({len(gdf)})")
        _check_crs_projected(gdf, "kind='knn'")
        graph = Graph.build_knn(geometry.centroid, k=k)
        return graph.transform("r")

    graph = Graph.build_contiguity(geometry, rook=(kind == "rook"))
    islands = list(graph.isolates)
    if not islands:
        return graph.transform("r")

    _check_crs_projected(gdf, f"attaching island(s) {_quote(islands)} to their nearest area")
    ids = pd.Index(graph.unique_ids)
    # Binary adjacency without the zero-weight self-loops that encode islands.
    adjacency = sp.lil_matrix((graph.sparse != 0).astype(float))
    adjacency.setdiag(0)
    attached: dict[Any, list[Any]] = {}
    for island in islands:
        pos = ids.get_loc(island)
        distances = geometry.distance(geometry.loc[island]).reindex(ids).to_numpy(dtype=float, copy=True)
        distances[pos] = np.inf
        nearest = np.flatnonzero(distances <= distances.min() + _TIE_TOLERANCE)
        for other in nearest:
            adjacency[pos, other] = 1.0
            adjacency[other, pos] = 1.0
        attached[island] = ids[nearest].tolist()
    description = "; ".join(f"'{island}' -> {_quote(near)}" for island, near in attached.items())
    warnings.warn(
        f"{len(islands)} area(s) have no {kind} neighbour and were attached to their nearest "
        f"area(s): {description}",
        IslandWarning,
        stacklevel=2,
    )
    binary = Graph.from_sparse(sp.csr_matrix(adjacency), ids=ids)
    return binary.transform("r")


def morans_i(
    values: pd.Series,
    w: Graph | W,
    *,
    permutations: int = 999,
    seed: int = 0,
) -> dict[str, Any]:
    """Global Moran's I of one variable (esda.Moran, row-standardised weights).

    Areas with a missing value are left out (not imputed): the weights are subset to the
    areas with a value. An area whose neighbours all lack a value then has no neighbour
    (an isolate, spatial lag 0); such areas are reported and an :class:`IslandWarning`
    is issued.

    Parameters
    ----------
    values : Series
        Value per area, indexed by the same area codes as ``w`` (NaN allowed).
    w : libpysal.graph.Graph or libpysal.weights.W
        Spatial weights, e.g. from :func:`spatial_weights`.
    permutations : int
        Number of random permutations for the pseudo p-value (> 0).
    seed : int
        Seed for the permutations (see module docstring on how it is applied).

    Returns
    -------
    dict
        ``I`` (Moran's I), ``EI`` (its expectation -1/(n-1)), ``z`` (z-score of I
        against the permutation distribution, esda's ``z_sim``), ``p_sim`` (pseudo
        p-value, one-sided in the direction of the observed I, esda's default), ``n``
        (areas used), ``n_dropped`` and ``dropped`` (codes with a missing value),
        ``isolates`` (codes without neighbour after dropping), ``permutations``,
        ``seed``.

    Raises
    ------
    SpatialWeightsError
        Codes of ``values`` and ``w`` differ, fewer than 3 values, constant values.
    ParameterError
        Invalid ``w`` or ``permutations``.
    """
    _check_positive_int("permutations", permutations)
    y, graph, _, dropped, isolates = _prepare(values, w)
    with _numpy_global_seed(seed):
        mi = esda.Moran(y, graph, transformation="r", permutations=permutations)
    return _moran_summary(mi, len(y), dropped, isolates, permutations, seed)


def lisa(
    values: pd.Series,
    w: Graph | W,
    *,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    fdr: bool = False,
) -> pd.DataFrame:
    """Local Moran's I (LISA) per area with Dutch cluster labels (esda.Moran_Local).

    Missing values are handled as in :func:`morans_i`. An area is significant when its
    conditional-permutation pseudo p-value ``p_sim < alpha`` (esda's one-sided "folded"
    p-value). Where the permutation distribution is degenerate (every permuted statistic
    equal, e.g. an area whose value is exactly the mean), ``p_sim`` is set to 1 instead of
    esda's spurious minimum p-value (esda issue #504). By default no correction for multiple
    testing is applied: with ~100 areas and ``alpha=0.05`` some significant areas are expected
    by chance alone. With ``fdr=True`` an area is significant when ``p_sim`` is below the
    Benjamini-Hochberg cut-off of :func:`fdr_cutoff` at level ``alpha`` (computed over the
    areas that have a local statistic), which keeps the expected share of false positives among
    the significant areas at most ``alpha``.

    Parameters
    ----------
    values, w, permutations, seed
        As in :func:`morans_i`. ``seed`` is passed to ``esda.Moran_Local``.
    alpha : float
        Significance level, 0 < alpha < 1 (the false discovery rate when ``fdr=True``).
    fdr : bool
        Control the false discovery rate (Benjamini-Hochberg) instead of testing every area
        at ``alpha``.

    Returns
    -------
    DataFrame
        Indexed like ``values`` (same order), columns

        - ``Is``: local Moran's I (NaN without a value or without neighbours);
        - ``quadrant``: "Hoog-Hoog", "Laag-Laag", "Hoog-Laag", "Laag-Hoog" when
          significant (value vs. mean of neighbours, both relative to the mean),
          otherwise "Niet significant"; "Geen gegevens" if the value is missing and
          "Geen buren" if no neighbour has a value;
        - ``p_sim``: pseudo p-value (NaN where no statistic);
        - ``significant``: bool.

        ``attrs`` records ``alpha``, ``permutations``, ``seed``, ``dropped`` and
        ``isolates``, and ``fdr`` (bool), ``p_cutoff`` (the p-value an area must stay below:
        ``alpha``, or the FDR cut-off), ``n_tests`` (areas with a local statistic) and
        ``n_significant_uncorrected`` (areas with ``p_sim < alpha``).

    Raises
    ------
    SpatialWeightsError, ParameterError
        As in :func:`morans_i`; also for ``alpha`` outside (0, 1).
    """
    _check_positive_int("permutations", permutations)
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise ParameterError(f"alpha is {alpha!r} but must be between 0 and 1 (exclusive)")
    y, graph, kept, dropped, isolates = _prepare(values, w)
    with _numpy_global_seed(seed), warnings.catch_warnings():
        # esda warns that a future release changes the default alternative hypothesis of
        # its internal p-value; Moran_Local recomputes p_sim itself (folded), so ignore.
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        # Isolates give 0/0 in esda's z_sim; they are blanked out below.
        warnings.filterwarnings("ignore", message="invalid value encountered", category=RuntimeWarning)
        ml = esda.Moran_Local(
            y, graph, transformation="r", permutations=permutations, seed=seed, keep_simulations=True
        )

    p_sim = np.asarray(ml.p_sim, dtype=float).copy()
    # Degenerate null: when every permuted statistic is the same (e.g. the value equals
    # the mean exactly, so Is is 0 in every permutation), esda's folded p-value becomes
    # 1/(permutations+1), i.e. spuriously "significant" (esda issue #504). There is no
    # evidence of local association at all, so p_sim is set to 1.
    degenerate = np.ptp(np.asarray(ml.sim, dtype=float), axis=0) <= _DEGENERATE_TOLERANCE
    p_sim[degenerate] = 1.0
    local = pd.DataFrame(
        {"Is": np.asarray(ml.Is, dtype=float), "p_sim": p_sim, "q": ml.q},
        index=pd.Index(kept),
    )
    tested = np.ones(len(local), dtype=bool)
    if isolates:
        tested &= ~local.index.isin(isolates)
    p_tested = local["p_sim"].to_numpy()[tested]
    cutoff = fdr_cutoff(p_tested, alpha) if fdr else float(alpha)
    significant = local["p_sim"] < cutoff
    local["quadrant"] = np.where(significant, local["q"].map(QUADRANT_LABELS), LABEL_NOT_SIGNIFICANT)
    local["significant"] = significant
    if isolates:
        local.loc[isolates, ["Is", "p_sim"]] = np.nan
        local.loc[isolates, "quadrant"] = LABEL_NO_NEIGHBOURS
        local.loc[isolates, "significant"] = False

    result = local.reindex(values.index)[["Is", "quadrant", "p_sim", "significant"]]
    no_value = values.index.isin(dropped)
    result.loc[no_value, "quadrant"] = LABEL_NO_VALUE
    result["significant"] = result["significant"].fillna(False).astype(bool)
    result.attrs = {
        "alpha": float(alpha),
        "permutations": int(permutations),
        "seed": seed,
        "dropped": dropped,
        "isolates": isolates,
        "fdr": bool(fdr),
        "p_cutoff": float(cutoff),
        "n_tests": int(tested.sum()),
        "n_significant_uncorrected": int((p_tested < alpha).sum()),
    }
    return result


def fdr_cutoff(p_values: Any, alpha: float = 0.05) -> float:
    """Benjamini-Hochberg cut-off for a family of p-values (wraps :func:`esda.fdr`).

    Sort the ``m`` p-values ascending, ``p(1) <= ... <= p(m)``, and find the largest ``k``
    with ``p(k) < k * alpha / m``; the cut-off is ``k * alpha / m`` and every p-value strictly
    below it is significant (so exactly ``p(1) .. p(k)``). This controls the false discovery
    rate (the expected share of false positives among the rejections) at ``alpha`` for
    independent or positively dependent tests. If no such ``k`` exists, esda returns the
    Bonferroni bound ``alpha / m``, below which no p-value lies either: nothing is significant.
    The comparison is strict (esda's rule), one p-value exactly on ``k * alpha / m`` does not
    count.

    Parameters
    ----------
    p_values : array-like
        The p-values of the family; NaN entries (no test) are left out of ``m``.
    alpha : float
        The false discovery rate, 0 < alpha < 1.

    Returns
    -------
    float
        The cut-off: a test is significant when its p-value is strictly below it.

    Raises
    ------
    ParameterError
        ``alpha`` outside (0, 1), p-values outside [0, 1] or none at all.

    Examples
    --------
    >>> fdr_cutoff([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216], 0.05)
    0.01
    """
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise ParameterError(f"alpha is {alpha!r} but must be between 0 and 1 (exclusive)")
    p = np.asarray(p_values, dtype=float).ravel()
    p = p[~np.isnan(p)]
    if p.size == 0:
        raise ParameterError("fdr_cutoff needs at least one p-value")
    if (p < 0).any() or (p > 1).any():
        raise ParameterError("p-values must lie between 0 and 1")
    return float(esda.fdr(p, alpha))


def _counts(series: Any, name: str) -> pd.Series:
    if not isinstance(series, pd.Series):
        raise ParameterError(f"{name} must be a pandas Series indexed by area code, got {type(series).__name__}")
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise SpatialWeightsError(f"{name} has dtype {series.dtype} but must be numeric")
    values = series.astype(float)
    if (values < 0).any():
        raise SpatialWeightsError(f"{name} has negative values for area(s) {_quote(values.index[values < 0][:10].tolist())}")
    return values


def _rate_input(events: pd.Series, base: pd.Series) -> pd.Series:
    """The raw rate events / base per area, NaN where either is missing or the base is 0."""
    e, b = _counts(events, "events"), _counts(base, "base")
    if not e.index.equals(b.index):
        raise SpatialWeightsError("events and base must have the same area codes in the same order")
    above = e > b
    if above.any():
        raise SpatialWeightsError(
            f"events exceed the base for area(s) {_quote(e.index[above.to_numpy()][:10].tolist())}; "
            "a rate is a part of its base"
        )
    return (e / b).where(b > 0)


def eb_rate(events: pd.Series, base: pd.Series) -> pd.Series:
    """Empirical-Bayes standardised rate per area (Assunção and Reis 1999; esda's ``assuncao_rate``).

    With ``r_i = e_i / b_i``, the overall rate ``beta = sum(e) / sum(b)``, the base-weighted
    variance ``s2 = sum(b_i (r_i - beta)^2) / sum(b)`` and ``alpha = s2 - beta / mean(b)``,
    the value is ``(r_i - beta) / sqrt(v_i)`` with ``v_i = alpha + beta / b_i`` (or
    ``beta / b_i`` where that is negative). A rate on a small base has a large ``v_i`` and is
    pulled towards 0, so chance variation in small areas does not dominate.

    Areas where ``events`` or ``base`` is missing, or the base is 0, get NaN and are left out
    of ``beta``, ``s2`` and the mean base.
    """
    rate = _rate_input(events, base)
    ok = rate.notna().to_numpy()
    out = pd.Series(np.nan, index=events.index, dtype=float)
    if ok.sum() >= 2:
        out[ok] = esda.smoothing.assuncao_rate(events.to_numpy(dtype=float)[ok], base.to_numpy(dtype=float)[ok])
    return out


def morans_i_rate(
    events: pd.Series,
    base: pd.Series,
    w: Graph | W,
    *,
    permutations: int = 999,
    seed: int = 0,
) -> dict[str, Any]:
    """Global Moran's I of a rate with empirical-Bayes standardisation (``esda.Moran_Rate``).

    ``esda.Moran_Rate(events, base, w, adjusted=True)`` computes Moran's I of
    :func:`eb_rate` rather than of the raw share ``events / base``, so shares on few
    inhabitants do not weigh as much as shares on many. Areas where ``events`` or ``base``
    is missing or the base is 0 are left out, as missing values in :func:`morans_i`.

    Parameters
    ----------
    events, base : Series
        Counts per area (e.g. inhabitants aged 65+ and all inhabitants), indexed by the area
        codes of ``w``; NaN allowed.
    w, permutations, seed
        As in :func:`morans_i`.

    Returns
    -------
    dict
        The keys of :func:`morans_i`, for the EB-standardised rate.
    """
    _check_positive_int("permutations", permutations)
    rate = _rate_input(events, base)
    y, graph, kept, dropped, isolates = _prepare(rate, w)
    e = events.reindex(kept).to_numpy(dtype=float)
    b = base.reindex(kept).to_numpy(dtype=float)
    with _numpy_global_seed(seed):
        mi = esda.Moran_Rate(e, b, graph, adjusted=True, transformation="r", permutations=permutations)
    return _moran_summary(mi, len(y), dropped, isolates, permutations, seed)


def lisa_rate(
    events: pd.Series,
    base: pd.Series,
    w: Graph | W,
    *,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    fdr: bool = False,
) -> pd.DataFrame:
    """Local Moran's I of the empirical-Bayes standardised rate (as ``esda.Moran_Local_Rate``).

    ``esda.Moran_Local_Rate(events, base, w, adjusted=True)`` is ``esda.Moran_Local`` of
    :func:`eb_rate`; this function computes that rate and runs :func:`lisa` on it, so missing
    values, isolates, degenerate permutation distributions and ``fdr`` are handled as there.
    Arguments and result as in :func:`lisa` and :func:`morans_i_rate`.
    """
    _check_positive_int("permutations", permutations)
    return lisa(eb_rate(events, base), w, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr)
