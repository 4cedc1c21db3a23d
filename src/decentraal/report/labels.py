"""Every Dutch label the committee sees, in one place.

:data:`COLUMNS` maps a column name used in results to its Dutch label and format kind
(see :data:`decentraal.report.tables.FORMATS`); :data:`MODELS` names the siting models; the
other constants are texts shown on several pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from decentraal.methods.indicators import INDICATORS


@dataclass(frozen=True)
class Column:
    """Dutch label and format kind of one result column."""

    label: str
    kind: str = "text"


#: Siting model -> Dutch name (used in tables, charts and text).
MODELS = {"mclp": "maximale dekking", "pmedian": "p-median"}

#: Level -> Dutch plural, for sentences ("per wijk", "de wijken").
LEVEL_PLURAL = {"buurt": "buurten", "wijk": "wijken", "stadsdeel": "stadsdelen", "gemeente": "gemeenten"}

#: LISA cluster label -> map colour.
LISA_COLOURS = {
    "Hoog-Hoog": "#b2182b", "Laag-Laag": "#2166ac", "Hoog-Laag": "#ef8a62", "Laag-Hoog": "#67a9cf",
    "Niet significant": "#f0f0f0", "Geen gegevens": "#bdbdbd", "Geen buren": "#bdbdbd",
}

_INDICATOR_COLUMNS = {
    ind.key: Column(ind.label_nl + (" (%)" if ind.unit_nl.startswith("%") else f" ({ind.unit_nl})"),
                    "pct" if ind.unit_nl.startswith("%") else "dec2")
    for ind in INDICATORS
}

COLUMNS: dict[str, Column] = {
    **_INDICATOR_COLUMNS,
    # areas and counts
    "code": Column("code"),
    "naam": Column("gebied"),
    "gebied": Column("gebied"),
    "niveau": Column("niveau"),
    "gebieden": Column("gebieden", "int"),
    "met_inwoners": Column("met inwoners", "int"),
    "inwoners": Column("inwoners", "int"),
    "huishoudens": Column("huishoudens", "int"),
    "bezoeken": Column("bezoeken per jaar", "int"),
    # indicator metadata
    "indicator": Column("indicator"),
    "eenheid": Column("eenheid"),
    "richting": Column("richting"),
    "fijnste_niveau": Column("fijnste niveau"),
    "definitie": Column("definitie"),
    "bron": Column("bron"),
    "waarom": Column("waarom"),
    "reden": Column("reden"),
    # comparison with the municipal value
    "waarde": Column("waarde", "dec2"),
    "gemeente_waarde": Column("gemeente", "dec2"),
    "z": Column("z", "dec2"),
    "afwijking": Column("afwijking"),
    # index and stability
    "rank": Column("plaats", "int"),
    "index": Column("index", "dec2"),
    "p_top_n": Column("kans top n", "share"),
    "p_top_quartile": Column("kans hoogste kwart", "share"),
    "rank_p05": Column("plaats 5%", "dec1"),
    "rank_p95": Column("plaats 95%", "dec1"),
    "loo_rank_min": Column("plaats zonder 1 ind. (min)", "int"),
    "loo_rank_max": Column("(max)", "int"),
    "missing_indicators": Column("ontbrekend"),
    # Moran
    "I": Column("Moran's I", "dec3"),
    "EI": Column("verwachting", "dec3"),
    "p_sim": Column("p (permutatie)", "dec3"),
    "n": Column("buurten", "int"),
    "zonder_waarde": Column("zonder waarde", "int"),
    # demand, siting, desks, cost
    "model": Column("model"),
    "k_new": Column("nieuw", "int"),
    "nieuwe_locaties": Column("nieuwe locaties"),
    "loket": Column("loket"),
    "covered_share": Column("dekking (gewogen)", "share"),
    "inwoners_binnen_afstand": Column("inwoners binnen afstand", "int"),
    "mean_distance_km": Column("gem. afstand (km)", "km"),
    "p90_distance_km": Column("90% binnen (km)", "km"),
    "aandeel": Column("aandeel", "share"),
    "product": Column("product"),
    "bezoeken_per_jaar": Column("bezoeken/jaar", "int"),
    "geldigheid_jaar": Column("geldigheid (jaar)", "int"),
    "aankomsten_per_uur_piek": Column("aankomsten/uur (piek)", "dec1"),
    "balies": Column("balies", "int"),
    "balies_nieuw": Column("balies", "int"),
    "bezetting": Column("bezetting", "share"),
    "kans_wachten": Column("kans op wachten", "share"),
    "gem_wachttijd_min": Column("gem. wachttijd (min)", "dec1"),
    "binnen_norm": Column("binnen norm", "share"),
    "fixed_cost_eur": Column("vaste kosten", "eur"),
    "desk_cost_eur": Column("baliekosten", "eur"),
    "annual_cost_eur": Column("totaal per jaar", "eur"),
    "visits_new_counters": Column("bezoeken nieuwe loketten", "int"),
    "cost_per_visit_eur": Column("per bezoek", "eur"),
    "barrier_residents_served": Column("bediende 65+", "int"),
    "cost_per_barrier_resident_eur": Column("per bediende 65+", "eur"),
    "term": Column("term"),
    "coef": Column("coëfficiënt", "dec3"),
    "se": Column("standaardfout", "dec3"),
    "p_value": Column("p", "dec3"),
    "rate_ratio": Column("factor op bezoekcijfer", "dec3"),
    "rr_ci_lower": Column("95%-interval laag", "dec3"),
    "rr_ci_upper": Column("95%-interval hoog", "dec3"),
    # chapter 03
    "ci_lower": Column("95%-interval laag (log)", "dec3"),
    "ci_upper": Column("95%-interval hoog (log)", "dec3"),
    "gemeente": Column("gemeente"),
    "bezoeken_per_1000_inwoners": Column("bezoeken per 1.000 inwoners", "int"),
    "loketten_per_1000_inwoners": Column("loketten per 1.000 inwoners", "dec3"),
    "afstand_nu_km": Column("gem. afstand nu (km)", "km"),
    "afstand_1_extra_km": Column("gem. afstand met 1 extra (km)", "km"),
    "kosten_1_extra_per_1000_inwoners": Column("extra kosten 1 loket per 1.000 inwoners", "eur"),
    "kosten_per_bezoek_1_extra": Column("kosten per bezoek 1 extra loket", "eur"),
    "bestand": Column("bestand"),
    "aanwezig_in": Column("aanwezig in"),
    "ontbreekt_in": Column("ontbreekt in"),
    "gegeven": Column("gegeven"),
    "jaar": Column("jaar", "text"),
    "opmerking": Column("opmerking"),
    # chapter 02 statistics
    "toets": Column("toets"),
    "lisa_zonder_correctie": Column("LISA-buurten zonder correctie", "int"),
    "lisa_fdr": Column("LISA-buurten na FDR", "int"),
    "n_variants": Column("varianten", "int"),
    "spearman_median": Column("rangcorrelatie (mediaan)", "dec2"),
    "spearman_p05": Column("rangcorrelatie (5%)", "dec2"),
    "top_n_overlap": Column("top n teruggevonden", "share"),
    "same_first": Column("zelfde nummer 1", "share"),
    "p_top_n_data": Column("kans top n (gegevens)", "share"),
    "data_rank_p05": Column("plaats 5% (gegevens)", "dec1"),
    "data_rank_p95": Column("plaats 95% (gegevens)", "dec1"),
    "rank_percentile": Column("plaats (percentielrang)", "int"),
    "rank_alternative": Column("plaats (andere aggregatie)", "int"),
    "rank_dimensions_equal": Column("plaats (dimensies gelijk)", "int"),
}

#: Where each ingredient of the analysis comes from (shown in chapter 01).
VINTAGES = [
    {"gegeven": "Buurtgrenzen", "jaar": 2019, "bron": "CBS/PDOK Wijk- en Buurtkaart 2019, gegeneraliseerd",
     "opmerking": "Codes gelijk aan 2024 (gecontroleerd in het koppelrapport); vereenvoudigde lijnen, niet voor exacte oppervlakten."},
    {"gegeven": "Wijkgrenzen Haarlem", "jaar": 2024, "bron": "PDOK Wijk- en Buurtkaart 2024", "opmerking": "Volledige resolutie."},
    {"gegeven": "Wijkgrenzen Zandvoort", "jaar": 2019, "bron": "samengevoegde buurtgrenzen 2019", "opmerking": "CBS-wijkgrenzen van Zandvoort waren niet beschikbaar."},
    {"gegeven": "Stadsdelen Haarlem", "jaar": 2024, "bron": "samengevoegde wijken 2024", "opmerking": "Indeling samengesteld uit openbare bronnen, geen officiële tabel."},
    {"gegeven": "Kerncijfers (inwoners, leeftijd, huishoudens, inkomen)", "jaar": 2024, "bron": "CBS 85984NED", "opmerking": "Buurtaantallen afgerond op 5; leeg = 0, geheim of onbekend."},
    {"gegeven": "Eenpersoonshuishoudens, herkomst, auto's (Haarlem)", "jaar": 2024, "bron": "PDOK Wijk- en Buurtkaart 2024", "opmerking": "Alleen op wijkniveau."},
    {"gegeven": "Auto's en huishoudens (Zandvoort)", "jaar": 2022, "bron": "PDOK Wijk- en Buurtkaart 2022", "opmerking": "Alleen op wijkniveau."},
    {"gegeven": "Ervaren gezondheid", "jaar": 2024, "bron": "RIVM/GGD'en/CBS Gezondheidsmonitor (50150NED)", "opmerking": "Modelschattingen; ontbreken voor kleine buurten."},
]

STADSDEEL_NOTE = (
    "De indeling van wijken in stadsdelen is samengesteld uit openbare bronnen "
    "(wijkraden, gemeentelijke stadsdeelprofielen, bestemmingsplannen); het is geen officiële tabel."
)
SYNTHETIC_NOTE = (
    "LET OP: op deze pagina worden SYNTHETISCHE (verzonnen) voorbeeldgegevens gebruikt voor de "
    "loketbezoeken. Cijfers die daarop rusten zeggen niets over Haarlem of Zandvoort."
)
COUNTER_LOCATION_NOTE = (
    "De bestaande loketten staan op het midden van het gebied waarin hun adres ligt (geen "
    "gegeocodeerde coördinaat beschikbaar); afstanden zijn hemelsbreed tussen buurtmiddens."
)


# chapter 02 statistics
#: How the RIVM health estimates are made (RIVM, SMAP-verantwoording), shown where it matters.
HEALTH_MODEL_NOTE = (
    "Het RIVM-model (SMAP) schat de gezondheid per buurt uit achtergrondkenmerken als leeftijd, geslacht, herkomst, "
    "huishoudsamenstelling, opleiding, inkomen en woningtype, en neemt informatie uit naastgelegen gebieden mee."
)
#: Cluster test of a buurt indicator (``toets`` in the Moran table) -> what it means.
CLUSTER_TESTS = {
    "EB-aandeel": (
        "getoetst als empirisch-Bayes gestandaardiseerd aandeel (Assunção en Reis; esda.Moran_Rate): een aandeel "
        "op weinig inwoners schommelt meer door toeval en telt daarom minder zwaar mee dan een aandeel op veel inwoners"
    ),
    "waarde": (
        "getoetst zoals gepubliceerd: het is een modelschatting van het RIVM per buurt, zonder aantallen waarmee het "
        "toeval per buurt te wegen is. " + HEALTH_MODEL_NOTE + " Een deel van de clustering komt daardoor uit het "
        "model en niet alleen uit de metingen"
    ),
}
#: Buurt indicators not tested for clustering -> why (shown on the page).
NOT_CLUSTER_TESTED_REASONS = {
    "afstand_loket_km": (
        "niet getoetst op clustering. De afstand tot het dichtstbijzijnde loket loopt per constructie geleidelijk "
        "op met de afstand tot dat punt: naburige buurten liggen altijd op bijna dezelfde afstand, dus Moran's I is "
        "hoog en 'significant' wat de gegevens ook zijn. Dat zegt niets over een ruimtelijk patroon van belemmeringen"
    ),
}
#: Short Dutch names of the indicators for sentences about pairs (correlations).
INDICATOR_SHORT = {
    "aandeel_65plus": "65-plussers",
    "aandeel_eenpersoonshuishoudens": "eenpersoonshuishoudens",
    "aandeel_herkomst_buiten_europa": "herkomst buiten Europa",
    "inkomen_per_inwoner": "inkomen",
    "aandeel_goede_gezondheid": "ervaren gezondheid",
    "autos_per_huishouden": "auto's per huishouden",
    "afstand_loket_km": "afstand tot het loket",
}


# chapter 03 over time
COLUMNS.update({
    "piekmaand": Column("piekmaand"),
    "bezoeken_piekmaand": Column("bezoeken in piekmaand", "int"),
    "balies_afspraak": Column("balies afspraak", "int"),
    "balies_inloop": Column("balies inloop", "int"),
    "toegangstijd_dagen": Column("tijd tot afspraak (werkdagen)", "dec1"),
    "binnen_toegangsnorm": Column("afspraak binnen norm", "share"),
    "inloop_wachttijd_min": Column("gem. wachttijd inloop (min)", "dec1"),
    "inloop_binnen_norm": Column("inloop binnen wachtnorm", "share"),
    "baliuren_per_jaar": Column("baliewerkuren per jaar", "int"),
    "bezoeken_nieuw": Column("bezoeken nieuwe loketten", "hundreds"),
    "bezoeken_dichterbij": Column("bezoeken dichterbij", "hundreds"),
    "km_bespaard": Column("km bespaard per jaar (enkele reis)", "hundreds"),
    "extra_kosten_bereik": Column("extra kosten per jaar, hele gemeente"),
    "kosten_per_bezoek_bereik": Column("per bezoek aan nieuw loket"),
    "bruto_per_bezoek_bereik": Column("nieuw loket zelf, per bezoek"),
    "kosten_per_bezoek_dichterbij_bereik": Column("per bezoek dichterbij"),
    "kosten_per_km_bereik": Column("per bespaarde km"),
    "afstand_inwoners_km": Column("gem. afstand inwoners (km)", "km"),
    "afstand_65plus_km": Column("gem. afstand 65+ (km)", "km"),
    "kosten_1_extra_bereik": Column("extra kosten 1 loket per 1.000 inwoners"),
    "kosten_per_bezoek_1_extra_bereik": Column("kosten per bezoek 1 extra loket"),
})
#: Month number -> Dutch name (tables and charts of chapter 03).
MONTHS = {1: "januari", 2: "februari", 3: "maart", 4: "april", 5: "mei", 6: "juni", 7: "juli", 8: "augustus",
          9: "september", 10: "oktober", 11: "november", 12: "december"}
#: Product of the demand model -> Dutch label for charts.
PRODUCTS = {"reisdocument": "paspoort en identiteitskaart", "rijbewijs": "rijbewijs", "overig": "overige producten"}
#: Reading of the EUR 400,000 -> Dutch clause (chapter 03 cost: "... geldt als <clause>").
READINGS = {
    True: "de 400.000 euro het personeel van het nieuwe loket al omvat",
    False: "het personeel van het nieuwe loket bovenop de 400.000 euro komt",
}
# chapter 03: choice rule, near-optimal sites and uncertainty
COLUMNS.update({
    "bijna_optimaal": Column("locatiesets binnen tolerantie", "int"),
    "kans_beste_keuze": Column("kans beste keuze", "share"),
    "locaties": Column("locaties"),
    "rank": Column("rang", "int"),
    "verschil_tekst": Column("verschil met de beste"),
    "aandeel_niet_dichtstbij": Column("bezoeken niet bij het dichtstbijzijnde loket", "share"),
    "aandeel_dichterbij_ander": Column("bezoekers die dichter bij een ander loket wonen", "share"),
    "bezoeken_interval": Column("bezoeken nieuwe loketten per jaar (P10 tot P90)"),
    "bezoeken_p50": Column("bezoeken nieuwe loketten per jaar (P50)", "hundreds"),
    "extra_kosten_interval": Column("extra kosten per jaar, hele gemeente (P10 tot P90)"),
    "extra_kosten_p50": Column("extra kosten per jaar (P50)"),
    "kosten_per_bezoek_interval": Column("per bezoek aan nieuw loket (P10 tot P90)"),
    "kosten_per_bezoek_p50": Column("per bezoek (P50)"),
    "aanname": Column("aanname"),
    "S1": Column("eerste-orde index", "dec2"),
    "ST": Column("totale index", "dec2"),
    "regel": Column("keuzeregel"),
})
#: Choice rule (parameter keuzeregel and the rows of 03_keuzeregels) -> Dutch description.
CHOICE_RULES = {
    "dichtstbij": "iedereen naar het dichtstbijzijnde loket",
    "zwaartekracht": "zwaartekrachtmodel (kans daalt met de afstand, stijgt met openingsuren)",
    "zwaartekracht, beta laag": "zwaartekrachtmodel, zwakke afstandsgevoeligheid",
    "zwaartekracht, beta hoog": "zwaartekrachtmodel, sterke afstandsgevoeligheid",
}
#: Assumption of the Monte Carlo -> short Dutch name (Sobol chart and text).
ASSUMPTIONS = {
    "vaste_kosten_omvat_personeel": "omvat de 400.000 euro het personeel?",
    "uurkosten_balie": "kosten per baliewerkuur",
    "bedieningstijd_aanvraag_minuten": "bedieningstijd aanvraag",
    "bedieningstijd_afhalen_minuten": "bedieningstijd afhalen",
    "bedieningstijd_enkel_minuten": "bedieningstijd overige producten",
    "bedieningstijd_minuten": "bedieningstijd (eenjaarstabel)",
    "doelbezetting": "doelbezetting balies",
    "toegangsnorm_werkdagen": "toegangsnorm afspraak",
    "spreiding_bezoekcijfer_buurt": "spreiding bezoekcijfer tussen buurten",
    "afstandsverval_beta": "afstandsgevoeligheid (beta)",
    "urenelasticiteit_gamma": "gevoeligheid voor openingsuren (gamma)",
    "productaandeel_nieuw": "productaanbod nieuw loket",
    "openingsuren_per_week": "openingsuren nieuw loket",
    "openingsuren_bestaand_per_week": "openingsuren bestaand loket",
    "inloopuren_nieuw_per_week": "inloopuren nieuw loket",
    "piekfactor": "piekfactor drukste uur",
    "dekkingsafstand_km": "dekkingsafstand",
    # chapter 04 (service norms)
    "telefoon_contacten_per_inwoner_per_jaar": "telefoongesprekken per inwoner per jaar",
    "email_contacten_per_inwoner_per_jaar": "e-mails per inwoner per jaar",
    "contacten_volgen_balie_aandeel": "deel van telefoon en e-mail dat meebeweegt met de baliedrukte",
    "digitaal_aandeel_haarlem": "deel digitaal afgehandeld in Haarlem",
    "digitaal_aandeel_zandvoort": "deel digitaal afgehandeld in Zandvoort",
    "telefoon_gesprekstijd_minuten": "duur van een telefoongesprek",
    "telefoon_geduld_minuten": "geduld van bellers voor ze ophangen",
    "telefoon_uren_per_week": "openingsuren telefoon",
    "email_behandeltijd_minuten": "werktijd per e-mail",
    "krimp_aandeel": "deel van de uren niet beschikbaar (verlof, ziekte, opleiding)",
    "uitbreiding_aandeel": "omvang van de uitbreiding",
}


# --------------------------------------------------------------------------- table sources (tables.py)
#: Source key -> how the source line of a table names it ("Bron: ...; bewerking decentraal").
SOURCES = {
    "kwb": "CBS (KWB 2024)",
    "pdok": "Kadaster/PDOK (Wijk- en Buurtkaart)",
    "rivm": "RIVM/GGD'en/CBS (Gezondheidsmonitor 2024)",
    "nota": "gemeente Haarlem (informatienota 2021/547821)",
    "aanname": "aannames van deze run (zie Verantwoording)",
}
_AREA, _GEO, _DEMAND = ("kwb",), ("kwb", "pdok"), ("kwb", "pdok", "nota", "aanname")
_INDICATOR_SOURCES = {ind.key: ("kwb", "pdok") if ind.key == "afstand_loket_km" else ("rivm",) if "RIVM" in ind.source_nl
                      else ("pdok",) if "PDOK" in ind.source_nl else ("kwb",) for ind in INDICATORS}
#: Column -> the sources its numbers rest on; a table's source line is the union over its columns.
COLUMN_SOURCES: dict[str, tuple[str, ...]] = {
    **_INDICATOR_SOURCES,
    **dict.fromkeys(["inwoners", "huishoudens", "gebieden", "met_inwoners", "waarde", "gemeente_waarde", "z"], _AREA),
    **dict.fromkeys(["index", "rank", "p_top_n", "p_top_quartile", "rank_p05", "rank_p95", "loo_rank_min", "loo_rank_max",
                     "I", "EI", "p_sim", "lisa_zonder_correctie", "lisa_fdr", "spearman_median", "spearman_p05",
                     "top_n_overlap", "same_first", "p_top_n_data", "rank_percentile", "rank_alternative",
                     "rank_dimensions_equal"], _GEO),
    **dict.fromkeys(["bezoeken", "bezoeken_per_jaar", "covered_share", "mean_distance_km", "p90_distance_km",
                     "inwoners_binnen_afstand", "balies", "balies_nieuw", "annual_cost_eur", "cost_per_visit_eur",
                     "visits_new_counters", "bezoeken_nieuw", "extra_kosten_bereik", "kosten_per_bezoek_bereik",
                     "bezoeken_interval", "extra_kosten_interval", "kosten_per_bezoek_interval", "kans_beste_keuze",
                     "afstand_inwoners_km", "afstand_65plus_km", "S1", "ST", "fixed_cost_eur", "desk_cost_eur",
                     "kans_wachten", "gem_wachttijd_min", "binnen_norm", "bezetting", "piekmaand", "bezoeken_piekmaand",
                     "balies_afspraak", "balies_inloop", "toegangstijd_dagen", "inloop_wachttijd_min"], _DEMAND),
}
#: The source line under a table when none of its columns names a source.
DEFAULT_SOURCE = "bewerking decentraal"

# --------------------------------------------------------------------------- parameters in Dutch (front page, Verantwoording)
#: Parameter -> Dutch name for the committee (any other parameter shows its name with spaces).
PARAMETER_NAMES = {
    **{k: v[0].upper() + v[1:] for k, v in ASSUMPTIONS.items()},
    "naam": "Naam van de run", "gemeente": "Gemeente", "jaar": "Statistiekjaar", "niveau": "Gebiedsniveau van tabellen",
    "seed": "Startgetal van het toeval", "onthulling_drempel": "Kleinste aantal dat getoond wordt",
    **{f"gewicht_{ind.key}": f"Gewicht: {INDICATOR_SHORT.get(ind.key, ind.label_nl.lower())}" for ind in INDICATORS},
    "stabiliteit_trekkingen": "Trekkingen van de gewichten", "stabiliteit_concentratie": "Spreiding van de gewichten (concentratie)",
    "top_n": "Aantal gebieden in 'de hoogste'", "min_gewicht_aandeel": "Minimaal bekend deel van het gewicht",
    "lisa_alpha": "Significantieniveau hotspots", "lisa_permutaties": "Permutaties hotspot-toets",
    "lisa_fdr": "Correctie voor meervoudig toetsen (FDR)", "index_dimensies": "Index uit drie dimensies",
    "gezondheid_onzekerheid_pp": "Onzekerheid gezondheidsschatting",
    "bezoeken_per_inwoner_per_jaar": "Loketbezoeken per inwoner per jaar", "vraagbron": "Bron van de vraag",
    "glm_familie": "Telmodel voor het bezoekbestand", "max_nieuwe_loketten": "Meeste nieuwe loketten doorgerekend",
    "wachtnorm_minuten": "Wachtnorm inloop", "wachtnorm_aandeel": "Deel bezoekers binnen de norm",
    "vaste_kosten_per_loket": "Vaste kosten per nieuw loket", "referentiejaar": "Referentiejaren van het bezoekcijfer",
    "horizon_begin": "Eerste jaar", "horizon_eind": "Laatste jaar", "beslisjaar": "Eerste jaar dat een nieuw loket open kan",
    "inloopuren_bestaand_per_week": "Inloopuren bestaand loket", "keuzeregel": "Keuzeregel: naar welk loket gaat men",
    "min_dekking_65plus": "Minimale dekking 65-plussers", "tolerantie_bijna_optimaal": "Marge voor 'bijna even goed'",
    "onzekerheid_trekkingen": "Trekkingen van de aannames (Monte Carlo)",
}
#: What an assumption means for the answer, in plain Dutch (front page, "Wat weten we zeker, wat niet").
ASSUMPTION_MEANING = {
    "vaste_kosten_omvat_personeel": "Onbekend is of de vaste kosten van een nieuw loket uit de informatienota{bedrag} het "
                                    "personeel van dat loket al omvatten. Zo ja, dan zijn de kosten laag; zo nee, dan komt het "
                                    "personeel erbovenop.",
    "uurkosten_balie": "Wat een uur bemensing van een balie kost; bepaalt de personeelskosten.",
    "bedieningstijd_aanvraag_minuten": "Hoe lang een aanvraag van paspoort, identiteitskaart of rijbewijs duurt; bepaalt het aantal balies.",
    "bedieningstijd_afhalen_minuten": "Hoe lang het afhalen van een document duurt.",
    "bedieningstijd_enkel_minuten": "Hoe lang een bezoek voor een ander product duurt.",
    "doelbezetting": "Welk deel van de tijd een baliemedewerker bezig is met bezoekers.",
    "toegangsnorm_werkdagen": "Binnen hoeveel werkdagen een afspraak beschikbaar moet zijn.",
    "spreiding_bezoekcijfer_buurt": "Hoeveel het aantal loketbezoeken per inwoner tussen buurten verschilt.",
    "afstandsverval_beta": "Hoe sterk mensen een loket verder weg laten liggen.",
    "urenelasticiteit_gamma": "Hoeveel langere openingstijden een loket aantrekkelijker maken.",
    "productaandeel_nieuw": "Of het nieuwe loket alle producten levert.",
    "openingsuren_per_week": "Hoeveel uur per week het nieuwe loket open is.",
    "openingsuren_bestaand_per_week": "Hoeveel uur per week het bestaande loket open is.",
    "inloopuren_nieuw_per_week": "Hoeveel uur per week het nieuwe loket zonder afspraak open is.",
    "piekfactor": "Hoeveel drukker het drukste uur is dan een gemiddeld uur.",
    "dekkingsafstand_km": "Binnen welke afstand een loket 'dichtbij' heet.",
    "bedieningstijd_minuten": "Gemiddelde duur van een bezoek (eenvoudige berekening).",
    "stabiliteit_concentratie": "Hoe ver de gewichten van de indicatoren mogen afwijken van de gekozen gewichten.",
    "gezondheid_onzekerheid_pp": "Hoe onzeker de RIVM-schatting van de gezondheid per gebied is.",
}
#: Shorter names of assumptions on the front page, where the amount itself comes from the parameters.
FRONT_ASSUMPTION_NAMES = {"vaste_kosten_omvat_personeel": "omvatten de vaste kosten van een nieuw loket het personeel?"}
#: Front-page table headers (the scenario table) with units.
FRONT_HEADERS = ("model", "nieuwe loketten", "locaties", "kans beste keuze", "bezoeken per jaar (P10 tot P90)",
                 "extra kosten per jaar (P10 tot P90)", "kosten per bezoek (P10 tot P90)", "gem. afstand (km)")
COLUMNS["gewicht"] = Column("gewicht in de index")
