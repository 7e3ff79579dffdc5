"""Citations: GB/T 7714-2015 entries, the provenance of a quotation, and exports for Zotero.

`cite()` is the one entry point. It takes ids (a numbered bibliography when there are several),
`all_of=<kind>` (every record of a kind, in the order the chapter first cites them) or a phrase
(the record whose quotation or title contains it), and returns a frozen `CiteResult` whose
`to_text()` is what `kb cite` prints and whose `to_json()` is what `kb cite --json` prints.

The GB/T 7714 formatter is our own: it follows the standard, not the chapter's typesetting
(`2024(1)` for a journal without volume, three names then `,等`, `——` for a title's dash).
docs/cite.md explains each rule and every placeholder we print for what a source does not give.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from kb.corpus import Corpus
from kb.errors import NotFound, QueryError
from kb.records import (
    COMPARISON_ZH,
    FORM_NOTE_ZH,
    FORM_ZH,
    ID_RE,
    KIND_ZH,
    KINDS,
    SHARE_ZH,
    STATUS_ZH,
    UNDATED,
    Record,
    format_value,
)
from kb.text import fold, squash, squash_folded

STYLES = ("gbt7714", "csl-json", "ris", "bibtex")
PUNCTS = ("half", "full")
FORMS = ("document", "online")
MAX_AUTHORS = 3  # GB/T 7714-2015 8.1.2: up to three names, then ",等"
# Supplied in brackets where the source gives nothing (GB/T 7714-2015 8.4.1.3, 8.4.2.3).
NO_PLACE = "出版地不详"
NO_PUBLISHER = "出版者不详"
NO_BOOK_TITLE = "书名不详"  # ours: the standard has no placeholder for a missing book title
# Two-character surnames: the rest of a Chinese name split family = first character.
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "司空",
    "夏侯",
    "令狐",
    "端木",
    "独孤",
    "轩辕",
    "呼延",
    "南宫",
    "西门",
    "钟离",
    "淳于",
    "申屠",
    "万俟",
    "闻人",
    "澹台",
    "公羊",
    "赫连",
    "拓跋",
)
ORG_SUFFIXES = (
    "课题组",
    "委员会",
    "办公厅",
    "办公室",
    "研究所",
    "研究院",
    "研究中心",
    "中心",
    "政府",
    "大学",
    "学院",
    "协会",
    "学会",
    "公司",
    "集团",
    "常务委员会",
    "人民代表大会",
)
ORG_LAST_CHARS = "院部局厅署委会组所处"
_DASHES = re.compile("—{3,}")
_HAN = re.compile(r"^[\u3400-\u9fff·]+$")


class _Punct:
    """The punctuation of an entry: half-width (the default) or full-width.

    Full width follows the answer of GB/T 7714-2015's drafter (陈浩元, 编辑学报 2024, 36(2):139):
    the period `.` and the slash `/` stay half-width, every other mark is full-width, the type
    code's brackets included (`［J］`). The page range's hyphen `-` stays as it is.
    """

    def __init__(self, full: bool):
        self.full = full
        self.dot = "."
        self.comma, self.colon = ("，", "：") if full else (",", ":")
        self.lp, self.rp, self.lb, self.rb = ("（", "）", "［", "］") if full else ("(", ")", "[", "]")
        self._table = str.maketrans(
            {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
            if full
            else {"，": ",", "：": ":", "；": ";", "？": "?", "！": "!", "（": "(", "）": ")"}
        )

    def text(self, s: str) -> str:
        """Title, journal or publisher text with its own punctuation in this width ('.' kept)."""
        return str(s).translate(self._table)

    def code(self, code: str) -> str:
        return f"{self.lb}{code}{self.rb}"

    def supplied(self, s: str) -> str:
        """Information the source does not give, bracketed as the standard requires."""
        return f"{self.lb}{s}{self.rb}"

    def pages(self, pages: Any) -> str:
        """Pages as the standard writes them: non-contiguous parts separated by a comma.

        The chapter (like CNKI) writes `1-9+17`; GB/T 7714 separates page ranges with `,`
        (`1-9,17`). The record keeps the verbatim form.
        """
        return _PAGE_PLUS.sub(self.comma, str(pages).strip())


_PAGE_PLUS = re.compile(r"\s*[+，,]\s*")


def std_pages(pages: Any) -> str:
    """Pages for the exports: `1-9+17` as `1-9,17` (the record keeps the chapter's form)."""
    return _Punct(False).pages(pages)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Check:
    """One `checked` entry of a record: what another public source says."""

    field: str
    status: str
    value: str | None
    source_says: str | None
    evidence: str
    detail: str | None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Provenance:
    """Who said or issued it, when, where, the verbatim texts, and what other sources say."""

    date: str | None
    date_zh: str | None
    who: tuple[str, ...]
    role: str | None
    occasion: str | None
    place: str | None
    original_title: str | None
    published: str | None
    doc_number: str | None
    figure: str | None
    quotes: tuple[tuple[str, str, str | None], ...]  # (text, form, note)
    source: str | None
    section: str | None
    checks: tuple[Check, ...]

    @property
    def disputed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "disputed")

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("quotes", "checks")}
        out["who"] = list(self.who)
        out["quotes"] = [{"text": t, "form": f, "note": n} for t, f, n in self.quotes]
        out["checks"] = [c.to_json() for c in self.checks]
        out["disputed"] = bool(self.disputed)
        return out


