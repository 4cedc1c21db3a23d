"""Desks for a counter that works mostly by appointment, with a walk-in part.

Four method steps, each usable on its own:

1. **Workload per month** (:func:`workload_desks`): desks = visits x service time / (available
   hours x target occupancy), per month and visit type; returns the desks per month and the
   peak month. A deterministic average; it says nothing about waiting.
2. **Appointments: access time** (:func:`access_time`, :func:`simulate_access_time`,
   :func:`appointment_desks_needed`): how many working days until the next free slot, from a
   day-to-day queue of appointment requests whose backlog carries over.
3. **Walk-in: Erlang C** (:func:`erlang_staffing`, :func:`walk_in_staffing`): desks in the walk-in
   hours from :mod:`decentraal.methods.capacity`, plus maximum occupancy and shrinkage.
4. **Walk-in: discrete-event simulation** (:func:`simulate_walk_in`,
   :func:`simulate_walk_in_sessions`): the same M/M/c queue simulated with SimPy, to check the
   analytic Erlang C values and to see a walk-in window that starts empty each morning.

:func:`mixed_counter` combines a walk-in and an appointment desk count into desks and desk-hours.

Sourced defaults (``/work/shared/data/FACTS.md``): Haarlem's counter in 2018 was open Monday to
Friday 9:00-16:00 and Thursday until 20:00 (39 h a week), walk-in until 11:00 (10 h a week), by
appointment after that (29 h a week). Everything else that has a default is marked *aanname*
(assumption) or *convention* where it is defined.

Pure functions, no I/O; every random draw takes a seed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import simpy
from scipy import linalg, optimize, stats

from decentraal.errors import DataError, ParameterError
from decentraal.methods.capacity import (
    desks_needed,
    erlang_c,
    mean_wait_minutes,
    service_level,
    visits_per_hour,
)

__all__ = [
    "HAARLEM_2018_HOURS_PER_WEEK",
    "HAARLEM_2018_WALK_IN_HOURS_PER_WEEK",
    "HAARLEM_2018_APPOINTMENT_HOURS_PER_WEEK",
    "HAARLEM_2018_WALK_IN_HOURS_PER_DAY",
    "WORKING_DAYS_PER_WEEK",
    "WorkloadStaffing",
    "opening_hours_per_month",
    "workload_desks",
    "AccessTime",
    "AccessSimulation",
    "AppointmentDesks",
    "appointment_slots_per_day",
    "access_time",
    "simulate_access_time",
    "appointment_desks_needed",
    "ErlangStaffing",
    "erlang_staffing",
    "walk_in_staffing",
    "WalkInSimulation",
    "simulate_walk_in",
    "simulate_walk_in_sessions",
    "CounterDesks",
    "mixed_counter",
]

#: Opening hours per week of Haarlem's counter (Zijlvest), 2018: Mon-Fri 9:00-16:00 (5 x 7 h)
#: plus Thursday 16:00-20:00 (4 h). Source: houtplein-inbeeld.nl, "inspraak", 2018 (FACTS.md).
HAARLEM_2018_HOURS_PER_WEEK: float = 39.0
#: Walk-in hours per week, 2018: 9:00-11:00 on five days. Same source.
HAARLEM_2018_WALK_IN_HOURS_PER_WEEK: float = 10.0
#: Walk-in hours per working day, 2018 (9:00-11:00). Same source.
HAARLEM_2018_WALK_IN_HOURS_PER_DAY: float = 2.0
#: Hours by appointment per week, 2018: 39 - 10 (11:00-16:00, Thursday to 20:00). Derived.
HAARLEM_2018_APPOINTMENT_HOURS_PER_WEEK: float = HAARLEM_2018_HOURS_PER_WEEK - HAARLEM_2018_WALK_IN_HOURS_PER_WEEK
#: Monday to Friday.
WORKING_DAYS_PER_WEEK: int = 5

#: Largest banded matrix (entries) :func:`access_time` solves: about 32 MB and a few seconds (a computational bound).
_MAX_BANDED_ENTRIES = 4_000_000


# --------------------------------------------------------------------------- checks
def _finite(name: str, value: float, *, low: float = 0.0, strict: bool = False, hint: str = "") -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value > low if strict else value >= low)
    if not ok:
        sign = ">" if strict else ">="
        raise ParameterError(f"{name}={value!r}; pass a finite number {sign} {low}{'; ' + hint if hint else ''}.")
    return float(value)


def _whole(name: str, value: int, *, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ParameterError(f"{name}={value!r}; pass a whole number >= {low}.")
    return int(value)


def _share(name: str, value: float) -> float:
    if not (isinstance(value, numbers.Real) and 0 < value < 1):
        raise ParameterError(f"{name}={value!r}; pass a share strictly between 0 and 1.")
    return float(value)


def _ceil(x: float) -> int:
    """Ceiling that ignores floating-point dust (2.0000000000004 -> 2)."""
    return math.ceil(x - 1e-9)


# --------------------------------------------------------------------------- 1. workload per month
@dataclass(frozen=True, eq=False)
class WorkloadStaffing:
    """Desks per month from the workload.

    Attributes
    ----------
    workload_hours : pd.Series
        Hours of service per month, ``sum_k visits_k x service_minutes_k / 60``.
    available_hours : pd.Series
        Hours one desk is open in the month.
    desks_exact : pd.Series
        ``workload_hours / (available_hours x target_occupancy)`` (a fraction).
    desks : pd.Series
        ``desks_exact`` rounded up (int); at least 1 when there is any workload, 0 otherwise.
    peak_month : object
        Label of the first month with the most desks (ties: the larger ``desks_exact``).
    peak_desks : int
        Desks in the peak month.
    target_occupancy : float
        Share of open desk time that is spent serving.
    """

    workload_hours: pd.Series
    available_hours: pd.Series
    desks_exact: pd.Series
    desks: pd.Series
    peak_month: object
    peak_desks: int
    target_occupancy: float


def opening_hours_per_month(
    months: pd.PeriodIndex,
    *,
    hours_per_week: float = HAARLEM_2018_HOURS_PER_WEEK,
    holidays: Sequence[str | np.datetime64 | pd.Timestamp] = (),
) -> pd.Series:
    """Hours a desk is open in each month: ``hours_per_week / 5 x working days in the month``.

    Working days are Monday to Friday minus ``holidays``. The weekly hours are spread evenly over
    the five days, so a long Thursday (Haarlem 2018: until 20:00) is averaged over the week; a
    month's total is off by at most a few hours.

    Parameters
    ----------
    months : pd.PeriodIndex
        Monthly periods (``freq="M"``), e.g. ``pd.period_range("2025-01", periods=12, freq="M")``.
    hours_per_week : float, default 39
        Opening hours per week. 39 is Haarlem's central counter in 2018 (sourced, FACTS.md); a
        new district counter has other hours (base.yaml ``openingsuren_per_week``).
    holidays : sequence of dates, optional
        Public holidays (or other closed weekdays) to leave out. Default: none (an *aanname*
        that overstates the hours by about 7-8 days a year).

    Returns
    -------
    pd.Series
        Hours per month, indexed by ``months``.

    Examples
    --------
    >>> m = pd.period_range("2025-01", periods=2, freq="M")
    >>> opening_hours_per_month(m, hours_per_week=40).tolist()   # 23 and 20 weekdays
    [184.0, 160.0]
    """
    if not isinstance(months, pd.PeriodIndex) or months.freqstr not in ("M", "ME"):
        raise ParameterError(
            "months must be a monthly pd.PeriodIndex, e.g. pd.period_range('2025-01', periods=12, freq='M')."
        )
    _finite("hours_per_week", hours_per_week, strict=True, hint="opening hours per week")
    start = months.start_time.values.astype("datetime64[D]")
    end = (months + 1).start_time.values.astype("datetime64[D]")
    hol = np.array([np.datetime64(pd.Timestamp(h).date()) for h in holidays], dtype="datetime64[D]")
    days = np.busday_count(start, end, holidays=hol)
    return pd.Series(days * hours_per_week / WORKING_DAYS_PER_WEEK, index=months, name="available_hours", dtype=float)


def workload_desks(
    visits: pd.DataFrame,
    service_minutes: Mapping[str, float],
    available_hours: float | pd.Series,
    *,
    target_occupancy: float = 0.85,
) -> WorkloadStaffing:
    """Desks per month from visits x service time, and the peak month.

    ``desks_m = sum_k visits_{m,k} x service_minutes_k / 60 / (available_hours_m x target_occupancy)``,
    rounded up. ``k`` runs over the visit types (columns), e.g. application, collection, other.

    Parameters
    ----------
    visits : pd.DataFrame
        Visits per month: one row per month (any index, e.g. a PeriodIndex), one column per visit
        type, counts >= 0.
    service_minutes : mapping str -> float
        Mean service time per visit type, minutes > 0; must name every column of ``visits``.
        REQUIRED: there are no sourced Haarlem service times (base.yaml
        ``bedieningstijd_minuten`` = 10 is an *aanname* for all types together).
    available_hours : float or pd.Series
        Hours one desk is open per month; a Series must be indexed like ``visits`` (see
        :func:`opening_hours_per_month`).
    target_occupancy : float, default 0.85
        Share of open desk time spent serving (the rest covers gaps, no-shows, short tasks).
        *Aanname*: 0.85 is the maximum occupancy of the pyworkforce / callcentrehelper worked
        example in FACTS.md, not a Haarlem figure.

    Returns
    -------
    WorkloadStaffing

    Examples
    --------
    >>> v = pd.DataFrame({"aanvraag": [600, 900], "afhalen": [600, 900]}, index=["jan", "feb"])
    >>> r = workload_desks(v, {"aanvraag": 12, "afhalen": 4}, 160, target_occupancy=0.8)
    >>> r.desks.tolist(), r.peak_month, r.peak_desks    # 160 h and 240 h of work / 128 h
    ([2, 2], 'feb', 2)
    """
    if not isinstance(visits, pd.DataFrame) or visits.empty:
        raise DataError("visits must be a non-empty DataFrame: one row per month, one column per visit type.")
    occ = _finite("target_occupancy", target_occupancy, strict=True)
    if occ > 1:
        raise ParameterError(f"target_occupancy={target_occupancy!r}; pass a share in (0, 1].")
    missing = [c for c in visits.columns if c not in service_minutes]
    if missing:
        raise ParameterError(f"service_minutes has no service time for visit type(s) {missing}; add them (minutes).")
    for k in visits.columns:
        _finite(f"service_minutes[{k!r}]", service_minutes[k], strict=True, hint="mean minutes per visit")
    arr = visits.to_numpy(dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise DataError("visits has missing, infinite or negative counts; every month and type needs a count >= 0.")
    if isinstance(available_hours, pd.Series):
        if not available_hours.index.equals(visits.index):
            raise DataError("available_hours is indexed differently from visits; index both by the same months.")
        hours = available_hours.astype(float)
        if not np.all(np.isfinite(hours.to_numpy())) or np.any(hours.to_numpy() <= 0):
            raise DataError("available_hours has a month with no (or non-finite) hours; every month needs hours > 0.")
    else:
        hours = pd.Series(_finite("available_hours", available_hours, strict=True), index=visits.index)
    minutes = np.array([float(service_minutes[k]) for k in visits.columns])
    workload = pd.Series(arr @ minutes / 60.0, index=visits.index, name="workload_hours")
    exact = (workload / (hours * occ)).rename("desks_exact")
    desks = exact.map(lambda x: _ceil(x) if x > 0 else 0).astype(int).rename("desks")
    order = pd.DataFrame({"d": desks.to_numpy(), "x": exact.to_numpy()})
    peak_pos = int(order.sort_values(["d", "x"], ascending=False, kind="stable").index[0])
    return WorkloadStaffing(
        workload_hours=workload,
        available_hours=hours.rename("available_hours"),
        desks_exact=exact,
        desks=desks,
        peak_month=visits.index[peak_pos],
        peak_desks=int(desks.iloc[peak_pos]),
        target_occupancy=occ,
    )


# --------------------------------------------------------------------------- 2. appointments: access time
@dataclass(frozen=True)
class AccessTime:
    """Steady-state access time of an appointment agenda (see :func:`access_time`).

    Attributes
    ----------
    requests_per_day : float
        Mean appointment requests per working day (``lambda``).
    slots_per_day : int
        Appointment slots per working day (``K``).
    utilisation : float
        ``lambda / K``.
    stable : bool
        ``lambda < K``; otherwise the backlog grows without end and the fields below are
        ``inf`` / 0.
    p_no_backlog : float
        Probability that no earlier booking is waiting when a day's requests come in (the
        next working day still has free slots for everyone ahead).
    mean_backlog_slots : float
        Mean number of earlier bookings for later days, ``E[Q]``.
    backlog_bound_slots : float
        Kingman's upper bound ``lambda / (2 (K - lambda))`` on ``E[Q]`` (a quick check).
    mean_access_days : float
        Mean working days from request to appointment (>= 1: the earliest slot is the next
        working day).
    access_days_cdf : tuple of float
        ``access_days_cdf[d]`` = share of requests with an appointment within ``d`` working days
        (``[0]`` is 0). Empty when unstable.
    """

    requests_per_day: float
    slots_per_day: int
    utilisation: float
    stable: bool
    p_no_backlog: float
    mean_backlog_slots: float
    backlog_bound_slots: float
    mean_access_days: float
    access_days_cdf: tuple[float, ...]

    def share_within(self, days: int) -> float:
        """Share of requests whose appointment is at most ``days`` working days away."""
        _whole("days", days, low=0)
        if not self.access_days_cdf:
            return 0.0
        return self.access_days_cdf[min(days, len(self.access_days_cdf) - 1)]


def appointment_slots_per_day(desks: int, appointment_hours_per_day: float, service_minutes: float) -> int:
    """Appointment slots per working day: ``desks x floor(hours x 60 / service_minutes)``.

    The floor is taken per desk: a slot cannot be split over two desks.

    Examples
    --------
    >>> appointment_slots_per_day(3, 5.8, 10)   # 34.8 -> 34 slots per desk
    102
    """
    _whole("desks", desks, low=0)
    h = _finite("appointment_hours_per_day", appointment_hours_per_day, hint="hours by appointment per working day")
    s = _finite("service_minutes", service_minutes, strict=True, hint="minutes per appointment slot")
    return int(desks) * math.floor(h * 60.0 / s + 1e-9)


def _poisson_pmf(lam: float, tiny: float = 1e-18) -> tuple[int, np.ndarray]:
    """Poisson pmf where it exceeds ``tiny``: returns ``(first value, pmf from there)``, renormalised."""
    if lam == 0:
        return 0, np.array([1.0])
    p = stats.poisson.pmf(np.arange(int(lam + 15.0 * math.sqrt(lam) + 40.0)), lam)
    keep = np.nonzero(p > tiny)[0]
    p = p[keep[0] : keep[-1] + 1]
    return int(keep[0]), p / p.sum()


def _ahead_pmf(lam: float) -> np.ndarray:
    """Requests ahead of a random request on the same day: ``P(H = h) = P(N > h) / lambda``.

    With Poisson requests spread over the day, a request arriving at time ``u`` (uniform on the
    day) has ``Poisson(lambda u)`` requests before it; integrating over ``u`` gives the formula.
    """
    if lam == 0:
        return np.array([1.0])
    p = stats.poisson.sf(np.arange(int(lam + 15.0 * math.sqrt(lam) + 40.0)), lam) / lam
    p = p[: int(np.nonzero(p > 1e-18)[0][-1]) + 1]
    return p / p.sum()


def _stationary_backlog(lam: float, slots: int) -> np.ndarray:
    """Stationary pmf of ``Q' = max(0, Q + A - K)``, ``A ~ Poisson(lam)``, on ``0 .. top``.

    Solves ``pi_j = sum_q pi_q P(q -> j)`` for ``j >= 1`` with ``pi_0 = 1`` (then rescales to sum
    1). The system is banded (a day moves the backlog by ``A - K``), so a banded LU solve is used.
    States above ``top`` are lumped into ``top``; ``top`` is chosen where the tail bound
    ``P(Q > x) <= exp(-theta x)`` is below 4e-18.
    """
    if lam == 0:
        return np.array([1.0])
    k = slots

    # theta > 0 solves lam (e^theta - 1) = K theta (Kingman / Cramer-Lundberg bound of a Lindley recursion)
    def g(t: float) -> float:
        return lam * math.expm1(t) - k * t

    lo = (k - lam) / lam  # the root lies below 2 (K - lam) / lam; halve until below it
    while g(lo) >= 0:
        lo /= 2.0
    hi = 2.0 * (k - lam) / lam + 1.0
    while g(hi) <= 0:
        hi *= 2.0
    theta = optimize.brentq(g, lo, hi, xtol=1e-14, rtol=1e-12)
    top = int(math.ceil(40.0 / theta)) + k
    a_lo, pa = _poisson_pmf(lam)
    a_hi = a_lo + len(pa) - 1
    low_bw, up_bw = max(0, a_hi - k), max(0, k - a_lo)  # row - column, column - row
    if (2 * low_bw + up_bw + 1) * (top + 1) > _MAX_BANDED_ENTRIES:
        raise ParameterError(
            f"requests_per_day={lam:g} is within {k - lam:.3g} of slots_per_day={k}: the backlog "
            "tail is too long for the exact steady state; add slots, or use simulate_access_time."
        )
    # ab[up_bw + j - q, q] = M[j, q], with M[j, q] = P(q -> j) - [j == q] for j >= 1 and M[0, :] = e_0.
    ab = np.zeros((low_bw + up_bw + 1, top + 1))
    for i, p_a in enumerate(pa):
        a = a_lo + i  # rows j = 1 .. top - 1 receive q = j + K - a
        q_from, q_to = max(0, 1 + k - a), min(top, top - 1 + k - a)
        if q_from <= q_to:
            ab[up_bw + a - k, q_from : q_to + 1] = p_a
    tail = np.concatenate([np.cumsum(pa[::-1])[::-1], [0.0]])  # tail[i] = P(A >= a_lo + i)
    q = np.arange(max(0, top + k - a_hi), top + 1)  # row top: every move that ends at or beyond top
    ab[up_bw + top - q, q] = tail[np.clip(top - q + k - a_lo, 0, len(pa))]
    ab[up_bw, 1:] -= 1.0
    ab[up_bw, 0] = 1.0
    rhs = np.zeros(top + 1)
    rhs[0] = 1.0
    pi = linalg.solve_banded((low_bw, up_bw), ab, rhs, check_finite=False)
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def access_time(requests_per_day: float, slots_per_day: int) -> AccessTime:
    """Steady-state days until the next free appointment slot.

    Model (a discrete-time queue of requests, one step per working day):

    * ``A_d ~ Poisson(lambda)`` requests come in on day ``d``, spread over the day, and book the
      first free slot from the next working day on, first come first served; every working day
      has ``K`` slots.
    * ``Q_d`` = bookings already waiting for later days when day ``d`` starts booking. The
      backlog carries over: ``Q_{d+1} = max(0, Q_d + A_d - K)`` (a Lindley recursion).
    * A request with ``H`` requests before it on its own day has position ``p = Q_d + H + 1`` and
      gets its appointment ``ceil(p / K)`` working days later.

    The stationary distribution of ``Q`` is computed exactly on a truncated range (the tail
    beyond it is below 4e-18 by the Kingman/Cramer-Lundberg bound); ``H`` has
    ``P(H = h) = P(N > h) / lambda``. Steady state assumes the same mean demand every day, so it
    describes a month with stable demand, not the build-up of a season peak
    (use :func:`simulate_access_time` with daily demand for that).

    Not modelled: people who prefer a later slot than the first free one, no-shows, slots
    kept free for urgent cases, a booking horizon, requests that give up.

    Parameters
    ----------
    requests_per_day : float
        Mean appointment requests per working day, >= 0.
    slots_per_day : int
        Slots per working day, >= 1 (see :func:`appointment_slots_per_day`).

    Returns
    -------
    AccessTime

    Examples
    --------
    >>> r = access_time(0.5, 1)     # hand-computed: E[Q] = 0.25, E[H] = 0.25, E[days] = 1.5
    >>> round(r.mean_access_days, 6), round(r.p_no_backlog, 6)
    (1.5, 0.824361)
    """
    lam = _finite("requests_per_day", requests_per_day, hint="mean appointment requests per working day")
    k = _whole("slots_per_day", slots_per_day)
    bound = lam / (2.0 * (k - lam)) if lam < k else math.inf
    if lam >= k:
        return AccessTime(lam, k, lam / k, False, 0.0, math.inf, bound, math.inf, ())
    pi = _stationary_backlog(lam, k)
    mean_q = float(np.arange(len(pi)) @ pi)
    pos = np.convolve(pi, _ahead_pmf(lam))  # pmf of Q + H; position p = Q + H + 1
    days = np.arange(len(pos)) // k + 1  # ceil((s + 1) / K) = floor(s / K) + 1
    pmf_days = np.bincount(days, weights=pos)
    cdf = np.minimum(np.cumsum(pmf_days), 1.0)
    return AccessTime(
        requests_per_day=lam,
        slots_per_day=k,
        utilisation=lam / k,
        stable=True,
        p_no_backlog=float(pi[0]),
        mean_backlog_slots=mean_q,
        backlog_bound_slots=bound,
        mean_access_days=float(np.arange(len(pmf_days)) @ pmf_days),
        access_days_cdf=tuple(float(x) for x in cdf),
    )


def access_time_heavy_traffic(requests_per_day: float, slots_per_day: int, days: int) -> tuple[float, float]:
    """Share of appointment requests with a slot within ``days`` working days, and the mean access days.

    The heavy-traffic (Kingman) approximation of the agenda of :func:`access_time`: the backlog of earlier
    bookings is exponential with mean ``lambda / (2 (K - lambda))``, and a request gets its slot within ``d``
    days when that backlog plus the requests before it on its day (about ``lambda / 2``) fit in ``d x K``
    slots. :func:`access_time` is exact but costs up to a tenth of a second for an agenda of hundreds of slots
    a day; for a norm of 2 working days or more the two agree within 0.012 on agendas of 20 to 300 slots at
    utilisation 0.5-0.98 (``tests/methods/test_staffing.py``). An agenda with no more slots than requests is
    unstable: nobody is within the norm (``(0.0, inf)``).

    Examples
    --------
    >>> share, mean_days = access_time_heavy_traffic(36.0, 40, 2)
    >>> round(share, 3), round(mean_days, 2)
    (1.0, 1.09)
    """
    lam = _finite("requests_per_day", requests_per_day, hint="appointment requests per working day")
    k = _whole("slots_per_day", slots_per_day, low=0)
    d = _whole("days", days, low=0)
    if k <= lam:
        return 0.0, math.inf
    if lam <= 0:
        return 1.0, 1.0
    mean_q = lam / (2.0 * (k - lam))
    share = 1.0 - math.exp(-max(d * k - lam / 2.0, 0.0) / mean_q)
    return share, max(1.0, 0.5 + (mean_q + lam / 2.0 + 1.0) / k)


@dataclass(frozen=True, eq=False)
class AccessSimulation:
    """Result of :func:`simulate_access_time`.

    Attributes
    ----------
    per_day : pd.DataFrame
        One row per simulated working day (after ``warmup_days``): ``requests`` (mean over runs),
        ``backlog_slots`` (mean bookings already waiting for later days when the day's requests
        come in), ``mean_access_days`` (over that day's requests in all runs) and, if a norm was
        given, ``share_within`` (share of that day's requests within the norm).
    mean_access_days : float
        Over all requests of all recorded days and runs.
    share_within : float
        Share of those requests with an appointment within ``max_access_days``; NaN without a norm.
    max_access_days : int or None
        The norm used.
    n_runs : int
        Independent runs (1 for fixed arrivals).
    seed : int
        Seed of the random draws.
    """

    per_day: pd.DataFrame
    mean_access_days: float
    share_within: float
    max_access_days: int | None
    n_runs: int
    seed: int


def simulate_access_time(
    daily_requests: Sequence[float] | np.ndarray | pd.Series,
    slots_per_day: int | Sequence[int] | np.ndarray,
    *,
    seed: int,
    max_access_days: int | None = None,
    n_runs: int = 200,
    arrivals: Literal["poisson", "fixed"] = "poisson",
    initial_backlog: int = 0,
    warmup_days: int = 0,
) -> AccessSimulation:
    """Simulate the appointment agenda day by day, with the backlog carried over.

    Same model as :func:`access_time`, but demand and capacity may change from day to day
    (season peak, a long Thursday, holiday weeks). On working day ``d``:
    ``R_d = max(0, B_d - K_d)`` bookings are waiting for days after ``d`` (``B_d`` = bookings
    pending for day ``d`` and later, ``B_0 = initial_backlog``); the day's ``A_d`` requests take
    positions ``R_d + 1 ... R_d + A_d`` and the request in position ``p`` is served on the first
    day ``j >= 1`` after ``d`` with ``K_{d+1} + ... + K_{d+j} >= p``; ``B_{d+1} = R_d + A_d``.

    Parameters
    ----------
    daily_requests : array-like of float
        Expected appointment requests on each working day (>= 0), in order. With
        ``arrivals="fixed"`` these are the exact whole numbers of requests.
    slots_per_day : int or array-like of int
        Slots on each working day (same length as ``daily_requests``), or one number for all.
        Days after the last one keep the last day's slots (> 0) so every booking finds a slot.
    seed : int
        Seed of the Poisson draws (use the run's ``seed`` parameter).
    max_access_days : int, optional
        Norm in working days for ``share_within``.
    n_runs : int, default 200
        Independent runs (a computational choice: more runs, less noise).
    arrivals : {"poisson", "fixed"}, default "poisson"
        ``"poisson"``: ``A_d ~ Poisson(daily_requests[d])``. ``"fixed"``: exactly
        ``daily_requests[d]`` requests (for hand checks); one run.
    initial_backlog : int, default 0
        Bookings pending at the start of day 0 (including day 0's own appointments).
    warmup_days : int, default 0
        Days left out of the results (to start a steady-state comparison away from an empty
        agenda).

    Returns
    -------
    AccessSimulation

    Examples
    --------
    >>> s = simulate_access_time([3, 3, 0, 0], 2, seed=1, arrivals="fixed", max_access_days=1)
    >>> s.mean_access_days, s.share_within, s.per_day["backlog_slots"].tolist()
    (1.5, 0.5, [0.0, 1.0, 2.0, 0.0])
    """
    r = np.asarray(daily_requests, dtype=float)
    if r.ndim != 1 or len(r) == 0 or not np.all(np.isfinite(r)) or np.any(r < 0):
        raise DataError("daily_requests must be a non-empty 1-D sequence of finite numbers >= 0 (one per working day).")
    n_days = len(r)
    if np.ndim(slots_per_day) == 0:
        k = np.full(n_days, _whole("slots_per_day", slots_per_day), dtype=np.int64)
    else:
        k = np.asarray(slots_per_day)
        if k.shape != (n_days,) or not np.issubdtype(k.dtype, np.integer) or np.any(k < 0):
            raise DataError(
                f"slots_per_day has shape {k.shape}; pass whole numbers >= 0, one per day of daily_requests ({n_days})."
            )
        if k[-1] <= 0:
            raise DataError("the last day of slots_per_day has no slots; later days repeat it, so it must be > 0.")
        k = k.astype(np.int64)
    seed = _whole("seed", seed, low=0)
    runs = _whole("n_runs", n_runs)
    b0 = _whole("initial_backlog", initial_backlog, low=0)
    warm = _whole("warmup_days", warmup_days, low=0)
    if warm >= n_days:
        raise ParameterError(f"warmup_days={warmup_days} leaves none of the {n_days} days; lower it.")
    if max_access_days is not None:
        _whole("max_access_days", max_access_days)
    if arrivals == "poisson":
        a_all = np.random.default_rng(seed).poisson(r, size=(runs, n_days)).astype(np.int64)
    elif arrivals == "fixed":
        if not np.allclose(r, np.round(r)):
            raise DataError("arrivals='fixed' needs whole numbers of requests per day in daily_requests.")
        runs = 1
        a_all = np.round(r).astype(np.int64)[None, :]
    else:
        raise ParameterError(f"arrivals={arrivals!r}; use 'poisson' or 'fixed'.")

    # cum[i] = slots on days 0 .. i-1; extended with the last day's slots when bookings run past the end.
    cum = np.concatenate([[0], np.cumsum(k)])

    def capacity_after(day: int, n_max: int) -> np.ndarray:
        """Slots on days day+1 .. day+j for j = 0, 1, ... until they hold n_max bookings."""
        nonlocal cum
        need_days = max(max_access_days or 0, 1)
        while True:
            if len(cum) <= day + 1 + need_days:
                extra = day + 2 + need_days - len(cum)
                cum = np.concatenate([cum, cum[-1] + k[-1] * np.arange(1, extra + 1)])
            c = cum[day + 1 : day + 2 + need_days] - cum[day + 1]
            if c[-1] >= n_max:
                return c
            need_days = 2 * need_days + int((n_max - c[-1]) // k[-1]) + 1

    def total_days(n: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Sum of access days of positions 1..n: sum_j max(0, n - c_j)."""
        return np.maximum(0, n[:, None] - c[None, :]).sum(axis=1)

    b = np.full(runs, b0, dtype=np.int64)
    rows = []
    sum_days_all = within_all = count_all = 0
    for d in range(n_days):
        waiting = np.maximum(0, b - k[d])
        a = a_all[:, d]
        upper = waiting + a
        c = capacity_after(d, int(upper.max()))
        days = total_days(upper, c) - total_days(waiting, c)
        b = upper
        if d < warm:
            continue
        n_req = int(a.sum())
        row = {
            "requests": float(a.mean()),
            "backlog_slots": float(waiting.mean()),
            "mean_access_days": float(days.sum() / n_req) if n_req else math.nan,
        }
        sum_days_all += int(days.sum())
        count_all += n_req
        if max_access_days is not None:
            within = np.clip(c[max_access_days] - waiting, 0, a)
            row["share_within"] = float(within.sum() / n_req) if n_req else math.nan
            within_all += int(within.sum())
        rows.append(row)
    per_day = pd.DataFrame(rows, index=pd.RangeIndex(warm, n_days, name="day"))
    return AccessSimulation(
        per_day=per_day,
        mean_access_days=sum_days_all / count_all if count_all else math.nan,
        share_within=(within_all / count_all if count_all else math.nan) if max_access_days is not None else math.nan,
        max_access_days=max_access_days,
        n_runs=runs,
        seed=seed,
    )


@dataclass(frozen=True)
class AppointmentDesks:
    """Result of :func:`appointment_desks_needed`.

    Attributes
    ----------
    desks : int
        Smallest number of desks in the appointment hours meeting the norm.
    slots_per_desk_per_day, slots_per_day : int
        Capacity at that number of desks.
    access : AccessTime
        Steady-state access time at ``desks``.
    max_access_days : int
        Norm: next free slot within this many working days ...
    target_share : float
        ... for at least this share of requests.
    skipped_desks : tuple of int
        Desk counts left out because demand was within a fraction of a slot per day of
        capacity (see :func:`appointment_desks_needed`).
    """

    desks: int
    slots_per_desk_per_day: int
    slots_per_day: int
    access: AccessTime
    max_access_days: int
    target_share: float
    skipped_desks: tuple[int, ...] = ()


def appointment_desks_needed(
    requests_per_day: float,
    service_minutes: float,
    *,
    max_access_days: int,
    target_share: float = 0.8,
    appointment_hours_per_day: float = HAARLEM_2018_APPOINTMENT_HOURS_PER_WEEK / WORKING_DAYS_PER_WEEK,
    max_desks: int = 50,
) -> AppointmentDesks:
    """Smallest number of desks so that the next free slot is within ``max_access_days``.

    Desks ``n`` give ``K = n x floor(appointment_hours_per_day x 60 / service_minutes)`` slots a
    day; the first ``n`` whose steady-state :func:`access_time` has
    ``share_within(max_access_days) >= target_share`` is returned. More desks never lengthen
    the access time, so the search stops at the first fit. A desk count whose capacity is so
    close to demand that the exact steady state cannot be built (within about a slot a day) is
    skipped as not meeting the norm (conservative: it can cost one desk too many in a
    near-critical case) and listed in ``skipped_desks``.

    Parameters
    ----------
    requests_per_day : float
        Mean appointment requests per working day.
    service_minutes : float
        Slot length in minutes (required; no sourced Haarlem value).
    max_access_days : int
        Norm in working days (required: a policy choice; no Haarlem norm was found).
    target_share : float, default 0.8
        Share of requests that must meet the norm. *Convention* (the 80/x service-level
        convention of base.yaml ``wachtnorm_aandeel``), not a Haarlem norm.
    appointment_hours_per_day : float, default 5.8
        Hours by appointment per working day: 29 h a week / 5 days, Haarlem 2018 (sourced,
        FACTS.md: 11:00-16:00, Thursday until 20:00). The long Thursday is averaged over the week.
    max_desks : int, default 50
        Search limit (computational).

    Returns
    -------
    AppointmentDesks

    Raises
    ------
    ParameterError
        If no desk count up to ``max_desks`` meets the norm, or one desk has no whole slot.

    Examples
    --------
    >>> appointment_desks_needed(60, 10, max_access_days=2).desks   # 34 slots per desk
    2
    """
    lam = _finite("requests_per_day", requests_per_day)
    n_days = _whole("max_access_days", max_access_days)
    share = _share("target_share", target_share)
    per_desk = appointment_slots_per_day(1, appointment_hours_per_day, service_minutes)
    if per_desk < 1:
        raise ParameterError(
            f"appointment_hours_per_day={appointment_hours_per_day} holds no slot of {service_minutes} min; "
            "raise the hours or shorten the slot."
        )
    top = _whole("max_desks", max_desks)
    skipped: list[int] = []
    for n in range(1, top + 1):
        k = n * per_desk
        if k <= lam:
            continue
        try:
            acc = access_time(lam, k)
        except ParameterError:
            skipped.append(n)
            continue
        if acc.share_within(n_days) >= share:
            return AppointmentDesks(n, per_desk, k, acc, n_days, share, tuple(skipped))
    raise ParameterError(
        f"no desk count up to max_desks={max_desks} gives {share:.0%} of {lam:g} requests a day a slot within "
        f"{n_days} working days; raise max_desks or check requests_per_day."
    )


# --------------------------------------------------------------------------- 3. walk-in: Erlang C
@dataclass(frozen=True)
class ErlangStaffing:
    """Erlang C staffing with maximum occupancy and shrinkage (see :func:`erlang_staffing`).

    Attributes
    ----------
    raw_desks : int
        Desks open at the same time ("agents before shrinkage").
    staff : int
        People to schedule: ``ceil(raw_desks / (1 - shrinkage))``.
    service_level : float
        Share waiting at most ``target_wait_minutes`` with ``raw_desks``.
    occupancy : float
        ``a / raw_desks``, ``a`` = offered load in Erlang.
    p_wait : float
        Erlang C probability of waiting at ``raw_desks``.
    mean_wait_minutes : float
        Mean wait at ``raw_desks``.
    offered_load_erlang : float
        ``a = arrivals per hour x service minutes / 60``.
    desks_for_service_level : int
        Desks the service-level norm alone needs (before the occupancy cap).
    arrival_rate_per_hour, service_minutes, target_wait_minutes, target_share, shrinkage, max_occupancy : float
        Inputs.
    """

    raw_desks: int
    staff: int
    service_level: float
    occupancy: float
    p_wait: float
    mean_wait_minutes: float
    offered_load_erlang: float
    desks_for_service_level: int
    arrival_rate_per_hour: float
    service_minutes: float
    target_wait_minutes: float
    target_share: float
    shrinkage: float
    max_occupancy: float


def erlang_staffing(
    arrival_rate_per_hour: float,
    service_minutes: float,
    *,
    target_wait_minutes: float,
    target_share: float = 0.8,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    max_desks: int = 200,
) -> ErlangStaffing:
    """Erlang C desks with an occupancy cap, and staff after shrinkage.

    1. ``n_SL`` = smallest ``n`` with service level ``1 - C(n, a) exp(-(n mu - lambda) t) >= target``
       (:func:`decentraal.methods.capacity.desks_needed`).
    2. Occupancy cap: ``raw = max(n_SL, ceil(a / max_occupancy))`` so that ``a / raw <= max_occupancy``.
    3. Shrinkage (absence, breaks, training): ``staff = ceil(raw / (1 - shrinkage))``.

    With 200 arrivals per hour, 3 minutes, ``t`` = 0.33 min, shrinkage 0.3 and max occupancy 0.85
    this gives the pyworkforce reference values in FACTS.md: 14 desks / 20 staff at 80 %,
    15 / 22 at 90 %.

    Parameters
    ----------
    arrival_rate_per_hour : float
        Arrivals per hour in the hour dimensioned for.
    service_minutes : float
        Mean service time in minutes (required).
    target_wait_minutes : float
        Waiting-time norm (required; example norms of other municipalities in FACTS.md).
    target_share : float, default 0.8
        *Convention* (80/x), as in :func:`decentraal.methods.capacity.desks_needed`.
    shrinkage : float, default 0.0
        Share of paid time not available at the desk. 0 returns staff = desks; no sourced Haarlem
        value (the 0.3 in FACTS.md belongs to a call-centre example), so pass the municipality's
        own figure to plan people rather than desks.
    max_occupancy : float, default 1.0
        Upper bound on ``a / desks``; 1.0 = no cap beyond stability. *Aanname* when set: the 0.85
        in FACTS.md is the call-centre example's value.
    max_desks : int, default 200
        Search limit (computational).

    Returns
    -------
    ErlangStaffing

    Examples
    --------
    >>> r = erlang_staffing(200, 3, target_wait_minutes=0.33, shrinkage=0.3, max_occupancy=0.85)
    >>> r.raw_desks, r.staff, round(r.service_level, 3), round(r.occupancy, 3), round(r.p_wait, 3)
    (14, 20, 0.888, 0.714, 0.174)
    """
    shrink = _finite("shrinkage", shrinkage, hint="share of paid time away from the desk, in [0, 1)")
    if shrink >= 1:
        raise ParameterError(f"shrinkage={shrinkage!r}; pass a share in [0, 1).")
    occ = _finite("max_occupancy", max_occupancy, strict=True)
    if occ > 1:
        raise ParameterError(f"max_occupancy={max_occupancy!r}; pass a share in (0, 1].")
    base = desks_needed(
        arrival_rate_per_hour,
        service_minutes,
        target_wait_minutes=target_wait_minutes,
        target_share=target_share,
        max_desks=max_desks,
    )
    a = base.offered_load_erlang
    raw = max(base.desks, _ceil(a / occ) if a > 0 else 1)
    if raw > max_desks:
        raise ParameterError(
            f"max_occupancy={occ} needs {raw} desks, more than max_desks={max_desks}; raise max_desks."
        )
    return ErlangStaffing(
        raw_desks=raw,
        staff=_ceil(raw / (1.0 - shrink)),
        service_level=service_level(arrival_rate_per_hour, service_minutes, raw, target_wait_minutes),
        occupancy=a / raw,
        p_wait=erlang_c(arrival_rate_per_hour, service_minutes, raw),
        mean_wait_minutes=mean_wait_minutes(arrival_rate_per_hour, service_minutes, raw),
        offered_load_erlang=a,
        desks_for_service_level=base.desks,
        arrival_rate_per_hour=float(arrival_rate_per_hour),
        service_minutes=float(service_minutes),
        target_wait_minutes=float(target_wait_minutes),
        target_share=float(target_share),
        shrinkage=shrink,
        max_occupancy=occ,
    )


def walk_in_staffing(
    walk_in_visits_per_year: float,
    service_minutes: float,
    *,
    target_wait_minutes: float,
    target_share: float = 0.8,
    walk_in_hours_per_week: float = HAARLEM_2018_WALK_IN_HOURS_PER_WEEK,
    weeks_per_year: float = 52,
    peak_factor: float = 1.0,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> ErlangStaffing:
    """Desks for the walk-in hours: arrivals per walk-in hour, then :func:`erlang_staffing`.

    ``lambda = walk_in_visits_per_year / (walk_in_hours_per_week x weeks_per_year) x peak_factor``
    (:func:`decentraal.methods.capacity.visits_per_hour`). Erlang C assumes steady state; a
    walk-in window of two hours that starts with an empty hall waits less than that on average
    (compare :func:`simulate_walk_in_sessions`), so this errs towards more desks.

    Parameters
    ----------
    walk_in_visits_per_year : float
        Visits without appointment per year.
    service_minutes, target_wait_minutes, target_share, shrinkage, max_occupancy
        As in :func:`erlang_staffing`.
    walk_in_hours_per_week : float, default 10
        Haarlem 2018: walk-in 9:00-11:00 on five days (sourced, FACTS.md).
    weeks_per_year : float, default 52
        Calendar weeks (does not subtract public holidays).
    peak_factor : float, default 1.0
        Busiest walk-in hour / average walk-in hour; 1.0 dimensions for the average hour
        (base.yaml ``piekfactor`` is an *aanname*).

    Returns
    -------
    ErlangStaffing
    """
    rate = visits_per_hour(
        walk_in_visits_per_year,
        opening_hours_per_week=walk_in_hours_per_week,
        weeks_per_year=weeks_per_year,
        peak_factor=peak_factor,
    )
    return erlang_staffing(
        rate,
        service_minutes,
        target_wait_minutes=target_wait_minutes,
        target_share=target_share,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
    )


# --------------------------------------------------------------------------- 4. walk-in: simulation (SimPy)
@dataclass(frozen=True)
class WalkInSimulation:
    """Result of :func:`simulate_walk_in` or :func:`simulate_walk_in_sessions`.

    Attributes
    ----------
    n_customers : int
        Visitors measured.
    mean_wait_minutes : float
        Mean time from arrival to the start of service.
    mean_wait_se_minutes : float
        Standard error of ``mean_wait_minutes`` (batch means for one long run; between
        sessions for sessions).
    p_wait : float
        Share of visitors who had to wait at all.
    service_level : float
        Share who waited at most ``target_wait_minutes``.
    utilisation : float
        Service time delivered / (desks x time the hall was open to arrivals). In sessions this
        can exceed 1: the work then runs past closing time.
    mean_overrun_minutes : float
        Sessions only: mean time after the walk-in window closes until the last visitor is
        served (0 for the steady-state run).
    target_wait_minutes : float
        Norm for ``service_level``.
    seed : int
        Seed of the random draws.
    """

    n_customers: int
    mean_wait_minutes: float
    mean_wait_se_minutes: float
    p_wait: float
    service_level: float
    utilisation: float
    mean_overrun_minutes: float
    target_wait_minutes: float
    seed: int


def _fcfs_waits(arrival_minutes: np.ndarray, service_minutes: np.ndarray, servers: int) -> np.ndarray:
    """Waits (minutes) in a first-come-first-served queue with ``servers`` desks, simulated in SimPy.

    ``arrival_minutes`` must be sorted; visitor ``i`` needs ``service_minutes[i]`` at the desk.
    """
    env = simpy.Environment()
    desks = simpy.Resource(env, capacity=servers)
    waits = np.empty(len(arrival_minutes))

    def visitor(i: int) -> Generator[simpy.Event, object, None]:
        with desks.request() as turn:
            yield turn
            waits[i] = env.now - arrival_minutes[i]
            yield env.timeout(service_minutes[i])

    def door() -> Generator[simpy.Event, object, None]:
        for i, t in enumerate(arrival_minutes):
            yield env.timeout(t - env.now)
            env.process(visitor(i))

    env.process(door())
    env.run()
    return waits


def _check_queue(
    arrival_rate_per_hour: float, service_minutes: float, servers: int, target_wait_minutes: float
) -> None:
    _finite("arrival_rate_per_hour", arrival_rate_per_hour, strict=True, hint="walk-in arrivals per hour")
    _finite("service_minutes", service_minutes, strict=True, hint="mean minutes per visit")
    _whole("servers", servers)
    _finite("target_wait_minutes", target_wait_minutes, hint="waiting-time norm in minutes")


def simulate_walk_in(
    arrival_rate_per_hour: float,
    service_minutes: float,
    servers: int,
    *,
    seed: int,
    target_wait_minutes: float = 0.0,
    n_customers: int = 60_000,
    warmup_customers: int = 2_000,
    n_batches: int = 20,
) -> WalkInSimulation:
    """Discrete-event simulation of the M/M/c walk-in queue in steady state (SimPy).

    Poisson arrivals (exponential gaps, mean ``60 / rate`` min), exponential service (mean
    ``service_minutes``), ``servers`` desks, one first-come-first-served queue, nobody leaves:
    the Erlang C assumptions, so the results estimate the analytic values of
    :mod:`decentraal.methods.capacity` and differ from them only by simulation noise. The first
    ``warmup_customers`` (starting from an empty hall) are not measured.

    Parameters
    ----------
    arrival_rate_per_hour, service_minutes : float
        As in :func:`decentraal.methods.capacity.erlang_c`.
    servers : int
        Desks; must exceed the offered load (otherwise there is no steady state to estimate;
        use :func:`simulate_walk_in_sessions`).
    seed : int
        Seed of the random draws.
    target_wait_minutes : float, default 0
        Norm for ``service_level``.
    n_customers : int, default 60000
        Visitors measured (computational: the standard error shrinks with its square root).
    warmup_customers : int, default 2000
        Visitors simulated before measuring.
    n_batches : int, default 20
        Batches for the batch-means standard error.

    Returns
    -------
    WalkInSimulation

    Examples
    --------
    >>> s = simulate_walk_in(20, 10, 5, seed=1, target_wait_minutes=5, n_customers=2000, warmup_customers=200)
    >>> 0 < s.p_wait < 1 and 0 < s.utilisation < 1
    True
    """
    _check_queue(arrival_rate_per_hour, service_minutes, servers, target_wait_minutes)
    a = arrival_rate_per_hour * service_minutes / 60.0
    if servers <= a:
        raise ParameterError(
            f"servers={servers} <= offered load {a:.2f} Erlang: the queue has no steady state; add desks, or use "
            "simulate_walk_in_sessions for a walk-in window of fixed length."
        )
    n = _whole("n_customers", n_customers, low=2)
    warm = _whole("warmup_customers", warmup_customers, low=0)
    batches = _whole("n_batches", n_batches, low=2)
    if n < batches:
        raise ParameterError(f"n_customers={n} is fewer than n_batches={batches}; simulate more visitors.")
    seed = _whole("seed", seed, low=0)
    rng = np.random.default_rng(seed)
    total = n + warm
    arrive = np.cumsum(rng.exponential(60.0 / arrival_rate_per_hour, total))
    serve = rng.exponential(service_minutes, total)
    w = _fcfs_waits(arrive, serve, servers)[warm:]
    span = arrive[-1] - arrive[warm]
    means = np.array([b.mean() for b in np.array_split(w, batches)])
    return WalkInSimulation(
        n_customers=n,
        mean_wait_minutes=float(w.mean()),
        mean_wait_se_minutes=float(means.std(ddof=1) / math.sqrt(batches)),
        p_wait=float(np.mean(w > 0)),
        service_level=float(np.mean(w <= target_wait_minutes)),
        utilisation=float(serve[warm:-1].sum() / (servers * span)) if span > 0 else math.nan,
        mean_overrun_minutes=0.0,
        target_wait_minutes=float(target_wait_minutes),
        seed=seed,
    )


def simulate_walk_in_sessions(
    arrival_rate_per_hour: float,
    service_minutes: float,
    servers: int,
    *,
    seed: int,
    target_wait_minutes: float = 0.0,
    session_hours: float = HAARLEM_2018_WALK_IN_HOURS_PER_DAY,
    n_sessions: int = 250,
) -> WalkInSimulation:
    """Simulate walk-in windows that open with an empty hall (SimPy), e.g. 9:00-11:00 each day.

    Same M/M/c queue as :func:`simulate_walk_in`, but arrivals come only during
    ``session_hours``; everyone who arrived is served, also after the window closes. Unlike
    Erlang C this shows the start-of-day effect and the overrun past closing, and it works when
    desks do not exceed the offered load.

    Parameters
    ----------
    arrival_rate_per_hour, service_minutes, servers, seed, target_wait_minutes
        As in :func:`simulate_walk_in`.
    session_hours : float, default 2
        Length of the walk-in window; Haarlem 2018: 9:00-11:00 (sourced, FACTS.md).
    n_sessions : int, default 250
        Independent windows (about a year of working days; computational).

    Returns
    -------
    WalkInSimulation
        ``mean_wait_se_minutes`` from the spread of the per-session means.
    """
    _check_queue(arrival_rate_per_hour, service_minutes, servers, target_wait_minutes)
    length = _finite("session_hours", session_hours, strict=True) * 60.0
    sessions = _whole("n_sessions", n_sessions, low=2)
    seed = _whole("seed", seed, low=0)
    rng = np.random.default_rng(seed)
    waits, session_means, overruns, work = [], [], [], 0.0
    for _ in range(sessions):
        count = rng.poisson(arrival_rate_per_hour * length / 60.0)
        arrive = np.sort(rng.uniform(0.0, length, count))  # Poisson process on [0, length)
        serve = rng.exponential(service_minutes, count)
        if count == 0:
            overruns.append(0.0)
            continue
        w = _fcfs_waits(arrive, serve, servers)
        waits.append(w)
        session_means.append(w.mean())
        overruns.append(max(0.0, float(np.max(arrive + w + serve)) - length))
        work += float(serve.sum())
    if not waits:
        raise ParameterError("no visitor arrived in any session; raise arrival_rate_per_hour or n_sessions.")
    w_all = np.concatenate(waits)
    m = np.array(session_means)
    return WalkInSimulation(
        n_customers=len(w_all),
        mean_wait_minutes=float(w_all.mean()),
        mean_wait_se_minutes=float(m.std(ddof=1) / math.sqrt(len(m))) if len(m) > 1 else math.nan,
        p_wait=float(np.mean(w_all > 0)),
        service_level=float(np.mean(w_all <= target_wait_minutes)),
        utilisation=work / (servers * length * sessions),
        mean_overrun_minutes=float(np.mean(overruns)),
        target_wait_minutes=float(target_wait_minutes),
        seed=seed,
    )


# --------------------------------------------------------------------------- combined counter
@dataclass(frozen=True)
class CounterDesks:
    """Desks and desk-hours of a counter with walk-in and appointment hours (see :func:`mixed_counter`).

    Attributes
    ----------
    desks : int
        Desks to furnish: the larger of the two parts (they are open at different times).
    walk_in_desks, appointment_desks : int
        Desks open in each part.
    desk_hours_per_week : float
        ``walk_in_desks x walk_in_hours_per_week + appointment_desks x appointment_hours_per_week``.
    desk_hours_per_year : float
        ``desk_hours_per_week x weeks_per_year``.
    """

    desks: int
    walk_in_desks: int
    appointment_desks: int
    desk_hours_per_week: float
    desk_hours_per_year: float


def mixed_counter(
    walk_in_desks: int,
    appointment_desks: int,
    *,
    walk_in_hours_per_week: float = HAARLEM_2018_WALK_IN_HOURS_PER_WEEK,
    appointment_hours_per_week: float = HAARLEM_2018_APPOINTMENT_HOURS_PER_WEEK,
    weeks_per_year: float = 52,
) -> CounterDesks:
    """Desks and staffed desk-hours when walk-in and appointment hours follow each other.

    Defaults are Haarlem 2018 (sourced, FACTS.md): 10 walk-in hours and 29 appointment hours a
    week; 52 calendar weeks (does not subtract public holidays).

    Examples
    --------
    >>> c = mixed_counter(4, 3)
    >>> c.desks, c.desk_hours_per_week, c.desk_hours_per_year     # 4 x 10 + 3 x 29 = 127
    (4, 127.0, 6604.0)
    """
    wi = _whole("walk_in_desks", walk_in_desks, low=0)
    ap = _whole("appointment_desks", appointment_desks, low=0)
    h_wi = _finite("walk_in_hours_per_week", walk_in_hours_per_week)
    h_ap = _finite("appointment_hours_per_week", appointment_hours_per_week)
    if h_wi + h_ap > 168:
        raise ParameterError("walk-in and appointment hours add up to more than 168 hours a week; check both.")
    weeks = _finite("weeks_per_year", weeks_per_year, strict=True)
    if weeks > 53:
        raise ParameterError(f"weeks_per_year={weeks_per_year!r}; must be in (0, 53].")
    per_week = wi * h_wi + ap * h_ap
    return CounterDesks(max(wi, ap), wi, ap, float(per_week), float(per_week * weeks))
