"""Chapter 04 (service norms of the contact centre) on the shipped data with the base.yaml defaults."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from decentraal import pipeline, report
from decentraal.io import summary as run_summary
from decentraal.pipeline import servicenorms as chapter04
from decentraal.pipeline.servicenorms import CHANNELS, SCENARIOS, NormSettings

SYNTHETIC = Path(__file__).parents[1] / "data" / "synthetic"
CONTACTS = SYNTHETIC / "contacten_SYNTHETISCH_haarlem_zandvoort.csv"
STAFFING = SYNTHETIC / "bezetting_SYNTHETISCH_haarlem_zandvoort.csv"
REQUIRED = ["gemeente", "kanaal", "jaar", "scenario", "norm", "aandeel_binnen_norm", "fte_nodig"]


@pytest.fixture(scope="module")
def chapter():
    s = pipeline.start("04", namespace={})
    return s, pipeline.servicenorms.servicenorms(s)


def test_table_has_one_row_per_municipality_channel_year_scenario(chapter):
    s, r = chapter
    t = r.table
    assert set(REQUIRED) <= set(t.columns)
    years = list(range(s.params.horizon_begin, s.params.servicenormen_jaar_eind + 1))
    assert len(t) == 2 * len(CHANNELS) * len(years) * len(SCENARIOS)
    assert not t.duplicated(["gemeente", "kanaal", "jaar", "scenario"]).any()
    assert set(t["gemeente"]) == {"GM0392", "GM0473"} and set(t["kanaal"]) == set(CHANNELS)
    assert t["aandeel_binnen_norm"].between(0, 1).all() and (t["fte_nodig"] >= 0).all()
    assert (t["norm"].str.len() > 10).all()
    written = pd.read_csv(s.out.root / "tables" / "04_servicenormen.csv")
    assert len(written) == len(t)


def test_expansion_never_lowers_attainment(chapter):
    _, r = chapter
    wide = r.table.pivot_table(index=["gemeente", "kanaal", "jaar"], columns="scenario", values="aandeel_binnen_norm")
    assert (wide["uitbreiding"] >= wide["huidige_capaciteit"] - 1e-9).all()


def test_the_peak_lowers_attainment_with_constant_capacity(chapter):
    """Constant capacity, more demand: the peak year is never better than the reference year."""
    s, r = chapter
    ref = r.settings.reference_years[-1]
    now = r.table.loc[r.table["scenario"] == SCENARIOS[0]].set_index(["gemeente", "kanaal", "jaar"])["aandeel_binnen_norm"]
    for code in ("GM0392", "GM0473"):
        for channel in CHANNELS:
            assert now[(code, channel, r.peak_year)] <= now[(code, channel, ref)] + 1e-9
    assert 2024 <= r.peak_year <= 2028  # NVVB: the peak runs 2024-2028


def test_reference_volumes_equal_inhabitants_times_rate(chapter):
    """Haarlem's phone and e-mail contacts in the reference period: inhabitants x rate (Haarlem is the reference)."""
    _, r = chapter
    m = r.municipalities["GM0392"]
    ns = r.settings
    ref = m.volumes.loc[m.volumes.index.year.isin(ns.reference_years)]
    per_year = ref[["telefoon", "email"]].sum() / len(ns.reference_years)
    assert per_year["telefoon"] == pytest.approx(m.inhabitants * ns.phone_rate)
    assert per_year["email"] == pytest.approx(m.inhabitants * ns.email_rate)
    z = r.municipalities["GM0473"]
    ref_z = z.volumes.loc[z.volumes.index.year.isin(ns.reference_years)]
    factor = (1 - ns.digital["GM0473"]) / (1 - ns.digital["GM0392"])
    assert ref_z["telefoon"].sum() / len(ns.reference_years) == pytest.approx(z.inhabitants * ns.phone_rate * factor)


