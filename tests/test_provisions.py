"""Full texts of laws and policies: provisions, structure, dates, and what kb check says of them.

Expected counts and labels are written by hand from the texts and their .source.md (verified
structure), or counted here by a second method (a line regex), never by kb.provisions itself."""

from __future__ import annotations

import hashlib
import re
import shutil

import pytest

from kb import doctexts
from kb import provisions as P

from .conftest import CORPUS

POLICIES = CORPUS / "policies"
LAW = "2015-08-29-law-promoting-tech-transfer"
PROGRESS = "2021-12-24-law-sci-tech-progress"
BEIJING = "2019-11-27-beijing-regulation-tech-transfer"
OPINION = "2021-08-02-guidelines-tech-results-evaluation"
TEXTS = {
    LAW: "law-tech-transfer-2015.md",
    PROGRESS: "law-sci-tech-progress-2021.md",
    BEIJING: "beijing-tech-transfer-regulation-2019.md",
    OPINION: "gbf-2021-26-tech-results-evaluation.md",
}


def parsed(doc: str) -> P.ParsedText:
    return P.parse((POLICIES / TEXTS[doc]).read_text(encoding="utf-8"))


def test_numerals_both_ways():
    table = {
        1: "一",
        10: "十",
        11: "十一",
        20: "二十",
        45: "四十五",
        52: "五十二",
        100: "一百",
        101: "一百零一",
        108: "一百零八",
        110: "一百一十",
        117: "一百一十七",
    }
    for n, cn in table.items():
        assert P.int_to_cn(n) == cn
        assert P.cn_to_int(cn) == n
    assert P.cn_to_int("45") == 45
    with pytest.raises(ValueError):
        P.cn_to_int("四十五条")


@pytest.mark.parametrize("doc,count", [(LAW, 52), (PROGRESS, 117), (BEIJING, 45)])
def test_article_counts_agree_with_a_line_count(doc, count):
    text = (POLICIES / TEXTS[doc]).read_text(encoding="utf-8")
    by_regex = len(re.findall(r"(?m)^第[一二三四五六七八九十百零]+条 ", text))
    got = parsed(doc)
    assert by_regex == count
    assert len(got.provisions) == count
    assert [p.key for p in got.provisions] == [str(n) for n in range(1, count + 1)]
    assert got.problems == ()
    assert P.verify(got, text) == []


def test_opinion_items_as_the_source_md_lists_them():
    got = parsed(OPINION)
    keys = ["1.1", "1.2"] + [f"2.{n}" for n in range(1, 11)] + [f"3.{n}" for n in range(1, 5)]
    assert [p.key for p in got.provisions] == keys
    assert [d.heading for d in got.divisions] == ["一、总体要求", "二、主要工作措施", "三、组织实施"]
    principles = got.get("1.2")
    assert principles.label == "一、（二）"
    assert principles.heading == "基本原则"
    # 基本原则 is followed by four unnumbered paragraphs, each starting 坚持…
    assert [c.text[:2] for c in principles.clauses[1:]] == ["坚持"] * 4
    assert got.get("3.4").heading == "营造良好氛围"
    # the closing (国务院办公厅 / 2021年7月16日) is not part of the last item
    assert "2021年7月16日" not in got.get("3.4").text
    assert got.preamble[0] == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："


def test_article_45_clauses_and_items():
    art = parsed(LAW).get("45")
    assert art.label == "第四十五条"
    assert art.division == "第四章 技术权益"
    assert len(art.clauses) == 3
    first, second, third = art.clauses
    assert first.text.startswith("科技成果完成单位未规定、也未与科技人员约定奖励和报酬的方式和数额的")
    assert [i.label for i in first.items] == ["（一）", "（二）", "（三）"]
    assert first.items[0].text == (
        "（一）将该项职务科技成果转让、许可给他人实施的，从该项科技成果转让净收入或者许可净收入中提取不低于百分之五十的比例；"
    )
    assert (
        second.text
        == "国家设立的研究开发机构、高等院校规定或者与科技人员约定奖励和报酬的方式和数额应当符合前款第一项至第三项规定的标准。"
    )
    assert third.text.startswith("国有企业、事业单位依照本法规定")


def test_article_45_refers_to_the_first_clause_items_one_to_three():
    refs = [r for r in P.references(parsed(LAW)) if r.key == "45"]
    assert [(r.clause, r.says, r.target_key, r.target_clause, r.target_items) for r in refs] == [
        (2, "前款第一项至第三项", "45", 1, (1, 2, 3))
    ]


def test_chapters_with_article_ranges():
    got = parsed(LAW)
    ranges = [(d.heading, d.first, d.last) for d in got.divisions]
    assert ranges == [
        ("第一章 总则", "1", "8"),
        ("第二章 组织实施", "9", "32"),
        ("第三章 保障措施", "33", "39"),
        ("第四章 技术权益", "40", "45"),
        ("第五章 法律责任", "46", "51"),
        ("第六章 附则", "52", "52"),
    ]
    beijing = parsed(BEIJING)
    assert [d.title for d in beijing.divisions] == [
        "总则",
        "成果权益",
        "转化实施",
        "政府支持和保障",
        "法律责任",
        "附则",
    ]
    assert len(parsed(PROGRESS).divisions) == 12


