"""Shared fixtures: the real bundled corpus, a CLI runner, and small corpora built in tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import corpus as corpus_mod

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
CHAPTER = CORPUS / "sources" / "chapter-01.txt"


@pytest.fixture(scope="session")
def bundled():
    """The real bundled corpus, loaded once."""
    return corpus_mod.load(CORPUS)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def run(runner, tmp_path, monkeypatch):
    """Run kb's CLI in-process; returns click's Result. Index and caches go to tmp_path."""
    from kb.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("KB_HOME", raising=False)

    def _run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return _run


TOPICS = "topics:\n  科技成果转化: 转化\n  科技自立自强: 自立自强\n"
SOURCE = """\
id: src
kind: source
date: "2024"
title: 测试来源
topics: [科技成果转化]
source: {record: src, section: "1"}
text_file: src.txt
"""
SOURCE_TEXT = "2018年5月28日,习近平总书记提出,要打通“最后一公里”,加快科技成果转化。\n"
REMARK = """\
id: 2018-05-28-test
kind: remark
date: "2018-05-28"
title: 测试讲话
title_is_label: true
speaker: 习近平
occasion: 测试会议
topics: [科技成果转化]
source: {record: src, section: "1"}
quotes:
  - text: 要打通“最后一公里”
    form: reported
"""


@pytest.fixture
def make_kb(tmp_path):
    """Write a small knowledge base: make_kb({"remarks/x.yaml": "..."}) -> its root folder."""

    def _make(files: dict[str, str | bytes] | None = None, base: bool = True) -> Path:
        root = tmp_path / "kb"
        c = root / "corpus"
        (c / "sources").mkdir(parents=True, exist_ok=True)
        if base:
            (c / "topics.yaml").write_text(TOPICS, encoding="utf-8")
            (c / "sources" / "src.yaml").write_text(SOURCE, encoding="utf-8")
            (c / "sources" / "src.txt").write_text(SOURCE_TEXT, encoding="utf-8")
            (c / "remarks").mkdir(exist_ok=True)
            (c / "remarks" / "2018-05-28-test.yaml").write_text(REMARK, encoding="utf-8")
        for rel, content in (files or {}).items():
            p = c / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(textwrap.dedent(content), encoding="utf-8")
        return root

    return _make


@pytest.fixture(scope="session")
def kb_copy(tmp_path_factory):
    """A copy of the bundled corpus in a knowledge base of its own (its index is built there)."""
    import shutil

    root = tmp_path_factory.mktemp("kbcopy")
    shutil.copytree(CORPUS, root / "corpus")
    return root


@pytest.fixture(scope="session")
def searcher(kb_copy):
    """One open Searcher over the copy of the bundled corpus, shared by the search tests."""
    from kb.home import locate
    from kb.search import Searcher

    s = Searcher(locate(kb_copy))
    yield s
    s.close()


@pytest.fixture
def small(make_kb):
    """A small knowledge base of every kind (its records are in tests/test_timeline.py's FILES)."""
    from .test_timeline import FILES

    return make_kb(FILES)


@pytest.fixture
def small_corpus(small):
    return corpus_mod.load(small / "corpus")
