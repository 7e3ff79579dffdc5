"""verify_quote: is a text a verbatim quotation of the corpus, whose, when, and is it disputed?

Expected records, forms and wordings are read off the corpus YAML by hand (grep), not computed."""

from __future__ import annotations

import json

import pytest

from kb.errors import QueryError
from kb.quotes import QuoteIndex, verify_quote

DISPUTED_ID = "2016-05-30-xi-national-sci-tech-conference"
# corpus/remarks/2016-05-30-xi-national-sci-tech-conference.yaml, quotes[0], first sentence, as written.
DISPUTED = "科技创新绝不仅仅是实验室里的研究,而是必须将科技创新成果转化为推动经济社会发展的现实动力。"
# Its second sentence, also given (reported) in corpus/remarks/2014-06-09-xi-academicians-conference.yaml.
LEAP = "科技成果只有同国家需要、人民要求、市场需求相结合,完成从科学研究、实验开发、推广应用的三级跳"


@pytest.fixture(scope="module")
def index(bundled):
    return QuoteIndex(bundled)


def check(bundled, index, text):
    return verify_quote(bundled, text, index)


def test_verbatim_reported_quotation(bundled, index):
    r = check(bundled, index, "打通“最后一公里”")
    assert r.verdict == "verbatim" and r.verbatim
    assert [m.record.id for m in r.matches] == ["2018-05-28-xi-academicians-conference"]
    m = r.to_json()["matches"][0]
    assert (m["speaker"], m["date"], m["form"], m["form_zh"]) == ("习近平", "2018-05-28", "reported", "转述")
    assert m["excerpt"] == "打通“最后一公里”"
    assert m["disputed"] is False and r.disputed is False


def test_full_width_punctuation_and_line_breaks_are_folded(bundled, index):
    # The writer types full-width commas and breaks the line; the corpus has half-width commas.
    text = "我国科技事业发展要坚持“四个面向”，即面向世界科技前沿、\n面向经济主战场、面向国家重大需求、面向人民生命健康"
    r = check(bundled, index, text)
    assert r.verbatim
    assert r.matches[0].record.id == "2020-09-11-xi-scientists-symposium"
    assert r.matches[0].form == "reported"  # as the YAML has it
    # the corpus's own wording comes back, with its half-width comma
    assert r.matches[0].excerpt.startswith("我国科技事业发展要坚持“四个面向”,即面向")


def test_every_record_holding_the_words_earliest_first(bundled, index):
    # grep -l 面向世界科技前沿、面向经济主战场、面向国家重大需求、面向人民生命健康 corpus/*/*.yaml corpus/policies/*.md
    r = check(bundled, index, "面向世界科技前沿、面向经济主战场、面向国家重大需求、面向人民生命健康")
    assert [(m.record.id, m.form) for m in r.matches] == [
        ("2020-09-11-xi-scientists-symposium", "reported"),
        ("2020-10-29-fifth-plenum-14th-fyp-proposals", "reported"),
        ("2021-05-28-xi-academicians-conference", "reported"),
        ("2021-12-24-law-sci-tech-progress", "text"),  # law-sci-tech-progress-2021.md, 第三条
    ]
    assert r.matches[3].provision == ("3", "第三条")
    assert r.total == 4
    assert r.message.startswith("是语料中的原文(共4处,最早一处):2020年9月11日 习近平")


def test_an_article_of_a_law_text(bundled, index):
    # corpus/policies/law-tech-transfer-2015.md line 17, typed with a half-width comma
    r = check(bundled, index, "科技成果转化活动应当有利于加快实施创新驱动发展战略,促进科技与经济的结合")
    [m] = r.matches
    assert (m.record.id, m.form, m.provision) == ("2015-08-29-law-promoting-tech-transfer", "text", ("3", "第三条"))
    assert (
        m.excerpt == "科技成果转化活动应当有利于加快实施创新驱动发展战略，促进科技与经济的结合"
    )  # the law's full-width comma
    data = m.to_json()
    assert data["provision"] == {"key": "3", "label": "第三条", "ref": "2015-08-29-law-promoting-tech-transfer#3"}
    assert data["speaker"] is None and data["people"] == ["全国人民代表大会常务委员会"]
    assert "(文件原文 第三条;id: 2015-08-29-law-promoting-tech-transfer)" in r.message
    # a word left out of the article: a near miss pointing at it
    r = check(bundled, index, "科技成果转化活动应当有利于实施创新驱动发展战略,促进科技与经济的结合")
    assert r.verdict == "near_miss" and r.closest[0].provision == ("3", "第三条")


def test_disputed_sentence_is_verbatim_and_flagged(bundled, index):
    r = check(bundled, index, DISPUTED)
    assert r.verbatim and r.disputed
    [m] = r.matches
    assert m.record.id == DISPUTED_ID and m.indexes == (0,) and m.form == "direct"
    assert m.excerpt == DISPUTED
    [d] = m.disputes
    assert d["status"] == "disputed" and "王志刚" in d["value"] and "2016年5月18日" in d["value"]
    assert "归属存疑" in r.message


