"""CSV importer (to be written)."""

from __future__ import annotations

from loadwatch.importers.base import ParsedActivity
from loadwatch.problems import InputError


def read(data: bytes, source: str) -> list[ParsedActivity]:
    """Read one CSV file."""
    raise InputError("CSV import not implemented yet")
