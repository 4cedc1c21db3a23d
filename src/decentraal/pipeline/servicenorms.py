"""Chapter 04: service norms of the shared contact centre (Haarlem and Zandvoort), per channel and year.

The council's second question (art. 38-brief, 2020): what happens to the service norms in Haarlem and
Zandvoort when the contact centre's capacity is not expanded, and are residents of both treated the same?
For every municipality of the shipped data, with the same norms and the same method:

1. **Volumes per month** (:func:`monthly_volumes`): counter visits from the renewal model of chapter 03
   (anchored to inhabitants x ``bezoeken_per_inwoner_per_jaar`` in ``referentiejaar``); phone calls and
   e-mails from inhabitants x a rate per inhabitant (*aanname*), of which ``contacten_volgen_balie_aandeel``
   follows the counter's demand over the months and years. The rates are Haarlem's level; a municipality that
   handles fewer requests digitally (``digitaal_aandeel_*``) gets proportionally more contacts. The
   municipality's own monthly volumes (``contacten_bestand``) replace the modelled months they cover.
2. **Capacity** in FTE per channel (:func:`scenario_capacity`): the municipality's own staffing file
   (``bezetting_bestand``), or otherwise the capacity that met each norm in ``referentiejaar`` (the period of
   the letter; :func:`capacity_from_reference`), kept constant (``huidige_capaciteit``) or raised by
   ``uitbreiding_aandeel`` (``uitbreiding``).
3. **Norm attainment per month** (:func:`attainment`): phone with abandonment (Erlang A), e-mail as a
   backlog in working days, counter as days to the next appointment plus the walk-in wait (Erlang C); and
   the FTE each norm needs in that month.
4. **Sensitivity** (:func:`sensitivity`): every assumption with a ``bereik`` at its low and high end, one at a
   time, on the headline: the share within the norm with today's capacity in the peak year (most counter visits).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from decentraal.config import GEMEENTEN
from decentraal.errors import DataError
from decentraal.io import contacts as contact_files
from decentraal.methods import capacity as erlang
from decentraal.methods import renewal, staffing
from decentraal.methods import servicenorms as norms
from decentraal.pipeline import common
from decentraal.pipeline.counters import WALK_IN_TYPES, TimeSettings, yearly_demand
from decentraal.pipeline.session import Session
from decentraal.settings import RunParameters, reference_years

#: The contact centre's home: the per-inhabitant rates are read as Haarlem's level, and another
#: municipality's volumes scale with its digital share relative to Haarlem's.
REFERENCE_GEMEENTE = "GM0392"
CHANNELS = ("balie", "telefoon", "email")
#: The queueing formulas are pure functions of a few numbers; the sensitivity runs repeat most of them exactly
#: (an e-mail assumption does not change a phone month), so their results are kept.
_erlang_a = functools.lru_cache(maxsize=1 << 16)(norms.erlang_a)
_service_level = functools.lru_cache(maxsize=1 << 16)(erlang.service_level)
#: Relative precision of the e-mail capacity a norm needs (0.1%: far below what a formation can hold).
EMAIL_TOLERANCE = 1e-3
SCENARIOS = ("huidige_capaciteit", "uitbreiding")
#: Columns of table ``04_servicenormen`` (one row per municipality x channel x year x scenario).
TABLE_COLUMNS = ["gemeente", "gemeentenaam", "kanaal", "jaar", "scenario", "norm", "contacten", "contacten_per_1000",
                 "aandeel_binnen_norm", "wachttijd", "wachttijd_eenheid", "afhaken", "fte_beschikbaar", "fte_nodig",
                 "piekmaand", "bron_volume", "bron_capaciteit"]


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True, kw_only=True)
class NormSettings:
    """Parameters of the service-norm chapter, by name (units, sources and ranges in ``configs/base.yaml``)."""

    years: tuple[int, ...]
    reference_years: tuple[int, ...]
    phone_rate: float
    email_rate: float
    follow_share: float
    digital: Mapping[str, float]
    phone_minutes: float
    patience_minutes: float
    phone_norm_seconds: float
    phone_hours_per_week: float
    email_norm_days: int
    email_minutes: float
    hours_per_fte: float
    shrinkage: float
    expansion: float
    target_share: float
    walk_in_norm_minutes: float
    access_days: int
    counter_hours_per_week: float
    walk_in_hours_per_week: float
    service_minutes: Mapping[str, float]
    visit_rate: float

    @classmethod
    def from_params(cls, p: RunParameters) -> NormSettings:
        return cls(
            years=tuple(range(p.horizon_begin, p.servicenormen_jaar_eind + 1)),
            reference_years=reference_years(p.referentiejaar),
            phone_rate=p.telefoon_contacten_per_inwoner_per_jaar,
            email_rate=p.email_contacten_per_inwoner_per_jaar,
            follow_share=p.contacten_volgen_balie_aandeel,
            digital={code: p.digital_share(code) for code in GEMEENTEN},
            phone_minutes=p.telefoon_gesprekstijd_minuten,
            patience_minutes=p.telefoon_geduld_minuten,
            phone_norm_seconds=p.telefoon_norm_seconden,
            phone_hours_per_week=p.telefoon_uren_per_week,
            email_norm_days=p.email_norm_werkdagen,
            email_minutes=p.email_behandeltijd_minuten,
            hours_per_fte=p.uren_per_fte,
            shrinkage=p.krimp_aandeel,
            expansion=p.uitbreiding_aandeel,
            target_share=p.wachtnorm_aandeel,
            walk_in_norm_minutes=p.wachtnorm_minuten,
            access_days=p.toegangsnorm_werkdagen,
            counter_hours_per_week=p.openingsuren_bestaand_per_week,
            walk_in_hours_per_week=p.inloopuren_bestaand_per_week,
            service_minutes={"aanvraag": p.bedieningstijd_aanvraag_minuten, "afhalen": p.bedieningstijd_afhalen_minuten,
                             "enkel": p.bedieningstijd_enkel_minuten},
            visit_rate=p.bezoeken_per_inwoner_per_jaar,
        )

    @property
    def model_years(self) -> tuple[int, ...]:
        """Years with volumes: the reference period and the chapter's years."""
        return tuple(range(min(self.reference_years[0], self.years[0]), max(self.reference_years[-1], self.years[-1]) + 1))

    def norm_text(self, channel: str) -> str:
        """The norm in plain Dutch."""
        share = f"{round(self.target_share * 100):d}%"
        if channel == "telefoon":
            return f"{share} van de bellers binnen {self.phone_norm_seconds:g} seconden te woord gestaan"
        if channel == "email":
            return f"{share} van de e-mails binnen {self.email_norm_days} werkdagen beantwoord"
        return (f"{share} van de bezoekers binnen {self.access_days} werkdagen een afspraak en "
                f"binnen {self.walk_in_norm_minutes:g} minuten geholpen bij inloop")

    def fte_per_position(self, hours_per_week: float) -> float:
        """FTE that keep one position (desk, phone seat) staffed ``hours_per_week``, after shrinkage."""
        return float(norms.fte_from_agents(1.0, hours_per_week, self.hours_per_fte, self.shrinkage))

    def email_per_fte_per_day(self) -> float:
        """E-mails one FTE answers per working day, after shrinkage."""
        return self.hours_per_fte * (1.0 - self.shrinkage) / staffing.WORKING_DAYS_PER_WEEK * 60.0 / self.email_minutes


