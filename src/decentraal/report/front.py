"""The committee's front page: the answer in five minutes, built from ``kerncijfers.json``.

Every number on it comes from the run's summary (or the run's parameters and sensitivity
analysis, passed in by the runner in a :class:`~decentraal.report.pages.RunInfo`); none is typed
here. Numbers are rounded as the uncertainty allows (visits to hundreds, euros to two
significant digits) and shown as a range (P10 tot P90) wherever they rest on an assumption.

Order: title block, Kernpunten (4 to 6 bullets), four key figures, the headline map, "Wat weten
we zeker, wat niet", the table of every scenario, then the chapters and the appendices.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from decentraal.report import format as fmt
from decentraal.report import pages as own
from decentraal.report import tables
from decentraal.report.labels import (
    ASSUMPTION_MEANING,
    ASSUMPTIONS,
    FRONT_ASSUMPTION_NAMES,
    FRONT_HEADERS,
    LEVEL_PLURAL,
    MODELS,
    SYNTHETIC_NOTE,
)

#: The scenario the key figures describe: one new counter, placed by p-median.
HEADLINE_MODEL, HEADLINE_K = "pmedian", 1
#: The own pages after the chapters (file, title, one line), in the order of the PDF.
APPENDICES = (
    (own.GLOSSARY_FILE, "Begrippenlijst", "vaktermen in gewone taal"),
    (own.METHOD_FILE, "Verantwoording", "bronnen, rekenstappen en alle aannames met hun bandbreedte"),
    (own.ACCESSIBILITY_FILE, "Toegankelijkheid", "WCAG 2.1 AA: hoe getest, wat (nog) niet werkt"),
    (own.COLOPHON_FILE, "Colofon", "run, datum, versie, gegevens en licentie"),
)
#: Assumptions listed on the front page (those that weigh most in the sensitivity analysis); the rest are in the appendix.
TOP_ASSUMPTIONS = 5
#: A range narrower than this share of its middle value is shown as "ongeveer <P50>".
NARROW = 0.02
#: Source line of the headline map.
MAP_SOURCE = "Bron: CBS (KWB 2024), Kadaster/PDOK; bewerking decentraal"


def _visits(iv: Mapping[str, float]) -> str:
    return fmt.estimate_range(iv["p10"], iv["p90"])


def _euro(iv: Mapping[str, float] | None) -> str:
    return fmt.MISSING if iv is None else fmt.money_range(iv["p10"], iv["p90"])


def _scenario(summary: Mapping[str, Any], model: str, k: int) -> Mapping[str, Any] | None:
    return next((s for s in summary["scenarios"] if s["model"] == model and s["nieuwe_loketten"] == k), None)


def _draws(summary: Mapping[str, Any]) -> int:
    return int(summary.get("onzekerheid", {}).get("trekkingen", 0) or 0)


def _place(locations: Sequence[str]) -> str:
    """'Midden van Te Zaanenkwartier' -> 'Te Zaanenkwartier' (the candidate is the centre of that area)."""
    return fmt.join([loc.removeprefix("Midden van ") for loc in locations])


def _top_areas(summary: Mapping[str, Any]) -> tuple[str, list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """The level ranked first, its areas with the highest index, and the stadsdelen when ranked too."""
    top = summary.get("hoogste_belemmering", [])
    if not top:
        return "", [], []
    level = top[0]["niveau"]
    first = [t for t in top if t["niveau"] == level][:3]
    districts = [t for t in top if t["niveau"] == "stadsdeel" and level != "stadsdeel"]
    return level, first, districts


def _sensitivity(info: own.RunInfo | None) -> list[Mapping[str, Any]]:
    rows = [r for r in (info.sensitivity if info else ()) if r.get("ST") is not None and not pd.isna(r["ST"])]
    return sorted(rows, key=lambda r: -float(r["ST"]))


def _name(key: str) -> str:
    """Short Dutch name of an assumption."""
    return FRONT_ASSUMPTION_NAMES.get(key) or ASSUMPTIONS.get(key, key.replace("_", " "))


def _meaning(key: str, info: own.RunInfo | None) -> str:
    """What an assumption means, in plain Dutch; the amount of the fixed cost comes from the run's parameters."""
    fixed = _parameter(info, "vaste_kosten_per_loket")
    return ASSUMPTION_MEANING.get(key, "").replace("{bedrag}", f" ({fmt.euro(fixed)} per jaar)" if fixed else "")


