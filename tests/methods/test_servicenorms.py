"""Tests for decentraal.methods.servicenorms: Erlang A (against ciw and Erlang C), e-mail backlog, counter, FTE."""

from __future__ import annotations

import math

import ciw
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg

from decentraal.errors import DataError, ParameterError
from decentraal.methods.capacity import erlang_c, mean_wait_minutes, service_level
from decentraal.methods.servicenorms import (
    _hypoexp_cdf,
    agents_for_norm,
    agents_from_fte,
    capacity_for_norm,
    counter_norms,
    email_backlog,
    erlang_a,
    fte_from_agents,
    working_days_in_month,
    working_days_per_month,
)
from decentraal.methods.staffing import access_time

SEED = 20211012  # configs/base.yaml `seed`


# --------------------------------------------------------------------------- Erlang A = Erlang C without abandonment
@pytest.mark.parametrize(
    ("agents", "sl", "p_wait", "occupancy"), [(14, 0.888, 0.174, 0.714), (15, 0.941, 0.102, 0.667)]
)
@pytest.mark.parametrize("patience", [math.inf, 1e7])
def test_patient_callers_give_the_erlang_c_reference_values(agents, sl, p_wait, occupancy, patience) -> None:
    # FACTS.md (pyworkforce reference, recomputed): 100 contacts per 30 min = 200/h, 3 min handling,
    # answer target 0.33 min = 19.8 s. Nobody hangs up (inf) or patience of 1e7 min (19 years).
    r = erlang_a(200, 3, patience, agents, 19.8)
    assert r.share_within_norm == pytest.approx(sl, abs=1e-3)
    assert r.p_wait == pytest.approx(p_wait, abs=1e-3)
    assert r.occupancy == pytest.approx(occupancy, abs=1e-3)
    # and the project's own Erlang C, to far more digits
    assert r.share_within_norm == pytest.approx(service_level(200, 3, agents, 0.33), abs=1e-6)
    assert r.p_wait == pytest.approx(erlang_c(200, 3, agents), abs=1e-6)
    assert r.mean_wait_seconds == pytest.approx(60 * mean_wait_minutes(200, 3, agents), rel=1e-5)
    assert r.p_abandon == pytest.approx(0.0, abs=1e-6)
    assert agents_for_norm(200, 3, patience, 19.8, 0.8) == 14
    assert agents_for_norm(200, 3, patience, 19.8, 0.9) == 15


@pytest.mark.parametrize(("calls", "handle", "agents"), [(10, 5, 1), (90, 4, 7), (1150, 3, 60), (200, 10, 34)])
def test_erlang_a_tends_to_erlang_c(calls, handle, agents) -> None:
    # the gap closes like 1 / patience (measured: below 100 / patience minutes in all four cases)
    for patience in [1e4, 1e6, 1e8]:
        r = erlang_a(calls, handle, patience, agents, 15)
        assert r.share_within_norm == pytest.approx(service_level(calls, handle, agents, 0.25), abs=200 / patience)
        assert r.p_wait == pytest.approx(erlang_c(calls, handle, agents), abs=200 / patience)


# --------------------------------------------------------------------------- internal consistency
@pytest.mark.parametrize(
    ("calls", "handle", "patience", "agents", "seconds"),
    [(120, 4, 3, 8, 30), (240, 3, 2, 10, 30), (3000, 5, 10, 100, 30), (60, 6, 0.5, 1, 10), (500, 2, 1, 5, 120)],
)
def test_little_and_rate_balance(calls, handle, patience, agents, seconds) -> None:
    r = erlang_a(calls, handle, patience, agents, seconds)
    theta = 60 / patience
    # callers hang up at rate theta x E[queue] = lambda x P(abandon)
    assert r.p_abandon == pytest.approx(theta * r.mean_queue / calls, rel=1e-8, abs=1e-12)
    # busy agents = answered calls x handling time
    assert r.occupancy * agents == pytest.approx(calls * (1 - r.p_abandon) * handle / 60, rel=1e-8)
    # the mean wait of all callers splits into the answered and the abandoned
    split = (1 - r.p_abandon) * r.mean_wait_answered_seconds + r.p_abandon * r.mean_wait_abandoned_seconds
    assert r.mean_wait_seconds == pytest.approx(split, rel=1e-8)
    assert 0 <= r.share_within_norm <= r.share_within_norm_answered <= 1
    assert r.share_within_norm <= 1 - r.p_abandon + 1e-12
    # a zero-second norm: only those answered at once
    assert erlang_a(calls, handle, patience, agents, 0).share_within_norm == pytest.approx(1 - r.p_wait, abs=1e-12)


