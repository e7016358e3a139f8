"""Parse a policy text into clauses: its plans, its heading levels and its paragraphs and tables.

Citations must point at a clause an officer can find in the document, so clauses follow the text's
own numbering (第X章 / 一、 / 第N条 / （一） / 1. / （1）) rather than fixed-size chunks. Markers are read
with the spaces received texts put in them ("二 、", "（ 一 ）", "1 ."), since a heading that is silently not
a heading gives every citation under it the wrong heading path. Every clause keeps its
character span in `source.txt`, so `text == source[start:end]` always holds.

Clause ids are built from that numbering, e.g. `hekou-2020-5:3.1.p1` is the first paragraph after
the heading 三、 › （一） of the 河口 text, and `henan-2017-22:P4.2.8` is heading 二、 › （八） of the
fourth plan. A chapter and an article keep their kind in the id (`ch2`, `art12`: 第二章 › 第十二条), so
`…:ch2.art12.p1` names the article an officer would cite. They change only if the text's structure changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from assistant.texts.policies import Policy

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
CN_NUMBER = "[一二三四五六七八九十百零〇]{1,4}"

# Heading markers by level, outermost first; the number group is turned into an int for the clause id.
# 第X章 and 第N条 keep their kind in the id (LEVEL_KEY); the others are the bare number.
HEADING_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^第\s*({CN_NUMBER}|\d{{1,3}})\s*章")),
    (2, re.compile(r"^([一二三四五六七八九十]{1,3})\s*、")),
    (3, re.compile(rf"^第\s*({CN_NUMBER}|\d{{1,3}})\s*条")),
    (4, re.compile(r"^[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）]")),
    (5, re.compile(r"^(\d{1,2})\s*[.．、](?!\d)")),
    (6, re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]")),
]
LEVEL_KEY = {1: "ch", 3: "art"}
ARTICLE_LEVEL = 3
MARKER_CELL = 5  # characters of a cell that is only a heading's marker ("一、", "（十二）")
# An article's caption, as written after its number: 第十二条【首台套奖励】, or a short line 第五条 资金来源.
ARTICLE_CAPTION = re.compile(r"[ \t\u3000]*(【[^】]{1,20}】|\[[^\]]{1,20}\]|[^。，；：,;:\s]{1,20}$)")
# Lines that open like a heading but match no marker above ("一，", "（一)", "第三部分", "一是"): `policy
# outline` lists those that were parsed as paragraphs, so a maintainer sees what the parser skipped.
HEADING_LIKE = re.compile(
    r"^(第\s*[一二三四五六七八九十百\d]+\s*[部节篇款]|[（(]?\s*[一二三四五六七八九十]{1,3}\s*[)）]?\s*[，,.．:：]"
    r"|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*$|[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s+\S)"
)

# Web-page and layout leftovers found in received texts; a policy may add its own in policy.yaml.
BOILERPLATE_PATTERNS = [
    re.compile(r"^扫一扫在手机打开当前页$"),
    re.compile(r"^【(关闭当前页面|打印本页|关闭窗口)】$"),
    re.compile(r"^相关阅读[:：]?$"),
    re.compile(r"^文章内容来自网络"),
]

# A line ending in one of these closes its paragraph; otherwise a PDF line break split it.
SENTENCE_END = tuple("。！？；：:;!?”」）)")
# A closing sentence ("本意见自…起施行") belongs to the whole document (or plan), not to the last heading.
CLOSING = re.compile(r"^本(意见|方案|计划|通知|办法|规定|细则)自")
# An annex starts a section of its own, outside the numbered body.
ANNEX = re.compile(r"^附\s*件")
# "附则" (often spaced out: "附  则") on a line of its own, with no number: the section after the last
# numbered one at the top level, so its items are not cited under the section before it.
SUPPLEMENTARY = re.compile(r"^附[\s\u3000]*则$")
BLANK = " \t\u3000\u00a0\r"


class ClauseKind(str, Enum):
    PLAN = "plan"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    TABLE = "table"
    BOILERPLATE = "boilerplate"


@dataclass(frozen=True)
class Clause:
    clause_id: str
    policy_id: str
    kind: ClauseKind
    heading_path: tuple[str, ...]  # plan title and enclosing headings, the clause's own heading last
    start: int
    end: int
    text: str

    @property
    def indexable(self) -> bool:
        return self.kind is not ClauseKind.BOILERPLATE


@dataclass
class _Line:
    start: int
    end: int
    text: str


def _lines(source: str) -> list[_Line]:
    """Non-blank lines with their spans, leading and trailing blanks (incl. full-width) excluded."""
    out = []
    pos = 0
    for raw in source.split("\n"):
        left = len(raw) - len(raw.lstrip(BLANK))
        body = raw.strip(BLANK)
        if body:
            out.append(_Line(pos + left, pos + left + len(body), body))
        pos += len(raw) + 1
    return out


def heading_level(text: str) -> tuple[int, int] | None:
    """(level, number) when the line opens with a heading marker, else None."""
    for level, pattern in HEADING_PATTERNS:
        m = pattern.match(text)
        if m:
            token = m.group(1)
            return level, int(token) if token.isdigit() else _cn_number(token)
    return None


def _cn_number(token: str) -> int:
    """一 … 九十九 and 一百 … 一百九十九 (article numbers run that high), 〇/零 inside (一百零五)."""
    if "百" in token:
        hundreds, _, rest = token.partition("百")
        rest = rest.lstrip("零〇")
        return CN_DIGITS.get(hundreds, 1) * 100 + (_cn_number(rest) if rest else 0)
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + CN_DIGITS[token[1]]
    if len(token) >= 2 and token[1] == "十":
        return CN_DIGITS[token[0]] * 10 + (CN_DIGITS[token[2]] if len(token) == 3 else 0)
    return CN_DIGITS[token[-1]]


def looks_like_heading(text: str) -> bool:
    """Whether a line opens like a numbered heading although no marker matched it (see HEADING_LIKE)."""
    return heading_level(text) is None and bool(HEADING_LIKE.match(text))


def heading_title(text: str) -> str:
    """The heading's own words: up to the first full stop, as an officer would name the clause. An
    article (第五条 对…给予…。) is named by its number, and by its caption where it has a short one."""
    article = HEADING_PATTERNS[ARTICLE_LEVEL - 1][1].match(text)
    if article:
        caption = ARTICLE_CAPTION.match(text, article.end())
        return text[: caption.end()] if caption else text[: article.end()]
    cut = re.split(r"[。:：]", text, maxsplit=1)[0]
    return cut if len(cut) <= 60 else cut[:60] + "…"


def _is_table_row(line: _Line) -> bool:
    """Cells separated by tabs; not a heading whose marker a tab follows ("一、\t强化全社会创新活动")."""
    if "\t" not in line.text:
        return False
    first, _, rest = line.text.partition("\t")
    return not (heading_level(first) is not None and len(first) <= MARKER_CELL and "\t" not in rest)


class _Parser:
    """One pass over the lines, keeping the heading stack; small enough to read top to bottom."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.source = policy.text
        self.multi_plan = bool(policy.meta.plans)
        self.boiler = [re.compile(re.escape(b)) for b in policy.meta.boilerplate] + BOILERPLATE_PATTERNS
        self.plan_no = 0
        self.annex_no = 0
        self.plan_title: str | None = None
        self.stack: list[tuple[int, int, str]] = []  # (level, number, title)
        self.counters: dict[tuple[str, str], int] = {}
        self.clauses: list[Clause] = []

    # --- ids and paths -------------------------------------------------------------------------

    def _path_key(self) -> str:
        parts = [f"P{self.plan_no}"] if self.multi_plan and self.plan_no else []
        parts += [self._level_key(level, number) for level, number, _ in self.stack]
        return ".".join(parts)

    @staticmethod
    def _level_key(level: int, number: int) -> str:
        """Level 0 is outside the numbered body: an annex (A1, A2) or, with number 0, a captioned table."""
        if level == 0:
            return f"A{number}" if number else "T"
        return f"{LEVEL_KEY.get(level, '')}{number}"

    def _heading_path(self) -> tuple[str, ...]:
        head = (self.plan_title,) if self.plan_title else ()
        return head + tuple(title for _, _, title in self.stack)

    def _child_id(self, prefix: str) -> str:
        key = self._path_key()
        n = self.counters.get((key, prefix), 0) + 1
        self.counters[(key, prefix)] = n
        local = f"{key}.{prefix}{n}" if key else f"{prefix}{n}"
        return f"{self.policy.id}:{local}"

    def _unique(self, clause_id: str) -> str:
        """A repeated number under one parent (a typo in the text) still gets its own id."""
        taken = {c.clause_id for c in self.clauses}
        candidate, n = clause_id, 1
        while candidate in taken:
            n += 1
            candidate = f"{clause_id}#{n}"
        return candidate

    def _emit(self, clause_id: str, kind: ClauseKind, start: int, end: int) -> None:
        self.clauses.append(
            Clause(
                self._unique(clause_id), self.policy.id, kind, self._heading_path(), start, end, self.source[start:end]
            )
        )

    # --- the pass --------------------------------------------------------------------------------

    def _plan_at(self, lines: list[_Line], i: int) -> tuple[int, int] | None:
        """(plan number, lines used) when a plan title starts at line i."""
        for no, plan in enumerate(self.policy.meta.plans, start=1):
            want = plan.source_lines
            got = [line.text for line in lines[i : i + len(want)]]
            if got == want:
                return no, len(want)
        return None

    def parse(self) -> list[Clause]:
        lines = _lines(self.source)
        i = 0
        while i < len(lines):
            line = lines[i]
            plan = self._plan_at(lines, i) if self.multi_plan else None
            if plan:
                self.plan_no, used = plan
                self.plan_title = self.policy.meta.plans[self.plan_no - 1].title
                self.stack, self.annex_no = [], 0
                self._emit(f"{self.policy.id}:P{self.plan_no}", ClauseKind.PLAN, line.start, lines[i + used - 1].end)
                i += used
            elif any(p.search(line.text) for p in self.boiler):
                self._emit(self._child_id("x"), ClauseKind.BOILERPLATE, line.start, line.end)
                i += 1
            elif _is_table_row(line) or (i + 1 < len(lines) and _is_table_row(lines[i + 1]) and len(line.text) <= 30):
                i = self._table(lines, i)
            elif ANNEX.match(line.text):
                self.annex_no += 1
                self.stack = [(0, self.annex_no, line.text[:60])]
                i = self._paragraph(lines, i, annex=True)
            elif SUPPLEMENTARY.match(line.text):
                i = self._heading(lines, i, *self._after_last_section())
            elif CLOSING.match(line.text):
                self.stack = []
                i = self._paragraph(lines, i)
            elif (level := heading_level(line.text)) is not None:
                i = self._heading(lines, i, *level)
            else:
                i = self._paragraph(lines, i)
        return self.clauses

    def _starts_block(self, lines: list[_Line], i: int) -> bool:
        """Whether line i opens something of its own, so it cannot continue the line before it."""
        text = lines[i].text
        return (
            _is_table_row(lines[i])
            or heading_level(text) is not None
            or bool(ANNEX.match(text) or CLOSING.match(text))
            or (self.multi_plan and self._plan_at(lines, i) is not None)
            or any(p.search(text) for p in self.boiler)
        )

    def _continuation_end(self, lines: list[_Line], i: int) -> int:
        """Index after the last line that continues line i (a paragraph broken by the PDF layout)."""
        j = i
        while j + 1 < len(lines) and not lines[j].text.endswith(SENTENCE_END) and not self._starts_block(lines, j + 1):
            j += 1
        return j + 1

    def _heading(self, lines: list[_Line], i: int, level: int, number: int) -> int:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        text = lines[i].text
        self.stack.append((level, number, heading_title(text)))
        # A bare heading ("一、总体要求") stands alone; one that runs into its body text may wrap.
        end = i + 1 if len(text) <= 20 and "。" not in text else self._continuation_end(lines, i)
        self._emit(f"{self.policy.id}:{self._path_key()}", ClauseKind.HEADING, lines[i].start, lines[end - 1].end)
        return end

    def _after_last_section(self) -> tuple[int, int]:
        """(level, number) of the section after the open top-level one (六、… then 附则 is the 7th)."""
        top = next(((level, number) for level, number, _ in self.stack if level > 0), None)
        return (top[0], top[1] + 1) if top else (2, 1)

    def _paragraph(self, lines: list[_Line], i: int, annex: bool = False) -> int:
        end = self._continuation_end(lines, i)
        clause_id = f"{self.policy.id}:{self._path_key()}" if annex else self._child_id("p")
        self._emit(clause_id, ClauseKind.PARAGRAPH, lines[i].start, lines[end - 1].end)
        return end

    def _table(self, lines: list[_Line], i: int) -> int:
        """A caption line (if any) and every following row stay one clause, header included."""
        j = i + 1
        while j < len(lines) and _is_table_row(lines[j]):
            j += 1
        if not _is_table_row(lines[i]):
            # A captioned table ("重点工作分工安排") belongs to the plan, not to the heading before it.
            self.stack = [(0, 0, lines[i].text)] if not (self.stack and self.stack[0][0] == 0) else self.stack[:1]
        self._emit(self._child_id("t"), ClauseKind.TABLE, lines[i].start, lines[j - 1].end)
        return j


def parse_clauses(policy: Policy) -> list[Clause]:
    """All clauses of one policy in text order, boilerplate included (marked) so nothing is silently lost."""
    return _Parser(policy).parse()