@dataclass(frozen=True)
class Citation:
    """One record's GB/T 7714 entry, with its provenance and what a writer should know."""

    id: str
    kind: str
    number: int
    text: str
    type_code: str
    notes: tuple[str, ...]
    provenance: Provenance | None
    taken_from: str | None = None  # the chapter's entry, when `text` cites an original text

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "type_code": self.type_code,
            "taken_from": self.taken_from,
            "notes": list(self.notes),
            "provenance": self.provenance.to_json() if self.provenance else None,
        }


@dataclass(frozen=True)
class Candidate:
    """A record that contains the phrase, or that search found for it."""

    id: str
    kind: str
    date_zh: str
    title: str
    people: str
    where: str  # "quote" | "title" | "search"
    snippet: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CiteResult:
    """What `kb cite` prints: citations, or candidates for a phrase, or an export."""

    query: str
    mode: str  # "ids" | "all" | "phrase" | "search"
    style: str
    punct: str
    citations: tuple[Citation, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    export: str | None = None
    notices: tuple[str, ...] = ()
    total: int = 0  # candidates found, of which `candidates` are the best

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "query": self.query,
            "mode": self.mode,
            "style": self.style,
            "punct": self.punct,
            "citations": [c.to_json() for c in self.citations],
            "candidates": [c.to_json() for c in self.candidates],
            "total_candidates": self.total,
        }
        if self.citations:
            out["entries"] = [e.to_json() for e in self.entries]
        if self.export is not None:
            out["export"] = self.export
        if self.notices:
            out["notices"] = list(self.notices)
        return out

    @property
    def entries(self) -> tuple[Entry, ...]:
        """The numbered bibliography: one entry per distinct text, with every id that cites it.

        A numbered list never repeats an entry: records taken from the same chapter share its
        number. Records that cannot be cited as a publication (an internal list) have number 0
        and no entry.
        """
        by_number: dict[int, list[Citation]] = {}
        for c in self.citations:
            if c.number:
                by_number.setdefault(c.number, []).append(c)
        out = []
        for number, cits in by_number.items():
            notes = tuple(dict.fromkeys(n for c in cits for n in c.notes))
            out.append(Entry(number, cits[0].text, cits[0].type_code, tuple(c.id for c in cits), notes))
        return tuple(out)

    def to_text(self) -> str:
        """The result for a person: an export as is, a bibliography, a provenance or a list."""
        if self.export is not None:
            return self.export.rstrip("\n")
        lines = list(self.notices)
        if self.candidates:
            shown = f", showing {len(self.candidates)}" if self.total > len(self.candidates) else ""
            lines.append(
                f"{self.total} records match {self.query!r}{shown}"
                + (" (by search, not as an exact phrase)" if self.mode == "search" else "")
                + ", best first; cite one with: kb cite ID"
            )
            for i, c in enumerate(self.candidates, 1):
                who = f" · {c.people}" if c.people else ""
                lines.append(f"{i}. {c.date_zh} [{KIND_ZH.get(c.kind, c.kind)}] {c.title}{who}")
                if c.snippet:
                    lines.append(f"   {c.snippet}")
                lines.append(f"   id: {c.id}")
            return "\n".join(lines)
        if len(self.citations) == 1 and self.mode != "all":
            lines.extend(_block(self.citations[0]))
            return "\n".join(lines)
        entries = self.entries
        lines.extend(f"[{e.number}] {e.text}" for e in entries)
        explain = []
        for e in entries:
            if len(e.ids) > 1:
                explain.append(f"[{e.number}] {len(e.ids)} 条记录引用同一条目: {', '.join(e.ids)}")
            explain.extend(f"[{e.number}] {n}" for n in e.notes)
        uncited = [c for c in self.citations if not c.number]
        for c in uncited:
            explain.extend(n if c.id in n else f"{c.id}: {n}" for n in c.notes)
        if explain:
            lines.extend(["", "说明:", *explain])
        return "\n".join(lines)


@dataclass(frozen=True)
class Entry:
    """One numbered entry of a bibliography and the ids of the records that cite it."""

    number: int
    text: str
    type_code: str
    ids: tuple[str, ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text, "type_code": self.type_code, "ids": list(self.ids)}


