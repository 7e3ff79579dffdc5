"""Query understanding: what a writer's words mean before the index is asked.

- Years typed as words (`习近平 2021`, `2016年 科技成果转化`, `2020年的讲话`, `2018—2022年`) become a
  date constraint on the record, said in a notice ("（2021 按日期理解）"), unless quoted.
- Synonyms, aliases (corpus/aliases.yaml: 中办 = 中共中央办公厅, 中共中央总书记 = 总书记) and
  abbreviations widen a query word, also when a group member is several index terms (R&D经费).
- `--topic` names fold like queries (科技評價 = 科技评价); `--speaker/--issuer` names go through
  the aliases, and an unknown topic or name is an error naming the closest known ones.
- Spelling: on zero or few hits, the closest index terms by character edit distance and pinyin
  (the domain dictionary first), each with its hit count: 您是否要找:四个面向(2).

Everything here is bounded: a query's words, the index terms scanned, the candidates counted.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from kb.dates import DateFormatError, parse_date
from kb.errors import QueryError
from kb.filters import Filters
from kb.text import fold, squash

# -- years typed as words ------------------------------------------------------------------------

_Y = r"(?:19|20)\d{2}"
_RANGE = re.compile(rf"(?<![\d.])({_Y})\s*年?\s*(?:-|—|–|~|～|至|到)\s*({_Y})\s*年?(?:度)?(?:的)?(?![\d.])")
# 以来 / 以后 / 之后 / 起: from that date on; 以前 / 之前: up to it.
_OPEN = "(以来|以后|之后|起|以前|之前)?"
_YMD = re.compile(rf"(?<![\d.])({_Y})年(?:(\d{{1,2}})月(?:(\d{{1,2}})日)?)?(?:度)?{_OPEN}(?:的)?(?!\d)")
_BARE = re.compile(rf"(?:(?<=\s)|^)({_Y})(?:-(\d{{1,2}})(?:-(\d{{1,2}}))?)?{_OPEN}(?=\s|$)")
_SINCE = ("以来", "以后", "之后", "起")
# Text a date reading must not touch: quoted phrases, 《titles》 and field:value terms.
_PROTECTED = re.compile(r'"[^"]*"|《[^》]*》|\w+:\S+')
DATE_NOTE = "（{} 按日期理解）"


@dataclass(frozen=True)
class DateReading:
    """A query with its dates taken out: the words left, the period, and how it was written."""

    text: str
    start: date | None  # None: open (以前)
    end: date | None  # None: open (以来)
    written: tuple[str, ...]

    @property
    def note(self) -> str:
        return DATE_NOTE.format("、".join(self.written))


def read_dates(text: str) -> DateReading | None:
    """The dates a query names as words, or None. Quoted phrases, 《titles》 and field:value
    terms are left alone, so `"2021年"` is searched as text."""
    folded = fold(text)
    keep = [(m.start(), m.end()) for m in _PROTECTED.finditer(folded)]
    spans: list[tuple[int, int, date, date]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < ke and ks < e for ks, ke in keep) and not any(s < se and ss < e for ss, se, _, _ in spans)

    for rx, kind in ((_RANGE, "range"), (_YMD, "ymd"), (_BARE, "bare")):
        for m in rx.finditer(folded):
            if not free(m.start(), m.end()):
                continue
            try:
                if kind == "range":
                    a, b = sorted((int(m.group(1)), int(m.group(2))))
                    lo, hi = parse_date(str(a)).start, parse_date(str(b)).end
                else:
                    y, mo, d = m.group(1), m.group(2), m.group(3)
                    iso = y + (f"-{int(mo):02d}" if mo else "") + (f"-{int(d):02d}" if mo and d else "")
                    span = parse_date(iso)
                    lo, hi = span.start, span.end
                    if m.group(4):
                        lo, hi = (lo, None) if m.group(4) in _SINCE else (None, hi)
            except (DateFormatError, ValueError):
                continue
            spans.append((m.start(), m.end(), lo, hi))
    if not spans:
        return None
    spans.sort()
    rest, pos = [], 0
    for s, e, _, _ in spans:
        rest.append(text[pos:s])
        rest.append(" ")
        pos = e
    rest.append(text[pos:])
    written = tuple(re.sub(r"(?:度)?的$", "", text[s:e].strip()) for s, e, _, _ in spans)
    los = [lo for _, _, lo, _ in spans]
    his = [hi for _, _, _, hi in spans]
    return DateReading(
        " ".join("".join(rest).split()),
        None if None in los else min(los),
        None if None in his else max(his),
        written,
    )


# Words that name a kind of record: "2021年的政策" asks for policies, not for the word 政策.
KIND_WORDS = {
    "政策": "policy",
    "政策文件": "policy",
    "讲话": "remark",
    "重要讲话": "remark",
    "论述": "remark",
    "统计": "statistic",
    "统计数据": "statistic",
    "数据": "statistic",
    "文献": "reference",
    "参考文献": "reference",
}
KIND_NOTE = "（{} 按记录类型理解）"
_OF_KIND = re.compile(rf"^(.+?)(?:上|中|时)?的({'|'.join(sorted(KIND_WORDS, key=len, reverse=True))})$")
LITERAL_NOTE = "（{} 如此理解无结果，改按文字检索）"


@dataclass(frozen=True)
class Understanding:
    """A query with its dates and kind words taken out, the filters they make, and notices."""

    text: str
    filters: Filters
    written: tuple[str, ...]  # the words read as constraints, as typed
    notes: tuple[str, ...]

    @property
    def literal_note(self) -> str:
        return LITERAL_NOTE.format("、".join(self.written))


def understand(text: str, filters: Filters) -> Understanding | None:
    """Years (read_dates) and kind words (KIND_WORDS, whole words, when no --kind is given)
    read as constraints on the record; None when the query has none, or when the filters
    already exclude what they name."""
    written: list[str] = []
    notes: list[str] = []
    reading = read_dates(text)
    if reading is not None:
        dated = with_period(filters, reading.start, reading.end)
        if dated is not None:
            text, filters = reading.text, dated
            written += reading.written
            notes.append(reading.note)
    if not filters.kinds and '"' not in text and ":" not in text:
        kept, kw = [], []
        for w in text.split():
            m = _OF_KIND.match(w)
            if w in KIND_WORDS:
                kw.append(w)
            elif m:  # 院士大会上的讲话: the speeches at the 院士大会
                kept.append(m.group(1))
                kw.append(m.group(2))
            else:
                kept.append(w)
        if kw:
            text = " ".join(kept)
            filters = replace(filters, kinds=tuple(dict.fromkeys(KIND_WORDS[w] for w in kw)))
            written += kw
            notes.append(KIND_NOTE.format("、".join(kw)))
    return Understanding(text, filters, tuple(written), tuple(notes)) if written else None


def with_period(filters: Filters, start: date | None, end: date | None) -> Filters | None:
    """`filters` narrowed to the period (None: open), or None when the filters' own period
    excludes it."""
    lo = max(x for x in (start, filters.start) if x) if (start or filters.start) else None
    hi = min(x for x in (end, filters.end) if x) if (end or filters.end) else None
    if lo and hi and lo > hi:
        return None
    return replace(filters, start=lo, end=hi)


# -- synonyms and aliases --------------------------------------------------------------------------


def synonym_groups(
    synonyms: Iterable[Iterable[str]], aliases: Mapping[str, Mapping[str, Iterable[str]]]
) -> list[tuple[str, ...]]:
    """Every group of words that mean the same: synonyms.yaml's groups and each alias entry."""
    groups = [tuple(g) for g in synonyms]
    for entries in aliases.values():
        for name, others in entries.items():
            groups.append((name, *others))
    return groups


