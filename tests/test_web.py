"""kb serve's routes, in process (Flask's test client): pages, JSON equal to --json, escaping,
and bad input answered with 400/404, never 500.

Expected values are read from the corpus files by hand (ids, titles, counts by folder) or from
the CLI's own --json output (a second face of the same library)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape

import pytest

flask = pytest.importorskip("flask", reason="kb serve needs Flask: pip install 'kb[web]'")

from kb import KnowledgeBase  # noqa: E402
from kb.web import create_app  # noqa: E402

from .conftest import CORPUS  # noqa: E402

REMARK_2018 = "2018-05-28-xi-academicians-conference"
DISPUTED = "2016-05-30-xi-national-sci-tech-conference"
LI_SEN = "李森,刘振天,陈时见,等.高等教育强国建设的中国道路[J].高校教育管理,2024(1):1-23."


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import shutil

    root = tmp_path_factory.mktemp("web")
    shutil.copytree(CORPUS, root / "corpus")
    kbase = KnowledgeBase.open(root)
    app = create_app(kbase)
    app.config["KB_ROOT"] = root
    yield app.test_client()
    kbase.close()


def page(client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.data[:300])
    assert r.mimetype == "text/html"
    return r.get_data(as_text=True)


def hit_ids(html: str) -> list[str]:
    """The records hit (the chapter's paragraphs and the laws' articles, ids with %23, aside)."""
    return [i for i in re.findall(r'<h2><a href="/record/([^"]+)">', html) if "%23" not in i]


def test_home_has_the_form_and_the_counts(client):
    html = page(client, "/")
    assert '<form class="search" action="/search" method="get"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<html lang="zh-CN">' in html
    n = len(list(CORPUS.glob("*/*.yaml")))
    assert f"本库收录 {n} 条记录" in html


def test_search_hits_link_to_records_and_mark_the_words(client):
    html = page(client, "/search?q=最后一公里")
    assert hit_ids(html) == [REMARK_2018]
    assert "<mark>最后一公里</mark>" in html
    assert "2018年5月28日" in html and "讲话" in html and "习近平" in html
    assert '<strong id="total">3</strong>' in html  # the remark and two paragraphs of the chapter


def test_facet_links_narrow_and_their_counts_hold(client):
    html = page(client, "/search?q=科技成果转化")
    m = re.search(r'<a class="facet" data-facet="kind" href="([^"]+)">政策 <span class="n">(\d+)</span>', html)
    assert m, "no 政策 facet"
    href, n = unescape(m.group(1)), int(m.group(2))
    assert "kind=policy" in href and "q=" in href
    narrowed = page(client, href)
    assert f'<strong id="total">{n}</strong>' in narrowed
    policies = {p.stem for p in (CORPUS / "policies").glob("*.yaml")}
    assert set(hit_ids(narrowed)) <= policies
    # a year facet narrows to that year
    m = re.search(r'data-facet="year" href="([^"]+)">2016 <span class="n">(\d+)</span>', html)
    narrowed = page(client, unescape(m.group(1)))
    assert all(i.startswith("2016") for i in hit_ids(narrowed))


def test_paging(client):
    html = page(client, "/search?q=科技")
    total = int(re.search(r'<strong id="total">(\d+)</strong>', html).group(1))
    assert total > 10 and len(hit_ids(html)) == 10
    assert 'rel="next" href="/search?q=%E7%A7%91%E6%8A%80&amp;page=2"' in html
    second = page(client, "/search?q=科技&page=2")
    assert '<ol class="hits" start="11">' in second
    assert not set(hit_ids(second)) & set(hit_ids(html))
    last = -(-total // 10)
    page(client, f"/search?q=科技&page={last + 1}", 400)


def test_zero_hits_suggest_with_links(client):
    html = page(client, "/search?q=最后一公里&year=2013")
    assert "未找到“最后一公里”" in html
    m = re.search(
        r'<a class="suggestion" href="([^"]+)">去掉筛选条件\(--from/--to 2013-01-01–2013-12-31\):3 条结果</a>', html
    )
    assert m
    assert hit_ids(page(client, unescape(m.group(1)))) == [REMARK_2018]


def test_dispute_marks_in_hits(client):
    html = page(client, "/search?q=科技创新绝不仅仅是实验室里的研究")
    assert DISPUTED in hit_ids(html)
    assert "‼ 归属存疑" in html


def test_record_page_shows_every_part(client):
    html = page(client, f"/record/{DISPUTED}")
    assert "<h1>习近平在全国科技创新大会、两院院士大会、中国科协第九次全国代表大会上的讲话" in html
    assert "〔标题为编者所拟〕" in html
    assert "〔直接引语〕" in html
    assert "‼ 有争议" in html and "DISPUTED" not in html
    assert "<h2>编者概括</h2>" in html
    assert '<a href="/record/chapter-01">' in html
    assert "为建设世界科技强国而奋斗" in html  # original_title, from the record file
    assert "kb cite " + DISPUTED in html
    for style in ("csl-json", "ris", "bibtex"):
        assert f'href="/export/{style}/{DISPUTED}"' in html


def test_record_citation_and_copy_button(client):
    html = page(client, "/record/ref-li-sen-2024")
    assert f'<p class="entry" id="citation">{LI_SEN}</p>' in html
    assert f'<button type="button" class="copy" data-copy="{LI_SEN}">' in html


def test_related_records_are_links(client):
    # corpus/remarks/2021-05-28-xi-academicians-conference.yaml lists these two in `related`
    html = page(client, "/record/2021-05-28-xi-academicians-conference")
    related = re.findall(r'<li><a href="/record/([^"]+)">', html.split("相关记录", 1)[1])
    assert {"2020-09-11-xi-scientists-symposium", "2020-10-29-fifth-plenum-14th-fyp-proposals"} <= set(related)
    for rid in related:
        page(client, f"/record/{rid}")


def test_downloads(client):
    r = client.get("/export/ris/ref-li-sen-2024")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == 'attachment; filename="ref-li-sen-2024.ris"'
    body = r.get_data(as_text=True)
    assert "TY  - JOUR" in body and "T2  - 高校教育管理" in body
    r = client.get("/export/bibtex/ref-li-sen-2024")
    assert r.get_data(as_text=True).startswith("@article{ref-li-sen-2024,")
    r = client.get("/export/csl-json/ref-li-sen-2024")
    items = json.loads(r.get_data(as_text=True))
    assert items[0]["id"] == "ref-li-sen-2024" and items[0]["container-title"] == "高校教育管理"


def test_unknown_id_is_404_with_closest(client):
    html = page(client, "/record/2016-05-30-xi-national-sci-tech", 404)
    assert f'<a href="/record/{DISPUTED}">' in html
    # a provision-style id, URL-encoded, whose article does not exist: 404 naming the document
    html = page(client, "/record/2015-08-29-law-promoting-tech-transfer%23999", 404)
    assert '<a href="/record/2015-08-29-law-promoting-tech-transfer">' in html


def test_timeline_page(client):
    html = page(client, "/timeline?year=2020")
    ids = re.findall(r'<a href="/record/([^"]+)">', html.split('<section class="year">', 1)[1])
    expected = sorted(
        p.stem for d in ("remarks", "events", "policies") for p in (CORPUS / d).glob("2020-*.yaml")
    )  # every 2020 record's file name starts with its date, so name order is date order
    assert ids == expected
    assert "2020年8月18日至21日" in html
    page(client, "/timeline?year=20x0", 400)


@pytest.mark.parametrize(
    ("url", "args"),
    [
        ("/api/search?q=最后一公里", ["search", "最后一公里", "--json"]),
        (
            "/api/search?q=科技成果转化&kind=policy&issuer=国务院&sort=date&facets=1&limit=20",
            [
                "search",
                "科技成果转化",
                "--kind",
                "policy",
                "--issuer",
                "国务院",
                "--sort",
                "date",
                "--facets",
                "-n",
                "20",
                "--json",
            ],
        ),
        ("/api/timeline?year=2020", ["timeline", "--year", "2020", "--json"]),
        ("/api/timeline?kind=statistic", ["timeline", "--kind", "statistic", "--json"]),
        (f"/api/record/{DISPUTED}", ["show", DISPUTED, "--json"]),
        (
            "/api/record/2015-08-29-law-promoting-tech-transfer%2345",
            ["show", "2015-08-29-law-promoting-tech-transfer#45", "--json"],
        ),
        (
            "/api/cite?id=ref-li-sen-2024&id=ref-hu-angang-2023",
            ["cite", "ref-li-sen-2024", "ref-hu-angang-2023", "--json"],
        ),
        ("/api/cite?q=最后一公里", ["cite", "最后一公里", "--json"]),
        (
            "/api/cite?all=1&kind=reference&style=ris",
            ["cite", "--all", "--kind", "reference", "--style", "ris", "--json"],
        ),
    ],
)
def test_api_is_the_clis_json(client, run, url, args):
    root = client.application.config["KB_ROOT"]
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype == "application/json"
    cli = run("--kb", str(root), *args)
    assert cli.exit_code == 0
    assert json.loads(r.get_data(as_text=True)) == json.loads(cli.stdout)
    assert r.get_data(as_text=True) == cli.stdout


BAD = [
    ("/search?q=" + "科" * 600, 400),
    ("/search?q=科技&page=0", 400),
    ("/search?q=科技&page=-1", 400),
    ("/search?q=科技&page=abc", 400),
    ("/search?q=科技&page=99999999999999999999", 400),
    ("/search?q=科技&sort=newest", 400),
    ("/search?q=科技&kind=speech", 400),
    ("/search?q=科技&year=20x0", 400),
    ("/search?q=科技&from=2018-13", 400),
    ("/search?q=科技&to=abc", 400),
    ("/search?q=科技&from=2021&to=2018", 400),
    ("/search?q=科技&topic=没有这个主题", 400),
    ("/search?q=NOT", 400),
    ("/search?q=title:", 400),
    ("/search?q=%00", 400),
    ("/search?q=科技%00评价", 400),
    ("/search?kind=policy", 400),
    ("/timeline?from=2020-02-30", 400),
    ("/timeline?kind=%3Cscript%3E", 400),
    ("/record/%00", 400),
    ("/record/" + "a" * 400, 400),
    ("/record/..%2F..%2Fetc%2Fpasswd", 404),
    ("/record/nosuch", 404),
    ("/export/pdf/ref-li-sen-2024", 400),
    ("/export/ris/nosuch", 404),
    ("/nosuch/page", 404),
    ("/api/search", 400),
    ("/api/search?q=科技&limit=0", 400),
    ("/api/search?q=科技&limit=1000", 400),
    ("/api/cite", 400),
    ("/api/cite?id=ref-li-sen-2024&style=apa", 400),
    ("/api/cite?id=ref-nobody-1999", 404),
    ("/api/record/nosuch", 404),
    ("/api/record/2015-08-29-law-promoting-tech-transfer%2399", 404),
    ("/api/timeline?year=abc", 400),
    ("/api/nosuch", 404),
]


@pytest.mark.parametrize(("url", "status"), BAD)
def test_bad_input_is_400_or_404_never_500(client, url, status):
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.data[:300])
    body = r.get_data(as_text=True)
    if url.startswith("/api/"):
        assert r.mimetype == "application/json" and json.loads(body)["error"]
    else:
        assert "Traceback" not in body and (
            "参数" in body or "找不到" in body or "没有这个页面" in body or "无法完成" in body or "record" in body
        )


def test_malformed_syntax_is_searched_with_a_notice(client):
    html = page(client, "/search?q=科技 AND (")
    assert 'class="notice"' in html


def test_read_only(client):
    assert client.post("/search?q=科技").status_code == 405
    assert client.delete("/record/ref-li-sen-2024").status_code == 405


def test_a_record_holding_markup_shows_as_text(make_kb):
    evil = '<script>alert("x")</script>'
    root = make_kb(
        {
            "remarks/2019-01-01-evil.yaml": f"""\
            id: 2019-01-01-evil
            kind: remark
            date: "2019-01-01"
            title: '测试{evil}讲话'
            title_is_label: true
            speaker: '习近平<img src=x onerror=alert(1)>'
            occasion: '测试会议{evil}'
            topics: [科技成果转化]
            source: {{record: src, section: "1"}}
            summary: '编者概括{evil}'
            notes: ['附注{evil}']
            quotes:
              - text: 要打通“最后一公里”
                form: reported
                note: '注{evil}'
            """
        }
    )
    kbase = KnowledgeBase.open(root)
    try:
        c = create_app(kbase).test_client()
        for url in ("/search?q=测试", "/record/2019-01-01-evil", "/timeline", "/search?q=测试&issuer=习近平"):
            body = c.get(url).get_data(as_text=True)
            assert "<script>alert" not in body and "<img src=x" not in body, url
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body, url
        # the snippet's own marks are the only tags added to record text
        body = c.get("/search?q=测试会议").get_data(as_text=True)
        assert "<mark>" in body and "<script>" not in body
        # and the copy button's attribute is escaped too
        body = c.get("/record/2019-01-01-evil").get_data(as_text=True)
        assert 'data-copy="' in body and 'onerror=alert(1)>"' not in body
    finally:
        kbase.close()


def test_search_never_imports_the_web_stack():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from kb.cli import main\n"
        "r = CliRunner().invoke(main, ['search', '最后一公里'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('flask', 'werkzeug', 'jinja2', 'kb.web') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_edit_on_disk_shows_at_the_next_request(tmp_path):
    import shutil

    shutil.copytree(CORPUS, tmp_path / "corpus")
    kbase = KnowledgeBase.open(tmp_path)
    try:
        c = create_app(kbase).test_client()
        rid = "2016-04-21-action-plan-tech-transfer"
        assert "磁悬浮列车" not in c.get(f"/record/{rid}").get_data(as_text=True)
        path = tmp_path / "corpus" / "policies" / f"{rid}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("summary: 国务院办公厅", "summary: 磁悬浮列车。国务院办公厅"), encoding="utf-8")
        assert "磁悬浮列车。国务院办公厅" in c.get(f"/record/{rid}").get_data(as_text=True)
        assert hit_ids(c.get("/search?q=磁悬浮列车").get_data(as_text=True)) == [rid]
    finally:
        kbase.close()


def test_a_broken_corpus_is_503_naming_the_file_and_search_keeps_the_last_index(tmp_path):
    import shutil

    shutil.copytree(CORPUS, tmp_path / "corpus")
    kbase = KnowledgeBase.open(tmp_path)
    try:
        c = create_app(kbase).test_client()
        assert c.get("/search?q=最后一公里").status_code == 200
        (tmp_path / "corpus" / "remarks" / "2099-01-01-bad.yaml").write_text("id: [unclosed\n", encoding="utf-8")
        r = c.get(f"/record/{REMARK_2018}")
        assert r.status_code == 503
        assert "kb check" in r.get_data(as_text=True) and "2099-01-01-bad.yaml" in r.get_data(as_text=True)
        html = page(c, "/search?q=最后一公里")
        assert hit_ids(html) == [REMARK_2018] and "警告:语料有错误,索引未更新:" in html
    finally:
        kbase.close()


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PARAM = st.sampled_from(["q", "from", "to", "year", "kind", "topic", "issuer", "region", "sort", "page", "limit"])
_VALUE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["科技", "2018", "2018-05", "remark", "date", "2", "0", "-1", '"', "AND", "title:", "(", "%", "\\"]
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/search", "/timeline", "/api/search", "/api/timeline", "/api/cite"]),
    params=st.lists(st.tuples(_PARAM, _VALUE), max_size=5),
)
def test_no_parameters_make_a_500(client, path, params):
    from urllib.parse import urlencode

    r = client.get(path + "?" + urlencode(params))
    assert r.status_code in (200, 400, 404), (path, params, r.data[:300])


def test_a_provision_id_leads_to_its_article(client):
    # corpus/policies/2015-08-29-law-promoting-tech-transfer.txt: 第四十五条 sets the 百分之五十 share
    law = "2015-08-29-law-promoting-tech-transfer"
    r = client.get(f"/record/{law}%2345")
    assert r.status_code == 302 and r.headers["Location"] == f"/record/{law}#45"
    html = page(client, f"/record/{law}")
    article = html.split('<div class="provision" id="45">', 1)[1].split("</div>", 1)[0]
    assert "第四十五条" in article and "不低于百分之五十的比例" in article
    assert client.get(f"/record/{law}%23999").status_code == 404


def test_pages_forbid_foreign_and_inline_scripts(client):
    r = client.get("/search?q=科技")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in r.get_data(as_text=True)  # our only script is a file: /static/copy.js
