"""Every printed figure of an index as one kind of thing: a record with a label path.

A project's amount, an indicator row, a form field (联系电话 …), a budget-table figure, a
department-wide table's task, and each sentence of the documents' prose are all read the
same way by the general answerer: *who* it belongs to (its owner: the project, table or
document, with region and department), *what* it is (its label path: table title → row
label → column header, or 一级 → 二级 → 三级指标), and its value as printed. Built once per
loaded index.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass, field, replace
from decimal import Decimal
from weakref import WeakKeyDictionary

import numpy as np

from index.labels import field_for, is_total_label
from index.numbers import parse_amount, parse_value
from index.schema import (
    DepartmentFact,
    DepartmentPlan,
    FormField,
    IndicatorRow,
    ParsedDocument,
    Project,
)
from index.store import IndexStore

_NAMES = ("name", "parent")
HEADLINE_KINDS = ("amount", "plan")
# words a kind of record answers without printing them (a row's value is its 目标值)
AMOUNT_WORDS = "一年 全年 万元"
PROJECT_WORDS = "项目 专项 专项资金 经费 资金"
CARRYOVER_WORDS = "上年结转 去年结转 结转过来"
INDICATOR_WORDS = "目标 目标值 指标 要求 达到 一年 全年 计划 预计"
ACTUAL_WORDS = "计划 实际 实际完成 完成 做到 执行 年度指标值"
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
# a value printed per unit: 元/人/年, 每件1000元, 8元/册
_MONEY_PER_UNIT = re.compile(r"(?:元|万)\s*(?:/|每)|每\s*\S{1,2}\s*\d[\d,.]*\s*(?:元|万)")
# the units a rate is said per (元/人/年, 每件, 一个人, 每个村): read in values and in questions
PER_UNITS = "人次|人|年|月|天|日|次|件|册|场|户|亩|村|所|名|期|批"
_PER_UNIT = re.compile(rf"(?:/|每)\s*({PER_UNITS})")
_HAS_NUMBER = re.compile(
    r"\d[\d,]*(?:\.\d+)?\s*(?:亿元|万元|千元|元|万人次|万人|人次|人|名|个|辆|家|项|次|场|%|％|户|所|台|套)"
)


def _unread() -> None:
    """A :class:`Record`'s kept text before it is read (a factory, so that ``__init__`` sets
    it and every record's attribute table has the same keys from the start)."""
    return None


@dataclass(frozen=True, slots=True)
class Record:
    """One printed value and what names it.

    Attributes
    ----------
    kind : str
        ``amount`` (a project's annual money), ``indicator``, ``field`` (a form row),
        ``fact`` (a budget-table figure or task), ``plan`` (a department-wide table's
        money) or ``sentence`` (prose).
    owner : str
        The project, department-wide table or document the value belongs to.
    label : str
        What the value is (its label path, most specific last).
    value : str
        The value as printed (for a sentence, the sentence).
    """

    id: str
    kind: str
    doc: str
    line: int
    owner: str
    label: str
    value: str
    region: str | None = None
    department: str | None = None
    year: int | None = None
    page: int | None = None
    project_id: str | None = None
    number: Decimal | None = None
    unit: str | None = None
    source: object = None
    chunk: str | None = None
    about: str = ""
    unit_name: str | None = None
    # ``scope`` once read (one shared string per owner): declared, so that filling it in does
    # not give the record an attribute table of its own (a cached attribute added afterwards
    # did: ~1 KB more for each record a question ranked, over a million records gigabytes)
    _scope: str | None = field(default_factory=_unread, init=False, repr=False, compare=False)

    @property
    def scope(self) -> str:
        """The words that say whose value it is."""
        found = self._scope
        if found is None:
            found = sys.intern(scope_of(self))  # the records of one project say the same
            object.__setattr__(self, "_scope", found)
        return found

    @property
    def text(self) -> str:
        """Scope, label and value: made when read, not kept (each record's own string, kept
        for every record questions ranked, grew a serving process by ~0.5 GB at 1M rows)."""
        return f"{self.scope} {self.label} {self.value}"

    @property
    def unit_unprinted(self) -> str:
        """The unit to say after the value: '' when the value already prints it."""
        return "" if self.value.endswith(self.unit or "~") else self.unit or ""

    @property
    def name(self) -> str:
        """The row's own name: an indicator's 三级指标, a form row's label, a table line's
        label ('' for a project's amount, a plan or a sentence)."""
        source = self.source
        if isinstance(source, IndicatorRow):
            return source.level3 or ""
        if isinstance(source, (DepartmentFact, FormField)):
            return source.label or ""
        return ""

    @property
    def headline(self) -> bool:
        """The figure a question naming only the owner asks for: a project's or a
        department-wide table's money, or a budget table's total line (合计, 支出总计)."""
        if self.kind in HEADLINE_KINDS:
            return True
        return isinstance(self.source, DepartmentFact) and is_total_label(self.source.label)


