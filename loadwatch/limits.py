"""Every bound loadwatch puts on its input, in one table.

A hostile or broken file must cost bounded memory and time, so each reader refuses input
beyond a limit with a one-line reason. The limits are declared here, once, each with its
unit and what it bounds; the modules that enforce them import the constants (under their
old module-level names, so a test can still patch ``sources.MAX_FILE_BYTES`` down), and
the README's "Limits" table is generated from :data:`LIMITS` (:mod:`loadwatch.docs`).
Real files stay far below every limit: each comment says how far.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """One bound: its value in ``unit``, and what it bounds (one line, for the README)."""

    name: str
    value: int
    unit: str
    bounds: str

    def shown(self) -> str:
        """The value as a reader sees it: '100 MiB', '1,000,000 members'."""
        if self.unit == "bytes":
            for size, suffix in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
                if self.value >= size and self.value % size == 0:
                    return f"{self.value // size:,} {suffix}"
            return f"{self.value:,} bytes"
        if self.unit == "x":
            return f"{self.value:,}x"
        return f"{self.value:,} {self.unit}"


#: The limits by name, in the order declared below.
LIMITS: dict[str, Limit] = {}


def _limit(name: str, value: int, unit: str, bounds: str) -> int:
    LIMITS[name] = Limit(name, value, unit, bounds)
    return value


# --- files, archives and folders (loadwatch.sources) ---------------------------------------

#: A year of 1 Hz FIT recording is ~30 MB; a 100 MB file is either not an activity or an
#: attack.
MAX_FILE_BYTES = _limit("MAX_FILE_BYTES", 100 * 2**20, "bytes",
                        "one file handed to a reader, after decompression")
#: An archive expanding beyond this ...
MAX_ARCHIVE_BYTES = _limit("MAX_ARCHIVE_BYTES", 2**30, "bytes",
                           "an archive's expanded size, when above the compression ratio")
#: ... at more than this ratio is refused as a zip bomb: activity files compress 3-10x; a
#: ratio above 100 over a gigabyte is not data.
MAX_COMPRESSION_RATIO = _limit("MAX_COMPRESSION_RATIO", 100, "x",
                               "uncompressed / compressed size of an archive that large")
#: A Garmin account export holds tens of thousands of members (most of them monitoring
#: files); members are read one at a time.
MAX_ZIP_MEMBERS = _limit("MAX_ZIP_MEMBERS", 1_000_000, "members", "members of one archive")
#: Zips inside zips are followed this many levels deep.
MAX_ZIP_DEPTH = _limit("MAX_ZIP_DEPTH", 3, "levels", "archives inside archives")
#: Exports nest fewer than 10 folders.
MAX_FOLDER_DEPTH = _limit("MAX_FOLDER_DEPTH", 32, "levels", "folders below a named folder")
#: The longest file-name component Linux, macOS and Windows file systems allow.
MAX_NAME_BYTES = _limit("MAX_NAME_BYTES", 255, "bytes", "one component of a member's name")

# --- FIT (loadwatch.importers.fit, loadwatch.importers.fastfit) ----------------------------

#: 2,000,000 records is 23 days at 1 Hz, far beyond any activity, yet a 10 KB .fit.gz can
#: hold millions of 2-byte records and decoding costs 20-100 us a message. Other messages
#: (events, HRV) count against MAX_FIT_MESSAGES, sessions and laps against their own caps:
#: devices write a handful of sessions (multisport legs) and at most a few hundred laps,
#: while each session costs a summary of its own (milliseconds).
MAX_FIT_RECORDS = _limit("MAX_FIT_RECORDS", 2_000_000, "records", "record messages of one FIT file")
MAX_FIT_MESSAGES = _limit("MAX_FIT_MESSAGES", 4_000_000, "messages",
                          "data messages of one FIT file (both decoders)")
MAX_FIT_SESSIONS = _limit("MAX_FIT_SESSIONS", 1_000, "sessions", "sessions of one FIT file")
MAX_FIT_LAPS = _limit("MAX_FIT_LAPS", 10_000, "laps", "laps of one FIT file")
#: FIT devices time every record: a file whose first this many records carry no timestamp
#: can give no dated record and is refused without decoding the rest.
UNDATED_RECORDS_LIMIT = _limit("UNDATED_RECORDS_LIMIT", 10_000, "records",
                               "leading records without a timestamp in a FIT file")

# --- XML: GPX and TCX (loadwatch.xmlsafe, loadwatch.importers.gpx) -------------------------

#: GPX and TCX need fewer than 10 levels.
MAX_XML_DEPTH = _limit("MAX_XML_DEPTH", 64, "levels", "nesting of an XML file")
#: 2,000,000 points is 23 days at 1 Hz.
MAX_XML_POINTS = _limit("MAX_XML_POINTS", 2_000_000, "points", "track points of an XML file")
#: A point has a handful of children.
MAX_XML_ELEMENTS = _limit("MAX_XML_ELEMENTS", 40_000_000, "elements", "elements of an XML file")
#: GPX and TCX tokens are short (a long track description is a few KB); at 1 MB expat's
#: rescanning costs ~0.05 s.
MAX_XML_TOKEN_BYTES = _limit("MAX_XML_TOKEN_BYTES", 2**20, "bytes",
                             "one tag, attribute value, text or comment in XML")
#: gpxpy holds ~2 KB a point, so 500,000 points (almost six days at 1 Hz, far beyond any
#: run) bound its memory to about 1 GB.
MAX_GPX_POINTS = _limit("MAX_GPX_POINTS", 500_000, "points", "track points of a GPX file")

# --- settings, roster and symptom log ------------------------------------------------------

#: Real ones are a few KB; tomllib holds the whole text and more, so a 2 GB (sparse) file
#: must be refused before it is read.
MAX_TOML_BYTES = _limit("MAX_TOML_BYTES", 2**20, "bytes", "a loadwatch.toml or roster file")
#: tomllib recurses per level and raises RecursionError near 1,000.
MAX_TOML_DEPTH = _limit("MAX_TOML_DEPTH", 32, "levels",
                        "nesting of arrays and inline tables in TOML")
#: tomllib's work is quadratic in the parts (a 40 KB key takes a minute); loadwatch's keys
#: have 3 parts.
MAX_TOML_KEY_PARTS = _limit("MAX_TOML_KEY_PARTS", 64, "parts", "parts of one dotted TOML key")
#: A name is a label, not a document.
MAX_NAME_CHARS = _limit("MAX_NAME_CHARS", 200, "characters", "an athlete's name in a roster")
#: A row a day for 30 years is about 1 MB.
MAX_SYMPTOM_LOG_BYTES = _limit("MAX_SYMPTOM_LOG_BYTES", 2**20, "bytes", "a symptom log")


def markdown_table() -> str:
    """The limits as a Markdown table (the README's generated "limits" section)."""
    lines = ["| limit | bounds | refused above |", "|---|---|---|"]
    lines += [f"| `{x.name}` | {x.bounds} | {x.shown()} |" for x in LIMITS.values()]
    return "\n".join(lines)
