"""Amounts read into facts: which role each amount plays, and how sure we are of it.

A role comes from the noun phrase that governs the amount: the cue nearest before it in its own
clause and after the previous amount ("设备480万、工艺包200万" gives the second amount to 工艺包, not
to 设备), failing that the cue right after it ("300万的设备"), failing that the clause before it when
no other amount stands between ("研发投入说错了，应该是200万"). A "分别" list pairs its nouns with its
amounts in order. Several stated parts add up to a role that includes them (设备投资 含工艺包和软件;
软硬件投资), unless a part is inside the role's own amount ("设备900万（含软件100万）"); the sum of
the project's parts is a lower bound of its total investment when the total is not given.

An amount that is not exact is never a figure. Bound words (不到/超过/以内/多), approximations (约/左右/
大概), ranges (400到600万) and foreign currencies make the role `Unsettled`: the calculator may still
decide a threshold from what is known ("2000多万" is above 500万) but asks before computing anything.

Money goes only to amounts counted in 元; an amount a policy counts in people, items or area (毕业生人数,
发明专利件数) is read from counts beside its noun (`count_facts`), never from a sum of money near it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.calculator.facts import Unsettled
from assistant.core.money import format_wan, implausible
from assistant.reading.amounts import AmountMention, find_amounts
from assistant.reading.count_facts import counted_roles, read_counts
from assistant.reading.funding import HIGHER
from assistant.reading.vague import vague_amount
from assistant.reading.wording import CLAUSE_BREAK, has_any
from assistant.rules.rulebook import ClaimCues, Vocabulary
from assistant.rules.schema import Level

LOOK_BEHIND = 14  # characters before an amount searched for its role
LOOK_AHEAD = 6  # and after it, when nothing before it says
LOOK_BACK_ACROSS = 20  # and across a comma, when its own clause names nothing
RESPECTIVELY = "分别"
# "一共300万", "合计250万" after amounts of the same kind: the total of what was just listed.
TOTAL_WORDS = ("一共", "共计", "合计", "总共", "总计", "累计", "加起来", "共")
# Amounts already received add up ("拿了100万、100万，去年又拿了50万"): this role sums its mentions.
SUMMED_ROLES = ("received_same_program",)
TOTAL_ROLES = ("total_investment",)  # its words (总投资, 总投入) after another amount's noun total that amount
# What may stand between two amounts of one list: "100万、100万", "100万和50万".
NONE_WORDS = ("没有", "无", "没")  # right before an amount's noun: the amount is zero ("没有研发投入")
OTHER_LEVEL_REACH = 4  # characters after "没拿过" within which a higher level makes it that level's money
PART_OF_JOINERS = ("含", "包含", "包括", "加", "和", "及", "与", "、", "+", "＋", "连同")  # "设备含软件"
PART_JOINERS = ("、", "和", "及", "与", "加")  # between parts of one amount in a list (not "，但…": a contrast)
LIST_JOINERS = ("、", "和", "及", "与", "以及", "")
BUYING = ("用来买", "用于购买", "用于购置", "用于", "购买", "购置", "采购", "买了", "买")  # amount, verb, noun
ACTUAL = "实际"  # the word that says which of two figures for one amount is the real one
# Between a vague amount and an exact one: the exact one is what the vague one came to ("突破30亿，做到了32亿")
SETTLING = ("具体", "实际", "准确", "确切", "做到", "达到", "是", "为")
LIST_GAP = 8  # at most this many characters between two figures quoted back as one phrase
# Words that put the amount inside parentheses or after 其中/含 as a part of the amount before it.
CONTAINED_OPENERS = ("（", "(", "其中", "含", "包括", "包含")
# "设备投资（含软件）900万": a parenthesis before the amount qualifies the noun; its words govern nothing.
TITLE_REACH = 14  # characters from a title's end to the amount it may name (…目录》的设备，投资480万元)
TITLE_NOUN = 8  # characters of the noun right after a title read for the kind it names (除尘脱硫设备)
PARENTHESIS = re.compile(r"[（(][^（）()]*[）)]")
# The names of a currency the rules may keep an amount in, as questions write them (after or before it).
CURRENCY_SAID = dict.fromkeys(("美元", "美金", "usd", "dollar", "dollars", "$", "us$"), "美元")
# "技术引进、科研仪器和软件费用总和2000万": one amount for the listed parts together.
SUM_WORDS = ("总和", "合计", "共计", "总计", "一共", "加起来", "合起来", "累计")


@dataclass(frozen=True)
class OpenAmount:
    """An amount whose role the words do not say ("500万" alone): the assistant must ask."""

    raw: str
    value: Decimal


@dataclass
class ReadAmounts:
    """What the amounts of a question say: exact ones by role, unsettled ones, open ones, errors."""

    amounts: dict[str, Decimal]
    unsettled: dict[str, Unsettled]
    open_amounts: list[OpenAmount]
    errors: list[str]


@dataclass(frozen=True)
class _Item:
    """One amount with its role and, when it is a part inside another amount, that amount's role."""

    mention: AmountMention
    role: str
    inside: str | None


