"""Area layers at buurt, wijk, stadsdeel and gemeente level, and a vintage check.

Geometry vintages are explicit in the column ``geometriebron``:

* buurt: CBS/PDOK 2019 generalised polygons (the 2019 and 2024 buurt code sets match; checked
  by :func:`vintage_report`);
* wijk: PDOK Wijk- en Buurtkaart 2024 polygons where available (Haarlem), otherwise the
  dissolved 2019 buurt polygons (Zandvoort);
* stadsdeel (Haarlem only): 2024 wijk polygons dissolved with the crosswalk compiled from public
  sources (not an official table);
* gemeente: the wijk layer dissolved.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from decentraal.config import CRS
from decentraal.errors import DataError
from decentraal.methods.joins import join_report

AREA_COLUMNS = ["code", "naam", "niveau", "gemeentecode", "gemeentenaam", "wijkcode", "stadsdeelcode", "geometriebron"]

#: A counter may lie at most this far (m) outside its municipality's (generalised) boundary.
MAX_OUTSIDE_M = 500.0

GEOMETRIEBRON = {
    "buurt": "CBS/PDOK buurten 2019 (gegeneraliseerd)",
    "wijk_pdok": "PDOK Wijk- en Buurtkaart 2024",
    "wijk_dissolve": "samengevoegde buurten 2019 (gegeneraliseerd)",
    "stadsdeel": "samengevoegde wijken 2024, indeling samengesteld uit openbare bronnen",
    "gemeente": "samengevoegde wijken",
}


def buurt_layer(buurten: gpd.GeoDataFrame, stadsdelen: pd.DataFrame) -> gpd.GeoDataFrame:
    """Buurt polygons with harmonised columns, including the stadsdeel of their wijk (if any)."""
    out = buurten.copy()
    out["niveau"] = "buurt"
    out["stadsdeelcode"] = out["wijkcode"].map(stadsdelen.set_index("wijkcode")["stadsdeelcode"])
    out["geometriebron"] = GEOMETRIEBRON["buurt"]
    return gpd.GeoDataFrame(out[AREA_COLUMNS + ["geometry"]], geometry="geometry", crs=CRS)


def wijk_layer(buurten: gpd.GeoDataFrame, wijken_pdok: gpd.GeoDataFrame, stadsdelen: pd.DataFrame) -> gpd.GeoDataFrame:
    """Wijk polygons: PDOK 2024 where available, dissolved buurten for the other gemeenten.

    Raises
    ------
    DataError
        If a PDOK wijk has no buurten, or a gemeente is only partly covered by the PDOK layer.
    """
    names = buurten.drop_duplicates("wijkcode").set_index("wijkcode")[["wijknaam", "gemeentecode", "gemeentenaam"]]
    unknown = sorted(set(wijken_pdok["code"]) - set(names.index))
    if unknown:
        raise DataError(f"wijk polygon(s) {', '.join(unknown)} have no buurten in the buurt layer; the vintages do not match.")
    pdok_gemeenten = set(wijken_pdok["gemeentecode"])
    partial = [g for g in pdok_gemeenten if set(names.index[names["gemeentecode"] == g]) - set(wijken_pdok["code"])]
    if partial:
        raise DataError(f"the PDOK wijk layer covers only part of {', '.join(partial)}; supply all its wijken or none.")
    pdok = gpd.GeoDataFrame(
        {"code": wijken_pdok["code"], "geometriebron": GEOMETRIEBRON["wijk_pdok"]},
        geometry=wijken_pdok.geometry.to_crs(CRS), crs=CRS,
    )
    rest = buurten.loc[~buurten["gemeentecode"].isin(pdok_gemeenten)]
    dissolved = rest.dissolve(by="wijkcode", as_index=False)[["wijkcode", "geometry"]].rename(columns={"wijkcode": "code"})
    dissolved["geometriebron"] = GEOMETRIEBRON["wijk_dissolve"]
    out = pd.concat([pdok, dissolved], ignore_index=True)
    out["naam"] = out["code"].map(names["wijknaam"])
    out["gemeentecode"] = out["code"].map(names["gemeentecode"])
    out["gemeentenaam"] = out["code"].map(names["gemeentenaam"])
    out["wijkcode"] = out["code"]
    out["stadsdeelcode"] = out["code"].map(stadsdelen.set_index("wijkcode")["stadsdeelcode"])
    out["niveau"] = "wijk"
    out = out.sort_values("code", ignore_index=True)
    return gpd.GeoDataFrame(out[AREA_COLUMNS + ["geometry"]], geometry="geometry", crs=CRS)


def stadsdeel_layer(wijken: gpd.GeoDataFrame, stadsdelen: pd.DataFrame) -> gpd.GeoDataFrame:
    """Stadsdeel polygons dissolved from the wijken listed in the crosswalk.

    Raises
    ------
    DataError
        If a crosswalk wijk is not in the wijk layer, or a wijk of a gemeente that has
        stadsdelen is missing from the crosswalk.
    """
    report = join_report(
        wijken.loc[wijken["gemeentecode"].isin({"GM" + c[2:6] for c in stadsdelen["wijkcode"]})],
        stadsdelen.rename(columns={"wijkcode": "code", "wijknaam": "naam"}),
        left_name="wijk layer", right_name="stadsdeel crosswalk",
    )
    if not report.empty:
        detail = "; ".join(f"{r.code} {r.naam} only in {r.aanwezig_in}" for r in report.itertuples())
        raise DataError(f"wijk layer and stadsdeel crosswalk disagree: {detail}. Fix data/raw/stadsdelen/.")
    merged = wijken.merge(stadsdelen[["wijkcode", "stadsdeel"]], on="wijkcode", how="inner", suffixes=("_w", ""))
    merged = merged.drop(columns="stadsdeelcode").merge(stadsdelen[["wijkcode", "stadsdeelcode"]], on="wijkcode")
    out = merged.dissolve(by="stadsdeelcode", as_index=False, aggfunc={"stadsdeel": "first", "gemeentecode": "first", "gemeentenaam": "first"})
    out = out.rename(columns={"stadsdeel": "naam"})
    out["code"] = out["stadsdeelcode"]
    out["niveau"] = "stadsdeel"
    out["wijkcode"] = pd.NA
    out["geometriebron"] = GEOMETRIEBRON["stadsdeel"]
    return gpd.GeoDataFrame(out[AREA_COLUMNS + ["geometry"]], geometry="geometry", crs=CRS)


def gemeente_layer(wijken: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Gemeente polygons dissolved from the wijk layer."""
    out = wijken.dissolve(by="gemeentecode", as_index=False, aggfunc={"gemeentenaam": "first"})
    out["code"] = out["gemeentecode"]
    out["naam"] = out["gemeentenaam"]
    out["niveau"] = "gemeente"
    out["wijkcode"] = pd.NA
    out["stadsdeelcode"] = pd.NA
    out["geometriebron"] = GEOMETRIEBRON["gemeente"]
    return gpd.GeoDataFrame(out[AREA_COLUMNS + ["geometry"]], geometry="geometry", crs=CRS)


