"""Committee tables: Dutch headers with units, CBS signs, numbered captions and a source line.

A table is shown with :func:`table`, naming the columns to show; each column's Dutch label and
format come from :data:`decentraal.report.labels.COLUMNS`, so no notebook cell renames a column
or formats a number itself. The result is a :class:`Table` (IPython displays it through
``_repr_html_``; ``to_html()`` gives the same text):

* headers are Dutch, never ``snake_case`` (:func:`check_header` raises otherwise);
* text columns are left-aligned (class ``tekst``), number columns right-aligned (class
  ``getal``), decided from the column's format and, for text columns, from what they hold;
* a cell without a number shows the CBS sign: ``.`` unknown, ``x`` secret (hidden by disclosure
  control, from the frame's ``onderdrukt_kolommen``), with the "Verklaring van tekens" under the
  table when a sign occurs;
* ``caption="..."`` gives a numbered caption "Tabel N. ..." (:class:`Numbering`; one notebook
  kernel renders one page, so :data:`PAGE` numbers the tables of a page in order);
* a source line "Bron: ...; bewerking decentraal" from the sources of the columns shown
  (:data:`decentraal.report.labels.COLUMN_SOURCES`) unless ``source`` names it;
* nothing wider than the A4 text width: long text columns wrap (class ``lang``) and a table with
  many or wide columns is set in a smaller type (class ``klein``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from decentraal.report import format as fmt
from decentraal.report.labels import COLUMN_SOURCES, COLUMNS, DEFAULT_SOURCE, SOURCES, Column

#: Format kind -> function of one value.
FORMATS: dict[str, Callable[[object], str]] = {
    "text": lambda v: fmt.MISSING if v is None or (isinstance(v, float) and pd.isna(v)) else str(v),
    "int": lambda v: fmt.number(v, 0),
    "dec1": lambda v: fmt.number(v, 1),
    "dec2": lambda v: fmt.number(v, 2),
    "dec3": lambda v: fmt.number(v, 3),
    "share": lambda v: fmt.percent(v, 0),
    "pct": lambda v: fmt.MISSING if pd.isna(v) else fmt.number(v, 1) + "%",
    "eur": lambda v: fmt.euro(v, 0),
    "eur2": lambda v: fmt.euro(v, 2),
    "km": lambda v: fmt.number(v, 2),
    "hundreds": lambda v: fmt.number(fmt.rounded(v, 100), 0),
    "thousands_eur": lambda v: fmt.euro(fmt.rounded(v, 1000), 0),
}
#: A cell that reads as a number (or a range of numbers): right-aligned even in a text column.
_NUMERIC = re.compile(r"^[€\s]*[-+−]?\d[\d.,]*\s*(%|km|min)?(\s*(tot|\+|–|-)\s*[€\s]*[-+−]?\d[\d.,]*\s*(%|km|min)?)?$")
#: A header that still looks like code.
_SNAKE = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")
#: Estimated characters that fit the A4 text width at the normal table type; wider tables are set smaller.
A4_CHARACTERS = 110
#: A text column whose cells are longer than this wraps (class ``lang``) and counts this wide.
WRAP_AT = 28
#: The column of a disclosure-controlled frame that names the hidden columns per row.
HIDDEN_COLUMNS = "onderdrukt_kolommen"
#: Table styles every page needs; inlined once per table so a table looks the same in any page.
STYLE = (
    "<style>table.tabel th.tekst,table.tabel td.tekst{text-align:left}"
    "table.tabel th.getal,table.tabel td.getal{text-align:right}table.tabel td.getal{white-space:nowrap}"
    "table.tabel th,table.tabel td{word-break:normal;overflow-wrap:normal}"
    "table.tabel td.lang{min-width:8em;white-space:normal;overflow-wrap:break-word}"
    "table.tabel caption{caption-side:top;text-align:left;font-weight:bold;padding:4px 0}"
    "table.tabel.klein{font-size:11px}p.bron,p.tekens{font-size:12px;margin:2px 0 12px}"
    "@media print{table.tabel.klein{font-size:6.5pt}p.bron,p.tekens{font-size:7.5pt}}</style>"
)


@dataclass
class Numbering:
    """Table numbers of one page: ``next()`` gives 1, 2, 3, ..."""

    last: int = 0

    def next(self) -> int:
        self.last += 1
        return self.last


#: The table numbers of the page being rendered (a notebook kernel renders exactly one page).
PAGE = Numbering()


def caption_text(number: int, text: str) -> str:
    """'Tabel 3. Kosten per scenario' (pure: the caller says which number)."""
    return f"Tabel {number}. {text.strip().rstrip('.')}"


def source_line(keys: Iterable[str] = (), *, source: str | None = None) -> str:
    """'Bron: CBS (KWB 2024), Kadaster/PDOK (Wijk- en Buurtkaart); bewerking decentraal'."""
    if source:
        return source if source.startswith("Bron:") else f"Bron: {source}"
    named = [SOURCES[k] for k in dict.fromkeys(keys) if k in SOURCES]
    return "Bron: " + (", ".join(named) + "; " if named else "") + DEFAULT_SOURCE


def check_header(label: str) -> str:
    """Refuse a header that still looks like code (``fijnste_niveau``): every column needs a Dutch label."""
    if _SNAKE.search(str(label)):
        raise ValueError(f"table header {label!r} looks like a code name; give it a Dutch label in "
                         "decentraal.report.labels.COLUMNS (or the labels= of the table)")
    return str(label)


def column(key: str) -> Column:
    """The registered label and format of a column (KeyError names the registry to extend)."""
    try:
        return COLUMNS[key]
    except KeyError:
        raise KeyError(f"column {key!r} has no label; add it to decentraal.report.labels.COLUMNS") from None


@dataclass
class Table:
    """A committee table, ready to show: formatted cells, alignment, caption, source line and CBS signs."""

    headers: list[str]
    cells: list[list[str]]
    aligns: list[str]
    caption: str | None = None
    source: str | None = None
    symbols: set[str] = field(default_factory=set)

    @property
    def wraps(self) -> list[bool]:
        return [a == "tekst" and any(len(row[i]) > WRAP_AT for row in self.cells) for i, a in enumerate(self.aligns)]

    @property
    def width(self) -> int:
        """Estimated width in characters: numbers on one line, headers wrap at words, long text wraps."""
        total = 0
        for i, header in enumerate(self.headers):
            words = max((len(w) for w in header.split()), default=0)
            longest = max((len(row[i]) for row in self.cells), default=0)
            total += max(words, min(longest, WRAP_AT) if self.aligns[i] == "tekst" else longest) + 3
        return total

    @property
    def footnote(self) -> str:
        return fmt.cbs_footnote(self.symbols)

    def to_html(self) -> str:
        classes = "dataframe tabel" + (" klein" if self.width > A4_CHARACTERS else "")
        wraps = self.wraps
        head = "".join(f'<th scope="col" class="{a}">{html.escape(h)}</th>' for h, a in zip(self.headers, self.aligns))
        body = "".join(
            "<tr>" + "".join(
                f'<td class="{a}{" lang" if w else ""}">{html.escape(c)}</td>' for c, a, w in zip(row, self.aligns, wraps)
            ) + "</tr>"
            for row in self.cells
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        notes = f'<p class="bron">{html.escape(self.source)}</p>' if self.source else ""
        if self.footnote:
            notes += f'<p class="tekens">{html.escape(self.footnote)}</p>'
        return (f'<div class="tabel-blok">{STYLE}<table class="{classes}">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>{notes}</div>")

    def _repr_html_(self) -> str:
        return self.to_html()


def _hidden(frame: pd.DataFrame) -> list[set[str]]:
    if HIDDEN_COLUMNS not in frame:
        return [set()] * len(frame)
    return [{c.strip() for c in str(v).split(",") if c.strip()} if isinstance(v, str) else set() for v in frame[HIDDEN_COLUMNS]]


def _align(kind: str, cells: Sequence[str]) -> str:
    if kind != "text":
        return "getal"
    shown = [c for c in cells if c not in fmt.CBS_SYMBOLS and c != fmt.MISSING]
    if not shown:  # only CBS signs: they stand where the numbers would
        return "getal" if cells else "tekst"
    return "getal" if all(_NUMERIC.match(c) for c in shown) else "tekst"


def _caption(caption: str | None, number: int | None, numbering: Numbering | None) -> str | None:
    if not caption:
        return None
    return caption_text(number if number is not None else (numbering or PAGE).next(), caption)


def table(frame: pd.DataFrame, columns: Sequence[str], *, labels: Mapping[str, str] | None = None,
          caption: str | None = None, number: int | None = None, numbering: Numbering | None = None,
          source: str | None = None) -> Table:
    """A Dutch committee table of ``columns`` of ``frame``: labelled, formatted, no index.

    ``labels`` may override the registered label of a column for this table only (e.g. a label
    that names a parameter value such as the coverage radius). ``caption`` adds "Tabel N. ..."
    (``number`` given, else the next of ``numbering``, else of :data:`PAGE`); ``source`` replaces
    the source line made from the columns' sources.
    """
    labels = dict(labels or {})
    headers = [check_header(labels.get(c, column(c).label)) for c in columns]
    hidden = _hidden(frame)
    symbols: set[str] = set()
    cells: list[list[str]] = [[] for _ in range(len(frame))]
    aligns = []
    for c in columns:
        kind, values = column(c).kind, frame[c].tolist()
        shown = []
        for i, value in enumerate(values):
            sign = fmt.cbs_symbol(value, secret=c in hidden[i])
            if sign is None and kind == "text" and str(value) == fmt.MISSING:
                sign = "."
            text = sign if sign is not None else FORMATS[kind](value)
            if sign is None and text == fmt.MISSING:
                text, sign = ".", "."
            if sign:
                symbols.add(sign)
            shown.append(text)
        aligns.append(_align(kind, shown))
        for row, text in zip(cells, shown):
            row.append(text)
    sources = [k for c in columns for k in COLUMN_SOURCES.get(c, ())]
    if not sources and not source and "bron" in columns:
        source = f"Bron: zie de kolom '{headers[list(columns).index('bron')]}'; bewerking decentraal"
    return Table(headers, cells, aligns, _caption(caption, number, numbering), source_line(sources, source=source), symbols)


def plain(frame: pd.DataFrame, *, caption: str | None = None, number: int | None = None,
          numbering: Numbering | None = None, source: str | None = None) -> Table:
    """A table whose columns are already Dutch and whose cells are already formatted (no index).

    Columns that hold numbers (or ranges of numbers) are right-aligned, the others left; an en
    dash or an empty cell becomes the CBS sign ``.``.
    """
    headers = [check_header(h) for h in frame.columns]
    symbols: set[str] = set()
    columns = []
    for c in frame.columns:
        shown = []
        for value in frame[c].tolist():
            sign = fmt.cbs_symbol(value)
            text = sign if sign is not None else str(value)
            if text in (fmt.MISSING, ""):
                text = "."
            if text == ".":
                symbols.add(".")
            shown.append(text)
        columns.append(shown)
    aligns = [_align("text", col) for col in columns]
    cells = [list(row) for row in zip(*columns)] if columns else []
    return Table(headers, cells, aligns, _caption(caption, number, numbering), source_line(source=source) if source else
                 source_line(), symbols)
