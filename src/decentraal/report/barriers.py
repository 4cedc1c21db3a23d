"""Chapter 02 for the committee: indicators, comparison, index, rank stability, overlap, hot spots.

Every function takes the :class:`~decentraal.pipeline.barriers.BarrierResult` (and the session
for names and parameters) and returns an object a notebook cell displays: a table (Styler),
Markdown/HTML, or a matplotlib :class:`~matplotlib.figure.Figure` (not pyplot, so it shows once
as the cell result and the notebook saves it with ``s.out.figure``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from decentraal.methods.indicators import INDICATOR_BY_KEY
from decentraal.pipeline.barriers import DIMENSIONS, HEALTH_KEY, BarrierResult, Hotspots, Ranking
from decentraal.pipeline.session import Session
from decentraal.report import figures, maps, narrative, overview, tables
from decentraal.report import format as fmt
from decentraal.report.labels import (
    CLUSTER_TESTS,
    HEALTH_MODEL_NOTE,
    INDICATOR_SHORT,
    LEVEL_PLURAL,
    NOT_CLUSTER_TESTED_REASONS,
)

#: Stadsdelen the committee asked about; the summary names their place when stadsdelen are ranked.
COMMITTEE_FOCUS = ["Schalkwijk", "Noord", "Oost"]
#: Legend title of the index maps (a weighted mean of z-scores: 0 is the municipal average).
INDEX_LEGEND = "Belemmeringsindex (0 = gemiddelde van de gemeente)"
#: Bar colours of the stability chart (top n, top quartile).
STABILITY_COLOURS = ["#7a1f2b", "#d9a0a8"]
#: Columns of the ranking table of the shown level, and of the other levels.
RANKING_COLUMNS = ["rank", "naam", "index", "p_top_n", "p_top_quartile", "rank_p05", "rank_p95",
                   "loo_rank_min", "loo_rank_max", "missing_indicators"]
OTHER_RANKING_COLUMNS = ["rank", "naam", "index", "p_top_n", "p_top_quartile", "loo_rank_min", "loo_rank_max"]
#: Columns of the Moran table.
MORAN_COLUMNS = ["indicator", "toets", "I", "EI", "p_sim", "n", "zonder_waarde", "lisa_zonder_correctie", "lisa_fdr"]
#: Columns of the robustness tables (checks, and areas).
ROBUSTNESS_COLUMNS = ["toets", "n_variants", "spearman_median", "spearman_p05", "top_n_overlap", "same_first"]
ROBUSTNESS_AREA_COLUMNS = ["rank", "naam", "index", "p_top_n", "p_top_n_data", "data_rank_p05", "data_rank_p95",
                           "rank_percentile", "rank_alternative", "rank_dimensions_equal"]
#: Titles of the robustness checks in the summary.
CHECK_TITLES = {"normalisatie": "Normalisatie", "dimensies_gelijk": "Elke dimensie één keer", "aggregatie": "Aggregatie"}
#: Correlations are named in the overlap summary only when at least this many areas carry them.
MIN_CORRELATION_AREAS = 8
#: Correlations at least this strong (in absolute value) are named in the overlap summary.
STRONG_CORRELATION = 0.7


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
           "min_gewicht_aandeel", "index_dimensies", "gezondheid_onzekerheid_pp", "lisa_alpha", "lisa_fdr",
           "lisa_permutaties")
    return overview.header(s, notes=notes, parameters=own)


def weight_words(r: BarrierResult) -> dict[str, str]:
    """Per indicator, its weight in plain words: '14% van de index (1 van 7 gelijke delen)' or 'telt niet mee'."""
    used = r.ranking.weights
    total = sum(used.values())
    equal = len(set(used.values())) == 1
    return {key: (f"{fmt.percent(used[key] / total)} van de index ("
                  + (f"1 van {fmt.number(len(used))} gelijke delen)" if equal else f"gewicht {fmt.number(used[key], 1)} van {fmt.number(total, 1)})")
                  if key in used and total else f"telt niet mee per {r.level}") for key in INDICATOR_BY_KEY}


def definitions(r: BarrierResult) -> Styler:
    """The indicator definitions: name, weight in the index, unit, direction, finest level, definition, source, why."""
    frame = r.definitions.assign(indicator=r.definitions["naam"], gewicht=r.definitions["indicator"].map(weight_words(r)))
    return tables.table(frame, ["indicator", "gewicht", "eenheid", "richting", "fijnste_niveau", "definitie", "bron", "waarom"],
                        caption=f"De indicatoren: gewicht in de index per {r.level}, definitie en bron")


def indicator_table(r: BarrierResult) -> Styler:
    """Inhabitants and every indicator per area (after disclosure control; a dash is unknown or suppressed)."""
    return tables.table(r.indicators, ["naam", "inwoners", *INDICATOR_BY_KEY], caption=f"Inwoners en indicatoren per {r.level}")


def comparison(r: BarrierResult) -> Styler:
    """The areas and indicators more than one standard deviation above or below the municipal value."""
    flagged = r.comparison.loc[r.comparison["flag"] != ""]
    shown = flagged.rename(columns={"value": "waarde", "mean": "gemeente_waarde", "flag": "afwijking"})
    return tables.table(shown, ["naam", "indicator", "waarde", "gemeente_waarde", "z", "afwijking"],
                        caption="Gebieden die meer dan één standaardafwijking van de gemeente afwijken")


def _reverse(key: str) -> bool:
    """Darker = more barrier: the palette runs dark to light when a low value is the barrier."""
    return INDICATOR_BY_KEY[key].direction == "lower_is_barrier"


@figures.described(figures.indicator_maps)
def indicator_maps(r: BarrierResult, s: Session) -> Figure:
    """Small multiples: one map per indicator with a value at the shown level, two per row (A4 width, so
    the 8 pt legends stay 8 pt; the names are on the index map)."""
    rows = max(1, (len(r.map_keys) + 1) // 2)
    fig = Figure(figsize=(8.5, 3.6 * rows))
    axes = fig.subplots(rows, 2, squeeze=False, gridspec_kw={"wspace": 0.9, "hspace": 0.3})
    for ax, key in zip(axes.flat, r.map_keys):
        maps.static_choropleth(r.indicator_layer, key, title=INDICATOR_BY_KEY[key].label_nl, ax=ax, labels=False,
                               legend_title=INDICATOR_BY_KEY[key].unit_nl, points=s.counters, reverse=_reverse(key))
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
    return tables.table(r.ranking.table, RANKING_COLUMNS, labels={"p_top_n": f"kans top {fmt.number(s.params.top_n)}"},
                        caption=f"Belemmeringsindex en rangorde per {r.level}, hoogste eerst")


def check_line(r: BarrierResult, s: Session) -> str:
    """The key result nbval compares (plain text, not shown in the report)."""
    return f"hoogste index {s.params.gemeente} {s.params.niveau}: {r.ranking.table.iloc[0]['naam']}"


@figures.described(figures.stability_chart)
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


@figures.described(figures.index_map)
def index_map(r: BarrierResult, s: Session) -> Figure:
    """Static map of the barrier index at the shown level, with the existing counters."""
    title = f"Belemmeringsindex per {r.level}, {s.gemeentenaam}"
    return maps.static_choropleth(r.index_layer, "index", title=title, points=s.counters, legend_title=INDEX_LEGEND)


def index_map_interactive(r: BarrierResult, s: Session) -> HTML:
    """Offline Leaflet map of the barrier index: name, index, rank and chance of a top place on hover."""
    tooltip = {"naam": "Gebied", "inwoners": "Inwoners", "index": "Index", "rank": "Plaats",
               "p_top_n": f"Kans top {fmt.number(s.params.top_n)}"}
    return HTML(maps.interactive_choropleth(r.index_layer, "index", legend=INDEX_LEGEND, tooltip_fields=tooltip,
                                            formats={"index": lambda v: fmt.number(v, 2), "p_top_n": fmt.percent},
                                            title=f"Interactieve kaart: belemmeringsindex per {r.level}, {s.gemeentenaam}",
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
    """Global Moran's I per buurt indicator, its permutation p-value, and the LISA buurten before and after FDR."""
    shown = r.hotspots.moran.rename(columns={"zonder waarde": "zonder_waarde"})
    return tables.table(shown, MORAN_COLUMNS, caption="Ruimtelijke clustering per buurtindicator (Moran's I en LISA)")


