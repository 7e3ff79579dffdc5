"""Proposing: turn a clean `Document` into draft records (remarks and events, references,
policies, statistics), each marked `draft: true`, and mark those that repeat a record."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kb.importer.cleaning import Block, Document, Footnote
from kb.importer.dates import _dates
from kb.importer.matching import _matches, _norm
from kb.records import DIR_OF_KIND

DEFAULT_TOPIC = "科技成果转化"


@dataclass(frozen=True)
class Draft:
    """A proposed record. `status` is new, duplicate (of `same_as`) or exists (file there)."""

    kind: str
    id: str
    data: Mapping[str, Any]
    status: str = "new"
    same_as: str | None = None
    confidence: float | None = None  # how far the reading can be trusted, 0-1 (docs/import.md)
    sentence: str | None = None  # the sentence of the text the draft was read from

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
            "confidence": self.confidence,
            "sentence": self.sentence,
            "record": dict(self.data),
        }


_VERB = re.compile(r"(?:明确|再次)?(?:提出|指出|强调|表示|提到)")
_MEETING = re.compile(r"会议|全会|大会|委员会")
_ISSUE_VERB = re.compile(r"印发|制定|发布|出台")


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
        elif ch in "。!?！？" and depth == 0:
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


def _hash(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:6]


def _topics(text: str, topics: Mapping[str, str]) -> list[str]:
    """Topics whose name, or a word of whose description, the text contains (at most 3)."""
    scored = []
    for name, desc in topics.items():
        words = [name] + [w for w in re.split(r"[、,，与和;；\s\"“”]+", desc or "") if len(w) >= 3]
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
    m = re.search(r"在(?:参加|出席)?(.+?)(?:上|时|中|期间)(?=$|[,，]|习近平|明确|再次|发表|就)", head)
    if not m:
        return None
    occ = re.sub(r"(?:发表重要讲话|发表讲话|发表主旨演讲)$", "", m.group(1))
    return re.sub(r"^[,，\s]+|[,，\s]+$", "", occ) or None


def _unstated(words: str) -> str:
    """The occasion of a remark whose chapter names none, the way the corpus writes it: 未载明
    and the chapter's own words, 未载明(章节仅称“2015年习近平总书记提出”)."""
    words = re.sub(r"^[\s,，]+|[\s,，]+$", "", words.split("。")[-1])
    return f"未载明(章节仅称“{words}”)" if words else "未载明"


def _speech_quotes(rest: str) -> list[dict[str, str]]:
    """The quotations of a remark: its “direct” words, or else the reported passage."""
    body = re.sub(r"^[,，::\s]+", "", rest)
    if body.startswith("要“"):
        body = body[1:]
    if body.startswith("“"):
        quotes = []
        for m in re.finditer(r"(?:^|(?<=[,，、])|(?<=[:：]))“((?:[^“”]|“[^“”]*”)+)”", body):
            quotes.append(m.group(1))
        for m in re.finditer(r"(?:强调|指出|表示)[:：,，]?“((?:[^“”]|“[^“”]*”)+)”", rest):
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
        m = re.match(r"^[\d年月日至与和、]+[,，]?(.+?)(?:就|也|还|曾)?$", head)
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
    authors = [a.strip() for a in re.split(r"[,，]", m.group("authors")) if a.strip()]
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
        before = sentence[max(0, m.start() - 200) : m.start()]  # the issuer is next to the title
        issuers: list[str] = []
        v = re.search(r"([^,，。]+?)(?:研究制定|印发|发布|制定|出台)了?$", before)
        if v:
            who = re.sub(r"^[\d年月日]+[,，]?", "", v.group(1)).strip()
            issuers = [w for w in re.split(r"[、和]", who) if w]
        else:
            v = re.search(r"([^,，。]+?)通过的$", before)
            if v:
                issuers = [re.sub(r"^[\d年月日]+[,，]?", "", v.group(1))]
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
_SHARE = re.compile(r"^占(?:比)?(约)?(?:为)?(?:(.+?)的)?(约)?(\d+(?:\.\d+)?%)$")  # 约 is kept: 占比约77.12%


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
    clauses = [c for c in re.split(r"[,，。]", sentence) if c]
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
            whole = sh.group(2) or (prev[-1] if prev else None)
            if whole:
                out[-1]["share"] = {"of": whole, "value": (sh.group(1) or sh.group(3) or "") + sh.group(4)}
    return out


