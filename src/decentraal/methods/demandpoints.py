"""Demand points: a buurt's residents spread over several points inside its polygon.

With one point per buurt, coverage is all-or-nothing: a counter 1.49 km from the buurt's
centre covers all of its residents, one at 1.51 km none. Here each inhabited buurt gets
``n_b`` points on a regular square grid clipped to its (land) polygon, and every point carries
the same share ``1 / n_b`` of each of the buurt's totals (residents, residents 65+, visits):

    n_b = clip(round(area_b / km2_per_point), min_points, max_points)
    weight_{b,p} = total_b / n_b            (p = 1..n_b; sums to total_b per buurt)

(each share is rounded to a multiple of ``ulp(total_b)`` and the last point takes the
remainder, so the weights add up to the buurt total exactly, in any summation order).

The grid spacing is chosen per buurt, from a fixed ladder of spacings, as the one whose clipped
grid has a count closest to ``n_b`` (within ``[min_points, max_points]``; ties: the coarser
grid); grid points are cell centres anchored at the polygon's bounding box. The result is
deterministic (no random numbers, so no seed). A polygon too small or thin for any grid point
gets its ``representative_point()`` as its only point; if even the finest useful grid exceeds
``max_points`` (a comb-like polygon), ``max_points`` of its points are kept, evenly spaced in
row order.

Equal shares assume residents are spread evenly over the polygon, so pass land polygons (water
and large parks removed) where available. Points lie strictly inside the polygon
(``shapely.contains_xy``).

Pure function, no I/O; inputs are never mutated.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from decentraal.config import CRS
from decentraal.errors import DataError, ParameterError

__all__ = ["demand_points", "points_per_buurt"]

#: Default grid density: one point per 0.025 km2 (a grid of about 160 m). A median Haarlem buurt
#: (0.22 km2, generalised 2019 polygons) gets 9 points; buurten from 0.5 km2 get the maximum 20.
KM2_PER_POINT = 0.025
#: Spacings tried per buurt, as multiples of sqrt(area / n_b) (coarse to fine).
_SPACING_LADDER = np.geomspace(2.0, 0.25, 64)


def points_per_buurt(area_km2: np.ndarray | pd.Series, *, km2_per_point: float = KM2_PER_POINT, min_points: int = 5, max_points: int = 20) -> np.ndarray:
    """Target number of points per buurt: ``clip(round(area / km2_per_point), min, max)``.

    >>> points_per_buurt([0.01, 0.15, 0.22, 5.0]).tolist()
    [5, 6, 9, 20]
    """
    a = np.asarray(area_km2, dtype=float)
    return np.clip(np.rint(a / km2_per_point), min_points, max_points).astype(int)


def _equal_shares(total: np.ndarray, n: np.ndarray, last: np.ndarray) -> np.ndarray:
    """``total / n`` per point, rounded to a multiple of ``ulp(total)``; the last point takes the rest.

    Every share is a multiple of ``u = ulp(total)`` and every partial sum lies in
    ``[0, total]``, so each partial sum is exactly representable: the shares add up to
    ``total`` exactly in any order of summation. Shares differ from ``total / n`` by at most
    ``n * u`` (relative ~1e-15).
    """
    u = np.spacing(total)
    share = np.round(total / n / u) * u
    return np.where(last, total - (n - 1) * share, share)


def _grid(poly: shapely.Geometry, spacing: float) -> np.ndarray:
    xmin, ymin, xmax, ymax = poly.bounds
    xs = np.arange(xmin + spacing / 2, xmax, spacing)
    ys = np.arange(ymin + spacing / 2, ymax, spacing)
    if xs.size == 0 or ys.size == 0:
        return np.empty((0, 2))
    gx, gy = np.meshgrid(xs, ys)  # row order: y ascending, then x
    x, y = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(poly, x, y)
    return np.column_stack([x[inside], y[inside]])


def _points_in(poly: shapely.Geometry, n: int, min_points: int, max_points: int) -> np.ndarray:
    shapely.prepare(poly)
    base = np.sqrt(poly.area / n)
    best: np.ndarray | None = None
    best_key: tuple[float, int] | None = None
    for step, factor in enumerate(_SPACING_LADDER):
        pts = _grid(poly, base * factor)
        m = len(pts)
        if m == 0:
            continue
        # prefer counts within [min, max], then closest to n, then the coarser grid (earlier step)
        key = (0 if min_points <= m <= max_points else 1, abs(m - n), step)
        if best_key is None or key < best_key:
            best, best_key = pts, key
        if m > 4 * max_points:
            break
    if best is None:
        rp = poly.representative_point()
        return np.array([[rp.x, rp.y]])
    if len(best) > max_points:
        best = best[np.linspace(0, len(best) - 1, max_points).round().astype(int)]
    return best


def demand_points(
    buurten: gpd.GeoDataFrame,
    totals: pd.DataFrame,
    *,
    code_column: str = "code",
    population_column: str = "inwoners",
    km2_per_point: float = KM2_PER_POINT,
    min_points: int = 5,
    max_points: int = 20,
) -> gpd.GeoDataFrame:
    """Spread each buurt's totals over grid points inside its polygon (equal shares).

    Parameters
    ----------
    buurten : geopandas.GeoDataFrame
        Buurt (land) polygons, CRS EPSG:28992, with a unique ``code_column``. Buurten not in
        ``totals`` get no points.
    totals : pd.DataFrame
        Index = buurt codes (unique, all present in ``buurten``); numeric columns to spread,
        e.g. ``inwoners``, ``inwoners_65plus``, ``bezoeken``. Every column is spread; values
        must be finite and >= 0 (fill suppressed CBS counts first).
    code_column : str, default "code"
        Column of ``buurten`` with the buurt code.
    population_column : str, default "inwoners"
        Column of ``totals`` that decides whether a buurt is inhabited: a buurt with 0 there
        gets no points (and its other totals must then be 0 too).
    km2_per_point : float, default 0.025
        Grid density: target ``n_b = round(area_km2 / km2_per_point)`` points.
    min_points, max_points : int, default 5 and 20
        Bounds on ``n_b``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per point, index ``punt`` (``"<code>_<p>"``, unique), columns ``code`` (buurt
        code), ``n_punten`` (points of that buurt), one column per column of ``totals`` (the
        point's share), ``geometry`` (points, EPSG:28992). Per buurt and column the weights sum
        to the buurt total exactly (see the module docstring).

    Raises
    ------
    DataError
        CRS missing or not EPSG:28992, geometries not polygons, codes duplicated or missing,
        totals not finite and >= 0, an uninhabited buurt with other demand.
    ParameterError
        ``km2_per_point``, ``min_points`` or ``max_points`` invalid, unknown column names.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> poly = gpd.GeoDataFrame({"code": ["BU1", "BU2"]},
    ...     geometry=[box(0, 0, 500, 500), box(0, 600, 100, 700)], crs="EPSG:28992")
    >>> totals = pd.DataFrame({"inwoners": [1000.0, 0.0]}, index=["BU1", "BU2"])
    >>> pts = demand_points(poly, totals)
    >>> pts["code"].unique().tolist(), len(pts), float(pts["inwoners"].sum())
    (['BU1'], 9, 1000.0)
    """
    if not isinstance(buurten, gpd.GeoDataFrame):
        raise DataError(f"buurten must be a GeoDataFrame of buurt polygons, got {type(buurten).__name__}.")
    crs = buurten.crs
    if crs is None:
        raise DataError(f"buurten has no CRS; if its coordinates are RD New metres use .set_crs({CRS!r}), otherwise .to_crs({CRS!r}).")
    if crs.to_epsg() != 28992:
        raise DataError(f"buurten is in CRS {crs.to_string()!r}; grid spacing needs metres in {CRS} (RD New). Reproject with .to_crs({CRS!r}).")
    if code_column not in buurten.columns:
        raise ParameterError(f"code_column={code_column!r} is not a column of buurten (columns: {list(buurten.columns)}).")
    if not isinstance(totals, pd.DataFrame) or totals.shape[1] == 0:
        raise DataError("totals must be a DataFrame indexed by buurt code with at least one numeric column (e.g. inwoners).")
    if population_column not in totals.columns:
        raise ParameterError(f"population_column={population_column!r} is not a column of totals (columns: {list(totals.columns)}).")
    clash = [c for c in totals.columns if c in ("code", "n_punten", "geometry")]
    if clash:
        raise ParameterError(f"totals has column(s) {clash}, which the output uses itself; rename them.")
    for name, value in (("min_points", min_points), ("max_points", max_points)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ParameterError(f"{name}={value!r}; pass a whole number >= 1.")
    if min_points > max_points:
        raise ParameterError(f"min_points={min_points} > max_points={max_points}; swap them.")
    if isinstance(km2_per_point, bool) or not isinstance(km2_per_point, (int, float, np.floating, np.integer)) or not (
        np.isfinite(km2_per_point) and km2_per_point > 0
    ):
        raise ParameterError(f"km2_per_point={km2_per_point!r}; pass an area > 0 in km2, e.g. 0.025.")
    codes = buurten[code_column]
    if codes.isna().any() or not codes.is_unique:
        dup = sorted(map(str, codes[codes.duplicated()].unique()))[:10]
        raise DataError(f"buurten has missing or duplicate codes in {code_column!r} ({dup}); dissolve or drop them first.")
    if not totals.index.is_unique:
        raise DataError(f"totals has duplicate buurt codes {sorted(map(str, totals.index[totals.index.duplicated()]))[:10]}; aggregate them.")
    unknown = sorted(map(str, set(totals.index) - set(codes)))
    if unknown:
        raise DataError(f"totals has buurt code(s) without a polygon: {unknown[:10]}; add their polygons or drop them.")
    try:
        values = totals.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"totals must be numeric; non-numeric column(s): {list(totals.select_dtypes(exclude='number').columns)}.") from None
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        bad = [c for c in totals.columns if not (np.all(np.isfinite(totals[c].to_numpy(dtype=float))) and (totals[c] >= 0).all())]
        raise DataError(f"totals column(s) {bad} have missing, infinite or negative values; fill suppressed counts (e.g. .fillna(0)) first.")
    pop = totals[population_column].to_numpy(dtype=float)
    stray = totals.index[(pop == 0) & (values.sum(axis=1) > 0)]
    if len(stray):
        raise DataError(
            f"buurt(en) {sorted(map(str, stray))[:10]} have 0 {population_column} but other demand; "
            "they would get no points, so that demand would be lost. Check the totals."
        )

    geoms = buurten.set_index(code_column).geometry
    inhabited = totals.index[pop > 0]
    g = geoms.reindex(inhabited)
    if g.isna().any() or g.is_empty.any():
        raise DataError(f"buurt(en) {sorted(map(str, g.index[g.isna() | g.is_empty]))[:10]} have an empty geometry; fix the polygons.")
    types = set(g.geom_type)
    if not types <= {"Polygon", "MultiPolygon"}:
        raise DataError(f"buurten has geometry types {sorted(types)}; pass (Multi)Polygons of the buurten.")

    target = points_per_buurt(g.area.to_numpy() / 1e6, km2_per_point=km2_per_point, min_points=min_points, max_points=max_points)
    xy, owner = [], []
    for i, (poly, n) in enumerate(zip(g.to_numpy(), target)):
        pts = _points_in(poly, int(n), min_points, max_points)
        xy.append(pts)
        owner.append(np.full(len(pts), i))
    xy_all = np.vstack(xy) if xy else np.empty((0, 2))
    own = np.concatenate(owner) if owner else np.empty(0, dtype=int)
    counts = np.bincount(own, minlength=len(inhabited))
    number = np.concatenate([np.arange(c) for c in counts]) if len(counts) else np.empty(0, dtype=int)
    codes_out = inhabited.to_numpy()[own]
    data: dict[str, object] = {"code": codes_out, "n_punten": counts[own]}
    sub = totals.loc[inhabited]
    last = np.r_[number[1:] == 0, True] if len(number) else np.empty(0, dtype=bool)
    for col in totals.columns:
        data[col] = _equal_shares(sub[col].to_numpy(dtype=float)[own], counts[own], last)
    index = pd.Index([f"{c}_{p:02d}" for c, p in zip(codes_out, number)], name="punt")
    return gpd.GeoDataFrame(data, index=index, geometry=gpd.points_from_xy(xy_all[:, 0], xy_all[:, 1]), crs=CRS)
