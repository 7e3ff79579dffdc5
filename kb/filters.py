"""Filters shared by search and the timeline: a period at any precision, kinds, topics,
who said or issued it, region. One parser for the command-line values, one set of messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kb.dates import DateFormatError, DateSpan, parse_date
from kb.errors import QueryError
from kb.records import KINDS, UNIT_KINDS, Record
from kb.text import fold


@dataclass(frozen=True)
class Filters:
    """What may match: a period (periods overlap), kinds, topics (all must hold), people, region."""

    start: date | None = None
    end: date | None = None
    kinds: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    people: str | None = None
    region: str | None = None
    # The names `people` stands for, any of which matches (kb.query.resolve follows the
    # aliases: 中办 → 中共中央办公厅, 中办); empty: `people` itself.
    people_any: tuple[str, ...] = ()

    @staticmethod
    def make(
        date_from: str | None = None,
        date_to: str | None = None,
        year: int | str | None = None,
        kinds: tuple[str, ...] = (),
        topics: tuple[str, ...] = (),
        people: str | None = None,
        region: str | None = None,
    ) -> Filters:
        """Build filters from command-line values; raise QueryError naming the bad option."""
        start = _bound("--from", date_from, first=True)
        end = _bound("--to", date_to, first=False)
        if year is not None:
            ys = _year_span(year)
            start = max(start, ys.start) if start else ys.start
            end = min(end, ys.end) if end else ys.end
        if start and end and start > end:
            raise QueryError(f"--from/--to: the period is empty (it starts {start} and ends {end})")
        for k in kinds:
            if k not in KINDS + UNIT_KINDS:
                raise QueryError(f"--kind: {k!r} is not a kind (use one of: {', '.join(KINDS + UNIT_KINDS)})")
        return Filters(
            start,
            end,
            tuple(dict.fromkeys(kinds)),
            tuple(dict.fromkeys(topics)),
            (people or "").strip() or None,
            (region or "").strip() or None,
        )

    @property
    def dated(self) -> bool:
        """True when a period is asked for, so undated records cannot match."""
        return self.start is not None or self.end is not None

    @property
    def active(self) -> bool:
        return bool(self.dated or self.kinds or self.topics or self.people or self.region)

    def describe(self) -> list[str]:
        """The filters as the options that set them, for messages."""
        out = []
        if self.dated:
            out.append(f"--from/--to {self.start or '…'}–{self.end or '…'}")
        out += [f"--kind {k}" for k in self.kinds]
        out += [f"--topic {t}" for t in self.topics]
        if self.people:
            out.append(f"--speaker/--issuer {self.people}")
        if self.region:
            out.append(f"--region {self.region}")
        return out

    def check_topics(self, known) -> None:
        """QueryError for a --topic the corpus's topic list does not hold."""
        for t in self.topics:
            if known and t not in known:
                raise QueryError(f"--topic: {t!r} is not a topic of this corpus (see corpus/topics.yaml)")

    def matches(self, rec: Record, default_kinds: tuple[str, ...] = KINDS) -> bool:
        """True when `rec` passes every filter; `default_kinds` apply when no --kind is given."""
        if rec.kind not in (self.kinds or default_kinds):
            return False
        if self.dated and (rec.date is None or not rec.date.overlaps(self.start, self.end)):
            return False
        if any(t not in rec.topics for t in self.topics):
            return False
        if self.people:
            role = rec.get("speaker_role")
            who = (*rec.people, role) if role else rec.people
            if not any(fold(n) in fold(p) for n in (self.people_any or (self.people,)) for p in who):
                return False
        if self.region and rec.region != self.region:
            return False
        return True


def _bound(option: str, value: str | None, first: bool) -> date | None:
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    if "/" in value:
        raise QueryError(f"{option}: {value!r} is a period; give one date (YYYY, YYYY-MM or YYYY-MM-DD)")
    try:
        span = parse_date(value)
    except DateFormatError:
        raise QueryError(f"{option}: {value!r} is not a valid date (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return span.start if first else span.end


def _year_span(year: int | str) -> DateSpan:
    text = str(year).strip()
    if not (text.isdigit() and len(text) == 4):
        raise QueryError(f"--year: {year!r} is not a year (use four digits, e.g. --year 2020)")
    return parse_date(text)
