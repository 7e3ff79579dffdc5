"""Corrections from the audit of the corpus against the chapter and the facts list (issue #10).

Expected values are written by hand from the chapter (corpus/sources/chapter-01.txt) and the
facts list (corpus/sources/official-facts.md), not computed by the code under test."""

from __future__ import annotations

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
