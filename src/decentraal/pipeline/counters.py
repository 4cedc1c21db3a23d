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
* ``03_vergelijking_gemeenten``: key figures of every municipality per 1,000 inhabitants;
* ``03_vraag_per_jaar``: visits per year, product and visit type (renewal model anchored in
  ``referentiejaar``); ``03_balies_per_jaar`` and ``03_balies_per_maand`` (``beslisjaar``): desks per
  scenario, counter and month (appointments: workload and access time; walk-in: Erlang C);
  ``03_systeemkosten_per_jaar``: all counters after minus before, both readings of the EUR 400,000;
  ``03_kosten_per_scenario``: means over ``beslisjaar`` .. ``horizon_eind``;
* ``kerncijfers/03.json``: the chapter's part of ``kerncijfers.json`` (:func:`kerncijfers`).

The siting and the static tables above (``03_scenarios``, ``03_balies``, ``03_kosten``) keep the
one-year demand (inhabitants x rate, the level of the reference period); desks and cost over
time (:func:`over_time`) split each year's demand over the same open counters with the same
choice rule.

The chain per municipality (:func:`chain_for`, :func:`run_chain`) is demand points ->
candidate sites -> distance matrix -> siting (:mod:`~decentraal.methods.siting`) -> visits per
counter (Huff, :mod:`~decentraal.methods.choice`) -> desks for the waiting-time norm (Erlang C,
:mod:`~decentraal.methods.capacity`) -> cost (:mod:`~decentraal.methods.cost`). Every siting
solution keeps each area's nearest open site and its distance; coverage, served districts, cost
and the before/after map are read from it, never recomputed. The figures are drawn by
:mod:`decentraal.report.counters` and saved by the notebook.
"""

from __future__ import annotations

import functools
import itertools
import time as clock
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from decentraal.config import CRS, GEMEENTEN
from decentraal.errors import DataError, ParameterError
from decentraal.io import userfiles
from decentraal.methods import (
    capacity,
    choice,
    demand,
    demandpoints,
    indicators,
    nearoptimal,
    renewal,
    siting,
    staffing,
    systemcost,
    uncertainty,
    visitmodel,
)
from decentraal.methods.disclosure import suppress
from decentraal.methods.geography import population_weighted_centres
from decentraal.pipeline import common
from decentraal.settings import reference_years

if TYPE_CHECKING:
    from decentraal.pipeline.session import Session
    from decentraal.settings import RunParameters

#: Year of the informatienota (2021/547821) whose visit rate is the default.
NOTA_YEAR = 2021
#: Columns of the comparison of municipalities (``03_vergelijking_gemeenten``).
COMPARISON_COLUMNS = ["gemeente", "inwoners", "bezoeken_per_1000_inwoners", "loketten_per_1000_inwoners",
                      "aandeel_65plus", "afstand_nu_km", "afstand_1_extra_km", "kosten_1_extra_per_1000_inwoners_laag",
                      "kosten_1_extra_per_1000_inwoners_hoog", "kosten_per_bezoek_1_extra_laag", "kosten_per_bezoek_1_extra_hoog"]


# --------------------------------------------------------------------------- settings
#: Largest number of new counters solved by full enumeration (exact, with the near-optimal sets);
#: larger k use the integer programmes of :mod:`~decentraal.methods.siting` (spopt).
ENUMERATION_MAX_K = 3
#: Names of the choice rules (parameter ``keuzeregel``) -> :class:`~decentraal.methods.choice.ChoiceRule` kind.
RULE_KINDS = {"dichtstbij": "nearest", "zwaartekracht": "gravity"}


@dataclass(frozen=True, kw_only=True)
class ChainSettings:
    """Parameters of the chain, by name (units, sources and ranges in ``configs/base.yaml``).

    Build them from the run parameters with :meth:`from_params`. ``rule_kind`` (``keuzeregel``) is
    the ONE choice rule used for the siting objective, loads, desks, cost and service areas
    (:attr:`rule`); the other rule (:attr:`other_rule`) is only shown beside it.
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
    rule_kind: str = "nearest"
    gamma: float = 1.0
    product_share: float = 1.0
    min_share_65plus: float = 0.0
    tolerance: float = 0.02

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
            rule_kind=RULE_KINDS[params.keuzeregel],
            gamma=params.urenelasticiteit_gamma,
            product_share=params.productaandeel_nieuw,
            min_share_65plus=params.min_dekking_65plus,
            tolerance=params.tolerantie_bijna_optimaal,
        )

    @property
    def gravity(self) -> choice.ChoiceRule:
        """The gravity (Huff/logit) rule with this run's beta, gamma and product share."""
        return choice.ChoiceRule(kind="gravity", beta=self.beta, gamma=self.gamma, product_share=self.product_share)

    @property
    def rule(self) -> choice.ChoiceRule:
        """The choice rule of the run (``keuzeregel``)."""
        return self.gravity if self.rule_kind == "gravity" else choice.NEAREST

    @property
    def other_rule(self) -> choice.ChoiceRule:
        """The rule shown beside the chosen one."""
        return choice.NEAREST if self.rule_kind == "gravity" else self.gravity


# --------------------------------------------------------------------------- the chain
@dataclass(frozen=True)
class ChainResult:
    """The counter chain of one municipality.

    Attributes
    ----------
    points
        Demand points spread over each inhabited buurt's polygon (:func:`demand_points`), index ``punt``.
    sites
        Existing counters and candidate sites, see :func:`candidate_sites`.
    distance
        Distance matrix in km (rows = demand points, columns = site ids).
    solutions
        Every siting solution, mclp then p-median, each for k = 0..K; each keeps the nearest
        open site and its distance per demand point.
    scenarios
        One row per solution: the columns of :func:`decentraal.methods.siting.scenario_table`,
        ``balies_nieuw``, ``inwoners_binnen_afstand``, ``bezoeken_nieuw`` (one-year visits at the new
        counters under the rule), ``aandeel_niet_dichtstbij`` (share of visits that go to a counter
        that is not the visitor's nearest, under the rule) and ``bijna_optimaal`` (number of site sets
        within the tolerance).
    counters
        Visits, peak arrivals and desks per open counter and scenario (:func:`counter_load`,
        with ``model`` and ``k_new``), visits from the rule's shares.
    sensitivity
        Visits per counter under both choice rules (and gravity at the ends of the beta range) for
        the p-median scenario with K new counters (:func:`decentraal.methods.choice.visits_by_rule`).
    service_areas
        Per new counter: where its visitors come from under the rule (``site``, ``gebied``,
        ``inwoners``, ``bezoeken``, ``aandeel`` of its visits, ``model``, ``k_new``).
    near_optimal
        Every site set within ``tolerance`` of the optimum per model and k <= 3 (``model``,
        ``k_new``, ``rank``, ``new_sites``, ``gap``, ``mean_distance_km``, ``covered_share``,
        ``target_covered_share``).
    settings
        The chain settings (the rule, hours and products per site follow from them).
    """

    points: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    distance: pd.DataFrame
    solutions: tuple[siting.SitingResult, ...]
    scenarios: pd.DataFrame
    counters: pd.DataFrame
    sensitivity: pd.DataFrame
    service_areas: pd.DataFrame
    near_optimal: pd.DataFrame
    settings: ChainSettings

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

    @property
    def site_hours(self) -> pd.Series:
        """Opening hours per week per site (existing or new)."""
        return site_attributes(self.sites, self.settings)[0]

    @property
    def site_products(self) -> pd.Series:
        """Per site: True for the full product range (existing), False for a new district counter."""
        return site_attributes(self.sites, self.settings)[1]

    def shares(self, open_sites: Sequence[str], rule: choice.ChoiceRule | None = None) -> pd.DataFrame:
        """Shares of each demand point's visits per open site under ``rule`` (default: the run's rule)."""
        return choice.choice_shares(self.distance, rule or self.settings.rule, list(open_sites), site_hours=self.site_hours,
                                    site_products=self.site_products)

    def buurt_shares(self, open_sites: Sequence[str], rule: choice.ChoiceRule | None = None) -> pd.DataFrame:
        """:meth:`shares` per buurt: the mean over the buurt's points (each carries an equal share of it)."""
        return to_buurt(self.shares(open_sites, rule), self.points)


