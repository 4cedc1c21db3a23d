"""Join statistics to boundaries by code, with a report of every code found on one side only."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

REPORT_COLUMNS = ["bestand", "code", "naam", "aanwezig_in", "ontbreekt_in"]


def join_report(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    left_name: str,
    right_name: str,
    on: str = "code",
    name_column: str = "naam",
) -> pd.DataFrame:
    """List the codes present in only one of two tables.

    Parameters
    ----------
    left, right
        Tables with a code column ``on`` and, where available, a name column.
    left_name, right_name
        File names (or descriptions) shown in the report.

    Returns
    -------
    pandas.DataFrame
        Columns ``bestand`` (file holding the code), ``code``, ``naam``, ``aanwezig_in`` and
        ``ontbreekt_in``; empty when both sides hold the same codes.

    Examples
    --------
    >>> import pandas as pd
    >>> left = pd.DataFrame({"code": ["BU1", "BU2"], "naam": ["A", "B"]})
    >>> right = pd.DataFrame({"code": ["BU2", "BU3"], "naam": ["B", "C"]})
    >>> join_report(left, right, left_name="grenzen", right_name="cijfers")[["code", "ontbreekt_in"]].to_dict("records")
    [{'code': 'BU1', 'ontbreekt_in': 'cijfers'}, {'code': 'BU3', 'ontbreekt_in': 'grenzen'}]
    """
    rows = []
    for have, have_name, other, other_name in ((left, left_name, right, right_name), (right, right_name, left, left_name)):
        only = have.loc[~have[on].isin(other[on])]
        names = only[name_column] if name_column in only.columns else pd.Series("", index=only.index)
        for code, name in zip(only[on], names):
            rows.append({"bestand": have_name, "code": code, "naam": name, "aanwezig_in": have_name, "ontbreekt_in": other_name})
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def join_by_code(
    areas: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    areas_name: str,
    table_name: str,
    on: str = "code",
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Left-join a statistics table onto area polygons by code and report what did not match.

    Every polygon is kept (statistics missing -> NaN). Table rows without a polygon are not
    lost: they are listed in the returned report, which the caller shows or stores.

    Returns
    -------
    (geopandas.GeoDataFrame, pandas.DataFrame)
        The joined layer and the join report from :func:`join_report`.
    """
    if table[on].duplicated().any():
        dup = ", ".join(table.loc[table[on].duplicated(), on].astype(str))
        raise ValueError(f"{table_name}: code(s) {dup} occur more than once; a join by code needs unique codes")
    report = join_report(areas, table, left_name=areas_name, right_name=table_name, on=on)
    overlap = [c for c in table.columns if c in areas.columns and c != on]
    joined = areas.merge(table.drop(columns=overlap), on=on, how="left", validate="one_to_one")
    return gpd.GeoDataFrame(joined, geometry=areas.geometry.name, crs=areas.crs), report
