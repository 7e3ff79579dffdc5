"""Human views of search results, the timeline, one record and the corpus's counts.

Terminal views fit 80 columns counting a CJK character as two (unicodedata's East Asian
width), so truncation never breaks the layout. Quotations in `kb show` are never wrapped or
cut, so a writer can copy them whole.
"""

from __future__ import annotations

import re
from typing import Any

from kb import labels
from kb.dates import zh_or_raw
from kb.records import (
    COMPARISON_ZH,
    FORM_NOTE_ZH,
    FORM_ZH,
    KIND_ZH,
    SHARE_ZH,
    STATUS_ZH,
    UNDATED,
    UNIT_KINDS,
    Record,
    date_with_kind,
    fields_of,
    format_value,
    publication_brief,
)
from kb.render import mark as _marks
from kb.text import char_width, display_width

WIDTH = 80
ELLIPSIS = "…"

# -- what a terminal or a Markdown renderer must not be handed -------------------------------------

# Control characters (BEL, ESC sequences that move the cursor or retitle the terminal, C1) and
# bidirectional overrides that make text read differently from what it is. Our own colour
# codes (bold yellow marks, red disputes, reset) are the only escapes a text view prints.
_UNPRINTABLE = re.compile(
    r"\x1b\[(?:1;3[13]|0)m|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str) -> str:
    """`text` without control characters (newlines and tabs kept) and without escape sequences
    other than kb's own colour codes."""
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group().startswith("\x1b[") else "", text)


