"""Phrases and their term groups: what a topic asks about, as words a printed text must hold.

A topic such as ``行政执法人员培训、持证上岗`` is split into phrases (``行政执法人员培训`` /
``持证上岗``), and each phrase into term groups: a lexicon term with its interchangeable
variants, or a plain word. A text holds a group when one variant occurs in it; occurrences
must start or end on a word boundary, so ``调解`` does not occur inside ``协调解决``.

:func:`indicator_phrases` reads the indicator phrases of a question (wording and drafting);
:class:`~qa.question.topic.TopicMatcher` reads the looser lookup phrases of the same question.
Both give :class:`Phrase` records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from index.lexical import Tokenizer
from index.text import compact

from .levels import kinds_in
from .lexicon import Lexicon, term_key
from .words import EDGE_WORDS, GENERIC_WORDS, STOP_WORDS

# Question words, removed before an indicator topic is split (longest patterns first).
_FILLERS = re.compile(
    r"有哪些(?:不同的?)?(?:写法|表述|说法|提法)|(?:有|都有)?(?:什么|哪几种|哪些)(?:写法|表述|说法)"
    r"|(?:都|应该|应当|可以)?(?:怎么|怎样|如何)(?:写|表述|设置|设定|填|定)"
    r"|(?:相关|有关|涉及)的?(?:绩效)?(?:指标|目标)?|(?:绩效)?(?:指标|目标)(?:有哪些|是什么|有什么)?"
    r"|有哪些是|有哪些|哪些是|哪些|有什么|是什么|都有|请问|请列出|列出|找出|查找|看看"
    r"|针对|关于|对于|涉及|属于|其中|里面|当中|本身|自己"
    r"|[?？!！。:：]"
)
# an indicator named in quotes before 这类指标 / 指标 (“再犯罪率”这类指标)
QUOTED_INDICATOR = re.compile(
    r"[“\"'‘「]([^”\"'’」]{2,12})[”\"'’」](?:这类|这种|这一类|此类|类)?的?指标"
)
QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")
_SEPARATORS = re.compile(r"[、，,;；/]+|以及|或者|还有")
_JOINERS = frozenset({"和", "及", "与", "或", "跟", "同"})
# A year as questions write it: 2024, 2024年, 2024 年度.
YEAR_WORDS = re.compile(r"(?<!\d)(20\d{2})(?!\d)\s*年?度?")
SHORT_YEAR = re.compile(r"(?<![\d.])([0-3]\d)\s*年(?!代)")
# a year a question compares with (跟18年比, 比2018年, 较上年): a baseline, not the scope
# 除了财政拨款，还有没有别的资金 asks for the 其他资金 line, not the 财政拨款 one
BESIDES = re.compile(
    r"除了?[^，,。？?！!]{1,15}?(?:以外|之外)?[，,]?\s*(?:还有没有|还有|有没有|还)?\s*"
    r"(?:别的|其他|其它|另外的?)"
)
COMPARED_YEAR = re.compile(r"(?:跟|和|与|比|较|同)\s*(?:20)?\d{2}\s*年度?(?:相?比)?")


@dataclass(frozen=True)
class TermGroup:
    """Interchangeable terms: a text matches the group when one of them occurs in it.

    Attributes
    ----------
    label : str
        The term as the question wrote it.
    variants : tuple of str
        The term and the terms that may stand for it (compared form), longest first.
    concept : str or None
        The lexicon concept the variants come from (None for a plain word).
    """

    label: str
    variants: tuple[str, ...]
    concept: str | None = None


@dataclass(frozen=True)
class Phrase:
    """One thing a topic asks about: the printed segment and its term groups."""

    text: str
    groups: tuple[TermGroup, ...]
    terms: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # the groups' labels: the content words of the phrase
        object.__setattr__(self, "terms", tuple(g.label for g in self.groups))


@lru_cache(maxsize=8192)
def word_edges(tokenizer: Tokenizer, text: str) -> frozenset[int]:
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


def occurs_key(text: str) -> str:
    """A text as :func:`occurs` searches it: compared form, quotes removed."""
    return QUOTES.sub("", term_key(text))


def occurs(text: str, term: str, tokenizer: Tokenizer) -> bool:
    """True when ``term`` occurs in ``text`` starting or ending on a word boundary.

    Quotes in the text are ignored (“枫桥式”司法所 holds 枫桥式司法所).
    """
    return occurs_in_key(occurs_key(text), term, tokenizer)


def occurs_in_key(text: str, term: str, tokenizer: Tokenizer) -> bool:
    """:func:`occurs` on a text already in its :func:`occurs_key` form."""
    start = text.find(term)
    if start < 0:
        return False
    edges = word_edges(tokenizer, text)
    while start >= 0:
        if start in edges or start + len(term) in edges:
            return True
        start = text.find(term, start + 1)
    return False


def group_occurs(text: str, group: TermGroup, tokenizer: Tokenizer) -> bool:
    """True when one variant of the group occurs in the text."""
    key = occurs_key(text)
    return any(occurs_in_key(key, variant, tokenizer) for variant in group.variants)


# FoldedTexts keeps the entries holding at most this many terms, and entries in all
HELD_TERMS = 4096
HELD_ENTRIES = 4_000_000
SEGMENT_ENTRIES = 32_768  # entries folded and joined at a time: one piece of the joined text


class FoldedTexts:
    """Many texts folded once and joined, to find which of them hold a string.

    ``FoldedTexts([[row.level3] for row in rows], occurs_key).holding("调解")`` gives the
    positions of the rows whose folded level3 contains ``调解`` — a bound on the rows where it
    :func:`occurs` (which also asks for a word boundary), found by one pass over the joined
    texts instead of one fold and search per text. An entry may be several texts (a project's
    name, goal and rows): it holds a string when one of its texts does. Build it once per
    loaded index (the folding is the cost). The entries holding a term are kept (bounded:
    :data:`HELD_TERMS`, :data:`HELD_ENTRIES`).

    The joined text is kept in segments of :data:`SEGMENT_ENTRIES` entries, folded, joined and
    scanned one at a time: at a million rows the whole text is hundreds of megabytes, and
    folding it at once, or splitting it at every match of a common word, held two or three
    copies of it for a moment.
    """

    _JOIN = "\x00"  # in no folded text and no term, so a match never spans two texts

    def __init__(self, entries: Iterable[Iterable[str]], fold: Callable[[str], str]):
        # Only the joined text is kept (each folded text once), and apart the few entries with
        # a text holding the separator, which is dropped from the joined text: that only adds
        # matches, never loses one.
        self._with_separator: dict[int, tuple[str, ...]] = {}
        self._segments: list[str] = []
        counts: list[np.ndarray] = []
        lengths: list[np.ndarray] = []
        block: list[tuple[str, ...]] = []
        for entry in entries:
            block.append(tuple(fold(t) for t in entry))
            if len(block) == SEGMENT_ENTRIES:
                self._add_segment(block, sum(map(len, counts)), counts, lengths)
                block = []
        if block or not self._segments:
            self._add_segment(block, sum(map(len, counts)), counts, lengths)
        self._counts = np.concatenate(counts)  # texts per entry
        sizes = np.concatenate(lengths) + 1  # each entry's joined text with its separator
        self._starts = (np.cumsum(sizes) - sizes).astype(np.int64)
        # where each segment starts in the whole joined text
        segment_sizes = np.fromiter(map(len, self._segments), np.int64, len(self._segments)) + 1
        self._segment_starts = np.concatenate(([0], np.cumsum(segment_sizes)[:-1]))
        self._length = int(segment_sizes.sum()) - 1
        # the entries holding each term asked (questions ask the same words: 经费, 满意度 …)
        self._held: dict[str, np.ndarray] = {}
        self._held_size = 0

    def _add_segment(
        self, block: list[tuple[str, ...]], first: int, counts: list, lengths: list
    ) -> None:
        join = self._JOIN
        for offset, texts in enumerate(block):
            if any(join in t for t in texts):
                self._with_separator[first + offset] = texts
        joined = [join.join(t.replace(join, "") for t in texts) for texts in block]
        counts.append(np.fromiter(map(len, block), np.int32, len(block)))
        lengths.append(np.fromiter(map(len, joined), np.int64, len(joined)))
        self._segments.append(join.join(joined))

    def __len__(self) -> int:
        return len(self._starts)

    def texts(self, index: int) -> tuple[str, ...]:
        """The folded texts of one entry."""
        if index in self._with_separator or not self._counts[index]:
            return self._with_separator.get(index, ())
        start = int(self._starts[index])
        end = int(self._starts[index + 1]) - 1 if index + 1 < len(self) else self._length
        segment = int(np.searchsorted(self._segment_starts, start, side="right")) - 1
        offset = int(self._segment_starts[segment])
        return tuple(self._segments[segment][start - offset : end - offset].split(self._JOIN))

    def holding(self, term: str) -> set[int]:
        """Positions of the entries with a folded text containing ``term`` (all for "")."""
        if not term:
            return set(range(len(self)))
        if self._JOIN in term:
            kept = self._with_separator.items()
            return {i for i, texts in kept if any(term in t for t in texts)}
        found = self._held.get(term)
        if found is None:
            found = self._scan(term)
            if len(self._held) >= HELD_TERMS or self._held_size + found.size > HELD_ENTRIES:
                self._held, self._held_size = {}, 0  # a bound, not a recency order
            self._held[term] = found
            self._held_size += found.size
        return set(found.tolist())

    def _scan(self, term: str) -> np.ndarray:
        """The entries holding the term, in order: each segment's matches at once, from the
        lengths of the pieces between them (a match never spans two entries), then each
        match's entry. The scan of the joined texts is the cost (~1.5 ms per million
        characters)."""
        found = []
        for segment, offset in zip(self._segments, self._segment_starts.tolist(), strict=True):
            pieces = segment.split(term)
            if len(pieces) == 1:
                continue
            lengths = np.fromiter(map(len, pieces), np.int64, len(pieces))
            del pieces
            at = np.cumsum(lengths[:-1]) + np.arange(len(lengths) - 1, dtype=np.int64) * len(term)
            entries = np.searchsorted(self._starts, at + offset, side="right") - 1
            found.append(np.unique(entries).astype(np.int32))  # segments follow each other
        if not found:
            return np.zeros(0, dtype=np.int32)
        return np.concatenate(found)

    def holding_any(self, terms: Iterable[str]) -> set[int]:
        """Positions of the entries with a folded text containing one of the terms."""
        found: set[int] = set()
        for term in terms:
            found |= self.holding(term)
        return found


class GroupedTexts:
    """One text per item (a row's level3, a record's owner): which items' texts hold a string.

    Items repeat few distinct texts (a million rows print a few thousand level3 wordings; a
    project's rows share its name), so each distinct text is folded once
    (:class:`FoldedTexts`) and the items printing it are kept as positions, instead of one
    folded copy per item.
    """

    def __init__(self, texts: Iterable[str], fold: Callable[[str], str]):
        numbers: dict[str, int] = {}
        of = np.fromiter((numbers.setdefault(t, len(numbers)) for t in texts), np.int64)
        self._order = np.argsort(of, kind="stable").astype(np.int32)  # items by their text
        self._bounds = np.searchsorted(of[self._order], np.arange(len(numbers) + 1))
        self._texts = FoldedTexts(([t] for t in numbers), fold)
        self._size = len(of)

    def __len__(self) -> int:
        return self._size

    def holding(self, term: str) -> set[int]:
        """Positions of the items whose folded text contains ``term``."""
        return self.holding_any((term,))

    def holding_any(self, terms: Iterable[str]) -> set[int]:
        """Positions of the items whose folded text contains one of the terms."""
        order, bounds = self._order, self._bounds
        parts = [order[bounds[i] : bounds[i + 1]] for i in self._texts.holding_any(terms)]
        return set(np.concatenate(parts).tolist()) if parts else set()


def indicator_phrases(topic: str, lexicon: Lexicon) -> tuple[tuple[str, ...], tuple[Phrase, ...]]:
    """The level kinds and the indicator phrases of a topic (regions and years already removed).

    Level words used as levels (``满意度指标里``) become kinds; question words are removed;
    the rest is split at separators and joining words into phrases of term groups.
    """
    text = YEAR_WORDS.sub("、", QUOTES.sub("", compact(topic)))
    kinds, text = kinds_in(text)
    text = _FILLERS.sub("、", text)
    phrases = []
    for piece in split_phrases(text, lexicon.tokenizer):
        groups = term_groups(piece, lexicon)
        if groups:
            phrases.append(Phrase(piece, groups))
    return kinds, tuple(phrases)


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
        for word in EDGE_WORDS:
            if piece.startswith(word) and len(piece) > len(word):
                piece, changed = piece[len(word) :], True
            if piece.endswith(word):
                piece, changed = piece[: -len(word)], True
    return piece.strip()


def term_groups(phrase: str, lexicon: Lexicon) -> tuple[TermGroup, ...]:
    """The groups of one phrase: lexicon terms (expanded) and the plain words left over."""
    key = term_key(phrase)
    groups: list[TermGroup] = []
    taken = [False] * len(key)
    for term in lexicon.keys_longest_first:
        start = key.find(term)
        while start != -1:
            span = range(start, start + len(term))
            if not any(taken[i] for i in span) and occurs(key, term, lexicon.tokenizer):
                for i in span:
                    taken[i] = True
                if term not in STOP_WORDS or term not in GENERIC_WORDS:  # 经费: money, no topic
                    groups.extend(_term_groups(term, lexicon))
                break
            start = key.find(term, start + 1)
    rest = "".join(" " if taken[i] else ch for i, ch in enumerate(key))
    for word in rest.split():
        for token in lexicon.tokenizer.cut(word):
            if len(token) >= 2 and token not in STOP_WORDS and not token.isdigit():
                groups.append(TermGroup(token, (token,)))
    return tuple(_dedupe(groups))


def _dedupe(groups: list[TermGroup]) -> list[TermGroup]:
    out: list[TermGroup] = []
    for group in groups:
        if all(set(group.variants) != set(g.variants) for g in out):
            out.append(group)
    return out


def _parts(term: str, lexicon: Lexicon) -> list[str]:
    """Lexicon terms that cover ``term`` exactly, left to right (empty when none do)."""
    for size in range(len(term) - 1, 1, -1):
        head, tail = term[:size], term[size:]
        if not lexicon.knows(head):
            continue
        if lexicon.knows(tail):
            return [head, tail]
        rest = _parts(tail, lexicon)
        if rest:
            return [head, *rest]
    return []


def _term_groups(term: str, lexicon: Lexicon) -> list[TermGroup]:
    """Groups for one lexicon term.

    A term made of lexicon terms (调解成功率 = 调解 + 成功率) becomes a group for each part.
    A term that holds a shorter term (行政执法人员 ⊃ 执法人员, 行政执法) stands for itself and
    the shorter terms of three or more characters, except the head of its own concept, which
    is wider than it (社区矫正对象 does not stand for 社区矫正). Any other term stands for the
    terms its concepts allow (:meth:`~qa.question.lexicon.Lexicon.expand`).
    """
    parts = _parts(term, lexicon)
    if len(parts) >= 2:
        return [g for part in parts for g in _term_groups(part, lexicon)]
    concepts = lexicon.concepts_of(term)
    heads = {c.head for c in concepts}
    inner = [
        t
        for t in lexicon.keys_longest_first
        if t != term and len(t) >= 3 and t in term and t not in heads
    ]
    specific = inner or any(t in term for t in heads if t != term)
    # a term heading its own concept stands for its synonyms even when it holds a shorter
    # head (补助标准 ⊃ 补助: 补助标准|补贴标准|资助标准)
    own = {term_key(t) for c in concepts if c.head == term and not c.category for t in c.terms}
    variants = {term, *inner, *own} if specific else lexicon.expand(term)
    ordered = tuple(sorted(variants, key=lambda v: (-len(v), v)))
    return [TermGroup(term, ordered, concepts[0].name)]


def wider_variants(group: TermGroup, lexicon: Lexicon) -> tuple[str, ...]:
    """Every term of every concept of the group's term, beyond its own variants."""
    concepts = lexicon.concepts_of(group.label)
    wider = {term_key(t) for c in concepts for t in c.terms} - set(group.variants)
    return tuple(sorted(wider, key=lambda v: (-len(v), v)))
