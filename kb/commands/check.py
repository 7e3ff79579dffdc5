"""kb check: validate the whole corpus (and drafts), printing every problem."""

from __future__ import annotations

import click

from kb.cli import Ctx, json_option
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
    from kb.corpus import scan

    home = obj.home()
    corpus, problems = scan(home.corpus_dir, (home.drafts_dir,))
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if as_json:
        emit(
            {
                "corpus": str(home.corpus_dir),
                "records": len(corpus.records),
                "errors": len(errors),
                "warnings": len(warnings),
                "problems": [p.__dict__ for p in problems],
            },
            as_json=True,
        )
    else:
        for p in problems:
            click.echo(p.format())
        click.echo(
            f"{len(corpus.records)} records valid; {len(errors)} errors, {len(warnings)} warnings in {home.corpus_dir}",
            err=bool(errors),
        )
    if errors:
        raise SystemExit(1)
