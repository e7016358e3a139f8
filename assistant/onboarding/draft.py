"""`assistant policy draft SOURCE --id ID --out DIR`: a draft policy folder from a received text.

The draft does the mechanical part a maintainer would otherwise type: the text copied byte for byte
(or read out of an HTML page, the page kept), policy.yaml from what the text says of itself, and one
draft program per money sentence with its clause, its verbatim quote and the figures the sentence
states. Every program is `review: todo`, so none answers anyone until a person has approved it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from assistant.onboarding.folder import FolderError
from assistant.onboarding.html_text import html_to_text, looks_like_html
from assistant.onboarding.metadata import read_metadata
from assistant.onboarding.sentence_rules import Reading, read_sentence
from assistant.onboarding.sentences import Sentence, money_sentences
from assistant.rules.rulebook import Vocabulary
from assistant.texts.clauses import parse_clauses
from assistant.texts.policies import Policy, PolicyMeta

MARKER = re.compile(r"^(第\S{1,5}[章条]|[（(]?\s*[一二三四五六七八九十\d]{1,3}\s*[)）、.．])\s*")
PHRASE_MARKS = "，,；;：:。"
TODO_FACT = "todo"  # an amount the draft could not name: `policy check` reports it until replaced


@dataclass
class DraftResult:
    folder: Path
    programs: int
    review_fields: list[str]


def _received(source: Path) -> tuple[str, bytes]:
    """The text to quote, and the bytes as received."""
    if not source.is_file():
        raise FolderError(f"找不到原文文件 {source}：请给出政策原文（纯文本或网页 HTML）")
    raw = source.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise FolderError(f"{source} 既不是 UTF-8 也不是 GBK 文本")
    if looks_like_html(text) or source.suffix.lower() in (".html", ".htm"):
        text = html_to_text(text)
    return text.replace("\r\n", "\n"), raw


def _n(value: Decimal) -> str:
    """A figure as the notes show it: 30000000, 0.1 (never 3E+7)."""
    return f"{value.normalize():f}"


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


def _plain(value: Any) -> Any:
    """Decimals as strings (the schema reads them back exactly), nested."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def draft_folder(source: Path, policy_id: str, out: Path, vocabulary: Vocabulary) -> DraftResult:
    if out.exists() and any(out.iterdir()):
        raise FolderError(f"{out} 已存在且不是空文件夹：请换一个 --out，或先移走其中的文件")
    text, raw = _received(source)
    out.mkdir(parents=True, exist_ok=True)
    body = text.encode("utf-8")
    (out / "source.txt").write_bytes(body)
    meta = read_metadata(policy_id, text, source.name)
    fields = dict(meta.fields)
    fields["source_sha256"] = hashlib.sha256(body).hexdigest()
    if body != raw:
        original = f"original{source.suffix.lower() or '.txt'}"
        (out / original).write_bytes(raw)
        fields["original_file"] = original
        fields["original_sha256"] = hashlib.sha256(raw).hexdigest()
    fields["review"] = meta.review
    head = "# 草稿：由 `assistant policy draft` 从原文读出；review 下的字段原文未写明，请核实填写后删去该条。\n"
    (out / "policy.yaml").write_text(head + _dump(_plain(fields)), encoding="utf-8")
    policy = Policy(PolicyMeta.model_construct(id=policy_id, plans=[], boilerplate=[]), out, text)
    programs = [
        draft_program(policy_id, n, s, vocabulary) for n, s in enumerate(money_sentences(parse_clauses(policy)), 1)
    ]
    head = (
        "# 草稿：每句涉及资金的话一个项目（review: todo）。逐项对照原文核对、改正，再用\n"
        "# `assistant policy approve` 审核通过；未通过的项目不会用于答复。\n"
    )
    rules = {"policy": policy_id, "tags": {}, "programs": programs, "non_programs": []}
    (out / "programs.yaml").write_text(head + _dump(_plain(rules)), encoding="utf-8")
    return DraftResult(out, len(programs), list(meta.review))


