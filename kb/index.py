"""The Whoosh index: schema, atomic builds, and freshness by content hash.

Layout of an index folder:

    index/CURRENT            name of the live generation (replaced atomically)
    index/gen-<stamp>/       a Whoosh index and its manifest.json
    index/segdict-<hash>.sqlite  jieba's dictionary (with the domain words) for fast queries,
                             shared by the generations built with that dictionary

A full build writes a new generation beside the live one and then swaps CURRENT, so a
failed or interrupted build leaves the previous index usable and a search running meanwhile
still answers. A small change re-indexes only the changed records inside the live generation
(Whoosh commits are atomic), then replaces the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb import corpus as corpus_mod
from kb.analysis import (
    ANALYZER_VERSION,
    SCHEMA_NAME,
    Segmenter,
    analyzer,
    dictionary_hash,
    frequency_db,
    indexing_segmenter,
    query_segmenter,
)
from kb.disputes import disputed_quotes
from kb.errors import CorpusError, IndexBusy, KbError
from kb.home import Home
from kb.records import KIND_DIRS, Record

SCHEMA_VERSION = 10  # bump when the schema or what document() puts in it changes
NO_DATE = 3_652_059  # date(9999, 12, 31).toordinal(): undated records sort last
Progress = Callable[[int, int], None]


def _patch_whoosh() -> None:
    """Whoosh 2.7 looks for a field's lengths column on disk (a stat) for every posting of a
    field that has none (ids, keywords, numbers) while writing a segment: 300,000 stats for
    10,000 records. A segment's files never change, so remembering the answer is safe."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    if getattr(W3PerDocReader, "_kb_patched", False):
        return

    def _cached_reader(self, fieldname, column):
        try:
            return self._readers[fieldname]
        except KeyError:
            reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
            self._readers[fieldname] = reader
            return reader

    W3PerDocReader._cached_reader = _cached_reader
    W3PerDocReader._kb_patched = True


def schema(dictionary: tuple[str, ...]):
    """The one declaration of the index's fields."""
    from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

    ana = analyzer(dictionary)
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        title=TEXT(analyzer=ana, stored=True, field_boost=2.0),
        body=TEXT(analyzer=ana, stored=True),
        people=TEXT(analyzer=ana, stored=True, field_boost=1.5),
        notes=TEXT(analyzer=ana, stored=True, field_boost=0.5),
        who=KEYWORD(commas=True, scorable=False),
        topics=KEYWORD(commas=True, stored=True, scorable=False),
        region=ID(stored=True),
        year=ID(stored=True),
        start=NUMERIC(int, bits=32),
        end=NUMERIC(int, bits=32),
        sortkey=NUMERIC(int, bits=32, sortable=True),
        endkey=NUMERIC(int, bits=32, sortable=True),  # a column: date filters read it, see kb.search
        date=STORED,
        date_source=STORED,
        aka=STORED,  # the document's other titles (a named-document query ranks it first)
        disputes=STORED,  # [[quotation, why]] of disputed quotations (kb.disputes), JSON
        prior=STORED,
        listing=STORED,  # data for the listing line (kb.records.headline), not the line itself
        path=STORED,
    )


def body_text(rec: Record) -> str:
    """The record's own words, except its title and people, one part a line: quotations,
    occasion, document fields. Our summary and notes are in `notes_text`."""
    d = rec.data
    parts: list[str] = [q.text for q in rec.quotes]  # first: snippets prefer the sources' words
    for key in ("occasion", "place", "body", "original_title", "doc_number", "indicator", "journal"):
        if d.get(key):
            parts.append(str(d[key]))
    for key in ("structure", "targets"):
        parts.extend(str(x) for x in d.get(key) or [])
    if rec.kind == "reference":
        parts.append(str(d.get("raw", "")))
    if rec.kind == "statistic":
        unit = d.get("unit", "")
        parts.append(f"{d.get('value')}{unit}")
    return "\n".join(p for p in parts if p)


def notes_text(rec: Record) -> str:
    """Our summary and notes and what other sources say: searchable, but weighed below the
    record's own words. Internal text never enters: record ids and field names (the `见 …`
    cross-references), where a check was read (`evidence`, `via`), and a date check's dates
    (the date is searched as a date)."""
    parts = [str(rec.get("summary") or "")]
    parts += [str(x) for x in rec.get("notes", [])]
    for c in rec.get("checked", []):
        keys = ("detail",) if c.get("field") == "date" else ("value", "detail")
        parts.extend(str(c[k]) for k in keys if c.get(k) is not None)
    return "\n".join(t for t in (strip_internal(p) for p in parts) if t)


_SLUG = None


