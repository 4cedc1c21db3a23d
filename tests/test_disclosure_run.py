"""No export of a run (tables, Excel, layers) shows a count below the disclosure threshold."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from test_pipeline import small_run  # noqa: F401  (session fixture: one Zandvoort run)

pytestmark = pytest.mark.slow

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


def test_no_small_counts_in_tables_or_layers(small_run):  # noqa: F811
    threshold = small_run.manifest["parameters"]["onthulling_drempel"]
    problems = []
    for path in sorted((small_run.run_dir / "tables").glob("*.csv")):
        problems += [f"{path.name} {p}" for p in _small_counts(pd.read_csv(path), threshold)]
    for path in sorted((small_run.run_dir / "layers").glob("*.gpkg")):
        problems += [f"{path.name} {p}" for p in _small_counts(pd.DataFrame(gpd.read_file(path).drop(columns="geometry")), threshold)]
    assert not problems, "small counts leak into exports:\n" + "\n".join(problems)
