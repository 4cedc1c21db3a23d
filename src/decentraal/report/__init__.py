"""The report layer: Dutch presentation of pipeline results, no disk.

``format`` (numbers, babel nl_NL), ``labels`` (every Dutch label), ``tables`` (committee
tables), ``maps`` (static and offline interactive maps), ``narrative`` (generated summaries),
``html`` (header block, committee page, index page) and one module per chapter
(``overview``, ...), each returning objects a notebook cell displays.
"""

from decentraal.report import (
    barriers,
    counters,
    format,
    front,
    html,
    labels,
    maps,
    narrative,
    overview,
    servicenorms,
    tables,
)

__all__ = ["barriers", "counters", "format", "front", "html", "labels", "maps", "narrative", "overview", "servicenorms", "tables"]
