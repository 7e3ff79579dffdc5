"""The text view of a `kb import` run (`kb.importer.ImportResult`), like the other text views
in `kb.views`: the result carries data, this module lays it out for people."""

from __future__ import annotations

from typing import Any

NO_FIGURES = "figures: no hand-curated records of this chapter in the corpus to compare with"
PROMOTE = (
    "drafts stay in {dir}: kb check validates them, search/timeline/cite ignore them until you "
    "review each, drop draft: true and move it into corpus/ (docs/import.md)"
)


def figures_lines(f: Any) -> list[str]:
    """The figures of a run (`kb.importer.Figures`) as report lines."""
    where = f"sections {', '.join(f.remarks_sections)}" if f.remarks_sections else "no remarks"
    lines = [
        f"figures (against the hand-curated records of this chapter; remarks and events from {where}):",
        f"  remarks and events found with the right date, speaker and occasion: "
        f"{f.remarks_found}/{f.remarks_total} ({f.remarks_share:.1%})",
        f"  references parsed field for field right: {f.references_right}/{f.references_total}",
        f"  drafts that match no record: {len(f.false_drafts)}",
    ]
    if f.remarks_missed:
        lines.append(f"  missed: {', '.join(f.remarks_missed)}")
    for rid, bad in f.references_wrong.items():
        lines.append(f"  reference {rid}: wrong {', '.join(bad)}")
    if f.false_drafts:
        lines.append(f"  unmatched drafts: {', '.join(f.false_drafts)}")
    return lines


def import_text(result: Any) -> str:
    """The human report: the clean text's shape, one line per draft, the files, the figures."""
    ct = result.clean
    lines = [f"kb import {result.file}" + (" (dry run: nothing written)" if result.dry_run else "")]
    if ct is not None:
        heads = sum(1 for b in ct.blocks if b.level)
        rows = sum(1 for b in ct.blocks if b.cells)
        table = f", {rows} table rows" if rows else ""
        lines.append(
            f"clean text ({ct.layout} layout): {len(ct.paragraphs) - rows} paragraphs, {heads} headings, "
            f"{len(ct.footnotes)} footnotes, {len(ct.captions)} figure captions{table}"
        )
    lines.append("")
    for d in (result.source, *result.drafts):
        date = d.data.get("date") or "-"
        same = f"  (= {d.same_as})" if d.same_as else ""
        conf = f"  [{d.confidence:.2f}]" if d.confidence is not None else ""
        lines.append(f"{d.status:<9} {d.kind:<9} {date:<21} {d.id:<40} {d.label}{same}{conf}")
    counts: dict[str, int] = {}
    for d in result.drafts:
        counts[d.status] = counts.get(d.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    lines += ["", f"{len(result.drafts)} drafts proposed: {summary or 'none'}"]
    if result.dry_run:
        lines.append(f"would write {len(result.planned)} files under {result.drafts_dir}")
    else:
        lines.append(f"wrote {len(result.written)} files under {result.drafts_dir}")
    lines.append(PROMOTE.format(dir=result.drafts_dir))
    lines += figures_lines(result.figures) if result.figures else [NO_FIGURES]
    return "\n".join(lines)
