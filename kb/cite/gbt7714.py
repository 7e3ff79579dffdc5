"""GB/T 7714-2015 entries: references, the chapter as part of a book, policies, a speech's
published original, and the provenance of a quotation.

The formatter is our own: it follows the standard, not the chapter's typesetting (`2024(1)`
for a journal without volume, three names then `,等`, `——` for a title's dash). docs/cite.md
explains each rule and every placeholder we print for what a source does not give.
"""

from __future__ import annotations

import re
from typing import Any

from kb.cite.results import Check, Citation, Provenance
from kb.corpus import Corpus
from kb.records import COMPARISON_ZH, SHARE_ZH, Record, format_value, publication_brief

MAX_AUTHORS = 3  # GB/T 7714-2015 8.1.2: up to three names, then ",等"
# Supplied in brackets where the source gives nothing (GB/T 7714-2015 8.4.1.3, 8.4.2.3).
NO_PLACE = "出版地不详"
NO_PUBLISHER = "出版者不详"
NO_BOOK_TITLE = "书名不详"  # ours: the standard has no placeholder for a missing book title
_DASHES = re.compile("—{3,}")
_HAN = re.compile("[\u3400-\u9fff]")


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
        """Title, journal or publisher text with its own punctuation in this width ('.' kept).

        Text without a Chinese character (an English title) keeps its half-width marks."""
        s = str(s)
        if self.full and not _HAN.search(s):
            return s
        return s.translate(self._table)

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
    """A `source` record as a GB/T 7714-2015 entry; which form depends on what it is:

    - `type_code: J`: a journal article, `作者.题名[J].刊名,年,卷(期):页码.` (刊名 is
      `container_title`);
    - `type_code: EB/OL` (or a `url` and no publisher): a web page, `作者.题名[EB/OL].(日期)[引用日期].网址.`;
    - a `container_title` field (even empty: the chapter whose book is unknown): a chapter,
      `作者.题名[M]//书名.出版地:出版者,出版年:页码.`;
    - otherwise a whole book, `作者.书名[M].出版地:出版者,出版年.`

    Whatever a printed source does not give is bracketed: the standard's [出版地不详] and
    [出版者不详], and our [书名不详] for a chapter's book, which we never invent.
    """
    if src is None:
        return "", ("记录没有来源(source.record)",)
    if is_internal(src):
        return "", (INTERNAL_NOTE.format(id=src.id),)
    form = source_form(src)
    lead = _lead(src.get("authors", []), False, p)
    title = p.text(gbt_title(src.title))
    year = src.date.start.year if src.date else None
    notes: list[str] = []
    if form == "EB/OL":
        when = src.date_iso
        return _online(lead, title, "EB/OL", when, src.get("url"), src.get("accessed"), p, notes), tuple(notes)
    if form == "J":
        journal = src.get("container_title")
        s = f"{lead}{title}{p.code('J')}{p.dot}{p.text(journal) if journal else p.supplied('刊名不详')}"
        if year:
            s += f"{p.comma}{year}"
        if src.get("volume") is not None:
            s += f"{p.comma}{src.get('volume')}"
        if src.get("issue") is not None:
            s += f"{p.lp}{src.get('issue')}{p.rp}"
        if src.get("pages") is not None:
            s += f"{p.colon}{p.pages(src.get('pages'))}"
        missing = [n for n, v in (("刊名", journal), ("年", year)) if not v]
        if missing:
            notes.append(f"来源记录 {src.id} 未载{'、'.join(missing)},发表前请补上")
        return s + p.dot, tuple(notes)
    code = str(src.get("type_code") or "M").upper()
    place = p.text(src.get("place")) if src.get("place") else p.supplied(NO_PLACE)
    publisher = p.text(src.get("publisher")) if src.get("publisher") else p.supplied(NO_PUBLISHER)
    book = src.get("container_title")
    if form == "chapter":
        s = f"{lead}{title}{p.code(code)}//" + (p.text(book) if book else p.supplied(NO_BOOK_TITLE)) + p.dot
        wanted = (("书名", book), ("出版地", src.get("place")), ("出版者", src.get("publisher")), ("出版年", src.date))
    else:
        s = f"{lead}{title}{p.code(code)}{p.dot}"
        wanted = (("出版地", src.get("place")), ("出版者", src.get("publisher")), ("出版年", src.date))
    s += f"{place}{p.colon}{publisher}"
    if year:
        s += f"{p.comma}{year}"
    if src.get("pages") is not None:
        s += f"{p.colon}{p.pages(src.get('pages'))}"
    missing = [name for name, v in wanted if not v]
    if missing:
        notes.insert(
            0,
            f"来源记录 {src.id} 未载{'、'.join(missing)};方括号内为著录者所补,出版年不详故不著录。发表前请按原书补全",
        )
    return s + p.dot, tuple(notes)


