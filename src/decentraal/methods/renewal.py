"""Counter visits over time: the passport/ID renewal wave, driving licences and other products.

The static model in :mod:`decentraal.methods.demand` gives one number per area per year. This
module follows demand year by year (default 2019-2035) per area, product and *visit type*, so
that the 2019-2023 dip and the 2024-2028 peak of the travel-document cycle, and the fact that a
document costs two counter visits (application and collection), reach the capacity and cost
steps.

Pure functions: no file or network I/O, inputs are never mutated, nothing is random. Errors are
:class:`decentraal.errors.DataError` (bad input data) or :class:`decentraal.errors.ParameterError`
(bad arguments); both name the thing that is wrong and the fix.

Model in short
--------------
All flows per year; ``A`` adults 18+, ``M`` minors 0-17, ``C18`` residents turning 18 in a year
(see :func:`age_groups_from_kwb` for how they come from KWB counts).

Adult travel documents (passport + ID card), per document holder (``u_a * A`` holders):

* exits per year ``h = h_demo + lam + l``: ``h_demo = C18 / A`` (death/emigration; equal to the
  inflow at 18 in a stationary population), ``lam = 1 - (1 - q) ** (1/10)`` (holders who let the
  document lapse; ``q`` = :attr:`RenewalAssumptions.non_renewal`) and ``l`` (lost/stolen,
  :attr:`RenewalAssumptions.lost_rate`). A document survives to its expiry with ``S_V = (1-h)**V``.
* entries per year ``e = h``: first adult document at 18 (``h_demo``), lapsed holders who apply
  again later (``lam``, a steady flow) and replacements of lost/stolen documents (``l``). So the
  number of holders stays constant, whatever the validity.
* issuance ``I(s) = e + R(s)``; expiring ``X(t) = f_old(t-5) I(t-5) S_5 + f_new(t-10) I(t-10) S_10``
  with ``f_old(u)`` the share of year ``u``'s issues made under the 5-year rule (1 before 2014,
  ``67/365`` in 2014 -- 1 January to 9 March, issues spread evenly over the year --, 0 after)
  and ``f_new = 1 - f_old``; renewals ``R(s) = p_early X(s+1) + p_on X(s) + p_late X(s-1)``.
* history: before 2014 the process is in its 5-year steady state ``I = e / (1 - S_5)`` (no echo
  of older shocks, such as the end of children's entries in parents' passports on 27 June 2012);
  from 2014 on it is simulated year by year.

Minors' documents: ``u_m * M * (1/5 + l)`` (5-year validity, stationary). Driving licences:
``u_rb * A_18_74 / 10 + u_rb75 * A_75plus / 5`` renewals, ``u_rb * C18`` first licences and
``l`` x holders replacements. Other products (extracts, statements, ...): a share ``s_o`` of
the area's steady-state visits, ``s_o / (1 - s_o)`` x the document visits of the 10-year steady
state, constant over the years.

Visits: every document application is one ``aanvraag`` visit (``documents_per_visit`` documents
per visit for travel documents) followed by ``collection_share`` ``afhalen`` visits; other
products are one ``enkel`` visit. Population and age structure are held at the input counts for
every year (no growth, no ageing).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import ClassVar

import numpy as np
import pandas as pd

from decentraal.errors import DataError, ParameterError

__all__ = [
    "ADULT_VALIDITY_AFTER",
    "ADULT_VALIDITY_BEFORE",
    "AGE_GROUP_COLUMNS",
    "DEFAULT_MONTHLY_PROFILE",
    "KWB_COLUMNS",
    "LICENCE_VALIDITY",
    "LICENCE_VALIDITY_75PLUS",
    "MINOR_VALIDITY",
    "NATIONAL_STAND_IN",
    "PUBLISHED_NATIONAL",
    "REFERENCE_YEARS",
    "VALIDITY_CHANGE_DATE",
    "YEARS",
    "DemandOverTime",
    "MonthlyVisits",
    "RenewalAssumptions",
    "age_groups_from_kwb",
    "anchor_to_rate",
    "demand_from_groups",
    "demand_over_time",
    "monthly_profile",
    "monthly_visits",
    "national_check",
]

# ---------------------------------------------------------------------------
# Sourced rules and constants
# ---------------------------------------------------------------------------

#: Paspoortwet change: from 9 March 2014 passports and ID cards of applicants aged 18+ are valid
#: 10 years, before 5 years; minors 5 years throughout. Source: Rijksoverheid press release
#: 29 September 2012; municipal product pages (e.g. vlissingen.nl). See data/FACTS.md.
VALIDITY_CHANGE_DATE: date = date(2014, 3, 9)
ADULT_VALIDITY_BEFORE: int = 5
ADULT_VALIDITY_AFTER: int = 10
MINOR_VALIDITY: int = 5

#: Driving licence (category B): 10 years; applicants aged 65-69 get a licence valid until their
#: 75th birthday and 70-74 at most 5 years, so a driver on a 10-year cycle renews once between
#: 65 and 75 (taken here as once per 10 years up to 74); from 75 on every renewal needs a medical
#: declaration (CBR "Gezondheidsverklaring") and is taken as 5 years. Sources: huizen.nl
#: "Rijbewijs 65+", vlissingen.nl "Rijbewijs gezondheidsverklaring", verlengenrijbewijs.nl
#: (75+ rule since 1 January 2014); the same rules as ``demand._SRC_RIJBEWIJS``.
LICENCE_VALIDITY: int = 10
LICENCE_VALIDITY_75PLUS: int = 5

#: Default horizon: 2020-2035 plus 2019, the first year of the default reference period.
YEARS: range = range(2019, 2036)

#: Default reference period for :func:`anchor_to_rate` (see its docstring for the argument).
REFERENCE_YEARS: tuple[int, ...] = (2019, 2020)

#: Columns :func:`demand_over_time` reads (CBS KWB names as in ``indicatoren_buurt``).
KWB_COLUMNS: tuple[str, str, str] = ("inwoners", "inwoners_0_14", "inwoners_65plus")

#: Model age groups (:func:`age_groups_from_kwb`): residents 0-17, residents turning 18 per year,
#: adults 18-74 and adults 75+ (the two adult groups add up to all residents 18+).
AGE_GROUP_COLUMNS: tuple[str, str, str, str] = ("minderjarig", "cohort_18", "volwassen_18_74", "volwassen_75plus")

#: KWB has 15-64 as one group: ages 15..64 are taken as uniform (50 single years), so 15-17 is
#: 3/50 of the group, the yearly cohort turning 18 is 1/50 and 18-64 is 47/50.
_AGES_15_64 = 50

PRODUCTS: tuple[str, str, str] = ("reisdocument", "rijbewijs", "overig")
VISIT_TYPES: tuple[str, str, str] = ("aanvraag", "afhalen", "enkel")

#: Published national figures used by :func:`national_check` (data/FACTS.md; EenVandaag March 2024
#: quoting the Ministry of Foreign Affairs; NVVB "Reisdocumentendip"). Ranges stay ranges.
PUBLISHED_NATIONAL: dict[str, object] = {
    "documents_2023": 1_000_000 + 600_000,  # "about" 1.0 M passports + 0.6 M ID cards issued in 2023
    "documents_2024_range": (1_600_000 + 1_200_000, 1_700_000 + 1_300_000),  # forecast for 2024
    "ratio_2024_2023_range": (2.8 / 1.6, 3.0 / 1.6),  # 1.75 .. 1.875
    "dip_2019_2023_at_least": 0.75,  # NVVB: "ruim 75% minder aanvragen" in 2019-2023
}

#: National age structure used as the stand-in for :func:`national_check`: CBS population by age,
#: peildatum second Friday of November 2018 (provisional, marked * in the source), as published by
#: Monitor Langdurige Zorg (monitorlangdurigezorg.nl/kerncijfers/bevolking): 0-17 3,333,105;
#: 18-64 10,604,750; 65-79 2,522,010; 80+ 810,590 (total 17,270,455). Derived by assumption:
#: the cohort turning 18 is 1/18 of 0-17 (uniform ages), and 75-79 is 5/15 of 65-79 (uniform
#: ages; only the driving-licence split uses it, the national check does not).
NATIONAL_STAND_IN: dict[str, float] = {
    "minderjarig": 3_333_105.0,
    "cohort_18": 3_333_105.0 / 18,
    "volwassen_18_74": 10_604_750.0 + 2_522_010.0 * 10 / 15,
    "volwassen_75plus": 810_590.0 + 2_522_010.0 * 5 / 15,
}

# ---------------------------------------------------------------------------
# Assumptions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalAssumptions:
    """Every behavioural parameter of the model, with its default, plausible range and source.

    Values marked *aanname* are assumptions: no public source for Haarlem or the Netherlands was
    found. ``RANGES`` holds the plausible range of each (for sensitivity runs), ``SOURCES`` where
    the default comes from; :meth:`describe` prints both. A value outside its valid domain (not
    the plausible range) raises :class:`ParameterError` naming the parameter.

    The timing and non-renewal defaults were chosen so that :func:`national_check` meets both
    published national facts: the 2024/2023 ratio of travel documents lies within 1.75-1.875 and
    adult renewals in 2019-2023 are more than 75% below their steady state.

    Attributes
    ----------
    uptake_adult : float, default 1.1
        Travel documents (passport and/or ID card) held per resident aged 18+. Aanname, range
        0.9-1.4 (some hold both documents, some none). With the national stand-in it gives about
        1.6 M documents in 2023 and 2.9 M in 2024, near the published 1.6 M and 2.8-3.0 M.
    uptake_minor : float, default 1.0
        Travel documents held per resident aged 0-17. Aanname, range 0.6-1.2.
    share_early : float, default 0.15
        Share of renewals made in the calendar year *before* the document expires. Aanname,
        range 0-0.3.
    share_late : float, default 0.15
        Share of renewals made in the calendar year *after* expiry. Aanname, range 0-0.3. The
        rest (``1 - share_early - share_late``) renews in the expiry year.
    non_renewal : float, default 0.15
        Share of holders still resident at the expiry of a 10-year document who do not renew it
        around expiry (they hold another document, or need none for now) and apply again at an
        unrelated later moment (a steady flow). Aanname, range 0-0.25. The same yearly propensity
        ``1 - (1 - q) ** (1/10)`` gives ``1 - sqrt(1 - q)`` for 5-year documents.
    lost_rate : float, default 0.012
        Lost or stolen documents replaced per document held per year (travel documents and
        driving licences alike). Aanname derived from a source: in 2018 almost 340,000 passports,
        ID cards and driving licences were reported lost or stolen (NOS, July 2019, figures of
        BZK and RDW), i.e. about 0.020 per resident (17.18 M residents, CBS 1 January 2018), which
        at about 1.6 documents held per resident is about 0.012 per document. Range 0.006-0.015
        (not every report leads to a replacement).
    licence_uptake : float, default 0.7
        Share of residents aged 18-74 holding a driving licence, also the share of each cohort that
        gets a first licence around 18. Aanname, range 0.55-0.85.
    licence_uptake_75plus : float, default 0.4
        Share of residents aged 75+ who keep renewing their driving licence. Aanname, range 0.2-0.6.
    share_75plus_in_65plus : float, default 0.45
        Share of KWB's 65+ group aged 75+. Aanname, range 0.35-0.50; the national stand-in with
        uniform ages in 65-79 gives 0.50, an upper bound because cohorts shrink with age.
    other_share : float, default 0.15
        Share of all counter visits in the steady state that are for other products (extracts,
        statements, registrations; one visit each). Aanname, range 0.05-0.30; the nota 2021/547821
        names them among the "topproducten" but gives no split.
    collection_share : float, default 1.0
        Collection visits per document application. Source for travel documents: Den Haag reports
        that a new document is collected after one week, without an appointment (data/FACTS.md,
        seasonality item); for driving licences an aanname. Range 0.8-1.0 (some municipalities
        deliver documents at home).
    documents_per_visit : float, default 1.0
        Travel documents handled in one application visit (passport and ID card, or a family, in
        one visit). Aanname, range 1.0-1.5; 1.0 counts every document as its own visit.
    """

    uptake_adult: float = 1.1
    uptake_minor: float = 1.0
    share_early: float = 0.15
    share_late: float = 0.15
    non_renewal: float = 0.15
    lost_rate: float = 0.012
    licence_uptake: float = 0.7
    licence_uptake_75plus: float = 0.4
    share_75plus_in_65plus: float = 0.45
    other_share: float = 0.15
    collection_share: float = 1.0
    documents_per_visit: float = 1.0

    #: Plausible range of each parameter (for sensitivity runs; not enforced).
    RANGES: ClassVar[dict[str, tuple[float, float]]] = {
        "uptake_adult": (0.9, 1.4),
        "uptake_minor": (0.6, 1.2),
        "share_early": (0.0, 0.3),
        "share_late": (0.0, 0.3),
        "non_renewal": (0.0, 0.25),
        "lost_rate": (0.006, 0.015),
        "licence_uptake": (0.55, 0.85),
        "licence_uptake_75plus": (0.2, 0.6),
        "share_75plus_in_65plus": (0.35, 0.50),
        "other_share": (0.05, 0.30),
        "collection_share": (0.8, 1.0),
        "documents_per_visit": (1.0, 1.5),
    }
    #: Where each default comes from.
    SOURCES: ClassVar[dict[str, str]] = {
        "uptake_adult": "aanname; with the national stand-in near the published 2023/2024 volumes",
        "uptake_minor": "aanname; with the national stand-in near the published 2023/2024 volumes",
        "share_early": "aanname; chosen to meet national_check (FACTS.md ratio and dip)",
        "share_late": "aanname; chosen to meet national_check (FACTS.md ratio and dip)",
        "non_renewal": "aanname; chosen to meet national_check (FACTS.md ratio and dip)",
        "lost_rate": "aanname derived from NOS July 2019 (BZK/RDW: almost 340,000 lost/stolen in 2018) and CBS population",
        "licence_uptake": "aanname",
        "licence_uptake_75plus": "aanname",
        "share_75plus_in_65plus": "aanname; upper bound 0.50 from CBS 2018 65-79/80+ with uniform ages",
        "other_share": "aanname",
        "collection_share": "Den Haag, collection after one week without appointment (FACTS.md); aanname for licences",
        "documents_per_visit": "aanname",
    }
    #: Valid domain (closed interval) of each parameter; outside it the model is meaningless.
    _DOMAIN: ClassVar[dict[str, tuple[float, float]]] = {
        "uptake_adult": (0.0, 5.0),
        "uptake_minor": (0.0, 5.0),
        "share_early": (0.0, 1.0),
        "share_late": (0.0, 1.0),
        "non_renewal": (0.0, 0.9),
        "lost_rate": (0.0, 0.2),
        "licence_uptake": (0.0, 1.0),
        "licence_uptake_75plus": (0.0, 1.0),
        "share_75plus_in_65plus": (0.0, 1.0),
        "other_share": (0.0, 0.95),
        "collection_share": (0.0, 1.0),
        "documents_per_visit": (1.0, 10.0),
    }

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            low, high = self._DOMAIN[f.name]
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ParameterError(f"RenewalAssumptions.{f.name}={value!r} is not a finite number; pass a value in [{low}, {high}].")
            if not low <= value <= high:
                raise ParameterError(
                    f"RenewalAssumptions.{f.name}={value!r} is outside its valid domain [{low}, {high}]; "
                    f"plausible range {self.RANGES[f.name]}."
                )
        if self.share_early + self.share_late > 1.0 + 1e-12:
            raise ParameterError(
                f"RenewalAssumptions.share_early + share_late = {self.share_early + self.share_late:.3f} > 1; "
                "the share renewing in the expiry year would be negative. Lower one of them."
            )

    @property
    def share_on_time(self) -> float:
        """Share of renewals made in the expiry year, ``1 - share_early - share_late``."""
        return 1.0 - self.share_early - self.share_late

    @property
    def lapse_rate(self) -> float:
        """Yearly lapse propensity ``1 - (1 - non_renewal) ** (1/10)`` used in the hazard."""
        return 1.0 - (1.0 - self.non_renewal) ** (1.0 / ADULT_VALIDITY_AFTER)

    def describe(self) -> pd.DataFrame:
        """Table of every parameter: value, plausible range and source (for the report annex).

        Examples
        --------
        >>> RenewalAssumptions().describe().loc["share_early", ["waarde", "bereik_min", "bereik_max"]].tolist()
        [0.15, 0.0, 0.3]
        """
        rows = {
            f.name: {
                "waarde": getattr(self, f.name),
                "bereik_min": self.RANGES[f.name][0],
                "bereik_max": self.RANGES[f.name][1],
                "bron": self.SOURCES[f.name],
            }
            for f in fields(self)
        }
        return pd.DataFrame.from_dict(rows, orient="index")


# ---------------------------------------------------------------------------
# Age groups
# ---------------------------------------------------------------------------


def _as_float_frame(frame: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what} must be a pandas DataFrame with columns {list(columns)}; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{what} lacks column(s) {missing}; found {list(frame.columns)}. Rename the columns to {list(columns)}.")
    if frame.empty:
        raise DataError(f"{what} has no rows; pass at least one area.")
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique().tolist()[:5]
        raise DataError(f"{what} has duplicate area codes {dup}; aggregate or drop the duplicates first.")
    try:
        out = frame[list(columns)].apply(pd.to_numeric, errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} has non-numeric values in {list(columns)}; convert counts to numbers first.") from exc
    if np.isinf(out.to_numpy()).any():
        raise DataError(f"{what} has infinite values; fix or drop those areas.")
    negative = out.index[(out < 0).any(axis=1)].tolist()
    if negative:
        raise DataError(f"{what} has negative counts for area(s) {negative[:5]}; residents must be >= 0.")
    return out


def age_groups_from_kwb(
    age_counts: pd.DataFrame,
    *,
    share_75plus_in_65plus: float = RenewalAssumptions.share_75plus_in_65plus,  # aanname
    fill_missing: bool = False,
) -> pd.DataFrame:
    """Model age groups (:data:`AGE_GROUP_COLUMNS`) from KWB inhabitants, 0-14 and 65+ counts.

    KWB publishes per buurt only the total, 0-14 and 65+; 15-64 is the remainder (clipped at 0,
    because KWB rounds counts). Assumptions: ages 15..64 are uniform, so 15-17 (minors) is 3/50
    of 15-64, the cohort turning 18 each year 1/50 and 18-64 47/50; 75+ is
    ``share_75plus_in_65plus`` of 65+.

    Parameters
    ----------
    age_counts : pd.DataFrame
        Index = area code; columns :data:`KWB_COLUMNS` (``inwoners``, ``inwoners_0_14``,
        ``inwoners_65plus``).
    share_75plus_in_65plus : float, default 0.45
        Aanname, see :class:`RenewalAssumptions`.
    fill_missing : bool, default False
        KWB suppresses small counts. If True, a missing 0-14 or 65+ count is filled with the area's
        inhabitants times that group's share over the areas where it is known; if False a missing
        value raises. A missing total always raises.

    Returns
    -------
    pd.DataFrame
        Same index, columns :data:`AGE_GROUP_COLUMNS`; ``volwassen_18_74 + volwassen_75plus`` are
        all residents 18+, and with ``minderjarig`` they add up to ``inwoners`` (up to clipping).

    Raises
    ------
    DataError
        Missing column, duplicate area, negative, non-numeric or missing count.
    ParameterError
        ``share_75plus_in_65plus`` outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> kwb = pd.DataFrame({"inwoners": [1000], "inwoners_0_14": [150], "inwoners_65plus": [200]}, index=["BU1"])
    >>> age_groups_from_kwb(kwb).round(1).iloc[0].to_dict()
    {'minderjarig': 189.0, 'cohort_18': 13.0, 'volwassen_18_74': 721.0, 'volwassen_75plus': 90.0}
    """
    if not (isinstance(share_75plus_in_65plus, numbers.Real) and 0.0 <= share_75plus_in_65plus <= 1.0):
        raise ParameterError(f"share_75plus_in_65plus={share_75plus_in_65plus!r}; pass a share in [0, 1] (aanname 0.45).")
    counts = _as_float_frame(age_counts, KWB_COLUMNS, "age_counts")
    total, young, old = (counts[c] for c in KWB_COLUMNS)
    if total.isna().any():
        raise DataError(
            f"age_counts has no 'inwoners' for area(s) {total.index[total.isna()].tolist()[:5]}; "
            "drop those areas or fill their inhabitants first."
        )
    for name, col in (("inwoners_0_14", young), ("inwoners_65plus", old)):
        if col.isna().any():
            if not fill_missing:
                raise DataError(
                    f"age_counts has no '{name}' for area(s) {col.index[col.isna()].tolist()[:5]} (KWB suppresses small "
                    "counts); pass fill_missing=True to fill them with the share over the other areas."
                )
            known = col.notna()
            share = float(col[known].sum() / total[known].sum()) if total[known].sum() > 0 else 0.0
            col.loc[~known] = total[~known] * share
    middle = (total - young - old).clip(lower=0.0)
    return pd.DataFrame(
        {
            "minderjarig": young + middle * 3 / _AGES_15_64,
            "cohort_18": middle / _AGES_15_64,
            "volwassen_18_74": middle * 47 / _AGES_15_64 + old * (1.0 - share_75plus_in_65plus),
            "volwassen_75plus": old * share_75plus_in_65plus,
        },
        index=counts.index,
    )


# ---------------------------------------------------------------------------
# Result containers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandOverTime:
    """Counter visits per area, year, product and visit type.

    Attributes
    ----------
    table : pd.DataFrame
        Long table, one row per area x year x product x component x visit type, columns ``code``,
        ``jaar``, ``product`` (:data:`PRODUCTS`), ``onderdeel`` (component, e.g. ``vernieuwing
        volwassene``), ``bezoektype`` (:data:`VISIT_TYPES`) and ``bezoeken`` (visits per year).
    totals : pd.DataFrame
        Visits summed over areas: index ``jaar``, columns MultiIndex (``product``, ``bezoektype``).
    documents : pd.DataFrame
        Documents issued (applications) summed over areas: index ``jaar``, columns MultiIndex
        (``product``, ``onderdeel``). Travel documents are counted per document, not per visit.
    assumptions : RenewalAssumptions
        The parameters used.
    anchor_factor : float
        Common factor applied by :func:`anchor_to_rate` (1.0 if not anchored).
    reference_years : tuple of int or None
        Reference period of the anchoring (None if not anchored).
    """

    table: pd.DataFrame
    totals: pd.DataFrame
    documents: pd.DataFrame
    assumptions: RenewalAssumptions
    anchor_factor: float = 1.0
    reference_years: tuple[int, ...] | None = None

    @property
    def per_year(self) -> pd.Series:
        """Total visits per year (all areas, products and visit types)."""
        return self.totals.sum(axis=1).rename("bezoeken")

    @property
    def years(self) -> list[int]:
        """The years in the result."""
        return [int(y) for y in self.totals.index]

    def per_area(self, year: int) -> pd.Series:
        """Total visits per area in ``year`` (index ``code``)."""
        if year not in self.years:
            raise ParameterError(f"year={year!r} is not in the result (years {self.years[0]}-{self.years[-1]}); pick one of those.")
        rows = self.table[self.table["jaar"] == year]
        return rows.groupby("code", sort=False)["bezoeken"].sum().rename("bezoeken")


@dataclass(frozen=True)
class MonthlyVisits:
    """Visits per month of one year (:func:`monthly_visits`).

    Attributes
    ----------
    year : int
    visits : pd.DataFrame
        Index month 1-12, one column per product, visits in that month.
    total : pd.Series
        Visits per month, all products.
    peak_month : int
        Month (1-12) with the most visits.
    peak_share : float
        Share of the year's visits in the peak month.
    """

    year: int
    visits: pd.DataFrame
    total: pd.Series
    peak_month: int
    peak_share: float


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


def _check_years(years: Iterable[int], what: str = "years") -> list[int]:
    try:
        given = list(years)
        out = sorted({int(y) for y in given})
        whole = all(not isinstance(y, bool) and float(y) == int(y) for y in given)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{what}={years!r}; pass whole calendar years, e.g. range(2019, 2036).") from exc
    if not out or not whole or len(out) != len(given):
        raise ParameterError(f"{what}={years!r}; pass one or more distinct whole calendar years, e.g. range(2019, 2036).")
    if out[0] < 2000 or out[-1] > 2100:
        raise ParameterError(f"{what} must lie within 2000-2100 (got {out[0]}-{out[-1]}); the model starts from the pre-2014 steady state.")
    return out


def _adult_cycle(h_demo: np.ndarray, a: RenewalAssumptions, first: int, last: int) -> dict[str, np.ndarray]:
    """Adult travel-document flows per holder, shape (areas, last - first + 1).

    Returns renewals ``R`` and the steady-state per-holder renewals and issuance of the 5- and
    10-year regimes (shape (areas,)).
    """
    change = VALIDITY_CHANGE_DATE.year
    f_change = (VALIDITY_CHANGE_DATE - date(change, 1, 1)).days / 365.0  # 67/365: share issued before 9 March
    v_old, v_new = ADULT_VALIDITY_BEFORE, ADULT_VALIDITY_AFTER
    h = h_demo + a.lapse_rate + a.lost_rate  # yearly exits per holder; entries equal them
    e = h
    s_old, s_new = (1.0 - h) ** v_old, (1.0 - h) ** v_new
    with np.errstate(divide="ignore", invalid="ignore"):  # h -> 0: the limit is 1 / validity
        i_old = np.where(h > 0, e / (1.0 - s_old), 1.0 / v_old)  # 5-year steady state (before 2014)
        i_new = np.where(h > 0, e / (1.0 - s_new), 1.0 / v_new)  # 10-year steady state (long run)

    start = min(first, change) - v_new - 2  # pre-2014 years before this are all steady state
    stop = last + 2
    span = stop - start + 1
    issued = np.repeat(i_old[:, None], span, axis=1)

    def f_old(u: int) -> float:
        return 1.0 if u < change else (f_change if u == change else 0.0)

    def expiring(t: int) -> np.ndarray:
        u5, u10 = t - v_old, t - v_new
        out = f_old(u5) * issued[:, max(u5 - start, 0)] * s_old
        return out + (1.0 - f_old(u10)) * issued[:, max(u10 - start, 0)] * s_new

    renewals = np.empty_like(issued)
    for s in range(start, stop):
        r = a.share_early * expiring(s + 1) + a.share_on_time * expiring(s) + a.share_late * expiring(s - 1)
        renewals[:, s - start] = r
        if s >= change:  # before 2014: steady state by assumption (and by construction)
            issued[:, s - start] = e + r
    cols = slice(first - start, last - start + 1)
    return {
        "R": renewals[:, cols],
        "R_ss_old": s_old * i_old,
        "R_ss_new": s_new * i_new,
        "I_ss_new": i_new,
    }


def demand_from_groups(
    groups: pd.DataFrame,
    years: Iterable[int] = YEARS,
    assumptions: RenewalAssumptions | None = None,
) -> DemandOverTime:
    """Counter visits over time from model age groups (:data:`AGE_GROUP_COLUMNS`).

    The engine behind :func:`demand_over_time` (which first splits KWB age groups with
    :func:`age_groups_from_kwb`); use this directly when finer age counts are available, as
    :func:`national_check` does. Equations: see the module docstring.

    Parameters
    ----------
    groups : pd.DataFrame
        Index = area code, columns :data:`AGE_GROUP_COLUMNS`, residents (``cohort_18``: residents
        turning 18 per year). Non-negative, no missing values.
    years : iterable of int, default 2019-2035
        Calendar years to return (2000-2100).
    assumptions : RenewalAssumptions, optional
        Defaults to ``RenewalAssumptions()``.

    Returns
    -------
    DemandOverTime
        Unanchored (``anchor_factor`` 1.0): visits follow the assumed uptakes.
    """
    a = RenewalAssumptions() if assumptions is None else assumptions
    if not isinstance(a, RenewalAssumptions):
        raise ParameterError(f"assumptions must be a RenewalAssumptions, got {type(a).__name__}.")
    yrs = _check_years(years)
    g = _as_float_frame(groups, AGE_GROUP_COLUMNS, "groups")
    if g.isna().any().any():
        raise DataError(f"groups has missing values for area(s) {g.index[g.isna().any(axis=1)].tolist()[:5]}; fill or drop them.")
    minors, c18, a1874, a75 = (g[c].to_numpy() for c in AGE_GROUP_COLUMNS)
    adults = a1874 + a75
    with np.errstate(divide="ignore", invalid="ignore"):
        h_demo = np.where(adults > 0, c18 / adults, 0.0)
    if np.any(h_demo >= 0.5):
        bad = g.index[h_demo >= 0.5].tolist()[:5]
        raise DataError(f"groups: cohort_18 is half or more of the adults in area(s) {bad}; check the age counts.")

    first, last = yrs[0], yrs[-1]
    n_t = last - first + 1
    cyc = _adult_cycle(h_demo, a, first, last)
    ones = np.ones(n_t)
    holders = a.uptake_adult * adults
    minor_holders = a.uptake_minor * minors
    lic_holders = a.licence_uptake * a1874 + a.licence_uptake_75plus * a75

    # documents per area (rows) and year (columns), by product and component
    docs: dict[tuple[str, str], np.ndarray] = {
        ("reisdocument", "vernieuwing volwassene"): holders[:, None] * cyc["R"],
        ("reisdocument", "eerste aanvraag 18 jaar"): (a.uptake_adult * c18)[:, None] * ones,
        ("reisdocument", "herintreder"): (holders * a.lapse_rate)[:, None] * ones,
        ("reisdocument", "minderjarige"): (minor_holders / MINOR_VALIDITY)[:, None] * ones,
        ("reisdocument", "vermissing"): ((holders + minor_holders) * a.lost_rate)[:, None] * ones,
        ("rijbewijs", "vernieuwing 18-74"): (a.licence_uptake * a1874 / LICENCE_VALIDITY)[:, None] * ones,
        ("rijbewijs", "vernieuwing 75+"): (a.licence_uptake_75plus * a75 / LICENCE_VALIDITY_75PLUS)[:, None] * ones,
        ("rijbewijs", "eerste afgifte"): (a.licence_uptake * c18)[:, None] * ones,
        ("rijbewijs", "vermissing"): (lic_holders * a.lost_rate)[:, None] * ones,
    }
    # steady-state (10-year regime) document visits per area -> other products as a share of visits
    per_doc_visits = 1.0 + a.collection_share
    travel_ss = holders * cyc["I_ss_new"] + minor_holders * (1.0 / MINOR_VALIDITY + a.lost_rate)
    licence_ss = sum(v[:, 0] for (p, _), v in docs.items() if p == "rijbewijs")
    doc_visits_ss = (travel_ss / a.documents_per_visit + licence_ss) * per_doc_visits
    other = doc_visits_ss * a.other_share / (1.0 - a.other_share)

    blocks: list[tuple[str, str, str, np.ndarray]] = []
    for (product, part), n_docs in docs.items():
        apps = n_docs / a.documents_per_visit if product == "reisdocument" else n_docs
        blocks.append((product, part, "aanvraag", apps))
        blocks.append((product, part, "afhalen", apps * a.collection_share))
    blocks.append(("overig", "uittreksels en overige producten", "enkel", other[:, None] * ones))

    codes = g.index.to_numpy()
    n_a, n_b = len(codes), len(blocks)
    values = np.stack([b[3] for b in blocks])  # (blocks, areas, years)
    table = pd.DataFrame(
        {
            "code": np.tile(np.repeat(codes, n_t), n_b),
            "jaar": np.tile(np.arange(first, last + 1), n_a * n_b),
            "product": np.repeat([b[0] for b in blocks], n_a * n_t),
            "onderdeel": np.repeat([b[1] for b in blocks], n_a * n_t),
            "bezoektype": np.repeat([b[2] for b in blocks], n_a * n_t),
            "bezoeken": values.reshape(-1),
        }
    )
    table = table[table["jaar"].isin(yrs)].reset_index(drop=True)
    idx = np.array(yrs) - first
    sums = values.sum(axis=1)[:, idx]  # (blocks, years)
    totals = (
        pd.DataFrame(sums.T, index=pd.Index(yrs, name="jaar"), columns=pd.MultiIndex.from_tuples([(b[0], b[2]) for b in blocks]))
        .T.groupby(level=[0, 1], sort=False).sum().T
    )
    totals.columns = totals.columns.set_names(["product", "bezoektype"])
    doc_cols = pd.MultiIndex.from_tuples(list(docs), names=["product", "onderdeel"])
    documents = pd.DataFrame(
        np.stack([v.sum(axis=0)[idx] for v in docs.values()], axis=1), index=pd.Index(yrs, name="jaar"), columns=doc_cols
    )
    return DemandOverTime(table=table, totals=totals, documents=documents, assumptions=a)


def demand_over_time(
    age_counts: pd.DataFrame,
    years: Iterable[int] = YEARS,
    assumptions: RenewalAssumptions | None = None,
    *,
    fill_missing: bool = False,
) -> DemandOverTime:
    """Counter visits per area, year, product and visit type from KWB age counts.

    Splits the KWB groups with :func:`age_groups_from_kwb` (uniform ages within 15-64; 75+ a share
    of 65+) and runs :func:`demand_from_groups`. The result is *unanchored*: its level follows the
    assumed uptakes; :func:`anchor_to_rate` scales it to the observed visit rate.

    Parameters
    ----------
    age_counts : pd.DataFrame
        Index = area code, columns ``inwoners``, ``inwoners_0_14``, ``inwoners_65plus`` (KWB).
    years : iterable of int, default 2019-2035
        Years to return. 2019 is in the default so the default reference period (2019-2020) is.
    assumptions : RenewalAssumptions, optional
        Defaults to ``RenewalAssumptions()``.
    fill_missing : bool, default False
        Fill KWB-suppressed 0-14 / 65+ counts (see :func:`age_groups_from_kwb`).

    Returns
    -------
    DemandOverTime

    Raises
    ------
    DataError
        Bad age counts (missing column, negative, missing values).
    ParameterError
        Bad years or assumptions.

    Examples
    --------
    >>> import pandas as pd
    >>> kwb = pd.DataFrame({"inwoners": [3000, 1500], "inwoners_0_14": [450, 300],
    ...                     "inwoners_65plus": [600, 150]}, index=["BU1", "BU2"])
    >>> res = demand_over_time(kwb)
    >>> travel = res.totals["reisdocument"].sum(axis=1)
    >>> bool(travel[2026] > 2 * travel[2021])  # the 2024-2028 peak after the 2019-2023 dip
    True
    >>> t = res.totals.loc[2021, "reisdocument"]
    >>> bool(abs(t["aanvraag"] - t["afhalen"]) < 1e-9)  # every application has a collection visit
    True
    """
    a = RenewalAssumptions() if assumptions is None else assumptions
    if not isinstance(a, RenewalAssumptions):
        raise ParameterError(f"assumptions must be a RenewalAssumptions, got {type(a).__name__}.")
    groups = age_groups_from_kwb(age_counts, share_75plus_in_65plus=a.share_75plus_in_65plus, fill_missing=fill_missing)
    return demand_from_groups(groups, years, a)


def anchor_to_rate(
    result: DemandOverTime,
    population: pd.Series | float,
    rate: float = 1 / 3,  # informatienota 2021/547821: "een keer per drie jaar"
    reference_years: Sequence[int] = REFERENCE_YEARS,
    *,
    visit_types: Sequence[str] = VISIT_TYPES,
) -> DemandOverTime:
    """Scale the model so that visits in the reference period equal ``population * rate``.

    One common factor multiplies every area, product, visit type and year, so the age pattern,
    the product mix and the wave over time are kept; after anchoring, the mean yearly visits
    (of ``visit_types``) over ``reference_years`` equal ``population.sum() * rate`` exactly.

    Which reference period: the nota of 12 October 2021 (2021/547821) says Haarlem residents come
    to the counter about once every three years. It must have been computed on counter data before
    October 2021, i.e. 2019, 2020 or the first half of 2021 -- all inside the 2019-2023 renewal
    dip, so anchoring it to a *steady-state* model year (or to 2024) would overstate the trough
    and understate the peak. The default averages 2019 and 2020, the last two full years before the
    nota: 2019 alone still holds the last 5-year documents of early 2014 and late renewals, and
    2020 alone was depressed further by the COVID-19 closures, which the model does not contain.
    Pass ``(2020,)`` or ``(2019,)`` to test either end.

    Which visits: the nota counts residents' *visits* ("het fysieke loket aandoen") for passports,
    driving licences, extracts and statements, so by default every visit type counts (collection
    visits included). If the municipality's figure turns out to count applications only, pass
    ``visit_types=("aanvraag", "enkel")``.

    Parameters
    ----------
    result : DemandOverTime
        From :func:`demand_over_time`; must contain every reference year.
    population : pd.Series or float
        Inhabitants of the modelled areas (a Series is summed).
    rate : float, default 1/3
        Visits per inhabitant per year in the reference period.
    reference_years : sequence of int, default (2019, 2020)
    visit_types : sequence of str, default all types
        Visit types the rate counts.

    Returns
    -------
    DemandOverTime
        A new result; ``anchor_factor`` holds the cumulative factor.

    Raises
    ------
    ParameterError
        Rate not positive, reference year outside the result, unknown visit type, or no visits in
        the reference period.
    DataError
        Population negative or missing.

    Examples
    --------
    >>> import pandas as pd
    >>> kwb = pd.DataFrame({"inwoners": [3000], "inwoners_0_14": [450], "inwoners_65plus": [600]}, index=["BU1"])
    >>> res = anchor_to_rate(demand_over_time(kwb), kwb["inwoners"])
    >>> round(float(res.per_year[[2019, 2020]].mean()), 6)
    1000.0
    """
    if not isinstance(result, DemandOverTime):
        raise ParameterError(f"result must be a DemandOverTime (from demand_over_time), got {type(result).__name__}.")
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not (math.isfinite(rate) and rate > 0):
        raise ParameterError(f"rate={rate!r}; pass a positive number of visits per inhabitant per year (e.g. 1/3).")
    ref = _check_years(reference_years, "reference_years")
    missing = [y for y in ref if y not in result.years]
    if missing:
        raise ParameterError(
            f"reference_years {missing} are not in the result (years {result.years[0]}-{result.years[-1]}); "
            "run demand_over_time with years that include them."
        )
    unknown = [t for t in visit_types if t not in VISIT_TYPES]
    if unknown or not len(visit_types):
        raise ParameterError(f"visit_types={list(visit_types)!r}; choose from {list(VISIT_TYPES)}.")
    pop = population.sum() if isinstance(population, pd.Series) else population
    if isinstance(population, pd.Series) and (population.isna().any() or (population < 0).any()):
        raise DataError("population has missing or negative values; fill or drop those areas first.")
    if isinstance(pop, bool) or not isinstance(pop, numbers.Real) or not (math.isfinite(pop) and pop > 0):
        raise DataError(f"population total={pop!r}; pass inhabitants > 0.")
    cols = [c for c in result.totals.columns if c[1] in visit_types]
    modelled = float(result.totals.loc[ref, cols].to_numpy().sum()) / len(ref)
    if modelled <= 0:
        raise ParameterError(f"the model has no {list(visit_types)} visits in {ref}; cannot anchor. Check age counts and assumptions.")
    factor = float(pop) * float(rate) / modelled
    table = result.table.assign(bezoeken=result.table["bezoeken"] * factor)
    return replace(
        result,
        table=table,
        totals=result.totals * factor,
        documents=result.documents * factor,
        anchor_factor=result.anchor_factor * factor,
        reference_years=tuple(ref),
    )


# ---------------------------------------------------------------------------
# Seasonality
# ---------------------------------------------------------------------------

#: Share of a year's travel-document visits per month (January..December). AANNAME: shaped after
#: the one public signal (Den Haag: more than 23,000 passports and ID cards expired in May-July
#: 2025 alone, regionieuws.tv 3 March 2025; Den Haag's waits of over two hours in July 2019) --
#: renewals cluster before the summer holidays, peak in June, low in December. No monthly
#: counts were found; replace with the municipality's own appointment data.
DEFAULT_MONTHLY_PROFILE: tuple[float, ...] = (0.07, 0.07, 0.08, 0.09, 0.11, 0.12, 0.10, 0.07, 0.08, 0.08, 0.07, 0.06)


def _check_profile(profile: Sequence[float], what: str) -> np.ndarray:
    try:
        arr = np.asarray(profile, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{what} must be 12 numbers (January..December); got {profile!r}.") from exc
    if arr.size != 12 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ParameterError(f"{what} must be 12 finite shares >= 0 (January..December); got {arr.size} values.")
    if abs(arr.sum() - 1.0) > 1e-9:
        raise ParameterError(f"{what} sums to {arr.sum():.6f}; the 12 monthly shares must sum to 1.")
    return arr


def monthly_profile(product: str = "reisdocument") -> pd.Series:
    """Monthly shares (sum 1) of a product's visits; an *aanname*, see :data:`DEFAULT_MONTHLY_PROFILE`.

    Travel documents follow :data:`DEFAULT_MONTHLY_PROFILE` (peak before summer); driving licences
    and other products are taken as flat (1/12 a month; aanname: their expiry is not tied to
    holidays).

    Examples
    --------
    >>> p = monthly_profile()
    >>> round(float(p.sum()), 12), int(p.idxmax())
    (1.0, 6)
    """
    if product not in PRODUCTS:
        raise ParameterError(f"product={product!r}; choose from {list(PRODUCTS)}.")
    shares = DEFAULT_MONTHLY_PROFILE if product == "reisdocument" else (1 / 12,) * 12
    out = pd.Series(shares, index=pd.RangeIndex(1, 13, name="maand"), name="aandeel", dtype=float)
    out.attrs["bron"] = "aanname (Den Haag: piek vóór de zomer, FACTS.md)" if product == "reisdocument" else "aanname (vlak)"
    return out


def monthly_visits(
    result: DemandOverTime,
    year: int,
    profiles: Mapping[str, Sequence[float]] | None = None,
) -> MonthlyVisits:
    """Visits per month of ``year`` and the peak month.

    Parameters
    ----------
    result : DemandOverTime
    year : int
        A year in ``result``.
    profiles : mapping product -> 12 shares, optional
        Overrides :func:`monthly_profile` per product; each must sum to 1.

    Returns
    -------
    MonthlyVisits

    Examples
    --------
    >>> import pandas as pd
    >>> kwb = pd.DataFrame({"inwoners": [3000], "inwoners_0_14": [450], "inwoners_65plus": [600]}, index=["BU1"])
    >>> m = monthly_visits(demand_over_time(kwb), 2025)
    >>> m.peak_month
    6
    """
    if not isinstance(result, DemandOverTime):
        raise ParameterError(f"result must be a DemandOverTime, got {type(result).__name__}.")
    if year not in result.years:
        raise ParameterError(f"year={year!r} is not in the result (years {result.years[0]}-{result.years[-1]}).")
    profiles = dict(profiles or {})
    unknown = [p for p in profiles if p not in PRODUCTS]
    if unknown:
        raise ParameterError(f"profiles has unknown product(s) {unknown}; choose from {list(PRODUCTS)}.")
    yearly = result.totals.loc[year].groupby(level="product").sum()
    months = pd.RangeIndex(1, 13, name="maand")
    visits = pd.DataFrame(index=months)
    for product in PRODUCTS:
        shares = (
            _check_profile(profiles[product], f"profiles[{product!r}]") if product in profiles else monthly_profile(product).to_numpy()
        )
        visits[product] = float(yearly.get(product, 0.0)) * shares
    total = visits.sum(axis=1).rename("bezoeken")
    peak = int(total.idxmax())
    share = float(total[peak] / total.sum()) if total.sum() > 0 else float("nan")
    return MonthlyVisits(year=int(year), visits=visits, total=total, peak_month=peak, peak_share=share)


# ---------------------------------------------------------------------------
# National calibration check
# ---------------------------------------------------------------------------


def national_check(assumptions: RenewalAssumptions | None = None) -> dict[str, object]:
    """Run the model on the national stand-in and return what FACTS.md can check.

    The stand-in is :data:`NATIONAL_STAND_IN` (CBS ages 0-17 / 18+ in 2018, via Monitor
    Langdurige Zorg), held constant over the years like any model run.

    Returned keys
    -------------
    ratio_2024_2023 : float
        Travel documents (passports + ID cards, all ages and reasons) 2024 / 2023. Published: 2023
        about 1.6 M, 2024 forecast 2.8-3.0 M, so 1.75-1.875 (:data:`PUBLISHED_NATIONAL`).
    dip_2019_2023 : float
        ``1 - mean adult renewals 2019-2023 / adult renewals in the 10-year steady state``. NVVB
        expected "ruim 75% minder aanvragen" in 2019-2023 for the adult documents that would
        otherwise have been renewed; this is the stricter reading (against the new steady state).
    dip_2019_2023_vs_old_rule : float
        The same against the renewals the 5-year rule would have given (the pre-2014 steady
        state), the literal "would otherwise have been renewed".
    dip_adult_applications_vs_2014_2018 : float
        All adult applications (renewals, first documents, re-applications, replacements),
        2019-2023 against 2014-2018. Reported, not a published target.
    dip_all_documents_vs_2014_2018 : float
        All travel documents (minors included), 2019-2023 against 2014-2018. Reported only: the
        NVVB sentence read as the total of all documents, which FACTS.md does not do.
    documents_2023, documents_2024 : float
        Model travel documents with the stand-in population (absolute; compare with the
        published values, which depend on ``uptake_adult`` and ``uptake_minor``).
    documents_per_year : dict
        Model travel documents per year 2013-2035.
    published : dict
        :data:`PUBLISHED_NATIONAL`.

    Examples
    --------
    >>> c = national_check()
    >>> 1.75 <= c["ratio_2024_2023"] <= 1.875, c["dip_2019_2023"] > 0.75
    (True, True)
    """
    a = RenewalAssumptions() if assumptions is None else assumptions
    if not isinstance(a, RenewalAssumptions):
        raise ParameterError(f"assumptions must be a RenewalAssumptions, got {type(a).__name__}.")
    groups = pd.DataFrame(NATIONAL_STAND_IN, index=pd.Index(["NL"], name="code"))
    res = demand_from_groups(groups, range(2013, 2036), a)
    travel = res.documents["reisdocument"]
    per_year = travel.sum(axis=1)
    renew = travel["vernieuwing volwassene"]
    adults = NATIONAL_STAND_IN["volwassen_18_74"] + NATIONAL_STAND_IN["volwassen_75plus"]
    holders = a.uptake_adult * adults
    adult_apps = renew + travel["eerste aanvraag 18 jaar"] + travel["herintreder"] + holders * a.lost_rate
    h_demo = np.array([NATIONAL_STAND_IN["cohort_18"] / adults])
    cyc = _adult_cycle(h_demo, a, 2019, 2023)
    dip_years, before = list(range(2019, 2024)), list(range(2014, 2019))
    mean_dip = float(renew[dip_years].mean())
    return {
        "ratio_2024_2023": float(per_year[2024] / per_year[2023]),
        "dip_2019_2023": 1.0 - mean_dip / float(holders * cyc["R_ss_new"][0]),
        "dip_2019_2023_vs_old_rule": 1.0 - mean_dip / float(holders * cyc["R_ss_old"][0]),
        "dip_adult_applications_vs_2014_2018": 1.0 - float(adult_apps[dip_years].sum() / adult_apps[before].sum()),
        "dip_all_documents_vs_2014_2018": 1.0 - float(per_year[dip_years].sum() / per_year[before].sum()),
        "documents_2023": float(per_year[2023]),
        "documents_2024": float(per_year[2024]),
        "documents_per_year": {int(y): float(v) for y, v in per_year.items()},
        "published": dict(PUBLISHED_NATIONAL),
    }
