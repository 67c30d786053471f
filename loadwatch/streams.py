"""Record streams -> per-activity numbers (distance, moving time, smoothed elevation, grades).

One function, :func:`summarize`, turns a canonical record stream (schema.RECORDS) into the
activity columns every importer needs, and repairs the usual defects of real recordings on
the way (timestamps going backwards, duplicated points, GPS jumps, altitude sentinels),
saying what it repaired in ``quality``. Every threshold is a named constant with its unit.

References
----------
GoldenCheetah computes climbing with a 3 m hysteresis on barometric altitude; wrist-watch GPS
altitude carries 4-7 m of spurious gain per 1.2 km on a flat track (Ammann 2016, J Hum Kinet
51:53), hence the larger GPS hysteresis and the median filter over distance.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import numpy as np
import pandas as pd

from loadwatch import schema
from loadwatch.geo import step_distances_m
from loadwatch.problems import InputError

#: A pause: records further apart than this [s] count as moving only if distance says so;
#: without any distance information they never do (unless the device records sparsely).
PAUSE_GAP_S = 30.0
#: A device whose median record interval is at least this [s] records sparsely (smart
#: recording, swims): its gaps of up to SPARSE_GAP_FACTOR x that interval are not pauses.
SPARSE_RECORDING_S = 10.0
SPARSE_GAP_FACTOR = 3.0
#: A recording gap longer than this [s] means the watch was left running (or resumed
#: another day): the stream is cut there and only its substantial part (the segment with
#: the most recorded time, then distance) is kept, with a note.
MAX_RECORDING_GAP_S = 6 * 3600.0
#: Below this speed [m/s] the athlete is standing (Strava uses a similar walking floor).
MIN_MOVING_SPEED_M_S = 0.5
#: Swimming is slower: 0.2 m/s (8:20 per 100 m) is below any stroke's pace.
MIN_SWIM_SPEED_M_S = 0.2
#: Climbing (or descending) at least this fast [m/s, 360 m/h] is moving even when the
#: horizontal speed is below the floor (steep mountain running); measured over
#: VERTICAL_WINDOW_S so that altitude noise does not count.
MIN_VERTICAL_SPEED_M_S = 0.1
VERTICAL_WINDOW_S = 30.0
#: Speeds for the moving test are averaged over this window [s] so that 1 Hz GPS jitter
#: while standing does not read as movement.
SPEED_WINDOW_S = 5.0
#: A stop is at least this long [s]: shorter runs of slow intervals are the coarse steps
#: of device distance (whole metres) or a stumble, not the athlete standing.
MIN_STOP_S = 10.0
#: The note :func:`summarize` writes when the stream says nothing about motion (no
#: distance, speed or climbing); importers then take moving time from laps or the timer.
NO_MOTION_NOTE = "no distance or speed; moving time from record gaps"
#: Heart-rate time weights are capped at this [s] so that a gap in the record stream
#: (auto-pause, lost strap) does not credit minutes to the last reading.
HR_DT_CAP_S = 10.0
#: Plausible heart rate [bpm]; readings outside are sensor dropouts.
HR_MIN_BPM = 25.0
#: Window of the best sustained heart rate [s]: 20 minutes, the span of the threshold-HR
#: field test (see :mod:`loadwatch.physiology`), counted where HR is known for
#: BEST_HR_COVERAGE of it.
BEST_HR_WINDOW_S = 1200.0
BEST_HR_COVERAGE = 0.9
#: The 1 s grid the window slides over has at most this many points (55 h).
BEST_HR_MAX_SAMPLES = 200_000
#: GPS jumps: a step is a jump when its implied speed exceeds JUMP_SPEED_FACTOR x the median
#: moving speed, but never less than JUMP_MIN_SPEED_M_S (a sprint is ~10 m/s) nor more than
#: JUMP_MAX_SPEED_M_S (faster than any athlete descends), and it covers at least JUMP_MIN_M.
JUMP_SPEED_FACTOR = 5.0
JUMP_MIN_SPEED_M_S = 15.0
JUMP_MAX_SPEED_M_S = 60.0
JUMP_MIN_M = 20.0
#: Device distance is trusted when its backward steps sum to at most this share of the total.
DEVICE_DISTANCE_MAX_BACKWARD = 0.01
#: Altitudes outside this range [m] are sentinels (TomTom writes -500 m) or garbage.
ALT_MIN_M = -450.0
ALT_MAX_M = 9000.0
#: An altitude span below this [m] over the whole activity means a constant placeholder.
ALT_CONSTANT_SPAN_M = 0.5
#: Elevation is resampled every ELEV_STEP_M [m] of distance and median-filtered over
#: ELEV_MEDIAN_POINTS samples (50 m) before the hysteresis.
ELEV_STEP_M = 10.0
ELEV_MEDIAN_POINTS = 5
#: The resampled profile has at most this many points (2,000 km at ELEV_STEP_M, more than
#: any one activity); a corrupt distance (a device counter at 10**8 m) gets a coarser step
#: instead of an array of billions of samples.
ELEV_MAX_SAMPLES = 200_000
#: Symmetric hysteresis [m]: 3 m for barometric altitude (GoldenCheetah), 5 m for GPS.
HYSTERESIS_BARO_M = 3.0
HYSTERESIS_GPS_M = 5.0
#: Grades are measured over windows of at least this length [m] (RULES.md).
GRADE_WINDOW_M = 50.0
DOWNHILL_GRADE = -0.05
STEEP_DOWNHILL_GRADE = -0.10


def summarize(
    records: pd.DataFrame, *, barometric: bool | None = None, sport: str | None = None
) -> dict[str, Any]:
    """Per-activity summary of a canonical record stream (schema.RECORDS columns).

    Returns canonical activity columns: distance_km, elapsed_s, moving_s, ascent_m,
    descent_m, downhill_km, steep_downhill_km, avg_hr, max_hr, hr_best20_bpm, has_gps,
    has_hr, elevation_source, hr_hist_s, speed_hist_s, plus ``quality`` (a list of notes).
    ``barometric`` says whether altitude comes from a barometer (3 m hysteresis) or GPS
    (larger hysteresis); None means unknown (treated as GPS). ``sport`` (canonical) sets
    the speed below which the athlete stands. ``start_time`` is the first kept record's.
    Raises :class:`InputError` when no record has a timestamp.
    """
    quality: list[str] = []
    frame = _clean_times(records, quality)
    t = _seconds(frame["time"])
    n = len(t)
    dt = np.diff(t)  # > 0 everywhere after cleaning

    lat, lon, spikes = _positions(frame, t)
    has_gps = bool(np.isfinite(lat).sum() >= 2)
    cum = _cumulative_distance(frame, t, lat, lon, spikes, quality)
    device_speed = _column(frame, "speed_m_s")
    device_speed[(device_speed < 0) | (device_speed > JUMP_MAX_SPEED_M_S)] = np.nan
    if np.isfinite(device_speed).sum() < 0.5 * n:
        device_speed = np.full(n, np.nan)
    floor = MIN_SWIM_SPEED_M_S if sport == "swimming" else MIN_MOVING_SPEED_M_S
    moving, speed = _moving(frame, t, cum, device_speed, floor, quality)
    moving_s = float(dt[moving].sum())

    out: dict[str, Any] = {
        "distance_km": float((cum[-1] - cum[0]) / 1000.0) if cum is not None else math.nan,
        "start_time": frame["time"].iloc[0],
        "elapsed_s": float(t[-1] - t[0]),
        "moving_s": moving_s,
        "has_gps": bool(has_gps),
    }
    out.update(_elevation(frame, cum, barometric, quality))
    out.update(_heart_rate(frame, t, quality))

    hist_speed = device_speed[1:] if np.isfinite(device_speed).any() else speed
    out["speed_hist_s"] = _speed_histogram(hist_speed, dt, moving)
    out["quality"] = quality
    return out


# ---------------------------------------------------------------- time


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column as a float array (all NaN if absent)."""
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    values = pd.to_numeric(frame[name], errors="coerce")
    return np.array(values.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)


