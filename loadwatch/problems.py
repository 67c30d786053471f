"""Problems with user input: reported by name with a reason, never raised past the reader."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Kind = Literal["error", "skipped", "warning"]


@dataclass(frozen=True)
class Problem:
    """One file (or archive member) that could not be imported, or was skipped.

    ``kind`` is ``error`` for a file that is broken or refused, ``skipped`` for a valid
    file that is not an activity (a FIT settings file, a waypoint-only GPX), and
    ``warning`` for something imported with reservations worth listing separately.
    """

    source: str
    reason: str
    kind: Kind = "error"

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def line(self, width: int = 200) -> str:
        """``source: reason`` made safe for a terminal (see :func:`terminal_text`)."""
        return f"{terminal_text(self.source, width)}: {terminal_text(self.reason, width)}"


def terminal_text(value: object, width: int = 80) -> str:
    """Untrusted text (file and member names, titles, athlete names) made safe for one
    terminal line: every character that is not printable (carriage returns, newlines,
    escape sequences such as a window-title change, bidi overrides) becomes a space, and
    the text is cut to ``width`` characters. The one sanitiser for all terminal output."""
    text = "".join(c if c.isprintable() else " " for c in str(value))
    return text if len(text) <= width else text[: width - 1] + "…"


class InputError(Exception):
    """A file cannot be imported; the message is the one-line reason shown to the user."""

    kind: Kind = "error"


class NotAnActivity(InputError):
    """A well-formed file that holds no activity (settings, monitoring, waypoints only)."""

    kind: Kind = "skipped"


class UsageError(Exception):
    """A mistake in how loadwatch was called or configured (bad config key, no input)."""


class InputWarning(UserWarning):
    """Issued (``warnings.warn``) by a reader for a file it imported with reservations,
    e.g. "3 of 120 rows skipped"; the caller lists it as a Problem of kind ``warning``."""
