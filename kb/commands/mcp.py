"""kb mcp: serve the knowledge base to an AI assistant over the Model Context Protocol (stdio)."""

from __future__ import annotations

import click

from kb.commands.options import Ctx


@click.command()
@click.pass_obj
def mcp(obj: Ctx) -> None:
    """Serve the knowledge base over MCP on stdin/stdout, for an AI assistant.

    Tools: search, show, timeline, cite, verify_quote; resources kb://record/{id}. The
    client starts this command and speaks JSON-RPC on its stdin/stdout; logs go to stderr.
    Needs the MCP SDK: pip install 'kb[mcp]'.

    \b
    Examples:
      kb mcp
      kb --kb ~/my-kb mcp
    """
    try:
        from kb.mcp_server import serve
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing in ("mcp", "mcp_types", "pydantic"):
            raise click.ClickException(
                f"kb mcp needs the MCP SDK ({missing} is not installed): pip install 'kb[mcp]'"
            ) from None
        raise
    serve(obj.kb_dir)
