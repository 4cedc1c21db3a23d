"""Statistical disclosure control for tables about people in small areas.

Two layers:

* :func:`suppress`, primary suppression of one table: counts below a threshold, and shares
  computed on a denominator below the threshold, are replaced by NaN so they are never shown.
  Zero counts are suppressed as well (following CBS practice, 0 is not distinguished from
  other small counts, so a blank cell does not reveal "nobody"). This is what the analysis
  (the index) works on.
* :func:`protect_hierarchy`, primary plus complementary (secondary) suppression over the area
  hierarchy (buurt in wijk in stadsdeel in gemeente), computed once for every level of the
  municipality. A hidden cell can then not be recovered from its parent total minus its
  published siblings, from a share times a published count, nor by combining the tables of
  runs at different levels. Every table that *publishes* counts of people per area goes through
  it. :func:`attack_hierarchy` plays the attacker on everything published and
  :func:`audit_hierarchy` names what it would learn below the threshold (nothing, after
  :func:`protect_hierarchy`).

Not covered (check by hand when it matters): averages weighted with hidden counts (e.g. the
distance to the nearest counter of a wijk, weighted with the inhabitants of its buurten, where
the buurt distances are public geometry) and statistics derived from hidden values (e.g. local
Moran's I of a hidden share) give further equations; so do sums over other sets of areas
(catchments, areas within a distance): build those from published values only. Counts implied
by a share whose numerator is not a column of the table (``share x denominator``) are not
checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from decentraal.errors import DataError, ParameterError

__all__ = [
    "REASONS",
    "SmallCountError",
    "ThresholdError",
    "assert_no_small_counts",
    "attack_hierarchy",
    "audit_hierarchy",
    "cell_reasons",
    "protect_hierarchy",
    "select_flags",
    "suppress",
    "suppression_summary",
]

#: Columns added by :func:`suppress` and :func:`protect_hierarchy`.
FLAG_COLUMN = "onderdrukt"
FLAG_COLUMNS_COLUMN = "onderdrukt_kolommen"
#: Column added by :func:`protect_hierarchy`: ``"kolom: reden"`` per hidden cell of the row.
REASON_COLUMN = "onderdrukt_reden"
#: Why a cell is hidden: the count itself is below the threshold ...
REASON_PRIMARY = "primair"
#: ... it is hidden so that another hidden cell cannot be recovered by differencing ...
REASON_SECONDARY = "secundair"
#: ... or it is a share whose numerator or denominator is hidden.
REASON_SHARE = "aandeel"
REASONS = (REASON_PRIMARY, REASON_SECONDARY, REASON_SHARE)


class ThresholdError(ParameterError):
    """The disclosure threshold is not a positive integer."""


class SmallCountError(DataError):
    """A table about to be exported holds a count below the disclosure threshold."""


def _quote(names: Any) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _check_threshold(threshold: Any) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise ThresholdError(
            f"threshold is {threshold!r} but must be a positive integer (e.g. 10, the usual CBS minimum)"
        )
    return int(threshold)


def _check_columns(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    absent = [col for col in columns if col not in table.columns]
    if absent:
        raise DataError(
            f"{what} {_quote(absent)} not in the table; available columns: {_quote(table.columns)}"
        )


def _numeric(table: pd.DataFrame, column: str) -> pd.Series:
    series = table[column]
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise DataError(
            f"column '{column}' has dtype {series.dtype} but must be numeric to check it against the threshold"
        )
    return series.astype(float)


def suppress(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    share_columns: Mapping[str, str],
    threshold: int = 10,
) -> pd.DataFrame:
    """Blank out small counts and shares on small denominators.

    Rules, applied per row:

    * a count in ``count_columns`` below ``threshold`` (including 0) becomes NaN;
    * every denominator column named in ``share_columns`` is a count too and follows
      the same rule, even if it is not listed in ``count_columns``;
    * a share column becomes NaN when its denominator is below ``threshold`` or missing.

    Values that were already missing are left as they are and are not counted as
    suppressed.

    Parameters
    ----------
    table : DataFrame
        The table to protect; not modified.
    count_columns : Sequence[str]
        Columns holding counts of people (or households, ...).
    share_columns : Mapping[str, str]
        Share column -> the count column that is its denominator.
    threshold : int
        Smallest count that may be shown (positive integer).

    Returns
    -------
    DataFrame
        A copy of ``table`` with suppressed values set to NaN (count and share columns
        become float), plus ``onderdrukt`` (bool: any value suppressed in the row) and
        ``onderdrukt_kolommen`` (names of the suppressed columns, comma-separated, ``""``
        if none). ``attrs["suppressed"]`` counts the suppressed cells per column.

    Raises
    ------
    ThresholdError
        ``threshold`` is not a positive integer.
    DataError
        A named column is missing or not numeric, or the table already has the columns
        ``onderdrukt``/``onderdrukt_kolommen`` (suppress was applied already).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"inwoners": [5, 120], "aandeel": [40.0, 12.5]})
    >>> suppress(t, count_columns=["inwoners"], share_columns={"aandeel": "inwoners"})[["inwoners", "aandeel"]]
       inwoners  aandeel
    0       NaN      NaN
    1     120.0     12.5
    """
    threshold = _check_threshold(threshold)
    if isinstance(count_columns, str):
        raise ParameterError(f"count_columns must be a list of column names, got the string {count_columns!r}")
    if not isinstance(share_columns, Mapping):
        raise ParameterError(
            f"share_columns must be a mapping share column -> denominator column, got {type(share_columns).__name__}"
        )
    existing = [col for col in (FLAG_COLUMN, FLAG_COLUMNS_COLUMN) if col in table.columns]
    if existing:
        raise DataError(
            f"table already has column(s) {_quote(existing)}; suppress() seems to have been applied "
            "already, apply it once to the unsuppressed table"
        )
    _check_columns(table, list(count_columns), "count column(s)")
    _check_columns(table, list(share_columns), "share column(s)")
    _check_columns(table, list(share_columns.values()), "denominator column(s)")
    overlap = [col for col in share_columns if col in count_columns or col in share_columns.values()]
    if overlap:
        raise DataError(f"column(s) {_quote(overlap)} are named both as a share and as a count/denominator")

    counts = list(dict.fromkeys([*count_columns, *share_columns.values()]))
    original = {col: _numeric(table, col) for col in [*counts, *share_columns]}

    masks: dict[str, pd.Series] = {}
    for col in counts:
        masks[col] = original[col].notna() & (original[col] < threshold)
    for share, denominator in share_columns.items():
        small = original[denominator].isna() | (original[denominator] < threshold)
        masks[share] = original[share].notna() & small

    result = table.copy()
    for col, mask in masks.items():
        values = original[col].copy()
        values[mask] = np.nan
        result[col] = values

    mask_frame = pd.DataFrame(masks, index=table.index)
    names = np.asarray(mask_frame.columns, dtype=object)
    result[FLAG_COLUMN] = mask_frame.any(axis=1).to_numpy(dtype=bool)
    result[FLAG_COLUMNS_COLUMN] = [", ".join(names[row]) for row in mask_frame.to_numpy(dtype=bool)]
    result.attrs = {
        **table.attrs,
        "suppressed": {col: int(mask.sum()) for col, mask in masks.items()},
        "threshold": threshold,
    }
    return result


def assert_no_small_counts(table: pd.DataFrame, count_columns: Sequence[str], threshold: int) -> None:
    """Raise if any count below ``threshold`` would be shown; use right before export.

    Missing values (NaN, e.g. suppressed cells) are fine.

    Parameters
    ----------
    table : DataFrame
        Table about to be exported.
    count_columns : Sequence[str]
        Columns holding counts.
    threshold : int
        Smallest count that may be shown (positive integer).

    Raises
    ------
    SmallCountError
        Naming each column and the row index labels (first 10 per column) where a
        count below the threshold is present.
    ThresholdError
        ``threshold`` is not a positive integer.
    DataError
        A column is missing or not numeric.
    """
    threshold = _check_threshold(threshold)
    if isinstance(count_columns, str):
        raise ParameterError(f"count_columns must be a list of column names, got the string {count_columns!r}")
    _check_columns(table, list(count_columns), "count column(s)")
    problems = []
    for col in count_columns:
        values = _numeric(table, col)
        leaking = values.notna() & (values < threshold)
        if leaking.any():
            rows = table.index[leaking.to_numpy()].tolist()
            more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
            problems.append(f"column '{col}' at row(s) {_quote(rows[:10])}{more}")
    if problems:
        raise SmallCountError(
            f"counts below the disclosure threshold {threshold} would be shown: "
            + "; ".join(problems)
            + "; run decentraal.disclosure.suppress() on the table before exporting it"
        )


# --------------------------------------------------------------------------- the area hierarchy
#: Share column -> its denominator column, or (numerator column or None, denominator column).
ShareSpec = Mapping[str, "tuple[str | None, str] | str"]


@dataclass(frozen=True)
class _Tree:
    """Every area of every level as one node, and the groups (children of one parent).

    ``parent[n]`` is the node of the parent, or -1 when the parent is not one of the tables
    (an external total, e.g. the gemeente total published by CBS) or the node is a root.
    ``groups`` hold (parent node or -1, parent code, children sorted by code), finest groups
    first and then by parent code, so every loop over them is deterministic.
    """

    level: tuple[str, ...]
    code: tuple[str, ...]
    parent: tuple[int, ...]
    groups: tuple[tuple[int, str, tuple[int, ...]], ...]
    nodes_of: dict[str, np.ndarray]


def _as_parent_series(mapping: Any, level: str) -> pd.Series:
    if isinstance(mapping, pd.Series):
        series = mapping.copy()
    elif isinstance(mapping, Mapping):
        series = pd.Series(dict(mapping), dtype=object)
    else:
        raise ParameterError(
            f"parents['{level}'] must be a Series (or dict) area code -> parent code, got {type(mapping).__name__}"
        )
    series.index = series.index.astype(str)
    doubled = series.index[series.index.duplicated()].unique().tolist()
    if doubled:
        raise DataError(f"parents['{level}'] names area(s) {_quote(doubled[:10])} more than once; give each area one parent")
    return series


def _tree(tables: Mapping[str, pd.DataFrame], parents: Mapping[str, Any], key: str) -> _Tree:
    """The hierarchy of the areas in ``tables`` (codes unique across levels), checked."""
    if not isinstance(tables, Mapping) or not tables:
        raise ParameterError("tables must be a non-empty mapping level -> table (one row per area)")
    if not isinstance(parents, Mapping):
        raise ParameterError(f"parents must be a mapping level -> Series area code -> parent code, got {type(parents).__name__}")
    unknown = [lv for lv in parents if lv not in tables]
    if unknown:
        raise ParameterError(f"parents names level(s) {_quote(unknown)} that are not in tables; levels: {_quote(tables)}")
    level: list[str] = []
    code: list[str] = []
    nodes_of: dict[str, np.ndarray] = {}
    node_of_code: dict[str, int] = {}
    for lv, table in tables.items():
        if not isinstance(table, pd.DataFrame):
            raise ParameterError(f"tables['{lv}'] must be a DataFrame, got {type(table).__name__}")
        if key not in table.columns:
            raise DataError(f"the table of level '{lv}' has no column '{key}' with the area codes; "
                            f"available columns: {_quote(table.columns)}")
        codes = table[key]
        if codes.isna().any():
            raise DataError(f"the table of level '{lv}' has {int(codes.isna().sum())} row(s) without an area code "
                            f"in '{key}'; every row must be one area")
        codes = codes.astype(str)
        doubled = codes[codes.duplicated()].unique().tolist()
        if doubled:
            raise DataError(f"the table of level '{lv}' holds area code(s) {_quote(doubled[:10])} more than once; "
                            "give one row per area")
        ids = []
        for value in codes:
            if value in node_of_code:
                raise DataError(f"area code '{value}' occurs at level '{level[node_of_code[value]]}' and at level "
                                f"'{lv}'; codes must be unique across levels (the hierarchy is read from them)")
            node_of_code[value] = len(code)
            ids.append(len(code))
            level.append(lv)
            code.append(value)
        nodes_of[lv] = np.asarray(ids, dtype=int)

    parent = [-1] * len(code)
    parent_code: list[str | None] = [None] * len(code)
    for lv, mapping in parents.items():
        series = _as_parent_series(mapping, lv)
        missing = []
        for node in nodes_of[lv]:
            value = series.get(code[node])
            if value is None or pd.isna(value):
                missing.append(code[node])
                continue
            value = str(value)
            if value == code[node]:
                raise DataError(f"area '{value}' of level '{lv}' is given as its own parent in parents['{lv}']")
            parent_code[node] = value
            parent[node] = node_of_code.get(value, -1)
        if missing:
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            raise DataError(f"area(s) {_quote(missing[:10])}{more} of level '{lv}' have no parent in parents['{lv}']; "
                            "give every area of that level the code of the area it lies in (e.g. the wijk of a buurt)")

    depth = [0] * len(code)
    for start in range(len(code)):
        seen = {start}
        node = parent[start]
        while node != -1:
            if node in seen:
                raise DataError(f"the parents form a cycle through area '{code[node]}'; every area must lie in a coarser one")
            seen.add(node)
            depth[start] += 1
            node = parent[node]

    members: dict[str, list[int]] = {}
    for node, value in enumerate(parent_code):
        if value is not None:
            members.setdefault(value, []).append(node)
    order = sorted(members, key=lambda pc: (-depth[members[pc][0]], pc))
    groups = tuple(
        (node_of_code.get(pc, -1), pc, tuple(sorted(members[pc], key=lambda n: code[n]))) for pc in order
    )
    return _Tree(tuple(level), tuple(code), tuple(parent), groups, nodes_of)


def _share_spec(share_columns: Any) -> dict[str, tuple[str | None, str]]:
    if not isinstance(share_columns, Mapping):
        raise ParameterError(
            "share_columns must be a mapping share column -> denominator column or (numerator or None, denominator), "
            f"got {type(share_columns).__name__}"
        )
    spec: dict[str, tuple[str | None, str]] = {}
    for share, value in share_columns.items():
        if isinstance(value, str):
            spec[share] = (None, value)
        elif (isinstance(value, (tuple, list)) and len(value) == 2 and (value[0] is None or isinstance(value[0], str))
              and isinstance(value[1], str)):
            spec[share] = (value[0], value[1])
        else:
            raise ParameterError(f"share_columns['{share}'] is {value!r} but must be the denominator column or a pair "
                                 "(numerator column or None, denominator column)")
    return spec


def _close(values: np.ndarray, hidden: np.ndarray, tree: _Tree, threshold: int) -> np.ndarray:
    """Add secondary suppressions to one count column until every group follows the rule.

    In a group (the children of one parent) the hidden children number 0, or at least 2 that
    together hold at least ``threshold`` (missing values count as 0), and the parent minus the
    shown children (what an attacker sees; it differs from the hidden sum when the source
    rounds, as CBS does) is at least ``threshold`` too; a hidden parent has hidden children
    (else it is their sum); an only child is hidden exactly when its parent is (they are the
    same people). A group that breaks the rule gets its smallest shown child hidden (ties: by
    code), until nothing changes.
    """
    hidden = hidden.copy()
    filled = np.nan_to_num(values, nan=0.0)
    changed = True
    while changed:
        changed = False
        for parent, _, children in tree.groups:
            parent_hidden = parent >= 0 and bool(hidden[parent])
            if len(children) == 1:
                child = children[0]
                if parent >= 0 and bool(hidden[child]) != parent_hidden:
                    hidden[parent] = hidden[child] = True
                    changed = True
                continue
            shown = [c for c in children if not hidden[c]]
            if not shown:
                continue
            hidden_children = [c for c in children if hidden[c]]
            too_few = len(hidden_children) == 1 or (not hidden_children and parent_hidden)
            residual = values[parent] - values[shown].sum() if parent >= 0 else np.nan
            too_small = len(hidden_children) >= 2 and (filled[hidden_children].sum() < threshold or residual < threshold)
            if too_few or too_small:
                pick = min(shown, key=lambda c: (values[c], tree.code[c]))
                hidden[pick] = True
                changed = True
    return hidden


def _flag_columns(reasons: Mapping[str, np.ndarray], n_rows: int) -> tuple[np.ndarray, list[str], list[str]]:
    names = list(reasons)
    any_hidden = np.zeros(n_rows, dtype=bool)
    columns: list[list[str]] = [[] for _ in range(n_rows)]
    texts: list[list[str]] = [[] for _ in range(n_rows)]
    for name in names:
        for row in np.flatnonzero(reasons[name] != ""):
            any_hidden[row] = True
            columns[row].append(name)
            texts[row].append(f"{name}: {reasons[name][row]}")
    return any_hidden, [", ".join(c) for c in columns], [", ".join(t) for t in texts]


def _initial_hidden(hidden: Any, tables: Mapping[str, pd.DataFrame], counts: Sequence[str]
                    ) -> dict[str, dict[str, np.ndarray]]:
    if hidden is None:
        return {}
    if not isinstance(hidden, Mapping):
        raise ParameterError(f"hidden must be a mapping level -> DataFrame of booleans, got {type(hidden).__name__}")
    out: dict[str, dict[str, np.ndarray]] = {}
    for lv, frame in hidden.items():
        if lv not in tables:
            raise ParameterError(f"hidden names level '{lv}' that is not in tables; levels: {_quote(tables)}")
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(f"hidden['{lv}'] must be a DataFrame of booleans, got {type(frame).__name__}")
        stray = [col for col in frame.columns if col not in counts]
        if stray:
            raise ParameterError(f"hidden['{lv}'] has column(s) {_quote(stray)} that are not count columns; "
                                 f"counts: {_quote(counts)}")
        if len(frame) != len(tables[lv]):
            raise DataError(f"hidden['{lv}'] has {len(frame)} rows but the table of level '{lv}' has "
                            f"{len(tables[lv])}; give one row per area, in the order of the table")
        out[lv] = {col: frame[col].fillna(False).to_numpy(dtype=bool) for col in frame.columns}
    return out


def protect_hierarchy(
    tables: Mapping[str, pd.DataFrame],
    parents: Mapping[str, pd.Series | Mapping[str, str]],
    *,
    count_columns: Sequence[str],
    share_columns: ShareSpec,
    threshold: int = 10,
    linked: Sequence[Sequence[str]] = (),
    hidden: Mapping[str, pd.DataFrame] | None = None,
    key: str = "code",
) -> dict[str, pd.DataFrame]:
    """Primary and secondary suppression of counts and shares over all levels of an area hierarchy.

    Every count column is protected on its own over the hierarchy given by ``parents``
    (buurt -> wijk -> stadsdeel -> gemeente); an area whose parent is not in ``tables`` hangs
    under an external total that counts as known (e.g. the gemeente total CBS publishes).

    Rules, per count column, applied until nothing changes:

    1. primary: a count below ``threshold`` (including 0) is hidden; a missing value (NaN, e.g.
       "geheim" at CBS) counts as hidden and as sensitive, and stays NaN;
    2. in every group (the children of one parent) the hidden children number 0, or at least 2
       that together hold at least ``threshold``, and the parent minus the shown children is at
       least ``threshold`` too (else it reveals a small count, and with 0 every hidden child);
       every parent total counts as known, even a hidden one (conservative);
    3. a hidden parent has at least 2 hidden children (else it is their sum); an only child
       is hidden exactly when its parent is;
    4. a group that breaks 2 or 3 gets its smallest shown child hidden (ties: by code).

    Columns in one entry of ``linked`` (counts that reveal each other) share one suppression
    pattern; cells marked in ``hidden`` (e.g. hidden in another publication of the same
    counts) start hidden. Then a share is hidden when
    its numerator or denominator is hidden (or missing), so no count can be computed as share
    x shown denominator or shown numerator / share.

    Together these leave, per column, every hidden cell with an unknown sibling or parent on
    both sides (up and down the tree): no combination of the published tables of all levels
    (runs at different ``niveau``) determines a hidden count (see :func:`attack_hierarchy`).
    The pattern depends only on the data and the threshold, and the result is the same for any
    row order.

    Parameters
    ----------
    tables : Mapping[str, DataFrame]
        Level -> table with one row per area (column ``key``), before any suppression; not
        modified. Codes must be unique across levels.
    parents : Mapping[str, Series]
        Level -> Series (or dict) area code -> the code of the area it lies in. Levels without
        an entry are roots (e.g. ``gemeente``). A parent code in none of the tables is an
        external total and counts as known.
    count_columns : Sequence[str]
        Columns holding counts of people (or households, visits, ...); present in every table.
    share_columns : Mapping[str, tuple[str | None, str] | str]
        Share column -> (numerator column or None, denominator column), or just the
        denominator column. Numerators and denominators are protected as counts too.
    threshold : int
        Smallest count that may be shown (positive integer).
    linked : Sequence[Sequence[str]]
        Groups of count columns that must be hidden together.
    hidden : Mapping[str, DataFrame], optional
        Level -> boolean columns (a subset of the count columns, one row per row of that
        level's table, in the same order): cells hidden from the start (reason ``primair``
        when below the threshold, else ``secundair``).
    key : str
        Column with the area codes.

    Returns
    -------
    dict[str, DataFrame]
        Level -> a copy of the table with hidden counts and shares set to NaN (those columns
        become float), plus ``onderdrukt`` (bool), ``onderdrukt_kolommen`` (hidden columns,
        comma-separated) and ``onderdrukt_reden`` (``"kolom: reden"`` per hidden cell, reason
        ``primair``, ``secundair`` or ``aandeel``; missing input values are not listed).
        ``attrs["suppressed"]`` counts the hidden cells per column, ``attrs["suppressed_by_reason"]``
        per reason and column, ``attrs["threshold"]`` the threshold.

    Raises
    ------
    ThresholdError
        ``threshold`` is not a positive integer.
    ParameterError
        Malformed arguments (``count_columns`` a string, bad share spec, unknown levels).
    DataError
        A column is missing or not numeric, codes are missing, doubled or lack a parent, the
        parents form a cycle, or a table already has the ``onderdrukt`` columns.

    Examples
    --------
    A wijk of 7,865 with buurten of 5 and 7,860 inhabitants: hiding the 5 alone would leave
    7,865 - 7,860 = 5, so the 7,860 is hidden too.

    >>> import pandas as pd
    >>> wijk = pd.DataFrame({"code": ["WK1"], "inwoners": [7865]})
    >>> buurt = pd.DataFrame({"code": ["BU1", "BU2"], "inwoners": [5, 7860]})
    >>> out = protect_hierarchy({"buurt": buurt, "wijk": wijk}, {"buurt": {"BU1": "WK1", "BU2": "WK1"}},
    ...                         count_columns=["inwoners"], share_columns={})
    >>> out["buurt"][["code", "inwoners", "onderdrukt_reden"]]
      code  inwoners     onderdrukt_reden
    0  BU1       NaN    inwoners: primair
    1  BU2       NaN  inwoners: secundair
    """
    threshold = _check_threshold(threshold)
    if isinstance(count_columns, str):
        raise ParameterError(f"count_columns must be a list of column names, got the string {count_columns!r}")
    shares = _share_spec(share_columns)
    sides = [col for pair in shares.values() for col in pair if col is not None]
    counts = list(dict.fromkeys([*count_columns, *sides]))
    overlap = [share for share in shares if share in counts]
    if overlap:
        raise DataError(f"column(s) {_quote(overlap)} are named both as a share and as a count/numerator/denominator")
    if isinstance(linked, str) or any(isinstance(group, str) for group in linked):
        raise ParameterError(f"linked must be a list of groups of count columns, e.g. [('inwoners', 'bezoeken')], got {linked!r}")
    stray = [col for group in linked for col in group if col not in counts]
    if stray:
        raise ParameterError(f"linked names column(s) {_quote(stray)} that are not count columns; counts: {_quote(counts)}")
    for lv, table in tables.items() if isinstance(tables, Mapping) else ():
        existing = [col for col in (FLAG_COLUMN, FLAG_COLUMNS_COLUMN, REASON_COLUMN) if col in getattr(table, "columns", [])]
        if existing:
            raise DataError(f"the table of level '{lv}' already has column(s) {_quote(existing)}; protect the tables "
                            "before any suppression (not the output of suppress() or safe_table())")
    tree = _tree(tables, parents, key)
    for lv, table in tables.items():
        _check_columns(table, counts, f"level '{lv}': count column(s)")
        _check_columns(table, list(shares), f"level '{lv}': share column(s)")

    n_nodes = len(tree.code)
    values: dict[str, np.ndarray] = {}
    for col in counts:
        column = np.full(n_nodes, np.nan)
        for lv, table in tables.items():
            column[tree.nodes_of[lv]] = _numeric(table, col).to_numpy(dtype=float)
        values[col] = column
    primary = {col: ~np.isnan(v) & (v < threshold) for col, v in values.items()}
    masks = {col: np.isnan(v) | primary[col] for col, v in values.items()}
    for lv, given in _initial_hidden(hidden, tables, counts).items():
        for col, mask in given.items():
            masks[col][tree.nodes_of[lv]] |= mask
    while True:
        masks = {col: _close(values[col], mask, tree, threshold) for col, mask in masks.items()}
        changed = False
        for group in linked:
            union = np.logical_or.reduce([masks[col] for col in group])
            for col in group:
                if (union & ~masks[col]).any():
                    masks[col] = masks[col] | union
                    changed = True
        if not changed:
            break
    hidden = masks

    out: dict[str, pd.DataFrame] = {}
    for lv, table in tables.items():
        ids = tree.nodes_of[lv]
        result = table.copy()
        reasons: dict[str, np.ndarray] = {}
        for col in counts:
            v = values[col][ids]
            is_primary = primary[col][ids]
            is_secondary = hidden[col][ids] & ~np.isnan(v) & ~is_primary
            reason = np.full(len(ids), "", dtype=object)
            reason[is_primary] = REASON_PRIMARY
            reason[is_secondary] = REASON_SECONDARY
            shown = v.copy()
            shown[is_primary | is_secondary] = np.nan
            result[col] = shown
            reasons[col] = reason
        for share, (numerator, denominator) in shares.items():
            v = _numeric(table, share).to_numpy(dtype=float)
            side_hidden = hidden[denominator][ids] | (hidden[numerator][ids] if numerator else False)
            drop = ~np.isnan(v) & side_hidden
            reason = np.full(len(ids), "", dtype=object)
            reason[drop] = REASON_SHARE
            shown = v.copy()
            shown[drop] = np.nan
            result[share] = shown
            reasons[share] = reason
        any_hidden, columns, texts = _flag_columns(reasons, len(ids))
        result[FLAG_COLUMN] = any_hidden
        result[FLAG_COLUMNS_COLUMN] = columns
        result[REASON_COLUMN] = texts
        by_reason = {
            REASON_PRIMARY: {col: int((reasons[col] == REASON_PRIMARY).sum()) for col in counts},
            REASON_SECONDARY: {col: int((reasons[col] == REASON_SECONDARY).sum()) for col in counts},
            REASON_SHARE: {share: int((reasons[share] == REASON_SHARE).sum()) for share in shares},
        }
        result.attrs = {
            **table.attrs,
            "suppressed": {col: int((reason != "").sum()) for col, reason in reasons.items()},
            "suppressed_by_reason": by_reason,
            "threshold": threshold,
        }
        out[lv] = result
    return out


def cell_reasons(table: pd.DataFrame) -> pd.DataFrame:
    """Why each cell of a protected table is hidden, from its ``onderdrukt_reden`` column.

    Returns
    -------
    DataFrame
        Same index as ``table``, one column per column named in ``onderdrukt_reden`` (in
        order of appearance), values ``primair``, ``secundair``, ``aandeel`` or ``""``.

    Raises
    ------
    DataError
        ``table`` has no ``onderdrukt_reden`` column (apply :func:`protect_hierarchy` first).
    """
    if REASON_COLUMN not in table.columns:
        raise DataError(f"the table has no column '{REASON_COLUMN}'; it comes from protect_hierarchy(), "
                        "apply that to the unsuppressed tables first")
    parsed = [
        dict(part.rsplit(": ", 1) for part in str(text).split(", ") if part) if isinstance(text, str) else {}
        for text in table[REASON_COLUMN]
    ]
    names = list(dict.fromkeys(name for row in parsed for name in row))
    return pd.DataFrame([[row.get(name, "") for name in names] for row in parsed], index=table.index,
                        columns=names, dtype=object)


def select_flags(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy of a protected table whose ``onderdrukt`` columns describe only ``columns``.

    Use it when a table shows a subset of the protected columns, so its flags do not mention
    columns that are not in it.
    """
    reasons = cell_reasons(table)
    kept = {col: reasons[col].to_numpy(dtype=object) if col in reasons else np.full(len(table), "", dtype=object)
            for col in columns}
    any_hidden, names, texts = _flag_columns(kept, len(table))
    out = table.copy()
    out[FLAG_COLUMN] = any_hidden
    out[FLAG_COLUMNS_COLUMN] = names
    out[REASON_COLUMN] = texts
    return out


