"""Chapter 04 for the committee: service norms of the shared contact centre, per channel and year.

Every function takes the :class:`~decentraal.pipeline.servicenorms.NormResult` (and the session for
names and parameters) and returns what a notebook cell displays: a table, Markdown/HTML or a matplotlib
:class:`~matplotlib.figure.Figure` with its alt text (:func:`decentraal.report.figures.describe`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from decentraal.pipeline.servicenorms import CHANNELS, REFERENCE_GEMEENTE, SCENARIOS, NormResult
from decentraal.pipeline.session import Session
from decentraal.report import figures, overview, tables
from decentraal.report import format as fmt
from decentraal.report.labels import ASSUMPTIONS, MONTHS, SYNTHETIC_NOTE

#: Channel names in Dutch.
CHANNEL_NAMES = {"balie": "balie (burgerzaken)", "telefoon": "telefoon (14 023)", "email": "e-mail"}
SCENARIO_NAMES = {"huidige_capaciteit": "huidige capaciteit", "uitbreiding": "met uitbreiding"}
#: Where each norm's default comes from (FACTS.md): own norms were not found publicly.
NORM_SOURCES = {
    "telefoon": "30 seconden: de norm waaraan Haarlem in 2017 werd getoetst (IJmuider Courant, 17-10-2018); "
                "80%: voorbeeldnorm (gemeente Harlingen: 80% binnen 21 seconden), vervang door de eigen norm",
    "email": "voorbeeldnorm (gemeente Utrecht: e-mail binnen 5 werkdagen), vervang door de eigen norm",
    "balie": "inloop 10 minuten: voorbeeldnorm (gemeenten Katwijk en Harlingen), vervang door de eigen norm; "
             "tijd tot een afspraak: aanname (geen gepubliceerde norm gevonden)",
}
#: The chapter's parameters named in the header.
CHAPTER_PARAMETERS = ("referentiejaar", "horizon_begin", "servicenormen_jaar_eind", "wachtnorm_aandeel", "wachtnorm_minuten",
                      "toegangsnorm_werkdagen", "telefoon_norm_seconden", "email_norm_werkdagen", "uren_per_fte",
                      "contacten_bestand", "bezetting_bestand")
COLOURS = {"GM0392": "#1b6ca8", "GM0473": "#d95f02"}
SOURCE = figures.source(pdok=False, extra="aannames en voorbeeldnormen: zie de parameters bovenaan deze pagina")


def _pct(share: float) -> str:
    return fmt.percent(share) if np.isfinite(share) else "."


def _fte(value: float) -> str:
    return fmt.number(value, 1) if np.isfinite(value) else "."


def header(s: Session, r: NormResult) -> HTML:
    """Parameters, the assumptions without a public source (with their ranges) and the example norms."""
    assumed = [k for k, e in s.base.items() if e["groep"] == "servicenormen" and str(e["bron"]).startswith("aanname")]
    listed = "; ".join(
        f"{ASSUMPTIONS.get(k, k)}: {fmt.number(getattr(s.params, k), 2)} {s.base[k]['eenheid']}"
        + (f" (bereik {fmt.number(s.base[k]['bereik'][0], 2)} tot {fmt.number(s.base[k]['bereik'][1], 2)})"
           if "bereik" in s.base[k] else "")
        for k in assumed)
    notes = [f"Aannames zonder openbare bron (vervang ze door eigen cijfers van de gemeente): {listed}.",
             "De normen zijn voorbeeldnormen van andere gemeenten: de eigen normteksten van Haarlem en Zandvoort zijn niet "
             "openbaar gevonden. Vervang ze door de eigen norm."]
    if r.synthetic:
        notes.append(SYNTHETIC_NOTE)
    return overview.header(s, notes=notes, synthetic=r.synthetic, parameters=CHAPTER_PARAMETERS + tuple(assumed))


def _yearly(r: NormResult, scenario: str = SCENARIOS[0]) -> pd.DataFrame:
    return r.table.loc[r.table["scenario"] == scenario]


def _share(r: NormResult, code: str, channel: str, year: int, scenario: str = SCENARIOS[0]) -> float:
    t = r.table
    row = t.loc[(t["gemeente"] == code) & (t["kanaal"] == channel) & (t["jaar"] == year) & (t["scenario"] == scenario)]
    return float(row["aandeel_binnen_norm"].iloc[0])


def summary(r: NormResult, s: Session) -> HTML:
    """The answer in a few sentences, generated from the results."""
    ns, peak = r.settings, r.peak_year
    first = ns.years[0]
    parts = []
    for code, m in r.municipalities.items():
        worst = []
        for channel in CHANNELS:
            now, more = _share(r, code, channel, peak), _share(r, code, channel, peak, SCENARIOS[1])
            before = _share(r, code, channel, first)
            worst.append(f"{CHANNEL_NAMES[channel]} {_pct(before)} in {first}, {_pct(now)} in {peak} "
                         f"({_pct(more)} met {fmt.percent(ns.expansion)} meer capaciteit)")
        parts.append(f"<li><b>{m.name}</b>: deel van de contacten binnen de norm bij gelijkblijvende capaciteit: "
                     f"{'; '.join(worst)}.</li>")
    most = r.most_important()
    sens = (f"<p>Van de aannames met een bandbreedte verschuift <b>{ASSUMPTIONS.get(most, most)}</b> de uitkomst in {peak} het meest "
            f"(tabel met de gevoeligheid verderop). De uitkomst hangt weinig af van het onbekende aantal contacten per inwoner: "
            f"de huidige capaciteit is afgeleid uit dezelfde aantallen (de capaciteit die in {fmt.join(map(str, ns.reference_years))} "
            f"een gemiddelde maand binnen de norm hield). Wat telt is hoe sterk de drukte meebeweegt met de golf van "
            f"paspoorten en identiteitskaarten.</p>") if most else ""
    synthetic = f"<p class='synthetisch'>{SYNTHETIC_NOTE}</p>" if r.synthetic else ""
    return HTML(f"""<div class="antwoord">{synthetic}
