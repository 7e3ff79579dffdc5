"""Is this text a verbatim quotation in the corpus? Whose, when, which record, and is it disputed?

A writer (or a writer's AI assistant) checks a sentence before quoting it. The text is
compared with every recorded quotation (`quotes[].text`, a statistic's `quote`) and every
article or item of a policy's full text (`text_file`, form `text`) the way
`kb check` compares quotations with their source: white space ignored, and here also
full-width and half-width punctuation folded alike (`，` = `,`, `：` = `:`, “ ” = "), because
the chapter's PDF text has half-width commas where a writer types full-width ones. An
ellipsis in the text (`…`, `……`, `...`) marks an omission: each part must appear verbatim, in
order, in the same quotation. Nothing else is forgiven: a different character, a traditional
form or a changed word makes the text a near miss, answered with the closest quotations and
what they really say. A text found only in a source's running text (the chapter's own words,
not a recorded quotation) is reported as such.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kb import doctexts
from kb.corpus import Corpus
from kb.errors import QueryError
from kb.records import FORM_ZH, Record
from kb.text import fold

TEXT = "text"  # the form of a policy's own text (an article of a law), beside direct and reported
FORMS_ZH = {**FORM_ZH, TEXT: "文件原文"}
MAX_CHARS = 2000  # a quotation to verify, not a chapter
MIN_CHARS = 2  # fewer characters (after punctuation) would match anywhere
NEAR = 0.5  # similarity from which a quotation is offered as the closest
CLOSEST = 3  # how many near misses are offered
MATCHES = 20  # how many verbatim matches are listed (the total is always given)

# Punctuation a writer types in full width, or in another quotation-mark style, and the chapter
# in half width: folded alike for comparison. Full-width ASCII (，：；？！（）) comes from the table.
_MARKS = {
    "“": '"',
    "”": '"',
    "„": '"',
    "〝": '"',
    "〞": '"',
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "‘": "'",
    "’": "'",
    "\u3000": " ",
}
_WIDTH = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)} | {ord(k): v for k, v in _MARKS.items()}
_ELLIPSIS = re.compile(r"(?:…|⋯|\.{3,}|。{3,})+")
# Stripped at the edges of each part of the text: quotation marks, brackets, sentence marks.
_EDGE = "\"',.;:!?、。()[]<>《》〈〉【】 \t\r\n"


def _normalize(text: str, variants: bool = False) -> tuple[str, list[int]]:
    """White space dropped and punctuation width folded (with `variants`, also traditional →
    simplified and case, via kb.text.fold); returns the text and, for each of its characters,
    its offset in `text`, so a match can be cut out of the original."""
    src = fold(text) if variants else text
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(src):
        if ch.isspace():
            continue
        out.append(ch.translate(_WIDTH))
        where.append(i)
    return "".join(out), where


def _parts(text: str) -> list[str]:
    """The normalized text cut at its ellipses, each part stripped of edge punctuation."""
    parts = [p.strip(_EDGE) for p in _ELLIPSIS.split(text)]
    return [p for p in parts if p]


@dataclass(frozen=True)
class _Unit:
    """One text a writer may quote: a quotation of a record (or two that the source's layout
    split, joined), normalized once."""

    record: Record
    indexes: tuple[int, ...]  # positions in record.quotes
    text: str
    form: str
    norm: str
    where: tuple[int, ...]
    loose: str  # normalized with character variants folded too, for near misses
    provision: tuple[str, str] | None = None  # (key, label) of a policy text's article or item

    @property
    def key(self) -> tuple:
        return (self.record.id, self.provision[0] if self.provision else self.indexes)


class QuoteIndex:
    """The corpus's quotations, normalized, with a character-bigram index to find near misses
    without comparing the text with every quotation (built once; a KnowledgeBase keeps it)."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.units: list[_Unit] = []
        for rec in corpus.records:
            quotes = rec.quotes
            for i, q in enumerate(quotes):
                self._add(rec, (i,), q.text, q.form)
                # A quotation the source's layout cut in two (a footnote in mid-sentence) is also
                # matched whole: the first part ends without a sentence mark, the next goes on.
                if i + 1 < len(quotes) and quotes[i + 1].form == q.form and not q.text.rstrip().endswith(_ENDS):
                    self._add(rec, (i, i + 1), q.text + quotes[i + 1].text, q.form)
            # A policy's full text (`text_file`): each article or item is quotable as the
            # document's own words.
            parsed = doctexts.parsed_of(corpus.root, rec) if rec.kind == "policy" else None
            for prov in parsed.provisions if parsed else ():
                self._add(rec, (), prov.text, TEXT, (prov.key, prov.label))
        self.bigrams: dict[str, set[int]] = {}
        for n, unit in enumerate(self.units):
            for bg in _bigrams(unit.loose):
                self.bigrams.setdefault(bg, set()).add(n)
        self._sources: dict[str, str] | None = None

    def _add(self, rec: Record, indexes: tuple[int, ...], text: str, form: str, provision=None) -> None:
        norm, where = _normalize(text)
        loose, _ = _normalize(text, variants=True)
        self.units.append(_Unit(rec, indexes, text, form, norm, tuple(where), loose, provision))

    def sources(self) -> dict[str, str]:
        """The normalized full texts of the corpus's `source` records (read once)."""
        if self._sources is None:
            self._sources = {}
            for rec in self.corpus.records:
                if rec.kind == "source":
                    text = self.corpus.source_text(rec.id)
                    if text:
                        self._sources[rec.id] = _normalize(text)[0]
        return self._sources


