"""Tests for decentraal.methods.staffing: workload, appointment access time, Erlang C, SimPy DES."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from decentraal.errors import DataError, ParameterError
from decentraal.methods import staffing
from decentraal.methods.capacity import erlang_c, mean_wait_minutes, service_level
from decentraal.methods.staffing import (
    HAARLEM_2018_APPOINTMENT_HOURS_PER_WEEK,
    _fcfs_waits,
    access_time,
    appointment_desks_needed,
    appointment_slots_per_day,
    erlang_staffing,
    mixed_counter,
    opening_hours_per_month,
    simulate_access_time,
    simulate_walk_in,
    simulate_walk_in_sessions,
    walk_in_staffing,
    workload_desks,
)

SEED = 20211012  # configs/base.yaml `seed`


# --------------------------------------------------------------------------- Erlang C reference values
@pytest.mark.parametrize(
    ("target", "raw", "staff", "sl", "occupancy", "p_wait"),
    [(0.8, 14, 20, 0.888, 0.714, 0.174), (0.9, 15, 22, 0.941, 0.667, 0.102)],
)
def test_erlang_staffing_matches_pyworkforce_reference(target, raw, staff, sl, occupancy, p_wait) -> None:
    # FACTS.md: 100 contacts per 30 min (200/h), 3 min, answer target 0.33 min, shrinkage 30 %,
    # max occupancy 0.85 (pyworkforce queuing/tests/test_erlang.py, recomputed independently).
    r = erlang_staffing(200, 3, target_wait_minutes=0.33, target_share=target, shrinkage=0.3, max_occupancy=0.85)
    assert r.raw_desks == raw
    assert r.staff == staff
    assert r.service_level == pytest.approx(sl, abs=5e-4)
    assert r.occupancy == pytest.approx(occupancy, abs=5e-4)
    assert r.p_wait == pytest.approx(p_wait, abs=5e-4)
    assert r.offered_load_erlang == pytest.approx(10.0)


def test_occupancy_cap_and_shrinkage_by_hand() -> None:
    # a = 10 Erlang; the 80 % norm alone needs 14 desks (occupancy 0.714). A cap of 0.7 needs
    # ceil(10 / 0.7) = ceil(14.29) = 15 desks; shrinkage 0.25 -> ceil(15 / 0.75) = 20 staff.
    r = erlang_staffing(200, 3, target_wait_minutes=0.33, shrinkage=0.25, max_occupancy=0.7)
    assert r.desks_for_service_level == 14
    assert r.raw_desks == 15
    assert r.staff == 20
    assert r.occupancy == pytest.approx(10 / 15)
    assert r.service_level == pytest.approx(service_level(200, 3, 15, 0.33))
    # 330/h x 3 min = 16.5 Erlang, 80 % within 0.33 min needs 21 desks; 21 / (1 - 0.3) is
    # 30.000000000000004 in floating point: the staff is still 30, not 31
    r21 = erlang_staffing(330, 3, target_wait_minutes=0.33, shrinkage=0.3)
    assert (r21.raw_desks, r21.staff) == (21, 30)
    # no cap, no shrinkage: plain capacity.desks_needed
    plain = erlang_staffing(200, 3, target_wait_minutes=0.33)
    assert (plain.raw_desks, plain.staff) == (14, 14)


def test_walk_in_staffing_uses_the_walk_in_hours() -> None:
    # 10,400 walk-in visits a year over 10 h x 52 weeks = 20 per walk-in hour
    r = walk_in_staffing(10_400, 10, target_wait_minutes=10)
    assert r.arrival_rate_per_hour == pytest.approx(20.0)
    assert r.raw_desks == erlang_staffing(20, 10, target_wait_minutes=10).raw_desks
    # the same visits spread over 39 opening hours would need fewer desks
    spread = walk_in_staffing(10_400, 10, target_wait_minutes=10, walk_in_hours_per_week=39)
    assert spread.raw_desks < r.raw_desks


def test_erlang_staffing_rejects_bad_shares() -> None:
    with pytest.raises(ParameterError, match="shrinkage"):
        erlang_staffing(20, 10, target_wait_minutes=5, shrinkage=1.0)
    with pytest.raises(ParameterError, match="max_occupancy"):
        erlang_staffing(20, 10, target_wait_minutes=5, max_occupancy=1.2)


# --------------------------------------------------------------------------- discrete-event simulation
def test_simpy_queue_reproduces_a_hand_trace() -> None:
    # one desk, arrivals 0, 1, 2, each 2 min: waits 0, 1, 2
    assert _fcfs_waits(np.array([0.0, 1.0, 2.0]), np.array([2.0, 2.0, 2.0]), 1).tolist() == [0.0, 1.0, 2.0]
    # two desks, arrivals 0, 0.5, 1 with 3, 3, 1 min: the third waits until 3.0 -> 2.0
    assert _fcfs_waits(np.array([0.0, 0.5, 1.0]), np.array([3.0, 3.0, 1.0]), 2).tolist() == [0.0, 0.0, 2.0]


def test_des_matches_erlang_c_within_tolerance() -> None:
    # lambda = 20/h, 10 min, c = 5: a = 3.33 Erlang, rho = 0.667. Analytic: P(wait) = 0.3267,
    # Wq = 1.960 min, SL(5 min) = 0.8580. Over 16 seeds at 60,000 visitors the simulation's
    # standard deviation was 0.10 min (Wq), 0.007 (P(wait)), 0.007 (SL), so the tolerances below
    # are about 4 standard deviations.
    sim = simulate_walk_in(20, 10, 5, seed=SEED, target_wait_minutes=5, n_customers=60_000)
    wq, pw, sl = mean_wait_minutes(20, 10, 5), erlang_c(20, 10, 5), service_level(20, 10, 5, 5)
    assert sim.n_customers == 60_000
    assert abs(sim.mean_wait_minutes - wq) <= 0.4
    assert abs(sim.p_wait - pw) <= 0.03
    assert abs(sim.service_level - sl) <= 0.03
    assert abs(sim.utilisation - 20 * 10 / 60 / 5) <= 0.02
    assert abs(sim.mean_wait_minutes - wq) <= 4 * sim.mean_wait_se_minutes
    # the tolerance discriminates: one desk fewer is far outside it (Wq 9.87 min, P(wait) 0.658)
    assert abs(sim.mean_wait_minutes - mean_wait_minutes(20, 10, 4)) > 5
    assert abs(sim.p_wait - erlang_c(20, 10, 4)) > 0.2
    # seeded: the same seed gives the same numbers
    again = simulate_walk_in(20, 10, 5, seed=SEED, target_wait_minutes=5, n_customers=2_000, warmup_customers=100)
    once = simulate_walk_in(20, 10, 5, seed=SEED, target_wait_minutes=5, n_customers=2_000, warmup_customers=100)
    assert again == once


def test_sessions_start_empty_and_run_over() -> None:
    # A 2-hour walk-in window that opens with an empty hall waits less than the steady state ...
    sess = simulate_walk_in_sessions(20, 10, 5, seed=SEED, target_wait_minutes=5, n_sessions=100)
    assert sess.mean_wait_minutes < mean_wait_minutes(20, 10, 5)
    assert sess.mean_overrun_minutes > 0
    # ... and with fewer desks than the offered load (3 < 3.33) there is no steady state, but a
    # window still ends: waits are long and the work runs well past closing.
    with pytest.raises(ParameterError, match="no steady state"):
        simulate_walk_in(20, 10, 3, seed=SEED)
    short = simulate_walk_in_sessions(20, 10, 3, seed=SEED, target_wait_minutes=5, n_sessions=100)
    assert short.mean_wait_minutes > 3 * sess.mean_wait_minutes
    assert short.mean_overrun_minutes > sess.mean_overrun_minutes


# --------------------------------------------------------------------------- workload per month
def test_workload_desks_by_hand() -> None:
    visits = pd.DataFrame(
        {"aanvraag": [1000, 1500, 600], "afhalen": [800, 1500, 600], "overig": [200, 300, 300]},
        index=pd.period_range("2025-04", periods=3, freq="M"),
    )
    minutes = {"aanvraag": 12, "afhalen": 3, "overig": 10}
    # April: 1000*12 + 800*3 + 200*10 = 16,400 min = 273.33 h; 160 h * 0.85 = 136 -> 2.0098 -> 3
    # May: 1500*12 + 1500*3 + 300*10 = 25,500 min = 425 h -> 3.125 -> 4
    # June: 600*12 + 600*3 + 300*10 = 12,000 min = 200 h -> 1.4706 -> 2
    r = workload_desks(visits, minutes, 160, target_occupancy=0.85)
    assert r.workload_hours.tolist() == pytest.approx([16_400 / 60, 425, 200])
    assert r.desks_exact.tolist() == pytest.approx([16_400 / 60 / 136, 425 / 136, 200 / 136])
    assert r.desks.tolist() == [3, 4, 2]
    assert r.peak_month == pd.Period("2025-05", freq="M")
    assert r.peak_desks == 4
    # more available hours in May (a Series) move the peak
    hours = pd.Series([160.0, 400.0, 160.0], index=visits.index)
    assert workload_desks(visits, minutes, hours, target_occupancy=0.85).desks.tolist() == [3, 2, 2]


def test_workload_exact_multiple_is_not_rounded_up() -> None:
    # 120 visits x 10 min = 20 h; 25 h x 0.8 = 20 h -> exactly 1 desk
    v = pd.DataFrame({"overig": [120, 0]}, index=["a", "b"])
    r = workload_desks(v, {"overig": 10}, 25, target_occupancy=0.8)
    assert r.desks.tolist() == [1, 0]


def test_workload_errors_name_the_fix() -> None:
    v = pd.DataFrame({"aanvraag": [10], "afhalen": [5]})
    with pytest.raises(ParameterError, match="afhalen"):
        workload_desks(v, {"aanvraag": 10}, 100)
    with pytest.raises(DataError, match="negative"):
        workload_desks(pd.DataFrame({"x": [-1]}), {"x": 5}, 100)
    with pytest.raises(DataError, match="indexed differently"):
        workload_desks(v, {"aanvraag": 10, "afhalen": 3}, pd.Series([100.0], index=["other"]))


def test_opening_hours_per_month_counts_weekdays() -> None:
    months = pd.period_range("2025-01", periods=2, freq="M")
    # January 2025 has 23 weekdays, February 20; 39 h / 5 = 7.8 h a weekday
    assert opening_hours_per_month(months).tolist() == pytest.approx([23 * 7.8, 20 * 7.8])
    # New Year's Day 2025 is a Wednesday
    assert opening_hours_per_month(months, holidays=["2025-01-01"]).iloc[0] == pytest.approx(22 * 7.8)


# --------------------------------------------------------------------------- appointments: access time
def test_access_time_hand_computed_single_slot() -> None:
    # K = 1 slot a day, lambda = 0.5 requests a day. For Q' = max(0, Q + A - 1) the generating
    # function is Pi(z) = (1 - lam)(z - 1) / (z - e^{lam (z-1)}): P(Q = 0) = (1 - lam) e^lam,
    # E[Q] = lam^2 / (2 (1 - lam)) = 0.25. Requests ahead on the same day: E[H] = lam / 2 = 0.25.
    # Days = Q + H + 1 -> mean 1.5. Within 1 day: P(Q = 0) P(H = 0) = (1-lam) e^lam (1-e^-lam)/lam = e^0.5 - 1.
    r = access_time(0.5, 1)
    assert r.p_no_backlog == pytest.approx(0.5 * math.exp(0.5), abs=1e-10)
    assert r.mean_backlog_slots == pytest.approx(0.25, abs=1e-10)
    assert r.mean_access_days == pytest.approx(1.5, abs=1e-10)
    assert r.share_within(1) == pytest.approx(math.exp(0.5) - 1, abs=1e-10)
    assert r.share_within(0) == 0.0
    assert r.mean_backlog_slots <= r.backlog_bound_slots == pytest.approx(0.5)  # Kingman bound


def test_access_time_unstable_and_empty() -> None:
    full = access_time(40, 40)
    assert not full.stable
    assert full.mean_access_days == math.inf
    assert full.share_within(10) == 0.0
    idle = access_time(0, 5)
    assert idle.mean_access_days == 1.0  # next working day
    assert idle.share_within(1) == 1.0


def test_access_time_falls_with_desks() -> None:
    per_desk = appointment_slots_per_day(1, HAARLEM_2018_APPOINTMENT_HOURS_PER_WEEK / 5, 10)
    assert per_desk == 34  # 5.8 h x 6 slots an hour = 34.8 -> 34
    results = [access_time(60, n * per_desk) for n in range(2, 7)]
    means = [r.mean_access_days for r in results]
    shares = [r.share_within(1) for r in results]
    assert means[0] > means[1] > means[2]  # 1.0161, 1.00000001, 1.0 (to machine precision after that)
    assert all(b <= a + 1e-12 for a, b in zip(means, means[1:]))
    assert all(b >= a - 1e-12 for a, b in zip(shares, shares[1:]))
    assert means[0] > 1.0 and means[-1] == pytest.approx(1.0, abs=1e-6)


def test_simulation_hand_trace_carries_the_backlog() -> None:
    # K = 2 slots; 3 requests on day 0 -> days 1, 1, 2; day 1: 1 booking waiting, its 3 requests
    # take positions 2, 3, 4 -> days 1, 2, 2. Mean (1+1+2+1+2+2)/6 = 1.5; within 1 day: 3/6.
    s = simulate_access_time([3, 3, 0, 0], 2, seed=0, arrivals="fixed", max_access_days=1)
    assert s.mean_access_days == pytest.approx(1.5)
    assert s.share_within == pytest.approx(0.5)
    assert s.per_day["backlog_slots"].tolist() == [0.0, 1.0, 2.0, 0.0]
    assert s.per_day["mean_access_days"].iloc[:2].tolist() == pytest.approx([4 / 3, 5 / 3])
    # season peak: 15 requests a day for 4 days on 10 slots, then 5 a day: the backlog grows by 5
    # a day and then drains by 5 a day.
    peak = simulate_access_time([15] * 4 + [5] * 6, 10, seed=0, arrivals="fixed")
    assert peak.per_day["backlog_slots"].tolist() == [0, 5, 10, 15, 20, 15, 10, 5, 0, 0]


def test_simulation_varying_slots_by_hand() -> None:
    # day slots [1, 0, 4]: day-0 requests (2) go to day 1 (0 slots) or day 2 -> positions 1, 2 both on
    # day 2 -> 2 working days each.
    s = simulate_access_time([2, 0, 0], np.array([1, 0, 4]), seed=0, arrivals="fixed", max_access_days=1)
    assert s.mean_access_days == pytest.approx(2.0)
    assert s.share_within == 0.0


def test_steady_state_matches_long_simulation() -> None:
    exact = access_time(8, 9)  # utilisation 0.89
    sim = simulate_access_time(np.full(1000, 8.0), 9, seed=SEED, n_runs=100, warmup_days=200, max_access_days=1)
    assert exact.mean_access_days == pytest.approx(1.3372, abs=1e-4)
    assert abs(sim.mean_access_days - exact.mean_access_days) < 0.03
    assert abs(sim.share_within - exact.share_within(1)) < 0.015
    assert abs(sim.per_day["backlog_slots"].mean() - exact.mean_backlog_slots) < 0.2


def test_appointment_desks_needed_is_the_smallest_fit() -> None:
    r = appointment_desks_needed(60, 10, max_access_days=1, target_share=0.95)
    assert r.slots_per_desk_per_day == 34
    assert r.slots_per_day == r.desks * 34
    assert r.access.share_within(1) >= 0.95
    fewer = access_time(60, (r.desks - 1) * 34)
    assert fewer.share_within(1) < 0.95
    # a looser norm never needs more desks
    assert appointment_desks_needed(60, 10, max_access_days=5, target_share=0.95).desks <= r.desks
    with pytest.raises(ParameterError, match="max_desks"):
        appointment_desks_needed(10_000, 10, max_access_days=1, max_desks=3)


def test_mixed_counter_by_hand() -> None:
    c = mixed_counter(4, 3)  # 4 x 10 h + 3 x 29 h = 127 h a week
    assert (c.desks, c.desk_hours_per_week, c.desk_hours_per_year) == (4, 127.0, 127.0 * 52)
    assert mixed_counter(2, 5).desks == 5


def test_heavy_traffic_access_agrees_with_the_exact_agenda():
    """The approximation chapter 04 uses against the exact :func:`staffing.access_time` (norms of 2 days or more)."""
    worst = 0.0
    for slots in (20, 40, 80, 160, 300):
        for rho in (0.5, 0.7, 0.8, 0.9, 0.95, 0.98):
            lam = rho * slots
            exact = staffing.access_time(lam, slots)
            for days in (2, 3, 5, 10):
                share, _ = staffing.access_time_heavy_traffic(lam, slots, days)
                worst = max(worst, abs(share - exact.share_within(days)))
    assert worst <= 0.012
    assert staffing.access_time_heavy_traffic(50.0, 50, 5) == (0.0, math.inf)
