"""The ``loadwatch`` command: a thin click layer over the library.

Each command parses its options, calls one library function and prints the result.
User mistakes (bad config, nothing readable) become a one-line message and exit code 2;
problem files are listed on stderr and never stop the run.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from loadwatch import __version__
from loadwatch.cli_options import cache_options, fail_on_option, settings_options

if TYPE_CHECKING:
    import datetime as dt

    import pandas as pd

    from loadwatch.cache import Cache
    from loadwatch.result import Analysis


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="loadwatch")
def cli() -> None:
    """Training-load injury-risk monitor for runners.

    Reads FIT, GPX, TCX and CSV exports (also .gz and .zip, and Strava or Garmin
    bulk exports), builds weekly load, and flags the training errors linked to hip and
    leg overuse injuries. It is not a diagnosis.

    \b
    Examples:
      loadwatch activities sample_data/
      loadwatch check ~/exports/strava.zip --fail-on caution
      loadwatch report ~/exports -o report.html
    """


# --- options and helpers shared by the commands -----------------------------------------


class _UserError(click.ClickException):
    """A usage or config mistake: one line on stderr, exit code 2."""

    exit_code = 2


def _default_jobs() -> int:
    import os

    return max(1, min(64, os.cpu_count() or 1))


_units_option = click.option(
    "--units", type=click.Choice(["km", "mi"]), default="km", show_default=True,
    help="Distances in km (elevation in m) or miles (elevation in ft).",
)
_jobs_option = click.option(
    "-j", "--jobs", default=_default_jobs, show_default="number of cores",
    type=click.IntRange(1, 64), help="Parse files in this many processes.",
)


def _analyse(
    paths: tuple[str, ...], config: str | None, jobs: int, cache: Cache | None,
    today: dt.date | None,
) -> Analysis:
    """analyse() with a progress bar on a terminal; usage errors become one-line exits."""
    from loadwatch.pipeline import analyse
    from loadwatch.problems import UsageError
    from loadwatch.progress import Progress

    progress = Progress()
    try:
        return analyse(list(paths), config=config, jobs=jobs, cache=cache, today=today,
                       progress=progress)
    except UsageError as exc:
        raise _UserError(str(exc)) from None
    finally:
        progress.close()


# --- activities (importers) -------------------------------------------------------------

#: Columns of the human-readable table: (header, width, right-aligned).
_ACTIVITY_TABLE = (
    ("date", 16, False),
    ("sport", 17, False),
    ("km", 7, True),
    ("time", 8, True),
    ("ascent", 6, True),
    ("hr", 3, True),
    ("title", 32, False),
)


def _clock_text(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return ""
    total = round(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _plain(value: object, width: int) -> str:
    """Untrusted text made safe for a terminal line and cut to ``width``."""
    from loadwatch.problems import terminal_text

    if value is None or (isinstance(value, float) and value != value):
        return ""
    return terminal_text(value, width)


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
#: injection"): such text cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Titles, shoe and file names are untrusted (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``):
    a text cell starting with one of :data:`FORMULA_STARTS` is prefixed with ``'``, which
    spreadsheets show as text. Numbers (a negative offset) are left alone.
    """
    import pandas as pd

    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if not (pd.api.types.is_string_dtype(col) or col.dtype == object):
            continue
        text = col.map(lambda v: v if not isinstance(v, str) or not v.startswith(FORMULA_STARTS)
                       else "'" + v)
        out[name] = text.astype(col.dtype) if pd.api.types.is_string_dtype(col) else text
    return out


