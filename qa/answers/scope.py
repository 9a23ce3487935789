"""Say 未找到 when the question names a region, year, department or unit the corpus does not
hold (江苏省政府办公厅, 岳阳县教育局), or a year the named department's documents do not
cover — before any answerer reads another department's figure as if it were the one asked for."""

from __future__ import annotations

import re
from dataclasses import replace
from weakref import WeakKeyDictionary

from index.lexical import Tokenizer
from index.text import compact, in_order

from ..context import QAContext, region_matches
from ..evidence.match import Key, union
from ..evidence.records import records_of
from ..evidence.topic import project_names
from ..question import GENERIC_WORDS, Understanding
from ..question.regions import leading_place, lies_within
from ..question.terms import FoldedTexts, GroupedTexts, word_edges
from ..question.understand import without_preamble
from ..question.words import ASK_WORDS, STOP_WORDS
from ..sources import Sources
from .format import more_names, project_amount
from .schema import Answer

_ORG = re.compile(
    r"[\u4e00-\u9fff]{1,12}?(?:委员会|办公厅|办公室|人民政府|政府|法院|检察院|局|委|办|院|厅|中心|学校|"
    r"中学|小学|幼儿园|站|馆|队|处|所|公司|协会)"
)
_LEADING = re.compile(r"^(?:[，,\s]|(?:19|20)?\d{2}年(?:度)?|的|省|市|县|区)*")
_NOT_ORG = re.compile(r"^(?:哪个|哪些|各|本|该|这个|那个|全)")
# a verb ending in an office's character (举办, 承办, 查处): no department's name
_VERB_TAIL = re.compile(r"(?:举|承|主|协|创|开|兴|督|操|代|包|筹|查|严)(?:办|处)$")
SHOWN = 8
MAX_ORG = 16  # chars of a department's name
PRINTED_TAIL = 4  # chars: a shorter tail (办公厅) names too many
_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def outside_corpus(ctx: QAContext, u: Understanding) -> Answer | None:
    """Say so when the question names a region or year the corpus does not hold (tried before
    every answerer)."""
    if not ctx.outside(u):
        return None
    if u.unknown_places and not u.regions:
        return _place_not_held(ctx, u, tuple(u.unknown_places))
    listed = "、".join(str(y) for y in sorted(ctx.years))
    return Answer(
        question=u.question,
        intent=u.intent,
        found=False,
        text=f"未找到：语料中没有{'、'.join(map(str, u.years))}年度的文件。现有年度：{listed}。",
    )


def answer_outside_scope(ctx: QAContext, u: Understanding) -> Answer | None:
    """未找到 when a named department is not in the corpus (in the named regions), or none of
    its documents is of the named year; None otherwise."""
    orgs = known_orgs(ctx)
    for mention in org_mentions(u, ctx.store.lexical.tokenizer):
        candidates = [o for o, region in orgs if not u.regions or _in_regions(region, u)]
        matched = [o for o in candidates if _names(mention, o, ctx)]
        if not matched and _printed(ctx, u, mention, ctx.store.lexical.tokenizer):
            continue  # not a department, but its documents name it (秀山公证处 in 秀山's tables)
        if not matched:
            return _not_found(u, f"语料中没有“{mention}”的文件。{_listing(candidates, orgs, u)}")
        years = {y for o, y in org_years(ctx) if o in matched and y}
        if u.years and years and not set(u.years) & years:
            shown = "、".join(f"{y}年" for y in sorted(years))
            return _not_found(
                u, f"语料中没有{mention}{'、'.join(map(str, u.years))}年的文件（只有{shown}）"
            )
    return None


def scoped(ctx: QAContext, u: Understanding) -> Understanding:
    """The understanding scoped to the department the question opens with, when the corpus
    holds it (江苏高院2019年政府采购 → 江苏省高级人民法院's documents only)."""
    if u.comparison is not None:
        return u  # 嘉峪关博物馆和石嘴山疾控比: both sides are compared, the extremes name them
    mentions = org_mentions(u, ctx.store.lexical.tokenizer, shortest=2)
    if not mentions:
        return u
    # departments and implementing units (cached): records are scoped by either
    orgs = {o for o, region in known_orgs(ctx) if not u.regions or _in_regions(region, u)}
    matched = _closest(mentions[0], [o for o in orgs if _names(mentions[0], o, ctx)])
    return replace(u, departments=tuple(sorted(matched))) if matched else u


