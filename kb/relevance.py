"""Relevance measured on a judged query set: recall@k, MRR and "complete", per class.

The judged set (tests/judged_queries.yaml) lists, for each query a writer would type, the
records that must come back; it was written by hand from the chapter, not from search output.
A query may also name the record that must rank `first`, the records that must come back
marked `disputed`, or that nothing may match (`hits: 0`); `class` groups the queries by the
kind of writer's query they test (#11). A query that finds nothing but offers a did-you-mean
is judged on that suggestion's hits: it is what the writer runs next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.search import Filters, Searcher

BASE_CLASS = "earlier"  # queries written before the classes of #11


@dataclass(frozen=True)
class Judged:
    query: str
    relevant: tuple[str, ...]
    filters: Filters
    cls: str = BASE_CLASS
    first: str | None = None
    disputed: tuple[str, ...] = ()
    none: bool = False  # `hits: 0`: nothing may match


@dataclass(frozen=True)
class Outcome:
    judged: Judged
    found: tuple[str, ...]  # ids returned in the top k
    missing: tuple[str, ...]
    reciprocal_rank: float
    k: int = 10
    followed: str | None = None  # the did-you-mean query judged instead
    unmarked: tuple[str, ...] = ()  # `disputed` records returned without the mark
    total: int = 0

    @property
    def recall(self) -> float:
        """Capped recall@k: found relevant / min(k, relevant), so a query with more relevant
        records than k is perfect when its top k are all relevant."""
        n = len(self.judged.relevant)
        if n == 0:
            return 1.0
        return min(1.0, (n - len(self.missing)) / min(n, self.k))

    @property
    def first_ok(self) -> bool:
        return self.judged.first is None or (bool(self.found) and self.found[0] == self.judged.first)

    @property
    def complete(self) -> bool:
        """Every relevant record in the top k, the `first` first, disputes marked, and no hit
        where none may be."""
        return self.recall == 1.0 and self.first_ok and not self.unmarked and not (self.judged.none and self.total)


def load_judged(path: Path) -> list[Judged]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out = []
    for q in data["queries"]:
        f = q.get("filters") or {}
        filters = Filters.make(
            date_from=str(f["from"]) if "from" in f else None,
            date_to=str(f["to"]) if "to" in f else None,
            year=f.get("year"),
            kinds=tuple(f.get("kind") or ()),
            topics=tuple(f.get("topic") or ()),
            people=f.get("people"),
            region=f.get("region"),
        )
        out.append(
            Judged(
                q["query"],
                tuple(q.get("relevant") or ()),
                filters,
                q.get("class") or BASE_CLASS,
                q.get("first"),
                tuple(q.get("disputed") or ()),
                q.get("hits") == 0,
            )
        )
    return out


def evaluate(searcher: Searcher, judged: list[Judged], k: int = 10) -> list[Outcome]:
    outcomes = []
    for j in judged:
        result = searcher.search(j.query, j.filters, limit=k)
        followed = None
        if not result.total:
            spelt = [s for s in result.suggestions if getattr(s, "kind", None) == "spelling"]
            if spelt:
                followed = spelt[0].query
                result = searcher.search(followed, j.filters, limit=k)
        found = tuple(h.id for h in result.hits) + tuple(
            p.id for h in result.hits for p in h.parts
        )  # units under a line too
        missing = tuple(r for r in j.relevant if r not in found)
        ranks = [i for i, rid in enumerate(found, 1) if rid in j.relevant]
        unmarked = tuple(h.id for h in result.hits if h.id in j.disputed and h.dispute is None)
        rr = 1.0 / ranks[0] if ranks else 0.0
        outcomes.append(Outcome(j, found, missing, rr, k, followed, unmarked, result.total))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, float]:
    judged = [o for o in outcomes if o.judged.relevant]
    return {
        "queries": len(outcomes),
        "judged": len(judged),
        "recall_at_10": sum(o.recall for o in judged) / len(judged) if judged else 1.0,
        "mrr": sum(o.reciprocal_rank for o in judged) / len(judged) if judged else 1.0,
        "perfect": sum(1 for o in judged if o.recall == 1.0),
        "complete": sum(1 for o in outcomes if o.complete),
    }


def by_class(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """`summary` for each class, in the order the classes first appear."""
    classes: dict[str, list[Outcome]] = {}
    for o in outcomes:
        classes.setdefault(o.judged.cls, []).append(o)
    return {c: summary(os) for c, os in classes.items()}


@dataclass(frozen=True)
class SynonymReport:
    """Each word of the synonym and alias groups with the hits it finds (synonyms on), and the
    dead ones: words that find nothing, so the group does nothing for a writer."""

    counts: tuple[tuple[str, int], ...]

    @property
    def dead(self) -> tuple[str, ...]:
        return tuple(w for w, n in self.counts if n == 0)


def synonym_report(searcher: Searcher, groups: Iterable[Iterable[str]] | None = None) -> SynonymReport:
    """How many records each synonym (corpus/synonyms.yaml) and query-side alias finds."""
    from kb import query as qmod

    if groups is None:
        groups = qmod.synonym_groups(searcher.synonyms, {k: v for k, v in searcher.aliases.items() if k != "speakers"})
    words = list(dict.fromkeys(w for g in groups for w in g))
    return SynonymReport(tuple((w, searcher.count(w)) for w in words))
