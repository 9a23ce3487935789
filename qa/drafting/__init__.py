"""The drafting assistant: a proposed indicator table for a new project, from comparable ones.

>>> from qa.drafting import draft_targets  # doctest: +SKIP
>>> draft = draft_targets(engine, "枫桥式司法所创建经费")  # doctest: +SKIP
>>> draft.rows[0].cited  # doctest: +SKIP
'004_b98d97a066df5e1f.txt:643'

A :class:`Draft` is the one shape of a draft from here to the answer, the app's table and
the exported 绩效目标表 (:mod:`qa.export`).
"""

from .comparables import Comparable, find_comparables, topic_query
from .errors import DraftingError, InvalidAmountError
from .propose import (
    INPUT_NOTE,
    NO_SOURCE_NOTE,
    Draft,
    DraftRow,
    check_amount,
    draft_targets,
    generic_satisfaction_row,
)
from .request import draft_topics, parse_request

__all__ = [
    "INPUT_NOTE",
    "NO_SOURCE_NOTE",
    "Comparable",
    "Draft",
    "DraftRow",
    "DraftingError",
    "InvalidAmountError",
    "check_amount",
    "draft_targets",
    "draft_topics",
    "find_comparables",
    "generic_satisfaction_row",
    "parse_request",
    "topic_query",
]
