"""At scale: on a generated corpus of a few thousand records (bench/gen_corpus.py), filters,
facets, date order and freshness checks stay right, and the fast path (jieba's dictionary read
from SQLite) gives exactly the results of the plain path (the dictionary loaded in memory)."""

from __future__ import annotations

import dataclasses
import importlib.util
from collections import Counter
from datetime import date

import pytest

from kb import corpus as corpus_mod
from kb import index as index_mod
from kb.analysis import full_segmenter, register
from kb.home import locate
from kb.search import Filters, Searcher

from .conftest import REPO

N = 2000  # with the copied sources above 2,000 records: the build uses both cores
RECORD_KINDS = ("remark", "event", "policy", "statistic", "reference")
EXTRA = len(list((REPO / "corpus" / "sources").glob("*.yaml"))) + 1  # the copied sources and one bibliography
QUERIES = (
    "科技自立自强",
    "科技成果转化",
    "基础研究",
    "创新链 产业链",
    "关键核心技术 OR 科技强国",
    '"创新驱动发展"',
    "知识产权",
)
PERIODS = (("2012", "2020-06"), ("2019", None), (None, "1990-03"), ("2001-02-03", "2001-02-03"), ("1985-07", "1986"))


def _gen():
    spec = importlib.util.spec_from_file_location("gen_corpus", REPO / "bench" / "gen_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    _gen().generate(root, N, seed=7)
    home = locate(root)
    opened = index_mod.ensure(home)
    assert opened.notice == f"索引已建成:{N + EXTRA} 条记录(尚无索引)"
    return home, corpus_mod.load(home.corpus_dir)


@pytest.fixture(scope="module")
def searcher(big):
    s = Searcher(big[0])
    yield s
    s.close()


def _all(s, q, f=None, **kw):
    """Every hit of a query; its total must be exact, not Whoosh's estimate. Records only: the
    copied chapter's passages (kb.units) are grouped into one line and tested in test_units."""
    f = f or Filters()
    if not f.kinds:
        f = dataclasses.replace(f, kinds=RECORD_KINDS)
    first = s.search(q, f, limit=1)
    return s.search(q, f, limit=max(1, first.total), **kw)


def test_generated_corpus_is_valid_and_deterministic(big, tmp_path):
    home, corpus = big
    kinds = Counter(r.kind for r in corpus.records)
    assert set(kinds) == {"remark", "event", "policy", "statistic", "reference", "source"}
    precisions = Counter(r.date.precision if r.date else None for r in corpus.records)
    assert {"year", "month", "day", "interval", None} <= set(precisions)
    gen = _gen()
    gen.generate(tmp_path / "a", 60, seed=7)
    gen.generate(tmp_path / "b", 60, seed=7)
    a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(a) > 60
    assert all((tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in a)


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_date_filters_equal_the_unfiltered_hits_in_the_period(big, searcher, start, end):
    _, corpus = big
    f = Filters.make(date_from=start, date_to=end)
    for q in QUERIES[:4]:
        every = _all(searcher, q)
        expected = {h.id for h in every.hits if (r := corpus.get(h.id)).date and r.date.overlaps(f.start, f.end)}
        got = _all(searcher, q, f)
        assert got.total == len(expected)
        assert {h.id for h in got.hits} == expected


def test_kind_and_topic_filters(big, searcher):
    _, corpus = big
    every = _all(searcher, "科技成果转化")
    for f, keep in (
        (Filters.make(kinds=("policy", "event")), lambda r: r.kind in ("policy", "event")),
        (Filters.make(topics=("基础研究",)), lambda r: "基础研究" in r.topics),
        (
            Filters.make(date_from="2000", kinds=("remark",)),
            lambda r: r.kind == "remark" and r.date and r.date.end.year >= 2000,
        ),
    ):
        expected = {h.id for h in every.hits if keep(corpus.get(h.id))}
        assert {h.id for h in _all(searcher, "科技成果转化", f).hits} == expected


def test_facets_count_every_hit(big, searcher):
    _, corpus = big
    result = _all(searcher, "科技自立自强", Filters.make(date_from="2005"), facets=True)
    recs = [corpus.get(h.id) for h in result.hits]
    assert result.facets["kind"] == dict(sorted(Counter(r.kind for r in recs).items(), key=lambda kv: (-kv[1], kv[0])))
    assert result.facets["year"] == dict(
        sorted(Counter(str(r.date.start.year) for r in recs).items(), key=lambda kv: (-kv[1], kv[0]))
    )
    topics = Counter(t for r in recs for t in r.topics)
    assert result.facets["topic"] == dict(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0])))