def _printable_view(fn):
    """A text view whose output holds no control characters from the data it shows."""
    import functools

    @functools.wraps(fn)
    def view(*args, **kwargs) -> str:
        return printable(fn(*args, **kwargs))

    return view


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def md_inline(text: object) -> str:
    """Record data as inline Markdown text: on one line, with no control characters, and with
    every character that could start markup escaped, so raw HTML (`<script>`), links
    (`[x](javascript:…)`, `<javascript:…>`), emphasis and headings print as the text they are."""
    flat = " ".join(printable(str(text)).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


# -- display width -----------------------------------------------------------------------------


def truncate(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, ending in … when something was cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` columns."""
    return text + " " * max(0, width - display_width(text))


# -- timeline ----------------------------------------------------------------------------------

PHRASE_LABEL = {"summary": "〔编者概括〕"}
# A quotation another source disputes: printed under it wherever it is printed (kb.disputes).
DISPUTED_MARK = "‼"
EMPTY_TIMELINE = labels.EMPTY_TIMELINE
# The key phrase, label included, in columns: what fits after the text view's 6-space indent.
PHRASE_WIDTH = WIDTH - 6
# A date another source made more precise than the chapter's: marked, explained once at the end.
REFINED_MARK = "*"
REFINED_LEGEND = "日期据其他来源补充,本章原文只写到“本章作”所示;依据见 kb show ID"


def _phrase(e) -> str:
    """The entry's key phrase with its label (〔编者概括〕 for our summary), cut to PHRASE_WIDTH."""
    return truncate(f"{PHRASE_LABEL.get(e.phrase_from, '')}{e.phrase}", PHRASE_WIDTH)


def _source_note(e) -> str:
    """What the chapter itself wrote, for an entry whose date was refined (else "")."""
    return f"本章作{e.date_source_zh}" if e.refined else ""


@_printable_view
def timeline_text(tl, width: int = WIDTH) -> str:
    """The timeline for a terminal: a heading per year, three lines per record.

    Line 1 the date and the occasion or title, line 2 the key phrase (a quotation, or our
    summary marked 〔编者概括〕), line 3 the id, kind and speaker/issuer. A date that another
    source made more precise than the chapter's is marked * and line 3 says what the chapter
    wrote (本章作2021年5月), before the speaker so a long name never cuts it off; a legend ends
    the listing when any date is marked."""
    entries = tl.entries
    if not entries:
        return EMPTY_TIMELINE

    def shown(e) -> str:
        return e.date_shown + (REFINED_MARK if e.refined else "")

    dw = min(22, max(display_width(shown(e)) for e in entries))
    lines: list[str] = []
    for g in tl.groups:
        if lines:
            lines.append("")
        lines.append(f"{g.heading} ({len(g.entries)})")
        for e in g.entries:
            rec = e.record
            lines.append("")
            lines.append(truncate(f"  {pad(shown(e), dw)}  {rec.headline}", width))
            if e.phrase:
                lines.append(f"      {_phrase(e)}")
            if e.dispute:
                lines.append(truncate(f"      {DISPUTED_MARK} {e.dispute}", width))
            detail = (rec.id, KIND_ZH[rec.kind], _source_note(e), "、".join(rec.people))
            lines.append(truncate("      " + " · ".join(x for x in detail if x), width))
    if tl.any_refined:
        lines += ["", f"{REFINED_MARK} {REFINED_LEGEND}"]
    return "\n".join(lines)


def timeline_markdown(tl) -> str:
    """The timeline as Markdown to paste into a draft: a section per year, a bullet per record,
    the key phrase cut like the text view's (JSON and `kb show` have it whole) and the id in
    backticks (for `kb show` and `kb cite`). Refined dates are marked and explained as in the
    text view."""
    if not tl.entries:
        return f"<!-- {EMPTY_TIMELINE} -->"
    out: list[str] = []
    mark = "\\" + REFINED_MARK  # escaped, so Markdown prints it rather than reading emphasis
    for g in tl.groups:
        if out:
            out.append("")
        out.append(f"## {g.heading}")
        out.append("")
        for e in g.entries:
            rec = e.record
            line = f"- **{md_inline(e.date_shown)}{mark if e.refined else ''}** {md_inline(rec.headline)}"
            if rec.people:
                line += f"({md_inline('、'.join(rec.people))})"
            if e.phrase:
                line += f":{md_inline(_phrase(e))}"
            if e.dispute:
                line += f" **{DISPUTED_MARK} {md_inline(e.dispute)}**"
            line += f" `{md_inline(rec.id).replace('`', '')}`"
            if e.refined:
                line += f" · {md_inline(_source_note(e))}"
            out.append(line)
    if tl.any_refined:
        out += ["", f"{mark} {REFINED_LEGEND}"]
    return "\n".join(out)


# -- one record --------------------------------------------------------------------------------

# The shared Chinese label: 〔直接引语〕, ✓ 相符, ‼ 有争议 (the mark first, so a glance finds disputes).
FORM = {f: f"〔{zh}〕" for f, zh in FORM_ZH.items()}
_STATUS_MARK = {"confirmed": "✓", "refined": "+", "differs": "≠", "disputed": "‼", "unconfirmed": "?"}
STATUS = {s: f"{_STATUS_MARK[s]} {zh}" for s, zh in STATUS_ZH.items()}
HOW_ZH = {"lists": "本记录列出", "listed_by": "列出本记录", "same_occasion": "同一场合", "same_date": "同一日期"}

# Fields shown in their own place, not in the generic field list.
_SHOWN_APART = set(
    "id kind date date_kind title title_is_label topics source summary notes checked related quotes quote draft".split()
)
# The Chinese label of each kind's own fields (shown in schema order).
LABELS = {
    "speaker": "讲话人",
    "speaker_role": "身份",
    "body": "会议/机构",
    "occasion": "场合",
    "place": "地点",
    "original_title": "原题",
    "published": "原始出处",
    "searched": "查找经过",
    "issuers": "发文机关",
    "drafters": "起草",
    "doc_number": "文号",
    "region": "地区",
    "validity": "效力",
    "identified": "识别",
    "history": "沿革",
    "structure": "结构",
    "targets": "目标",
    "indicator": "指标",
    "value": "数值",
    "unit": "单位",
    "qualifier": "限定",
    "year": "年份",
    "comparison": "比较",
    "share": "占比",
    "authors": "作者",
    "authors_truncated": "作者截断",
    "type_code": "文献类型",
    "journal": "期刊",
    "volume": "卷",
    "issue": "期",
    "pages": "页码",
    "publisher": "出版者",
    "container_title": "所属书",
    "url": "网址",
    "accessed": "访问日期",
    "text_file": "全文文件",
    "raw": "著录(原样)",
    "anchor": "脚注位置",
}
LABEL_WIDTH = 12


def _plain(value: Any) -> str:
    """Any field value as one line of text."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items() if v is not None)
    return str(value)


def _disputed_numbers(rec: Record) -> str:
    """The numbers of `rec`'s disputed quotations as kb show numbers them (第1条), or ""."""
    from kb.disputes import disputed_quotes

    texts = [q.text for q in rec.quotes]
    nums = [str(texts.index(q) + 1) for q, _ in disputed_quotes(rec) if q in texts]
    return "、".join(nums)


def _field_lines(rec: Record) -> list[tuple[str, str | list[str]]]:
    """(label, value) for the kind's own fields, in schema order; a list value prints one a line."""
    out: list[tuple[str, str | list[str]]] = []
    data = rec.data
    handled = set(_SHOWN_APART)
    for name in fields_of(rec.kind):
        if name in handled or name not in LABELS:
            continue
        value = data.get(name)
        if value is None or value == [] or value == "":
            continue
        handled.add(name)
        label = LABELS[name]
        if name == "speaker" and data.get("speaker_role"):
            value = f"{value}({data['speaker_role']})"
            handled.add("speaker_role")
        elif name == "authors":
            value = "、".join(value) + (" 等" if data.get("authors_truncated") else "")
            handled.add("authors_truncated")
        elif name == "authors_truncated":
            value = "是(来源以“等”截断)" if value else "否"
        elif name == "identified":
            value = "已识别" if value else "未能在任何公开来源中识别"
        elif name == "value" and rec.kind == "statistic":
            value = f"{format_value(rec)}(来源措辞)"
            handled.update({"unit", "qualifier"})
        elif name in ("unit", "qualifier") and rec.kind == "statistic":
            continue
        elif name == "published":
            value = [publication_brief(p) for p in rec.publications] or "未找到(见 searched)"
        elif name == "searched":
            value = list(value)
        elif name == "history":
            value = [f"{zh_or_raw(h.get('date'))} {h.get('event', '')}" for h in value]
        elif name in ("structure", "targets"):
            value = list(value)
        elif name == "comparison":
            value = COMPARISON_ZH.format(base_year=value.get("base_year"), change=value.get("change"))
        elif name == "share":
            value = SHARE_ZH.format(of=value.get("of"), value=value.get("value"))
        elif name == "anchor":
            value = f"{value.get('marker', '')} 跟在“{value.get('text', '')}”之后"
        elif name == "accessed":
            value = zh_or_raw(value)
        elif name == "original_title" and _disputed_numbers(rec):
            value = f"{_plain(value)} 〔{labels.TITLE_NOT_FOR_DISPUTED.format(n=_disputed_numbers(rec))}〕"
        else:
            value = _plain(value)
        out.append((label, value))
    # Whatever the schema grows that this view does not know yet, still shown.
    for name, value in data.items():
        if name in handled or name in LABELS or value is None or value == [] or value == "":
            continue
        out.append((name, _plain(value)))
    return out


def _label(label: str) -> str:
    return pad(label, LABEL_WIDTH)


def _where(shown) -> str:
    """The record's source and section: 《科技成果转化概述》 1.3节 (chapter-01)."""
    rec, src = shown.record, shown.source
    where = []
    if src:
        where.append(src.title if src.get("title_is_label") else f"《{src.title}》")
    if rec.section:
        where.append(f"{rec.section}节")
    where.append(f"({rec.source_id})")
    return " ".join(where)


def _evidence(check: dict) -> str:
    """A `checked` entry's evidence and the facts list it came through."""
    return f"{check.get('evidence')} " + labels.VIA.format(via=check.get("via"))


@_printable_view
def show_text(shown, color: bool = False) -> str:
    """One record for a person: every field, quotations in full, checks, notes, related, cite."""
    rec: Record = shown.record
    red = ("\x1b[1;31m", "\x1b[0m") if color else ("", "")
    lines: list[str] = []
    label_note = " 〔标题为编者所拟〕" if rec.get("title_is_label") else ""
    lines.append(f"{rec.title}{label_note}")
    lines.append(
        f"{rec.id} · {KIND_ZH[rec.kind]} {rec.kind} · {rec.date_shown}" + (f" ({rec.date_iso})" if rec.date else "")
    )
    if rec.get("draft"):
        lines.append("草稿: 由 kb import 提出,尚未审阅")
    checks = rec.get("checked", [])
    disputed = [c for c in checks if c.get("status") == "disputed"]
    if disputed:
        fields = "、".join(dict.fromkeys(c.get("field", "") for c in disputed))
        lines.append(f"{red[0]}{STATUS['disputed']}: 其他来源与本章说法相矛盾({fields});见下文“核对”{red[1]}")
    lines.append("")

    check = rec.date_check
    if check and rec.date and rec.source_date:
        # Both dates, each with where it comes from: the precise one from another source, and
        # what the record's own source wrote.
        lines.append(f"{_label('日期')}{rec.date_zh} ({rec.date_iso}) · 据其他来源: {_evidence(check)}")
        lines.append(f"{_label('本章日期')}{rec.source_date_zh} ({rec.source_date}) · 见 {_where(shown)}")

    for label, value in _field_lines(rec):
        if isinstance(value, list):
            lines.append(_label(label).rstrip())
            lines.extend(f"  - {v}" for v in value)
        else:
            lines.append(f"{_label(label)}{value}")
    lines.append(f"{_label('主题')}{'、'.join(rec.topics)}")

    quotes = rec.quotes
    if quotes:
        lines.append("")
        lines.append("引语" if rec.kind != "statistic" else "原句")
        for i, q in enumerate(quotes, 1):
            form = "〔来源原句〕" if rec.kind == "statistic" else FORM.get(q.form, q.form)
            lines.append(f"  {i}. {form} {q.text}")
            if q.note:
                lines.append(f"     注: {q.note}")
    if rec.get("summary"):
        lines.append("")
        lines.append(f"编者概括(编者所写,非来源原文): {rec.get('summary')}")

    lines.append("")
    lines.append(f"{_label('来源')}{_where(shown)}")

    if checks:
        lines.append("")
        lines.append("核对: 其他来源的说法")
        for c in checks:
            status = STATUS.get(c.get("status"), c.get("status"))
            head = f"  {status} · {c.get('field')}"
            lines.append(f"{red[0]}{head}{red[1]}" if c.get("status") == "disputed" else head)
            if c.get("source_says") is not None:
                lines.append(f"      本章: {c['source_says']}")
            if c.get("value") is not None:
                lines.append(f"      他源: {c['value']}")
            lines.append(f"      依据: {_evidence(c)}")
            if c.get("detail"):
                lines.append(f"      说明: {c['detail']}")

    notes = rec.get("notes", [])
    if notes:
        lines.append("")
        lines.append("附注")
        lines.extend(f"  - {n}" for n in notes)

    if shown.related:
        lines.append("")
        lines.append("相关记录")
        for r in shown.related:
            o = r.record
            when = o.date_shown
            if o.source_date:
                when += f"(本章作{o.source_date_zh})"
            how = "; ".join(HOW_ZH.get(h, h) for h in r.how)
            lines.append(f"  {o.id}")
            lines.append(f"      {when} · {KIND_ZH[o.kind]} · {o.headline} 〔{how}〕")

    lines.append("")
    lines.append(f"引用: {shown.cite}")
    return "\n".join(lines)


# -- stats -------------------------------------------------------------------------------------

BAR = "█"
BAR_WIDTH = 40


@_printable_view
def stats_text(st) -> str:
    """Counts for a person: by kind, by year with a bar each (years without records show 0),
    by topic, by person."""
    lines = [labels.STATS_TOTAL.format(total=st.total), "", labels.STATS_BY["kind"]]
    kw = max((display_width(KIND_ZH[k]) + len(k) + 1 for k, _ in st.by_kind), default=0)
    for k, n in st.by_kind:
        lines.append(f"  {pad(f'{k} {KIND_ZH[k]}', kw)}  {n:>4}")
    lines += ["", labels.STATS_BY["year"]]
    top = max((n for _, n in st.by_year), default=0)
    rows = [(UNDATED if y is None else str(y), n) for y, n in st.by_year]
    yw = max((display_width(r[0]) for r in rows), default=4)
    for label, n in rows:
        bar = BAR * (round(n * BAR_WIDTH / top) if top else 0)
        if n and not bar:
            bar = BAR
        lines.append(f"  {pad(label, yw)}  {n:>4}  {bar}".rstrip())
    for title, pairs in ((labels.STATS_BY["topic"], st.by_topic), (labels.STATS_BY["people"], st.by_people)):
        lines += ["", title]
        w = min(40, max((display_width(k) for k, _ in pairs), default=0))
        for k, n in pairs:
            lines.append(f"  {pad(truncate(k, 40), w)}  {n:>4}")
    return "\n".join(lines)


@_printable_view
def search_text(result, color: bool = False) -> str:
    """A search result for a person: one block per hit, the matched words marked."""
    lines: list[str] = []
    marked = False
    if not result.total:
        read = " " + "".join(result.understood) if getattr(result, "understood", ()) else ""
        lines.append(labels.NO_HITS.format(query=result.query) + read)
        for s in result.suggestions:
            lines.append(f"  {s}" if getattr(s, "kind", "") == "spelling" else "  " + labels.TRY.format(hint=s))
        if not result.suggestions:
            lines.append("  " + labels.TRY_FEWER)
        return "\n".join(lines)
    shown = sum(1 + len(h.parts) + h.more for h in result.hits)  # units grouped under a line count too
    read = " " + "".join(getattr(result, "understood", ())) if getattr(result, "understood", ()) else ""
    lines.append(
        labels.HITS.format(query=result.query, total=result.total)
        + (labels.SHOWING.format(shown=shown) if shown < result.total else "")
        + read
    )
    for i, h in enumerate(result.hits, 1):
        who = f" · {h.people}" if h.people else ""
        lines.append("")
        star = "*" if h.date_source else ""
        when = date_with_kind(h.date_zh, h.listing.get("date_kind")) if h.date else ""
        if h.kind in UNIT_KINDS:  # 《…》第四十五条, or the chapter's section and page
            lines.append(f"{i}. {when + star + ' ' if when else ''}[{KIND_ZH[h.kind]}] {h.headline}")
        else:
            lines.append(f"{i}. {when or h.date_zh}{star} [{KIND_ZH.get(h.kind, h.kind)}] {h.title}{who}")
            if h.headline and h.headline != h.title:
                lines.append(f"   {h.headline}")
        if h.snippet:
            lines.append(f"   {_marks(h.snippet, color)}")
        if h.dispute:
            lines.append(truncate(f"   {DISPUTED_MARK} {h.dispute}", WIDTH))
        source_date = f" · 本章作{zh_or_raw(h.date_source)}" if h.date_source else ""
        lines.append(
            f"   id: {h.id}{source_date}" + (f" · {labels.MATCHED}: {'、'.join(h.matched)}" if h.matched else "")
        )
        for part in h.parts:  # the document's best provisions or passages, under it
            lines.append(f"   ↳ {part.title}:{_marks(part.snippet, color)}  ({part.id})")
        if h.more:
            unit = "条" if "provision" in (h.kind, *(p.kind for p in h.parts)) else "段"
            lines.append(f"   ↳ 另有 {h.more} {unit}匹配")
        marked = marked or bool(h.date_source)
    if marked:
        lines.append("")
        lines.append("* 日期据其他来源补充,本章原文见“本章作”;依据见 kb show ID")
    if result.facets:
        lines.append("")
        for name, counts in result.facets.items():
            shown_counts = ", ".join(
                f"{KIND_ZH.get(k, k) if name == 'kind' else k} {v}" for k, v in list(counts.items())[:12]
            )
            lines.append(f"{labels.FACET_ZH.get(name, name)}: {shown_counts}")
    return "\n".join(lines)


# -- kb cite ------------------------------------------------------------------------------------

FIELD_ZH = {
    "quotes": "引语",
    "published": "原始出处",
    "date": "日期",
    "doc_number": "文号",
    "issuers": "发文机关",
    "drafters": "起草",
    "speaker": "讲话人",
    "value": "数值",
    "original_title": "原题",
    "structure": "结构",
    "targets": "目标",
    "place": "地点",
    "occasion": "场合",
    "title": "题名",
}


def _form_zh(form: str) -> str:
    """直接引语(来源加引号), 转述(来源的间接引述,非原话): the form and what it means."""
    return f"{FORM_ZH[form]}({FORM_NOTE_ZH[form]})" if form in FORM_ZH else form


def _block(c) -> list[str]:
    """One citation in full: provenance first (for a quotation), then the entry."""
    p = c.provenance
    out: list[str] = []
    if p is not None and c.kind != "reference":
        head = [p.date_zh or UNDATED]
        if p.who:
            head.append("、".join(p.who) + (f"({p.role})" if p.role else ""))
        if p.occasion:
            head.append(p.occasion)
        out.append(" · ".join(head))
        if p.place or c.kind in ("remark", "event"):
            out.append(f"地点:{p.place or '来源未载'}")
        if p.original_title:
            out.append(f"原题:《{p.original_title}》" + ("(" + labels.TITLE_NOT_FOR_CITED + ")" if p.disputed else ""))
        if p.published:
            out.append(f"发表:{p.published}")
        if p.doc_number:
            out.append(f"文号:{p.doc_number}")
        if p.figure:
            out.append(f"数据:{p.figure}")
        for text, form, note in p.quotes:
            label = "原文" if c.kind == "statistic" else _form_zh(form)
            out.append(f"{label}:{text}" + (f"〔{note}〕" if note else ""))
        for d in p.disputed:
            out.append(f"归属存疑:{d.value or ''}")
            if d.detail:
                out.append(f"  {d.detail}")
            out.append(f"  依据:{d.evidence}")
        for ch in p.checks:
            if ch.status != "disputed":
                val = f":{ch.value}" if ch.value is not None else ""
                out.append(
                    f"核对:{FIELD_ZH.get(ch.field, ch.field)}{STATUS_ZH.get(ch.status, ch.status)}{val}({ch.evidence})"
                )
        if p.source:
            out.append(f"出处:{p.source}" + _section_zh(p.section))
    if c.text and c.taken_from == c.text:
        out.append(f"著录(转引自):{c.text}")
    elif c.text:
        out.append(f"著录:{c.text}" if out else c.text)
    if c.taken_from and c.taken_from != c.text:
        out.append(f"转引自:{c.taken_from}")
    out.extend(f"说明:{n}" for n in c.notes)
    if out[-1] != c.text:
        out.append(f"id: {c.id}")
    return out


def _section_zh(section: str | None) -> str:
    """`,第1.3节` for a numbered section, `,“政策文件”部分` for a named one."""
    if not section:
        return ""
    return f",第{section}节" if re.fullmatch(r"[\d.]+", section) else f",“{section}”部分"


@_printable_view
def cite_text(result) -> str:
    """What `kb cite` prints (a `kb.cite.CiteResult`): an export as is, a bibliography with
    its notes, one citation's provenance in full, or the candidates for a phrase."""
    if result.export is not None:
        return result.export.rstrip("\n")
    lines = list(result.notices)
    if result.candidates:
        shown = labels.SHOWING.format(shown=len(result.candidates)) if result.total > len(result.candidates) else ""
        how = labels.CITE_BY_SEARCH if result.mode == "search" else ""
        lines.append(labels.CITE_CANDIDATES.format(query=result.query, total=result.total, shown=shown, how=how))
        for i, c in enumerate(result.candidates, 1):
            who = f" · {c.people}" if c.people else ""
            lines.append(f"{i}. {c.date_zh} [{KIND_ZH.get(c.kind, c.kind)}] {c.title}{who}")
            if c.snippet:
                lines.append(f"   {c.snippet}")
            lines.append(f"   id: {c.id}")
        return "\n".join(lines)
    if len(result.citations) == 1 and result.mode != "all":
        lines.extend(_block(result.citations[0]))
        return "\n".join(lines)
    entries = result.entries
    lines.extend(f"[{e.number}] {e.text}" for e in entries)
    explain = []
    for e in entries:
        if len(e.ids) > 1:
            explain.append(f"[{e.number}] {len(e.ids)} 条记录引用同一条目: {', '.join(e.ids)}")
        explain.extend(f"[{e.number}] {n}" for n in e.notes)
    uncited = [c for c in result.citations if not c.number]
    for c in uncited:
        explain.extend(n if c.id in n else f"{c.id}: {n}" for n in c.notes)
    if explain:
        lines.extend(["", "说明:", *explain])
    return "\n".join(lines)


@_printable_view
def verify_quote_text(check) -> str:
    """`kb verify-quote`: the verdict line, then each verbatim match (or the closest quotations)
    with who, when, the form, the corpus's wording and any dispute."""
    lines = [check.message]
    listed = check.matches or check.closest
    for n, m in enumerate(listed, 1):
        d = m.to_json()
        who = d["speaker"] or "、".join(d["people"]) or "本章"
        if d["speaker_role"]:
            who += f"({d['speaker_role']})"
        head = f"{d['date_zh']} {who} · {m.record.headline}"
        if not check.verbatim:
            head = f"相似度 {m.similarity:.2f} · {head}"
        form = d["form_zh"] + (f" {d['provision']['label']}" if d["provision"] else "")
        lines += ["", f"{n}. {head}", f"   {form}:{d['excerpt']}"]
        for c in m.disputes:
            lines.append(f"   {STATUS['disputed']}:{_plain(c.get('value'))}(依据:{_plain(c.get('evidence'))})")
        if m.record_disputed and not m.disputes:
            lines.append("   (本记录另有一处有争议的核对,与此段引语无关;见 kb show)")
        lines.append(f"   id: {d['id']} · {d['cite']}")
    if check.total > len(check.matches):
        lines.append(f"\n(另有 {check.total - len(check.matches)} 处未列出)")
    return "\n".join(lines)
