"""`assistant policy review DIR`: one static HTML page to review a policy folder against its text.

The source text is shown whole, each program's quoted spans coloured in that program's colour,
money sentences no program covers in red, set-aside sentences in grey with their reason on hover;
beside it a card per program: what the rule says, whether it is approved (by whom, when), and its
test rows run through the calculator now. Approval itself is `approve` (the `policy approve` command
or the officer console's 政策审核 tab, which shows this same page), so it is recorded in programs.yaml
with the checks that guard it; the card shows the command to run.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from assistant.calculator.table import TABLE_FILE, load_table, mismatches
from assistant.core.paths import index_file
from assistant.core.settings import Settings
from assistant.onboarding.folder import FolderError, open_policy, read_yaml
from assistant.onboarding.sentences import money_sentences
from assistant.rules.lpr import load_lpr_table
from assistant.rules.rulebook import RULES_FILE, load_vocabulary, rulebook_from, with_folder_vocabularies
from assistant.rules.schema import Program, RulesFile
from assistant.texts.clauses import parse_clauses
from assistant.texts.library import Library

PAGE = "review.html"
COLOURS = ("#cfe8ff", "#d7f5d0", "#ffe8b3", "#f0d9ff", "#c9f2ef", "#ffd6e0", "#e6eccb", "#e0e0ff")
STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;display:flex;gap:1rem}
#text{flex:3;white-space:pre-wrap;line-height:1.7;padding:1rem;max-height:100vh;overflow:auto}
#cards{flex:2;padding:1rem;max-height:100vh;overflow:auto;background:#fafafa}
mark{border-radius:3px;padding:0 1px}
mark.uncovered{background:#ff9c9c;outline:1px solid #c00}
mark.aside{background:#ddd;color:#555}
.card{border:1px solid #ccc;border-radius:6px;padding:.6rem;margin:.6rem 0;background:#fff}
.todo{color:#a60}.approved{color:#060}.fail{color:#c00}.pass{color:#060}
code{background:#eee;padding:0 3px}
"""


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    css: str  # class and style of the mark
    title: str


def _rules(folder: Path) -> RulesFile:
    path = folder / RULES_FILE
    if not path.is_file():
        raise FolderError(f"{path} 不存在：先用 `assistant policy draft` 生成草稿")
    try:
        return RulesFile.model_validate(read_yaml(path))
    except ValidationError:
        raise FolderError(f"{path} 还有问题，请先运行 `assistant policy check {folder}` 改正") from None


def _marks(text: str, spans: list[_Span]) -> str:
    """The text with each span marked; where spans overlap, the one listed first wins."""
    owner: list[int | None] = [None] * len(text)
    for n, span in enumerate(spans):
        for i in range(span.start, span.end):
            if owner[i] is None:
                owner[i] = n
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and owner[j] == owner[i]:
            j += 1
        piece = html.escape(text[i:j])
        k = owner[i]
        if k is None:
            out.append(piece)
        else:
            s = spans[k]
            out.append(f'<mark {s.css} title="{html.escape(s.title)}">{piece}</mark>')
        i = j
    return "".join(out)


def _card(program: Program, colour: str, rows: list[tuple[str, list[str]]], folder: Path) -> str:
    f = program.formula
    figures = [f"{p.value.normalize():f} {p.unit}" for p in f.params()]
    lines = [
        f'<div class="card" id="{program.id}" style="border-left:8px solid {colour}">',
        f"<b>{html.escape(program.title)}</b><br><code>{program.id}</code> 条款 <code>{program.clause}</code>",
        f"<div>算法：{f.kind.value}（{html.escape('、'.join(figures) or '无数字')}）"
        + (f"；原因：{html.escape(f.reason)}" if f.reason else "")
        + "</div>",
    ]
    lines += [f"<div>上限：{html.escape(c.describe({}))}</div>" for c in program.caps]
    lines += [f"<div>条件：{html.escape(c.describe)}</div>" for c in program.conditions]
    if program.review == "approved":
        who = f"{program.approved_by or '（未记录）'}，{program.approved_on or ''}"
        lines.append(f'<div class="approved">已审核通过：{html.escape(who)}</div>')
    else:
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in program.review_notes)
        lines.append(f'<div class="todo">待审核（不会用于答复）</div><ul>{notes}</ul>')
        lines.append(f"<div>审核通过：<code>assistant policy approve {folder} {program.id} --by 姓名</code></div>")
    if not rows:
        lines.append('<div class="fail">没有测试行</div>')
    for name, wrong in rows:
        css, mark = ("fail", "✗ " + "；".join(wrong)) if wrong else ("pass", "✓")
        lines.append(f'<div class="{css}">{html.escape(name)}：{html.escape(mark)}</div>')
    lines.append("</div>")
    return "\n".join(lines)


