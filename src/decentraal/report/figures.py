"""Alt text, captions and source lines of the report's figures (WCAG 2.1: every image has a text alternative).

A report function that builds a matplotlib :class:`~matplotlib.figure.Figure` attaches a
description with :func:`describe`: a Dutch alt text generated from the data the figure shows, a
caption and a source line. :meth:`decentraal.io.outputs.RunOutputs.figure` reads it (attribute
:data:`FIGURE_TEXT` of the Figure; the io layer cannot import this module, so both name it),
numbers the caption per page ("Figuur 3. ...") and gives the notebook the PNG with the alt text in
its output metadata; the committee template writes it into ``<img alt>`` and a ``<figcaption>``.

>>> import pandas as pd
>>> values = pd.Series([3.0, 1.0, 2.0, None, 5.0])
>>> names = pd.Series(["A", "B", "C", "D", "E"])
>>> map_alt(place="Haarlem", level="wijk", what="de index", values=values, names=names, n=2)
'Kaart van Haarlem per wijk: de index is het hoogst in E en A en het laagst in B en C. Voor 1 wijk is geen waarde bekend.'
>>> source(2024)
'Bron: CBS (KWB 2024), Kadaster/PDOK; bewerking decentraal'
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.figure import Figure

from decentraal.methods.indicators import INDICATOR_BY_KEY
from decentraal.report import format as fmt
from decentraal.report import maps
from decentraal.report.labels import ASSUMPTIONS, INDICATOR_SHORT, LEVEL_PLURAL, MODELS

if TYPE_CHECKING:
    from decentraal.pipeline.barriers import BarrierResult
    from decentraal.pipeline.counters import CounterResult
    from decentraal.pipeline.data import OverviewResult
    from decentraal.pipeline.session import Session

#: Correlations at least this strong (absolute) are named in the alt text (as in report/barriers.py).
STRONG_CORRELATION = 0.7

#: Attribute of a Figure holding ``{"alt", "caption", "source"}`` (read by ``decentraal.io.outputs``).
FIGURE_TEXT = "decentraal_tekst"


def source(jaar: int | None = None, *, pdok: bool = True, extra: str = "") -> str:
    """The source line under a figure: CBS (KWB ``jaar``), Kadaster/PDOK for maps, and ``extra``."""
    cbs = f"CBS (KWB {jaar})" if jaar else "CBS (Kerncijfers wijken en buurten)"
    parts = ", ".join([cbs, "Kadaster/PDOK"] if pdok else [cbs])
    return f"Bron: {parts}{'; ' + extra if extra else ''}; bewerking decentraal"


#: Source line of the charts of chapter 03 that combine CBS counts with the chapter's assumptions.
ASSUMPTIONS_SOURCE = source(pdok=False, extra="aannames: zie de parameters bovenaan deze pagina")


def describe(fig: Figure, *, alt: str, caption: str, source: str) -> Figure:
    """Attach the alt text, caption and source line to ``fig`` and return it."""
    if not alt.strip() or not caption.strip():
        raise ValueError("a figure needs a non-empty alt text and caption")
    setattr(fig, FIGURE_TEXT, {"alt": alt.strip(), "caption": caption.strip(), "source": source.strip()})
    return fig


def _plural(level: str, count: int) -> str:
    return level if count == 1 else LEVEL_PLURAL.get(level, level)


def extremes(values: pd.Series, names: pd.Series, n: int = 3) -> tuple[list[str], list[str]]:
    """The names of the ``n`` areas with the highest and with the lowest value (missing values left out).

    With fewer than ``2 n`` values the two lists share no name (each gets half).
    """
    frame = pd.DataFrame({"v": pd.to_numeric(pd.Series(values).reset_index(drop=True), errors="coerce"),
                          "naam": pd.Series(names).reset_index(drop=True).astype(str)}).dropna(subset=["v"])
    frame = frame.sort_values("v", ascending=False, kind="stable")
    n = min(n, len(frame) // 2) if len(frame) < 2 * n else n
    high = frame["naam"].head(n).tolist()
    low = frame["naam"].tail(n).iloc[::-1].tolist() if n else []
    return high, low


def map_alt(*, place: str, level: str, what: str, values: pd.Series, names: pd.Series, n: int = 3,
            most: str = "hoogst", least: str = "laagst", extra: str = "") -> str:
    """Alt text of a choropleth: where ``what`` is highest and lowest, how many areas have no value."""
    high, low = extremes(values, names, n)
    text = f"Kaart van {place} per {level}: "
    if high:
        text += f"{what} is het {most} in {fmt.join(high)} en het {least} in {fmt.join(low)}."
    else:
        text += f"{what} is voor geen enkele {level} bekend."
    missing = int(pd.to_numeric(pd.Series(values), errors="coerce").isna().sum())
    if missing and high:
        text += f" Voor {fmt.number(missing)} {_plural(level, missing)} is geen waarde bekend."
    return text + (f" {extra}" if extra else "")


def points_sentence(names: Iterable[str], *, what: str = "bestaande loket") -> str:
    """'Het bestaande loket (X) staat als punt op de kaart.' or the plural."""
    names = [str(n) for n in names]
    if not names:
        return ""
    if len(names) == 1:
        return f"Het {what} ({names[0]}) staat als punt op de kaart."
    return f"De {fmt.number(len(names))} {what}n ({fmt.join(names)}) staan als punten op de kaart."


def series_alt(kind: str, what: str, values: pd.Series, *, unit: Callable[[float], str] = fmt.number) -> str:
    """Alt text of a chart over years: first and last value, highest and lowest year."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty:
        return f"{kind} van {what}: geen waarden."
    first, last = v.index[0], v.index[-1]
    text = (f"{kind} van {what} van {first} tot {last}: {unit(v.iloc[0])} in {first} en {unit(v.iloc[-1])} in {last}, "
            f"het hoogst in {v.idxmax()} ({unit(v.max())}) en het laagst in {v.idxmin()} ({unit(v.min())}).")
    return text



