"""loadwatch batch: a squad's reports, index and summary.json; the cache; parallel reading."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from loadwatch.batch import assign_slugs, run_batch, slugify
from loadwatch.cache import DB_NAME, Cache
from loadwatch.cli import cli
from loadwatch.read import read_activities
from loadwatch.roster import read_roster

MONDAY = dt.datetime(2026, 1, 5, 7, 0, tzinfo=dt.UTC)  # ISO week 2026-W02
XSS = "<script>alert(1)</script>"
TODAY = "2026-02-08"  # Sunday of 2026-W06, the squad's last week of runs


def gpx(start: dt.datetime, km: float, pace_s: float = 330.0, step_s: int = 60) -> str:
    """A straight run north at ``pace_s`` per km, one point per ``step_s``."""
    n = int(km * pace_s / step_s) + 1
    pts = "".join(
        f'<trkpt lat="{47.0 + i * step_s / pace_s * 1000 / 111_195.0:.6f}" lon="8.0">'
        f"<ele>400</ele><time>{start + dt.timedelta(seconds=i * step_s):%Y-%m-%dT%H:%M:%SZ}"
        "</time></trkpt>"
        for i in range(n)
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type><trkseg>'
            f"{pts}</trkseg></trk></gpx>")


def season(folder: Path, *, weeks: int = 4, km: float = 8.0, last_km: float = 8.0) -> None:
    """Runs on Monday, Wednesday and Sunday of ``weeks`` + 1 weeks; ``last_km`` in the last."""
    folder.mkdir(parents=True, exist_ok=True)
    for w in range(weeks + 1):
        for day in (0, 2, 6):
            start = MONDAY + dt.timedelta(weeks=w, days=day)
            (folder / f"{start:%Y-%m-%d}.gpx").write_text(gpx(start, last_km if w == weeks else km))


@pytest.fixture(scope="module")
def squad(tmp_path_factory) -> Path:
    """Ada ramps up 50 % in 2026-W06 (caution), Bo is steady with one broken file, Cy's
    folder is missing, Di's only file is broken."""
    root = tmp_path_factory.mktemp("squad")
    season(root / "ada", last_km=12.0)
    season(root / "bo")
    (root / "bo" / "broken.fit").write_bytes(b"\x0e\x10garbage, not a FIT file at all")
    (root / "di").mkdir()
    (root / "di" / "only.gpx").write_text("<gpx><trk>")
    return root


def write_roster(folder: Path, athletes: list[tuple[str, list[str]]]) -> Path:
    lines = []
    for name, paths in athletes:
        lines += ["[[athlete]]", f"name = {json.dumps(name)}", f"paths = {json.dumps(paths)}", ""]
    roster = folder / "roster.toml"
    roster.write_text("\n".join(lines))
    return roster



