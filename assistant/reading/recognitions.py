"""Yes/no facts (recognitions, roles, exclusions) read in the words of the rules, with where they stand.

A tag is named by its phrases and by the rule's own words (the describe and quotes of the conditions
and exclusions that use it, `Vocabulary.tag_texts`), so a new rule is read without a phrase list.
Each name is matched tolerant of inserted words (assistant.reading.wording); a whole name found is a
sure mention, most of it a candidate, which is asked about, never taken as true.

What a mention states is read around it, in its clause: a negation before it (没有列入…, 不在…目录里),
a pending state (正在申报…, …还没批), an application whose outcome is not said (申报了…), a process
whose outcome is awaited (…还在评审, …还没公布结果), or a clause of its own that takes up the one before
(…，还没认定下来 / 还没晋升国家级 / （不是示范企业）). A later statement wins over an earlier one; a
pending state is read as not (yet) met; an awaited outcome is asked about, like an application, and a
bare negation after it ("还在走流程，没通过") only restates that it is not done yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.reading.funding import APPLIED, Statement, chosen_options, funding_statements, received
from assistant.reading.names import TagNames, tag_names
from assistant.reading.roles import Item, maker_statements, role_statements
from assistant.reading.wording import (
    CLAUSE_END,
    SURE_PIECE,
    Alignment,
    Normalized,
    after_break,
    align,
    bigrams,
    clauses,
    has_any,
    negated,
    normalize,
    normalize_name,
    with_ranks,
)
from assistant.rules.rulebook import RecognitionCues, Vocabulary
from assistant.rules.schema import Level

ASKING = ("吗", "呢", "多少", "?")  # a clause that asks names a program; it states nothing
CANDIDATE = "candidate"  # most of a name found: to be confirmed
IN_PROCESS = "in_process"  # in process, the outcome awaited: asked, never taken as had nor as refused
LEVEL_FORMS = ("国家", "省", "市", "区", "县")  # levels as the vocabulary's same_as writes them
ELLIPSIS_WORDS = ("下来", "还", "已")  # words of an elliptic clause that name nothing (还没认定下来)
PHRASE_GAP = 8  # characters a "…" in a tag's phrase stands for
AFTER_REACH = 10  # characters after a mention read for …还没认定下来, …申报了但是没评上
LEVEL_REACH = 12  # characters before a name read for who granted it (拿到省工信厅“河南省智能车间”)
OFFICE_ENDINGS = ("厅", "局", "委", "部", "政府", "办")  # an issuer word with one of these is an office
OFFICE_REACH = 6  # characters from an issuer word to its office's ending (市工业和信息化局)
ISSUING_VERBS = ("发", "颁")  # an office that 发/颁 a 牌子 grants it
YEAR = re.compile(r"((?:19|20)\d\d)年")  # 2016年列入…: the year a status began


@dataclass
class Mention:
    tag: str
    clause: int  # index into the clauses of the normalized question
    start: int  # span in the normalized question
    end: int
    name: str
    sure: bool
    missing: tuple[str, ...]
    gaps: tuple[str, ...] = ()  # the words inserted between the name's pieces
    said_from: int = 0  # where the clause's words about it begin (申报了…)
    said_to: int = 0  # where the user's words for it end: past the end of a name found in part
    stated: bool | str | None = None  # True, False, APPLIED, CANDIDATE, or None (says nothing)
    # Named in a clause that asks for money ("纳统那个3万块的奖励能拿吗"): the program asked about, true
    # only if nothing else is said of it. Named in a question about the text, it states nothing.
    weak: bool = False
    # Stated false as not reached yet (还没投产, 预计明年投产, 还没列入…在申报, 只是打算申报): the rule's
    # condition awaits it, which is not the same as failing it (see EnterpriseFacts.not_yet).
    not_yet: bool = False


@dataclass
class Recognitions:
    tags: dict[str, bool] = field(default_factory=dict)
    level: Level | None = None  # the level said with a recognition (入选了山东省…, 工信部…称号)
    chosen: dict[str, str] = field(default_factory=dict)  # choose-one group → option already had
    had: list[str] = field(default_factory=list)  # options said to be had already for this project
    confirmations: dict[str, str] = field(default_factory=dict)  # tag → the question to ask
    since: dict[str, int] = field(default_factory=dict)  # tag → the year said with it (2016年列入…)
    levels: dict[str, Level] = field(default_factory=dict)  # tag → the level written right in front of it
    not_yet: list[str] = field(default_factory=list)  # tags stated false as not reached yet


def _negated(before: str, vocab: Vocabulary) -> bool:
    return negated(before, vocab.negations, vocab.recognition.lookalikes)


def _level_conflict(al: Alignment, clause: str) -> bool:
    """省创新中心培育名单 is not found in 市创新中心培育名单: the level left out was said otherwise."""
    said_before = clause[max(0, al.start - 6) : al.start]
    gaps = "".join(al.gaps(clause)) + said_before
    return any(m in LEVEL_FORMS for m in al.missing) and has_any(gaps, LEVEL_FORMS)


def _mentions_in(clause: str, offset: int, number: int, index: TagNames) -> list[Mention]:
    """The best mention of each tag in one clause."""
    found: list[Mention] = []
    grams = bigrams(clause)
    for tag, names in index.names.items():
        best: tuple[tuple[int, float, int], Mention] | None = None
        for name in names:
            ranked = with_ranks(clause, name)
            al = align(name, ranked, grams if ranked == clause else None)
            if al is None:
                continue
            sure = al.whole
            if not sure and (len(name) < 4 or al.longest < SURE_PIECE or _level_conflict(al, clause)):
                continue
            rank = (int(sure), al.share, len(name))
            if best is None or rank > best[0]:
                m = Mention(
                    tag, number, offset + al.start, offset + al.end, name, sure, al.missing, tuple(al.gaps(clause))
                )
                # 单项冠军示范 found in 单项冠军培育企业: the user's words run on where the name's end is missing
                m.said_to = offset + min(len(clause), al.end + (al.tail_missing + 2 if al.tail_missing else 0))
                best = (rank, m)
        if best:
            found.append(best[1])
    return found


def _money_follows(after: str, cues: RecognitionCues) -> bool:
    """申报智能工厂奖励: what is applied for is the award, not the recognition."""
    return any(after.startswith(w) for w in cues.funding_nouns)


def _stated(part: str, said: str, inside: tuple[str, ...], after: str, vocab: Vocabulary) -> bool | str | None:
    """What a clause says of a sure mention: `part` the words before it (after any 但), `said` its own
    words, `inside` the words inserted in it, `after` the rest of the clause."""
    cues = vocab.recognition
    if has_any(part, cues.doubts):  # 不确定我们算不算“重点企业”: asked, neither true nor false
        return CANDIDATE
    money = _money_follows(after, cues)
    if (_negated(part, vocab) and _negation_reaches(part + said, vocab)) or any(_negated(g, vocab) for g in inside):
        # "没拿过上级技改资金": what is denied is the money the words name, not that the project is one
        return None if money else False
    if has_any(after, cues.in_process) and not money:
        return IN_PROCESS
    if has_any(after, cues.pending_after) or _negated_verb(after[:AFTER_REACH], vocab) or _lacks_us(after, vocab):
        return False
    if has_any(part, cues.in_process) and not money:  # 还在申请省首台（套）认定: the application under way
        return IN_PROCESS
    if has_any(part, cues.pending) and not money:
        return False
    applied = max((part.rfind(w) for w in cues.applied if w in part), default=-1)
    applied_after = any(after.startswith(w, 0, len(w) + 1) for w in cues.applied)
    if (applied >= 0 or applied_after) and not money:
        granted_later = any(part.find(g, applied + 1) > 0 for g in cues.granted) or has_any(after, cues.granted)
        return True if granted_later else APPLIED
    return True


def _lacks_us(after: str, vocab: Vocabulary) -> bool:
    """ "省创新中心培育名单里还没有我们": a negation right after the name, of the asker itself."""
    rest = after.lstrip("里中上内")
    neg = next((n for n in sorted(vocab.negations, key=len, reverse=True) if rest.startswith(n)), None)
    return neg is not None and rest[len(neg) :].lstrip("有").startswith(US)


def _negation_reaches(part: str, vocab: Vocabulary) -> bool:
    """The last negation reaches the mention, unless another predicate and then a verb of being
    recognised stand between: 还没投产就被认定为… and 没有拿过上级资金的项目被认定为… affirm it."""
    ends = [part.rfind(n) + len(n) for n in vocab.negations if n in part]
    rest = part[max(ends) :].lstrip("有被")
    later = [rest.find(g) for g in vocab.recognition.granted if g in rest]
    return not later or min(later) == 0


def _negated_verb(text: str, vocab: Vocabulary) -> bool:
    """还没认定, 没有通过, 未获批: a negation followed by a recognition verb."""
    for neg in vocab.negations:
        at = text.find(neg)
        if at >= 0 and has_any(text[at + len(neg) : at + len(neg) + 4], vocab.recognition.verbs):
            return True
    return False


def _strip(text: str, words: list[str]) -> str:
    for w in sorted(words, key=len, reverse=True):
        text = text.replace(w, "")
    return text


def _elliptic(clause: str, start: int, groups: list[list[Mention]], index: TagNames, vocab: Vocabulary) -> None:
    """A clause with no mention of its own that says how one before stands: "还没认定下来", "还在评审",
    "还没晋升国家级", "（不是示范企业）", "已经批下来了". `groups`: the mentions of the earlier clauses,
    nearest first; the nearest clause whose mentions it can speak of is the one it takes up
    ("是两化融合贯标试点企业，正在贯标，还没通过评定": the 评定 of the first clause, not the 贯标 of the second)."""
    earlier = groups[0] if groups else []
    cues = vocab.recognition
    money = [n for n in vocab.claimed_subsidy.nouns if not n.startswith(("能", "可", "那"))]  # 补贴, 奖励 …
    if has_any(clause, money):  # "也不打算申请保费补贴", "奖励还没批下来": of the money, not a recognition
        return
    opening = after_break(clause, cues.breaks)[:3]  # 但是没批, 还没…: a negation opening the clause
    neg = next((n for n in vocab.negations if n in clause and len(n) > 1), None)
    neg = neg or next((n for n in vocab.negations if n in opening), None)
    in_process = has_any(clause, cues.in_process)
    # "只是打算申报", "还没批下来": not had (not yet applied for, or not granted yet)
    pending = has_any(clause, cues.pending_after) or has_any(clause, cues.pending) or in_process
    if not neg and not pending:
        if has_any(clause, cues.granted):  # 已经批下来了: the application's outcome
            for m in earlier:
                if m.stated == APPLIED:
                    m.stated = True
        return
    said = clause[clause.find(neg) + len(neg) :] if neg and not in_process else clause
    # the nearest clause whose mentions it speaks of by its own words (评定还没通过 → the 评定 of two
    # clauses before, not the 贯标 under way just before); failing that, the nearest it can speak of at all
    taken = [_taken_up(said, pending, group, index, vocab) for group in groups]
    targets = next((t for t, by_content in taken if by_content), None) or next((t for t, _ in taken if t), [])
    for m in targets:
        if in_process:
            m.stated = False if m.stated is False else IN_PROCESS
        elif m.stated != IN_PROCESS:  # 还在走流程，没通过: not done yet, which was said
            m.stated = False
            m.not_yet = m.not_yet or pending or has_any(clause, cues.not_yet)
    if len(said) >= 3 and not targets and not in_process:  # "还没晋升国家级": a name part of one tag only
        owners = [t for t, names in index.names.items() if any(said in n for n in names)]
        if len(owners) == 1:
            earlier.append(Mention(owners[0], -1, start, start, said, True, (), stated=False))


def _taken_up(
    said: str, pending: bool, earlier: list[Mention], index: TagNames, vocab: Vocabulary
) -> tuple[list[Mention], bool]:
    """The earlier mentions a negated or pending clause speaks of: an application, whose outcome it is;
    those whose words left out or whose rule share its content words (不是示范企业 → 单项冠军示范企业,
    不是全职 → 全职引进…院士); failing content words, those whose rule has its verb (还没通过评定 →
    通过…评定, not 贯标); for a bare pending state (还在评审), every recognition. The flag: found by the
    clause's own words (content or verb), not only as an application or a state under way."""
    cues = vocab.recognition
    content = _strip(said, cues.verbs + cues.pending_after + cues.granted + vocab.negations + list(ELLIPSIS_WORDS))
    grams = bigrams(content) - set(vocab.generic_words)
    targets = [m for m in earlier if m.stated in (APPLIED, IN_PROCESS)]
    by_missing = [m for m in earlier if grams & bigrams("".join(m.missing))]
    by_words = [m for m in earlier if grams & bigrams(index.words[m.tag])]
    verbs = [v for v in cues.verbs if v in said]
    if by_missing or (grams and by_words):
        return targets + (by_missing or by_words), True
    if verbs:
        by_verb = [m for m in earlier if has_any(index.words[m.tag], verbs)]
        return targets + by_verb, bool(by_verb)
    if pending:
        return targets + [m for m in earlier if has_any(index.words[m.tag], cues.verbs)], False
    return targets, False


