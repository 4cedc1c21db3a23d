"""Tests for decentraal.barriers, checked against hand computations."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from decentraal.methods.barriers import (
    DirectionError,
    IndicatorError,
    WeightsError,
    compare_to_mean,
    composite_index,
    rank_stability,
    standardise,
)

# Four areas, three indicators. Values are chosen so that mean and SD (ddof=0) are round:
#
#   share_65plus (higher_is_barrier): 17, 11,  9,  3  -> mean 10, deviations 7, 1, -1, -7
#       var = (49 + 1 + 1 + 49) / 4 = 25, sd = 5   -> z =  1.4,  0.2, -0.2, -1.4
#   income (lower_is_barrier):        30, 20, 30, 20  -> mean 25, sd = 5
#       raw z = 1, -1, 1, -1, flipped                -> z = -1.0,  1.0, -1.0,  1.0
#   distance_km (higher_is_barrier):  11,  3, 17,  9  -> mean 10, deviations 1, -7, 7, -1, sd = 5
#                                                    -> z =  0.2, -1.4,  1.4, -0.2
TABLE = pd.DataFrame(
    {
        "share_65plus": [17.0, 11.0, 9.0, 3.0],
        "income": [30.0, 20.0, 30.0, 20.0],
        "distance_km": [11.0, 3.0, 17.0, 9.0],
    },
    index=pd.Index(["A", "B", "C", "D"], name="code"),
)
DIRECTIONS = {"share_65plus": "higher_is_barrier", "income": "lower_is_barrier", "distance_km": "higher_is_barrier"}
EXPECTED_Z = pd.DataFrame(
    {
        "share_65plus": [1.4, 0.2, -0.2, -1.4],
        "income": [-1.0, 1.0, -1.0, 1.0],
        "distance_km": [0.2, -1.4, 1.4, -0.2],
    },
    index=TABLE.index,
)
# Weights 2, 1, 1 -> normalised 0.5, 0.25, 0.25:
#   A: 0.5*1.4  + 0.25*(-1) + 0.25*0.2    =  0.70 - 0.25 + 0.05 =  0.5
#   B: 0.5*0.2  + 0.25*1    + 0.25*(-1.4) =  0.10 + 0.25 - 0.35 =  0.0
#   C: 0.5*-0.2 + 0.25*(-1) + 0.25*1.4    = -0.10 - 0.25 + 0.35 =  0.0
#   D: 0.5*-1.4 + 0.25*1    + 0.25*(-0.2) = -0.70 + 0.25 - 0.05 = -0.5
# Ranks (1 = highest, ties share the lowest): A 1, B 2, C 2, D 4.
WEIGHTS = {"share_65plus": 2.0, "income": 1.0, "distance_km": 1.0}


def test_standardise_hand_computed():
    z = standardise(TABLE, DIRECTIONS)
    pd.testing.assert_frame_equal(z, EXPECTED_Z, check_exact=False, atol=1e-12)
    assert z.attrs["mean"] == pytest.approx({"share_65plus": 10, "income": 25, "distance_km": 10})
    assert z.attrs["sd"] == pytest.approx({"share_65plus": 5, "income": 5, "distance_km": 5})


def test_standardise_population_weighted_hand_computed():
    # x = 0, 10 with population 3, 1 (area C has no value and is ignored):
    # mean = (3*0 + 1*10) / 4 = 2.5
    # var  = (3*2.5**2 + 1*7.5**2) / 4 = (18.75 + 56.25) / 4 = 18.75, sd = sqrt(18.75)
    # z    = -2.5 / sqrt(18.75) = -1/sqrt(3),  7.5 / sqrt(18.75) = sqrt(3)
    table = pd.DataFrame({"x": [0.0, 10.0, np.nan]}, index=["A", "B", "C"])
    population = pd.Series({"C": 5.0, "B": 1.0, "A": 3.0})  # order differs on purpose
    z = standardise(table, {"x": "higher_is_barrier"}, population=population)
    assert z.loc["A", "x"] == pytest.approx(-1 / math.sqrt(3))
    assert z.loc["B", "x"] == pytest.approx(math.sqrt(3))
    assert np.isnan(z.loc["C", "x"])
    assert z.attrs["n_missing"] == {"x": 1}
    assert z.attrs["population_weighted"] is True


def test_standardise_errors_and_no_mutation():
    before = TABLE.copy()
    with pytest.raises(DirectionError, match=r"indicator 'income' has direction 'up' but must be"):
        standardise(TABLE, {**DIRECTIONS, "income": "up"})
    with pytest.raises(DirectionError, match=r"'nope' is in directions but not a column"):
        standardise(TABLE, {"nope": "higher_is_barrier"})
    constant = TABLE.assign(flat=4.0)
    with pytest.raises(IndicatorError, match=r"indicator 'flat' is constant"):
        standardise(constant, {"flat": "higher_is_barrier"})
    with pytest.raises(ValueError, match=r"population has no value for area\(s\) 'D'"):
        standardise(TABLE, DIRECTIONS, population=pd.Series({"A": 1.0, "B": 1.0, "C": 1.0}))
    pd.testing.assert_frame_equal(TABLE, before)


def test_composite_index_hand_computed():
    z = standardise(TABLE, DIRECTIONS)
    result = composite_index(z, WEIGHTS)
    assert list(result.columns) == ["index", "rank", "n_missing", "missing_indicators", "weight_share_available"]
    assert result["index"].to_numpy() == pytest.approx([0.5, 0.0, 0.0, -0.5], abs=1e-12)
    assert result["rank"].tolist() == [1.0, 2.0, 2.0, 4.0]  # B and C tie
    assert result["n_missing"].tolist() == [0, 0, 0, 0]
    assert result["missing_indicators"].tolist() == ["", "", "", ""]
    assert result["weight_share_available"].to_numpy() == pytest.approx([1, 1, 1, 1])
    assert result.attrs["weights"] == pytest.approx({"share_65plus": 0.5, "income": 0.25, "distance_km": 0.25})


def test_direction_alignment_lower_income_is_more_barrier():
    # Only income counts: B and D have the lower income (20) and must rank highest.
    z = standardise(TABLE, DIRECTIONS)
    result = composite_index(z, {"share_65plus": 0, "income": 1, "distance_km": 0})
    assert result.loc[["B", "D"], "rank"].tolist() == [1.0, 1.0]
    assert result.loc[["A", "C"], "rank"].tolist() == [3.0, 3.0]
    assert (result.loc[["B", "D"], "index"] > 0).all()


def test_reweighting_with_missing_value_hand_computed():
    z = EXPECTED_Z.copy()
    z.loc["C", "share_65plus"] = np.nan
    # C keeps income (-1) and distance (1.4), weights 0.25 + 0.25 = 0.5 of the total:
    #   index = (0.25*(-1) + 0.25*1.4) / 0.5 = 0.1 / 0.5 = 0.2
    # Others unchanged: A 0.5, B 0.0, D -0.5 -> ranks A 1, C 2, B 3, D 4.
    result = composite_index(z, WEIGHTS, missing="reweight", min_share=0.5)
    assert result.loc["C", "index"] == pytest.approx(0.2)
    assert result.loc["C", "weight_share_available"] == pytest.approx(0.5)
    assert result.loc["C", "n_missing"] == 1
    assert result.loc["C", "missing_indicators"] == "share_65plus"
    assert result["rank"].tolist() == [1.0, 3.0, 2.0, 4.0]

    # Share 0.5 < 0.6: not enough information -> NaN index and rank.
    strict = composite_index(z, WEIGHTS, missing="reweight", min_share=0.6)
    assert np.isnan(strict.loc["C", "index"]) and np.isnan(strict.loc["C", "rank"])
    assert strict["rank"].tolist()[:2] == [1.0, 2.0]  # A 1, B 2 (C unranked), D 3
    assert strict.loc["D", "rank"] == 3.0

    dropped = composite_index(z, WEIGHTS, missing="drop")
    assert np.isnan(dropped.loc["C", "index"])
    assert dropped.loc["C", "missing_indicators"] == "share_65plus"  # still reported

    # A missing indicator with weight 0 does not count against the area under "drop".
    zero = composite_index(z, {"share_65plus": 0, "income": 1, "distance_km": 1}, missing="drop")
    assert zero.loc["C", "index"] == pytest.approx(0.2)


def test_weights_validation_messages():
    z = standardise(TABLE, DIRECTIONS)
    with pytest.raises(WeightsError, match=r"weight for indicator 'income' is -1 but must be non-negative"):
        composite_index(z, {**WEIGHTS, "income": -1.0})
    with pytest.raises(
        WeightsError,
        match=r"unknown indicator\(s\) 'age'; valid keys are the columns of z: "
        r"'share_65plus', 'income', 'distance_km'",
    ):
        composite_index(z, {**WEIGHTS, "age": 1.0})
    with pytest.raises(WeightsError, match=r"no weight for indicator\(s\) 'distance_km'"):
        composite_index(z, {"share_65plus": 1.0, "income": 1.0})
    with pytest.raises(WeightsError, match=r"all weights are zero.*valid keys: 'share_65plus'"):
        composite_index(z, {key: 0.0 for key in WEIGHTS})
    with pytest.raises(ValueError, match=r"missing is 'impute' but must be 'reweight' or 'drop'"):
        composite_index(z, WEIGHTS, missing="impute")  # type: ignore[arg-type]


def test_changing_weights_changes_ranking_in_expected_direction():
    # Weights 1, 1, 4 -> 1/6, 1/6, 4/6:
    #   A: (1.4 - 1 + 4*0.2) / 6 =  1.2/6,  B: (0.2 + 1 - 4*1.4) / 6 = -4.4/6
    #   C: (-0.2 - 1 + 4*1.4) / 6 = 4.4/6,  D: (-1.4 + 1 - 4*0.2) / 6 = -1.2/6
    # -> C 1, A 2, D 3, B 4: C (longest distance) moves up from 2 to 1.
    z = standardise(TABLE, DIRECTIONS)
    base = composite_index(z, WEIGHTS)
    heavy_distance = composite_index(z, {"share_65plus": 1, "income": 1, "distance_km": 4})
    assert heavy_distance["index"].to_numpy() == pytest.approx([0.2, -4.4 / 6, 4.4 / 6, -0.2])
    assert heavy_distance["rank"].tolist() == [2.0, 4.0, 1.0, 3.0]
    assert heavy_distance.loc["C", "rank"] < base.loc["C", "rank"]


def _random_z(n_areas: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        rng.normal(size=(n_areas, 4)),
        columns=["a", "b", "c", "d"],
        index=[f"BU{i:03d}" for i in range(n_areas)],
    )


def test_rank_stability_reproducible_and_bounded():
    z = _random_z()
    weights = {"a": 1, "b": 1, "c": 1, "d": 1}
    first = rank_stability(z, weights, n_draws=300, seed=7)
    again = rank_stability(z, weights, n_draws=300, seed=7)
    other = rank_stability(z, weights, n_draws=300, seed=8)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert list(first.columns) == [
        "rank", "p_top_n", "p_top_quartile", "rank_median", "rank_p05", "rank_p95", "loo_rank_min", "loo_rank_max",
    ]
    assert first["p_top_n"].between(0, 1).all() and first["p_top_quartile"].between(0, 1).all()
    assert (first["rank_p05"] <= first["rank_median"]).all() and (first["rank_median"] <= first["rank_p95"]).all()
    assert (first["loo_rank_min"] <= first["loo_rank_max"]).all()
    pd.testing.assert_series_equal(first["rank"], composite_index(z, weights)["rank"])


def test_rank_stability_dominant_area_always_top():
    z = _random_z()
    z.loc["BU005"] = z.max().to_numpy() + 1.0  # highest on every indicator
    result = rank_stability(z, {"a": 1, "b": 1, "c": 1, "d": 1}, n_draws=200, seed=0, top_n=1)
    assert result.loc["BU005", "p_top_n"] == 1.0
    assert result.loc["BU005", "p_top_quartile"] == 1.0
    assert result.loc["BU005", ["loo_rank_min", "loo_rank_max", "rank_median"]].tolist() == [1.0, 1.0, 1.0]
    assert (result.drop(index="BU005")["p_top_n"] == 0.0).all()


def test_rank_stability_zero_weight_stays_zero():
    # With weight 0, indicator 'd' cannot influence any draw: making it huge for one area
    # must not change anything.
    z = _random_z()
    weights = {"a": 1, "b": 2, "c": 1, "d": 0}
    base = rank_stability(z, weights, n_draws=200, seed=3)
    z2 = z.copy()
    z2.loc["BU010", "d"] = 100.0
    pd.testing.assert_frame_equal(base, rank_stability(z2, weights, n_draws=200, seed=3))


def test_rank_stability_is_fast():
    z = _random_z(n_areas=130, seed=2)
    z.iloc[::9, 1] = np.nan
    start = time.perf_counter()
    rank_stability(z, {"a": 1, "b": 1, "c": 1, "d": 1}, n_draws=1000, seed=0)
    assert time.perf_counter() - start < 1.0


def test_rank_stability_needs_two_positive_weights():
    with pytest.raises(ValueError, match="at least two indicators with a positive weight"):
        rank_stability(_random_z(), {"a": 1, "b": 0, "c": 0, "d": 0})


def test_compare_to_mean_hand_computed():
    # x = 0, 10, 20, 30: mean 15, var = (225 + 25 + 25 + 225) / 4 = 125, sd = sqrt(125) ~ 11.18
    #   z = -1.342, -0.447, 0.447, 1.342 -> flags onder, "", "", boven (k = 1)
    # y = 0, 0, 10, 10: area mean 5, sd 5. The published municipal value 8 replaces the
    #   mean, the sd stays the spread across areas -> z = (y - 8) / 5 = -1.6, -1.6, 0.4, 0.4
    table = pd.DataFrame(
        {"x": [0.0, 10.0, 20.0, 30.0], "y": [0.0, 0.0, 10.0, 10.0]}, index=["A", "B", "C", "D"]
    )
    long = compare_to_mean(table, reference=pd.Series({"y": 8.0}), k=1.0)
    assert list(long.columns) == ["area", "indicator", "value", "mean", "mean_source", "sd", "z", "flag"]
    assert long[["area", "indicator"]].values.tolist()[:3] == [["A", "x"], ["A", "y"], ["B", "x"]]
    x = long[long["indicator"] == "x"].set_index("area")
    assert x["z"].to_numpy() == pytest.approx(np.array([-15, -5, 5, 15]) / math.sqrt(125))
    assert x["flag"].tolist() == ["onder", "", "", "boven"]
    assert set(x["mean_source"]) == {"gemiddelde van gebieden"}
    y = long[long["indicator"] == "y"].set_index("area")
    assert y["mean"].unique().tolist() == [8.0]
    assert y["sd"].unique().tolist() == [5.0]
    assert y["z"].to_numpy() == pytest.approx([-1.6, -1.6, 0.4, 0.4])
    assert y["flag"].tolist() == ["onder", "onder", "", ""]
    assert set(y["mean_source"]) == {"gemeente (gepubliceerd)"}


def test_compare_to_mean_population_and_missing():
    # Population 3, 1 as in the standardise test: mean 2.5, sd sqrt(18.75); k = 1.5:
    #   z(A) = -0.577 -> "", z(B) = 1.732 -> "boven"; C has no value -> kept, z NaN, flag "".
    table = pd.DataFrame({"x": [0.0, 10.0, np.nan]}, index=["A", "B", "C"])
    long = compare_to_mean(table, population=pd.Series({"A": 3.0, "B": 1.0, "C": 5.0}), k=1.5)
    assert long["mean"].iloc[0] == pytest.approx(2.5)
    assert long["flag"].tolist() == ["", "boven", ""]
    assert np.isnan(long["z"].iloc[2])
    assert long.attrs["n_missing"] == {"x": 1}
    with pytest.raises(ValueError, match=r"reference has value\(s\) for unknown indicator\(s\) 'q'"):
        compare_to_mean(table, reference=pd.Series({"q": 1.0}))