def hotspot_summary(r: BarrierResult, s: Session) -> Markdown:
    """One sentence per buurt indicator on spatial clustering, with the LISA counts before and after FDR."""
    return Markdown(narrative.hotspot_summary(r.hotspots.moran, alpha=s.params.lisa_alpha, fdr=r.hotspots.fdr))


def _permutation_floor(r: BarrierResult, s: Session) -> str:
    """A sentence when the strictest FDR threshold lies below the smallest attainable permutation p-value."""
    h, p = r.hotspots, s.params
    if h.moran.empty:
        return ""
    smallest = 1 / (p.lisa_permutaties + 1)
    strictest = h.alpha / h.moran["n"].max()
    if strictest >= smallest:
        return ""
    return (f" Met {fmt.number(p.lisa_permutaties)} permutaties is de kleinste mogelijke p-waarde "
            f"{fmt.number(smallest, 4)}, terwijl de strengste FDR-grens bij {fmt.number(h.moran['n'].max())} buurten "
            f"{fmt.number(strictest, 4)} is: een buurt komt er alleen door als meer buurten een zeer kleine p-waarde "
            "hebben. Meer permutaties (lisa_permutaties) maken kleinere p-waarden mogelijk.")


def _tested_buurten(h: Hotspots) -> str:
    return fmt.number(h.moran["n"].max()) if len(h.moran) else fmt.MISSING


