"""kb cite: GB/T 7714-2015 entries typed by hand, provenance, phrase lookup, exports that parse."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb import cite as C
from kb.errors import NotFound, QueryError
from kb.views import cite_text

from .conftest import REPO

# Each expected string is typed from the chapter's footnote and GB/T 7714-2015, not produced by
# kb: no comma between year and issue when there is no volume; three names then ",等" when
# the footnote cut the list with 等; the chapter's typeset "———" written as the dash "——";
# non-contiguous pages separated by "," (the chapter, like CNKI, writes 1-9+17).
EXPECTED = {
    "ref-qi-yudong-2024": "戚聿东,杜博.数字经济、高质量发展与推进中国式现代化[J].山东大学学报(哲学社会科学版),2024(1):108-124.",
    "ref-drc-market-institute-2022": "国务院发展研究中心市场经济研究所课题组,王微,邓郁松,等.新一轮技术革命与中国城市化2020—2050——影响、前景与战略[J].管理世界,2022,38(11):12-28.",
    "ref-zhao-yun-2023": "赵云,常悦,胡朝阳,等.历史制度主义视角下国家战略科技力量的逻辑与演进[J].实验室研究与探索,2023,42(10):140-147.",
    "ref-si-cong-2024": "司聪,任保平.中国式现代化新征程中经济高质量发展的战略重点与路径[J].经济问题,2024(1):1-9,17.",
    "ref-fang-xiaoxia-2023": "方晓霞.创新价值链视域下高职院校科技成果转化路径研究[J].教育与职业,2023(24):77-82.",
    "ref-ding-zhigang-2024": "丁志刚,张书华.中国式现代化的纵向叙事逻辑[J].西南大学学报(社会科学版),2024,50(1):38-53.",
    "ref-chen-yaqian-2023": "陈雅倩,方永恒,贾周萍.政策组合视角下科技成果转化政策的时间动态性分析[J].中国科技论坛,2023(3):26-36,48.",
    "ref-ma-linjing-2020": "马林静.基于高质量发展标准的外贸增长质量评价体系的构建与测度[J].经济问题探索,2020(8):33-43.",
    "ref-li-sen-2024": "李森,刘振天,陈时见,等.高等教育强国建设的中国道路[J].高校教育管理,2024(1):1-23.",
    "ref-zhang-yingqiang-2022": "张应强,姜远谋.超大规模的高等教育普及化:时代背景、现实挑战和道路选择[J].高等教育研究,2022,43(8):1-28.",
    "ref-sun-yinglin-2022": "孙莹琳,唐恒,赫英淇,等.专利行为视角下发明人型企业家对企业绩效的影响[J].管理科学,2022,35(5):80-98.",
    "ref-cai-shuangli-2023": "蔡双立,张晓丹.开放创新下知识产权保护与区域创新能力提升:堵还是疏?[J].科研管理,2023,44(5):149-158.",
    "ref-liu-xiaoyan-2022": "刘小燕,王睿路.国际技术规则构建中的国家话语权力博弈:内涵、机制与路径[J].社会科学战线,2022(10):158-169.",
    "ref-hu-angang-2023": "胡鞍钢.中国式科技现代化:从落伍国到科技强国[J].北京工业大学学报(社会科学版),2023,23(2):1-19.",
    "ref-chen-hongxi-2020": "陈红喜,关聪,王袁光曦.国内科技成果转化研究的现状和热点探析——基于共词分析和社会网络分析视角[J].科技管理研究,2020,40(7):125-134.",
}
CHAPTER_ENTRY = "科技成果转化概述[M]//[书名不详].[出版地不详]:[出版者不详]."
CHAPTER_NOTE = (
    "来源记录 chapter-01 未载书名、出版地、出版者、出版年;方括号内为著录者所补,出版年不详故不著录。发表前请按原书补全"
)
# Originals found by reading stored public pages (2026-11-29; corpus/sources/official-facts.md,
# 原始出处), each entry typed by hand from that research and GB/T 7714-2015: [Z] for a 新华社
# release (出版地:发布者,日期), [J] 刊名,年(期), [N] 报纸名,日期(版次), [EB/OL] with the access
# date in brackets. A report has no personal author; a speech's text has its speaker.
ORIGINALS = {
    "2016-09-03-xi-g20-business-summit": "为全球增长新蓝图贡献中国“良方”——解读习近平主席二十国集团工商峰会开幕式演讲[Z].杭州:新华社,2016-09-03.",
    "2020-04-10-xi-financial-economic-commission-7th": "习近平.国家中长期经济社会发展战略若干重大问题[J].求是,2020(21).",
    "2021-10-18-xi-politburo-study-34th": "习近平.不断做强做优做大我国数字经济[J].求是,2022(2).",
    "2022-10-16-xi-20th-party-congress": "习近平.高举中国特色社会主义伟大旗帜 为全面建设社会主义现代化国家而团结奋斗——在中国共产党第二十次全国代表大会上的报告[Z].北京:新华社,2022-10-25.",
    "2014-06-09-xi-academicians-conference": "Xi: Scientific innovation key to development[EB/OL].(2014-06-10)[2026-11-29].https://global.chinadaily.com.cn/china/2014-06/10/content_17574545.htm.",
    "2018-05-02-xi-peking-university": "Xi praises university for its top-quality education[EB/OL].[2026-11-29].https://www.chinadaily.com.cn/a/201805/03/WS5ae9fb08a3105cdcf651ba2b_3.html.",
    "2022-04-10-xi-hainan-inspection": "习近平在海南考察时强调 解放思想 开拓创新 团结奋斗 攻坚克难 加快建设具有世界影响力的中国特色自由贸易港[Z].海口:新华社,2022-04-13.",
    "2013-03-04-xi-cppcc-science-panel": "习近平李克强张德江俞正声刘云山王岐山张高丽分别看望出席全国政协十二届一次会议委员并参加讨论[Z].北京:新华社,2013-03-04.",
    "2016-05-30-xi-national-sci-tech-conference": "习近平.为建设世界科技强国而奋斗——在全国科技创新大会、两院院士大会、中国科协第九次全国代表大会上的讲话[Z].北京:新华社,2016-05-31.",
    "2018-05-28-xi-academicians-conference": "习近平.在中国科学院第十九次院士大会、中国工程院第十四次院士大会上的讲话[Z].北京:新华社,2018-05-28.",
    "2020-09-11-xi-scientists-symposium": "习近平.在科学家座谈会上的讲话[Z].北京:新华社,2020-09-11.",
    "2020-10-16-xi-politburo-study-24th": "习近平在中央政治局第二十四次集体学习时强调 深刻认识推进量子科技发展重大意义 加强量子科技发展战略谋划和系统布局[Z].北京:新华社,2020-10-17.",
    "2021-05-21-xi-reform-commission-19th": "习近平主持召开中央全面深化改革委员会第十九次会议强调 完善科技成果评价机制深化医疗服务价格改革 减轻义务教育阶段学生作业负担和校外培训负担[Z].北京:新华社,2021-05-21.",
    "2021-05-28-xi-academicians-conference": "习近平.加快建设科技强国 实现高水平科技自立自强[J].求是,2022(9).",
    "2021-11-24-xi-reform-commission-22nd": "Xi urges sci-tech management system reform, development of unified electricity market system[Z].北京:新华社,2021-11-24.",
    "2023-01-31-xi-politburo-study-2nd": "[新华社关于中共中央政治局就加快构建新发展格局进行第二次集体学习的报道][Z].新华社,2023-02-01.",
    "2023-02-21-xi-politburo-study-3rd": "习近平.加强基础研究 实现高水平科技自立自强[J].求是,2023(15).",
    "2023-03-05-xi-npc-14th-first-session": "习近平.在第十四届全国人民代表大会第一次会议上的讲话[Z].北京:新华社,2023-03-13.",
    "2023-05-25-xi-zgc-forum-letter": "习近平向2023中关村论坛致贺信[N].文汇报,2023-05-26(1).",
    "stat-2022-rd-spending": "国家统计局.中华人民共和国2022年国民经济和社会发展统计公报[Z].国家统计局,2023-02-28.",
    "stat-2022-rd-intensity": "国家统计局.中华人民共和国2022年国民经济和社会发展统计公报[Z].国家统计局,2023-02-28.",
    "stat-2022-global-innovation-index": "World Intellectual Property Organization.Global Innovation Index 2022: What is the future of innovation-driven growth?[Z].World Intellectual Property Organization,2022-09-29.",
    **{
        rid: "China National Intellectual Property Administration.China Intellectual Property Statistical Yearbook 2022: 1-1 Patent Grants, and Patents in Force of Three Kinds Originated from Home and Abroad (2022)[EB/OL].[2026-11-29].https://english.cnipa.gov.cn/jianbao/year2022/a/a1.html."
        for rid in (
            "stat-2022-patent-applications",
            "stat-2022-invention-patent-applications",
            "stat-2022-patent-grants",
            "stat-2022-invention-patent-grants",
        )
    },
}
# The official CSL input schema (citation-style-language/schema, schemas/input/csl-data.json,
# MIT licence), vendored so the tests run on a fresh clone; the team's copy sits in ../shared.
SCHEMA = REPO / "tests" / "data" / "csl-data.json"
SHARED_SCHEMA = REPO.parent / "shared" / "schemas" / "csl-data.json"


def test_the_chapter_has_fifteen_references(bundled):
    assert sorted(r.id for r in bundled.records if r.kind == "reference") == sorted(EXPECTED)


@pytest.mark.parametrize("ref_id", sorted(EXPECTED))
def test_reference_in_gbt7714(bundled, ref_id):
    result = C.cite(bundled, [ref_id])
    assert [c.text for c in result.citations] == [EXPECTED[ref_id]]
    assert cite_text(result) == EXPECTED[ref_id]


def test_full_width_punctuation(bundled):
    # The 2015 drafter's answer: "." and "/" half-width, every other mark full-width.
    got = C.cite(bundled, ["ref-li-sen-2024", "ref-cai-shuangli-2023", "ref-si-cong-2024"], punct="full")
    assert [c.text for c in got.citations] == [
        "李森，刘振天，陈时见，等.高等教育强国建设的中国道路［J］.高校教育管理，2024（1）：1-23.",
        "蔡双立，张晓丹.开放创新下知识产权保护与区域创新能力提升：堵还是疏？［J］.科研管理，2023，44（5）：149-158.",
        "司聪，任保平.中国式现代化新征程中经济高质量发展的战略重点与路径［J］.经济问题，2024（1）：1-9，17.",
    ]
    chapter = C.cite(bundled, ["stat-2022-sci-books"], punct="full").citations[0].text
    assert chapter == "科技成果转化概述［M］//［书名不详］.［出版地不详］：［出版者不详］."
    assert "．" not in chapter


def test_records_keep_the_chapters_pages_verbatim(bundled):
    assert bundled.get("ref-si-cong-2024").get("pages") == "1-9+17"
    assert bundled.get("ref-chen-yaqian-2023").get("pages") == "26-36+48"


def test_whole_bibliography_in_the_order_of_the_footnotes(bundled):
    result = C.cite(bundled, all_of="reference")
    # Each reference's notes say which footnote it is (第N条): the bibliography follows them.
    order = {}
    for c in result.citations:
        note = " ".join(bundled.get(c.id).get("notes"))
        order[c.id] = int(re.search(r"第(\d+)条", note).group(1))
    assert [order[c.id] for c in result.citations] == list(range(1, 16))
    assert [c.number for c in result.citations] == list(range(1, 16))
    assert cite_text(result).splitlines() == [f"[{order[c.id]}] {EXPECTED[c.id]}" for c in result.citations]


def test_several_ids_give_a_numbered_list_with_notes(bundled):
    got = C.cite(bundled, ["ref-hu-angang-2023", "2016-04-21-action-plan-tech-transfer", "stat-2022-sci-books"])
    assert cite_text(got) == "\n".join(
        [
            "[1] " + EXPECTED["ref-hu-angang-2023"],
            "[2] 国务院办公厅.促进科技成果转移转化行动方案:国办发〔2016〕28号[A].2016.",
            "[3] " + CHAPTER_ENTRY,
            "",
            "说明:",
            "[3] " + CHAPTER_NOTE,
        ]
    )


def test_phrase_finds_the_2018_remark_with_provenance(bundled):
    result = C.cite(bundled, ["最后一公里"])
    assert result.mode == "phrase"
    (c,) = result.citations
    assert c.id == "2018-05-28-xi-academicians-conference"
    # the original text found (新华社, 2018-05-28), cited directly: no chapter, no placeholder
    assert c.text == ORIGINALS["2018-05-28-xi-academicians-conference"]
    assert c.taken_from is None and not any("不详" in n for n in c.notes)
    p = c.provenance
    assert (p.date, p.date_zh, p.who, p.role) == ("2018-05-28", "2018年5月28日", ("习近平",), "总书记")
    assert p.occasion == "中国科学院第十九次院士大会、中国工程院第十四次院士大会"
    assert p.section == "1.3" and p.source == "《科技成果转化概述》"
    (quote,) = p.quotes
    assert "打通“最后一公里”" in quote[0] and quote[1] == "reported"


def test_phrase_ignores_white_space_and_lists_several_best_first(bundled):
    assert C.cite(bundled, ["最后 一公里"]).citations[0].id == "2018-05-28-xi-academicians-conference"
    many = C.cite(bundled, ["科技自立自强"])
    assert not many.citations and many.total > 1
    assert len(many.candidates) == min(10, many.total)
    # a direct quotation ranks before a reported one, which ranks before a title
    ranks = [bundled.get(c.id) for c in many.candidates]
    assert many.candidates[0].where == "quote"
    assert ranks[0].kind == "remark"
    assert cite_text(many).splitlines()[0].startswith(f"“科技自立自强”共 {many.total} 条记录匹配")


def test_phrase_with_kind_filter(bundled):
    got = C.cite(bundled, ["专利授权量"], kind="statistic")
    assert all(c.kind == "statistic" for c in got.candidates + tuple(got.citations))


def test_disputed_attribution_is_shown(bundled):
    result = C.cite(bundled, ["2016-05-30-xi-national-sci-tech-conference"])
    (c,) = result.citations
    assert [d.field for d in c.provenance.disputed] == ["quotes"]
    text = cite_text(result)
    assert "归属存疑:该句出自科技部党组书记、副部长王志刚2016年5月18日在国新办新闻发布会上的发言" in text
    assert "原题:《为建设世界科技强国而奋斗》" in text
    assert c.to_json()["provenance"]["disputed"] is True


def test_policy_document_and_online_forms(bundled):
    doc = C.cite(bundled, ["2016-04-21-action-plan-tech-transfer"]).citations[0]
    assert doc.text == "国务院办公厅.促进科技成果转移转化行动方案:国办发〔2016〕28号[A].2016."
    online = C.cite(bundled, ["2016-04-21-action-plan-tech-transfer"], form="online").citations[0]
    assert online.text == "国务院办公厅.促进科技成果转移转化行动方案:国办发〔2016〕28号[EB/OL].(2016-04-21)."
    assert any("网址" in n for n in online.notes)
    two = C.cite(bundled, ["2023-08-28-measures-young-sci-tech-talent"]).citations[0]
    assert two.text == "中共中央办公厅,国务院办公厅.关于进一步加强青年科技人才培养和使用的若干措施[A].2023."
    unknown = C.cite(bundled, ["undated-implementation-opinions-tech-transfer"]).citations[0]
    assert unknown.text == "关于进一步促进科技成果转移转化的实施意见[A]."
    assert "发文机关不详,著录从题名起" in unknown.notes and "各来源均未载日期,著录不含年份" in unknown.notes


def test_unconfirmed_doc_number_is_not_cited_but_noted(bundled):
    c = C.cite(bundled, ["2016-03-implementing-provisions-tech-transfer-law"]).citations[0]
    assert c.text == "国务院.实施《中华人民共和国促进科技成果转化法》若干规定[A].2016."
    assert any("国发〔2016〕16号" in n for n in c.notes)


def test_statistic_without_an_original_cites_its_source(bundled):
    c = C.cite(bundled, ["stat-2022-sci-books"]).citations[0]
    assert c.text == CHAPTER_ENTRY and c.taken_from is None
    assert c.provenance.figure == "2022年 全国 中国出版科技著作数量 60930种(较2018年 +13.61%)"
    assert c.provenance.quotes[0][0] == "2022年,中国出版科技著作60930种,相比2018年上升了13.61%。"
    assert c.provenance.published == "未找到(见记录的 searched)"


def test_statistic_cites_its_official_bulletin(bundled):
    c = C.cite(bundled, ["stat-2022-patent-grants"]).citations[0]
    assert c.text == ORIGINALS["stat-2022-patent-grants"]
    assert c.provenance.figure == "2022年 全国 中国专利授权量 432.34万项(较2018年 +73.65%)"
    assert any(n.startswith("另见:国家统计局《中华人民共和国2022年国民经济和社会发展统计公报》") for n in c.notes)


def test_qiushi_issue_and_report_of_the_day_with_its_official_page(bundled):
    """Originals found in the second round: a 求是 issue read from 新华社's announcement, in both
    punctuation styles, and a speech known from the report of the day, whose official site's page
    follows as 另见 (entries typed by hand from the pages read)."""
    full = C.cite(bundled, ["2021-10-18-xi-politburo-study-34th"], punct="full").citations[0]
    assert full.text == "习近平.不断做强做优做大我国数字经济［J］.求是，2022（2）."
    full = C.cite(bundled, ["2020-04-10-xi-financial-economic-commission-7th"], punct="full").citations[0]
    assert full.text == "习近平.国家中长期经济社会发展战略若干重大问题［J］.求是，2020（21）."
    c = C.cite(bundled, ["2016-09-03-xi-g20-business-summit"]).citations[0]
    assert c.text == ORIGINALS["2016-09-03-xi-g20-business-summit"]
    assert c.taken_from is None
    assert (
        "另见:中华人民共和国驻加拿大大使馆网站《Xi Jinping Attends Opening Ceremony of the 2016 B20 Summit and "
        "Delivers Keynote Speech, Stating that China Has Reached a New Historic Starting Point and G20 Should "
        "Advance the Construction of an Innovative, Open, Interconnected and Inclusive World Economy》,"
        "http://ca.china-embassy.org/eng/zt/2016G20/t1396660.htm(报道)"
    ) in c.notes
    # an official site's report whose page date was not read: cited without one, and said so
    pku = C.cite(bundled, ["2018-05-02-xi-peking-university"]).citations[0]
    assert pku.text == ORIGINALS["2018-05-02-xi-peking-university"]
    assert "记录未载网络文献的发表日期(published.date),未著录;讲话日期不是发表日期" in pku.notes


def bundled_hint(wrong, corpus):
    return f"no record {wrong!r}; closest: {', '.join(corpus.closest(wrong))}"


def test_unknown_id_names_the_closest(bundled):
    with pytest.raises(NotFound) as e:
        C.cite(bundled, ["ref-hu-angang-2032"])
    assert str(e.value) == bundled_hint("ref-hu-angang-2032", bundled)
    assert str(e.value).startswith("no record 'ref-hu-angang-2032'; closest: ref-hu-angang-2023")


def test_no_match_and_bad_options(bundled):
    with pytest.raises(NotFound, match="no record contains '量子引力'"):
        C.cite(bundled, ["量子引力"])
    with pytest.raises(QueryError):
        C.cite(bundled, ["最后一公里"], style="apa")
    with pytest.raises(QueryError):
        C.cite(bundled, ["x"], all_of="reference")


def test_search_is_the_fallback(bundled):
    hit = C.Candidate("2018-05-28-xi-academicians-conference", "remark", "2018年5月28日", "t", "习近平", "search", "")
    got = C.cite(bundled, ["打通 篱笆墙 一公里"], search=lambda text: [hit])
    assert got.mode == "search" and got.citations[0].id == hit.id
    assert cite_text(got).splitlines()[0].startswith("没有精确包含“打通 篱笆墙 一公里”的记录;按检索找到")


# ---------------------------------------------------------------- names


def test_split_name():
    assert C.split_name("胡鞍钢") == {"family": "胡", "given": "鞍钢"}
    assert C.split_name("司聪") == {"family": "司", "given": "聪"}
    assert C.split_name("司马光") == {"family": "司马", "given": "光"}
    assert C.split_name("欧阳修") == {"family": "欧阳", "given": "修"}
    assert C.split_name("国务院发展研究中心市场经济研究所课题组") == {
        "literal": "国务院发展研究中心市场经济研究所课题组"
    }
    assert C.split_name("国务院") == {"literal": "国务院"}


@given(st.lists(st.text(alphabet="赵钱孙李周吴郑王", min_size=2, max_size=3), max_size=8), st.booleans())
def test_author_list_is_three_names_then_deng(names, truncated):
    p = C._Punct(False)
    out = C.author_list(names, truncated, p)
    assert out == C.author_list(names, truncated, p)  # deterministic
    parts = out.split(",") if out else []
    assert parts[: min(3, len(names))] == names[:3]
    assert (parts[-1:] == ["等"]) == bool(names and (len(names) > 3 or truncated))


# ---------------------------------------------------------------- exports


def _schema():
    if not SCHEMA.is_file():
        pytest.fail(f"the CSL input schema is missing: expected {SCHEMA}")
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def test_csl_json_of_the_bibliography_validates(bundled):
    import jsonschema

    items = json.loads(C.cite(bundled, all_of="reference", style="csl-json").export)
    jsonschema.validate(items, _schema())
    assert len(items) == 15
    assert all(i["language"] == "zh-CN" and i["type"] == "article-journal" for i in items)
    drc = next(i for i in items if i["id"] == "ref-drc-market-institute-2022")
    assert drc["author"][0] == {"literal": "国务院发展研究中心市场经济研究所课题组"}
    assert drc["author"][1] == {"family": "王", "given": "微"}
    assert drc["title"] == "新一轮技术革命与中国城市化2020—2050——影响、前景与战略"
    assert (drc["volume"], drc["issue"], drc["page"]) == ("38", "11", "12-28")
    assert drc["issued"] == {"date-parts": [[2022]]}


def test_csl_json_of_every_kind_validates(bundled):
    import jsonschema

    ids = [r.id for r in bundled.records]
    items = json.loads(C.cite(bundled, ids, style="csl-json").export)
    jsonschema.validate(items, _schema())
    policy = next(i for i in items if i["id"] == "2016-04-21-action-plan-tech-transfer")
    assert policy["type"] == "legislation" and policy["number"] == "国办发〔2016〕28号"
    assert policy["author"] == [{"literal": "国务院办公厅"}]
    remark = next(i for i in items if i["id"] == "2018-05-28-xi-academicians-conference")
    assert remark["type"] == "document" and remark["author"] == [{"family": "习", "given": "近平"}]
    assert (remark["publisher"], remark["publisher-place"]) == ("新华社", "北京")
    assert remark["issued"] == {"date-parts": [[2018, 5, 28]]}
    known_only_from_the_chapter = next(i for i in items if i["id"] == "2015-xi-innovation-chain")
    assert known_only_from_the_chapter["type"] == "speech"


def _printed(published: str, original_title: str | None = "在两院院士大会上的讲话") -> str:
    title = f"original_title: {original_title}\n" if original_title else ""
    return f"""\