<p>Als de capaciteit van het klantcontactcentrum gelijk blijft aan wat in de referentieperiode nodig was, lopen de wachttijden op
in de piek van de vernieuwing van reisdocumenten ({peak} is het drukste jaar). Per gemeente, met dezelfde normen en dezelfde
rekenwijze:</p><ul>{''.join(parts)}</ul>{sens}
<p>Dit zijn modeluitkomsten met aannames, geen metingen: vervang de aannames door de eigen contact- en bezettingscijfers
(bestandsformaten in de README) om de werkelijke situatie door te rekenen.</p></div>""")


def check_line(r: NormResult) -> str:
    """One line with the key number for the notebook test (nbval): Haarlem's phone share in the peak year."""
    return f"telefoon binnen norm GM0392 {r.peak_year}: {_share(r, REFERENCE_GEMEENTE, 'telefoon', r.peak_year):.2f}"


def norms_table(r: NormResult) -> tables.Table:
    """The norms per channel and where they come from."""
    frame = pd.DataFrame({"Kanaal": [CHANNEL_NAMES[c] for c in CHANNELS],
                          "Norm (gelijk voor Haarlem en Zandvoort)": [r.settings.norm_text(c) for c in CHANNELS],
                          "Herkomst": [NORM_SOURCES[c] for c in CHANNELS]})
    return tables.plain(frame, caption="Normen per kanaal", source="Bron: servicenormen op harlingen.nl, katwijk.nl en utrecht.nl; IJmuider Courant 17-10-2018 (Haarlem, telefoon)")


