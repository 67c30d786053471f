"""Every string from a file that reaches HTML is escaped.

An athlete folder is built whose every free-text field carries a script payload: the
athlete and shoe names in loadwatch.toml, a training log's titles and shoes, a Strava
activities.csv's Activity Name and Activity Gear, a GPX track's name, type and creator,
the folder's own name, the name of a broken file, and a roster name. ``loadwatch report``
and ``loadwatch batch`` must write pages with no script element, no event handler, no
``javascript:`` URL, where each payload is plain text; the embedded figures (SVG with the
shoe names in it) are checked the same way.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli
from tests.report.htmlcheck import data_payload, is_local, parse

SCRIPT = "<script>alert(1)</script>"
SVG = '"><svg onload=alert(1)>'
QUOTE = "' onmouseover='alert(1)"
JS_URL = "javascript:alert(1)"
IMG = "<img src=x onerror=alert(1)>"
COMMENT = "--><script>alert(2)</script><!--"
PAYLOADS = (SCRIPT, SVG, QUOTE, JS_URL, IMG, COMMENT)

ATHLETE = f"Eve {SCRIPT}{QUOTE}"
ROSTER_NAME = f"Mallory {SVG}"
SHOES = (f"Shoe {IMG}", f"Shoe {COMMENT}")
LOG_TITLE = f"Easy {SVG} {QUOTE}"
LONG_TITLE = f"Long {SCRIPT} {JS_URL}"
STRAVA_TITLE = f"Strava {IMG}"
STRAVA_GEAR = f"Gear {SCRIPT}"
GPX_NAME = f"Track {COMMENT} {QUOTE}"
CREATOR = f"Watch {SVG}"
FOLDER = 'runs "><svg onload=alert(1)>'
BROKEN = f"{IMG}.gpx"
START = dt.date(2026, 1, 5)  # a Monday


def toml_str(s: str) -> str:
    return json.dumps(s)  # a JSON string is a TOML basic string


def _xml(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def gpx(name: str, typ: str, creator: str, start: dt.datetime, km: float) -> str:
    """A straight track north at 3 m/s, a point every 10 s."""
    n = int(km * 1000 / 30)
    pts = "".join(
        f'<trkpt lat="{52.0 + i * 30 / 111_320:.7f}" lon="5.0">'
        f"<time>{(start + dt.timedelta(seconds=10 * i)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time>"
        "</trkpt>"
        for i in range(n + 1)
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" '
            f'creator="{_xml(creator)}" xmlns="http://www.topografix.com/GPX/1/1">'
            f"<trk><name>{_xml(name)}</name><type>{_xml(typ)}</type><trkseg>{pts}"
            "</trkseg></trk></gpx>\n")


@pytest.fixture(scope="module")
def athlete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight weeks of 5 km runs from two sources, then a 12 km GPX run, a 15 km Strava
    run and a 19 km log run (long_run_spike findings that name them by title)."""
    root = tmp_path_factory.mktemp("xss") / FOLDER
    (root / "strava").mkdir(parents=True)
    (root / "loadwatch.toml").write_text(
        f"[athlete]\nname = {toml_str(ATHLETE)}\ntimezone = \"UTC\"\n\n"
        + "".join(f"[[shoes]]\nname = {toml_str(s)}\nstart_km = 700\nfrom = {START}\n\n"
                  for s in SHOES),
        encoding="utf-8",
    )
    log = ["date,distance_km,duration,sport,title,avg_hr,ascent_m,descent_m,rpe,shoe,surface"]
    strava = ["Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,"
              "Activity Gear,Filename"]
    for w in range(8):
        monday = START + dt.timedelta(weeks=w)
        for d in (0, 2):
            log.append(f"{monday + dt.timedelta(days=d)},5.0,0:30:00,running,"
                       f"{toml_str(LOG_TITLE)},140,10,10,3,{toml_str(SHOES[w % 2])},road")
        day = monday + dt.timedelta(days=4)
        when = dt.datetime(day.year, day.month, day.day, 8).strftime("%b %d, %Y, %I:%M:%S %p")
        strava.append(f'{9000 + w},"{when}",{toml_str(STRAVA_TITLE)},Run,1800,5.0,'
                      f"{toml_str(STRAVA_GEAR)},")
    # week 9: longer and longer runs from each source, each one a long_run_spike
    long_day = START + dt.timedelta(weeks=8)
    strava.append(f'9100,"{long_day + dt.timedelta(days=2):%b %d, %Y}, 8:00:00 AM",'
                  f"{toml_str(STRAVA_TITLE)},Run,5400,15.0,{toml_str(STRAVA_GEAR)},")
    log.append(f"{long_day + dt.timedelta(days=4)},19.0,1:50:00,running,"
               f"{toml_str(LONG_TITLE)},150,10,10,5,,road")
    (root / "training_log.csv").write_text("\n".join(log) + "\n", encoding="utf-8")
    (root / "strava" / "activities.csv").write_text("\n".join(strava) + "\n",
                                                    encoding="utf-8")
    start = dt.datetime(long_day.year, long_day.month, long_day.day, 7)
    (root / "long.gpx").write_text(
        gpx(GPX_NAME, f"running {SCRIPT}", CREATOR, start, 12.0), encoding="utf-8")
    (root / BROKEN).write_text("<gpx><trk><name>not closed", encoding="utf-8")
    return root


