"""The domain lexicon: concepts and the interchangeable ways people write them.

Knowledge lives in ``qa/data/lexicon.tsv`` (and a user's own file), not in code. The lexicon
owns the one expansion rule (:meth:`Lexicon.variants`) and the tokenizer that keeps its terms
whole; every part of ``qa`` gets it from the loaded engine (``engine.lexicon``), so a user's
``<data_dir>/lexicon.tsv`` changes asking, wording and drafting alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from index.lexical import Tokenizer, domain_terms
from index.text import compact, text_cache

from .errors import LexiconFileError

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "lexicon.tsv"
CATEGORY_MARK = "类别"


@text_cache(65_536)
def term_key(term: str) -> str:
    """How a term is compared: compacted (widths, spaces, punctuation folded) and lower-cased
    (kept per text: rows and names are compared with many terms, question after question)."""
    return compact(term).lower()


@dataclass(frozen=True)
class Concept:
    """One concept and its terms (the first term is the usual printed form).

    A ``category`` concept names a class (工作人员) whose members (职工, 执法人员 …)
    are kinds of it, not synonyms of each other: the head expands to every member,
    a member only to itself and the head.
    """

    name: str
    terms: tuple[str, ...]
    category: bool = False

    @property
    def head(self) -> str:
        """The compared form of the concept's first term."""
        return term_key(self.terms[0])


class Lexicon:
    """Concepts by name, the concepts each term belongs to, and the expansion rule."""

    def __init__(self, concepts: list[Concept]):
        self.concepts = {c.name: c for c in concepts}
        self._by_term: dict[str, list[Concept]] = {}
        for concept in concepts:
            for term in concept.terms:
                self._by_term.setdefault(term_key(term), []).append(concept)
        self.keys_longest_first = sorted(self._by_term, key=lambda t: (-len(t), t))
        # the terms by their first character, in that order: a text is searched only for the
        # terms starting with one of its characters
        self._starting: dict[str, list[tuple[int, str]]] = {}
        for order, term in enumerate(self.keys_longest_first):
            if term:
                self._starting.setdefault(term[0], []).append((order, term))

    @classmethod
    def from_files(cls, *paths: Path) -> Lexicon:
        """Read lexicon files (later files add terms and concepts to earlier ones)."""
        merged: dict[str, list[str]] = {}
        categories: set[str] = set()
        for path in paths:
            for number, line in enumerate(_read_lines(path), start=1):
                if not line.strip() or line.startswith("#"):
                    continue
                name, terms, category = _parse_line(path, number, line)
                if category:
                    categories.add(name)
                known = merged.setdefault(name, [])
                known.extend(t for t in terms if t not in known)
        return cls(
            [Concept(name, tuple(terms), name in categories) for name, terms in merged.items()]
        )

    def concepts_of(self, term: str) -> list[Concept]:
        """The concepts a term belongs to (empty for a word the lexicon does not know)."""
        return self._by_term.get(term_key(term), [])

    def knows(self, term: str) -> bool:
        return term_key(term) in self._by_term

    def concepts_in(self, text: str) -> list[tuple[str, Concept]]:
        """(term, concept) for each lexicon term in the text, longest terms first, no overlaps."""
        key = term_key(text)
        found: list[tuple[str, Concept]] = []
        taken = [False] * len(key)
        printed = sorted(
            (order, term)
            for ch in set(key)
            for order, term in self._starting.get(ch, ())
            if term in key
        )
        if "" in self._by_term:  # an empty term (the last in order) is in any text
            printed.append((len(self.keys_longest_first) - 1, ""))
        for _, term in printed:
            start = key.find(term)
            while start != -1:
                if not any(taken[start : start + len(term)]):
                    taken[start : start + len(term)] = [True] * len(term)
                    found.extend((term, concept) for concept in self._by_term[term])
                    break
                start = key.find(term, start + 1)
        return found

    def variants(self, term: str) -> list[str]:
        """Every term interchangeable with ``term`` (itself first), as printed in the lexicon.

        In a concept of synonyms every term stands for every other (and, when one of them
        heads a category, for its members). In a category concept (工作人员: 职工, 执法人员 …)
        the head stands for every member and a member only for itself and the head.
        """
        out = [term]
        key = term_key(term)
        for concept in self._by_term.get(key, []):
            members = (
                concept.terms if not concept.category or concept.head == key else concept.terms[:1]
            )
            out.extend(t for t in members if t not in out)
            if not concept.category:
                out.extend(t for t in self._members_of_heads(concept.terms) if t not in out)
        return out

    def _members_of_heads(self, terms: tuple[str, ...]) -> list[str]:
        """The members of the categories headed by one of ``terms`` (a sector's synonyms stand
        for what its projects are named after: 卫生健康 → 医疗卫生 → 疫苗, 急救 …)."""
        return [
            member
            for term in terms
            for concept in self._by_term.get(term_key(term), [])
            if concept.category and concept.head == term_key(term)
            for member in concept.terms
        ]

    def expand(self, term: str) -> set[str]:
        """:meth:`variants` in compared form (what matching looks for in a text)."""
        return {term_key(v) for v in self.variants(term)}

    def specific_variants(self, term: str) -> list[str]:
        """:meth:`variants` without the heads of the categories the term is a member of: a
        text printing the class (体育局, 教育) does not print the kind asked for (全民健身运动会,
        学校)."""
        key = term_key(term)
        heads = {c.head for c in self._by_term.get(key, []) if c.category and c.head != key}
        return [v for v in self.variants(term) if term_key(v) == key or term_key(v) not in heads]

    def expand_specific(self, term: str) -> set[str]:
        """:meth:`specific_variants` in compared form."""
        return {term_key(v) for v in self.specific_variants(term)}

    @cached_property
    def tokenizer(self) -> Tokenizer:
        """A jieba tokenizer that keeps the domain's and the lexicon's terms whole."""
        return Tokenizer(domain_terms() + list(self._by_term))


