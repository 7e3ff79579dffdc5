"""How long `kb mcp` takes to start, and what the MCP SDK adds to it.

    python bench/mcp_start.py [--runs 7]

Measures, as medians over --runs fresh processes (the machine is shared and noisy, so compare
within one run):

- importing the SDK's server class (`from mcp.server.mcpserver import MCPServer`), against
  importing kb's library (`import kb.api`) and the interpreter alone;
- importing kb.mcp_server (the SDK plus kb);
- a fresh `kb mcp` on the bundled corpus with its index built: from spawning the process to the
  initialize response, and to the answer of a first tools/call (search 最后一公里).

There is no target: `kb mcp` starts once per client session. The figures show why the SDK is an
optional extra imported only by `kb mcp` (other commands never pay for it; tests check that).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

KB = Path(sys.executable).with_name("kb")


def timed(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - t


def session() -> tuple[float, float]:
    """(seconds to the initialize response, seconds to the first tool answer) of a fresh kb mcp."""
    cmd = [str(KB), "mcp"] if KB.exists() else [sys.executable, "-m", "kb", "mcp"]
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def send(msg: dict) -> None:
        p.stdin.write(json.dumps(msg, ensure_ascii=False) + "\n")
        p.stdin.flush()

    params = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
    json.loads(p.stdout.readline())
    ready = time.perf_counter() - t
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    call = {"name": "search", "arguments": {"query": "最后一公里"}}
    send({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call})
    answer = json.loads(p.stdout.readline())
    first = time.perf_counter() - t
    assert answer["result"]["structuredContent"]["hits"], answer
    p.stdin.close()
    p.wait(timeout=30)
    return ready, first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    py = sys.executable
    session()  # the index is built (or refreshed) once, outside the measurement
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "import kb.api": [py, "-c", "import kb.api"],
        "import MCPServer (SDK)": [py, "-c", "from mcp.server.mcpserver import MCPServer"],
        "import kb.mcp_server": [py, "-c", "import kb.mcp_server"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    times["kb mcp: spawn to initialize response"] = []
    times["kb mcp: spawn to first search answer"] = []
    for _ in range(runs):  # interleaved, so that a busy moment does not fall on one figure
        for name, args in commands.items():
            times[name].append(timed(args))
        ready, first = session()
        times["kb mcp: spawn to initialize response"].append(ready)
        times["kb mcp: spawn to first search answer"].append(first)
    rows = list(times.items())
    print(f"mcp SDK {version('mcp')}, Python {sys.version.split()[0]}, medians of {runs} runs")
    for name, ts in rows:
        print(f"  {name:40s} {statistics.median(ts):6.3f} s  (min {min(ts):.3f})")


if __name__ == "__main__":
    main()
