"""``loadwatch report``: a thin layer over analyse() and write_report()."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import loadwatch.pipeline
from loadwatch.cli import cli
from loadwatch.problems import UsageError
from tests.report.synth import synthetic_analysis


@pytest.fixture
def fake_analyse(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    calls: list[dict] = []

    def fake(paths, *, config=None, settings=None, jobs=1, cache=None, progress=None,
             today=None):
        calls.append({"paths": list(paths), "config": config, "jobs": jobs, "today": today})
        if "missing" in paths[0]:
            raise UsageError(f"{paths[0]}: no such file or folder")
        return synthetic_analysis(weeks=20)

    monkeypatch.setattr(loadwatch.pipeline, "analyse", fake)
    return calls


def test_report_writes_and_prints_the_path(tmp_path: Path, fake_analyse) -> None:
    out = tmp_path / "ada.html"
    r = CliRunner().invoke(cli, ["report", "runs/", "-o", str(out), "--weeks", "8",
                                 "--units", "mi", "--config", "lw.toml"])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == str(out)
    cores = max(1, min(64, os.cpu_count() or 1))  # --jobs defaults to the number of cores
    assert fake_analyse == [{"paths": ["runs/"], "config": "lw.toml", "jobs": cores, "today": None}]
    html = out.read_text()
    assert "(8 weeks;" in html and "mi/week" in html and "km/week" not in html
    assert '<p class="env-sentence">Up to' in html and " mi, longest run" in html
    # problem files go to stderr, one line each
    assert "exports/broken.fit: truncated FIT file" in r.stderr


def test_default_output_is_report_html(tmp_path: Path, fake_analyse,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["report", "runs/"])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "report.html"
    assert (tmp_path / "report.html").read_text().startswith("<!doctype html>")


def test_a_new_folder_is_created_for_the_report(tmp_path: Path, fake_analyse) -> None:
    out = tmp_path / "new" / "deeper" / "r.html"
    r = CliRunner().invoke(cli, ["report", "runs/", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith("<!doctype html>")


def test_user_errors_are_one_line(tmp_path: Path, fake_analyse) -> None:
    r = CliRunner().invoke(cli, ["report", "missing/"])
    assert r.exit_code == 2
    assert r.stderr.strip() == "Error: missing/: no such file or folder"
    (tmp_path / "a-file").write_text("not a folder")
    r = CliRunner().invoke(cli, ["report", "runs/", "-o", str(tmp_path / "a-file" / "r.html")])
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines()[-1].startswith(f"Error: cannot write {tmp_path}")
    assert "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["report", "runs/", "--units", "furlong"])
    assert r.exit_code == 2


def test_open_launches_the_file(tmp_path: Path, fake_analyse,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    launched = []
    monkeypatch.setattr("click.launch", lambda url, **kw: launched.append(url))
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["report", "runs/", "-o", str(out), "--open"])
    assert r.exit_code == 0, r.output
    assert launched == [str(out.resolve())]
