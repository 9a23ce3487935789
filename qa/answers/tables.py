"""Questions about one indicator table: how many rows and which (under a level, 定性 ones),
and a self-evaluation row's target against its actual; and the lines a coded budget line
breaks into (20405 法院 → its 项 2040501 …)."""

from __future__ import annotations

import re
from decimal import Decimal

from index.labels import subject_code
from index.numbers import parse_value
from index.schema import IndicatorRow
from index.text import compact

from ..context import QAContext
from ..evidence.fits import in_scope
from ..evidence.match import covered, share
from ..evidence.owners import Owner, best_owner
from ..evidence.records import Record, records_of
from ..question import Understanding
from ..sources import Sources
from .general import answers, key_of, read
from .schema import Answer, IndicatorItem, ProjectItem

_QUALITATIVE = re.compile(r"定性")
_QUANTITATIVE = re.compile(r"定量")
_BLANK = re.compile(r"没填|未填|没有填|空着|空白|留空")
_LEVEL_CODE = re.compile(r"^[\d一二三四五六七八九十]+[-.、．)）]?")
LISTED = 12
_LEVEL_WORDS = {3: "类", 5: "款", 7: "项"}


def answer_sublines(ctx: QAContext, u: Understanding) -> Answer | None:
    """How many lines (and which) a coded budget line breaks into: the lines of its table
    whose code extends its own by one level (类 204 → 款 20405 → 项 2040501 …), the line
    being the one whose name the question prints ('法院'这个款下面细分了几个项)."""
    if "structure" not in u.asks:
        return None
    question = compact(u.question)
    named = [
        (r, coded)
        for r in records_of(ctx.store)
        if r.kind == "fact"
        and (coded := subject_code(r.name))
        and len(coded[1]) >= 2
        and compact(coded[1]) in question
        and in_scope(r, u)
    ]
    if not named:
        return None
    key = key_of(ctx, u)
    parent, (code, _) = max(
        named, key=lambda p: (len(p[1][1]), share(covered(key, p[0].scope)), p[0].id)
    )
    lines = _sublines(ctx, parent, code)
    if not lines:
        return None
    level = _LEVEL_WORDS.get(len(subject_code(lines[0].name)[0]), "科目")
    sources = Sources.of(ctx.store)
    listed = "、".join(f"{r.name} {r.value}{r.unit_unprinted}" for r in lines[:LISTED])
    more = f"等{len(lines)}个" if len(lines) > LISTED else ""
    table = getattr(parent.source, "table", None) or ""
    text = (
        f"{parent.department or parent.owner}{table}中“{parent.name}”下面细分{len(lines)}个"
        f"{level}：{listed}{more}（见{sources.cite(parent.doc, parent.line)}）。"
    )
    return Answer(
        question=u.question,
        intent="table_structure",
        text=text,
        value=Decimal(len(lines)),
        unit="个",
    )


def _sublines(ctx: QAContext, parent: Record, code: str) -> list[Record]:
    """The lines of the parent's table one level below it, in printed order."""
    table = getattr(parent.source, "table", None)
    below = {}
    for r in records_of(ctx.store):
        if r.kind != "fact" or r.doc != parent.doc or getattr(r.source, "table", None) != table:
            continue
        coded = subject_code(r.name)
        if coded and coded[0].startswith(code) and len(coded[0]) > len(code):
            below.setdefault(coded[0], r)  # a line printed twice (two columns) counts once
    if not below:
        return []
    depth = min(len(c) for c in below)
    return sorted((r for c, r in below.items() if len(c) == depth), key=lambda r: r.line)


