"""Chapter 03 end to end: ``pipeline.counters.counters`` on the shipped data with the base.yaml defaults."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from decentraal import pipeline, report
from decentraal.errors import ParameterError
from decentraal.io import summary as run_summary
from decentraal.io.outputs import PEOPLE_COUNT
from decentraal.methods import choice
from decentraal.pipeline import counters as chapter03
from decentraal.pipeline.counters import RULE_KINDS, ChainSettings, TimeSettings
from decentraal.report import format as fmt
from decentraal.settings import reference_years

#: Tables and layers the chapter writes for the default run (Haarlem, niveau wijk).
TABLES = ["03_vraag_wijk", "03_producten", "03_scenarios", "03_bijna_optimaal", "03_bediende_gebieden", "03_keuzeregels",
          "03_balies", "03_vergelijking_gemeenten", "03_vraag_per_jaar", "03_balies_per_jaar",
          "03_balies_per_maand", "03_systeemkosten_per_jaar", "03_kosten_per_scenario", "03_kans_beste_keuze",
          "03_gevoeligheid_aannames", "03_onzekerheid", "03_rekentijd"]
LAYERS = ["03_locaties", "03_afstand_voor_na"]
#: Chain setting -> the run parameter it must be read from.
SETTING_PARAMETER = {
    "visits_per_resident_per_year": "bezoeken_per_inwoner_per_jaar", "k_max": "max_nieuwe_loketten",
    "radius_km": "dekkingsafstand_km", "beta": "afstandsverval_beta", "opening_hours_new": "openingsuren_per_week",
    "opening_hours_existing": "openingsuren_bestaand_per_week", "service_minutes": "bedieningstijd_minuten",
    "target_wait_minutes": "wachtnorm_minuten", "target_share": "wachtnorm_aandeel", "peak_factor": "piekfactor",
    "fixed_cost": "vaste_kosten_per_loket", "hourly_desk_cost": "uurkosten_balie", "gamma": "urenelasticiteit_gamma",
    "product_share": "productaandeel_nieuw", "min_share_65plus": "min_dekking_65plus", "tolerance": "tolerantie_bijna_optimaal",
}
#: Time setting -> the run parameter it must be read from (service times per visit type: see the test).
TIME_SETTING_PARAMETER = {
    "first_year": "horizon_begin", "last_year": "horizon_eind", "decision_year": "beslisjaar",
    "walk_in_hours_existing": "inloopuren_bestaand_per_week", "walk_in_hours_new": "inloopuren_nieuw_per_week",
    "target_occupancy": "doelbezetting", "access_days": "toegangsnorm_werkdagen",
    "fixed_cost_includes_staff": "vaste_kosten_omvat_personeel",
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


def _brute_force(chain, model: str, k: int, radius: float, tolerance: float) -> tuple[tuple[str, ...], set[tuple[str, ...]]]:
    """The optimum and the near-optimal sets by plain enumeration (no shared code with the chapter)."""
    existing = list(chain.sites.loc[chain.sites["soort"] == "bestaand", "site"])
    candidates = [c for c in chain.distance.columns if c not in existing]
    w = chain.points["bezoeken_ontwerpjaar"]
    scores = {}
    for combo in itertools.combinations(candidates, k):
        nearest = chain.distance[existing + list(combo)].min(axis=1)
        scores[combo] = (float((w * nearest).sum()), float(w[nearest <= radius].sum()))
    if model == "pmedian":
        best = min(scores, key=lambda c: scores[c][0])
        near = {c for c, (z, _) in scores.items() if z <= scores[best][0] * (1 + tolerance)}
    else:
        best = min(scores, key=lambda c: (-scores[c][1], scores[c][0]))
        near = {c for c, (_, cov) in scores.items() if cov >= scores[best][1] * (1 - tolerance)}
    return best, near


@pytest.mark.parametrize("model", ["pmedian", "mclp"])
def test_siting_equals_brute_force_with_the_near_optimal_sets(chapter, model):
    """k = 1..3 on the real candidates: the chapter's optimum and near-optimal sets equal a plain enumeration."""
    _, r = chapter
    st = r.settings
    for k in range(1, r.k_max + 1):
        best, near = _brute_force(r.chain, model, k, st.radius_km, st.tolerance)
        sol = r.chain.solution(model, k)
        assert tuple(sol.new_sites) == best, (model, k)
        listed = r.chain.near_optimal.loc[(r.chain.near_optimal["model"] == model) & (r.chain.near_optimal["k_new"] == k)]
        assert set(map(tuple, listed["new_sites"])) == near, (model, k)
        assert listed["gap"].iloc[0] == 0 and (listed["gap"] <= st.tolerance + 1e-12).all()


