"""What a query must be before it is parsed: bounded, printable, with sane boosts.

`precheck` runs first in every search (kb.search.Searcher.search):

- a query longer than MAX_QUERY_CHARS is refused with a clear message. A writer's longest real
  query (a pasted sentence or a title with its 文号) is under 200 characters; unbounded input
  made parsing and suggestions quadratic (100,000 characters did not finish in 300 s);
- characters that cannot be printed or encoded are replaced: control characters (BEL, ESC …)
  become spaces, and undecodable bytes of the command line (`$'\\xff'`, which Python passes
  as lone surrogates) become U+FFFD, so text and JSON output stay valid UTF-8;
- a boost must be a number from 0.01 to 100 (`科技^2`): `^nan`, `^inf`, `^-1`, `^0` and
  `^1e400` are refused instead of silently turning into a term, nothing, or an infinite score.

`broken_not` tells the parser's plain-words fallback when dropping the syntax would search the
inverse of what was asked (`NOT 科技 (` must not search 科技).
"""

from __future__ import annotations

import re

from kb.errors import QueryError

MAX_QUERY_CHARS = 1000
MAX_BOOST = 100.0
SUGGEST_WORDS = 8  # suggestions ("'x' alone: n hits", spellings) look at this many words at most

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BOOST = re.compile(r"\^([^\s()]*)")
_NUMBER = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3})?\Z")
_NOT = re.compile(r"(?<![\w])(?:NOT|ANDNOT)(?![\w])")


def clean_text(text: str) -> str:
    """`text` with lone surrogates as U+FFFD and control characters as spaces."""
    return _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text))


def precheck(text: str) -> str:
    """The query to search: cleaned (see clean_text); QueryError when it is too long or a
    boost is not a number from 0.01 to 100."""
    text = clean_text(text)
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text):,} characters long; kb searches at most {MAX_QUERY_CHARS:,} "
            "(search for a distinctive part of it, or use a quoted phrase)"
        )
    outside_phrases = re.sub(r'"[^"]*"|“[^”]*”', " ", text)
    for m in _BOOST.finditer(outside_phrases):
        value = m.group(1)
        ok = bool(_NUMBER.match(value)) and 0.01 <= float(value) <= MAX_BOOST
        if not ok:
            raise QueryError(
                f"boost '^{value[:20]}' is not a number from 0.01 to {MAX_BOOST:g} (e.g. 科技^2 weighs 科技 twice)"
            )
    return text


def broken_not(qtext: str) -> QueryError | None:
    """The error to raise when a query whose syntax could not be understood holds NOT: its
    plain words would find what the query excludes."""
    if _NOT.search(qtext):
        return QueryError(
            f"the query {qtext!r} holds NOT but its syntax was not understood, so its words cannot be "
            "searched without it (that would find what NOT excludes): balance the quotes and parentheses"
        )
    return None