def propose(clean_text: Document, corpus: Any, source_id: str) -> list[Draft]:
    """Draft records for what the chapter tells: remarks and events, references, policies and
    statistics, each marked `draft: true` and citing the source record `source_id`.

    `corpus` (a `kb.corpus.Corpus`) gives the topic list and the records a draft may repeat:
    a draft that matches one is returned with status `duplicate`.
    """
    topics = getattr(corpus, "topics", {}) or {}
    found: list[dict] = []
    seen_titles: set[str] = set()
    body = [
        Block(piece, p.section)
        for p in clean_text.paragraphs
        if p.role == "body" and not p.cells
        for piece in bounded(p.text)
    ]
    for para in body:
        for unit in _units(para.text):
            for d in _speech_drafts(unit, para.section, source_id, topics):
                d["_confidence"], d["_sentence"] = 0.9, unit
                found.append(d)
        year: int | None = None
        indicators: list[str] = []
        for s in sentences(para.text):
            lead = re.match(r"^(\d{4})年(?![—–-])", s)
            if lead:
                year = int(lead.group(1))
            elif not s.startswith("其中"):
                year = None
            for p in _policy_drafts(s, para.section, source_id, topics):
                if not p["issuers"] and not p["date"]:
                    continue  # a title named in passing, with no issuer nor date: nothing to record
                if _norm(p["title"]) not in seen_titles:
                    seen_titles.add(_norm(p["title"]))
                    p["_confidence"], p["_sentence"] = (0.8 if p["issuers"] and p["date"] else 0.5), s
                    found.append(p)
            stats = _statistic_drafts(s, year, para.section, source_id, topics, indicators)
            indicators.extend(st["indicator"] for st in stats)
            for st in stats:
                st["_confidence"], st["_sentence"] = 0.8, s
            found.extend(stats)
    found.extend(_event_drafts(clean_text, found, seen_titles, source_id, topics))
    for note in clean_text.footnotes:
        ref = _reference_draft(note, source_id, topics)
        if ref:
            ref["_confidence"], ref["_sentence"] = 0.9, note.text
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
        conf, sentence = data.pop("_confidence", None), data.pop("_sentence", None)
        if same is not None:
            drafts.append(Draft(data["kind"], rid, data, "duplicate", same.id, conf, sentence))
        else:
            drafts.append(Draft(data["kind"], rid, data, "new", None, conf, sentence))
    return drafts


# A sentence longer than this is no sentence (a table flattened into text, a list without
# stops, a hostile input): it is read in pieces cut at commas, so proposing stays linear.
MAX_SENTENCE = 1000
MAX_PARAGRAPH = 4000


def bounded(text: str) -> list[str]:
    """A paragraph as pieces the rules can read in bounded time: itself when it is at most
    MAX_PARAGRAPH long and no sentence in it is longer than MAX_SENTENCE, else runs of its
    sentences, each sentence cut at commas (or, failing those, every MAX_SENTENCE characters).
    Every piece is a substring of the paragraph, so quotations stay verbatim."""
    if len(text) <= MAX_PARAGRAPH and all(len(s) <= MAX_SENTENCE for s in sentences(text)):
        return [text]
    pieces: list[str] = []
    for s in sentences(text):
        while len(s) > MAX_SENTENCE:
            cut = max(s.rfind(c, 0, MAX_SENTENCE) for c in ",，;；")
            cut = cut + 1 if cut > 0 else MAX_SENTENCE
            pieces.append(s[:cut])
            s = s[cut:]
        if s:
            pieces.append(s)
    out: list[str] = []
    for piece in pieces:
        if out and len(out[-1]) + len(piece) <= MAX_PARAGRAPH:
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _event_drafts(
    doc: Document, found: list[dict], seen_titles: set[str], src: str, topics: Mapping[str, str]
) -> list[dict]:
    """Drafts for the dated sentences the chapter patterns above did not read (kb.importer.events):
    a day no draft of the same paragraph already gives, once per day and actor."""
    from kb.importer.events import read_block, signed

    days = {str(d.get("date") or "").split("/")[0] for d in found if d["kind"] in ("remark", "event", "policy")}
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()
    previous = None
    blocks = list(doc.blocks)
    for i, block in enumerate(blocks):
        events = read_block(block, previous)
        if block.role == "signature":
            ev = signed(blocks, i)
            events = [ev] if ev else []
        for ev in events:
            day = ev.date.day
            key = (day, _norm(ev.actor))
            if day in days or key in seen:
                continue
            if ev.kind == "policy" and _norm(ev.document or "") in seen_titles:
                continue
            seen.add(key)
            data = _event_record(ev, src, topics)
            data["_confidence"], data["_sentence"] = ev.confidence, ev.sentence
            out.append(data)
        previous = block
    return out


def _event_record(ev: Any, src: str, topics: Mapping[str, str]) -> dict[str, Any]:
    """A draft record for a dated sentence read by kb.importer.events."""
    date = ev.date.value
    notes = [f"kb import 自动提出的草稿(置信度 {ev.confidence:.2f}),待人工核对。"]
    if ev.date.inferred:
        notes.append("原文只写月日(同年…),年份由上下文推断。")
    if ev.organizers:
        notes.append(f"原文称由{'、'.join(ev.organizers)}主办。")
    data: dict[str, Any] = {"id": "", "kind": ev.kind, "date": date, "title": ev.title}
    quotes = [{"text": ev.quote, "form": "reported"}] if ev.quote else []
    if ev.kind == "policy":
        issuers = [w for w in re.split(r"[、和]", ev.actor) if w]
        data["id"] = f"policy-{date.split('/')[0]}-{_hash(ev.document)}"
        data["topics"] = _topics((ev.document or "") + ev.sentence, topics)
        data["source"] = {"record": src, "section": ev.section}
        data["issuers"] = issuers
        data["region"] = _region(ev.document or "", issuers)
        if data["region"] == "未知":
            notes.append("原文没有给出地区;region 为必填,暂记“未知”,待人工补上。")
        data["quotes"] = quotes
    else:
        data["id"] = f"{date.split('/')[0]}-{ev.kind}-{_hash(date, ev.actor, ev.title)}"
        data["title_is_label"] = True
        if ev.kind == "remark":
            speaker = re.sub(r"(?:总书记|国家主席|主席|总理)$", "", ev.actor) or ev.actor
            data["speaker"] = speaker
            role = ev.actor[len(speaker) :]
            if role:
                data["speaker_role"] = role
        else:
            data["body"] = ev.actor
        data["occasion"] = ev.occasion
        data["topics"] = _topics(ev.sentence, topics)
        data["source"] = {"record": src, "section": ev.section}
        data["quotes"] = quotes
    data["notes"] = notes
    data["draft"] = True
    return data
