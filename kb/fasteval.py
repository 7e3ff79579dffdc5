"""A fast evaluator for the Whoosh queries kb builds, with exactly Whoosh's results.

Whoosh stays the index of record and its collector the reference path (`kb.search`); this
module answers the same query from each query term's postings, read from the index once per
index generation, with plain dicts and sets instead of Whoosh's pure-Python matcher tree
(which spends ~95 % of a broad query's time stepping matchers one posting at a time).

Exactly the same means:

- each posting's score is Whoosh's own `bm25()` of the posting's weight and the document's
  stored (byte-quantised) field length, with the idf and average field length the top-level
  searcher gives, and B/K1 read from the searcher's BM25F weighting; a field that is not
  scorable scores by the posting's weight (Whoosh's WeightScorer);
- compound scores are summed in the same binary trees Whoosh builds per segment (Huffman-like
  trees ordered by each subquery's estimated size on that segment), so the floating-point
  sums are bit-identical, not just close; And, Or and AndMaybe add their parts' scores, a Not
  inside an And adds 1.0 (Whoosh's InverseMatcher), AndNot and Require score by their first
  part, a boost multiplies its subtree's sum;
- the top hits are Whoosh's (score descending, document number ascending), sorting by a
  column is (key, document number), facets come from Whoosh's own categorizers, and totals
  count every matching document;
- the matched terms of a hit are the query's terms that hold in that document along the
  branches of the query that match it (the terms the reference collector records).

Anything else (prefix and wildcard queries, phrases, ranges on the scored side, coordination
scaling, another weighting model, a collector option this module does not know) is not
guessed: `run` returns None with the reason, and the caller uses Whoosh's collector.

The caches (each term's postings and scores, filter document sets, facet keys and sort keys)
belong to one Whoosh searcher, i.e. one index generation as opened; a refreshed searcher
gets a new `FastIndex`, so a cache is never consulted for another version of the index.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right

SUPPORTED = "Term And Or Not AndMaybe Require NullQuery DatedWithin"
# AndNot (typed ANDNOT) is left to the collector: Whoosh 2.7.4's AndNotMatcher does not check
# the NOT side before the first document of a segment (its _find_first only looks when both
# sides start on the same document), so "(科技自立自强 kind:policy) ANDNOT kind:policy" finds
# one document per segment where none qualifies; the fast path would answer correctly and so
# differently, and the reference stays the reference.


class Unsupported(Exception):
    """A query shape or collector option this evaluator does not reproduce."""


class FastIndex:
    """Per-generation caches over one open Whoosh searcher."""

    def __init__(self, searcher):
        from whoosh import scoring

        self.searcher = searcher
        self.schema = searcher.schema
        w = searcher.weighting
        if type(w) is not scoring.BM25F:
            raise Unsupported(f"weighting {type(w).__name__} (only BM25F is reproduced)")
        self.B, self.K1, self.field_B = w.B, w.K1, dict(w._field_B)
        self.segments = []  # (segment searcher, offset, reader, doc_count_all, deleted)
        for sub, offset in searcher.leaf_searchers():
            r = sub.reader()
            deleted = frozenset(r._perdoc.deleted_docs()) if r.has_deletions() else frozenset()
            self.segments.append((sub, offset, r, sub.doc_count_all(), deleted))
        self._leaf: dict[tuple, list] = {}  # (field, btext) -> per segment {global docnum: score} or None
        self._df: dict[tuple, int] = {}  # (field, text, segment) -> doc frequency
        self._sets: dict = {}  # boolean query node -> frozenset of global docnums
        self._facet_keys: dict = {}  # (field, overlap) -> {global docnum: [names]}
        self._sort_keys: dict = {}  # field -> {global docnum: key}
        self._live_all: list[frozenset] | None = None
        self._compiled: dict = {}  # (query, segment) -> compiled tree for matched terms
        self._stored: dict = {}  # docnum -> stored fields (bounded)
        self._boosted: dict = {}  # (field, btext, boost, segment) -> the term's scores times the boost

    # -- leaves --------------------------------------------------------------------------------
    def _btext(self, q):
        field = self.schema[q.fieldname] if q.fieldname in self.schema else None
        if field is None:
            return None
        try:
            return field.to_bytes(q.text)
        except ValueError:
            return None

    def leaf(self, fieldname: str, btext: bytes) -> list:
        """Per segment, {global docnum: this term's score in it} (None where the segment lacks
        the term), read once: what Whoosh's BM25FScorer computes posting by posting."""
        key = (fieldname, btext)
        got = self._leaf.get(key)
        if got is not None:
            return got
        from whoosh.scoring import bm25

        top = self.searcher
        scorable = self.schema[fieldname].scorable
        if scorable:
            idf = top.idf(fieldname, btext)
            avgfl = top.avg_field_length(fieldname) or 1
            B = self.field_B.get(fieldname, self.B)
            K1 = self.K1
        out = []
        for sub, offset, r, _, deleted in self.segments:
            if (fieldname, btext) not in r:
                out.append(None)
                continue
            ids, weights = _postings(r, fieldname, btext)
            d = {}
            if scorable:
                dfl = sub.doc_field_length
                for i, wt in zip(ids, weights, strict=True):
                    if i not in deleted:
                        d[i + offset] = bm25(idf, wt, dfl(i, fieldname, 1), avgfl, B, K1)
            else:
                for i, wt in zip(ids, weights, strict=True):
                    if i not in deleted:
                        d[i + offset] = wt
            out.append(d)
        self._leaf[key] = out
        return out

    def _doc_frequency(self, q, seg: int) -> int:
        key = (q.fieldname, q.text, seg)
        n = self._df.get(key)
        if n is None:
            n = self._df[key] = self.segments[seg][2].doc_frequency(q.fieldname, q.text)
        return n

    def live(self, seg: int) -> frozenset:
        """Every undeleted global docnum of a segment."""
        if self._live_all is None:
            self._live_all = [
                frozenset(i + off for i in range(dc) if i not in dele) for _, off, _, dc, dele in self.segments
            ]
        return self._live_all[seg]

    # -- size estimates, as Whoosh's query classes compute them --------------------------------
    def estimate(self, q, seg: int) -> int:
        name = _kind(q)
        r = self.segments[seg][2]
        if name == "Term":
            return self._doc_frequency(q, seg)
        if name == "NullQuery":
            return 0
        if name == "And":
            return min(self.estimate(s, seg) for s in q.subqueries)
        if name in ("Or", "AndNot", "AndMaybe"):
            return min(sum(self.estimate(s, seg) for s in q.subqueries), r.doc_count())
        if name == "Require":
            return self.estimate(q.b, seg)
        if name == "Not":
            return r.doc_count()
        if name == "DatedWithin":
            return q.estimate_size(r)
        raise Unsupported(f"query node {type(q).__name__}")

    # -- scored evaluation (one segment) --------------------------------------------------------
    def scores(self, q, seg: int) -> dict:
        """{global docnum: score} for one segment, summed in Whoosh's order."""
        name = _kind(q)
        if name == "Term":
            if q.minquality:
                raise Unsupported("Term.minquality")
            bt = self._btext(q)
            d = None if bt is None else self.leaf(q.fieldname, bt)[seg]
            if d is None:
                return {}
            if q.boost != 1.0:  # Whoosh's WrappingMatcher: the term's score times the boost
                key = (q.fieldname, bt, q.boost, seg)
                got = self._boosted.get(key)
                if got is None:
                    b = q.boost
                    got = self._boosted[key] = {k: v * b for k, v in d.items()}
                return got
            return d
        if name == "NullQuery":
            return {}
        if name in ("And", "Or"):
            subs = q.subqueries
            if not subs:
                return {}
            if len(subs) == 1:
                return self.scores(subs[0], seg)
            if name == "Or":
                if getattr(q, "scale", None) or getattr(q, "minmatch", 0) or len(subs) >= 1024:
                    raise Unsupported("Or with scale, minmatch or 1024+ clauses")
                weighted = [(self.estimate(s, seg), s) for s in subs]
                d = _tree(weighted, lambda s: self.scores(s, seg), _union)
            else:
                weighted = [(0 - self.estimate(s, seg), s) for s in subs]
                d = _tree(weighted, lambda s: self.scores(s, seg), _intersect)
            if q.boost != 1.0:
                b = q.boost
                d = {k: v * b for k, v in d.items()}
            return d
        if name == "Not":
            excluded = self.docset(q.query, seg)
            return {k: 1.0 for k in self.live(seg) if k not in excluded}
        if name == "AndNot":
            a = self.scores(q.a, seg)
            if not a:
                return a
            b = self.docset(q.b, seg)
            return {k: v for k, v in a.items() if k not in b}
        if name == "Require":
            a = self.scores(q.a, seg)
            if not a:
                return a
            b = self.docset(q.b, seg)
            missing = self.missing(q.b, seg, b)
            if missing is not None:  # b is nearly every document: drop the few it lacks
                drop = [k for k in missing if k in a]
                if not drop:
                    return a
                out = a if type(a) is _Acc else _Acc(a)
                for k in drop:
                    del out[k]
                return out
            if len(a) <= len(b):
                return {k: v for k, v in a.items() if k in b}
            return {k: a[k] for k in b if k in a}
        if name == "AndMaybe":
            a = self.scores(q.a, seg)
            if not a:
                return a
            b = self.scores(q.b, seg)
            return {k: (v + b[k] if k in b else v) for k, v in a.items()}
        if name == "DatedWithin":
            return dict.fromkeys(self.docset(q, seg), 0.0)
        raise Unsupported(f"query node {type(q).__name__}")

    # -- boolean evaluation (filters; cached per generation) ------------------------------------
    def docset(self, q, seg: int) -> frozenset:
        key = (_skey(q), seg)
        got = self._sets.get(key)
        if got is not None:
            return got
        name = _kind(q)
        if name == "Term":
            bt = self._btext(q)
            d = None if bt is None else self.leaf(q.fieldname, bt)[seg]
            out = frozenset(d) if d else frozenset()
        elif name == "NullQuery":
            out = frozenset()
        elif name == "And":
            parts = sorted((self.docset(s, seg) for s in q.subqueries), key=len)
            out = parts[0].intersection(*parts[1:]) if parts else frozenset()
        elif name == "Or":
            out = frozenset().union(*(self.docset(s, seg) for s in q.subqueries))
        elif name == "Not":
            out = self.live(seg) - self.docset(q.query, seg)
        elif name == "AndNot":
            out = self.docset(q.a, seg) - self.docset(q.b, seg)
        elif name == "AndMaybe":
            out = self.docset(q.a, seg)
        elif name == "Require":
            out = self.docset(q.a, seg) & self.docset(q.b, seg)
        elif name == "DatedWithin":
            sub, offset, _, _, _ = self.segments[seg]
            m = q.matcher(sub)
            out = frozenset(i + offset for i in m.all_ids())
        else:
            raise Unsupported(f"query node {type(q).__name__}")
        if len(self._sets) > 4096:
            self._sets.clear()
        self._sets[key] = out
        return out

    def missing(self, q, seg: int, docs: frozenset) -> frozenset | None:
        """The segment's documents outside `docs` when they are few (a filter such as
        NOT kind:source keeps nearly everything), else None."""
        key = ("missing", _skey(q), seg)
        if key in self._sets:
            return self._sets[key]
        live = self.live(seg)
        out = frozenset(live - docs) if len(docs) * 2 > len(live) else None
        self._sets[key] = out
        return out

    # -- which terms matched a document ---------------------------------------------------------
    def compile(self, q, seg: int):
        """`q` as nested tuples for membership tests in one segment: ("T", (field, btext), docs),
        ("A"|"O", children), ("N", child, live), ("M"|"R", a, b), ("S", docs)."""
        name = _kind(q)
        if name == "Term":
            bt = self._btext(q)
            docs = None if bt is None else self.leaf(q.fieldname, bt)[seg]
            return ("T", (q.fieldname, bt), docs or {})
        if name in ("And", "Or"):
            return ("A" if name == "And" else "O", tuple(self.compile(s, seg) for s in q.subqueries))
        if name == "Not":
            return ("N", self.compile(q.query, seg), self.live(seg))
        if name == "AndNot":
            return ("X", self.compile(q.a, seg), self.compile(q.b, seg))
        if name in ("AndMaybe", "Require"):
            return ("M" if name == "AndMaybe" else "R", self.compile(q.a, seg), self.compile(q.b, seg))
        if name == "DatedWithin":
            return ("S", self.docset(q, seg))
        return ("S", frozenset())

    def matched_terms(self, q, d: int) -> set:
        seg = self.segment_of(d)
        key = (id(q), seg)
        got = self._compiled.get(key)
        if got is None or got[0] is not q:
            if len(self._compiled) > 256:
                self._compiled.clear()
            got = self._compiled[key] = (q, self.compile(q, seg))
        c = got[1]
        out: set = set()
        _collect(c, d, out)
        return out

    def stored(self, docnum: int) -> dict:
        """A document's stored fields (a copy; the last few thousand are kept)."""
        got = self._stored.get(docnum)
        if got is None:
            if len(self._stored) >= 4096:
                self._stored.clear()
            got = self._stored[docnum] = self.searcher.stored_fields(docnum)
        return dict(got)

    def segment_of(self, docnum: int) -> int:
        offsets = [s[1] for s in self.segments]
        return bisect_right(offsets, docnum) - 1

    # -- keys for sorting and facets (Whoosh's own categorizers, read once) ---------------------
    def sort_keys(self, sortedby) -> dict:
        from whoosh import sorting

        if not isinstance(sortedby, str):
            raise Unsupported("sortedby other than one field name")
        got = self._sort_keys.get(sortedby)
        if got is None:
            cat = sorting.MultiFacet.from_sortedby(sortedby).categorizer(self.searcher)
            if cat.needs_current:
                raise Unsupported(f"sort by {sortedby!r} needs the matcher")
            got = {}
            for sub, offset, _, dc, deleted in self.segments:
                cat.set_searcher(sub, offset)
                for i in range(dc):
                    if i not in deleted:
                        got[i + offset] = cat.key_for(None, i)
            self._sort_keys[sortedby] = got
        return got

    def facet_names(self, facet) -> dict:
        from whoosh import sorting

        if type(facet) is not sorting.FieldFacet or facet.maptype is not None:
            raise Unsupported(f"facet {facet!r}")
        key = (facet.fieldname, facet.allow_overlap, facet.reverse)
        got = self._facet_keys.get(key)
        if got is None:
            cat = facet.categorizer(self.searcher)
            if cat.needs_current:
                raise Unsupported(f"facet {facet!r} needs the matcher")
            got = {}
            for sub, offset, _, dc, deleted in self.segments:
                cat.set_searcher(sub, offset)
                for i in range(dc):
                    if i in deleted:
                        continue
                    if cat.allow_overlap:
                        got[i + offset] = [cat.key_to_name(k) for k in cat.keys_for(None, i)]
                    else:
                        got[i + offset] = [cat.key_to_name(cat.key_for(None, i))]
            self._facet_keys[key] = got
        return got

    # -- one search ------------------------------------------------------------------------------
    def run(self, q, depth: int, kwargs: dict) -> FastResults:
        """What `searcher.collector(limit=depth, terms=True, optimize=False, **kwargs)` collects."""
        unknown = set(kwargs) - {"filter", "sortedby", "groupedby"}
        if unknown:
            raise Unsupported(f"collector options {sorted(unknown)}")
        allowed = kwargs.get("filter")
        if allowed is not None and not isinstance(allowed, (set, frozenset)):
            raise Unsupported("a filter that is not a set of document numbers")
        scores: dict = {}
        for seg in range(len(self.segments)):
            part = self.scores(q, seg)
            if not part:
                continue
            if not scores:
                scores = part  # not modified below unless it is this evaluation's own
            else:
                if type(scores) is not _Acc:
                    scores = _Acc(scores)
                scores.update(part)
        if allowed is not None:
            scores = {k: v for k, v in scores.items() if k in allowed}
        sortedby = kwargs.get("sortedby")
        if sortedby is not None:
            keys = self.sort_keys(sortedby)
            top = heapq.nsmallest(depth, ((keys[d], d) for d in scores))
        elif kwargs.get("groupedby") or depth >= self.searcher.doc_count():
            # Whoosh then collects with an UnlimitedCollector: every hit, in score order.
            top = _top(scores, len(scores))
        else:
            top = _top(scores, depth)
        groups = {}
        for name, facet in (kwargs.get("groupedby") or {}).items():
            names = self.facet_names(facet)
            g: dict = {}
            for d in sorted(scores):
                for n in names[d]:
                    g.setdefault(n, []).append(d)
            groups[name] = g
        return FastResults(self, q, top, len(scores), groups)

    def docs(self, q) -> list[int]:
        """Every document `q` matches, in docnum order (what `q.docs(searcher)` lists)."""
        out: list[int] = []
        for seg in range(len(self.segments)):
            out.extend(sorted(self.docset(q, seg)))
        return out


