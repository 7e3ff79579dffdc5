"""One article (条) or opinion item of a policy's full text, as `kb show <doc-id>#45` prints it:
the document, its 章, the 款 and 项 as printed, the provisions it refers to (`前款`, `本法第X条`,
`依照本法第X条`) and those that refer to it, each as an id `<doc-id>#<key>`."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from kb import provisions as P
from kb.corpus import Corpus
from kb.errors import NotFound
from kb.records import Record


@dataclass(frozen=True)
class Article:
    """What `kb show <doc-id>#<key>` prints."""

    record: Record
    provision: P.Provision
    refers_to: tuple[str, ...]  # ids of the other provisions it refers to
    within: tuple[tuple[int, str, int], ...]  # (款, words as printed, 款 referred to) inside itself
    referred_by: tuple[str, ...]  # ids of the provisions referring to it
    first: str  # label of the text's first provision
    last: str

    @property
    def id(self) -> str:
        return f"{self.record.id}#{self.provision.key}"

    def to_json(self) -> dict:
        p = self.provision
        return {
            "id": self.id,
            "kind": "provision",
            "record": self.record.id,
            "key": p.key,
            "label": p.label,
            "division": p.division,
            "heading": p.heading,
            "text": p.text,
            "clauses": [
                {"number": c.number, "text": c.text, "items": [{"number": i.number, "text": i.text} for i in c.items]}
                for c in p.clauses
            ],
            "refers_to": list(self.refers_to),
            "within": [{"clause": c, "says": s, "target_clause": t} for c, s, t in self.within],
            "referred_by": list(self.referred_by),
        }


def key_of(key: str) -> str:
    """`45`, `第四十五条`, `四十五` → "45"; an opinion's `3.2` stays as it is."""
    key = key.strip()
    if key.startswith("第") and key.endswith("条"):
        key = key[1:-1]
    if not key.isdigit() and "." not in key:
        with contextlib.suppress(ValueError):
            key = str(P.cn_to_int(key))
    return key


def article(corpus: Corpus, ref: str) -> Article:
    """The provision `ref` (`<doc-id>#45`) names; NotFound (one line) for a record without a
    full text or a key it does not have, naming the range it has."""
    from kb import doctexts

    doc_id, _, key = ref.partition("#")
    rec = corpus.require(doc_id.strip())
    parsed = doctexts.parsed_of(corpus.root, rec)
    if parsed is None or not parsed.provisions:
        raise NotFound(f"{rec.id} 没有全文,不能按条显示 (kb show {rec.id} 显示该记录)")
    first, last = parsed.provisions[0], parsed.provisions[-1]
    prov = parsed.get(key_of(key))
    if prov is None:
        raise NotFound(f"{rec.id} 没有 {key.strip() or '(空)'}: 条文范围为{first.label}至{last.label}")
    out, into, within = [], [], []
    for r in P.references(parsed):
        if r.target_doc is not None or r.target_key is None:
            continue
        if r.key == prov.key == r.target_key and r.target_clause:
            within.append((r.clause, r.says, r.target_clause))
        elif r.key == prov.key and r.target_key != prov.key:
            out.append(r.target_key)
        elif r.target_key == prov.key and r.key != prov.key:
            into.append(r.key)
    ids = lambda keys: tuple(f"{rec.id}#{k}" for k in dict.fromkeys(keys) if parsed.get(k))  # noqa: E731
    return Article(rec, prov, ids(out), tuple(within), ids(into), first.label, last.label)


def article_text(a: Article) -> str:
    """The article for people: header, 款 numbered (第一款…), 项 as printed, then 引用 and 被引用."""
    p, rec = a.provision, a.record
    head = f"《{rec.title}》{p.label}"
    if p.heading:
        head += f" {p.heading}"
    lines = [head, f"id: {a.id}"]
    if p.division:
        lines.append(f"章: {p.division}")
    lines.append("")
    for c in p.clauses:
        text = c.text.removeprefix(p.label).strip() if c.number == 1 else c.text
        lines.append(f"第{P.int_to_cn(c.number)}款 {text}" if len(p.clauses) > 1 else text)
        lines += [f"  {i.text}" for i in c.items]
    lines += ["", "引用:"]
    refs = [f"  {i}" for i in a.refers_to]
    refs += [f"  第{P.int_to_cn(c)}款「{s}」→ 本条第{P.int_to_cn(t)}款" for c, s, t in a.within]
    lines += refs or ["  (无)"]
    lines.append("被引用:")
    lines += [f"  {i}" for i in a.referred_by] or ["  (无)"]
    return "\n".join(lines)
