"""The rule catalogue as data: every rule, its thresholds, conditions and evidence in one place.

Ids, condition ids and severities are a public contract (see RULES.md): JSON output, the
report and the tests use them verbatim. Evaluation lives in :mod:`loadwatch.rules.evaluators`; this
module only declares. A rule is a frozen object, so a variant is made with
:func:`dataclasses.replace` or :meth:`Rule.with_values` and passed to the evaluation.

Bone-stress modifiers (previous stress fracture, female sex) lower the distance, long-run,
intensity and downhill thresholds by *one step*: every threshold marked ``step="fraction"``
(an allowed rise, e.g. +30 %) or ``step="multiple"`` (e.g. 1.5x the recent mean) keeps
:data:`BONE_STRESS_STEP` (two thirds) of its allowed rise: +30 % becomes +20 %, 1.5x becomes
1.33x, 2x becomes 1.67x. One step applies however many modifiers are present.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from loadwatch.wording import SELF_CARE

Step = Literal["fraction", "multiple"] | None

#: Share of the allowed rise kept by a bone-stress "step" (a convention of loadwatch).
BONE_STRESS_STEP = 2 / 3


@dataclass(frozen=True)
class Threshold:
    """One named limit of a rule.

    ``value`` is in ``unit``; "fraction" values (0.30) are shown as percentages. A threshold
    without ``severity`` is a guard (a floor below which the rule does not judge). ``name``
    is the key used in ``[thresholds.<rule_id>]`` of loadwatch.toml.
    """

    name: str
    value: float
    unit: str
    severity: str | None
    label: str
    step: Step = None

    def shown(self) -> str:
        """The value as a reader sees it: '30 %' for a fraction, '1.5x', '30' otherwise."""
        if self.unit == "fraction":
            return f"{self.value * 100:.0f} %"
        if self.unit == "x":
            return f"{self.value:.2f}".rstrip("0").rstrip(".") + "x"
        return f"{self.value:g}"

    def stepped_down(self) -> Threshold:
        """This threshold lowered by one bone-stress step (unchanged if it has no step)."""
        if self.step == "fraction":
            return dataclasses.replace(self, value=self.value * BONE_STRESS_STEP)
        if self.step == "multiple":
            return dataclasses.replace(self, value=1 + (self.value - 1) * BONE_STRESS_STEP)
        return self


@dataclass(frozen=True)
class Evidence:
    """How strong the support for a rule is, and where it comes from."""

    strength: str
    citation: str

    def __str__(self) -> str:
        return f"{self.strength}: {self.citation}"


@dataclass(frozen=True)
class Condition:
    """An overuse condition a rule is linked to, in plain words, with its self-care.

    A distance in the texts is a placeholder (``{shoe_life}``) that
    ``format.fixed_text`` fills from the rules in the reader's units.
    """

    id: str
    name: str
    description: str
    self_care: str


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue: what it measures, when it fires and why."""

    id: str
    title: str
    metric: str
    thresholds: tuple[Threshold, ...]
    min_data: str
    conditions: tuple[str, ...]
    evidence: Evidence
    advice: str

    def threshold(self, name: str) -> Threshold:
        """The named threshold (e.g. "caution"); KeyError if the rule has none by that name."""
        for t in self.thresholds:
            if t.name == name:
                return t
        raise KeyError(f"{self.id} has no threshold {name!r}")

    def value(self, name: str) -> float:
        """The value of the named threshold."""
        return self.threshold(name).value

    def with_values(self, **values: float) -> Rule:
        """A copy with some threshold values replaced, e.g. ``rule.with_values(caution=0.25)``."""
        names = {t.name for t in self.thresholds}
        unknown = sorted(set(values) - names)
        if unknown:
            raise KeyError(f"{self.id} has no threshold {unknown[0]!r}")
        return dataclasses.replace(
            self,
            thresholds=tuple(
                dataclasses.replace(t, value=float(values[t.name])) if t.name in values else t
                for t in self.thresholds
            ),
        )

    def stepped_down(self) -> Rule:
        """The rule with its bone-stress thresholds lowered by one step."""
        stepped = tuple(t.stepped_down() for t in self.thresholds)
        return dataclasses.replace(self, thresholds=stepped)

    @property
    def bone_stress(self) -> bool:
        """Whether the bone-stress modifiers lower this rule (it has a stepped threshold)."""
        return any(t.step for t in self.thresholds)

    def window(self, name: str) -> int:
        """A window parameter (days, weeks, hours, runs) as a whole number."""
        return round(self.value(name))

    def describe(self, text: str) -> str:
        """``text`` with each ``{threshold}`` replaced by this rule's value, e.g. '30 %'."""
        return text.format_map({t.name: t.shown() for t in self.thresholds})

    @property
    def description(self) -> str:
        """What the rule measures, with the values it applies."""
        return self.describe(self.metric)

    @property
    def needs(self) -> str:
        """The history the rule needs, with the values it applies."""
        return self.describe(self.min_data)

    @property
    def advice_text(self) -> str:
        """The rule's advice, with the values it applies."""
        return self.describe(self.advice)