def check(q) -> None:
    """Raise Unsupported unless every node of `q` is one this module evaluates."""
    name = _kind(q)
    if name not in SUPPORTED.split():
        if name == "AndNot":
            raise Unsupported("query node AndNot (Whoosh's own matcher is kept: see SUPPORTED)")
        raise Unsupported(f"query node {type(q).__name__}")
    if name in ("And", "Or", "AndNot", "AndMaybe", "Require"):
        for s in q.subqueries:
            check(s)
    elif name == "Not":
        check(q.query)


_KINDS: dict = {}


def _skey(q):
    """A structural cache key: kb.search builds a new DatedWithin class for every query, so
    its instances never compare equal across queries; compare by (field, lo, hi) instead."""
    name = _kind(q)
    if name == "DatedWithin":
        return ("DatedWithin", q.fieldname, q.lo, q.hi)
    if name in ("And", "Or"):
        return (name, tuple(_skey(s) for s in q.subqueries), q.boost)
    if name in ("AndNot", "AndMaybe", "Require"):
        return (name, _skey(q.a), _skey(q.b))
    if name == "Not":
        return ("Not", _skey(q.query))
    return q


def _kind(q) -> str:
    """The Whoosh class a node behaves as (kb's Require subclass is a Require)."""
    t = type(q)
    name = _KINDS.get(t)
    if name is None:
        from whoosh import query as Q

        if t is Q.Term:
            name = "Term"
        elif t is Q.Or:
            name = "Or"
        elif t is Q.And:
            name = "And"
        elif t is type(Q.NullQuery):
            name = "NullQuery"
        elif t is Q.Not:
            name = "Not"
        elif t is Q.AndNot:
            name = "AndNot"
        elif t is Q.AndMaybe:
            name = "AndMaybe"
        elif issubclass(t, Q.Require) and t.__name__ == "Require":
            name = "Require"
        elif t.__name__ == "DatedWithin":
            name = "DatedWithin"
        else:
            name = t.__name__ + "?"
        _KINDS[t] = name
    return name


