"""Joins report unmatched codes; aggregation recomputes rates from counts; writes are atomic."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from decentraal import io
from decentraal.errors import DataError
from decentraal.methods import aggregate, joins


def _areas():
    return gpd.GeoDataFrame({"code": ["A", "B", "C"], "naam": ["a", "b", "c"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs="EPSG:28992")


def test_join_reports_codes_on_one_side_only():
    table = pd.DataFrame({"code": ["A", "B", "Z"], "naam": ["a", "b", "zed"], "x": [1, 2, 3]})
    joined, report = joins.join_by_code(_areas(), table, areas_name="grenzen.gpkg", table_name="stats.csv")
    assert len(joined) == 3 and np.isnan(joined.set_index("code").loc["C", "x"])
    assert set(map(tuple, report[["bestand", "code", "naam"]].to_numpy())) == {("grenzen.gpkg", "C", "c"), ("stats.csv", "Z", "zed")}


def test_join_refuses_duplicate_codes():
    table = pd.DataFrame({"code": ["A", "A"], "x": [1, 2]})
    with pytest.raises(ValueError, match="stats.csv: code\\(s\\) A occur more than once"):
        joins.join_by_code(_areas(), table, areas_name="g", table_name="stats.csv")


def test_rates_are_recomputed_from_counts_not_averaged():
    # A: 10 of 100 are 65+ (10 %), B: 90 of 100 900 (90 %)... hand computation:
    # pooled share = (10 + 450) / (100 + 500) = 76.67 %, the mean of percentages would be 50 %.
    t = pd.DataFrame({"code": ["A", "B"], "parent": ["P", "P"], "n": [100.0, 500.0], "old": [10.0, 450.0]})
    out = aggregate.aggregate(t, "parent", counts=["n", "old"], rates={"share": ("old", "n", 100)})
    assert out.loc[0, "share"] == pytest.approx(100 * 460 / 600)
    assert out.loc[0, "n"] == 600 and out.loc[0, "n_gebieden"] == 2


def test_missing_and_zero_population_handled_explicitly():
    t = pd.DataFrame({"code": ["A", "B", "C", "D"], "parent": ["P", "P", "Q", "R"], "n": [100.0, np.nan, 0.0, np.nan], "old": [10.0, 5.0, 0.0, np.nan]})
    out = aggregate.aggregate(t, "parent", counts=["n", "old"], rates={"share": ("old", "n", 100)}).set_index("code")
    assert out.loc["P", "share"] == pytest.approx(10.0)  # B has no population: left out of the rate
    assert out.loc["P", "n_ontbrekend_n"] == 1
    assert np.isnan(out.loc["Q", "share"])  # zero population: no rate, not 0 and not inf
    assert np.isnan(out.loc["R", "n"])  # all missing: NaN, not 0


def test_child_without_parent_is_an_error_not_a_drop():
    t = pd.DataFrame({"code": ["A", "B"], "n": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"no parent area for code\(s\) B"):
        aggregate.aggregate(t, pd.Series({"A": "P"}), counts=["n"], source="t.csv")


def test_weighted_share_reports_coverage():
    t = pd.DataFrame({"code": ["A", "B", "C"], "p": ["P"] * 3, "share": [50.0, 70.0, np.nan], "w": [100.0, 300.0, 100.0]})
    out = aggregate.weighted_share(t, "p", share="share", weight="w").set_index("code")
    assert out.loc["P", "share"] == pytest.approx((50 * 100 + 70 * 300) / 400)
    assert out.loc["P", "gewicht_gedekt"] == pytest.approx(400 / 500)


def test_failed_write_keeps_previous_output(tmp_path):
    target = tmp_path / "t.csv"
    io.write_table(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()
    with pytest.raises(RuntimeError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_sidecar_records_inputs_and_code_version(tmp_path):
    target = io.write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet", inputs={"x.csv": "abc"})
    meta = json.loads((tmp_path / "t.parquet.json").read_text())
    assert meta["inputs"] == {"x.csv": "abc"} and meta["sha256"] == io.sha256_file(target)
    assert meta["code_version"]


def test_build_processed_writes_layers_tables_and_sidecars(tmp_path):
    from decentraal.pipeline import data as processed

    written = processed.build_processed(out_dir=tmp_path)
    assert (tmp_path / "gebieden.gpkg").exists() and (tmp_path / "gebieden.gpkg.json").exists()
    for level in ("buurt", "wijk", "stadsdeel", "gemeente"):
        table = pd.read_parquet(tmp_path / f"indicatoren_{level}.parquet")
        assert "inwoners" in table.columns
    assert processed.store.is_current(tmp_path)
    assert set(written) >= {"gebieden", "koppelrapport"}