def _segment(text: str, start: int, end: int, previous_end: int) -> tuple[str, str]:
    """The words before (back to the previous amount at most) and after an amount in its own clause."""
    left_edge = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    nxt = CLAUSE_BREAK.search(text, end)
    right_edge = nxt.start() if nxt else len(text)
    left = max(left_edge, previous_end, start - LOOK_BEHIND)
    return text[left:start], text[end : min(right_edge, end + LOOK_AHEAD)]


def _cues(before: str, vocab: Vocabulary) -> list[tuple[int, int, str]]:
    """(start, end, role) of the last occurrence of every cue, except those that name a benefit rather
    than an amount of the project ("贷款贴息", "设备补助": the amount after them is a subsidy)."""
    before = PARENTHESIS.sub(lambda m: " " * len(m[0]), before)
    benefits = tuple(vocab.claimed_subsidy.nouns)
    return [
        (at, at + len(cue), role)
        for role, spec in vocab.amount_roles.items()
        for cue in spec.cues
        for at in [before.rfind(cue)]
        # "已经拿到补助350万": money received is named by the benefit noun, which stays its own
        if at >= 0 and (role in SUMMED_ROLES or not before[at + len(cue) :].lstrip("的").startswith(benefits))
    ]


def _cue_before(before: str, vocab: Vocabulary, strong_only: bool = False) -> str | None:
    """The role whose cue ends nearest the number; where cues overlap ("研发中试设备投入"), the one that
    starts earliest names the whole term, so the qualifier (研发中试) is not lost to the head (设备投入)."""
    matches = _cues(before, vocab)
    strong = [m for m in matches if not _weak(before, m, vocab)]
    # A noun names the amount before a verb or a bare 投资 does: "软件又买了45万" is 软件's.
    matches = strong if strong or strong_only else matches
    if not matches:
        return None
    nearest = max(matches, key=lambda m: (m[1], m[1] - m[0]))
    overlapping = [m for m in matches if m[0] < nearest[1] and nearest[0] < m[1]]
    # "软硬件总投资1.35亿": a total's word right after another amount's noun is that amount's total
    qualifier = [m for m in matches if m[1] == nearest[0] and m[2] != nearest[2]]
    if nearest[2] in TOTAL_ROLES and qualifier:
        return min(qualifier, key=lambda m: m[0])[2]
    return min(overlapping, key=lambda m: (m[0], -m[1]))[2]


def _weak(before: str, match: tuple[int, int, str], vocab: Vocabulary) -> bool:
    return before[match[0] : match[1]] in vocab.amount_roles[match[2]].weak_cues


def _defer_weak(text: str, before: str, own_start: int, previous_end: int, vocab: Vocabulary) -> str | None:
    """ "列入目录的节能专用设备，投资额800万": a bare 投资额 means the investment in what the clause before
    named, when that clause names something (and no other amount stands between)."""
    matches = _cues(before, vocab)
    if not matches or not all(_weak(before, m, vocab) for m in matches):
        return None
    previous_clause = text[max(previous_end, own_start - LOOK_BACK_ACROSS) : own_start]
    # "研发的盾构机…，卖了3000万": a word followed by 的 qualifies a thing; it names no amount of its own
    nouns = [m for m in _cues(previous_clause, vocab) if not previous_clause.startswith("的", m[1])]
    return _cue_before(previous_clause, vocab, strong_only=True) if nouns else None