id: 2018-05-28-printed
kind: remark
date: "2018-05-28"
title: 测试讲话(见报)
title_is_label: true
{title}speaker: 习近平
occasion: 测试会议
place: 北京
topics: [科技成果转化]
source: {{record: src, section: "1"}}
published: {published}
quotes:
  - text: 要打通“最后一公里”
    form: direct
"""


def _cite_printed(make_kb, published, original_title="在两院院士大会上的讲话", style="gbt7714"):
    from kb.corpus import load

    corpus = load(make_kb({"remarks/2018-05-28-printed.yaml": _printed(published, original_title)}) / "corpus")
    assert not corpus.problems
    return C.cite(corpus, ["2018-05-28-printed"], style=style)


# The test source gives a title and a year, no container_title: a whole book, placeholders and all.
TAKEN_FROM = "测试来源[M].[出版地不详]:[出版者不详],2024."


def test_speech_printed_in_a_newspaper(make_kb):
    pub = '{date: "2018-05-29", in: 人民日报, type_code: N, pages: 2}'
    c = _cite_printed(make_kb, pub).citations[0]
    assert c.text == "习近平.在两院院士大会上的讲话[N].人民日报,2018-05-29(2)."
    assert c.taken_from is None and c.type_code == "N"  # the original is cited, not the source
    (item,) = json.loads(_cite_printed(make_kb, pub, style="csl-json").export)
    assert item["type"] == "article-newspaper" and item["container-title"] == "人民日报"
    assert item["issued"] == {"date-parts": [[2018, 5, 29]]}  # the paper's date, not the speech's
    assert (item["event"], item["event-place"], item["page"]) == ("测试会议", "北京", "2")
    import jsonschema

    jsonschema.validate([item], _schema())


def test_newspaper_without_its_date_never_takes_the_speech_date(make_kb):
    c = _cite_printed(make_kb, "{in: 人民日报, type_code: N}").citations[0]
    assert c.text == "习近平.在两院院士大会上的讲话[N].人民日报."
    assert any("未载见报日期" in n for n in c.notes)
    (item,) = json.loads(_cite_printed(make_kb, "{in: 人民日报, type_code: N}", style="csl-json").export)
    assert "issued" not in item


def test_journal_is_decided_by_type_code_not_by_the_name(make_kb):
    pub = '{date: "2020-01-01", in: 北京大学学报(哲学社会科学版), type_code: J, issue: 1, pages: "4-8+12"}'
    c = _cite_printed(make_kb, pub, original_title=None).citations[0]
    assert c.text == "习近平.[测试讲话(见报)][J].北京大学学报(哲学社会科学版),2020(1):4-8,12."
    (item,) = json.loads(_cite_printed(make_kb, pub, original_title=None, style="csl-json").export)
    assert (item["type"], item["title"], item["issue"], item["page"]) == (
        "article-journal",
        "[测试讲话(见报)]",
        "1",
        "4-8,12",
    )


def test_online_original_with_access_date(make_kb):
    pub = '{date: "2018-05-28", in: 新华网, type_code: EB/OL, url: "http://www.xinhuanet.com/x.htm", accessed: "2024-01-02"}'
    c = _cite_printed(make_kb, pub).citations[0]
    assert c.text == "习近平.在两院院士大会上的讲话[EB/OL].(2018-05-28)[2024-01-02].http://www.xinhuanet.com/x.htm."
    assert all("type_code" not in n and "url" not in n for n in c.notes)
    import rispy

    (ris,) = rispy.loads(_cite_printed(make_kb, pub, style="ris").export)
    assert (ris["type_of_reference"], ris["urls"], ris["access_date"]) == (
        "ELEC",
        ["http://www.xinhuanet.com/x.htm"],
        "2024/01/02",
    )


def test_without_type_code_the_fallback_is_said_in_a_note(make_kb):
    # 学报 ends in 报 but has an issue: a journal, and the note says it was guessed
    c = _cite_printed(make_kb, '{date: "2020", in: 某大学学报, issue: 3}').citations[0]
    assert c.text == "习近平.在两院院士大会上的讲话[J].某大学学报,2020(3)."
    assert any("未标类型" in n and "[J]" in n for n in c.notes)
    n = _cite_printed(make_kb, '{date: "2018-05-29", in: 人民日报}').citations[0]
    assert n.text == "习近平.在两院院士大会上的讲话[N].人民日报,2018-05-29."
    assert any("未标类型" in x and "[N]" in x for x in n.notes)
    unknown = _cite_printed(make_kb, '{date: "2018", in: 某刊}').citations[0]
    assert unknown.text == TAKEN_FROM and unknown.taken_from == TAKEN_FROM  # cited as 转引
    assert any("无法判断" in x for x in unknown.notes)


def test_phrase_matches_across_full_and_half_width_punctuation(bundled):
    rid = "2021-05-21-xi-reform-commission-19th"
    for phrase in ("加快实现科技自立自强，要用好", "加快实现科技自立自强,要用好", "加快實現科技自立自強,要用好"):
        got = C.cite(bundled, [phrase])
        assert got.mode == "phrase" and got.citations[0].id == rid, phrase
    (cand,) = C.find_phrase(bundled, "加快实现科技自立自强，要用好")
    assert "加快实现科技自立自强,要用好" in cand.snippet  # the record's own text, not the folded one


def _title(rec):
    """A reference's title as the standard writes it: the chapter's typeset ——— is the dash ——."""
    return rec.title.replace("———", "——")


def _pages(rec):
    """Pages as the standard writes them: the chapter's 1-9+17 is 1-9,17."""
    return str(rec.get("pages")).replace("+", ",")


