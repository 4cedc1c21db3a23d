"""Annual cost of district-counter scenarios, per visit and per barrier-group resident.

Only EXTRA cost relative to today is counted: the existing central counter is open in every
scenario and its cost is left out, so k = 0 new counters costs 0.

Pure functions, no I/O; inputs are never mutated.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Literal

import numpy as np
import pandas as pd

from decentraal.errors import DataError, ParameterError
from decentraal.methods.choice import allocate, huff_shares

__all__ = ["FIXED_COST_PER_COUNTER_EUR", "scenario_cost", "served_by_new", "new_counter_cost", "cost_table", "COST_COLUMNS"]

#: Structural annual cost of one physical counter, EUR. Source: gemeente Haarlem,
#: informatienota 2021/547821: "een fysiek loket, dat structureel ruim 400.000,- euro per jaar
#: kost". "ruim" = somewhat more than, so this is a lower bound. The quoted sentence does not
#: break the figure down; check the note before adding desk-hour costs on top of it (if the
#: 400k already includes staffing, pass ``desk_hours`` = only hours beyond that staffing).
FIXED_COST_PER_COUNTER_EUR: float = 400_000.0

#: Columns added by :func:`cost_table`.
COST_COLUMNS: tuple[str, ...] = (
    "desk_hours_per_year",
    "fixed_cost_eur",
    "desk_cost_eur",
    "annual_cost_eur",
    "visits_new_counters",
    "cost_per_visit_eur",
    "barrier_residents_served",
    "cost_per_barrier_resident_eur",
)


def _nonneg(name: str, value: float) -> None:
    if not (isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value) and value >= 0):
        raise ParameterError(f"{name}={value!r}; pass a finite number >= 0.")


def scenario_cost(
    n_new_counters: int,
    desk_hours_per_year: float,
    *,
    fixed_cost_per_counter: float = FIXED_COST_PER_COUNTER_EUR,  # informatienota 2021/547821 ("ruim 400.000")
    hourly_desk_cost: float,
) -> dict[str, float]:
    """Extra annual cost of opening ``n_new_counters`` district counters.

    ``annual = n_new_counters * fixed_cost_per_counter + desk_hours_per_year * hourly_desk_cost``.

    Parameters
    ----------
    n_new_counters : int
        New counters (>= 0).
    desk_hours_per_year : float
        Staffed desk-hours per year at the new counters in total (>= 0), on top of what the
        fixed cost already covers (see :data:`FIXED_COST_PER_COUNTER_EUR` about double counting).
    fixed_cost_per_counter : float, default 400_000
        EUR per counter per year; Haarlem informatienota 2021/547821 ("structureel ruim
        400.000,- euro per jaar").
    hourly_desk_cost : float
        EUR per staffed desk-hour. REQUIRED: no sourced Haarlem figure is available, so the
        caller must supply (and cite) one.

    Returns
    -------
    dict
        ``n_new_counters``, ``desk_hours_per_year``, ``fixed_cost_eur``, ``desk_cost_eur``,
        ``annual_cost_eur``.
    """
    if isinstance(n_new_counters, bool) or not isinstance(n_new_counters, (int, np.integer)) or n_new_counters < 0:
        raise ParameterError(f"n_new_counters={n_new_counters!r}; pass a whole number >= 0.")
    _nonneg("desk_hours_per_year", desk_hours_per_year)
    _nonneg("fixed_cost_per_counter", fixed_cost_per_counter)
    _nonneg("hourly_desk_cost", hourly_desk_cost)
    fixed = float(n_new_counters) * float(fixed_cost_per_counter)
    desk = float(desk_hours_per_year) * float(hourly_desk_cost)
    return {
        "n_new_counters": int(n_new_counters),
        "desk_hours_per_year": float(desk_hours_per_year),
        "fixed_cost_eur": fixed,
        "desk_cost_eur": desk,
        "annual_cost_eur": fixed + desk,
    }


def served_by_new(
    assignment: pd.Series,
    distance_km: pd.Series,
    existing_distance_km: pd.Series,
    new_sites: Collection[str],
    *,
    radius_km: float,
) -> pd.Series:
    """Areas served by the new counters of one scenario.

    An area is SERVED when its nearest open site is a new counter, OR it is within
    ``radius_km`` of an open site but was not within ``radius_km`` of an existing site
    ("newly within radius"). Pass the nearest-site assignment and distance of the scenario
    (:class:`decentraal.methods.siting.SitingResult` ``assignment`` and ``distance_km``) and
    the distance to the nearest existing counter (``distance_km`` of the k = 0 result), so no
    distance is recomputed here.

    Parameters
    ----------
    assignment : pd.Series
        Area -> nearest open site id.
    distance_km : pd.Series
        Area -> distance to the nearest open site (same index as ``assignment``).
    existing_distance_km : pd.Series
        Area -> distance to the nearest existing counter (``inf`` where there is none).
    new_sites : collection of str
        The scenario's new sites; none means no area is served.
    radius_km : float
        Coverage radius in km.

    Returns
    -------
    pd.Series
        Boolean per area, index of ``assignment``.
    """
    if not new_sites:
        return pd.Series(False, index=assignment.index)
    assigned_new = assignment.isin(set(new_sites)).to_numpy()
    d_open = distance_km.reindex(assignment.index).to_numpy(dtype=float)
    d_ex = existing_distance_km.reindex(assignment.index).to_numpy(dtype=float)
    newly = (d_open <= radius_km) & (d_ex > radius_km)
    return pd.Series(assigned_new | newly, index=assignment.index)


def new_counter_cost(
    n_new_counters: int,
    desk_hours_per_year: float,
    *,
    visits_new_counters: float,
    barrier_residents_served: float,
    hourly_desk_cost: float,
    fixed_cost_per_counter: float = FIXED_COST_PER_COUNTER_EUR,  # informatienota 2021/547821 ("ruim 400.000")
) -> dict[str, float]:
    """The :data:`COST_COLUMNS` of one scenario.

    :func:`scenario_cost` plus ``cost_per_visit_eur`` = annual cost / ``visits_new_counters``
    and ``cost_per_barrier_resident_eur`` = annual cost / ``barrier_residents_served``; both
    NaN when the denominator is 0 (e.g. k = 0, which costs 0 extra).
    """
    c = scenario_cost(n_new_counters, desk_hours_per_year, fixed_cost_per_counter=fixed_cost_per_counter,
                      hourly_desk_cost=hourly_desk_cost)
    annual = c["annual_cost_eur"]
    visits, served = float(visits_new_counters), float(barrier_residents_served)
    return {
        "desk_hours_per_year": c["desk_hours_per_year"],
        "fixed_cost_eur": c["fixed_cost_eur"],
        "desk_cost_eur": c["desk_cost_eur"],
        "annual_cost_eur": annual,
        "visits_new_counters": visits,
        "cost_per_visit_eur": annual / visits if visits > 0 else math.nan,
        "barrier_residents_served": served,
        "cost_per_barrier_resident_eur": annual / served if served > 0 else math.nan,
    }


def _as_tuple(v: object, what: str, row: int) -> tuple[str, ...]:
    if isinstance(v, str):
        raise DataError(
            f"scenarios row {row}: {what} is a string ({v!r}); it must be a tuple/list of site ids as "
            "returned by decentraal.siting.scenarios."
        )
    return tuple(v)  # type: ignore[arg-type]


def cost_table(
    scenarios: pd.DataFrame,
    *,
    cost: pd.DataFrame,
    visits: pd.Series,
    barrier_population: pd.Series,
    hourly_desk_cost: float,
    desk_hours_per_new_counter: float | Mapping[str, float],
    fixed_cost_per_counter: float = FIXED_COST_PER_COUNTER_EUR,  # informatienota 2021/547821 ("ruim 400.000")
    radius_km: float | None = None,
    allocation: Literal["nearest", "huff"] = "nearest",
    beta: float | None = None,
    huff_model: Literal["exponential", "power"] = "exponential",
) -> pd.DataFrame:
    """Add annual cost, cost per visit and cost per barrier-group resident served to scenarios.

    For every scenario row (from :func:`decentraal.siting.scenarios`), with ``new_sites`` and
    ``open_sites`` from that row and existing sites = open minus new:

    * ``fixed_cost_eur`` = k x ``fixed_cost_per_counter``; ``desk_cost_eur`` = desk-hours x
      ``hourly_desk_cost`` where desk-hours = k x ``desk_hours_per_new_counter`` (or the sum
      over the chosen sites if a mapping per site is given).
    * ``visits_new_counters``: yearly visits handled by the new counters. ``"nearest"``: the
      visits of areas whose nearest open site (ties: first in cost-column order) is new.
      ``"huff"``: Huff-model allocation over the open sites (:func:`decentraal.choice.huff_shares`
      with ``beta``), summed over the new sites.
    * ``barrier_residents_served``: sum of ``barrier_population`` over areas that are SERVED:
      the area is within ``radius_km`` of an open site but was not within ``radius_km`` of an
      existing site ("newly within radius"), OR its nearest open site is a new counter.
      Each area counts once.
    * ``cost_per_visit_eur`` = annual cost / visits at new counters; ``cost_per_barrier_resident_eur``
      = annual cost / barrier residents served. Both are NaN when the denominator is 0
      (e.g. k = 0, which costs 0 extra).

    Parameters
    ----------
    scenarios : pd.DataFrame
        Needs columns ``k_new``, ``new_sites``, ``open_sites`` (tuples of site ids); ``radius_km``
        is used when the argument ``radius_km`` is None.
    cost : pd.DataFrame
        Distance matrix (km) used to make the scenarios: rows = areas, columns = sites.
    visits : pd.Series
        Visits per area per year (e.g. :func:`decentraal.demand.baseline_demand`).
    barrier_population : pd.Series
        Barrier-weighted residents per area (from the data layer).
    hourly_desk_cost : float
        EUR per staffed desk-hour. REQUIRED, no sourced default.
    desk_hours_per_new_counter : float or mapping site id -> float
        Staffed desk-hours per year per new counter (e.g. desks x opening hours x weeks from
        :mod:`decentraal.capacity`). REQUIRED, no sourced default.
    fixed_cost_per_counter : float, default 400_000
        Haarlem informatienota 2021/547821.
    radius_km : float, optional
        Coverage radius for "newly within radius"; defaults to the scenarios' ``radius_km``.
    allocation : {"nearest", "huff"}, default "nearest"
        How visits are assigned to counters.
    beta : float, optional
        Huff distance decay; required when ``allocation="huff"``.
    huff_model : {"exponential", "power"}, default "exponential"
        Huff decay function.

    Returns
    -------
    pd.DataFrame
        A copy of ``scenarios`` with the columns :data:`COST_COLUMNS` appended.
    """
    needed = ["k_new", "new_sites", "open_sites"]
    missing = [c for c in needed if c not in scenarios.columns]
    if missing:
        raise DataError(f"scenarios lacks column(s) {missing}; pass the output of decentraal.siting.scenarios.")
    for name, s in (("visits", visits), ("barrier_population", barrier_population)):
        if set(s.index) != set(cost.index) or len(s) != len(cost):
            raise DataError(f"{name} and cost cover different areas; align {name} on the rows of cost.")
        arr = s.to_numpy(dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise DataError(f"{name} has missing, infinite or negative values; they must be >= 0.")
    if allocation not in ("nearest", "huff"):
        raise ParameterError(f"allocation={allocation!r}; use 'nearest' or 'huff'.")
    if allocation == "huff" and beta is None:
        raise ParameterError("allocation='huff' needs beta (distance decay); pass beta=... or use 'nearest'.")
    _nonneg("hourly_desk_cost", hourly_desk_cost)
    if not isinstance(desk_hours_per_new_counter, Mapping):
        _nonneg("desk_hours_per_new_counter", desk_hours_per_new_counter)

    d_all = cost.to_numpy(dtype=float)
    v = visits.reindex(cost.index).to_numpy(dtype=float)
    bp = barrier_population.reindex(cost.index).to_numpy(dtype=float)
    col_pos = {c: j for j, c in enumerate(cost.columns)}
    added: dict[str, list[float]] = {c: [] for c in COST_COLUMNS}

    for row_no, (_, row) in enumerate(scenarios.iterrows()):
        new = _as_tuple(row["new_sites"], "new_sites", row_no)
        opened = _as_tuple(row["open_sites"], "open_sites", row_no)
        unknown = [s for s in (*new, *opened) if s not in col_pos]
        if unknown:
            raise DataError(f"scenarios row {row_no}: site(s) {unknown} are not columns of cost.")
        if int(row["k_new"]) != len(new):
            raise DataError(f"scenarios row {row_no}: k_new={row['k_new']} but {len(new)} new_sites listed.")
        r = radius_km if radius_km is not None else row.get("radius_km", None)
        if r is None or (isinstance(r, float) and math.isnan(r)):
            raise ParameterError("no coverage radius: pass radius_km or include a radius_km column in scenarios.")
        new_set = set(new)
        open_idx = sorted(col_pos[s] for s in opened)
        ex_idx = [j for j in open_idx if cost.columns[j] not in new_set]

        if isinstance(desk_hours_per_new_counter, Mapping):
            lacking = [s for s in new if s not in desk_hours_per_new_counter]
            if lacking:
                raise ParameterError(f"desk_hours_per_new_counter has no hours for site(s) {lacking}.")
            hours = float(sum(desk_hours_per_new_counter[s] for s in new))
        else:
            hours = float(desk_hours_per_new_counter) * len(new)
        if new:
            sub = d_all[:, open_idx]
            nearest = pd.Series([cost.columns[open_idx[k]] for k in np.argmin(sub, axis=1)], index=cost.index)
            d_open = pd.Series(sub.min(axis=1), index=cost.index)
            d_ex = pd.Series(d_all[:, ex_idx].min(axis=1) if ex_idx else np.full(len(d_all), np.inf), index=cost.index)
            served = served_by_new(nearest, d_open, d_ex, new, radius_km=r).to_numpy()
            if allocation == "nearest":
                vis_new = float(v[nearest.isin(new_set).to_numpy()].sum())
            else:
                shares = huff_shares(cost.iloc[:, open_idx], beta=float(beta), model=huff_model)
                per_site = allocate(pd.Series(v, index=cost.index), shares)
                vis_new = float(per_site[[s for s in per_site.index if s in new_set]].sum())
            barrier_served = float(bp[served].sum())
        else:
            vis_new = 0.0
            barrier_served = 0.0

        row_cost = new_counter_cost(len(new), hours, visits_new_counters=vis_new, barrier_residents_served=barrier_served,
                                    fixed_cost_per_counter=fixed_cost_per_counter, hourly_desk_cost=hourly_desk_cost)
        for col in COST_COLUMNS:
            added[col].append(row_cost[col])

    out = scenarios.copy()
    for col in COST_COLUMNS:
        out[col] = added[col]
    return out
