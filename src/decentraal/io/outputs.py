"""What a run writes: tables, figures, layers and pages, with disclosure control enforced.

The runner passes the run folder as the notebook parameter ``uitvoer_map``; a notebook opened
by hand (empty ``uitvoer_map``) writes to ``outputs/_interactief/`` instead, which is never
taken for a run. Every write is atomic (see :mod:`decentraal.io.files`).

Disclosure control is enforced here, where tables and layers reach the disk: a column of
people counts (``inwoners*``, ``huishoudens*``, and any column named in ``counts=``) holding a
value below the threshold makes the write fail with a message naming the table, the column and
the rows. No caller can forget it.
"""

from __future__ import annotations

import base64
import math
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from decentraal.config import OUTPUTS_DIR
from decentraal.errors import DataError
from decentraal.io import files

SUBDIRS = ("notebooks", "report", "tables", "layers", "figures")
#: Folder of the chapters' parts of ``kerncijfers.json`` (merged by :mod:`decentraal.io.summary`).
SUMMARY_DIR = "kerncijfers"
#: Columns that count people (or households) and are checked against the threshold.
PEOPLE_COUNT = re.compile(r"^(inwoners|huishoudens)(_|$)")


#: Attribute of a Figure with its ``{"alt", "caption", "source"}`` (set by ``decentraal.report.figures.describe``).
FIGURE_TEXT = "decentraal_tekst"
#: Resolution at which figures are shown on screen (the PNG is saved at a higher one for print).
DISPLAY_DPI = 100


class ShownFigure:
    """A saved figure as a notebook output: the PNG with its alt text and numbered caption in the metadata.

    The committee template (``templates/committee``) writes ``<figure><img alt=...><figcaption>``
    from ``metadata["image/png"]``: ``alt``, ``caption`` ("Figuur 2. ...") and ``source``.
    """

    def __init__(self, figure: Figure, png: bytes, *, number: int, alt: str, caption: str, source: str, scale: float = 1.0):
        self.figure = figure
        self.png = png
        self.number = number
        self.alt = alt
        self.caption = f"Figuur {number}. {caption}"
        self.source = source
        width, height = struct.unpack(">II", png[16:24])  # the PNG header (IHDR)
        self.size = (max(1, round(width * scale)), max(1, round(height * scale)))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": f"{self.caption}\n{self.alt}"}
        meta = {"image/png": {"alt": self.alt, "caption": self.caption, "source": self.source,
                              "width": self.size[0], "height": self.size[1]}}
        return data, meta

    def __repr__(self) -> str:
        return f"<{self.caption}>"


def _text_from_titles(fig: Figure) -> dict[str, str]:
    """A description from the figure's own titles, for a figure without one (better than no alt text)."""
    titles = [" ".join(t.split()) for t in [fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)] if t.strip()]
    text = "; ".join(titles) or "figuur zonder titel"
    return {"alt": f"Figuur: {text}.", "caption": text, "source": "Bron: bewerking decentraal"}


class DisclosureError(DataError):
    """A table or layer about to be written would show a count below the disclosure threshold."""


def check_disclosure(frame: pd.DataFrame, name: str, threshold: int, counts: Sequence[str] = ()) -> None:
    """Raise :class:`DisclosureError` if a people count below ``threshold`` would be written.

    Names the table, each offending column and up to ten rows (by ``code`` or ``naam`` when
    the table has one). Missing values (suppressed cells) are fine.
    """
    columns = [c for c in frame.columns if PEOPLE_COUNT.match(str(c)) or c in counts]
    problems = []
    for col in columns:
        values = pd.to_numeric(frame[col], errors="coerce")
        small = values.notna() & (values < threshold)
        if small.any():
            key = next((k for k in ("code", "naam", "gebied", "site") if k in frame.columns), None)
            rows = (frame.loc[small, key] if key else frame.index[small]).astype(str).tolist()
            more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
            problems.append(f"column {col!r} in row(s) {', '.join(rows[:10])}{more}")
    if problems:
        raise DisclosureError(
            f"table {name!r} would show counts below the disclosure threshold {threshold}: "
            + "; ".join(problems)
            + ". Apply decentraal.methods.disclosure.suppress() in the pipeline before writing it."
        )