def scope_of(record: Record) -> str:
    """The words that say whose value a record is (:attr:`Record.scope`, not kept)."""
    parts = (record.region, record.department, record.unit_name, record.owner)
    table = f" {PROJECT_WORDS}" if record.project_id else ""
    return " ".join(x for x in parts if x) + table


def carried_over(project: Project) -> bool:
    """Money carried over from an earlier year (上年结转): named for an earlier year, or
    described as 结转 in its own text."""
    named = re.match(r"^(20\d{2})年", project.name)
    texts = (project.goal or "") + " ".join(t for _, t in project.details)
    return bool(named and project.year and int(named.group(1)) < project.year) or "结转" in texts


def project_about(project: Project) -> str:
    """What a project is about beyond its name: its goal, overview and indicator names."""
    details = " ".join(text for _, text in project.details)
    labels = " ".join(row.level3 or "" for row in project.indicators)
    return f"{project.goal or ''} {details} {labels} {project.implementing_unit or ''}"[:1500]


def _amount(project: Project) -> Record:
    carried = CARRYOVER_WORDS if carried_over(project) else ""
    return Record(
        id=project.id,
        kind="amount",
        doc=project.doc,
        line=project.amount_line or project.name_line,
        owner=project.name,
        label=sys.intern(f"年度资金 预算金额 {AMOUNT_WORDS} {carried}".strip()),
        value=project.amount_printed or "",
        region=project.region,
        department=project.department,
        year=project.year,
        page=project.page,
        project_id=project.id,
        number=project.amount_wan,
        unit="万元" if project.amount_wan is not None else None,
        source=project,
    )


def per_unit_words(value: str) -> str:
    """What a value printed per unit (300元/人/年, 8元/册) answers without printing it: its
    rate said per unit (每人, 每年), a standard (标准, 单价), and 人均 when per person; '' for
    other values."""
    if not _MONEY_PER_UNIT.search(value or ""):
        return ""  # 4次/年, 50人/次: a frequency, not a price
    units = list(dict.fromkeys(_PER_UNIT.findall(value or "")))
    if not units:
        return ""
    words = [f"每{u}" for u in units] + ["标准", "单价"] + (["人均"] if "人" in units else [])
    return " ".join(words)


def _indicator(row: IndicatorRow, owner: str) -> Record:
    levels = " ".join(x for x in (row.level1, row.level2) if x)
    implied = f"{INDICATOR_WORDS} {ACTUAL_WORDS}" if row.actual else INDICATOR_WORDS
    implied = f"{implied} {per_unit_words(row.value)}".strip()
    return Record(
        id=row.id,
        kind="indicator",
        doc=row.doc,
        line=row.line,
        owner=owner,
        # rows of one label path share one label (a million rows print a few thousand)
        label=sys.intern(f"{levels} {row.level3 or ''} {row.description or ''} {implied}".strip()),
        value=row.value,
        region=row.region,
        year=row.year,
        page=row.page,
        project_id=row.project_id,
        number=row.value_number,
        unit=row.value_unit,
        source=row,
    )


