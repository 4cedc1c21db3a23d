"""Chapter 03 for the committee: demand, counter sites, scenarios, desks, cost and the comparison.

Every function takes the :class:`~decentraal.pipeline.counters.CounterResult` (and the session
for names and parameters) and returns an object a notebook cell displays: a table (:class:`~decentraal.report.tables.Table`),
Markdown/HTML, a list of those (``display(*...)``), or a matplotlib
:class:`~matplotlib.figure.Figure` (not pyplot, so it shows once as the cell result and the
notebook saves it with ``s.out.figure``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from decentraal.methods.renewal import PRODUCTS
from decentraal.pipeline.counters import NOTA_YEAR, CounterResult
from decentraal.pipeline.session import Session
from decentraal.report import figures, maps, narrative, overview, tables
from decentraal.report import format as fmt
from decentraal.report.labels import ASSUMPTIONS, CHOICE_RULES, COLUMNS, COUNTER_LOCATION_NOTE, MODELS, MONTHS, READINGS
from decentraal.report.labels import PRODUCTS as PRODUCT_LABELS

#: The other parameters of this chapter, named in the header.
CHAPTER_PARAMETERS = ("vraagbron", "bezoeken_per_inwoner_per_jaar", "referentiejaar", "horizon_begin", "horizon_eind",
                      "beslisjaar", "max_nieuwe_loketten", "vaste_kosten_per_loket", "vaste_kosten_omvat_personeel", "keuzeregel",
                      "min_dekking_65plus", "tolerantie_bijna_optimaal", "onzekerheid_trekkingen", "seed")
#: Columns of the visit-model coefficient table.
MODEL_COLUMNS = ["term", "coef", "se", "z", "p_value", "ci_lower", "ci_upper", "rate_ratio", "rr_ci_lower", "rr_ci_upper"]
#: Columns of the scenario, served-districts and desk tables.
SCENARIO_COLUMNS = ["model", "k_new", "nieuwe_locaties", "covered_share", "inwoners_binnen_afstand", "mean_distance_km",
                    "p90_distance_km", "bijna_optimaal", "kans_beste_keuze"]
SERVED_COLUMNS = ["model", "k_new", "loket", "gebied", "bezoeken", "aandeel"]
#: Columns of the near-optimal table.
NEAR_COLUMNS = ["model", "k_new", "rank", "locaties", "verschil_tekst", "kans_beste_keuze"]
DESK_COLUMNS = ["k_new", "loket", "bezoeken", "piekmaand", "bezoeken_piekmaand", "balies_afspraak", "toegangstijd_dagen",
                "binnen_toegangsnorm", "balies_inloop", "aankomsten_per_uur_piek", "inloop_wachttijd_min", "inloop_binnen_norm",
                "baliuren_per_jaar"]
#: Columns of the cost table per scenario (ranges: the two readings of the EUR 400,000).
COST_COLUMNS = ["model", "k_new", "nieuwe_locaties", "bezoeken_p50", "bezoeken_interval", "extra_kosten_p50", "extra_kosten_interval",
                "kosten_per_bezoek_p50", "kosten_per_bezoek_interval", "kans_beste_keuze", "afstand_inwoners_km", "afstand_65plus_km"]
#: Columns of the comparison of municipalities as shown (cost as ranges).
SHOWN_COMPARISON_COLUMNS = ["gemeente", "inwoners", "bezoeken_per_1000_inwoners", "loketten_per_1000_inwoners", "aandeel_65plus",
                            "afstand_nu_km", "afstand_1_extra_km", "kosten_1_extra_bereik", "kosten_per_bezoek_1_extra_bereik"]
#: Colours of the products (demand chart) and of the number of new counters (desk and cost charts).
PRODUCT_COLOURS = {"reisdocument": "#2166ac", "rijbewijs": "#67a9cf", "overig": "#d1e5f0"}
K_COLOURS = ("black", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666", "#1f78b4", "#b2df8a")
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
#: Source line of the tables built from visits, sites and the chapter's assumptions (when the columns name none).
DEMAND_SOURCE = tables.source_line(("kwb", "pdok", "nota", "aanname"))
#: Source line of the product table: validity from the law, age groups from CBS, holding per product assumed.
PRODUCT_SOURCE = ("Bron: Paspoortwet en CBR (geldigheid), CBS (KWB 2024, leeftijdsopbouw), gemeente Haarlem "
                  "(informatienota 2021/547821, bezoekcijfer), aanname (bezit per product); bewerking decentraal")


def _decimal(value: float) -> str:
    """A parameter number in Dutch notation with the decimals it has (at most 3): 1.5 -> '1,5', 20.0 -> '20'."""
    decimals = f"{float(value):.3f}".rstrip("0").partition(".")[2]
    return fmt.number(value, len(decimals))


def _value(value: object) -> str:
    """A parameter value as text: numbers in Dutch notation, yes/no in Dutch, other values as they are."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if not isinstance(value, (int, float)):
        return str(value)
    return _decimal(value)