HEAD_WEIGHT = 0.9  # a query word's group's first (canonical) word, when it is not the word typed
OTHER_WEIGHT = 0.8  # the group's other words: the word as typed (1.0) ranks its own matches first

Expansions = dict[tuple[str, ...], list[tuple[tuple[str, ...], float]]]


def expansion_map(groups: Iterable[tuple[str, ...]], analyze: Callable[[str], list[str]]) -> Expansions:
    """Each member's index terms -> the index terms of the other members of its groups, each
    with its weight (HEAD_WEIGHT for a group's first word, OTHER_WEIGHT for the others)."""
    out: Expansions = {}
    for group in groups:
        analyzed = [tuple(a) for a in (analyze(w) for w in group) if a]
        for a in analyzed:
            alts = out.setdefault(a, [])
            for i, x in enumerate(analyzed):
                if x != a and all(x != y for y, _ in alts):
                    alts.append((x, HEAD_WEIGHT if i == 0 else OTHER_WEIGHT))
    return out


def widen(q, syn: Expansions, fields: tuple[str, ...]):
    """The query with each synonym, alias or abbreviation also matching its group's other
    members, weighed below the word typed (Whoosh boosts; a member of n index terms is an And
    weighed 1/n, so it counts like one word, not n). A word that is several index terms
    (an And of terms in one field, as Whoosh parses R&D经费 or 中共中央总书记) is widened where
    a run of its terms is a member."""
    from whoosh import query as Q

    longest = max((len(k) for k in syn), default=0)

    def terms(field: str, texts: tuple[str, ...], boost: float = 1.0):
        if len(texts) == 1:
            return Q.Term(field, texts[0], boost=boost)
        return Q.And([Q.Term(field, t) for t in texts], boost=boost)

    def run(field: str, seq: list[str]):
        parts, i = [], 0
        while i < len(seq):
            for n in range(min(longest, len(seq) - i), 0, -1):
                key = tuple(seq[i : i + n])
                if key in syn:
                    parts.append(Q.Or([terms(field, key)] + [terms(field, alt, w / len(alt)) for alt, w in syn[key]]))
                    i += n
                    break
            else:
                parts.append(Q.Term(field, seq[i]))
                i += 1
        return parts[0] if len(parts) == 1 else Q.And(parts)

    def visit(node):
        if isinstance(node, Q.Term):
            return run(node.fieldname, [node.text]) if node.fieldname in fields else node
        if (
            isinstance(node, Q.And)
            and node.subqueries
            and all(
                isinstance(s, Q.Term) and s.fieldname in fields and s.fieldname == node.subqueries[0].fieldname
                for s in node.subqueries
            )
        ):
            return run(node.subqueries[0].fieldname, [s.text for s in node.subqueries])
        if node.is_leaf():
            return node
        return node.apply(visit)

    return visit(q) if syn else q


