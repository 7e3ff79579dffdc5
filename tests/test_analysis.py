"""Tokenization is pinned: a change here silently changes what search finds."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.analysis import Segmenter, analyzer
from kb.index import body_text
from kb.text import fold

from .conftest import CORPUS, REPO


@pytest.fixture(scope="module")
def seg(bundled):
    return Segmenter(bundled.dictionary)


@pytest.mark.parametrize(
    ("text", "query_terms", "index_terms"),
    [
        ("科技自立自强", ["科技自立自强"], ["科技", "自立", "自强", "自立自强", "科技自立自强"]),
        (
            "加快实现高水平科技自立自强",
            ["加快", "实现", "高水平", "科技自立自强"],
            ["加快", "实现", "水平", "高水平", "科技", "自立", "自强", "自立自强", "科技自立自强"],
        ),
        ("打通“最后一公里”", ["打通", "最后一公里"], ["打通", "最后", "公里", "最后一公里"]),
        ("国办发〔2016〕28号", ["国办发", "2016", "28", "号"], ["国办", "办发", "国办发", "2016", "28", "号"]),
        ("Web3.0与ＣＯＶＩＤ－19", ["web3.0", "covid-19"], ["web3.0", "covid", "19", "covid-19"]),
        # Latin abbreviations and mixed tokens stay one term on both sides (#11): R&D was r, d.
        ("R&D经费", ["r&d", "经费"], ["r", "d", "r&d", "经费"]),
        ("全社会R&D经费投入", ["全", "社会", "r&d", "经费", "投入"], ["全", "社会", "r", "d", "r&d", "经费", "投入"]),
        ("GII排名", ["gii", "排名"], ["gii", "排名"]),
        ("B2B平台与5G网络", ["b2b", "平台", "5g", "网络"], ["b2b", "平台", "5g", "网络"]),
        ("PCT国际专利申请", ["pct", "国际", "专利申请"], ["pct", "国际", "专利", "申请", "专利申请"]),
        ("Ｒ＆Ｄ", ["r&d"], ["r", "d", "r&d"]),
        ("“R&D”。", ["r&d"], ["r", "d", "r&d"]),
        ("r & d", ["r", "d"], ["r", "d"]),
        ("2021-05-21与1-9+17", ["2021", "05", "21", "1", "9", "17"], ["2021", "05", "21", "1", "9", "17"]),
        ("京津研发、河北转化", ["京津研发", "河北转化"], ["京津", "研发", "京津研发", "河北", "转化", "河北转化"]),
        ("中小微企业的“一招鲜”", ["中小", "微", "企业", "一招鲜"], ["中小", "微", "企业", "一招", "一招鲜"]),
        (
            "研发投入强度达到2.55%",
            ["研发投入强度", "达到", "2.55"],
            ["研发", "投入", "强度", "研发投入", "研发投入强度", "达到", "2.55"],  # 研发投入: a domain word
        ),
        (
            "科技自立自強，關鍵核心技術",
            ["科技自立自强", "关键核心技术"],
            ["科技", "自立", "自强", "自立自强", "科技自立自强", "关键", "核心", "技术", "核心技术", "关键核心技术"],
        ),
        ("  \n\t ", [], []),
        ("。,“”()!", [], []),
    ],
)
def test_golden_tokenization(seg, text, query_terms, index_terms):
    assert seg.terms(text) == query_terms
    assert sorted(seg.terms(text, search=True)) == sorted(index_terms)


def test_fold_keeps_length_and_folds_variants():
    for text in ["科技自立自強", "ＡＢＣ１２３", "　全角空格", "國辦發〔2016〕28號"]:
        assert len(fold(text)) == len(text)
    assert fold("科技自立自強 ＡＢＣ１２３") == "科技自立自强 abc123"


def test_positions_count_words_not_characters(bundled):
    ana = analyzer(bundled.dictionary)
    toks = [(t.text, t.pos) for t in ana("加快实现高水平科技自立自强", positions=True, mode="query")]
    assert toks == [("加快", 0), ("实现", 1), ("高水平", 2), ("科技自立自强", 3)]


def _judged_queries() -> list[str]:
    path = REPO / "tests" / "judged_queries.yaml"
    if not path.exists():
        return []
    return [q["query"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]]


def test_fast_path_tokenizes_exactly_like_the_plain_path(bundled, tmp_path):
    """The SQLite-backed dictionary used by one-shot queries segments every text of the corpus
    and every judged query exactly as the in-memory dictionary used to build the index."""
    plain = Segmenter(bundled.dictionary)
    plain.write_frequency_db(tmp_path / "segdict.sqlite")
    fast = Segmenter(bundled.dictionary)
    fast.use_frequency_db(tmp_path / "segdict.sqlite")
    texts = [r.title for r in bundled.records] + [body_text(r) for r in bundled.records] + _judged_queries()
    texts += (CORPUS / "sources" / "chapter-01.txt").read_text(encoding="utf-8").splitlines()
    assert len(texts) > 500
    for text in texts:
        assert list(fast.words(text, search=True)) == list(plain.words(text, search=True)), text
        assert list(fast.words(text)) == list(plain.words(text)), text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_analyzer_never_raises(text):
    ana = analyzer(())
    for mode in ("index", "query"):
        for tok in ana(text, positions=True, chars=True, mode=mode):
            assert tok.text
            assert 0 <= tok.startchar <= tok.endchar <= len(text)
