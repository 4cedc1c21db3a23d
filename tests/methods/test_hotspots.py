"""Tests for decentraal.hotspots against hand computations with numpy."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from decentraal.methods.hotspots import (
    IslandWarning,
    SpatialWeightsError,
    lisa,
    morans_i,
    spatial_weights,
)


def lattice(n: int, *, crs: str | None = "EPSG:28992") -> gpd.GeoDataFrame:
    """n x n unit squares, codes 'R{row}C{col}' in row-major order."""
    geoms = [box(c, r, c + 1, r + 1) for r in range(n) for c in range(n)]
    codes = [f"R{r}C{c}" for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame(geometry=geoms, index=pd.Index(codes, name="code"), crs=crs)


def rook_matrix(n: int) -> np.ndarray:
    """Binary rook adjacency of an n x n lattice, written out by hand."""
    cells = [(r, c) for r in range(n) for c in range(n)]
    return np.array([[1.0 if abs(r1 - r2) + abs(c1 - c2) == 1 else 0.0 for r2, c2 in cells] for r1, c1 in cells])


def hand_moran(y: np.ndarray, binary: np.ndarray) -> float:
    """I = (n / S0) * (z' W z) / (z' z) with W the row-standardised binary matrix."""
    w = binary / binary.sum(axis=1, keepdims=True)
    z = y - y.mean()
    n, s0 = len(y), w.sum()
    return float((n / s0) * (z @ w @ z) / (z @ z))


Y9 = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 20.0])


def test_morans_i_equals_hand_computation_on_3x3_lattice():
    gdf = lattice(3)
    w = spatial_weights(gdf, kind="rook")
    result = morans_i(pd.Series(Y9, index=gdf.index), w, permutations=99, seed=0)
    assert result["I"] == pytest.approx(hand_moran(Y9, rook_matrix(3)))
    assert result["EI"] == pytest.approx(-1 / 8)
    assert result["n"] == 9 and result["n_dropped"] == 0 and result["dropped"] == []
    assert 0 < result["p_sim"] <= 1


def test_morans_i_drops_missing_values_and_subsets_weights():
    # Drop the corner R0C0: Moran's I on the other 8 cells with the rook matrix restricted to
    # them (then row-standardised again).
    gdf = lattice(3)
    values = pd.Series(Y9, index=gdf.index)
    values.iloc[0] = np.nan
    result = morans_i(values, spatial_weights(gdf, kind="rook"), permutations=99)
    keep = np.arange(1, 9)
    assert result["I"] == pytest.approx(hand_moran(Y9[keep], rook_matrix(3)[np.ix_(keep, keep)]))
    assert result["n"] == 8 and result["n_dropped"] == 1 and result["dropped"] == ["R0C0"]


def test_morans_i_seeded_and_leaves_global_random_state_alone():
    gdf = lattice(3)
    w = spatial_weights(gdf)
    values = pd.Series(Y9, index=gdf.index)
    state = np.random.get_state()[1].copy()
    first = morans_i(values, w, permutations=199, seed=5)
    assert np.array_equal(np.random.get_state()[1], state)
    assert morans_i(values, w, permutations=199, seed=5) == first


def test_values_and_weights_must_share_codes():
    gdf = lattice(3)
    values = pd.Series(Y9, index=[f"X{i}" for i in range(9)])
    with pytest.raises(SpatialWeightsError, match=r"area codes of values and of the weights differ"):
        morans_i(values, spatial_weights(gdf))


def clustered_values(n: int = 6) -> pd.Series:
    """High values (10 + noise) in the 3 x 3 top-left block, low (0 + noise) elsewhere."""
    rng = np.random.default_rng(0)
    base = np.array([10.0 if (r < 3 and c < 3) else 0.0 for r in range(n) for c in range(n)])
    return pd.Series(base + rng.uniform(0, 1, n * n), index=lattice(n).index)


def test_lisa_reproducible_with_seed():
    gdf = lattice(6)
    w = spatial_weights(gdf, kind="rook")
    values = clustered_values()
    first = lisa(values, w, permutations=499, seed=11)
    pd.testing.assert_frame_equal(first, lisa(values, w, permutations=499, seed=11))
    assert not first["p_sim"].equals(lisa(values, w, permutations=499, seed=12)["p_sim"])
    assert first.attrs["alpha"] == 0.05 and first.attrs["seed"] == 11


def test_lisa_quadrant_labels_on_constructed_cluster():
    gdf = lattice(6)
    w = spatial_weights(gdf, kind="rook")
    values = clustered_values()
    result = lisa(values, w, permutations=999, seed=1, alpha=0.05)
    assert list(result.columns) == ["Is", "quadrant", "p_sim", "significant"]
    # The core of the high block is a significant high-high cluster.
    assert result.loc["R1C1", "quadrant"] == "Hoog-Hoog"
    assert result.loc["R1C1", "significant"]
    # Every label agrees with the signs of the value and of its spatial lag, by hand.
    binary = rook_matrix(6)
    z = values.to_numpy() - values.mean()
    lag = (binary / binary.sum(axis=1, keepdims=True)) @ z
    expected = np.select(
        [(z > 0) & (lag > 0), (z <= 0) & (lag <= 0), (z > 0) & (lag <= 0)],
        ["Hoog-Hoog", "Laag-Laag", "Hoog-Laag"],
        "Laag-Hoog",
    )
    significant = result["significant"].to_numpy()
    assert (result["quadrant"].to_numpy()[significant] == expected[significant]).all()
    assert (result["quadrant"][~significant] == "Niet significant").all()
    assert (result["significant"] == (result["p_sim"] < 0.05)).all()
    # A stricter alpha can only remove significant areas.
    strict = lisa(values, w, permutations=999, seed=1, alpha=0.01)
    assert strict["significant"].sum() <= significant.sum()
    assert strict.attrs["alpha"] == 0.01


def test_lisa_missing_values_isolates_and_value_at_mean():
    # Line A - B - C - D - E - F (rook). B and D have no value: "Geen gegevens". A and C
    # then have no neighbour with a value: "Geen buren". E - F remain connected.
    geoms = [box(i, 0, i + 1, 1) for i in range(6)]
    gdf = gpd.GeoDataFrame(geometry=geoms, index=list("ABCDEF"), crs="EPSG:28992")
    w = spatial_weights(gdf, kind="rook")
    values = pd.Series([1.0, np.nan, 5.0, np.nan, 3.0, 4.0], index=gdf.index)
    with pytest.warns(IslandWarning, match=r"'A', 'C'"):
        result = lisa(values, w, permutations=99)
    assert result.loc[["B", "D"], "quadrant"].tolist() == ["Geen gegevens", "Geen gegevens"]
    assert result.loc[["A", "C"], "quadrant"].tolist() == ["Geen buren", "Geen buren"]
    assert result.loc[["A", "B", "C", "D"], ["Is", "p_sim"]].isna().all().all()
    assert result.loc[["E", "F"], "p_sim"].notna().all()
    assert not result.loc[["A", "B", "C", "D"], "significant"].any()
    assert result.attrs["dropped"] == ["B", "D"] and result.attrs["isolates"] == ["A", "C"]
    with pytest.warns(IslandWarning):
        global_result = morans_i(values, w, permutations=99)
    assert global_result["isolates"] == ["A", "C"] and global_result["n"] == 4
    # If no area with a value keeps a neighbour, there is nothing to compute.
    with pytest.raises(SpatialWeightsError, match=r"no area with a value has a neighbour"):
        lisa(pd.Series([1.0, np.nan, 5.0, np.nan, 3.0, np.nan], index=gdf.index), w)

    # An area exactly at the mean has Is = 0 in every permutation; it must not be
    # reported as significant (esda gives p = 1/(permutations+1) there).
    gdf9 = lattice(3)
    flat = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], index=gdf9.index)  # R1C1 = 5 = mean
    at_mean = lisa(flat, spatial_weights(gdf9), permutations=99)
    assert at_mean.loc["R1C1", "p_sim"] == 1.0 and not at_mean.loc["R1C1", "significant"]


def test_islands_are_reported_and_attached_to_nearest():
    gdf = lattice(3)
    polder = gpd.GeoDataFrame(geometry=[box(5, 2.5, 6, 3.5)], index=pd.Index(["POLDER"], name="code"), crs=gdf.crs)
    gdf = pd.concat([gdf, polder])
    with pytest.warns(IslandWarning, match=r"'POLDER' -> 'R2C2'"):
        w = spatial_weights(gdf, kind="queen")
    assert len(w.isolates) == 0
    assert list(w.unique_ids) == list(gdf.index)
    assert w.neighbors["POLDER"] == ("R2C2",)
    assert "POLDER" in w.neighbors["R2C2"]  # attached in both directions
    row_sums = w.adjacency.groupby(level=0).sum()
    assert np.allclose(row_sums, 1.0)  # row-standardised


def test_no_warning_without_islands_and_knn_needs_projected_crs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = spatial_weights(lattice(3), kind="queen")
    assert w.transformation == "R"
    assert w.cardinalities["R1C1"] == 8
    knn = spatial_weights(lattice(3), kind="knn", k=2)
    assert (knn.cardinalities == 2).all()
    with pytest.raises(SpatialWeightsError, match=r"reproject it to a projected CRS"):
        spatial_weights(lattice(3, crs="EPSG:4326"), kind="knn")
    with pytest.raises(ValueError, match=r"kind is 'hex' but must be 'queen', 'rook' or 'knn'"):
        spatial_weights(lattice(3), kind="hex")  # type: ignore[arg-type]
