"""The rules files against the texts they encode: quotes verbatim, every money sentence covered."""

from __future__ import annotations

import pytest

from assistant.core.settings import Settings
from assistant.onboarding.sentences import money_sentences as find_money_sentences
from assistant.rules.rulebook import Rulebook, build_rulebook
from assistant.rules.schema import Citation


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return build_rulebook(Settings.from_env())


def money_sentences(book: Rulebook) -> list[tuple[str, int, int, str]]:
    """(policy id, start, end, sentence) for every sentence of the body text with a money word."""
    return [
        (s.clause.policy_id, s.start, s.end, s.text) for s in find_money_sentences(list(book.library.clauses.values()))
    ]


def covered_spans(book: Rulebook) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for program_id, program in book.programs.items():
        policy_id = book.program_policy[program_id]
        for citation in program.all_citations():
            r = book.resolve(policy_id, citation)
            spans.setdefault(policy_id, []).append((r.start, r.end))
    for policy_id, items in book.non_programs.items():
        for item in items:
            r = book.resolve(policy_id, Citation(clause=item.clause, quote=item.quote))
            spans.setdefault(policy_id, []).append((r.start, r.end))
    return spans


def test_every_quote_is_verbatim_inside_its_clause(book: Rulebook) -> None:
    checked = 0
    for program_id, program in book.programs.items():
        policy = book.policy_of(program_id)
        for citation in program.all_citations():
            r = book.resolve(policy.id, citation)
            clause = book.library.clauses[citation.clause]
            assert policy.text[r.start : r.end] == citation.quote
            assert clause.start <= r.start and r.end <= clause.end
            checked += 1
    assert checked >= len(book.programs)


def test_every_money_sentence_is_covered_by_a_program_or_set_aside(book: Rulebook) -> None:
    spans = covered_spans(book)
    missed = [
        f"{policy_id}@{start}: {sentence}"
        for policy_id, start, end, sentence in money_sentences(book)
        if not any(a < end and start < b for a, b in spans.get(policy_id, []))
    ]
    assert not missed, "money sentences no program covers:\n" + "\n".join(missed)


def test_a_quote_that_is_not_in_the_text_is_refused(book: Rulebook) -> None:
    with pytest.raises(ValueError, match="not found verbatim"):
        book.resolve("hekou-2020-5", Citation(clause="hekou-2020-5:3.1.p1", quote="按照设备投资额的8%予以奖补"))
    # a true quote cited against the wrong clause is refused too
    with pytest.raises(ValueError, match="not found verbatim"):
        book.resolve("hekou-2020-5", Citation(clause="hekou-2020-5:3.3", quote="单个项目不超过 100 万元"))


def test_programs_state_their_departments_and_topics(book: Rulebook) -> None:
    for program in book.programs.values():
        assert program.topics, program.id
        assert program.clause in book.library.clauses, program.id
