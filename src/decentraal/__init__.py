"""decentraal: barrier mapping and demand estimation for neighbourhood service counters.

Layers (README, "Layout"): ``methods`` (pure method steps), ``io`` (all disk and network),
``pipeline`` (one function per notebook chapter), ``report`` (Dutch presentation),
``run`` (CLI, runner, bench). The entry points a researcher uses are re-exported here, loaded
on first use so that ``import decentraal`` stays light in a notebook kernel::

    from decentraal import load_config, run_report
    params = load_config("configs/haarlem.yaml", ["niveau=stadsdeel"])
    result = run_report(params)               # notebooks -> outputs/<run_id>/
"""

from __future__ import annotations

import importlib

from decentraal.config import VERSION as __version__

_ENTRY_POINTS = {
    "load_config": ("decentraal.io.configs", "load_config"),
    "start": ("decentraal.pipeline.session", "start"),
    "build_processed": ("decentraal.pipeline.data", "build_processed"),
    "read_layers": ("decentraal.pipeline.data", "read_layers"),
    "run_report": ("decentraal.run.runner", "run"),
    "RunParameters": ("decentraal.settings", "RunParameters"),
}

__all__ = ["__version__", *_ENTRY_POINTS]


def __getattr__(name: str):
    if name in _ENTRY_POINTS:
        module, attribute = _ENTRY_POINTS[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'decentraal' has no attribute {name!r}")
