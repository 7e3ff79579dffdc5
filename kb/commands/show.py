"""kb show: one record in full, with its source, related records and the cite command."""

from __future__ import annotations

import sys

import click

from kb.commands.options import Ctx, json_option
from kb.render import emit


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--article", "article", metavar="N", help="One article of a policy's full text: 45 or 四十五 (= ID#45).")
@json_option
@click.pass_obj
def show(obj: Ctx, record_id: str, article: str | None, as_json: bool) -> None:
    """Show every field of record ID: quotations in full (direct or reported), our summary
    (编者概括), source and section, checks against other sources (disputes flagged ‼),
    notes, related records both ways, and the command to cite it.

    ID#45 (or --article 45, Arabic or Chinese numerals) prints one article of a policy's
    full text: its 章, 款 numbered, 项 as printed, the articles it refers to (引用) and
    those referring to it (被引用).

    An unknown ID answers with the closest ids. --json prints the record as written.

    \b
    Examples:
      kb show 2020-09-11-xi-scientists-symposium
      kb show 2016-04-21-action-plan-tech-transfer --json
      kb show 2015-08-29-law-promoting-tech-transfer#45
    """
    from kb.views import show_text

    if article is not None:
        record_id = f"{record_id.partition('#')[0]}#{article}"
    shown = obj.kb().show(record_id)
    if "#" in record_id:
        from kb.article import article_text

        emit(shown.to_json() if as_json else article_text(shown), as_json=as_json)
        return
    if as_json:
        emit(shown.to_json(), as_json=True)
    else:
        emit(show_text(shown, color=sys.stdout.isatty()))