def test_dates_the_texts_give_with_their_kind():
    def dates(doc):
        return [(d.date, d.kind) for d in parsed(doc).dates]

    assert dates(LAW) == [("1996-05-15", "adopted"), ("2015-08-29", "amended"), ("1996-10-01", "in_force")]
    assert dates(PROGRESS) == [
        ("1993-07-02", "adopted"),
        ("2007-12-29", "revised"),
        ("2021-12-24", "revised"),
        ("2022-01-01", "in_force"),
    ]
    assert dates(BEIJING) == [("2019-11-27", "adopted"), ("2020-01-01", "in_force")]
    # the opinion's only date is its closing line; the scraper's 2022-07-16 is not read
    assert dates(OPINION) == [("2021-07-16", "signed")]


def test_records_name_their_texts_and_history_kinds(bundled):
    for rid, name in TEXTS.items():
        rec = bundled.require(rid)
        assert rec.get("text_file") == name
        assert doctexts.parsed_of(CORPUS, rec) is not None
    law = bundled.require(LAW)
    assert law.date_kind == "amended" and law.date_kind_zh == "修正"
    steps = [(h["date"], h["kind"], h.get("via")) for h in law.get("history")]
    assert steps == [
        ("1996-05-15", "adopted", None),
        ("1996-10-01", "in_force", None),
        ("2015-08-29", "amended", None),
        ("2015-10-01", "in_force", "official-facts"),
    ]
    assert bundled.require(OPINION).date_kind == "published"


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.mark.parametrize("name", sorted(TEXTS.values()))
def test_texts_are_the_bytes_their_sidecar_names(name):
    data = (POLICIES / name).read_bytes()
    side = doctexts.sidecar(POLICIES / name).read_text(encoding="utf-8")
    blobs = re.findall(r"`([0-9a-f]{40})`", side.split("Git blob id", 1)[1])
    assert blobs and blobs[0] == _blob_id(data)


@pytest.fixture
def copy(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(CORPUS, root / "corpus")
    return root


def _edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_check_names_a_removed_article(run, copy):
    path = copy / "corpus" / "policies" / TEXTS[LAW]
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, s in enumerate(lines) if s.startswith("第四十五条 "))
    end = next(i for i, s in enumerate(lines) if s.startswith("## 第五章"))
    path.write_text("\n".join(lines[:start] + lines[end:]), encoding="utf-8")
    result = run("--kb", str(copy), "check")
    assert result.exit_code == 1
    assert (
        "corpus/policies/law-tech-transfer-2015.md:181: provisions: 第四十六条 follows 第四十四条: "
        "第四十五条 is missing; articles must be numbered continuously as printed"
    ) in result.output
    assert (
        "corpus/policies/2015-08-29-law-promoting-tech-transfer.yaml:22: structure.3: "
        "'第四章 技术权益(第四十条至第四十五条)' does not agree with its text: 第四章 技术权益(第四十条至第四十四条)"
    ) in result.output


def test_check_names_a_renumbered_article(run, copy):
    _edit(copy / "corpus" / "policies" / TEXTS[BEIJING], "第十二条 科技成果完成单位", "第十三条 科技成果完成单位")
    result = run("--kb", str(copy), "check")
    assert result.exit_code == 1
    assert (
        "corpus/policies/beijing-tech-transfer-regulation-2019.md:41: provisions: 第十三条 follows 第十一条: "
        "第十二条 is missing; articles must be numbered continuously as printed"
    ) in result.output
    assert (
        "corpus/policies/beijing-tech-transfer-regulation-2019.md:57: provisions: 第十三条 appears twice "
        "(also line 41); articles must be numbered continuously as printed"
    ) in result.output


def test_check_names_a_missing_opinion_item(run, copy):
    _edit(copy / "corpus" / "policies" / TEXTS[OPINION], "（三）落实主体责任。", "（五）落实主体责任。")
    result = run("--kb", str(copy), "check")
    assert result.exit_code == 1
    assert (
        "corpus/policies/gbf-2021-26-tech-results-evaluation.md:71: provisions: 三、组织实施: （五） follows （二）: "
        "（三） to （四） are missing; items must be numbered continuously as printed"
    ) in result.output


def test_check_holds_dates_to_the_text(run, copy):
    rec = copy / "corpus" / "policies" / f"{PROGRESS}.yaml"
    _edit(
        rec,
        '{date: "2022-01-01", event: 施行(第一百一十七条), kind: in_force}',
        '{date: "2022-01-02", event: 施行, kind: in_force}',
    )
    _edit(rec, "date_kind: revised", "date_kind: adopted")
    result = run("--kb", str(copy), "check")
    assert result.exit_code == 1
    out = result.output
    assert (
        f"corpus/policies/{PROGRESS}.yaml:10: history: the text gives 施行 (in_force) 2022-01-01 "
        '(corpus/policies/law-sci-tech-progress-2021.md:499); add {date: "2022-01-01", kind: in_force}'
    ) in out
    assert (
        f"corpus/policies/{PROGRESS}.yaml:14: history.3: in_force 2022-01-02 is not a date its text gives "
        "(通过 1993-07-02, 修订 2007-12-29, 修订 2021-12-24, 施行 2022-01-01); name where it comes from with via: <source id>"
    ) in out
    assert (
        f"corpus/policies/{PROGRESS}.yaml:3: date: 2021-12-24 is not a adopted (通过) date of its history (1993-07-02)"
        in out
    )


def test_check_names_a_missing_text_file(run, copy):
    (copy / "corpus" / "policies" / TEXTS[BEIJING]).unlink()
    result = run("--kb", str(copy), "check")
    assert result.exit_code == 1
    assert (
        f"corpus/policies/{BEIJING}.yaml:20: text_file: corpus/policies/beijing-tech-transfer-regulation-2019.md "
        "does not exist (the text goes beside the record)"
    ) in result.output
