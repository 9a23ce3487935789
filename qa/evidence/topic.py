"""The projects that fund a topic, and how directly; the projects an aggregate sums.

A question's topic is read as alternatives (:func:`topic_alternatives`): the phrases of a
list (``普法、法治宣传``) are alternatives, and a clause that only sets the scene
(``基层服务专项计划招的司法协理员，生活补贴``) joins every alternative. Words no project prints
are the asker's own (外部, 买回来) and are not required, unless they name the topic: a word of
three characters or more no project prints (人民陪审员), or one printed nowhere glued to a
word most projects print (社区戒毒), means no project is about it (未找到, not the leftovers).
The rest weigh by rarity over the projects (a word every project prints weighs little).

A project is ``primary`` when it is named after the topic: its name (parentheses included)
holds every word of an alternative, or the alternative's words make up most of its name and it
holds the heaviest of them any name holds and nearly as much of them as the names that hold
most (``政府法律顾问`` for 给政府聘外部律师当法律顾问, but not for 一村一顾问, which another
name holds). Its indicator rows bring it in when rows about the topic are among its outputs
(数量, 质量, 时效, 成本) and name it by its own words or synonyms — ``primary`` when they are
half its outputs or more (a fund for the topic under a generic name), ``partial`` otherwise
(a multi-purpose fund); two rows about it of any kind (or through the things a sector stands
for: 扶贫 → 贫困) make it ``partial``, one effect or satisfaction row naming it in passing does
not count. Its goal or overview naming the topic (its own words or synonyms) makes it
``partial`` (a multi-purpose fund).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product
from weakref import WeakKeyDictionary

from index.numbers import MONEY_UNITS
from index.schema import Funding as FundingLine
from index.schema import IndicatorRow, Project
from index.text import compact

from ..context import QAContext
from ..question import (
    GENERIC_WORDS,
    STOP_WORDS,
    FoldedTexts,
    Phrase,
    Understanding,
    group_occurs,
    occurs,
    term_key,
)
from ..question.levels import OUTPUT_KINDS, level2_kind

INCIDENTAL_LENGTH = 30
INCIDENTAL_HEAD = 15
# a name is about the topic when the topic's words make up this share of it …
NAME_SHARE = 0.6
# … and it holds this share of the topic's weight held by the best-covered name
NAME_RELATIVE = 0.7
GENERIC_WEIGHT = 0.3
# a word printed by a quarter of the projects or more does not name a topic on its own
COMMON_WEIGHT = math.log(4) + 0.1
MAX_ALTERNATIVES = 12
PROJECT_FIELDS = ("goal", "detail")  # the texts besides name and rows that bring a project in
_CLAUSES = re.compile(r"[，,；;。？?！!\n]+")
_LIST = re.compile(r"[、/]+")
# a clause giving examples of a class: 比如A、B之类, 像A、B这类, 例如A、B等
_EXAMPLES = re.compile(
    r"^(?:像是|像|比如说|比如|例如|诸如|譬如)(?P<items>.+?)(?:这类|这些|之类|这种|等等|等)?的?$"
)
_BRACKETED = re.compile(r"[(（]([\u4e00-\u9fff]{1,4})[)）](?=[\u4e00-\u9fff])")
_NAME_NOISE = re.compile(
    r"20\d{2}年?度?|[0-9.]+万?元|第[一二三四五六七八九十0-9]+批|[^\u4e00-\u9fff]"
)
_HELD: WeakKeyDictionary = WeakKeyDictionary()


@dataclass(frozen=True)
class ProjectMatch:
    """A project about the question's topic, how directly, and the rows that show it."""

    project: Project
    match: str
    evidence: tuple[str, ...]
    rows: tuple


