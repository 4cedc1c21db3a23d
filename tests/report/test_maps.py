"""Maps the committee reads: names, scale bar, north arrow, readable legends, shared classes,
muted sparse areas, hot spots in barrier terms, and Dutch, accessible, offline interactive maps.

Fast, no browser: the layers are six made-up squares in EPSG:28992 (metres).
"""

from __future__ import annotations

import html
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from matplotlib_scalebar.scalebar import ScaleBar
from shapely.geometry import Point, box

from decentraal.report import maps

NAMES = ["Centrum", "Noord", "Oost", "Zuid", "West", "Buitengebied"]


@pytest.fixture
def areas() -> gpd.GeoDataFrame:
    """Six made-up 1 km squares in RD New, one with 20 inhabitants."""
    squares = [box(100_000 + 1000 * (i % 3), 480_000 + 1000 * (i // 3), 101_000 + 1000 * (i % 3), 481_000 + 1000 * (i // 3))
               for i in range(6)]
    return gpd.GeoDataFrame(
        {"code": [f"WK{i}" for i in range(6)], "naam": NAMES,
         "inwoners": [14745, 8000, 6000, 5000, 3000, 20],
         "waarde": [10.5, 12.0, 20.25, 25.0, 30.0, 80.0],
         "later": [5.0, 6.0, 7.0, 8.0, 9.0, 10.0]},
        geometry=squares, crs="EPSG:28992",
    )


@pytest.fixture
def counters() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"naam": ["Stadskantoor"]}, geometry=[Point(101_500, 480_500)], crs="EPSG:28992")


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == "gebiedsnaam"]


def test_static_map_has_names_scale_bar_north_arrow_and_readable_legend(areas, counters):
    fig = maps.static_choropleth(areas, "waarde", title="Waarde per wijk", legend_title="Waarde (%)", points=counters)
    ax = fig.axes[0]
    assert any(isinstance(a, ScaleBar) for a in ax.artists), "no scale bar"
    arrows = [c for c in ax.get_children() if isinstance(c, Text) and c.get_gid() == "noordpijl"]
    assert arrows and arrows[0].get_text() == "N", "no north arrow"
    assert set(_texts(ax)) == set(NAMES), f"area names missing: {_texts(ax)}"
    legend = ax.get_legend()
    assert legend is not None
    sizes = [t.get_fontsize() for t in legend.get_texts()] + [legend.get_title().get_fontsize()]
    assert min(sizes) >= 8, sizes
    assert "Waarde (%)" in legend.get_title().get_text()
    assert maps.DARKER_IS_BARRIER in legend.get_title().get_text().replace("\n", " ")


def test_no_names_on_maps_with_many_areas(areas):
    many = gpd.GeoDataFrame(pd.concat([areas] * 8, ignore_index=True), crs=areas.crs)
    ax = maps.static_choropleth(many, "waarde", title="Buurten", residents=None).axes[0]
    assert _texts(ax) == []