def _cue_before(text: str, at: int, vocabulary: Vocabulary) -> str:
    """The amount role whose cue ends nearest before position `at` (设备购置额的10% → 设备购置), the
    longer cue on a tie; TODO_FACT when none is within the same phrase (back to the last comma or
    semicolon, at most 30 characters): in "高校院所通过自主研发形成的科技成果在区内转化，技术转让额超过50万元"
    the 研发 of another phrase does not name the 50万."""
    phrase_start = max(text.rfind(mark, 0, at) for mark in PHRASE_MARKS) + 1
    window = text[max(0, at - 30, phrase_start) : at]
    found = [
        (window.rfind(cue) + len(cue), len(cue), role)
        for role, spec in vocabulary.amount_roles.items()
        for cue in spec.cues
        if cue and cue in window
    ]
    return max(found)[2] if found else TODO_FACT


def _cite(s: Sentence) -> dict[str, str]:
    return {"clause": s.clause.clause_id, "quote": s.text}


def _param(value: Decimal, unit: str, s: Sentence, **extra: Any) -> dict[str, Any]:
    return {"value": value, **extra, "unit": unit, "citation": _cite(s)}


def _formula(s: Sentence, r: Reading, vocabulary: Vocabulary, notes: list[str]) -> tuple[dict[str, Any], str]:
    """(formula, amount_kind) from what the sentence states; the notes say what was read."""
    text = s.text
    if r.per_unit:
        value, per, words = r.per_unit
        base = _cue_before(text, text.find(words), vocabulary)
        notes.append(f"读出：每{per} {_n(value)} 元（“{words}”）；计算基数的金额名待核：{base}")
        return {"kind": "per_unit", "rate": _param(value, f"元/{per}", s), "base": [base]}, "max"
    if r.rate_range:
        low, high, words = r.rate_range
        base = _cue_before(text, text.find(words), vocabulary)
        notes.append(f"读出：比例区间 {words}，按最高 {_n(high)} 测算；基数：{base}")
        return {"kind": "rate", "rate": _param(high, "比例", s, range_from=low), "base": [base]}, "max"
    if r.bands:
        return _tiers(s, r, vocabulary, notes)
    if len(r.rates) == 1:
        rate, words = r.rates[0]
        if "贴息" in text and "利率" in text:
            notes.append(f"读出：利率的 {words} 贴息；原文的利率口径（LPR/基准利率）请核实")
            return {"kind": "lpr_interest", "rate": _param(rate, "LPR倍数", s), "base": ["loan_amount"]}, "max"
        base = _cue_before(text, text.find(words), vocabulary)
        notes.append(f"读出：比例 {words} → {_n(rate)}；计算基数的金额名：{base}（待核）")
        return {"kind": "rate", "rate": _param(rate, "比例", s), "base": [base]}, "max"
    awards = r.award_amounts
    if r.respectively and r.levels and len(awards) == len(r.levels):
        notes.append("读出：按级别分别给予 " + "、".join(f"{lv} {_n(v)} 元" for lv, (v, _) in zip(r.levels, awards)))
        by_level = {lv: _param(v, "元", s) for lv, (v, _) in zip(r.levels, awards)}
        return {"kind": "by_level", "by_level": by_level}, "max" if r.maximum else "exact"
    if r.respectively and len(awards) > 1:
        shown = "、".join(w for _, w in awards)
        notes.append(f"待核：“分别”给予 {shown}，未能对应到级别；请拆成几个项目，或写成 tiers 分档")
        return {"kind": "not_modelled", "reason": f"原文分别给予{shown}，分档方式待补"}, "max"
    if len(awards) == 1:
        value, words = awards[0]
        notes.append(f"读出：定额 {words} → {_n(value)} 元")
        return {"kind": "fixed", "amount": _param(value, "元", s)}, "max" if r.maximum else "exact"
    if not awards and r.caps and not r.rates:
        value, _, words = r.caps[0]
        r.caps = r.caps[1:]
        notes.append(f"读出：最高额 “{words}” → {_n(value)} 元（原文未给算法，按上限计）")
        return {"kind": "fixed", "amount": _param(value, "元", s)}, "max"
    if not r.amounts and not r.rates:
        notes.append("原文未给金额或比例")
        return {"kind": "unspecified"}, "unspecified"
    shown = "、".join([w for _, w in r.amounts] + [w for _, w in r.rates])
    notes.append(f"待核：读到 {shown}，未能判断计算方式")
    return {"kind": "not_modelled", "reason": f"原文为{shown}，计算方式待补"}, "max"


