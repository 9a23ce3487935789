"""How well a record answers a question: coverage of the question's words by its label path.

A question's *key* is its text without region, year and question words (多少, 是谁, 那个 …).
A record covers a character of the key when a two-character run containing it, or a lexicon
term containing it (电话 ↔ 联系电话, 牵头 ↔ 负责人; a kind is not covered by its class:
全民健身 not by 体育局), is printed in the record's owner, label
or value; a character merely printed somewhere in the record counts half. Coverage is the
covered share of the key. The part of the key that the record's owner covers is its *scope*
(whose value: 雾炮车降尘服务); the rest is the *ask* (which value: 电话), and the label must
cover it. This is structure, not vocabulary: no topic word is written in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from index.labels import subject_code
from index.text import compact, folded_from, normalize_text, text_cache

from ..question import FoldedTexts, Understanding
from ..question.lexicon import Lexicon, term_key
from ..question.words import ASK_WORDS
from .records import PER_UNITS, Facets, Record, facets_of

HEADLINE_BONUS = 0.6
NAMED_BONUS = 0.6
RUN_WEIGHT = 1.0  # × the share of the key its label prints in one run (其他资金收入 whole)
_MIN_RUN = 3  # two-character runs are what coverage already counts
_PUNCT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9.]")
_ASK = frozenset(ASK_WORDS)
_ASK_PHRASES = tuple(w for w in ASK_WORDS if len(w) >= 3)  # longest first
_CODES = 0x110000  # Unicode code points
PRINTED_LONG_KEPT = 32_768  # long texts kept folded as keys compare them (≤ ~0.1 GB)
BOUND_BLOCK = 16_384  # records whose bounds are read at once (their characters: ~5 MB of codes)
_QUANTITY_WORD = re.compile(r"^(?:多少|几)(?:个|名|位)?")
# a rate said per unit (一个人, 每个村): the value prints the unit (元/人, 70个行政村); 每人每月
# and 一年 stay (labels print 每人每月生活补助; the records of a year's figure imply 一年)
_PER_UNIT_SAID = re.compile(
    rf"(?<![零一二三四五六七八九十百千两0-9])(?:每个|一个)(?=(?:{PER_UNITS}))"
)
# 村里的, 市里每个村, 调解费里: a word ending in 里 after a place or a body says where (not
# 公里, 邻里, 百里)
_PLACE_LI = re.compile(r"^(?P<stem>.*[村县市区镇乡省局所站院校组队家费])里$")


@dataclass(frozen=True)
class Key:
    """The question's key: its characters, and the lexicon terms that cover spans of it."""

    text: str
    terms: tuple[tuple[int, int, frozenset[str]], ...]

    def __len__(self) -> int:
        return len(self.text)

    @cached_property
    def lowered(self) -> str:
        return self.text.lower()

    @cached_property
    def pairs(self) -> tuple[tuple[int, str], ...]:
        """Each two-character run of the key (lower-cased) with where it starts."""
        lowered = self.lowered
        return tuple((i, lowered[i : i + 2]) for i in range(len(lowered) - 1))

    @cached_property
    def termed(self) -> frozenset[int]:
        """The positions a lexicon term of the key holds."""
        return frozenset(i for start, end, _ in self.terms for i in range(start, end))


def question_key(u: Understanding, lexicon: Lexicon, places: tuple[str, ...] = ()) -> Key:
    """The key of a question: its topic without places and question words, with its terms.

    Question words are removed as whole words (cut with the lexicon's tokenizer), so the 能
    of 功能 stays while the 能 of 能不能 goes.
    """
    text = compact(u.topic or u.question)
    for word in (*u.region_words, *places):
        text = text.replace(compact(word), " ")
    text = _PER_UNIT_SAID.sub("", text)  # 一个人一年 → 人一年
    text = _PUNCT.sub(" ", text)
    for phrase in _ASK_PHRASES:
        text = text.replace(phrase, " ")  # 加起来, 对得上: cut into 加/起来, 对/得/上
    # dictionary words only: a guessed word may swallow a question word (要聘 = 要 + 聘)
    words = [
        _PLACE_LI.sub(r"\g<stem>", w)  # 村里 → 村
        for w in lexicon.tokenizer.cut(text, new_words=False)
        if w.strip() and w not in _ASK
    ]
    key = "".join(words)
    for phrase in _ASK_PHRASES:
        key = key.replace(phrase, "")  # and once more where removed words joined them
    if u.measure is not None:  # 多少个村: answered by the value's unit (cut with the rest)
        for said in (u.measure.said, _QUANTITY_WORD.sub("", u.measure.said)):
            at = key.rfind(said) if said else -1
            if at >= 0:
                key = key[:at] + key[at + len(said) :]
                break
    return Key(key, _terms(key, lexicon))


