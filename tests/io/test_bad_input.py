"""Bad input stops with a message that names the file and the problem: one test per case."""

from __future__ import annotations

import geopandas as gpd
import pytest

from conftest import replace_raw
from decentraal.errors import DataError
from decentraal.io import loaders

KWB = loaders.KWB_KEY


def _kwb_text(raw_dir):
    return (raw_dir / KWB).read_text(encoding="utf-8")


def test_missing_column_is_named(raw_copy):
    text = _kwb_text(raw_copy).replace("AantalInwoners_5", "Inwoners", 1)
    replace_raw(raw_copy, KWB, text.encode())
    with pytest.raises(DataError, match=r"kwb2024_haarlem_zandvoort_selectie\.csv lacks column\(s\) AantalInwoners_5"):
        loaders.load_kwb(raw_copy)


def test_malformed_code_names_row_and_code(raw_copy):
    text = _kwb_text(raw_copy).replace("BU03922105,", "BU0392215,", 1)
    replace_raw(raw_copy, KWB, text.encode())
    with pytest.raises(DataError, match=r"kwb2024.*row \d+: code 'BU0392215' is not a valid buurt code"):
        loaders.load_kwb(raw_copy)


def test_code_of_another_municipality_is_rejected(raw_copy):
    # a well-formed buurt code whose digits say gemeente 0999, listed under GM0392
    text = _kwb_text(raw_copy).replace("BU03922105,", "BU09992105,", 1)
    replace_raw(raw_copy, KWB, text.encode())
    with pytest.raises(DataError, match=r"code BU09992105 does not belong to gemeente GM0392"):
        loaders.load_kwb(raw_copy)


def test_unknown_level_is_rejected(raw_copy):
    text = _kwb_text(raw_copy).replace("GM0392,gemeente,", "GM0392,provincie,", 1)
    replace_raw(raw_copy, KWB, text.encode())
    with pytest.raises(DataError, match=r"level 'provincie' .* unknown; valid levels are gemeente, wijk, buurt"):
        loaders.load_kwb(raw_copy)


def test_unknown_counter_area_is_reported(raw_copy):
    key = loaders.LOKETTEN_KEY
    text = (raw_copy / key).read_text(encoding="utf-8").replace("WK039201", "WK039299")
    replace_raw(raw_copy, key, text.encode())
    from decentraal.io.loaders import load_raw
    from decentraal.pipeline.data import build_tables

    with pytest.raises(DataError, match=r"gebiedcode\(s\) WK039299 are not buurten or wijken"):
        build_tables(load_raw(raw_copy))


def test_non_numeric_value_names_row_column_and_value(raw_copy):
    lines = _kwb_text(raw_copy).splitlines()
    fields = lines[2].split(",")
    fields[6] = "veel"  # AantalInwoners_5 of the second data row
    lines[2] = ",".join(fields)
    replace_raw(raw_copy, KWB, ("\n".join(lines) + "\n").encode())
    with pytest.raises(DataError, match=r"kwb2024.*row 3, column AantalInwoners_5: value 'veel' is not a number"):
        loaders.load_kwb(raw_copy)


def test_boundary_file_in_another_crs(raw_copy, tmp_path):
    key = loaders.WIJKEN_2024_KEY
    layer = gpd.read_file(raw_copy / key).to_crs("EPSG:4326")
    out = tmp_path / "w.gpkg"
    layer.to_file(out, layer="wijken_2024_haarlem", driver="GPKG")
    replace_raw(raw_copy, key, out.read_bytes())
    with pytest.raises(DataError, match=r"wijken_2024_haarlem\.gpkg is in EPSG:4326, expected EPSG:28992"):
        loaders.load_wijken_2024(raw_copy)


def test_boundary_file_without_crs(raw_copy, tmp_path):
    key = loaders.WIJKEN_2024_KEY
    layer = gpd.read_file(raw_copy / key).set_crs(None, allow_override=True)
    out = tmp_path / "w.gpkg"
    layer.to_file(out, layer="wijken_2024_haarlem", driver="GPKG")
    replace_raw(raw_copy, key, out.read_bytes())
    with pytest.raises(DataError, match=r"wijken_2024_haarlem\.gpkg has no coordinate reference system"):
        loaders.load_wijken_2024(raw_copy)


def test_truncated_boundary_file(raw_copy):
    key = loaders.BUURTEN_KEY
    data = (raw_copy / key).read_bytes()
    replace_raw(raw_copy, key, data[: len(data) // 2])
    with pytest.raises(DataError, match=r"buurten_2019.*cannot be read as a boundary file .*truncated"):
        loaders.load_buurt_boundaries(raw_copy)


def test_truncated_csv(raw_copy):
    data = (raw_copy / KWB).read_bytes()
    replace_raw(raw_copy, KWB, data[:200])
    with pytest.raises(DataError, match=r"kwb2024_haarlem_zandvoort_selectie\.csv"):
        loaders.load_kwb(raw_copy)


def test_changed_checksum_names_file_and_fix(raw_copy):
    data = (raw_copy / KWB).read_bytes()
    replace_raw(raw_copy, KWB, data.replace(b"167636", b"167637"), update_registry=False)
    with pytest.raises(DataError, match=r"kwb2024_haarlem_zandvoort_selectie\.csv has changed: sha256 is .*git checkout -- data/raw"):
        loaders.load_kwb(raw_copy)


def test_missing_file_names_file(raw_copy):
    (raw_copy / KWB).unlink()
    with pytest.raises(DataError, match=r"raw file .*kwb2024_haarlem_zandvoort_selectie\.csv is missing"):
        loaders.load_kwb(raw_copy)


def test_crosswalk_wijk_without_stadsdeel(raw_copy):
    key = loaders.STADSDELEN_KEY
    text = (raw_copy / key).read_text(encoding="utf-8").replace("WK039201,Oude Stad,Centrum", "WK039201,Oude Stad,", 1)
    replace_raw(raw_copy, key, text.encode())
    with pytest.raises(DataError, match=r"no stadsdeel for WK039201"):
        loaders.load_stadsdelen(raw_copy)