FIELD_ZH = {
    "quotes": "引语",
    "date": "日期",
    "doc_number": "文号",
    "issuers": "发文机关",
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


def _block(c: Citation) -> list[str]:
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
            out.append(f"原题:《{p.original_title}》")
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
    if c.text:
        out.append(f"著录:{c.text}" if out else c.text)
    if c.taken_from:
        out.append(f"转引自:{c.taken_from}")
    out.extend(f"说明:{n}" for n in c.notes)
    if out[-1] != c.text:
        out.append(f"id: {c.id}")
    return out


def _section_zh(section: str | None) -> str:
    """`,第1.3节` for a numbered section, `,“Policy documents”部分` for a named one."""
    if not section:
        return ""
    return f",第{section}节" if re.fullmatch(r"[\d.]+", section) else f",“{section}”部分"


# ---------------------------------------------------------------- GB/T 7714


def gbt_title(title: str) -> str:
    """A title as the standard writes it: the chapter's typeset `———` becomes the dash `——`."""
    return _DASHES.sub("——", str(title).strip())


def author_list(names: list[str] | tuple[str, ...], truncated: bool, p: _Punct) -> str:
    """Up to three names, then `,等` when there are more or the source cut the list with 等."""
    names = [str(n) for n in names if str(n).strip()]
    shown = names[:MAX_AUTHORS]
    if len(names) > MAX_AUTHORS or (truncated and shown):
        shown = [*shown, "等"]
    return p.comma.join(shown)


def _lead(names: list[str], truncated: bool, p: _Punct) -> str:
    authors = author_list(names, truncated, p)
    return f"{authors}{p.dot}" if authors else ""


def format_reference(rec: Record, p: _Punct) -> tuple[str, tuple[str, ...]]:
    """A `reference` record as a GB/T 7714-2015 entry, and notes on what it lacks."""
    code = str(rec.get("type_code", "Z")).upper()
    lead = _lead(rec.get("authors", []), bool(rec.get("authors_truncated")), p)
    title = p.text(gbt_title(rec.title))
    year = rec.get("year")
    notes: list[str] = []
    if code == "J":
        s = f"{lead}{title}{p.code('J')}{p.dot}{p.text(rec.get('journal', ''))}{p.comma}{year}"
        if rec.get("volume") is not None:
            s += f"{p.comma}{rec.get('volume')}"
        if rec.get("issue") is not None:
            s += f"{p.lp}{rec.get('issue')}{p.rp}"
        if rec.get("pages") is not None:
            s += f"{p.colon}{p.pages(rec.get('pages'))}"
        return s + p.dot, ()
    if code == "N":
        when = rec.date_iso or str(year)
        s = f"{lead}{title}{p.code('N')}{p.dot}{p.text(rec.get('journal', ''))}{p.comma}{when}"
        if rec.get("pages") is not None:
            s += f"{p.lp}{p.pages(rec.get('pages'))}{p.rp}"
        return s + p.dot, ()
    if code.startswith("EB"):
        when = rec.date_iso or year
        return _online(lead, title, code, when, rec.get("url"), rec.get("accessed"), p, notes), tuple(notes)
    place = p.text(rec.get("place")) if rec.get("place") else p.supplied(NO_PLACE)
    publisher = p.text(rec.get("publisher")) if rec.get("publisher") else p.supplied(NO_PUBLISHER)
    s = f"{lead}{title}{p.code(code)}{p.dot}{place}{p.colon}{publisher}{p.comma}{year}"
    if rec.get("pages") is not None:
        s += f"{p.colon}{p.pages(rec.get('pages'))}"
    return s + p.dot, ()


def _online(lead: str, title: str, code: str, when, url: str | None, accessed, p: _Punct, notes: list[str]) -> str:
    """`…[EB/OL].(发表日期)[引用日期].网址.` (GB/T 7714-2015 4.6.1); what is missing is left out."""
    s = f"{lead}{title}{p.code(code if '/' in code else code + '/OL')}{p.dot}"
    if when:
        s += f"{p.lp}{when}{p.rp}"
    if accessed:
        s += p.supplied(str(accessed))
    if url:
        s += f"{p.dot}{url}"
    if not url:
        notes.append("记录没有网址(url):[EB/OL] 著录须有获取和访问路径与引用日期,发表前请补上")
    elif not accessed:
        notes.append("记录没有引用日期(accessed):[EB/OL] 著录须有引用日期,发表前请补上")
    return s + p.dot


INTERNAL_NOTE = (
    "来源 {id} 是本库的内部核对清单,不是出版物,不能作为参考文献著录;请引清单中该行所注的公开来源(本工具不代为著录)"
)


def is_internal(src: Record) -> bool:
    """A source whose title is our own label (`title_is_label: true`), e.g. the facts checklist:
    an internal list, not a publication, so it has no GB/T 7714 entry."""
    return src.kind == "source" and bool(src.get("title_is_label"))


def format_source(src: Record | None, p: _Punct) -> tuple[str, tuple[str, ...]]:
    """The chapter (a `source`) as a part of a book: `题名[M]//书名.出版地:出版者,出版年:页码.`

    Whatever the source record does not give is bracketed: the standard's [出版地不详] and
    [出版者不详], and our [书名不详] for the book title, which we never invent.
    """
    if src is None:
        return "", ("记录没有来源(source.record)",)
    if is_internal(src):
        return "", (INTERNAL_NOTE.format(id=src.id),)
    lead = _lead(src.get("authors", []), False, p)
    code = str(src.get("type_code") or "M").upper()
    book = src.get("container_title")
    place = p.text(src.get("place")) if src.get("place") else p.supplied(NO_PLACE)
    publisher = p.text(src.get("publisher")) if src.get("publisher") else p.supplied(NO_PUBLISHER)
    s = f"{lead}{p.text(gbt_title(src.title))}{p.code(code)}//"
    s += (p.text(book) if book else p.supplied(NO_BOOK_TITLE)) + p.dot
    s += f"{place}{p.colon}{publisher}"
    if src.date:
        s += f"{p.comma}{src.date.start.year}"
    if src.get("pages") is not None:
        s += f"{p.colon}{p.pages(src.get('pages'))}"
    missing = [
        name
        for name, v in (
            ("书名", book),
            ("出版地", src.get("place")),
            ("出版者", src.get("publisher")),
            ("出版年", src.date),
        )
        if not v
    ]
    notes = ()
    if missing:
        notes = (
            f"来源记录 {src.id} 未载{'、'.join(missing)};方括号内为著录者所补,出版年不详故不著录。发表前请按原书补全",
        )
    return s + p.dot, notes


def format_policy(rec: Record, p: _Punct, form: str) -> tuple[str, tuple[str, ...]]:
    """A policy: `发文机关.题名:文号[A].` or, online, `…[EB/OL].(日期)[引用日期].网址.`"""
    notes: list[str] = []
    issuers = list(rec.get("issuers", []))
    lead = _lead(issuers, False, p)
    title = p.text(gbt_title(rec.title))
    if rec.get("doc_number"):
        title += f"{p.colon}{rec.get('doc_number')}"
    if not issuers:
        notes.append("发文机关不详,著录从题名起")
    if rec.get("identified") is False:
        notes.append("未能在公开来源中找到这份文件,题名照本章所载")
    for ch in rec.get("checked", []):
        if ch.get("field") == "doc_number" and ch.get("status") == "unconfirmed" and ch.get("value"):
            notes.append(f"文号未核实,未著录:{ch['value']}见于{ch.get('evidence', '报道')}")
    if form == "online":
        when = rec.date_iso
        return _online(lead, title, "EB/OL", when, rec.get("url"), rec.get("accessed"), p, notes), tuple(notes)
    return f"{lead}{title}{p.code('A')}{p.dot}", tuple(notes)


PUBLISHED_CODES = ("N", "J", "EB/OL")


def published_code(pub: Any) -> tuple[str | None, str | None]:
    """The type of a speech's printed or online original: `published.type_code`, or a guess.

    Without `type_code` we guess from what the record gives, never from the name (学报 are
    journals, not newspapers): a URL is online [EB/OL], an issue number a journal [J], a date
    to the day with no issue a newspaper [N]. Returns (code, note on the guess); (None, note)
    when nothing tells.
    """
    code = str(pub.get("type_code") or "").upper()
    if code in PUBLISHED_CODES:
        return code, None
    where = str(pub.get("in") or "")
    date_raw = str(pub.get("date") or "")
    if pub.get("url") or where.startswith(("http://", "https://")):
        code, why = "EB/OL", "记录有网址"
    elif pub.get("issue") is not None:
        code, why = "J", "记录有期号"
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_raw):
        code, why = "N", "记录有到日的出版日期而无期号"
    else:
        return None, (
            f"原文出处 {where} 未标类型(published.type_code),无法判断是报纸、期刊还是网络文献,"
            "故仍引转载它的来源;请补 type_code(N、J 或 EB/OL)"
        )
    return code, f"原文出处未标类型(published.type_code),按{why}著录为[{code}];请核对并补上 type_code"


