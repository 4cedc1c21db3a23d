"""Moran's I and LISA of a rate with empirical-Bayes standardisation (esda.Moran_Rate), against hand
computations and esda's documented example."""

from __future__ import annotations

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from decentraal.methods.hotspots import (
    SpatialWeightsError,
    eb_rate,
    lisa,
    lisa_rate,
    morans_i,
    morans_i_rate,
    spatial_weights,
)


def lattice(n: int) -> gpd.GeoDataFrame:
    geoms = [box(c, r, c + 1, r + 1) for r in range(n) for c in range(n)]
    codes = [f"R{r}C{c}" for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame(geometry=geoms, index=pd.Index(codes, name="code"), crs="EPSG:28992")


def rook_matrix(n: int) -> np.ndarray:
    cells = [(r, c) for r in range(n) for c in range(n)]
    return np.array([[1.0 if abs(r1 - r2) + abs(c1 - c2) == 1 else 0.0 for r2, c2 in cells] for r1, c1 in cells])


def hand_eb(e: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Assunção-Reis EB standardised rate, written out."""
    r = e / b
    beta = e.sum() / b.sum()
    s2 = (b * (r - beta) ** 2).sum() / b.sum()
    alpha = s2 - beta / b.mean()
    v = alpha + beta / b
    v = np.where(v < 0, beta / b, v)
    return (r - beta) / np.sqrt(v)


def hand_moran(y: np.ndarray, binary: np.ndarray) -> float:
    w = binary / binary.sum(axis=1, keepdims=True)
    z = y - y.mean()
    return float((len(y) / w.sum()) * (z @ w @ z) / (z @ z))


# 3 x 3 lattice: older inhabitants concentrated in the top row, bases from 20 to 2000.
EVENTS = np.array([40.0, 300.0, 9.0, 10.0, 60.0, 2.0, 5.0, 30.0, 1.0])
BASE = np.array([100.0, 1000.0, 20.0, 80.0, 400.0, 30.0, 60.0, 2000.0, 25.0])


def test_eb_rate_reproduces_esdas_documented_example():
    # esda.smoothing.assuncao_rate docstring: e and b for 8 regions, first four standardised rates.
    e = pd.Series([30, 25, 25, 15, 33, 21, 30, 20], dtype=float)
    b = pd.Series([100, 100, 110, 90, 100, 90, 110, 90], dtype=float)
    assert eb_rate(e, b).to_numpy()[:4] == pytest.approx([1.03843594, -0.04099089, -0.56250375, -1.73061861])
    assert eb_rate(e, b).to_numpy() == pytest.approx(hand_eb(e.to_numpy(), b.to_numpy()))


def test_eb_rate_shrinks_small_bases_more_than_raw_standardisation():
    e, b = pd.Series(EVENTS), pd.Series(BASE)
    eb = eb_rate(e, b).to_numpy()
    assert eb == pytest.approx(hand_eb(EVENTS, BASE))
    raw = EVENTS / BASE
    beta = EVENTS.sum() / BASE.sum()
    # Same sign as the raw deviation from the overall rate.
    assert (np.sign(eb) == np.sign(raw - beta)).all()


def test_morans_i_rate_equals_hand_moran_of_the_eb_rate():
    gdf = lattice(3)
    w = spatial_weights(gdf, kind="rook")
    e, b = pd.Series(EVENTS, index=gdf.index), pd.Series(BASE, index=gdf.index)
    result = morans_i_rate(e, b, w, permutations=99, seed=0)
    assert result["I"] == pytest.approx(hand_moran(hand_eb(EVENTS, BASE), rook_matrix(3)))
    assert result["EI"] == pytest.approx(-1 / 8)
    assert result["n"] == 9 and 0 < result["p_sim"] <= 1
    # Differs from Moran's I of the raw share, which the EB standardisation corrects.
    raw = morans_i(e / b, w, permutations=99, seed=0)
    assert raw["I"] == pytest.approx(hand_moran(EVENTS / BASE, rook_matrix(3)))
    assert result["I"] != pytest.approx(raw["I"])


def test_morans_i_rate_is_esdas_moran_rate_with_the_same_seed():
    gdf = lattice(3)
    w = spatial_weights(gdf, kind="rook")
    result = morans_i_rate(pd.Series(EVENTS, index=gdf.index), pd.Series(BASE, index=gdf.index), w,
                           permutations=199, seed=5)
    state = np.random.get_state()
    np.random.seed(5)
    direct = esda.Moran_Rate(EVENTS, BASE, w, adjusted=True, permutations=199)
    np.random.set_state(state)
    assert result["I"] == pytest.approx(direct.I) and result["p_sim"] == pytest.approx(direct.p_sim)
    again = morans_i_rate(pd.Series(EVENTS, index=gdf.index), pd.Series(BASE, index=gdf.index), w,
                          permutations=199, seed=5)
    assert again["p_sim"] == result["p_sim"]


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_lisa_rate_matches_esdas_moran_local_rate():
    gdf = lattice(4)
    w = spatial_weights(gdf, kind="queen")
    rng = np.random.default_rng(2)
    base = rng.integers(20, 2000, size=16).astype(float)
    events = np.round(base * np.linspace(0.05, 0.4, 16))
    result = lisa_rate(pd.Series(events, index=gdf.index), pd.Series(base, index=gdf.index), w,
                       permutations=99, seed=3)
    direct = esda.Moran_Local_Rate(events, base, w, adjusted=True, permutations=99, seed=3)
    assert result["Is"].to_numpy() == pytest.approx(direct.Is)
    via_lisa = lisa(pd.Series(hand_eb(events, base), index=gdf.index), w, permutations=99, seed=3)
    assert result["Is"].to_numpy() == pytest.approx(via_lisa["Is"].to_numpy())


def test_missing_counts_are_left_out_like_missing_values():
    gdf = lattice(3)
    w = spatial_weights(gdf, kind="rook")
    events = pd.Series(EVENTS, index=gdf.index)
    events.iloc[4] = np.nan  # suppressed centre cell
    base = pd.Series(BASE, index=gdf.index)
    result = morans_i_rate(events, base, w, permutations=99, seed=0)
    assert result["n"] == 8 and result["dropped"] == ["R1C1"]
    keep = np.arange(9) != 4
    binary = rook_matrix(3)[np.ix_(keep, keep)]
    assert result["I"] == pytest.approx(hand_moran(hand_eb(EVENTS[keep], BASE[keep]), binary))


def test_events_above_the_base_or_negative_are_refused():
    gdf = lattice(3)
    w = spatial_weights(gdf, kind="rook")
    base = pd.Series(BASE, index=gdf.index)
    with pytest.raises(SpatialWeightsError, match="exceed the base"):
        morans_i_rate(base + 1, base, w)
    with pytest.raises(SpatialWeightsError, match="negative"):
        morans_i_rate(pd.Series(-EVENTS, index=gdf.index), base, w)
