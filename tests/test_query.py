"""What writers type (#11): roles, abbreviations, years, typos, short names, topics, disputes,
ranking. Expected values are written by hand from the chapter and the records, not computed by
kb.query; each class is tested on the real corpus and on broken input."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

from kb import query as qmod
from kb.errors import QueryError
from kb.filters import Filters

from .conftest import CORPUS

# The remarks whose speaker the chapter does NOT call 总书记: the G20 summit (国家主席习近平),
# the 二十大 report and the 中关村论坛 letter (习近平 alone). Read from the chapter's §1.3.
NOT_GENERAL_SECRETARY = {
    "2016-09-03-xi-g20-business-summit",
    "2022-10-16-xi-20th-party-congress",
    "2023-05-25-xi-zgc-forum-letter",
}
DISPUTED = "2016-05-30-xi-national-sci-tech-conference"


def ids(result) -> list[str]:
    """The records hit (the chapter's paragraphs and the laws' articles, kb.units, aside)."""
    return [h.id for h in result.hits if h.kind not in ("passage", "provision")]


# -- 1. roles and titles -------------------------------------------------------------------------


def test_role_word_as_query_finds_the_speech_the_chapter_words_so(searcher):
    assert ids(searcher.search("国家主席"))[0] == "2016-09-03-xi-g20-business-summit"
    assert ids(searcher.search("国家主席习近平"))[0] == "2016-09-03-xi-g20-business-summit"
    assert ids(searcher.search("习主席")) == ["2016-09-03-xi-g20-business-summit"]


def test_role_as_speaker_filter_matches_every_record_the_chapter_uses_it_for(searcher, bundled):
    remarks = {r.id for r in bundled.records if r.kind == "remark"}
    for role in ("总书记", "中共中央总书记", "习总书记"):
        got = searcher.search("习近平", Filters.make(people=role, kinds=("remark",)), limit=50)
        assert set(ids(got)) == remarks - NOT_GENERAL_SECRETARY, role
    got = searcher.search("创新", Filters.make(people="国家主席"), limit=50)
    assert ids(got) == ["2016-09-03-xi-g20-business-summit"]


def test_role_filter_in_the_timeline(bundled):
    from kb.timeline import timeline

    tl = timeline(bundled, Filters.make(people="总书记", kinds=("remark",)))
    remarks = {r.id for r in bundled.records if r.kind == "remark"}
    assert {e.id for e in tl.entries} == remarks - NOT_GENERAL_SECRETARY


def test_hits_show_names_not_roles(searcher):
    hit = searcher.search("国家主席").hits[0]
    assert hit.people == "习近平"


# -- 2. abbreviations and mixed tokens -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("GII", "stat-2022-global-innovation-index"),
        ("gii排名", "stat-2022-global-innovation-index"),
        ("R&D经费", "stat-2022-rd-spending"),
        ("Ｒ＆Ｄ经费", "stat-2022-rd-spending"),
        ("R&D投入强度", "stat-2022-rd-intensity"),
        ("高企", "2021-07-27-hebei-major-results-action-plan"),
        ("G20", "2016-09-03-xi-g20-business-summit"),
    ],
)
def test_abbreviations_find_what_the_full_name_finds(searcher, query, first):
    assert ids(searcher.search(query))[0] == first


def test_abbreviation_is_one_term_at_index_and_query_time(searcher):
    # R&D was cut into r, d: a synonym written with & could never match.
    assert searcher.segmenter.terms("R&D经费") == ["r&d", "经费"]
    assert "r&d" in searcher.segmenter.terms("R&D经费", search=True)


def test_every_synonym_finds_something_or_is_reported_dead(searcher):
    from kb.relevance import synonym_report

    words = [w for g in yaml.safe_load((CORPUS / "synonyms.yaml").read_text(encoding="utf-8"))["synonyms"] for w in g]
    report = synonym_report(searcher)
    reported = dict(report.counts)
    for w in words:
        assert w in reported, w
        assert searcher.search(w).total > 0 or w in report.dead, w
    assert report.dead == ()  # the bundled file has no dead synonym (checked by hand above)


def test_a_dead_synonym_is_reported(searcher):
    from kb.relevance import synonym_report

    report = synonym_report(searcher, [("全球创新指数", "GII"), ("量子霸权", "quantum supremacy")])
    assert report.dead == ("量子霸权", "quantum supremacy")


# -- 3. years typed as words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "rest", "start", "end", "written"),
    [
        ("习近平 2021", "习近平", date(2021, 1, 1), date(2021, 12, 31), ("2021",)),
        ("2016年 科技成果转化", "科技成果转化", date(2016, 1, 1), date(2016, 12, 31), ("2016年",)),
        ("2016年科技成果转化", "科技成果转化", date(2016, 1, 1), date(2016, 12, 31), ("2016年",)),
        ("2020年的讲话", "讲话", date(2020, 1, 1), date(2020, 12, 31), ("2020年",)),
        ("2021年5月 习近平", "习近平", date(2021, 5, 1), date(2021, 5, 31), ("2021年5月",)),
        ("2018年5月28日", "", date(2018, 5, 28), date(2018, 5, 28), ("2018年5月28日",)),
        ("2018—2022年 科技论文", "科技论文", date(2018, 1, 1), date(2022, 12, 31), ("2018—2022年",)),
        ("２０２１ 习近平", "习近平", date(2021, 1, 1), date(2021, 12, 31), ("２０２１",)),
        ("2019年以来 政策", "政策", date(2019, 1, 1), None, ("2019年以来",)),
        ("2016年以前 科技成果转化", "科技成果转化", None, date(2016, 12, 31), ("2016年以前",)),
        ("2018年5月起", "", date(2018, 5, 1), None, ("2018年5月起",)),
    ],
)
def test_years_are_read_as_dates(query, rest, start, end, written):
    r = qmod.read_dates(query)
    assert (r.text, r.start, r.end, r.written) == (rest, start, end, written)


@pytest.mark.parametrize(
    "query",
    [
        '"2021年" 科技',
        "《2035年远景目标》",
        "year:2021",
        "2023中关村论坛",
        "国办发〔2016〕28号",
        "2.55",
        "20210",
        "相比2018",
        "1-9+17",
    ],
)
def test_quoted_titled_or_glued_years_stay_text(query):
    assert qmod.read_dates(query) is None


def test_year_query_returns_the_records_of_that_year(searcher):
    got = searcher.search("习近平 2021")
    assert got.notices[0] == "（2021 按日期理解）"
    assert {
        "2021-05-21-xi-reform-commission-19th",
        "2021-05-28-xi-academicians-conference",
        "2021-10-18-xi-politburo-study-34th",
        "2021-11-24-xi-reform-commission-22nd",
    } <= set(ids(got))
    assert all(h.date.startswith("2021") for h in got.hits)


def test_quoted_year_is_searched_as_text(searcher):
    got = searcher.search('"相比2018年"', Filters.make(kinds=("statistic",)))
    assert got.total >= 5 and not got.notices  # 科技著作, 成果登记, 出口, 专利 …: "相比2018年"


def test_year_with_nothing_then_falls_back_to_text(searcher):
    got = searcher.search("2035年")  # the 科普 意见's target year, no record dated 2035
    assert ids(got) == ["2022-09-04-opinions-science-popularization"]
    assert got.notices[0] == "（2035年 如此理解无结果，改按文字检索）"


def test_year_within_explicit_filters(searcher):
    got = searcher.search("习近平 2021", Filters.make(date_from="2021-06"))
    assert set(ids(got)) >= {"2021-10-18-xi-politburo-study-34th", "2021-11-24-xi-reform-commission-22nd"}
    assert "2021-05-28-xi-academicians-conference" not in ids(got)


def test_kind_words_read_as_kinds(searcher):
    got = searcher.search("2021年的政策")
    assert {h.kind for h in got.hits} == {"policy"}
    assert "2021-08-02-guidelines-tech-results-evaluation" in ids(got)
    assert got.notices == ("（2021年 按日期理解）", "（政策 按记录类型理解）")


def test_cli_shows_the_date_reading(run, kb_copy):
    r = run("--kb", str(kb_copy), "search", "习近平", "2021")
    assert r.exit_code == 0
    # six remarks and the 2021 opinion's item 一、（一）, which names 习近平新时代中国特色社会主义思想
    assert r.stdout.splitlines()[0] == "“习近平 2021”共 7 条结果 （2021 按日期理解）"
    j = run("--kb", str(kb_copy), "search", "习近平", "2021", "--json")
    assert json.loads(j.stdout)["notices"] == ["（2021 按日期理解）"]


# -- 4. typos and near misses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant", "hits"),
    [
        # hits: the records, plus the chapter's paragraphs that say it (kb.units passages)
        ("四个面象", "四个面向", 5),  # 象/向 same sound
        ("卡勃子", "卡脖子", 2),
        ("京津研法", "京津研发", 2),
        ("自立更生", "自力更生", 2),
        ("国之重气", "国之重器", 2),  # jieba cuts the typo apart: found in the text of records
        ("拆除阻碍产业化的篱笆强", "拆除阻碍产业化的篱笆墙", 2),
    ],
)
def test_did_you_mean_with_hit_counts(searcher, typo, meant, hits):
    got = searcher.search(typo)
    assert got.total == 0
    s = got.suggestions[0]
    assert (s.kind, s.query, s.hits) == ("spelling", meant, hits)
    assert str(s) == f"您是否要找：{meant}（{hits}）"


def test_did_you_mean_on_few_hits_keeps_the_operators(searcher):
    # records only (the chapter's two paragraphs that also say 最后一公里 would make it 3 hits)
    got = searcher.search("四个面象 OR 最后一公里", Filters.make(kinds=("remark",)))
    assert got.total == 1
    assert got.suggestions[0].query == "四个面向 OR 最后一公里"


def test_did_you_mean_keeps_the_date_as_typed(searcher):
    got = searcher.search("量子科枝 2020")
    s = got.suggestions[0]
    assert (s.query, s.hits, str(s)) == ("量子科技 2020", 1, "您是否要找：量子科技 2020（1）")
    assert searcher.search(s.query).total == 1


def test_did_you_mean_in_json(run, kb_copy):
    r = run("--kb", str(kb_copy), "search", "卡勃子", "--json")
    data = json.loads(r.stdout)
    assert data["suggestions"][0] == {
        "text": "您是否要找：卡脖子（2）",  # the record and the chapter's paragraph
        "kind": "spelling",
        "query": "卡脖子",
        "hits": 2,
    }


def test_pinyin_prefers_the_same_sound():
    # 面象 → 面向 (xiang = xiang) before 面包 at the same number of edits.
    assert qmod.closest("四个面象", ["四个面包", "四个面向"]) == ["四个面向", "四个面包"]
    assert qmod.edit_distance("四个面象", "四个面向") == 1
    assert qmod.closest("全国人大", ["全国人大常委会", "国务院"]) == ["全国人大常委会"]


def test_spelling_work_is_bounded():
    counted: list[str] = []

    def count(q: str) -> int:
        counted.append(q)
        return 0

    vocab = (f"词{i}" for i in range(10**6))
    out = qmod.spelling("四个面象", ["四个面象"], count, lambda: vocab, ["四个面向"])
    assert out == []  # every candidate counted finds nothing
    assert len(counted) <= 1 + qmod.MAX_COUNTED


def test_a_word_known_elsewhere_is_not_misspelt(searcher):
    got = searcher.search("政策", Filters.make(kinds=("remark",)))
    assert not any(getattr(s, "kind", "") == "spelling" for s in got.suggestions)


# -- 5. issuer and speaker short names -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [
        ("中办", "科学技术普及", ["2022-09-04-opinions-science-popularization"]),
        ("国办", "行动方案", ["2016-04-21-action-plan-tech-transfer"]),
        ("人大常委会", "促进科技成果转化法", ["2015-08-29-law-promoting-tech-transfer"]),
        ("河北省科学技术厅", "行动实施方案", []),  # 科技厅 drafted the Hebei plan; it did not issue it
        ("习近平同志", "量子科技", ["2020-10-16-xi-politburo-study-24th"]),
    ],
)
def test_short_names_in_filters(searcher, name, query, expected):
    got = searcher.search(query, Filters.make(people=name))
    assert ids(got)[: len(expected)] == expected
    assert got.notices and " = " in got.notices[0]


def test_short_names_in_queries(searcher):
    assert ids(searcher.search("中办 国办 意见"))[0] == "2022-09-04-opinions-science-popularization"


def test_known_body_that_issued_nothing_here_is_not_an_error(searcher):
    got = searcher.search("科技", Filters.make(people="科技部"))
    assert got.total == 0 and got.notices[0] == "（科技部 = 科学技术部）"


def test_unknown_name_suggests_the_closest(searcher, bundled):
    from kb.timeline import timeline

    with pytest.raises(QueryError) as e:
        searcher.search("科技", Filters.make(people="全国人大"))
    assert (
        str(e.value)
        == "--speaker/--issuer: '全国人大' is not a speaker or issuer of this corpus; closest: 全国人大常委会"
    )
    with pytest.raises(QueryError) as e:
        timeline(bundled, Filters.make(people="科技委"))
    assert "closest: 科技部" in str(e.value)


def test_timeline_follows_aliases(bundled):
    from kb.timeline import timeline

    tl = timeline(bundled, Filters.make(people="中办"))
    assert [e.id for e in tl.entries] == [
        "2022-09-04-opinions-science-popularization",
        "2023-08-28-measures-young-sci-tech-talent",
    ]


ALIAS_CASES = [
    (
        "issuers:\n  国务院办公厅: [国办]\n  国务院: [国办]\n",
        "aliases.yaml:3: aliases.issuers.国务院: '国办' is already listed for '国务院办公厅' (an alias names one entry)",
    ),
    (
        "issuers:\n  国务院办公厅: 国办\n",
        "aliases.yaml:2: aliases.issuers.国务院办公厅: must list at least one other name: [别名, …]",
    ),
    (
        "agencies:\n  国务院办公厅: [国办]\n",
        "aliases.yaml:1: aliases: unknown section 'agencies' (use: issuers, speakers, roles)",
    ),
    (
        "issuers:\n  国务院办公厅: [国务院办公厅]\n",
        "aliases.yaml:2: aliases.issuers.国务院办公厅: '国务院办公厅' is the name itself",
    ),
]


@pytest.mark.parametrize(("text", "message"), ALIAS_CASES)
def test_kb_check_validates_aliases(make_kb, run, text, message):
    root = make_kb({"aliases.yaml": text})
    r = run("--kb", str(root), "check")
    assert r.exit_code == 1
    assert f"corpus/{message}" in r.output


# -- 6. topics fold like queries -------------------------------------------------------------------


def test_topic_folds_and_takes_its_synonym(searcher, bundled):
    from kb.timeline import timeline

    plain = ids(searcher.search("科技", Filters.make(topics=("科技评价",)), limit=50))
    assert ids(searcher.search("科技", Filters.make(topics=("科技評價",)), limit=50)) == plain
    assert ids(searcher.search("意见", Filters.make(topics=("科普",)))) == [
        "2022-09-04-opinions-science-popularization"
    ]
    assert [e.id for e in timeline(bundled, Filters.make(topics=("量子科技",))).entries] == [
        "2020-10-16-xi-politburo-study-24th"
    ]
    assert [e.id for e in timeline(bundled, Filters.make(topics=("國際科技合作",))).entries] == [
        e.id for e in timeline(bundled, Filters.make(topics=("国际科技合作",))).entries
    ]


def test_unknown_topic_suggests_the_closest(searcher):
    with pytest.raises(QueryError) as e:
        searcher.search("科技", Filters.make(topics=("科技评介",)))
    assert (
        str(e.value) == "--topic: '科技评介' is not a topic of this corpus; closest: 科技评价 (see corpus/topics.yaml)"
    )


# -- 7. disputes in sight --------------------------------------------------------------------------


def test_search_marks_the_disputed_quotation(searcher):
    hit = searcher.search("实验室里的研究").hits[0]
    assert hit.id == DISPUTED and hit.dispute.startswith("有争议:该句出自科技部党组书记、副部长王志刚")
    assert "\n" not in hit.dispute
    data = hit.to_json()
    assert data["disputed"] is True and data["dispute"] == hit.dispute
    other = searcher.search("价值链中高端").hits[0]  # the same record's other, undisputed quotation
    assert other.id == DISPUTED and other.dispute is None and other.to_json()["disputed"] is False


def test_search_text_marks_it(run, kb_copy):
    r = run("--kb", str(kb_copy), "search", "实验室里的研究")
    assert "   ‼ 有争议:该句出自科技部党组书记、副部长王志刚" in r.stdout


def test_timeline_marks_it_in_every_format(run, kb_copy):
    text = run("--kb", str(kb_copy), "timeline", "--year", "2016").stdout
    md = run("--kb", str(kb_copy), "timeline", "--year", "2016", "--format", "markdown").stdout
    data = json.loads(run("--kb", str(kb_copy), "timeline", "--year", "2016", "--json").stdout)
    assert "      ‼ 有争议:该句出自科技部党组书记、副部长王志刚" in text
    assert "**‼ 有争议:该句出自科技部党组书记、副部长王志刚2016年5月18日在国新办新闻发布会上的发言" in md
    marked = {e["id"]: e["disputed"] for e in data}
    assert marked[DISPUTED] is True
    assert [k for k, v in marked.items() if v] == [DISPUTED]
    assert text.count("‼") == 1 and md.count("‼") == 1


def test_dispute_names_its_quotation_by_index(bundled):
    from kb.disputes import disputed_quotes
    from kb.records import Record

    rec = bundled.get(DISPUTED)
    data = dict(rec.data)
    data["checked"] = [dict(c, field="quotes.1") if c["status"] == "disputed" else c for c in data["checked"]]
    other = Record.build(data, rec.date, rec.path)
    assert [q for q, _ in disputed_quotes(other)] == [rec.quotes[1].text]
    assert [q for q, _ in disputed_quotes(rec)] == [rec.quotes[0].text]


# -- 8. ranking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("《促进科技成果转化法》", "2015-08-29-law-promoting-tech-transfer"),
        ("促进科技成果转化法", "2015-08-29-law-promoting-tech-transfer"),
        ("《关于进一步吸引京津科技成果在冀转移转化的若干措施》", "2022-hebei-measures-jingjin-tech-transfer"),
        ("《为建设世界科技强国而奋斗》", DISPUTED),
    ],
)
def test_named_document_ranks_first(searcher, query, first):
    assert ids(searcher.search(query))[0] == first


ACADEMICIANS = [
    "2014-06-09-xi-academicians-conference",
    "2016-05-30-xi-national-sci-tech-conference",
    "2018-05-28-xi-academicians-conference",
    "2021-05-28-xi-academicians-conference",
]
# The speeches given at each meeting, read from the chapter's §1.3 (the meeting is their occasion).
AT_MEETING = {
    "院士大会": ACADEMICIANS,
    "两院院士大会": ACADEMICIANS,
    "深改委": ["2021-05-21-xi-reform-commission-19th", "2021-11-24-xi-reform-commission-22nd"],
    "集体学习": [
        "2020-10-16-xi-politburo-study-24th",
        "2021-10-18-xi-politburo-study-34th",
        "2023-01-31-xi-politburo-study-2nd",
        "2023-02-21-xi-politburo-study-3rd",
    ],
    "二十大": ["2022-10-16-xi-20th-party-congress"],
    "全国政协": ["2013-cppcc-enterprise-innovation-subject", "2013-03-04-xi-cppcc-science-panel"],
}


@pytest.mark.parametrize("meeting", list(AT_MEETING))
def test_meeting_names_rank_the_speeches_above_policies(searcher, meeting):
    hits = searcher.search(meeting, limit=50).hits
    rank = {h.id: i for i, h in enumerate(hits)}
    policies = [i for i, h in enumerate(hits) if h.kind == "policy"]
    assert all(s in rank for s in AT_MEETING[meeting])
    assert not policies or max(rank[s] for s in AT_MEETING[meeting]) < min(policies), [h.id for h in hits]


@pytest.mark.parametrize(
    "query", ["official-facts", DISPUTED, "zw.china.com.cn", "checked", "related", "via", "source_says"]
)
def test_internal_text_never_matches(searcher, query):
    assert searcher.search(query).total == 0


def test_topic_phrases_are_tagged_on_every_remark(bundled):
    topics = yaml.safe_load((CORPUS / "topics.yaml").read_text(encoding="utf-8"))
    phrases = topics["phrases"]
    assert len(phrases) >= 10
    missing = []
    for rec in bundled.records:
        if rec.kind not in ("remark", "event"):
            continue
        quoted = "".join("".join(q.text.split()) for q in rec.quotes)
        for topic, words in phrases.items():
            if any(w in quoted for w in words) and topic not in rec.topics:
                missing.append((rec.id, topic))
    assert missing == []


def test_kb_check_warns_about_a_missing_topic(make_kb, run):
    root = make_kb(
        {
            "topics.yaml": "topics:\n  科技成果转化: 转化\n  科技自立自强: 自立自强\nphrases:\n  科技自立自强: [最后一公里]\n"
        }
    )
    r = run("--kb", str(root), "check")
    assert r.exit_code == 0
    assert (
        "corpus/remarks/2018-05-28-test.yaml:8: topics: warning: a quotation says '最后一公里' but the topic "
        "'科技自立自强' is missing (topics.yaml phrases)"
    ) in r.output
