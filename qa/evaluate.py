"""Score answers against a question file (the rules of the project's evaluation README).

Each line of the file is ``{"id", "type", "question", "answer", ...}``. Scoring
is per type; a question passes or fails, with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from index.text import fold_name

from .errors import EvalFileError

TOLERANCE = Decimal("0.01")


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


def _region_ok(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and (a in b or b in a)


def _same_project(got: dict, want: dict) -> bool:
    return fold_name(got.get("project") or "") == fold_name(want.get("project") or "") and (
        not want.get("region") or _region_ok(got.get("region"), want.get("region"))
    )


def _amount_ok(got, want) -> bool:
    return (
        got is not None
        and want is not None
        and abs(Decimal(str(got)) - Decimal(str(want))) <= Decimal("0.000001")
    )


def _which_regions(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    listed = answer.get("projects", [])
    primary = [e for e in expected["answer"] if e.get("match") == "primary"]
    for want in primary:
        got = next((p for p in listed if _same_project(p, want)), None)
        if got is None:
            return False, f"missing primary project {want['region']} {want['project']}"
        if not _amount_ok(got.get("amount_wan"), want["amount_wan"]):
            return (
                False,
                f"{want['project']}: amount {got.get('amount_wan')} != {want['amount_wan']}",
            )
    if not listed:
        return False, "no projects listed"
    relevant = sum(any(_same_project(p, e) for e in expected["answer"]) for p in listed)
    share = relevant / len(listed)
    return share >= 0.8, f"{relevant}/{len(listed)} listed projects are expected ({share:.0%})"


def _amount_lookup(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    listed = answer.get("projects", [])
    if not listed:
        return False, "no project"
    want = expected["answer"]
    if not _same_project(listed[0], want):
        return False, f"first project {listed[0].get('project')} != {want['project']}"
    return _amount_ok(
        listed[0].get("amount_wan"), want["amount_wan"]
    ), f"amount {listed[0].get('amount_wan')}"


def _indicator_value(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    rows = answer.get("indicators", [])
    if not rows:
        return False, "no indicator"
    want, got = expected["answer"], rows[0]
    same = _same_project(got, want) and fold_name(got.get("level3", "")) == fold_name(
        want["level3"]
    )
    if not same:
        first = f"{got.get('project')}/{got.get('level3')}"
        return False, f"first indicator {first} != {want['project']}/{want['level3']}"
    return got.get("value") == want[
        "value"
    ], f"value {got.get('value')!r} (expected {want['value']!r})"


def _row_key(row: dict) -> tuple:
    return (fold_name(row.get("project") or ""), fold_name(row.get("level3") or ""))


def _indicator_wording(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    rows = answer.get("indicators", [])
    core = [e for e in expected["answer"] if e.get("match") == "core"]
    expected_keys = {_row_key(e) for e in expected["answer"]}
    listed_keys = {_row_key(r) for r in rows}
    found = sum(_row_key(c) in listed_keys for c in core)
    relevant = sum(_row_key(r) in expected_keys for r in rows)
    recall = found / len(core) if core else 1.0
    precision = relevant / len(rows) if rows else 0.0
    return (
        recall >= 0.8 and precision >= 0.5,
        f"core {found}/{len(core)}, precision {relevant}/{len(rows)}",
    )


def _expected_figure(want) -> Decimal | None:
    if isinstance(want, dict):
        if "value" in want:
            return Decimal(str(want["value"]))
        for value in want.values():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return Decimal(str(value))
    if isinstance(want, (int, float)):
        return Decimal(str(want))
    return None


def _aggregate(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    want = expected["answer"]
    if isinstance(want, dict) and "project" in want and "value" not in want:
        listed = answer.get("projects") or []
        ok = bool(listed) and _same_project(listed[0], want)
        return ok, f"first project {listed[0].get('project') if listed else None}"
    figure = _expected_figure(want)
    value = answer.get("value")
    if figure is None or value is None:
        return False, f"value {value} (expected {figure})"
    return abs(Decimal(str(value)) - figure) <= TOLERANCE, f"value {value} (expected {figure})"


def _drafting(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    rows = answer.get("indicators", [])
    listed = {fold_name(p.get("project") or "") for p in answer.get("projects", [])}
    level2 = {r.get("level2") for r in rows if r.get("level2")}
    cited = [r for r in rows if r.get("doc") and r.get("line")]
    invented = [r for r in cited if (r["doc"], r["line"]) not in known]
    from_listed = [r for r in cited if fold_name(r.get("project") or "") in listed]
    share = len(from_listed) / len(rows) if rows else 0.0
    ok = len(rows) >= 6 and len(level2) >= 4 and share >= 0.7 and not invented
    reason = (
        f"{len(rows)} rows, {len(level2)} level2 kinds, {share:.0%} cite listed projects, "
        f"{len(invented)} invented"
    )
    return ok, reason


SCORERS: dict[str, Callable[[dict, dict, set], tuple[bool, str]]] = {
    "which_regions_fund": _which_regions,
    "amount_lookup": _amount_lookup,
    "indicator_value": _indicator_value,
    "indicator_wording": _indicator_wording,
    "aggregate": _aggregate,
    "drafting": _drafting,
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


def summary(verdicts: list[Verdict]) -> str:
    """Per-type results and the overall score, as a table."""
    types = sorted({v.type for v in verdicts})
    lines = [f"{'type':<22}{'passed':>8}{'total':>7}"]
    for kind in types:
        group = [v for v in verdicts if v.type == kind]
        lines.append(f"{kind:<22}{sum(v.passed for v in group):>8}{len(group):>7}")
    lines.append(f"{'all':<22}{sum(v.passed for v in verdicts):>8}{len(verdicts):>7}")
    return "\n".join(lines)
