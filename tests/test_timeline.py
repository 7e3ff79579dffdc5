"""kb timeline: order, year groups, every filter, the three formats, bad options, the real corpus."""

from __future__ import annotations

import json
import re

import pytest

from kb.errors import QueryError
from kb.filters import Filters
from kb.text import display_width
from kb.timeline import timeline
from kb.views import truncate

from .conftest import CHAPTER

# A small knowledge base beside the fixture's 2018-05-28-test remark: a source without a text
# (so quotations are not checked against it), a year-only event, a remark over an interval, a
# month-dated Hebei policy, an undated policy, a statistic and a reference.
MEMO = """\
id: memo
kind: source
date: null
title: 笔记
title_is_label: true
topics: [科技成果转化]
source: {record: memo, section: "1"}
notes: [编者自己的笔记。]
"""
TOUR = """\
id: 2018-04-24-tour
kind: remark
date: "2018-04-24/2018-04-28"
title: 湖北考察时的讲话
title_is_label: true
speaker: 习近平
speaker_role: 总书记
occasion: 湖北考察
place: 湖北
topics: [科技自立自强]
source: {record: memo, section: "2"}
quotes:
  - text: 关键核心技术是要不来、买不来、讨不来的
    form: direct
  - text: 要把关键核心技术掌握在自己手中
    form: reported
    note: 据同一段。
summary: 强调关键核心技术要靠自己。
notes: [章节只给出考察起止日期。]
related: [2018-05-28-test]
checked:
  - field: date
    status: disputed
    source_says: "2018-04-24/2018-04-28"
    value: "2018-04-26"
    evidence: 某报道
    via: memo
    detail: 报道只提到26日。
  - field: quotes
    status: confirmed
    evidence: 另一报道
    via: memo
"""
PLENARY = """\
id: 2018-plenary
kind: event
date: "2018"
title: 2018年全国政协会议
title_is_label: true
body: 全国政协会议
occasion: 全国政协会议
topics: [科技成果转化]
source: {record: memo, section: "3"}
quotes: []
summary: 企业要成为技术创新主体。
"""
HEBEI = """\
id: 2021-05-hebei-plan
kind: policy
date: "2021-05"
title: 河北省科技成果转化行动方案
topics: [科技成果转化, 科技自立自强]
source: {record: memo, section: "4"}
issuers: [河北省人民政府办公厅]
doc_number: 冀政办字〔2021〕1号
region: 河北
validity: 现行有效
history:
  - {date: "2021-05-10", event: 印发}
summary: 河北省推动科技成果转化的方案。
"""
UNDATED = """\
id: undated-opinions
kind: policy
date: null
title: 关于科技成果转化的若干意见
topics: [科技成果转化]
source: {record: memo, section: "4"}
issuers: [国务院]
region: 全国
notes: [来源未给出日期。]
"""
STAT = """\
id: stat-2022-contracts
kind: statistic
date: "2022"
title: 2022年技术合同成交额
title_is_label: true
topics: [科技成果转化]
source: {record: memo, section: "5"}
indicator: 技术合同成交额
value: 4.8
unit: 万亿元
qualifier: 约
year: 2022
region: 全国
quote: 2022年技术合同成交额约4.8万亿元。
"""
REF = """\
id: ref-zhang-2020
kind: reference
date: "2020"
title: 科技成果转化研究
topics: [科技成果转化]
source: {record: memo, section: "6"}
authors: [张三, 李四]
authors_truncated: true
type_code: J
journal: 科技管理研究
year: 2020
volume: "40"
issue: "7"
pages: 1-9
raw: 张三,李四,等.科技成果转化研究[J].科技管理研究,2020,40(7):1-9.
anchor: {text: 加快科技成果转化, marker: ①}
"""
FILES = {
    "sources/memo.yaml": MEMO,
    "remarks/2018-04-24-tour.yaml": TOUR,
    "events/2018-plenary.yaml": PLENARY,
    "policies/2021-05-hebei-plan.yaml": HEBEI,
    "policies/undated-opinions.yaml": UNDATED,
    "statistics/stat-2022-contracts.yaml": STAT,
    "references/ref-zhang-2020.yaml": REF,
}


def ids_of(corpus, **kw):
    return [e.id for e in timeline(corpus, Filters.make(**kw)).entries]


# --- order and groups -----------------------------------------------------------------------


