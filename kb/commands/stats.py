"""kb stats: the shape of the corpus in counts."""

from __future__ import annotations

import click

from kb.commands.options import Ctx, json_option
from kb.render import emit


@click.command()
@json_option
@click.pass_obj
def stats(obj: Ctx, as_json: bool) -> None:
    """Count the records by kind, by year (with a bar per year), by topic and by speaker/issuer.

    Every year from the first to the last is listed, those without records as 0, in the
    text view and in --json alike.

    \b
    Examples:
      kb stats
      kb --kb ~/my-kb stats --json
    """
    from kb.views import stats_text

    st = obj.kb().stats()
    emit(st.to_json() if as_json else stats_text(st), as_json=as_json)
