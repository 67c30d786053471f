"""The fixed words loadwatch says to every runner, in one place.

The disclaimer, the red flags and what to do about them, the caveat of the load change
indicator and the self-care for all overuse pain (RULES.md, "Wording" and "Conditions").
``loadwatch check``, the HTML report, the squad index and the README's generated sections
(:mod:`loadwatch.docs`) all read them from here, so they cannot drift apart; the per-rule
and per-condition texts live with the rule catalogue (:mod:`loadwatch.rules`).
"""

from __future__ import annotations

#: Said first and last, in the report, the index and ``check``.
DISCLAIMER = (
    "loadwatch is not a diagnosis or medical advice. It cannot tell whether you are injured."
)
#: What loadwatch's findings are, beside the disclaimer.
NOT_DETECTION = (
    "Findings compare your training with your own recent pattern; they do not detect "
    "injuries."
)
#: The same for a squad: the index speaks about each athlete.
NOT_DETECTION_SQUAD = (
    "Findings compare each athlete's training with their own recent pattern; they do not "
    "detect injuries."
)
#: The red flags of hip and leg overuse pain, one item each (RULES.md, "Wording").
RED_FLAGS = (
    "groin or front-of-hip pain that worsens with weight-bearing",
    "pain at night or at rest",
    "inability to bear weight or a visible deformity",
    "pain with fever or chills",
    "clicking, locking or catching in the joint",
    "pain that persists beyond two weeks of self-care",
)
#: What to do when one of :data:`RED_FLAGS` is present.
RED_FLAG_ACTION = (
    "Stop running and get prompt medical assessment: these can be signs of a hip stress "
    "fracture."
)
#: Under the load change indicator, wherever it is shown.
LOAD_RATIO_CAVEAT = (
    "Caveat: this load change indicator (acute:chronic ratio, 7-day and 28-day exponentially "
    "weighted, the 28-day one lagged a week) shows how fast load changed compared with your "
    "recent pattern, not whether you are injured. Its link to injury comes from team sports "
    "and is weak and contested in runners."
)
#: The self-care every overuse condition shares, as one paragraph: the catalogue's
#: conditions append it to their own advice, and the report removes it from them again
#: because it shows :data:`GENERAL_SELF_CARE` once.
SELF_CARE = (
    "Relative rest from what provokes it, low-impact cross-training (swimming, water running, "
    "cycling), ice 15-20 min; progress gradually; strengthen gluteus medius and core "
    "(side-lying leg lifts, clamshells, banded walks, single-leg bridges). See a professional "
    "when pain persists beyond one to two weeks of self-care."
)
#: The self-care and prevention for all overuse pain (RULES.md, "Conditions"), in plain
#: words, one item each; shown once in the report beside the conditions. A distance is a
#: placeholder filled from the rules in the reader's units (``format.fixed_text``).
GENERAL_SELF_CARE = (
    "relative rest from the activity that provokes pain, with low-impact cross-training "
    "(swimming, water running, cycling)",
    "ice for 15-20 minutes; anti-inflammatory painkillers (NSAIDs) only short-term, and "
    "not instead of assessment",
    "progress gradually (about 10 % a week as a rule of thumb) and recover between hard "
    "efforts; warm up",
    "run on even surfaces rather than cambered roads or technical trails while symptoms last",
    "replace shoes at {shoe_life}",
    "strengthen the gluteus medius and core: side-lying leg lifts, clamshells, banded walks, "
    "single-leg bridges",
    "calcium, vitamin D and enough energy for the training you do",
    "see a professional when pain persists beyond one to two weeks of self-care",
)

#: The only self-care while a red flag is current (a possible bone-stress injury):
#: painkillers and cross-training advice would mask what needs assessing.
RED_FLAG_SELF_CARE = (
    "stop running and get assessed by a clinician before you run again; do not use "
    "painkillers to run through the pain",
)


def self_care(red_flag_current: bool) -> tuple[str, ...]:
    """The self-care list to show: only :data:`RED_FLAG_SELF_CARE` while a red flag
    (a possible bone-stress injury) is current, else :data:`GENERAL_SELF_CARE`."""
    return RED_FLAG_SELF_CARE if red_flag_current else GENERAL_SELF_CARE


def red_flags_sentence(lead: str = "Red flags: ") -> str:
    """The red flags and the action as one sentence, for plain text (``check``)."""
    return f"{lead}{'; '.join(RED_FLAGS)}. {RED_FLAG_ACTION}"


def readme_block() -> str:
    """The disclaimer and the red flags as the README states them (a generated section)."""
    flags = "; ".join(RED_FLAGS[:-1]) + "; or " + RED_FLAGS[-1]
    action = RED_FLAG_ACTION.split(":", 1)
    return (
        f"**{DISCLAIMER}** {NOT_DETECTION} {action[0]} if you have {flags}:"
        f"{action[1].rstrip('.')}."
    )
