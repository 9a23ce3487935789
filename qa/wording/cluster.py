"""Clusters of equivalent indicators, their representative wording and the spread of values.

Two rows are the same indicator written two ways when their level3 texts

* name the same lexicon concepts (``群众满意度`` and ``职工满意度`` do not: 群众 ≠ 工作人员),
* end in the same measure (成功率, 满意度, 数量 …), and
* are close in meaning (embedding similarity of the cleaned level3 ≥ :data:`CLUSTER_SIMILARITY`).

so ``调解成功率``, ``人民调解案件成功率`` and ``辖区内矛盾纠纷调解成功率`` form one cluster.
Clustering is complete-link within each (concepts, measure) bucket and deterministic: rows are
taken in id order and clusters are numbered by size, then by first id.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np

from index.encoder import EmbeddingCache, embed_with_cache, passages_alone
from index.schema import IndicatorRow
from index.text import compact

from ..context import QAContext
from ..question import MODIFIER_WORDS, Lexicon, occurs

logger = logging.getLogger(__name__)

CLUSTER_SIMILARITY = 0.90
_NUMBERED = re.compile(r"^(?:指标)?[0-9一二三四五六七八九十]+[:：、.]")
_LEADING_YEAR = re.compile(r"^(?:20[0-9]{2}年?度?)(?:全年)?")
_PUNCT = re.compile(r"[\s\"'“”‘’()（）\[\]【】、,，。;；:：!！?？《》<>—\-]+")
_MEMO: dict[tuple, dict] = {}


@lru_cache(maxsize=65_536)
def clean_level3(text: str) -> str:
    """A level3 text without numbering, a leading year, punctuation and 的.

    Examples
    --------
    >>> clean_level3("指标1：人民调解案件成功率")
    '人民调解案件成功率'
    >>> clean_level3("“枫桥式”司法所创建数")
    '枫桥式司法所创建数'
    """
    text = _NUMBERED.sub("", compact(text))
    text = _LEADING_YEAR.sub("", text) or text
    return _PUNCT.sub("", text).replace("的", "").lower()


@dataclass(frozen=True)
class Signature:
    """What a level3 is about: the lexicon concepts it names and the measure it ends in."""

    concepts: frozenset[str]
    measure: str


def signature(text: str, lexicon: Lexicon) -> Signature:
    """The :class:`Signature` of a level3 text (cleaned or not)."""
    key = clean_level3(text)
    concepts = {
        concept.name
        for term in lexicon.keys_longest_first
        if term in key and occurs(key, term, lexicon.tokenizer)
        for concept in lexicon.concepts_of(term)
    }
    return Signature(frozenset(concepts), _measure(key, lexicon))


def residue(text: str, lexicon: Lexicon) -> frozenset[str]:
    """The words of a level3 that are neither lexicon terms nor modifiers (辖区内, 全年 …)."""
    key = clean_level3(text)
    taken = [False] * len(key)
    for term in lexicon.keys_longest_first:
        start = key.find(term)
        while start != -1:
            if occurs(key, term, lexicon.tokenizer):
                taken[start : start + len(term)] = [True] * len(term)
            start = key.find(term, start + 1)
    rest = "".join(" " if taken[i] else ch for i, ch in enumerate(key))
    words = {t for part in rest.split() for t in lexicon.tokenizer.cut(part)}
    return frozenset(w for w in words if w not in MODIFIER_WORDS and not w.isdigit())


def _measure(key: str, lexicon: Lexicon) -> str:
    tokens = [t for t in lexicon.tokenizer.cut(key) if not t.isdigit()]
    if not tokens:
        return key
    last = tokens[-1]
    if len(last) == 1 and len(tokens) > 1:
        last = tokens[-2] + last
    for term in lexicon.keys_longest_first:
        if last.endswith(term) and len(term) >= 2:
            return lexicon.concepts_of(term)[0].name
    last = last[:-1] if last.endswith("数量") else last
    return "数" if last.endswith("数") else last


def level3_vectors(engine, rows: list[IndicatorRow]) -> np.ndarray:
    """Passage embeddings of the cleaned level3 of each row (cached on disk and in memory)."""
    vectors = RowVectors(engine, rows)
    return vectors.matrix[vectors.at]


class RowVectors:
    """Each row's level3 vector (:func:`level3_vectors`), held once per distinct cleaned
    wording: a corpus of a million rows prints a few thousand wordings, and one matrix row per
    row would be gigabytes. ``vectors[i]`` is row ``i``'s vector."""

    def __init__(self, engine, rows: list[IndicatorRow]):
        texts = [clean_level3(r.level3) for r in rows]
        distinct = sorted(set(texts))
        found = _wording_vectors(engine, set(distinct))
        width = engine.encoder.dimension
        self.matrix = (
            np.stack([found[t] for t in distinct])
            if distinct
            else np.zeros((0, width), dtype=np.float32)
        )
        position = {text: i for i, text in enumerate(distinct)}
        self.at = np.fromiter((position[t] for t in texts), np.int64, len(texts))

    def __len__(self) -> int:
        return len(self.at)

    def __getitem__(self, row: int) -> np.ndarray:
        return self.matrix[self.at[row]]