def _parameter(info: own.RunInfo | None, key: str) -> Any:
    if info is None:
        return None
    return info.parameters.get(key, info.base.get(key, {}).get("waarde"))


#: Every named area at least this often among the highest three: the ranking is called firm ("stevig").
FIRM_TOP3 = 0.8


def _stability(first: Sequence[Mapping[str, Any]]) -> str:
    """'Dat is stevig' only when every named area is among the highest three in most weight variants."""
    if min(t["kans_top3"] for t in first) >= FIRM_TOP3:
        return "Dat is stevig"
    return "Dat is niet voor alle gebieden stevig"


# --------------------------------------------------------------------------- Kernpunten
def kernpunten(summary: Mapping[str, Any], info: own.RunInfo | None = None) -> list[str]:
    """Four to six plain-Dutch bullets (HTML) from the summary; every number from the data, with its range."""
    name = html.escape(summary["gemeentenaam"])
    points: list[str] = []
    level, first, districts = _top_areas(summary)
    if first:
        chance = fmt.percent_range(min(t["kans_top3"] for t in first), max(t["kans_top3"] for t in first))
        text = (f"<b>Waar:</b> mogelijke belemmeringen om de gemeente te bereiken (onder meer veel ouderen, laag inkomen, "
                f"geen auto, ver van het loket) zijn het grootst in de {LEVEL_PLURAL.get(level, level)} "
                f"<b>{html.escape(fmt.join([t['naam'] for t in first]))}</b>. {_stability(first)}: als de gewichten van de "
                f"indicatoren variëren, horen ze in {chance} van de varianten bij de hoogste drie.")
        if districts:
            text += " Per stadsdeel: " + fmt.join([f"{html.escape(t['naam'])} ({fmt.percent(t['kans_top3'])})" for t in districts]) + "."
        points.append(text)
    one = _scenario(summary, HEADLINE_MODEL, HEADLINE_K)
    none = _scenario(summary, HEADLINE_MODEL, 0)
    draws = _draws(summary)
    if one is not None:
        where = html.escape(_place(one["locaties"]))
        sure = (f"in {fmt.percent(one['kans_beste_keuze'])} van {fmt.number(draws)} doorgerekende varianten van de aannames "
                "is dat de beste plek" if draws else "de keuze is nog niet over de onzekere aannames heen doorgerekend")
        text = f"<b>Beste plek voor één extra loket:</b> {where} (kortste gemiddelde afstand voor alle inwoners); {sure}."
        ties = one.get("bijna_even_goed", [])
        if ties:
            text += (" Bijna even goed, binnen de onzekerheid: "
                     + fmt.join([html.escape(_place(t["locaties"])) for t in ties]) + ".")
        if first and not any(t["naam"] in loc for t in first for loc in one["locaties"]):
            text += (f" Die plek ligt niet in de {LEVEL_PLURAL.get(level, level)} met de meeste belemmeringen: de "
                     "rekenmethode zoekt de kortste afstand voor iedereen, niet voor de groepen die het moeilijkst reizen.")
        points.append(text)
        points.append(
            f"<b>Bezoeken en kosten:</b> een nieuw loket trekt naar schatting <b>{_visits(one['bezoeken_nieuwe_loketten_per_jaar'])}</b> "
            f"bezoeken per jaar en kost {name} als geheel <b>{_euro(one['extra_kosten_per_jaar_eur'])}</b> per jaar extra, "
            f"dat is <b>{_euro(one['kosten_per_bezoek_eur'])}</b> per bezoek aan het nieuwe loket (bandbreedte P10 tot P90)."
        )
        most = _sensitivity(info)
        key = str(most[0]["parameter"]) if most else summary.get("onzekerheid", {}).get("belangrijkste_aanname")
        if key:
            share = (f" Die vraag verklaart ongeveer {fmt.percent(max(float(most[0]['ST']), 0.0))} van de onzekerheid in de "
                     "kosten per bezoek." if most else "")
            meaning = _meaning(key, info) or _name(key)
            points.append(f"<b>Grootste onzekerheid:</b> {html.escape(meaning)}{share} Een antwoord daarop maakt de "
                          "bandbreedte van de kosten veel kleiner.")
    if one is not None and none is not None:
        d0, d1 = none["gemiddelde_afstand_km"], one["gemiddelde_afstand_km"]
        points.append(
            f"<b>Afstand:</b> met één extra loket daalt de gemiddelde afstand tot het dichtstbijzijnde loket (hemelsbreed) "
            f"van {fmt.km(d0['inwoners'])} naar {fmt.km(d1['inwoners'])} voor alle inwoners en van {fmt.km(d0['65plus'])} "
            f"naar {fmt.km(d1['65plus'])} voor 65-plussers."
        )
    norms = servicenorm_sentence(summary)
    if norms:
        points.append(norms)
    demand = _demand_sentence(summary)
    if demand and len(points) < 6:
        points.append(demand)
    return points[:6]


