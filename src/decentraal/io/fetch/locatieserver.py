"""Geocoding with the PDOK Locatieserver: one address (:func:`geocode`) or all counters.

:func:`geocode_counters` rewrites ``loketten/loketten.csv`` in the raw-data folder with RD
coordinates and their source, and updates its checksum in the registry and the folder's README.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import requests

from decentraal.config import CRS, RAW_DIR
from decentraal.errors import DataError, ParameterError
from decentraal.io.fetch import http
from decentraal.io.files import read_csv_text, write_json, write_table, write_text
from decentraal.io.registry import load_registry, sha256_file, verified_raw_path

#: PDOK Locatieserver free-text search.
LOCATIESERVER = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free"

_POINT_RE = re.compile(r"^\s*POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$")


def parse_point(wkt: str) -> tuple[float, float]:
    """Parse ``"POINT(x y)"`` into ``(x, y)``; raise :class:`DataError` for anything else.

    >>> parse_point("POINT(103880.5 488401)")
    (103880.5, 488401.0)
    """
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
    session
        A ``requests.Session`` to use (tests pass a fake one); a new one by default.
    timeout
        Seconds to wait for the HTTP answer.

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
    client, own = http.open_session(session)
    try:
        url = http.build_url(LOCATIESERVER, {"q": query, "fq": "type:adres", "rows": 1})
        payload = http.decode_json(http.get(client, url, timeout), url, "JSON")
    finally:
        if own:
            client.close()
    docs = (payload.get("response") or {}).get("docs") if isinstance(payload, dict) else None
    if not docs:
        raise DataError(
            f"PDOK Locatieserver found no address for {query!r}; write it as "
            "'street number, place' or 'postcode number'"
        )
    doc = docs[0]
    x, y = parse_point(doc.get("centroide_rd"))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return {
        "x": x,
        "y": y,
        "crs": CRS,
        "weergavenaam": doc.get("weergavenaam", ""),
        "id": doc.get("id"),
        "query": query,
        "location_source": f"PDOK Locatieserver v3.1 ({LOCATIESERVER}), retrieved {today}; {http.ATTRIBUTION}",
    }


def geocode_counters(raw_dir: Path = RAW_DIR, *, session: requests.Session | None = None, timeout: float = 30) -> Path:
    """Geocode the addresses in ``loketten/loketten.csv`` with PDOK and record the source.

    Every address is looked up first; only when all succeed is the file rewritten (atomically)
    with ``x``/``y`` in EPSG:28992 and ``locatiebron`` naming PDOK Locatieserver, the date and
    the matched address, and its checksum updated in the registry and the folder's README.
    """
    raw_dir = Path(raw_dir)
    key = "loketten/loketten.csv"
    path = verified_raw_path(key, raw_dir)
    table = read_csv_text(path)
    client, own = http.open_session(session)
    try:
        found = [geocode(address, session=client, timeout=timeout) for address in table["adres"]]
    finally:
        if own:
            client.close()
    table["x"] = [f"{hit['x']:.1f}" for hit in found]
    table["y"] = [f"{hit['y']:.1f}" for hit in found]
    table["locatiebron"] = [f"{hit['location_source']}; gevonden adres: {hit['weergavenaam']}" for hit in found]
    old_sha = sha256_file(path)
    write_table(table, path)
    new_sha = sha256_file(path)
    registry = load_registry(raw_dir / "registry.json")
    registry[key].update(sha256=new_sha, source_url=LOCATIESERVER, retrieved=http.now())
    write_json(registry, raw_dir / "registry.json")
    readme = path.parent / "README.md"
    if readme.exists():
        write_text(readme.read_text(encoding="utf-8").replace(old_sha, new_sha), readme)
    return path
