"""The data model: what a record is, which fields each kind has, and the `Record` dataclass.

The field tables here are the single statement of the schema; `kb.corpus` validates against
them and docs/records.md describes them for people.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kb.dates import DateSpan

KINDS = ("remark", "event", "policy", "statistic", "reference", "source")
KIND_DIRS = {
    "remarks": "remark",
    "events": "event",
    "policies": "policy",
    "statistics": "statistic",
    "references": "reference",
    "sources": "source",
}
DIR_OF_KIND = {v: k for k, v in KIND_DIRS.items()}
# Units below a record, searchable on their own (kb.units): a provision of a policy's text,
# a paragraph of a source chapter.
UNIT_KINDS = ("provision", "passage")
KIND_ZH = {
    "remark": "讲话",
    "event": "会议",
    "policy": "政策",
    "statistic": "统计",
    "reference": "文献",
    "source": "来源",
    "provision": "条文",
    "passage": "段落",
}
# What a `checked` entry found, and how a quotation is given, in Chinese: every view says it so.
STATUS_ZH = {
    "confirmed": "相符",
    "refined": "补充",
    "differs": "不同",
    "disputed": "有争议",
    "unconfirmed": "未能核实",
}
FORM_ZH = {"direct": "直接引语", "reported": "转述"}
FORM_NOTE_ZH = {"direct": "来源加引号", "reported": "来源的间接引述,非原话"}
# A statistic's `comparison` and `share` in words (str.format with the fields' own keys).
COMPARISON_ZH = "较{base_year}年 {change}"
SHARE_ZH = "占{of} {value}"
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")  # \Z: `$` would accept a trailing newline
CHECK_STATUSES = ("confirmed", "refined", "differs", "disputed", "unconfirmed")
VALIDITY = ("现行有效", "已修订", "已废止", "未知")
QUOTE_FORMS = ("direct", "reported")
UNDATED = "日期不详"
# What a date is the date of: data, shown wherever the date is shown (2016年3月 报道).
DATE_KINDS = (
    "adopted",
    "amended",
    "revised",
    "in_force",
    "signed",
    "issued",
    "published",
    "reported",
    "reviewed",
    "held",
)
DATE_KIND_ZH = {
    "adopted": "通过",
    "amended": "修正",
    "revised": "修订",
    "in_force": "施行",
    "signed": "成文",
    "issued": "印发",
    "published": "发布",
    "reported": "报道",
    "reviewed": "审议",
    "held": "召开",  # a meeting's date (an event)
}


@dataclass(frozen=True)
class F:
    """One field of the schema: its type, whether it is required, and nested fields."""

    type: str  # str | strlist | bool | int | num | date | map | maplist | idlist | strint | published
    required: bool = False
    sub: Mapping[str, F] | None = None
    choices: tuple[str, ...] | None = None


QUOTE = {
    "text": F("str", True),
    "form": F("str", True, choices=QUOTE_FORMS),
    "note": F("str"),
}
CHECK = {
    "field": F("str", True),
    "status": F("str", True, choices=CHECK_STATUSES),
    "source_says": F("strint"),
    "value": F("strint"),
    "evidence": F("str", True),
    "via": F("str", True),
    "detail": F("str"),
}
# Where a remark or a statistic was first published (see docs/records.md): one entry, a list of
# entries (the report of the day, the full text, a later 求是 printing …; the first is the one
# cited), or the word `unknown` beside a `searched` note saying what was looked for and where.
PUBLISHED_CODES = ("N", "J", "EB/OL", "Z")
PUBLISHED_WHAT = ("full", "excerpt", "report")
WHAT_ZH = {"full": "全文", "excerpt": "节选", "report": "报道"}
PUBLISHED_UNKNOWN = "unknown"
PUBLISHED = {
    "in": F("str", True),
    "date": F("date"),
    "type_code": F("str", choices=PUBLISHED_CODES),
    "title": F("str"),
    "authors": F("strlist"),
    "what": F("str", choices=PUBLISHED_WHAT),
    "place": F("str"),
    "issue": F("strint"),
    "pages": F("strint"),
    "url": F("str"),
    "accessed": F("date"),
    "note": F("str"),
}
COMMON: dict[str, F] = {
    "id": F("str", True),
    "kind": F("str", True, choices=KINDS),
    "date": F("date", True),
    "title": F("str", True),
    "topics": F("strlist", True),
    "source": F("map", True, sub={"record": F("str", True), "section": F("strint")}),
    "title_is_label": F("bool"),
    "summary": F("str"),
    "notes": F("strlist"),
    "checked": F("maplist", sub=CHECK),
    "related": F("idlist"),
    "draft": F("bool"),
}
_SPEECH = {
    "speaker": F("str", True),
    "speaker_role": F("str"),
    "occasion": F("str", True),
    "place": F("str"),
    "quotes": F("maplist", True, sub=QUOTE),
    "published": F("published", sub=PUBLISHED),
    "searched": F("strlist"),
    "original_title": F("str"),
}
KIND_FIELDS: dict[str, dict[str, F]] = {
    "remark": _SPEECH,
    "event": {**_SPEECH, "speaker": F("str"), "body": F("str", True), "date_kind": F("str", choices=DATE_KINDS)},
    "policy": {
        "issuers": F("strlist", True),
        "doc_number": F("str"),
        "region": F("str", True),
        "validity": F("str", choices=VALIDITY),
        "history": F(
            "maplist",
            sub={
                "date": F("date", True),
                "event": F("str", True),
                "kind": F("str", choices=DATE_KINDS),
                "via": F("str"),
            },
        ),
        "date_kind": F("str", choices=DATE_KINDS),
        "drafters": F("strlist"),
        "text_file": F("str"),
        "structure": F("strlist"),
        "targets": F("strlist"),
        "identified": F("bool"),
        "quotes": F("maplist", sub=QUOTE),
        "url": F("str"),
        "accessed": F("date"),
    },
    "statistic": {
        "indicator": F("str", True),
        "value": F("num", True),
        "unit": F("str", True),
        "qualifier": F("str"),
        "year": F("int", True),
        "region": F("str", True),
        "comparison": F("map", sub={"base_year": F("int", True), "change": F("str", True)}),
        "share": F("map", sub={"of": F("str", True), "value": F("str", True)}),
        "quote": F("str", True),
        "published": F("published", sub=PUBLISHED),
        "searched": F("strlist"),
    },
    "reference": {
        "authors": F("strlist", True),
        "authors_truncated": F("bool", True),
        "type_code": F("str", True),
        "journal": F("str"),
        "year": F("int", True),
        "volume": F("strint"),
        "issue": F("strint"),
        "pages": F("strint"),
        "raw": F("str", True),
        "anchor": F("map", True, sub={"text": F("str", True), "marker": F("str", True)}),
        "publisher": F("str"),
        "place": F("str"),
        "url": F("str"),
        "accessed": F("date"),
    },
    "source": {
        "text_file": F("str"),
        "passages": F("bool"),
        "authors": F("strlist"),
        "publisher": F("str"),
        "place": F("str"),
        "url": F("str"),
        "accessed": F("date"),
        "container_title": F("str"),
        "volume": F("strint"),
        "issue": F("strint"),
        "pages": F("strint"),
        "type_code": F("str"),
    },
}


def fields_of(kind: str) -> dict[str, F]:
    """Every field a record of `kind` may have."""
    return {**COMMON, **KIND_FIELDS.get(kind, {})}


@dataclass(frozen=True)
class Quote:
    text: str
    form: str
    note: str | None = None


@dataclass(frozen=True)
class Record:
    """One validated record. `data` holds every field as written (read-only)."""

    id: str
    kind: str
    date: DateSpan | None
    title: str
    topics: tuple[str, ...]
    path: str
    data: Mapping[str, Any] = field(compare=False, repr=False)

    @staticmethod
    def build(data: dict[str, Any], date: DateSpan | None, path: str) -> Record:
        return Record(
            id=data["id"],
            kind=data["kind"],
            date=date,
            title=data["title"],
            topics=tuple(data.get("topics") or ()),
            path=path,
            data=MappingProxyType(data),
        )

    def get(self, name: str, default: Any = None) -> Any:
        value = self.data.get(name)
        return default if value is None else value

    @property
    def quotes(self) -> tuple[Quote, ...]:
        """Verbatim texts of the record: quotations, a statistic's sentence, a footnote."""
        out = [Quote(q["text"], q["form"], q.get("note")) for q in self.get("quotes", [])]
        if self.kind == "statistic" and self.get("quote"):
            out.append(Quote(self.data["quote"], "reported"))
        return tuple(out)

    @property
    def publications(self) -> tuple[Mapping[str, Any], ...]:
        """Where the record was published, as a list of entries (the first is the one cited);
        empty when none is recorded or the record says `published: unknown`."""
        pub = self.data.get("published")
        if isinstance(pub, Mapping):
            return (pub,)
        if isinstance(pub, (list, tuple)):
            return tuple(p for p in pub if isinstance(p, Mapping))
        return ()

    @property
    def published_unknown(self) -> bool:
        """True when the record says no original publication was found (`published: unknown`)."""
        return self.data.get("published") == PUBLISHED_UNKNOWN

    @property
    def date_iso(self) -> str | None:
        return self.date.iso() if self.date else None

    @property
    def date_zh(self) -> str:
        """The date as a writer prints it (2018年5月28日), or 日期不详."""
        return self.date.zh() if self.date else UNDATED

    @property
    def date_kind(self) -> str | None:
        """What the record's date is the date of (adopted, signed, reported …), when the record says."""
        return self.get("date_kind")

    @property
    def date_kind_zh(self) -> str | None:
        """`date_kind` in Chinese (通过, 成文, 报道 …), or None."""
        return DATE_KIND_ZH.get(self.get("date_kind") or "")

    @property
    def date_shown(self) -> str:
        """The date with what it is the date of, as every view prints it: 2016年3月(报道)."""
        return date_with_kind(self.date_zh, self.get("date_kind"))

    @property
    def date_check(self) -> Mapping[str, Any] | None:
        """The `checked` entry that refined the date from another source, if any."""
        for c in self.get("checked", []):
            if c.get("field") == "date" and c.get("status") == "refined":
                return c
        return None

    @property
    def source_date(self) -> str | None:
        """The date as the record's own source gives it, where another source refined it
        (the chapter's 2021-05 for a meeting the facts list dates 2021-05-21); else None."""
        c = self.date_check
        if c is None or c.get("source_says") is None:
            return None
        says = str(c["source_says"])
        return says if says != self.date_iso else None

    @property
    def source_date_zh(self) -> str | None:
        """`source_date` as a writer prints it (2021年5月); as written when it is not a date."""
        from kb.dates import zh_or_raw

        return None if self.source_date is None else zh_or_raw(self.source_date)

    @property
    def people(self) -> tuple[str, ...]:
        """Who said or issued it: the speaker, the issuers, the authors or the meeting."""
        if self.kind in ("remark", "event"):
            who = [self.get("speaker") or self.get("body")]
            return tuple(w for w in who if w)
        if self.kind == "policy":
            return tuple(self.get("issuers", []))
        if self.kind in ("reference", "source"):
            return tuple(self.get("authors", []))
        return ()

    @property
    def region(self) -> str | None:
        return self.get("region")

    @property
    def source_id(self) -> str | None:
        return (self.get("source") or {}).get("record")

    @property
    def section(self) -> str | None:
        sec = (self.get("source") or {}).get("section")
        return None if sec is None else str(sec)

    @property
    def headline(self) -> str:
        """The short line a listing shows: the occasion for a speech, else the title."""
        return headline(self.kind, self.title, self)

    @property
    def listing(self) -> dict[str, Any]:
        """The fields besides the title that `headline` reads (what an index keeps to list a hit)."""
        return {k: self.data[k] for k in LISTING_FIELDS if self.data.get(k) is not None}

    def to_json(self) -> dict[str, Any]:
        """The record as written, with its date in ISO form and its file."""
        out = dict(self.data)
        out["date"] = self.date_iso
        return out


