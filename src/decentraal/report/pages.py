"""The report's own pages besides the chapters: Begrippenlijst, Verantwoording, Toegankelijkheid, Colofon.

Each function returns a whole HTML page (``lang="nl"``, a ``<title>``, one ``<main>``, the
committee stylesheet) as text; the runner writes them next to the chapters and prints them into
the PDF after the chapters. Nothing here reads a file: the run's facts come in as a
:class:`RunInfo` that the runner fills from the manifest, the raw-data registry and
``configs/base.yaml``.

Chapters link a term with :func:`term_link` (``begrippen.html#lisa``).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from decentraal.io import assets
from decentraal.report import format as fmt
from decentraal.report import tables
from decentraal.report.labels import PARAMETER_NAMES

GLOSSARY_FILE = "begrippen.html"
METHOD_FILE = "verantwoording.html"
ACCESSIBILITY_FILE = "toegankelijkheid.html"
COLOPHON_FILE = "colofon.html"
#: Licence of the open data used (CBS, PDOK, Politie, RIVM), named on every page that shows them.
DATA_LICENCE = "CC BY 4.0 (Creative Commons Naamsvermelding 4.0)"
#: Parameters of the run that are plumbing, not choices a reader weighs (left out of the assumption table).
TECHNICAL = {"naam", "seed", "basiskaart", "bezoeken_bestand", "kandidaten_bestand", "contacten_bestand",
             "bezetting_bestand", "vraagbron", "glm_familie"}


@dataclass(frozen=True)
class RunInfo:
    """What the own pages say about the run (filled by the runner; nothing here reads a file).

    Attributes
    ----------
    run_id, date, code_version
        The run folder's name, when the run started, and ``git describe`` of the code.
    municipality
        Name of the municipality (Haarlem, Zandvoort).
    sources
        Rows ``{bestand, bron, jaar}`` of the raw-data registry (attribution per file).
    parameters
        The run's parameter values.
    base
        ``configs/base.yaml``: per parameter ``waarde, eenheid, bron, bereik, uitleg, groep``.
    sensitivity
        Rows ``{parameter, ST}`` of the Sobol analysis of the cost per visit (may be empty).
    contact
        Who answers questions about the report, when the config names one (None: not shown).
    """

    run_id: str
    date: dt.datetime
    code_version: str
    municipality: str
    sources: Sequence[Mapping[str, Any]] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    base: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sensitivity: Sequence[Mapping[str, Any]] = ()
    contact: str | None = None


def page(title: str, body: str, *, css_class: str = "bijlage") -> str:
    """A whole committee page: Dutch, titled, the committee stylesheet, the body in ``<main>``."""
    css = assets.text("committee.css")
    return (f'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{css}{PAGE_STYLE}</style></head>"
            f"<body><main class='{css_class}'>{body}</main></body></html>")


#: Styles of the own pages (glossary entries, cards of the front page), on top of committee.css.
PAGE_STYLE = (
    "dl.begrippen dt{font-weight:bold;margin-top:.8em}dl.begrippen dd{margin:0 0 0 1.2em}"
    ".terug{font-size:13px}p.meta{color:#4a4a4a;margin-top:0}"
    ".kerncijfers{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:12px;margin:12px 0}"
    ".kerncijfer{border:1px solid #c9c9c9;border-top:4px solid #7a1f2b;padding:8px 12px;background:#fff}"
    ".kerncijfer h3{font-size:15px;margin:0 0 4px;color:#1d1d1d}.kerncijfer .groot{font-size:19px;font-weight:bold;"
    "margin:2px 0;color:#7a1f2b}.kerncijfer p{margin:2px 0;font-size:13.5px}"
    ".kernpunten{background:#eef5ee;border-left:4px solid #2f6b2f;padding:6px 14px 8px}"
    ".kernpunten li{margin:6px 0}figure.hoofdkaart{margin:16px 0}figure.hoofdkaart img{max-width:100%;height:auto;"
    "border:1px solid #ddd}figure.hoofdkaart figcaption{font-size:13.5px}"
    "@media print{.kerncijfers{grid-template-columns:repeat(3,1fr);gap:8px}.kerncijfer p{font-size:9pt}.kerncijfers,.kerncijfer,.kernpunten,figure.hoofdkaart"
    "{break-inside:avoid}figure.hoofdkaart img{max-height:100mm;width:auto}"
    "section.kerncijfers-blok,section.zeker-blok{break-before:page}}"
)


def back_link() -> str:
    return "<p class='terug'><a href='index.html'>Terug naar de voorpagina</a></p>"


# --------------------------------------------------------------------------- Begrippenlijst
#: (anchor, term, plain Dutch explanation, other anchors that point here)
GLOSSARY: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("aanname", "Aanname",
     "Een getal dat niet uit een openbare bron komt maar is gekozen, omdat het echte cijfer (nog) niet bekend is. Elke "
     "aanname heeft een bandbreedte en staat in de Verantwoording; de gemeente kan haar vervangen door een eigen cijfer.", ()),
    ("bandbreedte", "Bandbreedte",
     "Het gebied waarbinnen een uitkomst waarschijnlijk ligt, gegeven wat we niet zeker weten. In dit rapport meestal "
     "van P10 tot P90: in 8 van de 10 doorgerekende varianten ligt de uitkomst daartussen.", ("marge",)),
    ("buurt", "Buurt, wijk, stadsdeel",
     "De gebiedsindeling van het CBS: een gemeente bestaat uit wijken, een wijk uit buurten. Haarlem telt ook stadsdelen "
     "(zoals Schalkwijk, Noord, Oost); die indeling is voor dit rapport samengesteld uit openbare bronnen en is geen "
     "officiële CBS-tabel.", ("wijk", "stadsdeel")),
    ("cbs-tekens", "CBS-tekens in tabellen",
     "Een punt (.) betekent dat een gegeven ontbreekt of onbekend is; een x dat het geheim is (niet getoond om personen "
     "te beschermen); een streepje (-) dat het precies nul is.", ("tekens",)),
    ("dirichlet", "Dirichlet-verdeling",
     "Een manier om toevallige gewichten te trekken die samen altijd 100% zijn. Zo is nagegaan of de rangorde van de "
     "gebieden verandert als de gewichten van de indicatoren iets anders worden gekozen.", ()),
    ("erlang-a", "Erlang A",
     "Een wachtrijmodel zoals Erlang C, maar waarin wachtenden na een tijd afhaken (ophangen aan de telefoon). Daarmee "
     "is te schatten hoeveel bellers binnen de norm geholpen worden en hoeveel het opgeven.", ()),
    ("erlang-c", "Erlang C",
     "Een klassiek wachtrijmodel: uit het aantal bezoekers per uur, de duur van een bezoek en het aantal balies volgt "
     "hoe lang mensen gemiddeld wachten en welk deel binnen de wachtnorm geholpen wordt.", ("wachtrij",)),
    ("fdr", "FDR (false discovery rate)",
     "Een correctie voor het doen van veel toetsen tegelijk. Wie honderd buurten apart toetst, vindt door toeval altijd "
     "wel een paar 'bijzondere'; de FDR-correctie houdt het aandeel valse meldingen onder de 5%.", ()),
    ("gewicht", "Gewicht",
     "Hoe zwaar een indicator meetelt in de belemmeringsindex. Standaard tellen alle indicatoren even zwaar; dat is een "
     "keuze, geen feit. De gewichten staan in de tabellen van hoofdstuk 2.", ()),
    ("hemelsbreed", "Hemelsbreed",
     "Afstand in een rechte lijn, vanaf het midden van de buurt waar iemand woont. De werkelijke reisafstand over de weg "
     "is langer.", ()),
    ("huff", "Zwaartekrachtmodel (Huff)",
     "Een keuzeregel waarin mensen niet altijd naar het dichtstbijzijnde loket gaan: de kans dat iemand een loket kiest "
     "daalt met de afstand en stijgt met de openingsuren. Het tegenovergestelde is de regel 'iedereen naar het "
     "dichtstbijzijnde loket'.", ("zwaartekrachtmodel",)),
    ("empirisch-bayes", "Empirisch-Bayes-aandeel",
     "Een aandeel dat voor een buurt met weinig inwoners naar het gemiddelde wordt getrokken, omdat het daar sterker door "
     "toeval schommelt. Zo tellen kleine buurten minder zwaar bij het zoeken naar clusters.", ()),
    ("hoofdcomponent", "Hoofdcomponent",
     "Een gemeenschappelijke lijn in de indicatoren. Als de eerste hoofdcomponent een groot deel van de spreiding "
     "verklaart, meten de indicatoren grotendeels hetzelfde.", ("pca",)),
    ("index", "Belemmeringsindex",
     "Eén getal per gebied dat de indicatoren samenvat: het gewogen gemiddelde van hun z-scores. Hoger betekent meer "
     "mogelijke belemmeringen om de gemeente te bereiken. Het is een aanwijzing, geen meting van werkelijke problemen.", ()),
    ("indicator", "Indicator",
     "Een kenmerk van een gebied dat kan wijzen op moeite om de gemeente te bereiken, zoals het aandeel 65-plussers, het "
     "inkomen of de afstand tot het loket.", ()),
    ("kwb", "KWB",
     "Kerncijfers wijken en buurten: de jaarlijkse CBS-tabel met cijfers per gemeente, wijk en buurt (hier 2024, tabel "
     "85984NED).", ()),
    ("lisa", "LISA en hotspot",
     "LISA (lokale indicator van ruimtelijke samenhang) zoekt per buurt of hoge of lage waarden samen met die van de "
     "buren een cluster vormen: een hotspot (hoog bij hoog) of een coldspot (laag bij laag).", ("hotspot",)),
    ("maximale-dekking", "Maximale dekking",
     "Een rekenmethode die de loketten zo plaatst dat zoveel mogelijk inwoners binnen een gekozen afstand (de "
     "dekkingsafstand) van een loket wonen.", ("mclp",)),
    ("monte-carlo", "Monte Carlo",
     "Een uitkomst duizenden keren opnieuw uitrekenen, telkens met andere waarden van de aannames binnen hun bandbreedte. "
     "De spreiding van de uitkomsten laat zien hoe onzeker ze zijn.", ()),
    ("moran", "Moran's I",
     "Eén getal voor de hele gemeente dat zegt of naburige buurten op elkaar lijken (positief), niets met elkaar te maken "
     "hebben (rond nul) of juist verschillen (negatief).", ()),
    ("natuurlijke-grenzen", "Natuurlijke grenzen (kaartklassen)",
     "Een manier om de kleurklassen van een kaart te kiezen: de grenzen liggen waar de waarden van de gebieden het "
     "verst uit elkaar liggen, zodat gebieden met ongeveer dezelfde waarde dezelfde kleur krijgen.", ()),
    ("onthulling", "Onthullingsbeveiliging",
     "Kleine aantallen en aandelen op weinig inwoners worden niet getoond, zodat niets over personen te herleiden is "
     "(zoals het CBS dat doet). Zulke cellen staan in tabellen als x.", ()),
    ("p-median", "p-median",
     "Een rekenmethode die de loketten zo plaatst dat de gemiddelde afstand van alle bezoekers tot hun dichtstbijzijnde "
     "loket zo klein mogelijk is.", ("pmedian",)),
    ("p10-p50-p90", "P10, P50, P90",
     "Uit alle doorgerekende varianten: P50 is de middelste uitkomst; 10% van de uitkomsten ligt onder P10 en 10% boven "
     "P90. Van P10 tot P90 is de bandbreedte.", ("p10", "p90")),
    ("permutatietoets", "Permutatietoets",
     "Een toets die de waarden honderden keren willekeurig over de kaart schudt en kijkt hoe vaak het toeval een even "
     "sterk patroon geeft als het echte. Die fractie is de p-waarde.", ("p-waarde",)),
    ("rangcorrelatie", "Rangcorrelatie (Spearman)",
     "Hoe goed twee rangordes overeenkomen: 1 is precies dezelfde volgorde, 0 is geen verband.", ("spearman",)),
    ("reisdocumentendip", "Reisdocumentendip en vervangingsgolf",
     "Sinds 2014 zijn paspoorten en identiteitskaarten van volwassenen tien jaar geldig in plaats van vijf. Daardoor "
     "kwamen er in 2019-2023 weinig aanvragen (de dip) en vanaf 2024 juist veel (de golf). Dat patroon herhaalt zich "
     "elke tien jaar.", ("vervangingsgolf",)),
    ("regressiemodel", "Regressiemodel",
     "Een rekenmodel dat een uitkomst (hier: het aantal loketbezoeken per gebied) verklaart uit kenmerken van het gebied, "
     "zoals de indicatoren. Het wordt alleen gebruikt als de gemeente eigen bezoekcijfers per gebied levert.", ()),
    ("sobol", "Sobol-index",
     "Een maat voor hoeveel van de onzekerheid in een uitkomst door één aanname komt. Een index van 0,9 (90%) betekent: "
     "wie die ene aanname zeker weet, heeft het grootste deel van de bandbreedte weggenomen.", ("gevoeligheid",)),
    ("standaardafwijking", "Standaardafwijking",
     "Een maat voor hoe ver de waarden gemiddeld van hun gemiddelde liggen. Bij waarden met de gewone klokvorm ligt "
     "ongeveer twee derde van de waarden binnen één standaardafwijking van het gemiddelde.", ()),
    ("wachtnorm", "Wachtnorm en bezetting",
     "De wachtnorm zegt welk deel van de bezoekers binnen hoeveel minuten geholpen moet zijn (bijvoorbeeld 80% binnen 10 "
     "minuten). De bezetting is het deel van de tijd dat een medewerker met bezoekers bezig is.", ("bezetting",)),
    ("z-score", "z-score",
     "Hoeveel standaardafwijkingen een gebied boven of onder het gemiddelde van alle gebieden ligt. Zo worden "
     "indicatoren met verschillende eenheden (procenten, euro's, kilometers) vergelijkbaar.", ("z",)),
)
#: Every anchor of the glossary (the entries' own and their aliases).
ANCHORS = {a for entry in GLOSSARY for a in (entry[0], *entry[3])}


def term_link(anchor: str, text: str | None = None) -> str:
    """An HTML link to a glossary entry: ``term_link("lisa")`` -> ``<a href="begrippen.html#lisa">LISA</a>``."""
    if anchor not in ANCHORS:
        raise KeyError(f"no glossary entry {anchor!r}; add it to decentraal.report.pages.GLOSSARY")
    term = text or next(t for a, t, _, aliases in GLOSSARY if anchor == a or anchor in aliases)
    return f'<a href="{GLOSSARY_FILE}#{anchor}">{html.escape(term)}</a>'


def glossary_page() -> str:
    """Begrippenlijst: every technical word of the report in plain Dutch, each with an anchor."""
    items = []
    for anchor, term, text, aliases in sorted(GLOSSARY, key=lambda e: e[1].lower()):
        extra = "".join(f'<span id="{a}"></span>' for a in aliases)
        items.append(f'<dt id="{anchor}">{extra}{html.escape(term)}</dt><dd>{html.escape(text)}</dd>')
    body = ("<h1>Begrippenlijst</h1>" + back_link() +
            "<p>De woorden die in de hoofdstukken een uitleg nodig hebben, in gewone taal. De hoofdstukken verwijzen "
            "hiernaar.</p><dl class='begrippen'>" + "".join(items) + "</dl>")
    return page("Begrippenlijst", body)


# --------------------------------------------------------------------------- Verantwoording
#: Each method step in a few sentences (in the order of the report).
METHOD_STEPS: tuple[tuple[str, str], ...] = (
    ("Gegevens en gebieden",
     "Alle cijfers per buurt en wijk komen uit openbare bestanden van het CBS, PDOK, de politie en het RIVM, die met het "
     "rapport zijn meegeleverd en bij elk gebruik op hun controlegetal worden gecontroleerd. Buurtgrenzen zijn van 2019 "
     "(dezelfde codes als 2024, gecontroleerd); de cijfers van 2024. Kleine aantallen worden nergens getoond."),
    ("Indicatoren en index",
     "Zeven indicatoren wijzen op mogelijke moeite om de gemeente te bereiken: 65-plussers, eenpersoonshuishoudens, "
     "herkomst buiten Europa, inkomen, ervaren gezondheid, autobezit en afstand tot het loket. Elke indicator wordt een "
     "z-score met het teken zo gekozen dat hoger meer belemmering is; de index is het gewogen gemiddelde. Aandelen "
     "worden uit aantallen berekend op het niveau dat getoond wordt."),
    ("Hoe stevig is de rangorde",
     "De rangorde is {stabiliteit_trekkingen} keer herhaald met toevallig gevarieerde gewichten (Dirichlet-verdeling) en met telkens één "
     "indicator weggelaten; ook met opnieuw getrokken gezondheidsschattingen en andere rekenwijzen. De kans dat een "
     "gebied bij de hoogste drie hoort, zegt hoe zeker de plaats is."),
    ("Hotspots",
     "Per buurt is getoetst of hoge of lage waarden ruimtelijke clusters vormen (Moran's I en LISA met een "
     "permutatietoets), gecorrigeerd voor het grote aantal toetsen (FDR)."),
    ("Vraag aan het loket",
     "Het aantal bezoeken volgt uit het aantal inwoners en het bezoekcijfer uit de informatienota (eens per drie jaar), "
     "verdeeld over producten. Per jaar golft de vraag mee met de vervanging van paspoorten en identiteitskaarten "
     "(tien jaar geldig sinds 2014)."),
    ("Locatiekeuze",
     "Voor 0 tot {max_nieuwe_loketten} nieuwe loketten is de beste plek gezocht met twee methoden: p-median (kleinste gemiddelde afstand) en "
     "maximale dekking (de meeste inwoners binnen de dekkingsafstand). Kandidaten zijn de middens van de wijken. Locaties "
     "die bijna even goed scoren worden genoemd."),
    ("Balies en wachtnormen",
     "Met een wachtrijmodel (Erlang C) en de bezetting is per loket en per maand berekend hoeveel balies nodig zijn om de "
     "wachtnorm en de termijn voor een afspraak te halen."),
    ("Kosten",
     "De extra kosten zijn de vaste kosten van een nieuw loket ({vaste_kosten_per_loket} per jaar, informatienota) plus of min "
     "de kosten van balies, voor de gemeente als geheel: het centrale loket heeft minder balies nodig als bezoekers naar "
     "het nieuwe loket gaan. Of dat bedrag het personeel al omvat is onbekend; beide lezingen zijn doorgerekend."),
    ("Onzekerheid",
     "Alle aannames met een bandbreedte zijn samen {onzekerheid_trekkingen} keer gevarieerd (Monte Carlo); per trekking is de beste "
     "locatie opnieuw gezocht. De bandbreedtes in het rapport lopen van P10 tot P90. Een Sobol-analyse wijst aan welke "
     "aanname de meeste onzekerheid veroorzaakt."),
)


class _StepValues(dict):
    """Parameter values for the method steps; a parameter the run lacks reads 'de ingestelde waarde'."""

    def __missing__(self, key: str) -> str:
        return "het ingestelde aantal"


def _bereik(entry: Mapping[str, Any]) -> str:
    bereik = entry.get("bereik")
    if not bereik:
        return "ja en nee doorgerekend" if isinstance(entry.get("waarde"), bool) and "onbekend" in str(entry.get("bron")) else ""
    low, high = (fmt.quantity(v, entry["eenheid"]).split(" ") for v in bereik)
    same = 0
    while same < min(len(low), len(high)) - 1 and low[-1 - same] == high[-1 - same]:
        same += 1  # '12 tot 32 uur per week', not '12 uur per week tot 32 uur per week'
    return " ".join(low[: len(low) - same]) + " tot " + " ".join(high)


def _kind(bron: str) -> str:
    bron = str(bron)
    for word in ("aanname", "keuze", "onbekend", "conventie"):
        if bron.startswith(word):
            return word
    return "bron"


def assumption_rows(info: RunInfo) -> list[dict[str, str]]:
    """The parameter table: every parameter a reader may weigh, with its value in this run, range and source."""
    rows = []
    for key, entry in info.base.items():
        if key in TECHNICAL or str(entry.get("bron", "-")).strip() in ("-", ""):
            continue
        value = info.parameters.get(key, entry.get("waarde"))
        rows.append({
            "parameter": PARAMETER_NAMES.get(key, key.replace("_", " ").capitalize()),
            "waarde in deze run": fmt.quantity(value, entry.get("eenheid", "-")),
            "bandbreedte": _bereik(entry) or "geen: vaste waarde",
            "soort": _kind(entry.get("bron", "")),
            "bron of reden": str(entry.get("bron", "")),
        })
    return rows


def method_page(info: RunInfo) -> str:
    """Verantwoording: data sources with attribution (CC BY 4.0), the method steps, and every assumption."""
    import pandas as pd

    numbers = tables.Numbering()
    sources = "".join(
        f"<li>{html.escape(str(s['bron']))} ({html.escape(str(s['jaar']))}); bestand <code>{html.escape(str(s['bestand']))}</code></li>"
        for s in info.sources
    )
    values = _StepValues({k: fmt.quantity(v, "euro" if str(info.base.get(k, {}).get("eenheid", "")).startswith("euro") else "-")
                          for k, v in info.parameters.items()})
    steps = "".join(f"<h3>{html.escape(t)}</h3><p>{html.escape(x.format_map(values))}</p>" for t, x in METHOD_STEPS)
    rows = assumption_rows(info)
    table = tables.plain(pd.DataFrame(rows), caption="Parameters van deze run: waarde, bandbreedte en bron", numbering=numbers,
                         source="Bron: configs/base.yaml en de configuratie van deze run; bewerking decentraal") if rows else ""
    body = (
        "<h1>Verantwoording</h1>" + back_link() +
        "<p>Hoe de cijfers in dit rapport tot stand komen: de gegevens, de rekenstappen en elke aanname met haar "
        "bandbreedte. Uitleg van vaktermen staat in de <a href='begrippen.html'>begrippenlijst</a>.</p>"
        "<h2 id='bronnen'>Gegevensbronnen</h2>"
        f"<p>De gegevens van CBS, Kadaster/PDOK, Politie en RIVM zijn open data onder licentie {html.escape(DATA_LICENCE)}. "
        "Naamsvermelding per bestand:</p>"
        f"<ul>{sources}</ul>"
        "<p>De indeling van Haarlemse wijken in stadsdelen is samengesteld uit openbare bronnen en is geen officiële "
        "tabel. Er zijn geen openbare gegevens over loketbezoeken per buurt; de vraag is een model (zie hieronder).</p>"
        f"<h2 id='methode'>Rekenstappen</h2>{steps}"
        "<h2 id='aannames'>Aannames en keuzes</h2>"
        "<p>'Aanname' betekent: geen openbaar cijfer gevonden, de waarde is gekozen en wordt binnen de bandbreedte "
        "gevarieerd. 'Keuze' is een beleidskeuze (zoals de gewichten). De gemeente kan elke waarde vervangen door een "
        "eigen cijfer in het configuratiebestand van de run.</p>"
        f"{table.to_html() if table else '<p>Geen parameters meegegeven.</p>'}"
    )
    return page("Verantwoording", body)


# --------------------------------------------------------------------------- Toegankelijkheid
def accessibility_page() -> str:
    """Toegankelijkheidsverklaring: the WCAG 2.1 AA target, how it is tested, what is known not to work."""
    body = (
        "<h1>Toegankelijkheid</h1>" + back_link() +
        "<p>Dit rapport is bedoeld om te voldoen aan de <b>WCAG 2.1, niveau AA</b>, de norm voor websites en documenten "
        "van de Nederlandse overheid.</p>"
        "<h2>Hoe het getest wordt</h2><ul>"
        "<li>Bij elke wijziging van de code opent een test elke pagina en elke interactieve kaart in een browser zonder "
        "scherm (Chromium) en controleert die met axe-core op alle regels van WCAG 2.0 en 2.1, niveau A en AA. Eén "
        "overtreding laat de test mislukken.</li>"
        "<li>Een tweede test controleert de taal van elke pagina (Nederlands), een beschrijving bij elke afbeelding, dat "
        "de PDF op A4 staat en dat geen tabel breder is dan een A4-pagina.</li>"
        "<li>Elke kaart heeft een tabel of lijst met dezelfde waarden, zodat de informatie ook zonder de kaart te lezen is.</li>"
        "</ul>"
        "<h2>Bekende beperkingen</h2><ul>"
        "<li>Automatische tests vinden niet alle problemen. Het rapport is niet getest met mensen die een schermlezer "
        "of alleen een toetsenbord gebruiken.</li>"
        "<li>De interactieve kaarten zijn met muis en toetsenbord te bedienen, maar de gebieden zelf zijn geen aparte "
        "toetsenbordstops; gebruik daarvoor de tabel bij de kaart.</li>"
        "<li>De PDF is afgedrukt uit de webpagina's en heeft geen volledige PDF/UA-structuur; de webpagina's zijn de "
        "toegankelijke versie.</li>"
        "<li>Vaktermen zijn niet overal te vermijden; ze worden uitgelegd in de <a href='begrippen.html'>begrippenlijst</a>.</li>"
        "</ul>"
        "<p>Loopt u tegen een probleem aan, meld het dan bij de opsteller van dit rapport, met de pagina en wat er misging.</p>"
    )
    return page("Toegankelijkheid", body)


# --------------------------------------------------------------------------- Colofon
def colophon_page(info: RunInfo) -> str:
    """Colofon: which run, when, which code, which data, which licence (the last page of the PDF)."""
    sources = "".join(f"<li>{html.escape(str(s['bron']))} ({html.escape(str(s['jaar']))})</li>" for s in info.sources)
    contact = f"<dt>Contact</dt><dd>{html.escape(info.contact)}</dd>" if info.contact else ""
    body = (
        "<h1>Colofon</h1>" + back_link() +
        "<dl class='begrippen'>"
        f"<dt>Titel</dt><dd>Decentrale dienstverlening: {html.escape(info.municipality)}</dd>"
        f"<dt>Datum</dt><dd>{html.escape(fmt.date(info.date))}</dd>"
        f"<dt>Run</dt><dd><code>{html.escape(info.run_id)}</code> (map <code>outputs/{html.escape(info.run_id)}</code>; "
        "<code>manifest.json</code> beschrijft alle instellingen en bestanden)</dd>"
        f"<dt>Versie van de code</dt><dd><code>{html.escape(info.code_version)}</code> (decentraal, licentie MIT)</dd>"
        f"{contact}"
        f"<dt>Gegevens</dt><dd><ul>{sources}</ul>Licentie van de open data: {html.escape(DATA_LICENCE)}.</dd>"
        "<dt>Gemaakt met</dt><dd>Python, pandas, GeoPandas, PySAL (esda, libpysal, spopt), statsmodels, matplotlib, "
        "Jupyter en papermill; PDF afgedrukt met Chromium.</dd>"
        "</dl>"
    )
    return page("Colofon", body)
