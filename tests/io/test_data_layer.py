"""The data layer checked against independent published figures (CBS totals, stadsdeel profiles)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from decentraal.io import loaders
from decentraal.methods import aggregate, geography, overview

# CBS Kerncijfers wijken en buurten 2024 (85984NED), gemeente rows as published by CBS.
PUBLISHED_INHABITANTS = {"GM0392": 167_636, "GM0473": 17_469}
# Haarlem stadsdeel profiles (total area in ha), cited in data/raw/stadsdelen/README.md.
STADSDEEL_PROFILE_HA = {"Centrum": 163, "Noord": 914, "Oost": 774, "Schalkwijk": 728, "Zuid-West": 630}


def test_published_totals_are_the_cbs_figures(raw):
    gemeenten = raw.kwb.loc[raw.kwb["niveau"] == "gemeente"].set_index("code")["inwoners"]
    assert gemeenten.to_dict() == {k: float(v) for k, v in PUBLISHED_INHABITANTS.items()}


@pytest.mark.parametrize("gemeente", ["GM0392", "GM0473"])
def test_buurt_inhabitants_sum_to_published_total_within_rounding(raw, gemeente):
    check = overview.total_check(raw.kwb, gemeente)
    assert check["gepubliceerd"] == PUBLISHED_INHABITANTS[gemeente]
    # CBS rounds each buurt count to a multiple of 5: at most 2.5 off per buurt.
    assert abs(check["verschil_buurt"]) <= check["tolerantie_buurt"]
    assert abs(check["verschil_wijk"]) <= check["tolerantie_wijk"]
    if gemeente == "GM0392":
        assert check["som_buurt"] == 167_670  # as stated in the data README


def test_wijk_counts_aggregated_from_buurten_match_cbs_wijk_rows(raw):
    kwb = raw.kwb
    buurten = kwb.loc[kwb["niveau"] == "buurt"]
    summed = aggregate.aggregate(buurten, "wijkcode", counts=["inwoners", "inwoners_65plus", "huishoudens"])
    wijken = kwb.loc[kwb["niveau"] == "wijk"].set_index("code")
    merged = summed.set_index("code").join(wijken.add_suffix("_cbs"))
    assert len(merged) == 25
    for column in ("inwoners", "inwoners_65plus", "huishoudens"):
        both = merged[[column, f"{column}_cbs"]].dropna()
        # every rounded count (the buurten and the wijk itself) is less than 5 off
        tolerance = overview.ROUNDING_PER_AREA * (merged.loc[both.index, "n_gebieden"] + 1)
        assert ((both[column] - both[f"{column}_cbs"]).abs() <= tolerance).all(), column
        assert len(both) >= 20


def test_area_counts(built):
    layers, _, _ = built
    count = lambda level, g: int((layers[level]["gemeentecode"] == g).sum())  # noqa: E731
    assert (count("buurt", "GM0392"), count("wijk", "GM0392"), count("stadsdeel", "GM0392")) == (111, 21, 5)
    assert (count("buurt", "GM0473"), count("wijk", "GM0473"), count("stadsdeel", "GM0473")) == (19, 4, 0)
    assert count("gemeente", "GM0392") == count("gemeente", "GM0473") == 1


def test_stadsdeel_area_matches_published_profiles(raw):
    wijken = raw.wijken_2024.merge(raw.stadsdelen[["wijkcode", "stadsdeel"]], left_on="code", right_on="wijkcode")
    area = wijken.groupby("stadsdeel")["oppervlakte_totaal_ha"].sum()
    for name, profile in STADSDEEL_PROFILE_HA.items():
        assert abs(area[name] - profile) <= 1, name
    # the polygons agree too (2024 wijk polygons are full resolution)
    layers = geography.build_area_layers(raw.buurten, raw.wijken_2024, raw.stadsdelen)
    poly_ha = layers["stadsdeel"].set_index("naam").geometry.area / 10_000
    for name, profile in STADSDEEL_PROFILE_HA.items():
        assert abs(poly_ha[name] - profile) / profile < 0.02, name


def test_gemeente_indicators_recomputed_from_counts_match_published_values(raw, built):
    layers, _, _ = built
    gem = layers["gemeente"].set_index("code")
    published = raw.kwb.set_index("code")
    # income per inhabitant: wijk totals / inhabitants vs the CBS gemeente value (EUR 1,000)
    assert abs(gem.loc["GM0392", "inkomen_per_inwoner"] - published.loc["GM0392", "inkomen_per_inwoner_1000eur"]) < 0.15
    # good health: buurt estimates weighted by inhabitants 15+ vs the RIVM gemeente estimate
    health = raw.gezondheid.set_index("code")["pct_goede_gezondheid_2024"]
    assert abs(gem.loc["GM0392", "aandeel_goede_gezondheid"] - health["GM0392"]) < 0.3
    assert abs(gem.loc["GM0473", "aandeel_goede_gezondheid"] - health["GM0473"]) < 0.6
    # share 65+ from counts, against the published gemeente counts
    expected = 100 * published.loc["GM0392", "inwoners_65plus"] / published.loc["GM0392", "inwoners"]
    assert abs(gem.loc["GM0392", "aandeel_65plus"] - expected) < 0.05


def test_shipped_data_has_no_join_or_vintage_mismatch(built):
    _, _, report = built
    assert report.empty, report


def test_layers_are_in_rd_new_with_vintage_labels(built):
    layers, counters, _ = built
    for level, layer in layers.items():
        assert layer.crs.to_epsg() == 28992, level
        assert layer["geometriebron"].notna().all()
    wijk = layers["wijk"].set_index("code")
    assert wijk.loc["WK039201", "geometriebron"].startswith("PDOK Wijk- en Buurtkaart 2024")
    assert "samengevoegde buurten 2019" in wijk.loc["WK047301", "geometriebron"]
    assert counters.crs.to_epsg() == 28992 and len(counters) == 2


def test_cbs_special_values_become_missing():
    values = pd.Series(["", ".", "-99995", "-99997", "-99999", "5", "0", "-3.5"])
    parsed = loaders.cbs_numeric(values, column="x", source="test.csv")
    assert parsed.isna().tolist() == [True] * 5 + [False] * 3
    assert parsed.iloc[5:].tolist() == [5.0, 0.0, -3.5]


def test_empty_population_stays_missing_not_zero(raw):
    strand = raw.kwb.set_index("code").loc["BU04730401"]  # Noord strand: no inhabitants published
    assert np.isnan(strand["inwoners"])
