"""HTTP plumbing of the data refresh: request URLs, the GET wrapper, JSON decoding, sessions.

Every network or HTTP failure becomes a :class:`~decentraal.errors.FetchError` whose message
names the host and says what to do (offline: :data:`OFFLINE_HINT`). The other modules of
:mod:`decentraal.io.fetch` call these functions through this module (``http.open_session(...)``),
so tests can replace them here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from decentraal.config import VERSION as __version__
from decentraal.errors import FetchError

#: Licence of every fetched file (CBS and PDOK open data).
LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/deed.nl)"
#: Attribution line of the boundary files (and of geocoded locations).
ATTRIBUTION = "Bron: CBS, Kadaster/PDOK"
#: Stop following ``odata.nextLink`` / WFS pages after this many requests (runaway guard).
MAX_PAGES = 100

OFFLINE_HINT = (
    "no network? The shipped data in data/raw/ still work; run this command on a machine "
    "with internet access"
)
# Characters left readable in recorded URLs (all are valid in a query string).
_URL_SAFE = "$'(),:"


def build_url(base: str, params: Mapping[str, Any]) -> str:
    """Build a full request URL with readable, valid percent-encoding.

    >>> build_url("https://example.org/api", {"$filter": "substringof('0392',Codering_3)", "rows": 1})
    "https://example.org/api?$filter=substringof('0392',Codering_3)&rows=1"
    """
    return f"{base}?{urlencode(dict(params), quote_via=quote, safe=_URL_SAFE)}"


def host(url: str) -> str:
    """The host name of ``url`` (the URL itself if it has none).

    >>> host("https://opendata.cbs.nl/ODataApi/odata/85984NED")
    'opendata.cbs.nl'
    """
    return urlsplit(url).hostname or url


def get(session: requests.Session, url: str, timeout: float) -> requests.Response:
    """GET ``url``; turn every network or HTTP failure into :class:`FetchError`."""
    name = host(url)
    try:
        response = session.get(url, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise FetchError(f"could not reach {name} ({type(exc).__name__}: {exc}): {OFFLINE_HINT}") from exc
    except requests.RequestException as exc:
        raise FetchError(f"request to {name} failed ({type(exc).__name__}: {exc}); URL: {url}") from exc
    try:
        response.raise_for_status()
    except requests.HTTPError as exc:
        raise FetchError(
            f"{name} answered HTTP {response.status_code} for {url} ({exc}). Check the gemeente "
            "and year, or try again later; the shipped data in data/raw/ still work."
        ) from exc
    return response


def decode_json(response: requests.Response, url: str, what: str) -> Any:
    """The JSON body of ``response``; :class:`FetchError` naming ``what`` was expected otherwise."""
    try:
        return response.json()
    except ValueError as exc:
        start = response.content[:200].decode("utf-8", errors="replace")
        raise FetchError(f"{host(url)} did not return {what} for {url} (it began with {start!r})") from exc


def now() -> str:
    """The current UTC time as ISO 8601 in seconds (the ``retrieved`` stamp)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def open_session(session: requests.Session | None) -> tuple[requests.Session, bool]:
    """Return ``(session, own)``: ``session`` itself, or a new one (``own=True``: close it after use)."""
    if session is not None:
        return session, False
    own = requests.Session()
    own.headers["User-Agent"] = f"decentraal/{__version__} (data refresh; python-requests)"
    return own, True
