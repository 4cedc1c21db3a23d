"""The printed report: A4 with page numbers, the sources and their CC BY attribution printed,
interactive maps replaced by a note, and no table or figure wider than the A4 text width.

Uses the PDF of the shared small run (``tests/runs.py``; printed by headless Chromium through
:mod:`decentraal.io.pdf`) and, for the widths, the HTML pages in Chromium with print media at
the width of the A4 text block (210 mm minus the 2 x 14 mm side margins of ``committee.css``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runs import make_small_run

pytestmark = pytest.mark.browser

A4_PT = (595.28, 841.89)
#: Width of the text block on A4 in CSS pixels (96 per inch): 210 mm - 2 x 14 mm margins.
TEXT_WIDTH_PX = round((210 - 2 * 14) / 25.4 * 96)
PAGE_NUMBER = re.compile(r"pagina (\d+) van (\d+)")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return make_small_run(tmp_path_factory)


@pytest.fixture(scope="module")
def pdf_pages(run) -> list[tuple[tuple[float, float], str]]:
    from pypdf import PdfReader

    where = run.manifest.get("pdf", "")
    target = run.run_dir / str(where)
    if not where or not target.is_file():
        pytest.fail(f"the run made no PDF (manifest says {where!r}); `make browser` installs Chromium", pytrace=False)
    reader = PdfReader(str(target))
    return [((float(p.mediabox.width), float(p.mediabox.height)), p.extract_text() or "") for p in reader.pages]


def test_pdf_is_a4(pdf_pages):
    sizes = {(round(w), round(h)) for (w, h), _ in pdf_pages}
    for w, h in sizes:
        assert abs(w - A4_PT[0]) <= 2 and abs(h - A4_PT[1]) <= 2, f"page size {w} x {h} pt is not A4 (595 x 842): {sizes}"


def test_every_pdf_page_has_a_page_number(pdf_pages):
    missing = [i + 1 for i, (_, text) in enumerate(pdf_pages) if not PAGE_NUMBER.search(text)]
    assert not missing, f"no 'pagina N van M' in the footer of PDF page(s) {missing}"
    # one count over the whole report, not one per chapter: page i says "pagina i van <all pages>"
    for i, (_, text) in enumerate(pdf_pages, 1):
        numbers = [tuple(map(int, m)) for m in PAGE_NUMBER.findall(text)]
        assert numbers == [(i, len(pdf_pages))], f"PDF page {i} is numbered {numbers}, expected pagina {i} van {len(pdf_pages)}"


def test_pdf_prints_the_sources_with_their_licence(pdf_pages):
    text = " ".join(" ".join(t.split()) for _, t in pdf_pages)
    assert "CC BY 4.0" in text
    assert "Naamsvermelding 4.0" in text, "the attribution sentence in the (collapsed) sources block did not print"
    assert "cbs_kwb" in text.replace("\n", ""), "the list of data files (sources) did not print"
    assert re.search(r"Figuur \d+\. ", text) and "Bron: CBS" in text, "figure captions or their source lines are missing"


@pytest.fixture(scope="module")
def print_page(run):
    from playwright.sync_api import sync_playwright

    from runs import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": TEXT_WIDTH_PX, "height": 1100})
        context.set_offline(True)
        page = context.new_page()
        page.emulate_media(media="print")
        try:
            yield page
        finally:
            browser.close()


OVERFLOW = """(limit) => {
  const out = [];
  const name = el => (el.querySelector('caption')?.textContent || el.closest('figure')?.querySelector('figcaption')?.textContent
                      || el.querySelector('th')?.textContent || el.tagName).trim().slice(0, 70);
  for (const el of document.querySelectorAll('table, img, figure, pre')) {
    const boxes = [...el.getClientRects()];  // one per fragment (a table split over two columns has two)
    if (!boxes.length || getComputedStyle(el).display === 'none') continue;
    const right = Math.max(...boxes.map(b => b.right));
    if (right > limit + 1 || el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'IMG')
      out.push(`${el.tagName.toLowerCase()} "${name(el)}": right edge ${Math.round(right)} px, scroll ${el.scrollWidth} > ${el.clientWidth}`);
  }
  return out;
}"""


def test_nothing_is_wider_than_the_a4_text_width(run, print_page):
    problems = []
    for html in sorted((run.run_dir / "report").glob("*.html")):
        print_page.goto(html.as_uri(), wait_until="load")
        limit = print_page.evaluate("document.documentElement.clientWidth")
        problems += [f"{html.name}: {p}" for p in print_page.evaluate(OVERFLOW, limit)]
    assert not problems, f"wider than the A4 text width ({TEXT_WIDTH_PX} px) in print:\n" + "\n".join(problems)


def test_print_shows_a_note_instead_of_each_interactive_map(run, print_page):
    for html in sorted((run.run_dir / "report").glob("0*.html")):
        print_page.goto(html.as_uri(), wait_until="load")
        state = print_page.evaluate("""() => ({
            frames: [...document.querySelectorAll('iframe')].map(f => getComputedStyle(f).display),
            notes: [...document.querySelectorAll('.kaart-noot')].filter(n => getComputedStyle(n).display !== 'none').length,
            details: [...document.querySelectorAll('details:not(.kaartwaarden)')].map(d => d.querySelector('ul, table')?.getBoundingClientRect().height || 0),
        })""")
        assert all(d == "none" for d in state["frames"]), f"{html.name}: an interactive map frame prints"
        assert state["notes"] == len(state["frames"]), f"{html.name}: {len(state['frames'])} map frames but {state['notes']} print notes"
        assert state["details"] and all(h > 0 for h in state["details"]), f"{html.name}: a collapsed section does not print: {state}"


def test_stylesheet_sets_a4_and_page_numbers():
    css = (Path(__file__).resolve().parents[2] / "src" / "decentraal" / "templates" / "committee" / "static" / "committee.css").read_text()
    assert re.search(r"@page\s*{[^}]*size:\s*A4", css)
    assert "counter(page)" in css
