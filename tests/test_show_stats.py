"""kb show and kb stats: exact output on a small knowledge base, related records, unknown ids,
and the real corpus (disputes stand out, every record shows)."""

from __future__ import annotations

import json

import pytest

from kb.errors import NotFound
from kb.show import related, show
from kb.stats import stats

from .test_timeline import FILES, MEMO, REFINED_FILES, TOUR

# --- kb show: exact text --------------------------------------------------------------------

TOUR_TEXT = """\
湖北考察时的讲话 〔标题为编者所拟〕
2018-04-24-tour · 讲话 remark · 2018年4月24日至28日 (2018-04-24/2018-04-28)
‼ 有争议: 其他来源与本章说法相矛盾(date);见下文“核对”

讲话人      习近平(总书记)
场合        湖北考察
地点        湖北
主题        科技自立自强

引语
  1. 〔直接引语〕 关键核心技术是要不来、买不来、讨不来的
  2. 〔转述〕 要把关键核心技术掌握在自己手中
     注: 据同一段。

编者概括(编者所写,非来源原文): 强调关键核心技术要靠自己。

来源        笔记 2节 (memo)

核对: 其他来源的说法
  ‼ 有争议 · date
      本章: 2018-04-24/2018-04-28
      他源: 2018-04-26
      依据: 某报道 (来自事实清单 memo)
      说明: 报道只提到26日。
  ✓ 相符 · quotes
      依据: 另一报道 (来自事实清单 memo)

附注
  - 章节只给出考察起止日期。

相关记录
  2018-05-28-test
      2018年5月28日 · 讲话 · 测试会议 〔本记录列出〕

引用: kb cite 2018-04-24-tour
"""


def test_show_remark_in_full(run, small):
    r = run("--kb", str(small), "show", "2018-04-24-tour")
    assert r.exit_code == 0
    assert r.output == TOUR_TEXT


def test_show_the_other_way_round(run, small):
    """The fixture remark lists nothing, but the tour lists it: it shows under 相关记录 too."""
    r = run("--kb", str(small), "show", "2018-05-28-test")
    assert (
        r.output
        == """\
测试讲话 〔标题为编者所拟〕
2018-05-28-test · 讲话 remark · 2018年5月28日 (2018-05-28)

讲话人      习近平
场合        测试会议
主题        科技成果转化

引语
  1. 〔转述〕 要打通“最后一公里”

来源        《测试来源》 1节 (src)

相关记录
  2018-04-24-tour
      2018年4月24日至28日 · 讲话 · 湖北考察 〔列出本记录〕

引用: kb cite 2018-05-28-test
"""
    )


def test_show_policy(run, small):
    r = run("--kb", str(small), "show", "2021-05-hebei-plan")
    assert (
        r.output
        == """\
河北省科技成果转化行动方案
2021-05-hebei-plan · 政策 policy · 2021年5月 (2021-05)

发文机关    河北省人民政府办公厅
文号        冀政办字〔2021〕1号
地区        河北
效力        现行有效
沿革
  - 2021年5月10日 印发
主题        科技成果转化、科技自立自强

编者概括(编者所写,非来源原文): 河北省推动科技成果转化的方案。

来源        笔记 4节 (memo)

引用: kb cite 2021-05-hebei-plan
"""
    )


def test_show_statistic_and_reference(run, small):
    stat = run("--kb", str(small), "show", "stat-2022-contracts").output
    assert (
        stat
        == """\
2022年技术合同成交额 〔标题为编者所拟〕
stat-2022-contracts · 统计 statistic · 2022年 (2022)

指标        技术合同成交额
数值        约4.8万亿元(来源措辞)
年份        2022
地区        全国
主题        科技成果转化

原句
  1. 〔来源原句〕 2022年技术合同成交额约4.8万亿元。

来源        笔记 5节 (memo)

引用: kb cite stat-2022-contracts
"""
    )
    ref = run("--kb", str(small), "show", "ref-zhang-2020").output
    assert (
        ref
        == """\
科技成果转化研究
ref-zhang-2020 · 文献 reference · 2020年 (2020)

作者        张三、李四 等
文献类型    J
期刊        科技管理研究
年份        2020
卷          40
期          7
页码        1-9
著录(原样)  张三,李四,等.科技成果转化研究[J].科技管理研究,2020,40(7):1-9.
脚注位置    ① 跟在“加快科技成果转化”之后
主题        科技成果转化

来源        笔记 6节 (memo)

引用: kb cite ref-zhang-2020
"""
    )


