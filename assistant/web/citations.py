"""Citations that open the document (issue #17 item 3): the list beside the answer, the [n] links in
the chat, and the viewer that shows the whole policy text at the clause with the quote highlighted.

Why the list is built from the answer's own numbering: the answer's "依据" lines are numbered by
answering.presenter.citations, so item n of the list is what [n] in the text means, and a link can
simply open item n. After those come the sentences a fact answer quoted and the clauses retrieval
found, each only if its clause is not listed already (the same clause twice was the duplicates of the
old list) and, for retrieved clauses, not from an annex (a list of the officials of a working group
answers no question about subsidies).

Everything put into HTML here is escaped; the viewer's highlight is placed by character offsets in
the policy's own text, never by inserting user text.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from assistant.answering import presenter
from assistant.answering.api_models import Answer, Citation
from assistant.answering.engine import Engine
from assistant.texts.policies import validity_on
from assistant.web.cards import VALIDITY_LABEL

ANNEX = "附件"
CITE_HREF = "#cite-"
EMPTY_VIEW = "<div class='citation-view'><p>点击回答中的 [1]、[2] 或右侧的引用，查看政策原文。</p></div>"
NUMBER = re.compile(r"\[(\d{1,3})\]")

# Clicking "[n]" in the chat selects item n of the citation list (as a click on it would): the list's
# change opens the viewer. Capture phase, so the chat's own link handling never sees the click. Escape
# closes the viewer.
OPEN_FROM_CHAT = """
() => {
  document.addEventListener('click', (event) => {
    const link = event.target.closest ? event.target.closest('a[href^="#cite-"]') : null;
    if (!link || !link.closest('#chat')) return;
    event.preventDefault();
    event.stopPropagation();
    const n = link.getAttribute('href').slice(6);
    const item = [...document.querySelectorAll('#citations label')]
      .find((label) => label.innerText.trim().startsWith('[' + n + ']'));
    if (!item) return;
    const y = window.scrollY;  // stay at the chat: focusing the list's input would scroll the page to it
    const input = item.querySelector('input');
    if (input) input.focus({preventScroll: true});
    (input || item).click();
    window.scrollTo(window.scrollX, y);
  }, true);
  document.addEventListener('keydown', (event) => {
    const viewer = document.querySelector('#doc-viewer');
    if (event.key === 'Escape' && viewer && viewer.offsetParent !== null) document.querySelector('#close-viewer')?.click();
  });
}
"""

# Once the viewer shows a document: scroll its text so the highlighted quote sits in the upper third,
# and put the keyboard focus on its close button. Twice: Gradio may still be laying the text out.
SCROLL_TO_QUOTE = """
() => {
  const go = () => {
    const body = document.querySelector('#citation-view .doc-body');
    const mark = body ? body.querySelector('mark') : null;
    if (!mark) return;
    body.scrollTop += mark.getBoundingClientRect().top - body.getBoundingClientRect().top - body.clientHeight / 3;
    const close = document.querySelector('#close-viewer');
    if (close && document.activeElement !== close) close.focus({preventScroll: true});
  };
  setTimeout(go, 60);
  setTimeout(go, 400);
}
"""


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def _in_annex(heading_path: list[str]) -> bool:
    return any(h.startswith(ANNEX) for h in heading_path)


def citation_items(engine: Engine, response: Answer | None) -> list[dict[str, Any]]:
    """The answer's numbered citations first, in its numbering; then quoted and retrieved clauses not
    listed yet (retrieved ones from annexes left out)."""
    if not response:
        return []
    library = engine.book.library
    spans: dict[tuple[str, str], Citation] = {}
    for p in response.programs:  # the first of each (document, quote), as presenter.citations numbers them
        for c in p.citations:
            spans.setdefault((p.policy.label, c.quote), c)
    out: list[dict[str, Any]] = []

    def add(clause_id: str, quote: str, start: int | None, end: int | None, origin: str) -> None:
        clause = library.clauses.get(clause_id)
        if clause is None:
            return
        out.append(
            {
                "clause": clause_id,
                "policy_id": clause.policy_id,
                "label": library.policies[clause.policy_id].meta.label,
                "heading": " › ".join(clause.heading_path) or "（正文）",
                "quote": quote,
                "start": start,
                "end": end,
                "origin": origin,
            }
        )

    for line in presenter.citations(response.programs):
        cited = spans.get((line.label, line.quote))
        add(line.clause, line.quote, cited.start if cited else None, cited.end if cited else None, "测算依据")
    listed = {c["clause"] for c in out}
    for q in response.quotes or []:
        if q.clause not in listed:
            listed.add(q.clause)
            add(q.clause, q.text, None, None, "引用原文")
    for s in response.sources:
        if s.clause not in listed and not _in_annex(s.heading_path):
            listed.add(s.clause)
            add(s.clause, s.text, s.start, s.end, "检索到的相关条款")
    return out


def citation_choices(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The list's radio choices: "[n] 文号 条款：“quote…”（origin）", value n."""

    def short(text: str) -> str:
        flat = " ".join(text.split())
        return flat if len(flat) <= 48 else flat[:48] + "…"

    return [
        (f"[{n}] {c['label']} {c['heading']}：“{short(c['quote'])}”（{c['origin']}）", str(n))
        for n, c in enumerate(items, start=1)
    ]


