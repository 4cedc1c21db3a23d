"""Which counter do residents use? One explicit choice rule, used by every step downstream.

The rule (:class:`ChoiceRule`) is passed to :func:`choice_shares`, which returns the share of
area ``i``'s demand going to open counter ``j`` (rows sum to 1). Siting objective, loads,
desks, cost, service areas and text should all take their shares from that one call, so they
cannot contradict each other.

``kind="nearest"`` (the default)
    Everyone uses the nearest open counter, the assumption of the p-median siting model.
    ``P_ij = 1 / |N_i|`` if ``j`` is in ``N_i = {k : d_ik <= min_l d_il + tol}``, else 0: an
    area at equal distance (within ``tie_tol_km``) of several counters is split equally over
    them, so the result does not depend on the column order.

``kind="gravity"`` (Huff / multinomial logit)
    ``P_ij = A_j f(d_ij) / sum_k A_k f(d_ik)`` over the open counters, with attractiveness

        A_j = (h_j / h_ref) ** gamma * (product_share if j offers a reduced product range else 1)

    (``h_j`` opening hours per week; ``h_ref`` cancels in ``P_ij``) and distance decay
    ``f(d) = exp(-beta d)`` ("exponential", beta per km) or ``f(d) = d ** -beta`` ("power",
    beta dimensionless, ``d`` floored at ``min_distance_km``). With the exponential form only
    distance DIFFERENCES matter (``P_ij`` is unchanged when a constant is added to every
    ``d_ik``): a resident 0.44 km from one counter and 3.3 km from another is split like one
    at 10.44 and 13.3 km. With the power form only distance RATIOS matter (the relative
    detour); it is the "relative" variant.

``beta`` is NOT sourced here: there is no published distance-decay estimate for Haarlem
counter visits. Treat it as a range (the pipeline passes a draw, :meth:`ChoiceRule.with_beta`),
or estimate it from the municipality's booking data with :func:`fit_gravity` (Poisson GLM with
origin fixed effects, which is the conditional multinomial-logit likelihood of the choices).

:func:`consistency` measures how far a rule departs from "nearest": the share of a counter's
modelled visitors that live nearer another open counter (0 for the nearest rule).

The older functions :func:`huff_shares`, :func:`allocate` and :func:`sensitivity` keep their
behaviour; ``huff_shares(d, beta=b)`` equals ``choice_shares(d, ChoiceRule(kind="gravity",
beta=b, gamma=0))``.

Pure functions, no I/O; inputs are never mutated.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from decentraal.errors import DataError, ParameterError
from decentraal.methods.visitmodel import ModelFitError

__all__ = [
    "huff_shares", "allocate", "sensitivity",
    "ChoiceRule", "NEAREST", "attractiveness", "choice_shares", "consistency", "expected_distance_km",
    "main_counter", "visits_by_rule", "FIT_COLUMNS", "booking_table", "GravityFit", "fit_gravity",
]


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


# =========================================================================== the choice rule
ChoiceKind = Literal["nearest", "gravity"]
Decay = Literal["exponential", "power"]


def _finite(x: object) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) and math.isfinite(float(x))


@dataclass(frozen=True, kw_only=True)
class ChoiceRule:
    """How residents choose between open counters (see the module docstring for the equations).

    Attributes
    ----------
    kind : {"nearest", "gravity"}, default "nearest"
        "nearest": all demand to the nearest open counter (ties split equally).
        "gravity": Huff / logit shares with attractiveness and distance decay.
    beta : float or None
        Gravity only, required there: distance decay, >= 0; per km for "exponential", a
        dimensionless exponent for "power". An assumption unless fitted (:func:`fit_gravity`):
        keep its range in the config and pass a draw (:meth:`with_beta`).
    decay : {"exponential", "power"}, default "exponential"
        ``exp(-beta d)`` (only distance differences matter) or ``d ** -beta`` (only distance
        ratios matter).
    gamma : float, default 1.0
        Gravity only: elasticity of attractiveness to opening hours, >= 0. 1 = proportional to
        hours (a 20-hour counter is half as attractive as a 40-hour one at equal distance);
        0 = hours do not matter (the old equal-attractiveness rule). A modelling choice unless
        fitted.
    product_share : float, default 1.0
        Gravity only: attractiveness factor in (0, 1] of a counter with a reduced product range
        (``site_products`` False); 1 = products do not matter.
    min_distance_km : float, default 0.1
        "power" only: distances are floored here before ``d ** -beta`` (a city block; below it
        an area-centroid distance has no meaning).
    tie_tol_km : float, default 1e-6
        "nearest" only: counters within this distance of the nearest one count as tied.
    """

    kind: ChoiceKind = "nearest"
    beta: float | None = None
    decay: Decay = "exponential"
    gamma: float = 1.0
    product_share: float = 1.0
    min_distance_km: float = 0.1
    tie_tol_km: float = 1e-6

    def __post_init__(self) -> None:
        if self.kind not in ("nearest", "gravity"):
            raise ParameterError(f"ChoiceRule kind={self.kind!r}; use 'nearest' or 'gravity'.")
        if self.decay not in ("exponential", "power"):
            raise ParameterError(f"ChoiceRule decay={self.decay!r}; use 'exponential' or 'power'.")
        if self.kind == "gravity" and self.beta is None:
            raise ParameterError("ChoiceRule kind='gravity' needs beta (distance decay); pass beta=... "
                                 "(a draw from its configured range, or fit_gravity(...).beta).")
        if self.beta is not None and not (_finite(self.beta) and self.beta >= 0):
            raise ParameterError(f"ChoiceRule beta={self.beta!r}; pass a finite number >= 0 (0 = distance does not matter).")
        if not (_finite(self.gamma) and self.gamma >= 0):
            raise ParameterError(f"ChoiceRule gamma={self.gamma!r}; pass a finite number >= 0 (0 = opening hours do not matter).")
        if not (_finite(self.product_share) and 0 < self.product_share <= 1):
            raise ParameterError(f"ChoiceRule product_share={self.product_share!r}; pass a number in (0, 1] (1 = products do not matter).")
        if not (_finite(self.min_distance_km) and self.min_distance_km > 0):
            raise ParameterError(f"ChoiceRule min_distance_km={self.min_distance_km!r}; pass a number > 0 km.")
        if not (_finite(self.tie_tol_km) and self.tie_tol_km >= 0):
            raise ParameterError(f"ChoiceRule tie_tol_km={self.tie_tol_km!r}; pass a number >= 0 km.")

    def with_beta(self, beta: float) -> ChoiceRule:
        """The same rule with another distance decay (e.g. a draw from the configured range).

        Parameters
        ----------
        beta : float
            New decay, >= 0.

        Returns
        -------
        ChoiceRule
            A copy with ``beta`` replaced.
        """
        return dataclasses.replace(self, beta=float(beta))

    @property
    def label(self) -> str:
        """A short, unambiguous description (for tables and logs), e.g. ``gravity exp beta=0.5 gamma=1``."""
        if self.kind == "nearest":
            return "nearest"
        dec = "exp" if self.decay == "exponential" else "power"
        out = f"gravity {dec} beta={self.beta:g} gamma={self.gamma:g}"
        return out + (f" product_share={self.product_share:g}" if self.product_share < 1 else "")


#: The default rule: everyone uses the nearest open counter (consistent with p-median siting).
NEAREST = ChoiceRule()


def _open_distance(distance_km: pd.DataFrame, open_sites: Sequence[str] | None) -> pd.DataFrame:
    if open_sites is None:
        open_sites = list(distance_km.columns)
    open_sites = list(open_sites)
    if not open_sites:
        raise DataError("open_sites is empty; pass at least one open counter.")
    dup = sorted({str(s) for s in open_sites if open_sites.count(s) > 1})
    if dup:
        raise DataError(f"open_sites lists counter(s) {dup} more than once; list each open counter once.")
    missing = [s for s in open_sites if s not in distance_km.columns]
    if missing:
        raise DataError(f"open site(s) {missing} are not columns of distance_km; compute their distances "
                        "or correct the site ids.")
    sub = distance_km[open_sites]
    _check_distance(sub)
    return sub


def _per_site(values: pd.Series | None, sites: Sequence[str], what: str) -> pd.Series | None:
    if values is None:
        return None
    missing = [s for s in sites if s not in values.index]
    if missing:
        raise DataError(f"{what} lacks open counter(s) {missing}; give a value for every open counter.")
    return values.reindex(list(sites))


def attractiveness(
    rule: ChoiceRule,
    sites: Sequence[str],
    *,
    site_hours: pd.Series | None = None,
    site_products: pd.Series | None = None,
) -> pd.Series:
    """Attractiveness ``A_j = (h_j / h_ref) ** gamma * product factor`` of each counter.

    Parameters
    ----------
    rule : ChoiceRule
        Supplies ``gamma`` and ``product_share``.
    sites : sequence of str
        Counter ids.
    site_hours : pd.Series, optional
        Opening hours per week per counter (index = ids, > 0). Required when ``rule.gamma > 0``.
    site_products : pd.Series, optional
        Per counter: True if it offers the full product range, False if reduced (then the
        factor is ``rule.product_share``). None: every counter offers the full range.

    Returns
    -------
    pd.Series
        ``A_j`` indexed by ``sites``, name ``"aantrekkelijkheid"``; ``h_ref`` is the largest
        opening hours among ``sites`` (it cancels in the shares), so the best-open full-range
        counter has ``A = 1``.

    Raises
    ------
    ParameterError
        ``gamma > 0`` but no ``site_hours``.
    DataError
        Hours missing, not finite or <= 0; product flags missing or not boolean.
    """
    sites = list(sites)
    log_a = np.zeros(len(sites))
    if rule.gamma > 0:
        if site_hours is None:
            raise ParameterError(
                f"rule gamma={rule.gamma:g} weighs opening hours but site_hours is None; pass opening hours per "
                "counter (site_hours=...) or set gamma=0 to ignore hours."
            )
        hours = _per_site(site_hours, sites, "site_hours")
        assert hours is not None
        h = pd.to_numeric(hours, errors="coerce").to_numpy(dtype=float)
        bad = [s for s, v in zip(sites, h) if not (math.isfinite(v) and v > 0)]
        if bad:
            raise DataError(f"site_hours of counter(s) {bad} missing, not finite or <= 0; give opening hours per week > 0.")
        log_a += rule.gamma * (np.log(h) - np.log(h.max()))
    if site_products is not None:
        prods = _per_site(site_products, sites, "site_products")
        assert prods is not None
        bad = [s for s, v in prods.items() if not isinstance(v, (bool, np.bool_))]
        if bad:
            raise DataError(f"site_products of counter(s) {bad} is not True/False; True = full product range, "
                            "False = reduced range.")
        reduced = ~prods.to_numpy(dtype=bool)
        log_a += np.where(reduced, math.log(rule.product_share), 0.0)
    return pd.Series(np.exp(log_a), index=pd.Index(sites), name="aantrekkelijkheid")


def choice_shares(
    distance_km: pd.DataFrame,
    rule: ChoiceRule = NEAREST,
    open_sites: Sequence[str] | None = None,
    *,
    site_hours: pd.Series | None = None,
    site_products: pd.Series | None = None,
) -> pd.DataFrame:
    """Share of each area's demand going to each open counter, under ``rule``.

    Parameters
    ----------
    distance_km : pd.DataFrame
        Rows = areas, columns = counters (at least the open ones), km, finite and >= 0.
    rule : ChoiceRule, default NEAREST
        The choice rule (see the module docstring for the equations).
    open_sites : sequence of str, optional
        Counters that are open (columns of ``distance_km``); default all columns. Closed
        counters get no column and no share.
    site_hours : pd.Series, optional
        Opening hours per week per counter. Gravity with ``gamma > 0``: required. Nearest:
        ignored (the nearest counter is used whatever its hours).
    site_products : pd.Series, optional
        True = full product range, False = reduced (attractiveness x ``rule.product_share``).
        Gravity only; None = all full.

    Returns
    -------
    pd.DataFrame
        Rows = areas (index of ``distance_km``), columns = ``open_sites`` in the given order,
        each row sums to 1. ``attrs``: ``"rule"`` (:attr:`ChoiceRule.label`) and, for gravity,
        ``"attractiveness"`` (dict id -> ``A_j``).

    Raises
    ------
    DataError
        Bad distances, unknown or duplicate open sites, bad hours/product flags.
    ParameterError
        Gravity with ``gamma > 0`` and no ``site_hours``.

    Examples
    --------
    >>> d = pd.DataFrame({"centraal": [0.44], "meerwijk": [3.3]}, index=["centrum"])
    >>> choice_shares(d, NEAREST).round(3).loc["centrum"].tolist()
    [1.0, 0.0]
    >>> old = ChoiceRule(kind="gravity", beta=0.5, gamma=0.0)
    >>> choice_shares(d, old).round(3).loc["centrum"].tolist()
    [0.807, 0.193]
    """
    sub = _open_distance(distance_km, open_sites)
    sites = list(sub.columns)
    d = sub.to_numpy(dtype=float)
    if rule.kind == "nearest":
        near = d <= d.min(axis=1, keepdims=True) + rule.tie_tol_km
        shares = near / near.sum(axis=1, keepdims=True)
        out = pd.DataFrame(shares, index=sub.index, columns=sites)
    else:
        a = attractiveness(rule, sites, site_hours=site_hours, site_products=site_products)
        assert rule.beta is not None
        out = huff_shares(sub, beta=float(rule.beta), attractiveness=a, model=rule.decay,
                          min_distance_km=rule.min_distance_km)
        out.attrs.clear()
        out.attrs["attractiveness"] = {str(k): float(v) for k, v in a.items()}
    out.attrs["rule"] = rule.label
    return out


def _check_shares(shares: pd.DataFrame) -> np.ndarray:
    s = shares.to_numpy(dtype=float)
    if s.size == 0 or not np.all(np.isfinite(s)) or np.any(s < -1e-12) or not np.allclose(s.sum(axis=1), 1.0, atol=1e-9):
        raise DataError("shares must be finite, >= 0, with rows summing to 1; pass the output of choice_shares.")
    return s


def _weights(demand: pd.Series | None, index: pd.Index) -> np.ndarray:
    if demand is None:
        return np.ones(len(index))
    missing = [a for a in index if a not in demand.index]
    if missing:
        raise DataError(f"demand lacks area(s) {missing[:10]}; give a demand for every row of shares.")
    w = pd.to_numeric(demand.reindex(index), errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise DataError("demand has missing, infinite or negative values; visits per area must be >= 0.")
    return w


def consistency(
    shares: pd.DataFrame,
    assignment: pd.Series,
    *,
    demand: pd.Series | None = None,
    distance_km: pd.DataFrame | None = None,
    tie_tol_km: float = 1e-6,
) -> pd.DataFrame:
    """How far modelled visits depart from "everyone uses the nearest counter".

    Parameters
    ----------
    shares : pd.DataFrame
        Output of :func:`choice_shares` (rows = areas, columns = open counters).
    assignment : pd.Series
        Area -> nearest open counter (e.g. ``SitingResult.assignment``).
    demand : pd.Series, optional
        Visits per area; default 1 per area (then the shares are of areas, not visitors).
    distance_km : pd.DataFrame, optional
        If given, an area tied (within ``tie_tol_km``) between several nearest counters counts
        as living nearest to each of them, so the nearest rule's equal split of ties is not
        counted as a departure. Without it the tie-break of ``assignment`` is taken as given.
    tie_tol_km : float, default 1e-6
        Tie tolerance, as in :class:`ChoiceRule`.

    Returns
    -------
    pd.DataFrame
        One row per counter (column order of ``shares``):

        - ``loket``: counter id;
        - ``bezoeken``: modelled visits ``V_j = sum_i w_i P_ij``;
        - ``bezoeken_dichterbij_ander``: visits from areas for which ``j`` is not a nearest
          counter;
        - ``aandeel_dichterbij_ander``: their share of ``V_j`` (0 when ``V_j = 0``);
        - ``eigen_gebied``: demand of the areas whose nearest counter is ``j``;
        - ``aandeel_eigen_gebied_elders``: share of that demand modelled to go elsewhere.

        ``attrs["aandeel_niet_dichtstbij"]``: share of all visits that go to a counter that is
        not the visitor's nearest. All columns are 0 for the nearest rule.

    Raises
    ------
    DataError
        Areas or counters of ``assignment`` / ``distance_km`` that do not match ``shares``.
    """
    s = _check_shares(shares)
    sites = list(shares.columns)
    missing = [a for a in shares.index if a not in assignment.index]
    if missing:
        raise DataError(f"assignment lacks area(s) {missing[:10]}; pass the nearest counter of every row of shares.")
    assigned = assignment.reindex(shares.index)
    unknown = sorted({str(v) for v in assigned if v not in sites})
    if unknown:
        raise DataError(f"assignment names counter(s) {unknown} that are not columns of shares; use the same open sites.")
    col = {c: k for k, c in enumerate(sites)}
    assigned_idx = np.array([col[v] for v in assigned], dtype=int)
    rows = np.arange(len(assigned_idx))
    if distance_km is not None:
        no_rows = [a for a in shares.index if a not in distance_km.index]
        if no_rows:
            raise DataError(f"distance_km lacks area(s) {no_rows[:10]}; pass distances for every row of shares.")
        d = _check_distance(_open_distance(distance_km, sites).reindex(shares.index))
        nearest = d <= d.min(axis=1, keepdims=True) + tie_tol_km
        wrong = [str(a) for a, ok in zip(shares.index, nearest[rows, assigned_idx]) if not ok]
        if wrong:
            raise DataError(f"assignment is not a nearest open counter for area(s) {wrong[:10]}; pass the assignment "
                            "computed for the same open sites and distances.")
    else:
        nearest = np.zeros(s.shape, dtype=bool)
        nearest[rows, assigned_idx] = True
    w = _weights(demand, shares.index)
    visits = w[:, None] * s
    total = visits.sum(axis=0)
    foreign = np.where(nearest, 0.0, visits).sum(axis=0)
    # demand of each area split over its nearest counters; leak = share of the area sent elsewhere
    part = w[:, None] * nearest / nearest.sum(axis=1, keepdims=True)
    leak = 1.0 - (s * nearest).sum(axis=1, keepdims=True)
    own_area = part.sum(axis=0)
    own_leak = (part * leak).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({
            "loket": sites,
            "bezoeken": total,
            "bezoeken_dichterbij_ander": foreign,
            "aandeel_dichterbij_ander": np.where(total > 0, foreign / np.where(total > 0, total, 1.0), 0.0),
            "eigen_gebied": own_area,
            "aandeel_eigen_gebied_elders": np.where(own_area > 0, own_leak / np.where(own_area > 0, own_area, 1.0), 0.0),
        })
    grand = float(visits.sum())
    out.attrs["aandeel_niet_dichtstbij"] = float(foreign.sum()) / grand if grand > 0 else 0.0
    return out


def expected_distance_km(shares: pd.DataFrame, distance_km: pd.DataFrame, demand: pd.Series | None = None) -> float:
    """Demand-weighted mean distance travelled under the shares: ``sum_i w_i sum_j P_ij d_ij / sum_i w_i``.

    Under the nearest rule this is the p-median objective divided by total demand, so the
    siting objective can be evaluated under the same rule as the loads.

    Parameters
    ----------
    shares : pd.DataFrame
        Output of :func:`choice_shares`.
    distance_km : pd.DataFrame
        Distances with at least the rows and columns of ``shares``.
    demand : pd.Series, optional
        Weights per area; default 1.

    Returns
    -------
    float
        Mean distance in km (NaN if total demand is 0).
    """
    s = _check_shares(shares)
    d = _check_distance(_open_distance(distance_km, list(shares.columns)).reindex(shares.index))
    w = _weights(demand, shares.index)
    return float((w * (s * d).sum(axis=1)).sum() / w.sum()) if w.sum() > 0 else math.nan


def main_counter(shares: pd.DataFrame) -> pd.Series:
    """The counter with the largest share per area (service area under the rule).

    Ties go to the first counter in column order, as in :class:`~decentraal.methods.siting.SitingResult`.
    Under the nearest rule this is the nearest counter; under gravity a nearby small counter
    can lose its area to a larger one further away.

    Parameters
    ----------
    shares : pd.DataFrame
        Output of :func:`choice_shares`.

    Returns
    -------
    pd.Series
        Area -> counter id, name ``"loket"``.
    """
    s = _check_shares(shares)
    return pd.Series(np.asarray(shares.columns)[s.argmax(axis=1)], index=shares.index, name="loket")


def visits_by_rule(
    distance_km: pd.DataFrame,
    demand: pd.Series,
    rules: Mapping[str, ChoiceRule],
    open_sites: Sequence[str] | None = None,
    *,
    site_hours: pd.Series | None = None,
    site_products: pd.Series | None = None,
) -> pd.DataFrame:
    """Visits per counter under several rules side by side (e.g. nearest, gravity low/high beta).

    Parameters
    ----------
    distance_km, open_sites, site_hours, site_products
        As in :func:`choice_shares`.
    demand : pd.Series
        Visits per area.
    rules : mapping of str to ChoiceRule
        Name shown in the output -> rule.

    Returns
    -------
    pd.DataFrame
        LONG format, one row per (rule, counter): ``regel`` (name), ``omschrijving``
        (:attr:`ChoiceRule.label`), ``loket``, ``bezoeken``, ``aandeel`` (of all visits) and
        ``aandeel_dichterbij_ander`` (see :func:`consistency`).
    """
    if not rules:
        raise ParameterError("rules is empty; pass at least one named ChoiceRule (e.g. {'dichtstbij': NEAREST}).")
    nearest = choice_shares(distance_km, NEAREST, open_sites)
    assignment = main_counter(nearest)
    frames = []
    for name, rule in rules.items():
        sh = choice_shares(distance_km, rule, open_sites, site_hours=site_hours, site_products=site_products)
        visits = allocate(demand, sh)
        cons = consistency(sh, assignment, demand=demand, distance_km=distance_km, tie_tol_km=rule.tie_tol_km)
        total = float(visits.sum())
        frames.append(pd.DataFrame({
            "regel": name, "omschrijving": rule.label, "loket": list(visits.index), "bezoeken": visits.to_numpy(),
            "aandeel": visits.to_numpy() / total if total > 0 else np.nan,
            "aandeel_dichterbij_ander": cons["aandeel_dichterbij_ander"].to_numpy(),
        }))
    return pd.concat(frames, ignore_index=True)


# =========================================================================== estimation
#: Columns :func:`fit_gravity` needs (``reduced_products`` is optional).
FIT_COLUMNS: tuple[str, ...] = ("origin", "destination", "count", "distance_km", "log_hours")


def booking_table(
    bookings: pd.DataFrame,
    distance_km: pd.DataFrame,
    site_hours: pd.Series,
    site_products: pd.Series | None = None,
    *,
    open_by_year: Mapping[int, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Turn validated bookings into the complete origin x counter table :func:`fit_gravity` needs.

    The Poisson/logit likelihood needs the ZERO counts too: every counter that was open in a
    year is a choice for every area in that year, booked or not. Each (area, year) is one
    origin (``"<gebied>|<jaar>"``), so its fixed effect absorbs that year's demand.

    Parameters
    ----------
    bookings : pd.DataFrame
        Columns ``gebied``, ``loket``, ``jaar``, ``boekingen`` (as returned by
        ``decentraal.io.bookings.read_bookings``).
    distance_km : pd.DataFrame
        Rows = every ``gebied`` of the bookings, columns = every counter, km.
    site_hours : pd.Series
        Opening hours per week per counter (in the booking years).
    site_products : pd.Series, optional
        True = full product range, False = reduced; gives column ``reduced_products``.
    open_by_year : mapping of int to sequence of str, optional
        Counters open in each year. Default: the counters with at least one booking that year
        (a counter with no booking at all in a year is taken to have been closed).

    Returns
    -------
    pd.DataFrame
        ``origin``, ``gebied``, ``jaar``, ``destination``, ``count``, ``distance_km``,
        ``log_hours`` and, with ``site_products``, ``reduced_products`` (0/1).

    Raises
    ------
    DataError
        Areas or counters without distance, counters without hours, bookings at a counter
        that ``open_by_year`` says was closed; each listed.
    """
    need = ["gebied", "loket", "jaar", "boekingen"]
    missing_cols = [c for c in need if c not in bookings.columns]
    if missing_cols:
        raise DataError(f"bookings lack column(s) {missing_cols}; read the file with decentraal.io.bookings.read_bookings.")
    areas = sorted(set(bookings["gebied"]))
    no_dist = [a for a in areas if a not in distance_km.index]
    if no_dist:
        raise DataError(f"no distances for booking area(s) {no_dist}; compute distance_km for every gebied in the bookings.")
    years = sorted({int(y) for y in bookings["jaar"]})
    if open_by_year is None:
        open_by_year = {y: sorted(set(bookings.loc[(bookings["jaar"] == y) & (bookings["boekingen"] > 0), "loket"])) for y in years}
    else:
        no_year = [y for y in years if y not in open_by_year]
        if no_year:
            raise DataError(f"open_by_year lacks year(s) {no_year}; list the open counters of every booking year.")
        closed = bookings.loc[[(r.loket not in open_by_year[int(r.jaar)]) and r.boekingen > 0
                               for r in bookings.itertuples()]]
        if len(closed):
            listed = "; ".join(f"{r.gebied}/{r.loket}/{r.jaar}" for r in closed.itertuples())
            raise DataError(f"bookings at counters that open_by_year says were closed ({listed}); correct open_by_year or the bookings.")
    counters = sorted({c for y in years for c in open_by_year[y]})
    no_col = [c for c in counters if c not in distance_km.columns]
    if no_col:
        raise DataError(f"no distances to counter(s) {no_col}; add them as columns of distance_km.")
    no_hours = [c for c in counters if c not in site_hours.index]
    if no_hours:
        raise DataError(f"site_hours lacks counter(s) {no_hours}; give the opening hours of every counter in the bookings.")
    if site_products is not None:
        no_prod = [c for c in counters if c not in site_products.index]
        if no_prod:
            raise DataError(f"site_products lacks counter(s) {no_prod}; give True/False for every counter in the bookings.")
    counts = bookings.groupby(["gebied", "loket", "jaar"])["boekingen"].sum()
    rows = []
    for y in years:
        for a in areas:
            for c in open_by_year[y]:
                rows.append((f"{a}|{y}", a, y, c, float(counts.get((a, c, y), 0)), float(distance_km.at[a, c]),
                             math.log(float(site_hours[c]))))
    out = pd.DataFrame(rows, columns=["origin", "gebied", "jaar", "destination", "count", "distance_km", "log_hours"])
    if site_products is not None:
        out["reduced_products"] = (~out["destination"].map(site_products).astype(bool)).astype(int)
    return out


