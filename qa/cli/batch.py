"""A file of questions answered to the end: a question that fails becomes an error record.

``budgetqa ask --file questions.txt --jsonl`` answers every line; a line that cannot be
answered (too long, or a bug met on the way) is reported with its line number and message,
and the command exits non-zero only after the last line (:func:`failures_message`).

>>> outcomes = list(each_line([(1, "a"), (2, "b")], lambda text: text.upper()))
>>> [(o.line, o.result, o.error) for o in outcomes]
[(1, 'A', None), (2, 'B', None)]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import USER_ERRORS

logger = logging.getLogger(__name__)

Result = TypeVar("Result")
INTERNAL_ERROR = "内部错误（{name}），此行未能处理，详情已记入日志；其余各行照常处理"


@dataclass(frozen=True)
class Outcome(Generic[Result]):
    """One line's result, or the Chinese message saying why it has none."""

    line: int | None  # the line of the file (None: a question given on the command line)
    text: str
    result: Result | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def record(self, key: str = "question") -> dict:
        """The error record printed in place of a result: ``{"question", "line", "error"}``."""
        record: dict = {key: self.text}
        if self.line is not None:
            record["line"] = self.line
        record["error"] = self.error
        return record


def each_line(
    lines: Iterable[tuple[int | None, str]], handle: Callable[[str], Result]
) -> Iterator[Outcome[Result]]:
    """``handle`` each line's text in turn, never stopping at one that fails.

    A library error (:data:`qa.errors.USER_ERRORS`) gives its own Chinese message; any other
    exception is a bug: it is logged with its traceback and the line gets
    :data:`INTERNAL_ERROR`. Interrupts (Ctrl-C) still stop the batch.
    """
    for line, text in lines:
        try:
            yield Outcome(line, text, result=handle(text))
        except USER_ERRORS as exc:
            yield Outcome(line, text, error=str(exc))
        except Exception as exc:  # noqa: BLE001 (one line's bug must not end the batch)
            logger.debug("line %s (%r) failed", line, text, exc_info=exc)
            logger.error("line %s (%r) failed: %s: %s", line, text, type(exc).__name__, exc)
            yield Outcome(line, text, error=INTERNAL_ERROR.format(name=type(exc).__name__))


def failures_message(outcomes: list[Outcome], what: str = "问题") -> str | None:
    """``3 个问题中 1 个未能回答（第 2 行）``, or None when every line was answered."""
    failed = [o for o in outcomes if o.failed]
    if not failed:
        return None
    lines = "、".join(str(o.line) for o in failed if o.line is not None)
    where = f"（第 {lines} 行）" if lines else ""
    return f"{len(outcomes)} 个{what}中 {len(failed)} 个未能处理{where}：原因见各行的 error"
