"""From residents to euros: the counter chain for one municipality (notebook 03).

Demand per buurt -> candidate sites -> distance matrix -> siting scenarios (MCLP and p-median,
k = 0..K new counters) -> visits per counter (Huff choice model) -> desks for the waiting-time
norm (Erlang C) -> annual cost, cost per visit and per barrier-group resident served.

Each step is a function of :mod:`demand`, :mod:`choice`, :mod:`siting`, :mod:`capacity` and
:mod:`cost`; this module only wires them for a municipality, so that the notebook can run the
same chain for Haarlem and Zandvoort and compare them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from decentraal.config import CRS
from decentraal.errors import DataError
from decentraal.io import userfiles
from decentraal.methods import capacity, choice, cost, demand, siting, visitmodel
from decentraal.methods.geography import population_weighted_centres


@dataclass(frozen=True)
class ChainSettings:
    """Parameters of the chain (see ``configs/*.yaml`` for sources and assumptions)."""

    visits_per_resident_per_year: float
    k_max: int
    radius_km: float
    beta: float
    opening_hours_new: float
    opening_hours_existing: float
    service_minutes: float
    target_wait_minutes: float
    target_share: float
    peak_factor: float
    fixed_cost: float
    hourly_desk_cost: float


@dataclass(frozen=True)
class ChainResult:
    """Everything the notebook shows for one municipality."""

    points: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    distance: pd.DataFrame
    scenarios: pd.DataFrame
    counters: pd.DataFrame
    sensitivity: pd.DataFrame
    service_areas: pd.DataFrame


def demand_points(buurt_layer: gpd.GeoDataFrame, visits: pd.Series, barrier_index: pd.Series) -> gpd.GeoDataFrame:
    """Buurt centroids with inhabitants, visits and barrier-weighted inhabitants.

    Parameters
    ----------
    buurt_layer
        Buurten of one municipality with ``code``, ``naam``, ``wijkcode``, ``stadsdeelcode``,
        ``inwoners``, ``inwoners_65plus`` and polygons.
    visits
        Visits per year per buurt code (from :mod:`decentraal.demand`).
    barrier_index
        Composite barrier index per wijk code (z-score scale). A buurt takes the index of
        its wijk for weighting only; barrier-weighted inhabitants are
        ``inwoners * (1 + max(index, 0))``, so areas with above-average barriers count up to
        (1 + index) times, and no area counts less than its inhabitants.

    Buurten without inhabitants are left out (they have no demand); they are listed in
    ``attrs["zonder_inwoners"]``.
    """
    has_people = buurt_layer["inwoners"].fillna(0) > 0
    pts = buurt_layer.loc[has_people].copy()
    pts["geometry"] = pts.geometry.centroid
    pts["bezoeken"] = pts["code"].map(visits)
    if pts["bezoeken"].isna().any():
        raise DataError(f"no visits for buurt(en) {', '.join(pts.loc[pts['bezoeken'].isna(), 'code'])}")
    factor = 1 + pts["wijkcode"].map(barrier_index).fillna(0).clip(lower=0)
    pts["barriere_factor"] = factor
    pts["barriere_inwoners"] = pts["inwoners"] * factor
    pts = gpd.GeoDataFrame(pts, geometry="geometry", crs=buurt_layer.crs).set_index("code")
    pts.attrs["zonder_inwoners"] = buurt_layer.loc[~has_people, "code"].tolist()
    return pts


def candidate_sites(
    counters: gpd.GeoDataFrame,
    wijk_layer: gpd.GeoDataFrame,
    buurt_layer: gpd.GeoDataFrame,
    named: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Existing counters (always open) plus candidate sites.

    Candidates are the population-weighted centres of the wijken, or the named sites of
    ``named`` (columns ``naam``, ``x``, ``y`` in EPSG:28992). Returns ``site`` (id), ``naam``,
    ``soort`` (``bestaand``/``kandidaat``), ``wijkcode`` of the wijk containing the site, and
    point geometry.
    """
    existing = gpd.GeoDataFrame(
        {"site": counters["loket_id"].to_numpy(), "naam": counters["naam"].to_numpy(), "soort": "bestaand"},
        geometry=counters.geometry.to_numpy(), crs=CRS,
    )
    if named is None or named.empty:
        centres = population_weighted_centres(wijk_layer, buurt_layer, buurt_layer.set_index("code")["inwoners"])
        cands = gpd.GeoDataFrame(
            {"site": "kandidaat_" + centres["code"], "naam": "Midden van " + centres["naam"], "soort": "kandidaat"},
            geometry=centres.geometry, crs=CRS,
        )
    else:
        missing = {"naam", "x", "y"} - set(named.columns)
        if missing:
            raise DataError(f"candidate file lacks column(s) {', '.join(sorted(missing))}; expected naam,x,y (EPSG:28992)")
        cands = gpd.GeoDataFrame(
            {"site": [f"kandidaat_{i + 1}" for i in range(len(named))], "naam": named["naam"].to_numpy(), "soort": "kandidaat"},
            geometry=gpd.points_from_xy(named["x"].astype(float), named["y"].astype(float)), crs=CRS,
        )
    sites = pd.concat([existing, cands], ignore_index=True)
    joined = gpd.sjoin(sites, wijk_layer[["code", "geometry"]], how="left", predicate="within")
    sites["wijkcode"] = joined.groupby(level=0)["code"].first().reindex(sites.index)
    outside = sites.loc[sites["wijkcode"].isna() & (sites["soort"] == "kandidaat"), "naam"]
    if not outside.empty:
        raise DataError(f"candidate site(s) {', '.join(outside)} lie outside the municipality's wijken; check x/y (EPSG:28992)")
    return gpd.GeoDataFrame(sites, geometry="geometry", crs=CRS)


def service_areas(points: gpd.GeoDataFrame, distance: pd.DataFrame, open_sites: Sequence[str], new_sites: Sequence[str],
                  group: pd.Series, group_names: Mapping[str, str]) -> pd.DataFrame:
    """For each new site: which districts its nearest-counter catchment covers, by inhabitants.

    Returns ``site``, ``gebied`` (district name), ``inwoners`` and ``aandeel`` (share of the
    site's catchment), sorted by site and share.
    """
    nearest = distance[list(open_sites)].idxmin(axis=1)
    frame = pd.DataFrame({"site": nearest, "gebied": group.reindex(points.index).map(group_names), "inwoners": points["inwoners"]})
    frame = frame.loc[frame["site"].isin(new_sites)]
    out = frame.groupby(["site", "gebied"], as_index=False)["inwoners"].sum()
    out["aandeel"] = out["inwoners"] / out.groupby("site")["inwoners"].transform("sum")
    return out.sort_values(["site", "aandeel"], ascending=[True, False], ignore_index=True)


def counter_load(visits: pd.Series, shares: pd.DataFrame, sites: Sequence[str], new_sites: Sequence[str], s: ChainSettings) -> pd.DataFrame:
    """Visits, arrivals per hour, desks, utilisation and waiting for each open counter."""
    per_site = choice.allocate(visits, shares[list(sites)])
    rows = []
    for site in sites:
        hours = s.opening_hours_new if site in new_sites else s.opening_hours_existing
        lam = capacity.visits_per_hour(float(per_site[site]), opening_hours_per_week=hours, peak_factor=s.peak_factor)
        res = capacity.desks_needed(lam, s.service_minutes, target_wait_minutes=s.target_wait_minutes, target_share=s.target_share)
        rows.append({
            "site": site, "nieuw": site in new_sites, "bezoeken_per_jaar": float(per_site[site]), "openingsuren_per_week": hours,
            "aankomsten_per_uur_piek": lam, "balies": res.desks, "bezetting": res.utilisation, "kans_wachten": res.p_wait,
            "gem_wachttijd_min": res.mean_wait_minutes, "binnen_norm": res.service_level, "baliuren_per_jaar": res.desks * hours * 52,
        })
    return pd.DataFrame(rows)


def run_chain(points: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, settings: ChainSettings, *, group: pd.Series,
              group_names: Mapping[str, str], betas: Sequence[float] = (0.0, 0.25, 0.5, 1.0, 2.0)) -> ChainResult:
    """Run siting, choice, desks and cost for k = 0..K new counters.

    ``group`` maps buurt code to the district (stadsdeel or wijk) used to say which district
    each new counter serves.
    """
    s = settings
    site_index = sites.set_index("site")
    distance = siting.distance_matrix(points.geometry, site_index.geometry)
    existing = list(sites.loc[sites["soort"] == "bestaand", "site"])
    n_cand = int((sites["soort"] == "kandidaat").sum())
    k_max = min(s.k_max, n_cand)
    scen = siting.scenarios(distance, points["barriere_inwoners"], radius_km=s.radius_km, k_max=k_max, existing=existing)
    shares_cache: dict[tuple[str, ...], pd.DataFrame] = {}
    rows, loads, areas = [], [], []
    for row in scen.itertuples(index=False):
        open_sites = tuple(row.open_sites)
        if open_sites not in shares_cache:
            shares_cache[open_sites] = choice.huff_shares(distance[list(open_sites)], beta=s.beta)
        load = counter_load(points["bezoeken"], shares_cache[open_sites], open_sites, row.new_sites, s)
        loads.append(load.assign(model=row.model, k_new=row.k_new))
        hours = {site: float(h) for site, h in zip(load["site"], load["baliuren_per_jaar"]) if site in row.new_sites}
        one = cost.cost_table(
            pd.DataFrame([row._asdict()]), cost=distance, visits=points["bezoeken"], barrier_population=points["inwoners_65plus"].fillna(0),
            hourly_desk_cost=s.hourly_desk_cost, desk_hours_per_new_counter=hours or 0.0, fixed_cost_per_counter=s.fixed_cost,
            allocation="huff", beta=s.beta,
        )
        rows.append(one)
        if row.new_sites:
            areas.append(service_areas(points, distance, open_sites, row.new_sites, group, group_names).assign(model=row.model, k_new=row.k_new))
    table = pd.concat(rows, ignore_index=True)
    table["balies_nieuw"] = [
        int(l.loc[l["nieuw"], "balies"].sum()) for l in loads
    ]
    table["inwoners_binnen_afstand"] = [
        float(points.loc[distance[list(o)].min(axis=1) <= s.radius_km, "inwoners"].sum()) for o in table["open_sites"]
    ]
    counters = pd.concat(loads, ignore_index=True)
    best = scen.loc[(scen["model"] == "pmedian") & (scen["k_new"] == k_max), "open_sites"].iloc[0]
    sens = choice.sensitivity(distance[list(best)], points["bezoeken"], betas)
    svc = pd.concat(areas, ignore_index=True) if areas else pd.DataFrame(
        {"site": pd.Series(dtype=str), "gebied": pd.Series(dtype=str), "inwoners": pd.Series(dtype=float),
         "aandeel": pd.Series(dtype=float), "model": pd.Series(dtype=str), "k_new": pd.Series(dtype=int)})
    return ChainResult(points, sites, distance, table, counters, sens, svc)


def per_thousand(value: float, inhabitants: float) -> float:
    """``value`` per 1,000 inhabitants (NaN when there are none)."""
    return np.nan if not inhabitants else 1000.0 * value / inhabitants


def observed_demand(visits: pd.DataFrame, areas: pd.DataFrame, *, level_of: str, covariates: Sequence[str], family: str) -> tuple[pd.Series, visitmodel.VisitModel]:
    """Fit visit rates on the municipality's observed visits and return the fitted rate per area.

    ``visits`` is a validated visit file (:func:`decentraal.io.userfiles.validate_visits`) summed to
    one row per area (``gebied``) and year; ``areas`` holds ``code``, ``inwoners`` and the
    covariates at the level of the file. Returns the fitted yearly visits per resident per
    area code and the fitted model.
    """
    per_area = visits.groupby(["gebied", "jaar"], as_index=False)["bezoeken"].sum()
    frame = per_area.merge(areas, left_on="gebied", right_on="code", how="left")
    unknown = frame.loc[frame["inwoners"].isna(), "gebied"].unique().tolist()
    if unknown:
        raise DataError(f"visit file: area(s) {', '.join(map(str, unknown))} have no inhabitants at level {level_of}; remove or correct them")
    frame = frame.dropna(subset=list(covariates))
    model = visitmodel.fit_visit_glm(frame, count="bezoeken", exposure="inwoners", covariates=list(covariates), family=family)
    rates = model.predict_rate(areas.set_index("code")[list(covariates)].dropna())
    return rates, model


def district_grouping(layers: Mapping[str, gpd.GeoDataFrame]) -> tuple[str, pd.Series, dict[str, str]]:
    """The district level used to describe catchments: stadsdeel where it exists, else wijk.

    Returns the level, the buurt code -> district code mapping and district names.
    """
    level = "stadsdeel" if "stadsdeel" in layers else "wijk"
    group = layers["buurt"].set_index("code")["stadsdeelcode" if level == "stadsdeel" else "wijkcode"]
    return level, group, layers[level].set_index("code")["naam"].to_dict()


def chain_for(layers: Mapping[str, gpd.GeoDataFrame], existing: gpd.GeoDataFrame, visits: pd.Series, wijk_index: pd.Series,
              settings: ChainSettings, named: pd.DataFrame | None = None) -> ChainResult:
    """Demand points, sites and :func:`run_chain` for the layers of one municipality."""
    points = demand_points(layers["buurt"], visits, wijk_index)
    sites = candidate_sites(existing, layers["wijk"], layers["buurt"], named)
    _, group, names = district_grouping(layers)
    return run_chain(points, sites, settings, group=group, group_names=names)


def comparison_row(name: str, result: ChainResult, n_existing: int) -> dict[str, float | str]:
    """Key figures of a municipality per 1,000 inhabitants (now, and with one extra counter)."""
    pts, scen = result.points, result.scenarios
    now = scen.loc[(scen["model"] == "pmedian") & (scen["k_new"] == 0)].iloc[0]
    one = scen.loc[(scen["model"] == "pmedian") & (scen["k_new"] == 1)]
    inhabitants = float(pts["inwoners"].sum())
    return {
        "gemeente": name,
        "inwoners": inhabitants,
        "bezoeken per 1.000 inwoners": per_thousand(float(pts["bezoeken"].sum()), inhabitants),
        "loketten per 1.000 inwoners": per_thousand(n_existing, inhabitants),
        "aandeel 65+ (%)": 100 * float(pts["inwoners_65plus"].sum()) / inhabitants,
        "gem. afstand nu (km)": now["mean_distance_km"],
        "gem. afstand met 1 extra (km)": one["mean_distance_km"].iloc[0] if len(one) else np.nan,
        "extra kosten 1 loket per 1.000 inwoners (euro)": per_thousand(one["annual_cost_eur"].iloc[0], inhabitants) if len(one) else np.nan,
        "kosten per bezoek 1 extra loket (euro)": one["cost_per_visit_eur"].iloc[0] if len(one) else np.nan,
    }


@dataclass(frozen=True)
class ObservedDemand:
    """Demand per buurt from the municipality's visit file (see :func:`demand_from_visits`)."""

    visits: pd.Series
    model: visitmodel.VisitModel
    overdispersion: dict
    level: str
    rows: int
    mean_rate_buurten: list[str]


def demand_from_visits(visits: pd.DataFrame, layers: Mapping[str, gpd.GeoDataFrame], tables: Mapping[str, pd.DataFrame],
                       weights: Mapping[str, float], *, source_name: str, family: str, min_share: float = 0.5) -> ObservedDemand:
    """Fit visit rates on observed visits (buurt or wijk codes) and turn them into visits per buurt.

    The file is validated (:func:`decentraal.io.userfiles.validate_visits`); the covariates are the
    standardised barrier indicators that are known for every area at the file's level. A buurt
    whose area has no fitted rate (a covariate missing) gets the mean fitted rate; those buurten
    are listed in ``mean_rate_buurten`` so the report can name them.
    """
    from decentraal.methods import indicators

    buurten = layers["buurt"].set_index("code")
    valid = userfiles.validate_visits(visits, source_name=source_name, valid_codes=set(buurten.index) | set(layers["wijk"]["code"]))
    level = "buurt" if valid["gebied"].str.startswith("BU").all() else "wijk"
    z, _, _, _ = indicators.barrier_index(tables[level], dict(weights), min_share=min_share)
    covariates = [c for c in z.columns if z[c].notna().all()]
    areas = tables[level].set_index("code")[["inwoners"]].join(z[covariates]).reset_index()
    rates, model = observed_demand(valid, areas, level_of=level, covariates=covariates, family=family)
    key = buurten.index.to_series() if level == "buurt" else buurten["wijkcode"]
    rate = key.map(rates)
    has_people = buurten["inwoners"].fillna(0) > 0
    filled = sorted(rate.index[rate.isna() & has_people])
    per_buurt = (buurten["inwoners"].fillna(0) * rate.fillna(rates.mean())).rename("bezoeken_per_jaar")
    return ObservedDemand(per_buurt, model, visitmodel.overdispersion_test(model), level, len(valid), filled)