def test_one_new_counter_is_noord_with_its_near_ties(chapter):
    """Weighted by expected visits (no index multiplier), the best single site is Te Zaanenkwartier (Noord), with near-ties."""
    _, r = chapter
    one = r.chain.solution("pmedian", 1)
    assert r.chain.site_names[one.new_sites[0]] == "Midden van Te Zaanenkwartier"
    served = r.served.loc[(r.served["model"] == "pmedian") & (r.served["k_new"] == 1)]
    assert served.iloc[0]["gebied"] == "Noord" and served.iloc[0]["aandeel"] > 0.9
    ties = r.near_optimal.loc[(r.near_optimal["model"] == "pmedian") & (r.near_optimal["k_new"] == 1)]
    assert len(ties) > 1 and "Midden van Meerwijk" not in set(ties["locaties"])
    assert r.scenarios.loc[(r.scenarios["model"] == "pmedian") & (r.scenarios["k_new"] == 1), "bijna_optimaal"].iloc[0] == len(ties)


def test_one_choice_rule_for_loads_service_areas_and_cost(chapter):
    """Loads and service areas come from the same rule and add up to the same totals; under the nearest rule no
    counter's visitors live nearer another counter."""
    s, r = chapter
    chain = r.chain
    assert s.params.keuzeregel == "dichtstbij" and r.settings.rule == choice.NEAREST
    for sol in chain.solutions:
        load = chain.counters.loc[(chain.counters["model"] == sol.model) & (chain.counters["k_new"] == sol.k_new)].set_index("site")
        assert load["bezoeken_per_jaar"].sum() == pytest.approx(chain.points["bezoeken"].sum())
        areas = chain.service_areas.loc[(chain.service_areas["model"] == sol.model) & (chain.service_areas["k_new"] == sol.k_new)]
        for site in sol.new_sites:
            assert areas.loc[areas["site"] == site, "bezoeken"].sum() == pytest.approx(load.loc[site, "bezoeken_per_jaar"])
        cons = choice.consistency(chain.shares(sol.open_sites), sol.assignment, demand=chain.points["bezoeken"], distance_km=chain.distance)
        assert (cons["aandeel_dichterbij_ander"] == 0).all() and cons.attrs["aandeel_niet_dichtstbij"] == 0
    # the other rule is shown beside it, and departs from "nearest"
    rules = set(r.sensitivity["regel"])
    assert {"dichtstbij", "zwaartekracht"} <= rules
    gravity = r.sensitivity.loc[r.sensitivity["regel"] == "zwaartekracht"]
    assert gravity["bezoeken"].sum() == pytest.approx(chain.points["bezoeken"].sum()) and gravity["aandeel_dichterbij_ander"].max() > 0


def test_gravity_rule_is_used_everywhere_when_chosen(tmp_path):
    s = pipeline.start("03", namespace={"keuzeregel": "zwaartekracht", "max_nieuwe_loketten": 1, "onzekerheid_trekkingen": 200,
                                        "uitvoer_map": str(tmp_path)})
    r = pipeline.counters.counters(s)
    chain = r.chain
    sol = chain.solution("pmedian", 1)
    assert r.settings.rule.kind == "gravity"
    load = chain.counters.loc[(chain.counters["model"] == "pmedian") & (chain.counters["k_new"] == 1)].set_index("site")
    shares = chain.shares(sol.open_sites)
    np.testing.assert_allclose(load.loc[list(shares.columns), "bezoeken_per_jaar"].to_numpy(),
                               (shares.mul(chain.points["bezoeken"], axis=0)).sum().to_numpy())
    areas = chain.service_areas.loc[(chain.service_areas["model"] == "pmedian") & (chain.service_areas["k_new"] == 1)]
    assert areas["bezoeken"].sum() == pytest.approx(load.loc[sol.new_sites[0], "bezoeken_per_jaar"])
    assert r.scenarios["aandeel_niet_dichtstbij"].max() > 0
    part = json.loads((tmp_path / "kerncijfers" / "03.json").read_text(encoding="utf-8"))
    assert part["onzekerheid"]["trekkingen"] == 200 and part["onzekerheid"]["trekkingen_locatiekeuze"] == 100


