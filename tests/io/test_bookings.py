"""The booking file (decentraal.io.bookings) and the SYNTHETIC example shipped with the tests.

``tests/data/synthetic/boekingen_SYNTHETISCH_haarlem_wijk.csv`` is made up: it is drawn by
:func:`synthetic_booking_file` below from invented distances and a known gravity model, and a
test checks that the shipped file is exactly what the generator gives.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from decentraal.errors import DataError
from decentraal.io.bookings import BOOKING_COLUMNS, read_bookings, validate_bookings
from decentraal.methods.choice import booking_table, choice_shares, fit_gravity

SYNTH_FILE = Path(__file__).resolve().parents[1] / "data" / "synthetic" / "boekingen_SYNTHETISCH_haarlem_wijk.csv"
WIJKEN = [f"WK0392{i:02d}" for i in range(1, 22)]
#: Counter id -> (wijk it stands in, opening hours per week, full product range). Invented.
SYNTH_COUNTERS = {
    "haarlem_zijlvest": ("WK039201", 40.0, True),
    "kandidaat_WK039221": ("WK039221", 20.0, False),
    "kandidaat_WK039209": ("WK039209", 20.0, True),
}
NAMES = {"haarlem_zijlvest": "Publiekshal Stadskantoor Haarlem (burgerzaken)",
         "kandidaat_WK039221": "Midden van Meerwijk", "kandidaat_WK039209": "Midden van Parkwijk"}
#: The parameters the synthetic bookings were drawn from.
TRUE_BETA, TRUE_GAMMA, TRUE_PRODUCT_SHARE = 0.6, 1.0, 0.7
SEED = 2024
YEARS = (2023, 2024)


def synthetic_distances(seed: int = SEED) -> pd.DataFrame:
    """INVENTED wijk x counter distances (km): wijk centres uniform in a 7 x 6 km box, each
    counter at the centre of its wijk, 0.3 km from a counter to its own wijk's residents."""
    rng = np.random.default_rng(seed)
    centres = pd.DataFrame(rng.uniform([0, 0], [7, 6], (len(WIJKEN), 2)), index=WIJKEN, columns=["x", "y"])
    cols = {}
    for cid, (wijk, _, _) in SYNTH_COUNTERS.items():
        d = np.hypot(centres["x"] - centres.at[wijk, "x"], centres["y"] - centres.at[wijk, "y"])
        cols[cid] = np.maximum(d, 0.3)
    return pd.DataFrame(cols, index=WIJKEN)


def synthetic_booking_file(seed: int = SEED) -> pd.DataFrame:
    """The SYNTHETIC booking file: Poisson(N P_ij) appointments per wijk, counter and year, with
    N ~ Poisson(250) per wijk-year and P_ij the gravity shares of TRUE_BETA, TRUE_GAMMA and
    TRUE_PRODUCT_SHARE over :func:`synthetic_distances`. Every row has ``synthetisch=true``."""
    rng = np.random.default_rng(seed + 1)
    dist = synthetic_distances(seed)
    hours = np.array([h for _, h, _ in SYNTH_COUNTERS.values()])
    full = np.array([f for _, _, f in SYNTH_COUNTERS.values()])
    log_a = TRUE_GAMMA * np.log(hours) + np.where(full, 0.0, math.log(TRUE_PRODUCT_SHARE))
    util = log_a[None, :] - TRUE_BETA * dist.to_numpy()
    p = np.exp(util) / np.exp(util).sum(axis=1, keepdims=True)
    rows = []
    for year in YEARS:
        counts = rng.poisson(rng.poisson(250, len(WIJKEN))[:, None] * p)
        for i, wijk in enumerate(WIJKEN):
            for j, cid in enumerate(SYNTH_COUNTERS):
                rows.append({"gebied": wijk, "loket": cid, "jaar": year, "boekingen": int(counts[i, j]), "synthetisch": "true"})
    return pd.DataFrame(rows)


def _hours() -> pd.Series:
    return pd.Series({c: h for c, (_, h, _) in SYNTH_COUNTERS.items()})


def _products() -> pd.Series:
    return pd.Series({c: f for c, (_, _, f) in SYNTH_COUNTERS.items()})


# --------------------------------------------------------------------------- the shipped example
def test_shipped_synthetic_file_is_what_the_generator_gives() -> None:
    shipped = pd.read_csv(SYNTH_FILE, dtype=str, keep_default_na=False)
    expected = synthetic_booking_file().astype(str)
    pd.testing.assert_frame_equal(shipped, expected)
    assert "SYNTHETISCH" in SYNTH_FILE.name
    assert (shipped["synthetisch"] == "true").all()


def test_read_shipped_file_flags_it_synthetic() -> None:
    out = read_bookings(SYNTH_FILE, valid_areas=WIJKEN, counters=NAMES)
    assert out.attrs["synthetic"] is True and out.attrs["niveau"] == "wijk"
    assert list(out.columns[:5]) == ["gebied", "loket", "loket_invoer", "jaar", "boekingen"]
    assert out["boekingen"].dtype == "int64" and len(out) == len(WIJKEN) * 3 * 2


