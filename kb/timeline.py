"""The timeline: which records a listing by date shows, in what order, and under which year.

Remarks, events and policies by default (statistics, references and sources only when asked
with `kinds`). A record whose date is an interval or a year sorts at its start and sits under
the year it starts in; undated records come last, and only when no date filter is set.

A record's date is the most precise one the corpus knows. Where another source refined the
chapter's date (a `checked` entry, field date, status refined), the entry also carries the
chapter's own value (`date_source`), so a listing can mark the date and say what the chapter wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.corpus import Corpus
from kb.disputes import dispute_of, disputed_quotes
from kb.filters import Filters
from kb.records import UNDATED, Record
from kb.text import fold

DEFAULT_KINDS = ("remark", "event", "policy")


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
        """The record's date in Chinese (2021年5月21日), or 日期不详."""
        return self.record.date_zh

    @property
    def date_shown(self) -> str:
        """The date with what it is the date of (2016年3月 报道)."""
        return self.record.date_shown

    @property
    def date_source(self) -> str | None:
        """The chapter's own, less precise date (ISO, `2021-05`) where another source refined it."""
        return self.record.source_date

    @property
    def date_source_zh(self) -> str | None:
        """`date_source` in Chinese (2021年5月), or None."""
        return self.record.source_date_zh

    @property
    def dispute(self) -> str | None:
        """Why the key phrase is disputed, in one line, when it is a disputed quotation."""
        if self.phrase_from != "quote" or not self.phrase:
            return None
        disputed = disputed_quotes(self.record)
        return dispute_of(self.phrase, disputed) if disputed else None

    @property
    def refined(self) -> bool:
        """True when the date shown is more precise than what the chapter wrote."""
        return self.date_source is not None

    def to_json(self) -> dict:
        rec = self.record
        return {
            "id": rec.id,
            "kind": rec.kind,
            "date": rec.date_iso,
            "date_zh": self.date_zh,
            "date_source": self.date_source,
            "date_source_zh": self.date_source_zh,
            "date_kind": rec.get("date_kind"),
            "title": rec.title,
            "headline": rec.headline,
            "people": list(rec.people),
            "topics": list(rec.topics),
            "region": rec.region,
            "phrase": self.phrase,
            "phrase_from": self.phrase_from,
            "disputed": self.dispute is not None,
            "dispute": self.dispute,
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
    groups: tuple[YearGroup, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for g in self.groups for e in g.entries)

    @property
    def any_refined(self) -> bool:
        """Whether any entry's date was refined by another source (a listing then adds a legend)."""
        return any(e.refined for e in self.entries)

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


def timeline(corpus: Corpus, filters: Filters | None = None) -> Timeline:
    """The records of `corpus` that pass `filters`, by date, grouped by the year they start in."""
    from kb import query as qmod
    from kb.index import people_words

    filters = filters or Filters()
    names = [p for rec in corpus.records for p in people_words(rec)]

    def known(name: str) -> bool:
        return any(fold(name) in fold(p) for p in names)

    filters, _ = qmod.resolve(
        filters,
        corpus.topics,
        corpus.synonyms,
        corpus.aliases,
        known,
        lambda: [*names, *qmod.alias_names(corpus.aliases)],
    )
    groups: dict[int | None, list[Entry]] = {}
    # corpus.records is already in date order (start, end, kind, id), undated last.
    for rec in corpus.records:
        if not filters.matches(rec, DEFAULT_KINDS):
            continue
        text, origin = key_phrase(rec)
        year = rec.date.start.year if rec.date else None
        groups.setdefault(year, []).append(Entry(rec, text, origin))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    return Timeline(tuple(YearGroup(y, tuple(es)) for y, es in ordered))
