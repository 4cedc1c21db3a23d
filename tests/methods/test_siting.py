"""Tests for decentraal.siting: spopt MCLP / p-median against brute force."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from decentraal.errors import DataError, ParameterError
from decentraal.methods.siting import (
    distance_matrix,
    evaluate_sites,
    scenarios,
    solve_mclp,
    solve_pmedian,
    weighted_quantile,
)

EXISTING = ["centraal"]


def _instance(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """8 areas, 1 existing counter + 5 candidates on a 6 x 6 km square."""
    rng = np.random.default_rng(seed)
    areas = rng.uniform(0, 6, (8, 2))
    sites = rng.uniform(0, 6, (6, 2))
    d = np.linalg.norm(areas[:, None, :] - sites[None, :, :], axis=2)
    cost = pd.DataFrame(d, index=[f"BU{i:08d}" for i in range(8)], columns=["centraal", "k1", "k2", "k3", "k4", "k5"])
    weights = pd.Series(rng.integers(100, 2000, 8).astype(float), index=cost.index)
    return cost, weights


def _brute_mclp(cost: pd.DataFrame, w: pd.Series, radius: float, k: int) -> float:
    cands = [c for c in cost.columns if c not in EXISTING]
    best = -1.0
    for combo in itertools.combinations(cands, k):
        dmin = cost[EXISTING + list(combo)].min(axis=1)
        best = max(best, float(w[dmin <= radius].sum()))
    return best


def _brute_pmedian(cost: pd.DataFrame, w: pd.Series, k: int) -> float:
    cands = [c for c in cost.columns if c not in EXISTING]
    return min(
        float((w * cost[EXISTING + list(combo)].min(axis=1)).sum()) for combo in itertools.combinations(cands, k)
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [1, 2])
def test_mclp_matches_brute_force(seed: int, k: int) -> None:
    cost, w = _instance(seed)
    radius = 1.5
    res = solve_mclp(cost, w, radius_km=radius, k_new=k, existing=EXISTING)
    assert res.status == "Optimal"
    assert res.objective == pytest.approx(_brute_mclp(cost, w, radius, k))
    assert "centraal" in res.open_sites
    assert len(res.open_sites) == 1 + k and len(res.new_sites) == k
    # the tie-break never sacrifices coverage
    plain = solve_mclp(cost, w, radius_km=radius, k_new=k, existing=EXISTING, tie_break="none")
    assert plain.objective == pytest.approx(res.objective)
    assert res.mean_distance_km <= plain.mean_distance_km + 1e-9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mclp_tie_break_picks_closest_among_coverage_optima(seed: int) -> None:
    cost, w = _instance(seed)
    radius, k = 1.5, 2
    res = solve_mclp(cost, w, radius_km=radius, k_new=k, existing=EXISTING)
    cands = [c for c in cost.columns if c not in EXISTING]
    best_cov = _brute_mclp(cost, w, radius, k)
    best_dist = min(
        float((w * cost[EXISTING + list(c)].min(axis=1)).sum())
        for c in itertools.combinations(cands, k)
        if float(w[cost[EXISTING + list(c)].min(axis=1) <= radius].sum()) == pytest.approx(best_cov)
    )
    assert float((w * res.distance_km).sum()) == pytest.approx(best_dist)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [1, 2])
def test_pmedian_matches_brute_force(seed: int, k: int) -> None:
    cost, w = _instance(seed)
    res = solve_pmedian(cost, w, k_new=k, existing=EXISTING, radius_km=1.5)
    assert res.status == "Optimal"
    assert res.objective == pytest.approx(_brute_pmedian(cost, w, k))
    assert "centraal" in res.open_sites
    assert res.mean_distance_km == pytest.approx(res.objective / w.sum())
    # assignment is to the nearest open site
    for area, site in res.assignment.items():
        assert cost.loc[area, site] == pytest.approx(cost.loc[area, res.open_sites].min())


def test_existing_counter_is_kept_even_when_useless() -> None:
    # existing counter far from everything: without the predefined constraint it would be dropped
    cost = pd.DataFrame(
        {"centraal": [50.0, 50.0, 50.0], "a": [0.0, 1.0, 9.0], "b": [9.0, 1.0, 0.0]}, index=["x", "y", "z"]
    )
    w = pd.Series([1.0, 1.0, 1.0], index=cost.index)
    for res in (
        solve_mclp(cost, w, radius_km=1.0, k_new=1, existing=["centraal"]),
        solve_pmedian(cost, w, k_new=1, existing=["centraal"]),
    ):
        assert res.open_sites[0] == "centraal" and len(res.open_sites) == 2


def test_k0_metrics_hand_computed() -> None:
    cost = pd.DataFrame(
        {"centraal": [0.5, 1.5, 2.5, 4.0], "k1": [3.0, 0.2, 0.1, 1.0]}, index=["a", "b", "c", "d"]
    )
    w = pd.Series([10.0, 20.0, 30.0, 40.0], index=cost.index)
    for res in (
        solve_mclp(cost, w, radius_km=2.0, k_new=0, existing=EXISTING),
        solve_pmedian(cost, w, radius_km=2.0, k_new=0, existing=EXISTING),
    ):
        assert res.open_sites == ["centraal"] and res.new_sites == []
        assert res.covered_weight == 30.0  # areas a (0.5) and b (1.5) within 2 km
        assert res.covered_share == pytest.approx(0.3)
        assert res.mean_distance_km == pytest.approx((5 + 30 + 75 + 160) / 100)  # 2.7
        # cumulative weight by distance: 10, 30, 60, 100 -> 90 % first reached at 4.0 km
        assert res.p90_distance_km == 4.0
        assert res.max_distance_km == 4.0
    assert solve_pmedian(cost, w, k_new=0, existing=EXISTING).objective == pytest.approx(270.0)

    table = scenarios(cost, w, radius_km=2.0, k_max=1, existing=EXISTING)
    assert len(table) == 4
    k0 = table[table["k_new"] == 0].set_index("model")
    assert k0.loc["mclp", "objective"] == 30.0 and k0.loc["pmedian", "objective"] == pytest.approx(270.0)
    assert k0.loc["mclp", "new_sites"] == ()
    k1 = table[table["k_new"] == 1].set_index("model")
    assert k1.loc["mclp", "covered_weight"] == 100.0
    assert k1.loc["pmedian", "open_sites"] == ("centraal", "k1")


def test_scenarios_columns_and_rows() -> None:
    cost, w = _instance(0)
    table = scenarios(cost, w, radius_km=1.5, k_max=3, existing=EXISTING)
    assert list(table.columns) == [
        "model", "k_new", "n_open", "new_sites", "open_sites", "radius_km", "covered_weight", "covered_share",
        "mean_distance_km", "p90_distance_km", "max_distance_km", "objective", "status",
    ]
    assert len(table) == 8
    mclp = table[table["model"] == "mclp"]["covered_weight"].to_numpy()
    assert np.all(np.diff(mclp) >= -1e-9)  # more counters never cover less
    pmed = table[table["model"] == "pmedian"]["objective"].to_numpy()
    assert np.all(np.diff(pmed) <= 1e-9)


def test_deterministic() -> None:
    cost, w = _instance(4)
    a = solve_mclp(cost, w, radius_km=1.5, k_new=2, existing=EXISTING)
    b = solve_mclp(cost, w, radius_km=1.5, k_new=2, existing=EXISTING)
    assert a.new_sites == b.new_sites


def test_input_errors() -> None:
    cost, w = _instance(0)
    with pytest.raises(ParameterError, match="exceeds"):
        solve_pmedian(cost, w, k_new=6, existing=EXISTING)
    with pytest.raises(ParameterError, match="nowhere"):
        solve_pmedian(cost, w, k_new=1, existing=["nowhere"])
    with pytest.raises(DataError, match="different areas"):
        solve_pmedian(cost, w.iloc[:-1], k_new=1, existing=EXISTING)


def test_weighted_quantile_definition() -> None:
    assert weighted_quantile([1, 2, 3], [1, 1, 1], 0.5) == 2
    assert weighted_quantile([1, 2, 3], [1, 1, 8], 0.5) == 3
    assert weighted_quantile([3, 1, 2], [0, 5, 5], 0.9) == 2  # zero weight never decides
    assert weighted_quantile([1, 2], [1, 1], 0.5) == 1  # exactly reached -> lower value


def test_distance_matrix_km_and_crs_errors() -> None:
    origins = gpd.GeoSeries([Point(100000, 480000), Point(103000, 484000)], index=["a", "b"], crs=28992)
    sites = gpd.GeoSeries([Point(100000, 480000)], index=["centraal"], crs=28992)
    d = distance_matrix(origins, sites)
    assert d.loc["b", "centraal"] == pytest.approx(5.0)
    assert list(d.index) == ["a", "b"] and list(d.columns) == ["centraal"]
    with pytest.raises(DataError, match="4326"):
        distance_matrix(origins.to_crs(4326), sites)
    with pytest.raises(DataError, match="no CRS"):
        distance_matrix(gpd.GeoSeries([Point(0, 0)]), sites)
    with pytest.raises(DataError, match="Polygon"):
        distance_matrix(gpd.GeoSeries([box(0, 0, 1, 1)], crs=28992), sites)


def test_evaluate_sites_matches_solver_metrics() -> None:
    cost, w = _instance(1)
    res = solve_pmedian(cost, w, k_new=2, existing=EXISTING, radius_km=1.5)
    ev = evaluate_sites(cost, w, res.open_sites, radius_km=1.5, existing=EXISTING)
    assert ev.new_sites == res.new_sites
    assert ev.objective == pytest.approx(res.objective)
    assert ev.covered_weight == res.covered_weight
    pd.testing.assert_series_equal(ev.assignment, res.assignment)
