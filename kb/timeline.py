"""The timeline: which records a listing by date shows, in what order, and under which year.

Remarks, events and policies by default (statistics, references and sources only when asked
with `kinds`). A record whose date is an interval or a year sorts at its start and sits under
the year it starts in; undated records come last, and only when no date filter is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kb.corpus import Corpus
from kb.dates import DateFormatError, parse_date
from kb.errors import QueryError
from kb.records import KINDS, Record

DEFAULT_KINDS = ("remark", "event", "policy")
UNDATED = "日期不详"


@dataclass(frozen=True)
class TimelineFilters:
    """What a timeline keeps: a period (any precision; periods overlap), kinds, topics, people, region."""

    start: date | None = None
    end: date | None = None
    kinds: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    people: str | None = None
    region: str | None = None

    @staticmethod
    def make(
        date_from: str | None = None,
        date_to: str | None = None,
        year: int | str | None = None,
        kinds: tuple[str, ...] = (),
        topics: tuple[str, ...] = (),
        people: str | None = None,
        region: str | None = None,
    ) -> TimelineFilters:
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
            if k not in KINDS:
                raise QueryError(f"--kind: {k!r} is not a kind (use one of: {', '.join(KINDS)})")
        return TimelineFilters(
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

    def matches(self, rec: Record) -> bool:
        """True when `rec` passes every filter (the kind filter included)."""
        if rec.kind not in (self.kinds or DEFAULT_KINDS):
            return False
        if self.dated and (rec.date is None or not rec.date.overlaps(self.start, self.end)):
            return False
        if any(t not in rec.topics for t in self.topics):
            return False
        if self.people and not any(self.people in p for p in rec.people):
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


def _year_span(year: int | str):
    text = str(year).strip()
    if not (text.isdigit() and len(text) == 4):
        raise QueryError(f"--year: {year!r} is not a year (use four digits, e.g. --year 2020)")
    return parse_date(text)


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: the record and what a listing shows of it."""

    record: Record
    phrase: str
    phrase_from: str | None  # "quote", "summary", "raw" or None

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def date_zh(self) -> str:
        return self.record.date.zh() if self.record.date else UNDATED

    def to_json(self) -> dict:
        rec = self.record
        return {
            "id": rec.id,
            "kind": rec.kind,
            "date": rec.date.iso() if rec.date else None,
            "date_zh": self.date_zh,
            "title": rec.title,
            "headline": rec.headline,
            "people": list(rec.people),
            "topics": list(rec.topics),
            "region": rec.region,
            "phrase": self.phrase,
            "phrase_from": self.phrase_from,
            "path": rec.path,
        }


@dataclass(frozen=True)
class YearGroup:
    """The entries of one year (`year` None: the undated ones)."""

    year: int | None
    entries: tuple[Entry, ...]

    @property
    def heading(self) -> str:
        return UNDATED if self.year is None else f"{self.year}年"


@dataclass(frozen=True)
class Timeline:
    filters: TimelineFilters
    groups: tuple[YearGroup, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for g in self.groups for e in g.entries)

    def to_json(self) -> list[dict]:
        return [e.to_json() for e in self.entries]


def key_phrase(rec: Record) -> tuple[str, str | None]:
    """What a listing shows under the headline, and where it comes from.

    A speech or a figure: its first quotation (the source's words), else our summary. A policy:
    our summary first, because what the chapter quotes about a policy is often one sentence
    naming several documents. A reference: the footnote as printed.
    """
    quote = rec.quotes[0].text if rec.quotes else None
    summary = rec.get("summary")
    if rec.kind == "reference":
        return (rec.get("raw"), "raw") if rec.get("raw") else ("", None)
    order = [(quote, "quote"), (summary, "summary")]
    if rec.kind == "policy":
        order.reverse()
    for text, origin in order:
        if text:
            return " ".join(text.split()), origin
    return "", None


def timeline(corpus: Corpus, filters: TimelineFilters = TimelineFilters()) -> Timeline:
    """The records of `corpus` that pass `filters`, by date, grouped by the year they start in."""
    for t in filters.topics:
        if corpus.topics and t not in corpus.topics:
            known = ", ".join(corpus.topics)
            raise QueryError(f"--topic: {t!r} is not a topic of this corpus (use one of: {known})")
    groups: dict[int | None, list[Entry]] = {}
    # corpus.records is already in date order (start, end, kind, id), undated last.
    for rec in corpus.records:
        if not filters.matches(rec):
            continue
        text, origin = key_phrase(rec)
        year = rec.date.start.year if rec.date else None
        groups.setdefault(year, []).append(Entry(rec, text, origin))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    return Timeline(filters, tuple(YearGroup(y, tuple(es)) for y, es in ordered))