def answer_structure(ctx: QAContext, u: Understanding) -> Answer | None:
    """How many indicator rows one table lists, and which (under a level the question
    names, or only its 定性/定量 ones)."""
    if "structure" not in u.asks:
        return None
    owner = best_owner(ctx, u, key_of(ctx, u))
    if owner is None or not owner.rows:
        return None
    rows = list(owner.rows)
    level = level_named(u.question, rows)
    if level:
        rows = [r for r in rows if level in (r.level1, r.level2)]
    kind = ""
    if _BLANK.search(u.question):
        rows, kind = [r for r in rows if not (r.value or "").strip()], "未填指标值的"
    elif _QUALITATIVE.search(u.question):
        rows, kind = [r for r in rows if qualitative(r)], "定性"
    elif _QUANTITATIVE.search(u.question):
        rows, kind = [r for r in rows if not qualitative(r)], "定量"
    sources = Sources.of(ctx.store)
    cite = sources.cite(owner.record.doc, owner.record.line)
    what = f"{level}下" if level else ""
    names = "、".join(r.level3 or r.level2 or "" for r in rows[:LISTED])
    more = f"等{len(rows)}条" if len(rows) > LISTED else ""
    text = (
        f"{_owner_text(owner)}{what}共列{len(rows)}条{kind}指标"
        f"{'：' + names + more if rows else ''}（见{cite}）。"
    )
    return Answer(
        question=u.question,
        intent="table_structure",
        text=text,
        projects=_project_item(owner),
        indicators=tuple(IndicatorItem.of(r) for r in rows),
        value=Decimal(len(rows)),
        unit="条",
    )


def level_named(question: str, rows: list[IndicatorRow]) -> str | None:
    """The level label of the table the question names (满意度下面, 过程管理类, 产出指标 …)."""
    asked = re.sub(r"指标的?(数量|个数|条数)", "", compact(question))  # 三级指标数量: a count
    labels = {label for r in rows for label in (r.level1, r.level2) if label}
    named = [
        label
        for label in labels
        if (core := re.sub(r"\(.*?\)|指标$", "", _LEVEL_CODE.sub("", compact(label))))
        and len(core) >= 2
        and core in asked
    ]
    return max(named, key=lambda label: (len(label), label)) if named else None


def qualitative(row: IndicatorRow) -> bool:
    """A row printed as 定性 (in a 指标值类型/指标性质 column), or with no figure at all."""
    kind = dict(row.extra).get("value_type", "")
    if kind:
        return "定性" in kind
    return parse_value(row.value).number is None and not re.search(r"\d", row.value or "")


def answer_actual(ctx: QAContext, u: Understanding) -> Answer | None:
    """A self-evaluation row's target and what was actually achieved."""
    if "actual" not in u.asks:
        return None
    reading = read(ctx, u, kinds=("indicator",), where=_has_actual)
    if reading is None or not answers(reading):
        return None
    row: IndicatorRow = reading.best.record.source
    sources = Sources.of(ctx.store)
    gap = difference(row.value, row.actual or "")
    owner = f"{row.region or ''}“{row.project or ''}”" if row.project else (row.region or "")
    text = (
        f"{owner}的“{row.level3 or row.level2}”：目标 {row.value}，实际完成 {row.actual}"
        f"{'，' + gap if gap else ''}（见{sources.cite_record(row)}）。"
    )
    project = ctx.store.projects.get(row.project_id or "")
    return Answer(
        question=u.question,
        intent="target_vs_actual",
        text=text,
        projects=(ProjectItem.of(project),) if project else (),
        indicators=(IndicatorItem.of(row),),
        value=parse_value(row.actual or "").number,
        unit=parse_value(row.actual or "").unit,
    )


def _has_actual(record) -> bool:
    return record.kind == "indicator" and bool(getattr(record.source, "actual", None))


def difference(target: str, actual: str) -> str:
    """``实际比目标多708`` / ``低18个百分点`` when both are numbers in one unit, else ''."""
    want, got = parse_value(target), parse_value(actual)
    if want.number is None or got.number is None:
        return ""
    if (want.unit or "") != (got.unit or "") and want.unit and got.unit:
        return ""
    delta = got.number - want.number
    if delta == 0:
        return "与目标持平"
    unit = "个百分点" if (want.unit or got.unit) == "%" else (want.unit or got.unit or "")
    word = "高" if delta > 0 else "低"
    return f"实际比目标{word}{abs(delta).normalize():f}{unit}"


def _owner_text(owner: Owner) -> str:
    record = owner.record
    if record.kind == "plan":
        return f"{record.region or ''}{record.department or record.owner}部门整体支出绩效目标表"
    return f"{record.region or ''}“{record.owner}”绩效目标表"


def _project_item(owner: Owner) -> tuple[ProjectItem, ...]:
    if owner.record.kind == "amount":
        return (ProjectItem.of(owner.record.source),)
    return ()


__all__ = ["answer_actual", "answer_structure", "difference", "level_named", "qualitative"]