def text_key(text: str, lexicon: Lexicon) -> Key:
    """A key of a text already cut to what it asks about (one alternative of a question)."""
    return Key(text, _terms(text, lexicon))


def _terms(key: str, lexicon: Lexicon) -> tuple[tuple[int, int, frozenset[str]], ...]:
    out = []
    lowered = key.lower()
    for term, _ in lexicon.concepts_in(key):
        start = lowered.find(term)
        if start >= 0:
            out.append((start, start + len(term), frozenset(lexicon.expand_specific(term))))
    return tuple(out)


@lru_cache(maxsize=4096)
def _any_of(variants: frozenset[str]) -> re.Pattern:
    """One pattern finding any of a term's (non-empty) variants; one that never matches
    when it has none."""
    words = sorted((v for v in variants if v), key=lambda v: (-len(v), v))
    return re.compile("|".join(re.escape(v) for v in words) if words else r"(?!x)x")


@text_cache(65_536, long_size=PRINTED_LONG_KEPT)
def printed_form(text: str) -> str:
    """A record's text as keys are compared with it (kept per text: the same scopes, labels
    and values are read question after question, and the about texts of the projects a
    broad question ranks: ~10k at 100k rows, each ~30 µs to fold again)."""
    return term_key(normalize_text(text))


def covered(key: Key, text: str) -> list[float]:
    """Per character of the key: 1 when a run or lexicon term of it is printed, ½ when the
    character alone is, else 0."""
    printed = printed_form(text)
    lowered = key.lowered
    marks = [0.0] * len(lowered)
    for start, end, variants in key.terms:
        if _any_of(variants).search(printed):
            for i in range(start, end):
                marks[i] = 1.0
    for i, pair in key.pairs:
        if pair in printed:
            marks[i] = marks[i + 1] = 1.0
    for i, ch in enumerate(lowered):
        if marks[i] == 0.0 and ch in printed:
            marks[i] = 0.5
    return marks


@dataclass(frozen=True)
class Fit:
    """How a record fits a question's key."""

    record: Record
    coverage: float
    scope: float
    ask: float
    dense: float
    score: float
    marks: tuple[float, ...]
    label_marks: tuple[float, ...] = ()
    asked: tuple[int, ...] = ()


def fit(
    key: Key,
    record: Record,
    dense: float = 0.0,
    memo: dict | None = None,
    extra: tuple[float, ...] = (),
) -> Fit:
    """Coverage of the key by the record, split into its scope and its ask (``extra``: added to
    the score in turn, for the form of value the question asks).

    ``memo`` (one dict per key) keeps the coverage of each text, and what depends only on the
    record's owner (its scope and what it is about), which the records of one project share.
    """
    if not key.text:
        score = 1.0 + dense
        for change in extra:
            score += change
        return Fit(record, 1.0, 1.0, 1.0, dense, score, ())
    memo = {} if memo is None else memo
    about, scope, asked = _owner_fit(key, record.scope, record.about, memo)
    whole = _cover(key, record.text, memo)
    if about is not None:
        whole = list(map(max, whole, about))
    printed = f"{record.label} {record.value}"
    by_label = _cover(key, printed, memo)
    coverage = sum(whole) / len(whole)
    ask = sum(by_label[i] for i in asked) / len(asked) if asked else 1.0
    score = 2.0 * coverage + 1.0 * ask + 1.0 * scope + 1.0 * dense
    if asked or record.headline:  # which of the owner's figures: the one naming the ask whole
        score += RUN_WEIGHT * _run_in(key, printed, asked, memo) / len(key.text)
    if _names_row(key, record.name):
        score += NAMED_BONUS  # the question prints the row's own name (资金执行率) whole
    elif not asked and record.headline:
        score += HEADLINE_BONUS  # the question names only the owner: its headline figure
    for change in extra:
        score += change
    return Fit(record, coverage, scope, ask, dense, score, tuple(whole), tuple(by_label), asked)


