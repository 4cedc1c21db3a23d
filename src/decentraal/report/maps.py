"""Maps for the reports: static choropleths (print) and offline interactive Leaflet maps.

Conventions every map follows (issue 12, "Figures and maps"):

- **One barrier direction.** Sequential palettes from light to dark, and darker always means
  more potential barrier: for an indicator where a *low* value is the barrier (income, health,
  cars) the palette is reversed (``reverse=True``) and the legend says so. Palettes are
  ColorBrewer sequential (lightness changes monotonically, so they survive colour-blindness),
  started at :data:`PALETTE_START` so the lightest class stands out from the white page; area
  edges are grey for the same reason. Categories (catchments) use the Okabe-Ito set.
- **Shared classes when maps are compared.** :func:`class_scheme` makes a
  :class:`ClassScheme` (mapclassify bins rounded to two significant digits); pass the same
  scheme to every map of a comparison so equal colours mean equal values.
- **Few residents muted.** Areas with fewer than :data:`MIN_RESIDENTS` inhabitants are drawn
  hatched grey instead of in a class colour, and the legend says so: a share of 20 people is
  not comparable with one of 5,000.
- **Orientation.** Static maps get area names (up to :data:`LABEL_MAX_AREAS` areas, white halo,
  overlapping names left out), a scale bar (:mod:`matplotlib_scalebar`; layers are in EPSG:28992,
  metres) and a north arrow; legends are at least 8 pt with units in their title.
- **Interactive maps** are built with folium, then made self-contained and accessible: the
  Leaflet script and stylesheet are inlined from the vendored copy in ``static/`` and folium's
  other CDN resources removed, so a report makes no request to an external host (web tiles
  only when the caller asks for a basemap); the frame document has ``lang="nl"``, a title and a
  zoomable viewport; controls and attribution are Dutch; every area path is named with its values
  (``aria-label``), and :func:`interactive_choropleth` puts the same values in a table under the
  map (:func:`values_table`) so they are readable without the map.
"""

from __future__ import annotations

import html
import json
import math
import re
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from jinja2 import Template
from matplotlib import colormaps
from matplotlib import patheffects as pe
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar
from shapely.geometry import Point

from decentraal.io import assets
from decentraal.report import format as fmt
from decentraal.report.format import legend_number, number

#: Areas with fewer inhabitants than this are muted (hatched grey): their shares rest on a
#: handful of people (Zandvoort's Buitengebied has 20 inhabitants) and would dominate the map.
MIN_RESIDENTS = 100
#: Fill of an area without a value (unknown or suppressed by disclosure control).
MISSING_COLOUR = "#d9d9d9"
#: Fill and hatch of an area with fewer than :data:`MIN_RESIDENTS` inhabitants.
MUTED_COLOUR, MUTED_HATCH, MUTED_HATCH_COLOUR = "#ffffff", "////", "#8c8c8c"
#: Area edges: grey, so the lightest class is still outlined against the white page.
EDGE_COLOUR = "#767676"
#: Palette for barrier maps (darker = more potential barrier) and for counts (population).
BARRIER_CMAP, COUNT_CMAP = "OrRd", "Blues"
#: Where on the colormap (0..1) the lightest and darkest class sit: not white, not black.
PALETTE_START, PALETTE_END = 0.22, 0.95
#: Okabe-Ito qualitative colours (without black, which marks the counters), safe for colour-blindness.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
#: Maps with at most this many areas get the area names (wijken, stadsdelen); buurt maps do not.
LABEL_MAX_AREAS = 40
#: Smallest text on a map (points): names, legend, scale bar.
LABEL_SIZE, LEGEND_SIZE = 7.5, 8.0
#: Legend line saying which way the colours point.
DARKER_IS_BARRIER = "donkerder = meer mogelijke belemmering"
#: Source line shown in the interactive maps' attribution.
ATTRIBUTION = "Bron: CBS, Kadaster/PDOK"
BASEMAP_TILES = "OpenStreetMap"

#: LISA quadrant -> (label when a high value is the barrier, label when a low value is).
_CLUSTER_LABELS = {
    "Hoog-Hoog": ("Cluster veel belemmering", "Cluster weinig belemmering"),
    "Laag-Laag": ("Cluster weinig belemmering", "Cluster veel belemmering"),
    "Hoog-Laag": ("Uitschieter: veel belemmering, buren weinig", "Uitschieter: weinig belemmering, buren veel"),
    "Laag-Hoog": ("Uitschieter: weinig belemmering, buren veel", "Uitschieter: veel belemmering, buren weinig"),
}
#: Hot-spot map colours by barrier meaning (red = more barrier, blue = less; ColorBrewer RdBu).
CLUSTER_COLOURS = {
    "Cluster veel belemmering": "#b2182b",
    "Uitschieter: veel belemmering, buren weinig": "#ef8a62",
    "Cluster weinig belemmering": "#2166ac",
    "Uitschieter: weinig belemmering, buren veel": "#67a9cf",
    "Niet significant": "#f7f7f7",
    "Geen gegevens": "#bdbdbd",
    "Geen buren": "#bdbdbd",
}


