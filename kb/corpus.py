"""Load and validate a corpus: every problem is collected before failing, each with its line."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb import safeio, yamlio
from kb.dates import DateFormatError, parse_date
from kb.errors import CorpusError, NotFound, Problem
from kb.records import (
    DIR_OF_KIND,
    ID_RE,
    KIND_DIRS,
    KINDS,
    F,
    Record,
    fields_of,
)
from kb.text import fold, squash

RECORD_SUFFIXES = (".yaml", ".yml")
# A field longer than this is an error: a whole text belongs in a text file beside the record
# (the largest field of the bundled corpus is about 2,000 characters). Indexing cost grows with
# it: a 50 MB field took minutes and gigabytes.
MAX_FIELD_CHARS = 100_000
CONFIG_FILES = ("topics.yaml", "synonyms.yaml", "dictionary.txt", "aliases.yaml")
ALIAS_SECTIONS = ("issuers", "speakers", "roles")


@dataclass(frozen=True)
class Known:
    """What an incremental check needs of a record it does not re-read."""

    kind: str
    path: str
    text_file: str | None = None


@dataclass(frozen=True)
class Corpus:
    """A loaded corpus: its records in a stable order, the topic list, synonyms and dictionary."""

    root: Path
    records: tuple[Record, ...]
    topics: Mapping[str, str]
    synonyms: tuple[tuple[str, ...], ...]
    dictionary: tuple[str, ...]
    problems: tuple[Problem, ...] = ()
    by_id: Mapping[str, Record] = field(default_factory=dict, compare=False, repr=False)
    _texts: dict = field(default_factory=dict, compare=False, repr=False)
    aliases: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict, compare=False, repr=False)
    topic_phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def get(self, record_id: str) -> Record | None:
        return self.by_id.get(record_id)

    def closest(self, record_id: str, n: int = 3) -> list[str]:
        """The ids nearest to a mistyped one: ids containing it first, then difflib's best matches."""
        import difflib

        wanted = record_id.strip().lower()
        ids = [r.id for r in self.records]
        out = [i for i in ids if wanted and wanted in i][:n]
        for i in difflib.get_close_matches(wanted, ids, n=n, cutoff=0.4):
            if i not in out and len(out) < n:
                out.append(i)
        return out

    def require(self, record_id: str) -> Record:
        """The record `record_id`; NotFound naming the closest ids otherwise."""
        rec = self.by_id.get(record_id.strip())
        if rec is None:
            near = self.closest(record_id)
            hint = f"; closest: {', '.join(near)}" if near else " (list the ids with 'kb timeline --json')"
            raise NotFound(f"no record {record_id!r}{hint}")
        return rec

    def source_text(self, source_id: str) -> str | None:
        """The full text of a `source` record, when the corpus holds it (read once)."""
        cache = self._texts
        if source_id not in cache:
            src = self.by_id.get(source_id)
            text = None
            if src and src.kind == "source" and src.get("text_file"):
                text = _read_source_text(
                    self.root.parent, self.root.parent / Path(src.path).parent, src.get("text_file")
                )
            cache[source_id] = text
        return cache[source_id]


def text_file_path(kb_root: Path, record_dir: Path, name: object) -> Path:
    """The file a record's `text_file` names (relative to the record's folder), resolved through
    links; it must stay inside the knowledge base. safeio.PathError otherwise."""
    return safeio.resolve_inside(kb_root, record_dir, name)  # type: ignore[arg-type]


def read_text_file(path: Path) -> str:
    """A text named by a record: a regular file of at most safeio.MAX_TEXT bytes, in UTF-8.
    safeio.PathError, OSError or UnicodeDecodeError otherwise."""
    return safeio.read_text(path, safeio.MAX_TEXT, what="a text")


def _read_source_text(kb_root: Path, record_dir: Path, name: object) -> str | None:
    try:
        return read_text_file(text_file_path(kb_root, record_dir, name))
    except (OSError, UnicodeDecodeError, safeio.PathError):
        return None


def _text_problem(kb_root: Path, record_dir: Path, name: object, rel) -> str | None:
    """Why a record's `text_file` cannot be used (one line), or None."""
    try:
        path = text_file_path(kb_root, record_dir, name)
    except safeio.PathError as e:
        return f"{name}: {e.reason}"
    try:
        read_text_file(path)
    except FileNotFoundError:
        return f"{rel(path)} does not exist"
    except safeio.PathError as e:
        return f"{rel(path)}: {e.reason}"
    except OSError as e:
        return f"{rel(path)} cannot be read: {e.strerror or e}"
    except UnicodeDecodeError as e:
        return f"{rel(path)}: byte at offset {e.start} is not UTF-8 (save the file as UTF-8)"
    return None


