"""Cleaning: undo a text's layout into headings, paragraphs, footnotes and captions.

`clean(text)` is the public entry: it takes the text of a chapter (today: extracted from a
PDF, a blank line after every printed line) and returns a `Document`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kb.text import display_width, join_han

MARKERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class Block:
    """A heading (`level` > 0) or a body paragraph (`level` 0) of the clean text."""

    text: str
    section: str
    level: int = 0
    cells: tuple[str, ...] = ()  # a table row's cells (its text is them joined by " | ")
    header: tuple[str, ...] = ()  # and its table's header row, when it has one
    role: str = "body"  # body, reference (a reference list) or meta (front matter, abstracts)
    page: int = 0  # the page it starts on (1 = the chapter's first page)


@dataclass(frozen=True)
class Footnote:
    """A footnote taken out of the body: its page-local marker, its text and its anchor."""

    number: int  # order in the chapter, from 1
    marker: str  # as printed on its page: ①, ②, …
    page: int
    text: str
    anchor: str | None  # the piece of the body sentence the marker follows
    section: str


@dataclass(frozen=True)
class Document:
    """A chapter with the PDF layout undone."""

    title: str
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...]
    captions: tuple[str, ...]
    layout: str = "pdf"  # pdf, markdown or plain (kb.importer.layouts.detect)

    @property
    def paragraphs(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.level == 0)

    @property
    def body(self) -> str:
        """Headings and paragraphs, one per line, blank lines between."""
        return "\n\n".join(b.text for b in self.blocks) + "\n"

    @property
    def text(self) -> str:
        """The whole clean text: the body, then the figure captions, then the footnotes."""
        parts = [self.body]
        if self.captions:
            parts.append("图\n\n" + "\n".join(self.captions) + "\n")
        if self.footnotes:
            lines = []
            for f in self.footnotes:
                lines.append(f"[{f.number}] {f.marker} {f.text}")
                if f.anchor:
                    lines.append(f"    ↳ 第{f.page}页正文:{f.anchor}{f.marker}")
            parts.append("注释\n\n" + "\n".join(lines) + "\n")
        return "\n".join(parts)


_FULL = set("，。、；：？！（）《》“”‘’【】")
_ASCII_CJK_PUNCT = set(",:;?!()")
_TERMINAL = tuple("。!?!?”:;;:」")
_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s*(\S.*)$")
_CHAPTER = re.compile(r"^第\s*(\d+|[一二三四五六七八九十]+)\s*章$")
_CAPTION = re.compile(r"^图\s*\d+[-—–.]\d+\s*\S")
_NOTE_MARKS = re.compile(rf"^[{MARKERS}]$")
_NOTE_INLINE = re.compile(rf"^([{MARKERS}])\s*(\S.*)$")
_NOTE_DONE = re.compile(r"\[[A-Z]{1,2}(?:/[A-Z]{1,2})?\].*[.。]$")
_YEAR_START = re.compile(r"^\d{4}年")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _width(s: str) -> int:
    """Width of a line as typeset: its display width, plus one for each ASCII ,:;?!() the PDF
    extractor writes for a full-width CJK punctuation mark (typeset two columns wide)."""
    return display_width(s) + sum(1 for c in s if c in _ASCII_CJK_PUNCT)


def _sep(a: str, b: str) -> str:
    """What goes between two pieces of one sentence: a space only between two Latin words."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return " "
    return ""


def _join(a: str, b: str) -> str:
    """Join two pieces of one sentence; a space only between two Latin words."""
    return a + _sep(a, b) + b


@dataclass
class _Line:
    text: str
    page_start: bool


