"""The operands of a computed figure, found as records by their label paths (table title →
row label → column header), never parsed from the question with a vocabulary of their own:

- the items of a group the question names, in one table (三公经费三项 → 因公出国（境）费,
  公务用车购置及运行维护费, 公务接待费, beside the group's printed 小计);
- the sides of a comparison between departments (高院和检察院的培训费): each department
  named as the corpus names it, its figure read from its own tables;
- projects named side by side (A和B加一块多少钱, A和B哪个资金多): each side's words ranked
  against the projects' money records on its own, in its own region (or the question's).

A computed answer says what it computed from what; these find the what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from index.numbers import MONEY_UNITS, to_decimal
from index.schema import DepartmentFact, Project
from index.text import compact, in_order

from ..context import QAContext
from ..evidence import Scored, compact_label, coverage, label_path, rank_projects, scoped_facts
from ..evidence.fits import rank
from ..evidence.ranking import name_overlap
from ..evidence.records import Record, grouped_records
from ..question import Understanding
from ..question.terms import word_edges
from .general import covers, fit_of_record, key_of
from .lookup import EXACT_FIT, MIN_PROJECT_SCORE
from .scope import known_orgs, scoped

SUBTOTALS = ("小计", "合计", "总计")
_CHILD = re.compile(r"^(?:[①-⑳]|[(（]\d+[)）]|其中)")  # ①公务用车购置费: a line of the line above


@dataclass(frozen=True)
class Part:
    """One input of a computed figure, as printed, with the record that prints it."""

    name: str
    value: Decimal
    printed: str
    unit: str | None
    record: Record | DepartmentFact

    @property
    def family(self) -> str:
        """``money`` for any money unit (or none), else the unit: parts of one family add."""
        return "money" if self.unit in MONEY_UNITS or self.unit is None else self.unit

    @property
    def normalized(self) -> Decimal:
        """The value in 万元 when it is money printed in another unit, else as printed."""
        if self.unit in MONEY_UNITS and getattr(self.record, "kind", "") != "amount":
            return self.value * MONEY_UNITS[self.unit]
        return self.value

    @property
    def unit_shown(self) -> str:
        """The unit to print after the value (none when the printed value carries it)."""
        return "" if self.printed.endswith(self.unit or "~") else self.unit or ""


@dataclass(frozen=True)
class Group:
    """The items of a named group in one table, and the group's own printed total."""

    label: str
    parts: tuple[Part, ...]
    total: Part | None


def group_parts(ctx: QAContext, u: Understanding) -> Group | None:
    """The items of the first group the question names (a department-figure label such as
    三公经费) that one table of its scope lists item by item; None when no table does."""
    facts = [f for f in scoped_facts(ctx, u) if f.kind == "table" and f.unit in ("万元", "元")]
    for label in u.fact_labels:
        key = compact(label).replace('"', "")
        groups = [
            _prefixed(table, key, label) or _titled(table, key, label) for table in _tables(facts)
        ]
        groups = [g for g in groups if g is not None and len(g.parts) >= 2]
        owners = {(g.parts[0].record.region, g.parts[0].record.department) for g in groups}
        if len(owners) > 1:
            return None  # several departments' tables, the question names none of them
        if groups:
            return groups[0]
    return None


def opening_orgs(ctx: QAContext, u: Understanding) -> tuple[str, ...]:
    """The departments the question's opening words name, as the corpus names them (五桂镇 →
    潼南区五桂镇, 政协 → 江苏省政协办公厅): the longest opening word run that some department's
    name prints whole, or (three characters or more) in order."""
    text = compact(u.question)
    for word in u.region_words:
        text = text.replace(compact(word), "")
    edges = sorted(word_edges(ctx.store.lexical.tokenizer, text), reverse=True)
    for end in (e for e in edges if 2 <= e <= 12):
        found = orgs_named(ctx, text[:end])
        if found and (end >= 3 or all(text[:end] in compact(o) for o in found)):
            return found
    return ()


def _tables(facts: list[DepartmentFact]) -> list[list[DepartmentFact]]:
    """Facts by (document, table), in document order."""
    tables: dict[tuple[str, str], list[DepartmentFact]] = {}
    for fact in facts:
        tables.setdefault((fact.doc, fact.table or ""), []).append(fact)
    return list(tables.values())


def _prefixed(table: list[DepartmentFact], key: str, label: str) -> Group | None:
    """Items printed under the group's heading (“三公”经费 因公出国（境）费 …)."""
    members = [f for f in _first_column(table) if len(label_path(f)) >= 2]
    members = [f for f in members if label_path(f)[0] == key]
    if not members:
        return None
    total = next((f for f in members if label_path(f)[1:] in (["小计"], ["合计"])), None)
    items = [f for f in members if f is not total]
    return _group(label, items, total)