# -- names: topics, speakers and issuers -----------------------------------------------------------


def resolve_topic(name: str, topics: Mapping[str, str], synonyms: Iterable[Iterable[str]] = ()) -> str:
    """The topic `name` means: itself, the topic it folds to (科技評價 → 科技评价), or the topic
    named in its synonym group; QueryError naming the closest topics otherwise."""
    if not topics or name in topics:
        return name
    key = squash(fold(name))
    for t in topics:
        if squash(fold(t)) == key:
            return t
    for group in synonyms:
        if key in {squash(fold(w)) for w in group}:
            found = [t for t in topics if t in group]
            if len(found) == 1:
                return found[0]
    near = closest(name, list(topics))
    hint = f"; closest: {', '.join(near)}" if near else ""
    where = f"use one of: {', '.join(topics)}" if len(topics) <= 8 else "see corpus/topics.yaml"
    raise QueryError(f"--topic: {name!r} is not a topic of this corpus{hint} ({where})")


@dataclass(frozen=True)
class People:
    """What a --speaker/--issuer value means: the names to match (any of them), and a note when
    an alias was followed."""

    names: tuple[str, ...]
    note: str | None = None


def resolve_people(value: str, aliases: Mapping[str, Mapping[str, Iterable[str]]]) -> People:
    """A --speaker/--issuer value through the alias table: 中办 → 中共中央办公厅 (the name as
    records write it: the people field holds that name, so the alias itself is not matched)."""
    key = squash(fold(value))
    for entries in aliases.values():
        for name, others in entries.items():
            if key == squash(fold(name)):
                return People((name,))
            if key in {squash(fold(o)) for o in others}:  # records write the name, not the alias
                return People((name,), f"{value} = {name}")
    return People((value,))


def check_people(
    value: str, people: People, known: Callable[[str], bool], candidates: Callable[[], Iterable[str]]
) -> None:
    """QueryError when no name `people` stands for is known in the corpus, naming the closest."""
    if any(known(n) for n in people.names):
        return
    if people.note:  # a known alias of a body that issued nothing here: zero hits, not an error
        return
    near = closest(value, list(dict.fromkeys(candidates())))
    hint = f"; closest: {', '.join(near)}" if near else ""
    raise QueryError(f"--speaker/--issuer: {value!r} is not a speaker or issuer of this corpus{hint}")


