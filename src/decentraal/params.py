"""Run parameters: one typed, validated model for every config in ``configs/``.

A config is a flat YAML mapping (so each key is also a papermill parameter and can be
overridden with ``decentraal run -p name=value``). :func:`load_config` validates it before any
notebook runs: every problem is collected into one :class:`ParameterError` message that lists
what is valid, and nothing is executed or written.

Defaults that are real-world assumptions say where they come from; values marked
``aanname`` have no public source and should be replaced by the municipality's own figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .config import GEMEENTEN, LEVELS
from .errors import ParameterError
from .indicators import INDICATORS

#: Levels available per municipality (Zandvoort has no stadsdelen).
LEVELS_BY_GEMEENTE = {"GM0392": LEVELS, "GM0473": ("buurt", "wijk", "gemeente")}
#: Statistics years shipped in data/raw (KWB 2024); other years need `decentraal data fetch`.
YEARS = (2024,)


class RunParameters(BaseModel):
    """All parameters of a run; field descriptions double as documentation."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # -- run
    naam: str = Field("haarlem", description="Name of the config; part of the run id", pattern=r"^[a-z0-9_-]+$")
    gemeente: str = Field("GM0392", description="CBS municipality code")
    jaar: int = Field(2024, description="Statistics year (KWB)")
    niveau: Literal["buurt", "wijk", "stadsdeel", "gemeente"] = Field("wijk", description="Area level for the ranking")
    seed: int = Field(20211012, ge=0, description="Seed for every random draw (default: date of the informatienota's college decision)")
    basiskaart: bool = Field(False, description="Add OpenStreetMap tiles to interactive maps (makes the report request web tiles)")

    # -- barriers (notebook 02)
    gewicht_aandeel_65plus: float = Field(1.0, ge=0)
    gewicht_aandeel_eenpersoonshuishoudens: float = Field(1.0, ge=0)
    gewicht_aandeel_herkomst_buiten_europa: float = Field(1.0, ge=0)
    gewicht_inkomen_per_inwoner: float = Field(1.0, ge=0)
    gewicht_aandeel_goede_gezondheid: float = Field(1.0, ge=0)
    gewicht_autos_per_huishouden: float = Field(1.0, ge=0)
    gewicht_afstand_loket_km: float = Field(1.0, ge=0)
    stabiliteit_trekkingen: int = Field(1000, ge=10, le=100_000, description="Dirichlet weight draws for rank stability")
    stabiliteit_concentratie: float = Field(50.0, gt=0, description="Dirichlet concentration around the chosen weights")
    top_n: int = Field(3, ge=1, description="Rank stability: share of draws in the top n")
    min_gewicht_aandeel: float = Field(0.5, gt=0, le=1, description="Minimum share of weight with known indicators for an index")
    onthulling_drempel: int = Field(10, ge=1, description="Disclosure control: counts and denominators below this are never shown")
    lisa_alpha: float = Field(0.05, gt=0, lt=1, description="Significance level of LISA hot spots")
    lisa_permutaties: int = Field(999, ge=99, description="Permutations for Moran's I and LISA")

    # -- demand, siting, desks, cost (notebook 03)
    bezoeken_per_inwoner_per_jaar: float = Field(1 / 3, gt=0, description="Informatienota 2021/547821: once every three years")
    vraagbron: Literal["bevolking", "waarnemingen"] = Field("bevolking", description="Demand from population x rate, or fitted on the municipality's visit counts")
    bezoeken_bestand: str = Field("", description="CSV of observed visits (see README, 'Visit file format'); used when vraagbron = waarnemingen")
    glm_familie: Literal["poisson", "negbin"] = Field("negbin")
    max_nieuwe_loketten: int = Field(3, ge=0, le=10, description="K: scenarios k = 0..K new counters")
    dekkingsafstand_km: float = Field(1.5, gt=0, description="Coverage radius for maximal coverage (aanname)")
    afstandsverval_beta: float = Field(0.5, ge=0, description="Distance decay per km in the choice model (aanname; see sensitivity table)")
    kandidaten_bestand: str = Field("", description="CSV of named candidate sites (naam,x,y in EPSG:28992); default: population-weighted wijk centres")
    openingsuren_per_week: float = Field(20.0, gt=0, le=168, description="Opening hours of a district counter (aanname)")
    openingsuren_bestaand_per_week: float = Field(40.0, gt=0, le=168, description="Opening hours of the existing counters (aanname)")
    bedieningstijd_minuten: float = Field(10.0, gt=0, description="Mean service time per visit (aanname)")
    wachtnorm_minuten: float = Field(10.0, ge=0, description="Waiting-time norm: served within this many minutes (aanname)")
    wachtnorm_aandeel: float = Field(0.8, gt=0, lt=1, description="Share of visitors to serve within the norm")
    piekfactor: float = Field(1.5, ge=1, description="Peak-hour arrivals relative to the average hour (aanname)")
    vaste_kosten_per_loket: float = Field(400_000.0, ge=0, description="Informatienota 2021/547821: 'structureel ruim 400.000,- euro per jaar'")
    uurkosten_balie: float = Field(60.0, ge=0, description="Cost per desk-hour in EUR (aanname)")

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

    @field_validator("bezoeken_bestand", "kandidaten_bestand")
    @classmethod
    def _existing_file(cls, value: str) -> str:
        """Resolve a file parameter against the current directory (notebooks run elsewhere)."""
        if not value:
            return value
        path = Path(value).expanduser().resolve()
        if not path.is_file():
            raise ValueError(f"file {value!r} does not exist (resolved to {path}); give a path to an existing CSV")
        return str(path)

    @model_validator(mode="after")
    def _level_and_weights(self) -> "RunParameters":
        levels = LEVELS_BY_GEMEENTE[self.gemeente]
        if self.niveau not in levels:
            raise ValueError(f"level {self.niveau!r} is not available for {self.gemeente}; valid: {', '.join(levels)}")
        if sum(self.weights().values()) <= 0:
            raise ValueError("all indicator weights are 0; give at least one gewicht_* a positive value")
        if self.vraagbron == "waarnemingen" and not self.bezoeken_bestand:
            raise ValueError("vraagbron 'waarnemingen' needs bezoeken_bestand (path to the visit CSV)")
        return self

    def weights(self) -> dict[str, float]:
        """``{indicator key: weight}`` from the ``gewicht_*`` fields."""
        return {i.key: getattr(self, f"gewicht_{i.key}") for i in INDICATORS}


