"""Text analysis: folding, jieba segmentation with the domain dictionary, and the Whoosh analyzer.

One factory, `analyzer()`, serves both indexing and querying, so the two can never disagree.
In index mode it adds jieba's search-mode sub-words (科技自立自强 → 科技, 自立, 自强, …) for
recall; in query mode it emits the plain segmentation. Positions count words, not characters
(jieba's own ChineseAnalyzer stores character offsets as positions, which breaks phrases).

Folding is character by character and keeps the text's length, so offsets found in folded
text are offsets in the original: full-width ASCII → half-width, traditional → simplified
(OpenCC's TSCharacters table), upper → lower case.

jieba is imported only when text is first segmented. Its dictionary can be held in memory
(for building an index) or read from an SQLite copy written beside the index (for a one-shot
query, which then skips jieba's ~0.5 s dictionary load); both run jieba's own algorithm on
the same frequencies, so they segment identically.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from whoosh.analysis import Composable, Token

from kb.text import fold

SCHEMA_NAME = "kb-jieba"
ANALYZER_VERSION = 2  # bump when tokenization changes: indexes built before are rebuilt

STOPWORDS = frozenset("的 了 和 与 及 或 是 在 对 为 等 也 都 而 并 之 把 被 将 就 着 其 以 于 则 即".split())


_EDGES = re.compile(r"^[^\w]*(.*?)[^\w]*$", re.S)
# Latin abbreviations and mixed tokens joined without spaces (r&d, covid-19, b2b, web3.0):
# jieba cuts them at the joiner (r, &, d), so consecutive pieces are joined back into one
# token when the joined text holds a letter. Digit-only runs (2021-05-21, 1-9+17) stay cut.
_ALNUM = re.compile(r"[0-9a-z]+(?:\.[0-9]+)*")
_JOINERS = frozenset("&-+./·_'")
_HAS_LETTER = re.compile(r"[a-z]")


def _is_word(tok: str) -> bool:
    """Keep tokens that hold a letter or digit; drop punctuation, symbols and spaces."""
    return any(unicodedata.category(c)[0] in "LN" for c in tok)


def _import_jieba():
    """Import jieba without pkg_resources (0.1–1.5 s of start-up that jieba only uses to find
    its own data files; without it jieba opens them by path, which is equivalent)."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    saved = sys.modules.get("pkg_resources", ...)
    if saved is ...:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import` fail fast
    try:
        import jieba
    finally:
        if saved is ...:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(60)
    return jieba


class SqliteFreq:
    """jieba's FREQ mapping read from SQLite on demand: a query touches a few dozen entries."""

    def __init__(self, path: Path):
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._cache: dict[str, int | None] = {}

    def _lookup(self, word: str) -> int | None:
        try:
            return self._cache[word]
        except KeyError:
            row = self._db.execute("SELECT f FROM freq WHERE w = ?", (word,)).fetchone()
            value = None if row is None else row[0]
            self._cache[word] = value
            return value

    def __contains__(self, word: str) -> bool:
        return self._lookup(word) is not None

    def __getitem__(self, word: str) -> int:
        value = self._lookup(word)
        if value is None:
            raise KeyError(word)
        return value

    def get(self, word: str, default=None):
        value = self._lookup(word)
        return default if value is None else value


class Segmenter:
    """jieba plus the corpus's domain dictionary, folded, with word-order positions."""

    def __init__(self, dictionary: tuple[str, ...] = ()):
        self.dictionary = tuple(dictionary)
        self._tk = None

    @property
    def dict_hash(self) -> str:
        return dictionary_hash(self.dictionary)

    def tokenizer(self):
        """The jieba.Tokenizer with the domain words added (dictionary loaded in memory)."""
        if self._tk is None:
            jieba = _import_jieba()
            tk = jieba.Tokenizer()
            tk.initialize()
            for line in self.dictionary:
                parts = line.split()
                tk.add_word(
                    fold(parts[0]), int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None
                )
            self._tk = tk
        return self._tk

    def use_frequency_db(self, path: Path) -> None:
        """Segment from an SQLite copy of the dictionary instead of loading it (see write_frequency_db)."""
        jieba = _import_jieba()
        tk = jieba.Tokenizer()
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            total = db.execute("SELECT f FROM meta WHERE k = 'total'").fetchone()[0]
        finally:
            db.close()
        tk.FREQ = SqliteFreq(path)
        tk.total = total
        tk.initialized = True
        self._tk = tk

    def write_frequency_db(self, path: Path) -> None:
        """Write the in-memory dictionary (with domain words) to SQLite, atomically."""
        import tempfile

        tk = self.tokenizer()
        # An unpredictable name created with O_EXCL|O_NOFOLLOW (never a planted link), removed
        # when anything fails (a full disk leaves no temporary behind).
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, 0o644)
        os.close(fd)
        try:
            db = sqlite3.connect(tmp)
            try:
                db.execute("PRAGMA journal_mode = OFF")
                db.execute("PRAGMA synchronous = OFF")
                db.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, f INTEGER) WITHOUT ROWID")
                db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, f INTEGER)")
                db.executemany("INSERT INTO freq VALUES (?, ?)", tk.FREQ.items())
                db.execute("INSERT INTO meta VALUES ('total', ?)", (tk.total,))
                db.commit()
            finally:
                db.close()
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def words(self, text: str, search: bool = False) -> Iterator[tuple[str, int, int, int]]:
        """Yield (word, position, start, end) for the folded text; sub-words too when `search`."""
        folded = fold(text)
        if not folded.strip():
            return
        tk = self.tokenizer()
        freq = tk.FREQ
        pos = -1
        for raw_start, raw in _join_latin(tk.cut(folded, HMM=True)):
            # Trim symbols off a token's edges (2.55% → 2.55), so a figure matches with or without its sign.
            m = _EDGES.match(raw)
            w = m.group(1)
            start = raw_start + m.start(1)
            end = start + len(w)
            if not w or not _is_word(w) or w in STOPWORDS:
                continue
            pos += 1
            if search and _HAS_LETTER.search(w) and not _ALNUM.fullmatch(w):
                # A mixed token also indexes its Latin/digit parts: r&d → r, d; covid-19 → covid, 19.
                for mo in _ALNUM.finditer(w):
                    if mo.group() != w:
                        yield mo.group(), pos, start + mo.start(), start + mo.end()
            elif search and len(w) > 2:
                # Every dictionary word inside a longer one (a superset of jieba's search
                # mode, which stops at 3 characters): 科技成果转化 → 科技成果, 成果转化, ….
                n = len(w)
                for size in range(2, n):
                    for i in range(n - size + 1):
                        gram = w[i : i + size]
                        if freq.get(gram) and gram not in STOPWORDS:
                            yield gram, pos, start + i, start + i + size
            yield w, pos, start, end

    def terms(self, text: str, search: bool = False) -> list[str]:
        return [w for w, *_ in self.words(text, search)]


def _join_latin(pieces) -> Iterator[tuple[int, str]]:
    """(offset, piece) over jieba's pieces, with Latin/digit pieces joined by &-+./·_' and no
    space rejoined into one piece when the result holds a letter (r & d stays three pieces)."""
    run: list[str] = []
    offset = run_start = 0
    out: list[tuple[int, str]] = []
    for piece in pieces:
        is_alnum = _ALNUM.fullmatch(piece) is not None
        if is_alnum and (not run or run[-1] in _JOINERS):
            if not run:
                run_start = offset
            run.append(piece)
        elif piece in _JOINERS and run and run[-1] not in _JOINERS:
            run.append(piece)
        else:
            _emit(run, run_start, out)
            run = []
            if is_alnum:
                run, run_start = [piece], offset
            else:
                out.append((offset, piece))
        offset += len(piece)
        yield from out
        out.clear()
    _emit(run, run_start, out)
    yield from out


def _emit(run: list[str], start: int, out: list) -> None:
    """Append a run of pieces: joined when it is a mixed token holding a letter, else as is."""
    trail = []
    while run and run[-1] in _JOINERS:
        trail.insert(0, run.pop())
    joined = "".join(run)
    if len(run) > 1 and _HAS_LETTER.search(joined):
        out.append((start, joined))
    else:
        pos = start
        for p in run:
            out.append((pos, p))
            pos += len(p)
    pos = start + len(joined)
    for p in trail:
        out.append((pos, p))
        pos += len(p)


def dictionary_hash(dictionary: tuple[str, ...]) -> str:
    h = hashlib.sha1(f"{SCHEMA_NAME}:{ANALYZER_VERSION}\n".encode())
    for line in dictionary:
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()[:16]


# Segmenters by dictionary hash: the analyzer stored in an index finds its segmenter here, so
# the index file never pickles jieba itself.
_SEGMENTERS: dict[str, Segmenter] = {}


def register(seg: Segmenter) -> Segmenter:
    _SEGMENTERS[seg.dict_hash] = seg
    return seg


_FULL: dict[str, Segmenter] = {}


def full_segmenter(dictionary: tuple[str, ...]) -> Segmenter:
    """The in-memory segmenter for bulk indexing, loaded once per process and dictionary."""
    key = dictionary_hash(tuple(dictionary))
    if key not in _FULL:
        _FULL[key] = Segmenter(tuple(dictionary))
    return _FULL[key]


def segmenter_for(dictionary: tuple[str, ...]) -> Segmenter:
    key = dictionary_hash(tuple(dictionary))
    seg = _SEGMENTERS.get(key)
    if seg is None:
        seg = register(Segmenter(tuple(dictionary)))
    return seg


def frequency_db(folder: Path, dict_hash: str) -> Path:
    """The SQLite copy of a dictionary (jieba's words plus the domain words) kept in an index folder."""
    return Path(folder) / f"segdict-{dict_hash}.sqlite"


def indexing_segmenter(folder: Path, dictionary: tuple[str, ...]) -> Segmenter:
    """The in-memory segmenter for building an index in `folder`; it also writes the SQLite copy
    of its dictionary there (once per dictionary), which later queries segment from."""
    seg = register(full_segmenter(dictionary))
    db = frequency_db(folder, seg.dict_hash)
    if not db.exists():
        seg.write_frequency_db(db)
    return seg


def query_segmenter(folder: Path, dictionary: tuple[str, ...]) -> Segmenter:
    """The segmenter for queries: jieba over the SQLite copy of its dictionary in `folder`
    (written again, from the full dictionary, if it went missing). Starts in milliseconds."""
    seg = Segmenter(dictionary)
    db = frequency_db(folder, seg.dict_hash)
    if not db.exists():
        full_segmenter(dictionary).write_frequency_db(db)
    seg.use_frequency_db(db)
    return register(seg)


class JiebaTokenizer(Composable):
    """A Whoosh tokenizer over `Segmenter`; only the dictionary is pickled into the index."""

    is_morph = False

    def __init__(self, dictionary: tuple[str, ...] = ()):
        self.dictionary = tuple(dictionary)

    def __eq__(self, other):
        return type(other) is type(self) and other.dictionary == self.dictionary

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = fold(value)
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        seg = segmenter_for(self.dictionary)
        for word, pos, s, e in seg.words(value, search=(mode == "index")):
            t.text = word
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + s, start_char + e
            yield t


def analyzer(dictionary: tuple[str, ...] = ()) -> JiebaTokenizer:
    """The one analyzer factory, used by the index schema and so by the query parser."""
    return JiebaTokenizer(tuple(dictionary))