def _field(field: FormField, department: str | None) -> Record:
    amount = parse_amount(field.value)
    return Record(
        id=field.id,
        kind="field",
        doc=field.doc,
        line=field.line,
        owner=field.project or field.table or "",
        label=field.label,
        value=field.value,
        region=field.region,
        department=department,
        year=field.year,
        page=field.page,
        project_id=field.project_id,
        number=amount.value if amount else None,
        unit=amount.unit if amount else None,
        source=field,
    )


def _fact(fact: DepartmentFact) -> Record:
    column = f" {fact.column}" if fact.column and fact.column != fact.label else ""
    label = f"{fact.label}{column}"
    return Record(
        id=fact.id,
        kind="fact",
        doc=fact.doc,
        line=fact.line,
        owner=fact.table or "",
        label=label,
        value=fact.value_printed,
        region=fact.region,
        department=fact.department,
        year=fact.year,
        page=fact.page,
        number=fact.value,
        unit=fact.unit,
        source=fact,
    )


def _plan(plan: DepartmentPlan) -> Record:
    return Record(
        id=plan.id,
        kind="plan",
        doc=plan.doc,
        line=plan.line,
        owner=plan.title,
        label="部门整体 预算 资金总额",
        value=plan.amount_printed or "",
        region=plan.region,
        department=plan.department or plan.name,
        year=plan.year,
        page=plan.page,
        number=plan.amount_wan,
        unit="万元" if plan.amount_wan is not None else None,
        source=plan,
    )


def _sentences(parsed: ParsedDocument) -> list[Record]:
    document = parsed.document
    out = []
    for block in parsed.text_blocks:
        for offset, text in enumerate(block.text.split("\n")):
            for number, match in enumerate(_SENTENCE.finditer(text)):
                sentence = match.group().strip()
                if len(sentence) < 6 or not _HAS_NUMBER.search(sentence):
                    continue
                out.append(
                    Record(
                        id=f"{block.id}.s{offset}.{number}",
                        kind="sentence",
                        doc=block.doc,
                        line=block.line + offset,
                        owner=document.doc,
                        label=sentence,
                        value=sentence,
                        region=document.region,
                        department=document.department,
                        year=document.year,
                        page=block.page,
                        source=block,
                        chunk=_window(block, offset),
                    )
                )
    return out


def _window(block, offset: int) -> str:
    """The id of the text chunk (a 300-character window) a block's line falls in."""
    start = sum(len(line) + 1 for line in block.text.split("\n")[:offset])
    return f"{block.id}.{start // 300}"


def build_records(store: IndexStore) -> list[Record]:
    """Every record of a loaded index, in document order within each kind."""
    records: list[Record] = []
    for parsed in store.documents.values():
        department = parsed.document.department
        for project in parsed.projects:
            about = project_about(project)
            own = [_amount(project)]
            own += [_indicator(row, project.name) for row in project.indicators]
            own += [
                _field(f, project.department or department)
                for f in project.fields
                if f.value != project.name and field_for(f.label, guess=False) not in _NAMES
            ]
            unit = project.implementing_unit
            records.extend(
                replace(r, about=about, unit_name=unit, department=r.department or department)
                for r in own
            )
        for plan in parsed.plans:
            records.append(_plan(plan))
            records.extend(_indicator(row, plan.name) for row in plan.indicators)
        records.extend(_field(f, department) for f in parsed.form_fields)
        records.extend(_fact(f) for f in parsed.facts)
        records.extend(_sentences(parsed))
    return records


def records_of(store: IndexStore) -> list[Record]:
    """The records of a loaded index (cached per index)."""
    found = _CACHE.get(store)
    if found is None:
        found = _CACHE[store] = build_records(store)
    return found