def test_show_undated(run, small):
    r = run("--kb", str(small), "show", "undated-opinions")
    assert r.output.splitlines()[1] == "undated-opinions · 政策 policy · 日期不详"
    assert "附注\n  - 来源未给出日期。\n" in r.output


def test_show_json_is_the_record_as_written(run, small):
    r = run("--kb", str(small), "show", "2021-05-hebei-plan", "--json")
    assert r.exit_code == 0
    assert json.loads(r.output) == {
        "id": "2021-05-hebei-plan",
        "kind": "policy",
        "date": "2021-05",
        "title": "河北省科技成果转化行动方案",
        "topics": ["科技成果转化", "科技自立自强"],
        "source": {"record": "memo", "section": "4"},
        "issuers": ["河北省人民政府办公厅"],
        "doc_number": "冀政办字〔2021〕1号",
        "region": "河北",
        "validity": "现行有效",
        "history": [{"date": "2021-05-10", "event": "印发"}],
        "summary": "河北省推动科技成果转化的方案。",
    }
    assert "冀政办字〔2021〕1号" in r.output  # UTF-8, not \\u escapes


def test_unknown_field_still_shows(make_kb, run):
    """A field the view has no label for yet is shown under its own name, not dropped."""
    from kb.records import KIND_FIELDS, F

    KIND_FIELDS["remark"]["mood"] = F("str")
    try:
        root = make_kb({"sources/memo.yaml": MEMO, "remarks/2018-04-24-tour.yaml": TOUR + "mood: 坚定\n"})
        r = run("--kb", str(root), "show", "2018-04-24-tour")
    finally:
        del KIND_FIELDS["remark"]["mood"]
    assert "\nmood        坚定\n" in r.output


# --- kb show: a date another source refined -------------------------------------------------

MEETING_TEXT = """\
深改委会议上的讲话 〔标题为编者所拟〕
2021-05-21-meeting · 讲话 remark · 2021年5月21日 (2021-05-21)

日期        2021年5月21日 (2021-05-21) · 据其他来源: 某通讯社报道 (来自事实清单 memo)
本章日期    2021年5月 (2021-05) · 见 笔记 7节 (memo)
讲话人      习近平
场合        深改委会议
主题        科技成果转化

引语
  1. 〔直接引语〕 要用好科技成果评价这个指挥棒,遵循科技创新规律,坚持正确的科技成果评价导向,激发科技人员积极性

来源        笔记 7节 (memo)

核对: 其他来源的说法
  + 补充 · date
      本章: 2021-05
      他源: 2021-05-21
      依据: 某通讯社报道 (来自事实清单 memo)
      说明: 本章只写月份。

相关记录
  2021-05-hebei-plan
      2021年5月 · 政策 · 河北省科技成果转化行动方案 〔本记录列出〕

引用: kb cite 2021-05-21-meeting
"""


def test_show_both_dates_and_where_each_comes_from(run, make_kb):
    root = make_kb(REFINED_FILES)
    r = run("--kb", str(root), "show", "2021-05-21-meeting")
    assert r.exit_code == 0
    assert r.output == MEETING_TEXT
    # seen from a related record, the refined date says what the chapter wrote
    hebei = run("--kb", str(root), "show", "2021-05-hebei-plan").output
    assert "  2021-05-21-meeting\n      2021年5月21日(本章作2021年5月) · 讲话 · 深改委会议 〔列出本记录〕\n" in hebei
    # a confirmed date check adds no date lines
    assert "\n本章日期" not in hebei


