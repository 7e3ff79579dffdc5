"""Citations: GB/T 7714-2015 entries, the provenance of a quotation, and exports for Zotero.

`cite()` is the one entry point. It takes ids (a numbered bibliography when there are several),
`all_of=<kind>` (every record of a kind, in the order the chapter first cites them) or a phrase
(the record whose quotation or title contains it), and returns a frozen `CiteResult` whose
`to_json()` is what `kb cite --json` prints; `kb.views.cite_text` renders what `kb cite` prints.

The package follows the seams of the job:

- `results`: the result types (Citation, Provenance, Check, Candidate, CiteResult, Entry);
- `gbt7714`: GB/T 7714-2015 entries and provenance, one record at a time;
- `lookup`: a bibliography's order and the records holding a phrase;
- `export`: CSL-JSON, RIS and BibTeX.

It never opens an index: a phrase no quotation or title holds is looked up by the `search`
function the caller passes (`kb.api.KnowledgeBase.cite` passes its resident search).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from kb import labels
from kb.cite.export import (
    COMPOUND_SURNAMES,
    EXPORTERS,
    ORG_LAST_CHARS,
    ORG_SUFFIXES,
    bibtex_fields,
    csl_item,
    is_org,
    ris_fields,
    split_name,
    to_bibtex,
    to_csl_json,
    to_ris,
)
from kb.cite.gbt7714 import (
    INTERNAL_NOTE,
    MAX_AUTHORS,
    NO_BOOK_TITLE,
    NO_PLACE,
    NO_PUBLISHER,
    PUBLISHED_CODES,
    _Punct,
    author_list,
    citation,
    format_policy,
    format_published,
    format_reference,
    format_source,
    gbt_title,
    is_internal,
    provenance,
    published_code,
    speech_title,
    std_pages,
)
from kb.cite.lookup import chapter_order, find_phrase
from kb.cite.results import Candidate, Check, Citation, CiteResult, Entry, Provenance
from kb.corpus import Corpus
from kb.errors import NotFound, QueryError
from kb.records import ID_RE, KINDS, Record

STYLES = ("gbt7714", "csl-json", "ris", "bibtex")
PUNCTS = ("half", "full")
FORMS = ("document", "online")


def looks_like_ids(args: tuple[str, ...] | list[str], corpus: Corpus) -> bool:
    """Every argument is an id, or a slug with a hyphen (a mistyped id rather than a phrase)."""
    return bool(args) and all(a in corpus.by_id or (ID_RE.match(a) and "-" in a) for a in args)


def cite(
    corpus: Corpus,
    args: tuple[str, ...] | list[str] = (),
    *,
    all_of: str | None = None,
    kind: str | None = None,
    style: str = "gbt7714",
    punct: str = "half",
    form: str = "document",
    search: Callable[[str], list[Candidate]] | None = None,
    limit: int = 10,
) -> CiteResult:
    """Cite ids, every record of a kind (`all_of`), or the record holding a phrase.

    `search` is the fallback for a phrase no quotation or title contains (kb.search, when the
    caller has an index); it returns candidates best first. Raises NotFound or QueryError.
    """
    if style not in STYLES:
        raise QueryError(f"--style: {style!r} is not one of {', '.join(STYLES)}")
    if punct not in PUNCTS:
        raise QueryError(f"--punct: {punct!r} is not one of {', '.join(PUNCTS)}")
    if form not in FORMS:
        raise QueryError(f"--form: {form!r} is not one of {', '.join(FORMS)}")
    for k in (all_of, kind):
        if k and k not in KINDS:
            raise QueryError(f"--kind: {k!r} is not a kind (use one of: {', '.join(KINDS)})")
    args = tuple(a for a in args if a.strip())
    if all_of:
        if args:
            raise QueryError("--all cites every record of --kind: give no ids or phrase with it")
        recs = [r for r in corpus.records if r.kind == all_of]
        if all_of == "reference":
            recs = chapter_order(recs, corpus)
        if not recs:
            raise NotFound(f"the corpus has no {all_of} records")
        return _result(corpus, f"--all --kind {all_of}", "all", recs, style, punct, form)
    if not args:
        raise QueryError("give ids or a phrase to cite, e.g. kb cite 最后一公里, or --all --kind reference")
    pinned = _pinned(corpus, args)
    if pinned:
        return _pinpoints(corpus, pinned, " ".join(args), style, punct, form)
    if looks_like_ids(args, corpus):
        recs = [corpus.require(a) for a in dict.fromkeys(args)]
        return _result(corpus, " ".join(args), "ids", recs, style, punct, form)
    phrase = " ".join(args)
    cands = find_phrase(corpus, phrase, kind)
    mode = "phrase"
    if not cands and search is not None:
        cands, mode = [c for c in search(phrase) if not kind or c.kind == kind], "search"
    if not cands:
        raise NotFound(f"no record contains {phrase!r} in a quotation or title, and search finds none")
    if len(cands) == 1:
        res = _result(corpus, phrase, mode, [corpus.by_id[cands[0].id]], style, punct, form)
        found = labels.CITE_FOUND.get(cands[0].where, labels.CITE_SEARCHED)
        how = (found if mode == "phrase" else labels.CITE_SEARCHED).format(phrase=phrase, id=cands[0].id)
        return CiteResult(res.query, mode, style, punct, res.citations, (), res.export, (how,))
    return CiteResult(phrase, mode, style, punct, (), tuple(cands[:limit]), total=len(cands))


def _pinned(corpus: Corpus, args: tuple[str, ...]) -> list:
    """(Pin, printed pinpoint) for each argument when all name a provision of a full text."""
    from kb import pinpoint

    try:
        return pinpoint.pins_in(corpus, args)
    except ValueError as e:
        raise NotFound(f"{' '.join(args)}: {e}") from None


def _pinpoints(corpus: Corpus, pinned: list, query: str, style: str, punct: str, form: str) -> CiteResult:
    """The documents' entries, each followed by its pinpoint line; CSL-JSON items carry the
    article as `section` (one item per provision)."""
    import json

    recs = [corpus.by_id[pin.doc] for pin, _ in pinned]
    res = _result(corpus, query, "ids", recs, style, punct, form)
    export = res.export
    if style == "csl-json" and export is not None:
        items = json.loads(export)
        for item, (pin, text) in zip(items, pinned, strict=False):
            item["section"] = text.partition("》")[2]
            item["id"] = f"{pin.doc}#{pin.key}"
        export = json.dumps(items, ensure_ascii=False, indent=2)
    notices = tuple(
        f"{'' if len(pinned) == 1 else f'[{c.number}] '}{text}"
        for c, (_, text) in zip(res.citations, pinned, strict=False)
    )
    return CiteResult(query, "ids", style, punct, res.citations, (), export, notices)


def _result(corpus: Corpus, query: str, mode: str, recs: list[Record], style: str, punct: str, form: str) -> CiteResult:
    cits = []
    numbers: dict[str, int] = {}  # entry text -> its number: identical entries share one
    for r in recs:
        c = citation(r, corpus, 0, punct, form)
        if c.text:
            number = numbers.setdefault(c.text, len(numbers) + 1)
            c = replace(c, number=number)
        cits.append(c)
    cits = tuple(cits)
    export = EXPORTERS[style](list(cits), corpus) if style in EXPORTERS else None
    return CiteResult(query, mode, style, punct, cits, (), export)


__all__ = [
    "COMPOUND_SURNAMES",
    "EXPORTERS",
    "FORMS",
    "INTERNAL_NOTE",
    "MAX_AUTHORS",
    "NO_BOOK_TITLE",
    "NO_PLACE",
    "NO_PUBLISHER",
    "ORG_LAST_CHARS",
    "ORG_SUFFIXES",
    "PUBLISHED_CODES",
    "PUNCTS",
    "STYLES",
    "Candidate",
    "Check",
    "Citation",
    "CiteResult",
    "Entry",
    "Provenance",
    "_Punct",
    "author_list",
    "bibtex_fields",
    "chapter_order",
    "citation",
    "cite",
    "csl_item",
    "find_phrase",
    "format_policy",
    "format_published",
    "format_reference",
    "format_source",
    "gbt_title",
    "is_internal",
    "is_org",
    "looks_like_ids",
    "provenance",
    "published_code",
    "ris_fields",
    "speech_title",
    "split_name",
    "std_pages",
    "to_bibtex",
    "to_csl_json",
    "to_ris",
]