def _titled(table: list[DepartmentFact], key: str, label: str) -> Group | None:
    """The rows of a table titled after the group alone (2024年财政拨款安排“三公”经费支出预算表),
    its 合计 the group's total."""
    title = compact_label(table[0].table or "")
    if key not in title.replace(" ", "") or "、" in title:
        return None
    rows = _first_column(table)
    total = next((f for f in rows if label_path(f)[-1] in SUBTOTALS), None)
    items = [f for f in rows if label_path(f)[-1] not in SUBTOTALS]
    group = _group(label, items, total)
    if total is None or sum((p.value for p in group.parts), Decimal(0)) != group.total.value:
        return None  # rows that do not add up to the table's total are not its items
    return group


def _first_column(table: list[DepartmentFact]) -> list[DepartmentFact]:
    """One figure a row: a row printed in several columns (合计, 一般公共预算 …) gives its
    first (the facts of one line under one label keep the first)."""
    seen: set[tuple[int, str]] = set()
    out = []
    for fact in table:
        row = (fact.line, fact.label)
        if row not in seen:
            seen.add(row)
            out.append(fact)
    return out


def _group(label: str, items: list[DepartmentFact], total: DepartmentFact | None) -> Group:
    """Items without the lines of another item (公务用车运行维护费 under 公务用车购置及运行维护费
    小计, ①公务用车购置费)."""
    names = {id(f): _item_name(f) for f in items}
    subtotals = [names[id(f)] for f in items if label_path(f)[-1] in SUBTOTALS]
    kept = [
        f
        for f in items
        if not _CHILD.match(f.label.strip())
        and not any(
            s != names[id(f)] and in_order(names[id(f)], s) and label_path(f)[-1] not in SUBTOTALS
            for s in subtotals
        )
    ]
    parts = tuple(_fact_part(f, names[id(f)]) for f in kept)
    return Group(label, parts, _fact_part(total, label) if total is not None else None)


def _item_name(fact: DepartmentFact) -> str:
    path = label_path(fact)
    words = [w for w in path[1:] if w not in SUBTOTALS] if len(path) > 1 else path
    return "".join(words) or path[-1]


def _fact_part(fact: DepartmentFact, name: str) -> Part:
    value = fact.value / 10000 if fact.unit == "元" else fact.value
    return Part(name, value, fact.value_printed, "万元", fact)


# ---------------------------------------------------------------- departments compared
_SIDES = re.compile(r"^(?P<a>[^，,。？?和跟与同及]{2,16}?)(?:和|跟|与|同)(?P<b>[^，,。？?]{2,})$")


@dataclass(frozen=True)
class Side:
    """One department of a comparison: how the question names it, and the departments of the
    corpus it names."""

    said: str
    departments: tuple[str, ...]


def compared_departments(ctx: QAContext, u: Understanding) -> tuple[Side, Side, str] | None:
    """The two departments a question compares (高院和检察院的培训费 → 高院, 检察院, and what is
    compared: 的培训费…), each as the corpus names it; None unless both name departments of the
    corpus, different ones, and neither is a region word (盐池和平罗 are regions compared)."""
    match = _SIDES.match(compact(u.question))
    if match is None:
        return None
    said_a, rest_b = match.group("a"), match.group("b")
    edges = word_edges(ctx.store.lexical.tokenizer, rest_b)
    said_b = next(
        (
            rest_b[:e]
            for e in sorted(edges, reverse=True)
            if 2 <= e <= 16 and orgs_named(ctx, rest_b[:e])
        ),
        None,
    )
    if said_b is None or any(w in (said_a, said_b) for w in u.region_words):
        return None
    a, b = orgs_named(ctx, said_a), orgs_named(ctx, said_b)
    if not a or set(a) & set(b):
        return None
    return Side(said_a, a), Side(said_b, b), rest_b[len(said_b) :]


def orgs_named(ctx: QAContext, said: str) -> tuple[str, ...]:
    """The departments of the corpus a short name names: those printing it whole (省委办公厅 →
    中共江苏省委办公厅), else those printing its characters in order (高院 → 江苏省高级人民法院)."""
    orgs = sorted({o for o, _ in known_orgs(ctx)})
    whole = tuple(o for o in orgs if said in compact(o))
    return whole or tuple(o for o in orgs if in_order(said, compact(o)))