def _activity_table(frame: pd.DataFrame) -> str:
    """The human-readable activity list; dates are ``start_local`` (loadwatch.calendar)."""
    local = frame["start_local"].dt.strftime("%Y-%m-%d %H:%M")
    duration = frame["moving_s"].astype("float64").fillna(frame["elapsed_s"].astype("float64"))
    cells = {
        "date": local.fillna("").tolist(),
        "sport": frame["sport"].fillna("").tolist(),
        "km": [f"{v:.2f}" if v == v else "" for v in frame["distance_km"].astype("float64")],
        "time": [_clock_text(v) for v in duration],
        "ascent": [f"{v:.0f}" if v == v else "" for v in frame["ascent_m"].astype("float64")],
        "hr": [f"{v:.0f}" if v == v else "" for v in frame["avg_hr"].astype("float64")],
        "title": frame["title"].astype(object).where(frame["title"].notna(), None).tolist(),
    }
    lines = []
    header = [name.rjust(w) if right else name.ljust(w) for name, w, right in _ACTIVITY_TABLE]
    lines.append("  ".join(header).rstrip())
    for i in range(len(frame)):
        row = []
        for name, width, right in _ACTIVITY_TABLE:
            text = _plain(cells[name][i], width)
            row.append(text.rjust(width) if right else text.ljust(width))
        lines.append("  ".join(row).rstrip())
    return "\n".join(lines)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
    show_default=True, help="table for reading; csv or json for the canonical columns.",
)
@click.option(
    "--sport", "sports", multiple=True, metavar="SPORT",
    help="Only this sport (repeatable). 'running' includes trail and treadmill runs. "
    "One of: running, trail_running, treadmill_running, cycling, walking, hiking, "
    "swimming, other.",
)
@click.option(
    "--timezone", default=None, metavar="ZONE",
    help="Your IANA time zone (e.g. Europe/Paris), overriding athlete.timezone of the "
    "config: applied to Garmin CSV and training-log times, which carry no zone, and used "
    "for the dates shown (default: the config's zone, else each file's own offset, else UTC).",
)
@settings_options
@_jobs_option
@cache_options
@click.option("-v", "--verbose", is_flag=True,
              help="Also say how many FIT and GPX files the fast path read and how many "
              "went to fitparse or gpxpy, and why.")
def activities(
    paths: tuple[str, ...], output: str, sports: tuple[str, ...], timezone: str | None,
    config: str | None, today: dt.date | None, jobs: int, cache: Cache | None,
    verbose: bool,
) -> None:
    """List the activities found in PATHS (files, folders, .gz, .zip).

    Prints one line per activity (copies of one activity, e.g. a FIT file and its GPX,
    are merged) at its local start time, then a summary line (with the clock the times
    are in), one line per archive (members that were activities, skipped as not
    activities, refused) and each file that could not be read on stderr. Reads
    loadwatch.toml like the other commands; --today leaves out activities after that
    day. Exits with 2 when nothing could be read.

    \b
    Examples:
      loadwatch activities sample_data/
      loadwatch activities ~/Downloads/export_12345.zip --sport running
      loadwatch activities Activities.csv --timezone Europe/Madrid --format csv > runs.csv
      loadwatch activities log.csv --format json
    """
    import json
    from pathlib import Path

    import pandas as pd

    from loadwatch import calendar, schema
    from loadwatch.problems import UsageError
    from loadwatch.progress import Progress
    from loadwatch.read import read_activities
    from loadwatch.settings import read_settings

    unknown = [s for s in sports if s not in schema.SPORTS]
    if unknown:
        raise click.BadParameter(
            f"unknown sport {unknown[0]!r}; one of {', '.join(schema.SPORTS)}",
            param_hint="--sport",
        )
    progress = Progress()
    try:
        settings = read_settings(config, search=[Path(p) for p in paths[:1]])
        zone = timezone or settings.timezone
        result = read_activities(paths, timezone=zone, jobs=jobs, cache=cache,
                                 progress=progress)
    except UsageError as exc:
        raise _UserError(str(exc)) from None
    finally:
        progress.close()
    frame = result.activities
    if today is not None:
        frame = frame[(frame["start_local"].dt.normalize() <= pd.Timestamp(today)).to_numpy()]
    if sports:
        wanted = set(sports)
        if "running" in wanted:
            wanted.update(schema.RUNNING_SPORTS)
        frame = frame[frame["sport"].isin(sorted(wanted)).to_numpy()]
    if output == "json":
        text = json.dumps(schema.to_records(frame, schema.ACTIVITY), indent=2, ensure_ascii=False)
    elif output == "csv":
        text = spreadsheet_safe(schema.public(frame, schema.ACTIVITY)).to_csv(index=False)
        text = text.rstrip("\n")
    else:
        text = _activity_table(frame)
    if len(result.activities):
        click.echo(text)
    clock = f"; times in {calendar.describe(frame, zone)}" if len(frame) else ""
    click.echo(result.summary_line() + clock, err=True)
    for line in result.notes(verbose=verbose):
        click.echo(line, err=True)
    for problem in result.problems:
        click.echo(problem.line(), err=True)
    if len(result.activities) == 0:
        click.echo("Error: no activity could be read from the paths given.", err=True)
        sys.exit(2)


# --- weekly / check (load and rules) ----------------------------------------------------


def _text(value: object, width: int = 80) -> str:
    """Untrusted text made safe for one terminal line."""
    from loadwatch.problems import terminal_text

    return terminal_text(value, width)