def topic_alternatives(ctx: QAContext, u: Understanding) -> list[Phrase]:
    """The topic's alternatives: each clause's phrases, scene-setting clauses joined to each.

    ``法援这块儿，几个县区分别掏了多少钱`` → [法援]; ``文化这块，送戏下乡、博物馆之类`` →
    [文化 送戏下乡, 文化 博物馆]; ``普法、法治宣传这块`` → [普法, 法治宣传]; a clause giving
    examples of a class (``城市环境那块，比如洒水降尘、园林绿化养护之类``, ``像修路、农田、水利
    这类``) → the examples alone [洒水降尘, 园林绿化养护]: they name the class's projects, which
    need not print the class's own words; a word with its
    alternative in brackets is either (村(社区)干部 → 村干部, 社区干部). A bare word joined by
    和/及/与 to a phrase shares the phrase's subject (``人民陪审员选任和培训`` → 人民陪审员选任,
    人民陪审员培训).
    """
    clauses = []
    examples = []
    for clause in _CLAUSES.split(u.topic):
        listed = _EXAMPLES.match(clause.strip())
        if listed is not None:
            clause = listed.group("items")
        pieces = [alone for piece in _LIST.split(clause) for alone in _either(ctx, piece.strip())]
        phrases = [p for piece in pieces for p in _shared(ctx.matcher.phrases(piece))]
        if phrases:
            (examples if listed is not None else clauses).append(phrases)
    if examples:  # 比如洒水降尘、园林绿化养护之类: the examples name the class's projects
        clauses = examples
    out = []
    for combo in product(*clauses):
        groups = tuple({g.label: g for p in combo for g in p.groups}.values())
        out.append(Phrase("".join(p.text for p in combo), groups))
        if len(out) == MAX_ALTERNATIVES:
            break
    return out


def _either(ctx: QAContext, piece: str) -> list[str]:
    """A word with its alternative in brackets is either word: 村(社区)干部 → 村干部, 社区干部;
    村(居)法律顾问 → 村法律顾问, 居法律顾问. Other brackets are kept as printed."""
    match = _BRACKETED.search(piece)
    if not match:
        return [piece]
    before = ctx.matcher.tokenizer.cut(piece[: match.start()])
    if not before:
        return [piece]
    head = "".join(before[:-1])
    tail = piece[match.end() :]
    return [f"{head}{before[-1]}{tail}", f"{head}{match.group(1)}{tail}"]


def _shared(phrases: list[Phrase]) -> list[Phrase]:
    """Phrases joined by 和/及/与: a bare word after a subject-and-predicate phrase shares its
    subject."""
    if len(phrases) < 2 or len(phrases[0].groups) < 2:
        return phrases
    subject = phrases[0].groups[:-1]
    return [phrases[0]] + [
        Phrase(p.text, (*subject, *p.groups)) if len(p.groups) == 1 else p for p in phrases[1:]
    ]


def _unprinted(ctx: QAContext, phrase: Phrase, weights: dict[str, float]) -> bool:
    """The alternative is about something no project prints: a specific word of it (three
    characters or more) is printed in no project, or a word printed nowhere in the corpus is
    glued to its words and all it keeps are words many projects print (社区戒毒 → 社区; not
    专门做社区矫正, where 专门 is not part of the topic's word)."""
    if any(len(t) >= 3 and not weights.get(t) for t in phrase.terms):
        return True
    kept = [t for t in phrase.terms if weights.get(t)]
    if not kept or any(weights[t] > COMMON_WEIGHT for t in kept):
        return False
    tokens = ctx.matcher.tokenizer.cut(phrase.text)
    for index, word in enumerate(tokens):
        if len(word) < 2 or word.isdigit() or word in GENERIC_WORDS:
            continue
        if word in STOP_WORDS or all(ch in STOP_WORDS for ch in word):  # 县有, 哪些
            continue
        if any(word in t or t in word for t in phrase.terms) or ctx.matcher.known(word):
            continue
        neighbours = tokens[max(index - 1, 0) : index] + tokens[index + 1 : index + 2]
        if any(n in t or t in n for n in neighbours for t in kept):
            return True
    return False


