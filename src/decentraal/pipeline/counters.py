"""Chapter 03, from residents to euros: demand, counter sites, desks and cost.

:func:`counters` computes the whole chapter once for a :class:`~decentraal.pipeline.session.Session`
and writes its tables and layers through the session's output writer (disclosure-checked):

* ``03_vraag_<level>``: inhabitants and visits per area (population x rate, or a GLM on the
  municipality's visit file when ``vraagbron`` is ``waarnemingen``);
* ``03_producten``: the product mix (illustration, calibrated to the visit rate);
* layer ``03_locaties``: the existing counters and the candidate sites;
* ``03_scenarios``: siting scenarios (MCLP and p-median, k = 0..K new counters) with cost;
* ``03_bediende_gebieden``: the districts each new counter serves;
* layer ``03_afstand_voor_na``: distance to the nearest counter now and with K new (p-median);
* ``03_gevoeligheid_afstand``: visits per counter for several distance-decay values;
* ``03_balies``: visits, peak arrivals and desks (Erlang C) per open counter and scenario;
* ``03_kosten``: extra annual cost per scenario, per visit and per 65+ resident served;
* ``03_vergelijking_gemeenten``: key figures of every municipality per 1,000 inhabitants.

The chain per municipality (:func:`chain_for`, :func:`run_chain`) is demand points ->
candidate sites -> distance matrix -> siting (:mod:`~decentraal.methods.siting`) -> visits per
counter (Huff, :mod:`~decentraal.methods.choice`) -> desks for the waiting-time norm (Erlang C,
:mod:`~decentraal.methods.capacity`) -> cost (:mod:`~decentraal.methods.cost`). Every siting
solution keeps each area's nearest open site and its distance; coverage, served districts, cost
and the before/after map are read from it, never recomputed. The figures are drawn by
:mod:`decentraal.report.counters` and saved by the notebook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from decentraal.config import CRS, GEMEENTEN
from decentraal.errors import DataError
from decentraal.io import files, userfiles
from decentraal.methods import aggregate, capacity, choice, cost, demand, indicators, siting, visitmodel
from decentraal.methods.disclosure import suppress
from decentraal.methods.geography import population_weighted_centres
from decentraal.pipeline import common

if TYPE_CHECKING:
    from decentraal.pipeline.session import Session
    from decentraal.settings import RunParameters

#: Distance-decay values of the sensitivity table (per km; 0 = distance plays no role).
BETAS: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0)
#: Year of the informatienota (2021/547821) whose visit rate is the default.
NOTA_YEAR = 2021
#: Columns of the cost table (``03_kosten``).
COST_TABLE_COLUMNS = ["model", "k_new", "nieuwe_locaties", "balies_nieuw", "fixed_cost_eur", "desk_cost_eur",
                      "annual_cost_eur", "visits_new_counters", "cost_per_visit_eur", "barrier_residents_served",
                      "cost_per_barrier_resident_eur"]
#: Columns of the comparison of municipalities (``03_vergelijking_gemeenten``).
COMPARISON_COLUMNS = ["gemeente", "inwoners", "bezoeken_per_1000_inwoners", "loketten_per_1000_inwoners",
                      "aandeel_65plus", "afstand_nu_km", "afstand_1_extra_km", "kosten_1_extra_per_1000_inwoners",
                      "kosten_per_bezoek_1_extra"]


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True, kw_only=True)
class ChainSettings:
    """Parameters of the chain, by name (units, sources and ranges in ``configs/base.yaml``).

    Build them from the run parameters with :meth:`from_params`.
    """

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

    @classmethod
    def from_params(cls, params: RunParameters) -> ChainSettings:
        """The chain settings of a run, each read from its named run parameter."""
        return cls(
            visits_per_resident_per_year=params.bezoeken_per_inwoner_per_jaar,
            k_max=params.max_nieuwe_loketten,
            radius_km=params.dekkingsafstand_km,
            beta=params.afstandsverval_beta,
            opening_hours_new=params.openingsuren_per_week,
            opening_hours_existing=params.openingsuren_bestaand_per_week,
            service_minutes=params.bedieningstijd_minuten,
            target_wait_minutes=params.wachtnorm_minuten,
            target_share=params.wachtnorm_aandeel,
            peak_factor=params.piekfactor,
            fixed_cost=params.vaste_kosten_per_loket,
            hourly_desk_cost=params.uurkosten_balie,
        )


# --------------------------------------------------------------------------- the chain
@dataclass(frozen=True)
class ChainResult:
    """The counter chain of one municipality.

    Attributes
    ----------
    points
        Demand points (buurt centroids with inhabitants), see :func:`demand_points`.
    sites
        Existing counters and candidate sites, see :func:`candidate_sites`.
    distance
        Distance matrix in km (rows = buurt codes of ``points``, columns = site ids).
    solutions
        Every siting solution, mclp then p-median, each for k = 0..K; each keeps the nearest
        open site and its distance per area.
    scenarios
        One row per solution: the columns of :func:`decentraal.methods.siting.scenario_table`,
        the cost columns (:data:`decentraal.methods.cost.COST_COLUMNS`), ``balies_nieuw`` and
        ``inwoners_binnen_afstand``.
    counters
        Visits, peak arrivals and desks per open counter and scenario (:func:`counter_load`,
        with ``model`` and ``k_new``).
    sensitivity
        Visits per counter for several betas, for the p-median scenario with K new counters.
    service_areas
        Per new counter: the districts of its nearest-counter catchment (``site``, ``gebied``,
        ``inwoners``, ``aandeel``, ``model``, ``k_new``).
    """

    points: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    distance: pd.DataFrame
    solutions: tuple[siting.SitingResult, ...]
    scenarios: pd.DataFrame
    counters: pd.DataFrame
    sensitivity: pd.DataFrame
    service_areas: pd.DataFrame

    @property
    def k_max(self) -> int:
        """The largest number of new counters solved for (K, or fewer when there are fewer candidates)."""
        return max(r.k_new for r in self.solutions)

    def solution(self, model: str, k_new: int) -> siting.SitingResult:
        """The siting solution of ``model`` (``mclp``/``pmedian``) with ``k_new`` new counters."""
        return next(r for r in self.solutions if r.model == model and r.k_new == k_new)

    @property
    def now(self) -> siting.SitingResult:
        """The existing counters only (k = 0)."""
        return self.solutions[0]

    @property
    def best(self) -> siting.SitingResult:
        """The p-median solution with the most new counters."""
        return self.solution("pmedian", self.k_max)

    @property
    def site_names(self) -> dict[str, str]:
        """Site id -> name."""
        return dict(zip(self.sites["site"], self.sites["naam"]))


def demand_points(buurt_layer: gpd.GeoDataFrame, visits: pd.Series, barrier_index: pd.Series) -> gpd.GeoDataFrame:
    """Buurt centroids with inhabitants, visits and barrier-weighted inhabitants.

    Parameters
    ----------
    buurt_layer
        Buurten of one municipality with ``code``, ``naam``, ``wijkcode``, ``stadsdeelcode``,
        ``inwoners``, ``inwoners_65plus`` and polygons.
    visits
        Visits per year per buurt code (from :mod:`decentraal.methods.demand`).
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