def _expected_false(h: Hotspots) -> str:
    return fmt.number(h.alpha * h.moran["n"].max()) if len(h.moran) else fmt.MISSING


def hotspot_method(r: BarrierResult, s: Session) -> Markdown:
    """How each buurt indicator was tested, why the distance is not, and the multiple-testing correction."""
    h = r.hotspots
    alpha = fmt.number(h.alpha, 2)
    lines = [
        f"- **Meervoudig toetsen.** LISA toetst elke buurt apart; bij niveau {alpha} zijn er dan per indicator door "
        f"toeval alleen al ongeveer {_expected_false(h)} van de {_tested_buurten(h)} buurten 'significant' te "
        "verwachten. Daarom is het "
        f"verwachte aandeel vals-positieven onder de significante buurten begrensd op {alpha} (false discovery rate, "
        "Benjamini-Hochberg, esda.fdr). "
        + ("De kaart toont de buurten die na deze correctie significant zijn; " if h.fdr else
           "De kaart toont op verzoek (lisa_fdr = false) de buurten zonder correctie; ")
        + "de tabel geeft beide aantallen."
        + _permutation_floor(r, s),
    ]
    for key in h.keys:
        test = h.moran.loc[h.moran["indicator"] == INDICATOR_BY_KEY[key].label_nl, "toets"].iloc[0]
        lines.append(f"- **{INDICATOR_BY_KEY[key].label_nl}:** {CLUSTER_TESTS[test]}.")
    for key in h.not_tested:
        lines.append(f"- **{INDICATOR_BY_KEY[key].label_nl}:** {NOT_CLUSTER_TESTED_REASONS[key]}.")
    return Markdown("\n".join(lines))


