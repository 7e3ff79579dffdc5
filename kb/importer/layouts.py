"""Layouts other than the PDF text: Markdown from PDF converters, plain text, web pages.

`detect(text)` names the layout; `clean_flowing(text, layout)` cleans the layouts where a
paragraph is one line (Markdown from converters such as MinerU, plain text, text pasted from a
web page): `#` headings, images, HTML and pipe tables (each row a block with its cells and the
table's header), page-header lines (`# [键入文字]`, a bare page number) that cut a sentence in
two, LaTeX fragments (`$0 . 3 \\%$` → 0.3%), reference lists and front matter kept apart from
the body so that their dates are never taken for events.
"""

from __future__ import annotations

import re
from collections import Counter

from kb.text import display_width

# Sentence-final punctuation, full- and half-width: a line ending in one ends its paragraph.
TERMINAL = tuple("。!?！？”」』:：;；…")

_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*(?:\\\*|\*)*\s*$")
_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$")
_PIPE_ROW = re.compile(r"^\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\|[\s:\-|]+\|\s*$")
_PAGE_JUNK = re.compile(
    r"^(?:\[?键入文字\]?|\[?type text\]?|第?\s*\d{1,4}\s*页?|-\s*\d{1,4}\s*-|\d{1,4}\s*/\s*\d{1,4})$", re.I
)
_REF_HEAD = re.compile(r"^(?:\d+\s*)?(?:参考文献|参考资料|References?|Bibliography|注释|注\s*释|Notes)\s*[:：]?$", re.I)
_META = re.compile(
    r"^[\[【(（]?\s*(?:收稿日期|修回日期|录用日期|接受日期|网络出版|出版日期|基金项目|作者简介|通讯作者|通信作者|"
    r"DOI|doi|关键词|关键字|Key\s*words|Keywords|Abstract|摘要|中图分类号|文献标识码|文章编号|"
    r"Received|Revised|Accepted|Published|引用格式|责任编辑|来源|编辑)"
)
_LATEX = re.compile(r"\$([^$\n]{1,120})\$")
_DATE_ONLY = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2})"
    r"(?:\s*(?:星期|周)[一二三四五六日天])?$"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE_PUNCT = re.compile(r"[。,，;；:：!?！？、]")
# A line cut here goes on in the next one: it ends inside a clause.
_OPEN_END = re.compile(r"[\u3400-\u9fff0-9A-Za-z、,，(（《“‘—-]$")


