"""One question in, one answer out: understanding → intent → calculator or quoted sources → text.

The `Answer` this produces (assistant.answering.api_models) is the contract shared by the CLI
(`ask --json`), the web page and its `/ask` and `/chat` API, the logbook and the evaluation. Every
figure in it comes from the calculator or the user; the answer text is rendered from it (and, when
a language model is configured, may be rephrased under guard).
"""

from __future__ import annotations

import logging
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.answering import presenter
from assistant.answering.api_models import Answer, Kind, Source
from assistant.answering.extractive import (
    PairStats,
    Quotation,
    asked_kinds,
    asks_procedure,
    best_sentences,
    sentences,
    subject_pairs,
    unstated,
)
from assistant.answering.focus import choose, mention_counts, score
from assistant.answering.followup import ASK_PROJECT, Question, follow_up
from assistant.answering.guard import checked_facts, fill_gaps, rewrite_problems
from assistant.answering.headline import headline
from assistant.answering.llm import LanguageModel, load_language_model
from assistant.answering.selection import covering_policies, programs_named_elsewhere, relevant_programs
from assistant.answering.templates import render, render_assessment
from assistant.calculator.assessment import assess
from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import format_wan, format_yuan
from assistant.core.settings import Settings
from assistant.reading.as_of import stated_day
from assistant.reading.intent import Intent, classify
from assistant.reading.places import place_words, places_named
from assistant.reading.script import simplified
from assistant.reading.understanding import Understanding, consistency_errors, understand
from assistant.retrieval.corpus import load_units
from assistant.rules.lpr import LprTable, load_lpr_table
from assistant.rules.rulebook import Rulebook, load_rulebook
from assistant.texts.regions import covers

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
SOURCES_K = 5
BODY = "body"  # the answer kind "哪个部门负责" asks for (vocabulary answer_kinds)
MAX_BODY_PROGRAMS = 2  # programs equally asked about whose departments a body question quotes
EXAMPLE = "河口区技改项目总投资500万，设备投资300万，能拿多少？"


def garbled(char: str) -> bool:
    """A character no one types: controls (C0, DEL, C1) other than tab and line breaks, lone
    surrogates (bytes mis-decoded upstream), U+FFFD and Unicode noncharacters. Text holding one is
    binary or mangled, and reading amounts out of it would be guessing."""
    code = ord(char)
    category = unicodedata.category(char)
    return (
        (category == "Cc" and char not in "\n\r\t")
        or category == "Cs"
        or char == "\ufffd"
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
    )


def input_errors(text: str) -> list[str]:
    """Problems with the question itself, before any reading of it."""
    if not text:
        return [f"问题为空，请描述企业所在地区和项目情况，例如“{EXAMPLE}”"]
    if len(text) > MAX_QUESTION_CHARS:
        return [f"问题过长（{len(text)}字），请控制在{MAX_QUESTION_CHARS}字以内"]
    if any(garbled(c) for c in text):
        return ["问题中含有无法识别的控制字符或乱码，请重新输入文字"]
    return []


def changes(prior: EnterpriseFacts | None, facts: EnterpriseFacts, book: Rulebook) -> list[str]:
    """What a later turn corrected, said back to the user ("设备投资 300万 → 400万")."""
    if prior is None:
        return []
    out = []
    for role, value in facts.amounts.items():
        old = prior.amounts.get(role)
        if old is not None and old != value:
            out.append(f"已更新{presenter.fact_label(book, role)}：{format_wan(old)} → {format_wan(value)}")
    if prior.place and facts.place != prior.place:
        out.append(f"已更新企业所在地区：{prior.place} → {facts.place}")
    return out


