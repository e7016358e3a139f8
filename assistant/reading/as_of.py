"""The day a question asks to be judged on: "按2021年6月30日的政策", "2019年的时候", "截至2022年底".

Validity depends on the day, so a date the user names for the policy overrides the page's as-of
date for that turn, and the answer says which day it used. Only a date said *of the policy* counts:
"2021年3月放款" or "2019年首次认定" are facts of the project, not the day to judge on, so a date is
taken only next to words that make it the policy's time (按/以/截至… before it, 的政策/的规定/时/
的时候/当时/那个时间点 after it). A year or a month alone is judged on its last day, and the answer
says so.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from assistant.reading.amounts import find_dates

# Words that make the date next to them the policy's day rather than a fact of the project.
BEFORE = ("按照", "按", "截至", "截止", "依据")
AFTER = ("的政策", "的规定", "的标准", "那天", "当天", "的时候", "时候", "时的", "当时", "那时", "那个时间点")
# Nouns of a document's title: "按2012年那个河南加快企业技术改造意见", "按2016年度行动计划" name a document by
# its year; the day to judge on is still the page's.
DOCUMENT_NOUNS = ("意见", "计划", "通知", "办法", "方案", "细则", "文件", "号文")
CLAUSE_END = re.compile(r"[，,。；;？?！!]")
PARTIAL = re.compile(r"(?<![0-9])(?P<year>(?:19|20)[0-9]{2})年(?:(?P<month>1[0-2]|0?[1-9])月(?![0-9日号])|(?:底|末))?")


@dataclass(frozen=True)
class StatedDay:
    """The day the question names for judging, with the user's words."""

    day: date
    said: str


def _policy_time(text: str, start: int, end: int) -> bool:
    # The word right before the date: "按河南省2012年那个意见" names a document by its year, not a day.
    if text[end:].startswith(AFTER):
        return True
    return text[:start].rstrip().endswith(BEFORE) and not _names_document(text[end:])


def _names_document(after: str) -> bool:
    """The clause after the year goes on to a document's title noun (…年那个…意见, …年度行动计划)."""
    clause = CLAUSE_END.split(after, maxsplit=1)[0]
    return any(noun in clause for noun in DOCUMENT_NOUNS)


def stated_day(text: str) -> StatedDay | None:
    """The one day the question asks to be judged on, or None (two different ones: None, and the page's
    date stands)."""
    found: dict[date, str] = {}
    taken: list[tuple[int, int]] = []
    for mention in find_dates(text):
        taken.append((mention.start, mention.end))
        if _policy_time(text, mention.start, mention.end):
            found[mention.value] = mention.raw
    for m in PARTIAL.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if not _policy_time(text, m.start(), m.end()):
            continue
        year = int(m["year"])
        month = int(m["month"]) if m["month"] else 12
        found[date(year, month, calendar.monthrange(year, month)[1])] = m[0]
    if len(found) != 1:
        return None
    day, said = next(iter(found.items()))
    return StatedDay(day, said)