def test_names_do_not_overlap_and_crowded_names_are_left_out(areas):
    grid = [box(100_000 + 100 * (i % 6), 480_000 + 100 * (i // 6), 100_100 + 100 * (i % 6), 480_100 + 100 * (i // 6))
            for i in range(36)]
    squeezed = gpd.GeoDataFrame({"naam": ["Haarlemmerhoutkwartierbuitenplaats" * 3] * 36, "waarde": np.arange(36.0)},
                                geometry=grid, crs=areas.crs)
    fig = maps.static_choropleth(squeezed, "waarde", title="Te vol", residents=None)
    ax = fig.axes[0]
    renderer = fig._get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "gebiedsnaam"]
    assert 6 <= len(boxes) < 36, "36 names wider than the map cannot all fit"
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_legend_has_no_empty_classes_and_a_grey_edged_lightest_class(areas):
    fig = maps.static_choropleth(areas, "waarde", title="t", residents=None, k=5)
    legend = fig.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    cs = maps.class_scheme(areas["waarde"], k=5)
    used = set(cs.assign(areas["waarde"]).astype(int))
    assert len([lab for lab in labels if " tot " in lab]) == len(used)
    lightest = maps.palette(cs.k)[0]
    assert lightest.lower() not in ("#ffffff", "#fff7ec"), "the lightest class must not blend into the page"
    assert maps.EDGE_COLOUR != "white"


def test_compared_maps_share_one_class_scheme(areas):
    shared = maps.class_scheme([areas["waarde"], areas["later"]], k=4)
    first = maps.static_choropleth(areas, "waarde", title="nu", classes=shared, legend="all", residents=None)
    second = maps.static_choropleth(areas, "later", title="straks", classes=shared, legend="all", residents=None)
    legends = [[t.get_text() for t in f.axes[0].get_legend().get_texts()] for f in (first, second)]
    assert legends[0] == legends[1]
    # equal values get equal classes on both maps: 10.0 is in "later" and close to 10.5 in "waarde"
    assert shared.assign(pd.Series([10.0]))[0] == shared.assign(pd.Series([10.5]))[0]
    own = maps.class_scheme(areas["later"], k=4)
    assert own.bins != shared.bins, "the test needs columns whose own schemes differ"


def test_long_names_are_hyphenated_before_their_ending():
    assert "Zijlweg-\nkwartier" in maps._name_variants("Zijlwegkwartier")


def test_class_limits_are_rounded_and_cover_the_data(areas):
    cs = maps.class_scheme(areas["waarde"], k=3)
    assert cs.bins[-1] == areas["waarde"].max()
    assert all(float(f"{b:.2g}") == b for b in cs.bins[:-1])
    classes = cs.assign(areas["waarde"])
    assert classes.min() == 0 and classes.max() == cs.k - 1


def test_rounding_never_moves_an_area_to_another_class():
    values = pd.Series([0.221552, -0.499926, 0.191973])  # Zandvoort's three wijken with enough residents
    cs = maps.class_scheme(values, k=5)
    assert cs.k == 2
    assert cs.assign(values).tolist() == [1.0, 0.0, 1.0]
    assert cs.labels == ["-0,50 tot -0,49", "-0,49 tot 0,22"]


def test_reversed_palette_keeps_darker_for_more_barrier():
    light_to_dark = maps.palette(4)
    assert maps.palette(4, reverse=True) == light_to_dark[::-1]


def test_areas_with_few_residents_are_muted_and_named_in_the_legend(areas):
    muted = maps.few_residents(areas)
    assert muted.tolist() == [False, False, False, False, False, True]
    fig = maps.static_choropleth(areas, "waarde", title="t")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert maps.muted_label() in labels
    hatched = [c for c in fig.axes[0].collections if c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 1
    minx, miny, maxx, maxy = areas.total_bounds  # drawing the muted areas keeps the whole map in view
    (x0, x1), (y0, y1) = fig.axes[0].get_xlim(), fig.axes[0].get_ylim()
    assert x0 <= minx and x1 >= maxx and y0 <= miny and y1 >= maxy
    # the 20-inhabitant outlier (80) does not get a class of its own in the legend
    assert not any("80" in lab for lab in labels)


def test_hot_spots_are_named_by_barrier_not_by_value():
    quadrant = pd.Series(["Hoog-Hoog", "Laag-Laag", "Hoog-Laag", "Niet significant"])
    health = maps.barrier_clusters(quadrant, "lower_is_barrier")
    assert health.tolist()[:2] == ["Cluster weinig belemmering", "Cluster veel belemmering"]
    assert health.iloc[3] == "Niet significant"
    elderly = maps.barrier_clusters(quadrant, "higher_is_barrier")
    assert elderly.iloc[0] == "Cluster veel belemmering"
    legend = [h.get_label() for h in maps.cluster_handles(set(health))]
    assert sorted(legend) == sorted(set(health)), legend  # only the kinds on the map, each once
    red = maps.CLUSTER_COLOURS["Cluster veel belemmering"]
    assert maps.CLUSTER_COLOURS[health.iloc[1]] == red  # low health = more barrier = red


def test_catchments_use_a_colour_blind_safe_set(areas, counters):
    layer = areas.assign(loket=["A", "A", "B", "B", "C", "C"])
    fig = maps.catchment_map(layer, "loket", districts=areas.dissolve(), points=counters, title="t")
    colours = {p.get_facecolor() for p in fig.axes[0].get_legend().get_patches()}
    from matplotlib.colors import to_rgba
    assert colours == {to_rgba(c) for c in maps.OKABE_ITO[:3]}


@pytest.fixture
def frame(areas, counters) -> str:
    return maps.interactive_choropleth(
        areas, "waarde", legend="Waarde (%)", tooltip_fields={"naam": "Gebied", "inwoners": "Inwoners", "waarde": "Waarde (%)"},
        points=counters,
    )


def _document(frame: str) -> str:
    return html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))


def test_interactive_frame_is_dutch_titled_and_zoomable(frame):
    page = _document(frame)
    assert '<html lang="nl">' in page
    assert re.search(r"<title>[^<]+</title>", page)
    assert re.search(r'<meta name="viewport" content="width=device-width, initial-scale=1"', page)
    assert "user-scalable=no" not in page and "maximum-scale" not in page
    assert re.search(r'<iframe[^>]*\btitle="Interactieve kaart: Waarde \(%\)"', frame)
    assert "zoomInTitle: 'Inzoomen'" in page and "zoomOutTitle: 'Uitzoomen'" in page
    assert "imperial: false" in page
    assert "Bron: CBS, Kadaster/PDOK" in page
    assert "fitBounds" in page


def test_interactive_areas_are_named_and_no_tab_stops(frame):
    page = _document(frame)
    assert "setAttribute('aria-label', area.feature.properties._naam)" in page
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.DOTALL)
    assert "tabindex" not in markup.lower()
    assert "el.removeAttribute('tabindex')" in page
    assert '"_naam": "Gebied: Centrum; Inwoners: 14.745; Waarde (%): 10,5"' in page


def test_interactive_map_has_dutch_numbers_and_a_values_table(frame):
    page = _document(frame)
    assert "14 745.0" not in page and "14745.0" not in page
    table = frame[frame.index("</iframe>"):]
    assert table.startswith("</iframe><details")
    assert '<th scope="row" style="text-align:left">Buitengebied</th>' in table
    assert '<td style="text-align:right">14.745</td>' in table and '<td style="text-align:right">10,5</td>' in table


def test_interactive_map_makes_no_external_request(frame):
    page = _document(frame)
    assert not re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//', page)
    assert "cdn.jsdelivr" not in page and "code.jquery" not in page
    assert "tile.openstreetmap" not in page


def test_interactive_map_mutes_few_residents(frame):
    page = _document(frame)
    assert maps.muted_label() in page
    assert '<pattern id="gedempt"' in page and '"_kleur": "url(#gedempt)"' in page
    assert np.isclose(maps.MIN_RESIDENTS, 100)
