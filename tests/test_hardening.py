"""Hostile and broken corpora: kb reads nothing outside the knowledge base, nothing without a
size cap, reports every problem of a record, and answers one line from every command."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kb import corpus as corpus_mod
from kb.dates import DateFormatError, parse_date
from kb.records import ID_RE
from kb.search import Filters

from .conftest import REMARK, SOURCE

COMMANDS = (
    ("search", "最后一公里"),
    ("timeline",),
    ("show", "2018-05-28-test"),
    ("cite", "2018-05-28-test"),
    ("stats",),
    ("check",),
    ("index",),
)


def _problems(root) -> list[str]:
    _, problems = corpus_mod.scan(root / "corpus")
    return [p.format() for p in problems]


def _one_line_everywhere(run, root, expect: str) -> None:
    """Every command fails with exit 1 and no traceback; `expect` is in what it says."""
    for args in COMMANDS:
        result = run("--kb", str(root), *args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output, (args, result.output)
        assert expect in result.output, (args, result.output)
        if args[0] != "check":
            assert result.output.count("\n") == 1, (args, result.output)


# -- reads outside the corpus ----------------------------------------------------------------


def _source_with(text_file: str) -> str:
    return SOURCE.replace("text_file: src.txt", f"text_file: {text_file!r}")


def test_text_file_leaving_the_knowledge_base_is_an_error_and_never_read(make_kb):
    # The remark quotes a line of /etc/passwd: were the file read, the quotation would verify.
    root = make_kb(
        {
            "sources/src.yaml": _source_with("../../../../../../../../etc/passwd"),
            "remarks/2018-05-28-test.yaml": REMARK.replace("要打通“最后一公里”", "root:x:0:0"),
        }
    )
    problems = _problems(root)
    assert problems == [
        "corpus/sources/src.yaml:7: text_file: ../../../../../../../../etc/passwd: leads outside "
        f"{root} (to /etc/passwd); kb reads only files inside the knowledge base; "
        "the quotations citing this source cannot be verified"
    ]


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero"])
def test_text_file_through_a_link_leaving_the_knowledge_base(make_kb, target):
    root = make_kb()
    (root / "corpus" / "sources" / "src.txt").unlink()
    (root / "corpus" / "sources" / "src.txt").symlink_to(target)
    t0 = time.monotonic()
    problems = _problems(root)
    assert time.monotonic() - t0 < 5
    assert problems == [
        f"corpus/sources/src.yaml:7: text_file: src.txt: leads outside {root} (to {target}); kb reads only files "
        "inside the knowledge base; the quotations citing this source cannot be verified"
    ]


def test_absolute_text_file_is_refused(make_kb):
    root = make_kb({"sources/src.yaml": _source_with("/dev/zero")})
    assert _problems(root) == [
        "corpus/sources/src.yaml:7: text_file: /dev/zero: must be relative to the record's folder, not an absolute "
        "path; the quotations citing this source cannot be verified"
    ]


def test_text_file_that_is_a_fifo_or_folder_or_unreadable_is_an_error_not_a_hang(make_kb):
    root = make_kb()
    src = root / "corpus" / "sources" / "src.txt"
    src.unlink()
    os.mkfifo(src)
    assert _problems(root) == [
        "corpus/sources/src.yaml:7: text_file: corpus/sources/src.txt: is a FIFO; kb reads only regular files as a "
        "text; the quotations citing this source cannot be verified"
    ]
    src.unlink()
    src.mkdir()
    assert _problems(root) == [
        "corpus/sources/src.yaml:7: text_file: corpus/sources/src.txt: is a folder; kb reads only regular files as a "
        "text; the quotations citing this source cannot be verified"
    ]
    src.rmdir()
    src.write_bytes(b"\xff\xfe not utf-8")
    assert _problems(root) == [
        "corpus/sources/src.yaml:7: text_file: corpus/sources/src.txt: byte at offset 0 is not UTF-8 (save the file "
        "as UTF-8); the quotations citing this source cannot be verified"
    ]


def test_unreadable_source_text_is_an_error_not_zero_errors(run, make_kb):
    root = make_kb()
    (root / "corpus" / "sources" / "src.txt").unlink()
    result = run("--kb", str(root), "check")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "corpus/sources/src.yaml:7: text_file: corpus/sources/src.txt does not exist; the quotations citing this "
        "source cannot be verified",
        f"1 条记录有效;1 个错误,0 个警告({root / 'corpus'})",
    ]


def test_record_through_a_link_leaving_the_corpus_is_not_loaded(make_kb, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(REMARK.replace("2018-05-28-test", "2018-05-29-out"), encoding="utf-8")
    root = make_kb()
    (root / "corpus" / "remarks" / "2018-05-29-out.yaml").symlink_to(outside)
    corpus, problems = corpus_mod.scan(root / "corpus")
    assert [p.format() for p in problems] == [
        "corpus/remarks/2018-05-29-out.yaml:1: file: is a link leading outside the corpus; not read"
    ]
    assert "2018-05-29-out" not in corpus.by_id
    # A link that stays inside the corpus is fine.
    (root / "corpus" / "remarks" / "2018-05-29-out.yaml").unlink()
    (root / "corpus" / "remarks" / "2018-05-29-in.yaml").write_text(
        REMARK.replace("2018-05-28-test", "2018-05-29-in"), encoding="utf-8"
    )
    (root / "corpus" / "remarks" / "2018-05-30-in.yaml").symlink_to(root / "corpus" / "remarks" / "2018-05-29-in.yaml")
    corpus, problems = corpus_mod.scan(root / "corpus")
    assert [p.format() for p in problems] == [
        "corpus/remarks/2018-05-30-in.yaml:1: id: '2018-05-29-in' does not match the file name '2018-05-30-in.yaml' "
        "(rename one of them)",
        "corpus/remarks/2018-05-30-in.yaml:1: id: duplicate id '2018-05-29-in' (also in corpus/remarks/2018-05-29-in.yaml)",
    ]


def test_symlinked_kind_folder_leaving_the_corpus(make_kb, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2019-01-01-x.yaml").write_text(REMARK.replace("2018-05-28-test", "2019-01-01-x"), encoding="utf-8")
    root = make_kb()
    (root / "corpus" / "events").symlink_to(elsewhere)
    assert _problems(root) == ["corpus/events:1: file: is a link leading outside the corpus; not read"]


# -- size caps --------------------------------------------------------------------------------


def test_record_larger_than_the_cap_is_one_error_read_no_further(make_kb):
    root = make_kb()
    big = root / "corpus" / "remarks" / "2018-05-29-big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(3 * 1024 * 1024)  # sparse: reading it all would be the bug
    assert _problems(root) == [
        "corpus/remarks/2018-05-29-big.yaml:1: file: a record is 3 MB, more than the 2 MB kb reads"
    ]


def test_config_larger_than_the_cap(make_kb):
    root = make_kb()
    with open(root / "corpus" / "dictionary.txt", "wb") as fh:
        fh.truncate(9 * 1024 * 1024)
    assert _problems(root) == ["corpus/dictionary.txt:1: file: a corpus file is 9 MB, more than the 8 MB kb reads"]


def test_source_text_larger_than_the_cap(make_kb):
    root = make_kb()
    with open(root / "corpus" / "sources" / "src.txt", "wb") as fh:
        fh.truncate(65 * 1024 * 1024)
    assert _problems(root) == [
        "corpus/sources/src.yaml:7: text_file: corpus/sources/src.txt: a text is 65 MB, more than the 64 MB kb "
        "reads; the quotations citing this source cannot be verified"
    ]


def test_field_longer_than_the_cap_is_reported_with_its_line(make_kb):
    long = "科" * 100_001
    root = make_kb({"remarks/2018-05-28-test.yaml": REMARK + f"summary: {long}\n"})
    assert _problems(root) == [
        "corpus/remarks/2018-05-28-test.yaml:13: summary: is 100,001 characters, more than the 100,000 a field may "
        "hold (put a long text in a text_file)"
    ]


# -- check collects every problem ---------------------------------------------------------------


def test_check_reports_every_problem_of_a_record(make_kb):
    bad = (
        REMARK.replace('date: "2018-05-28"', 'date: "2018-13-45"')
        .replace("topics: [科技成果转化]", "topics: [不存在的主题]")
        .replace("要打通“最后一公里”", "来源里没有的话")
    )
    root = make_kb({"remarks/2018-05-28-test.yaml": bad})
    assert _problems(root) == [
        "corpus/remarks/2018-05-28-test.yaml:3: date: date '2018-13-45' is not a valid date (use YYYY, YYYY-MM, "
        "YYYY-MM-DD or START/END)",
        "corpus/remarks/2018-05-28-test.yaml:8: topics: '不存在的主题' is not in topics.yaml (add it there, or use one "
        "of: 科技成果转化, 科技自立自强, …)",
        "corpus/remarks/2018-05-28-test.yaml:11: quotes.0.text: not found verbatim in source 'src' (copy it exactly; "
        "line breaks and spaces are ignored): 来源里没有的话…",
    ]


def test_check_survives_wrongly_typed_lists(make_kb):
    bad = REMARK.replace("topics: [科技成果转化]", "topics: 5\nchecked: 7\nrelated: {a: 1}").replace(
        "quotes:\n  - text: 要打通“最后一公里”\n    form: reported\n", "quotes: [1, 2]\n"
    )
    root = make_kb({"remarks/2018-05-28-test.yaml": bad})
    problems = _problems(root)
    assert problems and all(p.startswith("corpus/remarks/2018-05-28-test.yaml:") for p in problems)
    assert any(": topics: must be a list of strings, not int 5" in p for p in problems)


def test_id_with_a_trailing_newline_is_rejected(make_kb):
    assert ID_RE.match("2018-05-28-test\n") is None
    bad = REMARK.replace("id: 2018-05-28-test", 'id: "2018-05-28-test\\n"')
    root = make_kb({"remarks/2018-05-28-test.yaml": bad})
    assert _problems(root) == [
        "corpus/remarks/2018-05-28-test.yaml:1: id: '2018-05-28-test\\n' is not a slug (lowercase a-z, 0-9 and '-')"
    ]


@pytest.mark.parametrize("raw", ["٢٠١٨", "２０１８-05", "2018-0５-28", "2018-05-28\n/2018-06-01", "𝟚𝟘𝟙𝟠"])
def test_dates_take_ascii_digits_only(raw):
    with pytest.raises(DateFormatError):
        parse_date(raw)
    assert parse_date("2018").raw == "2018"


def test_non_ascii_digits_in_a_record_date(make_kb):
    root = make_kb({"remarks/2018-05-28-test.yaml": REMARK.replace('date: "2018-05-28"', 'date: "٢٠١٨"')})
    assert _problems(root) == [
        "corpus/remarks/2018-05-28-test.yaml:3: date: date '٢٠١٨' is not a valid date (use YYYY, YYYY-MM, "
        "YYYY-MM-DD or START/END)"
    ]


@pytest.mark.parametrize("freq", ["١٢", "²", "1e5", "-3", "9" * 13])
def test_dictionary_line_with_a_bad_frequency_is_a_check_error(run, make_kb, freq):
    root = make_kb({"dictionary.txt": f"最后一公里 {freq}\n"})
    assert _problems(root) == [
        f"corpus/dictionary.txt:1: dictionary: '最后一公里 {freq}' is not 'word [frequency] [tag]' (the frequency in "
        "digits 0-9)"
    ]
    result = run("--kb", str(root), "search", "最后一公里")
    assert result.exit_code == 1 and "internal error" not in result.output
    assert result.output.startswith("Error: corpus/dictionary.txt:1: dictionary:")


def test_kb_index_exits_non_zero_when_the_corpus_has_errors(run, make_kb):
    root = make_kb()
    assert run("--kb", str(root), "index").exit_code == 0
    f = root / "corpus" / "remarks" / "2018-05-28-test.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace('"2018-05-28"', '"2018-13-01"'), encoding="utf-8")
    result = run("--kb", str(root), "index")
    assert result.exit_code == 1
    assert result.output.startswith("警告:语料有错误,索引未更新:")


# -- wrongly typed corpus parts: one line from every command --------------------------------------


def test_a_folder_where_topics_yaml_belongs(run, make_kb):
    root = make_kb()
    (root / "corpus" / "topics.yaml").unlink()
    (root / "corpus" / "topics.yaml").mkdir()
    _one_line_everywhere(run, root, "corpus/topics.yaml:1: file: is a folder; kb reads only regular files")


def test_a_file_where_a_kind_folder_belongs(run, make_kb):
    root = make_kb()
    (root / "corpus" / "events").write_text("oops", encoding="utf-8")
    _one_line_everywhere(run, root, "corpus/events:1: folder: is not a folder")


def test_a_folder_where_a_record_belongs(run, make_kb):
    root = make_kb()
    (root / "corpus" / "remarks" / "2019-01-01-dir.yaml").mkdir()
    _one_line_everywhere(
        run, root, "corpus/remarks/2019-01-01-dir.yaml:1: file: is a folder where a record file belongs"
    )


def test_a_symlink_loop_where_a_record_belongs(run, make_kb):
    root = make_kb()
    a = root / "corpus" / "remarks" / "2019-01-01-a.yaml"
    b = root / "corpus" / "remarks" / "2019-01-01-b.yaml"
    a.symlink_to(b)
    b.symlink_to(a)
    _one_line_everywhere(run, root, "corpus/remarks/2019-01-01-a.yaml:1: file: is a symbolic link loop; not read")


def test_a_fifo_where_a_record_belongs(run, make_kb):
    root = make_kb()
    os.mkfifo(root / "corpus" / "remarks" / "2019-01-01-fifo.yaml")
    _one_line_everywhere(
        run, root, "corpus/remarks/2019-01-01-fifo.yaml:1: file: is a FIFO; kb reads only regular files"
    )


def test_a_symlink_loop_where_topics_yaml_belongs(run, make_kb):
    root = make_kb()
    t = root / "corpus" / "topics.yaml"
    t.unlink()
    t.symlink_to(t)
    _one_line_everywhere(run, root, "corpus/topics.yaml:1: file: cannot be read: is a symbolic link")


# -- queries: bounded, never inverted, printable ---------------------------------------------------


def _ids(searcher, q, **kw):
    """The records hit (the chapter's paragraphs and the laws' articles, kb.units, aside)."""
    return sorted(h.id for h in searcher.search(q, limit=1000, **kw).hits if h.kind not in ("passage", "provision"))


def test_leading_not_means_everything_except(searcher, bundled):
    every = sorted(r.id for r in bundled.records if r.kind != "source")  # sources only with --kind source
    with_word = set(_ids(searcher, "科技"))
    assert 10 < len(with_word) < len(every)
    expected = sorted(set(every) - with_word)
    assert _ids(searcher, "NOT 科技") == expected
    assert _ids(searcher, "AND NOT 科技") == expected
    assert _ids(searcher, "ANDNOT 科技") == expected
    units = [h for h in searcher.search("NOT 科技", Filters.make(kinds=("provision", "passage")), limit=1000).hits]
    assert searcher.search("NOT 科技", limit=1000).total == len(expected) + sum(
        1 + len(h.parts) + h.more for h in units
    )


def test_not_in_a_query_with_broken_syntax_is_an_error_not_the_inverse(searcher):
    from kb.errors import QueryError

    for q in ("NOT 科技 (", '科技 AND NOT "评价', "最后一公里 NOT (科技"):
        with pytest.raises(QueryError, match="holds NOT but its syntax was not understood"):
            searcher.search(q)


@pytest.mark.parametrize("boost", ["nan", "inf", "-1", "0", "1e400", "999", "", "9" * 400])
def test_bad_boosts_are_refused(searcher, boost):
    from kb.errors import QueryError

    with pytest.raises(QueryError, match=r"boost '\^.{0,20}' is not a number from 0\.01 to 100"):
        searcher.search(f"科技^{boost}")


def test_good_boosts_and_carets_in_phrases_pass(searcher):
    assert searcher.search("科技^2").total == searcher.search("科技").total
    assert searcher.search("科技^0.5 OR 创新").total >= searcher.search("科技").total
    searcher.search('"a^b"')  # inside a phrase a caret is text


def test_query_length_is_capped_with_a_clear_message(searcher):
    from kb.errors import QueryError
    from kb.queryguard import MAX_QUERY_CHARS

    assert MAX_QUERY_CHARS == 1000
    with pytest.raises(QueryError) as e:
        searcher.search("科" * 1001)
    assert str(e.value) == (
        "the query is 1,001 characters long; kb searches at most 1,000 (search for a distinctive part of it, "
        "or use a quoted phrase)"
    )
    with pytest.raises(QueryError):
        searcher.search("科技 AND " * 25_000)
    assert searcher.search("科" * 1000).total == 0


def test_suggestions_look_at_a_bounded_number_of_words(searcher):
    words = [f"zq{i}x" for i in range(150)]  # nothing matches any of them
    result = searcher.search(" ".join(words))
    assert result.total == 0
    alone = [s for s in result.suggestions if s.startswith("只搜“")]
    assert 0 < len(alone) <= 8


def test_control_characters_in_a_query_are_not_echoed(searcher):
    result = searcher.search("最后一公里\x07\x1b")
    assert result.total >= 1
    assert result.query == "最后一公里  "


def test_undecodable_argument_gives_valid_utf8_json(tmp_path):
    import json
    import subprocess
    import sys

    from .conftest import REPO

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(REPO), "LC_ALL": "C.UTF-8"}
    env.pop("KB_HOME", None)
    for args in ([b"search", b"\xff", b"--json"], [b"search", b"\xe7\xa7\x91\xff\xe6\x8a\x80", b"--json"]):
        proc = subprocess.run([sys.executable, "-m", "kb", *args], env=env, capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout.decode("utf-8"))  # strict: raises on invalid UTF-8
        assert "\ufffd" in data["query"]
        proc.stderr.decode("utf-8")


# -- views: escape what each format needs -----------------------------------------------------------

HOSTILE_TITLE = (
    '"测试\\a会议\\e]0;pwned\\a<script>alert(1)</script> [点此](javascript:alert(1)) <javascript:x> *强调*\\u202e反转"'
)


def test_text_views_print_no_control_characters(run, make_kb):
    root = make_kb(
        {
            "remarks/2018-05-28-test.yaml": REMARK.replace("title: 测试讲话", f"title: {HOSTILE_TITLE}").replace(
                "occasion: 测试会议", f"occasion: {HOSTILE_TITLE}"
            )
        }
    )
    for args in (
        ("search", "最后一公里"),
        ("timeline",),
        ("show", "2018-05-28-test"),
        ("cite", "2018-05-28-test"),
        ("stats",),
    ):
        result = run("--kb", str(root), *args)
        assert result.exit_code == 0, (args, result.output)
        for ch in ("\x07", "\x1b", "\u202e"):
            assert ch not in result.output, (args, ch, result.output)
    assert "测试会议]0;pwned<script>" in run("--kb", str(root), "timeline").output


def test_markdown_timeline_escapes_html_links_and_markup(run, make_kb):
    root = make_kb(
        {
            "remarks/2018-05-28-test.yaml": REMARK.replace("title: 测试讲话", f"title: {HOSTILE_TITLE}").replace(
                "occasion: 测试会议", f"occasion: {HOSTILE_TITLE}"
            )
        }
    )
    result = run("--kb", str(root), "timeline", "--format", "markdown")
    assert result.exit_code == 0
    out = result.output
    assert "\\<script\\>alert(1)\\</script\\>" in out
    assert "\\[点此\\](javascript:alert(1))" in out
    assert "\\*强调\\*" in out
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(out)
    assert "<script>" not in html and 'href="javascript' not in html and "<em>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- the cache folder -------------------------------------------------------------------------------


def test_cache_folder_with_empty_home_or_relative_xdg(monkeypatch, tmp_path):
    import pwd
    import tempfile

    from kb.home import cache_dir

    monkeypatch.chdir(tmp_path)
    user_home = pwd.getpwuid(os.getuid()).pw_dir
    for home, xdg in (("", None), ("", "relative/cache"), ("/", ""), ("relative", "."), (None, None)):
        for name, value in (("HOME", home), ("XDG_CACHE_HOME", xdg)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        got = cache_dir()
        assert got.is_absolute() and str(got) != "/.cache/kb", (home, xdg, got)
        assert got == Path(user_home) / ".cache" / "kb", (home, xdg, got)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "kb"

    def no_user(uid):
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", no_user)
    monkeypatch.setenv("HOME", "")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path(tempfile.gettempdir()) / f"kb-cache-{os.getuid()}"
