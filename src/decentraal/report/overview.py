"""Chapter 01 for the committee: sources, coverage, join report, CBS check, inhabitants."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure

from decentraal.pipeline.data import OverviewResult
from decentraal.pipeline.session import Session
from decentraal.report import figures, html, maps, tables
from decentraal.report import format as fmt
from decentraal.report.labels import COLUMNS, VINTAGES

#: Source line of the tables about the areas themselves (boundaries and key figures).
AREA_SOURCE = tables.source_line(("kwb", "pdok"))


def header(s: Session, *, notes: list[str] | None = None, synthetic: bool = False,
           parameters: tuple[str, ...] = ()) -> HTML:
    """The header block of a chapter page: parameters, sources, run date, caveats.

    ``parameters`` names the chapter's own run parameters to list besides the common ones.
    """
    p = s.params
    shown = {"gemeente": f"{p.gemeente} ({p.gemeentenaam})", "jaar": p.jaar, "niveau": p.niveau,
             "onthulling_drempel": p.onthulling_drempel, "basiskaart": p.basiskaart}
    shown.update({name: getattr(p, name) for name in parameters})
    return HTML(html.header_html(shown, sources=s.sources, code_version=s.code_version,
                                 uses_stadsdelen="stadsdeel" in s.layers, synthetic=synthetic, extra_notes=notes or ()))


def vintages() -> tables.Table:
    """Which year each ingredient comes from."""
    return tables.table(pd.DataFrame(VINTAGES), ["gegeven", "jaar", "bron", "opmerking"],
                        caption="Gebruikte gegevens: jaar en bron per onderdeel")


def coverage(r: OverviewResult) -> tables.Table:
    """Areas per level, areas with inhabitants, areas with a value per indicator (levels as columns)."""
    rows = r.coverage.set_index("niveau").T
    rows.index = [COLUMNS[k].label for k in rows.index]
    shown = rows.map(fmt.number).rename_axis("").reset_index()
    return tables.plain(shown, caption="Gebieden per niveau, met inwoners en met een waarde per indicator",
                        source=AREA_SOURCE)


def join_report(r: OverviewResult, s: Session) -> Markdown | tables.Table:
    """The codes found on one side of a join only, or a sentence that there are none."""
    if r.join_report.empty:
        return Markdown(
            f"Alle {r.n_codes} gebiedscodes van {s.gemeentenaam} komen zowel in de grenzen als in de statistieken "
            "voor (buurtgrenzen 2019 en kerncijfers 2024 hebben dezelfde codes)."
        )
    return tables.table(r.join_report, ["bestand", "code", "naam", "aanwezig_in", "ontbreekt_in"],
                        caption="Gebiedscodes die maar in één van de bestanden voorkomen", source=AREA_SOURCE)


def total_check(r: OverviewResult, s: Session) -> Markdown:
    """The buurt and wijk sums of inhabitants against the published CBS total."""
    c = r.total_check
    return Markdown(
        f"CBS publiceert voor {s.gemeentenaam} **{fmt.number(c['gepubliceerd'])}** inwoners ({s.params.jaar}). "
        f"De buurten tellen samen {fmt.number(c['som_buurt'])} (verschil {_signed(c['verschil_buurt'])}, "
        f"toegestaan ±{fmt.number(c['tolerantie_buurt'])}); de wijken {fmt.number(c['som_wijk'])} "
        f"(verschil {_signed(c['verschil_wijk'])}, toegestaan ±{fmt.number(c['tolerantie_wijk'])})."
    )


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + fmt.number(value)


def check_line(r: OverviewResult, s: Session) -> str:
    """The key numbers nbval compares (plain text, not shown in the report)."""
    return (f"inwoners {s.params.gemeente}: {r.total_check['gepubliceerd']:.0f}; "
            f"buurten: {r.n_areas['buurt']}; wijken: {r.n_areas['wijk']}")


def population_table(r: OverviewResult) -> tables.Table:
    """Inhabitants, households and share 65+ per area, largest first (after disclosure control)."""
    return tables.table(r.population, ["naam", "inwoners", "huishoudens", "aandeel_65plus"],
                        caption=f"Inwoners, huishoudens en aandeel 65-plussers per {r.level}, grootste eerst")


@figures.described(figures.population_map)
def population_map(r: OverviewResult, s: Session) -> Figure:
    """Static map of inhabitants per area with the existing counters."""
    title = f"Inwoners per {r.level}, {s.gemeentenaam} {s.params.jaar}"
    return maps.static_choropleth(r.population_layer, "inwoners", title=title, cmap=maps.COUNT_CMAP, points=s.counters,
                                  legend_title="Inwoners (aantal)", barrier=False, residents=None)


def population_map_interactive(r: OverviewResult, s: Session) -> HTML:
    """Offline Leaflet map of inhabitants, and where the counters are located."""
    page = maps.interactive_choropleth(
        r.population_layer, "inwoners", legend="Inwoners (aantal)", cmap=maps.COUNT_CMAP, points=s.counters,
        basemap=s.params.basiskaart, tooltip_fields={"naam": "Gebied", "inwoners": "Inwoners"}, barrier=False,
        residents=None, title=f"Interactieve kaart: inwoners per {r.level}, {s.gemeentenaam} {s.params.jaar}",
    )
    located = "; ".join(f"{c.naam}, {c.adres}: {c.locatiebron}" for c in s.counters.itertuples())
    return HTML(page + f"<p><b>Locatie van de loketten:</b> {located}</p>")