def _label(rec):
    return rec.get("original_title") or (f"[{rec.title}]" if rec.get("title_is_label") else rec.title)


def _expected_ris(rec):
    """What a RIS reader must get back, read from the record itself (never from kb.cite)."""
    if rec.kind == "reference":
        out = {
            "type_of_reference": "JOUR",
            "authors": list(rec.get("authors")),
            "title": _title(rec),
            "secondary_title": rec.get("journal"),
            "year": str(rec.get("year")),
            "date": str(rec.get("year")),
        }
        if rec.get("volume") is not None:
            out["volume"] = str(rec.get("volume"))
        if rec.get("issue") is not None:
            out["number"] = str(rec.get("issue"))
        pages = _pages(rec)
        if "," in pages:
            out["start_page"] = pages
        else:
            out["start_page"], out["end_page"] = pages.split("-")
    elif rec.kind == "policy":
        out = {"type_of_reference": "STAT", "authors": list(rec.get("issuers")), "title": rec.title}
        for ch in rec.get("checked", []):  # the issuer on the document, where another source named it
            if ch.get("field") == "issuers" and ch.get("status") in ("differs", "refined") and ch.get("value"):
                out["authors"] = [ch["value"]]
        if rec.get("doc_number"):
            out["note"] = rec.get("doc_number")
        if rec.get("url"):
            out["urls"] = [rec.get("url")]
        if rec.date is not None:
            out["year"] = rec.date.raw[:4]
            out["date"] = rec.date.raw.split("/")[0].replace("-", "/")
    else:  # a remark cited from the chapter: a speech, dated when it was given
        out = {
            "type_of_reference": "GEN",
            "authors": [rec.get("speaker")],
            "title": _label(rec),
            "tertiary_title": rec.get("occasion"),
            "year": rec.date.raw[:4],
            "date": rec.date.raw.split("/")[0].replace("-", "/"),
        }
        if rec.get("place"):
            out["place_published"] = rec.get("place")
    out["id"] = rec.id
    out["language"] = "zh-CN"
    return out


