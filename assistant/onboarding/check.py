"""`assistant policy check DIR`: every problem of one policy folder at once, each with file, line and fix.

What the loader would refuse one error at a time (a quote not verbatim, an unknown fact) and what it
cannot see (a money sentence no program covers, a topic that is part of a longer word, a program no
test row exercises, a row the calculator disagrees with) is listed together, so a maintainer fixes
the folder in one pass. Nothing here changes the folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from assistant.calculator.table import TABLE_FILE, Case, load_table, mismatches
from assistant.core.paths import index_file
from assistant.core.settings import Settings
from assistant.onboarding.folder import FolderError, open_policy, read_yaml
from assistant.onboarding.outline import skipped_headings
from assistant.onboarding.problems import Problem, key_line, validation_problems, yaml_value_line
from assistant.onboarding.quotes import check_quote
from assistant.onboarding.sentences import money_sentences
from assistant.onboarding.words import part_of_word_problems, region_problems
from assistant.rules.lpr import load_lpr_table
from assistant.rules.rulebook import (
    FOLDER_VOCABULARY,
    RULES_FILE,
    Rulebook,
    load_vocabulary,
    rulebook_from,
    with_folder_vocabularies,
)
from assistant.rules.schema import Citation, Program, RulesFile
from assistant.texts.clauses import Clause, parse_clauses
from assistant.texts.library import Library
from assistant.texts.policies import CorpusError, Policy


@dataclass
class Report:
    policy_id: str
    problems: list[Problem] = field(default_factory=list)
    programs: int = 0
    rows: int = 0
    rows_ran: bool = False  # the rows went through the calculator (nothing but pending reviews was wrong)

    def lines(self) -> list[str]:
        if not self.problems:
            return [f"{self.policy_id}：没有发现问题（{self.programs} 个项目，{self.rows} 行测试）。"]
        head = f"{self.policy_id}：发现 {len(self.problems)} 个问题（{self.programs} 个项目，{self.rows} 行测试）："
        return [head] + [f"{n}. {p.render()}" for n, p in enumerate(self.problems, start=1)]


@dataclass
class _Rules:
    """programs.yaml as far as it validates: the programs that do, and the file's text for lines."""

    text: str
    programs: list[Program]
    file: RulesFile | None


def check_folder(folder: Path, settings: Settings) -> Report:
    opened = open_policy(folder)
    policy = opened.policy
    report = Report(policy.id, list(opened.problems))
    clauses = parse_clauses(policy)
    by_id = {c.clause_id: c for c in clauses}
    report.problems += [
        Problem("source.txt", s.line, f"“{s.text[:30]}”像标题，但未按标题解析", "标题标记写作“一、”“（一）”“第N条”等")
        for s in skipped_headings(policy, clauses)
    ]
    report.problems += region_problems(policy, opened.meta_text)
    report.problems += [
        Problem(
            "policy.yaml",
            key_line(opened.meta_text, name),
            f"{name} 待核实：{why}",
            "核实填写后，删去 review 下的这一条",
        )
        for name, why in policy.meta.review.items()
    ]
    rules = _read_rules(Path(folder), report)
    if rules is None:
        return report
    report.programs = len(rules.programs)
    spans = _citation_problems(policy, rules, by_id, report)
    for sentence in money_sentences(clauses):
        if not sentence.covered(spans, policy.text):
            report.problems.append(
                Problem(
                    "source.txt",
                    policy.text.count("\n", 0, sentence.start) + 1,
                    f"这句涉及资金的话没有项目引用，也未列为不适用：“{sentence.text[:60]}”",
                    f"在 programs.yaml 为它写一个项目（clause: {sentence.clause.clause_id}），"
                    "或在 non_programs 下列出并写明理由",
                )
            )
    for program in rules.programs:
        why = _not_yet_served(program)
        if why:
            report.problems.append(
                Problem(
                    RULES_FILE,
                    yaml_value_line(rules.text, f"id: {program.id}"),
                    f"项目 {program.id} {why}，不会用于答复",
                    f"对照原文核对后运行 `assistant policy approve {folder} {program.id} --by 姓名`",
                    pending=True,
                )
            )
    try:
        vocabulary = with_folder_vocabularies(load_vocabulary(settings), [Path(folder)])
    except CorpusError as err:
        hint = "对照 docs/adding-a-policy.md 的 vocabulary.yaml 例子改正"
        report.problems.append(Problem(FOLDER_VOCABULARY, None, str(err).split("：", 1)[-1], hint))
        vocabulary = load_vocabulary(settings)
    report.problems += _fact_problems(
        rules, {r: s.unit for r, s in vocabulary.amount_roles.items()}, set(vocabulary.tags)
    )
    report.problems += part_of_word_problems(rules.programs, rules.text, policy.text)
    if rules.file is not None and all(p.pending for p in report.problems):
        book = rulebook_from(Library(policies=[policy]), vocabulary, [rules.file])
        _table_problems(Path(folder), book, settings, report)
        report.rows_ran = True
    else:
        _table_coverage(Path(folder), rules.programs, report)
    return report