def _cover(key: Key, text: str, memo: dict) -> list[float]:
    found = memo.get(text)
    if found is None:
        found = memo[text] = covered(key, text)
    return found


def _owner_fit(
    key: Key, scope: str, about: str, memo: dict
) -> tuple[list[float] | None, float, tuple[int, ...]]:
    """What a record's owner (its scope and about texts) gives every record of it: the key
    as its about text covers it (at half weight, None without one), the share its scope
    covers (with about), and the asked characters its scope leaves open."""
    wanted = ("owner", scope, about)
    found = memo.get(wanted)
    if found is None:
        about_marks = [m / 2 for m in _cover(key, about, memo)] if about else None
        by_scope = _cover(key, scope, memo)
        if about_marks is not None:
            by_scope = [max(a, b) for a, b in zip(by_scope, about_marks, strict=True)]
        asked = _substantive([i for i, s in enumerate(by_scope) if s < 1.0], key)
        found = memo[wanted] = (about_marks, sum(by_scope) / len(by_scope), tuple(asked))
    return found


def _run_in(key: Key, printed: str, asked: tuple[int, ...], memo: dict) -> int:
    """:func:`_longest_run`, once per label path and asked characters (labels repeat)."""
    wanted = ("run", printed, asked)
    found = memo.get(wanted)
    if found is None:
        found = memo[wanted] = _longest_run(key.text, printed, asked)
    return found


def _longest_run(key: str, printed: str, asked: tuple[int, ...] | list[int]) -> int:
    """The longest run of the key (three characters or more) a label path prints whole, among
    the runs holding an asked character (any run when ``asked`` is empty): 其他资金收入 in
    其他资金收入预算总计, none in 其他收入 事业收入, which prints it in pieces."""
    printed = term_key(printed)
    lowered = key.lower()
    wanted = set(asked)
    best = 0
    for start in range(len(lowered) - _MIN_RUN + 1):
        end = start + _MIN_RUN
        if lowered[start:end] not in printed:
            continue
        while end < len(lowered) and lowered[start : end + 1] in printed:
            end += 1  # the longest run from here; a shorter one holds no more asked ones
        if end - start > best and (not wanted or wanted.intersection(range(start, end))):
            best = end - start
    return best


def score_bounds(
    key: Key,
    records: list[Record],
    memo: dict | None = None,
    facets: Facets | None = None,
    pairs: bool = False,
) -> np.ndarray:
    """Per record, a score its :func:`fit` cannot exceed (before its dense similarity and
    ``extra``), read for many records at once (:data:`BOUND_BLOCK` at a time) from which of
    the key's characters each prints.

    A character of the key covers no more than 1 where the record's text prints it and a
    neighbour of it in the key (each as a character folding to it,
    :func:`~index.text.folded_from`) or where a lexicon term holds it (a term may be printed
    as another variant), ½ where the text prints it alone, and 0 elsewhere (beyond its
    owner's about text, taken exactly); a label's run of the key is no longer than the
    longest run of printed characters. The label and value are printed within the text
    (:attr:`Record.text`), so one text per record bounds both. ``facets``: the records'
    :class:`~.records.Facets` when kept (read from the records when None). ``pairs``: a
    tighter bound, for a few records: a character covers 1 only where a two-character run of
    the key holding it, or a variant of a lexicon term holding it, is printed whole, and a
    label's run is no longer than the longest chain of such runs (:func:`_pairs_printed`).
    """
    count = len(records)
    size = len(key.text)
    if not count:
        return np.zeros(0)
    if not size:
        return np.ones(count)
    memo = {} if memo is None else memo
    facets = facets_of(records) if facets is None else facets
    owners = _owner_bounds(key, facets, memo)
    named = np.array([_names_row(key, name) for name in facets.names], dtype=bool)
    out = np.empty(count)
    # a block of records at a time: at 1M rows a broad question bounds a few hundred thousand
    # records, whose characters and records × key matrices were ~0.6 GB made at once
    for first in range(0, count, BOUND_BLOCK):
        last = min(count, first + BOUND_BLOCK)
        part = slice(first, last)
        out[part] = _bounds(
            key,
            records[part],
            facets.owner[part],
            named[facets.name[part]],
            facets.headline[part],
            owners,
            pairs,
        )
    return out