class _Collector:
    def __init__(self, base: Path):
        self.base = base
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.base))
        except ValueError:
            return str(path)

    def add(self, path: Path, line: int, fld: str, msg: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.rel(path), line, fld, msg, severity))


def _exists(path: Path) -> bool:
    """Something is at `path` (a link loop or a dangling link counts: reading it says what)."""
    try:
        os.lstat(path)
        return True
    except OSError:
        return False


def _read_text(path: Path, col: _Collector, cap: int = safeio.MAX_CONFIG, what: str = "a corpus file") -> str | None:
    try:
        raw = safeio.read_bytes(path, cap, what=what)
    except safeio.PathError as e:
        col.add(path, 1, "file", e.reason)
        return None
    except OSError as e:
        col.add(path, 1, "file", f"cannot be read: {e.strerror or e}")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col.add(
            path, line, "file", f"byte 0x{raw[e.start]:02x} at offset {e.start} is not UTF-8 (save the file as UTF-8)"
        )
        return None


def _read_config(path: Path, fld: str, col: _Collector) -> tuple[Any, dict[str, int]] | None:
    """Read and parse one config file of the corpus; None (with the problem collected) when it
    cannot be read or parsed. The caller decides whether a missing file is a problem."""
    text = _read_text(path, col)
    if text is None:
        return None
    try:
        return yamlio.load(text)
    except yamlio.YamlProblem as e:
        col.add(path, e.line, fld, e.message)
        return None


def _load_topics(root: Path, col: _Collector) -> dict[str, str]:
    path = root / "topics.yaml"
    if not _exists(path):
        col.add(path, 1, "topics", "missing: the corpus needs its topic list (see 'kb init')")
        return {}
    parsed = _read_config(path, "topics", col)
    if parsed is None:
        return {}
    data, _ = parsed
    topics = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(topics, dict) or not topics:
        col.add(path, 1, "topics", "must be a mapping 'topics: {name: description}' with at least one topic")
        return {}
    return {str(k): str(v or "") for k, v in topics.items()}


def _load_synonyms(root: Path, col: _Collector) -> tuple[tuple[str, ...], ...]:
    path = root / "synonyms.yaml"
    if not _exists(path):
        return ()
    parsed = _read_config(path, "synonyms", col)
    if parsed is None:
        return ()
    data, lines = parsed
    groups = data.get("synonyms") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        col.add(path, 1, "synonyms", "must be 'synonyms:' followed by a list of word lists")
        return ()
    out = []
    for i, g in enumerate(groups):
        if not isinstance(g, list) or len(g) < 2 or not all(isinstance(w, str) and w.strip() for w in g):
            col.add(path, yamlio.line_of(lines, f"synonyms.{i}"), "synonyms", "each group must list at least two words")
            continue
        out.append(tuple(w.strip() for w in g))
    return tuple(out)


def _load_topic_phrases(root: Path, topics: Mapping[str, str], col: _Collector) -> dict[str, tuple[str, ...]]:
    """topics.yaml's optional `phrases: {topic: [phrase, …]}`: words that, found in a remark's
    quotation, mean the remark is about the topic (kb check warns when its tag is missing)."""
    path = root / "topics.yaml"
    try:
        data, lines = yamlio.load(safeio.read_text(path, safeio.MAX_CONFIG))
    except (OSError, UnicodeDecodeError, yamlio.YamlProblem, safeio.PathError):
        return {}  # _load_topics has reported it
    phrases = data.get("phrases") if isinstance(data, dict) else None
    if phrases is None:
        return {}
    if not isinstance(phrases, dict):
        col.add(path, yamlio.line_of(lines, "phrases"), "phrases", "must be a mapping 'phrases: {topic: [phrase, …]}'")
        return {}
    out = {}
    for topic, words in phrases.items():
        line = yamlio.line_of(lines, f"phrases.{topic}")
        if topics and topic not in topics:
            col.add(path, line, "phrases", f"{topic!r} is not a topic of this file")
            continue
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            col.add(path, line, "phrases", f"{topic}: must be a list of phrases")
            continue
        out[str(topic)] = tuple(w.strip() for w in words)
    return out


