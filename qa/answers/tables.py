"""Questions about one indicator table: how many rows and which (under a level, 定性 ones),
and a self-evaluation row's target against its actual; and the lines a coded budget line
breaks into (20405 法院 → its 项 2040501 …)."""

from __future__ import annotations

import re
from dataclasses import replace
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
from ..question.asks import without_asks
from ..sources import Sources
from .general import answers, key_of, read
from .schema import Answer, IndicatorItem, ProjectItem

_QUALITATIVE = re.compile(r"定性")
# which rows fall short: 哪几项没完成, 哪些指标没达到目标, 有几项未达标
_WHICH_UNMET = re.compile(
    r"(哪|几)[些几项个条]*[^，,。？?]{0,8}(没|未|不)有?(完成|达到|达标|做到)"
    r"|(没|未)有?(完成|达到|达标)的?(是)?(哪|有哪)"
)
_SEVERAL = re.compile(r"和|与|跟|及|、")  # rows named side by side
# …across tables (哪些项目未达到预期目标, 平罗县有几个项目没完成): not one table's rows
_ACROSS_TABLES = re.compile(r"(哪|几)[个些几]*(项目|县|区|市|镇|地方|地区|单位|部门)")
_NOT_MET = re.compile(r"未完成|未达到|未达标|没有?完成|没有?达到|^否$")
_MET = re.compile(r"已完成|^完成$|已达到|^达到$|^达标$|^是$")
_UPPER = re.compile(r"^\s*(≤|<=|＜|<)|以内|以下|不超过|不高于")
_ACHIEVED = re.compile(r"^\s*(?:已完成|完成|已达到|达到|实际)")  # 达到93%: the figure achieved
_BOUND_WORDS = re.compile(r"以内|以下|以上|不超过|不高于|不低于|不少于")
# a reason cell that gives none (—, ／, 无偏差, 0)
_NO_REASON = re.compile(r"[\s\-—－–/／\\0、,，.。无]*|无偏差|无差异|不适用|无此项|已完成|完成")
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
    names, or only its 定性/定量 ones); which fall short of their targets is
    :func:`answer_actual`'s."""
    if "structure" not in u.asks or ("actual" in u.asks and _WHICH_UNMET.search(u.question)):
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
    """A self-evaluation row's target and what was actually achieved, with the reason printed
    for falling short (未完成原因); every row the question names (接警和出车次数: both); and,
    asked which rows fall short (哪几项没完成), those rows of the table it names.

    The rows are read by the question's words, else by them without those that ask for the
    form (实际完成多少, 为什么没完成, 原因写的啥, 差了几个点): what is left names the rows."""
    if "actual" not in u.asks:
        return None
    named = replace(u, topic=without_asks(u.topic or u.question, "actual", "difference"))
    if _WHICH_UNMET.search(u.question):
        if _ACROSS_TABLES.search(u.question):
            return None  # 哪些项目未达到预期目标: not one table's rows
        return _unmet_rows(ctx, u, named)
    for asked in (u, named):  # as asked, else without the words asking for the form
        reading = read(ctx, asked, kinds=("indicator",), where=_has_actual)
        if reading is not None and answers(reading):
            break
    else:
        return None
    rows = [reading.best.record.source]
    if _SEVERAL.search(u.question):  # 接警和出车次数: the rows the reading joined to the best
        rows += [f.record.source for f in reading.fits[1:] if f.record.kind == "indicator"]
        rows = [r for r in rows if r.actual] or rows[:1]
    project = ctx.store.projects.get(rows[0].project_id or "")
    asked = compact(u.question)
    for row in project.indicators if project else ():  # 学生满意度和家长满意度: each named whole
        level3 = compact(row.level3 or "")
        if row.actual and len(level3) >= 2 and level3 in asked and row not in rows:
            rows.append(row)
    sources = Sources.of(ctx.store)
    said = "；".join(_target_actual(row, sources) for row in rows)
    return Answer(
        question=u.question,
        intent="target_vs_actual",
        text=f"{_row_owner(rows[0])}的{said}。",
        projects=(ProjectItem.of(project),) if project else (),
        indicators=tuple(IndicatorItem.of(r) for r in rows),
        value=parse_value(rows[0].actual or "").number,
        unit=parse_value(rows[0].actual or "").unit,
    )