#: Weekly table columns: (header, column, format, width)
_WEEK_TABLE = (
    ("week", "week", "{}", 8),
    ("start", "week_start", "{:%Y-%m-%d}", 10),
    ("km", "distance_km", "{:.1f}", 6),
    ("runs", "runs", "{:d}", 4),
    ("longest", "longest_run_km", "{:.1f}", 7),
    ("hard min", "hi_intensity_min", "{:.0f}", 8),
    ("load", "load", "{:.0f}", 5),
    ("source", "load_source", "{}", 8),
    ("descent", "descent_m", "{:.0f}", 7),
    ("trail km", "trail_km", "{:.1f}", 8),
    ("other min", "other_min", "{:.0f}", 9),
    ("covered", "covered", "{}", 7),
)


def _cell(fmt: str, value: object) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    if fmt == "{:d}":
        value = int(value)  # type: ignore[call-overload]
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    return fmt.format(value)


def _week_table(weekly, units: str = "km") -> str:  # weekly: pd.DataFrame
    from loadwatch.format import units_for

    u = units_for(units)
    weekly = weekly.assign(**{c: u.d(weekly[c]) for c in ("distance_km", "longest_run_km",
                                                          "trail_km")},
                           descent_m=u.e(weekly["descent_m"]))

    def head(h: str) -> str:
        return h.replace("km", u.dist) if h in ("km", "trail km") else h

    lines = ["  ".join(head(h).rjust(w) for h, _, _, w in _WEEK_TABLE)]
    for row in weekly.itertuples(index=False):
        lines.append("  ".join(
            _cell(fmt, getattr(row, col)).rjust(w) for _, col, fmt, w in _WEEK_TABLE
        ))
    return "\n".join(lines)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True, help="Output format.")
@settings_options
@_units_option
@_jobs_option
@cache_options
def weekly(
    paths: tuple[str, ...], output: str, config: str | None, today: dt.date | None,
    units: str, jobs: int, cache: Cache | None,
) -> None:
    """Print the weekly load of PATHS: one row per ISO week (Monday first, local time).

    Distance, runs, longest run, minutes above threshold, load (TRIMP, or a
    distance-based equivalent for runs without heart rate), descent, trail km and
    minutes of other sports. Weeks outside the data's coverage say covered = no.

    \b
    Examples:
      loadwatch weekly ~/exports/
      loadwatch weekly runs/ --format csv > weeks.csv
      loadwatch weekly export.zip --config loadwatch.toml --format json
    """
    import json

    from loadwatch import schema

    a = _analyse(paths, config, jobs, cache, today)
    if output == "json":
        click.echo(json.dumps(schema.to_records(a.weekly, schema.WEEKLY), indent=2))
    elif output == "csv":
        click.echo(schema.public(a.weekly, schema.WEEKLY).to_csv(index=False).rstrip("\n"))
    else:
        click.echo(_week_table(a.weekly, units))
    for p in a.problems:
        click.echo(p.line(), err=True)


#: ``batch`` exit code when the run could not complete (1 is reserved for findings).
BATCH_INCOMPLETE = 3


#: The keys of a finding in ``check --format json`` (the FINDINGS columns, README).
CHECK_FINDING_KEYS = ("rule", "severity", "week", "week_start", "date", "activity_id",
                      "value", "threshold", "unit", "threshold_name", "baseline", "facts",
                      "message", "conditions", "evidence", "advice")


