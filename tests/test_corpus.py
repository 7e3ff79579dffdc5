"""The bundled corpus validates, covers the chapter, and every class of bad input is reported."""

from __future__ import annotations

import re
import shutil

import pytest

from kb import corpus as corpus_mod
from kb.corpus import squash
from kb.dates import parse_date

from .conftest import CHAPTER, CORPUS, REMARK


def test_bundled_corpus_validates_without_problems():
    _, problems = corpus_mod.scan(CORPUS)
    assert [p.format() for p in problems] == []


def test_bundled_corpus_has_every_kind(bundled):
    kinds = {r.kind for r in bundled.records}
    assert kinds == {"remark", "event", "policy", "statistic", "reference", "source"}
    assert sum(r.kind == "reference" for r in bundled.records) == 15


def _chapter_dates(text: str) -> set[str]:
    """Every date the chapter gives for something, in the corpus's ISO forms."""
    flat = squash(text)
    found: set[str] = set()
    for y, m1, d1, m2, d2 in re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})(?:日)?与(\d{1,2})月(\d{1,2})日", flat):
        found.add(f"{y}-{int(m1):02d}-{int(d1):02d}")
        found.add(f"{y}-{int(m2):02d}-{int(d2):02d}")
    for y, m, d1, d2 in re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})日至(\d{1,2})日", flat):
        found.add(f"{y}-{int(m):02d}-{int(d1):02d}/{y}-{int(m):02d}-{int(d2):02d}")
    for y, m, d in re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?!至)", flat):
        found.add(f"{y}-{int(m):02d}-{int(d):02d}")
    for y, m in re.findall(r"(\d{4})年(\d{1,2})月(?!\d)", flat):
        found.add(f"{y}-{int(m):02d}")
    # A bare year that opens a statement: "2013年,全国政协会议…", "2015年习近平总书记提出…".
    for y in re.findall(r"(?:^|[。”])(\d{4})年(?![\d—月])", flat):
        found.add(y)
    return found


def _dates_for(rec) -> set[str]:
    """The dates a record answers to: its own, and what the chapter says where a check refined it."""
    out = {rec.date.iso()} if rec.date else set()
    for c in rec.get("checked", []):
        if c.get("field") == "date" and c.get("source_says") is not None:
            out.add(str(c["source_says"]))
    return out


def test_every_dated_event_of_the_chapter_is_in_the_corpus(bundled):
    chapter_dates = _chapter_dates(CHAPTER.read_text(encoding="utf-8"))
    assert len(chapter_dates) >= 25  # the parser itself works: the chapter is full of dates
    corpus_dates = set().union(*(_dates_for(r) for r in bundled.records))
    missing = sorted(d for d in chapter_dates if d not in corpus_dates)
    assert missing == []


def test_two_events_reported_together_are_two_records(bundled):
    dates = {r.date.iso() for r in bundled.records if r.kind == "remark" and r.date}
    assert {"2023-01-31", "2023-02-21"} <= dates


def test_every_quotation_is_verbatim_in_the_chapter(bundled):
    chapter = squash(CHAPTER.read_text(encoding="utf-8"))
    for rec in bundled.records:
        for q in rec.quotes:
            assert squash(q.text) in chapter, (rec.id, q.text[:20])


def test_refined_facts_keep_the_chapters_statement(bundled):
    rec = bundled.get("2021-05-21-xi-reform-commission-19th")
    assert rec.date.iso() == "2021-05-21"
    check = next(c for c in rec.get("checked") if c["field"] == "date")
    assert (check["status"], check["source_says"], check["via"]) == ("refined", "2021-05", "official-facts")


def test_disputed_attribution_is_flagged(bundled):
    rec = bundled.get("2016-05-30-xi-national-sci-tech-conference")
    disputed = [c for c in rec.get("checked") if c["status"] == "disputed"]
    assert disputed and "王志刚" in " ".join(str(v) for c in disputed for v in c.values())


# --- kb check on broken copies: one test per class of bad input, with its exact message -----


def _check(run, root):
    return run("--kb", str(root), "check")