def _cue_after(after: str, vocab: Vocabulary) -> str | None:
    """ "300万的设备", "500万是当年完成投资", "花了960万买研发设备": the role named right after the number,
    or right after the verb of buying that follows it."""
    rest = after.lstrip("的是为指")
    rest = rest[len(next((v for v in BUYING if rest.startswith(v)), "")) :]
    found = [
        (len(cue), role)
        for role, spec in vocab.amount_roles.items()
        for cue in spec.cues + spec.after_cues
        if rest.startswith(cue)
    ]
    return max(found)[1] if found else None


def _sum_of_listed(before: str, vocab: Vocabulary) -> str | None:
    """ "A、B和C总和2000万": the narrowest role whose parts (itself included) cover the roles listed
    ("设备加软件一共700万" is 设备投资（含软件）, not the wider 技术引进及仪器、设备、软件投入). Without a
    word of summing, only a role joined right to a part of its own: "设备含软件400万", "设备加软件650万"
    are 设备投资 (which includes software), where the nearest cue alone would read 软件's."""
    cues = _cues(before, vocab)
    listed = {role for _, _, role in cues}
    if len(listed) < 2:
        return None
    fits = sorted(
        (len(spec.includes), role) for role, spec in vocab.amount_roles.items() if listed <= {role, *spec.includes}
    )
    if not fits or (len(fits) > 1 and fits[0][0] == fits[1][0]):
        return None
    if any(word in before for word in SUM_WORDS) or _joined_to_its_part(before, cues, fits[0][1], vocab):
        return fits[0][1]
    return None


def _joined_to_its_part(before: str, cues: list[tuple[int, int, str]], whole: str, vocab: Vocabulary) -> bool:
    """Whether the last two cues are `whole` and one of its parts, written as one term ("设备含软件")."""
    (_, first_end, first), (second_start, _, second) = sorted(cues)[-2:]
    joiner = before[first_end:second_start]
    return first == whole and second in vocab.amount_roles[whole].includes and joiner in PART_OF_JOINERS


def _named_by_title(text: str, mention: AmountMention, previous_end: int, vocab: Vocabulary) -> str | None:
    """ "列入《节能节水专用设备企业所得税优惠目录》的设备，投资480万元": the noun right after a title (设备) is
    the kind the title names, when a cue in the title ends with the word the noun begins with
    (节能节水专用设备), and nothing between it and the amount names another amount."""
    close = text.rfind("》", max(previous_end, mention.start - TITLE_REACH), mention.start)
    start = text.rfind("《", 0, close) if close >= 0 else -1
    if start < 0:
        return None
    title, rest = text[start + 1 : close], text[close + 1 : mention.start].lstrip("的")
    # the noun after the title, up to its clause's end: "设备", "除尘脱硫设备"
    noun = re.split(r"[，,、；;（(]", rest, maxsplit=1)[0][:TITLE_NOUN]
    named = [
        (len(cue), role, cue[-k:])
        for role, spec in vocab.amount_roles.items()
        for cue in spec.cues
        for k in range(2, len(cue))
        if cue in title and (noun.startswith(cue[-k:]) or noun.endswith(cue[-k:]))
    ]
    if not named:
        return None
    _, role, head = max(named)
    after_noun = rest[len(noun) :] if noun.endswith(head) else rest[len(head) :]
    # "…目录》的设备，另外厂房投资300万": the amount is another's; "…的脱硫设备，设备投资额850万": the same
    if any(not _weak(after_noun, m, vocab) and head not in after_noun[m[0] : m[1]] for m in _cues(after_noun, vocab)):
        return None
    return role