def test_chain_settings_are_read_by_name(chapter):
    s, r = chapter
    assert set(SETTING_PARAMETER) | {"rule_kind"} == {f.name for f in dataclasses.fields(ChainSettings)}
    for setting, parameter in SETTING_PARAMETER.items():
        assert getattr(r.settings, setting) == getattr(s.params, parameter), setting
    assert r.settings.rule_kind == RULE_KINDS[s.params.keuzeregel]
    with pytest.raises(TypeError):
        ChainSettings(1 / 3, 3, 1.5, 0.5, 20, 40, 10, 10, 0.8, 1.5, 400_000, 60)  # type: ignore[misc]
    ts = r.time.settings
    assert set(TIME_SETTING_PARAMETER) | {"reference_years", "service_minutes"} == {f.name for f in dataclasses.fields(TimeSettings)}
    for setting, parameter in TIME_SETTING_PARAMETER.items():
        assert getattr(ts, setting) == getattr(s.params, parameter), setting
    assert ts.reference_years == reference_years(s.params.referentiejaar) == (2019, 2020)
    assert dict(ts.service_minutes) == {"aanvraag": s.params.bedieningstijd_aanvraag_minuten,
                                        "afhalen": s.params.bedieningstijd_afhalen_minuten,
                                        "enkel": s.params.bedieningstijd_enkel_minuten}


def test_a_longer_service_time_changes_desks_not_visits(chapter, tmp_path):
    _, r = chapter
    s2 = pipeline.start("03", namespace={"bedieningstijd_minuten": 15.0, "uitvoer_map": str(tmp_path)})
    r2 = pipeline.counters.counters(s2)
    assert r2.settings.service_minutes == 15.0 and r2.settings.hourly_desk_cost == r.settings.hourly_desk_cost
    assert r2.demand.total == r.demand.total
    pd.testing.assert_series_equal(r2.desks["bezoeken_per_jaar"], r.desks["bezoeken_per_jaar"])
    assert (r2.desks["balies"] >= r.desks["balies"]).all() and (r2.desks["balies"] > r.desks["balies"]).any()
    pd.testing.assert_frame_equal(r2.time.scenarios, r.time.scenarios)  # the time model uses the service time per visit type


def test_distances_come_from_the_siting_result(chapter):
    s, r = chapter
    chain = r.chain
    assert len(chain.solutions) == 2 * (r.k_max + 1) == len(chain.scenarios)
    for sol, row in zip(chain.solutions, chain.scenarios.itertuples()):
        brute = chain.distance[sol.open_sites]
        np.testing.assert_array_equal(sol.distance_km.to_numpy(), brute.min(axis=1).to_numpy())
        assert sol.assignment.equals(brute.idxmin(axis=1).rename("loket"))
        within = brute.min(axis=1) <= r.settings.radius_km
        assert row.inwoners_binnen_afstand == pytest.approx(chain.points.loc[within, "inwoners"].sum())
        assert (sol.model, sol.k_new, tuple(sol.open_sites)) == (row.model, row.k_new, row.open_sites)
    existing = list(s.counters["loket_id"])
    layer = r.distance_map.set_index("code")
    per_buurt = chain.distance[existing].min(axis=1).groupby(chain.points["code"]).mean()
    np.testing.assert_allclose(layer.loc[per_buurt.index, "afstand_nu"].to_numpy(), per_buurt.to_numpy())
    best = chain.distance[chain.best.open_sites].min(axis=1).groupby(chain.points["code"]).mean()
    np.testing.assert_allclose(layer.loc[best.index, "afstand_na"].to_numpy(), best.to_numpy())
    # demand points: 5-20 per buurt, weights sum to the buurt totals
    pts = chain.points
    assert pts.groupby("code").size().between(1, 20).all()
    assert pts["bezoeken"].sum() == pytest.approx(r.demand.total)
    design = r.time.demand.table.loc[r.time.demand.table["jaar"] == s.params.beslisjaar, "bezoeken"].sum()
    assert pts["bezoeken_ontwerpjaar"].sum() == pytest.approx(design)


