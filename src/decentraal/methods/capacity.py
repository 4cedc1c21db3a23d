"""How many desks does a counter need? M/M/c (Erlang C) queueing.

Assumptions of the Erlang C model: Poisson arrivals at a constant rate within the hour
considered, exponential service times, ``c`` identical desks, one shared queue, nobody
leaves the queue, steady state. Counters that work by appointment violate the Poisson
arrival assumption; Erlang C then overestimates waiting (a conservative desk count).

Pure functions, no I/O.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from decentraal.errors import ParameterError

__all__ = ["DeskResult", "erlang_b", "erlang_c", "mean_wait_minutes", "service_level", "desks_needed", "visits_per_hour"]


def _check_rates(arrival_rate_per_hour: float, service_minutes: float) -> None:
    if not (math.isfinite(arrival_rate_per_hour) and arrival_rate_per_hour >= 0):
        raise ParameterError(f"arrival_rate_per_hour={arrival_rate_per_hour!r}; pass visits per hour >= 0.")
    if not (math.isfinite(service_minutes) and service_minutes > 0):
        raise ParameterError(f"service_minutes={service_minutes!r}; pass the mean handling time in minutes > 0.")


def _check_servers(servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, numbers.Integral) or servers < 1:
        raise ParameterError(f"servers={servers!r}; pass a whole number of desks >= 1.")


def _offered_load(arrival_rate_per_hour: float, service_minutes: float) -> float:
    return arrival_rate_per_hour * service_minutes / 60.0


def erlang_b(offered_load: float, servers: int) -> float:
    """Erlang B blocking probability via the stable recursion ``B_k = a B_{k-1} / (k + a B_{k-1})``.

    Parameters
    ----------
    offered_load : float
        ``a = lambda / mu`` in Erlang, >= 0.
    servers : int
        Number of desks, >= 1.

    Returns
    -------
    float
    """
    if not (math.isfinite(offered_load) and offered_load >= 0):
        raise ParameterError(f"offered_load={offered_load!r}; must be >= 0 Erlang.")
    _check_servers(servers)
    b = 1.0
    for k in range(1, int(servers) + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(arrival_rate_per_hour: float, service_minutes: float, servers: int) -> float:
    """Probability that an arriving visitor has to wait (Erlang C).

    Computed from Erlang B: ``C = c B / (c - a (1 - B))`` with ``a = lambda * service time``.

    Parameters
    ----------
    arrival_rate_per_hour : float
        Visitors per hour, >= 0.
    service_minutes : float
        Mean handling time per visit in minutes, > 0.
    servers : int
        Desks open, >= 1.

    Returns
    -------
    float
        P(wait) in [0, 1]. If ``servers <= a`` there is no steady state (the queue grows
        without bound); the function then returns 1.0 rather than raising, and
        :func:`desks_needed` skips such desk counts.
    """
    _check_rates(arrival_rate_per_hour, service_minutes)
    _check_servers(servers)
    a = _offered_load(arrival_rate_per_hour, service_minutes)
    if a == 0:
        return 0.0
    if servers <= a:
        return 1.0
    b = erlang_b(a, servers)
    return servers * b / (servers - a * (1.0 - b))


def mean_wait_minutes(arrival_rate_per_hour: float, service_minutes: float, servers: int) -> float:
    """Mean time in queue ``Wq = C / (c mu - lambda)`` in minutes (``inf`` if unstable)."""
    c_prob = erlang_c(arrival_rate_per_hour, service_minutes, servers)
    mu = 60.0 / service_minutes  # per hour
    spare = servers * mu - arrival_rate_per_hour
    if spare <= 0:
        return math.inf
    return 60.0 * c_prob / spare


def service_level(
    arrival_rate_per_hour: float, service_minutes: float, servers: int, target_wait_minutes: float
) -> float:
    """Share of visitors who wait at most ``target_wait_minutes``.

    ``SL = 1 - C * exp(-(c mu - lambda) t)``; 0.0 when there is no steady state.

    Parameters
    ----------
    arrival_rate_per_hour, service_minutes, servers
        As in :func:`erlang_c`.
    target_wait_minutes : float
        Waiting-time norm ``t`` in minutes, >= 0.

    Returns
    -------
    float
        In [0, 1].
    """
    if not (math.isfinite(target_wait_minutes) and target_wait_minutes >= 0):
        raise ParameterError(f"target_wait_minutes={target_wait_minutes!r}; pass minutes >= 0.")
    c_prob = erlang_c(arrival_rate_per_hour, service_minutes, servers)
    mu = 60.0 / service_minutes
    spare = servers * mu - arrival_rate_per_hour
    if spare <= 0:
        return 0.0
    return 1.0 - c_prob * math.exp(-spare * target_wait_minutes / 60.0)


@dataclass(frozen=True)
class DeskResult:
    """Desk requirement for one counter.

    Attributes
    ----------
    desks : int
        Smallest number of desks meeting the norm.
    arrival_rate_per_hour, service_minutes : float
        Inputs.
    offered_load_erlang : float
        ``a = lambda x service time``.
    min_stable_desks : int
        Smallest desk count with a steady state (``> a``); fewer desks mean an ever-growing
        queue (Erlang C returns 1.0 there).
    utilisation : float
        ``a / desks``.
    p_wait : float
        Erlang C at ``desks``.
    mean_wait_minutes : float
        ``Wq`` at ``desks``.
    service_level : float
        Share waiting at most ``target_wait_minutes`` at ``desks``.
    target_wait_minutes, target_share : float
        The norm.
    """

    desks: int
    arrival_rate_per_hour: float
    service_minutes: float
    offered_load_erlang: float
    min_stable_desks: int
    utilisation: float
    p_wait: float
    mean_wait_minutes: float
    service_level: float
    target_wait_minutes: float
    target_share: float


def desks_needed(
    arrival_rate_per_hour: float,
    service_minutes: float,
    *,
    target_wait_minutes: float,
    target_share: float = 0.8,
    max_desks: int = 50,
) -> DeskResult:
    """Smallest number of desks so that ``target_share`` of visitors wait <= ``target_wait_minutes``.

    Parameters
    ----------
    arrival_rate_per_hour : float
        Visitors per hour in the hour dimensioned for (use a peak factor, see
        :func:`visits_per_hour`).
    service_minutes : float
        Mean handling time in minutes. No sourced Haarlem figure is built in; required.
    target_wait_minutes : float
        Waiting-time norm in minutes; a policy choice, required.
    target_share : float, default 0.8
        Share of visitors that must meet the norm. 0.8 follows the common "80/x" service-
        level convention of call-centre planning; it is a policy choice, not a Haarlem norm.
    max_desks : int, default 50
        Search limit (a computational bound, not an assumption).

    Returns
    -------
    DeskResult
        At least 1 desk (an open counter has a desk even with zero arrivals).

    Raises
    ------
    ParameterError
        Invalid inputs, or no desk count up to ``max_desks`` meets the norm (raise it).
    """
    _check_rates(arrival_rate_per_hour, service_minutes)
    if not (0 < target_share < 1):
        raise ParameterError(
            f"target_share={target_share!r}; must be strictly between 0 and 1 (1 cannot be reached with "
            "random arrivals)."
        )
    if not (math.isfinite(target_wait_minutes) and target_wait_minutes >= 0):
        raise ParameterError(f"target_wait_minutes={target_wait_minutes!r}; pass minutes >= 0.")
    _check_servers(max_desks)
    a = _offered_load(arrival_rate_per_hour, service_minutes)
    min_stable = max(1, math.floor(a) + 1)
    for c in range(min_stable, max_desks + 1):
        sl = service_level(arrival_rate_per_hour, service_minutes, c, target_wait_minutes)
        if sl >= target_share:
            return DeskResult(
                desks=c,
                arrival_rate_per_hour=float(arrival_rate_per_hour),
                service_minutes=float(service_minutes),
                offered_load_erlang=a,
                min_stable_desks=min_stable,
                utilisation=a / c,
                p_wait=erlang_c(arrival_rate_per_hour, service_minutes, c),
                mean_wait_minutes=mean_wait_minutes(arrival_rate_per_hour, service_minutes, c),
                service_level=sl,
                target_wait_minutes=float(target_wait_minutes),
                target_share=float(target_share),
            )
    raise ParameterError(
        f"no desk count up to max_desks={max_desks} meets {target_share:.0%} within {target_wait_minutes} min "
        f"(offered load {a:.2f} Erlang); raise max_desks or check the arrival rate."
    )


def visits_per_hour(
    visits_per_year: float,
    *,
    opening_hours_per_week: float,
    weeks_per_year: float = 52,  # calendar weeks; does not subtract public holidays
    peak_factor: float = 1.0,  # 1.0 = average hour; no sourced Haarlem peak factor
) -> float:
    """Average (or peak) arrivals per opening hour.

    ``visits_per_year / (opening_hours_per_week * weeks_per_year) * peak_factor``.

    Parameters
    ----------
    visits_per_year : float
        Visits the counter receives per year, >= 0.
    opening_hours_per_week : float
        Hours the counter is open per week, > 0 (a design choice; required).
    weeks_per_year : float, default 52
        Calendar weeks per year. Pass fewer if the counter closes on public holidays or in
        the summer.
    peak_factor : float, default 1.0
        Busiest-hour rate divided by the average-hour rate. 1.0 dimensions for the average
        hour; no sourced peak factor exists for Haarlem, so pass one explicitly (e.g. from
        appointment-system logs) when dimensioning for peaks.

    Returns
    -------
    float
        Visitors per hour.
    """
    if not (math.isfinite(visits_per_year) and visits_per_year >= 0):
        raise ParameterError(f"visits_per_year={visits_per_year!r}; must be >= 0.")
    if not (math.isfinite(opening_hours_per_week) and 0 < opening_hours_per_week <= 168):
        raise ParameterError(f"opening_hours_per_week={opening_hours_per_week!r}; must be in (0, 168].")
    if not (math.isfinite(weeks_per_year) and 0 < weeks_per_year <= 53):
        raise ParameterError(f"weeks_per_year={weeks_per_year!r}; must be in (0, 53].")
    if not (math.isfinite(peak_factor) and peak_factor >= 1.0):
        raise ParameterError(f"peak_factor={peak_factor!r}; must be >= 1 (busiest hour / average hour).")
    return visits_per_year / (opening_hours_per_week * weeks_per_year) * peak_factor