def _role_of(text: str, mention: AmountMention, previous_end: int, vocab: Vocabulary) -> str | None:
    titled = _named_by_title(text, mention, previous_end, vocab)
    if titled:
        return titled
    before, after = _segment(text, mention.start, mention.end, previous_end)
    own_start = mention.start - len(before)
    role = (
        _sum_of_listed(before, vocab)
        or _defer_weak(text, before, own_start, previous_end, vocab)
        or _cue_before(before, vocab, strong_only=True)
        or _cue_after(after, vocab)  # "买了800万研发设备": the noun after names it before a verb does
        or _cue_before(before, vocab)
    )
    # the clause before, back to the previous amount at most; not for a sum the user asks to get
    # ("产值排名全区前五，能拿那个10万元吗": the 10万 is the award, not the 产值)
    if role is None and not _claimed_subsidy(text, mention, vocab.claimed_subsidy):
        role = _cue_before(text[max(previous_end, mention.start - LOOK_BACK_ACROSS) : mention.start], vocab)
    return role


def _settles(text: str, mention: AmountMention, previous: _Item | None, out: ReadAmounts) -> str | None:
    """ "首次突破30亿，做到了32亿元": an exact amount with no noun of its own, right after a vague one (only a
    comma between), said to be what it came to, and inside what that one surely is, is its exact figure.
    Without such a word ("不到500万，300万") the 300万 may be another amount, and is asked about."""
    if previous is None or previous.role not in out.unsettled:
        return None
    between = text[previous.mention.end : mention.start]
    if len(between) > LOOK_BACK_ACROSS or len(CLAUSE_BREAK.findall(between)) > 1 or not has_any(between, SETTLING):
        return None
    return previous.role if out.unsettled[previous.role].interval.admits(mention.value) else None


def _respective_roles(text: str, mentions: list[AmountMention], vocab: Vocabulary) -> tuple[dict[int, str], set[int]]:
    """ "设备和软件分别是620万和80万": the nouns before 分别, in order, for the amounts after it; and the
    amounts that are parts of the one noun before 分别, to be added up ("研发投入分别是：材料费80万、…")."""
    out: dict[int, str] = {}
    parts: set[int] = set()
    for match in re.finditer(RESPECTIVELY, text):
        clause_start = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, match.start())), default=0)
        nouns = re.split(r"[和与及、跟]", text[clause_start : match.start()])
        roles = [_cue_before(n, vocab) for n in nouns if n.strip()]
        following = [i for i, m in enumerate(mentions) if m.start >= match.end()]
        clause_end = CLAUSE_BREAK.search(text, match.end())
        stop = clause_end.start() if clause_end else len(text)
        following = [i for i in following if mentions[i].start < stop]
        if len(roles) == len(following) and all(roles):
            out.update({i: role for i, role in zip(following, roles) if role})
        elif len(roles) == 1 and roles[0] and len(following) > 1 and not _roles_among(text, mentions, following, vocab):
            # "研发投入分别是：材料费80万、人工120万、测试费50万": one noun, its parts listed after 分别
            out.update({i: roles[0] for i in following})
            parts.update(following)
    return out, parts


def _roles_among(text: str, mentions: list[AmountMention], following: list[int], vocab: Vocabulary) -> bool:
    """Whether a listed amount after 分别 names a role of its own (then the list is not one role's parts)."""
    return any(
        _cue_before(text[max(0, mentions[i].start - LOOK_BEHIND) : mentions[i].start], vocab) for i in following[1:]
    )


def _claimed_subsidy(text: str, mention: AmountMention, cues: ClaimCues) -> bool:
    """ "能拿1000万", "批给我们500万补贴": a figure the user wants, not a fact about the project."""
    before = text[max(0, mention.start - 3) : mention.start]
    after = text[mention.end : mention.end + 4].lstrip("的")
    return before.endswith(tuple(cues.verbs)) or after.startswith(tuple(cues.nouns))


def _business_figure(text: str, mention: AmountMention, previous_end: int, vocab: Vocabulary) -> bool:
    """ "去年营收3个亿左右": an amount of the enterprise's business (its clause names it, and no role)."""
    before, _ = _segment(text, mention.start, mention.end, previous_end)
    return has_any(before, vocab.business_figures)


