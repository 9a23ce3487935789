"""The QA functions the app calls, with their results put into the shapes the views need.

``qa.answer`` answers, ``qa.wording`` finds and clusters indicator wording, and
``qa.draft`` proposes a table; here their records become :class:`WordingGroup`
and :class:`DraftResult` (rows as :class:`~qa.schema.IndicatorItem`, projects as
:class:`~qa.schema.ProjectItem`), so the views only ever see ``qa.schema`` items.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..answer import answer_question
from ..draft import draft_targets as _draft_targets
from ..draft import draft_text
from ..propose import comparable_note
from ..schema import IndicatorItem, ProjectItem
from ..wording import find_wording as _find_wording

__all__ = ["DraftResult", "WordingGroup", "answer_question", "draft_targets", "find_wording"]


@dataclass(frozen=True)
class WordingGroup:
    """Indicator rows worded alike (one cluster), and the spread of their values."""

    label: str
    rows: tuple[IndicatorItem, ...]
    value_range: str


def find_wording(
    engine, query: str, region=None, year=None, level1=None, level2=None
) -> list[WordingGroup]:
    """:func:`qa.wording.find_wording`, one group per cluster (rows keep ``match`` core/related)."""
    result = _find_wording(engine, query, region=region, year=year, level1=level1, level2=level2)
    return [
        WordingGroup(
            label=cluster.representative,
            rows=tuple(
                IndicatorItem.of(r.row, match=r.match, cluster=cluster.number) for r in cluster.rows
            ),
            value_range=cluster.spread.text,
        )
        for cluster in result.clusters
    ]


@dataclass(frozen=True)
class DraftResult:
    """Proposed indicator rows (each citing the row it came from) and comparable projects."""

    rows: tuple[IndicatorItem, ...]
    comparables: tuple[ProjectItem, ...]
    note: str = ""


def draft_targets(
    engine, name: str, description: str | None = None, amount_wan: Decimal | None = None
) -> DraftResult:
    """:func:`qa.draft.draft_targets` as items; ``note`` says what was drawn from where."""
    draft = _draft_targets(engine, name, description=description, amount_wan=amount_wan)
    rows = tuple(
        IndicatorItem(
            region=row.source.region if row.source else None,
            project=row.source.project if row.source else None,
            level1=row.level1,
            level2=row.level2,
            level3=row.level3,
            value=row.value,
            weight=None,
            doc=row.doc,
            line=row.line,
            project_id=row.source.project_id if row.source else None,
            cluster=row.cluster,
            note=row.note,
        )
        for row in draft.rows
    )
    comparables = tuple(
        ProjectItem.of(c.project, note=comparable_note(c)) for c in draft.comparables
    )
    if not draft.found:
        note = draft_text(draft)
    else:
        named = draft.name if "“" in draft.name else f"“{draft.name}”"
        note = (
            f"为{named}起草 {len(rows)} 条指标，参照 {len(comparables)} 个可比项目。"
            "指标值取自已有表格（“依据”列注明来源文档和行号），请按本项目实际修改；表格可直接编辑。"
        )
    return DraftResult(rows=rows, comparables=comparables, note=note)
