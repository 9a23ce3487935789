"""Topic phrases of a question, and the term groups an indicator row must contain to match.

A question such as ``行政执法人员培训、持证上岗相关的指标有哪些`` is reduced to its topic
(question words, levels, regions and years removed), split into phrases
(``行政执法人员培训`` / ``持证上岗``), and each phrase into term groups: a lexicon term
with its interchangeable variants, or a plain word. A row matches a phrase when every group
of the phrase occurs in it. Occurrences must start or end on a word boundary, so ``调解``
does not match inside ``协调解决``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.lexical import Tokenizer, domain_terms
from index.text import compact

from .levels import kinds_in
from .lexicon import Concept, Lexicon
from .regions import RegionIndex

# Question words, removed before the topic is split (longest patterns first).
_FILLERS = re.compile(
    r"有哪些(?:不同的?)?(?:写法|表述|说法|提法)|(?:有|都有)?(?:什么|哪几种|哪些)(?:写法|表述|说法)"
    r"|(?:都|应该|应当|可以)?(?:怎么|怎样|如何)(?:写|表述|设置|设定|填|定)"
    r"|(?:相关|有关|涉及)的?(?:绩效)?(?:指标|目标)?|(?:绩效)?(?:指标|目标)(?:有哪些|是什么|有什么)?"
    r"|有哪些是|有哪些|哪些是|哪些|有什么|是什么|都有|请问|请列出|列出|找出|查找|看看"
    r"|针对|关于|对于|涉及|属于|其中|里面|当中|本身|自己"
    r"|[?？!！。:：]"
)
QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")
_SEPARATORS = re.compile(r"[、，,;；/]+|以及|或者|还有")
_JOINERS = frozenset({"和", "及", "与", "或", "跟", "同"})
_EDGE_WORDS = (
    "这类",
    "这些",
    "等等",
    "等",
    "的",
    "是",
    "里",
    "中",
    "类",
    "方面",
    "们",
    "所有",
    "全部",
)
_YEAR = re.compile(r"(20[0-9]{2})年?(?:度)?")
STOP_WORDS = frozenset(
    "的 了 是 在 对 为 有 里 中 上 下 个 们 之 其 各 等 类 及 和 与 或 那 这 哪 啥 呢 吗 吧 把 被 "
    "一个 一下 这个 那个 这些 那些 什么 怎么 如何 哪些 有没有 自己 本身 情况 方面 问题 内容 "
    "指标 绩效 目标 项目 经费 资金 工作 写法 表述 相关 有关".split()
)


@dataclass(frozen=True)
class TermGroup:
    """Interchangeable terms: a row matches the group when one of them occurs in it.

    Attributes
    ----------
    label : str
        The term as the question wrote it.
    variants : tuple of str
        The term and the terms that may stand for it (compacted), longest first.
    concept : str or None
        The lexicon concept the variants come from (None for a plain word).
    """

    label: str
    variants: tuple[str, ...]
    concept: str | None = None


@dataclass(frozen=True)
class Phrase:
    """One phrase of a topic and the groups that must all occur in a matching row."""

    text: str
    groups: tuple[TermGroup, ...]


@dataclass(frozen=True)
class Topic:
    """What a wording question asks about."""

    question: str
    phrases: tuple[Phrase, ...]
    kinds: tuple[str, ...] = ()
    region: str | None = None
    year: int | None = None

    @property
    def text(self) -> str:
        return "、".join(p.text for p in self.phrases)


class TermIndex:
    """Every lexicon term (compacted) with its concepts, and a tokenizer that knows them."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.concepts: dict[str, list[Concept]] = {}
        for concept in lexicon.concepts.values():
            for term in concept.terms:
                self.concepts.setdefault(compact(term).lower(), []).append(concept)
        self.longest_first = sorted(self.concepts, key=lambda t: (-len(t), t))
        self.tokenizer = Tokenizer(domain_terms() + list(self.concepts))


@lru_cache(maxsize=4)
def term_index(lexicon: Lexicon) -> TermIndex:
    """The :class:`TermIndex` of a lexicon (built once)."""
    return TermIndex(lexicon)


@lru_cache(maxsize=8192)
def _boundaries(tokenizer: Tokenizer, text: str) -> frozenset[int]:
    """Positions in ``text`` where a word starts or ends."""
    edges = {0, len(text)}
    position = 0
    for token in tokenizer.cut(text):
        found = text.find(token, position)
        if found < 0:
            continue
        edges.update((found, found + len(token)))
        position = found + len(token)
    return frozenset(edges)


def occurs(text: str, term: str, tokenizer: Tokenizer) -> bool:
    """True when ``term`` occurs in ``text`` starting or ending on a word boundary.

    Quotes in the text are ignored (“枫桥式”司法所 holds 枫桥式司法所).
    """
    text = QUOTES.sub("", compact(text).lower())
    start = text.find(term)
    if start < 0:
        return False
    edges = _boundaries(tokenizer, text)
    while start >= 0:
        if start in edges or start + len(term) in edges:
            return True
        start = text.find(term, start + 1)
    return False


def group_occurs(text: str, group: TermGroup, tokenizer: Tokenizer) -> bool:
    """True when one variant of the group occurs in the text."""
    return any(occurs(text, variant, tokenizer) for variant in group.variants)