def to_buurt(frame: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Mean per buurt of a per-point frame (points carry equal shares of their buurt), index = buurt code."""
    out = frame.groupby(points["code"].reindex(frame.index).to_numpy()).mean()
    return out.rename_axis("code")


def site_attributes(sites: pd.DataFrame, s: ChainSettings) -> tuple[pd.Series, pd.Series]:
    """Opening hours per week and full product range (True) per site id."""
    existing = (sites["soort"] == "bestaand").to_numpy()
    hours = pd.Series(np.where(existing, s.opening_hours_existing, s.opening_hours_new), index=sites["site"].to_numpy(), dtype=float)
    return hours, pd.Series(existing, index=sites["site"].to_numpy())


def demand_points(buurt_layer: gpd.GeoDataFrame, visits: pd.Series, design_visits: pd.Series | None = None) -> gpd.GeoDataFrame:
    """Demand points over each inhabited buurt's polygon, with residents, residents 65+ and visits.

    Each inhabited buurt gets 5-20 points on a grid inside its polygon
    (:func:`decentraal.methods.demandpoints.demand_points`); every point carries an equal share of the
    buurt's ``inwoners``, ``inwoners_65plus``, ``bezoeken`` (``visits``: one-year visits, the level of the
    reference period) and ``bezoeken_ontwerpjaar`` (``design_visits``: the visits of ``beslisjaar`` from the
    demand over time, the siting weight; default ``visits``). Index ``punt``; ``code``, ``wijkcode`` and
    ``stadsdeelcode`` name the buurt and its districts. No barrier index enters the weights: target groups
    enter the siting as counts (residents 65+, :func:`solve_sites`).

    Buurten without inhabitants are left out (they have no demand); they are listed in
    ``attrs["zonder_inwoners"]``.
    """
    b = buurt_layer.set_index("code")
    has_people = b["inwoners"].fillna(0) > 0
    people = b.loc[has_people]
    v = people.index.to_series().map(visits)
    if v.isna().any():
        raise DataError(f"no visits for buurt(en) {', '.join(v.index[v.isna()])}")
    design = v if design_visits is None else people.index.to_series().map(design_visits).fillna(0.0)
    totals = pd.DataFrame({"inwoners": people["inwoners"].astype(float), "inwoners_65plus": people["inwoners_65plus"].fillna(0).astype(float),
                           "bezoeken": v.astype(float), "bezoeken_ontwerpjaar": design.astype(float)}, index=people.index)
    pts = demandpoints.demand_points(buurt_layer[["code", "geometry"]], totals)
    pts["wijkcode"] = pts["code"].map(b["wijkcode"])
    pts["stadsdeelcode"] = pts["code"].map(b["stadsdeelcode"]) if "stadsdeelcode" in b else None
    pts.attrs["zonder_inwoners"] = b.index[~has_people].tolist()
    return pts


def candidate_sites(
    counters: gpd.GeoDataFrame,
    wijk_layer: gpd.GeoDataFrame,
    buurt_layer: gpd.GeoDataFrame,
    named: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Existing counters (always open) plus candidate sites.

    Candidates are the population-weighted centres of the wijken, or the named sites of
    ``named`` (real addresses such as libraries and wijkcentra: columns ``naam``, ``x``, ``y`` in
    EPSG:28992). Returns ``site`` (id), ``naam``, ``soort`` (``bestaand``/``kandidaat``), ``wijkcode``
    of the wijk containing the site, and point geometry.
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


def service_areas(points: gpd.GeoDataFrame, shares: pd.DataFrame, new_sites: Sequence[str], group: pd.Series,
                  group_names: Mapping[str, str]) -> pd.DataFrame:
    """For each new site: where its visitors come from under the choice rule (the same shares as the loads).

    Returns ``site``, ``gebied`` (district name), ``inwoners`` (residents x share), ``bezoeken`` (visits x
    share; per site they sum to the site's load) and ``aandeel`` (share of the site's visits), sorted by
    site and share.
    """
    district = points["code"].map(group).map(group_names).to_numpy()
    frames = []
    for site in new_sites:
        frame = pd.DataFrame({"gebied": district, "inwoners": points["inwoners"].to_numpy() * shares[site].to_numpy(),
                              "bezoeken": points["bezoeken"].to_numpy() * shares[site].to_numpy()})
        out = frame.groupby("gebied", as_index=False)[["inwoners", "bezoeken"]].sum()
        out = out.loc[out["bezoeken"] > 0].assign(site=site)
        out["aandeel"] = out["bezoeken"] / out["bezoeken"].sum()
        frames.append(out)
    if not frames:
        return _empty_service_areas().drop(columns=["model", "k_new"])
    out = pd.concat(frames, ignore_index=True)[["site", "gebied", "inwoners", "bezoeken", "aandeel"]]
    return out.sort_values(["site", "aandeel"], ascending=[True, False], ignore_index=True)


def counter_load(visits: pd.Series, shares: pd.DataFrame, sites: Sequence[str], new_sites: Sequence[str], s: ChainSettings) -> pd.DataFrame:
    """Visits, arrivals per hour, desks, utilisation and waiting for each open counter (one year, Erlang C)."""
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
                         "bezoeken": pd.Series(dtype=float), "aandeel": pd.Series(dtype=float), "model": pd.Series(dtype=str),
                         "k_new": pd.Series(dtype=int)})


def decay(rule: choice.ChoiceRule, distance: np.ndarray, beta: float | np.ndarray | None = None) -> np.ndarray:
    """``f(d)`` of a gravity rule: ``exp(-beta d)`` or ``max(d, d_min) ** -beta`` (``beta`` default the rule's)."""
    b = rule.beta if beta is None else beta
    if rule.decay == "power":
        return np.maximum(distance, rule.min_distance_km) ** (-np.asarray(b))
    return np.exp(-np.asarray(b) * distance)


def gravity_objective(distance: np.ndarray, weights: np.ndarray, attract: np.ndarray, existing: np.ndarray, combos: np.ndarray,
                      rule: choice.ChoiceRule, beta: float | None = None) -> np.ndarray:
    """Expected weighted distance ``sum_i w_i sum_j P_ij d_ij`` under a gravity rule, for every subset of ``combos``.

    ``distance`` points x sites (km), ``attract`` ``A_j`` per site, ``existing`` column indices always open,
    ``combos`` subsets x k column indices of new sites. Vectorised over the subsets (the p-median objective
    of the gravity rule; the nearest rule's is :func:`decentraal.methods.nearoptimal.near_optimal_pmedian`).
    """
    e = attract[None, :] * decay(rule, distance, beta)
    ed = e * distance
    num = ed[:, existing].sum(axis=1)[:, None] + ed[:, combos].sum(axis=2)
    den = e[:, existing].sum(axis=1)[:, None] + e[:, combos].sum(axis=2)
    return weights @ (num / den)


def _gravity_near_optimal(distance: pd.DataFrame, weights: pd.Series, *, k_new: int, existing: Sequence[str], rule: choice.ChoiceRule,
                          attract: pd.Series, tolerance: float, radius_km: float, target: pd.Series,
                          min_target_share: float | None) -> pd.DataFrame:
    """Enumeration of the gravity p-median: every set within ``tolerance`` of the least expected distance."""
    cols = list(distance.columns)
    ex = np.array([cols.index(e) for e in existing], dtype=int)
    cand = np.array([i for i, c in enumerate(cols) if c not in existing], dtype=int)
    combos = cand[np.array(list(itertools.combinations(range(len(cand)), k_new)), dtype=int)]
    d = distance.to_numpy()
    w = weights.reindex(distance.index).to_numpy(dtype=float)
    z = gravity_objective(d, w, attract.reindex(cols).to_numpy(dtype=float), ex, combos, rule)
    nearest = np.minimum(d[:, ex].min(axis=1)[:, None], d[:, combos].min(axis=2)) if len(ex) else d[:, combos].min(axis=2)
    t = target.reindex(distance.index).to_numpy(dtype=float)
    t_share = (t @ (nearest <= radius_km)) / t.sum() if t.sum() > 0 else np.full(len(combos), np.nan)
    ok = np.ones(len(combos), bool) if not min_target_share else t_share >= min_target_share
    if not ok.any():
        raise ParameterError(f"no set of {k_new} new counters brings min_dekking_65plus={min_target_share} of the residents 65+ within reach")
    best = z[ok].min()
    keep = np.flatnonzero(ok & (z <= best * (1 + tolerance)))
    keep = keep[np.lexsort((keep, z[keep]))]
    covered = (w @ (nearest <= radius_km))[keep]
    return pd.DataFrame({"rank": np.arange(1, len(keep) + 1), "new_sites": [tuple(cols[j] for j in sorted(combos[i])) for i in keep],
                         "objective": z[keep], "gap": (z[keep] - best) / best, "total_weighted_distance": z[keep],
                         "mean_distance_km": z[keep] / w.sum(), "covered_weight": covered, "covered_share": covered / w.sum(),
                         "target_covered_share": t_share[keep]})


def _enumerate(model: str, distance: pd.DataFrame, w: pd.Series, k: int, existing: Sequence[str], s: ChainSettings, attract: pd.Series,
               target: pd.Series, min_share: float | None) -> pd.DataFrame:
    """The near-optimal table of one model and k by enumeration (see :func:`solve_sites`)."""
    if model == "mclp":
        return nearoptimal.near_optimal_mclp(distance, w, radius_km=s.radius_km, k_new=k, existing=existing, tolerance=s.tolerance,
                                             target=target, min_target_share=min_share).table
    if s.rule_kind == "nearest":
        return nearoptimal.near_optimal_pmedian(distance, w, k_new=k, existing=existing, tolerance=s.tolerance, radius_km=s.radius_km,
                                                target=target, min_target_share=min_share).table
    return _gravity_near_optimal(distance, w, k_new=k, existing=existing, rule=s.rule, attract=attract, tolerance=s.tolerance,
                                 radius_km=s.radius_km, target=target, min_target_share=min_share)


def solve_sites(distance: pd.DataFrame, points: pd.DataFrame, existing: Sequence[str], s: ChainSettings, attract: pd.Series,
                k_max: int) -> tuple[list[siting.SitingResult], pd.DataFrame]:
    """Siting for k = 0..K, mclp then p-median, weighted by the design-year visits of the demand points.

    * k <= :data:`ENUMERATION_MAX_K`: full enumeration (:mod:`decentraal.methods.nearoptimal`), exact, with
      every site set within ``tolerance`` of the optimum. p-median minimises the visit-weighted distance
      under the run's rule: the distance to the nearest open counter (nearest rule) or the expected
      distance ``sum_j P_ij d_ij`` (gravity rule). MCLP maximises the visits within ``radius_km``.
      Residents 65+ enter as counts: with ``min_share_65plus`` > 0 only sets that bring at least that
      share of them within ``radius_km`` are admissible (when no set of k counters reaches it, that k is
      solved without it and its ``status`` says so).
    * larger k: the integer programmes of :mod:`decentraal.methods.siting` (spopt; nearest rule, no
      65+ constraint, no near-optimal list).

    Returns the solutions (each a :class:`~decentraal.methods.siting.SitingResult` of its optimal set) and
    the near-optimal table (``model``, ``k_new`` and :data:`~decentraal.methods.nearoptimal.TABLE_COLUMNS`).
    """
    w = points["bezoeken_ontwerpjaar"]
    target = points["inwoners_65plus"]
    min_share = s.min_share_65plus or None
    solutions, near = [], []
    for model in ("mclp", "pmedian"):
        for k in range(k_max + 1):
            if k == 0:
                sol = replace(siting.evaluate_sites(distance, w, list(existing), radius_km=s.radius_km, existing=existing), model=model)
                solutions.append(sol)
                continue
            if k <= ENUMERATION_MAX_K:
                status = "optimal (enumeration)"
                try:
                    table = _enumerate(model, distance, w, k, existing, s, attract, target, min_share)
                except ParameterError:  # no set of k counters reaches the 65+ share: solved without it, and said so
                    table = _enumerate(model, distance, w, k, existing, s, attract, target, None)
                    status = "optimal (enumeration; min_dekking_65plus not reachable with this k)"
                best = list(table["new_sites"].iloc[0])
                sol = siting.evaluate_sites(distance, w, list(existing) + best, radius_km=s.radius_km, existing=existing)
                sol = replace(sol, model=model, objective=float(table["objective"].iloc[0]), status=status)
                near.append(table.assign(model=model, k_new=k))
            elif model == "mclp":
                sol = siting.solve_mclp(distance, w, radius_km=s.radius_km, k_new=k, existing=existing)
            else:
                sol = siting.solve_pmedian(distance, w, k_new=k, existing=existing, radius_km=s.radius_km)
            solutions.append(sol)
    columns = ["model", "k_new", *nearoptimal.TABLE_COLUMNS]
    return solutions, (pd.concat(near, ignore_index=True)[columns] if near else pd.DataFrame(columns=columns))


def comparison_rules(s: ChainSettings, beta_range: Sequence[float] | None = None) -> dict[str, choice.ChoiceRule]:
    """The rules shown side by side: nearest, gravity at the run's beta and at the ends of its range."""
    rules = {"dichtstbij": choice.NEAREST, "zwaartekracht": s.gravity}
    if beta_range is not None:
        for name, b in zip(("zwaartekracht, beta laag", "zwaartekracht, beta hoog"), beta_range):
            if not np.isclose(b, s.beta):
                rules[name] = s.gravity.with_beta(float(b))
    return rules


def run_chain(points: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, settings: ChainSettings, *, group: pd.Series,
              group_names: Mapping[str, str], rules: Mapping[str, choice.ChoiceRule] | None = None) -> ChainResult:
    """Run siting, choice and desks for k = 0..K new counters, all under ONE choice rule (``settings.rule``).

    ``group`` maps buurt code to the district (stadsdeel or wijk) used to say where each new counter's
    visitors come from. Loads, the static desks and the service areas come from the same shares
    (:func:`decentraal.methods.choice.choice_shares`), so they add up to the same totals; the siting
    objective uses the same rule (:func:`solve_sites`). ``rules`` are shown side by side (default
    :func:`comparison_rules`).
    """
    s = settings
    distance = siting.distance_matrix(points.geometry, sites.set_index("site").geometry)
    existing = list(sites.loc[sites["soort"] == "bestaand", "site"])
    k_max = min(s.k_max, int((sites["soort"] == "kandidaat").sum()))
    hours, products = site_attributes(sites, s)
    attract = choice.attractiveness(s.gravity, list(sites["site"]), site_hours=hours, site_products=products)
    solutions, near = solve_sites(distance, points, existing, s, attract, k_max)
    partial = ChainResult(points, sites, distance, tuple(solutions), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                          near, s)
    shares: dict[tuple[str, ...], pd.DataFrame] = {}
    loads, areas, other = [], [], []
    for sol in solutions:
        key = tuple(sol.open_sites)
        if key not in shares:
            shares[key] = partial.shares(key)
        load = counter_load(points["bezoeken"], shares[key], key, sol.new_sites, s)
        loads.append(load.assign(model=sol.model, k_new=sol.k_new))
        cons = choice.consistency(shares[key], sol.assignment, demand=points["bezoeken"], distance_km=distance)
        other.append(float(cons.attrs["aandeel_niet_dichtstbij"]))
        if sol.new_sites:
            areas.append(service_areas(points, shares[key], sol.new_sites, group, group_names).assign(model=sol.model, k_new=sol.k_new))
    table = siting.scenario_table(solutions)
    table["balies_nieuw"] = [int(load.loc[load["nieuw"], "balies"].sum()) for load in loads]
    table["inwoners_binnen_afstand"] = [float(points.loc[sol.within(s.radius_km), "inwoners"].sum()) for sol in solutions]
    table["bezoeken_nieuw"] = [float(load.loc[load["nieuw"], "bezoeken_per_jaar"].sum()) for load in loads]
    table["aandeel_niet_dichtstbij"] = other
    counts = near.groupby(["model", "k_new"]).size() if len(near) else pd.Series(dtype=int)
    table["bijna_optimaal"] = [int(counts.get((sol.model, sol.k_new), 1)) for sol in solutions]
    best = next(sol for sol in solutions if sol.model == "pmedian" and sol.k_new == k_max)
    sens = choice.visits_by_rule(distance, points["bezoeken"], rules or comparison_rules(s), best.open_sites, site_hours=hours,
                                 site_products=products)
    svc = pd.concat(areas, ignore_index=True) if areas else _empty_service_areas()
    return ChainResult(points, sites, distance, tuple(solutions), table, pd.concat(loads, ignore_index=True), sens, svc, near, s)


def district_grouping(layers: Mapping[str, gpd.GeoDataFrame]) -> tuple[str, pd.Series, dict[str, str]]:
    """The district level used to describe catchments: stadsdeel where it exists, else wijk.

    Returns the level, the buurt code -> district code mapping and district names.
    """
    level = "stadsdeel" if "stadsdeel" in layers else "wijk"
    group = layers["buurt"].set_index("code")["stadsdeelcode" if level == "stadsdeel" else "wijkcode"]
    return level, group, layers[level].set_index("code")["naam"].to_dict()


def chain_for(layers: Mapping[str, gpd.GeoDataFrame], existing: gpd.GeoDataFrame, visits: pd.Series, design_visits: pd.Series | None,
              settings: ChainSettings, named: pd.DataFrame | None = None,
              rules: Mapping[str, choice.ChoiceRule] | None = None) -> ChainResult:
    """Demand points, sites and :func:`run_chain` for the layers of one municipality."""
    points = demand_points(layers["buurt"], visits, design_visits)
    sites = candidate_sites(existing, layers["wijk"], layers["buurt"], named)
    _, group, names = district_grouping(layers)
    return run_chain(points, sites, settings, group=group, group_names=names, rules=rules)


def wijk_barrier_index(wijk_table: pd.DataFrame, params: RunParameters) -> pd.Series:
    """The composite barrier index per wijk code (weights and minimum share from the run parameters)."""
    index = indicators.barrier_index(wijk_table, params.weights(), min_share=params.min_gewicht_aandeel).index
    return index["index"]


# --------------------------------------------------------------------------- comparison
def per_thousand(value: float, inhabitants: float) -> float:
    """``value`` per 1,000 inhabitants (NaN when there are none)."""
    return np.nan if not inhabitants else 1000.0 * value / inhabitants


def comparison_row(name: str, result: ChainResult, n_existing: int, time: OverTime) -> dict[str, float | str]:
    """Key figures of a municipality per 1,000 inhabitants (now, and with one extra counter).

    Keys are :data:`COMPARISON_COLUMNS`; ``aandeel_65plus`` is a percentage (0-100). The cost of one
    extra counter (p-median) is the system-wide extra cost of ``time`` (mean over the years a new counter
    can be open), ``_laag``/``_hoog`` the two readings of the fixed cost; NaN without a scenario with one.
    """
    pts, scen = result.points, result.scenarios
    now = scen.loc[(scen["model"] == "pmedian") & (scen["k_new"] == 0)].iloc[0]
    one = scen.loc[(scen["model"] == "pmedian") & (scen["k_new"] == 1)]
    inhabitants = float(pts["inwoners"].sum())
    extra = time.scenario("pmedian", 1) if len(one) else pd.Series(np.nan, index=SCENARIO_COST_COLUMNS)
    return {
        "gemeente": name,
        "inwoners": inhabitants,
        "bezoeken_per_1000_inwoners": per_thousand(float(pts["bezoeken"].sum()), inhabitants),
        "loketten_per_1000_inwoners": per_thousand(n_existing, inhabitants),
        "aandeel_65plus": 100 * float(pts["inwoners_65plus"].sum()) / inhabitants,
        "afstand_nu_km": now["mean_distance_km"],
        "afstand_1_extra_km": one["mean_distance_km"].iloc[0] if len(one) else np.nan,
        "kosten_1_extra_per_1000_inwoners_laag": per_thousand(extra["extra_kosten_laag"], inhabitants),
        "kosten_1_extra_per_1000_inwoners_hoog": per_thousand(extra["extra_kosten_hoog"], inhabitants),
        "kosten_per_bezoek_1_extra_laag": extra["kosten_per_bezoek_laag"],
        "kosten_per_bezoek_1_extra_hoog": extra["kosten_per_bezoek_hoog"],
    }


def compare_municipalities(s: Session, own: ChainResult, settings: ChainSettings, *, own_is_default: bool,
                           own_time: OverTime, ts: TimeSettings) -> pd.DataFrame:
    """The same chain for every municipality of the shipped data, with the same parameters.

    The session's own chain (and its cost over time, ``own_time``) is reused when it has the default
    candidates and at least one new counter (``own_is_default`` and K >= 1); any other municipality
    (or the own one otherwise) gets the chain with population demand, default candidates and at most
    one new counter, and its own demand, desks and cost over time (:func:`over_time`).
    """
    rows = []
    for code, name in GEMEENTEN.items():
        if code == s.params.gemeente and own_is_default and own.k_max >= 1:
            result, time = own, own_time
        else:
            layers, _ = common.safe_layers(s.layers_all, code, s.params.onthulling_drempel)
            inhabitants = layers["buurt"].set_index("code")["inwoners"].fillna(0)
            visits = demand.baseline_demand(inhabitants, visits_per_resident_per_year=settings.visits_per_resident_per_year)
            existing = s.counters_all.loc[s.counters_all["gemeentecode"] == code]
            yearly = yearly_demand(layers["buurt"], settings.visits_per_resident_per_year, ts)
            result = chain_for(layers, existing, visits, design_year_visits(yearly, ts), replace(settings, k_max=1))
            time = over_time(result, yearly, settings, ts)
        rows.append(comparison_row(name, result, int((s.counters_all["gemeentecode"] == code).sum()), time))
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
    years: tuple[int, ...] = ()


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
    z = indicators.barrier_index(tables[level], dict(weights), min_share=min_share).z
    covariates = [c for c in z.columns if z[c].notna().all()]
    areas = tables[level].set_index("code")[["inwoners"]].join(z[covariates]).reset_index()
    rates, model = observed_demand(valid, areas, level_of=level, covariates=covariates, family=family)
    key = buurten.index.to_series() if level == "buurt" else buurten["wijkcode"]
    rate = key.map(rates)
    has_people = buurten["inwoners"].fillna(0) > 0
    filled = sorted(rate.index[rate.isna() & has_people])
    per_buurt = (buurten["inwoners"].fillna(0) * rate.fillna(rates.mean())).rename("bezoeken_per_jaar")
    years = tuple(sorted({int(y) for y in valid["jaar"]}))
    return ObservedDemand(per_buurt, model, visitmodel.overdispersion_test(model), level, len(valid), filled, years)


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


def product_table(buurt_layer: gpd.GeoDataFrame, rate: float) -> pd.DataFrame:
    """Visits per year per product (KWB age groups), calibrated to ``rate`` (``product``, ``bezoeken``, ``geldigheid_jaar``, ``bron``)."""
    buurten = buurt_layer.set_index("code")
    ages = demand.kwb_age_counts(buurten["inwoners"], buurten["inwoners_0_14"], buurten["inwoners_65plus"])
    mix = demand.product_demand(ages, demand.KWB_PRODUCTS, calibrate_to_rate=rate, population=buurten["inwoners"].fillna(0))
    return pd.DataFrame({"product": mix.columns, "bezoeken": mix.sum().to_numpy(),
                         "geldigheid_jaar": [p.validity_years for p in demand.KWB_PRODUCTS],
                         "bron": [p.source for p in demand.KWB_PRODUCTS]})


# --------------------------------------------------------------------------- demand, desks and cost over time
#: Visit types served in the walk-in hours: collection of a document (Den Haag: collection without appointment,
#: FACTS.md). Every other visit type is by appointment; a counter without walk-in hours takes all by appointment.
WALK_IN_TYPES: tuple[str, ...] = ("afhalen",)
#: Years in which FACTS.md places the trough (NVVB: 2019-2023) and the peak (2024-2028) of the renewal wave.
TROUGH_YEARS, PEAK_YEARS = range(2019, 2024), range(2024, 2029)
#: Name of each reading of the EUR 400,000 (``vaste_kosten_omvat_personeel``) in the cost tables.
READINGS = {True: "omvat personeel", False: "personeel erbij"}


@dataclass(frozen=True, kw_only=True)
class TimeSettings:
    """Parameters of demand over time, desks per month and the system-wide cost, by name.

    Build them from the run parameters with :meth:`from_params` (units, sources and ranges in
    ``configs/base.yaml``).
    """

    reference_years: tuple[int, ...]
    first_year: int
    last_year: int
    decision_year: int
    service_minutes: Mapping[str, float]
    walk_in_hours_existing: float
    walk_in_hours_new: float
    target_occupancy: float
    access_days: int
    fixed_cost_includes_staff: bool

    @classmethod
    def from_params(cls, params: RunParameters) -> TimeSettings:
        """The settings of a run, each read from its named run parameter."""
        return cls(
            reference_years=reference_years(params.referentiejaar),
            first_year=params.horizon_begin,
            last_year=params.horizon_eind,
            decision_year=params.beslisjaar,
            service_minutes={"aanvraag": params.bedieningstijd_aanvraag_minuten,
                             "afhalen": params.bedieningstijd_afhalen_minuten,
                             "enkel": params.bedieningstijd_enkel_minuten},
            walk_in_hours_existing=params.inloopuren_bestaand_per_week,
            walk_in_hours_new=params.inloopuren_nieuw_per_week,
            target_occupancy=params.doelbezetting,
            access_days=params.toegangsnorm_werkdagen,
            fixed_cost_includes_staff=params.vaste_kosten_omvat_personeel,
        )

    @property
    def years(self) -> tuple[int, ...]:
        """The horizon: every year with demand, desks and cost."""
        return tuple(range(self.first_year, self.last_year + 1))

    @property
    def cost_years(self) -> tuple[int, ...]:
        """The years a new counter can be open (``beslisjaar`` to the end of the horizon): the summary means."""
        return tuple(range(self.decision_year, self.last_year + 1))


@dataclass(frozen=True)
class YearlyDemand:
    """Counter visits per buurt, year, product and visit type (:mod:`decentraal.methods.renewal`).

    Attributes
    ----------
    table
        ``code``, ``jaar``, ``product``, ``onderdeel``, ``bezoektype``, ``bezoeken`` for every buurt with
        inhabitants and every year of ``model_years``.
    reference_years
        The years whose mean level is anchored (``referentiejaar``, or the visit file's years).
    years
        The horizon (``horizon_begin`` to ``horizon_eind``).
    level
        Visits per year the reference period is anchored to: inhabitants x rate, or the fitted
        visits of the visit file.
    source
        ``bevolking`` or ``waarnemingen`` (as :attr:`Demand.source`).
    model
        The population model anchored to inhabitants x rate (for bevolking the same as ``table``).
    """

    table: pd.DataFrame
    reference_years: tuple[int, ...]
    years: tuple[int, ...]
    level: float
    source: str
    model: renewal.DemandOverTime

    @property
    def model_years(self) -> list[int]:
        """Every year in ``table`` (the reference years and the horizon)."""
        return sorted(int(y) for y in self.table["jaar"].unique())

    @property
    def per_year(self) -> pd.Series:
        """Visits per year, whole municipality (index ``jaar``)."""
        return self.table.groupby("jaar")["bezoeken"].sum().rename("bezoeken")

    @property
    def per_product(self) -> pd.DataFrame:
        """Visits per year (rows) and product (columns), whole municipality."""
        return self.table.pivot_table(index="jaar", columns="product", values="bezoeken", aggfunc="sum")

    @property
    def per_type(self) -> pd.DataFrame:
        """Visits per year (rows), product and visit type (columns), whole municipality."""
        return self.table.pivot_table(index="jaar", columns=["product", "bezoektype"], values="bezoeken", aggfunc="sum")

    @property
    def reference_level(self) -> float:
        """Mean visits per year over the reference period (equals ``level``)."""
        return float(self.per_year[list(self.reference_years)].mean())

    def extremes(self) -> dict[str, tuple[int, float]]:
        """Trough (2019-2023), peak (2024-2028) and next trough (2029 on) of the series: ``{name: (year, visits)}``.

        Only years of the series count; a phase without years in the series is left out.
        """
        series = self.per_year
        phases = {"dal": (series[series.index.isin(TROUGH_YEARS)], "min"),
                  "piek": (series[series.index.isin(PEAK_YEARS)], "max"),
                  "volgend dal": (series[series.index > PEAK_YEARS[-1]], "min")}
        out = {}
        for name, (part, how) in phases.items():
            if len(part):
                year = int(part.idxmin() if how == "min" else part.idxmax())
                out[name] = (year, float(part[year]))
        return out


def yearly_demand(buurt_layer: gpd.GeoDataFrame, rate: float, ts: TimeSettings, observed: ObservedDemand | None = None) -> YearlyDemand:
    """Visits per buurt and year from the KWB age counts, anchored in the reference period.

    Population demand (``observed`` None): the renewal model (:func:`decentraal.methods.renewal.demand_over_time`)
    scaled by one factor so that the mean over ``ts.reference_years`` equals inhabitants x ``rate``.
    Observed demand: each buurt's fitted visits (the level of the visit file's years, which are then the
    reference period) times that buurt's own model series relative to its reference mean, so the fitted
    rates keep their level and follow the renewal wave over the years.
    """
    buurten = buurt_layer.set_index("code")
    people = buurten.loc[buurten["inwoners"].fillna(0) > 0]
    ref = observed.years if observed is not None and observed.years else ts.reference_years
    years = range(min(ref[0], ts.first_year), max(ref[-1], ts.last_year) + 1)
    model = renewal.demand_over_time(people[list(renewal.KWB_COLUMNS)], years, fill_missing=True)
    model = renewal.anchor_to_rate(model, people["inwoners"], rate, ref)
    if observed is None:
        return YearlyDemand(model.table, tuple(ref), ts.years, float(people["inwoners"].sum() * rate), "bevolking", model)
    modelled = model.table.loc[model.table["jaar"].isin(ref)].groupby("code")["bezoeken"].sum() / len(ref)
    fitted = observed.visits.reindex(modelled.index).fillna(0.0)
    factor = (fitted / modelled).where(modelled > 0, 0.0)
    table = model.table.assign(bezoeken=model.table["bezoeken"] * model.table["code"].map(factor))
    return YearlyDemand(table, tuple(ref), ts.years, float(fitted.sum()), "waarnemingen", model)


def design_year_visits(yearly: YearlyDemand, ts: TimeSettings) -> pd.Series:
    """Visits per buurt in ``beslisjaar`` (the siting weight: the year a new counter opens)."""
    rows = yearly.table.loc[yearly.table["jaar"] == ts.decision_year]
    return rows.groupby("code")["bezoeken"].sum()


def counter_visits(table: pd.DataFrame, shares: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Visits per open counter, year, product and visit type: every buurt's visits split by its Huff shares.

    ``table`` as :attr:`YearlyDemand.table`; ``shares`` rows = buurt codes, columns = sites (rows sum to 1).
    Returns ``site``, ``jaar``, ``product``, ``bezoektype``, ``bezoeken``.
    """
    rows = table.loc[table["jaar"].isin(years)]
    wide = rows.pivot_table(index="code", columns=["jaar", "product", "bezoektype"], values="bezoeken", aggfunc="sum",
                            fill_value=0.0)
    missing = sorted(set(wide.index) - set(shares.index))
    if missing:
        raise DataError(f"visits for buurt(en) {', '.join(missing[:5])} that are not demand points; check the buurt layer")
    wide = wide.reindex(shares.index, fill_value=0.0)
    per_site = pd.DataFrame(wide.to_numpy().T @ shares.to_numpy(), index=wide.columns, columns=shares.columns)
    return per_site.rename_axis(columns="site").stack().rename("bezoeken").reset_index()[
        ["site", "jaar", "product", "bezoektype", "bezoeken"]]


def monthly_desks(visits: pd.DataFrame, year: int, *, hours_per_week: float, walk_in_hours_per_week: float,
                  s: ChainSettings, ts: TimeSettings, exact_access: bool = True) -> pd.DataFrame:
    """Desks per month at one counter in one year, for the appointment hours and the walk-in hours.

    ``visits``: the counter's visits in ``year``, rows = product, columns = visit type. Each product's
    visits are spread over the months by its profile (:func:`decentraal.methods.renewal.monthly_profile`:
    travel documents peak before the summer, the rest flat). Per month:

    * **appointments** (visit types not in :data:`WALK_IN_TYPES`): desks from the workload
      (:func:`decentraal.methods.staffing.workload_desks`: visits x service time / (appointment hours x
      target occupancy)). In the peak month (most visits) the access-time norm is checked exactly
      (:func:`~decentraal.methods.staffing.access_time`: ``wachtnorm_aandeel`` of the requests must get a
      slot within ``toegangsnorm_werkdagen`` working days, slots as long as the mean appointment); if the
      workload desks miss it, every month gets the desks the norm needs
      (:func:`~decentraal.methods.staffing.appointment_desks_needed`). Otherwise the other months run at or
      below the same target occupancy with less demand and keep their workload desks. With
      ``exact_access=False`` the exact computation is skipped when :func:`norm_met_for_sure` already
      guarantees the norm (the access time is then not reported).
    * **walk-in** (collection visits, in the walk-in hours): Erlang C for the waiting-time norm on the
      busiest walk-in hour (mean walk-in arrivals per hour x ``piekfactor``), with the target occupancy
      as maximum occupancy (:func:`~decentraal.methods.staffing.erlang_staffing`).

    Desk-hours per month are appointment desks x appointment hours + walk-in desks x walk-in hours;
    ``balies`` is the larger of the two desk counts (the parts follow each other, so that many desks
    must be furnished). Working days are Monday to Friday (no public holidays subtracted).
    """
    # (called for every counter, year and scenario: the calendar and profiles are cached, the frame is built once)
    months, open_hours = _month_calendar(int(year), float(hours_per_week))
    by_type = _monthly_profiles(int(year), tuple(visits.index)) @ visits.fillna(0.0)
    walk_types = [t for t in by_type.columns if t in WALK_IN_TYPES and walk_in_hours_per_week > 0]
    app_types = [t for t in by_type.columns if t not in walk_types]
    minutes = {t: float(ts.service_minutes[t]) for t in by_type.columns}
    days = open_hours / (hours_per_week / staffing.WORKING_DAYS_PER_WEEK)
    walk_hours = open_hours * walk_in_hours_per_week / hours_per_week
    app_hours = open_hours - walk_hours
    app_part = by_type[app_types]
    work = staffing.workload_desks(app_part, minutes, pd.Series(app_hours, index=months),
                                   target_occupancy=ts.target_occupancy).desks.to_numpy()
    app_visits = app_part.sum(axis=1).to_numpy()
    app_minutes = app_part.to_numpy() @ np.array([minutes[t] for t in app_types])
    if walk_types:
        walk_part = by_type[walk_types]
        walk_visits = walk_part.sum(axis=1).to_numpy()
        walk_minutes = walk_part.to_numpy() @ np.array([minutes[t] for t in walk_types])
    else:
        walk_visits = walk_minutes = np.zeros(12)
    visits_all = app_visits + walk_visits
    columns = {"maand": months.month, "bezoeken": visits_all, "bezoeken_afspraak": app_visits,
               "bezoeken_inloop": walk_visits, "uren_afspraak": app_hours, "uren_inloop": walk_hours,
               "balies_werklast": work}
    peak = int(np.argmax(visits_all))
    app_per_day = (hours_per_week - walk_in_hours_per_week) / staffing.WORKING_DAYS_PER_WEEK
    peak_slots = (int(work[peak]) * staffing.appointment_slots_per_day(1, app_per_day, app_minutes[peak] / app_visits[peak])
                  if app_visits[peak] > 0 else 0)
    if not exact_access and norm_met_for_sure(app_visits[peak] / days[peak], peak_slots, ts.access_days, s.target_share):
        access = None
    else:
        access = _appointment_access(app_visits[peak] / days[peak], app_minutes[peak], app_visits[peak], int(work[peak]),
                                     app_per_day, s, ts)
    if access is None or access.share_within(ts.access_days) >= s.target_share:
        columns["balies_afspraak"] = work
    else:  # the norm binds: every month gets the desks it needs (rare with a target occupancy below 1)
        columns["balies_afspraak"] = np.array([max(int(w), _norm_desks(v / d, m / v, app_per_day, s, ts)) if v > 0 else 0
                                               for w, v, d, m in zip(work, app_visits, days, app_minutes)], dtype=np.int64)
        access = _appointment_access(app_visits[peak] / days[peak], app_minutes[peak], app_visits[peak],
                                     int(columns["balies_afspraak"][peak]), app_per_day, s, ts)
    columns["toegangstijd_dagen"] = np.where(np.arange(12) == peak, access.mean_access_days if access else np.nan, np.nan)
    columns["binnen_toegangsnorm"] = np.where(np.arange(12) == peak, access.share_within(ts.access_days) if access else np.nan, np.nan)
    walk = [_walk_in_month(v / h * s.peak_factor, m / v if v > 0 else float(pd.Series(minutes)[list(WALK_IN_TYPES)].mean()), s, ts)
            if walk_types else _walk_in_month(0.0, 0.0, s, ts, open_=False)
            for v, h, m in zip(walk_visits, walk_hours, walk_minutes)]
    columns.update({key: np.array([w[key] for w in walk]) for key in walk[0]})
    columns["balies"] = np.maximum(columns["balies_afspraak"], columns["balies_inloop"])
    columns["baliuren"] = columns["balies_afspraak"] * app_hours + columns["balies_inloop"] * walk_hours
    return pd.DataFrame(columns)


@functools.lru_cache(maxsize=64)
def _month_calendar(year: int, hours_per_week: float) -> tuple[pd.PeriodIndex, np.ndarray]:
    """The months of ``year`` and a desk's opening hours in each (read-only; :func:`monthly_desks`)."""
    months = pd.period_range(f"{year}-01", periods=12, freq="M")
    hours = staffing.opening_hours_per_month(months, hours_per_week=hours_per_week).to_numpy()
    hours.setflags(write=False)
    return months, hours


@functools.lru_cache(maxsize=64)
def _monthly_profiles(year: int, products: tuple[str, ...]) -> pd.DataFrame:
    """Monthly shares of each product's visits in ``year``, months x products (do not modify; :func:`monthly_desks`)."""
    months, _ = _month_calendar(year, 1.0)
    return pd.DataFrame({p: renewal.monthly_profile(p).to_numpy() for p in products}, index=months)


def norm_met_for_sure(requests_per_day: float, slots_per_day: int, days: int, target_share: float) -> bool:
    """Whether at least ``target_share`` of the requests surely get a slot within ``days`` working days.

    A quick sufficient test before the exact :func:`decentraal.methods.staffing.access_time`: a request's
    position in the agenda is ``Q + H + 1`` (backlog ``Q``, requests ahead of it that day ``H``) and it
    misses the norm when the position exceeds ``days x K``. Markov's inequality with Kingman's bound
    ``E[Q] <= lambda / (2 (K - lambda))`` and ``E[H] = lambda / 2`` (Poisson requests) bounds that share by
    ``(E[Q] + lambda / 2 + 1) / (days x K + 1)``. False means "not sure", not "missed".
    """
    if slots_per_day <= requests_per_day:
        return False
    lam, k = requests_per_day, slots_per_day
    miss = (lam / (2.0 * (k - lam)) + lam / 2.0 + 1.0) / (days * k + 1.0)
    return miss <= 1.0 - target_share


def _appointment_access(requests_per_day: float, workload_minutes: float, n_visits: float, desks: int, hours_per_day: float,
                        s: ChainSettings, ts: TimeSettings) -> staffing.AccessTime | None:
    """Access time of the appointment agenda with ``desks`` desks (None without appointment visits).

    Slots are as long as the mean appointment (``workload_minutes / n_visits``); with no more slots
    than requests the agenda is unstable (access time infinite, norm missed).
    """
    if n_visits <= 0:
        return None
    slots = desks * staffing.appointment_slots_per_day(1, hours_per_day, workload_minutes / n_visits)
    if slots <= requests_per_day or slots < 1:
        return staffing.AccessTime(requests_per_day, max(slots, 0), np.inf, False, 0.0, np.inf, np.inf, np.inf, ())
    # A nearly idle agenda (e.g. a small new counter under the nearest rule) overflows the exact computation
    # (it takes exp((K - lambda) / lambda)); below 1/300 of the slots the requests are raised to that floor, a
    # conservative bound: the access time is about one working day either way.
    return staffing.access_time(max(requests_per_day, slots / 300.0), slots)


def _norm_desks(requests_per_day: float, slot_minutes: float, hours_per_day: float, s: ChainSettings, ts: TimeSettings) -> int:
    """Desks the access-time norm needs (:func:`decentraal.methods.staffing.appointment_desks_needed`)."""
    return staffing.appointment_desks_needed(requests_per_day, slot_minutes, max_access_days=ts.access_days,
                                             target_share=s.target_share, appointment_hours_per_day=hours_per_day).desks


def _walk_in_month(arrivals_per_hour: float, service_minutes: float, s: ChainSettings, ts: TimeSettings, *,
                   open_: bool = True) -> dict[str, float]:
    """Walk-in desks of one month (Erlang C on the busiest walk-in hour); none without walk-in hours."""
    if not open_:
        return {"balies_inloop": 0, "aankomsten_per_uur_piek": 0.0, "inloop_wachttijd_min": np.nan, "inloop_binnen_norm": np.nan}
    e = staffing.erlang_staffing(arrivals_per_hour, service_minutes, target_wait_minutes=s.target_wait_minutes,
                                 target_share=s.target_share, max_occupancy=ts.target_occupancy)
    return {"balies_inloop": e.raw_desks, "aankomsten_per_uur_piek": arrivals_per_hour,
            "inloop_wachttijd_min": e.mean_wait_minutes, "inloop_binnen_norm": e.service_level}


#: Columns of the desks-per-year table (``03_balies_per_jaar``), one row per scenario, counter and year.
CAPACITY_COLUMNS = ["model", "k_new", "site", "nieuw", "jaar", "bezoeken", "piekmaand", "bezoeken_piekmaand",
                    "balies_afspraak", "balies_inloop", "balies", "aankomsten_per_uur_piek", "toegangstijd_dagen",
                    "binnen_toegangsnorm", "inloop_wachttijd_min", "inloop_binnen_norm", "baliuren_per_jaar"]


def capacity_over_time(chain: ChainResult, table: pd.DataFrame, s: ChainSettings, ts: TimeSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Desks per month and per year at every open counter of every scenario, for every year of the horizon.

    Each scenario's visits per counter come from the per-year demand ``table`` and the scenario's shares
    under the run's choice rule (per buurt: the mean over its demand points, :meth:`ChainResult.buurt_shares`); desks per month from :func:`monthly_desks`.
    Returns ``(per_year, per_month)``: per year the peak month (most visits at that counter), the
    desks in it, and the desk-hours summed over the months (:data:`CAPACITY_COLUMNS`); per month every
    row of :func:`monthly_desks` with ``model``, ``k_new``, ``site``, ``nieuw`` and ``jaar``. The access
    time to an appointment is computed exactly in ``beslisjaar``; in the other years only where the quick
    bound (:func:`norm_met_for_sure`) does not already guarantee the norm.
    """
    done: dict[tuple[str, ...], pd.DataFrame] = {}
    months = []
    for sol in chain.solutions:
        key = tuple(sol.open_sites)
        if key not in done:
            shares = chain.buurt_shares(key)
            visits = counter_visits(table, shares, ts.years).pivot_table(
                index=["site", "jaar", "product"], columns="bezoektype", values="bezoeken", aggfunc="sum", fill_value=0.0)
            frames = []
            for (site, year), wide in visits.groupby(level=["site", "jaar"], sort=False):
                new = site in sol.new_sites
                m = monthly_desks(wide.droplevel(["site", "jaar"]), int(year), s=s, ts=ts,
                                  hours_per_week=s.opening_hours_new if new else s.opening_hours_existing,
                                  walk_in_hours_per_week=ts.walk_in_hours_new if new else ts.walk_in_hours_existing,
                                  exact_access=int(year) == ts.decision_year)
                frames.append(m.assign(site=site, nieuw=new, jaar=int(year)))
            done[key] = pd.concat(frames, ignore_index=True)
        months.append(done[key].assign(model=sol.model, k_new=sol.k_new))
    per_month = pd.concat(months, ignore_index=True)
    keys = ["model", "k_new", "site", "nieuw", "jaar"]
    peak = per_month.loc[per_month.groupby(keys, sort=False)["bezoeken"].idxmax()].set_index(keys)
    per_year = peak.assign(
        piekmaand=peak["maand"], bezoeken_piekmaand=peak["bezoeken"],
        bezoeken=per_month.groupby(keys, sort=False)["bezoeken"].sum(),
        baliuren_per_jaar=per_month.groupby(keys, sort=False)["baliuren"].sum(),
    ).reset_index()
    return per_year[CAPACITY_COLUMNS], per_month


def expected_distance(distance: pd.DataFrame, shares: pd.DataFrame) -> pd.Series:
    """Per area the mean distance of its visits: ``sum_s share_s x distance_s`` over the open sites."""
    return (shares * distance[list(shares.columns)]).sum(axis=1)


def system_costs(chain: ChainResult, table: pd.DataFrame, per_year: pd.DataFrame, s: ChainSettings,
                 ts: TimeSettings) -> pd.DataFrame:
    """System-wide extra cost per scenario and year under both readings of the fixed cost.

    For every scenario and year: desk-hours of the existing counters before (the k = 0 scenario) and
    after, desk-hours of the new counters, visits at the new counters, and the travel saved (each demand
    point's visits x its share of each open counter under the run's rule, against the point's expected
    distance with only the existing counters; :func:`decentraal.methods.systemcost.travel_savings`); then
    :func:`decentraal.methods.systemcost.system_cost_range`. One row per scenario, year and reading
    (``omvat_personeel`` True/False, ``lezing``), with every :class:`~decentraal.methods.systemcost.SystemCost` field.
    """
    visits = table.loc[table["jaar"].isin(ts.years)].groupby(["jaar", "code"])["bezoeken"].sum()
    pts = chain.points
    now = chain.now
    before = (chain.shares(now.open_sites) * chain.distance[now.open_sites]).sum(axis=1).to_numpy()
    hours = per_year.groupby(["model", "k_new", "nieuw", "jaar"])["baliuren_per_jaar"].sum()
    new_visits = per_year.loc[per_year["nieuw"]].groupby(["model", "k_new", "jaar"])["bezoeken"].sum()
    done: dict[tuple[str, ...], np.ndarray] = {}
    rows = []
    for sol in chain.solutions:
        key = tuple(sol.open_sites)
        if key not in done:
            done[key] = chain.shares(key).to_numpy()
        shares = done[key]
        after = chain.distance[list(key)].to_numpy().ravel()
        for year in ts.years:
            v = visits.loc[year].reindex(pts["code"]).fillna(0.0).to_numpy() / pts["n_punten"].to_numpy()
            travel = systemcost.travel_savings((shares * v[:, None]).ravel(), np.repeat(before, len(key)), after)
            cost_range = systemcost.system_cost_range(
                n_new_counters=sol.k_new, central_desk_hours_before=float(hours.get((sol.model, 0, False, year), 0.0)),
                central_desk_hours_after=float(hours.get((sol.model, sol.k_new, False, year), 0.0)),
                district_desk_hours=float(hours.get((sol.model, sol.k_new, True, year), 0.0)),
                visits_new_counters=float(new_visits.get((sol.model, sol.k_new, year), 0.0)), visits_closer=travel.visits_closer,
                km_saved=travel.km_saved, hourly_desk_cost=s.hourly_desk_cost, fixed_cost_per_counter=s.fixed_cost,
            )
            for one in (cost_range.omvat_personeel, cost_range.exclusief_personeel):
                rows.append({"model": sol.model, "k_new": sol.k_new, "jaar": year, "lezing": READINGS[one.vaste_kosten_omvat_personeel],
                             "omvat_personeel": one.vaste_kosten_omvat_personeel, **asdict(one)})
    return pd.DataFrame(rows)


#: Columns of the cost summary per scenario (``03_kosten_per_scenario``): means over the years a new
#: counter can be open; ``_laag``/``_hoog`` are the two readings of the fixed cost.
SCENARIO_COST_COLUMNS = ["model", "k_new", "nieuwe_locaties", "bezoeken_nieuw", "bezoeken_dichterbij", "km_bespaard",
                         "extra_kosten_laag", "extra_kosten_hoog", "extra_kosten_gekozen", "kosten_per_bezoek_laag",
                         "kosten_per_bezoek_hoog", "bruto_per_bezoek_laag", "bruto_per_bezoek_hoog", "kosten_per_bezoek_dichterbij_laag", "kosten_per_bezoek_dichterbij_hoog",
                         "kosten_per_km_laag", "kosten_per_km_hoog", "personeel_nieuw", "besparing_centraal", "balies_piek",
                         "afstand_inwoners_km", "afstand_65plus_km"]


def _ratio_range(part: pd.DataFrame, numerator: str, denominator: str) -> tuple[float, float]:
    """Lowest and highest ratio of summed ``numerator`` to summed ``denominator`` over the two readings (NaN when 0)."""
    values = [frame[numerator].sum() / frame[denominator].sum() if frame[denominator].sum() > 0 else np.nan
              for _, frame in part.groupby("omvat_personeel")]
    return (float(np.nanmin(values)), float(np.nanmax(values))) if not np.all(np.isnan(values)) else (np.nan, np.nan)


def scenario_costs(chain: ChainResult, costs: pd.DataFrame, per_year: pd.DataFrame, ts: TimeSettings) -> pd.DataFrame:
    """Per scenario: visits, travel saved and cost, means over :attr:`TimeSettings.cost_years`, both readings.

    Cost per visit (at the new counters), per visit made closer and per km saved are the ratio of the
    summed system-wide extra cost to the summed visits or km over those years (so a busy year weighs
    more than a quiet one); ``bruto_per_bezoek`` is the new counters' own cost (fixed cost plus, in the
    higher reading, their staff) per visit, without the central counter's saving. ``extra_kosten_gekozen`` is the reading of ``vaste_kosten_omvat_personeel``; ``balies_piek``
    the most desks in a peak month at all open counters together over those years; the distances are
    means over inhabitants and over residents aged 65+ of the distance to the nearest open counter.
    """
    names = chain.site_names
    points = chain.points
    older = points["inwoners_65plus"].fillna(0)
    years = list(ts.cost_years)
    rows = []
    for sol in chain.solutions:
        part = costs.loc[(costs["model"] == sol.model) & (costs["k_new"] == sol.k_new) & costs["jaar"].isin(years)]
        low, high = part.loc[part["omvat_personeel"]], part.loc[~part["omvat_personeel"]]
        chosen = low if ts.fixed_cost_includes_staff else high
        desks = per_year.loc[(per_year["model"] == sol.model) & (per_year["k_new"] == sol.k_new) & per_year["jaar"].isin(years)]
        per_visit = _ratio_range(part, "incremental_cost_eur", "visits_new_counters")
        gross = _ratio_range(part, "new_counter_cost_eur", "visits_new_counters")
        per_closer = _ratio_range(part, "incremental_cost_eur", "visits_closer")
        per_km = _ratio_range(part, "incremental_cost_eur", "km_saved")
        rows.append({
            "model": sol.model, "k_new": sol.k_new, "nieuwe_locaties": ", ".join(names[i] for i in sol.new_sites),
            "bezoeken_nieuw": float(low["visits_new_counters"].mean()), "bezoeken_dichterbij": float(low["visits_closer"].mean()),
            "km_bespaard": float(low["km_saved"].mean()), "extra_kosten_laag": float(low["incremental_cost_eur"].mean()),
            "extra_kosten_hoog": float(high["incremental_cost_eur"].mean()),
            "extra_kosten_gekozen": float(chosen["incremental_cost_eur"].mean()),
            "kosten_per_bezoek_laag": per_visit[0], "kosten_per_bezoek_hoog": per_visit[1],
            "bruto_per_bezoek_laag": gross[0], "bruto_per_bezoek_hoog": gross[1],
            "kosten_per_bezoek_dichterbij_laag": per_closer[0], "kosten_per_bezoek_dichterbij_hoog": per_closer[1],
            "kosten_per_km_laag": per_km[0], "kosten_per_km_hoog": per_km[1],
            "personeel_nieuw": float(high["district_staff_cost_eur"].mean()),
            "besparing_centraal": float(low["central_staff_saving_eur"].mean()),
            "balies_piek": int(desks.groupby("jaar")["balies"].sum().max()),
            "afstand_inwoners_km": float(np.average(sol.distance_km, weights=points["inwoners"])),
            "afstand_65plus_km": float(np.average(sol.distance_km, weights=older)) if older.sum() > 0 else np.nan,
        })
    return pd.DataFrame(rows, columns=SCENARIO_COST_COLUMNS)


@dataclass(frozen=True)
class OverTime:
    """Demand per year, desks and the system-wide cost per year of every scenario (:func:`over_time`).

    Attributes
    ----------
    settings
        The parameters (:class:`TimeSettings`).
    demand
        Visits per buurt and year (:class:`YearlyDemand`).
    capacity
        ``03_balies_per_jaar``: per scenario, open counter and year of the horizon (:data:`CAPACITY_COLUMNS`).
    monthly
        Every month of :func:`monthly_desks` per scenario, counter and year.
    costs
        ``03_systeemkosten_per_jaar``: per scenario, year and reading of the fixed cost (:func:`system_costs`).
    scenarios
        ``03_kosten_per_scenario``: per scenario the means over the years a new counter can be open
        (:data:`SCENARIO_COST_COLUMNS`).
    """

    settings: TimeSettings
    demand: YearlyDemand
    capacity: pd.DataFrame
    monthly: pd.DataFrame
    costs: pd.DataFrame
    scenarios: pd.DataFrame

    def demand_table(self) -> pd.DataFrame:
        """``03_vraag_per_jaar``: visits per year, product and visit type (whole municipality) and whether
        the year is in the reference period."""
        out = self.demand.table.groupby(["jaar", "product", "bezoektype"], as_index=False)["bezoeken"].sum()
        return out.assign(referentieperiode=out["jaar"].isin(self.demand.reference_years))

    def scenario(self, model: str, k_new: int) -> pd.Series:
        """The row of :attr:`scenarios` of ``model`` with ``k_new`` new counters."""
        return self.scenarios.loc[(self.scenarios["model"] == model) & (self.scenarios["k_new"] == k_new)].iloc[0]


def over_time(chain: ChainResult, yearly: YearlyDemand, s: ChainSettings, ts: TimeSettings, *,
              seconds: dict[str, float] | None = None) -> OverTime:
    """Desks (:func:`capacity_over_time`) and cost (:func:`system_costs`, :func:`scenario_costs`) for every
    scenario of ``chain``, from the demand per year ``yearly`` (:func:`yearly_demand`).

    ``seconds``, when given, receives the wall time of ``capaciteit`` and ``kosten``."""
    t0 = clock.perf_counter()
    per_year, per_month = capacity_over_time(chain, yearly.table, s, ts)
    t1 = clock.perf_counter()
    costs = system_costs(chain, yearly.table, per_year, s, ts)
    result = OverTime(ts, yearly, per_year, per_month, costs, scenario_costs(chain, costs, per_year, ts))
    if seconds is not None:
        seconds.update(capaciteit=t1 - t0, kosten=clock.perf_counter() - t1)
    return result


# --------------------------------------------------------------------------- uncertainty
#: The reading of the EUR 400,000 is drawn 50/50 in the Monte Carlo (a yes/no question, no range).
READING_PARAMETER = "vaste_kosten_omvat_personeel"
#: Draws of the gravity rule whose siting is re-solved (the gravity objective is not a matrix product).
GRAVITY_SITING_DRAWS = 100
#: The drawn coverage radius is rounded to this many km for the MCLP re-solve (draws grouped per radius).
RADIUS_STEP_KM = 0.05
#: Base sample size of the Sobol analysis (``N (d + 2)`` model runs).
SOBOL_N = 256


def assumption_ranges(base: Mapping[str, Mapping], params: RunParameters) -> dict[str, tuple[float, float, float]]:
    """``{name: (low, high, mode)}`` of every numeric assumption of chapter 03 (group ``loketten``) with a ``bereik``.

    The mode is the run's value (so an override moves the peak); a value outside the range widens it.
    """
    entries = {k: e for k, e in base.items() if e.get("groep") == "loketten"}
    out = {}
    for name, (low, high, _) in uncertainty.ranges_from_entries(entries).items():
        value = float(getattr(params, name))
        out[name] = (min(low, value), max(high, value), value)
    return out


@dataclass(frozen=True)
class _Scenario:
    """What the fast propagation needs of one scenario (its site set fixed at the headline solution)."""

    model: str
    k_new: int
    open_sites: tuple[str, ...]
    new: np.ndarray            # bool per open site
    shares: np.ndarray         # buurten x open sites under the run's rule at the defaults
    calibration: np.ndarray    # years x open sites: detailed desk-hours / surrogate desk-hours at the defaults


@dataclass(frozen=True)
class _Prepared:
    """The chain reduced to arrays for the Monte Carlo (:func:`uncertainty_analysis`)."""

    codes: np.ndarray
    visits: np.ndarray         # buurten x years x visit types (the renewal model at the defaults)
    reference: np.ndarray      # mean visits per buurt over the reference period
    types: tuple[str, ...]
    years: np.ndarray
    cost_years: np.ndarray     # bool per year
    scenarios: tuple[_Scenario, ...]
    point_to_buurt: np.ndarray  # buurten x points, 1 / n_points of the buurt
    chain: ChainResult
    defaults: dict[str, float]


def _param(x: pd.DataFrame, name: str, default: float) -> np.ndarray:
    return x[name].to_numpy(dtype=float) if name in x else np.full(len(x), float(default))


def _prepare(chain: ChainResult, time: OverTime, s: ChainSettings, ts: TimeSettings) -> _Prepared:
    pts = chain.points
    codes = np.array(sorted(pts["code"].unique()))
    table = time.demand.table
    types = tuple(renewal.VISIT_TYPES)
    wide = table.loc[table["jaar"].isin(ts.years)].pivot_table(index="code", columns=["jaar", "bezoektype"], values="bezoeken",
                                                               aggfunc="sum", fill_value=0.0)
    cols = pd.MultiIndex.from_product([list(ts.years), list(types)])
    visits = wide.reindex(index=codes, columns=cols, fill_value=0.0).to_numpy().reshape(len(codes), len(ts.years), len(types))
    ref = table.loc[table["jaar"].isin(time.demand.reference_years)].groupby("code")["bezoeken"].sum() / len(time.demand.reference_years)
    defaults = {"openingsuren_per_week": s.opening_hours_new, "openingsuren_bestaand_per_week": s.opening_hours_existing,
                "doelbezetting": ts.target_occupancy, "uurkosten_balie": s.hourly_desk_cost, "afstandsverval_beta": s.beta,
                "urenelasticiteit_gamma": s.gamma, "productaandeel_nieuw": s.product_share,
                **{f"bedieningstijd_{k}_minuten": float(v) for k, v in ts.service_minutes.items()}}
    m0 = np.array([ts.service_minutes[k] for k in types])
    cap = time.capacity.set_index(["model", "k_new", "site", "jaar"])["baliuren_per_jaar"]
    scen = []
    for sol in chain.solutions:
        key = tuple(sol.open_sites)
        shares = chain.buurt_shares(key).reindex(codes).to_numpy()
        new = np.array([k in sol.new_sites for k in key])
        hours = np.where(new, s.opening_hours_new, s.opening_hours_existing)
        work = np.einsum("byt,t,bj->yj", visits, m0, shares)
        surrogate = np.maximum(hours[None, :] * 52.0, work / 60.0 / ts.target_occupancy)
        detailed = np.array([[cap.get((sol.model, sol.k_new, site, y), np.nan) for site in key] for y in ts.years])
        scen.append(_Scenario(sol.model, sol.k_new, key, new, shares, np.nan_to_num(detailed / surrogate, nan=1.0)))
    index = pd.Index(codes).get_indexer(pts["code"])
    m = np.zeros((len(codes), len(pts)))
    m[index, np.arange(len(pts))] = 1.0 / pts["n_punten"].to_numpy()
    return _Prepared(codes, visits, ref.reindex(codes).fillna(0.0).to_numpy(), types, np.array(ts.years),
                     np.isin(ts.years, ts.cost_years), tuple(scen), m, chain, defaults)


def _noise(x: pd.DataFrame, z: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Lognormal factor per draw and buurt with coefficient of variation ``spreiding_bezoekcijfer_buurt``,
    rescaled so every draw keeps the municipality's visits in the reference period."""
    cv = _param(x, "spreiding_bezoekcijfer_buurt", 0.0)
    sigma = np.sqrt(np.log1p(cv ** 2))[:, None]
    f = np.exp(sigma * z - sigma ** 2 / 2)
    return f * (reference.sum() / (f @ reference))[:, None]


def _gravity_shares(prep: _Prepared, sc: _Scenario, x: pd.DataFrame) -> np.ndarray:
    """Buurt shares per draw under the gravity rule with the drawn beta, gamma, product share and hours (draws x buurten x sites)."""
    chain = prep.chain
    rule = chain.settings.gravity
    d = chain.distance[list(sc.open_sites)].to_numpy()
    beta = _param(x, "afstandsverval_beta", rule.beta)
    gamma = _param(x, "urenelasticiteit_gamma", rule.gamma)
    share = _param(x, "productaandeel_nieuw", rule.product_share)
    h_new = _param(x, "openingsuren_per_week", prep.defaults["openingsuren_per_week"])
    h_old = _param(x, "openingsuren_bestaand_per_week", prep.defaults["openingsuren_bestaand_per_week"])
    hours = np.where(sc.new[None, :], h_new[:, None], h_old[:, None])
    attract = (hours / hours.max(axis=1, keepdims=True)) ** gamma[:, None] * np.where(sc.new[None, :], share[:, None], 1.0)
    e = attract[:, None, :] * decay(rule, d[None, :, :], beta[:, None, None])
    p = e / e.sum(axis=2, keepdims=True)
    return np.einsum("bp,dpj->dbj", prep.point_to_buurt, p)


def propagate(prep: _Prepared, x: pd.DataFrame, z: np.ndarray, reading: np.ndarray,
              scenarios: Sequence[_Scenario] | None = None) -> dict[str, np.ndarray]:
    """Visits, desk-hours and cost per draw for every scenario (vectorised over the draws).

    Per draw ``d`` (row of ``x``): visits per buurt, year and visit type = the renewal model at the defaults
    x the buurt's noise factor (:func:`_noise`); visits per counter from the rule's shares (the nearest rule's
    are fixed for a site set; the gravity rule's are recomputed with the drawn beta, gamma, product share and
    hours); workload = visits x drawn service minutes. SHORTCUT (documented in the report): desk-hours per
    counter and year = ``c_jy x max(hours_j x 52, workload / 60 / target occupancy)``, where ``c_jy`` makes
    this equal the detailed monthly model (:func:`capacity_over_time`: integer desks, walk-in Erlang C,
    access-time norm) at the defaults; so ``piekfactor``, ``toegangsnorm_werkdagen`` and
    ``inloopuren_nieuw_per_week`` keep the effect they have at the defaults. Cost as
    :func:`decentraal.methods.systemcost.system_cost` under the drawn reading (``reading`` True: the EUR
    400,000 includes the new counter's staff).

    Returns arrays keyed ``bezoeken_nieuw|extra_kosten|kosten_per_bezoek`` (draws x scenarios; means over
    ``kosten_jaren``, cost per visit the ratio of sums) and ``vraag_per_jaar`` (draws x years).
    """
    s = prep.chain.settings
    scen = list(scenarios or prep.scenarios)
    noise = _noise(x, z, prep.reference)
    m = np.column_stack([_param(x, f"bedieningstijd_{t}_minuten", prep.defaults[f"bedieningstijd_{t}_minuten"]) for t in prep.types])
    occ = _param(x, "doelbezetting", prep.defaults["doelbezetting"])
    h_new = _param(x, "openingsuren_per_week", prep.defaults["openingsuren_per_week"])
    h_old = _param(x, "openingsuren_bestaand_per_week", prep.defaults["openingsuren_bestaand_per_week"])
    rate = _param(x, "uurkosten_balie", prep.defaults["uurkosten_balie"])
    vis_b = np.einsum("by,db->dyb", prep.visits.sum(axis=2), noise)
    work_b = np.einsum("byt,db,dt->dyb", prep.visits, noise, m)
    cy = prep.cost_years
    hours_by: dict[tuple[str, int], np.ndarray] = {}
    out = {k: np.full((len(x), len(scen)), np.nan) for k in ("bezoeken_nieuw", "extra_kosten", "kosten_per_bezoek")}
    for j in sorted(range(len(scen)), key=lambda i: scen[i].k_new):
        sc = scen[j]
        if s.rule_kind == "gravity":
            p = _gravity_shares(prep, sc, x)
            vis = np.einsum("dyb,dbj->dyj", vis_b, p)
            work = np.einsum("dyb,dbj->dyj", work_b, p)
        else:
            vis = vis_b @ sc.shares
            work = work_b @ sc.shares
        hours = np.where(sc.new[None, :], h_new[:, None], h_old[:, None])
        desk = sc.calibration[None] * np.maximum(hours[:, None, :] * 52.0, work / 60.0 / occ[:, None, None])
        hours_by[(sc.model, sc.k_new)] = desk[:, :, ~sc.new].sum(axis=2)
        before = hours_by.get((sc.model, 0), hours_by.get(("mclp", 0), hours_by.get(("pmedian", 0))))
        incl = sc.k_new * s.fixed_cost - (before - desk[:, :, ~sc.new].sum(axis=2)) * rate[:, None]
        cost = np.where(reading[:, None], incl, incl + desk[:, :, sc.new].sum(axis=2) * rate[:, None])
        new_visits = vis[:, :, sc.new].sum(axis=2)
        out["bezoeken_nieuw"][:, j] = new_visits[:, cy].mean(axis=1)
        out["extra_kosten"][:, j] = cost[:, cy].mean(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["kosten_per_bezoek"][:, j] = np.where(sc.k_new > 0, cost[:, cy].sum(axis=1) / new_visits[:, cy].sum(axis=1), np.nan)
    out["vraag_per_jaar"] = vis_b.sum(axis=2)
    return out


def _subsets(chain: ChainResult, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Existing and subset column indices, and each point's distance to its nearest open site per subset."""
    cols = list(chain.distance.columns)
    existing = [c for c in cols if c in set(chain.sites.loc[chain.sites["soort"] == "bestaand", "site"])]
    ex = np.array([cols.index(c) for c in existing], dtype=int)
    cand = np.array([i for i, c in enumerate(cols) if c not in existing], dtype=int)
    combos = cand[np.array(list(itertools.combinations(range(len(cand)), k)), dtype=int)]
    d = chain.distance.to_numpy()
    nearest = d[:, combos].min(axis=2)
    if len(ex):
        nearest = np.minimum(nearest, d[:, ex].min(axis=1)[:, None])
    return ex, combos, nearest, cols


def best_sets(prep: _Prepared, x: pd.DataFrame, z: np.ndarray, k_max: int) -> tuple[pd.DataFrame, int]:
    """Re-solve the siting per draw (k = 1..min(K, 3), both models): the best site set of every draw.

    Weights per draw = the design-year visits of the demand points x their buurt's noise factor. p-median
    under the nearest rule and MCLP for ALL draws, as matrix products over the enumerated subsets (the MCLP
    radius rounded to :data:`RADIUS_STEP_KM`); p-median under the gravity rule for the first
    :data:`GRAVITY_SITING_DRAWS` draws (the expected distance is recomputed per draw). The 65+ constraint
    (``min_share_65plus``) is applied with each draw's radius. Returns one row per model, k and draw
    (``model``, ``k_new``, ``trekking``, ``sites`` as a sorted tuple of ids) and the number of gravity draws.
    """
    chain = prep.chain
    s = chain.settings
    pts = chain.points
    noise = _noise(x, z, prep.reference)
    code_idx = pd.Index(prep.codes).get_indexer(pts["code"])
    w0 = pts["bezoeken_ontwerpjaar"].to_numpy(dtype=float)
    t0 = pts["inwoners_65plus"].to_numpy(dtype=float)
    agg = np.zeros((len(prep.codes), len(pts)))
    agg[code_idx, np.arange(len(pts))] = w0
    radius = np.round(_param(x, "dekkingsafstand_km", s.radius_km) / RADIUS_STEP_KM) * RADIUS_STEP_KM
    groups = {r: np.flatnonzero(radius == r) for r in np.unique(radius)}
    n_grav = min(len(x), GRAVITY_SITING_DRAWS)
    rows = []
    for k in range(1, min(k_max, ENUMERATION_MAX_K) + 1):
        ex, combos, nearest, cols = _subsets(chain, k)
        names = [tuple(sorted(cols[j] for j in c)) for c in combos]
        z_all = noise @ (agg @ nearest)                                     # draws x subsets, p-median (nearest)
        admissible = np.ones((len(x), len(combos)), bool)
        best_mclp = np.empty(len(x), dtype=int)
        for r, idx in groups.items():
            inside = nearest <= r + 1e-12
            if s.min_share_65plus and t0.sum() > 0:
                ok = (t0 @ inside) / t0.sum() >= s.min_share_65plus
                admissible[idx] = (ok if ok.any() else np.ones_like(ok))[None, :]  # unreachable: solved without it
            cov = noise[idx] @ (agg @ inside)
            cov = np.where(admissible[idx], cov, -np.inf)
            top = cov.max(axis=1, keepdims=True)
            tie = cov >= top - 1e-9 * np.abs(top)
            best_mclp[idx] = np.argmin(np.where(tie, z_all[idx], np.inf), axis=1)
        rows += [("mclp", k, d, names[b]) for d, b in enumerate(best_mclp)]
        if s.rule_kind == "nearest":
            best_p = np.argmin(np.where(admissible, z_all, np.inf), axis=1)
            rows += [("pmedian", k, d, names[b]) for d, b in enumerate(best_p)]
        else:
            d_full = chain.distance.to_numpy()
            sub = x.iloc[:n_grav]
            is_new = ~np.isin(np.arange(len(cols)), ex)
            for i in range(n_grav):
                hours = np.where(is_new, _param(sub, "openingsuren_per_week", s.opening_hours_new)[i],
                                 _param(sub, "openingsuren_bestaand_per_week", s.opening_hours_existing)[i])
                gamma = _param(sub, "urenelasticiteit_gamma", s.gamma)[i]
                attract = (hours / hours.max()) ** gamma * np.where(is_new, _param(sub, "productaandeel_nieuw", s.product_share)[i], 1.0)
                obj = gravity_objective(d_full, w0 * noise[i, code_idx], attract, ex, combos, s.gravity,
                                        beta=_param(sub, "afstandsverval_beta", s.beta)[i])
                rows.append(("pmedian", k, i, names[int(np.argmin(np.where(admissible[i], obj, np.inf)))]))
    frame = pd.DataFrame(rows, columns=["model", "k_new", "trekking", "sites"])
    return frame, (n_grav if s.rule_kind == "gravity" else len(x))


@dataclass(frozen=True)
class Uncertainty:
    """Monte Carlo over the assumption ranges and the Sobol indices of the cost per visit (:func:`uncertainty_analysis`).

    Attributes
    ----------
    n, seed
        Draws and seed (``onzekerheid_trekkingen``, ``seed``).
    draws
        The drawn assumptions (one row per draw) and the drawn reading of the EUR 400,000.
    outputs
        Per scenario and draw: ``bezoeken_nieuw``, ``extra_kosten`` and ``kosten_per_bezoek`` (means over
        ``kosten_jaren``) for the scenario's headline site set.
    demand
        Visits per year (columns) per draw, whole municipality.
    kans
        ``03_kans_beste_keuze``: per model, k and site set the share of draws in which the set is the best
        (``model``, ``k_new``, ``sites``, ``locaties``, ``n_draws``, ``share``, ``trekkingen``); shares sum to 1
        per model and k.
    sobol
        ``03_gevoeligheid_aannames``: Sobol indices (``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``)
        of the cost per visit of one new counter (p-median).
    seconds
        Wall time of the propagation (``monte_carlo``), the siting re-solve (``siting``) and ``sobol``.
    siting_draws
        Draws whose siting was re-solved (all of them, or :data:`GRAVITY_SITING_DRAWS` for p-median
        under the gravity rule).
    """

    n: int
    seed: int
    draws: pd.DataFrame
    outputs: pd.DataFrame
    demand: pd.DataFrame
    kans: pd.DataFrame
    sobol: pd.DataFrame
    seconds: dict[str, float]
    siting_draws: int

    def interval(self, model: str, k_new: int, column: str) -> uncertainty.Interval | None:
        """P10/P50/P90 of ``column`` for a scenario (None when it has no finite draws, e.g. cost per visit at k = 0)."""
        v = self.outputs.loc[(self.outputs["model"] == model) & (self.outputs["k_new"] == k_new), column].to_numpy(dtype=float)
        return uncertainty.summarise(v) if len(v) and np.isfinite(v).all() else None

    def chance(self, model: str, k_new: int, sites: Sequence[str]) -> float | None:
        """Share of draws in which ``sites`` is the best set for ``model`` and ``k_new`` (None: not re-solved)."""
        part = self.kans.loc[(self.kans["model"] == model) & (self.kans["k_new"] == k_new)]
        if part.empty:
            return None if k_new > 0 else 1.0
        key = tuple(sorted(sites))
        hit = part.loc[part["sites"].map(lambda ids: tuple(ids) == key), "share"]
        return float(hit.iloc[0]) if len(hit) else 0.0

    @property
    def most_important(self) -> str:
        """The assumption with the largest total Sobol index ("" without a scenario with one new counter)."""
        return str(self.sobol["parameter"].iloc[0]) if len(self.sobol) else ""


def uncertainty_analysis(chain: ChainResult, time: OverTime, s: ChainSettings, ts: TimeSettings,
                         ranges: Mapping[str, tuple[float, float, float]], *, n: int, seed: int) -> Uncertainty:
    """Seeded Monte Carlo through demand, choice, siting, desks and cost, and Sobol indices of the cost per visit.

    Every assumption of ``ranges`` is drawn triangular (peak at the run's value, :func:`decentraal.methods.uncertainty.sample_assumptions`)
    and the reading of the EUR 400,000 50/50; per draw :func:`propagate` (visits and cost of each scenario's
    headline site set) and :func:`best_sets` (the best site set re-solved) run vectorised over the draws.
    The buurt noise uses its own stream of the same seed. The Sobol indices (SALib, uniform inputs, the
    reading as a 0-1 input cut at 0.5) are those of the cost per visit of the p-median scenario with one new
    counter.
    """
    prep = _prepare(chain, time, s, ts)
    t0 = clock.perf_counter()
    x = uncertainty.sample_assumptions(ranges, n, seed=seed)
    rng = np.random.default_rng([seed, 1])
    reading = rng.random(n) < 0.5
    z = rng.standard_normal((n, len(prep.codes)))
    out = propagate(prep, x, z, reading)
    t1 = clock.perf_counter()
    best, n_sited = best_sets(prep, x, z, chain.k_max)
    t2 = clock.perf_counter()
    names = chain.site_names
    kans = []
    for (model, k), part in best.groupby(["model", "k_new"], sort=False):
        table = uncertainty.kans_beste_keuze(part["sites"])
        kans.append(table.assign(model=model, k_new=k, trekkingen=len(part),
                                 locaties=table["sites"].map(lambda ids: ", ".join(names[i] for i in ids))))
    kans_table = (pd.concat(kans, ignore_index=True)[["model", "k_new", "sites", "locaties", "n_draws", "share", "trekkingen"]]
                  if kans else pd.DataFrame(columns=["model", "k_new", "sites", "locaties", "n_draws", "share", "trekkingen"]))
    rows = []
    for j, sc in enumerate(prep.scenarios):
        rows.append(pd.DataFrame({"model": sc.model, "k_new": sc.k_new, "trekking": np.arange(n),
                                  **{k: out[k][:, j] for k in ("bezoeken_nieuw", "extra_kosten", "kosten_per_bezoek")}}))
    outputs = pd.concat(rows, ignore_index=True)
    demand_draws = pd.DataFrame(out["vraag_per_jaar"], columns=list(ts.years))
    sobol = _sobol(prep, ranges, seed)
    t3 = clock.perf_counter()
    draws = x.assign(**{READING_PARAMETER: reading})
    return Uncertainty(n, seed, draws, outputs, demand_draws, kans_table, sobol,
                       {"monte_carlo": t1 - t0, "siting": t2 - t1, "sobol": t3 - t2}, n_sited)


def _sobol(prep: _Prepared, ranges: Mapping[str, tuple[float, float, float]], seed: int) -> pd.DataFrame:
    """Sobol indices of the cost per visit of one new counter (p-median) over every assumption and the reading."""
    pair = [sc for sc in prep.scenarios if sc.model == "pmedian" and sc.k_new in (0, 1)]
    if len(pair) < 2:
        return pd.DataFrame(columns=["parameter", "S1", "S1_conf", "ST", "ST_conf"])
    full = {**ranges, READING_PARAMETER: (0.0, 1.0, 0.5)}
    rng = np.random.default_rng([seed, 2])

    def model(x: pd.DataFrame) -> np.ndarray:
        z = rng.standard_normal((len(x), len(prep.codes)))
        return propagate(prep, x, z, x[READING_PARAMETER].to_numpy() < 0.5, pair)["kosten_per_bezoek"][:, 1]

    return uncertainty.sobol_indices(model, full, SOBOL_N, seed)


def _iv(interval: uncertainty.Interval | None) -> dict[str, float] | None:
    return None if interval is None else interval.as_dict()


def kerncijfers(params: RunParameters, yearly: YearlyDemand, scenarios: pd.DataFrame, chain: ChainResult, ts: TimeSettings,
                unc: Uncertainty, *, synthetic: bool) -> dict:
    """Chapter 03's part of ``kerncijfers.json`` (merged by the runner; schema in ``io/schemas_json``).

    * ``vraag_per_jaar``: visits per year of the horizon, whole municipality: P10/P50/P90 over the draws;
    * ``scenarios``: per model and number of new counters (0 included), for the headline site set, P10/P50/P90
      over the draws of the visits at the new counters, the system-wide extra cost per year and the cost per
      visit (means over ``kosten_jaren``; the reading of the EUR 400,000 drawn 50/50), the mean distance to the
      nearest open counter per inhabitant and per resident aged 65+ (at the defaults), ``kans_beste_keuze``
      (share of draws in which the set is the best for its model and k) and ``bijna_even_goed`` (every other
      set within ``tolerantie_bijna_optimaal``, with its gap and its chance);
    * ``onzekerheid``: draws, seed, the assumption that matters most for the cost per visit (Sobol) and
      whether the siting was re-solved in every draw.
    """
    names = chain.site_names
    near = chain.near_optimal
    items = []
    for sol, row in zip(chain.solutions, scenarios.itertuples(index=False)):
        alternatives = near.loc[(near["model"] == sol.model) & (near["k_new"] == sol.k_new) & (near["rank"] > 1)]
        chance = unc.chance(sol.model, sol.k_new, sol.new_sites)
        items.append({
            "model": sol.model, "nieuwe_loketten": int(sol.k_new), "locaties": [names[i] for i in sol.new_sites],
            "bezoeken_nieuwe_loketten_per_jaar": _iv(unc.interval(sol.model, sol.k_new, "bezoeken_nieuw")),
            "extra_kosten_per_jaar_eur": _iv(unc.interval(sol.model, sol.k_new, "extra_kosten")),
            "kosten_per_bezoek_eur": _iv(unc.interval(sol.model, sol.k_new, "kosten_per_bezoek")) if sol.k_new else None,
            "gemiddelde_afstand_km": {"inwoners": row.afstand_inwoners_km, "65plus": row.afstand_65plus_km},
            "kans_beste_keuze": 1.0 if chance is None else chance,
            "bijna_even_goed": [{"locaties": [names[i] for i in alt.new_sites], "verschil": float(alt.gap),
                                 "kans_beste_keuze": unc.chance(sol.model, sol.k_new, alt.new_sites) or 0.0}
                                for alt in alternatives.itertuples(index=False)],
        })
    demand_iv = uncertainty.summarise_columns(unc.demand)
    return {
        "gemeente": params.gemeente,
        "gemeentenaam": params.gemeentenaam,
        "referentiejaar": list(yearly.reference_years),
        "synthetisch": synthetic,
        "kosten_jaren": [ts.cost_years[0], ts.cost_years[-1]],
        "vraag_per_jaar": [{"jaar": int(y), "bezoeken": demand_iv.loc[y].to_dict()} for y in ts.years],
        "scenarios": items,
        "onzekerheid": {"trekkingen": int(unc.n), "seed": int(unc.seed), "belangrijkste_aanname": unc.most_important,
                        "trekkingen_locatiekeuze": int(unc.siting_draws)},
    }


# --------------------------------------------------------------------------- chapter 03
@dataclass(frozen=True)
class CounterResult:
    """Chapter 03: demand, siting scenarios, desks, cost, their uncertainty and the comparison of municipalities.

    Attributes
    ----------
    level
        The area level of the demand table (``niveau``).
    settings
        The chain settings (from the run parameters, by name; the choice rule included).
    demand
        Visits per buurt and their source.
    per_area
        ``03_vraag_<level>``: ``code``, ``naam``, ``inwoners``, ``bezoeken`` (disclosure-controlled).
    products
        ``03_producten``: ``product``, ``bezoeken``, ``geldigheid_jaar``, ``bron``.
    chain
        The counter chain of the municipality (:class:`ChainResult`).
    scenarios
        ``03_scenarios``: ``chain.scenarios`` plus ``nieuwe_locaties`` (names of the new sites); no cost
        (cost per scenario: :attr:`time` and :attr:`uncertainty`).
    served
        ``03_bediende_gebieden``: where each new counter's visitors come from under the rule, with the
        counter's name (``loket``), disclosure-controlled.
    district_level
        ``stadsdeel`` or ``wijk``: the districts of ``served`` and the catchment map.
    distance_map
        Layer ``03_afstand_voor_na``: per buurt ``afstand_nu`` (mean km of its demand points to the nearest
        existing counter), ``afstand_na`` (with K new counters, p-median) and ``loket`` (the counter most of
        its visits go to under the rule).
    open_sites
        The open sites of that p-median scenario (points).
    sensitivity
        ``03_keuzeregels``: visits per counter under both choice rules (``regel``, ``loket`` name,
        ``bezoeken``, ``aandeel``, ``aandeel_dichterbij_ander``).
    near_optimal
        ``03_bijna_optimaal``: every site set within the tolerance, with names and its chance of being best.
    desks
        ``03_balies``: ``chain.counters`` with the counter's name (``loket``).
    comparison
        ``03_vergelijking_gemeenten``: :data:`COMPARISON_COLUMNS` per municipality.
    time
        Demand per year, desks per month and year, and the system-wide cost per year of every
        scenario at the defaults (:class:`OverTime`).
    uncertainty
        The Monte Carlo and Sobol analysis (:class:`Uncertainty`).
    seconds
        Wall time of the siting (``siting``), the Monte Carlo (``monte_carlo``, ``siting_per_draw``, ``sobol``),
        and of the steps in ``03_rekentijd`` (:func:`step_seconds`).
    """

    level: str
    settings: ChainSettings
    demand: Demand
    per_area: pd.DataFrame
    products: pd.DataFrame
    chain: ChainResult
    scenarios: pd.DataFrame
    served: pd.DataFrame
    district_level: str
    distance_map: gpd.GeoDataFrame
    open_sites: gpd.GeoDataFrame
    sensitivity: pd.DataFrame
    near_optimal: pd.DataFrame
    desks: pd.DataFrame
    comparison: pd.DataFrame
    time: OverTime
    uncertainty: Uncertainty
    seconds: dict[str, float]

    @property
    def k_max(self) -> int:
        """The largest number of new counters in the scenarios."""
        return self.chain.k_max


def distance_layer(buurt_layer: gpd.GeoDataFrame, chain: ChainResult) -> gpd.GeoDataFrame:
    """Per buurt: mean km of its demand points to the nearest counter now and with K new counters (p-median),
    and the counter most of its visits go to under the rule."""
    now, best = chain.now, chain.best
    pts = chain.points
    mean = pd.DataFrame({"afstand_nu": now.distance_km.reindex(pts.index), "afstand_na": best.distance_km.reindex(pts.index)})
    frame = to_buurt(mean, pts)
    frame["loket"] = choice.main_counter(chain.buurt_shares(best.open_sites)).reindex(frame.index).map(chain.site_names)
    return buurt_layer[["code", "naam", "geometry"]].merge(frame.reset_index(), on="code", how="left")


def _joined_sites(frame: pd.DataFrame) -> pd.DataFrame:
    """Scenarios with their site tuples written as ``"a, b"`` (for CSV)."""
    return frame.assign(new_sites=frame["new_sites"].map(", ".join), open_sites=frame["open_sites"].map(", ".join))


def near_optimal_table(chain: ChainResult, unc: Uncertainty) -> pd.DataFrame:
    """``03_bijna_optimaal``: every site set within the tolerance per model and k, named, with its chance of being best."""
    near = chain.near_optimal
    names = chain.site_names
    out = near.assign(locaties=near["new_sites"].map(lambda ids: ", ".join(names[i] for i in ids)),
                      kans_beste_keuze=[unc.chance(m, k, ids) for m, k, ids in zip(near["model"], near["k_new"], near["new_sites"])])
    return out.assign(new_sites=out["new_sites"].map(", ".join))


def counters(s: Session) -> CounterResult:
    """Chapter 03 for the session's municipality; writes its tables and layers (disclosure-checked)."""
    p = s.params
    settings = ChainSettings.from_params(p)
    ts = TimeSettings.from_params(p)
    dem = demand_for(s)
    per_area = common.published_visits(s.layers, s.published, dem.visits, p.onthulling_drempel)[p.niveau]
    products = product_table(s.layers["buurt"], p.bezoeken_per_inwoner_per_jaar)
    named = userfiles.read_candidates(Path(p.kandidaten_bestand)) if p.kandidaten_bestand else None
    t_demand = clock.perf_counter()
    yearly = yearly_demand(s.layers["buurt"], p.bezoeken_per_inwoner_per_jaar, ts, dem.observed)
    steps = {"vraag_per_jaar": clock.perf_counter() - t_demand}
    ranges = assumption_ranges(s.base, p)
    t0 = clock.perf_counter()
    beta_range = ranges.get("afstandsverval_beta", (settings.beta, settings.beta, settings.beta))[:2]
    chain = chain_for(s.layers, s.counters, dem.visits, design_year_visits(yearly, ts), settings, named,
                      rules=comparison_rules(settings, beta_range))
    siting_seconds = clock.perf_counter() - t0
    names = chain.site_names
    scenarios = chain.scenarios.assign(nieuwe_locaties=chain.scenarios["new_sites"].map(lambda x: ", ".join(names[i] for i in x)))
    # residents and visits per served district are people counts (visits = residents x rate): both are
    # checked, and the share is hidden with its visits
    served = suppress(chain.service_areas.assign(loket=chain.service_areas["site"].map(names)),
                      count_columns=["inwoners", "bezoeken"], share_columns={"aandeel": "bezoeken"},
                      threshold=p.onthulling_drempel)
    level, _, _ = district_grouping(s.layers)
    distance_map = distance_layer(s.layers["buurt"], chain)
    open_sites = chain.sites.loc[chain.sites["site"].isin(chain.best.open_sites)]
    sensitivity = chain.sensitivity.assign(loket=chain.sensitivity["loket"].map(names))
    desks = chain.counters.assign(loket=chain.counters["site"].map(names))
    time = over_time(chain, yearly, settings, ts, seconds=steps)
    unc = uncertainty_analysis(chain, time, settings, ts, ranges, n=p.onzekerheid_trekkingen, seed=p.seed)
    near = near_optimal_table(chain, unc)
    t_compare = clock.perf_counter()
    comparison = compare_municipalities(s, chain, settings, own_is_default=named is None, own_time=time, ts=ts)
    steps["vergelijking_gemeenten"] = clock.perf_counter() - t_compare

    s.out.table(per_area, f"03_vraag_{p.niveau}", counts=["bezoeken"])
    s.out.table(products, "03_producten")
    s.out.layer(chain.sites, "03_locaties")
    s.out.table(_joined_sites(scenarios), "03_scenarios")
    s.out.table(near, "03_bijna_optimaal")
    s.out.table(served, "03_bediende_gebieden", counts=["bezoeken"])
    s.out.layer(distance_map, "03_afstand_voor_na")
    s.out.table(sensitivity, "03_keuzeregels")
    s.out.table(desks, "03_balies")
    s.out.table(comparison, "03_vergelijking_gemeenten")
    s.out.table(time.demand_table(), "03_vraag_per_jaar")
    s.out.table(time.capacity.assign(loket=time.capacity["site"].map(names)), "03_balies_per_jaar")
    month_rows = time.monthly.loc[time.monthly["jaar"] == ts.decision_year]
    s.out.table(month_rows.assign(loket=month_rows["site"].map(names)), "03_balies_per_maand")
    s.out.table(time.costs, "03_systeemkosten_per_jaar")
    s.out.table(time.scenarios, "03_kosten_per_scenario")
    s.out.table(unc.kans.assign(sites=unc.kans["sites"].map(", ".join)), "03_kans_beste_keuze")
    s.out.table(unc.sobol, "03_gevoeligheid_aannames")
    s.out.table(summarise_draws(unc, chain), "03_onzekerheid")
    s.out.summary(kerncijfers(p, time.demand, time.scenarios, chain, ts, unc, synthetic=dem.synthetic), "03")
    seconds = {"siting": siting_seconds, "monte_carlo": unc.seconds["monte_carlo"], "siting_per_draw": unc.seconds["siting"],
               "sobol": unc.seconds["sobol"], **steps}
    s.out.table(step_seconds(seconds), "03_rekentijd")
    return CounterResult(p.niveau, settings, dem, per_area, products, chain, scenarios, served, level, distance_map, open_sites,
                         sensitivity, near, desks, comparison, time, unc, seconds)


#: Steps of ``03_rekentijd`` in the order of the chapter, with the key of :attr:`CounterResult.seconds`.
STEPS = {"vraag_per_jaar": "vraag_per_jaar", "locatiekeuze": "siting", "balies_per_maand_en_jaar": "capaciteit",
         "kosten_per_jaar": "kosten", "monte_carlo": "monte_carlo", "locatiekeuze_per_trekking": "siting_per_draw",
         "sobol": "sobol", "vergelijking_gemeenten": "vergelijking_gemeenten"}


def step_seconds(seconds: Mapping[str, float]) -> pd.DataFrame:
    """``03_rekentijd``: wall seconds per method step (``stap``, ``seconden``; read by ``make bench``)."""
    return pd.DataFrame({"stap": list(STEPS), "seconden": [round(float(seconds[key]), 3) for key in STEPS.values()]})


def summarise_draws(unc: Uncertainty, chain: ChainResult) -> pd.DataFrame:
    """``03_onzekerheid``: P10/P50/P90 per scenario of visits at the new counters, extra cost and cost per visit."""
    rows = []
    for sol in chain.solutions:
        for column in ("bezoeken_nieuw", "extra_kosten", "kosten_per_bezoek"):
            iv = unc.interval(sol.model, sol.k_new, column)
            if iv is not None:
                rows.append({"model": sol.model, "k_new": sol.k_new, "grootheid": column, **iv.as_dict()})
    return pd.DataFrame(rows, columns=["model", "k_new", "grootheid", "p10", "p50", "p90"])