def level3_similarity(engine, rows: list[IndicatorRow], queries: np.ndarray) -> np.ndarray:
    """Similarity of each row's cleaned level3 to the query vectors (rows × queries, or one
    score per row for one vector): taken once per distinct wording, which repeats across a
    corpus (服务对象满意度 …), then read out per row."""
    vectors = RowVectors(engine, rows)
    return (vectors.matrix @ queries.T)[vectors.at]


def _wording_vectors(engine, texts: set[str]) -> dict[str, np.ndarray]:
    """The vectors of cleaned wordings, embedding the ones not yet seen (kept per index)."""
    memo = _memo(engine)
    vectors: dict[str, np.ndarray] = memo.setdefault("vectors", {})
    missing = sorted(t for t in texts if t not in vectors)
    if missing:
        encoder = engine.encoder
        cache = EmbeddingCache(
            engine.settings.resolved_cache_dir, encoder.cache_name, encoder.dimension
        )
        try:
            # each alone where a call's texts change each other's vectors: a wording's vector
            # (and the drafts and wording lists read from it) must not depend on the
            # wordings missing with it, i.e. on the questions asked before
            matrix, fresh = embed_with_cache(
                missing, lambda texts: passages_alone(encoder, texts), cache
            )
        finally:
            cache.close()
        logger.info("level3 vectors: %d texts, %d newly embedded", len(missing), fresh)
        vectors.update(zip(missing, matrix, strict=True))
    return vectors


def _memo(engine) -> dict:
    key = (str(engine.store.path), engine.store.model, engine.lexicon)
    if key not in _MEMO:
        if len(_MEMO) > 4:
            _MEMO.clear()
        _MEMO[key] = {}
    return _MEMO[key]


def cluster_rows(
    rows: list[IndicatorRow],
    vectors: np.ndarray | RowVectors,
    lexicon: Lexicon,
    threshold: float = CLUSTER_SIMILARITY,
) -> list[list[IndicatorRow]]:
    """Group rows into clusters of equivalent indicators (see the module docstring).

    Parameters
    ----------
    rows : list of IndicatorRow
    vectors : numpy.ndarray or RowVectors
        One L2-normalized level3 embedding per row, the same for rows of one cleaned wording
        (:func:`level3_vectors`, or :class:`RowVectors`, which holds each wording's once).
    lexicon : Lexicon
    threshold : float, default :data:`CLUSTER_SIMILARITY`

    Returns
    -------
    list of list of IndicatorRow
        Largest clusters first (ties by first row id); rows in id order.
    """
    order = sorted(range(len(rows)), key=lambda i: _id_key(rows[i].id))
    buckets: dict[Signature, list[int]] = {}
    signatures: dict[str, Signature] = {}  # per printed level3: a corpus repeats its wordings
    for i in order:
        text = rows[i].level3
        found = signatures.get(text)
        if found is None:
            found = signatures[text] = signature(text, lexicon)
        buckets.setdefault(found, []).append(i)
    clusters: list[list[int]] = []
    for members in buckets.values():
        clusters.extend(_complete_link(members, vectors, rows, lexicon, threshold))
    out = [[rows[i] for i in sorted(c, key=lambda i: _id_key(rows[i].id))] for c in clusters]
    return sorted(out, key=lambda c: (-len(c), _id_key(c[0].id)))


