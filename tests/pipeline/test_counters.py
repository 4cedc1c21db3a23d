"""The counter chain for a municipality: conservation, hand-checked k = 0 figures, observed demand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthetic
from decentraal.methods import demand, indicators, overview
from decentraal.pipeline import common, counters


@pytest.fixture(scope="module")
def zandvoort(built):
    layers_all, loketten, _ = built
    layers = overview.select(layers_all, "GM0473")
    veilig = indicators.safe_table(pd.DataFrame(layers["wijk"].drop(columns="geometry")), 10)
    index = indicators.barrier_index(veilig, {i.key: 1.0 for i in indicators.INDICATORS}).index
    visits = demand.baseline_demand(layers["buurt"].set_index("code")["inwoners"].fillna(0))
    points = counters.demand_points(layers["buurt"], visits)
    sites = counters.candidate_sites(loketten.loc[loketten["gemeentecode"] == "GM0473"], layers["wijk"], layers["buurt"])
    settings = counters.ChainSettings(
        visits_per_resident_per_year=1 / 3, k_max=2, radius_km=1.5, beta=0.5, opening_hours_new=20, opening_hours_existing=40,
        service_minutes=10, target_wait_minutes=10, target_share=0.8, peak_factor=1.5, fixed_cost=400_000, hourly_desk_cost=60)
    group = layers["buurt"].set_index("code")["wijkcode"]
    result = counters.run_chain(points, sites, settings, group=group, group_names=layers["wijk"].set_index("code")["naam"].to_dict())
    return layers, index, points, result


def test_demand_points_spread_buurt_totals_and_list_empty_buurten(zandvoort):
    layers, _, points, _ = zandvoort
    # buurten without inhabitants (beach, dunes) have no demand and are listed, not lost
    empty = set(layers["buurt"].loc[~(layers["buurt"]["inwoners"].fillna(0) > 0), "code"])
    assert set(points.attrs["zonder_inwoners"]) == empty and empty.isdisjoint(points["code"])
    per_buurt = points.groupby("code")["inwoners"].sum()
    buurten = layers["buurt"].set_index("code")["inwoners"]
    assert per_buurt.to_numpy() == pytest.approx(buurten.reindex(per_buurt.index).to_numpy())
    assert points.groupby("code").size().between(1, 20).all()


def test_k0_distance_equals_hand_computation(zandvoort):
    _, _, points, result = zandvoort
    raadhuis = result.sites.set_index("site").geometry["zandvoort_raadhuis"]
    km = points.geometry.distance(raadhuis) / 1000
    w = points["bezoeken_ontwerpjaar"]
    row = result.scenarios.loc[(result.scenarios["model"] == "pmedian") & (result.scenarios["k_new"] == 0)].iloc[0]
    assert row["mean_distance_km"] == pytest.approx(float((km * w).sum() / w.sum()))
    assert row["bezoeken_nieuw"] == 0


def test_visits_are_conserved_over_counters_in_every_scenario(zandvoort):
    _, _, points, result = zandvoort
    totals = result.counters.groupby(["model", "k_new"])["bezoeken_per_jaar"].sum()
    assert np.allclose(totals.to_numpy(), points["bezoeken"].sum())


def test_new_counter_desk_hours_are_desks_times_opening_hours(zandvoort):
    _, _, _, result = zandvoort
    load = result.counters.loc[(result.counters["model"] == "pmedian") & (result.counters["k_new"] == 1) & result.counters["nieuw"]]
    assert (load["baliuren_per_jaar"] == load["balies"] * 20 * 52).all()
    assert "annual_cost_eur" not in result.scenarios  # the static one-year cost is gone (cost over time: over_time)


def test_observed_demand_recovers_rates_from_synthetic_visits(built):
    """SYNTHETIC visits (generated here, labelled synthetic) with a known effect of one covariate."""
    layers_all, _, _ = built
    buurt = layers_all["buurt"].loc[layers_all["buurt"]["inwoners"].fillna(0) > 200].reset_index(drop=True)
    areas = pd.DataFrame({"code": buurt["code"], "inwoners": buurt["inwoners"], "z65": (buurt["aandeel_65plus"] - buurt["aandeel_65plus"].mean()) / buurt["aandeel_65plus"].std()})
    visits = synthetic.synthetic_visits(areas.set_index("code")["inwoners"], areas.set_index("code")[["z65"]], {"z65": 0.3}, np.log(1 / 3), seed=1)
    assert visits["synthetisch"].all() and visits.attrs["synthetic"]
    rates, model = counters.observed_demand(visits, areas, level_of="buurt", covariates=["z65"], family="poisson")
    assert model.params["z65"] == pytest.approx(0.3, abs=3 * model.bse["z65"])
    assert rates.mean() == pytest.approx(1 / 3, rel=0.1)


def test_demand_from_visits_on_synthetic_wijk_file(built):
    """SYNTHETIC visit file (tests/data/synthetic, labelled): wijk-level fit turned into buurt demand."""
    from pathlib import Path

    from decentraal import io

    fixture = Path(__file__).parents[1] / "data" / "synthetic" / "bezoeken_SYNTHETISCH_haarlem_wijk.csv"
    layers_all, _, _ = built
    layers, tables = common.safe_layers(layers_all, "GM0392", 10)
    result = counters.demand_from_visits(io.read_csv_text(fixture), layers, tables, {i.key: 1.0 for i in indicators.INDICATORS},
                                         source_name=fixture.name, family="poisson")
    assert result.level == "wijk" and result.rows == 42
    inhabitants = layers["buurt"]["inwoners"].sum()
    # drawn at 1/3 visit per resident per year; two years of 21 wijken
    assert result.visits.sum() == pytest.approx(inhabitants / 3, rel=0.05)
    assert set(result.mean_rate_buurten) <= set(layers["buurt"]["code"])
