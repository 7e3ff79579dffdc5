"""The full texts of policy records: where a record's text is, its parsed provisions, and what
`kb check` asks of a record that names one (`text_file`).

A text file sits beside its record (`corpus/policies/law-tech-transfer-2015.md`), copied
verbatim from its public origin; the provenance (origin, commit, blob id, verified structure,
known defects) is in the sidecar `<name>.source.md` next to it. Checks, each a
`path:line: field: message` problem:

- the text parses into provisions, numbered continuously as printed (articles, items, 章),
  and every provision is found verbatim at its line (`kb.provisions.verify`);
- the record's title is the text's title (or contained in it: 关于… in 国务院办公厅关于…);
- every date the text gives (adopted, amended/revised, in force, signed) is in `history`
  with its kind, and a `history` step of those kinds the text does not give names where it
  comes from (`via`);
- the record's `date` is one of its `history` dates of kind `date_kind`;
- `structure` entries naming a 章 or part with its range agree with the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from kb import provisions as P
from kb import safeio, yamlio
from kb.dates import DateFormatError, parse_date
from kb.records import DATE_KIND_ZH, Record

# The kinds of date a text can state about itself; other kinds (published, reported, reviewed,
# issued) come from elsewhere and need no check against the text.
TEXT_DATE_KINDS = ("adopted", "amended", "revised", "in_force", "signed")
SIDECAR_SUFFIX = ".source.md"

Add = Callable[..., None]  # (path, line, field, message[, severity])


def sidecar(text_path: Path) -> Path:
    """The provenance file beside a text: law.md → law.source.md."""
    return text_path.with_name(text_path.stem + SIDECAR_SUFFIX)


@lru_cache(maxsize=32)
def _parse_cached(path: str, mtime_ns: int, size: int) -> tuple[P.ParsedText, str] | None:
    try:
        text = safeio.read_text(path, safeio.MAX_TEXT, what="a text")
    except (OSError, UnicodeDecodeError, safeio.PathError):
        return None
    return P.parse(text), text


def load(path: Path) -> tuple[P.ParsedText, str] | None:
    """The parsed text at `path` and the text itself (re-read only when the file changed)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return _parse_cached(str(path), st.st_mtime_ns, st.st_size)


def text_path(corpus_root: Path, rec: Record) -> Path | None:
    """Where a record's text file is (beside the record), or None when it names none."""
    name = rec.get("text_file")
    if not name or rec.kind != "policy":
        return None
    kb_root = Path(corpus_root).parent
    try:  # never a file outside the knowledge base (`../../etc/passwd`, a link leading out)
        return safeio.resolve_inside(kb_root, kb_root / Path(rec.path).parent, name)
    except safeio.PathError:
        return None


def parsed_of(corpus_root: Path, rec: Record) -> P.ParsedText | None:
    """The parsed text of a policy record, or None (no text, or it cannot be read)."""
    path = text_path(corpus_root, rec)
    got = load(path) if path else None
    return got[0] if got else None


# -- kb check ---------------------------------------------------------------------------------

_STRUCT = re.compile(
    rf"^(?P<label>第[{P.CN_NUM}]+[编章节]|[{P.CN_NUM}]+、)\s*(?P<title>[^（(]+?)\s*[（(](?P<range>[^)）]*)[)）]$"
)


def range_zh(parsed: P.ParsedText, d: P.Division) -> str:
    """A division's range as a record's `structure` writes it: 第四十条至第四十五条, （一）至（十）."""
    if d.first is None:
        return ""
    first, last = parsed.get(d.first), parsed.get(d.last)
    if parsed.layout == P.ARTICLES:
        a, b = first.label, last.label
    else:
        a, b = P.item_label(first.number), P.item_label(last.number)
    return a if d.first == d.last else f"{a}至{b}"


