"""Dutch summary paragraphs generated from computed results (no number typed by hand)."""

from __future__ import annotations

import pandas as pd

from decentraal.report import format as fmt
from decentraal.report.labels import MODELS


def barrier_summary(ranking: pd.DataFrame, *, level: str, top_n: int, n_draws: int, indicators: list[str], focus: list[str] | None = None) -> str:
    """Summary of the barrier ranking and its stability.

    ``ranking`` has columns ``naam``, ``rank``, ``p_top_n``, ``loo_rank_min``, ``loo_rank_max``
    and ``index``; ``focus`` lists area names the committee asked about (shown if present).
    """
    ranked = ranking.dropna(subset=["rank"]).sort_values("rank")
    if ranked.empty:
        return "Er zijn te weinig gegevens om de gebieden te rangschikken."
    top = ranked.head(top_n)
    parts = [
        f"Op {level}niveau, met {len(indicators)} indicatoren ({fmt.join(indicators)}), scoren "
        f"{fmt.join([f'{r.naam} ({fmt.percent(r.p_top_n)})' for r in top.itertuples()])} het hoogst op de samengestelde belemmeringsindex; "
        f"tussen haakjes staat in hoeveel van de {fmt.number(n_draws)} trekkingen met willekeurig gevarieerde gewichten het gebied bij de hoogste {top_n} hoort."
    ]
    first = top.iloc[0]
    if first.p_top_n >= 0.9 and first.loo_rank_max <= top_n:
        parts.append(f"De positie van {first.naam} is stabiel: ook als telkens één indicator wordt weggelaten blijft het bij de hoogste {top_n}.")
    else:
        parts.append(
            f"Die rangorde hangt af van de gekozen gewichten: bij het weglaten van één indicator varieert de plaats van {first.naam} van "
            f"{fmt.number(first.loo_rank_min)} tot {fmt.number(first.loo_rank_max)}."
        )
    unstable = ranked.loc[(ranked["p_top_n"] > 0.2) & (ranked["rank"] > top_n)]
    if not unstable.empty:
        parts.append(f"Ook {fmt.join(list(unstable['naam']))} {'komt' if len(unstable) == 1 else 'komen'} in een deel van de trekkingen bij de hoogste {top_n}.")
    if focus:
        shown = ranked.loc[ranked["naam"].isin(focus)]
        if not shown.empty:
            parts.append(
                "De door de commissie genoemde gebieden staan op plaats "
                + fmt.join([f"{fmt.number(r.rank)} ({r.naam})" for r in shown.itertuples()])
                + f" van {fmt.number(len(ranked))}."
            )
    missing = ranking.loc[ranking["rank"].isna(), "naam"].tolist()
    if missing:
        parts.append(f"Geen index voor {fmt.join(missing)}: te weinig bekende indicatoren of te weinig inwoners.")
    return " ".join(parts)


def level_ranks(ranking: pd.DataFrame, *, level: str) -> str:
    """The place of every ranked area at another level: 'Per stadsdeel: Schalkwijk plaats 1, ... en Centrum plaats 5.'

    ``ranking`` has columns ``naam`` and ``rank``, in the order to name them (areas without a
    rank are left out).
    """
    ranked = ranking.dropna(subset=["rank"])
    return f"Per {level}: " + fmt.join([f"{r.naam} plaats {fmt.number(r.rank)}" for r in ranked.itertuples()]) + "."


def hotspot_summary(moran: pd.DataFrame, *, alpha: float) -> str:
    """One sentence per indicator on global spatial clustering (Moran's I)."""
    parts = []
    for row in moran.itertuples():
        if row.p_sim < alpha:
            parts.append(f"{row.indicator}: duidelijke ruimtelijke clustering (Moran's I {fmt.number(row.I, 2)}, p {fmt.number(row.p_sim, 3)}).")
        else:
            parts.append(f"{row.indicator}: geen significante clustering (Moran's I {fmt.number(row.I, 2)}, p {fmt.number(row.p_sim, 3)}).")
    return " ".join(parts) + f" Significantieniveau {fmt.number(alpha, 2)}."


def counter_summary(scenarios: pd.DataFrame, *, gemeente: str, inhabitants: float, visits: float, rate: float,
                    radius_km: float, site_names: dict[str, str], served: pd.DataFrame, fixed_cost: float,
                    demand_source: str) -> str:
    """Summary of demand, best sites, coverage gained and cost per visit (p-median and MCLP)."""
    base = scenarios.loc[(scenarios["model"] == "pmedian") & (scenarios["k_new"] == 0)].iloc[0]
    parts = [
        f"{gemeente} heeft ongeveer {fmt.number(inhabitants)} inwoners (som van de buurten); bij {fmt.number(rate, 2)} loketbezoek per inwoner per jaar ({demand_source}) "
        f"zijn dat ongeveer {fmt.number(visits)} bezoeken per jaar. Nu wonen de inwoners gemiddeld {fmt.number(base.mean_distance_km, 1)} km "
        f"(hemelsbreed) van het loket; 90% woont binnen {fmt.number(base.p90_distance_km, 1)} km."
    ]
    for k in sorted(scenarios.loc[scenarios["k_new"] > 0, "k_new"].unique())[:1]:
        for model, label in (("pmedian", f"kortste gemiddelde afstand ({MODELS['pmedian']})"),
                             ("mclp", f"meeste barrière-gewogen inwoners binnen {fmt.number(radius_km, 1)} km ({MODELS['mclp']})")):
            row = scenarios.loc[(scenarios["model"] == model) & (scenarios["k_new"] == k)].iloc[0]
            site = row.new_sites[0]
            wijken = served.loc[(served["model"] == model) & (served["k_new"] == k) & (served["site"] == site)]
            where = fmt.join([f"{r.gebied} ({fmt.percent(r.aandeel)})" for r in wijken.head(3).itertuples()])
            base_m = scenarios.loc[(scenarios["model"] == model) & (scenarios["k_new"] == 0)].iloc[0]
            parts.append(
                f"Eén extra loket op de {label} komt in {site_names.get(site, site)} en bedient vooral {where}. "
                f"De gemiddelde afstand daalt van {fmt.number(base_m.mean_distance_km, 1)} naar {fmt.number(row.mean_distance_km, 1)} km en de dekking "
                f"binnen {fmt.number(radius_km, 1)} km stijgt van {fmt.percent(base_m.covered_share)} naar {fmt.percent(row.covered_share)}. "
                f"Het nieuwe loket trekt naar schatting {fmt.number(row.visits_new_counters)} bezoeken per jaar; met {fmt.number(fixed_cost)} euro vaste kosten "
                f"plus baliekosten kost dat {fmt.number(row.annual_cost_eur)} euro per jaar, {fmt.number(row.cost_per_visit_eur)} euro per bezoek."
            )
    kmax = int(scenarios["k_new"].max())
    if kmax > 1:
        row = scenarios.loc[(scenarios["model"] == "pmedian") & (scenarios["k_new"] == kmax)].iloc[0]
        parts.append(
            f"Met {kmax} nieuwe loketten ({MODELS['pmedian']}) daalt de gemiddelde afstand tot {fmt.number(row.mean_distance_km, 1)} km, "
            f"tegen {fmt.number(row.annual_cost_eur)} euro per jaar ({fmt.number(row.cost_per_visit_eur)} euro per bezoek aan de nieuwe loketten)."
        )
    return " ".join(parts)
