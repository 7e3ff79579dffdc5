"""What kb prints for people is Chinese: no English word in a text view's own frame.

Every command's human output on the bundled corpus is scanned for Latin words of three
letters or more. A word may come from the records themselves (an English title, a URL, a
field name a note mentions), from what was typed (the query), from the ids and option names
people type (kind ids, --exact, kb cite ID), or from the paths printed; any other is a label
or sentence left in English.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import CORPUS

WORD = re.compile(r"[A-Za-z]{3,}")
# Ids and names a person types back: commands, options, kind ids, field names in hints.
TYPED = set(
    "kb cite show search timeline check import ID kind exact statistic reference remark event policy source "
    "draft true corpus docs md".split()
)


@pytest.fixture(scope="module")
def data_words() -> set[str]:
    words: set[str] = set()
    for path in CORPUS.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".txt"):
            words.update(WORD.findall(path.read_text(encoding="utf-8")))
    return words


COMMANDS = [
    ("search", "科技自立自强", "-n", "3", "--facets"),
    ("search", "最后一公里"),
    ("search", "最后一公里", "--year", "2013"),
    ("search", "最后一公里", "量子xyzq"),
    ("search", "科技 AND"),
    ("search", "最后一 公里"),
    ("timeline", "--year", "1990"),
    ("timeline", "--year", "2020"),
    ("show", "2016-05-30-xi-national-sci-tech-conference"),
    ("show", "2021-05-21-xi-reform-commission-19th"),
    ("cite", "最后一公里"),
    ("cite", "科技自立自强"),
    ("cite", "科技成果评价指挥棒"),
    ("verify-quote", "加强基础研究"),
    ("verify-quote", "完全不存在的一句话语"),
    ("stats",),
    ("check",),
    ("index",),
    ("index", "--rebuild"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_human_output_has_no_english_frame(run, kb_copy, data_words, args):
    result = run("--kb", str(kb_copy), *args)
    assert result.exit_code in (0, 1), result.output
    text = result.output.replace(str(kb_copy), "")
    for typed in " ".join(args[1:]).split():  # the query as typed is printed back
        text = text.replace(typed, "")
    english = sorted({w for w in WORD.findall(text) if w not in data_words and w not in TYPED})
    assert english == [], text
