"""The municipality's booking file: appointments per area of residence and chosen counter.

Used to estimate the choice rule (distance decay and attractiveness,
:func:`decentraal.methods.choice.fit_gravity`). Format (README, "Booking file format"):

===========  ==================================================================================
column       content
===========  ==================================================================================
gebied       CBS buurt code (``BU`` + 8 digits) or wijk code (``WK`` + 6 digits) of the
             customer's home address; one level per file
loket        the counter booked: its site id (e.g. ``haarlem_zijlvest``, ``kandidaat_WK039221``)
             or its name exactly as in the counter list (case and spacing ignored)
jaar         calendar year of the appointment (4 digits)
boekingen    number of appointments (whole number >= 0); a counter that was open but not
             booked from an area may be listed with 0 or left out
synthetisch  optional; ``true`` marks made-up rows (test fixtures only)
===========  ==================================================================================

Every problem is reported at once, with the file, the row (header = row 1) and what to do;
unknown areas and counters are listed, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from decentraal.errors import DataError
from decentraal.io.files import read_csv_text

__all__ = ["BOOKING_COLUMNS", "SYNTHETIC_COLUMN", "validate_bookings", "read_bookings"]

#: Required columns of a booking file, in order.
BOOKING_COLUMNS: tuple[str, ...] = ("gebied", "loket", "jaar", "boekingen")
#: Optional column that flags made-up rows.
SYNTHETIC_COLUMN = "synthetisch"

_LEVELS = {"buurt": re.compile(r"^BU\d{8}$"), "wijk": re.compile(r"^WK\d{6}$")}


def _rows(rows: Sequence[int]) -> str:
    return ", ".join(str(r) for r in rows)


def _grouped(pairs: Sequence[tuple[int, str]]) -> str:
    """``[(row, value), ...]`` -> ``'value' (rows 2, 5); ...`` in first-seen order."""
    by_value: dict[str, list[int]] = {}
    for row, value in pairs:
        by_value.setdefault(value, []).append(row)
    return "; ".join(f"{v!r} (row{'s' if len(r) > 1 else ''} {_rows(r)})" for v, r in by_value.items())


def _norm_name(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def validate_bookings(
    df: pd.DataFrame,
    *,
    source_name: str,
    valid_areas: Collection[str],
    counters: Mapping[str, str],
) -> pd.DataFrame:
    """Check a booking table and return a clean copy with counter ids.

    Parameters
    ----------
    df : pd.DataFrame
        The table as read from the file (data rows in file order, one header line).
    source_name : str
        File name shown in messages.
    valid_areas : collection of str
        Buurt and/or wijk codes of the study area.
    counters : mapping of str to str
        Counter id -> name, for every existing counter and candidate site (the ``site`` and
        ``naam`` columns of the pipeline's sites). ``loket`` may hold either.

    Returns
    -------
    pd.DataFrame
        ``gebied`` (str), ``loket`` (counter id), ``loket_invoer`` (the text in the file),
        ``jaar`` and ``boekingen`` (int64), plus any extra columns, fresh RangeIndex.
        ``attrs``: ``source_name``, ``niveau`` ("buurt" or "wijk") and ``synthetic`` (True if
        any row has ``synthetisch`` = true).

    Raises
    ------
    DataError
        Listing every problem with file, row and fix: missing columns, empty, malformed or
        unknown area codes, buurt and wijk codes mixed, empty, unknown or ambiguous counters,
        bad years or counts, duplicate (gebied, loket, jaar) rows.
    """
    missing = [c for c in BOOKING_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(
            f"{source_name}, row 1 (header): missing column(s) {missing}; found {list(df.columns)}. "
            f"A booking file needs the columns {list(BOOKING_COLUMNS)}; rename the header accordingly."
        )
    out = df.reset_index(drop=True).copy()
    file_rows = np.arange(len(out)) + 2
    problems: list[str] = []
    if len(out) == 0:
        problems.append("no data rows: the file holds only a header; export the bookings again.")

    def text(col: str) -> list[str]:
        return ["" if pd.isna(v) else str(v).strip() for v in out[col]]

    # gebied ---------------------------------------------------------------
    areas = text("gebied")
    empty = [int(file_rows[i]) for i, a in enumerate(areas) if not a]
    if empty:
        problems.append(f"empty 'gebied' in row(s) {_rows(empty)}: fill in the CBS buurt or wijk code of the home address.")
    level_of = {i: next((lv for lv, pat in _LEVELS.items() if pat.match(a)), None) for i, a in enumerate(areas) if a}
    malformed = [(int(file_rows[i]), areas[i]) for i, lv in level_of.items() if lv is None]
    if malformed:
        problems.append(f"malformed 'gebied' {_grouped(malformed)}: use a CBS buurt code (BU + 8 digits) or wijk code "
                        "(WK + 6 digits).")
    levels = sorted({lv for lv in level_of.values() if lv})
    if len(levels) > 1:
        problems.append("'gebied' mixes buurt and wijk codes: use one level per file (aggregate the buurten to wijken, "
                        "or deliver all rows per buurt).")
    valid = {str(v) for v in valid_areas}
    unknown = [(int(file_rows[i]), areas[i]) for i, lv in level_of.items() if lv and areas[i] not in valid]
    if unknown:
        n = len({a for _, a in unknown})
        problems.append(f"{n} unknown area code(s) {_grouped(unknown)}: not in the study area's code list; correct them "
                        "or map old codes to the current CBS indeling before loading.")

    # loket ----------------------------------------------------------------
    by_name: dict[str, list[str]] = {}
    for cid, name in counters.items():
        by_name.setdefault(_norm_name(name), []).append(str(cid))
    ids = {str(c) for c in counters}
    given = text("loket")
    resolved: list[str] = []
    empty_c, unknown_c, ambiguous = [], [], []
    for i, g in enumerate(given):
        row = int(file_rows[i])
        if not g:
            empty_c.append(row)
            resolved.append("")
        elif g in ids:
            resolved.append(g)
        elif len(by_name.get(_norm_name(g), [])) == 1:
            resolved.append(by_name[_norm_name(g)][0])
        elif len(by_name.get(_norm_name(g), [])) > 1:
            ambiguous.append((row, g))
            resolved.append("")
        else:
            unknown_c.append((row, g))
            resolved.append("")
    if empty_c:
        problems.append(f"empty 'loket' in row(s) {_rows(empty_c)}: fill in the counter id or name.")
    if unknown_c:
        known = ", ".join(sorted(ids)) or "(none given)"
        problems.append(f"unknown counter(s) {_grouped(unknown_c)}: use a counter id or name from the counter list "
                        f"(ids: {known}); add a missing counter to the counter list first.")
    if ambiguous:
        problems.append(f"counter name(s) {_grouped(ambiguous)} match several counters: use the counter id instead.")

    # jaar and boekingen ---------------------------------------------------
    def integers(col: str, *, lo: int, hi: int | None, what: str) -> pd.Series:
        raw = text(col)
        num = pd.to_numeric(pd.Series([v if v else None for v in raw], dtype=object), errors="coerce")
        absent = [int(file_rows[i]) for i, v in enumerate(raw) if not v]
        nonnum = [(int(file_rows[i]), v) for i, v in enumerate(raw) if v and pd.isna(num.iloc[i])]
        bad = [(int(file_rows[i]), raw[i]) for i in range(len(raw))
               if pd.notna(num.iloc[i]) and (not float(num.iloc[i]).is_integer() or num.iloc[i] < lo
                                              or (hi is not None and num.iloc[i] > hi))]
        if absent:
            problems.append(f"missing '{col}' in row(s) {_rows(absent)}: {what}.")
        if nonnum:
            problems.append(f"non-numeric '{col}' {_grouped(nonnum)}: {what}.")
        if bad:
            problems.append(f"invalid '{col}' {_grouped(bad)}: {what}.")
        return num

    jaar = integers("jaar", lo=1000, hi=9999, what="give the calendar year as 4 digits")
    boek = integers("boekingen", lo=0, hi=None, what="give the number of appointments as a whole number >= 0")

    # synthetic flag -------------------------------------------------------
    synthetic = False
    if SYNTHETIC_COLUMN in out.columns:
        flags = [v.lower() for v in text(SYNTHETIC_COLUMN)]
        odd = [(int(file_rows[i]), v) for i, v in enumerate(flags) if v not in ("true", "false", "")]
        if odd:
            problems.append(f"'{SYNTHETIC_COLUMN}' not true/false {_grouped(odd)}: use true for made-up rows, "
                            "or drop the column.")
        synthetic = "true" in flags

    # duplicates (after names were mapped to ids) --------------------------
    key = pd.DataFrame({"g": areas, "l": resolved, "j": jaar})
    ok = key["g"].ne("") & key["l"].ne("") & key["j"].notna()
    dup = key[ok].duplicated(keep=False)
    if dup.any():
        groups = key[ok][dup].groupby(["g", "l", "j"]).groups
        listed = "; ".join(f"{g}/{lk}/{int(j)} in rows {_rows([int(file_rows[i]) for i in idx])}"
                           for (g, lk, j), idx in groups.items())
        problems.append(f"duplicate (gebied, loket, jaar) rows ({listed}): each combination may occur once; sum the "
                        "duplicates in the export (a counter given once by id and once by name counts as the same).")

    if problems:
        raise DataError(f"{source_name}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    out["loket_invoer"] = given
    out["gebied"] = pd.Series(areas, index=out.index, dtype=str)
    out["loket"] = pd.Series(resolved, index=out.index, dtype=str)
    out["jaar"] = jaar.astype("int64")
    out["boekingen"] = boek.astype("int64")
    first = ["gebied", "loket", "loket_invoer", "jaar", "boekingen"]
    out = out[first + [c for c in out.columns if c not in first]]
    out.attrs.update({"source_name": source_name, "niveau": levels[0] if levels else "", "synthetic": synthetic})
    return out


def read_bookings(path: Path, *, valid_areas: Collection[str], counters: Mapping[str, str]) -> pd.DataFrame:
    """Read the municipality's booking CSV (UTF-8) and check it with :func:`validate_bookings`.

    Parameters
    ----------
    path : Path
        The CSV file.
    valid_areas, counters
        As in :func:`validate_bookings`.

    Returns
    -------
    pd.DataFrame
        See :func:`validate_bookings`; ``attrs["source_file"]`` is the path.

    Raises
    ------
    DataError
        The file is missing or unreadable, or any row is invalid (all listed).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"booking file {path} does not exist; check the path in the config (or leave it empty).")
    frame = read_csv_text(path)
    out = validate_bookings(frame, source_name=str(path), valid_areas=valid_areas, counters=counters)
    out.attrs["source_file"] = str(path)
    return out
