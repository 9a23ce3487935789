"""How long user text may be, and the one check every question, query and name goes through."""

from __future__ import annotations

from .errors import EmptyQuestionError, InputTooLongError

MAX_QUESTION_CHARS = 500
EMPTY_HINT = "请输入问题，例如“西青区法律援助经费是多少”"


def check_text(
    text: str | None, what: str = "问题", limit: int = MAX_QUESTION_CHARS, hint: str = EMPTY_HINT
) -> str:
    """The stripped text.

    Raises
    ------
    EmptyQuestionError
        The text is empty or blank (the message says ``{what}为空`` and gives ``hint``).
    InputTooLongError
        The text is longer than ``limit`` characters.
    """
    text = (text or "").strip()
    if not text:
        raise EmptyQuestionError(f"{what}为空：{hint}。")
    if len(text) > limit:
        raise InputTooLongError(f"{what}有 {len(text)} 个字，超过上限 {limit}：请缩短后再试。")
    return text
