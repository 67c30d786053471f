"""loadwatch.format: facts made into text in km or mi, notes on assumed defaults."""

from __future__ import annotations

import pandas as pd

from loadwatch import format as fmt
from loadwatch import frames
from tests.rules.synth import run, table


def test_quantities_in_km_and_mi() -> None:
    assert fmt.quantity(6.0, "per_km", fmt.KM) == "6.0 AU/km"
    assert fmt.quantity(6.0, "per_km", fmt.MI) == "9.7 AU/mi"  # load per mile is larger
    assert fmt.quantity((450.0, 800.0), "km_range", fmt.KM) == "450-800 km"
    assert fmt.quantity((450.0, 800.0), "km_range", fmt.MI) == "280-497 mi"
    assert fmt.quantity("km", "unit", fmt.MI) == "mi"
    assert fmt.quantity("m", "unit", fmt.MI) == "ft"


def test_a_note_is_filled_in_the_readers_units() -> None:
    note = fmt.Note("{n} from distance: {factor}", {"n": (1, "count:run"),
                                                   "factor": (6.0, "per_km")})
    assert str(note) == fmt.note(note) == "1 run from distance: 6.0 AU/km"
    assert fmt.note(note, fmt.MI) == "1 run from distance: 9.7 AU/mi"
    assert fmt.note("resting HR 60 bpm (assumed)", fmt.MI) == "resting HR 60 bpm (assumed)"


def _runs(n: int, trimp: float | None) -> pd.DataFrame:
    days = pd.date_range("2026-01-05", periods=n, freq="D")
    acts = table([run(d.date(), 10.0) for d in days])
    acts["trimp"] = trimp if trimp is not None else float("nan")
    return acts


def test_distance_load_note_carries_the_factor_not_its_text() -> None:
    factor, note = frames.distance_load_factor(_runs(3, None))
    assert factor == frames.FALLBACK_LOAD_PER_KM
    assert note is not None
    assert fmt.note(note) == "load of 3 runs without HR from distance: 6.0 AU/km (a fixed factor)"
    assert fmt.note(note, fmt.MI) == (
        "load of 3 runs without HR from distance: 9.7 AU/mi (a fixed factor)")
    calibrated = pd.concat([_runs(5, 80.0), _runs(1, None)], ignore_index=True)
    factor, note = frames.distance_load_factor(calibrated)
    assert factor == 8.0 and note is not None
    assert fmt.note(note, fmt.MI) == ("load of 1 run without HR from distance: 12.9 AU/mi "
                                      "(your median TRIMP per mi over 5 runs)")
    assert frames.distance_load_factor(_runs(5, 80.0))[1] is None  # every run has TRIMP