# --------------------------------------------------------------------------- volumes
def _months(years: Sequence[int]) -> pd.PeriodIndex:
    return pd.period_range(f"{years[0]}-01", f"{years[-1]}-12", freq="M")


def counter_months(table: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Counter visits per month and visit type (``aanvraag``, ``afhalen``, ``enkel``) from the yearly table.

    ``table`` as :attr:`decentraal.pipeline.counters.YearlyDemand.table`; each product's visits are spread
    over the months by its profile (:func:`decentraal.methods.renewal.monthly_profile`).
    """
    per = table.loc[table["jaar"].isin(years)].groupby(["jaar", "product", "bezoektype"])["bezoeken"].sum()
    rows = []
    for (year, product, kind), visits in per.items():
        profile = renewal.monthly_profile(product).to_numpy()
        for month in range(12):
            rows.append((pd.Period(year=int(year), month=month + 1, freq="M"), kind, visits * profile[month]))
    frame = pd.DataFrame(rows, columns=["maand", "bezoektype", "bezoeken"])
    out = frame.pivot_table(index="maand", columns="bezoektype", values="bezoeken", aggfunc="sum", fill_value=0.0)
    return out.reindex(_months(years), fill_value=0.0).rename_axis(columns=None)


def monthly_volumes(visits: pd.DataFrame, inhabitants: float, code: str, ns: NormSettings) -> pd.DataFrame:
    """Contacts per month and channel for one municipality (modelled).

    ``visits``: :func:`counter_months` of the municipality. Returns, per month, ``balie_afspraak``,
    ``balie_inloop`` (visits), ``balie_minuten_afspraak``, ``balie_minuten_inloop`` (service minutes),
    ``balie``, ``telefoon`` and ``email``.

    * Counter: the renewal model; the other products (visit type ``enkel``) scale with
      ``(1 - digital share) / (1 - Haarlem's digital share)``, because the per-inhabitant rate is Haarlem's.
    * Phone and e-mail: inhabitants x rate x the same digital factor, per month
      ``(1 - f) / 12 + f x counter visits that month / counter visits per year in the reference period``
      with ``f`` = ``contacten_volgen_balie_aandeel``: in the reference period the year sums to inhabitants x rate.
    """
    factor = (1.0 - ns.digital[code]) / (1.0 - ns.digital[REFERENCE_GEMEENTE])
    v = visits.copy()
    if "enkel" in v:
        v["enkel"] = v["enkel"] * factor
    walk_types = [t for t in v.columns if t in WALK_IN_TYPES and ns.walk_in_hours_per_week > 0]
    app_types = [t for t in v.columns if t not in walk_types]
    minutes = pd.Series({t: float(ns.service_minutes[t]) for t in v.columns})
    total = v.sum(axis=1)
    ref = total[total.index.year.isin(ns.reference_years)]
    if ref.empty or ref.sum() <= 0:
        raise DataError(f"no counter visits in the reference period {ns.reference_years} for {code}; check referentiejaar")
    per_year_ref = float(ref.sum()) / len(ns.reference_years)
    shape = (1.0 - ns.follow_share) / 12.0 + ns.follow_share * total / per_year_ref
    return pd.DataFrame({
        "balie_afspraak": v[app_types].sum(axis=1),
        "balie_inloop": v[walk_types].sum(axis=1) if walk_types else 0.0,
        "balie_minuten_afspraak": v[app_types] @ minutes[app_types],
        "balie_minuten_inloop": (v[walk_types] @ minutes[walk_types]) if walk_types else 0.0,
        "balie": total,
        "telefoon": inhabitants * ns.phone_rate * factor * shape,
        "email": inhabitants * ns.email_rate * factor * shape,
    }, index=visits.index)


def apply_contact_file(volumes: pd.DataFrame, own: pd.DataFrame, code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace modelled months by the municipality's own counts; returns the volumes and the source per month/channel.

    Counter counts from the file are split over appointment and walk-in (and their minutes) by the model's
    mix of that month.
    """
    out = volumes.copy()
    source = pd.DataFrame("model", index=volumes.index, columns=list(CHANNELS))
    rows = own.loc[own["gemeente"] == code]
    for row in rows.itertuples(index=False):
        month = pd.Period(year=int(row.jaar), month=int(row.maand), freq="M")
        if month not in out.index:
            continue
        if row.kanaal == "balie":
            modelled = out.at[month, "balie"]
            scale = float(row.contacten) / modelled if modelled > 0 else 0.0
            for col in ("balie_afspraak", "balie_inloop", "balie_minuten_afspraak", "balie_minuten_inloop", "balie"):
                out.at[month, col] = out.at[month, col] * scale
        else:
            out.at[month, row.kanaal] = float(row.contacten)
        source.at[month, row.kanaal] = "bestand"
    return out, source


# --------------------------------------------------------------------------- one channel, one month
def _days(months: pd.PeriodIndex) -> np.ndarray:
    """Working days (Monday to Friday) per month."""
    return norms.working_days_per_month(months).to_numpy()


def _per_day(monthly: pd.Series | np.ndarray, months: pd.PeriodIndex) -> tuple[np.ndarray, np.ndarray]:
    """A monthly amount spread evenly over the month's working days, and the month position of each day."""
    days = _days(months)
    return np.repeat(np.asarray(monthly, dtype=float) / days, days), np.repeat(np.arange(len(months)), days)


def _interpolated(fn, positions: float) -> tuple[float, ...]:
    """``fn`` at a fractional number of positions: linear between the whole numbers around it."""
    low = math.floor(positions + 1e-9)
    a = fn(low) if low >= 1 else None
    b = fn(low + 1)
    if a is None:
        return tuple(x * positions for x in b) if positions > 0 else tuple(0.0 for _ in b)
    w = positions - low
    return tuple((1 - w) * x + w * y for x, y in zip(a, b))


def phone_month(calls: float, hours: float, agents: float, ns: NormSettings) -> tuple[float, float, float]:
    """Share within the norm, mean wait (seconds) and share hanging up for one month's calls."""
    if calls <= 0:
        return 1.0, 0.0, 0.0
    rate = calls / hours

    def at(n: int) -> tuple[float, float, float]:
        r = _erlang_a(rate, ns.phone_minutes, ns.patience_minutes, n, ns.phone_norm_seconds)
        return r.share_within_norm, r.mean_wait_seconds, r.p_abandon

    if agents < 1:  # fewer than one seat: the line is unstaffed part of the time; those calls are lost
        share, wait, lost = at(1)
        return share * agents, wait, 1.0 - agents * (1.0 - lost)
    return _interpolated(at, agents)


def phone_agents_needed(calls: float, hours: float, ns: NormSettings) -> int:
    """Seats the phone norm needs for one month's calls (at the month's mean arrival rate).

    The same answer as :func:`decentraal.methods.servicenorms.agents_for_norm` (smallest number of seats
    meeting the norm; the share rises with every seat), searched from the offered load outwards because the
    answer lies within a few seats of it: two to four evaluations instead of ten.
    """
    if calls <= 0:
        return 0
    rate = calls / hours

    def ok(n: int) -> bool:
        r = _erlang_a(rate, ns.phone_minutes, ns.patience_minutes, n, ns.phone_norm_seconds)
        return r.share_within_norm >= ns.target_share

    n = max(1, math.ceil(rate * ns.phone_minutes / 60.0))
    if ok(n):
        while n > 1 and ok(n - 1):
            n -= 1
        return n
    while not ok(n + 1):
        n += 1
        if n > 10_000:
            raise DataError(f"more than 10,000 phone seats needed for {calls:.0f} calls a month; check the phone volumes")
    return n + 1


def _slots_per_desk(minutes: float, visits: float, ns: NormSettings) -> int:
    per_day = (ns.counter_hours_per_week - ns.walk_in_hours_per_week) / staffing.WORKING_DAYS_PER_WEEK
    return staffing.appointment_slots_per_day(1, per_day, minutes / visits)


#: Days to an appointment (heavy-traffic approximation), kept per (requests, slots, norm) as the queueing results.
_access = functools.lru_cache(maxsize=1 << 16)(staffing.access_time_heavy_traffic)


def counter_month(row: pd.Series, days: float, desks: float, ns: NormSettings) -> tuple[float, float]:
    """Share of counter visitors within the norm and mean days to an appointment, for one month.

    Appointment requests: share with a slot within ``toegangsnorm_werkdagen`` working days
    (:func:`decentraal.methods.staffing.access_time`, slots as long as the month's mean appointment).
    Walk-in: share served within ``wachtnorm_minuten`` (Erlang C at the month's mean arrivals per walk-in
    hour). Weighted by the visits of each part.
    """
    app, walk = float(row["balie_afspraak"]), float(row["balie_inloop"])

    def at(n: int) -> tuple[float, float]:
        share_app, mean_days = 1.0, 1.0
        if app > 0:
            slots = n * _slots_per_desk(row["balie_minuten_afspraak"], app, ns)
            lam = app / days
            if slots <= lam:
                share_app, mean_days = 0.0, math.inf
            else:
                share_app, mean_days = _access(lam, slots, ns.access_days)
        share_walk = 1.0
        if walk > 0:
            hours = days * ns.walk_in_hours_per_week / staffing.WORKING_DAYS_PER_WEEK
            share_walk = _service_level(walk / hours, row["balie_minuten_inloop"] / walk, n, ns.walk_in_norm_minutes)
        return (app * share_app + walk * share_walk) / (app + walk), mean_days

    if app + walk <= 0:
        return 1.0, 1.0
    if desks < 1:
        share, mean_days = at(1)
        return share * desks, mean_days
    low = math.floor(desks + 1e-9)
    (s0, d0), (s1, d1) = at(low), at(low + 1)
    w = desks - low
    return (1 - w) * s0 + w * s1, d0 if w < 0.5 else d1


def counter_desks_needed(row: pd.Series, days: float, ns: NormSettings, max_desks: int = 200) -> int:
    """Fewest desks with at least ``wachtnorm_aandeel`` of the month's visitors within the norm."""
    if row["balie_afspraak"] + row["balie_inloop"] <= 0:
        return 0
    hours = days * ns.counter_hours_per_week / staffing.WORKING_DAYS_PER_WEEK
    lower = max(1, math.floor((row["balie_minuten_afspraak"] + row["balie_minuten_inloop"]) / 60.0 / hours))
    for n in range(lower, max_desks + 1):
        if counter_month(row, days, n, ns)[0] >= ns.target_share:
            return n
    raise DataError(f"more than {max_desks} desks needed in one month; check the counter volumes")


# --------------------------------------------------------------------------- capacity and attainment
@dataclass(frozen=True)
class Capacity:
    """FTE per month (rows) and channel (columns) of one scenario, and where it comes from."""

    fte: pd.DataFrame
    source: str


def _average_month(volumes: pd.DataFrame, ns: NormSettings) -> tuple[pd.Series, float]:
    ref = volumes.loc[volumes.index.year.isin(ns.reference_years)]
    return ref.mean(), float(_days(ref.index).mean())


def capacity_from_reference(volumes: pd.DataFrame, ns: NormSettings) -> pd.Series:
    """FTE per channel that met each norm in the reference period.

    Counter and phone: the desks and seats that meet the norm in an average month of the period (whole
    positions). E-mail: the smallest constant capacity that answers ``wachtnorm_aandeel`` of the period's
    e-mails within the norm (the backlog carries over from month to month, so the period is the unit).
    """
    avg, days = _average_month(volumes, ns)
    hours_phone = days * ns.phone_hours_per_week / staffing.WORKING_DAYS_PER_WEEK
    agents = phone_agents_needed(avg["telefoon"], hours_phone, ns)
    desks = counter_desks_needed(avg, days, ns)
    ref = volumes.loc[volumes.index.year.isin(ns.reference_years)]
    arrivals, _ = _per_day(ref["email"], ref.index)
    email_per_day = norms.capacity_for_norm(arrivals, ns.email_norm_days, ns.target_share, rel_tol=EMAIL_TOLERANCE)
    return pd.Series({
        "balie": desks * ns.fte_per_position(ns.counter_hours_per_week),
        "telefoon": agents * ns.fte_per_position(ns.phone_hours_per_week),
        "email": email_per_day / ns.email_per_fte_per_day(),
    })


def scenario_capacity(volumes: pd.DataFrame, ns: NormSettings, staffing_file: pd.DataFrame | None, code: str) -> dict[str, Capacity]:
    """Today's capacity and the expansion, FTE per month and channel.

    With the municipality's staffing file, each channel's months take its FTE (converted to FTE of
    ``uren_per_fte`` hours where the file gives its own hours); months before the first or after the last month
    in the file keep the nearest month's FTE (no expansion means nothing changes); a channel missing from the
    file keeps the capacity that met the norm in the reference period.
    """
    months = volumes.index
    base = capacity_from_reference(volumes, ns)
    today = pd.DataFrame({c: np.full(len(months), base[c]) for c in CHANNELS}, index=months)
    source = "norm gehaald in referentiejaar (aanname)"
    if staffing_file is not None:
        own = staffing_file.loc[staffing_file["gemeente"] == code]
        if not own.empty:
            source = "bezettingsbestand van de gemeente"
            for channel in CHANNELS:
                part = own.loc[own["kanaal"] == channel]
                if part.empty:
                    continue
                idx = pd.PeriodIndex([pd.Period(year=int(y), month=int(m), freq="M") for y, m in zip(part["jaar"], part["maand"])])
                hours = part["uren_per_fte"].fillna(ns.hours_per_fte).to_numpy(float) if "uren_per_fte" in part else ns.hours_per_fte
                fte = part["fte"].to_numpy(float) * hours / ns.hours_per_fte  # FTE of the run's uren_per_fte
                series = pd.Series(fte, index=idx).sort_index()
                today[channel] = series.reindex(months).ffill().bfill().to_numpy()
    return {"huidige_capaciteit": Capacity(today, source),
            "uitbreiding": Capacity(today * (1.0 + ns.expansion), f"{source} + {round(ns.expansion * 100):d}%")}


def needs(volumes: pd.DataFrame, ns: NormSettings) -> pd.DataFrame:
    """FTE each norm needs per month (rows) and channel (columns); e-mail: the constant capacity of the year."""
    months = volumes.index
    days = _days(months)
    phone_hours = days * ns.phone_hours_per_week / staffing.WORKING_DAYS_PER_WEEK
    out = pd.DataFrame(index=months, columns=list(CHANNELS), dtype=float)
    for i in range(len(months)):
        row = volumes.iloc[i]
        out.iloc[i, 0] = counter_desks_needed(row, days[i], ns) * ns.fte_per_position(ns.counter_hours_per_week)
        out.iloc[i, 1] = phone_agents_needed(row["telefoon"], phone_hours[i], ns) * ns.fte_per_position(ns.phone_hours_per_week)
    arrivals, day_month = _per_day(volumes["email"], months)
    day_year = months.year.to_numpy()[day_month]
    for year in sorted(set(months.year)):
        need = norms.capacity_for_norm(arrivals[day_year == year], ns.email_norm_days, ns.target_share, rel_tol=EMAIL_TOLERANCE)
        out.loc[months.year == year, "email"] = need / ns.email_per_fte_per_day()
    return out


def attainment(volumes: pd.DataFrame, cap: Capacity, ns: NormSettings, need: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per month and channel: contacts, share within the norm, wait, abandonment, FTE available and needed.

    Returns a long frame with ``maand``, ``kanaal``, ``contacten``, ``aandeel_binnen_norm``, ``wachttijd``
    (phone seconds, e-mail working days, counter working days to an appointment), ``afhaken`` (phone),
    ``fte_beschikbaar``, ``fte_nodig`` (NaN without ``need``, see :func:`needs`).
    """
    months = volumes.index
    days = _days(months)
    rows = []
    phone_hours = days * ns.phone_hours_per_week / staffing.WORKING_DAYS_PER_WEEK
    fte_seat_phone = ns.fte_per_position(ns.phone_hours_per_week)
    fte_desk = ns.fte_per_position(ns.counter_hours_per_week)
    if need is None:
        need = pd.DataFrame(np.nan, index=months, columns=list(CHANNELS))
    for i, month in enumerate(months):
        row = volumes.iloc[i]
        share, wait, lost = phone_month(row["telefoon"], phone_hours[i], cap.fte["telefoon"].iloc[i] / fte_seat_phone, ns)
        rows.append((month, "telefoon", row["telefoon"], share, wait, lost, cap.fte["telefoon"].iloc[i], need["telefoon"].iloc[i]))
        share, mean_days = counter_month(row, days[i], cap.fte["balie"].iloc[i] / fte_desk, ns)
        rows.append((month, "balie", row["balie"], share, mean_days, np.nan, cap.fte["balie"].iloc[i], need["balie"].iloc[i]))
    # e-mail: one backlog over all days, capacity per day from the FTE of each day's month
    arrivals, day_month = _per_day(volumes["email"], months)
    cap_days = cap.fte["email"].to_numpy()[day_month] * ns.email_per_fte_per_day()
    backlog = norms.email_backlog(arrivals, cap_days, ns.email_norm_days, periods=day_month).per_period
    share_email = backlog["share_within_norm"].fillna(1.0)
    waited = backlog["mean_days"].fillna(0.0)
    for i, month in enumerate(months):
        rows.append((month, "email", volumes["email"].iloc[i], float(share_email.get(i, 1.0)), float(waited.get(i, 0.0)), np.nan,
                     cap.fte["email"].iloc[i], need["email"].iloc[i]))
    return pd.DataFrame(rows, columns=["maand", "kanaal", "contacten", "aandeel_binnen_norm", "wachttijd", "afhaken",
                                       "fte_beschikbaar", "fte_nodig"])


WAIT_UNITS = {"telefoon": "seconden", "email": "werkdagen", "balie": "werkdagen tot afspraak"}


def per_year(monthly: pd.DataFrame) -> pd.DataFrame:
    """Yearly figures from the monthly ones: contact-weighted shares and waits, FTE needed in the peak month."""
    m = monthly.assign(jaar=monthly["maand"].dt.year)
    out = []
    for (channel, year), part in m.groupby(["kanaal", "jaar"], sort=True):
        weight = part["contacten"].to_numpy()
        total = weight.sum()

        def mean(col: str, part: pd.DataFrame = part, weight: np.ndarray = weight) -> float:
            values = part[col].to_numpy(float)
            ok = np.isfinite(values)
            if not ok.any():
                return float("nan")
            return float(np.average(values[ok], weights=weight[ok])) if weight[ok].sum() > 0 else float(values[ok].mean())

        peak = part.iloc[int(np.argmax(weight))]
        out.append({"kanaal": channel, "jaar": int(year), "contacten": float(total),
                    "aandeel_binnen_norm": mean("aandeel_binnen_norm"),
                    "wachttijd": mean("wachttijd"), "wachttijd_eenheid": WAIT_UNITS[channel],
                    "afhaken": mean("afhaken") if channel == "telefoon" else float("nan"),
                    "fte_beschikbaar": float(part["fte_beschikbaar"].mean()), "fte_nodig": float(part["fte_nodig"].max()),
                    "piekmaand": int(peak["maand"].month)})
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- one municipality
@dataclass(frozen=True)
class MunicipalityNorms:
    """Everything of one municipality: volumes, capacity and attainment per scenario."""

    code: str
    name: str
    inhabitants: float
    volumes: pd.DataFrame
    volume_source: pd.DataFrame
    capacity: Mapping[str, Capacity]
    monthly: Mapping[str, pd.DataFrame]
    table: pd.DataFrame


def counter_visits_for(layers: Mapping[str, Any], ns: NormSettings, ts: TimeSettings) -> pd.DataFrame:
    """Counter visits per month and visit type of one municipality (the renewal model of chapter 03)."""
    ts_sn = replace(ts, first_year=ns.model_years[0], last_year=max(ns.model_years[-1], ts.last_year))
    yearly = yearly_demand(layers["buurt"], ns.visit_rate, ts_sn)
    return counter_months(yearly.table, ns.model_years)


def municipality(code: str, inhabitants: float, visits: pd.DataFrame, ns: NormSettings, *,
                 own_contacts: pd.DataFrame | None = None, own_staffing: pd.DataFrame | None = None,
                 years: Sequence[int] | None = None, scenarios: Sequence[str] = SCENARIOS,
                 with_needs: bool = True) -> MunicipalityNorms:
    """Volumes, capacity and norm attainment of one municipality (``visits``: :func:`counter_visits_for`)."""
    volumes = monthly_volumes(visits, inhabitants, code, ns)
    source = pd.DataFrame("model", index=volumes.index, columns=list(CHANNELS))
    if own_contacts is not None:
        volumes, source = apply_contact_file(volumes, own_contacts, code)
    caps = scenario_capacity(volumes, ns, own_staffing, code)
    years = tuple(years or ns.years)
    shown = volumes.index.year.isin(years)
    need = needs(volumes.loc[shown], ns) if with_needs else None
    monthly, yearly_rows = {}, []
    for scenario in scenarios:
        cap = caps[scenario]
        m = attainment(volumes.loc[shown], Capacity(cap.fte.loc[shown], cap.source), ns, need)
        monthly[scenario] = m
        yearly_rows.append(per_year(m).assign(scenario=scenario, bron_capaciteit=cap.source))
    table = pd.concat(yearly_rows, ignore_index=True)
    src = source.loc[shown]
    by_year = {(c, int(y)): ("bestand" if (src.loc[src.index.year == y, c] == "bestand").all() else
                             "deels bestand" if (src.loc[src.index.year == y, c] == "bestand").any() else "model")
               for c in CHANNELS for y in years}
    table["bron_volume"] = [by_year[(c, y)] for c, y in zip(table["kanaal"], table["jaar"])]
    table = table.assign(gemeente=code, gemeentenaam=GEMEENTEN[code], norm=table["kanaal"].map(ns.norm_text),
                         contacten_per_1000=table["contacten"] / inhabitants * 1000.0)
    return MunicipalityNorms(code, GEMEENTEN[code], inhabitants, volumes, source, caps, monthly, table[TABLE_COLUMNS])


# --------------------------------------------------------------------------- sensitivity
def headline(table: pd.DataFrame) -> pd.Series:
    """Share within the norm with today's capacity, per municipality and channel (the table's years)."""
    part = table.loc[table["scenario"] == SCENARIOS[0]]
    return part.groupby(["gemeente", "kanaal"])["aandeel_binnen_norm"].min()


def sensitivity(p: RunParameters, base: Mapping[str, Mapping], compute: Callable[[RunParameters], pd.DataFrame]) -> pd.DataFrame:
    """Every ``servicenormen`` assumption with a ``bereik`` at its low and high end, one at a time.

    ``compute(params) -> table`` recomputes the headline year's table with today's capacity. Returns
    ``parameter``, ``gemeente``, ``kanaal``, ``laag``, ``hoog`` (the share within the norm at each end),
    ``standaard`` and ``spreiding`` (``|hoog - laag|``).
    """
    default = headline(compute(p))
    rows = []
    for name, entry in base.items():
        if entry.get("groep") != "servicenormen" or "bereik" not in entry or name == "uitbreiding_aandeel":
            continue
        ends = {}
        for label, value in zip(("laag", "hoog"), entry["bereik"]):
            q = p.model_copy(update={name: type(getattr(p, name))(value)})
            ends[label] = headline(compute(q))
        for key in default.index:
            lo, hi = float(ends["laag"][key]), float(ends["hoog"][key])
            rows.append({"parameter": name, "gemeente": key[0], "kanaal": key[1], "laag": lo, "hoog": hi,
                         "standaard": float(default[key]), "spreiding": abs(hi - lo)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- chapter 04
@dataclass(frozen=True)
class NormResult:
    """Chapter 04's results (see :func:`servicenorms`)."""

    settings: NormSettings
    municipalities: Mapping[str, MunicipalityNorms]
    table: pd.DataFrame
    monthly: pd.DataFrame
    sensitivity: pd.DataFrame
    peak_year: int
    contacts_file: str
    staffing_file: str
    synthetic: bool

    def most_important(self) -> str | None:
        """The assumption whose range moves the headline most (largest spread over channels and municipalities)."""
        if self.sensitivity.empty:
            return None
        return str(self.sensitivity.groupby("parameter")["spreiding"].max().idxmax())


def servicenorms(s: Session) -> NormResult:
    """Chapter 04: norm attainment per municipality, channel, year and scenario; writes ``04_servicenormen``."""
    p = s.params
    ns = NormSettings.from_params(p)
    ts = TimeSettings.from_params(p)
    known = list(GEMEENTEN)
    own_contacts = contact_files.read_contacts(Path(p.contacten_bestand), gemeenten=known) if p.contacten_bestand else None
    own_staffing = contact_files.read_staffing(Path(p.bezetting_bestand), gemeenten=known) if p.bezetting_bestand else None
    synthetic = any(f is not None and contact_files.is_synthetic(f) for f in (own_contacts, own_staffing))
    inputs = {}
    for code in GEMEENTEN:
        layers, _ = common.safe_layers(s.layers_all, code, p.onthulling_drempel)
        inputs[code] = (float(layers["buurt"]["inwoners"].fillna(0).sum()), counter_visits_for(layers, ns, ts))
    munis = {code: municipality(code, people, visits, ns, own_contacts=own_contacts, own_staffing=own_staffing)
             for code, (people, visits) in inputs.items()}
    table = pd.concat([m.table for m in munis.values()], ignore_index=True)
    monthly = pd.concat([m.monthly[sc].assign(gemeente=code, scenario=sc) for code, m in munis.items() for sc in SCENARIOS],
                        ignore_index=True)
    counter = table.loc[(table["kanaal"] == "balie") & (table["scenario"] == SCENARIOS[0])]
    peak = int(counter.groupby("jaar")["contacten"].sum().idxmax())

    def compute(q: RunParameters) -> pd.DataFrame:
        nq = NormSettings.from_params(q)
        return pd.concat([municipality(code, people, visits, nq, own_contacts=own_contacts, own_staffing=own_staffing,
                                       years=(peak,), scenarios=SCENARIOS[:1], with_needs=False).table
                          for code, (people, visits) in inputs.items()], ignore_index=True)

    sens = sensitivity(p, s.base, compute)
    result = NormResult(ns, munis, table, monthly, sens, peak, p.contacten_bestand, p.bezetting_bestand, synthetic)
    s.out.table(table, "04_servicenormen")
    s.out.table(monthly.assign(maand=monthly["maand"].astype(str)), "04_servicenormen_per_maand")
    s.out.table(sens, "04_gevoeligheid")
    s.out.summary({"servicenormen": kerncijfers(result)}, "04")
    return result


def kerncijfers(r: NormResult) -> dict[str, Any]:
    """Chapter 04's part of ``kerncijfers.json``: per municipality and channel the norm, today's capacity and
    the peak year's share within the norm in both scenarios, with (today's capacity) the lowest and highest
    value over the ends of every assumption's ``bereik`` (one at a time, :func:`sensitivity`; not percentiles:
    chapter 04 has no Monte Carlo), and the year with the lowest share."""
    peak = r.peak_year
    ranges = r.sensitivity
    items = []
    for code, m in r.municipalities.items():
        channels = []
        for channel in CHANNELS:
            t = m.table.loc[m.table["kanaal"] == channel]
            now = t.loc[t["scenario"] == SCENARIOS[0]].set_index("jaar")
            more = t.loc[t["scenario"] == SCENARIOS[1]].set_index("jaar")
            sens = ranges.loc[(ranges["gemeente"] == code) & (ranges["kanaal"] == channel)] if not ranges.empty else ranges
            base_value = float(now.at[peak, "aandeel_binnen_norm"])
            low = min([base_value, *sens["laag"], *sens["hoog"]]) if len(sens) else base_value
            high = max([base_value, *sens["laag"], *sens["hoog"]]) if len(sens) else base_value
            channels.append({
                "kanaal": channel, "norm": r.settings.norm_text(channel),
                "fte_huidig": float(now["fte_beschikbaar"].mean()),
                "fte_nodig_piekjaar": float(now.at[peak, "fte_nodig"]),
                "aandeel_binnen_norm_piekjaar": {sc: float(x.at[peak, "aandeel_binnen_norm"])
                                                 for sc, x in zip(SCENARIOS, (now, more))},
                "slechtste_jaar": int(now["aandeel_binnen_norm"].idxmin()),
                "aandeel_binnen_norm_piekjaar_bereik": {"laag": low, "standaard": base_value, "hoog": high},
            })
        items.append({"gemeente": code, "gemeentenaam": m.name, "kanalen": channels})
    return {"jaren": [r.settings.years[0], r.settings.years[-1]], "piekjaar": peak,
            "referentiejaar": list(r.settings.reference_years), "synthetisch": r.synthetic,
            "belangrijkste_aanname": r.most_important(), "gemeenten": items}