def suppression_summary(published: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """How many cells each level hides, per column and reason (for the report).

    Returns
    -------
    DataFrame
        ``niveau``, ``kolom``, ``reden`` and ``aantal`` (only combinations with at least one
        hidden cell), levels in the order given.
    """
    rows = []
    for level, table in published.items():
        reasons = cell_reasons(table)
        for col in reasons.columns:
            counts = reasons[col].loc[reasons[col] != ""].value_counts()
            for reason in REASONS:
                if counts.get(reason, 0):
                    rows.append({"niveau": level, "kolom": col, "reden": reason, "aantal": int(counts[reason])})
    return pd.DataFrame(rows, columns=["niveau", "kolom", "reden", "aantal"])


def attack_hierarchy(
    published: Mapping[str, pd.DataFrame],
    parents: Mapping[str, pd.Series | Mapping[str, str]],
    *,
    count_columns: Sequence[str],
    share_columns: ShareSpec,
    totals: Mapping[str, Mapping[str, float]] | None = None,
    key: str = "code",
) -> pd.DataFrame:
    """Everything an attacker can compute about the hidden counts from what is published.

    The attacker holds the published tables of every level at once (as from runs at every
    ``niveau``), knows the hierarchy and every external total (the parents not in
    ``published``, e.g. the gemeente total from CBS), and repeats until nothing new is found:

    * ``verschil``: a group with a known parent and one unknown child: parent minus the others;
    * ``som``: an unknown parent whose children are all known: their sum;
    * ``nul``: a known parent whose known children already add up to it (or more): every
      unknown child is 0 (counts are not negative);
    * ``aandeel``: a shown share with numerator and denominator columns: numerator = share x
      denominator, or denominator = numerator / share (the scale, e.g. 100 for percentages, is
      read from the rows where all three are shown).

    Every value found is used in the next round. For tree-shaped hierarchies the first two
    steps find every count that the group sums determine.

    Parameters
    ----------
    published : Mapping[str, DataFrame]
        Level -> published table (hidden cells NaN), e.g. the output of :func:`protect_hierarchy`.
    parents, count_columns, share_columns, key
        As for :func:`protect_hierarchy`.
    totals : Mapping[str, Mapping[str, float]], optional
        External total code -> column -> value. An external total not given is still known,
        but its value is unknown here, so the values derived from it are NaN.

    Returns
    -------
    DataFrame
        One row per recovered cell: ``niveau``, ``code``, ``kolom``, ``waarde`` (the value the
        attacker computes; NaN if it depends on a total not given) and ``via``.
    """
    shares = _share_spec(share_columns)
    counts = list(dict.fromkeys([*count_columns, *(c for pair in shares.values() for c in pair if c is not None)]))
    tree = _tree(published, parents, key)
    for lv, table in published.items():
        _check_columns(table, counts, f"level '{lv}': count column(s)")
        _check_columns(table, list(shares), f"level '{lv}': share column(s)")
    totals = totals or {}
    n_nodes = len(tree.code)
    value: dict[str, np.ndarray] = {}
    for col in counts:
        column = np.full(n_nodes, np.nan)
        for lv, table in published.items():
            column[tree.nodes_of[lv]] = _numeric(table, col).to_numpy(dtype=float)
        value[col] = column
    known = {col: ~np.isnan(v) for col, v in value.items()}
    found: dict[tuple[str, int], str] = {}

    def learn(col: str, node: int, amount: float, via: str) -> None:
        known[col][node] = True
        value[col][node] = amount
        found[(col, node)] = via

    share_rows = []
    for share, (numerator, denominator) in shares.items():
        if numerator is None:
            continue
        shown = {lv: _numeric(table, share).to_numpy(dtype=float) for lv, table in published.items()}
        ratios = []
        for lv, ids in tree.nodes_of.items():
            num, den, s = value[numerator][ids], value[denominator][ids], shown[lv]
            ok = ~np.isnan(num) & ~np.isnan(den) & ~np.isnan(s) & (num > 0)
            ratios.extend((s[ok] * den[ok] / num[ok]).tolist())
        scale = float(np.median(ratios)) if ratios else np.nan
        for lv, ids in tree.nodes_of.items():
            for node, s in zip(ids, shown[lv]):
                if not np.isnan(s):
                    share_rows.append((numerator, denominator, int(node), float(s), scale))

    progress = True
    while progress:
        progress = False
        for col in counts:
            for parent, parent_code, children in tree.groups:
                if parent >= 0:
                    parent_known, parent_value = bool(known[col][parent]), value[col][parent]
                else:
                    parent_known, parent_value = True, float(totals.get(parent_code, {}).get(col, np.nan))
                unknown = [c for c in children if not known[col][c]]
                if parent_known and unknown:
                    residual = parent_value - sum(value[col][c] for c in children if known[col][c])
                    if len(unknown) == 1:
                        learn(col, unknown[0], residual, "verschil")
                        progress = True
                    elif residual <= 0:
                        for child in unknown:
                            learn(col, child, 0.0, "nul")
                        progress = True
                elif not parent_known and not unknown:
                    learn(col, parent, float(sum(value[col][c] for c in children)), "som")
                    progress = True
        for numerator, denominator, node, s, scale in share_rows:
            if known[denominator][node] and not known[numerator][node]:
                learn(numerator, node, s * value[denominator][node] / scale, "aandeel")
                progress = True
            elif known[numerator][node] and not known[denominator][node] and s != 0:
                learn(denominator, node, value[numerator][node] * scale / s, "aandeel")
                progress = True
    rows = [
        {"niveau": tree.level[node], "code": tree.code[node], "kolom": col, "waarde": value[col][node], "via": via}
        for (col, node), via in found.items()
    ]
    return pd.DataFrame(rows, columns=["niveau", "code", "kolom", "waarde", "via"])


def audit_hierarchy(
    original: Mapping[str, pd.DataFrame],
    published: Mapping[str, pd.DataFrame],
    parents: Mapping[str, pd.Series | Mapping[str, str]],
    *,
    count_columns: Sequence[str],
    share_columns: ShareSpec,
    threshold: int,
    totals: Mapping[str, Mapping[str, float]] | None = None,
    key: str = "code",
) -> pd.DataFrame:
    """The hidden counts :func:`attack_hierarchy` recovers whose true value is small or unknown.

    Parameters
    ----------
    original : Mapping[str, DataFrame]
        Level -> the table before protection (the true values).
    published, parents, count_columns, share_columns, totals, key
        As for :func:`attack_hierarchy`.
    threshold : int
        Smallest count that may be shown.

    Returns
    -------
    DataFrame
        The rows of :func:`attack_hierarchy` whose true value is below ``threshold`` or missing,
        with the true value in ``werkelijk``; empty when the publication is safe.
    """
    threshold = _check_threshold(threshold)
    found = attack_hierarchy(published, parents, count_columns=count_columns, share_columns=share_columns,
                             totals=totals, key=key)
    truth = {lv: table.set_index(table[key].astype(str)) for lv, table in original.items()}
    found["werkelijk"] = [float(truth[row.niveau].at[row.code, row.kolom]) for row in found.itertuples()]
    leaking = found["werkelijk"].isna() | (found["werkelijk"] < threshold)
    return found.loc[leaking].reset_index(drop=True)
