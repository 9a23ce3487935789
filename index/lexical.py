"""Lexical search: jieba tokens scored with BM25 (bm25s).

jieba splits text on punctuation before it consults its dictionary, so text is
normalized and stripped of punctuation first; the user dictionary (domain terms
plus the corpus's own indicator and project names) holds punctuation-free words.
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from pathlib import Path

import bm25s
import jieba
import numpy as np

from .text import normalize_text

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

# past this many postings per chunk, a search scores every chunk at once instead of walking them
WALK_SHARE = 0.02
TERMS_FILE = Path(__file__).with_name("data") / "terms.txt"
_NON_WORD = re.compile(r"[^\u3400-\u9fffA-Za-z0-9%.]+")
STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 是 在 对 为 把 被 哪些 哪个 什么 多少 怎么 怎样 如何 "
    "吗 呢 啊 吧 有 有没有 "
    "一下 这个 那个 这些 那些 里 中 上 下 个 请问 请 给 我 你 看 看看 帮 查 查询 一共 总共".split()
)


def domain_terms() -> list[str]:
    """The bundled domain vocabulary (法律顾问, 社区矫正, 人民调解 …)."""
    lines = TERMS_FILE.read_text(encoding="utf-8").splitlines()
    return [t.strip() for t in lines if t.strip() and not t.startswith("#")]


def clean_for_tokens(text: str) -> str:
    """Normalized text with punctuation replaced by spaces (jieba splits there anyway)."""
    return _NON_WORD.sub(" ", normalize_text(text).lower())


class Tokenizer:
    """A jieba tokenizer with its own user dictionary (no global jieba state)."""

    def __init__(self, words: list[str] = ()):
        self.words = sorted({clean_for_tokens(w).replace(" ", "") for w in words} - {""})
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word in self.words:
            if 2 <= len(word) <= 12:
                self._jieba.add_word(word, freq=max(2000, 500 * len(word)))

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256("\n".join(self.words).encode("utf-8")).hexdigest()[:16]

    def cut(self, text: str, new_words: bool = True) -> list[str]:
        """Precise-mode words of the cleaned text (no stopword filtering); ``new_words=False``
        keeps to dictionary words (no HMM guesses such as 要聘 for 要 + 聘)."""
        return [t for t in self._jieba.cut(clean_for_tokens(text), HMM=new_words) if t.strip()]

    def subwords(self, word: str) -> list[str]:
        """The shorter dictionary words inside a word (``政府法律顾问`` → 政府, 法律, 顾问)."""
        parts = [t for t in self._jieba.cut_for_search(word) if t != word and len(t) >= 2]
        return parts

    def tokenize(self, text: str) -> list[str]:
        """Search tokens: jieba's fine-grained cut, stopwords dropped."""
        tokens = []
        for token in self._jieba.cut_for_search(clean_for_tokens(text)):
            token = token.strip()
            if token and token not in STOPWORDS and (len(token) > 1 or token.isalnum()):
                tokens.append(token)
        return tokens


def _union(postings: list[tuple[int, np.ndarray, np.ndarray]]) -> np.ndarray:
    """The distinct rows of some postings, ascending."""
    if not postings:
        return np.zeros(0, dtype=np.int64)
    rows = np.sort(np.concatenate([rows for _, rows, _ in postings]))
    distinct = np.ones(rows.size, dtype=bool)  # np.unique hashes and is ~100x slower here
    np.not_equal(rows[1:], rows[:-1], out=distinct[1:])
    return rows[distinct]


def _score(postings: list[tuple[int, np.ndarray, np.ndarray]], rows: np.ndarray) -> np.ndarray:
    """The BM25 scores of ``rows`` (ascending): each token's weights added in query order in
    float32, as bm25s adds them, so the scores are bit for bit those of a full scoring."""
    scores = np.zeros(rows.size, dtype=np.float32)
    if rows.size == 0:
        return scores
    for _, token_rows, weights in postings:
        if token_rows.size == 0:
            continue
        at = np.minimum(np.searchsorted(token_rows, rows), token_rows.size - 1)
        present = token_rows[at] == rows
        scores[present] += weights[at[present]]
    return scores


@lru_cache(maxsize=4)
def cached_tokenizer(words: tuple[str, ...]) -> Tokenizer:
    return Tokenizer(list(words))


