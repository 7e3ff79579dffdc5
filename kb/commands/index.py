"""kb index: build or refresh the search index explicitly."""

from __future__ import annotations

import click

from kb.commands.options import Ctx
from kb.labels import INDEX_FRESH


@click.command()
@click.option("--rebuild", is_flag=True, help="Build from scratch even when the index is fresh.")
@click.pass_obj
def index(obj: Ctx, rebuild: bool) -> None:
    """Build the index, or re-index only the records that changed.

    Searches build and refresh the index by themselves; this command does it explicitly,
    with a progress bar on large corpora.

    \b
    Example:
      kb index
      kb index --rebuild
    """
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total < 1000:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="正在索引", file=click.get_text_stream("stderr"))
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        opened = obj.kb().reindex(rebuild=rebuild, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if opened.degraded:  # the corpus has errors, or the index could not be written: say so and fail
        click.echo(opened.notice, err=True)
        raise SystemExit(1)
    fresh = INDEX_FRESH.format(records=len(opened.manifest.files), where=opened.path.parent)
    click.echo(opened.notice or fresh)
