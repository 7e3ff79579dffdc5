"""kb serve: a local, read-only web page for search, timeline, records and citations."""

from __future__ import annotations

import signal
import socket
import sys

import click

from kb.commands.options import Ctx


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default web browser.")
@click.option("--log", is_flag=True, help="Log every request on stderr.")
@click.pass_obj
def serve(obj: Ctx, host: str, port: int, open_browser: bool, log: bool) -> None:
    """Serve the knowledge base as web pages on http://HOST:PORT/ until Ctrl-C.

    Read-only: search with filters and facets, the timeline, every record with its GB/T 7714
    citation (copy button) and CSL-JSON/RIS/BibTeX downloads, and /api/… with the same JSON
    as --json. Needs Flask: pip install 'kb[web]'.

    \b
    Examples:
      kb serve
      kb serve --port 8080 --open
      kb --kb ~/my-kb serve --host 0.0.0.0
    """
    try:
        from werkzeug.serving import WSGIRequestHandler, make_server

        from kb.web import create_app
    except ImportError as e:
        raise click.ClickException(f"kb serve needs Flask ({e.name} is missing): pip install 'kb[web]'") from None

    kbase = obj.kb()
    kbase.watch = True  # a long-lived server sees edits on disk at the next request
    kbase.stats()  # load the corpus now: a broken corpus fails here, not on the first page
    app = create_app(kbase)

    class Handler(WSGIRequestHandler):
        def log_request(self, code="-", size="-"):
            if log:
                super().log_request(code, size)

    # Bind here, so that a port in use is our one-line error (werkzeug would print its own and exit).
    try:
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror or e} (try another --port)") from None
    with sock:
        server = make_server(host, port, app, threaded=True, request_handler=Handler, fd=sock.fileno())
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)
    url = f"http://{shown_host}:{server.socket.getsockname()[1]}/"

    def stop(signum, frame):
        raise KeyboardInterrupt

    # SIGTERM stops the server as Ctrl-C does; installed before the address is printed, so a
    # supervisor that reads it and stops the server at once still gets a clean exit.
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, stop)
        click.echo(f"kb serve: {url} (语料 {kbase.home.corpus_dir};按 Ctrl-C 停止)")
        sys.stdout.flush()
        if open_browser:
            import threading
            import webbrowser

            threading.Timer(0.3, webbrowser.open, args=(url,)).start()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        kbase.close()
    click.echo("kb serve: 已停止")