def service_areas(points: gpd.GeoDataFrame, solution: siting.SitingResult, group: pd.Series,
                  group_names: Mapping[str, str]) -> pd.DataFrame:
    """For each new site of ``solution``: which districts its nearest-counter catchment covers.

    The catchment is read from the solution's assignment (nearest open site per area).
    Returns ``site``, ``gebied`` (district name), ``inwoners`` and ``aandeel`` (share of the
    site's catchment), sorted by site and share.
    """
    frame = pd.DataFrame({"site": solution.assignment, "gebied": group.reindex(points.index).map(group_names),
                          "inwoners": points["inwoners"]})
    frame = frame.loc[frame["site"].isin(solution.new_sites)]
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


def _empty_service_areas() -> pd.DataFrame:
    return pd.DataFrame({"site": pd.Series(dtype=str), "gebied": pd.Series(dtype=str), "inwoners": pd.Series(dtype=float),
                         "aandeel": pd.Series(dtype=float), "model": pd.Series(dtype=str), "k_new": pd.Series(dtype=int)})


def run_chain(points: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, settings: ChainSettings, *, group: pd.Series,
              group_names: Mapping[str, str], betas: Sequence[float] = BETAS) -> ChainResult:
    """Run siting, choice, desks and cost for k = 0..K new counters.

    ``group`` maps buurt code to the district (stadsdeel or wijk) used to say which district
    each new counter serves. The nearest open site and its distance come from each siting
    solution; the distance to the existing counters is that of the k = 0 solution.
    """
    s = settings
    distance = siting.distance_matrix(points.geometry, sites.set_index("site").geometry)
    existing = list(sites.loc[sites["soort"] == "bestaand", "site"])
    k_max = min(s.k_max, int((sites["soort"] == "kandidaat").sum()))
    solutions = siting.solve_scenarios(distance, points["barriere_inwoners"], radius_km=s.radius_km, k_max=k_max,
                                       existing=existing)
    now = solutions[0]
    older = points["inwoners_65plus"].fillna(0).to_numpy(dtype=float)
    shares: dict[tuple[str, ...], pd.DataFrame] = {}
    costs, loads, areas = [], [], []
    for sol in solutions:
        key = tuple(sol.open_sites)
        if key not in shares:
            shares[key] = choice.huff_shares(distance[list(key)], beta=s.beta)
        load = counter_load(points["bezoeken"], shares[key], key, sol.new_sites, s)
        loads.append(load.assign(model=sol.model, k_new=sol.k_new))
        new = load.loc[load["nieuw"]]
        served = cost.served_by_new(sol.assignment, sol.distance_km, now.distance_km, sol.new_sites, radius_km=s.radius_km)
        costs.append(cost.new_counter_cost(
            sol.k_new, float(new["baliuren_per_jaar"].sum()), visits_new_counters=float(new["bezoeken_per_jaar"].sum()),
            barrier_residents_served=float(older[served.to_numpy()].sum()), hourly_desk_cost=s.hourly_desk_cost,
            fixed_cost_per_counter=s.fixed_cost,
        ))
        if sol.new_sites:
            areas.append(service_areas(points, sol, group, group_names).assign(model=sol.model, k_new=sol.k_new))
    table = pd.concat([siting.scenario_table(solutions), pd.DataFrame(costs, columns=list(cost.COST_COLUMNS))], axis=1)
    table["balies_nieuw"] = [int(load.loc[load["nieuw"], "balies"].sum()) for load in loads]
    table["inwoners_binnen_afstand"] = [float(points.loc[sol.within(s.radius_km), "inwoners"].sum()) for sol in solutions]
    best = next(sol for sol in solutions if sol.model == "pmedian" and sol.k_new == k_max)
    sens = choice.sensitivity(distance[list(best.open_sites)], points["bezoeken"], betas)
    svc = pd.concat(areas, ignore_index=True) if areas else _empty_service_areas()
    return ChainResult(points, sites, distance, tuple(solutions), table, pd.concat(loads, ignore_index=True), sens, svc)


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