def test_comparison_covers_both_municipalities(chapter):
    _, r = chapter
    assert list(r.comparison["gemeente"]) == ["Haarlem", "Zandvoort"]
    haarlem, zandvoort = (row for _, row in r.comparison.iterrows())
    one = r.time.scenario("pmedian", 1)
    assert haarlem["kosten_per_bezoek_1_extra_laag"] == one["kosten_per_bezoek_laag"]
    assert haarlem["kosten_per_bezoek_1_extra_hoog"] == one["kosten_per_bezoek_hoog"]
    assert zandvoort["kosten_per_bezoek_1_extra_laag"] < zandvoort["kosten_per_bezoek_1_extra_hoog"]
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
    for fig in (report.counters.sites_map(r, s), report.counters.distance_maps(r, s), report.counters.demand_over_time_chart(r, s),
                report.counters.desks_over_time_chart(r), report.counters.cost_over_time_chart(r), report.counters.sobol_chart(r)):
        assert isinstance(fig, Figure) and fig.canvas.manager is None  # not pyplot: shows once
    assert "maximale dekking" in report.counters.scenarios_table(r).to_html()
    assert "bezoeken binnen 1,5 km" in report.counters.scenarios_table(r).to_html()
    assert "mclp" not in report.counters.cost_table(r).to_html()
    for shown in (report.counters.served_table(r), report.counters.desks_table(r), report.counters.sobol_table(r),
                  report.counters.comparison_table(r), report.counters.per_year_table(r)):
        assert "<table" in shown.to_html()
    text, table = report.counters.sensitivity_table(r)
    assert "dichtstbijzijnde loket" in text.data and "zwaartekrachtmodel" in table.to_html()
    near_text, near_table = report.counters.near_optimal_table(r)
    assert "Midden van Te Zaanenkwartier" in near_table.to_html() and "binnen 2%" in near_text.data
    summary = report.counters.summary(r, s).data
    assert "Midden van Te Zaanenkwartier" in summary and "Bijna even goed" in summary and "P10 tot P90" in summary
    assert "400.000" in report.counters.header(s, r).data
    assert len(report.counters.demand(r)) == 2 and len(report.counters.products(r, s)) == 3
    assert "Vervangingsgolf: voor" not in report.counters.products(r, s)[2].data  # the old 0-or-2 factor sentence is gone
    per_visit = r.uncertainty.interval("pmedian", 1, "kosten_per_bezoek")
    low, high = fmt.euro(round(per_visit.p10)), fmt.euro(round(per_visit.p90))
    text = report.counters.cost_text(r).data
    assert f"{low} tot {high}" in text and "P10 tot P90" in text
    assert f"{low} tot {high}" in report.counters.cost_table(r).to_html()
    assert "piekjaar 2026" in report.counters.demand_over_time_text(r).data
    assert "juni" in report.counters.desks_table(r).to_html()
    assert "telt" in report.counters.sobol_text(r).data and "Rekentijd" in report.counters.uncertainty_text(r).data


def test_step_seconds_are_written_for_make_bench(chapter):
    s, r = chapter
    from decentraal.run.bench import step_seconds

    steps = step_seconds(s.out.root)
    for step in ("vraag_per_jaar", "locatiekeuze", "balies_per_maand_en_jaar", "kosten_per_jaar", "monte_carlo",
                 "locatiekeuze_per_trekking", "sobol"):
        assert 0 <= steps[f"03 {step}"] < 60, step
    assert steps["03 monte_carlo"] == pytest.approx(r.seconds["monte_carlo"], abs=0.01)


def test_no_stale_static_cost_remains(chapter):
    """The one-year static cost (EUR 774,400; EUR 40.19 per visit) is gone from every table and text."""
    s, r = chapter
    for name in TABLES:
        text = (s.out.root / "tables" / f"{name}.csv").read_text(encoding="utf-8")
        assert "774400" not in text and "40.19" not in text, name
    assert "annual_cost_eur" not in r.scenarios and "cost_per_visit_eur" not in r.scenarios
    shown = report.counters.summary(r, s).data + report.counters.cost_text(r).data + report.counters.cost_table(r).to_html()
    assert "774.400" not in shown and "40,19" not in shown


