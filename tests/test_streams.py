"""streams.summarize on generated record streams whose true numbers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from loadwatch import schema, streams
from loadwatch.geo import EARTH_RADIUS_M
from loadwatch.problems import InputError

START = pd.Timestamp("2024-05-01 07:00", tz="UTC")
M_PER_DEG = np.pi * EARTH_RADIUS_M / 180


def track(dist_m: np.ndarray, seconds: np.ndarray, **cols: object) -> pd.DataFrame:
    """A run due north along a meridian: distance [m] at each time [s] since START."""
    frame = pd.DataFrame(
        {
            "time": START + pd.to_timedelta(np.asarray(seconds, dtype=float), unit="s"),
            "lat_deg": 45.0 + np.asarray(dist_m) / M_PER_DEG,
            "lon_deg": 6.0,
            **cols,
        }
    )
    return schema.conform(frame, schema.RECORDS)


def steady(km: float = 10.0, speed: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """1 Hz samples of a run at constant speed: (distance [m], time [s])."""
    t = np.arange(0.0, km * 1000 / speed + 1)
    return t * speed, t


RNG = np.random.default_rng(7)


def test_flat_run_with_noise_has_almost_no_descent() -> None:
    d, t = steady(10.0)
    s = streams.summarize(track(d, t, altitude_m=50 + RNG.uniform(-1, 1, len(t))))
    assert s["descent_m"] < 20
    assert s["ascent_m"] < 20
    assert s["distance_km"] == pytest.approx(10.0, rel=0.002)
    assert s["downhill_km"] < 0.2
    assert s["elevation_source"] == "gps"


@pytest.mark.parametrize("barometric", [True, None])
def test_hilly_run_descent_within_ten_percent(barometric: bool | None) -> None:
    d, t = steady(10.0)
    # 10 hills of 40 m: true ascent = descent = 400 m
    alt = 200 + 20 * np.sin(2 * np.pi * d / 1000) + RNG.uniform(-1, 1, len(t))
    s = streams.summarize(track(d, t, altitude_m=alt), barometric=barometric)
    assert s["descent_m"] == pytest.approx(400, rel=0.10)
    assert s["ascent_m"] == pytest.approx(400, rel=0.10)
    assert s["elevation_source"] == ("barometric" if barometric else "gps")


def test_downhill_km_on_known_slopes() -> None:
    d, t = steady(5.0)
    # 1 km flat, 1 km at -7 %, 1 km flat, 1 km at -12 %, 1 km flat
    grade = np.select([(d >= 1000) & (d < 2000), (d >= 3000) & (d < 4000)], [-0.07, -0.12], 0.0)
    alt = 500 + np.concatenate(([0.0], np.cumsum(grade[1:] * np.diff(d))))
    s = streams.summarize(track(d, t, altitude_m=alt), barometric=True)
    assert s["downhill_km"] == pytest.approx(2.0, abs=0.1)
    assert s["steep_downhill_km"] == pytest.approx(1.0, abs=0.1)
    assert s["descent_m"] == pytest.approx(70 + 120, rel=0.05)
    assert s["ascent_m"] < 5


def test_pauses_are_not_moving_time() -> None:
    # 10 min running, 5 min gap without records (auto-pause), 3 min standing at 1 Hz,
    # 10 min running
    run1 = np.arange(0.0, 600)
    gap_end = 900.0
    stand = np.arange(gap_end, gap_end + 180)
    run2 = np.arange(gap_end + 180, gap_end + 780)
    t = np.concatenate((run1, stand, run2))
    d = np.concatenate((run1 * 3, np.full(len(stand), 1800.0), 1800 + (run2 - run2[0]) * 3))
    s = streams.summarize(track(d, t))
    assert s["elapsed_s"] == pytest.approx(t[-1])
    assert s["moving_s"] == pytest.approx(1200, abs=15)
    assert s["speed_hist_s"].sum() == pytest.approx(s["moving_s"])
    assert s["speed_hist_s"].argmax() == 30  # 3.0 m/s bin


def test_gps_teleport_removed() -> None:
    d, t = steady(5.0)
    rec = track(d, t)
    lat = rec["lat_deg"].to_numpy().copy()
    lat[800] += 0.05  # ~5.5 km away for one second
    s = streams.summarize(rec.assign(lat_deg=lat))
    assert s["distance_km"] == pytest.approx(5.0, rel=0.01)
    assert any(q.startswith("GPS jumps removed") for q in s["quality"])


def test_backwards_timestamps_fixed_and_noted() -> None:
    d, t = steady(3.0)
    t2 = t.copy()
    t2[100:105] -= 50  # five records stamped 50 s too early
    dup = track(d, t2)
    dup = pd.concat([dup, dup.iloc[[500]]]).sort_index(kind="stable").reset_index(drop=True)
    s = streams.summarize(dup)
    assert "timestamps out of order (5 fixed)" in s["quality"]
    assert "records sharing a timestamp merged (1)" in s["quality"]
    assert s["distance_km"] == pytest.approx(3.0, rel=0.01)
    assert s["elapsed_s"] == pytest.approx(t[-1])


def test_bogus_first_timestamp_drops_one_record_not_the_run() -> None:
    d, t = steady(3.0)
    t2 = t.copy()
    t2[0] = t[-1] + 86400  # first record stamped a day late
    s = streams.summarize(track(d, t2))
    assert "timestamps out of order (1 fixed)" in s["quality"]
    assert s["elapsed_s"] == pytest.approx(t[-1] - 1)
    assert s["distance_km"] == pytest.approx(3.0, abs=0.01)


def test_device_distance_preferred_over_gps() -> None:
    d, t = steady(5.0)
    s = streams.summarize(track(d, t, distance_m=d * 1.04))
    assert s["distance_km"] == pytest.approx(5.2, rel=0.001)
    # a device distance that resets is not trusted
    reset = np.where(d > 2500, d - 2500, d)
    s = streams.summarize(track(d, t, distance_m=reset))
    assert s["distance_km"] == pytest.approx(5.0, rel=0.002)
    assert "device distance not monotone; distance from GPS" in s["quality"]


def test_heart_rate_histogram_is_time_weighted_and_capped() -> None:
    t = np.concatenate((np.arange(0.0, 600), np.arange(1200.0, 1800)))  # 10 min gap
    hr = np.where(t < 600, 140.0, 160.0)
    s = streams.summarize(track(t * 3, t, hr_bpm=hr))
    hist = s["hr_hist_s"]
    assert hist.shape == (schema.HR_BINS,)
    assert hist[140] == pytest.approx(599)
    assert hist[160] == pytest.approx(600, abs=10)  # the gap counts for 10 s at most
    assert s["avg_hr"] == pytest.approx(150, abs=0.2)
    assert s["max_hr"] == 160
    assert s["has_hr"] is True


def test_no_hr_no_gps_indoor_stream() -> None:
    t = np.arange(0.0, 1800)
    rec = schema.conform(
        pd.DataFrame({"time": START + pd.to_timedelta(t, unit="s"), "altitude_m": -9.0}),
        schema.RECORDS,
    )
    s = streams.summarize(rec)
    assert s["has_gps"] is False and s["has_hr"] is False
    assert s["hr_hist_s"] is None and s["speed_hist_s"] is None
    assert np.isnan(s["distance_km"])
    assert s["moving_s"] == pytest.approx(1799)
    assert s["elevation_source"] == "none"
    assert "constant altitude (-9.0 m) ignored" in s["quality"]


def test_altitude_sentinels_dropped() -> None:
    d, t = steady(3.0)
    alt = np.full(len(t), 120.0) + d * 0.01  # steady 1 % climb: 30 m
    alt[::50] = -500.0  # TomTom invalid-altitude sentinel
    s = streams.summarize(track(d, t, altitude_m=alt), barometric=True)
    assert s["ascent_m"] == pytest.approx(30, abs=2)
    assert s["descent_m"] == 0
    assert any(q.startswith("implausible altitudes dropped") for q in s["quality"])


def test_no_timestamps_raises_input_error() -> None:
    rec = schema.conform(pd.DataFrame({"lat_deg": [45.0, 45.1]}), schema.RECORDS)
    with pytest.raises(InputError, match="no records with a timestamp"):
        streams.summarize(rec)


def test_hysteresis_ignores_small_wiggles() -> None:
    z = np.array([0, 2, 0, 2, 0, 10, 8, 9, 0], dtype=float)
    assert streams._hysteresis(z, 3.0) == (10.0, 10.0)


def test_recording_left_running_overnight_keeps_only_the_first_outing() -> None:
    # 5 km at 3 m/s, then the watch records a drive 15 h later: 10 km in 20 min
    d1, t1 = steady(5.0)
    t2 = t1[-1] + 15 * 3600 + np.arange(0.0, 1200)
    d2 = d1[-1] + np.arange(0.0, 1200) * 8.3
    s = streams.summarize(track(np.concatenate((d1, d2)), np.concatenate((t1, t2))))
    assert s["distance_km"] == pytest.approx(5.0, rel=0.01)
    assert s["elapsed_s"] == pytest.approx(t1[-1])
    assert any("recording resumed after 15 h" in q for q in s["quality"])
    # a 2 h break (a long lunch stop on a hike) stays one activity
    t3 = t1[-1] + 2 * 3600 + t1
    s2 = streams.summarize(track(np.concatenate((d1, d1[-1] + d1)), np.concatenate((t1, t3))))
    assert s2["distance_km"] == pytest.approx(10.0, rel=0.01)
    assert not any("resumed" in q for q in s2["quality"])


# ---------------------------------------------------------------- issue 12: time and duration


def test_a_few_seconds_weeks_before_the_run_do_not_carry_it_off() -> None:
    # the watch ran 4 s one day; the 2 h, 57 km run follows 28 days later
    t_run = 4.0 + 28 * 86400 + np.arange(0.0, 7201)
    t = np.concatenate((np.arange(0.0, 4), t_run))
    d = np.concatenate((np.zeros(4), (t_run - t_run[0]) * 57_000 / 7200))
    s = streams.summarize(track(d, t, distance_m=d))
    assert s["start_time"] == START + pd.Timedelta(seconds=t_run[0])
    assert s["elapsed_s"] == pytest.approx(7200)
    assert s["distance_km"] == pytest.approx(57.0, rel=0.01)
    assert any("4 earlier records ignored" in q for q in s["quality"])


def test_steep_slow_climb_is_moving() -> None:
    # 1 h up a 40 % slope at 0.3 m/s horizontally (0.12 m/s of climbing), 1 Hz, barometer
    t = np.arange(0.0, 3601)
    d = 0.3 * t
    s = streams.summarize(track(d, t, altitude_m=1000 + 0.4 * d), barometric=True)
    assert s["moving_s"] == pytest.approx(3600, rel=0.02)


def test_coarse_device_distance_with_speed_field_is_moving() -> None:
    # a walk at 0.7 m/s whose device distance advances in 5 m steps
    t = np.arange(0.0, 1801)
    d = np.floor(0.7 * t / 5) * 5
    s = streams.summarize(track(0.7 * t, t, distance_m=d, speed_m_s=np.full(len(t), 0.7)))
    assert s["moving_s"] == pytest.approx(1800, rel=0.01)
    # without the speed field, the short flat steps are not stops either
    s = streams.summarize(track(0.7 * t, t, distance_m=d))
    assert s["moving_s"] == pytest.approx(1800, rel=0.02)


def test_indoor_stream_with_zero_distance_moves_by_its_gaps() -> None:
    t = np.arange(0.0, 1801)
    rec = schema.conform(
        pd.DataFrame({"time": START + pd.to_timedelta(t, unit="s"), "distance_m": 0.0}),
        schema.RECORDS,
    )
    s = streams.summarize(rec)
    assert s["distance_km"] == 0.0
    assert s["moving_s"] == pytest.approx(1800)
    assert streams.NO_MOTION_NOTE in s["quality"]


def test_sparse_swim_records_are_not_pauses() -> None:
    # a pool swim sampled every 73 s, one 25 m length per sample
    t = np.arange(0.0, 40) * 73
    d = np.arange(0.0, 40) * 25
    rec = schema.conform(
        pd.DataFrame({"time": START + pd.to_timedelta(t, unit="s"), "distance_m": d}),
        schema.RECORDS,
    )
    s = streams.summarize(rec, sport="swimming")
    assert s["moving_s"] == pytest.approx(t[-1])


def test_records_sharing_a_timestamp_merge_field_by_field() -> None:
    # Suunto: position in one record, distance/HR/altitude in the next with the same time
    d, t = steady(3.0)
    pos = track(d, t)
    rest = schema.conform(
        pd.DataFrame({"time": pos["time"], "distance_m": d, "hr_bpm": 150.0,
                      "altitude_m": 100 + d * 0.01}),
        schema.RECORDS,
    )
    both = pd.concat([pos, rest]).sort_index(kind="stable").reset_index(drop=True)
    s = streams.summarize(both, barometric=True)
    assert s["has_hr"] is True and s["avg_hr"] == pytest.approx(150)
    assert s["ascent_m"] == pytest.approx(30, abs=2)
    assert s["distance_km"] == pytest.approx(3.0, rel=0.001)
    assert f"records sharing a timestamp merged ({len(t)})" in s["quality"]
