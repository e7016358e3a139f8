"""`assistant policy outline DIR`: the clause tree the parser made of a text, and what it skipped.

Citations are built on this tree, so a maintainer reads it before writing rules: each clause with
its id, its line, and the text's own numbering (第五条, 二、); a line that opens like a heading but was
read as a paragraph ("一．总体要求", "二 是") is listed as a warning with its line.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.onboarding.folder import line_of
from assistant.texts.clauses import Clause, ClauseKind, looks_like_heading, parse_clauses
from assistant.texts.policies import Policy

KIND_LABEL = {
    ClauseKind.PLAN: "方案",
    ClauseKind.HEADING: "标题",
    ClauseKind.PARAGRAPH: "段落",
    ClauseKind.TABLE: "表格",
    ClauseKind.BOILERPLATE: "网页残留",
}


@dataclass(frozen=True)
class SkippedHeading:
    line: int
    text: str

    def message(self, file: str) -> str:
        return (
            f"警告：{file} 第{self.line}行“{self.text[:30]}”像标题，但未按标题解析，其后条款的标题路径会因此不对；"
            f"标题标记请写作“第X章”“一、”“第N条”“（一）”“1.”或“（1）”"
        )


def skipped_headings(policy: Policy, clauses: list[Clause]) -> list[SkippedHeading]:
    """Lines inside paragraphs that open like a numbered heading (see clauses.HEADING_LIKE)."""
    out = []
    for clause in clauses:
        if clause.kind is not ClauseKind.PARAGRAPH:
            continue
        offset = clause.start
        for line in clause.text.split("\n"):
            if looks_like_heading(line.strip()):
                out.append(SkippedHeading(line_of(policy.text, offset), line.strip()))
            offset += len(line) + 1
    return out


def _local_id(clause: Clause) -> str:
    return clause.clause_id.split(":", 1)[1]


def outline_lines(policy: Policy) -> list[str]:
    """The printed outline: a count, one line per clause indented by depth, then the warnings."""
    clauses = parse_clauses(policy)
    counts = {kind: sum(c.kind is kind for c in clauses) for kind in ClauseKind}
    summary = "，".join(f"{KIND_LABEL[k]} {n}" for k, n in counts.items() if n)
    out = [f"{policy.id}：共 {len(clauses)} 个条款（{summary}）", "行号  条款编号  类型  原文"]
    for clause in clauses:
        depth = max(len(clause.heading_path) - (clause.kind is ClauseKind.HEADING), 0)
        first = clause.text.split("\n", 1)[0]
        shown = first if len(first) <= 40 else first[:40] + "…"
        out.append(
            f"{line_of(policy.text, clause.start):>4}  {'  ' * depth}{_local_id(clause)}  "
            f"{KIND_LABEL[clause.kind]}  {shown}"
        )
    warnings = skipped_headings(policy, clauses)
    out += [w.message("source.txt") for w in warnings]
    out.append(f"未解析为标题的疑似标题：{len(warnings)} 行" if warnings else "没有疑似标题被跳过。")
    return out