def source_form(src: Record) -> str:
    """What a `source` is, for its entry: "J", "EB/OL", "chapter" or "book" (see format_source)."""
    code = str(src.get("type_code") or "").upper()
    if code == "J":
        return "J"
    if code.startswith("EB") or (not code and src.get("url") and not src.get("publisher")):
        return "EB/OL"
    return "chapter" if "container_title" in src.data else "book"


def policy_issuers(rec: Record) -> tuple[list[str], str | None]:
    """The issuers a policy's entry names, and a note when they are not the record's own.

    Where another public source named the issuing body differently (a `checked` entry on
    `issuers` that is `differs` or `refined`, with a value), the entry names that body — the one
    on the document — and the note keeps the record's wording; an unconfirmed check changes
    nothing (a note says so)."""
    issuers = [str(i) for i in rec.get("issuers", [])]
    for ch in rec.get("checked", []):
        if ch.get("field") != "issuers" or not ch.get("value"):
            continue
        value = [v for v in re.split(r"[、,,]", str(ch["value"])) if v.strip()]
        if ch.get("status") in ("differs", "refined") and value != issuers:
            said = "、".join(issuers) or "未载"
            return value, f"发文机关据{ch.get('evidence', '其他来源')}著录为{'、'.join(value)};记录(本章)作{said}"
        if ch.get("status") == "unconfirmed":
            return issuers, f"发文机关未经核实:{ch.get('detail') or ch.get('evidence', '')}"
    return issuers, None


def format_policy(rec: Record, p: _Punct, form: str) -> tuple[str, tuple[str, ...]]:
    """A policy: `发文机关.题名:文号[A].年.` or, online, `…[EB/OL].(日期)[引用日期].网址.`

    The year is the record's (a policy undated in every source gets a note, not a year we
    guessed); the issuers are the verified ones (see `policy_issuers`)."""
    notes: list[str] = []
    issuers, issuer_note = policy_issuers(rec)
    if issuer_note:
        notes.append(issuer_note)
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
        if ch.get("field") == "doc_number" and ch.get("status") == "confirmed" and ch.get("detail"):
            notes.append(f"{ch['value']}:{ch['detail']}")
    if form == "online":
        when = rec.date_iso
        if not rec.get("url"):
            notes.append("记录未载官方网址(url),不能著录为网络文献;请改用 --form document 或补上官方网址")
        return _online(lead, title, "EB/OL", when, rec.get("url"), rec.get("accessed"), p, notes), tuple(notes)
    s = f"{lead}{title}{p.code('A')}{p.dot}"
    if rec.date:
        s += f"{rec.date.start.year}{p.dot}"
    else:
        notes.append("各来源均未载日期,著录不含年份")
    return s, tuple(notes)


PUBLISHED_CODES = ("N", "J", "EB/OL", "Z")


