"""Measure kb's speed and scale and print each figure next to its target (issues 6 and 12).

    python bench/run.py [--out bench/out] [--runs 7] [--quick] [--max-records 200000]

It generates 10,000-, 50,000- and 200,000-record knowledge bases with bench/gen_corpus.py
(once; they are kept in --out, which git ignores, with how long generating and building
took), builds their indexes, and measures:

- a one-shot `kb search 科技自立自强` on (a copy of) the bundled corpus in a new process, with
  the index built, against `python -c "import jieba; jieba.lcut('科技')"` in the same run;
- in-process queries at 10k, 50k and 200k records, with and without a date filter, on the
  fast path (kb.fasteval) and through Whoosh's collector (the reference), interleaved in the
  same run: p50 and p95 of each, and each broad query (≥ 5 % of the records match) with its
  speedup; the 50k figures against the targets (p95 ≤ 20 ms filtered, ≤ 10 ms unfiltered,
  broad queries ≥ 10x);
- the peak memory of a resident searcher at 50k that has run every query (fast path, and
  the collector alone);
- a full build of 10,000 records on all cores, against one process (the reference);
- re-indexing after one record changed at 10,000 records, in-process and as `kb index`;
- the peak memory (max RSS) of one search, against jieba's own dictionary load.

Times are medians over --runs runs (the machine is shared and noisy, so compare within one
run). --quick skips the one-process build reference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import gen_corpus  # noqa: E402

QUERIES = (
    "科技自立自强",
    "科技成果转化",
    "最后一公里",
    "基础研究",
    "关键核心技术",
    "创新链 产业链",
    "研发投入",
    "科技评价",
    "青年科技人才",
    "国办发〔2016〕28号",
    "京津冀 协同创新",
    "知识产权",
    "新型举国体制",
    "科学普及",
    '"创新驱动发展"',
    "数字经济 OR 量子科技",
    "科技强国",
    "技术转移",
    "科研院所 改革",
    "高新技术产品出口",
)


def kb_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("kb")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "kb"]


def run_child(cmd: list[str], env: dict | None = None) -> tuple[float, int, int]:
    """Run a command; return (wall seconds, max RSS in KiB, exit code), measured by wait4."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss, p.returncode


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q * (len(s) - 1))))
    return s[k]


def count_records(root: Path) -> int:
    """Record files (generated records and the copied sources), not the config files."""
    return sum(1 for p in (root / "corpus").glob("*/*.yaml"))


