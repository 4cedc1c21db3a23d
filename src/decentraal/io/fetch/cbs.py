"""CBS Kerncijfers wijken en buurten (KWB) from the CBS OData v3 API.

:func:`fetch_kwb` downloads all gemeente, wijk and buurt rows of one gemeente and one year;
:func:`check_gemeente` and :func:`check_jaar` validate the arguments before any request.
"""

from __future__ import annotations

import csv
import io as _stdio
import operator
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from decentraal.config import GEMEENTEN, RAW_DIR
from decentraal.errors import DataError, FetchError, ParameterError
from decentraal.io.fetch import http
from decentraal.io.fetch.provenance import Download, download_and_commit

#: CBS StatLine table id of "Kerncijfers wijken en buurten <jaar>" per year.
#: Source: CBS StatLine (https://www.cbs.nl/nl-nl/cijfers/detail/<id>, "Kerncijfers wijken en
#: buurten <jaar>"). Cross-checked against several independent public CBS client scripts that
#: list the same year -> id pairs (not against a live StatLine catalogue). 2024 = 85984NED is
#: also the table of the shipped file ``data/raw/cbs_kwb_2024/``.
KWB_TABLES: dict[int, str] = {
    2019: "84583NED",
    2020: "84799NED",
    2021: "85039NED",
    2022: "85318NED",
    2023: "85618NED",
    2024: "85984NED",
}

#: CBS OData v3 API (at most 10,000 rows per answer; longer answers carry ``odata.nextLink``).
CBS_ODATA_BASE = "https://opendata.cbs.nl/ODataApi/odata"
#: Column of the KWB tables holding the GM/WK/BU code (padded with spaces in the API).
CBS_CODE_COLUMN = "Codering_3"
#: Attribution line of the KWB tables (same wording as the shipped cbs_kwb_2024 entry).
KWB_ATTRIBUTION = "Bron: CBS (Kerncijfers wijken en buurten {jaar})"

_GEMEENTE_RE = re.compile(r"^GM\d{4}$")


# --------------------------------------------------------------------------- validation
def check_gemeente(gemeente: str) -> str:
    """Return ``gemeente`` normalised or raise :class:`ParameterError`.

    >>> check_gemeente(" gm0392 ")
    'GM0392'
    """
    code = str(gemeente).strip().upper()
    if not _GEMEENTE_RE.match(code):
        known = ", ".join(f"{c} ({n})" for c, n in GEMEENTEN.items())
        raise ParameterError(
            f"invalid gemeente code {gemeente!r}: expected 'GM' followed by 4 digits, "
            f"for example {known}"
        )
    return code


def check_jaar(jaar: int) -> int:
    """Return ``jaar`` if a KWB table id is known for it, else raise :class:`ParameterError`."""
    try:
        year = operator.index(jaar)  # ints (also numpy ints), not floats or strings
    except TypeError:
        year = None
    if isinstance(jaar, bool) or year not in KWB_TABLES:
        valid = ", ".join(str(y) for y in sorted(KWB_TABLES))
        raise ParameterError(
            f"invalid year {jaar!r}: data can be fetched for {valid} "
            "(add the CBS table id of a newer year to KWB_TABLES in src/decentraal/io/fetch/cbs.py)"
        )
    return year


