"""The hierarchical disclosure control against an attacker who holds everything published.

The attacker of these tests has the published tables of every level at once (as if runs at
every ``niveau`` were combined), knows the hierarchy and the gemeente total (CBS publishes it),
and uses two attacks:

* :func:`decentraal.methods.disclosure.attack_hierarchy`: repeatedly solve groups with one
  unknown (parent minus the shown children, or a hidden parent as the sum of shown children),
  zero residuals (counts are not negative) and shares times shown counts;
* :func:`determined_cells` below: full linear algebra over all group sums and every shown share
  at once: a hidden cell is recovered when the equations fix its value.

Both run on random hierarchies (hypothesis) and on the shipped data of Haarlem and Zandvoort.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from decentraal import pipeline
from decentraal.methods.disclosure import (
    REASON_PRIMARY,
    REASON_SECONDARY,
    attack_hierarchy,
    audit_hierarchy,
    cell_reasons,
    protect_hierarchy,
    suppress,
    suppression_summary,
)
from decentraal.methods.indicators import COUNT_COLUMNS
from decentraal.methods.overview import select
from decentraal.pipeline.common import PUBLISHED_SHARES, area_parents, published_layers, safe_layers
from decentraal.pipeline.data import read_layers

COUNTS = ["inwoners", "inwoners_65plus"]
SHARES = {"aandeel_65plus": ("inwoners_65plus", "inwoners")}
ROOT = "GM0001"


# ----------------------------------------------------------------------------- the attackers
def determined_cells(published: Mapping[str, pd.DataFrame], parents: Mapping[str, pd.Series], *,
                     counts: list[str], shares: Mapping[str, tuple[str | None, str]],
                     scale: float = 100.0) -> set[tuple[str, str, str]]:
    """Hidden cells (level, code, column) whose value the published equations fix.

    Unknowns are the NaN cells of the count columns. Equations: for every column and every
    group, parent = sum of the children (an external parent is known); for every shown share
    with a numerator column, ``scale * numerator - share * denominator = 0``. A cell is fixed
    exactly when its unit vector lies in the row space of the equations (its component of every
    null-space vector is 0).
    """
    index: dict[tuple[str, str, str], int] = {}
    level_of = {code: level for level, table in published.items() for code in table["code"].astype(str)}
    for level, table in published.items():
        for col in counts:
            for code, value in zip(table["code"].astype(str), table[col]):
                if pd.isna(value):
                    index[(level, code, col)] = len(index)
    if not index:
        return set()
    rows: list[np.ndarray] = []

    def unknown(code: str, col: str) -> int | None:
        if code not in level_of:
            return None  # an external total: known
        return index.get((level_of[code], code, col))

    for mapping in parents.values():
        groups: dict[str, list[str]] = {}
        for code, parent in mapping.items():
            groups.setdefault(str(parent), []).append(str(code))
        for parent, children in groups.items():
            for col in counts:
                row = np.zeros(len(index))
                for child in children:
                    if (i := unknown(child, col)) is not None:
                        row[i] += 1.0
                if (i := unknown(parent, col)) is not None:
                    row[i] -= 1.0
                if row.any():
                    rows.append(row)
    for level, table in published.items():
        for share, (numerator, denominator) in shares.items():
            if numerator is None:
                continue
            for code, value in zip(table["code"].astype(str), table[share]):
                if pd.isna(value):
                    continue
                row = np.zeros(len(index))
                if (i := index.get((level, code, numerator))) is not None:
                    row[i] += scale
                if (i := index.get((level, code, denominator))) is not None:
                    row[i] -= float(value)
                if row.any():
                    rows.append(row)
    if not rows:
        return set()
    matrix = np.vstack(rows)
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9 * max(1.0, singular.max(initial=0.0))).sum())
    null = vt[rank:].T
    fixed = np.linalg.norm(null, axis=1) < 1e-8 if null.size else np.ones(len(index), dtype=bool)
    return {cell for cell, i in index.items() if fixed[i]}


def truth(tables: Mapping[str, pd.DataFrame], cell: tuple[str, str, str]) -> float:
    level, code, col = cell
    table = tables[level]
    return float(table.loc[table["code"].astype(str) == code, col].iloc[0])


# ----------------------------------------------------------------------------- random hierarchies
@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[dict[str, pd.DataFrame], dict[str, pd.Series], dict[str, dict[str, float]], dict]:
    """2 or 3 levels under a gemeente (a table level or an external known total), small and
    large counts, zeros, some missing values (true value kept for the verdict), only children."""
    levels = draw(st.sampled_from([("wijk", "buurt"), ("stadsdeel", "wijk", "buurt")]))
    prefix = {"stadsdeel": "SD", "wijk": "WK", "buurt": "BU"}
    internal_root = draw(st.booleans())
    size = st.one_of(st.integers(0, 12), st.integers(10, 400), st.just(0))
    rows: dict[str, list[dict]] = {lv: [] for lv in levels}
    parents: dict[str, dict[str, str]] = {lv: {} for lv in levels}
    truth_rows: dict[str, list[dict]] = {lv: [] for lv in levels}

    def grow(level_no: int, parent: str, n_children: int) -> tuple[float, float]:
        level = levels[level_no]
        total_people = total_old = 0.0
        for _ in range(n_children):
            code = f"{prefix[level]}{len(rows[level]):04d}"
            if level_no == len(levels) - 1:
                people = float(draw(size))
                old = float(draw(st.integers(0, int(people))))
            else:
                people, old = grow(level_no + 1, code, draw(st.integers(1, 4)))
            missing = draw(st.integers(0, 9)) == 0
            record = {"code": code, "inwoners": people, "inwoners_65plus": old}
            truth_rows[level].append(dict(record))
            if missing:
                record[draw(st.sampled_from(COUNTS))] = np.nan
            rows[level].append(record)
            parents[level][code] = parent
            total_people += people
            total_old += old
        return total_people, total_old

    people, old = grow(0, ROOT, draw(st.integers(2, 4)))
    threshold = draw(st.integers(2, 15))
    assume(people >= threshold)
    # A known external total below the threshold is a small count published by CBS itself; nothing
    # below it can be protected (its children add up to it), so such a gemeente is not generated.
    assume(internal_root or old >= threshold)

    def frame(records: list[dict]) -> pd.DataFrame:
        out = pd.DataFrame(records)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["aandeel_65plus"] = (100 * out["inwoners_65plus"] / out["inwoners"]).where(out["inwoners"] > 0)
        return out

    tables = {lv: frame(rows[lv]) for lv in reversed(levels)}
    true = {lv: frame(truth_rows[lv]) for lv in reversed(levels)}
    totals = {ROOT: {"inwoners": people, "inwoners_65plus": old}}
    if internal_root:
        root = {"code": ROOT, "inwoners": people, "inwoners_65plus": old}
        tables["gemeente"] = frame([root])
        true["gemeente"] = frame([root])
    series = {lv: pd.Series(mapping, dtype=object) for lv, mapping in parents.items()}
    return tables, series, totals, {"threshold": threshold, "true": true}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=hierarchies())
def test_no_hidden_count_can_be_recovered(case):
    tables, parents, totals, extra = case
    threshold, true = extra["threshold"], extra["true"]
    before = {lv: t.copy(deep=True) for lv, t in tables.items()}
    published = protect_hierarchy(tables, parents, count_columns=COUNTS, share_columns=SHARES, threshold=threshold)
    for lv in tables:
        pd.testing.assert_frame_equal(tables[lv], before[lv])  # inputs untouched

    # No count below the threshold is shown, at any level.
    for lv, table in published.items():
        for col in COUNTS:
            assert (table[col].dropna() >= threshold).all(), (lv, col)

    # The attacker learns nothing: neither by peeling (with the gemeente total) ...
    found = attack_hierarchy(published, parents, count_columns=COUNTS, share_columns=SHARES, totals=totals)
    assert found.empty, found.to_string()
    assert audit_hierarchy(true, published, parents, count_columns=COUNTS, share_columns=SHARES,
                           threshold=threshold, totals=totals).empty
    # ... nor by solving every group sum and share at once.
    fixed = determined_cells(published, parents, counts=COUNTS, shares=SHARES)
    small = sorted(cell for cell in fixed if not truth(true, cell) >= threshold)
    assert not small, f"recoverable small counts: {small}"
    assert not fixed, f"recoverable hidden counts: {sorted(fixed)}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=hierarchies(), seed=st.integers(0, 2**16))
def test_protection_is_primary_safe_deterministic_and_minimal(case, seed):
    tables, parents, _, extra = case
    threshold = extra["threshold"]
    published = protect_hierarchy(tables, parents, count_columns=COUNTS, share_columns=SHARES, threshold=threshold)

    # At least what primary suppression hides (with the share on a small numerator).
    for lv, table in tables.items():
        primary = suppress(table, count_columns=COUNTS, share_columns={"aandeel_65plus": "inwoners"}, threshold=threshold)
        for col in [*COUNTS, "aandeel_65plus"]:
            assert published[lv][col].isna()[primary[col].isna()].all(), (lv, col)
        small_numerator = table["inwoners_65plus"].isna() | (table["inwoners_65plus"] < threshold)
        assert published[lv]["aandeel_65plus"][small_numerator].isna().all()
        # A share is shown only with both of its counts.
        share_shown = published[lv]["aandeel_65plus"].notna()
        assert published[lv].loc[share_shown, COUNTS].notna().all().all()

    # Deterministic, and the same whatever the row order.
    again = protect_hierarchy(tables, parents, count_columns=COUNTS, share_columns=SHARES, threshold=threshold)
    for lv in tables:
        pd.testing.assert_frame_equal(published[lv], again[lv])
    rng = np.random.default_rng(seed)
    shuffled = {lv: t.sample(frac=1.0, random_state=rng.integers(2**31)).reset_index(drop=True) for lv, t in tables.items()}
    moved = protect_hierarchy(shuffled, {lv: p.sample(frac=1.0, random_state=1) for lv, p in parents.items()},
                              count_columns=COUNTS, share_columns=SHARES, threshold=threshold)
    for lv in tables:
        a = published[lv].set_index("code").sort_index()
        b = moved[lv].set_index("code").sort_index()
        pd.testing.assert_frame_equal(a[[*COUNTS, "aandeel_65plus", "onderdrukt_reden"]],
                                      b[[*COUNTS, "aandeel_65plus", "onderdrukt_reden"]])

    # Minimal-ish: per group at most one cell is added when the parent is shown, at most two when
    # it is hidden, so a group with three or more children and at most one small or missing
    # child is never hidden as a whole.
    reasons = {lv: cell_reasons(t).set_index(t["code"]) for lv, t in published.items()}
    status = {}
    for lv, table in tables.items():
        for code, row in reasons[lv].iterrows():
            status[code] = {col: row.get(col, "") for col in COUNTS}
            for col in COUNTS:
                value = table.loc[table["code"] == code, col].iloc[0]
                status[code][col + ":missing"] = bool(pd.isna(value))
    children: dict[str, list[str]] = {}
    for mapping in parents.values():
        for code, parent in mapping.items():
            children.setdefault(parent, []).append(code)
    for parent, members in children.items():
        if len(members) < 2:
            continue
        for col in COUNTS:
            def hidden(code: str, col: str = col) -> bool:
                return status[code][col] != "" or status[code][col + ":missing"]

            def forced_from_below(code: str, hidden=hidden) -> bool:
                kids = children.get(code, [])
                return len(kids) == 1 and hidden(kids[0])

            initial = [c for c in members if status[c][col] == REASON_PRIMARY or status[c][col + ":missing"]]
            chosen = [c for c in members if status[c][col] == REASON_SECONDARY and not forced_from_below(c)]
            parent_hidden = parent in status and hidden(parent)
            assert len(chosen) <= (2 if parent_hidden else 1), (parent, col, chosen)
            below = [c for c in members if status[c][col] == REASON_SECONDARY and forced_from_below(c)]
            if len(members) >= 3 and len(initial) + len(below) <= 1:
                assert not all(hidden(c) for c in members), (parent, col)


# ----------------------------------------------------------------------------- the shipped data
@pytest.fixture(scope="module")
def shipped():
    layers_all, _, _ = read_layers()
    return layers_all


def _tables(layers) -> dict[str, pd.DataFrame]:
    return {lv: pd.DataFrame(layer.drop(columns="geometry")) for lv, layer in layers.items()}


@pytest.mark.parametrize("gemeente", ["GM0392", "GM0473"])
@pytest.mark.parametrize("threshold", [5, 10, 20])
def test_shipped_data_every_level_at_once(shipped, gemeente, threshold):
    layers = select(shipped, gemeente)
    tables = _tables(layers)
    parents = area_parents(tables)
    published = published_layers(layers, threshold)  # runs audit_hierarchy itself
    assert set(published) == set(layers)
    for lv, table in published.items():
        for col in COUNT_COLUMNS:
            assert (table[col].dropna() >= threshold).all(), (lv, col)
    gemeente_row = tables["gemeente"].set_index("code").loc[gemeente]
    totals = {gemeente: {col: float(gemeente_row[col]) for col in COUNT_COLUMNS}}
    found = attack_hierarchy(published, parents, count_columns=COUNT_COLUMNS, share_columns=PUBLISHED_SHARES,
                             totals=totals)
    assert found.empty, found.to_string()
    fixed = determined_cells(published, parents, counts=COUNT_COLUMNS, shares=PUBLISHED_SHARES)
    assert not fixed, sorted(fixed)
    # The pattern of one municipality does not depend on the other one in the data.
    both = published_layers(shipped, threshold)
    for lv, table in published.items():
        own = both[lv].loc[both[lv]["gemeentecode"] == gemeente].reset_index(drop=True)
        pd.testing.assert_frame_equal(own, table.reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("gemeente", ["GM0392", "GM0473"])
def test_primary_suppression_alone_leaks_on_the_shipped_data(shipped, gemeente):
    """What the issue reported: with primary suppression only, small counts follow by differencing."""
    layers, safe = safe_layers(shipped, gemeente, 10)
    parents = area_parents(_tables(layers))
    leaks = audit_hierarchy(_tables(layers), safe, parents, count_columns=COUNT_COLUMNS,
                            share_columns=PUBLISHED_SHARES, threshold=10)
    assert (leaks["niveau"] == "buurt").any(), "the attacker should find the leaks the issue describes"


def test_secondary_suppression_on_the_shipped_data_is_modest(shipped):
    for gemeente in ("GM0392", "GM0473"):
        published = published_layers(select(shipped, gemeente), 10)
        summary = suppression_summary(published)
        secondary = summary.loc[summary["reden"] == "secundair"]
        primary = summary.loc[summary["reden"] == "primair"]
        # Per count column, fewer secondary than twice the primary (and missing) cells + 2.
        for col in COUNT_COLUMNS:
            n_secondary = int(secondary.loc[secondary["kolom"] == col, "aantal"].sum())
            n_primary = int(primary.loc[primary["kolom"] == col, "aantal"].sum())
            n_missing = sum(int(select(shipped, gemeente)[lv][col].isna().sum()) for lv in published)
            assert n_secondary <= 2 * (n_primary + n_missing) + 2, (gemeente, col, n_secondary)
        # Haarlem's stadsdelen and the gemeente totals are never hidden.
        assert not published["gemeente"]["onderdrukt"].any()
        if "stadsdeel" in published:
            assert not published["stadsdeel"]["onderdrukt"].any()


def test_sessions_at_every_level_publish_one_pattern():
    """Runs at niveau buurt, wijk and gemeente hold the same published tables, and chapter 01 uses them."""
    sessions = {niveau: pipeline.start("01", namespace={"niveau": niveau}) for niveau in ("buurt", "wijk", "gemeente")}
    reference = sessions["buurt"].published
    for s in sessions.values():
        assert set(s.published) == set(reference)
        for lv in reference:
            pd.testing.assert_frame_equal(s.published[lv], reference[lv])
    shown = {}
    for niveau, s in sessions.items():
        result = pipeline.data.overview(s)
        expected = s.published[niveau].set_index("code")
        got = result.population.set_index("code")
        for col in ("inwoners", "huishoudens", "aandeel_65plus"):
            pd.testing.assert_series_equal(got[col], expected.loc[got.index, col], check_names=False)
        assert got.loc[got["onderdrukt"], "onderdrukt_reden"].str.len().gt(0).all()
        shown[niveau] = result.population.assign(code=result.population["code"].astype(str))
        # Hidden rows come last: their place in the table does not reveal their size.
        assert result.population["inwoners"].isna().sort_values(kind="stable").equals(result.population["inwoners"].isna())
    # The three chapter-01 tables together, with every other published level, reveal nothing small.
    tables = _tables(sessions["buurt"].layers)
    combined = {lv: reference[lv].copy() for lv in reference}
    for niveau, table in shown.items():
        merged = combined[niveau].set_index("code")
        for col in ("inwoners", "huishoudens", "aandeel_65plus"):
            merged[col] = table.set_index("code")[col].reindex(merged.index)
        combined[niveau] = merged.reset_index()
    leaks = audit_hierarchy(tables, combined, area_parents(tables), count_columns=COUNT_COLUMNS,
                            share_columns=PUBLISHED_SHARES, threshold=10)
    assert leaks.empty, leaks.to_string()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=hierarchies(), data=st.data())
def test_cells_hidden_elsewhere_stay_hidden_and_safe(case, data):
    tables, parents, totals, extra = case
    threshold = extra["threshold"]
    seed = {lv: pd.DataFrame({col: data.draw(st.lists(st.booleans(), min_size=len(t), max_size=len(t)))
                              for col in COUNTS}) for lv, t in tables.items()}
    published = protect_hierarchy(tables, parents, count_columns=COUNTS, share_columns=SHARES, threshold=threshold,
                                  hidden=seed)
    for lv, table in published.items():
        for col in COUNTS:
            assert table[col][seed[lv][col].to_numpy()].isna().all(), (lv, col)
    assert attack_hierarchy(published, parents, count_columns=COUNTS, share_columns=SHARES, totals=totals).empty
    assert not determined_cells(published, parents, counts=COUNTS, shares=SHARES)


@pytest.mark.parametrize("gemeente", ["GM0392", "GM0473"])
@pytest.mark.parametrize("model", ["per_inwoner", "waargenomen"])
def test_visits_per_area_with_everything_else_reveal_nothing(shipped, gemeente, model):
    """Chapter 03's visits per area (common.published_visits) next to the published layers."""
    layers = select(shipped, gemeente)
    published = published_layers(layers, 10)
    buurt = layers["buurt"].set_index("code")
    if model == "per_inwoner":
        visits = buurt["inwoners"].fillna(0) / 3  # modelled: a rate per inhabitant
    else:
        rng = np.random.default_rng(7)  # observed: counts not tied to the inhabitants
        visits = pd.Series(rng.poisson(rng.choice([2.0, 40.0, 400.0], size=len(buurt))), index=buurt.index, dtype=float)
    tables = pipeline.common.published_visits(layers, published, visits, 10)
    parents = area_parents(_tables(layers))
    for lv, table in tables.items():
        # The inhabitants are hidden exactly as everywhere else, and the visits wherever they are.
        pd.testing.assert_series_equal(table["inwoners"], published[lv]["inwoners"], check_names=False)
        assert table.loc[table["inwoners"].isna(), "bezoeken"].isna().all()
        assert (table["bezoeken"].dropna() >= 10).all()
    # Everything at once: the visits with their own hierarchy; every hidden count stays unknown.
    assert attack_hierarchy(tables, parents, count_columns=["inwoners", "bezoeken"], share_columns={}).empty
    assert not determined_cells(tables, parents, counts=["bezoeken"], shares={})
