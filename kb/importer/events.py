"""What a dated sentence tells: who did what on that day.

For every full date in the body of a text (not in a reference list, front matter, a page
date or a received/revised line), read the clause it governs and draft a record when it names
an actor and a verb of one of these classes:

- a remark: a speaker and a speech verb (指出, 强调, 提出, 表示, 讲话, 致信, 批示 …);
- a meeting or event: a body and 召开/举行/开幕/审议/通过/成立 …;
- a document issued: an issuer, 印发/颁布/发布/公布 … and a 《title》 (a policy draft);
- anything else an organisation or person did on the day (宣布, 报送, 核准, 视察, 扩张 …).

The actor is the subject of the clause after the date (`2016年5月30日,X召开…`) or, when that
clause opens with the verb, the words just before the date (`五院于1962年11月8日颁布…`,
`中共中央1954年3月8日批示…`). A table row with a date column is read the same way, its first
cell being the actor. A date followed by nothing that reads as actor + verb gives no draft:
precision over recall. Each draft carries a confidence and the sentence it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kb.importer.cleaning import Block
from kb.importer.dates import DateMention, find_dates


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    from kb.text import _fold_table as search_fold

    table = dict(search_fold())
    for cp in range(ord("A"), ord("Z") + 1):
        del table[cp]
    for cp in range(0xFF21, 0xFF3B):
        table[cp] = chr(cp - 0xFEE0)
    return table


def fold(text: str) -> str:
    """Text as the rules read it, keeping its length (so a match maps back to the original):
    full-width punctuation, digits and letters as ASCII, traditional characters as simplified
    (kb.text's table, as search folds them), case kept."""
    return text.translate(_fold_table())


SPEECH = (
    "发表重要讲话",
    "发表讲话",
    "讲话",
    "指出",
    "强调",
    "表示",
    "提出",
    "致信",
    "致辞",
    "回信",
    "批示",
    "指示",
    "题词",
)
MEETING = (
    "审议通过",
    "破土动工",
    "召开",
    "举行",
    "举办",
    "开幕",
    "闭幕",
    "审议",
    "通过",
    "成立",
    "启动",
    "动工",
    "开馆",
    "挂牌",
)
ISSUE = (
    "受权发布",
    "联合印发",
    "研究制定",
    "印发",
    "颁布",
    "发布",
    "公布",
    "出台",
    "制定",
    "核准",
    "批准",
    "报送",
    "上报",
    "宣布",
    "签署",
)
OTHER = ("参加", "出席", "视察", "考察", "调研", "扩张", "推出", "上线", "建成", "开通", "合并", "恢复", "任命")
_VERBS = sorted(SPEECH + MEETING + ISSUE + OTHER, key=len, reverse=True)
_VERB = re.compile("|".join(map(re.escape, _VERBS)))
# Words that end an actor's name in front of the verb: prepositions, adverbs, conjunctions.
_COVERB = re.compile(
    r"(?:在|向|对|于|到|就|为|与|同|联合|随即|随后|正式|首次|再次|也|又|还|共同|据此|隆重|专门|分别|亲自|"
    r"已经|已|曾|均|即|将|会同|率先|依法|先后|主持|出席|参加|一致|集中|根据)"
)
_LEAD = re.compile(r"^(?:在|据|由|而|并|但|和|当|自|从|经|其中|此外|同时|另外|随后|此后|之后|其后|后|又|即)")
_TITLE_WORDS = re.compile(
    r"(?:同志|总书记|国家主席|主席|总理|副总理|委员长|院长|副院长|部长|书记|先生|女士|教授|院士|爵士)$"
)
_BAD_ACTOR = re.compile(
    r"^(?:我国|我们|我|他|她|它|他们|其|该|这|此|本文|笔者|作者|当时|目前|同时|随后|此后|之后|其中|这一|"
    r"文件|会议|大会|政府|有关部门|相关部门|国家|中国|全国|人们|各地|各级)$"
)
_ORG_END = re.compile(
    r"(?:会议|大会|全会|委员会|常委会|院|部|委|局|厅|办|署|组|中心|基金会|学会|协会|研究会|联合会|政府|中央|国务院|"
    r"杂志|报|社|大学|学院|公司|集团|银行|法院|检察院|党组|小组|科协|科委|人大|政协|理事会|办公室|馆|所)$"
)
_PERSON = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_DOC = re.compile(r"《([^《》]{2,80})》")
_QUOTE_OPEN = "“‘「『"
_QUOTE_CLOSE = "”’」』"
MAX_SENTENCE = 1000  # as kb.importer.proposing.MAX_SENTENCE


@dataclass(frozen=True)
class Event:
    """A dated sentence read: the date, the actor, what they did, and where it is said."""

    date: DateMention
    actor: str
    verb: str
    kind: str  # remark, event or policy
    title: str
    occasion: str
    document: str | None  # a 《title》 issued or adopted
    quote: str  # the sentence(s) of that date, verbatim from the clean text
    sentence: str  # the whole sentence the date is in
    confidence: float
    organizers: tuple[str, ...] = ()
    section: str = ""


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph (folded text): cut after 。!?; outside quotation marks."""
    spans, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _QUOTE_OPEN:
            depth += 1
        elif ch in _QUOTE_CLOSE:
            depth = max(0, depth - 1)
        elif ch in "。!?;" and depth == 0:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text)))
    out = []
    for a, b in spans:  # no sentence longer than MAX_SENTENCE: cut at commas, so work is linear
        while b - a > MAX_SENTENCE:
            cut = max(text.rfind(c, a, a + MAX_SENTENCE) for c in ",;")
            cut = cut + 1 if cut > a else a + MAX_SENTENCE
            out.append((a, cut))
            a = cut
        out.append((a, b))
    return out


def _clean_actor(raw: str) -> str:
    """An actor's name from the words in front of a verb: the last clause, without leading
    prepositions, a modifier ending in 的, titles such as 时任院长 or 同志 around a name."""
    clauses = [c.strip() for c in re.split(r"[,:;()“”\"]", raw)]
    s = ""
    for c in reversed(clauses):  # the last clause that does not open with a preposition
        c = re.sub(r"\[\d+\]$", "", c).strip()
        if c and not _COVERB.match(c):
            s = c
            break
    m = _COVERB.search(s)
    if m and m.start() > 0:
        s = s[: m.start()]
    s = _LEAD.sub("", s).strip()
    if "的" in s and not s.endswith("的"):
        s = s.rsplit("的", 1)[1]
    s = re.sub(r"^时任[\u4e00-\u9fff]{0,8}?(?:院长|主席|总理|部长|书记|主任|校长|会长|理事长)", "", s)
    s = re.sub(r"(?:同志|先生|女士)$", "", s)
    s = re.sub(r"(?:了|等|就|则)$", "", s).strip()
    return s.strip(" 、")


def _actor_ok(s: str) -> bool:
    if not (2 <= len(s) <= 30) or _BAD_ACTOR.match(s) or re.match(r"^[\d年月日号.\s]", s):
        return False
    if re.search(r"[。!?]", s) or re.search(r"\d+\s*[年月日]", s):
        return False
    return bool(re.search(r"[\u4e00-\u9fffA-Za-z]", s))


def _looks_named(s: str) -> bool:
    """An organisation, a meeting or a person (a high-confidence actor)."""
    return bool(_ORG_END.search(s) or _TITLE_WORDS.search(s) or re.fullmatch(r"[A-Za-z][\w .\-&]{1,30}", s))


def _object(after: str) -> str:
    """What the verb acts on, briefly: a 《title》, else the words up to the next punctuation."""
    after = re.sub(r"^了", "", after)
    doc = _DOC.match(re.sub(r"^[^,;。《》]{1,12}(?=《)", "", after))  # 通过了最新一次的《…》
    if doc:
        return f"《{doc.group(1)}》"
    m = re.match(r"^的?([^,.;:。!?“”()《》]{1,20})", after)
    return re.sub(r"(?:之?中|时|上|之后|以后)$", "", m.group(1)).strip() if m else ""


def _speaker_parts(actor: str) -> tuple[str, str | None]:
    m = re.match(r"^(.+?)(总书记|国家主席|主席|总理)$", actor)
    if m and len(m.group(1)) >= 2:
        return m.group(1), m.group(2)
    return actor, None


def _occasion(clause: str) -> str | None:
    """Where a remark was made: 在…上/时/中/期间, 参加…时, 出席…并."""
    m = re.search(r"(?:在|参加|出席)(.{2,60}?)(?:时|上|中|期间|并)(?:的|发表|指出|强调|表示|提出|讲话|,|$)", clause)
    if not m:
        return None
    occ = re.sub(r"^(?:参加|出席)", "", m.group(1)).strip(" ,")
    return occ or None


def read_block(block: Block, previous: Block | None = None) -> list[Event]:
    """The events of one body paragraph or table row."""
    if block.role != "body" or block.level:
        return []
    if block.cells:
        return _read_row(block)
    text = block.text
    folded = fold(text)
    out: list[Event] = []
    attribution = folded.lstrip().startswith(("——", "—", "--"))
    for s0, s1 in _sentences(folded):
        sentence = folded[s0:s1]
        mentions = [d for d in find_dates(sentence) if d.precision == "day"]
        last_actor: str | None = None
        for k, d in enumerate(mentions):
            if not d.event:
                continue
            seg_end = mentions[k + 1].start if k + 1 < len(mentions) else len(sentence)
            after = sentence[d.end : seg_end]
            before = sentence[mentions[k - 1].end if k else 0 : d.start]
            ev = _read(d, before, after, sentence, last_actor, attribution and k == 0)
            if ev is None:
                continue
            last_actor = ev.actor
            quote_span = (s0, s1) if len(mentions) == 1 else (s0 + d.start, s0 + seg_end)
            quote = text[quote_span[0] : quote_span[1]].strip().rstrip(",，")
            if attribution and previous is not None and not previous.level and previous.role == "body":
                quote = previous.text  # `——date, who where 指出` dates the quotation above it
            out.append(
                Event(
                    ev.date,
                    ev.actor,
                    ev.verb,
                    ev.kind,
                    ev.title,
                    ev.occasion,
                    ev.document,
                    quote,
                    text[s0:s1].strip(),
                    ev.confidence,
                    ev.organizers,
                    block.section,
                )
            )
    return out


def _read(
    d: DateMention, before: str, after: str, sentence: str, carried: str | None, attributed: bool = False
) -> Event | None:
    """Actor, verb and kind of the clause a date governs; None when it names no actor + verb."""
    after_s = re.sub(r"^[\s,:]+", "", after)
    if re.match(r"^起", after_s) and re.search(r"(?:自|从)\s*$", before):
        return _effective(d, before, sentence)
    if re.match(r"^起\s*(?:施行|实施|生效|执行)", after_s) and re.search(r"于\s*$", before):
        return _in_force(d, before, sentence)
    if re.match(r"^(?:起|以来|之后|以后|前后|左右|之前|以前|前|后|至今)", after_s):
        return None  # a period's start or end, not a day something happened
    organizers: tuple[str, ...] = ()
    confidence = 0.9
    said = None  # a speech verb in the verb's clause
    m = re.match(
        r"^由(.{2,40}?)(?:联合|共同)?(?:主办|举办|组织|召开)的(.{2,40}?)(?:在.{1,10}?)?(?:隆重)?(召开|举行|开幕)",
        after_s,
    )
    if m:
        organizers = tuple(x for x in re.split(r"[、和与及]", m.group(1)) if x)
        actor, verb, rest = m.group(2), m.group(3), after_s[m.end() :]
    else:
        if re.match(r"^(?:也就是|也即|即|亦即|据.{1,12}?报道|.{1,8}?(?:受权)?发布消息)", after_s):
            # an aside about the date, or who reported it, comes first: the clause after it tells
            after_s = after_s.split(",", 1)[1] if "," in after_s else ""
        v = _VERB.search(after_s[:60])
        if not v:
            return _attributed(d, after_s, sentence) if attributed else None
        head = after_s[: v.start()]
        verb, rest = v.group(0), after_s[v.end() :]
        clause = re.split(r"[,;]", after_s[v.start() :], maxsplit=1)[0]
        said = next((s for s in SPEECH if s in clause), None)
        actor = _clean_actor(head) if head.strip() else ""
        if not actor:
            adjacent = "" if re.search(r"[,:;]\s*$", before) else re.sub(r"(?:于|在)$", "", before.rstrip())
            adjacent = _LEAD.sub("", re.split(r"[,:;()“”\"]", adjacent)[-1].strip())
            pre = _clean_actor(adjacent)
            if pre and _actor_ok(pre):
                actor, confidence = pre, 0.8
            elif carried:
                actor, confidence = carried, 0.75
    if not _actor_ok(actor):
        return None
    if not _looks_named(actor):
        confidence -= 0.2
    if d.inferred:
        confidence -= 0.2
    obj = _object(rest)
    doc = None
    if obj.startswith("《"):
        doc = obj[1:-1]
    elif verb in ISSUE or verb in ("通过", "审议通过", "审议"):
        # the document may follow the next date (`X通过,DATE Y发布的《T》`): within 60 characters
        pos = d.end + len(after) - len(rest)
        later = _DOC.search(sentence[pos : pos + 60])
        if later:
            doc = later.group(1)
    kind = "event"
    person = bool(_PERSON.match(_speaker_parts(actor)[0]) or _TITLE_WORDS.search(actor)) and not _ORG_END.search(
        _speaker_parts(actor)[0]
    )
    if m is None and said and person:
        kind, verb = "remark", said
    elif verb in ISSUE and doc and verb not in ("报送", "上报", "核准", "批准"):
        kind = "policy"
    occasion = _occasion(after_s) if kind == "remark" else None
    if kind == "remark":
        who, _ = _speaker_parts(actor)
        occasion = occasion or "未载明"
        title = f"{who}:{occasion}" if occasion != "未载明" else f"{who}({d.day})"
    elif kind == "policy":
        title = doc or ""
    else:
        thing = f"《{doc}》" if doc and not obj else obj
        title = f"{actor}{verb}{thing}" if thing and thing not in actor else f"{actor}{verb}"
        occasion = title
    title = re.sub(r"^[\s,.:;、]+", "", title)[:60]
    return Event(d, actor, verb, kind, title, occasion or title, doc, "", sentence, round(confidence, 2), organizers)


def _effective(d: DateMention, before: str, sentence: str) -> Event | None:
    """`X宣布/规定,自DATE起…`: the day a rule takes effect, announced by the sentence's subject."""
    m = re.search(r"([^,;:。]{2,40}?)(宣布|规定|决定|明确|要求)[,:]?\s*(?:自|从)\s*$", before)
    if not m:
        return None
    actor = _clean_actor(m.group(1))
    if not _actor_ok(actor) or not _looks_named(actor) and not re.fullmatch(r"[A-Za-z]{2,10}", actor):
        return None
    title = f"{actor}{m.group(2)}:自{sentence[d.start : d.end]}起"
    return Event(d, actor, m.group(2), "event", title, title, None, "", sentence, 0.6)


def _in_force(d: DateMention, before: str, sentence: str) -> Event | None:
    """`《X》于DATE起施行`, `该法于DATE起施行`: the day a document takes effect. 该法/本办法 … is
    the last 《title》 before it in the sentence; without one there is no draft."""
    m = re.search(r"(《[^《》]{2,80}》|[该本此](?:法|法律|条例|办法|规定|意见|决定|细则|方案))\s*于\s*$", before)
    if not m:
        return None
    ref = m.group(1)
    if not ref.startswith("《"):
        titles = _DOC.findall(before[: m.start()])
        if not titles:
            return None
        ref = f"《{titles[-1]}》"
    title = f"{ref}施行"
    return Event(d, ref[1:-1], "施行", "event", title, title, ref[1:-1], "", sentence, 0.7)


def signed(blocks: list[Block], i: int) -> Event | None:
    """A notice's date on a line of its own under its issuer (落款): the issuer (the line above,
    past a seal note such as `(中国科协办公厅代章)`) issued the document the notice forwards
    (`现将《X》印发给你们`) on that day. None unless all three are there."""
    block = blocks[i]
    mentions = [m for m in find_dates(fold(block.text)) if m.precision == "day"]
    if len(mentions) != 1 or mentions[0].start != 0:
        return None
    above = [b for b in blocks[max(0, i - 3) : i]]
    issuer = None
    for b in reversed(above):
        t = b.text.strip()
        if re.fullmatch(r"[(（][^()（）]{2,30}[)）]", t):
            continue  # the seal note
        if len(t) <= 30 and _ORG_END.search(fold(t)) and not re.search(r"[,，。;；:：]", t):
            issuer = t
        break
    if issuer is None:
        return None
    title = None
    for b in reversed(blocks[max(0, i - 8) : i]):
        m = re.search(r"将《([^《》]{2,80})》(?:予以)?(?:印发|发布|转发|下发)", b.text)
        if m:
            title = m.group(1)
            break
    if title is None:
        return None
    issuers = issuer
    sentence = f"{issuer}\n{block.text}"
    return Event(mentions[0], issuers, "印发", "policy", title, title, title, "", sentence, 0.7, (), block.section)


def _attributed(d: DateMention, after_s: str, sentence: str) -> Event | None:
    """`——DATE,习近平在X…` under a quotation, cut before its verb: a remark whose occasion is X."""
    m = re.match(r"^([\u4e00-\u9fff]{2,4}?)(总书记|国家主席|主席|总理|同志)?(?:在|参加|出席)(.{2,60})$", after_s)
    if not m:
        return None
    who = m.group(1)
    occ = re.sub(r"(?:时|上|的讲话|讲话)$", "", m.group(3)).strip()
    return Event(d, who + (m.group(2) or ""), "", "remark", f"{who}:{occ}", occ, None, "", sentence, 0.6)


def _read_row(block: Block) -> list[Event]:
    """A table row: the first cell names the actor, a date in another cell the day; the
    header (宣布时间, 发布日期 …) names what happened."""
    if len(block.cells) < 2:
        return []
    actor = re.sub(r"\s+(?=[\u4e00-\u9fff)）])|(?<=[\u4e00-\u9fff(（])\s+", "", block.cells[0]).strip()
    if not _actor_ok(actor):
        return []
    out = []
    for j, cell in enumerate(block.cells[1:], start=1):
        mentions = [d for d in find_dates(fold(cell)) if d.precision == "day" and d.event]
        if not mentions:
            continue
        d = mentions[0]
        head = block.header[j] if j < len(block.header) else ""
        verb = next((v for v in ISSUE + MEETING if v in head), "") or next(
            (v for v in ISSUE + MEETING if v in cell[d.end : d.end + 6]), ""
        )
        title = f"{actor}{verb}" if verb else actor
        sentence = " | ".join(block.cells)
        quote = next((c for c in block.cells[j + 1 :] if len(c) > 10), cell)
        quote = re.split(r"(?<=[。!?！？])", quote)[0].strip()
        out.append(Event(d, actor, verb or "", "event", title, title, None, quote, sentence, 0.6, (), block.section))
        break
    return out
