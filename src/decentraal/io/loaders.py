"""Typed loaders for the shipped raw data.

Each loader reads one registered raw file (checksum verified by :mod:`decentraal.io`),
checks its columns and codes, turns CBS special values into missing values, and returns a
(Geo)DataFrame with harmonised column names, codes (``GMxxxx``, ``WKxxxxxx``, ``BUxxxxxxxx``)
and, for layers, geometry in EPSG:28992.

CBS special values
------------------
Empty cells, ``.`` and the negative codes -99995 to -99999 (CBS: "geheim", "niet beschikbaar",
...) become ``NaN``, never numbers. The KWB 2024 and PDOK 2022 extracts cannot tell a true zero
from a secret value (their builders dropped both); those cells stay missing, see the READMEs in
``data/raw/``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from decentraal import io
from decentraal.config import CRS, RAW_DIR
from decentraal.errors import DataError
from decentraal.io import schemas

KWB_KEY = "cbs_kwb_2024/kwb2024_haarlem_zandvoort_selectie.csv"
BUURTEN_KEY = "pdok_buurten_2019/buurten_2019_gegeneraliseerd_haarlem_zandvoort.geojson"
WIJKEN_2024_KEY = "pdok_wijken_2024/wijken_2024_haarlem.gpkg"
WIJKEN_2022_KEY = "pdok_wijken_2022/wijken_2022_pdok_haarlem_zandvoort.csv"
GEZONDHEID_KEY = "politie_rivm/politie_rivm_haarlem_zandvoort_buurt.csv"
STADSDELEN_KEY = "stadsdelen/haarlem_wijk_stadsdeel.csv"
LOKETTEN_KEY = "loketten/loketten.csv"

#: The CBS codes for "secret", "not available", ... (CBS KWB toelichting); become NaN.
CBS_SPECIAL_CODES = (-99995, -99996, -99997, -99998, -99999)

CODE_PATTERNS = {
    "gemeente": re.compile(r"^GM\d{4}$"),
    "wijk": re.compile(r"^WK\d{6}$"),
    "buurt": re.compile(r"^BU\d{8}$"),
}

#: KWB 2024 (85984NED) column keys -> names used in the package.
KWB_COLUMNS = {
    "AantalInwoners_5": "inwoners",
    "k_65JaarOfOuder_12": "inwoners_65plus",
    "k_0Tot15Jaar_8": "inwoners_0_14",
    "Bevolkingsdichtheid_34": "bevolkingsdichtheid",
    "GemiddeldeHuishoudensgrootte_33": "huishoudensgrootte",
    "HuishoudensTotaal_29": "huishoudens",
    "GemiddeldeWOZWaardeVanWoningen_39": "woz_1000eur",
    "Koopwoningen_47": "pct_koopwoningen",
    "PercentageEengezinswoning_40": "pct_eengezinswoning",
    "GemiddeldInkomenPerInwoner_78": "inkomen_per_inwoner_1000eur",
    "MateVanStedelijkheid_120": "stedelijkheid",
    "Omgevingsadressendichtheid_121": "omgevingsadressendichtheid",
    "OppervlakteLand_116": "oppervlakte_land_ha",
    "AfstandTotHuisartsenpraktijk_110": "afstand_huisarts_km",
    "AfstandTotGroteSupermarkt_111": "afstand_supermarkt_km",
    "AfstandTotSchool_113": "afstand_school_km",
    "ScholenBinnen3Km_114": "scholen_binnen_3km",
}

#: PDOK Wijk- en Buurtkaart 2024 wijk attributes kept -> package names.
WIJKEN_2024_COLUMNS = {
    "aantalInwoners": "inwoners",
    "aantalHuishoudens": "huishoudens",
    "percentagePersonen65JaarEnOuder": "pct_65plus_afgerond",
    "percentageEenpersoonshuishoudens": "pct_eenpersoonshuishoudens",
    "percentageMetHerkomstlandNederland": "pct_herkomst_nederland",
    "percentageMetHerkomstlandUitEuropaExclNl": "pct_herkomst_europa",
    "percentageMetHerkomstlandBuitenEuropa": "pct_herkomst_buiten_europa",
    "personenautosTotaal": "personenautos",
    "personenautosPerHuishouden": "personenautos_per_huishouden",
    "oppervlakteTotaalInHa": "oppervlakte_totaal_ha",
    "oppervlakteLandInHa": "oppervlakte_land_ha",
}

#: PDOK Wijk- en Buurtkaart 2022 wijk attributes kept -> package names.
WIJKEN_2022_COLUMNS = {
    "aantalInwoners": "inwoners",
    "aantalHuishoudens": "huishoudens",
    "gemiddeldInkomenPerInwoner": "inkomen_per_inwoner_1000eur",
    "nettoArbeidsparticipatie": "netto_arbeidsparticipatie",
    "personenautosTotaal": "personenautos",
    "percentagePersonen65JaarEnOuder": "pct_65plus_afgerond",
}


# --------------------------------------------------------------------------- parsing
def require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """Raise a :class:`DataError` naming the file and every missing column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source} lacks column(s) {', '.join(missing)}; found {', '.join(map(str, frame.columns))}. "
            "Use the file as shipped (see the README in its data/raw folder) or rename the columns."
        )