def ensure_corpus(out: Path, n: int) -> Path:
    root = out / f"kb{n // 1000}k"
    marker = root / f".generated-{n}"
    if not marker.exists():
        print(f"generating {n} records in {root} …", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        gen_corpus.generate(root, n, seed=1)
        shutil.rmtree(root / "index", ignore_errors=True)
        marker.write_text(f"{time.perf_counter() - t0:.0f} s\n")
    return root


def ensure_index(root: Path, n: int, kb: list[str], env: dict) -> str:
    """Build the corpus's index if needed; say how long generating and building took (when
    this run or an earlier one did it: the times are kept beside the corpus)."""
    t0 = time.perf_counter()
    done = subprocess.run([*kb, "--kb", str(root), "index"], check=True, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    built = root / f".built-{n}"
    if "索引已建成" in done.stdout + done.stderr:
        built.write_text(f"{took:.0f} s\n")
    gen = (root / f".generated-{n}").read_text().strip()
    b = built.read_text().strip() if built.exists() else "?"
    return f"generated in {gen}, index built in {b}"


def time_queries(root: Path, passes: int) -> tuple[dict, list]:
    """Every query with and without the date filter, on the fast path and through Whoosh's
    collector, interleaved so both see the same load. Returns the timings and, for the broad
    queries (≥ 5 % of the records match), each one's median on both paths."""
    from kb.home import locate
    from kb.search import Filters, Searcher

    searcher = Searcher(locate(root))
    filt = Filters.make(date_from="2012", date_to="2020-06")
    pairs = (("plain", Filters()), ("filter", filt))
    totals = {}
    for q in QUERIES:  # warm up both paths: term caches, filter sets, the segmenter's lookups
        for name, f in pairs:
            for fast in (True, False):
                searcher.fast = fast
                totals[q, name] = searcher.search(q, f).total
            assert searcher.fast_fallback is None, (q, searcher.fast_fallback)
    timed = {name: {"fast": [], "ref": [], "hits": 0} for name, _ in pairs}
    per: dict[tuple, list[float]] = {}
    for _ in range(passes):
        for q in QUERIES:
            for name, f in pairs:
                for path in ("fast", "ref"):
                    searcher.fast = path == "fast"
                    t0 = time.perf_counter()
                    searcher.search(q, f)
                    t = time.perf_counter() - t0
                    timed[name][path].append(t)
                    per.setdefault((q, name, path), []).append(t)
    searcher.close()
    for name, _ in pairs:
        timed[name]["hits"] = sum(totals[q, name] for q in QUERIES) // len(QUERIES)
    records = count_records(root)
    broad = [
        (q, totals[q, "plain"], statistics.median(per[q, "plain", "ref"]), statistics.median(per[q, "plain", "fast"]))
        for q in QUERIES
        if totals[q, "plain"] >= 0.05 * records
    ]
    return timed, broad


def resident_rss(root: Path, env: dict, fast: bool) -> int:
    """Max RSS (KiB) of a process holding one Searcher that has run every query with and
    without the date filter (so the fast path's caches hold every term the queries use)."""
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); from run import QUERIES\n"
        "from kb.home import locate; from kb.search import Filters, Searcher\n"
        f"s = Searcher(locate({str(root)!r})); s.fast = {fast!r}\n"
        "f = Filters.make(date_from='2012', date_to='2020-06')\n"
        "for q in QUERIES:\n    s.search(q); s.search(q, f)\n"
    )
    _, rss, code_ = run_child([sys.executable, "-c", code], env)
    assert code_ == 0, "resident searcher failed"
    return rss


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="skip the one-process build reference")
    ap.add_argument(
        "--queries-only", action="store_true", help="only the query and memory figures (skip one-shot, build, re-index)"
    )
    ap.add_argument("--sizes", default="10000,50000,200000", help="generated corpora to query (comma-separated)")
    ap.add_argument(
        "--max-records", type=int, default=200_000, help="largest generated corpus to query (10000, 50000, 200000)"
    )
    args = ap.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(out / "cache")}
    env.pop("KB_HOME", None)
    kb = kb_cmd()
    rows: list[tuple[str, str, str, str, bool]] = []  # what, measured, target, reference, met

    if not args.queries_only:
        # -- one-shot search on the bundled corpus ---------------------------------------------
        bundled = out / "bundled"
        if bundled.exists():
            shutil.rmtree(bundled)
        shutil.copytree(REPO / "corpus", bundled / "corpus")
        subprocess.run([*kb, "--kb", str(bundled), "index"], check=True, env=env, stdout=subprocess.DEVNULL)
        search = [*kb, "--kb", str(bundled), "search", "科技自立自强"]
        ref = [sys.executable, "-c", "import jieba; jieba.lcut('科技')"]
        run_child(search, env)
        run_child(ref, env)
        s_times, r_times, s_rss, r_rss = [], [], [], []
        for _ in range(args.runs):  # interleaved, so both see the same load
            t, rss, code = run_child(search, env)
            assert code == 0, "kb search failed"
            s_times.append(t)
            s_rss.append(rss)
            t, rss, _ = run_child(ref, env)
            r_times.append(t)
            r_rss.append(rss)
        s_med, r_med = statistics.median(s_times), statistics.median(r_times)
        rows.append(
            (
                "one-shot `kb search 科技自立自强`, bundled corpus, new process",
                f"{s_med:.3f} s ({s_med / r_med:.2f}x ref)",
                "≤ 0.30 s and ≤ 0.40x ref",
                f"import jieba; lcut: {r_med:.3f} s",
                s_med <= 0.30 and s_med <= 0.4 * r_med,
            )
        )
        rss_med, ref_rss = statistics.median(s_rss), statistics.median(r_rss)
        rows.append(
            (
                "peak memory (max RSS) of one search",
                f"{rss_med / 1024:.1f} MiB",
                "report; ≤ jieba's dictionary",
                f"import jieba; lcut: {ref_rss / 1024:.1f} MiB",
                rss_med <= ref_rss,
            )
        )

    # -- queries at 10k, 50k (targets) and 200k: the fast path beside the reference -----------
    scale_rows: list[tuple] = []
    broad_rows: list[tuple] = []
    sizes = [int(n) for n in args.sizes.split(",") if int(n) <= args.max_records]
    for n in sizes:
        root = ensure_corpus(out, n)
        made = ensure_index(root, n, kb, env)
        timed, broad = time_queries(root, passes=2 if n > 50_000 else max(3, args.runs // 2))
        count = count_records(root)
        for name, label in (("plain", "no filter"), ("filter", "date filter")):
            f, r = timed[name]["fast"], timed[name]["ref"]
            scale_rows.append((count, label, r, f, timed[name]["hits"], made))
        for q, total, r, f in broad:
            broad_rows.append((count, q, total, r, f))
        if n == 50_000:
            for name, label, target in (
                ("filter", "in-process query, date filter (--from 2012 --to 2020-06)", 0.020),
                ("plain", "in-process query, no filter", 0.010),
            ):
                v, ref = timed[name]["fast"], timed[name]["ref"]
                rows.append(
                    (
                        f"{label}, {count} records",
                        f"p95 {pct(v, 0.95) * 1000:.1f} ms (p50 {pct(v, 0.5) * 1000:.1f})",
                        f"p95 ≤ {target * 1000:.0f} ms",
                        f"collector: p95 {pct(ref, 0.95) * 1000:.1f} ms (p50 {pct(ref, 0.5) * 1000:.1f})",
                        pct(v, 0.95) <= target,
                    )
                )
            ratios = [r_ / f_ for c, _q, _t, r_, f_ in broad_rows if c == count]
            if ratios:
                rows.append(
                    (
                        f"broad queries (≥ 5 % of records match), {count} records",
                        f"{min(ratios):.0f}x to {max(ratios):.0f}x faster than the collector",
                        "≥ 10x",
                        "median per query, same run (table below)",
                        min(ratios) >= 10,
                    )
                )
            rss_fast = resident_rss(root, env, fast=True)
            rss_ref = resident_rss(root, env, fast=False)
            rows.append(
                (
                    f"peak memory (max RSS) of a resident searcher, {count} records, every query run",
                    f"{rss_fast / 1024:.0f} MiB",
                    "report",
                    f"collector only: {rss_ref / 1024:.0f} MiB",
                    True,
                )
            )

    if not args.queries_only:
        # -- build and re-index at 10k ------------------------------------------------------------
        k10 = ensure_corpus(out, 10_000)
        n10 = count_records(k10)
        build = [*kb, "--kb", str(k10), "index", "--rebuild"]
        b_times = [run_child(build, env)[0] for _ in range(max(1, min(3, args.runs)))]
        b_med = statistics.median(b_times)
        if args.quick:
            ref_txt = "skipped (--quick)"
        else:
            one = [
                sys.executable,
                "-c",
                f"from kb import index; from kb.home import locate; index.build(locate({str(k10)!r}), procs=1)",
            ]
            ref_txt = f"one process: {run_child(one, env)[0]:.1f} s"
        rows.append(
            (f"full build, {n10} records, {os.cpu_count()} cores", f"{b_med:.1f} s", "≤ 20 s", ref_txt, b_med <= 20.0)
        )

        from kb import index as index_mod
        from kb.home import locate

        home = locate(k10)
        index_mod.ensure(home)
        target = next((k10 / "corpus" / "remarks").iterdir())
        original = target.read_text(encoding="utf-8")
        in_proc, cli = [], []
        try:
            for i in range(args.runs):
                target.write_text(original + f"# edit {i}a\n", encoding="utf-8")
                t0 = time.perf_counter()
                notice = index_mod.ensure(home).notice
                in_proc.append(time.perf_counter() - t0)
                assert notice == "索引已更新:修改 1 条", notice
                target.write_text(original + f"# edit {i}b\n", encoding="utf-8")
                t, _, code = run_child([*kb, "--kb", str(k10), "index"], env)
                assert code == 0
                cli.append(t)
        finally:
            target.write_text(original, encoding="utf-8")
            index_mod.ensure(home)
        u_med, c_med = statistics.median(in_proc), statistics.median(cli)
        rows.append(
            (
                f"re-index after one record changed, {n10} records",
                f"{c_med:.3f} s (`kb index`)",
                "≤ 1 s",
                f"in-process ensure(): {u_med:.3f} s; full build {b_med:.1f} s",
                c_med <= 1.0,
            )
        )

    print_table(rows)
    print()
    print("| records | queries | collector p50 / p95 | fast p50 / p95 | p95 speedup | hits avg | corpus and index |")
    print("|---|---|---|---|---|---|---|")
    for count, label, r, f, hits, made in scale_rows:
        print(
            f"| {count} | {label} | {pct(r, 0.5) * 1000:.1f} / {pct(r, 0.95) * 1000:.1f} ms "
            f"| {pct(f, 0.5) * 1000:.1f} / {pct(f, 0.95) * 1000:.1f} ms | {pct(r, 0.95) / pct(f, 0.95):.0f}x "
            f"| {hits} | {made} |"
        )
    print()
    print("| records | broad query | hits | collector | fast | speedup |")
    print("|---|---|---|---|---|---|")
    for count, q, total, r, f in broad_rows:
        print(f"| {count} | {q} | {total} | {r * 1000:.1f} ms | {f * 1000:.1f} ms | {r / f:.0f}x |")
    return 0 if all(r[4] for r in rows) else 1


def print_table(rows: list[tuple[str, str, str, str, bool]]) -> None:
    head = ("what", "measured", "target", "in-run reference", "met")
    body = [(a, b, c, d, "yes" if ok else "NO") for a, b, c, d, ok in rows]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in body:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    sys.exit(main())