@figures.described(figures.lisa_map)
def lisa_map(r: BarrierResult, s: Session) -> Figure:
    """One map per buurt indicator with its significant LISA clusters (Hoog-Hoog, Laag-Laag, ...)."""
    h = r.hotspots
    n = max(len(h.keys), 1)
    fig = Figure(figsize=(min(8.5, 4.25 * n), 6))  # A4 width, so the 9 pt texts stay readable in print
    axes = fig.subplots(1, n, squeeze=False)
    seen: set[str] = set()
    for ax, key in zip(axes.flat, h.keys):
        label = INDICATOR_BY_KEY[key].label_nl
        local = h.lisa.loc[h.lisa["indicator"] == label].set_index("code")["quadrant"]
        quadrant = maps.barrier_clusters(local.reindex(h.buurten.index), INDICATOR_BY_KEY[key].direction)
        seen |= set(quadrant.dropna())
        maps.draw_polygons(ax, h.buurten.geometry, quadrant.map(maps.CLUSTER_COLOURS).fillna(maps.MISSING_COLOUR).tolist(),
                           linewidth=0.3)
        maps.add_map_furniture(ax, h.buurten.crs)
        row = h.moran.loc[h.moran["indicator"] == label].iloc[0]
        rule = (f"FDR {fmt.legend_number(h.alpha)}" if h.fdr else f"p < {fmt.legend_number(h.alpha)}, geen correctie")
        counts = f"{fmt.number(row.lisa_zonder_correctie)} zonder correctie, {fmt.number(row.lisa_fdr)} na FDR"
        ax.set_title(f"{label}\n(LISA, {rule}; {counts})", fontsize=9)
        ax.set_axis_off()
    for ax in list(axes.flat)[len(h.keys):]:
        ax.set_axis_off()
    handles = maps.cluster_handles(seen)
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=9, frameon=False,
               title="Rood = meer mogelijke belemmering, blauw = minder\n(alleen significante buurten gekleurd)", title_fontsize=9)
    return fig


def lisa_list(r: BarrierResult, s: Session) -> HTML:
    """The buurten coloured on the hot-spot map, per indicator and in barrier words (the map's content as a table)."""
    h = r.hotspots
    names = s.tables["buurt"].set_index("code")["naam"]
    rows = []
    for key in h.keys:
        label = INDICATOR_BY_KEY[key].label_nl
        local = h.lisa.loc[h.lisa["indicator"] == label]
        kinds = maps.barrier_clusters(local["quadrant"], INDICATOR_BY_KEY[key].direction)
        rows += [{"buurt": names.get(code, code), "indicator": label, "soort": kind}
                 for code, kind in zip(local["code"], kinds) if kind.startswith(("Cluster", "Uitschieter"))]
    if not rows:
        return HTML("<p>Op de kaart hieronder is geen buurt gekleurd: geen enkele buurt is significant.</p>")
    return HTML(maps.values_table(pd.DataFrame(rows), {"buurt": "Buurt", "indicator": "Indicator", "soort": "Soort"},
                                  caption="De gekleurde buurten van de kaart hieronder als tabel"))


def hotspots(r: BarrierResult, s: Session) -> list[Styler | Markdown | HTML]:
    """The Moran table, its summary sentence, how each indicator was tested and the buurten the LISA map colours
    (the map itself is saved separately)."""
    return [moran_table(r), hotspot_summary(r, s), hotspot_method(r, s), lisa_list(r, s)]


# --------------------------------------------------------------------------- overlap and robustness
def _short(key: str) -> str:
    return INDICATOR_SHORT.get(key, key)


@figures.described(figures.correlation_heatmap)
def correlation_heatmap(r: BarrierResult) -> Figure:
    """Heat map of the correlations between the indicators' z-scores at the shown level (higher = more barrier)."""
    corr = r.diagnostics.correlation
    names = [_short(k) for k in corr.columns]
    text = np.vectorize(lambda v: fmt.number(v, 2))(corr.to_numpy())
    fig = Figure(figsize=(7.5, 6.2))
    ax = fig.add_subplot()
    sns.heatmap(corr.to_numpy(), ax=ax, vmin=-1, vmax=1, cmap="RdBu_r", annot=text, fmt="", square=True,
                xticklabels=names, yticklabels=names, cbar_kws={"label": "correlatie (Pearson)", "shrink": 0.8})
    ax.tick_params(axis="x", labelrotation=45)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    ax.set_title(f"Samenhang van de indicatoren per {r.level} (z-scores, hoger = meer belemmering)", fontsize=10)
    return fig


