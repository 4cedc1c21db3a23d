"""The contact-centre files (decentraal.io.contacts) and the SYNTHETIC examples shipped with the tests.

``tests/data/synthetic/contacten_SYNTHETISCH_haarlem_zandvoort.csv`` and
``bezetting_SYNTHETISCH_haarlem_zandvoort.csv`` are made up: they are drawn by
:func:`example_contacts` and :func:`example_staffing` below from the 2024 inhabitants and
INVENTED rates, and a test checks that the shipped files are exactly what the generators give.
Regenerate them with ``.venv/bin/python tests/io/test_contacts.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from decentraal.errors import DataError
from decentraal.io.contacts import (
    CHANNELS,
    CONTACT_COLUMNS,
    HOURS_COLUMN,
    STAFFING_COLUMNS,
    read_contacts,
    read_staffing,
    validate_contacts,
)
from decentraal.io.userfiles import is_synthetic

SYNTH_DIR = Path(__file__).resolve().parents[1] / "data" / "synthetic"
CONTACTS_FILE = SYNTH_DIR / "contacten_SYNTHETISCH_haarlem_zandvoort.csv"
STAFFING_FILE = SYNTH_DIR / "bezetting_SYNTHETISCH_haarlem_zandvoort.csv"

#: Inhabitants on 1 January 2024 (CBS, data/raw/cbs_kwb_2024): the only real numbers used here.
INHABITANTS = {"GM0392": 167_636, "GM0473": 17_469}
YEARS = range(2020, 2031)
SEED = 13
#: INVENTED contacts per inhabitant per year, in a year without renewal wave. Zandvoort's counter
#: and phone rates are set higher because it has no digital channels (issue 13); the size of
#: that difference is made up.
RATE = {
    ("GM0392", "balie"): 0.50, ("GM0392", "telefoon"): 1.00, ("GM0392", "email"): 0.35,
    ("GM0473", "balie"): 0.60, ("GM0473", "telefoon"): 1.20, ("GM0473", "email"): 0.30,
}
#: INVENTED year factor of the travel-document wave (a dip to 2023, a peak 2024-2028, after NVVB's
#: description in FACTS.md; the heights are made up).
WAVE = {2020: 0.75, 2021: 0.75, 2022: 0.80, 2023: 0.90, 2024: 1.25, 2025: 1.35, 2026: 1.35,
        2027: 1.30, 2028: 1.20, 2029: 1.05, 2030: 0.85}
#: INVENTED month factor (renewals cluster before the summer); mean 1.
SEASON = (0.90, 0.90, 1.00, 1.05, 1.15, 1.20, 1.15, 0.85, 0.95, 1.00, 0.95, 0.90)
#: How strongly each channel follows the wave and the season (INVENTED): 1 fully, 0 not at all.
SENSITIVITY = {"balie": 1.0, "telefoon": 0.5, "email": 0.2}
#: INVENTED formation in FTE per 10,000 inhabitants, the same for both municipalities, constant
#: from 2020 to 2030 (the example has no expansion).
FTE_PER_10K = {"balie": 1.7, "telefoon": 0.8, "email": 0.35}


def example_contacts(seed: int = SEED) -> pd.DataFrame:
    """The SYNTHETIC contact volumes: Poisson draws around inhabitants x RATE / 12, scaled by
    1 + s (WAVE - 1) and 1 + s (SEASON - 1) with s the channel's SENSITIVITY. Every row has
    ``synthetisch=true``."""
    rng = np.random.default_rng(seed)
    rows = []
    for gemeente, inhabitants in INHABITANTS.items():
        for jaar in YEARS:
            for maand in range(1, 13):
                for kanaal in CHANNELS:
                    s = SENSITIVITY[kanaal]
                    mean = (inhabitants * RATE[gemeente, kanaal] / 12 * (1 + s * (WAVE[jaar] - 1))
                            * (1 + s * (SEASON[maand - 1] - 1)))
                    rows.append({"gemeente": gemeente, "jaar": jaar, "maand": maand, "kanaal": kanaal,
                                 "contacten": int(rng.poisson(mean)), "synthetisch": "true"})
    return pd.DataFrame(rows)


def example_staffing() -> pd.DataFrame:
    """The SYNTHETIC staffing: inhabitants / 10,000 x FTE_PER_10K, rounded to 0.1 FTE, every month
    2020-2030; no ``uren_per_fte`` column (the run's parameter applies). ``synthetisch=true``."""
    rows = [{"gemeente": gemeente, "jaar": jaar, "maand": maand, "kanaal": kanaal,
             "fte": round(inhabitants / 10_000 * FTE_PER_10K[kanaal], 1), "synthetisch": "true"}
            for gemeente, inhabitants in INHABITANTS.items() for jaar in YEARS for maand in range(1, 13)
            for kanaal in CHANNELS]
    return pd.DataFrame(rows)


def write_examples() -> None:
    """(Re)write the two shipped example files from the generators."""
    example_contacts().to_csv(CONTACTS_FILE, index=False, encoding="utf-8", lineterminator="\n")
    example_staffing().to_csv(STAFFING_FILE, index=False, encoding="utf-8", lineterminator="\n")


# --------------------------------------------------------------------------- the shipped examples
@pytest.mark.parametrize(("path", "generator"), [(CONTACTS_FILE, example_contacts), (STAFFING_FILE, example_staffing)],
                         ids=["contacten", "bezetting"])
def test_shipped_examples_are_what_the_generators_give_and_say_synthetic(path, generator) -> None:
    shipped = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(shipped, generator().astype(str))
    assert "SYNTHETISCH" in path.name
    assert (shipped["synthetisch"] == "true").all()


def test_read_contacts_example() -> None:
    out = read_contacts(CONTACTS_FILE, gemeenten=["GM0392", "GM0473"])
    assert list(out.columns) == [*CONTACT_COLUMNS, "synthetisch"]
    assert len(out) == 2 * len(YEARS) * 12 * 3
    assert {c: str(out[c].dtype) for c in ("jaar", "maand", "contacten")} == dict.fromkeys(("jaar", "maand", "contacten"), "int64")
    assert out["kanaal"].unique().tolist() == list(CHANNELS)  # sorted in channel order per gemeente
    assert out.attrs["synthetic"] is True and is_synthetic(out)
    assert out.attrs["source_file"] == str(CONTACTS_FILE)
    first = out.iloc[:12]
    assert first["gemeente"].eq("GM0392").all() and first["kanaal"].eq("balie").all()
    assert first["maand"].tolist() == list(range(1, 13)) and first["jaar"].eq(2020).all()
    # the invented wave: Haarlem's counter contacts in the peak exceed the dip by far
    year = out[(out.gemeente == "GM0392") & (out.kanaal == "balie")].groupby("jaar")["contacten"].sum()
    assert year[2025] > 1.6 * year[2021]


def test_read_staffing_example() -> None:
    out = read_staffing(STAFFING_FILE)
    assert list(out.columns) == [*STAFFING_COLUMNS, HOURS_COLUMN, "synthetisch"]
    assert out["fte"].dtype == "float64" and (out["fte"] > 0).all()
    assert out[HOURS_COLUMN].dtype == "float64" and out[HOURS_COLUMN].isna().all()
    assert out.attrs["synthetic"] is True and is_synthetic(out)
    fte = out.groupby(["gemeente", "kanaal"])["fte"].first()
    assert fte["GM0392", "balie"] == pytest.approx(28.5) and fte["GM0473", "balie"] == pytest.approx(3.0)


def test_round_trip(tmp_path: Path) -> None:
    first = read_contacts(CONTACTS_FILE)
    again = tmp_path / "contacten.csv"
    first.to_csv(again, index=False)
    pd.testing.assert_frame_equal(read_contacts(again), first)
    staffing = read_staffing(STAFFING_FILE)
    again = tmp_path / "bezetting.csv"
    staffing.to_csv(again, index=False)
    pd.testing.assert_frame_equal(read_staffing(again), staffing)


# --------------------------------------------------------------------------- small files
HEADER = "gemeente,jaar,maand,kanaal,contacten"


def _year(gemeente: str = "GM0392", jaar: int = 2024, kanaal: str = "balie", value: str = "100") -> list[str]:
    return [f"{gemeente},{jaar},{m},{kanaal},{value}" for m in range(1, 13)]


def _write(tmp_path: Path, lines: list[str], name: str = "contacten.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _error(path: Path, reader=read_contacts, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        reader(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    return message


def test_bom_spaces_case_and_a_missing_channel_are_accepted(tmp_path: Path) -> None:
    lines = [" gemeente , jaar,maand ,kanaal,contacten,opmerking"]
    lines += [f" gm0473 ,2024, {m},Telefoon , 7,x" for m in range(1, 13)]
    path = tmp_path / "contacten.csv"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    out = read_contacts(path)
    assert list(out.columns) == [*CONTACT_COLUMNS, "opmerking"]
    assert out["gemeente"].eq("GM0473").all() and out["kanaal"].eq("telefoon").all()
    assert out["contacten"].sum() == 84 and out.attrs["synthetic"] is False and not is_synthetic(out)


def test_missing_column_names_the_header_and_the_fix(tmp_path: Path) -> None:
    path = _write(tmp_path, ["gemeente,jaar,maand,kanaal,aantal", *_year()])
    message = _error(path)
    assert "row 1 (header): missing column(s) ['contacten']" in message and "rename the header" in message


def test_unknown_channel_month_13_and_negative_contacts_are_all_listed(tmp_path: Path) -> None:
    lines = [HEADER, *_year()]
    lines[3] = "GM0392,2024,3,e-mail,100"
    lines[12] = "GM0392,2024,13,balie,100"  # replaces month 12 (row 13): 12 now missing too
    lines[6] = "GM0392,2024,6,balie,-5"
    message = _error(_write(tmp_path, lines))
    assert "unknown 'kanaal' 'e-mail' (row 4): use one of balie, telefoon, email" in message
    assert "invalid 'maand' '13' (row 13): give the month as a whole number 1-12" in message
    assert "invalid 'contacten' '-5' (row 7)" in message and "whole number >= 0" in message


def test_duplicate_rows_are_named(tmp_path: Path) -> None:
    lines = [HEADER, *_year(), "GM0392,2024,5,BALIE,3"]
    message = _error(_write(tmp_path, lines))
    assert "duplicate (gemeente, jaar, maand, kanaal) rows (GM0392/2024/5/balie in rows 6, 14)" in message
    assert "sum or remove the duplicates" in message


def test_a_year_with_missing_months_is_refused_naming_gemeente_kanaal_jaar_months(tmp_path: Path) -> None:
    lines = [HEADER, *_year(), *_year(jaar=2025, kanaal="email")[:9]]
    message = _error(_write(tmp_path, lines))
    assert "GM0392 email 2025: month(s) 10, 11, 12 missing" in message
    assert "add the missing months, or remove that year" in message
    assert "balie 2024" not in message


def test_unknown_and_malformed_gemeente(tmp_path: Path) -> None:
    lines = [HEADER, *_year(gemeente="GM0363"), *_year(gemeente="Haarlem", jaar=2023)]
    message = _error(_write(tmp_path, lines), gemeenten=["GM0392", "GM0473"])
    assert "unknown 'gemeente' 'GM0363' (rows 2, 3, 4" in message and "the run covers GM0392, GM0473" in message
    assert "malformed 'gemeente' 'Haarlem' (rows 14," in message and "GM + 4 digits" in message


def test_non_integer_contacts_and_bad_synthetic_flag(tmp_path: Path) -> None:
    lines = [HEADER + ",synthetisch", *[line + ",true" for line in _year()]]
    lines[2] = "GM0392,2024,2,balie,10.5,true"
    lines[5] = "GM0392,2024,5,balie,10,ja"
    message = _error(_write(tmp_path, lines))
    assert "invalid 'contacten' '10.5' (row 3)" in message
    assert "'synthetisch' not true/false 'ja' (row 6): use true for made-up rows" in message


STAFF_HEADER = "gemeente,jaar,maand,kanaal,fte"


def test_non_numeric_zero_and_missing_fte(tmp_path: Path) -> None:
    lines = [STAFF_HEADER, *_year(value="12,5")]  # a quoted decimal comma is fine ...
    lines = [line.replace("12,5", '"12,5"') for line in lines]
    assert read_staffing(_write(tmp_path, lines, "bezetting.csv"))["fte"].eq(12.5).all()
    lines[2] = "GM0392,2024,2,balie,twaalf"
    lines[3] = "GM0392,2024,3,balie,0"
    lines[4] = "GM0392,2024,4,balie,"
    message = _error(_write(tmp_path, lines, "bezetting.csv"), reader=read_staffing)
    assert "non-numeric 'fte' 'twaalf' (row 3)" in message and "in FTE, a number > 0" in message
    assert "invalid 'fte' '0' (row 4)" in message and "missing 'fte' in row(s) 5" in message


def test_hours_per_fte_optional_empty_is_nan_and_out_of_range_refused(tmp_path: Path) -> None:
    lines = [STAFF_HEADER + "," + HOURS_COLUMN] + [line + ("," if m % 2 else ",36") for m, line in enumerate(_year(value="4"))]
    out = read_staffing(_write(tmp_path, lines, "bezetting.csv"))
    assert out[HOURS_COLUMN].isna().sum() == 6 and out[HOURS_COLUMN].max() == 36.0
    lines[1] = "GM0392,2024,1,balie,4,45"
    message = _error(_write(tmp_path, lines, "bezetting.csv"), reader=read_staffing)
    assert f"invalid '{HOURS_COLUMN}' '45' (row 2)" in message and "at most 40" in message


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, [""]))
    assert "is empty" in message and "header row" in message
    message = _error(_write(tmp_path, [HEADER]))
    assert "no data rows" in message