def _demand_sentence(summary: Mapping[str, Any]) -> str:
    years = {row["jaar"]: row["bezoeken"] for row in summary.get("vraag_per_jaar", [])}
    mid = {y: v["p50"] for y, v in years.items()}
    trough = min((y for y in mid if 2019 <= y <= 2023), key=mid.get, default=None)
    peak = max((y for y in mid if 2024 <= y <= 2029), key=mid.get, default=None)
    later = min((y for y in mid if y >= 2030), key=mid.get, default=None)
    if None in (trough, peak, later):
        return ""

    def v(y: int) -> str:
        iv = years[y]
        narrow = iv["p50"] and (iv["p90"] - iv["p10"]) / iv["p50"] < NARROW
        return f"ongeveer {fmt.estimate(iv['p50'])}" if narrow else _visits(iv)

    return (f"<b>De vraag golft</b> mee met de vervanging van paspoorten en identiteitskaarten: {v(trough)} loketbezoeken "
            f"in dal-jaar {trough}, {v(peak)} in piekjaar {peak} en weer {v(later)} in {later}. Een nieuw loket moet zowel "
            "de piek als het dal aankunnen.")


#: Channel of chapter 04 -> Dutch name on the front page.
CHANNELS = {"balie": "balie", "telefoon": "telefoon", "email": "e-mail"}
#: The scenario of chapter 04 that keeps today's staff.
TODAY = "huidige_capaciteit"


def _servicenorm_channels(summary: Mapping[str, Any]) -> tuple[int | None, list[dict[str, Any]]]:
    """The peak year and, per channel of this municipality, the share within the norm with today's staff and its range.

    Reads the ``servicenormen`` part of kerncijfers.json (chapter 04); ``(None, [])`` when the run has none.
    """
    part = summary.get("servicenormen")
    if not isinstance(part, Mapping):
        return None, []
    areas = [g for g in part.get("gemeenten", []) if g.get("gemeente") == summary.get("gemeente")] or part.get("gemeenten", [])[:1]
    out = []
    for channel in (areas[0].get("kanalen", []) if areas else []):
        share = channel.get("aandeel_binnen_norm_piekjaar", {}).get(TODAY)
        if share is None:
            continue
        bereik = channel.get("aandeel_binnen_norm_piekjaar_bereik") or {}
        out.append({"naam": CHANNELS.get(channel.get("kanaal"), str(channel.get("kanaal"))), "aandeel": float(share),
                    "laag": float(bereik.get("laag", share)), "hoog": float(bereik.get("hoog", share)),
                    "norm": str(channel.get("norm", "")), "fte_nu": channel.get("fte_huidig"),
                    "fte_nodig": channel.get("fte_nodig_piekjaar")})
    return part.get("piekjaar"), out


