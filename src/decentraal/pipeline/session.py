"""What every chapter starts from: validated parameters, the data, and where to write.

A notebook's setup cell is ``s = pipeline.start("02")``. :func:`start` reads the parameters
by name from the notebook's namespace (the parameters cell, or the values papermill injected),
fills the ones the notebook does not declare from ``configs/base.yaml``, validates them all
before anything is computed, and loads the processed layers of the municipality.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from decentraal.errors import ParameterError
from decentraal.io import configs, files, registry
from decentraal.io.outputs import RunOutputs
from decentraal.pipeline import common, data
from decentraal.settings import RunParameters, validate

#: Notebook parameter that is not a run parameter: the run folder set by the runner.
OUTPUT_PARAMETER = "uitvoer_map"


@dataclass(frozen=True)
class Session:
    """The validated parameters, the data of one municipality and the run's output writer."""

    params: RunParameters
    out: RunOutputs
    layers_all: dict[str, gpd.GeoDataFrame]
    counters_all: gpd.GeoDataFrame
    join_report: pd.DataFrame
    layers: dict[str, gpd.GeoDataFrame]
    tables: dict[str, pd.DataFrame]
    counters: gpd.GeoDataFrame
    sources: list[dict[str, Any]]
    code_version: str
    #: ``configs/base.yaml`` entries (unit, source or "aanname", range) of every parameter.
    base: dict[str, dict[str, Any]]
    #: Per level, the tables as they may be published: counts and shares after primary and
    #: secondary suppression over the whole area hierarchy (:func:`common.published_layers`),
    #: computed once for every level of the municipality. Every table or layer that shows
    #: people per area takes its count and share columns from here; ``tables`` (primary
    #: suppression only) stay the input of the analysis.
    published: dict[str, pd.DataFrame]

    @property
    def gemeentenaam(self) -> str:
        return self.params.gemeentenaam


def sources() -> list[dict[str, Any]]:
    """Data sources with attribution, vintage and checksum, from the raw-data registry."""
    reg = registry.load_registry()
    return [{"bestand": k, "bron": v["attribution"], "jaar": v["year"], "sha256": v["sha256"][:12]} for k, v in sorted(reg.items())]


def parameters(namespace: Mapping[str, Any], *, source: str) -> RunParameters:
    """Run parameters from a notebook namespace: declared names override ``base.yaml``."""
    values = configs.defaults()
    values.update({k: namespace[k] for k in RunParameters.model_fields if k in namespace})
    return validate(values, source=source)


def _kernel_namespace() -> Mapping[str, Any]:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with jupyterlab
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is None:
        raise ParameterError("start() reads the parameters of a notebook; outside a notebook pass namespace={...}")
    return shell.user_ns


def start(chapter: str, namespace: Mapping[str, Any] | None = None) -> Session:
    """Validate the parameters, load the municipality's data and open the output folder.

    Parameters
    ----------
    chapter
        The notebook number ("01", "02", "03"), used in messages.
    namespace
        Parameter values by name; default: the calling notebook's namespace.
    """
    ns = _kernel_namespace() if namespace is None else namespace
    params = parameters(ns, source=f"the parameters of notebook {chapter}")
    out = RunOutputs.open(str(ns.get(OUTPUT_PARAMETER, "") or ""), threshold=params.onthulling_drempel)
    layers_all, counters_all, join_report = data.read_layers()
    layers, tables = common.safe_layers(layers_all, params.gemeente, params.onthulling_drempel)
    counters = counters_all.loc[counters_all["gemeentecode"] == params.gemeente].reset_index(drop=True)
    published = common.published_layers(layers, params.onthulling_drempel)
    return Session(params, out, layers_all, counters_all, join_report, layers, tables, counters, sources(),
                   files.code_version(), configs.base_entries(), published=published)