def cbs_numeric(values: pd.Series, *, column: str, source: str, first_row: int = 2) -> pd.Series:
    """Parse a CBS column to float, turning special values into NaN.

    Empty strings, ``.`` and the codes -99995..-99999 become NaN. Anything else that is not a
    number raises a :class:`DataError` naming the file, the row (as numbered in the file,
    header = row 1) and the value.
    """
    text = values.astype("string").str.strip()
    blank = text.isna() | text.isin(["", "."])
    parsed = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = parsed.isna() & ~blank
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{source}, row {pos + first_row}, column {column}: value {text.iloc[pos]!r} is not a number "
            f"({int(bad.sum())} such value(s) in this column). Use a number, leave the cell empty or "
            "use '.' for a missing value."
        )
    parsed = parsed.astype(float)
    return parsed.mask(parsed.isin(CBS_SPECIAL_CODES))


def check_codes(codes: pd.Series, niveau: str | pd.Series, *, source: str, first_row: int = 2) -> None:
    """Raise a :class:`DataError` for the first code that is malformed for its level."""
    levels = niveau if isinstance(niveau, pd.Series) else pd.Series(niveau, index=codes.index)
    for pos, (code, level) in enumerate(zip(codes, levels)):
        pattern = CODE_PATTERNS.get(level)
        if pattern is None:
            raise DataError(
                f"{source}, row {pos + first_row}: level {level!r} for code {code!r} is unknown; "
                f"valid levels are {', '.join(CODE_PATTERNS)}."
            )
        if not isinstance(code, str) or not pattern.match(code):
            raise DataError(
                f"{source}, row {pos + first_row}: code {code!r} is not a valid {level} code "
                f"(expected {pattern.pattern[1:-1]}, e.g. GM0392, WK039201, BU03920101)."
            )


def _check_known_gemeenten(codes: pd.Series, known: Mapping[str, str] | None, source: str) -> None:
    if known is None:
        return
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise DataError(
            f"{source}: gemeentecode(s) {', '.join(unknown)} are unknown; "
            f"this data set covers {', '.join(f'{k} ({v})' for k, v in known.items())}."
        )


def _require_valid_geometry(layer: gpd.GeoDataFrame, source: str) -> None:
    """Refuse invalid polygons by area code (a self-intersection would silently distort areas and joins)."""
    invalid = ~layer.geometry.is_valid
    if invalid.any():
        raise DataError(f"{source}: invalid geometry for {', '.join(layer.loc[invalid, 'code'])}; repair the polygons "
                        "(e.g. QGIS 'Fix geometries' or shapely make_valid) and register the new checksum.")


def _parents_consistent(frame: pd.DataFrame, source: str) -> None:
    """Check that wijk and gemeente codes follow from the buurt/wijk code (CBS code structure)."""
    for pos, row in enumerate(frame.itertuples(index=False)):
        digits = row.code[2:]
        if row.gemeentecode != "GM" + digits[:4]:
            raise DataError(
                f"{source}, row {pos + 2}: code {row.code} does not belong to gemeente {row.gemeentecode}; "
                "fix the gemeentecode column."
            )
        if row.niveau in ("wijk", "buurt") and row.wijkcode != "WK" + digits[:6]:
            raise DataError(
                f"{source}, row {pos + 2}: code {row.code} does not belong to wijk {row.wijkcode}; "
                "fix the wijkcode column (WK + the first 6 digits of the code)."
            )


