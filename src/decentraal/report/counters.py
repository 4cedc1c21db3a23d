"""Chapter 03 for the committee (filled in next)."""
