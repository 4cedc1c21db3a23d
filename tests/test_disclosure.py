"""Tests for decentraal.disclosure (property-based with hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decentraal.methods.disclosure import (
    SmallCountError,
    ThresholdError,
    assert_no_small_counts,
    suppress,
)

COUNTS = ["n_65plus", "n_alleenstaand"]
SHARES = {"aandeel_65plus": "inwoners", "aandeel_laag_inkomen": "huishoudens"}

count_value = st.one_of(st.none(), st.integers(min_value=0, max_value=60))
share_value = st.one_of(st.none(), st.floats(min_value=0, max_value=1, allow_nan=False))


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    n_rows = draw(st.integers(min_value=1, max_value=15))
    column = lambda values: st.lists(values, min_size=n_rows, max_size=n_rows)  # noqa: E731
    data = {
        "naam": [f"buurt {i}" for i in range(n_rows)],
        **{col: draw(column(count_value)) for col in COUNTS},
        "inwoners": draw(column(count_value)),
        "huishoudens": draw(column(count_value)),
        **{col: draw(column(share_value)) for col in SHARES},
    }
    frame = pd.DataFrame(data, index=[f"BU{i:04d}" for i in range(n_rows)])
    numeric = [*COUNTS, "inwoners", "huishoudens", *SHARES]
    frame[numeric] = frame[numeric].astype(float)  # None -> NaN
    return frame


@settings(max_examples=200, deadline=None)
@given(table=tables(), threshold=st.integers(min_value=1, max_value=30))
def test_suppress_leaves_no_small_counts_or_shares(table: pd.DataFrame, threshold: int):
    before = table.copy(deep=True)
    result = suppress(table, count_columns=COUNTS, share_columns=SHARES, threshold=threshold)

    # The input is not mutated.
    pd.testing.assert_frame_equal(table, before)

    # No count (nor denominator, which is a count too) below the threshold remains.
    for col in [*COUNTS, *SHARES.values()]:
        shown = result[col].dropna()
        assert (shown >= threshold).all(), col
    assert_no_small_counts(result, [*COUNTS, *SHARES.values()], threshold)

    # No share remains whose denominator (before suppression) is missing or small.
    for share, denominator in SHARES.items():
        small = table[denominator].isna() | (table[denominator] < threshold)
        assert result.loc[small, share].isna().all(), share
        # ... and shares on a large enough denominator are untouched.
        pd.testing.assert_series_equal(result.loc[~small, share], table.loc[~small, share])

    # The flags describe exactly what was blanked (a value that was there is now NaN).
    checked = [*COUNTS, *SHARES.values(), *SHARES]
    blanked = table[checked].notna() & result[checked].isna()
    assert (result["onderdrukt"] == blanked.any(axis=1)).all()
    for area, row in blanked.iterrows():
        listed = {name for name in result.loc[area, "onderdrukt_kolommen"].split(", ") if name}
        assert listed == set(row.index[row.to_numpy()])
    # Other columns and non-suppressed values are untouched.
    assert result["naam"].equals(table["naam"])
    kept = ~blanked
    assert (result[checked][kept].fillna(-1) == table[checked][kept].fillna(-1)).all().all()


def test_suppress_small_example_and_zero_counts():
    table = pd.DataFrame(
        {"n": [0, 5, 10, 25], "noemer": [50, 9, 10, np.nan], "aandeel": [0.0, 0.5, 0.3, 0.2]},
        index=["A", "B", "C", "D"],
    )
    result = suppress(table, count_columns=["n"], share_columns={"aandeel": "noemer"}, threshold=10)
    assert result["n"].isna().tolist() == [True, True, False, False]  # 0 is suppressed too
    assert result["aandeel"].isna().tolist() == [False, True, False, True]  # D: denominator missing
    assert result["noemer"].isna().tolist() == [False, True, False, True]
    assert result["onderdrukt"].tolist() == [True, True, False, True]
    assert result["onderdrukt_kolommen"].tolist() == ["n", "n, noemer, aandeel", "", "aandeel"]
    assert result.attrs["suppressed"] == {"n": 2, "noemer": 1, "aandeel": 2}
    assert table["n"].tolist() == [0, 5, 10, 25]  # input untouched


@pytest.mark.parametrize("bad", [0, -3, 2.5, 10.0, "10", True, None])
def test_threshold_must_be_positive_int(bad):
    table = pd.DataFrame({"n": [1, 20]})
    with pytest.raises(ThresholdError, match=r"threshold is .* but must be a positive integer"):
        suppress(table, count_columns=["n"], share_columns={}, threshold=bad)
    with pytest.raises(ThresholdError):
        assert_no_small_counts(table, ["n"], bad)


def test_column_errors():
    table = pd.DataFrame({"n": [1, 20], "aandeel": [0.1, 0.2]})
    with pytest.raises(ValueError, match=r"count column\(s\) 'm' not in the table"):
        suppress(table, count_columns=["m"], share_columns={})
    with pytest.raises(ValueError, match=r"denominator column\(s\) 'noemer' not in the table"):
        suppress(table, count_columns=["n"], share_columns={"aandeel": "noemer"})
    once = suppress(table, count_columns=["n"], share_columns={})
    with pytest.raises(ValueError, match=r"already has column\(s\) 'onderdrukt'"):
        suppress(once, count_columns=["n"], share_columns={})


def test_assert_no_small_counts_names_column_and_row():
    table = pd.DataFrame({"n": [12, 3, np.nan, 40], "m": [11, 11, 11, 11]}, index=["A", "B", "C", "D"])
    with pytest.raises(SmallCountError, match=r"column 'n' at row\(s\) 'B'"):
        assert_no_small_counts(table, ["n", "m"], 10)
    assert_no_small_counts(table, ["m"], 10)  # NaN and large counts are fine