def check_payload(a: Analysis, weeks: int, units: str = "km") -> dict[str, Any]:
    """The JSON document of ``loadwatch check``: the shown weeks, their findings (structured
    fields plus the message in ``units``), envelope, the clock of the weeks
    (``local_time``), the ``today`` they were judged on and where the data stands against
    it (``last_run``, ``days_since_last_run``, ``stale``, ``this_week``, ``focus``)."""
    import dataclasses

    import pandas as pd

    from loadwatch import format as fmt
    from loadwatch import schema
    from loadwatch.pipeline import problem_records
    from loadwatch.result import present, shown_weeks

    u = fmt.units_for(units)
    now = present(a)
    shown = shown_weeks(a, weeks)
    findings = a.findings[a.findings["week"].isin(shown["week"])]
    records = schema.to_records(findings, schema.FINDINGS)
    for r in records:
        r["message"] = fmt.message(r, u)
    env = None
    if a.envelope is not None:
        env = dataclasses.asdict(a.envelope)
        for key in ("week_start", "week_end", "first_day"):
            env[key] = env[key].isoformat() if env[key] is not None else None
        env["period"] = fmt.fill(*a.envelope.period(), units=u)
        note = a.envelope.note
        env["note"] = fmt.fill(note[0], note[1], u) if note else None
        env["basis"] = {k: fmt.fill(t, f, u) for k, (t, f) in a.envelope.reasons.items()} \
            or env["basis"]
        env.pop("reasons", None)
    lead = now.focus
    return {
        "athlete": a.athlete,
        "generated": a.generated.isoformat() if a.generated else None,
        "weeks": schema.to_records(shown.iloc[::-1], schema.WEEKLY),
        "findings": [{k: r[k] for k in CHECK_FINDING_KEYS} for r in reversed(records)],
        "envelope": env,
        "problems": problem_records(a.problems),
        "local_time": a.timezone,
        "today": now.today.isoformat(),
        "this_week": now.week,
        **now.to_json(),
        "stale": now.stale,
        "focus": None if lead is None else {
            "label": lead.label, "week": str(lead.row["week"]), "current": lead.current,
            "week_start": pd.Timestamp(lead.row["week_start"]).date().isoformat(),
            "other_sports": dict(now.other_sports), "other_hours": round(now.other_hours, 2)},
    }


def present_lines(a: Analysis, units: str = "km") -> list[str]:
    """What ``check`` says first: today, and the week to look at (this week, the week just
    ended, or the latest week with runs under its own label when the data is old)."""
    from loadwatch import format as fmt
    from loadwatch.result import LAST_WEEK, present

    u = fmt.units_for(units)
    now = present(a)
    out = [f"Today: {fmt.long_day(now.today)} (week {now.week})"]
    lead = now.focus
    if lead is None or not lead.current:
        out.append(fmt.no_runs_since(now.last_run, now.days_since_last_run)
                   + (" (no recent data)" if now.stale else ""))
    elif lead.label == LAST_WEEK:
        out.append(f"No runs yet this week ({now.week})")
    if lead is not None:
        row = lead.row
        line = (f"{lead.label}: {row['week']} ({fmt.week_span(row['week_start'])}): "
                f"{u.fd(row['distance_km'])}, {fmt.plural(row['runs'], 'run')}")
        also = fmt.other_sports(now.other_sports, now.other_hours)
        out.append(line + (f"; {also}" if also else ""))
    return out


