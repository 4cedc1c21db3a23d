"""All reading and writing of files: the raw-data registry, readers and atomic writers.

Nothing else in the package touches disk. Raw files are only read (and only after their
sha256 matches ``data/raw/registry.json``); derived files are written atomically (a temporary
file in the same folder, then a rename) together with a JSON sidecar that records the
checksums of the inputs and the code version.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import __version__
from .config import RAW_DIR, REGISTRY_FILE, ROOT
from .errors import DataError

REFRESH_HINT = (
    "restore it with `git checkout -- data/raw` or refresh it with "
    "`decentraal data fetch` (see README, 'Refreshing the data')"
)


# --------------------------------------------------------------------------- registry
def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_registry(registry_file: Path = REGISTRY_FILE) -> dict[str, dict[str, Any]]:
    """Read the registry of raw files (relative path -> sha256, attribution, year, ...)."""
    if not registry_file.exists():
        raise DataError(f"raw-data registry {registry_file} is missing; {REFRESH_HINT}")
    try:
        return json.loads(registry_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"raw-data registry {registry_file} is not valid JSON ({exc}); {REFRESH_HINT}") from exc


def verified_raw_path(key: str, raw_dir: Path = RAW_DIR) -> Path:
    """Return the path of registered raw file ``key`` after checking it exists and is unchanged.

    Parameters
    ----------
    key
        Path relative to ``raw_dir`` as listed in ``raw_dir / "registry.json"``,
        e.g. ``"cbs_kwb_2024/kwb2024_haarlem_zandvoort_selectie.csv"``.
    raw_dir
        Folder holding the raw data and its registry.

    Raises
    ------
    DataError
        If the file is not registered, missing, or its sha256 differs from the registry.
    """
    registry = load_registry(raw_dir / "registry.json")
    if key not in registry:
        raise DataError(
            f"{key} is not in the raw-data registry {raw_dir / 'registry.json'}; "
            f"registered files: {', '.join(sorted(registry))}"
        )
    path = raw_dir / key
    if not path.exists():
        raise DataError(f"raw file {path} is missing; {REFRESH_HINT}")
    actual = sha256_file(path)
    expected = registry[key]["sha256"]
    if actual != expected:
        raise DataError(
            f"raw file {path} has changed: sha256 is {actual}, the registry expects {expected}. "
            f"Raw data are read-only; {REFRESH_HINT}. If you replaced it on purpose, record the "
            f"new checksum in {raw_dir / 'registry.json'} and in the folder's README."
        )
    return path


def raw_checksums(keys: list[str] | None = None, raw_dir: Path = RAW_DIR) -> dict[str, str]:
    """Return ``{key: sha256}`` from the registry (all keys, or the ones given)."""
    registry = load_registry(raw_dir / "registry.json")
    keys = sorted(registry) if keys is None else keys
    return {key: registry[key]["sha256"] for key in keys}


# --------------------------------------------------------------------------- readers
def read_raw_csv(key: str, raw_dir: Path = RAW_DIR) -> pd.DataFrame:
    """Read a registered raw CSV as strings (typing happens in :mod:`decentraal.loaders`)."""
    path = verified_raw_path(key, raw_dir)
    return read_csv_text(path)


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read any CSV as strings with empty cells kept as ``""``; parse errors name the file."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path} cannot be read as a UTF-8 CSV ({exc}); is it truncated? {REFRESH_HINT}") from exc
    frame.attrs["source_file"] = str(path)
    return frame


def read_raw_layer(key: str, *, expected_crs: str, layer: str | None = None, raw_dir: Path = RAW_DIR) -> gpd.GeoDataFrame:
    """Read a registered boundary file and check its CRS.

    Raises
    ------
    DataError
        If the file cannot be read (e.g. truncated), has no CRS, or has a CRS other than
        ``expected_crs``.
    """
    path = verified_raw_path(key, raw_dir)
    return read_layer(path, expected_crs=expected_crs, layer=layer)


def read_layer(path: Path, *, expected_crs: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector layer with pyogrio and check its CRS (see :func:`read_raw_layer`)."""
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several error types for damaged files
        raise DataError(f"{path} cannot be read as a boundary file ({exc}); is it truncated? {REFRESH_HINT}") from exc
    if frame.crs is None:
        raise DataError(
            f"{path} has no coordinate reference system; expected {expected_crs}. "
            "Write the file with its CRS (e.g. GeoPackage, or GeoJSON in EPSG:4326)."
        )
    if not frame.crs.equals(expected_crs):
        raise DataError(
            f"{path} is in {frame.crs.to_string()}, expected {expected_crs}. Reproject it "
            f"(e.g. `ogr2ogr -t_srs {expected_crs}`) or register the file with its real CRS."
        )
    frame.attrs["source_file"] = str(path)
    return frame