def projects_about(ctx: QAContext, u: Understanding) -> list[ProjectMatch]:
    """Every project of the question's regions (all regions when none) about the topic.

    Only projects whose printed texts hold the topic's words are tested (each plan's
    ``reach``, found in texts folded once per index): the same projects as testing each one.
    """
    alternatives = topic_alternatives(ctx, u)
    projects = ctx.projects_in(u.regions, _year(u))
    if not alternatives or not projects:
        return []
    weights = _weights(ctx, alternatives)
    printed = ctx.kept(_Printed)
    terms = {t for a in alternatives for t in a.terms}
    in_name = {t: printed.in_name(ctx, t) for t in terms}
    named = set().union(*in_name.values())  # only these names weigh in a bar
    in_scope = _in_scope(ctx, projects, printed, named)
    bars = {a.text: _name_bar(ctx, a.terms, weights, in_scope) for a in alternatives}
    memo: dict = {}  # what depends only on a phrase, or on a row's text: once per question
    plans = memo["plans"] = _plans(ctx, alternatives, weights, bars, memo, printed, in_name)
    reach = set().union(*(plan.reach for plan in plans))  # the rest cannot match
    found = [
        f
        for f in (
            match_project(ctx, alternatives, weights, bars, p, memo)
            for p in _in_scope(ctx, projects, printed, reach)
        )
        if f
    ]
    return sorted(
        found,
        key=lambda f: (
            f.project.region or "",
            f.match != "primary",
            -(f.project.amount_wan or 0),
            f.project.id,
        ),
    )


def _in_scope(ctx: QAContext, scope: list[Project], printed: _Printed, ids: set[str]):
    """The projects of the scope (from :meth:`QAContext.projects_in`) with these ids, in id
    order; read by id when the scope is every project, not by a pass over it."""
    if len(scope) < len(ctx.sorted_projects):
        return [p for p in scope if p.id in ids]
    every, position = ctx.sorted_projects, printed.position
    return [every[position[i]] for i in sorted(ids) if i in position]


def project_names(ctx: QAContext) -> FoldedTexts:
    """Every project's name as keys print it, in the order of ``ctx.sorted_projects`` (kept
    per index: ``ctx.kept(project_names)``)."""
    return FoldedTexts(([p.name] for p in ctx.sorted_projects), compact)


class _Printed:
    """Every project's name, and all its printed texts (name, goal, overview, each row's
    level3), folded once per index (``ctx.kept(_Printed)``), to find the projects that can hold
    a term without testing each project."""

    def __init__(self, ctx: QAContext):
        projects = ctx.sorted_projects
        self.ids = [p.id for p in projects]
        self.position = {pid: at for at, pid in enumerate(self.ids)}
        fields = [ctx.project_texts(p) for p in projects]
        texts = [
            (*f.values(), *(r.level3 for r in p.indicators))
            for f, p in zip(fields, projects, strict=True)
        ]
        self.names = ctx.kept(project_names)
        self.compact = FoldedTexts(texts, compact)
        # each distinct row text: where it is printed (project id, the row's position)
        places: dict[str, list[tuple[str, int]]] = {}
        for project in projects:
            for position, row in enumerate(project.indicators):
                places.setdefault(row.level3, []).append((project.id, position))
        self.row_texts = list(places)
        self.row_places = places
        self.outputs = {p.id: sum(map(_is_output, p.indicators)) for p in projects}
        self.rows = FoldedTexts(([t] for t in self.row_texts), compact)
        self.fields = {
            where: (
                FoldedTexts(([f[where]] for f in fields), compact),
                FoldedTexts(([f[where]] for f in fields), term_key),
            )
            for where in PROJECT_FIELDS
        }

    def in_name(self, ctx: QAContext, term: str) -> set[str]:
        """Projects whose name holds the term (``term_in``)."""
        return {self.ids[i] for i in ctx.matcher.holders(term, self.names)}

    def rows_holding(self, ctx: QAContext, terms: tuple[str, ...]) -> list[str]:
        """The row texts holding every term (``term_in``): a bound on those about them."""
        found = set.intersection(*(ctx.matcher.holders(t, self.rows) for t in terms))
        return [self.row_texts[i] for i in sorted(found)]

    def rows_at(self, texts: Iterable[str]) -> dict[str, tuple[int, ...]]:
        """The projects printing one of these row texts, and the positions of those rows."""
        found: dict[str, list[int]] = {}
        for text in texts:
            for pid, position in self.row_places[text]:
                found.setdefault(pid, []).append(position)
        return {pid: tuple(sorted(positions)) for pid, positions in found.items()}

    def field_holding(self, ctx: QAContext, terms: tuple[str, ...], where: str) -> set[str]:
        """Projects whose goal or overview (``where``) may hold every term as :func:`_holds`
        reads it narrowly: a bound (a NUL inside a text only adds matches)."""
        folded, lowered = self.fields[where]
        found: set[int] | None = None
        for term in terms:
            if ctx.lexicon.knows(term):
                held = lowered.holding_any(term_key(v) for v in _synonyms(ctx, term))
            else:
                held = ctx.matcher.holders(term, folded)
            found = held if found is None else found & held
            if not found:
                return set()
        return {self.ids[i] for i in found or ()}


