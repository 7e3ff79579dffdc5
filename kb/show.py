"""One record in full: the record, its source, the records around it, and how to cite it."""

from __future__ import annotations

from dataclasses import dataclass

from kb.corpus import Corpus
from kb.records import Record

# Why a record is shown beside another one.
LISTS = "lists"  # the shown record names it in `related`
LISTED_BY = "listed_by"  # it names the shown record in its `related`
SAME_OCCASION = "same_occasion"  # a speech or event of the same occasion
SAME_DATE = "same_date"  # a day-precise date (or interval) that overlaps


@dataclass(frozen=True)
class Related:
    record: Record
    how: tuple[str, ...]

    def to_json(self) -> dict:
        rec = self.record
        return {
            "id": rec.id,
            "kind": rec.kind,
            "date": rec.date_iso,
            "headline": rec.headline,
            "how": list(self.how),
        }


@dataclass(frozen=True)
class Shown:
    """Everything `kb show` prints about one record."""

    record: Record
    source: Record | None
    related: tuple[Related, ...]
    cite: str

    def to_json(self) -> dict:
        return self.record.to_json()


def show(corpus: Corpus, record_id: str) -> Shown:
    """The record `record_id` with its source and related records; NotFound names the closest ids."""
    rec = corpus.require(record_id)
    source = corpus.get(rec.source_id or "")
    return Shown(rec, source, related(corpus, rec), f"kb cite {rec.id}")


def related(corpus: Corpus, rec: Record) -> tuple[Related, ...]:
    """Records linked to `rec` either way through `related`, then those of the same occasion or day."""
    how: dict[str, list[str]] = {}
    for rid in rec.get("related", []):
        if corpus.get(rid) and rid != rec.id:
            how.setdefault(rid, []).append(LISTS)
    for other in corpus.records:
        if other.id == rec.id:
            continue
        if rec.id in other.get("related", []):
            how.setdefault(other.id, []).append(LISTED_BY)
        if _same_occasion(rec, other):
            how.setdefault(other.id, []).append(SAME_OCCASION)
        elif _same_day(rec, other):
            how.setdefault(other.id, []).append(SAME_DATE)
    return tuple(Related(corpus.by_id[rid], tuple(hs)) for rid, hs in how.items())


def _same_occasion(a: Record, b: Record) -> bool:
    occ = a.get("occasion")
    if not occ or occ != b.get("occasion") or a.date is None or b.date is None:
        return False
    return a.date.overlaps(b.date.start, b.date.end)


def _same_day(a: Record, b: Record) -> bool:
    """Both dates precise to the day (or day intervals) and overlapping: the same moment."""
    if a.date is None or b.date is None or "source" in (a.kind, b.kind):
        return False
    if a.date.precision in ("year", "month") or b.date.precision in ("year", "month"):
        return False
    return a.date.overlaps(b.date.start, b.date.end)