# --------------------------------------------------------------------------- loaders
def load_kwb(raw_dir: Path = RAW_DIR, *, key: str = KWB_KEY) -> pd.DataFrame:
    """Load CBS Kerncijfers wijken en buurten 2024 (85984NED) for the gemeenten shipped.

    Returns
    -------
    pandas.DataFrame
        One row per gemeente, wijk and buurt: ``code``, ``niveau``, ``naam``,
        ``gemeentecode``, ``gemeentenaam``, ``wijkcode`` (empty for gemeenten),
        ``postcode4`` (most common PC4, buurten only) and the numeric columns of
        :data:`KWB_COLUMNS` as floats with NaN for missing/secret values.
    """
    raw = io.read_raw_csv(key, raw_dir)
    source = str(raw_dir / key)
    ids = ["code", "niveau", "naam", "gemeentecode", "gemeentenaam", "wijkcode"]
    require_columns(raw, ids + list(KWB_COLUMNS) + ["MeestVoorkomendePostcode_118"], source)
    if raw.empty:
        raise DataError(f"{source} has no data rows; is it truncated? {io.REFRESH_HINT}")
    check_codes(raw["code"], raw["niveau"], source=source)
    out = raw[ids].copy()
    out["wijkcode"] = out["wijkcode"].replace("", pd.NA)
    _parents_consistent(out.fillna({"wijkcode": ""}), source)
    out["postcode4"] = raw["MeestVoorkomendePostcode_118"].replace("", pd.NA)
    _no_special_codes(raw, "AantalInwoners_5", source)
    for cbs_key, name in KWB_COLUMNS.items():
        out[name] = cbs_numeric(raw[cbs_key], column=cbs_key, source=source)
    if out["code"].duplicated().any():
        dup = out.loc[out["code"].duplicated(), "code"].tolist()
        raise DataError(f"{source}: code(s) {', '.join(dup)} occur more than once; keep one row per area.")
    schemas.check(out, "kwb", source=source)
    out.attrs["source_file"] = source
    return out


def _no_special_codes(raw: pd.DataFrame, column: str, source: str) -> None:
    """Refuse a CBS special code in a column that CBS always publishes (rounded, never secret).

    Elsewhere a special code becomes a missing value; in the inhabitant count it would make an
    area count as empty (and so 0 visits) without a word.
    """
    special = schemas.special_codes_in(raw[column], CBS_SPECIAL_CODES)
    if special.any():
        rows = [f"row {i + 2} ({raw['code'].iloc[i]}: {raw[column].iloc[i]})" for i in np.flatnonzero(special.to_numpy())[:10]]
        raise DataError(
            f"{source}, column {column}: CBS special code(s) in {', '.join(rows)}. CBS publishes the number of "
            "inhabitants for every area (rounded, never secret), so this is not a usable count; use the file as "
            f"shipped or fetched (decentraal data fetch), or leave the cell empty for an area without inhabitants."
        )


def load_gezondheid(raw_dir: Path = RAW_DIR, *, key: str = GEZONDHEID_KEY) -> pd.DataFrame:
    """Load registered crime (Politie via CBS 47022NED) and good self-rated health (RIVM 50150NED).

    Returns ``code``, ``niveau``, ``naam``, ``gemeentecode`` and numeric columns
    ``misdrijven_<jaar>`` and ``pct_goede_gezondheid_<jaar>`` (share of adults 18+ rating their
    health good or very good; model estimates, missing for small buurten).
    """
    raw = io.read_raw_csv(key, raw_dir)
    source = str(raw_dir / key)
    require_columns(raw, ["code", "niveau", "naam", "gemeentecode"], source)
    check_codes(raw["code"], raw["niveau"], source=source)
    out = raw[["code", "niveau", "naam", "gemeentecode"]].copy()
    for column in raw.columns:
        if column.startswith("geregistreerde_misdrijven_"):
            out["misdrijven_" + column.rsplit("_", 1)[1]] = cbs_numeric(raw[column], column=column, source=source)
        elif column.startswith("pct_goed_ervaren_gezondheid_18plus_"):
            out["pct_goede_gezondheid_" + column.rsplit("_", 1)[1]] = cbs_numeric(raw[column], column=column, source=source)
    if not any(c.startswith("pct_goede_gezondheid_") for c in out.columns):
        raise DataError(f"{source} has no pct_goed_ervaren_gezondheid_18plus_<jaar> column; use the file as shipped.")
    schemas.check(out, "gezondheid", source=source)
    out.attrs["source_file"] = source
    return out