GOOD = REMARK


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "yaml-syntax",
            GOOD.replace("title: 测试讲话", "title: [测试讲话"),
            "corpus/remarks/bad.yaml:5: yaml: YAML error: did not find expected ',' or ']'",
        ),
        (
            "unknown-kind",
            GOOD.replace("kind: remark", "kind: speech"),
            "corpus/remarks/bad.yaml:2: kind: 'speech' is not a kind (use one of: remark, event, policy, statistic, reference, source)",
        ),
        (
            "impossible-date",
            GOOD.replace('date: "2018-05-28"', 'date: "2018-13-45"'),
            "corpus/remarks/bad.yaml:3: date: date '2018-13-45' is not a valid date (use YYYY, YYYY-MM, YYYY-MM-DD or START/END)",
        ),
        (
            "missing-field",
            GOOD.replace("speaker: 习近平\n", ""),
            "corpus/remarks/bad.yaml:1: speaker: required field is missing",
        ),
        (
            "unknown-field",
            GOOD.replace("speaker: 习近平\n", "speaker: 习近平\nspeeker: 习近平\n"),
            "corpus/remarks/bad.yaml:7: speeker: unknown field (known: id, kind, date, title, topics, source, title_is_label, summary, notes, checked, related, draft, speaker, speaker_role, occasion, place, quotes, published, searched, original_title)",
        ),
        (
            "id-not-file-name",
            GOOD.replace("id: 2018-05-28-test", "id: bad-other"),
            "corpus/remarks/bad.yaml:1: id: 'bad-other' does not match the file name 'bad.yaml' (rename one of them)",
        ),
        (
            "topic-not-listed",
            GOOD.replace("topics: [科技成果转化]", "topics: [科技金融]"),
            "corpus/remarks/bad.yaml:8: topics: '科技金融' is not in topics.yaml (add it there, or use one of: 科技成果转化, 科技自立自强, …)",
        ),
        (
            "quote-not-verbatim",
            GOOD.replace("要打通“最后一公里”", "要打通“最初一公里”"),
            "corpus/remarks/bad.yaml:11: quotes.0.text: not found verbatim in source 'src' (copy it exactly; line breaks and spaces are ignored): 要打通“最初一公里”…",
        ),
        (
            "python-tag",
            GOOD.replace("title: 测试讲话", "title: !!python/object/apply:os.system ['echo owned']"),
            "corpus/remarks/bad.yaml:4: yaml: YAML error: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system': tags that build objects are not allowed",
        ),
        (
            "empty-file",
            "",
            "corpus/remarks/bad.yaml:1: file: is empty (a record needs at least id, kind, date, title, topics and source)",
        ),
        (
            "bad-type",
            GOOD.replace("topics: [科技成果转化]", "topics: 科技成果转化"),
            "corpus/remarks/bad.yaml:8: topics: must be a list of strings, not '科技成果转化'",
        ),
    ],
)
def test_check_reports_each_class_of_bad_input(run, make_kb, name, content, expected):
    if name == "id-not-file-name" or name in ("empty-file", "python-tag", "yaml-syntax"):
        text = content
    else:
        text = content.replace("id: 2018-05-28-test", "id: bad")
    root = make_kb({"remarks/bad.yaml": text})
    result = _check(run, root)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == expected
    assert "Traceback" not in result.output


def test_check_reports_non_utf8_bytes_with_line(run, make_kb):
    raw = (
        GOOD.replace("id: 2018-05-28-test", "id: bad")
        .encode("utf-8")
        .replace("测试会议".encode(), "测试会议".encode("gbk"))
    )
    root = make_kb({"remarks/bad.yaml": raw})
    result = _check(run, root)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert re.fullmatch(
        r"corpus/remarks/bad\.yaml:7: file: byte 0x[0-9a-f]{2} at offset \d+ is not UTF-8 \(save the file as UTF-8\)",
        first,
    )


def test_check_reports_duplicate_ids(run, make_kb):
    root = make_kb(
        {
            "events/2018-05-28-test.yaml": GOOD.replace("kind: remark", "kind: event").replace(
                "occasion: 测试会议", "occasion: 测试会议\nbody: 测试"
            )
        }
    )
    result = _check(run, root)
    assert result.exit_code == 1
    assert (
        "corpus/remarks/2018-05-28-test.yaml:1: id: duplicate id '2018-05-28-test' (also in corpus/events/2018-05-28-test.yaml)"
        in result.output
    )


def test_check_collects_every_problem_before_failing(run, make_kb):
    root = make_kb(
        {
            "remarks/a.yaml": GOOD.replace("id: 2018-05-28-test", "id: a").replace('"2018-05-28"', '"2018-02-30"'),
            "remarks/b.yaml": GOOD.replace("id: 2018-05-28-test", "id: b").replace(
                "topics: [科技成果转化]", "topics: [无此主题]"
            ),
            "remarks/c.yaml": "",
        }
    )
    result = _check(run, root)
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert [ln.split(":")[0] for ln in lines[:3]] == [
        "corpus/remarks/a.yaml",
        "corpus/remarks/b.yaml",
        "corpus/remarks/c.yaml",
    ]
    assert lines[-1].startswith("2 条记录有效;3 个错误,0 个警告(")