def header(s: Session, r: CounterResult) -> HTML:
    """The header block of chapter 03: the chapter's parameters, the unsourced assumptions with their
    ranges (from configs/base.yaml), and where the counters are located."""
    p = s.params
    assumed = [k for k, e in s.base.items() if e["groep"] == "loketten" and str(e["bron"]).startswith("aanname")]
    listed = "; ".join(
        f"{k} = {_value(getattr(p, k))} {s.base[k]['eenheid']}"
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


def _visits_source(r: CounterResult) -> str | None:
    """The source line of a table resting on the municipality's visit file (None: population demand, the columns say)."""
    d = r.demand
    if d.observed is None:
        return None
    synthetic = ", synthetische voorbeeldgegevens" if d.synthetic else ""
    return f"Bron: bezoekbestand van de gemeente ({d.file}{synthetic}), " + tables.source_line(("kwb",)).removeprefix("Bron: ")


def visit_model(r: CounterResult) -> list[Markdown | tables.Table]:
    """The fitted visit model (observed visits only): fit, coefficients and the overdispersion test."""
    o = r.demand.observed
    if o is None:
        return []
    m = o.model
    fit = Markdown(f"**Regressiemodel ({r.demand.family}) op {fmt.number(o.rows)} regels, niveau {o.level}; dispersie "
                   f"{fmt.number(m.dispersion, 2)} (Poisson: {fmt.number(m.poisson_dispersion, 2)}).**")
    coefficients = tables.table(m.summary_table().reset_index(names="term"), MODEL_COLUMNS,
                                caption="Regressiemodel van de bezoeken: coëfficiënten", source=_visits_source(r))
    test = f"Overdispersietoets ({o.overdispersion['method']}): p = {fmt.number(o.overdispersion['p_value'], 3)}."
    if o.mean_rate_buurten:
        test += (f" Gemiddeld geschat bezoekcijfer gebruikt voor {fmt.number(len(o.mean_rate_buurten))} buurt(en) zonder "
                 f"volledige indicatoren: {', '.join(o.mean_rate_buurten)}.")
    return [fit, coefficients, Markdown(test)]


def demand(r: CounterResult) -> list[Markdown | tables.Table]:
    """The visit model (observed visits only), the demand source and total, and visits per area (most first)."""
    d = r.demand
    total = Markdown(f"Vraagbron: **{demand_source(r)}**. Totaal {fmt.number(d.total)} bezoeken per jaar voor "
                     f"{fmt.number(d.inhabitants)} inwoners ({fmt.number(d.total / d.inhabitants, 3)} per inwoner).")
    ordered = r.per_area.sort_values("bezoeken", ascending=False)
    per_area = tables.table(ordered.assign(bezoeken=ordered["bezoeken"].map(lambda v: fmt.rounded(v, 100))),
                            ["code", "naam", "inwoners", "bezoeken"], source=_visits_source(r),
                            caption="Loketbezoeken per jaar per gebied (geschat, op honderden), meeste eerst")
    return [*visit_model(r), total, per_area]


def check_line(r: CounterResult, s: Session) -> str:
    """The key number nbval compares (plain text, not shown in the report)."""
    return f"bezoeken per jaar {s.params.gemeente}: {r.demand.total:.0f}"


def products(r: CounterResult, s: Session) -> list[Markdown | tables.Table]:
    """The product mix (illustration), its sources, and the visits of the statistics year over time."""
    year = s.params.jaar
    return [
        tables.table(r.products.assign(bezoeken=r.products["bezoeken"].map(lambda v: fmt.rounded(v, 100))),
                     ["product", "bezoeken", "geldigheid_jaar"], source=PRODUCT_SOURCE,
                     caption="Loketbezoeken per jaar per product (illustratie, op honderden)"),
        Markdown("Bronnen: Paspoortwet (sinds 9 maart 2014), regels voor het rijbewijs (CBR); het bezit per product is een "
                 "aanname (iedereen in de leeftijdsgroep), en CBS geeft geen aantallen 18+ of 75+, dus 15-17 jaar telt bij de "
                 "volwassenen. De bronnen staan volledig in de tabel 03_producten."),
        Markdown(f"Deze verdeling hoort bij het bezoekcijfer van de informatienota ({NOTA_YEAR}), dat in het dal van de "
                 f"vervangingsgolf is gemeten. Hoe de vraag per jaar meebeweegt met de golf (in {year}: "
                 f"{fmt.number(fmt.rounded(r.time.demand.per_year.get(year, np.nan), 100))} bezoeken), staat hieronder onder "
                 "'Vraag per jaar'."),
    ]


# --------------------------------------------------------------------------- sites and scenarios
@figures.described(figures.sites_map)
def sites_map(r: CounterResult, s: Session) -> Figure:
    """The wijken with the existing counters and the candidate sites."""
    wijken = s.layers["wijk"]
    sites = r.chain.sites
    fig = Figure(figsize=(6.5, 6.5))
    ax = fig.subplots()
    maps.draw_polygons(ax, wijken.geometry, [WIJK_FILL] * len(wijken), edgecolor=WIJK_EDGE, linewidth=0.5)
    maps.label_areas(ax, wijken, avoid=sites.geometry)
    maps.add_map_furniture(ax, wijken.crs)
    for kind, label, style in SITE_STYLES:
        chosen = sites.loc[sites["soort"] == kind]
        ax.scatter(chosen.geometry.x, chosen.geometry.y, label=label, zorder=3, **style)
    ax.legend(loc="upper left", bbox_to_anchor=(0.98, 1), fontsize=maps.LEGEND_SIZE, frameon=False)
    ax.set_axis_off()
    ax.set_title(f"Loketten en kandidaatlocaties, {s.gemeentenaam}", fontsize=10.5, loc="left")
    return fig


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """Model names in Dutch, and "geen" where a scenario has no new sites."""
    out = frame.assign(model=frame["model"].map(MODELS))
    if "nieuwe_locaties" in out:
        out["nieuwe_locaties"] = out["nieuwe_locaties"].replace("", NO_SITES)
    return out


def _chances(r: CounterResult, frame: pd.DataFrame) -> list[float]:
    return [r.uncertainty.chance(m, k, ids) for m, k, ids in zip(frame["model"], frame["k_new"], frame["new_sites"])]


def scenarios_table(r: CounterResult) -> tables.Table:
    """Coverage and distances per model and number of new counters, the number of site sets within the
    tolerance and the chance that the set shown is the best one over the draws."""
    radius = f"bezoeken binnen {_decimal(r.settings.radius_km)} km"
    shown = r.scenarios.assign(kans_beste_keuze=_chances(r, r.scenarios))
    return tables.table(_named(shown), SCENARIO_COLUMNS, labels={"covered_share": radius,
                                                                 "mean_distance_km": "gem. afstand per bezoek (km)"},
                        caption="Dekking en afstand per model en aantal nieuwe loketten")


def near_optimal_table(r: CounterResult) -> list[Markdown | tables.Table]:
    """Every site set within the tolerance of the best one (k <= 3), with its gap and its chance of being best."""
    near = r.near_optimal
    tol = fmt.percent(r.settings.tolerance)
    one = near.loc[(near["model"] == "pmedian") & (near["k_new"] == 1)]
    text = (f"Locatiesets waarvan de doelwaarde hooguit {tol} van de beste afwijkt (p-median: gemiddelde afstand per bezoek; "
            "maximale dekking: bezoeken binnen de dekkingsafstand). Zulke verschillen vallen binnen de onzekerheid van de "
            "aannames: de kolom 'kans beste keuze' geeft hoe vaak elke set over de doorgerekende varianten de beste is.")
    if len(one) > 1:
        text += (f" Voor één extra loket ({MODELS['pmedian']}) liggen {fmt.number(len(one))} locaties binnen {tol}: "
                 f"{fmt.join(list(one['locaties']))}.")
    shown = near.assign(verschil_tekst=[("beste" if g == 0 else f"+{fmt.number(100 * g, 1)}%") for g in near["gap"]])
    return [Markdown(text), tables.table(_named(shown), NEAR_COLUMNS,
                                         caption=f"Locatiesets die hooguit {tol} van de beste afwijken")]


def served_table(r: CounterResult) -> tables.Table:
    """Per new counter: where its visitors come from, under the same choice rule as its load (visits to hundreds)."""
    return tables.table(_named(r.served.assign(bezoeken=r.served["bezoeken"].map(lambda v: fmt.rounded(v, 100)))), SERVED_COLUMNS,
                        caption="Waar de bezoekers van elk nieuw loket vandaan komen (bezoeken op honderden)")


@figures.described(figures.distance_maps)
def distance_maps(r: CounterResult, s: Session) -> Figure:
    """Distance to the nearest counter now, with K new counters (p-median), and the catchment per counter."""
    fig = Figure(figsize=(8.5, 10))
    axes = fig.subplot_mosaic([["nu", "na", "."], ["gebied", "gebied", "."]], width_ratios=[1, 1, 0.9],
                              gridspec_kw={"wspace": 0.05, "hspace": 0.12})
    layer, shared = _distance_layer(r, s)
    maps.static_choropleth(layer, "afstand_nu", title="Nu", ax=axes["nu"], points=s.counters, classes=shared,
                           legend=None, labels=False)
    maps.static_choropleth(layer, "afstand_na", title=f"Met {r.k_max} nieuwe loketten ({MODELS['pmedian']})",
                           ax=axes["na"], points=r.open_sites, point_label="loket", classes=shared, legend="all", labels=False,
                           legend_title="Afstand tot het dichtstbijzijnde loket (km), zelfde klassen op beide kaarten")
    maps.catchment_map(layer, "loket", districts=s.layers[r.district_level], points=r.open_sites,
                       title=f"Verzorgingsgebied per loket, met {r.district_level}grenzen", ax=axes["gebied"])
    return fig


def distance_map_interactive(r: CounterResult, s: Session) -> HTML:
    """Offline Leaflet map of the distance with K new counters; distance now and nearest counter on hover."""
    layer, shared = _distance_layer(r, s)
    one_decimal = {"afstand_nu": lambda v: fmt.number(v, 1), "afstand_na": lambda v: fmt.number(v, 1)}
    return HTML(maps.interactive_choropleth(
        layer, "afstand_na", legend=f"Afstand met {r.k_max} nieuwe loketten (km)", classes=shared, formats=one_decimal,
        title=f"Interactieve kaart: afstand tot het dichtstbijzijnde loket met {r.k_max} nieuwe loketten, {s.gemeentenaam}",
        points=r.open_sites, point_tooltip="naam", basemap=s.params.basiskaart, tooltip_fields=DISTANCE_TOOLTIP,
    ))


def _distance_layer(r: CounterResult, s: Session) -> tuple[pd.DataFrame, maps.ClassScheme]:
    """The distance layer with the inhabitants per buurt (only to mute buurten under maps.MIN_RESIDENTS; the
    count itself is not shown, and "fewer than 100" reveals less than the disclosure threshold of 10 allows), and
    one class scheme for the distance now and after, so equal colours mean equal distances on both maps."""
    residents = s.tables["buurt"].set_index("code")["inwoners"]
    # a count missing from the table was suppressed for being under the disclosure threshold: muted too
    layer = r.distance_map.assign(inwoners=r.distance_map["code"].map(residents).fillna(0))
    counted = layer.loc[~maps.few_residents(layer)]
    return layer, maps.class_scheme([counted["afstand_nu"], counted["afstand_na"]])


def rule_name(r: CounterResult) -> str:
    """The run's choice rule in words."""
    return CHOICE_RULES["dichtstbij" if r.settings.rule_kind == "nearest" else "zwaartekracht"]


def sensitivity_table(r: CounterResult) -> list[Markdown | tables.Table]:
    """Visits per counter (scenario with the most new counters, p-median) under both choice rules side by side,
    and how far each rule departs from "everyone uses the nearest counter"."""
    by = r.sensitivity
    wide = by.pivot_table(index="loket", columns="regel", values="bezoeken", aggfunc="sum", sort=False)
    other = by.pivot_table(index="loket", columns="regel", values="aandeel_dichterbij_ander", aggfunc="sum", sort=False)
    shown = pd.DataFrame({COLUMNS["loket"].label: wide.index})
    for rule in wide.columns:
        shown[f"bezoeken: {CHOICE_RULES.get(rule, rule)}"] = [fmt.number(fmt.rounded(v, 100)) for v in wide[rule]]
    for rule in [c for c in wide.columns if c != "dichtstbij"][:1]:
        shown[f"woont dichter bij een ander loket ({CHOICE_RULES.get(rule, rule)})"] = [fmt.percent(v) for v in other[rule]]
    sc = r.scenarios
    gravity_share = float((by.loc[by["regel"] == "zwaartekracht", "bezoeken"] * by.loc[by["regel"] == "zwaartekracht", "aandeel_dichterbij_ander"]).sum()
                          / by.loc[by["regel"] == "zwaartekracht", "bezoeken"].sum())
    text = (f"Deze run gebruikt één keuzeregel voor de locatiekeuze, de bezoeken per loket, de balies, de kosten en de "
            f"verzorgingsgebieden: **{rule_name(r)}** (parameter keuzeregel). Bij die regel gaat "
            f"{fmt.percent(float(sc['aandeel_niet_dichtstbij'].max()))} van de bezoeken naar een loket dat niet het dichtstbijzijnde is "
            f"(hoogste over de scenario's). Onder het zwaartekrachtmodel (beta {_decimal(r.settings.beta)} per km, openingsuren en "
            f"productaanbod wegen mee) zou dat {fmt.percent(gravity_share)} zijn. Welke regel beter past, is niet gemeten; de tabel "
            "zet de bezoeken per loket onder beide regels naast elkaar (afgerond op honderden).")
    caption = f"Bezoeken per loket onder de keuzeregels ({r.k_max} nieuwe loketten, {MODELS['pmedian']})"
    return [Markdown(text), tables.plain(shown, caption=caption, source=DEMAND_SOURCE)]


# --------------------------------------------------------------------------- demand over time
def _level_phrase(r: CounterResult) -> str:
    """What the reference level is, in words."""
    d = r.time.demand
    period = f"{d.reference_years[0]}" + (f"-{d.reference_years[-1]}" if len(d.reference_years) > 1 else "")
    if d.source == "waarnemingen":
        return f"het geschatte niveau van het bezoekbestand in {period}"
    return f"{fmt.number(r.demand.rate, 3)} bezoek per inwoner per jaar ({demand_source(r)}), gemiddeld over {period}"


def demand_over_time_text(r: CounterResult) -> Markdown:
    """Trough, peak and next trough of the visits per year, and what the level is anchored to."""
    d = r.time.demand
    ext = d.extremes()
    parts = [f"Het model volgt de vervanging van paspoorten, identiteitskaarten en rijbewijzen per buurt en per jaar "
             f"(leeftijdsopbouw uit de CBS-kerncijfers) en is vastgezet op {_level_phrase(r)}: "
             f"{fmt.number(fmt.rounded(d.level, 100))} bezoeken per jaar."]
    if {"dal", "piek"} <= set(ext):
        (y0, v0), (y1, v1) = ext["dal"], ext["piek"]
        text = (f"Daarmee zijn het ongeveer {fmt.number(fmt.rounded(v0, 100))} bezoeken in dal-jaar {y0} en "
                f"{fmt.number(fmt.rounded(v1, 100))} in piekjaar {y1} ({fmt.number(v1 / v0, 1)} keer zoveel)")
        if "volgend dal" in ext:
            y2, v2 = ext["volgend dal"]
            text += f", en weer {fmt.number(fmt.rounded(v2, 100))} in {y2}, het volgende dal"
        parts.append(text + ".")
    parts.append("Elk document kost twee bezoeken (aanvragen en afhalen). Binnen het jaar vallen de meeste bezoeken vóór de "
                 "zomer (maandprofiel: een aanname naar het voorbeeld van Den Haag); balies worden op de drukste maand "
                 "berekend. Bevolking en leeftijdsopbouw blijven op het niveau van de kerncijfers.")
    return Markdown(" ".join(parts))


@figures.described(figures.demand_over_time_chart)
def demand_over_time_chart(r: CounterResult, s: Session) -> Figure:
    """Visits per year by product (stacked bars), the reference period, the anchored level and the decision year."""
    d = r.time.demand
    per_product = d.per_product.reindex(columns=list(PRODUCTS)).fillna(0.0)
    years = per_product.index.to_numpy()
    fig = Figure(figsize=(9.5, 4.8))
    ax = fig.subplots()
    ref = d.reference_years
    ax.axvspan(ref[0] - 0.5, ref[-1] + 0.5, color="#e0e0e0", zorder=0,
               label=f"referentieperiode {ref[0]}" + (f"-{ref[-1]}" if len(ref) > 1 else ""))
    bottom = np.zeros(len(years))
    for product in PRODUCTS:
        ax.bar(years, per_product[product], bottom=bottom, color=PRODUCT_COLOURS[product], label=PRODUCT_LABELS[product], zorder=2)
        bottom = bottom + per_product[product].to_numpy()
    ax.axhline(d.level, color="black", linestyle=":", linewidth=1, label="niveau in de referentieperiode", zorder=3)
    ax.axvline(r.time.settings.decision_year - 0.5, color="#555555", linestyle="--", linewidth=1, label="beslisjaar", zorder=3)
    for name, (year, value) in d.extremes().items():
        ax.annotate(f"{name}\n{fmt.number(fmt.rounded(value, 100))}", (year, value), xytext=(0, 6), textcoords="offset points",
                    ha="center", va="bottom", fontsize=8, zorder=4)
    ax.set_ylim(0, bottom.max() * 1.18)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years], rotation=90, fontsize=8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v)))
    ax.set_ylabel("loketbezoeken per jaar")
    ax.set_title(f"Loketbezoeken per jaar, {s.gemeentenaam} (alle loketten samen)", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig


# --------------------------------------------------------------------------- desks
def desks_table(r: CounterResult) -> tables.Table:
    """Per open counter in ``beslisjaar`` (p-median scenarios): visits, the peak month, its desks and service levels."""
    year = r.time.settings.decision_year
    c = r.time.capacity
    rows = c.loc[(c["model"] == "pmedian") & (c["jaar"] == year)]
    shown = rows.assign(loket=rows["site"].map(r.chain.site_names), piekmaand=rows["piekmaand"].map(MONTHS))
    return tables.table(shown, DESK_COLUMNS, caption=f"Balies en wachttijden per loket in {year} ({MODELS['pmedian']})")


def _desks_per_year(r: CounterResult, model: str = "pmedian") -> pd.DataFrame:
    """Desks in the peak month per year at the existing and the new counters, per number of new counters."""
    c = r.time.capacity
    rows = c.loc[c["model"] == model]
    return rows.pivot_table(index="jaar", columns=["k_new", "nieuw"], values="balies", aggfunc="sum", fill_value=0)


@figures.described(figures.desks_over_time_chart)
def desks_over_time_chart(r: CounterResult) -> Figure:
    """Desks in the peak month per year (p-median): existing counter (solid) and new counters together (dashed)."""
    wide = _desks_per_year(r)
    fig = Figure(figsize=(9.5, 4.2))
    ax = fig.subplots()
    years = wide.index.to_numpy()
    for k in sorted({k for k, _ in wide.columns}):
        colour = K_COLOURS[k % len(K_COLOURS)]
        ax.plot(years, wide[(k, False)], color=colour, marker="o", markersize=3, label=f"{k} nieuw: bestaand loket")
        if (k, True) in wide.columns:
            ax.plot(years, wide[(k, True)], color=colour, linestyle="--", marker="s", markersize=3,
                    label=f"{k} nieuw: nieuwe loketten samen")
    ax.axvline(r.time.settings.decision_year - 0.5, color="#555555", linestyle=":", linewidth=1)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years], rotation=90, fontsize=8)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("balies in de drukste maand")
    ax.set_title(f"Balies in de drukste maand per jaar ({MODELS['pmedian']})", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig


def per_year_table(r: CounterResult) -> tables.Table:
    """Per year: visits in the municipality, desks in the peak month and the extra cost per number of new counters (p-median)."""
    t = r.time
    wide = _desks_per_year(r)
    cost = t.costs.loc[t.costs["model"] == "pmedian"].pivot_table(index="jaar", columns=["k_new", "omvat_personeel"],
                                                                  values="incremental_cost_eur")
    out = pd.DataFrame({"jaar": wide.index.astype(str),
                        "bezoeken (gemeente)": [fmt.number(fmt.rounded(v, 100)) for v in t.demand.per_year.reindex(wide.index)]})
    for k in sorted({k for k, _ in wide.columns}):
        new = wide[(k, True)] if (k, True) in wide.columns else pd.Series(0, index=wide.index)
        out[f"{k} nieuw: balies"] = [f"{a:.0f}" if k == 0 else f"{a:.0f} + {b:.0f}" for a, b in zip(wide[(k, False)], new)]
        if k > 0:
            out[f"{k} nieuw: extra kosten"] = [fmt.interval(fmt.rounded(lo, 1000), fmt.rounded(hi, 1000), fmt.euro)
                                               for lo, hi in zip(cost[(k, True)], cost[(k, False)])]
    return tables.plain(out, caption=f"Balies in de drukste maand en extra kosten per jaar ({MODELS['pmedian']})",
                        source=DEMAND_SOURCE)


# --------------------------------------------------------------------------- cost
def _range_text(low: float, high: float, digits: int = 0) -> str:
    return fmt.interval(low, high, lambda v: fmt.euro(v, digits))


@figures.described(figures.cost_over_time_chart)
def cost_over_time_chart(r: CounterResult) -> Figure:
    """System-wide extra cost per year (p-median): the band between the two readings of the EUR 400,000."""
    costs = r.time.costs.loc[(r.time.costs["model"] == "pmedian") & (r.time.costs["k_new"] > 0)]
    wide = costs.pivot_table(index="jaar", columns=["k_new", "omvat_personeel"], values="incremental_cost_eur")
    fig = Figure(figsize=(9.5, 4.2))
    ax = fig.subplots()
    years = wide.index.to_numpy()
    for k in sorted({k for k, _ in wide.columns}):
        colour = K_COLOURS[k % len(K_COLOURS)]
        ax.fill_between(years, wide[(k, True)], wide[(k, False)], color=colour, alpha=0.25, label=f"{k} nieuw: bandbreedte")
        ax.plot(years, wide[(k, r.time.settings.fixed_cost_includes_staff)], color=colour, linewidth=1.2,
                label=f"{k} nieuw: gekozen lezing")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.axvline(r.time.settings.decision_year - 0.5, color="#555555", linestyle=":", linewidth=1)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years], rotation=90, fontsize=8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.euro(v)))
    ax.set_ylabel("extra kosten per jaar, hele gemeente")
    ax.set_title(f"Extra kosten per jaar: alle loketten na min voor ({MODELS['pmedian']})", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig


def _iv_text(iv: object, kind: str) -> str:
    """An interval P10 tot P90: visits to hundreds, euros to two significant digits (per visit: to the euro)."""
    if iv is None:
        return fmt.MISSING
    if kind == "visits":
        return fmt.interval(fmt.rounded(iv.p10, 100), fmt.rounded(iv.p90, 100), fmt.number)
    if kind == "per_visit":
        return fmt.interval(round(iv.p10), round(iv.p90), fmt.euro)
    return fmt.interval(fmt.significant(iv.p10), fmt.significant(iv.p90), fmt.euro)


def _p50_text(iv: object, kind: str) -> str:
    if iv is None:
        return fmt.MISSING
    return fmt.euro(round(iv.p50)) if kind == "per_visit" else fmt.euro(fmt.significant(iv.p50))


def cost_table(r: CounterResult) -> tables.Table:
    """Per scenario with new counters: visits, system-wide extra cost and cost per visit as P50 and P10 tot P90 over the draws."""
    sc = r.time.scenarios.loc[r.time.scenarios["k_new"] > 0]
    u = r.uncertainty
    iv = {c: [u.interval(m, k, c) for m, k in zip(sc["model"], sc["k_new"])] for c in ("bezoeken_nieuw", "extra_kosten", "kosten_per_bezoek")}
    sites = {(sol.model, sol.k_new): sol.new_sites for sol in r.chain.solutions}
    shown = sc.assign(
        bezoeken_p50=[i.p50 for i in iv["bezoeken_nieuw"]],
        bezoeken_interval=[_iv_text(i, "visits") for i in iv["bezoeken_nieuw"]],
        extra_kosten_p50=[_p50_text(i, "eur") for i in iv["extra_kosten"]],
        extra_kosten_interval=[_iv_text(i, "eur") for i in iv["extra_kosten"]],
        kosten_per_bezoek_p50=[_p50_text(i, "per_visit") for i in iv["kosten_per_bezoek"]],
        kosten_per_bezoek_interval=[_iv_text(i, "per_visit") for i in iv["kosten_per_bezoek"]],
        kans_beste_keuze=[u.chance(m, k, sites[(m, k)]) for m, k in zip(sc["model"], sc["k_new"])],
    )
    return tables.table(_named(shown), COST_COLUMNS,
                        caption="Bezoeken, extra kosten en kosten per bezoek per scenario (P50 en P10 tot P90)")


def cost_text(r: CounterResult) -> Markdown:
    """Which years the cost covers, the interval of one extra counter and what drives it, and the caveats."""
    ts = r.time.settings
    u = r.uncertainty
    years = f"{ts.cost_years[0]}-{ts.cost_years[-1]}"
    parts = [f"Bedragen zijn gemiddelden over {years}, de jaren waarin een nieuw loket open kan zijn (vanaf het beslisjaar). "
             f"Elk bedrag is een bandbreedte over {fmt.number(u.n)} doorgerekende varianten van de aannames (P10 tot P90: in 8 van de "
             "10 varianten ligt de uitkomst daartussen; P50 is de middelste)."]
    one = r.chain.solution("pmedian", 1) if r.k_max >= 1 else None
    if one is not None:
        names = r.chain.site_names
        cost, per_visit = u.interval("pmedian", 1, "extra_kosten"), u.interval("pmedian", 1, "kosten_per_bezoek")
        parts.append(
            f"Eén extra loket ({MODELS['pmedian']}, {names[one.new_sites[0]]}) kost de gemeente als geheel "
            f"{_iv_text(cost, 'eur')} per jaar, {_iv_text(per_visit, 'per_visit')} per bezoek aan het nieuwe loket. "
            f"Het grootste deel van die bandbreedte komt uit één open vraag over de informatienota: of de 400.000 euro het "
            f"personeel van het nieuwe loket al omvat (in de doorrekening half om half getrokken; als {READINGS[True]}, ligt het "
            "bedrag aan de onderkant). Het bestaande loket heeft minder baliepersoneel nodig als bezoekers naar het nieuwe loket "
            "gaan; dat is in beide lezingen verrekend, en klopt alleen als de bezetting daar werkelijk meebeweegt met de bezoeken."
        )
    parts.append("Kosten per bespaarde kilometer en per bezoek dichterbij staan bij de standaardwaarden in de tabel "
                 "03_kosten_per_scenario (beide lezingen).")
    return Markdown(" ".join(parts))


def uncertainty_text(r: CounterResult) -> Markdown:
    """How the Monte Carlo works, its shortcuts and its run time."""
    u = r.uncertainty
    sec = r.seconds
    rule = "" if u.siting_draws == u.n else (f" De locatiekeuze onder het zwaartekrachtmodel (p-median) is in de eerste "
                                             f"{fmt.number(u.siting_draws)} varianten opnieuw bepaald.")
    return Markdown(
        f"Alle aannames met een bereik in configs/base.yaml zijn {fmt.number(u.n)} keer getrokken (driehoeksverdeling met de top "
        f"bij de gekozen waarde, seed {u.seed}); de lezing van de 400.000 euro half om half. Per variant zijn de bezoeken per buurt "
        "(met spreiding tussen buurten), de keuze tussen loketten, de beste locaties (voor 1 tot 3 nieuwe loketten, exact), de "
        f"baliewerkuren en de kosten opnieuw berekend.{rule} Snelle benadering: de baliewerkuren per loket en jaar schalen met het "
        "werk (bezoeken maal bedieningstijd, gedeeld door de doelbezetting, minstens één balie tijdens de openingsuren) en zijn "
        "bij de standaardwaarden gelijk aan het volledige maandmodel; piekfactor, toegangsnorm en inloopuren houden daardoor het "
        "effect dat ze bij de standaardwaarden hebben. De dekkingsafstand is voor de locatiekeuze afgerond op 50 meter. "
        f"Rekentijd: locatiekeuze {fmt.number(sec['siting'], 1)} s, doorrekening van de varianten {fmt.number(sec['monte_carlo'], 1)} s, "
        f"locatiekeuze per variant {fmt.number(sec['siting_per_draw'], 1)} s, gevoeligheidsanalyse {fmt.number(sec['sobol'], 1)} s."
    )


def sobol_table(r: CounterResult) -> tables.Table:
    """Sobol indices of the cost per visit of one new counter (p-median): every assumption, most important first."""
    sob = r.uncertainty.sobol
    # small negative estimates are sampling noise of an index that is 0 or nearly so: shown as 0, as in the chart
    shown = sob.assign(aanname=[ASSUMPTIONS.get(p, p.replace("_", " ")) for p in sob["parameter"]],
                       ST=sob["ST"].clip(lower=0), S1=sob["S1"].clip(lower=0))
    return tables.table(shown, ["aanname", "ST", "S1"],
                        caption=f"Gevoeligheid van de kosten per bezoek van één extra loket ({MODELS['pmedian']}) per aanname "
                                "(schattingen onder 0 zijn rekenruis en staan als 0)")


def sobol_text(r: CounterResult) -> Markdown:
    """One sentence naming the assumption that matters most for the cost per visit, and the most important number."""
    sob = r.uncertainty.sobol
    if sob.empty:
        return Markdown("Geen gevoeligheidsanalyse: er is geen scenario met één nieuw loket.")
    top = sob.iloc[0]
    numeric = sob.loc[sob["parameter"] != "vaste_kosten_omvat_personeel"].iloc[0]
    return Markdown(
        f"Voor de kosten per bezoek van één extra loket telt **{ASSUMPTIONS.get(top['parameter'], top['parameter'])}** het zwaarst: "
        f"die aanname verklaart ongeveer {fmt.percent(max(float(top['ST']), 0.0))} van de spreiding (totale Sobol-index). Van de "
        f"getalsaannames weegt {ASSUMPTIONS.get(numeric['parameter'], numeric['parameter'])} het zwaarst "
        f"({fmt.percent(max(float(numeric['ST']), 0.0))}). Daar levert een antwoord of een eigen cijfer van de gemeente de "
        "meeste zekerheid op. "
        "Indices rond 0 betekenen dat de aanname binnen haar bereik de kosten per bezoek nauwelijks verschuift (of, bij de "
        "keuzeregel dichtstbij, niet meedoet)."
    )


@figures.described(figures.sobol_chart)
def sobol_chart(r: CounterResult) -> Figure:
    """Horizontal bars: total and first-order Sobol index of the cost per visit per assumption (tornado-like)."""
    sob = r.uncertainty.sobol.iloc[::-1]
    labels = [ASSUMPTIONS.get(p, p) for p in sob["parameter"]]
    y = np.arange(len(sob))
    fig = Figure(figsize=(8.5, 0.32 * len(sob) + 1.2))
    ax = fig.subplots()
    ax.barh(y + 0.2, sob["ST"].clip(lower=0), height=0.4, color="#2166ac", label="totale index (met wisselwerking)")
    ax.barh(y - 0.2, sob["S1"].clip(lower=0), height=0.4, color="#92c5de", label="eerste-orde index (alleen deze aanname)")
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.percent(v)))
    ax.set_xlabel("deel van de spreiding in de kosten per bezoek")
    ax.set_title(f"Welke aanname bepaalt de kosten per bezoek? (1 extra loket, {MODELS['pmedian']})", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- comparison and summary
def comparison_table(r: CounterResult) -> tables.Table:
    """Key figures of every municipality per 1,000 inhabitants, with the same parameters (cost as ranges)."""
    c = r.comparison
    shown = c.assign(
        kosten_1_extra_bereik=[_range_text(fmt.rounded(lo, 1), fmt.rounded(hi, 1)) for lo, hi in
                               zip(c["kosten_1_extra_per_1000_inwoners_laag"], c["kosten_1_extra_per_1000_inwoners_hoog"])],
        kosten_per_bezoek_1_extra_bereik=[_range_text(lo, hi, 2) for lo, hi in
                                          zip(c["kosten_per_bezoek_1_extra_laag"], c["kosten_per_bezoek_1_extra_hoog"])],
    )
    return tables.table(shown, SHOWN_COMPARISON_COLUMNS, caption="De gemeenten vergeleken per 1.000 inwoners, met dezelfde parameters",
                        source=DEMAND_SOURCE)


def summary(r: CounterResult, s: Session) -> HTML:
    """The generated Dutch summary: demand over time, the best sites, coverage gained and the system-wide cost."""
    d = r.demand
    u = r.uncertainty
    intervals = {(sol.model, sol.k_new): {c: u.interval(sol.model, sol.k_new, c) for c in ("bezoeken_nieuw", "extra_kosten", "kosten_per_bezoek")}
                 | {"kans": u.chance(sol.model, sol.k_new, sol.new_sites)} for sol in r.chain.solutions}
    text = narrative.counter_summary(
        r.chain.scenarios, gemeente=s.gemeentenaam, inhabitants=d.inhabitants, visits=d.total, rate=d.total / d.inhabitants,
        radius_km=r.settings.radius_km, site_names=r.chain.site_names, served=r.served, fixed_cost=r.settings.fixed_cost,
        demand_source=demand_source(r), costs=r.time.scenarios, extremes=r.time.demand.extremes(),
        cost_years=r.time.settings.cost_years, intervals=intervals, near_optimal=r.near_optimal, rule=rule_name(r),
        draws=u.n, most_important=ASSUMPTIONS.get(u.most_important, u.most_important),
    )
    return HTML(f'<div class="samenvatting">{text}</div>')
