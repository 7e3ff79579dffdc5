"""What the commands share: the context every command gets, and the options of several.

Kept apart from `kb.cli` (which loads the commands) so that a command never imports the
group that imports it.
"""

from __future__ import annotations

import click


class Ctx:
    """What every command gets: the knowledge base named by --kb or KB_HOME, opened on first use."""

    def __init__(self, kb_dir: str | None):
        self.kb_dir = kb_dir
        self._kb = None

    def kb(self):
        """The knowledge base as a library object (kb.api.KnowledgeBase), opened once per run
        (one command is one call: no stat walk to watch the corpus)."""
        if self._kb is None:
            from kb.api import KnowledgeBase

            self._kb = KnowledgeBase.open(self.kb_dir, watch=False)
        return self._kb


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (UTF-8) instead of text.")


def filter_options(f):
    """The filters shared by search and timeline (parsed by kb.filters.Filters.make)."""
    for opt in reversed(
        [
            click.option("--from", "date_from", metavar="DATE", help="From this date (YYYY, YYYY-MM or YYYY-MM-DD)."),
            click.option("--to", "date_to", metavar="DATE", help="Up to this date (any precision)."),
            click.option("--year", type=int, help="Only this year."),
            click.option(
                "--kind",
                "kinds",
                multiple=True,
                metavar="KIND",
                help="remark, event, policy, statistic, reference or source (repeatable).",
            ),
            click.option(
                "--topic",
                "topics",
                multiple=True,
                metavar="TOPIC",
                help="A topic of corpus/topics.yaml (repeatable: all must hold).",
            ),
            click.option(
                "--speaker",
                "--issuer",
                "people",
                metavar="NAME",
                help="Who said or issued it (e.g. 习近平, 国务院办公厅).",
            ),
            click.option("--region", metavar="REGION", help="全国, 河北, …"),
        ]
    ):
        f = opt(f)
    return f
