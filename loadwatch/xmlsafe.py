"""Safe parsing of untrusted XML (GPX, TCX): one place that refuses hostile documents.

Activity files come from anywhere, so the XML parser must not expand entities (the
"billion laughs" attack), fetch external entities or DTDs, or follow absurd nesting.
:func:`parse` uses defusedxml with DTDs forbidden outright (no activity format needs one),
tracks the nesting depth and the number of track points while parsing, and turns every
failure into :class:`loadwatch.problems.InputError` with a one-line reason.
"""

from __future__ import annotations

import codecs
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Collection

import defusedxml
import defusedxml.ElementTree as DET

from loadwatch.problems import InputError

#: Deeper nesting than this is refused; GPX and TCX need fewer than 10 levels.
MAX_DEPTH = 64
#: More track points than this is refused: 2,000,000 points is 23 days at 1 Hz.
MAX_POINTS = 2_000_000
#: Total elements refused beyond this (a point has a handful of children).
MAX_ELEMENTS = 40_000_000

_DECLARED = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def local(tag: object) -> str:
    """An element's tag without its namespace: '{ns}trkpt' -> 'trkpt'."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def parse(data: bytes, what: str, point_tags: Collection[str] = (),
          max_points: int | None = None) -> ET.Element:
    """Parse ``data`` safely and return the root element.

    ``what`` names the format in messages ("GPX"); elements whose local name is in
    ``point_tags`` are counted against ``max_points`` (default :data:`MAX_POINTS`).
    Raises :class:`InputError` for hostile, malformed, too deep or too large documents.
    """
    head = data.lstrip()[:64]
    if not head or (
        b"<" not in head
        and not head.startswith(codecs.BOM_UTF16_LE)
        and not head.startswith(codecs.BOM_UTF16_BE)
    ):
        raise InputError(f"not a {what} file: no XML content")
    points_wanted = set(point_tags)
    limit = MAX_POINTS if max_points is None else min(max_points, MAX_POINTS)
    depth = points = elements = 0
    root: ET.Element | None = None
    try:
        events = DET.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        for event, elem in events:
            if event == "end":
                depth -= 1
                continue
            if root is None:
                root = elem
            depth += 1
            elements += 1
            if depth > MAX_DEPTH:
                raise InputError(f"refused {what} file: XML nested deeper than {MAX_DEPTH} levels")
            if points_wanted and local(elem.tag) in points_wanted:
                points += 1
                if points > limit:
                    raise InputError(f"refused {what} file: more than {limit:,} points")
            if elements > MAX_ELEMENTS:
                raise InputError(f"refused {what} file: more than {MAX_ELEMENTS:,} XML elements")
    except defusedxml.DTDForbidden:
        raise InputError(f"refused {what} file: XML with a DTD/DOCTYPE (unsafe)") from None
    except defusedxml.EntitiesForbidden:
        raise InputError(f"refused {what} file: XML entity declarations (unsafe)") from None
    except defusedxml.DefusedXmlException as e:
        raise InputError(f"refused {what} file: unsafe XML ({type(e).__name__})") from None
    except ET.ParseError as e:
        line = e.position[0] if getattr(e, "position", None) else "?"
        msg = str(e).split(":")[0]
        raise InputError(f"not a {what} file: XML error at line {line}: {msg}") from None
    except (ValueError, LookupError, UnicodeError) as e:  # bad encoding declarations
        raise InputError(f"not a {what} file: {e}") from None
    if root is None:
        raise InputError(f"not a {what} file: empty XML document")
    return root


def decode(data: bytes) -> str:
    """The document as text: BOM first, then the declared encoding, else UTF-8.

    Only called after :func:`parse` accepted the bytes, so the encoding is known to work.
    """
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text = data.decode(enc, errors="replace")
            return text.lstrip("\ufeff")
    m = _DECLARED.match(data.lstrip())
    enc = m.group(1).decode("ascii") if m else "utf-8"
    try:
        return data.decode(enc, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")