def format_published(rec: Record, p: _Punct) -> tuple[str, str, tuple[str, ...]] | None:
    """A speech's original text when the record names one, per GB/T 7714-2015:

    [N] `讲话人.题名[N].报纸名,出版日期(版次).` — the newspaper's date, never the speech's;
    [J] `讲话人.题名[J].刊名,年(期):页码.`;
    [EB/OL] `讲话人.题名[EB/OL].(发表日期)[引用日期].网址.`
    Returns (text, type code, notes), or None when the record names no original we can cite.
    """
    pub = rec.get("published")
    if not pub or not pub.get("in"):
        return None
    code, guess = published_code(pub)
    if code is None:
        return None
    notes = [guess] if guess else []
    where = str(pub["in"])
    lead = _lead([rec.get("speaker")] if rec.get("speaker") else [], False, p)
    title = speech_title(rec, p)
    when = pub.get("date")
    when = str(when) if when is not None else None
    if code == "EB/OL":
        url = pub.get("url") or (where if where.startswith(("http://", "https://")) else None)
        if not when:
            notes.append("记录未载网络文献的发表日期(published.date),未著录;讲话日期不是发表日期")
        return _online(lead, title, code, when, url, pub.get("accessed"), p, notes), code, tuple(notes)
    name = p.text(where.strip("《》"))
    s = f"{lead}{title}{p.code(code)}{p.dot}{name}"
    if code == "N":
        if when:
            s += f"{p.comma}{when}"
        else:
            notes.append("记录未载见报日期(published.date),未著录;讲话日期不是见报日期,发表前请补上")
        if pub.get("pages") is not None:
            s += f"{p.lp}{p.pages(pub['pages'])}{p.rp}"
        return s + p.dot, code, tuple(notes)
    if when:
        s += f"{p.comma}{when[:4]}"
    else:
        notes.append("记录未载刊期的年份(published.date),未著录;讲话日期不是出版日期,发表前请补上")
    if pub.get("issue") is not None:
        s += f"{p.lp}{pub['issue']}{p.rp}"
    else:
        notes.append("记录未载期号(published.issue),发表前请补上")
    if pub.get("pages") is not None:
        s += f"{p.colon}{p.pages(pub['pages'])}"
    return s + p.dot, code, tuple(notes)


def speech_title(rec: Record, p: _Punct | None = None) -> str:
    """A speech's title for a citation: its published `original_title`, else our label in
    square brackets (supplied by the cataloguer, not a title the speech was published under)."""
    p = p or _Punct(False)
    if rec.get("original_title"):
        return p.text(gbt_title(rec.get("original_title")))
    if rec.get("title_is_label"):
        return p.supplied(rec.title)
    return p.text(gbt_title(rec.title))