def published_code(pub: Any) -> tuple[str | None, str | None]:
    """The type of an original's entry: `published.type_code`, or a guess.

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
    if pub.get("note") and not pub.get("type_code") and not pub.get("url") and pub.get("issue") is None:
        return None, f"原文出处 {where} 未标文献类型,未著录:{pub['note']}"
    if pub.get("url") or where.startswith(("http://", "https://")):
        code, why = "EB/OL", "记录有网址"
    elif pub.get("issue") is not None:
        code, why = "J", "记录有期号"
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_raw):
        code, why = "N", "记录有到日的出版日期而无期号"
    else:
        return None, (
            f"原文出处 {where} 未标类型(published.type_code),无法判断是报纸、期刊还是网络文献,"
            "故仍引转载它的来源;请补 type_code(N、J、EB/OL 或 Z)"
        )
    return code, f"原文出处未标类型(published.type_code),按{why}著录为[{code}];请核对并补上 type_code"


def cited_publication(rec: Record) -> tuple[Any, str | None, tuple[str, ...]]:
    """The `published` entry a citation uses: the first one whose type is known or can be
    told. Returns (entry, type code, notes on the entries passed over or guessed)."""
    notes: list[str] = []
    for pub in rec.publications:
        if not pub.get("in"):
            continue
        code, why = published_code(pub)
        if why:
            notes.append(why)
        if code is not None:
            return pub, code, tuple(notes)
    return None, None, tuple(notes)


def _publication_title(rec: Record, pub: Any, p: _Punct) -> str:
    title = pub.get("title")
    if not title:
        return speech_title(rec, p) if rec.kind in ("remark", "event") else p.supplied(rec.title)
    title = str(title)
    if title.startswith("[") and title.endswith("]"):
        return p.supplied(title[1:-1])  # a title the cataloguer supplied
    return p.text(gbt_title(title))


def publication_authors(rec: Record, pub: Any) -> list[str]:
    """Who the entry names first: the entry's own `authors`; for the text of a speech its
    speaker; none for a report (the agency is the publisher, not the author)."""
    if pub.get("authors"):
        return [str(a) for a in pub["authors"]]
    if pub.get("what") == "report" or rec.kind not in ("remark", "event"):
        return []
    return [rec.get("speaker")] if rec.get("speaker") else []


def format_published(rec: Record, p: _Punct) -> tuple[str, str, tuple[str, ...]] | None:
    """A record's original publication when it names one, per GB/T 7714-2015:

    [N] `讲话人.题名[N].报纸名,出版日期(版次).` — the newspaper's date, never the speech's;
    [J] `讲话人.题名[J].刊名,年(期):页码.`;
    [EB/OL] `讲话人.题名[EB/OL].(发表日期)[引用日期].网址.`;
    [Z] `题名[Z].出版地:发布者,日期.` — a news agency's release (新华社), or a bulletin whose
    official address was not read.
    The first citable entry is cited; the others follow in a note (另见). Returns (text, type
    code, notes), or None when the record names no original we can cite.
    """
    pub, code, notes_ = cited_publication(rec)
    if pub is None:
        return None
    notes = list(notes_)
    where = str(pub["in"])
    lead = _lead(publication_authors(rec, pub), False, p)
    title = _publication_title(rec, pub, p)
    when = pub.get("date")
    when = str(when) if when is not None else None
    others = [publication_brief(o) for o in rec.publications if o is not pub and o.get("in")]
    if code == "EB/OL":
        url = pub.get("url") or (where if where.startswith(("http://", "https://")) else None)
        if not when:
            speech = ";讲话日期不是发表日期" if rec.kind in ("remark", "event") else ""
            notes.append(f"记录未载网络文献的发表日期(published.date),未著录{speech}")
        s = _online(lead, title, code, when, url, pub.get("accessed"), p, notes)
    elif code == "Z":
        s = f"{lead}{title}{p.code(code)}{p.dot}"
        if pub.get("place"):
            s += f"{p.text(pub['place'])}{p.colon}"
        s += p.text(where.strip("《》"))
        if when:
            s += f"{p.comma}{when}"
        else:
            notes.append("记录未载发布日期(published.date),未著录;讲话日期不是发布日期,发表前请补上")
        s += p.dot
    elif code == "N":
        s = f"{lead}{title}{p.code(code)}{p.dot}{p.text(where.strip('《》'))}"
        if when:
            s += f"{p.comma}{when}"
        else:
            notes.append("记录未载见报日期(published.date),未著录;讲话日期不是见报日期,发表前请补上")
        if pub.get("pages") is not None:
            s += f"{p.lp}{p.pages(pub['pages'])}{p.rp}"
        s += p.dot
    else:
        s = f"{lead}{title}{p.code(code)}{p.dot}{p.text(where.strip('《》'))}"
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
        s += p.dot
    if pub.get("note"):
        notes.append(f"原文说明:{pub['note']}")
    if others:
        notes.append("另见:" + ";".join(others))
    return s, code, tuple(notes)


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
    briefs = [publication_brief(pub) for pub in rec.publications if pub.get("in")]
    published = ";".join(briefs) or ("未找到(见记录的 searched)" if rec.published_unknown else None)
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
    else:  # remark, event, statistic: the original when one is known, else the chapter
        original = format_published(rec, p)
        if original:
            # The original is cited directly: the chapter (where the record was first met)
            # is not a source of these words, so its entry, placeholders and all, stays out.
            text, code, notes = original
        else:
            chapter, notes = format_source(src, p)
            code = "" if src is None or not chapter else str(src.get("type_code") or "M").upper()
            text = chapter
            _, _, why = cited_publication(rec)
            notes = (*why, *notes)
            if rec.kind in ("remark", "event") and chapter:
                # Known from the chapter alone: cite it as the place the words were taken from.
                taken_from = chapter
                found = "未找到原始出处(查过什么见记录的 searched)" if rec.published_unknown else "记录未载原始出处"
                notes = (f"{found};此条为转引,正文中请注明“转引自”", *notes)
    prov = provenance(rec, corpus) if rec.kind != "source" else None
    return Citation(rec.id, rec.kind, number, text, code, tuple(notes), prov, taken_from)