def _seconds(times: pd.Series) -> np.ndarray:
    """Seconds since the first timestamp, as floats."""
    return (times - times.iloc[0]).dt.total_seconds().to_numpy(dtype=float)


def clean_times(records: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The records :func:`summarize` uses, and notes on what was dropped.

    Importers call this to return the same cleaned stream they summarised.
    Raises :class:`InputError` when no record has a timestamp.
    """
    quality: list[str] = []
    return _clean_times(records, quality), quality


def _clean_times(records: pd.DataFrame, quality: list[str]) -> pd.DataFrame:
    """Drop records without time, then keep the longest run of strictly increasing times.

    Records stay in file order (positions are usually right when clocks jitter); sorting
    by time would interleave them into a zig-zag. The longest increasing subsequence keeps
    the most records, also when a single bogus timestamp sits at the very start.
    """
    if "time" not in records.columns:
        raise InputError("no records with a timestamp")
    times = pd.to_datetime(records["time"], utc=True, errors="coerce")
    frame = records.assign(time=times)[times.notna().to_numpy()].reset_index(drop=True)
    if frame.empty:
        raise InputError("no records with a timestamp")
    t = _seconds(frame["time"])
    d = np.diff(t)
    if (d > 0).all():
        return _cut_at_long_gap(frame, t, quality)
    repeated = int((d == 0).sum())
    if repeated:
        frame = _merge_equal_times(frame, d == 0)
        quality.append(f"records sharing a timestamp merged ({repeated})")
        t = _seconds(frame["time"])
        d = np.diff(t)
        if (d > 0).all():
            return _cut_at_long_gap(frame, t, quality)
    keep = np.zeros(len(t), dtype=bool)
    keep[_increasing_subsequence(t)] = True
    dropped = int((~keep).sum())
    quality.append(f"timestamps out of order ({dropped} fixed)")
    frame = frame[keep].reset_index(drop=True)
    return _cut_at_long_gap(frame, t[keep], quality)


def _merge_equal_times(frame: pd.DataFrame, same_as_previous: np.ndarray) -> pd.DataFrame:
    """One record per run of adjacent equal timestamps, each field its first value.

    Suunto writes the position in one record and distance, heart rate and altitude in
    another with the same time: keeping only the first would halve those streams.
    """
    group = np.concatenate(([0], np.cumsum(~same_as_previous)))
    merged = frame.groupby(group, sort=False).first()  # first non-missing value per column
    return merged.reset_index(drop=True)[list(frame.columns)]


def _cut_at_long_gap(frame: pd.DataFrame, t: np.ndarray, quality: list[str]) -> pd.DataFrame:
    """Keep the substantial segment between gaps longer than :data:`MAX_RECORDING_GAP_S`.

    A watch started for a few seconds one day and used for a run weeks later must not book
    the run on the first day: the segment with the most recorded time (gaps up to
    PAUSE_GAP_S; ties: the most distance) wins, and the records dropped are noted.
    """
    gaps = np.flatnonzero(np.diff(t) > MAX_RECORDING_GAP_S)
    if not len(gaps):
        return frame
    bounds = [0, *(int(g) + 1 for g in gaps), len(t)]
    dist = _column(frame, "distance_m")
    best, best_key = 0, (-1.0, -1.0)
    for k in range(len(bounds) - 1):
        lo, hi = bounds[k], bounds[k + 1]
        step = np.diff(t[lo:hi])
        recorded = float(step[step <= PAUSE_GAP_S].sum())
        d = dist[lo:hi][np.isfinite(dist[lo:hi])]
        key = (recorded, float(d.max() - d.min()) if len(d) else 0.0)
        if key > best_key:
            best, best_key = k, key
    lo, hi = bounds[best], bounds[best + 1]
    before, after = lo, len(t) - hi
    parts = []
    if before:
        hours = (t[lo] - t[lo - 1]) / 3600
        parts.append(f"recording resumed after {hours:.0f} h: {before} earlier records ignored")
    if after:
        hours = (t[hi] - t[hi - 1]) / 3600
        parts.append(f"recording resumed after {hours:.0f} h: {after} later records ignored")
    quality.extend(parts)
    return frame.iloc[lo:hi].reset_index(drop=True)


def _increasing_subsequence(t: np.ndarray) -> np.ndarray:
    """Indices of a longest strictly increasing subsequence of ``t`` (O(n log n))."""
    tails: list[float] = []
    tail_idx: list[int] = []
    prev = np.full(len(t), -1)
    for i, x in enumerate(t.tolist()):
        k = bisect.bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
            tail_idx.append(i)
        else:
            tails[k] = x
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k > 0 else -1
    out = []
    i = tail_idx[-1]
    while i >= 0:
        out.append(i)
        i = prev[i]
    return np.array(out[::-1], dtype=int)


# ---------------------------------------------------------------- distance


def _positions(frame: pd.DataFrame, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Latitude/longitude with invalid fixes and GPS spikes set to NaN; number of spikes."""
    lat, lon = _column(frame, "lat_deg"), _column(frame, "lon_deg")
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    bad |= (np.abs(lat) > 90) | (np.abs(lon) > 180) | ((lat == 0) & (lon == 0))
    lat[bad] = np.nan
    lon[bad] = np.nan
    idx = np.flatnonzero(~bad)
    removed = 0
    if len(idx) < 3:
        return lat, lon, removed
    for _ in range(3):  # spikes of one or two points
        idx = np.flatnonzero(np.isfinite(lat))
        if len(idx) < 3:
            break
        jump = _jumps(lat[idx], lon[idx], t[idx])
        spike = np.zeros(len(idx), dtype=bool)
        spike[1:-1] = jump[:-1] & jump[1:]
        if not spike.any():
            break
        removed += int(spike.sum())
        lat[idx[spike]] = np.nan
        lon[idx[spike]] = np.nan
    return lat, lon, removed


def _jumps(lat: np.ndarray, lon: np.ndarray, t: np.ndarray) -> np.ndarray:
    """For each step between successive fixes, whether it is an implausible jump."""
    step = step_distances_m(lat, lon)
    speed = step / np.maximum(np.diff(t), 1e-3)
    moving = speed[(speed >= MIN_MOVING_SPEED_M_S) & (step < 1000)]
    typical = float(np.median(moving)) if len(moving) else 0.0
    limit = min(max(JUMP_SPEED_FACTOR * typical, JUMP_MIN_SPEED_M_S), JUMP_MAX_SPEED_M_S)
    return (speed > limit) & (step > JUMP_MIN_M)


def _cumulative_distance(
    frame: pd.DataFrame,
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    spikes: int,
    quality: list[str],
) -> np.ndarray | None:
    """Cumulative distance [m] at every record: device distance if usable, else geodesic."""
    n = len(t)
    gps = None
    idx = np.flatnonzero(np.isfinite(lat))
    if len(idx) >= 2:
        steps = step_distances_m(lat[idx], lon[idx])
        jump = _jumps(lat[idx], lon[idx], t[idx])
        steps[jump] = 0.0  # steps to a new place after a spike-free jump: not covered
        if spikes or jump.any():
            quality.append(f"GPS jumps removed ({spikes + int(jump.sum())})")
        gps = np.interp(t, t[idx], np.concatenate(([0.0], np.cumsum(steps))))

    dev = _column(frame, "distance_m")
    ok = np.isfinite(dev) & (dev >= 0)
    if ok.sum() >= max(2, 0.5 * n):
        d = dev[ok]
        back = -np.diff(d)[np.diff(d) < 0].sum()
        total = float(d.max() - d[0])
        # a corrupt counter (10**8 m in a minute) is not a distance anyone covered
        fast = total > JUMP_MAX_SPEED_M_S * max(float(t[ok][-1] - t[ok][0]), 1.0)
        if total > 0 and not fast and back <= DEVICE_DISTANCE_MAX_BACKWARD * total:
            return np.interp(t, t[ok], np.maximum.accumulate(d))
        if fast:
            quality.append(f"device distance ignored (faster than {JUMP_MAX_SPEED_M_S:g} m/s)")
        elif total > 0:
            quality.append("device distance not monotone; distance from GPS")
        elif gps is not None and gps[-1] > 0:
            quality.append("device distance is zero; distance from GPS")
        elif gps is None:
            return np.interp(t, t[ok], np.maximum.accumulate(d))
    if gps is not None:
        return gps
    speed = _column(frame, "speed_m_s")
    okv = np.isfinite(speed) & (speed >= 0) & (speed <= JUMP_MAX_SPEED_M_S)
    if okv.sum() >= max(2, 0.5 * n):
        v = np.interp(t, t[okv], speed[okv])
        dt = np.minimum(np.diff(t), PAUSE_GAP_S)
        quality.append("distance integrated from speed")
        return np.concatenate(([0.0], np.cumsum(v[1:] * dt)))
    return None


def _moving(
    frame: pd.DataFrame,
    t: np.ndarray,
    cum: np.ndarray | None,
    device_speed: np.ndarray,
    floor: float,
    quality: list[str],
) -> tuple[np.ndarray, np.ndarray | None]:
    """Whether each interval between records is moving, and the speed [m/s] judged.

    The device's own speed field decides where it exists (device distance advances in
    whole metres, too coarse over a few seconds at walking pace); otherwise the distance
    over SPEED_WINDOW_S. Across a gap, the distance covered decides. Climbing counts as
    moving, and so does any slow stretch shorter than MIN_STOP_S. Without distance,
    speed or climbing, only gaps are pauses (and not the usual gaps of sparse recording).
    """
    dt = np.diff(t)
    n = len(dt)
    if n == 0:
        return np.zeros(0, dtype=bool), None
    typical = float(np.median(dt))
    pause = PAUSE_GAP_S
    if typical >= SPARSE_RECORDING_S:
        pause = max(PAUSE_GAP_S, SPARSE_GAP_FACTOR * typical)
    measured = cum is not None and cum[-1] > cum[0]
    window = _window_speed(t, cum)[1:] if measured and cum is not None else None
    speed: np.ndarray | None = None
    if np.isfinite(device_speed).any() and (measured or np.nanmax(device_speed) > 0):
        speed = device_speed[1:].copy()
        if window is not None:
            speed = np.where(np.isfinite(speed), speed, window)
    elif window is not None:
        speed = window
    if speed is None:
        quality.append(NO_MOTION_NOTE)
        return dt <= pause, None
    if measured and cum is not None:
        gap = dt > PAUSE_GAP_S
        speed[gap] = (np.diff(cum) / dt)[gap]  # the speed at a gap's end says nothing
    moving = np.nan_to_num(speed, nan=0.0) >= floor
    if measured and cum is not None and typical >= SPARSE_RECORDING_S:
        # one sample a minute (a swim's lengths) cannot show a stop inside an interval:
        # any progress made in it is movement
        moving |= (np.diff(cum) > 0) & (dt <= pause)
    vertical = _vertical_speed(frame, t)
    if vertical is not None:
        moving |= vertical >= MIN_VERTICAL_SPEED_M_S
    if not measured:
        moving &= dt <= pause
    moving = _fill_short_stops(moving, dt)
    return moving, speed


def _vertical_speed(frame: pd.DataFrame, t: np.ndarray) -> np.ndarray | None:
    """|climb rate| [m/s] over VERTICAL_WINDOW_S ending at each interval; None without altitude."""
    alt = _column(frame, "altitude_m")
    ok = np.isfinite(alt) & (alt >= ALT_MIN_M) & (alt <= ALT_MAX_M)
    if ok.sum() < 2:
        return None
    z = np.interp(t, t[ok], alt[ok])
    j = np.searchsorted(t, t - VERTICAL_WINDOW_S, side="left")
    span = np.maximum(t - t[j], VERTICAL_WINDOW_S)
    v = np.abs(z - z[j]) / span
    gap = np.diff(t) > PAUSE_GAP_S
    out = v[1:]
    out[gap] = 0.0  # altitude changed during a pause is not climbing
    return out


def _fill_short_stops(moving: np.ndarray, dt: np.ndarray) -> np.ndarray:
    """Runs of slow intervals lasting less than MIN_STOP_S in all count as moving."""
    if moving.all() or not moving.any():
        return moving
    out = moving.copy()
    edges = np.flatnonzero(np.diff(np.concatenate(([1], moving.astype(np.int8), [1]))))
    for lo, hi in zip(edges[::2], edges[1::2], strict=True):
        if dt[lo:hi].sum() < MIN_STOP_S:
            out[lo:hi] = True
    return out


def _window_speed(t: np.ndarray, cum: np.ndarray) -> np.ndarray:
    """Speed [m/s] at each record over the SPEED_WINDOW_S before it (at least one step)."""
    j = np.searchsorted(t, t - SPEED_WINDOW_S, side="left")
    j = np.minimum(j, np.arange(len(t)) - 1)
    j[0] = 0
    span = t - t[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (cum - cum[j]) / span
    v[0] = np.nan
    return v


def _speed_histogram(
    speed: np.ndarray | None, dt: np.ndarray, moving: np.ndarray
) -> np.ndarray | None:
    """Seconds spent moving in each SPEED_BIN_M_S bin (the top bin collects the rest)."""
    if speed is None or not np.isfinite(speed).any():
        return None
    use = moving & np.isfinite(speed)
    raw = np.floor(speed[use] / schema.SPEED_BIN_M_S + 1e-6)  # 3.0 m/s -> bin 30, not 29
    bins = np.clip(raw.astype(int), 0, schema.SPEED_BINS - 1)
    return np.bincount(bins, weights=dt[use], minlength=schema.SPEED_BINS).astype(float)


# ---------------------------------------------------------------- heart rate


def _heart_rate(frame: pd.DataFrame, t: np.ndarray, quality: list[str]) -> dict[str, Any]:
    """Average/maximum HR and the time-weighted bpm histogram."""
    hr = _column(frame, "hr_bpm")
    finite = np.isfinite(hr) & (hr > 0)
    ok = finite & (hr >= HR_MIN_BPM) & (hr < schema.HR_BINS)
    if finite.sum() > ok.sum():
        quality.append(f"implausible heart rates ignored ({int(finite.sum() - ok.sum())})")
    if not ok.any():
        return {"avg_hr": math.nan, "max_hr": math.nan, "has_hr": False, "hr_hist_s": None,
                "hr_best20_bpm": math.nan}
    # sparse streams (HR on every few records): a reading stands for up to HR_DT_CAP_S
    last = np.maximum.accumulate(np.where(ok, np.arange(len(t)), -1))
    fresh = (last >= 0) & (t - t[np.maximum(last, 0)] <= HR_DT_CAP_S)
    hr = np.where(fresh, hr[np.maximum(last, 0)], np.nan)
    ok = np.isfinite(hr)
    w = np.concatenate(([0.0], np.minimum(np.diff(t), HR_DT_CAP_S)))[ok]
    values = hr[ok]
    avg = float(np.average(values, weights=w)) if w.sum() > 0 else float(values.mean())
    hist = np.bincount(np.rint(values).astype(int), weights=w, minlength=schema.HR_BINS)[
        : schema.HR_BINS
    ]
    return {
        "avg_hr": avg,
        "max_hr": float(values.max()),
        "has_hr": True,
        "hr_hist_s": hist.astype(float),
        "hr_best20_bpm": best_mean_hr(t, hr, BEST_HR_WINDOW_S),
    }


def best_mean_hr(t: np.ndarray, hr: np.ndarray, window_s: float) -> float:
    """Highest mean HR [bpm] over any ``window_s`` seconds of elapsed time, or NaN.

    ``hr`` holds each record's reading (NaN where stale or missing); a reading stands until
    the next record, for at most :data:`HR_DT_CAP_S`. A window counts when HR is known for
    :data:`BEST_HR_COVERAGE` of it, so a pause or a lost strap does not shorten the effort
    being averaged.
    """
    if len(t) < 2 or t[-1] - t[0] < window_s:
        return math.nan
    step = max(1.0, (t[-1] - t[0]) / BEST_HR_MAX_SAMPLES)  # 1 s, coarser beyond 55 h
    grid = np.arange(t[0], t[-1], step)
    idx = np.searchsorted(t, grid, side="right") - 1
    held = np.where(grid - t[idx] <= HR_DT_CAP_S, hr[idx], np.nan)
    known = np.isfinite(held)
    w = max(1, round(window_s / step))
    sums = np.concatenate(([0.0], np.cumsum(np.where(known, held, 0.0))))
    counts = np.concatenate(([0], np.cumsum(known)))
    total, n = sums[w:] - sums[:-w], counts[w:] - counts[:-w]
    ok = n >= BEST_HR_COVERAGE * w
    return float((total[ok] / n[ok]).max()) if ok.any() else math.nan


# ---------------------------------------------------------------- elevation


def _elevation(
    frame: pd.DataFrame, cum: np.ndarray | None, barometric: bool | None, quality: list[str]
) -> dict[str, Any]:
    """Ascent, descent and downhill distances from the smoothed altitude profile."""
    none = {
        "ascent_m": math.nan,
        "descent_m": math.nan,
        "downhill_km": math.nan,
        "steep_downhill_km": math.nan,
        "elevation_source": "none",
    }
    alt = _column(frame, "altitude_m")
    finite = np.isfinite(alt)
    ok = finite & (alt >= ALT_MIN_M) & (alt <= ALT_MAX_M)
    if finite.sum() > ok.sum():
        quality.append(f"implausible altitudes dropped ({int(finite.sum() - ok.sum())})")
    if ok.sum() > 0 and abs(float(np.median(alt[ok]))) > 50:
        zero = ok & (alt == 0)
        if zero.any():
            quality.append(f"zero altitudes dropped ({int(zero.sum())})")
            ok &= ~zero
    if ok.sum() < 2:
        return none
    z = alt[ok]
    if z.max() - z.min() < ALT_CONSTANT_SPAN_M:
        quality.append(f"constant altitude ({z[0]:.1f} m) ignored")
        return none
    hysteresis = HYSTERESIS_BARO_M if barometric else HYSTERESIS_GPS_M
    source = "barometric" if barometric else "gps"
    span = cum[ok][-1] - cum[ok][0] if cum is not None else math.nan
    if not np.isfinite(span) or span < 2 * ELEV_STEP_M:
        smooth = _median(z, ELEV_MEDIAN_POINTS)
        up, down = _hysteresis(smooth, hysteresis)
        return {
            "ascent_m": up,
            "descent_m": down,
            "downhill_km": math.nan,
            "steep_downhill_km": math.nan,
            "elevation_source": source,
        }
    assert cum is not None  # without distances span is NaN and the branch above returned
    x = cum[ok]
    grid = np.arange(x[0], x[-1], max(ELEV_STEP_M, span / ELEV_MAX_SAMPLES))
    if grid[-1] < x[-1]:
        grid = np.append(grid, x[-1])
    smooth = _median(np.interp(grid, x, z), ELEV_MEDIAN_POINTS)
    up, down = _hysteresis(smooth, hysteresis)
    grade, length = _grades(grid, smooth)
    return {
        "ascent_m": up,
        "descent_m": down,
        "downhill_km": float(length[grade <= DOWNHILL_GRADE].sum() / 1000.0),
        "steep_downhill_km": float(length[grade <= STEEP_DOWNHILL_GRADE].sum() / 1000.0),
        "elevation_source": source,
    }


def _median(z: np.ndarray, points: int) -> np.ndarray:
    """Centred running median (shorter at the ends)."""
    return pd.Series(z).rolling(points, center=True, min_periods=1).median().to_numpy(dtype=float)


def _grades(x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grade of each resampled segment (centred window >= GRADE_WINDOW_M) and its length."""
    n = len(x)
    step = ELEV_STEP_M
    k = math.ceil((GRADE_WINDOW_M / step + 1) / 2)
    j = np.arange(n - 1)
    lo = np.maximum(j + 1 - k, 0)
    hi = np.minimum(j + k, n - 1)
    span = x[hi] - x[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        grade = np.where(span > 0, (z[hi] - z[lo]) / span, 0.0)
    return grade, np.diff(x)


def _hysteresis(z: np.ndarray, threshold: float) -> tuple[float, float]:
    """Total ascent and descent [m] counting only reversals of at least ``threshold``.

    The profile is first reduced (vectorised) to its turning points, so the sequential
    zig-zag pass runs over a few hundred values even for long activities.
    """
    z = z[np.isfinite(z)]
    if len(z) < 2:
        return 0.0, 0.0
    d = np.diff(z)
    keep = np.concatenate(([True], d != 0))
    z = z[keep]
    if len(z) < 2:
        return 0.0, 0.0
    s = np.sign(np.diff(z))
    turn = np.concatenate(([True], s[1:] != s[:-1], [True]))
    pts = z[turn].tolist()

    up = down = 0.0
    lo = hi = ref = ext = pts[0]
    direction = 0
    for v in pts[1:]:
        if direction == 0:
            lo, hi = min(lo, v), max(hi, v)
            if v - lo >= threshold:
                direction, ref, ext = 1, lo, v
            elif hi - v >= threshold:
                direction, ref, ext = -1, hi, v
        elif direction == 1:
            if v > ext:
                ext = v
            elif ext - v >= threshold:
                up += ext - ref
                direction, ref, ext = -1, ext, v
        else:
            if v < ext:
                ext = v
            elif v - ext >= threshold:
                down += ref - ext
                direction, ref, ext = 1, ext, v
    if direction == 1:
        up += ext - ref
    elif direction == -1:
        down += ref - ext
    return float(up), float(down)
