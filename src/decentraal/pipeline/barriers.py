"""Chapter 02: barrier indicators, composite index, rank stability and hot spots (filled in next)."""
