"""Tests for decentraal.methods.systemcost (all counters after minus before)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from decentraal.errors import DataError, ParameterError
from decentraal.methods.systemcost import (
    DEFAULT_HOURLY_DESK_COST_EUR,
    FIXED_COST_PER_COUNTER_EUR,
    desk_hours_per_year,
    system_cost,
    system_cost_range,
    travel_savings,
)

# One district counter. Central counter 8 -> 6 desks at 39 h x 52 weeks; district counter 3 desks
# at 20 h x 52 weeks = 3,120 desk-hours; EUR 60 an hour. 20,000 visits at the new counter, of which
# 18,000 are made closer to home, saving 2.5 km each (45,000 km).
CASE = dict(
    n_new_counters=1,
    central_desk_hours_before=desk_hours_per_year(8),
    central_desk_hours_after=desk_hours_per_year(6),
    district_desk_hours=desk_hours_per_year(3, hours_per_week=20),
    visits_new_counters=20_000,
    visits_closer=18_000,
    km_saved=45_000,
    hourly_desk_cost=60,
)


def test_desk_hours_by_hand() -> None:
    assert desk_hours_per_year(8) == 8 * 39 * 52 == 16_224
    assert desk_hours_per_year(3, hours_per_week=20) == 3_120
    assert desk_hours_per_year(1.5, hours_per_week=10, weeks_per_year=50) == 750


def test_staff_included_in_the_400k() -> None:
    c = system_cost(vaste_kosten_omvat_personeel=True, **CASE)
    # saving: 2 desks x 39 h x 52 weeks x EUR 60 = 243,360
    assert c.central_staff_saving_eur == 2 * 39 * 52 * 60 == 243_360
    assert c.district_staff_cost_eur == 0.0
    assert c.new_counter_cost_eur == 400_000
    assert c.incremental_cost_eur == 400_000 - 243_360 == 156_640
    assert c.gross_cost_per_visit_eur == pytest.approx(20.0)  # 400,000 / 20,000
    assert c.net_cost_per_visit_eur == pytest.approx(7.832)  # 156,640 / 20,000
    assert c.cost_per_visit_closer_eur == pytest.approx(156_640 / 18_000)  # 8.702
    assert c.cost_per_km_saved_eur == pytest.approx(156_640 / 45_000)  # 3.481


def test_staff_on_top_of_the_400k() -> None:
    c = system_cost(vaste_kosten_omvat_personeel=False, **CASE)
    # district staff 3,120 h x 60 = 187,200 comes on top
    assert c.district_staff_cost_eur == 187_200
    assert c.new_counter_cost_eur == 587_200
    assert c.incremental_cost_eur == 400_000 + 187_200 - 243_360 == 343_840
    assert c.gross_cost_per_visit_eur == pytest.approx(29.36)
    assert c.net_cost_per_visit_eur == pytest.approx(17.192)
    assert c.cost_per_km_saved_eur == pytest.approx(343_840 / 45_000)


def test_range_holds_both_readings() -> None:
    r = system_cost_range(**CASE)
    assert r.omvat_personeel.vaste_kosten_omvat_personeel is True
    assert r.exclusief_personeel.vaste_kosten_omvat_personeel is False
    assert (r.low_eur, r.high_eur) == (156_640, 343_840)
    # the readings differ by exactly the district desk-hours x the hourly cost
    assert r.high_eur - r.low_eur == pytest.approx(3_120 * 60)
    table = r.to_frame()
    assert list(table.columns) == ["omvat_personeel", "exclusief_personeel"]
    assert table.loc["incremental_cost_eur"].tolist() == [156_640, 343_840]
    assert table.loc["central_staff_saving_eur"].tolist() == [243_360, 243_360]


def test_savings_can_outweigh_the_cost() -> None:
    # a big shift of work (8 -> 2 desks) saves 6 x 39 x 52 x 60 = 730,080 > 400,000
    c = system_cost(**{**CASE, "central_desk_hours_after": desk_hours_per_year(2)}, vaste_kosten_omvat_personeel=True)
    assert c.incremental_cost_eur == pytest.approx(400_000 - 730_080)
    assert c.net_cost_per_visit_eur < 0


def test_defaults_are_the_documented_values() -> None:
    assert FIXED_COST_PER_COUNTER_EUR == 400_000  # informatienota 2021/547821
    assert DEFAULT_HOURLY_DESK_COST_EUR == 60  # aanname, base.yaml uurkosten_balie
    args = {k: v for k, v in CASE.items() if k != "hourly_desk_cost"}
    assert system_cost(vaste_kosten_omvat_personeel=True, **args).hourly_desk_cost_eur == 60


def test_no_new_counter_costs_nothing_and_ratios_are_nan() -> None:
    c = system_cost(
        n_new_counters=0,
        central_desk_hours_before=1000,
        central_desk_hours_after=1000,
        district_desk_hours=0,
        visits_new_counters=0,
        visits_closer=0,
        km_saved=0,
        vaste_kosten_omvat_personeel=False,
    )
    assert c.incremental_cost_eur == 0
    assert math.isnan(c.net_cost_per_visit_eur) and math.isnan(c.cost_per_km_saved_eur)
    with pytest.raises(ParameterError, match="n_new_counters=0"):
        system_cost(**{**CASE, "n_new_counters": 0}, vaste_kosten_omvat_personeel=True)


def test_bad_inputs_name_the_parameter() -> None:
    with pytest.raises(ParameterError, match="vaste_kosten_omvat_personeel"):
        system_cost(**CASE, vaste_kosten_omvat_personeel="ja")
    with pytest.raises(ParameterError, match="hourly_desk_cost"):
        system_cost(**{**CASE, "hourly_desk_cost": -1}, vaste_kosten_omvat_personeel=True)
    with pytest.raises(ParameterError, match="n_new_counters"):
        system_cost(**{**CASE, "n_new_counters": 1.5}, vaste_kosten_omvat_personeel=True)


def test_travel_savings_by_hand() -> None:
    visits = pd.Series([100.0, 50.0, 10.0, 40.0], index=["a", "b", "c", "d"])
    before = pd.Series([3.0, 2.0, 1.0, 1.0], index=visits.index)
    after = pd.Series([1.0, 2.0, 1.0, 1.5], index=visits.index)  # d is farther (a choice model can do that)
    t = travel_savings(visits, before, after)
    assert t.visits == 200
    assert t.visits_closer == 100  # only area a
    assert t.visits_farther == 40
    assert t.km_saved == pytest.approx(100 * 2.0 - 40 * 0.5)  # 180 km, net
    with pytest.raises(DataError, match="indexed differently"):
        travel_savings(visits, before.reset_index(drop=True).set_axis(list("wxyz")), after)
    with pytest.raises(DataError, match="equal length"):
        travel_savings([1.0, 2.0], [1.0], [1.0, 2.0])
