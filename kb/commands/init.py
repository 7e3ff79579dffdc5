"""kb init: start a writer's own knowledge base."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Start a new knowledge base in DIRECTORY, with the topic list and an example record.

    \b
    Example:
      kb init ~/my-kb
      kb --kb ~/my-kb check
      kb --kb ~/my-kb search 最后一公里
    """
    from kb.init import init as run_init

    files = run_init(directory)
    click.echo(f"已创建 {directory / 'corpus'},共 {len(files)} 个文件:")
    for f in files:
        click.echo(f"  {f.relative_to(directory)}")
    click.echo(f"下一步: kb --kb {directory} check")
