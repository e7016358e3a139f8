"""The coverage panel and the one-click dates come from each document's metadata: every document is
listed with its region and its state on the day asked, and the day offered lies inside its validity."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.answering.engine import Engine, default_engine
from assistant.texts.policies import Validity, validity_on
from assistant.web.cards import VALIDITY_LABEL
from assistant.web.coverage import coverage_html, day_in_force


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


def test_the_day_offered_for_each_document_is_inside_its_validity(engine: Engine) -> None:
    for policy in engine.book.library.policies.values():
        day = day_in_force(policy.meta)
        state = validity_on(policy.meta, day).state
        # in force; or, where the text states no end, after it took effect and before any repeal
        expected = Validity.IN_FORCE if policy.meta.valid_to or policy.meta.repealed_between else Validity.UNKNOWN
        assert state is expected, (policy.id, day, state)
    hekou = engine.book.library.policies["hekou-2020-5"].meta
    assert day_in_force(hekou) == date(2021, 6, 30)  # the first 30 June within 2020-09-21 … 2022-12-31


@pytest.mark.parametrize("day", [date(2021, 6, 30), date(2026, 12, 1)])
def test_the_panel_lists_every_document_with_its_region_and_state_on_the_day(engine: Engine, day: date) -> None:
    html = coverage_html(engine, day)
    assert day.isoformat() in html
    for policy in engine.book.library.policies.values():
        row = html.split(policy.meta.short_title, 1)[1].split("</tr>", 1)[0]
        assert policy.meta.region_name in row
        assert VALIDITY_LABEL[validity_on(policy.meta, day).state] in row
    # 2026: none of the five can be applied for; 2021: 河口's can
    assert ("可按此政策申报" in html) == (day.year == 2021)
