"""Chapter 03 for the committee: demand, counter sites, scenarios, desks, cost and the comparison.

Every function takes the :class:`~decentraal.pipeline.counters.CounterResult` (and the session
for names and parameters) and returns an object a notebook cell displays: a table (Styler),
Markdown/HTML, a list of those (``display(*...)``), or a matplotlib
:class:`~matplotlib.figure.Figure` (not pyplot, so it shows once as the cell result and the
notebook saves it with ``s.out.figure``).
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from decentraal.pipeline.counters import COMPARISON_COLUMNS, COST_TABLE_COLUMNS, NOTA_YEAR, CounterResult
from decentraal.pipeline.session import Session
from decentraal.report import format as fmt
from decentraal.report import maps, narrative, overview, tables
from decentraal.report.labels import COLUMNS, COUNTER_LOCATION_NOTE, MODELS

#: The other parameters of this chapter, named in the header.
CHAPTER_PARAMETERS = ("vraagbron", "bezoeken_per_inwoner_per_jaar", "max_nieuwe_loketten", "vaste_kosten_per_loket")
#: Columns of the visit-model coefficient table.
MODEL_COLUMNS = ["term", "coef", "se", "z", "p_value", "ci_lower", "ci_upper", "rate_ratio", "rr_ci_lower", "rr_ci_upper"]
#: Columns of the scenario, served-districts and desk tables.
SCENARIO_COLUMNS = ["model", "k_new", "nieuwe_locaties", "covered_share", "inwoners_binnen_afstand", "mean_distance_km",
                    "p90_distance_km"]
SERVED_COLUMNS = ["model", "k_new", "loket", "gebied", "inwoners", "aandeel"]
DESK_COLUMNS = ["k_new", "loket", "bezoeken_per_jaar", "aankomsten_per_uur_piek", "balies", "bezetting", "kans_wachten",
                "gem_wachttijd_min", "binnen_norm"]
#: How existing counters and candidate sites are drawn on the site map (kind, legend label, style).
SITE_STYLES = (
    ("kandidaat", "kandidaat", {"color": "#2166ac", "s": 25, "marker": "o"}),
    ("bestaand", "bestaand loket", {"color": "black", "s": 120, "marker": "*"}),
)
#: Background of the wijken on the site map.
WIJK_FILL, WIJK_EDGE = "#f2efe9", "#999999"
#: Hover fields of the interactive distance map.
DISTANCE_TOOLTIP = {"naam": "Buurt", "afstand_nu": "Afstand nu (km)", "afstand_na": "Afstand straks (km)",
                    "loket": "Dichtstbijzijnde loket"}
#: "No new sites" in the scenario and cost tables.
NO_SITES = "geen"


def _decimal(value: float) -> str:
    """A parameter number in Dutch notation with the decimals it has (at most 3): 1.5 -> '1,5', 20.0 -> '20'."""
    decimals = f"{float(value):.3f}".rstrip("0").partition(".")[2]
    return fmt.number(value, len(decimals))


def _value(value: object) -> str:
    """A parameter value as text: numbers in Dutch notation, other values as they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return _decimal(value)


def header(s: Session, r: CounterResult) -> HTML:
    """The header block of chapter 03: the chapter's parameters, the unsourced assumptions with their
    ranges (from configs/base.yaml), and where the counters are located."""
    p = s.params
    assumed = [k for k, e in s.base.items() if e["groep"] == "loketten" and str(e["bron"]).startswith("aanname")]
    listed = "; ".join(
        f"{k} = {_decimal(getattr(p, k))} {s.base[k]['eenheid']}"
        + (f" (bereik {_decimal(s.base[k]['bereik'][0])} tot {_decimal(s.base[k]['bereik'][1])})" if "bereik" in s.base[k] else "")
        for k in assumed
    )
    notes = [
        f"Aannames zonder openbare bron (vervang ze door eigen cijfers van de gemeente): {listed}.",
        f"Wachtnorm: {fmt.percent(p.wachtnorm_aandeel)} binnen {_decimal(p.wachtnorm_minuten)} minuten "
        f"({s.base['wachtnorm_minuten']['bron']}).",
        COUNTER_LOCATION_NOTE,
    ]
    return overview.header(s, notes=notes, synthetic=r.demand.synthetic, parameters=CHAPTER_PARAMETERS + tuple(assumed))