# ---------------------------------------------------------------- parts named in a list
_LISTED = re.compile(
    r"(?P<items>[\u4e00-\u9fff（）()]{2,16}(?:(?:和|、|与|及|跟)[\u4e00-\u9fff（）()]{2,16})+?)"
    r"(?=各|分别|一共|加起来|加在一起|加一起|加一块|合计|总共|两个|两项|三项|几项|都是|是多少|多少)"
)
# ``A比B多多少``: one named figure taken from another
_THAN = re.compile(
    r"(?P<a>[\u4e00-\u9fff（）()]{2,16}?)比(?P<b>[\u4e00-\u9fff（）()]{2,16}?)"
    r"(?:多|少)(?:了)?(?:多少|几)"
)
PART_COVERAGE = 0.4  # a part's record prints its name; the question's scope may be its heading
PART_CANDIDATES = 20
_TRAILING_CUE = re.compile(
    r"(?:各是|各占|各|分别是|分别|都是|一共|总共|合计|共计|加起来|加在一起|加一起|加一块|"
    r"这两个|这几个|这|那|这些|那些)+$"
)
_SPLIT = re.compile(r"和|、|与|及|跟")
# the figure printed right after a name, the name's last character allowed to be left out
# of the question (行政编 → 行政编制200名)
_NEXT_FIGURE = re.compile(
    r"[\u4e00-\u9fff]?[为是:：]?(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"(?P<unit>亿元|万元|千元|元|万人次|人次|人|名|个|户|辆|家|项|次|场)?"
)


@dataclass(frozen=True)
class Listed:
    """The names a question lists as operands, the words of its scope, and what it asks of
    them (``sum``, or ``difference`` for A比B多多少)."""

    names: tuple[str, ...]
    scope: str
    operation: str


def listed_names(ctx: QAContext, u: Understanding) -> Listed | None:
    """The operands a question lists (住房公积金和提租补贴一共, A比B多多少), or None; a list of
    regions (西青和秀山的…) is the aggregates' to answer."""
    than = _THAN.search(u.question)
    if than is not None:
        names = (than.group("a"), than.group("b"))
        scope = (u.question[: than.start()] + " " + u.question[than.end() :]).strip()
        listed = Listed(names, scope, "difference")
    else:
        found = list(_LISTED.finditer(u.question))
        if not found:
            return None
        # the list the cue follows (文化和旅游局… is a name, 行政编、事业编各 the list)
        match = found[-1]
        items = _TRAILING_CUE.sub("", match.group("items"))
        head, _, items = items.rpartition("里") if "里" in items else ("", "", items)
        names = tuple(n for n in _SPLIT.split(items) if len(n) >= 2)
        scope = (u.question[: match.start()] + head + " " + u.question[match.end() :]).strip()
        listed = Listed(names, scope, "sum")
    if len(listed.names) < 2 or _names_regions(u, listed.names):
        return None
    return listed


def _names_regions(u: Understanding, names: tuple[str, ...]) -> bool:
    """A listed name is a region (西青和秀山): the first may open with one (平罗法律援助…)."""
    first, *rest = names
    return first in u.region_words or any(
        name.startswith(word) for name in rest for word in u.region_words
    )


def listed_operands(
    ctx: QAContext, u: Understanding, listed: Listed
) -> tuple[list[Part], str | None]:
    """Each listed name's figure — all from one table when one prints them all (住房公积金 and
    提租补贴 of one 支出预算表), else each its best record — and the first name no record of
    the scope prints (None when every one is found)."""
    options: list[list[tuple[float, Part]]] = []
    for index, name in enumerate(listed.names):
        found = _part_options(ctx, u, listed.scope, name, first=index == 0)
        if not found:
            return [best[0][1] for best in options], name
        options.append(found)
    return _one_table(options) or [found[0][1] for found in options], None


def _part_options(
    ctx: QAContext, u: Understanding, scope: str, name: str, first: bool
) -> list[tuple[float, Part]]:
    """The records that print a name's figure, best first. The first name may carry the scope
    before it (省委办公厅住房公积金): its shorter word-edge tails are tried too."""
    edges = sorted(word_edges(ctx.store.lexical.tokenizer, name))
    if first:
        tails = [name[i:] for i in edges if len(name) - i >= 2]
    else:  # a later name may run into the words after it: its word-edge heads are tried
        tails = [name[:i] for i in reversed(edges) if i >= 2]
    for tail in tails:
        words = f"{scope} {name[: len(name) - len(tail)] if first else ''}"
        sub = replace(u, topic=f"{_scope_words(words)} {tail}", question=f"{words} {tail}")
        fits = rank(ctx, sub, (), key_of(ctx, sub), lambda r, n=tail: figure_of(n, r) is not None)
        good = [f for f in fits[:PART_CANDIDATES] if f.coverage >= PART_COVERAGE]
        if good:
            return [(f.score, figure_of(tail, f.record)) for f in good]
    return []


