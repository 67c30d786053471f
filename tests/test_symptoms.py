"""The pain log: red flags -> seek_care, logged pain lists what the rules flagged before."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from loadwatch.pipeline import analyse_activities
from loadwatch.rules.symptoms import find_symptom_log, read_symptoms
from loadwatch.settings import Settings
from tests.rules.synth import table, weeks_of_runs

LOG = """date,area,pain,weight_bearing_pain,night_pain,limp,hop_pain,clicking,fever,notes
2026-01-28,left hip,3,no,no,no,no,no,no,after the long run
2026-01-29,groin,6,yes,yes,no,no,no,no,
2026-01-30,hip,0,no,no,no,no,no,yes,a cold
2026-01-31,hip,2,,,,,yes,,
2026-02-01,knee,eleven,no,no,no,no,no,no,
2026-02-31,knee,2,no,no,no,no,no,no,
2026-02-02,knee,2,maybe,no,no,no,no,no,
"""


def write_log(tmp_path: Path, text: str = LOG) -> Path:
    p = tmp_path / "symptoms.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_read_rows_and_problems(tmp_path: Path) -> None:
    frame, problems = read_symptoms(write_log(tmp_path))
    assert len(frame) == 4
    assert frame["red_flags"].tolist() == [
        [], ["pain worse with weight-bearing", "pain at night or at rest"], [],
        ["clicking, locking or catching in the joint"],
    ]
    reasons = [(p.source.rsplit(":", 1)[1], p.reason) for p in problems]
    assert reasons == [
        ("6", "pain must be a number from 0 to 10, got 'eleven'"),
        ("7", "date must be like 2026-02-18, got '2026-02-31'"),
        ("8", "weight_bearing_pain must be yes or no, got 'maybe'"),
    ]


def test_log_without_date_column_is_a_problem(tmp_path: Path) -> None:
    frame, problems = read_symptoms(write_log(tmp_path, "day,pain\n2026-01-01,3\n"))
    assert frame.empty
    assert problems[0].reason == "symptom log needs a 'date' column"
    assert find_symptom_log([tmp_path]) == tmp_path / "symptoms.csv"
    assert find_symptom_log([tmp_path / "nope"]) == tmp_path / "symptoms.csv"


def test_findings_from_the_log(tmp_path: Path) -> None:
    symptoms, _ = read_symptoms(write_log(tmp_path))
    acts = table(weeks_of_runs([20, 20, 32, 44]))  # 2026-W02..W05, jumps in W04 and W05
    a = analyse_activities(acts, Settings(), symptoms=symptoms)
    red = a.findings[a.findings["rule"] == "red_flag_symptoms"]
    assert red["severity"].tolist() == ["info", "seek_care", "seek_care"]
    assert red["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-28", "2026-01-29",
                                                             "2026-01-31"]
    pain = red.iloc[0]
    assert pain["message"] == (
        "Pain 3/10 (left hip) logged on Wed 28 Jan 2026. In the 4 weeks before, loadwatch "
        "flagged: Weekly distance jump (the 10 % rule) in 2026-W04 and 2026-W05; Hard sessions "
        "close together in 2026-W04 and 2026-W05.")
    # rule titles, not ids, and no severity words in the sentence
    assert "weekly_distance_jump" not in pain["message"] and "caution" not in pain["message"]
    # linked to the conditions of the area logged (a hip), not of the rules before it
    assert "trochanteric_bursitis" in pain["conditions"]
    assert "itb_syndrome" not in pain["conditions"]  # an outer-thigh condition
    groin = red.iloc[1]
    assert groin["message"].startswith(
        "Pain 6/10 (groin) logged on Thu 29 Jan 2026 with red flags: pain worse with "
        "weight-bearing, pain at night or at rest. Stop running and get prompt medical")
    assert groin["value"] == 2 and groin["conditions"] == ["femoral_stress_fracture"]
    assert red.iloc[2]["conditions"] == ["femoral_stress_fracture", "labral_tear_fai"]
    # seek_care comes only from the log: the load findings never reach it
    assert set(a.findings.loc[a.findings["rule"] != "red_flag_symptoms", "severity"]) <= {
        "info", "caution", "warning"}


def test_pain_for_over_two_weeks_is_a_red_flag() -> None:
    symptoms = pd.DataFrame({
        "date": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-20", "2026-01-21",
                                "2026-01-22"]),
        "area": ["hip", "hip", "hip", "knee", "hip"], "pain": [2.0, 3.0, 2.0, 1.0, 0.0],
        "notes": "", "red_flags": [[], [], [], [], []],
        **{c: False for c in ("weight_bearing_pain", "night_pain", "limp", "hop_pain",
                              "clicking", "fever")},
    })
    a = analyse_activities(table(weeks_of_runs([20, 20, 20])), Settings(), symptoms=symptoms)
    red = a.findings[a.findings["rule"] == "red_flag_symptoms"]
    assert red["severity"].tolist() == ["info", "info", "seek_care", "info"]
    assert "pain for over 14 days" in red.iloc[2]["message"]


def test_persistent_pain_needs_a_continuing_log(tmp_path: Path) -> None:
    """Pain logged daily for two weeks is a red flag; two entries a month apart are not."""
    header = LOG.splitlines()[0]
    daily = "\n".join(f"2026-01-{d:02d},calf,2,no,no,no,no,no,no," for d in range(5, 21))
    sparse = "2026-01-05,shin,2,no,no,no,no,no,no,\n2026-02-09,shin,2,no,no,no,no,no,no,"
    symptoms, _ = read_symptoms(write_log(tmp_path, f"{header}\n{daily}\n{sparse}\n"))
    acts = table(weeks_of_runs([20, 20, 20, 20, 20, 20]))
    a = analyse_activities(acts, Settings(), symptoms=symptoms)
    red = a.findings[a.findings["rule"] == "red_flag_symptoms"]
    care = red[red["severity"] == "seek_care"]
    assert care["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-19", "2026-01-20"]
    assert care["message"].str.contains("pain for over 14 days").all()
    shin = red[red["message"].str.contains("shin")]
    assert (shin["severity"] == "info").all() and len(shin) == 2
