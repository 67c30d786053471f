"""Read one FIT file with the fast decoder and with fitparse, and say how the results differ.

Used by the equality test on the real files (tests/importers/test_fastfit.py) and by the
fuzz harness's differential mode: the two paths must give the same activity rows (every
column; floats within :data:`REL_TOL`) and the same record streams, or fail with the same
error, unless the fast decoder declined the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from loadwatch.importers import fit

#: Relative tolerance for floats in activity rows and record streams.
REL_TOL = 1e-9


@dataclass(frozen=True)
class Comparison:
    """``declined``: the fast decoder passed the file to fitparse; ``difference``: what
    differs (None when the results are the same)."""

    declined: bool
    difference: str | None


def _outcome(data: bytes, source: str) -> Any:
    try:
        return fit.read(data, source)
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def read_both(data: bytes, source: str = "x.fit") -> tuple[Any, Any, bool]:
    """(fast result, fitparse result, whether the fast decoder declined)."""
    before = fit.DECODER_COUNTS["fitparse"]
    fast = _outcome(data, source)
    declined = fit.DECODER_COUNTS["fitparse"] > before  # not: skipped from the header
    saved = fit._scan
    fit._scan = fit._decode  # the reference: fitparse only
    try:
        ref = _outcome(data, source)
    finally:
        fit._scan = saved
    return fast, ref, declined


def _same_value(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, (list, tuple, np.ndarray)) or isinstance(b, (list, tuple, np.ndarray)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same_value(x, y) for x, y in zip(a, b, strict=False)))
    try:
        if pd.isna(a) and pd.isna(b):
            return type(a) is type(b)
    except (TypeError, ValueError):  # not a scalar
        pass
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0)
    return type(a) is type(b) and a == b


def difference(fast: Any, ref: Any) -> str | None:
    """What differs between two results of :func:`loadwatch.importers.fit.read`."""
    if isinstance(fast, tuple) or isinstance(ref, tuple):
        return None if fast == ref else f"outcome {str(fast)[:150]} != {str(ref)[:150]}"
    if len(fast) != len(ref):
        return f"{len(fast)} activities != {len(ref)}"
    for i, (a, b) in enumerate(zip(fast, ref, strict=False)):
        if set(a.summary) != set(b.summary):
            return f"activity {i}: columns {sorted(set(a.summary) ^ set(b.summary))}"
        for key in a.summary:
            if not _same_value(a.summary[key], b.summary[key]):
                return f"activity {i}: {key} {a.summary[key]!r} != {b.summary[key]!r}"
        if (a.records is None) != (b.records is None):
            return f"activity {i}: records present on one side only"
        if a.records is not None:
            try:
                pd.testing.assert_frame_equal(a.records, b.records, check_exact=False,
                                              rtol=REL_TOL, atol=0.0)
            except AssertionError as exc:
                return f"activity {i}: records differ: {' '.join(str(exc).split())[:200]}"
    return None


def compare(data: bytes, source: str = "x.fit") -> Comparison:
    """Read ``data`` both ways and compare."""
    fast, ref, declined = read_both(data, source)
    return Comparison(declined, None if declined else difference(fast, ref))


#: What :func:`compare_scans` compares on the two decoders' scans (besides the records).
SCAN_FIELDS = ("file_types", "file_ids", "device_infos", "sessions", "sports", "laps",
               "activity", "notes", "damage")


def _scan_outcome(decode: Any, data: bytes) -> Any:
    try:
        return decode(data)
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def compare_scans(data: bytes) -> Comparison:
    """Compare what the two decoders hand to the (shared) summary code.

    Stronger than :func:`compare` and much cheaper: the summaries are computed from the
    scan by the same code on both paths, so equal scans give equal activity rows and
    record streams.
    """
    before = fit.DECODER_COUNTS["fast"]
    fast = _scan_outcome(fit._scan, data)
    if fit.DECODER_COUNTS["fast"] == before:
        return Comparison(True, None)
    ref = _scan_outcome(fit._decode, data)
    if isinstance(fast, tuple) or isinstance(ref, tuple):
        same = fast == ref
        return Comparison(False, None if same else f"outcome {fast!s:.150} != {ref!s:.150}")
    for name in SCAN_FIELDS:
        a, b = getattr(fast, name), getattr(ref, name)
        if a != b and not _same_value(a, b):
            return Comparison(False, f"scan {name}: {a!r:.150} != {b!r:.150}")
    if fast.record_count() != ref.record_count():
        return Comparison(False, f"scan records: {fast.record_count()} != {ref.record_count()}")
    for name in sorted(fit._RECORD_NAMES - {"activity_type"}):
        want = fit._floats([r.get(name) for r in ref.rows])
        if not np.array_equal(fast.columns[name], want, equal_nan=True):
            return Comparison(False, f"scan column {name} differs")
    if not _same_value(fast.activity_type(), ref.activity_type()):
        return Comparison(False, f"scan activity_type {fast.activity_type()!r:.60}")
    return Comparison(False, None)
