"""Provenance of fetched data: the in-memory :class:`Download`, and committing it to disk.

A fetch first collects everything it will write in :class:`Download` records. Only when every
download has succeeded does :func:`commit` write the files, a README.md per folder (title,
attribution, licence, year, retrieval time, origin URLs, sha256) and the matching entries in
``raw_dir / "registry.json"`` -- each file atomically, via the writers of :mod:`decentraal.io.files`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from decentraal.io.fetch import http
from decentraal.io.fetch.http import LICENCE
from decentraal.io.files import write_bytes, write_json, write_text
from decentraal.io.registry import load_registry, sha256_file


@dataclass
class Download:
    """Everything one fetch will write, held in memory until all downloads have succeeded."""

    folder: str  # relative to raw_dir
    title: str
    year: int
    attribution: str
    retrieved: str
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> content
    source_urls: dict[str, list[str]] = field(default_factory=dict)  # file name -> URLs used
    columns: dict[str, list[str]] = field(default_factory=dict)  # file name -> columns
    counts: dict[str, str] = field(default_factory=dict)  # file name -> "157 rows" etc.
    notes: list[str] = field(default_factory=list)


def check_registry(raw_dir: Path) -> None:
    """Fail before downloading if an existing registry cannot be read (it would block the write)."""
    registry_file = Path(raw_dir) / "registry.json"
    if registry_file.exists():
        load_registry(registry_file)


def commit(downloads: Iterable[Download], raw_dir: Path) -> list[Path]:
    """Write the files, READMEs and registry entries of finished downloads; return written paths.

    Registry entries of a folder that the new download no longer holds (e.g. more pages in an
    earlier fetch) are removed together with their files.
    """
    downloads = list(downloads)
    raw_dir = Path(raw_dir)
    registry_file = raw_dir / "registry.json"
    registry = load_registry(registry_file) if registry_file.exists() else {}
    written: list[Path] = []
    for item in downloads:
        folder = raw_dir / item.folder
        checksums: dict[str, str] = {}
        for name, content in item.files.items():
            path = write_bytes(content, folder / name)
            checksums[name] = sha256_file(path)
            written.append(path)
        written.append(write_text(readme_text(item, checksums), folder / "README.md"))
        new_keys = {f"{item.folder}/{name}" for name in item.files}
        for key in [k for k in registry if k.startswith(f"{item.folder}/") and k not in new_keys]:
            # left over from an earlier fetch of the same folder (e.g. more pages then)
            del registry[key]
            (raw_dir / key).unlink(missing_ok=True)
        for name in item.files:
            registry[f"{item.folder}/{name}"] = {
                "sha256": checksums[name],
                "attribution": item.attribution,
                "year": item.year,
                "source_url": item.source_urls[name][0],
                "retrieved": item.retrieved,
            }
    write_json(registry, registry_file)
    return written


def readme_text(item: Download, checksums: Mapping[str, str]) -> str:
    """The README.md of one fetched folder: provenance, licence and sha256 of every file."""
    lines = [
        f"# {item.folder}",
        "",
        f"{item.title}.",
        "",
        "Downloaded by `decentraal data fetch` (`src/decentraal/io/fetch/`). Do not edit these files",
        "by hand: `src/decentraal/io/registry.py` checks the sha256 below on every load (registry:",
        "`registry.json` in the raw-data folder). Fetch again to refresh them.",
        "",
        f"- **Attribution line (use in every report):** {item.attribution}",
        f"- **Licence:** {LICENCE}",
        f"- **Year / vintage:** {item.year}",
        f"- **Retrieved:** {item.retrieved} (UTC)",
        "",
        "## Files",
    ]
    for name in item.files:
        lines += ["", f"### `{name}`", ""]
        if name in item.counts:
            lines.append(f"- **Size:** {item.counts[name]}")
        lines.append(f"- **sha256:** `{checksums[name]}`")
        urls = item.source_urls[name]
        lines.append("- **Origin URL:**" if len(urls) == 1 else f"- **Origin URLs ({len(urls)} pages):**")
        lines += [f"  - <{url}>" for url in urls]
        if item.columns.get(name):
            lines.append(f"- **Columns ({len(item.columns[name])}):** " + ", ".join(f"`{c}`" for c in item.columns[name]))
    if item.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in item.notes]
    return "\n".join(lines) + "\n"


def download_and_commit(download: Callable[..., Download], gemeente: str, jaar: int, *, raw_dir: Path,
                        session, timeout: float) -> list[Path]:
    """Check the registry, run one ``download(gemeente, jaar, session, timeout)`` and commit it.

    Nothing is written unless the download succeeded; a session made here is closed again.
    """
    check_registry(raw_dir)
    client, own = http.open_session(session)
    try:
        item = download(gemeente, jaar, client, timeout)
    finally:
        if own:
            client.close()
    return commit([item], raw_dir)
