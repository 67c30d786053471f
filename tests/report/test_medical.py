"""The report's medical framing: pain-log entries apart from red flags, linked to the
conditions of the area logged, self-care that never advises painkillers beside a current
red flag, and evidence a reader can look up."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from loadwatch.pipeline import analyse_activities
from loadwatch.report import context as ctx
from loadwatch.report.render import render_report
from loadwatch.rules import CONDITIONS, PAIN_AREAS, RULES, conditions_of_area
from loadwatch.settings import Settings
from loadwatch.wording import GENERAL_SELF_CARE, RED_FLAG_SELF_CARE
from tests.report.htmlcheck import parse
from tests.rules.synth import MONDAY, table, weeks_of_runs

HIP = {"femoral_stress_fracture", "trochanteric_bursitis", "gluteal_tendinopathy",
       "iliopsoas_tendinopathy", "hip_flexor_strain", "labral_tear_fai"}
#: 8 weeks with a +50 % week in week 6 (a caution linked to femoral-neck stress fracture)
WEEKS = [30.0, 30.0, 30.0, 30.0, 30.0, 45.0, 45.0, 45.0]
END = MONDAY + dt.timedelta(weeks=len(WEEKS)) - dt.timedelta(days=1)


def _log(*rows: tuple[dt.date, str, float, bool]) -> pd.DataFrame:
    """A symptom log: (date, area, pain, night pain)."""
    flags = ("weight_bearing_pain", "night_pain", "limp", "hop_pain", "clicking", "fever")
    out = []
    for day, area, pain, night in rows:
        row = {"date": pd.Timestamp(day), "area": area, "pain": pain, "notes": ""}
        row.update({f: False for f in flags})
        row["night_pain"] = night
        row["red_flags"] = ["pain at night or at rest"] if night else []
        out.append(row)
    return pd.DataFrame(out)


def _analysis(symptoms: pd.DataFrame, today: dt.date = END):
    return analyse_activities(table(weeks_of_runs(WEEKS)), Settings(), symptoms=symptoms,
                              today=today)


@pytest.mark.parametrize(("area", "expected"), [
    ("calf", ()),
    ("left knee", ()),
    ("Achilles", ()),
    ("groin", ("femoral_stress_fracture", "iliopsoas_tendinopathy", "hip_flexor_strain",
               "adductor_strain")),
    ("front of right hip", ("femoral_stress_fracture", "iliopsoas_tendinopathy",
                            "hip_flexor_strain", "adductor_strain")),
    ("Outer hip", ("trochanteric_bursitis", "gluteal_tendinopathy", "itb_syndrome")),
    ("buttock", ("gluteal_tendinopathy",)),
    ("inner thigh", ("adductor_strain",)),
    ("outer-thigh", ("itb_syndrome",)),
    ("", ()),
])
def test_area_conditions(area: str, expected: tuple[str, ...]) -> None:
    assert conditions_of_area(area) == expected


def test_area_map_names_only_catalogue_conditions() -> None:
    for _, conditions in PAIN_AREAS:
        assert set(conditions) <= set(CONDITIONS)


def test_calf_pain_is_a_pain_log_entry_not_a_clinician_symptom() -> None:
    # week 6 carries a caution linked to femoral-neck stress fracture; calf pain after it
    a = _analysis(_log((END - dt.timedelta(days=2), "calf", 1.0, False)))
    assert "femoral_stress_fracture" in RULES["weekly_distance_jump"].conditions
    assert (a.findings["rule"] == "weekly_distance_jump").any()
    c = ctx.build_context(a, weeks=8)
    [entry] = c.pain_log
    assert entry.message.startswith("Pain 1/10 (calf)")
    assert entry.rule_title == "Pain log" and entry.conditions == ()
    assert entry not in c.this_week and entry in c.this_week_pain
    html = render_report(a, weeks=8, narrow_figures=False)
    section = html.split('id="pain-log"', 1)[1].split("</section>", 1)[0]
    assert "Pain 1/10 (calf)" in section
    assert "Symptoms that need a clinician" not in visible_text(html)
    # linked to no hip condition anywhere on the page
    assert 'id="cond-femoral_stress_fracture"' in html  # the distance caution's link
    row = next(r for r in html.split('<tr class="f ')[1:] if "Pain 1/10 (calf)" in r)
    assert "#cond-" not in row.split("</tr>", 1)[0]
    assert "#cond-" not in section


def test_groin_pain_links_the_groin_conditions_only() -> None:
    a = _analysis(_log((END - dt.timedelta(days=2), "groin", 2.0, False)))
    [entry] = ctx.build_context(a, weeks=8).pain_log
    assert {x.id for x in entry.conditions} == set(conditions_of_area("groin"))
    assert "trochanteric_bursitis" not in {x.id for x in entry.conditions}


def test_current_red_flag_leaves_only_stop_and_get_assessed() -> None:
    a = _analysis(_log((END - dt.timedelta(days=3), "groin", 6.0, True)))
    c = ctx.build_context(a, weeks=8)
    assert c.red_flag_current
    assert c.general_self_care == RED_FLAG_SELF_CARE
    assert all(cond.self_care == () for cond in c.conditions)
    text = visible_text(render_report(a, weeks=8, narrow_figures=False)).lower()
    assert "anti-inflammatory" not in text and "nsaid" not in text
    assert "ice for" not in text and "cross-training" not in text
    assert "stop running and get assessed" in text
    # the red flag is a clinician symptom, not a pain-log entry
    assert c.pain_log == []
    assert next(f.rule_title for f in c.this_week) == "Symptoms that need a clinician"


def test_red_flag_three_weeks_ago_is_no_longer_current() -> None:
    a = _analysis(_log((END - dt.timedelta(days=25), "groin", 6.0, True)))
    c = ctx.build_context(a, weeks=8)
    assert not c.red_flag_current
    assert len(c.general_self_care) == len(GENERAL_SELF_CARE)
    assert any("replace shoes at 450-800 km" in x for x in c.general_self_care)
    nsaid = [x for x in c.general_self_care if "anti-inflammatory" in x]
    assert nsaid and all("short-term" in x and "not instead of assessment" in x
                         for x in nsaid)


#: "Author 2008, Journal 36:33" or "Author & Other 2005, J Biomech 38:445".
CITATION = re.compile(r"[A-Z][a-z]+( & [A-Z][a-z]+)? (19|20)\d\d, [A-Z][\w .]+ \d+:[Ee]?\d+")


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_evidence_is_citations(rule) -> None:
    text = rule.evidence.citation
    assert "seed" not in text.lower()
    if rule.evidence.strength == "expert" and text.startswith("no study"):
        return
    # every part names a study a reader can look up: author, year, journal volume:page
    for part in text.split(";"):
        assert CITATION.search(part), part


def visible_text(html: str) -> str:
    return parse(html).visible_text()
