"""Steps every chapter shares: the layers of one municipality after disclosure control.

Two views of the same data:

* :func:`safe_layers`: per level, the indicator table after primary suppression
  (:func:`~decentraal.methods.indicators.safe_table`); the analysis (the index, hot spots,
  demand) works on these, so its results do not depend on what is published;
* :func:`published_layers`: per level, the table after primary *and* secondary suppression over
  the whole area hierarchy (:func:`~decentraal.methods.disclosure.protect_hierarchy`), computed
  once for all levels of the municipality. Every table or layer that shows counts of people per
  area (or shares of them) takes those columns from here, so runs at different levels show one
  consistent pattern that cannot be differenced.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from decentraal.errors import DataError
from decentraal.methods.disclosure import audit_hierarchy, protect_hierarchy
from decentraal.methods.indicators import COUNT_COLUMNS, DENOMINATORS, NUMERATORS, safe_table
from decentraal.methods.overview import select

#: Buurt column holding the code of the area at each coarser level (sums of buurt values).
LEVEL_CODE = {"wijk": "wijkcode", "stadsdeel": "stadsdeelcode", "gemeente": "gemeentecode"}
#: Share indicator -> (numerator count or None, denominator count), for the hierarchical protection.
PUBLISHED_SHARES: dict[str, tuple[str | None, str]] = {
    share: (NUMERATORS.get(share), denominator) for share, denominator in DENOMINATORS.items()
}


def safe_layers(layers_all: dict[str, gpd.GeoDataFrame], gemeente: str, threshold: int
                ) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, pd.DataFrame]]:
    """The layers of one municipality and, per level, its indicator table after :func:`safe_table`."""
    layers = select(layers_all, gemeente)
    return layers, {lv: safe_table(pd.DataFrame(layer.drop(columns="geometry")), threshold) for lv, layer in layers.items()}


def area_parents(layers: Mapping[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """Level -> Series area code -> the code of the area it lies in.

    buurt -> wijk; wijk -> stadsdeel where the municipality has stadsdelen (a ``stadsdeel``
    level), else -> gemeente; stadsdeel -> gemeente. The gemeente level (or, without it, the
    gemeente code) is the root: its total is published by CBS, so it counts as known.
    """
    parents: dict[str, pd.Series] = {}
    for level, layer in layers.items():
        codes = layer["code"].astype(str).to_numpy()
        if level == "buurt":
            parent = layer["wijkcode"]
        elif level == "wijk":
            district = layer["stadsdeelcode"] if "stadsdeel" in layers else pd.Series(pd.NA, index=layer.index)
            parent = district.astype(object).where(district.notna(), layer["gemeentecode"])
        elif level == "stadsdeel":
            parent = layer["gemeentecode"]
        else:
            continue
        parents[level] = pd.Series(parent.to_numpy(dtype=object), index=codes, name="ouder")
    return parents


def published_layers(layers: Mapping[str, gpd.GeoDataFrame], threshold: int) -> dict[str, pd.DataFrame]:
    """Per level, the table as it may be published: counts and shares protected over the hierarchy.

    Applies :func:`~decentraal.methods.disclosure.protect_hierarchy` to the counts
    (:data:`~decentraal.methods.indicators.COUNT_COLUMNS`) and the share indicators
    (:data:`PUBLISHED_SHARES`) of every level of ``layers`` at once, and checks the result with
    the attacker of :func:`~decentraal.methods.disclosure.audit_hierarchy`.

    Parameters
    ----------
    layers
        Level -> area layer with counts and indicators (one or more municipalities; the
        pattern of a municipality does not depend on the others, nor on the level a run shows).
    threshold
        Smallest count that may be shown.

    Returns
    -------
    dict[str, DataFrame]
        Level -> the layer's columns without geometry, hidden cells NaN, plus ``onderdrukt``,
        ``onderdrukt_kolommen`` and ``onderdrukt_reden``.

    Raises
    ------
    DataError
        The attacker still recovers a small count (a bug in the protection: report it).
    """
    tables = {lv: pd.DataFrame(layer.drop(columns="geometry", errors="ignore")) for lv, layer in layers.items()}
    parents = area_parents(tables)
    published = protect_hierarchy(tables, parents, count_columns=COUNT_COLUMNS, share_columns=PUBLISHED_SHARES,
                                  threshold=threshold)
    leaks = audit_hierarchy(tables, published, parents, count_columns=COUNT_COLUMNS, share_columns=PUBLISHED_SHARES,
                            threshold=threshold)
    if not leaks.empty:
        cells = ", ".join(f"{r.niveau} {r.code} {r.kolom}" for r in leaks.head(10).itertuples())
        raise DataError(f"disclosure control failed: {len(leaks)} hidden count(s) below {threshold} can still be "
                        f"recovered from the published tables ({cells}); nothing is published, report this as a bug")
    return published


def published_visits(layers: Mapping[str, gpd.GeoDataFrame], published: Mapping[str, pd.DataFrame], visits: pd.Series,
                     threshold: int) -> dict[str, pd.DataFrame]:
    """Per level, inhabitants and visits per area as chapter 03 may publish them.

    ``inwoners`` is the value of :func:`published_layers`, hidden exactly where it is hidden
    there. ``bezoeken`` is the visits per buurt, summed over the buurten of each coarser area,
    hidden wherever ``inwoners`` is (modelled visits are inhabitants times a rate, so they would
    reveal them) and protected over the hierarchy on top of that (observed visits are counts of
    people too). So this table, together with every other published table, reveals no small
    count.

    Parameters
    ----------
    layers
        Level -> area layer of one municipality (``s.layers``).
    published
        The output of :func:`published_layers` for the same layers (``s.published``).
    visits
        Buurt code -> visits per year; a buurt not in it has 0 visits.
    threshold
        Smallest count that may be shown.

    Returns
    -------
    dict[str, DataFrame]
        Level -> ``code``, ``naam``, ``inwoners``, ``bezoeken``, ``onderdrukt``,
        ``onderdrukt_kolommen``, ``onderdrukt_reden`` (hidden cells NaN).

    Raises
    ------
    DataError
        The attacker still recovers a small count (a bug in the protection: report it).
    """
    buurten = pd.DataFrame(layers["buurt"].drop(columns="geometry", errors="ignore"))
    per_buurt = pd.to_numeric(buurten["code"].map(visits), errors="coerce").fillna(0.0)
    tables, hidden = {}, {}
    for level, layer in layers.items():
        codes = layer["code"]
        if level == "buurt":
            bezoeken = per_buurt.to_numpy(dtype=float)
        else:
            bezoeken = per_buurt.groupby(buurten[LEVEL_CODE[level]]).sum().reindex(codes).fillna(0.0).to_numpy(dtype=float)
        tables[level] = pd.DataFrame({"code": codes.to_numpy(), "naam": layer["naam"].to_numpy(),
                                      "inwoners": layer["inwoners"].to_numpy(dtype=float), "bezoeken": bezoeken})
        gone = published[level].set_index("code")["inwoners"].reindex(codes).isna().to_numpy()
        hidden[level] = pd.DataFrame({"inwoners": gone, "bezoeken": gone})
    parents = area_parents(layers)
    protected = protect_hierarchy(tables, parents, count_columns=["inwoners", "bezoeken"], share_columns={},
                                  threshold=threshold, hidden=hidden)
    leaks = audit_hierarchy(tables, protected, parents, count_columns=["inwoners", "bezoeken"], share_columns={},
                            threshold=threshold)
    if not leaks.empty:
        cells = ", ".join(f"{r.niveau} {r.code} {r.kolom}" for r in leaks.head(10).itertuples())
        raise DataError(f"disclosure control failed: {len(leaks)} hidden count(s) below {threshold} can still be "
                        f"recovered from the visits per area ({cells}); nothing is published, report this as a bug")
    return protected