def test_wrong_encoding_names_the_row_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "contacten.csv"
    path.write_bytes(("\n".join([HEADER + ",opmerking", *[line + ",x" for line in _year()]][:4])
                      + "\nGM0392,2024,4,balie,1,café\n").encode("cp1252"))
    message = _error(path)
    assert "row 5: byte 0xe9 is not UTF-8" in message and "save it as 'CSV UTF-8'" in message


def test_semicolon_separator_is_refused_with_the_fix(tmp_path: Path) -> None:
    lines = [HEADER.replace(",", ";"), *[line.replace(",", ";") for line in _year()]]
    message = _error(_write(tmp_path, lines))
    assert "separated by ';'" in message and "comma-separated" in message


def test_every_problem_in_one_error_and_the_input_is_not_changed() -> None:
    frame = pd.DataFrame([["GM0392", "2024", "1", "fax", "x"], ["GM0392", "1999.5", "0", "balie", "1"]],
                         columns=list(CONTACT_COLUMNS))
    before = frame.copy()
    with pytest.raises(DataError) as info:
        validate_contacts(frame, source_name="k.csv")
    message = str(info.value)
    assert message.startswith("k.csv: 4 problem(s)")
    assert "'fax' (row 2)" in message and "'x' (row 2)" in message and "'1999.5' (row 3)" in message
    assert "'0' (row 3)" in message and "GM0392 balie" not in message  # row 3 has no valid key: no gap report
    pd.testing.assert_frame_equal(frame, before)


if __name__ == "__main__":
    write_examples()