def _owner_bounds(key: Key, facets: Facets, memo: dict) -> tuple[np.ndarray, ...]:
    """Per owner of :func:`score_bounds`'s records: its about text's cover of each key
    character, the key characters it asks, and its scope's fit (owners × key, owners × key,
    owners)."""
    size = len(key.text)
    owners = len(facets.owners)  # the records of one project share an owner fit
    about = np.zeros((owners, size))
    asked = np.zeros((owners, size), dtype=bool)
    scope = np.zeros(owners)
    for at, (owner_scope, owner_about) in enumerate(facets.owners):
        fits = _owner_fit(key, owner_scope, owner_about, memo)
        if fits[0] is not None:
            about[at] = fits[0]
        scope[at] = fits[1]
        asked[at, list(fits[2])] = True
    return about, asked, scope


def _bounds(
    key: Key,
    records: list[Record],
    owner: np.ndarray,
    is_named: np.ndarray,
    headline: np.ndarray,
    owners: tuple[np.ndarray, ...],
    pairs: bool,
) -> np.ndarray:
    """:func:`score_bounds` of some records, given each one's owner, whether the key names its
    row, whether it is a headline figure, and the owners' :func:`_owner_bounds`."""
    count, size = len(records), len(key.text)
    found, column = _prints(key, [r.text for r in records])
    prints = found[:, [column[ch] for ch in key.lowered]]  # records × key characters
    # each two-character run of the key (i, i + 1) that may be printed whole, and the
    # characters a lexicon term may cover (any of its variants may be printed)
    termed = np.zeros(size, dtype=bool)
    termed[list(key.termed)] = True
    if pairs:
        runs_printed, termed = _pairs_printed(key, records)
    else:
        runs_printed = prints[:, :-1] & prints[:, 1:]
    paired = np.zeros_like(prints)
    paired[:, :-1] |= runs_printed
    paired[:, 1:] |= runs_printed
    covers = np.where(paired | termed, 1.0, np.where(prints, 0.5, 0.0))
    about, asked, scope = (kept[owner] for kept in owners)
    bonus = np.where(
        is_named, NAMED_BONUS, np.where(~asked.any(axis=1) & headline, HEADLINE_BONUS, 0.0)
    )
    coverage = np.maximum(covers, about).sum(axis=1) / size
    asked_count = asked.sum(axis=1)
    ask = np.where(asked_count > 0, (covers * asked).sum(axis=1) / np.maximum(asked_count, 1), 1.0)
    run = np.zeros(count, dtype=int)
    longest = np.zeros(count, dtype=int)
    for column in (runs_printed if pairs else prints).T:
        run = (run + 1) * column
        longest = np.maximum(longest, run)
    if pairs:  # a chain of n two-character runs spans n + 1 characters
        longest = np.where(longest > 0, longest + 1, 0)
    runs = np.where(longest >= _MIN_RUN, longest, 0) / size * ((asked_count > 0) | headline)
    return 2.0 * coverage + ask + scope + RUN_WEIGHT * runs + bonus