def test_ris_parses_and_every_field_survives(bundled):
    import rispy

    ids = [r.id for r in bundled.records if r.kind in ("reference", "policy", "remark") and r.id not in ORIGINALS]
    parsed = rispy.loads(C.cite(bundled, ids, style="ris").export)
    assert [e["id"] for e in parsed] == ids
    for entry in parsed:
        rec = bundled.get(entry["id"])
        want = _expected_ris(rec)
        # persons come back as "family, given": joined again they are the record's names
        got = {k: v for k, v in entry.items() if k != "notes"}
        got["authors"] = [a.replace(", ", "") for a in got.get("authors", [])]
        assert got == want, rec.id
        assert entry["notes"], rec.id
    hu = parsed[ids.index("ref-hu-angang-2023")]
    assert hu["authors"] == ["胡, 鞍钢"]


def _unescape(value: str) -> str:
    return re.sub(r"\\([&%$#_])", r"\1", value)


def _expected_bibtex(rec):
    """A BibTeX entry's type and fields, read from the record itself (never from kb.cite)."""

    def name(n):
        return "{" + n + "}" if len(n) > 4 or n.endswith(("课题组", "办公厅", "院", "厅", "部")) else n

    if rec.kind == "reference":
        authors = [name(a) for a in rec.get("authors")] + (["others"] if rec.get("authors_truncated") else [])
        out = {
            "author": " and ".join(authors),
            "title": _title(rec),
            "journal": rec.get("journal"),
            "year": str(rec.get("year")),
            "date": str(rec.get("year")),
            "pages": _pages(rec),
        }
        if rec.get("volume") is not None:
            out["volume"] = str(rec.get("volume"))
        if rec.get("issue") is not None:
            out["number"] = str(rec.get("issue"))
        return "article", out
    return None, None