def _contraries(norm: str, index: TagNames, vocab: Vocabulary, mentions: list[Mention]) -> None:
    """The rule says 首次 and the user 重新认定: the tags whose rule has that word are not met."""
    spans = clauses(norm)
    for entry in vocab.recognition.contraries:
        hit = False
        for start, end in spans:
            clause = norm[start:end]
            for said in entry.said:
                at = clause.find(said)
                if at < 0 or _negated(clause[max(0, at - 2) : at], vocab):
                    continue
                if any(clause.startswith(entry.rule, i) for i in range(max(0, at - len(entry.rule)), at + 1)):
                    continue  # 不改变用途 holds 改变: the rule's own word, not its contrary
                hit = hit or not entry.near or has_any(clause, entry.near)
        if hit:
            for tag, words in index.words.items():
                if entry.rule in words:
                    mentions.append(Mention(tag, -1, len(norm), len(norm), entry.rule, True, (), stated=False))


def _level_said(norm: str, m: Mention, cues: RecognitionCues) -> Level | None:
    """入选了山东省智能工厂名单, 拿到了工信部…称号, 被省工信厅评为…: the level of the recognition,
    said by who granted it, after the verb and right before the name (not the enterprise's place); or
    by the office that is the clause's subject (东营市工信局上个月认定了我们的“数字化车间”)."""
    before = norm[max(0, m.start - LEVEL_REACH) : m.start]
    verb = max((before.rfind(v) + len(v) for v in cues.granted if v in before), default=-1)
    by_issuer = before.rfind("被")
    windows = [before[verb:] if verb >= 0 else "", before[by_issuer + 1 :] if by_issuer >= 0 else ""]
    for window in windows:
        found = [(window.rfind(w), level) for level, words in cues.issuers.items() for w in words if w in window]
        if found:
            return Level(max(found)[1])
    return _issuing_office(norm[_clause_start(norm, m.start) : m.start], cues)


