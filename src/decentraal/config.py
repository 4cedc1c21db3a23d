"""Every path the project uses, built from this file's location (no ``'../data'`` anywhere).

``DECENTRAAL_DATA_DIR`` may point the data folder (``raw/`` and ``processed/``) elsewhere, e.g.
at a municipality's own copy or, in tests, at a damaged copy; kernels inherit it.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Package version (also ``decentraal.__version__``).
VERSION = "0.2.0"

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parents[1]
DATA_DIR = Path(os.environ["DECENTRAAL_DATA_DIR"]).resolve() if os.environ.get("DECENTRAAL_DATA_DIR") else ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REGISTRY_FILE = RAW_DIR / "registry.json"
CONFIGS_DIR = ROOT / "configs"
NOTEBOOKS_DIR = ROOT / "notebooks"
OUTPUTS_DIR = ROOT / "outputs"
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATES_DIR = PACKAGE_DIR / "templates"

#: The coordinate reference system of every layer the package returns (RD New, metres).
CRS = "EPSG:28992"

#: Municipalities the shipped data covers, code -> name.
GEMEENTEN = {"GM0392": "Haarlem", "GM0473": "Zandvoort"}

#: Area levels from fine to coarse.
LEVELS = ("buurt", "wijk", "stadsdeel", "gemeente")
