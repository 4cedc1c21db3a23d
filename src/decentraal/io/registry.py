"""The raw-data registry: checksums of the shipped inputs and where each one is.

``data/raw/registry.json`` lists every raw file (relative path -> sha256, attribution, year).
A raw file is read only after its real sha256 matches the registry.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from decentraal.config import RAW_DIR, REGISTRY_FILE
from decentraal.errors import DataError

REFRESH_HINT = (
    "restore it with `git checkout -- data/raw` or refresh it with "
    "`decentraal data fetch` (see README, 'Refreshing the data')"
)


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
        registry = json.loads(registry_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"raw-data registry {registry_file} is not valid JSON ({exc}); {REFRESH_HINT}") from exc
    if not isinstance(registry, dict):
        raise DataError(f"raw-data registry {registry_file} must map file names to entries; {REFRESH_HINT}")
    for key, entry in registry.items():
        missing = [k for k in ("sha256", "attribution", "year") if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise DataError(
                f"raw-data registry {registry_file}: entry {key!r} lacks {', '.join(missing)}; "
                f"every entry needs sha256, attribution and year (see data/raw/README of the folder); {REFRESH_HINT}"
            )
    return registry


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
    """Return ``{key: sha256}`` as written in the registry (all keys, or the ones given)."""
    registry = load_registry(raw_dir / "registry.json")
    keys = sorted(registry) if keys is None else keys
    return {key: registry[key]["sha256"] for key in keys}


def verified_checksums(raw_dir: Path = RAW_DIR) -> dict[str, str]:
    """The real sha256 of every registered raw file, after checking each against the registry.

    This is what a run records and what ``data/processed`` must have been built from: checksums
    of the bytes on disk, never the numbers written in the registry alone.

    Raises
    ------
    DataError
        Naming every raw file that is missing or whose real sha256 differs from the registry.
    """
    registry = load_registry(raw_dir / "registry.json")
    actual, problems = {}, []
    for key in sorted(registry):
        path = raw_dir / key
        if not path.is_file():
            problems.append(f"{path} is missing")
            continue
        actual[key] = sha256_file(path)
        if actual[key] != registry[key]["sha256"]:
            problems.append(f"{path} has changed (sha256 {actual[key][:12]}..., registry {registry[key]['sha256'][:12]}...)")
    if problems:
        raise DataError(
            "raw data do not match data/raw/registry.json: " + "; ".join(problems)
            + f". Raw data are read-only; {REFRESH_HINT}. Nothing was run."
        )
    return actual