_CONDITIONS = (
    Condition(
        "femoral_stress_fracture", "Femoral neck or pelvic bone stress",
        "Repetitive loading beyond the bone's repair, most likely when training volume rises "
        "too quickly; deep groin or thigh pain that becomes constant, even at rest.",
        "Stop running and get prompt medical assessment if groin pain worsens with "
        "weight-bearing or comes at night or at rest. Calcium, vitamin D and enough energy.",
    ),
    Condition(
        "trochanteric_bursitis", "Trochanteric bursitis",
        "Outer hip pain over the greater trochanter, worse lying on that side and with "
        "mileage or intensity increases.", SELF_CARE,
    ),
    Condition(
        "gluteal_tendinopathy", "Gluteal tendinopathy",
        "Side of hip or deep buttock pain, worse standing on one leg; often misdiagnosed as "
        "bursitis; weak gluteus medius and a cross-over gait add load.", SELF_CARE,
    ),
    Condition(
        "iliopsoas_tendinopathy", "Iliopsoas tendinopathy",
        "Front of hip or groin pain when lifting the knee; follows increases in speed work "
        "or distance; gradual onset.", SELF_CARE,
    ),
    Condition(
        "hip_flexor_strain", "Hip flexor strain",
        "Front-of-hip pain after sudden acceleration or hard sessions; tight flexors from "
        "sitting.", "Recovery between hard efforts and a proper warm-up. " + SELF_CARE,
    ),
    Condition(
        "itb_syndrome", "Iliotibial band syndrome",
        "Outer thigh from hip to knee; after sudden increases in distance and intensity, worn "
        "shoes, excessive downhill running.",
        "Even surfaces instead of cambered roads and technical trails while symptomatic; "
        "replace shoes at {shoe_life}. " + SELF_CARE,
    ),
    Condition(
        "adductor_strain", "Adductor strain",
        "Inner thigh; trails and downhills demand pelvic stabilisation.",
        "Even surfaces while symptomatic. " + SELF_CARE,
    ),
    Condition(
        "labral_tear_fai", "Labral tear / femoroacetabular impingement",
        "Clicking, catching or locking deep in the hip joint; not detectable from load: "
        "symptoms and referral only.",
        "See a clinician; load data cannot tell whether this is present.",
    ),
)

#: Conditions by id, declared once.
CONDITIONS: Mapping[str, Condition] = {c.id: c for c in _CONDITIONS}

#: Shorthand for rules linked to "all overuse" conditions.
ALL_OVERUSE = tuple(c.id for c in _CONDITIONS if c.id != "labral_tear_fai")

#: Where a logged pain is -> the conditions of that area (RULES.md, "Conditions"), most
#: specific first: the first entry with a phrase whose every word begins a word of the
#: logged area wins ("front hip" matches "front of right hip"). A pain-log entry without
#: red flags is linked to these only; an area not listed (calf, knee, shin, foot, back,
#: ...) is linked to none of the hip and thigh conditions.
PAIN_AREAS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("inner thigh", "adductor"), ("adductor_strain",)),
    (("outer thigh", "side thigh", "lateral thigh", "itb", "iliotibial"), ("itb_syndrome",)),
    (("groin", "front hip", "hip flexor"),
     ("femoral_stress_fracture", "iliopsoas_tendinopathy", "hip_flexor_strain",
      "adductor_strain")),
    (("outer hip", "side hip", "lateral hip", "trochanter"),
     ("trochanteric_bursitis", "gluteal_tendinopathy", "itb_syndrome")),
    (("buttock", "glute"), ("gluteal_tendinopathy",)),
    (("thigh",), ("femoral_stress_fracture", "itb_syndrome", "adductor_strain")),
    (("hip", "pelvis"),
     ("femoral_stress_fracture", "trochanteric_bursitis", "gluteal_tendinopathy",
      "iliopsoas_tendinopathy", "hip_flexor_strain")),
)


