"""The general answerer: read the one value a question asks for, wherever it is printed.

Every record — a project's money, an indicator row, a form row (联系电话 …), a budget-table
figure, a prose sentence — is ranked by how well its owner and label path cover the
question's words (:mod:`qa.evidence.match`). The best record answers when it covers the
question; words it leaves out may be covered by another record of the same owner (谁牵头、
电话多少 → 项目负责人 and 联系电话 of one project). When no record covers the question's
key words, the answer is 未找到 with the nearest records — never another topic's figure.
The first sentence states the figure and its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import compact

from ..context import QAContext
from ..evidence.fits import adjusted, measure_fits, money_asked, rank
from ..evidence.match import Fit, Key, covered, fit, question_key, share, uncovered, union
from ..evidence.records import Record, grouped_records
from ..question import Understanding
from ..sources import Sources
from .format import project_amount, wan
from .lookup import answer_lookup
from .schema import Answer, FactItem, IndicatorItem, ProjectItem, SourceItem
from .scope import other_project_word, places_not_in_corpus

MIN_COVERAGE = 0.72
LOOKUP_SLACK = 0.15
MIN_ASK = 0.6
SECOND_MIN_GAIN = 0.08
UNPRINTED_WORD = 4  # chars of the key the records do not print (a word of another project)
NEAREST = 3
_COUNT_LABEL = re.compile(r"(?:次数|人数|人次|个数|户数|天数|数量|率)[%％]?$")
_CHANGE = re.compile(r"增加|减少|增长|下降|多了|少了|压减|压了|上升|降低|变化|增减|比上年|比去年")
_PROSE_FIGURE = re.compile(
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>亿元|万元|千元|元|万人次|万人|人次|人|个|名|辆|家|项|%|％)"
)


@dataclass(frozen=True)
class Reading:
    """The records that answer a question and how well they cover it."""

    fits: tuple[Fit, ...]
    key: Key
    coverage: float
    ask: float = 1.0

    @property
    def best(self) -> Fit:
        return self.fits[0]


def read(
    ctx: QAContext, u: Understanding, kinds: tuple[str, ...] = (), where=None
) -> Reading | None:
    """The best records for a question, with the records of the same owner that cover what
    it leaves out (谁牵头、电话多少) or that answer the same words equally (开始日期 and
    结束日期 of 执行期从哪天到哪天)."""
    key = key_of(ctx, u)
    if not key.text:
        return None  # nothing to match (？？？, 的的的的)
    ranked = rank(ctx, u, kinds, key, where)
    if not ranked:
        return None
    best = ranked[0]
    chosen = [best]
    marks, labels = _full(best.marks), best.label_marks
    for other in ranked[1:40] if best.record.kind != "sentence" else ():
        if not _same_owner(other.record, best.record) or other.record.kind != best.record.kind:
            continue
        joined = union(labels, _full(other.label_marks))
        gain = _asked_share(best, joined) - _asked_share(best, labels)
        if gain >= SECOND_MIN_GAIN or _twin(other, best, ctx) or _named_value(other, u):
            chosen.append(other)
            marks, labels = union(marks, _full(other.marks)), joined
        if len(chosen) >= 4:
            break
    coverage = max(best.coverage, share(marks)) if marks else 1.0
    return Reading(tuple(chosen), key, coverage, max(best.ask, _asked_share(best, labels)))


def _asked_share(best: Fit, labels: tuple[float, ...]) -> float:
    """How much of what the best record's owner leaves open the chosen labels cover."""
    if not best.asked:
        return 1.0
    return sum(labels[i] for i in best.asked) / len(best.asked)


def _full(marks: tuple[float, ...]) -> tuple[float, ...]:
    """Only what a record covers outright (two printed characters or a lexicon term)."""
    return tuple(1.0 if m >= 1.0 else 0.0 for m in marks)


