"""Generate a synthetic knowledge base of any size, for benchmarks and scale tests.

    python bench/gen_corpus.py DIR --records 10000 [--seed 1]

writes DIR/corpus, which `kb --kb DIR check` validates. The records are of every kind
(remarks, events, policies, statistics, references) in the proportions a research group's
corpus has; their dates spread over 1978–2025 at every precision (year, month, day and
intervals) and a few are undated. Their Chinese text is made of the real chapter's sentences
and of words from jieba's own dictionary; every quotation is a verbatim piece of the real
chapter (topics.yaml, dictionary.txt, synonyms.yaml and the sources are copied from the
bundled corpus), and each reference's footnote is verbatim in a generated bibliography
source. The same seed and size always give the same files.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
REAL = REPO / "corpus"

# Share of each kind among generated records (sources are copied, plus one bibliography).
MIX = (("remark", 0.35), ("event", 0.10), ("policy", 0.25), ("statistic", 0.15), ("reference", 0.15))
DIRS = {
    "remark": "remarks",
    "event": "events",
    "policy": "policies",
    "statistic": "statistics",
    "reference": "references",
}
BIB_ID = "syn-bibliography"

SPEAKERS = (
    "习近平",
    "李强",
    "丁薛祥",
    "王志刚",
    "阴和俊",
    "怀进鹏",
    "侯建国",
    "万钢",
    "白春礼",
    "李克强",
    "刘鹤",
    "陈吉宁",
)
ROLES = ("总书记", "国务院总理", "国务院副总理", "科技部部长", "中国科学院院长", "教育部部长", "省委书记")
OCCASIONS = (
    "两院院士大会",
    "全国科技创新大会",
    "科学家座谈会",
    "中央全面深化改革委员会会议",
    "中央政治局集体学习",
    "中关村论坛",
    "全国人民代表大会",
    "中央经济工作会议",
    "中央财经委员会会议",
    "国家科学技术奖励大会",
    "企业家座谈会",
    "考察调研",
    "全国政协会议",
    "中国科协全国代表大会",
)
PLACES = ("北京", "上海", "深圳", "合肥", "武汉", "杭州", "石家庄", "天津", "广州", "成都", "西安", "雄安新区")
BODIES = (
    "中共中央政治局",
    "国务院常务会议",
    "中央全面深化改革委员会",
    "全国人民代表大会常务委员会",
    "中央科技委员会",
    "中央财经委员会",
)
ISSUERS = (
    "国务院",
    "国务院办公厅",
    "中共中央办公厅",
    "科技部",
    "教育部",
    "财政部",
    "国家发展改革委",
    "工业和信息化部",
    "国家知识产权局",
    "河北省人民政府",
    "河北省科技厅",
    "北京市人民政府",
    "天津市人民政府",
    "广东省人民政府",
)
REGIONS = ("全国", "全国", "全国", "河北", "北京", "天津", "上海", "广东", "江苏", "浙江", "安徽", "湖北")
ORGS = ("国办发", "国发", "国科发", "财教", "冀政办字", "京政发", "津政发", "粤府")
POLICY_FORMS = ("若干意见", "实施意见", "行动方案", "若干措施", "管理办法", "指导意见", "实施方案", "工作规划")
VALIDITY = ("现行有效", "已修订", "已废止", "未知")
UNITS = ("万项", "亿元", "万亿元", "%", "万篇", "项", "种", "位", "亿美元", "万人")
JOURNALS = (
    "科研管理",
    "中国科技论坛",
    "科技管理研究",
    "管理世界",
    "经济问题",
    "中国软科学",
    "科学学研究",
    "科学学与科学技术管理",
    "研究与发展管理",
    "中国高校科技",
    "经济研究",
    "社会科学战线",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏宇浩凯晨欣怡子涵思远志国海燕"


class Words:
    """Chinese building blocks: the chapter's sentences and jieba dictionary words by tag."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        chapter = (REAL / "sources" / "chapter-01.txt").read_text(encoding="utf-8")
        self.squashed = "".join(chapter.split())
        sentences = [s + "。" for s in self.squashed.split("。") if 12 <= len(s) <= 160]
        self.sentences = [s for s in sentences if _clean(s)]
        clauses = re.split(r"[,,;;。]", self.squashed)
        self.clauses = [c for c in clauses if 6 <= len(c) <= 40 and _clean(c)]
        import jieba

        dict_path = Path(jieba.__file__).parent / "dict.txt"
        nouns, verbs = [], []
        with open(dict_path, encoding="utf-8") as fh:
            for line in fh:
                w, f, tag = line.split()
                if int(f) < 1000 or not 2 <= len(w) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in w):
                    continue
                if tag in ("n", "vn", "nz"):
                    nouns.append(w)
                elif tag == "v":
                    verbs.append(w)
        self.nouns, self.verbs = nouns, verbs

    def noun(self) -> str:
        return self.rng.choice(self.nouns)

    def phrase(self) -> str:
        """A short verb-object phrase: 推进 + 产业 + 协同."""
        return self.rng.choice(self.verbs) + self.noun() + self.noun()

    def sentence(self) -> str:
        return self.rng.choice(self.sentences)

    def quote(self) -> str:
        """A verbatim piece of the chapter: a sentence, or a clause of one."""
        return self.sentence() if self.rng.random() < 0.6 else self.rng.choice(self.clauses)

    def composed(self, n: int = 2) -> str:
        parts = [self.phrase() for _ in range(n)]
        return ",".join(parts) + "。"