def check_text(a: Analysis, weeks: int, units: str = "km") -> str:
    """The human-readable ``loadwatch check`` report: today and the week to look at, then
    the shown weeks newest first in ``units``, each week's findings most severe first and
    never cut short."""
    import textwrap

    from loadwatch import format as fmt
    from loadwatch.result import current_findings, shown_weeks
    from loadwatch.schema import severity_rank
    from loadwatch.wording import DISCLAIMER, red_flags_sentence

    u = fmt.units_for(units)
    shown = shown_weeks(a, weeks)
    runs = int(a.weekly["runs"].sum())
    who = f"{_text(a.athlete, 40)}: " if a.athlete else ""
    out = [f"{who}{runs} runs, {a.weekly['week'].iat[0]} to {a.weekly['week'].iat[-1]} "
           f"(local time: {a.timezone}); showing {len(shown)} weeks"]
    out += present_lines(a, units)
    if a.defaults_used:
        out.append("Assumed: " + "; ".join(fmt.note(d, u) for d in a.defaults_used))
    wrap = textwrap.TextWrapper(width=96, initial_indent="    ", subsequent_indent="    ",
                                break_on_hyphens=False, break_long_words=False)

    def listed(fs: pd.DataFrame) -> list[str]:
        """Findings most severe first (then by day), each message whole."""
        fs = fs.assign(_rank=fs["severity"].astype(str).map(severity_rank)).sort_values(
            ["_rank", "date"], ascending=[False, True], kind="stable", na_position="last")
        lines = []
        for f in fs.itertuples(index=False):
            lines.append(f"  {str(f.severity).upper():9} {fmt.rule_title(str(f.rule))}")
            message = fmt.message(f, u)
            lines.append(wrap.fill(_text(message, len(message) + 1)))
        return lines

    for row in shown.iloc[::-1].itertuples(index=False):
        line = (f"{row.week} (from {row.week_start:%d %b %Y}): {u.fd(row.distance_km)}, "
                f"{fmt.plural(row.runs, 'run')}")
        if row.runs:
            line += f", longest {u.fd(row.longest_run_km)}, load {row.load:.0f}"
        if not row.covered:
            line += " (not fully covered by the data)"
        out += ["", line]
        out += listed(a.findings[a.findings["week"] == row.week])
    current = current_findings(a)
    elsewhere = current[~current["week"].isin(shown["week"])]
    if len(elsewhere):
        out += ["", "Current, from weeks not shown:", *listed(elsewhere)]
    e = a.envelope
    if e is not None:
        def num(x: float | None, text: str) -> str:
            return "no limit from the rules" if x is None else text

        left = "" if e.remaining_km is None or not e.this_week else \
            f" ({u.fd(e.remaining_km)} left)"
        names = {"distance_km": "distance", "longest_run_km": "longest run",
                 "descent_m": "descent", "max_run_descent_m": "descent in one run"}
        if e.note:
            none = "no running allowance" if e.distance_km == 0 else "no figure"
            out += ["", f"{fmt.fill(*e.period(), units=u)}: {none}",
                    wrap.fill(fmt.fill(e.note[0], e.note[1], u))]
        else:
            out += ["", f"{fmt.fill(*e.period(), units=u)} holds without a caution: "
                    f"distance {num(e.distance_km, u.fd(e.distance_km))}{left}, longest run "
                    f"{num(e.longest_run_km, u.fd(e.longest_run_km))}, "
                    f"descent {num(e.descent_m, u.fe(e.descent_m))}"]
            out += [wrap.fill(f"{names.get(k, k)}: {fmt.fill(t, f, u)}")
                    for k, (t, f) in e.reasons.items()]
    if a.not_evaluated:
        out += ["", "Not evaluated:"] + [wrap.fill(n) for n in a.not_evaluated]
    if a.problems:
        out += ["", f"{len(a.problems)} file(s) with problems:"]
        out += [f"    {_text(p.source, 120)}: {_text(p.reason, 200)}" for p in a.problems]
    out += ["", textwrap.fill(red_flags_sentence(), 96, break_on_hyphens=False), DISCLAIMER]
    return "\n".join(out)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@settings_options
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@fail_on_option
@click.option("--weeks", default=12, show_default=True, type=click.IntRange(1, 10000),
              help="How many recent weeks to show.")
@_units_option
@_jobs_option
@cache_options
def check(
    paths: tuple[str, ...], config: str | None, today: dt.date | None, output: str,
    fail_on: str, weeks: int, units: str, jobs: int, cache: Cache | None,
) -> None:
    """Check the training in PATHS against the rule catalogue.

    Prints today and the week to look at (this calendar week; last week while this one
    has no runs yet; else "No runs since ..." and the latest week with runs under its
    own label), then each recent week (newest first) with what changed faster than your
    recent pattern, most severe first, the envelope (the most distance, longest run and
    descent that trip no caution), and the defaults assumed. No rule detects an injury;
    only the symptom log (symptoms.csv beside the files) can say "seek care".

    Exit codes: 0 fine, 1 a current finding (this week's, or last week's while this
    week has no runs yet, or a red flag of the last 14 days: what batch calls current;
    an older week's findings never count) at or above --fail-on, 2 usage error or
    nothing to read.

    \b
    Examples:
      loadwatch check ~/exports/
      loadwatch check export.zip --config loadwatch.toml --weeks 4
      loadwatch check runs/ --format json --fail-on caution
      loadwatch check runs/ --today 2026-03-02 --fail-on caution
    """
    import json

    from loadwatch.result import current_findings, fails

    a = _analyse(paths, config, jobs, cache, today)
    if output == "json":
        click.echo(json.dumps(check_payload(a, weeks, units), indent=2, ensure_ascii=False))
    else:
        click.echo(check_text(a, weeks, units))
    if fails(current_findings(a)["severity"].astype(str), fail_on):
        sys.exit(1)


# --- report -----------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", default="report.html", show_default=True,
              type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Where to write the HTML report (replaced atomically; '-' for stdout). "
              "Anything but a regular file (a device, a symlink) is refused.")
@settings_options
@click.option("--weeks", default=16, show_default=True, type=click.IntRange(1, 10000),
              help="How many recent weeks to show; the full history still sets baselines.")
@click.option("--units", type=click.Choice(["km", "mi"]), default="km", show_default=True,
              help="Distances in km (elevation in m) or miles (elevation in ft).")
@click.option("--open", "open_", is_flag=True, help="Open the report in a browser.")
@_jobs_option
@cache_options
@click.option("-v", "--verbose", is_flag=True,
              help="Also say how the files were read: fast path or fallback (and why), "
              "and what became of each archive's members.")
