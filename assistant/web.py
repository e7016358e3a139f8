"""The enterprise page (served at /): a chat on the left, what the assistant understood on the right.

Each browser tab gets its own `Conversation` in a `gr.State`, so two users never see each other's
facts, questions or downloads. The right-hand side is the answer made inspectable: the facts as an
editable form (an edit recomputes through `Conversation.replace_facts`, nothing is re-read from
text), one row per program with its figure and formula, the citations with the quoted sentence
highlighted in its clause, and a banner when a policy used is not in force on the as-of date.

The page's own event handlers are private; the one public API endpoint is `/ask`, which returns the
same JSON as `python -m assistant ask --json`. Every answered turn is written to the logbook before
the answer goes back to the user.
"""

from __future__ import annotations

import html
import logging
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import presenter
from assistant.amounts import InputError, format_wan, format_yuan, parse_date
from assistant.api_conversations import ApiConversations
from assistant.conversation import Conversation
from assistant.downloads import VISITOR_COOKIE, ReportOwners, new_report_name
from assistant.engine import EXAMPLE, Engine
from assistant.facts import MAX_AMOUNT_YUAN, EnterpriseFacts
from assistant.logbook import Logbook
from assistant.policies import Validity, validity_on
from assistant.rules import Level

logger = logging.getLogger(__name__)

# The amount roles staff mention most; rarer ones stay in the facts untouched when the form is edited.
FORM_ROLES = [
    "total_investment", "year_investment", "equipment_investment", "software_hardware_investment",
    "rd_investment", "loan_amount", "premium", "insured_amount", "sales_price", "national_grant",
    "received_same_program",
]
WAN = Decimal(10000)  # the form shows amounts in 万元, the way enterprises state them
CENT = Decimal("0.01")
EXAMPLES = [
    EXAMPLE,
    "河口区技改项目总投资2000万，设备投资1500万，银行贷款800万，能拿多少？",
    "济源市企业研发投入200万，有什么补贴？",
    "河南省企业购买首台套装备，销售价格1000万，保费30万，能补多少？",
    "河口区技改项目竣工投产后有什么奖励？",
]
VALIDITY_LABEL = {
    Validity.IN_FORCE: "现行有效",
    Validity.NOT_YET: "尚未施行",
    Validity.EXPIRED: "已失效（有效期届满）",
    Validity.REPEALED: "已废止",
    Validity.UNKNOWN: "效力无法确定",
}
STATUS_CLASS = {"eligible": "ok", "needs_info": "info", "ineligible": "no", "expired": "old"}
DOWNLOAD_ROOT = Path(tempfile.gettempdir()) / "policy-assistant-downloads"
SESSION_TTL_SECONDS = 8 * 3600
INDEX_BUILDING = "正在建立检索索引…"
INDEX_WAIT = "正在建立检索索引（仅首次启动需要，约几分钟），建好后即给出测算结果和政策原文依据，请稍候…"

CSS = """
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
.citation-view .meta {font-size:13px;color:#333;margin-bottom:6px;line-height:1.6}
.citation-view .clause {white-space:pre-wrap;line-height:1.8;background:#fafafa;border-left:4px solid #1976d2;
  padding:8px 12px}
.citation-view mark {background:#ffe082;padding:0 2px}
"""


# --- one browser tab --------------------------------------------------------------------------------


@dataclass
class Session:
    """Everything one tab knows: its conversation, what it was shown, the files made for it.

    `visitor` is the browser's visitor cookie and `reports` the registry through which only that
    browser may fetch this tab's report (assistant.downloads)."""

    conversation: Conversation
    chat: list[dict[str, str]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    folder: Path | None = None
    visitor: str | None = None
    reports: ReportOwners | None = None

    @property
    def last(self) -> dict[str, Any] | None:
        return self.conversation.responses[-1] if self.conversation.responses else None

    def download_folder(self) -> Path:
        """A private temp dir per session: the report file is only ever written here."""
        if self.folder is None:
            DOWNLOAD_ROOT.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix="session-", dir=DOWNLOAD_ROOT))
        return self.folder

    def forget_reports(self) -> None:
        """Delete this session's report files and unregister them, so that the DownloadGuard refuses
        Gradio's cached copies too (they stay on disk until Gradio's cache cleaning)."""
        if self.folder is None:
            return
        for old in self.folder.glob("assessment-*.md"):
            if self.reports is not None:
                self.reports.forget(old.name)
            old.unlink(missing_ok=True)

    def close(self) -> None:
        if self.folder is not None:
            self.forget_reports()
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def close_session(session: Session | None) -> None:
    """gr.State's delete callback: the tab was closed (or timed out); its files go with it."""
    if isinstance(session, Session):
        session.close()


