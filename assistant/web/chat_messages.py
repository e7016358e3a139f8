"""An answer as the chat shows it: the card first, the details folded, one-click replies.

The answer text is the card (01_card.j2: verdict, figure, why, what is missing, next step) and then
the details (programs, conditions, validity, how to apply, quotations). In the chat the card is one
message and the details a second, folded one (a Gradio "thought" message, closed), so the user reads
the conclusion without scrolling past quotations; each [n] in them links to its citation. While the
newest follow-up asks a yes/no fact, the page shows 是/否/不清楚 buttons under the chat; clicking one
sends it as the user's short reply, which `answering.replies` binds to the fact just asked.
"""

from __future__ import annotations

from typing import Any

from assistant.answering import presenter
from assistant.answering.api_models import Answer
from assistant.rules.rulebook import Vocabulary
from assistant.web.citations import linked_numbers

DETAILS_TITLE = "测算过程、条件核对、政策效力、申报方式与原文依据（点击展开）"
DETAILS_START = "\n\n【1】"  # where the card ends: the first program's details (03_programs.j2)
YES, NO, UNKNOWN = "是", "否", "不清楚"

# After an answer arrives, scroll the chat so the newest answer's first line is at the top (not its
# end, which is what a chat normally shows). Runs twice: Gradio may still be laying the message out.
SCROLL_TO_NEWEST_ANSWER = """
() => {
  const go = () => {
    const chat = document.querySelector('#chat');
    if (!chat) return;
    const rows = [...chat.querySelectorAll('.message-row')];
    const lastUser = rows.map((r) => r.classList.contains('user-row')).lastIndexOf(true);
    const first = rows[lastUser + 1] || rows[rows.length - 1];
    if (!first) return;
    let box = first.parentElement;
    while (box && box !== chat.parentElement && !(box.scrollHeight > box.clientHeight + 1 &&
           ['auto', 'scroll'].includes(getComputedStyle(box).overflowY))) box = box.parentElement;
    if (!box || box === chat.parentElement) return;
    box.scrollTop += first.getBoundingClientRect().top - box.getBoundingClientRect().top - 4;
  };
  setTimeout(go, 150);
  setTimeout(go, 700);
}
"""


def asks_yes_no(response: Answer | None, vocabulary: Vocabulary) -> bool:
    """The answer's follow-up asks a yes/no fact: the page offers 是/否/不清楚 to click."""
    return response is not None and response.follow_up_fact in vocabulary.tags


def split_answer(text: str) -> tuple[str, str]:
    """The card and the details of an assessment's text; a text with no details (a question asked
    back, a fact answer) is all card."""
    at = text.find(DETAILS_START)
    return (text[:at], text[at + 2 :]) if at > 0 else (text, "")


def answer_messages(response: Answer, lead: str = "") -> list[dict[str, Any]]:
    """The assistant's messages for one answer: the card, then the details folded; each [n] of the
    answer's citations is a link that opens the clause in the viewer (assistant.web.citations)."""
    cited = len(presenter.citations(response.programs))
    card, details = (linked_numbers(part, cited) for part in split_answer(response.answer))
    messages: list[dict[str, Any]] = [{"role": "assistant", "content": lead + card}]
    if details:
        messages.append(
            {"role": "assistant", "content": details, "metadata": {"title": DETAILS_TITLE, "status": "done"}}
        )
    return messages


def missing_yes_no(response: Answer | None, vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """The yes/no facts the programs asked about still wait for, as (label, tag): the compact form's
    boxes, so that all of them can be confirmed at once instead of one question per turn."""
    if response is None:
        return []
    folded = set(response.other_programs.program_ids) if response.other_programs else set()
    asked = [p for p in response.programs if p.program_id not in folded and p.status == "needs_info"]
    tags = dict.fromkeys(name for p in asked for name in p.missing if name in vocabulary.tags)
    return [(vocabulary.tags[name].label, name) for name in tags]
