"""Chapter 02 for the committee: indicators, comparison, index, rank stability, hot spots.

Every function takes the :class:`~decentraal.pipeline.barriers.BarrierResult` (and the session
for names and parameters) and returns an object a notebook cell displays: a table (Styler),
Markdown/HTML, or a matplotlib :class:`~matplotlib.figure.Figure` (not pyplot, so it shows once
as the cell result and the notebook saves it with ``s.out.figure``).
"""

from __future__ import annotations

import seaborn as sns
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from pandas.io.formats.style import Styler

from decentraal.methods.hotspots import LABEL_NO_NEIGHBOURS
from decentraal.methods.indicators import INDICATOR_BY_KEY
from decentraal.pipeline.barriers import BarrierResult, Ranking
from decentraal.pipeline.session import Session
from decentraal.report import format as fmt
from decentraal.report import maps, narrative, overview, tables
from decentraal.report.labels import LISA_COLOURS

#: Stadsdelen the committee asked about; the summary names their place when stadsdelen are ranked.
COMMITTEE_FOCUS = ["Schalkwijk", "Noord", "Oost"]
#: Bar colours of the stability chart (top n, top quartile).
STABILITY_COLOURS = ["#7a1f2b", "#d9a0a8"]
#: Columns of the ranking table of the shown level, and of the other levels.
RANKING_COLUMNS = ["rank", "naam", "index", "p_top_n", "p_top_quartile", "rank_p05", "rank_p95",
                   "loo_rank_min", "loo_rank_max", "missing_indicators"]
OTHER_RANKING_COLUMNS = ["rank", "naam", "index", "p_top_n", "p_top_quartile", "loo_rank_min", "loo_rank_max"]


def header(s: Session) -> HTML:
    """The header block of chapter 02, with its notes on the ranked level, distances and disclosure."""
    p = s.params
    notes = []
    if p.niveau == "gemeente":
        notes.append("Op gemeenteniveau is er maar één gebied; de rangorde wordt daarom per wijk getoond.")
    notes.append(
        "De afstand tot het loket is hemelsbreed gemeten vanaf het midden van elke buurt; het bestaande loket "
        "staat op het midden van het gebied waarin het adres ligt (geen gegeocodeerde coördinaat beschikbaar)."
    )
    drempel = fmt.number(p.onthulling_drempel)
    notes.append(
        f"Aantallen onder {drempel} en aandelen berekend op minder dan {drempel} inwoners of huishoudens worden "
        "nergens getoond (tabellen, kaarten, exports); gebieden met te weinig inwoners krijgen geen index."
    )
    own = (*(f"gewicht_{k}" for k in p.weights()), "seed", "stabiliteit_trekkingen", "stabiliteit_concentratie",
           "min_gewicht_aandeel", "lisa_alpha", "lisa_permutaties")
    return overview.header(s, notes=notes, parameters=own)


def definitions(r: BarrierResult) -> Styler:
    """The indicator definitions: name, unit, direction, finest level, definition, source, why."""
    frame = r.definitions.assign(indicator=r.definitions["naam"])
    return tables.table(frame, ["indicator", "eenheid", "richting", "fijnste_niveau", "definitie", "bron", "waarom"])


def indicator_table(r: BarrierResult) -> Styler:
    """Inhabitants and every indicator per area (after disclosure control; a dash is unknown or suppressed)."""
    return tables.table(r.indicators, ["naam", "inwoners", *INDICATOR_BY_KEY])


def comparison(r: BarrierResult) -> Styler:
    """The areas and indicators more than one standard deviation above or below the municipal value."""
    flagged = r.comparison.loc[r.comparison["flag"] != ""]
    shown = flagged.rename(columns={"value": "waarde", "mean": "gemeente_waarde", "flag": "afwijking"})
    return tables.table(shown, ["naam", "indicator", "waarde", "gemeente_waarde", "z", "afwijking"])


def _cmap(key: str) -> str:
    return "OrRd" if INDICATOR_BY_KEY[key].direction == "higher_is_barrier" else "OrRd_r"