# --- the facts form ---------------------------------------------------------------------------------


def facts_to_form(facts: EnterpriseFacts | None) -> list[Any]:
    """Form values for `facts`: place, one 万元 number per FORM_ROLES role, level, LPR in percent."""
    facts = facts or EnterpriseFacts()
    amounts = [float(facts.amounts[r] / WAN) if r in facts.amounts else None for r in FORM_ROLES]
    lpr = float(facts.lpr_rate * 100) if facts.lpr_rate is not None else None
    return [facts.place, *amounts, facts.level.value if facts.level else None, lpr]


def _decimal(value: float | int | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InputError(f"无法识别数值“{value}”") from None


def facts_from_form(base: EnterpriseFacts | None, labels: dict[str, str], place: str | None,
                    amounts: list[float | None], level: str | None, lpr_percent: float | None) -> EnterpriseFacts:
    """The facts the user sees in the form; roles the form does not show, and tags, are kept from `base`.

    An amount the user typed is exact, so it stops being marked approximate; a changed place drops
    the word the user originally wrote for it.
    """
    base = base or EnterpriseFacts()
    new_amounts = {r: v for r, v in base.amounts.items() if r not in FORM_ROLES}
    for role, value in zip(FORM_ROLES, amounts):
        wan = _decimal(value)
        if wan is None:
            continue
        yuan = (wan * WAN).quantize(CENT)
        if yuan < 0:
            raise InputError(f"{labels.get(role, role)}不能为负数")
        if yuan > MAX_AMOUNT_YUAN:
            raise InputError(f"{labels.get(role, role)}超过 10^12 元，不是可信的项目规模")
        new_amounts[role] = yuan
    rate = _decimal(lpr_percent)
    if rate is not None and not Decimal(0) < rate < Decimal(100):
        raise InputError("一年期LPR请填写百分数，例如 3.85")
    place = place or None
    return EnterpriseFacts(
        place=place,
        place_mention=base.place_mention if place == base.place else None,
        amounts=new_amounts,
        approximate=[r for r in base.approximate if r in new_amounts and new_amounts[r] == base.amounts.get(r)],
        tags=dict(base.tags),
        level=Level(level) if level else None,
        lpr_rate=(rate / 100) if rate is not None else None,
    )


# --- rendering --------------------------------------------------------------------------------------


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def amount_cell(p: dict[str, Any]) -> str:
    """"最高 18万（180,000.00 元）", or why there is no figure."""
    if p.get("amount_text"):
        return f"{p['amount_prefix']}{p['amount_wan']}（{p['amount_text']} 元）"
    if p.get("status") == "needs_info":
        caps = "；".join(p.get("caps") or [])
        return f"待补充信息后测算{('（' + caps + '）') if caps else ''}"
    return "政策未规定具体金额" if p.get("status") == "eligible" else "—"


def result_card(engine: Engine, response: dict[str, Any] | None) -> str:
    """One row per program: policy (document number), status, amount, formula."""
    if not response:
        return "<div class='result-card'><p>提问后，这里列出可申请的政策、金额和计算公式。</p></div>"
    rows = []
    for p in response.get("programs") or []:
        warn = "".join(f"<div class='warn'>⚠ {_e(w)}</div>" for w in p.get("warnings") or [])
        rows.append(
            f"<tr data-program='{_e(p['program_id'])}'><td>{_e(p['policy']['label'])}</td><td>{_e(p['title'])}</td>"
            f"<td class='{STATUS_CLASS.get(p['status'], '')}'>{_e(p['status_label'])}</td>"
            f"<td>{_e(amount_cell(p))}</td><td class='formula'>{_e(p.get('formula') or '—')}{warn}</td></tr>")
    parts = ["<div class='result-card'>"]
    if response.get("total_max_yuan"):
        total = Decimal(str(response["total_max_yuan"]))
        parts.append(f"<div class='total'>合计最高约 {format_wan(total)}（{format_yuan(total)} 元）"
                     f"<span style='font-weight:400;font-size:13px'>，评估日期 {_e(response.get('as_of'))}</span></div>")
    if rows:
        parts.append("<table><thead><tr><th>政策（文号）</th><th>项目</th><th>状态</th><th>金额</th><th>计算公式</th>"
                     "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    elif response.get("kind") == "bad_input":
        parts.append("<p>输入有误：" + "；".join(_e(w) for w in response.get("warnings") or []) + "</p>")
    else:
        parts.append("<p>本次回答未涉及奖补测算，请看左侧回答和下方引用的政策原文。</p>")
    if response.get("missing_facts"):
        needed = "、".join(presenter.fact_label(engine.book, m) for m in response["missing_facts"])
        parts.append(f"<p>还需补充：{_e(needed)}（可在上方表单中填写，或在对话中告诉助手）</p>")
    parts.append("</div>")
    return "".join(parts)


def citation_items(engine: Engine, response: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The calculator's quotes first (what the figures rest on), then quoted and retrieved clauses."""
    if not response:
        return []
    clauses = engine.book.corpus.clauses
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, int, int]] = set()

    def add(clause_id: str, quote: str, start: int | None, end: int | None, origin: str) -> None:
        clause = clauses.get(clause_id)
        if clause is None:
            return
        key = (clause_id, start or -1, end or -1)
        if key in seen:
            return
        seen.add(key)
        meta = engine.book.corpus.policies[clause.policy_id].meta
        out.append({"clause": clause_id, "policy_id": clause.policy_id, "label": meta.label,
                    "heading": " › ".join(clause.heading_path) or "（正文）", "quote": quote,
                    "start": start, "end": end, "origin": origin})

    for p in response.get("programs") or []:
        for c in p["citations"]:
            add(c["clause"], c["quote"], c["start"], c["end"], "测算依据")
    for q in response.get("quotes") or []:
        add(q["clause"], q["text"], None, None, "引用原文")
    for s in response.get("sources") or []:
        add(s["clause"], s["text"], s.get("start"), s.get("end"), "检索到的相关条款")
    return out


def citation_choices(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    def short(text: str) -> str:
        flat = " ".join(text.split())
        return flat if len(flat) <= 48 else flat[:48] + "…"

    return [(f"[{n}] {c['label']} {c['heading']}：“{short(c['quote'])}”（{c['origin']}）", str(n))
            for n, c in enumerate(items, start=1)]


def validity_text(engine: Engine, policy_id: str, as_of: date) -> str:
    meta = engine.book.corpus.policies[policy_id].meta
    status = validity_on(meta, as_of)
    return f"{VALIDITY_LABEL[status.state]}（按 {as_of.isoformat()}）：{status.explanation}"


def citation_view(engine: Engine, item: dict[str, Any] | None, as_of: date) -> str:
    """The whole clause with the quoted sentence in <mark>, and whose clause it is and whether in force."""
    if not item:
        return "<div class='citation-view'><p>点击上方的一条引用，查看它在政策原文条款中的位置。</p></div>"
    clause = engine.book.corpus.clauses[item["clause"]]
    meta = engine.book.corpus.policies[item["policy_id"]].meta
    text = clause.text
    a = b = -1
    if item["start"] is not None and clause.start <= item["start"] and item["end"] <= clause.end:
        a, b = item["start"] - clause.start, item["end"] - clause.start
    else:
        a = text.find(item["quote"])
        b = a + len(item["quote"]) if a >= 0 else -1
    body = (_e(text[:a]) + "<mark>" + _e(text[a:b]) + "</mark>" + _e(text[b:])) if a >= 0 else (
        f"<mark>{_e(item['quote'])}</mark>\n\n{_e(text)}")
    return (
        "<div class='citation-view'><div class='meta'>"
        f"<div><b>{_e(meta.doc_number or '（无文号）')}</b> {_e(meta.title)}（{_e(meta.issuer)}）</div>"
        f"<div>条款：{_e(' › '.join(clause.heading_path) or '（正文）')}</div>"
        f"<div>效力：{_e(validity_text(engine, item['policy_id'], as_of))}</div>"
        f"</div><div class='clause'>{body}</div></div>"
    )


def validity_banner(engine: Engine, response: dict[str, Any] | None) -> str:
    """A clear warning when a policy the answer rests on is not in force on the as-of date."""
    if not response or not response.get("as_of"):
        return ""
    as_of = date.fromisoformat(response["as_of"])
    gone: dict[str, str] = {}
    unsure: dict[str, str] = {}
    for p in response.get("programs") or []:
        label = p["policy"]["label"]
        if p["policy"]["in_force"] is False:
            gone.setdefault(label, p["validity"])
        elif p["policy"]["in_force"] is None:
            unsure.setdefault(label, p["validity"])
    clauses = engine.book.corpus.clauses
    for q in response.get("quotes") or []:
        clause = clauses.get(q["clause"])
        if clause is None:
            continue
        meta = engine.book.corpus.policies[clause.policy_id].meta
        status = validity_on(meta, as_of)
        if status.in_force is False:
            gone.setdefault(meta.label, status.explanation)
        elif status.in_force is None:
            unsure.setdefault(meta.label, status.explanation)
    parts = []
    if gone:
        listed = "；".join(f"{_e(k)}（{_e(v)}）" for k, v in gone.items())
        parts.append(f"<div class='banner'>⚠ 注意：按评估日期 {_e(as_of.isoformat())}，本次评估所用的以下政策已不在有效期内，"
                     f"相关金额仅按原政策口径测算、仅供参考：{listed}</div>")
    if unsure:
        listed = "；".join(f"{_e(k)}（{_e(v)}）" for k, v in unsure.items())
        parts.append(f"<div class='banner unknown'>⚠ 以下政策在 {_e(as_of.isoformat())} 是否仍有效无法确定，"
                     f"申报前请向主管部门核实：{listed}</div>")
    return "".join(parts)


def facts_lines(engine: Engine, facts: dict[str, Any] | None) -> list[str]:
    """The facts as "label：value" lines, for the report and the officer console."""
    if not facts:
        return []
    vocab = engine.book.vocabulary
    lines = [f"企业所在地区：{facts.get('place') or '未说明'}"]
    for role, value in (facts.get("amounts") or {}).items():
        if value is None:
            continue
        label = vocab.amount_roles[role].label if role in vocab.amount_roles else role
        approx = "（约数）" if role in (facts.get("approximate") or []) else ""
        lines.append(f"{label}：{format_wan(Decimal(str(value)))}（{format_yuan(Decimal(str(value)))} 元）{approx}")
    for tag, value in (facts.get("tags") or {}).items():
        label = vocab.tags[tag].label if tag in vocab.tags else tag
        lines.append(f"{label}：{'是' if value else '否'}")
    if facts.get("level"):
        lines.append(f"认定级别：{facts['level']}")
    if facts.get("lpr_rate") is not None:
        lines.append(f"一年期LPR：{Decimal(str(facts['lpr_rate'])) * 100:f}%")
    return lines


def report_markdown(engine: Engine, session: Session) -> str:
    """The downloadable record of this session's assessment: questions, facts, figures, formulas, citations."""
    response = session.last or {}
    questions = session.conversation.questions
    out = ["# 政策自评估结果", "",
           f"- 生成时间：{datetime.now().strftime('%Y-%m-%d %H:%M')}",
           f"- 评估日期（判断政策是否有效的日期）：{response.get('as_of') or '—'}", "",
           "> 本结果由政策自评估助手按政策原文测算，仅供参考，最终以主管部门审核为准。", "", "## 提问", ""]
    out += [f"{n}. {q}" for n, q in enumerate(questions, start=1)] or ["（无）"]
    out += ["", "## 企业信息", ""]
    out += [f"- {line}" for line in facts_lines(engine, response.get("facts"))] or ["（无）"]
    out += ["", "## 测算结果", ""]
    programs = response.get("programs") or []
    if programs:
        if response.get("total_max_yuan"):
            total = Decimal(str(response["total_max_yuan"]))
            out += [f"**合计最高约 {format_wan(total)}（{format_yuan(total)} 元）**", ""]
        out += ["| 政策（文号） | 项目 | 状态 | 金额 | 计算公式 |", "|---|---|---|---|---|"]
        for p in programs:
            cells = [p["policy"]["label"], p["title"], p["status_label"], amount_cell(p), p.get("formula") or "—"]
            out.append("| " + " | ".join(c.replace("|", "｜") for c in cells) + " |")
        out += ["", "### 条件核对与政策效力", ""]
        for p in programs:
            out.append(f"**{p['title']}**（{p['policy']['label']}，{p['validity']}）")
            out += [f"- {r}" for r in p["reasons"]] + [f"- ⚠ {w}" for w in p["warnings"]] + [""]
    else:
        out += ["本次回答未涉及奖补测算。", ""]
    out += ["## 依据（政策原文）", ""]
    for n, c in enumerate(session.citations, start=1):
        out.append(f"{n}. {c['label']} {c['heading']}：“{' '.join(c['quote'].split())}”（{c['origin']}）")
    out += ["", "## 助手的回答", "", "```text", response.get("answer", ""), "```", ""]
    return "\n".join(out)


def write_report(engine: Engine, session: Session) -> Path:
    """The session's report file, replacing the previous one: the folder holds only the latest, and
    only the session's visitor may fetch it."""
    folder = session.download_folder()
    session.forget_reports()
    path = folder / new_report_name(datetime.now().strftime("%Y%m%d-%H%M%S"))
    path.write_text(report_markdown(engine, session), encoding="utf-8")
    if session.reports is not None:
        session.reports.register(path.name, session.visitor)
    return path


# --- the page ---------------------------------------------------------------------------------------


def _shown(content: str) -> Any:
    """An HTML block that takes no room on the page while it has nothing to say."""
    return gr.HTML(content, visible=bool(content))


def parse_as_of(text: str | None) -> date | None:
    """Empty means today (None for the engine); raises InputError with the Chinese message."""
    return parse_date(text) if text and text.strip() else None


class Recorder:
    """Writes each answered turn to the logbook before the answer is shown; a broken log never eats an answer."""

    def __init__(self, logbook: Logbook | None) -> None:
        self.logbook = logbook

    def __call__(self, session_id: str | None, response: dict[str, Any]) -> int | None:
        if self.logbook is None:
            return None
        try:
            return self.logbook.record(session_id or "unknown", response)
        except Exception:
            logger.exception("写入问答日志失败")
            return None


def visitor_of(request: gr.Request | None) -> str | None:
    """The browser's visitor cookie (set by assistant.downloads.DownloadGuard with the page)."""
    cookies = getattr(request, "cookies", None) if request is not None else None
    return cookies.get(VISITOR_COOKIE) if cookies else None


def build_enterprise(engine: Engine, logbook: Logbook | None = None,
                     index_status: Callable[[], tuple[bool, str]] | None = None,
                     reports: ReportOwners | None = None) -> gr.Blocks:
    """The enterprise page; `index_status()` says whether retrieval is ready and what to show meanwhile;
    `reports` records which visitor may download which report (served by the DownloadGuard)."""
    record = Recorder(logbook)
    api_conversations = ApiConversations(engine, ttl_s=SESSION_TTL_SECONDS)
    vocab = engine.book.vocabulary
    labels = {role: vocab.amount_roles[role].label for role in FORM_ROLES}
    status_fn = index_status or (lambda: (True, ""))

    def new_session() -> Session:
        return Session(Conversation(engine), reports=reports)

    def refresh(session: Session, clear_question: bool = True, echo_form: bool = True) -> tuple[Any, ...]:
        """Every output for the session's latest answer. After a form edit the form is not echoed back:
        it already shows what was typed, and an echo would erase what the user typed meanwhile."""
        response = session.last
        session.citations = citation_items(engine, response)
        download = gr.DownloadButton(value=str(write_report(engine, session)), interactive=True) \
            if response is not None else gr.DownloadButton(value=None, interactive=False)
        return (
            session, session.chat,
            *(facts_to_form(session.conversation.facts) if echo_form else [gr.skip()] * (len(FORM_ROLES) + 3)),
            result_card(engine, response),
            _shown(validity_banner(engine, response)), gr.Radio(choices=citation_choices(session.citations), value=None),
            citation_view(engine, None, date.today()), download, "" if clear_question else gr.skip(),
        )

    def error_turn(session: Session, user_text: str | None, message: str) -> tuple[Any, ...]:
        if user_text:
            session.chat.append({"role": "user", "content": user_text})
        session.chat.append({"role": "assistant", "content": f"⚠ {message}"})
        return (session, session.chat, *([gr.skip()] * (len(FORM_ROLES) + 3)), gr.skip(), gr.skip(), gr.skip(),
                gr.skip(), gr.skip(), gr.skip())

    def on_ask(text: str, as_of_text: str, session: Session | None,
               request: gr.Request) -> Iterator[tuple[Any, ...]]:
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
            yield (session, session.chat + waiting, *([gr.skip()] * (len(FORM_ROLES) + 9)))
        response = session.conversation.ask(text)
        response["id"] = response.get("id") or uuid.uuid4().hex[:12]
        record(request.session_hash, response)
        session.chat += [{"role": "user", "content": text}, {"role": "assistant", "content": response["answer"]}]
        yield refresh(session)

    def on_facts(values: dict[Any, Any], request: gr.Request) -> tuple[Any, ...]:
        session = values[session_state] or new_session()
        session.visitor = visitor_of(request)
        try:
            day = parse_as_of(values[as_of])
            facts = facts_from_form(session.conversation.facts, labels, values[place], [values[n] for n in numbers],
                                    values[level], values[lpr])
        except InputError as err:
            return error_turn(session, None, err.message)
        unchanged = facts == (session.conversation.facts or EnterpriseFacts())
        if unchanged and (session.last is None or day == session.conversation.as_of):
            return tuple(gr.skip() for _ in outputs)  # a blur without an edit: nothing to redo
        session.conversation.as_of = day
        response = session.conversation.replace_facts(facts)
        response["id"] = response.get("id") or uuid.uuid4().hex[:12]
        record(request.session_hash, response)
        session.chat.append({"role": "assistant", "content": "已按修改后的企业信息重新测算：\n\n" + response["answer"]})
        return refresh(session, clear_question=False, echo_form=False)

    def on_cite(choice: str | None, as_of_text: str, session: Session | None) -> str:
        if not session or not choice:
            return citation_view(engine, None, date.today())
        try:
            as_of = date.fromisoformat(session.last["as_of"]) if session.last else parse_as_of(as_of_text)
        except (InputError, ValueError):
            as_of = None
        n = int(choice)
        item = session.citations[n - 1] if 0 < n <= len(session.citations) else None
        return citation_view(engine, item, as_of or date.today())

    def on_reset(session: Session | None) -> tuple[Any, ...]:
        if session:
            session.close()
        return refresh(new_session())

    def on_index_status() -> tuple[Any, Any]:
        ready, message = status_fn()
        if ready:
            shown = f"<div class='failed' role='alert'>⚠ {_e(message)}</div>" if message else ""
            return gr.HTML(shown, visible=bool(message)), gr.Timer(active=False)
        return gr.HTML(f"<div class='building'>{_e(message or INDEX_BUILDING)}</div>", visible=True), \
            gr.Timer(active=True)

    def answered(question: str, as_of: str, request: gr.Request | None,
                 answer: Callable[[date | None], dict[str, Any]]) -> dict[str, Any]:
        """The API's common path: read as_of, answer, log; a bad date is an answer, not an exception."""
        try:
            day = parse_as_of(as_of)
        except InputError as err:
            message = f"评估日期（as_of）有误：{err.message}"
            return {"id": None, "question": question, "as_of": as_of, "kind": "bad_input", "error": message,
                    "warnings": [message], "answer": f"错误：{message}"}
        response = answer(day)
        record(request.session_hash if request else None, response)
        return response

    def ask(question: str, as_of: str, request: gr.Request) -> dict[str, Any]:
        """Answer one question as `python -m assistant ask --json` does; as_of is YYYY-MM-DD or "" for today."""
        return answered(question, as_of, request, lambda day: engine.ask(question, day))

    def chat_turn(question: str, as_of: str, new_conversation: bool, request: gr.Request) -> dict[str, Any]:
        """The next turn of this client's conversation (facts carried over, corrections applied), or the
        first turn of a new one; same JSON as `ask`. One conversation per gradio_client `Client`."""
        session = request.session_hash if request else None
        if not session:
            return answered(question, as_of, request, lambda day: engine.ask(question, day))
        return answered(question, as_of, request,
                        lambda day: api_conversations.turn(session, question, day, bool(new_conversation)))

    with gr.Blocks(title="政策自评估助手", analytics_enabled=False, fill_width=True,
                   delete_cache=(3600, SESSION_TTL_SECONDS)) as page:
        session_state = gr.State(None, time_to_live=SESSION_TTL_SECONDS, delete_callback=close_session)
        gr.HTML("<h2 style='margin:4px 0'>政策自评估助手</h2><div style='color:#555'>描述企业所在地区和项目情况，"
                "助手按政策原文测算可申请的奖补并给出依据；结果仅供参考，以主管部门审核为准。</div>")
        index_html = gr.HTML(elem_id="index-status", visible=False)
        banner = gr.HTML(elem_id="validity-banner", visible=False)
        with gr.Row():
            with gr.Column(scale=5):
                chat = gr.Chatbot(label="对话", height=620, elem_id="chat", feedback_options=None,
                                  buttons=["copy"], placeholder="请在下方输入问题，或点击示例问题。")
                with gr.Row():
                    question = gr.Textbox(show_label=False, placeholder=f"例如：{EXAMPLE}", scale=5, lines=1,
                                          max_lines=4, elem_id="question")
                    send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="示例问题（点击填入）",
                            api_visibility="private")
                with gr.Row():
                    reset = gr.Button("重新开始", elem_id="reset")
                    download = gr.DownloadButton("下载本次评估", value=None, interactive=False, elem_id="download")
            with gr.Column(scale=5):
                as_of = gr.Textbox(label="评估日期（YYYY-MM-DD，留空为今天）", placeholder="例如 2021-06-30",
                                   elem_id="as-of")
                with gr.Accordion("已了解的企业信息（可直接修改，金额单位：万元）", open=True):
                    place = gr.Dropdown(choices=[("（未填写）", "")] + [(p, p) for p in vocab.places],
                                        label="企业所在地区", value=None, elem_id="fact-place")
                    numbers = []
                    for i in range(0, len(FORM_ROLES), 3):
                        with gr.Row():
                            for role in FORM_ROLES[i:i + 3]:
                                numbers.append(gr.Number(label=f"{labels[role]}（万元）", value=None, minimum=0,
                                                         elem_id=f"fact-{role}", min_width=120))
                    with gr.Row():
                        level = gr.Dropdown(choices=[("（未填写）", "")] + [(lv.value, lv.value) for lv in Level],
                                            label="认定级别", value=None, elem_id="fact-level")
                        lpr = gr.Number(label="一年期LPR（%，留空按公布值）", value=None, minimum=0,
                                        elem_id="fact-lpr")
                    recompute = gr.Button("按修改重新测算", size="sm", elem_id="recompute")
                result = gr.HTML(result_card(engine, None), elem_id="result-card")
                citations = gr.Radio(label="引用依据（点击查看条款原文）", choices=[], elem_id="citations")
                cited = gr.HTML(citation_view(engine, None, date.today()), elem_id="citation-view")

        form = [place, *numbers, level, lpr]
        outputs = [session_state, chat, *form, result, banner, citations, cited, download, question]
        private = {"api_visibility": "private"}
        for trigger in (send.click, question.submit):
            trigger(on_ask, [question, as_of, session_state], outputs, show_progress_on=[chat, result], **private)
        for trigger in [n.submit for n in [*numbers, lpr]] + [n.blur for n in [*numbers, lpr]] + \
                [place.input, level.input, recompute.click, as_of.submit]:
            # Progress only on the result: a spinner over the citations would swallow the click that blurred a field.
            trigger(on_facts, {as_of, session_state, *form}, outputs, trigger_mode="always_last",
                    show_progress_on=[result], **private)
        citations.change(on_cite, [citations, as_of, session_state], cited, **private)
        reset.click(on_reset, [session_state], outputs, **private)
        timer = gr.Timer(1.0, active=True)
        timer.tick(on_index_status, None, [index_html, timer], show_progress="hidden", **private)
        page.load(on_index_status, None, [index_html, timer], show_progress="hidden", **private)
        # An unset gr.Number is drawn as 0 until it is first given None; a 0 the user never typed would be read as a fact.
        page.load(lambda: facts_to_form(None), None, form, show_progress="hidden", **private)
        gr.api(ask, api_name="ask")
        gr.api(chat_turn, api_name="chat")
    return page