LISTING_FIELDS = ("occasion", "indicator", "value", "unit", "qualifier", "date_kind")


def date_with_kind(date_zh: str, kind: str | None) -> str:
    """A date with what it is the date of, where the record says: 2016年3月(报道), 2015年8月29日(修正)."""
    return f"{date_zh}({DATE_KIND_ZH[kind]})" if kind in DATE_KIND_ZH else date_zh


def headline(kind: str, title: str, fields: Record | Mapping[str, Any]) -> str:
    """The short line a listing shows, from a record or its `listing` fields: the occasion for
    a speech or event, the indicator and value for a statistic, else the title."""
    if kind in ("remark", "event"):
        return fields.get("occasion") or title
    if kind == "statistic":
        return f"{fields.get('indicator')} {format_value(fields)}"
    if kind in UNIT_KINDS:
        from kb.units import headline as unit_headline

        return unit_headline(kind, title, fields)
    return title


def format_value(rec: Record | Mapping[str, Any]) -> str:
    """A statistic's value as the source words it: 首次突破3万亿元, 84324项, 第11位."""
    v = rec.get("value")
    text = f"{v:g}" if isinstance(v, float) else str(v)
    unit = rec.get("unit", "")
    if unit == "位":
        text = f"第{text}位"
    else:
        text = f"{text}{unit}"
    q = rec.get("qualifier")
    return f"{q}{text}" if q else text


def publication_brief(pub: Mapping[str, Any]) -> str:
    """One `published` entry in a few words: 求是,2021-03-16,第6期(节选)."""
    bits = [str(pub.get("in") or "")]
    if pub.get("title"):
        bits[0] += f"《{str(pub['title']).strip('[]')}》" if not str(pub["title"]).startswith("[") else ""
    if pub.get("date"):
        bits.append(str(pub["date"]))
    if pub.get("issue") is not None:
        bits.append(f"第{pub['issue']}期")
    if pub.get("pages") is not None:
        pages = str(pub["pages"])
        bits.append(f"第{pages}版" if pub.get("type_code") == "N" else f"页{pages}")
    if pub.get("url"):
        bits.append(str(pub["url"]))
    what = WHAT_ZH.get(str(pub.get("what") or ""))
    return ",".join(b for b in bits if b) + (f"({what})" if what else "")
