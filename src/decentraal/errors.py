"""Exceptions whose messages name the file, the row or code, and the fix."""

from __future__ import annotations


class DecentraalError(Exception):
    """Base class for every error the package raises on purpose."""


class DataError(DecentraalError, ValueError):
    """An input file is missing, changed, malformed or does not match what the code expects."""


class ParameterError(DecentraalError, ValueError):
    """A run parameter is invalid; the message lists what is valid."""


class FetchError(DecentraalError, RuntimeError):
    """Downloading fresh data failed (for example: no network)."""