def _strong_pairs(r: BarrierResult) -> list[str]:
    corr = r.diagnostics.correlation
    keys = list(corr.columns)
    pairs = [(corr.iloc[i, j], keys[i], keys[j]) for i in range(len(keys)) for j in range(i + 1, len(keys))]
    strong = sorted((pair for pair in pairs if abs(pair[0]) >= STRONG_CORRELATION), key=lambda pair: -abs(pair[0]))
    return [f"{_short(a)} en {_short(b)} (r = {fmt.number(v, 2)})" for v, a, b in strong]


def _aggregation_sentence(r: BarrierResult) -> str:
    groups = "; ".join(f"{name}: {fmt.join([_short(k) for k in members])}" for name, members in DIMENSIONS.items())
    if r.ranking.dimensions:
        return (f"Deze pagina gebruikt de index van drie dimensies (index_dimensies = true; {groups}). Elke dimensie "
                "is het gemiddelde van haar beschikbare z-scores en weegt zo zwaar als haar indicatoren samen.")
    return (f"Deze pagina gebruikt de index van de indicatoren afzonderlijk (index_dimensies = false). Met "
            f"index_dimensies = true worden ze eerst per dimensie gemiddeld ({groups}), met als gewicht de som van de "
            "gewichten van de indicatoren.")


def _same_index_sentence(r: BarrierResult) -> str:
    """Say so when the dimension index equals the indicator index (equal weights within every dimension)."""
    weights = r.ranking.weights
    equal = all(len({weights[k] for k in members if k in weights}) <= 1 for members in DIMENSIONS.values())
    if not equal:
        return ""
    return (" Omdat de gewichten binnen elke dimensie gelijk zijn, geven beide keuzes precies dezelfde index zolang "
            "alle indicatoren bekend zijn; het verschil zit alleen in gebieden waar een indicator ontbreekt.")


def _health_note(r: BarrierResult) -> str:
    """Why health correlates with income and origin by construction, when it does strongly."""
    corr = r.diagnostics.correlation
    if HEALTH_KEY not in corr.columns:
        return ""
    others = [k for k in ("inkomen_per_inwoner", "aandeel_herkomst_buiten_europa") if k in corr.columns]
    if not any(abs(corr.loc[HEALTH_KEY, k]) >= STRONG_CORRELATION for k in others):
        return ""
    return " " + HEALTH_MODEL_NOTE + " De samenhang van gezondheid met inkomen en herkomst is dus deels ingebouwd."


def overlap_summary(r: BarrierResult, s: Session) -> Markdown:
    """How far the indicators overlap: strongest correlations, share of the first principal component, which index."""
    pca, plural = r.diagnostics.pca, LEVEL_PLURAL[r.level]
    strong = _strong_pairs(r)
    pairs = (f"De sterkste samenhang: {fmt.join(strong)}. Deze indicatoren wijzen grotendeels naar dezelfde "
             f"{LEVEL_PLURAL[r.level]}.{_health_note(r)}" if strong else
             f"Geen paar indicatoren hangt sterker samen dan r = {fmt.number(STRONG_CORRELATION, 1)}.")
    n_pairs = r.diagnostics.correlation.attrs.get("n_pairs", 0)
    if n_pairs < MIN_CORRELATION_AREAS:
        pairs = (f"Sommige correlaties rusten op maar {fmt.number(n_pairs)} {plural}; daarmee zeggen ze weinig en "
                 "worden ze hier niet uitgelicht.")
    k = len(r.diagnostics.correlation)
    if pca is None:
        components = (f"Maar {fmt.number(r.diagnostics.n_complete)} {plural} hebben alle {k} indicatoren; dat is te "
                      "weinig voor hoofdcomponenten (daarvoor zijn meer gebieden dan indicatoren nodig).")
    else:
        components = (f"Over {fmt.number(pca.n)} {plural} met alle {k} indicatoren verklaart de eerste hoofdcomponent "
                      f"{fmt.percent(pca.first_share)} van de variantie (bij onafhankelijke indicatoren zou dat ongeveer "
                      f"{fmt.percent(1 / k)} zijn).")
    text = [
        f"{components} {pairs}",
        "Bij gelijke gewichten telt een onderliggende dimensie zo vaak mee als er indicatoren zijn die haar meten. "
        + _aggregation_sentence(r) + _same_index_sentence(r) + " Wat er verandert als elke "
        "dimensie één keer telt, staat in de volgende paragraaf.",
    ]
    return Markdown("\n\n".join(text))


