"""`kb cite` pins a provision: the document's GB/T 7714 entry plus the pinpoint as printed.
Expected strings written by hand from corpus/policies/law-tech-transfer-2015.md (第四十五条, its
项 （一）至（三）) and the record 2015-08-29-law-promoting-tech-transfer.yaml."""

import json

LAW = "2015-08-29-law-promoting-tech-transfer"
ENTRY = "全国人民代表大会常务委员会.中华人民共和国促进科技成果转化法:主席令第三十二号[A].2015."


def test_cite_by_id_and_by_phrase(run):
    for arg in (f"{LAW}#45", f"{LAW}#第四十五条", "促进科技成果转化法第四十五条", "转化法第45条"):
        r = run("cite", arg)
        assert r.exit_code == 0, (arg, r.output)
        out = r.output.splitlines()
        assert out[0] == "《中华人民共和国促进科技成果转化法》第四十五条", arg
        assert f"著录:{ENTRY}" in out


def test_cite_clause_and_item(run):
    r = run("cite", "促进科技成果转化法第四十五条第一款第（一）项")
    assert r.output.splitlines()[0] == "《中华人民共和国促进科技成果转化法》第四十五条第一款第（一）项"
    r = run("cite", "促进科技成果转化法第四十五条第（二）项")  # one 款 holds the 项: 款 given
    assert r.output.splitlines()[0] == "《中华人民共和国促进科技成果转化法》第四十五条第一款第（二）项"


def test_cite_missing_item_is_one_line(run):
    r = run("cite", "促进科技成果转化法第四十五条第（四）项")
    assert r.exit_code != 0
    assert r.output.strip().splitlines() == [
        "Error: 促进科技成果转化法第四十五条第（四）项: 第四十五条 has no 第（四）项"
    ]


def test_csl_json_legislation_with_section(run):
    r = run("cite", "促进科技成果转化法第四十五条", "--style", "csl-json")
    items = json.loads(r.output)
    assert len(items) == 1
    assert items[0]["type"] == "legislation"
    assert items[0]["section"] == "第四十五条"
    assert items[0]["title"] == "中华人民共和国促进科技成果转化法"


def test_plain_phrase_and_ids_unchanged(run):
    r = run("cite", LAW)
    assert r.output.splitlines()[0] != "《中华人民共和国促进科技成果转化法》第四十五条"
    assert f"著录:{ENTRY}" in r.output.splitlines()
