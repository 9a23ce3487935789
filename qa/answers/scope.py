"""Say 未找到 when the question names a region, year, department or unit the corpus does not hold (江苏省政府
办公厅, 岳阳县教育局), or a year the named department's documents do not cover — before any
answerer reads another department's figure as if it were the one asked for."""

from __future__ import annotations

import re
from weakref import WeakKeyDictionary

from index.lexical import Tokenizer
from index.text import compact

from ..context import QAContext, region_matches
from ..evidence.records import records_of
from ..question import Understanding
from ..question.terms import word_edges
from .schema import Answer

_ORG = re.compile(
    r"[\u4e00-\u9fff]{2,12}?(?:委员会|办公厅|办公室|人民政府|政府|法院|检察院|局|委|办|院|厅|中心|学校|"
    r"中学|小学|幼儿园|站|馆|队)"
)
_NOT_ORG = re.compile(r"^(?:哪个|哪些|各|本|该|这个|那个|全)")
SHOWN = 8
PRINTED_TAIL = 4  # chars: a shorter tail (办公厅) names too many
_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def outside_corpus(ctx: QAContext, u: Understanding) -> Answer | None:
    """Say so when the question names a region or year the corpus does not hold (tried before
    every answerer)."""
    if not ctx.outside(u):
        return None
    if u.unknown_places and not u.regions:
        known = "、".join(ctx.regions.regions)
        return Answer(
            question=u.question,
            intent=u.intent,
            found=False,
            text=f"未找到：语料中没有{'、'.join(u.unknown_places)}的文件。现有地区：{known}。",
            extra={"unknown_places": list(u.unknown_places)},
        )
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
            return _not_found(u, f"语料中没有{mention}{'、'.join(map(str, u.years))}年的文件（只有{shown}）")
    return None


def org_mentions(u: Understanding, tokenizer: Tokenizer) -> list[str]:
    """Department-like names in the question, starting and ending on word edges (司法局, not
    办 of 办案; 智慧矫正中心, not 的智慧矫正中心), without the region words before them."""
    text = compact(u.question)
    for word in u.region_words:
        text = text.replace(compact(word), "，")
    edges = word_edges(tokenizer, text)
    out = []
    for match in _ORG.finditer(text):
        if match.end() not in edges:
            continue
        starts = [i for i in range(match.start(), match.end() - 2) if i in edges]
        start = max((i for i in starts if text[i - 1 : i] == "的"), default=starts[0] if starts else None)
        if start is None:
            continue
        name = re.sub(r"^(?:省|市|县|区|州)", "", text[start : match.end()])
        if len(name) >= 3 and not _NOT_ORG.match(name):
            out.append(name)
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
    tails = [mention[i:] for i in sorted(edges) if len(mention) - i >= PRINTED_TAIL]
    if not tails:
        return False
    return any(
        any(tail in record.text for tail in tails)
        for record in records_of(ctx.store)
        if _in_regions(record.region, u)
    )


def _names(mention: str, org: str, ctx: QAContext) -> bool:
    """The mention names the organisation: its characters in order (高院 → 高级人民法院), or a
    lexicon variant of it does."""
    key = compact(org)
    variants = {compact(mention)}
    for term, concept in ctx.lexicon.concepts_in(mention):
        for variant in concept.terms:
            variants.add(compact(mention).replace(term, compact(variant)))
    return any(_subsequence(v, key) for v in variants)


def _subsequence(short: str, long: str) -> bool:
    position = 0
    for ch in short:
        position = long.find(ch, position)
        if position < 0:
            return False
        position += 1
    return True


def _in_regions(region: str | None, u: Understanding) -> bool:
    return region is None or any(region_matches(region, r) for r in u.regions)


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


def _not_found(u: Understanding, why: str) -> Answer:
    return Answer(question=u.question, intent=u.intent, text=f"未找到：{why}。", found=False)


__all__ = ["answer_outside_scope", "known_orgs", "org_mentions", "outside_corpus"]
