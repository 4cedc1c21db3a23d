"""The municipality's monthly files for the contact centre: contact volumes and staffing.

Two CSV files (UTF-8, comma-separated, header on row 1), one row per municipality, year, month
and channel (README, "Contact volume file format (kanalen)" and "Staffing file format
(bezetting)"):

============  ================================================================================
column        content
============  ================================================================================
gemeente      CBS municipality code, ``GM`` + 4 digits (``GM0392`` Haarlem, ``GM0473`` Zandvoort)
jaar          calendar year (4 digits)
maand         month, 1-12
kanaal        ``balie``, ``telefoon`` or ``email`` (case and surrounding spaces ignored)
contacten     contact volumes only: contacts in that month, a whole number >= 0
fte           staffing only: the formation on that channel in that month, FTE > 0
uren_per_fte  staffing only, optional: hours per week of one FTE (0 < h <= 40); an empty cell
              or an absent column stays missing (NaN) and the pipeline fills it from its
              parameters
synthetisch   optional; ``true`` marks made-up rows (the shipped examples)
============  ================================================================================

Each (gemeente, jaar, maand, kanaal) may occur once. A channel may be left out for a
municipality or a year, but a year that is given for a channel must hold all twelve months: a
monthly model cannot invent the missing ones. Every problem is reported at once, with the file,
the row (header = row 1), the value and what to do; nothing is dropped. Extra columns are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np
import pandas as pd

from decentraal.errors import DataError
from decentraal.io.bookings import _grouped, _rows
from decentraal.io.files import read_csv_text
from decentraal.io.userfiles import SYNTHETIC_COLUMN, is_synthetic

__all__ = [
    "CHANNELS", "CONTACT_COLUMNS", "HOURS_COLUMN", "STAFFING_COLUMNS",
    "read_contacts", "read_staffing", "validate_contacts", "validate_staffing",
]

#: The channels, in the order the report shows them.
CHANNELS: tuple[str, ...] = ("balie", "telefoon", "email")
#: Key columns shared by both files: one row per municipality, year, month and channel.
KEY_COLUMNS: tuple[str, ...] = ("gemeente", "jaar", "maand", "kanaal")
#: Required columns of a contact-volume file, in order.
CONTACT_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, "contacten")
#: Required columns of a staffing file, in order.
STAFFING_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, "fte")
#: Optional staffing column: hours per week of one FTE (missing -> NaN, filled by the pipeline).
HOURS_COLUMN = "uren_per_fte"
#: Most hours per week one FTE can stand for (a full-time Dutch working week).
MAX_HOURS_PER_FTE = 40.0

_GEMEENTE = re.compile(r"^GM\d{4}$")
_MONTHS = frozenset(range(1, 13))


class _Check:
    """Collects every problem of one table; values are read as stripped text, rows as in the file."""

    def __init__(self, df: pd.DataFrame, *, source_name: str, required: tuple[str, ...], what: str) -> None:
        # a UTF-8 byte-order mark or spaces around a header name are not the user's fault
        frame = df.rename(columns=lambda c: str(c).replace("\ufeff", "").strip())
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise DataError(f"{source_name}, row 1 (header): missing column(s) {missing}; found {list(frame.columns)}. "
                            f"A {what} needs the columns {list(required)}; rename the header accordingly.")
        self.out = frame.reset_index(drop=True).copy()
        self.rows = np.arange(len(self.out)) + 2
        self.source_name = source_name
        self.problems: list[str] = []
        if len(self.out) == 0:
            self.problems.append(f"no data rows: the file holds only a header; add one row per {', '.join(KEY_COLUMNS)}.")

    def text(self, col: str) -> list[str]:
        return ["" if pd.isna(v) else str(v).strip() for v in self.out[col]]

    def codes(self, col: str, *, pattern: re.Pattern[str], valid: Collection[str] | None, what: str) -> list[str]:
        """Upper-cased codes; empty, malformed and (when ``valid`` is given) unknown ones are listed."""
        raw = self.text(col)
        values = [v.upper() for v in raw]
        empty = [int(self.rows[i]) for i, v in enumerate(values) if not v]
        bad = [(int(self.rows[i]), raw[i]) for i, v in enumerate(values) if v and not pattern.match(v)]
        if empty:
            self.problems.append(f"empty '{col}' in row(s) {_rows(empty)}: {what}.")
        if bad:
            self.problems.append(f"malformed '{col}' {_grouped(bad)}: {what}.")
        if valid is not None:
            known = {str(v).upper() for v in valid}
            unknown = [(int(self.rows[i]), v) for i, v in enumerate(values) if pattern.match(v) and v not in known]
            if unknown:
                self.problems.append(f"unknown '{col}' {_grouped(unknown)}: the run covers {', '.join(sorted(known))}; "
                                     "correct the code or drop the rows of other municipalities.")
        return values

    def choice(self, col: str, *, allowed: tuple[str, ...]) -> list[str]:
        """Lower-cased values that must be one of ``allowed``."""
        raw = self.text(col)
        values = [v.lower() for v in raw]
        empty = [int(self.rows[i]) for i, v in enumerate(values) if not v]
        bad = [(int(self.rows[i]), raw[i]) for i, v in enumerate(values) if v and v not in allowed]
        if empty:
            self.problems.append(f"empty '{col}' in row(s) {_rows(empty)}: fill in one of {', '.join(allowed)}.")
        if bad:
            self.problems.append(f"unknown '{col}' {_grouped(bad)}: use one of {', '.join(allowed)} "
                                 "(e.g. 'e-mail' -> 'email', 'loket' -> 'balie').")
        return values

    def numbers(self, col: str, *, ok: Callable[[float], bool], what: str, whole: bool,
                optional: bool = False) -> pd.Series:
        """Numbers (a decimal comma is read as a point); missing, non-numeric and out-of-range cells listed."""
        raw = self.text(col)
        num = pd.to_numeric(pd.Series([v.replace(",", ".") if v else None for v in raw], dtype=object),
                            errors="coerce").astype(float)
        absent = [int(self.rows[i]) for i, v in enumerate(raw) if not v]
        nonnum = [(int(self.rows[i]), v) for i, v in enumerate(raw) if v and np.isnan(num.iloc[i])]
        bad = [(int(self.rows[i]), raw[i]) for i, x in enumerate(num)
               if not np.isnan(x) and (not np.isfinite(x) or not ok(x) or (whole and not float(x).is_integer()))]
        if absent and not optional:
            self.problems.append(f"missing '{col}' in row(s) {_rows(absent)}: {what}.")
        if nonnum:
            self.problems.append(f"non-numeric '{col}' {_grouped(nonnum)}: {what}.")
        if bad:
            self.problems.append(f"invalid '{col}' {_grouped(bad)}: {what}.")
        return num

    def synthetic_flag(self) -> None:
        if SYNTHETIC_COLUMN not in self.out.columns:
            return
        flags = [v.lower() for v in self.text(SYNTHETIC_COLUMN)]
        odd = [(int(self.rows[i]), v) for i, v in enumerate(flags) if v not in ("true", "false", "")]
        if odd:
            self.problems.append(f"'{SYNTHETIC_COLUMN}' not true/false {_grouped(odd)}: use true for made-up rows, "
                                 "false or empty for real ones, or drop the column.")

    def keys(self, key: pd.DataFrame) -> None:
        """Refuse duplicate keys and, once every key is valid, years with missing months per (gemeente, kanaal, jaar)."""
        ok = key["gemeente"].ne("") & key["kanaal"].ne("") & key["jaar"].notna() & key["maand"].notna()
        good = key[ok]
        dup = good.duplicated(keep=False)
        if dup.any():
            groups = good[dup].groupby(list(KEY_COLUMNS), sort=False).groups
            listed = "; ".join(f"{g}/{int(j)}/{int(m)}/{k} in rows {_rows([int(self.rows[i]) for i in idx])}"
                               for (g, j, m, k), idx in groups.items())
            self.problems.append(f"duplicate (gemeente, jaar, maand, kanaal) rows ({listed}): each combination may "
                                 "occur once; sum or remove the duplicates in the export.")
        if not ok.all():
            return  # a row with a bad key would show up as a missing month too: report gaps once the keys are fixed
        gaps = []
        for (g, k, j), months in good.groupby(["gemeente", "kanaal", "jaar"], sort=True)["maand"]:
            missing = sorted(_MONTHS - {int(m) for m in months})
            if missing:
                gaps.append(f"{g} {k} {int(j)}: month(s) {', '.join(str(m) for m in missing)} missing")
        if gaps:
            self.problems.append(f"incomplete year(s) ({'; '.join(gaps)}): a year given for a channel needs all 12 "
                                 "months, because the monthly model cannot invent them; add the missing months, or "
                                 "remove that year of that channel from the file.")

    def raise_problems(self) -> None:
        if self.problems:
            raise DataError(f"{self.source_name}: {len(self.problems)} problem(s):\n  - " + "\n  - ".join(self.problems))


def _validate(df: pd.DataFrame, *, source_name: str, gemeenten: Collection[str] | None, required: tuple[str, ...],
              what: str, value: Callable[[_Check], dict[str, pd.Series]]) -> pd.DataFrame:
    check = _Check(df, source_name=source_name, required=required, what=what)
    gemeente = check.codes("gemeente", pattern=_GEMEENTE, valid=gemeenten,
                           what="use the CBS municipality code, GM + 4 digits (Haarlem GM0392, Zandvoort GM0473)")
    jaar = check.numbers("jaar", ok=lambda x: 1000 <= x <= 9999, whole=True,
                         what="give the calendar year as 4 digits")
    maand = check.numbers("maand", ok=lambda x: 1 <= x <= 12, whole=True,
                          what="give the month as a whole number 1-12 (1 = January)")
    kanaal = check.choice("kanaal", allowed=CHANNELS)
    values = value(check)
    check.synthetic_flag()
    kanaal_ok = [k if k in CHANNELS else "" for k in kanaal]
    gemeente_ok = [g if _GEMEENTE.match(g) else "" for g in gemeente]
    jaar_ok = jaar.where((jaar >= 1000) & (jaar <= 9999) & (jaar % 1 == 0))
    maand_ok = maand.where((maand >= 1) & (maand <= 12) & (maand % 1 == 0))
    check.keys(pd.DataFrame({"gemeente": gemeente_ok, "jaar": jaar_ok, "maand": maand_ok, "kanaal": kanaal_ok}))
    check.raise_problems()

    out = check.out
    out["gemeente"] = pd.Series(gemeente, index=out.index, dtype=str)
    out["jaar"] = jaar.astype("int64")
    out["maand"] = maand.astype("int64")
    out["kanaal"] = pd.Series(kanaal, index=out.index, dtype=str)
    for col, series in values.items():
        out[col] = series
    first = [*KEY_COLUMNS, *values]
    out = out[first + [c for c in out.columns if c not in first]]
    out = out.sort_values(["gemeente", "kanaal", "jaar", "maand"], key=_channel_order, kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update({"source_name": source_name, "synthetic": is_synthetic(out)})
    return out


def _channel_order(col: pd.Series) -> pd.Series:
    return col.map(CHANNELS.index) if col.name == "kanaal" else col


def validate_contacts(df: pd.DataFrame, *, source_name: str, gemeenten: Collection[str] | None = None) -> pd.DataFrame:
    """Check a monthly contact-volume table and return a clean, sorted copy.

    Parameters
    ----------
    df : pd.DataFrame
        The table as read from the file (data rows in file order, one header line), e.g. all
        columns as text from :func:`decentraal.io.files.read_csv_text`.
    source_name : str
        File name shown in messages.
    gemeenten : collection of str, optional
        The municipality codes of the run; any other well-formed code is then refused. ``None``
        accepts every well-formed ``GM`` code.

    Returns
    -------
    pd.DataFrame
        ``gemeente`` (str, upper case), ``jaar``, ``maand`` (int64), ``kanaal`` (str: balie,
        telefoon, email), ``contacten`` (int64), then ``synthetisch`` and any extra columns as
        read; sorted by gemeente, kanaal (in :data:`CHANNELS` order), jaar, maand; fresh
        RangeIndex. ``attrs``: ``source_name`` and ``synthetic`` (:func:`is_synthetic`).

    Raises
    ------
    DataError
        Listing every problem with file, row, value and fix.
    """
    def contacten(check: _Check) -> dict[str, pd.Series]:
        num = check.numbers("contacten", ok=lambda x: x >= 0, whole=True,
                            what="give the number of contacts in the month as a whole number >= 0")
        return {"contacten": num.fillna(0).astype("int64")}

    return _validate(df, source_name=source_name, gemeenten=gemeenten, required=CONTACT_COLUMNS,
                     what="contact-volume file", value=contacten)


def validate_staffing(df: pd.DataFrame, *, source_name: str, gemeenten: Collection[str] | None = None) -> pd.DataFrame:
    """Check a monthly staffing table and return a clean, sorted copy.

    Parameters
    ----------
    df, source_name, gemeenten
        As in :func:`validate_contacts`.

    Returns
    -------
    pd.DataFrame
        ``gemeente`` (str), ``jaar``, ``maand`` (int64), ``kanaal`` (str), ``fte`` (float64,
        > 0), ``uren_per_fte`` (float64; NaN where the file leaves it empty or has no such
        column: the pipeline fills it from its parameters), then ``synthetisch`` and any extra
        columns; sorted and with ``attrs`` as in :func:`validate_contacts`.

    Raises
    ------
    DataError
        Listing every problem with file, row, value and fix.
    """
    def fte(check: _Check) -> dict[str, pd.Series]:
        values = {"fte": check.numbers("fte", ok=lambda x: x > 0, whole=False,
                                       what="give the formation on the channel in FTE, a number > 0 (e.g. 12.5); "
                                            "leave a channel without own staff out of the file")}
        if HOURS_COLUMN in check.out.columns:
            values[HOURS_COLUMN] = check.numbers(
                HOURS_COLUMN, ok=lambda x: 0 < x <= MAX_HOURS_PER_FTE, whole=False, optional=True,
                what=f"give the hours per week of one FTE (e.g. 36), at most {MAX_HOURS_PER_FTE:g}, or leave the "
                     "cell empty to use the run's parameter")
        else:
            values[HOURS_COLUMN] = pd.Series(np.nan, index=check.out.index, dtype=float)
        return values

    return _validate(df, source_name=source_name, gemeenten=gemeenten, required=STAFFING_COLUMNS,
                     what="staffing file", value=fte)


def _read(path: Path, what: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{what} {path} does not exist; check the path in the config (or leave it empty).")
    data = path.read_bytes()
    if not data.strip():
        raise DataError(f"{path} is empty: a {what} needs a header row ({', '.join(KEY_COLUMNS)}, ...) and one row "
                        "per gemeente, jaar, maand and kanaal; export it again.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise DataError(f"{path}, row {row}: byte {data[exc.start]:#04x} is not UTF-8 (the file is probably saved as "
                        "Windows-1252/ANSI); save it as 'CSV UTF-8' and load it again.") from exc
    header = data.decode("utf-8").lstrip("\ufeff").splitlines()[0]
    if ";" in header and "," not in header:
        raise DataError(f"{path}, row 1 (header): the columns are separated by ';'; save the file as comma-separated "
                        "CSV (Excel: 'CSV UTF-8 (door komma's gescheiden)'), with a decimal point or a quoted "
                        "decimal comma.")
    try:
        return read_csv_text(path)
    except DataError as exc:
        raise DataError(f"{path} is not a valid CSV ({exc.__cause__}): every row needs as many cells as the header; "
                        "put a cell that holds a comma in double quotes, and save the file as 'CSV UTF-8'.") from exc


def read_contacts(path: Path, *, gemeenten: Collection[str] | None = None) -> pd.DataFrame:
    """Read the municipality's monthly contact volumes per channel and check them.

    Parameters
    ----------
    path : Path
        The CSV file (UTF-8; a byte-order mark is allowed).
    gemeenten : collection of str, optional
        As in :func:`validate_contacts`.

    Returns
    -------
    pd.DataFrame
        See :func:`validate_contacts`; ``attrs["source_file"]`` is the path and
        ``attrs["synthetic"]`` whether the file flags made-up rows.

    Raises
    ------
    DataError
        The file is missing, empty, not UTF-8 or not a CSV, or any row is invalid (all listed).
    """
    frame = _read(path, "contact-volume file")
    out = validate_contacts(frame, source_name=str(path), gemeenten=gemeenten)
    out.attrs["source_file"] = str(path)
    return out


def read_staffing(path: Path, *, gemeenten: Collection[str] | None = None) -> pd.DataFrame:
    """Read the municipality's monthly staffing (FTE) per channel and check it.

    Parameters
    ----------
    path : Path
        The CSV file (UTF-8; a byte-order mark is allowed).
    gemeenten : collection of str, optional
        As in :func:`validate_contacts`.

    Returns
    -------
    pd.DataFrame
        See :func:`validate_staffing`; ``attrs`` as in :func:`read_contacts`.

    Raises
    ------
    DataError
        The file is missing, empty, not UTF-8 or not a CSV, or any row is invalid (all listed).
    """
    frame = _read(path, "staffing file")
    out = validate_staffing(frame, source_name=str(path), gemeenten=gemeenten)
    out.attrs["source_file"] = str(path)
    return out