def test_hypoexponential_cdf_against_the_matrix_exponential() -> None:
    rates = np.array([3.0, 3.5, 4.0, 10.0, 10.0, 25.0])
    t = 0.4
    # sub-generator of the pure-death chain phase j -> j-1 -> ... -> 0 -> done
    q = np.diag(-rates) + np.diag(rates[1:], k=-1)
    survival = linalg.expm(q * t) @ np.ones(len(rates))
    assert _hypoexp_cdf(rates, t) == pytest.approx(1 - survival, abs=1e-12)
    # one phase: exponential
    assert _hypoexp_cdf(np.array([2.0]), 0.5)[0] == pytest.approx(1 - math.exp(-1.0), abs=1e-14)


def test_no_calls_and_overload() -> None:
    r = erlang_a(0, 3, 2, 5, 20)
    assert (r.share_within_norm, r.p_wait, r.p_abandon, r.mean_wait_seconds, r.occupancy) == (1.0, 0.0, 0.0, 0.0, 0.0)
    # 250 Erlang on 100 agents: agents always busy, 150 Erlang worth of callers hang up
    r = erlang_a(3000, 5, 10, 100, 30)
    assert r.occupancy == pytest.approx(1.0, abs=1e-9)
    assert r.p_abandon == pytest.approx(0.6, abs=1e-9)
    assert r.mean_queue == pytest.approx(300, rel=1e-6)  # (3000 - 1200) / 6 per hour
    assert r.share_within_norm < 1e-6


