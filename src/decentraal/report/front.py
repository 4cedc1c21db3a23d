"""The committee's front page: the answer in five minutes, built from ``kerncijfers.json``.

Every number on it comes from the run's summary (no number typed here), is rounded as the
uncertainty allows (visits to hundreds, euros to two significant digits) and is shown as a
range wherever it rests on an assumption.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from decentraal.io import assets
from decentraal.report import format as fmt
from decentraal.report.labels import ASSUMPTIONS, MODELS, SYNTHETIC_NOTE


def _visits(iv: Mapping[str, float]) -> str:
    return fmt.interval(fmt.rounded(iv["p10"], 100), fmt.rounded(iv["p90"], 100), fmt.number)


def _euro(iv: Mapping[str, float] | None) -> str:
    if iv is None:
        return fmt.MISSING
    return fmt.interval(fmt.significant(iv["p10"]), fmt.significant(iv["p90"]), fmt.euro)


def _scenario(summary: Mapping[str, Any], model: str, k: int) -> Mapping[str, Any] | None:
    return next((s for s in summary["scenarios"] if s["model"] == model and s["nieuwe_loketten"] == k), None)


def _how_sure(summary: Mapping[str, Any], scenario: Mapping[str, Any]) -> str:
    draws = int(summary.get("onzekerheid", {}).get("trekkingen", 0))
    if not draws:
        return "de locatiekeuze is nog niet over de onzekere aannames heen doorgerekend"
    return (f"in {fmt.percent(scenario['kans_beste_keuze'])} van {fmt.number(draws)} doorgerekende varianten van de "
            "aannames de beste keuze")


def _demand_sentence(summary: Mapping[str, Any]) -> str:
    years = {row["jaar"]: row["bezoeken"]["p50"] for row in summary["vraag_per_jaar"]}
    trough = min((y for y in years if 2019 <= y <= 2023), key=years.get, default=None)
    peak = max((y for y in years if 2024 <= y <= 2029), key=years.get, default=None)
    later = min((y for y in years if y >= 2030), key=years.get, default=None)
    if None in (trough, peak, later):
        return ""
    return (
        f"De vraag aan het loket golft mee met de vervanging van paspoorten en identiteitskaarten (sinds 2014 tien "
        f"jaar geldig): ongeveer {fmt.number(fmt.rounded(years[trough], 100))} bezoeken in dal-jaar {trough}, "
        f"{fmt.number(fmt.rounded(years[peak], 100))} in piekjaar {peak} en weer "
        f"{fmt.number(fmt.rounded(years[later], 100))} in {later}. Een loket is een besluit voor tien jaar: "
        "het moet zowel de piek als het dal aankunnen."
    )


def front_page(summary: Mapping[str, Any], pages: Sequence[tuple[str, str, str]], *, title: str) -> str:
    """The run's ``index.html``: the answer, how sure it is, and links to the chapters."""
    name = html.escape(summary["gemeentenaam"])
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if summary.get("synthetisch"):
        parts.append(f'<p class="synthetisch">{html.escape(SYNTHETIC_NOTE)}</p>')
    one = _scenario(summary, "pmedian", 1)
    draws = int(summary.get("onzekerheid", {}).get("trekkingen", 0))

    def chance(s: Mapping[str, Any]) -> str:
        return fmt.percent(s["kans_beste_keuze"]) if draws else fmt.MISSING

    rows = []
    for s in summary["scenarios"]:
        if s["nieuwe_loketten"] == 0:
            continue
        rows.append(
            f"<tr><td class='tekst'>{html.escape(MODELS.get(s['model'], s['model']))}</td><td>{s['nieuwe_loketten']}</td>"
            f"<td class='tekst'>{html.escape(fmt.join(s['locaties']))}</td><td>{chance(s)}</td>"
            f"<td class='getal'>{_visits(s['bezoeken_nieuwe_loketten_per_jaar'])}</td>"
            f"<td class='getal'>{_euro(s['extra_kosten_per_jaar_eur'])}</td>"
            f"<td class='getal'>{_euro(s['kosten_per_bezoek_eur'])}</td><td class='getal'>"
            f"{fmt.km(s['gemiddelde_afstand_km']['inwoners'])}</td></tr>"
        )
    answer = []
    if one is not None:
        answer.append(
            f"<p class='antwoord'>Eén extra loket in {name} komt het best in <b>{html.escape(fmt.join(one['locaties']))}</b> "
            f"(kortste gemiddelde afstand; {_how_sure(summary, one)}). Het trekt naar schatting <b>{_visits(one['bezoeken_nieuwe_loketten_per_jaar'])}</b> bezoeken per jaar "
            f"en kost de gemeente als geheel <b>{_euro(one['extra_kosten_per_jaar_eur'])}</b> per jaar extra, "
            f"<b>{_euro(one['kosten_per_bezoek_eur'])}</b> per bezoek aan het nieuwe loket.</p>"
        )
        ties = one.get("bijna_even_goed", [])
        if ties:
            listed = fmt.join([html.escape(fmt.join(t["locaties"])) + f" (+{fmt.number(100 * t['verschil'], 1)}%)" for t in ties])
            answer.append(
                f"<p>Bijna even goed (gemiddelde afstand hooguit enkele procenten langer): {listed}. Zulke verschillen "
                "vallen binnen de onzekerheid van de aannames; het model kan tussen deze locaties niet scherp kiezen.</p>"
            )
        answer.append(
            "<p>De bandbreedte van de kosten komt vooral uit één open vraag: of de ruim 400.000 euro per jaar uit de "
            "informatienota het personeel van het loket al omvat (onderkant) of niet (bovenkant). Het centrale loket "
            "heeft minder balies nodig als bezoekers naar het nieuwe loket gaan; dat is verrekend.</p>"
        )
        most = summary.get("onzekerheid", {}).get("belangrijkste_aanname")
        if most:
            answer.append(f"<p>De aanname die de kosten per bezoek het meest bepaalt (gevoeligheidsanalyse): "
                          f"{html.escape(ASSUMPTIONS.get(str(most), str(most)))} (<code>{html.escape(str(most))}</code>).</p>")
    demand = _demand_sentence(summary)
    if demand:
        answer.append(f"<p>{html.escape(demand)}</p>")
    top = summary.get("hoogste_belemmering", [])
    if top:
        first_level = top[0]["niveau"]
        listed = fmt.join([f"{html.escape(t['naam'])} ({fmt.percent(t['kans_top3'])})" for t in top if t["niveau"] == first_level][:3])
        districts = [t for t in top if t["niveau"] == "stadsdeel" and first_level != "stadsdeel"]
        per_district = ("" if not districts else " Per stadsdeel, waar de commissie naar vroeg: "
                        + fmt.join([f"{html.escape(t['naam'])} ({fmt.percent(t['kans_top3'])})" for t in districts]) + ".")
        answer.append(
            f"<p>Mogelijke belemmeringen (ouderen, laag inkomen, gezondheid, herkomst, geen auto, afstand) zijn het grootst in "
            f"{listed}; tussen haakjes hoe vaak het gebied bij de hoogste drie hoort als de gewichten variëren."
            f"{per_district}</p>"
        )
    parts.append("<section class='samenvatting'><h2>Het antwoord in het kort</h2>" + "".join(answer) + "</section>")
    if rows:
        parts.append(
            "<h2>Alle doorgerekende varianten</h2><table class='dataframe'><thead><tr><th>model</th><th>nieuw</th>"
            "<th>locaties</th><th>kans beste keuze</th><th>bezoeken per jaar</th><th>extra kosten per jaar</th>"
            "<th>per bezoek</th><th>gem. afstand</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            "<p class='noot'>Bezoeken afgerond op honderdtallen, bedragen op twee significante cijfers; een bereik loopt van "
            "de lage tot de hoge waarde van de doorgerekende varianten (P10 tot P90 waar de onzekerheidsanalyse ze geeft). "
            "Afstanden hemelsbreed.</p>"
        )
    links = "".join(f'<li><a href="{html.escape(h)}">{html.escape(n)}</a>: {html.escape(d)}</li>' for h, n, d in pages)
    parts.append(f"<h2>Onderbouwing</h2><ol>{links}</ol>")
    parts.append(
        f"<p class='noot'>Run <code>{html.escape(summary['run_id'])}</code>. Tabellen (CSV en Excel), kaartlagen "
        "(GeoPackage) en figuren staan naast deze map; <code>kerncijfers.json</code> bevat alle getallen van deze pagina, "
        "<code>manifest.json</code> beschrijft de run.</p>"
    )
    css = assets.text("committee.css")
    return (f'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{css}</style></head><body><main class='index'>{''.join(parts)}</main></body></html>")
