"""`kb serve`: read-only pages and JSON over one `KnowledgeBase`.

Pages: `/` and `/search` (search box, filters, clickable facet counts, hits, paging, zero-hit
suggestions), `/record/<id>` (every field as `kb show` gives it, the GB/T 7714 citation with a
copy button, CSL-JSON/RIS/BibTeX downloads), `/timeline`. JSON: `/api/search`, `/api/timeline`,
`/api/record/<id>`, `/api/cite`, each exactly what the CLI's `--json` prints.

Templates escape everything (Jinja2 autoescape); plain forms and links work without JavaScript,
which only runs the copy buttons. Bad parameters answer 400, unknown ids 404 with the closest
ids; a KbError never becomes a 500.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, Response, abort, redirect, render_template, request
from markupsafe import Markup, escape

from kb import labels
from kb.api import KnowledgeBase
from kb.errors import CorpusError, KbError, NotFound
from kb.records import KIND_ZH, KINDS
from kb.render import to_json

PAGE_SIZE = 10
MAX_PAGE = 100
MAX_QUERY = 500  # characters; a longer query is a 400, not a slow search
API_MAX_LIMIT = 100
SORTS = ("relevance", "date")
EXPORTS = {  # style -> (file suffix, media type)
    "csl-json": ("json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8"),
    "bibtex": ("bib", "application/x-bibtex; charset=utf-8"),
}
FACET_ZH = labels.FACET_ZH
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
_YEAR = re.compile(r"^\d{4}$")
_MARK = re.compile(r"\[\[(.+?)\]\]", re.S)

HERE = Path(__file__).resolve().parent


class Moved(Exception):
    """A provision id (`doc#45`, URL-encoded) answered by its document's page at the anchor."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


def provision(kbase: KnowledgeBase, doc: str, key: str):
    """The article or item `key` of policy `doc`'s full text, or None."""
    parsed = full_text(kbase, kbase.corpus.get(doc))
    return parsed.get(key) if parsed else None


def full_text(kbase: KnowledgeBase, rec):
    """The parsed full text (kb.provisions) of a policy record that has one, else None."""
    if rec is None or rec.kind != "policy" or not rec.get("text_file"):
        return None
    from kb.doctexts import parsed_of

    return parsed_of(kbase.corpus.root, rec)


class BadRequest(Exception):
    """A parameter the page cannot use: answered with a 400 page naming it."""


def marks(snippet: str) -> Markup:
    """A snippet with its [[…]] marks as <mark>, everything else escaped."""
    out, at = [], 0
    for m in _MARK.finditer(snippet or ""):
        out.append(escape(snippet[at : m.start()]))
        out.append(Markup("<mark>") + escape(m.group(1)) + Markup("</mark>"))
        at = m.end()
    out.append(escape((snippet or "")[at:]))
    return Markup("").join(out)


# -- parameters --------------------------------------------------------------------------------


def _one(name: str, limit: int = 200) -> str | None:
    value = request.args.get(name)
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise BadRequest(f"参数 {name} 太长(最多 {limit} 个字符)")
    if "\x00" in value:
        raise BadRequest(f"参数 {name} 含有空字符")
    return value or None


def _many(name: str) -> list[str]:
    out = []
    for v in request.args.getlist(name):
        v = v.strip()
        if len(v) > 200 or "\x00" in v:
            raise BadRequest(f"参数 {name} 的值无效")
        if v and v not in out:
            out.append(v)
    return out


def _int(name: str, default: int, lo: int, hi: int) -> int:
    raw = _one(name, 12)
    if raw is None:
        return default
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise BadRequest(f"参数 {name}={raw!r} 应为 {lo} 到 {hi} 之间的整数")
    return int(raw)


def filters() -> dict[str, Any]:
    """The filter parameters shared by search and the timeline, as KnowledgeBase arguments."""
    year = _one("year", 8)
    if year is not None and not _YEAR.match(year):
        raise BadRequest(f"参数 year={year!r} 应为四位年份,如 2020")
    kinds = _many("kind")
    for k in kinds:
        if k not in KINDS:
            raise BadRequest(f"参数 kind={k!r} 不是记录类型(可用:{', '.join(KINDS)})")
    return {
        "date_from": _one("from", 40),
        "date_to": _one("to", 40),
        "year": int(year) if year else None,
        "kinds": kinds,
        "topics": _many("topic"),
        "people": _one("issuer") or _one("speaker"),
        "region": _one("region"),
    }


def _sort() -> str:
    sort = _one("sort", 20) or "relevance"
    if sort not in SORTS:
        raise BadRequest(f"参数 sort={sort!r} 应为 relevance(相关度)或 date(日期)")
    return sort


def _query() -> str | None:
    return _one("q", MAX_QUERY)


