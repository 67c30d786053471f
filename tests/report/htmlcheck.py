"""Parse a report and collect what a browser could load or run, and the visible text."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from urllib.parse import unquote

#: Attributes whose value a browser may fetch or navigate to.
URL_ATTRS = {"src", "href", "srcset", "poster", "data", "action", "formaction", "background",
             "xlink:href", "manifest", "ping", "cite", "longdesc", "usemap", "codebase"}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I)
_CSS_IMPORT = re.compile(r"@import", re.I)


class ReportParser(HTMLParser):
    """Collects URLs (attributes and CSS), tags, event-handler attributes and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []
        self.css: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("style", "script", "title"):
            self._skip += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(name)
            if value is None:
                continue
            if name == "srcset":
                # a data: URI has no whitespace; candidates are separated by ", "
                self.urls += [c.strip().split()[0] for c in re.split(r",\s+", value) if c.strip()]
            elif name in URL_ATTRS:
                self.urls.append(value)
            elif name == "style":
                self.css.append(value)
            if name == "http-equiv" and value.lower() == "refresh":
                self.urls.append("meta-refresh")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style" and self._skip:
            self.css.append(data)
        elif not self._skip:
            self.text.append(data)

    def css_urls(self) -> list[str]:
        out = [m.group(2) for css in self.css for m in _CSS_URL.finditer(css)]
        out += ["@import"] * sum(len(_CSS_IMPORT.findall(css)) for css in self.css)
        return out

    def visible_text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


def parse(html: str) -> ReportParser:
    p = ReportParser()
    p.feed(html)
    p.close()
    return p


def is_local(url: str) -> bool:
    """A data: URI or a same-document fragment: nothing a browser would fetch."""
    u = url.strip().lower()
    return u.startswith("data:") or u.startswith("#")


def data_payload(uri: str) -> bytes:
    """The decoded bytes of a data: URI (base64 or percent-encoded)."""
    head, _, body = uri.partition(",")
    return base64.b64decode(body) if head.endswith(";base64") else unquote(body).encode()


#: The report's "Generated" time: the wall clock, the only bytes two runs may differ in.
GENERATED = re.compile(r"(<dt>Generated</dt>\s*<dd>)[^·<]*")


def blank_generated(html: str) -> str:
    """``html`` with the report's generation time blanked; fails when there is none, so
    that a change of the header's markup cannot make the comparison vacuous."""
    out, n = GENERATED.subn(r"\1…", html)
    assert n == 1, "no Generated time found in the report"
    return out