def load_buurt_boundaries(raw_dir: Path = RAW_DIR, *, key: str = BUURTEN_KEY) -> gpd.GeoDataFrame:
    """Load the CBS/PDOK 2019 generalised buurt polygons, reprojected to EPSG:28992.

    Returns ``code``, ``naam``, ``wijkcode``, ``wijknaam``, ``gemeentecode``, ``gemeentenaam``
    and ``geometry``. The polygons are generalised (about 7.5 m quantisation): fine for maps
    and joins by code, not for exact areas (use the CBS land area instead).
    """
    layer = io.read_raw_layer(key, expected_crs="EPSG:4326", raw_dir=raw_dir)
    source = str(raw_dir / key)
    require_columns(layer, ["buurtcode", "buurtnaam_kwb2024", "wijkcode", "wijknaam_kwb2024", "gemeentecode", "gemeentenaam"], source)
    check_codes(layer["buurtcode"], "buurt", source=source)
    out = gpd.GeoDataFrame(
        {
            "code": layer["buurtcode"],
            "naam": layer["buurtnaam_kwb2024"],
            "wijkcode": layer["wijkcode"],
            "wijknaam": layer["wijknaam_kwb2024"],
            "gemeentecode": layer["gemeentecode"],
            "gemeentenaam": layer["gemeentenaam"],
        },
        geometry=layer.geometry,
        crs=layer.crs,
    ).to_crs(CRS)
    _parents_consistent(out.assign(niveau="buurt"), source)
    _require_valid_geometry(out, source)
    out.attrs["source_file"] = source
    return out


def load_wijken_2024(raw_dir: Path = RAW_DIR, *, key: str = WIJKEN_2024_KEY) -> gpd.GeoDataFrame:
    """Load the PDOK Wijk- en Buurtkaart 2024 wijk polygons and attributes (Haarlem only).

    Returns ``code``, ``naam``, ``gemeentecode``, the columns of :data:`WIJKEN_2024_COLUMNS`
    (CBS percentages are whole numbers of percent) and ``geometry`` in EPSG:28992.
    """
    layer = io.read_raw_layer(key, expected_crs=CRS, layer="wijken_2024_haarlem", raw_dir=raw_dir)
    source = str(raw_dir / key)
    require_columns(layer, ["wijkcode", "wijknaam", "gemeentecode"] + list(WIJKEN_2024_COLUMNS), source)
    check_codes(layer["wijkcode"], "wijk", source=source)
    out = gpd.GeoDataFrame(
        {"code": layer["wijkcode"], "naam": layer["wijknaam"], "gemeentecode": layer["gemeentecode"]},
        geometry=layer.geometry,
        crs=layer.crs,
    )
    for pdok_key, name in WIJKEN_2024_COLUMNS.items():
        out[name] = cbs_numeric(layer[pdok_key].astype("string"), column=pdok_key, source=source)
    out = out[["code", "naam", "gemeentecode", *WIJKEN_2024_COLUMNS.values(), "geometry"]]
    schemas.check(pd.DataFrame(out.drop(columns="geometry")), "wijken", source=source)
    _require_valid_geometry(out, source)
    out.attrs["source_file"] = source
    return out


def load_wijken_2022(raw_dir: Path = RAW_DIR, *, key: str = WIJKEN_2022_KEY) -> pd.DataFrame:
    """Load PDOK Wijk- en Buurtkaart 2022 wijk attributes (Haarlem and Zandvoort).

    Returns ``code``, ``naam``, ``gemeentecode`` and the columns of :data:`WIJKEN_2022_COLUMNS`.
    The 2022 income per inhabitant is the only wijk-level income available for all wijken.
    """
    raw = io.read_raw_csv(key, raw_dir)
    source = str(raw_dir / key)
    require_columns(raw, ["wijkcode", "wijknaam", "gemeentecode"] + list(WIJKEN_2022_COLUMNS), source)
    check_codes(raw["wijkcode"], "wijk", source=source)
    out = pd.DataFrame({"code": raw["wijkcode"], "naam": raw["wijknaam"], "gemeentecode": raw["gemeentecode"]})
    for pdok_key, name in WIJKEN_2022_COLUMNS.items():
        out[name] = cbs_numeric(raw[pdok_key], column=pdok_key, source=source)
    schemas.check(out, "wijken", source=source)
    out.attrs["source_file"] = source
    return out


