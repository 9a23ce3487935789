"""A question file: read it, and tally verdicts per type."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import EvalFileError


@dataclass(frozen=True)
class Verdict:
    """One question's result."""

    id: str
    type: str
    question: str
    passed: bool
    reason: str


def load_questions(path: str | Path) -> list[dict]:
    """Read a question file; errors name the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise EvalFileError(f"{path}: 文件不存在，请检查路径") from exc
    except UnicodeDecodeError as exc:
        raise EvalFileError(f"{path}: 不是 UTF-8 编码，请另存为 UTF-8 后再试") from exc
    except OSError as exc:
        raise EvalFileError(f"{path}: 无法读取（{exc.strerror}）") from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(
                f"{path}:{number}: 不是合法的 JSON（{exc.msg}）：每行应为一个 JSON 对象"
            ) from exc
        if not isinstance(item, dict):
            raise EvalFileError(
                f"{path}:{number}: 应为 JSON 对象（{{...}}），不是 {type(item).__name__}"
            )
        missing = {"question", "type", "answer"} - set(item)
        if missing:
            raise EvalFileError(f"{path}:{number}: 缺少字段 {', '.join(sorted(missing))}")
        item.setdefault("id", f"L{number}")
        questions.append(item)
    return questions


def summary(verdicts: list[Verdict]) -> str:
    """Per-type results and the overall score, as a table."""
    types = sorted({v.type for v in verdicts})
    lines = [f"{'type':<22}{'passed':>8}{'total':>7}"]
    for kind in types:
        group = [v for v in verdicts if v.type == kind]
        lines.append(f"{kind:<22}{sum(v.passed for v in group):>8}{len(group):>7}")
    lines.append(f"{'all':<22}{sum(v.passed for v in verdicts):>8}{len(verdicts):>7}")
    return "\n".join(lines)
