"""Online refresh of the raw data: CBS Kerncijfers wijken en buurten, PDOK boundaries, geocoding.

This is the only code in the package that talks to the network. Everything else reads the
shipped files in ``data/raw/``; this package can replace or extend them from the public APIs.
One module per responsibility:

* :mod:`.http`: request URLs, the GET wrapper (network and HTTP failures become
  :class:`~decentraal.errors.FetchError`), JSON decoding, sessions, shared constants.
* :mod:`.provenance`: the in-memory download record and committing it (files, README.md,
  ``registry.json`` entries).
* :mod:`.cbs`: :func:`fetch_kwb`, CBS *Kerncijfers wijken en buurten* (KWB) of one gemeente and
  one year from the CBS OData v3 API (all gemeente, wijk and buurt rows of that gemeente).
* :mod:`.pdok`: :func:`fetch_boundaries`, the wijk and buurt boundaries of one gemeente from the
  PDOK ``wijkenbuurten`` WFS, as GeoJSON in EPSG:28992.
* :mod:`.locatieserver`: :func:`geocode` (one address, PDOK Locatieserver, RD coordinates) and
  :func:`geocode_counters`.

:func:`fetch_all` is what ``decentraal data fetch`` runs (the command line itself is in
:mod:`decentraal.run.cli`). Every fetch first downloads everything into memory; only when all
requests have succeeded does it write the files (each atomically), a README.md with provenance
and checksums, and the matching entries in ``raw_dir / "registry.json"``. A failed fetch (no
network, HTTP error, unexpected answer) raises :class:`~decentraal.errors.FetchError` or
:class:`~decentraal.errors.DataError` and leaves ``raw_dir`` untouched.

"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from decentraal.config import RAW_DIR
from decentraal.errors import ParameterError
from decentraal.io.fetch import cbs, http, pdok, provenance
from decentraal.io.fetch.cbs import KWB_TABLES, check_gemeente, check_jaar, fetch_kwb
from decentraal.io.fetch.locatieserver import geocode, geocode_counters, parse_point
from decentraal.io.fetch.pdok import fetch_boundaries

#: What :func:`fetch_all` can fetch: ``kwb`` (CBS figures), ``grenzen`` (boundaries).
WHAT_CHOICES = ("kwb", "grenzen")

__all__ = [
    "KWB_TABLES", "WHAT_CHOICES", "check_gemeente", "check_jaar", "fetch_all", "fetch_boundaries", "fetch_kwb",
    "geocode", "geocode_counters", "parse_point",
]


def _items(values: str | Iterable[str]) -> list[str]:
    """Comma-separated text or an iterable of strings -> stripped, non-empty items."""
    parts = values.split(",") if isinstance(values, str) else [p for v in values for p in str(v).split(",")]
    return [p.strip() for p in parts if p.strip()]


def fetch_all(
    gemeenten: str | Iterable[str],
    jaar: int,
    what: str | Iterable[str] = WHAT_CHOICES,
    *,
    raw_dir: Path = RAW_DIR,
    timeout: float = 30,
    log: Callable[[str], object] = lambda message: None,
) -> list[Path]:
    """Download ``what`` for every gemeente and year ``jaar``; write only when all succeeded.

    Parameters
    ----------
    gemeenten
        CBS gemeente code(s), ``"GM"`` + 4 digits: a list, or comma-separated text (``"GM0392,GM0473"``).
    jaar
        A year of :data:`KWB_TABLES`.
    what
        Any of :data:`WHAT_CHOICES`: ``kwb`` (CBS figures, :func:`fetch_kwb`) and ``grenzen``
        (boundaries, :func:`fetch_boundaries`); a list or comma-separated text.
    raw_dir
        Folder holding the raw data and ``registry.json`` (created if missing).
    timeout
        Seconds to wait for each HTTP answer.
    log
        Called with a progress line before each download (e.g. ``print``); nothing by default.

    Returns
    -------
    list of Path
        Every file written (data files and README.md of each folder).

    Raises
    ------
    ParameterError
        If a gemeente, the year or ``what`` is invalid (checked before any request).
    FetchError, DataError
        As in :func:`fetch_kwb`; nothing is written then.
    """
    codes = [check_gemeente(g) for g in _items(gemeenten)]
    if not codes:
        raise ParameterError("--gemeente is empty; give e.g. GM0392")
    jaar = check_jaar(jaar)
    wanted = [w.lower() for w in _items(what)]
    unknown = sorted(set(wanted) - set(WHAT_CHOICES)) or ([] if wanted else ["(nothing)"])
    if unknown:
        raise ParameterError(f"--what {', '.join(unknown)} is not valid; choose from {', '.join(WHAT_CHOICES)}")
    provenance.check_registry(raw_dir)
    client, own = http.open_session(None)
    downloads: list[provenance.Download] = []
    try:
        for gemeente in codes:
            if "kwb" in wanted:
                log(f"downloading CBS Kerncijfers wijken en buurten {jaar} for {gemeente} ...")
                downloads.append(cbs.download_kwb(gemeente, jaar, client, timeout))
            if "grenzen" in wanted:
                log(f"downloading PDOK wijk/buurt boundaries {jaar} for {gemeente} ...")
                downloads.append(pdok.download_boundaries(gemeente, jaar, client, timeout))
    finally:
        if own:
            client.close()
    return provenance.commit(downloads, raw_dir)