def _svg_docs(p) -> list[str]:
    return [data_payload(u).decode("utf-8") for u in p.urls
            if u.startswith("data:image/svg+xml")]


def assert_inert(html: str, where: str) -> None:
    """No script, handler or script URL anywhere: the page, its CSS or its SVG figures."""
    p = parse(html)
    assert "script" not in p.tags, where
    assert p.handlers == [], where
    for url in p.urls:
        assert not url.strip().lower().startswith(("javascript:", "vbscript:")), where
        assert is_local(url) or re.fullmatch(r"[a-z0-9-]+\.html", url), (where, url[:80])
    assert p.css_urls() == [], where
    css = " ".join(p.css)
    assert "alert" not in css and "<" not in css, f"{where}: data in the stylesheet"
    for raw in PAYLOADS:
        if any(c in raw for c in "<>\"'"):
            assert raw not in html, f"{where}: {raw!r} written unescaped"
    for svg in _svg_docs(p):
        s = parse(svg)
        assert "script" not in s.tags and s.handlers == [], f"{where}: figure"
        for raw in PAYLOADS:
            if any(c in raw for c in "<>\"'"):
                assert raw not in svg, f"{where}: {raw!r} unescaped in a figure"
    # a payload that broke out of an attribute value or of text would make a new element
    # or attribute: only those the templates write may appear
    elements = _Elements()
    elements.feed(html)
    assert elements.tags <= TEMPLATE_TAGS, (where, elements.tags - TEMPLATE_TAGS)
    assert elements.attrs <= TEMPLATE_ATTRS, (where, elements.attrs - TEMPLATE_ATTRS)


#: Every element and attribute the report and index templates write.
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "div", "p", "h1", "h2", "h3",
    "dl", "dt", "dd", "code", "a", "nav", "main", "section", "ul", "li", "span", "article",
    "strong", "figure", "picture", "source", "img", "figcaption", "table", "thead", "tbody",
    "tr", "th", "td", "br", "input", "label", "footer", "wbr",
}
TEMPLATE_ATTRS = {
    "lang", "charset", "name", "content", "http-equiv", "class", "href", "id", "src", "alt",
    "srcset", "media", "data-label", "title", "for", "type", "checked", "role", "aria-label",
    "aria-labelledby", "colspan",
}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)


def assert_shown_as_text(html: str, texts: list[str], where: str) -> None:
    shown = parse(html).visible_text()
    for t in texts:
        assert re.sub(r"\s+", " ", t) in shown, f"{where}: {t!r} is not shown as text"


def test_report_escapes_every_field(athlete, tmp_path):
    out = tmp_path / "report.html"
    r = CliRunner().invoke(cli, ["report", str(athlete), "-o", str(out), "--no-cache",
                                 "--jobs", "1"])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert_inert(html, "report")
    # the title element is text too (it is not in visible_text): escaped, not markup
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "&lt;script&gt;" in title and "<" not in title
    assert_shown_as_text(html, [
        ATHLETE, str(athlete), CREATOR, BROKEN, *SHOES, LONG_TITLE, GPX_NAME, STRAVA_TITLE,
        STRAVA_GEAR,
    ], "report")


def test_batch_escapes_names_in_the_index_and_reports(athlete, tmp_path):
    roster = tmp_path / "roster.toml"
    roster.write_text(
        f"[[athlete]]\nname = {toml_str(ROSTER_NAME)}\npaths = [{toml_str(str(athlete))}]\n\n"
        f"[[athlete]]\nname = {toml_str('Trent ' + IMG)}\n"
        f"paths = [{toml_str(str(tmp_path / ('gone ' + SCRIPT)))}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["batch", str(roster), "-o", str(out), "--no-cache",
                                 "--jobs", "1"])
    assert r.exit_code == 0, r.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert_inert(index, "index")
    assert_shown_as_text(index, [ROSTER_NAME, "Trent " + IMG, "gone " + SCRIPT], "index")
    links = [u for u in parse(index).urls if not is_local(u)]
    assert links == ["mallory-svg-onload-alert-1.html"]
    report = (out / links[0]).read_text(encoding="utf-8")
    assert_inert(report, "batch report")
    assert_shown_as_text(report, [ATHLETE, STRAVA_TITLE, LONG_TITLE, *SHOES], "batch report")
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {a["name"] for a in doc["athletes"]} == {ROSTER_NAME, "Trent " + IMG}


def test_the_checks_catch_what_they_look_for():
    """The checker fails on each way a payload could get through."""
    ok = "<!doctype html><html><head><style>p{}</style></head><body><p>x</p></body></html>"
    assert_inert(ok, "clean")
    bad = (
        ok.replace("<p>x</p>", f"<p>{SCRIPT}</p>"),
        ok.replace("<p>x</p>", '<p title="a" onmouseover="alert(1)">x</p>'),
        ok.replace("<p>x</p>", f'<a href="{JS_URL}">x</a>'),
        ok.replace("<p>x</p>", '<p title="" autofocus="">x</p>'),
        ok.replace("<p>x</p>", "<p><iframe></iframe></p>"),
        ok.replace("p{}", "p{background:url(http://evil/)}"),
        ok.replace("p{}", "p.alert{}"),
        ok.replace("<p>x</p>", '<img src="data:image/svg+xml;base64,'
                   + base64.b64encode(b"<svg onload='alert(1)'/>").decode() + '">'),
    )
    for html in bad:
        with pytest.raises(AssertionError):
            assert_inert(html, "bad")