def _stated_none(text: str, vocab: Vocabulary) -> dict[str, Decimal]:
    """ "没有研发投入" states the amount is zero, which a formula summing several figures needs to know;
    "没拿过上级的钱" (a higher level named in the same clause right after) is of that level's money, another
    fact. Every occurrence counts: one of another level's money does not hide a later "没有贷款"."""
    found: dict[str, Decimal] = {}
    levels = _other_levels(vocab)
    for role, spec in vocab.amount_roles.items():
        for cue in spec.cues:
            if len(cue) < 2 or cue not in text:  # most cues are not in the question at all
                continue
            for said in (f"{neg}{cue}" for neg in NONE_WORDS):
                at = text.find(said)
                while at >= 0:
                    end = at + len(said)
                    after = CLAUSE_BREAK.split(text[end : end + OTHER_LEVEL_REACH])[0]
                    if not has_any(after, levels):
                        found[role] = Decimal(0)
                    at = text.find(said, end)
    return found


def _other_levels(vocab: Vocabulary) -> list[str]:
    """Words naming a level above the enterprise's district that may give money (上级, 省, 市, 国家 …)."""
    above = [w for level, words in vocab.recognition.issuers.items() if level != Level.DISTRICT.value for w in words]
    return [HIGHER, *above]


def _negative(text: str, mention: AmountMention) -> bool:
    before = text[max(0, mention.start - 2) : mention.start]
    return before.endswith(("-", "－", "负", "−"))


def _quoted(raw: str, limit: int = 24) -> str:
    """The user's amount as quoted back: whole unless absurdly long (a pasted run of digits)."""
    return raw if len(raw) <= limit else f"{raw[:12]}…{raw[-8:]}（共{len(raw)}个字符）"


def _inside(text: str, mention: AmountMention, previous: _Item | None) -> str | None:
    """The role of the amount this one is a part of: "1200万（设备700万、研发150万）", "其中软件100万"."""
    if previous is None:
        return None
    between = text[previous.mention.end : mention.start]
    if ")" in between or "）" in between:
        return None
    opened = any(opener in between for opener in CONTAINED_OPENERS)
    return previous.inside if previous.inside and not opened else (previous.role if opened else None)


def _plain_figure(text: str, mention: AmountMention, since: int, vocab: Vocabulary) -> bool:
    """An exact yuan figure that is not a sum asked for nor a figure of the business."""
    return not (
        mention.currency
        or vague_amount(text, mention, vocab)
        or _claimed_subsidy(text, mention, vocab.claimed_subsidy)
        or _business_figure(text, mention, since, vocab)
    )


def _in_its_currency(text: str, mention: AmountMention, previous_end: int, vocab: Vocabulary) -> str | None:
    """ "融资1200万美元": among the amounts the words may name, one the rules keep in the currency said."""
    unit = CURRENCY_SAID.get((mention.currency or "").strip().lower())
    if unit is None:
        return None
    kept = {role: spec for role, spec in vocab.amount_roles.items() if spec.unit == unit}
    return _role_of(text, mention, previous_end, vocab.model_copy(update={"amount_roles": kept})) if kept else None


def _in_currency(text: str, mention: AmountMention, unit: str, label: str, vocab: Vocabulary) -> Unsettled | None:
    """An amount the rules keep in a foreign currency (美元): read as it is only when the question names that
    currency ("1500万美元"); without a currency, or in another, which is meant is asked, never converted."""
    said = _quoted(mention.raw)
    if mention.currency is None:
        return Unsettled(said=said, ask=f"您说的“{said}”是{unit}吗？{label}按{unit}计，请写明币种，如“{said}{unit}”")
    if CURRENCY_SAID.get(mention.currency.strip().lower()) != unit:
        return Unsettled(
            said=f"{said}{mention.currency}", ask=f"您说的“{said}{mention.currency}”请换算为{unit}后告诉我"
        )
    return vague_amount(text, dataclasses.replace(mention, currency=None), vocab)


