"""kb import: clean a chapter extracted from a PDF and propose draft records from it.

Three steps, each a plain function so a test or another front end can call them alone:

- `clean(text)` undoes the PDF layout: joins broken lines into paragraphs, keeps section
  headings, takes footnotes and figure captions out of the body and ties each footnote to
  the body sentence its marker follows.
- `propose(clean, corpus)` turns the clean text into draft records (remarks and events,
  references, policies, statistics) and marks those that duplicate a record already there.
- `measure(drafts, corpus)` compares the drafts with the hand-curated records of the same
  chapter: the figures that say how far the first pass can be trusted.

`import_file` runs the three and writes the new drafts (atomically, never over a file).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import KbError
from kb.records import DIR_OF_KIND, ID_RE
from kb.text import display_width, join_han, squash

MARKERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
DEFAULT_TOPIC = "科技成果转化"


class ImportProblem(KbError):
    """The file to import cannot be read or holds nothing to import."""


# --------------------------------------------------------------------------------------------
# Cleaning


@dataclass(frozen=True)
class Block:
    """A heading (`level` > 0) or a body paragraph (`level` 0) of the clean text."""

    text: str
    section: str
    level: int = 0


@dataclass(frozen=True)
class Footnote:
    """A footnote taken out of the body: its page-local marker, its text and its anchor."""

    number: int  # order in the chapter, from 1
    marker: str  # as printed on its page: ①, ②, …
    page: int
    text: str
    anchor: str | None  # the piece of the body sentence the marker follows
    section: str


@dataclass(frozen=True)
class CleanText:
    """A chapter with the PDF layout undone."""

    title: str
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...]
    captions: tuple[str, ...]

    @property
    def paragraphs(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.level == 0)

    @property
    def body(self) -> str:
        """Headings and paragraphs, one per line, blank lines between."""
        return "\n\n".join(b.text for b in self.blocks) + "\n"

    @property
    def text(self) -> str:
        """The whole clean text: the body, then the figure captions, then the footnotes."""
        parts = [self.body]
        if self.captions:
            parts.append("图\n\n" + "\n".join(self.captions) + "\n")
        if self.footnotes:
            lines = []
            for f in self.footnotes:
                lines.append(f"[{f.number}] {f.marker} {f.text}")
                if f.anchor:
                    lines.append(f"    ↳ 第{f.page}页正文:{f.anchor}{f.marker}")
            parts.append("注释\n\n" + "\n".join(lines) + "\n")
        return "\n".join(parts)


_FULL = set("，。、；：？！（）《》“”‘’【】")
_ASCII_CJK_PUNCT = set(",:;?!()")
_TERMINAL = tuple("。!?!?”:;;:」")
_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s*(\S.*)$")
_CHAPTER = re.compile(r"^第\s*(\d+|[一二三四五六七八九十]+)\s*章$")
_CAPTION = re.compile(r"^图\s*\d+[-—–.]\d+\s*\S")
_NOTE_MARKS = re.compile(rf"^[{MARKERS}]$")
_NOTE_INLINE = re.compile(rf"^([{MARKERS}])\s*(\S.*)$")
_NOTE_DONE = re.compile(r"\[[A-Z]{1,2}(?:/[A-Z]{1,2})?\].*[.。]$")
_YEAR_START = re.compile(r"^\d{4}年")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _width(s: str) -> int:
    """Width of a line as typeset: its display width, plus one for each ASCII ,:;?!() the PDF
    extractor writes for a full-width CJK punctuation mark (typeset two columns wide)."""
    return display_width(s) + sum(1 for c in s if c in _ASCII_CJK_PUNCT)


def _join(a: str, b: str) -> str:
    """Join two pieces of one sentence; a space only between two Latin words."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


@dataclass
class _Line:
    text: str
    page_start: bool


def _visual_lines(text: str) -> list[_Line]:
    """The lines as printed: a line holding only spaces glues its neighbours into one line.

    The PDF text has a blank line after every printed line; a printed line with a wide space
    in it (after 指出:, between list items, inside a spaced-out heading) comes out as two
    lines with a line of spaces between them.
    """
    out: list[_Line] = []
    glue = False
    for raw in text.split("\n"):
        if raw == "":
            continue
        if not raw.strip():
            glue = bool(out)
            continue
        line = raw.strip()
        if glue and out:
            out[-1].text = _join(out[-1].text, line)
        else:
            out.append(_Line(line, page_start=raw[0].isspace()))
        glue = False
    return out


def _is_heading(line: str) -> re.Match | None:
    m = _HEADING.match(line)
    if not m:
        return None
    rest = m.group(2)
    if len(rest) > 30 or re.search(r"[。,,;;:?!]", rest) or not _CJK.search(rest):
        return None
    if "." not in m.group(1) and len(rest) < 2:
        return None
    return m


@dataclass
class _Builder:
    blocks: list[Block] = field(default_factory=list)
    notes: list[Footnote] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    section: str = ""
    para: str | None = None
    para_section: str = ""
    pending: list[tuple[int, int, str]] = field(default_factory=list)  # (block idx, offset, mark)
    anchors: dict[int, tuple[int, int]] = field(default_factory=dict)
    page: int = 1

    def close(self) -> None:
        if self.para:
            self.blocks.append(Block(self.para, self.para_section))
        self.para = None

    def heading(self, text: str, section: str, level: int) -> None:
        self.close()
        self.section = section
        self.blocks.append(Block(text, section, level))

    def add(self, line: str) -> None:
        """Append a printed line to the current paragraph, taking its footnote markers out."""
        if self.para is None:
            self.para = ""
            self.para_section = self.section
        kept = ""
        marks = []
        for ch in line:
            if ch in MARKERS:
                marks.append((len(kept), ch))
            else:
                kept += ch
        joined = _join(self.para, kept)
        shift = len(joined) - len(kept)
        for pos, ch in marks:
            self.pending.append((len(self.blocks), shift + pos, ch))
        self.para = joined