def _in_form_asked(u: Understanding, record: Record) -> bool:
    """The record's value is in the form the question asks: a count or size in its unit
    (多少人 is not answered by an amount), money as a printed figure (一年预算多少钱 is not
    answered by 全年)."""
    if not measure_fits(u, record.value, record.unit):
        return False
    if not money_asked(u.question):
        return True
    return bool(re.search(r"\d", record.value or "")) and not _counts(record)


def _counts(record: Record) -> bool:
    """An indicator row that counts rather than prices: its value in a unit that is not money
    (≥30件), or no unit and a label naming a count (救护车出车次数 4500) — never the answer to
    经费是多少 (wrong-topic family)."""
    if record.kind != "indicator":
        return False
    unit = record.unit or ""
    if unit:  # 1.2万/人/年 is money in 万元 per person (≥1万 and 万人次 are counts)
        return "元" not in unit and not re.match(r"[万亿]/", unit)
    return bool(_COUNT_LABEL.search(record.source.level3 or ""))


def _unprinted_run(fits) -> int:
    """The longest run of the question's key that no chosen table record prints as words
    (0 for prose: a sentence is asked about in the asker's own words)."""
    if any(f.record.kind == "sentence" for f in fits):
        return 0
    marks = union(*(f.marks for f in fits))
    longest = run = 0
    for mark in marks:
        run = run + 1 if mark == 0.0 else 0
        longest = max(longest, run)
    return longest


def _term_missing(reading: Reading) -> bool:
    """A lexicon term of the question (联系电话, 负责人) the chosen records do not print."""
    marks = union(*(f.marks for f in reading.fits))
    return any(
        not all(marks[i] >= 1.0 for i in range(start, end)) for start, end, _ in reading.key.terms
    )


def _named_value(other: Fit, u: Understanding) -> bool:
    """A form row whose printed value the question names as a choice (算新增项目还是延续的 →
    项目类型 新增项目): its value answers the question even when its label is not asked."""
    value = compact(other.record.value or "")
    return other.record.kind == "field" and 2 <= len(value) <= 12 and value in compact(u.question)


def _twin(other: Fit, best: Fit, ctx: QAContext) -> bool:
    """Two form rows whose labels are one lexicon concept and that fit the question equally
    (开始日期 / 结束日期 for 执行期)."""
    if other.record.kind != "field" or abs(other.score - best.score) > 0.02:
        return False
    mine = {c.name for _, c in ctx.lexicon.concepts_in(best.record.label)}
    theirs = {c.name for _, c in ctx.lexicon.concepts_in(other.record.label)}
    return bool(mine & theirs)


def key_of(ctx: QAContext, u: Understanding) -> Key:
    """The question's key, without places that name no region of the corpus."""
    return question_key(u, ctx.lexicon, places=places_not_in_corpus(ctx, u))


def _same_owner(a: Record, b: Record) -> bool:
    if a.project_id or b.project_id:
        return a.project_id == b.project_id
    return a.doc == b.doc and a.owner == b.owner


def answers(reading: Reading, u: Understanding | None = None) -> bool:
    """True when the records cover the question well enough to answer it, in the unit it
    asks for (多少人 is not answered by an amount)."""
    best = reading.best
    if u is not None and not _in_form_asked(u, best.record):
        return False
    if _unprinted_run(reading.fits) >= UNPRINTED_WORD:
        return False  # 嘉峪关博物馆提升改造项目: no record prints 提升改造 — another project
    if best.record.kind == "sentence" and _term_missing(reading):
        return False  # a sentence about the project that prints no 联系电话 does not give it
    return reading.coverage >= MIN_COVERAGE and reading.ask >= MIN_ASK and bool(best.record.value)


def answer_general(ctx: QAContext, u: Understanding) -> Answer | None:
    """The value a question asks for, from whatever record prints it, or None."""
    reading = read(ctx, u)
    if reading is None or not answers(reading, u) or _names_another(ctx, u, reading.fits):
        return None
    return compose(ctx, u, reading)


def _names_another(ctx: QAContext, u: Understanding, fits) -> bool:
    """The question names another project than the records' (wrong-topic family)."""
    key = key_of(ctx, u)
    return bool(key.text) and other_project_word(ctx, u, key, fits) is not None