# --------------------------------------------------------------------------- Erlang A against a discrete-event simulation (ciw)
def _simulate(calls_per_min: float, handle: float, patience: float, agents: int, seconds: float, minutes: float):
    """Share within the norm, abandonment, P(wait) and mean wait (s) from ciw, after 300 min warm-up."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(calls_per_min)],
        service_distributions=[ciw.dists.Exponential(1 / handle)],
        number_of_servers=[agents],
        reneging_time_distributions=[ciw.dists.Exponential(1 / patience)],
    )
    ciw.seed(SEED)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(minutes)
    recs = [r for r in sim.get_all_records(only=["service", "renege"]) if r.arrival_date > 300]
    served = np.array([r.record_type == "service" for r in recs])
    wait = np.array([r.waiting_time for r in recs])
    return {
        "share_within_norm": float(np.mean(served & (wait <= seconds / 60))),
        "p_abandon": float(np.mean(~served)),
        "p_wait": float(np.mean(wait > 0)),
        "mean_wait_seconds": float(60 * wait.mean()),
        "n": len(recs),
    }


@pytest.mark.parametrize(
    ("calls_per_min", "handle", "patience", "agents", "seconds", "minutes"),
    [
        (1.0, 5, 5, 6, 20, 30_000),  # 5 Erlang on 6 agents: below capacity
        (6.0, 1, 1, 4, 20, 6_000),  # 6 Erlang on 4 agents: overloaded
        (1.0, 3, 1, 2, 20, 30_000),  # 3 Erlang on 2 agents: overloaded, short patience
    ],
)
def test_erlang_a_matches_ciw_simulation(calls_per_min, handle, patience, agents, seconds, minutes) -> None:
    # Tolerance: abs 0.02 on shares and probabilities, 10 % on the mean wait. About 30,000 simulated
    # calls per case; over 8 seeds the simulated shares scattered with a standard deviation of
    # 0.003-0.007 around the exact values (so 0.02 is about 3 standard deviations or more).
    exact = erlang_a(60 * calls_per_min, handle, patience, agents, seconds)
    sim = _simulate(calls_per_min, handle, patience, agents, seconds, minutes)
    assert sim["n"] > 20_000
    assert sim["share_within_norm"] == pytest.approx(exact.share_within_norm, abs=0.02)
    assert sim["p_abandon"] == pytest.approx(exact.p_abandon, abs=0.02)
    assert sim["p_wait"] == pytest.approx(exact.p_wait, abs=0.02)
    assert sim["mean_wait_seconds"] == pytest.approx(exact.mean_wait_seconds, rel=0.10)


# --------------------------------------------------------------------------- monotonicity (phone)
@settings(max_examples=60, deadline=None)
@given(
    calls=st.floats(1, 600),
    handle=st.floats(0.5, 12),
    patience=st.floats(0.2, 60),
    agents=st.integers(1, 40),
    seconds=st.floats(0, 120),
    more=st.floats(1.0, 2.0),
)
def test_phone_norm_attainment_is_monotone(calls, handle, patience, agents, seconds, more) -> None:
    base = erlang_a(calls, handle, patience, agents, seconds)
    assert erlang_a(calls, handle, patience, agents + 1, seconds).share_within_norm >= base.share_within_norm - 1e-9
    assert erlang_a(calls * more, handle, patience, agents, seconds).share_within_norm <= base.share_within_norm + 1e-9
    assert erlang_a(calls, handle, patience, agents + 1, seconds).p_abandon <= base.p_abandon + 1e-9


def test_agents_for_norm_is_the_smallest() -> None:
    for calls, patience in [(240, 2), (600, 5), (30, 1)]:
        n = agents_for_norm(calls, 3, patience, 20, 0.8)
        assert erlang_a(calls, 3, patience, n, 20).share_within_norm >= 0.8
        if n > 1:
            assert erlang_a(calls, 3, patience, n - 1, 20).share_within_norm < 0.8
    assert agents_for_norm(0.1, 3, 2, 20, 0.5) == 1
    with pytest.raises(ParameterError, match="max_agents"):
        agents_for_norm(6000, 3, 2, 20, 0.8, max_agents=50)


# --------------------------------------------------------------------------- e-mail backlog
def test_email_backlog_hand_computed() -> None:
    # arrivals [10, 0, 30, 0, 0], 10 answered per day, norm 1 working day.
    # day 0: 10 arrive, 10 answered the same day (0 days)         backlog 0
    # day 1: nothing arrives                                       backlog 0
    # day 2: 30 arrive; 10 answered on day 2 (0 days)              backlog 20
    # day 3: 10 more of day 2's answered (1 day)                   backlog 10
    # day 4: the last 10 of day 2's answered (2 days: too late)    backlog 0
    # within 1 day: 10 + 10 + 10 = 30 of 40 = 0.75; mean days (10x0 + 10x0 + 10x1 + 10x2) / 40 = 0.75
    r = email_backlog([10, 0, 30, 0, 0], 10, norm_days=1)
    assert r.per_day["backlog"].tolist() == [0, 0, 20, 10, 0]
    assert r.per_day["handled"].tolist() == [10, 0, 10, 10, 10]
    assert r.share_within_norm == pytest.approx(0.75)
    assert r.mean_days == pytest.approx(0.75)
    assert r.max_backlog == 20 and r.final_backlog == 0
    day2 = r.per_day.loc[2]
    assert day2["share_within_norm"] == pytest.approx(2 / 3)
    assert day2["mean_days"] == pytest.approx(1.0)
    assert (day2["last_answer_day"], day2["max_days"]) == (4, 2)
    assert math.isnan(r.per_day.loc[1, "share_within_norm"])
    # norm 0 (same day): 10 + 10 of 40; norm 2: all
    assert email_backlog([10, 0, 30, 0, 0], 10, norm_days=0).share_within_norm == pytest.approx(0.5)
    assert email_backlog([10, 0, 30, 0, 0], 10, norm_days=2).share_within_norm == pytest.approx(1.0)


def test_email_backlog_initial_backlog_capacity_per_day_and_periods() -> None:
    # 5 old e-mails go first. Capacity [10, 10, 0, 10, 0], then 6 a day (the mean) after the horizon.
    # day 0: 5 old + 5 of its own 10 answered (0 days)      backlog 5
    # day 1: the other 5 of day 0 (1 day)                    backlog 0
    # day 2: 30 arrive, no capacity                          backlog 30
    # day 3: 10 of day 2's answered (1 day)                  backlog 20
    # day 4: no capacity                                     backlog 20
    # days 5-8 (after the horizon): 6, 6, 6, 2 of day 2's (3, 4, 5, 6 days)
    # within 1 day: 10 of day 0 + 10 of day 2 = 20 of 40
    arrivals = pd.Series([10, 0, 30, 0, 0], index=pd.bdate_range("2025-03-27", periods=5))
    r = email_backlog(
        arrivals, [10, 10, 0, 10, 0], norm_days=1, initial_backlog=5, periods=["mrt", "mrt", "apr", "apr", "apr"]
    )
    assert r.per_day.index.equals(arrivals.index)
    assert r.per_day["backlog"].tolist() == [5, 0, 30, 20, 20]
    assert r.extension_capacity == 6
    assert r.per_day["mean_days"].iloc[0] == pytest.approx(0.5)
    assert r.per_day["mean_days"].iloc[2] == pytest.approx((10 * 1 + 6 * 3 + 6 * 4 + 6 * 5 + 2 * 6) / 30)
    assert r.per_day["last_answer_day"].iloc[2] == 8
    assert r.share_within_norm == pytest.approx((10 + 10) / 40)
    assert r.per_period.loc["mrt", "share_within_norm"] == pytest.approx(1.0)
    assert r.per_period.loc["apr", "share_within_norm"] == pytest.approx(10 / 30)
    assert r.per_period.loc["apr", "max_backlog"] == 30


def test_email_backlog_without_capacity_never_answers() -> None:
    r = email_backlog([3, 0, 4], 0, norm_days=5)
    assert r.share_within_norm == 0 and math.isinf(r.mean_days)
    assert np.isinf(r.per_day["last_answer_day"].iloc[0])
    no_mail = email_backlog([0, 0], 5, norm_days=1)
    assert math.isnan(no_mail.share_within_norm) and no_mail.max_backlog == 0


def test_capacity_for_norm() -> None:
    # same hand case: all within 1 day needs day 2's 30 answered on days 2-3 -> 15 a day;
    # 75 % needs 10 a day (see test_email_backlog_hand_computed); 50 % the same day needs 10.
    assert capacity_for_norm([10, 0, 30, 0, 0], 1, 1.0) == pytest.approx(15, rel=1e-5)
    assert capacity_for_norm([10, 0, 30, 0, 0], 1, 0.75) == pytest.approx(10, rel=1e-5)
    assert capacity_for_norm([10, 0, 30, 0, 0], 0, 0.5) == pytest.approx(10, rel=1e-5)
    assert capacity_for_norm([0, 0], 1, 0.9) == 0.0
    c = capacity_for_norm([40, 55, 20, 70, 10, 0, 35], 2, 0.9, initial_backlog=12)
    assert email_backlog([40, 55, 20, 70, 10, 0, 35], c, 2, 12).share_within_norm >= 0.9
    assert email_backlog([40, 55, 20, 70, 10, 0, 35], c * 0.999, 2, 12).share_within_norm < 0.9


days = st.lists(st.floats(0, 200), min_size=1, max_size=40)


@settings(max_examples=80, deadline=None)
@given(
    arrivals=days,
    capacity=st.floats(0.1, 150),
    extra=st.floats(0, 50),
    norm=st.integers(0, 6),
    backlog=st.floats(0, 100),
    added=st.lists(st.floats(0, 50), min_size=40, max_size=40),
    scale=st.floats(1, 3),
)
def test_email_norm_attainment_is_monotone(arrivals, capacity, extra, norm, backlog, added, scale) -> None:
    base = email_backlog(arrivals, capacity, norm, backlog)
    if not math.isnan(base.share_within_norm):
        # more capacity: never a lower share, never longer
        more_capacity = email_backlog(arrivals, capacity + extra, norm, backlog)
        assert more_capacity.share_within_norm >= base.share_within_norm - 1e-9
        assert more_capacity.mean_days <= base.mean_days + 1e-9
        # more mail on any days: no day's own share rises (first in, first out only pushes mail back).
        # The share over all days is a mix of days and can rise when mail is added to a quiet day
        # (e.g. backlog 3, capacity 3, arrivals [1, 0] -> 0 within 0 days; [2.5, 1] -> 0.5 / 3.5).
        more = [a + b for a, b in zip(arrivals, added)]
        more_mail = email_backlog(more, capacity, norm, backlog)
        with_mail = base.per_day["arrivals"] > 0
        assert (
            more_mail.per_day["share_within_norm"][with_mail] <= base.per_day["share_within_norm"][with_mail] + 1e-9
        ).all()
        # the same mail pattern, more of it (demand rising as a whole): the overall share never rises
        fresh = email_backlog(arrivals, capacity, norm)
        scaled = email_backlog([a * scale for a in arrivals], capacity, norm)
        assert scaled.share_within_norm <= fresh.share_within_norm + 1e-9
    # conservation: everything that arrived is handled or still open
    pd_ = base.per_day
    assert pd_["handled"].sum() + base.final_backlog == pytest.approx(sum(arrivals) + backlog, rel=1e-9, abs=1e-9)
    assert (pd_["backlog"] >= 0).all()


# --------------------------------------------------------------------------- counter, FTE, working days
def test_counter_norms_combine_the_existing_models() -> None:
    r = counter_norms(
        appointment_requests_per_day=60,
        appointment_slots_per_day=68,
        max_access_days=2,
        walk_in_per_hour=20,
        walk_in_service_minutes=10,
        walk_in_desks=5,
        walk_in_norm_minutes=10,
    )
    acc = access_time(60, 68)
    assert r.appointment_share_within_norm == pytest.approx(acc.share_within(2))
    assert r.appointment_mean_access_days == pytest.approx(acc.mean_access_days)
    assert r.walk_in_share_within_norm == pytest.approx(service_level(20, 10, 5, 10))
    assert r.walk_in_p_wait == pytest.approx(erlang_c(20, 10, 5))
    # more requests than slots, more walk-ins than desks can serve: nothing within the norm
    full = counter_norms(
        appointment_requests_per_day=70,
        appointment_slots_per_day=68,
        max_access_days=2,
        walk_in_per_hour=40,
        walk_in_service_minutes=10,
        walk_in_desks=5,
        walk_in_norm_minutes=10,
    )
    assert not full.appointment_stable and full.appointment_share_within_norm == 0
    assert full.walk_in_share_within_norm == 0 and math.isinf(full.walk_in_mean_wait_minutes)


def test_fte_conversion() -> None:
    assert fte_from_agents(10, 36) == pytest.approx(10 / 0.7)
    assert fte_from_agents(10, 39, hours_per_fte=36, shrinkage=0.0) == pytest.approx(10 * 39 / 36)
    agents = np.array([0.0, 3.0, 12.5])
    assert agents_from_fte(fte_from_agents(agents, 39, 32, 0.25), 39, 32, 0.25) == pytest.approx(agents)
    with pytest.raises(ParameterError, match="shrinkage"):
        fte_from_agents(3, 36, shrinkage=1.0)
    with pytest.raises(ParameterError, match="agents"):
        fte_from_agents(-1, 36)


def test_working_days() -> None:
    assert working_days_in_month(2025, 1) == 23
    assert working_days_in_month(2024, 2) == 21  # leap year: 29 days, 21 weekdays
    months = pd.period_range("2025-01", periods=12, freq="M")
    assert working_days_per_month(months).sum() == 261  # 2025 has 261 weekdays
    assert working_days_per_month(months, holidays=["2025-01-01"]).iloc[0] == 22
    with pytest.raises(ParameterError, match="month"):
        working_days_in_month(2025, 13)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"calls_per_hour": -1}, "calls_per_hour"),
        ({"calls_per_hour": math.nan}, "calls_per_hour"),
        ({"handle_minutes": 0}, "handle_minutes"),
        ({"patience_minutes": 0}, "patience_minutes"),
        ({"patience_minutes": math.nan}, "patience_minutes"),
        ({"agents": 0}, "agents"),
        ({"agents": 2.5}, "agents"),
        ({"agents": True}, "agents"),
        ({"answer_seconds": -5}, "answer_seconds"),
        ({"answer_seconds": math.inf}, "answer_seconds"),
        ({"patience_minutes": math.inf, "agents": 5}, "grows without end"),
    ],
)
def test_erlang_a_rejects_bad_input(kwargs, match) -> None:
    args = {"calls_per_hour": 200, "handle_minutes": 3, "patience_minutes": 2, "agents": 14, "answer_seconds": 20}
    with pytest.raises(ParameterError, match=match):
        erlang_a(**(args | kwargs))


def test_erlang_a_refuses_a_queue_too_long_to_compute() -> None:
    with pytest.raises(ParameterError, match="too long"):
        erlang_a(10_000, 3, 1e9, 10, 20)


def test_email_and_search_reject_bad_input() -> None:
    with pytest.raises(DataError, match="day 1"):
        email_backlog([1, -2, 3], 5, 1)
    with pytest.raises(DataError, match="day 0"):
        email_backlog([math.nan], 5, 1)
    with pytest.raises(DataError, match="non-empty"):
        email_backlog([], 5, 1)
    with pytest.raises(DataError, match="has 3"):
        email_backlog([1, 2, 3], [5, 5], 1)
    with pytest.raises(ParameterError, match="capacity_per_day"):
        email_backlog([1, 2], -5, 1)
    with pytest.raises(ParameterError, match="norm_days"):
        email_backlog([1, 2], 5, -1)
    with pytest.raises(ParameterError, match="target_share"):
        capacity_for_norm([1, 2], 1, 0)
    with pytest.raises(ParameterError, match="target_share"):
        agents_for_norm(200, 3, 2, 20, 1.0)
    with pytest.raises(ParameterError, match="walk_in_desks"):
        counter_norms(
            appointment_requests_per_day=1,
            appointment_slots_per_day=2,
            max_access_days=1,
            walk_in_per_hour=1,
            walk_in_service_minutes=5,
            walk_in_desks=0,
            walk_in_norm_minutes=5,
        )