def _clause_start(norm: str, at: int) -> int:
    """Where the clause holding position `at` begins."""
    return max((norm.rfind(ch, 0, at) + 1 for ch in CLAUSE_END), default=0)


def _issuing_office(head: str, cues: RecognitionCues) -> Level | None:
    """The level of an office (an issuer word with an office's ending: 东营市工信局, 省工信厅, 工信部) that
    grants in this clause: a recognition verb follows it before the name. A place alone (我们河口区企业)
    is where the enterprise is, not who granted."""
    offices = [
        (at, level, at + len(w))
        for level, words in cues.issuers.items()
        for w in words
        for at in _positions(head, w)
        if any(e in head[at : at + len(w) + OFFICE_REACH] for e in OFFICE_ENDINGS)
    ]
    for _, level, end in sorted(offices, reverse=True):
        if has_any(head[end:], cues.verbs + list(ISSUING_VERBS)):
            return Level(level)
    return None


def _positions(text: str, word: str) -> list[int]:
    return [mt.start() for mt in re.finditer(re.escape(word), text)]


LEVEL_OF_FORM = {
    "国家": Level.NATIONAL,
    "省": Level.PROVINCIAL,
    "市": Level.CITY,
    "区": Level.DISTRICT,
    "县": Level.DISTRICT,
}
ITEM_OPENERS = "和、及与，,；;：:（(）)"  # what stands before a list item: 分别拿到了国家级…和省级…
ITEM_VERBS = ("有", "是", "为")  # 还有国家级…, 是省级…
LEVEL_LINKS = ("认定", "评定", "批准", "命名", "授予")  # 省级认定的…基地 (的 is a filler): the level, then the name
US = ("我们", "我司", "本公司", "我公司", "咱们", "本企业")  # the asker, said of itself