def volumes_chart(r: NormResult) -> Figure:
    """Contacts per 1,000 inhabitants per year, per channel, both municipalities side by side."""
    t = _yearly(r)
    fig = Figure(figsize=(9, 3.2))
    axes = fig.subplots(1, 3, sharex=True)
    for ax, channel in zip(axes, CHANNELS):
        for code, m in r.municipalities.items():
            part = t.loc[(t["gemeente"] == code) & (t["kanaal"] == channel)]
            ax.plot(part["jaar"], part["contacten_per_1000"], marker="o", ms=3, color=COLOURS.get(code, "grey"), label=m.name)
        ax.set_title(CHANNEL_NAMES[channel], fontsize=9)
        ax.set_ylim(bottom=0)
        ax.axvline(r.peak_year, color="#777777", lw=0.8, ls="--")
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v)))
    axes[0].set_ylabel("contacten per 1.000 inwoners", fontsize=8)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    peak_vals = {c: t.loc[(t["gemeente"] == REFERENCE_GEMEENTE) & (t["kanaal"] == c)].set_index("jaar")["contacten_per_1000"]
                 for c in CHANNELS}
    alt = ("Drie grafieken met het aantal contacten per 1.000 inwoners per jaar, voor Haarlem en Zandvoort. "
           + " ".join(f"{CHANNEL_NAMES[c].capitalize()} in Haarlem: {fmt.number(v.iloc[0])} in {v.index[0]}, "
                      f"{fmt.number(v.get(r.peak_year, np.nan))} in {r.peak_year}." for c, v in peak_vals.items())
           + f" De stippellijn markeert het drukste jaar {r.peak_year}.")
    return figures.describe(fig, alt=alt, caption="Contacten per 1.000 inwoners per jaar en kanaal", source=SOURCE)