_ENDS = ("。", "！", "？", "!", "?", "”", "」", '"', "…")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True)
class QuoteMatch:
    """A recorded quotation that contains the text (verbatim), or comes closest to it."""

    record: Record
    indexes: tuple[int, ...]
    quote: str  # the whole quotation as recorded (or the article of a policy's text)
    form: str  # direct | reported | text (a policy's own text)
    excerpt: str  # the corpus's own wording of the part that matched ("……" where the text omits)
    similarity: float  # 1.0 for a verbatim match
    disputes: tuple[dict, ...]  # disputed checks that bear on this quotation
    checks: tuple[dict, ...]  # the record's other checks (what other sources say)
    record_disputed: bool  # the record has a disputed check, whether or not about this quotation
    provision: tuple[str, str] | None = None  # (key, label) when the words are a policy text's article

    def to_json(self) -> dict[str, Any]:
        rec = self.record
        speaker = (rec.get("speaker") or rec.get("body")) if rec.kind in ("remark", "event") else None
        return {
            "id": rec.id,
            "kind": rec.kind,
            "date": rec.date_iso,
            "date_zh": rec.date_zh,
            "date_source": rec.source_date,
            "speaker": speaker,
            "speaker_role": rec.get("speaker_role") if speaker else None,
            "people": list(rec.people),
            "occasion": rec.get("occasion"),
            "title": rec.title,
            "quote_index": list(self.indexes),
            "form": self.form,
            "form_zh": FORMS_ZH.get(self.form, self.form),
            "provision": {"key": self.provision[0], "label": self.provision[1], "ref": f"{rec.id}#{self.provision[0]}"}
            if self.provision
            else None,
            "quote": self.quote,
            "excerpt": self.excerpt,
            "similarity": round(self.similarity, 3),
            "disputed": bool(self.disputes),
            "disputes": list(self.disputes),
            "record_disputed": self.record_disputed,
            "checks": list(self.checks),
            "source": {"record": rec.source_id, "section": rec.section},
            "cite": f"kb cite {rec.id}",
        }


@dataclass(frozen=True)
class QuoteCheck:
    """The answer to "may I quote this?": verbatim or not, where, and the closest if not."""

    text: str
    verdict: str  # verbatim | in_source (a source's own words) | near_miss | not_found
    matches: tuple[QuoteMatch, ...]  # verbatim matches, earliest first
    total: int  # verbatim matches in all (matches lists at most MATCHES)
    closest: tuple[QuoteMatch, ...]  # when not verbatim: the nearest quotations, best first
    elided: bool  # the text omits words with an ellipsis
    in_sources: tuple[str, ...]  # source records whose running text has it, when no quotation does

    @property
    def verbatim(self) -> bool:
        return self.verdict == "verbatim"

    @property
    def disputed(self) -> bool:
        """A dispute bears on the quotation found (or, for a near miss, on the closest one, the
        text a writer would quote instead)."""
        return any(m.disputes for m in self.matches) or bool(self.closest and self.closest[0].disputes)

    @property
    def message(self) -> str:
        """One line in Chinese: the verdict a writer acts on."""
        if self.verbatim:
            first = self.matches[0]
            rec = first.record
            who = first.to_json()["speaker"] or "、".join(rec.people) or "本章"
            more = f"(共{self.total}处,最早一处)" if self.total > 1 else ""
            form = _form_zh(first)
            line = f"是语料中的原文{more}:{rec.date_zh} {who} · {rec.headline}({form};id: {rec.id})"
            if self.elided:
                line += ";文中省略处以……标出"
            if self.disputed:
                line += ";注意:归属存疑,引用时须说明"
            return line
        if self.in_sources:
            return (
                f"不是语料记录的引语:此文字见于来源 {', '.join(self.in_sources)} 的正文,"
                "是该来源自己的叙述,不能作为讲话原话引用"
            )
        if self.closest:
            best = self.closest[0]
            return (
                f"不是语料中的原文;最接近的是 {best.record.id} 的{_form_zh(best)}"
                f"(相似度 {best.similarity:.2f}),原文为:{best.excerpt}"
                + (";该引语归属存疑,引用时须说明" if best.disputes else "")
            )
        return "不是语料中的原文,语料中也没有相近的引语"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "verbatim": self.verbatim,
            "verdict": self.verdict,
            "message": self.message,
            "disputed": self.disputed,
            "elided": self.elided,
            "total": self.total,
            "matches": [m.to_json() for m in self.matches],
            "closest": [m.to_json() for m in self.closest],
            "in_sources": list(self.in_sources),
        }


