"""Run parameters: one typed, validated model for every run.

The *values* of the defaults live once, in ``configs/base.yaml`` (with unit, source or
"aanname", and the range used in sensitivity analysis); :mod:`decentraal.io.configs` reads
that file and a municipality file and calls :func:`validate`. This module holds only the
types and the rules, so it imports nothing that touches disk, and a test checks that its
fields and ``base.yaml`` name the same parameters.

Every field is also a papermill parameter of the notebooks, so it can be overridden with
``decentraal run -p name=value``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from decentraal.config import GEMEENTEN, LEVELS
from decentraal.errors import ParameterError

#: Levels available per municipality (Zandvoort has no stadsdelen).
LEVELS_BY_GEMEENTE = {"GM0392": LEVELS, "GM0473": ("buurt", "wijk", "gemeente")}
#: Statistics years shipped in data/raw (KWB 2024); other years need `decentraal data fetch`.
YEARS = (2024,)
#: Prefix of the indicator-weight parameters (``gewicht_<indicator key>``).
WEIGHT_PREFIX = "gewicht_"
#: Smallest disclosure threshold accepted (CBS practice: counts below 5 are never published).
DISCLOSURE_FLOOR = 5
#: Areas with fewer inhabitants are muted on maps and not named among the highest barriers: their
#: shares rest on a handful of people (Zandvoort's Buitengebied has 20).
SPARSE_AREA_RESIDENTS = 100
#: Fewest years of the demand/cost horizon (the committee asked for 2020-2035).
MIN_HORIZON_YEARS = 16


def reference_years(text: str) -> tuple[int, ...]:
    """The years of a reference period: ``"2019-2020"`` -> ``(2019, 2020)``, ``"2020"`` -> ``(2020,)``.

    Raises ``ValueError`` (reported as an invalid parameter) for any other form, a reversed
    period, or years outside 2000-2100.
    """
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"reference period {text!r}: give one year (2020) or a period (2019-2020)")
    first, last = int(match[1]), int(match[2] or match[1])
    if not 2000 <= first <= last <= 2100:
        raise ValueError(f"reference period {text!r}: years must run forward within 2000-2100")
    return tuple(range(first, last + 1))


class RunParameters(BaseModel):
    """All parameters of a run. No defaults here: they come from ``configs/base.yaml``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    # -- run
    naam: str = Field(pattern=r"^[a-z0-9_-]+$")
    gemeente: str
    jaar: int
    niveau: Literal["buurt", "wijk", "stadsdeel", "gemeente"]
    seed: int = Field(ge=0, le=2**32 - 1)
    basiskaart: bool
    contact: str = Field(max_length=200)
    onthulling_drempel: int = Field(ge=DISCLOSURE_FLOOR)

    # -- barriers (notebook 02)
    gewicht_aandeel_65plus: float = Field(ge=0)
    gewicht_aandeel_eenpersoonshuishoudens: float = Field(ge=0)
    gewicht_aandeel_herkomst_buiten_europa: float = Field(ge=0)
    gewicht_inkomen_per_inwoner: float = Field(ge=0)
    gewicht_aandeel_goede_gezondheid: float = Field(ge=0)
    gewicht_autos_per_huishouden: float = Field(ge=0)
    gewicht_afstand_loket_km: float = Field(ge=0)
    stabiliteit_trekkingen: int = Field(ge=10, le=100_000)
    stabiliteit_concentratie: float = Field(gt=0)
    top_n: int = Field(ge=1)
    min_gewicht_aandeel: float = Field(gt=0, le=1)
    lisa_alpha: float = Field(gt=0, lt=1)
    lisa_permutaties: int = Field(ge=99)
    lisa_fdr: bool
    index_dimensies: bool
    gezondheid_onzekerheid_pp: float = Field(ge=0, le=20)

    # -- demand, siting, desks, cost (notebook 03)
    bezoeken_per_inwoner_per_jaar: float = Field(gt=0)
    vraagbron: Literal["bevolking", "waarnemingen"]
    bezoeken_bestand: str
    glm_familie: Literal["poisson", "negbin"]
    max_nieuwe_loketten: int = Field(ge=0, le=10)
    dekkingsafstand_km: float = Field(gt=0)
    afstandsverval_beta: float = Field(ge=0)
    kandidaten_bestand: str
    openingsuren_per_week: float = Field(gt=0, le=168)
    openingsuren_bestaand_per_week: float = Field(gt=0, le=168)
    bedieningstijd_minuten: float = Field(gt=0)
    wachtnorm_minuten: float = Field(ge=0)
    wachtnorm_aandeel: float = Field(gt=0, lt=1)
    piekfactor: float = Field(ge=1)
    vaste_kosten_per_loket: float = Field(ge=0)
    uurkosten_balie: float = Field(ge=0)
    referentiejaar: str
    horizon_begin: int = Field(ge=2014, le=2035)
    horizon_eind: int = Field(ge=2029, le=2060)
    beslisjaar: int = Field(ge=2014, le=2060)
    bedieningstijd_aanvraag_minuten: float = Field(gt=0, le=120)
    bedieningstijd_afhalen_minuten: float = Field(gt=0, le=120)
    bedieningstijd_enkel_minuten: float = Field(gt=0, le=120)
    inloopuren_bestaand_per_week: float = Field(ge=0, le=168)
    inloopuren_nieuw_per_week: float = Field(ge=0, le=168)
    doelbezetting: float = Field(gt=0, le=1)
    toegangsnorm_werkdagen: int = Field(ge=1, le=60)
    vaste_kosten_omvat_personeel: bool
    keuzeregel: Literal["dichtstbij", "zwaartekracht"]
    urenelasticiteit_gamma: float = Field(ge=0)
    productaandeel_nieuw: float = Field(gt=0, le=1)
    spreiding_bezoekcijfer_buurt: float = Field(ge=0, le=1)
    min_dekking_65plus: float = Field(ge=0, le=1)
    tolerantie_bijna_optimaal: float = Field(ge=0, le=1)
    onzekerheid_trekkingen: int = Field(ge=100, le=100_000)
    # -- service norms (04)
    servicenormen_jaar_eind: int = Field(ge=2020, le=2060)
    telefoon_contacten_per_inwoner_per_jaar: float = Field(ge=0)
    email_contacten_per_inwoner_per_jaar: float = Field(ge=0)
    contacten_volgen_balie_aandeel: float = Field(ge=0, le=1)
    digitaal_aandeel_haarlem: float = Field(ge=0, lt=1)
    digitaal_aandeel_zandvoort: float = Field(ge=0, lt=1)
    telefoon_gesprekstijd_minuten: float = Field(gt=0, le=120)
    telefoon_geduld_minuten: float = Field(gt=0)
    telefoon_norm_seconden: float = Field(ge=0)
    telefoon_uren_per_week: float = Field(gt=0, le=168)
    email_norm_werkdagen: int = Field(ge=0, le=60)
    email_behandeltijd_minuten: float = Field(gt=0, le=480)
    uren_per_fte: float = Field(gt=0, le=60)
    krimp_aandeel: float = Field(ge=0, lt=1)
    uitbreiding_aandeel: float = Field(gt=0, le=5)
    contacten_bestand: str
    bezetting_bestand: str

    @field_validator("gemeente")
    @classmethod
    def _known_gemeente(cls, value: str) -> str:
        if value not in GEMEENTEN:
            valid = ", ".join(f"{k} ({v})" for k, v in GEMEENTEN.items())
            raise ValueError(f"unknown municipality {value!r}; valid: {valid}")
        return value

    @field_validator("jaar")
    @classmethod
    def _known_year(cls, value: int) -> int:
        if value not in YEARS:
            raise ValueError(
                f"no shipped statistics for {value}; valid: {', '.join(map(str, YEARS))} "
                "(other years: `decentraal data fetch --jaar YEAR` on a machine with internet)"
            )
        return value

    @field_validator("bezoeken_bestand", "kandidaten_bestand", "contacten_bestand", "bezetting_bestand")
    @classmethod
    def _existing_file(cls, value: str) -> str:
        """Resolve a file parameter against the current directory (notebooks run elsewhere)."""
        if not value:
            return value
        path = Path(value).expanduser().resolve()
        if not path.is_file():
            raise ValueError(f"file {value!r} does not exist (resolved to {path}); give a path to an existing CSV")
        return str(path)

    @field_validator("referentiejaar", mode="before")
    @classmethod
    def _reference_period(cls, value: Any) -> str:
        """One year (``2020``) or a period (``2019-2020``); a bare number from ``-p`` is accepted."""
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else value
        reference_years(text)
        return text

    @model_validator(mode="after")
    def _horizon_and_hours(self) -> RunParameters:
        if self.horizon_eind - self.horizon_begin < MIN_HORIZON_YEARS - 1:
            raise ValueError(
                f"horizon {self.horizon_begin}-{self.horizon_eind} is shorter than {MIN_HORIZON_YEARS} years; the "
                "committee's question (and kerncijfers.json) covers at least 2020-2035"
            )
        if not self.horizon_begin <= self.beslisjaar <= self.horizon_eind:
            raise ValueError(f"beslisjaar {self.beslisjaar} lies outside the horizon {self.horizon_begin}-{self.horizon_eind}")
        if not self.horizon_begin < self.servicenormen_jaar_eind <= self.horizon_eind:
            raise ValueError(f"servicenormen_jaar_eind {self.servicenormen_jaar_eind} must lie after horizon_begin "
                             f"{self.horizon_begin} and not after horizon_eind {self.horizon_eind}")
        if reference_years(self.referentiejaar)[-1] > self.horizon_eind:
            raise ValueError(f"referentiejaar {self.referentiejaar} lies after horizon_eind {self.horizon_eind}")
        if self.inloopuren_bestaand_per_week >= self.openingsuren_bestaand_per_week:
            raise ValueError("inloopuren_bestaand_per_week must be below openingsuren_bestaand_per_week (the rest is by appointment)")
        if self.inloopuren_nieuw_per_week >= self.openingsuren_per_week:
            raise ValueError("inloopuren_nieuw_per_week must be below openingsuren_per_week (the rest is by appointment)")
        return self

    @model_validator(mode="after")
    def _level_and_weights(self) -> RunParameters:
        levels = LEVELS_BY_GEMEENTE[self.gemeente]
        if self.niveau not in levels:
            raise ValueError(f"level {self.niveau!r} is not available for {self.gemeente}; valid: {', '.join(levels)}")
        if sum(self.weights().values()) <= 0:
            raise ValueError("all indicator weights are 0; give at least one gewicht_* a positive value")
        if self.vraagbron == "waarnemingen" and not self.bezoeken_bestand:
            raise ValueError("vraagbron 'waarnemingen' needs bezoeken_bestand (path to the visit CSV)")
        return self

    def digital_share(self, gemeente: str) -> float:
        """``digitaal_aandeel_<name>`` of a municipality (share of requests handled digitally)."""
        return float(getattr(self, f"digitaal_aandeel_{GEMEENTEN[gemeente].lower()}"))

    def weights(self) -> dict[str, float]:
        """``{indicator key: weight}`` from the ``gewicht_*`` fields."""
        return {k.removeprefix(WEIGHT_PREFIX): v for k, v in self.model_dump().items() if k.startswith(WEIGHT_PREFIX)}

    @property
    def gemeentenaam(self) -> str:
        """Name of the municipality (Haarlem, Zandvoort)."""
        return GEMEENTEN[self.gemeente]