@dataclass(frozen=True)
class NameBar:
    """What a name must hold to be named after a topic it does not spell in full: the
    topic's heaviest word any name holds, and ``floor`` of the weight the best name holds."""

    key: str | None
    floor: float


@dataclass(frozen=True)
class _Plan:
    """One alternative of the topic as every project is matched against it: its weighted
    terms, its name bar, and the verdicts on row texts (loose and narrow) kept as they come."""

    terms: tuple[str, ...]
    bar: NameBar
    loose: dict[str, bool]
    narrow: dict[str, bool]
    # read from an index's printed texts (``_Printed``), else None and each project is tested:
    rows: dict[str, tuple[int, ...]] | None = None  # per project: its rows about the terms
    outputs: dict[str, int] | None = None  # per project: its output rows (数量, 质量 …)
    said: dict[str, set[str]] | None = None  # per field: projects it may hold every term in
    reach: frozenset[str] = frozenset()  # every project that can match the plan
    named: dict[str, set[str]] | None = None  # per term (and the bar's key): names holding it


def match_project(
    ctx: QAContext,
    alternatives: list[Phrase],
    weights: dict[str, float],
    bars: dict[str, NameBar],
    project: Project,
    memo: dict | None = None,
) -> ProjectMatch | None:
    """How the project concerns the topic (see the module docstring), or None.

    ``bars`` gives each alternative's :class:`NameBar` over the projects in scope; ``memo``
    (one dict for the projects of one question) keeps what depends only on a phrase or on a
    row's text, which repeats across projects (服务对象满意度 …).
    """
    memo = {} if memo is None else memo
    plans = memo.get("plans")
    if plans is None:
        plans = memo["plans"] = _plans(ctx, alternatives, weights, bars, memo)
    best: ProjectMatch | None = None
    for plan in plans:
        found = _match_one(ctx, plan, weights, project)
        if found is not None and (best is None or _rank(found) < _rank(best)):
            best = found
    return best


def _plans(
    ctx: QAContext,
    alternatives: list[Phrase],
    weights: dict[str, float],
    bars: dict[str, NameBar],
    memo: dict,
    printed: _Printed | None = None,
    in_name: dict[str, set[str]] | None = None,
) -> list[_Plan]:
    """Per alternative that can match, what :func:`match_project` reads for every project,
    worked out once per question; with ``printed``, also the row texts about it and the
    projects it can reach, found in the index's folded texts instead of project by project
    (``in_name``: the projects whose name holds each term, when already found)."""
    out = []
    for phrase in alternatives:
        terms = tuple(t for t in phrase.terms if weights.get(t, 0) > 0)
        if not terms or _unprinted(ctx, phrase, weights):
            continue
        bar = bars.get(phrase.text, NameBar(None, 1.0))
        loose, narrow = _verdicts(memo, terms, False), _verdicts(memo, terms, True)
        if printed is None:
            out.append(_Plan(terms, bar, loose, narrow))
            continue
        about = [t for t in printed.rows_holding(ctx, terms) if _text_verdict(ctx, terms, t, loose)]
        rows = printed.rows_at(about)
        said = {where: printed.field_holding(ctx, terms, where) for where in PROJECT_FIELDS}
        in_name = {} if in_name is None else in_name
        for term in (*terms, bar.key):
            if term is not None and term not in in_name:
                in_name[term] = printed.in_name(ctx, term)
        named = set.intersection(*(in_name[t] for t in terms))
        if bar.key is not None:
            named |= in_name[bar.key]
        reach = frozenset(named | rows.keys() | set().union(*said.values()))
        out.append(_Plan(terms, bar, loose, narrow, rows, printed.outputs, said, reach, in_name))
    return out


