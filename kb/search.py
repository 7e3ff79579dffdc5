"""Search: parse a Chinese query, widen it with synonyms, filter, rank, and explain each hit."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from kb import labels, queryguard, units
from kb import query as qmod
from kb.analysis import segmenter_for
from kb.corpus import read_aliases, read_config
from kb.dates import zh_or_raw
from kb.disputes import dispute_of
from kb.errors import QueryError
from kb.filters import Filters
from kb.home import Home
from kb.records import KINDS, UNDATED, date_with_kind, headline
from kb.text import fold, join_han
from kb.text import squash_folded as squash

NO_FILTERS = Filters()

TEXT_FIELDS = ("title", "body", "people", "notes", "occasion")
SNIPPET_WIDTH = 60
RERANK_DEPTH = 50  # relevance hits re-weighted by their record's prior (see kb.index.prior)
OWN_FIELDS = ("title", "body", "people", "occasion")  # the record's own words; `notes` is ours
NOTES_ONLY = 0.3  # score factor of a record that matched only in our summary and notes
NAMED_TITLE = 8.0  # score factor of the document a query names by its exact title
# Query syntax typed with Chinese punctuation: “科技 自立”（A OR B） means the same as ASCII.
_OPS = r"(?:AND|OR|NOT|ANDNOT|ANDMAYBE)"
# A leading NOT is kept: `NOT 科技` is everything except 科技, never 科技 itself.
_DANGLING = re.compile(rf"^(?:\s*(?:AND|OR|ANDMAYBE)\b)+|(?:\b{_OPS}\s*)+$")
_SYNTAX = str.maketrans({"“": '"', "”": '"', "＂": '"', "（": "(", "）": ")", "：": ":"})


@dataclass(frozen=True)
class Hit:
    """One hit: the record's data as indexed; its date and listing line are rendered on demand."""

    id: str
    kind: str
    date: str | None
    date_source: str | None  # the chapter's own date where another source refined it
    title: str
    people: str
    score: float
    snippet: str
    matched: tuple[str, ...]
    path: str
    listing: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    dispute: str | None = None  # the snippet is a disputed quotation: why, in one line
    parts: tuple[Hit, ...] = ()  # the best provisions or passages of this document (kb.units)
    more: int = 0  # how many more of them matched

    @property
    def date_zh(self) -> str:
        return zh_or_raw(self.date) if self.date else UNDATED

    @property
    def date_kind(self) -> str | None:
        return self.listing.get("date_kind")

    @property
    def date_shown(self) -> str:
        """The date with its kind (2016年3月(报道)), as listings print it."""
        return date_with_kind(self.date_zh, self.date_kind)

    @property
    def headline(self) -> str:
        return headline(self.kind, self.title, self.listing)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "date": self.date,
            "date_zh": self.date_zh,
            "date_kind": self.date_kind,
            "date_source": self.date_source,
            "title": self.title,
            "headline": self.headline,
            "people": self.people,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "matched": list(self.matched),
            "path": self.path,
            "disputed": self.dispute is not None,
            "dispute": self.dispute,
            **units.hit_json(self),
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: tuple[Hit, ...]
    facets: dict = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    parsed: str = ""
    # How the query was read (also in `notices`): （2021 按日期理解）, （中办 = 中共中央办公厅）.
    understood: tuple[str, ...] = ()

    def to_json(self) -> dict:
        out = {"query": self.query, "total": self.total, "hits": [h.to_json() for h in self.hits]}
        if self.facets:
            out["facets"] = self.facets
        if self.notices:
            out["notices"] = list(self.notices)
        if self.suggestions:
            out["suggestions"] = [s.to_json() if hasattr(s, "to_json") else {"text": s} for s in self.suggestions]
        return out


