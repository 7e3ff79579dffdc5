"""Text helpers without heavy imports: white space and character-variant folding.

`squash` undoes PDF line breaks for exact comparison (quotations are checked with it, so it
never changes a character). `fold` maps variants to one form for matching, keeping the
text's length so offsets found in folded text are offsets in the original: full-width ASCII
→ half-width, traditional → simplified (OpenCC's TSCharacters table), upper → lower case.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

_HAN_GAP = re.compile(r"(?<=[\u3400-\u9fff“”‘’])\s+(?=[\u3400-\u9fff“”‘’])")


def squash(text: str) -> str:
    """Text with all white space removed: how PDF line breaks are undone for comparison."""
    return "".join(text.split())


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[cp] = chr(cp - 0xFEE0)
    table[0x3000] = " "
    path = _opencc_file("TSCharacters.txt")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            trad, _, simp = line.rstrip("\n").partition("\t")
            simp = simp.split(" ")[0]
            if len(trad) == 1 and len(simp) == 1 and trad != simp:
                table[ord(trad)] = simp
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    for cp in range(0xFF21, 0xFF3B):  # full-width capitals fold straight to lower case
        table[cp] = chr(cp - 0xFEE0 + 32)
    return table


def _opencc_file(name: str) -> str:
    import importlib.util

    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.origin:
        raise RuntimeError("opencc-python-reimplemented is not installed")
    return os.path.join(os.path.dirname(spec.origin), "dictionary", name)


def fold(text: str) -> str:
    """Fold text for matching, keeping its length: 科技自立自強 → 科技自立自强, ＡＢＣ → abc."""
    return text.translate(_fold_table())


def squash_folded(text: str) -> str:
    """Fold and drop all white space: how a phrase is matched against PDF-broken text."""
    return squash(fold(text))


def join_han(text: str) -> str:
    """Drop white space between Chinese characters (and Chinese quotation marks): PDF layout
    splits words (研 究 背 景, 最后一 公里); Chinese text never needs a space there."""
    return _HAN_GAP.sub("", text)


def char_width(ch: str) -> int:
    """Columns a character takes in a terminal: 2 for wide CJK, 0 for combining marks."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal (a CJK character counts two)."""
    return sum(char_width(c) for c in text)