def test_default_kinds_in_date_order_with_undated_last(small_corpus):
    tl = timeline(small_corpus)
    assert [g.heading for g in tl.groups] == ["2018年", "2021年", "日期不详"]
    # the year-only event sorts at 1 January, the interval at its first day
    assert [e.id for e in tl.entries] == [
        "2018-plenary",
        "2018-04-24-tour",
        "2018-05-28-test",
        "2021-05-hebei-plan",
        "undated-opinions",
    ]


def test_statistics_and_references_only_when_asked(small_corpus):
    assert ids_of(small_corpus, kinds=("statistic",)) == ["stat-2022-contracts"]
    assert ids_of(small_corpus, kinds=("statistic", "reference")) == ["ref-zhang-2020", "stat-2022-contracts"]


def test_same_date_keeps_a_stable_order(make_kb):
    same = {
        f"remarks/2019-01-02-{x}.yaml": TOUR.replace("2018-04-24-tour", f"2019-01-02-{x}")
        .replace('"2018-04-24/2018-04-28"', '"2019-01-02"')
        .replace("related: [2018-05-28-test]\n", "")
        for x in ("b", "a", "c")
    }
    same["sources/memo.yaml"] = MEMO
    from kb.corpus import load

    corpus = load(make_kb(same) / "corpus")
    first = ids_of(corpus, year=2019)
    assert first == ["2019-01-02-a", "2019-01-02-b", "2019-01-02-c"]
    assert ids_of(load(corpus.root), year=2019) == first


# --- filters --------------------------------------------------------------------------------


def test_year(small_corpus):
    assert ids_of(small_corpus, year=2018) == ["2018-plenary", "2018-04-24-tour", "2018-05-28-test"]
    assert ids_of(small_corpus, year=2021) == ["2021-05-hebei-plan"]
    assert ids_of(small_corpus, year=2019) == []


def test_from_to_any_precision_periods_overlap(small_corpus):
    # 2018 (the whole year) and 24–28 April both overlap 26 April – May
    assert ids_of(small_corpus, date_from="2018-04-26", date_to="2018-05") == [
        "2018-plenary",
        "2018-04-24-tour",
        "2018-05-28-test",
    ]
    assert ids_of(small_corpus, date_from="2018-05") == ["2018-plenary", "2018-05-28-test", "2021-05-hebei-plan"]
    # undated records never match a period
    assert ids_of(small_corpus, date_from="2018", date_to="2020-06") == [
        "2018-plenary",
        "2018-04-24-tour",
        "2018-05-28-test",
    ]
    assert ids_of(small_corpus, date_to="2018-04-23") == ["2018-plenary"]
    assert ids_of(small_corpus, date_from="2021-05-31") == ["2021-05-hebei-plan"]
    assert ids_of(small_corpus, date_from="2021-06") == []


def test_year_and_period_intersect(small_corpus):
    assert ids_of(small_corpus, year=2018, date_from="2018-05") == ["2018-plenary", "2018-05-28-test"]


def test_kind(small_corpus):
    assert ids_of(small_corpus, kinds=("policy",)) == ["2021-05-hebei-plan", "undated-opinions"]
    assert ids_of(small_corpus, kinds=("event", "remark")) == ["2018-plenary", "2018-04-24-tour", "2018-05-28-test"]


def test_topic_all_must_hold(small_corpus):
    assert ids_of(small_corpus, topics=("科技自立自强",)) == ["2018-04-24-tour", "2021-05-hebei-plan"]
    assert ids_of(small_corpus, topics=("科技成果转化", "科技自立自强")) == ["2021-05-hebei-plan"]


def test_speaker_and_issuer_match_a_substring(small_corpus):
    assert ids_of(small_corpus, people="习近平") == ["2018-04-24-tour", "2018-05-28-test"]
    assert ids_of(small_corpus, people="河北") == ["2021-05-hebei-plan"]
    assert ids_of(small_corpus, people="国务院") == ["undated-opinions"]
    assert ids_of(small_corpus, people="政协") == ["2018-plenary"]


def test_region(small_corpus):
    assert ids_of(small_corpus, region="河北") == ["2021-05-hebei-plan"]
    assert ids_of(small_corpus, region="全国") == ["undated-opinions"]
    assert ids_of(small_corpus, region="全国", kinds=("statistic",)) == ["stat-2022-contracts"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"date_from": "2018-13"}, "--from: '2018-13' is not a valid date (use YYYY, YYYY-MM or YYYY-MM-DD)"),
        ({"date_to": "2020/06"}, "--to: '2020/06' is a period; give one date (YYYY, YYYY-MM or YYYY-MM-DD)"),
        ({"year": 20}, "--year: 20 is not a year (use four digits, e.g. --year 2020)"),
        (
            {"date_from": "2021", "date_to": "2018"},
            "--from/--to: the period is empty (it starts 2021-01-01 and ends 2018-12-31)",
        ),
        (
            {"kinds": ("speech",)},
            "--kind: 'speech' is not a kind (use one of: remark, event, policy, statistic, reference, source, provision, passage)",
        ),
    ],
)
def test_bad_filters_name_the_option(kw, message):
    with pytest.raises(QueryError) as e:
        Filters.make(**kw)
    assert str(e.value) == message


