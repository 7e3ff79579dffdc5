"""Does a draft stand for a record? Name comparison and the match rules (docs/import.md)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any


def _norm(s: str) -> str:
    """Text for comparing names: no white space, no punctuation."""
    return "".join(c for c in s if not c.isspace() and not unicodedata.category(c).startswith("P"))


# What a draft or a record writes when the chapter does not say: never a name to match on.
PLACEHOLDERS = ("未载明", "未知", "不详")


def _same_name(a: str | None, b: str | None) -> bool:
    """Two names match when equal after `_norm`, or when one contains the other and the
    shorter has at least 4 characters and is not a placeholder (未载明 matches no occasion
    but 未载明 itself)."""
    x, y = _norm(a or ""), _norm(b or "")
    if not x or not y:
        return False
    if x == y:
        return True
    short, long_ = sorted((x, y), key=len)
    return len(short) >= 4 and not short.startswith(PLACEHOLDERS) and short in long_


def _record_dates(rec: Any) -> set[str]:
    """The dates a draft may give for `rec`: its own, and the chapter's (`Record.source_date`)
    where another source refined it (the chapter's 2021-05 for a record dated 2021-05-21)."""
    out = {rec.date.raw} if rec.date else set()
    if rec.source_date is not None:
        out.add(rec.source_date)
    return out


def _same_speaker(data: Mapping[str, Any], rec: Any) -> bool:
    """The same speaker when both name one (a meeting's event names none)."""
    mine, theirs = data.get("speaker"), rec.get("speaker")
    return not (mine and theirs) or _norm(mine) == _norm(theirs)


def _matches(data: Mapping[str, Any], rec: Any) -> bool:
    """Does draft `data` stand for record `rec`? (See docs/import.md, "What counts as a match".)"""
    kind = data["kind"]
    if kind in ("remark", "event"):
        return (
            rec.kind in ("remark", "event")
            and str(data["date"]) in _record_dates(rec)
            and _same_speaker(data, rec)
            and _same_name(data["occasion"], rec.get("occasion"))
        )
    if kind == "reference":
        return rec.kind == "reference" and (
            _norm(data["raw"]) == _norm(rec.get("raw", ""))
            or (_norm(data["title"]) == _norm(rec.title) and data.get("year") == rec.get("year"))
        )
    if kind == "policy":
        if rec.kind == "policy":
            return _same_name(data["title"], rec.title)
        # A document a meeting adopted may be recorded as that meeting's event: the plenum's
        # 《建议》 is the event "党的十九届五中全会通过《…建议》". Only an event, only by the
        # whole title in 《》.
        return rec.kind == "event" and f"《{data['title']}》" in rec.title
    if kind == "statistic":
        return (
            rec.kind == "statistic"
            and rec.get("year") == data["year"]
            and float(rec.get("value", "nan")) == float(data["value"])
            and rec.get("unit") == data["unit"]
        )
    if kind == "source":
        return rec.kind == "source" and rec.id == data["id"]
    return False
