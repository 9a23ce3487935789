"""Answer with department figures (项目支出, 基本支出, 三公经费 …) from the budget tables."""

from __future__ import annotations

from decimal import Decimal

from ..context import QAContext
from ..evidence import named_figures
from ..question import Understanding
from ..sources import Sources
from .format import scope_text, wan
from .schema import Answer, FactItem

CITED_FACTS = 3


def _whose(u: Understanding, figures) -> str:
    """Whose budget the figures are: the one department printing them all (江苏省高级人民法院
    2019年), else the question's regions and year (全部地区 when it names none)."""
    departments = {f.department for figure in figures for f in figure.support if f.department}
    if len(departments) == 1 and all(f.department for g in figures for f in g.support):
        year = f"{u.years[0]}年" if u.years else ""
        return f"{departments.pop()}{year}"
    return scope_text(u.regions, u.years)


def answer_department_facts(ctx: QAContext, u: Understanding) -> Answer | None:
    """The department figures the question names, each cited, or None when none is printed.

    When a figure is about projects (项目支出), the sum of the project tables in scope is
    given beside it, so the two can be compared.
    """
    figures = named_figures(ctx, u)
    if not figures:
        return None
    sources = Sources.of(ctx.store)
    parts = []
    for figure in figures:
        cites = "、".join(sources.cite_record(f) for f in figure.support[:CITED_FACTS])
        parts.append(f"{figure.label}{wan(figure.value)}（见{cites}）")
    text = f"{_whose(u, figures)}部门预算：" + "；".join(parts) + "。"
    extra: dict = {f.label: f.value for f in figures}
    projects = ctx.projects_in(u.regions, u.year)
    if projects and any("项目" in f.label for f in figures):
        exact = sum((p.amount_wan or Decimal(0) for p in projects), Decimal(0))
        text += f"{len(projects)}个项目绩效目标表的金额合计{wan(exact)}。"
        extra["project_tables"] = len(projects)
        extra["project_tables_sum_wan"] = exact
    used = [f for figure in figures for f in figure.support[:CITED_FACTS]]
    return Answer(
        question=u.question,
        intent="aggregate",
        text=text,
        facts=tuple(FactItem.of(f) for f in used),
        value=figures[0].value,
        unit="万元",
        extra=extra,
    )