def detect(text: str) -> str:
    """`markdown` (a converter's Markdown), `pdf` (printed lines broken at a fixed width) or
    `plain` (one paragraph a line: plain text, a web page)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if not lines:
        return "plain"
    md = sum(1 for ln in lines if _MD_HEADING.match(ln) and ln.startswith("# ") or _IMAGE.match(ln))
    if md >= 2 or any("<table" in ln for ln in lines) or sum(1 for ln in lines if _PIPE_ROW.match(ln)) >= 3:
        return "markdown"
    raw = text.split("\n")
    glue = any(a.strip() and b and not b.strip() for a, b in zip(raw, raw[1:], strict=False))
    if glue and sum(1 for ln in lines if not ln.endswith(TERMINAL)) >= 0.4 * len(lines):
        return "pdf"  # the PDF extractor's line of spaces at a wide gap, lines cut mid-sentence
    long_ = [ln for ln in lines if display_width(ln) >= 40]
    if len(long_) >= 5:
        widths = Counter(display_width(ln) // 3 for ln in long_)  # widths within 2 columns agree
        _, mode = widths.most_common(1)[0]
        open_ends = sum(1 for ln in long_ if not ln.endswith(TERMINAL))
        if open_ends >= 0.5 * len(long_) and mode >= 0.25 * len(long_):
            return "pdf"
    return "plain"


def unlatex(s: str) -> str:
    """Inline LaTeX as text: `$0 . 3 \\%$` → 0.3%, `$4 3 . 8 \\%$` → 43.8%."""

    def one(m: re.Match) -> str:
        inner = m.group(1).replace("\\%", "%").replace("\\,", "").replace("\\ ", "")
        inner = re.sub(r"\\(?:mathrm|text|textbf|mathbf)\{([^}]*)\}", r"\1", inner)
        if re.fullmatch(r"[\d\s.,%+\-~×x/]+", inner):
            inner = re.sub(r"\s+", "", inner)
        return inner.strip()

    return _LATEX.sub(one, s)


def _strip_tags(s: str) -> str:
    return re.sub(r"<[^>]+>", "", s).strip()


def html_rows(line: str) -> list[tuple[bool, list[str]]]:
    """The rows of the HTML tables on one line, each a list of cell texts, and whether it is
    the first row of its table."""
    rows = []
    for table in re.findall(r"<table[^>]*>(.*?)</table>", line, flags=re.S | re.I) or [line]:
        for k, row in enumerate(re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S | re.I)):
            cells = [_strip_tags(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S | re.I)]
            if cells:
                rows.append((k == 0, cells))
    return rows


def _is_header(cells: list[str]) -> bool:
    """A table's first row is its header when no cell holds a date or a long text; a table
    cut by a page break goes on with a data row and keeps the header before it."""
    return all(len(c) <= 20 and not re.search(r"\d\s*[年月日]|\d{4}", c) for c in cells)


def _is_title(s: str) -> bool:
    """A line that reads as a heading in plain text: short, no sentence punctuation."""
    return len(s) <= 30 and not _SENTENCE_PUNCT.search(s) and not _DATE_ONLY.match(s) and not s.startswith(("—", "-"))


def clean_flowing(text: str, layout: str):
    """Clean a text whose paragraphs are lines (see the module's docstring) into a Document."""
    from kb.importer.cleaning import Block, Document

    blocks: list[Block] = []
    section = "全文"  # before the first heading (a record's source.section cannot be empty)
    role = "body"
    header: tuple[str, ...] = ()
    title = ""
    open_para = False  # the last block is a body paragraph that ended mid-sentence
    broke = False  # a page-header line came between it and this line
    for raw in text.split("\n"):
        s = raw.replace("\u3000", " ").replace("\xa0", " ").strip()
        if not s:
            continue
        if _IMAGE.match(s):
            continue
        if "<table" in s.lower() or "<tr" in s.lower():
            for first, cells in html_rows(s):
                if first and _is_header(cells):
                    header = tuple(cells)
                    continue
                if header and len(header) != len(cells):
                    header = ()
                blocks.append(Block(" | ".join(cells), section, 0, tuple(cells), header, role))
            open_para = False
            continue
        if _PIPE_ROW.match(s):
            if _PIPE_RULE.match(s):
                continue
            cells = [c.strip() for c in s.strip().strip("|").split("|")]
            if _is_header(cells) and not (blocks and blocks[-1].cells):
                header = tuple(cells)
                continue
            blocks.append(Block(" | ".join(cells), section, 0, tuple(cells), header, role))
            open_para = False
            continue
        m = _MD_HEADING.match(s) if layout == "markdown" and s.startswith("#") else None
        body = unlatex(m.group(2) if m else s).strip()
        if not body:
            continue
        if _PAGE_JUNK.match(body):
            broke = True
            continue
        if m or (layout == "plain" and _is_title(body) and not open_para):
            if _REF_HEAD.match(body):
                role = "reference"
            elif role == "reference" and _CJK.search(body) is None:
                role = "meta"  # an English title page after the references
            elif role != "reference":
                role = "body" if _CJK.search(body) else "meta"
            if m and open_para and broke is False and not _is_title(body) and _OPEN_END.search(blocks[-1].text):
                # a converter's "#" on a line that goes on a sentence: body text after all
                blocks[-1] = _extend(blocks[-1], body)
                continue
            level = len(m.group(1)) if m else 2
            num = re.match(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(?=\s|[^\d.])", body)
            section = num.group(1) if num else body[:20]
            if not title:
                title = body
            blocks.append(Block(body, section, level, role=role))
            open_para = False
            broke = False
            continue
        this_role = role
        if role == "body" and (_META.match(body) or not _CJK.search(body)):
            this_role = "meta"
        if _DATE_ONLY.match(body) and blocks and _signs(blocks[-1].text):
            # a notice's date under its issuer (and seal note): it closes what is above it
            blocks.append(Block(body, section, 0, role="signature"))
            open_para = False
            broke = False
            continue
        if open_para and blocks and blocks[-1].role == this_role and _continues(blocks[-1].text, body):
            blocks[-1] = _extend(blocks[-1], body)
        else:
            blocks.append(Block(body, section, 0, role=this_role))
        open_para = not body.endswith(TERMINAL) and not body.startswith("—")
        broke = False
    return Document(title, tuple(blocks), (), (), layout)


_ORG = re.compile(r"(?:会|院|部|委|局|厅|办|署|组|中心|政府|中央|国务院|办公室|协会|学会|公司|大学)$")


def _signs(prev: str) -> bool:
    """Is `prev` the issuer or seal note a document's date line is written under?"""
    prev = prev.strip()
    if re.fullmatch(r"[(（][^()（）]{2,30}(?:代章|印章|盖章|章)[)）]", prev):
        return True
    return len(prev) <= 30 and bool(_ORG.search(prev)) and not _SENTENCE_PUNCT.search(prev)


def _continues(prev: str, nxt: str) -> bool:
    """Does line `nxt` go on the paragraph `prev`, cut mid-sentence (a page break, a date on
    a line of its own)? A short line without punctuation is a heading, not a cut paragraph."""
    if prev.endswith(TERMINAL) or prev.startswith("—") or nxt.startswith(("—", "(", "（", "[", "<")):
        return False
    if _DATE_ONLY.match(prev):
        return True
    return bool(_OPEN_END.search(prev)) and (not _is_title(prev) or re.search(r"\d\s*年$", prev) is not None)


def _extend(block, more: str):
    from kb.importer.cleaning import Block

    a = block.text
    sep = " " if a[-1:].isascii() and a[-1:].isalnum() and more[:1].isascii() and more[:1].isalnum() else ""
    return Block(a + sep + more, block.section, block.level, block.cells, block.header, block.role, block.page)