class Searcher:
    """An open index plus the corpus's synonyms: reuse one for many queries in a process."""

    def __init__(self, home: Home, rebuild: bool = False, progress=None):
        from kb import index as index_mod

        self.home = home
        self.opened = index_mod.ensure(home, rebuild=rebuild, progress=progress)
        self.ix = self.opened.open()
        self.searcher = self.ix.searcher()
        self.segmenter = self.opened.segmenter or segmenter_for(self.searcher.schema["body"].analyzer.dictionary)
        self.topics, self.synonyms, self.dictionary = read_config(home.corpus_dir)
        self.aliases = read_aliases(home.corpus_dir)
        self._syn_terms: dict[str, list[list[str]]] | None = None
        self._parser = None
        self._columns: dict = {}  # per segment reader: its records' start and end ordinals
        self.fast = True  # evaluate with kb.fasteval where it can; False: Whoosh's collector only
        self.fast_fallback: str | None = None  # why the last query used the collector

    def close(self) -> None:
        self.searcher.close()

    def refresh(self) -> str | None:
        """Bring the index up to date with the corpus and reopen it when it changed (the fast
        path's caches belong to the searcher they were read from, so they go with it).
        Returns the index notice (None when nothing changed)."""
        from kb import index as index_mod

        opened = index_mod.ensure(self.home)
        if opened.notice is None and opened.path == self.opened.path and self.searcher.up_to_date():
            return None
        fast = self.fast
        self.close()
        self.__init__(self.home)
        self.fast = fast
        return opened.notice

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- query building -------------------------------------------------------------------
    def _analyze(self, text: str) -> list[str]:
        return self.segmenter.terms(text)

    def _synonym_map(self) -> qmod.Expansions:
        """Each synonym's or alias's terms -> the terms of the other members of its groups."""
        if self._syn_terms is None:
            self._syn_terms = qmod.expansion_map(qmod.synonym_groups(self.synonyms, self.aliases), self._analyze)
        return self._syn_terms

    def parse(self, text: str, exact: bool = False):
        """Parse with Whoosh syntax; fall back to plain words when the syntax is broken."""
        from whoosh import query as Q
        from whoosh.qparser import MultifieldParser

        notices: list[str] = []
        if not text.strip():  # a query that was only a date (2021年): every record of the period
            return Q.Or([Q.Term("kind", k) for k in KINDS]), [], notices
        qtext = text.translate(_SYNTAX).strip()
        trimmed = re.sub(r"^ANDNOT\b", "NOT", _DANGLING.sub("", qtext).strip())
        if trimmed != qtext:
            if not trimmed:
                raise QueryError(f"the query {text!r} has no words to search, only operators (e.g. 科技 AND 评价)")
            notices.append(labels.OPERATOR_IGNORED.format(query=trimmed))
            qtext = trimmed
        phrases = [p for p in re.findall(r'"([^"]+)"', qtext) if p.strip()]
        if self._parser is None:
            self._parser = MultifieldParser(list(TEXT_FIELDS), self.searcher.schema)
        parser = self._parser
        q = None
        if qtext.count('"') % 2 == 0 and qtext.count("(") == qtext.count(")") and not re.search(r"\w+:\s*$", qtext):
            try:
                q = parser.parse(qtext)
            except Exception:  # noqa: BLE001 — Whoosh raises many kinds; all mean "syntax"
                q = None
            if q is not None and _has_error(q):
                q = None
        if q is None:
            if err := queryguard.broken_not(qtext):
                raise err
            words = _plain_words(qtext)
            phrases = []
            if not words:
                raise QueryError(
                    f"the query {text!r} has no words to search (a field needs a value, e.g. title:行动方案)"
                )
            notices.append(labels.SYNTAX_IGNORED.format(words=" ".join(words)))
            q = Q.And([parser.parse(w) for w in words])
        q = q.accept(_phrase_to_and)
        if not exact:
            q = qmod.widen(q, self._synonym_map(), TEXT_FIELDS)
        return q.normalize(), phrases, notices

    def _filter_query(self, f: Filters):
        from whoosh import query as Q

        parts = []
        if f.kinds:
            parts.append(Q.Or([Q.Term("kind", k) for k in f.kinds]))
        for t in f.topics:
            parts.append(Q.Term("topics", t))
        if f.region:
            parts.append(Q.Term("region", f.region))
        if f.people:
            names = []
            for name in f.people_any or (f.people,):
                terms = self._analyze(name)
                if terms:
                    names.append(Q.And([Q.Term("people", w) for w in terms]))
            if not names:
                raise QueryError(f"--speaker/--issuer: {f.people!r} has no words to match")
            parts.append(names[0] if len(names) == 1 else Q.Or(names))
        if f.start:
            parts.append(_DatedWithin("end", f.start.toordinal(), None, self._columns))
        if f.end:
            parts.append(_DatedWithin("start", None, f.end.toordinal(), self._columns))
        return parts

    # -- running --------------------------------------------------------------------------
    def search(
        self,
        text: str,
        filters: Filters = NO_FILTERS,
        limit: int = 10,
        sort: str = "relevance",
        facets: bool = False,
        exact: bool = False,
    ) -> SearchResult:

        if sort not in ("relevance", "date"):
            raise QueryError(f"--sort: {sort!r} is not relevance or date")
        if limit < 1:
            raise QueryError("--limit must be at least 1")
        text = queryguard.precheck(text)  # length cap, printable text, sane boosts
        if not text.strip():
            raise QueryError("the query is empty: give words to search, e.g. kb search 科技自立自强")
        filters, notes = self._resolve(filters)
        u = qmod.understand(text, filters)
        if u is None:
            return _noticed(self._search(text, filters, limit, sort, facets, exact), notes)
        # Years and kinds typed as words constrain the records, unless then nothing matches.
        result = self._search(u.text, u.filters, limit, sort, facets, exact)
        if not result.total:
            literal = self._search(text, filters, limit, sort, facets, exact)
            if literal.total:
                return _noticed(literal, (*notes, u.literal_note))
        result = replace(result, query=text, suggestions=qmod.carried(result.suggestions, u.text, text))
        return _noticed(result, (*notes, *u.notes))

    def _resolve(self, filters: Filters) -> tuple[Filters, tuple[str, ...]]:
        """Topics folded to their names, people through the aliases (kb.query.resolve)."""
        if not (filters.topics or filters.people):
            return filters, ()
        reader = self.searcher.reader()

        def known(name: str) -> bool:
            terms = self._analyze(name)
            return bool(terms) and all(reader.doc_frequency("people", t) for t in terms)

        def candidates():
            yield from (t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon("who"))
            yield from qmod.alias_names(self.aliases)

        return qmod.resolve(filters, self.topics, self.synonyms, self.aliases, known, candidates)

    def _search(self, text: str, filters: Filters, limit: int, sort: str, facets: bool, exact: bool) -> SearchResult:
        """The search proper: `text` as written (dates already read), filters resolved."""
        q, full, allowed, phrases, notices = self._query(text, filters, exact)
        kwargs: dict = {"filter": allowed} if allowed else {}
        if sort == "date":
            kwargs["sortedby"] = "sortkey"
        if facets:
            from whoosh import sorting

            kwargs["groupedby"] = {
                "year": sorting.FieldFacet("year"),
                "kind": sorting.FieldFacet("kind"),
                "topic": sorting.FieldFacet("topics", allow_overlap=True),
                "people": sorting.FieldFacet("who", allow_overlap=True),
            }
        if full is None:
            results = None
        else:
            depth = limit if sort == "date" else units.depth(self, max(limit, RERANK_DEPTH))
            results = self._run(full, depth, kwargs)
        whole = squash("".join(_plain_words(text.translate(_SYNTAX))))
        asked = _terms(q)
        ranked = [(self._score(h, whole, asked), h) for h in results] if results is not None else []
        if sort != "date":
            # BM25 times the record's prior: what was said and issued ranks above what was
            # written about it. Records matched in their own words come before those matched
            # only in our notes (a tier, whatever the scores), then (score, id) so equal
            # scores keep a stable order.
            ranked = sorted(ranked, key=lambda sh: (not _own(sh[1], asked), -sh[0], sh[1]["id"]))
        # Provisions a query names come first; units of a document shown with it (kb.units).
        shown, pinned = units.arrange(self, text, filters, ranked, limit, sort)
        hits = tuple(
            self._hit(h, score, phrases, parts, more) for score, h, parts, more in shown
        )  # snippets for shown only
        total = (len(results) if results is not None else 0) + pinned
        fac = {}
        if facets and results is not None:
            for name in ("year", "kind", "topic", "people"):
                groups = results.groups(name)
                fac[name] = dict(
                    sorted(((k, len(v)) for k, v in groups.items() if k), key=lambda kv: (-kv[1], str(kv[0])))
                )
        if not total:
            joined = join_han(text)
            if joined != text:
                # Text pasted from a PDF: "最后一 公里" means 最后一公里, not two words.
                again = self._search(joined, filters, limit, sort, facets, exact)
                if again.total:
                    note = labels.SPACES_REMOVED.format(query=joined)
                    return SearchResult(
                        text, again.total, again.hits, again.facets, (*notices, note, *again.notices), (), again.parsed
                    )
        if not total:
            suggestions = self._suggest(text, filters, exact)
        else:  # a few hits may come from the other words of a query with a misspelt one
            suggestions = tuple(self._spelling(text, filters, exact)) if total <= qmod.FEW_HITS else ()
        return SearchResult(text, total, hits, fac, tuple(notices), suggestions, str(q))

    def _query(self, text: str, filters: Filters, exact: bool):
        """The Whoosh query for `text` under `filters` (None when nothing can match), the set of
        documents its quoted phrases allow (None: no check needed), the phrases and notices."""
        from whoosh import query as Q

        q, phrases, notices = self.parse(text, exact)
        fq = self._filter_query(filters)
        if not filters.kinds:
            fq.append(Q.Not(Q.Term("kind", "source")))
        # Filters decide which records match, never how they rank: Require scores by `q` alone.
        full = _require(q, fq[0] if len(fq) == 1 else Q.And(fq)).normalize() if fq else q
        if full is Q.NullQuery:
            return q, None, None, phrases, notices
        # A phrase that is one index term holds as a substring wherever the term matched
        # (terms are pieces of the folded text); only longer phrases need reading the text.
        to_check = [p for p in phrases if self._analyze(p) != [squash(p)]]
        allowed = self._phrase_docs(full, to_check) if to_check else None
        if allowed is not None and not allowed:
            full = None
        return q, full, allowed, phrases, notices

    def count(self, text: str, filters: Filters = NO_FILTERS, exact: bool = False) -> int:
        """How many records `text` matches as written (no date reading, no suggestions)."""
        return self._count(text, filters, exact)

    def _count(self, text: str, filters: Filters, exact: bool) -> int:
        """How many records a query matches (no ranking, suggestions or retries)."""
        _, full, allowed, _, _ = self._query(text, filters, exact)
        return 0 if full is None else len(self._run(full, 1, {"filter": allowed} if allowed else {}))

    def _run(self, q, depth: int, kwargs: dict):
        """Search for the top `depth` hits, counting every hit.

        Whoosh's collectors drop, as the top hits fill up, the parts of a query that cannot
        lift a document into them (block skipping, and `replace` every 10 matches): the top
        hits stay exact but len(results) then undercounts — by a fifth at 2,000 records. So
        both are turned off; the hits and their scores are the same, the total is right.

        kb.fasteval answers the same from per-term postings (identical results, tested); this
        collector is the reference, and the fallback for a query shape it does not handle."""
        if self.fast:
            from kb import fasteval

            fast = fasteval.run(self, q, depth, kwargs)
            if fast is not None:
                return fast
        c = self.searcher.collector(limit=depth, terms=True, optimize=False, **kwargs)
        node = c
        while node is not None:
            if hasattr(node, "replace") and isinstance(node.replace, int):
                node.replace = 0
            node = getattr(node, "child", None)
        self.searcher.search_with_collector(q, c)
        results = c.results()
        from kb import fasteval

        fasteval.reference_terms(self.searcher, q, results, list(results))  # every hit ranked
        return results

    def _phrase_docs(self, q, phrases: list[str]) -> set[int]:
        """Docs whose text holds each quoted phrase as is (white space and variants folded)."""
        wanted = [squash(p) for p in phrases]
        out = set()
        docs = None
        if self.fast:
            from kb import fasteval

            docs = fasteval.docs(self, q)
        for docnum in q.docs(self.searcher) if docs is None else docs:
            stored = self.searcher.stored_fields(docnum)
            hay = squash(" ".join(str(stored.get(f) or "") for f in TEXT_FIELDS))
            if all(w in hay for w in wanted):
                out.add(docnum)
        return out

    @staticmethod
    def _score(h, whole: str, asked: set) -> float:
        """BM25F × the record's prior × the title bonus × NOTES_ONLY when the query's terms
        (`asked`, not the filters') matched only in our summary and notes, not its own words."""
        stored = h.fields()
        bonus = title_bonus(whole, stored.get("title", ""), stored.get("aka", ""))
        own = _own(h, asked)
        return float(h.score or 0.0) * float(stored.get("prior") or 1.0) * bonus * (1.0 if own else NOTES_ONLY)

    def _spelling(self, text: str, filters: Filters, exact: bool) -> list[str]:
        words = _plain_words(text.translate(_SYNTAX))[: queryguard.SUGGEST_WORDS]

        def count(q: str) -> int:
            try:
                return self._count(q, filters, exact)
            except QueryError:
                return 0

        def vocabulary():
            reader = self.searcher.reader()
            for f in OWN_FIELDS:
                for t in reader.lexicon(f):
                    yield t.decode("utf-8") if isinstance(t, bytes) else t

        def exists(word: str) -> bool:
            try:
                return self._count(word, NO_FILTERS, exact) > 0
            except QueryError:
                return False

        def texts(pieces: list[str]):
            from whoosh import query as Q

            q = Q.Or([Q.Term(f, p) for p in pieces for f in OWN_FIELDS])
            for hit in self.searcher.search(q, limit=qmod.MAX_CONTEXT_RECORDS):
                yield "\n".join(str(hit.get(f) or "") for f in OWN_FIELDS)

        return qmod.spelling(text, words, count, vocabulary, self.dictionary, self._analyze, exists, texts)

    def _hit(self, h, score: float, phrases: list[str], parts=(), more: int = 0) -> Hit:
        stored = h.fields()
        matched_terms = sorted(
            {t.decode("utf-8") if isinstance(t, bytes) else t for f, t in (h.matched_terms() or []) if f in TEXT_FIELDS}
        )
        marks = [squash(p) for p in phrases] + matched_terms
        snippet = make_snippet(stored, marks)
        disputes = json.loads(stored["disputes"]) if stored.get("disputes") else []
        return Hit(
            id=stored["id"],
            kind=stored["kind"],
            date=stored.get("date"),
            date_source=stored.get("date_source"),
            title=stored.get("title", ""),
            people=stored.get("people", ""),
            score=score,
            snippet=snippet,
            matched=tuple(matched_terms),
            path=stored.get("path", ""),
            listing=stored.get("listing") or {},
            dispute=dispute_of(snippet, disputes) if disputes else None,
            parts=tuple(self._hit(ph, ps, phrases) for ps, ph in parts),
            more=more,
        )

    def _suggest(self, text: str, filters: Filters, exact: bool) -> tuple[str, ...]:
        """When nothing matched: the closest spellings (kb.query.spelling) with their hits, then
        how many hits each word alone, or the query without filters, finds."""
        out: list[str] = list(self._spelling(text, filters, exact))
        if filters.active:
            n = self._count(text, NO_FILTERS, exact)
            if n:
                out.append(
                    qmod.Suggestion(
                        labels.WITHOUT_FILTERS.format(filters=" ".join(filters.describe()), n=n), text, n, "no_filters"
                    )
                )
        words = _plain_words(text.translate(_SYNTAX))
        if len(words) > 1:
            for w in words[: queryguard.SUGGEST_WORDS]:
                try:
                    n = self._count(w, filters, exact)
                except QueryError:
                    continue
                out.append(qmod.Suggestion(labels.ALONE.format(word=w, n=n), w, n, "alone"))
        if exact and not out:
            n = self._count(text, filters, False)
            if n:
                out.append(qmod.Suggestion(labels.WITHOUT_EXACT.format(n=n), text, n, "no_exact"))
        return tuple(out)


