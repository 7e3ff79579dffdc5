"""What a citation is: the result types of `kb cite` (frozen dataclasses with `to_json()`).

The text a person reads is rendered by `kb.views.cite_text`; the entries by `kb.cite.gbt7714`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