# --------------------------------------------------------------------------- uncertainty
def test_monte_carlo_is_reproducible_and_spreads(chapter):
    s, r = chapter
    u = r.uncertainty
    assert u.n == s.params.onzekerheid_trekkingen >= 2000 and u.seed == s.params.seed
    ranges = chapter03.assumption_ranges(s.base, s.params)
    assert set(ranges) <= set(u.draws.columns) and "vaste_kosten_omvat_personeel" in u.draws
    assert 0.4 < u.draws["vaste_kosten_omvat_personeel"].mean() < 0.6
    ts = r.time.settings
    again = chapter03.uncertainty_analysis(r.chain, r.time, r.settings, ts, ranges, n=300, seed=s.params.seed)
    once_more = chapter03.uncertainty_analysis(r.chain, r.time, r.settings, ts, ranges, n=300, seed=s.params.seed)
    pd.testing.assert_frame_equal(again.outputs, once_more.outputs)
    pd.testing.assert_frame_equal(again.kans, once_more.kans)
    other = chapter03.uncertainty_analysis(r.chain, r.time, r.settings, ts, ranges, n=300, seed=s.params.seed + 1)
    assert not np.allclose(other.outputs["extra_kosten"], again.outputs["extra_kosten"])
    for k in range(1, r.k_max + 1):
        for column in ("kosten_per_bezoek", "bezoeken_nieuw", "extra_kosten"):
            iv = u.interval("pmedian", k, column)
            assert iv.p10 < iv.p50 < iv.p90, (k, column)
    # at the defaults the fast propagation reproduces the detailed model (both readings)
    x = pd.DataFrame([{name: mode for name, (_, _, mode) in ranges.items()}] * 2).assign(spreiding_bezoekcijfer_buurt=0.0)
    prep = chapter03._prepare(r.chain, r.time, r.settings, ts)
    out = chapter03.propagate(prep, x, np.zeros((2, len(prep.codes))), np.array([True, False]))
    j = next(i for i, sc in enumerate(prep.scenarios) if sc.model == "pmedian" and sc.k_new == 1)
    row = r.time.scenario("pmedian", 1)
    assert out["extra_kosten"][:, j] == pytest.approx([row["extra_kosten_laag"], row["extra_kosten_hoog"]], rel=1e-9)
    assert out["bezoeken_nieuw"][0, j] == pytest.approx(row["bezoeken_nieuw"], rel=1e-9)


def test_kans_beste_keuze_sums_to_one_per_model_and_k(chapter):
    _, r = chapter
    kans = r.uncertainty.kans
    assert kans["share"].between(0, 1).all()
    sums = kans.groupby(["model", "k_new"])["share"].sum()
    assert np.allclose(sums.to_numpy(), 1.0) and set(sums.index) == {(m, k) for m in ("mclp", "pmedian") for k in range(1, r.k_max + 1)}
    assert (kans.groupby(["model", "k_new"])["trekkingen"].first() == r.uncertainty.n).all()
    for sol in r.chain.solutions:
        assert 0 <= r.uncertainty.chance(sol.model, sol.k_new, sol.new_sites) <= 1


def test_sobol_table_has_every_assumption(chapter):
    s, r = chapter
    sob = r.uncertainty.sobol
    ranges = chapter03.assumption_ranges(s.base, s.params)
    assert set(sob["parameter"]) == set(ranges) | {"vaste_kosten_omvat_personeel"}
    assert {"afstandsverval_beta", "urenelasticiteit_gamma", "productaandeel_nieuw", "uurkosten_balie"} <= set(ranges)
    assert sob["ST"].is_monotonic_decreasing and r.uncertainty.most_important == sob["parameter"].iloc[0]
    assert r.seconds["monte_carlo"] < 10 and r.seconds["siting"] < 10