@dataclass(frozen=True)
class Facets:
    """What a bound of many records' fits reads of each besides its text: the index of its
    owner's texts (scope, about) in ``owners``, of its row name (:attr:`Record.name`) in
    ``names``, and whether it is a headline figure (:attr:`Record.headline`)."""

    owner: np.ndarray
    owners: list[tuple[str, str]]
    name: np.ndarray
    names: list[str]
    headline: np.ndarray


def facets_of(records: list[Record]) -> Facets:
    """The :class:`Facets` of records, read from each (owners and names numbered in order of
    first appearance)."""
    owners: dict[tuple[str, str], int] = {}
    names: dict[str, int] = {}
    count = len(records)
    owner = np.fromiter(
        (owners.setdefault((r.scope, r.about), len(owners)) for r in records), np.int64, count
    )
    name = np.fromiter((names.setdefault(r.name, len(names)) for r in records), np.int64, count)
    headline = np.fromiter((r.headline for r in records), bool, count)
    return Facets(owner, list(owners), name, list(names), headline)


class _KeptFacets:
    """The facets of an index's records by position, each read the first time a record is
    ranked among many (-1: not read yet), so that a question's bound reads arrays, not records."""

    def __init__(self, records: list[Record]):
        self.records = records
        self.owner = np.full(len(records), -1, dtype=np.int32)
        self.name = np.full(len(records), -1, dtype=np.int32)
        self.headline = np.zeros(len(records), dtype=bool)
        self.owners: list[tuple[str, str]] = []
        self.names: list[str] = []
        self._owner_at: dict[tuple[str, str], int] = {}
        self._name_at: dict[str, int] = {}
        self._lock = threading.Lock()  # one reader numbers new owners and names at a time

    def facets(self, at: np.ndarray) -> Facets:
        """The facets of the records at these positions."""
        if (self.owner[at] < 0).any():
            self._read(at)
        owner_ids, owner = np.unique(self.owner[at], return_inverse=True)
        name_ids, name = np.unique(self.name[at], return_inverse=True)
        return Facets(
            owner,
            [self.owners[i] for i in owner_ids],
            name,
            [self.names[i] for i in name_ids],
            self.headline[at],
        )

    def _read(self, at: np.ndarray) -> None:
        with self._lock:
            for position in np.unique(at[self.owner[at] < 0]).tolist():
                record = self.records[position]
                texts = (scope_of(record), record.about)  # not kept on the record
                self.headline[position] = record.headline
                self.name[position] = _number(self._name_at, self.names, record.name)
                self.owner[position] = _number(self._owner_at, self.owners, texts)


def _number(numbers: dict, values: list, value) -> int:
    found = numbers.get(value)
    if found is None:
        found = numbers[value] = len(values)
        values.append(value)
    return found


class Selection(list):
    """Records of one index in :func:`records_of` order, with their ``positions`` there (a
    bound reads the kept facets of these positions without looking each record up)."""

    def __init__(self, records: list[Record], positions: np.ndarray):
        super().__init__(records)
        self.positions = positions


