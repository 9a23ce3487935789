"""Which table sets the highest or lowest target for an indicator, or which department's
budget table prints the highest or lowest figure: compare the numbers of the matching rows
(not project money), operator-aware, in one unit.

The compared concept is the question's key without the words that frame the comparison
(:attr:`~qa.question.Understanding.comparison` and the ``compare`` list of ``words.tsv``);
``A或B``, ``A/B``, ``A和B`` are alternatives. Indicator rows match by their label path
(二级 + 三级); department figures (三公经费, 机关运行经费 …) by their row label and column, one
figure per department (its largest: the department's total is at least any of its parts).
Ties are said, units that do not compare are left out, and a comparison no row covers is
未找到 with the nearest rows — never another concept's figure.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from index.numbers import parse_value
from index.schema import IndicatorRow
from index.text import compact

from ..context import QAContext
from ..evidence.fits import in_scope
from ..evidence.match import Key, covered, share, text_key
from ..evidence.owners import best_owner
from ..evidence.records import Record, records_of
from ..question import Understanding
from ..question.words import COMPARE_WORDS
from ..sources import Sources
from .general import key_of
from .schema import Answer, FactItem, IndicatorItem, ProjectItem
from .scope import known_orgs
from .tables import level_named

MIN_CONCEPT = 0.75
SHOWN = 6
NEAREST = 3
_UNIT_WORDS = {"亩": "亩", "人": "人", "次": "次", "天": "天", "户": "户", "元": "元"}
_ALTERNATIVES = frozenset(("或者", "或", "和", "跟", "与", "同"))
_SPOKEN_ALTERNATIVES = re.compile(r"/|、|或者|或")
_COMPARE = frozenset(COMPARE_WORDS)
_WHICH = re.compile(r"哪|谁")
_COUNTED = re.compile(r"人数|次数|个数|户数|天数|数量|面积|金额|资金")  # a bare 9 here is no %
_UNIT_SUFFIXES = ("院", "局", "厅", "委", "办", "中心", "所", "站", "部", "处", "校", "馆")
_PER_UNIT = re.compile(r"按.(?:算|计)|每.(?:的|算)?")


@dataclass(frozen=True)
class Target:
    """An indicator row's target as a number in its unit."""

    row: IndicatorRow
    number: Decimal
    unit: str


@dataclass(frozen=True)
class Figure:
    """A department's figure for the compared concept (its record and number)."""

    record: Record
    number: Decimal


def answer_extreme(ctx: QAContext, u: Understanding) -> Answer | None:
    """The row with the highest (or lowest) target of the indicator the question names, or
    the department with the highest (or lowest) figure; 未找到 when a which-question
    compares an indicator no row prints."""
    if u.comparison is None:
        return None
    concepts, named = _compared(ctx, u)
    if not concepts:
        return None
    if named:
        u = replace(u, departments=tuple(sorted({*u.departments, *named})))
    if "extreme" in u.asks:
        answer = _indicator_extreme(ctx, u, concepts)
        if answer is None and _WHICH.search(u.question):
            answer = _table_extreme(ctx, u, concepts)
        if answer is not None:
            return answer
    answer = _fact_extreme(ctx, u, concepts)
    if answer is not None or "extreme" not in u.asks or not _WHICH.search(u.question):
        return answer
    return _not_compared(ctx, u, concepts)


def concept_keys(u: Understanding, ctx: QAContext) -> list[Key]:
    """The indicator the question compares, one key per alternative (游客或观众人数)."""
    return _compared(ctx, u)[0]


def _compared(ctx: QAContext, u: Understanding) -> tuple[list[Key], tuple[str, ...]]:
    """The compared concept's alternatives, without the words that frame the comparison and
    the names of the compared owners (石嘴山疾控跟嘉峪关博物馆: 博物馆 names a project, 检察院
    a department); and the departments so named."""
    topic = compact(u.topic or u.question)
    for said in u.comparison.said if u.comparison else ():
        topic = topic.replace(compact(said), " ")
    owners = _owner_names(ctx, u)
    orgs = [o for o, _ in known_orgs(ctx)]
    parts, named = [], set()
    for piece in _SPOKEN_ALTERNATIVES.split(topic):
        key = key_of(ctx, replace(u, topic=piece))
        part: list[str] = []
        for word in ctx.lexicon.tokenizer.cut(key.text, new_words=False):
            if word in _ALTERNATIVES:
                parts.append("".join(part))
                part = []
            elif word in _COMPARE or word in u.batch or word in "".join(part):
                continue  # 省级 of 几家省级单位 is a slot of the question; 人数…人数 said twice
            elif len(word) >= 2 and (
                any(v in o for v in _said(ctx, word) for o in owners) or _names(ctx, word, u)
            ):
                named |= {o for o in orgs if any(v in o for v in _said(ctx, word))}
            else:
                part.append(word)
        parts.append("".join(part))
    parts = [p for p in parts if len(p) >= 2]
    if len(parts) > 1:
        shared = re.search(r"((?:对象)?人数|次数|率|度|数量|标准|金额|面积)$", parts[-1])
        parts = [
            p if not shared or p.endswith(shared.group(1)) else p + shared.group(1) for p in parts
        ]
    return [text_key(p, ctx.lexicon) for p in parts], tuple(sorted(named))