def _closest(mention: str, orgs: list[str]) -> list[str]:
    """Of the organisations a mention names, those whose name prints it in the fewest pieces
    (省委办公厅 is 中共江苏省委办公厅 whole, and 江苏省人大常委会办公厅 only in three)."""
    if not orgs:
        return []
    pieces = {o: _pieces(compact(mention), compact(o)) for o in orgs}
    fewest = min(pieces.values())
    return [o for o in orgs if pieces[o] == fewest]


def _pieces(short: str, long: str) -> int:
    """In how many runs ``short``'s characters are found in order in ``long`` (greedy, each
    character at its first place after the last); the length of ``short`` when not in order."""
    runs, position, last = 0, 0, -2
    for ch in short:
        found = long.find(ch, position)
        if found < 0:
            return len(short)
        runs += found != last + 1
        position, last = found + 1, found
    return runs


def org_mentions(u: Understanding, tokenizer: Tokenizer, shortest: int = 3) -> list[str]:
    """The department a question is scoped to: a department-like name opening the question
    after its region and year words (岳阳县教育局有哪些…, 江苏省政府办公厅2019年…), from a
    word's start to a word's end. A unit named further on is what the question is about
    (…办案费划给了纪委), not whose documents it asks for."""
    text = compact(without_preamble(u.question))
    for word in u.region_words:
        text = text.replace(compact(word), "，")
    text = _LEADING.sub("", text)
    for token in tokenizer.cut(text):
        if token not in STOP_WORDS and token not in ASK_WORDS:
            break
        text = text[len(token) :]  # 给政府聘的… opens with 给, not a department
    edges = word_edges(tokenizer, text)
    ends = [e for e in sorted(edges) if shortest <= e <= MAX_ORG and _ORG.fullmatch(text[:e])]
    if not ends or _NOT_ORG.match(text):
        return []
    mention = text[: ends[0]]
    if any(t in ASK_WORDS or t in STOP_WORDS for t in tokenizer.cut(mention)):
        return []  # 律师值班费聘请几个律所 asks about a project, it names no department
    if _VERB_TAIL.search(mention):
        return []  # 普法宣传举办一场活动: 举办 is done, not a 办 (office)
    return [mention]


def other_project_word(ctx: QAContext, u: Understanding, key: Key, fits) -> str | None:
    """A word of the question the chosen records leave out but another project of the
    question's regions is named with: the question names that project, not theirs (博物馆提升
    改造项目's 满意度 is not 免费开放补助资金's). None when the records print every such word.

    Wrong-topic family: a named project's distinguishing words must be the answer's own.
    """
    marks = union(*(f.marks for f in fits))
    words = _uncovered_words(ctx, key, marks)
    if not words:
        return None
    owners = {f.record.project_id for f in fits if f.record.project_id}
    year = u.years[0] if len(u.years) == 1 else None
    names, projects = ctx.kept(project_names), ctx.sorted_projects
    others = None  # the projects of the question's regions and year, read when a name holds w
    for word in words:
        holding = names.holding(word)
        if not holding:
            continue
        if others is None:
            others = {p.id for p in ctx.projects_in(u.regions, year)} - owners
        if any(projects[i].id in others for i in holding):
            return word
    return None


def _uncovered_words(ctx: QAContext, key: Key, marks: tuple[float, ...]) -> list[str]:
    """The key's content words (two characters or more) some character of which the marks
    leave uncovered."""
    out, start = [], 0
    for word in ctx.lexicon.tokenizer.cut(key.text, new_words=False):
        end = start + len(word)
        if (
            len(word) >= 2
            and word not in GENERIC_WORDS
            and word not in STOP_WORDS
            and word not in ASK_WORDS
            and any(m < 1.0 for m in marks[start:end])
        ):
            out.append(word)
        start = end
    return out


def _listing(candidates: list[str], orgs: list[tuple[str, str | None]], u: Understanding) -> str:
    """The units the corpus does hold: those of the named regions, else some of all."""
    if candidates and u.regions:
        names = sorted(set(candidates))
        where = "、".join(u.regions)
        more = "等" if len(names) > SHOWN else ""
        return f"{where}现有单位：{'、'.join(names[:SHOWN])}{more}"
    names = sorted({o for o, _ in orgs})
    return f"现有单位：{'、'.join(names[:SHOWN])}{'等' if len(names) > SHOWN else ''}"


