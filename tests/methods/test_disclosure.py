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
    attack_hierarchy,
    cell_reasons,
    protect_hierarchy,
    select_flags,
    suppress,
    suppression_summary,
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


# ----------------------------------------------------------------------------- the area hierarchy
SHARE_65 = {"aandeel_65plus": ("inwoners_65plus", "inwoners")}


def _levels(buurten: list[tuple[str, str, float, float]], wijken: dict[str, str]) -> tuple[dict, dict]:
    """Buurt rows (code, wijk, inwoners, 65+), wijk totals as sums, wijken under gemeente GM1."""
    buurt = pd.DataFrame(buurten, columns=["code", "wijk", "inwoners", "inwoners_65plus"])
    wijk = buurt.groupby("wijk", as_index=False)[["inwoners", "inwoners_65plus"]].sum().rename(columns={"wijk": "code"})
    for table in (buurt, wijk):
        table["aandeel_65plus"] = 100 * table["inwoners_65plus"] / table["inwoners"]
    tables = {"buurt": buurt.drop(columns="wijk"), "wijk": wijk}
    parents = {"buurt": buurt.set_index("code")["wijk"], "wijk": pd.Series(wijken)}
    return tables, parents


def _protect(tables, parents, threshold=10, **kwargs):
    return protect_hierarchy(tables, parents, count_columns=["inwoners", "inwoners_65plus"], share_columns=SHARE_65,
                             threshold=threshold, **kwargs)


def test_the_issue_examples_are_closed():
    # 35 inhabitants of whom 5 are 65+ (14.29%): the share goes with the 65+ count.
    # A wijk of 7,865 with a buurt of 5: the smallest other buurt is hidden as well.
    tables, parents = _levels(
        [("BU1", "WK1", 5, 0), ("BU2", "WK1", 7000, 900), ("BU3", "WK1", 860, 100),
         ("BU4", "WK2", 35, 5), ("BU5", "WK2", 400, 60), ("BU6", "WK2", 500, 80)],
        {"WK1": "GM1", "WK2": "GM1"},
    )
    out = _protect(tables, parents)
    buurt = out["buurt"].set_index("code")
    assert buurt["inwoners"].isna().tolist() == [True, False, True, False, False, False]
    assert buurt.loc["BU3", "onderdrukt_reden"].startswith("inwoners: secundair")
    assert np.isnan(buurt.loc["BU4", "inwoners_65plus"]) and np.isnan(buurt.loc["BU4", "aandeel_65plus"])
    assert buurt.loc["BU4", "inwoners"] == 35
    assert "aandeel_65plus: aandeel" in buurt.loc["BU4", "onderdrukt_reden"]
    # BU4's 65+ is not alone in WK2: the smallest other 65+ count is hidden too.
    assert np.isnan(buurt.loc["BU5", "inwoners_65plus"])
    assert attack_hierarchy(out, parents, count_columns=["inwoners", "inwoners_65plus"],
                            share_columns=SHARE_65, totals={"GM1": {"inwoners": 8800, "inwoners_65plus": 1145}}).empty


def test_hidden_parent_hides_two_children_and_only_children_follow_their_parent():
    tables, parents = _levels(
        [("BU1", "WK1", 3, 1), ("BU2", "WK2", 300, 40), ("BU3", "WK2", 200, 30), ("BU4", "WK2", 100, 20),
         ("BU5", "WK3", 800, 90), ("BU6", "WK3", 900, 95)],
        {"WK1": "GM1", "WK2": "GM1", "WK3": "GM1"},
    )
    out = _protect(tables, parents)
    wijk = out["wijk"].set_index("code")
    buurt = out["buurt"].set_index("code")
    # WK1 (3 inhabitants) is hidden; its only buurt is the same area.
    assert np.isnan(wijk.loc["WK1", "inwoners"]) and np.isnan(buurt.loc["BU1", "inwoners"])
    # WK1 alone among the wijken: the smallest other wijk (WK2, 600) is hidden ...
    assert np.isnan(wijk.loc["WK2", "inwoners"]) and wijk.loc["WK3", "inwoners"] == 1700
    # ... and would be the sum of its buurten, so its two smallest buurten are hidden, not all three.
    assert buurt.loc[["BU2", "BU3", "BU4"], "inwoners"].isna().tolist() == [False, True, True]
    assert buurt.loc[["BU5", "BU6"], "inwoners"].notna().all()


def test_hidden_cells_of_a_group_hold_at_least_the_threshold_together():
    # Two hidden buurten of 0 and 3: the wijk minus the others would show 3, so a third is hidden.
    tables, parents = _levels(
        [("BU1", "WK1", 0, 0), ("BU2", "WK1", 3, 0), ("BU3", "WK1", 400, 50), ("BU4", "WK1", 500, 60)],
        {"WK1": "GM1"},
    )
    out = _protect(tables, parents)
    assert out["buurt"]["inwoners"].isna().tolist() == [True, True, True, False]


def test_missing_values_count_as_hidden_and_sensitive():
    tables, parents = _levels(
        [("BU1", "WK1", 400, 50), ("BU2", "WK1", 500, 60), ("BU3", "WK1", 600, 70)], {"WK1": "GM1"},
    )
    tables["buurt"].loc[0, "inwoners"] = np.nan  # e.g. "geheim" at CBS
    out = _protect(tables, parents)
    buurt = out["buurt"].set_index("code")
    assert buurt["inwoners"].isna().tolist() == [True, True, False]
    assert buurt.loc["BU1", "onderdrukt_reden"] == "aandeel_65plus: aandeel"  # the missing value is not ours
    assert buurt.loc["BU2", "onderdrukt_reden"].startswith("inwoners: secundair")


