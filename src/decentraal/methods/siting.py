"""Where to put new counters: maximal covering (MCLP) and p-median with PySAL ``spopt``.

Both models take a distance matrix (rows = areas, columns = site ids: the existing
counter(s) plus candidate locations) and a weight per area (residents, visits or a
barrier-weighted population). Existing counters are always open; ``k_new`` candidates are
added. Models are built with ``spopt.locate`` (``MCLP``/``PMedian.from_cost_matrix`` with
``predefined_facilities_arr``) and solved with PuLP's bundled CBC, single-threaded, no log.

Pure functions, no project file or network I/O (CBC itself exchanges temporary files with
PuLP in the system temp directory); inputs are never mutated.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import pulp
from scipy.spatial.distance import cdist

from decentraal.errors import DataError, DecentraalError, ParameterError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "RD_NEW_EPSG",
    "SolverError",
    "SitingResult",
    "distance_matrix",
    "weighted_quantile",
    "evaluate_sites",
    "solve_mclp",
    "solve_pmedian",
    "solve_scenarios",
    "scenario_table",
    "scenarios",
]

#: Rijksdriehoeksstelsel (RD New), metres: the only CRS accepted for Euclidean distances.
RD_NEW_EPSG = 28992

#: Status text for rows where nothing was optimised (k_new = 0).
STATUS_EXISTING_ONLY = "existing only (no solve)"


class SolverError(DecentraalError, ValueError):
    """The MIP solver did not return an optimal solution."""


@contextmanager
def _quiet_pulp() -> Iterator[None]:
    # PuLP 3.3 emits DeprecationWarnings for APIs spopt 0.7 uses (LpVariable(...) constructor)
    # and for PULP_CBC_CMD (bundled CBC). Silence only those two messages, only here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Constructing LpVariable", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=r"PULP_CBC_CMD is deprecated", category=DeprecationWarning)
        yield


def _solver() -> pulp.LpSolver:
    # Bundled CBC, silent, single thread: CBC is deterministic for a given model and thread
    # count, so the same input always gives the same solution (also among ties).
    return pulp.PULP_CBC_CMD(msg=False, threads=1)


# ---------------------------------------------------------------------------
# Distances
# ---------------------------------------------------------------------------


def _check_rd(gs: gpd.GeoSeries, what: str) -> None:
    crs = gs.crs
    if crs is None:
        raise DataError(
            f"{what} has no CRS; if its coordinates are RD New metres use .set_crs({RD_NEW_EPSG}), "
            f"otherwise .set_crs(<actual CRS>).to_crs({RD_NEW_EPSG})."
        )
    if crs.to_epsg() != RD_NEW_EPSG:
        raise DataError(
            f"{what} is in CRS {crs.to_string()!r} ({crs.name}); Euclidean km need projected metres in "
            f"EPSG:{RD_NEW_EPSG} (RD New). Reproject with .to_crs({RD_NEW_EPSG})."
        )


def _xy(gs: gpd.GeoSeries, what: str) -> np.ndarray:
    if gs.isna().any() or gs.is_empty.any():
        raise DataError(f"{what} has missing or empty geometries; drop or fix them.")
    types = set(gs.geom_type)
    if types != {"Point"}:
        raise DataError(
            f"{what} has geometry types {sorted(types)}; pass points (e.g. .representative_point() or a "
            "population-weighted centre from the data layer)."
        )
    return np.column_stack([gs.x.to_numpy(), gs.y.to_numpy()])


def distance_matrix(origins: gpd.GeoSeries, sites: gpd.GeoSeries) -> pd.DataFrame:
    """Euclidean distances in km between area points and site points (EPSG:28992).

    Parameters
    ----------
    origins : geopandas.GeoSeries
        Area points (index = area codes, unique), CRS EPSG:28992.
    sites : geopandas.GeoSeries
        Site points (index = site ids, unique), CRS EPSG:28992.

    Returns
    -------
    pd.DataFrame
        Rows = ``origins.index``, columns = ``sites.index``, km (straight line, not travel
        distance).

    Raises
    ------
    DataError
        If a CRS is missing or not EPSG:28992 (naming the CRS), geometries are not points,
        or indexes are not unique.
    """
    _check_rd(origins, "origins")
    _check_rd(sites, "sites")
    for gs, what in ((origins, "origins"), (sites, "sites")):
        if not gs.index.is_unique:
            raise DataError(f"{what} index has duplicates; ids must be unique.")
    d = cdist(_xy(origins, "origins"), _xy(sites, "sites")) / 1000.0
    return pd.DataFrame(d, index=origins.index.copy(), columns=sites.index.copy())


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------


def weighted_quantile(values: np.ndarray | pd.Series, weights: np.ndarray | pd.Series, q: float) -> float:
    """Weighted quantile, inverse of the weighted empirical CDF (no interpolation).

    Definition: the smallest value ``v`` among ``values`` such that the total weight of
    observations with value ``<= v`` is at least ``q`` times the total weight. For
    ``q = 0.9``: 90 % of the weight (e.g. residents) lives at most this far away.
    Zero-weight observations never determine the result.

    Parameters
    ----------
    values, weights : array-like
        Same length; weights >= 0 with positive sum.
    q : float
        In (0, 1].

    Returns
    -------
    float
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if v.shape != w.shape or v.ndim != 1:
        raise DataError("values and weights must be 1-D and of equal length.")
    if not (0 < q <= 1):
        raise ParameterError(f"q={q!r}; must be in (0, 1].")
    if np.any(w < 0) or w.sum() <= 0:
        raise DataError("weights must be >= 0 with a positive sum.")
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(w[order])
    # small relative tolerance so that q * total equal to a cumulative sum is reached
    idx = int(np.searchsorted(cw, q * cw[-1] * (1 - 1e-12), side="left"))
    return float(v[order][min(idx, len(v) - 1)])


