"""Scorers that read an answer the way a person does.

The figure asked for must be stated in the answer's first sentence and its source cited;
"not in these documents" is right when it is true. These scorers serve the kinds a clerk
asks about any table (a cell, a prose amount, a computed figure, the structure of an
indicator table, an extreme over indicator values, target against actual) and the
list kinds written with sources (``rows`` with doc and line, ``projects`` with doc).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from index.text import fold_name, normalize_text

from .answers import TOLERANCE, _region_ok, _same_project

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_NOT_FOUND = re.compile(
    r"未找到|没有找到|查无|没有(?:印|列|载|公开|该|这|相关|此)|未(?:印|列|载|公开|收录|提供)|不在(?:这些|现有)|语料中没有"
)


def fold_figure(text: str) -> str:
    """A printed figure folded for comparison (widths, spaces, thousands separators)."""
    text = normalize_text(unicodedata.normalize("NFKC", str(text)))
    return text.replace(" ", "").replace(",", "").replace("，", "")


def first_sentence(text: str) -> str:
    """The answer's first sentence (up to the first 。 or line break)."""
    text = (text or "").strip()
    cut = [i for i in (text.find("。"), text.find("\n")) if i >= 0]
    return text[: min(cut)] if cut else text


def _numbers(text: str) -> list[Decimal]:
    out = []
    for match in _NUMBER.finditer(fold_figure(text)):
        try:
            out.append(Decimal(match.group()))
        except InvalidOperation:
            continue
    return out


def states(sentence: str, figure) -> bool:
    """True when the sentence states the figure (as printed, or the same number)."""
    folded = fold_figure(sentence)
    want = fold_figure(figure)
    if want and want in folded:
        return True
    wanted = _numbers(str(figure))
    if len(wanted) != 1 or not re.fullmatch(r"[-+]?[\d,.]+\s*\S{0,3}", str(figure).strip()):
        return False
    return any(abs(n - wanted[0]) <= Decimal("0.000001") for n in _numbers(sentence))


def cited_docs(answer: dict) -> set[str]:
    """The documents an answer cites in its records."""
    docs = set()
    for key in ("projects", "indicators", "facts", "fields", "sources"):
        for item in answer.get(key) or []:
            if isinstance(item, dict) and item.get("doc"):
                docs.add(item["doc"])
    return docs


def _cites(expected: dict, answer: dict) -> bool:
    wanted = {e.get("doc") for e in expected.get("evidence") or [] if e.get("doc")}
    if not wanted:
        return True
    return bool(wanted & cited_docs(answer)) or any(d in answer.get("text", "") for d in wanted)


def _figures(expected: dict, answer: dict, figures: list) -> tuple[bool, str]:
    sentence = first_sentence(answer.get("text", ""))
    missing = [f for f in figures if not states(sentence, f)]
    if missing:
        return False, f"first sentence lacks {missing}: {sentence[:80]!r}"
    if not _cites(expected, answer):
        return False, "source not cited"
    return True, f"states {figures}"


def _cell(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    return _figures(expected, answer, list(expected["answer"]["figures"]))


def _computed(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    want = Decimal(str(expected["answer"]["value"]))
    value = answer.get("value")
    if value is not None and abs(Decimal(str(value)) - want) <= TOLERANCE:
        return True, f"value {value}"
    sentence = first_sentence(answer.get("text", ""))
    if any(abs(n - want) <= TOLERANCE for n in _numbers(sentence)):
        return _cites(expected, answer), f"states {want}"
    return False, f"value {value} (expected {want}): {sentence[:80]!r}"


def _structure(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    want = expected["answer"]
    if "value" in want:
        return _computed(expected, answer, known)
    items = [fold_name(i) for i in want["items"]]
    listed = [fold_name(r.get("level3") or "") for r in answer.get("indicators") or []]
    text = fold_name(answer.get("text", ""))
    found = sum(i in listed or i in text for i in items)
    relevant = sum(x in items for x in listed)
    precision = relevant / len(listed) if listed else (1.0 if found == len(items) else 0.0)
    return (
        found == len(items) and precision >= 0.5,
        f"{found}/{len(items)} items, precision {relevant}/{len(listed)}",
    )


def _extreme(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    rows = answer.get("indicators") or []
    want = expected["answer"]
    if not rows:
        return False, "no indicator"
    got = rows[0]
    same = fold_name(got.get("level3") or "") == fold_name(want["level3"]) and (
        not want.get("project") or _same_project(got, want)
    )
    if not same:
        return False, f"first indicator {got.get('project')}/{got.get('level3')}"
    return _figures(expected, answer, [want["value"]])


def _target_actual(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    return _figures(expected, answer, list(expected["answer"]["figures"]))


def _not_found(expected: dict, answer: dict, known: set) -> tuple[bool, str]:
    sentence = first_sentence(answer.get("text", ""))
    ok = answer.get("found") is False or bool(_NOT_FOUND.search(sentence))
    return ok, f"found={answer.get('found')}: {sentence[:60]!r}"


def _row_at(row: dict) -> tuple:
    return (row.get("doc"), row.get("line"))


def wording_rows(expected: dict, answer: dict) -> tuple[bool, str]:
    """Rows given with doc and line: 80% of the core rows listed, half of the listed relevant."""
    want = expected["answer"]["rows"]
    rows = answer.get("indicators") or []
    core = {_row_at(r) for r in want if r.get("match") == "core"}
    every = {_row_at(r) for r in want}
    listed = {_row_at(r) for r in rows}
    found = len(core & listed)
    relevant = len(every & listed)
    recall = found / len(core) if core else 1.0
    precision = relevant / len(listed) if listed else 0.0
    return (
        recall >= 0.8 and precision >= 0.5,
        f"core {found}/{len(core)}, precision {relevant}/{len(listed)}",
    )


UNPRINTED_NAME = "未印出"


def _listed_as(got: dict, want: dict) -> bool:
    """The listed project is the wanted one: the same name, or — when the gold says the table
    prints no project name (``孤儿助学金(项目名称未印出)``) — the same document and region."""
    if UNPRINTED_NAME in (want.get("project") or "") and want.get("doc"):
        region_ok = not want.get("region") or _region_ok(got.get("region"), want["region"])
        return got.get("doc") == want["doc"] and region_ok
    return _same_project(got, want)


def which_projects(expected: dict, answer: dict) -> tuple[bool, str]:
    """Projects given with doc: every primary one listed (with its amount), 80% relevant."""
    want = expected["answer"]["projects"]
    listed = answer.get("projects") or []
    for item in (w for w in want if w.get("match") == "primary"):
        got = next((p for p in listed if _listed_as(p, item)), None)
        if got is None:
            return False, f"missing primary project {item.get('region')} {item['project']}"
        if item.get("amount_wan") is not None and (
            got.get("amount_wan") is None
            or abs(Decimal(str(got["amount_wan"])) - Decimal(str(item["amount_wan"]))) > TOLERANCE
        ):
            return False, f"{item['project']}: amount {got.get('amount_wan')}"
    if not listed:
        return False, "no projects listed"
    relevant = sum(any(_listed_as(p, w) for w in want) for p in listed)
    share = relevant / len(listed)
    return share >= 0.8, f"{relevant}/{len(listed)} listed projects are expected ({share:.0%})"


READER_SCORERS = {
    "cell_lookup": _cell,
    "prose_amount": _cell,
    "computed": _computed,
    "table_structure": _structure,
    "indicator_extreme": _extreme,
    "target_vs_actual": _target_actual,
    "not_found": _not_found,
}
