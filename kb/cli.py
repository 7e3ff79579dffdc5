"""The `kb` command line: parses arguments, calls the library once, formats the result.

Commands live one per module in `kb.commands` and are imported only when run, so that
`kb --help` and `kb check` never pay for jieba or Whoosh.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from kb.commands.options import Ctx
from kb.errors import KbError

COMMANDS = {
    "search": ("kb.commands.search", "search", "Full-text search in Chinese, with filters."),
    "timeline": ("kb.commands.timeline", "timeline", "Remarks, policies and events by year."),
    "show": ("kb.commands.show", "show", "One record in full."),
    "cite": ("kb.commands.cite", "cite", "Citations in GB/T 7714, CSL-JSON, RIS or BibTeX."),
    "verify-quote": ("kb.commands.verify_quote", "verify_quote", "Is TEXT a verbatim quotation? Whose, when?"),
    "stats": ("kb.commands.stats", "stats", "Counts by kind, year, topic and speaker/issuer."),
    "check": ("kb.commands.check", "check", "Validate the corpus; list every problem."),
    "index": ("kb.commands.index", "index", "Build or refresh the search index."),
    "import": ("kb.commands.import_", "import_cmd", "Clean a PDF-extracted chapter and draft records."),
    "init": ("kb.commands.init", "init", "Start a new knowledge base in DIR."),
    "mcp": ("kb.commands.mcp", "mcp", "Serve the knowledge base to an AI assistant over MCP (stdio)."),
    "serve": ("kb.commands.serve", "serve", "Web pages for search, timeline, records and citations (local)."),
}


class KbGroup(click.Group):
    """A group that loads each command on demand and turns KbError into a one-line message."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table above, so listing commands imports none of them.
        with formatter.section("Commands"):
            formatter.write_dl([(name, info[2]) for name, info in COMMANDS.items()])

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KbError as e:
            raise click.ClickException(str(e)) from None
        except KeyboardInterrupt:
            click.echo("kb: interrupted; nothing was changed", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:
            sys.exit(0)
        except Exception as e:  # noqa: BLE001 — the last line of defence: one line, no traceback
            if os.environ.get("KB_DEBUG"):
                raise
            raise click.ClickException(
                f"internal error: {type(e).__name__}: {e} (set KB_DEBUG=1 for the traceback, and please report it)"
            ) from None


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--kb",
    "kb_dir",
    metavar="DIR",
    envvar="KB_HOME",
    help="Knowledge base to use: a folder holding corpus/ (default: the bundled corpus; env KB_HOME).",
)
@click.version_option(package_name="kb")
@click.pass_context
def main(ctx: click.Context, kb_dir: str | None) -> None:
    """kb — who said or issued what, when, where, and how to cite it.

    A knowledge base of Chinese S&T policy documents, leaders' remarks, statistics and
    references on 科技成果转化, searched in Chinese and cited in GB/T 7714.

    \b
    Examples:
      kb search 科技自立自强
      kb timeline --year 2020
      kb cite 最后一公里
    """
    ctx.obj = Ctx(kb_dir)
