"""Tests for decentraal.demand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decentraal.errors import DataError, ParameterError
from decentraal.io.userfiles import validate_visits
from decentraal.methods.demand import (
    DEFAULT_AGE_GROUPS,
    DEFAULT_PRODUCTS,
    ProductAssumption,
    baseline_demand,
    product_demand,
    renewal_wave_factor,
)
from decentraal.methods.visitmodel import VisitModel, fit_visit_glm, overdispersion_test
from synthetic import synthetic_visits

# --------------------------------------------------------------------------- baseline


def test_baseline_sums_to_population_times_rate() -> None:
    pop = pd.Series([1200, 3400, 0, 875], index=["BU1", "BU2", "BU3", "BU4"])
    out = baseline_demand(pop)
    assert out.sum() == pytest.approx(pop.sum() / 3, rel=1e-12)
    assert list(out.index) == list(pop.index)
    assert out["BU3"] == 0


@given(st.lists(st.integers(min_value=0, max_value=50_000), min_size=1, max_size=60), st.floats(0.01, 2.0))
@settings(max_examples=50, deadline=None)
def test_baseline_sum_property(counts: list[int], rate: float) -> None:
    pop = pd.Series(counts, dtype=float)
    assert baseline_demand(pop, visits_per_resident_per_year=rate).sum() == pytest.approx(pop.sum() * rate, rel=1e-9, abs=1e-9)


def test_baseline_does_not_mutate_and_rejects_bad_input() -> None:
    pop = pd.Series([10, 20])
    before = pop.copy()
    baseline_demand(pop)
    pd.testing.assert_series_equal(pop, before)
    with pytest.raises(DataError, match="negative"):
        baseline_demand(pd.Series([10, -1]))
    with pytest.raises(ParameterError, match="visits_per_resident_per_year"):
        baseline_demand(pop, visits_per_resident_per_year=0)


# --------------------------------------------------------------------------- products


def _age_counts() -> pd.DataFrame:
    return pd.DataFrame(
        {"0_17": [300, 100, 50], "18_74": [1000, 800, 400], "75_plus": [50, 300, 20]},
        index=["BU00000001", "BU00000002", "BU00000003"],
    )


def test_product_split_calibrated_sums_to_same_total_as_baseline() -> None:
    ages = _age_counts()
    split = product_demand(ages, DEFAULT_PRODUCTS)
    pop = ages.sum(axis=1)
    assert split.to_numpy().sum() == pytest.approx(baseline_demand(pop).sum(), rel=1e-12)
    assert list(split.columns) == [p.name_nl for p in DEFAULT_PRODUCTS]
    assert split.attrs["calibration_factor"] > 0


def test_product_split_uncalibrated_is_renewal_arithmetic() -> None:
    ages = _age_counts()
    raw = product_demand(ages, DEFAULT_PRODUCTS, calibrate_to_rate=None)
    assert raw.attrs["calibration_factor"] == 1.0
    # area 1: adults (1000 + 50) / 10 years for passport/ID
    assert raw.loc["BU00000001", "paspoort/ID-kaart volwassene"] == pytest.approx(105.0)
    assert raw.loc["BU00000001", "paspoort/ID-kaart minderjarige"] == pytest.approx(60.0)  # 300 / 5
    assert raw.loc["BU00000002", "rijbewijs 75+"] == pytest.approx(60.0)  # 300 / 5
    # calibration factor = target / raw total
    cal = product_demand(ages, DEFAULT_PRODUCTS)
    assert cal.attrs["calibration_factor"] == pytest.approx(ages.to_numpy().sum() / 3 / raw.to_numpy().sum())


def test_product_split_with_explicit_population_and_errors() -> None:
    ages = _age_counts()
    pop = pd.Series([2000, 2000, 1000], index=ages.index)
    out = product_demand(ages, DEFAULT_PRODUCTS, population=pop, calibrate_to_rate=0.5)
    assert out.to_numpy().sum() == pytest.approx(2500.0)
    with pytest.raises(DataError, match="75_plus"):
        product_demand(ages.drop(columns="75_plus"), DEFAULT_PRODUCTS)
    dup = [DEFAULT_PRODUCTS[0], DEFAULT_PRODUCTS[0]]
    with pytest.raises(ParameterError, match="unique"):
        product_demand(ages, dup)


def test_default_products_are_sourced_and_use_default_age_groups() -> None:
    validities = {p.name_nl: p.validity_years for p in DEFAULT_PRODUCTS}
    assert validities["paspoort/ID-kaart volwassene"] == 10
    assert validities["paspoort/ID-kaart minderjarige"] == 5
    assert validities["rijbewijs 18-74"] == 10
    assert validities["rijbewijs 75+"] == 5
    for p in DEFAULT_PRODUCTS:
        assert p.source
        assert set(p.age_groups) <= set(DEFAULT_AGE_GROUPS)
    # a single string age group becomes a tuple
    assert ProductAssumption("x", "0_17", 5, 1.0, "test").age_groups == ("0_17",)


def test_renewal_wave_factor_pattern() -> None:
    assert renewal_wave_factor(2010) == 2.0  # 5-year documents: twice the 10-year steady state
    assert [renewal_wave_factor(y) for y in range(2014, 2019)] == [2.0] * 5  # last 5-year documents expire
    assert [renewal_wave_factor(y) for y in range(2019, 2024)] == [0.0] * 5  # trough
    assert [renewal_wave_factor(y) for y in range(2024, 2029)] == [2.0] * 5  # 2014-2018 cohort renews
    assert [renewal_wave_factor(y) for y in range(2029, 2034)] == [0.0] * 5
    # averaged over a full 10-year cycle after the change the factor is 1 (steady state)
    assert np.mean([renewal_wave_factor(y) for y in range(2019, 2029)]) == pytest.approx(1.0)
    with pytest.raises(ParameterError):
        renewal_wave_factor(2020, old_validity=4, new_validity=10)


# --------------------------------------------------------------------------- validate_visits

# one level per file (a buurt and its wijk in one file would be counted twice)
CODES = {"BU03920000", "BU03920001", "BU03920002", "BU03920003"}


def _visits_ok() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gebied": ["BU03920000", "BU03920001", "BU03920002", "BU03920003"],
            "product": ["paspoort", "rijbewijs", "paspoort", "paspoort"],
            "jaar": [2023, 2023, 2023, 2023],
            "bezoeken": [12, 0, 40, 7],
        }
    )


def test_validate_visits_ok_returns_clean_copy() -> None:
    df = _visits_ok()
    before = df.copy()
    out = validate_visits(df, source_name="bezoeken_2023.csv", valid_codes=CODES)
    pd.testing.assert_frame_equal(df, before)  # input not mutated
    assert out["gebied"].tolist() == ["BU03920000", "BU03920001", "BU03920002", "BU03920003"]
    assert out["bezoeken"].dtype == "int64"
    assert out.attrs["source_name"] == "bezoeken_2023.csv"


def test_validate_visits_negative_count_names_file_and_row() -> None:
    df = _visits_ok()
    df.loc[2, "bezoeken"] = -3
    with pytest.raises(DataError) as exc:
        validate_visits(df, source_name="bezoeken_2023.csv", valid_codes=CODES)
    msg = str(exc.value)
    assert "bezoeken_2023.csv" in msg and "row 4" in msg and "bezoeken" in msg  # 3rd data row -> file row 4
    assert ">= 0" in msg


def test_validate_visits_non_numeric_names_file_and_row() -> None:
    df = _visits_ok()
    df["bezoeken"] = df["bezoeken"].astype(object)
    df.loc[0, "bezoeken"] = "twaalf"
    with pytest.raises(DataError) as exc:
        validate_visits(df, source_name="export.xlsx", valid_codes=CODES)
    msg = str(exc.value)
    assert "export.xlsx" in msg and "row 2" in msg and "non-numeric" in msg and "twaalf" in msg


def test_validate_visits_unknown_codes_all_listed_never_dropped() -> None:
    df = _visits_ok()
    df.loc[1, "gebied"] = "BU03929999"
    df.loc[3, "gebied"] = "BU03929998"
    with pytest.raises(DataError) as exc:
        validate_visits(df, source_name="bezoeken_2023.csv", valid_codes=CODES)
    msg = str(exc.value)
    assert "bezoeken_2023.csv" in msg
    assert "row 3: BU03929999" in msg and "row 5: BU03929998" in msg
    assert "2 unknown area code" in msg


def test_validate_visits_missing_column_names_file_and_header_row() -> None:
    df = _visits_ok().drop(columns="jaar")
    with pytest.raises(DataError) as exc:
        validate_visits(df, source_name="bezoeken_2023.csv", valid_codes=CODES)
    msg = str(exc.value)
    assert "bezoeken_2023.csv" in msg and "row 1" in msg and "jaar" in msg


def test_validate_visits_malformed_code_and_duplicates() -> None:
    df = _visits_ok()
    df.loc[0, "gebied"] = "BU392"
    with pytest.raises(DataError, match=r"row 2: 'BU392'"):
        validate_visits(df, source_name="f.csv", valid_codes=CODES)
    df = pd.concat([_visits_ok(), _visits_ok().iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match=r"duplicate.*rows 2, 6"):
        validate_visits(df, source_name="f.csv", valid_codes=CODES)


def test_validate_visits_refuses_two_levels_in_one_file() -> None:
    df = _visits_ok()
    df.loc[2, "gebied"] = "WK039200"
    with pytest.raises(DataError, match=r"mixes area levels \(buurt, wijk\).*one level per file"):
        validate_visits(df, source_name="f.csv", valid_codes=CODES | {"WK039200"})


def test_validate_visits_refuses_totals_mixed_with_products() -> None:
    df = _visits_ok()
    df.loc[3, "product"] = "alle"
    with pytest.raises(DataError, match=r"mixes totals \('alle', e.g. row\(s\) 5\).*counted twice"):
        validate_visits(df, source_name="f.csv", valid_codes=CODES)


# --------------------------------------------------------------------------- GLM

TRUE = {"aandeel_75plus": 0.8, "inkomen_laag": -0.4}
INTERCEPT = math.log(1 / 3)


def _areas(n: int = 300, seed: int = 7) -> tuple[pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    idx = [f"BU{i:08d}" for i in range(n)]
    pop = pd.Series(rng.integers(300, 4000, n).astype(float), index=idx)
    cov = pd.DataFrame(
        {"aandeel_75plus": rng.uniform(0.0, 0.3, n), "inkomen_laag": rng.normal(0.0, 1.0, n)}, index=idx
    )
    return pop, cov


def test_synthetic_visits_is_flagged() -> None:
    pop, cov = _areas(20)
    df = synthetic_visits(pop, cov, TRUE, INTERCEPT, seed=1, years=(2022, 2023))
    assert df.attrs["synthetic"] is True
    assert df["synthetisch"].all()
    assert len(df) == 40
    assert "SYNTHETIC" in (synthetic_visits.__doc__ or "")
    again = synthetic_visits(pop, cov, TRUE, INTERCEPT, seed=1, years=(2022, 2023))
    pd.testing.assert_frame_equal(df, again)  # seeded


def test_poisson_glm_recovers_known_coefficients() -> None:
    pop, cov = _areas()
    df = synthetic_visits(pop, cov, TRUE, INTERCEPT, seed=42)
    m = fit_visit_glm(df, count="bezoeken", exposure="inwoners", covariates=list(TRUE), family="poisson")
    assert isinstance(m, VisitModel)
    truth = {"const": INTERCEPT, **TRUE}
    for name, value in truth.items():
        assert abs(m.params[name] - value) < max(3 * m.bse[name], 0.05), name
        assert m.conf_int.loc[name, "lower"] < m.params[name] < m.conf_int.loc[name, "upper"]
    assert 0.7 < m.dispersion < 1.3  # Poisson data: equidispersed
    table = m.summary_table()
    assert list(table.columns) == ["coef", "se", "z", "p_value", "ci_lower", "ci_upper", "rate_ratio", "rr_ci_lower", "rr_ci_upper"]
    rate = m.predict_rate(pd.DataFrame({"aandeel_75plus": [0.0], "inkomen_laag": [0.0]}))
    assert rate.iloc[0] == pytest.approx(1 / 3, rel=0.05)
    assert not overdispersion_test(m)["overdispersed"]


def test_negbin_on_overdispersed_data_reports_dispersion() -> None:
    pop, cov = _areas()
    # seed fixed; with alpha=0.1 a single draw can land >3 SE off for some seeds (about 1 in 100)
    df = synthetic_visits(pop, cov, TRUE, INTERCEPT, seed=0, alpha=0.1)
    m = fit_visit_glm(df, count="bezoeken", exposure="inwoners", covariates=list(TRUE), family="negbin")
    assert m.family == "negbin"
    assert m.poisson_dispersion > 1  # overdispersed relative to Poisson
    assert m.alpha is not None and m.alpha == pytest.approx(0.1, rel=0.35)
    assert 0.7 < m.dispersion < 1.3  # NB variance function absorbs it
    for name, value in {"const": INTERCEPT, **TRUE}.items():
        assert abs(m.params[name] - value) < max(3 * m.bse[name], 0.05), name
    test = overdispersion_test(m)
    assert test["overdispersed"] and test["p_value"] < 0.05 and test["pearson_dispersion"] > 1
    assert "Cameron-Trivedi" in test["method"]
    pois = fit_visit_glm(df, count="bezoeken", exposure="inwoners", covariates=list(TRUE))
    assert pois.dispersion > 1
    assert m.aic < pois.aic


def test_glm_input_errors() -> None:
    pop, cov = _areas(30)
    df = synthetic_visits(pop, cov, TRUE, INTERCEPT, seed=1)
    with pytest.raises(DataError, match="missing_col"):
        fit_visit_glm(df, count="bezoeken", exposure="inwoners", covariates=["missing_col"])
    bad = df.assign(inwoners=0.0)
    with pytest.raises(DataError, match="exposure|inwoners"):
        fit_visit_glm(bad, count="bezoeken", exposure="inwoners", covariates=list(TRUE))
    with pytest.raises(ParameterError, match="family"):
        fit_visit_glm(df, count="bezoeken", exposure="inwoners", covariates=list(TRUE), family="gaussian")  # type: ignore[arg-type]


def test_negbin_without_overdispersion_falls_back_to_poisson_and_says_why() -> None:
    """Equidispersed counts drive the NB2 alpha to 0, where statsmodels fails on log(0)."""
    df = pd.DataFrame({"bezoeken": [1200, 900, 1500, 700, 1100, 800], "inwoners": [3600, 2700, 4500, 2100, 3300, 2400],
                       "x": [0.1, -0.3, 0.5, -0.8, 0.2, -0.1]})
    model = fit_visit_glm(df, count="bezoeken", exposure="inwoners", covariates=["x"], family="negbin")
    poisson = fit_visit_glm(df, count="bezoeken", exposure="inwoners", covariates=["x"], family="poisson")
    assert model.family == "poisson" and "Poisson used" in model.fallback
    assert model.params.to_dict() == pytest.approx(poisson.params.to_dict())
    assert poisson.fallback == ""
