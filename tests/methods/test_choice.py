"""Tests for decentraal.choice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decentraal.errors import DataError, ParameterError
from decentraal.methods.choice import allocate, huff_shares, sensitivity

DIST = pd.DataFrame(
    {"centraal": [0.5, 2.0, 4.0, 6.0], "noord": [5.0, 3.0, 1.0, 0.0], "zuid": [3.0, 3.0, 3.0, 3.0]},
    index=["A", "B", "C", "D"],
)
DEMAND = pd.Series([100.0, 250.0, 80.0, 40.0], index=["A", "B", "C", "D"])

matrices = st.integers(1, 6).flatmap(
    lambda n: st.integers(1, 5).flatmap(
        lambda m: st.lists(st.lists(st.floats(0, 20), min_size=m, max_size=m), min_size=n, max_size=n)
    )
)


@pytest.mark.parametrize("model", ["exponential", "power"])
def test_rows_sum_to_one(model: str) -> None:
    s = huff_shares(DIST, beta=1.3, model=model)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, atol=1e-12)
    assert s.shape == DIST.shape and list(s.columns) == list(DIST.columns)


@given(matrices, st.floats(0, 10), st.sampled_from(["exponential", "power"]))
@settings(max_examples=100, deadline=None)
def test_rows_sum_to_one_property(rows: list[list[float]], beta: float, model: str) -> None:
    s = huff_shares(pd.DataFrame(rows), beta=beta, model=model)
    assert np.all(np.isfinite(s.to_numpy()))
    np.testing.assert_allclose(s.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("model", ["exponential", "power"])
def test_share_falls_as_distance_grows(model: str) -> None:
    previous = 1.0
    for d in [0.2, 0.5, 1.0, 2.0, 4.0, 8.0]:
        dist = pd.DataFrame({"x": [d], "y": [1.0], "z": [2.5]})
        share = huff_shares(dist, beta=0.8, model=model).loc[0, "x"]
        assert share < previous
        previous = share


@given(st.floats(0.0, 15.0), st.floats(0.01, 5.0), st.floats(0.05, 3.0), st.sampled_from(["exponential", "power"]))
@settings(max_examples=100, deadline=None)
def test_share_monotone_property(d: float, delta: float, beta: float, model: str) -> None:
    near = huff_shares(pd.DataFrame({"x": [d], "y": [2.0]}), beta=beta, model=model).loc[0, "x"]
    far = huff_shares(pd.DataFrame({"x": [d + delta], "y": [2.0]}), beta=beta, model=model).loc[0, "x"]
    assert far <= near + 1e-15


@pytest.mark.parametrize("model", ["exponential", "power"])
def test_beta_zero_gives_equal_shares(model: str) -> None:
    s = huff_shares(DIST, beta=0.0, model=model)
    np.testing.assert_allclose(s.to_numpy(), 1 / 3)


def test_attractiveness_scales_shares() -> None:
    s = huff_shares(DIST, beta=0.0, attractiveness=pd.Series({"centraal": 2.0, "noord": 1.0, "zuid": 1.0}))
    np.testing.assert_allclose(s["centraal"], 0.5)
    with pytest.raises(DataError, match="zuid"):
        huff_shares(DIST, beta=1.0, attractiveness=pd.Series({"centraal": 2.0, "noord": 1.0}))


def test_exponential_hand_computed() -> None:
    dist = pd.DataFrame({"a": [1.0], "b": [2.0]})
    s = huff_shares(dist, beta=1.0)
    expected = np.exp(-1) / (np.exp(-1) + np.exp(-2))
    assert s.loc[0, "a"] == pytest.approx(expected)


def test_power_floor_at_zero_distance() -> None:
    dist = pd.DataFrame({"a": [0.0], "b": [1.0]})
    s = huff_shares(dist, beta=2.0, model="power", min_distance_km=0.1)
    # weights 0.1^-2 = 100 and 1
    assert s.loc[0, "a"] == pytest.approx(100 / 101)


def test_huge_beta_does_not_underflow() -> None:
    s = huff_shares(pd.DataFrame({"a": [50.0], "b": [51.0]}), beta=100.0)
    assert s.loc[0, "a"] == pytest.approx(1.0)
    assert np.isfinite(s.to_numpy()).all()


def test_invalid_beta_and_distances() -> None:
    with pytest.raises(ParameterError, match="beta"):
        huff_shares(DIST, beta=-0.1)
    with pytest.raises(DataError, match="negative"):
        huff_shares(DIST - 10, beta=1.0)


def test_allocation_conserves_total_demand() -> None:
    for beta in [0.0, 0.3, 1.0, 5.0]:
        visits = allocate(DEMAND, huff_shares(DIST, beta=beta))
        assert visits.sum() == pytest.approx(DEMAND.sum())
        assert list(visits.index) == list(DIST.columns)


def test_allocate_rejects_mismatched_areas() -> None:
    with pytest.raises(DataError, match="different areas"):
        allocate(DEMAND.drop("A"), huff_shares(DIST, beta=1.0))


def test_sensitivity_long_format() -> None:
    out = sensitivity(DIST, DEMAND, [0.0, 0.5, 2.0], model="exponential")
    assert list(out.columns) == ["beta", "loket", "bezoeken", "aandeel"]
    assert len(out) == 9
    for _, grp in out.groupby("beta"):
        assert grp["bezoeken"].sum() == pytest.approx(DEMAND.sum())
        assert grp["aandeel"].sum() == pytest.approx(1.0)
    wide = out.pivot(index="beta", columns="loket", values="bezoeken")
    # stronger decay moves visits from the far 'zuid' counter (3 km from everyone) to nearer ones
    assert wide.loc[2.0, "zuid"] < wide.loc[0.0, "zuid"]