# --- related records ------------------------------------------------------------------------


def test_related_both_ways_same_occasion_and_same_day(make_kb):
    from kb.corpus import load

    same_occasion = TOUR.replace("2018-04-24-tour", "2018-04-26-tour-talk").replace(
        '"2018-04-24/2018-04-28"', '"2018-04-26"'
    )
    same_occasion = same_occasion.replace("related: [2018-05-28-test]\n", "").split("checked:")[0]
    policy = (
        FILES["policies/2021-05-hebei-plan.yaml"]
        .replace("2021-05-hebei-plan", "2018-05-28-policy")
        .replace('"2021-05"', '"2018-05-28"')
    )
    corpus = load(
        make_kb(
            {
                **FILES,
                "remarks/2018-04-26-tour-talk.yaml": same_occasion,
                "policies/2018-05-28-policy.yaml": policy,
            }
        )
        / "corpus"
    )
    tour = [(r.record.id, r.how) for r in related(corpus, corpus.get("2018-04-24-tour"))]
    assert tour == [("2018-05-28-test", ("lists",)), ("2018-04-26-tour-talk", ("same_occasion",))]
    test = [(r.record.id, r.how) for r in related(corpus, corpus.get("2018-05-28-test"))]
    assert test == [("2018-04-24-tour", ("listed_by",)), ("2018-05-28-policy", ("same_date",))]
    # a year-only date is no "same day": the 2018 event is related to nothing
    assert related(corpus, corpus.get("2018-plenary")) == ()


def test_bundled_related_both_ways(bundled):
    shown = show(bundled, "2020-09-11-xi-scientists-symposium")
    how = {r.record.id: r.how for r in shown.related}
    assert how["2020-10-29-fifth-plenum-14th-fyp-proposals"] == ("lists", "listed_by")
    assert shown.cite == "kb cite 2020-09-11-xi-scientists-symposium"
    assert shown.source.id == "chapter-01"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2021-08-02-guidelines-tech-results-evaluation", "2021-05-21-xi-reform-commission-19th"),
        ("2021-07-27-hebei-major-results-action-plan", "2021-05-28-xi-academicians-conference"),
    ],
)
def test_bundled_policy_and_speech_relate_both_ways(run, a, b):
    for this, other in ((a, b), (b, a)):
        lines = run("show", this).output.splitlines()
        related = lines[lines.index("相关记录") :]
        assert f"  {other}" in related, (this, other)
        assert related[related.index(f"  {other}") + 1].endswith("〔本记录列出; 列出本记录〕")


# --- unknown ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        ("tour", "Error: no record 'tour'; closest: 2018-04-24-tour\n"),
        (
            "2018-04-24-toru",
            "Error: no record '2018-04-24-toru'; closest: 2018-04-24-tour, 2018-05-28-test, 2018-plenary\n",
        ),
        ("zzz", "Error: no record 'zzz' (list the ids with 'kb timeline --json')\n"),
    ],
)
def test_unknown_id_answers_with_the_closest(run, small, wanted, message):
    r = run("--kb", str(small), "show", wanted)
    assert r.exit_code == 1
    assert r.output == message


def test_unknown_id_in_the_library(bundled):
    with pytest.raises(NotFound) as e:
        show(bundled, "2020-09-11-scientists")
    assert str(e.value).startswith("no record '2020-09-11-scientists'; closest: 2020-09-11-xi-scientists-symposium")
    assert bundled.closest("hubei") == ["2018-04-24-xi-hubei-inspection"]


# --- kb show on the bundled corpus ----------------------------------------------------------


