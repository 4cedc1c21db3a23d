"""No export of a run (tables, Excel, layers) shows a count below the disclosure threshold,
and every per-area count or share of chapters 01 and 02 follows the one hierarchical pattern."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from decentraal.methods.indicators import COUNT_COLUMNS
from decentraal.methods.overview import select
from decentraal.pipeline.common import PUBLISHED_SHARES, published_layers
from decentraal.pipeline.data import read_layers

pytestmark = pytest.mark.slow  # small_run (tests/conftest.py): one run of every notebook for Zandvoort

#: Columns that hold counts of people or households in any export.
COUNT_NAMES = ("inwoners", "inwoners_0_14", "inwoners_65plus", "huishoudens", "inwoners_getoond", "bezoeken")


def _small_counts(frame: pd.DataFrame, threshold: int) -> list[str]:
    bad = []
    for column in frame.columns:
        if column in COUNT_NAMES and pd.api.types.is_numeric_dtype(frame[column]):
            values = frame[column].dropna()
            if (values < threshold).any():
                bad.append(f"{column}: {sorted(values[values < threshold].tolist())[:5]}")
    return bad


def test_no_small_counts_in_tables_or_layers(small_run):
    threshold = small_run.manifest["parameters"]["onthulling_drempel"]
    problems = []
    for path in sorted((small_run.run_dir / "tables").glob("*.csv")):
        problems += [f"{path.name} {p}" for p in _small_counts(pd.read_csv(path), threshold)]
    for path in sorted((small_run.run_dir / "layers").glob("*.gpkg")):
        problems += [f"{path.name} {p}" for p in _small_counts(pd.DataFrame(gpd.read_file(path).drop(columns="geometry")), threshold)]
    assert not problems, "small counts leak into exports:\n" + "\n".join(problems)


def _area_frames(run_dir, prefixes: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    frames = {}
    for path in sorted((run_dir / "tables").glob("*.csv")):
        if path.name.startswith(prefixes):
            frames[path.name] = pd.read_csv(path, dtype={"code": str})
    for path in sorted((run_dir / "layers").glob("*.gpkg")):
        if path.name.startswith(prefixes):
            frames[path.name] = pd.DataFrame(gpd.read_file(path).drop(columns="geometry"))
    return frames


def test_chapters_01_and_02_publish_the_hierarchical_pattern(small_run):
    """Every per-area count and share written by chapters 01 and 02 is the value of
    ``published_layers`` (NaN where that hides it), so the run's tables, together with the
    tables of runs at any other level, reveal no small count (see tests/methods/test_disclosure_attack.py)."""
    parameters = small_run.manifest["parameters"]
    layers_all, _, _ = read_layers()
    published = published_layers(select(layers_all, parameters["gemeente"]), parameters["onthulling_drempel"])
    by_code = pd.concat([table.set_index("code") for table in published.values()])
    columns = [*COUNT_COLUMNS, *PUBLISHED_SHARES]
    checked = []
    for name, frame in _area_frames(small_run.run_dir, ("01_", "02_")).items():
        if "code" not in frame.columns or not frame["code"].astype(str).isin(by_code.index).all():
            continue  # not a table of areas
        codes = frame["code"].astype(str)
        for col in [c for c in columns if c in frame.columns]:
            expected = by_code.loc[codes, col].to_numpy(dtype=float)
            got = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
            hidden = np.isnan(expected)
            assert np.array_equal(np.isnan(got), hidden), f"{name}.{col}: hidden cells differ from published_layers"
            assert np.allclose(got[~hidden], expected[~hidden], rtol=1e-9), f"{name}.{col}: values differ"
            checked.append(f"{name}.{col}")
    assert any(c.startswith("01_inwoners") for c in checked), checked
    assert any(c.startswith("02_indicatoren") for c in checked), checked
    assert any(c.startswith("02_index") for c in checked), checked