def resolve(
    filters: Filters,
    topics: Mapping[str, str],
    synonyms,
    aliases,
    known: Callable[[str], bool],
    candidates: Callable[[], Iterable[str]],
) -> tuple[Filters, tuple[str, ...]]:
    """Filters with topics folded to their names and people resolved through the aliases,
    and the notices to print (an alias followed)."""
    notes: list[str] = []
    out = filters
    if filters.topics:
        out = replace(out, topics=tuple(dict.fromkeys(resolve_topic(t, topics, synonyms) for t in filters.topics)))
    if filters.people:
        people = resolve_people(filters.people, aliases)
        check_people(filters.people, people, known, candidates)
        if people.note:
            notes.append(f"（{people.note}）")
        out = replace(out, people_any=people.names)
    return out, tuple(notes)


def alias_names(aliases: Mapping[str, Mapping[str, Iterable[str]]]) -> list[str]:
    out: list[str] = []
    for entries in aliases.values():
        for name, others in entries.items():
            out += [name, *others]
    return out


# -- spelling -------------------------------------------------------------------------------------

MAX_WORD = 16  # longer words are not corrected (the hard helper caps the query itself)
MAX_SCAN = 200_000  # index terms looked at per word
MAX_PINYIN = 3_000  # candidates whose pinyin is computed per word
MAX_COUNTED = 4  # candidates whose hits are counted
MAX_SUGGESTIONS = 3
MAX_CONTEXT_RECORDS = 10  # records whose text is scanned for a misspelt word cut into pieces
FEW_HITS = 2
SPELLING = "您是否要找：{query}（{hits}）"


class Suggestion(str):
    """A hint shown when a query finds nothing or little: its text, and for a spelling or a
    dropped word the query to run instead and how many hits it gives."""

    query: str | None
    hits: int | None
    kind: str

    def __new__(cls, text: str, query: str | None = None, hits: int | None = None, kind: str = "hint"):
        s = super().__new__(cls, text)
        s.query, s.hits, s.kind = query, hits, kind
        return s

    def to_json(self) -> dict:
        return {"text": str(self), "kind": self.kind, "query": self.query, "hits": self.hits}


_NON_WORD = re.compile(r"[^\w]+")


def _in_context(word: str, analyze, exists, texts) -> list[str]:
    """Corrections of a word no index term is close to, because the misspelling made jieba
    cut it differently (国之重气 → 国之重, 气): the closest spans of the same length in the
    texts of the few records holding one of its pieces (国之 … 国之重器)."""
    w = squash(fold(word))
    if len(w) < 3:
        return []
    candidates = [p for p in analyze(word) if len(p) >= 2] + [w[i : i + 2] for i in range(len(w) - 1)]
    pieces = [p for p in dict.fromkeys(candidates) if exists(p)]
    if not pieces:
        return []
    spans: list[str] = []
    for text in texts(pieces):
        t = _NON_WORD.sub("", fold(text))
        for size in (len(w) - 1, len(w), len(w) + 1):
            spans.extend(t[i : i + size] for i in range(max(0, len(t) - size + 1)))
            if len(spans) > MAX_SCAN:
                break
    return closest(word, (sp for sp in spans if _han(sp)), n=1, contains=False)


def carried(suggestions, asked: str, typed: str) -> tuple:
    """Spelling suggestions made for `asked` (the query with its dates and kinds taken out)
    restated for `typed`, the query as written: 量子科枝 2021 → 量子科技 2021."""
    out = []
    for sg in suggestions:
        if getattr(sg, "kind", None) == "spelling" and sg.query is not None:
            old, new = asked.split(), sg.query.split()
            if len(old) == len(new):
                q = _substitute(typed, {o: n for o, n in zip(old, new, strict=True) if o != n})
                sg = Suggestion(SPELLING.format(query=q, hits=sg.hits), q, sg.hits, sg.kind)
        out.append(sg)
    return tuple(out)


def _substitute(text: str, replace_by: Mapping[str, str]) -> str:
    """`text` with each whole word of `replace_by` replaced (words are split on white space)."""
    return " ".join(replace_by.get(w, w) for w in text.split())


def edit_distance(a: str, b: str, sub_cost: Callable[[str, str], float] | None = None) -> float:
    """Levenshtein distance over characters; `sub_cost` prices a substitution (default 1)."""
    prev = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        cur = [float(i)]
        for j, cb in enumerate(b, 1):
            sub = 0.0 if ca == cb else (sub_cost(ca, cb) if sub_cost else 1.0)
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + sub))
        prev = cur
    return prev[-1]