def _said(ctx: QAContext, word: str) -> set[str]:
    """A word and the unit names the lexicon gives it (高院 → 高级人民法院; 游客 gives no
    unit's name)."""
    return {word, *(v for v in ctx.lexicon.expand(word) if v.endswith(_UNIT_SUFFIXES))}


def _names(ctx: QAContext, word: str, u: Understanding) -> bool:
    """The word is one of the question's departments by another name (高院)."""
    key = text_key(word, ctx.lexicon)
    return any(share(covered(key, d)) >= 1.0 for d in u.departments)


def _owner_names(ctx: QAContext, u: Understanding) -> list[str]:
    """Names a compared owner may be called by: the corpus's departments and units, and
    the projects of the regions the question names."""
    names = [o for o, _ in known_orgs(ctx)]
    if u.regions:
        names += [p.name for p in ctx.projects_in(u.regions)]
    return names


# ---------------------------------------------------------------- indicator rows
def _indicator_extreme(ctx: QAContext, u: Understanding, concepts: list[Key]) -> Answer | None:
    per_unit = bool(_PER_UNIT.search(u.question))
    rows = _rows(ctx, u, concepts, MIN_CONCEPT / 1.5 if per_unit else MIN_CONCEPT)
    targets = _one_unit([t for t in (_target(r.source) for r in rows) if t], u.question)
    misprinted = [t for t in targets if t.unit == "%" and t.number > 100]
    targets = [t for t in targets if t not in misprinted]
    if not targets:
        return None
    high = u.comparison.high
    ordered, best, tied = _ranked(targets, high)
    sources = Sources.of(ctx.store)
    word = "最高" if high else "最低"
    text = f"{_row_name(best.row)}的“{best.row.level3 or best.row.level2}”目标{word}："
    text += f"{best.row.value}（见{sources.cite_record(best.row)}）。"
    if tied:
        text += "并列的还有：" + "；".join(_row_said(t.row) for t in tied[: SHOWN - 1]) + "。"
    rest = [t for t in ordered[1:SHOWN] if t not in tied]
    if rest:
        text += f"比较了{len(ordered)}条同类指标，其次：" + "；".join(
            _row_said(t.row) for t in rest
        )
        text += "。"
    if misprinted:
        text += "未参与比较（目标超过100%，疑为印刷错误）：" + "；".join(
            _row_said(t.row) for t in misprinted
        )
        text += "。"
    return Answer(
        question=u.question,
        intent="indicator_extreme",
        text=text,
        projects=tuple(_projects(ctx, ordered[:SHOWN])),
        indicators=tuple(IndicatorItem.of(t.row) for t in ordered[:SHOWN]),
        value=best.number,
        unit=best.unit,
    )


def _ranked(targets: list[Target], high: bool) -> tuple[list[Target], Target, list[Target]]:
    """Targets best first (ties by row id, so answers repeat), the best, and those tied with it."""
    ordered = sorted(targets, key=lambda t: (-t.number if high else t.number, t.row.id))
    return ordered, ordered[0], [t for t in ordered[1:] if t.number == ordered[0].number]


def _row_name(row: IndicatorRow) -> str:
    return f"{row.region or ''}“{row.project or '部门整体'}”"


def _row_said(row: IndicatorRow) -> str:
    return f"{_row_name(row)}{row.level3 or row.level2} {row.value}"


def _projects(ctx: QAContext, targets: list[Target]) -> list[ProjectItem]:
    out: list[ProjectItem] = []
    for target in targets:
        project = ctx.store.projects.get(target.row.project_id or "")
        if project and all(p.project_id != project.id for p in out):
            out.append(ProjectItem.of(project))
    return out


def _rows(ctx: QAContext, u: Understanding, concepts: list[Key], threshold: float):
    for record in records_of(ctx.store):
        if record.kind != "indicator" or not in_scope(record, u):
            continue
        row = record.source
        label = f"{row.level3 or ''} {row.level2 or ''}"
        if any(share(covered(c, label)) >= threshold for c in concepts):
            yield record


