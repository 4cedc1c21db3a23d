"""Statistical disclosure control for tables about people in small areas.

Primary suppression only: counts below a threshold, and shares computed on a
denominator below the threshold, are replaced by NaN so they are never shown.
Zero counts are suppressed as well (following CBS practice, 0 is not distinguished
from other small counts, so a blank cell does not reveal "nobody").

Not covered (check by hand when it matters):

* secondary suppression: a suppressed cell that can be recovered by differencing with
  a published total (e.g. row total minus the other cells);
* a share on a large denominator still reveals a small numerator
  (``share * denominator``); if the numerator is a sensitive count, put the share's
  numerator in ``count_columns`` and drop the share where that count is suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from decentraal.errors import DataError, ParameterError

__all__ = ["SmallCountError", "ThresholdError", "assert_no_small_counts", "suppress"]

#: Columns added by :func:`suppress`.
FLAG_COLUMN = "onderdrukt"
FLAG_COLUMNS_COLUMN = "onderdrukt_kolommen"


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
