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