def _visual_lines(text: str) -> list[_Line]:
    """The lines as printed: a line holding only spaces glues its neighbours into one line.

    The PDF text has a blank line after every printed line; a printed line with a wide space
    in it (after 指出:, between list items, inside a spaced-out heading) comes out as two
    lines with a line of spaces between them.
    """
    pieces: list[list[str]] = []  # each printed line's pieces, joined once at the end (linear)
    starts: list[bool] = []
    glue = False
    for raw in text.split("\n"):
        if raw == "":
            continue
        if not raw.strip():
            glue = bool(pieces)
            continue
        line = raw.strip()
        if glue and pieces:
            pieces[-1].append(line)
        else:
            pieces.append([line])
            starts.append(raw[0].isspace())
        glue = False
    return [_Line(_join_all(p), start) for p, start in zip(pieces, starts, strict=True)]


def _join_all(pieces: list[str]) -> str:
    """`_join` over a list of pieces, in one pass."""
    out = [pieces[0]]
    for a, b in zip(pieces, pieces[1:], strict=False):
        out.append(_sep(a, b) + b)
    return "".join(out)


def _is_heading(line: str) -> re.Match | None:
    m = _HEADING.match(line)
    if not m:
        return None
    rest = m.group(2)
    if len(rest) > 30 or re.search(r"[。,,;;:?!]", rest) or not _CJK.search(rest):
        return None
    if "." not in m.group(1) and len(rest) < 2:
        return None
    return m


@dataclass
class _Builder:
    blocks: list[Block] = field(default_factory=list)
    notes: list[Footnote] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    section: str = ""
    parts: list[str] | None = None  # the open paragraph's pieces (None: no paragraph open)
    size: int = 0  # its length so far
    last: str = ""  # its last character
    para_section: str = ""
    para_page: int = 1
    pending: list[tuple[int, int, str]] = field(default_factory=list)  # (block idx, offset, mark)
    anchors: dict[int, tuple[int, int]] = field(default_factory=dict)
    page: int = 1

    def close(self) -> None:
        if self.parts and self.size:
            self.blocks.append(Block("".join(self.parts), self.para_section, page=self.para_page))
        self.parts = None
        self.size = 0
        self.last = ""

    def heading(self, text: str, section: str, level: int) -> None:
        self.close()
        self.section = section
        self.blocks.append(Block(text, section, level, page=self.page))

    def add(self, line: str) -> None:
        """Append a printed line to the current paragraph, taking its footnote markers out.

        The paragraph is kept as a list of pieces joined when it closes, so a text of one
        endless paragraph is cleaned in linear time."""
        if self.parts is None:
            self.parts = []
            self.size = 0
            self.last = ""
            self.para_section = self.section
            self.para_page = self.page
        chars = []
        marks = []
        for ch in line:
            if ch in MARKERS:
                marks.append((len(chars), ch))
            else:
                chars.append(ch)
        kept = "".join(chars)
        sep = _sep(self.last, kept)
        shift = self.size + len(sep)
        for pos, ch in marks:
            self.pending.append((len(self.blocks), shift + pos, ch))
        self.parts.append(sep + kept)
        self.size = shift + len(kept)
        if kept:
            self.last = kept[-1]


def clean(text: str) -> Document:
    """Undo the layout of a text: paragraphs, headings, footnotes, captions, table rows.

    The layout is detected (`kb.importer.layouts.detect`): PDF text with printed lines broken
    at a fixed width is cleaned here; Markdown from PDF converters, plain text and web pages
    (a paragraph a line) by `kb.importer.layouts.clean_flowing`."""
    from kb.importer.layouts import clean_flowing, detect

    layout = detect(text)
    if layout != "pdf":
        return clean_flowing(text, layout)
    return _clean_pdf(text)


