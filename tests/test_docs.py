"""The README's generated tables match the code; its two set-up commands match CI."""

from __future__ import annotations

from loadwatch.docs import update_readme
from tests.conftest import REPO


def test_readme_generated_sections_are_current():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert update_readme(text) == text, "run: python -m loadwatch.docs README.md"


def test_readme_opens_with_two_commands_and_ci_runs_the_second():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    install_and_run, test_command = block
    assert "pip install -e ." in install_and_run
    assert "loadwatch report sample_data" in install_and_run
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci
