"""Name a table that printed no 项目名称: from the words around it.

Tables cut out of reports and reposts often start at the indicator header. A
careful reader names them from the text: a quoted project name above the table
(对“2022年农村最低生活保障专项资金项目”进行绩效评价), the title above it
(2019年度宁晋县高中助学金项目绩效评价指标表), or a sentence below it
(该双心及文明城市创建专项资金项目于…). What it is for, the same way: the sentences printed
just above its header (按照…对…学生发放助学金，确保顺利完成学业。) are its goal.
"""

from __future__ import annotations

import re

from ..tablemodel import Row
from ..text import normalize_text

_PROJECT_END = r"(?:项目|专项资金|资金|经费|专项|补助|工程)"
_QUOTED = re.compile(rf"[\"“《]([^\"“”《》]{{4,40}}?{_PROJECT_END})[\"”》]")
_THIS = re.compile(
    rf"该([^\s,，。;；、]{{4,40}}?{_PROJECT_END})(?:项目)?(?:于|在|的|由|是|共|经|按|自)"
)
_TITLE_TAIL = re.compile(
    r"(?:财政|重点|部门|单位|专项|支出|预算)*(?:绩效(?:目标|自评|评价|再评价)?[^\s]{0,10}?"
    r"(?:表|情况|公示|报告)|自评表|指标表).*$"
)
_TITLE_HEAD = re.compile(r"^.*?(?:20\d{2}年度?|\(20\d{2}年度?\))")
_WINDOW = 15


def name_from_context(prose: list[Row], line: int) -> str | None:
    """The project a headless table at ``line`` is about, or None."""
    above = [r for r in prose if line - _WINDOW * 3 <= r.line < line]
    below = [r for r in prose if line < r.line <= line + _WINDOW * 2]
    for row in reversed(above):
        match = _QUOTED.search(normalize_text(row.text))
        if match:
            return match.group(1)
    for row in reversed(above):
        name = name_from_title(row.text)
        if name:
            return name
    for row in below:
        match = _THIS.search(normalize_text(row.text))
        if match:
            return match.group(1)
    return None


_SENTENCE = re.compile(r"^.{6,}(?:[。；;，,]$|[，,].{12,})")  # a sentence, or a line of one
_UNIT_LINE = re.compile(r"^(?:金额)?单位\s*[:：]")
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])"
)
_HEADER_GAP = 3  # the table's header rows between the sentences and its first row


def goal_from_context(prose: list[Row], line: int) -> tuple[str, int] | None:
    """(text, first line) of the sentences printed just above a headless table whose first
    row is at ``line`` — consecutive prose lines ending within its header rows — or None.
    A title, a short line (发布者, 单位：万元) or a report's numbered part ((一)绩效再评价综合
    评分情况…: what the report says, not what the table is for) ends them."""
    above = sorted((r for r in prose if r.line < line), key=lambda r: r.line, reverse=True)
    taken: list[Row] = []
    for row in above:
        nearest = taken[-1].line if taken else line
        if nearest - row.line > (_HEADER_GAP if not taken else 1):
            break
        text = normalize_text(row.text).strip()
        if not taken and _UNIT_LINE.match(text):
            continue  # 单位：万元, printed over the table
        if not _SENTENCE.match(text) or name_from_title(text):
            break
        if _NUMBERED.match(text):
            break
        taken.append(row)
    if not taken:
        return None
    taken.reverse()
    return "".join(r.text.strip() for r in taken), taken[0].line


_INTRODUCED = re.compile(
    r"^(?:项目|子项目)[一二三四五六七八九十\d]{1,3}\s*[:：]\s*(?P<name>[^。;；,，:：()]{2,40})"
    r"(?:\((?P<paren>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>万元|元)?\))?"
)
_SENTENCE_MONEY = re.compile(
    r"资金(?:总额)?(?:为|共|计)?\s*(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>万元|元)"
)


def project_in_sentence(text: str) -> tuple[str, str | None] | None:
    """``项目一:农村妇女“两癌”检查及救助。项目资金45万元`` → (name, ``45万元``), else None."""
    text = normalize_text(text)
    match = _INTRODUCED.match(text)
    if not match:
        return None
    money = _SENTENCE_MONEY.search(text[match.end() :])
    if match.group("paren"):
        amount = match.group("paren") + (match.group("unit") or "")
    else:
        amount = f"{money.group('amount')}{money.group('unit')}" if money else None
    return match.group("name").strip(), amount


def name_from_title(text: str) -> str | None:
    """``2019年度宁晋县高中助学金项目绩效评价指标表`` → ``宁晋县高中助学金项目``."""
    text = normalize_text(text).replace(" ", "")
    if len(text) > 50 or not re.search(_PROJECT_END, text) or re.search(r"[。,;!?]", text):
        return None
    body = _TITLE_TAIL.sub("", text)
    head = _TITLE_HEAD.match(body)
    if head and len(body) - head.end() >= 4:
        body = body[head.end() :]
    body = re.sub(r"^表[一二三四五六七八九十\d]+", "", body)
    body = re.sub(
        r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[.、])", "", body
    )
    body = body.strip("()（）:：")
    if len(body) < 4 or not re.search(_PROJECT_END + "$", body) or re.fullmatch(_PROJECT_END, body):
        return None
    return body
