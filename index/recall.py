"""Retrieval recall: do the projects a question's evidence names appear in the top k hits?

A hit counts for a project when it is the project's own chunk or one of its
indicator rows. Used by the tests and by ``bench/eval_retrieval.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .search import Hit
from .text import fold_name


@dataclass(frozen=True)
class RecallResult:
    """Recall of one question's evidence projects in its hits."""

    question: str
    expected: int
    found: int
    missing: tuple[str, ...]

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def evidence_projects(item: dict) -> list[tuple[str, str]]:
    """(doc, project) pairs named in a question's evidence."""
    return [(e["doc"], e["project"]) for e in item.get("evidence", []) if e.get("project")]


def recall_at_k(item: dict, hits: list[Hit], project_names: dict[str, str]) -> RecallResult:
    """How many evidence projects the hits reach (by project id → name)."""
    wanted = evidence_projects(item)
    reached = set()
    for hit in hits:
        if hit.project_id and hit.project_id in project_names:
            reached.add((hit.doc, fold_name(project_names[hit.project_id])))
    missing = tuple(p for d, p in wanted if (d, fold_name(p)) not in reached)
    return RecallResult(item["question"], len(wanted), len(wanted) - len(missing), missing)


def micro_recall(results: list[RecallResult]) -> float:
    """Evidence projects found over evidence projects expected, across questions."""
    expected = sum(r.expected for r in results)
    return sum(r.found for r in results) / expected if expected else 1.0


def evaluate(
    items: list[dict], search: Callable[[str], list[Hit]], project_names: dict[str, str]
) -> list[RecallResult]:
    return [
        recall_at_k(item, search(item["question"]), project_names)
        for item in items
        if evidence_projects(item)
    ]