def indicator_maps(r: BarrierResult, s: Session) -> Figure:
    """Small multiples: one map per indicator with a value at the shown level, three per row."""
    rows = max(1, (len(r.map_keys) + 2) // 3)
    fig = Figure(figsize=(15, 4.6 * rows))
    axes = fig.subplots(rows, 3, squeeze=False)
    for ax, key in zip(axes.flat, r.map_keys):
        maps.static_choropleth(r.indicator_layer, key, title=INDICATOR_BY_KEY[key].label_nl, ax=ax,
                               points=s.counters, cmap=_cmap(key))
    for ax in list(axes.flat)[len(r.map_keys):]:
        ax.set_axis_off()
    return fig


def left_out(r: BarrierResult) -> Markdown:
    """Which indicators did not enter the index at the shown level, and why."""
    rows = r.ranking.left_out
    text = "; ".join(f"{row.indicator} ({row.reden})" for row in rows.itertuples())
    return Markdown("Niet in de index: " + (text or "geen."))


def _ranking_table(ranking: Ranking, columns: list[str], top_n: int) -> Styler:
    return tables.table(ranking.table, columns, labels={"p_top_n": f"kans top {fmt.number(top_n)}"})


def ranking_table(r: BarrierResult, s: Session) -> Styler:
    """Index, rank and rank stability of every area at the shown level, highest index first."""
    return _ranking_table(r.ranking, RANKING_COLUMNS, s.params.top_n)


def check_line(r: BarrierResult, s: Session) -> str:
    """The key result nbval compares (plain text, not shown in the report)."""
    return f"hoogste index {s.params.gemeente} {s.params.niveau}: {r.ranking.table.iloc[0]['naam']}"


def stability_chart(r: BarrierResult, s: Session) -> Figure:
    """Horizontal bars: share of the weight draws in which each area is in the top n and in the top quartile."""
    top_n = s.params.top_n
    ranked = r.ranking.table.dropna(subset=["rank"])
    long = ranked.melt(id_vars="naam", value_vars=["p_top_n", "p_top_quartile"], var_name="maat", value_name="aandeel")
    long["maat"] = long["maat"].map({"p_top_n": f"hoogste {fmt.number(top_n)}", "p_top_quartile": "hoogste kwart"})
    fig = Figure(figsize=(8, 0.28 * len(r.ranking.table) + 1.2))
    ax = fig.add_subplot()
    sns.barplot(data=long, y="naam", x="aandeel", hue="maat", ax=ax, palette=STABILITY_COLOURS)
    ax.set(xlabel=f"aandeel van {fmt.number(s.params.stabiliteit_trekkingen)} trekkingen", ylabel="", xlim=(0, 1))
    return fig


def index_map(r: BarrierResult, s: Session) -> Figure:
    """Static map of the barrier index at the shown level, with the existing counters."""
    title = f"Belemmeringsindex per {r.level}, {s.gemeentenaam}"
    return maps.static_choropleth(r.index_layer, "index", title=title, points=s.counters, cmap="OrRd")


def index_map_interactive(r: BarrierResult, s: Session) -> HTML:
    """Offline Leaflet map of the barrier index: name, index, rank and chance of a top place on hover."""
    tooltip = {"naam": "Gebied", "index": "Index", "rank": "Plaats", "p_top_n": f"Kans top {fmt.number(s.params.top_n)}"}
    return HTML(maps.interactive_choropleth(r.index_layer, "index", legend="Belemmeringsindex", tooltip_fields=tooltip,
                                            points=s.counters, basemap=s.params.basiskaart))


def other_rankings(r: BarrierResult, s: Session) -> list[Markdown | Styler]:
    """The ranking at every other ranked level (a title and a table each), or a sentence that there is none."""
    others = [lv for lv in r.levels if lv != r.level]
    if not others:
        return [Markdown("Voor deze gemeente is er geen ander niveau om te rangschikken.")]
    shown: list[Markdown | Styler] = []
    for lv in others:
        shown.append(Markdown(f"**{lv.capitalize()}**"))
        shown.append(_ranking_table(r.rankings[lv], OTHER_RANKING_COLUMNS, s.params.top_n))
    return shown


def moran_table(r: BarrierResult) -> Styler:
    """Global Moran's I per buurt indicator, with its permutation p-value."""
    shown = r.hotspots.moran.rename(columns={"zonder waarde": "zonder_waarde"})
    return tables.table(shown, ["indicator", "I", "EI", "p_sim", "n", "zonder_waarde"])


def hotspot_summary(r: BarrierResult, s: Session) -> Markdown:
    """One sentence per buurt indicator on spatial clustering."""
    return Markdown(narrative.hotspot_summary(r.hotspots.moran, alpha=s.params.lisa_alpha))


def lisa_map(r: BarrierResult, s: Session) -> Figure:
    """One map per buurt indicator with its significant LISA clusters (Hoog-Hoog, Laag-Laag, ...)."""
    h = r.hotspots
    n = max(len(h.keys), 1)
    fig = Figure(figsize=(5 * n, 5.5))
    axes = fig.subplots(1, n, squeeze=False)
    for ax, key in zip(axes.flat, h.keys):
        label = INDICATOR_BY_KEY[key].label_nl
        local = h.lisa.loc[h.lisa["indicator"] == label].set_index("code")["quadrant"]
        quadrant = local.reindex(h.buurten.index)
        maps.draw_polygons(ax, h.buurten.geometry, quadrant.map(LISA_COLOURS).tolist(), linewidth=0.3)
        ax.set_title(f"{label}\n(LISA, p < {fmt.legend_number(s.params.lisa_alpha)})", fontsize=9)
        ax.set_axis_off()
    for ax in list(axes.flat)[len(h.keys):]:
        ax.set_axis_off()
    handles = [Patch(color=c, label=lab) for lab, c in LISA_COLOURS.items() if lab != LABEL_NO_NEIGHBOURS]
    fig.legend(handles=handles, loc="lower center", ncol=6, fontsize=8)
    return fig


def hotspots(r: BarrierResult, s: Session) -> list[Styler | Markdown]:
    """The Moran table and its summary sentence (the LISA map is saved separately)."""
    return [moran_table(r), hotspot_summary(r, s)]


def summary(r: BarrierResult, s: Session) -> HTML:
    """The generated Dutch summary of the ranking, its stability and the stadsdelen."""
    ranking = r.ranking
    names = [INDICATOR_BY_KEY[k].label_nl.lower() for k in ranking.weights]
    focus = COMMITTEE_FOCUS if r.level == "stadsdeel" else []
    text = narrative.barrier_summary(ranking.table, level=r.level, top_n=s.params.top_n,
                                     n_draws=s.params.stabiliteit_trekkingen, indicators=names, focus=focus)
    if "stadsdeel" in r.rankings and r.level != "stadsdeel":
        text += " " + narrative.level_ranks(r.rankings["stadsdeel"].table, level="stadsdeel")
    return HTML(f'<div class="samenvatting">{text}</div>')
