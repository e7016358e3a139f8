"""The enterprise page (served at /): a chat on the left, what the assistant understood on the right.

Each browser tab gets its own `Conversation` in a `gr.State`, so two users never see each other's
facts, questions or downloads. The right-hand side is the answer made inspectable: the facts the
programs in play read as an editable form (重新计算 recomputes through `Conversation.replace_facts`,
nothing is re-read from text), one row per program with its figure and formula, the citations that
open the policy text at the quoted sentence, and a banner when a policy used is not in force on the
as-of date.

The page's own event handlers are private; the public API endpoints are `/ask`, which returns the
same JSON as `python -m assistant ask --json` (`Answer.to_json()`), and `/chat`, its conversation.
Every answered turn is on disk (the logbook, or its spool when the database is slow or locked:
assistant.storage.log_writer) before the answer goes back to the user; when it cannot be logged at
all (no disk space), the page says so.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import gradio as gr
from gradio.components.plot import PlotData

from assistant.answering.api_models import Answer
from assistant.answering.conversation import Conversation
from assistant.answering.engine import EXAMPLE, Engine
from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import format_yuan
from assistant.reading.amounts import InputError, parse_date
from assistant.rules.schema import Level
from assistant.storage.log_writer import CANNOT_WRITE, LogWriter
from assistant.web import accessibility
from assistant.web.api_args import argument_error, bad_parameter
from assistant.web.api_conversations import ApiConversations
from assistant.web.assessment_doc import write_pdf, write_report
from assistant.web.cards import _e, result_card, validity_banner
from assistant.web.chart import chart_webp_uri, subsidy_curve
from assistant.web.chat_messages import (
    NO,
    SCROLL_TO_NEWEST_ANSWER,
    UNKNOWN,
    YES,
    answer_messages,
    asks_yes_no,
    missing_yes_no,
)
from assistant.web.citations import (
    EMPTY_VIEW,
    OPEN_FROM_CHAT,
    SCROLL_TO_QUOTE,
    citation_choices,
    citation_items,
    document_view,
)
from assistant.web.coverage import coverage_html, day_in_force
from assistant.web.downloads import VISITOR_COOKIE, ReportOwners
from assistant.web.facts_form import (
    FORM_ROLES,
    TAG_CHOICES,
    TAG_SLOTS,
    facts_from_form,
    facts_to_form,
    fields_in_play,
    form_place,
    tag_choice,
)
from assistant.web.report_html import ReportHeader
from assistant.web.report_pdf import PdfUnavailable
from assistant.web.session import Session, close_session

logger = logging.getLogger(__name__)

# The amount roles staff mention most; rarer ones stay in the facts untouched when the form is edited.
EXAMPLES = [
    EXAMPLE,
    "河口区技改项目总投资2000万，设备投资1500万，银行贷款800万，能拿多少？",
    "济源市企业研发投入200万，有什么补贴？",
    "河南省企业购买首台套装备，销售价格1000万，保费30万，能补多少？",
    "河口区技改项目竣工投产后有什么奖励？",
]
SESSION_TTL_SECONDS = 8 * 3600
NAME_LENGTH = 100  # characters of an enterprise or project name kept for the report
PDF_AT_ONCE = 2  # Chromium runs making PDFs at the same time (each takes a core for a second or more)
INDEX_BUILDING = "正在建立检索索引…"
INDEX_WAIT = "正在建立检索索引（仅首次启动需要，约几分钟），建好后即给出测算结果和政策原文依据，请稍候…"

# On a phone the two columns become one list, reordered: the question, the date and the answer (the
# chat's card, then the result) first; the form, examples and citations after; the coverage last.
PHONE_ORDER = [
    "index-status",
    "ask-row",
    "as-of",
    "chat",
    "validity-banner",
    "one-click-replies",
    "missing-facts",
    "confirm-missing",
    "result-card",
    "subsidy-chart",
]
PHONE_CSS = (
    "@media (max-width: 640px) {"
    "#main-row, #main-row > .column {display:contents}"
    "#page-body > *, #main-row > .column > * {order:50}"
    + "".join(f"#page-body :is(#{x}, div:has(> #{x})) {{order:{n}}}" for n, x in enumerate(PHONE_ORDER, start=1))
    + "#page-body :is(#coverage, div:has(> #coverage)) {order:60}"
    "#coverage table, #coverage tbody, #coverage tr, #coverage td {display:block;width:auto}"
    "#coverage thead {display:none} #coverage tr {border-bottom:1px solid #ddd;padding:4px 0}"
    "#coverage td {border:none}"
    ".result-card table, .result-card tbody, .result-card tr, .result-card td {display:block;width:auto}"
    ".result-card thead {display:none}"
    # below the question and the date, the chat must still end on the first screen
    "#chat {height:52vh !important;max-height:52vh !important}"
    "}"
)
CSS = (
    """