def clean(text: str) -> CleanText:
    """Undo the PDF layout of a chapter: paragraphs, headings, footnotes, captions."""
    lines = _visual_lines(text)
    b = _Builder()
    title = ""
    full = _full_width(lines)
    i = 0
    ended = True  # the last body line ended its paragraph
    while i < len(lines):
        ln = lines[i]
        s = ln.text
        if ln.page_start and i:
            b.page += 1
        if _CHAPTER.match(s.replace(" ", "")):
            num = re.sub(r"\D", "", s) or "1"
            name = ""
            if i + 1 < len(lines) and _is_title(lines[i + 1].text):
                name = join_han(lines[i + 1].text)
                i += 1
            title = f"{s.strip()} {name}".strip()
            b.heading(title, num, 1)
            ended = True
            i += 1
            continue
        hm = _is_heading(s) if ended or not b.para or "." in s.split(" ")[0] else None
        if hm:
            sec = hm.group(1)
            b.heading(f"{sec} {join_han(hm.group(2))}", sec, sec.count(".") + 1)
            ended = True
            i += 1
            continue
        if _CAPTION.match(s):
            b.captions.append(join_han(s))
            i += 1
            continue
        if _NOTE_MARKS.match(s) or _NOTE_INLINE.match(s) and _looks_like_note(s):
            i = _take_notes(lines, i, b)
            continue
        if ln.page_start and ended and b.para is None:
            pass
        elif ended or (_YEAR_START.match(s) and b.para and b.para.endswith("。")):
            b.close()
        b.add(s)
        ended = s.endswith(_TERMINAL) and _width(s) <= full - 4
        i += 1
    b.close()
    notes = []
    for n in b.notes:
        where = b.anchors.get(n.number)
        anchor = _anchor_text(b.blocks[where[0]].text, where[1]) if where else None
        notes.append(Footnote(n.number, n.marker, n.page, n.text, anchor, n.section))
    return CleanText(title, tuple(b.blocks), tuple(notes), tuple(b.captions))


def _anchor_text(para: str, offset: int) -> str:
    """The piece of the sentence before a footnote marker: back to the last 。;, at most 40."""
    start = max(para.rfind(c, 0, offset) for c in "。;;!?!?") + 1
    piece = para[start:offset]
    while len(piece) > 40 and re.search(r"[,,、]", piece):
        piece = re.split(r"[,,、]", piece, maxsplit=1)[1]
    return piece.strip("“”‘’")


def _is_title(s: str) -> bool:
    return len(s) <= 30 and not re.search(r"[。,,;;:]", s) and bool(_CJK.search(s))


def _full_width(lines: list[_Line]) -> int:
    """The width of a full printed line: the most common width among long lines."""
    widths = [_width(ln.text) for ln in lines if _width(ln.text) >= 40]
    if not widths:
        return 10**6
    return max(set(widths), key=widths.count)


def _looks_like_note(s: str) -> bool:
    """`① text` starts a footnote when the text reads like a reference, not like prose."""
    body = _NOTE_INLINE.match(s).group(2)
    return bool(re.match(r"^[^。,,]{1,40}[,,.]", body)) and "。" not in body[:20]


def _take_notes(lines: list[_Line], i: int, b: _Builder) -> int:
    """Read a footnote block starting at lines[i]; return the index after it."""
    marks: list[str] = []
    while i < len(lines) and _NOTE_MARKS.match(lines[i].text):
        marks.append(lines[i].text)
        i += 1
    entries: list[list[str]] = []  # [marker, text]
    cur: list[str] | None = None
    while i < len(lines):
        s = lines[i].text
        if lines[i].page_start or _CAPTION.match(s) and cur is None:
            break
        m = _NOTE_INLINE.match(s)
        if cur is None:
            if m and _looks_like_note(s):
                cur = [m.group(1), m.group(2)]
            elif len(entries) < len(marks):
                cur = [marks[len(entries)], s]
            else:
                break
        else:
            cur[1] = _join(cur[1], s)
        i += 1
        if _NOTE_DONE.search(cur[1]):
            entries.append(cur)
            cur = None
            if marks and len(entries) >= len(marks):
                break
            if not marks and not (i < len(lines) and _NOTE_INLINE.match(lines[i].text)):
                break
    if cur is not None:
        entries.append(cur)
    for mark, text in entries:
        number = len(b.notes) + 1
        b.notes.append(Footnote(number, mark, b.page, text.strip(), None, b.section))
        for k, (blk, off, ch) in enumerate(b.pending):
            if ch == mark:
                b.anchors[number] = (blk, off)
                del b.pending[k]
                break
    b.pending.clear()
    return i


# --------------------------------------------------------------------------------------------
# Proposing drafts


@dataclass(frozen=True)
class Draft:
    """A proposed record. `status` is new, duplicate (of `same_as`) or exists (file there)."""

    kind: str
    id: str
    data: Mapping[str, Any]
    status: str = "new"
    same_as: str | None = None

    @property
    def path(self) -> str:
        """Where it goes, relative to the drafts folder."""
        return f"{DIR_OF_KIND[self.kind]}/{self.id}.yaml"

    @property
    def label(self) -> str:
        d = self.data
        if self.kind in ("remark", "event"):
            return f"{d.get('speaker') or d.get('body')} · {d['occasion']}"
        if self.kind == "statistic":
            return f"{d['indicator']} {d['value']}{d['unit']}"
        return str(d["title"])

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "status": self.status,
            "same_as": self.same_as,
            "record": dict(self.data),
        }


