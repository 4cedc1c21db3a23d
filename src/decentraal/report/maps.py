"""Maps for the reports: static choropleths (print) and offline interactive Leaflet maps.

Class breaks come from :mod:`mapclassify` and are stated in the legend. Interactive maps are
built with folium, then made self-contained: the Leaflet script and stylesheet are inlined from
the vendored copy in ``static/`` and folium's other CDN resources (jQuery, Bootstrap, icon fonts,
which these maps do not use) are removed, so a report makes no request to an external host. Web
tiles are only added when the caller asks for a basemap.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Mapping, Sequence

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from decentraal.io import assets
from decentraal.report.format import legend_number, number

MISSING_COLOUR = "#d9d9d9"
BASEMAP_TILES = "OpenStreetMap"


def classify(values: pd.Series, *, scheme: str = "FisherJenks", k: int = 5) -> tuple[pd.Series, list[str]]:
    """Classify values with mapclassify; return class index per area (NaN stays NaN) and labels.

    ``k`` is reduced when there are fewer distinct values than classes. Labels read
    ``"a - b"`` with the class bounds, as shown in legends.
    """
    known = values.dropna()
    k = max(1, min(k, known.nunique() - 1 if known.nunique() > 2 else known.nunique()))  # no one-value classes for few areas
    if known.empty:
        return pd.Series(np.nan, index=values.index), []
    if k < 2:
        return pd.Series(np.where(values.notna(), 0, np.nan), index=values.index), [legend_number(known.iloc[0])]
    with warnings.catch_warnings():
        # FisherJenks without numba is exact and fast enough for a few hundred areas
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        classifier = mapclassify.classify(known.to_numpy(), scheme=scheme, k=k)
    bins = classifier.bins
    lower = np.concatenate([[known.min()], bins[:-1]])
    labels = [f"{legend_number(lo)} - {legend_number(hi)}" for lo, hi in zip(lower, bins)]
    classes = pd.Series(np.nan, index=values.index)
    classes.loc[known.index] = classifier.yb
    return classes, labels


def _palette(n: int, cmap: str) -> list[str]:
    colours = colormaps[cmap].resampled(max(n, 2))
    return [to_hex(colours(i)) for i in range(max(n, 2))][:n] if n > 1 else [to_hex(colours(1))]


def static_choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    title: str,
    scheme: str = "FisherJenks",
    k: int = 5,
    cmap: str = "OrRd",
    points: gpd.GeoDataFrame | None = None,
    point_label: str = "Bestaand loket",
    ax: Axes | None = None,
) -> Figure:
    """Static choropleth with class breaks from mapclassify named in the legend title."""
    classes, labels = classify(gdf[column], scheme=scheme, k=k)
    colours = _palette(len(labels), cmap)
    face = [colours[int(c)] if not np.isnan(c) else MISSING_COLOUR for c in classes]
    if ax is None:
        fig = Figure(figsize=(6.5, 6.5))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    draw_polygons(ax, gdf.geometry, face)
    handles = [Patch(facecolor=c, edgecolor="grey", label=lab) for c, lab in zip(colours, labels)]
    if classes.isna().any():
        handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor="grey", label="onbekend / onderdrukt"))
    if points is not None and not points.empty:
        ax.scatter(points.geometry.x, points.geometry.y, color="black", s=40, marker="*", zorder=3)
        handles.append(Line2D([], [], color="black", marker="*", linestyle="", markersize=9, label=point_label))
    ax.legend(handles=handles, title=f"klassen: {scheme_label(scheme)}, k={len(labels)}", loc="upper left", bbox_to_anchor=(0.98, 1.0), fontsize=7, title_fontsize=7, frameon=True)
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()
    fig.tight_layout()
    return fig


def draw_polygons(ax: Axes, geoms: gpd.GeoSeries, facecolors: Sequence[str], *, edgecolor: str = "white", linewidth: float = 0.4) -> None:
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
    ax.add_collection(PatchCollection(patches, facecolor=colours, edgecolor=edgecolor, linewidth=linewidth, match_original=False))
    minx, miny, maxx, maxy = geoms.total_bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")


def catchment_map(gdf: gpd.GeoDataFrame, column: str, *, districts: gpd.GeoDataFrame, points: gpd.GeoDataFrame,
                  title: str, ax: Axes | None = None) -> Figure:
    """Areas coloured by a category (e.g. the counter they are nearest to), district outlines on top."""
    categories = sorted(gdf[column].dropna().unique())
    palette = dict(zip(categories, [to_hex(c) for c in colormaps["tab10"].colors]))
    if ax is None:
        fig = Figure(figsize=(6.5, 6.5))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    draw_polygons(ax, gdf.geometry, [palette.get(v, MISSING_COLOUR) for v in gdf[column]], linewidth=0.2)
    for geom in districts.geometry.boundary:
        for line in getattr(geom, "geoms", [geom]):
            ax.plot(*line.xy, color="black", linewidth=1.2)
    ax.scatter(points.geometry.x, points.geometry.y, color="black", s=60, marker="*", zorder=3)
    handles = [Patch(facecolor=palette[c], label=str(c)) for c in categories]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.98, 1.0), fontsize=7, frameon=True, title="dichtstbijzijnde loket", title_fontsize=7)
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()
    return fig


def scheme_label(scheme: str) -> str:
    """Dutch name of a mapclassify scheme for legends."""
    return {
        "NaturalBreaks": "natuurlijke grenzen (Jenks)",
        "Quantiles": "kwantielen",
        "EqualInterval": "gelijke intervallen",
        "FisherJenks": "natuurlijke grenzen (Fisher-Jenks)",
    }.get(scheme, scheme)


def interactive_choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    legend: str,
    tooltip_fields: Mapping[str, str],
    scheme: str = "FisherJenks",
    k: int = 5,
    cmap: str = "OrRd",
    points: gpd.GeoDataFrame | None = None,
    point_tooltip: str = "naam",
    basemap: bool = False,
    height: int = 480,
) -> str:
    """An offline Leaflet choropleth as an ``<iframe srcdoc>`` HTML string.

    Parameters
    ----------
    gdf
        Areas in any projected CRS; reprojected to EPSG:4326 for Leaflet.
    column
        Column to colour by (classes from mapclassify; missing values grey).
    legend
        Legend title; the classification scheme is appended.
    tooltip_fields
        ``{column: Dutch label}`` shown on hover. Callers pass values that passed disclosure
        control only.
    basemap
        Add OpenStreetMap tiles (the only external request a report can make, and only when
        asked for by the ``basiskaart`` parameter).
    """
    classes, labels = classify(gdf[column], scheme=scheme, k=k)
    colours = _palette(len(labels), cmap)
    shown = gdf[[*tooltip_fields, "geometry"]].copy() if column in tooltip_fields else gdf[[*tooltip_fields, column, "geometry"]].copy()
    shown["_kleur"] = [colours[int(c)] if not np.isnan(c) else MISSING_COLOUR for c in classes]
    for field in tooltip_fields:
        if pd.api.types.is_float_dtype(shown[field]):
            shown[field] = shown[field].map(lambda v: "onbekend" if pd.isna(v) else number(v, 0 if float(v).is_integer() else 1))
    shown = shown.to_crs("EPSG:4326")
    minx, miny, maxx, maxy = shown.total_bounds
    fmap = folium.Map(tiles=BASEMAP_TILES if basemap else None, control_scale=True, prefer_canvas=False, zoom_control=True)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    folium.GeoJson(
        shown.drop(columns=[c for c in shown.columns if c not in [*tooltip_fields, "_kleur", "geometry"]]),
        style_function=lambda feat: {"fillColor": feat["properties"]["_kleur"], "color": "#ffffff", "weight": 0.8, "fillOpacity": 0.85},
        highlight_function=lambda feat: {"weight": 2.5, "color": "#333333"},
        tooltip=folium.GeoJsonTooltip(fields=list(tooltip_fields), aliases=list(tooltip_fields.values()), sticky=True),
        name=legend,
    ).add_to(fmap)
    if points is not None and not points.empty:
        for _, row in points.to_crs("EPSG:4326").iterrows():
            folium.CircleMarker(
                location=[row.geometry.y, row.geometry.x], radius=7, color="#000000", weight=2,
                fill=True, fill_color="#ffffff", fill_opacity=1.0, tooltip=str(row[point_tooltip]),
            ).add_to(fmap)
    legend_html = _legend_html(legend + f" ({scheme_label(scheme)})", labels, colours, has_missing=bool(classes.isna().any()))
    fmap.get_root().html.add_child(folium.Element(legend_html))
    return embed(fmap, height=height, allow_tiles=basemap)


def _legend_html(title: str, labels: Sequence[str], colours: Sequence[str], *, has_missing: bool) -> str:
    rows = "".join(
        f'<div><span style="background:{c};width:14px;height:10px;display:inline-block;margin-right:4px"></span>{html.escape(lab)}</div>'
        for c, lab in zip(colours, labels)
    )
    if has_missing:
        rows += f'<div><span style="background:{MISSING_COLOUR};width:14px;height:10px;display:inline-block;margin-right:4px"></span>onbekend / onderdrukt</div>'
    return (
        '<div class="legenda" style="position:absolute;bottom:18px;right:10px;z-index:1000;background:white;'
        'padding:6px 8px;font:11px sans-serif;border:1px solid #999;border-radius:3px">'
        f"<b>{html.escape(title)}</b>{rows}</div>"
    )


_SCRIPT = re.compile(r'<script[^>]*\bsrc="([^"]+)"[^>]*>\s*</script>')
_LINK = re.compile(r'<link[^>]*\bhref="([^"]+)"[^>]*/?>')


def make_offline(page: str, *, allow_tiles: bool = False) -> str:
    """Inline Leaflet and drop every other external script or stylesheet from a folium page.

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
    leftovers = re.findall(r'<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', page)
    if leftovers:
        raise RuntimeError(f"map still references external resources: {', '.join(sorted(set(leftovers)))}")
    if not allow_tiles and "tile.openstreetmap" in page:
        raise RuntimeError("map requests web tiles although no basemap was asked for")
    return page


def embed(fmap: folium.Map, *, height: int = 480, allow_tiles: bool = False) -> str:
    """Render a folium map offline and wrap it in an ``<iframe srcdoc>`` for notebooks and HTML."""
    page = make_offline(fmap.get_root().render(), allow_tiles=allow_tiles)
    return (
        f'<iframe class="kaart" srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:{height}px;border:1px solid #ccc" loading="eager" title="interactieve kaart"></iframe>'
    )