#: Why a bound exists, added to the message when it is violated.
HINTS = {
    "onthulling_drempel": f"CBS practice: counts below {DISCLOSURE_FLOOR} are never published",
    "seed": "the permutation tests (esda) seed numpy with 0 .. 4294967295",
    "max_nieuwe_loketten": "scenarios with 0 to 10 new counters",
}


def _message(exc: ValidationError, source: str) -> str:
    lines = [f"invalid parameters in {source}:"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "config"
        text = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            text = f"unknown parameter; valid parameters: {', '.join(RunParameters.model_fields)}"
        elif err["type"] == "missing":
            text = "missing; give it a value (configs/base.yaml holds every default)"
        elif err["type"] == "literal_error":
            text = f"{text} (got {err.get('input')!r})"
        if where in HINTS and err["type"] not in ("missing", "extra_forbidden"):
            text = f"{text} ({HINTS[where]})"
        lines.append(f"  - {where}: {text}")
    lines.append("Nothing was run or written.")
    return "\n".join(lines)


def validate(values: dict[str, Any], *, source: str = "parameters") -> RunParameters:
    """Validate a complete mapping of parameters; raise one :class:`ParameterError` listing every problem."""
    try:
        return RunParameters(**values)
    except ValidationError as exc:
        raise ParameterError(_message(exc, source)) from None
