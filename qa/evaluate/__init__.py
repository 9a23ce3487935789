"""Score answers against a question file (the rules of the project's evaluation README).

Each line of the file is ``{"id", "type", "question", "answer", ...}``. Scoring is per
type; a question passes or fails, with the reason. The six structured kinds of the dev
set are scored on the answer's records (:mod:`.answers`); the kinds a reader checks — a
cell, a prose amount, a computed figure, a table's structure, an extreme over indicator
values, target against actual, not found — on the answer's first sentence and its cited
sources (:mod:`.reader`). Lookups must also state their figure in the first sentence.
"""

from __future__ import annotations

from .answers import SCORERS as RECORD_SCORERS
from .questions import Verdict, load_questions, summary
from .reader import READER_SCORERS, first_sentence, states, which_projects, wording_rows


def _with_first_sentence(scorer, figures):
    def scored(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
        passed, reason = scorer(expected, answer, known)
        if not passed:
            return passed, reason
        sentence = first_sentence(answer.get("text", ""))
        wanted = figures(expected["answer"])
        if not any(states(sentence, f) for f in wanted if f is not None):
            return False, f"first sentence does not state {wanted}: {sentence[:80]!r}"
        return True, reason

    return scored


def _list_or_rows(record_scorer, reader_scorer, key):
    def scored(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
        if isinstance(expected["answer"], dict) and key in expected["answer"]:
            return reader_scorer(expected, answer)
        return record_scorer(expected, answer, known)

    return scored


SCORERS = {
    **RECORD_SCORERS,
    **READER_SCORERS,
    "amount_lookup": _with_first_sentence(
        RECORD_SCORERS["amount_lookup"],
        lambda a: [a.get("amount_printed"), a.get("amount_wan")],
    ),
    "indicator_value": _with_first_sentence(
        RECORD_SCORERS["indicator_value"], lambda a: [a.get("value")]
    ),
    "indicator_wording": _list_or_rows(RECORD_SCORERS["indicator_wording"], wording_rows, "rows"),
    "which_regions_fund": _list_or_rows(
        RECORD_SCORERS["which_regions_fund"], which_projects, "projects"
    ),
}


def score(expected: dict, answer: dict, known_rows: set) -> Verdict:
    """Score one answer (its JSON form) against one expected item."""
    scorer = SCORERS.get(expected["type"])
    if scorer is None:
        return Verdict(
            expected["id"], expected["type"], expected["question"], False, "unknown type"
        )
    try:
        passed, reason = scorer(expected, answer, known_rows)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        passed, reason = False, f"malformed answer: {exc}"
    return Verdict(expected["id"], expected["type"], expected["question"], passed, reason)


__all__ = ["SCORERS", "Verdict", "load_questions", "score", "summary"]
