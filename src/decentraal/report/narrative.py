"""Dutch summary paragraphs generated from computed results (no number typed by hand)."""

from __future__ import annotations

from typing import Any

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


def _strength(moran_i: float) -> str:
    return "zwakke" if moran_i < 0.2 else "matige" if moran_i < 0.4 else "sterke"


def hotspot_summary(moran: pd.DataFrame, *, alpha: float, fdr: bool = True) -> str:
    """One sentence per indicator on global clustering (Moran's I) and local clusters (LISA, with and without FDR).

    ``moran`` is :attr:`decentraal.pipeline.barriers.Hotspots.moran`; without the LISA count
    columns only the global sentence is given.
    """
    parts = []
    for row in moran.itertuples():
        stat = f"Moran's I {fmt.number(row.I, 2)}, p {fmt.number(row.p_sim, 3)}"
        if row.p_sim < alpha:
            text = f"{row.indicator}: significante, {_strength(row.I)} ruimtelijke clustering ({stat})."
        else:
            text = f"{row.indicator}: geen significante clustering ({stat})."
        if hasattr(row, "lisa_fdr"):
            text += (f" Lokaal (LISA): {fmt.number(row.lisa_zonder_correctie)} buurten significant zonder correctie, "
                     f"{fmt.number(row.lisa_fdr)} na FDR-correctie (p onder {fmt.number(row.p_grens_fdr, 4)}).")
        parts.append(text)
    shown = "na FDR-correctie" if fdr else "zonder correctie voor meervoudig toetsen"
    return " ".join(parts) + f" Significantieniveau {fmt.number(alpha, 2)}; de kaart toont de buurten {shown}."


