"""Pinpoints: a provision named in words (`转化法第45条`, `促进科技成果转化法 第四十五条第一款第（一）项`,
`科技进步法第十条`, `评价意见 二、（三）`, or an id `<doc-id>#45`) found in the documents that have a
full text, and a provision cited as printed: `《中华人民共和国促进科技成果转化法》第四十五条第一款第（一）项`.

A document is named by its title or a short form of it: the words of the name must appear in
the title in order (`转化法` in 促进科技成果转化法, `科技进步法` in 科学技术进步法, `北京条例` in
北京市促进科技成果转化条例), ending as the title ends. Numbers may be Arabic or Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kb import provisions as P

_NUM = rf"(?:[0-9]{{1,3}}|[{P.CN_NUM}]{{1,6}})"
_NAME = r"(?P<name>《[^》]{2,60}》|[^\s《》#第“”\"]{2,40})?"
_ARTICLE = re.compile(
    rf"{_NAME}\s*第(?P<a>{_NUM})条"
    rf"(?:第(?P<k>{_NUM})款)?"
    rf"(?:第?[（(](?P<i>{_NUM})[)）]项?|第(?P<i2>{_NUM})项)?"
)
_ITEM = re.compile(rf"{_NAME}\s*(?P<part>[{P.CN_NUM}]{{1,3}})、\s*[（(](?P<item>{_NUM})[)）]")
_ID = re.compile(r"(?P<doc>[a-z0-9][a-z0-9-]*)#(?P<key>\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Pin:
    """A provision a query or phrase names: the document, the key, and optionally 款 and 项."""

    doc: str
    key: str
    clause: int | None = None
    item: int | None = None
    says: str = ""  # the words that named it

    @property
    def unit_id(self) -> str:
        return f"{self.doc}#{self.key}"


def _num(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return P.cn_to_int(text)
    except ValueError:
        return None


def _forms(title: str) -> list[str]:
    """The title and the short forms writers use: without 中华人民共和国, 科学技术 as 科技."""
    out = [title]
    short = title.removeprefix("中华人民共和国")
    out.append(short)
    out += [f.replace("科学技术", "科技") for f in list(out)]
    return list(dict.fromkeys(out))


def _in_order(name: str, title: str) -> bool:
    it = iter(title)
    return all(ch in it for ch in name)


def match_docs(name: str, docs: Iterable[tuple[str, str]]) -> list[str]:
    """Ids of the documents `name` names: an exact title or short form first, then a title
    holding the name whole, then one holding its characters in order and ending like it."""
    name = name.strip().strip("《》").strip()
    if len(name) < 2:
        return []
    exact, whole, ordered = [], [], []
    for doc_id, title in docs:
        forms = _forms(title)
        if name in forms:
            exact.append(doc_id)
        elif any(name in f for f in forms):
            whole.append(doc_id)
        elif any(_in_order(name, f) and _ends_alike(name, f) for f in forms):
            ordered.append(doc_id)
    return exact or whole or ordered


def _ends_alike(name: str, title: str) -> bool:
    for end in ("法", "条例", "意见", "规定", "办法", "方案", "措施"):
        if title.endswith(end):
            return name.endswith(end)
    return name[-1] == title[-1]


def find(text: str, docs: list[tuple[str, str]]) -> tuple[list[Pin], str]:
    """The provisions `text` names (in order), and the text without the words that named them.

    `docs` lists (id, title) of the documents that have a full text. A number without a
    document's name is not a pin (every law has a 第十条)."""
    pins: list[Pin] = []
    rest = text
    known = {d for d, _ in docs}
    for m in _ID.finditer(text):
        if m.group("doc") in known:
            pins.append(Pin(m.group("doc"), m.group("key"), says=m.group(0)))
            rest = rest.replace(m.group(0), " ")
    for m in _ARTICLE.finditer(text):
        name, a = m.group("name"), _num(m.group("a"))
        if not name or a is None:
            continue
        for doc in match_docs(name, docs):
            pins.append(Pin(doc, str(a), _num(m.group("k")), _num(m.group("i") or m.group("i2")), m.group(0)))
        if pins:
            rest = rest.replace(m.group(0), " ")
    for m in _ITEM.finditer(text):
        name, part, item = m.group("name"), _num(m.group("part")), _num(m.group("item"))
        if not name or part is None or item is None:
            continue
        found = match_docs(name, docs)
        for doc in found:
            pins.append(Pin(doc, f"{part}.{item}", says=m.group(0)))
        if found:
            rest = rest.replace(m.group(0), " ")
    return list(dict.fromkeys(pins)), " ".join(rest.split())


def cite_text(title: str, parsed: P.ParsedText, pin: Pin) -> str:
    """The pinpoint as a writer prints it: 《title》第四十五条第一款第（一）项; an opinion's item
    as 《title》二、（三）. ValueError when the text has no such provision, 款 or 项."""
    prov = parsed.get(pin.key)
    if prov is None:
        raise ValueError(f"{title} has no {_key_zh(parsed, pin.key)}")
    out = f"《{title}》{prov.label}"
    if pin.clause is not None:
        clause = prov.clause(pin.clause)
        if clause is None:
            raise ValueError(f"{prov.label} has {len(prov.clauses)} 款, not 第{P.int_to_cn(pin.clause)}款")
        out += f"第{P.int_to_cn(pin.clause)}款"
        if pin.item is not None:
            if not any(i.number == pin.item for i in clause.items):
                raise ValueError(f"{prov.label}第{P.int_to_cn(pin.clause)}款 has no 第{P.item_label(pin.item)}项")
            out += f"第{P.item_label(pin.item)}项"
    elif pin.item is not None:
        holder = next((c for c in prov.clauses if any(i.number == pin.item for i in c.items)), None)
        if holder is None:
            raise ValueError(f"{prov.label} has no 第{P.item_label(pin.item)}项")
        if len(prov.clauses) > 1:
            out += f"第{P.int_to_cn(holder.number)}款"
        out += f"第{P.item_label(pin.item)}项"
    return out


def _key_zh(parsed: P.ParsedText, key: str) -> str:
    if parsed.layout == P.ARTICLES and key.isdigit():
        return P.article_label(int(key))
    part, _, item = key.partition(".")
    if part.isdigit() and item.isdigit():
        return f"{P.int_to_cn(int(part))}、{P.item_label(int(item))}"
    return key


def pins_in(corpus, args: tuple[str, ...]) -> list[tuple[Pin, str]]:
    """`kb cite`'s arguments as provisions with their printed pinpoints, when every argument
    names one (`<doc-id>#45`, `促进科技成果转化法第四十五条第一款第（一）项`); else []. ValueError
    when a named document has no such provision, 款 or 项."""
    from kb import doctexts

    docs, texts = [], {}
    for rec in corpus.records:
        if rec.kind == "policy" and rec.get("text_file"):
            parsed = doctexts.parsed_of(corpus.root, rec)
            if parsed is not None and parsed.provisions:
                docs.append((rec.id, rec.title))
                texts[rec.id] = (rec.title, parsed)
    out: list[tuple[Pin, str]] = []
    for arg in args:
        doc, _, key = arg.strip().partition("#")
        if key and doc in texts:  # an id: its key as written, 45 or 第四十五条
            from kb.article import key_of

            pin = Pin(doc, key_of(key), says=arg)
        else:
            pins, rest = find(arg, docs)
            if not pins or rest:
                return []
            pin = pins[0]
        title, parsed = texts[pin.doc]
        out.append((pin, cite_text(title, parsed, pin)))
    return out