def _clean(s: str) -> bool:
    """Sentences without footnote markers or odd characters, which would look broken."""
    return not re.search(r"[①-⑳\[\]{}#*|]", s)


def _date(rng: random.Random, lo: int = 1978, hi: int = 2025) -> str | None:
    y = rng.randint(lo, hi)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    r = rng.random()
    if r < 0.01:
        return None
    if r < 0.15:
        return f"{y}"
    if r < 0.35:
        return f"{y}-{m:02d}"
    if r < 0.90:
        return f"{y}-{m:02d}-{d:02d}"
    if r < 0.96:
        return f"{y}-{m:02d}-{d:02d}/{y}-{m:02d}-{min(28, d + rng.randint(1, 5)):02d}"
    if r < 0.98:
        return f"{y}-{m:02d}/{y}-{min(12, m + rng.randint(1, 3)):02d}"
    return f"{y}/{min(hi, y + rng.randint(1, 4))}"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def generate(out: Path, n: int, seed: int = 1) -> list[str]:
    """Write DIR/corpus with `n` generated records (plus the copied sources); return their ids."""
    rng = random.Random(seed)
    words = Words(rng)
    topics = list(yaml.safe_load((REAL / "topics.yaml").read_text(encoding="utf-8"))["topics"])
    corpus = out / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    for name in ("topics.yaml", "dictionary.txt", "synonyms.yaml", "aliases.yaml"):
        if (REAL / name).exists():
            shutil.copy(REAL / name, corpus / name)
    shutil.copytree(REAL / "sources", corpus / "sources")
    for p in (corpus / "sources").iterdir():
        p.chmod(0o644)
    for d in DIRS.values():
        (corpus / d).mkdir()

    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    plan = rng.choices(kinds, weights, k=n)
    ids: list[str] = []
    bib: list[str] = []
    dump = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for i, kind in enumerate(plan):
        date = _date(rng)
        rid = f"syn-{kind}-{i:06d}"
        rec = _record(rng, words, kind, rid, date, topics, ids, bib)
        text = yaml.dump(rec, Dumper=dump, allow_unicode=True, sort_keys=False, width=10_000)
        (corpus / DIRS[kind] / f"{rid}.yaml").write_text(text, encoding="utf-8")
        ids.append(rid)
    (corpus / "sources" / f"{BIB_ID}.txt").write_text("\n".join(bib) + "\n", encoding="utf-8")
    src = {
        "id": BIB_ID,
        "kind": "source",
        "date": None,
        "title": "生成的参考文献表",
        "title_is_label": True,
        "topics": [topics[0]],
        "source": {"record": BIB_ID, "section": "全文"},
        "text_file": f"{BIB_ID}.txt",
        "notes": ["bench/gen_corpus.py 生成:每条文献的著录原文,供 raw 字段逐字核对。"],
    }
    (corpus / "sources" / f"{BIB_ID}.yaml").write_text(
        yaml.dump(src, Dumper=dump, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return ids


def _record(
    rng: random.Random,
    w: Words,
    kind: str,
    rid: str,
    date: str | None,
    topics: list[str],
    ids: list[str],
    bib: list[str],
) -> dict:
    year = int(date[:4]) if date else rng.randint(1978, 2025)
    rec: dict = {"id": rid, "kind": kind, "date": date}
    section = f"1.{rng.randint(1, 3)}"
    if kind in ("remark", "event"):
        speaker = rng.choice(SPEAKERS)
        occasion = rng.choice(OCCASIONS)
        if kind == "remark":
            rec["title"] = f"{speaker}在{occasion}上的讲话"
        else:
            rec["title"] = f"{occasion}部署{w.noun()}{w.noun()}工作"
        rec["title_is_label"] = True
        if kind == "remark" or rng.random() < 0.3:
            rec["speaker"] = speaker
            if rng.random() < 0.6:
                rec["speaker_role"] = rng.choice(ROLES)
        if kind == "event":
            rec["body"] = rng.choice(BODIES)
        rec["occasion"] = occasion
        if rng.random() < 0.5:
            rec["place"] = rng.choice(PLACES)
    elif kind == "policy":
        form = rng.choice(POLICY_FORMS)
        rec["title"] = f"关于{w.phrase()}的{form}"
    elif kind == "statistic":
        indicator = f"{w.noun()}{w.noun()}"
        rec["title"] = f"{year}年{indicator}"
        rec["title_is_label"] = True
    else:
        rec["title"] = f"{w.noun()}{w.noun()}视角下的{w.phrase()}研究"
        rec["title_is_label"] = False
    rec["topics"] = rng.sample(topics, rng.randint(1, 3))
    rec["source"] = {"record": BIB_ID if kind == "reference" else "chapter-01", "section": section}

    if kind in ("remark", "event"):
        rec["quotes"] = [
            {"text": w.quote(), "form": rng.choice(("direct", "reported"))} for _ in range(rng.randint(1, 3))
        ]
    elif kind == "policy":
        rec["issuers"] = rng.sample(ISSUERS, rng.randint(1, 2))
        if rng.random() < 0.6:
            rec["doc_number"] = f"{rng.choice(ORGS)}〔{year}〕{rng.randint(1, 120)}号"
        rec["region"] = rng.choice(REGIONS)
        rec["validity"] = rng.choice(VALIDITY)
        if date and rng.random() < 0.5:
            rec["history"] = [{"date": date.split("/")[0], "event": "印发"}]
        if rng.random() < 0.5:
            rec["structure"] = [f"{w.noun()}:{w.phrase()}" for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.4:
            rec["targets"] = [f"到{year + 5}年:{w.noun()}{rng.randint(2, 500)}个" for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.1:
            rec["identified"] = False
        if rng.random() < 0.5:
            rec["quotes"] = [{"text": w.quote(), "form": "reported"}]
    elif kind == "statistic":
        rec["indicator"] = rec["title"][len(f"{year}年") :]
        unit = rng.choice(UNITS)
        rec["value"] = rng.randint(1, 200) if unit == "位" else round(rng.uniform(0.5, 5000), 2)
        rec["unit"] = unit
        rec["year"] = year
        rec["region"] = rng.choice(REGIONS)
        if rng.random() < 0.4:
            rec["comparison"] = {"base_year": year - rng.randint(1, 10), "change": f"+{rng.uniform(1, 90):.2f}%"}
        rec["quote"] = w.quote()
    else:
        authors = [_person(rng) for _ in range(rng.randint(1, 4))]
        journal = rng.choice(JOURNALS)
        vol, issue = rng.randint(1, 45), rng.randint(1, 12)
        p1 = rng.randint(1, 150)
        pages = f"{p1}-{p1 + rng.randint(3, 20)}"
        raw = f"{','.join(authors)}.{rec['title']}[J].{journal},{year},{vol}({issue}):{pages}."
        bib.append(raw)
        rec.update(
            authors=authors,
            authors_truncated=False,
            type_code="J",
            journal=journal,
            year=year,
            volume=str(vol),
            issue=str(issue),
            pages=pages,
            raw=raw,
            anchor={"marker": rng.choice("①②③④⑤"), "text": raw[: rng.randint(8, 20)]},
        )
    if rng.random() < 0.8:
        rec["summary"] = w.sentence() if rng.random() < 0.5 else w.composed(rng.randint(2, 4))
    if date is None or rng.random() < 0.3:
        rec["notes"] = [w.composed(rng.randint(1, 3))] + (["日期不详:来源未给出日期。"] if date is None else [])
    if rng.random() < 0.15:
        rec["checked"] = [
            {
                "field": "date",
                "status": rng.choice(("confirmed", "refined")),
                "evidence": "新华社报道(转载)",
                "via": "official-facts",
            }
        ]
    if ids and rng.random() < 0.3:
        rec["related"] = sorted(set(rng.sample(ids, min(len(ids), rng.randint(1, 3)))))
    return rec


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="the knowledge base to write (DIR/corpus is replaced)")
    ap.add_argument("--records", "-n", type=int, default=10_000, help="how many records (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    ids = generate(args.dir, args.records, args.seed)
    print(f"{args.dir / 'corpus'}: {len(ids)} records (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
