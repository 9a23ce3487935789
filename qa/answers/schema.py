"""Answer records: the one shape every answer has (and the JSON output contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from index.schema import DepartmentFact, IndicatorRow, Project, to_jsonable

INTENTS = (
    "which_regions_fund",
    "amount_lookup",
    "indicator_value",
    "indicator_wording",
    "aggregate",
    "drafting",
    "search",
)


@dataclass(frozen=True)
class ProjectItem:
    """A project used by an answer, with where its amount is printed."""

    region: str | None
    department: str | None
    year: int | None
    project: str
    amount_wan: Decimal | None
    amount_printed: str | None
    unit_printed: str | None
    doc: str
    line: int
    match: str = "primary"
    project_id: str | None = None
    amount_line: int | None = None
    note: str | None = None

    @classmethod
    def of(cls, project: Project, match: str = "primary", note: str | None = None) -> ProjectItem:
        return cls(
            region=project.region,
            department=project.department,
            year=project.year,
            project=project.name,
            amount_wan=project.amount_wan,
            amount_printed=project.amount_printed,
            unit_printed=project.unit_printed,
            doc=project.doc,
            line=project.name_line,
            match=match,
            project_id=project.id,
            amount_line=project.amount_line,
            note=note,
        )


@dataclass(frozen=True)
class IndicatorItem:
    """An indicator row used by an answer (or proposed by a draft), with its source row."""

    region: str | None
    project: str | None
    level1: str | None
    level2: str | None
    level3: str
    value: str
    weight: Decimal | None
    doc: str | None
    line: int | None
    match: str | None = None
    project_id: str | None = None
    cluster: int | None = None
    note: str | None = None

    @classmethod
    def of(
        cls, row: IndicatorRow, match: str | None = None, cluster: int | None = None
    ) -> IndicatorItem:
        return cls(
            region=row.region,
            project=row.project,
            level1=row.level1,
            level2=row.level2,
            # the indicator's name: a two-level table's name cell may hold only a level word
            # (指标名称 数量指标 → 375万平方米, described beside)
            level3=row.level3 or row.level2,
            value=row.value,
            weight=row.weight,
            doc=row.doc,
            line=row.line,
            match=match,
            project_id=row.project_id,
            cluster=cluster,
        )


@dataclass(frozen=True)
class FactItem:
    """A department-level number used by an answer."""

    label: str
    value: Decimal
    value_printed: str
    unit: str | None
    doc: str
    line: int
    table: str | None = None
    column: str | None = None
    region: str | None = None
    quote: str = ""

    @classmethod
    def of(cls, fact: DepartmentFact) -> FactItem:
        return cls(
            label=fact.label,
            value=fact.value,
            value_printed=fact.value_printed,
            unit=fact.unit,
            doc=fact.doc,
            line=fact.line,
            table=fact.table,
            column=fact.column,
            region=fact.region,
            quote=fact.quote,
        )


@dataclass(frozen=True)
class SourceItem:
    """Any other record an answer states (a form field, a prose sentence, a task), cited."""

    kind: str
    label: str
    value: str
    doc: str
    line: int
    page: int | None = None
    owner: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Answer:
    """An answer: text for a person, the rows it used, and the computed figure if any."""

    question: str
    intent: str
    text: str
    projects: tuple[ProjectItem, ...] = ()
    indicators: tuple[IndicatorItem, ...] = ()
    facts: tuple[FactItem, ...] = ()
    sources: tuple[SourceItem, ...] = ()
    value: Decimal | None = None
    unit: str | None = None
    found: bool = True
    nearest: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The output contract of ``budgetqa ask --json``."""
        return {
            "question": self.question,
            "intent": self.intent,
            "text": self.text,
            "projects": [_project_json(p) for p in self.projects],
            "indicators": [_indicator_json(i) for i in self.indicators],
            "facts": [to_jsonable(f) for f in self.facts],
            "sources": [to_jsonable(s) for s in self.sources],
            "value": to_jsonable(self.value),
            "unit": self.unit,
            "found": self.found,
            **({"extra": to_jsonable(self.extra)} if self.extra else {}),
        }


def _project_json(item: ProjectItem) -> dict:
    return {
        "region": item.region,
        "department": item.department,
        "year": item.year,
        "project": item.project,
        "amount_wan": to_jsonable(item.amount_wan),
        "amount_printed": item.amount_printed,
        "unit_printed": item.unit_printed,
        "doc": item.doc,
        "line": item.line,
        "amount_line": item.amount_line,
        "match": item.match,
        **({"note": item.note} if item.note else {}),
    }


def _indicator_json(item: IndicatorItem) -> dict:
    return {
        "region": item.region,
        "project": item.project,
        "level1": item.level1,
        "level2": item.level2,
        "level3": item.level3,
        "value": item.value,
        "weight": to_jsonable(item.weight),
        "doc": item.doc,
        "line": item.line,
        **({"match": item.match} if item.match else {}),
        **({"cluster": item.cluster} if item.cluster is not None else {}),
        **({"note": item.note} if item.note else {}),
    }