def _name_bar(ctx: QAContext, terms: tuple, weights: dict[str, float], projects) -> NameBar:
    named = [t for t in terms if any(ctx.matcher.term_in(t, p.name) for p in projects)]
    key = max(named, key=lambda t: (weights.get(t, 0.0), t), default=None)
    best = max((_name_coverage(ctx, terms, weights, p.name) for p in projects), default=0.0)
    return NameBar(key, NAME_RELATIVE * best)


def _match_one(
    ctx: QAContext, plan: _Plan, weights: dict[str, float], project: Project
) -> ProjectMatch | None:
    terms = plan.terms
    if plan.rows is None:
        rows = tuple(
            r for r in project.indicators if _row_verdict(ctx, terms, r, False, plan.loose)
        )
    else:
        rows = tuple(project.indicators[i] for i in plan.rows.get(project.id, ()))
    if plan.named is None:
        held = [t for t in terms if ctx.matcher.term_in(t, project.name)]
    else:  # the same terms, read from the names found holding each (one pass per term)
        held = [t for t in terms if project.id in plan.named[t]]
    if _named_after(ctx, terms, weights, plan.bar, project.name, held):
        return ProjectMatch(project, "primary", ("项目名称",), rows)
    exact = [r for r in rows if _row_verdict(ctx, terms, r, True, plan.narrow)]
    outputs = [r for r in exact if _is_output(r)]
    if outputs:
        if plan.outputs is None:
            every = sum(1 for r in project.indicators if _is_output(r))
        else:
            every = plan.outputs[project.id]
        mostly = len(outputs) * 2 >= every
        return ProjectMatch(project, "primary" if mostly else "partial", ("绩效指标",), rows)
    if len(rows) >= 2:
        return ProjectMatch(project, "partial", ("绩效指标",), rows)
    texts = ctx.project_texts(project)
    for where, label in zip(PROJECT_FIELDS, ("绩效目标", "项目概况"), strict=True):
        if plan.said is not None and project.id not in plan.said[where]:
            continue
        if all(_holds(ctx, t, texts[where], narrow=True) for t in terms):
            return ProjectMatch(project, "partial", (label,), ())
    return None


def _is_output(row: IndicatorRow) -> bool:
    return level2_kind(row.level1, row.level2) in OUTPUT_KINDS


def _rank(match: ProjectMatch) -> tuple:
    return (match.match != "primary", match.evidence[0] != "项目名称", -len(match.rows))


def _named_after(
    ctx: QAContext,
    terms: list[str],
    weights: dict[str, float],
    bar: NameBar,
    name: str,
    held: list[str],
) -> bool:
    """True when the name holds every term (``held``: the terms it holds, ``term_in``), or the
    terms make up most of the name and it holds the bar's key word and at least its floor of the
    terms' weight."""
    if len(held) == len(terms):
        return True
    if bar.key not in held or _held_weight(terms, weights, held) < bar.floor:
        return False
    return _name_share(ctx, held, name) >= NAME_SHARE


def _name_coverage(
    ctx: QAContext, terms: tuple | list, weights: dict[str, float], name: str
) -> float:
    """Weighted share of the terms the name holds."""
    return _held_weight(terms, weights, [t for t in terms if ctx.matcher.term_in(t, name)])


def _held_weight(terms: tuple | list, weights: dict[str, float], held: list[str]) -> float:
    """Weighted share of the terms held (:func:`_name_coverage` once they are known)."""
    total = sum(weights.get(t, 0.0) for t in terms)
    if not total:
        return 0.0
    return sum(weights.get(t, 0.0) for t in held) / total


