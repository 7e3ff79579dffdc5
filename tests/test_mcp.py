"""kb mcp: every tool through the MCP SDK's in-memory client, and one raw JSON-RPC session with
a fresh `kb mcp` process over stdio.

Expected records, entries and quotations are read by hand from the corpus files and the README,
never computed by kb."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import anyio
import pytest
from mcp import Client  # the test extra installs the SDK
from mcp.shared.exceptions import MCPError

from kb import KnowledgeBase
from kb.mcp_server import build_server

from .conftest import CORPUS

TOOLS = {"search", "show", "timeline", "cite", "verify_quote"}
DISPUTED_ID = "2016-05-30-xi-national-sci-tech-conference"
# corpus/remarks/2016-05-30-xi-national-sci-tech-conference.yaml, quotes[0], first sentence, copied.
DISPUTED = "科技创新绝不仅仅是实验室里的研究,而是必须将科技创新成果转化为推动经济社会发展的现实动力。"
LI_SEN = "李森,刘振天,陈时见,等.高等教育强国建设的中国道路[J].高校教育管理,2024(1):1-23."  # README, kb cite


@pytest.fixture(scope="module")
def kbase(tmp_path_factory):
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(CORPUS, root / "corpus")
    k = KnowledgeBase.open(root)
    yield k
    k.close()


@pytest.fixture(scope="module")
def server(kbase):
    return build_server(kbase)


def session(server, body):
    """Run `body(client)` in an in-memory MCP session with `server`; return what it returns."""
    out = {}

    async def main():
        async with Client(server) as client:
            out["value"] = await body(client)

    anyio.run(main)
    return out["value"]


def call(server, name, args):
    """One tool call: (is_error, text of the first content block, structured content)."""

    async def body(client):
        return await client.call_tool(name, args)

    r = session(server, body)
    return r.is_error, r.content[0].text if r.content else "", r.structured_content


def ok(server, name, args):
    is_error, text, data = call(server, name, args)
    assert not is_error, text
    assert json.loads(text) == data  # the text block is the same JSON, for clients without structured output
    return data


def error(server, name, args):
    is_error, text, data = call(server, name, args)
    assert is_error and data is None
    assert "\n" not in text and text.startswith(f"{name}: "), text
    return text


# -- tools and their schemas ---------------------------------------------------------------------


def test_tools_are_listed_with_schemas_and_descriptions(server):
    async def body(client):
        return await client.list_tools()

    tools = {t.name: t for t in session(server, body).tools}
    assert set(tools) == TOOLS
    for t in tools.values():
        assert len(t.description) > 400 and "verbatim" in t.description, t.name
        assert "\n" not in t.description  # one paragraph
        assert "disput" in t.description, t.name
        assert t.annotations.read_only_hint is True
        assert t.input_schema["type"] == "object"
    s = tools["search"].input_schema
    assert s["required"] == ["query"]
    assert set(s["properties"]) == {
        "query",
        "date_from",
        "date_to",
        "kind",
        "topic",
        "issuer",
        "region",
        "sort",
        "limit",
    }
    assert s["properties"]["limit"]["maximum"] == 50 and s["properties"]["limit"]["minimum"] == 1
    kinds = next(a["enum"] for a in s["properties"]["kind"]["anyOf"] if "enum" in a)
    assert kinds == ["remark", "event", "policy", "statistic", "reference", "source"]
    topics = next(a["enum"] for a in s["properties"]["topic"]["anyOf"] if "enum" in a)
    assert "科技成果转化" in topics and "科技自立自强" in topics  # corpus/topics.yaml
    assert "description" in s["properties"]["query"]
    assert tools["show"].input_schema["required"] == ["id"]
    assert tools["verify_quote"].input_schema["required"] == ["text"]
    c = tools["cite"].input_schema
    assert c["required"] == ["ids"] and c["properties"]["ids"]["type"] == "array"
    assert c["properties"]["style"]["enum"] == ["gbt7714", "csl-json", "ris", "bibtex"]
    assert c["properties"]["punct"]["enum"] == ["half", "full"]
    t = tools["timeline"].input_schema
    assert "required" not in t and {"year", "date_from", "date_to", "kind", "topic"} <= set(t["properties"])


def test_unknown_tool_is_a_tool_error(server):
    assert error(server, "translate", {}) == "translate: Unknown tool: translate"


# -- search ----------------------------------------------------------------------------------------


def test_search_returns_the_hits_of_kb_search_json(server, kbase):
    data = ok(server, "search", {"query": "最后一公里", "kind": "remark", "limit": 5})
    assert [h["id"] for h in data["hits"]] == ["2018-05-28-xi-academicians-conference"]
    hit = data["hits"][0]
    assert (hit["date"], hit["date_zh"], hit["people"]) == ("2018-05-28", "2018年5月28日", "习近平")
    assert "[[最后一公里]]" in hit["snippet"]
    # the same library call as `kb search 最后一公里 --kind remark --limit 5 --json`
    data.pop("notices", None)  # the first search of this fresh copy says it built the index
    assert data == kbase.search("最后一公里", kinds=("remark",), limit=5).to_json()


def test_search_filters(server):
    data = ok(server, "search", {"query": "科技成果转化", "issuer": "国务院办公厅", "sort": "date"})
    assert "2016-04-21-action-plan-tech-transfer" in [h["id"] for h in data["hits"]]
    assert all("国务院办公厅" in h["people"] for h in data["hits"])
    # the only remark of 2020-01..06 (Y2020 below), and its quotation has 产业链
    data = ok(server, "search", {"query": "产业链", "date_from": "2020", "date_to": "2020-06", "kind": "remark"})
    assert [h["id"] for h in data["hits"]] == ["2020-04-10-xi-financial-economic-commission-7th"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"query": "科技", "date_from": "2018-13"}, "search: date_from: '2018-13' is not a valid date"),
        ({"query": "科技", "date_from": "2021", "date_to": "2019"}, "search: date_from/date_to: the period is empty"),
        ({"query": "x" * 501}, "search: query: the query has 501 characters; give at most 500"),
        ({"query": "科技", "limit": 0}, "search: limit: Input should be greater than or equal to 1 (got 0)"),
        ({"query": "科技", "kind": "speech"}, "search: kind: Input should be 'remark', 'event', 'policy'"),
        ({"query": 3}, "search: query: Input should be a valid string (got 3)"),
        ({}, "search: query: required"),
    ],
)
def test_search_bad_arguments_are_one_line_errors(server, args, expected):
    assert error(server, "search", args).startswith(expected)


def test_search_empty_query_is_an_error(server):
    assert "empty" in error(server, "search", {"query": "  "})


# -- show and the record resource ------------------------------------------------------------------


def test_show_a_disputed_record(server):
    data = ok(server, "show", {"id": DISPUTED_ID})
    assert data["speaker"] == "习近平" and data["date"] == "2016-05-30"
    assert [q["form"] for q in data["quotes"]] == ["direct", "direct"]
    assert data["quotes"][0]["text"].startswith(DISPUTED)
    assert data["disputed"] is True
    [d] = data["disputes"]
    assert d["field"] == "quotes" and "王志刚" in d["value"]
    assert data["source_record"]["id"] == "chapter-01"
    assert {r["id"] for r in data["related"]} >= {
        "2014-06-09-xi-academicians-conference",
        "2016-09-03-xi-g20-business-summit",
    }
    assert data["citation"]  # the GB/T 7714 entry kb cite gives


def test_show_undisputed_record_and_unknown_id(server):
    data = ok(server, "show", {"id": "2018-05-28-xi-academicians-conference"})
    assert data["disputed"] is False and data["disputes"] == []
    assert [q["form"] for q in data["quotes"]] == ["reported"]
    msg = error(server, "show", {"id": "2016-05-30-xi"})
    assert msg.startswith("show: no record '2016-05-30-xi'; closest: 2016-05-30-xi-national-sci-tech-conference")
    assert error(server, "show", {}) == "show: id: required"


def test_show_one_article_of_a_law(server):
    # corpus/policies/law-tech-transfer-2015.md, line 179 and the three 项 after it, under 第四章 技术权益
    data = ok(server, "show", {"id": "2015-08-29-law-promoting-tech-transfer#45"})
    assert (data["id"], data["kind"], data["label"], data["division"]) == (
        "2015-08-29-law-promoting-tech-transfer#45",
        "provision",
        "第四十五条",
        "第四章 技术权益",
    )
    lines = data["text"].splitlines()
    assert lines[0].startswith("第四十五条 科技成果完成单位未规定、也未与科技人员约定奖励和报酬的方式和数额的")
    assert [line[:3] for line in lines[1:4]] == ["（一）", "（二）", "（三）"]
    assert data["document"]["title"] == "中华人民共和国促进科技成果转化法"
    assert data["document"]["date"] == "2015-08-29" and data["form"] == "text"
    same = ok(server, "show", {"id": "2015-08-29-law-promoting-tech-transfer#第四十五条"})
    assert same["text"] == data["text"]
    assert error(server, "show", {"id": "2015-08-29-law-promoting-tech-transfer#99"}) == (
        "show: 2015-08-29-law-promoting-tech-transfer 没有 99: 条文范围为第一条至第五十二条"
    )
    assert error(server, "show", {"id": "2016-04-21-action-plan-tech-transfer#1"}).startswith(
        "show: 2016-04-21-action-plan-tech-transfer 没有全文"
    )


def test_record_resource(server):
    async def body(client):
        templates = await client.list_resource_templates()
        got = await client.read_resource("kb://record/" + DISPUTED_ID)
        try:
            await client.read_resource("kb://record/no-such-record")
        except MCPError as exc:
            missing = str(exc)
        return templates, got, missing

    templates, got, missing = session(server, body)
    assert [t.uri_template for t in templates.resource_templates] == ["kb://record/{id}"]
    [content] = got.contents
    assert content.mime_type == "application/json"
    data = json.loads(content.text)
    assert data["id"] == DISPUTED_ID and data["disputed"] is True
    assert missing.startswith("no record 'no-such-record'") and "\n" not in missing


# -- timeline --------------------------------------------------------------------------------------

# The remarks, events and policies dated 2020 (file names under corpus/remarks, events, policies).
Y2020 = [
    "2020-04-10-xi-financial-economic-commission-7th",
    "2020-08-18-xi-anhui-inspection",
    "2020-09-11-xi-scientists-symposium",
    "2020-10-16-xi-politburo-study-24th",
    "2020-10-29-fifth-plenum-14th-fyp-proposals",
]


def test_timeline_year_and_range(server):
    data = ok(server, "timeline", {"year": 2020})
    assert [e["id"] for e in data["entries"]] == Y2020
    assert data["total"] == 5 and data["truncated"] is False
    assert data["entries"][0]["date_zh"] == "2020年4月10日"
    data = ok(server, "timeline", {"date_from": "2020-08", "date_to": "2020-09", "kind": "remark"})
    assert [e["id"] for e in data["entries"]] == Y2020[1:3]
    data = ok(server, "timeline", {"year": 2020, "limit": 2})
    assert [e["id"] for e in data["entries"]] == Y2020[:2] and data["total"] == 5 and data["truncated"] is True


def test_timeline_bad_arguments(server):
    assert error(server, "timeline", {"year": 2020, "date_from": "2019"}) == (
        "timeline: give either year or date_from/date_to, not both"
    )
    assert error(server, "timeline", {"date_to": "2020-02-30"}).startswith(
        "timeline: date_to: '2020-02-30' is not a valid date"
    )
    assert error(server, "timeline", {"year": 20}).startswith("timeline: year: Input should be greater than or equal")
    assert error(server, "timeline", {"topic": "天气"}).startswith("timeline: topic: Input should be")


# -- cite ------------------------------------------------------------------------------------------


def test_cite_entries_with_provenance(server):
    data = ok(server, "cite", {"ids": ["ref-li-sen-2024"]})
    assert [c["text"] for c in data["citations"]] == [LI_SEN]
    data = ok(server, "cite", {"ids": [DISPUTED_ID]})
    [c] = data["citations"]
    prov = c["provenance"]
    assert prov["date"] == "2016-05-30" and prov["who"] == ["习近平"] and prov["disputed"] is True
    assert [q["form"] for q in prov["quotes"]] == ["direct", "direct"]
    full = ok(server, "cite", {"ids": ["ref-li-sen-2024"], "punct": "full"})
    assert full["citations"][0]["text"].startswith("李森，刘振天，陈时见，等.")
    ris = ok(server, "cite", {"ids": ["ref-li-sen-2024"], "style": "ris"})
    assert "TY  - JOUR" in ris["export"]


def test_cite_bad_arguments(server):
    assert error(server, "cite", {"ids": ["no-such-record"]}).startswith("cite: no record 'no-such-record'")
    assert error(server, "cite", {"ids": []}).startswith("cite: ids: List should have at least 1 item")
    assert error(server, "cite", {"ids": ["ref-li-sen-2024"], "style": "apa"}).startswith(
        "cite: style: Input should be"
    )


# -- verify_quote ----------------------------------------------------------------------------------


def test_verify_quote_verbatim(server):
    data = ok(server, "verify_quote", {"text": "打通“最后一公里”"})
    assert data["verbatim"] is True and data["verdict"] == "verbatim"
    [m] = data["matches"]
    assert (m["id"], m["speaker"], m["date"], m["form"], m["disputed"]) == (
        "2018-05-28-xi-academicians-conference",
        "习近平",
        "2018-05-28",
        "reported",
        False,
    )


def test_verify_quote_near_miss_is_not_verbatim(server):
    # full-width punctuation is fine; 科技创新成果 → 科技成果 is not
    data = ok(
        server,
        "verify_quote",
        {"text": "科技创新绝不仅仅是实验室里的研究，而是必须将科技成果转化为推动经济社会发展的现实动力。"},
    )
    assert data["verbatim"] is False and data["verdict"] == "near_miss" and data["matches"] == []
    assert data["message"].startswith("不是语料中的原文;最接近的是 ")
    best = data["closest"][0]
    assert best["id"] == DISPUTED_ID and best["excerpt"] == DISPUTED and best["similarity"] < 1


def test_verify_quote_the_disputed_2016_sentence(server):
    data = ok(server, "verify_quote", {"text": DISPUTED})
    assert data["verbatim"] is True and data["disputed"] is True
    [m] = data["matches"]
    assert (m["id"], m["date"], m["speaker"], m["form"]) == (DISPUTED_ID, "2016-05-30", "习近平", "direct")
    assert m["disputed"] is True and "王志刚" in m["disputes"][0]["value"]
    assert "归属存疑" in data["message"]


def test_verify_quote_bad_arguments(server):
    assert error(server, "verify_quote", {"text": ""}) == (
        "verify_quote: the text to verify is empty (give the sentence you want to quote)"
    )
    assert error(server, "verify_quote", {"text": "科" * 2001}).startswith("verify_quote: the text to verify has 2001")
    assert error(server, "verify_quote", {}) == "verify_quote: text: required"


# -- failures inside the library ------------------------------------------------------------------


def test_a_crash_in_a_tool_is_a_one_line_error_and_the_server_goes_on(kbase, monkeypatch):
    server = build_server(kbase)

    def broken(text):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(kbase, "verify_quote", broken)

    async def body(client):
        crashed = await client.call_tool("verify_quote", {"text": "打通“最后一公里”"})
        after = await client.call_tool("show", {"id": DISPUTED_ID})
        return crashed, after

    crashed, after = session(server, body)
    assert crashed.is_error
    assert crashed.content[0].text == (
        "verify_quote: internal error: ZeroDivisionError (see the server's log, and please report it)"
    )
    assert not after.is_error and after.structured_content["id"] == DISPUTED_ID


def test_a_broken_corpus_answers_every_call_with_its_one_line_error(tmp_path):
    shutil.copytree(CORPUS, tmp_path / "corpus")
    bad = tmp_path / "corpus" / "remarks" / "2018-05-28-xi-academicians-conference.yaml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace('date: "2018-05-28"', 'date: "2018-13-45"'), encoding="utf-8"
    )
    k = KnowledgeBase.open(tmp_path)
    try:
        server = build_server(k)  # starts: the topics enum falls back to a string
        msg = error(server, "show", {"id": DISPUTED_ID})
        assert msg.startswith("show: corpus/remarks/2018-05-28-xi-academicians-conference.yaml:3: date:"), msg
        assert "2018-13-45" in msg
        assert error(server, "verify_quote", {"text": DISPUTED}) == msg.replace("show:", "verify_quote:", 1)
    finally:
        k.close()


# -- a real server process, raw JSON-RPC over stdio -----------------------------------------------


def kb_command() -> list[str]:
    script = Path(sys.executable).with_name("kb")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kb"]


class Stdio:
    """A `kb mcp` subprocess spoken to line by line; every stdout line must be JSON-RPC."""

    def __init__(self, env):
        self.proc = subprocess.Popen(
            [*kb_command(), "mcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, msg):
        self.proc.stdin.write(json.dumps(msg, ensure_ascii=False).encode() + b"\n")
        self.proc.stdin.flush()

    def recv(self, timeout=120):
        line = self.lines.get(timeout=timeout)
        assert line is not None, "the server closed stdout: " + self.proc.stderr.read().decode()
        msg = json.loads(line)  # anything but a protocol message on stdout fails here
        assert msg["jsonrpc"] == "2.0"
        return msg


def test_raw_json_rpc_session_with_a_fresh_kb_mcp(tmp_path):
    # A corpus of its own, so that the server builds its index (and loads jieba) at start-up:
    # whatever that prints must not reach stdout.
    shutil.copytree(CORPUS, tmp_path / "corpus")
    env = {**os.environ, "KB_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    s = Stdio(env)
    try:
        s.send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "0"},
                },
            }
        )
        init = s.recv()
        assert init["id"] == 1 and init["result"]["serverInfo"]["name"] == "kb"
        assert "tools" in init["result"]["capabilities"]
        assert "verify_quote" in init["result"]["instructions"]
        s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        s.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        listed = s.recv()
        assert listed["id"] == 2 and {t["name"] for t in listed["result"]["tools"]} == TOOLS
        s.send(
            {
                "jsonrpc": "2.0",
                "id": 3,
                "method": "tools/call",
                "params": {"name": "verify_quote", "arguments": {"text": DISPUTED}},
            }
        )
        called = s.recv()
        assert called["id"] == 3 and called["result"].get("isError") is not True
        result = called["result"]["structuredContent"]
        assert result["verbatim"] is True and result["disputed"] is True
        assert result["matches"][0]["id"] == DISPUTED_ID
        assert json.loads(called["result"]["content"][0]["text"]) == result
        s.send(
            {
                "jsonrpc": "2.0",
                "id": 4,
                "method": "tools/call",
                "params": {"name": "search", "arguments": {"query": "最后一公里"}},
            }
        )
        found = s.recv()
        assert found["result"]["structuredContent"]["hits"][0]["id"] == "2018-05-28-xi-academicians-conference"
        s.send(
            {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "show", "arguments": {"id": "x"}}}
        )
        bad = s.recv()
        assert bad["id"] == 5 and bad["result"]["isError"] is True
        assert bad["result"]["content"][0]["text"].startswith("show: no record 'x'")
        s.proc.stdin.close()  # end of the session: the server exits cleanly
        assert s.proc.wait(timeout=60) == 0
        assert s.lines.get(timeout=10) is None  # nothing else was written to stdout
        err = s.proc.stderr.read().decode()
        assert " 已就绪,用时 " in err and "Traceback" not in err
    finally:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


def test_stdout_to_stderr_diverts_prints_and_the_file_descriptor():
    code = (
        "import os, sys\n"
        "from kb.mcp_server import stdout_to_stderr\n"
        "with stdout_to_stderr():\n"
        "    print('printed')\n"
        "    os.write(1, b'written to fd 1\\n')\n"
        "print('after')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout == "after\n"
    assert "printed" in r.stderr and "written to fd 1" in r.stderr


# -- the SDK is imported by kb mcp only ------------------------------------------------------------


HEAVY = ("mcp", "mcp_types", "pydantic", "starlette", "uvicorn", "httpx", "httpx2")


@pytest.mark.parametrize("argv", [["search", "最后一公里"], ["verify-quote", "打通“最后一公里”"], ["--help"]])
def test_other_commands_do_not_import_the_sdk(argv):
    code = (
        "import sys\n"
        "from kb.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "sys.stderr.write('HEAVY:' + ','.join(heavy) + '\\n')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY:\n" in r.stderr, r.stderr[-500:]


def test_kb_mcp_without_the_sdk_says_how_to_install_it():
    code = "import sys\nsys.modules['mcp'] = None\nfrom kb.cli import main\nmain(['mcp'])\n"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == "Error: kb mcp needs the MCP SDK (mcp is not installed): pip install 'kb[mcp]'\n"
