"""Synthetic corpora recombined from the seed indicator rows, written in the seed text format.

Each synthetic county gets projects named after seed projects, with indicator rows sampled
from the seed rows (values jittered), so the parser, chunker and index see realistic text.
"""

from __future__ import annotations

import random
from pathlib import Path

from index.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))
COUNTIES = "东西南北中上下前后左右新老大小"
ROWS_PER_PROJECT = 10
PROJECTS_PER_DOC = 100


def seed_material():
    """Seed projects and rows to recombine."""
    projects, rows = [], []
    for path in SEEDS:
        parsed = parse_file(path)
        projects.extend(parsed.projects)
        rows.extend(r for p in parsed.projects for r in p.indicators)
    return projects, rows


def _jitter(value: str, rng: random.Random) -> str:
    digits = [c for c in value if c.isdigit()]
    if not digits:
        return value
    out, done = [], False
    for ch in value:
        if ch.isdigit() and not done:
            out.append(str(rng.randint(1, 9)))
            done = True
        else:
            out.append(ch)
    return "".join(out)


def _project_block(name: str, region: str, amount: str, rows, rng: random.Random) -> list[str]:
    lines = [
        f"{region}本级部门项目支出年度预算绩效目标批复表",
        "",
        "(2024年度)",
        "",
        f"项目名称\t{name}\t\t\t",
        f"主管部门及代码\t{region}司法局-{rng.randint(100000, 999999)}\t实施单位\t{region}司法局\t",
        "项目属性\t经常性项目\t项目期\t2024-2024\t",
        f"项目资金 (万元)\t年度资金总额:\t{amount}\t\t",
        f"\t其中:财政拨款\t{amount}\t\t",
        f"年度总体目标\t本项目用于{name}。\t\t\t",
        "绩效指标\t一级指标\t二级指标\t三级指标\t指标值",
    ]
    for row in rows:
        lines.append(f"\t{row.level1}\t{row.level2}\t{row.level3}\t{_jitter(row.value, rng)}")
    return lines + [""]


def write_corpus(directory: Path, indicator_rows: int, seed: int = 7) -> Path:
    """Write about ``indicator_rows`` rows of synthetic documents into ``directory``."""
    rng = random.Random(seed)
    projects, rows = seed_material()
    rows = [r for r in rows if r.level1 and r.level2 and "\t" not in r.value and r.value]
    directory.mkdir(parents=True, exist_ok=True)
    n_projects = max(1, indicator_rows // ROWS_PER_PROJECT)
    for doc_index in range(0, n_projects, PROJECTS_PER_DOC):
        batch = doc_index // PROJECTS_PER_DOC
        region = f"{COUNTIES[batch % len(COUNTIES)]}{batch}县"
        lines: list[str] = []
        for i in range(doc_index, min(doc_index + PROJECTS_PER_DOC, n_projects)):
            base = rng.choice(projects)
            sample = sorted(
                rng.sample(rows, ROWS_PER_PROJECT), key=lambda r: (r.level1 or "", r.level2 or "")
            )
            amount = f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}"
            lines += _project_block(f"{base.name}{i}", region, amount, sample, rng)
        (directory / f"synth_{doc_index // PROJECTS_PER_DOC:04d}.txt").write_text(
            "\n".join(lines), encoding="utf-8"
        )
    return directory
