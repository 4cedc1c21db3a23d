"""Tests of decentraal.io.fetch and ``decentraal data fetch``. No test touches the network.

Answers of the CBS OData API, the PDOK WFS and the PDOK Locatieserver are hand-made, abridged
examples in ``tests/data/fetch/`` (each labelled in its "_comment" key), served by ``FakeSession``.
As a safety net, ``_no_real_http`` makes any real HTTP request from requests fail the test.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

from decentraal.errors import DataError, FetchError, ParameterError
from decentraal.io import fetch, read_csv_text, read_layer, sha256_file
from decentraal.io.fetch import http as fetch_http
from decentraal.io.fetch import pdok
from decentraal.run import cli

FIXTURES = Path(__file__).parents[1] / "data" / "fetch"
CBS_PAGE1 = FIXTURES / "cbs_85984NED_page1.json"
CBS_PAGE2 = FIXTURES / "cbs_85984NED_page2.json"
WIJKEN = FIXTURES / "pdok_wijken_2024_GM0392.json"
BUURTEN = FIXTURES / "pdok_buurten_2024_GM0392.json"
ADRES = FIXTURES / "locatieserver_adres.json"


# --------------------------------------------------------------------------- fakes
class FakeResponse:
    def __init__(self, content: bytes, status_code: int = 200, url: str = ""):
        self.content = content
        self.status_code = status_code
        self.url = url

    def json(self):
        return json.loads(self.content)

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} Error for url: {self.url}", response=self)


class FakeSession:
    """Answers GETs from ``routes``: a list of (substring of the URL, bytes | Exception | status)."""

    def __init__(self, routes):
        self.routes = list(routes)
        self.calls: list[str] = []

    def get(self, url, timeout=None, **kwargs):
        assert not kwargs.get("params"), "fetch builds full URLs itself"
        assert timeout is not None, "every request needs a timeout"
        self.calls.append(url)
        for needle, answer in self.routes:
            if needle in unquote(url):
                if isinstance(answer, Exception):
                    raise answer
                if isinstance(answer, int):
                    return FakeResponse(b"error", answer, url)
                return FakeResponse(answer, 200, url)
        raise AssertionError(f"unexpected request {url}")

    def close(self):
        pass


@pytest.fixture(autouse=True)
def _no_real_http(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the real network")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", refuse)


def cbs_session():
    # the nextLink of page 1 carries $skiptoken; match that first
    return FakeSession([("$skiptoken=3004", CBS_PAGE2.read_bytes()), ("85984NED/TypedDataSet", CBS_PAGE1.read_bytes())])


def wfs_session():
    return FakeSession([("wijkenbuurten:wijken", WIJKEN.read_bytes()), ("wijkenbuurten:buurten", BUURTEN.read_bytes())])


EXISTING = {"other/file.csv": {"sha256": "0" * 64, "attribution": "Bron: test", "year": 2024}}


@pytest.fixture
def raw_dir(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "registry.json").write_text(json.dumps(EXISTING, indent=2), encoding="utf-8")
    return raw


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- KWB
def test_fetch_kwb_writes_data_readme_and_registry(raw_dir):
    paths = fetch.fetch_kwb("GM0392", 2024, raw_dir=raw_dir, session=cbs_session())

    folder = raw_dir / "cbs_kwb_2024_GM0392"
    names = sorted(p.name for p in paths)
    assert names == [
        "README.md",
        "cbs_85984NED_typeddataset_p01.json",
        "cbs_85984NED_typeddataset_p02.json",
        "kwb_2024_GM0392.csv",
    ]
    assert all(p.parent == folder and p.exists() for p in paths)
    # raw pages are stored exactly as received
    assert (folder / "cbs_85984NED_typeddataset_p01.json").read_bytes() == CBS_PAGE1.read_bytes()
    assert (folder / "cbs_85984NED_typeddataset_p02.json").read_bytes() == CBS_PAGE2.read_bytes()

    table = read_csv_text(folder / "kwb_2024_GM0392.csv")
    assert list(table.columns)[:5] == ["ID", "WijkenEnBuurten", "Gemeentenaam_1", "SoortRegio_2", "Codering_3"]
    # both pages, stray BU03630392 (Amsterdam) dropped, padding stripped, nulls empty
    assert list(table["Codering_3"]) == ["GM0392", "WK039201", "BU03920101", "BU03920102", "WK039202"]
    assert table.loc[0, "Gemeentenaam_1"] == "Haarlem"
    assert table.loc[0, "AantalInwoners_5"] == "167636"
    assert table.loc[1, "GemiddeldInkomenPerInwoner_78"] == ""

    registry = json.loads((raw_dir / "registry.json").read_text(encoding="utf-8"))
    assert registry["other/file.csv"] == EXISTING["other/file.csv"]  # untouched
    data_files = [p for p in paths if p.name != "README.md"]
    assert "cbs_kwb_2024_GM0392/README.md" not in registry
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for path in data_files:
        entry = registry[f"cbs_kwb_2024_GM0392/{path.name}"]
        assert set(entry) == {"sha256", "attribution", "year", "source_url", "retrieved"}
        assert entry["sha256"] == sha256_file(path)
        assert entry["year"] == 2024
        assert entry["attribution"] == "Bron: CBS (Kerncijfers wijken en buurten 2024)"
        assert entry["source_url"].startswith("https://opendata.cbs.nl/ODataApi/odata/85984NED/TypedDataSet?")
        assert dt.datetime.fromisoformat(entry["retrieved"]).tzinfo is not None
        assert entry["sha256"] in readme
    assert registry["cbs_kwb_2024_GM0392/cbs_85984NED_typeddataset_p02.json"]["source_url"].endswith("$skiptoken=3004")
    for text in ("CC BY 4.0", "Bron: CBS", "85984NED", "**Year / vintage:** 2024", "**Retrieved:**",
                 "`AantalInwoners_5`", "substringof('0392',Codering_3)", "5 rows (1 gemeente, 2 wijken, 2 buurten)",
                 "1 row(s) of the raw JSON", "`src/decentraal/io/fetch/`", "`src/decentraal/io/registry.py`"):
        assert text in readme, text


def test_fetch_kwb_follows_next_link_and_filters_on_code(raw_dir):
    session = cbs_session()
    fetch.fetch_kwb("gm0392", 2024, raw_dir=raw_dir, session=session)

    assert len(session.calls) == 2
    first = urlsplit(session.calls[0])
    assert first.netloc == "opendata.cbs.nl"
    assert first.path == "/ODataApi/odata/85984NED/TypedDataSet"
    query = parse_qs(first.query)
    assert query["$filter"] == ["substringof('0392',Codering_3)"]
    assert query["$format"] == ["json"]
    assert session.calls[1] == json.loads(CBS_PAGE1.read_text(encoding="utf-8"))["odata.nextLink"]


def test_fetch_kwb_uses_the_table_of_the_year(raw_dir):
    page = json.loads(CBS_PAGE2.read_text(encoding="utf-8"))
    page["value"].insert(0, dict(page["value"][0], Codering_3="GM0392    "))
    session = FakeSession([("85318NED/TypedDataSet", json.dumps(page).encode())])
    paths = fetch.fetch_kwb("GM0392", 2022, raw_dir=raw_dir, session=session)
    assert "85318NED" in session.calls[0]
    assert (raw_dir / "cbs_kwb_2022_GM0392" / "kwb_2022_GM0392.csv") in paths


def test_refetch_replaces_stale_pages(raw_dir):
    fetch.fetch_kwb("GM0392", 2024, raw_dir=raw_dir, session=cbs_session())
    single = json.loads(CBS_PAGE1.read_text(encoding="utf-8"))
    del single["odata.nextLink"]
    fetch.fetch_kwb("GM0392", 2024, raw_dir=raw_dir,
                    session=FakeSession([("TypedDataSet", json.dumps(single).encode())]))
    registry = json.loads((raw_dir / "registry.json").read_text(encoding="utf-8"))
    assert "cbs_kwb_2024_GM0392/cbs_85984NED_typeddataset_p02.json" not in registry
    assert not (raw_dir / "cbs_kwb_2024_GM0392" / "cbs_85984NED_typeddataset_p02.json").exists()
    assert len(read_csv_text(raw_dir / "cbs_kwb_2024_GM0392" / "kwb_2024_GM0392.csv")) == 3


def test_missing_registry_is_created(tmp_path):
    raw = tmp_path / "new_raw"
    fetch.fetch_kwb("GM0392", 2024, raw_dir=raw, session=cbs_session())
    registry = json.loads((raw / "registry.json").read_text(encoding="utf-8"))
    assert sorted(registry) == [
        "cbs_kwb_2024_GM0392/cbs_85984NED_typeddataset_p01.json",
        "cbs_kwb_2024_GM0392/cbs_85984NED_typeddataset_p02.json",
        "cbs_kwb_2024_GM0392/kwb_2024_GM0392.csv",
    ]


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize("bad", ["0392", "GM392", "GM03921", "Haarlem", "", "WK039201"])
def test_invalid_gemeente_is_refused_before_any_request(raw_dir, bad):
    session = FakeSession([])
    for func in (fetch.fetch_kwb, fetch.fetch_boundaries):
        with pytest.raises(ParameterError, match=r"expected 'GM' followed by 4 digits.*GM0392 \(Haarlem\)"):
            func(bad, 2024, raw_dir=raw_dir, session=session)
    assert session.calls == []


@pytest.mark.parametrize("bad", [2018, 2025, "2024", 2024.0, True, None])
def test_invalid_year_lists_valid_years(raw_dir, bad):
    session = FakeSession([])
    for func in (fetch.fetch_kwb, fetch.fetch_boundaries):
        with pytest.raises(ParameterError, match="2019, 2020, 2021, 2022, 2023, 2024"):
            func("GM0392", bad, raw_dir=raw_dir, session=session)
    assert session.calls == []


def test_table_ids():
    assert fetch.KWB_TABLES == {
        2019: "84583NED", 2020: "84799NED", 2021: "85039NED",
        2022: "85318NED", 2023: "85618NED", 2024: "85984NED",
    }


# --------------------------------------------------------------------------- failures write nothing
def test_connection_error_becomes_helpful_fetch_error_and_writes_nothing(raw_dir):
    before = snapshot(raw_dir)
    session = FakeSession([("opendata.cbs.nl", requests.ConnectionError("Name or service not known"))])
    with pytest.raises(FetchError) as info:
        fetch.fetch_kwb("GM0392", 2024, raw_dir=raw_dir, session=session)
    message = str(info.value)
    assert message.startswith("could not reach opendata.cbs.nl (ConnectionError: Name or service not known)")
    assert "no network? The shipped data in data/raw/ still work" in message
    assert "machine with internet access" in message
    assert snapshot(raw_dir) == before


def test_failure_on_a_later_page_writes_nothing(raw_dir):
    before = snapshot(raw_dir)
    session = FakeSession([("$skiptoken", requests.Timeout("read timed out")),
                           ("TypedDataSet", CBS_PAGE1.read_bytes())])
    with pytest.raises(FetchError, match="could not reach opendata.cbs.nl .*no network"):
        fetch.fetch_kwb("GM0392", 2024, raw_dir=raw_dir, session=session)
    assert snapshot(raw_dir) == before


def test_failure_in_second_layer_writes_no_boundaries(raw_dir):
    before = snapshot(raw_dir)
    session = FakeSession([("wijkenbuurten:wijken", WIJKEN.read_bytes()),
                           ("wijkenbuurten:buurten", requests.ConnectionError("connection refused"))])
    with pytest.raises(FetchError, match="could not reach service.pdok.nl"):
        fetch.fetch_boundaries("GM0392", 2024, raw_dir=raw_dir, session=session)
    assert snapshot(raw_dir) == before


def test_http_error_becomes_fetch_error(raw_dir):
    before = snapshot(raw_dir)
    with pytest.raises(FetchError, match="opendata.cbs.nl answered HTTP 500"):
        fetch.fetch_kwb("GM0392", 2024, raw_dir=raw_dir, session=FakeSession([("TypedDataSet", 500)]))
    assert snapshot(raw_dir) == before


def test_non_json_answer_becomes_fetch_error(raw_dir):
    session = FakeSession([("wijkenbuurten", b"<ows:ExceptionReport>bad filter</ows:ExceptionReport>")])
    with pytest.raises(FetchError, match="did not return GeoJSON.*ExceptionReport"):
        fetch.fetch_boundaries("GM0392", 2024, raw_dir=raw_dir, session=session)


def test_no_rows_for_gemeente_is_data_error(raw_dir):
    before = snapshot(raw_dir)
    empty = json.dumps({"odata.metadata": "x", "value": []}).encode()
    with pytest.raises(DataError, match="has no row for GM9999"):
        fetch.fetch_kwb("GM9999", 2024, raw_dir=raw_dir, session=FakeSession([("TypedDataSet", empty)]))
    assert snapshot(raw_dir) == before


def test_unreadable_registry_fails_before_downloading(raw_dir):
    (raw_dir / "registry.json").write_text("{not json", encoding="utf-8")
    session = FakeSession([])
    with pytest.raises(DataError, match="not valid JSON"):
        fetch.fetch_kwb("GM0392", 2024, raw_dir=raw_dir, session=session)
    assert session.calls == []


# --------------------------------------------------------------------------- boundaries
def test_fetch_boundaries_writes_geojson_readme_and_registry(raw_dir):
    session = wfs_session()
    paths = fetch.fetch_boundaries("GM0392", 2024, raw_dir=raw_dir, session=session)

    folder = raw_dir / "pdok_wijkenbuurten_2024_GM0392"
    assert sorted(p.name for p in paths) == ["README.md", "buurten_2024_GM0392.geojson", "wijken_2024_GM0392.geojson"]
    wijken = read_layer(folder / "wijken_2024_GM0392.geojson", expected_crs="EPSG:28992")
    buurten = read_layer(folder / "buurten_2024_GM0392.geojson", expected_crs="EPSG:28992")
    assert list(wijken["wijkcode"]) == ["WK039201", "WK039202"]
    assert list(buurten["buurtcode"]) == ["BU03920101", "BU03920102", "BU03920201"]  # GM0473 stray dropped
    assert buurten.total_bounds.tolist() == [103000.0, 488000.0, 105000.0, 489000.0]

    registry = json.loads((raw_dir / "registry.json").read_text(encoding="utf-8"))
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name in ("wijken_2024_GM0392.geojson", "buurten_2024_GM0392.geojson"):
        entry = registry[f"pdok_wijkenbuurten_2024_GM0392/{name}"]
        assert entry["sha256"] == sha256_file(folder / name)
        assert entry["attribution"] == "Bron: CBS, Kadaster/PDOK"
        assert entry["year"] == 2024
        assert entry["source_url"].startswith("https://service.pdok.nl/cbs/wijkenbuurten/2024/wfs/v1_0?")
        assert entry["sha256"] in readme
    for text in ("Bron: CBS, Kadaster/PDOK", "CC BY 4.0", "**Year / vintage:** 2024", "`gemeentecode`",
                 "3 buurten, CRS EPSG:28992", "1 buurten feature(s) with another gemeentecode were dropped"):
        assert text in readme, text


def test_fetch_boundaries_request_parameters(raw_dir):
    session = wfs_session()
    fetch.fetch_boundaries("GM0392", 2024, raw_dir=raw_dir, session=session)
    assert len(session.calls) == 2
    for url, layer in zip(session.calls, ("wijken", "buurten")):
        parts = urlsplit(url)
        assert f"{parts.netloc}{parts.path}" == "service.pdok.nl/cbs/wijkenbuurten/2024/wfs/v1_0"
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert query["typeNames"] == f"wijkenbuurten:{layer}"
        assert query["outputFormat"] == "json"
        assert query["srsName"] == "EPSG:28992"
        assert query["request"] == "GetFeature" and query["service"] == "WFS" and query["version"] == "2.0.0"
        assert "<fes:ValueReference>gemeentecode</fes:ValueReference>" in query["FILTER"]
        assert "<fes:Literal>GM0392</fes:Literal>" in query["FILTER"]
        assert "CQL_FILTER" not in query


def test_fetch_boundaries_pages_with_start_index(raw_dir, monkeypatch):
    monkeypatch.setattr(pdok, "WFS_PAGE_SIZE", 2)
    collection = json.loads(BUURTEN.read_text(encoding="utf-8"))
    feats = collection["features"][:3]
    page = lambda chunk: json.dumps(dict(collection, features=chunk)).encode()  # noqa: E731
    session = FakeSession([
        ("typeNames=wijkenbuurten:wijken&outputFormat=json&srsName=EPSG:28992&count=2&startIndex=0",
         json.dumps(json.loads(WIJKEN.read_text(encoding="utf-8"))).encode()),
        ("typeNames=wijkenbuurten:wijken&outputFormat=json&srsName=EPSG:28992&count=2&startIndex=2", page([])),
        ("typeNames=wijkenbuurten:buurten&outputFormat=json&srsName=EPSG:28992&count=2&startIndex=0", page(feats[:2])),
        ("typeNames=wijkenbuurten:buurten&outputFormat=json&srsName=EPSG:28992&count=2&startIndex=2", page(feats[2:])),
    ])
    fetch.fetch_boundaries("GM0392", 2024, raw_dir=raw_dir, session=session)
    assert len(session.calls) == 4
    buurten = read_layer(raw_dir / "pdok_wijkenbuurten_2024_GM0392" / "buurten_2024_GM0392.geojson",
                         expected_crs="EPSG:28992")
    assert len(buurten) == 3
    readme = (raw_dir / "pdok_wijkenbuurten_2024_GM0392" / "README.md").read_text(encoding="utf-8")
    assert "Origin URLs (2 pages)" in readme


# --------------------------------------------------------------------------- geocode
def test_geocode_parses_centroide_rd():
    session = FakeSession([("locatieserver/search/v3_1/free", ADRES.read_bytes())])
    result = fetch.geocode("Grote Markt 2,  Haarlem", session=session)
    assert result["x"] == pytest.approx(103880.123)
    assert result["y"] == pytest.approx(488401.456)
    assert result["crs"] == "EPSG:28992"
    assert result["weergavenaam"] == "Grote Markt 2, 2011RD Haarlem"
    assert "PDOK Locatieserver" in result["location_source"]
    assert dt.datetime.now(dt.UTC).date().isoformat() in result["location_source"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(session.calls[0]).query).items()}
    assert query == {"q": "Grote Markt 2, Haarlem", "fq": "type:adres", "rows": "1"}
    assert session.calls[0].startswith("https://api.pdok.nl/bzk/locatieserver/search/v3_1/free?")


def test_geocode_without_match_or_coordinates():
    none_found = json.dumps({"response": {"numFound": 0, "start": 0, "docs": []}}).encode()
    with pytest.raises(DataError, match="found no address"):
        fetch.geocode("Nergensstraat 1", session=FakeSession([("free", none_found)]))
    odd = json.dumps({"response": {"docs": [{"weergavenaam": "x", "centroide_rd": "POINT EMPTY"}]}}).encode()
    with pytest.raises(DataError, match="cannot read coordinates"):
        fetch.geocode("Grote Markt 2", session=FakeSession([("free", odd)]))
    with pytest.raises(ParameterError):
        fetch.geocode("  ", session=FakeSession([]))
    with pytest.raises(FetchError, match="could not reach api.pdok.nl"):
        fetch.geocode("Grote Markt 2", session=FakeSession([("free", requests.ConnectionError("offline"))]))


def test_parse_point():
    assert fetch.parse_point("POINT(103880 488401)") == (103880.0, 488401.0)
    assert fetch.parse_point(" POINT ( -1.5e2 2.25 ) ") == (-150.0, 2.25)


# --------------------------------------------------------------------------- CLI
def test_cli_data_fetch_downloads_all_then_writes(raw_dir, monkeypatch, capsys):
    session = FakeSession(cbs_session().routes + wfs_session().routes)
    monkeypatch.setattr(fetch_http, "open_session", lambda s: (session, False))
    code = cli.main(["data", "fetch", "--gemeente", "GM0392", "--jaar", "2024", "--what", "kwb,grenzen",
                     "--raw-dir", str(raw_dir)])
    assert code == 0
    out = capsys.readouterr().out
    assert "wrote 7 files" in out
    assert str(raw_dir / "cbs_kwb_2024_GM0392" / "kwb_2024_GM0392.csv") in out
    assert str(raw_dir / "pdok_wijkenbuurten_2024_GM0392" / "buurten_2024_GM0392.geojson") in out
    registry = json.loads((raw_dir / "registry.json").read_text(encoding="utf-8"))
    assert len(registry) == 1 + 3 + 2


def test_cli_data_fetch_failure_writes_nothing(raw_dir, monkeypatch, capsys):
    before = snapshot(raw_dir)
    # kwb succeeds, boundaries fail: nothing at all is written
    session = FakeSession(cbs_session().routes + [("wijkenbuurten", requests.ConnectionError("offline"))])
    monkeypatch.setattr(fetch_http, "open_session", lambda s: (session, False))
    assert cli.main(["data", "fetch", "--gemeente", "GM0392", "--raw-dir", str(raw_dir)]) == 1
    err = capsys.readouterr().err
    assert "error: could not reach service.pdok.nl" in err and "no network?" in err
    assert snapshot(raw_dir) == before


@pytest.mark.parametrize("argv, expected", [
    (["--gemeente", "Haarlem"], "expected 'GM' followed by 4 digits"),
    (["--jaar", "2030"], "2019, 2020, 2021, 2022, 2023, 2024"),
    (["--what", "kwb,foto"], "--what foto is not valid; choose from kwb, grenzen"),
])
def test_cli_data_fetch_invalid_arguments(raw_dir, monkeypatch, capsys, argv, expected):
    session = FakeSession([])
    monkeypatch.setattr(fetch_http, "open_session", lambda s: (session, False))
    assert cli.main(["data", "fetch"] + argv + ["--raw-dir", str(raw_dir)]) == 1
    assert expected in capsys.readouterr().err
    assert session.calls == []


def test_cli_data_fetch_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["data", "fetch", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: decentraal data fetch")
    for option in ("--gemeente", "--jaar", "--what", "--raw-dir", "--timeout"):
        assert option in out, option
    assert "kwb (CBS figures), grenzen (boundaries)" in " ".join(out.split())


def test_fetch_all_logs_and_returns_written_files(raw_dir, monkeypatch):
    session = FakeSession(cbs_session().routes)
    monkeypatch.setattr(fetch_http, "open_session", lambda s: (session, False))
    lines = []
    written = fetch.fetch_all(["gm0392"], 2024, "kwb", raw_dir=raw_dir, timeout=5, log=lines.append)
    assert lines == ["downloading CBS Kerncijfers wijken en buurten 2024 for GM0392 ..."]
    assert sorted(p.name for p in written) == [
        "README.md", "cbs_85984NED_typeddataset_p01.json", "cbs_85984NED_typeddataset_p02.json", "kwb_2024_GM0392.csv",
    ]
    assert len(session.calls) == 2
