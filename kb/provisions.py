"""A law's or policy's full text, parsed into its structure and provisions.

Two layouts are read, both as printed in official texts:

- **Articles** (laws, regulations): `## 第一章 总则` headings (编, 章, 节) and articles that
  start their own line, `第四十五条 …`. Within an article each paragraph is a 款 (numbered
  from 1 in order) and a line opening with `（一）` is a 项 of the 款 before it.
- **Items** (a 国办 opinion): parts `一、总体要求` and items `（一）指导思想。…`; the
  paragraphs after an item's first (the four 坚持… of 基本原则) are its further 款.

Every provision has a stable key: the Arabic article number (`45` for 第四十五条) or, for an
opinion, part and item (`3.2` for 三、（二）). A provision's id is `<doc-id>#<key>`.

Nothing here rewrites the text: a provision keeps its lines exactly as printed, and `verify`
checks that each one is found at its line of the file (a second reading of the text). The
dates the text itself gives (adopted, amended or revised, in force, signed) are read from its
head note, its 施行 article and its closing line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.records import DATE_KIND_ZH, DATE_KINDS  # noqa: F401  (re-exported: the kinds a text gives)

# -- Chinese numerals ------------------------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇一二三四五六七八九十百千两"


def cn_to_int(text: str) -> int:
    """一百一十七 → 117, 十 → 10, 四十五 → 45; Arabic digits pass through. ValueError otherwise."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, digit = 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        else:
            total += (1 if digit is None else digit) * _UNITS[c]
            digit = None
    return total + (digit or 0)


def int_to_cn(n: int) -> str:
    """117 → 一百一十七, 10 → 十, 45 → 四十五, 108 → 一百零八 (as laws number their articles)."""
    if n <= 0 or n >= 10000:
        raise ValueError(f"cannot write {n} as an article number")
    names = "零一二三四五六七八九"
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero and out:
            out += "零"
        zero = False
        if not (unit == 10 and d == 1 and not out):  # 十 for 10-19, but 一百一十
            out += names[d]
        out += name
    return out


def article_label(n: int) -> str:
    return f"第{int_to_cn(n)}条"


def item_label(n: int) -> str:
    return f"（{int_to_cn(n)}）"


# -- the parsed text -------------------------------------------------------------------------

ARTICLES = "articles"
ITEMS = "items"