def _read_lines(path: Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise LexiconFileError(f"词表文件 {path} 不存在：请检查路径（BUDGETQA_LEXICON）") from exc
    except UnicodeDecodeError as exc:
        raise LexiconFileError(f"词表文件 {path} 不是 UTF-8 编码：请另存为 UTF-8 后再试") from exc
    except OSError as exc:
        raise LexiconFileError(f"无法读取词表文件 {path}：{exc.strerror}") from exc


def _parse_line(path: Path, number: int, line: str) -> tuple[str, list[str], bool]:
    """(concept, terms, is category) of one line, or a :class:`LexiconFileError` naming it."""
    parts = line.split("\t")
    name = parts[0].strip()
    terms = [t.strip() for t in parts[1].split("|") if t.strip()] if len(parts) > 1 else []
    if not name or not terms:
        raise LexiconFileError(
            f"词表 {path} 第{number}行格式不对：{line.strip()!r}。"
            "每行应为“概念<Tab>词|词|…”（可加第三列“类别”），请改正或删除该行"
        )
    return name, terms, len(parts) > 2 and parts[2].strip() == CATEGORY_MARK


@lru_cache(maxsize=4)
def _load(extra: tuple[str, ...]) -> Lexicon:
    return Lexicon.from_files(BUNDLED, *(Path(p) for p in extra))


def load_lexicon(data_dir: Path | None = None) -> Lexicon:
    """The bundled lexicon plus the user's (``BUDGETQA_LEXICON`` and ``<data_dir>/lexicon.tsv``).

    Raises :class:`LexiconFileError` (naming the file and line) for a file that is missing,
    unreadable or has a malformed line.
    """
    extra = []
    if os.environ.get("BUDGETQA_LEXICON"):
        extra.append(os.environ["BUDGETQA_LEXICON"])
    if data_dir is not None and (Path(data_dir) / "lexicon.tsv").exists():
        extra.append(str(Path(data_dir) / "lexicon.tsv"))
    return _load(tuple(extra))