@dataclass(frozen=True)
class RunOutputs:
    """The output folders of one run, and the disclosure threshold every write is checked against."""

    root: Path
    threshold: int
    #: Names of the figures shown so far (their count numbers the captions of this page).
    _figures: list[str] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def open(cls, uitvoer_map: str = "", *, threshold: int) -> RunOutputs:
        """Use the run folder given by the runner, or ``outputs/_interactief`` when empty."""
        root = Path(uitvoer_map) if uitvoer_map else OUTPUTS_DIR / "_interactief"
        for sub in SUBDIRS:
            (root / sub).mkdir(parents=True, exist_ok=True)
        return cls(root, int(threshold))

    def table(self, frame: pd.DataFrame, name: str, *, counts: Sequence[str] = ()) -> Path:
        """Write ``tables/<name>.csv`` (geometry dropped) after the disclosure check."""
        out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
        check_disclosure(out, name, self.threshold, counts)
        return files.write_table(out, self.root / "tables" / f"{name}.csv")

    def layer(self, gdf: gpd.GeoDataFrame, name: str, *, counts: Sequence[str] = ()) -> Path:
        """Write ``layers/<name>.gpkg`` (one layer named ``name``) for QGIS, after the disclosure check."""
        check_disclosure(pd.DataFrame(gdf.drop(columns="geometry", errors="ignore")), name, self.threshold, counts)
        return files.write_layers({name: gdf}, self.root / "layers" / f"{name}.gpkg")

    def figure(self, fig: Figure, name: str, *, dpi: int = 150) -> ShownFigure:
        """Write ``figures/<name>.png`` and return it numbered for this page, so a cell can show it.

        The alt text, caption and source line come from the figure (attached by
        :func:`decentraal.report.figures.describe`; without one they are made from its titles).
        The same PNG is shown, at the size a 100-dpi render would have, so the figure is drawn once.
        """
        target = self.root / "figures" / f"{name}.png"
        with files.atomic_path(target) as tmp:
            fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png")
        png = target.read_bytes()
        text = getattr(fig, FIGURE_TEXT, None) or _text_from_titles(fig)
        self._figures.append(name)
        return ShownFigure(fig, png, number=len(self._figures), alt=text["alt"], caption=text["caption"],
                           source=text.get("source", ""), scale=DISPLAY_DPI / dpi)

    def summary(self, obj: dict[str, Any], chapter: str) -> Path:
        """Write this chapter's part of ``kerncijfers.json`` to ``kerncijfers/<chapter>.json`` (atomically).

        ``obj`` must hold plain JSON values (dict, list, str, int, float, bool, None); numpy
        numbers are converted, and a NaN or infinite number is refused (JSON has none: write
        ``None`` where a value does not exist). The runner merges the parts.
        """
        if not re.fullmatch(r"[0-9]{2}", str(chapter)):
            raise DataError(f"summary chapter {chapter!r}: give the two-digit chapter number, e.g. '03'")
        return files.write_json(_plain(obj, chapter), self.root / SUMMARY_DIR / f"{chapter}.json")


def _plain(value: Any, where: str) -> Any:
    """``value`` as plain JSON types; raises :class:`DataError` naming the path of a non-JSON value."""
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{where}/{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{where}/{i}") for i, v in enumerate(value)]
    if value is None or isinstance(value, (str, bool)):
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DataError(f"kerncijfers part {where}: {value} is not a JSON number; write None where there is no value")
        return value
    raise DataError(f"kerncijfers part {where}: {type(value).__name__} is not a JSON value")