def _one_table(options: list[list[tuple[float, Part]]]) -> list[Part] | None:
    """The parts from the one table (document and owner) that prints every name, the best
    scored such table; None when no table prints them all."""
    best, chosen = None, None
    for score, part in options[0]:
        table = (part.record.doc, part.record.owner)
        picked = [part]
        total = score
        for others in options[1:]:
            same = [(s, p) for s, p in others if (p.record.doc, p.record.owner) == table]
            if not same:
                break
            picked.append(same[0][1])
            total += same[0][0]
        else:
            if best is None or total > best:
                best, chosen = total, picked
    return chosen


def figure_of(name: str, record: Record) -> Part | None:
    """The figure a record prints for a name: its value when its label (or, for a project's
    money, its project) is the name, else the first figure printed right after the name
    (（一）人员经费 18387.95 万元)."""
    key = compact(name)
    if record.number is not None and key in _item_label(record):
        return Part(name, record.number, record.value, record.unit, record)
    if record.kind == "amount" and record.number is not None and key in compact(record.owner):
        return Part(record.owner, record.number, record.value, record.unit, record)
    text = compact(record.value)
    at = text.find(key)
    if at < 0:
        return None
    match = _NEXT_FIGURE.match(text, at + len(key))
    if match is None:
        return None
    unit = match.group("unit") or record.unit
    completed = text[at : at + len(key) + 1].rstrip("为是:：0123456789")  # 行政编 → 行政编制
    printed = text[match.start("num") : match.end()]
    return Part(completed or name, to_decimal(match.group("num")), printed, unit, record)


def _item_label(record: Record) -> str:
    """What a record's figure is of: a budget-table figure's row item (因公出国（境）费 of
    “三公”经费 因公出国（境）费, not its heading; the heading of its 小计), else its label."""
    if record.kind != "fact" or not isinstance(record.source, DepartmentFact):
        return compact(record.label)
    path = label_path(record.source)
    return path[-2] if path[-1] in SUBTOTALS and len(path) > 1 else path[-1]


# ---------------------------------------------------------------- projects named side by side
# where a list of sides ends: the words that ask what to do with them
_SIDES_END = re.compile(
    r"加起来|加在一起|加一起|加一块|合起来|一共|总共|合计|共计|相差|差多少|差了|比较|对比|相比|"
    r"哪个|哪一个|哪项|哪笔|哪边|谁|两个|两笔|两项|两者|这两|多出|分别|各(?:是|有|占)?多少"
)
_BRACKETED = re.compile(r"[（(](?P<items>[^（）()]{4,80})[）)]")
_CLAUSE = re.compile(r"[，,。？?！!；;：:]")
_SIDE_SEPARATOR = re.compile(r"(以及|和|与|跟|同|及|、)")
_COMPARED_WITH = re.compile(r"[，,\s]*(?:相)?比[，,\s]*$")  # A跟B比，差多少: not a side's word
MOST_SIDE_PIECES = 5  # pieces of a list tried in every grouping (at most 16 groupings)
SIDE_RIVALS = 5  # the best projects of a side read for another that its words name as well


@dataclass(frozen=True)
class NamedProject:
    """A project a question names as one side (``said``), and its money record."""

    said: str
    project: Project
    record: Record


def projects_named(ctx: QAContext, u: Understanding) -> tuple[NamedProject, ...] | None:
    """The projects a question names side by side (嘉峪关博物馆提升改造和免费开放补助,
    岳阳县的高标准农田项目和舒城县清水河以工代赈治理工程), each with a printed amount, or
    None. Each side is ranked on its own words, in the region it names (else the question's
    outside the list, else the side's before it), and must be covered by one project's money
    record as a lookup would be (:func:`~.general.answers`); the list is cut where names hold
    a separator themselves (公共法律服务、人民调解和司法所工作等经费) by trying its groupings,
    fewest sides first."""
    resolved: dict[tuple[str, tuple[str, ...]], NamedProject | None] = {}
    for items, scope in _side_lists(u.question):
        pieces = _SIDE_SEPARATOR.split(items)  # names and the separators between them
        names = pieces[0::2]
        if not 2 <= len(names) <= MOST_SIDE_PIECES or any(not n.strip() for n in names):
            continue
        outside = ctx.understand(scope).regions if scope.strip() else ()
        for cuts in _groupings(len(names)):
            sides = ["".join(pieces[2 * first : 2 * last - 1]) for first, last in cuts]
            chosen: list[NamedProject] = []
            regions = outside
            for side in sides:
                named = _side_project(ctx, u, side, regions, resolved)
                if named is None or any(c.project.id == named.project.id for c in chosen):
                    break
                chosen.append(named)
                regions = (named.project.region,) if named.project.region else regions
            else:
                return tuple(chosen)
    return None