def test_sort_by_date_gives_the_earliest_in_order(big, searcher):
    _, corpus = big
    every = _all(searcher, "科技成果转化")
    starts = sorted(corpus.get(h.id).date.start if corpus.get(h.id).date else date.max for h in every.hits)
    got = searcher.search("科技成果转化", limit=40, sort="date")
    dates = [corpus.get(h.id).date.start for h in got.hits]
    assert dates == sorted(dates) == starts[:40]


def test_fast_path_equals_plain_path(big, searcher):
    """The same queries through the SQLite-backed segmenter and through the in-memory one."""
    home, corpus = big
    fast = searcher.segmenter
    assert type(fast.tokenizer().FREQ).__name__ == "SqliteFreq"
    plain = full_segmenter(corpus.dictionary)
    assert isinstance(plain.tokenizer().FREQ, dict)
    texts = [index_mod.body_text(r) + "\n" + r.title for r in corpus.records[::10]]
    for text in texts:
        assert list(fast.words(text, search=True)) == list(plain.words(text, search=True))
    filters = (Filters(), Filters.make(date_from="2010", date_to="2021"), Filters.make(kinds=("remark",)))

    def run():
        return [
            (r.total, [(h.id, h.score, h.snippet, h.matched) for h in r.hits], r.facets, r.parsed)
            for q in QUERIES
            for f in filters
            for r in [searcher.search(q, f, limit=20, facets=True)]
        ]

    with_fast = run()
    try:
        register(plain)  # the query parser's analyzer now segments in memory too
        searcher.segmenter, searcher._syn_terms = plain, None
        with_plain = run()
    finally:
        register(fast)
        searcher.segmenter, searcher._syn_terms = fast, None
    assert with_fast == with_plain


def test_freshness_at_scale(big):
    home, corpus = big
    rec = next(r for r in corpus.records if r.kind == "remark")
    path = home.root / rec.path
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original.replace(f"title: {rec.title}", "title: 独一无二的规模测试标题"), encoding="utf-8")
        assert index_mod.ensure(home).notice == "索引已更新:修改 1 条"
        with Searcher(home) as s:
            assert [h.id for h in s.search("独一无二的规模测试标题").hits] == [rec.id]
            assert s.search("科技", limit=1).total > 0
        assert index_mod.ensure(home).notice is None
    finally:
        path.write_text(original, encoding="utf-8")
    assert index_mod.ensure(home).notice == "索引已更新:修改 1 条"
    with Searcher(home) as s:
        assert s.search("独一无二的规模测试标题").total == 0
        with s.opened.open().searcher() as ws:
            records = [d for d in ws.all_stored_fields() if d["kind"] not in ("provision", "passage")]
            assert len(records) == N + EXTRA


@pytest.mark.parametrize(
    "phrase", ["加快科研成果从样品到产品", "科技成果 转化", "要加快创新成果转化应用", "创新驱动发展"]
)
def test_phrase_hits_are_exactly_the_records_holding_the_phrase(big, searcher, phrase):
    """Counted from the records themselves: every record whose searchable text holds the
    phrase (white space and variants folded), and no other."""
    from kb.index import body_text, notes_text
    from kb.text import squash_folded

    _, corpus = big
    wanted = squash_folded(phrase)
    expected = {
        r.id
        for r in corpus.records
        if r.kind != "source"
        and wanted in squash_folded(" ".join([r.title, body_text(r), " ".join(r.people), notes_text(r)]))
    }
    got = _all(searcher, f'"{phrase}"')
    assert got.total == len(expected)
    assert {h.id for h in got.hits} == expected


# -- the fast evaluator against Whoosh's collector, on generated queries ----------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kb import fasteval  # noqa: E402

WORDS = (
    "科技自立自强",
    "科技成果转化",
    "成果转化",
    "技术转移",
    "基础研究",
    "创新链",
    "产业链",
    "知识产权",
    "研发经费",
    "R&D",
    "人才",
    "评价",
    "科技",
    "创新",
    "最后一公里",
    "习近平",
    "国务院",
    "2018",
    "科学普及",
    "新型举国体制",
    "关键核心技术",
    "不存在的词语",
    "政策",
    "改革",
    "高质量发展",
)
FIELDS = ("", "", "", "title:", "body:", "people:", "notes:")
TEXT = ("title", "body", "people", "notes")


