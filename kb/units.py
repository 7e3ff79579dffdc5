"""Searchable units below a record: the provisions of a policy's full text and the paragraphs
(passages) of a source chapter.

Each unit is an index document of its own kind (`provision`, `passage`) with a stable id and
its parent record:

- a provision `<doc-id>#45` (第四十五条) or `<doc-id>#3.2` (an opinion's 三、（二）): title its
  label, body its 款 and 项 one a line (so a snippet is the matched 款 or 项), dated like its
  document;
- a passage `<source-id>#p12` (the chapter's 12th paragraph, counted by `kb.importer.clean`):
  body the paragraph, listed with its section (1.3) and the page of the chapter it starts on.

Search keeps units from crowding the records they belong to (see `arrange`): a document takes
one line, its record with its best units under it, and passages weigh less than curated
records: passages are listed after every record and provision that matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb import doctexts
from kb.records import UNIT_KINDS, Record

# A unit's relevance, times its BM25: a provision is the document's own words but narrower than
# the record that describes the whole document; a passage is the chapter's prose, from which
# the curated records were taken (every quotation of a remark is also in a passage), so it is a
# fallback for what no record holds and ranks below any curated record (remarks, policies 1.0;
# statistics, references 0.4) that matches about as well. Measured on tests/judged_queries.yaml.
PROVISION_PRIOR = 0.5
PASSAGE_PRIOR = 0.1
PER_DOC = 2  # units shown under their document's line (the rest are counted)


@dataclass(frozen=True)
class Unit:
    id: str
    kind: str
    parent: Record
    title: str
    body: str
    path: str
    listing: dict = field(default_factory=dict)

    @property
    def prior(self) -> float:
        return PROVISION_PRIOR if self.kind == "provision" else PASSAGE_PRIOR


def provision_id(doc_id: str, key: str) -> str:
    return f"{doc_id}#{key}"


def split_id(unit_id: str) -> tuple[str, str | None]:
    """`doc#45` → (`doc`, `45`); a record id → (id, None)."""
    doc, _, key = unit_id.partition("#")
    return doc, (key or None)


def provisions_of(corpus_dir: Path, rec: Record) -> list[Unit]:
    path = doctexts.text_path(corpus_dir, rec)
    got = doctexts.load(path) if path else None
    if not got:
        return []
    parsed, _ = got
    rel = str(Path(rec.path).parent / rec.get("text_file"))
    out = []
    for p in parsed.provisions:
        title = f"{p.label}{p.heading or ''}" if p.heading else p.label
        listing = {"doc": rec.id, "doc_title": rec.title, "label": p.label, "key": p.key}
        if rec.get("date_kind"):
            listing["date_kind"] = rec.get("date_kind")
        if p.division:
            listing["division"] = p.division
        # its 款 and 项 one a line, as printed (an article's first without its 第X条 label)
        first = p.clauses[0].text if parsed.layout == "articles" else p.lines[0]
        body = "\n".join([first, *p.lines[1:]])
        out.append(Unit(provision_id(rec.id, p.key), "provision", rec, title, body, f"{rel}:{p.line}", listing))
    return out


def passages_of(corpus_dir: Path, rec: Record) -> list[Unit]:
    """The paragraphs of a source whose record asks for them (`passages: true`), as
    `kb.importer.clean` finds them, each with its section and the page it starts on."""
    name = rec.get("text_file")
    if rec.kind != "source" or not name or rec.get("passages") is not True:
        return []
    path = Path(corpus_dir).parent / Path(rec.path).parent / name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    from kb.importer import clean

    doc = clean(text)
    headings = {b.section: b.text for b in doc.blocks if b.level > 0}
    out = []
    n = 0
    for b in doc.blocks:
        if b.level:
            continue
        n += 1
        heading = headings.get(b.section, "")
        listing = {"doc": rec.id, "doc_title": doc.title, "section": b.section, "page": b.page, "n": n}
        out.append(Unit(f"{rec.id}#p{n}", "passage", rec, heading, b.text, str(Path(rec.path).parent / name), listing))
    return out


def units_of(corpus_dir: Path, rec: Record) -> list[Unit]:
    """Every unit below `rec` (none for most records)."""
    if rec.kind == "policy":
        return provisions_of(corpus_dir, rec)
    if rec.kind == "source":
        return passages_of(corpus_dir, rec)
    return []


def documents(corpus_dir: Path, rec: Record, record_doc: dict) -> list[dict]:
    """The index documents of `rec`'s units, dated and filed like `record_doc` (the record's own)."""
    out = []
    for u in units_of(corpus_dir, rec):
        doc = {
            k: v
            for k, v in record_doc.items()
            if k in ("topics", "region", "date", "date_source", "sortkey", "endkey", "start", "end", "year")
        }
        doc.update(
            id=u.id,
            kind=u.kind,
            parent=rec.id,
            title=u.title,
            body=u.body,
            notes="",
            people="",
            who="",
            listing=u.listing,
            path=u.path,
            prior=u.prior,
        )
        out.append(doc)
    return out


def headline(kind: str, title: str, listing: Any) -> str:
    """A unit's listing line: 《中华人民共和国促进科技成果转化法》第四十五条, or the chapter's
    section and page for a passage (第1章 科技成果转化概述 · 1.3 … · 本章第12页)."""
    if kind == "provision":
        return f"《{listing.get('doc_title', '')}》{title}"
    doc = listing.get("doc_title") or ""
    parts = [doc, title if title != doc else "", f"本章第{listing.get('page')}页" if listing.get("page") else ""]
    return " · ".join(p for p in parts if p)


# -- search: pins and grouping ------------------------------------------------------------------


def depth(searcher, base: int) -> int:
    """How many hits to re-rank so that the best `base` records are among them whatever the
    units score: `base` plus the number of units in the index (counted once per searcher)."""
    n = getattr(searcher, "_unit_count", None)
    if n is None:
        s = searcher.searcher
        n = sum(s.doc_frequency("kind", k) for k in UNIT_KINDS)
        searcher._unit_count = n
    return base + n


def _pin_hits(searcher, text: str, filters) -> list:
    """Whoosh hits of the provisions `text` names (kb.pinpoint), in the order named."""
    from kb import pinpoint

    if filters.kinds and "provision" not in filters.kinds:
        return []
    if not any(c in text for c in "第#、"):
        return []
    docs = getattr(searcher, "_pin_docs", None)
    if docs is None:
        docs = [(d["id"], d.get("title", "")) for d in searcher.searcher.documents(kind="policy")]
        searcher._pin_docs = docs
    pins, _ = pinpoint.find(text, docs)
    if not pins:
        return []
    from whoosh import query as Q

    ids = list(dict.fromkeys(p.unit_id for p in pins))
    results = searcher._run(Q.Or([Q.Term("id", i) for i in ids]), len(ids), {})
    by_id = {h["id"]: h for h in results}
    return [by_id[i] for i in ids if i in by_id]


def arrange(searcher, text: str, filters, ranked: list, limit: int, sort: str) -> tuple[list, int]:
    """The hits to show, as (score, hit, parts, more), and how many pinned hits the total lacks.

    1. A provision the query names (`转化法第45条`) comes first, on a line of its own.
    2. Every other hit is grouped with its document, one line per document, placed where the
       group's best hit ranks: the document's record when it matched, with its best units
       under it (`parts`, at most PER_DOC; `more` counts the rest), else its best unit with
       the next ones under it. So a document and its 52 articles never crowd the list, and a
       provision that matches well lifts its document (and the other way round).
    3. Passages (the chapter's paragraphs, from which the curated records were taken) come
       after every record and provision that matched: they fill what no record holds.
    The list is cut at `limit`."""
    pinned = _pin_hits(searcher, text, filters) if sort != "date" else []
    pin_ids = {h["id"] for h in pinned}
    top = float(ranked[0][0]) if ranked else 1.0
    out: list[tuple] = [(top + len(pinned) - i, h, [], 0) for i, h in enumerate(pinned)]
    groups: dict[str, dict] = {}
    for score, h in ranked:
        if h["id"] in pin_ids:
            continue
        unit = h["kind"] in UNIT_KINDS
        key = (h.get("parent") or h["id"]) if unit else h["id"]
        g = groups.setdefault(key, {"record": None, "units": []})
        if unit:
            g["units"].append((score, h))
        else:
            g["record"] = (score, h)
    # The chapter's paragraphs are a fallback: after every record and provision that matched.
    tiers = sorted(groups.values(), key=lambda g: g["record"] is None and g["units"][0][1]["kind"] == "passage")
    for g in tiers:
        if len(out) >= limit:
            break
        units = g["units"]
        if g["record"] is not None:
            score, h = g["record"]
        else:
            (score, h), units = units[0], units[1:]
        # each hit keeps its own score (a filter never changes it); the line ranks by its best
        out.append((score, h, units[:PER_DOC], max(0, len(units) - PER_DOC)))
    pinned_new = sum(1 for h in pinned if all(h["id"] != r["id"] for _, r in ranked))
    return out, pinned_new


def hit_json(hit) -> dict:
    """What a unit's hit adds to its JSON: its document and place; a record's hit, its units."""
    out: dict = {}
    if hit.kind in UNIT_KINDS:
        lst = hit.listing
        out["parent"] = lst.get("doc")
        out["place"] = {k: lst[k] for k in ("label", "key", "division", "section", "page", "n") if k in lst}
    if hit.parts:
        out["parts"] = [p.to_json() for p in hit.parts]
    if hit.more:
        out["more"] = hit.more
    return out
