"""Demand for counter visits: baseline, split by product, observed visits and a count model.

Functions here are pure: no file or network I/O, inputs are never mutated, every random
draw takes a ``seed``. Errors are :class:`decentraal.errors.DataError` (bad input data) or
:class:`decentraal.errors.ParameterError` (bad arguments); both subclass ``ValueError``.

Units: visits per year; rates are visits per resident per year.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from decentraal.errors import DataError, DecentraalError, ParameterError

__all__ = [
    "VISITS_PER_RESIDENT_PER_YEAR",
    "ProductAssumption",
    "DEFAULT_AGE_GROUPS",
    "DEFAULT_PRODUCTS",
    "VISIT_COLUMNS",
    "ModelFitError",
    "VisitModel",
    "baseline_demand",
    "product_demand",
    "renewal_wave_factor",
    "validate_visits",
    "fit_visit_glm",
    "overdispersion_test",
    "synthetic_visits",
]

#: Physical visits to the central counter per resident per year.
#: Source: gemeente Haarlem, informatienota 2021/547821: "gemiddeld genomen Haarlemmers
#: slechts een keer per drie jaar het fysieke loket" -> 1/3 per resident per year.
VISITS_PER_RESIDENT_PER_YEAR: float = 1 / 3

#: Columns of an observed-visits file (see :func:`validate_visits`).
VISIT_COLUMNS: tuple[str, ...] = ("gebied", "product", "jaar", "bezoeken")


class ModelFitError(DecentraalError, ValueError):
    """A count model did not converge or cannot be fitted on the data given."""


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


# ---------------------------------------------------------------------------
# Observed visits
# ---------------------------------------------------------------------------

_AREA_PATTERNS = {
    "buurt": re.compile(r"^BU\d{8}$"),
    "wijk": re.compile(r"^WK\d{6}$"),
    "postcode": re.compile(r"^[1-9]\d{3}$"),
}


def _format_rows(rows: Sequence[int]) -> str:
    return ", ".join(str(r) for r in rows)


def validate_visits(
    df: pd.DataFrame,
    *,
    source_name: str,
    valid_codes: Collection[str],
) -> pd.DataFrame:
    """Check an observed-visits table from the municipality and return a clean copy.

    Expected columns: ``gebied`` (CBS buurt code ``BU`` + 8 digits, wijk code ``WK`` + 6 digits,
    or a 4-digit postcode), ``product`` (text), ``jaar`` (4-digit year), ``bezoeken``
    (non-negative integer). Extra columns are kept.

    Row numbers in messages are 1-based file rows counting the header as row 1, i.e. the
    n-th data row is row n + 1. This assumes ``df`` holds the data rows in file order with a
    single header line (as ``pd.read_csv``/``read_excel`` give by default); the index of
    ``df`` is ignored.

    Every problem found is reported in one error (no row is silently dropped): unknown area
    codes are all listed, as are malformed values and duplicate ``(gebied, product, jaar)``
    rows.

    Parameters
    ----------
    df : pd.DataFrame
        The table as read from the file.
    source_name : str
        File name shown in messages.
    valid_codes : collection of str
        Area codes that exist in the study area (buurt/wijk codes and/or postcodes).

    Returns
    -------
    pd.DataFrame
        A new DataFrame: ``gebied`` and ``product`` as stripped strings, ``jaar`` and
        ``bezoeken`` as int64, a fresh RangeIndex, and ``.attrs["source_name"]``.

    Raises
    ------
    DataError
        Listing every problem with file name, row number and what to do.
    """
    missing = [c for c in VISIT_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(
            f"{source_name}, row 1 (header): missing column(s) {missing}; found {list(df.columns)}. "
            f"The file needs the columns {list(VISIT_COLUMNS)}; rename the header accordingly."
        )
    out = df.reset_index(drop=True).copy()
    file_rows = np.arange(len(out)) + 2
    problems: list[str] = []

    # gebied ---------------------------------------------------------------
    def _code(v: object) -> str | None:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and float(v).is_integer()):
            return str(int(v))  # postcodes read as numbers
        return str(v).strip()

    codes = [_code(v) for v in out["gebied"]]
    empty_rows = [int(file_rows[i]) for i, c in enumerate(codes) if not c]
    if empty_rows:
        problems.append(f"empty 'gebied' in row(s) {_format_rows(empty_rows)}: fill in the area code.")
    bad_format = [
        (int(file_rows[i]), c) for i, c in enumerate(codes) if c and not any(p.match(c) for p in _AREA_PATTERNS.values())
    ]
    if bad_format:
        listed = "; ".join(f"row {r}: {c!r}" for r, c in bad_format)
        problems.append(
            f"malformed 'gebied' ({listed}): use a CBS buurt code (BU + 8 digits), wijk code "
            "(WK + 6 digits) or a 4-digit postcode."
        )
    valid = {str(v) for v in valid_codes}
    bad_fmt_rows = {r for r, _ in bad_format}
    unknown = [
        (int(file_rows[i]), c)
        for i, c in enumerate(codes)
        if c and int(file_rows[i]) not in bad_fmt_rows and c not in valid
    ]
    if unknown:
        listed = "; ".join(f"row {r}: {c}" for r, c in unknown)
        problems.append(
            f"{len(unknown)} unknown area code(s) ({listed}): these codes are not in the study area's "
            "code list; correct them or map old codes to the current CBS indeling before loading."
        )
    out["gebied"] = pd.Series([c if c is not None else "" for c in codes], index=out.index, dtype=str)

    # product --------------------------------------------------------------
    prod = out["product"]
    empty_prod = [int(file_rows[i]) for i, v in enumerate(prod) if pd.isna(v) or not str(v).strip()]
    if empty_prod:
        problems.append(f"empty 'product' in row(s) {_format_rows(empty_prod)}: fill in the product name.")
    out["product"] = pd.Series(["" if pd.isna(v) else str(v).strip() for v in prod], index=out.index, dtype=str)

    # jaar and bezoeken ----------------------------------------------------
    def _integers(col: str, *, lo: int, hi: int | None, what: str) -> pd.Series:
        num = pd.to_numeric(out[col], errors="coerce")
        raw = out[col]
        nonnum = [int(file_rows[i]) for i in range(len(out)) if pd.isna(num.iloc[i]) and not pd.isna(raw.iloc[i])]
        nan_rows = [int(file_rows[i]) for i in range(len(out)) if pd.isna(raw.iloc[i])]
        if nonnum:
            vals = "; ".join(f"row {r}: {raw.iloc[r - 2]!r}" for r in nonnum)
            problems.append(f"non-numeric '{col}' ({vals}): {what}.")
        if nan_rows:
            problems.append(f"missing '{col}' in row(s) {_format_rows(nan_rows)}: {what}.")
        ok = num.notna()
        arr = num.to_numpy(dtype=float, na_value=np.nan)
        nonint = [int(file_rows[i]) for i in range(len(out)) if ok.iloc[i] and not float(arr[i]).is_integer()]
        if nonint:
            vals = "; ".join(f"row {r}: {arr[r - 2]:g}" for r in nonint)
            problems.append(f"non-integer '{col}' ({vals}): {what}.")
        out_of_range = [
            int(file_rows[i])
            for i in range(len(out))
            if ok.iloc[i] and (arr[i] < lo or (hi is not None and arr[i] > hi))
        ]
        if out_of_range:
            vals = "; ".join(f"row {r}: {arr[r - 2]:g}" for r in out_of_range)
            rng = f">= {lo}" if hi is None else f"between {lo} and {hi}"
            problems.append(f"'{col}' out of range ({vals}): must be {rng}; {what}.")
        return num

    jaar = _integers("jaar", lo=1000, hi=9999, what="give the calendar year as a 4-digit integer")
    bez = _integers("bezoeken", lo=0, hi=None, what="give the number of visits as a whole number >= 0")

    # duplicates -----------------------------------------------------------
    if not problems:
        key = pd.DataFrame({"g": out["gebied"], "p": out["product"], "j": jaar})
        dup = key.duplicated(keep=False)
        if dup.any():
            groups = key[dup].groupby(["g", "p", "j"]).groups
            listed = "; ".join(
                f"{g}/{p}/{int(j)} in rows {_format_rows([int(file_rows[i]) for i in idx])}"
                for (g, p, j), idx in groups.items()
            )
            problems.append(
                f"duplicate (gebied, product, jaar) rows ({listed}): each combination may occur once; "
                "sum or remove the duplicates in the source."
            )

    if problems:
        raise DataError(f"{source_name}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    out["jaar"] = jaar.astype("int64")
    out["bezoeken"] = bez.astype("int64")
    out.attrs["source_name"] = source_name
    return out


# ---------------------------------------------------------------------------
# Count model
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class VisitModel:
    """A fitted visit-count model with a log-exposure offset.

    ``log E[count] = log(exposure) + const + sum_k b_k x_k``; with exposure in resident-years
    ``exp(const + x'b)`` is the visit rate per resident per year.

    Attributes
    ----------
    family : {"poisson", "negbin"}
        Family fitted. "negbin" is NB2 (Var = mu + alpha mu^2) with alpha estimated by
        maximum likelihood (``statsmodels.discrete.NegativeBinomial``).
    count, exposure : str
        Column names used.
    covariates : tuple of str
        Covariate names (the intercept is ``"const"``).
    params, bse : pd.Series
        Coefficients and standard errors on the log scale, index ``["const", *covariates]``
        (alpha is NOT included; see ``alpha``).
    conf_int : pd.DataFrame
        95 % Wald intervals, columns ``["lower", "upper"]``.
    aic : float
        Akaike information criterion (for "negbin" alpha counts as a parameter).
    deviance, pearson_chi2 : float
        Of the fitted family (for "negbin" evaluated at the estimated alpha).
    df_resid : float
        Residual degrees of freedom (n - number of coefficients).
    dispersion : float
        ``pearson_chi2 / df_resid`` of this model; ~1 if the family fits the variance.
    poisson_dispersion : float
        Pearson dispersion of the Poisson fit on the same data; > 1 means overdispersion
        relative to Poisson (reported for both families).
    alpha, alpha_se : float or None
        NB2 dispersion parameter and its standard error ("negbin" only).
    nobs : int
        Number of observations.
    observed, fitted, fitted_poisson : np.ndarray
        Counts, fitted means of this model and of the Poisson fit (used by
        :func:`overdispersion_test`).
    """

    family: Literal["poisson", "negbin"]
    count: str
    exposure: str
    covariates: tuple[str, ...]
    params: pd.Series
    bse: pd.Series
    conf_int: pd.DataFrame
    aic: float
    deviance: float
    pearson_chi2: float
    df_resid: float
    dispersion: float
    poisson_dispersion: float
    alpha: float | None
    alpha_se: float | None
    nobs: int
    observed: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    fitted_poisson: np.ndarray = field(repr=False)

    def summary_table(self) -> pd.DataFrame:
        """Coefficient table.

        Returns
        -------
        pd.DataFrame
            Index = term; columns ``coef``, ``se``, ``z``, ``p_value``, ``ci_lower``,
            ``ci_upper`` (log scale) and ``rate_ratio``, ``rr_ci_lower``, ``rr_ci_upper``
            (exponentiated: multiplicative effect of +1 unit of the covariate on the rate).
        """
        z = self.params / self.bse
        p = 2 * stats.norm.sf(np.abs(z))
        return pd.DataFrame(
            {
                "coef": self.params,
                "se": self.bse,
                "z": z,
                "p_value": p,
                "ci_lower": self.conf_int["lower"],
                "ci_upper": self.conf_int["upper"],
                "rate_ratio": np.exp(self.params),
                "rr_ci_lower": np.exp(self.conf_int["lower"]),
                "rr_ci_upper": np.exp(self.conf_int["upper"]),
            }
        )

    def predict_rate(self, covariate_frame: pd.DataFrame) -> pd.Series:
        """Predicted visits per resident per year (exposure = 1 resident-year).

        Parameters
        ----------
        covariate_frame : pd.DataFrame
            Must contain every column in ``covariates``; other columns are ignored.

        Returns
        -------
        pd.Series
            Rate per row, same index as ``covariate_frame``, name ``"bezoeken_per_inwoner"``.

        Raises
        ------
        DataError
            If a covariate column is missing or has missing values.
        """
        missing = [c for c in self.covariates if c not in covariate_frame.columns]
        if missing:
            raise DataError(
                f"covariate_frame lacks column(s) {missing} used in the model; add them (same names and units)."
            )
        X = covariate_frame[list(self.covariates)].astype(float)
        if X.isna().any().any():
            raise DataError("covariate_frame has missing covariate values; impute or drop those rows first.")
        eta = self.params["const"] + X.to_numpy() @ self.params[list(self.covariates)].to_numpy()
        return pd.Series(np.exp(eta), index=covariate_frame.index, name="bezoeken_per_inwoner")


def _design(df: pd.DataFrame, count: str, exposure: str, covariates: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    cols = [count, exposure, *covariates]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"model data lacks column(s) {missing}; found {list(df.columns)}.")
    if "const" in covariates:
        raise ParameterError("a covariate is named 'const'; rename it, the intercept uses that name.")
    if len(set(covariates)) != len(covariates):
        raise ParameterError(f"covariates repeat: {list(covariates)}; list each once.")
    sub = df[cols].apply(pd.to_numeric, errors="coerce")
    bad = sub.isna().any(axis=1)
    if bad.any():
        raise DataError(
            f"{int(bad.sum())} row(s) have missing or non-numeric values in {cols} "
            f"(first index labels: {list(sub.index[bad][:10])}); drop or fill them before fitting."
        )
    y = sub[count].to_numpy(dtype=float)
    if np.any(y < 0) or np.any(y != np.round(y)):
        raise DataError(f"column {count!r} must hold non-negative whole counts.")
    expo = sub[exposure].to_numpy(dtype=float)
    if np.any(expo <= 0):
        raise DataError(
            f"column {exposure!r} has values <= 0; exposure (resident-years) must be positive. "
            "Drop areas without residents."
        )
    X = sm.add_constant(sub[list(covariates)].astype(float), has_constant="add")
    X = X[["const", *covariates]]
    if len(y) <= X.shape[1]:
        raise DataError(f"{len(y)} rows for {X.shape[1]} coefficients; need more observations than coefficients.")
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise DataError(f"covariates {list(covariates)} are collinear (or constant); drop redundant ones.")
    return y, X, expo


def fit_visit_glm(
    df: pd.DataFrame,
    *,
    count: str,
    exposure: str,
    covariates: Sequence[str],
    family: Literal["poisson", "negbin"] = "poisson",
) -> VisitModel:
    """Fit a Poisson or negative-binomial (NB2) count model with ``log(exposure)`` offset.

    Parameters
    ----------
    df : pd.DataFrame
        One row per observation (area, or area-year).
    count : str
        Column with observed visits.
    exposure : str
        Column with resident-years at risk (residents x years covered by the count), > 0.
    covariates : sequence of str
        Numeric covariate columns; an intercept ``"const"`` is always added.
    family : {"poisson", "negbin"}, default "poisson"
        "poisson": ``statsmodels`` GLM, Poisson family, log link.
        "negbin": ``statsmodels.discrete.NegativeBinomial`` (NB2, alpha by ML, started from
        the Poisson estimates, Newton); deviance and Pearson chi2 come from a GLM with the
        NB family at the estimated alpha.

    Returns
    -------
    VisitModel

    Raises
    ------
    DataError
        Missing columns, non-numeric/missing values, negative counts, exposure <= 0,
        collinear covariates, too few rows.
    ParameterError
        Unknown family.
    ModelFitError
        If the negative-binomial likelihood does not converge.
    """
    if family not in ("poisson", "negbin"):
        raise ParameterError(f"family={family!r}; use 'poisson' or 'negbin'.")
    covariates = tuple(covariates)
    y, X, expo = _design(df, count, exposure, covariates)
    offset = np.log(expo)

    pois = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit()
    mu_pois = np.asarray(pois.fittedvalues, dtype=float)
    pois_disp = float(pois.pearson_chi2 / pois.df_resid)

    if family == "poisson":
        ci = pois.conf_int()
        ci.columns = ["lower", "upper"]
        return VisitModel(
            family="poisson",
            count=count,
            exposure=exposure,
            covariates=covariates,
            params=pd.Series(pois.params, index=X.columns),
            bse=pd.Series(pois.bse, index=X.columns),
            conf_int=ci,
            aic=float(pois.aic),
            deviance=float(pois.deviance),
            pearson_chi2=float(pois.pearson_chi2),
            df_resid=float(pois.df_resid),
            dispersion=pois_disp,
            poisson_dispersion=pois_disp,
            alpha=None,
            alpha_se=None,
            nobs=int(pois.nobs),
            observed=y,
            fitted=mu_pois,
            fitted_poisson=mu_pois,
        )

    # NB2 by maximum likelihood, alpha included; start at Poisson estimates and a
    # moment-based alpha (Cameron-Trivedi slope) for a stable Newton start.
    aux = ((y - mu_pois) ** 2 - y) / mu_pois
    alpha0 = max(float(np.sum(aux * mu_pois) / np.sum(mu_pois**2)), 1e-3)
    nb = sm.NegativeBinomial(y, X, loglike_method="nb2", exposure=expo)
    start = np.append(np.asarray(pois.params), alpha0)
    res = nb.fit(start_params=start, method="newton", maxiter=200, disp=0)
    if not res.mle_retvals.get("converged", False):
        res = nb.fit(start_params=start, method="bfgs", maxiter=2000, disp=0)
    if not res.mle_retvals.get("converged", False):
        raise ModelFitError(
            "negative-binomial fit did not converge; check for extreme covariate values, rescale "
            "covariates (e.g. standardise), or use family='poisson' with a dispersion check."
        )
    names = list(X.columns)
    params_all = pd.Series(np.asarray(res.params), index=[*names, "alpha"])
    bse_all = pd.Series(np.asarray(res.bse), index=[*names, "alpha"])
    alpha = float(params_all["alpha"])
    ci_all = pd.DataFrame(np.asarray(res.conf_int()), index=[*names, "alpha"], columns=["lower", "upper"])
    glm_nb = sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=alpha), offset=offset).fit(
        start_params=params_all[names].to_numpy()
    )
    return VisitModel(
        family="negbin",
        count=count,
        exposure=exposure,
        covariates=covariates,
        params=params_all[names],
        bse=bse_all[names],
        conf_int=ci_all.loc[names],
        aic=float(res.aic),
        deviance=float(glm_nb.deviance),
        pearson_chi2=float(glm_nb.pearson_chi2),
        df_resid=float(glm_nb.df_resid),
        dispersion=float(glm_nb.pearson_chi2 / glm_nb.df_resid),
        poisson_dispersion=pois_disp,
        alpha=alpha,
        alpha_se=float(bse_all["alpha"]),
        nobs=int(len(y)),
        observed=y,
        fitted=np.asarray(res.predict(), dtype=float),
        fitted_poisson=mu_pois,
    )


def overdispersion_test(model: VisitModel) -> dict[str, float | bool | str]:
    """Test for overdispersion relative to Poisson (Cameron & Trivedi 1990, NB2 form).

    Auxiliary OLS without intercept on the **Poisson** fitted means ``mu`` (whatever family
    ``model`` has): ``((y - mu)^2 - y) / mu = alpha * mu + e``. H0: alpha = 0 (equidispersion),
    H1: alpha > 0; one-sided t-test. The Pearson dispersion ratio of the Poisson fit is
    reported next to it.

    Parameters
    ----------
    model : VisitModel
        Output of :func:`fit_visit_glm`.

    Returns
    -------
    dict
        ``method`` (str), ``alpha_aux`` (OLS slope), ``t_stat``, ``p_value`` (one-sided),
        ``pearson_dispersion`` (Poisson Pearson chi2 / df_resid), ``model_dispersion``
        (Pearson ratio of ``model`` itself), ``overdispersed`` (p_value < 0.05).
    """
    y = model.observed
    mu = model.fitted_poisson
    z = ((y - mu) ** 2 - y) / mu
    aux = sm.OLS(z, mu).fit()
    t = float(aux.tvalues[0])
    p = float(stats.t.sf(t, df=aux.df_resid))
    return {
        "method": "Cameron-Trivedi auxiliary regression (NB2: ((y-mu)^2-y)/mu = alpha*mu), one-sided t-test on Poisson fit",
        "alpha_aux": float(aux.params[0]),
        "t_stat": t,
        "p_value": p,
        "pearson_dispersion": float(model.poisson_dispersion),
        "model_dispersion": float(model.dispersion),
        "overdispersed": bool(p < 0.05),
    }


# ---------------------------------------------------------------------------
# Synthetic data
# ---------------------------------------------------------------------------


def synthetic_visits(
    population: pd.Series,
    covariates: pd.DataFrame,
    coefficients: Mapping[str, float],
    intercept: float,
    *,
    seed: int,
    years: Sequence[int] = (2023,),
    product: str = "alle",
    alpha: float = 0.0,
) -> pd.DataFrame:
    """SYNTHETIC visit counts -- FOR TESTS AND DEMOS ONLY, NEVER FOR THE REPORT.

    !!! The numbers produced here are random draws from a model whose coefficients YOU
    chose. They are not observations of Haarlem and must never be presented as such. !!!

    Each area-year gets ``mu = population * exp(intercept + sum_k coefficients[k] * x_k)`` and
    a Poisson draw (``alpha == 0``) or a gamma-Poisson (NB2, Var = mu + alpha mu^2) draw.

    Parameters
    ----------
    population : pd.Series
        Residents per area (index = area code), > 0.
    covariates : pd.DataFrame
        Covariates per area, same index as ``population``; must contain every key of
        ``coefficients``.
    coefficients : mapping of str to float
        True log-rate effects.
    intercept : float
        True log rate at covariates 0 (e.g. ``log(1/3)``).
    seed : int
        Seed for ``numpy.random.default_rng``.
    years : sequence of int, default (2023,)
        One row per area per year.
    product : str, default "alle"
        Product label.
    alpha : float, default 0.0
        NB2 overdispersion of the draws; 0 gives Poisson.

    Returns
    -------
    pd.DataFrame
        Columns ``gebied``, ``product``, ``jaar``, ``bezoeken``, ``inwoners`` (exposure, one
        year), the covariates, ``mu`` (true mean) and ``synthetisch`` (always True);
        ``.attrs["synthetic"] = True``.
    """
    missing = [k for k in coefficients if k not in covariates.columns]
    if missing:
        raise DataError(f"covariates lacks column(s) {missing} named in coefficients; add them or drop those keys.")
    if not population.index.equals(covariates.index):
        if set(population.index) != set(covariates.index):
            raise DataError("population and covariates have different area indexes; align them first.")
        covariates = covariates.loc[population.index]
    _check_counts(population, "population")
    if (population <= 0).any():
        raise DataError("population has areas with 0 residents; drop them (exposure must be > 0).")
    if alpha < 0:
        raise ParameterError(f"alpha={alpha!r}; must be >= 0 (0 = Poisson).")
    rng = np.random.default_rng(seed)
    keys = list(coefficients)
    eta = intercept + (covariates[keys].astype(float).to_numpy() @ np.array([coefficients[k] for k in keys]) if keys else 0.0)
    mu = population.astype(float).to_numpy() * np.exp(eta)
    frames = []
    for year in years:
        if alpha > 0:
            lam = rng.gamma(shape=1 / alpha, scale=alpha * mu)
        else:
            lam = mu
        counts = rng.poisson(lam)
        f = pd.DataFrame(
            {
                "gebied": population.index.astype(str),
                "product": product,
                "jaar": int(year),
                "bezoeken": counts.astype("int64"),
                "inwoners": population.to_numpy(),
            }
        )
        for c in covariates.columns:
            f[c] = covariates[c].to_numpy()
        f["mu"] = mu
        f["synthetisch"] = True
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["synthetic"] = True
    out.attrs["warning"] = "SYNTHETIC data generated by decentraal.demand.synthetic_visits; not observations."
    return out


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
