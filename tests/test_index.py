"""The index: built on first use, refreshed by content hash, swapped in atomically."""

from __future__ import annotations

import os

import pytest

from kb import index as index_mod
from kb.errors import CorpusError
from kb.home import locate
from kb.search import Searcher

from .conftest import REMARK


def _search_ids(home, text):
    with Searcher(home) as s:
        return [h.id for h in s.search(text, limit=20).hits], s.opened.notice


def test_first_search_builds_then_nothing_to_do(make_kb):
    home = locate(make_kb())
    ids, notice = _search_ids(home, "最后一公里")
    assert ids == ["2018-05-28-test"]
    assert notice == "索引已建成:2 条记录(尚无索引)"
    ids, notice = _search_ids(home, "最后一公里")
    assert notice is None


def test_changed_record_is_reindexed_alone(make_kb):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    f = root / "corpus" / "remarks" / "2018-05-28-test.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace("occasion: 测试会议", "occasion: 科学家座谈会"), encoding="utf-8"
    )
    ids, notice = _search_ids(home, "科学家座谈会")
    assert ids == ["2018-05-28-test"]
    assert notice == "索引已更新:修改 1 条"


def test_touched_but_unchanged_file_is_not_reindexed(make_kb):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    f = root / "corpus" / "remarks" / "2018-05-28-test.yaml"
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
    assert index_mod.ensure(home).notice is None


def test_added_and_removed_records(make_kb):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    new = REMARK.replace("2018-05-28-test", "2018-05-29-new").replace("测试会议", "新的会议")
    (root / "corpus" / "remarks" / "2018-05-29-new.yaml").write_text(new, encoding="utf-8")
    ids, notice = _search_ids(home, "新的会议")
    assert (ids, notice) == (["2018-05-29-new"], "索引已更新:新增 1 条")
    (root / "corpus" / "remarks" / "2018-05-29-new.yaml").unlink()
    ids, notice = _search_ids(home, "新的会议")
    assert (ids, notice) == ([], "索引已更新:删除 1 条")


def test_dictionary_change_rebuilds(make_kb):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    (root / "corpus" / "dictionary.txt").write_text("最后一公里\n", encoding="utf-8")
    assert index_mod.ensure(home).notice == "索引已建成:2 条记录(分词器或其词典已变)"


def test_broken_corpus_keeps_the_last_good_index(make_kb):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    f = root / "corpus" / "remarks" / "2018-05-28-test.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace('"2018-05-28"', '"2018-13-01"'), encoding="utf-8")
    ids, notice = _search_ids(home, "最后一公里")
    assert ids == ["2018-05-28-test"]
    assert notice == (
        "警告:语料有错误,索引未更新:corpus/remarks/2018-05-28-test.yaml:3: date: "
        "date '2018-13-01' is not a valid date (use YYYY, YYYY-MM, YYYY-MM-DD or START/END)"
    )


def test_broken_corpus_without_index_is_an_error(make_kb):
    root = make_kb({"remarks/x.yaml": "id: x\nkind: remark\n"})
    with pytest.raises(CorpusError):
        index_mod.ensure(locate(root))
    assert not (root / "index" / "CURRENT").exists()


def test_interrupted_build_leaves_the_previous_index(make_kb, monkeypatch):
    root = make_kb()
    home = locate(root)
    first = index_mod.ensure(home)
    calls = {"n": 0}
    real = index_mod.document

    def boom(rec):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(rec)

    monkeypatch.setattr(index_mod, "document", boom)
    with pytest.raises(KeyboardInterrupt):
        index_mod.ensure(home, rebuild=True)
    monkeypatch.undo()
    gens = sorted(p.name for p in (root / "index").iterdir() if p.name.startswith("gen-"))
    assert gens == [first.path.name]  # the half-built generation was removed
    assert (root / "index" / "CURRENT").read_text() == first.path.name
    ids, notice = _search_ids(home, "最后一公里")
    assert ids == ["2018-05-28-test"] and notice is None


def test_search_open_during_a_rebuild_still_answers(make_kb):
    root = make_kb()
    home = locate(root)
    with Searcher(home) as s:
        index_mod.ensure(home, rebuild=True)
        index_mod.ensure(home, rebuild=True)
        assert [h.id for h in s.search("最后一公里").hits] == ["2018-05-28-test"]