def _tiers(s: Sentence, r: Reading, vocabulary: Vocabulary, notes: list[str]) -> tuple[dict[str, Any], str]:
    """A 分别 list of bands with one sum (tiers) or one rate (rate_bands) each."""
    text = s.text
    fact = _cue_before(text, text.find(r.bands[0].words) + len(r.bands[0].words), vocabulary)

    def bound(b: tuple[Decimal, str] | None) -> dict[str, Any] | None:
        return {"fact": fact, "word": b[1], "number": b[0]} if b else None

    key = "rate" if r.band_rates else "amount"
    unit = "比例" if r.band_rates else "元"
    tiers = [
        {k: v for k, v in (("lower", bound(b.lower)), ("upper", bound(b.upper))) if v} | {key: _param(f, unit, s)}
        for b, (f, _) in zip(r.bands, r.band_figures, strict=True)
    ]
    shown = "；".join(f"{b.words} → {w}" for b, (_, w) in zip(r.bands, r.band_figures, strict=True))
    notes.append(f"读出：分档 {shown}；分档的金额名：{fact}（待核）；请核对每档界限含不含本数（原文附则可能另有规定）")
    if not r.band_rates:
        return {"kind": "tiers", "tiers": tiers}, "exact"
    base = _cue_before(text, text.find(r.band_figures[0][1]), vocabulary)
    notes.append(f"比例的基数：{base}（待核）")
    return {"kind": "rate_bands", "tiers": tiers, "base": [base]}, "max"


def draft_program(policy_id: str, n: int, s: Sentence, vocabulary: Vocabulary) -> dict[str, Any]:
    """One draft program for one money sentence (see the module docstring)."""
    r = read_sentence(s.text)
    notes: list[str] = []
    formula, amount_kind = _formula(s, r, vocabulary, notes)
    caps = []
    if formula["kind"] != "fixed":
        for value, scope, words in r.caps:
            caps.append({"scope": scope, "amount": _param(value, "元", s)})
            notes.append(f"读出：上限 “{words}” → {_n(value)} 元（{scope}）")
    conditions = []
    for k, (value, word, words) in enumerate(r.thresholds, 1):
        fact = _cue_before(s.text, s.text.find(words), vocabulary)
        conditions.append(
            {
                "id": f"threshold-{k}",
                "describe": words,
                "threshold": {"fact": fact, "word": word, "number": value},
                "citation": _cite(s),
            }
        )
        notes.append(f"读出：门槛 “{words}” → {fact} {word} {_n(value)} 元（金额名待核）")
        if any(after in words for after in ("以上", "以下")):  # "超过50万元以上": two bound words
            notes.append(f"待核：“{words}”两个边界词并用，按“{word}”起草，是否含本数请对照原文和实施细则核定")
    heading = MARKER.sub("", s.clause.heading_path[-1]) if s.clause.heading_path else ""
    title = s.text.split("，", 1)[0][:30]
    benefit = "tax_credit" if "抵免" in s.text else "tax_deduction" if "扣除" in s.text else "cash"
    return {
        "id": f"{policy_id}-{n:02d}",
        "review": "todo",
        "title": title,
        "clause": s.clause.clause_id,
        "topics": [heading[:16] or title[:16]],
        "benefit": benefit,
        "conditions": conditions,
        "formula": formula,
        "caps": caps,
        "amount_kind": amount_kind,
        "citations": [_cite(s)],
        "review_notes": notes,
    }
