"""Exact siting for a few new counters by enumerating every candidate subset, plus the runners-up.

:mod:`decentraal.methods.siting` solves MCLP and p-median as integer programmes (spopt + CBC)
and returns one optimal site set. For the handful of new counters a municipality considers
(``k_new <= 3``) and the 20-30 candidate locations it has, every subset can simply be
evaluated: ``C(30, 3) = 4,060`` subsets of an ``areas x sites`` distance matrix take a few
milliseconds with numpy. That gives the optimum (the same objective as the MIP) and, more
usefully, *every* site set whose objective is within a tolerance of the optimum: when ten sets
are within 2 %, the choice between them is not a question the model can settle.

Model in short
--------------
``d_ij`` km from area (or demand point) ``i`` to site ``j``; weights ``w_i >= 0``; ``E`` the
existing counters (always open); a subset ``S`` of ``k_new`` candidates. With the nearest open
site ``D_i(S) = min_{j in E u S} d_ij``:

* p-median: minimise ``Z(S) = sum_i w_i D_i(S)`` (weight x km). Near-optimal:
  ``Z(S) <= (1 + tol) Z*``; gap ``(Z(S) - Z*) / Z*``.
* maximal coverage (MCLP): maximise ``C(S) = sum_i w_i [D_i(S) <= r]``. Near-optimal:
  ``C(S) >= (1 - tol) C*``; gap ``(C* - C(S)) / C*``. Ranked by ``C`` (descending), ties by
  ``Z(S)`` (ascending), the tie-break of :func:`decentraal.methods.siting.solve_mclp`.
* target group (optional, both models): with target weights ``t_i`` (e.g. residents 65+),
  only subsets with ``sum_i t_i [D_i(S) <= r] >= s_min sum_i t_i`` are admissible; the optimum
  and the near-optimal set are taken among those. Example: maximise coverage of all residents
  subject to at least 90 % of the 65+ within reach.
* weighted sum of two groups: no extra option; pass ``weights = w + lam * t``. Then
  ``C(S) = sum_i (w_i + lam t_i) [D_i(S) <= r]``, i.e. each 65+ resident counts ``1 + lam``
  times (``lam = 1``: twice).

Rows are ranked by objective, then by site ids in cost-column order, so the ranking is
deterministic. Pure functions, no I/O (:func:`bench_siting` runs spopt/CBC, which exchanges
temporary files with PuLP in the system temp directory, like :mod:`~decentraal.methods.siting`).

Example
-------
>>> import pandas as pd
>>> cost = pd.DataFrame({"centraal": [0.0, 3.0, 6.0], "a": [3.0, 0.0, 3.0], "b": [6.0, 3.0, 0.0]},
...                     index=["x", "y", "z"])
>>> w = pd.Series([1.0, 1.0, 1.5], index=cost.index)
>>> res = near_optimal_pmedian(cost, w, k_new=1, existing=["centraal"], tolerance=0.6)
>>> res.table[["new_sites", "objective", "gap"]]
  new_sites  objective  gap
0      (b,)        3.0  0.0
1      (a,)        4.5  0.5
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from decentraal.errors import DataError, ParameterError

__all__ = [
    "NearOptimalResult",
    "TABLE_COLUMNS",
    "near_optimal_pmedian",
    "near_optimal_mclp",
    "bench_siting",
]

#: Columns of :attr:`NearOptimalResult.table`.
TABLE_COLUMNS: tuple[str, ...] = (
    "rank",
    "new_sites",
    "objective",
    "gap",
    "total_weighted_distance",
    "mean_distance_km",
    "covered_weight",
    "covered_share",
    "target_covered_share",
)

#: Refuse enumerations larger than this many subsets (use the MIP in ``siting`` instead).
MAX_SUBSETS = 250_000

#: Elements (areas x subsets) evaluated per numpy block; bounds memory at ~30 MB per array.
_BLOCK_ELEMENTS = 4_000_000


@dataclass(frozen=True, eq=False)
class NearOptimalResult:
    """The optimum and every site set within ``tolerance`` of it, from full enumeration.

    Attributes
    ----------
    model : str
        "pmedian" or "mclp".
    k_new : int
        Number of new sites per set.
    existing : tuple of str
        Existing counters, open in every set.
    optimum : float
        Optimal objective among admissible sets: ``Z*`` (weight x km, p-median) or ``C*``
        (covered weight, MCLP).
    tolerance : float
        Relative tolerance that defines "near-optimal".
    radius_km : float or None
        Coverage radius (None: coverage columns are NaN).
    min_target_share : float or None
        Target-group constraint ``s_min`` (None: no constraint).
    n_subsets : int
        Subsets enumerated (``C(n_candidates, k_new)``).
    n_admissible : int
        Subsets meeting the target-group constraint (all of them without one).
    table : pd.DataFrame
        One row per near-optimal set, best first, columns :data:`TABLE_COLUMNS`: ``rank``
        (1 = optimum), ``new_sites`` (tuple of candidate ids in cost-column order),
        ``objective``, ``gap`` (relative distance to the optimum, >= 0),
        ``total_weighted_distance`` (``Z``), ``mean_distance_km`` (``Z / sum w``),
        ``covered_weight`` and ``covered_share`` (``C``, ``C / sum w``; NaN without radius),
        ``target_covered_share`` (NaN without target).
    """

    model: str
    k_new: int
    existing: tuple[str, ...]
    optimum: float
    tolerance: float
    radius_km: float | None
    min_target_share: float | None
    n_subsets: int
    n_admissible: int
    table: pd.DataFrame = field(repr=False)

    @property
    def best_sites(self) -> tuple[str, ...]:
        """The new sites of the optimal set (rank 1)."""
        return tuple(self.table["new_sites"].iloc[0])

    @property
    def n_near_optimal(self) -> int:
        """Number of sets within the tolerance (including the optimum)."""
        return len(self.table)

    def site_frequency(self) -> pd.Series:
        """Share of the near-optimal sets that contain each candidate site.

        Returns
        -------
        pd.Series
            Index = candidate ids that occur in at least one near-optimal set, values in
            (0, 1], sorted descending (ties by id). A site at 1.0 is in every set within the
            tolerance: the choice of that site is robust to the tolerance.
        """
        counts = pd.Series([s for sites in self.table["new_sites"] for s in sites], dtype=object).value_counts()
        share = (counts / len(self.table)).rename("share")
        share.index.name = "site"
        return share.sort_index(kind="stable").sort_values(ascending=False, kind="stable")


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def _weights(values: pd.Series, cost: pd.DataFrame, what: str) -> np.ndarray:
    if not isinstance(values, pd.Series):
        raise DataError(f"{what} must be a pandas Series indexed by the areas of cost (got {type(values).__name__}).")
    if not values.index.is_unique:
        raise DataError(f"{what} has duplicate area codes; aggregate or drop them so each area appears once.")
    if set(values.index) != set(cost.index) or len(values) != len(cost):
        only_w = sorted(map(str, set(values.index) - set(cost.index)))[:10]
        only_c = sorted(map(str, set(cost.index) - set(values.index)))[:10]
        raise DataError(
            f"{what} and cost cover different areas (only in {what}: {only_w}; only in cost: {only_c}); "
            "align them on the same area codes."
        )
    w = values.reindex(cost.index).to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise DataError(f"{what} has missing, infinite or negative values; weights must be finite and >= 0 (fill suppressed counts first).")
    if w.sum() <= 0:
        raise DataError(f"{what} sums to 0; at least one area needs a positive weight.")
    return w


def _prepare(
    cost: pd.DataFrame, weights: pd.Series, existing: Sequence[str], k_new: int, max_subsets: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Distances, weights, base distance to the existing counters, candidate column positions."""
    if not isinstance(cost, pd.DataFrame):
        raise DataError(f"cost must be a DataFrame (rows = areas, columns = sites), got {type(cost).__name__}.")
    if not cost.columns.is_unique:
        raise DataError(f"cost has duplicate site columns; make site ids unique (got {list(cost.columns)}).")
    if not cost.index.is_unique:
        raise DataError("cost has duplicate area rows; make the area index unique.")
    d = cost.to_numpy(dtype=float)
    if d.size == 0:
        raise DataError("cost is empty; pass at least one area row and one site column.")
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise DataError("cost has missing, infinite or negative distances; every area-site distance must be >= 0 km.")
    w = _weights(weights, cost, "weights")
    existing = list(existing)
    if len(set(existing)) != len(existing):
        raise ParameterError(f"existing repeats a site: {existing}; list each counter once.")
    unknown = [e for e in existing if e not in cost.columns]
    if unknown:
        raise ParameterError(f"existing site(s) {unknown} are not columns of cost {list(cost.columns)}; add their distances.")
    if isinstance(k_new, bool) or not isinstance(k_new, (int, np.integer)) or k_new < 0:
        raise ParameterError(f"k_new={k_new!r}; pass a whole number >= 0.")
    ex = set(existing)
    cand = [j for j, c in enumerate(cost.columns) if c not in ex]
    if k_new > len(cand):
        raise ParameterError(f"k_new={k_new} exceeds the {len(cand)} candidate site(s) in cost; lower k_new or add candidates.")
    if not existing and k_new == 0:
        raise ParameterError("no existing counters and k_new=0: nothing would be open; set k_new >= 1.")
    n_sub = math.comb(len(cand), int(k_new))
    if n_sub > max_subsets:
        raise ParameterError(
            f"k_new={k_new} with {len(cand)} candidates gives {n_sub:,} subsets, more than max_subsets={max_subsets:,}; "
            "use decentraal.methods.siting (MIP) for this size, or raise max_subsets."
        )
    ex_idx = [j for j, c in enumerate(cost.columns) if c in ex]
    base = d[:, ex_idx].min(axis=1) if ex_idx else np.full(len(d), np.inf)
    return d, w, base, cand