def _first(ranking: Ranking, column: str) -> str:
    first = ranking.table.loc[ranking.table[column] == 1, "naam"]
    return fmt.join(first.tolist()) if len(first) else fmt.MISSING


def robustness_summary(r: BarrierResult, s: Session) -> Markdown:
    """Plain-language summary of the robustness checks of the shown level."""
    p, ranking = s.params, r.ranking
    checks = ranking.robustness.set_index("check")
    top, first = p.top_n, _first(ranking, "rank")
    lines = []
    w = checks.loc["gewichten"]
    lines.append(f"- **Gewichten:** mediane rangcorrelatie met de getoonde rangorde {fmt.number(w.spearman_median, 2)}; "
                 f"{first} blijft nummer 1 in {fmt.percent(w.same_first)} van de trekkingen.")
    if "gegevens" in checks.index:
        d = checks.loc["gegevens"]
        lines.append(
            f"- **Gegevens:** de geleverde RIVM-schattingen van de ervaren gezondheid hebben geen onzekerheidsmarge; "
            f"aangenomen is ± {fmt.number(p.gezondheid_onzekerheid_pp, 1)} procentpunt (95%-interval, "
            "gezondheid_onzekerheid_pp), los per gebied. Mediane rangcorrelatie "
            f"{fmt.number(d.spearman_median, 2)}, van de hoogste {top} blijft {fmt.percent(d.top_n_overlap)} in de "
            f"hoogste {top}, {first} blijft nummer 1 in {fmt.percent(d.same_first)} van de trekkingen. De afstand is "
            "niet opnieuw getrokken: de fout daarin (loket op het midden van zijn gebied, hemelsbreed) is systematisch, "
            "geen toeval per gebied.")
    elif HEALTH_KEY not in ranking.weights:
        lines.append("- **Gegevens:** de ervaren gezondheid zit niet in de index op dit niveau; niets opnieuw getrokken.")
    else:
        lines.append("- **Gegevens:** gezondheid_onzekerheid_pp is 0; de gezondheidsschattingen zijn niet opnieuw getrokken.")
    for key, column, what in (("normalisatie", "rank_percentile", "Met percentielrangen in plaats van z-scores"),
                              ("dimensies_gelijk", "rank_dimensions_equal",
                               "Als elke dimensie één keer telt (gewicht = gemiddelde van de gewichten van haar indicatoren)"),
                              ("aggregatie", "rank_alternative", "Met de andere keuze voor index_dimensies")):
        c = checks.loc[key]
        lines.append(f"- **{CHECK_TITLES[key]}:** {what} is de rangcorrelatie {fmt.number(c.spearman_median, 2)}, "
                     f"blijft {fmt.percent(c.top_n_overlap)} van de hoogste {top} in de hoogste {top}, en is "
                     f"{_first(ranking, column)} nummer 1.")
    return Markdown("\n".join(lines))


def robustness_table(r: BarrierResult, s: Session) -> Styler:
    """Agreement of each robustness check with the ranking shown (rank correlation, top n found back, same first)."""
    top = fmt.number(s.params.top_n)
    return tables.table(r.ranking.robustness, ROBUSTNESS_COLUMNS,
                        labels={"top_n_overlap": f"hoogste {top} teruggevonden"})


def robustness_areas(r: BarrierResult, s: Session) -> Styler:
    """Per area: rank and chance of a top place under the weight draws, the data draws and the other choices."""
    top = fmt.number(s.params.top_n)
    return tables.table(r.ranking.table, ROBUSTNESS_AREA_COLUMNS,
                        labels={"p_top_n": f"kans top {top} (gewichten)", "p_top_n_data": f"kans top {top} (gegevens)"})


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
