"""The domain lexicon: concepts and the interchangeable ways people write them.

Knowledge lives in ``qa/data/lexicon.tsv`` (and a user's own file), not in code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.text import compact

BUNDLED = Path(__file__).with_name("data") / "lexicon.tsv"


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


class Lexicon:
    """Concepts by name, and the concepts each term belongs to."""

    def __init__(self, concepts: list[Concept]):
        self.concepts = {c.name: c for c in concepts}
        self._by_term: dict[str, list[Concept]] = {}
        for concept in concepts:
            for term in concept.terms:
                self._by_term.setdefault(compact(term), []).append(concept)
        self._terms_longest_first = sorted(self._by_term, key=len, reverse=True)

    @classmethod
    def from_files(cls, *paths: Path) -> Lexicon:
        merged: dict[str, list[str]] = {}
        categories: set[str] = set()
        for path in paths:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) < 2:
                    raise ValueError(f"{path}:{number}: expected 'concept<TAB>term|term…'")
                terms = [t.strip() for t in parts[1].split("|") if t.strip()]
                if len(parts) > 2 and parts[2].strip() == "类别":
                    categories.add(parts[0].strip())
                merged.setdefault(parts[0].strip(), [])
                merged[parts[0].strip()].extend(
                    t for t in terms if t not in merged[parts[0].strip()]
                )
        return cls(
            [Concept(name, tuple(terms), name in categories) for name, terms in merged.items()]
        )

    def concepts_in(self, text: str) -> list[tuple[str, Concept]]:
        """(term, concept) for each lexicon term found in the text, longest terms first, no overlaps."""
        key = compact(text)
        found: list[tuple[str, Concept]] = []
        taken = [False] * len(key)
        for term in self._terms_longest_first:
            start = key.find(term)
            while start != -1:
                if not any(taken[start : start + len(term)]):
                    for i in range(start, start + len(term)):
                        taken[i] = True
                    for concept in self._by_term[term]:
                        found.append((term, concept))
                    break
                start = key.find(term, start + 1)
        return found

    def variants(self, term: str) -> list[str]:
        """Every term interchangeable with ``term`` (itself first)."""
        out = [term]
        key = compact(term)
        for concept in self._by_term.get(key, []):
            members = concept.terms
            if concept.category and compact(concept.terms[0]) != key:
                members = (concept.terms[0],)
            out.extend(t for t in members if t not in out)
        return out


@lru_cache(maxsize=4)
def _load(extra: tuple[str, ...]) -> Lexicon:
    return Lexicon.from_files(BUNDLED, *(Path(p) for p in extra))


def load_lexicon(data_dir: Path | None = None) -> Lexicon:
    """The bundled lexicon plus the user's (``BUDGETQA_LEXICON`` or ``<data_dir>/lexicon.tsv``)."""
    extra = []
    if os.environ.get("BUDGETQA_LEXICON"):
        extra.append(os.environ["BUDGETQA_LEXICON"])
    if data_dir is not None and (Path(data_dir) / "lexicon.tsv").exists():
        extra.append(str(Path(data_dir) / "lexicon.tsv"))
    return _load(tuple(extra))