def _holds(c, d: int) -> bool:
    k = c[0]
    if k == "T" or k == "S":
        return d in c[-1]
    if k == "O":
        return any(_holds(x, d) for x in c[1])
    if k == "A":
        return all(_holds(x, d) for x in c[1])
    if k == "N":
        return d in c[2] and not _holds(c[1], d)
    if k == "X":
        return _holds(c[1], d) and not _holds(c[2], d)
    if k == "M":
        return _holds(c[1], d)
    return _holds(c[1], d) and _holds(c[2], d)  # R


def _collect(c, d: int, out: set) -> None:
    """Add to `out` the terms of compiled tree `c` on branches that match `d`."""
    if not _holds(c, d):
        return
    k = c[0]
    if k == "T":
        out.add(c[1])
    elif k == "O" or k == "A":
        for x in c[1]:
            _collect(x, d, out)
    elif k == "X":
        _collect(c[1], d, out)
    elif k == "M" or k == "R":
        _collect(c[1], d, out)
        _collect(c[2], d, out)


def _tree(weighted: list, evaluate, combine) -> dict:
    """Combine subresults in the tree `whoosh.util.make_weighted_tree` builds: sort by weight
    (stable: Whoosh's matchers compare equal), join the two lightest, put the join after every
    entry of no greater weight, repeat. Only the grouping matters (a + b == b + a exactly)."""
    ls = sorted(weighted, key=lambda x: x[0])
    ls = [(w, s, None) for w, s in ls]  # (weight, query or None, evaluated dict or None)
    while len(ls) > 1:
        a = ls.pop(0)
        b = ls.pop(0)
        da = a[2] if a[1] is None else evaluate(a[1])
        db = b[2] if b[1] is None else evaluate(b[1])
        w = a[0] + b[0]
        i = bisect_right([x[0] for x in ls], w)
        ls.insert(i, (w, None, combine(da, db)))
    w, s, d = ls[0]
    return d if s is None else evaluate(s)