@dataclass(frozen=True, eq=False)
class SitingResult:
    """Outcome of a siting model (or an evaluation of a given set of open sites).

    Attributes
    ----------
    model : str
        "mclp", "pmedian" or "evaluate".
    k_new : int
        Number of new sites.
    new_sites : list of str
        Chosen new sites, in the column order of the cost matrix.
    open_sites : list of str
        Existing + new sites, in the column order of the cost matrix.
    assignment : pd.Series
        Area -> nearest open site (ties: first in column order).
    distance_km : pd.Series
        Area -> distance to its assigned site.
    radius_km : float or None
        Coverage radius used for the coverage metrics (None: not computed, NaN metrics).
    covered_weight : float
        Sum of weights of areas within ``radius_km`` of an open site (``<=``).
    covered_share : float
        ``covered_weight / total weight``.
    mean_distance_km : float
        Weighted mean distance to the nearest open site.
    p90_distance_km : float
        Weighted 90th percentile of that distance (:func:`weighted_quantile`).
    max_distance_km : float
        Largest distance of an area with positive weight.
    objective : float
        Model objective recomputed from the chosen sites: covered weight (MCLP) or total
        weighted distance ``sum_i w_i d_i`` in weight x km (p-median, evaluate).
    status : str
        Solver status ("Optimal"), or "existing only (no solve)" for k_new = 0.
    """

    model: str
    k_new: int
    new_sites: list[str]
    open_sites: list[str]
    assignment: pd.Series = field(repr=False)
    distance_km: pd.Series = field(repr=False)
    radius_km: float | None
    covered_weight: float
    covered_share: float
    mean_distance_km: float
    p90_distance_km: float
    max_distance_km: float
    objective: float
    status: str

    def within(self, radius_km: float) -> pd.Series:
        """Whether each area's nearest open site is at most ``radius_km`` away (``<=``, boolean per area)."""
        return self.distance_km <= radius_km


