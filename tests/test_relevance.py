"""Relevance on the judged query set: every record that must come back is in the top 10."""

from __future__ import annotations

from kb.relevance import evaluate, load_judged, summary

from .conftest import REPO

JUDGED = REPO / "tests" / "judged_queries.yaml"


def test_judged_set_is_real_and_large_enough(bundled):
    judged = load_judged(JUDGED)
    assert len(judged) >= 40
    assert sum(1 for j in judged if j.filters.active) >= 5
    for j in judged:
        for rid in j.relevant:
            assert bundled.get(rid) is not None, (j.query, rid)


def test_recall_at_10_is_perfect(searcher):
    outcomes = evaluate(searcher, load_judged(JUDGED))
    misses = [(o.judged.query, o.missing) for o in outcomes if o.recall < 1.0]
    assert misses == []
    figures = summary(outcomes)
    assert figures["recall_at_10"] == 1.0
    assert figures["mrr"] >= 0.9
