"""kb search on the real corpus: folding, filters, malformed queries, synonyms, output shapes."""

from __future__ import annotations

import json

import pytest

from kb.errors import QueryError
from kb.search import Filters

LAST_MILE = "2018-05-28-xi-academicians-conference"
HUBEI = "2018-04-24-xi-hubei-inspection"
ACTION_PLAN = "2016-04-21-action-plan-tech-transfer"


def ids(result):
    """The records hit (the chapter's paragraphs and the laws' articles, kb.units, aside)."""
    return [h.id for h in result.hits if h.kind not in ("passage", "provision")]


def passages(result):
    return [h.id for h in result.hits if h.kind == "passage"]


# --- folding rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("科技自立自強", "科技自立自强"),  # traditional → simplified
        ("最後一公里", "最后一公里"),
        ("關鍵核心技術", "关键核心技术"),
        ("國辦發〔2016〕28號", "国办发〔2016〕28号"),
        ("研发投入强度２．５５％", "研发投入强度2.55%"),  # full-width → half-width
        ("“最后一公里”", '"最后一公里"'),  # Chinese quotation marks make a phrase
        ("最后一 公里", "最后一公里"),  # PDF spacing inside a word
    ],
)
def test_folded_variants_find_what_the_plain_query_finds(searcher, variant, plain):
    a = searcher.search(variant, limit=50)
    b = searcher.search(plain, limit=50)
    assert b.total > 0
    assert ids(a) == ids(b)


def test_traditional_query_marks_the_simplified_text(searcher):
    hit = searcher.search("最後一公里").hits[0]
    assert hit.id == LAST_MILE
    assert "[[最后一公里]]" in hit.snippet


# --- queries and ranking -------------------------------------------------------------------


def test_main_job_finds_the_remarks_on_self_reliance(searcher):
    result = searcher.search("科技自立自强", limit=20)
    found = set(ids(result))
    assert {
        "2023-02-21-xi-politburo-study-3rd",
        "2021-05-21-xi-reform-commission-19th",
        "2022-10-16-xi-20th-party-congress",
    } <= found
    assert all("科技自立自强" in h.matched or "高水平科技自立自强" in h.matched for h in result.hits)


def test_phrase_must_appear_as_written(searcher):
    result = searcher.search('"从样品到产品再到商品"')
    assert ids(result) == [LAST_MILE]
    assert passages(result) == ["chapter-01#p35"]  # the chapter's paragraph it was quoted from
    # the same words in another order are no phrase
    assert searcher.search('"商品再到产品"').total == 0


def test_boolean_operators(searcher):
    either = set(ids(searcher.search("一招鲜 OR 撒手锏")))
    assert either == {"2020-08-18-xi-anhui-inspection", "2020-04-10-xi-financial-economic-commission-7th"}
    assert searcher.search("一招鲜 AND 撒手锏").total == 0
    without = ids(searcher.search("科技自立自强 NOT 基础研究", limit=50))
    assert "2023-02-21-xi-politburo-study-3rd" not in without and without


def test_field_query(searcher):
    assert set(ids(searcher.search("title:行动方案"))) == {ACTION_PLAN, "2021-07-27-hebei-major-results-action-plan"}


def test_document_number_finds_its_policy(searcher):
    assert ids(searcher.search("国办发〔2016〕28号"))[0] == ACTION_PLAN


def test_synonyms_widen_unless_exact(searcher):
    wide = set(ids(searcher.search("技术转移", limit=100)))
    exact = set(ids(searcher.search("技术转移", limit=100, exact=True)))
    assert exact < wide
    assert ACTION_PLAN in wide  # its title says 科技成果转移转化


# --- malformed queries: an answer, never a traceback ----------------------------------------


