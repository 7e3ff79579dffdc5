"""kb.api.KnowledgeBase: every method on the real corpus, and freshness after an edit on disk.

Expected values are read by hand from the corpus files (corpus/*/…yaml) and the README's
table of counts, never computed by kb."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb import KnowledgeBase
from kb.errors import CorpusError, NotFound, QueryError

from .conftest import CHAPTER, CORPUS

RECORDS = len(list(CORPUS.glob("*/*.yaml")))  # counted from the files, not by kb


@pytest.fixture(scope="module")
def kbase(tmp_path_factory):
    """The real corpus, copied so that its index is built apart from the checkout's."""
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(CORPUS, root / "corpus")
    k = KnowledgeBase.open(root)
    yield k
    k.close()


def test_import_kb_stays_light():
    code = "import sys, kb; from kb import KnowledgeBase; print('whoosh' in sys.modules, 'jieba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_open_unknown_folder_is_one_line_error(tmp_path):
    with pytest.raises(Exception, match="no corpus/ folder here"):
        KnowledgeBase.open(tmp_path / "nowhere")


def test_search_finds_the_record_and_reports_the_build_once(kbase):
    r = kbase.search("最后一公里")
    assert r.total == 3  # the remark and the two paragraphs of the chapter that say it
    assert [h.id for h in r.hits] == ["2018-05-28-xi-academicians-conference", "chapter-01#p35"]
    assert "[[最后一公里]]" in r.hits[0].snippet
    again = kbase.search("最后一公里")
    assert not any(n.startswith("索引") for n in again.notices)


def test_search_filters_sort_and_facets(kbase):
    r = kbase.search("科技成果", kinds="policy", people="国务院办公厅", sort="date", facets=True, limit=50)
    # The policies issued by 国务院办公厅 (issuers: in corpus/policies/*.yaml): 2016 行动方案, 2021 评价意见.
    assert [h.id for h in r.hits] == [
        "2016-04-21-action-plan-tech-transfer",
        "2021-08-02-guidelines-tech-results-evaluation",
    ]
    assert r.facets["kind"] == {"policy": 2}
    same = kbase.search("科技成果", kinds=("policy",), people=("国务院办公厅",), sort="date", limit=50)
    assert [h.id for h in same.hits] == [h.id for h in r.hits]
    r = kbase.search("科技", year=2020, kinds=["remark"], limit=50)
    assert {h.id[:4] for h in r.hits} == {"2020"}
    with pytest.raises(QueryError, match="--sort"):
        kbase.search("科技", sort="newest")
    with pytest.raises(QueryError, match="--kind"):
        kbase.search("科技", kinds=["speech"])
    with pytest.raises(QueryError):
        kbase.search("  ")


def test_search_zero_hits_suggests(kbase):
    r = kbase.search("最后一公里", year=2013)
    assert r.total == 0
    # the remark and 2 paragraphs of the chapter
    assert any(s.startswith("去掉筛选条件(") and s.endswith(":3 条结果") for s in r.suggestions)


def test_timeline_rows(kbase):
    tl = kbase.timeline(year=2020)
    # corpus/remarks/2020-*.yaml and corpus/events/2020-10-29-*.yaml, by date.
    assert [e.id for e in tl.entries] == [
        "2020-04-10-xi-financial-economic-commission-7th",
        "2020-08-18-xi-anhui-inspection",
        "2020-09-11-xi-scientists-symposium",
        "2020-10-16-xi-politburo-study-24th",
        "2020-10-29-fifth-plenum-14th-fyp-proposals",
    ]
    assert tl.entries[1].date_zh == "2020年8月18日至21日"
    assert [g.heading for g in tl.groups] == ["2020年"]
    rows = tl.to_json()
    assert rows[0]["id"] == "2020-04-10-xi-financial-economic-commission-7th" and rows[0]["date"] == "2020-04-10"
    with pytest.raises(QueryError, match="--topic"):
        kbase.timeline(topics=["不存在的主题"])


def test_show(kbase):
    shown = kbase.show("2016-05-30-xi-national-sci-tech-conference")
    assert shown.record.title == "习近平在全国科技创新大会、两院院士大会、中国科协第九次全国代表大会上的讲话"
    assert shown.source.id == "chapter-01"
    assert "disputed" in [c.get("status") for c in shown.record.get("checked", [])]
    assert shown.cite == "kb cite 2016-05-30-xi-national-sci-tech-conference"
    with pytest.raises(NotFound, match="2016-05-30-xi-national-sci-tech-conference"):
        kbase.show("2016-05-30-xi-national-sci-tech")