_DATE = re.compile(
    r"^(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日?)?)?"
    r"(?:(?P<join>至|与|和|、)(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})日)?"
)
_VERB = re.compile(r"(?:明确|再次)?(?:提出|指出|强调|表示|提到)")
_MEETING = re.compile(r"会议|全会|大会|委员会")
_ISSUE_VERB = re.compile(r"印发|制定|发布|出台")


def _dates(s: str) -> list[str]:
    """The date(s) a sentence starts with, at the precision it gives: 2018年4月24日至28日 → an
    interval; 2023年1月31与2月21日 → two days."""
    m = _DATE.match(s)
    if not m or re.match(r"^\d{4}[—–-]", s):
        return []
    y, mo, d = m.group("y"), m.group("m"), m.group("d")
    one = y + (f"-{int(mo):02d}" if mo else "") + (f"-{int(d):02d}" if mo and d else "")
    if not m.group("join") or not (mo and d):
        return [one]
    other = f"{y}-{int(m.group('m2') or mo):02d}-{int(m.group('d2')):02d}"
    return [f"{one}/{other}"] if m.group("join") == "至" else [one, other]


def sentences(text: str) -> list[str]:
    """Split a paragraph after 。!? that stand outside quotation marks."""
    out, cur, depth = [], "", 0
    for i, ch in enumerate(text):
        cur += ch
        if ch in "“‘":
            depth += 1
        elif ch in "”’":
            depth = max(0, depth - 1)
            if ch == "”" and depth == 0 and cur[-2:-1] in ("。", "!", "?"):
                out.append(cur)
                cur = ""
        elif ch in "。!?!" and depth == 0:
            nxt = text[i + 1 : i + 2]
            if nxt != "”":
                out.append(cur)
                cur = ""
    if cur.strip():
        out.append(cur)
    return [s.strip() for s in out if s.strip()]


def _units(para: str) -> list[str]:
    """A paragraph cut where a sentence starts with a date: each piece tells of one occasion."""
    out: list[list[str]] = []
    for s in sentences(para):
        if _dates(s) or not out:
            out.append([s])
        else:
            out[-1].append(s)
    return ["".join(u) for u in out if _dates(u[0])]


def _norm(s: str) -> str:
    """Text for comparing names: no white space, no punctuation."""
    return "".join(c for c in s if not c.isspace() and not unicodedata.category(c).startswith("P"))


# What a draft or a record writes when the chapter does not say: never a name to match on.
PLACEHOLDERS = ("未载明", "未知", "不详")


def _same_name(a: str | None, b: str | None) -> bool:
    """Two names match when equal after `_norm`, or when one contains the other and the
    shorter has at least 4 characters and is not a placeholder (未载明 matches no occasion
    but 未载明 itself)."""
    x, y = _norm(a or ""), _norm(b or "")
    if not x or not y:
        return False
    if x == y:
        return True
    short, long_ = sorted((x, y), key=len)
    return len(short) >= 4 and not short.startswith(PLACEHOLDERS) and short in long_


def _hash(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:6]


def _topics(text: str, topics: Mapping[str, str]) -> list[str]:
    """Topics whose name, or a word of whose description, the text contains (at most 3)."""
    scored = []
    for name, desc in topics.items():
        words = [name] + [w for w in re.split(r"[、,,与和;;\s\"“”]+", desc or "") if len(w) >= 3]
        hits = sum(text.count(w) for w in words if w)
        if hits:
            scored.append((-(hits + (5 if name in text else 0)), name))
    picked = [n for _, n in sorted(scored)[:3]]
    if not picked:
        picked = [DEFAULT_TOPIC if DEFAULT_TOPIC in topics or not topics else next(iter(topics))]
    return picked


def _occasion(head: str) -> str | None:
    """Where a remark was made, from the words before its verb (在…上/时/中, 出席…, 向…致信)."""
    m = re.search(r"出席(.+?)并", head)
    if m:
        return m.group(1)
    m = re.search(r"向(.+?)致(?:贺信|信|辞)", head)
    if m:
        return f"向{m.group(1)}致{'贺信' if '贺信' in head else '信'}"
    m = re.search(r"在(?:参加|出席)?(.+?)(?:上|时|中|期间)(?=$|[,,]|习近平|明确|再次|发表|就)", head)
    if not m:
        return None
    occ = re.sub(r"(?:发表重要讲话|发表讲话|发表主旨演讲)$", "", m.group(1))
    return re.sub(r"^[,,\s]+|[,,\s]+$", "", occ) or None


def _unstated(words: str) -> str:
    """The occasion of a remark whose chapter names none, the way the corpus writes it: 未载明
    and the chapter's own words, 未载明(章节仅称“2015年习近平总书记提出”)."""
    words = re.sub(r"^[\s,，]+|[\s,，]+$", "", words.split("。")[-1])
    return f"未载明(章节仅称“{words}”)" if words else "未载明"


def _speech_quotes(rest: str) -> list[dict[str, str]]:
    """The quotations of a remark: its “direct” words, or else the reported passage."""
    body = re.sub(r"^[,,::\s]+", "", rest)
    if body.startswith("要“"):
        body = body[1:]
    if body.startswith("“"):
        quotes = []
        for m in re.finditer(r"(?:^|(?<=[,,、])|(?<=[::]))“((?:[^“”]|“[^“”]*”)+)”", body):
            quotes.append(m.group(1))
        for m in re.finditer(r"(?:强调|指出|表示)[::,,]?“((?:[^“”]|“[^“”]*”)+)”", rest):
            if m.group(1) not in quotes:
                quotes.append(m.group(1))
        return [{"text": q.rstrip(), "form": "direct"} for q in quotes]
    kept = []
    for s in sentences(body):
        if kept and ("习近平" in s or s.startswith(("“", "这", "多年来", "此外", "目前")) or _dates(s)):
            break
        kept.append(s)
    text = "".join(kept).strip()
    return [{"text": text, "form": "reported"}] if text else []


