"""README sections generated from the code, so the docs cannot drift from it.

The README holds marked blocks (``<!-- generated:NAME -->`` ... ``<!-- /generated -->``);
:func:`update_readme` rewrites them from the schema, the rule catalogue and the fixed
wording (:mod:`loadwatch.wording`: disclaimer and red flags), and
``tests/test_docs.py`` fails when the committed README differs. Regenerate with
``python -m loadwatch.docs README.md``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from loadwatch import limits, schema, wording
from loadwatch.rules import CONDITIONS, RULES, Threshold


def _fmt(value: float) -> str:
    return f"{value:g}"


def _limit(t: Threshold) -> str:
    shown = f"{_fmt(t.value)} {t.unit}"
    if t.unit == "fraction":
        shown += f" ({t.shown()})"
    return f"`{t.name}` = {shown}" + (f" → {t.severity}" if t.severity else "")


def rules_table() -> str:
    """Markdown table of the rule catalogue, generated from the declared values: what each
    rule measures (its text filled from its thresholds and windows), every toml key with its
    default, the conditions and the evidence. Bone-stress stepped keys are marked."""
    lines = [
        "| rule | what it measures | thresholds and windows (toml key = default) "
        "| linked conditions | evidence |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        limits = "<br>".join(_limit(t) + (" (bone-stress step)" if t.step else "")
                             for t in rule.thresholds)
        conditions = ", ".join(CONDITIONS[c].name for c in rule.conditions if c in CONDITIONS)
        metric = f"{rule.description}; needs {rule.needs}".replace("|", "/")
        lines.append(
            f"| `{rule.id}`<br>{rule.title} | {metric} | {limits or '—'} | {conditions} | "
            f"{rule.evidence.strength}: {rule.evidence.citation} |"
        )
    return "\n".join(lines)


SECTIONS: dict[str, Callable[[], str]] = {
    "activity-columns": lambda: schema.markdown_table(schema.ACTIVITY),
    "weekly-columns": lambda: schema.markdown_table(schema.WEEKLY),
    "findings-columns": lambda: schema.markdown_table(schema.FINDINGS),
    "rules": rules_table,
    "wording": wording.readme_block,
    "limits": limits.markdown_table,
}

_BLOCK = re.compile(r"(<!-- generated:([\w-]+) -->\n)(.*?)(<!-- /generated -->)", re.S)


def update_readme(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in SECTIONS:
            raise KeyError(f"unknown generated section {name!r}")
        return f"{match.group(1)}{SECTIONS[name]()}\n{match.group(4)}"

    return _BLOCK.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the README's generated blocks in place."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "README.md")
    text = path.read_text(encoding="utf-8")
    new = update_readme(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
