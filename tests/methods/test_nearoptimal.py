"""Tests for decentraal.methods.nearoptimal: enumeration against a brute-force loop and spopt."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from decentraal.errors import DataError, ParameterError
from decentraal.methods.nearoptimal import (
    TABLE_COLUMNS,
    bench_siting,
    near_optimal_mclp,
    near_optimal_pmedian,
)
from decentraal.methods.siting import solve_mclp, solve_pmedian

EXISTING = ["centraal"]
RADIUS = 1.5


def _instance(seed: int, n_areas: int = 40, n_cand: int = 11) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Areas, 1 existing counter + ``n_cand`` candidates on a 7 x 7 km square; weights and a 65+ share."""
    rng = np.random.default_rng(seed)
    areas = rng.uniform(0, 7, (n_areas, 2))
    sites = rng.uniform(0, 7, (n_cand + 1, 2))
    d = np.linalg.norm(areas[:, None, :] - sites[None, :, :], axis=2)
    cost = pd.DataFrame(
        d, index=[f"BU{i:08d}" for i in range(n_areas)], columns=["centraal"] + [f"k{j:02d}" for j in range(1, n_cand + 1)]
    )
    w = pd.Series(rng.integers(100, 3000, n_areas).astype(float), index=cost.index)
    older = (w * rng.uniform(0.05, 0.4, n_areas)).round()
    return cost, w, older


def _brute(cost: pd.DataFrame, w: pd.Series, k: int, existing: list[str], radius: float | None = None,
           target: pd.Series | None = None) -> list[dict]:
    """Every subset evaluated in a plain Python loop (the reference)."""
    cands = [c for c in cost.columns if c not in existing]
    rows = []
    for combo in itertools.combinations(cands, k):
        dmin = cost[existing + list(combo)].min(axis=1)
        row = {"sites": combo, "Z": float((w * dmin).sum())}
        if radius is not None:
            row["C"] = float(w[dmin <= radius].sum())
            if target is not None:
                row["T"] = float(target[dmin <= radius].sum() / target.sum())
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- brute force


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("tol", [0.02, 0.1])
def test_pmedian_optimum_and_near_optimal_set_match_brute_force(seed: int, k: int, tol: float) -> None:
    cost, w, _ = _instance(seed)
    ref = _brute(cost, w, k, EXISTING)
    best = min(r["Z"] for r in ref)
    near = {r["sites"]: r["Z"] for r in ref if r["Z"] <= (1 + tol) * best + 1e-9}
    res = near_optimal_pmedian(cost, w, k_new=k, existing=EXISTING, tolerance=tol)
    assert res.optimum == pytest.approx(best, rel=1e-12)
    assert set(res.table["new_sites"]) == set(near)
    for sites, z in zip(res.table["new_sites"], res.table["objective"]):
        assert z == pytest.approx(near[sites], rel=1e-12)
    assert res.n_subsets == len(ref) == res.n_admissible
    assert list(res.table.columns) == list(TABLE_COLUMNS)
    assert res.table["objective"].is_monotonic_increasing
    assert res.table["gap"].iloc[0] == 0 and (res.table["gap"] <= tol + 1e-12).all()
    assert res.table["rank"].tolist() == list(range(1, len(res.table) + 1))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("tol", [0.02, 0.1])
def test_mclp_optimum_and_near_optimal_set_match_brute_force(seed: int, k: int, tol: float) -> None:
    cost, w, _ = _instance(seed)
    ref = _brute(cost, w, k, EXISTING, RADIUS)
    best = max(r["C"] for r in ref)
    near = [r for r in ref if r["C"] >= (1 - tol) * best - 1e-9]
    res = near_optimal_mclp(cost, w, radius_km=RADIUS, k_new=k, existing=EXISTING, tolerance=tol)
    assert res.optimum == best
    assert set(res.table["new_sites"]) == {r["sites"] for r in near}
    # ranking: coverage descending, then total weighted distance ascending
    expected = [r["sites"] for r in sorted(near, key=lambda r: (-r["C"], r["Z"]))]
    assert res.table["new_sites"].tolist() == expected
    assert res.table["covered_share"].iloc[0] == pytest.approx(best / w.sum())


@pytest.mark.parametrize("k", [1, 2, 3])
def test_without_existing_counters(k: int) -> None:
    cost, w, _ = _instance(5)
    ref = _brute(cost, w, k, [])
    res = near_optimal_pmedian(cost, w, k_new=k, existing=[])
    assert res.optimum == pytest.approx(min(r["Z"] for r in ref))
    assert res.n_subsets == len(ref)