def linked_numbers(text: str, count: int) -> str:
    """The answer's text (Markdown) with each [n] of its first `count` citations a link the page
    opens in the viewer (OPEN_FROM_CHAT); other bracketed numbers stay as they are."""

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return f"[\\[{n}\\]]({CITE_HREF}{n})" if 1 <= n <= count else match.group(0)

    return NUMBER.sub(link, text)


def validity_text(engine: Engine, policy_id: str, as_of: date) -> str:
    meta = engine.book.library.policies[policy_id].meta
    status = validity_on(meta, as_of)
    return f"{VALIDITY_LABEL[status.state]}（按 {as_of.isoformat()}）：{status.explanation}"


def quote_span(engine: Engine, item: dict[str, Any]) -> tuple[int, int] | None:
    """Where the quoted sentence is in the policy's text: the citation's own offsets when they lie in
    its clause, else the quote found verbatim in the clause; None when it is not there."""
    clause = engine.book.library.clauses[item["clause"]]
    start, end = item.get("start"), item.get("end")
    if start is not None and end is not None and clause.start <= start < end <= clause.end:
        return start, end
    at = clause.text.find(item["quote"])
    return (clause.start + at, clause.start + at + len(item["quote"])) if at >= 0 and item["quote"] else None


def document_view(engine: Engine, item: dict[str, Any] | None, as_of: date) -> str:
    """The whole policy text, the cited clause marked out and the quoted sentence in <mark>, under
    the document's number, title and issuer, the clause's heading path and its validity on `as_of`."""
    if not item:
        return EMPTY_VIEW
    library = engine.book.library
    clause = library.clauses[item["clause"]]
    policy = library.policies[item["policy_id"]]
    meta = policy.meta
    text = policy.text
    span = quote_span(engine, item)
    a, b = span if span else (clause.start, clause.start)
    body = (
        _e(text[: clause.start])
        + "<span class='cited-clause' id='cited-clause'>"
        + _e(text[clause.start : a])
        + f"<mark id='cited-quote'>{_e(text[a:b])}</mark>"
        + _e(text[b : clause.end])
        + "</span>"
        + _e(text[clause.end :])
    )
    missing = "" if span else f"<div class='warn'>未在条款中找到引用的原句：“{_e(item['quote'])}”</div>"
    heading = " › ".join(clause.heading_path) or "（正文）"
    return (
        "<div class='citation-view'><h2 class='viewer-title'>政策原文</h2><div class='meta'>"
        f"<div><b>{_e(meta.doc_number or '（无文号）')}</b> {_e(meta.title)}（{_e(meta.issuer)}）</div>"
        f"<div class='heading-path'>条款：{_e(heading)}</div>"
        f"<div>效力：{_e(validity_text(engine, item['policy_id'], as_of))}</div>{missing}"
        f"</div><div class='doc-body' tabindex='0' role='document' aria-label='政策原文全文'>{body}</div></div>"
    )
