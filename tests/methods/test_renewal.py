"""Tests for decentraal.methods.renewal (demand over time: the travel-document renewal wave).

Published targets are typed in here from data/FACTS.md rather than imported from the module, so
a change of the module's constants cannot make the tests agree with themselves. Age-count
fixtures are SYNTHETIC (made up for the test), not Haarlem data.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from decentraal.errors import DataError, ParameterError
from decentraal.methods.demand import renewal_wave_factor
from decentraal.methods.renewal import (
    AGE_GROUP_COLUMNS,
    RenewalAssumptions,
    age_groups_from_kwb,
    anchor_to_rate,
    demand_from_groups,
    demand_over_time,
    monthly_profile,
    monthly_visits,
    national_check,
)

# FACTS.md: 2023 about 1.0 M passports + 0.6 M ID cards; 2024 forecast 1.6-1.7 M + 1.2-1.3 M.
RATIO_LOW, RATIO_HIGH = (1.6 + 1.2) / (1.0 + 0.6), (1.7 + 1.3) / (1.0 + 0.6)
# FACTS.md (NVVB): "ruim 75% minder aanvragen" in 2019-2023 for adult documents otherwise renewed.
DIP_AT_LEAST = 0.75


def _kwb() -> pd.DataFrame:
    """SYNTHETIC KWB-style counts for four areas (one without residents)."""
    return pd.DataFrame(
        {
            "inwoners": [2400.0, 1200.0, 3100.0, 0.0],
            "inwoners_0_14": [420.0, 90.0, 610.0, 0.0],
            "inwoners_65plus": [300.0, 480.0, 350.0, 0.0],
        },
        index=pd.Index(["BU0001", "BU0002", "BU0003", "BU0004"], name="code"),
    )


@pytest.fixture(scope="module")
def national() -> dict:
    return national_check()


@pytest.fixture(scope="module")
def result():
    return demand_over_time(_kwb())


# --------------------------------------------------------------------------- national calibration


def test_ratio_2024_2023_within_published_range(national) -> None:
    assert RATIO_LOW <= national["ratio_2024_2023"] <= RATIO_HIGH


def test_adult_renewal_dip_is_deeper_than_75_percent(national) -> None:
    # against the 10-year steady state (stricter) and against what the 5-year rule would have given
    assert national["dip_2019_2023"] > DIP_AT_LEAST
    assert national["dip_2019_2023_vs_old_rule"] > national["dip_2019_2023"]


def test_national_wave_timing_matches_nvvb_and_rvig(national) -> None:
    docs = pd.Series(national["documents_per_year"])
    dip, peak, next_dip = docs.loc[2019:2023], docs.loc[2024:2028], docs.loc[2029:2033]
    assert dip.max() < peak.min(), "every dip year 2019-2023 is below every peak year 2024-2028"
    assert docs.loc[2014:2018].min() > dip.max(), "2014-2018 (last 5-year documents) above the dip"
    assert next_dip.mean() < peak.mean(), "the dip repeats after 2029 (NVVB)"
    assert next_dip.mean() > dip.mean(), "and is shallower: the cycle damps out"


def test_more_early_renewals_lower_the_2024_2023_ratio() -> None:
    low = national_check(RenewalAssumptions(share_early=0.05))["ratio_2024_2023"]
    high = national_check(RenewalAssumptions(share_early=0.25))["ratio_2024_2023"]
    assert high < low


def test_pure_cohort_limit_reproduces_renewal_wave_factor() -> None:
    """No exits, no timing spread, no first issues: adult renewals follow the 0/2 block pattern."""
    pure = RenewalAssumptions(share_early=0.0, share_late=0.0, non_renewal=0.0, lost_rate=0.0)
    groups = pd.DataFrame({c: [0.0] for c in AGE_GROUP_COLUMNS}, index=["X"]).assign(volwassen_18_74=1000.0)
    res = demand_from_groups(groups, range(2010, 2036), pure)
    per_holder = res.documents[("reisdocument", "vernieuwing volwassene")] / (1000.0 * pure.uptake_adult)
    steady = 1 / 10
    for year in [*range(2010, 2014), *range(2015, 2019), *range(2020, 2024), *range(2025, 2029), *range(2030, 2034)]:
        assert per_holder[year] == pytest.approx(renewal_wave_factor(year) * steady, abs=1e-12), year
    # the change on 9 March splits 2014's issues: 67/365 of them expire in 2019, the rest in 2024
    assert per_holder[2019] == pytest.approx(2 * steady * 67 / 365)
    assert per_holder[2024] == pytest.approx(2 * steady * (1 - 67 / 365))


def test_early_renewals_fall_in_the_year_before_expiry_and_late_ones_after() -> None:
    timed = RenewalAssumptions(share_early=0.2, share_late=0.1, non_renewal=0.0, lost_rate=0.0)
    groups = pd.DataFrame({c: [0.0] for c in AGE_GROUP_COLUMNS}, index=["X"]).assign(volwassen_18_74=1000.0)
    res = demand_from_groups(groups, range(2019, 2026), timed)
    per_holder = res.documents[("reisdocument", "vernieuwing volwassene")] / (1000.0 * timed.uptake_adult)
    issued_2014 = 1 / 5  # the 5-year steady state, no exits
    expiring_2019, expiring_2024 = issued_2014 * 67 / 365, issued_2014 * (1 - 67 / 365)
    assert per_holder[2020] == pytest.approx(0.1 * expiring_2019), "late renewals of 2019's expiries"
    assert per_holder[2021] == pytest.approx(0.0, abs=1e-12)
    assert per_holder[2023] == pytest.approx(0.2 * expiring_2024), "early renewals of 2024's expiries"


def test_steady_state_before_2014() -> None:
    res = demand_over_time(_kwb(), range(2005, 2015))
    travel = res.totals["reisdocument"].sum(axis=1)
    assert np.allclose(travel.loc[2005:2014], travel[2005], rtol=1e-12)


# --------------------------------------------------------------------------- anchoring


@pytest.mark.parametrize("reference", [(2019, 2020), (2020,), (2019,)])
def test_anchored_level_equals_inhabitants_over_three(result, reference) -> None:
    kwb = _kwb()
    anchored = anchor_to_rate(result, kwb["inwoners"], reference_years=reference)
    mean_visits = anchored.per_year[list(reference)].mean()
    assert mean_visits == pytest.approx(kwb["inwoners"].sum() / 3, rel=1e-9)
    # the long table agrees with the totals
    table_mean = anchored.table[anchored.table["jaar"].isin(reference)]["bezoeken"].sum() / len(reference)
    assert table_mean == pytest.approx(kwb["inwoners"].sum() / 3, rel=1e-9)


def test_anchoring_keeps_the_shape_and_can_count_applications_only(result) -> None:
    kwb = _kwb()
    anchored = anchor_to_rate(result, kwb["inwoners"])
    ratio = anchored.table["bezoeken"] / result.table["bezoeken"]
    assert np.allclose(ratio.dropna(), anchored.anchor_factor)
    apps_only = anchor_to_rate(result, kwb["inwoners"], visit_types=("aanvraag", "enkel"))
    cols = [c for c in apps_only.totals.columns if c[1] in ("aanvraag", "enkel")]
    assert apps_only.totals.loc[[2019, 2020], cols].to_numpy().sum() / 2 == pytest.approx(kwb["inwoners"].sum() / 3, rel=1e-9)
    assert apps_only.anchor_factor > anchored.anchor_factor


def test_anchoring_checks_its_arguments(result) -> None:
    pop = _kwb()["inwoners"]
    with pytest.raises(ParameterError, match="reference_years"):
        anchor_to_rate(result, pop, reference_years=(2017,))
    with pytest.raises(ParameterError, match="rate"):
        anchor_to_rate(result, pop, rate=0)
    with pytest.raises(ParameterError, match="visit_types"):
        anchor_to_rate(result, pop, visit_types=("loket",))
    with pytest.raises(DataError, match="population"):
        anchor_to_rate(result, pop * -1)


# --------------------------------------------------------------------------- shape of the result


def test_no_year_has_zero_demand(result) -> None:
    assert (result.per_year > 0).all()
    for year in result.years:
        per_area = result.per_area(year)
        assert (per_area[["BU0001", "BU0002", "BU0003"]] > 0).all(), year
        assert per_area["BU0004"] == 0  # no residents, no visits


def test_no_year_has_zero_demand_even_in_the_pure_cohort_dip() -> None:
    pure = RenewalAssumptions(share_early=0.0, share_late=0.0, non_renewal=0.0, lost_rate=0.0)
    res = demand_over_time(_kwb(), assumptions=pure)
    assert res.documents.loc[2021, ("reisdocument", "vernieuwing volwassene")] == pytest.approx(0.0, abs=1e-9)
    assert (res.per_year > 0).all(), "minors, first issues, licences and other products remain"


def test_visit_types_are_conserved(result) -> None:
    t = result.table
    docs = t[t["product"] != "overig"].pivot_table(
        index=["code", "jaar", "product", "onderdeel"], columns="bezoektype", values="bezoeken", aggfunc="sum"
    )
    assert np.allclose(docs["aanvraag"], docs["afhalen"], rtol=1e-12, atol=0), "every application has a collection"
    assert set(t.loc[t["product"] == "overig", "bezoektype"]) == {"enkel"}
    # totals per year = long table summed; documents = application visits x documents per visit
    by_year = t.groupby("jaar")["bezoeken"].sum()
    assert np.allclose(by_year.to_numpy(), result.per_year.to_numpy(), rtol=1e-12)
    apps = result.totals[("reisdocument", "aanvraag")]
    assert np.allclose(apps, result.documents["reisdocument"].sum(axis=1) / result.assumptions.documents_per_visit)


def test_collection_share_and_documents_per_visit_change_visits_not_documents() -> None:
    base = demand_over_time(_kwb())
    other = demand_over_time(_kwb(), assumptions=RenewalAssumptions(collection_share=0.8, documents_per_visit=1.25))
    pd.testing.assert_frame_equal(base.documents, other.documents)
    travel = other.totals["reisdocument"]
    assert np.allclose(travel["afhalen"], 0.8 * travel["aanvraag"])
    assert np.allclose(travel["aanvraag"] * 1.25, base.totals[("reisdocument", "aanvraag")])


def test_other_products_are_their_steady_share() -> None:
    a = RenewalAssumptions(other_share=0.2)
    res = demand_over_time(_kwb(), range(2019, 2101), a)
    other = res.totals[("overig", "enkel")]
    assert np.allclose(other, other.iloc[0]), "other products do not follow the wave"
    share = other / res.per_year
    assert share[2026] < 0.2 < share[2021], "below its steady share in the peak, above it in the dip"
    assert share.loc[2091:2100].mean() == pytest.approx(0.2, abs=0.002), "the steady share once the wave has damped"
    # without adults there is no wave at all, so the share holds exactly in every year
    minors_only = pd.DataFrame({c: [0.0] for c in AGE_GROUP_COLUMNS}, index=["X"]).assign(minderjarig=500.0)
    flat = demand_from_groups(minors_only, range(2019, 2036), a)
    assert np.allclose(flat.totals[("overig", "enkel")] / flat.per_year, 0.2)


def test_the_wave_damps_out_over_decades() -> None:
    """NVVB: the cycle of peak and dip years flattens only after more than 50 years."""
    res = demand_over_time(_kwb(), range(2019, 2101))
    travel = res.totals["reisdocument"].sum(axis=1)

    def swing(first: int) -> float:
        window = travel.loc[first : first + 9]
        return float(window.max() / window.min())

    assert swing(2019) > 2.0
    assert swing(2019) > swing(2039) > swing(2059) > swing(2079)
    assert swing(2064) > 1.02, "still visible 50 years after the change"


def test_age_split_from_kwb() -> None:
    kwb = _kwb()
    groups = age_groups_from_kwb(kwb, share_75plus_in_65plus=0.4)
    middle = kwb["inwoners"] - kwb["inwoners_0_14"] - kwb["inwoners_65plus"]
    assert np.allclose(groups["cohort_18"], middle / 50)
    assert np.allclose(groups["minderjarig"], kwb["inwoners_0_14"] + middle * 3 / 50)
    assert np.allclose(groups["minderjarig"] + groups["volwassen_18_74"] + groups["volwassen_75plus"], kwb["inwoners"])
    assert np.allclose(groups["volwassen_75plus"], 0.4 * kwb["inwoners_65plus"])


def test_does_not_mutate_its_input() -> None:
    kwb = _kwb()
    kwb.loc["BU0002", "inwoners_0_14"] = np.nan
    before = kwb.copy()
    demand_over_time(kwb, fill_missing=True)
    pd.testing.assert_frame_equal(kwb, before)


def test_fast_for_130_buurten_and_16_years() -> None:
    rng = np.random.default_rng(0)
    n = 130
    total = rng.integers(200, 3500, n).astype(float)
    kwb = pd.DataFrame(
        {"inwoners": total, "inwoners_0_14": np.round(total * 0.16), "inwoners_65plus": np.round(total * 0.18)},
        index=[f"BU{i:04d}" for i in range(n)],
    )  # SYNTHETIC
    demand_over_time(kwb.iloc[:2])  # warm up imports
    start = time.perf_counter()
    res = anchor_to_rate(demand_over_time(kwb, range(2020, 2036), assumptions=None), kwb["inwoners"], reference_years=(2020,))
    assert time.perf_counter() - start < 1.0
    assert res.table["code"].nunique() == n and res.years == list(range(2020, 2036))


# --------------------------------------------------------------------------- seasonality


def test_monthly_profile_sums_to_one_and_peaks_before_summer() -> None:
    profile = monthly_profile("reisdocument")
    assert profile.sum() == pytest.approx(1.0, abs=1e-12)
    assert len(profile) == 12 and (profile >= 0).all()
    assert int(profile.idxmax()) in (5, 6, 7)
    assert profile.loc[5:7].sum() > 3 / 12, "May-July hold more than a flat quarter"
    assert monthly_profile("overig").sum() == pytest.approx(1.0)


def test_monthly_visits_add_up_and_peak_in_may_july(result) -> None:
    for year in (2021, 2026):
        m = monthly_visits(result, year)
        assert m.total.sum() == pytest.approx(result.per_year[year], rel=1e-12)
        assert m.peak_month in (5, 6, 7)
        assert m.peak_share == pytest.approx(m.total.max() / m.total.sum())


def test_monthly_visits_reject_a_bad_profile(result) -> None:
    with pytest.raises(ParameterError, match="sum"):
        monthly_visits(result, 2025, profiles={"reisdocument": [0.1] * 12})
    with pytest.raises(ParameterError, match="12"):
        monthly_visits(result, 2025, profiles={"rijbewijs": [0.5, 0.5]})
    with pytest.raises(ParameterError, match="product"):
        monthly_visits(result, 2025, profiles={"paspoort": [1 / 12] * 12})
    with pytest.raises(ParameterError, match="year"):
        monthly_visits(result, 2040)


# --------------------------------------------------------------------------- parameters and data


def test_defaults_lie_within_their_documented_ranges() -> None:
    table = RenewalAssumptions().describe()
    assert list(table.index) == list(RenewalAssumptions.RANGES)
    assert ((table["bereik_min"] <= table["waarde"]) & (table["waarde"] <= table["bereik_max"])).all()
    assert table["bron"].str.len().gt(0).all()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"share_early": -0.1}, "share_early"),
        ({"share_late": 1.5}, "share_late"),
        ({"share_early": 0.6, "share_late": 0.6}, "share_early \\+ share_late"),
        ({"non_renewal": 1.0}, "non_renewal"),
        ({"uptake_adult": float("nan")}, "uptake_adult"),
        ({"lost_rate": -0.01}, "lost_rate"),
        ({"documents_per_visit": 0.5}, "documents_per_visit"),
        ({"other_share": 1.0}, "other_share"),
        ({"collection_share": "1"}, "collection_share"),
    ],
)
def test_invalid_assumptions_raise_naming_the_parameter(kwargs, name) -> None:
    with pytest.raises(ParameterError, match=name):
        RenewalAssumptions(**kwargs)


@pytest.mark.parametrize("years", [[], [1990, 1991], [2020.5], ["x"], [2020, 2020]])
def test_invalid_years_raise(years) -> None:
    with pytest.raises(ParameterError, match="years"):
        demand_over_time(_kwb(), years)


def test_bad_age_counts_raise_data_errors() -> None:
    kwb = _kwb()
    with pytest.raises(DataError, match="inwoners_65plus"):
        demand_over_time(kwb.drop(columns="inwoners_65plus"))
    with pytest.raises(DataError, match="negative"):
        demand_over_time(kwb.assign(inwoners_0_14=-kwb["inwoners_0_14"]))
    gap = kwb.copy()
    gap.loc["BU0002", "inwoners_65plus"] = np.nan
    with pytest.raises(DataError, match="fill_missing"):
        demand_over_time(gap)
    filled = age_groups_from_kwb(gap, fill_missing=True)
    known = kwb.drop(index="BU0002")
    share = known["inwoners_65plus"].sum() / known["inwoners"].sum()
    assert filled.loc["BU0002", "volwassen_75plus"] == pytest.approx(1200 * share * 0.45)
    with pytest.raises(DataError, match="inwoners"):
        demand_over_time(kwb.assign(inwoners=np.nan))
    with pytest.raises(DataError, match="duplicate"):
        demand_over_time(pd.concat([kwb, kwb.iloc[:1]]))