# --------------------------------------------------------------------------- classes
@dataclass(frozen=True)
class ClassScheme:
    """Class limits of a choropleth, to share between maps that are compared.

    ``bins`` are the upper limits (the last is the largest value the scheme was made from),
    ``minimum`` the smallest value; a value belongs to the first class whose upper limit it
    does not exceed (values outside the range go to the nearest end class).
    """

    bins: tuple[float, ...]
    minimum: float
    scheme: str

    @property
    def k(self) -> int:
        return len(self.bins)

    @property
    def labels(self) -> list[str]:
        """Legend labels, e.g. ``"0,5 tot 0,85"``, lowest class first."""
        if self.k == 1 and _bound(self.minimum) == _bound(self.bins[0]):
            return [_bound(self.bins[0])]
        lower = [self.minimum, *self.bins[:-1]]
        for digits in (2, 3, 4):  # more digits only when two limits would print the same
            labels = [(_bound(lo, digits), _bound(hi, digits)) for lo, hi in zip(lower, self.bins)]
            if all(lo != hi for lo, hi in labels):
                break
        return [f"{lo} tot {hi}" for lo, hi in labels]

    def assign(self, values: pd.Series) -> pd.Series:
        """Class index per value (0 = lowest); missing values stay NaN."""
        arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        idx = np.searchsorted(np.asarray(self.bins), arr, side="left").astype(float)
        idx = np.minimum(idx, self.k - 1)
        idx[np.isnan(arr)] = np.nan
        return pd.Series(idx, index=values.index)