def _share_range(c: Mapping[str, Any]) -> str:
    return fmt.percent_range(c["laag"], c["hoog"])


def servicenorm_sentence(summary: Mapping[str, Any]) -> str:
    """The key finding of chapter 04 (service norms) when the run has it, else ''."""
    peak, channels = _servicenorm_channels(summary)
    if not channels:
        return ""
    listed = fmt.join([f"{html.escape(c['naam'])} {_share_range(c)}" for c in channels])
    worst = min(channels, key=lambda c: c["aandeel"])
    staff = ""
    if worst["fte_nu"] is not None and worst["fte_nodig"] is not None:
        staff = (f" Voor de {html.escape(worst['naam'])} is in dat jaar {fmt.number(worst['fte_nodig'], 1)} fte nodig, nu "
                 f"{fmt.number(worst['fte_nu'], 1)} fte.")
    return (f"<b>Servicenormen:</b> met de huidige formatie wordt in piekjaar {peak} binnen de norm geholpen: {listed} van "
            f"de contacten (bandbreedte over de onzekere aannames).{staff}")


# --------------------------------------------------------------------------- key figures
def _card(title: str, big: str, *lines: str) -> str:
    return (f"<div class='kerncijfer'><h3>{html.escape(title)}</h3><p class='groot'>{big}</p>"
            + "".join(f"<p>{line}</p>" for line in lines if line) + "</div>")


def key_figures(summary: Mapping[str, Any]) -> str:
    """Four cards: where the barriers are and how stable; visits; extra cost; change in distance."""
    cards = []
    level, first, _ = _top_areas(summary)
    if first:
        chance = fmt.percent_range(min(t["kans_top3"] for t in first), max(t["kans_top3"] for t in first))
        cards.append(_card("Meeste mogelijke belemmeringen", html.escape(fmt.join([t["naam"] for t in first])),
                           f"De drie {LEVEL_PLURAL.get(level, level)} met de hoogste index.",
                           f"{_stability(first)}: in {chance} van de varianten van de gewichten bij de hoogste drie."))
    one = _scenario(summary, HEADLINE_MODEL, HEADLINE_K)
    none = _scenario(summary, HEADLINE_MODEL, 0)
    if one is not None:
        cards.append(_card("Bezoeken per jaar aan een nieuw loket", _visits(one["bezoeken_nieuwe_loketten_per_jaar"]),
                           f"Eén extra loket in {html.escape(_place(one['locaties']))}.",
                           "Bandbreedte P10 tot P90, afgerond op honderdtallen."))
        cards.append(_card("Extra kosten per jaar", _euro(one["extra_kosten_per_jaar_eur"]),
                           f"Per bezoek aan het nieuwe loket: <b>{_euro(one['kosten_per_bezoek_eur'])}</b>.",
                           "Voor de gemeente als geheel; onzeker vooral door de vraag of de vaste kosten het personeel omvatten."))
    if one is not None and none is not None:
        d0, d1 = none["gemiddelde_afstand_km"], one["gemiddelde_afstand_km"]
        change = fmt.number(d1["inwoners"] - d0["inwoners"], 1).replace("-", "−")
        change65 = fmt.number(d1["65plus"] - d0["65plus"], 1).replace("-", "−")
        cards.append(_card("Gemiddelde afstand tot een loket", f"{fmt.km(d0['inwoners'])} → {fmt.km(d1['inwoners'])}",
                           f"Alle inwoners: {change} km met één extra loket.",
                           f"65-plussers: {fmt.km(d0['65plus'])} → {fmt.km(d1['65plus'])} ({change65} km). Hemelsbreed."))
    peak, channels = _servicenorm_channels(summary)
    if channels:
        worst = min(channels, key=lambda c: c["aandeel"])
        cards.append(_card(f"Binnen de servicenorm in {peak}", f"{html.escape(worst['naam'])}: {_share_range(worst)}",
                           f"Norm: {html.escape(worst['norm'])}." if worst["norm"] else "",
                           *(f"{html.escape(c['naam'])}: {_share_range(c)}" for c in channels if c is not worst),
                           "Met de huidige formatie; bandbreedte over de onzekere aannames."))
    return "<div class='kerncijfers'>" + "".join(cards) + "</div>" if cards else ""