def test_unknown_topic(small_corpus):
    with pytest.raises(QueryError) as e:
        timeline(small_corpus, Filters.make(topics=("科技评价",)))
    assert str(e.value) == "--topic: '科技评价' is not a topic of this corpus (use one of: 科技成果转化, 科技自立自强)"


# --- display width --------------------------------------------------------------------------


def test_width_counts_cjk_as_two_columns():
    assert display_width("2018年5月28日") == 13
    assert display_width("“最后一公里”") == 12  # curly quotes are ambiguous-width: one column
    assert truncate("科技成果转化", 8) == "科技成…"
    assert truncate("科技成果转化", 12) == "科技成果转化"
    assert truncate("G20工商峰会", 7) == "G20工…"


# --- the three formats, exactly -------------------------------------------------------------

TEXT = """\
2018年 (3)

  2018年               全国政协会议
      〔编者概括〕企业要成为技术创新主体。
      2018-plenary · 会议 · 全国政协会议

  2018年4月24日至28日  湖北考察
      关键核心技术是要不来、买不来、讨不来的
      2018-04-24-tour · 讲话 · 习近平

  2018年5月28日        测试会议
      要打通“最后一公里”
      2018-05-28-test · 讲话 · 习近平

2021年 (1)

  2021年5月            河北省科技成果转化行动方案
      〔编者概括〕河北省推动科技成果转化的方案。
      2021-05-hebei-plan · 政策 · 河北省人民政府办公厅

日期不详 (1)

  日期不详             关于科技成果转化的若干意见
      undated-opinions · 政策 · 国务院
"""


def test_text(run, small):
    r = run("--kb", str(small), "timeline")
    assert r.exit_code == 0
    assert r.output == TEXT


MARKDOWN = """\
## 2018年

- **2018年** 全国政协会议(全国政协会议):〔编者概括〕企业要成为技术创新主体。 `2018-plenary`
- **2018年4月24日至28日** 湖北考察(习近平):关键核心技术是要不来、买不来、讨不来的 `2018-04-24-tour`
- **2018年5月28日** 测试会议(习近平):要打通“最后一公里” `2018-05-28-test`

## 2021年

- **2021年5月** 河北省科技成果转化行动方案(河北省人民政府办公厅):〔编者概括〕河北省推动科技成果转化的方案。 `2021-05-hebei-plan`

## 日期不详

- **日期不详** 关于科技成果转化的若干意见(国务院) `undated-opinions`
"""


def test_markdown(run, small):
    r = run("--kb", str(small), "timeline", "--format", "markdown")
    assert r.exit_code == 0
    assert r.output == MARKDOWN


def test_json(run, small):
    r = run("--kb", str(small), "timeline", "--year", "2018", "--speaker", "习近平", "--json")
    assert r.exit_code == 0
    assert json.loads(r.output) == [
        {
            "id": "2018-04-24-tour",
            "kind": "remark",
            "date": "2018-04-24/2018-04-28",
            "date_zh": "2018年4月24日至28日",
            "date_source": None,
            "date_source_zh": None,
            "date_kind": None,
            "title": "湖北考察时的讲话",
            "headline": "湖北考察",
            "people": ["习近平"],
            "topics": ["科技自立自强"],
            "region": None,
            "phrase": "关键核心技术是要不来、买不来、讨不来的",
            "phrase_from": "quote",
            "disputed": False,
            "dispute": None,
            "path": "corpus/remarks/2018-04-24-tour.yaml",
        },
        {
            "id": "2018-05-28-test",
            "kind": "remark",
            "date": "2018-05-28",
            "date_zh": "2018年5月28日",
            "date_source": None,
            "date_source_zh": None,
            "date_kind": None,
            "title": "测试讲话",
            "headline": "测试会议",
            "people": ["习近平"],
            "topics": ["科技成果转化"],
            "region": None,
            "phrase": "要打通“最后一公里”",
            "phrase_from": "quote",
            "disputed": False,
            "dispute": None,
            "path": "corpus/remarks/2018-05-28-test.yaml",
        },
    ]
    assert "\\u" not in r.output  # UTF-8, not escapes
    same = run("--kb", str(small), "timeline", "--year", "2018", "--speaker", "习近平", "--format", "json")
    assert same.output == r.output