@dataclass(frozen=True, kw_only=True)
class GravityFit:
    """A gravity (Huff / conditional logit) model fitted on booking counts.

    ``log E[n_ij] = alpha_i - beta g(d_ij) + gamma log h_j + theta r_j`` with origin fixed
    effects ``alpha_i``, ``g(d) = d`` (exponential) or ``log max(d, d_min)`` (power), and
    ``r_j = 1`` for a reduced product range; ``product_share = exp(theta)``.

    Attributes
    ----------
    decay : {"exponential", "power"}
    beta, beta_se : float
        Distance decay and its standard error.
    beta_ci : tuple of float
        Wald interval at ``level``; use it as the configured beta RANGE.
    gamma, gamma_se : float
        Hours elasticity (``gamma_se`` is NaN when ``gamma`` was fixed, ``gamma_fixed``).
    gamma_ci : tuple of float
    gamma_fixed : bool
        True if ``gamma`` was given, not estimated.
    product_share : float or None
        ``exp(theta)``; None when there is no product flag or it does not vary.
    product_share_ci : tuple of float or None
    level : float
        Confidence level of the intervals.
    se_kind : {"quasi", "poisson"}
        "quasi": standard errors scaled by ``sqrt(max(1, dispersion))`` (quasi-Poisson);
        "poisson": model-based (too narrow under overdispersion).
    dispersion : float
        Pearson chi2 / residual df; about 1 if the Poisson variance holds, > 1 overdispersion.
    overdispersed : bool
        ``dispersion > 1.5``: counts vary more than Poisson (e.g. repeat bookings, clustered
        households); then keep ``se_kind="quasi"``.
    deviance, pearson_chi2, df_resid : float
    n_pairs, n_origins, n_bookings : int
        Rows, origins and bookings used.
    n_origins_empty : int
        Origins with no booking at all (they carry no information on the choice and are left
        out of the fit; their number is reported here).
    converged : bool
    """

    decay: Decay
    beta: float
    beta_se: float
    beta_ci: tuple[float, float]
    gamma: float
    gamma_se: float
    gamma_ci: tuple[float, float]
    gamma_fixed: bool
    product_share: float | None
    product_share_ci: tuple[float, float] | None
    level: float
    se_kind: str
    dispersion: float
    overdispersed: bool
    deviance: float
    pearson_chi2: float
    df_resid: float
    n_pairs: int
    n_origins: int
    n_bookings: int
    n_origins_empty: int
    converged: bool
    min_distance_km: float = 0.1

    def to_rule(self, beta: float | None = None) -> ChoiceRule:
        """The fitted gravity rule (``beta`` defaults to the estimate; pass a CI end for a bound).

        A :class:`ChoiceRule` needs ``beta >= 0``, ``gamma >= 0`` and ``product_share`` in
        (0, 1]; an estimate outside those bounds (the data show no decay, no hours effect or no
        product penalty) is clipped to the bound. Check :meth:`summary` before using the rule.
        """
        return ChoiceRule(kind="gravity", beta=max(0.0, float(self.beta if beta is None else beta)), decay=self.decay,
                          gamma=max(0.0, self.gamma), product_share=min(1.0, self.product_share or 1.0),
                          min_distance_km=self.min_distance_km)

    def summary(self) -> pd.DataFrame:
        """One row per parameter: ``parameter``, ``schatting``, ``se``, ``ondergrens``, ``bovengrens``."""
        rows = [("beta", self.beta, self.beta_se, *self.beta_ci), ("gamma", self.gamma, self.gamma_se, *self.gamma_ci)]
        if self.product_share is not None and self.product_share_ci is not None:
            rows.append(("product_share", self.product_share, math.nan, *self.product_share_ci))
        return pd.DataFrame(rows, columns=["parameter", "schatting", "se", "ondergrens", "bovengrens"])