# --------------------------------------------------------------------------- headline map
def map_description(summary: Mapping[str, Any]) -> str:
    """Alt text of the headline map, from the data it shows."""
    level, first, _ = _top_areas(summary)
    where = f" Het hoogst is de index in {fmt.join([t['naam'] for t in first])}." if first else ""
    return (f"Kaart van {summary['gemeentenaam']} per {level or 'gebied'} met de belemmeringsindex: hoe donkerder, hoe "
            f"meer mogelijke belemmeringen.{where} Een ster geeft het bestaande loket aan.")


def headline_map(summary: Mapping[str, Any], png: bytes | None, *, number: int = 1) -> str:
    """The headline map as an embedded PNG with a numbered caption, alt text and source line ('' without a PNG)."""
    if not png:
        return ""
    level, _, _ = _top_areas(summary)
    one = _scenario(summary, HEADLINE_MODEL, HEADLINE_K)
    proposal = (f" De beste plek voor één extra loket volgens de berekening is {html.escape(_place(one['locaties']))}."
                if one is not None else "")
    data = base64.b64encode(png).decode("ascii")
    return (f"<figure class='hoofdkaart'><img src='data:image/png;base64,{data}' alt='{html.escape(map_description(summary), quote=True)}'>"
            f"<figcaption><b>Figuur {number}. Waar wonen de mensen met mogelijk de meeste moeite om de gemeente te "
            f"bereiken?</b> Belemmeringsindex per {html.escape(level or 'gebied')} (gelijke gewichten; uitleg in "
            f"<a href='{own.GLOSSARY_FILE}#index'>de begrippenlijst</a>).{proposal} {html.escape(MAP_SOURCE)}.</figcaption></figure>")