def _bound(value: float, digits: int = 2) -> str:
    """A class limit with ``digits`` significant digits, Dutch style: 0,73 / 1,1 / 26 / 15.000."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else fmt.MISSING
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
    return number(fmt.significant(value, digits), decimals)


def _round_up(value: float, digits: int) -> float:
    """``value`` rounded up to ``digits`` significant digits (an upper class limit may move up, not down)."""
    if value == 0 or not math.isfinite(value):
        return value
    factor = 10.0 ** (digits - 1 - math.floor(math.log10(abs(value))))
    return round(math.ceil(value * factor - 1e-9) / factor, 12)


def class_scheme(values: pd.Series | Sequence[pd.Series], *, scheme: str = "FisherJenks", k: int = 5) -> ClassScheme:
    """Class limits from mapclassify on ``values`` (several series: their union, for shared classes).

    ``k`` is reduced when there are few distinct values; the inner limits are rounded to two
    significant digits (more where two would move an area to another class) so legends read
    "0,5 tot 0,85" rather than "0,485 - 0,852".
    """
    if not isinstance(values, pd.Series):
        values = pd.concat(list(values), ignore_index=True)
    known = pd.to_numeric(values, errors="coerce").dropna()
    if known.empty:
        return ClassScheme((), float("nan"), scheme)
    distinct = known.nunique()
    k = max(1, min(k, distinct - 1 if distinct > 2 else distinct))  # no one-value classes for few areas
    if k < 2:
        return ClassScheme((float(known.max()),), float(known.min()), scheme)
    with warnings.catch_warnings():
        # FisherJenks without numba is exact and fast enough for a few hundred areas
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        classifier = mapclassify.classify(known.to_numpy(), scheme=scheme, k=k)
    top, data = float(known.max()), known.to_numpy(dtype=float)
    exact = np.searchsorted(classifier.bins, data, side="left")
    for digits in (2, 3, 4, 6):  # the fewest digits that keep every area in its class
        for rounding in (fmt.significant, _round_up):
            inner = tuple(sorted({rounding(float(b), digits) for b in classifier.bins[:-1]}))
            if len(inner) == len(classifier.bins) - 1 and all(known.min() <= b < top for b in inner) and \
                    (np.searchsorted((*inner, top), data, side="left") == exact).all():
                return ClassScheme((*inner, top), float(known.min()), scheme)
    return ClassScheme(tuple(float(b) for b in classifier.bins[:-1]) + (top,), float(known.min()), scheme)


def classify(values: pd.Series, *, scheme: str = "FisherJenks", k: int = 5) -> tuple[pd.Series, list[str]]:
    """Class index per area (NaN stays NaN) and the legend labels, from :func:`class_scheme`."""
    cs = class_scheme(values, scheme=scheme, k=k)
    if cs.k == 0:
        return pd.Series(np.nan, index=values.index), []
    return cs.assign(values), cs.labels


def palette(n: int, cmap: str = BARRIER_CMAP, *, reverse: bool = False) -> list[str]:
    """``n`` colours from light to dark (dark to light when ``reverse``), between PALETTE_START and PALETTE_END."""
    if n <= 0:
        return []
    spots = [PALETTE_END] if n == 1 else list(np.linspace(PALETTE_START, PALETTE_END, n))
    colours = [to_hex(colormaps[cmap](float(x))) for x in spots]
    return colours[::-1] if reverse else colours


def scheme_label(scheme: str) -> str:
    """Dutch name of a mapclassify scheme for legends."""
    return {
        "NaturalBreaks": "natuurlijke grenzen",
        "Quantiles": "kwantielen",
        "EqualInterval": "gelijke intervallen",
        "FisherJenks": "natuurlijke grenzen",
    }.get(scheme, scheme)


def few_residents(gdf: gpd.GeoDataFrame | pd.DataFrame, residents: str | None = "inwoners",
                  min_residents: int = MIN_RESIDENTS) -> pd.Series:
    """True for areas with fewer than ``min_residents`` inhabitants (False when the column is absent)."""
    if residents is None or residents not in gdf:
        return pd.Series(False, index=gdf.index)
    counts = pd.to_numeric(gdf[residents], errors="coerce")
    return (counts < min_residents).fillna(False).astype(bool)


def muted_label(min_residents: int = MIN_RESIDENTS) -> str:
    """Legend text of the muted areas."""
    return f"minder dan {number(min_residents)} inwoners (niet gekleurd)"


# --------------------------------------------------------------------------- drawing
def draw_polygons(ax: Axes, geoms: gpd.GeoSeries, facecolors: Sequence[str], *, edgecolor: str = EDGE_COLOUR,
                  linewidth: float = 0.4, hatch: str | None = None, zorder: float = 1, fit: bool = True) -> None:
    """Draw (multi)polygons as one PatchCollection.

    Equivalent to ``GeoDataFrame.plot(color=...)`` but without geopandas' redraw of the whole
    figure after every call, which made a page of small maps take seconds.
    """
    from matplotlib.collections import PatchCollection
    from shapely.plotting import patch_from_polygon

    patches, colours = [], []
    for geom, colour in zip(geoms, facecolors):
        if geom is None or geom.is_empty:
            continue
        patches.append(patch_from_polygon(geom))
        colours.append(colour)
    if not patches:
        return
    collection = PatchCollection(patches, facecolor=colours, edgecolor=edgecolor, linewidth=linewidth,
                                 match_original=False, zorder=zorder)
    if hatch:
        collection.set_hatch(hatch)
    ax.add_collection(collection)
    if not fit:
        return
    minx, miny, maxx, maxy = geoms.total_bounds
    pad = 0.02 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")


def draw_muted(ax: Axes, geoms: gpd.GeoSeries) -> None:
    """Hatched grey areas (few residents) on top of whatever was drawn."""
    if len(geoms):
        from matplotlib import rcParams
        old = rcParams["hatch.color"]
        rcParams["hatch.color"] = MUTED_HATCH_COLOUR  # PatchCollection takes the hatch colour from rcParams
        try:
            draw_polygons(ax, geoms, [MUTED_COLOUR] * len(geoms), hatch=MUTED_HATCH, zorder=1.5, fit=False)
        finally:
            rcParams["hatch.color"] = old


def muted_handle(min_residents: int = MIN_RESIDENTS) -> Patch:
    return Patch(facecolor=MUTED_COLOUR, edgecolor=MUTED_HATCH_COLOUR, hatch=MUTED_HATCH, label=muted_label(min_residents))


def add_map_furniture(ax: Axes, crs: object | None) -> None:
    """Scale bar (when the CRS is in metres) and a north arrow; layers are in EPSG:28992 (RD New).

    RD New's grid north lies within about a degree of true north around Haarlem, so the arrow
    points straight up.
    """
    if crs is not None and getattr(crs, "is_projected", False) and _metres(crs):
        bar = ScaleBar(1, units="m", dimension="si-length", location="lower right", length_fraction=0.22,
                       font_properties={"size": LEGEND_SIZE}, box_alpha=0.75, border_pad=0.4, scale_loc="top")
        bar.set_gid("schaalbalk")
        ax.add_artist(bar)
    arrow = ax.annotate("N", xy=(0.05, 0.98), xytext=(0.05, 0.88), xycoords="axes fraction", textcoords="axes fraction",
                        ha="center", va="center", fontsize=9, fontweight="bold",
                        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 2, "headwidth": 7, "headlength": 7})
    arrow.set_gid("noordpijl")


def _metres(crs: object) -> bool:
    try:
        return all(axis.unit_name in ("metre", "meter") for axis in crs.axis_info)  # type: ignore[attr-defined]
    except AttributeError:
        return False


#: Dutch place-name endings where a long name may be hyphenated on a map ("Zijlweg-/kwartier").
_NAME_ENDINGS = ("kwartier", "wijk", "buurt", "polder", "straat", "park", "dorp", "plein", "laan")


def _name_variants(name: str) -> list[str]:
    """The name wrapped at spaces, then with its longest word hyphenated before a common ending."""
    variants = [_wrap(name)]
    for ending in _NAME_ENDINGS:
        words = name.split(" ")
        for i, word in enumerate(words):
            if word.lower().endswith(ending) and len(word) > len(ending) + 2:
                split = words[:i] + [word[: -len(ending)] + "-\n" + word[-len(ending):]] + words[i + 1:]
                variants.append(" ".join(split).replace("-\n ", "-\n"))
                return variants
    return variants


def _wrap(name: str, width: int = 14) -> str:
    return "\n".join(textwrap.wrap(str(name), width=width, break_long_words=False)) or str(name)


#: Where to try a name, in label widths and heights from the area's inner point, nearest first.
_LABEL_OFFSETS = sorted(((dx, dy) for dx in (0, 0.25, -0.25, 0.5, -0.5) for dy in (0, 0.8, -0.8, 1.4, -1.4, 2.0, -2.0)),
                        key=lambda o: (o[0] ** 2 + (o[1] / 2) ** 2, o))


def label_areas(ax: Axes, gdf: gpd.GeoDataFrame, column: str = "naam", *, size: float = LABEL_SIZE,
                avoid: gpd.GeoSeries | None = None) -> list[str]:
    """Write each area's name at a point inside it, with a white halo; largest areas first.

    A name that would overlap a name already placed (or a point in ``avoid``, e.g. the counters)
    is moved up, down or sideways within its area; if no spot is free it is left out (the table
    next to the map has every name). Returns the names that were left out.
    """
    fig = ax.figure
    ax.apply_aspect()  # positions in display space are only final once the equal aspect is applied
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    to_display = ax.transData.transform
    inverse = ax.transData.inverted().transform
    placed: list[object] = []
    points: list[object] = []
    if avoid is not None:
        from matplotlib.transforms import Bbox
        for x, y in zip(avoid.x, avoid.y):
            px, py = to_display((x, y))
            points.append(Bbox.from_extents(px - 6, py - 6, px + 6, py + 6))
    skipped: list[str] = []
    order = gdf.geometry.area.sort_values(ascending=False).index
    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    for idx in order:
        geom, name = gdf.geometry.loc[idx], gdf.loc[idx, column]
        if geom is None or geom.is_empty or pd.isna(name):
            continue
        point, area = geom.representative_point(), geom.buffer(0)
        cx, cy = to_display((point.x, point.y))
        text = ax.text(point.x, point.y, "", fontsize=size, ha="center", va="center", color="#1a1a1a",
                       path_effects=halo, zorder=4, linespacing=0.95)
        text.set_gid("gebiedsnaam")
        spot = None
        # first clear of names and points; else clear of names only (a name over a dot beats no name)
        for obstacles in (placed + points, placed):
            for variant in _name_variants(str(name)):
                text.set_text(variant)
                box = text.get_window_extent(renderer=renderer)
                for dx, dy in _LABEL_OFFSETS:
                    shifted = box.translated(dx * box.width, dy * box.height).expanded(1.08, 1.15)
                    x, y = inverse((cx + dx * box.width, cy + dy * box.height))
                    if not any(shifted.overlaps(other) for other in obstacles) and area.contains(Point(x, y)):
                        spot = (x, y, shifted)
                        break
                if spot is not None:
                    break
            if spot is not None:
                break
        if spot is None:
            text.remove()
            skipped.append(str(name))
            continue
        text.set_position(spot[:2])
        placed.append(spot[2])
    return skipped


def _legend(ax: Axes, handles: list, title: str) -> None:
    ax.legend(handles=handles, title=title, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=LEGEND_SIZE,
              title_fontsize=LEGEND_SIZE + 0.5, frameon=False, alignment="left", handlelength=1.6, handleheight=1.1)


def static_choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    title: str,
    legend_title: str | None = None,
    scheme: str = "FisherJenks",
    k: int = 5,
    classes: ClassScheme | None = None,
    cmap: str = BARRIER_CMAP,
    reverse: bool = False,
    barrier: bool = True,
    points: gpd.GeoDataFrame | None = None,
    point_label: str = "bestaand loket",
    labels: bool | None = None,
    label_column: str = "naam",
    residents: str | None = "inwoners",
    min_residents: int = MIN_RESIDENTS,
    legend: str | None = "used",
    ax: Axes | None = None,
) -> Figure:
    """Static choropleth: classes, names, scale bar, north arrow and a legend with units.

    Parameters
    ----------
    legend_title
        Legend heading with the unit, e.g. ``"Afstand (km)"``; the class scheme is added below.
    classes
        A shared :class:`ClassScheme` (from :func:`class_scheme` on all compared columns); by
        default one is made from ``column`` with ``scheme`` and ``k``.
    reverse, barrier
        ``barrier`` maps add the line "darker = more potential barrier"; ``reverse`` when a low
        value is the barrier (the palette then runs dark to light).
    labels
        Area names on the map; by default when the layer has at most :data:`LABEL_MAX_AREAS` areas.
    residents
        Column with inhabitants; areas under ``min_residents`` are muted. ``None`` for maps of
        the counts themselves.
    legend
        ``"used"``: only classes that occur on this map; ``"all"``: every class of the scheme (the
        legend shared by compared maps); ``None``: no legend.
    """
    muted = few_residents(gdf, residents, min_residents)
    cs = classes if classes is not None else class_scheme(gdf.loc[~muted, column], scheme=scheme, k=k)
    cls = cs.assign(gdf[column]) if cs.k else pd.Series(np.nan, index=gdf.index)
    colours = palette(cs.k, cmap, reverse=reverse)
    face = [colours[int(c)] if not np.isnan(c) else MISSING_COLOUR for c in cls]
    if ax is None:
        fig = Figure(figsize=(7.5, 6.5))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    draw_polygons(ax, gdf.geometry, face)
    draw_muted(ax, gdf.geometry[muted])
    if (labels if labels is not None else len(gdf) <= LABEL_MAX_AREAS) and label_column in gdf:
        label_areas(ax, gdf, label_column, avoid=points.geometry if points is not None and not points.empty else None)
    if points is not None and not points.empty:
        ax.scatter(points.geometry.x, points.geometry.y, color="black", edgecolors="white", linewidths=0.7, s=130,
                   marker="*", zorder=5)
    add_map_furniture(ax, gdf.crs)
    if legend is not None:
        used = None if legend == "all" else set(cls[~muted].dropna().astype(int))
        class_legend(ax, cs, title=legend_title or title, cmap=cmap, reverse=reverse, barrier=barrier, used=used,
                     missing=bool((cls.isna() & ~muted).any()), muted=min_residents if muted.any() else None,
                     point_label=point_label if points is not None and not points.empty else None)
    ax.set_title(_wrap(title, 44), fontsize=10.5, loc="left")
    ax.set_axis_off()
    return fig


def class_legend(target: Axes | Figure, classes: ClassScheme, *, title: str, cmap: str = BARRIER_CMAP,
                 reverse: bool = False, barrier: bool = True, used: set[int] | None = None, missing: bool = False,
                 muted: int | None = None, point_label: str | None = None, **kwargs: object) -> None:
    """The legend of a choropleth: darkest class on top, units in the title, 8 pt or more.

    ``target`` is the map's axes (legend to its right) or a figure (``kwargs`` place it, e.g. one
    legend under two maps that share ``classes``). ``used`` limits the classes shown to those
    on the map (no empty classes); ``muted`` is the residents threshold when areas were muted.
    """
    colours = palette(classes.k, cmap, reverse=reverse)
    entries = [(colours[i], lab) for i, lab in enumerate(classes.labels) if used is None or i in used]
    entries = entries if reverse else entries[::-1]
    handles: list = [Patch(facecolor=c, edgecolor=EDGE_COLOUR, label=lab) for c, lab in entries]
    if missing:
        handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor=EDGE_COLOUR, label="onbekend of afgeschermd"))
    if muted is not None:
        handles.append(muted_handle(muted))
    if point_label:
        handles.append(Line2D([], [], color="black", marker="*", linestyle="", markersize=11, label=point_label))
    note = f"klassen: {scheme_label(classes.scheme)}" + (f"\n{DARKER_IS_BARRIER}" if barrier else "")
    heading = "\n".join([_wrap(title, 34), _wrap(note.split("\n")[0], 34), *(_wrap(x, 30) for x in note.split("\n")[1:])])
    if isinstance(target, Figure):
        target.legend(handles=handles, title=heading, fontsize=LEGEND_SIZE, title_fontsize=LEGEND_SIZE + 0.5,
                      frameon=False, alignment="left", handlelength=1.6, handleheight=1.1, **kwargs)  # type: ignore[arg-type]
    else:
        _legend(target, handles, heading)


def catchment_map(gdf: gpd.GeoDataFrame, column: str, *, districts: gpd.GeoDataFrame, points: gpd.GeoDataFrame,
                  title: str, legend_title: str = "Dichtstbijzijnde loket", ax: Axes | None = None) -> Figure:
    """Areas coloured by a category (e.g. the counter they are nearest to; Okabe-Ito), district outlines on top."""
    categories = sorted(gdf[column].dropna().unique())
    colours = OKABE_ITO * (len(categories) // len(OKABE_ITO) + 1)
    by_category = dict(zip(categories, colours))
    if ax is None:
        fig = Figure(figsize=(7.5, 6.5))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    draw_polygons(ax, gdf.geometry, [by_category.get(v, MISSING_COLOUR) for v in gdf[column]], edgecolor="white",
                  linewidth=0.25)
    for geom in districts.geometry.boundary:
        for line in getattr(geom, "geoms", [geom]):
            ax.plot(*line.xy, color="black", linewidth=1.2)
    ax.scatter(points.geometry.x, points.geometry.y, color="black", edgecolors="white", linewidths=0.7, s=130,
               marker="*", zorder=5)
    add_map_furniture(ax, gdf.crs)
    handles = [Patch(facecolor=by_category[c], edgecolor=EDGE_COLOUR, label=_wrap(c, 32)) for c in categories]
    if gdf[column].isna().any():
        handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor=EDGE_COLOUR, label="onbekend of afgeschermd"))
    handles.append(Line2D([], [], color="black", marker="*", linestyle="", markersize=11, label="loket"))
    _legend(ax, handles, legend_title)
    ax.set_title(title, fontsize=10.5, loc="left")
    ax.set_axis_off()
    return fig


def barrier_clusters(quadrant: pd.Series, direction: str) -> pd.Series:
    """LISA quadrants ("Hoog-Hoog", ...) as barrier words, so red always means more barrier.

    ``direction`` is the indicator's (``"higher_is_barrier"`` or ``"lower_is_barrier"``): for good
    health, "Laag-Laag" is a cluster of *more* barrier. Other labels (not significant, no data)
    are kept.
    """
    col = 0 if direction == "higher_is_barrier" else 1
    return quadrant.map(lambda q: _CLUSTER_LABELS[q][col] if q in _CLUSTER_LABELS else q)


def cluster_handles(shown: Sequence[str] | None = None) -> list[Patch]:
    """Legend patches of the hot-spot map (only ``shown`` labels when given; "Geen buren" merges with no data)."""
    shown = None if shown is None else {"Geen gegevens" if lab == "Geen buren" else lab for lab in shown}
    labels = [lab for lab in CLUSTER_COLOURS if lab != "Geen buren" and (shown is None or lab in shown)]
    return [Patch(facecolor=CLUSTER_COLOURS[lab], edgecolor=EDGE_COLOUR, label=lab) for lab in labels]


# --------------------------------------------------------------------------- interactive
def _display(value: object, formatter: Callable[[float], str] | None) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):  # type: ignore[arg-type]
        return "onbekend"
    if formatter is not None:
        return formatter(float(value))  # type: ignore[arg-type]
    if isinstance(value, (int, np.integer)) or float(value).is_integer():  # type: ignore[arg-type]
        return number(float(value))  # type: ignore[arg-type]
    return legend_number(float(value))  # type: ignore[arg-type]


def values_table(frame: pd.DataFrame, fields: Mapping[str, str], *, caption: str,
                 formats: Mapping[str, Callable[[float], str]] | None = None) -> str:
    """The values of a map as an HTML table in a ``<details>`` block (keyboard reachable, printable)."""
    formats = formats or {}
    numeric = {f: not all(isinstance(v, str) for v in frame[f].dropna()) for f in fields}
    head = "".join(f'<th scope="col" style="text-align:{"right" if numeric[f] and i else "left"}">{html.escape(label)}</th>'
                   for i, (f, label) in enumerate(fields.items()))
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for i, field in enumerate(fields):
            value = row[field]
            text = html.escape(_display(value, formats.get(field)))
            if i == 0:
                cells.append(f'<th scope="row" style="text-align:left">{text}</th>')
            else:
                cells.append(f'<td style="text-align:right">{text}</td>' if numeric[field] else f'<td style="text-align:left">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<details class="kaartwaarden"><summary>{html.escape(caption)}</summary>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></details>')


def interactive_choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    legend: str,
    tooltip_fields: Mapping[str, str],
    scheme: str = "FisherJenks",
    k: int = 5,
    classes: ClassScheme | None = None,
    cmap: str = BARRIER_CMAP,
    reverse: bool = False,
    barrier: bool = True,
    formats: Mapping[str, Callable[[float], str]] | None = None,
    residents: str | None = "inwoners",
    min_residents: int = MIN_RESIDENTS,
    points: gpd.GeoDataFrame | None = None,
    point_tooltip: str = "naam",
    basemap: bool = False,
    height: int = 480,
    title: str | None = None,
    table: bool = True,
) -> str:
    """An offline Leaflet choropleth as an ``<iframe srcdoc>``, followed by a table of its values.

    Parameters
    ----------
    gdf
        Areas in any projected CRS; reprojected to EPSG:4326 for Leaflet.
    column
        Column to colour by (classes as in :func:`static_choropleth`; missing values grey).
    legend
        Legend title with the unit.
    tooltip_fields
        ``{column: Dutch label}`` shown on hover, on each area's ``aria-label`` and in the table
        (the first field names the area). Callers pass values that passed disclosure control only.
    formats
        ``{column: formatter}`` from :mod:`decentraal.report.format` (e.g. ``fmt.percent``);
        other numbers are formatted with Dutch separators.
    basemap
        Add OpenStreetMap tiles (the only external request a report can make, and only when
        asked for by the ``basiskaart`` parameter).
    title
        Dutch title of the frame (``<title>`` and the iframe's ``title``); by default from ``legend``.
    """
    formats = formats or {}
    fields = dict(tooltip_fields)
    muted = few_residents(gdf, residents, min_residents)
    cs = classes if classes is not None else class_scheme(gdf.loc[~muted, column], scheme=scheme, k=k)
    cls = cs.assign(gdf[column]) if cs.k else pd.Series(np.nan, index=gdf.index)
    colours = palette(cs.k, cmap, reverse=reverse)
    shown = gdf[list(dict.fromkeys([*fields, "geometry"]))].copy()
    for field in fields:
        shown[field] = [_display(v, formats.get(field)) for v in gdf[field]]
    shown["_kleur"] = [_MUTED_FILL if m else (colours[int(c)] if not np.isnan(c) else MISSING_COLOUR)
                       for c, m in zip(cls, muted)]
    shown["_naam"] = [
        "; ".join(f"{label}: {shown.at[i, f]}" for f, label in fields.items()) + ("; " + muted_label(min_residents) if m else "")
        for i, m in zip(shown.index, muted)
    ]
    shown = shown.to_crs("EPSG:4326")
    minx, miny, maxx, maxy = shown.total_bounds
    fmap = folium.Map(tiles=BASEMAP_TILES if basemap else None, control_scale=False, prefer_canvas=False,
                      zoom_control=False, zoom_start=12, location=[(miny + maxy) / 2, (minx + maxx) / 2])
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    layer = folium.GeoJson(
        shown[[*fields, "_kleur", "_naam", "geometry"]],
        style_function=lambda feat: {"fillColor": feat["properties"]["_kleur"], "color": EDGE_COLOUR, "weight": 0.8,
                                     "fillOpacity": 0.9},
        highlight_function=lambda feat: {"weight": 2.5, "color": "#1a1a1a"},
        tooltip=folium.GeoJsonTooltip(fields=list(fields), aliases=list(fields.values()), sticky=True),
        name=legend,
    ).add_to(fmap)
    if points is not None and not points.empty:
        for _, row in points.to_crs("EPSG:4326").iterrows():
            folium.CircleMarker(
                location=[row.geometry.y, row.geometry.x], radius=7, color="#000000", weight=2,
                fill=True, fill_color="#ffffff", fill_opacity=1.0, tooltip=str(row[point_tooltip]),
            ).add_to(fmap)
    entries = list(zip(colours, cs.labels))
    entries = entries[::-1] if not reverse else entries
    legend_html = _legend_html(legend, entries, has_missing=bool((cls.isna() & ~muted).any()),
                               muted=muted_label(min_residents) if muted.any() else None, barrier=barrier,
                               has_points=points is not None and not points.empty)
    fmap.get_root().html.add_child(folium.Element(legend_html + _MUTED_PATTERN))
    title = title or f"Interactieve kaart: {legend}"
    controls = folium.MacroElement()
    controls._template = Template("{% macro script(this, kwargs) %}" + _dutch_controls(fmap.get_name(), layer.get_name(), title)
                                  + "{% endmacro %}")
    controls.add_to(fmap)  # after the areas, so the script finds their paths
    frame = embed(fmap, height=height, allow_tiles=basemap, title=title)
    if not table:
        return frame
    first = next(iter(fields))
    listed = gdf.iloc[np.argsort(gdf[first].astype(str).str.lower().to_numpy(), kind="stable")]
    return frame + values_table(listed, fields, caption=f"De waarden van deze kaart als tabel: {legend}", formats=formats)


#: Hatch for muted areas on Leaflet maps: an SVG pattern the area paths fill with (Leaflet copies
#: ``fillColor`` into the path's ``fill`` attribute, so ``url(#...)`` works).
_MUTED_FILL = "url(#gedempt)"
_MUTED_PATTERN = (
    '<svg aria-hidden="true" focusable="false" width="0" height="0" style="position:absolute">'
    '<defs><pattern id="gedempt" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    f'<rect width="6" height="6" fill="{MUTED_COLOUR}"/><line x1="0" y1="0" x2="0" y2="6" stroke="{MUTED_HATCH_COLOUR}" '
    'stroke-width="1.5"/></pattern></defs></svg>'
)


def _dutch_controls(map_name: str, layer_name: str, title: str) -> str:
    """Leaflet controls in Dutch, a metric scale, the source line, and names on the map and its areas."""
    return f"""
    (function () {{
        var m = {map_name};
        L.control.zoom({{zoomInTitle: 'Inzoomen', zoomOutTitle: 'Uitzoomen', position: 'topleft'}}).addTo(m);
        L.control.scale({{metric: true, imperial: false, position: 'bottomleft'}}).addTo(m);
        m.attributionControl.setPrefix('Leaflet');
        m.attributionControl.addAttribution({json.dumps(ATTRIBUTION)});
        var box = m.getContainer();
        box.setAttribute('role', 'region');
        box.setAttribute('aria-label', {json.dumps(title + ". Verschuiven met de pijltjestoetsen, zoomen met plus en min; de waarden staan ook in de tabel onder de kaart.")});
        {layer_name}.eachLayer(function (area) {{
            var el = area.getElement && area.getElement();
            if (el && area.feature) {{
                el.setAttribute('role', 'img');
                el.setAttribute('aria-label', area.feature.properties._naam);
                el.removeAttribute('tabindex');
            }}
        }});
        m.eachLayer(function (layer) {{
            var el = layer instanceof L.CircleMarker && layer.getElement && layer.getElement();
            if (el && layer.getTooltip()) {{
                el.setAttribute('role', 'img');
                el.setAttribute('aria-label', 'Loket: ' + layer.getTooltip().getContent());
            }}
        }});
    }})();
    """


def _legend_html(title: str, entries: Sequence[tuple[str, str]], *, has_missing: bool, muted: str | None,
                 barrier: bool, has_points: bool) -> str:
    def row(style: str, label: str) -> str:
        return (f'<div><span aria-hidden="true" style="{style};width:16px;height:12px;display:inline-block;'
                f'margin-right:5px;vertical-align:-1px;border:1px solid {EDGE_COLOUR}"></span>{html.escape(label)}</div>')

    rows = "".join(row(f"background:{c}", lab) for c, lab in entries)
    if has_missing:
        rows += row(f"background:{MISSING_COLOUR}", "onbekend of afgeschermd")
    if muted:
        rows += row(f"background:repeating-linear-gradient(-45deg,{MUTED_HATCH_COLOUR} 0 1px,#fff 1px 4px)", muted)
    if has_points:
        rows += ('<div><span aria-hidden="true" style="width:12px;height:12px;display:inline-block;margin:0 7px 0 2px;'
                 'border:2px solid #000;border-radius:50%;background:#fff;vertical-align:-2px"></span>loket</div>')
    note = f'<div style="margin-top:3px;font-style:italic">{DARKER_IS_BARRIER}</div>' if barrier else ""
    return (
        '<div class="legenda" style="position:absolute;bottom:24px;right:10px;z-index:1000;background:white;'
        'padding:6px 8px;font:12px/1.35 sans-serif;color:#1a1a1a;border:1px solid #767676;border-radius:3px;max-width:45%">'
        f"<b>{html.escape(title)}</b>{rows}{note}</div>"
    )


_SCRIPT = re.compile(r'<script[^>]*\bsrc="([^"]+)"[^>]*>\s*</script>')
_LINK = re.compile(r'<link[^>]*\bhref="([^"]+)"[^>]*/?>')
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>', re.DOTALL)


def make_offline(page: str, *, allow_tiles: bool = False, title: str = "Interactieve kaart") -> str:
    """Inline Leaflet, drop every other external script or stylesheet, and make the page Dutch.

    The page gets ``<html lang="nl">``, a ``<title>`` and a viewport that allows zooming (folium's
    forbids it, which fails WCAG 1.4.4).

    Raises
    ------
    RuntimeError
        If an external URL is still referenced afterwards (other than tile URLs when
        ``allow_tiles``), so an offline report can never silently depend on the network.
    """
    leaflet_js = assets.text("leaflet.js")
    leaflet_css = assets.text("leaflet.css")

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        if url.endswith("/leaflet.js"):
            return "<script>" + leaflet_js.replace("</script", "<\\/script") + "</script>"
        return ""

    def link(match: re.Match[str]) -> str:
        url = match.group(1)
        if url.endswith("/leaflet.css"):
            return "<style>" + leaflet_css + "</style>"
        return "" if url.startswith("http") else match.group(0)

    page = _SCRIPT.sub(script, page)
    page = _LINK.sub(link, page)
    page = _VIEWPORT.sub('<meta name="viewport" content="width=device-width, initial-scale=1" />', page)
    page = re.sub(r"<html\b[^>]*>", '<html lang="nl">', page, count=1)
    if "<title>" not in page:
        page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    leftovers = re.findall(r'<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', page)
    if leftovers:
        raise RuntimeError(f"map still references external resources: {', '.join(sorted(set(leftovers)))}")
    if not allow_tiles and "tile.openstreetmap" in page:
        raise RuntimeError("map requests web tiles although no basemap was asked for")
    return page


def embed(fmap: folium.Map, *, height: int = 480, allow_tiles: bool = False, title: str = "Interactieve kaart") -> str:
    """Render a folium map offline and wrap it in an ``<iframe srcdoc>`` with a Dutch ``title``."""
    page = make_offline(fmap.get_root().render(), allow_tiles=allow_tiles, title=title)
    return (
        f'<iframe class="kaart" srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:{height}px;border:1px solid #ccc" loading="eager" '
        f'title="{html.escape(title, quote=True)}" lang="nl"></iframe>'
    )
