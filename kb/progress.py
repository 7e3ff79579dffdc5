"""Saying on stderr that the index is being built, and how far along it is.

A search that finds no usable index (first run after installing, a schema or dictionary
change, a damaged index) builds one before answering, which takes seconds to minutes. It
never does so silently on a terminal: the reason comes first, then a progress bar redrawn in
place. Elsewhere output stays as it was (the notice after the build)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from kb import labels

WIDTH = 30


def rebuild_reporter(why: str, stream=None) -> Callable[[int, int], None] | None:
    """On a terminal, announce a full build now and return a progress(done, total) callback
    that draws it. Elsewhere (a pipe, a log, a test runner) None: the caller's one-line
    notice (`索引已建成:N 条记录(why)`) follows the build as before."""
    out = stream or sys.stderr
    if not bool(getattr(out, "isatty", lambda: False)()):
        return None
    started = time.monotonic()
    out.write(labels.INDEX_BUILDING.format(why=why) + "\n")
    out.flush()

    def progress(done: int, total: int) -> None:
        if total <= 0:
            return
        filled = WIDTH * done // total
        seconds = time.monotonic() - started
        bar = f"[{'#' * filled}{'.' * (WIDTH - filled)}] " + labels.INDEX_PROGRESS.format(
            done=done, total=total, seconds=seconds
        )
        out.write("\r" + bar)
        if done >= total:
            out.write("\n")
        out.flush()

    return progress
