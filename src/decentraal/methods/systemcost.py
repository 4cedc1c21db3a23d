"""System-wide extra cost per year of district counters: all counters after minus before.

:mod:`decentraal.methods.cost` counts only the new counters. When visits move from the central
counter to a district counter, the central counter needs fewer desk-hours, so the cost to the
municipality as a whole is

``delta = n x F + [not vaste_kosten_omvat_personeel] x H_district x h - (H_central,before - H_central,after) x h``

with ``n`` new counters, ``F`` the fixed cost per counter (EUR 400,000), ``H`` desk-hours per
year and ``h`` the cost per desk-hour.

**What the EUR 400,000 covers is not known.** The informatienota 2021/547821 says only that "een
fysiek loket ... structureel ruim 400.000,- euro per jaar kost". The flag
``vaste_kosten_omvat_personeel`` makes the reading explicit:

* ``True``: the 400,000 already includes the district counter's staff; only the central
  counter's saved staff is subtracted.
* ``False``: the 400,000 is building, systems and overhead; the district counter's desk-hours
  are added on top.

:func:`system_cost_range` returns both, so a report can show the range.

Assumptions, all documented where used:

* The central counter's fixed cost (building, systems) is the same before and after; only its
  desk-hours change. Those hours fall only if staffing really follows the visits (no fixed
  contracts that cannot be reduced); otherwise the saving is smaller.
* One hourly cost ``h`` for desk-hours at every counter (no sourced Haarlem figure: default
  EUR 60 is the *aanname* of base.yaml ``uurkosten_balie``, range 45-80).
* "ruim 400.000" is a lower bound, so ``delta`` is a lower bound too for a given ``h``.
* Visits are the same in total before and after (no visits induced by a nearby counter),
  unless the caller's visit numbers include them.

Pure functions, no I/O.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from decentraal.errors import DataError, ParameterError

__all__ = [
    "FIXED_COST_PER_COUNTER_EUR",
    "DEFAULT_HOURLY_DESK_COST_EUR",
    "desk_hours_per_year",
    "TravelSavings",
    "travel_savings",
    "SystemCost",
    "system_cost",
    "SystemCostRange",
    "system_cost_range",
]

#: Structural annual cost of one physical counter, EUR (lower bound). Source: gemeente Haarlem,
#: informatienota 2021/547821 ("een fysiek loket, dat structureel ruim 400.000,- euro per jaar
#: kost"); same value as :data:`decentraal.methods.cost.FIXED_COST_PER_COUNTER_EUR`.
FIXED_COST_PER_COUNTER_EUR: float = 400_000.0

#: Cost per staffed desk-hour, EUR. *Aanname*: base.yaml ``uurkosten_balie`` (range 45-80); no
#: sourced Haarlem figure. Replace with the municipality's own hourly cost.
DEFAULT_HOURLY_DESK_COST_EUR: float = 60.0


def _amount(name: str, value: float) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    if not ok:
        raise ParameterError(f"{name}={value!r}; pass a finite number >= 0.")
    return float(value)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def desk_hours_per_year(desks: float, *, hours_per_week: float = 39.0, weeks_per_year: float = 52) -> float:
    """Staffed desk-hours per year: ``desks x hours_per_week x weeks_per_year``.

    Parameters
    ----------
    desks : float
        Desks open during all opening hours (a fraction is allowed, e.g. a mean over the year).
    hours_per_week : float, default 39
        Haarlem's counter in 2018: Mon-Fri 9:00-16:00, Thursday until 20:00 (sourced, FACTS.md).
        A district counter has its own hours (base.yaml ``openingsuren_per_week``, an *aanname*).
    weeks_per_year : float, default 52
        Calendar weeks; public holidays are not subtracted.

    Examples
    --------
    >>> desk_hours_per_year(2)      # 2 x 39 x 52
    4056.0
    """
    d = _amount("desks", desks)
    h = _amount("hours_per_week", hours_per_week)
    w = _amount("weeks_per_year", weeks_per_year)
    if h > 168 or w > 53:
        raise ParameterError(
            f"hours_per_week={hours_per_week!r}, weeks_per_year={weeks_per_year!r}; use at most 168 and 53."
        )
    return d * h * w


@dataclass(frozen=True)
class TravelSavings:
    """Visits made closer and kilometres saved per year (see :func:`travel_savings`).

    Attributes
    ----------
    visits : float
        All visits counted.
    visits_closer : float
        Visits made at a counter nearer to the visitor's area than before.
    visits_farther : float
        Visits made farther away than before (0 with nearest-counter allocation).
    km_saved : float
        Net one-way kilometres saved per year: ``sum visits x (before - after)``.
    """

    visits: float
    visits_closer: float
    visits_farther: float
    km_saved: float


def travel_savings(
    visits: Sequence[float] | np.ndarray | pd.Series,
    distance_before_km: Sequence[float] | np.ndarray | pd.Series,
    distance_after_km: Sequence[float] | np.ndarray | pd.Series,
) -> TravelSavings:
    """Visits made closer and one-way kilometres saved, per area (or per area-counter flow).

    * A **visit made closer** is a visit that, after the new counters open, takes place at a
      counter nearer to the visitor's area than the counter used before
      (``distance_after < distance_before``). These are the extra visits made close to home.
      Visits by people who did not come at all before are not included unless ``visits``
      contains them.
    * **km saved** = ``sum visits x (distance_before - distance_after)``, one way. Double it for
      return trips (which halves the cost per km).

    With nearest-counter allocation, ``distance_before`` is the distance to the nearest existing
    counter and ``distance_after`` to the nearest open counter. With a choice model (Huff) pass
    the expected distance per area, ``sum_s share_s x distance_s``, before and after.

    Parameters
    ----------
    visits : array-like
        Visits per year per area (>= 0).
    distance_before_km, distance_after_km : array-like
        Distance in km (>= 0), aligned with ``visits`` (Series must share its index).

    Returns
    -------
    TravelSavings

    Examples
    --------
    >>> travel_savings([100, 50, 10], [3.0, 2.0, 1.0], [1.0, 2.0, 1.0])
    TravelSavings(visits=160.0, visits_closer=100.0, visits_farther=0.0, km_saved=200.0)
    """
    if isinstance(visits, pd.Series):
        for name, other in (("distance_before_km", distance_before_km), ("distance_after_km", distance_after_km)):
            if isinstance(other, pd.Series) and not other.index.equals(visits.index):
                raise DataError(f"{name} is indexed differently from visits; align both on the same areas.")
    v = np.asarray(visits, dtype=float)
    before = np.asarray(distance_before_km, dtype=float)
    after = np.asarray(distance_after_km, dtype=float)
    if v.ndim != 1 or before.shape != v.shape or after.shape != v.shape:
        raise DataError(
            f"visits {v.shape}, distance_before_km {before.shape} and distance_after_km {after.shape} must be 1-D "
            "and of equal length (one entry per area)."
        )
    for name, arr in (("visits", v), ("distance_before_km", before), ("distance_after_km", after)):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise DataError(f"{name} has missing, infinite or negative values; every area needs a value >= 0.")
    closer = after < before - 1e-12
    farther = after > before + 1e-12
    return TravelSavings(
        visits=float(v.sum()),
        visits_closer=float(v[closer].sum()),
        visits_farther=float(v[farther].sum()),
        km_saved=float(v @ (before - after)),
    )


@dataclass(frozen=True)
class SystemCost:
    """Extra annual cost of all counters together, under one reading of the fixed cost.

    All amounts in EUR per year; ratios are NaN when their denominator is 0.

    Attributes
    ----------
    vaste_kosten_omvat_personeel : bool
        True: the fixed cost per counter includes the district counter's staff.
    n_new_counters : int
        District counters opened.
    fixed_cost_eur : float
        ``n x F``.
    district_staff_cost_eur : float
        ``H_district x h``, or 0 when the fixed cost already covers it.
    central_staff_saving_eur : float
        ``(H_central,before - H_central,after) x h`` (negative if the central counter needs more).
    new_counter_cost_eur : float
        Gross cost of the new counters: ``fixed_cost_eur + district_staff_cost_eur``.
    incremental_cost_eur : float
        ``new_counter_cost_eur - central_staff_saving_eur``: all counters after minus before.
        Negative means the change saves money.
    visits_new_counters : float
        Visits per year at the new counters.
    visits_closer : float
        Visits per year made closer to home (see :func:`travel_savings`).
    km_saved : float
        One-way km of travel saved per year.
    gross_cost_per_visit_eur : float
        ``new_counter_cost_eur / visits_new_counters`` (what :mod:`decentraal.methods.cost` reports).
    net_cost_per_visit_eur : float
        ``incremental_cost_eur / visits_new_counters``.
    cost_per_visit_closer_eur : float
        ``incremental_cost_eur / visits_closer``.
    cost_per_km_saved_eur : float
        ``incremental_cost_eur / km_saved``.
    hourly_desk_cost_eur, fixed_cost_per_counter_eur : float
        Inputs ``h`` and ``F``.
    central_desk_hours_before, central_desk_hours_after, district_desk_hours : float
        Input desk-hours per year.
    """

    vaste_kosten_omvat_personeel: bool
    n_new_counters: int
    fixed_cost_eur: float
    district_staff_cost_eur: float
    central_staff_saving_eur: float
    new_counter_cost_eur: float
    incremental_cost_eur: float
    visits_new_counters: float
    visits_closer: float
    km_saved: float
    gross_cost_per_visit_eur: float
    net_cost_per_visit_eur: float
    cost_per_visit_closer_eur: float
    cost_per_km_saved_eur: float
    hourly_desk_cost_eur: float
    fixed_cost_per_counter_eur: float
    central_desk_hours_before: float
    central_desk_hours_after: float
    district_desk_hours: float


def system_cost(
    *,
    n_new_counters: int,
    central_desk_hours_before: float,
    central_desk_hours_after: float,
    district_desk_hours: float,
    visits_new_counters: float,
    visits_closer: float,
    km_saved: float,
    vaste_kosten_omvat_personeel: bool,
    hourly_desk_cost: float = DEFAULT_HOURLY_DESK_COST_EUR,
    fixed_cost_per_counter: float = FIXED_COST_PER_COUNTER_EUR,
) -> SystemCost:
    """Extra annual cost of all counters after the change minus before, and its ratios.

    ``delta = n F + [not vaste_kosten_omvat_personeel] H_district h - (H_central,before - H_central,after) h``

    Parameters
    ----------
    n_new_counters : int
        District counters opened (>= 0).
    central_desk_hours_before, central_desk_hours_after : float
        Staffed desk-hours per year at the central counter without and with the new counters
        (e.g. :func:`desk_hours_per_year` of desks from :mod:`decentraal.methods.staffing`).
    district_desk_hours : float
        Staffed desk-hours per year at all new counters together. Used only when
        ``vaste_kosten_omvat_personeel`` is False.
    visits_new_counters : float
        Visits per year handled by the new counters.
    visits_closer : float
        Visits per year made closer to home (:func:`travel_savings`).
    km_saved : float
        One-way km of travel saved per year (:func:`travel_savings`; may be negative only if
        the new layout makes travel longer, which is then reported as is).
    vaste_kosten_omvat_personeel : bool
        How to read the EUR 400,000 (see the module text). Required: no source settles it.
    hourly_desk_cost : float, default 60
        EUR per staffed desk-hour. *Aanname* (base.yaml ``uurkosten_balie``, range 45-80).
    fixed_cost_per_counter : float, default 400_000
        EUR per new counter per year; informatienota 2021/547821 ("ruim 400.000").

    Returns
    -------
    SystemCost

    Raises
    ------
    ParameterError
        Negative inputs, or new-counter hours or visits without a new counter.

    Examples
    --------
    >>> c = system_cost(n_new_counters=1, central_desk_hours_before=desk_hours_per_year(8),
    ...                 central_desk_hours_after=desk_hours_per_year(6), district_desk_hours=3120,
    ...                 visits_new_counters=20_000, visits_closer=18_000, km_saved=45_000,
    ...                 vaste_kosten_omvat_personeel=True)
    >>> c.central_staff_saving_eur, c.incremental_cost_eur, c.net_cost_per_visit_eur
    (243360.0, 156640.0, 7.832)
    """
    if isinstance(n_new_counters, bool) or not isinstance(n_new_counters, numbers.Integral) or n_new_counters < 0:
        raise ParameterError(f"n_new_counters={n_new_counters!r}; pass a whole number >= 0.")
    if not isinstance(vaste_kosten_omvat_personeel, (bool, np.bool_)):
        raise ParameterError(
            f"vaste_kosten_omvat_personeel={vaste_kosten_omvat_personeel!r}; pass True (the 400,000 includes the "
            "district staff) or False (staff comes on top), or use system_cost_range for both."
        )
    h_before = _amount("central_desk_hours_before", central_desk_hours_before)
    h_after = _amount("central_desk_hours_after", central_desk_hours_after)
    h_district = _amount("district_desk_hours", district_desk_hours)
    v_new = _amount("visits_new_counters", visits_new_counters)
    v_closer = _amount("visits_closer", visits_closer)
    if not (isinstance(km_saved, numbers.Real) and math.isfinite(km_saved)):
        raise ParameterError(f"km_saved={km_saved!r}; pass a finite number of km per year.")
    rate = _amount("hourly_desk_cost", hourly_desk_cost)
    fixed = _amount("fixed_cost_per_counter", fixed_cost_per_counter)
    if n_new_counters == 0 and (h_district > 0 or v_new > 0):
        raise ParameterError(
            "n_new_counters=0 but district_desk_hours or visits_new_counters is > 0; pass the number of new counters."
        )
    fixed_total = int(n_new_counters) * fixed
    district = 0.0 if vaste_kosten_omvat_personeel else h_district * rate
    saving = (h_before - h_after) * rate
    gross = fixed_total + district
    delta = gross - saving
    return SystemCost(
        vaste_kosten_omvat_personeel=bool(vaste_kosten_omvat_personeel),
        n_new_counters=int(n_new_counters),
        fixed_cost_eur=fixed_total,
        district_staff_cost_eur=district,
        central_staff_saving_eur=saving,
        new_counter_cost_eur=gross,
        incremental_cost_eur=delta,
        visits_new_counters=v_new,
        visits_closer=v_closer,
        km_saved=float(km_saved),
        gross_cost_per_visit_eur=_ratio(gross, v_new),
        net_cost_per_visit_eur=_ratio(delta, v_new),
        cost_per_visit_closer_eur=_ratio(delta, v_closer),
        cost_per_km_saved_eur=_ratio(delta, float(km_saved)),
        hourly_desk_cost_eur=rate,
        fixed_cost_per_counter_eur=fixed,
        central_desk_hours_before=h_before,
        central_desk_hours_after=h_after,
        district_desk_hours=h_district,
    )


@dataclass(frozen=True)
class SystemCostRange:
    """Both readings of the fixed cost side by side (see :func:`system_cost_range`).

    Attributes
    ----------
    omvat_personeel : SystemCost
        The 400,000 includes the district counter's staff (the lower cost).
    exclusief_personeel : SystemCost
        District staff comes on top of the 400,000 (the higher cost).
    """

    omvat_personeel: SystemCost
    exclusief_personeel: SystemCost

    @property
    def low_eur(self) -> float:
        """Smaller extra annual cost of the two readings."""
        return min(self.omvat_personeel.incremental_cost_eur, self.exclusief_personeel.incremental_cost_eur)

    @property
    def high_eur(self) -> float:
        """Larger extra annual cost of the two readings."""
        return max(self.omvat_personeel.incremental_cost_eur, self.exclusief_personeel.incremental_cost_eur)

    def to_frame(self) -> pd.DataFrame:
        """One row per :class:`SystemCost` field, columns ``omvat_personeel`` and ``exclusief_personeel``."""
        names = [f.name for f in fields(SystemCost)]
        return pd.DataFrame(
            {
                "omvat_personeel": [getattr(self.omvat_personeel, n) for n in names],
                "exclusief_personeel": [getattr(self.exclusief_personeel, n) for n in names],
            },
            index=pd.Index(names, name="grootheid"),
        )


def system_cost_range(
    *,
    n_new_counters: int,
    central_desk_hours_before: float,
    central_desk_hours_after: float,
    district_desk_hours: float,
    visits_new_counters: float,
    visits_closer: float,
    km_saved: float,
    hourly_desk_cost: float = DEFAULT_HOURLY_DESK_COST_EUR,
    fixed_cost_per_counter: float = FIXED_COST_PER_COUNTER_EUR,
) -> SystemCostRange:
    """:func:`system_cost` under both readings of the EUR 400,000, for a report to show the range.

    The two differ by exactly ``district_desk_hours x hourly_desk_cost``.

    Parameters
    ----------
    n_new_counters, central_desk_hours_before, central_desk_hours_after, district_desk_hours,
    visits_new_counters, visits_closer, km_saved, hourly_desk_cost, fixed_cost_per_counter
        As in :func:`system_cost`.

    Returns
    -------
    SystemCostRange

    Examples
    --------
    >>> r = system_cost_range(n_new_counters=1, central_desk_hours_before=16_224,
    ...                       central_desk_hours_after=12_168, district_desk_hours=3120,
    ...                       visits_new_counters=20_000, visits_closer=18_000, km_saved=45_000)
    >>> r.low_eur, r.high_eur
    (156640.0, 343840.0)
    """
    common = dict(
        n_new_counters=n_new_counters,
        central_desk_hours_before=central_desk_hours_before,
        central_desk_hours_after=central_desk_hours_after,
        district_desk_hours=district_desk_hours,
        visits_new_counters=visits_new_counters,
        visits_closer=visits_closer,
        km_saved=km_saved,
        hourly_desk_cost=hourly_desk_cost,
        fixed_cost_per_counter=fixed_cost_per_counter,
    )
    return SystemCostRange(
        omvat_personeel=system_cost(vaste_kosten_omvat_personeel=True, **common),
        exclusief_personeel=system_cost(vaste_kosten_omvat_personeel=False, **common),
    )
