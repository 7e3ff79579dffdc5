"""Score `kb import` on real texts against hand-checked lists of their full dates.

    python bench/import_eval.py [--verbose] [DIR ...]
    python bench/import_eval.py --scale      # seconds to import synthetic inputs up to 4 MB

Each text `NAME.md` or `NAME.txt` in a folder has a `NAME.source.md` beside it whose section
"## Full dates" lists, one per line, `N. YYYY-MM-DD | actor(s) | what` — written by hand from
the text. A listed date counts as drafted when some draft gives that day and one of the listed
actors (speaker, body, issuers or organisers; names compared without spaces and punctuation,
one containing the other). An entry whose line says "not an event" (a page date) must get no
draft. A draft is wrong when its date is a day no entry lists with its actor, or a month or
year that the text's "## Partial dates" section does not name (as 2016年5月). Undated drafts
(a document named with its issuer but no date) are counted apart, not scored.

Default folders: ../shared/texts/import-dev (development) and tests/data/import-extra
(held out: found and hand-checked after the importer was written; see their .source.md).
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = Path(os.environ.get("KB_IMPORT_DEV") or ROOT.parent / "shared" / "texts" / "import-dev")
EXTRA = ROOT / "tests" / "data" / "import-extra"

_ENTRY = re.compile(r"^\s*\d+\.\s*(\d{4}-\d{2}-\d{2})\s*\|\s*([^|]+?)\s*\|\s*(.*)$")


@dataclass(frozen=True)
class Entry:
    day: str
    actors: tuple[str, ...]
    what: str
    event: bool  # False: a page date or the like, which must get no draft


@dataclass
class Score:
    name: str
    layout: str = ""
    listed: int = 0
    drafted: int = 0
    drafts: int = 0  # dated drafts scored
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    undated: int = 0

    @property
    def recall(self) -> float:
        return self.drafted / self.listed if self.listed else 1.0

    @property
    def wrong_share(self) -> float:
        return len(self.wrong) / self.drafts if self.drafts else 0.0


def norm(s: str) -> str:
    """A name for comparison: NFKC, traditional folded to simplified (as search folds them),
    no white space or punctuation, lower case."""
    from kb.text import fold

    return "".join(
        c
        for c in fold(unicodedata.normalize("NFKC", s))
        if not c.isspace() and not unicodedata.category(c).startswith("P")
    ).lower()


def _actors(field_: str) -> tuple[str, ...]:
    parts = re.split(r"[;,，、()（）]|\bwith\b|等", field_)
    out = []
    for p in parts:
        p = p.strip()
        if not p or p.startswith(("时任", "second", "see ")) or len(norm(p)) < 2:
            continue
        out.append(p)
    return tuple(out)


def read_list(source_md: Path) -> tuple[list[Entry], str]:
    """The hand-checked full dates of a text, and its partial-dates section as text."""
    text = source_md.read_text(encoding="utf-8")
    full = re.search(r"^## Full dates.*?$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    partial = re.search(r"^## Partial dates.*?$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    entries = []
    for line in (full.group(1) if full else "").splitlines():
        m = _ENTRY.match(line)
        if m:
            event = "not an event" not in line
            entries.append(Entry(m.group(1), _actors(m.group(2)), m.group(3), event))
    return entries, partial.group(1) if partial else ""


def _same(a: str, b: str) -> bool:
    x, y = norm(a), norm(b)
    if len(x) < 2 or len(y) < 2:
        return False
    return x in y or y in x


def draft_actors(data) -> list[str]:
    out = [data.get("speaker"), data.get("body")]
    out += list(data.get("issuers") or [])
    for note in data.get("notes") or []:
        m = re.match(r"^原文称由(.+)主办。$", note)
        if m:
            out += m.group(1).split("、")
    return [a for a in out if a]


def _partial_listed(value: str, partial: str) -> bool:
    y, _, rest = value.partition("-")
    if not rest:
        return bool(re.search(rf"{y}\s*年", partial))
    m = int(rest.split("-")[0])
    return bool(re.search(rf"{y}\s*年\s*{m}\s*[月—\-–]", partial))


def score_text(path: Path, corpus=None) -> Score:
    from kb.importer import clean, propose

    entries, partial = read_list(path.with_name(path.name.rsplit(".", 1)[0] + ".source.md"))
    doc = clean(path.read_text(encoding="utf-8"))
    drafts = [d for d in propose(doc, corpus, "eval") if d.kind in ("remark", "event", "policy")]
    sc = Score(path.name, doc.layout)
    positives = [e for e in entries if e.event]
    sc.listed = len(positives)
    for e in positives:
        if any(
            str(d.data.get("date") or "").split("/")[0] == e.day
            and any(_same(a, b) for a in draft_actors(d.data) for b in e.actors)
            for d in drafts
        ):
            sc.drafted += 1
        else:
            sc.missed.append(f"{e.day} {e.actors[0] if e.actors else ''}")
    for d in drafts:
        date = str(d.data.get("date") or "").split("/")[0]
        if not date:
            sc.undated += 1
            continue
        sc.drafts += 1
        who = draft_actors(d.data)
        if len(date) == 10:
            ok = any(e.event and e.day == date and any(_same(a, b) for a in who for b in e.actors) for e in entries)
        else:
            ok = _partial_listed(date, partial)
        if not ok:
            sc.wrong.append(f"{date} {'/'.join(who)} {d.data.get('title', '')[:30]}")
    return sc


def texts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix in (".md", ".txt") and not p.name.endswith(".source.md"))


def group(path: Path) -> str:
    """Which set a text belongs to, from the heading of its .source.md: development, or a
    held-out set (set 1 was tuned on after its first run; set 2 never was)."""
    head = path.with_name(path.name.rsplit(".", 1)[0] + ".source.md").read_text(encoding="utf-8").split("\n", 1)[0]
    if "held out, set 2" in head:
        return "held out, set 2 (untouched)"
    if "held out" in head:
        return "held out, set 1 (tuned on after its first run)"
    return "development"


def table(scores: list[Score]) -> str:
    lines = [
        "| text | layout | listed full dates | drafted right (date + actor) | missed | dated drafts | wrong | undated |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.name[:48]} | {s.layout} | {s.listed} | {s.drafted} ({s.recall:.0%}) | {len(s.missed)} | "
            f"{s.drafts} | {len(s.wrong)} ({s.wrong_share:.0%}) | {s.undated} |"
        )
    t = Score("all", "", sum(s.listed for s in scores), sum(s.drafted for s in scores), sum(s.drafts for s in scores))
    t.wrong = [w for s in scores for w in s.wrong]
    t.undated = sum(s.undated for s in scores)
    lines.append(
        f"| **all** | | {t.listed} | {t.drafted} ({t.recall:.1%}) | {t.listed - t.drafted} | {t.drafts} | "
        f"{len(t.wrong)} ({t.wrong_share:.1%}) | {t.undated} |"
    )
    return "\n".join(lines)


SCALE_UNITS = {
    # one endless paragraph of dated clauses (no sentence stop): the worst case for the rules
    "one paragraph, a date every 40 characters": "2016年5月30日,国务院印发《规划》,同年6月1日科技部发布《通知》,",
    # a chronology of one-line entries: a draft per line
    "a dated line every 40 characters": "2016年5月30日,国务院印发《规划》。\n",
    # the bundled chapter's PDF layout, repeated
    "the PDF chapter repeated": None,
}


def scale(sizes_mb: tuple[float, ...] = (0.25, 1.0, 4.0)) -> None:
    """Seconds to clean and propose synthetic inputs up to kb import's 4 MB cap: linear."""
    import time

    from kb.importer import clean, propose

    chapter = (ROOT.parent / "shared" / "source" / "chapter-01.txt", ROOT / "corpus" / "sources" / "chapter-01.txt")
    print("| input | MB | clean s | propose s | drafts |\n|---|---|---|---|---|")
    for name, unit in SCALE_UNITS.items():
        if unit is None:
            path = next((p for p in chapter if p.exists()), None)
            if path is None:
                continue
            unit = path.read_text(encoding="utf-8")
        for mb in sizes_mb:
            n = max(1, int(mb * 2**20 / len(unit.encode())))
            text = unit * n
            t = time.perf_counter()
            doc = clean(text)
            t1 = time.perf_counter()
            drafts = propose(doc, None, "x")
            t2 = time.perf_counter()
            print(f"| {name} | {len(text.encode()) / 2**20:.2f} | {t1 - t:.2f} | {t2 - t1:.2f} | {len(drafts)} |")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    if "--scale" in argv:
        scale()
        return 0
    verbose = "--verbose" in argv
    folders = [Path(a) for a in argv if not a.startswith("--")] or [DEV, EXTRA]
    for folder in folders:
        if not folder.is_dir():
            print(f"{folder}: not found", file=sys.stderr)
            continue
        groups: dict[str, list[Score]] = {}
        for p in texts(folder):
            groups.setdefault(group(p), []).append(score_text(p))
        for name, scores in groups.items():
            print(f"## {folder.name}: {name}\n")
            print(table(scores))
            if verbose:
                for s in scores:
                    for m in s.missed:
                        print(f"  missed {s.name}: {m}")
                    for w in s.wrong:
                        print(f"  wrong  {s.name}: {w}")
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