_HEADING = re.compile(rf"^#+\s*(第([{CN_NUM}]+)([编章节]))[\s\u3000]*(.*)$")
_ARTICLE = re.compile(rf"^第([{CN_NUM}]+)条(?:[ \u3000]+|$)")
_ITEM = re.compile(rf"^（([{CN_NUM}]+)）")
_PART = re.compile(rf"^([{CN_NUM}]+)、(\S.*)$")
_DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_HEAD_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日.*?(通过|修正|修订)$")
_IN_FORCE = re.compile(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起施行")
_META = re.compile(r"^(#|\||<!--|---)")

_HEAD_KIND = {"通过": "adopted", "修正": "amended", "修订": "revised"}


@dataclass(frozen=True)
class Item:
    """A 项: a line opening with （一）, kept as printed."""

    number: int
    text: str
    line: int

    @property
    def label(self) -> str:
        return item_label(self.number)


@dataclass(frozen=True)
class Clause:
    """A 款: one paragraph of a provision (the first without its 第X条 label) and its 项."""

    number: int
    text: str
    line: int
    items: tuple[Item, ...] = ()

    @property
    def full_text(self) -> str:
        return "\n".join([self.text, *(i.text for i in self.items)])


@dataclass(frozen=True)
class Division:
    """A 编, 章 or 节 of a law, or a part (一、总体要求) of an opinion, with its first and last provision."""

    level: str  # 编 章 节, or 部分 for an opinion's part
    number: int
    label: str  # 第四章, or 三、
    title: str  # 技术权益 (ideographic spaces of a spaced-out heading removed)
    line: int
    first: str | None = None  # key of its first provision
    last: str | None = None

    @property
    def heading(self) -> str:
        return f"{self.label}{self.title}" if self.level == "部分" else f"{self.label} {self.title}"


@dataclass(frozen=True)
class Provision:
    """One article (条) or one item of an opinion, with its 款 and 项."""

    key: str  # "45", or "3.2"
    label: str  # 第四十五条, or 三、（二）
    line: int  # line of the file where it starts (1-based)
    clauses: tuple[Clause, ...]
    division: str | None = None  # the heading of its 章 or part
    heading: str | None = None  # an opinion item's own title: 指导思想
    lines: tuple[str, ...] = field(default=(), repr=False)  # its lines as printed (blank lines dropped)

    @property
    def text(self) -> str:
        """The provision as printed, its paragraphs one a line."""
        return "\n".join(self.lines)

    @property
    def number(self) -> int:
        return int(self.key.split(".")[-1])

    def clause(self, n: int) -> Clause | None:
        return self.clauses[n - 1] if 1 <= n <= len(self.clauses) else None


@dataclass(frozen=True)
class TextDate:
    """A date the text itself gives, with its kind and the line it is on."""

    date: str  # ISO
    kind: str  # one of DATE_KINDS
    line: int
    says: str  # the words of the text


@dataclass(frozen=True)
class TextProblem:
    line: int
    message: str


@dataclass(frozen=True)
class ParsedText:
    layout: str  # ARTICLES or ITEMS
    title: str | None
    divisions: tuple[Division, ...]
    provisions: tuple[Provision, ...]
    dates: tuple[TextDate, ...]
    problems: tuple[TextProblem, ...]
    preamble: tuple[str, ...] = ()
    by_key: dict = field(default_factory=dict, compare=False, repr=False)

    def get(self, key: str) -> Provision | None:
        return self.by_key.get(str(key))


def _iso(y: str, m: str, d: str) -> str:
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def layout_of(lines: list[str]) -> str:
    """ARTICLES when articles start lines (第一条 …), else ITEMS."""
    return ARTICLES if any(_ARTICLE.match(s) for s in lines) else ITEMS


def parse(text: str) -> ParsedText:
    """Parse a law's or an opinion's text (Markdown as the public copies print it)."""
    lines = text.split("\n")
    if layout_of(lines) == ARTICLES:
        return _parse_articles(lines)
    return _parse_items(lines)


def _body_start(lines: list[str]) -> tuple[int, str | None, list[TextDate]]:
    """Where the body starts (after the head note), the title, and the head note's dates."""
    title, dates, start = None, [], 0
    in_front = False
    for i, raw in enumerate(lines):
        s = raw.strip()
        if i == 0 and s == "---":
            in_front = True
            continue
        if in_front:
            if s == "---":
                in_front = False
            start = i + 1
            continue
        if s.startswith("# ") and title is None:
            title = s[2:].strip()
            start = i + 1
            continue
        m = _HEAD_DATE.match(s)
        if m and not _ARTICLE.match(s):
            dates.append(TextDate(_iso(*m.groups()[:3]), _HEAD_KIND[m.group(4)], i + 1, s))
            start = i + 1
            continue
        if not s or s.startswith("|") or s.startswith("<!--"):
            start = i + 1
            continue
        break
    return start, title, dates


def _parse_articles(lines: list[str]) -> ParsedText:
    start, title, dates = _body_start(lines)
    divisions: list[Division] = []
    provisions: list[Provision] = []
    problems: list[TextProblem] = []
    cur: dict | None = None
    division: str | None = None

    def close() -> None:
        if cur is None:
            return
        clauses = tuple(Clause(n, c["text"], c["line"], tuple(c["items"])) for n, c in enumerate(cur["clauses"], 1))
        provisions.append(
            Provision(
                str(cur["number"]), cur["label"], cur["line"], clauses, cur["division"], None, tuple(cur["lines"])
            )
        )

    for i in range(start, len(lines)):
        s = lines[i].strip()
        n = i + 1
        if not s:
            continue
        h = _HEADING.match(s)
        if h:
            close()
            cur = None
            label, num, level, rest = h.groups()
            divisions.append(Division(level, cn_to_int(num), label, re.sub(r"[\s\u3000]+", "", rest), n))
            division = divisions[-1].heading
            continue
        a = _ARTICLE.match(s)
        if a:
            close()
            number = cn_to_int(a.group(1))
            label = s[: a.end()].rstrip(" \u3000")
            cur = {"number": number, "label": label, "line": n, "division": division, "lines": [s]}
            cur["clauses"] = [{"text": s[a.end() :], "line": n, "items": []}]
            continue
        if cur is None:
            problems.append(TextProblem(n, f"text outside any article: {s[:20]}…"))
            continue
        cur["lines"].append(s)
        it = _ITEM.match(s)
        if it:
            cur["clauses"][-1]["items"].append(Item(cn_to_int(it.group(1)), s, n))
        else:
            cur["clauses"].append({"text": s, "line": n, "items": []})
    close()
    for p in provisions:
        for m in _IN_FORCE.finditer(p.text):
            dates.append(TextDate(_iso(*m.groups()), "in_force", p.line, m.group(0)))
    problems += _continuity([(p.number, p.label, p.line) for p in provisions], "article")
    for p in provisions:
        for c in p.clauses:
            problems += _continuity([(i.number, i.label, i.line) for i in c.items], "item", f"{p.label}: ")
    divisions = _ranges(divisions, provisions)
    problems += _division_continuity(divisions)
    return _done(ARTICLES, title, divisions, provisions, dates, problems, ())


def _parse_items(lines: list[str]) -> ParsedText:
    start, title, dates = _body_start(lines)
    divisions: list[Division] = []
    provisions: list[Provision] = []
    problems: list[TextProblem] = []
    preamble: list[str] = []
    part: Division | None = None
    cur: dict | None = None
    body = [(i + 1, lines[i].strip()) for i in range(start, len(lines)) if lines[i].strip()]
    # The closing: the issuer and the date the document was signed, as its last two lines.
    closing: set[int] = set()
    if body and _DATE_LINE.match(body[-1][1]):
        n, s = body[-1]
        dates.append(TextDate(_iso(*_DATE_LINE.match(s).groups()), "signed", n, s))
        closing.add(n)
        if len(body) > 1 and len(body[-2][1]) <= 30 and not re.search(r"[。，；：]", body[-2][1]):
            closing.add(body[-2][0])

    def close() -> None:
        if cur is None:
            return
        clauses = tuple(Clause(k, c[1], c[0]) for k, c in enumerate(cur["clauses"], 1))
        provisions.append(
            Provision(
                cur["key"],
                cur["label"],
                cur["line"],
                clauses,
                part.heading if part else None,
                cur["heading"],
                tuple(cur["lines"]),
            )
        )

    for n, s in body:
        if n in closing:
            continue
        pm = _PART.match(s)
        if pm and len(pm.group(2)) <= 30 and not re.search(r"[。，；]", pm.group(2)):
            close()
            cur = None
            part = Division("部分", cn_to_int(pm.group(1)), f"{pm.group(1)}、", pm.group(2), n)
            divisions.append(part)
            continue
        it = _ITEM.match(s)
        if it and part is not None:
            close()
            number = cn_to_int(it.group(1))
            rest = s[it.end() :]
            head = re.match(r"^([^。，；：]{1,30})。", rest)
            cur = {
                "key": f"{part.number}.{number}",
                "label": f"{part.label}{it.group(0)}",
                "line": n,
                "heading": head.group(1) if head else None,
                "lines": [s],
                "clauses": [(n, s)],
            }
            continue
        if cur is None:
            if part is None:
                preamble.append(s)
            else:
                problems.append(TextProblem(n, f"text outside any item: {s[:20]}…"))
            continue
        cur["lines"].append(s)
        cur["clauses"].append((n, s))
    close()
    problems += _continuity([(d.number, d.label, d.line) for d in divisions], "part")
    for d in divisions:
        items = [p for p in provisions if p.division == d.heading]
        problems += _continuity(
            [(p.number, item_label(p.number), p.line) for p in items], "item", f"{d.label}{d.title}: "
        )
    divisions = _ranges(divisions, provisions)
    return _done(ITEMS, title, divisions, provisions, dates, problems, tuple(preamble))


def _done(layout, title, divisions, provisions, dates, problems, preamble) -> ParsedText:
    by_key: dict[str, Provision] = {}
    for p in provisions:
        by_key.setdefault(p.key, p)
    return ParsedText(
        layout,
        title,
        tuple(divisions),
        tuple(provisions),
        tuple(dates),
        tuple(sorted(problems, key=lambda p: p.line)),
        tuple(preamble),
        by_key,
    )


def _ranges(divisions: list[Division], provisions: list[Provision]) -> list[Division]:
    out = []
    for d in divisions:
        mine = [p for p in provisions if p.division == d.heading]
        out.append(
            Division(
                d.level,
                d.number,
                d.label,
                d.title,
                d.line,
                mine[0].key if mine else None,
                mine[-1].key if mine else None,
            )
        )
    return out


def _label(what: str, n: int) -> str:
    return {
        "article": lambda: article_label(n),
        "item": lambda: item_label(n),
        "part": lambda: f"{int_to_cn(n)}、",
        "chapter": lambda: f"第{int_to_cn(n)}章",
        "book": lambda: f"第{int_to_cn(n)}编",
    }[what]()


def _continuity(seq: list[tuple[int, str, int]], what: str, where: str = "") -> list[TextProblem]:
    """Numbers must run 1, 2, 3 … as printed: name each line where they do not."""
    out = []
    expected = 1
    seen: dict[int, int] = {}
    for number, label, line in seq:
        after = f"follows {_label(what, expected - 1)}" if expected > 1 else "comes first"
        if number in seen:
            out.append(
                TextProblem(
                    line,
                    f"{where}{label} appears twice (also line {seen[number]}); {what}s must be numbered continuously as printed",
                )
            )
        elif number > expected:
            gap = (
                f"{_label(what, expected)} is missing"
                if number == expected + 1
                else f"{_label(what, expected)} to {_label(what, number - 1)} are missing"
            )
            out.append(
                TextProblem(line, f"{where}{label} {after}: {gap}; {what}s must be numbered continuously as printed")
            )
        elif number < expected:
            out.append(
                TextProblem(
                    line,
                    f"{where}{label} {after}: expected {_label(what, expected)}; {what}s must be numbered continuously as printed",
                )
            )
        seen.setdefault(number, line)
        expected = max(expected, number + 1)
    return out


def _division_continuity(divisions: list[Division]) -> list[TextProblem]:
    out = []
    for level, what in (("编", "book"), ("章", "chapter")):
        out += _continuity([(d.number, d.label, d.line) for d in divisions if d.level == level], what)
    return out


def verify(parsed: ParsedText, text: str) -> list[TextProblem]:
    """Each provision's lines read again from the file at their place: verbatim, or a problem."""
    lines = text.split("\n")
    out = []
    for p in parsed.provisions:
        if not (1 <= p.line <= len(lines)) or lines[p.line - 1].strip() != p.lines[0]:
            out.append(TextProblem(p.line, f"{p.label}: not found verbatim at its line"))
        for c in p.clauses:
            for it in c.items:
                if lines[it.line - 1].strip() != it.text:
                    out.append(TextProblem(it.line, f"{p.label}{it.label}: not found verbatim at its line"))
    return out


# -- cross-references ------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A reference printed in a provision (`前款第一项至第三项`, `本法第十四条`, `《…》`)."""

    key: str  # the referring provision
    clause: int  # its 款
    says: str  # the words as printed
    target_doc: str | None  # None: the same document; else the title named in 《》
    target_key: str | None  # provision key, None for a whole document
    target_clause: int | None = None
    target_items: tuple[int, ...] = ()


_N = rf"[{CN_NUM}]+"
_REF = re.compile(
    rf"(?P<prev>前(?P<prevn>[两二三])?款(?:第(?P<pi1>{_N})项(?:至第(?P<pi2>{_N})项)?)?)"
    rf"|(?P<this>本条第(?P<tk>{_N})款(?:第(?P<ti1>{_N})项)?)"
    rf"|(?P<own>本(?:法|条例|规定|办法)第(?P<oa>{_N})条(?:第(?P<ok>{_N})款)?(?:第(?P<oi>{_N})项)?)"
    rf"|(?P<other>《(?P<title>[^》]+)》(?:第(?P<xa>{_N})条(?:第(?P<xk>{_N})款)?)?)"
)


def references(parsed: ParsedText) -> list[Ref]:
    """The references each provision prints, resolved to keys of this document where they can be."""
    out = []
    for p in parsed.provisions:
        for c in p.clauses:
            for m in _REF.finditer(c.full_text):
                g = m.groupdict()
                if g["prev"]:
                    back = {None: 1, "两": 2, "二": 2, "三": 3}[g["prevn"]]
                    if c.number - back < 1:
                        continue
                    items: tuple[int, ...] = ()
                    if g["pi1"]:
                        lo = cn_to_int(g["pi1"])
                        hi = cn_to_int(g["pi2"]) if g["pi2"] else lo
                        items = tuple(range(lo, hi + 1))
                    for k in range(c.number - back, c.number):
                        out.append(Ref(p.key, c.number, m.group(0), None, p.key, k, items))
                elif g["this"]:
                    items = (cn_to_int(g["ti1"]),) if g["ti1"] else ()
                    out.append(Ref(p.key, c.number, m.group(0), None, p.key, cn_to_int(g["tk"]), items))
                elif g["own"]:
                    items = (cn_to_int(g["oi"]),) if g["oi"] else ()
                    k = cn_to_int(g["ok"]) if g["ok"] else None
                    out.append(Ref(p.key, c.number, m.group(0), None, str(cn_to_int(g["oa"])), k, items))
                elif g["other"]:
                    key = str(cn_to_int(g["xa"])) if g["xa"] else None
                    k = cn_to_int(g["xk"]) if g["xk"] else None
                    out.append(Ref(p.key, c.number, m.group(0), g["title"], key, k))
    return out
