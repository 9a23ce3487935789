"""Lookup phrases: what a question is about, and whether a printed text is about the same thing.

A topic is a list of phrases (split at 、，和 …); a phrase is its content words (question
words and generic words dropped, words printed nowhere in the corpus not required). A phrase
matches a text when each content word — or a lexicon variant of it, or all the dictionary
words inside it — is printed in the text. This loose match serves the lookups (amounts,
values, which regions, aggregates); wording and drafting use the word-boundary match of
:mod:`qa.question.terms`.
"""

from __future__ import annotations

import re

from index.caches import kept_in
from index.lexical import Tokenizer
from index.text import compact

from .lexicon import Lexicon
from .terms import FoldedTexts, Phrase, TermGroup
from .words import GENERIC_WORDS, STOP_WORDS

_SEPARATORS = re.compile(
    r"[、，,；;/]+|(?<=[\u4e00-\u9fff]{2})(?:和|及|与|或|以及|还有)(?=[\u4e00-\u9fff]{2})"
)


HELD_LIMIT = 500_000  # term_in verdicts kept per matcher before they are dropped
HELD_TEXT = 120  # texts longer than this (goals, overviews) rarely repeat: not kept


class TopicMatcher:
    """Split topics into phrases and test printed texts against them."""

    def __init__(self, tokenizer: Tokenizer, lexicon: Lexicon, vocabulary: set[str] | None = None):
        self.tokenizer = tokenizer
        self.lexicon = lexicon
        self.vocabulary = vocabulary
        self._subwords: dict[str, list[str]] = {}
        self._variants: dict[str, list[str]] = {}
        self._held: dict[tuple[str, str], bool] = {}  # term_in's verdicts, texts repeat

    def phrases(self, text: str) -> list[Phrase]:
        """Phrases of a topic text; question words and generic words removed.

        Lexicon terms are kept whole (刑满释放人员帮扶 is one term); words printed
        nowhere in the corpus (fillers such as 专门) are not required.
        """
        out = []
        for segment in _SEPARATORS.split(text):
            words = self._words(segment)
            words = [w for w in words if w not in STOP_WORDS and not w.isdigit()]
            content = tuple(
                w for w in words if w not in GENERIC_WORDS and len(w) > 1 and self._known(w)
            )
            if content:
                groups = (TermGroup(w, tuple(self.variants(w))) for w in dict.fromkeys(content))
                out.append(Phrase(segment.strip(), tuple(groups)))
        return out

    def _words(self, segment: str) -> list[str]:
        """Lexicon terms whole, the rest cut by jieba, in printed order."""
        key = compact(segment)
        lowered = key.lower()
        spans = sorted((lowered.find(term), term) for term, _ in self.lexicon.concepts_in(key))
        words: list[str] = []
        position = 0
        for start, term in spans:
            if start < position:
                continue
            words.extend(self.tokenizer.cut(key[position:start]))
            words.append(key[start : start + len(term)])
            position = start + len(term)
        words.extend(self.tokenizer.cut(key[position:]))
        return [w.strip() for w in words if w.strip()]

    def known(self, word: str) -> bool:
        """True when the word (or a variant, or its inner words) is printed in the corpus."""
        return self._known(word)

    def _known(self, word: str) -> bool:
        """True when the word (or a variant, or its inner words) occurs in the corpus."""
        if self.vocabulary is None:
            return True
        if any(compact(v) in self.vocabulary for v in self.lexicon.variants(word)):
            return True
        return any(p in self.vocabulary for p in self.tokenizer.subwords(word))

    def variants(self, term: str) -> list[str]:
        """The term and its lexicon variants, compacted (case kept; once per term)."""
        found = self._variants.get(term)
        if found is None:
            found = self._variants[term] = [
                compact(v) for v in self.lexicon.specific_variants(term)
            ]
        return found

    def term_in(self, term: str, text: str) -> bool:
        """True when the term, a lexicon variant, or all its inner words are printed in text
        (kept per term and text: names and indicator wordings are asked about again and
        again)."""
        if len(text) > HELD_TEXT:
            return self._term_in(term, text)
        return kept_in(self._held, (term, text), lambda: self._term_in(term, text), HELD_LIMIT)

    def _term_in(self, term: str, text: str) -> bool:
        key = compact(text)
        if any(v and v in key for v in self.variants(term)):
            return True
        parts = self._parts(term)
        return bool(parts) and all(any(v in key for v in self.variants(p)) for p in parts)

    def holders(self, term: str, texts: FoldedTexts) -> set[int]:
        """Positions of the entries (folded by ``compact``) :meth:`term_in` finds the term in,
        by one pass over the joined texts per variant: exactly for entries of one text, a bound
        for entries of several (the inner words may be printed in different texts)."""
        found = texts.holding_any(v for v in self.variants(term) if v)
        parts = self._parts(term)
        if parts:
            found |= set.intersection(*(texts.holding_any(self.variants(p)) for p in parts))
        return found

    def _parts(self, term: str) -> list[str]:
        """The inner words that all printed stand for the term (none when they cannot)."""
        parts = self._subwords.get(term)
        if parts is None:
            cover = _minimal_cover(term, self.tokenizer.subwords(term))
            parts = [p for p in cover if p not in GENERIC_WORDS]
            if len(parts) >= len(term):
                parts = []
            self._subwords[term] = parts
        return parts

    def coverage(self, phrase: Phrase, text: str) -> float:
        """Share of the phrase's content words printed in the text."""
        if not phrase.terms:
            return 0.0
        return sum(self.term_in(t, text) for t in phrase.terms) / len(phrase.terms)

    def matches(self, phrase: Phrase, text: str) -> bool:
        return bool(phrase.terms) and all(self.term_in(t, text) for t in phrase.terms)


def _minimal_cover(word: str, parts: list[str]) -> list[str]:
    """Inner words that together spell the word, longest first (政府法律顾问 → 政府, 法律顾问)."""
    chosen: list[str] = []
    covered = [False] * len(word)
    for part in sorted(set(parts), key=len, reverse=True):
        start = word.find(part)
        if start == -1 or all(covered[start : start + len(part)]):
            continue
        chosen.append(part)
        for i in range(start, start + len(part)):
            covered[i] = True
    return chosen if all(covered) else []