def test_index_goes_to_cache_when_folder_is_not_writable(make_kb, tmp_path, monkeypatch):
    root = make_kb()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("kb.home._writable", lambda path: False)
    home = locate(root)
    assert str(home.index_dir).startswith(str(tmp_path / "cache" / "kb"))
    ids, _ = _search_ids(home, "最后一公里")
    assert ids == ["2018-05-28-test"]
    assert not (root / "index").exists()


def test_cli_index_command(run, make_kb):
    root = make_kb()
    result = run("--kb", str(root), "index")
    assert (result.exit_code, result.output) == (0, "索引已建成:2 条记录(尚无索引)\n")
    result = run("--kb", str(root), "index")
    assert result.output == f"索引已是最新:2 条记录,位于 {root / 'index'}\n"
    result = run("--kb", str(root), "index", "--rebuild")
    assert result.output == "索引已建成:2 条记录(按要求重建)\n"


def test_old_generations_are_pruned(make_kb):
    root = make_kb()
    home = locate(root)
    for _ in range(4):
        index_mod.ensure(home, rebuild=True)
    gens = [p for p in (root / "index").iterdir() if p.name.startswith("gen-")]
    assert len(gens) == 2  # the live one and the one before it


def test_copy_of_bundled_corpus_round_trips_every_record(kb_copy, bundled):
    """Every record is in the index once, with its kind and date."""
    home = locate(kb_copy)
    opened = index_mod.ensure(home)
    with opened.open().searcher() as s:
        stored = {d["id"]: d for d in s.all_stored_fields() if d["kind"] not in ("provision", "passage")}
        units = [d for d in s.all_stored_fields() if d["kind"] in ("provision", "passage")]
    assert set(stored) == {r.id for r in bundled.records}
    assert {u["parent"] for u in units} <= set(stored)
    for r in bundled.records:
        assert stored[r.id]["kind"] == r.kind
        assert stored[r.id].get("date") == (r.date.iso() if r.date else None)


def test_same_size_edit_with_its_mtime_put_back_is_caught(make_kb):
    """`cp -p`, `rsync -a` and `tar x` put the mtime back; the inode change time tells."""
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    f = root / "corpus" / "remarks" / "2018-05-28-test.yaml"
    st = f.stat()
    text = f.read_text(encoding="utf-8")
    new = text.replace("occasion: 测试会议", "occasion: 检验会议")
    assert len(new.encode()) == st.st_size
    f.write_text(new, encoding="utf-8")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (f.stat().st_size, f.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    ids, notice = _search_ids(home, "检验会议")
    assert (ids, notice) == (["2018-05-28-test"], "索引已更新:修改 1 条")


def test_a_file_replaced_by_rename_with_the_same_stat_is_caught(make_kb, tmp_path):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    f = root / "corpus" / "remarks" / "2018-05-28-test.yaml"
    st = f.stat()
    other = tmp_path / "new.yaml"
    other.write_text(f.read_text(encoding="utf-8").replace("测试会议", "检验会议"), encoding="utf-8")
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, f)  # what rsync does: a new inode, stat otherwise equal
    assert _search_ids(home, "检验会议") == (["2018-05-28-test"], "索引已更新:修改 1 条")


@pytest.mark.parametrize("edit", ["change", "delete"])
def test_a_record_edited_while_a_rebuild_runs_is_indexed_next_time(make_kb, monkeypatch, edit):
    root = make_kb()
    home = locate(root)
    f = root / "corpus" / "remarks" / "2018-05-28-test.yaml"
    real = index_mod.corpus_mod.load

    def load_then_edit(*args, **kwargs):
        corpus = real(*args, **kwargs)  # the build has read the record; now a writer saves
        if edit == "change":
            f.write_text(f.read_text(encoding="utf-8").replace("测试会议", "编辑中的会议"), encoding="utf-8")
        else:
            f.unlink()
        return corpus

    monkeypatch.setattr(index_mod.corpus_mod, "load", load_then_edit)
    index_mod.ensure(home, rebuild=True)
    monkeypatch.undo()
    if edit == "change":
        assert _search_ids(home, "编辑中的会议") == (["2018-05-28-test"], "索引已更新:修改 1 条")
    else:
        assert _search_ids(home, "测试会议") == ([], "索引已更新:删除 1 条")
    assert index_mod.ensure(home).notice is None