def suggestion(s: str, params: dict[str, Any]) -> tuple[str, str | None]:
    """A zero-hit suggestion of kb.search for a Chinese page: its text and the link that runs it."""
    kind = getattr(s, "kind", "")
    if kind == "no_filters":
        return str(s), link("/search", {"q": params.get("q"), "sort": params.get("sort")})
    if kind == "no_exact":
        return str(s), link("/search", params, page=None)
    if getattr(s, "query", None):
        return str(s), link("/search", params, q=s.query, page=None)
    return str(s), None


def link(path: str, params: dict[str, Any], **change: Any) -> str:
    """`path` with `params` changed: a value None drops the key, a list repeats it."""
    merged = {**params, **change}
    pairs = []
    for k, v in merged.items():
        if v is None or v == "" or v == []:
            continue
        for item in v if isinstance(v, (list, tuple)) else [v]:
            pairs.append((k, str(item)))
    return path + ("?" + urlencode(pairs) if pairs else "")


def _current() -> dict[str, Any]:
    """The page's own parameters (to build links that keep them)."""
    out: dict[str, Any] = {}
    for k in ("q", "from", "to", "year", "issuer", "region", "sort"):
        v = request.args.get(k, "").strip()
        if v:
            out[k] = v
    for k in ("kind", "topic"):
        vs = [v.strip() for v in request.args.getlist(k) if v.strip()]
        if vs:
            out[k] = vs
    return out


# -- the application ---------------------------------------------------------------------------