def build_area_layers(buurten: gpd.GeoDataFrame, wijken_pdok: gpd.GeoDataFrame, stadsdelen: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """All area layers, keyed by level (buurt, wijk, stadsdeel, gemeente)."""
    buurt = buurt_layer(buurten, stadsdelen)
    wijk = wijk_layer(buurten, wijken_pdok, stadsdelen)
    return {
        "buurt": buurt,
        "wijk": wijk,
        "stadsdeel": stadsdeel_layer(wijk, stadsdelen),
        "gemeente": gemeente_layer(wijk),
    }


def vintage_report(statistics: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame], *, statistics_name: str) -> pd.DataFrame:
    """Compare the code sets of a statistics table with the polygons, level by level.

    Returns the concatenated :func:`decentraal.joins.join_report` rows with a ``niveau``
    column; empty when the statistics (e.g. KWB 2024) and the geometry (buurten 2019, wijken
    2024) hold exactly the same codes.
    """
    parts = []
    for level in ("buurt", "wijk", "gemeente"):
        stats = statistics.loc[statistics["niveau"] == level]
        layer = layers[level]
        stats = stats.loc[stats["gemeentecode"].isin(layer["gemeentecode"])]
        rep = join_report(layer, stats, left_name=f"{level} polygons ({layer['geometriebron'].iloc[0]})", right_name=statistics_name)
        parts.append(rep.assign(niveau=level))
    return pd.concat(parts, ignore_index=True)