# --------------------------------------------------------------------------- what we know
def certainty_section(summary: Mapping[str, Any], info: own.RunInfo | None, numbering: tables.Numbering) -> str:
    """'Wat weten we zeker, wat niet': what rests on public sources, and every assumption with its range."""
    sure = [
        "Hoeveel inwoners, 65-plussers en huishoudens er per buurt en wijk wonen, en hun inkomen en autobezit "
        "(CBS, Kerncijfers wijken en buurten; aantallen door het CBS afgerond).",
        "Waar het loket nu staat en hoe ver iedereen ervan af woont (hemelsbreed, vanaf het midden van de buurt).",
    ]
    rate, fixed = _parameter(info, "bezoeken_per_inwoner_per_jaar"), _parameter(info, "vaste_kosten_per_loket")
    if rate and fixed:
        sure.append(f"Het bezoekcijfer (één loketbezoek per inwoner per {fmt.number(1 / float(rate))} jaar) en de vaste kosten "
                    f"van een nieuw loket ({fmt.euro(fixed)} per jaar) komen uit de informatienota 2021/547821.")
    rows = []
    ranked = _sensitivity(info)
    keys = [str(r["parameter"]) for r in ranked] or [k for k, e in (info.base if info else {}).items()
                                                       if e.get("bereik") and e.get("groep") == "loketten"]
    weight = {str(r["parameter"]): max(float(r["ST"]), 0.0) for r in ranked}
    for key in keys:
        entry = info.base.get(key, {}) if info else {}
        rows.append({
            "aanname": _name(key),
            "wat het betekent": _meaning(key, info),
            "gebruikt": fmt.quantity(_parameter(info, key), entry.get("eenheid", "-")) if entry else fmt.MISSING,
            "bandbreedte": own._bereik(entry) if entry else fmt.MISSING,
            **({"deel van de onzekerheid": fmt.percent(weight[key])} if weight else {}),
        })
    rest = rows[TOP_ASSUMPTIONS:] if weight else []
    rows = rows[:TOP_ASSUMPTIONS] if weight else rows
    top = ""
    if ranked:
        key = str(ranked[0]["parameter"])
        top = (f"<p>Het meest bepalend voor de kosten per bezoek is <b>{html.escape(_name(key))}</b>: "
               f"die aanname verklaart ongeveer {fmt.percent(weight[key])} van de onzekerheid (<a href='{own.GLOSSARY_FILE}#sobol'>"
               "Sobol-index</a>). De andere aannames verschuiven de uitkomst binnen hun bandbreedte weinig.</p>")
    elif summary.get("onzekerheid", {}).get("belangrijkste_aanname"):
        key = str(summary["onzekerheid"]["belangrijkste_aanname"])
        top = f"<p>Het meest bepalend voor de kosten per bezoek is <b>{html.escape(_name(key))}</b>.</p>"
    table = ""
    if rows:
        shown = [r for r in rows if r["wat het betekent"]] or rows
        table = tables.plain(pd.DataFrame(shown), caption="Onzekere aannames: waarde in deze berekening en bandbreedte",
                             numbering=numbering,
                             source="Bron: aannames van deze run (Verantwoording); gevoeligheidsanalyse decentraal").to_html()
    if rest:
        table += (f"<p>De andere {fmt.number(len(rest))} aannames verklaren elk hooguit "
                  f"{fmt.percent(max(weight[k] for k in keys[TOP_ASSUMPTIONS:]))} van de onzekerheid van de kosten per bezoek; "
                  f"ze staan met hun bandbreedte in de <a href='{own.METHOD_FILE}#aannames'>Verantwoording</a>.</p>")
    draws = _draws(summary)
    how = (f"<p>Alle aannames zijn samen {fmt.number(draws)} keer binnen hun bandbreedte gevarieerd (<a href='{own.GLOSSARY_FILE}#monte-carlo'>"
           "Monte Carlo</a>); de bandbreedtes op deze pagina lopen van P10 tot P90 van die varianten.</p>" if draws else "")
    return ("<section class='zeker-blok' aria-labelledby='zeker'><h2 id='zeker'>Wat weten we zeker, wat niet</h2>"
            "<h3>Vrij zeker: openbare bronnen en rekenwerk</h3><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in sure) + "</ul>"
            "<h3>Onzeker: aannames met een bandbreedte</h3>"
            "<p>Voor een aantal getallen bestaat geen openbaar cijfer. Ze zijn gekozen en gevarieerd; de gemeente kan ze "
            f"vervangen door eigen cijfers (alle aannames staan in de <a href='{own.METHOD_FILE}#aannames'>Verantwoording</a>).</p>"
            + how + top + table + "</section>")


# --------------------------------------------------------------------------- scenario table
def scenario_table(summary: Mapping[str, Any], numbering: tables.Numbering) -> str:
    """Every scenario with new counters: model, sites, chance best choice, visits, cost, distance."""
    draws = _draws(summary)
    rows = []
    for s in summary["scenarios"]:
        if s["nieuwe_loketten"] == 0:
            continue
        rows.append(dict(zip(FRONT_HEADERS, [
            MODELS.get(s["model"], s["model"]), str(s["nieuwe_loketten"]), _place(s["locaties"]),
            fmt.percent(s["kans_beste_keuze"]) if draws else fmt.MISSING, _visits(s["bezoeken_nieuwe_loketten_per_jaar"]),
            _euro(s["extra_kosten_per_jaar_eur"]), _euro(s["kosten_per_bezoek_eur"]), fmt.number(s["gemiddelde_afstand_km"]["inwoners"], 1),
        ])))
    if not rows:
        return ""
    table = tables.plain(pd.DataFrame(rows), caption="Alle doorgerekende varianten: extra loketten per rekenmethode",
                         numbering=numbering, source="Bron: CBS (KWB 2024), Kadaster/PDOK, informatienota 2021/547821 en "
                         "aannames; bewerking decentraal")
    return ("<section aria-labelledby='varianten'><h2 id='varianten'>Alle doorgerekende varianten</h2>" + table.to_html() +
            "<p class='noot'>Bezoeken afgerond op honderdtallen, bedragen op twee significante cijfers; een bereik loopt van "
            "P10 tot P90 van de doorgerekende varianten. Afstanden hemelsbreed. De rekenmethoden (<a href='"
            f"{own.GLOSSARY_FILE}#p-median'>p-median</a>, <a href='{own.GLOSSARY_FILE}#maximale-dekking'>maximale dekking</a>) "
            "staan in de begrippenlijst.</p></section>")


