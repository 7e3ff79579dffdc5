"""Disputed quotations: which of a record's quotations another source disputes, and why, in one
line. Every view that prints a quotation asks here, so a writer copying text sees the warning.

A `checked` entry with status `disputed` on `quotes` names its quotation by index
(`field: quotes.0`) or, with `field: quotes`, by quoting its beginning in `source_says` or
`value`; a check that names none disputes all of the record's quotations.
"""

from __future__ import annotations

import re

from kb.records import STATUS_ZH, Record
from kb.text import fold, squash

PROBE = 8  # characters of a quotation's start looked for in a check's own words


def summary(check) -> str:
    """The check in one line: 有争议:该句出自……(依据:……)."""
    said = " ".join(str(check.get("value") or check.get("detail") or "").split())
    evidence = " ".join(str(check.get("evidence") or "").split())
    return f"{STATUS_ZH['disputed']}:{said}" + (f"(依据:{evidence})" if evidence else "")


def disputed_quotes(rec: Record) -> list[tuple[str, str]]:
    """(quotation text, one-line summary) for each disputed quotation of `rec`."""
    quotes = [q.text for q in rec.quotes]
    out: dict[int, str] = {}
    for c in rec.get("checked", []):
        field = str(c.get("field") or "")
        if c.get("status") != "disputed" or not (field == "quotes" or field.startswith("quotes.")):
            continue
        m = re.fullmatch(r"quotes\.(\d+)(?:\.text)?", field)
        if m:
            picked = [int(m.group(1))] if int(m.group(1)) < len(quotes) else []
        else:
            said = squash(fold(f"{c.get('source_says') or ''}{c.get('value') or ''}"))
            picked = [i for i, q in enumerate(quotes) if squash(fold(q))[:PROBE] in said] or list(range(len(quotes)))
        for i in picked:
            out.setdefault(i, summary(c))
    return [(quotes[i], s) for i, s in sorted(out.items())]


def dispute_of(text: str, disputed: list[tuple[str, str]] | list[list[str]]) -> str | None:
    """The summary when `text` (a snippet or phrase, … and [[marks]] allowed) is part of a
    disputed quotation; else None."""
    probe = squash(fold(text.replace("[[", "").replace("]]", "")))
    pieces = [p for p in probe.split("…") if len(p) >= 2]
    if not pieces:
        return None
    for quote, why in disputed:
        q = squash(fold(quote))
        if all(p in q for p in pieces):
            return why
    return None
