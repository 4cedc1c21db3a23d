"""Tests for decentraal.methods.demandpoints: residents spread over points inside each buurt."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from decentraal.errors import DataError, ParameterError
from decentraal.methods.demandpoints import demand_points, points_per_buurt

COLUMNS = ["inwoners", "inwoners_65plus", "bezoeken"]


def _buurten() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Square, rectangle, L-shape, two-part, thin sliver, tiny, large and an empty buurt."""
    ell = Polygon([(0, 0), (800, 0), (800, 200), (200, 200), (200, 800), (0, 800)])
    geoms = {
        "BU01": box(0, 0, 500, 500),
        "BU02": box(1000, 0, 2400, 300),
        "BU03": ell,
        "BU04": MultiPolygon([box(3000, 0, 3300, 300), box(3500, 0, 3700, 200)]),
        "BU05": box(4000, 0, 4900, 12),  # 900 x 12 m strip
        "BU06": box(5000, 0, 5040, 40),  # 40 x 40 m
        "BU07": box(6000, 0, 8000, 2000),  # 4 km2
        "BU08": box(9000, 0, 9500, 500),  # no inhabitants
        "BU09": box(10000, 0, 10300, 300),  # polygon only, no totals
    }
    gdf = gpd.GeoDataFrame({"code": list(geoms), "naam": list(geoms)}, geometry=list(geoms.values()), crs="EPSG:28992")
    totals = pd.DataFrame(
        {
            "inwoners": [1234.0, 877.0, 3001.0, 45.0, 13.0, 7.0, 10_000.0, 0.0],
            "inwoners_65plus": [210.0, 95.0, 512.0, 9.0, 0.0, 2.0, 1_733.0, 0.0],
            "bezoeken": [812.37, 402.1, 1999.999, 31.3, 8.0, 4.9, 6_543.21, 0.0],
        },
        index=[f"BU0{i}" for i in range(1, 9)],
    )
    return gdf, totals


def test_weights_sum_exactly_to_the_buurt_totals() -> None:
    gdf, totals = _buurten()
    pts = demand_points(gdf, totals)
    inhabited = totals.index[totals["inwoners"] > 0]
    assert set(pts["code"]) == set(inhabited)
    for code, group in pts.groupby("code"):
        for col in COLUMNS:
            values = group[col].tolist()
            # exact, whatever the order of summation
            assert sum(values) == totals.loc[code, col]
            assert sum(reversed(values)) == totals.loc[code, col]
            assert math.fsum(values) == totals.loc[code, col]
            assert float(np.sum(values)) == totals.loc[code, col]
    grouped = pts.groupby("code")[COLUMNS].sum()
    pd.testing.assert_frame_equal(grouped, totals.loc[grouped.index], check_names=False)


def test_points_carry_equal_shares() -> None:
    gdf, totals = _buurten()
    pts = demand_points(gdf, totals)
    expected = pts["code"].map(totals["inwoners"]) / pts["n_punten"]
    np.testing.assert_allclose(pts["inwoners"], expected, rtol=1e-13)
    assert (pts[COLUMNS] >= 0).all().all()


def test_points_lie_inside_their_own_polygon() -> None:
    gdf, totals = _buurten()
    pts = demand_points(gdf, totals)
    polys = gdf.set_index("code").geometry
    assert all(polys[c].contains(p) for c, p in zip(pts["code"], pts.geometry))
    assert pts.crs.to_epsg() == 28992
    assert set(pts.geom_type) == {"Point"}
    assert pts.index.is_unique and pts.index.name == "punt"


def test_uninhabited_buurten_and_buurten_without_totals_get_no_points() -> None:
    gdf, totals = _buurten()
    pts = demand_points(gdf, totals)
    assert "BU08" not in set(pts["code"])
    assert "BU09" not in set(pts["code"])


def test_number_of_points_follows_area() -> None:
    gdf, totals = _buurten()
    pts = demand_points(gdf, totals, km2_per_point=0.025, min_points=5, max_points=20)
    n = pts.groupby("code").size()
    regular = ["BU01", "BU02", "BU03", "BU04", "BU07"]
    assert ((n[regular] >= 5) & (n[regular] <= 20)).all()
    # 4 km2: target capped at 20; a square grid on a square gives 16 or 25, so 16
    assert n["BU07"] == 16
    target = pd.Series(points_per_buurt(gdf.set_index("code").area[regular] / 1e6), index=regular)
    assert (abs(n[regular] - target) <= np.maximum(2, 0.25 * target)).all()
    assert (pts.groupby("code")["n_punten"].first() == n).all()
    # too small or too thin for a grid: still at least one point, never more than max_points
    assert 1 <= n["BU06"] <= 20 and 1 <= n["BU05"] <= 20
    assert n.max() <= 20


