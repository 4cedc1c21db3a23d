"""Chapter 02 for the committee (filled in next)."""