class _Acc(dict):
    """A dict made during one evaluation (never a cached one), so it may be updated in place."""

    __slots__ = ()


def _union(a: dict, b: dict) -> dict:
    """Whoosh's UnionMatcher: a document in both gets a.score() + b.score() (a + b == b + a
    exactly, so either side may take the other in)."""
    if not b:
        return a
    if not a:
        return b
    if type(b) is _Acc and (type(a) is not _Acc or len(b) > len(a)):
        a, b = b, a
    both = a.keys() & b.keys()
    if type(a) is _Acc:
        sums = {k: a[k] + b[k] for k in both} if both else None
        a.update(b)
        if sums:
            a.update(sums)
        return a
    out = _Acc(a)
    out.update(b)
    for k in both:
        out[k] = a[k] + b[k]
    return out


def _intersect(a: dict, b: dict) -> dict:
    if len(a) > len(b):
        a, b = b, a
    return {k: v + b[k] for k, v in a.items() if k in b}


def _top(scores: dict, depth: int) -> list[tuple[float, int]]:
    """The `depth` best (score, docnum), score descending then docnum ascending: the order of
    Whoosh's TopCollector (a heap of (score, -docnum))."""
    if len(scores) <= depth:
        items = list(scores.items())
    else:
        cut = heapq.nlargest(depth, scores.values())[-1]
        items = [kv for kv in scores.items() if kv[1] >= cut]
    items.sort(key=lambda kv: (-kv[1], kv[0]))
    return [(s, d) for d, s in items[:depth]]