def _target(row: IndicatorRow, actual: bool = False) -> Target | None:
    """The row's target (or its actual) as a number in its unit; None when it prints none."""
    if actual:
        value = parse_value(row.actual or "")
        if value.number is None:
            return None
        return Target(row, value.number, _unit(value.unit or row.value_unit))
    if row.value_number is not None:
        return Target(row, row.value_number, _unit(row.value_unit))
    value = parse_value(row.value)
    number = value.number
    if number is None:
        number = value.high if value.high is not None else value.low
    return Target(row, number, _unit(value.unit)) if number is not None else None


def _unit(unit: str | None) -> str:
    unit = (unit or "").replace("以上", "").replace("以下", "").replace("百分比", "%")
    return "人" if unit.startswith("人") else unit


def _one_unit(targets: list[Target], question: str) -> list[Target]:
    """Targets in the unit the question implies (按亩算 → 元/亩) or the most common one;
    bare numbers join a percentage family when they are at most 100, and a count family
    when their label names its unit (享受资助人数 2100 among 人)."""
    if not targets:
        return []
    hinted = [w for w in _UNIT_WORDS if w in question and any(w in t.unit for t in targets)]
    if hinted:  # and the bare numbers whose label names the unit (享受资助人数 2100)
        word = hinted[0]
        return [t for t in targets if word in t.unit or (not t.unit and word in t.row.level3)]
    counts = Counter(t.unit for t in targets if t.unit)
    if not counts:
        return targets
    unit = counts.most_common(1)[0][0]
    if unit == "%":
        return [
            t
            for t in targets
            if t.unit == "%"
            or (not t.unit and t.number <= 100 and not _COUNTED.search(t.row.level3 or ""))
        ]
    return [t for t in targets if t.unit == unit or (not t.unit and unit in (t.row.level3 or ""))]


# ---------------------------------------------------------------- rows of one table
_TABLE_NAMED = re.compile(r"表|的指标里|指标中|指标里")
_PERCENT_ASKED = re.compile(r"百分比|百分数|比例|比率|%|％")


def _table_extreme(ctx: QAContext, u: Understanding, concepts: list[Key]) -> Answer | None:
    """Within the one table the question names (那张表里 / 绿化养护经费的指标里), the row with
    the highest (lowest) target — or actual, when 实际 is asked — among the rows of a level
    it names (成本指标里) and in one unit (按百分比给的, 人数类)."""
    if not (_TABLE_NAMED.search(u.question) or _names_a_project(ctx, concepts)):
        return None
    topic = compact(u.topic or u.question)
    for said in u.comparison.said:
        topic = topic.replace(compact(said), " ")
    owner = best_owner(ctx, u, key_of(ctx, replace(u, topic=topic)))
    if owner is None or not owner.rows:
        return None
    rows = list(owner.rows)
    level = level_named(u.question, rows)
    if level:
        rows = [r for r in rows if level in (r.level1, r.level2)]
    actual = "实际" in u.question and any(r.actual for r in rows)
    targets = [t for t in (_target(r, actual) for r in rows) if t]
    if _PERCENT_ASKED.search(u.question):
        targets = [t for t in targets if t.unit == "%"]
    targets = _one_unit(targets, u.question)
    if not targets:
        return None
    high = u.comparison.high
    ordered, best, tied = _ranked(targets, high)
    sources = Sources.of(ctx.store)
    what = "实际完成值" if actual else "目标"
    word = "最高" if high else "最低"
    shown = (best.row.actual if actual else best.row.value) or ""
    text = (
        f"{_row_name(best.row)}{'的' + level if level else ''}指标中，{what}{word}的是"
        f"“{best.row.level3 or best.row.level2}”：{shown}（见{sources.cite_record(best.row)}）。"
    )
    if tied:
        text += "并列的还有：" + "、".join(t.row.level3 or "" for t in tied[: SHOWN - 1]) + "。"
    others = [t for t in ordered[1:SHOWN] if t not in tied]
    if others:
        text += f"比较了{len(ordered)}条（单位{best.unit or '未列'}），其次：" + "；".join(
            f"{t.row.level3 or t.row.level2} {(t.row.actual if actual else t.row.value) or ''}"
            for t in others
        )
        text += "。"
    left = len(owner.rows) - len(ordered)
    if left and not level:
        text += f"另有{left}条指标的{what}不是同一单位的数字，未参与比较。"
    return Answer(
        question=u.question,
        intent="indicator_extreme",
        text=text,
        projects=tuple(_projects(ctx, ordered[:SHOWN])),
        indicators=tuple(IndicatorItem.of(t.row) for t in ordered[:SHOWN]),
        value=best.number,
        unit=best.unit,
    )


