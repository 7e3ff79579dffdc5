"""kb serve as a person meets it: a live server in its own process, driven by headless Chromium.

The browser tests use the system's Chromium (/usr/bin/chromium, Debian's `chromium` package)
through Playwright; Playwright's own browser download is never used. Without a browser they
skip with the reason, except in CI (CI=true), where they fail. Screenshots go to
tests/screenshots/ (not committed) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("flask", reason="kb serve needs Flask: pip install 'kb[web]'")

from .conftest import CORPUS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent / "screenshots"
LI_SEN = "李森,刘振天,陈时见,等.高等教育强国建设的中国道路[J].高校教育管理,2024(1):1-23."


class Server:
    """`kb --kb ROOT serve --port 0` in a subprocess; `url` once it listens."""

    def __init__(self, root: Path, *extra: str, env: dict | None = None):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "XDG_CACHE_HOME": str(root / "cache"), **(env or {})}
        env.pop("KB_HOME", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kb", "--kb", str(root), "serve", "--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        got = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                got.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 60
        while not got.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError(f"kb serve did not start: {self.proc.stderr.read()}")
        m = re.match(r"kb serve: (http://[\d.]+:\d+/) ", self.lines[0])
        assert m, self.lines
        self.url = m.group(1)

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    r = tmp_path_factory.mktemp("serve")
    shutil.copytree(CORPUS, r / "corpus")
    return r


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_on_localhost_and_stops_cleanly(root, sig):
    server = Server(root)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(
            server.url + "search?q=%E6%9C%80%E5%90%8E%E4%B8%80%E5%85%AC%E9%87%8C", timeout=30
        ) as r:
            assert r.status == 200
            assert "2018-05-28-xi-academicians-conference" in r.read().decode("utf-8")
    finally:
        code = server.stop(sig)
    assert code == 0
    time.sleep(0.2)
    assert server.lines[-1] == "kb serve: 已停止"
    assert "Traceback" not in server.proc.stderr.read()


def test_port_in_use_is_one_line(root):
    server = Server(root)
    try:
        port = server.url.rsplit(":", 1)[1].strip("/")
        r = subprocess.run(
            [sys.executable, "-m", "kb", "--kb", str(root), "serve", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 1
        assert r.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}:")
        assert len(r.stderr.strip().splitlines()) == 1
    finally:
        server.stop()


# -- in a real browser -------------------------------------------------------------------------


def _need_browser():
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"no browser at {CHROMIUM} (apt-get install chromium chromium-driver fonts-noto-cjk)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install playwright; its browser download is not needed)"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: the browser tests must run, but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def running(root):
    """One live server for the module's tests."""
    server = Server(root)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live(running):
    _need_browser()
    return running


@pytest.fixture(scope="module")
def browser(live):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live):
    ctx = browser.new_context(viewport={"width": 1100, "height": 800}, locale="zh-CN")
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url.rstrip("/"))
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


def test_type_a_query_and_see_hits(page, live):
    page.goto(live.url)
    page.fill("input[name=q]", "最后一公里")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    assert page.inner_text("#total") == "3"  # the remark and two paragraphs of the chapter
    assert page.inner_text(".hit h2") == "习近平在中国科学院第十九次院士大会、中国工程院第十四次院士大会上的讲话"
    assert page.inner_text(".hit mark") == "最后一公里"
    page.screenshot(path=str(SHOTS / "search.png"))


def test_click_a_facet_to_narrow(page, live):
    page.goto(live.url + "search?q=科技成果转化")
    before = int(page.inner_text("#total"))
    facet = page.locator('a.facet[data-facet="kind"]', has_text="政策")
    n = int(facet.locator(".n").inner_text())
    assert n < before
    facet.click()
    page.wait_for_url(re.compile(r"kind=policy"))
    assert int(page.inner_text("#total")) == n
    kinds = set(page.locator(".hit .kind").all_inner_texts())
    assert kinds == {"政策"}
    page.screenshot(path=str(SHOTS / "facet.png"))


