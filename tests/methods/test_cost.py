"""Tests for decentraal.cost."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from decentraal.errors import ParameterError
from decentraal.methods.cost import COST_COLUMNS, FIXED_COST_PER_COUNTER_EUR, cost_table, scenario_cost
from decentraal.methods.siting import scenarios

# 3 areas; existing counter 'centraal', candidates 'noord' and 'zuid'
COST = pd.DataFrame(
    {"centraal": [0.5, 3.0, 4.0], "noord": [3.5, 0.4, 1.8], "zuid": [4.0, 5.0, 0.3]},
    index=["a", "b", "c"],
)
VISITS = pd.Series([300.0, 200.0, 100.0], index=COST.index)
BARRIER = pd.Series([50.0, 80.0, 20.0], index=COST.index)


def _scen(rows: list[tuple[int, tuple[str, ...]]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": "handmatig",
            "k_new": [k for k, _ in rows],
            "new_sites": [new for _, new in rows],
            "open_sites": [("centraal", *new) for _, new in rows],
            "radius_km": 1.0,
        }
    )


def test_scenario_cost_hand_computed() -> None:
    c = scenario_cost(2, 1000, hourly_desk_cost=50)
    assert c["fixed_cost_eur"] == 800_000
    assert c["desk_cost_eur"] == 50_000
    assert c["annual_cost_eur"] == 850_000
    assert FIXED_COST_PER_COUNTER_EUR == 400_000
    assert scenario_cost(0, 0, hourly_desk_cost=50)["annual_cost_eur"] == 0
    with pytest.raises(TypeError):
        scenario_cost(1, 10)  # type: ignore[call-arg]  # hourly_desk_cost is required
    with pytest.raises(ParameterError, match="n_new_counters"):
        scenario_cost(-1, 0, hourly_desk_cost=1)


def test_cost_table_hand_computed() -> None:
    scen = _scen([(0, ()), (1, ("noord",)), (2, ("noord", "zuid"))])
    before = scen.copy()
    out = cost_table(
        scen, cost=COST, visits=VISITS, barrier_population=BARRIER, hourly_desk_cost=40.0, desk_hours_per_new_counter=1500.0
    )
    pd.testing.assert_frame_equal(scen, before)  # input untouched
    assert list(out.columns) == list(scen.columns) + list(COST_COLUMNS)

    k0, k1, k2 = (out.iloc[i] for i in range(3))
    # k = 0: nothing extra
    assert k0["annual_cost_eur"] == 0 and k0["visits_new_counters"] == 0
    assert math.isnan(k0["cost_per_visit_eur"]) and k0["barrier_residents_served"] == 0

    # k = 1 (noord): b (0.4 km) and c (1.8 < 4.0 km) now nearest to noord -> 200 + 100 visits
    # cost = 400,000 + 1500 h x 40 = 460,000 -> 460,000 / 300 per visit
    assert k1["annual_cost_eur"] == 460_000
    assert k1["visits_new_counters"] == 300
    assert k1["cost_per_visit_eur"] == pytest.approx(460_000 / 300)
    # served: b (newly within 1 km, and assigned to noord), c (assigned to noord) -> 80 + 20
    assert k1["barrier_residents_served"] == 100
    assert k1["cost_per_barrier_resident_eur"] == pytest.approx(4_600)

    # k = 2: b -> noord, c -> zuid; cost 2 x 400,000 + 3000 h x 40 = 920,000; 300 visits
    assert k2["annual_cost_eur"] == 920_000
    assert k2["cost_per_visit_eur"] == pytest.approx(920_000 / 300)
    assert k2["barrier_residents_served"] == 100


def test_cost_table_huff_allocation_and_per_site_hours() -> None:
    scen = _scen([(1, ("noord",))])
    out = cost_table(
        scen, cost=COST, visits=VISITS, barrier_population=BARRIER, hourly_desk_cost=0.0,
        desk_hours_per_new_counter={"noord": 100.0}, allocation="huff", beta=0.0,
    )
    # beta = 0: every area splits 50/50 between centraal and noord -> 300 visits at noord
    assert out.loc[0, "visits_new_counters"] == pytest.approx(300.0)
    assert out.loc[0, "desk_hours_per_year"] == 100.0
    with pytest.raises(ParameterError, match="beta"):
        cost_table(scen, cost=COST, visits=VISITS, barrier_population=BARRIER, hourly_desk_cost=1.0,
                   desk_hours_per_new_counter=1.0, allocation="huff")


def test_cost_table_on_siting_scenarios() -> None:
    w = pd.Series([1.0, 1.0, 1.0], index=COST.index)
    scen = scenarios(COST, w, radius_km=1.0, k_max=2, existing=["centraal"])
    out = cost_table(
        scen, cost=COST, visits=VISITS, barrier_population=BARRIER, hourly_desk_cost=40.0, desk_hours_per_new_counter=0.0
    )
    zero = out[out["k_new"] == 0]
    assert np.all(zero["annual_cost_eur"] == 0)
    assert np.all(out["annual_cost_eur"] == out["k_new"] * 400_000)