def test_check_passes_on_a_good_small_corpus(run, make_kb):
    root = make_kb()
    result = _check(run, root)
    assert result.exit_code == 0
    assert result.output == f"2 条记录有效;0 个错误,0 个警告({root / 'corpus'})\n"


def test_check_passes_on_the_bundled_corpus(run):
    result = run("check")
    assert result.exit_code == 0
    assert result.output.endswith(f"0 个错误,0 个警告({CORPUS})\n")


def test_python_tag_is_never_executed(make_kb, tmp_path):
    marker = tmp_path / "owned"
    text = GOOD.replace("title: 测试讲话", f"title: !!python/object/apply:os.system ['touch {marker}']")
    root = make_kb({"remarks/2018-05-28-test.yaml": text})
    corpus_mod.scan(root / "corpus")
    assert not marker.exists()


def test_kb_option_pointing_nowhere_is_one_line(run, tmp_path):
    result = run("--kb", str(tmp_path / "nope"), "check")
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {tmp_path / 'nope'}: no corpus/ folder here (create one with 'kb init {tmp_path / 'nope'}')\n"
    )


def test_load_refuses_a_broken_corpus(make_kb):
    root = make_kb({"remarks/x.yaml": "id: x\n"})
    with pytest.raises(corpus_mod.CorpusError) as e:
        corpus_mod.load(root / "corpus")
    assert str(e.value).startswith("corpus/remarks/x.yaml:1: kind: None is not a kind")


def test_copy_of_bundled_corpus_validates_and_breakage_is_found(tmp_path, run):
    root = tmp_path / "copy"
    shutil.copytree(CORPUS, root / "corpus")
    target = root / "corpus" / "remarks" / "2018-05-28-xi-academicians-conference.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace('date: "2018-05-28"', 'date: "2018-05-32"'), encoding="utf-8"
    )
    result = run("--kb", str(root), "check")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "corpus/remarks/2018-05-28-xi-academicians-conference.yaml:3: date: "
        "date '2018-05-32' is not a valid date (use YYYY, YYYY-MM, YYYY-MM-DD or START/END)"
    )


@pytest.mark.parametrize(
    ("raw", "start", "end", "zh"),
    [
        ("2018", "2018-01-01", "2018-12-31", "2018年"),
        ("2021-05", "2021-05-01", "2021-05-31", "2021年5月"),
        ("2018-05-28", "2018-05-28", "2018-05-28", "2018年5月28日"),
        ("2018-04-24/2018-04-28", "2018-04-24", "2018-04-28", "2018年4月24日至28日"),
        ("2018-04-24/2018-05-02", "2018-04-24", "2018-05-02", "2018年4月24日至5月2日"),
        ("2020-02", "2020-02-01", "2020-02-29", "2020年2月"),
    ],
)
def test_dates_keep_their_precision(raw, start, end, zh):
    d = parse_date(raw)
    assert (d.start.isoformat(), d.end.isoformat(), d.zh()) == (start, end, zh)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("id: 2018-05-28-test", "id: bad").replace(
                "title: 测试讲话", "title: 测试讲话\nnotes: &x [*x]"
            ),
            "corpus/remarks/bad.yaml:5: yaml: YAML error: an alias refers to a node that contains it (a recursive anchor)",
        ),
        (
            "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
            + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)),
            "corpus/remarks/bad.yaml:1: yaml: YAML error: more than 100000 values once aliases are expanded",
        ),
        (
            GOOD.replace("id: 2018-05-28-test", "id: bad")
            + "checked:\n  - {field: date, status: refined, source_says: 2018年5月, value: '2018-05-28', evidence: x, via: src}\n",
            "corpus/remarks/bad.yaml:14: checked.0.source_says: date '2018年5月' is not a valid date "
            "(use YYYY, YYYY-MM, YYYY-MM-DD or START/END) — a date check states the source's date as a date",
        ),
    ],
)
def test_check_reports_hostile_yaml_and_bad_date_checks(run, make_kb, text, expected):
    root = make_kb({"remarks/bad.yaml": text})
    result = run("--kb", str(root), "check")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == expected