def _message(exc: ValidationError, source: str) -> str:
    lines = [f"invalid parameters in {source}:"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "config"
        text = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            text = f"unknown parameter; valid parameters: {', '.join(RunParameters.model_fields)}"
        elif err["type"] == "literal_error":
            text = f"{text} (got {err.get('input')!r})"
        lines.append(f"  - {where}: {text}")
    lines.append("Nothing was run or written.")
    return "\n".join(lines)


def validate(values: dict[str, Any], *, source: str = "parameters") -> RunParameters:
    """Validate a mapping of parameters; raise one :class:`ParameterError` listing every problem."""
    try:
        return RunParameters(**values)
    except ValidationError as exc:
        raise ParameterError(_message(exc, source)) from None


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``name=value`` (value as YAML, so ``3``, ``0.5``, ``true`` and ``wijk`` all work)."""
    if "=" not in text:
        raise ParameterError(f"override {text!r} must look like name=value, e.g. -p niveau=stadsdeel")
    name, _, raw = text.partition("=")
    return name.strip(), yaml.safe_load(raw) if raw.strip() else ""


def load_config(path: Path, overrides: list[str] | None = None) -> RunParameters:
    """Read a YAML config, apply ``name=value`` overrides and validate the result."""
    path = Path(path)
    if not path.exists():
        raise ParameterError(f"config {path} does not exist; configs available: {', '.join(sorted(p.name for p in path.parent.glob('*.yaml')))}")
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"config {path} is not valid YAML: {exc}") from None
    if not isinstance(values, dict):
        raise ParameterError(f"config {path} must be a mapping of name: value")
    for item in overrides or []:
        name, value = parse_override(item)
        values[name] = value
    return validate(values, source=str(path) + (" with -p overrides" if overrides else ""))