def _leaf():
    word = st.sampled_from(WORDS)
    plain = st.tuples(st.sampled_from(FIELDS), word).map("".join)
    boosted = st.tuples(word, st.sampled_from(("^2", "^0.5"))).map("".join)
    phrase = st.tuples(word, word).map(lambda ab: f'"{ab[0]}{ab[1]}"')
    return st.one_of(plain, plain, boosted, phrase, st.just("kind:policy"))


def _join(children):
    op = st.sampled_from((" ", " AND ", " OR ", " NOT ", " ANDNOT ", " ANDMAYBE "))
    return st.tuples(children, op, children).map(lambda t: f"({t[0]}{t[1]}{t[2]})")


QUERY = st.recursive(_leaf(), _join, max_leaves=5).map(lambda q: q[1:-1] if q.startswith("(") else q)
FILTER = st.fixed_dictionaries(
    {
        "date_from": st.sampled_from((None, None, "1990", "2012", "2018-04", "2001-02-03")),
        "date_to": st.sampled_from((None, None, "2001-02-03", "2020-06", "2024")),
        "kinds": st.sampled_from(((), (), ("remark",), ("policy", "event"), ("statistic", "reference", "source"))),
        "topics": st.sampled_from(((), (), ("基础研究",), ("科技成果转化", "科技人才"))),
        "people": st.sampled_from((None, None, "习近平", "国务院")),
    }
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    query=QUERY,
    filters=FILTER,
    sort=st.sampled_from(("relevance", "relevance", "date")),
    facets=st.booleans(),
    limit=st.sampled_from((1, 10, 60)),
    exact=st.booleans(),
)
def test_fast_path_equals_the_collector(searcher, monkeypatch, query, filters, sort, facets, limit, exact):
    """Same ids, order, scores (to 1e-9), totals, facets, snippets, matched words, notices and
    suggestions on both paths, for generated queries and filters; and the collector's own
    matched terms always include the ones both paths report."""
    from kb.errors import QueryError

    if filters["date_from"] and filters["date_to"] and filters["date_from"] > filters["date_to"]:
        return
    filters = Filters.make(**filters)
    original = fasteval.reference_terms

    def checked(whoosh_searcher, q, results, hits):
        """The collector recorded every text term on a matching branch (a filter's Or over a
        small segment is a preloaded matcher without term matchers: only text fields count)."""
        before = {h.docnum: set(results.docterms.get(h.docnum, [])) for h in hits}
        original(whoosh_searcher, q, results, hits)
        for h in hits:
            kept = set(results.docterms.get(h.docnum, []))
            assert kept <= before[h.docnum]
            semantic = set(fasteval._ref_matched(q, *_sub(whoosh_searcher, h.docnum)))
            assert {t for t in semantic if t[0] in TEXT} <= {t for t in kept if t[0] in TEXT}

    monkeypatch.setattr(fasteval, "reference_terms", checked)

    def run(fast):
        searcher.fast = fast
        try:
            r = searcher.search(query, filters, limit=limit, sort=sort, facets=facets, exact=exact)
        except QueryError as e:
            return ("error", str(e)), None
        except ValueError as e:  # Whoosh's own q.docs() (reference phrase check) on some ANDMAYBE trees
            assert not fast, e
            return ("whoosh crashed", str(e)), None
        finally:
            searcher.fast = True
        hits = [(h.id, h.score, h.snippet, h.matched, h.date) for h in r.hits]
        return (r.total, hits, r.facets, r.notices, r.suggestions, r.parsed), searcher.fast_fallback

    fast, why = run(True)
    ref, _ = run(False)
    if "ANDNOT" in query:  # left to the collector (kb.fasteval.SUPPORTED says why)
        assert why is None or why.startswith("query node AndNot"), why
    else:
        assert why is None, why
    if ref[0] == "whoosh crashed":
        return
    if fast[0] == "error":
        assert fast == ref
        return
    assert fast[0] == ref[0]
    assert [h[0] for h in fast[1]] == [h[0] for h in ref[1]]
    for a, b in zip(fast[1], ref[1], strict=True):
        assert abs(a[1] - b[1]) <= 1e-9 * max(1.0, abs(b[1]))
        assert a[2:] == b[2:]
    assert fast[2:] == ref[2:]


def _sub(whoosh_searcher, docnum):
    leaves = whoosh_searcher.leaf_searchers()
    sub, off = [(s, o) for s, o in leaves if o <= docnum][-1]
    return sub, docnum - off