def _printed(ctx: QAContext, u: Understanding, mention: str, tokenizer: Tokenizer) -> bool:
    """Some record of the named regions prints the mention, or its last words (智慧矫正中心
    of 去年结转智慧矫正中心)."""
    edges = word_edges(tokenizer, mention)
    tails = [mention] + [mention[i:] for i in sorted(edges) if len(mention) - i >= PRINTED_TAIL]
    if not tails:
        return False
    prints = ctx.kept(_Prints)
    # a project's table names it (公证处业务经费)
    if any(
        tail in f"{r.owner} {r.label}" and _in_regions(r.region, u)
        for tail in tails
        for r in prints.tables.holding_any(tail)
    ):
        return True
    # prose and notes name any other body (检察院's 划给了纪委监委): they count only in a
    # document that names no department of its own (景东民政局 of an unsigned table)
    return any(
        tail in r.text and _in_regions(r.region, u) and _in_regions(prints.unsigned[r.doc], u)
        for tail in tails
        for r in prints.prose.holding_any(tail)
    )


class _Prints:
    """The records a mention may be printed in, joined once per index (``ctx.kept``), so that
    :func:`_printed` finds the few holding it instead of testing every record: table records
    (amounts, indicator rows, form fields) by owner and label, and every record of the
    documents that name no department (``unsigned``: their region) by its text."""

    _TABLES = ("amount", "indicator", "field")

    def __init__(self, ctx: QAContext):
        records = records_of(ctx.store)
        self.unsigned = {
            doc: parsed.document.region
            for doc, parsed in ctx.store.documents.items()
            if not parsed.document.department
        }
        self.tables = _PartHolders([r for r in records if r.kind in self._TABLES])
        self.prose = _Holders([r for r in records if r.doc in self.unsigned], lambda r: r.text)


class _Holders:
    """Records and one text of each, joined: the records whose text may hold a string (a
    superset: test each one found)."""

    def __init__(self, records: list, text):
        self.records = records
        self.texts = FoldedTexts([[text(r)] for r in records], str)

    def holding_any(self, term: str) -> list:
        return [self.records[i] for i in sorted(self.texts.holding(term))]


class _PartHolders:
    """Table records and their text ``owner label``: the records whose text may hold a string
    (a superset: test each one found). Owners and labels are folded apart, each distinct one
    once (:class:`GroupedTexts`): one text per record was ~0.25 GB at a million rows, and more
    while it was joined. A string without a space is printed in the owner or in the label."""

    def __init__(self, records: list):
        self.records = records
        self._owners = GroupedTexts((r.owner for r in records), str)
        self._labels = GroupedTexts((r.label for r in records), str)

    def holding_any(self, term: str) -> list:
        if " " in term:  # may span owner and label: test each record
            return [r for r in self.records if term in f"{r.owner} {r.label}"]
        found = self._owners.holding(term) | self._labels.holding(term)
        return [self.records[i] for i in sorted(found)]


def _names(mention: str, org: str, ctx: QAContext) -> bool:
    """The mention names the organisation: its characters in order (高院 → 高级人民法院), or a
    lexicon variant of it does."""
    key = compact(org)
    variants = {compact(mention)}
    for term, concept in ctx.lexicon.concepts_in(mention):
        for variant in concept.terms:
            variants.add(compact(mention).replace(term, compact(variant)))
    return any(in_order(v, key) for v in variants)


def _in_regions(region: str | None, u: Understanding) -> bool:
    return not u.regions or region is None or any(region_matches(region, r) for r in u.regions)


def _orgs(store) -> tuple[tuple[str, str | None, int | None], ...]:
    """(organisation, region, year) of every department and implementing unit (cached)."""
    found = _CACHE.get(store)
    if found is not None:
        return found
    seen: set[tuple[str, str | None, int | None]] = set()
    for parsed in store.documents.values():
        document = parsed.document
        if document.department:
            seen.add((document.department, document.region, document.year))
        for project in parsed.projects:
            for name in (project.department, project.implementing_unit):
                if name:
                    seen.add((name, project.region, project.year))
        for plan in parsed.plans:
            if plan.department:
                seen.add((plan.department, plan.region, plan.year))
    found = _CACHE[store] = tuple(sorted(seen, key=lambda o: (o[0], o[1] or "", o[2] or 0)))
    return found


def known_orgs(ctx: QAContext) -> list[tuple[str, str | None]]:
    """(organisation, region) of every department and implementing unit the corpus names."""
    return sorted({(o, r) for o, r, _ in _orgs(ctx.store)}, key=lambda o: (o[0], o[1] or ""))


