"""Data overview (chapter 01): coverage per level and totals checked against CBS."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from decentraal.config import LEVELS
from decentraal.methods.indicators import INDICATORS

#: CBS rounds buurt and wijk counts to multiples of 5; whatever the rounding rule, each rounded
#: count is less than 5 away from the true count.
ROUNDING_PER_AREA = 5.0


def select(layers: dict[str, gpd.GeoDataFrame], gemeente: str) -> dict[str, gpd.GeoDataFrame]:
    """The layers restricted to one municipality; levels without areas are left out."""
    out = {}
    for level in LEVELS:
        part = layers[level].loc[layers[level]["gemeentecode"] == gemeente].reset_index(drop=True)
        if not part.empty:
            out[level] = part
    return out


def coverage(layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Per level: number of areas, areas with inhabitants, and areas with a value per indicator (by key)."""
    rows = []
    for level, layer in layers.items():
        row = {"niveau": level, "gebieden": len(layer), "met_inwoners": int((layer["inwoners"] > 0).sum())}
        for ind in INDICATORS:
            row[ind.key] = int(layer[ind.key].notna().sum())
        rows.append(row)
    return pd.DataFrame(rows).set_index("niveau")


def total_check(kwb: pd.DataFrame, gemeente: str) -> dict[str, float]:
    """Buurt and wijk sums of inhabitants against the CBS published municipal total.

    CBS rounds buurt and wijk counts to multiples of 5, so each sum may differ from the
    published total by less than :data:`ROUNDING_PER_AREA` per area (``tolerantie_*``).
    """
    total = float(kwb.loc[kwb["code"] == gemeente, "inwoners"].iloc[0])
    out = {"gepubliceerd": total}
    for level in ("buurt", "wijk"):
        part = kwb.loc[(kwb["niveau"] == level) & (kwb["gemeentecode"] == gemeente), "inwoners"]
        out[f"som_{level}"] = float(part.sum())
        out[f"verschil_{level}"] = float(part.sum() - total)
        out[f"tolerantie_{level}"] = ROUNDING_PER_AREA * int(part.notna().sum())
    return out


def population_table(layer: gpd.GeoDataFrame) -> pd.DataFrame:
    """Inhabitants, households and share 65+ per area, largest first."""
    cols = ["code", "naam", "inwoners", "huishoudens", "aandeel_65plus"]
    return pd.DataFrame(layer[cols]).sort_values("inwoners", ascending=False, na_position="last").reset_index(drop=True)