def _within_variation(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``x`` minus its mean within each group (columns of x)."""
    frame = pd.DataFrame(x)
    return (frame - frame.groupby(groups).transform("mean")).to_numpy()


def fit_gravity(
    bookings: pd.DataFrame,
    *,
    decay: Decay = "exponential",
    gamma: float | None = None,
    min_distance_km: float = 0.1,
    se: Literal["quasi", "poisson"] = "quasi",
    level: float = 0.95,
) -> GravityFit:
    """Estimate distance decay and attractiveness from booking counts (Poisson GLM, origin FE).

    The model is ``n_ij ~ Poisson(mu_ij)``, ``log mu_ij = alpha_i - beta g(d_ij) + gamma log h_j
    + theta r_j`` with one fixed effect ``alpha_i`` per origin (``C(origin)``). With origin fixed
    effects the Poisson likelihood of the counts equals the multinomial-logit likelihood of the
    choices given each origin's total, so ``beta``, ``gamma`` and ``theta`` are exactly the
    parameters of the gravity rule (:class:`ChoiceRule`), whatever the areas' demand.

    Parameters
    ----------
    bookings : pd.DataFrame
        One row per (origin, counter open to it), ZERO counts included (see
        :func:`booking_table`): ``origin`` (e.g. ``"BU03920102|2023"``), ``destination``,
        ``count`` (>= 0), ``distance_km`` (>= 0), ``log_hours`` (log opening hours per week) and
        optionally ``reduced_products`` (1 = reduced product range, 0 = full).
    decay : {"exponential", "power"}, default "exponential"
        ``g(d) = d`` or ``g(d) = log(max(d, min_distance_km))``.
    gamma : float, optional
        Fix the hours elasticity instead of estimating it (needed when all counters have the
        same hours). It enters as an offset ``gamma * log_hours``.
    min_distance_km : float, default 0.1
        Power decay only: distance floor.
    se : {"quasi", "poisson"}, default "quasi"
        Standard errors scaled by ``sqrt(max(1, dispersion))`` or model-based.
    level : float, default 0.95
        Confidence level of the Wald intervals.

    Returns
    -------
    GravityFit

    Raises
    ------
    DataError
        Missing columns, bad values, duplicate pairs, or data that cannot identify a
        parameter (one counter per origin; equal hours everywhere; hours and product range
        collinear); the message says what to change.
    ParameterError
        Bad ``decay``, ``gamma``, ``se`` or ``level``.
    ModelFitError
        The GLM did not converge.
    """
    if decay not in ("exponential", "power"):
        raise ParameterError(f"decay={decay!r}; use 'exponential' or 'power'.")
    if se not in ("quasi", "poisson"):
        raise ParameterError(f"se={se!r}; use 'quasi' (scaled by overdispersion) or 'poisson'.")
    if not (_finite(level) and 0 < level < 1):
        raise ParameterError(f"level={level!r}; pass a confidence level in (0, 1), e.g. 0.95.")
    if gamma is not None and not (_finite(gamma) and gamma >= 0):
        raise ParameterError(f"gamma={gamma!r}; pass None (estimate) or a fixed number >= 0.")
    if not (_finite(min_distance_km) and min_distance_km > 0):
        raise ParameterError(f"min_distance_km={min_distance_km!r}; pass a number > 0 km.")
    missing = [c for c in FIT_COLUMNS if c not in bookings.columns]
    if missing:
        raise DataError(f"bookings lack column(s) {missing}; expected {list(FIT_COLUMNS)} (+ optional reduced_products). "
                        "Build the table with booking_table().")
    frame = bookings.reset_index(drop=True)
    problems = []
    numeric = {}
    for col in ("count", "distance_km", "log_hours") + (("reduced_products",) if "reduced_products" in frame else ()):
        v = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(v))
        if bad.size:
            problems.append(f"'{col}' missing or non-numeric in row(s) {list(bad[:10])}")
        numeric[col] = v
    cnt = numeric["count"]
    bad = np.flatnonzero(np.isfinite(cnt) & ((cnt < 0) | (cnt != np.round(cnt))))
    if bad.size:
        problems.append(f"'count' not a whole number >= 0 in row(s) {list(bad[:10])}")
    bad = np.flatnonzero(numeric["distance_km"] < 0)
    if bad.size:
        problems.append(f"negative 'distance_km' in row(s) {list(bad[:10])}")
    if "reduced_products" in numeric:
        bad = np.flatnonzero(np.isfinite(numeric["reduced_products"]) & ~np.isin(numeric["reduced_products"], [0, 1]))
        if bad.size:
            problems.append(f"'reduced_products' not 0/1 in row(s) {list(bad[:10])}")
    dup = frame.duplicated(["origin", "destination"], keep=False)
    if dup.any():
        pairs = sorted({f"{o}->{d}" for o, d in frame.loc[dup, ["origin", "destination"]].itertuples(index=False)})
        problems.append(f"duplicate (origin, destination) pair(s) {pairs[:10]}; sum them first")
    if problems:
        raise DataError("gravity bookings: " + "; ".join(problems) + ". Fix the table (0-based row numbers).")

    origin = frame["origin"].astype(str).to_numpy()
    totals = pd.Series(cnt).groupby(origin).transform("sum").to_numpy()
    keep = totals > 0
    n_empty = int(pd.Series(origin[~keep]).nunique())
    origin, cnt = origin[keep], cnt[keep]
    g = numeric["distance_km"][keep]
    if decay == "power":
        g = np.log(np.maximum(g, min_distance_km))
    log_h = numeric["log_hours"][keep]
    names = ["distance", "log_hours"] if gamma is None else ["distance"]
    cols = [g, log_h] if gamma is None else [g]
    has_products = "reduced_products" in numeric
    x = np.column_stack(cols)
    if has_products:
        r = numeric["reduced_products"][keep]
        if np.ptp(_within_variation(r[:, None], origin)) > 1e-12:
            x = np.column_stack([x, r])
            names.append("reduced_products")
        else:
            has_products = False
    if len(origin) == 0:
        raise DataError("gravity bookings hold no booking at all (every count is 0); supply booking counts.")
    sizes = pd.Series(origin).value_counts()
    if int(sizes.max()) < 2:
        raise DataError(
            "every origin has only one counter to choose from, so choices carry no information on distance or "
            "attractiveness; use bookings from years with at least two open counters (or include every open counter, "
            "with zero counts, per origin: booking_table())."
        )
    within = _within_variation(x, origin)
    spread = np.abs(within).max(axis=0)
    if spread[0] <= 1e-12:
        raise DataError("distance does not vary among the counters of any origin; beta cannot be estimated. "
                        "Check distance_km (all counters at one place?).")
    if gamma is None and spread[1] <= 1e-12:
        raise DataError("all counters have the same opening hours, so gamma (hours elasticity) cannot be estimated; "
                        "fix it instead: fit_gravity(..., gamma=1.0) (or 0 to ignore hours).")
    if np.linalg.matrix_rank(within, tol=1e-8 * max(1.0, float(np.abs(within).max()))) < within.shape[1]:
        raise DataError(f"the covariates {names} are collinear among each origin's counters (e.g. every 20-hour counter "
                        "also has a reduced product range); fix gamma (gamma=...) or drop the reduced_products column.")

    codes, uniq = pd.factorize(origin, sort=True)
    dummies = np.zeros((len(origin), len(uniq)))
    dummies[np.arange(len(origin)), codes] = 1.0
    design = np.column_stack([x, dummies])
    offset = None if gamma is None else float(gamma) * log_h
    try:
        # imported here: statsmodels costs ~0.3 s per kernel otherwise
        from statsmodels.genmod import families
        from statsmodels.genmod.generalized_linear_model import GLM

        res = GLM(cnt, design, family=families.Poisson(), offset=offset).fit(maxiter=200)
    except (np.linalg.LinAlgError, ValueError) as exc:  # pragma: no cover - guarded by the checks above
        raise ModelFitError(f"gravity GLM failed ({exc}); check the bookings for separation or collinearity.") from exc
    converged = bool(getattr(res, "converged", True))
    if not converged:
        raise ModelFitError("gravity GLM did not converge in 200 iterations; check for counters with (almost) all or "
                            "no bookings of an origin, or fix gamma.")
    dispersion = float(res.pearson_chi2 / res.df_resid) if res.df_resid > 0 else math.nan
    scale = math.sqrt(max(1.0, dispersion)) if (se == "quasi" and math.isfinite(dispersion)) else 1.0
    params = np.asarray(res.params)[: len(names)]
    bse = np.asarray(res.bse)[: len(names)] * scale
    z = float(stats.norm.ppf(0.5 + level / 2))
    beta, beta_se = -float(params[0]), float(bse[0])
    if gamma is None:
        gam, gam_se = float(params[1]), float(bse[1])
        gam_ci = (gam - z * gam_se, gam + z * gam_se)
    else:
        gam, gam_se, gam_ci = float(gamma), math.nan, (float(gamma), float(gamma))
    if has_products:
        th, th_se = float(params[-1]), float(bse[-1])
        prod, prod_ci = math.exp(th), (math.exp(th - z * th_se), math.exp(th + z * th_se))
    else:
        prod, prod_ci = None, None
    return GravityFit(
        decay=decay, beta=beta, beta_se=beta_se, beta_ci=(beta - z * beta_se, beta + z * beta_se),
        gamma=gam, gamma_se=gam_se, gamma_ci=gam_ci, gamma_fixed=gamma is not None,
        product_share=prod, product_share_ci=prod_ci, level=float(level), se_kind=se,
        dispersion=dispersion, overdispersed=bool(dispersion > 1.5), deviance=float(res.deviance),
        pearson_chi2=float(res.pearson_chi2), df_resid=float(res.df_resid), n_pairs=int(len(cnt)),
        n_origins=int(len(uniq)), n_bookings=int(cnt.sum()), n_origins_empty=n_empty, converged=converged,
        min_distance_km=float(min_distance_km),
    )
