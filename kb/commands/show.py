"""kb show: one record in full, with its source, related records and the cite command."""

from __future__ import annotations

import sys

import click

from kb.commands.options import Ctx, json_option
from kb.render import emit


@click.command()
@click.argument("record_id", metavar="ID")
@json_option
@click.pass_obj
def show(obj: Ctx, record_id: str, as_json: bool) -> None:
    """Show every field of record ID: quotations in full (direct or reported), our summary
    (编者概括), source and section, checks against other sources (disputes flagged ‼),
    notes, related records both ways, and the command to cite it.

    An unknown ID answers with the closest ids. --json prints the record as written.

    \b
    Examples:
      kb show 2020-09-11-xi-scientists-symposium
      kb show 2016-04-21-action-plan-tech-transfer --json
    """
    from kb.views import show_text

    shown = obj.kb().show(record_id)
    if as_json:
        emit(shown.to_json(), as_json=True)
    else:
        emit(show_text(shown, color=sys.stdout.isatty()))