def _level_in_front(norm: str, m: Mention, cues: RecognitionCues) -> Level | None:
    """国家级服务型制造示范企业 和 省级工业大数据试点示范: the level written as the first word of this
    recognition's own item (after a joiner or a verb of being granted), not the end of a place name
    (济源市服务型制造…)."""
    for form, level in LEVEL_OF_FORM.items():
        # just before the name, before a 认定的 that leads to it, or the name's own first word
        starts = [m.start - len(form) - len(link) for link in ("", *LEVEL_LINKS)] + [m.start]
        # a name that opens with its verb, the level inserted after it (认定为国家知识产权运用示范企业)
        starts += [m.start + len(v) for v in cues.granted + cues.verbs if norm.startswith(v, m.start)]
        for at in starts:
            if (
                at < 0
                or not norm.startswith(form, at)
                or (at < m.start and norm[at + len(form) : m.start] not in ("", *LEVEL_LINKS))
            ):
                continue
            before = norm[:at]
            if (
                not before
                or before[-1] in ITEM_OPENERS
                or before.endswith(tuple(cues.granted + cues.verbs) + ITEM_VERBS)
            ):
                return level
    return None


def _question(m: Mention, norm: Normalized, text: str, vocab: Vocabulary) -> str:
    label = vocab.tags[m.tag].label
    words = norm.span(m.start, max(m.end, m.said_to), text) if m.clause >= 0 else m.name
    if m.stated == APPLIED:
        words = norm.span(m.said_from, m.end, text)
        return f"您说的“{words}”，目前是否已经获得（认定、批准或拨付）？"
    if m.stated == IN_PROCESS:
        return f"您说的“{words}”还在办理中：结果出来了吗，是否已经获得（认定、批准或拨付）？"
    return f"您说的“{words}”是否就是政策所说的“{label}”？"


