"""Committee pages: the header block of every chapter, the HTML export and the index page.

No disk here: the sources and the code version are passed in, the executed notebook comes in
as a node and the page goes out as text (the runner reads and writes them through
:mod:`decentraal.io`). The export hides code, papermill's injected-parameters cell, the
parameters cell and stderr output; embeds images; adds a table of contents; and uses a template
without any CDN script, so one file can be mailed and opened offline.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal
from traitlets.config import Config

from decentraal.config import TEMPLATES_DIR
from decentraal.io import assets
from decentraal.report import format as fmt
from decentraal.report.labels import STADSDEEL_NOTE, SYNTHETIC_NOTE

if TYPE_CHECKING:  # nbformat and nbconvert cost ~2 s to import: only the runner, not every kernel, needs them
    import nbformat

#: Parameters that are identifiers, shown without number formatting.
IDENTIFIERS = {"seed", "gemeente", "naam"}
HIDDEN_TAGS = {"injected-parameters", "parameters", "remove-cell"}
#: The licence line of the open data (printed too: the print stylesheet expands the sources).
ATTRIBUTION = ("De gegevens van CBS en Kadaster/PDOK zijn open data onder de licentie Creative Commons "
               "Naamsvermelding 4.0 (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/deed.nl); "
               "de bron van elk bestand staat hieronder.")
#: Shown in print instead of an interactive map (a frame cannot be printed; the static map is a figure).
PRINT_MAP_NOTE = ("Hier staat in de HTML-versie een interactieve kaart met de waarden per gebied als tabel. Op papier: "
                  "zie de figuur met dezelfde kaart op deze pagina; de waarden staan ook in de mappen tables/ en layers/ van de run.")


def header_html(params: Mapping[str, Any], *, sources: Iterable[Mapping[str, Any]], code_version: str,
                uses_stadsdelen: bool = False, synthetic: bool = False,
                run_date: dt.datetime | None = None, extra_notes: Iterable[str] = ()) -> str:
    """The block at the top of each report page: parameters, sources, run date and caveats.

    ``sources`` are rows ``{bestand, bron, jaar, sha256}`` (see
    :func:`decentraal.pipeline.session.sources`).
    """
    run_date = run_date or dt.datetime.now().astimezone()
    rows = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v) if k in IDENTIFIERS else _fmt(v))}</td></tr>"
        for k, v in params.items()
    )
    srcs = "".join(
        f"<li>{html.escape(s['bron'])} ({s['jaar']}); bestand <code>{html.escape(s['bestand'])}</code></li>" for s in sources
    )
    notes = list(extra_notes)
    if uses_stadsdelen:
        notes.append(STADSDEEL_NOTE)
    warn = f'<p class="synthetisch">{html.escape(SYNTHETIC_NOTE)}</p>' if synthetic else ""
    note_html = "".join(f"<p class='noot'>{html.escape(n)}</p>" for n in notes)
    return f"""<div class="kop">
<p class="rundatum">Gemaakt op {run_date.strftime('%d-%m-%Y %H:%M')} met decentraal {html.escape(code_version)}</p>
{warn}{note_html}
<details><summary>Gebruikte parameters</summary><table class="param">{rows}</table></details>
<details><summary>Databronnen (open data, CC BY 4.0)</summary><p>{html.escape(ATTRIBUTION)}</p><ul>{srcs}</ul></details>
</div>"""


def _fmt(value: Any) -> str:
    """A parameter value in Dutch notation (400.000; 0,333; 1,5)."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) and 1900 <= value <= 2100 or value == 0:
        return str(value)  # years, seeds of zero: no thousands separator
    if float(value).is_integer():
        return fmt.number(value)
    return format_decimal(float(value), format="#,##0.####", locale=fmt.LOCALE)


def _strip_for_committee(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove hidden cells and stderr/warning output from a copy of an executed notebook."""
    import nbformat

    nb = nbformat.from_dict(nb)
    cells = []
    for cell in nb.cells:
        if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        cells.append(cell)
    nb.cells = cells
    return nb


def committee_page(nb: nbformat.NotebookNode, *, title: str) -> str:
    """An executed notebook as a self-contained committee HTML page (text)."""
    from nbconvert import HTMLExporter

    nb = _strip_for_committee(nb)
    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR)]
    config.HTMLExporter.template_name = "committee"
    config.HTMLExporter.language_code = "nl"
    exporter = HTMLExporter(config=config)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return add_toc(accessible(body))


#: nbconvert makes every output and input area a tab stop (``tabindex="0"``) without a name or role.
_TAB_STOP = re.compile(r'(<div class="[^"]*\bjp-(?:OutputArea-output|Cell-inputWrapper)\b[^"]*"[^>]*?) tabindex="0"')
_FRAME = re.compile(r"<iframe\b")


def accessible(page: str) -> str:
    """Remove nbconvert's meaningless tab stops and put a print note before every interactive map frame.

    Only the top-level page is touched: map frames are ``<iframe srcdoc>`` whose markup is
    escaped inside the attribute, so neither pattern matches in it.
    """
    page = _TAB_STOP.sub(r"\1", page)
    note = f'<p class="alleen-print kaart-noot">{html.escape(PRINT_MAP_NOTE)}</p>'
    return _FRAME.sub(lambda m: note + m.group(0), page)


_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)


def add_toc(page: str) -> str:
    """Insert a table of contents (h2/h3 headings) after the first h1."""
    entries = []
    for level, anchor, inner in _HEADING.findall(page):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        entries.append(f'<li class="toc{level}"><a href="#{anchor}">{html.escape(text)}</a></li>')
    if not entries:
        return page
    toc = '<nav class="inhoud"><b>Inhoud</b><ul>' + "".join(entries) + "</ul></nav>"
    match = re.search(r"</h1>", page)
    return page[: match.end()] + toc + page[match.end():] if match else page


def index_html(pages: list[tuple[str, str, str]], *, title: str, params: Mapping[str, Any], run_id: str) -> str:
    """The run's ``index.html``: links to the report pages with one line each."""
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(name)}</a> — {html.escape(desc)}</li>' for href, name, desc in pages)
    css = assets.text("committee.css")
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title><style>{css}</style></head>
<body><main class="index"><h1>{html.escape(title)}</h1>
<p>Run <code>{html.escape(run_id)}</code>, gemeente {html.escape(str(params.get('gemeente')))}, niveau {html.escape(str(params.get('niveau')))}.</p>
<ol>{items}</ol>
<p>Tabellen (CSV en Excel), kaartlagen (GeoPackage voor QGIS) en figuren staan in de mappen <code>tables/</code>,
<code>layers/</code> en <code>figures/</code> naast deze map; <code>manifest.json</code> beschrijft de run.</p>
</main></body></html>"""