def _prepare(cost: pd.DataFrame, weights: pd.Series, existing: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if not cost.columns.is_unique:
        raise DataError(f"cost has duplicate site columns; make site ids unique (got {list(cost.columns)}).")
    if not cost.index.is_unique:
        raise DataError("cost has duplicate area rows; make the area index unique.")
    if set(weights.index) != set(cost.index) or len(weights) != len(cost):
        only_w = sorted(map(str, set(weights.index) - set(cost.index)))[:10]
        only_c = sorted(map(str, set(cost.index) - set(weights.index)))[:10]
        raise DataError(
            f"weights and cost cover different areas (only in weights: {only_w}; only in cost: {only_c}); "
            "align them on the same area codes."
        )
    d = cost.to_numpy(dtype=float)
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise DataError("cost has missing, infinite or negative distances; every area-site distance must be >= 0.")
    w = weights.reindex(cost.index).to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise DataError("weights has missing, infinite or negative values; weights must be >= 0.")
    if w.sum() <= 0:
        raise DataError("weights sum to 0; at least one area needs a positive weight.")
    existing = list(existing)
    if len(set(existing)) != len(existing):
        raise ParameterError(f"existing repeats a site: {existing}; list each counter once.")
    unknown = [e for e in existing if e not in cost.columns]
    if unknown:
        raise ParameterError(f"existing site(s) {unknown} are not columns of cost {list(cost.columns)}; add their distances.")
    return d, w, existing


def _evaluate(
    cost: pd.DataFrame, d: np.ndarray, w: np.ndarray, open_idx: list[int], radius_km: float | None
) -> dict[str, object]:
    sub = d[:, open_idx]
    nearest = np.argmin(sub, axis=1)  # first minimum = first in column order
    dist = sub[np.arange(len(d)), nearest]
    cols = [cost.columns[j] for j in open_idx]
    assignment = pd.Series([cols[k] for k in nearest], index=cost.index, name="loket")
    distance = pd.Series(dist, index=cost.index, name="afstand_km")
    total = w.sum()
    if radius_km is None:
        cov_w, cov_s = math.nan, math.nan
    else:
        cov_w = float(w[dist <= radius_km].sum())
        cov_s = float(cov_w / total)
    pos = w > 0
    return {
        "assignment": assignment,
        "distance_km": distance,
        "covered_weight": cov_w,
        "covered_share": cov_s,
        "mean_distance_km": float(np.sum(w * dist) / total),
        "p90_distance_km": weighted_quantile(dist, w, 0.9),
        "max_distance_km": float(dist[pos].max()),
        "total_weighted_distance": float(np.sum(w * dist)),
    }


def evaluate_sites(
    cost: pd.DataFrame,
    weights: pd.Series,
    open_sites: Sequence[str],
    *,
    radius_km: float | None = None,
    existing: Sequence[str] = (),
) -> SitingResult:
    """Metrics for a given set of open sites (no optimisation).

    Parameters
    ----------
    cost : pd.DataFrame
        Rows = areas, columns = site ids, distances in km.
    weights : pd.Series
        Weight per area (same areas as ``cost``).
    open_sites : sequence of str
        Sites to open (must be columns of ``cost``; at least one).
    radius_km : float, optional
        Coverage radius; without it coverage metrics are NaN.
    existing : sequence of str, default ()
        Which of the open sites are existing counters (only used to fill ``new_sites``).

    Returns
    -------
    SitingResult
        With ``model="evaluate"``, ``objective`` = total weighted distance and
        ``status="existing only (no solve)"``.
    """
    d, w, existing = _prepare(cost, weights, existing)
    if not open_sites:
        raise ParameterError("open_sites is empty; open at least one site.")
    unknown = [s for s in open_sites if s not in cost.columns]
    if unknown:
        raise ParameterError(f"open site(s) {unknown} are not columns of cost.")
    if radius_km is not None and not (math.isfinite(radius_km) and radius_km >= 0):
        raise ParameterError(f"radius_km={radius_km!r}; pass a distance >= 0 in km.")
    open_set = set(open_sites)
    idx = [j for j, c in enumerate(cost.columns) if c in open_set]
    m = _evaluate(cost, d, w, idx, radius_km)
    opened = [cost.columns[j] for j in idx]
    return _make_result("evaluate", opened, existing, m, radius_km, m["total_weighted_distance"], STATUS_EXISTING_ONLY)


def _make_result(model: str, opened: list, existing: Sequence[str], m: dict, radius_km: float | None, objective: float, status: str) -> SitingResult:
    """A :class:`SitingResult` from the metrics of :func:`_evaluate` for the open sites."""
    new = [s for s in opened if s not in set(existing)]
    return SitingResult(
        model=model,
        k_new=len(new),
        new_sites=new,
        open_sites=opened,
        assignment=m["assignment"],
        distance_km=m["distance_km"],
        radius_km=radius_km,
        covered_weight=m["covered_weight"],
        covered_share=m["covered_share"],
        mean_distance_km=m["mean_distance_km"],
        p90_distance_km=m["p90_distance_km"],
        max_distance_km=m["max_distance_km"],
        objective=float(objective),
        status=status,
    )


def _check_k(cost: pd.DataFrame, existing: list[str], k_new: int) -> None:
    if not isinstance(k_new, (int, np.integer)) or k_new < 0:
        raise ParameterError(f"k_new={k_new!r}; pass a whole number >= 0.")
    n_cand = cost.shape[1] - len(existing)
    if k_new > n_cand:
        raise ParameterError(f"k_new={k_new} exceeds the {n_cand} candidate site(s) in cost; lower k_new or add candidates.")
    if len(existing) + k_new == 0:
        raise ParameterError("no existing counters and k_new=0: nothing would be open; set k_new >= 1.")


def _predefined(cost: pd.DataFrame, existing: list[str]) -> np.ndarray | None:
    # Full-length 0/1 array. spopt 0.7 treats an array as dummies only when its length equals
    # the number of sites; shorter arrays are read as indices. Passing dummies is unambiguous.
    if not existing:
        return None
    ex = set(existing)
    return np.array([1 if c in ex else 0 for c in cost.columns], dtype=int)


def _open_from(fac_vars: Sequence[pulp.LpVariable]) -> list[int]:
    return [j for j, v in enumerate(fac_vars) if v.value() is not None and v.value() > 0.5]


def _result(
    model: str, cost: pd.DataFrame, d: np.ndarray, w: np.ndarray, existing: list[str], open_idx: list[int],
    radius_km: float | None, status: str,
) -> SitingResult:
    m = _evaluate(cost, d, w, open_idx, radius_km)
    opened = [cost.columns[j] for j in open_idx]
    objective = m["covered_weight"] if model == "mclp" else m["total_weighted_distance"]
    return _make_result(model, opened, existing, m, radius_km, objective, status)


def _solve(problem_obj) -> str:
    try:
        problem_obj.solve(_solver(), results=False)
    except RuntimeError as exc:  # spopt's check_status raises RuntimeError when not optimal
        raise SolverError(f"{problem_obj.name}: {exc} Check the inputs (k_new, radius, distances).") from exc
    return pulp.LpStatus[problem_obj.problem.status]


def solve_mclp(
    cost: pd.DataFrame,
    weights: pd.Series,
    *,
    radius_km: float,
    k_new: int,
    existing: Sequence[str],
    tie_break: Literal["distance", "none"] = "distance",
) -> SitingResult:
    """Maximal covering location: open ``k_new`` sites that maximise the weight within reach.

    An area counts as covered if some open site is at distance ``<= radius_km``. Existing
    counters are fixed open via spopt's ``predefined_facilities_arr``; the model opens
    ``len(existing) + k_new`` sites in total.

    MCLP often has many optimal site sets (any site covering the same areas). With
    ``tie_break="distance"`` a second MIP picks, among all sets with the optimal covered
    weight, the one with the smallest total weighted distance to the nearest open site
    (spopt ``PMedian`` plus a coverage constraint). The covered weight is unchanged; the
    choice of sites becomes meaningful instead of solver-arbitrary.

    Parameters
    ----------
    cost : pd.DataFrame
        Rows = areas, columns = site ids (existing + candidates), distances in km.
    weights : pd.Series
        Weight per area (e.g. residents or barrier-weighted residents), >= 0.
    radius_km : float
        Coverage radius in km, >= 0. No sourced norm exists for Haarlem; required.
    k_new : int
        Number of new sites (0 evaluates the existing counters only).
    existing : sequence of str
        Existing counter ids (columns of ``cost``); always open. May be empty.
    tie_break : {"distance", "none"}, default "distance"
        Secondary criterion among coverage-optimal solutions (see above).

    Returns
    -------
    SitingResult
        ``objective`` = covered weight.

    Raises
    ------
    ParameterError, DataError
        Invalid inputs (message says which).
    SolverError
        If CBC does not report an optimal solution.
    """
    from spopt.locate import MCLP, PMedian

    d, w, existing = _prepare(cost, weights, existing)
    _check_k(cost, existing, k_new)
    if not (isinstance(radius_km, (int, float, np.floating, np.integer)) and math.isfinite(radius_km) and radius_km >= 0):
        raise ParameterError(f"radius_km={radius_km!r}; pass a distance >= 0 in km.")
    if tie_break not in ("distance", "none"):
        raise ParameterError(f"tie_break={tie_break!r}; use 'distance' or 'none'.")
    ex_idx = [j for j, c in enumerate(cost.columns) if c in set(existing)]
    if k_new == 0:
        return _result("mclp", cost, d, w, existing, ex_idx, radius_km, STATUS_EXISTING_ONLY)

    p = len(existing) + int(k_new)
    pre = _predefined(cost, existing)
    with _quiet_pulp():
        mclp = MCLP.from_cost_matrix(
            d, w, service_radius=float(radius_km), p_facilities=p, predefined_facilities_arr=pre, name="mclp"
        )
        status = _solve(mclp)
    first = _result("mclp", cost, d, w, existing, _open_from(mclp.fac_vars), radius_km, status)
    if tie_break == "none":
        return first

    best = first.covered_weight
    cover = (d <= radius_km).astype(int)
    tol = 1e-7 * max(1.0, best)
    with _quiet_pulp():
        pm = PMedian.from_cost_matrix(d, w, p_facilities=p, predefined_facilities_arr=pre, name="mclp_tiebreak")
        cov_vars = [pulp.LpVariable(f"cov[{i}]", cat=pulp.LpBinary) for i in range(len(d))]
        for i, var in enumerate(cov_vars):
            pm.problem += var <= pulp.lpSum(pm.fac_vars[j] for j in np.flatnonzero(cover[i]))
        pm.problem += pulp.lpSum(w[i] * cov_vars[i] for i in range(len(d))) >= best - tol
        status2 = _solve(pm)
    second = _result("mclp", cost, d, w, existing, _open_from(pm.fac_vars), radius_km, status2)
    # keep the tie-broken set only if it really has the optimal coverage (guards the tolerance)
    return second if second.covered_weight >= best - 1e-9 * max(1.0, best) else first


def solve_pmedian(
    cost: pd.DataFrame,
    weights: pd.Series,
    *,
    k_new: int,
    existing: Sequence[str],
    radius_km: float | None = None,
) -> SitingResult:
    """p-median: open ``k_new`` sites minimising total weighted distance to the nearest site.

    Existing counters are fixed open via spopt's ``predefined_facilities_arr``
    (``fulfill_predefined_fac=False``, no capacities). Each area is served by one open site;
    at the optimum that is a nearest open site.

    Parameters
    ----------
    cost : pd.DataFrame
        Rows = areas, columns = site ids, distances in km.
    weights : pd.Series
        Weight per area, >= 0.
    k_new : int
        Number of new sites (0 evaluates the existing counters only).
    existing : sequence of str
        Existing counter ids; always open. May be empty.
    radius_km : float, optional
        Only for the coverage metrics of the result (not part of the optimisation).

    Returns
    -------
    SitingResult
        ``objective`` = ``sum_i w_i d_i`` (weight x km); ``mean_distance_km`` = objective /
        total weight.
    """
    from spopt.locate import PMedian

    d, w, existing = _prepare(cost, weights, existing)
    _check_k(cost, existing, k_new)
    if radius_km is not None and not (math.isfinite(radius_km) and radius_km >= 0):
        raise ParameterError(f"radius_km={radius_km!r}; pass a distance >= 0 in km or None.")
    ex_idx = [j for j, c in enumerate(cost.columns) if c in set(existing)]
    if k_new == 0:
        return _result("pmedian", cost, d, w, existing, ex_idx, radius_km, STATUS_EXISTING_ONLY)
    p = len(existing) + int(k_new)
    with _quiet_pulp():
        pm = PMedian.from_cost_matrix(
            d, w, p_facilities=p, predefined_facilities_arr=_predefined(cost, existing), name="pmedian"
        )
        status = _solve(pm)
    return _result("pmedian", cost, d, w, existing, _open_from(pm.fac_vars), radius_km, status)


SCENARIO_COLUMNS: tuple[str, ...] = (
    "model",
    "k_new",
    "n_open",
    "new_sites",
    "open_sites",
    "radius_km",
    "covered_weight",
    "covered_share",
    "mean_distance_km",
    "p90_distance_km",
    "max_distance_km",
    "objective",
    "status",
)


def solve_scenarios(
    cost: pd.DataFrame,
    weights: pd.Series,
    *,
    radius_km: float,
    k_max: int,
    existing: Sequence[str],
    models: Sequence[Literal["mclp", "pmedian"]] = ("mclp", "pmedian"),
) -> list[SitingResult]:
    """Solve both models for k_new = 0..k_max and keep every full result.

    Solutions are solved independently per k, so the site set for k+1 need not contain the
    set for k (especially for p-median). The k = 0 results describe the existing counters
    only. Each :class:`SitingResult` keeps the assignment of every area to its nearest open
    site and that distance, so callers never recompute them from the cost matrix.

    Parameters
    ----------
    cost, weights, radius_km, existing
        As in :func:`solve_mclp`.
    k_max : int
        Largest number of new sites (<= number of candidates).
    models : sequence, default ("mclp", "pmedian")
        Which models to run.

    Returns
    -------
    list of SitingResult
        Ordered by model (as in ``models``), then ``k_new`` = 0..k_max.
    """
    _, _, ex = _prepare(cost, weights, existing)
    if not isinstance(k_max, (int, np.integer)) or k_max < 0:
        raise ParameterError(f"k_max={k_max!r}; pass a whole number >= 0.")
    _check_k(cost, ex, k_max)
    results = []
    for model in models:
        if model not in ("mclp", "pmedian"):
            raise ParameterError(f"unknown model {model!r}; use 'mclp' and/or 'pmedian'.")
        for k in range(int(k_max) + 1):
            if model == "mclp":
                results.append(solve_mclp(cost, weights, radius_km=radius_km, k_new=k, existing=ex))
            else:
                results.append(solve_pmedian(cost, weights, k_new=k, existing=ex, radius_km=radius_km))
    return results


def scenario_table(results: Sequence[SitingResult]) -> pd.DataFrame:
    """One row per siting result with the columns :data:`SCENARIO_COLUMNS` (see :func:`scenarios`)."""
    rows = [
        {
            "model": r.model,
            "k_new": r.k_new,
            "n_open": len(r.open_sites),
            "new_sites": tuple(r.new_sites),
            "open_sites": tuple(r.open_sites),
            "radius_km": r.radius_km,
            "covered_weight": r.covered_weight,
            "covered_share": r.covered_share,
            "mean_distance_km": r.mean_distance_km,
            "p90_distance_km": r.p90_distance_km,
            "max_distance_km": r.max_distance_km,
            "objective": r.objective,
            "status": r.status,
        }
        for r in results
    ]
    return pd.DataFrame(rows, columns=list(SCENARIO_COLUMNS))


def scenarios(
    cost: pd.DataFrame,
    weights: pd.Series,
    *,
    radius_km: float,
    k_max: int,
    existing: Sequence[str],
    models: Sequence[Literal["mclp", "pmedian"]] = ("mclp", "pmedian"),
) -> pd.DataFrame:
    """Solve both models for k_new = 0..k_max and return the metrics as a table.

    The table form of :func:`solve_scenarios` (which also keeps each area's nearest open site
    and distance); see there for the parameters.

    Returns
    -------
    pd.DataFrame
        One row per (model, k_new), columns :data:`SCENARIO_COLUMNS`: ``model``, ``k_new``,
        ``n_open``, ``new_sites`` and ``open_sites`` (tuples of site ids in cost-column
        order), ``radius_km``, ``covered_weight``, ``covered_share``, ``mean_distance_km``,
        ``p90_distance_km``, ``max_distance_km``, ``objective`` (covered weight for MCLP,
        total weighted distance for p-median) and ``status``.
    """
    return scenario_table(solve_scenarios(cost, weights, radius_km=radius_km, k_max=k_max, existing=existing, models=models))