def _pairs_printed(key: Key, records: list[Record]) -> tuple[np.ndarray, np.ndarray]:
    """Records × the key's two-character runs (i, i + 1): whether the record prints the run
    whole; and records × the key's characters: whether it prints a variant of a lexicon term
    holding the character. Printed in its text as :func:`covered` reads it, or in its label
    and value as the ask (:func:`covered`) and the label's run (:func:`_longest_run`) read
    them."""
    lowered = key.lowered
    runs = np.zeros((len(records), max(len(lowered) - 1, 0)), dtype=bool)
    termed = np.zeros((len(records), len(lowered)), dtype=bool)
    if not records:
        return runs, termed
    entries = []
    for record in records:
        label = f"{record.label} {record.value}"
        entries.append((printed_form(record.text), printed_form(label), term_key(label)))
    texts = FoldedTexts(entries, _as_printed)
    for i in range(len(lowered) - 1):
        runs[sorted(texts.holding(lowered[i : i + 2])), i] = True
    for start, end, variants in key.terms:
        holding = sorted(texts.holding_any(v for v in variants if v))
        termed[np.ix_(holding, range(start, end))] = True
    return runs, termed


def _as_printed(text: str) -> str:
    return text


def _prints(key: Key, texts: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    """Texts × the key's distinct characters: whether the text prints a character folding to
    it (every text, for a character a fold may compose), and each character's column. One
    pass over the texts' characters: a table maps each source character to its column."""
    chars, column_of, shared, composed = _print_table(key.lowered)
    found = np.zeros((len(texts), len(chars)), dtype=bool)
    found[:, list(composed)] = True
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_of = np.repeat(np.arange(len(texts)), lengths)  # the text each character is in
    columns = column_of[codes]
    at = columns >= 0
    found[text_of[at], columns[at]] = True
    for code, sharing in shared.items():
        holding = text_of[codes == code]
        for column in sharing:
            found[holding, column] = True
    return found, {ch: column for column, ch in enumerate(chars)}


@lru_cache(maxsize=8)
def _print_table(
    lowered: str,
) -> tuple[tuple[str, ...], np.ndarray, dict[int, frozenset[int]], tuple[int, ...]]:
    """For a key's characters (:func:`_prints`): its distinct characters, the column of each
    source character folding into one (-1: none), the sources folding into several (½ → 1,
    ⁄, 2), and the columns of characters a fold may compose (every text may print them).
    Kept for the last few keys: a question's ranking bounds its records more than once."""
    chars = tuple(sorted(set(lowered)))
    column_of = np.full(_CODES, -1, dtype=np.int16)
    shared: dict[int, set[int]] = {}
    composed = []
    for column, ch in enumerate(chars):
        sources = folded_from(ch)
        if sources is None:
            composed.append(column)
            continue
        for source in sources:
            code = ord(source)
            if column_of[code] < 0:
                column_of[code] = column
            elif column_of[code] != column:
                shared.setdefault(code, {int(column_of[code])}).add(column)
    column_of.setflags(write=False)
    return chars, column_of, {c: frozenset(s) for c, s in shared.items()}, tuple(composed)


def _names_row(key: Key, name: str) -> bool:
    """The key prints a record's own row name (its 三级指标, form label or table line,
    :attr:`Record.name`) whole, without the code a budget line is printed with (2010104
    人大会议)."""
    name = _row_name(name)
    return len(name) >= 3 and name in key.lowered


@lru_cache(maxsize=65_536)
def _row_name(name: str) -> str:
    """A row's name as a key prints it: compared form, without its budget-line code."""
    coded = subject_code(name)
    return term_key(coded[1] if coded else name)


def _substantive(asked: list[int], key: Key) -> list[int]:
    """Asked characters that say something: a lone character between covered ones (给, 县)
    is a filler unless a lexicon term of the question holds it."""
    termed = key.termed
    present = set(asked)
    return [i for i in asked if i in termed or (i - 1) in present or (i + 1) in present]


def uncovered(key: Key, marks: tuple[float, ...] | list[float]) -> str:
    """The characters of the key a set of records leaves uncovered."""
    return "".join(ch for ch, m in zip(key.text, marks, strict=True) if m < 1.0)


def union(*marks: tuple[float, ...]) -> tuple[float, ...]:
    """Per-character best coverage of several records."""
    return tuple(max(values) for values in zip(*marks, strict=True)) if marks else ()


def share(marks: tuple[float, ...] | list[float]) -> float:
    return sum(marks) / len(marks) if marks else 1.0


__all__ = [
    "Fit",
    "Key",
    "covered",
    "fit",
    "question_key",
    "score_bounds",
    "share",
    "text_key",
    "uncovered",
    "union",
]
