"""Safe parsing of untrusted XML (GPX, TCX): one place that refuses hostile documents.

Activity files come from anywhere, so the XML parser must not expand entities (the
"billion laughs" attack), fetch external entities or DTDs, or follow absurd nesting.
:func:`parse` uses defusedxml with DTDs forbidden outright (no activity format needs one),
tracks the nesting depth and the number of track points while parsing, and turns every
failure into :class:`loadwatch.problems.InputError` with a one-line reason.

Before parsing, no single token may exceed :data:`MAX_TOKEN_BYTES`: expat re-scans an
unfinished token each time it is fed the next 16 KB, so one 32 MB attribute takes 43 s
and a 99 MB one about 7 minutes (quadratic). The check is one vectorised pass over the
bytes: the distance between consecutive ``<`` bounds every tag, attribute and text,
and comments, CDATA sections and processing instructions (which may contain ``<``) are
measured on their own.

Most activity files have no DTD at all: for those (no ``<!DOCTYPE`` or ``<!ENTITY`` in
the bytes, an ASCII-compatible encoding, few enough elements and points) the tree is
built by ElementTree's C parser in one call and the depth checked on the finished tree
(:func:`_parse_plain`), 5-10x faster than defusedxml's Python-level handlers. Without a
document type declaration expat can expand no entity but the five predefined ones and
fetch nothing, so the protections hold; any other document, and any document that
plain parse refuses, goes through defusedxml as before, which decides the outcome.
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Collection

import defusedxml
import defusedxml.ElementTree as DET
import numpy as np

from loadwatch.limits import MAX_XML_DEPTH as MAX_DEPTH
from loadwatch.limits import MAX_XML_ELEMENTS as MAX_ELEMENTS
from loadwatch.limits import MAX_XML_POINTS as MAX_POINTS
from loadwatch.limits import MAX_XML_TOKEN_BYTES as MAX_TOKEN_BYTES
from loadwatch.problems import InputError

#: Bytes scanned per step when measuring tokens (bounds the scan's temporary arrays).
_SCAN_BLOCK = 2**20
#: Markup that may contain "<", with its end.
_SPANS = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))

_DECLARED = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
#: Namespaces of the prefixes activity files use without declaring them (Garmin, cluetrust,
#: SportTracks); any other undeclared prefix gets a placeholder namespace. Elements are
#: matched on local names, so only well-formedness depends on the declaration.
KNOWN_PREFIXES = {
    b"gpxx": b"http://www.garmin.com/xmlschemas/GpxExtensions/v3",
    b"gpxtpx": b"http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
    b"gpxdata": b"http://www.cluetrust.com/XML/GPXDATA/1/0",
    b"ns3": b"http://www.garmin.com/xmlschemas/ActivityExtension/v2",
    b"st": b"urn:uuid:D0EB2ED5-49B6-44e3-B13C-CF15BE7DD7DD",
}
#: Prefixes used on element or attribute names, and prefixes declared.
_USED_PREFIX = re.compile(rb"""(?:<|</|\s)([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*""")
_DECLARED_PREFIX = re.compile(rb"""xmlns:([A-Za-z_][\w.-]*)\s*=""")
#: The root element's start tag name (after any declaration, comments or processing).
_ROOT_TAG = re.compile(rb"""<(?![?!/])[^\s/>]+""")
#: Whitespace that may precede the XML declaration (files written with a blank first line).
_LEADING_SPACE = b" \t\r\n"


def local(tag: object) -> str:
    """An element's tag without its namespace: '{ns}trkpt' -> 'trkpt'."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def longest_token(data: bytes) -> int:
    """Length [bytes] of the longest stretch between two ``<``, or of the longest comment,
    CDATA section or processing instruction (an unterminated one runs to the end)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16", "replace").encode("utf-8")  # one byte per "<"
    longest = 0
    previous = -1
    for start in range(0, len(data), _SCAN_BLOCK):
        block = np.frombuffer(data, dtype=np.uint8, count=min(_SCAN_BLOCK, len(data) - start),
                              offset=start)
        at = np.flatnonzero(block == ord("<")) + start
        if at.size:
            longest = max(longest, int(at[0]) - previous - 1)
            if at.size > 1:
                longest = max(longest, int(np.diff(at).max()) - 1)
            previous = int(at[-1])
    longest = max(longest, len(data) - previous - 1)
    for opener, closer in _SPANS:
        found = data.find(opener)
        while found >= 0:
            end = data.find(closer, found + len(opener))
            end = len(data) if end < 0 else end
            longest = max(longest, end - found)
            found = data.find(opener, end)
    return longest


def parse(data: bytes, what: str, point_tags: Collection[str] = (),
          max_points: int | None = None, plain_namespace: bool = False) -> ET.Element:
    """Parse ``data`` safely and return the root element.

    ``what`` names the format in messages ("GPX"); elements whose local name is in
    ``point_tags`` are counted against ``max_points`` (default :data:`MAX_POINTS`).
    With ``plain_namespace``, elements in the root element's own namespace get plain
    tags (``{http://www.topografix.com/GPX/1/1}trkpt`` -> ``trkpt``), as gpxpy expects;
    this is done on the parsed tree, so text that merely looks like a namespace
    declaration (inside an attribute value or a comment) changes nothing.
    Two everyday defects are repaired, the safety checks still applying: whitespace
    before the ``<?xml`` declaration, and namespace prefixes used without a declaration
    (declared on the root, see :data:`KNOWN_PREFIXES`).
    Raises :class:`InputError` for hostile, malformed, too deep or too large documents.
    """
    data = _strip_leading_space(data)
    try:
        return _parse(data, what, point_tags, max_points, plain_namespace)
    except _UnboundPrefix as unbound:
        repaired = _declare_prefixes(data)
        if repaired is None:
            raise unbound.error from None
        try:
            return _parse(repaired, what, point_tags, max_points, plain_namespace)
        except _UnboundPrefix:
            raise unbound.error from None


class _UnboundPrefix(Exception):
    """An XML error caused by an undeclared namespace prefix (carrying the user's error)."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


def _strip_leading_space(data: bytes) -> bytes:
    """The bytes without whitespace before the XML declaration (a UTF-8 BOM stays)."""
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    body = data[len(bom):]
    if body[:1] and body[:1] in _LEADING_SPACE and body.lstrip(_LEADING_SPACE).startswith(b"<?xml"):
        return bom + body.lstrip(_LEADING_SPACE)
    return data


def _declare_prefixes(data: bytes) -> bytes | None:
    """``data`` with its undeclared prefixes declared on the root, or None if it has none.

    Works on the bytes of ASCII-compatible encodings only (UTF-16 files are left alone).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:64]:
        return None
    declared = set(_DECLARED_PREFIX.findall(data)) | {b"xml", b"xmlns"}
    missing = sorted(set(_USED_PREFIX.findall(data)) - declared)
    root = _ROOT_TAG.search(data)
    if not missing or root is None:
        return None
    decl = b"".join(
        b' xmlns:' + p + b'="' + KNOWN_PREFIXES.get(p, b"urn:loadwatch:undeclared:" + p) + b'"'
        for p in missing
    )
    return data[: root.end()] + decl + data[root.end():]


#: Off: every document goes through defusedxml (tests compare both ways).
PLAIN_PARSE = True
#: Documents with more "<" than this go through defusedxml, whose limits apply while it
#: parses (so memory stays bounded); 4,000,000 elements is over 10 days of 1 Hz points.
PLAIN_MAX_ELEMENTS = 4_000_000
#: Encodings in which the markup is ASCII bytes, so a byte search finds a DOCTYPE.
_ASCII_MARKUP = frozenset({
    "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin-1", "latin1",
    "iso-8859-15", "windows-1252", "cp1252",
})


def _parse_plain(data: bytes, point_tags: Collection[str], limit: int,
                 plain_namespace: bool) -> ET.Element | None:
    """The tree of a document without DTD, built by the C parser, or None when
    :func:`_parse` (defusedxml, checking as it goes) must decide: a DTD or entity
    declaration anywhere, a non-ASCII-compatible encoding, too many elements or points
    (counted from above on the bytes), nesting beyond :data:`MAX_DEPTH`, or any error."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data or b"\x00" in data[:256]:
        return None
    declared = _DECLARED.match(data.lstrip())
    if declared and declared.group(1).decode("ascii").lower() not in _ASCII_MARKUP:
        return None
    if data.count(b"<") > min(PLAIN_MAX_ELEMENTS, MAX_ELEMENTS):
        return None
    if point_tags:
        names = b"|".join(re.escape(t.encode()) for t in point_tags)
        starts = re.finditer(rb"<(?:[A-Za-z_][\w.-]*:)?(?:" + names + rb")[\s/>]", data)
        if next(itertools.islice(starts, limit, None), None) is not None:
            return None  # more than ``limit`` point tags, perhaps some in comments
    parser = ET.XMLParser()
    try:
        parser.feed(data)
        root = parser.close()
    except (ET.ParseError, ValueError, LookupError, UnicodeError):
        return None
    namespace = ""
    if plain_namespace and root.tag.startswith("{"):
        namespace = root.tag[: root.tag.index("}") + 1]
    cut = len(namespace)
    level = [root]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            return None
        below: list[ET.Element] = []
        for elem in level:
            if cut and elem.tag.startswith(namespace):
                elem.tag = elem.tag[cut:]
            below.extend(elem)
        level = below
    return root


def _parse(data: bytes, what: str, point_tags: Collection[str],
           max_points: int | None, plain_namespace: bool) -> ET.Element:
    head = data.lstrip()[:64]
    if not head or (
        b"<" not in head
        and not head.startswith(codecs.BOM_UTF16_LE)
        and not head.startswith(codecs.BOM_UTF16_BE)
    ):
        raise InputError(f"not a {what} file: no XML content")
    if longest_token(data) > MAX_TOKEN_BYTES:
        raise InputError(
            f"refused {what} file: an XML token (tag, attribute, text or comment) longer "
            f"than {MAX_TOKEN_BYTES // 2**20} MB"
        )
    points_wanted = set(point_tags)
    namespace = ""
    limit = MAX_POINTS if max_points is None else min(max_points, MAX_POINTS)
    if PLAIN_PARSE:
        plain = _parse_plain(data, points_wanted, limit, plain_namespace)
        if plain is not None:
            return plain
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
                if plain_namespace and isinstance(elem.tag, str) and elem.tag.startswith("{"):
                    namespace = elem.tag[: elem.tag.index("}") + 1]
            if namespace and elem.tag.startswith(namespace):
                elem.tag = elem.tag[len(namespace):]
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
        error = InputError(f"not a {what} file: XML error at line {line}: {msg}")
        if msg.startswith("unbound prefix"):
            raise _UnboundPrefix(error) from None
        raise error from None
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