def wijk_barrier_index(wijk_table: pd.DataFrame, params: RunParameters) -> pd.Series:
    """The composite barrier index per wijk code (weights and minimum share from the run parameters)."""
    _, index, _, _ = indicators.barrier_index(wijk_table, params.weights(), min_share=params.min_gewicht_aandeel)
    return index["index"]


# --------------------------------------------------------------------------- comparison
def per_thousand(value: float, inhabitants: float) -> float:
    """``value`` per 1,000 inhabitants (NaN when there are none)."""
    return np.nan if not inhabitants else 1000.0 * value / inhabitants


def comparison_row(name: str, result: ChainResult, n_existing: int) -> dict[str, float | str]:
    """Key figures of a municipality per 1,000 inhabitants (now, and with one extra counter).

    Keys are :data:`COMPARISON_COLUMNS`; ``aandeel_65plus`` is a percentage (0-100).
    """
    pts, scen = result.points, result.scenarios
    now = scen.loc[(scen["model"] == "pmedian") & (scen["k_new"] == 0)].iloc[0]
    one = scen.loc[(scen["model"] == "pmedian") & (scen["k_new"] == 1)]
    inhabitants = float(pts["inwoners"].sum())
    return {
        "gemeente": name,
        "inwoners": inhabitants,
        "bezoeken_per_1000_inwoners": per_thousand(float(pts["bezoeken"].sum()), inhabitants),
        "loketten_per_1000_inwoners": per_thousand(n_existing, inhabitants),
        "aandeel_65plus": 100 * float(pts["inwoners_65plus"].sum()) / inhabitants,
        "afstand_nu_km": now["mean_distance_km"],
        "afstand_1_extra_km": one["mean_distance_km"].iloc[0] if len(one) else np.nan,
        "kosten_1_extra_per_1000_inwoners": per_thousand(one["annual_cost_eur"].iloc[0], inhabitants) if len(one) else np.nan,
        "kosten_per_bezoek_1_extra": one["cost_per_visit_eur"].iloc[0] if len(one) else np.nan,
    }


