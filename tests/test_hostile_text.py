"""Issue 15 section 5: untrusted text that reaches other programs (a spreadsheet, a
terminal, matplotlib's mathtext) and a threshold that overflowed a date."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from click.testing import CliRunner

from loadwatch.cli import cli

HEADER = "date,distance_km,duration,sport,title,shoe\n"
HOSTILE_TITLES = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "+1+1", "-2+3",
                  "@SUM(A1)", "\tTab", "\rCR"]


def _log(folder: Path, titles: list[str], shoe: str = "Pegasus") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf)  # \r\n line ends: cells holding \r are quoted
    w.writerow(HEADER.strip().split(","))
    for n, title in enumerate(titles):
        w.writerow([f"2026-01-{3 + 2 * n:02d} 07:00", 6 + n % 3, "35:00", "run", title, shoe])
    path = folder / "log.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def test_csv_output_neutralises_formulas(tmp_path):
    path = _log(tmp_path / "runs", HOSTILE_TITLES, shoe="=HYPERLINK(\"x\")")
    res = CliRunner().invoke(cli, ["activities", str(path), "--format", "csv", "--no-cache"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == len(HOSTILE_TITLES)
    for row in rows:
        for cell in (row["title"], row["shoe"], row["source"]):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    expected = ["'" + t.strip() if t.strip()[0] in "=+-@" else t.strip() for t in HOSTILE_TITLES]
    assert sorted(r["title"] for r in rows) == sorted(expected)
    assert all(float(r["distance_km"]) > 0 for r in rows)  # numbers left alone


def test_problem_lines_of_activities_are_sanitised(tmp_path):
    folder = tmp_path / "runs"
    _log(folder, ["ok"])
    (folder / "bad\r\x1b]0;pwned\x07name.fit").write_bytes(b"not a fit file at all")
    with zipfile.ZipFile(folder / "export.zip", "w") as z:
        z.writestr("evil\n\x1b[2Jmember.gpx", b"<gpx")
    res = CliRunner().invoke(cli, ["activities", str(folder), "--no-cache"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.stderr and "\x07" not in res.stderr and "\r" not in res.stderr
    lines = res.stderr.splitlines()
    assert any("bad" in line and "name.fit" in line for line in lines)
    assert any("evil" in line and "member.gpx" in line for line in lines)
    assert "ok" in res.stdout  # the good file still listed


def test_a_mathtext_shoe_name_and_a_huge_shoe_threshold_do_not_crash_report(tmp_path):
    folder = tmp_path / "runs"
    _log(folder, [f"run {n}" for n in range(12)], shoe="Pegasus $\\x$")
    (folder / "loadwatch.toml").write_text("[thresholds.shoe_mileage]\ncaution = 1e6\n")
    out = tmp_path / "report.html"
    res = CliRunner().invoke(cli, ["report", str(folder), "-o", str(out), "--no-cache"])
    assert res.exit_code == 0, res.output
    html = out.read_text()
    assert "Pegasus $\\x$" in html  # shown as typed in the shoe table
