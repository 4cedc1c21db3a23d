"""Which counter do residents use? Huff-type probabilistic choice between counters.

The share of area ``i``'s demand going to counter ``j`` is

    P_ij = A_j f(d_ij) / sum_k A_k f(d_ik)

with attractiveness ``A_j`` (default 1 for every counter) and a distance-decay function
``f(d) = exp(-beta d)`` ("exponential") or ``f(d) = d^-beta`` ("power"). ``beta`` is NOT
sourced here: there is no published distance-decay estimate for Haarlem counter visits, so
it is a required argument; use :func:`sensitivity` to show how results depend on it.

Pure functions, no I/O; inputs are never mutated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from decentraal.errors import DataError, ParameterError

__all__ = ["huff_shares", "allocate", "sensitivity"]


def _check_distance(distance_km: pd.DataFrame) -> np.ndarray:
    if distance_km.shape[1] == 0:
        raise DataError("distance_km has no counter columns; pass at least one counter.")
    if not distance_km.columns.is_unique:
        raise DataError(f"distance_km has duplicate counter columns {list(distance_km.columns)}; make them unique.")
    if not distance_km.index.is_unique:
        raise DataError("distance_km has duplicate area rows; make the index unique.")
    d = distance_km.to_numpy(dtype=float)
    if not np.all(np.isfinite(d)):
        raise DataError("distance_km contains missing or infinite distances; compute all area-counter pairs.")
    if np.any(d < 0):
        raise DataError("distance_km contains negative distances; distances must be >= 0 km.")
    return d


def huff_shares(
    distance_km: pd.DataFrame,
    *,
    beta: float,
    attractiveness: pd.Series | None = None,
    model: Literal["power", "exponential"] = "exponential",
    min_distance_km: float = 0.1,
) -> pd.DataFrame:
    """Share of each area's demand going to each counter (Huff model).

    Parameters
    ----------
    distance_km : pd.DataFrame
        Rows = areas, columns = counters, distances in km (>= 0, finite).
    beta : float
        Distance-decay parameter, >= 0 (per km for "exponential", dimensionless exponent for
        "power"). ``beta = 0`` means distance does not matter.
    attractiveness : pd.Series, optional
        ``A_j`` per counter (index = counter ids, all > 0, must cover every column). Default 1.
    model : {"exponential", "power"}, default "exponential"
        Decay function ``exp(-beta d)`` or ``d^-beta``.
    min_distance_km : float, default 0.1
        Power model only: distances are floored at this value before taking ``d^-beta`` so a
        counter at distance 0 does not get an infinite weight. This is a numerical floor
        (a modelling choice, not an empirical value): 0.1 km is roughly the size of a city
        block, below which an area-centroid distance has no meaning. Ignored for the
        exponential model.

    Returns
    -------
    pd.DataFrame
        Same shape, index and columns as ``distance_km``; every row sums to 1.
        Computed in log space (log-sum-exp), so large ``beta * d`` does not underflow.

    Raises
    ------
    ParameterError
        beta < 0 or not finite, unknown model, min_distance_km <= 0.
    DataError
        Bad distances or attractiveness.
    """
    if not (isinstance(beta, (int, float, np.floating, np.integer)) and math.isfinite(beta) and beta >= 0):
        raise ParameterError(f"beta={beta!r} is invalid; pass a finite number >= 0 (0 = distance does not matter).")
    if model not in ("exponential", "power"):
        raise ParameterError(f"model={model!r}; use 'exponential' or 'power'.")
    d = _check_distance(distance_km)
    if attractiveness is None:
        log_a = np.zeros(d.shape[1])
    else:
        missing = [c for c in distance_km.columns if c not in attractiveness.index]
        if missing:
            raise DataError(f"attractiveness lacks counter(s) {missing}; give a value for every column of distance_km.")
        a = attractiveness.reindex(distance_km.columns).to_numpy(dtype=float)
        if not np.all(np.isfinite(a)) or np.any(a <= 0):
            raise DataError("attractiveness must be finite and > 0 for every counter.")
        log_a = np.log(a)
    if model == "exponential":
        log_w = log_a[None, :] - beta * d
    else:
        if not (math.isfinite(min_distance_km) and min_distance_km > 0):
            raise ParameterError(f"min_distance_km={min_distance_km!r}; must be > 0 for the power model.")
        log_w = log_a[None, :] - beta * np.log(np.maximum(d, min_distance_km))
    log_w = log_w - log_w.max(axis=1, keepdims=True)
    w = np.exp(log_w)
    shares = w / w.sum(axis=1, keepdims=True)
    out = pd.DataFrame(shares, index=distance_km.index, columns=distance_km.columns)
    out.attrs.update({"beta": float(beta), "model": model})
    return out


def allocate(demand: pd.Series, shares: pd.DataFrame) -> pd.Series:
    """Visits per counter: ``sum_i demand_i * share_ij``.

    Parameters
    ----------
    demand : pd.Series
        Visits per area (index = areas), >= 0.
    shares : pd.DataFrame
        Output of :func:`huff_shares` (rows = areas, columns = counters, rows sum to 1).

    Returns
    -------
    pd.Series
        Visits per counter (index = counters), name ``"bezoeken"``; sums to ``demand.sum()``.

    Raises
    ------
    DataError
        If the areas of ``demand`` and ``shares`` differ, or values are invalid.
    """
    if set(demand.index) != set(shares.index) or len(demand) != len(shares):
        only_d = sorted(map(str, set(demand.index) - set(shares.index)))[:10]
        only_s = sorted(map(str, set(shares.index) - set(demand.index)))[:10]
        raise DataError(
            f"demand and shares cover different areas (only in demand: {only_d}; only in shares: {only_s}); "
            "align them on the same area codes."
        )
    dem = demand.reindex(shares.index).to_numpy(dtype=float)
    if not np.all(np.isfinite(dem)) or np.any(dem < 0):
        raise DataError("demand has missing, infinite or negative values; visits per area must be >= 0.")
    s = shares.to_numpy(dtype=float)
    if not np.allclose(s.sum(axis=1), 1.0, atol=1e-9):
        raise DataError("shares rows do not sum to 1; pass the output of huff_shares.")
    return pd.Series(dem @ s, index=shares.columns, name="bezoeken")


def sensitivity(
    distance_km: pd.DataFrame,
    demand: pd.Series,
    betas: Sequence[float],
    **kw: Any,
) -> pd.DataFrame:
    """Visits per counter for several values of ``beta``.

    Parameters
    ----------
    distance_km : pd.DataFrame
        Rows = areas, columns = counters (km).
    demand : pd.Series
        Visits per area.
    betas : sequence of float
        Values of beta to try (each >= 0).
    **kw
        Passed to :func:`huff_shares` (``attractiveness``, ``model``, ``min_distance_km``).

    Returns
    -------
    pd.DataFrame
        LONG format, one row per (beta, counter): columns ``beta``, ``loket`` (counter id),
        ``bezoeken`` (visits per year) and ``aandeel`` (share of total visits). Use
        ``.pivot(index="beta", columns="loket", values="bezoeken")`` for a wide table.
    """
    if len(betas) == 0:
        raise ParameterError("betas is empty; pass at least one beta value.")
    rows = []
    total = float(demand.sum())
    for b in betas:
        visits = allocate(demand, huff_shares(distance_km, beta=b, **kw))
        for counter, v in visits.items():
            rows.append(
                {"beta": float(b), "loket": counter, "bezoeken": float(v), "aandeel": float(v) / total if total > 0 else np.nan}
            )
    return pd.DataFrame(rows, columns=["beta", "loket", "bezoeken", "aandeel"])