def _complete_link(
    members: list[int],
    vectors: np.ndarray | RowVectors,
    rows: list[IndicatorRow],
    lexicon: Lexicon,
    threshold: float,
) -> list[list[int]]:
    """Each row joins the first group it is equivalent to every member of, else starts one.

    Whether two rows are equivalent depends only on their cleaned wordings (their words and
    their wording's vector), so a row joins the group of the first row of its wording (that
    group took it, and groups only grow), and is compared with one row per wording of a
    group: the same groups as comparing every pair, at the cost of the distinct wordings."""
    groups: list[list[int]] = []
    shown: list[list[int]] = []  # per group, its first row of each wording
    texts = {i: clean_level3(rows[i].level3) for i in members}
    words: dict[str, frozenset[str]] = {}
    placed: dict[str, int] = {}  # a wording's group
    for i in members:
        text = texts[i]
        at = placed.get(text)
        if at is None:
            mine = words[text] = residue(text, lexicon)
            at = next(
                (
                    g
                    for g, firsts in enumerate(shown)
                    if all(
                        _equivalent(mine, words[texts[j]], vectors[i] @ vectors[j], threshold)
                        for j in firsts
                    )
                ),
                None,
            )
            if at is None:
                at = len(groups)
                groups.append([])
                shown.append([])
            shown[at].append(i)
            placed[text] = at
        groups[at].append(i)
    return groups


def _equivalent(a: frozenset[str], b: frozenset[str], similarity: float, threshold: float) -> bool:
    return (a <= b or b <= a) and float(similarity) >= threshold


def _id_key(row_id: str) -> tuple:
    doc, _, rest = row_id.partition("#")
    digits = re.sub(r"[^0-9]", "", rest)
    return (doc, int(digits) if digits else 0, row_id)


def corpus_clusters(engine) -> dict[str, int]:
    """Cluster number of every indicator row of the index (computed once per index)."""
    memo = _memo(engine)
    if "clusters" not in memo:
        rows = _rows(engine)
        clusters = cluster_rows(rows, RowVectors(engine, rows), engine.lexicon)
        memo["clusters"] = {row.id: n for n, members in enumerate(clusters, 1) for row in members}
    return memo["clusters"]


def cluster_members(engine) -> dict[int, list[IndicatorRow]]:
    """Every cluster's rows (numbered as :func:`corpus_clusters` numbers them), in id order
    (computed once per index)."""
    memo = _memo(engine)
    if "members" not in memo:
        clusters_of = corpus_clusters(engine)
        members: dict[int, list[IndicatorRow]] = {}
        for row in _rows(engine):
            number = clusters_of.get(row.id)
            if number is not None:
                members.setdefault(number, []).append(row)
        memo["members"] = {n: sorted(rows, key=lambda r: r.id) for n, rows in members.items()}
    return memo["members"]


def warm_wording(engine) -> None:
    """Embed the corpus's distinct indicator wordings now (cached on disk), so the first
    wording or drafting question does not pay for it."""
    _wording_vectors(engine, {clean_level3(r.level3) for r in _rows(engine)})


def _rows(engine) -> list[IndicatorRow]:
    """Every indicator row of the index in id order, as the answering context holds them (one
    copy shared by every answer, not the catalog decoded again)."""
    return QAContext.of(engine).sorted_indicators


def representative(rows: list[IndicatorRow]) -> IndicatorRow:
    """The row whose wording is the most common in the cluster (then shortest, then first)."""
    counts = Counter(clean_level3(r.level3) for r in rows)
    return min(rows, key=lambda r: (-counts[clean_level3(r.level3)], len(r.level3), _id_key(r.id)))


@dataclass(frozen=True)
class ValueSpread:
    """The target values of a cluster: printed values, and the lowest and highest number.

    ``low`` and ``high`` are printed values (``≥90%``), chosen by ``value_number`` among the
    rows with the cluster's most common unit; None when no row has a single number.
    """

    values: tuple[str, ...]
    low: str | None = None
    high: str | None = None
    unit: str | None = None
    count: int = 0

    @property
    def text(self) -> str:
        """``≥90% … ≥99%``, one value, or the printed values joined."""
        if self.low is not None and self.high is not None:
            return self.low if self.low == self.high else f"{self.low} … {self.high}"
        return "、".join(self.values[:4]) + ("…" if len(self.values) > 4 else "")


def value_spread(rows: list[IndicatorRow]) -> ValueSpread:
    """The :class:`ValueSpread` of some rows (printed values kept, in row order)."""
    values = tuple(dict.fromkeys(r.value for r in rows if r.value))
    numeric = [r for r in rows if r.value_number is not None]
    if not numeric:
        return ValueSpread(values, count=len(rows))
    unit = Counter(r.value_unit or "" for r in numeric).most_common(1)[0][0]
    same = [r for r in numeric if (r.value_unit or "") == unit]
    low = min(same, key=lambda r: (Decimal(r.value_number), _id_key(r.id)))
    high = max(same, key=lambda r: (Decimal(r.value_number), _id_key(r.id)))
    return ValueSpread(values, low.value, high.value, unit or None, len(rows))
