"""The rendered report: content, self-containment, escaping, units, atomic writes."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from loadwatch import frames, schema
from loadwatch.report import context as ctx
from loadwatch.report import render as render_mod
from loadwatch.report import render_report, write_report
from loadwatch.result import Analysis
from loadwatch.rules.evaluators import evaluate_all
from loadwatch.settings import Settings
from tests.report.htmlcheck import data_payload, is_local, parse
from tests.report.synth import XSS, synthetic_analysis


@pytest.fixture(scope="module")
def season() -> Analysis:
    return synthetic_analysis()


@pytest.fixture(scope="module")
def html(season: Analysis) -> str:
    return render_report(season)


@pytest.fixture(scope="module")
def html_all(season: Analysis) -> str:
    """The whole season shown (60 weeks > the 52 generated)."""
    return render_report(season, weeks=60, narrow_figures=False)


def _table_rows(html: str) -> list[str]:
    body = html.split('<table class="findings">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr class="f [^"]*"[^>]*>(.*?)</tr>', body, flags=re.S)


def test_every_finding_of_the_season_is_in_the_table(season: Analysis, html_all: str) -> None:
    rows = _table_rows(html_all)
    assert len(rows) == len(season.findings) == 27
    shown = {(re.search(r"<code class=\"rid\">(.*?)</code>", r).group(1).replace("<wbr>", ""),
              re.search(r'data-label="Week" class="nowrap">([0-9W-]+)', r).group(1))
             for r in rows}
    expected = set(zip(season.findings["rule"], season.findings["week"], strict=True))
    assert shown == expected


def test_period_holds_only_its_weeks(season: Analysis, html: str) -> None:
    last16 = set(season.weekly["week"].tail(16))
    in_period = season.findings[season.findings["week"].isin(last16)]
    rows = _table_rows(html)
    assert len(rows) == len(in_period) == 11
    assert "2025-W10" not in html  # the early long-run spike lies outside the 16 weeks
    assert "Mon 10 Nov 2025 – Sun 01 Mar 2026" in html


def test_this_week_first_by_severity_then_envelope(html: str) -> None:
    week = html.split('<section id="this-week">', 1)[1].split("</section>", 1)[0]
    assert "2026-W09" in week
    order = re.findall(r'<article class="card sev-(\w+)">', week)
    assert order == ["caution", "info", "info"]
    titles = re.findall(r"<h3>(.*?) <code", week)
    assert titles[0] == "Training monotony"
    env = re.search(r'<p class="env-sentence">(.*?)</p>', week).group(1)
    assert env == "Up to 56.7 km, longest run 25.7 km, descent 1,129 m"
    # linked conditions in plain words, evidence and advice on every card
    assert week.count("<strong>Linked to:</strong>") == 3
    assert week.count("<strong>Evidence:</strong>") == 3
    assert "Femoral neck or pelvic bone stress" in week


def test_red_flags_and_disclaimer_always_shown() -> None:
    quiet = synthetic_analysis(weeks=12)
    quiet.findings = schema.empty(schema.FINDINGS)
    page = render_report(quiet, narrow_figures=False)
    text = parse(page).visible_text()
    assert "No rule fired this week" in text
    assert ("loadwatch is not a diagnosis or medical advice. It cannot tell whether you are "
            "injured.") in text
    assert ("Stop running and get prompt medical assessment: these can be signs of a hip "
            "stress fracture.") in text
    for flag in ctx.RED_FLAGS:
        assert flag in text
    assert "danger zone" not in text.lower()
    assert "load change indicator" in text.lower()


def test_plots_embedded_and_captioned(html: str) -> None:
    figs = re.findall(r'<figure id="(plot-[a-z]+)">', html)
    assert figs == ["plot-overview", "plot-distance", "plot-load", "plot-intensity",
                    "plot-terrain", "plot-shoes", "plot-long"]
    assert html.count("<figcaption>") == 7
    assert html.count('<img src="data:image/svg+xml;base64,') == 7
    assert html.count('<source media="(max-width: 600px)" srcset="data:image/svg+xml') == 7


def test_nothing_loads_from_outside_the_file(html: str) -> None:
    p = parse(html)
    assert p.urls, "the parser found no URL at all"
    outside = [u[:80] for u in p.urls + p.css_urls() if not is_local(u)]
    assert outside == []
    assert not {"script", "link", "iframe", "object", "embed", "base", "form"} & set(p.tags)
    assert p.handlers == []
    # the embedded SVGs carry namespace declarations only: no DTD, no linked resource
    for u in p.urls:
        if u.startswith("data:image/svg+xml"):
            svg = data_payload(u).decode()
            urls = set(re.findall(r"https?://[^\"'\s<>)]+", svg))
            declared = set(re.findall(r'xmlns(?::\w+)?="([^"]+)"', svg))
            assert urls <= declared, urls - declared
            assert "<script" not in svg and "<!DOCTYPE" not in svg
            assert re.findall(r'xlink:href="([^"]*)"', svg) == [
                h for h in re.findall(r'xlink:href="([^"]*)"', svg) if h.startswith("#")]


def test_untrusted_text_is_escaped() -> None:
    evil_attr = '"><img src=x onerror=alert(2)>'
    a = synthetic_analysis(
        weeks=12, title=XSS, athlete=XSS + evil_attr, device=XSS,
        shoe_names=(XSS, "Trail " + evil_attr), problem_source=XSS + ".fit",
        problem_reason=XSS,
    )
    a.sources = [XSS]
    a.defaults_used = [XSS]
    a.not_evaluated = [XSS]
    page = render_report(a, narrow_figures=False)
    p = parse(page)
    assert "script" not in p.tags and "img" not in p.tags[: p.tags.index("main")]
    assert p.handlers == []
    assert "<script>" not in page and "onerror=alert(2)>" not in page
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    text = p.visible_text()
    # the payload shows as text: athlete, device, title (long-run finding), shoe, file, reason
    assert text.count("<script>alert(1)</script>") >= 6
    assert page.count(escaped) >= 7
    assert f"{escaped}.fit" in page
    assert "Activity: &lt;script&gt;" in page
    assert all(is_local(u) for u in p.urls)


def test_miles_everywhere(season: Analysis) -> None:
    no_hr = season.activities.assign(trimp=float("nan"))
    assumed = [*season.defaults_used, frames.distance_load_factor(no_hr)[1]]
    page = render_report(dataclasses.replace(season, defaults_used=assumed), units="mi",
                         narrow_figures=False)
    text = parse(page).visible_text()
    env = re.search(r'<p class="env-sentence">(.*?)</p>', page).group(1)
    assert env == "Up to 35.2 mi, longest run 16.0 mi, descent 3,704 ft"
    # no km anywhere (no proper name here has one): findings, conditions, self-care,
    # evidence, the assumed defaults
    assert re.findall(r"(?<!\w)km\b", text) == []  # the unit, not a key like retire_km
    assert re.findall(r"\d\s?m\b", text) == []
    assert "51.5 km" not in text and "32.0 mi" in text  # this week's distance
    assert "Pegasus 40 has 318 mi, past 280 mi." in text
    assert "replace shoes at 280-497 mi" in text
    assert "without HR from distance: 9.7 AU/mi (a fixed factor)" in text


def test_empty_analysis_renders() -> None:
    a = Analysis(
        athlete="", activities=schema.empty(schema.ACTIVITY), daily=schema.empty(schema.DAILY),
        weekly=schema.empty(schema.WEEKLY), shoes=schema.empty(schema.SHOES),
        findings=schema.empty(schema.FINDINGS), envelope=None,
    )
    page = render_report(a)
    text = parse(page).visible_text()
    assert "No weeks with data." in text
    assert "No runs in these weeks." in text
    assert "Stop running and get prompt medical assessment" in text
    assert "data:image" not in page


def test_sparse_period_replaces_empty_plots_with_a_line(season: Analysis) -> None:
    a = synthetic_analysis(weeks=30)
    # the last 3 weeks without any activity: weekly rows stay, zero distance
    cut = a.weekly["week_start"].iloc[-3]
    keep = a.activities["start_time"].dt.tz_localize(None) < cut
    a.activities = a.activities[keep.to_numpy()]
    zero = a.weekly["week_start"] >= cut
    for col in ("distance_km", "longest_run_km", "hi_intensity_min", "trimp", "load",
                "descent_m", "ascent_m", "trail_km"):
        a.weekly.loc[zero, col] = 0.0
    a.weekly.loc[zero, "runs"] = 0
    a.shoes = a.shoes[a.shoes["week_start"] < cut]
    a.judged = evaluate_all(a.activities, a.daily, a.weekly, a.shoes, Settings()).judged
    # a 3-week rest that is still "recent" (stale_after_days): the report shows it as it
    # is, empty, instead of falling back to the latest weeks with runs
    a.settings = Settings(stale_after_days=60)
    page = render_report(a, weeks=3, narrow_figures=False)
    # five plots become one line each; the load change indicator still has its history
    assert page.count('<p class="noplot">') == 5
    load = page.split('<figure id="plot-load">', 1)[1].split("</figure>", 1)[0]
    assert "data:image/svg+xml" in load
    assert "No runs in these weeks." in page


def test_failed_render_keeps_the_previous_report(season: Analysis, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.html"
    first = write_report(season, out, weeks=4, narrow_figures=False)
    assert first == out
    before = out.read_bytes()
    assert before.startswith(b"<!doctype html>")
    calls = []

    def broken(fig, fmt="svg"):
        calls.append(fmt)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return "data:image/svg+xml;base64,"

    monkeypatch.setattr(render_mod, "figure_uri", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_report(season, out, weeks=4)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_png_figures_are_an_option(season: Analysis) -> None:
    page = render_report(season, weeks=4, image_format="png", narrow_figures=False)
    uris = re.findall(r'src="(data:image/png;base64,[^"]+)"', page)
    assert len(uris) == 7
    png = data_payload(uris[0])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == round(7.0 * render_mod.PNG_DPI)
    with pytest.raises(ValueError):
        render_report(season, weeks=4, image_format="gif")  # type: ignore[arg-type]


def test_weeks_and_units_are_checked(season: Analysis) -> None:
    with pytest.raises(ValueError, match="units"):
        render_report(season, units="furlong")
    with pytest.raises(ValueError, match="weeks"):
        render_report(season, weeks=0)


def test_generated_and_header(html: str, season: Analysis) -> None:
    head = html.split("</header>", 1)[0]
    assert "Ada Runner" in head
    assert "02 Mar 2026 07:00 UTC" in head
    assert "247 read, 1 rejected, 1 skipped" in head
    assert "garmin fenix 7 (245)" in head
    assert pd.Timestamp(season.generated).year == 2026


def test_same_analysis_gives_byte_identical_report() -> None:
    """Figures carry fixed SVG ids: a cron job's unchanged week rewrites the same bytes."""
    import dataclasses
    import datetime as dt

    from loadwatch.report.render import render_report
    from tests.report.synth import synthetic_analysis

    a = dataclasses.replace(synthetic_analysis(weeks=12),
                            generated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert render_report(a, narrow_figures=False) == render_report(a, narrow_figures=False)