def _pinyin():
    """pypinyin's lazy_pinyin (toneless), imported on this path only; None when missing."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - a declared dependency; spelling still works without
        return None
    return lazy_pinyin


def _han(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text)


def closest(
    word: str, candidates: Iterable[str], n: int = 3, first: Iterable[str] = (), contains: bool = True
) -> list[str]:
    """The candidates nearest to `word`: character edit distance where a substitution by a
    character of the same pinyin costs half; candidates in `first` (the domain dictionary)
    before others at the same distance. At most `n`, within a distance of a third of the word;
    when fewer are that close and `contains`, then the candidates that hold the word."""
    w = squash(fold(word))
    if not w:
        return []
    firsts = {squash(fold(f)) for f in first}
    limit = max(1.0, len(w) / 3)
    pin = _pinyin() if _han(w) else None
    sounds: dict[str, str] = {}

    def sound(ch: str) -> str:
        if ch not in sounds:
            sounds[ch] = pin(ch)[0] if pin else ch
        return sounds[ch]

    def sub_cost(a: str, b: str) -> float:
        return 0.5 if pin and _han(a) and _han(b) and sound(a) == sound(b) else 1.0

    scored = []
    seen = set()
    kept: list[str] = []
    budget = MAX_PINYIN
    for i, c in enumerate(candidates):
        if i >= MAX_SCAN:
            break
        key = squash(fold(c))
        if contains and w in key and key != w and len(kept) < 50:
            kept.append(c)
        if not key or key == w or key in seen or abs(len(key) - len(w)) > limit:
            continue
        seen.add(key)
        if len(set(key) & set(w)) < max(1, len(w) - int(limit) - 1):
            continue  # too few characters in common to be within the limit (cheap pre-check)
        budget -= 1
        if budget < 0:
            break
        d = edit_distance(w, key, sub_cost)
        if d <= limit:
            scored.append((d, key not in firsts, i, c))
    scored.sort()
    out = [c for *_, c in scored[:n]]
    if len(out) < n and contains:
        # A part of a long name (全国人大 for 全国人大常委会): names holding the word, shortest first.
        held = sorted((c for c in dict.fromkeys(kept) if c not in out), key=len)
        out += held[: n - len(out)]
    return out


def spelling(
    text: str,
    words: list[str],
    count: Callable[[str], int],
    vocabulary: Callable[[], Iterable[str]],
    dictionary: Iterable[str],
    analyze: Callable[[str], list[str]] | None = None,
    exists: Callable[[str], bool] | None = None,
    texts: Callable[[list[str]], Iterable[str]] | None = None,
) -> list[Suggestion]:
    """Did-you-mean suggestions for the query `text` of `words`: each word that finds nothing
    by itself is replaced (in the query as written, operators kept) by its closest index
    terms; each corrected query is offered with its hits."""
    words = [w for w in words if w]
    exists = exists or (lambda w: count(w) > 0)
    suspects = [i for i, w in enumerate(words) if len(w) <= MAX_WORD and (_han(w) or w.isalpha())]
    suspects = [i for i in suspects if not exists(words[i])]  # unknown to the whole corpus, not just the filters
    if not suspects:
        return []
    dictionary = [d.split()[0] for d in dictionary if d.strip()]
    vocab = list(dict.fromkeys([*dictionary, *itertools.islice(vocabulary(), MAX_SCAN)]))
    options: dict[int, list[str]] = {}
    for i in suspects:
        options[i] = closest(words[i], vocab, n=MAX_COUNTED, first=dictionary, contains=False)
        if not options[i] and texts is not None:
            options[i] = _in_context(words[i], analyze, exists, texts)
    if not any(options.values()):
        return []
    out: list[Suggestion] = []
    tried = 0
    # One word wrong: each of its candidates; several: the best candidate of each together.
    variants: list[dict[str, str]] = []
    if len(suspects) == 1:
        i = suspects[0]
        variants += [{words[i]: c} for c in options[i]]
    else:
        variants.append({words[j]: options[j][0] for j in suspects if options.get(j)})
    for v in variants:
        if tried >= MAX_COUNTED or len(out) >= MAX_SUGGESTIONS:
            break
        q = _substitute(text, v)
        tried += 1
        n = count(q)
        if n:
            out.append(Suggestion(SPELLING.format(query=q, hits=n), q, n, "spelling"))
    return out
