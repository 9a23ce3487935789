"""Shared fixtures: the seed corpus, the gold records, and (session-scoped) parsed documents."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT / "corpus"


def load_gold_projects() -> list[dict]:
    return json.loads((DATA / "gold_projects.json").read_text(encoding="utf-8"))


def load_gold_departments() -> list[dict]:
    return json.loads((DATA / "gold_departments.json").read_text(encoding="utf-8"))


def seed_paths() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


def gold_facts(department: dict) -> list[dict]:
    """Every fact with a value anywhere in a gold department record."""
    out: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if "fact" in node and "line" in node and node.get("value") is not None:
                out.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(department)
    return out


def dec(value) -> Decimal:
    return Decimal(str(value))


@pytest.fixture(scope="session")
def gold_projects() -> list[dict]:
    return load_gold_projects()


@pytest.fixture(scope="session")
def parsed_seeds():
    from index.parse import parse_file

    return {path.name: parse_file(path) for path in seed_paths()}
