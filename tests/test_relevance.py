"""Relevance on the judged query set: every record that must come back is in the top 10, the
named first record is first, disputes are marked, and no hit matches only through internal
text (ids, check evidence, field names) — checked against the records' YAML, not the index."""

from __future__ import annotations

import re

from kb.relevance import by_class, evaluate, load_judged, summary
from kb.text import fold

from .conftest import REPO

JUDGED = REPO / "tests" / "judged_queries.yaml"
WRITER_BLOCK = "# --- writer classes (#11)"
CLASSES = {"roles", "abbreviations", "years", "typos", "issuers", "topics", "disputes", "ranking"}
# Where a record keeps what only we and kb use: never a reason for a hit.
INTERNAL_KEYS = {"id", "evidence", "via", "related", "source", "text_file", "kind", "draft", "topics"}


def test_judged_set_is_real_and_large_enough(bundled):
    judged = load_judged(JUDGED)
    assert len(judged) >= 40
    assert sum(1 for j in judged if j.filters.active) >= 5
    for j in judged:
        for rid in (*j.relevant, *([j.first] if j.first else []), *j.disputed):
            assert bundled.get(rid.partition("#")[0]) is not None, (j.query, rid)  # a record, or a provision of one
        assert j.first is None or j.first in j.relevant, j.query


def test_writer_block_covers_every_class():
    text = JUDGED.read_text(encoding="utf-8")
    assert text.count(WRITER_BLOCK) == 1
    block = text.split(WRITER_BLOCK, 1)[1]
    assert len(re.findall(r"^  - query: ", block, re.M)) >= 60
    judged = [j for j in load_judged(JUDGED) if j.cls in CLASSES]
    assert {j.cls for j in judged} == CLASSES
    assert all(sum(1 for j in judged if j.cls == c) >= 6 for c in CLASSES)


def test_recall_at_10_is_perfect(searcher):
    outcomes = evaluate(searcher, load_judged(JUDGED))
    misses = [(o.judged.query, o.missing) for o in outcomes if o.recall < 1.0]
    assert misses == []
    figures = summary(outcomes)
    assert figures["recall_at_10"] == 1.0
    assert figures["mrr"] >= 0.95
    assert [(o.judged.query, o.found[:1]) for o in outcomes if not o.first_ok] == []
    assert [(o.judged.query, o.unmarked) for o in outcomes if o.unmarked] == []
    assert [o.judged.query for o in outcomes if o.judged.none and o.total] == []
    for name, f in by_class(outcomes).items():
        assert f["recall_at_10"] == 1.0 and f["complete"] == f["queries"], name


def _public_text(value, ids: set[str], key: str = "") -> str:
    """Every string of a record's YAML a reader sees as its content, internal keys left out and
    record ids cut out of notes."""
    if key in INTERNAL_KEYS:
        return ""
    if isinstance(value, dict):
        return "\n".join(_public_text(v, ids, k) for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(_public_text(v, ids, key) for v in value)
    text = str(value)
    for rid in ids:
        text = text.replace(rid, " ")
    return text


def test_no_hit_matches_only_through_internal_text(searcher, bundled):
    ids = {r.id for r in bundled.records}
    alone = []
    for o in evaluate(searcher, load_judged(JUDGED)):
        result = searcher.search(o.followed or o.judged.query, o.judged.filters)
        for h in result.hits:
            if not h.matched or bundled.get(h.id) is None:  # a date or kind read from the query; a unit
                continue
            public = fold("".join(_public_text(dict(bundled.get(h.id).data), ids).split()))
            if not any(t in public for t in h.matched):
                alone.append((o.judged.query, h.id, h.matched))
    assert alone == []


def _own_text(rec) -> str:
    d = rec.data
    parts = [rec.title, *(q.text for q in rec.quotes), *rec.people, str(d.get("speaker_role") or "")]
    for k in ("occasion", "place", "body", "original_title", "doc_number", "indicator", "journal", "raw"):
        parts.append(str(d.get(k) or ""))
    parts += [str(x) for x in (d.get("structure") or []) + (d.get("targets") or [])]
    if rec.kind == "statistic":
        parts.append(f"{d.get('value')}{d.get('unit', '')}")
    return fold("".join("".join(parts).split()))


def test_own_words_rank_above_matches_only_in_our_notes(searcher, bundled):
    """A record whose own quotation, title or fields hold a matched word ranks above every
    record that holds the matched words only in our summary, notes or checks."""
    wrong = []
    for o in evaluate(searcher, load_judged(JUDGED)):
        result = searcher.search(o.followed or o.judged.query, o.judged.filters)
        own = [  # records only: the chapter's paragraphs are listed after them (kb.units)
            any(t in _own_text(bundled.get(h.id)) for t in h.matched)
            for h in result.hits
            if h.matched and bundled.get(h.id)
        ]
        if False in own and True in own and own.index(False) < len(own) - own[::-1].index(True) - 1:
            wrong.append((o.judged.query, [h.id for h in result.hits]))
    assert wrong == []