def test_more_demand_never_raises_attainment_with_fixed_staff(chapter):
    """Monotonicity: the municipality's staffing file fixes capacity; raising the phone rate lowers the share."""
    s, _ = chapter
    own = chapter04.contact_files.read_staffing(STAFFING)
    ns = NormSettings.from_params(s.params)
    people, visits = 10_000.0, None
    from decentraal.pipeline import common
    layers, _ = common.safe_layers(s.layers_all, "GM0473", s.params.onthulling_drempel)
    visits = chapter04.counter_visits_for(layers, ns, chapter04.TimeSettings.from_params(s.params))
    people = float(layers["buurt"]["inwoners"].fillna(0).sum())
    shares = []
    for rate in (0.5, 1.0, 2.0):
        q = s.params.model_copy(update={"telefoon_contacten_per_inwoner_per_jaar": rate, "email_contacten_per_inwoner_per_jaar": rate / 3})
        nq = NormSettings.from_params(q)
        t = chapter04.municipality("GM0473", people, visits, nq, own_staffing=own, years=(2026,), scenarios=SCENARIOS[:1],
                                   with_needs=False).table.set_index("kanaal")["aandeel_binnen_norm"]
        shares.append(t)
    for channel in ("telefoon", "email"):
        assert shares[0][channel] >= shares[1][channel] >= shares[2][channel]


def test_own_files_replace_model_and_mark_synthetic():
    s = pipeline.start("04", namespace={"contacten_bestand": str(CONTACTS), "bezetting_bestand": str(STAFFING)})
    r = pipeline.servicenorms.servicenorms(s)
    assert r.synthetic
    assert set(r.table["bron_volume"]) == {"bestand"}
    assert r.table.loc[r.table["scenario"] == SCENARIOS[0], "bron_capaciteit"].str.contains("bezettingsbestand").all()
    own = pd.read_csv(STAFFING)
    jan = own.loc[(own["gemeente"] == "GM0392") & (own["kanaal"] == "telefoon") & (own["jaar"] == 2026)]["fte"].mean()
    t = r.table.set_index(["gemeente", "kanaal", "jaar", "scenario"])
    assert t.loc[("GM0392", "telefoon", 2026, SCENARIOS[0]), "fte_beschikbaar"] == pytest.approx(jan)
    text = report.servicenorms.summary(r, s).data
    assert "SYNTHETISCH" in text.upper()


def test_kerncijfers_part_validates(chapter, tmp_path):
    s, r = chapter
    part = json.loads(json.dumps(chapter04.kerncijfers(r)))  # as written (plain JSON)
    assert part["piekjaar"] == r.peak_year
    assert {g["gemeente"] for g in part["gemeenten"]} == {"GM0392", "GM0473"}
    for g in part["gemeenten"]:
        for c in g["kanalen"]:
            b = c["aandeel_binnen_norm_piekjaar_bereik"]
            assert b["laag"] <= b["standaard"] <= b["hoog"]
    schema = run_summary.schema()
    import jsonschema
    jsonschema.validate({"servicenormen": part}, {**schema, "required": []})


def test_sensitivity_names_the_assumption_that_matters_most(chapter):
    s, r = chapter
    ranged = {k for k, e in s.base.items() if e["groep"] == "servicenormen" and "bereik" in e} - {"uitbreiding_aandeel"}
    assert set(r.sensitivity["parameter"]) == ranged
    assert r.most_important() in ranged
    assert (r.sensitivity["spreiding"] >= 0).all()


def test_report_functions_render(chapter):
    s, r = chapter
    assert report.servicenorms.check_line(r).startswith("telefoon binnen norm GM0392")
    for fn in (report.servicenorms.norms_table, report.servicenorms.year_table, report.servicenorms.wait_table,
               report.servicenorms.sensitivity_table):
        html = fn(r)._repr_html_()
        assert "Tabel" in html
    for fn in (report.servicenorms.volumes_chart, report.servicenorms.attainment_chart, report.servicenorms.monthly_chart):
        fig = fn(r)
        text = getattr(fig, report.figures.FIGURE_TEXT)
        assert text["alt"] and "Haarlem" in text["alt"]
    assert "Zandvoort" in report.servicenorms.equal_treatment(r, s).data
    assert np.isfinite(r.table["fte_beschikbaar"]).all()


def test_phone_seat_search_equals_the_method(chapter):
    """The chapter's faster search from the offered load gives the same seats as ``agents_for_norm``."""
    s, r = chapter
    ns = r.settings
    from decentraal.methods import servicenorms as norms
    for calls in np.linspace(50, 40_000, 40):
        for hours in (150.0, 184.0):
            assert chapter04.phone_agents_needed(calls, hours, ns) == norms.agents_for_norm(
                calls / hours, ns.phone_minutes, ns.patience_minutes, ns.phone_norm_seconds, ns.target_share)
