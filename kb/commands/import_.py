"""kb import: clean a PDF-extracted chapter, propose draft records, and measure them."""

from __future__ import annotations

import click

from kb.commands.options import Ctx, json_option
from kb.render import emit


@click.command("import")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option(
    "--source-id",
    metavar="ID",
    help="Id of the source record holding the clean text (default: FILE's name + '-clean').",
)
@json_option
@click.pass_obj
def import_cmd(obj: Ctx, file: str, dry_run: bool, source_id: str | None, as_json: bool) -> None:
    """Clean FILE (a chapter extracted from a PDF) and write draft records for review.

    The clean text becomes a source record; remarks and events, footnote references,
    policies and statistics become drafts (draft: true) under <kb>/drafts/. Drafts that
    repeat a record already in the corpus are listed, not written; no file is ever written
    over. When the corpus holds hand-curated records of the same chapter, the drafts are
    measured against them. kb check validates drafts; search, timeline and cite see them
    only once reviewed and moved into corpus/.

    \b
    Example:
      kb import ../shared/source/chapter-01.txt --dry-run
      kb --kb ~/my-kb import chapter-02.txt --json
    """
    from kb.views_import import import_text

    result = obj.kb().import_file(file, source_id=source_id, dry_run=dry_run)
    emit(result if as_json else import_text(result), as_json=as_json)
