"""decentraal: barrier mapping and demand estimation for neighbourhood service counters.

Layers (README, "Layout"): ``methods`` (pure method steps), ``io`` (all disk and network),
``pipeline`` (one function per notebook chapter), ``report`` (Dutch presentation),
``run`` (CLI, runner, bench). The entry points a researcher uses are re-exported here::

    from decentraal import load_config, run, start
    params = load_config("configs/haarlem.yaml", ["niveau=stadsdeel"])
    result = run(params)                      # notebooks -> outputs/<run_id>/
"""

from decentraal.config import VERSION as __version__
from decentraal.io.configs import load_config
from decentraal.pipeline import start
from decentraal.pipeline.data import build_processed, read_layers
from decentraal.run.runner import run
from decentraal.settings import RunParameters

__all__ = ["RunParameters", "__version__", "build_processed", "load_config", "read_layers", "run", "start"]