#index-status .building {background:#fff7e6;border:1px solid #f0b35a;padding:8px 12px;border-radius:6px}
#index-status .failed {background:#fdecea;border:1px solid #e57373;padding:8px 12px;border-radius:6px}
#validity-banner .banner {background:#fdecea;border:2px solid #d32f2f;color:#7f1d1d;padding:10px 14px;
  border-radius:6px;font-weight:600}
#validity-banner .banner.unknown {background:#fff7e6;border-color:#f0b35a;color:#6b4500}
.result-card table {width:100%;border-collapse:collapse;font-size:14px}
.result-card th, .result-card td {border:1px solid #ddd;padding:6px;vertical-align:top;text-align:left}
.result-card th {background:#f5f5f5}
.result-card .ok {color:#1b5e20;font-weight:600} .result-card .info {color:#8a6d00;font-weight:600}
.result-card .no {color:#616161} .result-card .old {color:#b71c1c;font-weight:600}
.result-card .total {font-size:16px;font-weight:700;margin:8px 0}
.result-card .formula {font-size:13px;color:#333}
.result-card .warn {font-size:12px;color:#b71c1c}
#citations .wrap {max-height:300px;overflow-y:auto}
#doc-viewer {position:fixed;top:0;right:0;width:max(360px, 48vw);max-width:100vw;height:100vh;z-index:1000;
  background:#fff;box-shadow:-4px 0 18px rgba(0,0,0,.28);padding:10px 16px;box-sizing:border-box;overflow:hidden}
#doc-viewer #close-viewer {align-self:flex-end;max-width:10em}
.citation-view .meta {font-size:13px;color:#333;margin-bottom:6px;line-height:1.6}
.citation-view .heading-path {font-weight:600}
.citation-view .viewer-title {font-size:17px;margin:0 0 6px}
.citation-view .doc-body {white-space:pre-wrap;line-height:1.8;background:#fafafa;padding:8px 12px;
  max-height:calc(100vh - 190px);overflow-y:auto;font-size:14px}
.citation-view .cited-clause {display:inline;background:#e3f2fd;border-left:4px solid #1976d2;padding:2px 0}
.citation-view .clause {white-space:pre-wrap;line-height:1.8;background:#fafafa;border-left:4px solid #1976d2;
  padding:8px 12px}
.citation-view mark {background:#ffe082;padding:0 2px}
.intro {color:#404040}
#report-note .report-note {background:#fff7e6;border:1px solid #f0b35a;color:#6b4500;padding:8px 12px;border-radius:6px}
#coverage h2 {font-size:16px;margin:6px 0}
#coverage table {width:100%;border-collapse:collapse;font-size:13px}
#coverage th, #coverage td {border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
#coverage th {background:#f5f5f5}
#coverage .why {color:#404040;font-size:12px}
#coverage .expired b, #coverage .repealed b {color:#b71c1c}
#coverage .unknown b, #coverage .maybe_repealed b {color:#6b4500}
#coverage .in_force b {color:#1b5e20}
"""
    + accessibility.CSS
    + PHONE_CSS
)


# --- the page ---------------------------------------------------------------------------------------


def _shown(content: str) -> Any:
    """An HTML block that takes no room on the page while it has nothing to say."""
    return gr.HTML(content, visible=bool(content))


def _constant(value: str) -> Callable[[], str]:
    """An event handler that always gives `value` (a one-click date)."""
    return lambda: value


def parse_as_of(text: str | None) -> date | None:
    """Empty means today (None for the engine); raises InputError with the Chinese message."""
    return parse_date(text) if text and text.strip() else None


class Recorder:
    """Logs each answered turn before the answer is shown; a broken log never eats an answer. Returns
    the Chinese sentence to show when the turn could not be logged (None when it was, or no log)."""

    def __init__(self, log: LogWriter | None) -> None:
        self.log = log

    def __call__(self, session_id: str | None, response: Answer) -> str | None:
        if self.log is None:
            return None
        try:
            return self.log.submit(session_id or "unknown", response)
        except Exception:
            logger.exception("写入问答日志失败")
            return CANNOT_WRITE


def report_header(enterprise: str | None, project: str | None) -> ReportHeader:
    """What the user typed for the report, trimmed and bounded."""
    return ReportHeader(
        enterprise=(enterprise or "").strip()[:NAME_LENGTH], project=(project or "").strip()[:NAME_LENGTH]
    )


def pdf_failed(reason: str) -> str:
    """The plain Chinese note shown when the PDF could not be made; the HTML report still downloads."""
    return f"<div class='report-note' role='alert'>⚠ PDF 版报告未能生成。{_e(reason)}</div>"


def visitor_of(request: gr.Request | None) -> str | None:
    """The browser's visitor cookie (set by assistant.web.downloads.DownloadGuard with the page)."""
    cookies = getattr(request, "cookies", None) if request is not None else None
    return cookies.get(VISITOR_COOKIE) if cookies else None


def build_enterprise(
    engine: Engine,
    log: LogWriter | None = None,
    index_status: Callable[[], tuple[bool, str]] | None = None,
    reports: ReportOwners | None = None,
    api_conversations: ApiConversations | None = None,
) -> gr.Blocks:
    """The enterprise page; `index_status()` says whether retrieval is ready and what to show meanwhile;
    `reports` records which visitor may download which report (served by the DownloadGuard)."""
    record = Recorder(log)
    api_conversations = api_conversations or ApiConversations(engine, ttl_s=SESSION_TTL_SECONDS)
    vocab = engine.book.vocabulary
    labels = {role: vocab.amount_roles[role].label for role in FORM_ROLES}
    status_fn = index_status or (lambda: (True, ""))

    def new_session() -> Session:
        return Session(Conversation(engine), reports=reports)

    def chart_plot(response: Answer | None) -> Any:
        """The subsidy against its base for the program in focus, beside the result; hidden without one."""
        curve = subsidy_curve(engine, response) if response is not None else None
        if curve is None:
            return gr.Plot(value=None, visible=False)
        return gr.Plot(value=PlotData(type="matplotlib", plot=chart_webp_uri(curve)), visible=True)

    def form_updates(session: Session, echo: bool) -> list[Any]:
        """The form for the session's latest answer: only the fields its programs read, each amount
        with its exact 元 beside the 万元; the typed values are left alone unless `echo`."""
        shown = fields_in_play(engine.book, session.last)
        facts = session.conversation.facts or EnterpriseFacts()
        values = facts_to_form(facts)
        kept = (lambda v: {"value": v}) if echo else (lambda v: {})
        numbers_out = [
            gr.Number(
                visible=role in shown.roles,
                info=f"即 {format_yuan(facts.amounts[role])} 元" if role in facts.amounts else None,
                **kept(value),
            )
            for role, value in zip(FORM_ROLES, values[1:-2])
        ]
        tags_out = [gr.Radio(label=vocab.tags[t].label, value=tag_choice(facts, t), visible=True) for t in shown.tags]
        tags_out += [gr.Radio(value=None, visible=False) for _ in range(TAG_SLOTS - len(shown.tags))]
        return [
            gr.Dropdown(**kept(values[0])),
            *numbers_out,
            gr.Dropdown(visible=shown.level, **kept(values[-2])),
            gr.Number(visible=shown.lpr, **kept(values[-1])),
            *tags_out,
        ]

    def refresh(session: Session, clear_question: bool = True, echo_form: bool = True) -> tuple[Any, ...]:
        """Every output for the session's latest answer. After a form edit the form is not echoed back:
        it already shows what was typed, and an echo would erase what the user typed meanwhile."""
        response = session.last
        session.citations = citation_items(engine, response)
        download = (
            gr.DownloadButton(value=str(write_report(engine, session)), interactive=True)
            if response is not None
            else gr.DownloadButton(value=None, interactive=False)
        )
        return (
            session,
            session.chat,
            *form_updates(session, echo_form),
            result_card(engine, response),
            chart_plot(response),
            _shown(validity_banner(engine, response)),
            gr.Radio(choices=citation_choices(session.citations), value=None),
            EMPTY_VIEW,
            download,
            gr.DownloadButton(value=None, visible=False),  # a PDF of an earlier answer is gone
            gr.Button(interactive=response is not None),
            gr.HTML("", visible=False),
            "" if clear_question else gr.skip(),
            gr.Row(visible=asks_yes_no(response, vocab)),
            gr.CheckboxGroup(
                choices=missing_yes_no(response, vocab), value=[], visible=bool(missing_yes_no(response, vocab))
            ),
            gr.Button(visible=bool(missing_yes_no(response, vocab))),
        )

    def error_turn(session: Session, user_text: str | None, message: str) -> tuple[Any, ...]:
        if user_text:
            session.chat.append({"role": "user", "content": user_text})
        session.chat.append({"role": "assistant", "content": f"⚠ {message}"})
        return (session, session.chat, *([gr.skip()] * (len(outputs) - 2)))

    def show(
        session: Session,
        request: gr.Request,
        response: Answer,
        lead: str = "",
        asked: list[dict[str, Any]] | None = None,
    ) -> None:
        """Log one answered turn (a warning when it could not be logged), then add it to the chat: the
        user's message if there was one (`asked`), and the answer's messages after `lead`."""
        response.id = response.id or uuid.uuid4().hex[:12]
        unlogged = record(request.session_hash, response)
        if unlogged:
            gr.Warning(unlogged)
        session.chat += [*(asked or []), *answer_messages(response, lead=lead)]

    def on_ask(text: str, as_of_text: str, session: Session | None, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        session = session or new_session()
        session.visitor = visitor_of(request)
        text = (text or "").strip()
        if not text:
            yield error_turn(session, None, f"请先输入问题，例如“{EXAMPLE}”")
            return
        try:
            session.conversation.as_of = parse_as_of(as_of_text)
        except InputError as err:
            yield error_turn(session, text, f"评估日期有误：{err.message}")
            return
        if not status_fn()[0]:  # the answer waits for the index: say so rather than spin silently
            waiting = [{"role": "user", "content": text}, {"role": "assistant", "content": INDEX_WAIT}]
            yield (session, session.chat + waiting, *([gr.skip()] * (len(outputs) - 2)))
        response = session.conversation.ask(text)
        show(session, request, response, asked=[{"role": "user", "content": text}])
        yield refresh(session)

    def one_click(reply: str) -> Callable[..., Iterator[tuple[Any, ...]]]:
        def on_reply(as_of_text: str, session: Session | None, request: gr.Request) -> Iterator[tuple[Any, ...]]:
            """A one-click reply to the newest yes/no follow-up: sent as if typed."""
            yield from on_ask(reply, as_of_text, session, request)

        return on_reply

    def on_facts(values: dict[Any, Any], request: gr.Request) -> tuple[Any, ...]:
        session = values[session_state] or new_session()
        session.visitor = visitor_of(request)
        try:
            day = parse_as_of(values[as_of])
            facts = facts_from_form(
                session.conversation.facts,
                labels,
                form_place(values[place], session.conversation.facts, vocab),
                [values[n] for n in numbers],
                values[level],
                values[lpr],
                fields_in_play(engine.book, session.last),
                [values[t] for t in tag_boxes],
            )
        except InputError as err:
            return error_turn(session, None, err.message)
        unchanged = facts == (session.conversation.facts or EnterpriseFacts())
        if unchanged and (session.last is None or day == session.conversation.as_of):
            gr.Info("企业信息没有改动，结果不变。")
            return tuple(gr.skip() for _ in outputs)
        session.conversation.as_of = day
        response = session.conversation.replace_facts(facts)
        show(session, request, response, lead="已按修改后的企业信息重新测算：\n\n")
        return refresh(session, clear_question=False, echo_form=False)

    def on_confirm(
        checked: list[str] | None, as_of_text: str, session: Session | None, request: gr.Request
    ) -> tuple[Any, ...]:
        """The compact form: the yes/no facts ticked hold; those left unticked stay open."""
        session = session or new_session()
        session.visitor = visitor_of(request)
        if not checked:
            return error_turn(session, None, "请先勾选属实的情况，或直接在对话中回答")
        try:
            session.conversation.as_of = parse_as_of(as_of_text)
        except InputError as err:
            return error_turn(session, None, f"评估日期有误：{err.message}")
        known = session.conversation.facts or EnterpriseFacts()
        facts = known.model_copy(update={"tags": {**known.tags, **dict.fromkeys(checked, True)}})
        response = session.conversation.replace_facts(facts)
        show(session, request, response, lead="已按您勾选的情况重新测算：\n\n")
        return refresh(session)

    def on_cite(choice: str | None, as_of_text: str, session: Session | None) -> tuple[str, Any]:
        """The viewer opened at citation `choice` (its number), or closed when there is none."""
        if not session or not choice:
            return EMPTY_VIEW, gr.Column(visible=False)
        try:
            as_of = session.last.as_of if session.last else parse_as_of(as_of_text)
        except InputError:
            as_of = None
        n = int(choice)
        item = session.citations[n - 1] if 0 < n <= len(session.citations) else None
        return document_view(engine, item, as_of or date.today()), gr.Column(visible=item is not None)

    def on_names(enterprise: str, project: str, session: Session | None, request: gr.Request) -> tuple[Any, ...]:
        """The enterprise and project names go into every report of the tab; the report on offer is
        rewritten with them at once (and its PDF, made without them, withdrawn)."""
        session = session or new_session()
        session.visitor = visitor_of(request)
        session.header = report_header(enterprise, project)
        if session.last is None:
            return session, gr.skip(), gr.skip(), gr.skip()
        return (
            session,
            gr.DownloadButton(value=str(write_report(engine, session)), interactive=True),
            gr.DownloadButton(value=None, visible=False),
            gr.HTML("", visible=False),
        )

    def on_pdf(enterprise: str, project: str, session: Session | None, request: gr.Request) -> tuple[Any, ...]:
        """The report as PDF, on request (a Chromium run); when it cannot be made the page says so in
        Chinese and the HTML report, rewritten with the same names, is still there to download."""
        session = session or new_session()
        session.visitor = visitor_of(request)
        if session.last is None:
            return session, gr.skip(), gr.skip(), gr.HTML(pdf_failed("还没有评估结果，请先提问。"), visible=True)
        session.header = report_header(enterprise, project)
        html_report = gr.DownloadButton(value=str(write_report(engine, session)), interactive=True)
        try:
            pdf = write_pdf(engine, session)
        except PdfUnavailable as err:
            return (
                session,
                html_report,
                gr.DownloadButton(value=None, visible=False),
                gr.HTML(pdf_failed(str(err)), visible=True),
            )
        except Exception:  # a broken PDF never costs the user the HTML report
            logger.exception("生成 PDF 报告失败")
            failed = pdf_failed("生成时出错；请下载网页版报告，用浏览器的“打印”另存为 PDF。")
            return session, html_report, gr.DownloadButton(value=None, visible=False), gr.HTML(failed, visible=True)
        return session, html_report, gr.DownloadButton(value=str(pdf), visible=True), gr.HTML("", visible=False)

    def on_reset(session: Session | None) -> tuple[Any, ...]:
        if session:
            session.close()
        return refresh(new_session())

    built_on = date.today()  # the date field's value as the page is built

    def today_on_page() -> tuple[str, Any]:
        """The coverage panel as of today, and today as the date to judge by when the page was built
        on an earlier day. Not on the day it was built: this arrives after the page is drawn, and
        would overwrite a date the user typed meanwhile."""
        today = date.today()
        return coverage_html(engine, today), today.isoformat() if today != built_on else gr.skip()

    def on_index_status() -> tuple[Any, Any]:
        ready, message = status_fn()
        if ready:
            shown = f"<div class='failed' role='alert'>⚠ {_e(message)}</div>" if message else ""
            return gr.HTML(shown, visible=bool(message)), gr.Timer(active=False)
        return gr.HTML(f"<div class='building'>{_e(message or INDEX_BUILDING)}</div>", visible=True), gr.Timer(
            active=True
        )

    def answered(
        question: str,
        as_of: str,
        request: gr.Request | None,
        answer: Callable[[date | None], Answer],
        new_conversation: object = False,
    ) -> dict[str, Any]:
        """The API's common path: check the arguments, read as_of, answer, log, send the answer's JSON;
        a wrong type or a bad date is an answer (`BadParameter`), not an exception."""
        problem = argument_error(question, as_of, new_conversation)
        if problem:
            return bad_parameter(question, as_of, problem)
        try:
            day = parse_as_of(as_of)
        except InputError as err:
            return bad_parameter(question, as_of, f"评估日期（as_of）有误：{err.message}")
        response = answer(day)
        record(request.session_hash if request else None, response)
        return response.to_json()

    def ask(question: str, as_of: str, request: gr.Request) -> dict[str, Any]:
        """Answer one question as `python -m assistant ask --json` does; as_of is YYYY-MM-DD or "" for today."""
        return answered(question, as_of, request, lambda day: engine.ask(question, day))

    def chat_turn(question: str, as_of: str, new_conversation: bool, request: gr.Request) -> dict[str, Any]:
        """The next turn of this client's conversation (facts carried over, corrections applied), or the
        first turn of a new one; same JSON as `ask`. One conversation per gradio_client `Client`."""
        session = request.session_hash if request else None
        if not session:
            return answered(question, as_of, request, lambda day: engine.ask(question, day), new_conversation)
        return answered(
            question,
            as_of,
            request,
            lambda day: api_conversations.turn(session, question, day, bool(new_conversation)),
            new_conversation,
        )

    with gr.Blocks(
        title="政策自评估助手", analytics_enabled=False, fill_width=True, delete_cache=(3600, SESSION_TTL_SECONDS)
    ) as page:
        session_state = gr.State(None, time_to_live=SESSION_TTL_SECONDS, delete_callback=close_session)
        gr.HTML(
            "<h1 style='margin:4px 0;font-size:24px'>政策自评估助手</h1><div class='intro'>描述企业所在地区和项目情况，"
            "助手按政策原文测算可申请的奖补并给出依据；结果仅供参考，以主管部门审核为准。</div>"
        )
        with gr.Column(elem_id="page-body"):  # its parts are reordered on a phone (PHONE_CSS)
            coverage = gr.HTML(coverage_html(engine, date.today()), elem_id="coverage")
            index_html = gr.HTML(elem_id="index-status", visible=False)
            banner = gr.HTML(elem_id="validity-banner", visible=False)
            with gr.Row(elem_id="main-row"):
                with gr.Column(scale=5):
                    chat = gr.Chatbot(
                        label="对话",
                        height=620,
                        elem_id="chat",
                        autoscroll=False,  # SCROLL_TO_NEWEST_ANSWER shows the newest answer's start instead
                        feedback_options=None,
                        buttons=["copy"],
                        placeholder="请在下方输入问题，或点击示例问题。",
                    )
                    with gr.Row(visible=False, elem_id="one-click-replies") as replies:
                        yes = gr.Button(YES, size="sm", elem_id="reply-yes")
                        no = gr.Button(NO, size="sm", elem_id="reply-no")
                        unknown = gr.Button(UNKNOWN, size="sm", elem_id="reply-unknown")
                    missing_box = gr.CheckboxGroup(
                        label="还缺的情况：勾选属实的，一次确认（未勾选的仍待确认）",
                        choices=[],
                        visible=False,
                        elem_id="missing-facts",
                    )
                    confirm = gr.Button("确认勾选的情况并测算", size="sm", visible=False, elem_id="confirm-missing")
                    with gr.Row(elem_id="ask-row"):
                        question = gr.Textbox(
                            label="您的问题",  # not shown: the name screen readers announce
                            show_label=False,
                            placeholder=f"例如：{EXAMPLE}",
                            scale=5,
                            lines=1,
                            max_lines=4,
                            elem_id="question",
                        )
                        send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
                    gr.Examples(
                        examples=[[q] for q in EXAMPLES],
                        inputs=[question],
                        label="示例问题（点击填入）",
                        api_visibility="private",
                    )
                    with gr.Row(elem_id="report-names"):
                        enterprise = gr.Textbox(
                            label="企业名称（写入报告，可不填）", max_length=NAME_LENGTH, elem_id="report-enterprise"
                        )
                        project = gr.Textbox(
                            label="项目名称（写入报告，可不填）", max_length=NAME_LENGTH, elem_id="report-project"
                        )
                    with gr.Row(elem_id="actions"):
                        reset = gr.Button("重新开始", elem_id="reset")
                        download = gr.DownloadButton(
                            "下载评估报告（网页版）", value=None, interactive=False, elem_id="download"
                        )
                        make_pdf = gr.Button("生成 PDF 版报告", interactive=False, elem_id="make-pdf")
                        download_pdf = gr.DownloadButton(
                            "下载 PDF 版报告", value=None, visible=False, elem_id="download-pdf"
                        )
                    report_note = gr.HTML("", visible=False, elem_id="report-note")
                with gr.Column(scale=5):
                    as_of = gr.DateTime(
                        value=built_on.isoformat(),
                        include_time=False,
                        type="string",  # as typed: parse_as_of reads it and says in Chinese what is wrong
                        label="按哪一天的政策判断",
                        info="默认今天；可选日期，或点击下方按钮选一个政策有效期内的日子",
                        elem_id="as-of",
                    )
                    in_force_days = []
                    with gr.Row(elem_id="in-force-days"):
                        for policy in engine.book.library.policies.values():
                            day = day_in_force(policy.meta).isoformat()
                            button = gr.Button(
                                f"政策有效期内的某天：{policy.meta.short_title}（{day}）",
                                size="sm",
                                elem_classes=["in-force-day"],
                            )
                            in_force_days.append((button, day))
                    with gr.Accordion(
                        "已了解的企业信息（修改后点“重新计算”；金额单位：万元）", open=True, elem_id="facts-form"
                    ):
                        gr.HTML(
                            "<div class='intro'>这里只列出与适用政策有关的信息（提问后出现）；改完请点“重新计算”。</div>",
                            elem_id="facts-hint",
                        )
                        place = gr.Dropdown(
                            choices=[("（未填写）", "")] + [(p, p) for p in vocab.places],
                            label="企业所在地区",
                            value=None,
                            allow_custom_value=True,  # the place read may be any county (河南省洛阳市); typed ones are read
                            elem_id="fact-place",
                        )
                        with gr.Row(elem_id="fact-amounts"):  # shown: what the programs in play read
                            numbers = [
                                gr.Number(
                                    label=f"{labels[role]}（万元）",
                                    value=None,
                                    minimum=0,
                                    visible=False,
                                    elem_id=f"fact-{role}",
                                    min_width=160,
                                )
                                for role in FORM_ROLES
                            ]
                            level = gr.Dropdown(
                                choices=[("（未填写）", "")] + [(lv.value, lv.value) for lv in Level],
                                label="认定级别",
                                value=None,
                                visible=False,
                                elem_id="fact-level",
                                min_width=160,
                            )
                            lpr = gr.Number(
                                label="一年期LPR（%，留空按公布值）",
                                value=None,
                                minimum=0,
                                visible=False,
                                elem_id="fact-lpr",
                                min_width=160,
                            )
                        tag_boxes = [  # the yes/no facts in play, one slot each (assistant.web.facts_form)
                            gr.Radio(choices=TAG_CHOICES, label="", value=None, visible=False, elem_id=f"fact-tag-{i}")
                            for i in range(TAG_SLOTS)
                        ]
                        recompute = gr.Button("重新计算", variant="primary", size="sm", elem_id="recompute")
                    result = gr.HTML(result_card(engine, None), elem_id="result-card")
                    chart = gr.Plot(label="奖补随投资额的变化（计算器测算）", visible=False, elem_id="subsidy-chart")
                    citations = gr.Radio(label="引用依据（点击查看政策原文）", choices=[], elem_id="citations")
        # The document viewer: a panel over the right side of the page, opened by a citation.
        with gr.Column(visible=False, elem_id="doc-viewer") as viewer:
            close_viewer = gr.Button("关闭原文", size="sm", elem_id="close-viewer")
            cited = gr.HTML(EMPTY_VIEW, elem_id="citation-view")

        form = [place, *numbers, level, lpr, *tag_boxes]
        outputs = [
            session_state,
            chat,
            *form,
            result,
            chart,
            banner,
            citations,
            cited,
            download,
            download_pdf,
            make_pdf,
            report_note,
            question,
            replies,
            missing_box,
            confirm,
        ]
        private = {"api_visibility": "private"}
        scroll = {"fn": None, "js": SCROLL_TO_NEWEST_ANSWER, **private}
        for trigger in (send.click, question.submit):
            trigger(on_ask, [question, as_of, session_state], outputs, show_progress_on=[chat, result], **private).then(
                **scroll
            )
        for button, reply in ((yes, YES), (no, NO), (unknown, UNKNOWN)):
            button.click(
                one_click(reply), [as_of, session_state], outputs, show_progress_on=[chat, result], **private
            ).then(**scroll)
        # Progress only on the result: a spinner over the form would hide what was just typed.
        recompute_form = {
            "fn": on_facts,
            "inputs": {as_of, session_state, *form},
            "outputs": outputs,
            "trigger_mode": "always_last",
            "show_progress_on": [result],
            **private,
        }
        # Only on an explicit action: leaving a field (Tab) recomputes nothing, 重新计算 does.
        for trigger in (recompute.click, as_of.submit):
            trigger(**recompute_form).then(**scroll)
        for button, day in in_force_days:
            # The chosen day applies to the answer on screen at once (on_facts does nothing before one).
            button.click(_constant(day), None, as_of, **private).then(**recompute_form).then(**scroll)
        confirm.click(
            on_confirm, [missing_box, as_of, session_state], outputs, show_progress_on=[chat, result], **private
        ).then(**scroll)
        citations.change(on_cite, [citations, as_of, session_state], [cited, viewer], **private).then(
            fn=None, js=SCROLL_TO_QUOTE, **private
        )
        close_viewer.click(
            lambda: (gr.Column(visible=False), gr.Radio(value=None)), None, [viewer, citations], **private
        )
        report_outputs = [session_state, download, download_pdf, report_note]
        for box in (enterprise, project):
            box.change(
                on_names,
                [enterprise, project, session_state],
                report_outputs,
                trigger_mode="always_last",
                show_progress="hidden",
                **private,
            )
        make_pdf.click(
            on_pdf,
            [enterprise, project, session_state],
            report_outputs,
            concurrency_limit=PDF_AT_ONCE,
            concurrency_id="report-pdf",
            show_progress_on=[make_pdf],
            **private,
        )
        # The chat's own trash icon is a way to start again too: it resets conversation, form and result.
        for trigger in (reset.click, chat.clear):
            trigger(on_reset, [session_state], outputs, **private)
        timer = gr.Timer(1.0, active=True)
        timer.tick(on_index_status, None, [index_html, timer], show_progress="hidden", **private)
        # At each page load, so a server left running for days still says "today" truthfully.
        page.load(None, None, None, js=accessibility.naming_script(), **private)
        page.load(None, None, None, js=OPEN_FROM_CHAT, **private)
        # One job per load, the rest chained after it: the Gate admits only a few jobs of one client at once.
        quiet = {"show_progress": "hidden", **private}
        page.load(today_on_page, None, [coverage, as_of], **quiet).then(
            on_index_status, None, [index_html, timer], **quiet
        ).then(  # an unset gr.Number is drawn as 0 until first given None; a 0 the user never typed would be a fact
            lambda: [*facts_to_form(None), *([None] * TAG_SLOTS)], None, form, **quiet
        )
        gr.api(ask, api_name="ask")
        gr.api(chat_turn, api_name="chat")
    return page
