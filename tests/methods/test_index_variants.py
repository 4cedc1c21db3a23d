"""Alternatives to the default index (decentraal.methods.barriers additions): percentile ranks, dimensions,
the weight draws as a matrix and redrawn data, each by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from decentraal.errors import ParameterError
from decentraal.methods.barriers import (
    IndicatorError,
    composite_index,
    dimension_scores,
    percentile_normalise,
    perturbed_ranks,
    rank_stability,
    standardise,
    weight_draw_ranks,
)

SEED = 20211012  # configs/base.yaml `seed`
DIRECTIONS = {"old": "higher_is_barrier", "income": "lower_is_barrier", "health": "lower_is_barrier",
              "far": "higher_is_barrier"}
DIMENSIONS = {"socio": ["income", "health"], "age": ["old"], "mobility": ["far"]}


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "old": [10.0, 20.0, 30.0, 15.0, 25.0, 12.0],
            "income": [40.0, 25.0, 20.0, np.nan, 30.0, 35.0],
            "health": [80.0, 70.0, 65.0, 72.0, 75.0, 78.0],
            "far": [1.0, 2.5, 3.0, 0.5, 1.5, 2.0],
        },
        index=pd.Index(list("abcdef"), name="code"),
    )


# --------------------------------------------------------------------------- percentile ranks
def test_percentile_ranks_by_hand():
    # income is lower_is_barrier: the lowest income (20, area c) is the most barrier (1.0), the
    # highest (40, area a) the least (0.0); five values -> steps of 1/4; d is missing.
    pct = percentile_normalise(table(), DIRECTIONS)
    assert pct["income"].tolist()[:3] == [0.0, 0.75, 1.0]
    assert np.isnan(pct.loc["d", "income"])
    assert pct.loc["e", "income"] == 0.5 and pct.loc["f", "income"] == 0.25
    # old is higher_is_barrier: ranks 1..6 over 10, 12, 15, 20, 25, 30 -> (rank - 1) / 5.
    assert pct["old"].tolist() == pytest.approx([0.0, 0.6, 1.0, 0.4, 0.8, 0.2])
    assert pct.attrs["n_missing"]["income"] == 1


def test_percentile_ranks_share_ties_and_refuse_constants():
    t = pd.DataFrame({"x": [1.0, 2.0, 2.0, 3.0]})
    assert percentile_normalise(t, {"x": "higher_is_barrier"})["x"].tolist() == pytest.approx([0.0, 0.5, 0.5, 1.0])
    with pytest.raises(IndicatorError, match="two distinct"):
        percentile_normalise(pd.DataFrame({"x": [1.0, 1.0]}), {"x": "higher_is_barrier"})


# --------------------------------------------------------------------------- dimensions
def test_dimension_scores_by_hand():
    z = standardise(table(), DIRECTIONS)
    weights = {"old": 1.0, "income": 1.0, "health": 1.0, "far": 1.0}
    scores, w = dimension_scores(z, weights, DIMENSIONS)
    assert list(scores.columns) == ["socio", "age", "mobility"]
    assert scores["socio"].to_numpy() == pytest.approx(((z["income"] + z["health"]) / 2).fillna(z["health"]).to_numpy())
    assert scores.loc["d", "socio"] == pytest.approx(z.loc["d", "health"])  # mean of the available member
    assert scores["age"].to_numpy() == pytest.approx(z["old"].to_numpy())
    assert w == pytest.approx({"socio": 0.5, "age": 0.25, "mobility": 0.25})
    # The index of the dimensions: weighted mean of the dimension scores.
    index = composite_index(scores, w)["index"]
    assert index["a"] == pytest.approx(0.5 * scores.loc["a", "socio"] + 0.25 * z.loc["a", "old"] + 0.25 * z.loc["a", "far"])


def test_sum_weighting_equals_the_indicator_index_where_everything_is_known():
    z = standardise(table(), DIRECTIONS)
    weights = {"old": 1.0, "income": 1.0, "health": 1.0, "far": 1.0}
    scores, w = dimension_scores(z, weights, DIMENSIONS)
    by_dimension = composite_index(scores, w)["index"]
    by_indicator = composite_index(z, weights)["index"]
    known = z.notna().all(axis=1)
    assert by_dimension[known].to_numpy() == pytest.approx(by_indicator[known].to_numpy())
    assert by_dimension["d"] != pytest.approx(by_indicator["d"])  # income missing: socio is health alone


def test_mean_weighting_counts_every_dimension_once():
    z = standardise(table(), DIRECTIONS)
    weights = {"old": 1.0, "income": 1.0, "health": 1.0, "far": 1.0}
    scores, w = dimension_scores(z, weights, DIMENSIONS, weighting="mean")
    assert w == pytest.approx({"socio": 0.25, "age": 0.25, "mobility": 0.25})
    index = composite_index(scores, w)["index"]
    assert index["a"] == pytest.approx((scores.loc["a", "socio"] + z.loc["a", "old"] + z.loc["a", "far"]) / 3)


def test_dimension_scores_leave_out_zero_weights_and_refuse_orphans():
    z = standardise(table(), DIRECTIONS)
    scores, w = dimension_scores(z, {"old": 1.0, "income": 0.0, "health": 1.0, "far": 0.0}, DIMENSIONS)
    assert list(scores.columns) == ["socio", "age"]
    assert scores["socio"].to_numpy() == pytest.approx(z["health"].to_numpy())
    with pytest.raises(ParameterError, match="exactly one dimension"):
        dimension_scores(z, {"old": 1.0, "income": 1.0, "health": 1.0, "far": 1.0}, {"socio": ["income", "health"]})
    with pytest.raises(ParameterError, match="weighting"):
        dimension_scores(z, {"old": 1.0, "income": 1.0, "health": 1.0, "far": 1.0}, DIMENSIONS, weighting="max")


# --------------------------------------------------------------------------- draws
def test_weight_draw_ranks_are_the_draws_of_rank_stability():
    z = standardise(table(), DIRECTIONS)
    weights = {"old": 1.0, "income": 2.0, "health": 1.0, "far": 1.0}
    ranks = weight_draw_ranks(z, weights, n_draws=200, concentration=20.0, seed=SEED)
    stability = rank_stability(z, weights, n_draws=200, concentration=20.0, seed=SEED, top_n=2)
    assert ranks.shape == (6, 200)
    assert (ranks <= 2).mean(axis=1) == pytest.approx(stability["p_top_n"].to_numpy())
    # Area d misses income: where a draw gives income more than half the weight it has no index.
    assert np.isnan(ranks[3]).any()
    assert np.nanmedian(ranks, axis=1) == pytest.approx(stability["rank_median"].to_numpy())


def test_perturbed_ranks_without_noise_reproduce_the_index():
    t = table()
    weights = {"old": 1.0, "income": 1.0, "health": 1.0, "far": 1.0}
    ranks = perturbed_ranks(t, DIRECTIONS, weights, {"health": 0.0}, n_draws=5, seed=SEED)
    baseline = composite_index(standardise(t, DIRECTIONS), weights)["rank"].to_numpy()
    assert (ranks == baseline[:, None]).all()
    with_dims = perturbed_ranks(t, DIRECTIONS, weights, {}, n_draws=3, seed=SEED, dimensions=DIMENSIONS,
                                weighting="mean")
    scores, w = dimension_scores(standardise(t, DIRECTIONS), weights, DIMENSIONS, weighting="mean")
    assert (with_dims == composite_index(scores, w)["rank"].to_numpy()[:, None]).all()


def test_perturbed_ranks_redraw_the_values_by_hand_and_are_seeded():
    t = table()
    weights = {"old": 1.0, "income": 1.0, "health": 1.0, "far": 1.0}
    sd = 3.0
    ranks = perturbed_ranks(t, DIRECTIONS, weights, {"health": sd}, n_draws=4, seed=SEED)
    # Redo draw 0 by hand: the same generator gives the errors in (draw, area, indicator) order.
    errors = np.random.default_rng(SEED).standard_normal((4, 6, 4))[0, :, 2] * sd
    noisy = t.assign(health=t["health"] + errors)
    expected = composite_index(standardise(noisy, DIRECTIONS), weights)["rank"].to_numpy()
    assert ranks[:, 0] == pytest.approx(expected)
    again = perturbed_ranks(t, DIRECTIONS, weights, {"health": sd}, n_draws=4, seed=SEED)
    assert np.array_equal(ranks, again)
    big = perturbed_ranks(t, DIRECTIONS, weights, {"health": 50.0}, n_draws=50, seed=SEED)
    assert not (big == ranks[:, :1]).all()  # large errors do move areas


def test_perturbed_ranks_refuse_unknown_or_negative_noise():
    t = table()
    weights = {"old": 1.0, "income": 1.0, "health": 1.0, "far": 1.0}
    with pytest.raises(ParameterError, match="unknown"):
        perturbed_ranks(t, DIRECTIONS, weights, {"weather": 1.0}, n_draws=2)
    with pytest.raises(ParameterError, match=">= 0"):
        perturbed_ranks(t, DIRECTIONS, weights, {"health": -1.0}, n_draws=2)
