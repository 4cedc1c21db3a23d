"""Geocoding the counters rewrites the file with its source, on a recorded (fake) response."""

from __future__ import annotations

from decentraal import io
from decentraal.io import loaders
from decentraal.io.fetch import geocode_counters
from decentraal.io.fetch import http as fetch_http
from decentraal.run import cli


class _Response:
    status_code = 200

    def __init__(self, payload):
        self._payload = payload
        self.content = b"{}"

    def json(self):
        return self._payload

    def raise_for_status(self):
        return None


class _Session:
    """Answers like PDOK Locatieserver v3.1 (abridged example response, not a real lookup)."""

    def __init__(self):
        self.urls = []

    def get(self, url, timeout=None, **kw):
        self.urls.append(url)
        doc = {"weergavenaam": "Voorbeeldstraat 1, Voorbeeld", "id": "adr-x", "centroide_rd": "POINT(103000.5 488000.25)"}
        return _Response({"response": {"numFound": 1, "docs": [doc]}})

    def close(self):
        pass


def test_geocode_counters_writes_coordinates_source_and_checksums(raw_copy):
    session = _Session()
    path = geocode_counters(raw_copy, session=session)
    table = loaders.load_loketten(raw_copy)  # checksum verified against the updated registry
    assert (table["x"] == 103000.5).all() and (table["y"] == 488000.2).all()
    assert table["locatiebron"].str.contains("PDOK Locatieserver").all()
    assert len(session.urls) == 2 and all("locatieserver" in u for u in session.urls)
    assert io.sha256_file(path) in (path.parent / "README.md").read_text(encoding="utf-8")


def test_cli_data_geocode(raw_copy, monkeypatch, capsys):
    session = _Session()
    monkeypatch.setattr(fetch_http, "open_session", lambda s: (s or session, False))
    assert cli.main(["data", "geocode", "--raw-dir", str(raw_copy), "--timeout", "5"]) == 0
    assert "geocoded counters written to" in capsys.readouterr().out
    assert len(session.urls) == 2
    assert (loaders.load_loketten(raw_copy)["x"] == 103000.5).all()


def test_cli_data_geocode_error_is_printed(tmp_path, capsys):
    assert cli.main(["data", "geocode", "--raw-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("error: ")
