"""Importers, registered by file suffix: the single list of formats loadwatch reads.

Compressed containers (``.gz``, ``.zip``) are unwrapped before this registry is consulted
(see :mod:`loadwatch.sources`), so every reader sees the plain bytes of one file.
"""

from __future__ import annotations

from collections.abc import Mapping

from loadwatch.importers import csv, fit, gpx, tcx
from loadwatch.importers.base import ParsedActivity, Reader

#: suffix -> (format name, reader). Suffixes are matched case-insensitively.
READERS: Mapping[str, tuple[str, Reader]] = {
    ".fit": ("fit", fit.read),
    ".gpx": ("gpx", gpx.read),
    ".tcx": ("tcx", tcx.read),
    ".csv": ("csv", csv.read),
}

SUFFIXES = tuple(READERS)

__all__ = ["READERS", "SUFFIXES", "ParsedActivity", "Reader", "reader_for"]


def reader_for(name: str) -> tuple[str, Reader] | None:
    """The (format, reader) for a file name, or None if loadwatch does not read it."""
    lower = name.lower()
    for suffix, entry in READERS.items():
        if lower.endswith(suffix):
            return entry
    return None