def test_ris_of_originals(bundled):
    import rispy

    ids = [
        "2023-05-25-xi-zgc-forum-letter",
        "2018-05-28-xi-academicians-conference",
        "2021-05-28-xi-academicians-conference",
    ]
    paper, release, journal = rispy.loads(C.cite(bundled, ids, style="ris").export)
    assert (paper["type_of_reference"], paper["title"], paper["secondary_title"], paper["date"]) == (
        "NEWS",
        "习近平向2023中关村论坛致贺信",
        "文汇报",
        "2023/05/26",
    )
    assert "authors" not in paper  # a report: the paper is not by the speaker
    assert (release["authors"], release["publisher"], release["date"]) == (["习, 近平"], "新华社", "2018/05/28")
    assert (journal["type_of_reference"], journal["secondary_title"], journal["number"], journal["year"]) == (
        "JOUR",
        "求是",
        "9",
        "2022",
    )


def _published_title(rec):
    """The title of the first original a record gives with its type, read from the record."""
    for pub in rec.publications:
        if pub.get("type_code") and pub.get("in"):
            return pub.get("title")
    return None


def test_bibtex_parses_and_every_field_survives(bundled):
    import bibtexparser

    ids = [r.id for r in bundled.records if r.kind != "source"]
    library = bibtexparser.parse_string(C.cite(bundled, ids, style="bibtex").export)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == ids
    for entry in library.entries:
        rec = bundled.get(entry.key)
        fields = {k: _unescape(f.value) for k, f in entry.fields_dict.items()}
        assert fields.pop("langid") == "chinese" and fields.pop("note")
        etype, want = _expected_bibtex(rec)
        if etype:
            assert (entry.entry_type, fields) == (etype, want), rec.id
        else:
            speech = _published_title(rec) or _label(rec)
            assert fields["title"] == (speech if rec.kind in ("remark", "event") else fields["title"]), rec.id
    drc = library.entries[ids.index("ref-drc-market-institute-2022")]
    assert (
        drc.fields_dict["author"].value
        == "{国务院发展研究中心市场经济研究所课题组} and 王微 and 邓郁松 and 王瑞民 and others"
    )