def _name_share(ctx: QAContext, terms: list[str], name: str) -> float:
    """Share of the name's content characters spelled by the terms (or their variants)."""
    key = _NAME_NOISE.sub("", compact(name))
    for word in sorted(GENERIC_WORDS, key=len, reverse=True):
        key = key.replace(word, " " * len(word))
    content = len(key.replace(" ", ""))
    if not content:
        return 0.0
    covered = [False] * len(key)
    for term in terms:
        for variant in ctx.matcher.variants(term):
            start = key.find(variant) if variant else -1
            while start != -1:
                covered[start : start + len(variant)] = [True] * len(variant)
                start = key.find(variant, start + 1)
    return sum(c and ch != " " for c, ch in zip(covered, key, strict=True)) / content


def _verdicts(memo: dict, terms: tuple[str, ...], narrow: bool) -> dict[str, bool]:
    """The verdicts of :func:`_row_about` on row texts for these terms, kept in ``memo``."""
    found = memo.get(("rows", terms, narrow))
    if found is None:
        found = memo["rows", terms, narrow] = {}
    return found


def _row_verdict(
    ctx: QAContext, terms: tuple[str, ...], row: IndicatorRow, narrow: bool, verdicts: dict
) -> bool:
    """:func:`_row_about`, once per row text (``verdicts``: of :func:`_verdicts`)."""
    return _text_verdict(ctx, terms, row.level3, verdicts, narrow)


def _text_verdict(
    ctx: QAContext, terms: tuple[str, ...], text: str, verdicts: dict, narrow: bool = False
) -> bool:
    """:func:`_row_about` on a row text, once per text."""
    found = verdicts.get(text)
    if found is None:
        found = verdicts[text] = _row_about(ctx, terms, text, narrow)
    return found


def _row_about(ctx: QAContext, terms: tuple[str, ...], text: str, narrow: bool = False) -> bool:
    """The row holds every term as a word (调解 is not in 协调解决), and is about them, not a
    long list of duties naming them. ``narrow``: by the term or its synonyms only, not by the
    members of a category it heads (扶贫 → 贫困, 建档立卡)."""
    if not all(_holds(ctx, t, text, narrow) and _at_word(ctx, t, text) for t in terms):
        return False
    if len(text) <= INCIDENTAL_LENGTH:
        return True
    head = text[:INCIDENTAL_HEAD]
    return all(_holds(ctx, t, head, narrow) for t in terms)


def _holds(ctx: QAContext, term: str, text: str, narrow: bool = False) -> bool:
    """The text holds the term: a lexicon variant of it, or all its inner words; ``narrow``:
    the term itself or a synonym."""
    if not narrow or not ctx.lexicon.knows(term):
        return ctx.matcher.term_in(term, text)
    key = term_key(text)
    return any(term_key(v) in key for v in _synonyms(ctx, term))


def _synonyms(ctx: QAContext, term: str) -> set[str]:
    """The term and the terms of its non-category concepts."""
    out = {term}
    for concept in ctx.lexicon.concepts_of(term):
        if not concept.category:
            out.update(concept.terms)
    return out


def _at_word(ctx: QAContext, term: str, text: str) -> bool:
    """A variant printed in the text starts or ends on a word boundary (or none is printed and
    the term's inner words are)."""
    printed = [v for v in ctx.matcher.variants(term) if v and term_key(v) in term_key(text)]
    return not printed or any(occurs(text, term_key(v), ctx.lexicon.tokenizer) for v in printed)


