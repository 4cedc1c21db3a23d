"""Packaged assets, read-only: the committee stylesheet and the vendored Leaflet files.

The report layer never opens a file itself; it asks this module for the text of an asset.
"""

from __future__ import annotations

import functools

from decentraal.config import STATIC_DIR, TEMPLATES_DIR


@functools.lru_cache(maxsize=8)
def text(name: str) -> str:
    """The text of a packaged asset: ``leaflet.js``, ``leaflet.css`` or ``committee.css``."""
    paths = {
        "leaflet.js": STATIC_DIR / "leaflet.js",
        "leaflet.css": STATIC_DIR / "leaflet.css",
        "committee.css": TEMPLATES_DIR / "committee" / "static" / "committee.css",
    }
    return paths[name].read_text(encoding="utf-8")
