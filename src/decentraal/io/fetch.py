"""Online refresh of the raw data: CBS Kerncijfers wijken en buurten, PDOK boundaries, geocoding.

This is the only module that talks to the network. Everything else in the package reads the
shipped files in ``data/raw/``; this module can replace or extend them from the public APIs:

* :func:`fetch_kwb` downloads CBS *Kerncijfers wijken en buurten* (KWB) for one gemeente and
  one year from the CBS OData v3 API (all gemeente, wijk and buurt rows of that gemeente).
* :func:`fetch_boundaries` downloads the wijk and buurt boundaries of one gemeente from the
  PDOK ``wijkenbuurten`` WFS, as GeoJSON in EPSG:28992.
* :func:`geocode` looks up one address with the PDOK Locatieserver (RD coordinates).
* :func:`fetch_main` is the command-line entry (``decentraal data fetch``).

Every fetch first downloads everything into memory; only when all requests have succeeded does
it write the files (each atomically, via :mod:`decentraal.io`), a README.md with provenance and
checksums, and the matching entries in ``raw_dir / "registry.json"``. A failed fetch (no network,
HTTP error, unexpected answer) raises :class:`~decentraal.errors.FetchError` or
:class:`~decentraal.errors.DataError` and leaves ``raw_dir`` untouched.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io as _stdio
import json
import operator
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from decentraal.config import VERSION as __version__
from decentraal import io as dio
from decentraal.config import CRS, GEMEENTEN, RAW_DIR
from decentraal.errors import DataError, DecentraalError, FetchError, ParameterError
from decentraal.io import load_registry, sha256_file, write_bytes, write_json, write_text

# --------------------------------------------------------------------------- sources
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
#: PDOK WFS 2.0 of the CBS Wijk- en Buurtkaart, one service per year.
PDOK_WFS = "https://service.pdok.nl/cbs/wijkenbuurten/{jaar}/wfs/v1_0"
#: Layers fetched by :func:`fetch_boundaries` (feature type ``wijkenbuurten:<layer>``).
WFS_LAYERS = ("wijken", "buurten")
#: Features per WFS request (PDOK caps GetFeature answers at 1,000 features).
WFS_PAGE_SIZE = 1000
#: PDOK Locatieserver free-text search.
LOCATIESERVER = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free"

LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/deed.nl)"
#: Attribution line of the boundary files (and of geocoded locations).
ATTRIBUTION = "Bron: CBS, Kadaster/PDOK"
#: Attribution line of the KWB tables (same wording as the shipped cbs_kwb_2024 entry).
KWB_ATTRIBUTION = "Bron: CBS (Kerncijfers wijken en buurten {jaar})"

#: Stop following ``odata.nextLink`` / WFS pages after this many requests (runaway guard).
MAX_PAGES = 100

OFFLINE_HINT = (
    "no network? The shipped data in data/raw/ still work; run this command on a machine "
    "with internet access"
)
WHAT_CHOICES = ("kwb", "grenzen")
_GEMEENTE_RE = re.compile(r"^GM\d{4}$")
_POINT_RE = re.compile(r"^\s*POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$")
# Characters left readable in recorded URLs (all are valid in a query string).
_URL_SAFE = "$'(),:"


# --------------------------------------------------------------------------- validation
def check_gemeente(gemeente: str) -> str:
    """Return ``gemeente`` normalised (``"gm0392"`` -> ``"GM0392"``) or raise :class:`ParameterError`."""
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
            "(add the CBS table id of a newer year to decentraal.fetch.KWB_TABLES)"
        )
    return year


# --------------------------------------------------------------------------- HTTP
def _url(base: str, params: Mapping[str, Any]) -> str:
    """Build a full request URL with readable, valid percent-encoding."""
    return f"{base}?{urlencode(dict(params), quote_via=quote, safe=_URL_SAFE)}"


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _get(session: requests.Session, url: str, timeout: float) -> requests.Response:
    """GET ``url``; turn every network or HTTP failure into :class:`FetchError`."""
    host = _host(url)
    try:
        response = session.get(url, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise FetchError(f"could not reach {host} ({type(exc).__name__}: {exc}): {OFFLINE_HINT}") from exc
    except requests.RequestException as exc:
        raise FetchError(f"request to {host} failed ({type(exc).__name__}: {exc}); URL: {url}") from exc
    try:
        response.raise_for_status()
    except requests.HTTPError as exc:
        raise FetchError(
            f"{host} answered HTTP {response.status_code} for {url} ({exc}). Check the gemeente "
            "and year, or try again later; the shipped data in data/raw/ still work."
        ) from exc
    return response


def _json(response: requests.Response, url: str, what: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        start = response.content[:200].decode("utf-8", errors="replace")
        raise FetchError(f"{_host(url)} did not return {what} for {url} (it began with {start!r})") from exc


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _open_session(session: requests.Session | None) -> tuple[requests.Session, bool]:
    if session is not None:
        return session, False
    own = requests.Session()
    own.headers["User-Agent"] = f"decentraal/{__version__} (data refresh; python-requests)"
    return own, True


# --------------------------------------------------------------------------- planned writes
@dataclass
class _Download:
    """Everything one fetch will write, held in memory until all downloads have succeeded."""

    folder: str  # relative to raw_dir
    title: str
    year: int
    attribution: str
    retrieved: str
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> content
    source_urls: dict[str, list[str]] = field(default_factory=dict)  # file name -> URLs used
    columns: dict[str, list[str]] = field(default_factory=dict)  # file name -> columns
    counts: dict[str, str] = field(default_factory=dict)  # file name -> "157 rows" etc.
    notes: list[str] = field(default_factory=list)


def _commit(downloads: Iterable[_Download], raw_dir: Path) -> list[Path]:
    """Write the files, READMEs and registry entries of finished downloads; return written paths."""
    downloads = list(downloads)
    raw_dir = Path(raw_dir)
    registry_file = raw_dir / "registry.json"
    registry = load_registry(registry_file) if registry_file.exists() else {}
    written: list[Path] = []
    for item in downloads:
        folder = raw_dir / item.folder
        checksums: dict[str, str] = {}
        for name, content in item.files.items():
            path = write_bytes(content, folder / name)
            checksums[name] = sha256_file(path)
            written.append(path)
        written.append(write_text(_readme(item, checksums), folder / "README.md"))
        new_keys = {f"{item.folder}/{name}" for name in item.files}
        for key in [k for k in registry if k.startswith(f"{item.folder}/") and k not in new_keys]:
            # left over from an earlier fetch of the same folder (e.g. more pages then)
            del registry[key]
            (raw_dir / key).unlink(missing_ok=True)
        for name in item.files:
            registry[f"{item.folder}/{name}"] = {
                "sha256": checksums[name],
                "attribution": item.attribution,
                "year": item.year,
                "source_url": item.source_urls[name][0],
                "retrieved": item.retrieved,
            }
    write_json(registry, registry_file)
    return written


def _readme(item: _Download, checksums: Mapping[str, str]) -> str:
    lines = [
        f"# {item.folder}",
        "",
        f"{item.title}.",
        "",
        "Downloaded by `decentraal data fetch` (`src/decentraal/fetch.py`). Do not edit these files",
        "by hand: `src/decentraal/io.py` checks the sha256 below on every load (registry:",
        "`registry.json` in the raw-data folder). Fetch again to refresh them.",
        "",
        f"- **Attribution line (use in every report):** {item.attribution}",
        f"- **Licence:** {LICENCE}",
        f"- **Year / vintage:** {item.year}",
        f"- **Retrieved:** {item.retrieved} (UTC)",
        "",
        "## Files",
    ]
    for name in item.files:
        lines += ["", f"### `{name}`", ""]
        if name in item.counts:
            lines.append(f"- **Size:** {item.counts[name]}")
        lines.append(f"- **sha256:** `{checksums[name]}`")
        urls = item.source_urls[name]
        lines.append("- **Origin URL:**" if len(urls) == 1 else f"- **Origin URLs ({len(urls)} pages):**")
        lines += [f"  - <{url}>" for url in urls]
        if item.columns.get(name):
            lines.append(f"- **Columns ({len(item.columns[name])}):** " + ", ".join(f"`{c}`" for c in item.columns[name]))
    if item.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in item.notes]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- CBS KWB
def _download_kwb(gemeente: str, jaar: int, session: requests.Session, timeout: float) -> _Download:
    table = KWB_TABLES[jaar]
    digits = gemeente[2:]
    url: str | None = _url(
        f"{CBS_ODATA_BASE}/{table}/TypedDataSet",
        {"$filter": f"substringof('{digits}',{CBS_CODE_COLUMN})", "$format": "json"},
    )
    pages: list[bytes] = []
    urls: list[str] = []
    rows: list[dict[str, Any]] = []
    while url is not None:
        if len(pages) >= MAX_PAGES or url in urls:
            raise FetchError(f"CBS paging did not end after {len(pages)} pages (last link {url})")
        response = _get(session, url, timeout)
        payload = _json(response, url, "JSON")
        if not isinstance(payload, dict) or not isinstance(payload.get("value"), list):
            raise FetchError(f"unexpected answer from {_host(url)} for {url}: no 'value' list of rows")
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

    item = _Download(
        folder=f"cbs_kwb_{jaar}_{gemeente}",
        title=(
            f"CBS Kerncijfers wijken en buurten {jaar} (StatLine table {table}) for {gemeente}: "
            "the gemeente and all its wijken and buurten"
        ),
        year=jaar,
        attribution=KWB_ATTRIBUTION.format(jaar=jaar),
        retrieved=_now(),
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
    _check_registry(raw_dir)
    http, own = _open_session(session)
    try:
        item = _download_kwb(gemeente, jaar, http, timeout)
    finally:
        if own:
            http.close()
    return _commit([item], raw_dir)


# --------------------------------------------------------------------------- PDOK boundaries
def _gemeente_filter(gemeente: str) -> str:
    """OGC FES 2.0 filter ``gemeentecode = <gemeente>`` (this WFS ignores GeoServer's CQL_FILTER)."""
    return (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
        "<fes:PropertyIsEqualTo><fes:ValueReference>gemeentecode</fes:ValueReference>"
        f"<fes:Literal>{gemeente}</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"
    )


def _download_boundaries(gemeente: str, jaar: int, session: requests.Session, timeout: float) -> _Download:
    base = PDOK_WFS.format(jaar=jaar)
    item = _Download(
        folder=f"pdok_wijkenbuurten_{jaar}_{gemeente}",
        title=(
            f"Wijk and buurt boundaries of {gemeente} from the CBS Wijk- en Buurtkaart {jaar}, "
            f"PDOK WFS `{base}` (layers {', '.join(f'`wijkenbuurten:{l}`' for l in WFS_LAYERS)})"
        ),
        year=jaar,
        attribution=ATTRIBUTION,
        retrieved=_now(),
    )
    for layer in WFS_LAYERS:
        features: list[dict[str, Any]] = []
        urls: list[str] = []
        first: dict[str, Any] = {}
        start = 0
        while True:
            if len(urls) >= MAX_PAGES:
                raise FetchError(f"PDOK paging for {layer} did not end after {len(urls)} pages")
            url = _url(base, {
                "service": "WFS",
                "version": "2.0.0",
                "request": "GetFeature",
                "typeNames": f"wijkenbuurten:{layer}",
                "outputFormat": "json",
                "srsName": CRS,
                "count": WFS_PAGE_SIZE,
                "startIndex": start,
                "FILTER": _gemeente_filter(gemeente),
            })
            payload = _json(_get(session, url, timeout), url, "GeoJSON")
            if not isinstance(payload, dict) or not isinstance(payload.get("features"), list):
                raise FetchError(f"unexpected answer from {_host(url)} for {url}: no GeoJSON 'features' list")
            urls.append(url)
            first = first or payload
            page = payload["features"]
            features += page
            if len(page) < WFS_PAGE_SIZE:
                break
            start += len(page)

        kept = [f for f in features if (f.get("properties") or {}).get("gemeentecode") == gemeente]
        if not kept:
            raise DataError(
                f"the PDOK WFS {base} returned no {layer} with gemeentecode {gemeente} "
                f"({len(features)} features in total). Does {gemeente} exist in {jaar}?"
            )
        if len(kept) < len(features):
            item.notes.append(
                f"{len(features) - len(kept)} {layer} feature(s) with another gemeentecode were dropped."
            )
        collection = {
            "type": "FeatureCollection",
            "name": f"{layer}_{jaar}_{gemeente}",
            # RD New; GeoJSON without this member would be read as WGS84.
            "crs": first.get("crs") or {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
            "features": kept,
        }
        name = f"{layer}_{jaar}_{gemeente}.geojson"
        item.files[name] = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        item.source_urls[name] = urls
        columns: list[str] = []
        for feature in kept:
            columns += [k for k in (feature.get("properties") or {}) if k not in columns]
        item.columns[name] = columns
        item.counts[name] = f"{len(kept)} {layer}, CRS {CRS}"
    item.notes += [
        "GeoJSON FeatureCollections as served by PDOK (all WFS pages merged), with a `crs` member "
        f"naming {CRS}; geometry is full resolution, not generalised. Property names are PDOK's "
        "camelCase names; negative values such as -99995 or -99997 are CBS codes for "
        "'not available' or 'secret', not numbers.",
        "The `water` property tells water-only areas (JA) from land (NEE); nothing was removed.",
    ]
    return item


def fetch_boundaries(
    gemeente: str,
    jaar: int,
    *,
    raw_dir: Path = RAW_DIR,
    session: requests.Session | None = None,
    timeout: float = 30,
) -> list[Path]:
    """Download the wijk and buurt boundaries of one gemeente from the PDOK ``wijkenbuurten`` WFS.

    Requests ``wijkenbuurten:wijken`` and ``wijkenbuurten:buurten`` (WFS 2.0 GetFeature,
    ``outputFormat=json``, ``srsName=EPSG:28992``, an OGC FES filter on ``gemeentecode``, paged with
    ``count``/``startIndex``) and writes ``wijken_<jaar>_<gemeente>.geojson``,
    ``buurten_<jaar>_<gemeente>.geojson`` and ``README.md`` to
    ``raw_dir / f"pdok_wijkenbuurten_{jaar}_{gemeente}"``; the GeoJSON files are added to
    ``raw_dir/registry.json``. Parameters, return value and errors as in :func:`fetch_kwb`.
    """
    gemeente, jaar = check_gemeente(gemeente), check_jaar(jaar)
    _check_registry(raw_dir)
    http, own = _open_session(session)
    try:
        item = _download_boundaries(gemeente, jaar, http, timeout)
    finally:
        if own:
            http.close()
    return _commit([item], raw_dir)


def _check_registry(raw_dir: Path) -> None:
    """Fail before downloading if an existing registry cannot be read (it would block the write)."""
    registry_file = Path(raw_dir) / "registry.json"
    if registry_file.exists():
        load_registry(registry_file)


# --------------------------------------------------------------------------- geocoding
def parse_point(wkt: str) -> tuple[float, float]:
    """Parse ``"POINT(x y)"`` into ``(x, y)``; raise :class:`DataError` for anything else."""
    match = _POINT_RE.match(str(wkt or ""))
    if not match:
        raise DataError(f"cannot read coordinates from {wkt!r}; expected 'POINT(x y)'")
    return float(match.group(1)), float(match.group(2))


def geocode(address: str, *, session: requests.Session | None = None, timeout: float = 30) -> dict[str, Any]:
    """Look up one address with the PDOK Locatieserver and return its RD coordinates.

    Parameters
    ----------
    address
        Free text, e.g. ``"Grote Markt 2, Haarlem"``.
    session, timeout
        As in :func:`fetch_kwb`.

    Returns
    -------
    dict
        ``x``, ``y`` (EPSG:28992, metres, from the match's ``centroide_rd``), ``crs``,
        ``weergavenaam`` (the address PDOK matched: check it), ``id`` (Locatieserver id),
        ``query`` and ``location_source`` ("PDOK Locatieserver ..., retrieved <date>").

    Raises
    ------
    ParameterError
        If ``address`` is empty.
    FetchError
        If the Locatieserver cannot be reached or answers with an error.
    DataError
        If no address matches, or the match has no readable ``centroide_rd``.
    """
    query = " ".join(str(address or "").split())
    if not query:
        raise ParameterError("geocode needs an address, e.g. 'Grote Markt 2, Haarlem'")
    http, own = _open_session(session)
    try:
        url = _url(LOCATIESERVER, {"q": query, "fq": "type:adres", "rows": 1})
        payload = _json(_get(http, url, timeout), url, "JSON")
    finally:
        if own:
            http.close()
    docs = (payload.get("response") or {}).get("docs") if isinstance(payload, dict) else None
    if not docs:
        raise DataError(
            f"PDOK Locatieserver found no address for {query!r}; write it as "
            "'street number, place' or 'postcode number'"
        )
    doc = docs[0]
    x, y = parse_point(doc.get("centroide_rd"))
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    return {
        "x": x,
        "y": y,
        "crs": CRS,
        "weergavenaam": doc.get("weergavenaam", ""),
        "id": doc.get("id"),
        "query": query,
        "location_source": f"PDOK Locatieserver v3.1 ({LOCATIESERVER}), retrieved {today}; {ATTRIBUTION}",
    }


# --------------------------------------------------------------------------- CLI
def _parser() -> argparse.ArgumentParser:
    gemeenten = ",".join(GEMEENTEN)
    parser = argparse.ArgumentParser(
        prog="decentraal data fetch",
        description=(
            "Download fresh raw data (CBS Kerncijfers wijken en buurten, PDOK wijk/buurt boundaries) "
            "into the raw-data folder, with README and registry entries. Needs internet access; "
            "nothing is written unless every download succeeds."
        ),
    )
    parser.add_argument("--gemeente", default=gemeenten,
                        help=f"gemeente code(s), comma-separated (default: {gemeenten})")
    parser.add_argument("--jaar", type=int, default=max(KWB_TABLES),
                        help=f"year, one of {', '.join(map(str, sorted(KWB_TABLES)))} (default: {max(KWB_TABLES)})")
    parser.add_argument("--what", default=",".join(WHAT_CHOICES),
                        help="what to fetch, comma-separated: kwb (CBS figures), grenzen (boundaries); default both")
    parser.add_argument("--raw-dir", type=Path, default=RAW_DIR, help=f"raw-data folder (default: {RAW_DIR})")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per HTTP request (default: 30)")
    return parser


def fetch_main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``decentraal data fetch [--gemeente GM0392] [--jaar 2024] [--what kwb,grenzen] [--raw-dir PATH]``.

    Downloads everything asked for first and writes only when all downloads succeeded. Prints the
    files written and returns 0; prints the error and returns 1 on failure.
    """
    args = _parser().parse_args(argv)
    try:
        gemeenten = [check_gemeente(g) for g in args.gemeente.split(",") if g.strip()]
        if not gemeenten:
            raise ParameterError("--gemeente is empty; give e.g. GM0392")
        jaar = check_jaar(args.jaar)
        what = [w.strip().lower() for w in args.what.split(",") if w.strip()]
        unknown = sorted(set(what) - set(WHAT_CHOICES)) or ([] if what else ["(nothing)"])
        if unknown:
            raise ParameterError(f"--what {', '.join(unknown)} is not valid; choose from {', '.join(WHAT_CHOICES)}")
        _check_registry(args.raw_dir)
        http, _ = _open_session(None)
        downloads: list[_Download] = []
        try:
            for gemeente in gemeenten:
                if "kwb" in what:
                    print(f"downloading CBS Kerncijfers wijken en buurten {jaar} for {gemeente} ...", file=sys.stderr)
                    downloads.append(_download_kwb(gemeente, jaar, http, args.timeout))
                if "grenzen" in what:
                    print(f"downloading PDOK wijk/buurt boundaries {jaar} for {gemeente} ...", file=sys.stderr)
                    downloads.append(_download_boundaries(gemeente, jaar, http, args.timeout))
        finally:
            http.close()
        written = _commit(downloads, args.raw_dir)
    except DecentraalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files and updated {Path(args.raw_dir) / 'registry.json'}:")
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(fetch_main())


def geocode_counters(raw_dir: Path = RAW_DIR, *, session: requests.Session | None = None, timeout: float = 30) -> Path:
    """Geocode the addresses in ``loketten/loketten.csv`` with PDOK and record the source.

    Every address is looked up first; only when all succeed is the file rewritten (atomically)
    with ``x``/``y`` in EPSG:28992 and ``locatiebron`` naming PDOK Locatieserver, the date and
    the matched address, and its checksum updated in the registry and the folder's README.
    """
    key = "loketten/loketten.csv"
    path = dio.verified_raw_path(key, raw_dir)
    table = dio.read_csv_text(path)
    http, own = _open_session(session)
    try:
        found = [geocode(address, session=http, timeout=timeout) for address in table["adres"]]
    finally:
        if own:
            http.close()
    table["x"] = [f"{hit['x']:.1f}" for hit in found]
    table["y"] = [f"{hit['y']:.1f}" for hit in found]
    table["locatiebron"] = [f"{hit['location_source']}; gevonden adres: {hit['weergavenaam']}" for hit in found]
    old_sha = dio.sha256_file(path)
    dio.write_table(table, path)
    new_sha = dio.sha256_file(path)
    registry = dio.load_registry(raw_dir / "registry.json")
    registry[key].update(sha256=new_sha, source_url=LOCATIESERVER, retrieved=_now())
    dio.write_json(registry, raw_dir / "registry.json")
    readme = path.parent / "README.md"
    if readme.exists():
        dio.write_text(readme.read_text(encoding="utf-8").replace(old_sha, new_sha), readme)
    return path


def geocode_main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``decentraal data geocode [--raw-dir PATH]`` (needs internet)."""
    parser = argparse.ArgumentParser(prog="decentraal data geocode", description="Geocode the existing counters with PDOK Locatieserver.")
    parser.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args(argv)
    try:
        path = geocode_counters(args.raw_dir, timeout=args.timeout)
    except DecentraalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"geocoded counters written to {path}")
    return 0