def load_stadsdelen(raw_dir: Path = RAW_DIR, *, key: str = STADSDELEN_KEY) -> pd.DataFrame:
    """Load the wijk -> stadsdeel crosswalk for Haarlem.

    The crosswalk is compiled from public sources (see its README); it is not an official
    table, and every report that uses it says so.

    Returns ``wijkcode``, ``wijknaam``, ``stadsdeel``, ``stadsdeelcode`` (``SD0392`` + a
    two-letter abbreviation, a project-internal code) and ``basis``.
    """
    raw = io.read_raw_csv(key, raw_dir)
    source = str(raw_dir / key)
    require_columns(raw, ["wijkcode", "wijknaam", "stadsdeel", "basis"], source)
    check_codes(raw["wijkcode"], "wijk", source=source)
    if raw["wijkcode"].duplicated().any():
        dup = raw.loc[raw["wijkcode"].duplicated(), "wijkcode"].tolist()
        raise DataError(f"{source}: wijk(en) {', '.join(dup)} assigned to more than one stadsdeel; keep one row per wijk.")
    empty = raw["stadsdeel"].str.strip() == ""
    if empty.any():
        raise DataError(f"{source}: no stadsdeel for {', '.join(raw.loc[empty, 'wijkcode'])}; fill the stadsdeel column.")
    out = raw[["wijkcode", "wijknaam", "stadsdeel", "basis"]].copy()
    out["stadsdeelcode"] = out.apply(lambda r: f"SD{r.wijkcode[2:6]}{stadsdeel_abbreviation(r.stadsdeel)}", axis=1)
    out.attrs["source_file"] = source
    return out


def stadsdeel_abbreviation(name: str) -> str:
    """Two-letter upper-case abbreviation of a stadsdeel name (``Zuid-West`` -> ``ZW``)."""
    parts = [p for p in re.split(r"[-\s]+", name) if p]
    letters = "".join(p[0] for p in parts) if len(parts) > 1 else name[:2]
    return letters.upper()


def load_loketten(raw_dir: Path = RAW_DIR, *, key: str = LOKETTEN_KEY) -> pd.DataFrame:
    """Load the existing municipal counters (name, address, the area whose centre locates them).

    Returns ``loket_id``, ``naam``, ``adres``, ``gemeentecode``, ``gebiedcode`` (buurt or wijk
    code of the area that contains the address), ``x``, ``y`` (EPSG:28992, may be empty) and
    ``locatiebron`` (how the location was obtained).
    """
    raw = io.read_raw_csv(key, raw_dir)
    source = str(raw_dir / key)
    columns = ["loket_id", "naam", "adres", "gemeentecode", "gebiedcode", "x", "y", "locatiebron"]
    require_columns(raw, columns, source)
    check_codes(raw["gemeentecode"], "gemeente", source=source)
    levels = raw["gebiedcode"].str[:2].map({"BU": "buurt", "WK": "wijk"}).fillna("?")
    check_codes(raw["gebiedcode"], levels, source=source)
    out = raw[columns].copy()
    out["x"] = cbs_numeric(raw["x"], column="x", source=source)
    out["y"] = cbs_numeric(raw["y"], column="y", source=source)
    schemas.check(out, "points", source=source, key="loket_id")
    out.attrs["source_file"] = source
    return out


# --------------------------------------------------------------------------- all
@dataclass(frozen=True)
class RawData:
    """Every raw input, loaded and validated."""

    kwb: pd.DataFrame
    gezondheid: pd.DataFrame
    buurten: gpd.GeoDataFrame
    wijken_2024: gpd.GeoDataFrame
    wijken_2022: pd.DataFrame
    stadsdelen: pd.DataFrame
    loketten: pd.DataFrame


def load_raw(raw_dir: Path = RAW_DIR) -> RawData:
    """Load and validate all shipped raw files (see the loaders above)."""
    return RawData(
        kwb=load_kwb(raw_dir),
        gezondheid=load_gezondheid(raw_dir),
        buurten=load_buurt_boundaries(raw_dir),
        wijken_2024=load_wijken_2024(raw_dir),
        wijken_2022=load_wijken_2022(raw_dir),
        stadsdelen=load_stadsdelen(raw_dir),
        loketten=load_loketten(raw_dir),
    )