# --------------------------------------------------------------------------- download
def download_kwb(gemeente: str, jaar: int, session: requests.Session, timeout: float) -> Download:
    """Download the KWB rows of ``gemeente`` (already checked) into a :class:`Download`; write nothing."""
    table = KWB_TABLES[jaar]
    digits = gemeente[2:]
    url: str | None = http.build_url(
        f"{CBS_ODATA_BASE}/{table}/TypedDataSet",
        {"$filter": f"substringof('{digits}',{CBS_CODE_COLUMN})", "$format": "json"},
    )
    pages: list[bytes] = []
    urls: list[str] = []
    rows: list[dict[str, Any]] = []
    while url is not None:
        if len(pages) >= http.MAX_PAGES or url in urls:
            raise FetchError(f"CBS paging did not end after {len(pages)} pages (last link {url})")
        response = http.get(session, url, timeout)
        payload = http.decode_json(response, url, "JSON")
        if not isinstance(payload, dict) or not isinstance(payload.get("value"), list):
            raise FetchError(f"unexpected answer from {http.host(url)} for {url}: no 'value' list of rows")
        pages.append(response.content)
        urls.append(url)
        rows.extend(payload["value"])
        url = payload.get("odata.nextLink")

    # substringof('0392', ...) can also match e.g. BU03630392; keep this gemeente's codes only.
    def code_of(row: Mapping[str, Any]) -> str:
        return str(row.get(CBS_CODE_COLUMN) or "").strip()

    kept = [r for r in rows if code_of(r)[:2] in ("GM", "WK", "BU") and code_of(r)[2:6] == digits]
    if not any(code_of(r) == gemeente for r in kept):
        raise DataError(
            f"CBS table {table} (Kerncijfers wijken en buurten {jaar}) has no row for {gemeente}; "
            f"got {len(rows)} rows for the filter on '{digits}'. Does {gemeente} exist in {jaar} "
            "(municipal mergers change codes)?"
        )
    columns: list[str] = []
    for row in kept:
        columns += [key for key in row if key not in columns]
    buffer = _stdio.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in kept:
        writer.writerow([_cell(row.get(col)) for col in columns])

    item = Download(
        folder=f"cbs_kwb_{jaar}_{gemeente}",
        title=(
            f"CBS Kerncijfers wijken en buurten {jaar} (StatLine table {table}) for {gemeente}: "
            "the gemeente and all its wijken and buurten"
        ),
        year=jaar,
        attribution=KWB_ATTRIBUTION.format(jaar=jaar),
        retrieved=http.now(),
    )
    csv_name = f"kwb_{jaar}_{gemeente}.csv"
    item.files[csv_name] = buffer.getvalue().encode("utf-8")
    item.source_urls[csv_name] = urls
    item.columns[csv_name] = columns
    levels = {p: sum(code_of(r).startswith(p) for r in kept) for p in ("GM", "WK", "BU")}
    item.counts[csv_name] = (
        f"{len(kept)} rows ({levels['GM']} gemeente, {levels['WK']} wijken, {levels['BU']} buurten)"
    )
    for number, (content, page_url) in enumerate(zip(pages, urls), start=1):
        name = f"cbs_{table}_typeddataset_p{number:02d}.json"
        item.files[name] = content
        item.source_urls[name] = [page_url]
        item.counts[name] = f"{len(content):,} bytes, OData v3 JSON page {number} of {len(pages)}, unchanged"
    item.notes += [
        f"`{csv_name}` holds the rows of the raw JSON page(s) whose `{CBS_CODE_COLUMN}` is a GM/WK/BU "
        f"code of {gemeente}, with the CBS column keys of table {table} as header, in the API's order. "
        "Text values are stripped of the padding spaces the API adds; numbers are written as received; "
        "an empty cell is a null in the API (CBS secret, not available or not applicable).",
        f"Meaning and unit of each column: <{CBS_ODATA_BASE}/{table}/DataProperties?$format=json> "
        f"and StatLine <https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{table}/table>.",
    ]
    dropped = len(rows) - len(kept)
    if dropped:
        item.notes.append(
            f"{dropped} row(s) of the raw JSON matched the substring filter but belong to another "
            "gemeente; they are not in the CSV."
        )
    return item


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value)


def fetch_kwb(
    gemeente: str,
    jaar: int,
    *,
    raw_dir: Path = RAW_DIR,
    session: requests.Session | None = None,
    timeout: float = 30,
) -> list[Path]:
    """Download CBS Kerncijfers wijken en buurten of one gemeente and year into ``raw_dir``.

    Requests ``<CBS_ODATA_BASE>/<table>/TypedDataSet?$filter=substringof('<digits>',Codering_3)``
    (following ``odata.nextLink`` pages) and writes to ``raw_dir / f"cbs_kwb_{jaar}_{gemeente}"``:
    each raw JSON page unchanged, ``kwb_<jaar>_<gemeente>.csv`` (CBS column keys, this gemeente's
    GM/WK/BU rows only) and ``README.md``; the data files are added to ``raw_dir/registry.json``.

    Parameters
    ----------
    gemeente
        CBS gemeente code, ``"GM"`` + 4 digits, e.g. ``"GM0392"`` (Haarlem).
    jaar
        A year of :data:`KWB_TABLES` (2019-2024).
    raw_dir
        Folder holding the raw data and ``registry.json`` (created if missing).
    session
        A ``requests.Session`` to use (tests pass a fake one); a new one by default.
    timeout
        Seconds to wait for each HTTP answer.

    Returns
    -------
    list of Path
        The files written: CSV, raw JSON page(s), README.md.

    Raises
    ------
    ParameterError
        If ``gemeente`` or ``jaar`` is invalid (checked before any request).
    FetchError
        If the API cannot be reached, answers with an HTTP error or with something unexpected.
    DataError
        If the answer holds no row for ``gemeente``, or ``raw_dir/registry.json`` is unreadable.
    """
    gemeente, jaar = check_gemeente(gemeente), check_jaar(jaar)
    return download_and_commit(download_kwb, gemeente, jaar, raw_dir=raw_dir, session=session, timeout=timeout)