class _DatedWithin:
    """A date bound as a Whoosh query: records whose `end` is at least `lo`, or whose `start` is
    at most `hi`; undated records never match. Equivalent to NumericRange(field, lo, hi), but
    read from the index's sortkey/endkey columns one document at a time as the intersection
    with the words asks, instead of materialising every document in the period (which costs
    tens of milliseconds at 50,000 records). It reports NumericRange's size estimate."""

    def __new__(cls, fieldname: str, lo: int | None, hi: int | None, cache: dict):
        from whoosh import query as Q

        class DatedWithin(Q.Query):
            def __init__(self):
                self.fieldname, self.lo, self.hi = fieldname, lo, hi

            def __eq__(self, other):
                return type(other) is type(self) and (other.fieldname, other.lo, other.hi) == (
                    self.fieldname,
                    self.lo,
                    self.hi,
                )

            def __hash__(self):
                return hash((self.fieldname, self.lo, self.hi))

            def __repr__(self):
                return f"DatedWithin({self.fieldname!r}, {self.lo}, {self.hi})"

            def __str__(self):
                return f"{self.fieldname}:[{self.lo} TO {self.hi}]"

            def estimate_size(self, ixreader):
                return Q.NumericRange(self.fieldname, self.lo, self.hi).estimate_size(ixreader)

            def docs(self, searcher):
                return self.matcher(searcher).all_ids()

            def matcher(self, searcher, context=None):
                reader = searcher.reader()
                cols = cache.get(id(reader))
                if cols is None or cols[0] is not reader:
                    cols = cache[id(reader)] = (
                        reader,
                        list(reader.column_reader("sortkey")),
                        list(reader.column_reader("endkey")),
                    )
                _, starts, ends = cols
                if self.fieldname == "end":
                    return _bound_matcher(ends, ends, self.lo, None)
                return _bound_matcher(starts, ends, None, self.hi)

        return DatedWithin()


