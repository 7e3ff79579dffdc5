"""Start a new knowledge base: the topic list, dictionary and synonyms of the bundled corpus,
plus one example source and one example remark that validate."""

from __future__ import annotations

import shutil
from pathlib import Path

from kb.errors import KbError
from kb.home import bundled_corpus

EXAMPLE_SOURCE = """\
id: my-source
kind: source
date: "2024"
title: 我的资料来源(示例书名,请替换)
authors: [示例作者]
publisher: 示例出版社
place: 北京
topics: [科技成果转化]
source: {record: my-source, section: "全文"}
text_file: my-source.txt
notes:
  - 示例来源,一本书:kb cite my-source 著录为“示例作者.我的资料来源(示例书名,请替换)[M].北京:示例出版社,2024.”。请把书名、作者、出版者、出版地、出版年换成你的书。
  - 只摘了书中一章:title 写章名,加 container_title(书名),可加 pages,著录为 [M]//。期刊文章:type_code J,container_title 写刊名,可加 volume、issue、pages。网页:type_code EB/OL,加 url 与 accessed(访问日期)。
  - 把你摘录的原文放进 my-source.txt,引语会据此逐字核对。
"""
EXAMPLE_TEXT = "2018年5月28日,习近平总书记提出,要打通“最后一公里”,拆除阻碍产业化的“篱笆墙”。\n"
EXAMPLE_REMARK = """\
id: 2018-05-28-example
kind: remark
date: "2018-05-28"
title: 示例讲话(请替换)
title_is_label: true
speaker: 习近平
occasion: 示例场合(请替换)
topics: [科技成果转化]
source: {record: my-source, section: "1"}
quotes:
  - text: 要打通“最后一公里”
    form: reported
summary: 示例记录:引语必须逐字出现在来源文本中,kb check 会核对。
"""


def init(target: Path) -> list[Path]:
    """Create DIR/corpus with a working example; refuse to touch an existing corpus."""
    target = Path(target)
    corpus = target / "corpus"
    if corpus.exists():
        raise KbError(f"{corpus} already exists; kb init never overwrites a corpus (choose another folder)")
    src = bundled_corpus()
    tmp = target / ".corpus.init-tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        (tmp / "sources").mkdir(parents=True)
        (tmp / "remarks").mkdir()
        for name in ("topics.yaml", "dictionary.txt", "synonyms.yaml"):
            shutil.copyfile(src / name, tmp / name)
        (tmp / "sources" / "my-source.yaml").write_text(EXAMPLE_SOURCE, encoding="utf-8")
        (tmp / "sources" / "my-source.txt").write_text(EXAMPLE_TEXT, encoding="utf-8")
        (tmp / "remarks" / "2018-05-28-example.yaml").write_text(EXAMPLE_REMARK, encoding="utf-8")
        tmp.rename(corpus)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise KbError(f"{target}: cannot create the knowledge base: {e.strerror or e}") from None
    return sorted(p for p in corpus.rglob("*") if p.is_file())
