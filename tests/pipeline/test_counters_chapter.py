"""Chapter 03 end to end: ``pipeline.counters.counters`` on the shipped data with the base.yaml defaults."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from decentraal import pipeline, report
from decentraal.io.outputs import PEOPLE_COUNT
from decentraal.methods import cost, siting
from decentraal.pipeline.counters import ChainSettings

#: Tables and layers the chapter writes for the default run (Haarlem, niveau wijk).
TABLES = ["03_vraag_wijk", "03_producten", "03_scenarios", "03_bediende_gebieden", "03_gevoeligheid_afstand",
          "03_balies", "03_kosten", "03_vergelijking_gemeenten"]
LAYERS = ["03_locaties", "03_afstand_voor_na"]
#: Chain setting -> the run parameter it must be read from.
SETTING_PARAMETER = {
    "visits_per_resident_per_year": "bezoeken_per_inwoner_per_jaar", "k_max": "max_nieuwe_loketten",
    "radius_km": "dekkingsafstand_km", "beta": "afstandsverval_beta", "opening_hours_new": "openingsuren_per_week",
    "opening_hours_existing": "openingsuren_bestaand_per_week", "service_minutes": "bedieningstijd_minuten",
    "target_wait_minutes": "wachtnorm_minuten", "target_share": "wachtnorm_aandeel", "peak_factor": "piekfactor",
    "fixed_cost": "vaste_kosten_per_loket", "hourly_desk_cost": "uurkosten_balie",
}
FIXTURE = Path(__file__).parents[1] / "data" / "synthetic" / "bezoeken_SYNTHETISCH_haarlem_wijk.csv"


@pytest.fixture(scope="module")
def chapter():
    """The default session (writes to outputs/_interactief) and its chapter 03 result."""
    s = pipeline.start("03", namespace={})
    return s, pipeline.counters.counters(s)


def test_visits_are_one_per_three_inhabitants(chapter):
    s, r = chapter
    assert round(r.demand.total) == 55890
    assert r.demand.total == pytest.approx(r.demand.inhabitants / 3)
    assert r.demand.rate_is_nota and r.demand.observed is None and not r.demand.synthetic
    assert report.counters.check_line(r, s) == "bezoeken per jaar GM0392: 55890"
    assert r.per_area["bezoeken"].sum() == pytest.approx(55890)


def test_one_new_counter_goes_to_meerwijk_and_serves_schalkwijk(chapter):
    _, r = chapter
    one = r.chain.solution("pmedian", 1)
    assert one.new_sites == ["kandidaat_WK039221"]
    assert r.chain.site_names[one.new_sites[0]] == "Midden van Meerwijk"
    served = r.served.loc[(r.served["model"] == "pmedian") & (r.served["k_new"] == 1)]
    assert served.iloc[0]["gebied"] == "Schalkwijk" and served.iloc[0]["aandeel"] > 0.9
    row = r.costs.loc[(r.costs["model"] == "pmedian") & (r.costs["k_new"] == 1)].iloc[0]
    assert row["nieuwe_locaties"] == "Midden van Meerwijk"
    assert row["annual_cost_eur"] == pytest.approx(774_400)


def test_chain_settings_are_read_by_name(chapter):
    s, r = chapter
    assert set(SETTING_PARAMETER) == {f.name for f in dataclasses.fields(ChainSettings)}
    for setting, parameter in SETTING_PARAMETER.items():
        assert getattr(r.settings, setting) == getattr(s.params, parameter), setting
    with pytest.raises(TypeError):
        ChainSettings(1 / 3, 3, 1.5, 0.5, 20, 40, 10, 10, 0.8, 1.5, 400_000, 60)  # type: ignore[misc]


def test_a_longer_service_time_changes_desks_not_visits(chapter, tmp_path):
    _, r = chapter
    s2 = pipeline.start("03", namespace={"bedieningstijd_minuten": 15.0, "uitvoer_map": str(tmp_path)})
    r2 = pipeline.counters.counters(s2)
    assert r2.settings.service_minutes == 15.0 and r2.settings.hourly_desk_cost == r.settings.hourly_desk_cost
    assert r2.demand.total == r.demand.total
    pd.testing.assert_series_equal(r2.desks["bezoeken_per_jaar"], r.desks["bezoeken_per_jaar"])
    assert (r2.desks["balies"] >= r.desks["balies"]).all() and (r2.desks["balies"] > r.desks["balies"]).any()
    assert r2.costs["annual_cost_eur"].sum() > r.costs["annual_cost_eur"].sum()


def test_distances_come_from_the_siting_result(chapter):
    s, r = chapter
    chain = r.chain
    assert len(chain.solutions) == 2 * (r.k_max + 1) == len(chain.scenarios)
    for sol, row in zip(chain.solutions, chain.scenarios.itertuples()):
        brute = chain.distance[sol.open_sites]
        np.testing.assert_array_equal(sol.distance_km.to_numpy(), brute.min(axis=1).to_numpy())
        assert sol.assignment.equals(brute.idxmin(axis=1).rename("loket"))
        within = brute.min(axis=1) <= r.settings.radius_km
        assert row.inwoners_binnen_afstand == chain.points.loc[within, "inwoners"].sum()
        assert (sol.model, sol.k_new, tuple(sol.open_sites)) == (row.model, row.k_new, row.open_sites)
    existing = list(s.counters["loket_id"])
    layer = r.distance_map.set_index("code").loc[chain.points.index]
    np.testing.assert_array_equal(layer["afstand_nu"].to_numpy(), chain.distance[existing].min(axis=1).to_numpy())
    best = chain.distance[chain.best.open_sites]
    np.testing.assert_array_equal(layer["afstand_na"].to_numpy(), best.min(axis=1).to_numpy())
    assert list(layer["loket"]) == list(best.idxmin(axis=1).map(chain.site_names))


def test_cost_from_the_siting_results_equals_the_cost_table(chapter):
    """The chain reads served areas and visits from the siting results; cost_table recomputes them."""
    _, r = chapter
    chain, st = r.chain, r.settings
    for _, row in chain.scenarios.iterrows():
        load = chain.counters.loc[(chain.counters["model"] == row["model"]) & (chain.counters["k_new"] == row["k_new"])]
        hours = dict(zip(load.loc[load["nieuw"], "site"], load.loc[load["nieuw"], "baliuren_per_jaar"]))
        again = cost.cost_table(
            row[list(siting.SCENARIO_COLUMNS)].to_frame().T, cost=chain.distance, visits=chain.points["bezoeken"],
            barrier_population=chain.points["inwoners_65plus"].fillna(0), hourly_desk_cost=st.hourly_desk_cost,
            desk_hours_per_new_counter=hours or 0.0, fixed_cost_per_counter=st.fixed_cost, allocation="huff", beta=st.beta,
        ).iloc[0]
        for col in cost.COST_COLUMNS:
            assert again[col] == pytest.approx(row[col], rel=1e-12, nan_ok=True), (row["model"], row["k_new"], col)


def test_comparison_covers_both_municipalities(chapter):
    _, r = chapter
    assert list(r.comparison["gemeente"]) == ["Haarlem", "Zandvoort"]
    haarlem, zandvoort = (row for _, row in r.comparison.iterrows())
    one = r.chain.scenarios.loc[(r.chain.scenarios["model"] == "pmedian") & (r.chain.scenarios["k_new"] == 1)].iloc[0]
    assert haarlem["kosten_per_bezoek_1_extra"] == one["cost_per_visit_eur"]
    assert haarlem["bezoeken_per_1000_inwoners"] == pytest.approx(1000 / 3)
    assert zandvoort["inwoners"] < haarlem["inwoners"] and zandvoort["afstand_1_extra_km"] < zandvoort["afstand_nu_km"]


def test_tables_and_layers_are_written_without_small_counts(chapter):
    s, _ = chapter
    threshold = s.params.onthulling_drempel
    for name in TABLES:
        frame = pd.read_csv(s.out.root / "tables" / f"{name}.csv")
        for col in [c for c in frame.columns if PEOPLE_COUNT.match(c)]:
            assert not (frame[col].dropna() < threshold).any(), (name, col)
    for name in LAYERS:
        assert (s.out.root / "layers" / f"{name}.gpkg").is_file()
    scenarios = pd.read_csv(s.out.root / "tables" / "03_scenarios.csv")
    assert scenarios.loc[scenarios["k_new"] == 3, "new_sites"].str.count(", ").eq(2).all()


def test_report_objects_display(chapter):
    s, r = chapter
    for fig in (report.counters.sites_map(r, s), report.counters.distance_maps(r, s)):
        assert isinstance(fig, Figure) and fig.canvas.manager is None  # not pyplot: shows once
    assert "maximale dekking" in report.counters.scenarios_table(r).to_html()
    assert "dekking binnen 1,5 km" in report.counters.scenarios_table(r).to_html()
    assert "mclp" not in report.counters.cost_table(r).to_html()
    for shown in (report.counters.served_table(r), report.counters.sensitivity_table(r), report.counters.desks_table(r),
                  report.counters.comparison_table(r)):
        assert "<table" in shown.to_html()
    assert "Midden van Meerwijk" in report.counters.summary(r, s).data
    assert "400.000" in report.counters.header(s, r).data
    assert len(report.counters.demand(r)) == 2 and len(report.counters.products(r, s)) == 3


def test_observed_visits_are_fitted_and_labelled_synthetic(tmp_path):
    """SYNTHETIC visit file (tests/data/synthetic, labelled): the GLM path of the chapter."""
    s = pipeline.start("03", namespace={"vraagbron": "waarnemingen", "bezoeken_bestand": str(FIXTURE),
                                        "glm_familie": "poisson", "max_nieuwe_loketten": 1, "uitvoer_map": str(tmp_path)})
    r = pipeline.counters.counters(s)
    assert r.demand.synthetic and r.demand.observed is not None and r.demand.observed.level == "wijk"
    assert r.demand.total == pytest.approx(r.demand.inhabitants / 3, rel=0.05)
    assert report.counters.demand_source(r).startswith("geschat poisson-model")
    shown = report.counters.demand(r)
    assert len(shown) == 5 and "Overdispersietoets" in shown[2].data
    assert "SYNTHETISCHE" in report.counters.header(s, r).data
