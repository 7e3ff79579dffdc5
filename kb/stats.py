"""The shape of a corpus: how many records of each kind, year, topic and speaker or issuer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from kb.corpus import Corpus
from kb.records import KINDS

# Whose names count as speakers or issuers (authors of references and sources do not).
PEOPLE_KINDS = ("remark", "event", "policy")


@dataclass(frozen=True)
class Stats:
    """Counts, each as (key, count) pairs in display order. `by_year` has every year from the
    first to the last, those without records as 0 (so the text view and JSON agree), then None
    for the undated ones."""

    total: int
    by_kind: tuple[tuple[str, int], ...]
    by_year: tuple[tuple[int | None, int], ...]
    by_topic: tuple[tuple[str, int], ...]
    by_people: tuple[tuple[str, int], ...]

    def to_json(self) -> dict:
        return {
            "total": self.total,
            "by_kind": dict(self.by_kind),
            "by_year": {("undated" if y is None else str(y)): n for y, n in self.by_year},
            "by_topic": dict(self.by_topic),
            "by_people": dict(self.by_people),
        }


def stats(corpus: Corpus) -> Stats:
    """Count every record of `corpus` by kind (schema order), year it starts in (every year
    from the first to the last, 0 where none; undated last), topic and speaker/issuer (most
    first; ties in topics.yaml or name order)."""
    recs = corpus.records
    kinds = Counter(r.kind for r in recs)
    years = Counter(r.date.start.year if r.date else None for r in recs)
    topics = Counter(t for r in recs for t in r.topics)
    people = Counter(p for r in recs if r.kind in PEOPLE_KINDS for p in r.people)
    dated = [y for y in years if y is not None]
    by_year: list[tuple[int | None, int]] = []
    if dated:
        by_year = [(y, years.get(y, 0)) for y in range(min(dated), max(dated) + 1)]
    if None in years:
        by_year.append((None, years[None]))
    topic_rank = {t: i for i, t in enumerate(corpus.topics)}
    return Stats(
        total=len(recs),
        by_kind=tuple((k, kinds[k]) for k in KINDS if kinds[k]),
        by_year=tuple(by_year),
        by_topic=tuple(sorted(topics.items(), key=lambda kv: (-kv[1], topic_rank.get(kv[0], len(topic_rank)), kv[0]))),
        by_people=tuple(sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