def strip_internal(text: str) -> str:
    """`text` without record ids and schema field names (见 2016-05-30-xi-… , 见 checked)."""
    global _SLUG
    if _SLUG is None:
        import re

        from kb.records import COMMON, KIND_FIELDS

        names = set(COMMON) | {k for fields in KIND_FIELDS.values() for k in fields} | {"official-facts"}
        words = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
        _SLUG = re.compile(rf"(?<![A-Za-z0-9_-])(?:[a-z0-9]+(?:-[a-z0-9]+)+|{words})(?![A-Za-z0-9_-])")
    return _SLUG.sub("", text).strip()


def other_titles(rec: Record) -> list[str]:
    """Other titles of the record's document: the original title of a speech, and the titles
    other sources or the chapter give it (a `checked` entry on the title)."""
    out = [str(rec.get("original_title") or "")]
    for c in rec.get("checked", []):
        if c.get("field") in ("title", "original_title"):
            out += [str(c.get("source_says") or ""), str(c.get("value") or "")]
    seen = {rec.title}
    return [t for t in out if t and not t.startswith("(") and not (t in seen or seen.add(t))]


def people_words(rec: Record) -> tuple[str, ...]:
    """Who said or issued it, and how the source calls the speaker (speaker_role: 总书记)."""
    role = rec.get("speaker_role")
    return (*rec.people, role) if role else rec.people


PRIMARY = ("remark", "event", "policy")


def prior(rec: Record) -> float:
    """How much a record's relevance counts: what was said and issued (remarks, events,
    policies) weighs more than statistics and the literature written about it, and a document
    no public source could identify weighs less than one that can be cited."""
    weight = 1.0 if rec.kind in PRIMARY else 0.4
    if rec.get("identified") is False:
        weight *= 0.2
    return weight


def document(rec: Record) -> dict:
    """The Whoosh document of a record."""
    doc = {
        "id": rec.id,
        "kind": rec.kind,
        "title": rec.title,
        "body": body_text(rec),
        "notes": notes_text(rec),
        "people": " ".join(people_words(rec)),  # searched: names and the speaker's role
        "_stored_people": " ".join(rec.people),  # shown: names
        "who": ",".join(p.replace(",", " ") for p in rec.people),
        "topics": ",".join(rec.topics),
        "region": rec.region or "",
        "date": rec.date.iso() if rec.date else None,
        "date_source": rec.source_date,
        "listing": rec.listing,
        "aka": "\n".join(other_titles(rec)),
        "disputes": json.dumps(disputed_quotes(rec), ensure_ascii=False) if rec.get("checked") else "",
        "path": rec.path,
        "prior": prior(rec),
        "sortkey": rec.date.start.toordinal() if rec.date else NO_DATE,
        "endkey": rec.date.end.toordinal() if rec.date else 0,  # 0: undated, never in a period
    }
    if rec.date:
        doc["start"] = rec.date.start.toordinal()
        doc["end"] = rec.date.end.toordinal()
        doc["year"] = str(rec.date.start.year)
    return doc


