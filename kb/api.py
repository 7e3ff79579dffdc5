"""One object for every face of kb: the CLI, `kb serve`, the MCP server and notebooks.

    >>> from kb import KnowledgeBase
    >>> kb = KnowledgeBase.open()                 # KB_HOME, or the bundled corpus
    >>> kb.search("最后一公里").hits[0].id
    '2018-05-28-xi-academicians-conference'

A `KnowledgeBase` holds one `Home`, one loaded `Corpus` and one open index (`kb.search.Searcher`)
for as long as it lives. Each call first stats the corpus files (one directory walk, no reads);
when something changed on disk since the last call, the corpus is loaded again and the index
refreshed (`kb.index.ensure` re-indexes only the records whose content changed). So a long-lived
object sees edits, at the cost of one stat walk per call.

Every method takes plain arguments and returns the library's dataclasses (each has `to_json()`,
giving exactly what the CLI's `--json` prints); problems are raised as `kb.errors.KbError`.
Whoosh and jieba are imported only by the first search (or cite by phrase).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.errors import KbError, QueryError
from kb.filters import Filters
from kb.home import Home, locate

if TYPE_CHECKING:
    from kb.article import Article
    from kb.cite import Candidate, CiteResult
    from kb.corpus import CheckReport, Corpus
    from kb.importer import ImportResult
    from kb.index import Opened
    from kb.quotes import QuoteCheck, QuoteIndex
    from kb.search import Searcher, SearchResult
    from kb.show import Shown
    from kb.stats import Stats
    from kb.timeline import Timeline

SORTS = {"score": "relevance", "relevance": "relevance", "date": "date"}

Stamp = tuple[tuple[str, int, int, int], ...]


def corpus_stamp(corpus_dir: Path) -> Stamp:
    """(path, inode, mtime_ns, size) of every file under the corpus folder: what changed on disk
    shows here without reading a file (an atomic replace changes the inode, an edit the mtime)."""
    out: list[tuple[str, int, int, int]] = []
    stack = [str(corpus_dir)]
    while stack:
        d = stack.pop()
        try:
            it = os.scandir(d)
        except OSError:
            continue
        with it:
            for e in it:
                try:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    elif e.is_file():
                        st = e.stat()
                        out.append((e.path, st.st_ino, st.st_mtime_ns, st.st_size))
                except OSError:
                    continue
    out.sort()
    return tuple(out)


def _filters(
    date_from: str | None,
    date_to: str | None,
    year: int | str | None,
    kinds: Iterable[str] | str,
    topics: Iterable[str] | str,
    people: str | Iterable[str] | None,
    region: str | None,
) -> Filters:
    if people is not None and not isinstance(people, str):
        people = " ".join(str(p) for p in people)  # several names: every word must match
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds or ())
    topics = (topics,) if isinstance(topics, str) else tuple(topics or ())
    return Filters.make(date_from, date_to, year, kinds, topics, people, region)


class KnowledgeBase:
    """A knowledge base opened once and queried many times (thread-safe: one call at a time)."""

    def __init__(self, home: Home, *, watch: bool = True):
        self.home = home
        self.watch = watch
        self._lock = threading.RLock()
        self._stamp: Stamp | None = None
        self._corpus: Corpus | None = None
        self._searcher: Searcher | None = None
        self._notice: str | None = None  # the index's notice, reported by the next search
        self._quotes: QuoteIndex | None = None  # the corpus's quotations, normalized for verify_quote

    @classmethod
    def open(cls, path: str | os.PathLike | None = None, *, watch: bool = True) -> KnowledgeBase:
        """The knowledge base in `path` (a folder holding corpus/); None: KB_HOME or the bundled corpus.

        `watch=False` skips the stat walk before each call: for one-shot use (a CLI command),
        where the corpus is read once anyway and the index's own freshness check still runs."""
        return cls(locate(path), watch=watch)

    # -- freshness ------------------------------------------------------------------------
    def _refresh(self) -> None:
        """Forget the loaded corpus and the open index when any corpus file changed on disk."""
        if not self.watch:
            return
        stamp = corpus_stamp(self.home.corpus_dir)
        if stamp != self._stamp:
            self._stamp = stamp
            self._corpus = None
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    @property
    def corpus(self) -> Corpus:
        """The loaded corpus (CorpusError when a record has an error: run kb check)."""
        with self._lock:
            self._refresh()
            return self._loaded()

    def _loaded(self) -> Corpus:
        if self._corpus is None:
            from kb.corpus import load

            self._corpus = load(self.home.corpus_dir)
        return self._corpus

    def _index(self) -> Searcher:
        if self._searcher is None:
            from kb.search import Searcher

            self._searcher = Searcher(self.home)
            self._notice = self._searcher.opened.notice
        return self._searcher

    # -- the calls ------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        date_from: str | None = None,
        date_to: str | None = None,
        year: int | str | None = None,
        kinds: Iterable[str] | str = (),
        topics: Iterable[str] | str = (),
        people: str | Iterable[str] | None = None,
        region: str | None = None,
        sort: str = "score",
        limit: int = 10,
        facets: bool = False,
        exact: bool = False,
    ) -> SearchResult:
        """Full-text search (`kb search`): hits best first (sort "score"/"relevance") or by date.

        A notice from refreshing the index (e.g. `索引已更新:修改 1 条`) comes
        first in `result.notices`, once."""
        if sort not in SORTS:
            raise QueryError(f"--sort: {sort!r} is not relevance or date")
        filters = _filters(date_from, date_to, year, kinds, topics, people, region)
        with self._lock:
            self._refresh()
            result = self._index().search(query, filters, limit=limit, sort=SORTS[sort], facets=facets, exact=exact)
            if self._notice:
                from dataclasses import replace

                result = replace(result, notices=(self._notice, *result.notices))
                self._notice = None
            return result

    def timeline(
        self,
        *,
        date_from: str | None = None,
        date_to: str | None = None,
        year: int | str | None = None,
        kinds: Iterable[str] | str = (),
        topics: Iterable[str] | str = (),
        people: str | Iterable[str] | None = None,
        region: str | None = None,
    ) -> Timeline:
        """Remarks, events and policies (other kinds with `kinds`) by date, grouped by year."""
        from kb.timeline import timeline

        filters = _filters(date_from, date_to, year, kinds, topics, people, region)
        return timeline(self.corpus, filters)

    def show(self, record_id: str) -> Shown | Article:
        """One record with its source and related records (NotFound names the closest ids);
        `<doc-id>#45` (or `#第四十五条`) one article of a policy's full text (`kb.article`)."""
        if "#" in record_id:
            return self.article(record_id)
        from kb.show import show

        return show(self.corpus, record_id)

    def article(self, ref: str) -> Article:
        """One article (条) or opinion item `<doc-id>#<key>`, with the provisions it refers to
        and those referring to it; NotFound names the document's range of articles."""
        from kb.article import article

        return article(self.corpus, ref)

    def stats(self) -> Stats:
        """Counts by kind, year, topic and speaker/issuer."""
        from kb.stats import stats

        return stats(self.corpus)

    def cite(
        self,
        ids_or_phrases: Iterable[str] | str = (),
        *,
        style: str = "gbt7714",
        form: str = "document",
        punct: str = "half",
        kind: str | None = None,
        all_of: str | None = None,
    ) -> CiteResult:
        """Citations (`kb cite`): ids give entries; a phrase finds the record quoting it (then
        search); `all_of` a kind cites every record of it (references in the chapter's order)."""
        from kb.cite import cite

        args = (ids_or_phrases,) if isinstance(ids_or_phrases, str) else tuple(ids_or_phrases)
        corpus = self.corpus
        return cite(
            corpus, args, all_of=all_of, kind=kind, style=style, punct=punct, form=form, search=self._candidates
        )

    def _candidates(self, text: str) -> list[Candidate]:
        """The search fallback of cite: the top hits as citation candidates."""
        from kb.cite import Candidate

        with self._lock:
            result = self._index().search(text, limit=10)
        return [
            Candidate(
                h.id,
                h.kind,
                h.date_zh,
                h.headline or h.title,
                h.people,
                "search",
                h.snippet.replace("[[", "").replace("]]", ""),
            )
            for h in result.hits
        ]

    def verify_quote(self, text: str) -> QuoteCheck:
        """Is `text` a verbatim quotation in the corpus (white space and punctuation width aside;
        an ellipsis marks an omission)? Whose, when, which record, its form and its disputes;
        for a near miss the closest quotations (`kb.quotes`). QueryError for an empty text."""
        from kb.quotes import QuoteIndex, verify_quote

        with self._lock:
            corpus = self.corpus
            if self._quotes is None or self._quotes.corpus is not corpus:
                self._quotes = QuoteIndex(corpus)
            return verify_quote(corpus, text, self._quotes)

    def check(self) -> CheckReport:
        """Validate the corpus and the drafts, collecting every problem (never raises on bad data)."""
        from kb.corpus import check

        return check(self.home.corpus_dir, self.home.drafts_dir)

    def import_file(
        self, path: str | os.PathLike, *, dry_run: bool = True, source_id: str | None = None
    ) -> ImportResult:
        """Clean a PDF-extracted chapter and propose drafts (written under drafts/ unless `dry_run`)."""
        from kb.importer import import_file

        return import_file(path, self.home, source_id=source_id, dry_run=dry_run)

    def reindex(self, *, rebuild: bool = False, progress: Callable[[int, int], None] | None = None) -> Opened:
        """Build or refresh the index now (`kb index`); the next search opens it afresh."""
        from kb import index as index_mod

        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            return index_mod.ensure(self.home, rebuild=rebuild, progress=progress)

    def close(self) -> None:
        """Close the index; the object may be used again (it reopens on demand)."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KnowledgeBase({str(self.home.root)!r})"


__all__ = ["KnowledgeBase", "KbError", "corpus_stamp"]