def test_points_per_buurt_bounds() -> None:
    assert points_per_buurt([0.0, 0.1, 0.3, 10.0], km2_per_point=0.025).tolist() == [5, 5, 12, 20]
    assert points_per_buurt([0.3], km2_per_point=0.1, min_points=2, max_points=3).tolist() == [3]


def test_deterministic_and_inputs_not_mutated() -> None:
    gdf, totals = _buurten()
    g0, t0 = gdf.copy(), totals.copy()
    a = demand_points(gdf, totals)
    b = demand_points(gdf, totals)
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert a.geometry.geom_equals(b.geometry).all()
    pd.testing.assert_frame_equal(totals, t0)
    assert gdf.geometry.geom_equals(g0.geometry).all()


def test_coverage_is_no_longer_all_or_nothing() -> None:
    """A counter at the edge of a buurt covers part of its residents."""
    gdf = gpd.GeoDataFrame({"code": ["BU1"]}, geometry=[box(0, 0, 1000, 1000)], crs="EPSG:28992")
    totals = pd.DataFrame({"inwoners": [1000.0]}, index=["BU1"])
    pts = demand_points(gdf, totals)
    d = np.hypot(pts.geometry.x - 0.0, pts.geometry.y - 500.0) / 1000  # counter on the west edge
    covered = pts.loc[d <= 0.6, "inwoners"].sum()
    assert 0 < covered < 1000


def test_real_haarlem_buurten(built) -> None:
    layers, _, _ = built
    buurt = layers["buurt"]
    totals = buurt.set_index("code")[["inwoners", "inwoners_65plus"]].fillna(0.0)
    totals.loc[totals["inwoners"] == 0, "inwoners_65plus"] = 0.0
    pts = demand_points(buurt, totals)
    grouped = pts.groupby("code")[["inwoners", "inwoners_65plus"]].sum()
    assert (grouped == totals.loc[grouped.index]).all().all()
    assert set(grouped.index) == set(totals.index[totals["inwoners"] > 0])
    polys = buurt.set_index("code").geometry
    assert all(polys[c].contains(p) for c, p in zip(pts["code"], pts.geometry))
    n = pts.groupby("code").size()
    assert n.between(5, 20).all()


# --------------------------------------------------------------------------- errors


def test_errors_name_the_problem() -> None:
    gdf, totals = _buurten()
    with pytest.raises(DataError, match="to_crs"):
        demand_points(gdf.to_crs(4326), totals)
    with pytest.raises(DataError, match="no CRS"):
        demand_points(gdf.set_crs(None, allow_override=True), totals)
    with pytest.raises(DataError, match="without a polygon"):
        demand_points(gdf, pd.concat([totals, pd.DataFrame({"inwoners": [5.0], "inwoners_65plus": [1.0], "bezoeken": [2.0]}, index=["BU99"])]))
    nan = totals.copy()
    nan.loc["BU01", "inwoners_65plus"] = np.nan
    with pytest.raises(DataError, match=r"inwoners_65plus.*fillna"):
        demand_points(gdf, nan)
    stray = totals.copy()
    stray.loc["BU08", "bezoeken"] = 3.0
    with pytest.raises(DataError, match="BU08"):
        demand_points(gdf, stray)
    with pytest.raises(ParameterError, match="population_column"):
        demand_points(gdf, totals.rename(columns={"inwoners": "bevolking"}))
    with pytest.raises(ParameterError, match="min_points"):
        demand_points(gdf, totals, min_points=30, max_points=20)
    with pytest.raises(ParameterError, match="km2_per_point"):
        demand_points(gdf, totals, km2_per_point=0)
    dup = pd.concat([gdf, gdf.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match="duplicate codes"):
        demand_points(dup, totals)
    pts = gdf.copy()
    pts["geometry"] = gdf.geometry.centroid
    with pytest.raises(DataError, match="Polygon"):
        demand_points(pts, totals)