def population_weighted_centres(areas: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame, population: pd.Series) -> gpd.GeoDataFrame:
    """Population-weighted centre of each area from its buurt centroids.

    Parameters
    ----------
    areas
        Target areas with ``code`` (e.g. wijken).
    buurten
        Buurt layer with ``code`` and the parent code column matching ``areas`` level
        (``wijkcode`` for wijken).
    population
        Inhabitants per buurt code; buurten without inhabitants get weight 0. An area whose
        buurten all lack inhabitants falls back to its polygon centroid (column ``methode``).
    """
    level = areas["niveau"].iloc[0]
    parent = {"wijk": "wijkcode", "stadsdeel": "stadsdeelcode", "gemeente": "gemeentecode", "buurt": "code"}[level]
    pts = buurten.assign(
        _x=buurten.geometry.centroid.x, _y=buurten.geometry.centroid.y,
        _w=buurten["code"].map(population).fillna(0.0),
    )
    pts = pts.loc[pts[parent].notna()]
    sums = pts.assign(_wx=pts["_x"] * pts["_w"], _wy=pts["_y"] * pts["_w"]).groupby(parent)[["_wx", "_wy", "_w"]].sum()
    centroid = areas.set_index("code").geometry.centroid
    x = (sums["_wx"] / sums["_w"]).where(sums["_w"] > 0).reindex(areas["code"])
    y = (sums["_wy"] / sums["_w"]).where(sums["_w"] > 0).reindex(areas["code"])
    methode = x.notna().map({True: "bevolkingsgewogen zwaartepunt van de buurten", False: "zwaartepunt van het gebied (geen inwoners bekend)"})
    x = x.fillna(centroid.x.reindex(areas["code"]))
    y = y.fillna(centroid.y.reindex(areas["code"]))
    return gpd.GeoDataFrame(
        {"code": areas["code"].to_numpy(), "naam": areas["naam"].to_numpy(), "methode": methode.to_numpy()},
        geometry=gpd.points_from_xy(x.to_numpy(), y.to_numpy()), crs=CRS,
    )


def locate_counters(loketten: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Points for the existing counters: their own x/y when given, else the centroid of their area.

    The column ``locatiebron`` (from the file) says which; an unknown ``gebiedcode`` raises a
    :class:`DataError` naming the counter.
    """
    centroids = pd.concat([layers["buurt"], layers["wijk"]]).set_index("code").geometry.centroid
    missing = sorted(set(loketten["gebiedcode"]) - set(centroids.index))
    if missing:
        raise DataError(
            f"loketten: gebiedcode(s) {', '.join(missing)} are not buurten or wijken of the data; "
            "use a BU/WK code of the area that contains the address."
        )
    x = loketten["x"].fillna(loketten["gebiedcode"].map(centroids.x))
    y = loketten["y"].fillna(loketten["gebiedcode"].map(centroids.y))
    points = gpd.GeoDataFrame(loketten.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(x, y), crs=CRS)
    if "gemeente" in layers:
        own = layers["gemeente"].set_index("code").geometry.reindex(points["gemeentecode"]).to_numpy()
        distance = points.geometry.distance(gpd.GeoSeries(own, crs=CRS, index=points.index))
        far = distance.isna() | (distance > MAX_OUTSIDE_M)
        if far.any():
            listed = "; ".join(f"{r.loket_id} {r.naam} ({d / 1000:.1f} km outside {r.gemeentecode})"
                               for r, d in zip(points.loc[far].itertuples(), distance[far].fillna(float("inf"))))
            raise DataError(
                f"loketten: counter(s) lie outside their municipality: {listed}; check x/y (RD New metres, "
                "EPSG:28992) or leave them empty to place the counter at the centre of its gebiedcode."
            )
    return points


def nearest_counter_km(buurten: gpd.GeoDataFrame, counters: gpd.GeoDataFrame) -> pd.Series:
    """Straight-line km from each buurt centroid to the nearest counter of its own gemeente.

    A buurt of a gemeente without a counter in ``counters`` gets NaN.
    """
    out = pd.Series(np.nan, index=buurten["code"].to_numpy(), name="afstand_loket_km")
    for gemeente, group in buurten.groupby("gemeentecode"):
        own = counters.loc[counters["gemeentecode"] == gemeente]
        if own.empty:
            continue
        centres = group.geometry.centroid
        dist = np.column_stack([centres.distance(pt).to_numpy() for pt in own.geometry]) / 1000.0
        out.loc[group["code"].to_numpy()] = dist.min(axis=1)
    return out
