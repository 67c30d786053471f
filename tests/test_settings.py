"""loadwatch.toml: the documented example, errors naming the key, rule overrides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loadwatch.problems import UsageError
from loadwatch.rules import RULES
from loadwatch.settings import Settings, parse_settings, read_settings

EXAMPLE = """
[athlete]
name = "Sam"
timezone = "Europe/Amsterdam"
max_hr = 190
resting_hr = 50
threshold_hr = 169
threshold_pace = "4:20"
sex = "female"
previous_stress_fracture = true

[[shoes]]
name = "Pegasus 40"
start_km = 120
from = 2026-01-05
until = 2026-06-01
retire_km = 700

[thresholds.weekly_distance_jump]
caution = 0.25
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "loadwatch.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_example_parses(tmp_path: Path) -> None:
    s = read_settings(write(tmp_path, EXAMPLE))
    assert (s.name, s.timezone, s.max_hr, s.resting_hr, s.threshold_hr) == (
        "Sam", "Europe/Amsterdam", 190.0, 50.0, 169.0)
    assert s.threshold_pace_s_km == 260.0
    assert s.sex == "female" and s.previous_stress_fracture
    assert s.shoes[0].name == "Pegasus 40" and s.shoes[0].start_km == 120
    assert s.shoes[0].from_date == dt.date(2026, 1, 5) and s.shoes[0].until == dt.date(2026, 6, 1)
    assert s.shoes[0].retire_km == 700
    assert s.thresholds == {"weekly_distance_jump": {"caution": 0.25}}
    assert s.source == tmp_path / "loadwatch.toml"


