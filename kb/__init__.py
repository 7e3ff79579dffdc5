"""kb — a knowledge base of Chinese S&T policy and speeches on 科技成果转化.

The library returns plain frozen dataclasses; `kb.api.KnowledgeBase` is the one object every
face (the CLI, `kb serve`, notebooks) calls. `from kb import KnowledgeBase` loads it on first
use, so `import kb` stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kb.api import KnowledgeBase


def __getattr__(name: str) -> Any:
    if name == "KnowledgeBase":
        from kb.api import KnowledgeBase

        return KnowledgeBase
    raise AttributeError(f"module 'kb' has no attribute {name!r}")


__all__ = ["KnowledgeBase", "__version__"]
