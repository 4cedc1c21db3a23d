"""Aggregate area statistics to a coarser level: sum counts, recompute rates from counts.

Percentages are never averaged across areas. A share at the coarser level is the sum of the
numerators over the sum of the denominators; where only a share is published (no count), the
share is turned back into an implied count with the area's own denominator first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from decentraal.errors import DataError


def _parent_codes(table: pd.DataFrame, parent: pd.Series | str, source: str) -> pd.Series:
    codes = table[parent] if isinstance(parent, str) else table["code"].map(parent)
    missing = codes.isna()
    if missing.any():
        raise DataError(
            f"{source}: no parent area for code(s) {', '.join(table.loc[missing, 'code'].astype(str))}; "
            "add them to the crosswalk or drop them explicitly before aggregating."
        )
    return codes


def aggregate(
    table: pd.DataFrame,
    parent: pd.Series | str,
    *,
    counts: Sequence[str],
    rates: Mapping[str, tuple[str, str, float]] | None = None,
    source: str = "table",
) -> pd.DataFrame:
    """Sum counts per parent area and recompute rates from the summed counts.

    Parameters
    ----------
    table
        Child-level table with a ``code`` column and the count columns.
    parent
        Either the name of a column holding the parent code, or a Series mapping child code
        to parent code. A child without a parent raises :class:`DataError` (nothing is dropped).
    counts
        Columns to sum. A parent whose children are all missing gets NaN, not 0.
    rates
        ``{name: (numerator, denominator, scale)}``; rate = scale * sum(num) / sum(den),
        computed only over children where both are known; NaN where that denominator is 0.
    source
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per parent (column ``code``) with the summed counts, the rates,
        ``n_gebieden`` (children) and ``n_ontbrekend_<count>`` (children with that count missing).

    Examples
    --------
    Two buurten of one wijk; the share is recomputed from the summed counts, not averaged:

    >>> import pandas as pd
    >>> buurten = pd.DataFrame({"code": ["BU1", "BU2"], "wijk": ["WK1", "WK1"],
    ...                         "inwoners": [100, 300], "ouderen": [50, 30]})
    >>> out = aggregate(buurten, "wijk", counts=["inwoners", "ouderen"],
    ...                 rates={"aandeel": ("ouderen", "inwoners", 100)})
    >>> out[["code", "inwoners", "aandeel"]].to_dict("records")
    [{'code': 'WK1', 'inwoners': 400, 'aandeel': 20.0}]
    """
    codes = _parent_codes(table, parent, source)
    frame = table.assign(_parent=codes.to_numpy())
    grouped = frame.groupby("_parent", sort=True)
    out = pd.DataFrame({"n_gebieden": grouped.size()})
    for column in counts:
        out[column] = grouped[column].sum(min_count=1)
        out[f"n_ontbrekend_{column}"] = grouped[column].apply(lambda s: int(s.isna().sum()))
    for name, (num, den, scale) in (rates or {}).items():
        both = frame[num].notna() & frame[den].notna()
        sums = frame.loc[both].groupby("_parent")[[num, den]].sum().reindex(out.index)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = scale * sums[num] / sums[den]
        out[name] = rate.where(sums[den] > 0)
    return out.rename_axis("code").reset_index()


def weighted_share(
    table: pd.DataFrame,
    parent: pd.Series | str,
    *,
    share: str,
    weight: str,
    source: str = "table",
) -> pd.DataFrame:
    """Aggregate a published share by turning it into implied counts first.

    ``sum(share * weight) / sum(weight)`` over the children where both are known; also returns
    ``gewicht_gedekt``, the share of the parent's total weight that had a known value, so a
    reader sees how much of the population the aggregated value rests on.
    """
    codes = _parent_codes(table, parent, source)
    frame = table.assign(_parent=codes.to_numpy())
    known = frame[share].notna() & frame[weight].notna()
    implied = (frame[share] * frame[weight]).where(known)
    num = implied.groupby(frame["_parent"]).sum(min_count=1)
    den = frame[weight].where(known).groupby(frame["_parent"]).sum(min_count=1)
    total = frame[weight].groupby(frame["_parent"]).sum(min_count=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (num / den).where(den > 0)
        covered = (den / total).where(total > 0)
    return pd.DataFrame({share: value, "gewicht_gedekt": covered}).rename_axis("code").reset_index()