def _bound_matcher(values: list[int], ends: list[int], lo: int | None, hi: int | None, start: int = 0):
    """A matcher over the documents whose value is within [lo, hi] and that have a date (end > 0)."""
    from whoosh.matching import Matcher

    n = len(values)
    lo_ = 1 if lo is None else max(lo, 1)
    hi_ = hi if hi is not None else 1 << 62

    def find(i: int) -> int:
        while i < n and not (ends[i] > 0 and lo_ <= values[i] <= hi_):
            i += 1
        return i

    class BoundMatcher(Matcher):
        def __init__(self, i: int):
            self._i = find(i)

        def is_active(self):
            return self._i < n

        def id(self):
            return self._i

        def next(self):
            self._i = find(self._i + 1)

        def skip_to(self, target):
            if target > self._i:
                self._i = find(target)

        def reset(self):
            self._i = find(0)

        def copy(self):
            m = BoundMatcher(self._i)
            return m

        def all_ids(self):
            i = self._i
            while i < n:
                yield i
                i = find(i + 1)

        def supports_block_quality(self):
            return False

        def supports(self, astype):
            return False

        # A filter: it only decides membership (under Require, its score is never used).
        def weight(self):
            return 0.0

        def score(self):
            return 0.0

        def max_quality(self):
            return 0.0

        def term(self):
            return None

    return BoundMatcher(start)