# --------------------------------------------------------------------------- demand
def demand_source(r: CounterResult) -> str:
    """Where the visits come from, in words (also used in the summary)."""
    d = r.demand
    if d.observed is None:
        return "aanname informatienota" if d.rate_is_nota else "gekozen parameter"
    return f"geschat {d.family}-model op {d.file}" + (" (SYNTHETISCHE voorbeeldgegevens)" if d.synthetic else "")


def visit_model(r: CounterResult) -> list[Markdown | Styler]:
    """The fitted visit model (observed visits only): fit, coefficients and the overdispersion test."""
    o = r.demand.observed
    if o is None:
        return []
    m = o.model
    fit = Markdown(f"**Regressiemodel ({r.demand.family}) op {fmt.number(o.rows)} regels, niveau {o.level}; dispersie "
                   f"{fmt.number(m.dispersion, 2)} (Poisson: {fmt.number(m.poisson_dispersion, 2)}).**")
    coefficients = tables.table(m.summary_table().reset_index(names="term"), MODEL_COLUMNS)
    test = f"Overdispersietoets ({o.overdispersion['method']}): p = {fmt.number(o.overdispersion['p_value'], 3)}."
    if o.mean_rate_buurten:
        test += (f" Gemiddeld geschat bezoekcijfer gebruikt voor {fmt.number(len(o.mean_rate_buurten))} buurt(en) zonder "
                 f"volledige indicatoren: {', '.join(o.mean_rate_buurten)}.")
    return [fit, coefficients, Markdown(test)]


def demand(r: CounterResult) -> list[Markdown | Styler]:
    """The visit model (observed visits only), the demand source and total, and visits per area (most first)."""
    d = r.demand
    total = Markdown(f"Vraagbron: **{demand_source(r)}**. Totaal {fmt.number(d.total)} bezoeken per jaar voor "
                     f"{fmt.number(d.inhabitants)} inwoners ({fmt.number(d.total / d.inhabitants, 3)} per inwoner).")
    per_area = tables.table(r.per_area.sort_values("bezoeken", ascending=False), ["code", "naam", "inwoners", "bezoeken"])
    return [*visit_model(r), total, per_area]


def check_line(r: CounterResult, s: Session) -> str:
    """The key number nbval compares (plain text, not shown in the report)."""
    return f"bezoeken per jaar {s.params.gemeente}: {r.demand.total:.0f}"


def products(r: CounterResult, s: Session) -> list[Markdown | Styler]:
    """The product mix (illustration), its sources and the renewal wave of the statistics year."""
    year = s.params.jaar
    return [
        tables.table(r.products, ["product", "bezoeken", "geldigheid_jaar"]),
        Markdown("Bronnen: Paspoortwet (sinds 9 maart 2014), regels voor het rijbewijs (CBR); het bezit per product is een "
                 "aanname (iedereen in de leeftijdsgroep), en CBS geeft geen aantallen 18+ of 75+, dus 15-17 jaar telt bij de "
                 "volwassenen. De bronnen staan volledig in de tabel 03_producten."),
        Markdown(f"Vervangingsgolf: voor {year} geeft een eenvoudig cohortmodel (zonder spreiding over de jaren) een factor "
                 f"{fmt.number(r.wave_factor, 1)} voor documenten van volwassenen ten opzichte van een evenwichtsjaar. Het "
                 f"bezoekcijfer uit de informatienota ({NOTA_YEAR}) is gemeten in een dal (factor "
                 f"{fmt.number(r.wave_factor_nota, 1)}); de vraag in {year} kan dus hoger liggen dan het basisscenario."),
    ]


# --------------------------------------------------------------------------- sites and scenarios
def sites_map(r: CounterResult, s: Session) -> Figure:
    """The wijken with the existing counters and the candidate sites."""
    wijken = s.layers["wijk"]
    sites = r.chain.sites
    fig = Figure(figsize=(6.5, 6.5))
    ax = fig.subplots()
    maps.draw_polygons(ax, wijken.geometry, [WIJK_FILL] * len(wijken), edgecolor=WIJK_EDGE, linewidth=0.5)
    for kind, label, style in SITE_STYLES:
        chosen = sites.loc[sites["soort"] == kind]
        ax.scatter(chosen.geometry.x, chosen.geometry.y, label=label, zorder=3, **style)
    ax.legend(loc="upper left", bbox_to_anchor=(0.98, 1))
    ax.set_axis_off()
    ax.set_title(f"Loketten en kandidaatlocaties, {s.gemeentenaam}", fontsize=10)
    return fig


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """Model names in Dutch, and "geen" where a scenario has no new sites."""
    out = frame.assign(model=frame["model"].map(MODELS))
    if "nieuwe_locaties" in out:
        out["nieuwe_locaties"] = out["nieuwe_locaties"].replace("", NO_SITES)
    return out


