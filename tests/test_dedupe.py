"""dedupe: copies of one activity merge into the richest copy; distinct activities stay."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from loadwatch import schema
from loadwatch.dedupe import dedupe, duplicate_groups

T0 = pd.Timestamp("2024-05-01 07:00Z")


def act(source: str, fmt: str, start_s: float = 0, km: float | None = 10.0,
        s: float | None = 3000.0, **extra) -> dict:
    return {
        "activity_id": extra.pop("activity_id", source[-16:].rjust(16, "0")),
        "source": source,
        "format": fmt,
        "start_time": T0 + pd.Timedelta(seconds=start_s),
        "distance_km": km,
        "elapsed_s": s,
        "sport": extra.pop("sport", "running"),
        **extra,
    }


def frame(*rows: dict) -> pd.DataFrame:
    return schema.conform(list(rows), schema.ACTIVITY)


def test_fit_and_gpx_of_one_run_merge_into_the_fit():
    out = dedupe(frame(
        act("run.gpx", "gpx", 40, km=10.2, s=3050, title="Morning Run"),
        act("run.fit", "fit", 0, km=10.0, s=3000, device="garmin fenix2"),
    ))
    assert len(out) == 1
    row = out.iloc[0]
    assert row["source"] == "run.fit"
    assert row["title"] == "Morning Run" and row["device"] == "garmin fenix2"
    assert row["quality"] == "merged with run.gpx"
    schema.validate(out, schema.ACTIVITY)


def test_csv_row_gives_metadata_to_the_file_copy():
    out = dedupe(frame(
        act("Activities.csv", "garmin_csv", -60, km=10.0, s=3300, shoe="Speedgoat",
            rpe=6.0, sport="trail_running", quality="x"),
        act("run.tcx", "tcx", 0, km=10.1, s=3010),
    ))
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["source"], row["shoe"], row["rpe"]) == ("run.tcx", "Speedgoat", 6.0)
    assert row["sport"] == "trail_running"  # the more specific running sport wins
    assert row["elapsed_s"] == 3010  # the file's own numbers are kept


def test_format_rank_fit_over_tcx_over_gpx_then_more_values():
    rows = [act("a.gpx", "gpx", 0), act("b.tcx", "tcx", 10), act("c.fit", "fit", 20)]
    assert dedupe(frame(*rows)).iloc[0]["source"] == "c.fit"
    assert dedupe(frame(*rows[:2])).iloc[0]["source"] == "b.tcx"
    richer = act("z.gpx", "gpx", 5, avg_hr=140.0, max_hr=170.0)
    out = dedupe(frame(act("a.gpx", "gpx", 0), richer))
    assert out.iloc[0]["source"] == "z.gpx"
    assert out.iloc[0]["quality"] == "merged with a.gpx"


def test_distinct_activities_stay_apart():
    out = dedupe(frame(
        # near start, different distance and duration: warm-up and race
        act("warmup.fit", "fit", 0, km=2.0, s=600),
        act("race.fit", "fit", 90, km=10.0, s=2400),
        # same size, but started 3 minutes later
        act("b.fit", "fit", 90 + 180, km=10.0, s=2400),
        # nothing to compare: no distance or duration
        act("x.gpx", "gpx", 300, km=None, s=None),
        act("y.gpx", "gpx", 330, km=None, s=None),
    ))
    assert len(out) == 5


def test_distance_and_duration_must_both_agree():
    # issue 15: copies have similar distance *and* duration (elapsed or moving)
    assert len(dedupe(frame(act("a.fit", "fit", 0, 10.0, 3000),
                            act("b.gpx", "gpx", 30, 10.3, 3200)))) == 1
    # same distance, durations 33 % apart: two activities
    assert len(dedupe(frame(act("a.fit", "fit", 0, 10.0, 3000),
                            act("b.gpx", "gpx", 30, 10.3, 4000)))) == 2
    # ... unless the moving times agree (auto-pause on one device only)
    assert len(dedupe(frame(act("a.fit", "fit", 0, 10.0, 3000, moving_s=2900.0),
                            act("b.gpx", "gpx", 30, 10.3, 4000, moving_s=3000.0)))) == 1
    # same duration, distances 20 % apart: two
    assert len(dedupe(frame(act("a.fit", "fit", 0, 10.0, 3000),
                            act("b.gpx", "gpx", 30, 12.0, 3200)))) == 2
    # a value missing on one side does not disagree
    assert len(dedupe(frame(act("a.fit", "fit", 0, 10.0, 3000),
                            act("b.gpx", "gpx", 30, None, 3100)))) == 1


def test_same_start_merges_a_truncated_copy():
    # realdata: the NRC GPX of 2020-12-02 is a cut-short copy of the TCX (5.3 vs 7.0 km)
    out = dedupe(frame(act("nrc.gpx", "gpx", 0.3, 5.26, 1832),
                       act("run.tcx", "tcx", 0, 7.0, 2498)))
    assert list(out["source"]) == ["run.tcx"]


def test_an_activity_in_between_does_not_hide_a_copy():
    rows = frame(
        act("a.fit", "fit", 0, 10.0, 3000),
        act("other.fit", "fit", 20, 1.0, 300, sport="cycling"),
        act("a.gpx", "gpx", 50, 10.1, 3020),
    )
    groups = duplicate_groups(rows)
    assert groups[0] == groups[2] != groups[1]
    assert sorted(dedupe(rows)["source"]) == ["a.fit", "other.fit"]


def test_same_content_id_is_one_activity():
    out = dedupe(frame(
        act("x/run.fit", "fit", 0, activity_id="abc"),
        act("y/run.fit", "fit", 0, activity_id="abc"),
    ))
    assert list(out["source"]) == ["x/run.fit"]
    assert out.iloc[0]["quality"] == "merged with y/run.fit"


def test_two_thousand_activities_are_fast():
    rng = np.random.default_rng(1)
    n = 2000
    starts = np.arange(n) * 80_000.0 + rng.uniform(0, 3600, n)  # about one a day
    rows = [act(f"{i}.fit", "fit", float(t), float(rng.uniform(3, 30)),
                float(rng.uniform(900, 9000))) for i, t in enumerate(starts)]
    copies = [dict(r, source=r["source"] + ".gpx", format="gpx",
                   activity_id=f"{i:016d}",
                   start_time=r["start_time"] + pd.Timedelta(seconds=15))
              for i, r in enumerate(rows[::10])]
    df = frame(*rows, *copies)
    t = time.perf_counter()
    out = dedupe(df)
    elapsed = time.perf_counter() - t
    assert len(out) == n
    assert (out["format"] == "fit").all()
    assert out["quality"].notna().sum() == len(copies)
    assert elapsed < 1.0, elapsed
    print(f"dedupe of {len(df)} activities: {elapsed * 1000:.0f} ms")