def _asking(clause: str, vocab: Vocabulary) -> bool:
    """The clause (with the mark that ends it) asks for a figure or a yes/no answer."""
    cues = [normalize_name(c, vocab.recognition.same_as, vocab.recognition.fillers) for c in vocab.intent.benefit_asks]
    return has_any(clause, ASKING) or has_any(clause, cues)


def _read_clause(norm: str, span: tuple[int, int], number: int, vocab: Vocabulary, place: str | None) -> list[Mention]:
    """The mentions of one clause, each with what the clause states of it."""
    cues = vocab.recognition
    index = tag_names(vocab)
    start, end = span
    clause = norm[start:end]
    here = _mentions_in(clause, start, number, index)
    money_tags = index.money
    for m in here:
        before = after_break(norm[start : m.start], cues.breaks)
        after = norm[m.end : end]
        m.said_from = m.start - len(before)
        if not m.sure:
            m.stated = None if _negated(before, vocab) else CANDIDATE
            continue
        m.stated = _stated(before, norm[m.start : m.end], m.gaps, after, vocab)
        around = "|".join([before, *m.gaps, after])  # the negation may sit inside the name (还没被认定为…)
        m.not_yet = m.stated is False and has_any(around, cues.not_yet + cues.pending)
        if m.tag in money_tags and m.stated is True and not received(before + "|" + after[:6], vocab):
            m.stated = None  # 上级专项资金 named, but not said to be had (能拿省里的奖补吗)
        asks = _asking(norm[start : end + 1], vocab) and not has_any(before, cues.granted)
        m.weak = m.stated is True and asks
        if m.weak and not has_any(clause, cues.asked_money):
            m.stated = None  # 从列入培育名单起连续支持几年？ asks about the text, states nothing
    items = [
        Item(m.tag, m.start - start, m.end - start, index.names[m.tag]) for m in here if m.sure and m.stated is True
    ]
    said = {m.tag for m in here if m.sure}
    statements = funding_statements(clause, vocab, place, index.money) + maker_statements(clause, vocab, place)
    statements += role_statements(clause, items, index.words, vocab, said)
    return here + [_from_statement(s, number, start) for s in statements]