def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def test_squad_three_rows_two_reports_names_escaped_and_safe(squad, tmp_path):
    roster = write_roster(squad, [
        (f"Ada {XSS}", ["ada"]), ("../../etc", ["bo"]), ("Cy", ["cy"]),
    ])
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["batch", str(roster), "-o", str(out), "--jobs", "1",
                                   "--cache-dir", str(tmp_path / "cache"), "--today", TODAY])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".loadwatch-manifest.json", "ada-script-alert-1-script.html", "etc.html",
        "index.html", "summary.json",
    ]
    assert not (tmp_path / "etc.html").exists() and not Path("/etc.html").exists()
    doc = summary(out)
    rows = {a["name"]: a for a in doc["athletes"]}
    assert [a["name"] for a in doc["athletes"]] == [f"Ada {XSS}", "../../etc", "Cy"]
    ada, bo, cy = rows[f"Ada {XSS}"], rows["../../etc"], rows["Cy"]
    assert (ada["status"], ada["severity"], ada["week"]) == ("ok", "caution", "2026-W06")
    assert ada["distance_km"] == pytest.approx(36.0, abs=0.01)
    assert ada["previous_distance_km"] == pytest.approx(24.0, abs=0.01)
    assert ada["change_pct"] == pytest.approx(50.0, abs=0.1)
    # a +50 % week: the 10 % rule at caution, the load change indicator above usual
    assert sorted((f["rule"], f["severity"]) for f in ada["findings"]) == [
        ("hard_sessions_close", "info"), ("load_ratio", "info"),
        ("weekly_distance_jump", "caution"),
    ]
    assert (bo["status"], bo["severity"], bo["report"]) == ("ok", None, "etc.html")
    assert [p["source"].endswith("broken.fit") for p in bo["problems"]] == [True]
    assert (cy["status"], cy["report"]) == ("failed", None)
    assert cy["error"].startswith("no such file or folder: ") and cy["error"].endswith("cy")

    index = (out / "index.html").read_text()
    assert XSS not in index and "Ada &lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert '<a href="ada-script-alert-1-script.html">' in index
    assert '<a href="etc.html">../../etc</a>' in index
    assert re.findall(r'<tr class="s-(\w+)">', index) == ["caution", "none", "failed"]
    assert ">Caution</span>" in index and ">No findings</span>" in index
    assert ">No data</span>" in index and "+50 %" in index and "36.0 km" in index
    assert ("Weekly distance jump (the 10 % rule): Weekly distance rose 50 % (24.0 km to 36.0 km)"
            in index)
    assert "and 2 more this week" in index
    assert "http" not in index.replace("http-equiv", "")  # self-contained
    assert XSS not in (out / "ada-script-alert-1-script.html").read_text()
    # not a terminal: no progress bar, a summary line at the end, the index path on stdout
    assert "\r" not in res.output
    assert "3 athletes: 1 caution, 1 no findings, 1 no data; Read 31 files" in res.output
    assert res.output.rstrip().endswith(str(out / "index.html"))
    assert "Cy: no report: no such file or folder" in res.output


def test_fail_on_and_quiet_for_cron(squad, tmp_path, fake_reports):
    roster = write_roster(squad, [("Ada", ["ada"]), ("Bo", ["bo"])])
    run = CliRunner().invoke
    base = ["batch", str(roster), "-o", str(tmp_path / "o"), "-j", "1", "--no-cache",
            "--today", TODAY]
    res = run(cli, [*base, "--fail-on", "caution", "--quiet"])
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0] == (
        "Ada: caution weekly_distance_jump (2026-W06): Weekly distance rose 50 % (24.0 km to "
        "36.0 km); rule of thumb 10 %, caution above 30 %")
    res = run(cli, [*base, "--fail-on", "warning", "--quiet"])
    assert (res.exit_code, res.output) == (0, "")
    res = run(cli, [*base, "--fail-on", "info", "-v"])
    assert res.exit_code == 1
    assert re.search(r"Bo: .*broken\.fit: ", res.output)  # --verbose lists problem files


def test_athlete_whose_files_are_all_broken_gets_a_row(squad, tmp_path, fake_reports):
    roster = write_roster(squad, [("Di", ["di"]), ("Bo", ["bo"])])
    result = run_batch(read_roster(roster), tmp_path / "o")
    di = next(a for a in result.athletes if a.name == "Di")
    assert di.status == "failed" and di.report is None
    assert di.error.startswith("no activities found in ") and "(1 problem files)" in di.error
    assert [a.name for a in result.athletes] == ["Bo", "Di"]
    assert (tmp_path / "o" / "bo.html").read_text() == "report of Bo (15)"


def test_cache_reused_invalidated_on_change_and_removed_files_disappear(
    squad, tmp_path, fake_reports
):
    shutil.copytree(squad / "ada", tmp_path / "ada")
    roster = read_roster(write_roster(tmp_path, [("Ada", ["ada"])]))
    with Cache(tmp_path / "cache") as cache:
        run_batch(roster, tmp_path / "o", cache=cache)
        assert (cache.hits, cache.misses) == (0, 15)  # each file read, hashed, parsed once
        run_batch(roster, tmp_path / "o", cache=cache)
        assert (cache.hits, cache.misses) == (15, 15)  # nothing parsed
        files = sorted((tmp_path / "ada").glob("*.gpx"))
        files[0].write_text(gpx(MONDAY, 10.0))  # first run now 10 km instead of 8
        files[-1].unlink()  # last Sunday's 12 km gone
        result = run_batch(roster, tmp_path / "o", cache=cache)
        assert cache.misses == 16  # only the changed file was parsed
    ada = result.athletes[0]
    assert ada.runs == 2 and ada.distance_km == pytest.approx(24.0, abs=0.01)
    assert (tmp_path / "o" / "ada.html").read_text() == "report of Ada (14)"


