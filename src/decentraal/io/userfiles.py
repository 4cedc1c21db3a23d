"""The municipality's own files: observed counter visits and candidate sites.

Both are checked here, where they are read: every problem is reported with the file, the row
(as numbered in the file, header = row 1) and what to do; nothing is dropped silently.
See README, "Visit file format" and "Candidate file format".
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from decentraal.errors import DataError
from decentraal.io.files import read_csv_text

#: Columns of an observed-visits file (see :func:`validate_visits`).
VISIT_COLUMNS: tuple[str, ...] = ("gebied", "product", "jaar", "bezoeken")
#: The product name of a row holding all products together.
TOTAL_PRODUCT = "alle"
#: Columns of a candidate-site file (see :func:`read_candidates`).
CANDIDATE_COLUMNS: tuple[str, ...] = ("naam", "x", "y")

# ---------------------------------------------------------------------------

_AREA_PATTERNS = {
    "buurt": re.compile(r"^BU\d{8}$"),
    "wijk": re.compile(r"^WK\d{6}$"),
    "postcode": re.compile(r"^[1-9]\d{3}$"),
}


def _format_rows(rows: Sequence[int]) -> str:
    return ", ".join(str(r) for r in rows)


def validate_visits(
    df: pd.DataFrame,
    *,
    source_name: str,
    valid_codes: Collection[str],
) -> pd.DataFrame:
    """Check an observed-visits table from the municipality and return a clean copy.

    Expected columns: ``gebied`` (CBS buurt code ``BU`` + 8 digits, wijk code ``WK`` + 6 digits,
    or a 4-digit postcode), ``product`` (text), ``jaar`` (4-digit year), ``bezoeken``
    (non-negative integer). Extra columns are kept.

    Row numbers in messages are 1-based file rows counting the header as row 1, i.e. the
    n-th data row is row n + 1. This assumes ``df`` holds the data rows in file order with a
    single header line (as ``pd.read_csv``/``read_excel`` give by default); the index of
    ``df`` is ignored.

    Every problem found is reported in one error (no row is silently dropped): unknown area
    codes are all listed, as are malformed values and duplicate ``(gebied, product, jaar)``
    rows.

    Parameters
    ----------
    df : pd.DataFrame
        The table as read from the file.
    source_name : str
        File name shown in messages.
    valid_codes : collection of str
        Area codes that exist in the study area (buurt/wijk codes and/or postcodes).

    Returns
    -------
    pd.DataFrame
        A new DataFrame: ``gebied`` and ``product`` as stripped strings, ``jaar`` and
        ``bezoeken`` as int64, a fresh RangeIndex, and ``.attrs["source_name"]``.

    Raises
    ------
    DataError
        Listing every problem with file name, row number and what to do.
    """
    missing = [c for c in VISIT_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(
            f"{source_name}, row 1 (header): missing column(s) {missing}; found {list(df.columns)}. "
            f"The file needs the columns {list(VISIT_COLUMNS)}; rename the header accordingly."
        )
    out = df.reset_index(drop=True).copy()
    file_rows = np.arange(len(out)) + 2
    problems: list[str] = []

    # gebied ---------------------------------------------------------------
    def _code(v: object) -> str | None:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and float(v).is_integer()):
            return str(int(v))  # postcodes read as numbers
        return str(v).strip()

    codes = [_code(v) for v in out["gebied"]]
    empty_rows = [int(file_rows[i]) for i, c in enumerate(codes) if not c]
    if empty_rows:
        problems.append(f"empty 'gebied' in row(s) {_format_rows(empty_rows)}: fill in the area code.")
    bad_format = [
        (int(file_rows[i]), c) for i, c in enumerate(codes) if c and not any(p.match(c) for p in _AREA_PATTERNS.values())
    ]
    if bad_format:
        listed = "; ".join(f"row {r}: {c!r}" for r, c in bad_format)
        problems.append(
            f"malformed 'gebied' ({listed}): use a CBS buurt code (BU + 8 digits), wijk code "
            "(WK + 6 digits) or a 4-digit postcode."
        )
    valid = {str(v) for v in valid_codes}
    bad_fmt_rows = {r for r, _ in bad_format}
    unknown = [
        (int(file_rows[i]), c)
        for i, c in enumerate(codes)
        if c and int(file_rows[i]) not in bad_fmt_rows and c not in valid
    ]
    if unknown:
        listed = "; ".join(f"row {r}: {c}" for r, c in unknown)
        problems.append(
            f"{len(unknown)} unknown area code(s) ({listed}): these codes are not in the study area's "
            "code list; correct them or map old codes to the current CBS indeling before loading."
        )
    out["gebied"] = pd.Series([c if c is not None else "" for c in codes], index=out.index, dtype=str)

    # product --------------------------------------------------------------
    prod = out["product"]
    empty_prod = [int(file_rows[i]) for i, v in enumerate(prod) if pd.isna(v) or not str(v).strip()]
    if empty_prod:
        problems.append(f"empty 'product' in row(s) {_format_rows(empty_prod)}: fill in the product name.")
    out["product"] = pd.Series(["" if pd.isna(v) else str(v).strip() for v in prod], index=out.index, dtype=str)

    # jaar and bezoeken ----------------------------------------------------
    def _integers(col: str, *, lo: int, hi: int | None, what: str) -> pd.Series:
        num = pd.to_numeric(out[col], errors="coerce")
        raw = out[col]
        nonnum = [int(file_rows[i]) for i in range(len(out)) if pd.isna(num.iloc[i]) and not pd.isna(raw.iloc[i])]
        nan_rows = [int(file_rows[i]) for i in range(len(out)) if pd.isna(raw.iloc[i])]
        if nonnum:
            vals = "; ".join(f"row {r}: {raw.iloc[r - 2]!r}" for r in nonnum)
            problems.append(f"non-numeric '{col}' ({vals}): {what}.")
        if nan_rows:
            problems.append(f"missing '{col}' in row(s) {_format_rows(nan_rows)}: {what}.")
        ok = num.notna()
        arr = num.to_numpy(dtype=float, na_value=np.nan)
        nonint = [int(file_rows[i]) for i in range(len(out)) if ok.iloc[i] and not float(arr[i]).is_integer()]
        if nonint:
            vals = "; ".join(f"row {r}: {arr[r - 2]:g}" for r in nonint)
            problems.append(f"non-integer '{col}' ({vals}): {what}.")
        out_of_range = [
            int(file_rows[i])
            for i in range(len(out))
            if ok.iloc[i] and (arr[i] < lo or (hi is not None and arr[i] > hi))
        ]
        if out_of_range:
            vals = "; ".join(f"row {r}: {arr[r - 2]:g}" for r in out_of_range)
            rng = f">= {lo}" if hi is None else f"between {lo} and {hi}"
            problems.append(f"'{col}' out of range ({vals}): must be {rng}; {what}.")
        return num

    jaar = _integers("jaar", lo=1000, hi=9999, what="give the calendar year as a 4-digit integer")
    bez = _integers("bezoeken", lo=0, hi=None, what="give the number of visits as a whole number >= 0")

    # one level and one product scheme per file ----------------------------
    if not problems:
        levels = sorted({kind for c in out["gebied"] for kind, pat in _AREA_PATTERNS.items() if pat.match(c)})
        if len(levels) > 1:
            problems.append(
                f"the file mixes area levels ({', '.join(levels)}): a buurt and its wijk would both be counted; "
                "give one level per file."
            )
        products = set(out["product"].str.lower())
        if TOTAL_PRODUCT in products and len(products) > 1:
            rows = [int(file_rows[i]) for i, v in enumerate(out["product"].str.lower()) if v == TOTAL_PRODUCT][:10]
            problems.append(
                f"the file mixes totals ('{TOTAL_PRODUCT}', e.g. row(s) {_format_rows(rows)}) with per-product rows "
                f"({', '.join(sorted(products - {TOTAL_PRODUCT}))}): the visits would be counted twice; keep either the "
                "totals or the products."
            )

    # duplicates -----------------------------------------------------------
    if not problems:
        key = pd.DataFrame({"g": out["gebied"], "p": out["product"], "j": jaar})
        dup = key.duplicated(keep=False)
        if dup.any():
            groups = key[dup].groupby(["g", "p", "j"]).groups
            listed = "; ".join(
                f"{g}/{p}/{int(j)} in rows {_format_rows([int(file_rows[i]) for i in idx])}"
                for (g, p, j), idx in groups.items()
            )
            problems.append(
                f"duplicate (gebied, product, jaar) rows ({listed}): each combination may occur once; "
                "sum or remove the duplicates in the source."
            )

    if problems:
        raise DataError(f"{source_name}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    out["jaar"] = jaar.astype("int64")
    out["bezoeken"] = bez.astype("int64")
    out.attrs["source_name"] = source_name
    return out



# --------------------------------------------------------------------------- readers
#: Column of a visit file that flags made-up rows (the labelled test fixtures); see README.
SYNTHETIC_COLUMN = "synthetisch"


def is_synthetic(frame: pd.DataFrame) -> bool:
    """Whether a visit table flags any row as synthetic (column ``synthetisch`` equal to ``true``, any case)."""
    if SYNTHETIC_COLUMN not in frame.columns:
        return False
    return bool(frame[SYNTHETIC_COLUMN].astype(str).str.lower().eq("true").any())


def read_candidates(path: Path) -> pd.DataFrame:
    """Read and check a candidate-site file: columns ``naam``, ``x``, ``y`` (RD New metres, EPSG:28992).

    An empty file, a missing column, an empty name, a duplicate name, a non-numeric coordinate
    or one outside the Netherlands in RD New is refused with the file, the row and the fix; the
    run never falls back to the default candidates when a file was given.
    """
    from decentraal.io import schemas

    path = Path(path)
    frame = read_csv_text(path)
    missing = [c for c in CANDIDATE_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{path}, row 1 (header): missing column(s) {', '.join(missing)}; found "
                        f"{', '.join(frame.columns) or 'none'}. A candidate file has the columns naam,x,y (EPSG:28992).")
    if frame.empty:
        raise DataError(f"{path} has no candidate rows; add at least one row naam,x,y or leave kandidaten_bestand "
                        "empty to use the wijk centres.")
    problems = []
    names = frame["naam"].str.strip()
    for i in frame.index[names.eq("")]:
        problems.append(f"row {i + 2}: empty naam; give each site a name")
    for name, rows in frame.groupby(names).groups.items():
        if name and len(rows) > 1:
            problems.append(f"rows {', '.join(str(r + 2) for r in rows)}: naam {name!r} occurs more than once")
    out = pd.DataFrame({"naam": names})
    for col in ("x", "y"):
        values = pd.to_numeric(frame[col].str.strip().str.replace(",", ".", regex=False), errors="coerce")
        for i in frame.index[values.isna()]:
            problems.append(f"row {i + 2}, column {col}: {frame.at[i, col]!r} is not a number (RD New metres)")
        out[col] = values.astype(float)
    if problems:
        raise DataError(f"{path}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    schemas.check(out, "points", source=str(path), key="naam")
    out.attrs["source_file"] = str(path)
    return out


def read_visits(path: Path) -> pd.DataFrame:
    """Read the municipality's visit CSV as text; check it with :func:`validate_visits`.

    ``attrs["synthetic"]`` tells whether the file flags made-up rows (:func:`is_synthetic`),
    so every page built on it can say so.
    """
    frame = read_csv_text(Path(path))
    frame.attrs["synthetic"] = is_synthetic(frame)
    return frame