def _sum_parts(items: list[_Item], vocab: Vocabulary, out: ReadAmounts) -> None:
    """Roles that include others (设备投资 含工艺包和软件) get the stated parts added; the project's parts
    bound its total investment from below when the total itself was not given.

    A composite is built from parts only when its own head was stated beside them ("设备480万、软件60万")
    or the user itemized at least two of its parts: one part alone ("软件40万") is not the whole of a
    软硬件投资, and computing from it would understate nothing the user said and everything they did not."""
    stated = {it.role: it for it in items}
    for role, spec in vocab.amount_roles.items():
        parts = [stated[p] for p in spec.includes if p in stated and stated[p].inside != role]
        if not parts or role in out.unsettled or any(p.role in out.unsettled for p in parts):
            continue
        if role not in stated and len(parts) < 2:
            continue
        out.amounts[role] = out.amounts.get(role, Decimal(0)) + sum((p.mention.value for p in parts), Decimal(0))
    for role, spec in vocab.amount_roles.items():
        if not spec.at_least_sum_of or role in out.amounts or role in out.unsettled:
            continue
        parts = [stated[p] for p in spec.at_least_sum_of if p in stated and stated[p].inside is None]
        parts = [p for p in parts if p.role not in out.unsettled]
        if len(parts) >= 2:
            low = sum((p.mention.value for p in parts), Decimal(0))
            names = "、".join(vocab.amount_roles[p.role].label for p in parts)
            out.unsettled[role] = Unsettled(
                said=f"{names}合计{format_wan(low)}",
                ask=f"请问{spec.label}是多少？",
                low=low,
            )


def _after_total_word(text: str, mention: AmountMention, since: int) -> bool:
    """A total word ("一共", "合计") stands right before the amount, after the previous amount."""
    before = text[since : mention.start].rstrip("是为了达到约")
    return before.endswith(TOTAL_WORDS)


def _another_part(text: str, items: list[_Item], mention: AmountMention, role: str, vocab: Vocabulary) -> bool:
    """ "购置研发设备460万、中试设备300万": right after the amount before it, in a list, another word of the
    same role names a second part of that amount (the same word again, "设备300万，设备400万", corrects it)."""
    if not items or items[-1].role != role:
        return False
    previous = items[-1].mention
    between = text[previous.end : mention.start]
    if not between.startswith(PART_JOINERS):
        return False
    said_before = text[max(0, previous.start - LOOK_BEHIND) : previous.start]
    cues = vocab.amount_roles[role].cues
    return any(cue in between and cue not in said_before for cue in cues)


def _last_of(items: list[_Item], role: str) -> AmountMention:
    """The latest amount already given to `role`."""
    return next(it.mention for it in reversed(items) if it.role == role)


def _actual(text: str, items: list[_Item], mention: AmountMention, role: str) -> bool | None:
    """Of two figures for one amount, the one said to be 实际 (what was really drawn, paid or invested) is the
    one the rules count ("项目贷款实际发生额", "实际设备投资额"): True when it is this one, False when it was
    the earlier one, None when neither or both are."""
    previous = _last_of(items, role)
    this_said = ACTUAL in text[previous.end : mention.start][-LOOK_BEHIND:]
    earlier_said = ACTUAL in text[max(0, previous.start - LOOK_BEHIND) : previous.start]
    return None if this_said == earlier_said else this_said


def _two_figures(text: str, items: list[_Item], mention: AmountMention, role: str, label: str) -> Unsettled:
    """The question back for two figures of one amount: the words between them when they stand in one list
    ("设备300万、400万"), else the two figures, and a reminder that two projects are asked one at a time."""
    previous = _last_of(items, role)
    if mention.start - previous.end <= LIST_GAP:
        said = text[previous.start : mention.end]
        return Unsettled(said=said, ask=f"您说的“{said}”，{label}是哪一个？")
    said = f"“{_quoted(previous.raw)}”和“{_quoted(mention.raw)}”"
    return Unsettled(said=said, ask=f"您说的{said}，{label}是哪一个？如果是两个项目，请一次说一个项目。")


def read_amounts(text: str, vocab: Vocabulary) -> ReadAmounts:
    """Every amount of the question, each given to its role or kept open; vague ones unsettled; and the
    counts of the amounts counted in other units."""
    counted = counted_roles(vocab)
    if not counted:
        return _read_money(text, vocab)
    money_only = {role: spec for role, spec in vocab.amount_roles.items() if role not in counted}
    out = _read_money(text, vocab.model_copy(update={"amount_roles": money_only}))
    counts = read_counts(text, vocab)
    out.amounts.update(counts.amounts)
    out.unsettled.update(counts.unsettled)
    out.errors.extend(counts.errors)
    return out