# --------------------------------------------------------------------------- writers
def code_version() -> str:
    """Return ``git describe`` of the working tree when available, else the package version."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True, text=True, timeout=10, check=True,
        )
        return out.stdout.strip() or __version__
    except (OSError, subprocess.SubprocessError):
        return __version__


def source_fingerprint() -> str:
    """sha256 over the package's Python sources, so derived data follow every code edit."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it onto ``target`` only on success.

    A failure inside the block removes the temporary file and leaves any earlier ``target``
    untouched, so a failed run never overwrites a previous good output.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_sidecar(target: Path, *, inputs: Mapping[str, str], extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``<target>.json`` with input checksums, code version and creation time."""
    meta = {
        "file": Path(target).name,
        "sha256": sha256_file(target),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "source_sha256": source_fingerprint(),
        "inputs": dict(inputs),
    }
    if extra:
        meta.update(extra)
    side = Path(str(target) + ".json")
    with atomic_path(side) as tmp:
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return side


def write_table(frame: pd.DataFrame, target: Path, *, inputs: Mapping[str, str] | None = None) -> Path:
    """Write a table atomically as Parquet or CSV (by suffix), with a sidecar when ``inputs`` given."""
    target = Path(target)
    with atomic_path(target) as tmp:
        if target.suffix == ".parquet":
            pd.DataFrame(frame).to_parquet(tmp, index=False)
        elif target.suffix == ".csv":
            frame.to_csv(tmp, index=False, encoding="utf-8")
        else:
            raise ValueError(f"unsupported table format {target.suffix!r} for {target}; use .parquet or .csv")
    if inputs is not None:
        write_sidecar(target, inputs=inputs)
    return target


def write_layers(layers: Mapping[str, gpd.GeoDataFrame], target: Path, *, inputs: Mapping[str, str] | None = None) -> Path:
    """Write several layers into one GeoPackage atomically (all layers or none)."""
    target = Path(target)
    with atomic_path(target) as tmp:
        for name, frame in layers.items():
            frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    if inputs is not None:
        write_sidecar(target, inputs=inputs, extra={"layers": list(layers)})
    return target


def write_excel(sheets: Mapping[str, pd.DataFrame], target: Path) -> Path:
    """Write one workbook with a sheet per table.

    Sheet names are cut to Excel's 31 characters; two names that would then collide raise a
    ``ValueError`` naming both, instead of one table silently overwriting the other.
    """
    target = Path(target)
    short: dict[str, str] = {}
    for name in sheets:
        if name[:31] in short:
            raise ValueError(f"tables {short[name[:31]]!r} and {name!r} share the Excel sheet name {name[:31]!r}; shorten one")
        short[name[:31]] = name
    with atomic_path(target) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                out = frame.drop(columns="geometry", errors="ignore")
                pd.DataFrame(out).to_excel(writer, sheet_name=name[:31], index=False)
    return target


def write_text(text: str, target: Path) -> Path:
    """Write a text file atomically (UTF-8)."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def write_bytes(data: bytes, target: Path) -> Path:
    """Write bytes atomically."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def write_json(obj: Any, target: Path) -> Path:
    """Write JSON atomically (UTF-8, indented)."""
    return write_text(json.dumps(obj, indent=2, ensure_ascii=False, default=str), target)


def read_table(path: Path) -> pd.DataFrame:
    """Read a processed table (Parquet or CSV)."""
    path = Path(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


def read_processed_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    """Read one layer of a processed GeoPackage."""
    return gpd.read_file(path, layer=layer, engine="pyogrio")