def test_json_undated_and_other_kinds(run, small):
    r = run("--kb", str(small), "timeline", "--kind", "reference", "--kind", "policy", "--json")
    got = [(e["id"], e["date"], e["date_zh"], e["phrase_from"]) for e in json.loads(r.output)]
    assert got == [
        ("ref-zhang-2020", "2020", "2020年", "raw"),
        ("2021-05-hebei-plan", "2021-05", "2021年5月", "summary"),
        ("undated-opinions", None, "日期不详", None),
    ]


def test_statistics_in_text(run, small):
    r = run("--kb", str(small), "timeline", "--kind", "statistic")
    assert r.output == (
        "2022年 (1)\n"
        "\n"
        "  2022年  技术合同成交额 约4.8万亿元\n"
        "      2022年技术合同成交额约4.8万亿元。\n"
        "      stat-2022-contracts · 统计\n"
    )


def test_long_lines_are_cut_at_80_columns(run, make_kb):
    long = TOUR.replace("occasion: 湖北考察", "occasion: " + "一二三四五六七八九十" * 4).replace(
        "related: [2018-05-28-test]\n", ""
    )
    root = make_kb({"sources/memo.yaml": MEMO, "remarks/2018-04-24-tour.yaml": long})
    r = run("--kb", str(root), "timeline", "--from", "2018-04", "--to", "2018-04")
    assert r.output == (
        "2018年 (1)\n"
        "\n"
        "  2018年4月24日至28日  一二三四五六七八九十一二三四五六七八九十一二三四五六七八…\n"
        "      关键核心技术是要不来、买不来、讨不来的\n"
        "      2018-04-24-tour · 讲话 · 习近平\n"
    )
    assert max(display_width(line) for line in r.output.splitlines()) <= 80


def test_nothing_matches(run, small):
    r = run("--kb", str(small), "timeline", "--year", "1999")
    assert r.exit_code == 0
    assert r.output == "没有符合条件的记录;请放宽时间范围、去掉筛选条件,或加上 --kind statistic/reference\n"
    assert run("--kb", str(small), "timeline", "--year", "1999", "--json").output == "[]\n"


# --- bad options on the command line --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2018-13"], "Error: --from: '2018-13' is not a valid date (use YYYY, YYYY-MM or YYYY-MM-DD)\n"),
        (["--to", "yesterday"], "Error: --to: 'yesterday' is not a valid date (use YYYY, YYYY-MM or YYYY-MM-DD)\n"),
        (
            ["--kind", "speech"],
            "Error: --kind: 'speech' is not a kind (use one of: remark, event, policy, statistic, reference, source, provision, passage)\n",
        ),
        (
            ["--topic", "量子"],
            "Error: --topic: '量子' is not a topic of this corpus (use one of: 科技成果转化, 科技自立自强)\n",
        ),
        (["--year", "99"], "Error: --year: 99 is not a year (use four digits, e.g. --year 2020)\n"),
    ],
)
def test_bad_options_exit_1_with_one_line(run, small, args, message):
    r = run("--kb", str(small), "timeline", *args)
    assert r.exit_code == 1
    assert r.output == message


def test_bad_format_is_a_usage_error(run, small):
    r = run("--kb", str(small), "timeline", "--format", "xml")
    assert r.exit_code == 2
    assert "Invalid value for '--format': 'xml' is not one of 'text', 'markdown', 'json'." in r.output


def test_help_has_an_example(run):
    r = run("timeline", "--help")
    assert r.exit_code == 0
    assert "kb timeline --year 2020" in r.output


# --- the bundled corpus ---------------------------------------------------------------------

# The chapter's 2020 paragraphs, as it writes them (date, occasion):
CHAPTER_2020 = [
    ("2020年4月10日", "中央财经委员会第七次会议"),
    ("2020年8月18日至21日", "安徽考察"),
    ("2020年9月11日", "主持召开科学家座谈会"),
    ("2020年10月16日", "中央政治局第二十四次集体学习"),
    ("2020年10月29日", "党的十九届五中全会"),
]


