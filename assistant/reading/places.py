"""Where the enterprise is, read from the question with China's administrative table.

Two things make place words hard. Names collide: 河口 is a district of 东营 and a county of 云南, and
梅河口市 (吉林) contains it; only the real table, read longest name first, tells them apart. And a
question often names two places, its own and the policy's: in "洛阳企业，能拿济源那个30万奖励吗" the
enterprise is in 洛阳, and 济源 only says which policy is meant. The words around each name
(index/vocabulary.yaml `place_cues`) say whose it is; the enterprise's own place wins, then a place
said without such words, and a policy's place only when nothing else is said ("河口区的技改奖补能拿多少").

Never a guess: two places that cannot both be the enterprise's, a name that means several places, or a
place word the table does not know leave the place unknown, so the answer asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from assistant.reading.place_table import PlaceTable, Unit, china
from assistant.rules.rulebook import PlaceCues, Vocabulary

CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\n]")
LOOK_BEHIND = 6  # characters before a place searched for whose place it is
LOOK_AHEAD = 8  # and after it ("的技改直接奖补" reaches the policy word)
MODIFIER = 4  # characters allowed between a place and its enterprise noun (佛山的装备企业)
AFTER_VERB = "的、，,"
TOWNSHIP = (
    "镇",
    "乡",
    "街道",
)  # after a name: a township of that name (西固区河口镇 is not 河口区)  # 郑州企业生产的 / 生产、: the verb describes another enterprise's product
# A place-like word ("某某县") the table does not know, said as where someone is.
PLACE_LIKE = re.compile(r"(?:在|位于|地处|属于|来自)([\u4e00-\u9fa5]{2,5}?(?:省|市|区|县|州|盟))(?!级)")


class Role(Enum):
    """Whose place a mention is, by the words around it."""

    ENTERPRISE = "enterprise"  # 洛阳企业, 我们在济源
    UNSAID = "unsaid"  # 河口区技改项目……: nothing says, and usually it is the enterprise's
    POLICY = "policy"  # 济源那个30万奖励, 享受河口区的政策
    OTHER = "other"  # 郑州企业生产的装备: another enterprise's place
    DENIED = "denied"  # 不是河口区的: the enterprise is not there


PREFERENCE = (Role.ENTERPRISE, Role.UNSAID, Role.POLICY)


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str


@dataclass
class Mention:
    """One place as written ("东营市垦利区" is one mention of two names) and what it may mean."""

    start: int
    end: int
    word: str
    paths: list[str]  # full paths; exactly one when the mention is settled
    note: str | None = None  # how a short name was read (河口 → 东营市河口区), for the answer
    role: Role = Role.UNSAID


@dataclass
class PlaceReading:
    place: str | None = None  # a full path, e.g. 河南省洛阳市, or None: ask
    mention: str | None = None  # the words the user wrote for it
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    role: Role | None = None  # whose place the words say it is (None when no place is read)
    # Every place the text names and settles, the enterprise's and any other, as full paths
    named: frozenset[str] = frozenset()


def _short_names(vocab: Vocabulary) -> dict[str, str]:
    """Short county-level names the vocabulary reads on their own → the place they are read inside."""
    return {word: key for key, words in vocab.places.items() for word in words}


def _tokens(text: str, table: PlaceTable, short: dict[str, str]) -> list[Token]:
    """Every name, leftmost and longest first, so 梅河口市 is one name and not 梅 + 河口. A name the
    table reads only under its parent counts only right after another name (东营垦利)."""
    longest = max(table.longest, *map(len, short), 2)
    out: list[Token] = []
    i = 0
    while i < len(text):
        follows = bool(out) and not text[out[-1].end : i].strip()
        for size in range(min(longest, len(text) - i), 1, -1):
            word = text[i : i + size]
            if text.startswith(TOWNSHIP, i + size):
                continue
            if word in table.anywhere or word in short or (follows and word in table.after_parent):
                out.append(Token(i, i + size, word))
                i += size
                break
        else:
            i += 1
    return out


def _under(unit: Unit, parents: set[Unit]) -> bool:
    return any(unit.depth > p.depth and unit.path.startswith(p.path) for p in parents)


def _claim(units: set[Unit]) -> list[str]:
    """What a name surely says: the one unit all its meanings lie in (吉林 → 吉林省, not 吉林市), else
    every meaning, which leaves the mention unsettled."""
    for unit in sorted(units, key=lambda u: u.depth):
        if all(other.path.startswith(unit.path) for other in units):
            return [unit.path]
    return sorted(u.path for u in units)


def _settle(text: str, run: list[Token], units: set[Unit], short: dict[str, str]) -> Mention:
    start, end = run[0].start, run[-1].end
    word = text[start:end]
    if len(run) == 1 and word in short:
        key = short[word]
        inside = sorted(u.path for u in units if u.path.startswith(key)) or [key]
        elsewhere = sorted(u.path for u in units if not u.path.startswith(key))
        note = f"“{word}”按{inside[0]}理解；同名的还有{'、'.join(elsewhere)}，如指那里请说明" if elsewhere else None
        return Mention(start, end, word, inside, note if len(inside) == 1 else None)
    return Mention(start, end, word, _claim(units))


def _mentions(text: str, table: PlaceTable, short: dict[str, str]) -> list[Mention]:
    """Names written one after another are one path (河南洛阳, 云南省红河州河口瑶族自治县): each must lie
    in the one before, which also settles names that collide (山东河口 is 东营's)."""
    mentions: list[Mention] = []
    run: list[Token] = []
    units: set[Unit] = set()
    for token in _tokens(text, table, short):
        meanings = table.units(token.word)
        if run and not text[run[-1].end : token.start].strip():
            deeper = {u for u in meanings if _under(u, units)}
            if deeper:
                run, units = [*run, token], deeper
                continue
        if run:
            mentions.append(_settle(text, run, units, short))
        standalone = token.word in table.anywhere or token.word in short
        run, units = ([token], meanings) if standalone else ([], set())
    if run:
        mentions.append(_settle(text, run, units, short))
    return mentions


def _past(text: str, fillers: list[str]) -> str:
    """`text` without the filler words it starts with ("的一家企业" → "企业")."""
    while text.startswith(tuple(fillers)):
        text = text[next(len(f) for f in fillers if text.startswith(f)) :]
    return text


def _enterprise_noun(rest: str, cues: PlaceCues, modifier: int) -> int | None:
    """Where an enterprise noun at most `modifier` characters into `rest` ends, if one does."""
    found = [at + len(n) for n in cues.enterprise_after for at in [rest.find(n)] if 0 <= at <= modifier]
    return min(found) if found else None


def _makes(rest: str, verbs: list[str]) -> bool:
    """ "生产的", "生产、": the enterprise just named made or sold something; "生产线" is no such verb."""
    return any(rest.startswith(v) and rest[len(v) : len(v) + 1] in tuple(AFTER_VERB) + ("",) for v in verbs)


def _role(text: str, mention: Mention, cues: PlaceCues, negations: list[str]) -> Role:
    """Strongest words first: a negation, another enterprise, the enterprise noun right after the place
    (洛阳企业), a policy word, a noun after 的 and a modifier (佛山的装备企业), then 我们在/位于 before."""
    left = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, mention.start)), default=0)
    right_break = CLAUSE_BREAK.search(text, mention.end)
    right = right_break.start() if right_break else len(text)
    before = text[max(left, mention.start - LOOK_BEHIND) : mention.start]
    after = text[mention.end : min(right, mention.end + LOOK_AHEAD)]
    if any(neg in before[-len(neg) - 1 :] for neg in negations):  # 不是河口区的, 不在济源
        return Role.DENIED
    if before.endswith(tuple(cues.other_before)):
        return Role.OTHER
    rest = _past(after, cues.fillers)
    policy = any(cue in after for cue in cues.policy_after) or before.endswith(tuple(cues.policy_before))
    noun = _enterprise_noun(rest, cues, 0)
    if noun is None and not policy and rest != after:
        noun = _enterprise_noun(rest, cues, MODIFIER)
    if noun is not None:
        own = before.endswith(tuple(cues.own_before))  # 我们郑州的装备厂生产的: the asker made it
        return Role.OTHER if _makes(rest[noun:], cues.other_after) and not own else Role.ENTERPRISE
    if policy:
        return Role.POLICY
    if before.endswith(tuple(cues.enterprise_before)):
        return Role.ENTERPRISE
    return Role.UNSAID