def read_recognitions(text: str, vocab: Vocabulary, place: str | None) -> Recognitions:
    """Every tag the question states (true or false), the level said with a recognition, the option of a
    choose-one group already had, and the questions to ask where a mention is only a candidate."""
    cues = vocab.recognition
    index = tag_names(vocab)
    norm = normalize(text, cues.same_as, cues.fillers, cues.questions)
    chosen, had = chosen_options(text, vocab)
    out = Recognitions(chosen=chosen, had=had)
    mentions: list[Mention] = []
    groups: list[list[Mention]] = [[]]  # the mentions of the clauses so far, by clause, nearest first
    for number, (start, end) in enumerate(clauses(norm.text)):
        here = _read_clause(norm.text, (start, end), number, vocab, place)
        if here:
            groups.insert(0, here)
        else:
            _elliptic(norm.text[start:end], start, groups, index, vocab)
        mentions += [m for group in groups for m in group if all(m is not seen for seen in mentions)]
    _contraries(norm.text, index, vocab, mentions)
    for name, tag in vocab.tags.items():
        said = [clause for phrase in tag.negative_phrases for clause in _clauses_saying(text, phrase)]
        if said:
            not_yet = any(has_any(clause, cues.not_yet) for clause in said)
            mentions.append(
                Mention(name, -1, len(norm.text), len(norm.text), "", True, (), stated=False, not_yet=not_yet)
            )
    sure_spans = [(m.start, m.end) for m in mentions if m.sure and m.stated is True and m.clause >= 0]
    mentions = [
        m for m in mentions if m.stated != CANDIDATE or not any(a <= m.start and m.end <= b for a, b in sure_spans)
    ]  # a candidate inside the words of a sure recognition is that recognition, not another
    for m in sorted(mentions, key=lambda m: (not m.weak, m.start)):  # a weak mention never overrides
        if isinstance(m.stated, bool):
            out.tags[m.tag] = m.stated
            if m.not_yet and m.stated is False and m.tag not in out.not_yet:
                out.not_yet.append(m.tag)
            elif m.stated:
                out.not_yet = [t for t in out.not_yet if t != m.tag]
            out.confirmations.pop(m.tag, None)
            if m.stated and out.level is None and m.clause >= 0:
                out.level = _level_said(norm.text, m, cues)
            own = _level_in_front(norm.text, m, cues) if m.stated and m.clause >= 0 else None
            if own:
                out.levels[m.tag] = own
            year = YEAR.findall(norm.text[m.said_from : m.start]) if m.stated and m.clause >= 0 else []
            if year:
                out.since[m.tag] = int(year[-1])
        elif m.tag not in out.tags and m.stated in (APPLIED, CANDIDATE, IN_PROCESS):
            out.confirmations.setdefault(m.tag, _question(m, norm, text, vocab))
    return out


def _clauses_saying(text: str, phrase: str) -> list[str]:
    """The clauses of `text` holding `phrase`; "预计…投产" is 预计 and, later in the same clause, 投产
    (预计明年3月投产)."""
    if "…" not in phrase:
        return [text[a:b] for a, b in clauses(text) if phrase in text[a:b]] if phrase in text else []
    first, last = phrase.split("…", 1)
    if first not in text or last not in text:
        return []
    pattern = f"{re.escape(first)}[^，,。；;！!？?\n]{{0,{PHRASE_GAP}}}{re.escape(last)}"
    return [text[a:b] for a, b in clauses(text) if re.search(pattern, text[a:b])]


def _from_statement(s: Statement, number: int, offset: int) -> Mention:
    return Mention(
        s.tag, number, offset + s.start, offset + s.end, s.words, True, (), said_from=offset, stated=s.stated
    )