def _plain_words(qtext: str) -> list[str]:
    """The words of a query without its syntax: quotes, parentheses, operators, field names."""
    return re.sub(rf'["()]|\b{_OPS}\b|\w+:', " ", qtext).split()


def _require(scored, required):
    """`scored` restricted to documents `required` matches, scored by `scored` alone.

    Whoosh 2.7.4's own `Require.matcher` returns an AndNotMatcher (it excludes what it should
    require), so this subclass builds the RequireMatcher that class was meant to use."""
    return _require_class()(scored, required)


@lru_cache(maxsize=1)
def _require_class():
    from whoosh import query as Q
    from whoosh.matching import NullMatcher, RequireMatcher

    class Require(Q.Require):
        def matcher(self, searcher, context=None):
            a = self.a.matcher(searcher, context)
            b = self.b.matcher(searcher, searcher.boolean_context())
            if not a.is_active() or not b.is_active():
                return NullMatcher()
            return RequireMatcher(a, b)

    return Require


def _phrase_to_and(node):
    """Whoosh phrases need positions to line up; we gather documents holding the phrase's words
    and keep those whose folded text holds the phrase itself (Chinese has no spaces to anchor
    word positions, and context can change how jieba cuts a phrase)."""
    from whoosh import query as Q

    if isinstance(node, Q.Phrase):
        # Any of its words: jieba may cut a phrase differently inside a longer sentence.
        return Q.Or([Q.Term(node.fieldname, w) for w in node.words])
    return node


