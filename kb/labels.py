"""The Chinese words kb prints for people, in one place.

Every face (terminal, web page, MCP tool text) says the same thing the same way: a search finds
"N 条结果", a hit's matched words are "命中", nothing found is "未找到", a hint starts "试试".
Ids, JSON keys, option names (--kind) and field names stay English; punctuation follows the
rest of kb's text views (ASCII , ; : and parentheses after Chinese text). Templates take
keyword arguments so a call site reads like the sentence it prints.
"""

from __future__ import annotations

# -- search ------------------------------------------------------------------------------------

HITS = "“{query}”共 {total} 条结果"
SHOWING = ",显示前 {shown} 条"
NO_HITS = "未找到“{query}”"
TRY = "试试:{hint}"
TRY_FEWER = "试试减少或缩短检索词,或去掉筛选条件"
MATCHED = "命中"
FACET_ZH = {"year": "年份", "kind": "类型", "topic": "主题", "people": "讲话人/发文机关"}

# Notices: how the query was changed before it was searched.
OPERATOR_IGNORED = "一侧没有检索词的运算符已忽略;实际检索:{query}"
SYNTAX_IGNORED = "未能理解查询语法,改为逐词检索:{words}"
SPACES_REMOVED = "带空格检索无结果;已去掉汉字之间的空格,改检索“{query}”"

# Suggestions after zero hits (kind: what a page links them to).
WITHOUT_FILTERS = "去掉筛选条件({filters}):{n} 条结果"
ALONE = "只搜“{word}”:{n} 条结果"
WITHOUT_EXACT = "去掉 --exact(用同义词扩展检索):{n} 条结果"

# -- timeline ----------------------------------------------------------------------------------

EMPTY_TIMELINE = "没有符合条件的记录;请放宽时间范围、去掉筛选条件,或加上 --kind statistic/reference"

# -- kb show -----------------------------------------------------------------------------------

VIA = "(来自事实清单 {via})"

# -- kb cite -----------------------------------------------------------------------------------

CITE_FOUND = {
    "quote": "在 {id} 的引语中找到“{phrase}”",
    "title": "在 {id} 的题名中找到“{phrase}”",
}
CITE_SEARCHED = "没有精确包含“{phrase}”的记录;按检索找到 {id}"
CITE_CANDIDATES = "“{query}”共 {total} 条记录匹配{shown}{how},最相关的在前;引用其中一条:kb cite ID"
CITE_BY_SEARCH = "(按检索,不是精确短语)"

# -- kb stats ----------------------------------------------------------------------------------

STATS_TOTAL = "共 {total} 条记录"
STATS_BY = {"kind": "按类型", "year": "按年份", "topic": "按主题", "people": "按讲话人/发文机关"}

# -- kb check and kb index (status lines) --------------------------------------------------------

CHECK_SUMMARY = "{records} 条记录有效;{errors} 个错误,{warnings} 个警告({where})"
INDEX_BUILT = "索引已建成:{records} 条记录({why})"
INDEX_UPDATED = "索引已更新:{what}"
INDEX_FRESH = "索引已是最新:{records} 条记录,位于 {where}"
# Why a full build happened.
INDEX_ASKED = "按要求重建"
INDEX_NONE = "尚无索引"
INDEX_SCHEMA = "索引结构已变"
INDEX_TOKENIZER = "分词器或其词典已变"
INDEX_TOPICS = "主题或来源文本已变"
INDEX_DAMAGED = "索引已损坏:{why}"
INDEX_BUILDING = "正在建立检索索引({why});建成后开始检索 …"
INDEX_PROGRESS = "{done}/{total} 条记录,{seconds:.0f} 秒"
INDEX_CHANGES = {"added": "新增 {n} 条", "changed": "修改 {n} 条", "removed": "删除 {n} 条"}
INDEX_NOT_UPDATED = "警告:语料有错误,索引未更新:{error}"
INDEX_STALE = "警告:索引无法更新({why});以上一份完好的索引作答,可能缺少最近的修改"
DISK_FULL = "磁盘已满"

# A speech's published title next to a quotation whose attribution is disputed: the title is the
# text's, and the disputed quotation may not be in it (kb show, kb cite).
TITLE_NOT_FOR_DISPUTED = "讲话全文的题目;第{n}条引语归属有争议,未必见于此文,见下文“核对”"
TITLE_NOT_FOR_CITED = "讲话全文的题目;归属存疑的引语未必见于此文"