def find_region(question: str, regions: list[str]) -> tuple[str | None, str]:
    """The first corpus region a question names, and the question without that name."""
    text = compact(question)
    found = RegionIndex(list(regions)).find(text)
    if not found:
        return None, text
    for match in found:
        text = text.replace(match.said, "、")
    return found[0].region, text


def parse_topic(
    question: str, lexicon: Lexicon, regions: list[str] = (), years: list[int] = ()
) -> Topic:
    """Read the topic, levels, region and year of a wording question."""
    region, text = find_region(QUOTES.sub("", compact(question)), list(regions))
    known_years = [int(y) for y in _YEAR.findall(text) if int(y) in set(years)]
    year = known_years[0] if known_years else None
    text = _YEAR.sub("、", text)
    kinds, text = kinds_in(text)
    text = _FILLERS.sub("、", text)
    terms = term_index(lexicon)
    phrases = []
    for piece in split_phrases(text, terms.tokenizer):
        groups = term_groups(piece, terms)
        if groups:
            phrases.append(Phrase(piece, groups))
    return Topic(question, tuple(phrases), kinds, region, year)


def split_phrases(text: str, tokenizer: Tokenizer) -> list[str]:
    """Split a topic at separators and at joining words (和, 及, 与 as words)."""
    pieces: list[str] = []
    for chunk in _SEPARATORS.split(text):
        current = ""
        for token in tokenizer.cut(chunk):
            if token in _JOINERS:
                pieces.append(current)
                current = ""
            else:
                current += token
        pieces.append(current)
    out = []
    for piece in pieces:
        piece = _trim(piece)
        if piece and piece not in out:
            out.append(piece)
    return out


def _trim(piece: str) -> str:
    changed = True
    while changed and piece:
        changed = False
        for word in _EDGE_WORDS:
            if piece.startswith(word) and len(piece) > len(word):
                piece, changed = piece[len(word) :], True
            if piece.endswith(word):
                piece, changed = piece[: -len(word)], True
    return piece.strip()


def term_groups(phrase: str, terms: TermIndex) -> tuple[TermGroup, ...]:
    """The groups of one phrase: lexicon terms (expanded) and the plain words left over."""
    key = compact(phrase).lower()
    groups: list[TermGroup] = []
    taken = [False] * len(key)
    for term in terms.longest_first:
        start = key.find(term)
        while start != -1:
            span = range(start, start + len(term))
            if not any(taken[i] for i in span) and occurs(key, term, terms.tokenizer):
                for i in span:
                    taken[i] = True
                groups.extend(_term_groups(term, terms))
                break
            start = key.find(term, start + 1)
    rest = "".join(" " if taken[i] else ch for i, ch in enumerate(key))
    for word in rest.split():
        for token in terms.tokenizer.cut(word):
            if len(token) >= 2 and token not in STOP_WORDS and not token.isdigit():
                groups.append(TermGroup(token, (token,)))
    return tuple(_dedupe(groups))


def _dedupe(groups: list[TermGroup]) -> list[TermGroup]:
    out: list[TermGroup] = []
    for group in groups:
        if all(set(group.variants) != set(g.variants) for g in out):
            out.append(group)
    return out


def _parts(term: str, terms: TermIndex) -> list[str]:
    """Lexicon terms that cover ``term`` exactly, left to right (empty when none do)."""
    for size in range(len(term) - 1, 1, -1):
        head, tail = term[:size], term[size:]
        if head not in terms.concepts:
            continue
        if tail in terms.concepts:
            return [head, tail]
        rest = _parts(tail, terms)
        if rest:
            return [head, *rest]
    return []


def expand(term: str, terms: TermIndex) -> set[str]:
    """A term and the terms that may stand for it.

    In a concept of synonyms every term stands for every other. In a category concept
    (工作人员: 职工, 执法人员 …) the head stands for every member and a member only for
    itself and the head.
    """
    out = {term}
    for concept in terms.concepts.get(term, []):
        members = [compact(t).lower() for t in concept.terms]
        out.update(members if not concept.category or members[0] == term else members[:1])
    return out


def _term_groups(term: str, terms: TermIndex) -> list[TermGroup]:
    """Groups for one lexicon term.

    A term made of lexicon terms (调解成功率 = 调解 + 成功率) becomes a group for each part.
    A term that holds a shorter term (行政执法人员 ⊃ 执法人员, 行政执法) stands for itself and
    the shorter terms of three or more characters, except the head of its own concept, which
    is wider than it (社区矫正对象 does not stand for 社区矫正). Any other term stands for the
    terms its concepts allow (see :func:`expand`).
    """
    parts = _parts(term, terms)
    if len(parts) >= 2:
        return [g for part in parts for g in _term_groups(part, terms)]
    concepts = terms.concepts[term]
    heads = {compact(c.terms[0]).lower() for c in concepts}
    inner = [
        t for t in terms.concepts if t != term and len(t) >= 3 and t in term and t not in heads
    ]
    specific = inner or any(t in term for t in heads if t != term)
    variants = {term, *inner} if specific else expand(term, terms)
    ordered = tuple(sorted(variants, key=lambda v: (-len(v), v)))
    return [TermGroup(term, ordered, concepts[0].name)]