def _form_zh(m: QuoteMatch) -> str:
    """直接引语, 转述, or 文件原文 第四十五条."""
    form = FORMS_ZH.get(m.form, m.form)
    return f"{form} {m.provision[1]}" if m.provision else form


def verify_quote(corpus: Corpus, text: str, index: QuoteIndex | None = None) -> QuoteCheck:
    """Check `text` against every quotation of `corpus`; QueryError for an empty, too short or
    too long text. Pass the `index` a KnowledgeBase keeps to skip rebuilding it."""
    if text is None or not str(text).strip():
        raise QueryError("the text to verify is empty (give the sentence you want to quote)")
    text = str(text)
    if len(text) > MAX_CHARS:
        raise QueryError(f"the text to verify has {len(text)} characters; verify at most {MAX_CHARS} at a time")
    index = index or QuoteIndex(corpus)
    norm, _ = _normalize(text)
    parts = _parts(norm)
    if sum(len(p) for p in parts) < MIN_CHARS:
        raise QueryError(
            f"{text.strip()!r} is too short to verify (give at least {MIN_CHARS} characters besides punctuation)"
        )
    elided = len(parts) > 1 or bool(_ELLIPSIS.search(norm.strip(_EDGE)))

    last = norm.rstrip(_CLOSING)[-1:]
    found = [
        _match(u, _excerpt(u, _keep_end(u.norm, spans, last)), 1.0)
        for u in index.units
        if (spans := _find_in_order(u.norm, parts))
    ]
    # A text within one part of a split quotation is reported there, not again for the pair.
    alone = {(m.record.id, m.indexes[0]) for m in found if len(m.indexes) == 1}
    found = [m for m in found if len(m.indexes) == 1 or not any((m.record.id, i) in alone for i in m.indexes)]
    found.sort(key=lambda m: (m.record.date_iso is None, m.record.date_iso or "", m.record.id, m.indexes))
    if found:
        return QuoteCheck(text, "verbatim", tuple(found[:MATCHES]), len(found), (), elided, ())

    closest = _closest(index, text)
    in_sources: tuple[str, ...] = ()
    if not closest or closest[0].similarity < 1.0:
        in_sources = tuple(sid for sid, body in index.sources().items() if _find_in_order(body, parts) is not None)
    verdict = "in_source" if in_sources else "near_miss" if closest else "not_found"
    return QuoteCheck(text, verdict, (), 0, closest, elided, in_sources)


def _find_in_order(haystack: str, parts: list[str]) -> list[tuple[int, int]] | None:
    """Where each part occurs in `haystack`, in order and without overlap; None if one does not."""
    spans = []
    pos = 0
    for part in parts:
        at = haystack.find(part, pos)
        if at < 0:
            return None
        spans.append((at, at + len(part)))
        pos = at + len(part)
    return spans


def _keep_end(norm: str, spans: list[tuple[int, int]], last: str) -> list[tuple[int, int]]:
    """The last span taken one character further when the text ends with the sentence mark that
    follows it in the quotation (so the excerpt keeps the 。 the writer typed)."""
    a, b = spans[-1]
    if last and last in _STOPS and norm[b : b + 1] == last:
        return [*spans[:-1], (a, b + 1)]
    return spans


_STOPS = set("。!?;,.:")
_CLOSING = "\"')]》」』 "


