"""Dates a sentence starts with, at the precision the text gives them."""

from __future__ import annotations

import re

_DATE = re.compile(
    r"^(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日?)?)?"
    r"(?:(?P<join>至|与|和|、)(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})日)?"
)
_VERB = re.compile(r"(?:明确|再次)?(?:提出|指出|强调|表示|提到)")
_MEETING = re.compile(r"会议|全会|大会|委员会")
_ISSUE_VERB = re.compile(r"印发|制定|发布|出台")


def _dates(s: str) -> list[str]:
    """The date(s) a sentence starts with, at the precision it gives: 2018年4月24日至28日 → an
    interval; 2023年1月31与2月21日 → two days."""
    m = _DATE.match(s)
    if not m or re.match(r"^\d{4}[—–-]", s):
        return []
    y, mo, d = m.group("y"), m.group("m"), m.group("d")
    one = y + (f"-{int(mo):02d}" if mo else "") + (f"-{int(d):02d}" if mo and d else "")
    if not m.group("join") or not (mo and d):
        return [one]
    other = f"{y}-{int(m.group('m2') or mo):02d}-{int(m.group('d2')):02d}"
    return [f"{one}/{other}"] if m.group("join") == "至" else [one, other]
