"""Folded texts: which texts hold a string, found in one pass, exactly as testing each text."""

from __future__ import annotations

import pytest

from index.text import compact
from qa.context import QAContext
from qa.evidence.topic import (
    _name_bar,
    _weights,
    match_project,
    projects_about,
    topic_alternatives,
)
from qa.question import FoldedTexts, occurs_key

TEXTS = ["“枫桥式”司法所创建数", "人民调解成功率", "协调解决", "", "ＡＢＣ调解", "调解\x00成功"]


@pytest.mark.parametrize("term", ["调解", "枫桥式司法所", "abc", "成功", "", "\x00", "解协", "数"])
def test_folded_texts_holding_is_each_text_searched(term):
    folded = FoldedTexts(([t] for t in TEXTS), occurs_key)
    assert folded.holding(term) == {i for i, t in enumerate(TEXTS) if term in occurs_key(t)}


@pytest.mark.parametrize("term", ["调", "调调", "调解", "解调", "x", "解"])
def test_folded_texts_find_repeated_and_edge_matches(term):
    """Matches repeated in a text, overlapping, at a text's first or last character, in an
    empty neighbour's place: each text holding the term is found once, no other."""
    texts = ["调调调", "调", "", "解调", "调解", "调解调解调解", "x解", "解"]
    folded = FoldedTexts(([t] for t in texts), lambda t: t)
    assert folded.holding(term) == {i for i, t in enumerate(texts) if term in t}


def test_folded_texts_kept_holders_are_those_found_afresh_and_bounded(monkeypatch):
    """The entries holding a term are kept per term (questions repeat words); asked again, or
    after the bound empties the store, they are the same."""
    from qa.question import terms as terms_module

    texts = ["调调调", "调", "", "解调", "调解", "调解调解调解", "x解", "解"]
    folded = FoldedTexts(([t] for t in texts), lambda t: t)
    monkeypatch.setattr(terms_module, "HELD_TERMS", 2)
    asked = ["调解", "调", "解", "调解", "x", "调"] * 2
    for term in asked:
        assert folded.holding(term) == {i for i, t in enumerate(texts) if term in t}
        assert len(folded._held) <= 2
    held = folded.holding("调")
    held.add(99)  # a caller's set is its own: the kept entries do not change
    assert 99 not in folded.holding("调")


def test_folded_texts_entry_of_several_texts_never_joins_them():
    folded = FoldedTexts([["人民", "调解"], ["人民调解"], ["调解"]], compact)
    assert folded.holding("民调") == {1}
    assert folded.holding("调解") == {0, 1, 2}
    assert folded.texts(0) == ("人民", "调解")


def test_folded_texts_give_back_each_entrys_folded_texts():
    """An entry's texts come back as folded, from the joined text alone: one text, several,
    an empty one, none, and a text holding the separator."""
    entries = [["人民", "调解"], ["ＡＢＣ调解"], [""], [], ["调解\x00成功", "率"], ["", "x"]]
    folded = FoldedTexts(entries, occurs_key)
    assert len(folded) == len(entries)
    for i, texts in enumerate(entries):
        assert folded.texts(i) == tuple(occurs_key(t) for t in texts)
    assert folded.holding("\x00成") == {4} and folded.holding("调解") == {0, 1, 4}


@pytest.mark.parametrize("term", ["法律援助", "政府法律顾问", "社区矫正", "调解", "普法宣传"])
def test_matcher_holders_is_term_in(engine, term):
    ctx = QAContext.of(engine)
    names = [p.name for p in ctx.sorted_projects]
    found = ctx.matcher.holders(term, FoldedTexts(([n] for n in names), compact))
    assert found == {i for i, n in enumerate(names) if ctx.matcher.term_in(term, n)}