def test_exports_never_give_the_chapter_a_year(bundled):
    """The chapter's date is unknown (chapter-01: date null): a statistic's 2022 is not its year."""
    import bibtexparser
    import rispy

    assert bundled.get("chapter-01").date is None
    for rid in ("stat-2022-sci-books", "stat-2022-sci-papers", "chapter-01"):
        (item,) = json.loads(C.cite(bundled, [rid], style="csl-json").export)
        assert "issued" not in item and item["type"] == "chapter", rid
        assert {"publisher", "publisher-place", "container-title"}.isdisjoint(item), rid
        (ris,) = rispy.loads(C.cite(bundled, [rid], style="ris").export)
        assert {"year", "date", "publisher", "place_published"}.isdisjoint(ris), rid
        (bib,) = bibtexparser.parse_string(C.cite(bundled, [rid], style="bibtex").export).entries
        assert {"year", "date", "publisher", "address", "booktitle"}.isdisjoint(bib.fields_dict), rid


def test_remark_titles_are_marked_as_supplied_in_every_export(bundled):
    import bibtexparser
    import rispy

    label = bundled.get("2015-xi-innovation-chain")  # known from the chapter alone
    other = bundled.get("2020-08-18-xi-anhui-inspection")  # likewise
    assert label.get("title_is_label") and not label.get("original_title")
    assert other.get("title_is_label") and not other.get("original_title")
    ids = [label.id, other.id]
    csl = json.loads(C.cite(bundled, ids, style="csl-json").export)
    ris = rispy.loads(C.cite(bundled, ids, style="ris").export)
    bib = bibtexparser.parse_string(C.cite(bundled, ids, style="bibtex").export).entries
    want = [f"[{label.title}]", f"[{other.title}]"]
    assert [i["title"] for i in csl] == want
    assert [e["title"] for e in ris] == want
    assert [e.fields_dict["title"].value for e in bib] == want
    assert all("题名为本库所拟的描述" in i["note"] for i in csl)
    # a speech published under a title of its own is exported under that title, with no such note
    (text,) = json.loads(C.cite(bundled, ["2016-05-30-xi-national-sci-tech-conference"], style="csl-json").export)
    assert (
        text["title"]
        == "为建设世界科技强国而奋斗——在全国科技创新大会、两院院士大会、中国科协第九次全国代表大会上的讲话"
    )
    assert "题名为本库所拟的描述" not in text["note"]


def test_policies_from_the_facts_list_do_not_claim_the_chapter(bundled):
    for rid in ("2016-03-implementing-provisions-tech-transfer-law", "2021-08-02-guidelines-tech-results-evaluation"):
        assert bundled.get(rid).source_id == "official-facts"
        result = C.cite(bundled, [rid])
        for out in (cite_text(result), json.dumps(result.to_json(), ensure_ascii=False)):
            assert "科技成果转化概述" not in out and "chapter-01" not in out, rid
        assert "出处:核对事实清单(对照其他公开来源)(本库内部核对清单 official-facts,非出版物),“政策文件”部分" in (
            cite_text(result)
        )
        for style in ("csl-json", "ris", "bibtex"):
            assert "科技成果转化概述" not in C.cite(bundled, [rid], style=style).export


def test_unconfirmed_doc_number_never_reaches_any_entry(bundled):
    rid = "2016-03-implementing-provisions-tech-transfer-law"
    assert bundled.get(rid).get("doc_number") is None
    for form in ("document", "online"):
        assert "16号" not in C.cite(bundled, [rid], form=form).citations[0].text
    (item,) = json.loads(C.cite(bundled, [rid], style="csl-json").export)
    assert "number" not in item and "16号" not in item["note"]


# ---------------------------------------------------------------- bibliographies