def compare_municipalities(s: Session, own: ChainResult, settings: ChainSettings, *, own_is_default: bool) -> pd.DataFrame:
    """The same chain for every municipality of the shipped data, with the same parameters.

    The session's own chain is reused when it has the default candidates and at least one new
    counter (``own_is_default`` and K >= 1); any other municipality (or the own one otherwise)
    gets the chain with population demand, default candidates and at most one new counter.
    """
    rows = []
    for code, name in GEMEENTEN.items():
        if code == s.params.gemeente and own_is_default and own.k_max >= 1:
            result = own
        else:
            layers, tables = common.safe_layers(s.layers_all, code, s.params.onthulling_drempel)
            inhabitants = layers["buurt"].set_index("code")["inwoners"].fillna(0)
            visits = demand.baseline_demand(inhabitants, visits_per_resident_per_year=settings.visits_per_resident_per_year)
            existing = s.counters_all.loc[s.counters_all["gemeentecode"] == code]
            result = chain_for(layers, existing, visits, wijk_barrier_index(tables["wijk"], s.params), replace(settings, k_max=1))
        rows.append(comparison_row(name, result, int((s.counters_all["gemeentecode"] == code).sum())))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


# --------------------------------------------------------------------------- demand
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


@dataclass(frozen=True)
class Demand:
    """Visits per buurt and where they come from.

    Attributes
    ----------
    visits
        Visits per year per buurt code (every buurt of the municipality).
    inhabitants
        Inhabitants of the municipality (sum of the buurten).
    source
        ``bevolking`` (inhabitants x rate) or ``waarnemingen`` (GLM on the visit file).
    rate
        The rate parameter ``bezoeken_per_inwoner_per_jaar`` (population demand).
    observed
        The fitted model and its diagnostics (observed demand only).
    file, family
        The visit file and the GLM family (observed demand only).
    synthetic
        The visit file flags its rows as synthetic (made-up test data).
    """

    visits: pd.Series
    inhabitants: float
    source: str
    rate: float
    observed: ObservedDemand | None = None
    file: str = ""
    family: str = ""
    synthetic: bool = False

    @property
    def total(self) -> float:
        """Visits per year in the municipality."""
        return float(self.visits.sum())

    @property
    def rate_is_nota(self) -> bool:
        """Whether the rate is the informatienota's one visit per three years."""
        return abs(self.rate - demand.VISITS_PER_RESIDENT_PER_YEAR) < 1e-9


def demand_for(s: Session) -> Demand:
    """Visits per buurt: inhabitants x rate, or the GLM on the visit file (``vraagbron``)."""
    p = s.params
    buurten = s.layers["buurt"].set_index("code")
    inhabitants = float(buurten["inwoners"].sum())
    if p.vraagbron == "bevolking":
        visits = demand.baseline_demand(buurten["inwoners"].fillna(0), visits_per_resident_per_year=p.bezoeken_per_inwoner_per_jaar)
        return Demand(visits, inhabitants, p.vraagbron, p.bezoeken_per_inwoner_per_jaar)
    table = userfiles.read_visits(Path(p.bezoeken_bestand))
    observed = demand_from_visits(table, s.layers, s.tables, p.weights(), source_name=p.bezoeken_bestand,
                                  family=p.glm_familie, min_share=p.min_gewicht_aandeel)
    return Demand(observed.visits, inhabitants, p.vraagbron, p.bezoeken_per_inwoner_per_jaar, observed,
                  p.bezoeken_bestand, p.glm_familie, bool(table.attrs["synthetic"]))


