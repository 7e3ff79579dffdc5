"""The fast evaluator (kb.fasteval) against Whoosh's collector on the real corpus: every judged
query, with and without filters, gives the same hits, scores, totals, facets, snippets and
matched words; an unsupported query shape visibly falls back; caches never outlive a refresh."""

from __future__ import annotations

import shutil

import pytest

from kb.relevance import load_judged
from kb.search import Filters, Searcher

from .conftest import CORPUS, REPO

JUDGED = load_judged(REPO / "tests" / "judged_queries.yaml")
FILTERS = (
    Filters(),
    Filters.make(date_from="2016", date_to="2021-06"),
    Filters.make(kinds=("remark", "policy")),
    Filters.make(people="习近平", topics=("科技成果转化",)),
)


def outcome(s: Searcher, fast: bool, query: str, f: Filters, **kw):
    """Everything a search returns, and which path answered it."""
    s.fast = fast
    try:
        r = s.search(query, f, limit=kw.pop("limit", 20), facets=True, **kw)
    finally:
        s.fast = True
    hits = [(h.id, h.score, h.snippet, h.matched, h.kind, h.date) for h in r.hits]
    return (r.total, hits, r.facets, r.notices, r.suggestions, r.parsed), s.fast_fallback


def assert_same(a, b):
    """Identical results; scores equal to 1e-9 (they are in fact bit-identical)."""
    (ta, ha, *rest_a), (tb, hb, *rest_b) = a, b
    assert ta == tb
    assert [h[0] for h in ha] == [h[0] for h in hb]
    for x, y in zip(ha, hb, strict=True):
        assert abs(x[1] - y[1]) <= 1e-9 * max(1.0, abs(y[1])), (x, y)
        assert x[2:] == y[2:]
    assert rest_a == rest_b


@pytest.mark.slow
@pytest.mark.parametrize("judged", JUDGED, ids=[j.query for j in JUDGED])
def test_judged_queries_fast_equals_collector(searcher, judged):
    cases = (
        [(judged.filters, {})]
        + [(f, {}) for f in FILTERS if f != judged.filters]
        + [(judged.filters, {"sort": "date"})]
    )
    for f, kw in cases:
        fast, why = outcome(searcher, True, judged.query, f, **kw)
        ref, _ = outcome(searcher, False, judged.query, f, **kw)
        assert why is None, (judged.query, why)  # every judged query runs on the fast path
        assert_same(fast, ref)


def test_a_hand_checked_result_on_both_paths(searcher):
    """最后一公里 is said in exactly one record of the chapter (README's example), and in two of
    the chapter's paragraphs (passages, kb.units)."""
    for fast in (True, False):
        (total, hits, *_), _ = outcome(searcher, fast, "最后一公里", Filters())
        assert total == 3
        assert hits[0][0] == "2018-05-28-xi-academicians-conference"
        assert hits[0][3] == ("最后一公里",)
        assert "【" not in hits[0][2] and "[[最后一公里]]" in hits[0][2]


def test_not_words_are_never_listed_as_matched(searcher):
    """A NOT word is not why a record matched (Whoosh's collector could list it when the
    negated matcher sat on the document)."""
    for fast in (True, False):
        (total, hits, *_), _ = outcome(searcher, fast, "科技 NOT 评价", Filters(), limit=100)
        assert total > 0
        assert all("评价" not in h[3] for h in hits)


def test_matched_words_hold_in_the_record(searcher, bundled):
    """Every matched word of a widened query (研发经费 ~ 研发投入 ~ R&D经费) is on a branch that
    matched: 经费 alone is listed only where R&D经费 (r, d and 经费) matched."""
    from kb.index import body_text, notes_text
    from kb.text import squash_folded

    (total, hits, *_), _ = outcome(searcher, True, "研发经费", Filters())
    assert total > 0
    for h in hits:
        rec = bundled.get(h[0])
        if rec is None:  # a provision or passage (kb.units): its words are checked in test_units
            continue
        text = squash_folded(" ".join([rec.title, body_text(rec), " ".join(rec.people), notes_text(rec)]))
        assert all(squash_folded(w) in text for w in h[3]), h
        if "经费" in h[3]:
            assert "r&d经费" in text or "研发经费" in text


def test_unsupported_shape_falls_back_to_the_collector(searcher):
    """A prefix query (科技*) is not evaluated by the fast path: it says why and the collector
    answers, with the same results as with the fast path switched off."""
    fast, why = outcome(searcher, True, "科技*", Filters())
    assert why == "query node Prefix"
    ref, _ = outcome(searcher, False, "科技*", Filters())
    assert fast == ref and fast[0] > 0
    _, why = outcome(searcher, True, "科技", Filters())
    assert why is None


def test_refresh_never_serves_a_stale_cache(tmp_path):
    """Change a record, refresh the Searcher: the same query on the fast path sees the change
    (its term caches belonged to the previous index version)."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    from kb.home import locate

    home = locate(tmp_path)
    path = tmp_path / "corpus" / "remarks" / "2018-05-28-xi-academicians-conference.yaml"
    with Searcher(home) as s:
        before = s.search("最后一公里")
        assert [h.id for h in before.hits if h.kind != "passage"] == ["2018-05-28-xi-academicians-conference"]
        assert s.fast_fallback is None and s._fastindex is not None
        old = s._fastindex
        assert s.search("独一无二刷新测试").total == 0
        text = path.read_text(encoding="utf-8")
        assert "\nsummary: " in text
        path.write_text(text.replace("\nsummary: ", "\nsummary: 独一无二刷新测试。"), encoding="utf-8")
        assert s.refresh() == "索引已更新:修改 1 条"
        after = s.search("独一无二刷新测试")
        assert s.fast_fallback is None and s._fastindex is not old
        assert [h.id for h in after.hits] == ["2018-05-28-xi-academicians-conference"]
        assert "独一无二" in after.hits[0].matched and "独一无二" in after.hits[0].snippet
        assert s.search("最后一公里").total == 3  # the deleted old version is not counted twice (1 + 2 passages)
        s.fast = False
        assert s.search("独一无二刷新测试") == after
        s.fast = True
        assert s.refresh() is None  # nothing changed: the caches stay


def test_a_rebuild_on_a_terminal_says_why_and_shows_progress():
    """The first search that must build the index says so at once, with the reason, and draws
    a bar; a pipe or a test runner keeps its one-line notice after the build instead."""
    import io

    from kb.progress import rebuild_reporter

    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = Tty()
    progress = rebuild_reporter("尚无索引", out)
    assert out.getvalue() == "正在建立检索索引(尚无索引);建成后开始检索 …\n"
    progress(200, 800)
    progress(800, 800)
    lines = out.getvalue().split("\n")
    assert lines[1].startswith("\r[#######.......................] 200/800 条记录")
    assert "\r[##############################] 800/800 条记录" in lines[1] and lines[2] == ""
    assert rebuild_reporter("no index yet", io.StringIO()) is None