def _read_rules(folder: Path, report: Report) -> _Rules | None:
    path = folder / RULES_FILE
    if not path.is_file():
        report.problems.append(
            Problem(RULES_FILE, None, "不存在", "用 `assistant policy draft` 从原文生成草稿，再逐项审核")
        )
        return None
    text = path.read_text(encoding="utf-8")
    try:
        data = read_yaml(path)
    except FolderError as err:
        report.problems.append(Problem(RULES_FILE, None, str(err)))
        return None
    if not isinstance(data, dict):
        report.problems.append(Problem(RULES_FILE, None, "应是“字段: 值”的列表（policy、programs …）"))
        return None
    programs, good = [], []
    for raw in data.get("programs") or []:
        ident = raw.get("id") if isinstance(raw, dict) else None
        near = (yaml_value_line(text, f"id: {ident}") or 0) if ident else 0
        try:
            program = Program.model_validate(raw)
        except ValidationError as err:
            report.problems += [
                Problem(p.file, p.line, f"项目 {ident or '（无 id）'}：{p.message}", p.hint)
                for p in validation_problems(err, RULES_FILE, text, near)
            ]
            continue
        programs.append(program)
        good.append(raw)
    if data.get("policy") != report.policy_id:
        report.problems.append(
            Problem(
                RULES_FILE, key_line(text, "policy"), f"policy 应为 {report.policy_id}", "与 policy.yaml 的 id 一致"
            )
        )
    try:
        rules_file: RulesFile | None = RulesFile.model_validate({**data, "programs": good})
    except ValidationError as err:
        report.problems += validation_problems(err, RULES_FILE, text)
        rules_file = None
    return _Rules(text, programs, rules_file)


def _not_yet_served(program: Program) -> str | None:
    """Why an approval does not (yet) vouch for the program: a draft, or a rule changed since."""
    if program.review == "todo":
        return "尚待审核（review: todo）"
    if program.changed_since_approval:
        return f"在审核（{program.approved_by}，{program.approved_on}）之后改动过"
    return None


def _unit_problems(rules: _Rules, program: Program, units: dict[str, str], line: int | None) -> list[Problem]:
    """A threshold is compared in its fact's unit; one that names another unit ("1000万" in 元 against an
    amount kept in 美元) would be compared and shown wrong. One that names none takes its fact's."""
    bounds = [c.threshold for c in program.conditions if c.threshold]
    bounds += [b for t in program.formula.tiers for b in (t.lower, t.upper) if b]
    return [
        Problem(
            RULES_FILE,
            yaml_value_line(rules.text, f"fact: {b.fact}") or line,
            f"{program.id}：门槛“{b.fact} {b.word} {b.number}”的单位是 {b.unit}，金额名 {b.fact} 按 {units[b.fact]} 计",
            f"把这个门槛的 unit 改为 {units[b.fact]}，或删去 unit（按金额名的单位计）",
        )
        for b in dict.fromkeys(bounds)
        if b.fact in units and "unit" in b.model_fields_set and b.unit != units[b.fact]
    ]


