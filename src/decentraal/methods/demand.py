"""Demand for counter visits: baseline per area and split by product.

Functions here are pure: no file or network I/O, inputs are never mutated, every random
draw takes a ``seed``. Errors are :class:`decentraal.errors.DataError` (bad input data) or
:class:`decentraal.errors.ParameterError` (bad arguments); both subclass ``ValueError``.

Units: visits per year; rates are visits per resident per year.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from decentraal.errors import DataError, ParameterError

__all__ = [
    "VISITS_PER_RESIDENT_PER_YEAR",
    "ProductAssumption",
    "DEFAULT_AGE_GROUPS",
    "DEFAULT_PRODUCTS",
    "baseline_demand",
    "product_demand",
    "renewal_wave_factor",
    "KWB_AGE_GROUPS",
    "KWB_PRODUCTS",
    "kwb_age_counts",
]

#: Physical visits to the central counter per resident per year.
#: Source: gemeente Haarlem, informatienota 2021/547821: "gemiddeld genomen Haarlemmers
#: slechts een keer per drie jaar het fysieke loket" -> 1/3 per resident per year.
VISITS_PER_RESIDENT_PER_YEAR: float = 1 / 3

# ---------------------------------------------------------------------------
# Baseline and product demand
# ---------------------------------------------------------------------------


def _check_counts(values: pd.Series | pd.DataFrame, what: str) -> None:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} contains non-numeric values; convert counts to numbers first.") from exc
    if arr.size and not np.all(np.isfinite(arr)):
        raise DataError(f"{what} contains missing or infinite values; fill or drop those areas first.")
    if arr.size and np.any(arr < 0):
        raise DataError(f"{what} contains negative counts; residents per area must be >= 0.")


def baseline_demand(
    population: pd.Series,
    *,
    visits_per_resident_per_year: float = VISITS_PER_RESIDENT_PER_YEAR,  # informatienota 2021/547821
) -> pd.Series:
    """Expected counter visits per area per year, proportional to the number of residents.

    Parameters
    ----------
    population : pd.Series
        Residents per area (index = area code). Non-negative, no missing values.
    visits_per_resident_per_year : float, default 1/3
        Visit rate. The default comes from Haarlem informatienota 2021/547821 ("een keer per
        drie jaar"). Note: that figure was measured around 2019-2021, i.e. in the trough of the
        passport/ID renewal cycle that followed the 2014 validity change (see
        :func:`renewal_wave_factor`); in 2024-2028 adult document demand is expected to be
        higher than the long-run average.

    Returns
    -------
    pd.Series
        Visits per area per year, same index as ``population``, name ``"bezoeken_per_jaar"``.
        Sums to ``population.sum() * visits_per_resident_per_year`` (up to floating point).

    Raises
    ------
    DataError
        If ``population`` has negative or missing values.
    ParameterError
        If the rate is not a positive finite number.

    Examples
    --------
    >>> import pandas as pd
    >>> baseline_demand(pd.Series({"BU1": 300, "BU2": 600})).round(1).to_dict()
    {'BU1': 100.0, 'BU2': 200.0}
    """
    if not (math.isfinite(visits_per_resident_per_year) and visits_per_resident_per_year > 0):
        raise ParameterError(
            f"visits_per_resident_per_year={visits_per_resident_per_year!r} is invalid; "
            "pass a positive finite rate (e.g. 1/3)."
        )
    _check_counts(population, "population")
    out = population.astype(float) * float(visits_per_resident_per_year)
    out.name = "bezoeken_per_jaar"
    return out


@dataclass(frozen=True)
class ProductAssumption:
    """One counter product and the assumptions that turn residents into visits.

    Visits per year for an area = residents in ``age_groups`` x ``uptake`` / ``validity_years``,
    i.e. the steady-state renewal frequency of a document held by ``uptake`` of the group.

    Attributes
    ----------
    name_nl : str
        Dutch label for the committee report (also the output column name).
    age_groups : tuple of str
        Column(s) of the age-count table this product applies to; a single string is
        accepted and turned into a 1-tuple.
    validity_years : float
        Validity of the document in years (> 0).
    uptake : float
        Share of the age group that holds (and renews) the document, in [0, 1].
    source : str
        Where ``validity_years`` and ``uptake`` come from; say "assumption" if unsourced.
    """

    name_nl: str
    age_groups: tuple[str, ...]
    validity_years: float
    uptake: float
    source: str

    def __post_init__(self) -> None:
        groups = (self.age_groups,) if isinstance(self.age_groups, str) else tuple(self.age_groups)
        if not groups:
            raise ParameterError(f"ProductAssumption {self.name_nl!r}: age_groups is empty; name at least one column.")
        object.__setattr__(self, "age_groups", groups)
        if not (math.isfinite(self.validity_years) and self.validity_years > 0):
            raise ParameterError(
                f"ProductAssumption {self.name_nl!r}: validity_years={self.validity_years!r}; must be > 0."
            )
        if not (0.0 <= self.uptake <= 1.0):
            raise ParameterError(f"ProductAssumption {self.name_nl!r}: uptake={self.uptake!r}; must be in [0, 1].")


#: Age-group column names that :data:`DEFAULT_PRODUCTS` expect. They must partition the
#: population (every resident in exactly one column) when no separate population is given
#: to :func:`product_demand`.
DEFAULT_AGE_GROUPS: tuple[str, ...] = ("0_17", "18_74", "75_plus")

_SRC_PASPOORTWET = (
    "Paspoortwet change in force 9 March 2014: passport and Dutch ID card valid 10 years for "
    "applicants aged 18+, 5 years under 18 (Rijksoverheid / RvIG)."
)
_SRC_RIJBEWIJS = (
    "Dutch driving licence: 10 years; applicants aged 65-69 get a licence valid until their 75th "
    "birthday, aged 70-74 at most 5 years, aged 75+ 5 years after a medical declaration (CBR / "
    "Rijksoverheid rules for older drivers). Consequence used here: a driver on a 10-year cycle "
    "renews exactly once between ages 65 and 75, so 18-74 renews on average once per 10 years."
)
_UPTAKE_NOTE = (
    " Uptake 1.0 is an unsourced ASSUMPTION (every resident of the group holds the document); "
    "the calibration to the observed visit rate absorbs the overall level but not the product mix."
)

#: Products whose validity can be sourced. Uptake shares could not be sourced and are 1.0;
#: see ``source`` of each entry. Uittreksels and other burgerzaken products have no validity
#: period and are not modelled; calibration (``calibrate_to_rate``) spreads their volume over
#: these products in proportion.
DEFAULT_PRODUCTS: tuple[ProductAssumption, ...] = (
    ProductAssumption(
        name_nl="paspoort/ID-kaart volwassene",
        age_groups=("18_74", "75_plus"),
        validity_years=10,  # Paspoortwet, since 9 March 2014, age 18+
        uptake=1.0,  # ASSUMPTION, absorbed by calibration
        source=_SRC_PASPOORTWET + _UPTAKE_NOTE,
    ),
    ProductAssumption(
        name_nl="paspoort/ID-kaart minderjarige",
        age_groups=("0_17",),
        validity_years=5,  # Paspoortwet, since 9 March 2014, under 18
        uptake=1.0,  # ASSUMPTION, absorbed by calibration
        source=_SRC_PASPOORTWET + _UPTAKE_NOTE,
    ),
    ProductAssumption(
        name_nl="rijbewijs 18-74",
        age_groups=("18_74",),
        validity_years=10,  # Dutch driving licence 10 years (65-74: once per decade, see source)
        uptake=1.0,  # ASSUMPTION, absorbed by calibration
        source=_SRC_RIJBEWIJS + _UPTAKE_NOTE,
    ),
    ProductAssumption(
        name_nl="rijbewijs 75+",
        age_groups=("75_plus",),
        validity_years=5,  # 75+: 5 years after medical declaration (CBR)
        uptake=1.0,  # ASSUMPTION, absorbed by calibration
        source=_SRC_RIJBEWIJS + _UPTAKE_NOTE,
    ),
)


def product_demand(
    age_counts: pd.DataFrame,
    products: Sequence[ProductAssumption] = DEFAULT_PRODUCTS,
    *,
    calibrate_to_rate: float | None = VISITS_PER_RESIDENT_PER_YEAR,  # informatienota 2021/547821
    population: pd.Series | None = None,
) -> pd.DataFrame:
    """Visits per area per year, split by product.

    For each product, visits = (sum of the product's age-group columns) x uptake / validity.
    With ``calibrate_to_rate`` set, every product is multiplied by one common factor so that
    the municipal total equals ``population.sum() * calibrate_to_rate``; the product mix and
    the spatial pattern (driven by age structure) are kept.

    Parameters
    ----------
    age_counts : pd.DataFrame
        Residents per area (rows, index = area code) and age group (columns).
    products : sequence of ProductAssumption, default DEFAULT_PRODUCTS
        Products to compute; names must be unique. ``DEFAULT_PRODUCTS`` needs the columns in
        :data:`DEFAULT_AGE_GROUPS`.
    calibrate_to_rate : float or None, default 1/3
        Target visits per resident per year for the municipal total (Haarlem informatienota
        2021/547821). ``None`` returns the uncalibrated renewal arithmetic (factor 1.0).
    population : pd.Series, optional
        Residents per area used for the calibration target. If omitted, the row sums of
        ``age_counts`` are used, which is only right if its columns partition the population.

    Returns
    -------
    pd.DataFrame
        Index = areas, one column per product (``name_nl``), values visits per year.
        ``.attrs["calibration_factor"]`` holds the common factor (1.0 without calibration),
        ``.attrs["products"]`` the product assumptions as a list of dicts.

    Raises
    ------
    DataError
        If an age-group column is missing, or counts are negative/missing.
    ParameterError
        If product names repeat, the rate is not positive, or the raw total is zero.
    """
    names = [p.name_nl for p in products]
    if not products:
        raise ParameterError("products is empty; pass at least one ProductAssumption (e.g. DEFAULT_PRODUCTS).")
    if len(set(names)) != len(names):
        raise ParameterError(f"product names repeat in {names}; give each ProductAssumption a unique name_nl.")
    needed = sorted({g for p in products for g in p.age_groups})
    missing = [g for g in needed if g not in age_counts.columns]
    if missing:
        raise DataError(
            f"age_counts lacks age-group column(s) {missing}; found {list(age_counts.columns)}. "
            "Rename the columns or pass products whose age_groups match."
        )
    _check_counts(age_counts[needed], "age_counts")

    out = pd.DataFrame(index=age_counts.index)
    for p in products:
        persons = age_counts[list(p.age_groups)].astype(float).sum(axis=1)
        out[p.name_nl] = persons * p.uptake / p.validity_years

    factor = 1.0
    if calibrate_to_rate is not None:
        if not (math.isfinite(calibrate_to_rate) and calibrate_to_rate > 0):
            raise ParameterError(f"calibrate_to_rate={calibrate_to_rate!r}; pass a positive rate or None.")
        if population is None:
            pop_total = float(age_counts.astype(float).sum(axis=1).sum())
        else:
            _check_counts(population, "population")
            pop_total = float(population.sum())
        raw_total = float(out.to_numpy().sum())
        if raw_total <= 0:
            raise ParameterError(
                "uncalibrated product demand is zero (no residents in the products' age groups or all "
                "uptakes 0); cannot calibrate. Check age_counts and products."
            )
        factor = pop_total * calibrate_to_rate / raw_total
        out = out * factor
    out.attrs["calibration_factor"] = factor
    out.attrs["products"] = [
        {
            "name_nl": p.name_nl,
            "age_groups": list(p.age_groups),
            "validity_years": p.validity_years,
            "uptake": p.uptake,
            "source": p.source,
        }
        for p in products
    ]
    return out


def renewal_wave_factor(
    year: int,
    *,
    change_year: int = 2014,  # Paspoortwet change in force 9 March 2014
    old_validity: int = 5,  # adult passport/ID validity before 9 March 2014
    new_validity: int = 10,  # adult passport/ID validity from 9 March 2014
) -> float:
    """Expected adult passport/ID renewals in ``year`` relative to the 10-year steady state.

    Pure cohort model. Assumptions: before ``change_year`` adult documents lasted
    ``old_validity`` years and their issue dates were spread evenly; everybody renews exactly
    when the document expires; from ``change_year`` on every new adult document lasts
    ``new_validity`` years. The steady state (factor 1.0) is ``1/new_validity`` renewals per
    adult per year.

    With the defaults (5 -> 10 years, change in 2014) this gives:

    * before 2014: 2.0 (everybody renewed every 5 years);
    * 2014-2018: 2.0 (the last 5-year documents, issued 2009-2013, expire and are replaced by
      10-year documents);
    * 2019-2023: 0.0 (trough: documents issued 2014-2018 are still valid, and nothing issued
      2009-2013 is left to expire);
    * 2024-2028: 2.0 (peak: the 2014-2018 10-year documents expire);
    * and so on with period ``new_validity``, alternating blocks of ``old_validity`` years.

    The real curve is damped: first documents at age 18, lost/stolen documents, early renewals,
    migration and deaths keep demand above 0 in the trough and below 2 in the peak, and the
    waves flatten over time. No sourced damping figure is used here; treat the output as the
    direction and timing of the wave, not its exact height. It applies to adult documents only
    (minors stayed at 5 years). The change date (9 March) is rounded to the year.

    Parameters
    ----------
    year : int
        Calendar year.
    change_year : int, default 2014
        First year of the new validity (Paspoortwet change, 9 March 2014).
    old_validity, new_validity : int, default 5 and 10
        Adult validity in years before and after the change (Paspoortwet).

    Returns
    -------
    float
        Multiplier on adult document demand relative to the long-run steady state.

    Raises
    ------
    ParameterError
        If validities are not positive or ``new_validity`` is not a multiple of ``old_validity``
        (the simple block pattern above only holds then).

    Examples
    --------
    The pure cohort pattern around the 2014 change (trough 2019-2023, peak 2024-2028):

    >>> [renewal_wave_factor(y) for y in (2016, 2021, 2026, 2031)]
    [2.0, 0.0, 2.0, 0.0]
    """
    if old_validity <= 0 or new_validity <= 0:
        raise ParameterError(f"validities must be positive (got old={old_validity}, new={new_validity}).")
    if new_validity % old_validity != 0:
        raise ParameterError(
            f"new_validity={new_validity} is not a multiple of old_validity={old_validity}; this simple "
            "cohort model only covers that case (e.g. 5 -> 10 years)."
        )
    if year < change_year:
        return new_validity / old_validity
    # Renewals in year t >= change_year: documents expiring in t. Issuance in year s is
    # N/old for s < change_year; for s >= change_year it equals the renewals in s.
    # Expiring in t: issued in t - old (if that is before change_year) or t - new.
    # Simulate the yearly issuance sequence (short, exact).
    issued: dict[int, float] = {}
    ss = 1.0 / new_validity

    def issuance(s: int) -> float:
        if s < change_year:
            return 1.0 / old_validity
        if s not in issued:
            src_old = s - old_validity
            # a document expiring in s was issued either before the change (old validity)
            # or after it (new validity); both cannot apply to the same issue year
            amount = issuance(src_old) if src_old < change_year else 0.0
            src_new = s - new_validity
            if src_new >= change_year:
                amount += issuance(src_new)
            issued[s] = amount
        return issued[s]

    for s in range(change_year, year + 1):  # fill iteratively, no deep recursion
        issuance(s)
    return issuance(year) / ss


#: Age-group columns available from CBS KWB (0-14, 15-64, 65+); see :func:`kwb_age_counts`.
KWB_AGE_GROUPS: tuple[str, ...] = ("0_14", "15_64", "65_plus")
_KWB_NOTE = (
    " KWB has no 18+ or 75+ counts: 15-17 year-olds are counted with the adults and 65+ with the "
    "10-year driving-licence cycle, so the product mix is an approximation."
)

#: The same products with the age groups that CBS KWB publishes (illustration of the product
#: mix; the total is calibrated to the observed visit rate).
KWB_PRODUCTS: tuple[ProductAssumption, ...] = (
    ProductAssumption("paspoort/ID-kaart volwassene", ("15_64", "65_plus"), 10, 1.0, _SRC_PASPOORTWET + _UPTAKE_NOTE + _KWB_NOTE),
    ProductAssumption("paspoort/ID-kaart minderjarige", ("0_14",), 5, 1.0, _SRC_PASPOORTWET + _UPTAKE_NOTE + _KWB_NOTE),
    ProductAssumption("rijbewijs", ("15_64", "65_plus"), 10, 1.0, _SRC_RIJBEWIJS + _UPTAKE_NOTE + _KWB_NOTE),
)


def kwb_age_counts(inwoners: pd.Series, inwoners_0_14: pd.Series, inwoners_65plus: pd.Series) -> pd.DataFrame:
    """Age-group counts (:data:`KWB_AGE_GROUPS`) from KWB inhabitants, 0-14 and 65+ counts.

    Missing sub-counts are treated as 0 and 15-64 is the remainder (never negative).
    """
    young = inwoners_0_14.fillna(0)
    old = inwoners_65plus.fillna(0)
    middle = (inwoners.fillna(0) - young - old).clip(lower=0)
    return pd.DataFrame({"0_14": young, "15_64": middle, "65_plus": old})
