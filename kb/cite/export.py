"""Exports for reference managers: CSL-JSON (Zotero, citeproc, pandoc), RIS and BibTeX.

Each export is built from the record itself and its GB/T 7714 citation (for notes); only what
the records give is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from kb.cite.gbt7714 import (
    cited_publication,
    gbt_title,
    is_internal,
    policy_issuers,
    publication_authors,
    speech_title,
    std_pages,
)
from kb.cite.results import Citation
from kb.corpus import Corpus
from kb.records import Record

# Two-character surnames: the rest of a Chinese name split family = first character.
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "司空",
    "夏侯",
    "令狐",
    "端木",
    "独孤",
    "轩辕",
    "呼延",
    "南宫",
    "西门",
    "钟离",
    "淳于",
    "申屠",
    "万俟",
    "闻人",
    "澹台",
    "公羊",
    "赫连",
    "拓跋",
)
ORG_SUFFIXES = (
    "课题组",
    "委员会",
    "办公厅",
    "办公室",
    "研究所",
    "研究院",
    "研究中心",
    "中心",
    "政府",
    "大学",
    "学院",
    "协会",
    "学会",
    "公司",
    "集团",
    "常务委员会",
    "人民代表大会",
)
ORG_LAST_CHARS = "院部局厅署委会组所处"
_HAN = re.compile(r"^[\u3400-\u9fff·]+$")
_HAS_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_ORG = re.compile(
    r"\b(?:and|Inc|Ltd|LLC|Co|Corp|Corporation|Company|GmbH|University|Institute|Association|Society|"
    r"Group|Council|Committee|Ministry|Office|Press|Foundation|Center|Centre|Academy)\b",
    re.I,
)
# A Latin person's name: letters (with accents), spaces, hyphens, apostrophes, dots, one comma.
# Anything else (an ampersand, digits, brackets, mixed scripts) is an organisation's literal name.
_LATIN_PERSON = re.compile(
    r"[^\W\d_][^\W\d_.' -]*(?:[.' -]+[^\W\d_]+)*\.?(?:, *[^\W\d_][^\W\d_.' -]*(?:[.' -]+[^\W\d_]+)*\.?)?"
)


def split_name(name: str) -> dict[str, str]:
    """A CSL name: Chinese persons as {family, given}, organisations as {literal}.

    A Han name of two to four characters is a person: its family name is its first character,
    or its first two when they are a known compound surname (COMPOUND_SURNAMES). Longer Han
    names, or ones ending like an organisation (ORG_SUFFIXES), are organisations.
    """
    name = " ".join(str(name).split())
    if is_org(name):
        return {"literal": name}
    if _HAN.match(name):
        cut = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
        return {"family": name[:cut], "given": name[cut:]}
    if _HAS_HAN.search(name) or not _LATIN_PERSON.fullmatch(name) or _LATIN_ORG.search(name):
        return {"literal": name}  # A&B 研究所, 3M Company, 中国 Science Press: never family/given
    if "," in name:
        fam, _, given = name.partition(",")
        return {"family": fam.strip(), "given": given.strip()}
    parts = name.split()
    if len(parts) > 1:
        return {"family": parts[-1], "given": " ".join(parts[:-1])}
    return {"literal": name}


def is_org(name: str) -> bool:
    name = str(name).strip()
    if _HAS_HAN.search(name) and not _HAN.match(name) and name.endswith(ORG_SUFFIXES):
        return True  # A&B 研究所
    if _HAN.match(name):
        if len(name) > 4 or name.endswith(ORG_SUFFIXES):
            return True
        return len(name) >= 3 and name[-1] in ORG_LAST_CHARS and name[:2] not in COMPOUND_SURNAMES
    return False


def _parts(raw: Any) -> list[int] | None:
    """CSL date-parts of a date as written (`2018-05-29`, `2016-03`, `2024`; a span's start)."""
    if raw is None:
        return None
    first = str(raw).split("/")[0]
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", first):
        return None
    return [int(x) for x in first.split("-")]


CSL_PUBLISHED_TYPES = {"N": "article-newspaper", "J": "article-journal", "EB/OL": "webpage", "Z": "document"}


def csl_item(rec: Record, corpus: Corpus, cit: Citation) -> dict[str, Any]:
    """A record as CSL-JSON (the input format of Zotero, citeproc and pandoc).

    Only what the records give: a remark cited from the chapter carries the chapter's date
    (unknown, so no `issued`), never the date of the speech or of a statistic.
    """
    item: dict[str, Any] = {"id": rec.id, "language": "zh-CN"}
    names = rec.people
    if rec.kind == "policy":
        item["author"] = [{"literal": n} for n in policy_issuers(rec)[0]]
    elif names and rec.kind != "statistic":
        item["author"] = [split_name(n) for n in names]
    notes = [] if rec.kind in ("remark", "event") or not cit.text else [f"GB/T 7714: {cit.text}"]
    issued = None
    if rec.kind == "reference":
        issued = _parts(rec.get("year"))
        code = str(rec.get("type_code")).upper()
        item["type"] = {"J": "article-journal", "N": "article-newspaper", "M": "book"}.get(
            code, "webpage" if code.startswith("EB") else "document"
        )
        item["title"] = gbt_title(rec.title)
        for key, csl in (
            ("journal", "container-title"),
            ("volume", "volume"),
            ("issue", "issue"),
            ("publisher", "publisher"),
            ("place", "publisher-place"),
            ("url", "URL"),
        ):
            if rec.get(key) is not None:
                item[csl] = str(rec.get(key))
        if rec.get("pages") is not None:
            item["page"] = std_pages(rec.get("pages"))
        if rec.get("accessed"):
            item["accessed"] = {"date-parts": [_parts(rec.get("accessed"))]}
        if rec.get("authors_truncated"):
            notes.append("作者列表在来源中以“等”截断")
    elif rec.kind == "policy":
        issued = _parts(rec.date.raw if rec.date else None)
        item["type"] = "legislation"
        item["title"] = rec.title
        if rec.get("doc_number"):
            item["number"] = rec.get("doc_number")
        if rec.get("region"):
            item["jurisdiction"] = rec.get("region")
        if rec.get("url"):
            item["URL"] = rec.get("url")
    elif rec.kind in ("remark", "event") or cited_publication(rec)[0] is not None:
        pub, code, _ = cited_publication(rec)
        speech = rec.kind in ("remark", "event")
        if pub is not None and code in CSL_PUBLISHED_TYPES:
            item["type"] = CSL_PUBLISHED_TYPES[code]
            if code == "Z":
                item["publisher"] = str(pub["in"]).strip("《》")
                if pub.get("place"):
                    item["publisher-place"] = str(pub["place"])
            elif code != "EB/OL":
                item["container-title"] = str(pub["in"]).strip("《》")
            issued = _parts(pub.get("date"))  # the paper's or page's date, never the speech's
            if pub.get("issue") is not None:
                item["issue"] = str(pub["issue"])
            if pub.get("pages") is not None:
                item["page"] = std_pages(pub["pages"])
            url = pub.get("url") or (pub["in"] if str(pub["in"]).startswith(("http://", "https://")) else None)
            if url:
                item["URL"] = str(url)
            if pub.get("accessed"):
                item["accessed"] = {"date-parts": [_parts(pub.get("accessed"))]}
            names = publication_authors(rec, pub)
            if names != [rec.get("speaker")]:
                item["author"] = [split_name(n) for n in names]
        else:
            item["type"] = "speech"
            issued = _parts(rec.date.raw if rec.date else None)  # a speech is issued when given
        title = pub.get("title") if pub is not None else None
        item["title"] = str(title) if title else speech_title(rec)
        if speech:
            item["event"] = rec.get("occasion") or rec.get("body") or ""
            if rec.get("place"):
                item["event-place"] = rec.get("place")
            if rec.get("title_is_label") and not rec.get("original_title") and not title:
                notes.append("题名为本库所拟的描述(方括号示著录者所补),非发表题名")
        if cit.taken_from:
            notes.append(f"转引自: {cit.taken_from}")
        elif pub is None:
            notes.extend(cit.notes)
        for ch in rec.get("checked", []):
            if ch.get("status") == "disputed":
                notes.append(f"归属存疑: {ch.get('value', '')}({ch.get('evidence', '')})")
        if rec.kind == "statistic":
            notes.append(f"{rec.get('quote')}(第{rec.section}节)")
    else:  # statistic, source: the chapter the figure or text is in
        src = rec if rec.kind == "source" else corpus.get(rec.source_id or "")
        if src is None or is_internal(src):
            item["type"] = "document"
            item["title"] = f"[{src.title if src else rec.title}]"
            notes.extend(cit.notes)
        else:
            item["type"] = "chapter"
            item["title"] = gbt_title(src.title)
            if src.get("authors"):
                item["author"] = [split_name(n) for n in src.get("authors")]
            issued = _parts(src.date.raw if src.date else None)  # the book's year, not the figure's
            for key, csl in (
                ("container_title", "container-title"),
                ("publisher", "publisher"),
                ("place", "publisher-place"),
            ):
                if src.get(key):
                    item[csl] = str(src.get(key))
            if src.get("pages") is not None:
                item["page"] = std_pages(src.get("pages"))
        if rec.kind == "statistic":
            notes.append(f"{rec.get('quote')}(第{rec.section}节)")
    if issued:
        item["issued"] = {"date-parts": [issued]}
    for q in rec.quotes if rec.kind in ("remark", "event") else ():
        notes.append(f"“{q.text}”({q.form})")
    item["note"] = "\n".join(notes)
    return item


def to_csl_json(cits: list[Citation], corpus: Corpus) -> str:
    items = [csl_item(corpus.by_id[c.id], corpus, c) for c in cits]
    return json.dumps(items, ensure_ascii=False, indent=2)


def _iso(parts: list[int], sep: str) -> str:
    return sep.join([f"{parts[0]:04d}", *[f"{x:02d}" for x in parts[1:]]])


def ris_fields(rec: Record, corpus: Corpus, cit: Citation) -> list[tuple[str, str]]:
    """A record as RIS tag/value pairs, in order (TY first, ER last)."""
    item = csl_item(rec, corpus, cit)
    ty = {
        "article-journal": "JOUR",
        "article-newspaper": "NEWS",
        "book": "BOOK",
        "chapter": "CHAP",
        "legislation": "STAT",
        "speech": "GEN",
        "webpage": "ELEC",
    }.get(item["type"], "GEN")
    out = [("TY", ty), ("ID", rec.id)]
    for n in item.get("author", []):
        out.append(("AU", n["literal"] if "literal" in n else f"{n['family']}, {n['given']}"))
    out.append(("TI", item["title"]))
    if item.get("container-title"):
        out.append(("T2", item["container-title"]))
    parts = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if parts:
        out.append(("PY", str(parts[0])))
        out.append(("DA", _iso(parts, "/")))
    for key, tag in (
        ("volume", "VL"),
        ("issue", "IS"),
        ("number", "M1"),
        ("publisher", "PB"),
        ("publisher-place", "CY"),
        ("event", "T3"),
        ("event-place", "CY"),
        ("URL", "UR"),
    ):
        if item.get(key):
            out.append((tag, str(item[key])))
    if item.get("page"):
        page = str(item["page"])
        first, sep, last = page.partition("-")
        if "," in page or not sep:  # several ranges (1-9,17) or one page: all in SP
            out.append(("SP", page))
        else:
            out.extend([("SP", first), ("EP", last)])
    if item.get("accessed"):
        out.append(("Y2", _iso(item["accessed"]["date-parts"][0], "/")))
    out.append(("LA", "zh-CN"))
    for line in item["note"].split("\n"):
        out.append(("N1", line))
    return out


_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def ris_value(value: str) -> str:
    """A RIS field value on one line: a line break inside a field would start a new tag (a title
    could inject `ER  -` and whole records), so breaks become spaces; control characters go."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", str(value))).strip()


def to_ris(cits: list[Citation], corpus: Corpus) -> str:
    chunks = []
    for c in cits:
        lines = [f"{tag}  - {ris_value(value)}" for tag, value in ris_fields(corpus.by_id[c.id], corpus, c)]
        chunks.append("\n".join([*lines, "ER  - "]))
    return "\n\n".join(chunks) + "\n"


_BIB_ESCAPE = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)


def bib_text(value: str) -> str:
    r"""A value as BibTeX/LaTeX text: every special character escaped, braces and backslashes as
    commands (BibTeX counts a brace even after a backslash, so `\{` would still unbalance the
    field and drop the ones after it; `\input{…}` must not reach LaTeX), on one line."""
    return _CONTROLS.sub("", " ".join(str(value).split())).translate(_BIB_ESCAPE)


def bib_name(n: dict[str, str]) -> str:
    r"""One author for BibTeX: an organisation braced whole (`{A\&B 研究所}`, never split into
    family and given, nor at an 'and' inside it); a Chinese person as written (王微); another
    person as `Family, Given`, braced so that no 'and' or comma in it splits the list."""
    if "literal" in n:
        return "{" + bib_text(n["literal"]) + "}"
    if _HAN.match(n["family"] + n["given"]):
        return bib_text(n["family"] + n["given"])
    return (
        "{" + bib_text(n["family"]) + "}, {" + bib_text(n["given"]) + "}"
        if n["given"]
        else "{" + bib_text(n["family"]) + "}"
    )


def bibtex_fields(rec: Record, corpus: Corpus, cit: Citation) -> tuple[str, list[tuple[str, str]]]:
    """A record as a BibTeX entry type and fields (values unescaped, except `author`, which is
    the name list already written for BibTeX)."""
    item = csl_item(rec, corpus, cit)
    etype = {
        "article-journal": "article",
        "article-newspaper": "article",
        "book": "book",
        "chapter": "incollection",
    }.get(item["type"], "misc")
    fields: list[tuple[str, str]] = []
    names = []
    for n in item.get("author", []):
        names.append(bib_name(n))
    if rec.kind == "reference" and rec.get("authors_truncated"):
        names.append("others")
    if names:
        fields.append(("author", " and ".join(names)))
    fields.append(("title", item["title"]))
    if item.get("container-title"):
        fields.append(("journal" if etype == "article" else "booktitle", item["container-title"]))
    parts = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if parts:
        fields.append(("year", str(parts[0])))
        fields.append(("date", _iso(parts, "-")))
    for key, bib in (
        ("volume", "volume"),
        ("issue", "number"),
        ("number", "number"),
        ("page", "pages"),
        ("publisher", "publisher"),
        ("publisher-place", "address"),
        ("event", "eventtitle"),
        ("event-place", "venue"),
        ("URL", "url"),
    ):
        if item.get(key):
            fields.append((bib, str(item[key])))
    if item.get("accessed"):
        fields.append(("urldate", _iso(item["accessed"]["date-parts"][0], "-")))
    fields.append(("langid", "chinese"))
    fields.append(("note", item["note"].replace("\n", "; ")))
    return etype, fields


def to_bibtex(cits: list[Citation], corpus: Corpus) -> str:
    chunks = []
    for c in cits:
        etype, fields = bibtex_fields(corpus.by_id[c.id], corpus, c)
        body = ",\n".join(f"  {k} = {{{v if k == 'author' else bib_text(v)}}}" for k, v in fields)
        chunks.append(f"@{etype}{{{c.id},\n{body}\n}}")
    return "\n\n".join(chunks) + "\n"


EXPORTERS: dict[str, Callable[[list[Citation], Corpus], str]] = {
    "csl-json": to_csl_json,
    "ris": to_ris,
    "bibtex": to_bibtex,
}
