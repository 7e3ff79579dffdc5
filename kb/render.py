"""The output switch: JSON (UTF-8, stable keys) for programs, text for people (layouts in kb.views)."""

from __future__ import annotations

import json
from typing import Any

import click


def to_json(data: Any) -> str:
    """JSON as kb prints it: UTF-8 characters, not \\u escapes, two-space indent."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def _default(obj: Any) -> Any:
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if hasattr(obj, "items"):
        return dict(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def emit(text_or_data: Any, as_json: bool = False) -> None:
    """Print a result: JSON when asked, else the text as given."""
    if as_json:
        click.echo(to_json(text_or_data))
    else:
        click.echo(text_or_data)


def mark(text: str, color: bool) -> str:
    """Turn the [[…]] highlight marks of a snippet into bold yellow, or 【…】 off a terminal."""
    if color:
        return text.replace("[[", "\x1b[1;33m").replace("]]", "\x1b[0m")
    return text.replace("[[", "【").replace("]]", "】")