def described(text: Callable[..., dict[str, str]]) -> Callable[[Callable[..., Figure]], Callable[..., Figure]]:
    """Decorator for a report function that builds a Figure: attach ``text(*args)`` (alt, caption, source).

    ``text`` takes the same arguments as the decorated function, so the description is made from
    the same data the figure draws.
    """
    def wrap(build: Callable[..., Figure]) -> Callable[..., Figure]:
        @functools.wraps(build)
        def inner(*args: Any, **kwargs: Any) -> Figure:
            return describe(build(*args, **kwargs), **text(*args, **kwargs))
        return inner
    return wrap


def _lines(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


# --------------------------------------------------------------------------- chapter 01
def population_map(r: OverviewResult, s: Session) -> dict[str, str]:
    """Inhabitants per area: where most and fewest live, and the counters."""
    layer = r.population_layer
    alt = map_alt(place=s.gemeentenaam, level=r.level, what=f"het aantal inwoners in {s.params.jaar}", values=layer["inwoners"],
                  names=layer["naam"], extra=points_sentence(s.counters["naam"]))
    return {"alt": alt, "caption": f"Inwoners per {r.level}, {s.gemeentenaam} {s.params.jaar}, met de bestaande loketten.",
            "source": source(s.params.jaar)}


# --------------------------------------------------------------------------- chapter 02
def indicator_maps(r: BarrierResult, s: Session) -> dict[str, str]:
    """One small map per indicator: the two highest and two lowest areas of each."""
    layer = r.indicator_layer
    parts = []
    for key in r.map_keys:
        high, low = extremes(layer[key], layer["naam"], 2)
        if high:
            parts.append(f"{INDICATOR_BY_KEY[key].label_nl}: het hoogst in {fmt.join(high)}, het laagst in {fmt.join(low)}")
    alt = _lines(f"{fmt.number(len(r.map_keys))} kaarten van {s.gemeentenaam} per {r.level}, één per indicator, met de bestaande "
                 "loketten als punten.", "; ".join(parts) + ".")
    return {"alt": alt, "caption": f"De indicatoren per {r.level}, {s.gemeentenaam}: één kaart per indicator.",
            "source": source(s.params.jaar)}


def stability_chart(r: BarrierResult, s: Session) -> dict[str, str]:
    """Rank stability: the areas most often in the top n, and how many never are."""
    ranked = r.ranking.table.dropna(subset=["rank"])
    top_n, draws = fmt.number(s.params.top_n), fmt.number(s.params.stabiliteit_trekkingen)
    best = ranked.sort_values("p_top_n", ascending=False, kind="stable").head(3)
    never = int((ranked["p_top_n"] == 0).sum())
    alt = _lines(f"Staafdiagram per {r.level}: hoe vaak elk gebied bij {draws} trekkingen van de gewichten bij de hoogste {top_n} "
                 "en bij het hoogste kwart hoort.",
                 f"Het vaakst bij de hoogste {top_n}: " + fmt.join([f"{row.naam} ({fmt.percent(row.p_top_n)})" for row in best.itertuples()])
                 + f"; {fmt.number(never)} van de {fmt.number(len(ranked))} gebieden nooit.")
    return {"alt": alt, "caption": f"Hoe zeker is de plaats in de ranglijst? Kans op een plaats bij de hoogste {top_n} en in het "
            f"hoogste kwart, per {r.level}, {s.gemeentenaam}.", "source": source(s.params.jaar, pdok=False)}


def index_map(r: BarrierResult, s: Session) -> dict[str, str]:
    """The barrier index: where it is highest and lowest."""
    alt = map_alt(place=s.gemeentenaam, level=r.level, what="de belemmeringsindex", values=r.index_layer["index"],
                  names=r.index_layer["naam"], extra=_lines("Een hogere index betekent meer mogelijke belemmeringen.",
                                                            points_sentence(s.counters["naam"])))
    return {"alt": alt, "caption": f"Belemmeringsindex per {r.level}, {s.gemeentenaam}, met de bestaande loketten.",
            "source": source(s.params.jaar)}


def correlation_heatmap(r: BarrierResult) -> dict[str, str]:
    """Correlations of the indicators: the strongly related pairs."""
    corr = r.diagnostics.correlation
    keys = list(corr.columns)
    pairs = sorted(((corr.iloc[i, j], keys[i], keys[j]) for i in range(len(keys)) for j in range(i + 1, len(keys))
                    if abs(corr.iloc[i, j]) >= STRONG_CORRELATION), key=lambda p: -abs(p[0]))
    named = [f"{INDICATOR_SHORT.get(a, a)} en {INDICATOR_SHORT.get(b, b)} (r = {fmt.number(v, 2)})" for v, a, b in pairs]
    alt = _lines(f"Warmtekaart van de correlaties tussen {fmt.number(len(keys))} indicatoren per {r.level}.",
                 f"Sterk samenhangend: {'; '.join(named)}." if named else
                 f"Geen paar hangt sterk samen (r van {fmt.number(STRONG_CORRELATION, 1)} of meer, positief of negatief).")
    return {"alt": alt, "caption": f"Samenhang van de indicatoren per {r.level} (correlatie van de z-scores).", "source": source(pdok=False)}


def lisa_map(r: BarrierResult, s: Session) -> dict[str, str]:
    """Significant LISA clusters per indicator, in the map's barrier words (:func:`maps.barrier_clusters`)."""
    h = r.hotspots
    parts = []
    for key in h.keys:
        label = INDICATOR_BY_KEY[key].label_nl
        quadrant = h.lisa.loc[h.lisa["indicator"] == label, "quadrant"]
        words = maps.barrier_clusters(quadrant, INDICATOR_BY_KEY[key].direction)
        found = words[words.str.startswith(("Cluster", "Uitschieter"), na=False)].value_counts()
        kinds = [f"{fmt.number(n)} x {q.lower()}" for q, n in found.items()]
        parts.append(f"{label}: {fmt.join(kinds) if kinds else 'geen clusters'}")
    alt = _lines(f"Kaarten van {s.gemeentenaam} per buurt met de significante clusters (LISA) per indicator, benoemd naar "
                 "belemmering (rood is meer mogelijke belemmering); per indicator het aantal buurten per soort.",
                 "; ".join(parts) + ".")
    return {"alt": alt, "caption": f"Clusters van buurten met vergelijkbare waarden (LISA), {s.gemeentenaam}.",
            "source": source(s.params.jaar)}


# --------------------------------------------------------------------------- chapter 03
def demand_over_time_chart(r: CounterResult, s: Session) -> dict[str, str]:
    """Visits per year: first and last year, peak and trough."""
    per_year = r.time.demand.per_year.map(lambda v: fmt.rounded(v, 100))
    alt = series_alt("Gestapeld staafdiagram", f"de loketbezoeken per jaar in {s.gemeentenaam} (alle loketten samen, per product)",
                     per_year)
    return {"alt": alt + " Een stippellijn geeft het niveau in de referentieperiode, een streeplijn het beslisjaar.",
            "caption": f"Loketbezoeken per jaar, {s.gemeentenaam}, per product.", "source": ASSUMPTIONS_SOURCE}


def sites_map(r: CounterResult, s: Session) -> dict[str, str]:
    """The existing counters and the candidate sites."""
    sites = r.chain.sites
    existing = sites.loc[sites["soort"] == "bestaand", "naam"].astype(str).tolist()
    candidates = int((sites["soort"] != "bestaand").sum())
    counters = "1 bestaand loket" if len(existing) == 1 else f"{fmt.number(len(existing))} bestaande loketten"
    alt = _lines(f"Kaart van de wijken van {s.gemeentenaam} met {counters} ({fmt.join(existing)}) als ster en {fmt.number(candidates)} "
                 "kandidaatlocaties voor een nieuw loket als stip.")
    return {"alt": alt, "caption": f"Bestaande loketten en kandidaatlocaties, {s.gemeentenaam}.", "source": source(s.params.jaar)}


def distance_maps(r: CounterResult, s: Session) -> dict[str, str]:
    """Distance now and after, and the catchments: medians, farthest buurten, buurten per counter."""
    layer = r.distance_map
    far_now, _ = extremes(layer["afstand_nu"], layer["naam"], 3)
    far_after, _ = extremes(layer["afstand_na"], layer["naam"], 3)
    new = [str(n) for n in r.open_sites.loc[r.open_sites["soort"] != "bestaand", "naam"]]
    per_counter = layer["loket"].value_counts()
    alt = _lines(
        f"Drie kaarten van {s.gemeentenaam} per buurt.",
        f"Links de afstand tot het dichtstbijzijnde loket nu: in de helft van de buurten hooguit {fmt.km(layer['afstand_nu'].median())}, "
        f"het verst in {fmt.join(far_now)}.",
        f"Midden dezelfde afstand met {fmt.number(r.k_max)} nieuwe loketten ({fmt.join(new)}): in de helft van de buurten hooguit "
        f"{fmt.km(layer['afstand_na'].median())}, het verst in {fmt.join(far_after)}.",
        "Rechts het verzorgingsgebied per loket: " + fmt.join([f"{fmt.number(n)} buurten bij {name}" for name, n in per_counter.items()]) + ".",
    )
    return {"alt": alt, "caption": f"Afstand tot het dichtstbijzijnde loket nu en met {fmt.number(r.k_max)} nieuwe loketten "
            f"({MODELS['pmedian']}), en het verzorgingsgebied per loket, {s.gemeentenaam}.", "source": source(s.params.jaar)}


def _range(values: pd.Series, unit: Callable[[float], str] = fmt.number) -> str:
    return fmt.interval(values.min(), values.max(), unit)


def desks_over_time_chart(r: CounterResult) -> dict[str, str]:
    """Desks in the peak month per year, per number of new counters."""
    c = r.time.capacity.loc[r.time.capacity["model"] == "pmedian"]
    wide = c.pivot_table(index="jaar", columns=["k_new", "nieuw"], values="balies", aggfunc="sum", fill_value=0)
    years = wide.index
    parts = []
    for k in sorted({k for k, _ in wide.columns}):
        scenario = "zonder nieuw loket" if k == 0 else f"met {fmt.number(k)} nieuw{'e' if k > 1 else ''} loket{'ten' if k > 1 else ''}"
        text = f"{scenario} het bestaande loket {_range(wide[(k, False)])}"
        if (k, True) in wide.columns:
            text += f" en de nieuwe loketten samen {_range(wide[(k, True)])}"
        parts.append(text)
    alt = _lines(f"Lijngrafiek van het aantal balies in de drukste maand per jaar, {years.min()} tot {years.max()} "
                 f"({MODELS['pmedian']}):", "; ".join(parts) + " balies.")
    return {"alt": alt, "caption": f"Balies in de drukste maand per jaar, per aantal nieuwe loketten ({MODELS['pmedian']}).",
            "source": ASSUMPTIONS_SOURCE}


def cost_over_time_chart(r: CounterResult) -> dict[str, str]:
    """Extra cost per year: the band between the two readings of the fixed cost, per number of new counters."""
    costs = r.time.costs.loc[(r.time.costs["model"] == "pmedian") & (r.time.costs["k_new"] > 0)]
    year = r.time.settings.decision_year
    parts = []
    for k, rows in costs.loc[costs["jaar"] == year].groupby("k_new"):
        values = rows["incremental_cost_eur"].map(lambda v: fmt.significant(v, 2))
        parts.append(f"{fmt.number(k)} nieuw: {_range(values, fmt.euro)}")
    alt = _lines("Grafiek van de extra kosten per jaar voor de hele gemeente (alle loketten na min voor), als band tussen de twee "
                 "lezingen van de vaste kosten (met en zonder personeel).",
                 f"In {year}: " + "; ".join(parts) + " per jaar." if parts else "")
    return {"alt": alt, "caption": f"Extra kosten per jaar per aantal nieuwe loketten ({MODELS['pmedian']}), met de bandbreedte.",
            "source": ASSUMPTIONS_SOURCE}


def sobol_chart(r: CounterResult) -> dict[str, str]:
    """Which assumption drives the cost per visit: the three with the largest total index."""
    sob = r.uncertainty.sobol.sort_values("ST", ascending=False, kind="stable")
    top = [f"{ASSUMPTIONS.get(p, p)} ({fmt.percent(max(float(st), 0.0))})" for p, st in zip(sob["parameter"].head(3), sob["ST"].head(3))]
    alt = _lines(f"Staafdiagram van het deel van de spreiding in de kosten per bezoek dat elk van {fmt.number(len(sob))} aannames "
                 f"verklaart. Het grootst: {fmt.join(top)}.",
                 f"De andere aannames verklaren elk hooguit {fmt.percent(max(float(sob['ST'].iloc[3]), 0.0))}." if len(sob) > 3 else "")
    return {"alt": alt, "caption": f"Welke aanname bepaalt de kosten per bezoek? Sobol-indices (1 extra loket, {MODELS['pmedian']}).",
            "source": ASSUMPTIONS_SOURCE}