def conditions_of_area(area: str) -> tuple[str, ...]:
    """The conditions of a logged pain area (:data:`PAIN_AREAS`); () for any other area."""
    words = str(area or "").casefold().replace("-", " ").replace("/", " ").split()

    def has(phrase: str) -> bool:
        return all(any(w.startswith(p) for w in words) for p in phrase.split())

    for phrases, conditions in PAIN_AREAS:
        if any(has(p) for p in phrases):
            return conditions
    return ()


@dataclass(frozen=True)
class PainLog:
    """How a pain-log entry without red flags is shown: under its own title, linked to the
    conditions of its area, never under the red-flag rule's "Symptoms that need a
    clinician"."""

    rule: str
    title: str
    care_severity: str

    def is_entry(self, rule: str, severity: str) -> bool:
        """Whether a finding of ``rule`` at ``severity`` is a pain-log entry (no red flag)."""
        return rule == self.rule and severity != self.care_severity


#: The pain log's entries are findings of the red-flag rule below its seek_care threshold.
PAIN_LOG = PainLog(rule="red_flag_symptoms", title="Pain log", care_severity="seek_care")

_FR = "fraction"
_X = "x"

_RULES = (
    Rule(
        id="weekly_distance_jump",
        title="Weekly distance jump (the 10 % rule)",
        metric="P = (D_week - D_prev) / D_prev, weekly running distance against the week "
        "before; info above {info}, caution above {caution}",
        thresholds=(
            Threshold("info", 0.10, _FR, "info", "more than the 10 % rule of thumb", "fraction"),
            Threshold("caution", 0.30, _FR, "caution", "well above the 10 % rule", "fraction"),
            Threshold("min_prev_km", 5.0, "km", None, "previous week at least this far"),
            Threshold("min_rise_km", 3.0, "km", None, "rise at least this much"),
        ),
        min_data="2 fully covered consecutive weeks",
        conditions=(
            "trochanteric_bursitis", "gluteal_tendinopathy", "itb_syndrome",
            "femoral_stress_fracture",
        ),
        evidence=Evidence(
            "weak",
            "Buist 2008, Am J Sports Med 36:33 (randomised trial, no difference: 20.8 % vs "
            "20.3 % injured); Nielsen 2014, J Orthop Sports Phys Ther 44:739 (a rise of more "
            "than 30 %: HR 1.59, 0.96-2.66, for distance-related injuries such as greater "
            "trochanteric bursitis, gluteus medius injury and ITBS)",
        ),
        advice="Hold this week's distance rather than adding more; let the body catch up before "
        "the next rise, and keep the extra kilometres easy.",
    ),
    Rule(
        id="long_run_spike",
        title="Long run spike",
        metric="S = d_run / max(d of runs in the previous {window_days} days) - 1; caution "
        "above {caution}, warning above {warning}",
        thresholds=(
            Threshold("caution", 0.10, _FR, "caution", "longer than any run in 30 days",
                      "fraction"),
            Threshold("caution_large", 0.30, _FR, "caution", "much longer than usual",
                      "fraction"),
            Threshold("warning", 1.00, _FR, "warning", "more than twice the recent longest",
                      "fraction"),
            Threshold("min_rise_km", 1.0, "km", None, "run at least this much longer"),
            Threshold("window_days", 30.0, "days", None, "days of history the run is compared "
                      "with"),
        ),
        min_data="{window_days} covered days before the run",
        conditions=(
            "femoral_stress_fracture", "gluteal_tendinopathy", "itb_syndrome",
            "trochanteric_bursitis",
        ),
        evidence=Evidence(
            "moderate",
            "Frandsen 2025, Br J Sports Med 59:1203, doi:10.1136/bjsports-2024-109380 (5,205 "
            "runners: a run more than 10 % longer than the longest of the last 30 days HRR "
            "1.64, more than 100 % HRR 2.28)",
        ),
        advice="Build the long run by no more than about {caution} over your longest of the "
        "last {window_days} days; split a big day into two easier runs.",
    ),
    Rule(
        id="load_ratio",
        title="Load change indicator (acute:chronic ratio)",
        metric="EWMA acute ({acute_days} d) / chronic ({chronic_days} d, lagged "
        "{chronic_lag_days} days) of daily load (TRIMP, or distance when no HR), read at the "
        "end of each week (the week's mean with fewer than {min_runs_week} runs a week; never "
        "flagged when the week's load is below the mean of the {baseline_weeks} before); info "
        "above {info}, caution above {caution}. A load change "
        "indicator, not a risk score: the evidence in runners is weak and contested",
        thresholds=(
            Threshold("info", 1.3, _X, "info", "above usual"),
            Threshold("caution", 1.5, _X, "caution", "well above usual"),
            Threshold("chronic_floor_km", 10.0, "km/week", None,
                      "chronic load at least this many km a week (in load units)"),
            Threshold("acute_days", 7.0, "days", None, "span of the acute (recent) average"),
            Threshold("chronic_days", 28.0, "days", None, "span of the chronic (usual) average"),
            Threshold("chronic_lag_days", 7.0, "days", None, "lag of the chronic average"),
            Threshold("baseline_weeks", 4.0, "weeks", None, "a week below the mean load of "
                      "this many weeks before is never flagged"),
            Threshold("min_runs_week", 3.0, "runs", None, "below this many runs a week (mean "
                      "of the weeks before) the week's mean ratio is read, not its last day"),
        ),
        min_data="{chronic_days} covered days for the chronic average plus its "
        "{chronic_lag_days}-day lag",
        conditions=ALL_OVERUSE,
        evidence=Evidence(
            "weak/contested in runners",
            "Gabbett 2016, Br J Sports Med 50:273 (team sports); Williams 2017, Br J Sports "
            "Med 51:209 (exponentially weighted averages); Lolli 2019, Br J Sports Med 53:921 "
            "(coupling); Impellizzeri 2021, Sports Med 51:581; Nakaoka 2021, Sports Med "
            "51:2437 (an inverse association in runners)",
        ),
        advice="Load changed faster than your recent pattern: keep the next days easy or "
        "short until the recent load is back near your usual.",
    ),
    Rule(
        id="intensity_jump",
        title="Intensity jump",
        metric="minutes above threshold HR (or pace) this week vs the mean of the previous "
        "{baseline_weeks} weeks; caution above {caution}, or the first hard week after "
        "{easy_weeks} easy ones",
        thresholds=(
            Threshold("caution", 1.5, _X, "caution", "more hard minutes than usual",
                      "multiple"),
            Threshold("caution_double", 2.0, _X, "caution", "over twice the usual hard minutes",
                      "multiple"),
            Threshold("min_rise_min", 20.0, "min", None, "at least this many minutes more"),
            Threshold("hard_week_min", 20.0, "min", None, "a hard week has at least this"),
            Threshold("easy_week_min", 10.0, "min", None, "an easy week has less than this"),
            Threshold("baseline_weeks", 4.0, "weeks", None, "weeks of the usual level"),
            Threshold("easy_weeks", 3.0, "weeks", None, "easy weeks before a first hard one"),
        ),
        min_data="{baseline_weeks} covered weeks with heart rate or pace before the week",
        conditions=("iliopsoas_tendinopathy", "hip_flexor_strain", "femoral_stress_fracture"),
        evidence=Evidence(
            "weak",
            "Ramskov 2018, BMJ Open Sport Exerc Med 4:e000333 (Run Clever trial); Warden "
            "2021, Curr Osteoporos Rep 19:298; Schache 2011, Med Sci Sports Exerc 43:1260 "
            "(hip loads rise with running speed)",
        ),
        advice="Keep one hard session this week and make the rest easy; add speed work in "
        "small steps.",
    ),
    Rule(
        id="hard_sessions_close",
        title="Hard sessions close together",
        metric="hard = >= {hard_min} min above threshold or a long run >= {long_run_multiple} "
        "the median run ({median_days} days); patterns: two hard < {gap_h} h apart, >= "
        "{per_week} hard in 7 days, >= {streak_days} days without an easy or rest day",
        thresholds=(
            Threshold("info", 1.0, "patterns", "info", "one pattern"),
            Threshold("caution", 2.0, "patterns", "caution", "two or more patterns"),
            Threshold("hard_min", 10.0, "min", None, "minutes above threshold for a hard run"),
            Threshold("long_run_multiple", 1.5, _X, None, "long run vs the median run"),
            Threshold("gap_h", 48.0, "h", None, "hard sessions closer than this"),
            Threshold("per_week", 3.0, "sessions", None, "hard sessions in 7 days"),
            Threshold("streak_days", 10.0, "days", None, "days without an easy or rest day"),
            Threshold("median_days", 60.0, "days", None, "days of runs the median run is of"),
            Threshold("min_runs", 5.0, "runs", None, "runs needed for a median run"),
        ),
        min_data="per-session intensity (hard runs by time above threshold) or distances",
        conditions=("hip_flexor_strain", "iliopsoas_tendinopathy", "femoral_stress_fracture"),
        evidence=Evidence(
            "expert",
            "Meeusen 2013, Med Sci Sports Exerc 45:186 (overtraining consensus statement)",
        ),
        advice="Leave at least two easy days between hard sessions, and take a rest or easy "
        "day every week.",
    ),
    Rule(
        id="monotony",
        title="Training monotony",
        metric="Foster: mean / SD of daily load over the ISO week (rest day = 0; capped at "
        "10); caution above {caution}",
        thresholds=(Threshold("caution", 2.0, _X, "caution", "monotonous week"),),
        min_data="7 covered days",
        conditions=("femoral_stress_fracture",),
        evidence=Evidence("weak", "Foster 1998, Med Sci Sports Exerc 30:1164 (the 2.0 "
                          "limit is a practitioners' convention)"),
        advice="Vary the days: make easy days clearly easier and include a rest day.",
    ),
    Rule(
        id="downhill_volume_jump",
        title="Downhill volume jump",
        metric="weekly descent vs the mean of the previous {baseline_weeks} weeks (caution "
        "above {caution}); one run's descent vs the largest in the previous {window_days} days "
        "(caution above {run_caution})",
        thresholds=(
            Threshold("caution", 1.5, _X, "caution", "more descent than usual", "multiple"),
            Threshold("min_rise_m", 300.0, "m", None, "at least this much more descent"),
            Threshold("run_caution", 2.0, _X, "caution",
                      "one run with over twice the recent descent", "multiple"),
            Threshold("min_run_rise_m", 200.0, "m", None, "run at least this much more"),
            Threshold("baseline_weeks", 4.0, "weeks", None, "weeks of the usual descent"),
            Threshold("window_days", 30.0, "days", None, "days a run's descent is compared "
                      "with"),
        ),
        min_data="elevation on runs over {baseline_weeks} covered weeks before the week",
        conditions=("itb_syndrome", "adductor_strain", "femoral_stress_fracture"),
        evidence=Evidence(
            "weak/mechanistic",
            "Gottschall & Kram 2005, J Biomech 38:445 (at -9 degrees impact force +54 %, "
            "braking +73 %); Orchard 1996, Am J Sports Med 24:375 (ITBS); Bontemps 2020, "
            "Sports Med 50:2083",
        ),
        advice="Add downhill running gradually; walk or shorten the steepest descents this "
        "week.",
    ),
    Rule(
        id="trail_volume_jump",
        title="Trail volume jump",
        metric="trail km and trail share this week vs the previous {baseline_weeks} weeks; "
        "the first trail run over {first_long} the median run ({median_days} days)",
        thresholds=(
            Threshold("share_points", 0.30, _FR, "info", "trail share up by this"),
            Threshold("info", 1.5, _X, "info", "more trail km than usual"),
            Threshold("min_rise_km", 5.0, "km", None, "at least this many trail km more"),
            Threshold("first_long", 1.5, _X, "caution",
                      "first long trail run (x median run, none as long before)"),
            Threshold("baseline_weeks", 4.0, "weeks", None, "weeks of the usual trail volume"),
            Threshold("median_days", 60.0, "days", None, "days of runs the median run is of"),
            Threshold("min_runs", 5.0, "runs", None, "runs needed for a median run"),
        ),
        min_data="runs tagged as trail",
        conditions=("adductor_strain", "gluteal_tendinopathy", "itb_syndrome"),
        evidence=Evidence(
            "weak",
            "Viljoen 2021, Sports Med 51:917 (trail running injuries 0.7-61.2 per 1000 h); "
            "Viljoen 2022, Br J Sports Med 56:577",
        ),
        advice="Mix trail into your usual week a little at a time, on the less technical "
        "paths first.",
    ),
    Rule(
        id="shoe_mileage",
        title="Shoe mileage and rotation",
        metric="cumulative km per shoe (with its starting km), marks at {info}, {info_high} and "
        "{caution} km (scaled to a shoe's retire_km); pairs used in the last {rotation_weeks} "
        "weeks",
        thresholds=(
            Threshold("info", 450.0, "km", "info", "450 km: the start of the usual range"),
            Threshold("info_high", 650.0, "km", "info", "650 km"),
            Threshold("caution", 800.0, "km", "caution", "800 km: replace"),
            Threshold("rotation", 0.90, _FR, "info", "one pair for most runs"),
            Threshold("rotation_weeks", 8.0, "weeks", None, "weeks the rotation is judged over"),
            Threshold("rotation_runs", 8.0, "runs", None, "runs needed to judge the rotation"),
            Threshold("in_use_weeks", 3.0, "weeks", None, "a worn shoe used this recently is "
                      "shown again in the latest week"),
        ),
        min_data="a shoe named per activity or in loadwatch.toml",
        conditions=("itb_syndrome", "trochanteric_bursitis"),
        evidence=Evidence(
            "weak",
            # the usual replacement range (450-800 km) is the info and caution marks: quoted
            # from them in the reader's units, never written into this text
            "Cook 1985, Am J Sports Med 13:248 (cushioning lost with distance, laboratory "
            "study); Malisoux 2015, Scand J Med Sci Sports 25:110 (rotating shoes HR 0.61)",
        ),
        advice="Plan a new pair; rotating two pairs spreads the wear.",
    ),
    Rule(
        id="return_after_break",
        title="Return after a break",
        metric="first week after >= {break_days} days without running vs the last week "
        "before; caution above {caution} of it",
        thresholds=(
            Threshold("caution", 0.50, _FR, "caution", "more than half the old weekly distance"),
            Threshold("break_days", 14.0, "days", None, "days without running"),
            Threshold("min_prev_km", 5.0, "km", None, "old week at least this far"),
        ),
        min_data="covered history before and after the break",
        conditions=ALL_OVERUSE,
        evidence=Evidence("expert", "no study: a common return-to-run convention"),
        advice="Start at about half your old weekly distance and build back over several "
        "weeks.",
    ),
    Rule(
        id="red_flag_symptoms",
        title="Symptoms that need a clinician",
        metric="from the symptom log: pain worse with weight-bearing, night or rest pain, pain "
        "on hopping, limping, clicking or locking, fever with pain, pain for over "
        "{persist_days} days",
        thresholds=(
            Threshold("seek_care", 1.0, "red flags", "seek_care", "any red flag"),
            Threshold("pain", 0.0, "pain 0-10", "info", "pain logged without red flags"),
            Threshold("persist_days", 14.0, "days", None, "pain logged for this long"),
            Threshold("lookback_weeks", 4.0, "weeks", None, "weeks of findings listed before "
                      "a pain entry"),
            Threshold("max_log_gap_days", 10.0, "days", None, "entries further apart start a "
                      "new episode"),
        ),
        min_data="symptoms.csv beside the activity files",
        conditions=("femoral_stress_fracture", "labral_tear_fai"),
        evidence=Evidence(
            "clinical reviews", "Robertson & Wood 2017, Sports Med Int Open 1:E58; Warden "
            "2014, J Orthop Sports Phys Ther 44:749"
        ),
        advice="Stop running and get prompt medical assessment: these can be signs of a hip "
        "stress fracture.",
    ),
)

#: The catalogue, keyed by rule id, in RULES.md order.
RULES: Mapping[str, Rule] = {r.id: r for r in _RULES}

#: Rules whose thresholds the bone-stress modifiers lower: those with a stepped threshold
#: (declared once, on the thresholds).
BONE_STRESS_RULES = tuple(r.id for r in _RULES if r.bone_stress)


def catalogue_markdown(rules: Mapping[str, Rule] = RULES) -> str:
    """The catalogue as a Markdown table (for docs)."""
    lines = ["| id | thresholds | conditions | evidence |", "|---|---|---|---|"]
    for r in rules.values():
        th = "; ".join(
            f"{t.name} {t.value:g} {t.unit} -> {t.severity}" for t in r.thresholds if t.severity
        )
        lines.append(f"| `{r.id}` | {th} | {', '.join(r.conditions)} | {r.evidence} |")
    return "\n".join(lines)
