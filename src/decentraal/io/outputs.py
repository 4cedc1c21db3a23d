"""Where a notebook puts what it produces: tables, figures and layers of one run.

The runner passes the run folder as the notebook parameter ``uitvoer_map``; a notebook opened
by hand (empty ``uitvoer_map``) writes to ``outputs/_interactief/`` instead, which is never
taken for a run. Every write is atomic (see :mod:`decentraal.io`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd

from decentraal import io
from decentraal.config import OUTPUTS_DIR

SUBDIRS = ("notebooks", "report", "tables", "layers", "figures")


@dataclass(frozen=True)
class RunOutputs:
    """The output folders of one run."""

    root: Path

    @classmethod
    def open(cls, uitvoer_map: str = "") -> "RunOutputs":
        """Use the run folder given by the runner, or ``outputs/_interactief`` when empty."""
        root = Path(uitvoer_map) if uitvoer_map else OUTPUTS_DIR / "_interactief"
        for sub in SUBDIRS:
            (root / sub).mkdir(parents=True, exist_ok=True)
        return cls(root)

    def table(self, frame: pd.DataFrame, name: str) -> Path:
        """Write ``tables/<name>.csv`` (geometry dropped); the runner bundles them into Excel."""
        out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
        return io.write_table(out, self.root / "tables" / f"{name}.csv")

    def figure(self, fig: plt.Figure, name: str, *, dpi: int = 150) -> Path:
        """Write ``figures/<name>.png``."""
        target = self.root / "figures" / f"{name}.png"
        with io.atomic_path(target) as tmp:
            fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png")
        return target

    def layer(self, gdf: gpd.GeoDataFrame, name: str) -> Path:
        """Write ``layers/<name>.gpkg`` (one layer named ``name``) for QGIS."""
        return io.write_layers({name: gdf}, self.root / "layers" / f"{name}.gpkg")