def answer_checked_lookup(ctx: QAContext, u: Understanding) -> Answer | None:
    """A project amount or indicator value (the lookup ranking), kept only when its record
    covers the question as well as the best record of any kind; else the general answer.

    The lookup ranking knows projects and indicator rows well (name overlap, batch words,
    carry-over); the general reading knows every kind of record and when nothing fits. The
    lookup's pick must pass the same coverage test, so it never answers another topic.
    """
    reading = read(ctx, u)
    looked = answer_lookup(ctx, u)
    picked = _fit_of(ctx, u, reading, looked) if looked is not None and reading else None
    general_ok = (
        reading is not None and answers(reading, u) and not _names_another(ctx, u, reading.fits)
    )
    if picked is not None and covers(ctx, u, picked):
        if not general_ok or picked.score >= reading.best.score - LOOKUP_SLACK:
            return looked
    if general_ok:
        return compose(ctx, u, reading)
    return None


def _fit_of(ctx: QAContext, u: Understanding, reading: Reading, answer: Answer) -> Fit | None:
    """How the record an answer states first fits the question."""
    if answer.intent == "indicator_value" and answer.indicators:
        first = answer.indicators[0]
        wanted = ("indicator", first.doc, first.line)
    elif answer.projects:
        first = answer.projects[0]
        wanted = ("amount", first.doc, first.project_id)
    else:
        return None
    record = grouped_records(ctx.store).placed(*wanted)  # not a pass over every record
    return None if record is None else fit_of_record(ctx, u, reading.key, record)


def fit_of_record(ctx: QAContext, u: Understanding, key: Key, record: Record) -> Fit:
    """How one record fits the question, as the general ranking would score it."""
    vector = ctx.searcher.query_vector(u.question)
    dense = float(ctx.similarities(vector, [record.chunk or record.id])[0])
    return adjusted(u, fit(key, record, dense))


def covers(ctx: QAContext, u: Understanding, picked: Fit) -> bool:
    """A record picked by name (the lookup's) covers the question as an answer must: in the
    form asked, printing the question's words, naming no other project."""
    return (
        _in_form_asked(u, picked.record)
        and _unprinted_run((picked,)) < UNPRINTED_WORD
        and not _names_another(ctx, u, (picked,))
        and picked.coverage >= MIN_COVERAGE
        and picked.ask >= MIN_ASK
    )


def not_found_general(ctx: QAContext, u: Understanding) -> Answer:
    """未找到, naming what the nearest records are (each cited)."""
    reading = read(ctx, u)
    sources = Sources.of(ctx.store)
    nearest = []
    if reading is not None:
        for item in rank(ctx, u, key=reading.key)[:NEAREST]:
            record = item.record
            nearest.append(f"{_describe(record)}（{sources.cite(record.doc, record.line)}）")
    missing = ""
    if reading is not None:
        gap = uncovered(reading.key, reading.best.marks)
        if gap:
            missing = f"文件中没有与“{gap}”对应的内容"
    text = f"未找到：{missing or '现有文件中没有直接对应的记录'}。"
    if nearest:
        text += "最接近的有：\n" + "\n".join(f"- {n}" for n in nearest)
    return Answer(
        question=u.question, intent=u.intent, text=text, found=False, nearest=tuple(nearest)
    )


# ---------------------------------------------------------------- composing
def compose(ctx: QAContext, u: Understanding, reading: Reading) -> Answer:
    """The answer text (figure first, then its source) and the records behind it."""
    sources = Sources.of(ctx.store)
    records = [f.record for f in reading.fits]
    first = records[0]
    cite = sources.cite(first.doc, first.line)
    statements = [_statement(f.record, reading.key, f.asked) for f in reading.fits]
    # one owner: 的开始日期：…，结束日期：… (the 的 once)
    stated = "，".join([statements[0], *(t.removeprefix("的") for t in statements[1:])])
    owner = _owner(first)
    text = f"{owner}{stated}（见{cite}）。"
    return Answer(
        question=u.question,
        intent=_intent(first),
        text=text,
        projects=tuple(_projects(ctx, records)),
        indicators=tuple(IndicatorItem.of(r.source) for r in records if r.kind == "indicator"),
        facts=tuple(FactItem.of(r.source) for r in records if r.kind == "fact"),
        sources=tuple(_source_item(r) for r in records if r.kind in ("field", "sentence", "plan")),
        value=first.number,
        unit=first.unit,
    )