def report(
    paths: tuple[str, ...], output: str, config: str | None, today: dt.date | None,
    weeks: int, units: str, open_: bool, jobs: int, cache: Cache | None, verbose: bool,
) -> None:
    """Write a self-contained HTML report of the training in PATHS.

    One file with this week's findings first, next week's envelope, plots of weekly
    distance, load change, intensity, terrain, shoes and long runs, every finding of
    the period, the linked conditions with self-care, red flags and data quality. It
    loads nothing from the network. Prints the path it wrote.

    \b
    Examples:
      loadwatch report ~/exports -o report.html
      loadwatch report export.zip --weeks 8 --units mi --open
      loadwatch report runs/ --config loadwatch.toml -o /var/www/coach/ada.html
    """
    from loadwatch.report import write_report

    a = _analyse(paths, config, jobs, cache, today)
    for line in a.read_notes if verbose else []:
        click.echo(line, err=True)
    if output == "-":  # through to stdout (a pipe, a terminal): nothing to replace
        from loadwatch.report.render import render_report

        html = render_report(a, weeks=weeks, units=units)
        for p in a.problems:
            click.echo(p.line(), err=True)
        click.echo(html, nl=False)
        return
    try:
        # the folder the user named is created, like any file they ask for (-o new/x.html)
        from pathlib import Path

        Path(output).parent.mkdir(parents=True, exist_ok=True)
        path = write_report(a, output, weeks=weeks, units=units)
    except OSError as exc:
        raise _UserError(f"cannot write {_text(output, 200)}: {exc.strerror or exc}") from None
    for p in a.problems:
        click.echo(p.line(), err=True)
    click.echo(str(path))
    if open_:
        click.launch(str(path.resolve()))


# --- batch ------------------------------------------------------------------------------

@cli.command()
@click.argument("roster", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output-dir", "outdir", required=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=str),
              help="Folder for the reports, index.html and summary.json (created if needed).")
@settings_options
@_jobs_option
@fail_on_option
@cache_options
@click.option("-q", "--quiet", is_flag=True,
              help="Print nothing unless an athlete is at or above --fail-on or could not "
              "be read (for cron: mail only when something needs a look).")
@click.option("-v", "--verbose", is_flag=True, help="List each file with a problem.")
@click.option("--weeks", default=16, show_default=True, type=click.IntRange(1, 10000),
              help="How many recent weeks each report shows.")
@click.option("--units", type=click.Choice(["km", "mi"]), default="km", show_default=True,
              help="Distances in km (elevation in m) or miles (elevation in ft).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on this dask.distributed scheduler, e.g. tcp://head:8786 (default: "
              "$LOADWATCH_SCHEDULER, else [cluster] scheduler in the roster, else locally).")
