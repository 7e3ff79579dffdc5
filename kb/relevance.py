"""Relevance measured on a judged query set: recall@k and MRR.

The judged set (tests/judged_queries.yaml) lists, for each query a writer would type, the
records that must come back; it was written by hand from the chapter, not from search output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.search import Filters, Searcher


@dataclass(frozen=True)
class Judged:
    query: str
    relevant: tuple[str, ...]
    filters: Filters


@dataclass(frozen=True)
class Outcome:
    judged: Judged
    found: tuple[str, ...]  # ids returned in the top k
    missing: tuple[str, ...]
    reciprocal_rank: float

    k: int = 10

    @property
    def recall(self) -> float:
        """Capped recall@k: found relevant / min(k, relevant), so a query with more relevant
        records than k is perfect when its top k are all relevant."""
        n = len(self.judged.relevant)
        if n == 0:
            return 1.0
        return min(1.0, (n - len(self.missing)) / min(n, self.k))


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
        out.append(Judged(q["query"], tuple(q.get("relevant") or ()), filters))
    return out


def evaluate(searcher: Searcher, judged: list[Judged], k: int = 10) -> list[Outcome]:
    outcomes = []
    for j in judged:
        result = searcher.search(j.query, j.filters, limit=k)
        found = tuple(h.id for h in result.hits)
        missing = tuple(r for r in j.relevant if r not in found)
        ranks = [i for i, rid in enumerate(found, 1) if rid in j.relevant]
        outcomes.append(Outcome(j, found, missing, 1.0 / ranks[0] if ranks else 0.0, k))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, float]:
    judged = [o for o in outcomes if o.judged.relevant]
    return {
        "queries": len(outcomes),
        "judged": len(judged),
        "recall_at_10": sum(o.recall for o in judged) / len(judged),
        "mrr": sum(o.reciprocal_rank for o in judged) / len(judged),
        "perfect": sum(1 for o in judged if o.recall == 1.0),
    }
