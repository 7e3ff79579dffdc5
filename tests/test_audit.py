"""Corrections from the audit of the corpus against the chapter and the facts list (issue #10).

Expected values are written by hand from the chapter (corpus/sources/chapter-01.txt) and the
facts list (corpus/sources/official-facts.md), not computed by the code under test."""

from __future__ import annotations

import json
import shutil

import pytest

from kb.auditrules import agrees
from kb.filters import Filters

from .conftest import CORPUS

HEBEI_2021 = "2021-07-27-hebei-major-results-action-plan"
REMARK_2016 = "2016-05-30-xi-national-sci-tech-conference"


# -- the Hebei 2021 plan: issued by the 领导小组, drafted (研究制定) by the 科技厅 --------------------


def test_hebei_plan_issuer_is_the_body_named_on_the_notice(bundled):
    rec = bundled.require(HEBEI_2021)
    assert rec.get("issuers") == ["河北省科技创新工作领导小组"]  # facts list: issued under its name
    assert rec.get("drafters") == ["河北省科技厅"]  # chapter: 河北省科技厅研究制定了《…》
    assert rec.get("date_kind") == "issued"


def test_hebei_plan_show_and_cite(run):
    shown = run("show", HEBEI_2021).output
    assert "发文机关    河北省科技创新工作领导小组" in shown
    assert "起草        河北省科技厅" in shown
    cited = run("cite", HEBEI_2021).output
    assert "河北省科技创新工作领导小组.河北省重大科技成果转化行动实施方案[A].2021." in cited


def test_hebei_plan_issuer_filter(searcher):
    got = searcher.search("行动实施方案", Filters.make(people="河北省科技创新工作领导小组"))
    assert [h.id for h in got.hits] == [HEBEI_2021]
    # the drafter is not an issuer: its alias is followed and finds nothing
    assert not searcher.search("行动实施方案", Filters.make(people="河北省科学技术厅")).hits


# -- 王志刚 in May 2016: 科技部党组书记、副部长 (minister only from 2018) ------------------------------


def test_no_record_calls_wang_zhigang_minister_in_2016():
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in (".yaml", ".md", ".txt") and path.is_file():
            assert "科技部部长王志刚" not in path.read_text(encoding="utf-8"), path


def test_the_2016_dispute_names_his_2016_office(run):
    out = run("show", REMARK_2016).output
    assert "该句出自科技部党组书记、副部长王志刚2016年5月18日在国新办新闻发布会上的发言" in out
    facts = (CORPUS / "sources" / "official-facts.md").read_text(encoding="utf-8")
    assert "王志刚, then 科技部党组书记、副部长 (minister only from 2018)" in facts


# -- a check that agrees at a coarser precision is not `differs` -----------------------------------

RD = "stat-2022-rd-spending"


@pytest.fixture
def copy(tmp_path):
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return tmp_path


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "other", "expected"),
    [
        (3, "万亿元", "首次突破", "30782.9亿元(最终数)", True),  # over 3万亿: the chapter's claim holds
        (3, "万亿元", "首次突破", "30870亿元(初步数)", True),
        (3, "万亿元", "首次突破", "29990亿元", False),  # not over
        (2.55, "%", None, "2.55%(初步数)", True),
        (2.55, "%", None, "2.54%(最终数)", False),  # same precision, another figure
        (165.8, "万篇", None, "1657834篇", True),  # 165.78万 rounds to 165.8
        (165.8, "万篇", None, "1660000篇", False),
        (3, "万亿元", None, "30782.9亿元", True),  # 3.08万亿 at the precision of 3
        (11, "位", None, "第11位", True),
        (2.55, "%", None, "未找到", None),  # no figure: not compared
        (3, "万亿元", None, "2.55%", None),  # another unit: not compared
    ],
)
def test_agreement_at_the_records_precision(value, unit, qualifier, other, expected):
    assert agrees(value, unit, qualifier, other) is expected


def test_every_statistic_value_check_marked_differs_really_differs(bundled):
    statuses = {}
    for rec in bundled.records:
        if rec.kind != "statistic":
            continue
        for c in rec.get("checked", []):
            if c.get("field") == "value" and c.get("status") == "differs":
                statuses[rec.id] = c.get("value")
                assert agrees(rec.get("value"), rec.get("unit"), rec.get("qualifier"), c["value"]) is False, rec.id
    # by hand from the facts list: only the final R&D intensity (2.54%) differs from the chapter's 2.55%
    assert statuses == {"stat-2022-rd-intensity": "2.54%(最终数)"}


def test_rd_spending_checks_are_refined_in_show_and_cite(run):
    shown = run("show", RD).output
    assert (
        "不同" not in shown
        and "  + 补充 · value\n      本章: 首次突破3万亿元\n      他源: 30782.9亿元(最终数)" in shown
    )
    cited = run("cite", RD).output
    assert "核对:数值补充:30782.9亿元(最终数)(《2022年全国科技经费投入统计公报》(2023-09-18))" in cited
    assert "核对:数值不同" not in cited


def test_check_rejects_differs_for_an_agreeing_figure(run, copy):
    rec = copy / "corpus" / "statistics" / f"{RD}.yaml"
    _edit(
        rec,
        "    status: refined\n    source_says: 首次突破3万亿元\n    value: 30782.9亿元",
        "    status: differs\n    source_says: 首次突破3万亿元\n    value: 30782.9亿元",
    )
    before = rec.read_text(encoding="utf-8")
    result = run("--kb", str(copy), "check")
    assert result.exit_code == 1
    assert (
        f"corpus/statistics/{RD}.yaml:26: checked.1.status: 30782.9亿元(最终数) agrees with the record's "
        "首次突破3万亿元 at its precision: status confirmed (same figure) or refined (more precise), not differs"
    ) in result.output
    assert "Traceback" not in result.output
    assert rec.read_text(encoding="utf-8") == before