def _postings(reader, fieldname: str, btext: bytes) -> tuple[list, list]:
    """A term's (segment docnums, weights) in one segment, deletions included (the caller
    drops deleted documents, as Whoosh's FilterMatcher does)."""
    m = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format) if hasattr(reader, "_terms") else None
    if m is None:
        m = reader.postings(fieldname, btext)
    ids: list = []
    weights: list = []
    cls = type(m).__name__
    if cls == "W3LeafMatcher":
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            ids.extend(m._ids[m._i :])
            weights.extend(m._weights[m._i :])
            m._next_block()
        return ids, weights
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return ids, weights


class FastHit:
    """What kb.search reads from a Whoosh Hit: score, docnum, stored fields, matched terms."""

    __slots__ = ("_ix", "_q", "docnum", "score", "_fields", "_terms")

    def __init__(self, ix: FastIndex, q, docnum: int, score):
        self._ix, self._q, self.docnum, self.score, self._fields, self._terms = ix, q, docnum, score, None, None

    def fields(self) -> dict:
        if self._fields is None:
            self._fields = self._ix.stored(self.docnum)
        return self._fields

    def __getitem__(self, key):
        return self.fields()[key]

    def get(self, key, default=None):
        return self.fields().get(key, default)

    def matched_terms(self) -> set:
        if self._terms is None:
            self._terms = self._ix.matched_terms(self._q, self.docnum)
        return set(self._terms)