def provenance(rec: Record, corpus: Corpus) -> Provenance:
    """Everything a writer needs to know about where a record's words come from."""
    src = corpus.get(rec.source_id) if rec.source_id else None
    checks = tuple(
        Check(
            str(c.get("field")),
            str(c.get("status")),
            None if c.get("value") is None else str(c.get("value")),
            None if c.get("source_says") is None else str(c.get("source_says")),
            str(c.get("evidence", "")),
            c.get("detail"),
        )
        for c in rec.get("checked", [])
    )
    pub = rec.get("published")
    published = None
    if pub and pub.get("in"):
        bits = [str(pub["in"])]
        if pub.get("date"):
            bits.append(str(pub["date"]))
        if pub.get("issue") is not None:
            bits.append(f"第{pub['issue']}期")
        if pub.get("pages") is not None:
            pages = str(pub["pages"])
            bits.append(f"第{pages}版" if pub.get("type_code") == "N" else f"页{pages}")
        if pub.get("url"):
            bits.append(str(pub["url"]))
        published = ",".join(bits)
    figure = None
    if rec.kind == "statistic":
        figure = f"{rec.get('year')}年 {rec.get('region', '')} {rec.get('indicator')} {format_value(rec)}"
        if rec.get("comparison"):
            cmp = rec.get("comparison")
            figure += f"({COMPARISON_ZH.format(base_year=cmp['base_year'], change=cmp['change'])})"
        if rec.get("share"):
            share = rec.get("share")
            figure += f"({SHARE_ZH.format(of=share['of'], value=share['value'])})"
    if src is None:
        source = rec.source_id
    elif is_internal(src):
        source = f"{src.title}(本库内部核对清单 {src.id},非出版物)"
    else:
        source = f"《{src.title}》"
    return Provenance(
        date=rec.date_iso,
        date_zh=rec.date_zh if rec.date else None,  # JSON: null for an undated record
        who=rec.people,
        role=rec.get("speaker_role"),
        occasion=rec.get("occasion"),
        place=rec.get("place"),
        original_title=rec.get("original_title"),
        published=published,
        doc_number=rec.get("doc_number"),
        figure=figure,
        quotes=tuple((q.text, q.form, q.note) for q in rec.quotes),
        source=source,
        section=rec.section,
        checks=checks,
    )


def citation(rec: Record, corpus: Corpus, number: int = 1, punct: str = "half", form: str = "document") -> Citation:
    """One record's citation: its GB/T 7714 entry, provenance and notes."""
    p = _Punct(punct == "full")
    src = corpus.get(rec.source_id) if rec.source_id else None
    taken_from = None
    if rec.kind == "reference":
        text, notes = format_reference(rec, p)
        code = str(rec.get("type_code")).upper()
    elif rec.kind == "policy":
        text, notes = format_policy(rec, p, form)
        code = "EB/OL" if form == "online" else "A"
    elif rec.kind == "source":
        text, notes = format_source(rec, p)
        code = "" if is_internal(rec) else str(rec.get("type_code") or "M").upper()
    else:  # remark, event, statistic: the original text when named, else the chapter
        chapter, notes = format_source(src, p)
        code = str(src.get("type_code") or "M").upper() if src is not None and chapter else ""
        text = chapter
        original = format_published(rec, p) if rec.kind in ("remark", "event") else None
        if original:
            text, code, more = original
            taken_from = chapter or None
            notes = (*more, *notes)
        elif rec.kind in ("remark", "event") and rec.get("published"):
            _, why = published_code(rec.get("published"))
            notes = (why, *notes) if why else notes
    prov = provenance(rec, corpus) if rec.kind != "source" else None
    return Citation(rec.id, rec.kind, number, text, code, tuple(notes), prov, taken_from)


# ---------------------------------------------------------------- order of a bibliography


def chapter_order(records: list[Record], corpus: Corpus) -> list[Record]:
    """References in the order the chapter cites them: where each footnote's anchor first occurs."""
    texts: dict[str, str] = {}

    def pos(rec: Record) -> tuple[int, str]:
        sid = rec.source_id or ""
        if sid not in texts:
            texts[sid] = squash(corpus.source_text(sid) or "")
        anchor = squash((rec.get("anchor") or {}).get("text", ""))
        at = texts[sid].find(anchor) if anchor else -1
        return (at if at >= 0 else 1 << 30, rec.id)

    return sorted(records, key=pos)


# ---------------------------------------------------------------- phrase lookup

_WHERE_RANK = {"direct": 0, "reported": 1, "title": 2}


def find_phrase(corpus: Corpus, phrase: str, kind: str | None = None) -> list[Candidate]:
    """Records whose quotations or titles contain `phrase`, best first.

    White space is ignored and both sides are folded (kb.text): full-width and half-width
    punctuation, traditional and simplified characters, upper and lower case match.

    Best: in a direct quotation, then a reported one, then a title; more occurrences first;
    remarks before events, policies, statistics and references; then by date.
    """
    needle = squash_folded(phrase)
    if not needle:
        return []
    found = []
    for rec in corpus.records:
        if rec.kind == "source" or (kind and rec.kind != kind):
            continue
        best, count, snippet = None, 0, ""
        for q in rec.quotes:
            text = squash(q.text)
            hay = fold(text)  # same length as `text`: offsets found in one hold in the other
            n = hay.count(needle)
            if n:
                count += n
                rank = _WHERE_RANK.get(q.form, 1)
                if best is None or rank < best:
                    best, snippet = rank, _snippet(text, hay, needle)
        for t in (rec.title, rec.get("original_title")):
            if t and needle in squash_folded(t):
                count += 1
                if best is None:
                    best, snippet = 2, squash(t)
        if best is None:
            continue
        where = "title" if best == 2 else "quote"
        key = (best, -count, KINDS.index(rec.kind), rec.date.start if rec.date else _FAR, rec.id)
        found.append((key, _candidate(rec, where, snippet)))
    found.sort(key=lambda x: x[0])
    return [c for _, c in found]


def _candidate(rec: Record, where: str, snippet: str) -> Candidate:
    return Candidate(
        id=rec.id,
        kind=rec.kind,
        date_zh=rec.date_zh,
        title=rec.headline,
        people="、".join(rec.people),
        where=where,
        snippet=snippet,
    )