def org_years(ctx: QAContext) -> list[tuple[str, int | None]]:
    """(organisation, year) of every document and project."""
    return [(o, y) for o, _, y in _orgs(ctx.store)]


def with_other_years(ctx: QAContext, u: Understanding, answer: Answer) -> Answer:
    """A project's figure asked without a year, when the corpus holds the project in other
    years too: the answer says which year it gave and where the others are (never one year at
    random, silently)."""
    if u.years or not answer.found or not answer.projects or answer.intent not in _ONE_PROJECT:
        return answer
    first = answer.projects[0]
    same = [
        p
        for p in _projects_by_name(ctx).get((first.region, compact(first.project)), ())
        if p.year and p.year != first.year
    ]
    if not same:
        return answer
    sources = Sources.of(ctx.store)
    others = "；".join(
        f"{p.year}年度{project_amount(p)}（见{sources.cite_project(p)}）"
        for p in sorted(same, key=lambda p: -p.year)
    )
    latest = max(p.year for p in same) < (first.year or 0)
    newest = "（最新）" if latest else ""
    said = f"问题未指明年度，以上为{first.year}年度{newest}；同名项目另有{others}。"
    return replace(answer, text=f"{answer.text}\n{said}")


def places_not_in_corpus(ctx: QAContext, u: Understanding) -> tuple[str, ...]:
    """Place words of the question that name no region of the corpus (they only narrow the
    search to documents that print no region)."""
    return tuple(u.unknown_places) + tuple(leading_place(u.question, ctx.regions.regions))


def _place_not_held(ctx: QAContext, u: Understanding, places: tuple[str, ...]) -> Answer:
    """未找到 for places the corpus holds no document of, with the regions it does hold."""
    regions = list(ctx.regions.regions)
    # a national corpus holds thousands of regions; a corpus of unsigned tables holds none
    known = "现有文件均未注明地区。"
    if regions:
        known = f"现有地区：{more_names(regions, '个地区')}。"
    named = "、".join(dict.fromkeys(places))
    return Answer(
        question=u.question,
        intent=u.intent,
        found=False,
        text=f"未找到：语料中没有{named}的文件。{known}",
        extra={"unknown_places": list(dict.fromkeys(places))},
    )


def for_place_not_held(ctx: QAContext, u: Understanding, answer: Answer) -> Answer:
    """An answer to a question naming a place that no document of the corpus is signed with
    (临海绿化养护…, 临海法律援助经费多少), checked against the records it cites (wrong-place
    family: never another place's figure, silently):

    - from tables signed with another place (阳城县's 法律援助经费): 未找到, as for a place
      named in full (平阳县…);
    - from tables that name no region: the figure, and a note that they name none (such a
      table may be that place's, or another's);
    - from a place within the one named (晋城 → 阳城县): unchanged.
    """
    places = places_not_in_corpus(ctx, u)
    cited = (*answer.projects, *answer.indicators, *answer.facts, *answer.sources)
    if not answer.found or not places or not cited:
        return answer
    if any(lies_within(item.region, place) for item in cited for place in places):
        return answer
    if cited[0].region:
        return _place_not_held(ctx, u, places)
    named = "、".join(dict.fromkeys(places))
    said = f"注：所引表格未注明地区，语料中没有标明{named}的文件，请核对是否为{named}的表格。"
    return replace(answer, text=f"{answer.text}\n{said}")


_ONE_PROJECT = ("amount_lookup", "indicator_value", "lookup")
_BY_NAME: WeakKeyDictionary = WeakKeyDictionary()


def _projects_by_name(ctx: QAContext) -> dict[tuple[str | None, str], list]:
    """Projects by (region, name) (cached per index: asked after every answer)."""
    found = _BY_NAME.get(ctx.store)
    if found is None:
        found = {}
        for project in ctx.sorted_projects:
            found.setdefault((project.region, compact(project.name)), []).append(project)
        _BY_NAME[ctx.store] = found
    return found


def _not_found(u: Understanding, why: str) -> Answer:
    return Answer(question=u.question, intent=u.intent, text=f"未找到：{why}。", found=False)


__all__ = [
    "answer_outside_scope",
    "known_orgs",
    "org_mentions",
    "other_project_word",
    "outside_corpus",
    "scoped",
    "with_other_years",
]
