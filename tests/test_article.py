"""`kb show <doc-id>#45`: one article of a law's full text, with 款 numbered, 项 as printed and
its cross-references. Expected strings written by hand from corpus/policies/law-tech-transfer-2015.md
(lines 179-189) and beijing-tech-transfer-regulation-2019.md (line 105: 根据本条例第十四条第二款)."""

LAW = "2015-08-29-law-promoting-tech-transfer"
BJ = "2019-11-27-beijing-regulation-tech-transfer"


def test_article_45_whole(run):
    r = run("show", f"{LAW}#45")
    assert r.exit_code == 0, r.output
    out = r.output.splitlines()
    assert out[0] == "《中华人民共和国促进科技成果转化法》第四十五条"
    assert out[1] == f"id: {LAW}#45"
    assert out[2] == "章: 第四章 技术权益"
    assert out[4].startswith("第一款 科技成果完成单位未规定、也未与科技人员约定奖励和报酬的方式和数额的，按照下列标准")
    assert [line[:5] for line in out[5:8]] == ["  （一）", "  （二）", "  （三）"]
    assert out[5].endswith("从该项科技成果转让净收入或者许可净收入中提取不低于百分之五十的比例；")
    assert out[8].startswith("第二款 国家设立的研究开发机构、高等院校")
    assert out[9].startswith("第三款 国有企业、事业单位依照本法规定")
    assert "第二款「前款第一项至第三项」→ 本条第一款" in r.output
    assert r.output.rstrip().endswith("被引用:\n  (无)")


def test_article_option_and_chinese_numerals(run):
    a = run("show", f"{LAW}#45").output
    assert run("show", LAW, "--article", "45").output == a
    assert run("show", LAW, "--article", "四十五").output == a
    assert run("show", f"{LAW}#第四十五条").output == a


def test_referred_by_across_articles(run):
    r14 = run("show", f"{BJ}#14").output
    assert "被引用:" in r14
    refs_in = r14.split("被引用:")[1]
    assert f"{BJ}#" in refs_in  # the article printing 根据本条例第十四条第二款
    which = refs_in.split()[0]
    r = run("show", which).output
    assert "根据本条例第十四条第二款" in r
    assert f"  {BJ}#14" in r.split("引用:")[1].split("被引用:")[0]


def test_unknown_article_one_line(run):
    r = run("show", f"{LAW}#99")
    assert r.exit_code != 0
    assert r.output.strip().splitlines() == [f"Error: {LAW} 没有 99: 条文范围为第一条至第五十二条"]
    r = run("show", "2016-04-21-action-plan-tech-transfer", "--article", "1")
    assert r.exit_code != 0 and "没有全文" in r.output and "Traceback" not in r.output


def test_library_and_json(run):
    from kb.api import KnowledgeBase

    kb = KnowledgeBase.open()
    art = kb.show(f"{LAW}#45")
    assert [len(c.items) for c in art.provision.clauses] == [3, 0, 0]
    j = art.to_json()
    assert j["within"] == [{"clause": 2, "says": "前款第一项至第三项", "target_clause": 1}]