@pytest.mark.parametrize("query", ['"科技', "科技 AND (", "科技)", "(科技 OR", "科技 AND", "OR 科技", "title:科技 AND"])
def test_malformed_query_falls_back_to_plain_words(searcher, query):
    result = searcher.search(query)
    assert result.total > 0
    assert all("科技" in h.title + h.snippet + h.headline or h.matched for h in result.hits)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("title:", "the query 'title:' has no words to search (a field needs a value, e.g. title:行动方案)"),
        ("   ", "the query is empty: give words to search, e.g. kb search 科技自立自强"),
        ("NOT", "the query 'NOT' has no words to search, only operators (e.g. 科技 AND 评价)"),
    ],
)
def test_query_with_no_words_is_one_line(searcher, query, message):
    with pytest.raises(QueryError) as e:
        searcher.search(query)
    assert str(e.value) == message


# --- filters ---------------------------------------------------------------------------------


def test_filter_partial_dates_overlap_intervals(searcher):
    # 湖北考察 ran 2018-04-24 to 28: a filter on two days inside it still finds it
    got = ids(searcher.search("核心技术", Filters.make(date_from="2018-04-26", date_to="2018-04-27")))
    assert got == [HUBEI]


def test_filter_from_year_to_month(searcher):
    result = searcher.search("科技", Filters.make(date_from="2018", date_to="2020-06"), limit=100)
    assert result.total > 0
    for h in result.hits:
        assert "2018-01-01" <= h.date[:10] <= "2020-06-30", h


def test_filter_year(searcher):
    result = searcher.search("科技", Filters.make(year=2020), limit=100)
    assert {h.date[:4] for h in result.hits} == {"2020"}
    assert "2020-09-11-xi-scientists-symposium" in ids(result)


def test_filter_kind(searcher):
    result = searcher.search("科技成果转化", Filters.make(kinds=("policy",)), limit=100)
    assert result.total > 0 and {h.kind for h in result.hits} == {"policy"}


def test_filter_topic(searcher):
    result = searcher.search("科技", Filters.make(topics=("京津冀协同",)), limit=100)
    assert "2022-hebei-measures-jingjin-tech-transfer" in ids(result)
    assert all(h.kind in ("policy", "remark", "event", "statistic", "reference") for h in result.hits)


def test_filter_issuer_and_speaker(searcher):
    by_office = ids(searcher.search("科技", Filters.make(people="国务院办公厅"), limit=100))
    assert ACTION_PLAN in by_office and LAST_MILE not in by_office
    by_xi = searcher.search("科技成果", Filters.make(people="习近平"), limit=100)
    assert by_xi.total > 0 and all("习近平" in h.people for h in by_xi.hits)


def test_filter_region(searcher):
    result = searcher.search("科技", Filters.make(region="河北"), limit=100)
    assert set(ids(result)) == {
        "2021-07-27-hebei-major-results-action-plan",
        "2022-hebei-measures-jingjin-tech-transfer",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"date_from": "2018-13"}, "--from: '2018-13' is not a valid date (use YYYY, YYYY-MM or YYYY-MM-DD)"),
        ({"date_to": "20x"}, "--to: '20x' is not a valid date (use YYYY, YYYY-MM or YYYY-MM-DD)"),
        (
            {"kinds": ("speech",)},
            "--kind: 'speech' is not a kind (use one of: remark, event, policy, statistic, reference, source, provision, passage)",
        ),
        (
            {"date_from": "2021", "date_to": "2019"},
            "--from/--to: the period is empty (it starts 2021-01-01 and ends 2019-12-31)",
        ),
    ],
)
def test_bad_filters_are_one_line(kwargs, message):
    with pytest.raises(QueryError) as e:
        Filters.make(**kwargs)
    assert str(e.value) == message


def test_unknown_topic_is_one_line(searcher):
    with pytest.raises(QueryError) as e:
        searcher.search("科技", Filters.make(topics=("无此主题",)))
    assert str(e.value) == "--topic: '无此主题' is not a topic of this corpus (see corpus/topics.yaml)"


# --- sorting, facets, zero hits --------------------------------------------------------------


def test_sort_by_date_is_chronological(searcher):
    result = searcher.search("科技自立自强", sort="date", limit=50)
    dates = [h.date[:10] for h in result.hits if h.date]
    assert dates == sorted(dates)
    assert all(h.date for h in result.hits[: len(dates)])  # undated (the chapter's paragraphs) last


