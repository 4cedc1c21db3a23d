"""Read run configs: ``configs/base.yaml`` (every default, once) and a municipality file.

A run's parameters are ``base.yaml`` values, then the municipality file (a few lines), then
``-p name=value`` overrides, validated by :func:`decentraal.settings.validate`. YAML is read
strictly: a key given twice in one file is an error, not a silent last-one-wins.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from decentraal.config import CONFIGS_DIR, GEMEENTEN
from decentraal.errors import ParameterError
from decentraal.settings import RunParameters, validate

BASE_FILE = CONFIGS_DIR / "base.yaml"
#: Keys every entry of base.yaml must have (``bereik`` is required for numeric assumptions).
ENTRY_KEYS = ("waarde", "eenheid", "bron", "uitleg", "groep")
GROUPS = ("run", "belemmeringen", "loketten", "servicenormen")


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice (lines {seen[key]} and {key_node.start_mark.line + 1}); keep one",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, *, source: str) -> Any:
    """Parse YAML strictly (duplicate keys refused); errors name the file."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise ParameterError(f"config {source} is not valid YAML: {exc}") from None


def read_yaml_file(path: Path) -> Any:
    """Read and parse one YAML file; every failure is a :class:`ParameterError` naming it."""
    path = Path(path)
    if path.is_dir():
        raise ParameterError(f"config {path} is a folder; give a YAML file such as configs/haarlem.yaml")
    if not path.exists():
        available = ", ".join(sorted(p.name for p in CONFIGS_DIR.glob("*.yaml") if p.name != BASE_FILE.name))
        raise ParameterError(f"config {path} does not exist; configs available in {CONFIGS_DIR}: {available}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"config {path} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise ParameterError(f"config {path} cannot be read ({exc.strerror}); check its permissions") from None
    return parse_yaml(text, source=str(path))


@functools.lru_cache(maxsize=4)
def _base(path: Path) -> dict[str, dict[str, Any]]:
    data = read_yaml_file(path)
    if not isinstance(data, dict) or not data:
        raise ParameterError(f"{path} must map each parameter to its entry (waarde, eenheid, bron, uitleg, groep)")
    for key, entry in data.items():
        missing = [k for k in ENTRY_KEYS if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise ParameterError(f"{path}: parameter {key!r} lacks {', '.join(missing)}; every entry has {', '.join(ENTRY_KEYS)}")
        if entry["groep"] not in GROUPS:
            raise ParameterError(f"{path}: parameter {key!r} has groep {entry['groep']!r}; valid: {', '.join(GROUPS)}")
    return data


def base_entries(path: Path = BASE_FILE) -> dict[str, dict[str, Any]]:
    """Every parameter's entry in ``base.yaml``: waarde, eenheid, bron, bereik (if any), uitleg, groep."""
    return {k: dict(v) for k, v in _base(Path(path)).items()}


def defaults(path: Path = BASE_FILE) -> dict[str, Any]:
    """``{parameter: default value}`` from ``base.yaml``."""
    return {k: v["waarde"] for k, v in _base(Path(path)).items()}


def assumptions(path: Path = BASE_FILE) -> dict[str, dict[str, Any]]:
    """The entries whose source is an assumption ("aanname"), with their range."""
    return {k: v for k, v in base_entries(path).items() if str(v["bron"]).startswith("aanname")}


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``name=value`` (value as YAML, so ``3``, ``0.5``, ``true`` and ``wijk`` all work)."""
    if "=" not in text:
        raise ParameterError(f"override {text!r} must look like name=value, e.g. -p niveau=stadsdeel")
    name, _, raw = text.partition("=")
    return name.strip(), parse_yaml(raw, source=f"-p {text}") if raw.strip() else ""


def load_config(path: Path, overrides: list[str] | None = None, *, base: Path = BASE_FILE) -> RunParameters:
    """``base.yaml`` defaults, then the config file, then ``name=value`` overrides, validated.

    Raises
    ------
    ParameterError
        The file is missing, a folder, not UTF-8, not YAML, empty, has a duplicate key, does
        not say which municipality it is for, or a value is invalid (every problem listed).
    """
    path = Path(path)
    values = read_yaml_file(path)
    if values is None:
        raise ParameterError(f"config {path} is empty; it must at least set naam and gemeente (see configs/haarlem.yaml)")
    if not isinstance(values, dict):
        raise ParameterError(f"config {path} must be a mapping of name: value")
    lacking = [k for k in ("naam", "gemeente") if k not in values]
    if lacking and path.resolve() != Path(base).resolve():
        raise ParameterError(
            f"config {path} does not set {', '.join(lacking)}; a config names its municipality itself "
            "(see configs/haarlem.yaml), it never falls back to Haarlem's defaults"
        )
    merged = {**defaults(base), **values}
    given = dict(parse_override(item) for item in overrides or [])
    merged.update(given)
    if "gemeente" in given and "naam" not in given and given["gemeente"] in GEMEENTEN:
        # the run name follows the municipality actually used, never the config's own
        merged["naam"] = GEMEENTEN[given["gemeente"]].lower()
    return validate(merged, source=str(path) + (" with -p overrides" if overrides else ""))
