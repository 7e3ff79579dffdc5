"""Measuring: how the drafts compare with the hand-curated records of the same chapter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kb.importer.matching import _matches, _same_name
from kb.importer.proposing import Draft
from kb.text import squash

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
