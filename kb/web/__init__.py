"""`kb serve`: a local, read-only web page over the same `KnowledgeBase` as the CLI.

Flask (the optional extra `web`: pip install 'kb[web]') is imported only here, and only by
`kb serve`; `kb search` and the other commands never load it.
"""

from __future__ import annotations


def create_app(kbase):
    """The web application for `kbase` (a kb.api.KnowledgeBase)."""
    from kb.web.app import create_app as make

    return make(kbase)