class FastResults:
    """The part of Whoosh's Results that kb.search uses: len (every match), iteration over
    the top hits in order, groups(name)."""

    def __init__(self, ix: FastIndex, q, top: list, total: int, groups: dict):
        self.hits = [FastHit(ix, q, d, s) for s, d in top]
        self.total = total
        self._groups = groups

    def __len__(self) -> int:
        return self.total

    def __iter__(self):
        return iter(self.hits)

    def groups(self, name: str) -> dict:
        return self._groups[name]


def fast_index(owner) -> FastIndex:
    """The FastIndex of `owner.searcher` (a kb Searcher), made anew when the searcher changed."""
    fx = getattr(owner, "_fastindex", None)
    if fx is None or fx.searcher is not owner.searcher:
        fx = owner._fastindex = FastIndex(owner.searcher)
    return fx


def run(owner, q, depth: int, kwargs: dict):
    """Fast results for `q`, or None (with owner.fast_fallback set to why) to use the collector."""
    try:
        check(q)
        r = fast_index(owner).run(q, depth, kwargs)
    except Unsupported as e:
        owner.fast_fallback = str(e)
        return None
    owner.fast_fallback = None
    return r


def docs(owner, q):
    """q.docs(searcher) by the fast path, or None when it cannot."""
    try:
        check(q)
        return fast_index(owner).docs(q)
    except Unsupported as e:
        owner.fast_fallback = str(e)
        return None


