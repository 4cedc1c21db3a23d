"""The front page and the own pages, built from a small hand-made kerncijfers dict (no run needed)."""

from __future__ import annotations

import copy
import datetime as dt
import html as htmllib
import re

import pytest

from decentraal.report import format as fmt
from decentraal.report import front, pages

CHAPTERS = [("01_gegevens_verkennen.html", "Gegevens verkennen", "bronnen"),
            ("02_belemmeringen_in_kaart.html", "Belemmeringen in kaart", "index"),
            ("03_vraag_en_loketten.html", "Vraag en loketten", "kosten")]


def _iv(p10: float, p50: float, p90: float) -> dict:
    return {"p10": p10, "p50": p50, "p90": p90}


def _scenario(model: str, k: int, sites: list[str], visits, cost, per_visit, dist, dist65, chance, ties=()) -> dict:
    return {"model": model, "nieuwe_loketten": k, "locaties": sites, "bezoeken_nieuwe_loketten_per_jaar": visits,
            "extra_kosten_per_jaar_eur": cost, "kosten_per_bezoek_eur": per_visit,
            "gemiddelde_afstand_km": {"inwoners": dist, "65plus": dist65}, "kans_beste_keuze": chance,
            "bijna_even_goed": [{"locaties": t, "verschil": 0.011} for t in ties]}


def sample_summary() -> dict:
    """A kerncijfers dict shaped like the real one, with numbers chosen so each prints differently."""
    years = [{"jaar": y, "bezoeken": _iv(v * 0.99, v, v * 1.01)} for y, v in
             zip(range(2020, 2036), [51234, 48765, 49876, 53210, 72345, 80123, 83456, 80678, 76234, 64321,
                                     57789, 56432, 56987, 60123, 69456, 74789])]
    return {
        "schema_versie": 1, "run_id": "20260101-120000_test", "gemeente": "GM0392", "gemeentenaam": "Haarlem",
        "referentiejaar": [2019, 2020], "synthetisch": False, "kosten_jaren": [2026, 2035],
        "hoogste_belemmering": [
            {"code": "WK039221", "naam": "Meerwijk", "niveau": "wijk", "kans_top3": 0.97},
            {"code": "WK039218", "naam": "Europawijk", "niveau": "wijk", "kans_top3": 0.83},
            {"code": "WK039215", "naam": "Delftwijk", "niveau": "wijk", "kans_top3": 0.91},
            {"code": "SD0392SC", "naam": "Schalkwijk", "niveau": "stadsdeel", "kans_top3": 0.99},
        ],
        "vraag_per_jaar": years,
        "scenarios": [
            _scenario("pmedian", 0, [], _iv(0, 0, 0), _iv(0, 0, 0), None, 2.34, 2.56, 1.0),
            _scenario("pmedian", 1, ["Midden van Te Zaanenkwartier"], _iv(17432, 18100, 19251), _iv(134420, 425126, 454783),
                      _iv(7.216, 21.98, 24.87), 1.73, 1.88, 0.765, ties=[["Midden van Indischewijk"]]),
            _scenario("mclp", 1, ["Midden van Delftwijk"], _iv(16321, 16900, 17654), _iv(151234, 430000, 461234),
                      _iv(8.55, 22.1, 27.3), 1.81, 1.94, 0.42),
        ],
        "onzekerheid": {"trekkingen": 1500, "seed": 1, "belangrijkste_aanname": "vaste_kosten_omvat_personeel"},
    }


def sample_info() -> pages.RunInfo:
    base = {
        "vaste_kosten_per_loket": {"waarde": 400000.0, "eenheid": "euro per jaar", "bron": "informatienota", "groep": "loketten"},
        "bezoeken_per_inwoner_per_jaar": {"waarde": 0.25, "eenheid": "bezoeken per inwoner per jaar", "bron": "informatienota",
                                          "groep": "loketten"},
        "uurkosten_balie": {"waarde": 60.0, "eenheid": "euro per baliewerkuur", "bron": "aanname", "bereik": [45.0, 80.0],
                            "groep": "loketten"},
        "openingsuren_per_week": {"waarde": 20.0, "eenheid": "uur per week", "bron": "aanname", "bereik": [12.0, 32.0],
                                  "groep": "loketten"},
        "vaste_kosten_omvat_personeel": {"waarde": False, "eenheid": "-", "bron": "onbekend: de nota zegt het niet",
                                         "groep": "loketten"},
        "seed": {"waarde": 1, "eenheid": "-", "bron": "datum", "groep": "run"},
    }
    return pages.RunInfo(
        run_id="20260101-120000_test", date=dt.datetime(2026, 1, 1, 12, 0), code_version="abc123", municipality="Haarlem",
        sources=[{"bestand": "cbs/kwb.csv", "bron": "Bron: CBS (Kerncijfers wijken en buurten 2024)", "jaar": 2024}],
        parameters={k: v["waarde"] for k, v in base.items()}, base=base,
        sensitivity=[{"parameter": "vaste_kosten_omvat_personeel", "ST": 0.934}, {"parameter": "uurkosten_balie", "ST": 0.047},
                     {"parameter": "openingsuren_per_week", "ST": 0.012}],
    )


