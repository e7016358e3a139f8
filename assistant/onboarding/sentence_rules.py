"""What one money sentence says that can be read mechanically, for a draft program.

Only the text's own notation is read (500万元, 1.5亿元, 10%, 每亩500元, 最高不超过100万元, 500万元以上,
国家级、省级分别给予50万元、20万元): everything else is left for the maintainer, and the draft says so.
Every figure keeps the words it was read from, so the review can check it against the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.rules.bounds import bound_for
from assistant.rules.schema import QUANTITY_UNITS

NUMBER = r"(\d+(?:\.\d+)?)"
MONEY = re.compile(rf"{NUMBER}\s*(亿元|万元|元)(?!/)")
PERCENT = re.compile(rf"{NUMBER}\s*[%％]")
PERCENT_RANGE = re.compile(rf"{NUMBER}\s*[%％]?\s*[—–\-~～至到]\s*{NUMBER}\s*[%％]")
# 每亩500元, 每件给予资助1万元, 200元/亩: a sum per unit of a quantity the rules know (longest unit first,
# so 千瓦时 is not read as 千瓦)
_UNITS = "|".join(sorted(QUANTITY_UNITS, key=len, reverse=True))
PER_UNIT = re.compile(rf"(?:每({_UNITS})[^，。；\d]{{0,6}}?{NUMBER}\s*(万元|元)|{NUMBER}\s*(万元|元)\s*/\s*({_UNITS}))")
# 最高 may be followed by the support's own verb ("同一单位每年最高资助100万元", "一次性最高奖励100万元"),
# with 可 and 一次性 before it ("最高可一次性资助100万元", "最高给予一次性奖励50万元")
_SUPPORT_VERB = "(?:给予|资助|奖励|补助|补贴|奖补|支持)"
CAP = re.compile(
    rf"(最高不超过|最高不超|最多不超过|不超过|最高(?:可以?)?(?:给予)?(?:一次性)?{_SUPPORT_VERB}?|上限为?|封顶)"
    rf"\s*{NUMBER}\s*(亿元|万元|元)"
)
# A bound after the number (500万元以上, 500万元（含）以上) or before it (超过500万元, 不低于500万元).
BOUND_AFTER = re.compile(rf"{NUMBER}\s*(亿元|万元|元)\s*(?:[（(]含[)）])?\s*(及以上|以上|以下|以内)")
BOUND_BEFORE = re.compile(rf"(?<![不未])(超过|不低于|不少于|达到|不足|不满|低于|高于)\s*{NUMBER}\s*(亿元|万元|元)")
LEVELS = ("国家级", "省级", "市级", "县级", "区级")
LEVEL_NAME = {"国家级": "国家级", "省级": "省级", "市级": "市级", "县级": "区县级", "区级": "区县级"}
SCALE = {"亿元": Decimal(100_000_000), "万元": Decimal(10_000), "元": Decimal(1)}
SCOPE_WORDS = (
    ("单个企业", "enterprise"),
    ("每家企业", "enterprise"),
    ("每个企业", "enterprise"),
    ("每年", "year"),
    ("年度", "year"),
    ("总额", "total"),
)


def yuan(number: str, unit: str) -> Decimal:
    """万元 → 元, exactly (Decimal)."""
    return (Decimal(number) * SCALE[unit]).normalize()


@dataclass(frozen=True)
class Band:
    lower: tuple[Decimal, str] | None
    upper: tuple[Decimal, str] | None
    words: str


@dataclass
class Reading:
    """What the sentence says, each figure with the words it came from."""

    amounts: list[tuple[Decimal, str]] = field(default_factory=list)  # every sum, in text order
    rates: list[tuple[Decimal, str]] = field(default_factory=list)
    rate_range: tuple[Decimal, Decimal, str] | None = None
    per_unit: tuple[Decimal, str, str] | None = None  # (元 per unit, unit, words)
    caps: list[tuple[Decimal, str, str]] = field(default_factory=list)  # (yuan, scope, words)
    thresholds: list[tuple[Decimal, str, str]] = field(default_factory=list)  # (yuan, bound word, words)
    levels: list[str] = field(default_factory=list)  # 国家级、省级 … named before 分别
    respectively: bool = False  # 分别: the amounts go one to each level (or band) named
    # 分别 after a list of bands ("50万元以上至100万元以下、100万元以上至200万元以下…"): each band's
    # (lower, upper) bounds as (yuan, bound word), and what is given to each, in the list's order
    bands: list[Band] = field(default_factory=list)
    band_figures: list[tuple[Decimal, str]] = field(default_factory=list)
    band_rates: bool = False  # the figures are rates (rate_bands), not sums (tiers)
    maximum: bool = False  # 最高 / 不超过 / 可达 without a formula: the sum is a ceiling

    @property
    def award_amounts(self) -> list[tuple[Decimal, str]]:
        """Sums that are neither a cap nor a threshold: what is given."""
        used = {w for _, _, w in self.caps} | {w for _, _, w in self.thresholds}
        return [(v, w) for v, w in self.amounts if not any(w in u for u in used)]


def read_sentence(text: str) -> Reading:
    out = Reading()
    out.amounts = [(yuan(m.group(1), m.group(2)), m.group(0)) for m in MONEY.finditer(text)]
    ranged = PERCENT_RANGE.search(text)
    if ranged:
        low, high = Decimal(ranged.group(1)) / 100, Decimal(ranged.group(2)) / 100
        out.rate_range = (low.normalize(), high.normalize(), ranged.group(0))
    out.rates = [(Decimal(m.group(1)) / 100, m.group(0)) for m in PERCENT.finditer(text)]
    if ranged:
        out.rates = [(v, w) for v, w in out.rates if w not in ranged.group(0)]
    unit = PER_UNIT.search(text)
    if unit:
        per = unit.group(1) or unit.group(6)
        value, money = (unit.group(2), unit.group(3)) if unit.group(1) else (unit.group(4), unit.group(5))
        out.per_unit = (yuan(value, money), per, unit.group(0))
    for m in CAP.finditer(text):
        before = text[max(0, m.start() - 8) : m.start()]
        scope = next((s for w, s in SCOPE_WORDS if w in before), "project")
        out.caps.append((yuan(m.group(2), m.group(3)), scope, m.group(0)))
    for m in BOUND_AFTER.finditer(text):
        word = {"及以上": "以上"}.get(m.group(3), m.group(3))
        if _known_bound(word):
            out.thresholds.append((yuan(m.group(1), m.group(2)), word, m.group(0)))
    for m in BOUND_BEFORE.finditer(text):
        if _known_bound(m.group(1)):
            # "超过50万元以上": one threshold with two bound words; the word before is kept, and the
            # draft asks the maintainer which is meant
            after = next((t for t in out.thresholds if text.find(t[2]) == m.start(2)), None)
            if after is not None:
                out.thresholds.remove(after)
            words = m.group(0) + (after[2][len(m.group(2)) + len(m.group(3)) :] if after else "")
            out.thresholds.append((yuan(m.group(2), m.group(3)), m.group(1), words))
    head = text.split("分别", 1)[0]
    _read_bands(text, out)
    out.levels = [LEVEL_NAME[level] for level in LEVELS if level in head]
    out.levels = list(dict.fromkeys(out.levels))
    out.respectively = "分别" in text
    out.maximum = bool(re.search(r"最高|不超过|可达|最多", text))
    return out


# One band of a 分别 list: a sum with its bound word, then optionally 至 and a second sum with its word
_BAND_SUM = rf"{NUMBER}\s*(亿元|万元|元)\s*(（含）|\(含\))?\s*(以上|以下|及以上)?"
BAND = re.compile(rf"^(?:[^\d]*?)(超过|达到|达|不足|不满|低于)?{_BAND_SUM}(?:\s*(?:至|到|—|-)\s*{_BAND_SUM})?")


def _read_bands(text: str, out: Reading) -> None:
    """ "设备购置在50万元以上至100万元以下、…、300万元以上的项目，分别给予…5%、6%、7%、8%", "上云费用达1万元、
    5万元、10万元、20万元以上的分别给予奖励5000元、1万元、2万元、5万元": the list's bands and one figure for each.
    Read only when the counts agree; every band's bounds are the text's words, for the maintainer to check."""
    if "分别" not in text:
        return
    head, tail = text.split("分别", 1)
    clauses = [c for c in re.split(r"[，,]", head) if MONEY.search(c)]
    if not clauses:
        return
    parts = clauses[-1].split("、")
    bands = [band for part in parts if (band := _band(part)) is not None]
    if len(parts) < 2 or len(bands) != len(parts):
        return
    rates = [(Decimal(m.group(1)) / 100, m.group(0)) for m in PERCENT.finditer(tail)]
    sums = [(yuan(m.group(1), m.group(2)), m.group(0)) for m in MONEY.finditer(tail)]
    figures, are_rates = (rates, True) if len(rates) == len(bands) else (sums, False)
    if len(figures) != len(bands):
        return
    out.bands = _closed(bands)
    out.band_figures, out.band_rates = figures, are_rates
    listed = clauses[-1]
    out.thresholds = [t for t in out.thresholds if t[2] not in listed]  # the bands' bounds are the tiers'


def _closed(bands: list[Band]) -> list[Band]:
    """A list of lower bounds alone: a part that says no bound word has the list's ("首次超过50亿元、30亿元、
    10亿元": 超过 each; "达1万元、5万元…20万元以上": 达 each), and an ascending list closes each band below
    the next one's lower bound, so that the first band a value falls in is its own (a descending list
    already is in that order)."""
    said = [b.lower[1] for b in bands if b.lower and b.lower[1]]
    word = said[0] if said else "以上"
    bands = [Band((b.lower[0], b.lower[1] or word), b.upper, b.words) if b.lower else b for b in bands]
    out = []
    for band, nxt in zip(bands, [*bands[1:], None], strict=True):
        if band.upper is None and band.lower and nxt and nxt.lower and nxt.lower[0] > band.lower[0]:
            inclusive = bound_for(nxt.lower[1]).inclusive
            band = Band(band.lower, (nxt.lower[0], "低于" if inclusive else "以下"), band.words)
        out.append(band)
    return out


def _band(part: str) -> Band | None:
    m = BAND.match(part.strip())
    if m is None:
        return None
    before, first = m.group(1), (yuan(m.group(2), m.group(3)), m.group(5) or "")
    if m.group(6) is not None:  # "50万元以上至100万元以下": both bounds
        return Band((first[0], first[1] or "以上"), (yuan(m.group(6), m.group(7)), m.group(9) or "以下"), m.group(0))
    word = before or first[1]
    if word in ("以下", "不足", "不满", "低于"):
        return Band(None, (first[0], word), m.group(0))
    return Band((first[0], word), None, m.group(0))  # "" when the part says no word: the list's, below


def _known_bound(word: str) -> bool:
    try:
        bound_for(word)
    except ValueError:
        return False
    return True