@dataclass
class Manifest:
    """What an index generation was built from: per-file stat and hash, and the analyzer."""

    schema: int = SCHEMA_VERSION
    analyzer: dict = field(default_factory=dict)
    files: dict[str, list] = field(default_factory=dict)  # rel path -> [mtime_ns, size, sha1, id, kind, text_file]
    config: dict[str, list] = field(default_factory=dict)  # topics.yaml etc. -> [mtime_ns, size, sha1]

    @staticmethod
    def read(path: Path) -> Manifest | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Manifest(data["schema"], data["analyzer"], data["files"], data["config"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, path: Path) -> None:
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(self.__dict__, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def known(self) -> dict[str, corpus_mod.Known]:
        return {f[3]: corpus_mod.Known(f[4], p, f[5]) for p, f in self.files.items()}


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def analyzer_signature(dictionary: tuple[str, ...]) -> dict:
    from kb.analysis import _import_jieba

    jieba = _import_jieba()
    return {
        "name": SCHEMA_NAME,
        "version": ANALYZER_VERSION,
        "jieba": getattr(jieba, "__version__", "?"),
        "dictionary": dictionary_hash(dictionary),
    }


def _config_files(corpus_dir: Path) -> dict[str, Path]:
    """The files besides records that an index depends on: topics, dictionary, source texts."""
    out = {name: corpus_dir / name for name in ("topics.yaml", "dictionary.txt")}
    for sub in ("sources", "policies"):  # a source's text; a policy's full text and its sidecar
        d = corpus_dir / sub
        if d.is_dir():
            for p in sorted(d.iterdir()):
                if p.is_file() and p.suffix not in corpus_mod.RECORD_SUFFIXES:
                    out[f"{sub}/{p.name}"] = p
    return out


def _config_state(corpus_dir: Path, old: dict | None = None) -> dict[str, list]:
    """[mtime_ns, size, sha1] per config file ([] when absent); a file whose stat matches
    `old` keeps its recorded hash, so a fresh index costs a stat, not a read."""
    out: dict[str, list] = {}
    for name, p in _config_files(corpus_dir).items():
        try:
            st = p.stat()
        except OSError:
            out[name] = []
            continue
        prev = (old or {}).get(name)
        if isinstance(prev, list) and len(prev) == 3 and prev[:2] == [st.st_mtime_ns, st.st_size]:
            out[name] = prev
        else:
            out[name] = [st.st_mtime_ns, st.st_size, _sha1(p)]
    return out


def _config_changed(old: dict, now: dict) -> bool:
    """True when a config file appeared, went away or changed content (stat alone may differ)."""
    return set(old) != set(now) or any((old[k] or [None])[-1:] != (now[k] or [None])[-1:] for k in now)


def _stat_files(corpus_dir: Path) -> dict[str, os.stat_result]:
    out = {}
    base = corpus_dir.parent
    for sub in KIND_DIRS:
        d = corpus_dir / sub
        if not d.is_dir():
            continue
        with os.scandir(d) as it:
            for e in it:
                if e.is_file() and e.name.endswith(corpus_mod.RECORD_SUFFIXES):
                    out[str(Path(e.path).relative_to(base))] = e.stat()
    return out


@dataclass(frozen=True)
class Opened:
    """A live index generation, ready to search."""

    path: Path
    manifest: Manifest
    segmenter: Segmenter | None  # None: use the analyzer stored in the index
    notice: str | None = None

    def open(self):
        from whoosh.index import open_dir

        return open_dir(str(self.path))


@dataclass(frozen=True)
class Change:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    rebuild: str | None = None  # why a full rebuild is needed

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed or self.rebuild)


def _current(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    gen = index_dir / name
    return gen if name and (gen / "manifest.json").is_file() else None


def diff(home: Home, manifest: Manifest | None, signature: dict) -> tuple[Change, dict[str, os.stat_result]]:
    """What changed in the corpus since the index was built (stat first, hash only when stat differs)."""
    stats = _stat_files(home.corpus_dir)
    if manifest is None:
        return Change(rebuild="no index yet"), stats
    if manifest.schema != SCHEMA_VERSION:
        return Change(rebuild="the index schema changed"), stats
    if manifest.analyzer != signature:
        return Change(rebuild="the tokenizer or its dictionary changed"), stats
    if _config_changed(manifest.config, _config_state(home.corpus_dir, manifest.config)):
        return Change(rebuild="topics or source texts changed"), stats
    added, changed = [], []
    for rel, st in stats.items():
        old = manifest.files.get(rel)
        if old is None:
            added.append(rel)
        elif old[0] != st.st_mtime_ns or old[1] != st.st_size:
            if _sha1(home.corpus_dir.parent / rel) != old[2]:
                changed.append(rel)
    removed = [rel for rel in manifest.files if rel not in stats]
    return Change(tuple(added), tuple(changed), tuple(removed)), stats


def _entry(home: Home, rel: str, st: os.stat_result, rec: Record) -> list:
    return [st.st_mtime_ns, st.st_size, _sha1(home.corpus_dir.parent / rel), rec.id, rec.kind, rec.get("text_file")]


class _Lock:
    """An exclusive lock on the index folder, so two builds never interleave."""

    def __init__(self, index_dir: Path, wait: float = 30.0):
        self.path = index_dir / "build.lock"
        self.wait = wait
        self.fh = None

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "w")
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.fh.close()
                    raise IndexBusy(
                        f"{self.path}: another kb process is building this index; try again shortly"
                    ) from None
                time.sleep(0.1)

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def build(home: Home, progress: Progress | None = None, procs: int | None = None) -> tuple[Opened, int]:
    """Validate the whole corpus and build a new generation; swap it in only when complete."""
    corpus = corpus_mod.load(home.corpus_dir)
    signature = analyzer_signature(corpus.dictionary)
    with _Lock(home.index_dir):
        return _build_locked(home, corpus, signature, progress, procs)


def _build_locked(home: Home, corpus, signature: dict, progress, procs) -> tuple[Opened, int]:
    from whoosh.index import create_in

    _patch_whoosh()
    index_dir = home.index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    gen = index_dir / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    gen.mkdir()
    try:
        seg = indexing_segmenter(index_dir, corpus.dictionary)
        ix = create_in(str(gen), schema(corpus.dictionary))
        n = len(corpus.records)
        if procs is None:
            procs = min(os.cpu_count() or 1, 4) if n >= 2000 else 1
        kwargs = {"procs": procs, "limitmb": 256, "multisegment": True} if procs > 1 else {"limitmb": 256}
        writer = ix.writer(**kwargs)
        try:
            for i, rec in enumerate(corpus.records, 1):
                writer.add_document(**document(rec))
                if progress and (i % 200 == 0 or i == n):
                    progress(i, n)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        stats = _stat_files(home.corpus_dir)
        manifest = Manifest(
            analyzer=signature,
            files={r.path: _entry(home, r.path, stats[r.path], r) for r in corpus.records if r.path in stats},
            config=_config_state(home.corpus_dir),
        )
        manifest.write(gen / "manifest.json")
        tmp = index_dir / f"CURRENT.tmp{os.getpid()}"
        tmp.write_text(gen.name, encoding="utf-8")
        os.replace(tmp, index_dir / "CURRENT")
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _prune(index_dir, keep=gen.name)
    return Opened(gen, manifest, seg), len(corpus.records)


def _prune(index_dir: Path, keep: str) -> None:
    """Remove old generations, keeping the newest previous one for readers still open on it."""
    gens = sorted(
        (p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("gen-")), key=lambda p: p.stat().st_mtime
    )
    old = [p for p in gens if p.name != keep]
    for p in old[:-1]:
        shutil.rmtree(p, ignore_errors=True)
    used = set()
    for p in index_dir.iterdir():
        m = Manifest.read(p / "manifest.json") if p.is_dir() else None
        if m:
            used.add(frequency_db(index_dir, m.analyzer.get("dictionary", "")).name)
    for p in index_dir.glob("segdict-*.sqlite"):
        if p.name not in used:
            p.unlink(missing_ok=True)


def update(home: Home, opened: Opened, change: Change, stats: dict[str, os.stat_result]) -> Opened:
    """Re-index only the changed records in the live generation; validate them first."""
    base = home.corpus_dir.parent
    manifest = opened.manifest
    paths = [base / rel for rel in change.added + change.changed]
    known = {k: v for k, v in manifest.known().items() if v.path not in change.removed}
    records, problems = corpus_mod.scan_files(home.corpus_dir, paths, known)
    if any(p.is_error for p in problems):
        raise CorpusError(problems)
    from whoosh.writing import LockError

    with _Lock(home.index_dir):
        ix = opened.open()
        try:
            writer = ix.writer(timeout=5.0)
        except LockError:
            raise IndexBusy(f"{opened.path}: the index is locked by another kb process; try again shortly") from None
        try:
            for rel in change.removed + change.changed:
                writer.delete_by_term("id", manifest.files[rel][3])
            for rec in records:
                writer.update_document(**document(rec))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        files = {k: v for k, v in manifest.files.items() if k not in change.removed}
        for rec in records:
            files[rec.path] = _entry(home, rec.path, stats[rec.path], rec)
        new = Manifest(manifest.schema, manifest.analyzer, files, manifest.config)
        new.write(opened.path / "manifest.json")
    parts = [
        f"{len(names)} {label}"
        for names, label in ((change.added, "added"), (change.changed, "changed"), (change.removed, "removed"))
        if names
    ]
    return Opened(opened.path, new, opened.segmenter, f"index updated: re-indexed {', '.join(parts)}")


def ensure(home: Home, rebuild: bool = False, progress: Progress | None = None) -> Opened:
    """Open the live index, building or refreshing it first when the corpus changed.

    When the corpus has errors and an older index exists, that index is used and the notice
    says so; without any index the CorpusError is raised."""
    gen = None if rebuild else _current(home.index_dir)
    manifest = Manifest.read(gen / "manifest.json") if gen else None
    dictionary = corpus_mod.read_config(home.corpus_dir)[2]
    signature = analyzer_signature(dictionary)
    change, stats = diff(home, manifest, signature)
    if rebuild:
        change = Change(rebuild="asked to rebuild")
    if change.empty:
        return Opened(gen, manifest, query_segmenter(home.index_dir, dictionary))
    try:
        if change.rebuild:  # also when there is no index yet (diff says so)
            opened, n = build(home, progress)
            why = change.rebuild
            return Opened(opened.path, opened.manifest, opened.segmenter, f"index built: {n} records ({why})")
        return update(home, Opened(gen, manifest, query_segmenter(home.index_dir, dictionary)), change, stats)
    except CorpusError as e:
        if gen is None or rebuild:
            raise
        # The old index may have been built with another dictionary: then queries use the
        # analyzer stored in it (Opened.segmenter None), never the new dictionary.
        same = manifest.analyzer.get("dictionary") == dictionary_hash(dictionary)
        seg = query_segmenter(home.index_dir, dictionary) if same else None
        return Opened(gen, manifest, seg, f"warning: the corpus has errors, so the index was not updated: {e}")
    except OSError as e:
        raise KbError(
            f"{home.index_dir}: cannot write the index: {e.strerror or e} (check free space and permissions)"
        ) from None