def _citation_problems(
    policy: Policy, rules: _Rules, clauses: dict[str, Clause], report: Report
) -> list[tuple[int, int]]:
    """A problem for every quote not verbatim in its clause; the spans of those that are."""
    cited: list[tuple[str, Citation]] = [(p.id, c) for p in rules.programs for c in p.all_citations()]
    if rules.file:
        cited += [("不适用", Citation(clause=n.clause, quote=n.quote)) for n in rules.file.non_programs]
        cited += [(f"申报程序 {k}", p.citation) for k, p in rules.file.procedures.items()]
    spans = []
    for owner, citation in cited:
        finding = check_quote(citation.quote, citation.clause, policy.text, clauses)
        if finding.found:
            clause = clauses[citation.clause]
            at = policy.text.find(citation.quote, clause.start, clause.end)
            spans.append((at, at + len(citation.quote)))
            continue
        line = yaml_value_line(rules.text, citation.quote) or yaml_value_line(rules.text, f"id: {owner}")
        report.problems.append(Problem(RULES_FILE, line, f"{owner}：{finding.message}", finding.hint))
    for program in rules.programs:
        if program.clause not in clauses:
            line = yaml_value_line(rules.text, f"id: {program.id}")
            report.problems.append(
                Problem(
                    RULES_FILE,
                    line,
                    f"{program.id}：条款编号 {program.clause} 不存在",
                    "用 `assistant policy outline` 查条款编号",
                )
            )
    return spans


def _fact_problems(rules: _Rules, known_roles: dict[str, str], shared_tags: set[str]) -> list[Problem]:
    """Facts the programs use that no vocabulary defines, and thresholds in another unit than their fact's."""
    tags = shared_tags | set(rules.file.tags if rules.file else {})
    out = []
    for program in rules.programs:
        line = yaml_value_line(rules.text, f"id: {program.id}")
        out += _unit_problems(rules, program, known_roles, line)
        for fact in program.amount_facts():
            if fact not in known_roles:
                out.append(
                    Problem(
                        RULES_FILE,
                        yaml_value_line(rules.text, fact) or line,
                        f"{program.id}：金额名 {fact} 未定义",
                        f"改用已有的金额名（如 {', '.join(sorted(known_roles)[:4])} …），"
                        "或在本文件夹的 vocabulary.yaml 的 amount_roles 下定义它和提问时的说法",
                    )
                )
        used = [c.tag for c in program.conditions if c.tag] + [e.tag for e in program.exclusions]
        used += [t for c in program.conditions for t in (c.any_tags or [])]
        used += [a.tag for a in program.formula.rate_additions]
        for tag in dict.fromkeys(used):
            if tag not in tags:
                out.append(
                    Problem(
                        RULES_FILE,
                        yaml_value_line(rules.text, f"tag: {tag}") or line,
                        f"{program.id}：是否类条件 {tag} 未定义",
                        "在 programs.yaml 的 tags 下定义它：label 和提问时的说法 phrases",
                    )
                )
    return out


def _rows(folder: Path, report: Report) -> list[Case] | None:
    path = folder / TABLE_FILE
    if not path.is_file():
        report.problems.append(
            Problem(
                TABLE_FILE, None, "不存在：项目没有测试行", "用 `assistant policy cases` 生成边界行，逐行核对后保存"
            )
        )
        return []
    try:
        rows = load_table(path)
    except (ValidationError, ValueError) as err:
        text = path.read_text(encoding="utf-8")
        if isinstance(err, ValidationError):
            report.problems += validation_problems(err, TABLE_FILE, text)
        else:
            report.problems.append(Problem(TABLE_FILE, None, str(err)))
        return None
    report.rows = len(rows)
    return rows


def _table_coverage(folder: Path, programs: list[Program], report: Report, rows: list[Case] | None = None) -> None:
    rows = _rows(folder, report) if rows is None else rows
    if rows is None:
        return
    tested = {pid for row in rows for pid in row.expect}
    for program in programs:
        if program.id not in tested:
            report.problems.append(
                Problem(
                    TABLE_FILE,
                    None,
                    f"项目 {program.id} 没有测试行",
                    "用 `assistant policy cases` 生成它的边界行（门槛恰好达到、差一分、上限），核对后加入",
                )
            )


def _table_problems(folder: Path, book: Rulebook, settings: Settings, report: Report) -> None:
    rows = _rows(folder, report)
    if rows is None:
        return
    _table_coverage(folder, list(book.programs.values()), report, rows)
    lpr = load_lpr_table(index_file(settings.policies_dir, "lpr.yaml"))
    text = (folder / TABLE_FILE).read_text(encoding="utf-8") if rows else ""
    for row in rows:
        for wrong in mismatches(book, lpr, row):
            report.problems.append(
                Problem(
                    TABLE_FILE,
                    yaml_value_line(text, row.name),
                    f"测试行“{row.name}”：{wrong}",
                    "核对原文和计算；行写错了改行，规则写错了改规则",
                )
            )
