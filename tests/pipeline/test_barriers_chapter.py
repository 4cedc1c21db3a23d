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
    assert h.keys == ("aandeel_65plus", "aandeel_goede_gezondheid")
    assert len(h.moran) == len(h.keys)
    assert h.moran["p_sim"].between(0, 1).all()
    assert len(h.lisa) == len(h.keys) * len(h.buurten)


def test_fdr_never_finds_more_lisa_buurten_than_the_uncorrected_test(chapter):
    s, r = chapter
    h, alpha = r.hotspots, s.params.lisa_alpha
    assert s.params.lisa_fdr and h.fdr and h.alpha == alpha
    for row in h.moran.itertuples():
        local = h.lisa.loc[h.lisa["indicator"] == row.indicator]
        assert row.lisa_fdr <= row.lisa_zonder_correctie
        assert row.p_grens_fdr <= alpha
        assert row.lisa_zonder_correctie == local["significant_zonder_correctie"].sum() == (local["p_sim"] < alpha).sum()
        assert row.lisa_fdr == local["significant"].sum()  # the map shows the FDR result by default
        assert (local.loc[local["significant"], "p_sim"] < row.p_grens_fdr).all()
    # The numbers: many buurten 'significant' per buurt, (almost) none after the correction.
    counts = h.moran.set_index("indicator")[["lisa_zonder_correctie", "lisa_fdr"]]
    older = counts.loc["Aandeel 65-plussers"]
    health = counts.loc["Aandeel volwassenen met (zeer) goede ervaren gezondheid"]
    assert older["lisa_zonder_correctie"] >= 10 and older["lisa_fdr"] == 0  # 19 and 0 on the 2024 data
    assert 4 * health["lisa_fdr"] < health["lisa_zonder_correctie"]  # 37 and 4
    assert "0 na FDR" in report.barriers.lisa_map(r, s).axes[0].get_title()


def test_distance_is_not_tested_for_clustering(chapter):
    s, r = chapter
    h = r.hotspots
    distance = "Afstand tot het dichtstbijzijnde loket"
    assert "afstand_loket_km" not in h.keys and h.not_tested == ("afstand_loket_km",)
    assert distance not in set(h.moran["indicator"]) and distance not in set(h.lisa["indicator"])
    written = pd.read_csv(s.out.root / "tables" / "02_moran.csv")
    assert distance not in set(written["indicator"])
    assert "niet getoetst op clustering" in report.barriers.hotspot_method(r, s).data


def test_the_65plus_share_is_tested_as_an_eb_rate_and_health_as_given(chapter):
    _, r = chapter
    tests = r.hotspots.moran.set_index("indicator")["toets"]
    assert tests["Aandeel 65-plussers"] == "EB-aandeel"
    assert tests["Aandeel volwassenen met (zeer) goede ervaren gezondheid"] == "waarde"


def test_indicator_overlap_at_the_shown_level(chapter):
    s, r = chapter
    corr, pca = r.diagnostics.correlation, r.diagnostics.pca
    keys = list(r.ranking.weights)
    assert list(corr.columns) == keys and list(corr.index) == keys
    assert corr.to_numpy().diagonal() == pytest.approx([1.0] * len(keys))
    # Origin, income and health point to the same wijken (the r = 0.72-0.91).
    socio = corr.loc[["aandeel_herkomst_buiten_europa", "inkomen_per_inwoner", "aandeel_goede_gezondheid"],
                     ["aandeel_herkomst_buiten_europa", "inkomen_per_inwoner", "aandeel_goede_gezondheid"]]
    assert socio.to_numpy().min() > 0.7
    assert 1 / len(keys) < pca.first_share < 1
    assert pca.n + pca.n_dropped == len(r.indicators)
    assert (s.out.root / "tables" / "02_correlatie_wijk.csv").is_file()
    assert (s.out.root / "tables" / "02_pca_wijk.csv").is_file()


def test_robustness_checks_compare_with_the_shown_ranking(chapter):
    s, r = chapter
    for level, ranking in r.rankings.items():
        checks = ranking.robustness.set_index("check")
        assert list(checks.index) == ["gewichten", "gegevens", "normalisatie", "aggregatie", "dimensies_gelijk"]
        assert checks.loc["gewichten", "n_variants"] == s.params.stabiliteit_trekkingen
        assert checks["spearman_median"].between(-1, 1).all() and checks["top_n_overlap"].between(0, 1).all()
        assert (s.out.root / "tables" / f"02_robuustheid_{level}.csv").is_file()
    table = r.ranking.table
    # Equal weights: the dimension index equals the indicator index wherever every indicator is known.
    complete = table["missing_indicators"] == ""
    assert (table.loc[complete, "rank_alternative"] >= 1).all()
    assert r.ranking.robustness.set_index("check").loc["aggregatie", "spearman_median"] > 0.99
    # The health redraws (+/- 2 percentage points) keep Meerwijk first; percentile ranks keep the top 3.
    assert table.iloc[0]["p_top_n_data"] == 1.0
    assert r.ranking.robustness.set_index("check").loc["normalisatie", "top_n_overlap"] == 1.0


def test_dimension_index_option(tmp_path):
    s = pipeline.start("02", namespace={"index_dimensies": True, "uitvoer_map": str(tmp_path),
                                        "stabiliteit_trekkingen": 50, "lisa_permutaties": 99})
    r = pipeline.barriers.barriers(s)
    assert r.ranking.dimensions
    # each dimension counts once: its weight is the mean of its members' (equal) weights
    total = sum(r.ranking.dimension_weights.values())
    shares = {k: v / total for k, v in r.ranking.dimension_weights.items()}
    assert shares == pytest.approx({"sociaal-economisch": 1 / 3, "leeftijd en huishouden": 1 / 3, "mobiliteit": 1 / 3})
    assert r.ranking.table.iloc[0]["naam"] == "Meerwijk"
    assert "index_dimensies = true" in report.barriers.overlap_summary(r, s).data


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
    for fig in (b.indicator_maps(r, s), b.stability_chart(r, s), b.index_map(r, s), b.lisa_map(r, s),
                b.correlation_heatmap(r)):
        assert fig.axes
    for styler in (b.robustness_table(r, s), b.robustness_areas(r, s)):
        assert "<table" in styler.to_html()
    assert "eerste hoofdcomponent" in b.overlap_summary(r, s).data
    assert "index_dimensies = false" in b.overlap_summary(r, s).data
    assert "Normalisatie" in b.robustness_summary(r, s).data
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


def test_too_few_complete_areas_give_no_principal_components(tmp_path):
    # Zandvoort: only two wijken have every indicator, so no PCA; the page says so instead of failing.
    s = pipeline.start("02", namespace={"gemeente": "GM0473", "naam": "zandvoort", "uitvoer_map": str(tmp_path),
                                        "stabiliteit_trekkingen": 50, "lisa_permutaties": 99})
    r = pipeline.barriers.barriers(s)
    assert r.diagnostics.pca is None and r.diagnostics.n_complete < len(r.ranking.weights) + 1
    assert "te weinig voor hoofdcomponenten" in report.barriers.overlap_summary(r, s).data
    assert report.barriers.correlation_heatmap(r).axes
    assert not (tmp_path / "tables" / "02_pca_wijk.csv").exists()
    assert (tmp_path / "tables" / "02_correlatie_wijk.csv").is_file()