def demand_table(layers: Mapping[str, gpd.GeoDataFrame], visits: pd.Series, level: str, threshold: int) -> pd.DataFrame:
    """Inhabitants and visits per area of ``level`` (``code``, ``naam``, ``inwoners``, ``bezoeken``), disclosure-controlled."""
    per_buurt = layers["buurt"][["code", "naam", "wijkcode", "stadsdeelcode", "gemeentecode", "inwoners"]].assign(
        bezoeken=lambda d: d["code"].map(visits))
    if level == "buurt":
        per_area = per_buurt[["code", "naam", "inwoners", "bezoeken"]]
    else:
        summed = aggregate.aggregate(per_buurt, f"{level}code", counts=["inwoners", "bezoeken"])[["code", "inwoners", "bezoeken"]]
        per_area = summed.merge(layers[level][["code", "naam"]], on="code")[["code", "naam", "inwoners", "bezoeken"]]
    return suppress(per_area, count_columns=["inwoners", "bezoeken"], share_columns={}, threshold=threshold)


def product_table(buurt_layer: gpd.GeoDataFrame, rate: float) -> pd.DataFrame:
    """Visits per year per product (KWB age groups), calibrated to ``rate`` (``product``, ``bezoeken``, ``geldigheid_jaar``, ``bron``)."""
    buurten = buurt_layer.set_index("code")
    ages = demand.kwb_age_counts(buurten["inwoners"], buurten["inwoners_0_14"], buurten["inwoners_65plus"])
    mix = demand.product_demand(ages, demand.KWB_PRODUCTS, calibrate_to_rate=rate, population=buurten["inwoners"].fillna(0))
    return pd.DataFrame({"product": mix.columns, "bezoeken": mix.sum().to_numpy(),
                         "geldigheid_jaar": [p.validity_years for p in demand.KWB_PRODUCTS],
                         "bron": [p.source for p in demand.KWB_PRODUCTS]})


# --------------------------------------------------------------------------- chapter 03
@dataclass(frozen=True)
class CounterResult:
    """Chapter 03: demand, siting scenarios, desks, cost and the comparison of municipalities.

    Attributes
    ----------
    level
        The area level of the demand table (``niveau``).
    settings
        The chain settings (from the run parameters, by name).
    demand
        Visits per buurt and their source.
    per_area
        ``03_vraag_<level>``: ``code``, ``naam``, ``inwoners``, ``bezoeken`` (disclosure-controlled).
    products
        ``03_producten``: ``product``, ``bezoeken``, ``geldigheid_jaar``, ``bron``.
    wave_factor, wave_factor_nota
        Renewal-wave factor of adult documents in the statistics year and in :data:`NOTA_YEAR`.
    chain
        The counter chain of the municipality (:class:`ChainResult`).
    scenarios
        ``03_scenarios``: ``chain.scenarios`` plus ``nieuwe_locaties`` (names of the new sites).
    served
        ``03_bediende_gebieden``: the districts each new counter serves, with the counter's
        name (``loket``), disclosure-controlled.
    district_level
        ``stadsdeel`` or ``wijk``: the districts of ``served`` and the catchment map.
    distance_map
        Layer ``03_afstand_voor_na``: per buurt ``afstand_nu`` (km to the nearest existing
        counter), ``afstand_na`` (with K new counters, p-median) and ``loket`` (the nearest then).
    open_sites
        The open sites of that p-median scenario (points).
    sensitivity
        ``03_gevoeligheid_afstand``: ``beta``, ``loket`` (name), ``bezoeken``, ``aandeel``.
    desks
        ``03_balies``: ``chain.counters`` with the counter's name (``loket``).
    costs
        ``03_kosten``: :data:`COST_TABLE_COLUMNS` per scenario.
    comparison
        ``03_vergelijking_gemeenten``: :data:`COMPARISON_COLUMNS` per municipality.
    """

    level: str
    settings: ChainSettings
    demand: Demand
    per_area: pd.DataFrame
    products: pd.DataFrame
    wave_factor: float
    wave_factor_nota: float
    chain: ChainResult
    scenarios: pd.DataFrame
    served: pd.DataFrame
    district_level: str
    distance_map: gpd.GeoDataFrame
    open_sites: gpd.GeoDataFrame
    sensitivity: pd.DataFrame
    desks: pd.DataFrame
    costs: pd.DataFrame
    comparison: pd.DataFrame

    @property
    def k_max(self) -> int:
        """The largest number of new counters in the scenarios."""
        return self.chain.k_max