@pytest.mark.parametrize(
    "question",
    [
        "哪些县有法律援助项目",
        "社区矫正经费哪个县最少",
        "给政府聘外部律师当法律顾问的钱各县多少",
        "普法、法治宣传这块各县投了多少",
        "人民调解员补贴哪些地方有",
        "哪些项目涉及矛盾纠纷排查",  # brought in by a goal (绩效目标)
        "哪些县有普法项目",  # and by an overview (项目概况)
        "平罗县有哪些法律援助方面的项目",  # in one region's projects
        "阳城县2024年社区矫正的项目有哪些",  # and one year's
    ],
)
def test_projects_about_is_every_project_tested(engine, question):
    """Only projects that can match are tested (by names, row texts, goals and overviews
    found in folded texts once per index): the same as testing every one."""
    ctx = QAContext.of(engine)
    u = ctx.understand(question)
    alternatives = topic_alternatives(ctx, u)
    projects = ctx.projects_in(u.regions, u.years[0] if u.years else None)
    assert u.regions or len(projects) == len(ctx.sorted_projects)
    weights = _weights(ctx, alternatives)
    bars = {a.text: _name_bar(ctx, a.terms, weights, projects) for a in alternatives}
    every = [match_project(ctx, alternatives, weights, bars, p) for p in projects]
    expected = {(f.project.id, f.match, f.evidence, f.rows) for f in every if f}
    found = {(f.project.id, f.match, f.evidence, f.rows) for f in projects_about(ctx, u)}
    assert found == expected
    assert found or question == "人民调解员补贴哪些地方有"
    evidence = {f[2][0] for f in found}
    assert "绩效目标" in evidence or question != "哪些项目涉及矛盾纠纷排查"
    assert "项目概况" in evidence or question != "哪些县有普法项目"


@pytest.mark.parametrize("segment", [1, 2, 5, 10_000])
def test_folded_texts_kept_in_segments_are_the_texts_joined_at_once(monkeypatch, segment):
    """The joined text is kept, folded and scanned in segments of entries: whatever their
    size, an entry's texts and the entries holding a term are those of the texts joined at
    once (matches at a segment's first and last entry, entries with no text or the separator)."""
    from qa.question import terms as terms_module

    monkeypatch.setattr(terms_module, "SEGMENT_ENTRIES", segment)
    entries = [["人民", "调解"], ["ＡＢＣ调解"], [""], [], ["调解\x00成功", "率"], ["", "x"]] * 3
    entries += [["调解成功率"], ["调"], ["解"]]
    folded = FoldedTexts(entries, occurs_key)
    assert len(folded) == len(entries)
    for i, texts in enumerate(entries):
        assert folded.texts(i) == tuple(occurs_key(t) for t in texts)
    for term in ("调解", "调", "解", "率", "abc", "x", "民调", "成功率", "没有"):
        expected = {i for i, e in enumerate(entries) if any(term in occurs_key(t) for t in e)}
        extra = folded.holding(term) - expected
        assert expected <= folded.holding(term) and extra <= {4, 10, 16}  # the separator's
    empty = FoldedTexts([], occurs_key)
    assert len(empty) == 0 and empty.holding("") == set()


def test_folded_texts_are_built_and_scanned_a_segment_at_a_time(monkeypatch):
    """At a million rows the joined text is hundreds of megabytes: building it, or scanning it
    for a word most entries print, holds little more than the text itself (it held three
    copies while folding, and another while splitting it at every match)."""
    import tracemalloc

    from qa.question import terms as terms_module

    monkeypatch.setattr(terms_module, "SEGMENT_ENTRIES", 500)
    goal = "加强人民调解组织建设，提升矛盾纠纷排查化解能力，调解成功率达到百分之九十五以上"
    entries = [[f"第{i}项", goal * 2, f"满意度{i}"] for i in range(20_000)]
    tracemalloc.start()
    try:
        folded = FoldedTexts(entries, str.strip)  # a fold that keeps no cache of its own
        kept, built = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        held = folded._scan("率")
        _, scanned = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    text = sum(len(s) for s in folded._segments) * 2  # two bytes a character
    assert len(held) == len(entries)
    assert built < kept + text / 2
    assert scanned < kept + text / 4  # a copy of the text, and a string per match


@pytest.mark.parametrize("term", ["调解", "率", "abc", "满意度", "", "没有"])
def test_grouped_texts_find_the_items_each_text_holds_folding_each_text_once(term):
    """Rows repeat a few wordings (a project's rows its name): each distinct text is folded
    once, and the items holding a term are every item printing a text that holds it."""
    import tracemalloc

    from qa.question import GroupedTexts

    wordings = ["人民调解成功率", "ＡＢＣ调解", "服务对象满意度", "", "调解\x00成功"]
    items = [wordings[(i * 7) % 5] + ("率" if i % 11 == 0 else "") for i in range(20_000)]
    tracemalloc.start()
    try:
        grouped = GroupedTexts(items, occurs_key)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(grouped) == len(items) and len(grouped._texts) == len(set(items))
    expected = {i for i, t in enumerate(items) if term in occurs_key(t)}
    assert grouped.holding(term) == grouped.holding_any([term, "没有的词"]) == expected
    assert held < len(items) * 8  # positions, not a folded text per item