def counter_summary(scenarios: pd.DataFrame, *, gemeente: str, inhabitants: float, visits: float, rate: float,
                    radius_km: float, site_names: dict[str, str], served: pd.DataFrame, fixed_cost: float,
                    demand_source: str, costs: pd.DataFrame, extremes: dict[str, tuple[int, float]],
                    cost_years: tuple[int, ...], intervals: dict | None = None, near_optimal: pd.DataFrame | None = None,
                    rule: str = "iedereen naar het dichtstbijzijnde loket", draws: int = 0, most_important: str = "") -> str:
    """Summary of demand over time, the best sites with their near-ties, coverage gained and the system-wide cost.

    ``intervals`` maps ``(model, k)`` to the Monte Carlo intervals (``bezoeken_nieuw``, ``extra_kosten``,
    ``kosten_per_bezoek``: objects with ``p10``, ``p50``, ``p90``) and ``kans`` (chance that the set is the
    best); ``near_optimal`` lists every site set within the tolerance (``model``, ``k_new``, ``rank``,
    ``locaties``). Visits are rounded to hundreds, euros to two significant digits, and every number that
    depends on an assumption is given as P10 tot P90 over ``draws`` variants. ``costs`` (the cost per scenario at
    the defaults) is kept for callers without intervals.
    """
    def visits_iv(iv: Any) -> str:
        return fmt.interval(fmt.rounded(iv.p10, 100), fmt.rounded(iv.p90, 100))

    def euros(iv: Any, per_visit: bool = False) -> str:
        value = (lambda v: fmt.euro(round(v))) if per_visit else (lambda v: fmt.euro(fmt.significant(v)))
        return fmt.interval(iv.p10, iv.p90, value)

    years = f"{cost_years[0]}-{cost_years[-1]}"
    base = scenarios.loc[(scenarios["model"] == "pmedian") & (scenarios["k_new"] == 0)].iloc[0]
    parts = [
        f"{gemeente} heeft ongeveer {fmt.number(fmt.rounded(inhabitants, 100))} inwoners (som van de buurten); bij {fmt.number(rate, 2)} loketbezoek per inwoner per jaar ({demand_source}) "
        f"zijn dat ongeveer {fmt.number(fmt.rounded(visits, 100))} bezoeken per jaar in de referentieperiode."
    ]
    if {"dal", "piek"} <= set(extremes):
        (y0, v0), (y1, v1) = extremes["dal"], extremes["piek"]
        parts.append(f"Door de vervanging van paspoorten en identiteitskaarten schommelt dat tussen ongeveer {fmt.number(fmt.rounded(v0, 100))} "
                     f"({y0}) en {fmt.number(fmt.rounded(v1, 100))} ({y1}) bezoeken per jaar.")
    parts.append(f"Nu ligt een loketbezoek gemiddeld {fmt.number(base.mean_distance_km, 1)} km (hemelsbreed) van huis; "
                 f"90% woont binnen {fmt.number(base.p90_distance_km, 1)} km. Keuzeregel: {rule}.")
    if intervals is None:
        return " ".join(parts)
    near = near_optimal if near_optimal is not None else pd.DataFrame(columns=["model", "k_new", "rank", "locaties"])
    for k in sorted(scenarios.loc[scenarios["k_new"] > 0, "k_new"].unique())[:1]:
        for model, label in (("pmedian", f"kortste gemiddelde afstand per bezoek ({MODELS['pmedian']})"),
                             ("mclp", f"meeste bezoeken binnen {fmt.number(radius_km, 1)} km ({MODELS['mclp']})")):
            row = scenarios.loc[(scenarios["model"] == model) & (scenarios["k_new"] == k)].iloc[0]
            iv = intervals[(model, k)]
            site = row.new_sites[0]
            areas = served.loc[(served["model"] == model) & (served["k_new"] == k) & (served["site"] == site)]
            where = fmt.join([f"{r.gebied} ({fmt.percent(r.aandeel)})" for r in areas.head(3).itertuples() if r.aandeel >= 0.005])
            ties = near.loc[(near["model"] == model) & (near["k_new"] == k) & (near["rank"] > 1), "locaties"].tolist()
            tie_text = (f" Bijna even goed (binnen de tolerantie): {fmt.join(ties)}; het verschil valt binnen de onzekerheid."
                        if ties else "")
            base_m = scenarios.loc[(scenarios["model"] == model) & (scenarios["k_new"] == 0)].iloc[0]
            parts.append(
                f"Eén extra loket op de {label} komt in {site_names.get(site, site)}; dat is in {fmt.percent(iv['kans'] or 0)} van "
                f"{fmt.number(draws)} doorgerekende varianten de beste keuze.{tie_text} Zijn bezoekers komen vooral uit {where}. "
                f"De gemiddelde afstand daalt van {fmt.number(base_m.mean_distance_km, 1)} naar {fmt.number(row.mean_distance_km, 1)} km en "
                f"het aandeel bezoeken binnen {fmt.number(radius_km, 1)} km stijgt van {fmt.percent(base_m.covered_share)} naar "
                f"{fmt.percent(row.covered_share)}. Het nieuwe loket trekt in {years} {visits_iv(iv['bezoeken_nieuw'])} bezoeken per jaar "
                f"en kost de gemeente als geheel {euros(iv['extra_kosten'])} per jaar, {euros(iv['kosten_per_bezoek'], True)} per bezoek "
                f"aan het nieuwe loket (P10 tot P90; {fmt.number(fixed_cost)} euro vaste kosten, minus het baliepersoneel dat het "
                "bestaande loket dan minder nodig heeft)."
            )
    kmax = int(scenarios["k_new"].max())
    if kmax > 1:
        row = scenarios.loc[(scenarios["model"] == "pmedian") & (scenarios["k_new"] == kmax)].iloc[0]
        iv = intervals[("pmedian", kmax)]
        parts.append(
            f"Met {kmax} nieuwe loketten ({MODELS['pmedian']}: {fmt.join([site_names.get(x, x) for x in row.new_sites])}) daalt de "
            f"gemiddelde afstand tot {fmt.number(row.mean_distance_km, 1)} km, tegen {euros(iv['extra_kosten'])} per jaar "
            f"({euros(iv['kosten_per_bezoek'], True)} per bezoek aan de nieuwe loketten)."
        )
    if most_important:
        parts.append(f"De aanname die de kosten per bezoek het meest bepaalt: {most_important}.")
    return " ".join(parts)