def test_identical_entries_share_one_number(bundled):
    result = C.cite(bundled, all_of="remark")
    remarks = [r.id for r in bundled.records if r.kind == "remark"]
    chapter = [r for r in remarks if r not in ORIGINALS]
    assert len(chapter) == 22 - 19
    lines = cite_text(result).splitlines()
    # numbered in the order of the ids: 2013-03-04 and 2014-06-09 cite originals ([1], [2]);
    # 2015, known from the chapter alone, is the first to cite it, so the chapter is [3]
    assert lines[2] == "[3] " + CHAPTER_ENTRY
    assert sum(line.endswith(CHAPTER_ENTRY) for line in lines) == 1
    assert f"[3] {len(chapter)} 条记录引用同一条目: {', '.join(chapter)}" in lines
    assert lines.count("[3] " + CHAPTER_NOTE) == 1
    data = result.to_json()
    assert data["entries"][2] == {"number": 3, "text": CHAPTER_ENTRY, "type_code": "M", "ids": chapter}
    assert {c["text"] for c in data["citations"] if c["number"] != 3} == {
        ORIGINALS[r] for r in remarks if r in ORIGINALS
    }


def test_several_ids_of_one_source_give_one_entry(bundled):
    got = C.cite(bundled, ["stat-2022-sci-books", "ref-hu-angang-2023", "stat-2022-sci-papers"])
    assert cite_text(got).splitlines()[:2] == ["[1] " + CHAPTER_ENTRY, "[2] " + EXPECTED["ref-hu-angang-2023"]]
    assert [c.number for c in got.citations] == [1, 2, 1]
    assert "[1] 2 条记录引用同一条目: stat-2022-sci-books, stat-2022-sci-papers" in cite_text(got)
    bulletin = C.cite(bundled, ["stat-2022-rd-spending", "stat-2022-rd-intensity"])
    assert [c.number for c in bulletin.citations] == [1, 1]
    assert cite_text(bulletin).splitlines()[0] == "[1] " + ORIGINALS["stat-2022-rd-spending"]


def test_the_facts_list_is_not_cited_as_a_book_chapter(bundled):
    result = C.cite(bundled, all_of="source")
    facts = next(c for c in result.citations if c.id == "official-facts")
    assert (facts.text, facts.number, facts.type_code) == ("", 0, "")
    assert any("内部核对清单" in n and "不是出版物" in n for n in facts.notes)
    text = cite_text(result)
    assert "核对事实清单(对照其他公开来源)[M]" not in text
    assert text.splitlines()[0] == "[1] " + CHAPTER_ENTRY
    assert "来源 official-facts 是本库的内部核对清单,不是出版物" in text
    assert [e["ids"] for e in result.to_json()["entries"]] == [["chapter-01"]]


# ---------------------------------------------------------------- the command

REMARK_OUTPUT = """\
在 2018-05-28-xi-academicians-conference 的引语中找到“最后一公里”
2018年5月28日 · 习近平(总书记) · 中国科学院第十九次院士大会、中国工程院第十四次院士大会
地点:来源未载
发表:新华社《在中国科学院第十九次院士大会、中国工程院第十四次院士大会上的讲话》,2018-05-28(全文);求是《努力成为世界主要科学中心和创新高地》,2021-03-16,第6期(节选);国家互联网信息办公室网站,2018-05-28,http://www.cac.gov.cn/2018-05/28/c_1122898804.htm(报道)
转述(来源的间接引述,非原话):要加快创新成果转化应用,彻底打通关卡,破解技术突破、产品制造、市场模式、产业发展“一条龙”转化的瓶颈。要加大应用基础研究力度,以推动重大科技项目为抓手,打通“最后一公里”,拆除阻碍产业化的“篱笆墙”,疏通应用基础研究和产业化连接的快车道,促进创新链和产业链精准对接,加快科研成果从样品到产品再到商品的转化,把科技成果充分应用到现代化事业中去。
核对:引语相符:打通“最后一公里”(讲话文本的两个转载版本)
核对:原始出处补充:新华社2018年5月28日播发讲话全文(feifmx.com/zw/news/13000776/20180528/32460304.html(存档副本,2026-11-29阅),转载,文首“新华社北京5月28日电 在中国科学院第十九次院士大会、中国工程院第十四次院士大会上的讲话(2018年5月28日)习近平”)
核对:原始出处补充:《求是》2021年第6期(3月16日出版)《努力成为世界主要科学中心和创新高地》,为这次讲话的一部分(www.dallasorrec.com/dukan/qs/2021-03/15/c_1127209146.htm(存档副本,2026-11-29阅),求是网页面副本:“来源:《求是》2021/06”,编辑部文章称该文“是习近平总书记这次重要讲话的一部分”;ashea.com.cn/caijing/2021/0315/199721.html 转载新华社:“3月16日出版的第6期《求是》杂志将发表”)
出处:《科技成果转化概述》,第1.3节
著录:习近平.在中国科学院第十九次院士大会、中国工程院第十四次院士大会上的讲话[Z].北京:新华社,2018-05-28.
说明:原文说明:新华社北京5月28日电播发的讲话全文;所读为转载,见核对项
说明:另见:求是《努力成为世界主要科学中心和创新高地》,2021-03-16,第6期(节选);国家互联网信息办公室网站,2018-05-28,http://www.cac.gov.cn/2018-05/28/c_1122898804.htm(报道)
id: 2018-05-28-xi-academicians-conference
"""


def test_cli_phrase(run):
    result = run("cite", "最后一公里")
    assert result.exit_code == 0
    assert result.output == REMARK_OUTPUT


def test_cli_remarks_bibliography_prints_the_chapter_once(run, bundled):
    result = run("cite", "--kind", "remark", "--all")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[2] == "[3] " + CHAPTER_ENTRY  # after the originals of 2013-03-04 and 2014-06-09
    assert sum(line.endswith(CHAPTER_ENTRY) for line in lines) == 1
    entries = lines[: lines.index("")]
    assert sorted(e.split(" ", 1)[1] for e in entries if not e.endswith(CHAPTER_ENTRY)) == sorted(
        v for k, v in ORIGINALS.items() if bundled.get(k).kind == "remark"
    )


def test_cli_bibliography(run):
    result = run("cite", "--kind", "reference", "--all")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 15
    assert lines[0] == "[1] " + EXPECTED["ref-qi-yudong-2024"]
    assert lines[14] == "[15] " + EXPECTED["ref-chen-hongxi-2020"]


def test_cli_unknown_id(run):
    result = run("cite", "ref-hu-angang-2032")
    assert result.exit_code == 1
    assert result.output == (
        "Error: no record 'ref-hu-angang-2032'; closest: ref-hu-angang-2023, "
        "ref-zhang-yingqiang-2022, ref-sun-yinglin-2022\n"
    )