def scenarios_table(r: CounterResult) -> Styler:
    """Coverage and distances per model and number of new counters."""
    radius = f"dekking binnen {_decimal(r.settings.radius_km)} km (gewogen)"
    return tables.table(_named(r.scenarios), SCENARIO_COLUMNS, labels={"covered_share": radius})


def served_table(r: CounterResult) -> Styler:
    """Per new counter: the districts whose inhabitants have it as their nearest counter."""
    return tables.table(_named(r.served), SERVED_COLUMNS)


def distance_maps(r: CounterResult, s: Session) -> Figure:
    """Distance to the nearest counter now, with K new counters (p-median), and the catchment per counter."""
    fig = Figure(figsize=(19, 6.5))
    axes = fig.subplots(1, 3)
    layer = r.distance_map
    maps.static_choropleth(layer, "afstand_nu", title="Afstand tot loket nu (km)", ax=axes[0], points=s.counters, cmap="YlOrRd")
    maps.static_choropleth(layer, "afstand_na", title=f"Met {r.k_max} nieuwe loketten, {MODELS['pmedian']} (km)", ax=axes[1],
                           points=r.open_sites, point_label="open loket", cmap="YlOrRd")
    maps.catchment_map(layer, "loket", districts=s.layers[r.district_level], points=r.open_sites,
                       title=f"Verzorgingsgebied per loket en {r.district_level}grenzen", ax=axes[2])
    return fig


def distance_map_interactive(r: CounterResult, s: Session) -> HTML:
    """Offline Leaflet map of the distance with K new counters; distance now and nearest counter on hover."""
    return HTML(maps.interactive_choropleth(
        r.distance_map, "afstand_na", legend=f"Afstand met {r.k_max} nieuwe loketten (km)", cmap="YlOrRd",
        points=r.open_sites, point_tooltip="naam", basemap=s.params.basiskaart, tooltip_fields=DISTANCE_TOOLTIP,
    ))


def sensitivity_table(r: CounterResult) -> Styler:
    """Share of visits per counter (rows) for each distance-decay value beta (columns)."""
    wide = r.sensitivity.pivot(index="loket", columns="beta", values="aandeel")
    shown = wide.map(fmt.percent)
    shown.columns = [f"beta {fmt.number(b, 2)}" for b in wide.columns]
    return tables.plain(shown.rename_axis(COLUMNS["loket"].label).reset_index())


# --------------------------------------------------------------------------- desks, cost, comparison
def desks_table(r: CounterResult) -> Styler:
    """Visits, peak arrivals and desks per open counter in the p-median scenarios."""
    return tables.table(r.desks.loc[r.desks["model"] == "pmedian"], DESK_COLUMNS)


def cost_table(r: CounterResult) -> Styler:
    """Extra annual cost per scenario, per visit to the new counters and per 65+ resident served."""
    return tables.table(_named(r.costs), COST_TABLE_COLUMNS)


def comparison_table(r: CounterResult) -> Styler:
    """Key figures of every municipality per 1,000 inhabitants, with the same parameters."""
    return tables.table(r.comparison, COMPARISON_COLUMNS)


def summary(r: CounterResult, s: Session) -> HTML:
    """The generated Dutch summary: demand, the best sites, coverage gained and cost per visit."""
    d = r.demand
    text = narrative.counter_summary(
        r.chain.scenarios, gemeente=s.gemeentenaam, inhabitants=d.inhabitants, visits=d.total, rate=d.total / d.inhabitants,
        radius_km=r.settings.radius_km, site_names=r.chain.site_names, served=r.served, fixed_cost=r.settings.fixed_cost,
        demand_source=demand_source(r),
    )
    return HTML(f'<div class="samenvatting">{text}</div>')
