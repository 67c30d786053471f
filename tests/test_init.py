"""`loadwatch init`: a commented loadwatch.toml the settings reader loads as written."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from loadwatch import schema
from loadwatch.cli import cli
from loadwatch.init import config_text, fitting_zones
from loadwatch.settings import parse_settings, read_settings

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def _hist(bpm: int, seconds: float) -> np.ndarray:
    h = np.zeros(schema.HR_BINS)
    h[bpm] = seconds
    return h


def _runs(n: int = 12, offset: float | None = 60.0, **extra: object) -> pd.DataFrame:
    rows = []
    for i in range(n):
        bpm = 178 if i % 3 == 0 else 150
        hist = _hist(bpm, 2400)
        hist[188] = 20
        rows.append({
            "start_time": pd.Timestamp("2026-01-05T07:00Z") + pd.Timedelta(days=3 * i),
            "utc_offset_min": offset, "sport": "running", "distance_km": 10.0,
            "moving_s": 3000.0, "hr_hist_s": hist, "has_hr": True, "hr_best20_bpm": bpm,
            "shoe": "Pegasus 40" if i < 8 else 'Kinvara "14"', **extra,
        })
    return schema.conform(rows, schema.ACTIVITY)


def test_the_text_round_trips_through_the_settings_reader():
    text = config_text(_runs(), name="Sam")
    settings = parse_settings(tomllib.loads(text))
    assert settings.name == "Sam"
    assert settings.max_hr == 188
    assert settings.threshold_hr == 178
    assert [s.name for s in settings.shoes] == ["Pegasus 40", 'Kinvara "14"']
    assert settings.timezone is None  # UTC+01:00 in winter fits many zones: a hint only
    assert "# 80 km so far in 8 runs, 2026-01-05 to 2026-01-26" in text
    assert "# 40 km so far in 4 runs" in text
    assert "\nmax_hr = 188\n" in text and "\nthreshold_hr = 178\n" in text
    assert "estimated from your runs" in text


def test_a_zone_is_set_only_when_exactly_one_fits():
    nepal = _runs(offset=345.0)
    fits, offsets = fitting_zones(nepal)
    assert offsets == [345.0]
    assert fits == ["Asia/Kathmandu"]
    assert parse_settings(tomllib.loads(config_text(nepal))).timezone == "Asia/Kathmandu"
    india = config_text(_runs(offset=330.0))  # Colombo too
    assert '# timezone = "Asia/Colombo"' in india and "Asia/Kolkata" in india
    europe = config_text(_runs(offset=60.0))
    assert '# timezone = "Europe/Amsterdam"' in europe and "Europe/Berlin" in europe
    assert "UTC+01:00" in europe


def test_what_cannot_be_estimated_is_commented():
    runs = _runs(n=2, offset=None, shoe=None)
    runs["hr_hist_s"] = None
    text = config_text(runs)
    settings = parse_settings(tomllib.loads(text))
    assert (settings.max_hr, settings.threshold_hr, settings.timezone) == (None, None, None)
    assert "# no plausible maximum in your runs: set it to use your heart rate\n# max_hr" in text
    assert "your files do not say their UTC offset" in text
    assert "# No run names its shoes." in text


def test_init_writes_beside_the_data_and_never_overwrites(tmp_path: Path):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "log.csv").write_text(
        "date,distance_km,duration,shoe\n2026-03-02,8,45:00,Ghost 15\n"
        "2026-03-04,10,55:00,Ghost 15\n")
    r = CliRunner().invoke(cli, ["init", str(data), "--name", "Jo"], prog_name="loadwatch")
    assert r.exit_code == 0, r.output
    path = data / "loadwatch.toml"
    assert r.output.startswith("# loadwatch settings, written by `loadwatch init`")
    settings = read_settings(search=[data])
    assert settings.source == path and settings.name == "Jo"
    assert [s.name for s in settings.shoes] == ["Ghost 15"]
    before = path.read_text()
    again = CliRunner().invoke(cli, ["init", str(data)], prog_name="loadwatch")
    assert again.exit_code == 2
    assert "already exists; loadwatch init never overwrites it" in again.output
    assert path.read_text() == before


def test_nothing_readable_is_a_usage_error(tmp_path: Path):
    r = CliRunner().invoke(cli, ["init", str(tmp_path)], prog_name="loadwatch")
    assert r.exit_code == 2 and "no activities found" in r.output
    assert not (tmp_path / "loadwatch.toml").exists()


@pytest.mark.parametrize("athlete", ["sam", "alex"])
def test_sample_athletes(tmp_path: Path, athlete: str):
    """The generated file for each sample athlete loads (the sample's own toml set aside)."""
    import shutil

    copy = tmp_path / athlete
    shutil.copytree(SAMPLE / athlete, copy)
    (copy / "loadwatch.toml").unlink()
    r = CliRunner().invoke(cli, ["init", str(copy), "--no-cache"], prog_name="loadwatch")
    assert r.exit_code == 0, r.output
    settings = read_settings(search=[copy])
    assert settings.max_hr is not None
    assert settings.shoes