def test_end_to_end_fit_on_the_synthetic_file_recovers_the_parameters() -> None:
    bookings = read_bookings(SYNTH_FILE, valid_areas=WIJKEN, counters=NAMES)
    table = booking_table(bookings, synthetic_distances(), _hours(), _products())
    fit = fit_gravity(table)
    assert fit.n_origins == len(WIJKEN) * len(YEARS)
    assert fit.beta_ci[0] <= TRUE_BETA <= fit.beta_ci[1]
    assert fit.gamma_ci[0] <= TRUE_GAMMA <= fit.gamma_ci[1]
    assert fit.product_share_ci is not None and fit.product_share_ci[0] <= TRUE_PRODUCT_SHARE <= fit.product_share_ci[1]
    # the fitted rule is used like any other
    shares = choice_shares(synthetic_distances(), fit.to_rule(), site_hours=_hours(), site_products=_products())
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


# --------------------------------------------------------------------------- validation
def _frame(rows: list[list[object]], columns: tuple[str, ...] = BOOKING_COLUMNS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(str)


def _validate(frame: pd.DataFrame) -> pd.DataFrame:
    return validate_bookings(frame, source_name="boekingen.csv", valid_areas=WIJKEN, counters=NAMES)


def test_valid_rows_and_counter_names_are_mapped_to_ids() -> None:
    out = _validate(_frame([["WK039201", "haarlem_zijlvest", 2024, 10],
                            ["WK039201", "  midden van   MEERWIJK ", 2024, 0]]))
    assert out["loket"].tolist() == ["haarlem_zijlvest", "kandidaat_WK039221"]
    assert out["loket_invoer"].tolist()[1] == "midden van   MEERWIJK"
    assert out.attrs["synthetic"] is False


def test_missing_column_names_header_and_fix() -> None:
    frame = _frame([["WK039201", "haarlem_zijlvest", 2024, 10]], ("gebied", "balie", "jaar", "boekingen"))
    with pytest.raises(DataError, match=r"boekingen\.csv, row 1 \(header\): missing column\(s\) \['loket'\]"):
        _validate(frame)


def test_every_unknown_area_and_counter_is_listed_with_its_row() -> None:
    frame = _frame([["WK039201", "haarlem_zijlvest", 2024, 10],
                    ["WK039299", "haarlem_zijlvest", 2024, 3],
                    ["WK039298", "Stadhuis", 2024, 1],
                    ["WK039202", "Stadhuis", 2023, 2]])
    with pytest.raises(DataError) as err:
        _validate(frame)
    msg = str(err.value)
    assert "2 problem(s)" in msg
    assert "2 unknown area code(s) 'WK039299' (row 3); 'WK039298' (row 4)" in msg
    assert "unknown counter(s) 'Stadhuis' (rows 4, 5)" in msg and "haarlem_zijlvest" in msg


def test_bad_values_are_reported_together() -> None:
    frame = _frame([["BU03920102", "haarlem_zijlvest", 2024, 1],
                    ["WK039201", "haarlem_zijlvest", "24", -3],
                    ["WK39201", "", 2024, "veel"],
                    ["WK039202", "haarlem_zijlvest", 2024, 2.5]])
    with pytest.raises(DataError) as err:
        validate_bookings(frame, source_name="b.csv", valid_areas=[*WIJKEN, "BU03920102"], counters=NAMES)
    msg = str(err.value)
    for part in ["mixes buurt and wijk codes", "malformed 'gebied' 'WK39201' (row 4)", "empty 'loket' in row(s) 4",
                 "invalid 'jaar' '24' (row 3)", "invalid 'boekingen' '-3' (row 3); '2.5' (row 5)",
                 "non-numeric 'boekingen' 'veel' (row 4)"]:
        assert part in msg, part


def test_duplicates_by_id_and_name_are_one_counter() -> None:
    frame = _frame([["WK039201", "haarlem_zijlvest", 2024, 10],
                    ["WK039201", "Publiekshal Stadskantoor Haarlem (burgerzaken)", 2024, 4]])
    with pytest.raises(DataError, match=r"duplicate \(gebied, loket, jaar\) rows \(WK039201/haarlem_zijlvest/2024 in rows 2, 3\)"):
        _validate(frame)


def test_ambiguous_counter_name_asks_for_the_id() -> None:
    counters = {**NAMES, "extra": "Midden van Parkwijk"}
    frame = _frame([["WK039201", "Midden van Parkwijk", 2024, 1]])
    with pytest.raises(DataError, match="match several counters: use the counter id"):
        validate_bookings(frame, source_name="b.csv", valid_areas=WIJKEN, counters=counters)


def test_read_bookings_from_disk_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "boekingen.csv"
    path.write_text("gebied,loket,jaar,boekingen\nWK039201,haarlem_zijlvest,2024,12\n", encoding="utf-8")
    out = read_bookings(path, valid_areas=WIJKEN, counters=NAMES)
    assert out.attrs["source_file"] == str(path) and out["boekingen"].item() == 12
    with pytest.raises(DataError, match="does not exist"):
        read_bookings(tmp_path / "geen.csv", valid_areas=WIJKEN, counters=NAMES)
    bad = tmp_path / "flag.csv"
    bad.write_text("gebied,loket,jaar,boekingen,synthetisch\nWK039201,haarlem_zijlvest,2024,12,misschien\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"'synthetisch' not true/false 'misschien' \(row 2\)"):
        read_bookings(bad, valid_areas=WIJKEN, counters=NAMES)
