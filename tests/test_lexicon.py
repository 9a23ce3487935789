"""The lexicon: one expansion rule, a user's own file used everywhere, bad files named."""

from __future__ import annotations

import pytest
from appserver import isolated_engine
from typer.testing import CliRunner

from qa.answers import answer_question
from qa.cli import app
from qa.drafting import draft_targets
from qa.question import Concept, Lexicon, LexiconFileError, load_lexicon
from qa.question.terms import term_groups
from qa.wording import find_wording

# A word for 人民调解 that no document prints and the bundled lexicon does not know.
USER_LINE = "人民调解\t息讼\n"


@pytest.fixture(scope="module")
def user_engine(engine, tmp_path_factory):
    """The session's index in a data dir whose lexicon.tsv adds 息讼 to 人民调解."""
    data_dir = tmp_path_factory.mktemp("user-lexicon") / "data"
    data_dir.mkdir()
    (data_dir / "lexicon.tsv").write_text(USER_LINE, encoding="utf-8")
    return isolated_engine(engine, data_dir)


def test_user_lexicon_reaches_wording(engine, user_engine):
    question = "息讼成功率有哪些写法"
    assert find_wording(engine, question).unmatched == ("息讼",)
    result = find_wording(user_engine, question)
    assert result.unmatched == ()
    core = {w.row.level3 for w in result.core}
    assert {"调解成功率", "人民调解案件成功率"} <= core
    assert "协调解决政府各部门涉法涉诉案件成功率" not in core


def test_user_lexicon_reaches_drafting(engine, user_engine):
    assert not draft_targets(engine, "息讼培训经费").found
    draft = draft_targets(user_engine, "息讼培训经费")
    assert draft.found and draft.rows
    assert any("调解" in c.project.name for c in draft.comparables)


def test_user_lexicon_reaches_ask(user_engine):
    answer = answer_question(user_engine, "哪些县有息讼的钱")
    assert answer.intent == "which_regions_fund" and answer.found
    assert any(p.project == "人民调解" for p in answer.projects)


@pytest.mark.parametrize(
    ("term", "variants"),
    [
        ("工作人员", {"工作人员", "职工", "执法人员", "协理员"}),  # a category's head: every member
        ("职工", {"职工", "工作人员"}),  # a member: itself and the head only
        ("外聘律师", {"外聘律师", "法律顾问", "政府律师"}),  # synonyms: every other term
        ("航天", {"航天"}),
    ],
)
def test_lexicon_one_expansion_rule(term, variants):
    found = set(load_lexicon().variants(term))
    assert variants <= found
    if term == "职工":
        assert found == variants


def test_term_heading_its_own_concept_keeps_its_synonyms_beside_a_shorter_head():
    """Family: a concept whose head holds another concept's head (补助标准 ⊃ 补助, 工作经费 ⊃
    经费): the term is specific, yet its own synonyms are still what it stands for."""
    lexicon = Lexicon(
        [
            Concept("补助", ("补助", "补贴", "补助标准")),
            Concept("补助标准", ("补助标准", "资助标准", "补贴标准")),
            Concept("成本", ("成本", "补助标准"), category=True),
        ]
    )
    (group,) = term_groups("补助标准", lexicon)
    assert set(group.variants) == {"补助标准", "资助标准", "补贴标准"}  # not 补助/补贴 alone


def test_lexicon_expand_is_variants_compared():
    lexicon = Lexicon([Concept("X", ("ＡＢ码", "Cd码"))])
    assert lexicon.expand("ab码") == {"ab码", "cd码"}


@pytest.mark.parametrize(
    "line",
    ["没有制表符的一行", "人民调解\t", "\t调解", "人民调解\t | "],
    ids=["no-tab", "no-terms", "no-concept", "blank-terms"],
)
def test_lexicon_bad_line_names_file_and_line(tmp_path, line):
    path = tmp_path / "lexicon.tsv"
    path.write_text(f"# 注释\n{line}\n", encoding="utf-8")
    with pytest.raises(LexiconFileError, match=r"lexicon\.tsv 第2行格式不对"):
        Lexicon.from_files(path)


def test_lexicon_missing_or_undecodable_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETQA_LEXICON", str(tmp_path / "missing.tsv"))
    with pytest.raises(LexiconFileError, match="不存在"):
        load_lexicon()
    gbk = tmp_path / "gbk.tsv"
    gbk.write_bytes("人民调解\t息讼\n".encode("gbk"))
    monkeypatch.setenv("BUDGETQA_LEXICON", str(gbk))
    with pytest.raises(LexiconFileError, match="UTF-8"):
        load_lexicon()


@pytest.mark.parametrize("command", [["ask", "西青抚恤金多少"], ["wording", "满意度"]])
def test_cli_bad_user_lexicon_is_an_error(tmp_path, command):
    (tmp_path / "lexicon.tsv").write_text("人民调解\t息讼\n坏行\n", encoding="utf-8")
    result = CliRunner().invoke(app, command, env={"BUDGETQA_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "Error: 词表" in result.output and "第2行格式不对" in result.output
    assert "Traceback" not in result.output


def _concepts_in_plain(lexicon: Lexicon, text: str) -> list:
    """concepts_in as a pass over every term, longest first (the definition)."""
    from qa.question.lexicon import term_key

    key = term_key(text)
    found, taken = [], [False] * len(key)
    for term in lexicon.keys_longest_first:
        start = key.find(term)
        while start != -1:
            if not any(taken[start : start + len(term)]):
                taken[start : start + len(term)] = [True] * len(term)
                found.extend((term, c) for c in lexicon.concepts_of(term))
                break
            start = key.find(term, start + 1)
    return found


def test_the_terms_a_text_holds_are_those_a_pass_over_every_term_finds(engine):
    """concepts_in searches a text only for the terms starting with one of its characters."""
    lexicon = load_lexicon()
    texts = [r.level3 for r in engine.store.indicators.values()][::3]
    texts += [p.name for p in engine.store.projects.values()]
    texts += [
        "",
        "Ａ",
        " ".join(lexicon.keys_longest_first[:40]),
        "".join(lexicon.keys_longest_first),
    ]
    texts += [t.upper() + t for t in lexicon.keys_longest_first[::7]]
    held = 0
    for text in texts:
        found = lexicon.concepts_in(text)
        assert found == _concepts_in_plain(lexicon, text), text
        held += bool(found)
    assert held > len(texts) // 3
    odd = Lexicon([Concept("X", ("调解", "人民调解员", "调解员")), Concept("Y", ("员", "民调"))])
    for text in ("人民调解员调解", "民调解员", "员员调解"):
        assert odd.concepts_in(text) == _concepts_in_plain(odd, text)