# --------------------------------------------------------------------------- spopt


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_agrees_with_spopt_pmedian(seed: int, k: int) -> None:
    cost, w, _ = _instance(seed, n_areas=60, n_cand=14)
    mip = solve_pmedian(cost, w, k_new=k, existing=EXISTING)
    res = near_optimal_pmedian(cost, w, k_new=k, existing=EXISTING)
    assert res.optimum == pytest.approx(mip.objective, rel=1e-9)
    assert res.best_sites == tuple(mip.new_sites)


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_agrees_with_spopt_mclp_including_the_distance_tie_break(seed: int, k: int) -> None:
    cost, w, _ = _instance(seed, n_areas=60, n_cand=14)
    mip = solve_mclp(cost, w, radius_km=RADIUS, k_new=k, existing=EXISTING)
    res = near_optimal_mclp(cost, w, radius_km=RADIUS, k_new=k, existing=EXISTING)
    assert res.optimum == pytest.approx(mip.objective, rel=1e-12)
    assert res.best_sites == tuple(mip.new_sites)
    assert res.table["total_weighted_distance"].iloc[0] == pytest.approx(mip.mean_distance_km * w.sum())


def test_bench_siting_reports_seconds_and_agreement() -> None:
    out = bench_siting(n_areas=30, n_sites=8, k_values=(1, 2), repeat=1)
    assert list(out.columns) == ["model", "k_new", "n_subsets", "seconds_enumeration", "seconds_spopt", "speedup", "same_objective"]
    assert len(out) == 4 and out["same_objective"].all()
    assert (out["seconds_enumeration"] > 0).all() and (out["seconds_spopt"] > 0).all()
    assert out.loc[out["k_new"] == 2, "n_subsets"].tolist() == [21, 21]  # C(7, 2)


# --------------------------------------------------------------------------- target group


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("q", [0.5, 0.9])
def test_mclp_with_a_target_group_constraint_matches_brute_force(k: int, q: float) -> None:
    cost, w, older = _instance(7)
    every = _brute(cost, w, k, EXISTING, RADIUS, older)
    min_share = float(np.quantile([r["T"] for r in every], q))  # feasible, and binding for most sets
    ref = [r for r in every if r["T"] >= min_share - 1e-12]
    best = max(r["C"] for r in ref)
    res = near_optimal_mclp(cost, w, radius_km=RADIUS, k_new=k, existing=EXISTING, target=older, min_target_share=min_share)
    assert res.optimum == best
    assert set(res.table["new_sites"]) == {r["sites"] for r in ref if r["C"] >= 0.98 * best - 1e-9}
    assert (res.table["target_covered_share"] >= min_share - 1e-12).all()
    assert res.n_admissible == len(ref) < len(every)
    free = near_optimal_mclp(cost, w, radius_km=RADIUS, k_new=k, existing=EXISTING, target=older)
    assert free.optimum >= res.optimum
    assert free.table["target_covered_share"].notna().all() and free.n_admissible == len(every)


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_a_binding_target_constraint_changes_the_choice(seed: int, k: int) -> None:
    cost, w, _ = _instance(seed)
    # the target group lives only in the 6 areas farthest from the existing counter
    far = cost["centraal"].nlargest(6).index
    target = pd.Series(0.0, index=cost.index)
    target[far] = w[far]
    every = _brute(cost, w, k, EXISTING, RADIUS, target)
    free = near_optimal_mclp(cost, w, radius_km=RADIUS, k_new=k, existing=EXISTING, target=target)
    need = max(r["T"] for r in every)
    assert free.table["target_covered_share"].iloc[0] < need, "the constraint should bind on this instance"
    res = near_optimal_mclp(cost, w, radius_km=RADIUS, k_new=k, existing=EXISTING, target=target, min_target_share=need)
    assert res.optimum == max(r["C"] for r in every if r["T"] >= need - 1e-12)
    assert res.optimum < free.optimum
    assert res.table["target_covered_share"].iloc[0] == pytest.approx(need)


