"""FIT importer (to be written)."""

from __future__ import annotations

from loadwatch.importers.base import ParsedActivity
from loadwatch.problems import InputError


def read(data: bytes, source: str) -> list[ParsedActivity]:
    """Read one FIT file."""
    raise InputError("FIT import not implemented yet")
