"""Target-group indicators per area at buurt, wijk, stadsdeel and gemeente level.

Each indicator is defined once in :data:`INDICATORS` (definition, source, year, the level at
which it exists, direction, why it may signal a barrier). :func:`indicator_table` computes the
indicators at one level from counts: shares at a coarser level are sums of (implied) counts
over sums of denominators, never averages of percentages. An indicator that exists only at wijk
level is computed for wijken and stadsdelen, and left missing for buurten (it is never spread
over buurten).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from decentraal.config import LEVELS
from decentraal.errors import ParameterError
from decentraal.methods.aggregate import aggregate, weighted_share

Direction = Literal["higher_is_barrier", "lower_is_barrier"]


@dataclass(frozen=True)
class Indicator:
    """Metadata for one barrier indicator (shown in the report)."""

    key: str
    label_nl: str
    unit_nl: str
    direction: Direction
    finest_level: Literal["buurt", "wijk"]
    definition_nl: str
    source_nl: str
    why_nl: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "aandeel_65plus", "Aandeel 65-plussers", "% van de inwoners", "higher_is_barrier", "buurt",
        "Inwoners van 65 jaar en ouder gedeeld door het aantal inwoners (aantallen, afgerond op 5).",
        "CBS Kerncijfers wijken en buurten 2024 (85984NED)",
        "Ouderen zijn minder digitaal vaardig en minder mobiel, en komen vaker zelf naar het loket.",
    ),
    Indicator(
        "aandeel_eenpersoonshuishoudens", "Aandeel eenpersoonshuishoudens", "% van de huishoudens", "higher_is_barrier", "wijk",
        "Eenpersoonshuishoudens als percentage van alle huishoudens (CBS publiceert een geheel percentage per wijk).",
        "PDOK Wijk- en Buurtkaart 2024 (alleen Haarlem)",
        "Alleenstaanden hebben vaker niemand in huis die helpt met digitale of papieren zaken.",
    ),
    Indicator(
        "aandeel_herkomst_buiten_europa", "Aandeel met herkomstland buiten Europa", "% van de inwoners", "higher_is_barrier", "wijk",
        "Inwoners met een herkomstland buiten Europa (CBS-indeling vanaf 2022) als percentage van de inwoners.",
        "PDOK Wijk- en Buurtkaart 2024 (alleen Haarlem)",
        "Een benadering van beperkte beheersing van het Nederlands; de bron meet taalvaardigheid niet zelf.",
    ),
    Indicator(
        "inkomen_per_inwoner", "Gemiddeld inkomen per inwoner", "x 1.000 euro", "lower_is_barrier", "wijk",
        "Gemiddeld persoonlijk inkomen per inwoner; op stadsdeelniveau herberekend als totaal inkomen gedeeld door inwoners.",
        "CBS Kerncijfers wijken en buurten 2024 (85984NED); voor buurten grotendeels geheim",
        "Een laag inkomen gaat samen met schulden en uitkeringen, en daarmee met meer contact met de gemeente.",
    ),
    Indicator(
        "aandeel_goede_gezondheid", "Aandeel volwassenen met (zeer) goede ervaren gezondheid", "% van de 18-plussers", "lower_is_barrier", "buurt",
        "Modelschatting van het aandeel 18-plussers dat de eigen gezondheid goed of zeer goed noemt; hoger niveau: gewogen met inwoners van 15 jaar en ouder.",
        "RIVM/GGD'en/CBS Gezondheidsmonitor 2024 (50150NED), kleinegebiedsschattingen",
        "Wie zijn gezondheid slecht noemt, heeft vaker moeite om naar een loket te komen.",
    ),
    Indicator(
        "autos_per_huishouden", "Personenauto's per huishouden", "auto's", "lower_is_barrier", "wijk",
        "Aantal personenauto's gedeeld door het aantal huishoudens (2024 voor Haarlem, 2022 voor gemeenten zonder 2024-wijkcijfers).",
        "PDOK Wijk- en Buurtkaart 2024 (Haarlem) en 2022 (Zandvoort)",
        "Zonder auto is een loket ver weg moeilijker te bereiken, zeker bij beperkte mobiliteit.",
    ),
    Indicator(
        "afstand_loket_km", "Afstand tot het dichtstbijzijnde loket", "km (hemelsbreed)", "higher_is_barrier", "buurt",
        "Hemelsbrede afstand van het midden van elke buurt tot het dichtstbijzijnde bestaande gemeentelijke loket; hoger niveau: gewogen met inwoners.",
        "Berekend uit CBS/PDOK buurtgrenzen 2019 en de loketlocaties (zwaartepunt van het gebied, zie loketten)",
        "Een grotere afstand kost meer reistijd en geld, vooral voor wie minder mobiel is.",
    ),
)

INDICATOR_BY_KEY = {ind.key: ind for ind in INDICATORS}

#: Count columns carried next to the indicators (used for disclosure control).
COUNT_COLUMNS = ["inwoners", "inwoners_0_14", "inwoners_65plus", "huishoudens"]


def indicator_metadata() -> pd.DataFrame:
    """The indicator definitions as a table (for the report and exports)."""
    return pd.DataFrame(
        [
            {
                "indicator": i.key, "naam": i.label_nl, "eenheid": i.unit_nl,
                "richting": "hoger = meer belemmering" if i.direction == "higher_is_barrier" else "lager = meer belemmering",
                "fijnste_niveau": i.finest_level, "definitie": i.definition_nl, "bron": i.source_nl, "waarom": i.why_nl,
            }
            for i in INDICATORS
        ]
    )


def buurt_base(kwb: pd.DataFrame, gezondheid: pd.DataFrame, buurten: gpd.GeoDataFrame, distance_km: pd.Series) -> pd.DataFrame:
    """Buurt-level counts and buurt indicators (one row per buurt polygon).

    ``distance_km`` maps buurt code to the distance from the buurt centroid to the nearest
    existing counter.
    """
    stats = kwb.loc[kwb["niveau"] == "buurt", ["code", "inwoners", "inwoners_65plus", "inwoners_0_14", "huishoudens"]]
    health_col = _latest(gezondheid, "pct_goede_gezondheid_")
    out = buurten[["code", "naam", "wijkcode", "stadsdeelcode", "gemeentecode"]].merge(stats, on="code", how="left")
    out = out.merge(gezondheid[["code", health_col]].rename(columns={health_col: "aandeel_goede_gezondheid"}), on="code", how="left")
    out["inwoners_15plus"] = out["inwoners"] - out["inwoners_0_14"].fillna(0)
    out["afstand_loket_km"] = out["code"].map(distance_km)
    return pd.DataFrame(out)


def _latest(frame: pd.DataFrame, prefix: str) -> str:
    cols = sorted(c for c in frame.columns if c.startswith(prefix))
    if not cols:
        raise ValueError(f"no column starting with {prefix!r}")
    return cols[-1]


def wijk_base(kwb: pd.DataFrame, wijken_2024: pd.DataFrame, wijken_2022: pd.DataFrame) -> pd.DataFrame:
    """Wijk-level counts and wijk-only indicators as implied counts.

    Shares published as whole percentages (single-person households, origin) are turned into
    implied counts (share x denominator) so they can be summed to stadsdelen.
    """
    stats = kwb.loc[kwb["niveau"] == "wijk", ["code", "naam", "gemeentecode", "inwoners", "inwoners_0_14", "inwoners_65plus", "huishoudens", "inkomen_per_inwoner_1000eur"]]
    w24 = wijken_2024[["code", "pct_eenpersoonshuishoudens", "pct_herkomst_buiten_europa", "personenautos"]]
    w22 = wijken_2022[["code", "personenautos", "huishoudens"]].rename(columns={"personenautos": "autos_2022", "huishoudens": "huishoudens_2022"})
    out = stats.merge(w24, on="code", how="left").merge(w22, on="code", how="left")
    has_2024 = out["gemeentecode"].isin(set(wijken_2024["gemeentecode"]))
    out["n_eenpersoonshuishoudens"] = out["pct_eenpersoonshuishoudens"] / 100 * out["huishoudens"]
    out["n_herkomst_buiten_europa"] = out["pct_herkomst_buiten_europa"] / 100 * out["inwoners"]
    out["totaal_inkomen"] = out["inkomen_per_inwoner_1000eur"] * out["inwoners"]
    out["inwoners_met_inkomen"] = out["inwoners"].where(out["inkomen_per_inwoner_1000eur"].notna())
    out["autos"] = np.where(has_2024, out["personenautos"], out["autos_2022"])
    out["huishoudens_autos"] = np.where(has_2024, out["huishoudens"], out["huishoudens_2022"])
    return pd.DataFrame(out)


def indicator_table(level: str, buurt: pd.DataFrame, wijk: pd.DataFrame, stadsdelen: pd.DataFrame) -> pd.DataFrame:
    """Indicators (in %, EUR 1,000, cars, km) and counts for every area at ``level``.

    Parameters
    ----------
    level
        One of ``buurt``, ``wijk``, ``stadsdeel``, ``gemeente``.
    buurt, wijk
        Outputs of :func:`buurt_base` and :func:`wijk_base`.
    stadsdelen
        The wijk -> stadsdeel crosswalk (:func:`decentraal.loaders.load_stadsdelen`).

    Returns
    -------
    pandas.DataFrame
        ``code`` plus :data:`COUNT_COLUMNS`, one column per indicator key and
        ``gedekt_gezondheid`` / ``gedekt_afstand`` (share of the weight with a known value).
    """
    if level not in LEVELS:
        raise ParameterError(f"level {level!r} is not supported; valid levels: {', '.join(LEVELS)}")
    if level == "buurt":
        out = buurt[["code", "inwoners", "inwoners_0_14", "inwoners_65plus", "huishoudens", "aandeel_goede_gezondheid", "afstand_loket_km"]].copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            out["aandeel_65plus"] = (100 * out["inwoners_65plus"] / out["inwoners"]).where(out["inwoners"] > 0)
        for key in ("aandeel_eenpersoonshuishoudens", "aandeel_herkomst_buiten_europa", "inkomen_per_inwoner", "autos_per_huishouden"):
            out[key] = np.nan  # exists only at wijk level; not spread over buurten
        out["gedekt_gezondheid"] = out["aandeel_goede_gezondheid"].notna().astype(float)
        out["gedekt_afstand"] = out["afstand_loket_km"].notna().astype(float)
        return _order(out)

    parent = {"wijk": "wijkcode", "stadsdeel": "stadsdeelcode", "gemeente": "gemeentecode"}[level]
    b = buurt.loc[buurt[parent].notna()] if level == "stadsdeel" else buurt
    health = weighted_share(b, parent, share="aandeel_goede_gezondheid", weight="inwoners_15plus", source="buurt table")
    dist = weighted_share(b, parent, share="afstand_loket_km", weight="inwoners", source="buurt table")
    if level == "wijk":
        w = wijk.copy()
    else:
        w = wijk.assign(_p=wijk["code"].map(stadsdelen.set_index("wijkcode")["stadsdeelcode"]) if level == "stadsdeel" else wijk["gemeentecode"])
        w = w.loc[w["_p"].notna()]
        w = aggregate(
            w, "_p",
            counts=["inwoners", "inwoners_0_14", "inwoners_65plus", "huishoudens", "n_eenpersoonshuishoudens", "n_herkomst_buiten_europa", "totaal_inkomen", "inwoners_met_inkomen", "autos", "huishoudens_autos"],
            source="wijk table",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({
            "code": w["code"],
            "inwoners": w["inwoners"],
            "inwoners_0_14": w["inwoners_0_14"],
            "inwoners_65plus": w["inwoners_65plus"],
            "huishoudens": w["huishoudens"],
            "aandeel_65plus": (100 * w["inwoners_65plus"] / w["inwoners"]).where(w["inwoners"] > 0),
            "aandeel_eenpersoonshuishoudens": (100 * w["n_eenpersoonshuishoudens"] / w["huishoudens"]).where(w["huishoudens"] > 0),
            "aandeel_herkomst_buiten_europa": (100 * w["n_herkomst_buiten_europa"] / w["inwoners"]).where(w["inwoners"] > 0),
            "inkomen_per_inwoner": (w["totaal_inkomen"] / w["inwoners_met_inkomen"]).where(w["inwoners_met_inkomen"] > 0),
            "autos_per_huishouden": (w["autos"] / w["huishoudens_autos"]).where(w["huishoudens_autos"] > 0),
        })
    out = out.merge(health.rename(columns={"gewicht_gedekt": "gedekt_gezondheid"}), on="code", how="left")
    out = out.merge(dist.rename(columns={"gewicht_gedekt": "gedekt_afstand"}), on="code", how="left")
    return _order(out)


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [i.key for i in INDICATORS]
    rest = [c for c in frame.columns if c not in ["code", *COUNT_COLUMNS, *keys]]
    return frame[["code", *COUNT_COLUMNS, *keys, *rest]].reset_index(drop=True)


#: Share indicator -> its denominator count (for disclosure control).
DENOMINATORS = {
    "aandeel_65plus": "inwoners",
    "aandeel_eenpersoonshuishoudens": "huishoudens",
    "aandeel_herkomst_buiten_europa": "inwoners",
    "inkomen_per_inwoner": "inwoners",
    "aandeel_goede_gezondheid": "inwoners",
    "autos_per_huishouden": "huishoudens",
    "afstand_loket_km": "inwoners",
}
#: Share indicator -> its numerator count, where the data hold one (a share on a large
#: denominator still reveals a small numerator, so it is suppressed with the numerator).
NUMERATORS = {"aandeel_65plus": "inwoners_65plus"}


def safe_table(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Indicator table after disclosure control (see :func:`decentraal.disclosure.suppress`).

    Counts below ``threshold`` and shares on fewer than ``threshold`` residents or households
    become NaN; a share whose numerator count is below the threshold is suppressed as well.
    """
    from decentraal.methods.disclosure import suppress

    out = suppress(table, count_columns=COUNT_COLUMNS, share_columns=DENOMINATORS, threshold=threshold)
    for share, numerator in NUMERATORS.items():
        small = table[numerator].notna() & (table[numerator] < threshold) & out[share].notna()
        out.loc[small, share] = np.nan
        out.loc[small, "onderdrukt"] = True
        out.loc[small, "onderdrukt_kolommen"] = [
            ", ".join(filter(None, [text, share])) for text in out.loc[small, "onderdrukt_kolommen"]
        ]
    return out