def test_dispute_bears_on_the_quotation_it_names_only(bundled, index):
    # The same record's second quotation is not what the dispute is about.
    r = check(bundled, index, "要深入研究和解决经济和产业发展急需的科技问题")
    [m] = r.matches
    assert m.record.id == DISPUTED_ID and m.indexes == (1,)
    assert m.disputes == () and not r.disputed
    assert m.record_disputed is True


def test_sentence_in_two_records_with_different_forms(bundled, index):
    r = check(bundled, index, LEAP)
    got = [(m.record.id, m.form, bool(m.disputes)) for m in r.matches]
    assert got == [
        ("2014-06-09-xi-academicians-conference", "reported", False),
        (DISPUTED_ID, "direct", True),
    ]


def test_ellipsis_marks_an_omission(bundled, index):
    r = check(bundled, index, "“科技创新绝不仅仅是实验室里的研究……推动经济社会发展的现实动力。”")
    assert r.verbatim and r.elided and r.disputed
    assert r.matches[0].excerpt == "科技创新绝不仅仅是实验室里的研究……推动经济社会发展的现实动力。"
    # parts out of order are not the quotation
    r = check(bundled, index, "推动经济社会发展的现实动力……科技创新绝不仅仅是实验室里的研究")
    assert not r.verbatim


def test_near_miss_returns_the_closest_quotation_and_says_not_verbatim(bundled, index):
    # 科技创新成果 shortened to 科技成果: a typical misquotation.
    text = "科技创新绝不仅仅是实验室里的研究,而是必须将科技成果转化为推动经济社会发展的现实动力。"
    r = check(bundled, index, text)
    assert r.verdict == "near_miss" and not r.verbatim and r.matches == ()
    best = r.closest[0]
    assert best.record.id == DISPUTED_ID and 0.9 < best.similarity < 1
    assert best.excerpt == DISPUTED
    assert best.disputes and r.disputed  # the closest quotation's dispute still comes with it
    assert r.message.endswith(";该引语归属存疑,引用时须说明")
    assert r.message.startswith("不是语料中的原文;最接近的是 2016-05-30-xi-national-sci-tech-conference")
    data = r.to_json()
    assert data["verbatim"] is False and data["closest"][0]["id"] == DISPUTED_ID


def test_traditional_characters_are_not_verbatim_but_find_the_quotation(bundled, index):
    r = check(bundled, index, "打通“最後一公里”")
    assert r.verdict == "near_miss"
    assert r.closest[0].record.id == "2018-05-28-xi-academicians-conference"


def test_the_sources_own_narration_is_not_a_quotation(bundled, index):
    # corpus/remarks/2016-05-30-*.yaml notes: unquoted narration between the two quotations.
    r = check(bundled, index, "多年来,我国一直存在着科技成果向现实生产力转化不力、不顺、不畅的痼疾")
    assert r.verdict == "in_source" and not r.verbatim
    assert r.in_sources == ("chapter-01",)
    assert r.message.startswith("不是语料记录的引语:此文字见于来源 chapter-01 的正文")


def test_quotation_split_by_a_footnote_matches_whole(bundled, index):
    # Two quotes[] entries of the policy records, cut in the middle of 《促进科技成果转化法》.
    r = check(bundled, index, "稳步推进落实《促进科技成果转化法》《关于进一步促进科技成果转移转化的实施意见》")
    assert r.verbatim
    assert {m.record.id for m in r.matches} == {
        "2015-08-29-law-promoting-tech-transfer",
        "2016-04-21-action-plan-tech-transfer",
        "undated-implementation-opinions-tech-transfer",
    }
    assert all(m.indexes == (0, 1) for m in r.matches)


def test_unrelated_text_is_not_found(bundled, index):
    r = check(bundled, index, "今天天气很好,我们去公园散步吧")
    assert r.verdict == "not_found" and r.matches == () and r.closest == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the text to verify is empty (give the sentence you want to quote)"),
        ("   \n", "the text to verify is empty (give the sentence you want to quote)"),
        ("“。”", "'“。”' is too short to verify (give at least 2 characters besides punctuation)"),
        ("科" * 2001, "the text to verify has 2001 characters; verify at most 2000 at a time"),
    ],
)
def test_bad_text_is_a_one_line_error(bundled, index, text, message):
    with pytest.raises(QueryError) as e:
        check(bundled, index, text)
    assert str(e.value) == message


def test_cli_verify_quote(run):
    ok = run("verify-quote", DISPUTED)
    assert ok.exit_code == 0
    assert ok.output.splitlines()[0].endswith(
        "(直接引语;id: 2016-05-30-xi-national-sci-tech-conference);注意:归属存疑,引用时须说明"
    )
    assert "‼ 有争议:该句出自科技部党组书记、副部长王志刚2016年5月18日在国新办新闻发布会上的发言" in ok.output
    miss = run("verify-quote", "打通“最後一公里”", "--json")
    assert miss.exit_code == 1
    data = json.loads(miss.output)
    assert data["verdict"] == "near_miss" and data["closest"][0]["excerpt"] == "打通“最后一公里”"
    empty = run("verify-quote", " ")
    assert empty.exit_code == 1
    assert empty.output == "Error: the text to verify is empty (give the sentence you want to quote)\n"