def _speech_drafts(unit: str, section: str, src: str, topics: Mapping[str, str]) -> list[dict]:
    dates = _dates(unit)
    verb = _VERB.search(unit)
    if not dates or not verb:
        return []
    head, rest = unit[: verb.start()], unit[verb.end() :]
    head_first = _DOC.sub("", head.split("。")[0])
    if _ISSUE_VERB.search(head_first) and "习近平" not in head_first:
        return []
    speaker = "习近平" if "习近平" in head else None
    if speaker:
        occasion = _occasion(head) or _unstated(head + verb.group(0))
        role = "国家主席" if "国家主席习近平" in head else "总书记" if "总书记" in head else None
        kind = "remark"
        body = None
    else:
        m = re.match(r"^[\d年月日至与和、]+[,,]?(.+?)(?:就|也|还|曾)?$", head)
        subject = m.group(1) if m else ""
        subject = re.split(r"通过的《", subject)[0]
        if not _MEETING.search(subject):
            return []
        kind, body, occasion, role = "event", subject, subject, None
    quotes = _speech_quotes(rest)
    occasions = [occasion] * len(dates)
    if len(dates) > 1:
        m = re.match(r"^(.*?)第(.)次、第(.)次(.*)$", occasion)
        if m:
            occasions = [f"{m.group(1)}第{m.group(2)}次{m.group(4)}", f"{m.group(1)}第{m.group(3)}次{m.group(4)}"]
    out = []
    for k, (date, occ) in enumerate(zip(dates, occasions, strict=True)):
        qs = quotes
        if len(dates) > 1 and len(quotes) == len(dates):
            qs = [quotes[k]]
        who = speaker or body
        data: dict[str, Any] = {
            "id": f"{date.split('/')[0]}-{kind}-{_hash(date, occ)}",
            "kind": kind,
            "date": date,
            "title": f"{who}({date})" if occ.startswith("未载明") else occ if occ == who else f"{who}:{occ}",
            "title_is_label": True,
        }
        if speaker:
            data["speaker"] = speaker
            if role:
                data["speaker_role"] = role
        else:
            data["body"] = body
        data["occasion"] = occ
        data["topics"] = _topics(unit, topics)
        data["source"] = {"record": src, "section": section}
        data["quotes"] = [dict(q) for q in qs]
        notes = ["kb import 自动提出的草稿,待人工核对。"]
        if occ.startswith("未载明"):
            notes.append("章节未载明场合。")
        if len(dates) > 1:
            notes.append("章节在一句中给出两个日期;引语按先后顺序分配。")
        data["notes"] = notes
        data["draft"] = True
        out.append(data)
    return out


_REF = re.compile(
    r"^(?P<authors>[^.]+?)\.(?P<title>.+?)\s*\[(?P<type>[A-Z]{1,2}(?:/[A-Z]{1,2})?)\]\."
    r"(?P<rest>.*)$"
)
_JOURNAL = re.compile(
    r"^(?P<journal>.+?),(?P<year>\d{4}),?(?P<volume>\d+)?(?:\((?P<issue>[^)]+)\))?"
    r"(?::(?P<pages>[\d+\-–]+))?\.?$"
)


