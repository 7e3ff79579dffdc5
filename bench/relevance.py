"""Print recall@10, MRR and "complete" of kb search on the judged query set
(tests/judged_queries.yaml), per class of writer's query and overall, and the synonyms and
aliases that find nothing (dead).

    python bench/relevance.py [--verbose]
"""

from __future__ import annotations

import sys
from pathlib import Path

from kb.home import locate
from kb.relevance import by_class, evaluate, load_judged, summary, synonym_report
from kb.search import Searcher

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    judged = load_judged(REPO / "tests" / "judged_queries.yaml")
    with Searcher(locate(None)) as s:
        outcomes = evaluate(s, judged)
        report = synonym_report(s)
    for o in outcomes:
        if not o.complete or "--verbose" in sys.argv:
            why = []
            if o.missing:
                why.append(f"missing: {', '.join(o.missing)}")
            if not o.first_ok:
                why.append(f"first: {o.found[0] if o.found else '-'} (want {o.judged.first})")
            if o.unmarked:
                why.append(f"not marked disputed: {', '.join(o.unmarked)}")
            if o.judged.none and o.total:
                why.append(f"{o.total} hit(s), want none")
            via = f" (via did-you-mean {o.followed})" if o.followed else ""
            print(
                f"{o.recall:5.2f}  rr {o.reciprocal_rank:4.2f}  [{o.judged.cls}] {o.judged.query}{via}  {'; '.join(why) or 'ok'}"
            )
    print(f"{'class':<14}{'queries':>8}{'recall@10':>11}{'MRR':>7}{'complete':>10}")
    rows = list(by_class(outcomes).items()) + [("all", summary(outcomes))]
    for name, f in rows:
        print(
            f"{name:<14}{f['queries']:>8}{f['recall_at_10']:>11.3f}{f['mrr']:>7.3f}{f['complete']:>6}/{f['queries']:<3}"
        )
    figures = summary(outcomes)
    print(
        f"queries {figures['queries']} (judged {figures['judged']}): "
        f"recall@10 {figures['recall_at_10']:.3f}, MRR {figures['mrr']:.3f}, "
        f"all relevant in top 10: {figures['perfect']}/{figures['judged']}"
    )
    dead = report.dead
    print(
        f"synonyms and aliases: {len(report.counts)} words, dead (find nothing): {', '.join(dead) if dead else 'none'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