def create_app(kbase: KnowledgeBase) -> Flask:
    """The Flask application serving `kbase` (read-only)."""
    app = Flask("kb.web", template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    app.config["JSON_AS_ASCII"] = False
    app.jinja_env.filters["marks"] = marks
    app.jinja_env.globals.update(KIND_ZH=KIND_ZH, KINDS=KINDS, FACET_ZH=FACET_ZH, link=link, suggestion=suggestion)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.after_request
    def headers(response: Response) -> Response:
        # Defence in depth behind the templates' escaping: only our own script and style run.
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    def api_json(data: Any, status: int = 200) -> Response:
        return Response(to_json(data) + "\n", status=status, mimetype="application/json")

    def is_api() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(Moved)
    def moved(e: Moved):
        return redirect(e.location, code=302)

    @app.errorhandler(BadRequest)
    def bad_param(e: BadRequest):
        if is_api():
            return api_json({"error": str(e)}, 400)
        return render_template("error.html", status=400, title="参数有误", message=str(e), closest=()), 400

    @app.errorhandler(NotFound)
    def not_found(e: NotFound):
        closest = getattr(e, "web_closest", ())
        if is_api():
            return api_json({"error": str(e), "closest": list(closest)}, 404)
        return render_template("error.html", status=404, title="找不到", message=str(e), closest=closest), 404

    @app.errorhandler(CorpusError)
    def corpus_error(e: CorpusError):
        message = f"知识库的记录有错误,请先运行 kb check 修正:{e}"
        if is_api():
            return api_json({"error": str(e)}, 503)
        return render_template("error.html", status=503, title="知识库有错误", message=message, closest=()), 503

    @app.errorhandler(KbError)
    def kb_error(e: KbError):
        if is_api():
            return api_json({"error": str(e)}, 400)
        return render_template("error.html", status=400, title="无法完成", message=str(e), closest=()), 400

    @app.errorhandler(404)
    def no_page(e):
        if is_api():
            return api_json({"error": f"no such page: {request.path}"}, 404)
        return render_template("error.html", status=404, title="没有这个页面", message=request.path, closest=()), 404

    @app.errorhandler(405)
    def no_method(e):
        return Response("kb serve is read-only: only GET and HEAD\n", status=405, mimetype="text/plain")

    @app.errorhandler(500)
    def internal(e):
        return render_template(
            "error.html", status=500, title="内部错误", message="kb 出错了;请把网址报告给维护者。", closest=()
        ), 500

    def require(rid: str):
        """The record `rid`, or NotFound carrying the closest ids for the page to link."""
        if len(rid) > 300 or "\x00" in rid:
            raise BadRequest("记录 id 无效")
        doc, _, key = rid.partition("#")
        try:
            if key:  # a provision is shown on its document's page, scrolled to it
                art = kbase.article(rid)
                raise Moved(f"/record/{quote(doc)}#{quote(art.provision.key)}")
            return kbase.show(rid)
        except NotFound as e:
            e.web_closest = tuple(kbase.corpus.closest(doc if key else rid, 5))
            raise

    # -- pages ---------------------------------------------------------------------------------

    @app.get("/")
    @app.get("/search")
    def search_page():
        q = _query()
        f = filters()
        sort = _sort()
        page = _int("page", 1, 1, MAX_PAGE)
        params = _current()
        ctx: dict[str, Any] = {"q": q or "", "f": f, "sort": sort, "params": params, "page": page}
        if not q:
            if request.path == "/search" and any(v for k, v in params.items() if k != "sort"):
                raise BadRequest("请输入要搜索的词(参数 q),例如 科技自立自强")
            ctx["stats"] = kbase.stats()
            return render_template("search.html", result=None, **ctx)
        result = kbase.search(q, **f, sort=sort, limit=page * PAGE_SIZE, facets=True)
        pages = max(1, math.ceil(result.total / PAGE_SIZE))
        if page > pages:
            raise BadRequest(f"参数 page={page} 超出范围:共 {pages} 页")
        hits = result.hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return render_template(
            "search.html", result=result, hits=hits, pages=pages, first=(page - 1) * PAGE_SIZE, **ctx
        )

    @app.get("/record/<path:rid>")
    def record_page(rid: str):
        shown = require(rid)
        cited = kbase.cite([shown.record.id])
        from kb.views import cite_text

        return render_template(
            "record.html",
            shown=shown,
            rec=shown.record,
            view=record_view(shown),
            text=full_text(kbase, shown.record),
            citation=cited.citations[0] if cited.citations else None,
            provenance=cite_text(cited),
            exports=EXPORTS,
        )

    @app.get("/export/<style>/<path:rid>")
    def export(style: str, rid: str):
        if style not in EXPORTS:
            raise BadRequest(f"导出格式 {style!r} 不可用(可用:{', '.join(EXPORTS)})")
        shown = require(rid)
        res = kbase.cite([shown.record.id], style=style)
        suffix, media = EXPORTS[style]
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", shown.record.id)
        return Response(
            res.export or "",
            mimetype=media.split(";")[0],
            headers={
                "Content-Type": media,
                "Content-Disposition": f'attachment; filename="{safe}.{suffix}"',
            },
        )

    @app.get("/timeline")
    def timeline_page():
        f = filters()
        tl = kbase.timeline(**f)
        years = [y for y, n in kbase.stats().by_year if y is not None and n]
        return render_template("timeline.html", tl=tl, f=f, params=_current(), years=years)

    # -- JSON: what --json prints ---------------------------------------------------------------

    @app.get("/api/search")
    def api_search():
        q = _query()
        if not q:
            raise BadRequest("parameter q is required, e.g. /api/search?q=科技自立自强")
        limit = _int("limit", 10, 1, API_MAX_LIMIT)
        facets = _one("facets", 5) in ("1", "true", "yes")
        exact = _one("exact", 5) in ("1", "true", "yes")
        result = kbase.search(q, **filters(), sort=_sort(), limit=limit, facets=facets, exact=exact)
        return api_json(result.to_json())

    @app.get("/api/timeline")
    def api_timeline():
        return api_json(kbase.timeline(**filters()).to_json())

    @app.get("/api/record/<path:rid>")
    def api_record(rid: str):
        if "#" in rid and len(rid) <= 300:  # one article: what `kb show <doc-id>#45 --json` prints
            try:
                return api_json(kbase.article(rid).to_json())
            except NotFound as e:
                e.web_closest = tuple(kbase.corpus.closest(rid.partition("#")[0], 5))
                raise
        return api_json(require(rid).to_json())

    @app.get("/api/cite")
    def api_cite():
        ids = _many("id")
        q = _query()
        style = _one("style", 20) or "gbt7714"
        form = _one("form", 20) or "document"
        punct = _one("punct", 20) or "half"
        kind = _one("kind", 20)
        all_ = _one("all", 5) in ("1", "true", "yes")
        if all_:
            result = kbase.cite(ids, all_of=kind or "reference", style=style, form=form, punct=punct)
        else:
            args = ids or ([q] if q else [])
            if not args:
                raise BadRequest("give id=ID (repeatable), q=PHRASE, or all=1&kind=KIND")
            result = kbase.cite(args, kind=kind, style=style, form=form, punct=punct)
        return api_json(result)

    @app.get("/favicon.ico")
    def favicon():
        abort(404)

    return app


def record_view(shown) -> dict[str, Any]:
    """What the record page shows besides the record itself, from the same helpers as `kb show`."""
    from kb.views import FORM, HOW_ZH, STATUS, _evidence, _field_lines, _where

    rec = shown.record
    checks = list(rec.get("checked", []))
    disputed = [c for c in checks if c.get("status") == "disputed"]
    return {
        "fields": _field_lines(rec),
        "where": _where(shown),
        "disputed_fields": "、".join(dict.fromkeys(c.get("field", "") for c in disputed)),
        "checks": sorted(checks, key=lambda c: c.get("status") != "disputed"),
        "status": STATUS,
        "form": FORM,
        "how": HOW_ZH,
        "evidence": _evidence,
        "date_check": rec.date_check if (rec.date and rec.source_date) else None,
    }
