"""The facts form's place field, as a table: what the form offers and what the reader read stay as they
are (the list need not hold every county), a typed place is read like a question's, the rest is refused."""

from __future__ import annotations

import pytest

from assistant.calculator.facts import EnterpriseFacts
from assistant.core.settings import Settings
from assistant.reading.amounts import InputError
from assistant.rules.rulebook import load_rulebook
from assistant.web.facts_form import form_place

VOCAB = load_rulebook(Settings.from_env()).vocabulary
READ = EnterpriseFacts(place="河南省洛阳市", place_mention="洛阳")


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        (None, READ, None),  # left empty
        ("", None, None),
        ("  ", None, None),
        ("河南省济源市", None, "河南省济源市"),  # offered by the list
        ("其他地区", None, "其他地区"),
        ("河南省洛阳市", READ, "河南省洛阳市"),  # what the reader read, not in the list
        ("洛阳", None, "河南省洛阳市"),  # typed in: read like a question's place
        ("河南省洛阳市", None, "河南省洛阳市"),
        ("河口", None, "山东省东营市河口区"),
        ("东营市垦利区", READ, "山东省东营市垦利区"),
    ],
)
def test_the_place_the_form_says(value: str | None, base: EnterpriseFacts | None, expected: str | None) -> None:
    assert form_place(value, base, VOCAB) == expected


@pytest.mark.parametrize("value", ["火星", "宝山", "某某县"])  # unknown, or two places of that name
def test_a_place_the_form_cannot_read_is_refused(value: str) -> None:
    with pytest.raises(InputError, match="请填写省、市或区县"):
        form_place(value, READ, VOCAB)