def test_linked_columns_share_one_pattern():
    buurt = pd.DataFrame({"code": ["BU1", "BU2", "BU3"], "inwoners": [400.0, 500.0, 600.0], "bezoeken": [4.0, 150, 200]})
    wijk = pd.DataFrame({"code": ["WK1"], "inwoners": [1500.0], "bezoeken": [354.0]})
    parents = {"buurt": {"BU1": "WK1", "BU2": "WK1", "BU3": "WK1"}}
    alone = protect_hierarchy({"buurt": buurt, "wijk": wijk}, parents, count_columns=["inwoners", "bezoeken"],
                              share_columns={})
    assert alone["buurt"]["inwoners"].notna().all()
    together = protect_hierarchy({"buurt": buurt, "wijk": wijk}, parents, count_columns=["inwoners", "bezoeken"],
                                 share_columns={}, linked=[("inwoners", "bezoeken")])
    assert together["buurt"]["inwoners"].isna().tolist() == together["buurt"]["bezoeken"].isna().tolist() == [True, True, False]


def test_cells_hidden_elsewhere_start_hidden():
    tables, parents = _levels(
        [("BU1", "WK1", 400, 50), ("BU2", "WK1", 500, 60), ("BU3", "WK1", 600, 70)], {"WK1": "GM1"},
    )
    seed = {"buurt": pd.DataFrame({"inwoners": [False, False, True]})}
    out = _protect(tables, parents, hidden=seed)
    # BU3 is hidden elsewhere; alone it would be the wijk minus the others, so BU1 (smallest) joins it.
    assert out["buurt"]["inwoners"].isna().tolist() == [True, False, True]
    assert cell_reasons(out["buurt"])["inwoners"].tolist() == ["secundair", "", "secundair"]


def test_reasons_flags_and_summary():
    tables, parents = _levels(
        [("BU1", "WK1", 5, 0), ("BU2", "WK1", 7000, 900), ("BU3", "WK1", 860, 100)], {"WK1": "GM1"},
    )
    out = _protect(tables, parents)
    reasons = cell_reasons(out["buurt"])
    assert reasons.loc[0, "inwoners"] == "primair" and reasons.loc[2, "inwoners"] == "secundair"
    assert reasons.loc[0, "aandeel_65plus"] == "aandeel"
    assert out["buurt"].attrs["suppressed_by_reason"]["secundair"]["inwoners"] == 1
    assert out["buurt"]["onderdrukt"].tolist() == [True, False, True]
    only = select_flags(out["buurt"], ["inwoners"])
    assert only["onderdrukt_kolommen"].tolist() == ["inwoners", "", "inwoners"]
    summary = suppression_summary(out)
    assert {"niveau", "kolom", "reden", "aantal"} == set(summary.columns)
    assert summary.loc[(summary["kolom"] == "inwoners") & (summary["reden"] == "secundair"), "aantal"].sum() == 1


def test_protect_hierarchy_errors_name_the_culprit():
    tables, parents = _levels([("BU1", "WK1", 50, 10), ("BU2", "WK1", 60, 10)], {"WK1": "GM1"})
    with pytest.raises(ThresholdError):
        _protect(tables, parents, threshold=0)
    with pytest.raises(ValueError, match=r"area\(s\) 'BU2' of level 'buurt' have no parent"):
        _protect(tables, {"buurt": {"BU1": "WK1"}})
    with pytest.raises(ValueError, match=r"area code 'WK1' occurs at level"):
        _protect({**tables, "buurt": tables["buurt"].assign(code=["WK1", "BU2"])}, parents)
    with pytest.raises(ValueError, match="cycle"):
        _protect(tables, {"buurt": parents["buurt"], "wijk": {"WK1": "BU1"}})
    with pytest.raises(ValueError, match=r"parents names level\(s\) 'stadsdeel'"):
        _protect(tables, {**parents, "stadsdeel": {}})
    with pytest.raises(ValueError, match=r"level 'wijk': count column\(s\) 'inwoners_65plus' not in the table"):
        _protect({**tables, "wijk": tables["wijk"].drop(columns="inwoners_65plus")}, parents)
    with pytest.raises(ValueError, match=r"share_columns\['aandeel_65plus'\]"):
        protect_hierarchy(tables, parents, count_columns=["inwoners"], share_columns={"aandeel_65plus": 3})
    with pytest.raises(ValueError, match="not count columns"):
        _protect(tables, parents, linked=[("inwoners", "bezoeken")])
    with pytest.raises(ValueError, match=r"hidden\['buurt'\] has 1 rows but the table of level 'buurt' has 2"):
        _protect(tables, parents, hidden={"buurt": pd.DataFrame({"inwoners": [True]})})
    with pytest.raises(ValueError, match=r"hidden\['buurt'\] has column\(s\) 'bezoeken'"):
        _protect(tables, parents, hidden={"buurt": pd.DataFrame({"bezoeken": [True, False]})})
    once = _protect(tables, parents)
    with pytest.raises(ValueError, match=r"already has column\(s\) 'onderdrukt'"):
        _protect(once, parents)
    with pytest.raises(ValueError, match="apply that to the unsuppressed tables first"):
        cell_reasons(tables["buurt"])