def attainment_chart(r: NormResult) -> Figure:
    """Share of contacts within the norm per year, per channel: both municipalities, both scenarios, peak marked."""
    fig = Figure(figsize=(9, 3.4))
    axes = fig.subplots(1, 3, sharey=True)
    t = r.table
    for ax, channel in zip(axes, CHANNELS):
        for code, m in r.municipalities.items():
            for scenario, style in zip(SCENARIOS, ("-", ":")):
                part = t.loc[(t["gemeente"] == code) & (t["kanaal"] == channel) & (t["scenario"] == scenario)]
                ax.plot(part["jaar"], part["aandeel_binnen_norm"], ls=style, marker="o" if style == "-" else None, ms=3,
                        color=COLOURS.get(code, "grey"), label=f"{m.name}, {SCENARIO_NAMES[scenario]}")
        ax.axhline(r.settings.target_share, color="black", lw=0.8)
        ax.axvline(r.peak_year, color="#777777", lw=0.8, ls="--")
        ax.set_title(CHANNEL_NAMES[channel], fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.percent(v)))
    axes[0].set_ylabel("deel binnen de norm", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    alt = ("Drie grafieken met het deel van de contacten binnen de norm per jaar, per kanaal, voor Haarlem en Zandvoort, "
           "met de huidige capaciteit (doorgetrokken) en met uitbreiding (gestippeld); de zwarte lijn is de norm van "
           f"{fmt.percent(r.settings.target_share)}. "
           + " ".join(f"{m.name}, {CHANNEL_NAMES[c]}: {_pct(_share(r, code, c, r.peak_year))} in {r.peak_year}."
                      for code, m in r.municipalities.items() for c in CHANNELS))
    return figures.describe(fig, alt=alt, caption="Deel van de contacten binnen de norm per jaar en kanaal", source=SOURCE)


def year_table(r: NormResult) -> tables.Table:
    """Per municipality and channel: share within the norm in the first year, the peak year and the last year, and the FTE."""
    ns, peak = r.settings, r.peak_year
    years = sorted({ns.years[0], peak, ns.years[-1]})
    rows = []
    for m in r.municipalities.values():
        for channel in CHANNELS:
            t = m.table.loc[m.table["kanaal"] == channel]
            now = t.loc[t["scenario"] == SCENARIOS[0]].set_index("jaar")
            more = t.loc[t["scenario"] == SCENARIOS[1]].set_index("jaar")
            row = {"Gemeente": m.name, "Kanaal": CHANNEL_NAMES[channel]}
            for y in years:
                row[f"Binnen norm {y}"] = _pct(now.at[y, "aandeel_binnen_norm"])
            row[f"{peak} met uitbreiding"] = _pct(more.at[peak, "aandeel_binnen_norm"])
            row["Fte nu"] = _fte(now["fte_beschikbaar"].mean())
            row[f"Fte nodig {peak} (drukste maand)"] = _fte(now.at[peak, "fte_nodig"])
            rows.append(row)
    return tables.plain(pd.DataFrame(rows), caption="Deel binnen de norm en benodigde formatie (fte)", source=SOURCE)


def wait_table(r: NormResult) -> tables.Table:
    """Expected waits and hang-ups in the peak year with today's capacity."""
    peak = r.peak_year
    t = _yearly(r)
    rows = []
    for code, m in r.municipalities.items():
        part = t.loc[(t["gemeente"] == code) & (t["jaar"] == peak)].set_index("kanaal")
        phone, mail, desk = part.loc["telefoon"], part.loc["email"], part.loc["balie"]
        rows.append({"Gemeente": m.name,
                     "Telefoon: gemiddelde wachttijd (s)": fmt.number(phone["wachttijd"]),
                     "Telefoon: ophangers": _pct(phone["afhaken"]),
                     "E-mail: gemiddeld werkdagen tot antwoord": fmt.number(mail["wachttijd"], 1),
                     "Balie: gemiddeld werkdagen tot afspraak": fmt.number(desk["wachttijd"], 1)
                     if np.isfinite(desk["wachttijd"]) else "onbeperkt (meer aanvragen dan plekken)",
                     "Drukste maand": MONTHS[int(desk["piekmaand"])]})
    return tables.plain(pd.DataFrame(rows), caption=f"Wachttijden in {peak} bij gelijkblijvende capaciteit", source=SOURCE)


def equal_treatment(r: NormResult, s: Session) -> Markdown:
    """Same norms, same method: what differs between the municipalities, per 1,000 inhabitants."""
    ns = r.settings
    t = _yearly(r)
    ref = ns.reference_years[-1]
    lines = []
    for code, m in r.municipalities.items():
        part = t.loc[(t["gemeente"] == code) & (t["jaar"] == ref)].set_index("kanaal")
        lines.append(f"- **{m.name}** ({fmt.number(m.inhabitants)} inwoners, digitaal afgehandeld: "
                     f"{fmt.percent(ns.digital[code])}): telefoon {fmt.number(part.at['telefoon', 'contacten_per_1000'])}, "
                     f"e-mail {fmt.number(part.at['email', 'contacten_per_1000'])} en balie "
                     f"{fmt.number(part.at['balie', 'contacten_per_1000'])} contacten per 1.000 inwoners in {ref}.")
    factor = {code: (1 - ns.digital[code]) / (1 - ns.digital[REFERENCE_GEMEENTE]) for code in r.municipalities}
    other = [c for c in r.municipalities if c != REFERENCE_GEMEENTE]
    gap = "".join(f" Omdat {r.municipalities[c].name} minder digitaal afhandelt, heeft het per inwoner "
                  f"{fmt.percent(factor[c] - 1)} meer telefoon- en e-mailcontacten (en meer baliebezoeken voor overige producten) "
                  f"dan Haarlem." for c in other if factor[c] > 1)
    enough = []
    for m in r.municipalities.values():
        now = m.table.loc[(m.table["scenario"] == SCENARIOS[0]) & (m.table["jaar"] == r.peak_year)].set_index("kanaal")
        for channel in ("balie", "telefoon"):
            if now.at[channel, "fte_beschikbaar"] >= now.at[channel, "fte_nodig"] - 1e-9:
                enough.append(f"{CHANNEL_NAMES[channel]} in {m.name}")
    slack = (f"\n\nVoor {fmt.join(enough)} is de huidige formatie ook in {r.peak_year} genoeg voor de norm in de drukste "
             "maand: een balie of telefoonplek is ondeelbaar, dus een kleine bezetting had in het dal ruimte over. Dat verschil "
             "komt uit de schaal, niet uit een andere behandeling.") if enough else ""
    return Markdown("Beide gemeenten worden met dezelfde normen en dezelfde rekenwijze doorgerekend. Verschillen komen uit de "
                    "bevolking (leeftijdsopbouw: de golf van reisdocumenten) en uit het aandeel digitale afhandeling, een "
                    "expliciete aanname per gemeente." + gap + slack + "\n\n" + "\n".join(lines))


def sensitivity_table(r: NormResult) -> tables.Table | Markdown:
    """Each assumption at the ends of its range: the peak year's share within the norm (today's capacity)."""
    sens = r.sensitivity
    if sens.empty:
        return Markdown("Geen aannames met een bandbreedte.")
    top = sens.sort_values("spreiding", ascending=False).drop_duplicates(["parameter"]).head(8)
    frame = pd.DataFrame({
        "Aanname": top["parameter"].map(lambda k: ASSUMPTIONS.get(k, k)), "Gemeente": top["gemeente"].map(lambda c: r.municipalities[c].name),
        "Kanaal": top["kanaal"].map(CHANNEL_NAMES),
        "Standaard": top["standaard"].map(_pct), "Bij laagste waarde": top["laag"].map(_pct),
        "Bij hoogste waarde": top["hoog"].map(_pct)})
    return tables.plain(frame, caption=f"Gevoeligheid: deel binnen de norm in {r.peak_year} (huidige capaciteit), per aanname "
                        "aan de uiteinden van haar bandbreedte", source=SOURCE)


def monthly_chart(r: NormResult) -> Figure:
    """Share within the norm per month of the peak year with today's capacity: one panel per municipality."""
    peak = r.peak_year
    m = r.monthly.loc[(r.monthly["scenario"] == SCENARIOS[0]) & (r.monthly["maand"].dt.year == peak)]
    styles = {"balie": ("--", "s"), "telefoon": ("-", "o"), "email": (":", "^")}
    fig = Figure(figsize=(9, 3.2))
    axes = fig.subplots(1, len(r.municipalities), sharey=True, squeeze=False)[0]
    for ax, (code, muni) in zip(axes, r.municipalities.items()):
        for channel, (style, marker) in styles.items():
            part = m.loc[(m["gemeente"] == code) & (m["kanaal"] == channel)]
            ax.plot(part["maand"].dt.month, part["aandeel_binnen_norm"], ls=style, marker=marker, ms=3, lw=1.2,
                    color=COLOURS.get(code, "grey"), label=CHANNEL_NAMES[channel])
        ax.axhline(r.settings.target_share, color="black", lw=0.8)
        ax.set_title(f"{muni.name}, {peak}", fontsize=9)
        ax.set_xticks(range(1, 13), [MONTHS[i][:3] for i in range(1, 13)], fontsize=7)
        ax.set_ylim(0, 1.02)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.percent(v)))
        ax.legend(fontsize=7, loc="center left")  # the lines run along the top and the bottom
    axes[0].set_ylabel("deel binnen de norm", fontsize=8)
    fig.tight_layout()
    parts = []
    for code, muni in r.municipalities.items():
        own = m.loc[m["gemeente"] == code].sort_values("aandeel_binnen_norm")
        if len(own):
            low = own.iloc[0]
            parts.append(f"{muni.name}: laagste {CHANNEL_NAMES[low['kanaal']]} in {MONTHS[int(low['maand'].month)]} "
                         f"({_pct(float(low['aandeel_binnen_norm']))})")
    alt = (f"Twee grafieken, Haarlem en Zandvoort, met per maand van {peak} het deel van de contacten binnen de norm bij "
           f"gelijkblijvende capaciteit, per kanaal; de zwarte lijn is de norm van {fmt.percent(r.settings.target_share)}. "
           + "; ".join(parts) + ".")
    return figures.describe(fig, alt=alt, caption=f"Deel binnen de norm per maand in {peak} (huidige capaciteit)", source=SOURCE)


def limitations() -> Markdown:
    """What the models leave out."""
    return Markdown(
        "- Elke maand wordt als een stabiele situatie doorgerekend (gemiddelde aankomsten per uur); pieken binnen de dag "
        "(maandagochtend) maken het beeld slechter dan hier getoond.\n"
        "- Telefoon: bellers hangen op na een exponentieel verdeeld geduld (Erlang A); terugbellen na ophangen is niet "
        "meegeteld, dus het aantal gesprekken in de piek is eerder te laag.\n"
        "- E-mail: wie het eerst komt, het eerst maalt, zonder voorrang; de achterstand schuift door van dag tot dag.\n"
        "- Balie: de wachttijd *met* afspraak (stiptheid, uitloop) is niet gemodelleerd; de tijd tot een vrije afspraak "
        "benadert het afsprakenmodel van hoofdstuk 3 (zware-belasting-benadering van Kingman, in de test vergeleken met de "
        "exacte berekening).\n"
        "- Capaciteit is per kanaal apart; in werkelijkheid schuiven medewerkers tussen kanalen.")
