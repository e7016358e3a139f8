"""What a question asks, driven by tests/reading/data/intent.yaml: the enterprise's own benefit or a
property the text states, with and without amounts, alone and after earlier turns."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.core.settings import Settings
from assistant.reading.intent import Ask, Asker, Intent, ask_of, asking_clauses, classify
from assistant.reading.understanding import understand
from assistant.rules.rulebook import Vocabulary, load_rulebook

DATA = yaml.safe_load((Path(__file__).parent / "data" / "intent.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    """The vocabulary with every rules file's tags, as the engine reads with it."""
    return load_rulebook(Settings.from_env()).vocabulary


def _intent(question: str, vocab: Vocabulary, context: str = "") -> Intent:
    read = understand(question, vocab)
    facts = understand(context, vocab).facts.merged(read.facts) if context else read.facts
    return classify(question, read, facts, vocab.intent, context)


@pytest.mark.parametrize("question", DATA["assessment"])
def test_an_ask_of_the_enterprises_own_benefit_is_an_assessment(question: str, vocab: Vocabulary) -> None:
    assert _intent(question, vocab) is Intent.ASSESSMENT


@pytest.mark.parametrize("question", DATA["fact"])
def test_an_ask_of_what_the_text_says_is_a_fact_question(question: str, vocab: Vocabulary) -> None:
    assert _intent(question, vocab) is Intent.FACT


@pytest.mark.parametrize("turn", DATA["conversations"], ids=[t["q"] for t in DATA["conversations"]])
def test_a_later_turn_is_read_by_its_own_ask_then_by_the_conversations(turn: dict, vocab: Vocabulary) -> None:
    assert _intent(turn["q"], vocab, turn["context"]) is Intent(turn["intent"])


@pytest.mark.parametrize(
    "text,clauses",
    [
        ("今年几个项目已经拿满300万了，还能再拿吗？", ["还能再拿吗"]),
        ("申报截止是哪天？要交哪些材料", ["申报截止是哪天", "要交哪些材料"]),
        ("我们在河口区。总投资500万，", ["总投资500万"]),
    ],
)
def test_only_the_asking_clauses_count(text: str, clauses: list[str]) -> None:
    assert asking_clauses(text) == clauses


@pytest.mark.parametrize(
    "clause,asker,ask",
    [
        ("贴息怎么算", Asker(figures_or_place=True), Ask.BENEFIT),
        ("贴息怎么算", Asker(what_it_is=True), Ask.BENEFIT),
        ("贴息怎么算", Asker(), Ask.PROPERTY),
        ("奖励标准是多少", Asker(figures_or_place=True), Ask.BENEFIT),
        ("奖励标准是多少", Asker(what_it_is=True), Ask.PROPERTY),
        ("贴息怎么申请", Asker(what_it_is=True), Ask.BENEFIT),
        ("贴息怎么申请", Asker(figures_or_place=True), Ask.PROPERTY),
        ("这个政策我们能用吗", Asker(), Ask.BENEFIT),
        ("我们能同时享受吗", Asker(), Ask.PROPERTY),
        ("选哪个", Asker(), None),
        ("为什么", Asker(), None),
    ],
)
def test_an_ask_depends_on_what_it_is_asked_of(clause: str, asker: Asker, ask: Ask | None, vocab: Vocabulary) -> None:
    assert ask_of(clause, vocab.intent, asker) is ask
