"""WCAG 2.1 AA for the committee report: axe-core on every page and every map frame, Dutch
language, and a real Dutch alt text on every image.

The browser tests open the report of the shared small run (``tests/runs.py``) in Debian's
headless Chromium with the network blocked (as ``tests/run/test_browser.py``), inject the
vendored axe-core (``tests/vendor/axe-core``, MPL-2.0) into the page and into every frame
(the folium maps are ``<iframe srcdoc>``) and fail on any violation of the wcag2a, wcag2aa,
wcag21a or wcag21aa rules, listing each with its page, frame, impact and elements. The other
tests check the figure output and the page export without a browser.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
import pytest
from matplotlib.figure import Figure

from decentraal.io.outputs import RunOutputs
from decentraal.report import figures
from decentraal.report.html import committee_page

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PLACEHOLDER = "No description has been provided for this image"
#: Small Dutch words; a Dutch alt text of a sentence or more has at least one of them.
DUTCH = re.compile(r"\b(de|het|een|van|per|en|in|met|op|is|zijn|bij)\b", re.I)
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5), count: v.nodes.length}));
}"""


# --------------------------------------------------------------------------- without a browser
def test_figure_output_has_alt_text_and_numbered_caption(tmp_path):
    out = RunOutputs.open(str(tmp_path), threshold=10)
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [0, 1])
    figures.describe(fig, alt="Lijngrafiek van de test: van 0 naar 1.", caption="Een test.", source=figures.source(2024))
    first = out.figure(fig, "een")
    second = out.figure(Figure(figsize=(2, 1)), "twee")  # no description: made from its (missing) titles
    data, meta = first._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]) == (tmp_path / "figures" / "een.png").read_bytes()
    assert meta["image/png"]["alt"] == "Lijngrafiek van de test: van 0 naar 1."
    assert meta["image/png"]["caption"] == "Figuur 1. Een test."
    assert meta["image/png"]["source"] == "Bron: CBS (KWB 2024), Kadaster/PDOK; bewerking decentraal"
    assert second.caption.startswith("Figuur 2. ")
    assert second.alt and PLACEHOLDER not in second.alt


def test_committee_page_is_dutch_with_figure_alt_and_no_unnamed_tab_stops():
    png = io.BytesIO()
    fig = Figure(figsize=(1, 1))
    fig.savefig(png, format="png")
    output = nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png.getvalue()).decode(), "text/plain": "x"},
                                    metadata={"image/png": {"alt": "Kaart van Haarlem per wijk: de index is het hoogst in Meerwijk.",
                                                            "caption": "Figuur 1. De index.", "source": "Bron: CBS (KWB 2024)"}})
    cell = nbformat.v4.new_code_cell("x", outputs=[output, nbformat.v4.new_output("execute_result", data={"text/html": "<b>tabel</b>"})])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Titel\n\n## Deel"), cell])
    page = committee_page(nb, title="Test")
    assert '<html lang="nl">' in page
    assert 'alt="Kaart van Haarlem per wijk: de index is het hoogst in Meerwijk."' in page
    assert "<figcaption>Figuur 1. De index." in page and "Bron: CBS (KWB 2024)" in page
    assert PLACEHOLDER not in page
    assert 'tabindex="0"' not in page


def test_alt_text_names_the_extremes():
    import pandas as pd

    alt = figures.map_alt(place="Haarlem", level="wijk", what="de index", values=pd.Series([0.1, 0.9, -0.5, 0.4]),
                          names=pd.Series(["Oost", "Meerwijk", "Duinwijk", "Delftwijk"]), n=2)
    assert alt == "Kaart van Haarlem per wijk: de index is het hoogst in Meerwijk en Delftwijk en het laagst in Duinwijk en Oost."


# --------------------------------------------------------------------------- in the browser
def _open(browser, html: Path, *, width: int = 1280):
    """The page in an offline context, map frames drawn; returns (context, page)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_offline(True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.split(":", 1)[0] in ("file", "data", "about", "blob")
                  else route.abort())
    page = context.new_page()
    page.goto(html.as_uri(), wait_until="load")
    for handle in page.query_selector_all("iframe"):
        frame = handle.content_frame()
        if frame is not None:
            frame.wait_for_load_state("load")
    page.wait_for_timeout(200)
    return context, page


def _frames(page) -> list[tuple[str, object]]:
    """(name, frame) for the page and each of its frames, the frame named by its title."""
    out = []
    for i, frame in enumerate(page.frames):
        if frame == page.main_frame:
            out.append(("pagina", frame))
        else:
            out.append((f"frame {i} ({frame.evaluate('document.title') or 'zonder titel'})", frame))
    return out


def _pages(report_dir: Path) -> list[Path]:
    pages = sorted(report_dir.glob("*.html"))
    assert len(pages) >= 4, f"expected the index and three chapters in {report_dir}, found {[p.name for p in pages]}"
    return pages


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 480])
def test_axe_finds_no_wcag_violation_on_any_page_or_map_frame(browser, report_dir, width):
    script = AXE.read_text(encoding="utf-8")
    problems, checked = [], 0
    for html in _pages(report_dir):
        context, page = _open(browser, html, width=width)
        try:
            for name, frame in _frames(page):
                frame.evaluate(script)
                for v in frame.evaluate(RUN_AXE, WCAG_TAGS):
                    problems.append(f"{html.name}, {name}: {v['id']} ({v['impact']}) {v['help']}; "
                                    f"{v['count']} element(en), o.a. {v['targets']}")
                checked += 1
        finally:
            context.close()
    assert checked > len(_pages(report_dir)), "no map frame was checked: do the chapters still have interactive maps?"
    assert not problems, f"axe-core ({', '.join(WCAG_TAGS)}) at {width} px found:\n" + "\n".join(problems)


@pytest.mark.browser
def test_every_page_and_frame_is_dutch_with_a_title(browser, report_dir):
    problems = []
    for html in _pages(report_dir):
        context, page = _open(browser, html)
        try:
            for name, frame in _frames(page):
                lang, title = frame.evaluate("() => [document.documentElement.lang, document.title.trim()]")
                if lang != "nl":
                    problems.append(f"{html.name}, {name}: lang={lang!r}")
                if not title:
                    problems.append(f"{html.name}, {name}: no <title>")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_every_image_has_a_dutch_alt_text(browser, report_dir):
    problems, images = [], 0
    for html in _pages(report_dir):
        context, page = _open(browser, html)
        try:
            for name, frame in _frames(page):
                for alt in frame.evaluate("() => [...document.images].map(img => img.getAttribute('alt'))"):
                    images += 1
                    if not alt or not alt.strip():
                        problems.append(f"{html.name}, {name}: an image without alt text")
                    elif PLACEHOLDER.lower() in alt.lower() or not DUTCH.search(alt) or len(alt) < 25:
                        problems.append(f"{html.name}, {name}: alt text is not a Dutch description: {alt!r}")
            if html.name[:2].isdigit():
                shown = page.eval_on_selector_all("figure.figuur", "fs => fs.map(f => f.querySelector('figcaption')?.textContent || '')")
                for caption in shown:
                    if not re.match(r"Figuur \d+\. ", caption) or "Bron:" not in caption:
                        problems.append(f"{html.name}: figure caption without number or source line: {caption!r}")
        finally:
            context.close()
    assert images >= 3, f"only {images} images in the report: did the figures disappear?"
    assert not problems, "\n".join(problems)