def _text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _numbers(value, out: set[str]) -> set[str]:
    """Every way the pages may print a number of ``value`` (recursively), as the formatter writes it."""
    if isinstance(value, dict):
        for v in value.values():
            _numbers(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _numbers(v, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        for shown in (fmt.estimate(value), fmt.money(value), fmt.percent(value), fmt.number(value), fmt.number(value, 1),
                      fmt.euro(value), str(int(value)) if float(value).is_integer() else ""):
            out.add(shown.replace("€", "").replace("%", "").strip())
    return out


@pytest.fixture
def page() -> str:
    return front.front_page(sample_summary(), CHAPTERS, title="Decentrale dienstverlening: Haarlem", info=sample_info(),
                            headline_png=b"\x89PNG fake")


def _kernpunten(page: str) -> list[str]:
    section = re.search(r"<section class='kernpunten'.*?</section>", page, re.S)
    assert section, "no Kernpunten section"
    return re.findall(r"<li>(.*?)</li>", section.group(0), re.S)


def test_kernpunten_come_first_with_four_to_six_bullets(page):
    bullets = _kernpunten(page)
    assert 4 <= len(bullets) <= 6
    order = [page.index(f"id='{a}'") for a in ("kernpunten", "kerncijfers", "zeker", "varianten", "hoofdstukken")]
    assert order == sorted(order)
    assert page.index("id='kerncijfers'") < page.index("<figure") < page.index("id='zeker'")


def test_every_number_in_the_kernpunten_derives_from_the_data(page):
    summary, info = sample_summary(), sample_info()
    allowed = _numbers(summary, set()) | _numbers(dict(info.parameters), set())
    one, none = summary["scenarios"][1], summary["scenarios"][0]
    allowed |= _numbers([one["gemiddelde_afstand_km"]["inwoners"] - none["gemiddelde_afstand_km"]["inwoners"],
                         1 / info.parameters["bezoeken_per_inwoner_per_jaar"], info.sensitivity[0]["ST"]], set())
    text = re.sub(r"P(10|50|90)\b|65-plussers", "", _text(" ".join(_kernpunten(page))))  # names, not numbers
    found = re.findall(r"\d+(?:[.,]\d+)*", text)
    assert len(found) >= 10
    stray = [n for n in found if n not in allowed]
    assert not stray, f"numbers in the Kernpunten that do not come from kerncijfers: {stray}\n{text}"


def test_ranges_and_the_words_for_uncertainty(page):
    text = _text(page)
    assert "17.400 tot 19.300" in text  # visits, estimated: hundreds
    assert "€ 130.000 tot € 450.000" in text and "€ 7,2 tot € 25" in text  # money: two significant digits
    assert "83% tot 97%" in text  # chance in the top three of the three wijken
    assert "bandbreedte" in text and "onzeker" in text.lower()
    assert "93%" in text, "the share of the uncertainty of the assumption that matters most"
    assert "2,3 km" in text and "1,7 km" in text and "1,9 km" in text  # distance before/after, residents and 65+


def test_no_code_names_visible_and_dutch_page(page):
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert "<title>Decentrale dienstverlening: Haarlem</title>" in page and "<main" in page
    visible = _text(re.sub(r"<style>.*?</style>", "", page, flags=re.S))
    assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", visible.replace("20260101-120000_test", "")), \
        re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b", visible)
    assert "pmedian" not in visible and "mclp" not in visible


def test_links_to_glossary_method_and_chapters(page):
    for target in ("begrippen.html", "verantwoording.html", "toegankelijkheid.html", "colofon.html", *(h for h, _, _ in CHAPTERS)):
        assert f'href="{target}' in page or f"href='{target}" in page, target


def test_headline_map_has_a_caption_and_alt_text(page):
    figure = re.search(r"<figure class='hoofdkaart'>.*?</figure>", page, re.S).group(0)
    alt = re.search(r"alt='([^']+)'", figure).group(1)
    assert "Meerwijk" in alt and "Haarlem" in alt
    assert "Figuur 1." in figure and "Bron: CBS (KWB 2024), Kadaster/PDOK" in figure
    no_map = front.front_page(sample_summary(), CHAPTERS, title="t", info=sample_info())
    assert "<figure" not in no_map


def test_title_block_and_scenario_table(page):
    assert "1 januari 2026" in page and "abc123" in page and "20260101-120000_test" in page
    assert "Contact" not in page, "no contact is invented when the config names none"
    assert "<caption>Tabel 2. Alle doorgerekende varianten" in page  # Tabel 1 is the assumption table above it
    assert "<th scope=\"col\" class=\"tekst\">locaties</th>" in page


def test_servicenorms_shown_only_when_present(page):
    assert "Servicenormen" not in page
    summary = copy.deepcopy(sample_summary())
    channel = {"kanaal": "telefoon", "norm": "80% van de bellers binnen 30 seconden te woord gestaan", "fte_huidig": 12.4,
               "fte_nodig_piekjaar": 15.1, "aandeel_binnen_norm_piekjaar": {"huidige_capaciteit": 0.52, "uitbreiding": 0.8},
               "slechtste_jaar": 2026, "aandeel_binnen_norm_piekjaar_bereik": {"laag": 0.41, "standaard": 0.52, "hoog": 0.63}}
    summary["servicenormen"] = {"piekjaar": 2026, "gemeenten": [{"gemeente": "GM0392", "gemeentenaam": "Haarlem",
                                                                  "kanalen": [channel]}]}
    with_norms = front.front_page(summary, CHAPTERS, title="t", info=sample_info())
    text = _text(with_norms)
    assert "Servicenormen" in with_norms and "41% tot 63%" in text and "15,1 fte" in text and "12,4 fte" in text
    assert 4 <= len(_kernpunten(with_norms)) <= 6


def test_front_page_without_uncertainty_analysis_or_info():
    summary = sample_summary()
    del summary["onzekerheid"]
    bare = front.front_page(summary, CHAPTERS, title="t")
    assert "nog niet over de onzekere aannames heen doorgerekend" in bare
    assert 4 <= len(_kernpunten(bare)) <= 6


def test_own_pages_are_whole_dutch_pages():
    info = sample_info()
    for text in (pages.glossary_page(), pages.method_page(info), pages.accessibility_page(), pages.colophon_page(info)):
        assert '<html lang="nl">' in text and re.search(r"<title>[^<]+</title>", text) and "<main" in text
        assert "<style>" in text


def test_glossary_anchors():
    glossary = pages.glossary_page()
    ids = re.findall(r'id="([^"]+)"', glossary)
    assert len(ids) == len(set(ids)), "duplicate anchors"
    for anchor in ("z-score", "index", "dirichlet", "lisa", "hotspot", "fdr", "moran", "huff", "p-median", "maximale-dekking",
                   "erlang-c", "erlang-a", "monte-carlo", "p10-p50-p90", "sobol", "aanname", "bandbreedte", "kwb", "buurt",
                   "wijk", "stadsdeel", "reisdocumentendip"):
        assert anchor in ids, anchor
    assert pages.term_link("lisa") == '<a href="begrippen.html#lisa">LISA en hotspot</a>'
    with pytest.raises(KeyError):
        pages.term_link("onbekend")


def test_method_page_and_colophon():
    info = sample_info()
    method = pages.method_page(info)
    assert "CC BY 4.0" in method and "Bron: CBS (Kerncijfers wijken en buurten 2024)" in method
    assert "12 tot 32 uur per week" in method and "€ 45 tot € 80 per baliewerkuur" in method
    assert "Startgetal" not in method, "technical parameters stay out of the assumption table"
    assert "€ 400.000 per jaar" in method  # the method steps take the amount from the parameters
    colophon = pages.colophon_page(info)
    assert "20260101-120000_test" in colophon and "abc123" in colophon and "CC BY 4.0" in colophon
    assert "1 januari 2026" in colophon
