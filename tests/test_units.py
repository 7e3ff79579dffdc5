"""Provisions and the chapter's paragraphs as search units: ids, headlines, pinpoint queries,
grouping with their document, and ranking below curated records."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from kb.search import Filters

from .conftest import CHAPTER, CORPUS

LAW = "2015-08-29-law-promoting-tech-transfer"
PROGRESS = "2021-12-24-law-sci-tech-progress"
BEIJING = "2019-11-27-beijing-regulation-tech-transfer"
OPINION = "2021-08-02-guidelines-tech-results-evaluation"


def lines(result):
    return [h.id for h in result.hits]


def test_every_provision_is_indexed_once(searcher):
    with searcher.opened.open().searcher() as s:
        units = [d for d in s.all_stored_fields() if d["kind"] == "provision"]
    by_doc = {}
    for u in units:
        by_doc.setdefault(u["parent"], []).append(u["id"])
    # 52, 117 and 45 articles; the opinion's 2 + 10 + 4 items (its .source.md)
    assert {d: len(v) for d, v in by_doc.items()} == {LAW: 52, PROGRESS: 117, BEIJING: 45, OPINION: 16}
    assert len({u["id"] for u in units}) == len(units)
    assert f"{LAW}#45" in by_doc[LAW] and f"{OPINION}#3.2" in by_doc[OPINION]


@pytest.mark.parametrize(
    "query,first",
    [
        ("促进科技成果转化法 第四十五条", f"{LAW}#45"),
        ("转化法第45条", f"{LAW}#45"),
        ("《中华人民共和国促进科技成果转化法》第四十五条第一款第（一）项", f"{LAW}#45"),
        ("科技进步法第十条", f"{PROGRESS}#10"),
        ("科学技术进步法 第117条", f"{PROGRESS}#117"),
        ("北京条例第12条", f"{BEIJING}#12"),
        ("评价意见 二、（三）", f"{OPINION}#2.3"),
        (f"{LAW}#44", f"{LAW}#44"),
    ],
)
def test_a_named_provision_comes_first(searcher, query, first):
    result = searcher.search(query)
    assert result.hits[0].id == first
    assert result.hits[0].kind == "provision"


def test_a_number_without_a_document_pins_nothing(searcher):
    assert all(h.kind != "provision" or h.score < 100 for h in searcher.search("第四十五条").hits)
    result = searcher.search("第四十五条")
    # every law has a 第四十五条; none is put first by name, each is found by its label
    found = {h.id for h in result.hits} | {p.id for h in result.hits for p in h.parts}
    assert found >= {f"{LAW}#45", f"{BEIJING}#45", f"{PROGRESS}#45"}


def test_a_provision_hit_reads_as_a_citation(searcher):
    hit = searcher.search("转化法第45条").hits[0]
    assert hit.headline == "《中华人民共和国促进科技成果转化法》第四十五条"
    assert hit.title == "第四十五条"
    assert hit.date == "2015-08-29"
    assert hit.path == "corpus/policies/law-tech-transfer-2015.md:179"
    data = hit.to_json()
    assert data["parent"] == LAW
    assert data["place"] == {"label": "第四十五条", "key": "45", "division": "第四章 技术权益"}


def test_the_snippet_is_the_matched_item(searcher):
    hit = next(h for h in searcher.search("百分之五十 作价投资", Filters.make(kinds=("provision",))).hits)
    assert hit.id == f"{LAW}#45"
    # the 项 that holds both words, as printed
    assert hit.snippet.startswith("（二）利用该项职务科技成果[[作价投资]]的")


def test_kind_provision_and_passage_filters(searcher):
    prov = searcher.search("奖励", Filters.make(kinds=("provision",)))
    assert prov.total > 0 and {h.kind for h in prov.hits} == {"provision"}
    pas = searcher.search("京津冀", Filters.make(kinds=("passage",)))
    assert {h.kind for h in pas.hits} == {"passage"}


def test_a_document_and_its_provisions_take_one_line(searcher):
    result = searcher.search("奖励和报酬")
    docs = [h.listing.get("doc", h.id) for h in result.hits]
    assert len(docs) == len(set(docs))  # one line per document
    beijing = next(h for h in result.hits if h.id == BEIJING)
    assert [p.id for p in beijing.parts][:1] == [f"{BEIJING}#12"]
    assert all(p.kind == "provision" and p.listing["doc"] == BEIJING for p in beijing.parts)


@pytest.mark.parametrize(
    "query,section,page,words",
    [
        ("两张皮", "1.3", 12, "科研和经济始终是“两张皮”"),
        ("京津冀", "1.1", 4, "为推进京津冀科技成果转化提供强力支撑"),
        ("供给侧结构性改革", "1", 1, "将科技成果转化作为推进供给侧结构性改革"),
    ],
)
def test_the_chapters_paragraphs_are_found(searcher, query, section, page, words):
    result = searcher.search(query)
    hit = next(h for h in result.hits if h.kind == "passage")
    assert (hit.listing["section"], hit.listing["page"]) == (section, page)
    assert re.sub(r"\s", "", words) in re.sub(r"\s", "", CHAPTER.read_text(encoding="utf-8"))
    assert words in hit.snippet.replace("[[", "").replace("]]", "") or any(
        words in p.snippet.replace("[[", "").replace("]]", "") for p in hit.parts
    )


def test_passages_rank_below_the_records_that_hold_the_same_words(searcher):
    # the remark quotes the chapter's sentence: the curated record first, the paragraph after
    assert lines(searcher.search("一招鲜")) == ["2020-08-18-xi-anhui-inspection", "chapter-01#p37"]
    assert lines(searcher.search("最后一公里"))[0] == "2018-05-28-xi-academicians-conference"


def test_cli_shows_the_provision_and_the_parts(run, kb_copy):
    result = run("--kb", str(kb_copy), "search", "转化法第45条")
    assert result.exit_code == 0
    out = result.stdout.splitlines()
    assert out[2] == "1. 2015年8月29日(修正) [条文] 《中华人民共和国促进科技成果转化法》第四十五条"
    result = run("--kb", str(kb_copy), "search", "奖励和报酬", "--json")
    hits = json.loads(result.stdout)["hits"]
    beijing = next(h for h in hits if h["id"] == BEIJING)
    assert beijing["parts"][0]["id"] == f"{BEIJING}#12" and beijing["parts"][0]["parent"] == BEIJING


def test_an_edited_policy_keeps_its_provisions_once(tmp_path):
    from kb.home import locate
    from kb.search import Searcher

    root = tmp_path / "kb"
    shutil.copytree(CORPUS, root / "corpus")
    home = locate(root)
    with Searcher(home):
        pass
    rec = root / "corpus" / "policies" / f"{BEIJING}.yaml"
    rec.write_text(
        rec.read_text(encoding="utf-8").replace("region: 北京\n", "region: 北京\nvalidity: 未知\n"), encoding="utf-8"
    )
    with Searcher(home) as s:
        assert s.opened.notice == "索引已更新:修改 1 条"
        with s.opened.open().searcher() as ws:
            ids = [d["id"] for d in ws.all_stored_fields() if d.get("parent") == BEIJING]
    assert len(ids) == len(set(ids)) == 45