def test_open_a_record_and_copy_its_citation(page, live):
    page.goto(live.url + "search?q=高等教育强国建设的中国道路")
    page.locator(".hit h2 a", has_text="高等教育强国建设的中国道路").first.click()
    page.wait_for_url(re.compile(r"/record/ref-li-sen-2024$"))
    assert page.inner_text("h1").startswith("高等教育强国建设的中国道路")
    assert page.inner_text("#citation") == LI_SEN
    button = page.locator("button.copy")
    assert button.get_attribute("data-copy") == LI_SEN
    button.click()
    page.wait_for_function("document.querySelector('button.copy').dataset.copied === 'yes'")
    assert page.evaluate("navigator.clipboard.readText()") == LI_SEN
    page.screenshot(path=str(SHOTS / "record.png"), full_page=True)


def test_timeline_and_phone_width(browser, live):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    pg = ctx.new_page()
    try:
        pg.goto(live.url + "timeline?year=2020")
        assert pg.inner_text("h1") == "时间线 · 2020年"
        assert "安徽考察" in pg.inner_text("ol.entries")
        # nothing wider than the phone's screen
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        pg.goto(live.url + "search?q=科技自立自强")
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        pg.screenshot(path=str(SHOTS / "phone-search.png"))
    finally:
        ctx.close()


def test_works_without_javascript(browser, live):
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    try:
        pg.goto(live.url)
        pg.fill("input[name=q]", "一招鲜")
        pg.select_option("select[name=kind]", "remark")
        pg.click("button[type=submit]")
        pg.wait_for_url(re.compile(r"kind=remark"))
        assert pg.inner_text("#total") == "1"
        pg.click(".hit h2 a")
        pg.wait_for_url(re.compile(r"/record/2020-08-18-xi-anhui-inspection$"))
        assert "安徽考察" in pg.inner_text("main")
    finally:
        ctx.close()


def test_print_layout_hides_the_controls(page, live):
    page.goto(live.url + "search?q=最后一公里")
    page.emulate_media(media="print")
    assert not page.is_visible("form.search")
    assert page.is_visible(".hit")
    page.pdf(path=str(SHOTS / "search-print.pdf"))


def test_a_provision_link_scrolls_to_its_article(page, live):
    law = "2015-08-29-law-promoting-tech-transfer"
    page.goto(live.url + f"record/{law}%2345")
    assert page.url.endswith(f"/record/{law}#45")
    assert page.inner_text(".provision:target").startswith("# 第四十五条")
    assert page.evaluate("document.getElementById('45').getBoundingClientRect().top") < 200


def test_sigterm_right_after_start_is_clean(root):
    server = Server(root)
    assert server.stop(signal.SIGTERM) == 0
    time.sleep(0.2)
    assert server.lines[-1] == "kb serve: 已停止"


def test_many_requests_at_once(running):
    """The server is threaded over one KnowledgeBase: parallel searches, records and pages all answer."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import quote

    urls = [running.url + "search?q=" + quote(q) for q in ("科技", "最后一公里", "科技成果转化", "一招鲜")] * 5
    urls += [
        running.url + "record/ref-li-sen-2024",
        running.url + "timeline?year=2020",
        running.url + "api/search?q=" + quote("科技"),
    ] * 4

    def get(url):
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(get, urls)) == {200}


def test_open_starts_the_browser_on_the_page(root, tmp_path):
    opened = tmp_path / "opened.txt"
    fake = tmp_path / "browser.py"
    fake.write_text(f"import sys, pathlib\npathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n", encoding="utf-8")
    server = Server(root, "--open", env={"BROWSER": f"{sys.executable} {fake} %s"})
    try:
        deadline = time.monotonic() + 20
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert opened.read_text(encoding="utf-8") == server.url
    finally:
        server.stop()