def _clean_pdf(text: str) -> Document:
    """Undo the PDF layout of a chapter: paragraphs, headings, footnotes, captions."""
    lines = _visual_lines(text)
    b = _Builder()
    title = ""
    full = _full_width(lines)
    i = 0
    ended = True  # the last body line ended its paragraph
    while i < len(lines):
        ln = lines[i]
        s = ln.text
        if ln.page_start and i:
            b.page += 1
        if _CHAPTER.match(s.replace(" ", "")):
            num = re.sub(r"\D", "", s) or "1"
            name = ""
            if i + 1 < len(lines) and _is_title(lines[i + 1].text):
                name = join_han(lines[i + 1].text)
                i += 1
            title = f"{s.strip()} {name}".strip()
            b.heading(title, num, 1)
            ended = True
            i += 1
            continue
        hm = _is_heading(s) if ended or not b.size or "." in s.split(" ")[0] else None
        if hm:
            sec = hm.group(1)
            b.heading(f"{sec} {join_han(hm.group(2))}", sec, sec.count(".") + 1)
            ended = True
            i += 1
            continue
        if _CAPTION.match(s):
            b.captions.append(join_han(s))
            i += 1
            continue
        if _NOTE_MARKS.match(s) or _NOTE_INLINE.match(s) and _looks_like_note(s):
            i = _take_notes(lines, i, b)
            continue
        if ln.page_start and ended and b.parts is None:
            pass
        elif ended or (_YEAR_START.match(s) and b.last == "。"):
            b.close()
        b.add(s)
        ended = s.endswith(_TERMINAL) and _width(s) <= full - 4
        i += 1
    b.close()
    notes = []
    for n in b.notes:
        where = b.anchors.get(n.number)
        anchor = _anchor_text(b.blocks[where[0]].text, where[1]) if where else None
        notes.append(Footnote(n.number, n.marker, n.page, n.text, anchor, n.section))
    return Document(title, tuple(b.blocks), tuple(notes), tuple(b.captions))


def _anchor_text(para: str, offset: int) -> str:
    """The piece of the sentence before a footnote marker: back to the last 。;, at most 40."""
    start = max(para.rfind(c, 0, offset) for c in "。;;!?!?") + 1
    piece = para[start:offset]
    while len(piece) > 40 and re.search(r"[,,、]", piece):
        piece = re.split(r"[,,、]", piece, maxsplit=1)[1]
    return piece.strip("“”‘’")


def _is_title(s: str) -> bool:
    return len(s) <= 30 and not re.search(r"[。,,;;:]", s) and bool(_CJK.search(s))


def _full_width(lines: list[_Line]) -> int:
    """The width of a full printed line: the most common width among long lines."""
    counts = Counter(w for w in (_width(ln.text) for ln in lines) if w >= 40)
    if not counts:
        return 10**6
    return max(counts, key=lambda w: (counts[w], -w))


def _looks_like_note(s: str) -> bool:
    """`① text` starts a footnote when the text reads like a reference, not like prose."""
    body = _NOTE_INLINE.match(s).group(2)
    return bool(re.match(r"^[^。,,]{1,40}[,,.]", body)) and "。" not in body[:20]


def _take_notes(lines: list[_Line], i: int, b: _Builder) -> int:
    """Read a footnote block starting at lines[i]; return the index after it."""
    marks: list[str] = []
    while i < len(lines) and _NOTE_MARKS.match(lines[i].text):
        marks.append(lines[i].text)
        i += 1
    entries: list[list[str]] = []  # [marker, text]
    cur: list[str] | None = None
    while i < len(lines):
        s = lines[i].text
        if lines[i].page_start or _CAPTION.match(s) and cur is None:
            break
        m = _NOTE_INLINE.match(s)
        if cur is None:
            if m and _looks_like_note(s):
                cur = [m.group(1), m.group(2)]
            elif len(entries) < len(marks):
                cur = [marks[len(entries)], s]
            else:
                break
        else:
            cur[1] = _join(cur[1], s)
        i += 1
        if _NOTE_DONE.search(cur[1]):
            entries.append(cur)
            cur = None
            if marks and len(entries) >= len(marks):
                break
            if not marks and not (i < len(lines) and _NOTE_INLINE.match(lines[i].text)):
                break
    if cur is not None:
        entries.append(cur)
    for mark, text in entries:
        number = len(b.notes) + 1
        b.notes.append(Footnote(number, mark, b.page, text.strip(), None, b.section))
        for k, (blk, off, ch) in enumerate(b.pending):
            if ch == mark:
                b.anchors[number] = (blk, off)
                del b.pending[k]
                break
    b.pending.clear()
    return i