def _snippet(text: str, folded: str, needle: str, width: int = 24) -> str:
    """The original text around the first match found in its folded form."""
    at = folded.find(needle)
    start, end = max(0, at - width), min(len(text), at + len(needle) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


_FAR = date.max


# ---------------------------------------------------------------- exports


def split_name(name: str) -> dict[str, str]:
    """A CSL name: Chinese persons as {family, given}, organisations as {literal}.

    A Han name of two to four characters is a person: its family name is its first character,
    or its first two when they are a known compound surname (COMPOUND_SURNAMES). Longer Han
    names, or ones ending like an organisation (ORG_SUFFIXES), are organisations.
    """
    name = str(name).strip()
    if is_org(name):
        return {"literal": name}
    if _HAN.match(name):
        cut = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
        return {"family": name[:cut], "given": name[cut:]}
    if "," in name:
        fam, _, given = name.partition(",")
        return {"family": fam.strip(), "given": given.strip()}
    parts = name.split()
    if len(parts) > 1:
        return {"family": parts[-1], "given": " ".join(parts[:-1])}
    return {"literal": name}


def is_org(name: str) -> bool:
    name = str(name).strip()
    if _HAN.match(name):
        if len(name) > 4 or name.endswith(ORG_SUFFIXES):
            return True
        return len(name) >= 3 and name[-1] in ORG_LAST_CHARS and name[:2] not in COMPOUND_SURNAMES
    return False


def _parts(raw: Any) -> list[int] | None:
    """CSL date-parts of a date as written (`2018-05-29`, `2016-03`, `2024`; a span's start)."""
    if raw is None:
        return None
    first = str(raw).split("/")[0]
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", first):
        return None
    return [int(x) for x in first.split("-")]


CSL_PUBLISHED_TYPES = {"N": "article-newspaper", "J": "article-journal", "EB/OL": "webpage"}


def csl_item(rec: Record, corpus: Corpus, cit: Citation) -> dict[str, Any]:
    """A record as CSL-JSON (the input format of Zotero, citeproc and pandoc).

    Only what the records give: a remark cited from the chapter carries the chapter's date
    (unknown, so no `issued`), never the date of the speech or of a statistic.
    """
    item: dict[str, Any] = {"id": rec.id, "language": "zh-CN"}
    names = rec.people
    if rec.kind == "policy":
        item["author"] = [{"literal": n} for n in names]
    elif names and rec.kind != "statistic":
        item["author"] = [split_name(n) for n in names]
    notes = [] if rec.kind in ("remark", "event") or not cit.text else [f"GB/T 7714: {cit.text}"]
    issued = None
    if rec.kind == "reference":
        issued = _parts(rec.get("year"))
        code = str(rec.get("type_code")).upper()
        item["type"] = {"J": "article-journal", "N": "article-newspaper", "M": "book"}.get(
            code, "webpage" if code.startswith("EB") else "document"
        )
        item["title"] = gbt_title(rec.title)
        for key, csl in (
            ("journal", "container-title"),
            ("volume", "volume"),
            ("issue", "issue"),
            ("publisher", "publisher"),
            ("place", "publisher-place"),
            ("url", "URL"),
        ):
            if rec.get(key) is not None:
                item[csl] = str(rec.get(key))
        if rec.get("pages") is not None:
            item["page"] = std_pages(rec.get("pages"))
        if rec.get("accessed"):
            item["accessed"] = {"date-parts": [_parts(rec.get("accessed"))]}
        if rec.get("authors_truncated"):
            notes.append("作者列表在来源中以“等”截断")
    elif rec.kind == "policy":
        issued = _parts(rec.date.raw if rec.date else None)
        item["type"] = "legislation"
        item["title"] = rec.title
        if rec.get("doc_number"):
            item["number"] = rec.get("doc_number")
        if rec.get("region"):
            item["jurisdiction"] = rec.get("region")
        if rec.get("url"):
            item["URL"] = rec.get("url")
    elif rec.kind in ("remark", "event"):
        pub = rec.get("published") or {}
        if pub and cit.type_code in CSL_PUBLISHED_TYPES:
            item["type"] = CSL_PUBLISHED_TYPES[cit.type_code]
            if cit.type_code != "EB/OL":
                item["container-title"] = str(pub["in"]).strip("《》")
            issued = _parts(pub.get("date"))  # the paper's or page's date, never the speech's
            if pub.get("issue") is not None:
                item["issue"] = str(pub["issue"])
            if pub.get("pages") is not None:
                item["page"] = std_pages(pub["pages"])
            url = pub.get("url") or (pub["in"] if str(pub["in"]).startswith(("http://", "https://")) else None)
            if url:
                item["URL"] = str(url)
            if pub.get("accessed"):
                item["accessed"] = {"date-parts": [_parts(pub.get("accessed"))]}
        else:
            item["type"] = "speech"
            issued = _parts(rec.date.raw if rec.date else None)  # a speech is issued when given
        item["title"] = speech_title(rec)
        item["event"] = rec.get("occasion") or rec.get("body") or ""
        if rec.get("place"):
            item["event-place"] = rec.get("place")
        if rec.get("title_is_label") and not rec.get("original_title"):
            notes.append("题名为本库所拟的描述(方括号示著录者所补),非发表题名")
        if cit.taken_from or cit.text:
            notes.append(f"转引自: {cit.taken_from or cit.text}")
        else:
            notes.extend(cit.notes)
        for ch in rec.get("checked", []):
            if ch.get("status") == "disputed":
                notes.append(f"归属存疑: {ch.get('value', '')}({ch.get('evidence', '')})")
    else:  # statistic, source: the chapter the figure or text is in
        src = rec if rec.kind == "source" else corpus.get(rec.source_id or "")
        if src is None or is_internal(src):
            item["type"] = "document"
            item["title"] = f"[{src.title if src else rec.title}]"
            notes.extend(cit.notes)
        else:
            item["type"] = "chapter"
            item["title"] = gbt_title(src.title)
            if src.get("authors"):
                item["author"] = [split_name(n) for n in src.get("authors")]
            issued = _parts(src.date.raw if src.date else None)  # the book's year, not the figure's
            for key, csl in (
                ("container_title", "container-title"),
                ("publisher", "publisher"),
                ("place", "publisher-place"),
            ):
                if src.get(key):
                    item[csl] = str(src.get(key))
            if src.get("pages") is not None:
                item["page"] = std_pages(src.get("pages"))
        if rec.kind == "statistic":
            notes.append(f"{rec.get('quote')}(第{rec.section}节)")
    if issued:
        item["issued"] = {"date-parts": [issued]}
    for q in rec.quotes if rec.kind in ("remark", "event") else ():
        notes.append(f"“{q.text}”({q.form})")
    item["note"] = "\n".join(notes)
    return item


def to_csl_json(cits: list[Citation], corpus: Corpus) -> str:
    items = [csl_item(corpus.by_id[c.id], corpus, c) for c in cits]
    return json.dumps(items, ensure_ascii=False, indent=2)


def _iso(parts: list[int], sep: str) -> str:
    return sep.join([f"{parts[0]:04d}", *[f"{x:02d}" for x in parts[1:]]])


def ris_fields(rec: Record, corpus: Corpus, cit: Citation) -> list[tuple[str, str]]:
    """A record as RIS tag/value pairs, in order (TY first, ER last)."""
    item = csl_item(rec, corpus, cit)
    ty = {
        "article-journal": "JOUR",
        "article-newspaper": "NEWS",
        "book": "BOOK",
        "chapter": "CHAP",
        "legislation": "STAT",
        "speech": "GEN",
        "webpage": "ELEC",
    }.get(item["type"], "GEN")
    out = [("TY", ty), ("ID", rec.id)]
    for n in item.get("author", []):
        out.append(("AU", n["literal"] if "literal" in n else f"{n['family']}, {n['given']}"))
    out.append(("TI", item["title"]))
    if item.get("container-title"):
        out.append(("T2", item["container-title"]))
    parts = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if parts:
        out.append(("PY", str(parts[0])))
        out.append(("DA", _iso(parts, "/")))
    for key, tag in (
        ("volume", "VL"),
        ("issue", "IS"),
        ("number", "M1"),
        ("publisher", "PB"),
        ("publisher-place", "CY"),
        ("event", "T3"),
        ("event-place", "CY"),
        ("URL", "UR"),
    ):
        if item.get(key):
            out.append((tag, str(item[key])))
    if item.get("page"):
        page = str(item["page"])
        first, sep, last = page.partition("-")
        if "," in page or not sep:  # several ranges (1-9,17) or one page: all in SP
            out.append(("SP", page))
        else:
            out.extend([("SP", first), ("EP", last)])
    if item.get("accessed"):
        out.append(("Y2", _iso(item["accessed"]["date-parts"][0], "/")))
    out.append(("LA", "zh-CN"))
    for line in item["note"].split("\n"):
        out.append(("N1", line))
    return out


def to_ris(cits: list[Citation], corpus: Corpus) -> str:
    chunks = []
    for c in cits:
        lines = [f"{tag}  - {value}" for tag, value in ris_fields(corpus.by_id[c.id], corpus, c)]
        chunks.append("\n".join([*lines, "ER  - "]))
    return "\n\n".join(chunks) + "\n"


_BIB_ESCAPE = str.maketrans({"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"})


def bibtex_fields(rec: Record, corpus: Corpus, cit: Citation) -> tuple[str, list[tuple[str, str]]]:
    """A record as a BibTeX entry type and fields (unescaped values)."""
    item = csl_item(rec, corpus, cit)
    etype = {
        "article-journal": "article",
        "article-newspaper": "article",
        "book": "book",
        "chapter": "incollection",
    }.get(item["type"], "misc")
    fields: list[tuple[str, str]] = []
    names = []
    for n in item.get("author", []):
        names.append("{" + n["literal"] + "}" if "literal" in n else n["family"] + n["given"])
    if rec.kind == "reference" and rec.get("authors_truncated"):
        names.append("others")
    if names:
        fields.append(("author", " and ".join(names)))
    fields.append(("title", item["title"]))
    if item.get("container-title"):
        fields.append(("journal" if etype == "article" else "booktitle", item["container-title"]))
    parts = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if parts:
        fields.append(("year", str(parts[0])))
        fields.append(("date", _iso(parts, "-")))
    for key, bib in (
        ("volume", "volume"),
        ("issue", "number"),
        ("number", "number"),
        ("page", "pages"),
        ("publisher", "publisher"),
        ("publisher-place", "address"),
        ("event", "eventtitle"),
        ("event-place", "venue"),
        ("URL", "url"),
    ):
        if item.get(key):
            fields.append((bib, str(item[key])))
    if item.get("accessed"):
        fields.append(("urldate", _iso(item["accessed"]["date-parts"][0], "-")))
    fields.append(("langid", "chinese"))
    fields.append(("note", item["note"].replace("\n", "; ")))
    return etype, fields


def to_bibtex(cits: list[Citation], corpus: Corpus) -> str:
    chunks = []
    for c in cits:
        etype, fields = bibtex_fields(corpus.by_id[c.id], corpus, c)
        body = ",\n".join(f"  {k} = {{{v if k == 'author' else v.translate(_BIB_ESCAPE)}}}" for k, v in fields)
        chunks.append(f"@{etype}{{{c.id},\n{body}\n}}")
    return "\n\n".join(chunks) + "\n"


EXPORTERS: dict[str, Callable[[list[Citation], Corpus], str]] = {
    "csl-json": to_csl_json,
    "ris": to_ris,
    "bibtex": to_bibtex,
}


# ---------------------------------------------------------------- entry point


def looks_like_ids(args: tuple[str, ...] | list[str], corpus: Corpus) -> bool:
    """Every argument is an id, or a slug with a hyphen (a mistyped id rather than a phrase)."""
    return bool(args) and all(a in corpus.by_id or (ID_RE.match(a) and "-" in a) for a in args)


def cite(
    corpus: Corpus,
    args: tuple[str, ...] | list[str] = (),
    *,
    all_of: str | None = None,
    kind: str | None = None,
    style: str = "gbt7714",
    punct: str = "half",
    form: str = "document",
    search: Callable[[str], list[Candidate]] | None = None,
    limit: int = 10,
) -> CiteResult:
    """Cite ids, every record of a kind (`all_of`), or the record holding a phrase.

    `search` is the fallback for a phrase no quotation or title contains (kb.search, when the
    caller has an index); it returns candidates best first. Raises NotFound or QueryError.
    """
    if style not in STYLES:
        raise QueryError(f"--style: {style!r} is not one of {', '.join(STYLES)}")
    if punct not in PUNCTS:
        raise QueryError(f"--punct: {punct!r} is not one of {', '.join(PUNCTS)}")
    if form not in FORMS:
        raise QueryError(f"--form: {form!r} is not one of {', '.join(FORMS)}")
    for k in (all_of, kind):
        if k and k not in KINDS:
            raise QueryError(f"--kind: {k!r} is not a kind (use one of: {', '.join(KINDS)})")
    args = tuple(a for a in args if a.strip())
    if all_of:
        if args:
            raise QueryError("--all cites every record of --kind: give no ids or phrase with it")
        recs = [r for r in corpus.records if r.kind == all_of]
        if all_of == "reference":
            recs = chapter_order(recs, corpus)
        if not recs:
            raise NotFound(f"the corpus has no {all_of} records")
        return _result(corpus, f"--all --kind {all_of}", "all", recs, style, punct, form)
    if not args:
        raise QueryError("give ids or a phrase to cite, e.g. kb cite 最后一公里, or --all --kind reference")
    if looks_like_ids(args, corpus):
        recs = [corpus.require(a) for a in dict.fromkeys(args)]
        return _result(corpus, " ".join(args), "ids", recs, style, punct, form)
    phrase = " ".join(args)
    cands = find_phrase(corpus, phrase, kind)
    mode = "phrase"
    if not cands and search is not None:
        cands, mode = [c for c in search(phrase) if not kind or c.kind == kind], "search"
    if not cands:
        raise NotFound(f"no record contains {phrase!r} in a quotation or title, and search finds none")
    if len(cands) == 1:
        res = _result(corpus, phrase, mode, [corpus.by_id[cands[0].id]], style, punct, form)
        where = {"quote": "a quotation", "title": "the title"}.get(cands[0].where, "search")
        how = (
            f"found {phrase!r} in {where} of {cands[0].id}"
            if mode == "phrase"
            else (f"no exact match for {phrase!r}; search found {cands[0].id}")
        )
        return CiteResult(res.query, mode, style, punct, res.citations, (), res.export, (how,))
    return CiteResult(phrase, mode, style, punct, (), tuple(cands[:limit]), total=len(cands))


def _result(corpus: Corpus, query: str, mode: str, recs: list[Record], style: str, punct: str, form: str) -> CiteResult:
    cits = []
    numbers: dict[str, int] = {}  # entry text -> its number: identical entries share one
    for r in recs:
        c = citation(r, corpus, 0, punct, form)
        if c.text:
            number = numbers.setdefault(c.text, len(numbers) + 1)
            c = replace(c, number=number)
        cits.append(c)
    cits = tuple(cits)
    export = EXPORTERS[style](list(cits), corpus) if style in EXPORTERS else None
    return CiteResult(query, mode, style, punct, cits, (), export)


def search_candidates(home) -> Callable[[str], list[Candidate]]:
    """A search fallback over the knowledge base's index (kb.search), as candidates."""

    def run(text: str) -> list[Candidate]:
        try:
            from kb.search import search
        except ImportError:
            return []
        result = search(home, text, limit=10)
        return [
            Candidate(
                h.id,
                h.kind,
                h.date_zh,
                h.headline or h.title,
                h.people,
                "search",
                h.snippet.replace("[[", "").replace("]]", ""),
            )
            for h in result.hits
        ]

    return run


def cite_in(home, args=(), *, all_: bool = False, kind: str | None = None, **options) -> CiteResult:
    """`cite()` over the corpus of a knowledge base (`kb.home.Home`), with search as fallback.

    `all_` cites every record of `kind` (default: reference); without it `kind` filters the
    records a phrase may come from. This is what `kb cite` calls.
    """
    from kb.corpus import load

    corpus = load(Path(home.corpus_dir))
    if all_:
        options["all_of"] = kind or "reference"
    else:
        options["kind"] = kind
    return cite(corpus, args, search=search_candidates(home), **options)
