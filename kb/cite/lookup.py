"""Which records a citation is about: the order a bibliography follows, and the records whose
quotations or titles hold a phrase."""

from __future__ import annotations

from datetime import date

from kb.cite.results import Candidate
from kb.corpus import Corpus
from kb.records import KINDS, Record
from kb.text import fold, squash, squash_folded


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
