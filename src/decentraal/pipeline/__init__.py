"""The pipeline layer: one function per notebook chapter that ties the method steps together.

Parameters in, one result object out (the role of Kedro's ``pipeline.py``, without the
framework). A notebook starts with ``s = pipeline.start("NN")`` and calls its chapter:
``pipeline.data.overview(s)`` (01), ``pipeline.barriers.barriers(s)`` (02),
``pipeline.counters.counters(s)`` (03), ``pipeline.servicenorms.servicenorms(s)`` (04). Chapters write their tables and layers through the
session's output writer, which enforces disclosure control.
"""

from decentraal.pipeline import barriers, common, counters, data, servicenorms, session
from decentraal.pipeline.session import Session, start

#: Which groups of ``configs/base.yaml`` each chapter's parameters cell declares.
CHAPTER_GROUPS = {"01": ("run",), "02": ("run", "belemmeringen"), "03": ("run", "belemmeringen", "loketten"),
                  "04": ("run", "loketten", "servicenormen")}

__all__ = ["CHAPTER_GROUPS", "Session", "barriers", "common", "counters", "data", "servicenorms", "session", "start"]