# --------------------------------------------------------------------------- demand, desks and cost over time
def test_demand_over_time_is_anchored_to_one_visit_per_three_inhabitants(chapter):
    _, r = chapter
    d = r.time.demand
    assert d.reference_years == (2019, 2020) and d.source == "bevolking"
    assert d.per_year[[2019, 2020]].mean() == pytest.approx(r.demand.inhabitants / 3, rel=1e-9)
    assert d.reference_level == pytest.approx(r.demand.total, rel=1e-9) == pytest.approx(d.level, rel=1e-9)
    assert d.model_years == list(range(2019, 2036)) and d.years == tuple(range(2020, 2036))
    series = d.per_year.loc[2020:2035]
    assert 2019 <= series.idxmin() <= 2023 and 2024 <= series.idxmax() <= 2028
    ext = d.extremes()
    assert ext["dal"][0] in range(2019, 2024) and ext["piek"][0] in range(2024, 2029) and ext["volgend dal"][0] >= 2029
    assert ext["dal"][1] < ext["volgend dal"][1] < ext["piek"][1]
    table = r.time.demand_table()
    assert table.groupby("jaar")["bezoeken"].sum().to_dict() == pytest.approx(d.per_year.to_dict())
    travel = d.per_type.loc[2026, "reisdocument"]
    assert travel["aanvraag"] == pytest.approx(travel["afhalen"])  # every document: an application and a collection


def test_visits_per_counter_add_up_to_the_demand_of_each_year(chapter):
    _, r = chapter
    c = r.time.capacity
    per_year = r.time.demand.per_year
    for (model, k, year), part in c.groupby(["model", "k_new", "jaar"]):
        assert part["bezoeken"].sum() == pytest.approx(per_year[year], rel=1e-9), (model, k, year)
    months = r.time.monthly
    summed = months.groupby(["model", "k_new", "site", "jaar"])[["bezoeken", "baliuren"]].sum()
    again = c.set_index(["model", "k_new", "site", "jaar"])[["bezoeken", "baliuren_per_jaar"]]
    np.testing.assert_allclose(summed.loc[again.index].to_numpy(), again.to_numpy(), rtol=1e-12)


def test_desks_in_the_peak_month_cover_every_month_and_the_trough(chapter):
    _, r = chapter
    c, months = r.time.capacity, r.time.monthly
    most = months.groupby(["model", "k_new", "site", "jaar"])["balies"].max()
    peak = c.set_index(["model", "k_new", "site", "jaar"])["balies"]
    assert (peak.loc[most.index] >= most).all()
    assert (c["piekmaand"] == 6).all()  # the travel-document profile peaks in June
    trough, top = r.time.demand.extremes()["dal"][0], r.time.demand.extremes()["piek"][0]
    for (model, k, site), part in c.groupby(["model", "k_new", "site"]):
        by_year = part.set_index("jaar")["balies"]
        assert by_year[top] >= by_year[trough], (model, k, site)
    now = c.loc[(c["model"] == "pmedian") & (c["k_new"] == 0)].set_index("jaar")
    assert now.loc[top, "balies"] > now.loc[trough, "balies"]
    # one month by hand: desk-hours = appointment desks x appointment hours + walk-in desks x walk-in hours
    row = months.loc[(months["model"] == "pmedian") & (months["k_new"] == 1) & (months["jaar"] == 2026) & (months["maand"] == 6)
                     & ~months["nieuw"]].iloc[0]
    assert row["baliuren"] == pytest.approx(row["balies_afspraak"] * row["uren_afspraak"] + row["balies_inloop"] * row["uren_inloop"])
    assert row["uren_inloop"] / (row["uren_afspraak"] + row["uren_inloop"]) == pytest.approx(10 / 40)
    assert row["balies_afspraak"] >= row["balies_werklast"] >= 1 and row["balies"] == max(row["balies_afspraak"], row["balies_inloop"])