def test_stats(kbase):
    st = kbase.stats()
    assert st.total == RECORDS
    by_dir = {
        d: len(list((CORPUS / d).glob("*.yaml")))
        for d in ("remarks", "events", "policies", "statistics", "references", "sources")
    }
    assert dict(st.by_kind) == {
        "remark": by_dir["remarks"],
        "event": by_dir["events"],
        "policy": by_dir["policies"],
        "statistic": by_dir["statistics"],
        "reference": by_dir["references"],
        "source": by_dir["sources"],
    }


def test_cite_ids_phrase_and_exports(kbase):
    res = kbase.cite(["ref-li-sen-2024", "ref-hu-angang-2023"])
    assert [c.text for c in res.citations] == [
        "李森,刘振天,陈时见,等.高等教育强国建设的中国道路[J].高校教育管理,2024(1):1-23.",
        "胡鞍钢.中国式科技现代化:从落伍国到科技强国[J].北京工业大学学报(社会科学版),2023,23(2):1-19.",
    ]
    assert [c.number for c in res.citations] == [1, 2]
    phrase = kbase.cite("最后一公里")
    assert phrase.mode == "phrase"
    assert [c.id for c in phrase.citations] == ["2018-05-28-xi-academicians-conference"]
    ris = kbase.cite("ref-hu-angang-2023", style="ris")
    assert "TY  - JOUR" in ris.export and "T2  - 北京工业大学学报(社会科学版)" in ris.export
    refs = kbase.cite(all_of="reference")
    assert len(refs.citations) == 15
    with pytest.raises(QueryError, match="--style"):
        kbase.cite("ref-hu-angang-2023", style="apa")
    with pytest.raises(NotFound):
        kbase.cite("ref-nobody-1999")


def test_check(kbase):
    report = kbase.check()
    assert (report.records, report.errors, report.warnings) == (RECORDS, 0, 0)


def test_import_file_dry_run_writes_nothing(kbase):
    res = kbase.import_file(CHAPTER, dry_run=True)
    assert res.dry_run and res.written == ()
    assert sum(d.kind == "reference" for d in res.drafts) == 15
    assert not kbase.home.drafts_dir.exists()


def test_an_edit_on_disk_shows_in_the_next_call(tmp_path):
    shutil.copytree(CORPUS, tmp_path / "corpus")
    k = KnowledgeBase.open(tmp_path)
    rid = "2016-04-21-action-plan-tech-transfer"
    assert k.search("磁悬浮列车").total == 0
    assert "磁悬浮列车" not in k.show(rid).record.get("summary")
    path = tmp_path / "corpus" / "policies" / f"{rid}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: 国务院办公厅", "summary: 磁悬浮列车。国务院办公厅"), encoding="utf-8")

    assert k.show(rid).record.get("summary").startswith("磁悬浮列车。")
    r = k.search("磁悬浮列车")
    assert [h.id for h in r.hits] == [rid]
    assert "索引已更新:修改 1 条" in r.notices
    assert k.stats().total == RECORDS

    # A broken record: show reports it; search keeps the last good index and says so.
    (tmp_path / "corpus" / "remarks" / "2099-01-01-bad.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="2099-01-01-bad.yaml"):
        k.show(rid)
    r = k.search("磁悬浮列车")
    assert r.total == 1 and any(n.startswith("警告:语料有错误,索引未更新:") for n in r.notices)
    k.close()


def test_close_and_reuse(tmp_path):
    shutil.copytree(CORPUS, tmp_path / "corpus")
    with KnowledgeBase.open(Path(tmp_path)) as k:
        assert k.search("一招鲜").hits[0].id == "2020-08-18-xi-anhui-inspection"
    assert k.search("一招鲜").total == 2  # reopens on demand (the remark and the chapter's paragraph)
    k.close()


def test_readme_python_example_holds(monkeypatch, tmp_path):
    """The README's notebook-style example, run as a doctest on the bundled corpus."""
    import doctest
    import re

    from .conftest import REPO

    monkeypatch.delenv("KB_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From Python", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_every_package_ships():
    """`pip install .` (not editable) installs only the packages pyproject lists: each folder of
    kb/ with an __init__.py must be there, and kb serve's templates with kb.web."""
    import tomllib

    from .conftest import REPO

    conf = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {"kb"} | {
        "kb." + ".".join(p.parent.relative_to(REPO / "kb").parts) for p in (REPO / "kb").glob("*/**/__init__.py")
    }
    assert found <= set(conf["packages"])
    assert "templates/*.html" in conf["package-data"]["kb.web"]
