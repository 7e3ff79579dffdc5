"""The text view of a `kb import` run (`kb.importer.ImportResult`), like the other text views
in `kb.views`: the result carries data, this module lays it out for people."""

from __future__ import annotations

from typing import Any

from kb.views import pad

NO_FIGURES = "评估: 语料中没有本章的人工整理记录可供比较"
PROMOTE = (
    "草稿留在 {dir}: kb check 会校验它们;在你逐条审阅、删去 draft: true 并移入 corpus/ 之前,"
    "search/timeline/cite 不会用到它们(见 docs/import.md)"
)
# A draft's status (an id in JSON) as the report prints it.
STATUS_ZH = {"new": "新增", "exists": "已有", "duplicate": "重复"}


def figures_lines(f: Any) -> list[str]:
    """The figures of a run (`kb.importer.Figures`) as report lines."""
    where = f"第 {'、'.join(f.remarks_sections)} 节" if f.remarks_sections else "无讲话"
    lines = [
        f"评估(与本章的人工整理记录比较;讲话和会议取自{where}):",
        f"  日期、讲话人、场合都对的讲话和会议: {f.remarks_found}/{f.remarks_total} ({f.remarks_share:.1%})",
        f"  逐字段解析正确的参考文献: {f.references_right}/{f.references_total}",
        f"  不对应任何记录的草稿: {len(f.false_drafts)}",
    ]
    if f.remarks_missed:
        lines.append(f"  漏掉: {', '.join(f.remarks_missed)}")
    for rid, bad in f.references_wrong.items():
        lines.append(f"  参考文献 {rid} 解析错误的字段: {', '.join(bad)}")
    if f.false_drafts:
        lines.append(f"  不对应任何记录的草稿: {', '.join(f.false_drafts)}")
    return lines


def import_text(result: Any) -> str:
    """The human report: the clean text's shape, one line per draft, the files, the figures."""
    ct = result.clean
    lines = [f"kb import {result.file}" + (" (试运行: 未写入任何文件)" if result.dry_run else "")]
    if ct is not None:
        heads = sum(1 for b in ct.blocks if b.level)
        rows = sum(1 for b in ct.blocks if b.cells)
        table = f",表格 {rows} 行" if rows else ""
        lines.append(
            f"清理后的正文({ct.layout} 版式): {len(ct.paragraphs) - rows} 段,{heads} 个标题,"
            f"{len(ct.footnotes)} 条脚注,{len(ct.captions)} 个图表标题{table}"
        )
    lines.append("")
    for d in (result.source, *result.drafts):
        date = d.data.get("date") or "-"
        same = f"  (= {d.same_as})" if d.same_as else ""
        conf = f"  [{d.confidence:.2f}]" if d.confidence is not None else ""
        lines.append(
            f"{pad(STATUS_ZH.get(d.status, d.status), 6)} {d.kind:<9} {date:<21} {d.id:<40} {d.label}{same}{conf}"
        )
    counts: dict[str, int] = {}
    for d in result.drafts:
        counts[d.status] = counts.get(d.status, 0) + 1
    summary = ",".join(f"{STATUS_ZH.get(s, s)} {n}" for s, n in sorted(counts.items()))
    lines += ["", f"提出 {len(result.drafts)} 条草稿: {summary or '无'}"]
    if result.dry_run:
        lines.append(f"将在 {result.drafts_dir} 下写入 {len(result.planned)} 个文件")
    else:
        lines.append(f"已在 {result.drafts_dir} 下写入 {len(result.written)} 个文件")
    lines.append(PROMOTE.format(dir=result.drafts_dir))
    lines += figures_lines(result.figures) if result.figures else [NO_FIGURES]
    return "\n".join(lines)