def _excerpt(unit: _Unit, spans: Iterable[tuple[int, int]]) -> str:
    """The corpus's wording of the matched parts (original punctuation), joined by ……."""
    pieces = []
    for a, b in spans:
        start, end = unit.where[a], unit.where[b - 1] + 1
        piece = unit.text[start:end]
        # Close a quotation mark the part opened (打通“最后一公里 → 打通“最后一公里”).
        while end < len(unit.text) and unit.text[end] in _CLOSERS and _open_marks(piece) > 0:
            piece += unit.text[end]
            end += 1
        pieces.append(piece)
    return "……".join(pieces)


_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", "(": ")", "（": "）"}
_CLOSERS = set(_PAIRS.values())


def _open_marks(text: str) -> int:
    return sum(text.count(o) - text.count(c) for o, c in _PAIRS.items())


def _match(unit: _Unit, excerpt: str, similarity: float) -> QuoteMatch:
    rec = unit.record
    disputes, checks = _checks_for(rec, unit)
    record_disputed = any(c.get("status") == "disputed" for c in rec.get("checked", []))
    return QuoteMatch(
        rec, unit.indexes, unit.text, unit.form, excerpt, similarity, disputes, checks, record_disputed, unit.provision
    )


def _closest(index: QuoteIndex, text: str) -> tuple[QuoteMatch, ...]:
    """The quotations nearest to `text`: candidates sharing the most character pairs, then
    scored by difflib's matching blocks within the stretch of the quotation they cover."""
    loose_text = _normalize(text, variants=True)[0]
    loose = "".join(_parts(loose_text))
    last = loose_text.rstrip(_CLOSING)[-1:]
    grams = _bigrams(loose)
    if not grams:
        return ()
    shared: dict[int, int] = {}
    for bg in grams:
        for n in index.bigrams.get(bg, ()):
            shared[n] = shared.get(n, 0) + 1
    candidates = sorted(shared, key=lambda n: -shared[n])[:25]
    scored: list[tuple[float, int, int, int]] = []
    for n in candidates:
        unit = index.units[n]
        sm = difflib.SequenceMatcher(None, loose, unit.loose, autojunk=False)
        blocks = [b for b in sm.get_matching_blocks() if b.size >= 2]
        if not blocks:
            continue
        same = sum(b.size for b in blocks)
        start, end = blocks[0].b, blocks[-1].b + blocks[-1].size
        score = 2 * same / (len(loose) + (end - start))
        if score >= NEAR:
            scored.append((score, n, start, end))
    scored.sort(key=lambda s: -s[0])
    out: list[QuoteMatch] = []
    taken: set = set()
    for score, n, start, end in scored:
        unit = index.units[n]
        parts = {(unit.record.id, i) for i in unit.indexes} or {unit.key}
        if parts & taken:
            continue
        taken |= parts
        # The stretch of the quotation that corresponds to the text, in the corpus's own wording.
        out.append(_match(unit, _excerpt(unit, _keep_end(unit.loose, [(start, end)], last)), score))
        if len(out) == CLOSEST:
            break
    return tuple(out)


def _checks_for(rec: Record, unit: _Unit) -> tuple[tuple[dict, ...], tuple[dict, ...]]:
    """The record's disputed checks that bear on this quotation, and its other checks.

    A dispute about `quotes` names the quotation it is about by quoting it (the checks'
    `source_says` or `detail` repeat its opening words); it bears on the quotations it quotes,
    or on all of them when it quotes none. A dispute about anything else (speaker, date,
    occasion) bears on every quotation of the record: it is about whose and when.
    """
    disputes: list[dict] = []
    others: list[dict] = []
    quotes = rec.quotes
    for c in rec.get("checked", []):
        entry = {k: c.get(k) for k in ("field", "status", "value", "source_says", "evidence", "detail")}
        if c.get("status") != "disputed":
            others.append(entry)
            continue
        field = str(c.get("field", ""))
        if field.startswith("quote"):
            said = _normalize(" ".join(str(c.get(k) or "") for k in ("source_says", "value", "detail")))[0]
            named = {i for i, q in enumerate(quotes) if _quotes_from(said, _normalize(q.text)[0])}
            if named and not named & set(unit.indexes):
                others.append(entry)
                continue
        disputes.append(entry)
    return tuple(disputes), tuple(others)


def _quotes_from(said: str, quote: str, run: int = 12) -> bool:
    """True when `said` repeats at least `run` consecutive characters of `quote` (or all of a
    shorter one): a check that quotes the quotation it is about."""
    run = min(run, len(quote))
    return any(quote[i : i + run] in said for i in range(0, len(quote) - run + 1))