# --------------------------------------------------------------------------- the page
def title_block(summary: Mapping[str, Any], title: str, info: own.RunInfo | None) -> str:
    meta = []
    if info is not None:
        meta.append(html.escape(fmt.date(info.date)))
        meta.append(f"versie {html.escape(info.code_version)}")
    meta.append(f"run {html.escape(summary['run_id'])}")
    if info is not None and info.contact:
        meta.append(f"contact: {html.escape(info.contact)}")
    return (f"<h1>{html.escape(title)}</h1><p class='meta'>Onderzoek naar extra loketten in {html.escape(summary['gemeentenaam'])}, "
            "voor de commissie. " + " · ".join(meta) + "</p>")


def front_page(summary: Mapping[str, Any], pages: Sequence[tuple[str, str, str]], *, title: str,
               info: own.RunInfo | None = None, headline_png: bytes | None = None) -> str:
    """The run's ``index.html``: the answer, how sure it is, and links to the chapters and appendices.

    ``pages`` are the chapters ``(file, title, one line)``; ``info`` the run's facts (date, version,
    parameters, sensitivity analysis), ``headline_png`` the headline map (both passed by the runner).
    """
    numbering = tables.Numbering()
    parts = [title_block(summary, title, info)]
    if summary.get("synthetisch"):
        parts.append(f'<p class="synthetisch">{html.escape(SYNTHETIC_NOTE)}</p>')
    points = kernpunten(summary, info)
    parts.append("<section class='kernpunten' aria-labelledby='kernpunten'><h2 id='kernpunten'>Kernpunten</h2><ul>"
                 + "".join(f"<li>{p}</li>" for p in points) + "</ul></section>")
    figures = key_figures(summary) + headline_map(summary, headline_png)
    if figures:
        parts.append(f"<section class='kerncijfers-blok' aria-labelledby='kerncijfers'><h2 id='kerncijfers'>Kerncijfers</h2>"
                     f"{figures}</section>")
    parts.append(certainty_section(summary, info, numbering))
    parts.append(scenario_table(summary, numbering))
    chapters = "".join(f'<li><a href="{html.escape(h)}">{html.escape(n)}</a>: {html.escape(d)}</li>' for h, n, d in pages)
    appendices = "".join(f'<li><a href="{html.escape(h)}">{html.escape(n)}</a>: {html.escape(d)}</li>' for h, n, d in APPENDICES)
    parts.append(f"<section aria-labelledby='hoofdstukken'><h2 id='hoofdstukken'>Hoofdstukken</h2><ol>{chapters}</ol>"
                 f"<h3>Bijlagen</h3><ul>{appendices}</ul></section>")
    parts.append(
        "<p class='noot'>Tabellen (CSV en Excel), kaartlagen (GeoPackage) en figuren staan naast deze map; "
        "<code>kerncijfers.json</code> bevat alle getallen van deze pagina, <code>manifest.json</code> beschrijft de run.</p>"
    )
    return own.page(title, "".join(p for p in parts if p), css_class="index")