def _check_tolerance(tolerance: float) -> float:
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float, np.floating, np.integer)) or not (0 <= tolerance < 1):
        raise ParameterError(f"tolerance={tolerance!r}; pass a relative tolerance in [0, 1), e.g. 0.02 for 2 %.")
    return float(tolerance)


def _check_radius(radius_km: float | None, *, required: bool) -> float | None:
    if radius_km is None:
        if required:
            raise ParameterError("radius_km is required here; pass the coverage radius in km (config: dekkingsafstand_km).")
        return None
    if isinstance(radius_km, bool) or not isinstance(radius_km, (int, float, np.floating, np.integer)) or not (
        math.isfinite(radius_km) and radius_km >= 0
    ):
        raise ParameterError(f"radius_km={radius_km!r}; pass a distance >= 0 in km.")
    return float(radius_km)


def _check_target(
    cost: pd.DataFrame, target: pd.Series | None, min_target_share: float | None, radius_km: float | None
) -> np.ndarray | None:
    if target is None:
        if min_target_share is not None:
            raise ParameterError("min_target_share is set but target is None; pass the target-group weights (e.g. residents 65+).")
        return None
    t = _weights(target, cost, "target")
    if radius_km is None:
        raise ParameterError("a target group needs radius_km (its coverage is the share within the radius); pass radius_km.")
    if min_target_share is not None and (
        isinstance(min_target_share, bool) or not isinstance(min_target_share, (int, float, np.floating, np.integer))
        or not (0 <= min_target_share <= 1)
    ):
        raise ParameterError(f"min_target_share={min_target_share!r}; pass a share in [0, 1], e.g. 0.9 for 90 %.")
    return t


