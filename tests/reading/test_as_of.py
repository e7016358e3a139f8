"""The day a question asks to be judged on, as a table: only a date said of the policy counts."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.reading.as_of import stated_day


@pytest.mark.parametrize(
    ("question", "day"),
    [
        ("请按2021年6月30日的政策帮我看看", date(2021, 6, 30)),
        ("按照 2020-10-08 的规定，我们能拿多少", date(2020, 10, 8)),
        ("2019年的时候济源的奖励有多少", date(2019, 12, 31)),  # a year alone: its last day
        ("按2021年6月的政策", date(2021, 6, 30)),  # a month alone: its last day
        ("截至2022年底还能申请吗", date(2022, 12, 31)),
        # dates that are facts of the project, or a document's year, are not the day to judge on
        ("项目贷款2021年3月放款2000万", None),
        ("我们2019年首次认定高新技术企业", None),
        ("能按河南省2012年那个技改意见申请吗", None),
        ("想按2013年那个省里加快技改的意见抵免，可以吗", None),  # 按 before, the title noun after
        ("还能按2017年度行动计划拿补助吗", None),
        ("按2018年的政策，还能按那个意见申请吗", date(2018, 12, 31)),  # 的政策 right after: the day
        # two different days: none is taken, the page's date stands
        ("按2021年6月30日的政策，还是按2022年1月1日的政策", None),
    ],
)
def test_the_day_to_judge_on(question: str, day: date | None) -> None:
    got = stated_day(question)
    assert (got.day if got else None) == day