@dataclass(frozen=True)
class Turn:
    """What every answer to one question carries, whatever its kind; `answer` adds the kind's part."""

    request_id: str | int | None
    question: str
    as_of: date
    facts: EnterpriseFacts
    open_amounts: list[str]
    notes: list[str]
    # Facts the user half-said, with the question naming the text's words (reading.recognitions).
    confirmations: dict[str, str] = field(default_factory=dict)

    def answer(self, kind: Kind, answer: str, **fields: Any) -> Answer:
        """The answer of `kind`; what `fields` does not give is empty (no programs, figure or sources)."""
        given: dict[str, Any] = {
            "missing_facts": [],
            "programs": [],
            "total_max_yuan": None,
            "sources": [],
            "warnings": [],
            "follow_up": None,
            **fields,
        }
        return Answer(
            id=self.request_id,
            question=self.question,
            as_of=self.as_of,
            region=self.facts.place,
            facts=presenter.shown_facts(self.facts),
            facts_state=self.facts,
            open_amounts=self.open_amounts,
            notes=self.notes,
            kind=kind,
            answer=answer,
            # Known only once the answer is done; Engine._answer sets both last.
            retrieval_warning=None,
            elapsed_ms=0.0,
            **given,
        )


@dataclass
class Engine:
    settings: Settings
    book: Rulebook
    lpr: LprTable
    pair_stats: PairStats  # how rare each character pair is, for quoting fact answers
    llm: LanguageModel | None = None  # optional; never decides a figure
    # The web page builds the index in the background on a first start; meanwhile figures are
    # answered at once, without retrieved sources, instead of waiting minutes for the index.
    wait_for_index: bool = True

    @classmethod
    def load(cls, settings: Settings | None = None) -> Engine:
        settings = settings or Settings.from_env()
        book = load_rulebook(settings)
        lpr = load_lpr_table(Path(settings.policies_dir).parent / "lpr.yaml")
        stats = PairStats.of(u.heading + u.text for u in load_units(settings))
        return cls(settings, book, lpr, stats, load_language_model(book.vocabulary))

    def sources(self, question: str, place: str | None) -> list[Source]:
        """Retrieved clauses of the policies covering `place` (all policies while it is unknown)."""
        from assistant.retrieval.hybrid import default_retriever, ready_retriever  # heavy: loaded on first use

        policy_ids = {p.id for p in covering_policies(self.book, place)}
        retriever = default_retriever(self.settings) if self.wait_for_index else ready_retriever(self.settings)
        if retriever is None:
            logger.info("检索索引尚在建立，本次答案暂不附检索来源 / index still building: no sources yet")
            return []
        try:
            hits = retriever.search(question, k=SOURCES_K, policy_ids=policy_ids or None)
        except Exception:  # retrieval is supporting evidence; a broken index must not lose the figure
            logger.exception("检索失败，答案不附检索来源")
            return []
        out = []
        for hit in hits:
            u = hit.unit
            meta = self.book.library.policies[u.policy_id].meta
            out.append(
                Source(
                    doc_number=u.doc_number,
                    policy_id=u.policy_id,
                    clause=u.clause_id,
                    heading_path=list(u.heading_path),
                    text=u.text,
                    score=round(hit.score, 6),
                    start=u.start,
                    end=u.end,
                    label=meta.label,
                    heading=" › ".join(u.heading_path) or "（正文）",
                )
            )
        return out

    def retrieval_warning(self) -> str | None:
        """Set when searches run degraded (no dense model although one is configured); None while
        the index is still being built, since nothing is known about it yet."""
        from assistant.retrieval.hybrid import dense_warning, ready_retriever

        return dense_warning(self.settings, ready_retriever(self.settings))

    def ask(
        self,
        question: str,
        as_of: date | None = None,
        prior: EnterpriseFacts | None = None,
        request_id: str | int | None = None,
        context: str = "",
    ) -> Answer:
        """Answer `question`; `prior` and `context` carry what earlier turns of a conversation said."""
        started = time.perf_counter()
        text = simplified((question or "").strip())  # 設備500萬 reads as 设备500万
        errors = input_errors(text)
        known = prior.place if prior else None
        understanding = (
            understand(text, self.book.vocabulary, known) if not errors else Understanding(EnterpriseFacts())
        )
        if self.llm and not errors:
            self._llm_facts(text, understanding)
        facts = prior.merged(understanding.facts) if prior else understanding.facts
        fact_question = classify(text, understanding, facts, self.book.vocabulary.intent, context) is Intent.FACT
        notes = understanding.notes + changes(prior, facts, self.book)
        day = stated_day(text)  # "按2021年6月30日的政策": this turn is judged on the day the user names
        if day:
            notes.append(f"按您所说的“{day.said}”（{day.day.isoformat()}）判断政策效力")
        return self._answer(
            question,
            text,
            facts,
            understanding,
            errors + understanding.errors,
            notes,
            day.day if day else as_of or date.today(),
            fact_question,
            request_id,
            context,
            started,
        )

    def recompute(
        self,
        facts: EnterpriseFacts,
        as_of: date | None = None,
        context: str = "",
        request_id: str | int | None = None,
    ) -> Answer:
        """Assess exactly these facts (an edited facts form); `context` is the conversation so far,
        which decides the programs in question."""
        started = time.perf_counter()
        return self._answer(
            context, "", facts, Understanding(facts), [], [], as_of or date.today(), False, request_id, context, started
        )

    def _answer(
        self,
        question: str,
        text: str,
        facts: EnterpriseFacts,
        understanding: Understanding,
        errors: list[str],
        notes: list[str],
        as_of: date,
        fact_question: bool,
        request_id: str | int | None,
        context: str,
        started: float,
    ) -> Answer:
        errors = errors + [e for e in consistency_errors(facts) if e not in errors]
        facts, notes = self._narrow_place(facts, notes)
        turn = Turn(
            request_id,
            question,
            as_of,
            facts,
            [o.raw for o in understanding.open_amounts],
            notes,
            understanding.confirmations,
        )
        asked = f"{context} {text}".strip()
        elsewhere = [] if errors else self._named_elsewhere(text, asked, understanding.places_named, context, facts)
        if errors:
            response = turn.answer("bad_input", render("bad_input.j2", {"errors": errors}), warnings=errors)
        elif not covering_policies(self.book, facts.place) and not elsewhere:
            response = self._out_of_scope(turn, f"“{facts.place_mention}”所在地区" if facts.place_mention else "该地区")
        elif fact_question:
            response = self._fact(turn, text)
        else:
            response = self._assessment(turn, asked, elsewhere)
        if self.llm and response.kind in ("assessment", "fact"):
            self._rephrase(response, text or context)
        response.retrieval_warning = self.retrieval_warning()
        response.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
        return response

    def _llm_facts(self, text: str, understanding: Understanding) -> None:
        """Let the model fill what the parser could not read; only amounts the user wrote survive."""
        extracted = self.llm.extract_facts(text)
        if extracted is None:
            return
        kept = checked_facts(extracted, text)
        understanding.facts = fill_gaps(understanding.facts, kept)
        assigned = set(kept.amounts.values())
        understanding.open_amounts = [o for o in understanding.open_amounts if o.value not in assigned]

    def _rephrase(self, response: Answer, question: str) -> None:
        """Use the model's wording only if it keeps every number, quote, citation and status."""
        candidate = self.llm.rephrase(question, response.answer)
        response.answer_source = "template"
        if not candidate:
            return
        problems = rewrite_problems(response.answer, candidate, response)
        if problems:
            logger.warning("语言模型改写被拒绝，使用模板答案 / rewrite rejected: %s", "; ".join(problems))
            response.rewrite_rejected = problems
            return
        response.answer_template, response.answer = response.answer, candidate
        response.answer_source = "llm"

    def _narrow_place(self, facts: EnterpriseFacts, notes: list[str]) -> tuple[EnterpriseFacts, list[str]]:
        """ "东营的企业": a place wider than a covered region (东营市 holds 河口区) is no answer yet, nor out of
        scope; it is asked, naming the covered region inside it."""
        if facts.place is None or covering_policies(self.book, facts.place):
            return facts, notes
        inside = sorted(
            {p.meta.region_name for p in self.book.library.policies.values() if covers(facts.place, p.meta.region_name)}
        )
        if not inside:
            return facts, notes
        said = facts.place_mention or facts.place
        note = f"“{said}”范围内本助手只收录了{'、'.join(inside)}的政策，请说明企业所在的区县"
        return facts.model_copy(update={"place": None, "place_mention": None}), [*notes, note]

    def _out_of_scope(self, turn: Turn, what: str) -> Answer:
        """No clauses: the nearest clause of a policy that does not cover the case would read as an answer."""
        covered = [f"{p.meta.region_path}：{p.meta.label}" for p in self.book.library.policies.values()]
        answer = render("out_of_scope.j2", {"what": what, "covered": covered})
        return turn.answer("out_of_scope", answer, sources=[], covered_policies=covered)

    def _fact(self, turn: Turn, text: str, sources: list[Source] | None = None) -> Answer:
        sources = self.sources(text, turn.facts.place) if sources is None else sources
        vocab = self.book.vocabulary
        ignored = place_words(text, vocab) + vocab.generic_words
        procedure = asks_procedure(text, vocab.intent.procedure_cues)
        kinds = asked_kinds(text, vocab.answer_kinds)
        quoted = self._procedure(text, sources) or best_sentences(
            text, sources, self.pair_stats, subject_pairs(text, ignored), procedure, kinds=kinds
        )
        if any(k is vocab.answer_kinds.get(BODY) for k in kinds):
            bodies = self._bodies_of_program(text, turn.facts)
            quoted = bodies + [q for q in quoted if q.text not in {b.text for b in bodies}]
        informative = [q for q in quoted if q.informative]
        if not informative and not (kinds and quoted):
            return self._out_of_scope(turn, "这一问题")
        # "申报材料清单包括哪些": asked for a kind of thing the clauses about the subject do not give,
        # the answer says the text does not state it, and quotes what is closest
        answer = render("extractive.j2", {"sources": quoted, "unstated": unstated(kinds, quoted)})
        return turn.answer("fact", answer, sources=sources, quotes=[q.quote() for q in quoted])

    def _procedure(self, text: str, sources: list[Source]) -> list[Quotation]:
        """ "怎么申报": where a rules file says how to apply and its clause was retrieved, that clause whole."""
        if not asks_procedure(text, self.book.vocabulary.intent.procedure_cues):
            return []
        retrieved = [s.clause for s in sources]
        found = [
            (retrieved.index(p.citation.clause), key, p)
            for key, p in self.book.procedures.items()
            if p.citation.clause in retrieved
        ]
        if not found:
            return []
        _, key, procedure = min(found)
        clause = self.book.library.clauses[procedure.citation.clause]
        return [self._quotation(self.book.procedure_policy[key], clause.clause_id, clause.text.strip())]

    def _quotation(self, policy_id: str, clause_id: str, text: str) -> Quotation:
        """`text`, a part of that clause, quoted as from it."""
        clause = self.book.library.clauses[clause_id]
        meta = self.book.library.policies[policy_id].meta
        heading_path = list(clause.heading_path)
        return Quotation(meta.doc_number, clause_id, heading_path, " › ".join(heading_path), meta.label, text, True)

    def _bodies_of_program(self, text: str, facts: EnterpriseFacts) -> list[Quotation]:
        """ "技改直接奖补是哪个部门负责的": asked who is responsible for a program the question is about,
        the sentence of that program's own clauses naming its departments ("（责任单位:区工业和信息化局、
        区财政局）"), not the nearest sentence that names some department. The program is the one the
        question is most about; among equals, those of the most local policy covering the enterprise."""
        counts = mention_counts(self.book)
        scored = [
            (score(self.book, self.book.programs[pid], text, facts, counts), pid)
            for pid in relevant_programs(self.book, text, facts)
        ]
        top = max((points for points, _ in scored), default=0)
        if top == 0:
            return []
        best = [pid for points, pid in scored if points == top]
        depth = {pid: len(self.book.policy_of(pid).meta.region) for pid in best}
        if facts.place:
            best = [pid for pid in best if depth[pid] == max(depth.values())]
        out: list[Quotation] = []
        for pid in best[:MAX_BODY_PROGRAMS]:
            program = self.book.programs[pid]
            policy_id = self.book.program_policy[pid]
            clause_ids = dict.fromkeys([program.clause, *(c.clause for c in program.citations)])
            found = next(
                (
                    (cid, sentence)
                    for cid in clause_ids
                    if cid in self.book.library.clauses
                    for sentence in sentences(self.book.library.clauses[cid].text)
                    if any(d in sentence for d in program.departments)
                ),
                None,
            )
            if found and found[1] not in {q.text for q in out}:
                out.append(self._quotation(policy_id, *found))
        return out

    def _named_elsewhere(
        self, text: str, asked: str, named: frozenset[str], context: str, facts: EnterpriseFacts
    ) -> list[str]:
        """Programs of a region the question names that does not cover the enterprise (see selection). The
        places are this turn's (`named`, as its reading found them), or the conversation's when it names
        none ("是的"): a turn that moves the enterprise ("我们是济源的") is not asking about the region it has
        left. `asked`: the conversation's questions and this one."""
        if named:
            return programs_named_elsewhere(self.book, text, facts, named)
        return programs_named_elsewhere(self.book, asked, facts, places_named(context, self.book.vocabulary))

    def _assessment(self, turn: Turn, text: str, elsewhere: list[str] | None = None) -> Answer:
        facts, as_of = turn.facts, turn.as_of
        program_ids = relevant_programs(self.book, text, facts)
        program_ids += [pid for pid in elsewhere or [] if pid not in program_ids]
        sources = self.sources(text, facts.place)
        if not program_ids:
            asked = follow_up(self.book, facts, turn.open_amounts, [])
            if asked is None and facts.amounts:  # figures given, but for no program yet
                asked = Question(ASK_PROJECT, None)
            if asked:
                answer = render("clarify.j2", {"notes": turn.notes, "follow_up": asked.text})
                return turn.answer(
                    "assessment", answer, sources=sources, follow_up=asked.text, follow_up_fact=asked.fact
                )
            return self._fact(turn, text, sources)
        assessment = assess(self.book, facts, as_of, program_ids, self.lpr)
        focus = choose(self.book, text, facts, presenter.programs(self.book, assessment), as_of)
        programs = focus.ordered
        missing = presenter.missing_facts(self.book, programs, focus.asked)
        top = headline(self.book, focus.asked)
        total = top.total
        # "不清楚", "还没投产": ask the next one instead. Once the programs asked about miss nothing, the others'
        # facts are listed under 还需补充 but not asked: the question is answered.
        waiting = {name for p in focus.asked if p.status == "needs_info" for name in p.missing}
        settled = set(facts.unknown) | set(facts.not_yet)  # 不清楚, or said not reached yet: not asked again
        open_facts = [m for m in missing if m.fact not in settled and (m.fact in waiting or not focus.others)]
        asked = follow_up(self.book, facts, turn.open_amounts, open_facts, turn.confirmations)
        question = asked.text if asked else None
        folded = focus.folded()
        context = {
            "notes": turn.notes,
            "total_text": format_yuan(total) if total else None,
            "total_wan": format_wan(total) if total else None,
            "as_of": as_of.isoformat(),
            "programs": programs,
            "cards": [presenter.card(self.book, p, as_of.isoformat(), facts.not_yet) for p in focus.asked],
            "overlaps": top.overlaps,
            "next_step": presenter.next_step(focus.asked),
            "asked_count": len(focus.asked),
            "others_title": folded.title if folded else None,
            "alternatives": presenter.alternatives(assessment, programs),
            "missing": missing,
            "open_amounts": turn.open_amounts,
            "follow_up": question,
            "policies": list(
                {p.policy.label: {"label": p.policy.label, "validity": p.validity} for p in programs}.values()
            ),
            "citations": presenter.citations(programs),
        }
        return turn.answer(
            "assessment",
            render_assessment(context),
            programs=programs,
            missing_facts=[m.fact for m in missing],
            total_max_yuan=presenter.money(total) if total else None,
            sources=sources,
            warnings=sorted({w for p in programs for w in p.warnings}),
            follow_up=question,
            follow_up_fact=asked.fact if asked else None,
            overlaps=top.overlaps,
            other_programs=folded,
        )


@lru_cache(maxsize=2)
def default_engine(settings: Settings | None = None) -> Engine:
    """One engine per settings for the process: loading the rules and corpus statistics takes a while."""
    return Engine.load(settings)