# ---------------------------------------------------------------- department figures
def _fact_extreme(ctx: QAContext, u: Understanding, concepts: list[Key]) -> Answer | None:
    """The department whose budget tables print the highest (lowest) figure of the concept:
    the facts that cover it best, one figure per department (its largest)."""
    if _names_a_project(ctx, concepts):
        return None  # 哪个县的普法经费最多: project money, the aggregates'
    figures = _department_figures(ctx, u, concepts)
    if len(figures) < 2:
        return None
    high = u.comparison.high
    ordered = sorted(figures, key=lambda f: (-f.number if high else f.number, f.record.id))
    best = ordered[0]
    sources = Sources.of(ctx.store)
    word = "最高" if high else "最低"
    record = best.record
    text = (
        f"{record.department}的“{_fact_label(record)}”{word}：{record.value}{record.unit_unprinted}"
        f"（见{sources.cite(record.doc, record.line)}）。"
    )
    text += f"比较了{len(ordered)}家单位：" + "；".join(_fact_said(f.record) for f in ordered)
    text += "。"
    tied = [f for f in ordered[1:] if f.number == best.number]
    if tied:
        text += "并列：" + "、".join(f.record.department or "" for f in tied) + "。"
    return Answer(
        question=u.question,
        intent="indicator_extreme",
        text=text,
        facts=tuple(
            FactItem.of(r.source) for r in _alike(ctx, record) + [f.record for f in ordered]
        ),
        value=best.number,
        unit=record.unit,
    )


def _alike(ctx: QAContext, record: Record) -> list[Record]:
    """The winning figure as printed in the department's other documents (its table and its
    说明 both print 会议费), so each source is cited."""
    return [
        r
        for r in records_of(ctx.store)
        if r.kind == "fact"
        and r.id != record.id
        and r.department == record.department
        and r.number == record.number
        and r.doc != record.doc
    ]


def _names_a_project(ctx: QAContext, concepts: list[Key]) -> bool:
    return any(
        share(covered(c, p.name)) >= MIN_CONCEPT for c in concepts for p in ctx.sorted_projects
    )


def _department_figures(ctx: QAContext, u: Understanding, concepts: list[Key]) -> list[Figure]:
    scored = []
    for record in records_of(ctx.store):
        if record.kind != "fact" or record.number is None or not record.department:
            continue
        if not in_scope(record, u):
            continue
        coverage = max(_fact_coverage(c, record) for c in concepts)
        if coverage >= MIN_CONCEPT:
            scored.append((coverage, record))
    best: dict[str, tuple[float, Figure]] = {}
    for coverage, record in sorted(scored, key=lambda s: s[1].id):
        name = _department_key(record.department, best)
        held = best.get(name)
        if held is None or (coverage, record.number) > (held[0], held[1].number):
            best[name] = (coverage, Figure(record, record.number))
    return [figure for _, figure in best.values()]


def _fact_coverage(concept: Key, record: Record) -> float:
    """Coverage by the row's label; its table title and department count half (会议费预算 is
    the 会议费 row of a 预算表, not the table's 合计)."""
    by_label = covered(concept, record.label)
    by_owner = covered(concept, f"{record.owner} {record.department}")
    return share([max(a, b / 2) for a, b in zip(by_label, by_owner, strict=True)])


def _department_key(name: str, seen: dict) -> str:
    """One key per department, by either of its printed names (中共江苏省委办公厅 and
    江苏省委办公厅)."""
    return next((k for k in seen if k in name or name in k), name)


def _fact_label(record: Record) -> str:
    return record.source.label if record.source is not None else record.label


def _fact_said(record: Record) -> str:
    return f"{record.department} {record.value}{record.unit_unprinted}"


# ---------------------------------------------------------------- nothing to compare
def _not_compared(ctx: QAContext, u: Understanding, concepts: list[Key]) -> Answer:
    """未找到: no indicator row or department figure covers the compared concept; the rows
    that cover most of it are named."""
    scored = []
    for record in records_of(ctx.store):
        if record.kind not in ("indicator", "fact") or not in_scope(record, u):
            continue
        label = record.label if record.kind == "fact" else _indicator_label(record.source)
        coverage = max(share(covered(c, label)) for c in concepts)
        scored.append((-coverage, record.id, record))
    sources = Sources.of(ctx.store)
    nearest = [
        f"{r.owner or ''} {_indicator_label(r.source) if r.kind == 'indicator' else r.label} "
        f"{r.value}（{sources.cite(r.doc, r.line)}）"
        for _, _, r in sorted(scored)[:NEAREST]
    ]
    asked = "、".join(c.text for c in concepts)
    text = f"未找到：文件中没有“{asked}”这类指标，无法比较高低。"
    if nearest:
        text += "最接近的有：\n" + "\n".join(f"- {n}" for n in nearest)
    return Answer(
        question=u.question,
        intent="indicator_extreme",
        text=text,
        found=False,
        nearest=tuple(nearest),
    )


def _indicator_label(row: IndicatorRow) -> str:
    return f"{row.level3 or ''} {row.level2 or ''}".strip()


__all__ = ["answer_extreme", "concept_keys"]