def batch(
    roster: str, outdir: str, config: str | None, today: dt.date | None, jobs: int,
    fail_on: str, cache: Cache | None, quiet: bool, verbose: bool, weeks: int, units: str,
    scheduler: str | None,
) -> None:
    """Write a report for every athlete of ROSTER, an index page and summary.json.

    ROSTER is a TOML file with one [[athlete]] table per athlete: name, paths (folders
    or files, relative to the roster file) and optionally config (a loadwatch.toml;
    default: the one in the first path, else --config). Parsed files are cached, so a
    weekly re-run only parses what is new. OUTDIR/index.html lists the athletes, most
    severe current finding first, with findings not in the previous run marked new; an
    athlete whose files cannot be read gets a row saying so, the others are still
    written. Prints the index's path.

    Exit codes: 0 fine, 1 an athlete's current finding at or above --fail-on, 2 usage
    error (bad roster, output folder cannot be created), 3 could not complete (the
    outputs could not be written, e.g. disk full or read-only folder, or an internal
    error; no previous output was replaced), 143 stopped by SIGTERM. An athlete whose
    files cannot be read is a row of the index, not an exit code.

    \b
    Roster example:
      [[athlete]]
      name = "Sam"
      paths = ["athletes/sam", "exports/sam_strava.zip"]
      config = "athletes/sam/loadwatch.toml"

    \b
    Examples:
      loadwatch batch roster.toml -o reports/
      loadwatch batch roster.toml -o /var/www/squad --fail-on caution --quiet
      loadwatch batch roster.toml -o out --no-cache --jobs 1 --units mi
      loadwatch batch roster.toml -o /shared/reports --scheduler tcp://head:8786
    """
    from loadwatch.batch import OutputsNotWritten, run_batch
    from loadwatch.cluster import scheduler_address
    from loadwatch.lifetime import SIGTERM_EXIT, Terminated, terminate_on_sigterm
    from loadwatch.problems import UsageError
    from loadwatch.progress import Progress
    from loadwatch.roster import read_roster

    progress = Progress(quiet=quiet, verbose=verbose)
    try:
        squad = read_roster(roster)
        with terminate_on_sigterm():
            result = run_batch(squad, outdir, jobs=jobs, cache=cache,
                               progress=progress, weeks=weeks, units=units, today=today,
                               config=config, scheduler=scheduler_address(scheduler, squad))
    except UsageError as exc:
        raise _UserError(str(exc)) from None
    except OutputsNotWritten as exc:
        progress.close()
        click.echo(f"Error: {_text(exc, 400)}", err=True)
        sys.exit(BATCH_INCOMPLETE)
    except Terminated:
        progress.close()
        click.echo("loadwatch: batch stopped (SIGTERM); no output was replaced", err=True)
        sys.exit(SIGTERM_EXIT)
    except Exception as exc:  # a bug: one line and the "could not complete" code, never 1
        progress.close()
        click.echo(f"Error: batch could not complete: internal error: "
                   f"{type(exc).__name__}: {_text(exc, 300)}", err=True)
        sys.exit(BATCH_INCOMPLETE)
    finally:
        progress.close()
    for notice in result.notices:
        click.echo(f"loadwatch: {_text(notice, 300)}", err=True)
    for a in result.failed:
        click.echo(f"{_text(a.name, 60)}: no report: {_text(a.error, 300)}", err=True)
    flagged = result.flagged(fail_on)
    for a in flagged:
        top = a.findings[0]
        click.echo(f"{_text(a.name, 60)}: {top['severity']} {top['rule']} ({top['week']}): "
                   f"{_text(top['message'], 300)}")
    if not quiet or flagged or result.failed:
        click.echo(f"{result.counts_line()}; {progress.summary()}", err=True)
        click.echo(str(result.index))
    if flagged:
        sys.exit(1)


# --- init and pain (set-up and the pain log) ---------------------------------------------

@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--name", default="", help="The athlete's name for the report header.")
@_jobs_option
@cache_options
def init(paths: tuple[str, ...], name: str, jobs: int, cache: Cache | None) -> None:
    """Write a commented loadwatch.toml beside the files in PATHS.

    It holds what the files can tell: the time zone from their UTC offsets, max and
    threshold heart rate from the runs, and the shoes the runs name with their km so far;
    the rest are commented lines to fill in. An existing loadwatch.toml is never
    overwritten (exit code 2). Prints the file written.

    \b
    Examples:
      loadwatch init ~/exports
      loadwatch init ~/exports/strava.zip --name Sam
    """
    from loadwatch.init import init_config
    from loadwatch.problems import UsageError

    try:
        path, text = init_config(list(paths), name=name, jobs=jobs, cache=cache)
    except UsageError as exc:
        raise _UserError(str(exc)) from None
    click.echo(text, nl=False)
    click.echo(f"wrote {path}", err=True)


def _red_flag_options(f):  # one --flag per red-flag column of the symptom log
    from loadwatch.rules.symptoms import RED_FLAGS

    for column, reads in reversed(RED_FLAGS.items()):
        f = click.option(f"--{column.replace('_', '-')}", column, is_flag=True,
                         help=f"Red flag: {reads}.")(f)
    return f


