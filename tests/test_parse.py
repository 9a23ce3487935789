"""The parser against the hand-checked gold records of the five seed documents."""

from __future__ import annotations

from collections import defaultdict

import pytest
from conftest import dec, gold_facts, load_gold_departments, load_gold_projects

from index.text import fold_name

GOLD = load_gold_projects()
GOLD_BY_DOC: dict[str, list[dict]] = defaultdict(list)
for _project in GOLD:
    GOLD_BY_DOC[_project["doc"]].append(_project)


def _project(parsed_seeds, gold: dict):
    parsed = parsed_seeds[gold["doc"]]
    matches = [p for p in parsed.projects if fold_name(p.name) == fold_name(gold["project"])]
    assert len(matches) == 1, (
        f"{gold['doc']}: project {gold['project']!r} found {len(matches)} times"
    )
    return matches[0]


def test_parse_finds_exactly_the_gold_projects(parsed_seeds):
    for doc, golds in GOLD_BY_DOC.items():
        names = sorted(fold_name(p.name) for p in parsed_seeds[doc].projects)
        assert names == sorted(fold_name(g["project"]) for g in golds), doc
    assert sum(len(p.projects) for p in parsed_seeds.values()) == 49


@pytest.mark.parametrize("gold", GOLD, ids=[f"{g['doc'][:3]}-{g['name_line']}" for g in GOLD])
def test_parse_project_amount_exact(parsed_seeds, gold):
    project = _project(parsed_seeds, gold)
    assert project.amount_wan == dec(gold["amount_wan"])
    assert project.amount_printed == gold["amount_printed"]
    assert project.unit_printed == gold["amount_unit_printed"]
    assert (project.name_line, project.amount_line) == (gold["name_line"], gold["amount_line"])
    assert project.year == gold["year"]
    assert gold["region"] in project.region or project.region in gold["region"]


def test_parse_indicator_rows_at_least_99_percent_exact(parsed_seeds):
    total = exact = 0
    wrong = []
    for gold in GOLD:
        rows = {row.line: row for row in _project(parsed_seeds, gold).indicators}
        for expected in gold["indicators"]:
            total += 1
            row = rows.get(expected["line"])
            got = row and (row.level1, row.level2, row.level3, row.value)
            want = (expected["level1"], expected["level2"], expected["level3"], expected["value"])
            if got == want:
                exact += 1
            else:
                wrong.append((gold["doc"], expected["line"], want, got))
    assert total == 499
    assert exact / total >= 0.99, wrong[:10]


def test_parse_no_indicator_rows_beyond_gold(parsed_seeds):
    for gold in GOLD:
        project = _project(parsed_seeds, gold)
        assert len(project.indicators) == len(gold["indicators"]), gold["project"]


def test_parse_weights_operators_and_annual_column(parsed_seeds):
    for gold in GOLD:
        rows = {row.line: row for row in _project(parsed_seeds, gold).indicators}
        for expected in gold["indicators"]:
            row = rows[expected["line"]]
            weight = dec(expected["weight"]) if expected["weight"] is not None else None
            assert row.weight == weight, (gold["project"], expected["line"])
            if "sign" in expected:
                assert (row.operator, row.value_cell) == (expected["sign"], expected["value_cell"])
            if expected.get("value_annual_column"):
                assert row.value_annual == expected["value_annual_column"], expected["line"]


def test_parse_value_normalized_beside_printed(parsed_seeds):
    rows = {r.line: r for r in parsed_seeds["000_fbf52db7d211f3f4.txt"].indicator_rows}
    assert (rows[18].value, rows[18].operator, rows[18].value_number, rows[18].value_unit) == (
        "≥90%",
        "≥",
        dec(90),
        "%",
    )
    assert (rows[20].value_number, rows[20].value_unit) == (dec("1.2"), "万/人/年")
    assert rows[41].value_number is None  # 及时 is not a number


def test_parse_funding_breakdown_kept(parsed_seeds):
    projects = {p.name: p for p in parsed_seeds["003_8982ce709c15bf44.txt"].projects}
    funding = {f.label: f for f in projects["公共法律服务、人民调解和司法所工作等经费"].funding}
    assert funding["中央补助"].amount_wan == dec(29)
    assert funding["中央补助"].amount_printed == "29.00"
    assert funding["区级资金"].amount_wan == 0


def test_parse_department_code_split(parsed_seeds):
    project = parsed_seeds["004_b98d97a066df5e1f.txt"].projects[0]
    assert (project.department, project.department_code) == ("阳城县司法局", "034")


@pytest.mark.parametrize("department", load_gold_departments(), ids=lambda d: d["doc"][:3])
def test_parse_department_facts_present(parsed_seeds, department):
    parsed = parsed_seeds[department["doc"]]
    have = {(fact.line, fact.value) for fact in parsed.facts}
    missing = [
        (f["line"], f["fact"], f["value"])
        for f in gold_facts(department)
        if (f["line"], dec(f["value"])) not in have
    ]
    assert not missing
    assert parsed.document.department == department["department"]


def test_parse_department_indicator_rows(parsed_seeds):
    department = load_gold_departments()[0]
    rows = {r.line: r for r in parsed_seeds[department["doc"]].department_indicators}
    for expected in department["indicators"]:
        row = rows[expected["line"]]
        assert (row.level3, row.value, row.weight) == (
            expected["level3"],
            expected["value"],
            dec(expected["weight"]),
        )
        assert row.scope == "department"


def test_parse_documents_metadata(parsed_seeds):
    meta = {d: (p.document.region, p.document.year) for d, p in parsed_seeds.items()}
    assert meta["000_fbf52db7d211f3f4.txt"] == ("盐池县", 2024)
    assert meta["001_19f2a4c4a62c75e5.txt"] == ("平罗县", 2025)
    assert meta["002_ec4e56c4f21351cb.txt"] == ("秀山土家族苗族自治县", 2023)
    assert meta["003_8982ce709c15bf44.txt"] == ("天津市西青区", 2024)
    assert meta["004_b98d97a066df5e1f.txt"] == ("阳城县", 2024)


def test_parse_keeps_prose_as_text_blocks(parsed_seeds):
    parsed = parsed_seeds["004_b98d97a066df5e1f.txt"]
    texts = "\n".join(block.text for block in parsed.text_blocks)
    assert "本部门职责" in texts and "名词解释" in texts
    assert parsed.unparsed_lines > 0
    assert not parsed.warnings


def test_parse_ids_stable_across_runs(parsed_seeds):
    from conftest import CORPUS

    from index.parse import parse_file

    again = parse_file(CORPUS / "003_8982ce709c15bf44.txt")
    first = parsed_seeds["003_8982ce709c15bf44.txt"]
    assert [r.id for r in again.indicator_rows] == [r.id for r in first.indicator_rows]
