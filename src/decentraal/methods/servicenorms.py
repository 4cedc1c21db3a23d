"""Service norms of a contact centre: phone with abandonment, e-mail backlog, counter, FTE.

Four method steps for the service-norm chapter (issue 13), each usable on its own:

1. **Phone, callers who hang up** (:func:`erlang_a`, :func:`agents_for_norm`): the Erlang A
   (Palm, M/M/n+M) queue. Erlang C (:mod:`decentraal.methods.capacity`) assumes nobody hangs
   up, so above capacity it has no answer at all; with abandonment the queue stays finite and
   the share of callers answered within the norm is well defined at every load.
2. **E-mail, backlog in working days** (:func:`email_backlog`, :func:`capacity_for_norm`): a
   deterministic first-in-first-out fluid model, day by day, with the backlog carried over.
3. **Counter** (:func:`counter_norms`): the appointment access time of
   :func:`decentraal.methods.staffing.access_time` and the walk-in wait of Erlang C
   (:func:`decentraal.methods.capacity.service_level`) in one result.
4. **Staff** (:func:`fte_from_agents`, :func:`agents_from_fte`, :func:`working_days_in_month`,
   :func:`working_days_per_month`): agents on the phone versus FTE on the payroll.

Why no library for Erlang A: of the PyPI packages named after Erlang, ``pyworkforce`` and
``erlanglib`` do Erlang B/C only, and ``ErlangCCmath`` ("Erlang X") needs a user id from its
vendor. The exact birth-death computation below is short, and the tests check it against the
discrete-event simulator ``ciw`` and, for very patient callers, against Erlang C.

Pure functions, no I/O, nothing random.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from decentraal.errors import DataError, ParameterError
from decentraal.methods.capacity import erlang_c, mean_wait_minutes, service_level
from decentraal.methods.staffing import WORKING_DAYS_PER_WEEK, access_time, opening_hours_per_month

__all__ = [
    "PhoneResult",
    "erlang_a",
    "agents_for_norm",
    "BacklogResult",
    "email_backlog",
    "capacity_for_norm",
    "CounterNormResult",
    "counter_norms",
    "fte_from_agents",
    "agents_from_fte",
    "working_days_in_month",
    "working_days_per_month",
]

#: Largest birth-death chain :func:`erlang_a` builds (states); a computational bound.
_MAX_STATES = 1_000_000
#: Probability mass left out when truncating a distribution (computational).
_TAIL = 1e-16


# --------------------------------------------------------------------------- checks
def _real(
    name: str, value: float, *, low: float = 0.0, strict: bool = False, allow_inf: bool = False, hint: str = ""
) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isnan(value)
    ok = ok and (allow_inf or math.isfinite(value)) and (value > low if strict else value >= low)
    if not ok:
        sign = ">" if strict else ">="
        what = "a number" if allow_inf else "a finite number"
        raise ParameterError(f"{name}={value!r}; pass {what} {sign} {low}{'; ' + hint if hint else ''}.")
    return float(value)


def _whole(name: str, value: int, *, low: int = 1, hint: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ParameterError(f"{name}={value!r}; pass a whole number >= {low}{'; ' + hint if hint else ''}.")
    return int(value)


def _target(name: str, value: float, *, allow_one: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 < value < 1 + (1e-12 if allow_one else 0)
    if not ok or (not allow_one and value >= 1):
        top = "1]" if allow_one else "1)"
        raise ParameterError(f"{name}={value!r}; pass a share in (0, {top}, e.g. 0.8 for 80 %.")
    return float(value)


# --------------------------------------------------------------------------- 1. phone: Erlang A
@dataclass(frozen=True)
class PhoneResult:
    """Steady state of a phone queue with abandonment (see :func:`erlang_a`).

    Attributes
    ----------
    agents : int
        Agents answering the phone at the same time.
    calls_per_hour, handle_minutes, patience_minutes, answer_seconds : float
        Inputs (``patience_minutes`` may be ``inf``: nobody hangs up, Erlang C).
    offered_load : float
        ``calls_per_hour x handle_minutes / 60`` in Erlang.
    p_wait : float
        Probability that a caller finds every agent busy and has to wait.
    p_abandon : float
        Share of callers who hang up before an agent answers.
    share_within_norm : float
        Share of ALL offered calls answered within ``answer_seconds``. Callers who hang up count
        as not within the norm, also when they hang up within ``answer_seconds``.
    share_within_norm_answered : float
        Share of the ANSWERED calls answered within ``answer_seconds`` (the other common way
        to report a service level; higher than ``share_within_norm`` when callers hang up).
    mean_wait_seconds : float
        Mean time in the queue over all callers: until an agent answers or the caller hangs
        up (0 for those answered at once). ``E[queue] / lambda`` by Little's law.
    mean_wait_answered_seconds : float
        Mean wait of the callers who are answered.
    mean_wait_abandoned_seconds : float
        Mean time until hanging up of the callers who hang up (NaN if nobody does).
    mean_queue : float
        Mean number of callers waiting.
    occupancy : float
        Share of agent time spent on calls: answered calls x handling time / agents.
    """

    agents: int
    calls_per_hour: float
    handle_minutes: float
    patience_minutes: float
    answer_seconds: float
    offered_load: float
    p_wait: float
    p_abandon: float
    share_within_norm: float
    share_within_norm_answered: float
    mean_wait_seconds: float
    mean_wait_answered_seconds: float
    mean_wait_abandoned_seconds: float
    mean_queue: float
    occupancy: float


def _stationary(lam: float, mu: float, theta: float, s: int) -> np.ndarray:
    """Stationary distribution of the M/M/s+M birth-death chain, truncated where the tail is < 1e-16.

    States ``n = 0 .. N`` callers in the system; births ``lam``, deaths
    ``min(n, s) mu + max(n - s, 0) theta``. ``pi_n`` is built from ``log(lam / death_k)`` sums
    (no overflow at large ``s`` or loads). ``N`` doubles until the last state is 40 e-folds below
    the mode and the geometric bound on the rest of the tail is below 1e-16.
    """
    if theta > 0:
        peak = s + max(0, math.ceil((lam - s * mu) / theta))
    else:
        peak = s
    extra = 64 + int(10 * math.sqrt(lam / mu + 1))
    while True:
        top = peak + extra
        if top > _MAX_STATES:
            raise ParameterError(
                f"the phone queue would hold about {peak - s:,} waiting callers ({lam:g} calls per hour against "
                f"{s} agents, patience {60 / theta if theta else math.inf:g} min): too long to compute; check "
                "calls_per_hour and patience_minutes, or add agents."
            )
        n = np.arange(1, top + 1, dtype=float)
        death = np.minimum(n, s) * mu + np.maximum(n - s, 0.0) * theta
        logp = np.concatenate([[0.0], np.cumsum(math.log(lam) - np.log(death))])
        norm = special.logsumexp(logp)
        q = lam / (min(top + 1, s) * mu + max(top + 1 - s, 0) * theta)
        if q < 1 and logp[-1] - norm < -40 and logp[-1] + math.log(q / (1 - q)) - norm < math.log(_TAIL):
            return np.exp(logp - norm)
        extra *= 2


def _hypoexp_cdf(rates: np.ndarray, t: float) -> np.ndarray:
    """``F[j] = P(X_0 + ... + X_j <= t)`` with independent ``X_i ~ Exp(rates[i])``, for every ``j``.

    Uniformisation of the pure-death chain that runs from phase ``j`` down through phase 0 at
    rate ``rates[i]`` in phase ``i``: with ``L = max(rates)`` and ``k`` Poisson(``L t``)
    jumps, each jump leaves phase ``i`` with probability ``rates[i] / L``. Every step is a convex
    combination of probabilities, so the recursion is stable; the Poisson sum is cut where less
    than 1e-16 of its mass remains.
    """
    if t == 0 or len(rates) == 0:
        return np.zeros(len(rates))
    big = float(rates.max())
    m = big * t
    kmax = int(stats.poisson.isf(_TAIL, m)) + 1
    weight = stats.poisson.pmf(np.arange(kmax + 1), m)
    move = rates / big
    u = np.zeros(len(rates))  # u[j] = P(absorbed within k jumps | start in phase j)
    cdf = np.zeros(len(rates))
    for k in range(1, kmax + 1):
        u = move * np.concatenate([[1.0], u[:-1]]) + (1.0 - move) * u
        cdf += weight[k] * u
    return np.clip(cdf, 0.0, 1.0)


def _unit(x: float) -> float:
    """Clip floating-point dust: a probability in [0, 1]."""
    return float(min(max(x, 0.0), 1.0))


def erlang_a(
    calls_per_hour: float,
    handle_minutes: float,
    patience_minutes: float,
    agents: int,
    answer_seconds: float,
) -> PhoneResult:
    """Phone queue with callers who hang up: Erlang A (Palm's M/M/n+M), exact steady state.

    Model: calls arrive as a Poisson stream (``lambda`` per hour), ``agents`` identical agents
    take them first come first served, handling times are exponential (mean
    ``handle_minutes``), and every waiting caller hangs up after an exponential patience (mean
    ``patience_minutes``) unless answered before. The number of callers in the system is then a
    birth-death chain (birth ``lambda``, death ``min(n, s) mu + max(n - s, 0) theta``), solved
    exactly on a range whose left-out tail is below 1e-16. It has a steady state at every load,
    also above capacity (``offered_load > agents``): then many hang up.

    A caller who arrives (arrivals see the steady state, PASTA) with ``j`` callers queued
    ahead moves up one place at rate ``s mu + i theta`` (an agent frees up or someone ahead
    hangs up) and hangs up herself at rate ``theta``, so she is answered with probability
    ``prod_i (s mu + i theta) / (s mu + (i + 1) theta)`` and, given that, after a
    hypoexponential time with rates ``s mu + (i + 1) theta``, ``i = j .. 0``.

    Convention: ``share_within_norm`` is the share of ALL offered calls answered within
    ``answer_seconds``; a caller who hangs up is not within the norm, however soon she hangs
    up. ``share_within_norm_answered`` divides by the answered calls instead.

    Not modelled: callers who call again after hanging up (they come back as new calls if
    ``calls_per_hour`` counts attempts), busy signals, changes of load within the hour, and
    non-exponential patience (Haarlem 2017: callers hung up after 2 min 26 s on average,
    IJmuider Courant 17 October 2018, FACTS.md; that is the mean wait of those who hang up,
    not the mean patience).

    Parameters
    ----------
    calls_per_hour : float
        Offered calls per hour, >= 0.
    handle_minutes : float
        Mean handling time per call in minutes (talk + wrap-up), > 0.
    patience_minutes : float
        Mean patience in minutes, > 0; ``math.inf`` means nobody hangs up (Erlang C, which
        then needs ``offered_load < agents``).
    agents : int
        Agents on the phone at the same time, >= 1.
    answer_seconds : float
        Norm: answered within this many seconds, >= 0.

    Returns
    -------
    PhoneResult
        With no calls at all, ``share_within_norm`` is 1 and every wait 0.

    Raises
    ------
    ParameterError
        Invalid input, infinite patience with ``offered_load >= agents`` (no steady state), or
        a queue too long to compute.

    Examples
    --------
    >>> r = erlang_a(200, 3, math.inf, 14, 19.8)     # Erlang C, FACTS.md reference values
    >>> round(r.share_within_norm, 3), round(r.p_wait, 3), round(r.occupancy, 3)
    (0.888, 0.174, 0.714)
    >>> r = erlang_a(240, 3, 2, 10, 30)              # 12 Erlang on 10 agents: above capacity
    >>> 0.1 < r.p_abandon < 0.3 and r.occupancy < 1
    True
    """
    lam = _real("calls_per_hour", calls_per_hour, hint="offered calls per hour")
    handle = _real("handle_minutes", handle_minutes, strict=True, hint="mean handling time per call in minutes")
    patience = _real(
        "patience_minutes",
        patience_minutes,
        strict=True,
        allow_inf=True,
        hint="mean patience in minutes (inf: nobody hangs up)",
    )
    s = _whole("agents", agents, hint="agents on the phone at the same time")
    t_sec = _real("answer_seconds", answer_seconds, hint="norm in seconds")
    mu = 60.0 / handle
    theta = 0.0 if math.isinf(patience) else 60.0 / patience
    a = lam / mu
    common = dict(
        agents=s,
        calls_per_hour=lam,
        handle_minutes=handle,
        patience_minutes=patience,
        answer_seconds=t_sec,
        offered_load=a,
    )
    if lam == 0:
        return PhoneResult(
            **common,
            p_wait=0.0,
            p_abandon=0.0,
            share_within_norm=1.0,
            share_within_norm_answered=1.0,
            mean_wait_seconds=0.0,
            mean_wait_answered_seconds=0.0,
            mean_wait_abandoned_seconds=math.nan,
            mean_queue=0.0,
            occupancy=0.0,
        )
    if theta == 0 and a >= s:
        raise ParameterError(
            f"offered load {a:.2f} Erlang >= agents={s} and nobody hangs up (patience_minutes=inf): the queue "
            "grows without end; pass a finite patience_minutes or more agents."
        )
    pi = _stationary(lam, mu, theta, s)
    n_states = len(pi)
    queued = pi[s:]  # arrivals that find j = 0, 1, ... callers waiting
    p_wait = float(queued.sum())
    j = np.arange(len(queued), dtype=float)
    leave = s * mu + (j + 1.0) * theta  # total rate in position j: move up or hang up
    p_ans_j = np.exp(np.cumsum(np.log((s * mu + j * theta) / leave)))  # answered, from j queued ahead
    mass = queued * p_ans_j
    # callers from far back in the queue hardly ever reach an agent: leave out the last 1e-16
    keep = max(1, int(np.searchsorted(np.cumsum(mass), mass.sum() * (1.0 - _TAIL))) + 1)
    cdf = _hypoexp_cdf(leave[:keep], t_sec / 3600.0)
    p_now = 1.0 - p_wait
    p_answered = p_now + float(mass.sum())
    within = p_now + float(mass[:keep] @ cdf)
    mean_queue = float(np.maximum(np.arange(n_states) - s, 0) @ pi)
    wait_all = mean_queue / lam  # hours, Little's law
    wait_answered = float(mass @ np.cumsum(1.0 / leave))  # E[W ; answered]
    p_abandon = 1.0 - p_answered
    busy = float(np.minimum(np.arange(n_states), s) @ pi)
    return PhoneResult(
        **common,
        p_wait=_unit(p_wait),
        p_abandon=_unit(p_abandon),
        share_within_norm=_unit(within),
        share_within_norm_answered=_unit(within / p_answered),
        mean_wait_seconds=3600.0 * wait_all,
        mean_wait_answered_seconds=3600.0 * wait_answered / p_answered,
        mean_wait_abandoned_seconds=3600.0 * max(wait_all - wait_answered, 0.0) / p_abandon
        if p_abandon > 1e-12
        else math.nan,
        mean_queue=mean_queue,
        occupancy=_unit(busy / s),
    )


def agents_for_norm(
    calls_per_hour: float,
    handle_minutes: float,
    patience_minutes: float,
    answer_seconds: float,
    target_share: float,
    max_agents: int = 1000,
) -> int:
    """Smallest number of agents whose :func:`erlang_a` ``share_within_norm`` reaches ``target_share``.

    The share of all calls answered within the norm never falls when an agent is added, so a
    doubling search followed by bisection finds the smallest count in about ``2 log2(n)``
    evaluations.

    Parameters
    ----------
    calls_per_hour, handle_minutes, patience_minutes, answer_seconds
        As in :func:`erlang_a`.
    target_share : float
        Share of ALL offered calls that must be answered within ``answer_seconds``, in (0, 1)
        (callers who hang up count as missing the norm).
    max_agents : int, default 1000
        Search limit (computational).

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ParameterError
        If even ``max_agents`` agents miss the target.

    Examples
    --------
    >>> agents_for_norm(200, 3, math.inf, 19.8, 0.8), agents_for_norm(200, 3, math.inf, 19.8, 0.9)
    (14, 15)
    """
    share = _target("target_share", target_share)
    top = _whole("max_agents", max_agents)
    load = (
        _real("calls_per_hour", calls_per_hour, hint="offered calls per hour")
        * _real("handle_minutes", handle_minutes, strict=True, hint="mean handling time per call in minutes")
        / 60.0
    )

    def ok(n: int) -> bool:
        if math.isinf(patience_minutes) and load >= n:
            return False  # Erlang C without a steady state: the norm is missed
        try:
            res = erlang_a(calls_per_hour, handle_minutes, patience_minutes, n, answer_seconds)
        except ParameterError as exc:
            if "too long" in str(exc):
                return False  # millions of callers waiting: the norm is missed
            raise
        return res.share_within_norm >= share

    # n agents answer at most n / load of the calls, so fewer than target x load agents always fail
    first = max(1, math.ceil(share * load - 1e-9))
    if first > top:
        raise ParameterError(
            f"at least {first} agents are needed to answer {share:.0%} of {calls_per_hour:g} calls per hour; raise "
            f"max_agents={top} or check the inputs."
        )
    if ok(first):
        return first
    lo, hi = first, 2 * first  # ok(lo) is False
    while not ok(min(hi, top)):
        if hi >= top:
            raise ParameterError(
                f"even max_agents={top} agents answer less than {share:.0%} of {calls_per_hour:g} calls per hour "
                f"within {answer_seconds:g} s; raise max_agents or check the inputs."
            )
        lo, hi = hi, 2 * hi
    hi = min(hi, top)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


# --------------------------------------------------------------------------- 2. e-mail backlog
@dataclass(frozen=True, eq=False)
class BacklogResult:
    """E-mail backlog day by day (see :func:`email_backlog`).

    Attributes
    ----------
    per_day : pd.DataFrame
        One row per working day (the index of ``arrivals_per_day`` if it was a Series, else
        ``0 .. D-1`` named ``day``), columns: ``arrivals``, ``capacity``, ``handled``,
        ``backlog`` (e-mails still open at the end of the day), ``share_within_norm`` (of that
        day's arrivals; NaN without arrivals), ``mean_days`` (working days to answer, mean over
        that day's arrivals), ``last_answer_day`` (position of the day the last of them is
        answered, counted like the rows from 0; may lie past the horizon; ``inf`` if never) and
        ``max_days`` (``last_answer_day`` minus the row's position).
    per_period : pd.DataFrame or None
        With ``periods``: one row per period label, columns ``arrivals``, ``share_within_norm``
        and ``mean_days`` (weighted by arrivals), ``max_backlog`` and ``mean_backlog``.
    share_within_norm : float
        Share of all arrivals in the horizon answered within ``norm_days`` working days (NaN
        without arrivals).
    mean_days : float
        Mean working days to answer over all arrivals.
    max_backlog : float
        Largest end-of-day backlog.
    final_backlog : float
        Backlog at the end of the last day.
    norm_days : int
        The norm in working days.
    initial_backlog : float
        E-mails open before the first day (answered first, not counted in the shares).
    extension_capacity : float
        Capacity per day assumed after the horizon, to finish the last days' e-mails.
    """

    per_day: pd.DataFrame
    per_period: pd.DataFrame | None
    share_within_norm: float
    mean_days: float
    max_backlog: float
    final_backlog: float
    norm_days: int
    initial_backlog: float
    extension_capacity: float


def _days_array(name: str, values: object, n: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numbers, one per working day ({exc}).") from exc
    if arr.ndim != 1 or len(arr) == 0:
        raise DataError(f"{name} must be a non-empty 1-D sequence, one number per working day; got shape {arr.shape}.")
    if n is not None and len(arr) != n:
        raise DataError(f"{name} has {len(arr)} days but arrivals_per_day has {n}; pass one value per day or a scalar.")
    bad = np.nonzero(~np.isfinite(arr) | (arr < 0))[0]
    if len(bad):
        raise DataError(
            f"{name} has a missing, infinite or negative value on day {int(bad[0])} ({arr[bad[0]]!r}); pass numbers >= 0."
        )
    return arr


def _served(arrivals: np.ndarray, capacity: np.ndarray, b0: float) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative arrivals (incl. ``b0``) and cumulative handled e-mails at the end of each day.

    Lindley: ``backlog_d = max(0, backlog_{d-1} + a_d - c_d)``, i.e. ``X_d - min(0, min_{k<=d} X_k)``
    with ``X_d = b0 + sum_{k<=d} (a_k - c_k)``.
    """
    cum_a = b0 + np.cumsum(arrivals)
    x = b0 + np.cumsum(arrivals - capacity)
    backlog = np.clip(x - np.minimum(0.0, np.minimum.accumulate(x)), 0.0, None)
    served = np.maximum.accumulate(np.clip(cum_a - backlog, 0.0, None))
    return cum_a, served


def email_backlog(
    arrivals_per_day: Sequence[float] | np.ndarray | pd.Series,
    capacity_per_day: float | Sequence[float] | np.ndarray | pd.Series,
    norm_days: int,
    initial_backlog: float = 0.0,
    *,
    periods: Sequence[object] | np.ndarray | pd.Index | None = None,
) -> BacklogResult:
    """E-mails answered first in, first out, with the backlog carried over from day to day.

    A deterministic fluid model in working days (fractions of e-mails allowed): e-mails that
    arrive on day ``d`` can be answered from day ``d`` on, after every older one; each day
    answers up to ``capacity_per_day`` e-mails. The open e-mails at the end of day ``d`` follow
    ``backlog_d = max(0, backlog_{d-1} + arrivals_d - capacity_d)``.

    Convention: an e-mail answered on the working day it arrives took **0 working days**; one
    answered the next working day took 1. It is within the norm if answered within
    ``norm_days`` working days (so ``norm_days=0`` means "the same day"). Days are working days:
    put e-mails that arrive in a weekend or on a holiday on the next working day.

    After the last day the model keeps the last day's capacity (or, if that is 0, the mean
    capacity) with no new arrivals, so that the e-mails of the last days also get an answer
    day; with no capacity at all they are never answered (``inf`` days, not within the norm).

    Monotone: more capacity never lowers a day's share within the norm nor the overall share;
    more e-mail on any day never raises any day's own share, and the same daily pattern
    scaled up (with no initial backlog) never raises the overall share. Mail added to a quiet
    day only can raise the overall share, because that mixes in a day that does well.

    Not modelled: random variation within a day, priorities (everything first in, first out),
    e-mails that need several contacts.

    Parameters
    ----------
    arrivals_per_day : array-like or pd.Series of float
        E-mails arriving on each working day, >= 0. A Series' index labels ``per_day``.
    capacity_per_day : float or array-like of float
        E-mails that can be answered per working day, >= 0: one number, or one per day.
    norm_days : int
        Norm in working days, >= 0.
    initial_backlog : float, default 0
        E-mails still open before the first day; answered first and not counted in the shares.
    periods : array-like, optional
        One label per day (e.g. the month ``pd.Period``) for ``per_period``.

    Returns
    -------
    BacklogResult

    Examples
    --------
    >>> r = email_backlog([10, 0, 30, 0, 0], 10, norm_days=1)
    >>> r.per_day["backlog"].tolist(), r.share_within_norm, r.mean_days, r.max_backlog
    ([0.0, 0.0, 20.0, 10.0, 0.0], 0.75, 0.75, 20.0)
    """
    a = _days_array("arrivals_per_day", arrivals_per_day)
    n = len(a)
    if np.ndim(capacity_per_day) == 0:
        c = np.full(n, _real("capacity_per_day", capacity_per_day, hint="e-mails answered per working day"))
    else:
        c = _days_array("capacity_per_day", capacity_per_day, n)
    norm = _whole("norm_days", norm_days, low=0, hint="working days (0 = the same day)")
    b0 = _real("initial_backlog", initial_backlog, hint="e-mails open before the first day")
    labels = None
    if periods is not None:
        labels = np.asarray(periods, dtype=object)
        if labels.shape != (n,):
            raise DataError(f"periods has shape {labels.shape}; pass one label per day ({n}).")

    cum_a, served = _served(a, c, b0)
    backlog = cum_a - served
    # extend the horizon: no new arrivals, the last (or mean) capacity, until all is answered
    ext_cap = c[-1] if c[-1] > 0 else float(c.mean())
    if ext_cap > 0:
        extra = norm + 1 + math.ceil(backlog[-1] / ext_cap + 1e-9)
    else:
        extra = norm + 1
    s_ext = np.concatenate([served, np.minimum(cum_a[-1], served[-1] + ext_cap * np.arange(1, extra + 1))])
    total = float(cum_a[-1]) if cum_a[-1] > 0 else 1.0
    eps = 1e-12 * total

    start = np.concatenate([[b0], cum_a[:-1]])  # queue positions of day d's e-mails: (start, cum_a]
    pos = np.arange(n)
    # within the norm: answered by the end of day d + norm
    done_by = s_ext[pos + norm]
    ok_mass = np.where(done_by >= cum_a - eps, a, np.clip(done_by - start, 0.0, a))
    # mean answer day via G(x) = integral_0^x day(y) dy, day(y) = first e with served_e >= y
    prev = np.concatenate([[0.0], s_ext[:-1]])
    g_at = np.cumsum(np.arange(len(s_ext)) * (s_ext - prev))

    def g(x: np.ndarray) -> np.ndarray:
        e = np.searchsorted(s_ext, x - eps, side="left")
        out = np.full(len(x), math.inf)
        inside = e < len(s_ext)
        ei = e[inside]
        out[inside] = np.where(ei > 0, g_at[np.maximum(ei - 1, 0)], 0.0) + ei * (x[inside] - prev[ei])
        return out

    last = np.searchsorted(s_ext, cum_a - eps, side="left").astype(float)
    last[last >= len(s_ext)] = math.inf
    has = a > 0
    with np.errstate(invalid="ignore"):
        g_diff = g(cum_a) - g(start)
        mean_day = np.where(has, g_diff / np.where(has, a, 1.0), math.nan)
    if ext_cap == 0:  # never answered: infinite days
        never = has & (cum_a > s_ext[-1] + eps)
        mean_day[never] = math.inf
    share_day = np.where(has, ok_mass / np.where(has, a, 1.0), math.nan)
    mean_days_day = mean_day - pos
    index = arrivals_per_day.index if isinstance(arrivals_per_day, pd.Series) else pd.RangeIndex(n, name="day")
    per_day = pd.DataFrame(
        {
            "arrivals": a,
            "capacity": c,
            "handled": np.diff(np.concatenate([[0.0], served])),
            "backlog": backlog,
            "share_within_norm": share_day,
            "mean_days": mean_days_day,
            "last_answer_day": np.where(has, last, math.nan),
            "max_days": np.where(has, last - pos, math.nan),
        },
        index=index,
    )
    total_a = float(a.sum())
    if total_a > 0:
        share = float(ok_mass.sum() / total_a)
        weighted = np.where(has, mean_days_day * a, 0.0)
        mean_days = float(weighted.sum() / total_a)
    else:
        share = mean_days = math.nan
    per_period = None
    if labels is not None:
        frame = pd.DataFrame(
            {
                "period": labels,
                "arrivals": a,
                "ok": ok_mass,
                "days": np.where(has, mean_days_day * a, 0.0),
                "backlog": backlog,
            }
        )
        grouped = frame.groupby("period", sort=False)
        per_period = pd.DataFrame(
            {
                "arrivals": grouped["arrivals"].sum(),
                "share_within_norm": grouped["ok"].sum() / grouped["arrivals"].sum().replace(0.0, math.nan),
                "mean_days": grouped["days"].sum() / grouped["arrivals"].sum().replace(0.0, math.nan),
                "max_backlog": grouped["backlog"].max(),
                "mean_backlog": grouped["backlog"].mean(),
            }
        )
    return BacklogResult(
        per_day=per_day,
        per_period=per_period,
        share_within_norm=share,
        mean_days=mean_days,
        max_backlog=float(backlog.max()),
        final_backlog=float(backlog[-1]),
        norm_days=norm,
        initial_backlog=b0,
        extension_capacity=float(ext_cap),
    )


def capacity_for_norm(
    arrivals_per_day: Sequence[float] | np.ndarray | pd.Series,
    norm_days: int,
    target_share: float,
    initial_backlog: float = 0.0,
    *,
    rel_tol: float = 1e-6,
) -> float:
    """Smallest constant capacity per working day for which :func:`email_backlog` meets the norm.

    Bisection on the capacity: more capacity never lowers the share within the norm. At
    ``initial_backlog + max(arrivals_per_day)`` every e-mail is answered on its own day, so the
    answer lies between 0 and that.

    Parameters
    ----------
    arrivals_per_day, norm_days, initial_backlog
        As in :func:`email_backlog`.
    target_share : float
        Share of the arrivals to answer within ``norm_days``, in (0, 1] (the fluid model is
        deterministic, so 1 can be reached).
    rel_tol : float, default 1e-6
        Relative precision of the bisection (computational).

    Returns
    -------
    float
        E-mails per working day (round up to a whole number of e-mails or staff as needed); 0
        if there are no arrivals.

    Examples
    --------
    >>> round(capacity_for_norm([10, 0, 30, 0, 0], 1, 1.0), 4)    # 30 e-mails in 2 days
    15.0
    """
    a = _days_array("arrivals_per_day", arrivals_per_day)
    norm = _whole("norm_days", norm_days, low=0, hint="working days (0 = the same day)")
    share = _target("target_share", target_share, allow_one=True)
    b0 = _real("initial_backlog", initial_backlog)
    tol = _real("rel_tol", rel_tol, strict=True)
    if a.sum() == 0:
        return 0.0
    hi = b0 + float(a.max())
    lo = 0.0

    def ok(cap: float) -> bool:
        return email_backlog(a, cap, norm, b0).share_within_norm >= share - 1e-12

    while hi - lo > tol * hi:
        mid = 0.5 * (lo + hi)
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


# --------------------------------------------------------------------------- 3. counter
@dataclass(frozen=True)
class CounterNormResult:
    """Counter norms for one period (see :func:`counter_norms`).

    Attributes
    ----------
    appointment_requests_per_day : float
        Mean appointment requests per working day.
    appointment_slots_per_day : int
        Appointment slots per working day.
    max_access_days : int
        Norm: an appointment within this many working days.
    appointment_share_within_norm : float
        Share of requests with an appointment within ``max_access_days`` (steady state of
        :func:`decentraal.methods.staffing.access_time`); 0 when requests >= slots; NaN when
        demand is within about one slot a day of capacity, where the exact steady state cannot
        be built (use :func:`decentraal.methods.staffing.simulate_access_time` there).
    appointment_mean_access_days : float
        Mean working days to the appointment (>= 1: the first slot is the next working day).
    appointment_stable : bool
        Requests < slots (otherwise the agenda fills up without end).
    walk_in_per_hour : float
        Walk-in visitors per walk-in hour.
    walk_in_service_minutes : float
        Mean service time of a walk-in visit.
    walk_in_desks : int
        Desks open in the walk-in hours.
    walk_in_norm_minutes : float
        Norm: wait at most this many minutes without an appointment.
    walk_in_share_within_norm : float
        Share of walk-in visitors waiting at most ``walk_in_norm_minutes`` (Erlang C; 0 when
        the desks cannot keep up).
    walk_in_p_wait : float
        Probability of having to wait at all.
    walk_in_mean_wait_minutes : float
        Mean wait (``inf`` when the desks cannot keep up).
    walk_in_utilisation : float
        Offered load per desk (``> 1``: the hall fills up).
    """

    appointment_requests_per_day: float
    appointment_slots_per_day: int
    max_access_days: int
    appointment_share_within_norm: float
    appointment_mean_access_days: float
    appointment_stable: bool
    walk_in_per_hour: float
    walk_in_service_minutes: float
    walk_in_desks: int
    walk_in_norm_minutes: float
    walk_in_share_within_norm: float
    walk_in_p_wait: float
    walk_in_mean_wait_minutes: float
    walk_in_utilisation: float


def counter_norms(
    *,
    appointment_requests_per_day: float,
    appointment_slots_per_day: int,
    max_access_days: int,
    walk_in_per_hour: float,
    walk_in_service_minutes: float,
    walk_in_desks: int,
    walk_in_norm_minutes: float,
) -> CounterNormResult:
    """Both counter norms at once: days to the next appointment, and the walk-in wait.

    * Appointments: steady-state :func:`decentraal.methods.staffing.access_time` with
      ``appointment_requests_per_day`` requests and ``appointment_slots_per_day`` slots per
      working day (see :func:`decentraal.methods.staffing.appointment_slots_per_day` for slots
      from desks and hours).
    * Walk-in: Erlang C :func:`decentraal.methods.capacity.service_level` in the walk-in hours
      (arrivals per walk-in hour, e.g. from :func:`decentraal.methods.capacity.visits_per_hour`).

    The wait at the counter for a visitor *with* an appointment is not modelled (an
    appointment is a time slot; the wait is then about the punctuality of the agenda).

    Parameters
    ----------
    appointment_requests_per_day : float
        Mean appointment requests per working day, >= 0.
    appointment_slots_per_day : int
        Slots per working day, >= 1.
    max_access_days : int
        Norm in working days to the appointment, >= 0.
    walk_in_per_hour : float
        Walk-in visitors per walk-in hour, >= 0.
    walk_in_service_minutes : float
        Mean service minutes per walk-in visit, > 0.
    walk_in_desks : int
        Desks in the walk-in hours, >= 1.
    walk_in_norm_minutes : float
        Norm in minutes of waiting without an appointment, >= 0.

    Returns
    -------
    CounterNormResult

    Examples
    --------
    >>> r = counter_norms(appointment_requests_per_day=0.5, appointment_slots_per_day=1, max_access_days=1,
    ...                   walk_in_per_hour=20, walk_in_service_minutes=10, walk_in_desks=5, walk_in_norm_minutes=10)
    >>> round(r.appointment_mean_access_days, 6), round(r.walk_in_utilisation, 3)
    (1.5, 0.667)
    """
    days = _whole("max_access_days", max_access_days, low=0, hint="working days to the next appointment")
    acc_share, acc_mean, stable = math.nan, math.nan, True
    try:
        acc = access_time(appointment_requests_per_day, appointment_slots_per_day)
    except ParameterError as exc:
        if "too long" not in str(exc):
            raise
    else:
        acc_share, acc_mean, stable = acc.share_within(days), acc.mean_access_days, acc.stable
    rate = _real("walk_in_per_hour", walk_in_per_hour, hint="walk-in visitors per hour")
    svc = _real("walk_in_service_minutes", walk_in_service_minutes, strict=True, hint="minutes per walk-in visit")
    desks = _whole("walk_in_desks", walk_in_desks, hint="desks open in the walk-in hours")
    norm = _real("walk_in_norm_minutes", walk_in_norm_minutes, hint="minutes of waiting")
    return CounterNormResult(
        appointment_requests_per_day=float(appointment_requests_per_day),
        appointment_slots_per_day=int(appointment_slots_per_day),
        max_access_days=days,
        appointment_share_within_norm=float(acc_share),
        appointment_mean_access_days=float(acc_mean),
        appointment_stable=bool(stable),
        walk_in_per_hour=rate,
        walk_in_service_minutes=svc,
        walk_in_desks=desks,
        walk_in_norm_minutes=norm,
        walk_in_share_within_norm=service_level(rate, svc, desks, norm),
        walk_in_p_wait=erlang_c(rate, svc, desks),
        walk_in_mean_wait_minutes=mean_wait_minutes(rate, svc, desks),
        walk_in_utilisation=rate * svc / 60.0 / desks,
    )


# --------------------------------------------------------------------------- 4. staff and working days
def _fte_inputs(hours_open_per_week: float, hours_per_fte: float, shrinkage: float) -> float:
    """Hours one FTE is available per week divided by the opening hours per week."""
    h_open = _real(
        "hours_open_per_week", hours_open_per_week, strict=True, hint="hours the channel is staffed per week"
    )
    if h_open > 168:
        raise ParameterError(f"hours_open_per_week={hours_open_per_week!r}; a week has 168 hours.")
    h_fte = _real("hours_per_fte", hours_per_fte, strict=True, hint="paid hours per week of one FTE, e.g. 36")
    shrink = _real("shrinkage", shrinkage, hint="share of paid hours not available, e.g. 0.3")
    if shrink >= 1:
        raise ParameterError(f"shrinkage={shrinkage!r}; pass a share in [0, 1).")
    return h_fte * (1.0 - shrink) / h_open


def _nonneg_array(name: str, values: float | np.ndarray) -> float | np.ndarray:
    arr = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ParameterError(f"{name}={values!r}; pass finite numbers >= 0.")
    return float(arr) if arr.ndim == 0 else arr


def fte_from_agents(
    agents: float | np.ndarray,
    hours_open_per_week: float,
    hours_per_fte: float = 36.0,
    shrinkage: float = 0.3,
) -> float | np.ndarray:
    """FTE on the payroll needed to keep ``agents`` on the line during every opening hour.

    ``FTE = agents x hours_open_per_week / (hours_per_fte x (1 - shrinkage))``. Shrinkage is the
    share of paid hours in which an employee is not available for contacts (leave, sickness,
    training, meetings, breaks).

    Parameters
    ----------
    agents : float or array
        Agents (or desks) staffed at the same time, >= 0; may be fractional (a mean over hours).
    hours_open_per_week : float
        Hours per week the channel is staffed, in (0, 168].
    hours_per_fte : float, default 36
        Paid hours per week of one FTE. *Aanname*: 36 h is the full-time week of Dutch
        municipalities (cao Gemeenten); not in FACTS.md, replace with the municipality's own.
    shrinkage : float, default 0.3
        Share of paid hours not available, in [0, 1). *Aanname*: 30 % is the worked example of
        the pyworkforce reference in FACTS.md, not a Haarlem figure.

    Returns
    -------
    float or np.ndarray
        Same shape as ``agents``.

    Examples
    --------
    >>> round(fte_from_agents(10, 36), 4)    # 10 x 36 / (36 x 0.7)
    14.2857
    """
    return _nonneg_array("agents", agents) / _fte_inputs(hours_open_per_week, hours_per_fte, shrinkage)


def agents_from_fte(
    fte: float | np.ndarray,
    hours_open_per_week: float,
    hours_per_fte: float = 36.0,
    shrinkage: float = 0.3,
) -> float | np.ndarray:
    """Agents available at the same time, on average over the opening hours, from FTE.

    The inverse of :func:`fte_from_agents`:
    ``agents = FTE x hours_per_fte x (1 - shrinkage) / hours_open_per_week``. The result is a
    mean and may be fractional; round it down (``math.floor``) for a whole number of agents
    that is always there.

    Parameters
    ----------
    fte : float or array
        FTE assigned to the channel, >= 0.
    hours_open_per_week, hours_per_fte, shrinkage
        As in :func:`fte_from_agents`.

    Returns
    -------
    float or np.ndarray

    Examples
    --------
    >>> round(agents_from_fte(20, 39), 3)    # 20 x 36 x 0.7 / 39
    12.923
    """
    return _nonneg_array("fte", fte) * _fte_inputs(hours_open_per_week, hours_per_fte, shrinkage)


def working_days_per_month(
    months: pd.PeriodIndex, holidays: Sequence[str | np.datetime64 | pd.Timestamp] = ()
) -> pd.Series:
    """Working days (Monday to Friday, minus ``holidays``) in each month.

    Reuses :func:`decentraal.methods.staffing.opening_hours_per_month` with one hour per
    working day. No holiday calendar is built in: without ``holidays`` the count includes
    public holidays (about 7-8 days a year too many).

    Examples
    --------
    >>> working_days_per_month(pd.period_range("2025-01", periods=3, freq="M")).tolist()
    [23, 20, 21]
    """
    hours = opening_hours_per_month(months, hours_per_week=float(WORKING_DAYS_PER_WEEK), holidays=holidays)
    return hours.round().astype(int).rename("working_days")


def working_days_in_month(year: int, month: int) -> int:
    """Working days (Monday to Friday) in one month; no holiday calendar (holidays count as working days).

    Examples
    --------
    >>> working_days_in_month(2025, 2)
    20
    """
    y = _whole("year", year, low=1)
    m = _whole("month", month, low=1)
    if m > 12:
        raise ParameterError(f"month={month!r}; pass 1-12.")
    return int(working_days_per_month(pd.period_range(f"{y:04d}-{m:02d}", periods=1, freq="M")).iloc[0])