@cli.command()
@click.argument("level", type=click.FloatRange(0, 10), metavar="PAIN")
@click.argument("path", default=".", type=click.Path(path_type=str))
@click.option("--area", default="", help="Where it hurts, e.g. groin, outer hip, calf.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Day of the entry (default: today in the athlete's time zone).")
@click.option("--notes", default="", help="Free text, e.g. what provokes it.")
@_red_flag_options
def pain(level: float, path: str, area: str, day: object, notes: str, **flags: bool) -> None:
    """Log PAIN (0-10) in symptoms.csv in PATH (default: this folder).

    Appends one validated row (the file is created with its header if absent, and
    rewritten atomically). Red flags make the next report say: stop running and get
    prompt medical assessment.

    \b
    Examples:
      loadwatch pain 3 --area groin --night-pain --notes "after the long run" ~/exports
      loadwatch pain 0 --area groin --date 2026-03-02
    """
    import datetime as dt
    from pathlib import Path

    from loadwatch import calendar
    from loadwatch.painlog import log_pain
    from loadwatch.problems import UsageError
    from loadwatch.settings import read_settings

    date = day.date() if isinstance(day, dt.datetime) else None
    if date is None:  # today as the analysis will see it: in the zone of loadwatch.toml
        try:
            zone = read_settings(search=[Path(path)]).timezone
        except UsageError:
            zone = None  # a broken config must not stop a pain entry; the report says why
        date = calendar.today(zone)
    try:
        target, entry = log_pain(path, level, area=area, notes=notes, date=date,
                                 red_flags=[c for c, on in flags.items() if on])
    except UsageError as exc:
        raise _UserError(str(exc)) from None
    where = f" ({entry['area']})" if entry["area"] else ""
    line = f"logged pain {level:g}/10{where} on {entry['date']:%Y-%m-%d} in {target}"
    red = entry["red_flags"]
    if isinstance(red, list) and red:
        line += (f"\nred flags: {', '.join(str(r) for r in red)}: stop running and get "
                 "prompt medical assessment")
    click.echo(line)


# --- research export and outcomes (loadwatch.export, loadwatch.outcomes) ------------------

@cli.command("export")
@click.argument("inputs", nargs=-1, required=True, metavar="ROSTER_OR_PATHS...",
                type=click.Path(path_type=str))
@click.option("-o", "--output-dir", "outdir", required=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=str),
              help="Folder for the export (replaced as a whole when complete).")
@settings_options
@cache_options
@click.option("--scheduler", metavar="ADDRESS",
              help="Analyse and write on this dask.distributed scheduler's workers (DIR's "
              "folder shared with them; default as for batch).")
def export_command(inputs: tuple[str, ...], outdir: str, config: str | None,
                   today: dt.date | None, cache: Cache | None, scheduler: str | None) -> None:
    """Write the activities, weekly load, findings and pain log as Parquet.

    ROSTER_OR_PATHS is a roster.toml, or one athlete's files and folders. DIR gets one
    folder per table, partitioned by athlete (DIR/weekly/athlete=sam/part-0.parquet), with
    dtypes and units in the file metadata and an export.json listing what was written;
    pandas, dask.dataframe and DuckDB read it. Needs pip install 'loadwatch[export]'.

    \b
    Examples:
      loadwatch export roster.toml -o squad-parquet/
      loadwatch export ~/exports -o sam-parquet/ --today 2026-03-02
      loadwatch export roster.toml -o /shared/parquet --scheduler tcp://head:8786
    """
    from loadwatch.cluster import scheduler_address
    from loadwatch.export import export, roster_or_paths
    from loadwatch.problems import UsageError

    try:
        squad = roster_or_paths(list(inputs))
        result = export(squad, outdir, cache=cache, today=today, config=config,
                        scheduler=scheduler_address(scheduler, squad))
    except UsageError as exc:
        raise _UserError(str(exc)) from None
    for name, error in result.failed:
        click.echo(f"{_text(name, 60)}: not exported: {_text(error, 300)}", err=True)
    click.echo(str(result.directory))


@cli.command("evaluate")
@click.argument("roster", type=click.Path(dir_okay=False, path_type=str))
@settings_options
@cache_options
def evaluate_command(roster: str, config: str | None, today: dt.date | None,
                     cache: Cache | None) -> None:
    """How often pain followed the weeks each rule flagged, in this squad's own logs.

    Per rule and severity: weeks flagged and how many were followed by pain (>= 3/10 or a
    red flag in symptoms.csv) 1-3 weeks later, against the weeks the rule did not flag, as
    a relative risk with a 95 % confidence interval. Only athletes with a pain log count.
    A description of this squad, never a prediction for one athlete.

    \b
    Examples:
      loadwatch evaluate roster.toml
      loadwatch evaluate roster.toml --today 2026-03-02 --no-cache
    """
    from loadwatch.outcomes import evaluate_roster
    from loadwatch.problems import UsageError
    from loadwatch.roster import read_roster

    try:
        result, failed = evaluate_roster(read_roster(roster), cache=cache, today=today,
                                         config=config)
    except UsageError as exc:
        raise _UserError(str(exc)) from None
    for name, error in failed:
        click.echo(f"{_text(name, 60)}: not counted: {_text(error, 300)}", err=True)
    click.echo(result.text())


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="loadwatch")


if __name__ == "__main__":  # pragma: no cover
    main()
