"""The task table of a department-wide target table (年度主要任务 / 年度重点工作任务).

Each task row names a task and the money planned for it; the name is the task
name column, not the description beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..numbers import MONEY_UNITS, parse_amount, unit_in_label
from ..schema import DepartmentFact, Task
from ..tablemodel import Row
from ..text import compact, has_cjk

_TASK_WORDS = ("任务名称", "重点工作任务", "主要任务", "工作任务", "年度任务", "任务")
_MONEY_WORDS = ("资金", "金额", "预算", "投入")
_SECTION_WORDS = ("年度主要任务", "年度重点工作任务", "主要任务", "重点工作任务")


@dataclass(frozen=True)
class TaskTable:
    """The header of a task table: the money column's label and unit."""

    money_label: str
    unit: str | None

    @classmethod
    def read_header(cls, row: Row) -> TaskTable | None:
        """A header row naming tasks and their money, or None."""
        keys = [compact(c) for c in row.filled]
        if not any(k.startswith(_TASK_WORDS) or k in _TASK_WORDS for k in keys):
            return None
        pairs = zip(row.filled, keys, strict=True)
        money = next((c for c, k in pairs if any(w in k for w in _MONEY_WORDS)), None)
        if money is None or any(any(ch.isdigit() for ch in k) for k in keys):
            return None
        return cls(money.strip(), unit_in_label(money))

    def read_row(self, row: Row, default_unit: str | None) -> Task | None:
        """One task with its money, or None when the row is not a task row."""
        texts = [c for c in row.filled if compact(c) not in _SECTION_WORDS]
        amounts = [(c, parse_amount(c)) for c in texts]
        named = next((i for i, (c, a) in enumerate(amounts) if a is None and has_cjk(c)), None)
        if named is None:
            return None
        names = [c for c, a in amounts[named:] if a is None and has_cjk(c)]
        first = next(((c, a) for c, a in amounts[named:] if a is not None), None)
        if first is None:
            return None
        printed, amount = first
        unit = amount.unit or self.unit or default_unit or "万元"
        return Task(
            name=names[0].strip(),
            line=row.line,
            amount_wan=amount.value * MONEY_UNITS[unit],
            amount_printed=printed.strip(),
            unit_printed=unit,
            content=names[1].strip() if len(names) > 1 else None,
        )

    def facts(self, task: Task, row: Row, doc: str, title: str | None) -> list[DepartmentFact]:
        """The task's money as a department fact labelled by the task's name."""
        if task.amount_wan is None:
            return []
        amount = parse_amount(task.amount_printed or "")
        return [
            DepartmentFact(
                id=f"{doc}#f{row.line}.t",
                doc=doc,
                line=row.line,
                label=task.name,
                value=amount.value if amount else task.amount_wan,
                value_printed=task.amount_printed or "",
                unit=task.unit_printed,
                column=self.money_label,
                table=title,
                kind="task",
                quote=row.text,
                page=row.page,
                sheet=row.sheet,
            )
        ]