def parse_reference(raw: str) -> dict[str, Any] | None:
    """A GB/T 7714 footnote split into its fields; None when it does not read as one.

    `戚聿东,杜博.数字经济…[J].山东大学学报(哲学社会科学版),2024,(1):108-124.` gives authors
    [戚聿东, 杜博], title, type_code J, journal, year 2024, issue "1", pages "108-124".
    """
    raw = re.sub(r"\s+(?=\[)", "", raw.strip())
    m = _REF.match(raw)
    if not m:
        return None
    authors = [a.strip() for a in re.split(r"[,,]", m.group("authors")) if a.strip()]
    truncated = bool(authors) and authors[-1].endswith("等")
    if truncated:
        authors[-1] = authors[-1][:-1].strip()
    out: dict[str, Any] = {
        "title": m.group("title").strip(),
        "authors": authors,
        "authors_truncated": truncated,
        "type_code": m.group("type"),
        "raw": raw,
    }
    rest = m.group("rest").strip()
    j = _JOURNAL.match(rest)
    if j:
        out["journal"] = j.group("journal").strip()
        out["year"] = int(j.group("year"))
        for name in ("volume", "issue", "pages"):
            if j.group(name):
                out[name] = j.group(name)
    else:
        y = re.search(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", rest)
        if not y:
            return None
        out["year"] = int(y.group(1))
    return out


def _reference_draft(note: Footnote, src: str, topics: Mapping[str, str]) -> dict | None:
    ref = parse_reference(note.text)
    if not ref:
        return None
    data: dict[str, Any] = {
        "id": f"ref-{ref['year']}-{_hash(ref['raw'])}",
        "kind": "reference",
        "date": str(ref["year"]),
        "title": ref["title"],
        "topics": _topics(ref["title"] + (note.anchor or ""), topics),
        "source": {"record": src, "section": note.section},
        "authors": ref["authors"],
        "authors_truncated": ref["authors_truncated"],
        "type_code": ref["type_code"],
    }
    for name in ("journal", "year", "volume", "issue", "pages", "raw"):
        if name in ref:
            data[name] = ref[name]
    data["anchor"] = {"text": note.anchor or ref["title"], "marker": note.marker}
    notes = [f"本章脚注按出现顺序的第{note.number}条(所在页的脚注{note.marker})。"]
    if not note.anchor:
        notes.append("正文中没有找到这条脚注的标记;anchor 暂用题名,待人工补上。")
    data["notes"] = notes
    data["draft"] = True
    return data


_DOC = re.compile(r"《([^《》]+)》")


_PROVINCE = re.compile(r"^(北京|天津|上海|重庆)市|^([\u4e00-\u9fff]{2,3}?)(?:省|自治区)")
_CENTRAL = re.compile(r"^(?:中共中央|国务院|全国人|党的|中央|国家|科技部|教育部|财政部|工业和信息化部)")


def _region(title: str, issuers: list[str]) -> str:
    """The region the sentence gives: a province or city the title or an issuer names, 全国
    for a central issuer; 未知 when it gives none (region is required, so a note says so)."""
    for name in (title, *issuers):
        m = _PROVINCE.match(name)
        if m:
            return m.group(1) or m.group(2)
    if issuers and all(_CENTRAL.match(i) for i in issuers):
        return "全国"
    return "未知"


def _policy_drafts(sentence: str, section: str, src: str, topics: Mapping[str, str]) -> list:
    out = []
    dates = _dates(sentence)
    for m in _DOC.finditer(sentence):
        title = m.group(1)
        before = sentence[: m.start()]
        issuers: list[str] = []
        v = re.search(r"([^,,。]+?)(?:研究制定|印发|发布|制定|出台)了?$", before)
        if v:
            who = re.sub(r"^[\d年月日]+[,,]?", "", v.group(1)).strip()
            issuers = [w for w in re.split(r"[、和]", who) if w]
        else:
            v = re.search(r"([^,,。]+?)通过的$", before)
            if v:
                issuers = [re.sub(r"^[\d年月日]+[,,]?", "", v.group(1))]
        adjacent = before.endswith("》")  # a list of titles: the verb belongs to the first
        if adjacent:
            issuers = []
        region = _region(title, issuers)
        date = dates[0] if dates and issuers else None
        data: dict[str, Any] = {
            "id": f"policy-{(date or 'undated').split('/')[0]}-{_hash(title)}",
            "kind": "policy",
            "date": date,
            "title": title,
            "topics": _topics(title + sentence, topics),
            "source": {"record": src, "section": section},
            "issuers": issuers,
            "region": region,
            "quotes": [{"text": sentence, "form": "reported"}],
        }
        notes = ["kb import 自动提出的草稿,待人工核对。"]
        if date is None:
            notes.append("章节在这句话里没有给出日期。")
        if not issuers:
            notes.append("章节在这句话里没有给出发文机关。")
        if region == "未知":
            notes.append("章节在这句话里没有给出地区;region 为必填,暂记“未知”,待人工补上。")
        data["notes"] = notes
        data["draft"] = True
        out.append(data)
    return out


_UNITS = "万亿元|亿美元|亿元|万元|万项|万篇|万种|万人|项|篇|种|%|位"
_STAT = re.compile(
    rf"^(?P<ind>.+?)(?P<verb>首次突破|突破|达到了?|升至|为|约)?(?P<q>约)?第?"
    rf"(?P<val>\d+(?:\.\d+)?)(?P<unit>{_UNITS})$"
)
_CHANGE = re.compile(r"相比(\d{4})年(?:大幅|略有)?(增长|上升|提高|下降|减少)了?(\d+(?:\.\d+)?%)")
_SHARE = re.compile(r"^占(?:比)?(?:约|为)?(?:(.+?)的)?(\d+(?:\.\d+)?%)$")


def _statistic_drafts(
    sentence: str,
    year: int | None,
    section: str,
    src: str,
    topics: Mapping[str, str],
    prev: list[str] | None = None,
) -> list:
    """Statistics of one sentence; `prev` holds the indicators met before in the paragraph,
    the whole a later 占比 refers to."""
    out: list[dict] = []
    clauses = [c for c in re.split(r"[,,。]", sentence) if c]
    for clause in clauses:
        c = re.sub(r"^(?:\d{4}年|其中|此外)", "", clause).strip()
        if year is None or not c:
            continue
        m = _STAT.match(c)
        if m and not c.startswith(("相比", "占")):
            ind = m.group("ind").strip()
            if re.search(r"\d", ind) or len(ind) < 2:
                continue
            value = float(m.group("val"))
            data: dict[str, Any] = {
                "id": "",
                "kind": "statistic",
                "date": str(year),
                "title": f"{year}年{ind}",
                "title_is_label": True,
                "topics": _topics(sentence, topics),
                "source": {"record": src, "section": section},
                "indicator": ind,
                "value": int(value) if value.is_integer() and "." not in m.group("val") else value,
                "unit": m.group("unit"),
            }
            if m.group("verb") in ("首次突破", "突破", "升至") or m.group("q"):
                data["qualifier"] = m.group("verb") or "约"
            data["year"] = year
            data["region"] = "河北" if "河北" in sentence else "全国"
            data["quote"] = sentence
            data["notes"] = ["kb import 自动提出的草稿,待人工核对。"]
            data["draft"] = True
            data["id"] = f"stat-{year}-{_hash(ind, data['value'], data['unit'])}"
            out.append(data)
            continue
        ch = _CHANGE.search(c)
        if ch and out:
            sign = "-" if ch.group(2) in ("下降", "减少") else "+"
            out[-1]["comparison"] = {"base_year": int(ch.group(1)), "change": sign + ch.group(3)}
            continue
        sh = _SHARE.match(c)
        if sh and out:
            whole = sh.group(1) or (prev[-1] if prev else None)
            if whole:
                out[-1]["share"] = {"of": whole, "value": sh.group(2)}
    return out


def propose(clean_text: CleanText, corpus: Any, source_id: str) -> list[Draft]:
    """Draft records for what the chapter tells: remarks and events, references, policies and
    statistics, each marked `draft: true` and citing the source record `source_id`.

    `corpus` (a `kb.corpus.Corpus`) gives the topic list and the records a draft may repeat:
    a draft that matches one is returned with status `duplicate`.
    """
    topics = getattr(corpus, "topics", {}) or {}
    found: list[dict] = []
    seen_titles: set[str] = set()
    for para in clean_text.paragraphs:
        for unit in _units(para.text):
            found.extend(_speech_drafts(unit, para.section, source_id, topics))
        year: int | None = None
        indicators: list[str] = []
        for s in sentences(para.text):
            lead = re.match(r"^(\d{4})年(?![—–-])", s)
            if lead:
                year = int(lead.group(1))
            elif not s.startswith("其中"):
                year = None
            for p in _policy_drafts(s, para.section, source_id, topics):
                if _norm(p["title"]) not in seen_titles:
                    seen_titles.add(_norm(p["title"]))
                    found.append(p)
            stats = _statistic_drafts(s, year, para.section, source_id, topics, indicators)
            indicators.extend(st["indicator"] for st in stats)
            found.extend(stats)
    for note in clean_text.footnotes:
        ref = _reference_draft(note, source_id, topics)
        if ref:
            found.append(ref)
    records = list(getattr(corpus, "records", ()))
    taken = {r.id for r in records}
    drafts = []
    for data in found:
        same = next((r for r in records if r.kind == data["kind"] and _matches(data, r)), None)
        if same is None and data["kind"] == "policy":
            same = next((r for r in records if _matches(data, r)), None)
        rid = data["id"]
        n = 2
        while rid in taken:
            rid = f"{data['id']}-{n}"
            n += 1
        taken.add(rid)
        data["id"] = rid
        if same is not None:
            drafts.append(Draft(data["kind"], rid, data, "duplicate", same.id))
        else:
            drafts.append(Draft(data["kind"], rid, data))
    return drafts


def _record_dates(rec: Any) -> set[str]:
    """The dates a draft may give for `rec`: its own, and the chapter's (`Record.source_date`)
    where another source refined it (the chapter's 2021-05 for a record dated 2021-05-21)."""
    out = {rec.date.raw} if rec.date else set()
    if rec.source_date is not None:
        out.add(rec.source_date)
    return out


def _same_speaker(data: Mapping[str, Any], rec: Any) -> bool:
    """The same speaker when both name one (a meeting's event names none)."""
    mine, theirs = data.get("speaker"), rec.get("speaker")
    return not (mine and theirs) or _norm(mine) == _norm(theirs)


def _matches(data: Mapping[str, Any], rec: Any) -> bool:
    """Does draft `data` stand for record `rec`? (See docs/import.md, "What counts as a match".)"""
    kind = data["kind"]
    if kind in ("remark", "event"):
        return (
            rec.kind in ("remark", "event")
            and str(data["date"]) in _record_dates(rec)
            and _same_speaker(data, rec)
            and _same_name(data["occasion"], rec.get("occasion"))
        )
    if kind == "reference":
        return rec.kind == "reference" and (
            _norm(data["raw"]) == _norm(rec.get("raw", ""))
            or (_norm(data["title"]) == _norm(rec.title) and data.get("year") == rec.get("year"))
        )
    if kind == "policy":
        if rec.kind == "policy":
            return _same_name(data["title"], rec.title)
        # A document a meeting adopted may be recorded as that meeting's event: the plenum's
        # 《建议》 is the event "党的十九届五中全会通过《…建议》". Only an event, only by the
        # whole title in 《》.
        return rec.kind == "event" and f"《{data['title']}》" in rec.title
    if kind == "statistic":
        return (
            rec.kind == "statistic"
            and rec.get("year") == data["year"]
            and float(rec.get("value", "nan")) == float(data["value"])
            and rec.get("unit") == data["unit"]
        )
    if kind == "source":
        return rec.kind == "source" and rec.id == data["id"]
    return False


# --------------------------------------------------------------------------------------------
# Measuring against the hand-curated records

NO_FIGURES = "figures: no hand-curated records of this chapter in the corpus to compare with"

_REF_FIELDS = (
    "authors",
    "authors_truncated",
    "title",
    "type_code",
    "journal",
    "year",
    "volume",
    "issue",
    "pages",
)


@dataclass(frozen=True)
class Figures:
    """How the drafts compare with the hand-curated records of the same chapter."""

    remarks_found: int
    remarks_total: int
    references_right: int
    references_total: int
    false_drafts: tuple[str, ...]
    remarks_missed: tuple[str, ...] = ()
    references_wrong: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    remarks_sections: tuple[str, ...] = ()  # the sections the compared remarks and events come from

    @property
    def remarks_share(self) -> float:
        return self.remarks_found / self.remarks_total if self.remarks_total else 0.0

    def to_text(self) -> list[str]:
        """The figures as report lines."""
        where = f"sections {', '.join(self.remarks_sections)}" if self.remarks_sections else "no remarks"
        lines = [
            f"figures (against the hand-curated records of this chapter; remarks and events from {where}):",
            f"  remarks and events found with the right date, speaker and occasion: "
            f"{self.remarks_found}/{self.remarks_total} ({self.remarks_share:.1%})",
            f"  references parsed field for field right: {self.references_right}/{self.references_total}",
            f"  drafts that match no record: {len(self.false_drafts)}",
        ]
        if self.remarks_missed:
            lines.append(f"  missed: {', '.join(self.remarks_missed)}")
        for rid, bad in self.references_wrong.items():
            lines.append(f"  reference {rid}: wrong {', '.join(bad)}")
        if self.false_drafts:
            lines.append(f"  unmatched drafts: {', '.join(self.false_drafts)}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "remarks_found": self.remarks_found,
            "remarks_total": self.remarks_total,
            "remarks_share": round(self.remarks_share, 4),
            "remarks_missed": list(self.remarks_missed),
            "remarks_sections": list(self.remarks_sections),
            "references_right": self.references_right,
            "references_total": self.references_total,
            "references_wrong": {k: list(v) for k, v in self.references_wrong.items()},
            "false_drafts": list(self.false_drafts),
        }


def _truth(corpus: Any, source_ids: Iterable[str] | None) -> list[Any]:
    ids = set(source_ids) if source_ids is not None else None
    return [r for r in getattr(corpus, "records", ()) if not r.get("draft") and (ids is None or r.source_id in ids)]


def measure(drafts: Iterable[Draft], corpus: Any, source_ids: Iterable[str] | None = None) -> Figures:
    """Compare drafts with the corpus's hand-curated records (those citing `source_ids`).

    - remarks: every remark and event citing the chapter (any section) that some draft
      matches (same date as the chapter gives it, same speaker, same occasion);
    - references: references whose draft has every parsed field equal (and the anchor);
    - false drafts: drafts that match no hand-curated record at all.
    """
    drafts = [d for d in drafts if d.kind != "source"]
    truth = _truth(corpus, source_ids)
    speeches = [r for r in truth if r.kind in ("remark", "event")]
    missed = tuple(r.id for r in speeches if not any(_matches(d.data, r) for d in drafts))
    refs = [r for r in truth if r.kind == "reference"]
    wrong: dict[str, tuple[str, ...]] = {}
    for r in refs:
        d = next((d for d in drafts if d.kind == "reference" and _matches(d.data, r)), None)
        if d is None:
            wrong[r.id] = ("not found",)
            continue
        bad = [f for f in _REF_FIELDS if _field(d.data.get(f)) != _field(r.get(f))]
        anchor, real = d.data.get("anchor") or {}, r.get("anchor") or {}
        if anchor.get("marker") != real.get("marker") or not _same_name(anchor.get("text"), real.get("text")):
            bad.append("anchor")
        if bad:
            wrong[r.id] = tuple(bad)
    false = tuple(d.id for d in drafts if not any(_matches(d.data, r) for r in truth))
    return Figures(
        remarks_found=len(speeches) - len(missed),
        remarks_total=len(speeches),
        references_right=len(refs) - len(wrong),
        references_total=len(refs),
        false_drafts=false,
        remarks_missed=missed,
        references_wrong=wrong,
        remarks_sections=tuple(sorted({r.section for r in speeches if r.section}, key=_section_key)),
    )


def _section_key(section: str) -> tuple:
    """1.2 before 1.10: sections sort by their numbers, other labels after them."""
    parts = section.split(".")
    return (0, tuple(int(p) for p in parts)) if all(p.isdigit() for p in parts) else (1, section)


def _field(v: Any) -> Any:
    if isinstance(v, str):
        return squash(v)
    if isinstance(v, (list, tuple)):
        return [_field(x) for x in v]
    return v


# --------------------------------------------------------------------------------------------
# Reading, writing, and the whole run


PROMOTE = (
    "drafts stay in {dir}: kb check validates them, search/timeline/cite ignore them until you "
    "review each, drop draft: true and move it into corpus/ (docs/import.md)"
)


@dataclass(frozen=True)
class ImportResult:
    """What one `kb import` proposed, wrote (or, in a dry run, would write) and measured."""

    file: str
    source: Draft
    drafts: tuple[Draft, ...]
    figures: Figures | None
    written: tuple[str, ...]
    dry_run: bool
    clean: CleanText = field(repr=False, compare=False, default=None)  # type: ignore[assignment]
    drafts_dir: str = "drafts"
    planned: tuple[str, ...] = ()  # the files a run writes (paths under drafts_dir)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "drafts_dir": self.drafts_dir,
            "source": self.source.to_json(),
            "drafts": [d.to_json() for d in self.drafts],
            "planned": list(self.planned),
            "written": list(self.written),
            "figures": self.figures.to_json() if self.figures else None,
        }

    def to_text(self) -> str:
        """The human report: the clean text's shape, one line per draft, the files, the figures."""
        ct = self.clean
        lines = [f"kb import {self.file}" + (" (dry run: nothing written)" if self.dry_run else "")]
        if ct is not None:
            heads = sum(1 for b in ct.blocks if b.level)
            lines.append(
                f"clean text: {len(ct.paragraphs)} paragraphs, {heads} headings, "
                f"{len(ct.footnotes)} footnotes, {len(ct.captions)} figure captions"
            )
        lines.append("")
        for d in (self.source, *self.drafts):
            date = d.data.get("date") or "-"
            same = f"  (= {d.same_as})" if d.same_as else ""
            lines.append(f"{d.status:<9} {d.kind:<9} {date:<21} {d.id:<40} {d.label}{same}")
        counts: dict[str, int] = {}
        for d in self.drafts:
            counts[d.status] = counts.get(d.status, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        lines += ["", f"{len(self.drafts)} drafts proposed: {summary or 'none'}"]
        if self.dry_run:
            lines.append(f"would write {len(self.planned)} files under {self.drafts_dir}")
        else:
            lines.append(f"wrote {len(self.written)} files under {self.drafts_dir}")
        lines.append(PROMOTE.format(dir=self.drafts_dir))
        lines += self.figures.to_text() if self.figures else [NO_FIGURES]
        return "\n".join(lines)


def read_chapter(path: str | os.PathLike) -> str:
    """The text of a chapter file; ImportProblem when it is missing, binary, not UTF-8 or empty."""
    p = Path(path)
    if not p.exists():
        raise ImportProblem(f"{p}: no such file (give the path of a text file extracted from a PDF)")
    if not p.is_file():
        raise ImportProblem(f"{p}: is not a file (give the path of a text file extracted from a PDF)")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ImportProblem(f"{p}: cannot be read ({e.strerror})") from None
    if b"\x00" in data:
        raise ImportProblem(f"{p}: is a binary file, not text (extract the PDF's text first)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportProblem(
            f"{p}: is not UTF-8 text (byte {e.start}); convert it, e.g. iconv -f GB18030 -t UTF-8"
        ) from None
    bad = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if bad > max(3, len(text) // 100):
        raise ImportProblem(f"{p}: is a binary file, not text (extract the PDF's text first)")
    if not text.strip():
        raise ImportProblem(f"{p}: is empty (nothing to import)")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


def source_id_for(path: str | os.PathLike) -> str:
    """The default id of the clean-text source record: the file's name as a slug + -clean."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-") or "chapter"
    return f"{stem}-clean"


def _source_draft(clean_text: CleanText, source_id: str, file: str, home: Any, corpus: Any) -> Draft:
    rel = f"{source_id}.txt"  # text_file is read beside the source record, in drafts/ and corpus/ alike
    data: dict[str, Any] = {
        "id": source_id,
        "kind": "source",
        "date": None,
        "title": f"{clean_text.title or Path(file).stem}(清理后的文本)",
        "title_is_label": True,
        "topics": _topics(clean_text.title, getattr(corpus, "topics", {}) or {}),
        "source": {"record": source_id, "section": "全文"},
        "text_file": rel,
        "notes": [
            f"kb import 从 {Path(file).name} 清理出的文本:断行已接上,页眉页脚、逐字拆开的标题和"
            "脚注已移出正文;脚注附在文末,各注明其在正文中的位置。日期未知:原文件未给出。",
        ],
        "draft": True,
    }
    status, same = "new", None
    existing = getattr(corpus, "get", lambda _id: None)(source_id)
    if existing is not None or (Path(home.drafts_dir) / "sources" / f"{source_id}.yaml").exists():
        status, same = "exists", source_id
    return Draft("source", source_id, data, status, same)


def _chapter_sources(corpus: Any, text: str) -> list[str]:
    """Source records of the corpus whose text is this chapter (white space aside)."""
    want = squash(text)
    out = []
    for r in getattr(corpus, "records", ()):
        if r.kind == "source" and r.get("text_file"):
            got = corpus.source_text(r.id)
            if got is not None and squash(got) == want:
                out.append(r.id)
    return out


def import_file(
    path: str | os.PathLike, home: Any, source_id: str | None = None, dry_run: bool = False
) -> ImportResult:
    """Clean a chapter, propose drafts, measure them and (unless `dry_run`) write the new ones.

    Nothing is written when the file cannot be read or holds nothing to import. Existing files
    are never written over; drafts that duplicate a record are reported, not written.
    """
    from kb.corpus import scan

    text = read_chapter(path)
    sid = source_id or source_id_for(path)
    if not ID_RE.match(sid):
        raise ImportProblem(f"--source-id {sid!r} is not a slug (lowercase a-z, 0-9 and '-')")
    ct = clean(text)
    if not ct.paragraphs:
        raise ImportProblem(f"{path}: no paragraphs of text found (is this a chapter?)")
    if not any(re.search(r"\d{4}年", p.text) for p in ct.paragraphs):
        raise ImportProblem(f"{path}: no dates (YYYY年…) in the text, so nothing to propose")
    corpus, _ = scan(Path(home.corpus_dir), (Path(home.drafts_dir),))
    drafts = propose(ct, corpus, sid)
    src = _source_draft(ct, sid, str(path), home, corpus)
    chapter_ids = _chapter_sources(corpus, text)
    figures = measure(drafts, corpus, chapter_ids) if chapter_ids else None
    files: dict[str, str] = {}  # path under drafts/ -> its text
    if src.status == "new":
        files[f"sources/{sid}.txt"] = ct.text
    for d in (src, *drafts):
        if d.status == "new":
            files[d.path] = to_yaml(d.data)
    written: list[str] = []
    base = Path(home.drafts_dir)
    if not dry_run:
        for rel, body in files.items():
            try:
                if _write_new(base / rel, body):
                    written.append(rel)
            except OSError as e:
                raise ImportProblem(_write_failed(base / rel, e, written)) from None
    return ImportResult(str(path), src, tuple(drafts), figures, tuple(written), dry_run, ct, _shown(base), tuple(files))


def _write_failed(path: Path, err: OSError, written: list[str]) -> str:
    """One line naming the path that could not be written (the file or a folder on its way)."""
    where = err.filename or path
    done = f"; {len(written)} files written before it" if written else ""
    return f"{where}: cannot write drafts there ({err.strerror or type(err).__name__}){done}"


def _shown(path: Path) -> str:
    """A folder as the report names it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) + "/"
    except ValueError:
        return str(path) + "/"


def to_yaml(data: Mapping[str, Any]) -> str:
    """A record as YAML the way people write them: keys in order, Chinese unescaped."""
    import yaml

    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=100)


def _write_new(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically, and only if no file is there; False if one is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if the file appeared meanwhile: never write over it
        except FileExistsError:
            return False
        except OSError:
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