def test_pmedian_with_a_target_group_constraint() -> None:
    cost, w, older = _instance(8)
    free = near_optimal_pmedian(cost, w, k_new=2, existing=EXISTING, radius_km=RADIUS, target=older)
    share = free.table["target_covered_share"].iloc[0]
    ref = [r for r in _brute(cost, w, 2, EXISTING, RADIUS, older) if r["T"] > share + 1e-9]
    assert ref, "instance should allow a better 65+ coverage than the unconstrained optimum"
    need = min(r["T"] for r in ref)
    res = near_optimal_pmedian(cost, w, k_new=2, existing=EXISTING, radius_km=RADIUS, target=older, min_target_share=need)
    assert res.optimum == pytest.approx(min(r["Z"] for r in ref))
    assert res.optimum >= free.optimum


def test_infeasible_target_names_the_best_reachable_share() -> None:
    cost, w, older = _instance(0)
    with pytest.raises(ParameterError, match=r"the best reaches 0\.\d{4}"):
        near_optimal_mclp(cost, w, radius_km=0.01, k_new=1, existing=EXISTING, target=older, min_target_share=0.99)


def test_weighted_sum_is_a_weight_vector() -> None:
    cost, w, older = _instance(4)
    lam = 2.0
    res = near_optimal_mclp(cost, w + lam * older, radius_km=RADIUS, k_new=2, existing=EXISTING)
    ref = _brute(cost, w + lam * older, 2, EXISTING, RADIUS)
    assert res.optimum == max(r["C"] for r in ref)


# --------------------------------------------------------------------------- result object


def test_k_zero_is_the_existing_counters_only() -> None:
    cost, w, _ = _instance(0)
    res = near_optimal_pmedian(cost, w, k_new=0, existing=EXISTING)
    assert len(res.table) == 1 and res.best_sites == ()
    assert res.optimum == pytest.approx(float((w * cost["centraal"]).sum()))


def test_site_frequency() -> None:
    cost, w, _ = _instance(1)
    res = near_optimal_pmedian(cost, w, k_new=2, existing=EXISTING, tolerance=0.2)
    freq = res.site_frequency()
    assert ((freq > 0) & (freq <= 1)).all()
    assert freq.sum() == pytest.approx(2.0)  # each set has 2 sites
    assert freq.is_monotonic_decreasing
    one = near_optimal_pmedian(cost, w, k_new=2, existing=EXISTING, tolerance=0.0)
    assert set(one.site_frequency().index) == set(one.best_sites)


def test_zero_tolerance_keeps_only_ties_of_the_optimum() -> None:
    cost, w, _ = _instance(2)
    res = near_optimal_pmedian(cost, w, k_new=2, existing=EXISTING, tolerance=0.0)
    assert len(res.table) == 1


# --------------------------------------------------------------------------- errors


def test_errors_name_the_problem() -> None:
    cost, w, older = _instance(0)
    with pytest.raises(ParameterError, match="exceeds the 11 candidate"):
        near_optimal_pmedian(cost, w, k_new=12, existing=EXISTING)
    with pytest.raises(ParameterError, match="tolerance"):
        near_optimal_pmedian(cost, w, k_new=1, existing=EXISTING, tolerance=1.5)
    with pytest.raises(ParameterError, match="not columns of cost"):
        near_optimal_pmedian(cost, w, k_new=1, existing=["stadhuis"])
    with pytest.raises(ParameterError, match="radius_km"):
        near_optimal_pmedian(cost, w, k_new=1, existing=EXISTING, target=older, min_target_share=0.5)
    with pytest.raises(ParameterError, match="target is None"):
        near_optimal_mclp(cost, w, radius_km=1.0, k_new=1, existing=EXISTING, min_target_share=0.5)
    with pytest.raises(ParameterError, match="max_subsets"):
        near_optimal_pmedian(cost, w, k_new=3, existing=EXISTING, max_subsets=100)
    with pytest.raises(DataError, match="different areas"):
        near_optimal_pmedian(cost, w.iloc[1:], k_new=1, existing=EXISTING)
    bad = cost.copy()
    bad.iloc[0, 0] = np.nan
    with pytest.raises(DataError, match="missing, infinite or negative distances"):
        near_optimal_pmedian(bad, w, k_new=1, existing=EXISTING)
    with pytest.raises(DataError, match="negative"):
        near_optimal_pmedian(cost, -w, k_new=1, existing=EXISTING)


def test_inputs_are_not_mutated() -> None:
    cost, w, older = _instance(0)
    c0, w0 = cost.copy(), w.copy()
    near_optimal_mclp(cost, w, radius_km=RADIUS, k_new=2, existing=EXISTING, target=older)
    pd.testing.assert_frame_equal(cost, c0)
    pd.testing.assert_series_equal(w, w0)