def test_expected_2020_paragraphs_are_in_the_chapter():
    text = "".join(CHAPTER.read_text(encoding="utf-8").split())
    for day, occasion in CHAPTER_2020:
        assert re.search(re.escape(day) + r",[^,。]{0,20}" + re.escape(occasion), text), (day, occasion)


def test_bundled_2020_lists_the_chapters_remarks_in_order(run):
    r = run("timeline", "--year", "2020")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0] == "2020年 (5)"
    heads = [line.split() for line in lines if line.startswith("  2020年")]
    # an event's date says what it is the date of: the plenum adopted the 建议 on 2020-10-29
    kinds = {"2020年10月29日": "(通过)"}
    assert [(h[0], h[1]) for h in heads] == [(d + kinds.get(d, ""), o) for d, o in CHAPTER_2020]
    assert "      2020-09-11-xi-scientists-symposium · 讲话 · 习近平" in lines


def test_bundled_2020_json(run):
    got = json.loads(run("timeline", "--year", "2020", "--json").output)
    assert [(e["date"], e["kind"]) for e in got] == [
        ("2020-04-10", "remark"),
        ("2020-08-18/2020-08-21", "remark"),
        ("2020-09-11", "remark"),
        ("2020-10-16", "remark"),
        ("2020-10-29", "event"),
    ]
    assert [e["date_zh"] for e in got] == [d for d, _ in CHAPTER_2020]


def test_bundled_whole_timeline_fits_80_columns(run):
    out = run("timeline").output
    assert max(display_width(line) for line in out.splitlines()) <= 80
    # undated policies come last, under their own heading
    assert "\n日期不详 (" in out
    assert out.index("日期不详 (") > out.index("2023年 (")


def test_bundled_default_kinds(bundled):
    kinds = {e.record.kind for e in timeline(bundled).entries}
    assert kinds == {"remark", "event", "policy"}
    dated = [e.record.date.start for e in timeline(bundled).entries if e.record.date]
    assert dated == sorted(dated)


def test_bundled_filters(bundled):
    hebei = ids_of(bundled, region="河北")
    assert hebei and all(bundled.get(i).region == "河北" for i in hebei)
    academicians = ids_of(bundled, date_from="2018", date_to="2021-06", topics=("科技自立自强",))
    assert "2021-05-28-xi-academicians-conference" in academicians
    assert all(bundled.get(i).kind in ("remark", "event", "policy") for i in academicians)


# --- dates another source refined -----------------------------------------------------------

# The chapter writes only the month; a `checked` entry refines it to the day. A long quotation,
# so the Markdown key phrase is cut like the text view's while JSON keeps it whole.
MEETING_QUOTE = "要用好科技成果评价这个指挥棒,遵循科技创新规律,坚持正确的科技成果评价导向,激发科技人员积极性"
MEETING = f"""\
id: 2021-05-21-meeting
kind: remark
date: "2021-05-21"
title: 深改委会议上的讲话
title_is_label: true
speaker: 习近平
occasion: 深改委会议
topics: [科技成果转化]
source: {{record: memo, section: "7"}}
quotes:
  - text: {MEETING_QUOTE}
    form: direct
related: [2021-05-hebei-plan]
checked:
  - field: date
    status: refined
    source_says: "2021-05"
    value: "2021-05-21"
    evidence: 某通讯社报道
    via: memo
    detail: 本章只写月份。
"""
# A check that refined the date without saying what the chapter wrote, and one that confirmed
# it: neither marks the date.
HEBEI_CHECKED = (
    HEBEI
    + """\
checked:
  - field: date
    status: confirmed
    source_says: "2021-05"
    value: "2021-05"
    evidence: 省政府网站
    via: memo
"""
)
REFINED_FILES = {
    "sources/memo.yaml": MEMO,
    "remarks/2021-05-21-meeting.yaml": MEETING,
    "policies/2021-05-hebei-plan.yaml": HEBEI_CHECKED,
}


@pytest.fixture
def refined(make_kb):
    return make_kb(REFINED_FILES)


REFINED_TEXT = """\
2021年 (2)

  2021年5月       河北省科技成果转化行动方案
      〔编者概括〕河北省推动科技成果转化的方案。
      2021-05-hebei-plan · 政策 · 河北省人民政府办公厅

  2021年5月21日*  深改委会议
      要用好科技成果评价这个指挥棒,遵循科技创新规律,坚持正确的科技成果评价导向,…
      2021-05-21-meeting · 讲话 · 本章作2021年5月 · 习近平

* 日期据其他来源补充,本章原文只写到“本章作”所示;依据见 kb show ID
"""


