"""Exports cannot be injected: hostile titles and names parse back as the same single entry, in
BibTeX (bibtexparser), RIS (rispy) and CSL-JSON; organisations stay literal names."""

from __future__ import annotations

import json
import re

import pytest

from kb import cite as C
from kb import corpus as corpus_mod

TITLE = "Braces} drop, note = {INJECTED}, x = {\\input{/etc/passwd}} 50% & $x$ #1 a_b ~^\nER  - \nTY  - JOUR\nTI  - 伪造记录"
AUTHORS = ["A&B 研究所", "王微", "欧阳修", "Smith and Jones, Inc.", "{Evil} and others", "Ann O'Neil", "3M 公司"]
RAW = "A&B研究所,王微.hostile[J].科研管理,2023,44(5):1-2."

REFERENCE = {
    "id": "ref-hostile-2023",
    "kind": "reference",
    "date": "2023",
    "title": TITLE,
    "title_is_label": False,
    "topics": ["科技成果转化"],
    "source": {"record": "src", "section": "1"},
    "authors": AUTHORS,
    "authors_truncated": False,
    "type_code": "J",
    "journal": "科研管理 {期刊}\n%",
    "year": 2023,
    "volume": "44",
    "issue": "5",
    "pages": "1-2",
    "raw": RAW,
    "anchor": {"marker": "①", "text": "加快科技成果转化"},
}


@pytest.fixture
def hostile(make_kb):
    import yaml

    root = make_kb({"references/ref-hostile-2023.yaml": yaml.safe_dump(REFERENCE, allow_unicode=True)})
    src = root / "corpus" / "sources" / "src.txt"
    src.write_text(src.read_text(encoding="utf-8") + RAW + "\n", encoding="utf-8")
    corpus = corpus_mod.load(root / "corpus")
    return corpus


def _unlatex(value: str) -> str:
    """A second, independent reading of the BibTeX escapes (the LaTeX meaning of each)."""
    for cmd, ch in (
        ("textbackslash", "\\"),
        ("textbraceleft", "{"),
        ("textbraceright", "}"),
        ("textasciitilde", "~"),
        ("textasciicircum", "^"),
    ):
        value = value.replace(f"\\{cmd}{{}}", ch)
    return re.sub(r"\\([&%$#_])", r"\1", value)


def test_bibtex_parses_back_to_one_entry_with_the_title_intact(hostile):
    import bibtexparser

    out = C.cite(hostile, ["ref-hostile-2023"], style="bibtex").export
    assert "\\input{" not in out
    library = bibtexparser.parse_string(out)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.key == "ref-hostile-2023"
    fields = entry.fields_dict
    assert set(fields) == {"author", "title", "journal", "year", "date", "volume", "number", "pages", "langid", "note"}
    assert _unlatex(fields["title"].value) == " ".join(TITLE.split())
    assert _unlatex(fields["journal"].value) == "科研管理 {期刊} %"
    authors = fields["author"].value
    # Split the list the way BibTeX does: at ' and ' outside braces.
    depth, parts, cur = 0, [], ""
    i = 0
    while i < len(authors):
        ch = authors[i]
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and authors.startswith(" and ", i):
            parts.append(cur)
            cur, i = "", i + 5
            continue
        cur += ch
        i += 1
    parts.append(cur)
    assert parts == [
        "{A\\&B 研究所}",
        "王微",
        "欧阳修",
        "{Smith and Jones, Inc.}",
        "{\\textbraceleft{}Evil\\textbraceright{} and others}",
        "{O'Neil}, {Ann}",
        "{3M 公司}",
    ]


def test_ris_parses_back_to_one_record_with_one_line_fields(hostile):
    import rispy

    out = C.cite(hostile, ["ref-hostile-2023"], style="ris").export
    (entry,) = rispy.loads(out)
    assert entry["id"] == "ref-hostile-2023"
    assert entry["title"] == TITLE.replace("\n", " ")
    assert entry["authors"] == [
        "A&B 研究所",
        "王, 微",
        "欧阳, 修",
        "Smith and Jones, Inc.",
        "{Evil} and others",
        "O'Neil, Ann",
        "3M 公司",
    ]
    tags = [line[:6] for line in out.splitlines()]
    assert tags.count("ER  - ") == 1 and tags.count("TY  - ") == 1 and tags[-1] == "ER  - "
    for line in out.splitlines():
        assert line == "" or re.match(r"[A-Z][A-Z0-9]  - ", line), line


def test_csl_json_keeps_organisations_literal(hostile):
    (item,) = json.loads(C.cite(hostile, ["ref-hostile-2023"], style="csl-json").export)
    assert item["title"] == TITLE
    assert item["author"] == [
        {"literal": "A&B 研究所"},
        {"family": "王", "given": "微"},
        {"family": "欧阳", "given": "修"},
        {"literal": "Smith and Jones, Inc."},
        {"literal": "{Evil} and others"},
        {"family": "O'Neil", "given": "Ann"},
        {"literal": "3M 公司"},
    ]