def check_policy(
    path: Path,
    data: Mapping[str, Any],
    lines: dict[str, int],
    kinds: Mapping[str, str],
    add: Add,
    rel: Callable[[Path], str],
) -> None:
    """Problems of a policy record's text and dates (see the module's docstring)."""
    _check_history(path, data, lines, kinds, add)
    name = data.get("text_file")
    if not isinstance(name, str) or not name.strip():
        return
    line = yamlio.line_of(lines, "text_file")
    try:
        kb_root = path.parent.parent.parent  # corpus/policies/<id>.yaml (drafts/policies/ too)
        tf = safeio.resolve_inside(kb_root, path.parent, name)
    except safeio.PathError as e:
        add(path, line, "text_file", f"{name}: {e.reason}")
        return
    if not tf.is_file():
        add(path, line, "text_file", f"{rel(tf)} does not exist (the text goes beside the record)")
        return
    got = load(tf)
    if got is None:
        add(path, line, "text_file", f"{rel(tf)} cannot be read as UTF-8 text")
        return
    parsed, text = got
    if not sidecar(tf).is_file():
        add(
            path,
            line,
            "text_file",
            f"{rel(sidecar(tf))} is missing: say where the text comes from (origin, commit, blob id, defects)",
            "warning",
        )
    if not parsed.provisions:
        add(tf, 1, "provisions", "no article (第一条 …) or numbered item (一、 and （一）) found")
    for p in (*parsed.problems, *P.verify(parsed, text)):
        add(tf, p.line, "provisions", p.message)
    title = data.get("title")
    if parsed.title and isinstance(title, str) and title not in parsed.title:
        add(
            path,
            yamlio.line_of(lines, "title"),
            "title",
            f"{title!r} is not the title its text gives ({parsed.title!r}, {rel(tf)}:1)",
        )
    _check_text_dates(path, data, lines, parsed, tf, add, rel)
    _check_structure(path, data, lines, parsed, add)


def _history(data: Mapping[str, Any]) -> list[tuple[int, dict]]:
    return [(i, h) for i, h in enumerate(data.get("history") or []) if isinstance(h, dict)]


def _check_history(
    path: Path, data: Mapping[str, Any], lines: dict[str, int], kinds: Mapping[str, str], add: Add
) -> None:
    for i, h in _history(data):
        via = h.get("via")
        if via is not None and kinds.get(via) != "source":
            add(
                path,
                yamlio.line_of(lines, f"history.{i}.via"),
                f"history.{i}.via",
                f"{via!r} is not a source record in this corpus",
            )
    kind, date = data.get("date_kind"), data.get("date")
    steps = [h for _, h in _history(data) if h.get("kind") == kind]
    if not kind or date is None or not steps:
        return
    try:
        span = parse_date(date)
        ok = any(span.overlaps(parse_date(h["date"]).start, parse_date(h["date"]).end) for h in steps)
    except (DateFormatError, KeyError, TypeError):
        return
    if not ok:
        listed = ", ".join(str(h["date"]) for h in steps)
        add(
            path,
            yamlio.line_of(lines, "date"),
            "date",
            f"{date} is not a {kind} ({DATE_KIND_ZH[kind]}) date of its history ({listed})",
        )


def _check_text_dates(path, data, lines, parsed: P.ParsedText, tf: Path, add: Add, rel) -> None:
    given = {(d.date, d.kind): d for d in parsed.dates}
    steps = _history(data)
    have = {(str(h.get("date")), h.get("kind")) for _, h in steps}
    hline = yamlio.line_of(lines, "history") if "history" in data else 1
    for (date, kind), d in given.items():
        if (date, kind) not in have:
            add(
                path,
                hline,
                "history",
                f'the text gives {DATE_KIND_ZH[kind]} ({kind}) {date} ({rel(tf)}:{d.line}); add {{date: "{date}", kind: {kind}}}',
            )
    for i, h in steps:
        kind = h.get("kind")
        if kind in TEXT_DATE_KINDS and not h.get("via") and (str(h.get("date")), kind) not in given:
            says = ", ".join(f"{DATE_KIND_ZH[d.kind]} {d.date}" for d in parsed.dates) or "no date"
            add(
                path,
                yamlio.line_of(lines, f"history.{i}"),
                f"history.{i}",
                f"{kind} {h.get('date')} is not a date its text gives ({says}); name where it comes from with via: <source id>",
            )


def _check_structure(path, data, lines, parsed: P.ParsedText, add: Add) -> None:
    by_label = {d.label: d for d in parsed.divisions}
    for i, entry in enumerate(data.get("structure") or []):
        m = _STRUCT.match(str(entry).strip())
        if not m:
            continue
        d = by_label.get(m.group("label"))
        where = yamlio.line_of(lines, f"structure.{i}")
        if d is None:
            add(path, where, f"structure.{i}", f"its text has no {m.group('label')}")
            continue
        printed = f"{d.label}{'' if d.level == '部分' else ' '}{d.title}({range_zh(parsed, d)})"
        if m.group("title").strip() != d.title or m.group("range") != range_zh(parsed, d):
            add(path, where, f"structure.{i}", f"{entry!r} does not agree with its text: {printed}")
