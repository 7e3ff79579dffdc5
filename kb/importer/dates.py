"""Dates a sentence starts with, at the precision the text gives them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_DATE = re.compile(
    r"^(?P<y>\d{4})\s*年\s*(?:(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*日?)?)?"
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


# --------------------------------------------------------------------------------------------
# Every date a text gives, anywhere in a sentence (kb.importer.events)

_Y = r"(?P<y>1[5-9]\d\d|20\d\d)"
_FULL_CJK = re.compile(
    _Y + r"\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"(?:\s*(?:至|到|—|–|-|~|－)\s*(?:(?P<m2>\d{1,2})\s*月\s*)?(?P<d2>\d{1,2})\s*日)?"
)
_FULL_NUM = re.compile(r"(?<![\d.\-/])" + _Y + r"(?P<sep>[.\-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d.\-/])")
_MONTH = re.compile(_Y + r"\s*年\s*(?P<m>\d{1,2})\s*(?:[—–\-~至]\s*\d{1,2}\s*)?月(?!\s*\d{1,2}\s*日)")
_SAME_YEAR = re.compile(r"(?P<rel>同年|当年|是年|次年|翌年)\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?")
_YEAR = re.compile(r"(?<!\d)" + _Y + r"\s*年(?!\s*\d{1,2}\s*月)(?![代度])")
# A date that dates the page, the paper or a citation, not something that happened.
_NOT_EVENT_AFTER = re.compile(r"\s*(?:星期|周)[一二三四五六日天]")
_NOT_EVENT_BEFORE = re.compile(
    r"(?:收稿|修回|录用|接受|接收|发表|出版|访问|引用|检索|上网|更新|发布时间|来源|日期)(?:日期|时间)?\s*[:：]?\s*$"
    r"|\[\s*$|https?://\S*$",
    re.I,
)


@dataclass(frozen=True)
class DateMention:
    """A date in a text: where it is, what it says at the precision given, and how it was read."""

    start: int
    end: int
    value: str  # 2016-05-30, 2016-05 or 2016; an interval 2018-04-24/2018-04-28
    precision: str  # day, month or year
    inferred: bool = False  # the year was taken from context (同年11月10日)
    event: bool = True  # False for a page date, a received/revised line, a citation's date

    @property
    def day(self) -> str:
        """The first day of the mention (its value without an interval's end)."""
        return self.value.split("/")[0]


def _valid(y: int, m: int, d: int | None = None) -> bool:
    try:
        date(y, m, d or 1)
    except ValueError:
        return False
    return True


def _is_event(text: str, start: int, end: int) -> bool:
    return not (_NOT_EVENT_AFTER.match(text, end) or _NOT_EVENT_BEFORE.search(text[max(0, start - 30) : start]))


def find_dates(text: str) -> list[DateMention]:
    """Every full, month and year date in `text`, in order, none overlapping another; a
    month-day without a year only after 同年/当年/是年 (the year of the nearest date before it
    in the same text, when every date before it in the text gives that one year) or
    次年/翌年 (that year + 1), marked inferred."""
    found: list[DateMention] = []
    covered = bytearray(len(text))  # characters already inside a date: linear, not pairwise

    def free(a: int, b: int) -> bool:
        return not any(covered[a:b])

    def add(m: re.Match, value: str, precision: str, inferred: bool = False) -> None:
        covered[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        found.append(DateMention(m.start(), m.end(), value, precision, inferred, _is_event(text, m.start(), m.end())))

    for m in _FULL_CJK.finditer(text):
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        if not _valid(y, mo, d):
            continue
        value = f"{y:04d}-{mo:02d}-{d:02d}"
        if m.group("d2"):
            mo2 = int(m.group("m2") or mo)
            if _valid(y, mo2, int(m.group("d2"))):
                value += f"/{y:04d}-{mo2:02d}-{int(m.group('d2')):02d}"
        add(m, value, "day")
    for m in _FULL_NUM.finditer(text):
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        if free(m.start(), m.end()) and _valid(y, mo, d):
            add(m, f"{y:04d}-{mo:02d}-{d:02d}", "day")
    for m in _MONTH.finditer(text):
        y, mo = int(m.group("y")), int(m.group("m"))
        if free(m.start(), m.end()) and _valid(y, mo):
            add(m, f"{y:04d}-{mo:02d}", "month")
    for m in _YEAR.finditer(text):
        if free(m.start(), m.end()):
            add(m, m.group("y"), "year")
    found.sort(key=lambda f: f.start)
    k = 0
    years: set[str] = set()  # the years of the dates before the current 同年, swept once
    for m in _SAME_YEAR.finditer(text):
        while k < len(found) and found[k].end <= m.start():
            if len(years) < 2:
                years.add(found[k].value[:4])
            k += 1
        if len(years) != 1:
            continue  # no year before it, or more than one: ambiguous, left out
        y = int(next(iter(years))) + (1 if m.group("rel") in ("次年", "翌年") else 0)
        mo, d = int(m.group("m")), m.group("d")
        if d and _valid(y, mo, int(d)):
            add(m, f"{y:04d}-{mo:02d}-{int(d):02d}", "day", inferred=True)
        elif not d and _valid(y, mo):
            add(m, f"{y:04d}-{mo:02d}", "month", inferred=True)
    return sorted(found, key=lambda f: f.start)
