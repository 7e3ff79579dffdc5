"""Dates at the precision the sources give: YYYY, YYYY-MM, YYYY-MM-DD, or START/END."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_PART = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")  # ASCII digits only (not ٢٠١٨); \Z, not $
HELP = "use YYYY, YYYY-MM, YYYY-MM-DD or START/END"


class DateFormatError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class DateSpan:
    """A period: `start` and `end` are the first and last day it may cover."""

    start: date
    end: date
    raw: str

    @property
    def precision(self) -> str:
        if "/" in self.raw:
            return "interval"
        return {4: "year", 7: "month", 10: "day"}[len(self.raw)]

    def overlaps(self, start: date | None, end: date | None) -> bool:
        """True when this period and [start, end] share a day (None = open)."""
        return (start is None or self.end >= start) and (end is None or self.start <= end)

    def zh(self) -> str:
        """The date as a Chinese writer prints it: 2018年5月28日, 2021年5月, 2018年4月24日至28日."""
        if "/" not in self.raw:
            return _zh_single(self.raw)
        a, b = self.raw.split("/")
        left = _zh_single(a)
        right = _zh_single(b)
        # Drop what the end repeats of the start: 2018年4月24日至28日, 2020年8月18日至21日.
        if len(a) == len(b) == 10 and a[:7] == b[:7]:
            right = f"{int(b[8:])}日"
        elif len(a) == len(b) == 10 and a[:4] == b[:4]:
            right = right[5:] if right.startswith(a[:4]) else right
        elif len(a) == len(b) == 7 and a[:4] == b[:4]:
            right = f"{int(b[5:])}月"
        return f"{left}至{right}"

    def iso(self) -> str:
        return self.raw


def _zh_single(s: str) -> str:
    parts = s.split("-")
    out = f"{int(parts[0])}年"
    if len(parts) > 1:
        out += f"{int(parts[1])}月"
    if len(parts) > 2:
        out += f"{int(parts[2])}日"
    return out


def _bounds(s: str) -> tuple[date, date]:
    m = _PART.match(s)
    if not m:
        raise DateFormatError(f"date {s!r} is not a valid date ({HELP})")
    y, mo, d = m.groups()
    try:
        if d:
            day = date(int(y), int(mo), int(d))
            return day, day
        if mo:
            last = calendar.monthrange(int(y), int(mo))[1]
            return date(int(y), int(mo), 1), date(int(y), int(mo), last)
        return date(int(y), 1, 1), date(int(y), 12, 31)
    except ValueError:
        raise DateFormatError(f"date {s!r} is not a valid date ({HELP})") from None


def parse_date(value: object) -> DateSpan:
    """Parse a date as written in a record or on the command line; raise DateFormatError."""
    if isinstance(value, bool) or value is None:
        raise DateFormatError(f"date {value!r} is not a valid date ({HELP})")
    if isinstance(value, date):
        value = value.isoformat()
    s = str(value).strip()
    if "/" in s:
        a, _, b = s.partition("/")
        start, _ = _bounds(a)
        _, end = _bounds(b)
        if end < start:
            raise DateFormatError(f"date {s!r} ends before it starts ({HELP})")
        return DateSpan(start, end, s)
    start, end = _bounds(s)
    return DateSpan(start, end, s)


def zh_or_raw(value: object) -> str:
    """A date as a writer prints it when it parses (2021年5月), else as written."""
    try:
        return parse_date(value).zh()
    except DateFormatError:
        return str(value)