# ---------------------------------------------------------------------------
# Enumeration
# ---------------------------------------------------------------------------


def _combinations(n: int, k: int) -> np.ndarray:
    """All k-subsets of range(n) in lexicographic order, shape (C(n, k), k)."""
    if k == 0:
        return np.empty((1, 0), dtype=np.intp)
    flat = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(n), k)), dtype=np.intp)
    return flat.reshape(-1, k)


def _enumerate(
    d: np.ndarray, w: np.ndarray, base: np.ndarray, cand: list[int], k: int,
    radius_km: float | None, target: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Subsets (candidate positions) and, per subset, ``Z``, ``C`` and target coverage."""
    combos = _combinations(len(cand), k)
    cols = np.asarray(cand, dtype=np.intp)[combos]  # (S, k) column positions in d
    n_sub = len(cols)
    z = np.empty(n_sub)
    c = np.full(n_sub, np.nan)
    tc = np.full(n_sub, np.nan)
    block = max(1, _BLOCK_ELEMENTS // max(1, len(d)))
    for start in range(0, n_sub, block):
        part = cols[start:start + block]
        nearest = np.broadcast_to(base[:, None], (len(d), len(part))).copy()  # (A, s)
        for j in range(k):
            np.minimum(nearest, d[:, part[:, j]], out=nearest)
        z[start:start + block] = w @ nearest
        if radius_km is not None:
            covered = (nearest <= radius_km).astype(float)
            c[start:start + block] = w @ covered
            if target is not None:
                tc[start:start + block] = target @ covered
    return cols, z, c, tc


def _near_optimal(
    model: Literal["pmedian", "mclp"],
    cost: pd.DataFrame,
    weights: pd.Series,
    *,
    k_new: int,
    existing: Sequence[str],
    tolerance: float,
    radius_km: float | None,
    target: pd.Series | None,
    min_target_share: float | None,
    max_subsets: int,
) -> NearOptimalResult:
    d, w, base, cand = _prepare(cost, weights, existing, k_new, max_subsets)
    tol = _check_tolerance(tolerance)
    radius = _check_radius(radius_km, required=(model == "mclp"))
    t = _check_target(cost, target, min_target_share, radius)
    cols, z, c, tc = _enumerate(d, w, base, cand, int(k_new), radius, t)
    n_sub = len(cols)
    t_share = tc / t.sum() if t is not None else tc

    admissible = np.ones(n_sub, dtype=bool)
    if min_target_share is not None:
        admissible = t_share >= float(min_target_share) - 1e-12
        if not admissible.any():
            raise ParameterError(
                f"no set of {k_new} new site(s) reaches min_target_share={min_target_share}: the best reaches "
                f"{np.nanmax(t_share):.4f} of the target group within {radius} km; lower min_target_share, raise "
                "radius_km or k_new, or add candidates."
            )

    if model == "pmedian":
        objective = z
        optimum = float(objective[admissible].min())
        eps = 1e-9 * max(1.0, abs(optimum))
        keep = admissible & (objective <= optimum * (1 + tol) + eps)
        gap = (objective - optimum) / optimum if optimum > 0 else np.where(objective > eps, np.inf, 0.0)
        order_keys: tuple[np.ndarray, ...] = (objective,)
    else:
        objective = c
        optimum = float(objective[admissible].max())
        eps = 1e-9 * max(1.0, abs(optimum))
        keep = admissible & (objective >= optimum * (1 - tol) - eps)
        gap = (optimum - objective) / optimum if optimum > 0 else np.zeros(n_sub)
        order_keys = (-objective, z)
    gap = np.maximum(gap, 0.0)

    idx = np.flatnonzero(keep)
    # lexsort: last key is primary. Subsets are enumerated in lexicographic column order, so a
    # stable sort on (objective[, Z]) leaves remaining ties in site order.
    keys = [np.arange(len(idx))] + [k[idx] for k in reversed(order_keys)]
    idx = idx[np.lexsort(keys)]

    names = list(cost.columns)
    total_w = w.sum()
    table = pd.DataFrame(
        {
            "rank": np.arange(1, len(idx) + 1),
            "new_sites": [tuple(names[j] for j in cols[i]) for i in idx],
            "objective": objective[idx],
            "gap": gap[idx],
            "total_weighted_distance": z[idx],
            "mean_distance_km": z[idx] / total_w,
            "covered_weight": c[idx],
            "covered_share": c[idx] / total_w,
            "target_covered_share": t_share[idx],
        },
        columns=list(TABLE_COLUMNS),
    )
    return NearOptimalResult(
        model=model,
        k_new=int(k_new),
        existing=tuple(existing),
        optimum=optimum,
        tolerance=tol,
        radius_km=radius,
        min_target_share=None if min_target_share is None else float(min_target_share),
        n_subsets=n_sub,
        n_admissible=int(admissible.sum()),
        table=table,
    )


def near_optimal_pmedian(
    cost: pd.DataFrame,
    weights: pd.Series,
    *,
    k_new: int,
    existing: Sequence[str],
    tolerance: float = 0.02,
    radius_km: float | None = None,
    target: pd.Series | None = None,
    min_target_share: float | None = None,
    max_subsets: int = MAX_SUBSETS,
) -> NearOptimalResult:
    """p-median by enumeration: the optimum and every set with ``Z <= (1 + tolerance) Z*``.

    Parameters
    ----------
    cost : pd.DataFrame
        Rows = areas (or demand points), columns = site ids (existing + candidates), km.
    weights : pd.Series
        Weight per area (index = ``cost.index``), >= 0.
    k_new : int
        Number of new sites (0: only the existing counters, one row).
    existing : sequence of str
        Existing counters (columns of ``cost``), open in every set. May be empty.
    tolerance : float, default 0.02
        Relative tolerance: sets with ``Z(S) <= (1 + tolerance) Z*`` are listed.
    radius_km : float, optional
        Coverage radius for the coverage columns (not part of the objective); required with
        ``target``.
    target : pd.Series, optional
        Target-group weights per area (e.g. residents 65+); adds ``target_covered_share``.
    min_target_share : float, optional
        Only sets that bring at least this share of ``target`` within ``radius_km`` are
        admissible (optimum and near-optimal set among those).
    max_subsets : int, default :data:`MAX_SUBSETS`
        Refuse larger enumerations (ParameterError naming the size).

    Returns
    -------
    NearOptimalResult
        ``optimum`` = ``Z*`` in weight x km; ``table`` ranked by ``Z``.

    Raises
    ------
    DataError
        Distances or weights invalid, areas of ``cost`` and ``weights`` differ.
    ParameterError
        ``k_new``, ``existing``, ``tolerance``, ``radius_km`` or ``min_target_share`` invalid,
        or no set meets ``min_target_share``.
    """
    return _near_optimal(
        "pmedian", cost, weights, k_new=k_new, existing=existing, tolerance=tolerance, radius_km=radius_km,
        target=target, min_target_share=min_target_share, max_subsets=max_subsets,
    )


def near_optimal_mclp(
    cost: pd.DataFrame,
    weights: pd.Series,
    *,
    radius_km: float,
    k_new: int,
    existing: Sequence[str],
    tolerance: float = 0.02,
    target: pd.Series | None = None,
    min_target_share: float | None = None,
    max_subsets: int = MAX_SUBSETS,
) -> NearOptimalResult:
    """Maximal coverage by enumeration: the optimum and every set with ``C >= (1 - tolerance) C*``.

    An area is covered when its nearest open site is at most ``radius_km`` away (``<=``), as
    in :func:`decentraal.methods.siting.solve_mclp`. Sets are ranked by covered weight, ties by
    total weighted distance (so rank 1 equals ``solve_mclp(..., tie_break="distance")``
    whenever that set is unique).

    Parameters
    ----------
    cost, weights, k_new, existing, tolerance, max_subsets
        As in :func:`near_optimal_pmedian`.
    radius_km : float
        Coverage radius in km (config: ``dekkingsafstand_km``).
    target : pd.Series, optional
        Target-group weights per area (e.g. residents 65+).
    min_target_share : float, optional
        Maximise coverage of ``weights`` subject to covering at least this share of
        ``target``. For a weighted sum instead, pass ``weights + lam * target`` as weights.

    Returns
    -------
    NearOptimalResult
        ``optimum`` = ``C*`` (covered weight); ``table`` ranked by coverage, then distance.

    Raises
    ------
    DataError, ParameterError
        As in :func:`near_optimal_pmedian`.
    """
    return _near_optimal(
        "mclp", cost, weights, k_new=k_new, existing=existing, tolerance=tolerance, radius_km=radius_km,
        target=target, min_target_share=min_target_share, max_subsets=max_subsets,
    )


# ---------------------------------------------------------------------------
# Benchmark
# ---------------------------------------------------------------------------


def _random_instance(n_areas: int, n_sites: int, seed: int, size_km: float = 8.0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    areas = rng.uniform(0, size_km, (n_areas, 2))
    sites = rng.uniform(0, size_km, (n_sites, 2))
    d = np.linalg.norm(areas[:, None, :] - sites[None, :, :], axis=2)
    cost = pd.DataFrame(d, index=[f"A{i:03d}" for i in range(n_areas)], columns=[f"S{j:02d}" for j in range(n_sites)])
    weights = pd.Series(rng.integers(100, 3000, n_areas).astype(float), index=cost.index)
    return cost, weights


def bench_siting(
    *,
    n_areas: int = 110,
    n_sites: int = 25,
    k_values: Sequence[int] = (1, 2, 3),
    radius_km: float = 1.5,
    seed: int = 0,
    repeat: int = 3,
) -> pd.DataFrame:
    """Seconds per solve: enumeration here vs spopt/CBC in :mod:`decentraal.methods.siting`.

    A random instance (``n_areas`` points and ``n_sites`` sites uniform on 8 x 8 km, weights
    100-3,000, site ``S00`` existing) is solved for each ``k`` with both models. Times are the
    best of ``repeat`` runs (wall clock, ``time.perf_counter``); the enumeration time includes
    building the near-optimal table (2 %).

    Returns
    -------
    pd.DataFrame
        Columns ``model``, ``k_new``, ``n_subsets``, ``seconds_enumeration``, ``seconds_spopt``,
        ``speedup`` (spopt / enumeration) and ``same_objective`` (optima agree to 1e-9).
    """
    from decentraal.methods.siting import solve_mclp, solve_pmedian

    cost, w = _random_instance(n_areas, n_sites, seed)
    existing = ["S00"]
    rows = []

    def best_time(fn: Callable[[], Any]) -> tuple[float, Any]:
        times, out = [], None
        for _ in range(max(1, int(repeat))):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return min(times), out

    for model in ("pmedian", "mclp"):
        for k in k_values:
            if model == "pmedian":
                t_enum, enum = best_time(lambda k=k: near_optimal_pmedian(cost, w, k_new=k, existing=existing))
                t_mip, mip = best_time(lambda k=k: solve_pmedian(cost, w, k_new=k, existing=existing))
            else:
                t_enum, enum = best_time(lambda k=k: near_optimal_mclp(cost, w, radius_km=radius_km, k_new=k, existing=existing))
                t_mip, mip = best_time(lambda k=k: solve_mclp(cost, w, radius_km=radius_km, k_new=k, existing=existing))
            rows.append(
                {
                    "model": model,
                    "k_new": int(k),
                    "n_subsets": enum.n_subsets,
                    "seconds_enumeration": t_enum,
                    "seconds_spopt": t_mip,
                    "speedup": t_mip / t_enum if t_enum > 0 else math.inf,
                    "same_objective": bool(abs(enum.optimum - mip.objective) <= 1e-9 * max(1.0, abs(mip.objective))),
                }
            )
    return pd.DataFrame(rows)
