"""The municipality's candidate-site file is checked where it is read, and chapter 03 reads it that way."""

from __future__ import annotations

import pytest

from decentraal import pipeline
from decentraal.errors import DataError
from decentraal.io.userfiles import read_candidates


@pytest.mark.parametrize(("text", "expected"), [
    ("naam,x,y\n", "has no candidate rows"),
    ("naam,x\nBieb,104500\n", "missing column(s) y"),
    ("naam,x,y\nBieb,abc,487900\n", "row 2, column x: 'abc' is not a number"),
    ("naam,x,y\nBieb,4.63,52.38\n", "RD New metres"),
    ("naam,x,y\nBieb,104500,487900\nBieb,104600,487800\n", "occurs more than once"),
    ("naam,x,y\n ,104500,487900\n", "row 2: empty naam"),
])
def test_bad_candidate_file_is_refused_with_row_and_fix(tmp_path, text, expected):
    path = tmp_path / "kandidaten.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_candidates(path)
    assert "kandidaten.csv" in str(info.value) and expected in str(info.value)


def test_good_candidate_file_gives_float_coordinates(tmp_path):
    path = tmp_path / "kandidaten.csv"
    path.write_text("naam,x,y\nBibliotheek Schalkwijk,106300,485900\n", encoding="utf-8")
    table = read_candidates(path)
    assert table.to_dict("records") == [{"naam": "Bibliotheek Schalkwijk", "x": 106300.0, "y": 485900.0}]


def test_chapter_03_refuses_an_empty_candidate_file_instead_of_using_the_defaults(tmp_path):
    path = tmp_path / "leeg.csv"
    path.write_text("naam,x,y\n", encoding="utf-8")
    s = pipeline.start("03", namespace={"kandidaten_bestand": str(path), "uitvoer_map": str(tmp_path / "out"),
                                        "onzekerheid_trekkingen": 200})
    with pytest.raises(DataError, match="no candidate rows"):
        pipeline.counters.counters(s)
