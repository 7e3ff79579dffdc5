"""The Whoosh index: schema, atomic builds, and freshness by content hash.

Layout of an index folder:

    index/CURRENT            name of the live generation (replaced atomically); it must name
                             a generation folder directly inside this index, else the index
                             is treated as damaged and rebuilt
    index/HISTORY            the generations CURRENT named before, newest last
    index/build.lock         held (flock) by the one process writing the index
    index/gen-<stamp>/       a Whoosh index, its manifest.json, `.kb-building` (written first:
                             the builder's pid) and `.kb-complete` (written last)
    index/segdict-<hash>.sqlite  jieba's dictionary (with the domain words) for fast queries,
                             shared by the generations built with that dictionary

Every file is written through kb.safeio (never through a planted link). Pruning removes only
generations kb completed (or abandoned builds of dead processes), never the live one nor the
one it just replaced. A generation's manifest records the stat of each of its files, so a
truncated, deleted or rewritten segment is found when the index is opened, and rebuilt.

A full build writes a new generation beside the live one and then swaps CURRENT, so a
failed or interrupted build leaves the previous index usable and a search running meanwhile
still answers. A small change re-indexes only the changed records inside the live generation
(Whoosh commits are atomic), then replaces the manifest.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb import corpus as corpus_mod
from kb import labels, safeio, units
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

SCHEMA_VERSION = 13  # bump when the schema or what document() puts in it changes
NO_DATE = 3_652_059  # date(9999, 12, 31).toordinal(): undated records sort last
Progress = Callable[[int, int], None]
GEN_RE = re.compile(r"gen-[0-9A-Za-z-]{1,100}")
BUILDING = ".kb-building"  # first file of a new generation: the builder's pid
COMPLETE = ".kb-complete"  # last file of a generation: kb finished it
HISTORY_KEEP = 20
# Files of a generation that are not part of the Whoosh index proper.
_OWN_FILES = ("manifest.json", BUILDING, COMPLETE)


class IndexDamaged(KbError):
    """The live index is missing, truncated or rewritten files; it must be rebuilt."""


def _fault(point: str) -> None:
    """Fault injection for tests/test_faults.py: KB_FAULT=<point> kills this process there
    with SIGKILL, as a power cut or `kill -9` would. A no-op otherwise."""
    if os.environ.get("KB_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


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
        parent=ID(stored=True),  # a provision's or passage's record (kb.units)
        title=TEXT(analyzer=ana, stored=True, field_boost=2.0),
        body=TEXT(analyzer=ana, stored=True),
        people=TEXT(analyzer=ana, stored=True, field_boost=1.5),
        # The meeting or occasion a speech was given at (also in body): a query naming a
        # meeting ranks the speeches at it above documents that mention it.
        occasion=TEXT(analyzer=ana, field_boost=2.0),
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

        def names_in(fields) -> set[str]:
            out = set(fields)
            for spec in fields.values():
                if spec.sub:
                    out |= names_in(spec.sub)
            return out

        names = names_in(COMMON) | {n for fields in KIND_FIELDS.values() for n in names_in(fields)}
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
        "occasion": str(rec.get("occasion") or "") if rec.kind in ("remark", "event") else "",
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
    """What an index generation was built from: per-file stat and hash, and the analyzer;
    and what the generation holds: the stat of each of its own files (`store`)."""

    schema: int = SCHEMA_VERSION
    analyzer: dict = field(default_factory=dict)
    # rel path -> [mtime_ns, size, sha1, id, kind, text_file, ctime_ns, inode], the stat taken
    # before the file was read; sha1 "" when the file changed while it was being indexed
    files: dict[str, list] = field(default_factory=dict)
    config: dict[str, list] = field(default_factory=dict)  # topics.yaml etc. -> [mtime_ns, size, ctime_ns, inode, sha1]
    store: dict[str, list] = field(default_factory=dict)  # file of the generation -> [size, mtime_ns, ctime_ns]

    @staticmethod
    def read(path: Path) -> Manifest | None:
        try:
            data = json.loads(safeio.read_text(path, MANIFEST_CAP, what="an index manifest", follow=False))
            m = Manifest(data["schema"], data["analyzer"], data["files"], data["config"], data.get("store") or {})
        except (OSError, ValueError, KeyError, TypeError, KbError):
            return None
        if not all(isinstance(x, dict) for x in (m.analyzer, m.files, m.config, m.store)):
            return None
        return m

    def write(self, path: Path) -> None:
        safeio.write_atomic(path, json.dumps(self.__dict__, ensure_ascii=False))

    def known(self) -> dict[str, corpus_mod.Known]:
        return {f[3]: corpus_mod.Known(f[4], p, f[5]) for p, f in self.files.items()}


MANIFEST_CAP = 512 * safeio.MB


def _sha1(path: Path, cap: int = safeio.MAX_TEXT) -> str:
    return hashlib.sha1(safeio.read_bytes(path, cap)).hexdigest()


def _stamp(st: os.stat_result) -> list:
    """What freshness compares: mtime and size, and the inode change time and inode number,
    which no `cp -p`, `rsync -a` or `tar x` can put back."""
    return [st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino]


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
    """The files besides records that an index depends on: topics, dictionary, source and policy texts
    (regular files inside the knowledge base only; kb check reports the others)."""
    out = {name: corpus_dir / name for name in ("topics.yaml", "dictionary.txt")}
    for sub in ("sources", "policies"):  # a source's text; a policy's full text and its sidecar
        d = corpus_dir / sub
        if not d.is_dir():
            continue
        for p in sorted(d.iterdir()):
            if p.suffix in corpus_mod.RECORD_SUFFIXES:
                continue
            try:
                safeio.inside(corpus_dir.parent, p)
            except KbError:
                continue
            if p.is_file():
                out[f"{sub}/{p.name}"] = p
    return out


def _config_state(corpus_dir: Path, old: dict | None = None) -> dict[str, list]:
    """[mtime_ns, size, ctime_ns, inode, sha1] per config file ([] when absent or unreadable);
    a file whose stat matches `old` keeps its recorded hash, so a fresh index costs a stat."""
    out: dict[str, list] = {}
    for name, p in _config_files(corpus_dir).items():
        try:
            st = p.stat()
            if not stat.S_ISREG(st.st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
        except OSError:
            out[name] = []
            continue
        prev = (old or {}).get(name)
        if isinstance(prev, list) and len(prev) == 5 and prev[:4] == _stamp(st):
            out[name] = prev
            continue
        try:
            out[name] = [*_stamp(st), _sha1(p)]
        except (OSError, KbError):
            out[name] = []
    return out


def _config_changed(old: dict, now: dict) -> bool:
    """True when a config file appeared, went away or changed content (stat alone may differ)."""
    return set(old) != set(now) or any((old[k] or [None])[-1:] != (now[k] or [None])[-1:] for k in now)


def _stat_files(corpus_dir: Path) -> dict[str, os.stat_result]:
    """The record files of the corpus (regular files, also through links that stay inside
    the corpus; the loader reports the others) and their stat."""
    out = {}
    base = corpus_dir.parent
    for sub in KIND_DIRS:
        d = corpus_dir / sub
        if not d.is_dir() or d.is_symlink() and not _stays_inside(corpus_dir, d):
            continue
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            if not e.name.endswith(corpus_mod.RECORD_SUFFIXES):
                continue
            try:
                if e.is_symlink() and not _stays_inside(corpus_dir, Path(e.path)):
                    continue
                if e.is_file():
                    out[str(Path(e.path).relative_to(base))] = e.stat()
            except OSError:
                continue
    return out


def _stays_inside(root: Path, path: Path) -> bool:
    try:
        safeio.inside(root, path)
        return True
    except KbError:
        return False


@dataclass(frozen=True)
class Opened:
    """A live index generation, ready to search."""

    path: Path
    manifest: Manifest
    segmenter: Segmenter | None  # None: use the analyzer stored in the index
    notice: str | None = None
    degraded: bool = False  # the corpus has errors or the index could not be written: an older index is used

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


def _current(index_dir: Path) -> tuple[Path | None, str | None]:
    """The live generation and, when CURRENT is unusable, why (None, None: no index yet).

    CURRENT must be a regular file naming a real folder directly inside this index that kb
    completed; anything else (`../../other-kb/index/gen-…`, a link, a deleted generation)
    is damage, never followed."""
    cur = index_dir / "CURRENT"
    try:
        st = os.lstat(cur)
    except FileNotFoundError:
        return None, None
    except OSError as e:
        return None, f"CURRENT cannot be read ({e.strerror})"
    if not stat.S_ISREG(st.st_mode):
        return None, "CURRENT is not a regular file"
    try:
        name = safeio.read_text(cur, 4096, what="the index pointer", follow=False).strip()
    except (OSError, UnicodeDecodeError, KbError):
        return None, "CURRENT cannot be read"
    if not GEN_RE.fullmatch(name):
        return None, f"CURRENT names {name[:80]!r}, not a generation folder of this index"
    gen = index_dir / name
    try:
        gst = os.lstat(gen)
    except OSError:
        return None, f"CURRENT names {name}, which does not exist"
    if not stat.S_ISDIR(gst.st_mode):
        return None, f"CURRENT names {name}, which is not a folder"
    if not (gen / COMPLETE).is_file():
        legacy = Manifest.read(gen / "manifest.json")
        if legacy is not None and legacy.schema != SCHEMA_VERSION:
            return gen, None  # built by an older kb: diff() asks for a rebuild
        return None, f"CURRENT names {name}, which kb did not complete"
    return gen, None


def _store_state(gen: Path) -> dict[str, list]:
    """[size, mtime_ns, ctime_ns] of each Whoosh file of a generation."""
    out = {}
    for e in os.scandir(gen):
        if e.name in _OWN_FILES or "LOCK" in e.name.upper() or not e.is_file(follow_symlinks=False):
            continue
        st = e.stat(follow_symlinks=False)
        out[e.name] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    return out


def _damage(gen: Path, manifest: Manifest | None) -> str | None:
    """Why the generation cannot be trusted (a file missing, truncated or rewritten), or None."""
    if manifest is None:
        return f"{gen.name}/manifest.json is missing or unreadable"
    if manifest.schema != SCHEMA_VERSION:
        return None  # diff() rebuilds it anyway
    if not manifest.store:
        return f"{gen.name} lists no index files"
    for name, want in manifest.store.items():
        try:
            st = os.lstat(gen / name)
        except OSError:
            return f"{gen.name}/{name} is missing"
        if not stat.S_ISREG(st.st_mode):
            return f"{gen.name}/{name} is not a regular file"
        if st.st_size != want[0]:
            return f"{gen.name}/{name} is {st.st_size} bytes, not {want[0]}"
        if [st.st_mtime_ns, st.st_ctime_ns] != list(want[1:3]):
            return f"{gen.name}/{name} was modified after kb wrote it"
    return None


def diff(home: Home, manifest: Manifest | None, signature: dict) -> tuple[Change, dict[str, os.stat_result]]:
    """What changed in the corpus since the index was built (stat first, hash only when stat differs)."""
    stats = _stat_files(home.corpus_dir)
    if manifest is None:
        return Change(rebuild=labels.INDEX_NONE), stats
    if manifest.schema != SCHEMA_VERSION:
        return Change(rebuild=labels.INDEX_SCHEMA), stats
    if manifest.analyzer != signature:
        return Change(rebuild=labels.INDEX_TOKENIZER), stats
    if _config_changed(manifest.config, _config_state(home.corpus_dir, manifest.config)):
        return Change(rebuild=labels.INDEX_TOPICS), stats
    added, changed = [], []
    for rel, st in stats.items():
        old = manifest.files.get(rel)
        if old is None:
            added.append(rel)
        elif [old[0], old[1], *old[6:8]] != _stamp(st):
            try:
                same = bool(old[2]) and _sha1(home.corpus_dir.parent / rel, safeio.MAX_RECORD) == old[2]
            except (OSError, KbError):
                same = False  # unreadable now: the loader says why
            if not same:
                changed.append(rel)
    removed = [rel for rel in manifest.files if rel not in stats]
    return Change(tuple(added), tuple(changed), tuple(removed)), stats


def _entry(home: Home, rel: str, st: os.stat_result, rec: Record) -> list:
    """A manifest entry with the stat taken before the file was read. When the file changed
    since (an edit during the build), its hash is left empty: the next run re-indexes it."""
    path = home.corpus_dir.parent / rel
    try:
        now = os.stat(path)
        sha = _sha1(path, safeio.MAX_RECORD) if _stamp(now) == _stamp(st) else ""
        if sha and _stamp(os.stat(path)) != _stamp(st):
            sha = ""
    except (OSError, KbError):
        sha = ""
    return [st.st_mtime_ns, st.st_size, sha, rec.id, rec.kind, rec.get("text_file"), st.st_ctime_ns, st.st_ino]


# -- the build lock ---------------------------------------------------------------------------

_HELD_LOCKS: dict[int, str] = {}  # lock fd -> lock path, held by this process: closed in forked children
_BUILD_PARENT: list[int] = []  # pid of a process running a multi-process build


def _after_fork_in_child() -> None:
    """In a process forked by a build (Whoosh's multiprocessing workers): drop the inherited
    lock descriptors, so the lock stays the parent's alone and the OS frees it when the parent
    dies; die with the parent (a `kill -9` of the build leaves no worker behind); leave Ctrl-C
    to the parent, which stops the workers (no traceback from each)."""
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()
    if not _BUILD_PARENT:
        return
    parent = _BUILD_PARENT[0]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _die_with_parent():
        import threading

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Lock:
    """An exclusive lock on the index folder, so two writers never interleave.

    flock on a descriptor only this process holds: the OS releases it when the process dies,
    however it dies. The holder's pid is written in the file; a lock still held while that
    pid is gone (workers of an older kb that outlived their parent) is stale: the file is
    replaced by a fresh one and the lock taken there."""

    def __init__(self, index_dir: Path, root: Path | None = None, wait: float = 30.0):
        self.dir = index_dir
        self.root = root
        self.path = index_dir / "build.lock"
        self.wait = wait
        self.fd: int | None = None
        self.nested = False
        self.broke: int | None = None  # pid of a dead holder whose stale lock was broken

    def __enter__(self):
        import fcntl

        if str(self.path) in _HELD_LOCKS.values():  # this process holds it already (a repair inside a build)
            self.nested = True
            return self
        _make_index_dir(self.dir, self.root)
        deadline = time.monotonic() + self.wait
        while True:
            _unplant(self.path)
            fd = safeio.open_lock(self.path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _lock_pid(fd)
                if holder and holder != os.getpid() and not _alive(holder) and _same_file(fd, self.path):
                    os.unlink(self.path)  # stale: held only by orphans of a dead build
                    self.broke = holder
                    os.close(fd)
                    continue
                os.close(fd)
                if time.monotonic() > deadline:
                    who = f" (pid {holder})" if holder else ""
                    raise IndexBusy(
                        f"{self.path}: another kb process{who} is writing this index; try again shortly"
                    ) from None
                time.sleep(0.1)
                continue
            if not _same_file(fd, self.path):  # replaced while we waited: lock the new one
                os.close(fd)
                continue
            try:  # who holds it, for a stale-lock check; best effort (a full disk refuses even this)
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except OSError:
                pass
            self.fd = fd
            _HELD_LOCKS[fd] = str(self.path)
            return self

    def __exit__(self, *exc):
        import fcntl

        if self.nested:
            return
        fd, self.fd = self.fd, None
        _HELD_LOCKS.pop(fd, None)
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _unplant(path: Path) -> None:
    """Remove a link, FIFO or device found where kb keeps one of its own files (the link
    itself, never what it points to); a folder there is left for the error to name."""
    try:
        st = os.lstat(path)
    except OSError:
        return
    if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        path.unlink(missing_ok=True)


def _lock_pid(fd: int) -> int | None:
    try:
        raw = os.pread(fd, 32, 0).strip()
        return int(raw) if raw.isdigit() else None
    except (OSError, ValueError):
        return None


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.lstat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _make_index_dir(index_dir: Path, root: Path | None) -> None:
    """Create the index folder below its root, refusing a symlinked component (a planted
    `index -> /elsewhere` would make kb write outside the knowledge base)."""
    if root is None or root not in index_dir.parents:
        index_dir.mkdir(parents=True, exist_ok=True)
        if index_dir.is_symlink():
            raise safeio.UnsafePath(
                f"{index_dir}: is a symbolic link; kb writes its index only into a real folder (remove the link)"
            )
        return
    safeio.make_dirs(index_dir, root)


def _index_root(home: Home) -> Path | None:
    """The folder below which the index folder must be real: the knowledge base, or the cache."""
    if home.root in home.index_dir.parents:
        return home.root
    return None


# -- building ---------------------------------------------------------------------------------


def build(home: Home, progress: Progress | None = None, procs: int | None = None) -> tuple[Opened, int]:
    """Validate the whole corpus and build a new generation; swap it in only when complete."""
    with _Lock(home.index_dir, _index_root(home)):
        return _build_locked(home, progress, procs)


def _build_locked(home: Home, progress, procs, fresh_segdict: bool = False) -> tuple[Opened, int]:
    from whoosh.index import create_in

    _patch_whoosh()
    index_dir = home.index_dir
    stats = _stat_files(home.corpus_dir)  # before reading: what the manifest records
    config = _config_state(home.corpus_dir)
    corpus = corpus_mod.load(home.corpus_dir)
    if progress:
        progress(0, len(corpus.records))  # the corpus is valid: the build starts now
    signature = analyzer_signature(corpus.dictionary)
    previous, _ = _current(index_dir)
    _prune(index_dir, keep={previous.name} if previous else set())  # leftovers first: room on a full disk
    gen = index_dir / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    gen.mkdir()
    try:
        safeio.create_new(gen / BUILDING, f"{os.getpid()}\n")
        _fault("build:started")
        db = frequency_db(index_dir, dictionary_hash(corpus.dictionary))
        if fresh_segdict or not _segdict_ok(db):
            db.unlink(missing_ok=True)  # the link itself if one was planted; written again below
        seg = indexing_segmenter(index_dir, corpus.dictionary)
        ix = create_in(str(gen), schema(corpus.dictionary))
        n = len(corpus.records)
        if procs is None:
            procs = min(os.cpu_count() or 1, 4) if n >= 2000 else 1
        kwargs = {"procs": procs, "limitmb": 256, "multisegment": True} if procs > 1 else {"limitmb": 256}
        if procs > 1:
            _BUILD_PARENT[:] = [os.getpid()]
        try:
            writer = ix.writer(**kwargs)
            try:
                for i, rec in enumerate(corpus.records, 1):
                    doc = document(rec)
                    writer.add_document(**doc)
                    for unit in units.documents(home.corpus_dir, rec, doc):
                        writer.add_document(**unit)
                    if progress and (i % 200 == 0 or i == n):
                        progress(i, n)
                    if i == n // 2:
                        _fault("build:documents")
                _fault("build:before-commit")
                writer.commit()
            except BaseException:
                _stop_writer(writer)
                raise
        finally:
            _BUILD_PARENT.clear()
        _fault("build:after-commit")
        manifest = Manifest(
            analyzer=signature,
            files={r.path: _entry(home, r.path, stats[r.path], r) for r in corpus.records if r.path in stats},
            config=_recheck_config(home.corpus_dir, config),
            store=_store_state(gen),
        )
        manifest.write(gen / "manifest.json")
        safeio.write_atomic(gen / COMPLETE, "")
        _fault("build:before-current")
        _history_add(index_dir, previous.name if previous else None)
        safeio.write_atomic(index_dir / "CURRENT", gen.name)
        _fault("build:after-current")
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _prune(index_dir, keep={gen.name} | ({previous.name} if previous else set()))
    return Opened(gen, manifest, seg), len(corpus.records)


def _announce_when_started(why: str) -> Progress:
    """kb.progress's reporter, announced only when the build really starts (the corpus loaded):
    a corpus with errors gives its one-line error, not an announcement followed by it."""
    reporter: list[Progress] = []

    def progress(done: int, total: int) -> None:
        if not reporter:
            from kb.progress import rebuild_reporter

            reporter.append(rebuild_reporter(why))  # None off a terminal: nothing to draw
        if reporter[0] is not None:
            reporter[0](done, total)

    return progress


def _stop_writer(writer) -> None:
    """Cancel a Whoosh writer; for a multi-process one also end its workers (they ignore
    Ctrl-C and would otherwise wait on their queue for ever, keeping the process alive)."""
    tasks = list(getattr(writer, "tasks", ()))
    for t in tasks:
        try:
            t.terminate()
        except (OSError, AttributeError):
            pass
    for t in tasks:
        try:
            t.join(5)
        except (OSError, AssertionError, AttributeError):
            pass
    for q in (getattr(writer, "jobqueue", None), getattr(writer, "resultqueue", None)):
        if q is not None:
            q.cancel_join_thread()
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001 — the generation folder is removed anyway
        pass


def _recheck_config(corpus_dir: Path, before: dict[str, list]) -> dict[str, list]:
    """The config state read before the build, with the hash emptied for a file that changed
    while the build read it (the next run then rebuilds)."""
    now = _config_state(corpus_dir, before)
    return {k: (v if now.get(k) == v else [*v[:4], ""] if v else []) for k, v in before.items()}


def _history(index_dir: Path) -> list[str]:
    try:
        text = safeio.read_text(index_dir / "HISTORY", 64 * 1024, what="the index history", follow=False)
    except (OSError, UnicodeDecodeError, KbError):
        return []
    return [n for n in text.split() if GEN_RE.fullmatch(n)]


def _history_add(index_dir: Path, name: str | None) -> None:
    if not name:
        return
    names = [n for n in _history(index_dir) if n != name] + [name]
    safeio.write_atomic(index_dir / "HISTORY", "\n".join(names[-HISTORY_KEEP:]) + "\n")


def _segdict_ok(db: Path) -> bool:
    """The SQLite dictionary exists, is a regular file and answers (a garbled one does not)."""
    try:
        if not stat.S_ISREG(os.lstat(db).st_mode):
            return False
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            total = con.execute("SELECT f FROM meta WHERE k = 'total'").fetchone()
            n = con.execute("SELECT count(*) FROM freq").fetchone()
        finally:
            con.close()
        return bool(total and total[0] and n and n[0])
    except (OSError, sqlite3.Error):
        return False


def _fast_segmenter(index_dir: Path, dictionary: tuple[str, ...]) -> Segmenter:
    """The segmenter for queries (kb.analysis.query_segmenter), after making sure its SQLite
    dictionary is whole: a garbled or emptied one is written again (under the lock)."""
    db = frequency_db(index_dir, dictionary_hash(dictionary))
    if not _segdict_ok(db):
        with _Lock(index_dir):
            if not _segdict_ok(db):
                db.unlink(missing_ok=True)
    try:
        return query_segmenter(index_dir, dictionary)
    except sqlite3.Error:  # damaged between the check and the read
        with _Lock(index_dir):
            db.unlink(missing_ok=True)
        return query_segmenter(index_dir, dictionary)


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Remove generations no reader needs: only folders kb completed, or that a build of a
    process now dead left behind; never one in `keep` (the live one and the one it replaced),
    and never anything else. Runs under the build lock. Segment dictionaries no generation
    uses go too, as do temporaries left by a dead process."""
    live, _ = _current(index_dir)
    keep = set(keep) | ({live.name} if live else set())
    hist = _history(index_dir)
    if hist:
        keep.add(hist[-1])  # the generation the live one replaced: a search may still read it
    for p in index_dir.iterdir():
        if not GEN_RE.fullmatch(p.name) or p.name in keep or p.is_symlink() or not p.is_dir():
            continue
        if (p / COMPLETE).is_file() or _abandoned(p):
            shutil.rmtree(p, ignore_errors=True)
    used = set()
    for p in index_dir.iterdir():
        m = Manifest.read(p / "manifest.json") if p.is_dir() and not p.is_symlink() else None
        if m:
            used.add(frequency_db(index_dir, m.analyzer.get("dictionary", "")).name)
    for p in index_dir.glob("segdict-*.sqlite"):
        if p.name not in used and not p.is_symlink():
            p.unlink(missing_ok=True)
    for p in index_dir.glob(".*.tmp"):  # safeio and segdict temporaries of a killed process
        if p.is_file() and not p.is_symlink() and time.time() - p.lstat().st_mtime > 60:
            p.unlink(missing_ok=True)


def _abandoned(gen: Path) -> bool:
    """A generation whose builder (pid in its `.kb-building`) no longer runs."""
    try:
        raw = safeio.read_text(gen / BUILDING, 64, what="a build marker", follow=False).strip()
    except (OSError, UnicodeDecodeError, KbError):
        return False
    return raw.isdigit() and not _alive(int(raw))


def update(home: Home, opened: Opened, change: Change, stats: dict[str, os.stat_result]) -> Opened:
    """Re-index only the changed records in the live generation; validate them first."""
    with _Lock(home.index_dir, _index_root(home)):
        return _update_locked(home, opened, change, stats)


def _update_locked(home: Home, opened: Opened, change: Change, stats: dict[str, os.stat_result]) -> Opened:
    base = home.corpus_dir.parent
    manifest = opened.manifest
    paths = [base / rel for rel in change.added + change.changed]
    known = {k: v for k, v in manifest.known().items() if v.path not in change.removed}
    records, problems = corpus_mod.scan_files(home.corpus_dir, paths, known)
    if any(p.is_error for p in problems):
        raise CorpusError(problems)
    from whoosh.writing import LockError

    ix = opened.open()
    try:
        writer = ix.writer(timeout=5.0, _lk=False)  # build.lock already excludes every other writer
    except LockError:
        raise IndexBusy(f"{opened.path}: the index is locked by another kb process; try again shortly") from None
    except BaseException:
        _drop_unlisted(opened.path, manifest)
        raise
    try:
        for rel in change.removed + change.changed:
            writer.delete_by_term("id", manifest.files[rel][3])
            writer.delete_by_term("parent", manifest.files[rel][3])
        for rec in records:
            doc = document(rec)
            writer.update_document(**doc)
            for unit in units.documents(home.corpus_dir, rec, doc):
                writer.update_document(**unit)
        writer.commit()
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # noqa: BLE001 — a full disk fails the cancel too; the files go below
            pass
        _drop_unlisted(opened.path, manifest)
        raise
    _fault("update:after-commit")
    files = {k: v for k, v in manifest.files.items() if k not in change.removed}
    for rec in records:
        files[rec.path] = _entry(home, rec.path, stats[rec.path], rec)
    new = Manifest(manifest.schema, manifest.analyzer, files, manifest.config, _store_state(opened.path))
    new.write(opened.path / "manifest.json")
    parts = [
        labels.INDEX_CHANGES[label].format(n=len(names))
        for names, label in ((change.added, "added"), (change.changed, "changed"), (change.removed, "removed"))
        if names
    ]
    return Opened(opened.path, new, opened.segmenter, labels.INDEX_UPDATED.format(what=",".join(parts)))


def _drop_unlisted(gen: Path, manifest: Manifest) -> None:
    """After a failed update (under the lock): remove what the failed commit left in the live
    generation (partial segments, Whoosh's scratch folder), keeping every file the manifest lists."""
    if not manifest.store:
        return
    for e in os.scandir(gen):
        if e.name in manifest.store or e.name in _OWN_FILES or "LOCK" in e.name.upper():
            continue
        if e.is_dir(follow_symlinks=False):
            shutil.rmtree(e.path, ignore_errors=True)
        else:
            Path(e.path).unlink(missing_ok=True)


# -- opening ----------------------------------------------------------------------------------


@dataclass
class _State:
    gen: Path | None
    manifest: Manifest | None
    change: Change
    stats: dict
    damage: str | None


def _inspect(home: Home, signature: dict) -> _State:
    gen, bad = _current(home.index_dir)
    manifest = Manifest.read(gen / "manifest.json") if gen else None
    damage = bad or (_damage(gen, manifest) if gen else None)
    if damage:
        gen, manifest = None, None
    change, stats = diff(home, manifest, signature)
    return _State(gen, manifest, change, stats, damage)


def ensure(home: Home, rebuild: bool = False, progress: Progress | None = None) -> Opened:
    """Open the live index, building or refreshing it first when the corpus changed.

    A damaged index (CURRENT naming no complete generation of this index, a segment file
    missing, truncated or rewritten, a garbled dictionary database) is rebuilt, with a
    one-line notice. When the corpus has errors, or the index cannot be written (a full
    disk), and an older index exists, that index is used and the notice says so; without
    any index the error is raised."""
    dictionary = corpus_mod.read_config(home.corpus_dir)[2]
    signature = analyzer_signature(dictionary)
    state = None
    if not rebuild:
        state = _inspect(home, signature)
        if state.change.empty and not state.damage:
            return Opened(state.gen, state.manifest, _fast_segmenter(home.index_dir, dictionary))
    fallback = state
    try:
        with _Lock(home.index_dir, _index_root(home)):
            if not rebuild:
                # Again under the lock: another process may have done the work meanwhile, and
                # an index caught half-way through someone's update is not damaged.
                state = fallback = _inspect(home, signature)
                if state.change.empty and not state.damage:
                    return Opened(state.gen, state.manifest, _fast_segmenter(home.index_dir, dictionary))
            if rebuild or state.change.rebuild or state.damage:
                if rebuild:
                    why = labels.INDEX_ASKED
                elif state.damage:
                    why = labels.INDEX_DAMAGED.format(why=state.damage)
                else:
                    why = state.change.rebuild
                if progress is None:  # never rebuild silently: say why, then show progress
                    progress = _announce_when_started(why)
                opened, n = _build_locked(home, progress, None, fresh_segdict=rebuild or bool(state.damage))
                return Opened(
                    opened.path, opened.manifest, opened.segmenter, labels.INDEX_BUILT.format(records=n, why=why)
                )
            live = Opened(state.gen, state.manifest, _fast_segmenter(home.index_dir, dictionary))
            return _update_locked(home, live, state.change, state.stats)
    except CorpusError as e:
        if fallback is None or fallback.gen is None:
            raise
        # The old index may have been built with another dictionary: then queries use the
        # analyzer stored in it (Opened.segmenter None), never the new dictionary.
        return _fallback(home, fallback, dictionary, labels.INDEX_NOT_UPDATED.format(error=e))
    except (OSError, sqlite3.Error) as e:
        why = getattr(e, "strerror", None) or str(e)
        if getattr(e, "errno", None) in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)) or "full" in str(e):
            why = "the disk is full"
        if fallback is not None and fallback.gen is not None:
            said = labels.DISK_FULL if why == "the disk is full" else why
            return _fallback(home, fallback, dictionary, labels.INDEX_STALE.format(why=said))
        raise KbError(f"{home.index_dir}: cannot write the index: {why} (check free space and permissions)") from None


def _fallback(home: Home, state: _State, dictionary: tuple[str, ...], notice: str) -> Opened:
    same = state.manifest.analyzer.get("dictionary") == dictionary_hash(dictionary)
    seg = None
    if same:
        try:
            seg = _fast_segmenter(home.index_dir, dictionary)
        except (OSError, KbError):
            seg = None
    return Opened(state.gen, state.manifest, seg, notice, degraded=True)
