"""A self-assessment over several turns: facts learned so far, corrected and added to, answer recomputed.

The conversation keeps only facts and the questions asked; each turn is answered afresh by the
engine from them, so a correction ("设备投资改成400万") changes every figure that depends on it; one that
names the old value instead of the fact ("是2100万，不是1900万") corrects the fact that holds that value.
A turn with bad input leaves the known facts untouched.

Its memory is bounded, so that turn 100 costs what turn 2 does: the facts carry everything learnt;
of the answers only the latest (its follow-up and open amounts) and the latest assessment (for "18万 →
24万") are kept; the engine re-reads only the last `CONTEXT_QUESTIONS` questions; and the questions
listed in the downloadable record are the last `KEPT_QUESTIONS`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from assistant.answering.api_models import Answer, FigureChange
from assistant.answering.engine import Engine
from assistant.answering.replies import Reply, bind_reply
from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import format_wan
from assistant.reading.amount_facts import read_amounts
from assistant.reading.amounts import AmountMention, find_amounts

CONTEXT_QUESTIONS = 8  # earlier questions the engine reads with a turn (ellipsis, programs in focus)
KEPT_QUESTIONS = 50  # questions kept for the record
KEPT_RESPONSES = 2  # answers kept: what the next turn reads is the latest


@dataclass
class Conversation:
    engine: Engine
    as_of: date | None = None
    facts: EnterpriseFacts | None = None
    questions: deque[str] = field(default_factory=lambda: deque(maxlen=KEPT_QUESTIONS))
    responses: deque[Answer] = field(default_factory=lambda: deque(maxlen=KEPT_RESPONSES))
    last_assessment: Answer | None = None

    @property
    def context(self) -> str:
        """The recent questions, as the engine reads them with the next turn."""
        return " ".join(list(self.questions)[-CONTEXT_QUESTIONS:])

    def ask(self, text: str) -> Answer:
        """The next turn: answered from the facts so far and `text`, which the answer shows as asked."""
        last = self.responses[-1] if self.responses else None
        reply = bind_reply(text, last, self.engine.book.vocabulary) if last and last.follow_up_fact else Reply(text)
        if reply.unknown:  # "不清楚": keep the fact open, and do not ask it again
            known = self.facts or EnterpriseFacts()
            self.facts = known.model_copy(update={"unknown": sorted(set(known.unknown) | set(reply.unknown))})
        said = self._corrected_held_amount(self._with_pending_amount(reply.text))
        response = self.engine.ask(said, self.as_of, prior=self.facts, context=self.context)
        response.question = text
        if response.kind == "assessment":
            self._say_what_changed(response)
            self.last_assessment = response
        if response.kind != "bad_input":
            # a copy: the answer is handed out (to the page, the log) and must not share state with the next turn
            self.facts = response.facts_state.model_copy(deep=True)
            self.questions.append(text)
        self.responses.append(response)
        return response

    def _say_what_changed(self, response: Answer) -> None:
        """After a correction, the figures it changed come first: "技术改造项目直接奖补：18万 → 24万"."""
        before = self.last_assessment
        if before is None:
            return
        old = {p.program_id: p.amount_yuan for p in before.programs if p.status == "eligible" and p.amount_yuan}
        response.figure_changes = [
            FigureChange(
                program_id=p.program_id, title=p.title, before_yuan=old[p.program_id], after_yuan=p.amount_yuan
            )
            for p in response.programs
            if p.program_id in old and p.status == "eligible" and p.amount_yuan and p.amount_yuan != old[p.program_id]
        ]
        if response.figure_changes:
            lines = [
                f"{c.title}：{format_wan(Decimal(str(c.before_yuan)))} → {format_wan(Decimal(str(c.after_yuan)))}"
                for c in response.figure_changes
            ]
            response.answer = "金额变化：\n" + "\n".join(f"  {line}" for line in lines) + "\n\n" + response.answer

    def _with_pending_amount(self, text: str) -> str:
        """An answer to "您说的“500万”是…？" names only the role ("是当年完成投资"): put the amount back."""
        pending = self.responses[-1].open_amounts if self.responses else []
        if len(pending) == 1 and not find_amounts(text):
            return f"{pending[0]}是{text.strip().removeprefix('是')}"
        return text

    def _corrected_held_amount(self, text: str) -> str:
        """ "是2100万，不是1900万": a correction that names the old value instead of the fact. The amount
        said not to be right ("不是1900万"), with no role of its own and the value held for exactly one
        fact, is dropped; the new value is that fact's: given its label when it has no role either ("总投资
        2100万"), left as read when the text names the same fact ("设备是400万，不是300万")."""
        vocab = self.engine.book.vocabulary
        if not self.facts or not self.facts.amounts:
            return text
        read = read_amounts(text, vocab)
        open_values = [o.value for o in read.open_amounts]
        mentions = [m for m in find_amounts(text) if not m.currency]
        for old in mentions:
            roles = [role for role, value in self.facts.amounts.items() if value == old.value]
            denial = _denial_before(text, old.start, vocab.replies.deny)
            if len(roles) != 1 or denial is None or open_values.count(old.value) != 1:
                continue
            start = old.start - len(denial)
            if roles[0] in read.amounts:
                return text[:start] + text[old.end :]
            label = vocab.amount_roles[roles[0]].label
            # "设备投资额是450万，不是300万" where 300万 was the 环保专用设备's: the wider name means the same fact
            wider = [role for role in read.amounts if roles[0].endswith("_" + role)]
            if wider and len(read.amounts) == 1:
                news = [m for m in mentions if m is not old and m.value == read.amounts[wider[0]]]
                return _relabelled(text, news[0], start, old.end, label) if len(news) == 1 else text
            others = [m for m in mentions if m is not old and m.value in open_values]
            if read.amounts or len(others) != 1:
                return text
            return _relabelled(text, others[0], start, old.end, label)
        return text

    def replace_facts(self, facts: EnterpriseFacts) -> Answer:
        """The user edited the facts form: recompute with exactly these facts, nothing re-read."""
        self.facts = facts
        response = self.engine.recompute(facts, self.as_of, context=self.context)
        if response.kind == "assessment":
            self.last_assessment = response
        self.responses.append(response)
        return response

    def reset(self) -> None:
        self.facts = None
        self.questions.clear()
        self.responses.clear()
        self.last_assessment = None


def _relabelled(text: str, new: AmountMention, start: int, end: int, label: str) -> str:
    """`text` without its denied part (start–end) and with `label` right before the new amount."""
    if new.start < start:
        return text[: new.start] + label + text[new.start : start] + text[end:]
    return text[:start] + text[end : new.start] + label + text[new.start :]


def _denial_before(text: str, at: int, deny: list[str]) -> str | None:
    """The word denying what follows `at` ("不是" in "不是1900万"), longest first, or None."""
    return next((w for w in sorted(deny, key=len, reverse=True) if text[:at].endswith(w)), None)