# -- the disputed 2016 sentence and the speech's title; 约 kept -------------------------------------

PAPERS = "stat-2022-university-papers"


def test_show_does_not_put_the_title_over_the_disputed_sentence(run):
    lines = run("show", REMARK_2016).output.splitlines()
    assert (
        "原题        为建设世界科技强国而奋斗 〔讲话全文的题目;第1条引语归属有争议,未必见于此文,见下文“核对”〕" in lines
    )
    cited = run("cite", REMARK_2016).output
    assert "原题:《为建设世界科技强国而奋斗》(讲话全文的题目;归属存疑的引语未必见于此文)" in cited


def test_a_title_without_a_dispute_is_plain(run):
    # 2021-05-28's quotations are not disputed (no checked entry with status disputed)
    lines = run("show", "2021-05-28-xi-academicians-conference").output.splitlines()
    assert not any("归属有争议" in line for line in lines)


def test_about_is_kept_in_every_output(run):
    about = "约77.12%"  # the chapter: 占比约77.12%
    assert f"占比        占中国发表科技论文 {about}" in run("show", PAPERS).output
    assert f'"value": "{about}"' in run("show", PAPERS, "--json").output
    assert f"占比{about}" in run("search", "高等学校 论文").output
    assert f"占比{about}" in run("timeline", "--kind", "statistic").output
    cited = run("cite", PAPERS).output
    assert f"数据:2022年 全国 中国高等学校发表科技论文数量 165.8万篇(占中国发表科技论文 {about})" in cited


def test_importer_keeps_about_in_a_share():
    from kb.importer.proposing import _statistic_drafts

    def share(sentence, prev=None):
        return _statistic_drafts(sentence, 2022, "1.2.1", "chapter-01", {}, prev=prev)[-1]["share"]

    chapter = "其中,中国高等学校发表科技论文数量达到165.8万篇,占比约77.12%,是中国科技论文的主要发表来源。"
    assert share(chapter, ["中国发表科技论文"]) == {"of": "中国发表科技论文", "value": "约77.12%"}
    assert share("其中,高校论文165.8万篇,占中国科技论文的约77.12%。") == {"of": "中国科技论文", "value": "约77.12%"}
    assert share("其中,高校著作40646种,占中国出版著作数量的66.71%。") == {"of": "中国出版著作数量", "value": "66.71%"}


# -- which date a record's date is ---------------------------------------------------------------

# By hand: the chapter and the facts list (reported = "近日印发"/见诸报道 dates; signed = 成文).
DATE_KINDS = {
    "2015-08-29-law-promoting-tech-transfer": "amended",
    "2016-03-implementing-provisions-tech-transfer-law": "reported",  # facts: reported mid-March 2016
    "2016-04-21-action-plan-tech-transfer": "signed",  # facts: signed 2016-04-21; 新华社 reported 05-09
    "2019-11-27-beijing-regulation-tech-transfer": "adopted",
    "2021-07-27-hebei-major-results-action-plan": "issued",
    "2021-08-02-guidelines-tech-results-evaluation": "published",
    "2021-12-24-law-sci-tech-progress": "revised",
    "2022-09-04-opinions-science-popularization": "reported",  # 新华社 2022-09-04: 近日印发
    "2022-hebei-measures-jingjin-tech-transfer": "issued",  # chapter: 2022年,…印发了
    "2023-08-28-measures-young-sci-tech-talent": "reported",  # facts: reported 2023-08-28 (近日印发)
    "2013-cppcc-enterprise-innovation-subject": "held",  # chapter: 2013年,全国政协会议就提出
    "2020-10-29-fifth-plenum-14th-fyp-proposals": "adopted",  # 全会通过的建议
}


def test_every_dated_policy_and_event_says_which_date_it_is(bundled):
    got = {r.id: r.get("date_kind") for r in bundled.records if r.kind in ("policy", "event") and r.date}
    assert got == DATE_KINDS


def test_the_kind_is_shown_wherever_the_date_is(run):
    rid = "2016-03-implementing-provisions-tech-transfer-law"
    assert f"{rid} · 政策 policy · 2016年3月(报道) (2016-03)" in run("show", rid).output
    assert (
        "1. 2016年3月(报道) [政策] 实施《中华人民共和国促进科技成果转化法》若干规定 · 国务院"
        in run("search", "若干规定").output
    )
    timeline = run("timeline", "--kind", "policy").output
    assert "  2023年8月28日(报道)" in timeline and "  2016年4月21日(成文)" in timeline
    md = run("timeline", "--kind", "policy", "--format", "markdown").output
    assert (
        "- **2022年9月4日(报道)\\*** 关于新时代进一步加强科学技术普及工作的意见" in md
    )  # * : the chapter wrote 2022年
    rows = json.loads(run("timeline", "--kind", "policy", "--json").output)
    assert {e["id"]: e["date_kind"] for e in rows if e["date"]} == {
        k: v for k, v in DATE_KINDS.items() if k[:4].isdigit() and "cppcc" not in k and "plenum" not in k
    }
    hits = json.loads(run("search", "若干规定", "--json").output)["hits"]
    assert hits[0]["date_kind"] == "reported"


def test_check_warns_of_a_dated_policy_without_date_kind(run, copy):
    rec = copy / "corpus" / "policies" / "2023-08-28-measures-young-sci-tech-talent.yaml"
    _edit(rec, "date_kind: reported\n", "")
    out = run("--kb", str(copy), "check").output
    assert (
        "corpus/policies/2023-08-28-measures-young-sci-tech-talent.yaml:3: date_kind: warning: a dated policy says which date `date` is"
        in out
    )