def review_html(folder: Path, settings: Settings) -> str:
    """The review page of `folder` as one HTML document (no scripts, styles inline), for the file the
    command writes and for the officer console's 政策审核 tab alike; FolderError in Chinese when the
    folder cannot be read."""
    folder = Path(folder)
    opened = open_policy(folder)
    policy = opened.policy
    rules = _rules(folder)
    clauses = parse_clauses(policy)
    by_id = {c.clause_id: c for c in clauses}
    spans: list[_Span] = []
    colour = {p.id: COLOURS[n % len(COLOURS)] for n, p in enumerate(rules.programs)}

    def locate(clause_id: str, quote: str) -> tuple[int, int] | None:
        clause = by_id.get(clause_id)
        at = policy.text.find(quote, clause.start, clause.end) if clause else -1
        return (at, at + len(quote)) if at >= 0 else None

    for program in rules.programs:
        for citation in program.all_citations():
            where = locate(citation.clause, citation.quote)
            if where:
                spans.append(_Span(*where, f'style="background:{colour[program.id]}"', f"{program.id} {program.title}"))
    for item in rules.non_programs:
        where = locate(item.clause, item.quote)
        if where:
            spans.append(_Span(*where, 'class="aside"', f"不适用：{item.reason}"))
    covered = [(s.start, s.end) for s in spans]
    for sentence in money_sentences(clauses):
        if not sentence.covered(covered, policy.text):
            spans.append(_Span(sentence.start, sentence.end, 'class="uncovered"', "没有项目引用这句涉及资金的话"))
    vocabulary = with_folder_vocabularies(load_vocabulary(settings), [folder])
    book = rulebook_from(Library(policies=[policy]), vocabulary, [rules])
    lpr = load_lpr_table(index_file(settings.policies_dir, "lpr.yaml"))
    table = load_table(folder / TABLE_FILE) if (folder / TABLE_FILE).is_file() else []
    results: dict[str, list[tuple[str, list[str]]]] = {p.id: [] for p in rules.programs}
    for row in table:
        for program_id in row.expect:
            if program_id in results:
                one = row.model_copy(update={"expect": {program_id: row.expect[program_id]}})
                results[program_id].append((row.name, mismatches(book, lpr, one)))
    cards = "\n".join(_card(p, colour[p.id], results[p.id], folder) for p in rules.programs)
    approved = sum(p.review == "approved" for p in rules.programs)
    head = (
        f"<h2>{html.escape(policy.meta.title)}</h2><p>{len(rules.programs)} 个项目，已审核 {approved} 个；"
        f"红色：没有项目引用的资金句；灰色：列为不适用（悬停看原因）。</p>"
    )
    return (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>审核 {policy.id}</title>'
        f'<style>{STYLE}</style></head><body><div id="text">{_marks(policy.text, spans)}</div>'
        f'<div id="cards">{head}{cards}</div></body></html>'
    )


def review_page(folder: Path, settings: Settings) -> Path:
    """`review.html` written into `folder`, to open in a browser."""
    out = Path(folder) / PAGE
    out.write_text(review_html(folder, settings), encoding="utf-8")
    return out