class LexicalIndex:
    """BM25 over chunk texts, in chunk order."""

    def __init__(self, tokenizer: Tokenizer, bm25: bm25s.BM25, size: int):
        self.tokenizer = tokenizer
        self.bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, texts: list[str], tokenizer: Tokenizer) -> LexicalIndex:
        # One string object per distinct token: a million chunks of ~20 tokens then hold
        # 0.2 GB of token lists instead of 1.8 GB.
        shared: dict[str, str] = {}
        corpus = [
            [shared.setdefault(t, t) for t in tokenizer.tokenize(text)] or ["∅"] for text in texts
        ]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        return cls(tokenizer, bm25, len(texts))

    def vocabulary(self) -> frozenset[str]:
        """Every token the index knows (what the corpus prints)."""
        return frozenset(str(token) for token in self.bm25.vocab_dict)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no token matches)."""
        tokens = [t for t in self.tokenizer.tokenize(query) if t in self.bm25.vocab_dict]
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def _postings(self, query: str) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(token id, rows, weights) of each known query token, in query order (a repeated
        token twice); each token's rows ascending, as bm25s stores them."""
        matrix = self.bm25.scores
        indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
        out = []
        for token in self.tokenizer.tokenize(query):
            token_id = self.bm25.vocab_dict.get(token)
            if token_id is not None:
                start, end = int(indptr[token_id]), int(indptr[token_id + 1])
                out.append((int(token_id), indices[start:end], data[start:end]))
        return out

    def _ceiling(self, token_id: int, weights: np.ndarray) -> float:
        """The largest weight of a token (cached): no chunk gains more from it."""
        ceilings = self.__dict__.setdefault("_ceilings", {})
        if token_id not in ceilings:
            ceilings[token_id] = float(weights.max()) if weights.size else 0.0
        return ceilings[token_id]

    def matching(self, query: str) -> np.ndarray:
        """The rows (ascending) of the chunks sharing a token with the query: those whose
        :meth:`scores` are above zero, found from the query tokens' postings alone."""
        return _union(self._postings(query))

    def sparse_scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the :meth:`matching` chunks: :meth:`scores` without the zeros."""
        postings = self._postings(query)
        rows = _union(postings)
        return rows, _score(postings, rows)

    def top_candidates(
        self, query: str, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, scores) of some matching chunks (within ``mask``) that hold the k best, with
        their exact :meth:`scores` — without scoring every matching chunk (MaxScore); None
        when that would walk more postings than :data:`WALK_SHARE` of the chunks (then
        scoring every chunk at once is cheaper).

        The query's rarer tokens (highest weight first) give the candidates; when the k-th
        best candidate already scores more than every chunk could from the remaining tokens
        alone, no chunk outside the candidates can be among the k best; else one more token's
        chunks join. On a corpus of millions the common tokens (满意度, 资金) are never walked.
        """
        postings = self._postings(query)
        if not postings or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ceilings = [self._ceiling(token_id, weights) for token_id, _, weights in postings]
        order = sorted(range(len(postings)), key=lambda i: (-ceilings[i], i))
        walked = 0
        for used in range(1, len(postings) + 1):
            walked += postings[order[used - 1]][1].size
            if walked > self.size * WALK_SHARE:
                return None
            rows = _union([postings[i] for i in order[:used]])
            if mask is not None:
                rows = rows[mask[rows]]
            if used < len(postings) and rows.size < k:
                continue
            scores = _score(postings, rows)
            if used == len(postings):
                return rows, scores
            rest = sum(ceilings[i] for i in order[used:])
            kth = np.partition(scores, rows.size - k)[rows.size - k]
            if rest * (1 + 1e-4) < kth:  # float32 sums round; keep a margin
                return rows, scores
        raise AssertionError("unreachable")

    def query_weights(self, query: str) -> dict[int, float]:
        """The query as a sparse vector over token ids: each known token's count.

        Its inner product with :meth:`document_weights` rows is :meth:`scores`.
        """
        weights: dict[int, float] = {}
        for token in self.tokenizer.tokenize(query):
            token_id = self.bm25.vocab_dict.get(token)
            if token_id is not None:
                weights[int(token_id)] = weights.get(int(token_id), 0.0) + 1.0
        return weights

    def document_weights(self):
        """Each chunk's BM25 weight per token id: a ``scipy.sparse.csr_matrix``, a row per chunk."""
        from scipy import sparse

        scores = self.bm25.scores
        matrix = sparse.csc_matrix(
            (scores["data"], scores["indices"], scores["indptr"]),
            shape=(self.size, len(scores["indptr"]) - 1),
        )
        return matrix.tocsr()

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(directory / "bm25"), show_progress=False)
        (directory / "userdict.txt").write_text("\n".join(self.tokenizer.words), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        words = (directory / "userdict.txt").read_text(encoding="utf-8").split("\n")
        bm25 = bm25s.BM25.load(
            str(directory / "bm25"), show_progress=False, allow_pickle=False, mmap=True
        )
        return cls(cached_tokenizer(tuple(w for w in words if w)), bm25, size)