def test_facets_count_all_hits(searcher):
    result = searcher.search("科技自立自强", facets=True, limit=1)
    assert sum(result.facets["kind"].values()) == result.total
    assert result.facets["people"]["习近平"] >= 5


def test_zero_hits_suggests_what_to_drop(searcher):
    result = searcher.search("最后一公里 量子", limit=5)
    assert result.total == 0
    # each: its record and the chapter's paragraphs that say it (two for 最后一公里, one for 量子)
    assert result.suggestions == ("只搜“最后一公里”:3 条结果", "只搜“量子”:2 条结果")


def test_zero_hits_with_filter_suggests_dropping_it(searcher):
    result = searcher.search("最后一公里", Filters.make(year=2015))
    assert result.total == 0
    assert result.suggestions[0] == "去掉筛选条件(--from/--to 2015-01-01–2015-12-31):3 条结果"


# --- the CLI -------------------------------------------------------------------------------------


def test_cli_json_shape(run, kb_copy):
    result = run("--kb", str(kb_copy), "search", "最后一公里", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == ["query", "total", "hits"] or list(data)[:3] == ["query", "total", "hits"]
    hit = data["hits"][0]
    assert list(hit) == [
        "id",
        "kind",
        "date",
        "date_zh",
        "date_kind",
        "date_source",
        "title",
        "headline",
        "people",
        "score",
        "snippet",
        "matched",
        "path",
        "disputed",
        "dispute",
    ]
    assert (hit["id"], hit["date"], hit["date_zh"], hit["matched"]) == (
        LAST_MILE,
        "2018-05-28",
        "2018年5月28日",
        ["最后一公里"],
    )
    assert "[[最后一公里]]" in hit["snippet"]


def test_cli_human_output(run, kb_copy):
    result = run("--kb", str(kb_copy), "search", "一招鲜")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "“一招鲜”共 2 条结果",  # the remark, and the chapter's paragraph (a passage, listed second)
        "",
        "1. 2020年8月18日至21日 [讲话] 习近平在安徽考察时的讲话 · 习近平",
    ]
    assert "【一招鲜】" in result.stdout  # no colour off a terminal: marks as 【】


def test_cli_zero_hits(run, kb_copy):
    result = run("--kb", str(kb_copy), "search", "区块链")
    assert result.exit_code == 0
    assert result.stdout == "未找到“区块链”\n  试试减少或缩短检索词,或去掉筛选条件\n"


def test_cli_bad_option_is_one_line(run, kb_copy):
    result = run("--kb", str(kb_copy), "search", "科技", "--from", "2018-02-30")
    assert result.exit_code == 1
    assert result.output == "Error: --from: '2018-02-30' is not a valid date (use YYYY, YYYY-MM or YYYY-MM-DD)\n"


def test_cli_marks_a_date_another_source_refined(run, kb_copy):
    result = run("--kb", str(kb_copy), "search", "指挥棒")
    lines = result.stdout.splitlines()
    assert lines[2] == "1. 2021年5月21日* [讲话] 习近平在中央全面深化改革委员会第十九次会议上的讲话 · 习近平"
    assert lines[5] == "   id: 2021-05-21-xi-reform-commission-19th · 本章作2021年5月 · 命中: 指挥棒"
    assert lines[-1] == "* 日期据其他来源补充,本章原文见“本章作”;依据见 kb show ID"


@pytest.mark.parametrize(
    "filters",
    [
        Filters.make(kinds=("remark",)),
        Filters.make(date_from="2018"),
        Filters.make(people="习近平"),
        Filters.make(topics=("科技成果转化",)),
        Filters.make(date_from="2016", date_to="2022-06", kinds=("remark", "policy")),
    ],
)
def test_filters_never_change_scores(searcher, filters):
    """A filter decides which records match, not how they rank."""
    plain = {h.id: h.score for h in searcher.search("科技成果转化", limit=100).hits}
    filtered = searcher.search("科技成果转化", filters, limit=100)
    assert filtered.total > 0
    for h in filtered.hits:
        assert h.score == plain[h.id]


def test_region_filter_excludes_records_without_that_region(searcher):
    assert searcher.search("最后一公里", Filters.make(region="河北")).total == 0