def test_system_cost_by_hand_equals_the_chain(chapter):
    s, r = chapter
    p, chain, t = s.params, r.chain, r.time
    c = t.capacity.loc[(t.capacity["model"] == "pmedian") & (t.capacity["jaar"] == p.beslisjaar)]
    before = c.loc[(c["k_new"] == 0) & ~c["nieuw"], "baliuren_per_jaar"].sum()
    after = c.loc[(c["k_new"] == 1) & ~c["nieuw"], "baliuren_per_jaar"].sum()
    district = c.loc[(c["k_new"] == 1) & c["nieuw"], "baliuren_per_jaar"].sum()
    visits = c.loc[(c["k_new"] == 1) & c["nieuw"], "bezoeken"].sum()
    includes = p.vaste_kosten_per_loket - (before - after) * p.uurkosten_balie
    on_top = includes + district * p.uurkosten_balie
    rows = t.costs.loc[(t.costs["model"] == "pmedian") & (t.costs["k_new"] == 1) & (t.costs["jaar"] == p.beslisjaar)]
    got = rows.set_index("omvat_personeel")
    assert got.loc[True, "incremental_cost_eur"] == pytest.approx(includes)
    assert got.loc[False, "incremental_cost_eur"] == pytest.approx(on_top)
    assert got.loc[True, "net_cost_per_visit_eur"] == pytest.approx(includes / visits)
    assert got.loc[False, "net_cost_per_visit_eur"] == pytest.approx(on_top / visits)
    # travel: flows under the rule (nearest: each demand point to its nearest counter) against the distance before
    sol = chain.solution("pmedian", 1)
    shares = chain.shares(sol.open_sites)
    table = t.demand.table.loc[t.demand.table["jaar"] == p.beslisjaar].groupby("code")["bezoeken"].sum()
    v = chain.points["code"].map(table) / chain.points["n_punten"]
    existing = chain.distance[chain.now.open_sites[0]]
    new = chain.distance[sol.new_sites[0]]
    closer = (v * shares[sol.new_sites[0]])[new < existing].sum()
    km = (v * (existing - (shares * chain.distance[sol.open_sites]).sum(axis=1))).sum()
    assert got.loc[True, "visits_closer"] == pytest.approx(closer) and got.loc[True, "km_saved"] == pytest.approx(km)
    # the summary per scenario: means over beslisjaar .. horizon_eind, cost per visit a ratio of sums
    years = t.costs.loc[(t.costs["model"] == "pmedian") & (t.costs["k_new"] == 1) & (t.costs["jaar"] >= p.beslisjaar)]
    low = years.loc[years["omvat_personeel"]]
    row = t.scenario("pmedian", 1)
    assert row["extra_kosten_laag"] == pytest.approx(low["incremental_cost_eur"].mean())
    assert row["kosten_per_bezoek_laag"] == pytest.approx(low["incremental_cost_eur"].sum() / low["visits_new_counters"].sum())
    assert row["kosten_per_bezoek_laag"] < row["kosten_per_bezoek_hoog"]
    assert row["extra_kosten_gekozen"] == (row["extra_kosten_laag"] if p.vaste_kosten_omvat_personeel else row["extra_kosten_hoog"])
    zero = t.costs.loc[t.costs["k_new"] == 0, "incremental_cost_eur"]
    assert (zero == 0).all()


def test_kerncijfers_part_is_valid_json_with_the_agreed_fields(chapter):
    s, r = chapter
    part = json.loads((s.out.root / "kerncijfers" / "03.json").read_text(encoding="utf-8"))
    assert part["gemeente"] == "GM0392" and part["gemeentenaam"] == "Haarlem" and part["referentiejaar"] == [2019, 2020]
    assert [row["jaar"] for row in part["vraag_per_jaar"]] == list(range(2020, 2036))
    first = part["vraag_per_jaar"][0]["bezoeken"]
    assert first["p10"] <= first["p50"] <= first["p90"] and first["p50"] == pytest.approx(r.time.demand.per_year[2020], rel=0.01)
    assert [(x["model"], x["nieuwe_loketten"]) for x in part["scenarios"]] == [(sol.model, sol.k_new) for sol in r.chain.solutions]
    u = r.uncertainty
    for item in part["scenarios"]:
        assert set(item) >= {"model", "nieuwe_loketten", "locaties", "bezoeken_nieuwe_loketten_per_jaar", "extra_kosten_per_jaar_eur",
                             "kosten_per_bezoek_eur", "gemiddelde_afstand_km", "kans_beste_keuze", "bijna_even_goed"}
        assert len(item["locaties"]) == item["nieuwe_loketten"] and 0 <= item["kans_beste_keuze"] <= 1
        assert set(item["gemiddelde_afstand_km"]) == {"inwoners", "65plus"}
        if item["nieuwe_loketten"] == 0:
            assert item["kosten_per_bezoek_eur"] is None and item["extra_kosten_per_jaar_eur"]["p90"] == 0
            assert item["kans_beste_keuze"] == 1.0
        else:
            iv = item["kosten_per_bezoek_eur"]
            assert iv == u.interval(item["model"], item["nieuwe_loketten"], "kosten_per_bezoek").as_dict()
            assert iv["p10"] < iv["p50"] < iv["p90"]
            assert all(0 < alt["verschil"] <= s.params.tolerantie_bijna_optimaal for alt in item["bijna_even_goed"])
    one = next(x for x in part["scenarios"] if x["model"] == "pmedian" and x["nieuwe_loketten"] == 1)
    assert one["locaties"] == ["Midden van Te Zaanenkwartier"] and len(one["bijna_even_goed"]) >= 1
    assert part["onzekerheid"] == {"trekkingen": u.n, "seed": s.params.seed, "belangrijkste_aanname": u.most_important,
                                   "trekkingen_locatiekeuze": u.n}
    merged = {"schema_versie": run_summary.SCHEMA_VERSION, "run_id": "test", "hoogste_belemmering": [], **part}
    assert run_summary.validate(merged) is merged


