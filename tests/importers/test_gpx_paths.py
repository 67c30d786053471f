"""The GPX array path against gpxpy, the reference: same outcome on every file.

For every GPX file under ../shared/realdata and for generated edge cases, both paths give
the same activity rows (every column; floats within 1e-9 relative) and the same record
streams, or the same refusal; and the real files do take the array path.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from loadwatch import schema
from loadwatch.importers import gpx
from loadwatch.problems import InputError
from tests.conftest import realdata_files

REAL_GPX = sorted(
    realdata_files("gpx", "*.gpx") + realdata_files("gpx/series_runpandas_nrc", "*.gpx")
    + realdata_files("odd", "*.gpx")
)
REL = 1e-9


def outcome(data: bytes, array: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The activities of ``data`` read by one path, or the refusal (type, reason)."""
    monkeypatch.setattr(gpx, "ARRAY_PATH", array)
    try:
        return gpx.read(data, "x.gpx")
    except InputError as exc:
        return (type(exc), str(exc))


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=REL, atol=0, equal_nan=True))
    if a is None or b is None or (not isinstance(a, str) and pd.isna(a)):
        return (a is None or pd.isna(a)) and (b is None or (not isinstance(b, str) and pd.isna(b)))
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=0)
    return bool(a == b)


def assert_same(fast: Any, ref: Any) -> None:
    if isinstance(ref, tuple) or isinstance(fast, tuple):
        assert fast == ref
        return
    assert len(fast) == len(ref)
    for a, b in zip(fast, ref, strict=True):
        row_a = schema.conform([a.summary], schema.ACTIVITY).iloc[0]
        row_b = schema.conform([b.summary], schema.ACTIVITY).iloc[0]
        for col in schema.ACTIVITY.names:
            assert same_value(row_a[col], row_b[col]), (col, row_a[col], row_b[col])
        pd.testing.assert_frame_equal(a.records, b.records, check_exact=False, rtol=REL)


@pytest.mark.parametrize("path", REAL_GPX, ids=lambda p: p.name)
def test_array_path_matches_gpxpy_on_real_files(path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    before = gpx.DECODER_COUNTS["array"]
    fast = outcome(data, True, monkeypatch)
    took_array = gpx.DECODER_COUNTS["array"] > before
    assert_same(fast, outcome(data, False, monkeypatch))
    if not isinstance(fast, tuple) or "no track points" not in fast[1]:
        assert took_array, dict(gpx.FALLBACK_REASONS)


def test_every_real_gpx_compared(realdata: Path) -> None:
    assert len(REAL_GPX) == 80


def doc(points: str, *, version: str = "1.1", extra: str = "", track: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?><gpx version="{version}" creator="t" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:tp="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">'
        f"{extra}<trk><name>n</name><type>running</type>{track}"
        f"<trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def pts(n: int, time: str = "2024-03-01T07:{m:02d}:{s:02d}Z", inner: str = "") -> str:
    return "".join(
        f'<trkpt lat="{45 + i * 3e-5:.6f}" lon="6.0"><ele>{100 + i % 5}</ele>'
        f"<time>{time.format(m=i // 60, s=i % 60)}</time>{inner}</trkpt>"
        for i in range(n)
    )


HR = "<extensions><tp:TrackPointExtension><tp:hr>150</tp:hr><tp:cad>86</tp:cad>" \
     "</tp:TrackPointExtension></extensions>"

CASES = {
    "tpx-v2": doc(pts(120, inner=HR)),
    "offset-times": doc(pts(120, time="2024-03-01T09:{m:02d}:{s:02d}+02:00")),
    "space-and-naive": doc(pts(120, time="2024-03-01 07:{m:02d}:{s:02d}")),
    "fraction-9-digits": doc(pts(120, time="2024-03-01T07:{m:02d}:{s:02d}.123456789Z")),
    "no-such-day": doc(pts(60) + pts(60, time="2024-02-30T07:{m:02d}:{s:02d}Z")),
    "some-untimed": doc(pts(90) + pts(30, time="garbage")),
    "bad-ele": doc(pts(50, inner="") .replace("<ele>101</ele>", "<ele>high</ele>", 1)),
    "bad-fix": doc(pts(50, inner="<fix>4d</fix>")),
    "good-fix-sat": doc(pts(50, inner="<fix>3d</fix><sat>7</sat><hdop>1.2</hdop>")),
    "bad-sat": doc(pts(50, inner="<sat>seven</sat>")),
    "second-ele-ignored": doc(pts(50, inner="<ele>9999</ele>")),
    "bad-waypoint": doc(pts(50), extra='<wpt lat="x" lon="6"><name>w</name></wpt>'),
    "bad-track-number": doc(pts(50), track="<number>one</number>"),
    "two-segments": doc(pts(60) + "</trkseg><trkseg>" + pts(60).replace("07:", "08:")),
    "version-1.0": doc(pts(60, inner=HR), version="1.0"),
    "no-version": doc(pts(60), version="").replace(b' version=""', b""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_array_path_matches_gpxpy_on_edge_cases(name: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = CASES[name]
    assert_same(outcome(data, True, monkeypatch), outcome(data, False, monkeypatch))


def test_edge_cases_that_gpxpy_refuses_are_refused_alike(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("bad-ele", "bad-fix", "bad-sat", "bad-waypoint", "bad-track-number"):
        result = outcome(CASES[name], True, monkeypatch)
        assert isinstance(result, tuple) and result[1].startswith("not a GPX file"), name


def test_extension_values_reach_the_records(monkeypatch: pytest.MonkeyPatch) -> None:
    before = dict(gpx.DECODER_COUNTS)
    (act,) = outcome(CASES["tpx-v2"], True, monkeypatch)
    assert gpx.DECODER_COUNTS["array"] == before.get("array", 0) + 1
    assert act.records["hr_bpm"].eq(150).all()
    assert act.records["cadence_spm"].eq(86).all()
