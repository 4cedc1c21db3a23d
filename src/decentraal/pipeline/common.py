"""Steps every chapter shares: the layers of one municipality after disclosure control."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from decentraal.methods.indicators import safe_table
from decentraal.methods.overview import select


def safe_layers(layers_all: dict[str, gpd.GeoDataFrame], gemeente: str, threshold: int
                ) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, pd.DataFrame]]:
    """The layers of one municipality and, per level, its indicator table after :func:`safe_table`."""
    layers = select(layers_all, gemeente)
    return layers, {lv: safe_table(pd.DataFrame(layer.drop(columns="geometry")), threshold) for lv, layer in layers.items()}
