"""kb import: clean a PDF-extracted chapter, propose draft records, and measure them."""

from __future__ import annotations

import click

from kb.cli import Ctx, json_option
from kb.render import emit


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option(
    "--source-id",
    metavar="ID",
    help="Id of the source record holding the clean text (default: FILE's name + '-clean').",
)
@json_option
@click.pass_obj
def import_cmd(obj: Ctx, file: str, dry_run: bool, source_id: str | None, as_json: bool) -> None:
    """Clean FILE (a chapter extracted from a PDF) and write draft records for review.

    The clean text becomes a source record; remarks and events, footnote references,
    policies and statistics become drafts (draft: true) under <kb>/drafts/. Drafts that
    repeat a record already in the corpus are listed, not written; no file is ever written
    over. When the corpus holds hand-curated records of the same chapter, the drafts are
    measured against them.

    \b
    Example:
      kb import ../shared/source/chapter-01.txt --dry-run
      kb --kb ~/my-kb import chapter-02.txt --json
    """
    from kb.importer import import_file

    result = import_file(file, obj.home(), source_id=source_id, dry_run=dry_run)
    if as_json:
        emit(result, as_json=True)
        return
    emit(format_result(result))


def format_result(result) -> str:
    """The human report: one line per draft, then the counts and the figures."""
    ct = result.clean
    heads = sum(1 for b in ct.blocks if b.level)
    lines = [
        f"kb import {result.file}" + (" (dry run: nothing written)" if result.dry_run else ""),
        f"clean text: {len(ct.paragraphs)} paragraphs, {heads} headings, "
        f"{len(ct.footnotes)} footnotes, {len(ct.captions)} figure captions",
        "",
    ]
    for d in (result.source, *result.drafts):
        date = d.data.get("date") or "-"
        same = f"  (= {d.same_as})" if d.same_as else ""
        lines.append(f"{d.status:<9} {d.kind:<9} {date:<21} {d.id:<40} {d.label}{same}")
    counts: dict[str, int] = {}
    for d in result.drafts:
        counts[d.status] = counts.get(d.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    lines += ["", f"{len(result.drafts)} drafts proposed: {summary}"]
    verb = "would write" if result.dry_run else "wrote"
    if result.dry_run:
        todo = [d for d in (result.source, *result.drafts) if d.status == "new"]
        lines.append(f"{verb} {len(todo)} records under drafts/ (and the clean text)")
    else:
        lines.append(f"{verb} {len(result.written)} files under drafts/")
    f = result.figures
    if f is None:
        lines.append("figures: no hand-curated records of this chapter in the corpus to compare with")
    else:
        lines += [
            "figures (against the hand-curated records of this chapter):",
            f"  dated remarks and events (1.1, 1.3) found with the right date and occasion: "
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
    return "\n".join(lines)
