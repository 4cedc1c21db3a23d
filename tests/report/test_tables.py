"""Committee tables: Dutch headers, alignment, CBS signs with their key, numbered captions, source line, A4 width."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from decentraal.report import format as fmt
from decentraal.report import tables
from decentraal.report.labels import COLUMNS


def _cells(html: str, cls: str) -> list[str]:
    return re.findall(rf'<td class="{cls}[^"]*">([^<]*)</td>', html)


@pytest.fixture
def areas() -> pd.DataFrame:
    return pd.DataFrame({
        "naam": ["Oude Stad", "Meerwijk", "Buitengebied"],
        "inwoners": [14745.0, 9200.0, math.nan],
        "aandeel_65plus": [15.87, 21.06, 30.0],
        "onderdrukt_kolommen": ["", "", "aandeel_65plus"],
    })


def test_every_registered_label_is_dutch():
    for key, column in COLUMNS.items():
        tables.check_header(column.label)  # raises on a snake_case label
        assert column.kind in tables.FORMATS, f"{key}: unknown format kind {column.kind}"


def test_snake_case_header_or_unlabelled_column_is_refused(areas):
    with pytest.raises(ValueError, match="Dutch label"):
        tables.check_header("fijnste_niveau")
    with pytest.raises(KeyError, match="labels.COLUMNS"):
        tables.table(areas.assign(p_sim_x=1), ["naam", "p_sim_x"])
    with pytest.raises(ValueError, match="code name"):
        tables.table(areas, ["naam", "inwoners"], labels={"inwoners": "inwoners_totaal"})
    with pytest.raises(ValueError):
        tables.plain(pd.DataFrame({"covered_share": ["1"]}))


def test_headers_are_the_dutch_labels_with_units(areas):
    html = tables.table(areas, ["naam", "inwoners", "aandeel_65plus"]).to_html()
    headers = re.findall(r'<th scope="col" class="[a-z]+">([^<]*)</th>', html)
    assert headers == ["gebied", "inwoners", "Aandeel 65-plussers (%)"]
    assert not re.search(r">[^<]*[a-z]_[a-z][^<]*<", html), "a code name is visible"


def test_text_left_numbers_right(areas):
    html = tables.table(areas, ["naam", "inwoners", "aandeel_65plus"]).to_html()
    assert _cells(html, "tekst") == ["Oude Stad", "Meerwijk", "Buitengebied"]
    assert "14.745" in _cells(html, "getal") and "21,1%" in _cells(html, "getal")
    assert '<th scope="col" class="tekst">gebied</th>' in html
    # a text column holding ranges of amounts is right-aligned too
    plain = tables.plain(pd.DataFrame({"scenario": ["1 nieuw"], "extra kosten": [fmt.money_range(134420, 444783)]})).to_html()
    assert _cells(plain, "getal") == ["€ 130.000 tot € 440.000"] and _cells(plain, "tekst") == ["1 nieuw"]


def test_cbs_signs_and_their_key(areas):
    t = tables.table(areas, ["naam", "inwoners", "aandeel_65plus"])
    html = t.to_html()
    assert _cells(html, "getal").count(".") == 1  # unknown inhabitants
    assert _cells(html, "getal").count("x") == 1  # the share hidden by disclosure control
    assert "30,0%" not in html, "a hidden value leaked"
    assert t.symbols == {".", "x"}
    assert "Verklaring van tekens: . = gegevens ontbreken" in html and "x = geheim" in html
    clean = tables.table(areas.iloc[:2], ["naam", "inwoners"]).to_html()
    assert "Verklaring van tekens" not in clean
    assert fmt.cbs_symbol(0, nil=True) == "-" and fmt.cbs_symbol(0) is None
    assert "- = nihil" in fmt.cbs_footnote({"-"})
    # an en dash from a pre-formatted table is the CBS sign for unknown
    plain = tables.plain(pd.DataFrame({"jaar": ["2026"], "kosten": [fmt.MISSING]}))
    assert "." in _cells(plain.to_html(), "getal") and plain.symbols == {"."}


def test_captions_are_numbered_per_page(areas):
    page = tables.Numbering()
    first = tables.table(areas, ["naam"], caption="Inwoners per wijk", numbering=page).to_html()
    second = tables.plain(pd.DataFrame({"a": ["b"]}), caption="Tweede tabel.", numbering=page).to_html()
    other_page = tables.table(areas, ["naam"], caption="Op een andere pagina", numbering=tables.Numbering()).to_html()
    assert "<caption>Tabel 1. Inwoners per wijk</caption>" in first
    assert "<caption>Tabel 2. Tweede tabel</caption>" in second
    assert "<caption>Tabel 1. Op een andere pagina</caption>" in other_page
    assert "<caption>Tabel 7. Vast nummer</caption>" in tables.table(areas, ["naam"], caption="Vast nummer", number=7).to_html()
    assert "<caption>" not in tables.table(areas, ["naam"]).to_html()
    assert tables.caption_text(3, "Kosten.") == "Tabel 3. Kosten"


def test_source_line_from_the_columns(areas):
    html = tables.table(areas, ["naam", "inwoners"]).to_html()
    assert '<p class="bron">Bron: CBS (KWB 2024); bewerking decentraal</p>' in html
    index = tables.table(pd.DataFrame({"naam": ["a"], "index": [0.5]}), ["naam", "index"]).to_html()
    assert "Bron: CBS (KWB 2024), Kadaster/PDOK (Wijk- en Buurtkaart); bewerking decentraal" in index
    assert "Bron: eigen bron" in tables.table(areas, ["naam"], source="eigen bron").to_html()
    sourced = tables.table(pd.DataFrame({"indicator": ["a"], "bron": ["CBS"]}), ["indicator", "bron"]).to_html()
    assert "Bron: zie de kolom &#x27;bron&#x27;; bewerking decentraal" in sourced


def test_wide_tables_are_set_smaller_and_long_text_wraps():
    narrow = tables.plain(pd.DataFrame({"gebied": ["Oude Stad"], "inwoners": ["14.745"]}))
    assert narrow.width < tables.A4_CHARACTERS and 'class="dataframe tabel"' in narrow.to_html()
    wide = tables.plain(pd.DataFrame({f"kolom {i}": ["€ 1.300.000 tot € 1.400.000"] for i in range(6)}))
    assert wide.width > tables.A4_CHARACTERS and 'class="dataframe tabel klein"' in wide.to_html()
    long_text = tables.plain(pd.DataFrame({"toelichting": ["een lange zin " * 10], "n": ["3"]}))
    assert 'class="tekst lang"' in long_text.to_html()
    assert long_text.width < tables.A4_CHARACTERS  # wrapped text counts as a narrow column


def test_number_style():
    assert fmt.estimate(19268.6) == "19.300" and fmt.estimate(432) == "430"
    assert fmt.money(425126.25) == "€ 430.000" and fmt.money(7.216) == "€ 7,2"
    assert fmt.money_range(134420.0, 444783.85) == "€ 130.000 tot € 440.000"
    assert fmt.percent_range(0.983, 1.0) == "98% tot 100%"
    assert fmt.quantity(12.0, "uur per week") == "12 uur per week" and fmt.quantity(2024, "jaar") == "2024"
