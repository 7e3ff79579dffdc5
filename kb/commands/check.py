"""kb check: validate the whole corpus (and drafts), printing every problem."""

from __future__ import annotations

import click

from kb.commands.options import Ctx, json_option
from kb.render import emit


@click.command()
@json_option
@click.pass_obj
def check(obj: Ctx, as_json: bool) -> None:
    """Validate every record and list every problem as path:line: field: message.

    Exits 1 when any problem is an error. Drafts written by 'kb import' are checked too.

    \b
    Example:
      kb check
      kb --kb ~/my-kb check
    """
    report = obj.kb().check()
    if as_json:
        emit(report.to_json(), as_json=True)
    else:
        for p in report.problems:
            click.echo(p.format())
        click.echo(report.summary(), err=bool(report.errors))
    if report.errors:
        raise SystemExit(1)