def _owner(record: Record) -> str:
    region = record.region or ""
    if record.kind in ("amount", "indicator", "field") and record.project_id:
        return f"{region}“{record.owner}”"
    if record.kind == "fact":
        return f"{region}{record.department or ''}{record.owner or ''}中"
    if record.kind == "plan":
        return f"{region}{record.department or record.owner}部门整体"
    if record.kind == "sentence":
        return f"{region}{record.department or ''}"
    return f"{region}{record.owner or ''}"


def _statement(record: Record, key: Key, asked: tuple[int, ...] = ()) -> str:
    if record.kind == "amount":
        return f"{record.year or ''}年度资金为{project_amount(record.source)}"
    if record.kind == "plan":
        return f"预算为{wan(record.number)}" if record.number is not None else "金额未列"
    if record.kind == "indicator":
        row = record.source
        return f"的指标“{row.level3 or row.level2}”目标值为 {row.value}"
    if record.kind == "field":
        return f"的{record.label.rstrip(':：')}：{record.value}"
    if record.kind == "fact":
        unit = "" if record.value.endswith(record.unit or "~") else record.unit or ""
        return f"“{record.label}”为{record.value}{unit}"
    figure = prose_figure(record.value, key, bool(_CHANGE.search(key.text)), asked)
    quote = record.value if len(record.value) <= 200 else record.value[:200] + "…"
    return f"{figure}（原文：“{quote}”）" if figure else f"说明中写道：“{quote}”"


def prose_figure(
    sentence: str, key: Key, change: bool = False, asked: tuple[int, ...] = ()
) -> str | None:
    """The figure of a sentence the question asks about: the one whose preceding words best
    cover the question's words (its ``asked`` ones when given: 其他收入, not the 财政局 whose
    sentence it is); for a change asked (比上年多了多少), a changed amount
    (``比上年预算减少97万元``)."""
    best, best_score = None, -1.0
    for match in _PROSE_FIGURE.finditer(sentence):
        before = sentence[max(0, match.start() - 16) : match.start()]
        marks = covered(key, before) if key.text else []
        score = share([marks[i] for i in asked] if asked else marks) if marks else 0.0
        if change:
            score += (
                1.0 if _CHANGE.search(sentence[max(0, match.start() - 8) : match.start()]) else 0.0
            )
        if score > best_score:
            best, best_score = match.group(0), score
    return best


def _describe(record: Record) -> str:
    if record.kind == "amount":
        return f"“{record.owner}”年度资金 {record.value or '未列'}"
    if record.kind == "sentence":
        return record.value[:40]
    return f"{record.owner or ''} {record.label[:30]} {record.value[:30]}".strip()


def _intent(record: Record) -> str:
    return {"amount": "amount_lookup", "indicator": "indicator_value"}.get(record.kind, "lookup")


def _projects(ctx: QAContext, records: list[Record]) -> list[ProjectItem]:
    out: list[ProjectItem] = []
    for record in records:
        project = ctx.store.projects.get(record.project_id or "")
        if project is not None and all(p.project_id != project.id for p in out):
            out.append(ProjectItem.of(project))
    return out


def _source_item(record: Record) -> SourceItem:
    return SourceItem(
        kind=record.kind,
        label=record.label,
        value=record.value,
        doc=record.doc,
        line=record.line,
        page=record.page,
        owner=record.owner,
        region=record.region,
    )


__all__ = [
    "Reading",
    "answer_general",
    "answers",
    "compose",
    "covers",
    "fit_of_record",
    "not_found_general",
    "read",
]