def _has_error(q) -> bool:
    from whoosh import query as Q

    for sub in q.leaves() if hasattr(q, "leaves") else []:
        if type(sub).__name__ == "ErrorQuery" or isinstance(sub, Q.NullQuery.__class__):
            return True
    return type(q).__name__ == "ErrorQuery"


def make_snippet(stored: dict, marks: list[str], width: int = SNIPPET_WIDTH) -> str:
    """A window of the best-matching text with matched words wrapped in [[…]].

    Matching is done on folded text, which keeps the original's length, so the marks land on
    the original characters (a traditional-character query marks the simplified text)."""
    marks = [m for m in dict.fromkeys(marks) if m]
    best = ("", [], -1)
    for f in ("body", "title", "people", "notes"):
        for line in str(stored.get(f) or "").split("\n"):
            folded = fold(line)
            spans = []
            for m in marks:
                for mo in re.finditer(re.escape(m), folded):
                    spans.append((mo.start(), mo.end()))
            if not spans and best[2] >= 0:
                continue
            score = len({folded[s:e] for s, e in spans})
            if score > best[2]:
                best = (line, spans, score)
    line, spans, _ = best
    if not line:
        return ""
    spans = _merge(spans)
    if len(line) <= width:
        lo, hi = 0, len(line)
    else:
        first = spans[0][0] if spans else 0
        lo = max(0, min(first - width // 4, len(line) - width))
        hi = min(len(line), lo + width)
    out = []
    pos = lo
    for s, e in spans:
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        out.append(line[pos:s])
        out.append(f"[[{line[s:e]}]]")
        pos = e
    out.append(line[pos:hi])
    text = "".join(out)
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(line) else "")


_TITLE_MARKS = re.compile(r"[《》〈〉<>\s]")
_STATE = "中华人民共和国"


def title_bonus(query: str, title: str, aka: str = "") -> float:
    """A query that names a document ranks it first: NAMED_TITLE when the query (its 《》
    stripped) is the record's title or one of its other titles (`aka`, one a line; a law's
    中华人民共和国 may be left out), 5 when it is most of the title (a title lookup)."""
    q = _TITLE_MARKS.sub("", fold(query))
    if not q:
        return 1.0
    named = {q, *(_TITLE_MARKS.sub("", n) for n in re.findall(r"《([^》]+)》", fold(query)))}
    for name in (title, *aka.split("\n")):
        n = _TITLE_MARKS.sub("", fold(name))
        if n and (n in named or (n.startswith(_STATE) and n[len(_STATE) :] in named)):
            return NAMED_TITLE
    t = squash(fold(title))
    if t and q in t and len(q) >= 0.6 * len(t):
        return 5.0
    return 1.0


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _own(h, asked: set) -> bool:
    """Whether the query's own terms (`asked`, not the filters') matched the record's own words
    (OWN_FIELDS), not only our summary and notes; a hit with no matched term (a date-only
    query) counts as own."""
    matched = [f for f, t in (h.matched_terms() or ()) if f in TEXT_FIELDS and (f, _text(t)) in asked]
    return not matched or any(f in OWN_FIELDS for f in matched)


def _text(t) -> str:
    return t.decode("utf-8") if isinstance(t, bytes) else t


def _terms(q) -> set[tuple[str, str]]:
    """The (field, text) terms of a query (Every and other term-less queries have none)."""
    try:
        return {(f, _text(t)) for f, t in q.all_terms()}
    except (AttributeError, TypeError):
        return set()


def _noticed(result: SearchResult, notes) -> SearchResult:
    """`result` with `notes` (how the query was read) before its own notices."""
    if not notes:
        return result
    return replace(result, notices=(*notes, *result.notices), understood=(*notes, *result.understood))


def search(home: Home, text: str, filters: Filters = NO_FILTERS, **kwargs) -> SearchResult:
    """One search, opening (and refreshing) the index first."""
    with Searcher(home) as s:
        result = s.search(text, filters, **kwargs)
        if s.opened.notice:
            return SearchResult(
                result.query,
                result.total,
                result.hits,
                result.facets,
                (s.opened.notice, *result.notices),
                result.suggestions,
                result.parsed,
            )
        return result
