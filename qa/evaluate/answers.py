"""Scorers of the structured answer kinds (the dev set's six types).

Each scorer reads the answer's JSON (``budgetqa ask --json``) and the expected item and says
whether it passes, and why.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from index.text import fold_name

TOLERANCE = Decimal("0.01")


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
    same = _cited_row(got, expected) or (
        _same_project(got, want) and fold_name(got.get("level3", "")) == fold_name(want["level3"])
    )
    if not same:
        first = f"{got.get('project')}/{got.get('level3')}"
        return False, f"first indicator {first} != {want['project']}/{want['level3']}"
    return got.get("value") == want[
        "value"
    ], f"value {got.get('value')!r} (expected {want['value']!r})"


def _cited_row(got: dict, expected: dict) -> bool:
    """The answered row is the one the question's evidence cites (same document and line):
    the same row even where the table prints no project name or region to compare."""
    return any(
        e.get("line") is not None
        and e.get("doc") == got.get("doc")
        and e["line"] == got.get("line")
        for e in expected.get("evidence") or []
    )


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
