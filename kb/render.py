"""Output for people and for programs: one place that turns library results into text or JSON."""

from __future__ import annotations

import json
from typing import Any

import click


def to_json(data: Any) -> str:
    """JSON as kb prints it: UTF-8 characters, not \\u escapes, two-space indent."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def _default(obj: Any) -> Any:
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if hasattr(obj, "items"):
        return dict(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def emit(text_or_data: Any, as_json: bool = False) -> None:
    """Print a result: JSON when asked, else the text as given."""
    if as_json:
        click.echo(to_json(text_or_data))
    else:
        click.echo(text_or_data)


def mark(text: str, color: bool) -> str:
    """Turn the [[…]] highlight marks of a snippet into bold yellow, or 【…】 off a terminal."""
    if color:
        return text.replace("[[", "\x1b[1;33m").replace("]]", "\x1b[0m")
    return text.replace("[[", "【").replace("]]", "】")


def search_text(result, color: bool = False) -> str:
    """A search result for a person: one block per hit, the matched words marked."""
    from kb.dates import parse_date
    from kb.records import KIND_ZH

    lines: list[str] = []
    marked = False
    if not result.total:
        lines.append(f"no hits for {result.query!r}")
        for s in result.suggestions:
            lines.append(f"  try: {s}")
        if not result.suggestions:
            lines.append("  try fewer or shorter words, or drop a filter")
        return "\n".join(lines)
    shown = len(result.hits)
    lines.append(f"{result.total} hit(s) for {result.query!r}" + (f", showing {shown}" if shown < result.total else ""))
    for i, h in enumerate(result.hits, 1):
        who = f" · {h.people}" if h.people else ""
        lines.append("")
        star = "*" if h.date_source else ""
        lines.append(f"{i}. {h.date_zh}{star} [{KIND_ZH.get(h.kind, h.kind)}] {h.title}{who}")
        if h.headline and h.headline != h.title:
            lines.append(f"   {h.headline}")
        if h.snippet:
            lines.append(f"   {mark(h.snippet, color)}")
        source_date = f" · 本章作{parse_date(h.date_source).zh()}" if h.date_source else ""
        lines.append(f"   id: {h.id}{source_date}" + (f" · matched: {', '.join(h.matched)}" if h.matched else ""))
        marked = marked or bool(h.date_source)
    if marked:
        lines.append("")
        lines.append("* 日期据其他来源补充,本章原文见“本章作”;依据见 kb show ID")
    if result.facets:
        lines.append("")
        for name, counts in result.facets.items():
            shown_counts = ", ".join(f"{k} {v}" for k, v in list(counts.items())[:12])
            lines.append(f"{name}: {shown_counts}")
    return "\n".join(lines)
