"""Chapter 02 end to end: ``pipeline.barriers.barriers`` on the shipped data with the base.yaml defaults."""

from __future__ import annotations

import pandas as pd
import pytest

from decentraal import pipeline, report
from decentraal.io.outputs import PEOPLE_COUNT

#: Tables the chapter writes for the default run (Haarlem, niveau wijk).
TABLES = ["02_indicatoren_definities", "02_indicatoren_wijk", "02_vergelijking_gemiddelde_wijk",
          "02_index_wijk", "02_index_stadsdeel", "02_moran", "02_lisa_buurt"]


@pytest.fixture(scope="module")
def chapter():
    """The default session (writes to outputs/_interactief) and its chapter 02 result."""
    s = pipeline.start("02", namespace={})
    return s, pipeline.barriers.barriers(s)


def test_meerwijk_has_the_highest_index(chapter):
    s, r = chapter
    assert r.level == "wijk"
    assert r.ranking.table.iloc[0]["naam"] == "Meerwijk"
    assert r.ranking.table.iloc[0]["rank"] == 1
    assert report.barriers.check_line(r, s) == "hoogste index GM0392 wijk: Meerwijk"


def test_every_ranked_level_is_present_and_written(chapter):
    s, r = chapter
    assert r.levels == ("wijk", "stadsdeel")
    assert set(r.rankings) == set(r.levels)
    for level, ranking in r.rankings.items():
        assert ranking.level == level
        assert len(ranking.table) == len(s.layers[level])
        assert ranking.table["rank"].dropna().is_monotonic_increasing
        assert (s.out.root / "tables" / f"02_index_{level}.csv").is_file()
    assert r.rankings["stadsdeel"].table.iloc[0]["naam"] == "Schalkwijk"
    assert (s.out.root / "layers" / "02_index_wijk.gpkg").is_file()


def test_written_tables_show_no_count_below_the_threshold(chapter):
    s, _ = chapter
    threshold = s.params.onthulling_drempel
    assert threshold == 10
    checked = 0
    for name in TABLES:
        frame = pd.read_csv(s.out.root / "tables" / f"{name}.csv")
        for column in [c for c in frame.columns if PEOPLE_COUNT.match(c)]:
            values = pd.to_numeric(frame[column], errors="coerce").dropna()
            assert (values >= threshold).all(), f"{name}.{column} shows a count below {threshold}"
            checked += 1
    assert checked >= 3  # inwoners and huishoudens in the indicator and index tables


def test_hotspots_cover_the_buurt_indicators(chapter):
    _, r = chapter
    h = r.hotspots
    assert h.keys == ("aandeel_65plus", "aandeel_goede_gezondheid", "afstand_loket_km")
    assert len(h.moran) == len(h.keys)
    assert h.moran["p_sim"].between(0, 1).all()
    assert len(h.lisa) == len(h.keys) * len(h.buurten)


def test_comparison_flags_only_beyond_one_sd(chapter):
    _, r = chapter
    flagged = r.comparison.loc[r.comparison["flag"] != ""]
    assert not flagged.empty
    assert (flagged["z"].abs() > 1).all()
    assert set(flagged["naam"]) <= set(r.indicators["naam"])


def test_report_builds_every_displayed_object(chapter):
    s, r = chapter
    b = report.barriers
    for styler in (b.definitions(r), b.indicator_table(r), b.comparison(r), b.ranking_table(r, s), b.moran_table(r)):
        assert "<table" in styler.to_html()
    for fig in (b.indicator_maps(r, s), b.stability_chart(r, s), b.index_map(r, s), b.lisa_map(r, s)):
        assert fig.axes
    assert b.summary(r, s).data.startswith('<div class="samenvatting">Op wijkniveau')
    assert "Per stadsdeel: Schalkwijk plaats 1" in b.summary(r, s).data
    assert b.left_out(r).data == "Niet in de index: geen."


def test_gemeente_level_ranks_wijken(tmp_path):
    s = pipeline.start("02", namespace={"niveau": "gemeente", "uitvoer_map": str(tmp_path),
                                        "stabiliteit_trekkingen": 50, "lisa_permutaties": 99})
    r = pipeline.barriers.barriers(s)
    assert r.level == "wijk" and "gemeente" not in r.levels
    assert (tmp_path / "tables" / "02_index_wijk.csv").is_file()
    assert "daarom per wijk getoond" in report.barriers.header(s).data
    assert report.barriers.check_line(r, s) == "hoogste index GM0392 gemeente: Meerwijk"


@pytest.mark.parametrize(("level", "available", "ranked"), [
    ("wijk", ["buurt", "wijk", "stadsdeel", "gemeente"], ("wijk", "stadsdeel")),
    ("buurt", ["buurt", "wijk", "stadsdeel", "gemeente"], ("buurt", "wijk", "stadsdeel")),
    ("stadsdeel", ["buurt", "wijk", "stadsdeel", "gemeente"], ("stadsdeel", "wijk")),
    ("buurt", ["buurt", "wijk", "gemeente"], ("buurt", "wijk")),
])
def test_ranked_levels(level, available, ranked):
    assert pipeline.barriers.ranked_levels(level, available) == ranked
