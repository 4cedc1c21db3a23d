"""Plausibility rules for every raw and user file, declared with pandera.

A file that is well-formed but wrong (a share of 150%, a buurt of 99,999,999 inhabitants, more
people aged 65+ than inhabitants, coordinates in degrees) is refused here, where it is read,
with every broken rule named: file, row (as numbered in the file, header = row 1), area code,
column, value, the rule and the fix. Nothing is dropped or clipped.

pandera is imported lazily (it adds about a second to an import), so only code that reads
raw files pays for it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import pandas as pd

from decentraal.errors import DataError

#: Largest plausible count of inhabitants or households in one area (the largest Dutch
#: municipality, Amsterdam, has about 0.93 million inhabitants).
MAX_COUNT = 2_000_000
#: RD New (EPSG:28992) extent of the Netherlands in metres, rounded outwards.
RD_X = (7_000.0, 300_000.0)
RD_Y = (289_000.0, 629_000.0)
#: Shown after each rule as the fix.
FIXES = {
    "share": "a percentage lies between 0 and 100; check the column's unit and the export",
    "count": f"a count lies between 0 and {MAX_COUNT:,}; check for a CBS special code or a typo",
    "subset": "a part cannot exceed its whole; check both columns of this row",
    "rd": "coordinates must be RD New metres (EPSG:28992), e.g. x 103000, y 488000 for Haarlem; "
          "degrees (52.38, 4.63) must be converted first",
    "positive": "the value must be larger than 0",
}


@functools.lru_cache(maxsize=1)
def _pa():
    import pandera.pandas as pa

    return pa


def _share(pa) -> list:
    return [pa.Check.in_range(0, 100, error="share")]


def _count(pa) -> list:
    return [pa.Check.in_range(0, MAX_COUNT, error="count")]


@functools.cache
def schema(name: str):
    """The pandera schema of a typed table (after :mod:`decentraal.io.loaders` parsed it)."""
    pa = _pa()
    col = functools.partial(pa.Column, nullable=True, required=False, coerce=False)
    if name == "kwb":
        return pa.DataFrameSchema(
            {
                "inwoners": col(float, _count(pa)),
                "inwoners_65plus": col(float, _count(pa)),
                "inwoners_0_14": col(float, _count(pa)),
                "huishoudens": col(float, _count(pa)),
                "pct_koopwoningen": col(float, _share(pa)),
                "pct_eengezinswoning": col(float, _share(pa)),
                "oppervlakte_land_ha": col(float, [pa.Check.ge(0, error="count")]),
            },
            checks=[
                pa.Check(lambda d: ~(d["inwoners_65plus"] > d["inwoners"]), error="subset: inwoners_65plus <= inwoners"),
                pa.Check(lambda d: ~(d["inwoners_0_14"] > d["inwoners"]), error="subset: inwoners_0_14 <= inwoners"),
            ],
        )
    if name == "gezondheid":
        return pa.DataFrameSchema({r"pct_goede_gezondheid_\d{4}": col(float, _share(pa), regex=True)})
    if name == "wijken":
        return pa.DataFrameSchema(
            {
                "inwoners": col(float, _count(pa)),
                "huishoudens": col(float, _count(pa)),
                r"pct_.*": col(float, _share(pa), regex=True),
                "personenautos": col(float, _count(pa)),
            }
        )
    if name == "points":
        return pa.DataFrameSchema(
            {
                "x": col(float, [pa.Check.in_range(*RD_X, error="rd")]),
                "y": col(float, [pa.Check.in_range(*RD_Y, error="rd")]),
            }
        )
    raise KeyError(f"no schema named {name!r}")


def check(frame: pd.DataFrame, name: str, *, source: str, first_row: int = 2, key: str | None = "code",
          limit: int = 10) -> pd.DataFrame:
    """Validate ``frame`` against schema ``name``; raise one :class:`DataError` naming every broken rule.

    Parameters
    ----------
    frame
        A typed table whose rows are in file order (row ``i`` is file row ``i + first_row``).
    name
        Schema name: ``kwb``, ``gezondheid``, ``wijken`` or ``points``.
    source
        File name shown in the message.
    key
        Column naming the area (or site) of a row, shown next to the row number.
    """
    pa = _pa()
    try:
        schema(name).validate(frame.reset_index(drop=True), lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise DataError(_message(exc.failure_cases, frame.reset_index(drop=True), source, first_row, key, limit)) from None
    return frame


def _message(cases: pd.DataFrame, frame: pd.DataFrame, source: str, first_row: int, key: str | None, limit: int) -> str:
    lines = []
    # a row-level rule (e.g. 65+ <= inhabitants) is reported once per row, not once per column
    row_rule = cases["check"].astype(str).str.startswith("subset")
    cases = pd.concat([cases[~row_rule], cases[row_rule].drop_duplicates(["check", "index"]).assign(column=None, failure_case=None)])
    for case in cases.head(limit).itertuples(index=False):
        rule = str(case.check)
        kind = rule.split(":")[0]
        where = ""
        if pd.notna(case.index):
            pos = int(case.index)
            code = f" ({frame.at[pos, key]})" if key and key in frame.columns else ""
            where = f"row {pos + first_row}{code}, "
        column = f"column {case.column}" if isinstance(case.column, str) and case.column in frame.columns else "row check"
        value = "" if pd.isna(case.failure_case) else f" value {case.failure_case!r}"
        lines.append(f"{where}{column}:{value} breaks '{rule}'; {FIXES.get(kind, 'correct the value')}")
    more = f"\n  ... and {len(cases) - limit} more" if len(cases) > limit else ""
    return f"{source}: {len(cases)} implausible value(s):\n  - " + "\n  - ".join(lines) + more


def special_codes_in(values: pd.Series, codes: Mapping[int, str] | tuple) -> pd.Series:
    """Boolean mask of cells holding a CBS special code (as text or number)."""
    numeric = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
    return numeric.isin(list(codes))