def _weights(ctx: QAContext, alternatives: list[Phrase]) -> dict[str, float]:
    """Each term's weight: rarity over the projects (0 when no project prints it in its name,
    goal, overview or a row: the texts ``_Printed`` folds)."""
    texts = ctx.kept(_Printed).compact
    count = len(texts) or 1
    weights = {}
    counted = _HELD.setdefault(ctx.matcher, {})  # a term's project count, once per index
    for term in {t for p in alternatives for t in p.terms}:
        held = counted.get(term)
        if held is None:
            held = counted[term] = len(ctx.matcher.holders(term, texts))
        if not held:
            weights[term] = 0.0
            continue
        weight = math.log((count + 1) / (held + 0.5)) + 0.1
        weights[term] = weight * (GENERIC_WEIGHT if term in GENERIC_WORDS else 1.0)
    return weights


def _year(u: Understanding) -> int | None:
    return u.years[0] if u.years else None


def topic_projects(ctx: QAContext, u: Understanding) -> list[Project]:
    """The projects an aggregate is over: named after the topic, else about it; all of the
    scope only when the question names no topic (a topic no project is about is not every
    project: 省委办公厅住房公积金 sums no project money)."""
    scope = ctx.projects_in(u.regions, _year(u))
    if not u.phrases:
        return scope
    if not _names_topic(ctx, u):
        return _of_organisations_named(u, scope)
    found = projects_about(ctx, u)
    # only projects about the topic: partly related ones are not what an aggregate adds up,
    # nor a name holding a single word of a long topic (人大 of 人大常委会机关一共多少编制)
    groups = [g for phrase in u.phrases for g in phrase.groups]
    tokenizer = ctx.lexicon.tokenizer
    found = [
        f
        for f in found
        if len(groups) <= 2
        or "项目名称" not in f.evidence
        or 2 * sum(group_occurs(f.project.name, g, tokenizer) for g in groups) >= len(groups)
    ]
    by_name = [f.project for f in found if "项目名称" in f.evidence]
    if by_name:
        return by_name
    return [f.project for f in found if f.match == "primary"]


def _of_organisations_named(u: Understanding, scope: list[Project]) -> list[Project]:
    """The scope's projects of the department or implementing unit whose name holds the
    question's words (岳阳县和衡山县农田建设的钱: 农田建设服务中心's, not every project of both
    counties); all of them when every project's organisations hold the words (平罗司法局这批
    项目), or none does."""
    labels = [compact(g.label) for p in u.phrases for g in p.groups if g.label not in MONEY_UNITS]

    def named(project: Project) -> bool:
        names = [compact(n) for n in (project.department, project.implementing_unit) if n]
        return all(any(label in name for name in names) for label in labels)

    held = [p for p in scope if named(p)]
    return held or scope


def names_topic(ctx: QAContext, u: Understanding) -> bool:
    """The question names a topic within its scope (平罗县有哪些项目 names none; 司法局项目
    names the department, not a topic)."""
    return bool(u.phrases) and _names_topic(ctx, u)


def topic_label(ctx: QAContext, u: Understanding) -> str:
    """The topic as shown in an answer: its words (法律援助、社区矫正), never the question's
    asking words (一共多少钱); empty when the question names no topic."""
    if not names_topic(ctx, u):
        return ""
    orgs = ctx.organisations_in(u.regions, _year(u))
    labels = [
        group.label
        for phrase in u.phrases
        for group in phrase.groups
        if group.label not in MONEY_UNITS and group.label not in orgs
    ]
    return "、".join(dict.fromkeys(labels))


def _names_topic(ctx: QAContext, u: Understanding) -> bool:
    """Some content word of the question is neither a unit (万元) nor words of the scope's
    department names (平罗司法局这批项目 names a department, not a topic)."""
    orgs = ctx.organisations_in(u.regions, _year(u))
    return any(
        group.label not in MONEY_UNITS and group.label not in orgs
        for phrase in u.phrases
        for group in phrase.groups
    )


def funding_lines(ctx: QAContext, u: Understanding) -> list[tuple[Project, FundingLine]]:
    """Each project's funding line of the source the question names (中央补助 …), with an amount."""
    label = compact(u.funding_label or "")
    if not label:
        return []
    items = []
    for project in ctx.projects_in(u.regions, _year(u)):
        for line in project.funding:
            printed = compact(line.label)
            if (label in printed or printed in label) and line.amount_wan:
                items.append((project, line))
    return items