class RecordGroups:
    """The records of an index grouped so that a question's candidates are found without a
    pass over all of them: by region and kind, and by owner (a project's records by its id, the
    records of no project by their document), each group as the records' positions.
    Selections keep :func:`records_of` order."""

    def __init__(self, records: list[Record]):
        self.records = records
        self._facets = _KeptFacets(records)
        # where each document's records are (first and last position: a document's records
        # are read together, so the span holds few others) and each record's line, to find a
        # printed row without a key per record (a million keys were ~0.2 GB)
        self._spans: dict[str, tuple[int, int]] = {}
        self._lines = np.fromiter((r.line or 0 for r in records), np.int32, len(records))
        by_region: dict[str, dict[str, list[int]]] = {}
        by_project: dict[str, list[int]] = {}
        by_doc: dict[str, list[int]] = {}
        for position, record in enumerate(records):
            first, _ = self._spans.get(record.doc, (position, position))
            self._spans[record.doc] = (first, position)
            kinds = by_region.setdefault(record.region or "", {})
            kinds.setdefault(record.kind, []).append(position)
            if record.project_id:
                by_project.setdefault(record.project_id, []).append(position)
            else:
                by_doc.setdefault(record.doc, []).append(position)
        self.by_region = {
            region: {kind: _positions(at) for kind, at in kinds.items()}
            for region, kinds in by_region.items()
        }
        self.by_project = {project: _positions(at) for project, at in by_project.items()}
        self.by_doc = {doc: _positions(at) for doc, at in by_doc.items()}

    def placed(self, kind: str, doc: str, where) -> Record | None:
        """The first record of an indicator row printed at line ``where`` of a document, or of
        a project's amount with id ``where`` (None when there is none)."""
        if kind not in ("indicator", "amount"):
            return None
        if kind == "amount":
            at = self.by_project.get(where, _NONE)
        else:
            first, last = self._spans.get(doc, (0, -1))
            at = first + np.flatnonzero(self._lines[first : last + 1] == (where or 0))
        for position in at.tolist():
            record = self.records[position]
            held = record.id if kind == "amount" else record.line
            if record.kind == kind and record.doc == doc and held == where:
                return record
        return None

    def regions(self, wanted) -> list[str]:
        """The regions (``""`` for records of none) for which ``wanted(region or None)``."""
        return [region for region in self.by_region if wanted(region or None)]

    def count(self, regions: list[str], kinds: tuple[str, ...] = ()) -> int:
        """How many records of these regions (and kinds: all when none) there are."""
        return sum(
            len(positions)
            for region in regions
            for kind, positions in self.by_region[region].items()
            if not kinds or kind in kinds
        )

    def select(self, regions: list[str], kinds: tuple[str, ...] = ()) -> Selection:
        """The records of these regions (and kinds)."""
        return self._at(
            positions
            for region in regions
            for kind, positions in self.by_region[region].items()
            if not kinds or kind in kinds
        )

    def owned(self, projects: set[str], docs: set[str]) -> Selection:
        """The records of these projects, and the records of no project of these documents."""
        parts = [self.by_project[p] for p in projects if p in self.by_project]
        parts += [self.by_doc[d] for d in docs if d in self.by_doc]
        return self._at(parts)

    def narrowed(self, selection: Selection, wanted) -> Selection:
        """The records of a selection for which ``wanted(record)``, in its order."""
        keep = [i for i, record in enumerate(selection) if wanted(record)]
        return Selection([selection[i] for i in keep], selection.positions[keep])

    def facets(self, records: list[Record], at: np.ndarray | None = None) -> Facets:
        """:func:`facets_of` the records, read from arrays kept per index when their
        positions are known (``at``, or a :class:`Selection`'s), else from each record."""
        at = getattr(records, "positions", None) if at is None else at
        if at is None or not len(at) or at.min() < 0:
            return facets_of(records)
        return self._facets.facets(at)

    def _at(self, parts) -> Selection:
        parts = list(parts)
        at = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        records = self.records
        return Selection([records[i] for i in at.tolist()], at)


_NONE = np.zeros(0, dtype=np.int64)


def _positions(at: list[int]) -> np.ndarray:
    return np.array(at, dtype=np.int64)


def grouped_records(store: IndexStore) -> RecordGroups:
    """:class:`RecordGroups` of a loaded index (cached per index)."""
    found = _GROUPS.get(store)
    if found is None:
        found = _GROUPS[store] = RecordGroups(records_of(store))
    return found


def value_of(printed: str):
    """The operator, number and unit of a printed value (see :func:`index.numbers.parse_value`)."""
    return parse_value(printed)


_CACHE: WeakKeyDictionary = WeakKeyDictionary()
_GROUPS: WeakKeyDictionary = WeakKeyDictionary()
