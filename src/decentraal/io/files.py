"""Readers and atomic writers for files.

Raw files are read only after their sha256 matches the registry (:mod:`.registry`); derived
files are written atomically (a temporary file in the same folder, then a rename), optionally
with a JSON sidecar that records the checksums of the inputs and the code version.
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

from decentraal.config import PACKAGE_DIR, RAW_DIR, ROOT
from decentraal.config import VERSION as __version__
from decentraal.errors import DataError
from decentraal.io.registry import REFRESH_HINT, sha256_file, verified_raw_path


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
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
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
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
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


def read_notebook(path: Path):
    """Read a notebook file as an ``nbformat`` node (version 4)."""
    import nbformat

    return nbformat.read(path, as_version=4)


def write_notebook(nb, target: Path) -> Path:
    """Write a notebook node atomically (one-space indent, as Jupyter does)."""
    import nbformat

    return write_text(nbformat.writes(nb) + "\n", target)