def test_reference_period_parameter():
    assert reference_years("2019-2020") == (2019, 2020) and reference_years("2020") == (2020,)
    for bad in ("2020-2019", "19-20", "2019/2020", ""):
        with pytest.raises(ValueError):
            reference_years(bad)
    with pytest.raises(ParameterError, match="referentiejaar"):
        pipeline.start("03", namespace={"referentiejaar": "2021-2019"})
    with pytest.raises(ParameterError, match="shorter than 16 years"):
        pipeline.start("03", namespace={"horizon_eind": 2030})


def test_observed_visits_are_fitted_and_labelled_synthetic(tmp_path):
    """SYNTHETIC visit file (tests/data/synthetic, labelled): the GLM path of the chapter."""
    s = pipeline.start("03", namespace={"vraagbron": "waarnemingen", "bezoeken_bestand": str(FIXTURE),
                                        "glm_familie": "poisson", "max_nieuwe_loketten": 1, "uitvoer_map": str(tmp_path)})
    r = pipeline.counters.counters(s)
    assert r.demand.synthetic and r.demand.observed is not None and r.demand.observed.level == "wijk"
    assert r.demand.total == pytest.approx(r.demand.inhabitants / 3, rel=0.05)
    # demand over time: the fitted rates keep their level in the visit file's years and follow the renewal wave
    assert r.time.demand.source == "waarnemingen" and r.time.demand.reference_years == (2022, 2023)
    assert r.time.demand.reference_level == pytest.approx(r.demand.total, rel=1e-9)
    assert r.time.demand.per_year[2026] > r.time.demand.per_year[2022]
    assert json.loads((tmp_path / "kerncijfers" / "03.json").read_text(encoding="utf-8"))["synthetisch"] is True
    assert report.counters.demand_source(r).startswith("geschat poisson-model")
    shown = report.counters.demand(r)
    assert len(shown) == 5 and "Overdispersietoets" in shown[2].data
    assert "SYNTHETISCHE" in report.counters.header(s, r).data


def test_residents_65plus_enter_as_a_coverage_constraint(tmp_path):
    """min_dekking_65plus: only sets that bring that share of the residents 65+ within reach; unreachable k say so."""
    s = pipeline.start("03", namespace={"min_dekking_65plus": 0.85, "onzekerheid_trekkingen": 200, "uitvoer_map": str(tmp_path)})
    r = pipeline.counters.counters(s)
    chain = r.chain
    older = chain.points["inwoners_65plus"]
    for sol in chain.solutions:
        if sol.k_new == 0:
            continue
        share = older[chain.distance[sol.open_sites].min(axis=1) <= r.settings.radius_km].sum() / older.sum()
        assert (share >= 0.85) or "not reachable" in sol.status, (sol.model, sol.k_new)
    assert any("not reachable" not in sol.status for sol in chain.solutions if sol.k_new == 3)