def distance_layer(buurt_layer: gpd.GeoDataFrame, chain: ChainResult) -> gpd.GeoDataFrame:
    """Per buurt: km to the nearest counter now and with K new counters (p-median), and which counter that is."""
    now, best = chain.now, chain.best
    frame = pd.DataFrame({"code": best.distance_km.index, "afstand_na": best.distance_km.to_numpy(),
                          "afstand_nu": now.distance_km.reindex(best.distance_km.index).to_numpy(),
                          "loket": best.assignment.map(chain.site_names).to_numpy()})
    return buurt_layer[["code", "naam", "geometry"]].merge(frame, on="code", how="left")


def _joined_sites(frame: pd.DataFrame) -> pd.DataFrame:
    """Scenarios with their site tuples written as ``"a, b"`` (for CSV)."""
    return frame.assign(new_sites=frame["new_sites"].map(", ".join), open_sites=frame["open_sites"].map(", ".join))


def counters(s: Session) -> CounterResult:
    """Chapter 03 for the session's municipality; writes its tables and layers (disclosure-checked)."""
    p = s.params
    settings = ChainSettings.from_params(p)
    dem = demand_for(s)
    per_area = demand_table(s.layers, dem.visits, p.niveau, p.onthulling_drempel)
    products = product_table(s.layers["buurt"], p.bezoeken_per_inwoner_per_jaar)
    named = files.read_csv_text(Path(p.kandidaten_bestand)) if p.kandidaten_bestand else None
    chain = chain_for(s.layers, s.counters, dem.visits, wijk_barrier_index(s.tables["wijk"], p), settings, named)
    names = chain.site_names
    scenarios = chain.scenarios.assign(nieuwe_locaties=chain.scenarios["new_sites"].map(lambda x: ", ".join(names[i] for i in x)))
    served = suppress(chain.service_areas.assign(loket=chain.service_areas["site"].map(names)), count_columns=["inwoners"],
                      share_columns={"aandeel": "inwoners"}, threshold=p.onthulling_drempel)
    level, _, _ = district_grouping(s.layers)
    distance_map = distance_layer(s.layers["buurt"], chain)
    open_sites = chain.sites.loc[chain.sites["site"].isin(chain.best.open_sites)]
    sensitivity = chain.sensitivity.assign(loket=chain.sensitivity["loket"].map(names))
    desks = chain.counters.assign(loket=chain.counters["site"].map(names))
    costs = scenarios[COST_TABLE_COLUMNS]
    comparison = compare_municipalities(s, chain, settings, own_is_default=named is None)

    s.out.table(per_area, f"03_vraag_{p.niveau}", counts=["bezoeken"])
    s.out.table(products, "03_producten")
    s.out.layer(chain.sites, "03_locaties")
    s.out.table(_joined_sites(scenarios), "03_scenarios")
    s.out.table(served, "03_bediende_gebieden")
    s.out.layer(distance_map, "03_afstand_voor_na")
    s.out.table(sensitivity, "03_gevoeligheid_afstand")
    s.out.table(desks, "03_balies")
    s.out.table(costs, "03_kosten")
    s.out.table(comparison, "03_vergelijking_gemeenten")
    return CounterResult(p.niveau, settings, dem, per_area, products, demand.renewal_wave_factor(p.jaar),
                         demand.renewal_wave_factor(NOTA_YEAR), chain, scenarios, served, level, distance_map, open_sites,
                         sensitivity, desks, costs, comparison)