def test_corrupt_cache_is_rebuilt_with_a_notice(squad, tmp_path, fake_reports):
    roster = write_roster(squad, [("Bo", ["bo"])])
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / DB_NAME).write_bytes(b"not a database" * 500)
    res = CliRunner().invoke(cli, ["batch", str(roster), "-o", str(tmp_path / "o"), "-j", "1",
                                   "--cache-dir", str(tmp_path / "cache")])
    assert res.exit_code == 0, res.output
    notices = [ln for ln in res.output.splitlines() if "rebuilding" in ln]
    assert len(notices) == 1 and notices[0].startswith("loadwatch: cache at ")
    with Cache(tmp_path / "cache") as cache:
        assert len(cache) == 16 and cache.notices == []


def test_two_jobs_give_the_same_result_as_one(squad, tmp_path, fake_reports):
    one = read_activities([squad / "ada", squad / "bo"], jobs=1)
    two = read_activities([squad / "ada", squad / "bo"], jobs=2)
    pd.testing.assert_frame_equal(one.activities, two.activities)
    assert one.problems == two.problems and one.files_read == two.files_read == 31
    roster = read_roster(write_roster(squad, [("Ada", ["ada"]), ("Bo", ["bo"]), ("Cy", ["cy"])]))
    docs = []
    for jobs in (1, 2):
        run_batch(roster, tmp_path / str(jobs), jobs=jobs)
        doc = summary(tmp_path / str(jobs))
        docs.append(doc["athletes"])
    assert docs[0] == docs[1]


def test_new_this_week_against_the_previous_summary(squad, tmp_path, fake_reports):
    roster = read_roster(write_roster(squad, [("Ada", ["ada"])]))
    out = tmp_path / "o"
    first = run_batch(roster, out, today=dt.date.fromisoformat(TODAY))
    assert first.previous_run is None and first.athletes[0].new_findings == 0
    assert "first run in this folder" in (out / "index.html").read_text()
    doc = summary(out)
    dropped = doc["athletes"][0]["findings"].pop(1)
    (out / "summary.json").write_text(json.dumps(doc))
    second = run_batch(roster, out, today=dt.date.fromisoformat(TODAY))
    assert second.previous_run == doc["generated"]
    assert [f["rule"] for f in second.athletes[0].findings if f["new"]] == [dropped["rule"]]
    assert '<span class="new" title="not in the previous run">1 new</span>' in (
        out / "index.html").read_text()
    (out / "summary.json").write_text("{broken")
    third = run_batch(roster, out, today=dt.date.fromisoformat(TODAY))
    assert third.notices == [f"{out / 'summary.json'}: previous summary unreadable "
                             "(JSONDecodeError); no finding marked new"]


def test_output_folder_that_cannot_be_created_is_a_usage_error(squad, tmp_path):
    roster = write_roster(squad, [("Bo", ["bo"])])
    (tmp_path / "file").write_text("x")
    res = CliRunner().invoke(cli, ["batch", str(roster), "-o", str(tmp_path / "file" / "o"),
                                   "--no-cache"])
    assert res.exit_code == 2
    assert res.output.startswith("Error: cannot create ")


def test_slugs_are_safe_and_distinct():
    assert slugify("Zoë O'Neil") == "zoe-o-neil"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("山田") == "athlete"
    assert slugify("x" * 80) == "x" * 40
    slugs = assign_slugs(["Sam", "sam", "SAM!", "index", "", "Sam 2"])
    assert len(set(slugs)) == 6
    assert all(re.fullmatch(r"sam-[0-9a-f]{6}", s) for s in slugs[:3])  # colliding: hashed
    assert re.fullmatch(r"index-[0-9a-f]{6}", slugs[3])  # reserved: hashed
    assert slugs[4:] == ["athlete", "sam-2"]  # unique slugs stay plain