def _agree(group: list[Mention]) -> PlaceReading:
    """The one place all these mentions name, the most specific (河南 and 济源 → 河南省济源市), said back
    in full unless the user wrote it so: a misread place then shows in the answer, not only in a figure."""
    unsettled = [m for m in group if len(m.paths) != 1]
    if unsettled:
        m = unsettled[0]
        return PlaceReading(notes=[f"“{m.word}”可能指{'或'.join(m.paths)}，请说明企业所在地区"])
    deepest = max(group, key=lambda m: (len(m.paths[0]), m.note is None))
    if not all(deepest.paths[0].startswith(m.paths[0]) for m in group):
        words = "、".join(dict.fromkeys(f"“{m.word}”" for m in group))
        return PlaceReading(notes=[f"您提到了{words}，请说明企业所在地区"])
    place = deepest.paths[0]
    said = deepest.note or (f"“{deepest.word}”按{place}理解" if deepest.word != place else None)
    return PlaceReading(place, deepest.word, [said] if said else [])


def _unknown_place(text: str, mentions: list[Mention]) -> str | None:
    """A place said as where someone is ("在某某县") that no mention covers."""
    for m in PLACE_LIKE.finditer(text):
        if not any(x.start <= m.start(1) < x.end for x in mentions):
            return m.group(1)
    return None


def read_place(text: str, vocab: Vocabulary, table: PlaceTable | None = None) -> PlaceReading:
    """The enterprise's place in `text`, or why it is not known."""
    mentions = _mentions(text, table or china(), _short_names(vocab))
    for m in mentions:
        m.role = _role(text, m, vocab.place_cues, vocab.negations)
    said = [m for m in mentions if m.role in (Role.ENTERPRISE, Role.UNSAID)]
    unknown = None if said else _unknown_place(text, mentions)
    if unknown:
        covered = "、".join(vocab.covered_regions)
        return PlaceReading(
            errors=[f"无法识别地区“{unknown}”。本助手收录的政策适用于{covered}，请说明企业所在的省、市或区县"]
        )
    for role in PREFERENCE:
        group = [m for m in mentions if m.role is role]
        if group:
            reading = _agree(group)
            reading.role = role if reading.place else None
            reading.named = _settled(mentions)
            return reading
    return PlaceReading(named=_settled(mentions))


def _settled(mentions: list[Mention]) -> frozenset[str]:
    return frozenset(m.paths[0] for m in mentions if len(m.paths) == 1)


def places_named(text: str, vocab: Vocabulary) -> frozenset[str]:
    """Every place the text names and settles, as a full path: the enterprise's and any other
    ("我们是焦作的企业，济源那个30万的奖励…" names 河南省焦作市 and 河南省济源市)."""
    return _settled(_mentions(text, china(), _short_names(vocab)))


def place_words(text: str, vocab: Vocabulary) -> list[str]:
    """The place names written in `text`: they say where, not what a question is about."""
    return [t.word for t in _tokens(text, china(), _short_names(vocab))]
