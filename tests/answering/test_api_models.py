"""The answer model: every answer the evaluation's questions produce survives its JSON unchanged, and drift
(a key nobody declared, a key on the wrong kind of answer) is refused."""

from __future__ import annotations

import json
import subprocess
import sys
import typing
from datetime import date

import pytest
from pydantic import ValidationError

from assistant.answering.api_models import (
    SCHEMA_FILE,
    AmountKindName,
    Answer,
    BenefitName,
    ProgramStatus,
    answer_schema,
    schema_text,
)
from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine, default_engine
from assistant.calculator.assessment import Status
from assistant.core.settings import REPO_ROOT
from assistant.evaluation.cases import DEFAULT_CASES, load_cases
from assistant.rules.schema import AmountKind, Benefit

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


@pytest.fixture(scope="module")
def answers(engine: Engine) -> list[Answer]:
    """Every turn of every evaluation case, as the runner asks them."""
    out = []
    for case in load_cases(DEFAULT_CASES):
        chat = Conversation(engine, case.as_of)
        out += [chat.ask(text) for text in case.asked]
    return out


def test_the_literals_are_the_calculators_values() -> None:
    assert set(typing.get_args(ProgramStatus)) == {s.value for s in Status}
    assert set(typing.get_args(AmountKindName)) == {k.value for k in AmountKind}
    assert set(typing.get_args(BenefitName)) == {b.value for b in Benefit}


def test_every_evaluation_answer_round_trips_through_its_json(answers: list[Answer]) -> None:
    """What a caller, the logbook or results.jsonl reads back is the answer that was given."""
    for answer in answers:
        assert Answer.model_validate(answer.to_json()) == answer
        assert Answer.model_validate_json(answer.dumps()) == answer
        assert json.loads(answer.dumps()) == answer.to_json()
    assert {a.kind for a in answers} == {"assessment", "fact", "out_of_scope", "bad_input"}


def test_keys_only_some_answers_have_are_left_out_not_null(answers: list[Answer]) -> None:
    for answer in answers:
        keys = set(answer.to_json())
        assert ("quotes" in keys) == (answer.kind == "fact")
        assert ("covered_policies" in keys) == (answer.kind == "out_of_scope")
        assert not keys & {"answer_source", "answer_template", "rewrite_rejected"}  # no language model here
        assert {"retrieval_warning", "follow_up", "total_max_yuan", "id"} <= keys  # null, but always there


def test_a_key_nobody_declared_is_refused(engine: Engine) -> None:
    response = engine.ask(HEKOU, date(2021, 6, 30)).to_json()
    with pytest.raises(ValidationError, match="extra"):
        Answer.model_validate({**response, "total": 1})
    program = {**response["programs"][0], "amount": 1}
    with pytest.raises(ValidationError, match="extra"):
        Answer.model_validate({**response, "programs": [program]})


def test_keys_of_one_kind_do_not_appear_on_another(engine: Engine) -> None:
    assessment = engine.ask(HEKOU, date(2021, 6, 30)).to_json()
    with pytest.raises(ValidationError, match="quotes"):
        Answer.model_validate({**assessment, "quotes": []})
    with pytest.raises(ValidationError, match="covered_policies"):
        Answer.model_validate({**assessment, "kind": "out_of_scope"})
    refused = engine.ask("", date(2021, 6, 30)).to_json()
    with pytest.raises(ValidationError, match="no figure"):
        Answer.model_validate({**refused, "total_max_yuan": 1.0})


def test_the_published_schema_is_the_one_the_code_generates() -> None:
    published = (REPO_ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    assert published == schema_text(), (
        f"{SCHEMA_FILE} is out of date with assistant/answering/api_models.py: regenerate it with "
        f"`python -m assistant schema > {SCHEMA_FILE}` and commit it with the change"
    )


def test_the_schema_describes_every_key_and_requires_those_always_present() -> None:
    schema = answer_schema()
    assert schema["additionalProperties"] is False and set(schema["properties"]) == set(Answer.model_fields)
    optional = {
        "contract_version",
        "figure_changes",
        "follow_up_fact",
        "other_programs",
        "overlaps",
        "covered_policies",
        "quotes",
        "answer_source",
        "rewrite_rejected",
        "answer_template",
    }
    assert set(schema["required"]) == set(Answer.model_fields) - optional
    assert all(field.get("description") for field in schema["properties"].values())
    for name, part in schema["$defs"].items():
        if name not in ("EnterpriseFacts", "Level"):  # the calculator's own model, embedded as it is
            assert all(field.get("description") for field in part["properties"].values()), name


def test_the_schema_command_prints_it() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "schema"], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == schema_text() and json.loads(out.stdout)["title"] == "Answer"
