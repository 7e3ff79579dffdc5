"""Print recall@10 and MRR of kb search on the judged query set (tests/judged_queries.yaml).

    python bench/relevance.py [--verbose]
"""

from __future__ import annotations

import sys
from pathlib import Path

from kb.home import locate
from kb.relevance import evaluate, load_judged, summary
from kb.search import Searcher

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    judged = load_judged(REPO / "tests" / "judged_queries.yaml")
    with Searcher(locate(None)) as s:
        outcomes = evaluate(s, judged)
    figures = summary(outcomes)
    for o in outcomes:
        if o.recall < 1.0 or "--verbose" in sys.argv:
            print(f"{o.recall:5.2f}  rr {o.reciprocal_rank:4.2f}  {o.judged.query}  missing: {', '.join(o.missing) or '-'}")
    print(
        f"queries {figures['queries']} (judged {figures['judged']}): "
        f"recall@10 {figures['recall_at_10']:.3f}, MRR {figures['mrr']:.3f}, "
        f"all relevant in top 10: {figures['perfect']}/{figures['judged']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