def test_found_in_first_folder(tmp_path: Path) -> None:
    write(tmp_path, '[athlete]\nname = "Kim"\n')
    assert read_settings(search=[tmp_path]).name == "Kim"
    (tmp_path / "run.fit").write_bytes(b"")
    assert read_settings(search=[tmp_path / "run.fit"]).name == "Kim"
    (tmp_path / "other").mkdir()
    assert read_settings(search=[tmp_path / "other", tmp_path]) == Settings()
    assert read_settings() == Settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[athlete]\nmax_hr = "abc"\n',
         "loadwatch.toml: athlete.max_hr = 'abc': expected a maximum heart rate in bpm "
         "(100 to 250)"),
        ("[athlete]\nmax_hr = 300\n",
         "loadwatch.toml: athlete.max_hr = 300: expected a maximum heart rate in bpm"),
        ('[athlete]\nweight = 60\n', "loadwatch.toml: [athlete]: unknown key 'weight'"),
        ('[athlete]\ntimezone = "Mars/Olympus"\n',
         "loadwatch.toml: athlete.timezone = 'Mars/Olympus': expected an IANA time zone"),
        ('[athlete]\nthreshold_pace = "4.20"\n',
         "athlete.threshold_pace = '4.20': expected a pace"),
        ('[athlete]\nsex = "f"\n', "athlete.sex = 'f': expected \"female\" or \"male\""),
        ("[athlete]\nprevious_stress_fracture = 1\n",
         "athlete.previous_stress_fracture = 1: expected true or false"),
        ("[athlete]\nresting_hr = 60\nmax_hr = 150\nthreshold_hr = 160\n",
         "athlete.threshold_hr = 160.0: expected at most max_hr (150)"),
        ('[[shoes]]\nstart_km = 3\n', "shoes[1].name = None: expected a non-empty string"),
        ('[[shoes]]\nname = "A"\nfrom = "soon"\n', "shoes[1].from = 'soon': expected a date"),
        ('[[shoes]]\nname = "A"\ncolour = "red"\n', "shoes[1]: unknown key 'colour'"),
        ("[thresholds.ten_percent]\ncaution = 0.2\n", "thresholds.ten_percent: unknown rule"),
        ("[thresholds.weekly_distance_jump]\nwarning = 0.5\n",
         "[thresholds.weekly_distance_jump]: unknown key 'warning'"),
        ('[thresholds.weekly_distance_jump]\ncaution = "x"\n',
         "thresholds.weekly_distance_jump.caution = 'x': expected a fraction"),
        ("[runner]\nname = 1\n", "loadwatch.toml: unknown key 'runner'"),
        ("[athlete\n", "loadwatch.toml: not valid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        read_settings(write(tmp_path, text))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_explicit_config(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="config file not found"):
        read_settings(tmp_path / "nope.toml")


def test_rules_bone_stress_and_override_precedence() -> None:
    plain = parse_settings({}).rules()
    assert plain["weekly_distance_jump"].value("caution") == pytest.approx(0.30)
    risky = parse_settings({"athlete": {"previous_stress_fracture": True}}).rules()
    assert risky["weekly_distance_jump"].value("caution") == pytest.approx(0.20)
    assert risky["long_run_spike"].value("warning") == pytest.approx(2 / 3)
    assert risky["intensity_jump"].value("caution") == pytest.approx(1 + 0.5 * 2 / 3)
    assert risky["downhill_volume_jump"].value("run_caution") == pytest.approx(1 + 2 / 3)
    # guards, other rules and non-stepped thresholds are unchanged
    assert risky["weekly_distance_jump"].value("min_prev_km") == 5.0
    assert risky["load_ratio"] == RULES["load_ratio"]
    both = parse_settings({
        "athlete": {"sex": "female"},
        "thresholds": {"weekly_distance_jump": {"caution": 0.4}},
    }).rules()
    assert both["weekly_distance_jump"].value("caution") == 0.4  # the user's value wins
    assert both["weekly_distance_jump"].value("info") == pytest.approx(0.1 * 2 / 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[thresholds.weekly_distance_jump]\ncaution = 30\n",
         "thresholds.weekly_distance_jump.caution = 30: expected a fraction, e.g. 0.30 for 30 %"),
        ("[thresholds.weekly_distance_jump]\ncaution = 0\n",
         "thresholds.weekly_distance_jump.caution = 0: expected a fraction"),
        ("[thresholds.weekly_distance_jump]\nmin_prev_km = -5\n",
         "thresholds.weekly_distance_jump.min_prev_km = -5: expected a distance in km"),
        ("[thresholds.return_after_break]\nbreak_days = 0\n",
         "thresholds.return_after_break.break_days = 0: expected a number of days"),
        ("[thresholds.load_ratio]\ncaution = -1.5\n",
         "thresholds.load_ratio.caution = -1.5: expected a multiple of the usual value"),
        ("[athlete]\nresting_hr = 70\nmax_hr = 65\n", "athlete.max_hr = 65: expected"),
        ("[athlete]\nresting_hr = 110\nmax_hr = 105\n",
         "athlete.max_hr = 105.0: expected above resting_hr (110)"),
        ("[athlete]\nmax_hr = 180\nresting_hr = 185\n",
         "athlete.resting_hr = 185: expected a resting heart rate in bpm (25 to 120)"),
        ("[athlete]\nresting_hr = 20\n", "athlete.resting_hr = 20: expected"),
        ("[athlete]\nthreshold_hr = 260\n", "athlete.threshold_hr = 260: expected"),
        ("[athlete]\nmax_hr = 175\nresting_hr = 110\nthreshold_hr = 100\n",
         "athlete.threshold_hr = 100.0: expected above resting_hr (110)"),
        ('[[shoes]]\nname = "A"\nstart_km = -10\n', "shoes[1].start_km = -10: expected"),
        ('[athlete]\ntimezone = "Europe"\n', "athlete.timezone = 'Europe': expected an IANA"),
        ('[athlete]\ntimezone = "America"\n', "athlete.timezone = 'America': expected"),
        (f'[athlete]\ntimezone = "{"x" * 300}"\n', "athlete.timezone = 'xxxx"),
    ],
)
def test_values_are_checked_by_unit(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        read_settings(write(tmp_path, text))
    assert message in str(err.value)
    assert "\n" not in str(err.value) and len(str(err.value)) < 200


def test_every_threshold_unit_has_a_kind() -> None:
    """A rule whose unit has no declared kind would only be checked against 0..1e6."""
    from loadwatch.settings import unit_kind

    for rule in RULES.values():
        for t in rule.thresholds:
            kind = unit_kind(t.unit)
            assert kind is not None, f"{rule.id}.{t.name}: unit {t.unit!r} has no kind"
            assert kind.check(f"{rule.id}.{t.name}", t.value) == t.value  # defaults pass
