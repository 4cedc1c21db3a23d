"""Tests for decentraal.capacity (Erlang C)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decentraal.errors import ParameterError
from decentraal.methods.capacity import (
    desks_needed,
    erlang_b,
    erlang_c,
    mean_wait_minutes,
    service_level,
    visits_per_hour,
)


def _erlang_c_direct(a: float, c: int) -> float:
    """Textbook closed form: C = (a^c/c! * c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a))."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def test_hand_computed_case_one_erlang_two_desks() -> None:
    # lambda = 10/h, service 6 min -> mu = 10/h, a = 1 Erlang, c = 2.
    # Erlang B: B1 = 1*1/(1+1) = 1/2; B2 = 1*(1/2)/(2 + 1/2) = 1/5.
    # Erlang C = c B / (c - a (1 - B)) = 2/5 / (2 - 4/5) = (2/5)/(6/5) = 1/3.
    assert erlang_b(1.0, 2) == pytest.approx(0.2)
    assert erlang_c(10, 6, 2) == pytest.approx(1 / 3, abs=1e-12)
    # Wq = C / (c mu - lambda) = (1/3) / (20 - 10) h = 1/30 h = 2 min
    assert mean_wait_minutes(10, 6, 2) == pytest.approx(2.0)
    # SL(t = 1 min) = 1 - (1/3) exp(-10/h * 1/60 h) = 1 - exp(-1/6)/3
    assert service_level(10, 6, 2, 1.0) == pytest.approx(1 - math.exp(-1 / 6) / 3)


def test_classic_call_centre_example() -> None:
    # Widely used worked example: 100 calls per 30 min (200/h), handling time 180 s (3 min),
    # a = 10 Erlang, answer-time target 20 s. Published results: 11 agents -> P(wait) 0.6821,
    # service level 39 %; 14 agents -> P(wait) 0.1741, service level 88.8 %; 14 is the first
    # staffing that reaches 80 % within 20 s.
    assert erlang_c(200, 3, 11) == pytest.approx(0.6821, abs=5e-5)
    assert service_level(200, 3, 11, 20 / 60) == pytest.approx(0.3896, abs=5e-4)
    assert erlang_c(200, 3, 14) == pytest.approx(0.1741, abs=5e-5)
    assert service_level(200, 3, 14, 20 / 60) == pytest.approx(0.8884, abs=5e-4)
    res = desks_needed(200, 3, target_wait_minutes=20 / 60, target_share=0.8)
    assert res.desks == 14
    assert res.min_stable_desks == 11
    assert res.utilisation == pytest.approx(10 / 14)
    assert res.service_level >= 0.8
    assert service_level(200, 3, 13, 20 / 60) < 0.8


@given(st.floats(0.1, 60.0), st.integers(1, 40))
@settings(max_examples=200, deadline=None)
def test_matches_textbook_formula(a: float, c: int) -> None:
    if c <= a:
        assert erlang_c(a * 6, 10, c) == 1.0  # no steady state
    else:
        assert erlang_c(a * 6, 10, c) == pytest.approx(_erlang_c_direct(a, c), rel=1e-9, abs=1e-12)


@given(st.floats(1.0, 120.0), st.floats(1.0, 30.0), st.floats(0.0, 30.0))
@settings(max_examples=100, deadline=None)
def test_more_desks_higher_service_level(rate: float, minutes: float, t: float) -> None:
    levels = [service_level(rate, minutes, c, t) for c in range(1, 45)]
    assert all(b >= a - 1e-12 for a, b in zip(levels, levels[1:]))
    waits = [erlang_c(rate, minutes, c) for c in range(1, 45)]
    assert all(b <= a + 1e-12 for a, b in zip(waits, waits[1:]))


def test_unstable_returns_one_and_zero_service_level() -> None:
    assert erlang_c(20, 6, 2) == 1.0  # a = 2 = c
    assert service_level(20, 6, 2, 5) == 0.0
    assert mean_wait_minutes(20, 6, 2) == math.inf


def test_desks_needed_edge_cases() -> None:
    assert desks_needed(0, 10, target_wait_minutes=5).desks == 1
    with pytest.raises(ParameterError, match="max_desks"):
        desks_needed(1000, 30, target_wait_minutes=1, max_desks=5)
    with pytest.raises(ParameterError, match="target_share"):
        desks_needed(10, 6, target_wait_minutes=1, target_share=1.0)


def test_visits_per_hour() -> None:
    # 52,000 visits, 40 h/week, 52 weeks -> 25 per hour; peak 1.5 -> 37.5
    assert visits_per_hour(52_000, opening_hours_per_week=40) == pytest.approx(25.0)
    assert visits_per_hour(52_000, opening_hours_per_week=40, peak_factor=1.5) == pytest.approx(37.5)
    with pytest.raises(ParameterError, match="opening_hours_per_week"):
        visits_per_hour(100, opening_hours_per_week=0)