def _load_aliases(root: Path, col: _Collector) -> dict[str, dict[str, tuple[str, ...]]]:
    """aliases.yaml: other names of issuers, speakers and roles ({section: {name: [alias, …]}}).

    An alias may belong to one name only, and may not be another entry's name."""
    path = root / "aliases.yaml"
    if not _exists(path):
        return {}
    parsed = _read_config(path, "aliases", col)
    if parsed is None:
        return {}
    data, lines = parsed
    if data is None:
        return {}
    if not isinstance(data, dict):
        col.add(path, 1, "aliases", f"must be a mapping of sections ({', '.join(ALIAS_SECTIONS)})")
        return {}
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    owner: dict[str, str] = {}
    for section, entries in data.items():
        sline = yamlio.line_of(lines, str(section))
        if section not in ALIAS_SECTIONS:
            col.add(path, sline, "aliases", f"unknown section {section!r} (use: {', '.join(ALIAS_SECTIONS)})")
            continue
        if not isinstance(entries, dict):
            col.add(path, sline, f"aliases.{section}", "must be a mapping 'name: [alias, …]'")
            continue
        got: dict[str, tuple[str, ...]] = {}
        for name, aliases in entries.items():
            line = yamlio.line_of(lines, f"{section}.{name}")
            fld = f"aliases.{section}.{name}"
            if not isinstance(name, str) or not name.strip():
                col.add(path, line, f"aliases.{section}", f"{name!r} is not a name")
                continue
            if (
                not isinstance(aliases, list)
                or not aliases
                or not all(isinstance(a, str) and a.strip() for a in aliases)
            ):
                col.add(path, line, fld, "must list at least one other name: [别名, …]")
                continue
            clean = []
            for a in aliases:
                a = a.strip()
                key = squash(a)
                if key == squash(name):
                    col.add(path, line, fld, f"{a!r} is the name itself")
                elif key in owner and owner[key] != name:
                    col.add(path, line, fld, f"{a!r} is already listed for {owner[key]!r} (an alias names one entry)")
                else:
                    owner[key] = name
                    clean.append(a)
            got[name.strip()] = tuple(clean)
        out[section] = got
    for section, entries in out.items():
        for name in entries:
            if squash(name) in owner and owner[squash(name)] != name:
                col.add(
                    path,
                    yamlio.line_of(lines, f"{section}.{name}"),
                    f"aliases.{section}.{name}",
                    f"{name!r} is also listed as an alias of {owner[squash(name)]!r}",
                )
    return out


def _load_dictionary(root: Path, col: _Collector) -> tuple[str, ...]:
    path = root / "dictionary.txt"
    if not _exists(path):
        return ()
    text = _read_text(path, col)
    if text is None:
        return ()
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) > 3 or (len(parts) > 1 and not re.fullmatch(r"[0-9]{1,12}", parts[1])):
            col.add(path, n, "dictionary", f"{line!r} is not 'word [frequency] [tag]' (the frequency in digits 0-9)")
            continue
        out.append(line)
    return tuple(out)


_TYPE_NAMES = {
    "str": "a string",
    "strint": "a string",
    "strlist": "a list of strings",
    "idlist": "a list of record ids",
    "bool": "true or false",
    "int": "a whole number",
    "num": "a number",
    "map": "a mapping",
    "maplist": "a list of mappings",
    "date": "a date",
    "published": "a mapping, a list of mappings or the word unknown",
}


def _check_value(value: Any, spec: F, name: str, lines: dict[str, int], path: Path, col: _Collector) -> None:
    line = yamlio.line_of(lines, name)
    t = spec.type
    ok = {
        "str": isinstance(value, str) and value.strip() != "",
        "strint": isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip() != "",
        "strlist": isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value),
        "idlist": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "num": isinstance(value, (int, float)) and not isinstance(value, bool),
        "map": isinstance(value, dict),
        "maplist": isinstance(value, list) and all(isinstance(v, dict) for v in value),
        "date": True,
        "published": value == "unknown"
        or isinstance(value, dict)
        or (isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)),
    }[t]
    if not ok:
        col.add(path, line, name, f"must be {_TYPE_NAMES[t]}, not {_show(value)}")
        return
    if t == "date":
        try:
            parse_date(value)
        except DateFormatError as e:
            col.add(path, line, name, str(e))
    if spec.choices and value not in spec.choices:
        col.add(path, line, name, f"{value!r} is not one of: {', '.join(spec.choices)}")
    if t == "map":
        _check_mapping(value, spec.sub or {}, name, lines, path, col)
    if t == "maplist":
        for i, item in enumerate(value):
            _check_mapping(item, spec.sub or {}, f"{name}.{i}", lines, path, col)
    if t == "published" and value != "unknown":
        entries = [(name, value)] if isinstance(value, dict) else [(f"{name}.{i}", v) for i, v in enumerate(value)]
        for where, item in entries:
            _check_mapping(item, spec.sub or {}, where, lines, path, col)


