"""Open a rendered report in headless Chromium with the network blocked.

The report must work offline: Leaflet is inlined, the map draws its polygons, no console error,
and the page never asks for anything outside ``file:``/``data:``/``about:``/``blob:``. Uses the
run made by ``test_pipeline.small_run`` (shared for the session) and Debian's chromium.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytestmark = pytest.mark.browser

LOCAL_SCHEMES = {"file", "data", "about", "blob"}


class OfflinePage:
    """A page in a fresh offline context that records external requests and console errors."""

    def __init__(self, browser):
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_offline(True)
        self.context.route("**/*", self._route)
        self.context.on("request", self._request)
        self.page = self.context.new_page()
        self.page.on("console", lambda msg: self.errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _route(self, route):
        url = route.request.url
        if urlparse(url).scheme in LOCAL_SCHEMES:
            route.continue_()
        else:
            if url not in self.external:
                self.external.append(url)
            route.abort()

    def _request(self, request):
        if urlparse(request.url).scheme not in LOCAL_SCHEMES and request.url not in self.external:
            self.external.append(request.url)

    def close(self):
        self.context.close()


@pytest.fixture
def offline_page(browser):
    page = OfflinePage(browser)
    yield page
    page.close()


def test_report_map_works_offline(offline_page, report_dir, tmp_path):
    page = offline_page.page
    target = report_dir / "01_gegevens_verkennen.html"
    assert target.is_file(), f"{target} was not rendered"
    page.goto(target.as_uri(), wait_until="load")
    handle = page.wait_for_selector("iframe.kaart", state="attached", timeout=30_000)
    frame = handle.content_frame()
    assert frame is not None, "the map iframe has no document"
    frame.wait_for_function(
        "() => window.L !== undefined && document.querySelectorAll('.leaflet-interactive').length > 0",
        timeout=30_000,
    )
    state = frame.evaluate(
        """() => ({
            leaflet: typeof window.L === 'object' && typeof window.L.map === 'function',
            version: window.L && window.L.version,
            polygons: document.querySelectorAll('path.leaflet-interactive').length,
            legend: !!document.querySelector('.legenda'),
            tiles: document.querySelectorAll('img.leaflet-tile').length,
        })"""
    )
    assert state["leaflet"], state
    assert state["polygons"] >= 4, f"expected a polygon per Zandvoort wijk, got {state}"
    assert state["legend"], "the map legend is missing"
    assert state["tiles"] == 0, "no web tiles without basiskaart"
    page.wait_for_timeout(500)  # let late errors and requests surface
    assert offline_page.errors == []
    assert offline_page.external == [], f"the report tried to reach the network: {offline_page.external}"

    shot = tmp_path / "rapport.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000, f"screenshot is only {shot.stat().st_size} bytes: blank page?"
    map_shot = tmp_path / "kaart.png"
    handle.screenshot(path=str(map_shot))
    assert map_shot.stat().st_size > 20_000, "the map itself rendered (almost) nothing"


def test_every_report_page_loads_offline(offline_page, report_dir):
    page = offline_page.page
    for html in sorted(report_dir.glob("*.html")):
        page.goto(html.as_uri(), wait_until="load")
        for handle in page.query_selector_all("iframe.kaart"):
            frame = handle.content_frame()
            assert frame is not None
            frame.wait_for_function("() => window.L !== undefined && document.querySelectorAll('.leaflet-interactive').length > 0", timeout=30_000)
        page.wait_for_timeout(200)
        assert offline_page.errors == [], f"{html.name}: {offline_page.errors}"
        assert offline_page.external == [], f"{html.name} tried to reach the network: {offline_page.external}"


def test_index_links_resolve(offline_page, report_dir):
    page = offline_page.page
    page.goto((report_dir / "index.html").as_uri(), wait_until="load")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    pages = sorted(p.name for p in report_dir.glob("*.html") if p.name != "index.html")
    linked = sorted({Path(unquote(urlparse(h).path)).name for h in hrefs})  # a page may be linked more than once (glossary anchors)
    assert linked == pages, f"index.html links {linked}, report pages {pages}"
    for href in hrefs:
        url = urlparse(href)
        assert url.scheme == "file", f"index.html links outside the run: {href}"
        target = Path(unquote(url.path))
        assert target.is_file(), f"index.html links to {href}, which does not exist"
        assert target.parent == report_dir
        page.goto(href, wait_until="load")
        assert page.title(), f"{target.name} has no title"
        if url.fragment:
            assert page.query_selector(f"[id='{url.fragment}']"), f"index.html links to {href}, but {target.name} has no such anchor"
    assert offline_page.errors == []
    assert offline_page.external == []
