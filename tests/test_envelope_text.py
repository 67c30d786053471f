"""Where the envelope is shown (check text and JSON, the report's box), it names its own
week and dates, what was run and what is left, and why there is no allowance."""

from __future__ import annotations

import datetime as dt
import json

from loadwatch import format as fmt
from loadwatch.cli import check_payload, check_text
from loadwatch.pipeline import analyse_activities
from loadwatch.report.context import _envelope_view
from loadwatch.settings import Settings
from tests.rules.synth import MONDAY, run, table, weeks_of_runs

#: 8 weeks of 30 km (Mon, Wed, Sat) from 2026-W02, and 12 km on Monday of 2026-W10
HISTORY = table([*weeks_of_runs([30] * 8), run(MONDAY + dt.timedelta(weeks=8), 12.0)])


def test_rest_of_this_week_in_check_text_json_and_report() -> None:
    a = analyse_activities(HISTORY, Settings(), today=dt.date(2026, 3, 4))  # a Wednesday
    out = check_text(a, weeks=1)
    assert ("Rest of this week, 2026-W10 (Wed 04 Mar to Sun 08 Mar; 12.0 km run since "
            "Mon 02 Mar) holds without a caution: distance 39.0 km (27.0 km left)") in out
    env = json.loads(json.dumps(check_payload(a, weeks=1)))["envelope"]
    assert (env["first_day"], env["week_end"], env["this_week"]) == (
        "2026-03-04", "2026-03-08", True)
    assert (env["done_km"], env["remaining_km"], env["note"]) == (12.0, 27.0, None)
    view = _envelope_view(a, fmt.KM)
    assert view is not None
    assert (view.title, view.span) == ("Rest of this week", "Wed 04 Mar 2026 to Sun 08 Mar 2026")
    assert view.sentence.startswith("Up to 39.0 km (12.0 km run, 27.0 km left)")


def test_stale_history_says_why_there_is_no_figure() -> None:
    a = analyse_activities(HISTORY, Settings(), today=dt.date(2026, 12, 1))
    out = check_text(a, weeks=1)
    assert "Rest of this week, 2026-W49 (Tue 01 Dec to Sun 06 Dec; 0.0 km run since Mon 30 Nov):" \
        " no figure" in out
    assert "no recent runs to base it on: the last run was on Mon 02 Mar 2026, 274 days ago" \
        in out
    assert "2026-W11" not in out  # the week after the data is in the past
    view = _envelope_view(a, fmt.KM)
    assert view is not None and view.items == ()
    assert view.sentence.startswith("No figure: no recent runs to base it on")


def test_red_flag_says_no_running_allowance(tmp_path) -> None:
    from loadwatch.rules.symptoms import read_symptoms

    log = tmp_path / "symptoms.csv"
    log.write_text("date,area,pain,weight_bearing_pain,night_pain,limp,hop_pain,clicking,"
                   "fever,notes\n2026-03-03,groin,6,yes,no,no,no,no,no,\n", encoding="utf-8")
    symptoms, _ = read_symptoms(log)
    a = analyse_activities(HISTORY, Settings(), today=dt.date(2026, 3, 8), symptoms=symptoms)
    out = check_text(a, weeks=1)
    assert "Next week, 2026-W11 (Mon 09 Mar to Sun 15 Mar): no running allowance" in out
    assert "no running until a clinician has assessed it" in out
    view = _envelope_view(a, fmt.KM)
    assert view is not None and view.title == "Next week"
    assert view.sentence.startswith("No running allowance: Symptoms that need a clinician")


def test_the_report_never_shows_more_than_the_envelope_allows() -> None:
    """The box's figures are the envelope's own (rounded down), never rounded up past it:
    a 56.7 km limit once showed as "Up to 57 km"."""
    import re

    for day in (dt.date(2026, 3, 4), dt.date(2026, 3, 8), dt.date(2026, 3, 9)):
        a = analyse_activities(HISTORY, Settings(), today=day)
        assert a.envelope is not None and a.envelope.distance_km is not None
        view = _envelope_view(a, fmt.KM)
        assert view is not None
        shown = [float(x) for x in re.findall(r"([\d.]+) km", view.sentence)]
        assert shown[0] <= a.envelope.distance_km
        assert a.envelope.longest_run_km is not None
        assert float(re.search(r"longest run ([\d.]+) km", view.sentence).group(1)) \
            <= a.envelope.longest_run_km
