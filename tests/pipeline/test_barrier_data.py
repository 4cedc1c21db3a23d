"""The barrier index on the real data responds to the weights as it should."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from decentraal.methods import indicators, overview


@pytest.fixture(scope="module")
def haarlem_wijk(built):
    layers, _, _ = built
    wijk = overview.select(layers, "GM0392")["wijk"]
    return indicators.safe_table(pd.DataFrame(wijk.drop(columns="geometry")), 10)


def _only(key: str) -> dict[str, float]:
    return {i.key: (1.0 if i.key == key else 0.0) for i in indicators.INDICATORS}


def test_weight_on_65plus_only_ranks_the_oldest_wijk_first(haarlem_wijk):
    # a one-indicator index cannot be standardised against others; give 65+ all but a sliver
    weights = {k: (1.0 if k == "aandeel_65plus" else 1e-6) for k in _only("aandeel_65plus")}
    index = indicators.barrier_index(haarlem_wijk, weights).index
    first = index["rank"].idxmin()
    assert first == haarlem_wijk.loc[haarlem_wijk["aandeel_65plus"].idxmax(), "code"]


def test_weight_on_income_ranks_the_lowest_income_first(haarlem_wijk):
    weights = {k: (1.0 if k == "inkomen_per_inwoner" else 1e-6) for k in _only("inkomen_per_inwoner")}
    index = indicators.barrier_index(haarlem_wijk, weights).index
    lowest = haarlem_wijk.loc[haarlem_wijk["inkomen_per_inwoner"].idxmin(), "code"]
    assert index["rank"].idxmin() == lowest == "WK039221"  # Meerwijk, EUR 25,900 (KWB 2024)


def test_zero_weight_leaves_indicator_out_and_says_why(haarlem_wijk):
    chosen = indicators.index_input(haarlem_wijk, {**{i.key: 1.0 for i in indicators.INDICATORS}, "afstand_loket_km": 0.0})
    assert "afstand_loket_km" not in chosen.weights
    assert "afstand_loket_km" not in chosen.values.columns
    assert chosen.left_out.loc[chosen.left_out["indicator"] == "Afstand tot het dichtstbijzijnde loket", "reden"].item() == "gewicht 0"


def test_safe_table_hides_small_counts_and_their_shares(built):
    layers, _, _ = built
    table = indicators.safe_table(pd.DataFrame(layers["buurt"].drop(columns="geometry")), 10)
    for column in indicators.COUNT_COLUMNS:
        assert not (table[column] < 10).any(), column
    small = layers["buurt"]["inwoners"] < 10
    for share, denominator in indicators.DENOMINATORS.items():
        if denominator == "inwoners":
            assert table.loc[small.to_numpy(), share].isna().all(), share
    few_old = layers["buurt"]["inwoners_65plus"] < 10
    assert table.loc[few_old.to_numpy(), "aandeel_65plus"].isna().all()
    assert np.isfinite(table["aandeel_65plus"].dropna()).all()