@dataclass(frozen=True, eq=False)
class IndexInput:
    """The indicators that enter the index at one level.

    Attributes
    ----------
    values
        Indicator columns, indexed by area code.
    weights
        Indicator key -> weight, for the indicators that enter.
    left_out
        The left-out indicators with the reason (columns ``indicator``, ``reden``; Dutch).
    """

    values: pd.DataFrame
    weights: dict[str, float]
    left_out: pd.DataFrame


@dataclass(frozen=True, eq=False)
class BarrierIndex:
    """Standardised indicators and the composite barrier index of one level.

    Attributes
    ----------
    z
        z-scores per indicator (higher = more barrier), indexed by area code.
    index
        The table of :func:`decentraal.methods.barriers.composite_index` (missing indicators named in Dutch).
    weights
        The weights actually used.
    left_out
        The left-out indicators with the reason.
    """

    z: pd.DataFrame
    index: pd.DataFrame
    weights: dict[str, float]
    left_out: pd.DataFrame


def index_input(table: pd.DataFrame, weights: dict[str, float]) -> IndexInput:
    """The indicators that enter the index at this level, and why the others do not.

    An indicator enters when its weight is positive and it has at least two distinct known
    values among the areas.
    """
    usable, dropped = {}, []
    for ind in INDICATORS:
        known = table[ind.key].dropna()
        if weights.get(ind.key, 0) <= 0:
            dropped.append({"indicator": ind.label_nl, "reden": "gewicht 0"})
        elif known.nunique() < 2:
            reason = "bestaat niet op dit niveau of voor deze gemeente" if known.empty else "te weinig verschillende waarden"
            dropped.append({"indicator": ind.label_nl, "reden": reason})
        else:
            usable[ind.key] = float(weights[ind.key])
    values = table.set_index("code")[list(usable)]
    return IndexInput(values, usable, pd.DataFrame(dropped, columns=["indicator", "reden"]))


def barrier_index(table: pd.DataFrame, weights: dict[str, float], *, min_share: float = 0.5) -> BarrierIndex:
    """Standardised indicators and the composite barrier index for one level.

    ``table`` should already have passed :func:`safe_table`.
    """
    from decentraal.methods import barriers

    chosen = index_input(table, weights)
    values, used, dropped = chosen.values, chosen.weights, chosen.left_out
    z = barriers.standardise(values, {k: INDICATOR_BY_KEY[k].direction for k in used})
    index = barriers.composite_index(z, used, min_share=min_share)
    index["missing_indicators"] = index["missing_indicators"].map(
        lambda text: ", ".join(INDICATOR_BY_KEY[k].label_nl.lower() for k in text.split(", ") if k)
    )
    return BarrierIndex(z, index, used, dropped)