def _read_money(text: str, vocab: Vocabulary) -> ReadAmounts:
    out = ReadAmounts(_stated_none(text, vocab), {}, [], [])
    mentions = find_amounts(text)
    respective, parts = _respective_roles(text, mentions, vocab)
    items: list[_Item] = []
    doubled: set[str] = set()  # roles given two figures: asked, whatever follows short of a correction
    previous_end = 0
    for i, mention in enumerate(mentions):
        since = previous_end
        role = (
            respective.get(i) or _in_its_currency(text, mention, since, vocab) or _role_of(text, mention, since, vocab)
        )
        part = i in parts
        previous_end = mention.end
        total = _after_total_word(text, mention, since)
        listed = items and text[since : mention.start].strip() in LIST_JOINERS
        corrects = any(w in text[since : mention.start] for w in vocab.self_corrections)
        if role is None and _plain_figure(text, mention, since, vocab):
            role = _settles(text, mention, items[-1] if items else None, out)
            if role:
                out.unsettled.pop(role)
                out.amounts[role] = mention.value
                items = [it for it in items if it.role != role] + [_Item(mention, role, None)]
                continue
        if role is None and items and (total or listed or corrects):
            # "拿了100万、100万" / "…一共300万" / "0.12亿？不对，是1.2亿": more of, the total of, or a
            # correction of the same amount (a correction then replaces it below)
            role = items[-1].role
        label = vocab.amount_roles[role].label if role else "金额"
        problem = implausible(-mention.value if _negative(text, mention) else mention.value, zero_ok=False)
        if problem:
            out.errors.append(f"{label}“{_quoted(mention.raw)}”{problem}")
            continue
        if role is None:
            if not _claimed_subsidy(text, mention, vocab.claimed_subsidy) and not _business_figure(
                text, mention, since, vocab
            ):
                out.open_amounts.append(OpenAmount(mention.raw, mention.value))
            continue
        item = _Item(mention, role, _inside(text, mention, items[-1] if items else None))
        # a figure said before for this role (not a zero read from "没有研发投入", which a figure corrects)
        said_before = any(it.role == role for it in items)
        actual = _actual(text, items, mention, role) if said_before and not corrects else None
        unit = vocab.amount_roles[role].unit
        vague = vague_amount(text, mention, vocab) if unit == "元" else _in_currency(text, mention, unit, label, vocab)
        if vague:
            out.unsettled[role] = vague
            out.amounts.pop(role, None)
        elif role in SUMMED_ROLES and role in out.amounts and not total and not corrects:
            out.amounts[role] += mention.value  # what was already received adds up
        elif role in out.amounts and (
            part or (not total and not corrects and _another_part(text, items, mention, role, vocab))
        ):
            out.amounts[role] += mention.value  # "研发设备460万、中试设备300万": two parts of one amount
        elif (role in out.amounts or role in doubled) and actual:
            out.amounts[role] = mention.value  # "贷款合同3000万，实际放款2400万": the rules count what is 实际
            out.unsettled.pop(role, None)
            doubled.discard(role)
        elif role in out.amounts and item.inside == role:
            pass  # "设备800万，其中40万的设备退货了": a part of the amount before, not another figure for it
        elif role in out.amounts and not total and actual is False:
            pass  # "实际放款2400万，合同3000万": the figure said to be 实际 stands
        elif said_before and role in out.amounts and not total and not corrects and out.amounts[role] != mention.value:
            # "设备300万、400万", "A项目设备500万…B项目设备300万": two figures for one amount, and no word says
            # the second corrects the first; which one is meant is asked, never taken silently
            out.unsettled[role] = _two_figures(text, items, mention, role, label)
            out.amounts.pop(role)
            doubled.add(role)
        elif role in doubled and not corrects:
            pass  # a third figure for an amount already asked about: still asked
        else:
            out.amounts[role] = mention.value  # said again, or corrected ("不对，是…")
            out.unsettled.pop(role, None)
        items = [it for it in items if it.role != role] + [item]
    _sum_parts(items, vocab, out)
    return out
