"""Committee tables: Dutch column labels and number formats, applied from one registry.

A table is shown with :func:`table`, naming the columns to show; each column's Dutch label and
format come from :data:`decentraal.report.labels.COLUMNS`, so no notebook cell renames a
column or formats a number itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from decentraal.report import format as fmt
from decentraal.report.labels import COLUMNS, Column

#: Format kind -> function of one value.
FORMATS: dict[str, Callable[[object], str]] = {
    "text": lambda v: fmt.MISSING if v is None or (isinstance(v, float) and pd.isna(v)) else str(v),
    "int": lambda v: fmt.number(v, 0),
    "dec1": lambda v: fmt.number(v, 1),
    "dec2": lambda v: fmt.number(v, 2),
    "dec3": lambda v: fmt.number(v, 3),
    "share": lambda v: fmt.percent(v, 0),
    "pct": lambda v: fmt.MISSING if pd.isna(v) else fmt.number(v, 1) + "%",
    "eur": lambda v: fmt.euro(v, 0),
    "eur2": lambda v: fmt.euro(v, 2),
    "km": lambda v: fmt.number(v, 2),
    "hundreds": lambda v: fmt.number(fmt.rounded(v, 100), 0),
    "thousands_eur": lambda v: fmt.euro(fmt.rounded(v, 1000), 0),
}


def column(key: str) -> Column:
    """The registered label and format of a column (KeyError names the registry to extend)."""
    try:
        return COLUMNS[key]
    except KeyError:
        raise KeyError(f"column {key!r} has no label; add it to decentraal.report.labels.COLUMNS") from None


def table(frame: pd.DataFrame, columns: Sequence[str], *, labels: Mapping[str, str] | None = None) -> Styler:
    """A Dutch committee table of ``columns`` of ``frame``: labelled, formatted, no index.

    ``labels`` may override the registered label of a column for this table only (e.g. a
    label that names a parameter value such as the coverage radius).
    """
    labels = dict(labels or {})
    shown = pd.DataFrame({labels.get(c, column(c).label): frame[c].to_numpy() for c in columns})
    formats = {labels.get(c, column(c).label): FORMATS[column(c).kind] for c in columns}
    styler = shown.style.hide(axis="index").format(formats)
    text = [labels.get(c, column(c).label) for c in columns if column(c).kind == "text"]
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    return styler


def plain(frame: pd.DataFrame) -> Styler:
    """A table whose columns are already Dutch prose (metadata tables): no index, text left."""
    return frame.style.hide(axis="index").set_properties(**{"text-align": "left"})
