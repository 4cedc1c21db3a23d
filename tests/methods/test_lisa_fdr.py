"""False-discovery-rate control of LISA (decentraal.methods.hotspots.fdr_cutoff and lisa(fdr=True)),
checked against Benjamini-Hochberg by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from decentraal.errors import ParameterError
from decentraal.methods.hotspots import fdr_cutoff, lisa, spatial_weights

P10 = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])


def bh_by_hand(p: np.ndarray, q: float) -> np.ndarray:
    """Benjamini-Hochberg step-up: reject p(1..k) for the largest k with p(k) < k q / m."""
    order = np.argsort(p)
    m = len(p)
    below = [i for i in range(1, m + 1) if p[order[i - 1]] < i * q / m]
    reject = np.zeros(m, dtype=bool)
    if below:
        reject[order[: max(below)]] = True
    return reject


def test_textbook_vector_rejects_the_first_two():
    # Thresholds i * 0.05 / 10 = 0.005, 0.010, 0.015, ...: 0.001 < 0.005 and 0.008 < 0.010, then 0.039 > 0.015
    # and no later p(i) falls below its threshold, so k = 2 and the cut-off is 2 * 0.05 / 10.
    cutoff = fdr_cutoff(P10, 0.05)
    assert cutoff == pytest.approx(0.01)
    assert (P10 < cutoff).tolist() == [True, True] + [False] * 8
    assert ((P10 < cutoff) == bh_by_hand(P10, 0.05)).all()
    # Without correction five of the ten would count as significant.
    assert (P10 < 0.05).sum() == 5


def test_order_of_the_p_values_does_not_matter():
    shuffled = np.random.default_rng(3).permutation(P10)
    assert fdr_cutoff(shuffled, 0.05) == pytest.approx(0.01)


def test_step_up_rejects_all_when_the_largest_p_passes():
    # p(1) = 0.02 misses 1 * 0.05 / 4, but p(4) = 0.023 < 4 * 0.05 / 4: step-up rejects all four.
    p = np.array([0.02, 0.021, 0.022, 0.023])
    cutoff = fdr_cutoff(p, 0.05)
    assert cutoff == pytest.approx(0.05)
    assert (p < cutoff).all() and bh_by_hand(p, 0.05).all()


def test_nothing_significant_gives_the_bonferroni_bound_and_rejects_nothing():
    p = np.array([0.2, 0.5, 0.9])
    cutoff = fdr_cutoff(p, 0.05)
    assert cutoff == pytest.approx(0.05 / 3)
    assert not (p < cutoff).any()


@pytest.mark.parametrize("seed", range(5))
def test_random_vectors_agree_with_hand_bh(seed):
    p = np.random.default_rng(seed).beta(0.3, 2.0, size=40)
    assert ((p < fdr_cutoff(p, 0.1)) == bh_by_hand(p, 0.1)).all()


def test_missing_p_values_are_left_out_of_the_family():
    with_nan = np.append(P10, [np.nan, np.nan])
    assert fdr_cutoff(with_nan, 0.05) == pytest.approx(0.01)


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5])
def test_alpha_outside_zero_one_is_refused(bad):
    with pytest.raises(ParameterError, match="alpha"):
        fdr_cutoff(P10, bad)


def test_p_values_outside_zero_one_or_none_are_refused():
    with pytest.raises(ParameterError, match="between 0 and 1"):
        fdr_cutoff([0.1, 1.2])
    with pytest.raises(ParameterError, match="at least one"):
        fdr_cutoff([np.nan])


def _lattice(n: int) -> gpd.GeoDataFrame:
    geoms = [box(c, r, c + 1, r + 1) for r in range(n) for c in range(n)]
    codes = [f"R{r}C{c}" for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame(geometry=geoms, index=pd.Index(codes, name="code"), crs="EPSG:28992")


def test_lisa_with_fdr_marks_a_subset_of_the_uncorrected_areas():
    gdf = _lattice(8)
    rng = np.random.default_rng(1)
    rows = np.repeat(np.arange(8), 8)
    values = pd.Series(np.where(rows < 3, 10.0, 0.0) + rng.normal(0, 1, 64), index=gdf.index)
    w = spatial_weights(gdf, kind="queen")
    plain = lisa(values, w, permutations=999, seed=7, alpha=0.05)
    corrected = lisa(values, w, permutations=999, seed=7, alpha=0.05, fdr=True)
    assert list(corrected.columns) == list(plain.columns)
    assert (corrected["p_sim"] == plain["p_sim"]).all()  # same permutations, only the cut-off differs
    assert not (corrected["significant"] & ~plain["significant"]).any()
    cutoff = corrected.attrs["p_cutoff"]
    assert cutoff == pytest.approx(fdr_cutoff(plain["p_sim"], 0.05)) and cutoff <= 0.05
    assert (corrected["significant"] == (corrected["p_sim"] < cutoff)).all()
    assert corrected.attrs["n_significant_uncorrected"] == plain["significant"].sum()
    assert corrected.attrs["n_tests"] == 64 and corrected.attrs["fdr"] is True
    assert plain.attrs["p_cutoff"] == 0.05 and plain.attrs["fdr"] is False
    assert corrected["significant"].sum() > 0  # the high block survives the correction
    assert (corrected.loc[~corrected["significant"], "quadrant"] == "Niet significant").all()