def test_cli_phrase_not_found(run, make_kb):
    root = make_kb()
    result = run("--kb", str(root), "cite", "量子引力")
    assert result.exit_code == 1
    assert result.output == "Error: no record contains '量子引力' in a quotation or title, and search finds none\n"


def test_cli_json(run):
    result = run("cite", "ref-li-sen-2024", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["mode"] == "ids" and data["citations"][0]["text"] == EXPECTED["ref-li-sen-2024"]
    assert set(data["citations"][0]) == {
        "number",
        "id",
        "kind",
        "text",
        "type_code",
        "taken_from",
        "notes",
        "provenance",
    }


def test_cli_export(run):
    result = run("cite", "ref-li-sen-2024", "--style", "bibtex")
    assert result.exit_code == 0
    assert result.output.startswith("@article{ref-li-sen-2024,\n  author = {李森 and 刘振天 and 陈时见 and others},\n")


def test_vendored_csl_schema_is_the_shared_one():
    """Where the team's copy is at hand (developers, CI), the vendored schema must equal it."""
    if SHARED_SCHEMA.is_file():
        assert SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes()
    assert json.loads(SCHEMA.read_text(encoding="utf-8"))["$id"].endswith("/input/json/csl-data.json")


# ---------------------------------------------------------------- a writer's own sources

# Each source type of a writer's own corpus, and the entry GB/T 7714-2015 gives it, typed by hand.
WRITER_SOURCES = {
    "book": (
        """\
        id: book
        kind: source
        date: "2021"
        title: 科技成果转化实务
        authors: [王小明, 李华]
        publisher: 科学出版社
        place: 北京
        topics: [科技成果转化]
        source: {record: book, section: "全文"}
        """,
        "王小明,李华.科技成果转化实务[M].北京:科学出版社,2021.",
    ),
    "chapter": (
        """\
        id: chapter
        kind: source
        date: "2021"
        title: 转化的路径
        authors: [王小明]
        container_title: 科技成果转化实务
        publisher: 科学出版社
        place: 北京
        pages: "45-60"
        topics: [科技成果转化]
        source: {record: chapter, section: "全文"}
        """,
        "王小明.转化的路径[M]//科技成果转化实务.北京:科学出版社,2021:45-60.",
    ),
    "article": (
        """\
        id: article
        kind: source
        date: "2023"
        title: 政策组合与成果转化
        authors: [陈雅, 方永, 贾萍, 张三]
        type_code: J
        container_title: 中国科技论坛
        volume: 39
        issue: 3
        pages: "26-36+48"
        topics: [科技成果转化]
        source: {record: article, section: "全文"}
        """,
        "陈雅,方永,贾萍,等.政策组合与成果转化[J].中国科技论坛,2023,39(3):26-36,48.",
    ),
    "page": (
        """\
        id: page
        kind: source
        date: "2023-05-26"
        title: 一篇网页
        authors: [某网站编辑部]
        type_code: EB/OL
        url: https://example.org/page.html
        accessed: "2026-11-29"
        topics: [科技成果转化]
        source: {record: page, section: "全文"}
        """,
        "某网站编辑部.一篇网页[EB/OL].(2023-05-26)[2026-11-29].https://example.org/page.html.",
    ),
}


@pytest.mark.parametrize("name", sorted(WRITER_SOURCES))
def test_a_writers_source_is_cited_as_what_it_is(make_kb, name):
    from kb.corpus import load

    text, want = WRITER_SOURCES[name]
    corpus = load(make_kb({f"sources/{name}.yaml": text}) / "corpus")
    assert not corpus.problems
    (c,) = C.cite(corpus, [name]).citations
    assert c.text == want
    assert not any("不详" in n for n in c.notes), c.notes


def test_kb_init_example_source_is_citable_as_a_book(tmp_path):
    from kb.corpus import load
    from kb.init import init

    init(tmp_path / "kb")
    corpus = load(tmp_path / "kb" / "corpus")
    assert not corpus.problems and corpus.get("my-source").get("title_is_label") is None
    (c,) = C.cite(corpus, ["my-source"]).citations
    assert c.text == "示例作者.我的资料来源(示例书名,请替换)[M].北京:示例出版社,2024."
    (remark,) = C.cite(corpus, ["2018-05-28-example"]).citations
    assert remark.text == remark.taken_from == c.text  # a remark known from that book alone: 转引


# ---------------------------------------------------------------- placeholders


def test_no_placeholder_where_an_original_is_known(bundled):
    """Where a record names an original (a `published` entry with its type), `kb cite` prints
    neither the chapter nor any of its placeholders; the records that do are the ones the
    research found (ORIGINALS, typed by hand)."""
    with_original = {r.id for r in bundled.records if any(p.get("type_code") for p in r.publications)}
    assert with_original == set(ORIGINALS)
    for rid in sorted(with_original):
        for punct in ("half", "full"):
            out = cite_text(C.cite(bundled, [rid], punct=punct))
            for placeholder in ("书名不详", "出版地不详", "出版者不详", "刊名不详"):
                assert placeholder not in out, (rid, placeholder)
            assert "科技成果转化概述[M]" not in out and "科技成果转化概述［M］" not in out, rid
        assert C.cite(bundled, [rid]).citations[0].text == ORIGINALS[rid]


def test_unknown_originals_say_what_was_searched(bundled):
    unknown = [r for r in bundled.records if r.published_unknown]
    assert len([r for r in unknown if r.kind == "remark"]) == 3
    assert len([r for r in unknown if r.kind == "statistic"]) == 6
    for rec in unknown:
        assert rec.get("searched"), rec.id
        c = C.cite(bundled, [rec.id]).citations[0]
        assert c.provenance.published == "未找到(见记录的 searched)"
        if rec.kind == "remark":
            assert c.taken_from == c.text == CHAPTER_ENTRY
            assert any("转引自" in n for n in c.notes)


def test_published_unknown_needs_a_searched_note(make_kb):
    from kb.corpus import scan

    remark = """\
    id: 2018-05-28-x
    kind: remark
    date: "2018-05-28"
    title: 测试
    speaker: 习近平
    occasion: 测试
    topics: [科技成果转化]
    source: {record: src, section: "1"}
    quotes:
      - text: 要打通“最后一公里”
        form: direct
    published: unknown
    """
    _, problems = scan(make_kb({"remarks/2018-05-28-x.yaml": remark}) / "corpus")
    assert [p.format() for p in problems] == [
        "corpus/remarks/2018-05-28-x.yaml:12: published: is 'unknown': say in 'searched' what was looked for and where"
    ]
