"""Rules `kb check` applies to what a record says about its own data (from the corpus audit, #10).

- A policy with a date says which date it is (`date_kind`: issued, signed, adopted, reported …):
  a report date is not an issue date.
- A statistic's `checked` entry on `value` marked `differs` must really differ: an official
  figure that agrees with the record at the record's own precision (30782.9亿元 against the
  chapter's 首次突破3万亿元) is `confirmed` or `refined`, not `differs`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kb import yamlio

Add = Callable[..., None]

# Chinese number scales a unit may start with, longest first.
_SCALES = (("万亿", 10**12), ("亿", 10**8), ("万", 10**4))
# Qualifiers that make the chapter's figure a lower bound (首次突破3万亿元, 超过1000亿元).
_AT_LEAST = ("突破", "超过", "逾", "以上", "多")
_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿|亿|万)?\s*([^\d\s(（,，;；、]*)")


def split_unit(unit: str) -> tuple[int, str]:
    """万亿元 → (10**12, 元); % → (1, %)."""
    for prefix, scale in _SCALES:
        if unit.startswith(prefix):
            return scale, unit[len(prefix) :]
    return 1, unit


def figure(text: str) -> tuple[float, str, int] | None:
    """The first figure in a checked value (30782.9亿元(最终数) → (3078290000000.0, 元, 1 decimal)),
    or None when the text has no number."""
    m = _FIGURE.search(text)
    if not m:
        return None
    num, prefix, base = m.groups()
    scale = dict(_SCALES).get(prefix or "", 1)
    decimals = len(num.split(".")[1]) if "." in num else 0
    return float(num) * scale, base, decimals


def agrees(value: Any, unit: str, qualifier: str | None, other: str) -> bool | None:
    """Whether the figure in `other` agrees with the record's value at the record's precision;
    None when they cannot be compared (no number, another unit)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    got = figure(other)
    if got is None:
        return None
    scale, base = split_unit(unit or "")
    amount, other_base, _ = got
    if other_base and base and other_base != base:
        return None
    ours = float(value) * scale
    q = qualifier or ""
    if any(w in q for w in _AT_LEAST):
        return amount >= ours
    text = repr(float(value)) if isinstance(value, float) else str(value)
    decimals = len(text.split(".")[1]) if "." in text and not text.endswith(".0") else 0
    # Round the other figure to the record's precision, in the record's scale.
    return round(amount / scale, decimals) == round(float(value), decimals)


def check_record(path: Path, data: Mapping[str, Any], lines: dict[str, int], add: Add) -> None:
    """The audit's rules for one record that passed the schema."""
    kind = data.get("kind")
    if kind == "policy" and data.get("date") is not None and not data.get("date_kind") and not data.get("draft"):
        add(
            path,
            yamlio.line_of(lines, "date"),
            "date_kind",
            "a dated policy says which date `date` is: date_kind issued (印发), signed (成文), adopted (通过), "
            "amended (修正), revised (修订), published (发布) or reported (报道) …",
            "warning",
        )
    if kind == "statistic":
        for i, c in enumerate(data.get("checked") or []):
            if not isinstance(c, dict) or c.get("field") != "value" or c.get("status") != "differs":
                continue
            said = str(c.get("value") or "")
            if agrees(data.get("value"), str(data.get("unit") or ""), data.get("qualifier"), said):
                q = data.get("qualifier") or ""
                add(
                    path,
                    yamlio.line_of(lines, f"checked.{i}.status"),
                    f"checked.{i}.status",
                    f"{said} agrees with the record's {q}{data.get('value')}{data.get('unit')} at its precision: "
                    "status confirmed (same figure) or refined (more precise), not differs",
                )