def reference_terms(searcher, q, results, hits) -> None:
    """Keep, in a collector's Results, only the matched terms that hold along a branch of the
    query that matches the document (for the hits that will be shown).

    Whoosh's terms collector records every term matcher that happens to sit on the collected
    document. A matcher under an AND whose other side ran out stays where it stopped, and the
    negated side of a NOT moves on its own, so their terms were reported for documents where
    that branch did not match: 经费 for a document that matched 研发经费 through 研发/投入 but
    not through R&D经费. This is checked here with Whoosh's own postings, independently of
    the fast path's dicts; queries with a node outside SUPPORTED keep the collector's terms."""
    try:
        check(q)
    except Unsupported:
        return
    if not _may_strand(q):
        return
    docterms = getattr(results, "docterms", None)
    if docterms is None:
        return
    leaves = searcher.leaf_searchers()
    offsets = [off for _, off in leaves]
    for h in hits:
        d = h.docnum
        sub, off = leaves[bisect_right(offsets, d) - 1]
        keep = set(_ref_matched(q, sub, d - off))
        docterms[d] = [t for t in docterms.get(d, []) if t in keep]


def _may_strand(q, under_or: bool = False) -> bool:
    """Whether a matcher of `q` can be left on a document its branch does not match: only a
    matcher that stops moving (the sides of an And, AndNot or AndMaybe, a Not's inner query)
    while an Or above it goes on. Other trees need no check: the collector's terms are right."""
    name = _kind(q)
    if name in ("And", "Not", "AndNot", "AndMaybe", "Require") and under_or:
        return True
    if name == "Or":
        return any(_may_strand(s, True) for s in q.subqueries)
    if name in ("And", "Require"):
        return any(_may_strand(s, under_or) for s in q.subqueries)
    if name in ("AndNot", "AndMaybe"):
        return _may_strand(q.a, under_or) or _may_strand(q.b, True)
    if name == "Not":
        return _may_strand(q.query, True)
    return False


def _ref_holds(q, sub, d: int) -> bool:
    name = _kind(q)
    if name == "Term":
        field = sub.schema[q.fieldname] if q.fieldname in sub.schema else None
        if field is None:
            return False
        try:
            bt = field.to_bytes(q.text)
        except ValueError:
            return False
        r = sub.reader()
        if (q.fieldname, bt) not in r:
            return False
        m = r.postings(q.fieldname, bt)
        if m.is_active():
            m.skip_to(d)
        return m.is_active() and m.id() == d
    if name == "And":
        return all(_ref_holds(s, sub, d) for s in q.subqueries)
    if name == "Or":
        return any(_ref_holds(s, sub, d) for s in q.subqueries)
    if name == "Not":
        return not sub.reader().is_deleted(d) and not _ref_holds(q.query, sub, d)
    if name == "AndNot":
        return _ref_holds(q.a, sub, d) and not _ref_holds(q.b, sub, d)
    if name == "AndMaybe":
        return _ref_holds(q.a, sub, d)
    if name == "Require":
        return _ref_holds(q.a, sub, d) and _ref_holds(q.b, sub, d)
    if name == "DatedWithin":
        m = q.matcher(sub)
        if m.is_active():
            m.skip_to(d)
        return m.is_active() and m.id() == d
    return False


def _ref_matched(q, sub, d: int):
    if not _ref_holds(q, sub, d):
        return
    name = _kind(q)
    if name == "Term":
        yield (q.fieldname, sub.schema[q.fieldname].to_bytes(q.text))
    elif name in ("And", "Or"):
        for s in q.subqueries:
            yield from _ref_matched(s, sub, d)
    elif name == "AndNot":
        yield from _ref_matched(q.a, sub, d)
    elif name in ("AndMaybe", "Require"):
        yield from _ref_matched(q.a, sub, d)
        yield from _ref_matched(q.b, sub, d)