def test_refined_date_is_marked_in_text(run, refined):
    r = run("--kb", str(refined), "timeline", "--year", "2021")
    assert r.exit_code == 0
    assert r.output == REFINED_TEXT
    # no mark, no legend when no date shown was refined
    plain = run("--kb", str(refined), "timeline", "--kind", "policy").output
    assert "*" not in plain and "本章作" not in plain


REFINED_MARKDOWN = """\
## 2021年

- **2021年5月** 河北省科技成果转化行动方案(河北省人民政府办公厅):〔编者概括〕河北省推动科技成果转化的方案。 `2021-05-hebei-plan`
- **2021年5月21日\\*** 深改委会议(习近平):要用好科技成果评价这个指挥棒,遵循科技创新规律,坚持正确的科技成果评价导向,… `2021-05-21-meeting` · 本章作2021年5月

\\* 日期据其他来源补充,本章原文只写到“本章作”所示;依据见 kb show ID
"""


def test_refined_date_is_marked_in_markdown_and_the_phrase_is_cut(run, refined):
    r = run("--kb", str(refined), "timeline", "--year", "2021", "--format", "markdown")
    assert r.exit_code == 0
    assert r.output == REFINED_MARKDOWN


def test_refined_date_in_json(run, refined):
    got = json.loads(run("--kb", str(refined), "timeline", "--year", "2021", "--json").output)
    assert [(e["id"], e["date"], e["date_zh"], e["date_source"], e["date_source_zh"]) for e in got] == [
        ("2021-05-hebei-plan", "2021-05", "2021年5月", None, None),
        ("2021-05-21-meeting", "2021-05-21", "2021年5月21日", "2021-05", "2021年5月"),
    ]
    assert got[1]["phrase"] == MEETING_QUOTE  # whole in JSON
    assert list(got[1])[3:6] == ["date_zh", "date_source", "date_source_zh"]


def test_a_refined_check_without_the_chapters_date_marks_nothing(make_kb):
    from kb.corpus import load

    no_says = MEETING.replace('    source_says: "2021-05"\n', "")
    corpus = load(make_kb({**REFINED_FILES, "remarks/2021-05-21-meeting.yaml": no_says}) / "corpus")
    assert [(e.id, e.refined) for e in timeline(corpus).entries if e.id != "2018-05-28-test"] == [
        ("2021-05-hebei-plan", False),
        ("2021-05-21-meeting", False),
    ]


def test_bundled_refined_dates_say_what_the_chapter_wrote(run):
    lines = run("timeline", "--year", "2021").output.splitlines()
    assert lines[2].startswith(
        "  2021年5月21日*        中央全面深化改革委员会第十九次会议"
    )  # column as wide as 2021年7月27日(印发)
    assert "      2021-05-21-xi-reform-commission-19th · 讲话 · 本章作2021年5月 · 习近平" in lines
    assert lines[-1] == "* 日期据其他来源补充,本章原文只写到“本章作”所示;依据见 kb show ID"
    got = {e["id"]: e for e in json.loads(run("timeline", "--year", "2021", "--json").output)}
    assert (
        got["2021-05-21-xi-reform-commission-19th"]["date_source"],
        got["2021-05-28-xi-academicians-conference"]["date_source"],
    ) == ("2021-05", None)
    policies = {e["id"]: e["date_source_zh"] for e in json.loads(run("timeline", "--kind", "policy", "--json").output)}
    assert policies["2022-09-04-opinions-science-popularization"] == "2022年"
    assert policies["2023-08-28-measures-young-sci-tech-talent"] == "2023年"
    assert max(display_width(line) for line in run("timeline").output.splitlines()) <= 80


def test_bundled_markdown_cuts_long_quotations(run):
    """The chapter quotes hundreds of characters on 2018-05-28: Markdown shows the cut phrase,
    JSON the whole quotation."""
    from kb.views import PHRASE_WIDTH

    md = run("timeline", "--year", "2018", "--format", "markdown").output
    line = next(x for x in md.splitlines() if x.endswith("`2018-05-28-xi-academicians-conference`"))
    phrase = line.split("):", 1)[1].rsplit(" `", 1)[0]
    assert phrase.endswith("…") and display_width(phrase) <= PHRASE_WIDTH
    whole = {e["id"]: e["phrase"] for e in json.loads(run("timeline", "--year", "2018", "--json").output)}
    assert whole["2018-05-28-xi-academicians-conference"].startswith(phrase[:-1])
    assert display_width(whole["2018-05-28-xi-academicians-conference"]) > 200