def _unmet_rows(ctx: QAContext, u: Understanding, named: Understanding) -> Answer | None:
    """The rows of the named self-evaluation table whose actual falls short of the target
    (未完成 printed, or a figure below its target, above a ≤ one), each with its reason; the
    rows whose completion cannot be read from what is printed are counted, never called met."""
    owner = best_owner(ctx, named, key_of(ctx, named))
    rows = [r for r in owner.rows if r.actual] if owner is not None else []
    if not rows:
        return None
    verdicts = [(r, falls_short(r)) for r in rows]
    short = [r for r, v in verdicts if v is True]
    unread = [r for r, v in verdicts if v is None]
    sources = Sources.of(ctx.store)
    cite = sources.cite(owner.record.doc, owner.record.line)
    names = "、".join(r.level3 or r.level2 or "" for r in unread[:LISTED])
    unread_text = f"；另有{len(unread)}项无法从所印数值判断是否完成（{names}）" if unread else ""
    if short:
        listed = "；".join(_target_actual(r, sources, cited=False) for r in short)
        text = (
            f"{_owner_text(owner)}中实际未达到目标的指标有{len(short)}项：{listed}"
            f"{unread_text}（见{cite}）。"
        )
    elif unread:
        met = len(rows) - len(unread)
        text = (
            f"{_owner_text(owner)}列有实际完成值的{len(rows)}项指标中{met}项已完成"
            f"{unread_text}（见{cite}）。"
        )
    else:
        text = f"{_owner_text(owner)}列有实际完成值的{len(rows)}项指标均已完成（见{cite}）。"
    return Answer(
        question=u.question,
        intent="target_vs_actual",
        text=text,
        projects=_project_item(owner),
        indicators=tuple(IndicatorItem.of(r) for r in short),
        value=Decimal(len(short)),
        unit="项",
    )


def falls_short(row: IndicatorRow) -> bool | None:
    """Whether the row's actual falls short of its target: a figure below the target (above
    it for an upper bound: ≤, <, 以内, 不超过), else 未完成/未达到 printed (True), 已完成 or the
    target printed again (False); None when it cannot be read (定性 values, other units)."""
    bound = bool(_UPPER.search(row.value or "")) or (row.operator or "") in ("≤", "<")
    want = parse_value(_BOUND_WORDS.sub("", row.value or ""))
    got = parse_value(_ACHIEVED.sub("", row.actual or ""))
    if want.number is not None and got.number is not None:
        if want.unit and got.unit and want.unit != got.unit:
            return None
        return got.number > want.number if bound else got.number < want.number
    actual = compact(row.actual or "")
    if _NOT_MET.search(actual):
        return True
    if _MET.search(actual):
        return False
    if actual and actual == compact(row.value or ""):
        return False  # the target printed again as what was achieved (有效, 显著提升)
    return None


def _row_owner(row: IndicatorRow) -> str:
    return f"{row.region or ''}“{row.project or ''}”" if row.project else (row.region or "")


def _target_actual(row: IndicatorRow, sources: Sources, cited: bool = True) -> str:
    """``“X”：目标 a，实际完成 b，实际比目标高c，未完成原因：…（见…）``."""
    gap = difference(row.value, row.actual or "")
    reason = reason_of(row)
    return (
        f"“{row.level3 or row.level2}”：目标 {row.value}，实际完成 {row.actual}"
        f"{'，' + gap if gap else ''}{'，未完成原因：' + reason if reason else ''}"
        f"{'（见' + sources.cite_record(row) + '）' if cited else ''}"
    )


def reason_of(row: IndicatorRow) -> str:
    """The reason a self-evaluation row prints for falling short ('' when it gives none: 0, 无,
    —, ／, 无偏差)."""
    reason = dict(row.extra).get("reason", "").strip()
    return "" if _NO_REASON.fullmatch(reason) else reason


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
