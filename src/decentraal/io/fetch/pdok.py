"""Wijk and buurt boundaries from the PDOK ``wijkenbuurten`` WFS (CBS Wijk- en Buurtkaart).

:func:`fetch_boundaries` downloads the wijken and buurten of one gemeente as GeoJSON in
EPSG:28992, paging with ``count``/``startIndex`` (:data:`WFS_PAGE_SIZE` is read at call time).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from decentraal.config import CRS, RAW_DIR
from decentraal.errors import DataError, FetchError
from decentraal.io.fetch import http
from decentraal.io.fetch.cbs import check_gemeente, check_jaar
from decentraal.io.fetch.provenance import Download, download_and_commit

#: PDOK WFS 2.0 of the CBS Wijk- en Buurtkaart, one service per year.
PDOK_WFS = "https://service.pdok.nl/cbs/wijkenbuurten/{jaar}/wfs/v1_0"
#: Layers fetched by :func:`fetch_boundaries` (feature type ``wijkenbuurten:<layer>``).
WFS_LAYERS = ("wijken", "buurten")
#: Features per WFS request (PDOK caps GetFeature answers at 1,000 features).
WFS_PAGE_SIZE = 1000


def _gemeente_filter(gemeente: str) -> str:
    """OGC FES 2.0 filter ``gemeentecode = <gemeente>`` (this WFS ignores GeoServer's CQL_FILTER)."""
    return (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
        "<fes:PropertyIsEqualTo><fes:ValueReference>gemeentecode</fes:ValueReference>"
        f"<fes:Literal>{gemeente}</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"
    )


def download_boundaries(gemeente: str, jaar: int, session: requests.Session, timeout: float) -> Download:
    """Download the wijken and buurten of ``gemeente`` (already checked) into a :class:`Download`; write nothing."""
    base = PDOK_WFS.format(jaar=jaar)
    item = Download(
        folder=f"pdok_wijkenbuurten_{jaar}_{gemeente}",
        title=(
            f"Wijk and buurt boundaries of {gemeente} from the CBS Wijk- en Buurtkaart {jaar}, "
            f"PDOK WFS `{base}` (layers {', '.join(f'`wijkenbuurten:{layer}`' for layer in WFS_LAYERS)})"
        ),
        year=jaar,
        attribution=http.ATTRIBUTION,
        retrieved=http.now(),
    )
    for layer in WFS_LAYERS:
        features: list[dict[str, Any]] = []
        urls: list[str] = []
        first: dict[str, Any] = {}
        start = 0
        while True:
            if len(urls) >= http.MAX_PAGES:
                raise FetchError(f"PDOK paging for {layer} did not end after {len(urls)} pages")
            url = http.build_url(base, {
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
            payload = http.decode_json(http.get(session, url, timeout), url, "GeoJSON")
            if not isinstance(payload, dict) or not isinstance(payload.get("features"), list):
                raise FetchError(f"unexpected answer from {http.host(url)} for {url}: no GeoJSON 'features' list")
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
    ``raw_dir/registry.json``. Parameters, return value and errors as in
    :func:`decentraal.io.fetch.cbs.fetch_kwb`.
    """
    gemeente, jaar = check_gemeente(gemeente), check_jaar(jaar)
    return download_and_commit(download_boundaries, gemeente, jaar, raw_dir=raw_dir, session=session, timeout=timeout)