def _show(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"{value!r}"
    return f"{type(value).__name__} {value!r}"[:60]


def _check_mapping(
    data: dict, specs: Mapping[str, F], prefix: str, lines: dict[str, int], path: Path, col: _Collector
) -> None:
    for key in data:
        name = f"{prefix}.{key}" if prefix else str(key)
        if key not in specs:
            known = ", ".join(specs)
            col.add(path, yamlio.line_of(lines, name), name, f"unknown field (known: {known})")
    for key, spec in specs.items():
        name = f"{prefix}.{key}" if prefix else key
        value = data.get(key)
        if value is None:
            if spec.required and not (key == "date" and not prefix and key in data):
                where = yamlio.line_of(lines, prefix) if prefix else 1
                col.add(path, where, name, "required field is missing")
            continue
        _check_value(value, spec, name, lines, path, col)


def _parse_record(path: Path, kind_dir: str | None, col: _Collector) -> tuple[dict, dict[str, int]] | None:
    """A record file's data and line numbers, with its own problems collected; None when it is
    not a mapping of a known kind. A record with errors is returned too, so that the checks
    between records report its other problems (it never becomes a Record)."""
    text = _read_text(path, col, safeio.MAX_RECORD, "a record")
    if text is None:
        return None
    if not text.strip():
        col.add(path, 1, "file", "is empty (a record needs at least id, kind, date, title, topics and source)")
        return None
    try:
        data, lines = yamlio.load(text)
    except yamlio.YamlProblem as e:
        col.add(path, e.line, "yaml", e.message)
        return None
    if not isinstance(data, dict):
        col.add(path, 1, "file", "must be a mapping of fields (field: value), not " + _show(data))
        return None
    kind = data.get("kind")
    if kind not in KINDS:
        col.add(path, yamlio.line_of(lines, "kind"), "kind", f"{kind!r} is not a kind (use one of: {', '.join(KINDS)})")
        return None
    _check_mapping(data, fields_of(kind), "", lines, path, col)
    for name, n in _long_fields(data):
        col.add(
            path,
            yamlio.line_of(lines, name),
            name,
            f"is {n:,} characters, more than the {MAX_FIELD_CHARS:,} a field may hold (put a long text in a text_file)",
        )
    rid = data.get("id")
    if isinstance(rid, str):
        if not ID_RE.match(rid):
            col.add(path, yamlio.line_of(lines, "id"), "id", f"{rid!r} is not a slug (lowercase a-z, 0-9 and '-')")
        elif rid != path.stem:
            col.add(
                path,
                yamlio.line_of(lines, "id"),
                "id",
                f"{rid!r} does not match the file name {path.name!r} (rename one of them)",
            )
    if kind_dir is not None and KIND_DIRS.get(kind_dir) != kind:
        col.add(
            path, yamlio.line_of(lines, "kind"), "kind", f"a {kind} belongs in {DIR_OF_KIND[kind]}/, not {kind_dir}/"
        )
    for i, c in enumerate(_items(data.get("checked"))):
        says = c.get("source_says") if isinstance(c, dict) and c.get("field") == "date" else None
        if says is not None:
            try:
                parse_date(says)
            except DateFormatError as e:
                name = f"checked.{i}.source_says"
                col.add(
                    path, yamlio.line_of(lines, name), name, f"{e} — a date check states the source's date as a date"
                )
    if data.get("published") == "unknown" and not data.get("searched"):
        col.add(
            path,
            yamlio.line_of(lines, "published"),
            "published",
            "is 'unknown': say in 'searched' what was looked for and where",
        )
    if data.get("date", "absent") is None and not data.get("notes"):
        col.add(
            path, yamlio.line_of(lines, "date"), "date", "is empty: give the date, or say in 'notes' why it is unknown"
        )
    return data, lines


def _items(value: Any) -> list:
    """A field that should be a list, as a list ([] when it is not: its type is reported apart)."""
    return value if isinstance(value, list) else []


def _long_fields(data: Any, prefix: str = "") -> list[tuple[str, int]]:
    """(field path, length) of every string value longer than MAX_FIELD_CHARS."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _long_fields(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _long_fields(v, f"{prefix}.{i}" if prefix else str(i))
    elif isinstance(data, str) and len(data) > MAX_FIELD_CHARS:
        out.append((prefix, len(data)))
    return out


def _cross_checks(
    parsed: list[tuple[Path, dict, dict[str, int]]],
    topics: Mapping[str, str],
    root: Path,
    col: _Collector,
    known: Mapping[str, Known] | None = None,
) -> None:
    """Checks between records: unique ids, known topics and links, verbatim quotations.

    `known` describes records not re-read this time (an incremental index update)."""
    known = known or {}
    kb_root = root.parent
    clean = _clean_paths(parsed, col)  # records without an error of their own so far
    parsed_paths = {col.rel(p) for p, _, _ in parsed}
    ids: dict[str, str] = {rid: k.path for rid, k in known.items() if k.path not in parsed_paths}
    for path, data, lines in parsed:
        rid = data.get("id")
        if not isinstance(rid, str):
            continue
        if rid in ids:
            col.add(path, yamlio.line_of(lines, "id"), "id", f"duplicate id {rid!r} (also in {ids[rid]})")
        else:
            ids[rid] = col.rel(path)
    kinds = {rid: k.kind for rid, k in known.items()}
    kinds.update({data["id"]: data["kind"] for _, data, _ in parsed if isinstance(data.get("id"), str)})
    texts: dict[str, str | None] = {}
    for path, data, lines in parsed:
        if topics:
            for i, t in enumerate(_items(data.get("topics"))):
                if isinstance(t, str) and t not in topics:
                    col.add(
                        path,
                        yamlio.line_of(lines, f"topics.{i}"),
                        "topics",
                        f"{t!r} is not in topics.yaml (add it there, or use one of: {', '.join(list(topics)[:8])}, …)",
                    )
        source = data.get("source")
        src = source.get("record") if isinstance(source, dict) else None
        src = src if isinstance(src, str) else None
        if src and kinds.get(src) != "source":
            col.add(
                path,
                yamlio.line_of(lines, "source.record"),
                "source.record",
                f"{src!r} is not a source record in this corpus",
            )
        for i, c in enumerate(_items(data.get("checked"))):
            via = c.get("via") if isinstance(c, dict) else None
            if isinstance(via, str) and via and kinds.get(via) != "source":
                col.add(
                    path,
                    yamlio.line_of(lines, f"checked.{i}.via"),
                    f"checked.{i}.via",
                    f"{via!r} is not a source record in this corpus",
                )
        for i, r in enumerate(_items(data.get("related"))):
            if isinstance(r, str) and r not in kinds:
                col.add(
                    path, yamlio.line_of(lines, f"related.{i}"), "related", f"{r!r} is not a record id in this corpus"
                )
        if col.rel(path) in clean:
            from kb.auditrules import check_record

            check_record(path, data, lines, col.add)
        if data["kind"] == "policy" and col.rel(path) in clean:
            from kb.doctexts import check_policy

            check_policy(path, data, lines, kinds, col.add, col.rel)
        if data["kind"] == "source" and data.get("text_file"):
            why = _text_problem(kb_root, path.parent, data["text_file"], col.rel)
            if why:
                col.add(
                    path,
                    yamlio.line_of(lines, "text_file"),
                    "text_file",
                    f"{why}; the quotations citing this source cannot be verified",
                )
        if not src or kinds.get(src) != "source":
            continue
        if src not in texts:
            texts[src] = _source_text(root, parsed, src, known)
        text = texts[src]
        if text is None:
            continue
        for name, value in _verbatim_fields(data):
            if squash(value) not in text:
                col.add(
                    path,
                    yamlio.line_of(lines, name),
                    name,
                    f"not found verbatim in source {src!r} (copy it exactly; line breaks and spaces are ignored): {value[:30]}…",
                )


def _clean_paths(parsed: list, col: _Collector) -> set[str]:
    bad = {p.path for p in col.problems if p.is_error}
    return {col.rel(p) for p, _, _ in parsed} - bad


def _source_text(root: Path, parsed: list, src: str, known: Mapping[str, Known]) -> str | None:
    """The squashed text of source `src`; `text_file` is relative to the source record's folder
    and must stay inside the knowledge base (None when it cannot be read: the source record's
    own check says why)."""
    found = next(((p, d.get("text_file")) for p, d, _ in parsed if d.get("id") == src), None)
    if found is None and src in known:
        found = (root.parent / known[src].path, known[src].text_file)
    if not found or not found[1]:
        return None
    text = _read_source_text(root.parent, found[0].parent, found[1])
    return None if text is None else squash(text)


def _verbatim_fields(data: dict) -> list[tuple[str, str]]:
    """The fields whose text must appear verbatim in the record's source."""
    out = [
        (f"quotes.{i}.text", q["text"])
        for i, q in enumerate(_items(data.get("quotes")))
        if isinstance(q, dict) and isinstance(q.get("text"), str)
    ]
    for name in ("quote", "raw"):
        if isinstance(data.get(name), str):
            out.append((name, data[name]))
    anchor = data.get("anchor")
    if isinstance(anchor, dict) and isinstance(anchor.get("text"), str):
        out.append(("anchor.text", anchor["text"]))
    return out


def scan(root: Path, extra_dirs: tuple[Path, ...] = ()) -> tuple[Corpus, list[Problem]]:
    """Read and validate the corpus at `root` (and draft folders); never raises on bad data."""
    root = Path(root)
    col = _Collector(root.parent)
    if not root.is_dir():
        col.add(root, 1, "corpus", "is not a directory (point --kb at a folder holding corpus/, or run 'kb init DIR')")
        return Corpus(root, (), {}, (), (), tuple(col.problems)), col.problems
    topics = _load_topics(root, col)
    synonyms = _load_synonyms(root, col)
    dictionary = _load_dictionary(root, col)
    aliases = _load_aliases(root, col)
    phrases = _load_topic_phrases(root, topics, col)
    parsed: list[tuple[Path, dict, dict[str, int]]] = []
    for base in (root, *extra_dirs):
        if not base.is_dir():
            continue
        for path in _record_files(base, col):
            got = _parse_record(path, path.parent.name, col)
            if got:
                parsed.append((path, *got))
    _cross_checks(parsed, topics, root, col)
    clean = _clean_paths(parsed, col)
    _check_topic_phrases([x for x in parsed if col.rel(x[0]) in clean], phrases, col)
    col.problems.sort(key=lambda p: (p.path, p.line))
    records = sorted(_valid_records(parsed, col), key=sort_key)
    by_id = {r.id: r for r in records}
    corpus = Corpus(
        root,
        tuple(records),
        topics,
        synonyms,
        dictionary,
        tuple(col.problems),
        by_id,
        aliases=aliases,
        topic_phrases=phrases,
    )
    return corpus, col.problems


TAGGED_BY_PHRASE = ("remark", "event")


def _listing(folder: Path, col: _Collector) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as e:
        col.add(folder, 1, "folder", f"cannot be listed: {e.strerror or e}")
        return []


def _record_files(base: Path, col: _Collector) -> list[Path]:
    """The record files of a corpus or drafts folder: `<kind folder>/<id>.yaml`. What cannot be
    a record is reported, one line each: a kind folder that is a file, a record that is a
    folder, a FIFO, a link loop, or a link leading out of `base` (not read)."""
    out = []
    for sub in _listing(base, col):
        if sub.name not in KIND_DIRS:
            if sub.suffix in RECORD_SUFFIXES and sub.name not in CONFIG_FILES and _exists(sub):
                col.add(sub, 1, "file", f"records belong in a kind folder ({', '.join(KIND_DIRS)}/)")
            continue
        if not _inside(base, sub, col):
            continue
        if not sub.is_dir():
            col.add(
                sub, 1, "folder", f"is not a folder (a kind folder holds one record file per id: {sub.name}/<id>.yaml)"
            )
            continue
        for path in _listing(sub, col):
            if path.suffix not in RECORD_SUFFIXES or not _inside(base, path, col):
                continue
            if path.is_dir():
                col.add(path, 1, "file", "is a folder where a record file belongs")
                continue
            out.append(path)
    return out


def _inside(base: Path, path: Path, col: _Collector) -> bool:
    """True when `path` (through any links) stays inside `base`; otherwise report it."""
    try:
        safeio.inside(base, path)
        return True
    except safeio.PathError as e:
        reason = (
            "is a symbolic link loop"
            if "loop" in e.reason or "resolved" in e.reason
            else "is a link leading outside the corpus"
        )
        col.add(path, 1, "file", f"{reason}; not read")
        return False


def _check_topic_phrases(parsed: list, phrases: Mapping[str, tuple[str, ...]], col: _Collector) -> None:
    """Warn when a remark's quotation holds a topic's listed phrase but the remark lacks the topic."""
    for path, data, lines in parsed:
        if data.get("kind") not in TAGGED_BY_PHRASE or data.get("draft"):
            continue
        quoted = squash(fold("".join(str(q.get("text", "")) for q in data.get("quotes") or [] if isinstance(q, dict))))
        have = set(data.get("topics") or [])
        for topic, words in phrases.items():
            hit = next((w for w in words if squash(fold(w)) in quoted), None)
            if hit and topic not in have:
                col.add(
                    path,
                    yamlio.line_of(lines, "topics"),
                    "topics",
                    f"a quotation says {hit!r} but the topic {topic!r} is missing (topics.yaml phrases)",
                    "warning",
                )


def _valid_records(parsed: list, col: _Collector) -> list[Record]:
    """Records of the parsed files that have no error (a file with an error gives none)."""
    bad = {p.path for p in col.problems if p.is_error}
    return [
        Record.build(data, parse_date(data["date"]) if data.get("date") is not None else None, col.rel(path))
        for path, data, _ in parsed
        if col.rel(path) not in bad
    ]


def sort_key(rec: Record) -> tuple:
    """Date order; undated last; same date: kind then id, so listings are stable."""
    if rec.date is None:
        return (1, None, None, rec.kind, rec.id)
    return (0, rec.date.start, rec.date.end, rec.kind, rec.id)


def load(root: Path, extra_dirs: tuple[Path, ...] = ()) -> Corpus:
    """Load a corpus for use; raise CorpusError when any record has an error."""
    corpus, problems = scan(root, extra_dirs)
    if any(p.is_error for p in problems):
        raise CorpusError(problems)
    return corpus


def scan_files(root: Path, paths: list[Path], known: Mapping[str, Known]) -> tuple[list[Record], list[Problem]]:
    """Validate only `paths` (changed record files) against the rest of the corpus as `known`."""
    root = Path(root)
    col = _Collector(root.parent)
    topics = _load_topics(root, col)
    parsed = []
    for path in paths:
        if not _inside(root, path, col):
            continue
        got = _parse_record(path, path.parent.name, col)
        if got:
            parsed.append((path, *got))
    _cross_checks(parsed, topics, root, col, known)
    return _valid_records(parsed, col), col.problems


def read_aliases(root: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """The corpus's aliases.yaml as `kb check` reads it ({} when absent or unreadable)."""
    return _load_aliases(Path(root), _Collector(Path(root).parent))


def read_config(root: Path) -> tuple[dict[str, str], tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """The corpus's topics, synonym groups and dictionary lines, read as `kb check` reads them
    (problems are left to `kb check`; what cannot be read is empty)."""
    col = _Collector(Path(root).parent)
    return _load_topics(Path(root), col), _load_synonyms(Path(root), col), _load_dictionary(Path(root), col)


@dataclass(frozen=True)
class CheckReport:
    """What `kb check` found: the corpus checked, how many records are valid, every problem."""

    corpus_dir: Path
    records: int
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def summary(self) -> str:
        from kb.labels import CHECK_SUMMARY

        return CHECK_SUMMARY.format(
            records=self.records, errors=self.errors, warnings=self.warnings, where=self.corpus_dir
        )

    def to_json(self) -> dict:
        return {
            "corpus": str(self.corpus_dir),
            "records": self.records,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [p.__dict__ for p in self.problems],
        }


def check(corpus_dir: Path, drafts_dir: Path | None = None) -> CheckReport:
    """Validate the corpus and any drafts, collecting every problem (never raises on bad data)."""
    corpus, problems = scan(corpus_dir, (drafts_dir,) if drafts_dir else ())
    return CheckReport(Path(corpus_dir), len(corpus.records), tuple(problems))