def _side_lists(question: str) -> list[tuple[str, str]]:
    """The texts that may list the sides, each with the rest of the question: a bracketed
    list (那两个比赛项目（网球公开赛和安徽省常规赛）); the first clause holding a separator, up
    to the words that ask what to do with the sides; and the question up to those words across
    clauses (A项目，跟B比，差多少钱)."""
    found = []
    bracketed = _BRACKETED.search(question)
    if bracketed is not None and _SIDE_SEPARATOR.search(bracketed.group("items")):
        rest = question[: bracketed.start()] + "，" + question[bracketed.end() :]
        found.append((bracketed.group("items"), rest))
    start = 0
    for clause in _CLAUSE.split(question):
        end = _SIDES_END.search(clause)
        items = clause[: end.start()] if end is not None else clause
        if _SIDE_SEPARATOR.search(items):
            at = start + len(items)
            found.append((items, question[:start] + "，" + question[at:]))
            break
        start += len(clause) + 1
    end = _SIDES_END.search(question)
    if end is not None:
        items = _COMPARED_WITH.sub("", question[: end.start()])
        if _SIDE_SEPARATOR.search(items) and all(items != f for f, _ in found):
            found.append((items, question[end.start() :]))
    return found


def _groupings(count: int) -> list[tuple[tuple[int, int], ...]]:
    """The ways to cut ``count`` pieces into two or more runs of neighbours (first, last + 1),
    fewest runs first."""
    out = []
    for mask in range(1, 2 ** (count - 1)):
        cuts = [i + 1 for i in range(count - 1) if mask >> i & 1]
        bounds = [0, *cuts, count]
        out.append(tuple(zip(bounds, bounds[1:], strict=False)))
    return sorted(out, key=len)


def _side_project(
    ctx: QAContext,
    u: Understanding,
    side: str,
    regions: tuple[str, ...],
    resolved: dict,
) -> NamedProject | None:
    """The one project a side's words name, ranked as a lookup ranks projects (batch words,
    names said in full), or None when its money record does not cover them as a lookup's
    answer must."""
    said = _CLAUSE.sub("", side).strip().removesuffix("的")
    sub = scoped(ctx, ctx.understand(said))
    if len(sub.region_words) > 1:
        return None  # 西青区的X、平罗的Y: two sides, not one (安徽省常规赛 names one place)
    if not sub.regions and regions:
        sub = replace(sub, regions=regions)
    if not sub.years and u.years:
        sub = replace(sub, years=u.years)
    cached = (said, sub.regions)
    if cached not in resolved:
        resolved[cached] = None
        key = key_of(ctx, sub)
        vector = ctx.searcher.query_vector(sub.question) if key.text else None
        ranked = rank_projects(ctx, sub, vector) if vector is not None else []
        if ranked and ranked[0].score >= MIN_PROJECT_SCORE and _one_named(ctx, sub, ranked):
            project = ranked[0].record
            record = grouped_records(ctx.store).placed("amount", project.doc, project.id)
            if (
                record is not None
                and project.amount_wan is not None
                and covers(ctx, sub, fit_of_record(ctx, sub, key, record))
            ):
                resolved[cached] = NamedProject(said, project, record)
    return resolved[cached]


def _one_named(ctx: QAContext, sub: Understanding, ranked: list[Scored]) -> bool:
    """The side names one project: its best, unless other projects' names also print all of
    its words and it does not say the best's name in full (阳城法律援助: three projects of 阳城
    print 法律援助 — a region's total is the aggregates' to give, not one of them)."""
    best = ranked[0].record
    if name_overlap(sub.topic, best.name) >= 1.0:
        return True
    return not any(
        coverage(ctx, sub, other.record.name) >= EXACT_FIT for other in ranked[1:SIDE_RIVALS]
    )


def _scope_words(text: str) -> str:
    return re.sub(r"各|分别|一共|加起来|合计|总共|是多少|多少|[，,。？?！!]", " ", text)


__all__ = [
    "Group",
    "Listed",
    "NamedProject",
    "Part",
    "Side",
    "compared_departments",
    "figure_of",
    "group_parts",
    "listed_names",
    "listed_operands",
    "opening_orgs",
    "orgs_named",
    "projects_named",
]