def test_bundled_dispute_stands_out(run):
    r = run("show", "2016-05-30-xi-national-sci-tech-conference")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[2] == "‼ 有争议: 其他来源与本章说法相矛盾(quotes);见下文“核对”"
    assert "  ‼ 有争议 · quotes" in lines
    assert "  + 补充 · original_title" in lines
    assert (
        "原题        为建设世界科技强国而奋斗 〔讲话全文的题目;第1条引语归属有争议,未必见于此文,见下文“核对”〕" in lines
    )
    assert lines[-1] == "引用: kb cite 2016-05-30-xi-national-sci-tech-conference"


def test_bundled_refined_date_shows_both(run):
    lines = run("show", "2021-05-21-xi-reform-commission-19th").output.splitlines()
    assert lines[1] == "2021-05-21-xi-reform-commission-19th · 讲话 remark · 2021年5月21日 (2021-05-21)"
    assert lines[3:5] == [
        "日期        2021年5月21日 (2021-05-21) · 据其他来源: 新华社 2021-08-02 报道(转载) (来自事实清单 official-facts)",
        "本章日期    2021年5月 (2021-05) · 见 《科技成果转化概述》 1.1节 (chapter-01)",
    ]


def test_bundled_every_record_shows(run, bundled):
    for rec in bundled.records:
        r = run("show", rec.id)
        assert r.exit_code == 0, rec.id
        assert r.output.endswith(f"引用: kb cite {rec.id}\n")
        for q in rec.quotes:
            assert q.text in r.output  # quotations in full, never cut
        for c in rec.get("checked", []):
            assert c["evidence"] in r.output


# --- kb stats -------------------------------------------------------------------------------

STATS_TEXT = """\
共 9 条记录

按类型
  remark 讲话        2
  event 会议         1
  policy 政策        2
  statistic 统计     1
  reference 文献     1
  source 来源        2

按年份
  2018         3  ████████████████████████████████████████
  2019         0
  2020         1  █████████████
  2021         1  █████████████
  2022         1  █████████████
  2023         0
  2024         1  █████████████
  日期不详     2  ███████████████████████████

按主题
  科技成果转化     8
  科技自立自强     2

按讲话人/发文机关
  习近平                   2
  全国政协会议             1
  国务院                   1
  河北省人民政府办公厅     1
"""


def test_stats_text(run, small):
    r = run("--kb", str(small), "stats")
    assert r.exit_code == 0
    assert r.output == STATS_TEXT


def test_stats_json(run, small):
    r = run("--kb", str(small), "stats", "--json")
    assert r.exit_code == 0
    assert json.loads(r.output) == {
        "total": 9,
        "by_kind": {"remark": 2, "event": 1, "policy": 2, "statistic": 1, "reference": 1, "source": 2},
        "by_year": {"2018": 3, "2019": 0, "2020": 1, "2021": 1, "2022": 1, "2023": 0, "2024": 1, "undated": 2},
        "by_topic": {"科技成果转化": 8, "科技自立自强": 2},
        "by_people": {"习近平": 2, "全国政协会议": 1, "国务院": 1, "河北省人民政府办公厅": 1},
    }
    # the same years as the text view, in order: those without records count 0
    years = list(json.loads(r.output)["by_year"])
    assert years == ["2018", "2019", "2020", "2021", "2022", "2023", "2024", "undated"]
    assert years == [
        line.split()[0].replace("日期不详", "undated")
        for line in STATS_TEXT.split("按年份\n")[1].split("\n\n")[0].splitlines()
    ]


def test_stats_bundled(bundled):
    st = stats(bundled)
    assert st.total == len(bundled.records)
    assert sum(n for _, n in st.by_kind) == st.total
    assert sum(n for _, n in st.by_year) == st.total
    assert dict(st.by_people)["习近平"] == sum(1 for r in bundled.records if r.kind == "remark")
    assert dict(st.by_kind)["remark"] >= 20


# --- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("cmd", "example"), [("show", "kb show 2020-09-11"), ("stats", "kb stats")])
def test_help_has_an_example(run, cmd, example):
    r = run(cmd, "--help")
    assert r.exit_code == 0
    assert "Example" in r.output and example in r.output
