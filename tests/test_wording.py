"""The fixed wording lives in loadwatch.wording only, and every output carries it."""

from __future__ import annotations

from pathlib import Path

from loadwatch import wording
from loadwatch.cli import check_text
from loadwatch.report.render import render_report
from tests.report.synth import synthetic_analysis

PACKAGE = Path(__file__).resolve().parents[1] / "loadwatch"


def test_red_flags_are_written_once() -> None:
    """The disclaimer, the action and the red-flag list appear in wording.py only (the
    symptom log's own column labels, e.g. "pain at night or at rest", are not a copy)."""
    phrases = [wording.DISCLAIMER, wording.RED_FLAG_ACTION, wording.RED_FLAGS[0],
               wording.RED_FLAGS[2], wording.RED_FLAGS[5]]
    for path in PACKAGE.rglob("*"):
        if path.suffix not in (".py", ".html", ".css") or path.name == "wording.py":
            continue
        text = " ".join(path.read_text(encoding="utf-8").split())
        for phrase in phrases:
            assert phrase not in text, f"{path.name} repeats {phrase!r}"
        assert "visible deformity" not in text, path.name


def test_every_output_says_all_red_flags() -> None:
    a = synthetic_analysis(weeks=8)
    text = " ".join(check_text(a, 4).split())
    html = " ".join(render_report(a, weeks=8).split())
    for phrase in [*wording.RED_FLAGS, wording.DISCLAIMER, wording.RED_FLAG_ACTION]:
        assert phrase in text
        assert phrase in html


def test_readme_states_the_wording() -> None:
    readme = " ".join((PACKAGE.parent / "README.md").read_text(encoding="utf-8").split())
    assert wording.DISCLAIMER in readme
    for flag in wording.RED_FLAGS:
        assert flag in readme
